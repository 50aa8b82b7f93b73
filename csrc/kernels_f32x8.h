/*
 * float32 sigma, sigma' and log_sigmoid eight at a time in float32, for the
 * AVX2 and AVX-512 levels (both compile this same code, so they agree bit
 * for bit).
 *
 * The baseline evaluates float32 in float64, two or four lanes per register;
 * this stays in float32, eight lanes, and keeps <= 1 ULP by carrying
 * exp(-|x|) and 1 + exp(-|x|) as unevaluated sums hi + lo and correcting the
 * quotient once with its fused residual (0.7761 ULP max over all 2^32
 * inputs, benchmarks/accuracy.py).  Not bit-identical to the baseline's results.
 *
 * exp(-|x|) = 2^k (m_hi + m_lo), k in [-150, 0].  The quotient is formed with
 * e = (m_hi + m_lo) 2^kc, kc = max(k, -100), which keeps e_lo a normal number,
 * and scaled by 2^(k - kc) at the end.  A subnormal result is thus rounded
 * twice, first to 24 bits, which for a result below 2^-126 is at most a
 * quarter of its last place, then to the subnormal: within 0.75 ULP plus
 * the small error of exp and the quotient (measured 0.7761).
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kernels_vector_loops.h"

#define HAVE_F32X8_KERNELS 1

typedef struct { __m256 hi, lo; __m256i k; } exp_split_x8;

static inline __m256 f32x8(float v) { return _mm256_set1_ps(v); }

/* the bits of |x|: non-negative floats order like these integers, NaN above inf */
static inline __m256i abs_bits_x8(__m256 x)
{
    return _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7fffffff));
}

/* 2^k for integer k in [-126, 127] */
static inline __m256 pow2_x8(__m256i k)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}

/* 2^(j/8), j = 0..7, as float hi + lo (|lo| < 2^-24 hi) */
static inline __m256 exp2_eighths_hi(void)
{
    return _mm256_setr_ps(0x1p+0f, 0x1.172b84p+0f, 0x1.306fep+0f, 0x1.4bfdaep+0f,
                          0x1.6a09e6p+0f, 0x1.8ace54p+0f, 0x1.ae89fap+0f, 0x1.d5818ep+0f);
}

static inline __m256 exp2_eighths_lo(void)
{
    return _mm256_setr_ps(0.0f, -0x1.c15742p-27f, 0x1.4636e2p-25f, -0x1.593abcp-25f,
                          0x1.9fcef4p-26f, 0x1.15506ep-27f, -0x1.a94b14p-26f, -0x1.822dbcp-27f);
}

/* exp(-ax) for ax in [0, 104]: 2^k (hi + lo), hi in [0.91, 1.92], relative
 * error of hi + lo below 2^-27.8 (measured 2^-27.86): the roundings of the
 * reduced argument and of exp(r) - 1, each at most half an ULP of a number
 * below 2^-4, are left in (at most 0.07 ULP of the result); only the
 * rounding of hi is carried in lo.  Carrying those two as well took 15-20%
 * more time for 0.024 ULP less (0.7521 instead of 0.7761).
 *
 * -ax = (8k + j) ln2/8 + r, |r| <= ln2/16: exp(-ax) = 2^k 2^(j/8) exp(r), the
 * eighths from a register table (vpermps: no memory gather), exp(r) - 1 =
 * r + r^2 P(r) with P the Taylor series to r^3 (truncation < 2^-36).  The
 * steps carry v = -r and u_neg = -(exp(r) - 1), which saves negating ax
 * (rounding to nearest is symmetric: the values are exactly the negatives). */
static inline exp_split_x8 exp_neg_x8(__m256 ax)
{
    const __m256 magic = f32x8(0x1.8p23f);
    __m256 shifted = _mm256_fnmadd_ps(ax, f32x8(0x1.715476p+3f), magic);
    __m256 nf = _mm256_sub_ps(shifted, magic);
    __m256i n = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(magic));
    /* v = ax + n ln2/8: n*LN2_8_HI and v_hi exact (12-bit constant, |n| < 2^11) */
    __m256 v_hi = _mm256_fmadd_ps(nf, f32x8(0x1.62ep-4f), ax);
    __m256 v = _mm256_fmadd_ps(nf, f32x8(0x1.0bfbe8p-18f), v_hi);
    __m256 v2 = _mm256_mul_ps(v, v);
    __m256 p = _mm256_fmadd_ps(v2, _mm256_fnmadd_ps(v, f32x8(1.0f / 120), f32x8(1.0f / 24)),
                               _mm256_fnmadd_ps(v, f32x8(1.0f / 6), f32x8(0.5f)));
    __m256 u_neg = _mm256_fnmadd_ps(v2, p, v);
    /* 2^(j/8) (1 + u): the vpermps index uses the low three bits of n */
    __m256 t_hi = _mm256_permutevar8x32_ps(exp2_eighths_hi(), n);
    __m256 t_lo = _mm256_permutevar8x32_ps(exp2_eighths_lo(), n);
    exp_split_x8 e;
    e.hi = _mm256_fnmadd_ps(t_hi, u_neg, t_hi);
    __m256 rounding = _mm256_fnmadd_ps(t_hi, u_neg, _mm256_sub_ps(t_hi, e.hi));  /* Sterbenz */
    e.lo = _mm256_add_ps(rounding, _mm256_fnmadd_ps(t_lo, u_neg, t_lo));
    e.k = _mm256_srai_epi32(n, 3);
    return e;
}

/* What the functions share: e = exp(-|x|) 2^-j = e_hi + e_lo and
 * s = 1 + e = s_hi + s_lo (to within what float32 can hold). */
typedef struct { __m256 x, e_hi, e_lo, s_hi, s_lo; __m256i j; int moderate; } shared_x8;

/* |x| <= 64 everywhere in a block (moderate, a compile-time constant after
 * inlining): e >= 2^-93 needs no rescaling and x is not NaN, so the steps
 * for subnormal results and NaN, which would not change the bits, are left
 * out. */
static inline __m256i immoderate_x8(__m256 x)
{
    return _mm256_cmpgt_epi32(abs_bits_x8(x), _mm256_set1_epi32(0x42800000));
}

static inline shared_x8 shared_parts_x8(__m256 x, int moderate)
{
    const __m256 one = f32x8(1.0f);
    __m256i abs_bits = abs_bits_x8(x);
    /* |x| clamped to 104 in integer compares (NaN included: no FP flag);
     * exp(-104) < 2^-150, so nothing changes beyond */
    if (!moderate)
        abs_bits = _mm256_min_epi32(abs_bits, _mm256_set1_epi32(0x42d00000));
    exp_split_x8 m = exp_neg_x8(_mm256_castsi256_ps(abs_bits));

    shared_x8 p;
    __m256i kc = moderate ? m.k : _mm256_max_epi32(m.k, _mm256_set1_epi32(-100));
    /* hi 2^kc is normal: adding kc to the exponent field is the product */
    __m256i kc_field = _mm256_slli_epi32(kc, 23);
    p.x = x;
    p.moderate = moderate;
    p.j = _mm256_sub_epi32(m.k, kc);
    p.e_hi = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(m.hi), kc_field));
    p.e_lo = _mm256_mul_ps(m.lo, _mm256_castsi256_ps(_mm256_add_epi32(kc_field, _mm256_set1_epi32(127 << 23))));
    p.s_hi = _mm256_add_ps(one, p.e_hi);                    /* Fast2Sum, e <= 1 */
    p.s_lo = _mm256_add_ps(_mm256_add_ps(_mm256_sub_ps(one, p.s_hi), p.e_hi), p.e_lo);
    return p;
}

/* (n_hi + n_lo) / (d_hi + d_lo) 2^j: one division, corrected once by the
 * fused residual; a NaN x is put back (adding a quiet NaN raises nothing). */
static inline __m256 finish_x8(__m256 n_hi, __m256 n_lo, __m256 d_hi, __m256 d_lo, __m256i j,
                               shared_x8 p)
{
    __m256 inv = _mm256_div_ps(f32x8(1.0f), d_hi);
    __m256 q = _mm256_mul_ps(n_hi, inv);
    __m256 residual = _mm256_add_ps(_mm256_fnmadd_ps(q, d_hi, n_hi), _mm256_fnmadd_ps(q, d_lo, n_lo));
    if (p.moderate)
        return _mm256_fmadd_ps(residual, inv, q);
    __m256 x = p.x;
    __m256 y = _mm256_mul_ps(_mm256_fmadd_ps(residual, inv, q), pow2_x8(j));
    __m256i abs_bits = abs_bits_x8(x);
    __m256i is_nan = _mm256_cmpgt_epi32(abs_bits, _mm256_set1_epi32(0x7f800000));
    return _mm256_add_ps(y, _mm256_and_ps(x, _mm256_castsi256_ps(is_nan)));
}

/* sigma = (x < 0 ? e : 1) / (1 + e) */
static inline __m256 sigmoid_from_x8(shared_x8 p)
{
    __m256i negative = _mm256_srai_epi32(_mm256_castps_si256(p.x), 31);
    __m256 n_hi = _mm256_blendv_ps(f32x8(1.0f), p.e_hi, _mm256_castsi256_ps(negative));
    __m256 n_lo = _mm256_and_ps(p.e_lo, _mm256_castsi256_ps(negative));
    return finish_x8(n_hi, n_lo, p.s_hi, p.s_lo, _mm256_and_si256(p.j, negative), p);
}

/* sigma' = e / (1 + e)^2, (1 + e)^2 exact as d_hi + d_lo */
static inline __m256 sigmoid_grad_from_x8(shared_x8 p)
{
    __m256 d_hi = _mm256_mul_ps(p.s_hi, p.s_hi);
    __m256 d_lo = _mm256_add_ps(_mm256_fmsub_ps(p.s_hi, p.s_hi, d_hi),
                                _mm256_mul_ps(_mm256_add_ps(p.s_hi, p.s_hi), p.s_lo));
    return finish_x8(p.e_hi, p.e_lo, d_hi, d_lo, p.j, p);
}

/* log_sigmoid = min(x, 0) - log1p(e), the steps of log_sigmoid_from_x4 in
 * float32: 1 + e = 2^k1 (1 + f), k1 in {0, 1}; log1p(f) = 2 atanh(z),
 * z = s/(c + s), s = e - k1, c = 2^(k1 + 1), as z + z_lo, |z| <= 0.172, with
 * the series to w^4/11 (the terms left out are below 2^-34 of log1p(f)); and
 * log1p(e) = b + l_lo.  min(x, 0) and -log1p(e) have the same sign: the
 * error is that of exp (2^-27.8 relative) and of the small terms rounded in
 * float, then one rounding.  Where j < 0, e < 2^-100: for x >= 0 the result
 * is rounded once at the scale of e and once more to 2^j times it (as
 * sigma's), for x < -64 it is x. */
static inline __m256 log_sigmoid_from_x8(shared_x8 p)
{
    __m256 k1 = _mm256_cmp_ps(p.e_hi, f32x8(0x1.a8279ap-2f), _CMP_GE_OQ);   /* sqrt2 - 1 */
    __m256 a = _mm256_and_ps(k1, f32x8(-1.0f));
    __m256 c = _mm256_blendv_ps(f32x8(2.0f), f32x8(4.0f), k1);
    __m256 s_hi = _mm256_add_ps(a, p.e_hi);                  /* Fast2Sum: |a| >= e or a = 0 */
    __m256 s_lo = _mm256_add_ps(_mm256_sub_ps(p.e_hi, _mm256_sub_ps(s_hi, a)), p.e_lo);

    /* z + z_lo = s/(c + s): one division, corrected by the fused residual */
    __m256 d_hi = _mm256_add_ps(c, s_hi);                    /* Fast2Sum: c > |s| */
    __m256 d_lo = _mm256_add_ps(_mm256_add_ps(_mm256_sub_ps(c, d_hi), s_hi), s_lo);
    __m256 inv = _mm256_div_ps(f32x8(1.0f), d_hi);
    __m256 z = _mm256_mul_ps(s_hi, inv);
    __m256 residual = _mm256_add_ps(_mm256_fnmadd_ps(z, d_hi, s_hi), _mm256_fnmadd_ps(z, d_lo, s_lo));
    __m256 z_lo = _mm256_mul_ps(residual, inv);

    /* log1p(e) 2^-j = k1 ln2 + 2z + (2z_lo + 2z w Q(w)) = b + l_lo, ln2 as
     * float hi + lo, Q(w) = sum w^n/(2n + 3), n = 0..4 */
    __m256 w = _mm256_mul_ps(z, z), w2 = _mm256_mul_ps(w, w);
    __m256 q = _mm256_fmadd_ps(w2, _mm256_fmadd_ps(w2, f32x8(1.0f / 11), _mm256_fmadd_ps(w, f32x8(1.0f / 9), f32x8(1.0f / 7))),
                               _mm256_fmadd_ps(w, f32x8(1.0f / 5), f32x8(1.0f / 3)));
    __m256 z2 = _mm256_add_ps(z, z);
    __m256 tail = _mm256_fmadd_ps(_mm256_mul_ps(z2, w), q, _mm256_add_ps(z_lo, z_lo));
    __m256 k_hi = _mm256_and_ps(k1, f32x8(0x1.62e430p-1f));
    __m256 b = _mm256_add_ps(k_hi, z2);                       /* Fast2Sum: ln2 > 0.344 >= |2z| */
    __m256 l_lo = _mm256_add_ps(_mm256_add_ps(_mm256_sub_ps(k_hi, b), z2),
                                _mm256_add_ps(_mm256_and_ps(k1, f32x8(-0x1.05c610p-29f)), tail));

    /* min(x, 0) - (b + l_lo): the two leading terms have the same sign, so
     * Fast2Sum with the larger in magnitude first; x clamped to -2^30 (not
     * moderate), below that, and for -inf and negative NaNs, x itself */
    __m256 negative = _mm256_castsi256_ps(_mm256_srai_epi32(_mm256_castps_si256(p.x), 31));
    __m256 big = _mm256_castsi256_ps(_mm256_cmpgt_epi32(abs_bits_x8(p.x), _mm256_set1_epi32(0x4e800000)));
    __m256 m = _mm256_and_ps(p.moderate ? p.x : _mm256_blendv_ps(p.x, f32x8(-0x1p30f), big), negative);
    __m256 minus_b = _mm256_xor_ps(b, f32x8(-0.0f));
    __m256 larger = _mm256_min_ps(m, minus_b), smaller = _mm256_max_ps(m, minus_b);
    __m256 sum = _mm256_add_ps(larger, smaller);
    __m256 sum_err = _mm256_sub_ps(smaller, _mm256_sub_ps(sum, larger));
    __m256 r = _mm256_add_ps(sum, _mm256_sub_ps(sum_err, l_lo));
    if (p.moderate)
        return r;
    /* 2^j where x >= 0; + 0 turns an underflow to -0 into 0, as the
     * baseline gives */
    r = _mm256_mul_ps(r, _mm256_blendv_ps(pow2_x8(p.j), f32x8(1.0f), negative));
    r = _mm256_add_ps(r, _mm256_setzero_ps());
    r = _mm256_blendv_ps(r, p.x, _mm256_and_ps(big, negative));
    __m256i is_nan = _mm256_cmpgt_epi32(abs_bits_x8(p.x), _mm256_set1_epi32(0x7f800000));
    return _mm256_add_ps(r, _mm256_and_ps(p.x, _mm256_castsi256_ps(is_nan)));
}

DEFINE_VECTOR_ARRAY(x8, float, __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps)

static void sigmoid_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    x8_array((const float *)in, (float *)out, NULL, n, sigmoid_from_x8, NULL);
}

static void sigmoid_grad_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    x8_array((const float *)in, (float *)out, NULL, n, sigmoid_grad_from_x8, NULL);
}

static void sigmoid_and_grad_f32_kernel(const void *in, void *out1, void *out2, ptrdiff_t n)
{
    x8_array((const float *)in, (float *)out1, (float *)out2, n, sigmoid_from_x8, sigmoid_grad_from_x8);
}

static void log_sigmoid_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    x8_array((const float *)in, (float *)out, NULL, n, log_sigmoid_from_x8, NULL);
}
