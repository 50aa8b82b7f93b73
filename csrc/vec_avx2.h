/*
 * The vector layer for AVX2 + FMA + F16C: 8 float32 / 4 float64 lanes.
 *
 * The kernels (kernels_vec_f32.h, kernels_vec_f64.h) are written once against
 * the operations below; vec_avx512.h gives the same operations on 16 / 8
 * lanes, and a NEON header can give them on 4 / 2.  Types are named by element:
 *   vf32, vi32, vm32   float32 lanes, int32 lanes of the same count, and a mask
 *   vf64, vi64, vm64   float64 lanes, int64 lanes, and a mask
 * Here a mask is a vector whose lanes are all ones or all zeros.
 *
 * Every operation gives the same bits on every layer (the float operations
 * are IEEE with rounding to nearest, the integer ones exact), with these
 * stated exceptions kept inside their documented ranges:
 *   vf32_recip(d): an estimate of 1/d, its accuracy per layer;
 *   vf32_min/max(a, b): b where either is NaN (x86 semantics);
 *   vf32_negative_or_one(x, v): v or 1 where x is zero or subnormal;
 *   vi64_sra_small, vi64_max_small: for values that fit in int32.
 */
#ifndef SIGMOIDX_VEC_H
#define SIGMOIDX_VEC_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VEC_LEVEL "avx2"
#define VF32_LANES 8
#define VF64_LANES 4
/* vectors in flight per step of the array loops: their long dependency chains
 * overlap within the out-of-order window */
#define VF32_BLOCKS 4
#define VF64_BLOCKS 4
/* exp's tables of 2^(j/N): 8 float32 and 4 float64 entries, one permute each */
#define VF32_EXP_TABLE_BITS 3
#define VF64_EXP_TABLE_BITS 2

typedef __m256 vf32;
typedef __m256i vi32;
typedef __m256i vm32;
typedef __m256d vf64;
typedef __m256i vi64;
typedef __m256i vm64;

#define VEC_INLINE static inline __attribute__((always_inline))

/* ---- float32 ---- */
VEC_INLINE vf32 vf32_set(float v) { return _mm256_set1_ps(v); }
VEC_INLINE vf32 vf32_zero(void) { return _mm256_setzero_ps(); }
VEC_INLINE vf32 vf32_load(const float *p) { return _mm256_loadu_ps(p); }
VEC_INLINE void vf32_store(float *p, vf32 v) { _mm256_storeu_ps(p, v); }
/* the first n (1..VF32_LANES) elements, zeros after; nothing read past p + n */
VEC_INLINE vf32 vf32_load_partial(const float *p, ptrdiff_t n)
{
    float block[VF32_LANES] = {0};
    memcpy(block, p, (size_t)n * sizeof(float));
    return _mm256_loadu_ps(block);
}
/* the first n (1..VF32_LANES) lanes; nothing written past p + n */
VEC_INLINE void vf32_store_partial(float *p, vf32 v, ptrdiff_t n)
{
    float block[VF32_LANES];
    _mm256_storeu_ps(block, v);
    memcpy(p, block, (size_t)n * sizeof(float));
}

VEC_INLINE vf32 vf32_add(vf32 a, vf32 b) { return _mm256_add_ps(a, b); }
VEC_INLINE vf32 vf32_sub(vf32 a, vf32 b) { return _mm256_sub_ps(a, b); }
VEC_INLINE vf32 vf32_mul(vf32 a, vf32 b) { return _mm256_mul_ps(a, b); }
VEC_INLINE vf32 vf32_div(vf32 a, vf32 b) { return _mm256_div_ps(a, b); }
VEC_INLINE vf32 vf32_min(vf32 a, vf32 b) { return _mm256_min_ps(a, b); }
VEC_INLINE vf32 vf32_max(vf32 a, vf32 b) { return _mm256_max_ps(a, b); }
/* 1/d for d in [1, 8], the reciprocal the quotients of the kernels start from
 * (they correct the quotient once with its residual, which leaves the square
 * of its relative error): here correctly rounded (vdivps), so that avx2 keeps
 * the bits of a division; vec_avx512.h gives vrcp14ps, within 2^-14. */
VEC_INLINE vf32 vf32_recip(vf32 d) { return _mm256_div_ps(_mm256_set1_ps(1.0f), d); }
VEC_INLINE vf32 vf32_neg(vf32 a) { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
/* a with its sign flipped where b's sign bit is set */
VEC_INLINE vf32 vf32_xor_sign(vf32 a, vf32 b) { return _mm256_xor_ps(a, _mm256_and_ps(b, _mm256_set1_ps(-0.0f))); }
/* a b + c, c - a b, a b - c, each rounded once */
VEC_INLINE vf32 vf32_fma(vf32 a, vf32 b, vf32 c) { return _mm256_fmadd_ps(a, b, c); }
VEC_INLINE vf32 vf32_fnma(vf32 a, vf32 b, vf32 c) { return _mm256_fnmadd_ps(a, b, c); }
VEC_INLINE vf32 vf32_fms(vf32 a, vf32 b, vf32 c) { return _mm256_fmsub_ps(a, b, c); }

VEC_INLINE vi32 vf32_bits(vf32 a) { return _mm256_castps_si256(a); }
VEC_INLINE vf32 vf32_from_bits(vi32 a) { return _mm256_castsi256_ps(a); }
VEC_INLINE vi32 vi32_set(int32_t v) { return _mm256_set1_epi32(v); }
VEC_INLINE vi32 vi32_add(vi32 a, vi32 b) { return _mm256_add_epi32(a, b); }
VEC_INLINE vi32 vi32_sub(vi32 a, vi32 b) { return _mm256_sub_epi32(a, b); }
VEC_INLINE vi32 vi32_and(vi32 a, vi32 b) { return _mm256_and_si256(a, b); }
VEC_INLINE vi32 vi32_min(vi32 a, vi32 b) { return _mm256_min_epi32(a, b); }
VEC_INLINE vi32 vi32_max(vi32 a, vi32 b) { return _mm256_max_epi32(a, b); }
#define vi32_shl(a, count) _mm256_slli_epi32((a), (count))
#define vi32_sra(a, count) _mm256_srai_epi32((a), (count))

/* masks: comparisons, selection (m ? a : b) */
VEC_INLINE vm32 vi32_gt(vi32 a, vi32 b) { return _mm256_cmpgt_epi32(a, b); }
/* a >= b, false for NaN, raises no flag for quiet NaNs */
VEC_INLINE vm32 vf32_ge(vf32 a, vf32 b) { return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_GE_OQ)); }
/* the sign bit of a is set (negative numbers, -0, NaNs with the sign) */
VEC_INLINE vm32 vf32_signbit(vf32 a) { return _mm256_srai_epi32(_mm256_castps_si256(a), 31); }
VEC_INLINE vm32 vm32_or(vm32 a, vm32 b) { return _mm256_or_si256(a, b); }
VEC_INLINE vm32 vm32_and(vm32 a, vm32 b) { return _mm256_and_si256(a, b); }
VEC_INLINE int vm32_any(vm32 m) { return !_mm256_testz_si256(m, m); }
VEC_INLINE vf32 vf32_select(vm32 m, vf32 a, vf32 b)
{
    return _mm256_blendv_ps(b, a, _mm256_castsi256_ps(m));
}
VEC_INLINE vi32 vi32_select(vm32 m, vi32 a, vi32 b) { return _mm256_blendv_epi8(b, a, m); }
/* x < 0 ? v : 1 for x not NaN; where |x| < 2^-126 (zeros, subnormals) v or
 * 1, layer by layer: callers pass v = 1 there.  Here by x's sign bit. */
VEC_INLINE vf32 vf32_negative_or_one(vf32 x, vf32 v) { return _mm256_blendv_ps(_mm256_set1_ps(1.0f), v, x); }
/* m ? a : 0 */
VEC_INLINE vf32 vf32_zero_unless(vm32 m, vf32 a) { return _mm256_and_ps(a, _mm256_castsi256_ps(m)); }
VEC_INLINE vi32 vi32_zero_unless(vm32 m, vi32 a) { return _mm256_and_si256(a, m); }

/* 2^k for integer k in [-126, 127] */
VEC_INLINE vf32 vf32_pow2i(vi32 k)
{
    /* (k << 23) + (127 << 23): the shift is shared with vf32_ldexp_normal(a, k) */
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_slli_epi32(k, 23), _mm256_set1_epi32(127 << 23)));
}
/* a 2^k for a normal a and integer k where a 2^k is normal: k added to the exponent field */
VEC_INLINE vf32 vf32_ldexp_normal(vf32 a, vi32 k)
{
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(a), _mm256_slli_epi32(k, 23)));
}
/* a 2^k for integer k in [-126, 127], rounded once */
VEC_INLINE vf32 vf32_scale(vf32 a, vi32 k) { return _mm256_mul_ps(a, vf32_pow2i(k)); }

/* An 8-entry table in registers, looked up by the low three bits of n
 * (vpermps: no memory gather). */
typedef vf32 vtab8_f32;
#define VTAB8_F32(t0, t1, t2, t3, t4, t5, t6, t7) _mm256_setr_ps(t0, t1, t2, t3, t4, t5, t6, t7)
VEC_INLINE vf32 vf32_lookup8(vtab8_f32 table, vi32 n) { return _mm256_permutevar8x32_ps(table, n); }

/* float16 <-> float32 (exact widening; rounding to nearest even) */
VEC_INLINE vf32 vf32_load_f16(const uint16_t *p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}
VEC_INLINE void vf32_store_f16(uint16_t *p, vf32 v)
{
    _mm_storeu_si128((__m128i *)p, _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}

/* ---- float64 ---- */
VEC_INLINE vf64 vf64_set(double v) { return _mm256_set1_pd(v); }
VEC_INLINE vf64 vf64_zero(void) { return _mm256_setzero_pd(); }
VEC_INLINE vf64 vf64_load(const double *p) { return _mm256_loadu_pd(p); }
VEC_INLINE void vf64_store(double *p, vf64 v) { _mm256_storeu_pd(p, v); }
VEC_INLINE vf64 vf64_load_partial(const double *p, ptrdiff_t n)
{
    double block[VF64_LANES] = {0};
    memcpy(block, p, (size_t)n * sizeof(double));
    return _mm256_loadu_pd(block);
}
VEC_INLINE void vf64_store_partial(double *p, vf64 v, ptrdiff_t n)
{
    double block[VF64_LANES];
    _mm256_storeu_pd(block, v);
    memcpy(p, block, (size_t)n * sizeof(double));
}
/* VF64_LANES float32 elements widened (exact), and rounded back */
VEC_INLINE vf64 vf64_load_f32(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
VEC_INLINE void vf64_store_f32(float *p, vf64 v) { _mm_storeu_ps(p, _mm256_cvtpd_ps(v)); }
VEC_INLINE vf64 vf64_load_f32_partial(const float *p, ptrdiff_t n)
{
    float block[VF64_LANES] = {0};
    memcpy(block, p, (size_t)n * sizeof(float));
    return _mm256_cvtps_pd(_mm_loadu_ps(block));
}
VEC_INLINE void vf64_store_f32_partial(float *p, vf64 v, ptrdiff_t n)
{
    float block[VF64_LANES];
    _mm_storeu_ps(block, _mm256_cvtpd_ps(v));
    memcpy(p, block, (size_t)n * sizeof(float));
}

VEC_INLINE vf64 vf64_add(vf64 a, vf64 b) { return _mm256_add_pd(a, b); }
VEC_INLINE vf64 vf64_sub(vf64 a, vf64 b) { return _mm256_sub_pd(a, b); }
VEC_INLINE vf64 vf64_mul(vf64 a, vf64 b) { return _mm256_mul_pd(a, b); }
VEC_INLINE vf64 vf64_div(vf64 a, vf64 b) { return _mm256_div_pd(a, b); }
VEC_INLINE vf64 vf64_min(vf64 a, vf64 b) { return _mm256_min_pd(a, b); }
VEC_INLINE vf64 vf64_max(vf64 a, vf64 b) { return _mm256_max_pd(a, b); }
VEC_INLINE vf64 vf64_neg(vf64 a) { return _mm256_xor_pd(a, _mm256_set1_pd(-0.0)); }
VEC_INLINE vf64 vf64_xor_sign(vf64 a, vf64 b) { return _mm256_xor_pd(a, _mm256_and_pd(b, _mm256_set1_pd(-0.0))); }
VEC_INLINE vf64 vf64_fma(vf64 a, vf64 b, vf64 c) { return _mm256_fmadd_pd(a, b, c); }
VEC_INLINE vf64 vf64_fnma(vf64 a, vf64 b, vf64 c) { return _mm256_fnmadd_pd(a, b, c); }
VEC_INLINE vf64 vf64_fms(vf64 a, vf64 b, vf64 c) { return _mm256_fmsub_pd(a, b, c); }

VEC_INLINE vi64 vf64_bits(vf64 a) { return _mm256_castpd_si256(a); }
VEC_INLINE vf64 vf64_from_bits(vi64 a) { return _mm256_castsi256_pd(a); }
VEC_INLINE vi64 vi64_set(int64_t v) { return _mm256_set1_epi64x(v); }
VEC_INLINE vi64 vi64_add(vi64 a, vi64 b) { return _mm256_add_epi64(a, b); }
VEC_INLINE vi64 vi64_sub(vi64 a, vi64 b) { return _mm256_sub_epi64(a, b); }
VEC_INLINE vi64 vi64_and(vi64 a, vi64 b) { return _mm256_and_si256(a, b); }
#define vi64_shl(a, count) _mm256_slli_epi64((a), (count))
#define vi64_shr(a, count) _mm256_srli_epi64((a), (count))
/* a >> count (arithmetic) for a in int32 range: AVX2 has no 64-bit arithmetic
 * shift, but the upper half of such a lane is all sign, so the 32-bit one
 * shifts the 64-bit value */
#define vi64_sra_small(a, count) _mm256_srai_epi32((a), (count))
/* max(a, b) for a, b in int32 range: the 32-bit max is right on such lanes */
VEC_INLINE vi64 vi64_max_small(vi64 a, vi64 b) { return _mm256_max_epi32(a, b); }

VEC_INLINE vm64 vi64_gt(vi64 a, vi64 b) { return _mm256_cmpgt_epi64(a, b); }
VEC_INLINE vm64 vi64_eq(vi64 a, vi64 b) { return _mm256_cmpeq_epi64(a, b); }
VEC_INLINE vm64 vf64_ge(vf64 a, vf64 b) { return _mm256_castpd_si256(_mm256_cmp_pd(a, b, _CMP_GE_OQ)); }
VEC_INLINE vm64 vf64_signbit(vf64 a)
{
    return _mm256_cmpgt_epi64(_mm256_setzero_si256(), _mm256_castpd_si256(a));
}
VEC_INLINE vm64 vm64_or(vm64 a, vm64 b) { return _mm256_or_si256(a, b); }
VEC_INLINE vm64 vm64_and(vm64 a, vm64 b) { return _mm256_and_si256(a, b); }
VEC_INLINE int vm64_any(vm64 m) { return !_mm256_testz_si256(m, m); }
VEC_INLINE int vm64_all(vm64 m) { return _mm256_testc_si256(m, _mm256_set1_epi64x(-1)); }
VEC_INLINE vf64 vf64_select(vm64 m, vf64 a, vf64 b)
{
    return _mm256_blendv_pd(b, a, _mm256_castsi256_pd(m));
}
/* x < 0 ? v : 1, as vf32_negative_or_one (|x| < 2^-1022: v or 1) */
VEC_INLINE vf64 vf64_negative_or_one(vf64 x, vf64 v) { return _mm256_blendv_pd(_mm256_set1_pd(1.0), v, x); }
VEC_INLINE vi64 vi64_select(vm64 m, vi64 a, vi64 b) { return _mm256_blendv_epi8(b, a, m); }
VEC_INLINE vf64 vf64_zero_unless(vm64 m, vf64 a) { return _mm256_and_pd(a, _mm256_castsi256_pd(m)); }
/* min(a, b) for any int64 */
VEC_INLINE vi64 vi64_min(vi64 a, vi64 b) { return _mm256_blendv_epi8(a, b, _mm256_cmpgt_epi64(a, b)); }

/* 2^k for integer k in [-1022, 1023] */
VEC_INLINE vf64 vf64_pow2i(vi64 k)
{
    return _mm256_castsi256_pd(_mm256_add_epi64(_mm256_slli_epi64(k, 52), _mm256_set1_epi64x((int64_t)1023 << 52)));
}
VEC_INLINE vf64 vf64_ldexp_normal(vf64 a, vi64 k)
{
    return _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(a), _mm256_slli_epi64(k, 52)));
}
VEC_INLINE vf64 vf64_scale(vf64 a, vi64 k) { return _mm256_mul_pd(a, vf64_pow2i(k)); }

/* A 4-entry table looked up by the low two bits of n: the float permute moves
 * the two halves of double j, as float indices 2j, 2j + 1 */
typedef vf64 vtab4_f64;
#define VTAB4_F64(t0, t1, t2, t3) _mm256_setr_pd(t0, t1, t2, t3)
VEC_INLINE vf64 vf64_lookup4(vtab4_f64 table, vi64 n)
{
    __m256i twice_j = _mm256_and_si256(_mm256_slli_epi64(n, 1), _mm256_set1_epi64x(6));
    __m256i index = _mm256_add_epi32(_mm256_shuffle_epi32(twice_j, 0xa0),
                                     _mm256_set1_epi64x((int64_t)1 << 32));
    return _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(table), index));
}

#endif
