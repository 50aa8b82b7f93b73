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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bfloat16.h"
#include "c_api.h"
#include "dispatch.h"
#include "kernels.h"
#include "ufunc_docs.h"
#include "thread_pool.h"

#ifndef SIGMOIDX_SOURCE_HASH
#define SIGMOIDX_SOURCE_HASH "unknown"
#endif

/* Elements per buffered block on the strided path (fits L1 with room). */
#define STRIDED_BLOCK 512

/* The strided path copies through this; typed members keep each kernel's
 * view of it a valid access to an object of its own type. */
typedef union {
    npy_half f16[STRIDED_BLOCK];
    float f32[STRIDED_BLOCK];
    double f64[STRIDED_BLOCK];
    long double longdouble[STRIDED_BLOCK];
    npy_cfloat cfloat[STRIDED_BLOCK];
    npy_cdouble cdouble[STRIDED_BLOCK];
} strided_buffer;

/* `size` is a compile-time constant in every caller, so after inlining the
 * memcpy calls below are single loads and stores. */
static inline void gather(char *dst, const char *src, npy_intp stride, npy_intp n,
                          size_t size)
{
    for (npy_intp i = 0; i < n; i++)
        memcpy(dst + i * (npy_intp)size, src + i * stride, size);
}

static inline void scatter(char *dst, npy_intp stride, const char *src, npy_intp n,
                           size_t size)
{
    for (npy_intp i = 0; i < n; i++)
        memcpy(dst + i * stride, src + i * (npy_intp)size, size);
}

/* The kinds of kernel a loop can call (see kernels.h). */
enum loop_kind { UNARY, UNARY2, BINARY };

static inline void run_kernel(enum loop_kind kind, const void *kernel, char *const *ptr,
                              npy_intp n)
{
    switch (kind) {
    case UNARY:
        (*(const unary_kernel *)kernel)(ptr[0], ptr[1], n);
        break;
    case UNARY2:
        (*(const unary2_kernel *)kernel)(ptr[0], ptr[1], ptr[2], n);
        break;
    case BINARY:
        (*(const binary_kernel *)kernel)(ptr[0], ptr[1], ptr[2], n);
        break;
    }
}

/* Inlined into every caller, where `size` is a constant: otherwise the
 * copies of the strided path go through a general memcpy call per element,
 * which costs more than the kernel it feeds. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* Contiguous runs at least this long are split over the thread pool; shorter
 * ones run in the caller at the cost of this one comparison.  torch's
 * GRAIN_SIZE; to measure where the pool starts to pay, build with a lower
 * -DPARALLEL_GRAIN and run benchmarks/speed.py --threads --sizes ... */
#ifndef PARALLEL_GRAIN
#define PARALLEL_GRAIN 32768
#endif

/* Pieces of a contiguous run end on the 64-byte cache lines of the first
 * output, so no two threads write the same line. */
#define CACHE_LINE 64

typedef struct {
    enum loop_kind kind;
    const void *kernel;
    char *const *args;
    int nargs;
    npy_intp item;
} contiguous_run;

static void run_contiguous_piece(void *context, ptrdiff_t begin, ptrdiff_t end)
{
    const contiguous_run *run = context;
    char *ptr[3] = {NULL, NULL, NULL};
    for (int k = 0; k < run->nargs; k++)
        ptr[k] = run->args[k] + begin * run->item;
    run_kernel(run->kind, run->kernel, ptr, end - begin);
}

/* Pieces may run in any order only if no output overlaps another operand,
 * except exactly (in place): NumPy also passes an output that starts behind
 * its input in the same memory, which only a forward serial pass gets right. */
static int pieces_are_independent(char *const *args, int nin, int nargs, npy_intp bytes)
{
    for (int j = nin; j < nargs; j++)
        for (int k = 0; k < nargs; k++) {
            uintptr_t out = (uintptr_t)args[j], other = (uintptr_t)args[k];
            if (k != j && out != other && out < other + (uintptr_t)bytes &&
                other < out + (uintptr_t)bytes)
                return 0;
        }
    return 1;
}

static void run_contiguous(enum loop_kind kind, const void *kernel, char **args, npy_intp n,
                           npy_intp item)
{
    const int nin = kind == BINARY ? 2 : 1, nargs = kind == UNARY ? 2 : 3;
    if (!pieces_are_independent(args, nin, nargs, n * item)) {
        run_kernel(kind, kernel, args, n);
        return;
    }
    /* unit: the fewest elements that span whole cache lines; head: the
     * elements before the output's first line boundary (0 if the output is
     * not aligned to its item size: no element boundary is a line boundary) */
    npy_intp unit = 1;
    while (unit * item % CACHE_LINE != 0)
        unit++;
    npy_intp misalign = (npy_intp)((uintptr_t)args[nin] % CACHE_LINE);
    npy_intp head = misalign % item == 0 ? (CACHE_LINE - misalign) % CACHE_LINE / item : 0;
    contiguous_run run = {kind, kernel, args, nargs, item};
    thread_pool_run(run_contiguous_piece, &run, n, head, unit);
}

/* Whether an output lies ahead of an input it overlaps, or is an input with
 * stride 0: NumPy's reductions pass such operands (f.accumulate: the output
 * one element ahead of the first input; f.reduce: the accumulator as output
 * and first input, stride 0), and each element then reads what the one
 * before it wrote.  The kernels read a block before writing it, which is
 * right for an output exactly on its input or behind it (NumPy passes those
 * without a copy too), not for these. */
static int output_feeds_an_input(char *const *args, npy_intp n, npy_intp const *steps,
                                 int nin, int nargs, npy_intp size)
{
    if (n <= 1)
        return 0;
    for (int k = nin; k < nargs; k++)
        for (int j = 0; j < nin; j++) {
            uintptr_t out = (uintptr_t)args[k], in = (uintptr_t)args[j];
            uintptr_t out_last = out + (uintptr_t)((n - 1) * steps[k]);
            uintptr_t in_last = in + (uintptr_t)((n - 1) * steps[j]);
            uintptr_t out_lo = out < out_last ? out : out_last;
            uintptr_t out_hi = (out < out_last ? out_last : out) + (uintptr_t)size;
            uintptr_t in_lo = in < in_last ? in : in_last;
            uintptr_t in_hi = (in < in_last ? in_last : in) + (uintptr_t)size;
            if (out_lo >= in_hi || in_lo >= out_hi)
                continue;                       /* apart */
            /* same stride, the output exactly on the input or behind it in
             * the direction of the loop: read before written */
            if (steps[k] == steps[j] && steps[k] != 0 &&
                (out == in || (out < in) == (steps[k] > 0)))
                continue;
            return 1;
        }
    return 0;
}

/* Contiguous runs go straight to the kernel; strided ones through buffers;
 * a reduction's one element at a time (output_feeds_an_input).
 * `nin` inputs then `nout` outputs, three operands at most. */
static ALWAYS_INLINE void ufunc_loop(char **args, npy_intp n, npy_intp const *steps,
                                     enum loop_kind kind, const void *kernel, size_t size)
{
    const int nin = kind == BINARY ? 2 : 1, nargs = kind == UNARY ? 2 : 3;
    const npy_intp item = (npy_intp)size;
    const int sequential = output_feeds_an_input(args, n, steps, nin, nargs, item);
    int contiguous = !sequential;
    for (int k = 0; k < nargs; k++)
        contiguous &= steps[k] == item;

    if (contiguous) {
        if (n >= PARALLEL_GRAIN)
            run_contiguous(kind, kernel, args, n, item);
        else
            run_kernel(kind, kernel, args, n);
    }
    else {
        const npy_intp block = sequential ? 1 : STRIDED_BLOCK;
        strided_buffer buffers[3];
        for (npy_intp start = 0; start < n; start += block) {
            npy_intp len = n - start < block ? n - start : block;
            char *ptr[3];
            for (int k = 0; k < nargs; k++) {
                char *base = args[k] + start * steps[k];
                ptr[k] = steps[k] == item && !sequential ? base : (char *)&buffers[k];
                if (k < nin && ptr[k] != base)
                    gather(ptr[k], base, steps[k], len, size);
            }
            run_kernel(kind, kernel, ptr, len);
            for (int k = nin; k < nargs; k++)
                if (ptr[k] != args[k] + start * steps[k])
                    scatter(args[k] + start * steps[k], steps[k], ptr[k], len, size);
        }
    }
    /* A subnormal result is the right answer here, not an error to report
     * (np.errstate(under="raise") would otherwise raise on sigmoid(-720)). */
    if (fetestexcept(FE_UNDERFLOW))
        feclearexcept(FE_UNDERFLOW);
}

/* One NumPy loop per (kind, item size); `data` points at the kernel to run. */
#define SIZED_LOOP(kind, type)                                                    \
    static void kind##_loop_##type(char **args, npy_intp const *dimensions,        \
                                   npy_intp const *steps, void *data)              \
    {                                                                             \
        ufunc_loop(args, dimensions[0], steps, kind, data, sizeof(type));          \
    }
typedef long double longdouble;
#define SIZED_LOOPS(kind)                                                         \
    SIZED_LOOP(kind, npy_half)                                                    \
    SIZED_LOOP(kind, float)                                                       \
    SIZED_LOOP(kind, double)                                                      \
    SIZED_LOOP(kind, longdouble)
#define REAL_LOOPS(kind)                                                          \
    kind##_loop_npy_half, kind##_loop_float, kind##_loop_double, kind##_loop_longdouble
SIZED_LOOPS(UNARY)
SIZED_LOOPS(UNARY2)
SIZED_LOOPS(BINARY)
SIZED_LOOP(UNARY, npy_cfloat)
SIZED_LOOP(UNARY, npy_cdouble)

/* One input, one output: the real loops, then complex64 and complex128, which
 * only the functions of SIGMOIDX_COMPLEX_FAMILY register (the others take the
 * first DT_COUNT). */
static PyUFuncGenericFunction unary_loops[DT_COUNT + DT_COMPLEX_COUNT] = {
    REAL_LOOPS(UNARY), UNARY_loop_npy_cfloat, UNARY_loop_npy_cdouble,
};
static PyUFuncGenericFunction unary2_loops[DT_COUNT] = {REAL_LOOPS(UNARY2)};
static PyUFuncGenericFunction binary_loops[DT_COUNT] = {REAL_LOOPS(BINARY)};

/* ------------------------------------------------------------------------ */
/* The ufuncs: one for each entry of SIGMOIDX_FAMILY (kernels.h), named after
 * it, with the docstring func_doc (ufunc_docs.h).  Everything below is
 * generated from that list and its subset SIGMOIDX_COMPLEX_FAMILY, indexed by
 * this enum.  NumPy keeps the pointers given to it: all of this is static. */
#define UFUNC_INDEX(func, kernel_type) UFUNC_##func,
enum ufunc_index { SIGMOIDX_FAMILY(UFUNC_INDEX) UFUNC_COUNT };
#undef UFUNC_INDEX

/* Type signatures: every operand of a loop has the same dtype. */
static const char types_2[(DT_COUNT + DT_COMPLEX_COUNT) * 2] = {
    NPY_HALF, NPY_HALF, NPY_FLOAT, NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE,
    NPY_LONGDOUBLE, NPY_LONGDOUBLE, NPY_CFLOAT, NPY_CFLOAT, NPY_CDOUBLE, NPY_CDOUBLE,
};
static const char types_3[DT_COUNT * 3] = {
    NPY_HALF, NPY_HALF, NPY_HALF, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT,
    NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_LONGDOUBLE, NPY_LONGDOUBLE, NPY_LONGDOUBLE,
};

typedef struct {
    const char *name;
    const char *doc;
    PyUFuncGenericFunction *loops;
    const char *types;
    int nin, nout;
} ufunc_spec;

/* A function's kernel type sets the loops and type signatures its ufunc
 * registers and its numbers of inputs and outputs. */
#define UFUNC_SHAPE_unary_kernel unary_loops, types_2, 1, 1
#define UFUNC_SHAPE_unary2_kernel unary2_loops, types_3, 1, 2
#define UFUNC_SHAPE_binary_kernel binary_loops, types_3, 2, 1
#define UFUNC_SPEC(func, kernel_type) \
    [UFUNC_##func] = {#func, func##_doc, UFUNC_SHAPE_##kernel_type},
static const ufunc_spec ufunc_specs[UFUNC_COUNT] = {SIGMOIDX_FAMILY(UFUNC_SPEC)};
#undef UFUNC_SPEC

/* The functions of SIGMOIDX_COMPLEX_FAMILY register complex64 and complex128
 * loops after their DT_COUNT real ones; those are one input, one output
 * functions (kernels.h gives their complex kernels the unary_kernel type),
 * whose unary_loops and types_2 hold the complex entries. */
#define HAS_COMPLEX_LOOPS(func) [UFUNC_##func] = 1,
static const char has_complex_loops[UFUNC_COUNT] = {SIGMOIDX_COMPLEX_FAMILY(HAS_COMPLEX_LOOPS)};
#undef HAS_COMPLEX_LOOPS

/* The loops' `data`: pointers into each level's constant kernel table, fixed
 * at compile time, so module exec only chooses and writes nothing shared.
 * LEVEL_DATA is the entry of the table LEVEL_TABLE names, which is #defined
 * around each level's entry in data_by_level: a LEVEL_DATA(table) could not
 * hand `table` on to the callbacks of SIGMOIDX_FAMILY, which take the
 * function and its kernel type only. */
#define REAL_KERNEL_DATA(func, dt) [UFUNC_##func][dt] = (void *)&LEVEL_TABLE.func[dt]
#define UFUNC_REAL_DATA(func, kernel_type)                                      \
    REAL_KERNEL_DATA(func, DT_F16), REAL_KERNEL_DATA(func, DT_F32),             \
    REAL_KERNEL_DATA(func, DT_F64), REAL_KERNEL_DATA(func, DT_LONGDOUBLE),
#define COMPLEX_KERNEL_DATA(func, dt) \
    [UFUNC_##func][DT_COUNT + dt] = (void *)&LEVEL_TABLE.func##_complex[dt]
#define UFUNC_COMPLEX_DATA(func) \
    COMPLEX_KERNEL_DATA(func, DT_C64), COMPLEX_KERNEL_DATA(func, DT_C128),
#define LEVEL_DATA                                                              \
    {&LEVEL_TABLE,                                                              \
     {SIGMOIDX_FAMILY(UFUNC_REAL_DATA) SIGMOIDX_COMPLEX_FAMILY(UFUNC_COMPLEX_DATA)}}

typedef struct {
    const kernel_table *table;
    void *const data[UFUNC_COUNT][DT_COUNT + DT_COMPLEX_COUNT];
} level_data;

static const level_data data_by_level[] = {
#define LEVEL_TABLE kernels_baseline
    LEVEL_DATA,
#undef LEVEL_TABLE
#ifdef SIGMOIDX_X86_DISPATCH
#define LEVEL_TABLE kernels_avx2
    LEVEL_DATA,
#undef LEVEL_TABLE
#define LEVEL_TABLE kernels_avx512
    LEVEL_DATA,
#undef LEVEL_TABLE
#endif
#ifdef SIGMOIDX_NEON
#define LEVEL_TABLE kernels_neon
    LEVEL_DATA,
#undef LEVEL_TABLE
#endif
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

static int add_ufunc(PyObject *module, enum ufunc_index i, void *const *data)
{
    const ufunc_spec *spec = &ufunc_specs[i];
    int ntypes = has_complex_loops[i] ? DT_COUNT + DT_COMPLEX_COUNT : DT_COUNT;
    PyObject *ufunc = PyUFunc_FromFuncAndData(spec->loops, data, spec->types, ntypes,
                                              spec->nin, spec->nout, PyUFunc_None, spec->name,
                                              spec->doc, 0);
    if (ufunc == NULL)
        return -1;
    return add_owned(module, spec->name, ufunc);
}

static const level_data *data_for(const kernel_table *table)
{
    for (size_t i = 0; i < sizeof data_by_level / sizeof data_by_level[0]; i++)
        if (data_by_level[i].table == table)
            return &data_by_level[i];
    return NULL;
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

/* ------------------------------------------------------------------------ */
/* bfloat16 (ml_dtypes), registered by sigmoidx/__init__.py when ml_dtypes
 * imports: NumPy has no bfloat16, ml_dtypes adds it as a user dtype, and a
 * ufunc takes loops for a user dtype through PyUFunc_RegisterLoopForType.
 * Each block is widened to float32 (exact), computed by the level's float32
 * kernel (<= 0.78 ULP of float32) and rounded once to bfloat16: within
 * 0.5 + 2^-16 ULP of bfloat16. */
#define BFLOAT16_BLOCK 256

static void bfloat16_loop(char **args, npy_intp n, npy_intp const *steps,
                          enum loop_kind kind, const void *float32_kernel)
{
    const int nin = kind == BINARY ? 2 : 1, nargs = kind == UNARY ? 2 : 3;
    float buffers[3][BFLOAT16_BLOCK];
    char *ptr[3] = {(char *)buffers[0], (char *)buffers[1], (char *)buffers[2]};
    uint16_t halves[BFLOAT16_BLOCK];
    const npy_intp block =
        output_feeds_an_input(args, n, steps, nin, nargs, sizeof(uint16_t)) ? 1 : BFLOAT16_BLOCK;
    for (npy_intp start = 0; start < n; start += block) {
        npy_intp len = n - start < block ? n - start : block;
        for (int k = 0; k < nin; k++) {
            /* gather into halves (one copy when contiguous), then a loop the
             * compiler vectorises */
            const char *in = args[k] + start * steps[k];
            if (steps[k] == (npy_intp)sizeof(uint16_t))
                memcpy(halves, in, (size_t)len * sizeof(uint16_t));
            else
                gather((char *)halves, in, steps[k], len, sizeof(uint16_t));
            for (npy_intp i = 0; i < len; i++)
                buffers[k][i] = bfloat16_to_float(halves[i]);
        }
        run_kernel(kind, float32_kernel, ptr, len);
        for (int k = nin; k < nargs; k++) {
            char *out = args[k] + start * steps[k];
            for (npy_intp i = 0; i < len; i++)
                halves[i] = float_to_bfloat16(buffers[k][i]);
            if (steps[k] == (npy_intp)sizeof(uint16_t))
                memcpy(out, halves, (size_t)len * sizeof(uint16_t));
            else
                scatter(out, steps[k], (const char *)halves, len, sizeof(uint16_t));
        }
    }
    if (fetestexcept(FE_UNDERFLOW))     /* as in ufunc_loop: subnormals are results */
        feclearexcept(FE_UNDERFLOW);
}

#define BFLOAT16_LOOP(kind)                                                       \
    static void kind##_loop_bfloat16(char **args, npy_intp const *dimensions,      \
                                     npy_intp const *steps, void *data)            \
    {                                                                             \
        bfloat16_loop(args, dimensions[0], steps, kind, data);                     \
    }
BFLOAT16_LOOP(UNARY)
BFLOAT16_LOOP(UNARY2)
BFLOAT16_LOOP(BINARY)

/* _register_bfloat16(type_num): a loop for every ufunc, all operands of the
 * user dtype `type_num` (np.dtype(ml_dtypes.bfloat16).num), running the float32
 * kernels of the level this module chose at import.  Registering again
 * replaces the loops (NumPy keeps one per user dtype). */
static PyObject *register_bfloat16(PyObject *module, PyObject *arg)
{
    long type_num = PyLong_AsLong(arg);
    if (type_num == -1 && PyErr_Occurred())
        return NULL;
    if (type_num < NPY_USERDEF || type_num > INT_MAX) {
        PyErr_Format(PyExc_ValueError, "%ld is not a user dtype's type number", type_num);
        return NULL;
    }
    /* the level chosen at import, kept in the module's state (not in an
     * attribute a user could overwrite) */
    const level_data *level = *(const level_data **)PyModule_GetState(module);
    int types[3] = {(int)type_num, (int)type_num, (int)type_num};
    for (int i = 0; i < UFUNC_COUNT; i++) {
        const ufunc_spec *spec = &ufunc_specs[i];
        PyUFuncGenericFunction loop = spec->nin == 2    ? BINARY_loop_bfloat16
                                      : spec->nout == 2 ? UNARY2_loop_bfloat16
                                                        : UNARY_loop_bfloat16;
        PyObject *ufunc = PyObject_GetAttrString(module, spec->name);
        if (ufunc == NULL)
            return NULL;
        int failed = PyUFunc_RegisterLoopForType((PyUFuncObject *)ufunc, (int)type_num, loop,
                                                 types, level->data[i][DT_F32]);
        Py_DECREF(ufunc);
        if (failed < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

/* The C API (sigmoidx/include/sigmoidx.h): the scalar functions' table as the
 * capsule sigmoidx._core._C_API, which import_sigmoidx() finds by that name.
 * The table is constant; the capsule hands out a pointer to it. */
static int add_c_api_capsule(PyObject *module)
{
    void *table = (void *)&c_api_table;  /* users see it as const */
    return add_owned(module, "_C_API", PyCapsule_New(table, "sigmoidx._core._C_API", NULL));
}

/* The thread pool's controls.  sigmoidx.set_num_threads (in Python) checks
 * its argument and explains a bad one; these two are also exported as C
 * symbols for threadpoolctl, which calls them through ctypes
 * (sigmoidx/_threadpoolctl.py). */
#if defined(__GNUC__)
#define EXPORTED __attribute__((visibility("default")))
#else
#define EXPORTED
#endif

EXPORTED int sigmoidx_get_num_threads(void);
EXPORTED int sigmoidx_set_num_threads(int n);

/* The number of threads a long contiguous loop runs on (caller included). */
EXPORTED int sigmoidx_get_num_threads(void)
{
    return thread_pool_get_num_threads();
}

/* Sets it, returns the previous value, or -1 for n out of [1, max_num_threads]. */
EXPORTED int sigmoidx_set_num_threads(int n)
{
    return thread_pool_set_num_threads(n);
}

static PyObject *get_num_threads(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyLong_FromLong(sigmoidx_get_num_threads());
}

static PyObject *set_num_threads(PyObject *module, PyObject *arg)
{
    (void)module;
    int overflow = 0;
    long n = PyLong_Check(arg) ? PyLong_AsLongAndOverflow(arg, &overflow) : 0;
    if (n == -1 && PyErr_Occurred())
        return NULL;
    int previous = PyLong_Check(arg) && overflow == 0 && n >= 1 && n <= THREAD_POOL_MAX_THREADS
                       ? sigmoidx_set_num_threads((int)n)
                       : -1;
    if (previous < 0) {
        PyErr_Format(PyExc_ValueError, "the number of threads must be an int from 1 to %d, not %R",
                     THREAD_POOL_MAX_THREADS, arg);
        return NULL;
    }
    return PyLong_FromLong(previous);
}

static PyMethodDef sigmoidx_methods[] = {
    {"_register_bfloat16", register_bfloat16, METH_O,
     "Register bfloat16 loops for the user dtype with this type number (sigmoidx/__init__.py "
     "does, when ml_dtypes imports)."},
    {"get_num_threads", get_num_threads, METH_NOARGS,
     "get_num_threads()\n--\n\nThe number of threads a long contiguous loop runs on."},
    {"_set_num_threads", set_num_threads, METH_O,
     "_set_num_threads(n)\n--\n\nSet it (an int in [1, max_num_threads]); returns the "
     "previous value."},
    {NULL, NULL, 0, NULL},
};

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
    const level_data *level = data_for(table);
    *(const level_data **)PyModule_GetState(module) = level;
    for (int i = 0; i < UFUNC_COUNT; i++)
        if (add_ufunc(module, (enum ufunc_index)i, level->data[i]) < 0)
            return -1;
    if (PyModule_AddStringConstant(module, "kernel_level", table->name) < 0 ||
        add_owned(module, "supported_kernel_levels", supported_kernel_names()) < 0 ||
        PyModule_AddStringConstant(module, "source_hash", SIGMOIDX_SOURCE_HASH) < 0 ||
        PyModule_AddIntConstant(module, "max_num_threads", THREAD_POOL_MAX_THREADS) < 0 ||
        PyModule_AddIntConstant(module, "has_threads", SIGMOIDX_HAVE_THREADS) < 0)
        return -1;
    if (add_c_api_capsule(module) < 0)
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
    .m_size = sizeof(const level_data *),  /* the level chosen at import */
    .m_methods = sigmoidx_methods,
    .m_slots = sigmoidx_slots,
};

PyMODINIT_FUNC PyInit__core(void)
{
    return PyModuleDef_Init(&sigmoidx_module);
}
