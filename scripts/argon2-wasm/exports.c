/*
 * The exports of argon2id.wasm: an allocator for the caller's buffers and the
 * reference implementation's raw argon2id (no PHC string; edgeauth encodes
 * that itself).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "argon2.h"
#include "encoding.h"

__attribute__((export_name("alloc"))) void *wasm_alloc(size_t size) { return malloc(size); }

__attribute__((export_name("dealloc"))) void wasm_dealloc(void *ptr) { free(ptr); }

/* ARGON2_OK (0) or a negative argon2_error_codes value. */
__attribute__((export_name("argon2id_hash_raw"))) int
wasm_argon2id_hash_raw(uint32_t t_cost, uint32_t m_cost, uint32_t parallelism, const void *pwd,
                       size_t pwdlen, const void *salt, size_t saltlen, void *hash,
                       size_t hashlen) {
  return argon2id_hash_raw(t_cost, m_cost, parallelism, pwd, pwdlen, salt, saltlen, hash,
                           hashlen);
}

/*
 * encoding.c (PHC strings) is left out: it needs sprintf, and with it stdio
 * and WASI imports. argon2.c links against these but the raw API never calls
 * them.
 */
int encode_string(char *dst, size_t dst_len, argon2_context *ctx, argon2_type type) {
  (void)dst, (void)dst_len, (void)ctx, (void)type;
  return ARGON2_ENCODING_FAIL;
}
int decode_string(argon2_context *ctx, const char *str, argon2_type type) {
  (void)ctx, (void)str, (void)type;
  return ARGON2_DECODING_FAIL;
}
size_t b64len(uint32_t len) { return (void)len, 0; }
size_t numlen(uint32_t num) { return (void)num, 0; }
