/*
 * sigmoidx._core: the only file that touches Python and NumPy.  It registers
 * the ufuncs (one static table drives them all), and its single loop function
 * hands contiguous runs straight to a kernel and strided ones through a small
 * buffer.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#define NPY_TARGET_VERSION NPY_1_25_API_VERSION  /* oldest NumPy in pyproject */
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>

#include <fenv.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "kernels.h"

#ifndef SIGMOIDX_SOURCE_HASH
#define SIGMOIDX_SOURCE_HASH "unknown"
#endif

/* What a loop needs: NumPy hands it back as the `data` argument. */
typedef struct {
    unary_kernel kernel;
    npy_intp itemsize;
} loop_data;

/* Elements per buffered block on the strided path (fits L1 with room). */
#define STRIDED_BLOCK 512

static void gather(char *dst, const char *src, npy_intp stride, npy_intp n, npy_intp size)
{
    for (npy_intp i = 0; i < n; i++)
        memcpy(dst + i * size, src + i * stride, (size_t)size);
}

static void scatter(char *dst, npy_intp stride, const char *src, npy_intp n, npy_intp size)
{
    for (npy_intp i = 0; i < n; i++)
        memcpy(dst + i * stride, src + i * size, (size_t)size);
}

static void unary_loop(char **args, npy_intp const *dimensions, npy_intp const *steps,
                       void *data)
{
    const loop_data *loop = (const loop_data *)data;
    const npy_intp n = dimensions[0], size = loop->itemsize;
    char *in = args[0], *out = args[1];
    const npy_intp in_step = steps[0], out_step = steps[1];

    if (in_step == size && out_step == size) {
        loop->kernel(in, out, n);
    }
    else {
        /* long double is the widest item: 16 bytes */
        _Alignas(64) char buffer[STRIDED_BLOCK * 16];
        for (npy_intp start = 0; start < n; start += STRIDED_BLOCK) {
            npy_intp len = n - start < STRIDED_BLOCK ? n - start : STRIDED_BLOCK;
            const char *src = in + start * in_step;
            char *dst = out + start * out_step;
            if (in_step != size) {
                gather(buffer, src, in_step, len, size);
                src = buffer;
            }
            if (out_step == size) {
                loop->kernel(src, dst, len);
            }
            else {
                loop->kernel(src, buffer, len);
                scatter(dst, out_step, buffer, len, size);
            }
        }
    }
    /* A subnormal result is the right answer here, not an error to report
     * (np.errstate(under="raise") would otherwise raise on sigmoid(-720)). */
    if (fetestexcept(FE_UNDERFLOW))
        feclearexcept(FE_UNDERFLOW);
}

/* ------------------------------------------------------------------------ */
/* The ufuncs.  NumPy keeps the pointers given to it: all of this is static. */

static PyUFuncGenericFunction unary_loops[DT_COUNT] = {unary_loop, unary_loop, unary_loop,
                                                       unary_loop};
static const char unary_types[DT_COUNT * 2] = {
    NPY_HALF, NPY_HALF, NPY_FLOAT, NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE,
    NPY_LONGDOUBLE, NPY_LONGDOUBLE,
};
static const npy_intp dtype_sizes[DT_COUNT] = {2, 4, 8, sizeof(long double)};

/* Filled once in module exec with the kernels of the chosen CPU level. */
static loop_data sigmoid_loop_data[DT_COUNT], sigmoid_grad_loop_data[DT_COUNT];
static void *sigmoid_data[DT_COUNT], *sigmoid_grad_data[DT_COUNT];

static const char sigmoid_doc[] =
    "Logistic sigmoid, element-wise: ``sigmoid(x) = 1 / (1 + exp(-x))``.\n"
    "\n"
    "Computed as ``e / (1 + e)`` or ``1 / (1 + e)`` with ``e = exp(-|x|)``:\n"
    "no overflow, no cancellation, and subnormal results are kept.\n"
    "Max error: 1 ULP for float16, float32 and float64, 2 ULP for long double.\n"
    "\n"
    "Parameters\n"
    "----------\n"
    "x : array_like\n"
    "    Input values.  Integers and bools give the dtype ``np.exp`` gives.\n"
    "out, where, casting, order, dtype, subok\n"
    "    As for every ufunc; see :ref:`ufuncs.kwargs`.\n"
    "\n"
    "Returns\n"
    "-------\n"
    "y : ndarray or scalar\n"
    "    Values in [0, 1]: ``sigmoid(-inf) = 0``, ``sigmoid(0) = 0.5``,\n"
    "    ``sigmoid(inf) = 1``, NaN for NaN.\n"
    "\n"
    "See Also\n"
    "--------\n"
    "sigmoid_grad : the derivative, computed from ``x``.\n"
    "scipy.special.expit : the same function (SciPy's version).\n"
    "\n"
    "Examples\n"
    "--------\n"
    ">>> import numpy as np, sigmoidx\n"
    ">>> sigmoidx.sigmoid(np.array([-1.0, 0.0, 1.0]))\n"
    "array([0.26894142, 0.5       , 0.73105858])\n"
    ">>> float(sigmoidx.sigmoid(-720.0))  # subnormal, not flushed to 0\n"
    "2.0322308024e-313\n";

static const char sigmoid_grad_doc[] =
    "Derivative of the logistic sigmoid, element-wise:\n"
    "``sigmoid_grad(x) = sigmoid(x) * (1 - sigmoid(x))``.\n"
    "\n"
    "Computed from ``x`` as ``e / (1 + e)**2`` with ``e = exp(-|x|)``, so it\n"
    "stays accurate in the tails, where ``y * (1 - y)`` computed from the\n"
    "rounded output ``y = sigmoid(x)`` collapses to 0 (x > 16.6 in float32,\n"
    "x > 36.7 in float64).\n"
    "Max error: 1 ULP for float16, float32 and float64, 2 ULP for long double.\n"
    "\n"
    "Parameters\n"
    "----------\n"
    "x : array_like\n"
    "    Input values.  Integers and bools give the dtype ``np.exp`` gives.\n"
    "out, where, casting, order, dtype, subok\n"
    "    As for every ufunc; see :ref:`ufuncs.kwargs`.\n"
    "\n"
    "Returns\n"
    "-------\n"
    "dy : ndarray or scalar\n"
    "    Values in [0, 1/4]: 1/4 at ``x = 0``, 0 at ``x = +-inf``, NaN for NaN.\n"
    "\n"
    "See Also\n"
    "--------\n"
    "sigmoid : the function itself.\n"
    "\n"
    "Examples\n"
    "--------\n"
    ">>> import numpy as np, sigmoidx\n"
    ">>> sigmoidx.sigmoid_grad(np.array([-2.0, 0.0, 2.0]))\n"
    "array([0.10499359, 0.25      , 0.10499359])\n"
    ">>> float(sigmoidx.sigmoid_grad(40.0))  # torch's y*(1-y) gives 0 here\n"
    "4.248354255291589e-18\n";

typedef struct {
    const char *name;
    const char *doc;
    loop_data *loop_data;
    void **data;
    size_t kernels_offset;  /* which member of kernel_table */
} ufunc_spec;

static const ufunc_spec ufunc_specs[] = {
    {"sigmoid", sigmoid_doc, sigmoid_loop_data, sigmoid_data,
     offsetof(kernel_table, sigmoid)},
    {"sigmoid_grad", sigmoid_grad_doc, sigmoid_grad_loop_data, sigmoid_grad_data,
     offsetof(kernel_table, sigmoid_grad)},
};

/* PyModule_Add (3.13+) for older Pythons: adds `value` and drops our
 * reference to it, also on failure; a NULL value is an error already set. */
static int add_owned(PyObject *module, const char *name, PyObject *value)
{
    if (value == NULL)
        return -1;
    int result = PyModule_AddObjectRef(module, name, value);
    Py_DECREF(value);
    return result;
}

static int add_ufunc(PyObject *module, const ufunc_spec *spec, const kernel_table *table)
{
    const unary_kernel *kernels =
        (const unary_kernel *)((const char *)table + spec->kernels_offset);
    for (int i = 0; i < DT_COUNT; i++) {
        spec->loop_data[i].kernel = kernels[i];
        spec->loop_data[i].itemsize = dtype_sizes[i];
        spec->data[i] = &spec->loop_data[i];
    }
    PyObject *ufunc = PyUFunc_FromFuncAndData(unary_loops, spec->data, (char *)unary_types,
                                              DT_COUNT, 1, 1, PyUFunc_None, spec->name,
                                              spec->doc, 0);
    if (ufunc == NULL)
        return -1;
    return add_owned(module, spec->name, ufunc);
}

static PyObject *supported_kernel_names(void)
{
    const kernel_table *levels[3];
    int count = supported_kernel_tables(levels);
    PyObject *names = PyTuple_New(count);
    if (names == NULL)
        return NULL;
    for (int i = 0; i < count; i++) {
        PyObject *name = PyUnicode_FromString(levels[i]->name);
        if (name == NULL) {
            Py_DECREF(names);
            return NULL;
        }
        PyTuple_SET_ITEM(names, i, name);
    }
    return names;
}

static int sigmoidx_exec(PyObject *module)
{
    if (PyArray_ImportNumPyAPI() < 0 || PyUFunc_ImportUFuncAPI() < 0)
        return -1;

    const char *requested = getenv("SIGMOIDX_CPU");
    const kernel_table *table = select_kernel_table(requested);
    if (table == NULL) {
        PyObject *names = supported_kernel_names();
        if (names != NULL) {
            PyErr_Format(PyExc_ImportError,
                         "sigmoidx: SIGMOIDX_CPU=%s is not a kernel level this CPU supports; "
                         "supported levels: %R (unset SIGMOIDX_CPU to use the best)",
                         requested, names);
            Py_DECREF(names);
        }
        return -1;
    }
    for (size_t i = 0; i < sizeof ufunc_specs / sizeof ufunc_specs[0]; i++)
        if (add_ufunc(module, &ufunc_specs[i], table) < 0)
            return -1;
    if (PyModule_AddStringConstant(module, "kernel_level", table->name) < 0 ||
        add_owned(module, "supported_kernel_levels", supported_kernel_names()) < 0 ||
        PyModule_AddStringConstant(module, "source_hash", SIGMOIDX_SOURCE_HASH) < 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot sigmoidx_slots[] = {
    {Py_mod_exec, (void *)sigmoidx_exec},
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef sigmoidx_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sigmoidx._core",
    .m_doc = "C core of sigmoidx: the ufuncs and the CPU dispatch.",
    .m_size = 0,
    .m_slots = sigmoidx_slots,
};

PyMODINIT_FUNC PyInit__core(void)
{
    return PyModuleDef_Init(&sigmoidx_module);
}
