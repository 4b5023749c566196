/*
 * memcpy/memmove/memset as single bulk-memory instructions (memory.copy,
 * memory.fill) instead of wasi-libc's byte loops. Built with -mbulk-memory,
 * where clang lowers these builtins to the instructions, not to calls.
 */
#include <stddef.h>
void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  __builtin_memcpy(dst, src, n);
  return dst;
}
void *memmove(void *dst, const void *src, size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
void *memset(void *dst, int c, size_t n) {
  __builtin_memset(dst, c, n);
  return dst;
}
