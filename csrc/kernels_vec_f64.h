/*
 * float64 sigmoid, sigmoid_grad, sigmoid_and_grad, log_sigmoid and logit in
 * float64 lanes (and float32 logit, evaluated in float64), written once over
 * the vector layer (vec_avx2.h: 4 lanes, vec_avx512.h: 8); and at the end
 * float64 sigmoid_backward, which gives the baseline's bits.  Every step is an
 * IEEE operation or an exact one, so avx2 and neon give the same bits; avx512
 * has a larger table in exp and applies 2^k by vscalefpd (see below).
 *
 * The baseline evaluates sigmoid_math.h's scalar functions; this is the same
 * formulation with an exp that is cheaper in vector registers: a table of
 * 2^(j/N) held in registers (no memory gather; N = 4 on avx2 and neon, 16 on
 * avx512) leaves a degree-10 (degree-7) polynomial on |r| <= ln2/2N instead
 * of degree 15 on ln2/2, every multiply-add is fused, and of the roundings
 * inside exp only the last is carried (see exp_neg_vf64).  Results are within
 * 1 ULP of the true value (benchmarks/accuracy.py) and may differ from the
 * baseline's, and avx512's from avx2's, in the last bit.
 *
 * exp(-|x|) = 2^k (m_hi + m_lo), k in [-1077, 0], is formed with
 * kc = max(k, -1000), which keeps m_hi 2^kc normal (m_lo 2^kc, below 2^-1050,
 * may be subnormal: 2^-74 relative to the result at worst), and the result is
 * scaled by 2^(k - kc) at the end: a subnormal result is rounded twice, first
 * to 53 bits, which for a result below 2^-1022 is at most a quarter of its
 * last place, then to the subnormal: within 0.75 ULP plus the small error of
 * exp and the quotient (benchmarks/accuracy.py: 0.7917 on avx2, 0.7635 on
 * avx512).
 */
#include <stddef.h>
#include <stdint.h>
#include "kernels_vector_loops.h"
#include "sigmoid_math.h"

#define HAVE_VEC_F64_KERNELS 1

typedef struct { vf64 hi, lo, n_over_size; vi64 n_bits; } exp_split_vf64;

/* the bits of |x|: non-negative doubles order like these integers, NaN above inf */
static inline vi64 abs_bits_vf64(vf64 x)
{
    return vi64_and(vf64_bits(x), vi64_set(INT64_MAX));
}

/* NaN lanes, by the bits (an FP compare would raise "invalid") */
static inline vm64 nan_mask_vf64(vf64 x)
{
    return vi64_gt(abs_bits_vf64(x), vi64_set(0x7ff0000000000000));
}

/* exp(-ax) for ax in [0, 746]: 2^k (hi + lo), hi in [0.9, 1.98] (with
 * scaled, where vscalefpd is there and ax <= 512: hi + lo themselves), relative
 * error of hi + lo below 2^-55.8 (2^-55.6 with N = 16): the roundings of the
 * reduced argument and of exp(r) - 1, each at most half an ULP of a number
 * below 2^-3, are left in (at most 0.14 ULP of the result, 0.16 with N = 16,
 * see u_neg below); only the rounding of hi is carried in lo.
 *
 * -ax = (N k + j) ln2/N + r, |r| <= ln2/2N, N = 2^VF64_EXP_TABLE_BITS (4 on
 * avx2 and neon, 16 on avx512): exp(-ax) = 2^k 2^(j/N) exp(r), with exp(r) -
 * 1 = r + r^2 P(r), P the Taylor series to r^8 (N = 4) or r^5 (N = 16), by
 * Estrin's scheme: truncation below 2^-64 and 2^-59.  The steps carry v = -r
 * and u_neg = -(exp(r) - 1), which saves negating ax (rounding to nearest is
 * symmetric: the values are exactly the negatives).  The table is double
 * hi + lo, for N = 16 hi and lo/hi. */
#if VF64_EXP_TABLE_BITS == 4
#define EXP64_LN2_HI 0x1.62e42fefa0000p-1      /* 36 bits: n/N HI exact, |n| < 2^15 */
#define EXP64_LN2_LO 0x1.cf79abc9e3b3ap-40
#else
#define EXP64_LN2_HI 0x1.62e42fefa2000p-1      /* 40 bits: n/N HI exact, |n| < 2^13 */
#define EXP64_LN2_LO 0x1.9ef35793c7673p-41
#endif

static inline exp_split_vf64 exp_neg_vf64(vf64 ax, int scaled)
{
    /* 1.5 2^(52 - bits): adding it rounds to a multiple of 1/N */
    const vf64 magic = vf64_set(0x1.8p52 / (1 << VF64_EXP_TABLE_BITS));
    exp_split_vf64 e;
    vf64 shifted = vf64_fnma(ax, vf64_set(0x1.71547652b82fep+0), magic);   /* 1/ln2 */
    e.n_over_size = vf64_sub(shifted, magic);
    /* n + the bits of magic, whose low 51 bits are 0: the table index */
    e.n_bits = vf64_bits(shifted);
    /* v = ax + (n/N) ln2, v_hi exact */
    vf64 v_hi = vf64_fma(e.n_over_size, vf64_set(EXP64_LN2_HI), ax);
    vf64 v = vf64_fma(e.n_over_size, vf64_set(EXP64_LN2_LO), v_hi);

    /* P(r) with r = -v: the odd coefficients change sign */
    vf64 v2 = vf64_mul(v, v), v4 = vf64_mul(v2, v2);
    vf64 c01 = vf64_fnma(v, vf64_set(1.0 / 6), vf64_set(1.0 / 2));
    vf64 c23 = vf64_fnma(v, vf64_set(1.0 / 120), vf64_set(1.0 / 24));
    vf64 c45 = vf64_fnma(v, vf64_set(1.0 / 5040), vf64_set(1.0 / 720));
    vf64 c03 = vf64_fma(v2, c23, c01);
#if VF64_EXP_TABLE_BITS == 4
    vf64 p = vf64_fma(v4, c45, c03);
    vf64 t_hi = vf64_lookup16(
        VTAB16_F64(0x1p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
                   0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0,
                   0x1.5ab07dd485429p+0, 0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0,
                   0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f09p+0, 0x1.ae89f995ad3adp+0,
                   0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0),
        e.n_bits);
    /* t_lo / t_hi, taken into u below */
    vf64 t_ratio = vf64_lookup16(
        VTAB16_F64(0.0, 0x1.79aa65d837b6dp-54, -0x1.01b15eaa59348p-55, 0x1.68efde3a8a894p-54,
                   0x1.34d754db0abb6p-55, 0x1.59f48a72a4c6dp-55, 0x1.690cebb7aafbp-56,
                   0x1.063e1e21c5409p-54, -0x1.3b3efbf5e2228p-54, -0x1.b32dcb94da51dp-56,
                   0x1.db72fc1f0eab4p-55, 0x1.1affc2b91ce27p-56, 0x1.c1a7792cb3387p-55,
                   0x1.36eae30af0cb3p-56, 0x1.4a385a63d07a7p-56, -0x1.ff7128fd391fp-55),
        e.n_bits);
#else
    vf64 c67 = vf64_fnma(v, vf64_set(1.0 / 362880), vf64_set(1.0 / 40320));
    vf64 c47 = vf64_fma(v2, c67, c45);
    vf64 c48 = vf64_fma(v4, vf64_set(1.0 / 3628800), c47);
    vf64 p = vf64_fma(v4, c48, c03);
    vf64 t_hi = vf64_lookup4(VTAB4_F64(0x1p+0, 0x1.306fe0a31b715p+0,
                                       0x1.6a09e667f3bcdp+0, 0x1.ae89f995ad3adp+0), e.n_bits);
    vf64 t_lo = vf64_lookup4(VTAB4_F64(0.0, 0x1.6f46ad23182e4p-55,
                                       -0x1.bdd3413b26456p-54, 0x1.7a1cd345dcc81p-54), e.n_bits);
#endif
    vf64 u_neg = vf64_fnma(v2, p, v);
#if VF64_EXP_TABLE_BITS == 4
    /* t (1 + u) = t_hi (1 + u + t_ratio) + t_lo u: t_lo u, below 2^-53 |u| <
     * 2^-58.5 of the result, is left out, and u + t_ratio (|u| < 2^-5.5) is
     * rounded to within 2^-59 */
    u_neg = vf64_sub(u_neg, t_ratio);
#endif
#ifdef VEC_HAS_SCALEF
    /* exact: 2^k t_hi is normal where scaled is asked for (k >= -739) */
    if (scaled)
        t_hi = vf64_scale_floor(t_hi, e.n_over_size);
#else
    (void)scaled; /* 0: no vscalefpd */
#endif
    /* t (1 + u) = hi + lo: hi rounded, t_hi - hi exact (Sterbenz) */
    e.hi = vf64_fnma(t_hi, u_neg, t_hi);
#if VF64_EXP_TABLE_BITS == 4
    e.lo = vf64_fnma(t_hi, u_neg, vf64_sub(t_hi, e.hi));
#else
    e.lo = vf64_add(vf64_fnma(t_hi, u_neg, vf64_sub(t_hi, e.hi)), vf64_fnma(t_lo, u_neg, t_lo));
#endif
    return e;
}

/* exp(-|x|) 2^-j = e_hi + e_lo, j in [-77, 0], e_hi a normal number:
 * 2^k is applied as 2^kc, kc = max(k, -1000), and 2^j = 2^(k - kc) is left
 * to the caller. */
typedef struct { vf64 e_hi, e_lo; vi64 j; } scaled_exp_vf64;

static inline scaled_exp_vf64 exp_neg_abs_vf64(vf64 x, int moderate)
{
    vi64 abs_bits = abs_bits_vf64(x);
    /* |x| clamped to 746 in integer compares (NaN included: no FP flag);
     * exp(-746) rounds to 0, so nothing changes beyond */
    if (!moderate)
        abs_bits = vi64_min(abs_bits, vi64_set(0x4087500000000000));
#ifdef VEC_HAS_SCALEF
    int scaled = moderate;
#else
    int scaled = 0;
#endif
    exp_split_vf64 m = exp_neg_vf64(vf64_from_bits(abs_bits), scaled);
    scaled_exp_vf64 e;
    if (scaled) {
        e.e_hi = m.hi;
        e.e_lo = m.lo;
        e.j = vi64_set(0);
        return e;
    }
    /* k = n >> bits, |n| < 2^15 */
    vi64 magic_bits = vf64_bits(vf64_set(0x1.8p52 / (1 << VF64_EXP_TABLE_BITS)));
    vi64 k = vi64_sra_small(vi64_sub(m.n_bits, magic_bits), VF64_EXP_TABLE_BITS);
    vi64 kc = moderate ? k : vi64_max_small(k, vi64_set(-1000));
    /* hi 2^kc is normal: adding kc to the exponent field is the product */
    e.e_hi = vf64_ldexp_normal(m.hi, kc);
    e.e_lo = vf64_mul(m.lo, vf64_pow2i(kc));
    e.j = vi64_sub(k, kc);
    return e;
}

/* What the functions share: e = exp(-|x|) 2^-j = e_hi + e_lo and
 * s = 1 + e = s_hi + s_lo. */
typedef struct { vf64 x, e_hi, e_lo, s_hi, s_lo; vi64 j; int moderate; } shared_vf64;

/* |x| <= 512 everywhere in a block (moderate, a compile-time constant after
 * inlining): j = 0 and x is not NaN, so the steps for tiny results and NaN,
 * which would not change the bits, are left out. */
static inline int any_immoderate_vf64(const vf64 *x, int blocks)
{
    /* a compare per vector: a 64-bit max costs more on avx2 and neon */
    const vi64 bound = vi64_set(0x4080000000000000);
    vm64 immoderate = vi64_gt(abs_bits_vf64(x[0]), bound);
    for (int b = 1; b < blocks; b++)
        immoderate = vm64_or(immoderate, vi64_gt(abs_bits_vf64(x[b]), bound));
    return vm64_any(immoderate);
}

static inline shared_vf64 shared_parts_vf64(vf64 x, int moderate)
{
    const vf64 one = vf64_set(1.0);
    scaled_exp_vf64 e = exp_neg_abs_vf64(x, moderate);
    shared_vf64 p;
    p.x = x;
    p.moderate = moderate;
    p.j = e.j;
    p.e_hi = e.e_hi;
    p.e_lo = e.e_lo;
    p.s_hi = vf64_add(one, p.e_hi);                    /* Fast2Sum, e <= 1 */
    p.s_lo = vf64_add(vf64_add(vf64_sub(one, p.s_hi), p.e_hi), p.e_lo);
    return p;
}

/* (n_hi + n_lo) / (d_hi + d_lo) 2^j: one division, corrected once by the
 * fused residual; a NaN x is put back (adding a quiet NaN raises nothing). */
static inline vf64 finish_vf64(vf64 n_hi, vf64 n_lo, vf64 d_hi, vf64 d_lo, vi64 j, shared_vf64 p)
{
    vf64 inv = vf64_div(vf64_set(1.0), d_hi);
    vf64 q = vf64_mul(n_hi, inv);
    vf64 residual = vf64_add(vf64_fnma(q, d_hi, n_hi), vf64_fnma(q, d_lo, n_lo));
    if (p.moderate)
        return vf64_fma(residual, inv, q);
    vf64 y = vf64_scale(vf64_fma(residual, inv, q), j);
    return vf64_add(y, vf64_zero_unless(nan_mask_vf64(p.x), p.x));
}

/* sigma = n / (1 + e), n = (x < 0 ? e : 1), as kernels_vec_f32.h's
 * sigmoid_vf32: q = n_hi r, r = 1/s_hi rounded (in [1/2, 1]), the residual
 * (n_hi - q) - q e_hi + (n_lo - q e_lo) with n_hi - q exact and n_lo - q e_lo
 * taken as -+e_lo r (off by below 2^-52 e_lo), then sigma = q + residual r. */
static inline vf64 sigmoid_vf64(shared_vf64 p)
{
    /* e_hi = 1 where |x| < 2^-1022; x may be NaN unless moderate */
    vm64 negative = vf64_signbit(p.x);
    vf64 n_hi = p.moderate ? vf64_negative_or_one(p.x, p.e_hi) : vf64_select(negative, p.e_hi, vf64_set(1.0));
    vf64 inv = vf64_div(vf64_set(1.0), p.s_hi);
    vf64 q = vf64_mul(n_hi, inv);
    vf64 residual = vf64_fnma(vf64_xor_sign(p.e_lo, p.x), inv, vf64_fnma(q, p.e_hi, vf64_sub(n_hi, q)));
    vf64 y = vf64_fma(residual, inv, q);
    if (p.moderate)
        return y;
    /* a NaN x is put back (adding a quiet NaN raises nothing) */
    y = vf64_scale(y, vi64_select(negative, p.j, vi64_set(0)));
    return vf64_add(y, vf64_zero_unless(nan_mask_vf64(p.x), p.x));
}

/* sigma' = e / (1 + e)^2, (1 + e)^2 exact as d_hi + d_lo */
static inline vf64 sigmoid_grad_vf64(shared_vf64 p)
{
    vf64 d_hi = vf64_mul(p.s_hi, p.s_hi);
    vf64 d_lo = vf64_fma(vf64_add(p.s_hi, p.s_hi), p.s_lo, vf64_fms(p.s_hi, p.s_hi, d_hi));
    return finish_vf64(p.e_hi, p.e_lo, d_hi, d_lo, p.j, p);
}

/* The atanh series after its first term, Q(w) = sum w^n/(2n + 3) with
 * w = z^2 (2 atanh(z) = 2z + 2z w Q(w)), as a degree-7 polynomial fitted by
 * mpmath.chebyfit on w in [0, zmax^2], coefficients rounded to double: w times
 * its error is below 2^-60 (2^-60.6 and 2^-60.1 measured against mpmath),
 * what the Taylor series needs 10 and 11 terms for: ATANH_TAIL_FITTED
 * (sigmoid_math.h) for log_sigmoid, |z| <= 0.1716, and this for logit. */
static const double ATANH_TAIL_LOGIT[8] = {        /* |z| <= 0.2005 */
    0x1.5555555555555p-2, 0x1.9999999999f4ap-3, 0x1.24924923d8d36p-3, 0x1.c71c72e6a31a2p-4,
    0x1.745caa07872fep-4, 0x1.3b2a298d10220p-4, 0x1.0e857a14a6872p-4, 0x1.16d0e176ef65bp-4};

static inline vf64 atanh_tail_vf64(vf64 w, const double c[8])
{
    vf64 w2 = vf64_mul(w, w), w4 = vf64_mul(w2, w2);
    vf64 c01 = vf64_fma(w, vf64_set(c[1]), vf64_set(c[0]));
    vf64 c23 = vf64_fma(w, vf64_set(c[3]), vf64_set(c[2]));
    vf64 c45 = vf64_fma(w, vf64_set(c[5]), vf64_set(c[4]));
    vf64 c67 = vf64_fma(w, vf64_set(c[7]), vf64_set(c[6]));
    return vf64_fma(w4, vf64_fma(w2, c67, c45), vf64_fma(w2, c23, c01));
}

/* log_sigmoid = min(x, 0) - log1p(e), the scheme of log_sigmoid_f64 in
 * sigmoid_math.h with fused multiply-adds and two shortcuts: 1 + e =
 * 2^k1 (1 + f), k1 in {0, 1}, and log1p(f) = 2 atanh(z) with z = f/(2 + f) =
 * s/(c + s), s = 2^k1 f = e - k1 and c = 2^(k1 + 1), so that f is never
 * formed; and 2z + 2z_lo (relative error below 2^-100) leads instead of
 * f - zf, which the scalar code needs for subnormal f (here e 2^-j is at
 * least 2^-1001: f is 0 or normal).  The leading terms are exact or carry
 * their errors; the small ones (2z_lo, the series) are rounded, < 2^-58 of
 * log1p(f) together; exp_neg_vf64 is within 2^-55.8: 0.79 ULP at worst
 * (benchmarks/accuracy.py).  Where j < 0,
 * e < 2^-1000 and log1p(e) = e: the result, -log1p(e) for x >= 0, is rounded
 * once at the scale of e and once more to 2^j times it (x < -708 gives x). */
static inline vf64 log_sigmoid_vf64(shared_vf64 p)
{
    vm64 k1 = vf64_ge(p.e_hi, vf64_set(0x1.a827999fcef34p-2));  /* sqrt2 - 1 */
    vf64 a = vf64_zero_unless(k1, vf64_set(-1.0));
    vf64 c = vf64_select(k1, vf64_set(4.0), vf64_set(2.0));
    vf64 s_hi = vf64_add(a, p.e_hi);                        /* Fast2Sum: |a| >= e or a = 0 */
    vf64 s_lo = vf64_add(vf64_sub(p.e_hi, vf64_sub(s_hi, a)), p.e_lo);

    /* z + z_lo = s/(c + s): one division, corrected by the fused residual */
    vf64 d_hi = vf64_add(c, s_hi);                          /* Fast2Sum: c > |s| */
    vf64 d_lo = vf64_add(vf64_add(vf64_sub(c, d_hi), s_hi), s_lo);
    vf64 inv = vf64_div(vf64_set(1.0), d_hi);
    vf64 z = vf64_mul(s_hi, inv);
    vf64 residual = vf64_add(vf64_fnma(z, d_hi, s_hi), vf64_fnma(z, d_lo, s_lo));
    vf64 z_lo = vf64_mul(residual, inv);

    /* log1p(e) 2^-j = k1 ln2 + 2z + (2z_lo + 2z w Q(w)) = b + l_lo */
    vf64 w = vf64_mul(z, z), z2 = vf64_add(z, z);
    vf64 tail = vf64_fma(vf64_mul(z2, w), atanh_tail_vf64(w, ATANH_TAIL_FITTED),
                         vf64_add(z_lo, z_lo));
    vf64 k_hi = vf64_zero_unless(k1, vf64_set(0x1.62e42fefa3800p-1));
    vf64 b = vf64_add(k_hi, z2);                            /* Fast2Sum: ln2 > 0.344 >= |2z| */
    vf64 l_lo = vf64_add(vf64_add(vf64_sub(k_hi, b), z2),
                         vf64_add(vf64_zero_unless(k1, vf64_set(0x1.ef35793c76730p-45)), tail));

    /* min(x, 0) - (b + l_lo): the two leading terms have the same sign, so
     * Fast2Sum with the larger in magnitude first; x clamped to -2^60 (not
     * moderate), below that, and for -inf and negative NaNs, x itself */
    vm64 negative = vf64_signbit(p.x);
    vm64 big = vi64_gt(abs_bits_vf64(p.x), vi64_set(0x43b0000000000000));
    vf64 clamped = p.moderate ? p.x : vf64_select(big, vf64_set(-0x1p60), p.x);
    vf64 m = vf64_zero_unless(negative, clamped);
    vf64 minus_b = vf64_neg(b);
    vf64 larger = vf64_min(m, minus_b), smaller = vf64_max(m, minus_b);
    vf64 sum = vf64_add(larger, smaller);
    vf64 sum_err = vf64_sub(smaller, vf64_sub(sum, larger));
    vf64 r = vf64_add(sum, vf64_sub(sum_err, l_lo));
    if (p.moderate)
        return r;
    /* 2^j where x >= 0 (j < 0 and x < 0 give x); + 0 turns an underflow to
     * -0 into 0, as the baseline gives */
    r = vf64_scale(r, vi64_select(negative, vi64_set(0), p.j));
    r = vf64_add(r, vf64_zero());
    r = vf64_select(vm64_and(big, negative), p.x, r);
    return vf64_add(r, vf64_zero_unless(nan_mask_vf64(p.x), p.x));
}

/* logit(p) = log y, y = p/(1 - p) = 2^k m with m in [2^-0.5861, 2^0.5861]:
 * log y = k ln2 + 2 atanh(z), z = (m - 1)/(m + 1) = (p 2^-k - t)/(p 2^-k + t),
 * t = 1 - p.  k comes from the bits: for a positive normal double b/2^52 -
 * 1023 is log2 of it within [-0.0861, 0], so (bits(p) - bits(t))/2^52 is
 * log2 y within 0.0861, and k = that rounded.  So |z| <= 0.2004, and
 * p 2^-k - t is exact (Sterbenz).  No division and no float conversion: the
 * one division is the one for z.  On entry p is in (0, 1) and at least
 * 2^-1022, t at least 2^-53. */
typedef struct { vf64 ps, kd; } logit_reduced_vf64;

static inline logit_reduced_vf64 logit_reduce_vf64(vf64 p, vf64 t)
{
    /* b = (k + 1023) 2^52 + fraction: 1023 2^52 keeps the difference of the
     * bits positive, 2^51 rounds it to nearest */
    vi64 b = vi64_add(vi64_sub(vf64_bits(p), vf64_bits(t)), vi64_set(0x3ff8000000000000));
    /* p 2^-k, a normal double like p: k subtracted from the exponent field */
    vi64 ps = vi64_add(vi64_sub(vf64_bits(p), vi64_and(b, vi64_set((int64_t)0xfff0000000000000))),
                       vi64_set((int64_t)1023 << 52));
    /* k as a double through the bits of 1.5 2^52 + k + 1023 (no int64 ->
     * double in AVX2 or AVX-512F) */
    const vf64 magic = vf64_set(0x1.8p52);
    vi64 shifted = vi64_add(vf64_bits(magic), vi64_shr(b, 52));
    logit_reduced_vf64 r = {vf64_from_bits(ps), vf64_sub(vf64_from_bits(shifted), vf64_set(0x1.8p52 + 1023))};
    return r;
}

/* The result outside (0, 1): +-0 -> -inf, 1 -> inf, NaN -> itself quieted
 * (p + 0: "invalid" for a signalling NaN, as IEEE 754 asks; exact and silent
 * for every other p), else a quiet NaN; `inside` selects r. */
static inline vf64 logit_select_vf64(vf64 p, vf64 r, vm64 inside)
{
    vi64 bits = vf64_bits(p);
    vi64 special = vi64_select(nan_mask_vf64(p), vf64_bits(vf64_add(p, vf64_set(0.0))),
                               vi64_set(0x7ff8000000000000));
    special = vi64_select(vi64_eq(bits, vf64_bits(vf64_set(1.0))), vi64_set(0x7ff0000000000000), special);
    special = vi64_select(vi64_eq(abs_bits_vf64(p), vi64_set(0)), vi64_set((int64_t)0xfff0000000000000),
                          special);
    return vf64_select(inside, r, vf64_from_bits(special));
}

/* Below this the float64 logit scales p by 2^64 first (2^-960, as bits). */
static const int64_t LOGIT_SCALED_BELOW = 0x03f0000000000000;

/* p in [lowest, 1), lowest given by its bits, by the integer order of the
 * bits (no FP compare, no flag); lowest = 1 (the smallest subnormal) gives
 * (0, 1) */
static inline vm64 from_lowest_below_one_vf64(vf64 p, int64_t lowest)
{
    vi64 bits = vf64_bits(p);
    return vm64_and(vi64_gt(bits, vi64_set(lowest - 1)), vi64_gt(vf64_bits(vf64_set(1.0)), bits));
}

/* float64 logit of q in (0, 1): t = 1 - q, N = q 2^-k - t and D = q 2^-k + t
 * exactly as pairs, z = N/D corrected once by its residual; the error is that
 * of logit_f64 (0.5 ULP + < 2^-56 relative).  Where q may be below 2^-960
 * (may_be_tiny, a compile-time constant after inlining) such q is scaled by
 * 2^64 first so that 2^-k stays a double. */
static inline vf64 logit_in_range_vf64(vf64 q, int may_be_tiny)
{
    const vf64 one = vf64_set(1.0);
    vf64 t_hi = vf64_sub(one, q);                           /* Fast2Sum: 1 >= q */
    vf64 t_lo = vf64_sub(vf64_sub(one, t_hi), q);
    vm64 tiny = vi64_gt(vi64_set(LOGIT_SCALED_BELOW), vf64_bits(q));   /* used if may_be_tiny */
    if (may_be_tiny)
        q = vf64_mul(q, vf64_select(tiny, vf64_set(0x1p64), one));
    logit_reduced_vf64 red = logit_reduce_vf64(q, t_hi);
    vf64 kd = may_be_tiny ? vf64_sub(red.kd, vf64_zero_unless(tiny, vf64_set(64.0))) : red.kd;
    vf64 n1 = vf64_sub(red.ps, t_hi);                       /* exact: ps/t in [0.666, 1.501] */
    /* Fast2Sum(n1, -t_lo): t_lo is 0 unless q < 1/2, and then n1 is 0 or a
     * multiple of 2^-54 (ps >= 1/3), at least |t_lo| */
    vf64 n_hi = vf64_sub(n1, t_lo);
    vf64 n_lo = vf64_sub(vf64_sub(n1, n_hi), t_lo);
    /* Fast2Sum(ps, t_hi), the larger first, + t_lo */
    vf64 larger = vf64_max(red.ps, t_hi), smaller = vf64_min(red.ps, t_hi);
    vf64 d_hi = vf64_add(larger, smaller);
    vf64 d_lo = vf64_add(vf64_sub(smaller, vf64_sub(d_hi, larger)), t_lo);
    vf64 inv = vf64_div(one, d_hi);
    vf64 z = vf64_mul(n_hi, inv);
    vf64 z_lo = vf64_mul(vf64_add(vf64_fnma(z, d_hi, n_hi), vf64_fnma(z, d_lo, n_lo)), inv);
    /* log m = 2z + 2z_lo + 2z w Q(w) */
    vf64 z2 = vf64_add(z, z), w = vf64_mul(z, z);
    vf64 tail = vf64_fma(vf64_mul(z2, w), atanh_tail_vf64(w, ATANH_TAIL_LOGIT), vf64_add(z_lo, z_lo));
    vf64 k_hi = vf64_mul(kd, vf64_set(0x1.62e42fefa3800p-1));  /* exact: |k| < 2^11 */
    vf64 b = vf64_add(k_hi, z2);                            /* Fast2Sum: |k_hi| >= ln2 > |2z| or 0 */
    return vf64_add(b, vf64_add(vf64_add(vf64_sub(k_hi, b), z2),
                                vf64_fma(kd, vf64_set(0x1.ef35793c76730p-45), tail)));
}

/* logit on a vector of any p.  Where every p is in [2^-960, 1), the common
 * case, no p is scaled and no special value is selected. */
static inline vf64 logit_vf64(vf64 p)
{
    if (vm64_all(from_lowest_below_one_vf64(p, LOGIT_SCALED_BELOW)))
        return logit_in_range_vf64(p, 0);
    vm64 inside = from_lowest_below_one_vf64(p, 1);
    vf64 q = vf64_select(inside, p, vf64_set(0.5));
    return logit_select_vf64(p, logit_in_range_vf64(q, 1), inside);
}

/* 2 atanh(z) = log((1 + z)/(1 - z)) for |z| <= 0.2004 in plain double, the
 * series of logit_f32 in sigmoid_math.h to w^7/17: relative error < 2^-45. */
static inline vf64 twice_atanh_short_vf64(vf64 z)
{
    vf64 w = vf64_mul(z, z), w2 = vf64_mul(w, w), w4 = vf64_mul(w2, w2);
    vf64 series = vf64_fma(
        w4, vf64_fma(w2, vf64_fma(w, vf64_set(1.0 / 17), vf64_set(1.0 / 15)),
                     vf64_fma(w, vf64_set(1.0 / 13), vf64_set(1.0 / 11))),
        vf64_fma(w2, vf64_fma(w, vf64_set(1.0 / 9), vf64_set(1.0 / 7)),
                 vf64_fma(w, vf64_set(1.0 / 5), vf64_set(1.0 / 3))));
    vf64 z2 = vf64_add(z, z);
    return vf64_fma(vf64_mul(z2, w), series, z2);
}

/* float32 logit of q in (0, 1), q exact in double: t = 1 - q and N, D in
 * plain double, relative error < 2^-45 before the one rounding to float. */
static inline vf64 logit_f32_in_range_vf64(vf64 q)
{
    vf64 t = vf64_sub(vf64_set(1.0), q);
    logit_reduced_vf64 red = logit_reduce_vf64(q, t);
    vf64 z = vf64_div(vf64_sub(red.ps, t), vf64_add(red.ps, t));
    return vf64_fma(red.kd, vf64_set(0x1.62e42fefa39efp-1), twice_atanh_short_vf64(z));
}

/* float32 p widened to double (exact); the caller rounds the result to float */
static inline vf64 logit_f32_vf64(vf64 p)
{
    vm64 inside = from_lowest_below_one_vf64(p, 1);
    if (vm64_all(inside))                                   /* every p in (0, 1) */
        return logit_f32_in_range_vf64(p);
    vf64 q = vf64_select(inside, p, vf64_set(0.5));
    return logit_select_vf64(p, logit_f32_in_range_vf64(q), inside);
}

DEFINE_VECTOR_MAP(map_vf64, double, vf64, VF64_LANES, VF64_BLOCKS, vf64_load, vf64_store)

DEFINE_VECTOR_ARRAY(vf64, double, vf64, VF64_LANES, VF64_BLOCKS)

static void sigmoid_f64_kernel(const void *in, void *out, ptrdiff_t n)
{
    array_vf64((const double *)in, (double *)out, NULL, n, sigmoid_vf64, NULL);
}

static void sigmoid_grad_f64_kernel(const void *in, void *out, ptrdiff_t n)
{
    array_vf64((const double *)in, (double *)out, NULL, n, sigmoid_grad_vf64, NULL);
}

static void sigmoid_and_grad_f64_kernel(const void *in, void *out1, void *out2, ptrdiff_t n)
{
    array_vf64((const double *)in, (double *)out1, (double *)out2, n, sigmoid_vf64, sigmoid_grad_vf64);
}

static void log_sigmoid_f64_kernel(const void *in, void *out, ptrdiff_t n)
{
    array_vf64((const double *)in, (double *)out, NULL, n, log_sigmoid_vf64, NULL);
}

static void logit_f64_kernel(const void *in, void *out, ptrdiff_t n)
{
    map_vf64((const double *)in, (double *)out, n, logit_vf64);
}

DEFINE_VECTOR_MAP(map_f32_via_vf64, float, vf64, VF64_LANES, VF64_BLOCKS, vf64_load_f32, vf64_store_f32)

static void logit_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    map_f32_via_vf64((const float *)in, (float *)out, n, logit_f32_vf64);
}

/* sigmoid_backward, the steps of sigmoid_backward_f64 a vector at a time
 * where every y of the vector is in [-1, 1] and every dy y (1 - y) below
 * 2^1022 in magnitude (a sigmoid output and a finite result): there 1 - y by
 * Fast2Sum has the same exact error as the TwoSum, and no step needs a mask.
 * Other vectors, and the tail, go through the scalar function: the same bits. */
static void sigmoid_backward_f64_kernel(const void *in1, const void *in2, void *out, ptrdiff_t n)
{
    const double *dy = (const double *)in1, *y = (const double *)in2;
    double *result = (double *)out;
    const vf64 one = vf64_set(1.0);
    ptrdiff_t i = 0;
    for (; i + VF64_LANES <= n; i += VF64_LANES) {
        vf64 d = vf64_load(dy + i), v = vf64_load(y + i);
        vf64 t = vf64_sub(one, v);
        vf64 p_hi = vf64_mul(v, t), r = vf64_mul(d, p_hi);
        vm64 outside = vm64_or(vi64_gt(abs_bits_vf64(v), vf64_bits(one)),
                               vi64_gt(abs_bits_vf64(r), vi64_set(0x7fcfffffffffffff)));
        if (vm64_any(outside)) {
            for (int k = 0; k < VF64_LANES; k++)
                result[i + k] = sigmoid_backward_f64(dy[i + k], y[i + k]);
            continue;
        }
        vf64 t_lo = vf64_sub(vf64_sub(one, t), v);
        vf64 p_lo = vf64_add(vf64_fms(v, t, p_hi), vf64_mul(v, t_lo));
        /* a zero dy p_hi is the result, with the sign of the product */
        vf64_store(result + i, vf64_select(vi64_eq(abs_bits_vf64(r), vi64_set(0)), r,
                                           vf64_fma(d, p_hi, vf64_mul(d, p_lo))));
    }
    for (; i < n; i++)
        result[i] = sigmoid_backward_f64(dy[i], y[i]);
}
