/*
 * float64 sigmoid, sigmoid_grad, sigmoid_and_grad, log_sigmoid and logit four
 * at a time (and float32 logit, evaluated in float64), for the AVX2 and
 * AVX-512 levels (both compile this same code, so they agree bit for bit);
 * and at the end float64 sigmoid_backward, which gives the baseline's bits.
 *
 * The baseline evaluates sigmoid_math.h's scalar functions; this is the same
 * formulation with an exp that is cheaper in vector registers: a four-entry
 * table of 2^(j/4) held in a register (vpermps, no memory gather) leaves a
 * degree-10 polynomial on |r| <= ln2/8 instead of degree 15 on ln2/2, every
 * multiply-add is fused, and of the roundings inside exp only the last is
 * carried (see exp_neg_x4).  Results are within 1 ULP of the true value
 * (benchmarks/accuracy.py) and may differ from the baseline's in the last bit.
 *
 * exp(-|x|) = 2^k (m_hi + m_lo), k in [-1077, 0], is formed with
 * kc = max(k, -1000), which keeps m_hi 2^kc normal (m_lo 2^kc, below 2^-1050,
 * may be subnormal: 2^-74 relative to the result at worst), and the result is
 * scaled by 2^(k - kc) at the end: a subnormal result is rounded twice, first
 * to 53 bits, which for a result below 2^-1022 is at most a quarter of its
 * last place, then to the subnormal: within 0.75 ULP plus the small error of
 * exp and the quotient (measured 0.7917).
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kernels_vector_loops.h"
#include "sigmoid_math.h"

#define HAVE_F64X4_KERNELS 1

typedef struct { __m256d hi, lo; __m256i k; } exp_split_x4;

static inline __m256d f64x4(double v) { return _mm256_set1_pd(v); }

/* 2^k for integer k in [-1022, 1023] in each 64-bit lane */
static inline __m256d pow2_x4(__m256i k)
{
    return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(k, _mm256_set1_epi64x(1023)), 52));
}

/* the bits of |x|: non-negative doubles order like these integers, NaN above inf */
static inline __m256i abs_bits_x4(__m256d x)
{
    return _mm256_and_si256(_mm256_castpd_si256(x), _mm256_set1_epi64x(INT64_MAX));
}

/* all ones where x is NaN, by the bits (an FP compare would raise "invalid") */
static inline __m256i nan_mask_x4(__m256d x)
{
    return _mm256_cmpgt_epi64(abs_bits_x4(x), _mm256_set1_epi64x(0x7ff0000000000000));
}

/* table[j] for j = n mod 4, a 4-entry double table held in one register: the
 * float permute moves the two halves of double j, as float indices 2j, 2j+1 */
static inline __m256d lookup4_x4(__m256d table, __m256i n)
{
    __m256i twice_j = _mm256_and_si256(_mm256_slli_epi64(n, 1), _mm256_set1_epi64x(6));
    __m256i index = _mm256_add_epi32(_mm256_shuffle_epi32(twice_j, 0xa0),
                                     _mm256_set1_epi64x((int64_t)1 << 32));
    return _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(table), index));
}

/* exp(-ax) for ax in [0, 746]: 2^k (hi + lo), hi in [0.91, 1.84], relative
 * error of hi + lo below 2^-55.8 (measured 2^-55.87): the roundings of the
 * reduced argument and of exp(r) - 1, each at most half an ULP of a number
 * below 2^-3, are left in (at most 0.14 ULP of the result); only the
 * rounding of hi is carried in lo.  Carrying those two as well took 5-15%
 * more time for 0.75 instead of 0.79 ULP at worst (subnormal results), 0.51
 * instead of 0.62 on normal ones.
 *
 * -ax = (4k + j) ln2/4 + r, |r| <= ln2/8: exp(-ax) = 2^k 2^(j/4) exp(r), with
 * exp(r) - 1 = r + r^2 P(r), P the Taylor series to r^8 (truncation
 * < 2^-64), by Estrin's scheme.  The steps carry v = -r and u_neg =
 * -(exp(r) - 1), which saves negating ax (rounding to nearest is symmetric:
 * the values are exactly the negatives). */
static inline exp_split_x4 exp_neg_x4(__m256d ax)
{
    const __m256d magic = f64x4(0x1.8p52);
    __m256d shifted = _mm256_fnmadd_pd(ax, f64x4(0x1.71547652b82fep+2), magic);
    __m256d nf = _mm256_sub_pd(shifted, magic);
    __m256i n = _mm256_sub_epi64(_mm256_castpd_si256(shifted), _mm256_castpd_si256(magic));
    /* v = ax + n ln2/4: n*LN2_4_HI and v_hi exact (40-bit constant, |n| < 2^13) */
    __m256d v_hi = _mm256_fmadd_pd(nf, f64x4(0x1.62e42fefa2000p-3), ax);
    __m256d v = _mm256_fmadd_pd(nf, f64x4(0x1.9ef35793c7673p-43), v_hi);

    /* P(r) with r = -v: the odd coefficients change sign */
    __m256d v2 = _mm256_mul_pd(v, v), v4 = _mm256_mul_pd(v2, v2);
    __m256d c01 = _mm256_fnmadd_pd(v, f64x4(1.0 / 6), f64x4(1.0 / 2));
    __m256d c23 = _mm256_fnmadd_pd(v, f64x4(1.0 / 120), f64x4(1.0 / 24));
    __m256d c45 = _mm256_fnmadd_pd(v, f64x4(1.0 / 5040), f64x4(1.0 / 720));
    __m256d c67 = _mm256_fnmadd_pd(v, f64x4(1.0 / 362880), f64x4(1.0 / 40320));
    __m256d c03 = _mm256_fmadd_pd(v2, c23, c01);
    __m256d c47 = _mm256_fmadd_pd(v2, c67, c45);
    __m256d c48 = _mm256_fmadd_pd(v4, f64x4(1.0 / 3628800), c47);
    __m256d p = _mm256_fmadd_pd(v4, c48, c03);
    __m256d u_neg = _mm256_fnmadd_pd(v2, p, v);

    /* 2^(j/4) (1 + u), the table as hi + lo */
    __m256d t_hi = lookup4_x4(_mm256_setr_pd(0x1p+0, 0x1.306fe0a31b715p+0,
                                             0x1.6a09e667f3bcdp+0, 0x1.ae89f995ad3adp+0), n);
    __m256d t_lo = lookup4_x4(_mm256_setr_pd(0.0, 0x1.6f46ad23182e4p-55,
                                             -0x1.bdd3413b26456p-54, 0x1.7a1cd345dcc81p-54), n);
    exp_split_x4 e;
    e.hi = _mm256_fnmadd_pd(t_hi, u_neg, t_hi);
    __m256d rounding = _mm256_fnmadd_pd(t_hi, u_neg, _mm256_sub_pd(t_hi, e.hi));  /* Sterbenz */
    e.lo = _mm256_add_pd(rounding, _mm256_fnmadd_pd(t_lo, u_neg, t_lo));
    /* n >> 2: n fits in 32 bits and its upper half is all sign, so the 32-bit
     * arithmetic shift (AVX2 has no 64-bit one) shifts the 64-bit value */
    e.k = _mm256_srai_epi32(n, 2);
    return e;
}

/* exp(-|x|) 2^-j = e_hi + e_lo, j in [-77, 0], e_hi a normal number:
 * 2^k is applied as 2^kc, kc = max(k, -1000), and 2^j = 2^(k - kc) is left
 * to the caller. */
typedef struct { __m256d e_hi, e_lo; __m256i j; } scaled_exp_x4;

static inline scaled_exp_x4 exp_neg_abs_x4(__m256d x, int moderate)
{
    const __m256i saturate = _mm256_set1_epi64x(0x4087500000000000);  /* 746.0 */
    __m256i abs_bits = abs_bits_x4(x);
    /* |x| clamped to 746 in integer compares (NaN included: no FP flag);
     * exp(-746) rounds to 0, so nothing changes beyond */
    if (!moderate)
        abs_bits = _mm256_blendv_epi8(abs_bits, saturate, _mm256_cmpgt_epi64(abs_bits, saturate));
    exp_split_x4 m = exp_neg_x4(_mm256_castsi256_pd(abs_bits));
    /* max(k, -1000): 32-bit max is right on sign-extended 64-bit lanes */
    __m256i kc = moderate ? m.k : _mm256_max_epi32(m.k, _mm256_set1_epi64x(-1000));
    /* hi 2^kc is normal: adding kc to the exponent field is the product */
    __m256i kc_field = _mm256_slli_epi64(kc, 52);
    __m256d scale = _mm256_castsi256_pd(_mm256_add_epi64(kc_field, _mm256_set1_epi64x((int64_t)1023 << 52)));
    scaled_exp_x4 e = {_mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(m.hi), kc_field)),
                       _mm256_mul_pd(m.lo, scale), _mm256_sub_epi64(m.k, kc)};
    return e;
}

/* What the functions share: e = exp(-|x|) 2^-j = e_hi + e_lo and
 * s = 1 + e = s_hi + s_lo. */
typedef struct { __m256d x, e_hi, e_lo, s_hi, s_lo; __m256i j; int moderate; } shared_x4;

/* |x| <= 512 everywhere in a block (moderate, a compile-time constant after
 * inlining): j = 0 and x is not NaN, so the steps for tiny results and NaN,
 * which would not change the bits, are left out. */
static inline __m256i immoderate_x4(__m256d x)
{
    return _mm256_cmpgt_epi64(abs_bits_x4(x), _mm256_set1_epi64x(0x4080000000000000));
}

static inline shared_x4 shared_parts_x4(__m256d x, int moderate)
{
    const __m256d one = f64x4(1.0);
    scaled_exp_x4 e = exp_neg_abs_x4(x, moderate);
    shared_x4 p;
    p.x = x;
    p.moderate = moderate;
    p.j = e.j;
    p.e_hi = e.e_hi;
    p.e_lo = e.e_lo;
    p.s_hi = _mm256_add_pd(one, p.e_hi);                    /* Fast2Sum, e <= 1 */
    p.s_lo = _mm256_add_pd(_mm256_add_pd(_mm256_sub_pd(one, p.s_hi), p.e_hi), p.e_lo);
    return p;
}

/* (n_hi + n_lo) / (d_hi + d_lo) 2^j: one division, corrected once by the
 * fused residual; a NaN x is put back (adding a quiet NaN raises nothing). */
static inline __m256d finish_x4(__m256d n_hi, __m256d n_lo, __m256d d_hi, __m256d d_lo,
                                __m256d scale, shared_x4 p)
{
    __m256d inv = _mm256_div_pd(f64x4(1.0), d_hi);
    __m256d q = _mm256_mul_pd(n_hi, inv);
    __m256d residual = _mm256_add_pd(_mm256_fnmadd_pd(q, d_hi, n_hi), _mm256_fnmadd_pd(q, d_lo, n_lo));
    if (p.moderate)
        return _mm256_fmadd_pd(residual, inv, q);
    __m256d y = _mm256_mul_pd(_mm256_fmadd_pd(residual, inv, q), scale);
    return _mm256_add_pd(y, _mm256_and_pd(p.x, _mm256_castsi256_pd(nan_mask_x4(p.x))));
}

/* sigma = (x < 0 ? e : 1) / (1 + e); blendv selects on the sign bit of x */
static inline __m256d sigmoid_from_x4(shared_x4 p)
{
    const __m256d one = f64x4(1.0);
    __m256d n_hi = _mm256_blendv_pd(one, p.e_hi, p.x);
    __m256d n_lo = _mm256_blendv_pd(_mm256_setzero_pd(), p.e_lo, p.x);
    __m256d scale = _mm256_blendv_pd(one, pow2_x4(p.j), p.x);
    return finish_x4(n_hi, n_lo, p.s_hi, p.s_lo, scale, p);
}

/* sigma' = e / (1 + e)^2, (1 + e)^2 exact as d_hi + d_lo */
static inline __m256d sigmoid_grad_from_x4(shared_x4 p)
{
    __m256d d_hi = _mm256_mul_pd(p.s_hi, p.s_hi);
    __m256d d_lo = _mm256_fmadd_pd(_mm256_add_pd(p.s_hi, p.s_hi), p.s_lo,
                                   _mm256_fmsub_pd(p.s_hi, p.s_hi, d_hi));
    return finish_x4(p.e_hi, p.e_lo, d_hi, d_lo, pow2_x4(p.j), p);
}

/* The atanh series after its first term, Q(w) = sum w^n/(2n + 3) with
 * w = z^2 (2 atanh(z) = 2z + 2z w Q(w)), as a degree-7 polynomial fitted by
 * mpmath.chebyfit on w in [0, zmax^2], coefficients rounded to double: w times
 * its error is below 2^-60 (2^-60.6 and 2^-60.1 measured against mpmath),
 * what the Taylor series needs 10 and 11 terms for. */
static const double ATANH_TAIL_LOG_SIGMOID[8] = {  /* |z| <= 0.1716 */
    0x1.5555555555555p-2, 0x1.9999999999a38p-3, 0x1.2492492476bf2p-3, 0x1.c71c7201712d2p-4,
    0x1.745cf8fa80a6ep-4, 0x1.3b1c377d3240fp-4, 0x1.0fbe5ca9fd6f9p-4, 0x1.0c05f222f1ac5p-4};
static const double ATANH_TAIL_LOGIT[8] = {        /* |z| <= 0.2005 */
    0x1.5555555555555p-2, 0x1.9999999999f4ap-3, 0x1.24924923d8d36p-3, 0x1.c71c72e6a31a2p-4,
    0x1.745caa07872fep-4, 0x1.3b2a298d10220p-4, 0x1.0e857a14a6872p-4, 0x1.16d0e176ef65bp-4};

static inline __m256d atanh_tail_x4(__m256d w, const double c[8])
{
    __m256d w2 = _mm256_mul_pd(w, w), w4 = _mm256_mul_pd(w2, w2);
    __m256d c01 = _mm256_fmadd_pd(w, f64x4(c[1]), f64x4(c[0]));
    __m256d c23 = _mm256_fmadd_pd(w, f64x4(c[3]), f64x4(c[2]));
    __m256d c45 = _mm256_fmadd_pd(w, f64x4(c[5]), f64x4(c[4]));
    __m256d c67 = _mm256_fmadd_pd(w, f64x4(c[7]), f64x4(c[6]));
    return _mm256_fmadd_pd(w4, _mm256_fmadd_pd(w2, c67, c45), _mm256_fmadd_pd(w2, c23, c01));
}

/* log_sigmoid = min(x, 0) - log1p(e), the scheme of log_sigmoid_f64 in
 * sigmoid_math.h with fused multiply-adds and two shortcuts: 1 + e =
 * 2^k1 (1 + f), k1 in {0, 1}, and log1p(f) = 2 atanh(z) with z = f/(2 + f) =
 * s/(c + s), s = 2^k1 f = e - k1 and c = 2^(k1 + 1), so that f is never
 * formed; and 2z + 2z_lo (relative error below 2^-100) leads instead of
 * f - zf, which the scalar code needs for subnormal f (here e 2^-j is at
 * least 2^-1001: f is 0 or normal).  The leading terms are exact or carry
 * their errors; the small ones (2z_lo, the series) are rounded, < 2^-58 of
 * log1p(f) together; exp_neg_x4 is within 2^-55.8: 0.79 ULP at worst
 * (benchmarks/accuracy.py).  Where j < 0,
 * e < 2^-1000 and log1p(e) = e: the result, -log1p(e) for x >= 0, is rounded
 * once at the scale of e and once more to 2^j times it (x < -708 gives x). */
static inline __m256d log_sigmoid_from_x4(shared_x4 p)
{
    __m256d k1 = _mm256_cmp_pd(p.e_hi, f64x4(0x1.a827999fcef34p-2), _CMP_GE_OQ); /* sqrt2 - 1 */
    __m256d a = _mm256_and_pd(k1, f64x4(-1.0));
    __m256d c = _mm256_blendv_pd(f64x4(2.0), f64x4(4.0), k1);
    __m256d s_hi = _mm256_add_pd(a, p.e_hi);                /* Fast2Sum: |a| >= e or a = 0 */
    __m256d s_lo = _mm256_add_pd(_mm256_sub_pd(p.e_hi, _mm256_sub_pd(s_hi, a)), p.e_lo);

    /* z + z_lo = s/(c + s): one division, corrected by the fused residual */
    __m256d d_hi = _mm256_add_pd(c, s_hi);                  /* Fast2Sum: c > |s| */
    __m256d d_lo = _mm256_add_pd(_mm256_add_pd(_mm256_sub_pd(c, d_hi), s_hi), s_lo);
    __m256d inv = _mm256_div_pd(f64x4(1.0), d_hi);
    __m256d z = _mm256_mul_pd(s_hi, inv);
    __m256d residual = _mm256_add_pd(_mm256_fnmadd_pd(z, d_hi, s_hi), _mm256_fnmadd_pd(z, d_lo, s_lo));
    __m256d z_lo = _mm256_mul_pd(residual, inv);

    /* log1p(e) 2^-j = k1 ln2 + 2z + (2z_lo + 2z w Q(w)) = b + l_lo */
    __m256d w = _mm256_mul_pd(z, z), z2 = _mm256_add_pd(z, z);
    __m256d tail = _mm256_fmadd_pd(_mm256_mul_pd(z2, w), atanh_tail_x4(w, ATANH_TAIL_LOG_SIGMOID),
                                   _mm256_add_pd(z_lo, z_lo));
    __m256d k_hi = _mm256_and_pd(k1, f64x4(0x1.62e42fefa3800p-1));
    __m256d b = _mm256_add_pd(k_hi, z2);                    /* Fast2Sum: ln2 > 0.344 >= |2z| */
    __m256d l_lo = _mm256_add_pd(_mm256_add_pd(_mm256_sub_pd(k_hi, b), z2),
                                 _mm256_add_pd(_mm256_and_pd(k1, f64x4(0x1.ef35793c76730p-45)), tail));

    /* min(x, 0) - (b + l_lo): the two leading terms have the same sign, so
     * Fast2Sum with the larger in magnitude first; x clamped to -2^60 (not
     * moderate), below that, and for -inf and negative NaNs, x itself */
    __m256d big = _mm256_castsi256_pd(_mm256_cmpgt_epi64(abs_bits_x4(p.x),
                                                         _mm256_set1_epi64x(0x43b0000000000000)));
    __m256d clamped = p.moderate ? p.x : _mm256_blendv_pd(p.x, f64x4(-0x1p60), big);
    __m256d m = _mm256_blendv_pd(_mm256_setzero_pd(), clamped, p.x);
    __m256d minus_b = _mm256_xor_pd(b, f64x4(-0.0));
    __m256d larger = _mm256_min_pd(m, minus_b), smaller = _mm256_max_pd(m, minus_b);
    __m256d sum = _mm256_add_pd(larger, smaller);
    __m256d sum_err = _mm256_sub_pd(smaller, _mm256_sub_pd(sum, larger));
    __m256d r = _mm256_add_pd(sum, _mm256_sub_pd(sum_err, l_lo));
    if (p.moderate)
        return r;
    /* 2^j where x >= 0 (j < 0 and x < 0 give x); + 0 turns an underflow to
     * -0 into 0, as the baseline gives */
    r = _mm256_mul_pd(r, _mm256_blendv_pd(pow2_x4(p.j), f64x4(1.0), p.x));
    r = _mm256_add_pd(r, _mm256_setzero_pd());
    r = _mm256_blendv_pd(r, p.x, _mm256_and_pd(big, p.x));
    return _mm256_add_pd(r, _mm256_and_pd(p.x, _mm256_castsi256_pd(nan_mask_x4(p.x))));
}

/* logit(p) = log y, y = p/(1 - p) = 2^k m with m in [2^-0.5861, 2^0.5861]:
 * log y = k ln2 + 2 atanh(z), z = (m - 1)/(m + 1) = (p 2^-k - t)/(p 2^-k + t),
 * t = 1 - p.  k comes from the bits: for a positive normal double b/2^52 -
 * 1023 is log2 of it within [-0.0861, 0], so (bits(p) - bits(t))/2^52 is
 * log2 y within 0.0861, and k = that rounded.  So |z| <= 0.2004, and
 * p 2^-k - t is exact (Sterbenz).  No division and no float conversion: the
 * one division is the one for z.  On entry p is in (0, 1) and at least
 * 2^-1022, t at least 2^-53. */
typedef struct { __m256d ps, kd; } logit_reduced_x4;

static inline logit_reduced_x4 logit_reduce_x4(__m256d p, __m256d t)
{
    /* b = (k + 1023) 2^52 + fraction: 1023 2^52 keeps the difference of the
     * bits positive, 2^51 rounds it to nearest */
    __m256i b = _mm256_add_epi64(_mm256_sub_epi64(_mm256_castpd_si256(p), _mm256_castpd_si256(t)),
                                 _mm256_set1_epi64x(0x3ff8000000000000));
    /* p 2^-k, a normal double like p: k subtracted from the exponent field */
    __m256i ps = _mm256_add_epi64(_mm256_sub_epi64(_mm256_castpd_si256(p),
                                                   _mm256_and_si256(b, _mm256_set1_epi64x((int64_t)0xfff0000000000000))),
                                  _mm256_set1_epi64x((int64_t)1023 << 52));
    /* k as a double through the bits of 1.5 2^52 + k + 1023 (no int64 ->
     * double in AVX2) */
    const __m256d magic = f64x4(0x1.8p52);
    __m256i shifted = _mm256_add_epi64(_mm256_castpd_si256(magic), _mm256_srli_epi64(b, 52));
    logit_reduced_x4 r = {_mm256_castsi256_pd(ps),
                          _mm256_sub_pd(_mm256_castsi256_pd(shifted), f64x4(0x1.8p52 + 1023))};
    return r;
}

/* The result outside (0, 1): +-0 -> -inf, 1 -> inf, NaN -> itself, else a
 * quiet NaN; `inside` selects r. */
static inline __m256d logit_select_x4(__m256d p, __m256d r, __m256i inside)
{
    __m256i bits = _mm256_castpd_si256(p);
    __m256i special = _mm256_blendv_epi8(_mm256_set1_epi64x(0x7ff8000000000000), bits, nan_mask_x4(p));
    special = _mm256_blendv_epi8(special, _mm256_set1_epi64x(0x7ff0000000000000),
                                 _mm256_cmpeq_epi64(bits, _mm256_castpd_si256(f64x4(1.0))));
    special = _mm256_blendv_epi8(special, _mm256_set1_epi64x((int64_t)0xfff0000000000000),
                                 _mm256_cmpeq_epi64(abs_bits_x4(p), _mm256_setzero_si256()));
    return _mm256_blendv_pd(_mm256_castsi256_pd(special), r, _mm256_castsi256_pd(inside));
}

/* Below this the float64 logit scales p by 2^64 first (2^-960, as bits). */
static const int64_t LOGIT_SCALED_BELOW = 0x03f0000000000000;

/* p in [lowest, 1), lowest given by its bits, by the integer order of the
 * bits (no FP compare, no flag); lowest = 1 (the smallest subnormal) gives
 * (0, 1) */
static inline __m256i from_lowest_below_one_x4(__m256d p, int64_t lowest)
{
    __m256i bits = _mm256_castpd_si256(p);
    return _mm256_and_si256(_mm256_cmpgt_epi64(bits, _mm256_set1_epi64x(lowest - 1)),
                            _mm256_cmpgt_epi64(_mm256_castpd_si256(f64x4(1.0)), bits));
}

/* float64 logit of q in (0, 1): t = 1 - q, N = q 2^-k - t and D = q 2^-k + t
 * exactly as pairs, z = N/D corrected once by its residual; the error is that
 * of logit_f64 (0.5 ULP + < 2^-56 relative).  Where q may be below 2^-960
 * (may_be_tiny, a compile-time constant after inlining) such q is scaled by
 * 2^64 first so that 2^-k stays a double. */
static inline __m256d logit_in_range_x4(__m256d q, int may_be_tiny)
{
    const __m256d one = f64x4(1.0);
    __m256d t_hi = _mm256_sub_pd(one, q);                   /* Fast2Sum: 1 >= q */
    __m256d t_lo = _mm256_sub_pd(_mm256_sub_pd(one, t_hi), q);
    __m256d tiny = _mm256_setzero_pd();
    if (may_be_tiny) {
        tiny = _mm256_castsi256_pd(
            _mm256_cmpgt_epi64(_mm256_set1_epi64x(LOGIT_SCALED_BELOW), _mm256_castpd_si256(q)));
        q = _mm256_mul_pd(q, _mm256_blendv_pd(one, f64x4(0x1p64), tiny));
    }
    logit_reduced_x4 red = logit_reduce_x4(q, t_hi);
    __m256d kd = may_be_tiny ? _mm256_sub_pd(red.kd, _mm256_and_pd(tiny, f64x4(64.0))) : red.kd;
    __m256d n1 = _mm256_sub_pd(red.ps, t_hi);               /* exact: ps/t in [0.666, 1.501] */
    /* Fast2Sum(n1, -t_lo): t_lo is 0 unless q < 1/2, and then n1 is 0 or a
     * multiple of 2^-54 (ps >= 1/3), at least |t_lo| */
    __m256d n_hi = _mm256_sub_pd(n1, t_lo);
    __m256d n_lo = _mm256_sub_pd(_mm256_sub_pd(n1, n_hi), t_lo);
    /* Fast2Sum(ps, t_hi), the larger first, + t_lo */
    __m256d larger = _mm256_max_pd(red.ps, t_hi), smaller = _mm256_min_pd(red.ps, t_hi);
    __m256d d_hi = _mm256_add_pd(larger, smaller);
    __m256d d_lo = _mm256_add_pd(_mm256_sub_pd(smaller, _mm256_sub_pd(d_hi, larger)), t_lo);
    __m256d inv = _mm256_div_pd(one, d_hi);
    __m256d z = _mm256_mul_pd(n_hi, inv);
    __m256d z_lo = _mm256_mul_pd(_mm256_add_pd(_mm256_fnmadd_pd(z, d_hi, n_hi), _mm256_fnmadd_pd(z, d_lo, n_lo)),
                                 inv);
    /* log m = 2z + 2z_lo + 2z w Q(w) */
    __m256d z2 = _mm256_add_pd(z, z), w = _mm256_mul_pd(z, z);
    __m256d tail = _mm256_fmadd_pd(_mm256_mul_pd(z2, w), atanh_tail_x4(w, ATANH_TAIL_LOGIT),
                                   _mm256_add_pd(z_lo, z_lo));
    __m256d k_hi = _mm256_mul_pd(kd, f64x4(0x1.62e42fefa3800p-1));   /* exact: |k| < 2^11 */
    __m256d b = _mm256_add_pd(k_hi, z2);                    /* Fast2Sum: |k_hi| >= ln2 > |2z| or 0 */
    __m256d r = _mm256_add_pd(b, _mm256_add_pd(_mm256_add_pd(_mm256_sub_pd(k_hi, b), z2),
                                               _mm256_fmadd_pd(kd, f64x4(0x1.ef35793c76730p-45), tail)));
    return r;
}

/* logit on a vector of any p.  Where every p is in [2^-960, 1), the common
 * case, no p is scaled and no special value is selected. */
static inline __m256d logit_x4(__m256d p)
{
    if (_mm256_testc_si256(from_lowest_below_one_x4(p, LOGIT_SCALED_BELOW), _mm256_set1_epi64x(-1)))
        return logit_in_range_x4(p, 0);
    __m256i inside = from_lowest_below_one_x4(p, 1);
    __m256d q = _mm256_blendv_pd(f64x4(0.5), p, _mm256_castsi256_pd(inside));
    return logit_select_x4(p, logit_in_range_x4(q, 1), inside);
}

/* 2 atanh(z) = log((1 + z)/(1 - z)) for |z| <= 0.2004 in plain double, the
 * series of logit_f32 in sigmoid_math.h to w^7/17: relative error < 2^-45. */
static inline __m256d twice_atanh_short_x4(__m256d z)
{
    __m256d w = _mm256_mul_pd(z, z), w2 = _mm256_mul_pd(w, w), w4 = _mm256_mul_pd(w2, w2);
    __m256d series = _mm256_fmadd_pd(
        w4, _mm256_fmadd_pd(w2, _mm256_fmadd_pd(w, f64x4(1.0 / 17), f64x4(1.0 / 15)),
                            _mm256_fmadd_pd(w, f64x4(1.0 / 13), f64x4(1.0 / 11))),
        _mm256_fmadd_pd(w2, _mm256_fmadd_pd(w, f64x4(1.0 / 9), f64x4(1.0 / 7)),
                        _mm256_fmadd_pd(w, f64x4(1.0 / 5), f64x4(1.0 / 3))));
    __m256d z2 = _mm256_add_pd(z, z);
    return _mm256_fmadd_pd(_mm256_mul_pd(z2, w), series, z2);
}

/* float32 logit of q in (0, 1), q exact in double: t = 1 - q and N, D in
 * plain double, relative error < 2^-45 before the one rounding to float. */
static inline __m256d logit_f32_in_range_x4(__m256d q)
{
    __m256d t = _mm256_sub_pd(f64x4(1.0), q);
    logit_reduced_x4 red = logit_reduce_x4(q, t);
    __m256d z = _mm256_div_pd(_mm256_sub_pd(red.ps, t), _mm256_add_pd(red.ps, t));
    return _mm256_fmadd_pd(red.kd, f64x4(0x1.62e42fefa39efp-1), twice_atanh_short_x4(z));
}

static inline __m128 logit_f32_x4(__m128 p_float)
{
    __m256d p = _mm256_cvtps_pd(p_float);
    __m256i inside = from_lowest_below_one_x4(p, 1);
    if (_mm256_testc_si256(inside, _mm256_set1_epi64x(-1)))  /* every p in (0, 1) */
        return _mm256_cvtpd_ps(logit_f32_in_range_x4(p));
    __m256d q = _mm256_blendv_pd(f64x4(0.5), p, _mm256_castsi256_pd(inside));
    return _mm256_cvtpd_ps(logit_select_x4(p, logit_f32_in_range_x4(q), inside));
}

DEFINE_VECTOR_MAP(x4_map, double, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd)

DEFINE_VECTOR_ARRAY(x4, double, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd)

static void sigmoid_f64_kernel(const void *in, void *out, ptrdiff_t n)
{
    x4_array((const double *)in, (double *)out, NULL, n, sigmoid_from_x4, NULL);
}

static void sigmoid_grad_f64_kernel(const void *in, void *out, ptrdiff_t n)
{
    x4_array((const double *)in, (double *)out, NULL, n, sigmoid_grad_from_x4, NULL);
}

static void sigmoid_and_grad_f64_kernel(const void *in, void *out1, void *out2, ptrdiff_t n)
{
    x4_array((const double *)in, (double *)out1, (double *)out2, n, sigmoid_from_x4, sigmoid_grad_from_x4);
}

static void log_sigmoid_f64_kernel(const void *in, void *out, ptrdiff_t n)
{
    x4_array((const double *)in, (double *)out, NULL, n, log_sigmoid_from_x4, NULL);
}

static void logit_f64_kernel(const void *in, void *out, ptrdiff_t n)
{
    x4_map((const double *)in, (double *)out, n, logit_x4);
}

DEFINE_VECTOR_MAP(f32_via_x4_map, float, __m128, 4, _mm_loadu_ps, _mm_storeu_ps)

static void logit_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    f32_via_x4_map((const float *)in, (float *)out, n, logit_f32_x4);
}

/* sigmoid_backward, the steps of sigmoid_backward_f64 four at a time where
 * every y of the vector is in [-1, 1] and every dy y (1 - y) below 2^1022 in
 * magnitude (a sigmoid output and a finite result): there 1 - y by Fast2Sum
 * has the same exact error as the TwoSum, and no step needs a mask.  Other
 * vectors, and the tail, go through the scalar function: the same bits. */
static void sigmoid_backward_f64_kernel(const void *in1, const void *in2, void *out, ptrdiff_t n)
{
    const double *dy = (const double *)in1, *y = (const double *)in2;
    double *result = (double *)out;
    const __m256d one = f64x4(1.0);
    ptrdiff_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d d = _mm256_loadu_pd(dy + i), v = _mm256_loadu_pd(y + i);
        __m256d t = _mm256_sub_pd(one, v);
        __m256d p_hi = _mm256_mul_pd(v, t);
        __m256i outside = _mm256_or_si256(
            _mm256_cmpgt_epi64(abs_bits_x4(v), _mm256_castpd_si256(one)),
            _mm256_cmpgt_epi64(abs_bits_x4(_mm256_mul_pd(d, p_hi)), _mm256_set1_epi64x(0x7fcfffffffffffff)));
        if (!_mm256_testz_si256(outside, outside)) {
            for (int k = 0; k < 4; k++)
                result[i + k] = sigmoid_backward_f64(dy[i + k], y[i + k]);
            continue;
        }
        __m256d t_lo = _mm256_sub_pd(_mm256_sub_pd(one, t), v);
        __m256d p_lo = _mm256_add_pd(_mm256_fmsub_pd(v, t, p_hi), _mm256_mul_pd(v, t_lo));
        _mm256_storeu_pd(result + i, _mm256_fmadd_pd(d, p_hi, _mm256_mul_pd(d, p_lo)));
    }
    for (; i < n; i++)
        result[i] = sigmoid_backward_f64(dy[i], y[i]);
}
