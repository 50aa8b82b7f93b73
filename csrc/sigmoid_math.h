/*
 * Scalar math of sigmoidx: one inline function per (function, dtype).
 * Plain C, no Python.  The float and double functions select rather than branch
 * where they can, so that a compiler may vectorise the element-wise loops of
 * kernels_impl.h; the long double and complex ones, and rare paths, do branch.
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
 * call, so every instruction-set level whose target has FMA computes the same
 * bits.  Without an fma instruction (the x86-64 baseline) the exact products
 * come from Dekker's splitting instead (same bits), and the float64 exp,
 * quotients and log1p take cheaper steps (SIGMOIDX_EXACT_PRODUCTS_BY_FMA
 * unset, below), each within the same contract.
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

/* Lane masks (all ones or all zeros) from 64-bit integers by subtraction and
 * shifts only: SSE2, the x86-64 baseline, has those for 64-bit lanes but no
 * 64-bit compare (nor min, nor arithmetic right shift), and one such compare
 * keeps GCC from vectorising a whole loop.  mask_less_u63 needs a, b < 2^63
 * (magnitudes of doubles: the sign of a - b is then that of a - b exactly). */
static inline uint64_t mask_less_u63(uint64_t a, uint64_t b) { return (uint64_t)0 - ((a - b) >> 63); }
static inline uint64_t mask_sign_bit(uint64_t bits) { return (uint64_t)0 - (bits >> 63); }
static inline uint64_t mask_zero_u63(uint64_t a) { return mask_less_u63(a, 1); }
static inline double select_f64(uint64_t mask, double a, double b)
{
    return f64_from_bits((f64_bits(a) & mask) | (f64_bits(b) & ~mask));
}
static const uint64_t ABS_MASK_F64 = 0x7fffffffffffffffu;

static const double LOG2E  = 0x1.71547652b82fep+0;  /* 1/ln 2 */
static const double LN2    = 0x1.62e42fefa39efp-1;  /* ln 2 rounded */
static const double LN2_HI = 0x1.62e42fefa3800p-1;  /* ln 2, 42 bits: k*LN2_HI exact for |k| < 2^11 */
static const double LN2_LO = 0x1.ef35793c76730p-45; /* ln 2 - LN2_HI */
/* Adding then subtracting 1.5*2^52 rounds to the nearest integer; the integer
 * is then also the low bits of the sum's representation. */
static const double ROUND_MAGIC = 0x1.8p52;

/* ------------------------------------------------------------------------ */
/* Exact products for the compensated steps (float64).  Two forms occur:
 *     product_error_f64(a, b, p) = a*b - p     for p = fl(a*b): exact
 *     residual_f64(c, a, b)      = fl(c - a*b)  where c is within a factor 2
 *                                               of fl(a*b) (a quotient's residual)
 * Where the compile target has a fused multiply-add instruction both are one
 * fma().  Where it has none (the x86-64 baseline, SSE2), fma() is a library
 * call that costs more than a whole step and stops vectorisation; there the
 * product is split instead (Veltkamp's split, Dekker's product: 17 plain
 * operations that vectorise).  Both forms then give fma()'s bits exactly
 * where Dekker's product is exact:
 *   - |a|, |b| < 2^995, so that (2^27 + 1) a cannot overflow, and
 *   - e_a + e_b >= -970 (e the binary exponents), so that no partial product
 *     falls below 2^-1074; when it does (a*b below about 2^-968) the error
 *     term is off by at most 2^-1072 in absolute terms, and
 *   - every operation rounds once to double: FLT_EVAL_METHOD == 0 (x87's
 *     extended registers would round twice) and no contraction of a*b - p
 *     into an fma (-ffp-contract=off, as setup.py builds).
 * residual_f64 is then exact too: c - fl(a*b) is exact by Sterbenz's lemma,
 * and one subtraction of the exact error rounds the true c - a*b once.
 * Every call site below states why its operands stay in that range.
 * SIGMOIDX_TARGET_HAS_FMA: set by a kernels_*.c file that compiles for an FMA
 * target by a route the preprocessor does not see (clang's target attribute).
 */
#if defined(__FMA__) || defined(__FP_FAST_FMA) || defined(FP_FAST_FMA) || \
    defined(__ARM_FEATURE_FMA) || defined(SIGMOIDX_TARGET_HAS_FMA) || \
    !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#define SIGMOIDX_EXACT_PRODUCTS_BY_FMA 1
#endif

#ifdef SIGMOIDX_EXACT_PRODUCTS_BY_FMA
static inline double product_error_f64(double a, double b, double p) { return fma(a, b, -p); }
static inline double residual_f64(double c, double a, double b) { return fma(-a, b, c); }
#else
/* a = hi + lo exactly, hi with at most 26 significant bits, lo with 26 */
static inline void split_f64(double a, double *hi, double *lo)
{
    double c = 134217729.0 * a;             /* 2^27 + 1 */
    *hi = c - (c - a);
    *lo = a - *hi;
}

static inline double product_error_f64(double a, double b, double p)
{
    double a_hi, a_lo, b_hi, b_lo;
    split_f64(a, &a_hi, &a_lo);
    split_f64(b, &b_hi, &b_lo);
    return ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
}

static inline double residual_f64(double c, double a, double b)
{
    double p = a * b;
    return (c - p) - product_error_f64(a, b, p);
}
#endif

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
static inline void apply_pow2_f64(int64_t k, double m_hi, double m_lo, double *hi, double *lo)
{
    int64_t k_half = -(int64_t)((uint64_t)(-k) >> 1);  /* k <= 0: a logical shift */
    double scale1 = pow2_int(k_half), scale2 = pow2_int(k - k_half);
    *hi = (m_hi * scale1) * scale2;
    *lo = (m_lo * scale1) * scale2;
}

#ifdef SIGMOIDX_EXACT_PRODUCTS_BY_FMA
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
    /* |rh| <= 0.35; below 2^-485 the error term is inexact but < 2^-1072 next to 1 */
    double half_sq_err = 0.5 * product_error_f64(rh, rh, sq);
    double s1 = 1.0 + rh;                   /* Fast2Sum, |1| >= |rh| */
    double e1 = (1.0 - s1) + rh;
    double s2 = s1 + half_sq;               /* Fast2Sum, s1 >= 0.6 > half_sq */
    double e2 = (s1 - s2) + half_sq;
    double small = e1 + e2 + half_sq_err + cubic_tail + (rl + rl * rh);
    double m_hi = s2 + small;               /* renormalise */
    double m_lo = (s2 - m_hi) + small;
    apply_pow2_f64(k, m_hi, m_lo, hi, lo);
}
#else
/* Without an fma instruction, fewer operations and no exact products: a
 * table of 2^(j/128) leaves a reduced argument so small that only the last
 * rounding needs carrying.
 * a = -ax = (128k + j) ln2/128 - v, |v| <= ln2/256 (a hair more: ax*128/ln2 is
 * rounded before the rounding to an integer), exp(a) = 2^k T_j (1 - u),
 * T_j = 2^(j/128) = t_hi + t_lo (mpmath, to 2^-106), u = 1 - exp(-v) =
 * v - v^2 P(v), P the Taylor series of (exp(-v) - 1 + v)/v^2 to v^3
 * (truncation below 2^-60.7 relative).  The roundings of v, u, t_hi u and
 * t_hi u - t_lo are each below 2^-53 |u| T_j <= 2^-61.5 T_j, t_lo u is left
 * out (also < 2^-61.5): relative error of hi + lo below 2^-58.  hi is
 * T_j - (t_hi u - t_lo) rounded once, lo the exact rest (Fast2Sum).
 * The table holds T_j 2^-64 (the same bits, scaled): times 2^(k + 64),
 * normal for k >= -1077, a subnormal result is rounded once. */
static const double EXP2_J_128_HI[128] = {  /* 2^(j/128 - 64) = hi + lo */
    0x1.0000000000000p-64, 0x1.0163da9fb3335p-64, 0x1.02c9a3e778061p-64, 0x1.04315e86e7f85p-64,
    0x1.059b0d3158574p-64, 0x1.0706b29ddf6dep-64, 0x1.0874518759bc8p-64, 0x1.09e3ecac6f383p-64,
    0x1.0b5586cf9890fp-64, 0x1.0cc922b7247f7p-64, 0x1.0e3ec32d3d1a2p-64, 0x1.0fb66affed31bp-64,
    0x1.11301d0125b51p-64, 0x1.12abdc06c31ccp-64, 0x1.1429aaea92de0p-64, 0x1.15a98c8a58e51p-64,
    0x1.172b83c7d517bp-64, 0x1.18af9388c8deap-64, 0x1.1a35beb6fcb75p-64, 0x1.1bbe084045cd4p-64,
    0x1.1d4873168b9aap-64, 0x1.1ed5022fcd91dp-64, 0x1.2063b88628cd6p-64, 0x1.21f49917ddc96p-64,
    0x1.2387a6e756238p-64, 0x1.251ce4fb2a63fp-64, 0x1.26b4565e27cddp-64, 0x1.284dfe1f56381p-64,
    0x1.29e9df51fdee1p-64, 0x1.2b87fd0dad990p-64, 0x1.2d285a6e4030bp-64, 0x1.2ecafa93e2f56p-64,
    0x1.306fe0a31b715p-64, 0x1.32170fc4cd831p-64, 0x1.33c08b26416ffp-64, 0x1.356c55f929ff1p-64,
    0x1.371a7373aa9cbp-64, 0x1.38cae6d05d866p-64, 0x1.3a7db34e59ff7p-64, 0x1.3c32dc313a8e5p-64,
    0x1.3dea64c123422p-64, 0x1.3fa4504ac801cp-64, 0x1.4160a21f72e2ap-64, 0x1.431f5d950a897p-64,
    0x1.44e086061892dp-64, 0x1.46a41ed1d0057p-64, 0x1.486a2b5c13cd0p-64, 0x1.4a32af0d7d3dep-64,
    0x1.4bfdad5362a27p-64, 0x1.4dcb299fddd0dp-64, 0x1.4f9b2769d2ca7p-64, 0x1.516daa2cf6642p-64,
    0x1.5342b569d4f82p-64, 0x1.551a4ca5d920fp-64, 0x1.56f4736b527dap-64, 0x1.58d12d497c7fdp-64,
    0x1.5ab07dd485429p-64, 0x1.5c9268a5946b7p-64, 0x1.5e76f15ad2148p-64, 0x1.605e1b976dc09p-64,
    0x1.6247eb03a5585p-64, 0x1.6434634ccc320p-64, 0x1.6623882552225p-64, 0x1.68155d44ca973p-64,
    0x1.6a09e667f3bcdp-64, 0x1.6c012750bdabfp-64, 0x1.6dfb23c651a2fp-64, 0x1.6ff7df9519484p-64,
    0x1.71f75e8ec5f74p-64, 0x1.73f9a48a58174p-64, 0x1.75feb564267c9p-64, 0x1.780694fde5d3fp-64,
    0x1.7a11473eb0187p-64, 0x1.7c1ed0130c132p-64, 0x1.7e2f336cf4e62p-64, 0x1.80427543e1a12p-64,
    0x1.82589994cce13p-64, 0x1.8471a4623c7adp-64, 0x1.868d99b4492edp-64, 0x1.88ac7d98a6699p-64,
    0x1.8ace5422aa0dbp-64, 0x1.8cf3216b5448cp-64, 0x1.8f1ae99157736p-64, 0x1.9145b0b91ffc6p-64,
    0x1.93737b0cdc5e5p-64, 0x1.95a44cbc8520fp-64, 0x1.97d829fde4e50p-64, 0x1.9a0f170ca07bap-64,
    0x1.9c49182a3f090p-64, 0x1.9e86319e32323p-64, 0x1.a0c667b5de565p-64, 0x1.a309bec4a2d33p-64,
    0x1.a5503b23e255dp-64, 0x1.a799e1330b358p-64, 0x1.a9e6b5579fdbfp-64, 0x1.ac36bbfd3f37ap-64,
    0x1.ae89f995ad3adp-64, 0x1.b0e07298db666p-64, 0x1.b33a2b84f15fbp-64, 0x1.b59728de5593ap-64,
    0x1.b7f76f2fb5e47p-64, 0x1.ba5b030a1064ap-64, 0x1.bcc1e904bc1d2p-64, 0x1.bf2c25bd71e09p-64,
    0x1.c199bdd85529cp-64, 0x1.c40ab5fffd07ap-64, 0x1.c67f12e57d14bp-64, 0x1.c8f6d9406e7b5p-64,
    0x1.cb720dcef9069p-64, 0x1.cdf0b555dc3fap-64, 0x1.d072d4a07897cp-64, 0x1.d2f87080d89f2p-64,
    0x1.d5818dcfba487p-64, 0x1.d80e316c98398p-64, 0x1.da9e603db3285p-64, 0x1.dd321f301b460p-64,
    0x1.dfc97337b9b5fp-64, 0x1.e264614f5a129p-64, 0x1.e502ee78b3ff6p-64, 0x1.e7a51fbc74c83p-64,
    0x1.ea4afa2a490dap-64, 0x1.ecf482d8e67f1p-64, 0x1.efa1bee615a27p-64, 0x1.f252b376bba97p-64,
    0x1.f50765b6e4540p-64, 0x1.f7bfdad9cbe14p-64, 0x1.fa7c1819e90d8p-64, 0x1.fd3c22b8f71f1p-64
};
static const double EXP2_J_128_LO[128] = {
    0.0, 0x1.b61299ab8cdb7p-118, -0x1.19083535b085dp-120, -0x1.0a31c1977c96ep-118,
    0x1.d73e2a475b465p-119, -0x1.c91dfe2b13c27p-119, 0x1.186be4bb284ffp-121, 0x1.1487818316136p-118,
    0x1.8a62e4adc610bp-118, 0x1.01edc16e24f71p-118, 0x1.03a1727c57b53p-123, -0x1.b9bedc44ebd7bp-121,
    -0x1.6c51039449b3ap-118, -0x1.1b514b36ca5c7p-122, -0x1.32fbf9af1369ep-118, 0x1.2406ab9eeab0ap-119,
    -0x1.19041b9d78a76p-119, -0x1.11023d1970f6cp-118, 0x1.e5b4c7b4968e4p-119, -0x1.95386352ef607p-118,
    0x1.e016e00a2643cp-118, -0x1.1df98027bb78cp-118, 0x1.dc775814a8495p-119, 0x1.2a97e9494a5eep-119,
    0x1.9b07eb6c70573p-118, 0x1.ac155bef4f4a4p-119, 0x1.2bd339940e9d9p-119, -0x1.a4c3a8c3f0d7ep-118,
    0x1.612e8afad1255p-119, -0x1.10adcd6381aa4p-123, 0x1.0024754db41d5p-118, 0x1.1ca0f45d52383p-120,
    0x1.6f46ad23182e4p-119, 0x1.a9ce78e18047cp-119, 0x1.32721843659a6p-118, -0x1.b5cee5c4e4628p-119,
    -0x1.63aeabf42eae2p-118, -0x1.e958d3c9904bdp-118, -0x1.5e436d661f5e3p-120, -0x1.efff8375d29c3p-118,
    0x1.ada0911f09ebcp-119, -0x1.7d023f956f9f3p-118, -0x1.ef3691c309278p-122, -0x1.1c7dde35f7999p-119,
    0x1.89b7a04ef80d0p-123, 0x1.c944bd1648a76p-118, 0x1.3c1a3b69062f0p-120, 0x1.9cb62f3d1be56p-118,
    0x1.d4397afec42e2p-120, 0x1.8ecdbbc6a7833p-118, -0x1.4b309d25957e3p-118, -0x1.f768569bd93efp-119,
    -0x1.07abe1db13cadp-119, -0x1.d689cefede59bp-119, 0x1.9bb2c011d93adp-118, 0x1.295e15b9a1de8p-119,
    0x1.6324c054647adp-118, 0x1.c4b1b816986a2p-124, 0x1.ba6f93080e65ep-118, -0x1.3e2429b56de47p-118,
    -0x1.383c17e40b497p-118, -0x1.c483c759d8933p-119, -0x1.bb60987591c34p-118, 0x1.038ae44f73e65p-121,
    -0x1.bdd3413b26456p-118, -0x1.2895667ff0b0dp-120, -0x1.bbe3a683c88abp-121, -0x1.83c0f25860ef6p-119,
    -0x1.16e4786887a99p-119, -0x1.0a8d96c65d53cp-118, -0x1.0245957316dd3p-118, 0x1.866b80a02162dp-118,
    -0x1.41577ee04992fp-119, 0x1.f124cd1164dd6p-118, 0x1.05d02ba15797ep-120, -0x1.27c86626d972bp-118,
    -0x1.d4c1dd41532d8p-118, -0x1.8d684a341cdfbp-119, -0x1.fc6f89bd4f6bap-118, 0x1.994c2f37cb53ap-118,
    0x1.6e9f156864b27p-118, -0x1.0d55e32e9e3aap-120, 0x1.5cc13a2e3976cp-119, -0x1.dd6792e582524p-118,
    -0x1.75fc781b57ebcp-121, -0x1.64b7c96a5f039p-120, -0x1.d185b7c1b85d1p-118, -0x1.173bd91cee632p-118,
    0x1.c7c46b071f2bep-120, 0x1.824ca78e64c6ep-120, -0x1.359495d1cd533p-118, 0x1.6305c7ddc36abp-118,
    -0x1.d2f6edb8d41e1p-118, 0x1.bcb7ecac563c7p-118, 0x1.0fac90ef7fd31p-118, -0x1.f9234cae76cd0p-119,
    0x1.7a1cd345dcc81p-118, -0x1.bdef54c80e425p-118, -0x1.2805e3084d708p-121, -0x1.c71dfbbba6de3p-118,
    -0x1.5584f7e54ac3bp-120, -0x1.efcd30e54292ep-118, 0x1.23dd07a2d9e84p-119, -0x1.efdca3f6b9c73p-118,
    0x1.11065895048ddp-119, 0x1.b4537e083c60ap-118, 0x1.2884dff483cadp-118, 0x1.1acbc48805c44p-120,
    0x1.503cbd1e949dbp-120, -0x1.dd83b53829d72p-119, -0x1.cbc3743797a9cp-118, -0x1.d487b719d8578p-118,
    0x1.2ed02d75b3707p-119, -0x1.11ec18beddfe8p-118, 0x1.c2300696db532p-118, 0x1.2da5778f018c3p-118,
    -0x1.1a5cd4f184b5cp-118, -0x1.7b627817a1496p-118, 0x1.39e8980a9cc8fp-119, 0x1.2d522ca0c8de2p-118,
    -0x1.e9c23179c2893p-118, -0x1.c93f3b411ad8cp-118, 0x1.dc7f486a4b6b0p-118, 0x1.3a1a5bf0d8e43p-118,
    0x1.9d3e12dd8a18bp-118, -0x1.dbb12d006350ap-118, 0x1.74853f3a5931ep-119, 0x1.2eb74966579e7p-121
};

static inline void exp_neg_f64_dd(double a, double *hi, double *lo)
{
    double ax = -a;                            /* the caller's -|x|: folded away */
    double shifted = ROUND_MAGIC - ax * 0x1.71547652b82fep+7;    /* 128/ln2 */
    double nf = shifted - ROUND_MAGIC;                           /* n in [-137771, 0] */
    /* v = ax + n ln2/128: n*LN2_128_HI exact (35-bit constant, |n| < 2^18),
     * v_hi exact (Sterbenz) */
    double v_hi = nf * 0x1.62e42fefc0000p-8 + ax;
    double v = v_hi + nf * -0x1.c610ca86c3899p-44;
    double v2 = v * v;
    double p = (1.0 / 2 - v * (1.0 / 6)) + v2 * (1.0 / 24 - v * (1.0 / 120));
    double u = v - v2 * p;                     /* |u| < 2^-8.5 */
    /* n is the low bits of shifted's representation, whose constant part is
     * a multiple of 2^51: j = n mod 128, and (n >> 7) << 52 = k << 52
     * (mod 2^64) from logical shifts (SSE2 has no 64-bit arithmetic shift) */
    uint64_t shifted_bits = f64_bits(shifted);
    uint64_t j = shifted_bits & 127;
    double t_hi = EXP2_J_128_HI[j];
    double w = t_hi * u - EXP2_J_128_LO[j];
    double m_hi = t_hi - w;                    /* Fast2Sum: |w| < t_hi */
    double m_lo = (t_hi - m_hi) - w;
    double scale = f64_from_bits(((shifted_bits >> 7) << 52) + f64_bits(0x1p64));
    *hi = m_hi * scale;
    *lo = m_lo * scale;
}
#endif

/* |x| clamped to the saturation point `limit`, in integer arithmetic on the
 * bits: non-negative doubles order like their bit patterns, and NaN (whose
 * bits exceed those of inf) is clamped too, to be put back at the end.  A
 * floating-point compare would raise "invalid" on NaN, and counts as a
 * trapping operation that keeps GCC from vectorising the loop. */
static inline double clamped_abs_f64(double x, double limit)
{
    uint64_t abs_bits = f64_bits(x) & 0x7fffffffffffffffu, limit_bits = f64_bits(limit);
    uint64_t below = mask_less_u63(abs_bits, limit_bits);
    return f64_from_bits((abs_bits & below) | (limit_bits & ~below));
}

static inline float clamped_abs_f32(float x, float limit)
{
    uint32_t abs_bits = f32_bits(x) & 0x7fffffffu, limit_bits = f32_bits(limit);
    return f32_from_bits(abs_bits < limit_bits ? abs_bits : limit_bits);
}

/* x itself if x is NaN, else +0: adding it to a result puts the NaN back. */
static inline double nan_or_zero_f64(double x)
{
    return f64_from_bits(f64_bits(x) & mask_less_u63(0x7ff0000000000000u, f64_bits(x) & ABS_MASK_F64));
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

/* The baseline's float64 loops (kernels_impl.h) take a shorter path through
 * a block of inputs that are all moderate, |x| < 708 (NaN excluded): e is
 * normal there, |x| needs no clamping and no NaN is put back; the results
 * are the same bits.  outside_moderate_f64(x) has its top bit set where x is
 * not moderate (|x| + 2^63 - 708 in the bits reaches 2^63). */
static const double MODERATE_F64 = 708.0;

static inline uint64_t outside_moderate_f64(double x)
{
    return (f64_bits(x) & ABS_MASK_F64) + ((uint64_t)1 << 63) - f64_bits(MODERATE_F64);
}

static inline void sigmoid_f64_common_moderate(double x, double *e_hi, double *e_lo)
{
    exp_neg_f64_dd(-fabs(x), e_hi, e_lo);
}

#ifndef SIGMOIDX_EXACT_PRODUCTS_BY_FMA
/* Without an fma instruction the quotients below are corrected with a
 * divisor cut to 26 significant bits, which saves Dekker's product its
 * splits.  1 + e = s_hi + s_lo for e = e_hi + e_lo in [0, 1], s_hi a multiple
 * of 2^-25 in [1, 2] (26 bits), |s_lo| <= 2^-26 + |e_lo|. */
static inline void one_plus_short_f64(double e_hi, double e_lo, double *s_hi, double *s_lo)
{
    double e_head = (e_hi + 0x1p27) - 0x1p27;   /* e_hi to a multiple of 2^-25 */
    *s_hi = 1.0 + e_head;                       /* exact */
    *s_lo = (e_hi - e_head) + e_lo;             /* e_hi - e_head exact */
}

/* (n_hi + n_lo) / (d_hi + d_lo) for d_hi of at most 26 significant bits,
 * |d_lo| < 2^-22 d_hi, inv = 1/fl(d_hi + d_lo) (relative error ~2^-52).  The
 * quotient's head q_hi (Veltkamp's 26-bit half of n_hi*inv) times d_hi is
 * exact (52 bits) and within 2^-21 of n_hi, so n_hi - q_hi*d_hi is exact
 * (Sterbenz); the rest of the residual, of relative size < 2^-21, is rounded
 * at 2^-74, and q_hi + residual*inv rounds once: 0.5 ULP + ~2^-20 ULP. */
static inline double divide_by_short_f64(double n_hi, double n_lo, double d_hi, double d_lo,
                                         double inv)
{
    double q = n_hi * inv;
    double c = 134217729.0 * q;                 /* 2^27 + 1; q <= 1 */
    double q_hi = c - (c - q);
    double residual = ((n_hi - q_hi * d_hi) - q_hi * d_lo) + n_lo;
    return q_hi + residual * inv;
}
#endif

/* sigma(x), float64.  s = 1 + e exactly as s_hi + s_lo (Fast2Sum); one
 * division gives 1/s_hi, the quotient n/s is then corrected once with the
 * exact residual n - q*s.  Max error 0.5 ULP + 2^-5 ULP from exp: <= 1 ULP
 * (measured in benchmarks/accuracy.py), subnormal results included.  Without
 * an fma instruction: the table-driven exp (2^-58) and divide_by_short_f64,
 * within 0.7500 ULP as measured (at subnormal results, which exp's scaling
 * rounds before the quotient rounds again). */
static inline double sigmoid_f64_from_e_not_nan(double x, double e_hi, double e_lo)
{
    uint64_t negative = mask_sign_bit(f64_bits(x));
    double n_hi = select_f64(negative, e_hi, 1.0);
    double n_lo = f64_from_bits(f64_bits(e_lo) & negative);
#ifdef SIGMOIDX_EXACT_PRODUCTS_BY_FMA
    double s_hi = 1.0 + e_hi;
    double s_lo = ((1.0 - s_hi) + e_hi) + e_lo;
    double inv = 1.0 / s_hi;
    double q = n_hi * inv;
    /* q <= 1, s_hi in [1, 2]: exact (q below 2^-968 only where s_hi = 1) */
    double residual = residual_f64(n_hi, q, s_hi) + (n_lo - q * s_lo);
    return q + residual * inv;
#else
    double s_short, s_rest;
    one_plus_short_f64(e_hi, e_lo, &s_short, &s_rest);
    return divide_by_short_f64(n_hi, n_lo, s_short, s_rest, 1.0 / (1.0 + e_hi));
#endif
}

/* the same, a NaN x put back (a sigmoid is never -0: adding +0 changes nothing) */
static inline double sigmoid_f64_from_e(double x, double e_hi, double e_lo)
{
    return sigmoid_f64_from_e_not_nan(x, e_hi, e_lo) + nan_or_zero_f64(x);
}

static inline double sigmoid_f64(double x)
{
    double e_hi, e_lo;
    sigmoid_f64_common(x, &e_hi, &e_lo);
    return sigmoid_f64_from_e(x, e_hi, e_lo);
}

/* sigma'(x) = e / (1+e)^2, float64.  d = s^2 as d_hi + d_lo (exact product
 * by fma), q = e/d corrected once by the residual e - q*d.  Without an fma
 * instruction, d's head cut to 26 bits for divide_by_short_f64. */
static inline double sigmoid_grad_f64_from_e_not_nan(double e_hi, double e_lo)
{
#ifdef SIGMOIDX_EXACT_PRODUCTS_BY_FMA
    double s_hi = 1.0 + e_hi;
    double s_lo = ((1.0 - s_hi) + e_hi) + e_lo;
    double d_hi = s_hi * s_hi;
    double d_lo = product_error_f64(s_hi, s_hi, d_hi) + 2.0 * s_hi * s_lo;  /* s_hi in [1, 2] */
    double inv = 1.0 / d_hi;
    double q = e_hi * inv;
    /* q <= 1/4, d_hi in [1, 4]: exact (q below 2^-968 only where d_hi = 1) */
    double residual = residual_f64(e_hi, q, d_hi) + (e_lo - q * d_lo);
    return q + residual * inv;
#else
    /* d = s^2: s_short^2 is exact (52 bits), then cut to 26 bits */
    double s_short, s_rest;
    one_plus_short_f64(e_hi, e_lo, &s_short, &s_rest);
    double d_full = s_short * s_short;
    double d_rest = s_rest * (2.0 * s_short + s_rest);
    double c = 134217729.0 * d_full;            /* d_full in [1, 4] */
    double d_short = c - (c - d_full);
    d_rest += d_full - d_short;                 /* d_full - d_short exact */
    return divide_by_short_f64(e_hi, e_lo, d_short, d_rest, 1.0 / (d_short + d_rest));
#endif
}

static inline double sigmoid_grad_f64_from_e(double x, double e_hi, double e_lo)
{
    return sigmoid_grad_f64_from_e_not_nan(e_hi, e_lo) + nan_or_zero_f64(x);
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

/* The baseline's float32 loops take a shorter path through a block of inputs
 * that are all moderate, |x| < 110 (NaN excluded): no clamping and no NaN to
 * put back (a sigmoid and its derivative are never -0: adding +0 changed
 * nothing), the same bits.  outside_moderate_f32(x) has its top bit set where
 * x is not moderate. */
static inline uint32_t outside_moderate_f32(float x)
{
    return (f32_bits(x) & 0x7fffffffu) + (0x80000000u - f32_bits(SATURATE_F32));
}

static inline float sigmoid_f32_moderate(float x)
{
    double e = exp_neg_f32_via_f64(-(double)fabsf(x));
    return (float)(((f32_bits(x) >> 31) ? e : 1.0) / (1.0 + e));
}

static inline float sigmoid_grad_f32_moderate(float x)
{
    double e = exp_neg_f32_via_f64(-(double)fabsf(x));
    double s = 1.0 + e;
    return (float)(e / (s * s));
}

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

/* The atanh series after its first term, Q(w) = sum w^n/(2n + 3), as a
 * degree-7 polynomial fitted by mpmath.chebyfit on w in [0, 0.1716^2],
 * coefficients rounded to double: w times its error is below 2^-60 (2^-60.6
 * measured against mpmath; tests/test_constants.py).  The no-FMA log1p below
 * and the vector log_sigmoid (kernels_vec_f64.h) use it. */
static const double ATANH_TAIL_FITTED[8] = {
    0x1.5555555555555p-2, 0x1.9999999999a38p-3, 0x1.2492492476bf2p-3, 0x1.c71c7201712d2p-4,
    0x1.745cf8fa80a6ep-4, 0x1.3b1c377d3240fp-4, 0x1.0fbe5ca9fd6f9p-4, 0x1.0c05f222f1ac5p-4};

#ifdef SIGMOIDX_EXACT_PRODUCTS_BY_FMA
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
    double zf = z * f_hi;
    /* inexact by < 2^-1072 only where |f| < 2^-484, far below f's last bit */
    double zf_err = product_error_f64(z, f_hi, zf);
    /* |z| < 0.18, d_hi in [1.7, 2.5]: exact (|z| below 2^-968 only where d_hi = 2) */
    double residual = residual_f64(f_hi, z, d_hi) + (f_lo - z * d_lo);
    double z_lo = residual * inv;
    double zf_lo = zf_err + (z * f_lo + z_lo * f_hi);
    double w = z * z;
    double tail = 2.0 * (z * w) * atanh_tail_f64(w);
    double s = f_hi - zf;                         /* Fast2Sum: |zf| < |f_hi| */
    double s_err = (f_hi - s) - zf;
    *a_hi = s;
    *a_lo = s_err + ((f_lo - zf_lo) + tail);
}
#else
/* Without an fma instruction, no Dekker product: log1p(f) = 2 atanh(z),
 * z = f/(2 + f), |z| <= 0.1716, with z's head z_hi (Veltkamp's 26-bit half of
 * q = fl(f_hi/(2 + f_hi))) and f's head f_s (f_hi rounded to a multiple of
 * 2^-24, 23 bits), whose product is exact.  With the residual
 * R = f - z_hi (2 + f), below 2^-25 |f|, 2z = 2 z_hi + R (1 - z), so
 *     log1p(f) = (f_hi - z_hi f_s) + g - R z + 2z^3 Q(z^2),
 *     g = f_lo (1 - z_hi) - z_hi (f_hi - f_s),
 * R = ((f_hi - 2 z_hi) - z_hi f_s) + g, f_hi - 2 z_hi exact (Sterbenz).  f_hi
 * leads (f_s = 0 for |f| < 2^-25, so a subnormal f comes out exactly); the
 * head f_hi - z_hi f_s is summed exactly (Fast2Sum, z_hi f_s <= 0.18 |f_hi|),
 * every other term is below 2^-24 |f| (the tail 0.02 |f|) and rounded; z is q
 * (relative error < 2^-51.4) in R z and the tail.  Relative error of
 * a_hi + a_lo below 2^-56. */
static inline void log1p_reduced_f64(double f_hi, double f_lo, double *a_hi, double *a_lo)
{
    double f_s = (f_hi + 0x1.8p28) - 0x1.8p28;   /* to a multiple of 2^-24 */
    double inv = 1.0 / (2.0 + f_hi);
    double q = f_hi * inv;
    double c = 134217729.0 * q;                   /* 2^27 + 1; |q| < 0.18 */
    double z_hi = c - (c - q);
    double zf_s = z_hi * f_s;                     /* exact: 26 x 23 bits */
    double g = f_lo * (1.0 - z_hi) - z_hi * (f_hi - f_s);   /* f_hi - f_s exact */
    double r = ((f_hi - 2.0 * z_hi) - zf_s) + g;
    double w = q * q;
    const double *a = ATANH_TAIL_FITTED;
    double w2 = w * w, w4 = w2 * w2;
    double series = ((a[0] + w * a[1]) + w2 * (a[2] + w * a[3]))
                  + w4 * ((a[4] + w * a[5]) + w2 * (a[6] + w * a[7]));
    double tail = 2.0 * (q * w) * series;
    double s = f_hi - zf_s;                       /* Fast2Sum */
    double s_err = (f_hi - s) - zf_s;
    *a_hi = s;
    *a_lo = s_err + ((g - r * q) + tail);
}
#endif

static const double SQRT2_MINUS_1 = 0x1.a827999fcef34p-2;  /* 0.41421356 */
static const double LOG_SIGMOID_BIG = 0x1p60;  /* below -2^60, log_sigmoid(x) = x */

/* float64.  Error: 0.5 ULP for the final rounding plus < 2^-56 relative from
 * exp (2^-58) and log1p: <= 1 ULP (measured: tests/test_accuracy.py).
 * Special values: -inf -> -inf, +inf -> 0, NaN -> NaN, nothing raised. */
/* m - log1p(e) for m = min(x, 0), x finite */
static inline double log_sigmoid_f64_sum(double m, double e_hi, double e_lo)
{
    /* k = 1 when e >= sqrt(2) - 1: 1 + e = 2 (1 + f), f = (e - 1)/2 */
    uint64_t k1 = ~mask_less_u63(f64_bits(e_hi), f64_bits(SQRT2_MINUS_1));
    double a = f64_from_bits(f64_bits(-1.0) & k1);         /* -1 or 0 */
    double h = select_f64(k1, 0.5, 1.0);
    double s = a + e_hi;                                    /* Fast2Sum: |a| >= e or a = 0 */
    double s_err = e_hi - (s - a);
    double a_hi, a_lo;
    log1p_reduced_f64(s * h, (s_err + e_lo) * h, &a_hi, &a_lo);
    /* log1p(e) = k ln2 + log1p(f) = b + l_lo */
    double k_hi = f64_from_bits(f64_bits(LN2_HI) & k1), k_lo = f64_from_bits(f64_bits(LN2_LO) & k1);
    double b = k_hi + a_hi;                                 /* Fast2Sum: ln2 > 0.347 >= |a_hi| */
    double l_lo = ((k_hi - b) + a_hi) + (k_lo + a_lo);
    /* m - log1p(e): TwoSum */
    double c = m - b;
    double bv = c - m;
    double c_err = (m - (c - bv)) + (-b - bv);
    return c + (c_err - l_lo);
}

static inline double log_sigmoid_f64_from_e(double x, double e_hi, double e_lo)
{
    /* min(x, 0) on x clamped to a finite value */
    uint64_t negative = mask_sign_bit(f64_bits(x));
    double m = f64_from_bits(f64_bits(-clamped_abs_f64(x, LOG_SIGMOID_BIG)) & negative);
    double r = log_sigmoid_f64_sum(m, e_hi, e_lo);
    /* x < -2^60, -inf and negative NaNs: x itself; positive NaNs: added */
    uint64_t is_x = negative & mask_less_u63(f64_bits(LOG_SIGMOID_BIG), f64_bits(x) & ABS_MASK_F64);
    return f64_from_bits((f64_bits(x) & is_x) | (f64_bits(r) & ~is_x)) + nan_or_zero_f64(x);
}

/* moderate x: min(x, 0) is x & its sign mask, r is never x itself nor NaN */
static inline double log_sigmoid_f64_from_e_moderate(double x, double e_hi, double e_lo)
{
    return log_sigmoid_f64_sum(f64_from_bits(f64_bits(x) & mask_sign_bit(f64_bits(x))), e_hi, e_lo);
}

static inline double log_sigmoid_f64(double x)
{
    double e_hi, e_lo;
    sigmoid_f64_common(x, &e_hi, &e_lo);
    return log_sigmoid_f64_from_e(x, e_hi, e_lo);
}

/* float32 (and float16): in float64 with a shorter series (n = 0..6, first
 * term left out < 2^-39 relative): the float result is within 0.5 + 2^-14
 * ULP.  In float64 nothing can overflow and -inf - L is -inf: no selects. */
static inline float log_sigmoid_f32(float x)
{
    double e = exp_neg_abs_f32(x);
    /* masks, not ?: on doubles, which GCC does not if-convert here */
    uint64_t k1 = ~mask_less_u63(f64_bits(e), f64_bits(SQRT2_MINUS_1));
    double a = f64_from_bits(f64_bits(-1.0) & k1);         /* -1 or 0 */
    double h = select_f64(k1, 0.5, 1.0);
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
/* all ones where p is in (0, 1) */
static inline uint64_t logit_inside_f64(uint64_t bits)
{
    uint64_t magnitude = bits & ABS_MASK_F64;
    return ~mask_sign_bit(bits) & ~mask_zero_u63(magnitude) & mask_less_u63(magnitude, f64_bits(1.0));
}

/* the first half of logit_f64: y = p/(1 - p) as y_hi + y_lo, for p = 1/2
 * wherever p is not in (0, 1) */
static inline void logit_quotient_inside_f64(double q, double *y_hi, double *y_lo)
{
    double t_hi = 1.0 - q;                      /* Fast2Sum: 1 >= q */
    double t_lo = (1.0 - t_hi) - q;
    double inv = 1.0 / t_hi;
    *y_hi = q * inv;
    /* y_hi < 2^54, t_hi in (0, 1]: exact (y_hi below 2^-968 only where t_hi = 1) */
    *y_lo = (residual_f64(q, *y_hi, t_hi) - *y_hi * t_lo) * inv;
}

static inline void logit_quotient_f64(double p, double *y_hi, double *y_lo)
{
    uint64_t bits = f64_bits(p), inside = logit_inside_f64(bits);
    logit_quotient_inside_f64(f64_from_bits((bits & inside) | (f64_bits(0.5) & ~inside)), y_hi, y_lo);
}

/* top bit set unless p is in [2^-1022, 1) (exponent field e from 1 to 1022,
 * sign 0: e - 1 and 1022 - e both non-negative), where y is normal and no
 * special value occurs */
static inline uint64_t logit_outside_moderate_f64(double p)
{
    uint64_t exponent = f64_bits(p) >> 52;
    return (exponent - 1) | (1022 - exponent);
}

/* log(y_hi + y_lo) - k_offset ln2 for a normal y_hi */
static inline double logit_log_f64(double y_hi, double y_lo, uint64_t k_offset)
{
    int64_t k = (int64_t)((f64_bits(y_hi) + (f64_bits(1.0) - SQRT_HALF_BITS)) >> 52) - 1023;
    double m = f64_from_bits(f64_bits(y_hi) - ((uint64_t)k << 52));
    double a_hi, a_lo;
    log1p_reduced_f64(m - 1.0, y_lo * pow2_int(-k), &a_hi, &a_lo);
    /* k as a double through the bits of 1.5*2^52 + k: AVX2 has no int64 ->
     * double conversion, this vectorises */
    double kd = f64_from_bits(f64_bits(ROUND_MAGIC) + ((uint64_t)k - k_offset)) - ROUND_MAGIC;
    double k_hi = kd * LN2_HI;                  /* exact: |k| < 2^11 */
    double b = k_hi + a_hi;                     /* Fast2Sum: |k_hi| >= ln2 > |a_hi| or 0 */
    return b + (((k_hi - b) + a_hi) + (kd * LN2_LO + a_lo));
}

/* the second half: log(y_hi + y_lo), and the special values */
static inline double logit_f64_from_quotient(double p, double y_hi, double y_lo)
{
    uint64_t bits = f64_bits(p), inside = logit_inside_f64(bits);
    uint64_t magnitude = bits & ABS_MASK_F64;
    /* subnormal y (from subnormal p): scale by 2^64 first */
    uint64_t sub = mask_less_u63(f64_bits(y_hi), 0x0010000000000000u);
    double scale = f64_from_bits((f64_bits(0x1p64) & sub) | (f64_bits(1.0) & ~sub));
    double r = logit_log_f64(y_hi * scale, y_lo * scale, sub & 64);
    /* outside (0, 1): +-0 -> -inf, 1 -> inf, NaN -> itself quieted (p + 0:
     * "invalid" for a signalling NaN only), else a quiet NaN */
    uint64_t zero = mask_zero_u63(magnitude);
    uint64_t one = mask_zero_u63(bits ^ f64_bits(1.0)) & ~mask_sign_bit(bits);
    uint64_t nan = mask_less_u63(0x7ff0000000000000u, magnitude);
    uint64_t special = (f64_bits(-INFINITY) & zero) | (f64_bits(INFINITY) & one) |
                       (f64_bits(p + 0.0) & nan) | (0x7ff8000000000000u & ~(zero | one | nan));
    return f64_from_bits((f64_bits(r) & inside) | (special & ~inside));
}

static inline double logit_f64(double p)
{
    double y_hi, y_lo;
    logit_quotient_f64(p, &y_hi, &y_lo);
    return logit_f64_from_quotient(p, y_hi, y_lo);
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
    /* keeps y - 1 exact-ish near p = 1/2; y in [2^-149, 2^25), t in (0, 1]: exact */
    double y_lo = residual_f64(q, y, t) * inv;
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
    /* a NaN comes back quieted (its quiet bit set, as a float -> double ->
     * float round trip does; (double)p above raised "invalid" for a
     * signalling one) */
    uint32_t special = magnitude == 0 ? f32_bits(-INFINITY)
                     : bits == f32_bits(1.0f) ? f32_bits(INFINITY)
                     : magnitude > 0x7f800000u ? bits | 0x00400000u : 0x7fc00000u;
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
            return p + p;   /* quieted: "invalid" for a signalling NaN */
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

/* Special values (tests/test_complex_special.py walks the whole table).
 * Where a = exp(-|x|) is at most `negligible` (complex128: a = 0, |x| >
 * 745.13, x = +-inf included; complex64: a < 2^-150, |x| > 103.97), every
 * part of the result but a leading 1 is below a (1 + 3a), under half the
 * smallest subnormal of the result's type: every value the function takes on
 * the line Re z = x rounds to the same result whatever y is, 1 or 0 for sigma and 0 for sigma' (at x = +-inf it is the limit), and
 * only the signs of its zeros follow y.  Where x is NaN the result is NaN whatever y is.  In both cases
 * a non-finite y (+-inf, NaN) is replaced by +-1 of its sign bit, so that
 * sigma(+inf + i inf) = 1 + 0i without the NaN of 0 * sin(inf) or the
 * "invalid" that sin(inf) raises, and the zeros' signs keep the conjugate
 * symmetry f(conj z) = conj f(z).  Elsewhere a non-finite y has no limit to
 * give (e^{-iy} circles the origin): NaN + NaN i, with "invalid" for +-inf
 * (from sin) as in C's cexp, and none for a NaN. */
static inline double complex_y_used(double y, double a, double negligible)
{
    int a_negligible_or_nan = isnan(a) || a <= negligible;   /* no compare of a NaN: no flag */
    return a_negligible_or_nan && !isfinite(y) ? copysign(1.0, y) : y;
}

/* On the real axis (y = +-0) the result is real, x = NaN included:
 * sigma(NaN + i0) = NaN + i0, as C's ctanh(NaN + i0).  For every other x the
 * formulas already give these zeros; this only keeps them where a is NaN. */
static inline double real_axis_im(double y, double im, double zero_im)
{
    return y == 0.0 ? zero_im : im;
}

static inline void complex_common(double x, double y, double negligible, double *a,
                                  double *one_plus_ac, double *s, double *c, double *c_plus_a)
{
    double ax = fabs(x);
    double em1 = expm1(-ax);                    /* a - 1, accurate for small |x| */
    *a = exp(-ax);
    y = complex_y_used(y, *a, negligible);
    double ch = cos(0.5 * y);
    *s = sin(y);
    *c = 2.0 * ch * ch - 1.0;
    *one_plus_ac = -em1 + 2.0 * *a * (ch * ch);
    *c_plus_a = 2.0 * (ch * ch) + em1;          /* (1 + c) + (a - 1) */
}

static inline c64_parts sigmoid_complex(double x, double y, double negligible)
{
    double a, p, s, c, c_plus_a;
    complex_common(x, y, negligible, &a, &p, &s, &c, &c_plus_a);
    double as = a * s;
    double den = p * p + as * as;
    /* x < 0: a c + a^2 = a (c + a), c + a summed from its accurate parts */
    double re_num = signbit(x) ? a * c_plus_a : p;
    c64_parts r = {re_num / den, real_axis_im(y, as / den, y)};
    return r;
}

static inline c64_parts sigmoid_grad_complex(double x, double y, double negligible)
{
    double a, p, s, c, c_plus_a;
    complex_common(x, signbit(x) ? -y : y, negligible, &a, &p, &s, &c, &c_plus_a);
    (void)c_plus_a;
    /* 1 + w = p - i a s; conj(1 + w)^2 = (p^2 - (a s)^2) + 2i p a s; w = a (c - i s) */
    double as = a * s;
    double den = p * p + as * as;
    double d_re = p * p - as * as, d_im = 2.0 * p * as;
    double re = a * (c * d_re + s * d_im);
    double im = a * (c * d_im - s * d_re);
    double den2 = den * den;
    c64_parts r = {re / den2, real_axis_im(y, im / den2, 0.0)};
    return r;
}

/* ------------------------------------------------------------------------ */
/* sigmoid_backward(dy, y) = dy * y * (1 - y), to <= 1 ULP of the exact value
 * for the given floats. */

/* float64.  1 - y = t_hi + t_lo exactly (TwoSum; t_lo = 0 by Sterbenz for
 * y in [1/2, 2]), y*(1 - y) = p_hi + p_lo with the exact error of y*t_hi,
 * then one fma rounds dy*p_hi + fl(dy*p_lo) once: error 0.5 ULP plus
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
    uint64_t ok = mask_less_u63(f64_bits(y) & ABS_MASK_F64, f64_bits(0x1p256)) &
                  mask_less_u63(f64_bits(r) & ABS_MASK_F64, f64_bits(0x1p1022));
    /* masks, not ?: on doubles, which GCC does not if-convert here */
    double y_c = f64_from_bits(f64_bits(y) & ok), dy_c = f64_from_bits(f64_bits(dy) & ok);
    double t_c = 1.0 - y_c;                 /* TwoSum(1, -y) */
    double bv = t_c - 1.0;
    double t_lo = (1.0 - (t_c - bv)) + (-y_c - bv);
    double p_c = y_c * t_c;
    /* |y_c| < 2^256 and |t_c| <= 2^256 + 1; |y_c| < 2^-968 only with t_c = 1 */
    double p_lo = product_error_f64(y_c, t_c, p_c) + y_c * t_lo;
    /* Without an fma instruction too: the one rounding of dy*p_hi + c that
     * makes the result correctly rounded would take Dekker's product, a
     * rounding to odd and scalings into its exact range, which measured
     * slower than this one call (the loop then stays scalar). */
    double result = fma(dy, p_hi, dy_c * p_lo);
    /* where dy p_hi is zero it is the result, with the sign of the product
     * (the fma would give -0 + +0 = +0 for dy = -0 and p_lo > 0) */
    uint64_t r_zero = mask_zero_u63(f64_bits(r) & ABS_MASK_F64);
    return f64_from_bits((f64_bits(r) & r_zero) | (f64_bits(result) & ~r_zero));
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
    /* a zero or overflowed dy p_hi is the result (with the product's sign);
     * the error terms would turn it into +0 or inf - inf */
    if (r == 0.0L || isinf(r))
        return r;
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
