/* half <-> float block conversion with the vector layer's conversions (F16C's
 * vcvtph2ps / vcvtps2ph on avx2 and avx512, vcvt_f32_f16 / vcvt_f16_f32 on
 * neon); bit-identical to half_to_float/float_to_half. */
#include <stdint.h>
#include "sigmoid_math.h"

#define HAVE_F16C_BLOCKS 1

static void halves_to_floats(const uint16_t *in, float *out, ptrdiff_t n)
{
    ptrdiff_t i = 0;
    for (; i + VF32_LANES <= n; i += VF32_LANES)
        vf32_store(out + i, vf32_load_f16(in + i));
    for (; i < n; i++)
        out[i] = half_to_float(in[i]);
}

static void floats_to_halves(const float *in, uint16_t *out, ptrdiff_t n)
{
    ptrdiff_t i = 0;
    for (; i + VF32_LANES <= n; i += VF32_LANES)
        vf32_store_f16(out + i, vf32_load(in + i));
    for (; i < n; i++)
        out[i] = float_to_half(in[i]);
}
