/*
 * The SSE2/SSSE3/XOP intrinsics that argon2's opt.c and blamka-round-opt.h
 * use, written with WebAssembly SIMD (simd128). Only for building argon2 to
 * wasm32: put this folder first on the include path and define __SSSE3__ and
 * __XOP__, so that the upstream sources compile unchanged.
 */
#ifndef ARGON2_WASM_SIMD_SHIM_H
#define ARGON2_WASM_SIMD_SHIM_H
#include <wasm_simd128.h>

typedef v128_t __m128i;

#define _mm_loadu_si128(p) wasm_v128_load((const void *)(p))
#define _mm_storeu_si128(p, v) wasm_v128_store((void *)(p), (v))
#define _mm_xor_si128(a, b) wasm_v128_xor((a), (b))
#define _mm_add_epi64(a, b) wasm_i64x2_add((a), (b))
#define _mm_srli_epi64(a, c) wasm_u64x2_shr((a), (c))
#define _mm_slli_epi64(a, c) wasm_i64x2_shl((a), (c))
/* Low 32 bits of each 64-bit lane, multiplied to 64 bits. */
#define _mm_mul_epu32(a, b)                                                    \
    wasm_u64x2_extmul_low_u32x4(wasm_i32x4_shuffle((a), (a), 0, 2, 0, 2),     \
                                wasm_i32x4_shuffle((b), (b), 0, 2, 0, 2))
/* Only used as _mm_alignr_epi8(hi, lo, 8): the upper half of lo, then the lower half of hi. */
#define _mm_alignr_epi8(hi, lo, n) wasm_i64x2_shuffle((lo), (hi), 1, 2)
#define _mm_unpackhi_epi64(a, b) wasm_i64x2_shuffle((a), (b), 1, 3)
#define _mm_unpacklo_epi64(a, b) wasm_i64x2_shuffle((a), (b), 0, 2)

/* XOP's rotate, for the four constant distances BLAKE2b uses (c < 0: right). */
#define _mm_roti_epi64(x, c)                                                   \
    ((-(c) == 32)   ? wasm_i32x4_shuffle((x), (x), 1, 0, 3, 2)                 \
     : (-(c) == 24) ? wasm_i8x16_shuffle((x), (x), 3, 4, 5, 6, 7, 0, 1, 2,    \
                                         11, 12, 13, 14, 15, 8, 9, 10)         \
     : (-(c) == 16) ? wasm_i8x16_shuffle((x), (x), 2, 3, 4, 5, 6, 7, 0, 1,    \
                                         10, 11, 12, 13, 14, 15, 8, 9)         \
     : (-(c) == 63) ? wasm_v128_xor(wasm_u64x2_shr((x), 63),                  \
                                    wasm_i64x2_add((x), (x)))                  \
                    : wasm_v128_xor(wasm_u64x2_shr((x), -(c)),                \
                                    wasm_i64x2_shl((x), 64 + (c))))
#endif
