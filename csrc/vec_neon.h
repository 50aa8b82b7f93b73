/*
 * The vector layer for aarch64 Advanced SIMD (NEON): 4 float32 / 2 float64 lanes.
 *
 * The same operations as vec_avx2.h (see there for the contract), for the
 * kernels written once over the layer (kernels_vec_f32.h, kernels_vec_f64.h).
 * NEON, double-precision lanes, FMA and the half <-> single conversions are
 * all part of ARMv8-A, so an aarch64 build needs no runtime dispatch.
 *
 * Every float operation is IEEE with rounding to nearest (the FPCR default on
 * Linux and macOS: no flush to zero), so the kernels give the bits of the avx2
 * level; where x86 and NEON semantics differ the functions below follow x86:
 *   vf32_min/max: b where either is NaN (NEON's fmin/fmax would give the NaN);
 *   vf32_ge/vf64_ge: quiet (NEON's fcmge raises "invalid" for a quiet NaN, x86's
 *     _CMP_GE_OQ does not), so they compare the bits as ordered integers;
 *   vf32_recip: a correctly rounded division, as on avx2 (frecpe's 8-bit
 *     estimate would need two Newton steps to meet the layer's bound).
 * Masks are signed integer vectors (lanes all ones or all zeros), the same type
 * as the integer lanes, as on x86, so kernels may mix them with vi32 / vi64.
 */
#ifndef SIGMOIDX_VEC_H
#define SIGMOIDX_VEC_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VEC_LEVEL "neon"
#define VF32_LANES 4
#define VF64_LANES 2
/* 128-bit vectors have half or a quarter of the x86 lanes: more of them in
 * flight per step to fill the out-of-order window */
#define VF32_BLOCKS 8
#define VF64_BLOCKS 8
#define VF32_EXP_TABLE_BITS 3
#define VF64_EXP_TABLE_BITS 2

typedef float32x4_t vf32;
typedef int32x4_t vi32;
typedef int32x4_t vm32;
typedef float64x2_t vf64;
typedef int64x2_t vi64;
typedef int64x2_t vm64;

#define VEC_INLINE static inline __attribute__((always_inline))

/* ---- float32 ---- */
VEC_INLINE vf32 vf32_set(float v) { return vdupq_n_f32(v); }
VEC_INLINE vf32 vf32_zero(void) { return vdupq_n_f32(0.0f); }
VEC_INLINE vf32 vf32_load(const float *p) { return vld1q_f32(p); }
VEC_INLINE void vf32_store(float *p, vf32 v) { vst1q_f32(p, v); }
VEC_INLINE vf32 vf32_load_partial(const float *p, ptrdiff_t n)
{
    float block[VF32_LANES] = {0};
    memcpy(block, p, (size_t)n * sizeof(float));
    return vld1q_f32(block);
}
VEC_INLINE void vf32_store_partial(float *p, vf32 v, ptrdiff_t n)
{
    float block[VF32_LANES];
    vst1q_f32(block, v);
    memcpy(p, block, (size_t)n * sizeof(float));
}

VEC_INLINE vf32 vf32_add(vf32 a, vf32 b) { return vaddq_f32(a, b); }
VEC_INLINE vf32 vf32_sub(vf32 a, vf32 b) { return vsubq_f32(a, b); }
VEC_INLINE vf32 vf32_mul(vf32 a, vf32 b) { return vmulq_f32(a, b); }
VEC_INLINE vf32 vf32_div(vf32 a, vf32 b) { return vdivq_f32(a, b); }
/* x86 minps / maxps: a < b ? a : b and a > b ? a : b (b for NaNs and +-0 pairs) */
VEC_INLINE vf32 vf32_min(vf32 a, vf32 b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
VEC_INLINE vf32 vf32_max(vf32 a, vf32 b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
VEC_INLINE vf32 vf32_recip(vf32 d) { return vdivq_f32(vdupq_n_f32(1.0f), d); }
VEC_INLINE vf32 vf32_neg(vf32 a) { return vnegq_f32(a); }
/* a with its sign flipped where b's sign bit is set */
VEC_INLINE vf32 vf32_xor_sign(vf32 a, vf32 b)
{
    return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a),
                                           vandq_u32(vreinterpretq_u32_f32(b), vdupq_n_u32(0x80000000u))));
}
/* a b + c, c - a b, a b - c, each rounded once (the last: -(c - a b), exact negation) */
VEC_INLINE vf32 vf32_fma(vf32 a, vf32 b, vf32 c) { return vfmaq_f32(c, a, b); }
VEC_INLINE vf32 vf32_fnma(vf32 a, vf32 b, vf32 c) { return vfmsq_f32(c, a, b); }
VEC_INLINE vf32 vf32_fms(vf32 a, vf32 b, vf32 c) { return vnegq_f32(vfmsq_f32(c, a, b)); }

VEC_INLINE vi32 vf32_bits(vf32 a) { return vreinterpretq_s32_f32(a); }
VEC_INLINE vf32 vf32_from_bits(vi32 a) { return vreinterpretq_f32_s32(a); }
VEC_INLINE vi32 vi32_set(int32_t v) { return vdupq_n_s32(v); }
VEC_INLINE vi32 vi32_add(vi32 a, vi32 b) { return vaddq_s32(a, b); }
VEC_INLINE vi32 vi32_sub(vi32 a, vi32 b) { return vsubq_s32(a, b); }
VEC_INLINE vi32 vi32_and(vi32 a, vi32 b) { return vandq_s32(a, b); }
VEC_INLINE vi32 vi32_min(vi32 a, vi32 b) { return vminq_s32(a, b); }
VEC_INLINE vi32 vi32_max(vi32 a, vi32 b) { return vmaxq_s32(a, b); }
/* logical left shift (on the bits; the same as x86's for any value) */
#define vi32_shl(a, count) vreinterpretq_s32_u32(vshlq_n_u32(vreinterpretq_u32_s32(a), (count)))
#define vi32_sra(a, count) vshrq_n_s32((a), (count))

VEC_INLINE vm32 vi32_gt(vi32 a, vi32 b) { return vreinterpretq_s32_u32(vcgtq_s32(a, b)); }
/* a >= b, false for NaN, no flag raised: ordered (fcmeq is quiet for quiet
 * NaNs) and a's bits at or above b's as sign-magnitude integers, or both zero */
VEC_INLINE vm32 vf32_ge(vf32 a, vf32 b)
{
    int32x4_t ia = vreinterpretq_s32_f32(a), ib = vreinterpretq_s32_f32(b);
    /* sign-magnitude to two's complement order: negative lanes flip their magnitude */
    const int32x4_t magnitude = vdupq_n_s32(0x7fffffff);
    int32x4_t ka = veorq_s32(ia, vandq_s32(vshrq_n_s32(ia, 31), magnitude));
    int32x4_t kb = veorq_s32(ib, vandq_s32(vshrq_n_s32(ib, 31), magnitude));
    uint32x4_t ordered = vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b));
    uint32x4_t zeros = vceqzq_s32(vandq_s32(vorrq_s32(ia, ib), magnitude));
    return vreinterpretq_s32_u32(vandq_u32(ordered, vorrq_u32(vcgeq_s32(ka, kb), zeros)));
}
VEC_INLINE vm32 vf32_signbit(vf32 a) { return vshrq_n_s32(vreinterpretq_s32_f32(a), 31); }
VEC_INLINE vm32 vm32_or(vm32 a, vm32 b) { return vorrq_s32(a, b); }
VEC_INLINE vm32 vm32_and(vm32 a, vm32 b) { return vandq_s32(a, b); }
VEC_INLINE int vm32_any(vm32 m) { return vmaxvq_u32(vreinterpretq_u32_s32(m)) != 0; }
VEC_INLINE vf32 vf32_select(vm32 m, vf32 a, vf32 b) { return vbslq_f32(vreinterpretq_u32_s32(m), a, b); }
VEC_INLINE vi32 vi32_select(vm32 m, vi32 a, vi32 b) { return vbslq_s32(vreinterpretq_u32_s32(m), a, b); }
VEC_INLINE vf32 vf32_negative_or_one(vf32 x, vf32 v) { return vf32_select(vf32_signbit(x), v, vdupq_n_f32(1.0f)); }
VEC_INLINE vf32 vf32_zero_unless(vm32 m, vf32 a)
{
    return vreinterpretq_f32_s32(vandq_s32(vreinterpretq_s32_f32(a), m));
}
VEC_INLINE vi32 vi32_zero_unless(vm32 m, vi32 a) { return vandq_s32(a, m); }

VEC_INLINE vf32 vf32_pow2i(vi32 k)
{
    return vf32_from_bits(vaddq_s32(vi32_shl(k, 23), vdupq_n_s32(127 << 23)));
}
VEC_INLINE vf32 vf32_ldexp_normal(vf32 a, vi32 k) { return vf32_from_bits(vaddq_s32(vf32_bits(a), vi32_shl(k, 23))); }
VEC_INLINE vf32 vf32_scale(vf32 a, vi32 k) { return vmulq_f32(a, vf32_pow2i(k)); }

/* An 8-entry table in two registers, looked up by the low three bits of n with
 * a byte shuffle (tbl): entry j is bytes 4j .. 4j + 3. */
typedef float32x4x2_t vtab8_f32;
#define VTAB8_F32(t0, t1, t2, t3, t4, t5, t6, t7) \
    ((vtab8_f32){{{t0, t1, t2, t3}, {t4, t5, t6, t7}}})
VEC_INLINE vf32 vf32_lookup8(vtab8_f32 table, vi32 n)
{
    /* byte index of each lane's entry: 4 (n & 7) + {0, 1, 2, 3} */
    uint32x4_t first = vshlq_n_u32(vandq_u32(vreinterpretq_u32_s32(n), vdupq_n_u32(7)), 2);
    uint8x16_t bytes = vaddq_u8(vreinterpretq_u8_u32(vmulq_n_u32(first, 0x01010101u)),
                                vreinterpretq_u8_u32(vdupq_n_u32(0x03020100u)));
    uint8x16x2_t t = {{vreinterpretq_u8_f32(table.val[0]), vreinterpretq_u8_f32(table.val[1])}};
    return vreinterpretq_f32_u8(vqtbl2q_u8(t, bytes));
}

/* float16 <-> float32: fcvtl (exact) and fcvtn (rounding to nearest even) */
VEC_INLINE vf32 vf32_load_f16(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
VEC_INLINE void vf32_store_f16(uint16_t *p, vf32 v) { vst1_u16(p, vreinterpret_u16_f16(vcvt_f16_f32(v))); }

/* ---- float64 ---- */
VEC_INLINE vf64 vf64_set(double v) { return vdupq_n_f64(v); }
VEC_INLINE vf64 vf64_zero(void) { return vdupq_n_f64(0.0); }
VEC_INLINE vf64 vf64_load(const double *p) { return vld1q_f64(p); }
VEC_INLINE void vf64_store(double *p, vf64 v) { vst1q_f64(p, v); }
VEC_INLINE vf64 vf64_load_partial(const double *p, ptrdiff_t n)
{
    double block[VF64_LANES] = {0};
    memcpy(block, p, (size_t)n * sizeof(double));
    return vld1q_f64(block);
}
VEC_INLINE void vf64_store_partial(double *p, vf64 v, ptrdiff_t n)
{
    double block[VF64_LANES];
    vst1q_f64(block, v);
    memcpy(p, block, (size_t)n * sizeof(double));
}
VEC_INLINE vf64 vf64_load_f32(const float *p) { return vcvt_f64_f32(vld1_f32(p)); }
VEC_INLINE void vf64_store_f32(float *p, vf64 v) { vst1_f32(p, vcvt_f32_f64(v)); }
VEC_INLINE vf64 vf64_load_f32_partial(const float *p, ptrdiff_t n)
{
    float block[VF64_LANES] = {0};
    memcpy(block, p, (size_t)n * sizeof(float));
    return vcvt_f64_f32(vld1_f32(block));
}
VEC_INLINE void vf64_store_f32_partial(float *p, vf64 v, ptrdiff_t n)
{
    float block[VF64_LANES];
    vst1_f32(block, vcvt_f32_f64(v));
    memcpy(p, block, (size_t)n * sizeof(float));
}

VEC_INLINE vf64 vf64_add(vf64 a, vf64 b) { return vaddq_f64(a, b); }
VEC_INLINE vf64 vf64_sub(vf64 a, vf64 b) { return vsubq_f64(a, b); }
VEC_INLINE vf64 vf64_mul(vf64 a, vf64 b) { return vmulq_f64(a, b); }
VEC_INLINE vf64 vf64_div(vf64 a, vf64 b) { return vdivq_f64(a, b); }
VEC_INLINE vf64 vf64_min(vf64 a, vf64 b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
VEC_INLINE vf64 vf64_max(vf64 a, vf64 b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }
VEC_INLINE vf64 vf64_neg(vf64 a) { return vnegq_f64(a); }
VEC_INLINE vf64 vf64_xor_sign(vf64 a, vf64 b)
{
    return vreinterpretq_f64_u64(veorq_u64(vreinterpretq_u64_f64(a),
                                           vandq_u64(vreinterpretq_u64_f64(b), vdupq_n_u64(0x8000000000000000u))));
}
VEC_INLINE vf64 vf64_fma(vf64 a, vf64 b, vf64 c) { return vfmaq_f64(c, a, b); }
VEC_INLINE vf64 vf64_fnma(vf64 a, vf64 b, vf64 c) { return vfmsq_f64(c, a, b); }
VEC_INLINE vf64 vf64_fms(vf64 a, vf64 b, vf64 c) { return vnegq_f64(vfmsq_f64(c, a, b)); }

VEC_INLINE vi64 vf64_bits(vf64 a) { return vreinterpretq_s64_f64(a); }
VEC_INLINE vf64 vf64_from_bits(vi64 a) { return vreinterpretq_f64_s64(a); }
VEC_INLINE vi64 vi64_set(int64_t v) { return vdupq_n_s64(v); }
VEC_INLINE vi64 vi64_add(vi64 a, vi64 b) { return vaddq_s64(a, b); }
VEC_INLINE vi64 vi64_sub(vi64 a, vi64 b) { return vsubq_s64(a, b); }
VEC_INLINE vi64 vi64_and(vi64 a, vi64 b) { return vandq_s64(a, b); }
#define vi64_shl(a, count) vreinterpretq_s64_u64(vshlq_n_u64(vreinterpretq_u64_s64(a), (count)))
#define vi64_shr(a, count) vreinterpretq_s64_u64(vshrq_n_u64(vreinterpretq_u64_s64(a), (count)))
/* NEON has the 64-bit arithmetic shift and compare: right for every value */
#define vi64_sra_small(a, count) vshrq_n_s64((a), (count))
VEC_INLINE vi64 vi64_max_small(vi64 a, vi64 b) { return vbslq_s64(vcgtq_s64(a, b), a, b); }

VEC_INLINE vm64 vi64_gt(vi64 a, vi64 b) { return vreinterpretq_s64_u64(vcgtq_s64(a, b)); }
VEC_INLINE vm64 vi64_eq(vi64 a, vi64 b) { return vreinterpretq_s64_u64(vceqq_s64(a, b)); }
VEC_INLINE vm64 vf64_ge(vf64 a, vf64 b)
{
    int64x2_t ia = vreinterpretq_s64_f64(a), ib = vreinterpretq_s64_f64(b);
    const int64x2_t magnitude = vdupq_n_s64(INT64_MAX);
    int64x2_t ka = veorq_s64(ia, vandq_s64(vshrq_n_s64(ia, 63), magnitude));
    int64x2_t kb = veorq_s64(ib, vandq_s64(vshrq_n_s64(ib, 63), magnitude));
    uint64x2_t ordered = vandq_u64(vceqq_f64(a, a), vceqq_f64(b, b));
    uint64x2_t zeros = vceqzq_s64(vandq_s64(vorrq_s64(ia, ib), magnitude));
    return vreinterpretq_s64_u64(vandq_u64(ordered, vorrq_u64(vcgeq_s64(ka, kb), zeros)));
}
VEC_INLINE vm64 vf64_signbit(vf64 a) { return vshrq_n_s64(vreinterpretq_s64_f64(a), 63); }
VEC_INLINE vm64 vm64_or(vm64 a, vm64 b) { return vorrq_s64(a, b); }
VEC_INLINE vm64 vm64_and(vm64 a, vm64 b) { return vandq_s64(a, b); }
VEC_INLINE int vm64_any(vm64 m) { return vmaxvq_u32(vreinterpretq_u32_s64(m)) != 0; }
VEC_INLINE int vm64_all(vm64 m) { return vminvq_u32(vreinterpretq_u32_s64(m)) == UINT32_MAX; }
VEC_INLINE vf64 vf64_select(vm64 m, vf64 a, vf64 b) { return vbslq_f64(vreinterpretq_u64_s64(m), a, b); }
VEC_INLINE vi64 vi64_select(vm64 m, vi64 a, vi64 b) { return vbslq_s64(vreinterpretq_u64_s64(m), a, b); }
VEC_INLINE vf64 vf64_negative_or_one(vf64 x, vf64 v) { return vf64_select(vf64_signbit(x), v, vdupq_n_f64(1.0)); }
VEC_INLINE vf64 vf64_zero_unless(vm64 m, vf64 a)
{
    return vreinterpretq_f64_s64(vandq_s64(vreinterpretq_s64_f64(a), m));
}
VEC_INLINE vi64 vi64_min(vi64 a, vi64 b) { return vbslq_s64(vcgtq_s64(a, b), b, a); }

VEC_INLINE vf64 vf64_pow2i(vi64 k)
{
    return vf64_from_bits(vaddq_s64(vi64_shl(k, 52), vdupq_n_s64((int64_t)1023 << 52)));
}
VEC_INLINE vf64 vf64_ldexp_normal(vf64 a, vi64 k) { return vf64_from_bits(vaddq_s64(vf64_bits(a), vi64_shl(k, 52))); }
VEC_INLINE vf64 vf64_scale(vf64 a, vi64 k) { return vmulq_f64(a, vf64_pow2i(k)); }

/* A 4-entry table in two registers, looked up by the low two bits of n: entry j
 * is bytes 8j .. 8j + 7 of the pair (tbl). */
typedef float64x2x2_t vtab4_f64;
#define VTAB4_F64(t0, t1, t2, t3) ((vtab4_f64){{{t0, t1}, {t2, t3}}})
VEC_INLINE vf64 vf64_lookup4(vtab4_f64 table, vi64 n)
{
    uint64x2_t first = vshlq_n_u64(vandq_u64(vreinterpretq_u64_s64(n), vdupq_n_u64(3)), 3);
    /* broadcast each lane's first byte index to its 8 bytes, then add 0..7 */
    uint8x16_t spread = vqtbl1q_u8(vreinterpretq_u8_u64(first),
                                   vcombine_u8(vdup_n_u8(0), vdup_n_u8(8)));
    uint8x16_t bytes = vaddq_u8(spread, vreinterpretq_u8_u64(vdupq_n_u64(0x0706050403020100u)));
    uint8x16x2_t t = {{vreinterpretq_u8_f64(table.val[0]), vreinterpretq_u8_f64(table.val[1])}};
    return vreinterpretq_f64_u8(vqtbl2q_u8(t, bytes));
}

#endif
