/*
 * Scalar math of sigmoidx: one inline function per (function, dtype).
 * Plain C99, no Python.  Every function here is written without branches on
 * the data (selects only) so that the loops in kernels_impl.h vectorise.
 *
 * The formulation has no overflow and no cancellation:
 *     e      = exp(-|x|)            in (0, 1]
 *     sigma  = (x < 0 ? e : 1) / (1 + e)
 *     sigma' = e / (1 + e)^2        (even in x; 1 - sigma is never formed)
 *
 * Floating-point hygiene: there is no floating-point comparison (on x86 they
 * raise "invalid" on a quiet NaN).  |x| is clamped to a finite saturation
 * point, NaN included, and a NaN is put back at the end by adding it (quiet:
 * raises nothing).  The only flag the arithmetic can raise is "underflow"
 * (for results that are rightly subnormal); the ufunc loops clear that one.
 *
 * Build with -ffp-contract=off: every fused multiply-add is an explicit fma()
 * call, so every instruction-set level that compiles these functions
 * computes the same bits.
 */
#ifndef SIGMOIDX_SIGMOID_MATH_H
#define SIGMOIDX_SIGMOID_MATH_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t f64_bits(double x) { uint64_t u; memcpy(&u, &x, sizeof u); return u; }
static inline double f64_from_bits(uint64_t u) { double x; memcpy(&x, &u, sizeof x); return x; }
static inline uint32_t f32_bits(float x) { uint32_t u; memcpy(&u, &x, sizeof u); return u; }
static inline float f32_from_bits(uint32_t u) { float x; memcpy(&x, &u, sizeof x); return x; }

/* 2^k for integer k in [-1022, 1023], built from the exponent field. */
static inline double pow2_int(int64_t k) { return f64_from_bits((uint64_t)(k + 1023) << 52); }

static const double LOG2E  = 0x1.71547652b82fep+0;  /* 1/ln 2 */
static const double LN2    = 0x1.62e42fefa39efp-1;  /* ln 2 rounded */
static const double LN2_HI = 0x1.62e42fefa3800p-1;  /* ln 2, 42 bits: k*LN2_HI exact for |k| < 2^11 */
static const double LN2_LO = 0x1.ef35793c76730p-45; /* ln 2 - LN2_HI */
/* Adding then subtracting 1.5*2^52 rounds to the nearest integer; the integer
 * is then also the low bits of the sum's representation. */
static const double ROUND_MAGIC = 0x1.8p52;

/* ------------------------------------------------------------------------ */
/* float64: exp(a) for a in [-746, 0] as an unevaluated sum hi + lo.
 *
 * a = k ln2 + r, |r| <= ln2/2, r = rh + rl exactly to ~2^-100.
 * exp(r) = 1 + rh + rh^2/2 + rh^3 P(rh) + rl (1 + rh), P the Taylor series to
 * rh^15 (truncation < 2^-68 relative); 1 + rh + rh^2/2 is summed exactly and
 * the small terms in plain double.  Relative error of hi + lo < 2^-58.
 * 2^k is applied in two halves so that k down to -1076 works and a subnormal
 * result is rounded once.
 */
static inline void exp_neg_f64_dd(double a, double *hi, double *lo)
{
    double kd = (a * LOG2E + ROUND_MAGIC) - ROUND_MAGIC;
    int64_t k = (int64_t)(f64_bits(a * LOG2E + ROUND_MAGIC) - f64_bits(ROUND_MAGIC));

    double r_hi = a - kd * LN2_HI;          /* exact: kd*LN2_HI exact, Sterbenz */
    double t = kd * LN2_LO;
    double rh = r_hi - t;                   /* TwoSum(r_hi, -t) */
    double bv = rh - r_hi;
    double rl = (r_hi - (rh - bv)) - (t + bv);

    /* P(rh) = sum 1/(n+3)! rh^n, n = 0..12, by Estrin's scheme: a short
     * dependency chain keeps the vector units busy. */
    double sq = rh * rh, r4 = sq * sq, r8 = r4 * r4;
    double c01 = 1.0 / 6.0 + rh * (1.0 / 24.0);
    double c23 = 1.0 / 120.0 + rh * (1.0 / 720.0);
    double c45 = 1.0 / 5040.0 + rh * (1.0 / 40320.0);
    double c67 = 1.0 / 362880.0 + rh * (1.0 / 3628800.0);
    double c89 = 1.0 / 39916800.0 + rh * (1.0 / 479001600.0);
    double c1011 = 1.0 / 6227020800.0 + rh * (1.0 / 87178291200.0);
    double c12 = 1.0 / 1307674368000.0;
    double p = (c01 + sq * c23) + r4 * (c45 + sq * c67)
             + r8 * ((c89 + sq * c1011) + r4 * c12);
    double cubic_tail = (sq * rh) * p;

    double half_sq = 0.5 * sq;
    double half_sq_err = 0.5 * fma(rh, rh, -sq);
    double s1 = 1.0 + rh;                   /* Fast2Sum, |1| >= |rh| */
    double e1 = (1.0 - s1) + rh;
    double s2 = s1 + half_sq;               /* Fast2Sum, s1 >= 0.6 > half_sq */
    double e2 = (s1 - s2) + half_sq;
    double small = e1 + e2 + half_sq_err + cubic_tail + (rl + rl * rh);
    double m_hi = s2 + small;               /* renormalise */
    double m_lo = (s2 - m_hi) + small;

    int64_t k_half = -((-k) >> 1);          /* k <= 0: shift a non-negative value */
    double scale1 = pow2_int(k_half), scale2 = pow2_int(k - k_half);
    *hi = (m_hi * scale1) * scale2;
    *lo = (m_lo * scale1) * scale2;
}

/* |x| clamped to the saturation point `limit`, in integer arithmetic on the
 * bits: non-negative doubles order like their bit patterns, and NaN (whose
 * bits exceed those of inf) is clamped too, to be put back at the end.  A
 * floating-point compare would raise "invalid" on NaN, and counts as a
 * trapping operation that keeps GCC from vectorising the loop. */
static inline double clamped_abs_f64(double x, double limit)
{
    uint64_t abs_bits = f64_bits(x) & 0x7fffffffffffffffu, limit_bits = f64_bits(limit);
    return f64_from_bits(abs_bits < limit_bits ? abs_bits : limit_bits);
}

static inline float clamped_abs_f32(float x, float limit)
{
    uint32_t abs_bits = f32_bits(x) & 0x7fffffffu, limit_bits = f32_bits(limit);
    return f32_from_bits(abs_bits < limit_bits ? abs_bits : limit_bits);
}

/* x itself if x is NaN, else +0: adding it to a result puts the NaN back. */
static inline double nan_or_zero_f64(double x)
{
    return (f64_bits(x) & 0x7fffffffffffffffu) > 0x7ff0000000000000u ? x : 0.0;
}

static inline float nan_or_zero_f32(float x)
{
    return (f32_bits(x) & 0x7fffffffu) > 0x7f800000u ? x : 0.0f;
}

/* Saturation points: beyond them the result no longer changes (exp(-746)
 * rounds to 0 in float64). */
static const double SATURATE_F64 = 746.0;

/* e = exp(-|x|) as e_hi + e_lo (NaN clamped; the caller puts it back). */
static inline void sigmoid_f64_common(double x, double *e_hi, double *e_lo)
{
    exp_neg_f64_dd(-clamped_abs_f64(x, SATURATE_F64), e_hi, e_lo);
}

/* sigma(x), float64.  s = 1 + e exactly as s_hi + s_lo (Fast2Sum); one
 * division gives 1/s_hi, the quotient n/s is then corrected once with the
 * exact residual n - q*s.  Max error 0.5 ULP + 2^-5 ULP from exp: <= 1 ULP
 * (measured in benchmarks/accuracy.py), subnormal results included. */
static inline double sigmoid_f64_from_e(double x, double e_hi, double e_lo)
{
    int negative = (int)(f64_bits(x) >> 63);
    double n_hi = negative ? e_hi : 1.0;
    double n_lo = negative ? e_lo : 0.0;
    double s_hi = 1.0 + e_hi;
    double s_lo = ((1.0 - s_hi) + e_hi) + e_lo;
    double inv = 1.0 / s_hi;
    double q = n_hi * inv;
    double residual = fma(-q, s_hi, n_hi) + (n_lo - q * s_lo);
    return (q + residual * inv) + nan_or_zero_f64(x);
}

static inline double sigmoid_f64(double x)
{
    double e_hi, e_lo;
    sigmoid_f64_common(x, &e_hi, &e_lo);
    return sigmoid_f64_from_e(x, e_hi, e_lo);
}

/* sigma'(x) = e / (1+e)^2, float64.  d = s^2 as d_hi + d_lo (exact product
 * by fma), q = e/d corrected once by the residual e - q*d. */
static inline double sigmoid_grad_f64_from_e(double x, double e_hi, double e_lo)
{
    double s_hi = 1.0 + e_hi;
    double s_lo = ((1.0 - s_hi) + e_hi) + e_lo;
    double d_hi = s_hi * s_hi;
    double d_lo = fma(s_hi, s_hi, -d_hi) + 2.0 * s_hi * s_lo;
    double inv = 1.0 / d_hi;
    double q = e_hi * inv;
    double residual = fma(-q, d_hi, e_hi) + (e_lo - q * d_lo);
    return (q + residual * inv) + nan_or_zero_f64(x);
}

static inline double sigmoid_grad_f64(double x)
{
    double e_hi, e_lo;
    sigmoid_f64_common(x, &e_hi, &e_lo);
    return sigmoid_grad_f64_from_e(x, e_hi, e_lo);
}

/* Both at once: one exp, then exactly the operations of each function alone,
 * so the results are bit for bit those of sigmoid_f64 and sigmoid_grad_f64. */
static inline void sigmoid_and_grad_f64(double x, double *s, double *g)
{
    double e_hi, e_lo;
    sigmoid_f64_common(x, &e_hi, &e_lo);
    *s = sigmoid_f64_from_e(x, e_hi, e_lo);
    *g = sigmoid_grad_f64_from_e(x, e_hi, e_lo);
}

/* ------------------------------------------------------------------------ */
/* float32 (and float16 through float32): evaluated in float64 and rounded
 * once.  exp(a), a in [-110, 0], by a = k ln2 + r and the Taylor series to
 * r^10: relative error < 2^-41, so the float result is within 0.5 + 2^-17
 * ULP (correctly rounded but for rare near-halfway cases). */
static const float SATURATE_F32 = 110.0f; /* exp(-110) rounds to 0 in float32 */

static inline double exp_neg_f32_via_f64(double a)
{
    double kd = (a * LOG2E + ROUND_MAGIC) - ROUND_MAGIC;
    int64_t k = (int64_t)(f64_bits(a * LOG2E + ROUND_MAGIC) - f64_bits(ROUND_MAGIC));
    double r = a - kd * LN2;
    /* Taylor series to r^10 (truncation < 2^-41), by Estrin's scheme */
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double c01 = 1.0 + r;
    double c23 = 0.5 + r * (1.0 / 6.0);
    double c45 = 1.0 / 24.0 + r * (1.0 / 120.0);
    double c67 = 1.0 / 720.0 + r * (1.0 / 5040.0);
    double c89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
    double c10 = 1.0 / 3628800.0;
    double p = (c01 + r2 * c23) + r4 * (c45 + r2 * c67) + r8 * (c89 + r2 * c10);
    return p * pow2_int(k);
}

static inline double exp_neg_abs_f32(float x)
{
    return exp_neg_f32_via_f64(-(double)clamped_abs_f32(x, SATURATE_F32));
}

static inline float sigmoid_f32_from_e(float x, double e)
{
    double n = (f32_bits(x) >> 31) ? e : 1.0;
    return (float)(n / (1.0 + e)) + nan_or_zero_f32(x);
}

static inline float sigmoid_grad_f32_from_e(float x, double e)
{
    double s = 1.0 + e;
    return (float)(e / (s * s)) + nan_or_zero_f32(x);
}

static inline float sigmoid_f32(float x) { return sigmoid_f32_from_e(x, exp_neg_abs_f32(x)); }
static inline float sigmoid_grad_f32(float x) { return sigmoid_grad_f32_from_e(x, exp_neg_abs_f32(x)); }

static inline void sigmoid_and_grad_f32(float x, float *s, float *g)
{
    double e = exp_neg_abs_f32(x);
    *s = sigmoid_f32_from_e(x, e);
    *g = sigmoid_grad_f32_from_e(x, e);
}

/* ------------------------------------------------------------------------ */
/* long double (x87 80-bit on x86-64; whatever the platform has elsewhere).
 * Scalar, from the C library's expl; the quotient is corrected once with the
 * exact residual (Dekker's product: no FMA needed), which leaves the error of
 * expl plus half an ULP: <= 2 ULP as measured against mpmath.  No comparisons:
 * NaN flows through. */

/* a*b = p + err exactly (Veltkamp split in halves of the significand). */
static inline void two_prod_ld(long double a, long double b, long double *p, long double *err)
{
    const long double split = (long double)((1ull << ((LDBL_MANT_DIG + 1) / 2)) + 1);
    long double ca = split * a, a_hi = ca - (ca - a), a_lo = a - a_hi;
    long double cb = split * b, b_hi = cb - (cb - b), b_lo = b - b_hi;
    *p = a * b;
    *err = ((a_hi * b_hi - *p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
}

/* n / (d_hi + d_lo), |d_lo| << d_hi, to about half an ULP. */
static inline long double divide_ld(long double n, long double d_hi, long double d_lo)
{
    long double q = n / d_hi, p, err;
    two_prod_ld(q, d_hi, &p, &err);
    long double residual = ((n - p) - err) - q * d_lo;
    return q + residual / d_hi;
}

static inline long double sigmoid_ld_from_e(long double x, long double e)
{
    long double s = 1.0L + e;
    long double s_lo = e - (s - 1.0L);
    return divide_ld(signbit(x) ? e : 1.0L, s, s_lo);
}

static inline long double sigmoid_grad_ld_from_e(long double e)
{
    long double s = 1.0L + e;
    long double s_lo = e - (s - 1.0L);
    long double d_hi, d_lo;
    two_prod_ld(s, s, &d_hi, &d_lo);
    return divide_ld(e, d_hi, d_lo + 2.0L * s * s_lo);
}

static inline long double sigmoid_ld(long double x) { return sigmoid_ld_from_e(x, expl(-fabsl(x))); }
static inline long double sigmoid_grad_ld(long double x) { return sigmoid_grad_ld_from_e(expl(-fabsl(x))); }

/* ------------------------------------------------------------------------ */
/* log_sigmoid(x) = log sigma(x) = min(x, 0) - log1p(exp(-|x|)).
 * No overflow (e = exp(-|x|) <= 1) and no cancellation: min(x, 0) and
 * -log1p(e) have the same sign.  log1p(e) is evaluated without a library
 * call (branch-free, vectorisable): 1 + e = 2^k (1 + f) with k in {0, 1}
 * and f in [-0.293, 0.415), then log1p(f) = 2 atanh(z), z = f/(2 + f),
 * |z| <= 0.1716, from its Taylor series in z^2. */

/* atanh series: Q(w) = sum w^n / (2n + 3), n = 0..9, w = z^2 <= 0.02944;
 * the first term left out, 2z w^11/23, is below 2^-60 relative to
 * log1p(f) ~ 2z. */
static inline double atanh_tail_f64(double w)
{
    double w2 = w * w, w4 = w2 * w2, w8 = w4 * w4;
    double c01 = 1.0 / 3.0 + w * (1.0 / 5.0);
    double c23 = 1.0 / 7.0 + w * (1.0 / 9.0);
    double c45 = 1.0 / 11.0 + w * (1.0 / 13.0);
    double c67 = 1.0 / 15.0 + w * (1.0 / 17.0);
    double c89 = 1.0 / 19.0 + w * (1.0 / 21.0);
    return (c01 + w2 * c23) + w4 * (c45 + w2 * c67) + w8 * c89;
}

/* log1p(f_hi + f_lo), f in [-0.293, 0.415], as a_hi + a_lo, relative error
 * below 2^-57.  z = f/(2 + f) as z + z_lo (one division, corrected by its
 * exact residual); then log1p(f) = 2z + 2z^3 Q(z^2) with 2z = f - z*f
 * exactly, which keeps f itself (exact, even subnormal) as the leading term
 * and leaves only the small z*f (<= 0.172 f) and the cubic tail rounded. */
static inline void log1p_reduced_f64(double f_hi, double f_lo, double *a_hi, double *a_lo)
{
    double d_hi = 2.0 + f_hi;
    double d_lo = ((2.0 - d_hi) + f_hi) + f_lo;   /* Fast2Sum: 2 >= |f_hi| */
    double inv = 1.0 / d_hi;
    double z = f_hi * inv;
    double residual = fma(-z, d_hi, f_hi) + (f_lo - z * d_lo);
    double z_lo = residual * inv;
    double zf = z * f_hi;
    double zf_lo = fma(z, f_hi, -zf) + (z * f_lo + z_lo * f_hi);
    double w = z * z;
    double tail = 2.0 * (z * w) * atanh_tail_f64(w);
    double s = f_hi - zf;                         /* Fast2Sum: |zf| < |f_hi| */
    double s_err = (f_hi - s) - zf;
    *a_hi = s;
    *a_lo = s_err + ((f_lo - zf_lo) + tail);
}

static const double SQRT2_MINUS_1 = 0x1.a827999fcef34p-2;  /* 0.41421356 */
static const double LOG_SIGMOID_BIG = 0x1p60;  /* below -2^60, log_sigmoid(x) = x */

/* float64.  Error: 0.5 ULP for the final rounding plus < 2^-56 relative from
 * exp (2^-58) and log1p: <= 1 ULP (measured: tests/test_accuracy.py).
 * Special values: -inf -> -inf, +inf -> 0, NaN -> NaN, nothing raised. */
static inline double log_sigmoid_f64(double x)
{
    double e_hi, e_lo;
    exp_neg_f64_dd(-clamped_abs_f64(x, SATURATE_F64), &e_hi, &e_lo);
    /* k = 1 when e >= sqrt(2) - 1: 1 + e = 2 (1 + f), f = (e - 1)/2 */
    uint64_t k1 = (uint64_t)0 - (uint64_t)(f64_bits(e_hi) >= f64_bits(SQRT2_MINUS_1));
    double a = f64_from_bits(f64_bits(-1.0) & k1);         /* -1 or 0 */
    double h = f64_from_bits(k1 ? f64_bits(0.5) : f64_bits(1.0));
    double s = a + e_hi;                                    /* Fast2Sum: |a| >= e or a = 0 */
    double s_err = e_hi - (s - a);
    double a_hi, a_lo;
    log1p_reduced_f64(s * h, (s_err + e_lo) * h, &a_hi, &a_lo);
    /* log1p(e) = k ln2 + log1p(f) = b + l_lo */
    double k_hi = f64_from_bits(f64_bits(LN2_HI) & k1), k_lo = f64_from_bits(f64_bits(LN2_LO) & k1);
    double b = k_hi + a_hi;                                 /* Fast2Sum: ln2 > 0.347 >= |a_hi| */
    double l_lo = ((k_hi - b) + a_hi) + (k_lo + a_lo);
    /* min(x, 0) - log1p(e): TwoSum, on x clamped to a finite value */
    uint64_t negative = (uint64_t)0 - (f64_bits(x) >> 63);
    double m = f64_from_bits(f64_bits(-clamped_abs_f64(x, LOG_SIGMOID_BIG)) & negative);
    double c = m - b;
    double bv = c - m;
    double c_err = (m - (c - bv)) + (-b - bv);
    double r = c + (c_err - l_lo);
    /* x < -2^60, -inf and negative NaNs: x itself; positive NaNs: added */
    uint64_t is_x = negative & ((uint64_t)0 - (uint64_t)((f64_bits(x) & 0x7fffffffffffffffu) >
                                                         f64_bits(LOG_SIGMOID_BIG)));
    return f64_from_bits((f64_bits(x) & is_x) | (f64_bits(r) & ~is_x)) + nan_or_zero_f64(x);
}

/* float32 (and float16): in float64 with a shorter series (n = 0..6, first
 * term left out < 2^-39 relative): the float result is within 0.5 + 2^-14
 * ULP.  In float64 nothing can overflow and -inf - L is -inf: no selects. */
static inline float log_sigmoid_f32(float x)
{
    double e = exp_neg_abs_f32(x);
    /* masks, not ?: on doubles, which GCC does not if-convert here */
    uint64_t k1 = (uint64_t)0 - (uint64_t)(f64_bits(e) >= f64_bits(SQRT2_MINUS_1));
    double a = f64_from_bits(f64_bits(-1.0) & k1);         /* -1 or 0 */
    double h = f64_from_bits(k1 ? f64_bits(0.5) : f64_bits(1.0));
    double f = (a + e) * h;
    double z = f / (2.0 + f);
    double w = z * z, w2 = w * w, w4 = w2 * w2;
    double q = (1.0 / 3.0 + w * (1.0 / 5.0)) + w2 * (1.0 / 7.0 + w * (1.0 / 9.0))
             + w4 * ((1.0 / 11.0 + w * (1.0 / 13.0)) + w2 * (1.0 / 15.0));
    double log1p_e = f64_from_bits(f64_bits(LN2) & k1) + (2.0 * z + 2.0 * (z * w) * q);
    uint64_t negative = (uint64_t)0 - (uint64_t)(f32_bits(x) >> 31);
    double m = f64_from_bits(f64_bits((double)x) & negative);
    return (float)(m - log1p_e) + nan_or_zero_f32(x);
}

/* long double: from the C library's expl and log1pl (scalar). */
static inline long double log_sigmoid_ld(long double x)
{
    return (signbit(x) ? x : 0.0L) - log1pl(expl(-fabsl(x)));
}

/* ------------------------------------------------------------------------ */
/* logit(p) = log(p / (1 - p)), the inverse of sigma.  y = p/(1 - p) is formed
 * as a double-double (1 - p exact by Fast2Sum, the quotient corrected by its
 * exact residual), then log y = k ln2 + log1p(m - 1) with y = 2^k m,
 * m in [sqrt(1/2), sqrt(2)): m - 1 is exact (Sterbenz) and carries the
 * low part of y, so p near 1/2 (y near 1) keeps every digit. */

static const uint64_t SQRT_HALF_BITS = 0x3fe6a09e667f3bcdu;  /* sqrt(1/2) */

/* float64: error 0.5 ULP + < 2^-56 relative: <= 1 ULP.  logit(0) = -inf,
 * logit(1) = inf, NaN outside [0, 1], NaN for NaN; nothing is raised: the
 * arithmetic runs on p = 1/2 wherever p is not in (0, 1), and the special
 * results are selected on the bits. */
static inline double logit_f64(double p)
{
    uint64_t bits = f64_bits(p);
    int64_t sbits = (int64_t)bits;              /* negative p: negative integer */
    uint64_t inside = (uint64_t)0 - (uint64_t)((sbits > 0) & (sbits < (int64_t)f64_bits(1.0)));
    double q = f64_from_bits((bits & inside) | (f64_bits(0.5) & ~inside));
    double t_hi = 1.0 - q;                      /* Fast2Sum: 1 >= q */
    double t_lo = (1.0 - t_hi) - q;
    double inv = 1.0 / t_hi;
    double y_hi = q * inv;
    double y_lo = (fma(-y_hi, t_hi, q) - y_hi * t_lo) * inv;
    /* subnormal y (from subnormal p): scale by 2^64 first */
    uint64_t sub = (uint64_t)0 - (uint64_t)(f64_bits(y_hi) < 0x0010000000000000u);
    double scale = f64_from_bits((f64_bits(0x1p64) & sub) | (f64_bits(1.0) & ~sub));
    y_hi *= scale;
    y_lo *= scale;
    int64_t k = (int64_t)((f64_bits(y_hi) + (f64_bits(1.0) - SQRT_HALF_BITS)) >> 52) - 1023;
    double m = f64_from_bits(f64_bits(y_hi) - ((uint64_t)k << 52));
    double a_hi, a_lo;
    log1p_reduced_f64(m - 1.0, y_lo * pow2_int(-k), &a_hi, &a_lo);
    /* k as a double through the bits of 1.5*2^52 + k: AVX2 has no int64 ->
     * double conversion, this vectorises */
    double kd = f64_from_bits(f64_bits(ROUND_MAGIC) + (uint64_t)(k - (int64_t)(sub & 64)))
              - ROUND_MAGIC;
    double k_hi = kd * LN2_HI;                  /* exact: |k| < 2^11 */
    double b = k_hi + a_hi;                     /* Fast2Sum: |k_hi| >= ln2 > |a_hi| or 0 */
    double r = b + (((k_hi - b) + a_hi) + (kd * LN2_LO + a_lo));
    /* outside (0, 1): +-0 -> -inf, 1 -> inf, NaN -> itself, else a quiet NaN */
    uint64_t magnitude = bits & 0x7fffffffffffffffu;
    uint64_t special = magnitude == 0 ? f64_bits(-INFINITY)
                     : bits == f64_bits(1.0) ? f64_bits(INFINITY)
                     : magnitude > 0x7ff0000000000000u ? bits : 0x7ff8000000000000u;
    return f64_from_bits((f64_bits(r) & inside) | (special & ~inside));
}

/* float32 (and float16): the same steps in plain float64, where a float p
 * never makes y subnormal, with the short atanh series of log_sigmoid_f32:
 * relative error < 2^-44 before the one rounding to float. */
static inline float logit_f32(float p)
{
    uint32_t bits = f32_bits(p);
    int32_t sbits = (int32_t)bits;
    uint64_t inside = (uint64_t)0 - (uint64_t)((sbits > 0) & (sbits < (int32_t)f32_bits(1.0f)));
    double q = f64_from_bits((f64_bits((double)p) & inside) | (f64_bits(0.5) & ~inside));
    double t = 1.0 - q;
    double inv = 1.0 / t;
    double y = q * inv;
    double y_lo = fma(-y, t, q) * inv;          /* keeps y - 1 exact-ish near p = 1/2 */
    int64_t k = (int64_t)((f64_bits(y) + (f64_bits(1.0) - SQRT_HALF_BITS)) >> 52) - 1023;
    double m = f64_from_bits(f64_bits(y) - ((uint64_t)k << 52));
    double f = (m - 1.0) + y_lo * pow2_int(-k);
    double z = f / (2.0 + f);
    double w = z * z, w2 = w * w, w4 = w2 * w2;
    double series = (1.0 / 3.0 + w * (1.0 / 5.0)) + w2 * (1.0 / 7.0 + w * (1.0 / 9.0))
                  + w4 * ((1.0 / 11.0 + w * (1.0 / 13.0)) + w2 * (1.0 / 15.0));
    double kd = f64_from_bits(f64_bits(ROUND_MAGIC) + (uint64_t)k) - ROUND_MAGIC;
    float r = (float)(kd * LN2 + (2.0 * z + 2.0 * (z * w) * series));
    uint32_t magnitude = bits & 0x7fffffffu;
    uint32_t special = magnitude == 0 ? f32_bits(-INFINITY)
                     : bits == f32_bits(1.0f) ? f32_bits(INFINITY)
                     : magnitude > 0x7f800000u ? bits : 0x7fc00000u;
    uint32_t inside32 = (uint32_t)inside;
    return f32_from_bits((f32_bits(r) & inside32) | (special & ~inside32));
}

/* long double, scalar: log1pl((2p - 1)/(1 - p)) where p >= 1/4 (2p - 1 exact
 * there), logl(p/(1 - p)) below, the quotients to half an ULP (1 - p as an
 * exact pair, divide_ld); isless/isgreater are the quiet comparisons. */
static inline long double logit_ld(long double p)
{
    if (!(isgreater(p, 0.0L) && isless(p, 1.0L))) {
        if (p != p)
            return p;
        if (p == 0.0L)
            return -INFINITY;
        return p == 1.0L ? INFINITY : NAN;
    }
    long double t = 1.0L - p, t_lo = (1.0L - t) - p;   /* Fast2Sum: 1 - p exactly */
    if (isless(p, 0.25L))
        return logl(divide_ld(p, t, t_lo));
    return log1pl(divide_ld(2.0L * p - 1.0L, t, t_lo));
}

/* ------------------------------------------------------------------------ */
/* Complex sigma(z) and sigma'(z), z = x + iy, scalar, from the C library's
 * exp, expm1, sin and cos in double (complex64 is evaluated in double and
 * rounded once).  With a = exp(-|x|) <= 1 nothing overflows for large |x|:
 *     x >= 0:  sigma = (1 + a e^{-iy})^{-1} = (1 + a c + i a s) / den
 *     x <  0:  sigma = a e^{iy} / (1 + a e^{iy}) = (a c + a^2 + i a s) / den
 * c = cos y, s = sin y, den = |1 + a e^{iy}|^2 = (1 + a c)^2 + (a s)^2.
 * 1 + a c is formed as (1 - a) + 2a cos^2(y/2): two non-negative terms, so it
 * keeps its relative accuracy near the poles z = i pi (2k + 1) too.
 * sigma' is even: sigma'(z) = w / (1 + w)^2 with w = a e^{-iy'}, y' = y for
 * x >= 0 and -y for x < 0; w conj(1 + w)^2 / den^2 has no cancellation
 * relative to |sigma'| = a / den.  The error is a few eps relative to |f(z)|
 * (tested against mpmath). */
typedef struct { double re, im; } c64_parts;

static inline void complex_common(double x, double y, double *a, double *one_plus_ac,
                                  double *s, double *c, double *c_plus_a)
{
    double ax = fabs(x);
    double ch = cos(0.5 * y);
    double em1 = expm1(-ax);                    /* a - 1, accurate for small |x| */
    *a = exp(-ax);
    *s = sin(y);
    *c = 2.0 * ch * ch - 1.0;
    *one_plus_ac = -em1 + 2.0 * *a * (ch * ch);
    *c_plus_a = 2.0 * (ch * ch) + em1;          /* (1 + c) + (a - 1) */
}

static inline c64_parts sigmoid_complex(double x, double y)
{
    double a, p, s, c, c_plus_a;
    complex_common(x, y, &a, &p, &s, &c, &c_plus_a);
    double as = a * s;
    double den = p * p + as * as;
    /* x < 0: a c + a^2 = a (c + a), c + a summed from its accurate parts */
    double re_num = signbit(x) ? a * c_plus_a : p;
    c64_parts r = {re_num / den, as / den};
    return r;
}

static inline c64_parts sigmoid_grad_complex(double x, double y)
{
    double a, p, s, c, c_plus_a;
    complex_common(x, signbit(x) ? -y : y, &a, &p, &s, &c, &c_plus_a);
    (void)c_plus_a;
    /* 1 + w = p - i a s; conj(1 + w)^2 = (p^2 - (a s)^2) + 2i p a s; w = a (c - i s) */
    double as = a * s;
    double den = p * p + as * as;
    double d_re = p * p - as * as, d_im = 2.0 * p * as;
    double re = a * (c * d_re + s * d_im);
    double im = a * (c * d_im - s * d_re);
    double den2 = den * den;
    c64_parts r = {re / den2, im / den2};
    return r;
}

/* ------------------------------------------------------------------------ */
/* sigmoid_backward(dy, y) = dy * y * (1 - y), to <= 1 ULP of the exact value
 * for the given floats. */

/* float64.  1 - y = t_hi + t_lo exactly (TwoSum; t_lo = 0 by Sterbenz for
 * y in [1/2, 2]), y*(1 - y) = p_hi + p_lo with the exact fma error of
 * y*t_hi, then one fma rounds dy*p_hi + fl(dy*p_lo) once: error 0.5 ULP plus
 * terms of relative size 2^-104, i.e. correctly rounded but for near-halfway
 * cases.
 * The correction is computed only where |y| < 2^256 and |dy*y*(1 - y)| <
 * 2^1022 (from zeros elsewhere), so that none of its steps can overflow:
 * inf - inf or 0 * inf there would raise a spurious "invalid".  Outside
 * (never the case for a sigmoid output and a finite result; inf, NaN), the
 * plain product fl(dy*fl(y*(1 - y))) is returned. */
static inline double sigmoid_backward_f64(double dy, double y)
{
    double p_hi = y * (1.0 - y);
    double r = dy * p_hi;
    int64_t y_mag = (int64_t)(f64_bits(y) & 0x7fffffffffffffffu);
    int64_t r_mag = (int64_t)(f64_bits(r) & 0x7fffffffffffffffu);
    /* signed compares: they vectorise on AVX2; magnitudes are below 2^63 */
    uint64_t ok = (uint64_t)0 - (uint64_t)((int)(y_mag < (int64_t)f64_bits(0x1p256)) &
                                           (int)(r_mag < (int64_t)f64_bits(0x1p1022)));
    /* masks, not ?: on doubles, which GCC does not if-convert here */
    double y_c = f64_from_bits(f64_bits(y) & ok), dy_c = f64_from_bits(f64_bits(dy) & ok);
    double t_c = 1.0 - y_c;                 /* TwoSum(1, -y) */
    double bv = t_c - 1.0;
    double t_lo = (1.0 - (t_c - bv)) + (-y_c - bv);
    double p_c = y_c * t_c;
    double p_lo = fma(y_c, t_c, -p_c) + y_c * t_lo;
    return fma(dy, p_hi, dy_c * p_lo);
}

/* float32 (and float16 through it): in float64, where 1 - y is exact for
 * y >= 2^-29 and each product carries a relative error <= 2^-53: the float
 * result is within 0.5 + 2^-27 ULP.  No corrections, so nothing spurious. */
static inline float sigmoid_backward_f32(float dy, float y)
{
    double yd = (double)y;
    return (float)((double)dy * (yd * (1.0 - yd)));
}

/* long double: the float64 scheme with Dekker's exact products (no FMA).
 * Outside |dy|, |y| < 2^8000 (never a sigmoid output) or for inf/NaN, the
 * plain product: Dekker's split would overflow there.  isless() is the quiet
 * comparison: a NaN raises nothing. */
static inline long double sigmoid_backward_ld(long double dy, long double y)
{
    const long double big = 0x1p8000L;
    long double t_hi = 1.0L - y;
    if (!isless(fabsl(y), big) || !isless(fabsl(dy), big))
        return dy * (y * t_hi);
    long double bv = t_hi - 1.0L;
    long double t_lo = (1.0L - (t_hi - bv)) + (-y - bv);
    long double p_hi, p_err, r, r_err;
    two_prod_ld(y, t_hi, &p_hi, &p_err);
    long double p_lo = p_err + y * t_lo;
    two_prod_ld(dy, p_hi, &r, &r_err);
    return r + (r_err + dy * p_lo);
}

/* ------------------------------------------------------------------------ */
/* IEEE binary16 <-> binary32, round to nearest even (no F16C needed). */
static inline float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f)                   /* inf, NaN (payload kept) */
        return f32_from_bits(sign | 0x7f800000u | (mantissa << 13));
    if (exponent == 0) {                    /* zero, subnormal: exact */
        float v = (float)mantissa * 0x1p-24f;
        return sign ? -v : v;
    }
    return f32_from_bits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

static inline uint16_t float_to_half(float f)
{
    uint32_t u = f32_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t abs_bits = u & 0x7fffffffu;
    if (abs_bits >= 0x7f800000u)            /* inf, NaN (kept quiet) */
        return (uint16_t)(sign | 0x7c00u | (abs_bits > 0x7f800000u ? 0x200u | ((abs_bits >> 13) & 0x3ffu) : 0u));
    if (abs_bits >= 0x477ff000u)            /* rounds to >= 65520: inf */
        return (uint16_t)(sign | 0x7c00u);
    if (abs_bits < 0x38800000u) {           /* below 2^-14: subnormal half */
        /* adding 0.5 (exponent 2^-1) puts the half subnormal quantum 2^-24 at
         * the float's last bit; the FPU's rounding is then round-to-even. */
        float shifted = f32_from_bits(abs_bits) + 0.5f;
        return (uint16_t)(sign | (f32_bits(shifted) - 0x3f000000u));
    }
    /* normal: drop 13 bits with round to nearest even */
    uint32_t rounded = abs_bits + 0xfffu + ((abs_bits >> 13) & 1u);
    return (uint16_t)(sign | ((rounded - 0x38000000u) >> 13));
}

#endif
