/*
 * sigmoidx.h: the C API of sigmoidx, the sigmoid family as scalar C functions
 * for other compiled extensions, the way NumPy exports its C API: a table of
 * function pointers in a PyCapsule (sigmoidx._core._C_API).
 *
 *     #include <Python.h>
 *     #include "sigmoidx.h"          (directory: sigmoidx.get_include())
 *
 *     in the module's init, with the GIL held, once:
 *         if (import_sigmoidx() < 0) return NULL;
 *     then anywhere, with or without the GIL:
 *         double y = sigmoidx_sigmoid(x);
 *         float g = sigmoidx_sigmoid_gradf(xf);
 *
 * Functions (double; the float versions end in f):
 *     sigmoidx_sigmoid(x)              1 / (1 + exp(-x))
 *     sigmoidx_sigmoid_grad(x)         sigma(x) (1 - sigma(x)), from x
 *     sigmoidx_sigmoid_and_grad(x, &s, &g)   both, the same bits as the two
 *     sigmoidx_sigmoid_backward(dy, y) dy * y * (1 - y)
 *     sigmoidx_log_sigmoid(x)          log sigma(x)
 *     sigmoidx_logit(p)                log(p / (1 - p))
 * Each is within 1 ULP of the true value and gives the same bits as the
 * sigmoidx ufunc on the baseline kernel level (SIGMOIDX_CPU=baseline); the
 * vector levels run other algorithms with the same 1-ULP bound.  They raise
 * the floating-point flags the ufunc's arithmetic raises, "underflow" for
 * subnormal results included (the ufunc loops clear that one afterwards).
 *
 * Like NumPy's PyArray_API, the table pointer is static: every C file that
 * calls these functions calls import_sigmoidx() once itself.
 */
#ifndef SIGMOIDX_H
#define SIGMOIDX_H

#include <Python.h>
#include "sigmoidx_api.h"

static const sigmoidx_c_api *sigmoidx_api_table = NULL;

/* 0 on success; -1 with a Python exception set (ImportError when sigmoidx is
 * missing or older than this header). */
static inline int import_sigmoidx(void)
{
    const sigmoidx_c_api *table =
        (const sigmoidx_c_api *)PyCapsule_Import("sigmoidx._core._C_API", 0);
    if (table == NULL) {
        /* sigmoidx missing: its ImportError; there but without the capsule: say so */
        if (!PyErr_ExceptionMatches(PyExc_ImportError)) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ImportError,
                            "this sigmoidx has no C API (sigmoidx._core._C_API): upgrade sigmoidx");
        }
        return -1;
    }
    if (table->version < SIGMOIDX_C_API_VERSION) {
        PyErr_Format(PyExc_ImportError,
                     "sigmoidx C API version %u is older than version %d, which this "
                     "module was built against: upgrade sigmoidx",
                     table->version, SIGMOIDX_C_API_VERSION);
        return -1;
    }
    sigmoidx_api_table = table;
    return 0;
}

static inline double sigmoidx_sigmoid(double x) { return sigmoidx_api_table->sigmoid(x); }
static inline float sigmoidx_sigmoidf(float x) { return sigmoidx_api_table->sigmoidf(x); }
static inline double sigmoidx_sigmoid_grad(double x) { return sigmoidx_api_table->sigmoid_grad(x); }
static inline float sigmoidx_sigmoid_gradf(float x) { return sigmoidx_api_table->sigmoid_gradf(x); }
static inline void sigmoidx_sigmoid_and_grad(double x, double *sigma, double *grad)
{
    sigmoidx_api_table->sigmoid_and_grad(x, sigma, grad);
}
static inline void sigmoidx_sigmoid_and_gradf(float x, float *sigma, float *grad)
{
    sigmoidx_api_table->sigmoid_and_gradf(x, sigma, grad);
}
static inline double sigmoidx_sigmoid_backward(double dy, double y)
{
    return sigmoidx_api_table->sigmoid_backward(dy, y);
}
static inline float sigmoidx_sigmoid_backwardf(float dy, float y)
{
    return sigmoidx_api_table->sigmoid_backwardf(dy, y);
}
static inline double sigmoidx_log_sigmoid(double x) { return sigmoidx_api_table->log_sigmoid(x); }
static inline float sigmoidx_log_sigmoidf(float x) { return sigmoidx_api_table->log_sigmoidf(x); }
static inline double sigmoidx_logit(double p) { return sigmoidx_api_table->logit(p); }
static inline float sigmoidx_logitf(float p) { return sigmoidx_api_table->logitf(p); }

#endif
