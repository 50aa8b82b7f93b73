/*
 * float32 sigma, sigma' and log_sigmoid in float32 lanes, written once over
 * the vector layer (vec_avx2.h: 8 lanes, vec_neon.h: 4, vec_avx512.h: 16):
 * the kernel file of a level includes its layer header, then this.  Every
 * step is an IEEE operation or an exact one, so avx2 and neon give the same
 * bits.  avx512 differs in three places, each held to the contract on its
 * own: the reciprocal each quotient starts from (vf32_recip) is the 14-bit
 * estimate vrcp14ps instead of a division (one correction by the fused
 * residual leaves 2^-28 of the quotient instead of a rounding), exp's table
 * has 32 entries instead of 8 (a shorter polynomial), and 2^k is applied by
 * vscalefps; its results differ from avx2's in the last bit of a few inputs.
 *
 * The baseline evaluates float32 in float64; this stays in float32 and keeps
 * <= 1 ULP by carrying exp(-|x|) (and for sigma', 1 + exp(-|x|)) as an
 * unevaluated sum hi + lo and correcting the quotient once with its fused
 * residual (max over all 2^32 inputs, benchmarks/accuracy.py: 0.7761 ULP on
 * avx2, 0.7625 on avx512).  Not bit-identical to the baseline's results.
 *
 * exp(-|x|) = 2^k (m_hi + m_lo), k in [-151, 0].  The quotient is formed with
 * e = (m_hi + m_lo) 2^kc, kc = max(k, -100), which keeps e_hi a normal number
 * (e_lo may be subnormal: its rounding, 2^-150 at most, is below 2^-49 of
 * e), and scaled by 2^(k - kc) at the end.  A subnormal result is thus rounded
 * twice, first to 24 bits, which for a result below 2^-126 is at most a
 * quarter of its last place, then to the subnormal: within 0.75 ULP plus
 * the small error of exp and the quotient.  On the path where every |x| of
 * a block is at most 64 (no subnormal result, k >= -93), avx512 scales the
 * table's 2^(j/N) by 2^k with vscalefps before e_hi and e_lo are formed:
 * exactly, so that they are the other path's, scaled (the same bits), but for
 * an e_lo below 2^-126, rounded once here and twice there: at most 2^-150
 * apart, 2^-57 of e.
 */
#include <stddef.h>
#include <stdint.h>
#include "kernels_vector_loops.h"

#define HAVE_VEC_F32_KERNELS 1

typedef struct { vf32 hi, lo, n_over_size; vi32 n_bits; } exp_split_vf32;

/* the bits of |x|: non-negative floats order like these integers, NaN above inf */
static inline vi32 abs_bits_vf32(vf32 x)
{
    return vi32_and(vf32_bits(x), vi32_set(0x7fffffff));
}

/* NaN lanes, by the bits (an FP compare would raise "invalid" on signalling NaNs) */
static inline vm32 nan_mask_vf32(vf32 x)
{
    return vi32_gt(abs_bits_vf32(x), vi32_set(0x7f800000));
}

/* exp(-ax) for ax in [0, 104]: 2^k (hi + lo), hi in [0.95, 1.98] (with
 * scaled, where vscalefps is there and ax <= 64: hi + lo themselves), relative
 * error of hi + lo below 2^-27.7 (2^-27.5 with N = 32): the roundings of the
 * reduced argument and of exp(r) - 1, each at most half an ULP of a number
 * below 2^-4, are left in (at most 0.07 ULP of the result, 0.08 with N = 32,
 * see u_neg below); only the rounding of hi is carried in lo.
 *
 * -ax = (N k + j) ln2/N + r, |r| <= ln2/2N, N = 2^VF32_EXP_TABLE_BITS (8 on
 * avx2 and neon, 32 on avx512): exp(-ax) = 2^k 2^(j/N) exp(r), the table
 * 2^(j/N) in registers (no memory gather), exp(r) - 1 = r + r^2 P(r) with P
 * the Taylor series to r^3 (N = 8) or r (N = 32): truncation below 2^-36 and
 * 2^-30.7.  The steps carry v = -r and u_neg = -(exp(r) - 1), which saves
 * negating ax (rounding to nearest is symmetric: the values are exactly the
 * negatives).  The table is float hi + lo (|lo| < 2^-24 hi), for N = 32 hi
 * and lo/hi. */
#if VF32_EXP_TABLE_BITS == 5
#define EXP32_LN2_HI 0x1.63p-1f              /* ln2 in 9 bits: n/N HI exact, |n| < 2^13 */
#define EXP32_LN2_LO -0x1.bd0106p-13f
#else
#define EXP32_LN2_HI 0x1.62ep-1f             /* ln2 in 12 bits: n/N HI exact, |n| < 2^11 */
#define EXP32_LN2_LO 0x1.0bfbe8p-15f
#endif

static inline exp_split_vf32 exp_neg_vf32(vf32 ax, int scaled)
{
    /* 1.5 2^(23 - bits): adding it rounds to a multiple of 1/N */
    const vf32 magic = vf32_set(0x1.8p23f / (1 << VF32_EXP_TABLE_BITS));
    exp_split_vf32 e;
    vf32 shifted = vf32_fnma(ax, vf32_set(0x1.715476p+0f), magic);   /* 1/ln2 */
    e.n_over_size = vf32_sub(shifted, magic);
    /* n + the bits of magic, whose low 22 bits are 0: the table index */
    e.n_bits = vf32_bits(shifted);
    /* v = ax + (n/N) ln2, v_hi exact */
    vf32 v_hi = vf32_fma(e.n_over_size, vf32_set(EXP32_LN2_HI), ax);
    vf32 v = vf32_fma(e.n_over_size, vf32_set(EXP32_LN2_LO), v_hi);
    vf32 v2 = vf32_mul(v, v);
#if VF32_EXP_TABLE_BITS == 5
    vf32 p = vf32_fnma(v, vf32_set(1.0f / 6), vf32_set(0.5f));
    vf32 t_hi = vf32_lookup32(
        VTAB32_F32(0x1p+0f, 0x1.059b0ep+0f, 0x1.0b5586p+0f, 0x1.11301ep+0f, 0x1.172b84p+0f,
                   0x1.1d4874p+0f, 0x1.2387a6p+0f, 0x1.29e9ep+0f, 0x1.306fep+0f, 0x1.371a74p+0f,
                   0x1.3dea64p+0f, 0x1.44e086p+0f, 0x1.4bfdaep+0f, 0x1.5342b6p+0f, 0x1.5ab07ep+0f,
                   0x1.6247ecp+0f, 0x1.6a09e6p+0f, 0x1.71f75ep+0f, 0x1.7a1148p+0f, 0x1.82589ap+0f,
                   0x1.8ace54p+0f, 0x1.93737cp+0f, 0x1.9c4918p+0f, 0x1.a5503cp+0f, 0x1.ae89fap+0f,
                   0x1.b7f77p+0f, 0x1.c199bep+0f, 0x1.cb720ep+0f, 0x1.d5818ep+0f, 0x1.dfc974p+0f,
                   0x1.ea4afap+0f, 0x1.f50766p+0f),
        e.n_bits);
    /* t_lo / t_hi, taken into u below */
    vf32 t_ratio = vf32_lookup32(
        VTAB32_F32(0.0f, -0x1.947414p-25f, 0x1.8d96d4p-25f, -0x1.dda2fcp-25f, -0x1.9c0c22p-27f,
                   -0x1.a2fbb2p-25f, 0x1.964904p-25f, -0x1.2b0dbcp-25f, 0x1.125002p-25f,
                   -0x1.cde8cep-26f, 0x1.370be4p-25f, 0x1.336de2p-30f, -0x1.0a355p-25f,
                   -0x1.c541b4p-26f, -0x1.00d8acp-27f, -0x1.6cb284p-25f, 0x1.26055cp-26f,
                   0x1.8b2bb8p-26f, -0x1.05cb44p-25f, -0x1.1c2142p-26f, 0x1.67a1cap-28f,
                   -0x1.348e56p-25f, 0x1.a3b5e4p-28f, -0x1.0b7ec8p-25f, -0x1.f9c304p-27f,
                   -0x1.e4c886p-26f, -0x1.6961b4p-28f, -0x1.b5151ep-28f, -0x1.a5217cp-28f,
                   -0x1.ab7132p-26f, 0x1.61428ep-28f, -0x1.2ad5f8p-27f),
        e.n_bits);
#else
    vf32 p = vf32_fma(v2, vf32_fnma(v, vf32_set(1.0f / 120), vf32_set(1.0f / 24)),
                      vf32_fnma(v, vf32_set(1.0f / 6), vf32_set(0.5f)));
    vf32 t_hi = vf32_lookup8(VTAB8_F32(0x1p+0f, 0x1.172b84p+0f, 0x1.306fep+0f, 0x1.4bfdaep+0f,
                                       0x1.6a09e6p+0f, 0x1.8ace54p+0f, 0x1.ae89fap+0f, 0x1.d5818ep+0f),
                             e.n_bits);
    vf32 t_lo = vf32_lookup8(VTAB8_F32(0.0f, -0x1.c15742p-27f, 0x1.4636e2p-25f, -0x1.593abcp-25f,
                                       0x1.9fcef4p-26f, 0x1.15506ep-27f, -0x1.a94b14p-26f,
                                       -0x1.822dbcp-27f),
                             e.n_bits);
#endif
    vf32 u_neg = vf32_fnma(v2, p, v);
#if VF32_EXP_TABLE_BITS == 5
    /* t (1 + u) = t_hi (1 + u + t_ratio) + t_lo u: t_lo u, below 2^-24 |u| <
     * 2^-30.5 of the result, is left out, and u + t_ratio (|u| < 2^-6.5) is
     * rounded to within 2^-31 */
    u_neg = vf32_sub(u_neg, t_ratio);
#endif
#ifdef VEC_HAS_SCALEF
    /* exact: 2^k t_hi is normal where scaled is asked for (k >= -93) */
    if (scaled)
        t_hi = vf32_scale_floor(t_hi, e.n_over_size);
#else
    (void)scaled; /* 0: no vscalefps */
#endif
    /* t (1 + u) = hi + lo: hi rounded, t_hi - hi exact (Sterbenz) */
    e.hi = vf32_fnma(t_hi, u_neg, t_hi);
#if VF32_EXP_TABLE_BITS == 5
    e.lo = vf32_fnma(t_hi, u_neg, vf32_sub(t_hi, e.hi));
#else
    e.lo = vf32_add(vf32_fnma(t_hi, u_neg, vf32_sub(t_hi, e.hi)), vf32_fnma(t_lo, u_neg, t_lo));
#endif
    return e;
}

/* k in exp(-ax) = 2^k (hi + lo), k in [-151, 0] */
static inline vi32 exp_k_vf32(exp_split_vf32 e)
{
    vi32 magic_bits = vf32_bits(vf32_set(0x1.8p23f / (1 << VF32_EXP_TABLE_BITS)));
    return vi32_sra(vi32_sub(e.n_bits, magic_bits), VF32_EXP_TABLE_BITS);
}

/* What the functions share: e = exp(-|x|) 2^-j = e_hi + e_lo and
 * s = 1 + e = s_hi + s_lo (to within what float32 can hold). */
typedef struct { vf32 x, e_hi, e_lo, s_hi, s_lo; vi32 j; int moderate; } shared_vf32;

/* |x| <= 64 everywhere in a block (moderate, a compile-time constant after
 * inlining): e >= 2^-93 needs no rescaling and x is not NaN, so the steps
 * for subnormal results and NaN, which would not change the bits, are left
 * out. */
static inline int any_immoderate_vf32(const vf32 *x, int blocks)
{
    /* one compare for all: the largest |x| bits of each lane */
    vi32 largest = abs_bits_vf32(x[0]);
    for (int b = 1; b < blocks; b++)
        largest = vi32_max(largest, abs_bits_vf32(x[b]));
    return vm32_any(vi32_gt(largest, vi32_set(0x42800000)));
}

static inline shared_vf32 shared_parts_vf32(vf32 x, int moderate)
{
    const vf32 one = vf32_set(1.0f);
    vi32 abs_bits = abs_bits_vf32(x);
    /* |x| clamped to 104 in integer compares (NaN included: no FP flag);
     * exp(-104) < 2^-150, so nothing changes beyond */
    if (!moderate)
        abs_bits = vi32_min(abs_bits, vi32_set(0x42d00000));
#ifdef VEC_HAS_SCALEF
    int scaled = moderate;
#else
    int scaled = 0;
#endif
    exp_split_vf32 m = exp_neg_vf32(vf32_from_bits(abs_bits), scaled);

    shared_vf32 p;
    p.x = x;
    p.moderate = moderate;
    if (scaled) {
        p.j = vi32_set(0);
        p.e_hi = m.hi;
        p.e_lo = m.lo;
    } else {
        vi32 k = exp_k_vf32(m);
        vi32 kc = moderate ? k : vi32_max(k, vi32_set(-100));
        p.j = vi32_sub(k, kc);
        /* hi 2^kc is normal: adding kc to the exponent field is the product */
        p.e_hi = vf32_ldexp_normal(m.hi, kc);
        p.e_lo = vf32_mul(m.lo, vf32_pow2i(kc));
    }
    p.s_hi = vf32_add(one, p.e_hi);                    /* Fast2Sum, e <= 1 */
    p.s_lo = vf32_add(vf32_add(vf32_sub(one, p.s_hi), p.e_hi), p.e_lo);
    return p;
}

/* (n_hi + n_lo) / (d_hi + d_lo) 2^j: one division, corrected once by the
 * fused residual; a NaN x is put back (adding a quiet NaN raises nothing). */
static inline vf32 finish_vf32(vf32 n_hi, vf32 n_lo, vf32 d_hi, vf32 d_lo, vi32 j, shared_vf32 p)
{
    vf32 inv = vf32_recip(d_hi);
    vf32 q = vf32_mul(n_hi, inv);
    vf32 residual = vf32_add(vf32_fnma(q, d_hi, n_hi), vf32_fnma(q, d_lo, n_lo));
    if (p.moderate)
        return vf32_fma(residual, inv, q);
    vf32 y = vf32_scale(vf32_fma(residual, inv, q), j);
    return vf32_add(y, vf32_zero_unless(nan_mask_vf32(p.x), p.x));
}

/* sigma = n / (1 + e), n = (x < 0 ? e : 1) = n_hi + n_lo: q = n_hi r with
 * r = vf32_recip(s_hi) in [1/2, 1] (s_hi in [1, 2]; checked for vrcp14ps over
 * every float there), corrected once, sigma = q + residual r, by the residual
 * n - q (1 + e) = (n_hi - q) - q e_hi + (n_lo - q e_lo):
 * - n_hi - q is exact (Sterbenz: q in [n_hi/2, n_hi]);
 * - n_lo - q e_lo is -e_lo r exactly for x >= 0 (n_lo = 0, q = r) and
 *   e_lo (1 - q) for x < 0, taken as e_lo r: 1 - q = 1 - e_hi r and r differ
 *   by r's relative error (2^-14 for vrcp14ps), where 2^-4 of this term
 *   would do (it is below 2^-24 of the result).
 * So 1 + e is never needed as a pair; only its rounded head s_hi. */
static inline vf32 sigmoid_vf32(shared_vf32 p)
{
    /* e_hi = 1 where |x| < 2^-126; x may be NaN unless moderate */
    vm32 negative = vf32_signbit(p.x);
    vf32 n_hi = p.moderate ? vf32_negative_or_one(p.x, p.e_hi) : vf32_select(negative, p.e_hi, vf32_set(1.0f));
    vf32 inv = vf32_recip(p.s_hi);
    vf32 q = vf32_mul(n_hi, inv);
    vf32 residual = vf32_fnma(vf32_xor_sign(p.e_lo, p.x), inv, vf32_fnma(q, p.e_hi, vf32_sub(n_hi, q)));
    vf32 y = vf32_fma(residual, inv, q);
    if (p.moderate)
        return y;
    /* a NaN x is put back (adding a quiet NaN raises nothing) */
    y = vf32_scale(y, vi32_zero_unless(negative, p.j));
    return vf32_add(y, vf32_zero_unless(nan_mask_vf32(p.x), p.x));
}

/* sigma' = e / (1 + e)^2, (1 + e)^2 exact as d_hi + d_lo */
static inline vf32 sigmoid_grad_vf32(shared_vf32 p)
{
    vf32 d_hi = vf32_mul(p.s_hi, p.s_hi);
    vf32 d_lo = vf32_fma(vf32_add(p.s_hi, p.s_hi), p.s_lo, vf32_fms(p.s_hi, p.s_hi, d_hi));
    return finish_vf32(p.e_hi, p.e_lo, d_hi, d_lo, p.j, p);
}

/* log_sigmoid = min(x, 0) - log1p(e), the steps of log_sigmoid_from_vf64 in
 * float32: 1 + e = 2^k1 (1 + f), k1 in {0, 1}; log1p(f) = 2 atanh(z),
 * z = s/(c + s), s = e - k1, c = 2^(k1 + 1), as z + z_lo, |z| <= 0.172, with
 * the series to w^4/11 (the terms left out are below 2^-34 of log1p(f)); and
 * log1p(e) = b + l_lo.  min(x, 0) and -log1p(e) have the same sign: the
 * error is that of exp (2^-27.7 relative) and of the small terms rounded in
 * float, then one rounding.  Where j < 0, e < 2^-100: for x >= 0 the result
 * is rounded once at the scale of e and once more to 2^j times it (as
 * sigma's), for x < -64 it is x. */
static inline vf32 log_sigmoid_vf32(shared_vf32 p)
{
    vm32 k1 = vf32_ge(p.e_hi, vf32_set(0x1.a8279ap-2f));    /* sqrt2 - 1 */
    vf32 a = vf32_zero_unless(k1, vf32_set(-1.0f));
    vf32 c = vf32_select(k1, vf32_set(4.0f), vf32_set(2.0f));
    vf32 s_hi = vf32_add(a, p.e_hi);                        /* Fast2Sum: |a| >= e or a = 0 */
    vf32 s_lo = vf32_add(vf32_sub(p.e_hi, vf32_sub(s_hi, a)), p.e_lo);

    /* z + z_lo = s/(c + s): one division, corrected by the fused residual;
     * a division, not vf32_recip: the series below takes z alone, which must
     * be within a rounding of s/(c + s) */
    vf32 d_hi = vf32_add(c, s_hi);                          /* Fast2Sum: c > |s| */
    vf32 d_lo = vf32_add(vf32_add(vf32_sub(c, d_hi), s_hi), s_lo);
    vf32 inv = vf32_div(vf32_set(1.0f), d_hi);
    vf32 z = vf32_mul(s_hi, inv);
    vf32 residual = vf32_add(vf32_fnma(z, d_hi, s_hi), vf32_fnma(z, d_lo, s_lo));
    vf32 z_lo = vf32_mul(residual, inv);

    /* log1p(e) 2^-j = k1 ln2 + 2z + (2z_lo + 2z w Q(w)) = b + l_lo, ln2 as
     * float hi + lo, Q(w) = sum w^n/(2n + 3), n = 0..4 */
    vf32 w = vf32_mul(z, z), w2 = vf32_mul(w, w);
    vf32 q = vf32_fma(w2, vf32_fma(w2, vf32_set(1.0f / 11), vf32_fma(w, vf32_set(1.0f / 9), vf32_set(1.0f / 7))),
                      vf32_fma(w, vf32_set(1.0f / 5), vf32_set(1.0f / 3)));
    vf32 z2 = vf32_add(z, z);
    vf32 tail = vf32_fma(vf32_mul(z2, w), q, vf32_add(z_lo, z_lo));
    vf32 k_hi = vf32_zero_unless(k1, vf32_set(0x1.62e430p-1f));
    vf32 b = vf32_add(k_hi, z2);                            /* Fast2Sum: ln2 > 0.344 >= |2z| */
    vf32 l_lo = vf32_add(vf32_add(vf32_sub(k_hi, b), z2),
                         vf32_add(vf32_zero_unless(k1, vf32_set(-0x1.05c610p-29f)), tail));

    /* min(x, 0) - (b + l_lo): the two leading terms have the same sign, so
     * Fast2Sum with the larger in magnitude first; x clamped to -2^30 (not
     * moderate), below that, and for -inf and negative NaNs, x itself */
    vm32 negative = vf32_signbit(p.x);
    vm32 big = vi32_gt(abs_bits_vf32(p.x), vi32_set(0x4e800000));
    vf32 m = vf32_zero_unless(negative, p.moderate ? p.x : vf32_select(big, vf32_set(-0x1p30f), p.x));
    vf32 minus_b = vf32_neg(b);
    vf32 larger = vf32_min(m, minus_b), smaller = vf32_max(m, minus_b);
    vf32 sum = vf32_add(larger, smaller);
    vf32 sum_err = vf32_sub(smaller, vf32_sub(sum, larger));
    vf32 r = vf32_add(sum, vf32_sub(sum_err, l_lo));
    if (p.moderate)
        return r;
    /* 2^j where x >= 0; + 0 turns an underflow to -0 into 0, as the
     * baseline gives */
    r = vf32_scale(r, vi32_select(negative, vi32_set(0), p.j));
    r = vf32_add(r, vf32_zero());
    r = vf32_select(vm32_and(big, negative), p.x, r);
    return vf32_add(r, vf32_zero_unless(nan_mask_vf32(p.x), p.x));
}

DEFINE_VECTOR_ARRAY(vf32, float, vf32, VF32_LANES, VF32_BLOCKS)

static void sigmoid_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    array_vf32((const float *)in, (float *)out, NULL, n, sigmoid_vf32, NULL);
}

static void sigmoid_grad_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    array_vf32((const float *)in, (float *)out, NULL, n, sigmoid_grad_vf32, NULL);
}

static void sigmoid_and_grad_f32_kernel(const void *in, void *out1, void *out2, ptrdiff_t n)
{
    array_vf32((const float *)in, (float *)out1, (float *)out2, n, sigmoid_vf32, sigmoid_grad_vf32);
}

static void log_sigmoid_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    array_vf32((const float *)in, (float *)out, NULL, n, log_sigmoid_vf32, NULL);
}
