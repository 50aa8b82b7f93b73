/*
 * float32 sigma and sigma' eight at a time in float32, for the AVX2 and
 * AVX-512 levels (both compile this same code, so they agree bit for bit).
 *
 * The baseline evaluates float32 in float64, two or four lanes per register;
 * this stays in float32, eight lanes, and keeps <= 1 ULP by carrying
 * exp(-|x|) and 1 + exp(-|x|) as unevaluated sums hi + lo and correcting the
 * quotient once with its fused residual (0.7644 ULP max over all 2^32
 * inputs, benchmarks/accuracy.py).  Not bit-identical to the baseline's results.
 *
 * exp(-|x|) = 2^k (m_hi + m_lo), k in [-150, 0].  The quotient is formed with
 * e = (m_hi + m_lo) 2^kc, kc = max(k, -100), which keeps e_lo a normal number,
 * and scaled by 2^(k - kc) at the end.  A subnormal result is thus rounded
 * twice, the first time 2^-24 below its last place: within 0.5 + 2^-23 ULP.
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HAVE_F32X8_KERNELS 1

typedef struct { __m256 hi, lo; __m256i k; } exp_split_x8;

static inline __m256 f32x8(float v) { return _mm256_set1_ps(v); }

/* 2^k for integer k in [-126, 127] */
static inline __m256 pow2_x8(__m256i k)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}

/* exp(-ax) for ax in [0, 104]: 2^k (hi + lo), hi + lo in [0.7, 1.42] with
 * relative error below 2^-30. */
static inline exp_split_x8 exp_neg_x8(__m256 ax)
{
    const __m256 magic = f32x8(0x1.8p23f);
    __m256 a = _mm256_sub_ps(_mm256_setzero_ps(), ax);
    __m256 shifted = _mm256_fmadd_ps(a, f32x8(0x1.715476p+0f), magic);
    __m256 kf = _mm256_sub_ps(shifted, magic);
    __m256i k = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(magic));
    /* a - k ln2 = r + r_lo: k*LN2_HI exact (12-bit constant) */
    __m256 r_hi = _mm256_fnmadd_ps(kf, f32x8(0x1.62ep-1f), a);
    __m256 r = _mm256_fnmadd_ps(kf, f32x8(0x1.0bfbe8p-15f), r_hi);
    __m256 r_lo = _mm256_fnmadd_ps(kf, f32x8(0x1.0bfbe8p-15f), _mm256_sub_ps(r_hi, r));
    /* exp(r) = 1 + r + r^2 P(r), P the Taylor series 1/2 + r/6 + ... + r^6/8! */
    __m256 p = _mm256_fmadd_ps(f32x8(1.0f / 40320), r, f32x8(1.0f / 5040));
    p = _mm256_fmadd_ps(p, r, f32x8(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, f32x8(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, f32x8(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, f32x8(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, f32x8(0.5f));
    __m256 tail = _mm256_fmadd_ps(_mm256_mul_ps(r, r), p, r_lo);
    const __m256 one = f32x8(1.0f);
    __m256 one_r = _mm256_add_ps(one, r);                 /* Fast2Sum, |r| < 1 */
    __m256 lo = _mm256_add_ps(_mm256_add_ps(_mm256_sub_ps(one, one_r), r), tail);
    exp_split_x8 e;
    e.hi = _mm256_add_ps(one_r, lo);                      /* renormalise */
    e.lo = _mm256_add_ps(_mm256_sub_ps(one_r, e.hi), lo);
    e.k = k;
    return e;
}

/* What sigma and sigma' share: e = exp(-|x|) 2^-j = e_hi + e_lo and
 * s = 1 + e = s_hi + s_lo (to within what float32 can hold). */
typedef struct { __m256 x, e_hi, e_lo, s_hi, s_lo; __m256i j; } shared_x8;

static inline shared_x8 shared_parts_x8(__m256 x)
{
    const __m256 one = f32x8(1.0f);
    __m256i abs_bits = _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7fffffff));
    /* |x| clamped to 104 in integer compares (NaN included: no FP flag);
     * exp(-104) < 2^-150, so nothing changes beyond */
    __m256 ax = _mm256_castsi256_ps(_mm256_min_epi32(abs_bits, _mm256_set1_epi32(0x42d00000)));
    exp_split_x8 m = exp_neg_x8(ax);

    shared_x8 p;
    __m256i kc = _mm256_max_epi32(m.k, _mm256_set1_epi32(-100));
    __m256 scale = pow2_x8(kc);
    p.x = x;
    p.j = _mm256_sub_epi32(m.k, kc);
    p.e_hi = _mm256_mul_ps(m.hi, scale);
    p.e_lo = _mm256_mul_ps(m.lo, scale);
    p.s_hi = _mm256_add_ps(one, p.e_hi);                    /* Fast2Sum, e <= 1 */
    p.s_lo = _mm256_add_ps(_mm256_add_ps(_mm256_sub_ps(one, p.s_hi), p.e_hi), p.e_lo);
    return p;
}

/* (n_hi + n_lo) / (d_hi + d_lo) 2^j: one division, corrected once by the
 * fused residual; a NaN x is put back (adding a quiet NaN raises nothing). */
static inline __m256 finish_x8(__m256 n_hi, __m256 n_lo, __m256 d_hi, __m256 d_lo, __m256i j,
                               __m256 x)
{
    __m256 inv = _mm256_div_ps(f32x8(1.0f), d_hi);
    __m256 q = _mm256_mul_ps(n_hi, inv);
    __m256 residual = _mm256_add_ps(_mm256_fnmadd_ps(q, d_hi, n_hi), _mm256_fnmadd_ps(q, d_lo, n_lo));
    __m256 y = _mm256_mul_ps(_mm256_fmadd_ps(residual, inv, q), pow2_x8(j));
    __m256i abs_bits = _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7fffffff));
    __m256i is_nan = _mm256_cmpgt_epi32(abs_bits, _mm256_set1_epi32(0x7f800000));
    return _mm256_add_ps(y, _mm256_and_ps(x, _mm256_castsi256_ps(is_nan)));
}

/* sigma = (x < 0 ? e : 1) / (1 + e) */
static inline __m256 sigmoid_from_x8(shared_x8 p)
{
    __m256i negative = _mm256_srai_epi32(_mm256_castps_si256(p.x), 31);
    __m256 n_hi = _mm256_blendv_ps(f32x8(1.0f), p.e_hi, _mm256_castsi256_ps(negative));
    __m256 n_lo = _mm256_and_ps(p.e_lo, _mm256_castsi256_ps(negative));
    return finish_x8(n_hi, n_lo, p.s_hi, p.s_lo, _mm256_and_si256(p.j, negative), p.x);
}

/* sigma' = e / (1 + e)^2, (1 + e)^2 exact as d_hi + d_lo */
static inline __m256 sigmoid_grad_from_x8(shared_x8 p)
{
    __m256 d_hi = _mm256_mul_ps(p.s_hi, p.s_hi);
    __m256 d_lo = _mm256_add_ps(_mm256_fmsub_ps(p.s_hi, p.s_hi, d_hi),
                                _mm256_mul_ps(_mm256_add_ps(p.s_hi, p.s_hi), p.s_lo));
    return finish_x8(p.e_hi, p.e_lo, d_hi, d_lo, p.j, p.x);
}

enum x8_outputs { SIGMOID_ONLY, GRAD_ONLY, SIGMOID_AND_GRAD };

/* Eight at a time; the tail through a zero-padded block (no access past n).
 * `in` may be `out` or `out2`: each block is read before it is written. */
static inline void x8_array(const float *in, float *out, float *out2, ptrdiff_t n,
                            enum x8_outputs outputs)
{
    for (ptrdiff_t i = 0; i < n; i += 8) {
        ptrdiff_t len = n - i < 8 ? n - i : 8;
        float block[8] = {0}, block2[8];
        const float *src = in + i;
        if (len < 8)
            src = memcpy(block, in + i, (size_t)len * sizeof(float));
        shared_x8 p = shared_parts_x8(_mm256_loadu_ps(src));
        __m256 first = outputs == GRAD_ONLY ? sigmoid_grad_from_x8(p) : sigmoid_from_x8(p);
        if (len == 8) {
            _mm256_storeu_ps(out + i, first);
            if (outputs == SIGMOID_AND_GRAD)
                _mm256_storeu_ps(out2 + i, sigmoid_grad_from_x8(p));
            continue;
        }
        _mm256_storeu_ps(block, first);
        memcpy(out + i, block, (size_t)len * sizeof(float));
        if (outputs == SIGMOID_AND_GRAD) {
            _mm256_storeu_ps(block2, sigmoid_grad_from_x8(p));
            memcpy(out2 + i, block2, (size_t)len * sizeof(float));
        }
    }
}

static void sigmoid_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    x8_array((const float *)in, (float *)out, NULL, n, SIGMOID_ONLY);
}

static void sigmoid_grad_f32_kernel(const void *in, void *out, ptrdiff_t n)
{
    x8_array((const float *)in, (float *)out, NULL, n, GRAD_ONLY);
}

static void sigmoid_and_grad_f32_kernel(const void *in, void *out1, void *out2, ptrdiff_t n)
{
    x8_array((const float *)in, (float *)out1, (float *)out2, n, SIGMOID_AND_GRAD);
}
