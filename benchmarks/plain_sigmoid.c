/*
 * A plain AVX2 sigmoid, for benchmarks/ceiling.py only: not part of sigmoidx
 * and NOT accurate.  sigma = (x < 0 ? e : 1) / (1 + e), e = exp(-|x|) by
 * one Cody-Waite step and a short Taylor polynomial (degree 5 for float32,
 * 12 for float64), with no compensated step anywhere.  It is about the least
 * work any sigmoid built on an exp and a division can do, so its time is a
 * ceiling for the speed of an accurate one on the same machine.
 *
 * Built by ceiling.py with -O3 -mavx2 -mfma: run it only where AVX2 and FMA
 * are present.  n must be a multiple of 32 (the driver sees to it).
 */
#include <immintrin.h>
#include <stddef.h>

static inline __m256 plain_sigmoid_x8(__m256 x)
{
    __m256 ax = _mm256_min_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x), _mm256_set1_ps(87.0f));
    const __m256 magic = _mm256_set1_ps(0x1.8p23f);
    __m256 shifted = _mm256_fnmadd_ps(ax, _mm256_set1_ps(0x1.715476p+0f), magic);
    __m256 k = _mm256_sub_ps(shifted, magic);                  /* -round(|x| / ln2) */
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0x1.62e43p-1f), _mm256_sub_ps(_mm256_setzero_ps(), ax));
    __m256 p = _mm256_set1_ps(1.0f / 120);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i k_bits = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(magic));
    __m256 e = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), _mm256_slli_epi32(k_bits, 23)));
    __m256 numerator = _mm256_blendv_ps(_mm256_set1_ps(1.0f), e, x);
    return _mm256_div_ps(numerator, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

static inline __m256d plain_sigmoid_x4(__m256d x)
{
    __m256d ax = _mm256_min_pd(_mm256_andnot_pd(_mm256_set1_pd(-0.0), x), _mm256_set1_pd(700.0));
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    __m256d shifted = _mm256_fnmadd_pd(ax, _mm256_set1_pd(0x1.71547652b82fep+0), magic);
    __m256d k = _mm256_sub_pd(shifted, magic);
    __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(0x1.62e42fefa39efp-1), _mm256_sub_pd(_mm256_setzero_pd(), ax));
    __m256d p = _mm256_set1_pd(1.0 / 479001600);
    double factorial = 479001600;     /* 12! */
    for (int n = 11; n >= 0; n--) {  /* p = sum r^n / n! */
        factorial /= n + 1;
        p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / factorial));
    }
    __m256i k_bits = _mm256_sub_epi64(_mm256_castpd_si256(shifted), _mm256_castpd_si256(magic));
    __m256d e = _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(p), _mm256_slli_epi64(k_bits, 52)));
    __m256d numerator = _mm256_blendv_pd(_mm256_set1_pd(1.0), e, x);
    return _mm256_div_pd(numerator, _mm256_add_pd(_mm256_set1_pd(1.0), e));
}

/* four independent vectors per step, as sigmoidx's own loops */
void plain_sigmoid_f32(const float *in, float *out, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i += 32)
        for (int b = 0; b < 32; b += 8)
            _mm256_storeu_ps(out + i + b, plain_sigmoid_x8(_mm256_loadu_ps(in + i + b)));
}

void plain_sigmoid_f64(const double *in, double *out, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i += 16)
        for (int b = 0; b < 16; b += 4)
            _mm256_storeu_pd(out + i + b, plain_sigmoid_x4(_mm256_loadu_pd(in + i + b)));
}
