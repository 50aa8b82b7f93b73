/*
 * Array kernels: contiguous input -> contiguous output, n elements.  Plain C,
 * no Python.  One table per instruction-set level; the module picks one at
 * import (dispatch.h).  avx2, avx512 and neon run one source, the vector
 * kernels of kernels_vec_f32.h and kernels_vec_f64.h over the vector layers
 * vec_avx2.h (8/4 lanes), vec_avx512.h (16/8) and vec_neon.h (4/2); avx2
 * and neon give the same bits, avx512 computes exp with larger tables and
 * starts the float32 quotients from vrcp14ps, so its results differ from
 * avx2's in the last bit of some inputs (every function but logit), each level
 * within 1 ULP of the true value.  The baseline's results are within 1 ULP of
 * avx2's, and the same bits where it runs the same scalar code (long double,
 * and the functions without a vector kernel); float16 gives the same bits on
 * every level (tests/test_kernel_levels.py).
 */
#ifndef SIGMOIDX_KERNELS_H
#define SIGMOIDX_KERNELS_H

#include <stddef.h>

/* `in` and `out` may be the same array, or overlap with `out` behind `in`
 * (NumPy passes such operands without a copy): kernels run forward and read
 * each element, or block, before writing its result.  An output ahead of an
 * input (a reduction's accumulator) never reaches a kernel with n > 1
 * (module.c, output_feeds_an_input). */
typedef void (*unary_kernel)(const void *in, void *out, ptrdiff_t n);
/* One input, two outputs (sigmoid_and_grad). */
typedef void (*unary2_kernel)(const void *in, void *out1, void *out2, ptrdiff_t n);
/* Two inputs, one output (sigmoid_backward); any of them may be the same array. */
typedef void (*binary_kernel)(const void *in1, const void *in2, void *out, ptrdiff_t n);

/* Index of a dtype in the tables below and in the ufunc loop lists. */
enum sigmoidx_dtype { DT_F16, DT_F32, DT_F64, DT_LONGDOUBLE, DT_COUNT };
/* complex64 and complex128: sigmoid and sigmoid_grad only */
enum sigmoidx_complex_dtype { DT_C64, DT_C128, DT_COMPLEX_COUNT };

/* The family, one entry per ufunc, in the order the module adds them:
 * X(function, kernel type).  The kernel type is the ufunc's shape: one input
 * and one output (unary_kernel), one and two (unary2_kernel), two and one
 * (binary_kernel).  This one list generates the fields of kernel_table, the
 * long double declarations below, every level's table (kernels_impl.h) and
 * the ufuncs: their specs, their count and their loops' data (module.c, which
 * takes the docstring function_doc from ufunc_docs.h). */
#define SIGMOIDX_FAMILY(X)                                                    \
    X(sigmoid, unary_kernel)                                                  \
    X(sigmoid_grad, unary_kernel)                                             \
    X(sigmoid_and_grad, unary2_kernel)                                        \
    X(sigmoid_backward, binary_kernel)                                        \
    X(log_sigmoid, unary_kernel)                                              \
    X(logit, unary_kernel)
/* The functions that also take complex64 and complex128: X(function), a
 * subset of the family, of kernel type unary_kernel (module.c registers
 * complex loops for one input and one output only). */
#define SIGMOIDX_COMPLEX_FAMILY(X) X(sigmoid) X(sigmoid_grad)

typedef struct {
    const char *name;                  /* "baseline", "avx2", "avx512", "neon" */
#define KERNEL_TABLE_FIELD(func, kernel_type) kernel_type func[DT_COUNT];
    SIGMOIDX_FAMILY(KERNEL_TABLE_FIELD)
#undef KERNEL_TABLE_FIELD
#define KERNEL_TABLE_COMPLEX_FIELD(func) unary_kernel func##_complex[DT_COMPLEX_COUNT];
    SIGMOIDX_COMPLEX_FAMILY(KERNEL_TABLE_COMPLEX_FIELD)
#undef KERNEL_TABLE_COMPLEX_FIELD
} kernel_table;

extern const kernel_table kernels_baseline;
/* x86-64 with GCC or clang (which defines __GNUC__ too): the avx2 and avx512
 * tables are compiled for their targets and chosen at run time (dispatch.c);
 * other compilers and CPUs build the baseline only. */
#if defined(__x86_64__) && defined(__GNUC__)
#define SIGMOIDX_X86_DISPATCH 1
extern const kernel_table kernels_avx2;
extern const kernel_table kernels_avx512;
#endif
/* aarch64: NEON, FMA and the half <-> single conversions are part of ARMv8-A,
 * so the neon table (vec_neon.h) is always there, no run-time check. */
#if defined(__aarch64__) && defined(__ARM_NEON)
#define SIGMOIDX_NEON 1
extern const kernel_table kernels_neon;
#endif

/* Compile the rest of a kernels_*.c file for an instruction set, e.g.
 * SIGMOIDX_TARGET_BEGIN("avx2,fma,f16c") ... SIGMOIDX_TARGET_END.  GCC takes
 * `#pragma GCC target`; clang ignores that pragma and takes a target attribute
 * applied to every function that follows, until END.  Unlike GCC, clang does
 * not define the target's macros (__FMA__, __AVX2__) after it. */
#define SIGMOIDX_PRAGMA(text) _Pragma(#text)
#if defined(__clang__)
#define SIGMOIDX_TARGET_BEGIN(isa) \
    SIGMOIDX_PRAGMA(clang attribute push(__attribute__((target(isa))), apply_to = function))
#define SIGMOIDX_TARGET_END SIGMOIDX_PRAGMA(clang attribute pop)
#else
#define SIGMOIDX_TARGET_BEGIN(isa) SIGMOIDX_PRAGMA(GCC target(isa))
#define SIGMOIDX_TARGET_END
#endif

/* Long double has no vector form: every table points to these
 * (sigmoid_longdouble, ...), of the function types below. */
typedef void unary_kernel_function(const void *in, void *out, ptrdiff_t n);
typedef void unary2_kernel_function(const void *in, void *out1, void *out2, ptrdiff_t n);
typedef void binary_kernel_function(const void *in1, const void *in2, void *out, ptrdiff_t n);
#define KERNEL_LONGDOUBLE_DECLARATION(func, kernel_type) kernel_type##_function func##_longdouble;
SIGMOIDX_FAMILY(KERNEL_LONGDOUBLE_DECLARATION)
#undef KERNEL_LONGDOUBLE_DECLARATION

#endif
