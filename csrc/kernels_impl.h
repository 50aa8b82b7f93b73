/*
 * The kernel loops, compiled once per instruction-set level: a kernels_*.c
 * file sets the target, defines KERNEL_TABLE (the table's name) and may
 * define HAVE_F16C_BLOCKS with its own half <-> float block converters and
 * HAVE_VEC_F32_KERNELS / HAVE_VEC_F64_KERNELS with its own float32 / float64
 * kernels (kernels_vec_f32.h, kernels_vec_f64.h), then includes this file.
 * The loops are plain element-wise loops over the inline functions of
 * sigmoid_math.h, which the compiler vectorises for the target.
 */
#include <stdint.h>
#include "kernels.h"
#include "sigmoid_math.h"

#define KERNEL_F32_F64(func, type)                                            \
    static void func##_##type##_kernel(const void *in_, void *out_, ptrdiff_t n) \
    {                                                                         \
        const type *in = (const type *)in_;                                   \
        type *out = (type *)out_;                                             \
        for (ptrdiff_t i = 0; i < n; i++)                                     \
            out[i] = func##_##type(in[i]);                                    \
    }

/* float64 in two passes over blocks: the first half of the computation
 * (exp(-|x|), or logit's quotient) as a pair into two buffers, then the rest.
 * One element's whole dependency chain is too long for the out-of-order
 * window to overlap many elements; each of two shorter loops overlaps more,
 * and the result is the same bits as one pass.  A block whose inputs are all
 * moderate (no top bit in any outside(x), an integer scan that vectorises)
 * takes first_moderate and second_moderate, the same steps without the
 * selects for special values (sigmoid_math.h): the same bits again. */
#define STAGE_BLOCK 256
#define KERNEL_F64_TWO_PASSES(func, outside, first, second, first_moderate, second_moderate) \
    static void func##_f64_kernel(const void *in_, void *out_, ptrdiff_t n)   \
    {                                                                         \
        const double *in = (const double *)in_;                               \
        double *out = (double *)out_;                                         \
        double hi[STAGE_BLOCK], lo[STAGE_BLOCK];                              \
        for (ptrdiff_t start = 0; start < n; start += STAGE_BLOCK) {          \
            ptrdiff_t len = n - start < STAGE_BLOCK ? n - start : STAGE_BLOCK; \
            uint64_t any_outside = 0;                                         \
            for (ptrdiff_t i = 0; i < len; i++)                               \
                any_outside |= outside(in[start + i]);                        \
            if (any_outside >> 63) {                                          \
                for (ptrdiff_t i = 0; i < len; i++)                           \
                    first(in[start + i], &hi[i], &lo[i]);                     \
                for (ptrdiff_t i = 0; i < len; i++)                           \
                    out[start + i] = second(in[start + i], hi[i], lo[i]);     \
            } else {                                                          \
                for (ptrdiff_t i = 0; i < len; i++)                           \
                    first_moderate(in[start + i], &hi[i], &lo[i]);            \
                for (ptrdiff_t i = 0; i < len; i++)                           \
                    out[start + i] = second_moderate(in[start + i], hi[i], lo[i]); \
            }                                                                 \
        }                                                                     \
    }

typedef float f32;
typedef double f64;
#ifndef HAVE_VEC_F32_KERNELS
/* float32 in blocks: a block whose inputs are all moderate (no top bit in
 * any outside_moderate_f32(x)) takes func_f32_moderate, the same bits
 * without the selects for special values.  In place (in == out, as the
 * float16 loops call it) too: out[i] is written after in[i] was read. */
#define KERNEL_F32_MODERATE_BLOCKS(func)                                      \
    static void func##_f32_kernel(const void *in_, void *out_, ptrdiff_t n)   \
    {                                                                         \
        const float *in = (const float *)in_;                                 \
        float *out = (float *)out_;                                           \
        for (ptrdiff_t start = 0; start < n; start += STAGE_BLOCK) {          \
            ptrdiff_t len = n - start < STAGE_BLOCK ? n - start : STAGE_BLOCK; \
            uint32_t any_outside = 0;                                         \
            for (ptrdiff_t i = 0; i < len; i++)                               \
                any_outside |= outside_moderate_f32(in[start + i]);           \
            if (any_outside >> 31) {                                          \
                for (ptrdiff_t i = 0; i < len; i++)                           \
                    out[start + i] = func##_f32(in[start + i]);               \
            } else {                                                          \
                for (ptrdiff_t i = 0; i < len; i++)                           \
                    out[start + i] = func##_f32_moderate(in[start + i]);      \
            }                                                                 \
        }                                                                     \
    }
KERNEL_F32_MODERATE_BLOCKS(sigmoid)
KERNEL_F32_MODERATE_BLOCKS(sigmoid_grad)
KERNEL_F32_F64(log_sigmoid, f32)
#endif
#ifndef HAVE_VEC_F64_KERNELS
static inline double sigmoid_moderate_from_e(double x, double e_hi, double e_lo)
{
    return sigmoid_f64_from_e_not_nan(x, e_hi, e_lo);
}
static inline double sigmoid_grad_moderate_from_e(double x, double e_hi, double e_lo)
{
    (void)x;
    return sigmoid_grad_f64_from_e_not_nan(e_hi, e_lo);
}
static inline double logit_moderate_from_quotient(double p, double y_hi, double y_lo)
{
    (void)p;
    return logit_log_f64(y_hi, y_lo, 0);
}
KERNEL_F64_TWO_PASSES(sigmoid, outside_moderate_f64, sigmoid_f64_common, sigmoid_f64_from_e,
                      sigmoid_f64_common_moderate, sigmoid_moderate_from_e)
KERNEL_F64_TWO_PASSES(sigmoid_grad, outside_moderate_f64, sigmoid_f64_common,
                      sigmoid_grad_f64_from_e, sigmoid_f64_common_moderate,
                      sigmoid_grad_moderate_from_e)
KERNEL_F64_TWO_PASSES(log_sigmoid, outside_moderate_f64, sigmoid_f64_common,
                      log_sigmoid_f64_from_e, sigmoid_f64_common_moderate,
                      log_sigmoid_f64_from_e_moderate)
KERNEL_F32_F64(logit, f32)
KERNEL_F64_TWO_PASSES(logit, logit_outside_moderate_f64, logit_quotient_f64,
                      logit_f64_from_quotient, logit_quotient_inside_f64,
                      logit_moderate_from_quotient)
#endif

/* One input, two outputs. */
#define KERNEL2_F32_F64(func, type)                                           \
    static void func##_##type##_kernel(const void *in_, void *out1_, void *out2_, \
                                       ptrdiff_t n)                           \
    {                                                                         \
        const type *in = (const type *)in_;                                   \
        type *out1 = (type *)out1_, *out2 = (type *)out2_;                    \
        for (ptrdiff_t i = 0; i < n; i++) {                                   \
            type a, b;                                                        \
            func##_##type(in[i], &a, &b);                                     \
            out1[i] = a;                                                      \
            out2[i] = b;                                                      \
        }                                                                     \
    }
#ifndef HAVE_VEC_F32_KERNELS
KERNEL2_F32_F64(sigmoid_and_grad, f32)
#endif
#ifndef HAVE_VEC_F64_KERNELS
/* in two passes as above: one exp, then exactly the steps of each function */
static void sigmoid_and_grad_f64_kernel(const void *in_, void *out1_, void *out2_, ptrdiff_t n)
{
    const double *in = (const double *)in_;
    double *out1 = (double *)out1_, *out2 = (double *)out2_;
    double hi[STAGE_BLOCK], lo[STAGE_BLOCK];
    for (ptrdiff_t start = 0; start < n; start += STAGE_BLOCK) {
        ptrdiff_t len = n - start < STAGE_BLOCK ? n - start : STAGE_BLOCK;
        uint64_t any_outside = 0;
        for (ptrdiff_t i = 0; i < len; i++)
            any_outside |= outside_moderate_f64(in[start + i]);
        if (any_outside >> 63) {
            for (ptrdiff_t i = 0; i < len; i++)
                sigmoid_f64_common(in[start + i], &hi[i], &lo[i]);
            for (ptrdiff_t i = 0; i < len; i++) {
                double x = in[start + i];
                out1[start + i] = sigmoid_f64_from_e(x, hi[i], lo[i]);
                out2[start + i] = sigmoid_grad_f64_from_e(x, hi[i], lo[i]);
            }
        } else {
            for (ptrdiff_t i = 0; i < len; i++)
                sigmoid_f64_common_moderate(in[start + i], &hi[i], &lo[i]);
            for (ptrdiff_t i = 0; i < len; i++) {
                out1[start + i] = sigmoid_f64_from_e_not_nan(in[start + i], hi[i], lo[i]);
                out2[start + i] = sigmoid_grad_f64_from_e_not_nan(hi[i], lo[i]);
            }
        }
    }
}
#endif

/* Two inputs, one output. */
#define BINARY_F32_F64(func, type)                                            \
    static void func##_##type##_kernel(const void *in1_, const void *in2_, void *out_, \
                                       ptrdiff_t n)                           \
    {                                                                         \
        const type *in1 = (const type *)in1_, *in2 = (const type *)in2_;      \
        type *out = (type *)out_;                                             \
        for (ptrdiff_t i = 0; i < n; i++)                                     \
            out[i] = func##_##type(in1[i], in2[i]);                           \
    }
BINARY_F32_F64(sigmoid_backward, f32)
#ifndef HAVE_VEC_F64_KERNELS
BINARY_F32_F64(sigmoid_backward, f64)
#endif

#ifndef HAVE_F16C_BLOCKS
static void halves_to_floats(const uint16_t *in, float *out, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i++)
        out[i] = half_to_float(in[i]);
}

static void floats_to_halves(const float *in, uint16_t *out, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i++)
        out[i] = float_to_half(in[i]);
}
#endif

/* float16: widen a block to float32 (exact), run the float32 kernel, round
 * back once more (a float32 result within 0.78 ULP of float32 is within
 * 0.5 + 2^-13 ULP of float16). */
#define HALF_BLOCK 256
#define KERNEL_F16(func)                                                      \
    static void func##_f16_kernel(const void *in_, void *out_, ptrdiff_t n)   \
    {                                                                         \
        const uint16_t *in = (const uint16_t *)in_;                           \
        uint16_t *out = (uint16_t *)out_;                                     \
        float buffer[HALF_BLOCK];                                             \
        for (ptrdiff_t start = 0; start < n; start += HALF_BLOCK) {           \
            ptrdiff_t len = n - start < HALF_BLOCK ? n - start : HALF_BLOCK;  \
            halves_to_floats(in + start, buffer, len);                        \
            func##_f32_kernel(buffer, buffer, len);                           \
            floats_to_halves(buffer, out + start, len);                       \
        }                                                                     \
    }

KERNEL_F16(sigmoid)
KERNEL_F16(sigmoid_grad)
KERNEL_F16(log_sigmoid)
KERNEL_F16(logit)

/* Complex: interleaved (re, im) pairs of float or double; `negligible`, the
 * largest exp(-|Re z|) below half the smallest subnormal of `type`
 * (sigmoid_math.h, complex_y_used). */
#define KERNEL_COMPLEX(func, type, name, negligible)                          \
    static void func##_##name##_kernel(const void *in_, void *out_, ptrdiff_t n) \
    {                                                                         \
        const type *in = (const type *)in_;                                   \
        type *out = (type *)out_;                                             \
        for (ptrdiff_t i = 0; i < n; i++) {                                   \
            c64_parts r = func##_complex((double)in[2 * i], (double)in[2 * i + 1], negligible); \
            out[2 * i] = (type)r.re;                                          \
            out[2 * i + 1] = (type)r.im;                                      \
        }                                                                     \
    }
KERNEL_COMPLEX(sigmoid, float, c64, 0x1.fffffffffffffp-151)
KERNEL_COMPLEX(sigmoid, double, c128, 0.0)
KERNEL_COMPLEX(sigmoid_grad, float, c64, 0x1.fffffffffffffp-151)
KERNEL_COMPLEX(sigmoid_grad, double, c128, 0.0)

/* float16, two inputs: both widened, one result rounded back. */
static void sigmoid_backward_f16_kernel(const void *in1_, const void *in2_, void *out_,
                                        ptrdiff_t n)
{
    const uint16_t *in1 = (const uint16_t *)in1_, *in2 = (const uint16_t *)in2_;
    uint16_t *out = (uint16_t *)out_;
    float first[HALF_BLOCK], second[HALF_BLOCK];
    for (ptrdiff_t start = 0; start < n; start += HALF_BLOCK) {
        ptrdiff_t len = n - start < HALF_BLOCK ? n - start : HALF_BLOCK;
        halves_to_floats(in1 + start, first, len);
        halves_to_floats(in2 + start, second, len);
        sigmoid_backward_f32_kernel(first, second, first, len);
        floats_to_halves(first, out + start, len);
    }
}

/* float16, one input and two outputs: the same widening, two buffers back. */
static void sigmoid_and_grad_f16_kernel(const void *in_, void *out1_, void *out2_, ptrdiff_t n)
{
    const uint16_t *in = (const uint16_t *)in_;
    uint16_t *out1 = (uint16_t *)out1_, *out2 = (uint16_t *)out2_;
    float buffer[HALF_BLOCK], second[HALF_BLOCK];
    for (ptrdiff_t start = 0; start < n; start += HALF_BLOCK) {
        ptrdiff_t len = n - start < HALF_BLOCK ? n - start : HALF_BLOCK;
        halves_to_floats(in + start, buffer, len);
        sigmoid_and_grad_f32_kernel(buffer, buffer, second, len);
        floats_to_halves(buffer, out1 + start, len);
        floats_to_halves(second, out2 + start, len);
    }
}

/* The table of this level: for each function of SIGMOIDX_FAMILY (kernels.h)
 * its func_f16_kernel, func_f32_kernel, func_f64_kernel above and
 * func_longdouble (kernels_baseline.c); func_c64_kernel / func_c128_kernel
 * for SIGMOIDX_COMPLEX_FAMILY. */
#define KERNEL_TABLE_ENTRY(func, kernel_type)                                 \
    .func = {[DT_F16] = func##_f16_kernel, [DT_F32] = func##_f32_kernel,      \
             [DT_F64] = func##_f64_kernel, [DT_LONGDOUBLE] = func##_longdouble},
#define KERNEL_TABLE_COMPLEX_ENTRY(func)                                      \
    .func##_complex = {[DT_C64] = func##_c64_kernel, [DT_C128] = func##_c128_kernel},

const kernel_table KERNEL_TABLE = {
    .name = KERNEL_NAME,
    SIGMOIDX_FAMILY(KERNEL_TABLE_ENTRY)
    SIGMOIDX_COMPLEX_FAMILY(KERNEL_TABLE_COMPLEX_ENTRY)
};
