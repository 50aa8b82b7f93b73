/* half <-> float block conversion with the F16C instructions (part of the
 * AVX2 and AVX-512 levels); bit-identical to half_to_float/float_to_half. */
#include <immintrin.h>
#include <stdint.h>
#include "sigmoid_math.h"

#define HAVE_F16C_BLOCKS 1

static void halves_to_floats(const uint16_t *in, float *out, ptrdiff_t n)
{
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(in + i))));
    for (; i < n; i++)
        out[i] = half_to_float(in[i]);
}

static void floats_to_halves(const float *in, uint16_t *out, ptrdiff_t n)
{
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(out + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++)
        out[i] = float_to_half(in[i]);
}
