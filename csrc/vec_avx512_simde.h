/*
 * Test-only (scripts/test_avx512_emulated.sh): the AVX-512 intrinsics of
 * vec_avx512.h from SIMDe (Debian's libsimde-dev), which implements them on
 * AVX2, so that the avx512 kernels run, and are tested, on a CPU without
 * AVX-512.  Built with AVX2 + FMA + F16C only: the object has no zmm code.
 *
 * SIMDe 0.7.4 lacks a few of the intrinsics vec_avx512.h uses; they are
 * supplied below from 256-bit halves or lane by lane, with the results the
 * instructions give (exact conversions and shifts, IEEE roundings, masked
 * lanes neither read nor written), except vrcp14ps (see there).  SIMDe's
 * vscalefps / vscalefpd flush a subnormal input to zero and give 0 for a
 * result below the subnormals' range: the kernels scale normal numbers by
 * 2^floor(f) with floor(f) >= -93 (float32) / -739 (float64) only, where the
 * results are the instructions'.
 */
#ifndef SIGMOIDX_VEC_AVX512_SIMDE_H
#define SIGMOIDX_VEC_AVX512_SIMDE_H

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <stdint.h>

static inline __m512 emulated_join_ps(__m256 lo, __m256 hi)
{
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(lo)),
                                               _mm256_castps_pd(hi), 1));
}
static inline __m256 emulated_high_ps(__m512 a)
{
    return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1));
}
static inline __m512i emulated_join_si(__m256i lo, __m256i hi)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

#undef _mm512_srai_epi32
#define _mm512_srai_epi32(a, count)                                                   \
    emulated_join_si(_mm256_srai_epi32(_mm512_castsi512_si256(a), (count)),           \
                     _mm256_srai_epi32(_mm512_extracti64x4_epi64((a), 1), (count)))

#undef _mm512_srai_epi64
#define _mm512_srai_epi64(a, count) emulated_srai_epi64((a), (count))
static inline __m512i emulated_srai_epi64(__m512i a, int count)
{
    int64_t lanes[8];
    _mm512_storeu_si512(lanes, a);
    for (int i = 0; i < 8; i++)  /* arithmetic: GCC and clang define >> on negative values so */
        lanes[i] = lanes[i] >> count;
    return _mm512_loadu_si512(lanes);
}

#undef _mm512_cvtepi32_ps
#define _mm512_cvtepi32_ps(a)                                                         \
    emulated_join_ps(_mm256_cvtepi32_ps(_mm512_castsi512_si256(a)),                   \
                     _mm256_cvtepi32_ps(_mm512_extracti64x4_epi64((a), 1)))

#undef _mm512_cvtps_pd
#define _mm512_cvtps_pd(a) emulated_cvtps_pd(a)
static inline __m512d emulated_cvtps_pd(__m256 a)
{
    return _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_cvtps_pd(_mm256_castps256_ps128(a))),
                              _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)), 1);
}

#undef _mm512_cvtpd_ps
#define _mm512_cvtpd_ps(a) emulated_cvtpd_ps(a)
static inline __m256 emulated_cvtpd_ps(__m512d a)
{
    return _mm256_set_m128(_mm256_cvtpd_ps(_mm512_extractf64x4_pd(a, 1)),
                           _mm256_cvtpd_ps(_mm512_castpd512_pd256(a)));
}

#undef _mm512_cvtph_ps
#define _mm512_cvtph_ps(a) emulated_cvtph_ps(a)
static inline __m512 emulated_cvtph_ps(__m256i a)
{
    return emulated_join_ps(_mm256_cvtph_ps(_mm256_castsi256_si128(a)),
                            _mm256_cvtph_ps(_mm256_extracti128_si256(a, 1)));
}

#undef _mm512_cvtps_ph
#define _mm512_cvtps_ph(a, rounding)                                                  \
    _mm256_set_m128i(_mm256_cvtps_ph(emulated_high_ps(a), (rounding)),                \
                     _mm256_cvtps_ph(_mm512_castps512_ps256(a), (rounding)))

/* vrcp14ps: SIMDe has none; a division meets its contract (2^-14 relative)
 * but not its bits, so float32 results may differ from native AVX-512 in the
 * last bit, as they do from avx2's */
#undef _mm512_rcp14_ps
#define _mm512_rcp14_ps(a) _mm512_div_ps(_mm512_set1_ps(1.0f), (a))

/* masked loads and stores lane by lane: masked-out lanes are not touched */
#undef _mm512_maskz_loadu_ps
#define _mm512_maskz_loadu_ps(k, p) emulated_maskz_loadu_ps((k), (p))
static inline __m512 emulated_maskz_loadu_ps(__mmask16 k, const void *p)
{
    float lanes[16] = {0};
    for (int i = 0; i < 16; i++)
        if (k >> i & 1)
            lanes[i] = ((const float *)p)[i];
    return _mm512_loadu_ps(lanes);
}
#undef _mm512_maskz_loadu_pd
#define _mm512_maskz_loadu_pd(k, p) emulated_maskz_loadu_pd((k), (p))
static inline __m512d emulated_maskz_loadu_pd(__mmask8 k, const void *p)
{
    double lanes[8] = {0};
    for (int i = 0; i < 8; i++)
        if (k >> i & 1)
            lanes[i] = ((const double *)p)[i];
    return _mm512_loadu_pd(lanes);
}
#undef _mm512_mask_storeu_ps
#define _mm512_mask_storeu_ps(p, k, a) emulated_mask_storeu_ps((p), (k), (a))
static inline void emulated_mask_storeu_ps(void *p, __mmask16 k, __m512 a)
{
    float lanes[16];
    _mm512_storeu_ps(lanes, a);
    for (int i = 0; i < 16; i++)
        if (k >> i & 1)
            ((float *)p)[i] = lanes[i];
}
#undef _mm512_mask_storeu_pd
#define _mm512_mask_storeu_pd(p, k, a) emulated_mask_storeu_pd((p), (k), (a))
static inline void emulated_mask_storeu_pd(void *p, __mmask8 k, __m512d a)
{
    double lanes[8];
    _mm512_storeu_pd(lanes, a);
    for (int i = 0; i < 8; i++)
        if (k >> i & 1)
            ((double *)p)[i] = lanes[i];
}

#endif
