/*
 * bfloat16 <-> float32 (plain C, no Python).  bfloat16 (ml_dtypes.bfloat16,
 * the dtype of JAX's jnp.bfloat16) is the upper half of a float32: 8 exponent
 * bits, 8 significand bits.  Widening is exact; narrowing rounds to nearest
 * even in integer arithmetic, which raises no floating-point flag and treats
 * subnormals, overflow to inf and the largest values like any other.
 */
#ifndef SIGMOIDX_BFLOAT16_H
#define SIGMOIDX_BFLOAT16_H

#include <stdint.h>
#include <string.h>

static inline float bfloat16_to_float(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint16_t float_to_bfloat16(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u)    /* NaN: sign and top payload kept, made quiet */
        return (uint16_t)((u >> 16) | 0x0040u);
    /* add half an ULP of bfloat16, minus one unless the kept part is odd: ties go to
     * even; a carry into the exponent is the right result (up to inf) */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

#endif
