/* Kernels for any CPU (SSE2 on x86-64), plus the long double loops. */
#include "kernels.h"
#include "sigmoid_math.h"

#define KERNEL_TABLE kernels_baseline
#define KERNEL_NAME "baseline"
#include "kernels_impl.h"

#define KERNEL_LONGDOUBLE(func)                                               \
    void func##_longdouble(const void *in_, void *out_, ptrdiff_t n)          \
    {                                                                         \
        const long double *in = (const long double *)in_;                     \
        long double *out = (long double *)out_;                               \
        for (ptrdiff_t i = 0; i < n; i++)                                     \
            out[i] = func##_ld(in[i]);                                        \
    }
KERNEL_LONGDOUBLE(sigmoid)
KERNEL_LONGDOUBLE(sigmoid_grad)
KERNEL_LONGDOUBLE(log_sigmoid)
KERNEL_LONGDOUBLE(logit)

void sigmoid_and_grad_longdouble(const void *in_, void *out1_, void *out2_, ptrdiff_t n)
{
    const long double *in = (const long double *)in_;
    long double *out1 = (long double *)out1_, *out2 = (long double *)out2_;
    for (ptrdiff_t i = 0; i < n; i++) {
        long double x = in[i], e = expl(-fabsl(x));
        out1[i] = sigmoid_ld_from_e(x, e);
        out2[i] = sigmoid_grad_ld_from_e(e);
    }
}

void sigmoid_backward_longdouble(const void *in1_, const void *in2_, void *out_, ptrdiff_t n)
{
    const long double *in1 = (const long double *)in1_, *in2 = (const long double *)in2_;
    long double *out = (long double *)out_;
    for (ptrdiff_t i = 0; i < n; i++)
        out[i] = sigmoid_backward_ld(in1[i], in2[i]);
}
