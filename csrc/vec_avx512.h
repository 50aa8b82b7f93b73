/*
 * The vector layer for AVX-512F: 16 float32 / 8 float64 lanes, the operations
 * of vec_avx2.h (see there for the types and the contract) with AVX-512's own
 * tools: mask registers for compares and selects, masked loads and stores for
 * the tails, vpermt2ps / vpermt2pd for 32- and 16-entry tables,
 * vscalefps / vscalefpd for 2^k, vpternlogd for sign flips, the 64-bit
 * arithmetic shift and min/max.  Only AVX-512F instructions (plus AVX2, FMA,
 * F16C): no DQ, BW or VL.
 *
 * SIGMOIDX_AVX512_SIMDE (a test-only build, scripts/test_avx512_emulated.sh)
 * takes the intrinsics from SIMDe (vec_avx512_simde.h), which implements them
 * on AVX2 with the same results: the avx512 kernels then run on a CPU without
 * AVX-512.
 */
#ifndef SIGMOIDX_VEC_H
#define SIGMOIDX_VEC_H

#ifdef SIGMOIDX_AVX512_SIMDE
#include "vec_avx512_simde.h"
#else
#include <immintrin.h>
#endif
#include <stddef.h>
#include <stdint.h>

#define VEC_LEVEL "avx512"
#define VF32_LANES 16
#define VF64_LANES 8
/* float32: 8 vectors in flight per step, as the 16-lane kernels keep the
 * vector units busiest with (docs/performance.md); float64: 4 */
#define VF32_BLOCKS 8
#define VF64_BLOCKS 4
/* exp's tables of 2^(j/N) (kernels_vec_f32.h, kernels_vec_f64.h): 32 float32
 * and 16 float64 entries, each one vpermt2ps / vpermt2pd on two registers,
 * which leaves shorter polynomials than avx2's 8 and 4 entries */
#define VF32_EXP_TABLE_BITS 5
#define VF64_EXP_TABLE_BITS 4
/* vscalefps / vscalefpd: the kernels scale by 2^k with vf32_scale_floor */
#define VEC_HAS_SCALEF 1

typedef __m512 vf32;
typedef __m512i vi32;
typedef __mmask16 vm32;
typedef __m512d vf64;
typedef __m512i vi64;
typedef __mmask8 vm64;

#define VEC_INLINE static inline __attribute__((always_inline))

/* ---- float32 ---- */
/* the first n lanes, n in 1..16 */
VEC_INLINE __mmask16 vm32_first(ptrdiff_t n) { return (__mmask16)((1u << n) - 1); }

VEC_INLINE vf32 vf32_set(float v) { return _mm512_set1_ps(v); }
VEC_INLINE vf32 vf32_zero(void) { return _mm512_setzero_ps(); }
VEC_INLINE vf32 vf32_load(const float *p) { return _mm512_loadu_ps(p); }
VEC_INLINE void vf32_store(float *p, vf32 v) { _mm512_storeu_ps(p, v); }
/* masked: the lanes past n are neither read (no fault) nor written */
VEC_INLINE vf32 vf32_load_partial(const float *p, ptrdiff_t n)
{
    return _mm512_maskz_loadu_ps(vm32_first(n), p);
}
VEC_INLINE void vf32_store_partial(float *p, vf32 v, ptrdiff_t n)
{
    _mm512_mask_storeu_ps(p, vm32_first(n), v);
}

VEC_INLINE vf32 vf32_add(vf32 a, vf32 b) { return _mm512_add_ps(a, b); }
VEC_INLINE vf32 vf32_sub(vf32 a, vf32 b) { return _mm512_sub_ps(a, b); }
VEC_INLINE vf32 vf32_mul(vf32 a, vf32 b) { return _mm512_mul_ps(a, b); }
VEC_INLINE vf32 vf32_div(vf32 a, vf32 b) { return _mm512_div_ps(a, b); }
VEC_INLINE vf32 vf32_min(vf32 a, vf32 b) { return _mm512_min_ps(a, b); }
VEC_INLINE vf32 vf32_max(vf32 a, vf32 b) { return _mm512_max_ps(a, b); }
/* 1/d for d in [1, 8] within 2^-14 relative (vrcp14ps; see vec_avx2.h): the
 * one corrected quotient is then within 2^-28 of its own value instead of a
 * rounding, which leaves the float32 kernels within 1 ULP (benchmarks/accuracy.py)
 * and frees the divider, the bottleneck of the 16-lane kernels.  Not the bits
 * of a division: these kernels differ from avx2's in the last bit of a few
 * results. */
VEC_INLINE vf32 vf32_recip(vf32 d) { return _mm512_rcp14_ps(d); }
VEC_INLINE vf32 vf32_neg(vf32 a)
{
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(INT32_MIN)));
}
VEC_INLINE vf32 vf32_fma(vf32 a, vf32 b, vf32 c) { return _mm512_fmadd_ps(a, b, c); }
VEC_INLINE vf32 vf32_fnma(vf32 a, vf32 b, vf32 c) { return _mm512_fnmadd_ps(a, b, c); }
VEC_INLINE vf32 vf32_fms(vf32 a, vf32 b, vf32 c) { return _mm512_fmsub_ps(a, b, c); }

VEC_INLINE vi32 vf32_bits(vf32 a) { return _mm512_castps_si512(a); }
VEC_INLINE vf32 vf32_from_bits(vi32 a) { return _mm512_castsi512_ps(a); }
VEC_INLINE vi32 vi32_set(int32_t v) { return _mm512_set1_epi32(v); }
VEC_INLINE vi32 vi32_add(vi32 a, vi32 b) { return _mm512_add_epi32(a, b); }
VEC_INLINE vi32 vi32_sub(vi32 a, vi32 b) { return _mm512_sub_epi32(a, b); }
VEC_INLINE vi32 vi32_and(vi32 a, vi32 b) { return _mm512_and_si512(a, b); }
VEC_INLINE vi32 vi32_min(vi32 a, vi32 b) { return _mm512_min_epi32(a, b); }
VEC_INLINE vi32 vi32_max(vi32 a, vi32 b) { return _mm512_max_epi32(a, b); }
#define vi32_shl(a, count) _mm512_slli_epi32((a), (count))
#define vi32_sra(a, count) _mm512_srai_epi32((a), (count))

VEC_INLINE vm32 vi32_gt(vi32 a, vi32 b) { return _mm512_cmpgt_epi32_mask(a, b); }
VEC_INLINE vm32 vf32_ge(vf32 a, vf32 b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
VEC_INLINE vm32 vf32_signbit(vf32 a)
{
    return _mm512_cmpgt_epi32_mask(_mm512_setzero_si512(), _mm512_castps_si512(a));
}
VEC_INLINE vm32 vm32_or(vm32 a, vm32 b) { return (vm32)(a | b); }
VEC_INLINE vm32 vm32_and(vm32 a, vm32 b) { return (vm32)(a & b); }
VEC_INLINE int vm32_any(vm32 m) { return m != 0; }
VEC_INLINE vf32 vf32_select(vm32 m, vf32 a, vf32 b) { return _mm512_mask_blend_ps(m, b, a); }
VEC_INLINE vi32 vi32_select(vm32 m, vi32 a, vi32 b) { return _mm512_mask_blend_epi32(m, b, a); }
/* x < 0 ? v : 1 (vec_avx2.h) in one vfixupimmps by x's class: 1.0 for
 * positive, +1 and +inf, v kept for negative and -inf, and for zeros and
 * subnormals, which it classes as zero; a signalling NaN x raises "invalid" */
#define FIXUP_ONE_UNLESS_NEGATIVE 0xA0A0A000 /* a token (10: +1.0, 0: keep) per class */
VEC_INLINE vf32 vf32_negative_or_one(vf32 x, vf32 v)
{
    return _mm512_fixupimm_ps(v, x, _mm512_set1_epi32(FIXUP_ONE_UNLESS_NEGATIVE), 0);
}
VEC_INLINE vf32 vf32_zero_unless(vm32 m, vf32 a) { return _mm512_maskz_mov_ps(m, a); }
VEC_INLINE vi32 vi32_zero_unless(vm32 m, vi32 a) { return _mm512_maskz_mov_epi32(m, a); }

VEC_INLINE vf32 vf32_pow2i(vi32 k)
{
    /* (k << 23) + (127 << 23): the shift is shared with vf32_ldexp_normal(a, k) */
    return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_slli_epi32(k, 23), _mm512_set1_epi32(127 << 23)));
}
VEC_INLINE vf32 vf32_ldexp_normal(vf32 a, vi32 k)
{
    return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(a), _mm512_slli_epi32(k, 23)));
}
/* vscalefps: a 2^k rounded once, as a times the exact power of two */
VEC_INLINE vf32 vf32_scale(vf32 a, vi32 k) { return _mm512_scalef_ps(a, _mm512_cvtepi32_ps(k)); }

/* a 2^floor(f), rounded once (vscalefps): exact where the result is normal */
VEC_INLINE vf32 vf32_scale_floor(vf32 a, vf32 f) { return _mm512_scalef_ps(a, f); }
/* a with its sign flipped where b's sign bit is set (one vpternlogd) */
VEC_INLINE vf32 vf32_xor_sign(vf32 a, vf32 b)
{
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(a), _mm512_castps_si512(b),
                                                         _mm512_set1_epi32(INT32_MIN), 0x78));
}

/* A 32-entry table in two registers, looked up by the low five bits of n
 * (vpermt2ps). */
typedef struct { __m512 low, high; } vtab32_f32;
#define VTAB32_F32(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, \
                   t18, t19, t20, t21, t22, t23, t24, t25, t26, t27, t28, t29, t30, t31)           \
    ((vtab32_f32){_mm512_setr_ps(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14,   \
                                 t15),                                                              \
                  _mm512_setr_ps(t16, t17, t18, t19, t20, t21, t22, t23, t24, t25, t26, t27, t28,  \
                                 t29, t30, t31)})
VEC_INLINE vf32 vf32_lookup32(vtab32_f32 table, vi32 n)
{
    return _mm512_permutex2var_ps(table.low, n, table.high);
}

VEC_INLINE vf32 vf32_load_f16(const uint16_t *p)
{
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}
VEC_INLINE void vf32_store_f16(uint16_t *p, vf32 v)
{
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}

/* ---- float64 ---- */
VEC_INLINE __mmask8 vm64_first(ptrdiff_t n) { return (__mmask8)((1u << n) - 1); }

VEC_INLINE vf64 vf64_set(double v) { return _mm512_set1_pd(v); }
VEC_INLINE vf64 vf64_zero(void) { return _mm512_setzero_pd(); }
VEC_INLINE vf64 vf64_load(const double *p) { return _mm512_loadu_pd(p); }
VEC_INLINE void vf64_store(double *p, vf64 v) { _mm512_storeu_pd(p, v); }
VEC_INLINE vf64 vf64_load_partial(const double *p, ptrdiff_t n)
{
    return _mm512_maskz_loadu_pd(vm64_first(n), p);
}
VEC_INLINE void vf64_store_partial(double *p, vf64 v, ptrdiff_t n)
{
    _mm512_mask_storeu_pd(p, vm64_first(n), v);
}
VEC_INLINE vf64 vf64_load_f32(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
VEC_INLINE void vf64_store_f32(float *p, vf64 v) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(v)); }
/* 16-lane masked moves on the low half (AVX-512F has no 8-lane float32 masks) */
VEC_INLINE vf64 vf64_load_f32_partial(const float *p, ptrdiff_t n)
{
    return _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_maskz_loadu_ps(vm32_first(n), p)));
}
VEC_INLINE void vf64_store_f32_partial(float *p, vf64 v, ptrdiff_t n)
{
    _mm512_mask_storeu_ps(p, vm32_first(n), _mm512_castps256_ps512(_mm512_cvtpd_ps(v)));
}

VEC_INLINE vf64 vf64_add(vf64 a, vf64 b) { return _mm512_add_pd(a, b); }
VEC_INLINE vf64 vf64_sub(vf64 a, vf64 b) { return _mm512_sub_pd(a, b); }
VEC_INLINE vf64 vf64_mul(vf64 a, vf64 b) { return _mm512_mul_pd(a, b); }
VEC_INLINE vf64 vf64_div(vf64 a, vf64 b) { return _mm512_div_pd(a, b); }
VEC_INLINE vf64 vf64_min(vf64 a, vf64 b) { return _mm512_min_pd(a, b); }
VEC_INLINE vf64 vf64_max(vf64 a, vf64 b) { return _mm512_max_pd(a, b); }
VEC_INLINE vf64 vf64_neg(vf64 a)
{
    return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(a), _mm512_set1_epi64(INT64_MIN)));
}
VEC_INLINE vf64 vf64_fma(vf64 a, vf64 b, vf64 c) { return _mm512_fmadd_pd(a, b, c); }
VEC_INLINE vf64 vf64_fnma(vf64 a, vf64 b, vf64 c) { return _mm512_fnmadd_pd(a, b, c); }
VEC_INLINE vf64 vf64_fms(vf64 a, vf64 b, vf64 c) { return _mm512_fmsub_pd(a, b, c); }

VEC_INLINE vi64 vf64_bits(vf64 a) { return _mm512_castpd_si512(a); }
VEC_INLINE vf64 vf64_from_bits(vi64 a) { return _mm512_castsi512_pd(a); }
VEC_INLINE vi64 vi64_set(int64_t v) { return _mm512_set1_epi64(v); }
VEC_INLINE vi64 vi64_add(vi64 a, vi64 b) { return _mm512_add_epi64(a, b); }
VEC_INLINE vi64 vi64_sub(vi64 a, vi64 b) { return _mm512_sub_epi64(a, b); }
VEC_INLINE vi64 vi64_and(vi64 a, vi64 b) { return _mm512_and_si512(a, b); }
#define vi64_shl(a, count) _mm512_slli_epi64((a), (count))
#define vi64_shr(a, count) _mm512_srli_epi64((a), (count))
#define vi64_sra_small(a, count) _mm512_srai_epi64((a), (count))
VEC_INLINE vi64 vi64_max_small(vi64 a, vi64 b) { return _mm512_max_epi64(a, b); }
VEC_INLINE vi64 vi64_min(vi64 a, vi64 b) { return _mm512_min_epi64(a, b); }

VEC_INLINE vm64 vi64_gt(vi64 a, vi64 b) { return _mm512_cmpgt_epi64_mask(a, b); }
VEC_INLINE vm64 vi64_eq(vi64 a, vi64 b) { return _mm512_cmpeq_epi64_mask(a, b); }
VEC_INLINE vm64 vf64_ge(vf64 a, vf64 b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
VEC_INLINE vm64 vf64_signbit(vf64 a)
{
    return _mm512_cmpgt_epi64_mask(_mm512_setzero_si512(), _mm512_castpd_si512(a));
}
VEC_INLINE vm64 vm64_or(vm64 a, vm64 b) { return (vm64)(a | b); }
VEC_INLINE vm64 vm64_and(vm64 a, vm64 b) { return (vm64)(a & b); }
VEC_INLINE int vm64_any(vm64 m) { return m != 0; }
VEC_INLINE int vm64_all(vm64 m) { return m == 0xff; }
VEC_INLINE vf64 vf64_select(vm64 m, vf64 a, vf64 b) { return _mm512_mask_blend_pd(m, b, a); }
VEC_INLINE vi64 vi64_select(vm64 m, vi64 a, vi64 b) { return _mm512_mask_blend_epi64(m, b, a); }
VEC_INLINE vf64 vf64_negative_or_one(vf64 x, vf64 v)
{
    return _mm512_fixupimm_pd(v, x, _mm512_set1_epi64(FIXUP_ONE_UNLESS_NEGATIVE), 0);
}
VEC_INLINE vf64 vf64_zero_unless(vm64 m, vf64 a) { return _mm512_maskz_mov_pd(m, a); }

VEC_INLINE vf64 vf64_pow2i(vi64 k)
{
    return _mm512_castsi512_pd(_mm512_add_epi64(_mm512_slli_epi64(k, 52), _mm512_set1_epi64((int64_t)1023 << 52)));
}
VEC_INLINE vf64 vf64_ldexp_normal(vf64 a, vi64 k)
{
    return _mm512_castsi512_pd(_mm512_add_epi64(_mm512_castpd_si512(a), _mm512_slli_epi64(k, 52)));
}
/* (int64 -> double needs AVX-512DQ: the exact power of two instead of vscalefpd) */
VEC_INLINE vf64 vf64_scale(vf64 a, vi64 k) { return _mm512_mul_pd(a, vf64_pow2i(k)); }
VEC_INLINE vf64 vf64_scale_floor(vf64 a, vf64 f) { return _mm512_scalef_pd(a, f); }
VEC_INLINE vf64 vf64_xor_sign(vf64 a, vf64 b)
{
    return _mm512_castsi512_pd(_mm512_ternarylogic_epi64(_mm512_castpd_si512(a), _mm512_castpd_si512(b),
                                                         _mm512_set1_epi64(INT64_MIN), 0x78));
}

/* A 16-entry table in two registers, looked up by the low four bits of n
 * (vpermt2pd). */
typedef struct { __m512d low, high; } vtab16_f64;
#define VTAB16_F64(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15)            \
    ((vtab16_f64){_mm512_setr_pd(t0, t1, t2, t3, t4, t5, t6, t7),                                  \
                  _mm512_setr_pd(t8, t9, t10, t11, t12, t13, t14, t15)})
VEC_INLINE vf64 vf64_lookup16(vtab16_f64 table, vi64 n)
{
    return _mm512_permutex2var_pd(table.low, n, table.high);
}

#endif
