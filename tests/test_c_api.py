"""The C API and the Cython API (issue 17): a tiny Cython extension (``from sigmoidx cimport
...``, called without the GIL) and a tiny C extension (``#include "sigmoidx.h"``,
``import_sigmoidx()``) are built in a temporary folder against the installed package, the
way another project would build them, and their results are checked bit for bit:

* against the ufuncs on the baseline kernel level (SIGMOIDX_CPU=baseline), which run the
  same scalar functions of csrc/sigmoid_math.h as the C API;
* against the C API on every other level this CPU supports (one table, compiled for the
  baseline, on every level);
* and on the vector levels, within 1 ULP of the ufuncs, which run other algorithms with the
  same bound (bit for bit where tests/test_kernel_levels.py says the level runs the scalar
  code).

If Numba is installed, a jitted function calls the exported double functions through the
capsule's pointers (ctypes function types); scripts/test_c_api.sh installs it for CI and
sets SIGMOIDX_REQUIRE_NUMBA=1, which turns the skip into a failure.
"""

import ctypes
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import sigmoidx
from test_kernel_levels import algorithm

pytestmark = pytest.mark.integration  # builds extensions with a compiler; deselect with -m "not integration"

UNARY = ("sigmoid", "sigmoid_grad", "log_sigmoid", "logit")
DTYPES = ("float32", "float64")

CYTHON_SOURCE = """\
# cython: language_level=3, boundscheck=False, wraparound=False
from sigmoidx cimport (import_sigmoidx, sigmoid, sigmoid_grad, sigmoid_and_grad,
                       sigmoid_backward, log_sigmoid, logit, real)

import_sigmoidx()


def unary(str name, real[::1] x, real[::1] out):
    cdef Py_ssize_t i, n = x.shape[0]
    cdef int which = ("sigmoid", "sigmoid_grad", "log_sigmoid", "logit").index(name)
    with nogil:
        for i in range(n):
            if which == 0:
                out[i] = sigmoid(x[i])
            elif which == 1:
                out[i] = sigmoid_grad(x[i])
            elif which == 2:
                out[i] = log_sigmoid(x[i])
            else:
                out[i] = logit(x[i])


def both(real[::1] x, real[::1] s, real[::1] g):
    cdef Py_ssize_t i
    with nogil:
        for i in range(x.shape[0]):
            sigmoid_and_grad(x[i], &s[i], &g[i])


def backward(real[::1] dy, real[::1] y, real[::1] out):
    cdef Py_ssize_t i
    with nogil:
        for i in range(dy.shape[0]):
            out[i] = sigmoid_backward(dy[i], y[i])
"""

C_SOURCE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "sigmoidx.h"

/* unary(name, kind, x, out): out[i] = name(x[i]) over buffers of kind 'f' or 'd';
 * name "sigmoid_and_grad" writes sigma into the first half of out, sigma' into the
 * second; "sigmoid_backward" takes x as dy then y, halves of x. */
static PyObject *unary(PyObject *self, PyObject *args)
{
    const char *name;
    int kind;
    Py_buffer in, out;
    (void)self;
    if (!PyArg_ParseTuple(args, "sCy*w*", &name, &kind, &in, &out))
        return NULL;
    int both = strcmp(name, "sigmoid_and_grad") == 0, backward = strcmp(name, "sigmoid_backward") == 0;
    Py_ssize_t size = kind == 'f' ? 4 : 8, n = in.len / size;
    if (backward)
        n /= 2;
    if (kind == 'f') {
        const float *x = in.buf;
        float *y = out.buf;
        float (*f)(float) = strcmp(name, "sigmoid") == 0 ? sigmoidx_sigmoidf
                          : strcmp(name, "sigmoid_grad") == 0 ? sigmoidx_sigmoid_gradf
                          : strcmp(name, "log_sigmoid") == 0 ? sigmoidx_log_sigmoidf
                          : sigmoidx_logitf;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (both)
                sigmoidx_sigmoid_and_gradf(x[i], &y[i], &y[n + i]);
            else if (backward)
                y[i] = sigmoidx_sigmoid_backwardf(x[i], x[n + i]);
            else
                y[i] = f(x[i]);
        }
    }
    else {
        const double *x = in.buf;
        double *y = out.buf;
        double (*f)(double) = strcmp(name, "sigmoid") == 0 ? sigmoidx_sigmoid
                            : strcmp(name, "sigmoid_grad") == 0 ? sigmoidx_sigmoid_grad
                            : strcmp(name, "log_sigmoid") == 0 ? sigmoidx_log_sigmoid
                            : sigmoidx_logit;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (both)
                sigmoidx_sigmoid_and_grad(x[i], &y[i], &y[n + i]);
            else if (backward)
                y[i] = sigmoidx_sigmoid_backward(x[i], x[n + i]);
            else
                y[i] = f(x[i]);
        }
    }
    PyBuffer_Release(&in);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"unary", unary, METH_VARARGS, "out = f(x) through sigmoidx's C API"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "c_sigmoidx", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_c_sigmoidx(void)
{
    if (import_sigmoidx() < 0)
        return NULL;
    return PyModule_Create(&module);
}
"""

SETUP_SOURCE = """\
import sigmoidx
from Cython.Build import cythonize
from setuptools import Extension, setup

strict = ["-Wall", "-Wextra", "-Werror"]  # the header must build cleanly in users' builds
setup(
    name="api_users",
    script_args=["build_ext", "--inplace"],
    ext_modules=cythonize([Extension("cy_sigmoidx", ["cy_sigmoidx.pyx"],
                                     include_dirs=[sigmoidx.get_include()])])
    + [Extension("c_sigmoidx", ["c_sigmoidx.c"], include_dirs=[sigmoidx.get_include()],
                 extra_compile_args=strict)],
)
"""

# Run in a subprocess per kernel level (SIGMOIDX_CPU is read at import): the ufuncs', the
# Cython extension's and the C extension's results on the inputs, saved to an .npz.
RUN_SOURCE = """\
import sys
import numpy as np
import sigmoidx, cy_sigmoidx, c_sigmoidx

inputs = np.load(sys.argv[1])
results = {}
for dtype in ("float32", "float64"):
    x, p, dy, y = (inputs[f"{k}_{dtype}"] for k in ("x", "p", "dy", "y"))
    char = "f" if dtype == "float32" else "d"
    for name in ("sigmoid", "sigmoid_grad", "log_sigmoid", "logit"):
        arg = p if name == "logit" else x
        results[f"ufunc {name} {dtype}"] = getattr(sigmoidx, name)(arg)
        out = np.empty_like(arg)
        cy_sigmoidx.unary(name, arg, out)
        results[f"cython {name} {dtype}"] = out
        out = np.empty_like(arg)
        c_sigmoidx.unary(name, char, arg, out)
        results[f"c {name} {dtype}"] = out
    s, g = sigmoidx.sigmoid_and_grad(x)
    results[f"ufunc sigmoid_and_grad0 {dtype}"], results[f"ufunc sigmoid_and_grad1 {dtype}"] = s, g
    s, g = np.empty_like(x), np.empty_like(x)
    cy_sigmoidx.both(x, s, g)
    results[f"cython sigmoid_and_grad0 {dtype}"], results[f"cython sigmoid_and_grad1 {dtype}"] = s, g
    out = np.empty(2 * x.size, x.dtype)
    c_sigmoidx.unary("sigmoid_and_grad", char, x, out)
    results[f"c sigmoid_and_grad0 {dtype}"], results[f"c sigmoid_and_grad1 {dtype}"] = out[:x.size], out[x.size:]
    results[f"ufunc sigmoid_backward {dtype}"] = sigmoidx.sigmoid_backward(dy, y)
    out = np.empty_like(dy)
    cy_sigmoidx.backward(dy, y, out)
    results[f"cython sigmoid_backward {dtype}"] = out
    out = np.empty_like(dy)
    c_sigmoidx.unary("sigmoid_backward", char, np.concatenate([dy, y]), out)
    results[f"c sigmoid_backward {dtype}"] = out
np.savez(sys.argv[2], **results)
"""


def make_inputs():
    """float32: a stride through all bit patterns; float64: random and edge values; for
    logit probabilities (and values outside [0, 1]); for sigmoid_backward sigmoid outputs
    and arbitrary pairs."""
    rng = np.random.default_rng(17)
    f32 = np.arange(0, 2**32, 4099, dtype=np.uint64).astype(np.uint32).view(np.float32)
    edges = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 2.2250738585072014e-308,
                      36.74, 37.43, -37.43, 709.78, -708.49, -745.13, -746.0, 1e300, -1e300])
    f64 = np.concatenate([rng.uniform(-750, 750, 100_000), rng.standard_normal(50_000),
                          rng.choice([-1, 1], 50_000) * 10.0 ** rng.uniform(-310, 3, 50_000), edges])
    p64 = np.concatenate([rng.uniform(0, 1, 100_000), 10.0 ** rng.uniform(-320, 0, 50_000),
                          1 - 10.0 ** rng.uniform(-16, 0, 50_000), 0.5 + rng.uniform(-1e-6, 1e-6, 10_000),
                          [0.0, -0.0, 1.0, 1.5, -0.5, np.inf, -np.inf, np.nan, 5e-324]])
    inputs = {}
    for dtype, x in (("float32", f32), ("float64", f64)):
        p = p64.astype(dtype) if dtype == "float32" else p64
        n = min(x.size, 200_000)
        y = np.concatenate([sigmoidx.sigmoid(x[: n // 2]), x[n // 2: n]])
        dy = rng.standard_normal(n).astype(dtype)
        inputs.update({f"x_{dtype}": x, f"p_{dtype}": p, f"dy_{dtype}": dy, f"y_{dtype}": y})
    return inputs


def run(command, cwd, env=None):
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=900)
    assert done.returncode == 0, f"{command}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def users(tmp_path_factory):
    """A folder with the built extensions, the inputs and each level's results."""
    folder = tmp_path_factory.mktemp("api_users")
    (folder / "cy_sigmoidx.pyx").write_text(CYTHON_SOURCE)
    (folder / "c_sigmoidx.c").write_text(C_SOURCE)
    (folder / "setup.py").write_text(SETUP_SOURCE)
    (folder / "run.py").write_text(RUN_SOURCE)
    run([sys.executable, "setup.py"], cwd=folder)
    np.savez(folder / "inputs.npz", **make_inputs())
    results = {}
    for level in sigmoidx.supported_kernel_levels:
        env = dict(os.environ, SIGMOIDX_CPU=level, PYTHONPATH=str(folder))
        run([sys.executable, "run.py", "inputs.npz", f"{level}.npz"], cwd=folder, env=env)
        with np.load(folder / f"{level}.npz") as saved:
            results[level] = dict(saved)
    return folder, results


def ulp_distance(a, b):
    """|a - b| in units in the last place, along the number line (finite and inf)."""
    size = a.itemsize
    magnitude = np.int64((1 << (8 * size - 1)) - 1)
    ordered = []
    for v in (a, b):
        bits = v.view(f"i{size}").astype(np.int64)
        ordered.append(np.where(bits < 0, -(bits & magnitude), bits))
    return np.abs(ordered[0] - ordered[1])


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


NAMES = UNARY + ("sigmoid_and_grad0", "sigmoid_and_grad1", "sigmoid_backward")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_bit_for_bit_the_baseline_ufuncs(users, name, dtype):
    _, results = users
    base = results["baseline"]
    ufunc = base[f"ufunc {name} {dtype}"]
    assert ufunc.dtype == np.dtype(dtype)
    for api in ("cython", "c"):
        result = base[f"{api} {name} {dtype}"]
        assert same_bits(result, ufunc), (api, np.flatnonzero(result.view(f"u{result.itemsize}")
                                                            != ufunc.view(f"u{ufunc.itemsize}"))[:5])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_every_level_exports_the_same_functions(users, name, dtype):
    """Every level exports the same table (the baseline's bits); within 1 ULP of the
    level's own ufunc (bit for bit where that level runs the scalar code too)."""
    _, results = users
    reference = results["baseline"][f"c {name} {dtype}"]
    for level, saved in results.items():
        for api in ("cython", "c"):
            assert same_bits(saved[f"{api} {name} {dtype}"], reference), (level, api)
        ufunc = saved[f"ufunc {name} {dtype}"]
        if algorithm(level, dtype, name).startswith("scalar"):
            assert same_bits(reference, ufunc), level
        else:
            both_nan = np.isnan(reference) & np.isnan(ufunc)
            assert np.array_equal(np.isnan(reference), np.isnan(ufunc)), level
            assert ulp_distance(reference[~both_nan], ufunc[~both_nan]).max() <= 1, level


def test_capsule_is_the_c_api():
    capsule = sigmoidx._core._C_API
    assert type(capsule).__name__ == "PyCapsule"
    assert "sigmoidx._core._C_API" in repr(capsule)


def test_header_and_pxd_ship_with_the_package():
    include = Path(sigmoidx.get_include())
    assert (include / "sigmoidx.h").is_file() and (include / "sigmoidx_api.h").is_file()
    assert (Path(sigmoidx.__file__).parent / "__init__.pxd").is_file()
    assert include.parent == Path(sigmoidx.__file__).parent  # the installed copy's


def test_import_fails_cleanly_when_the_capsule_is_missing(users, tmp_path):
    """import_sigmoidx() reports a missing C API as an ImportError, not a crash."""
    folder, _ = users
    code = textwrap.dedent("""\
        import sigmoidx._core as core
        del core._C_API
        try:
            import c_sigmoidx
        except ImportError as error:
            print("ImportError:", error)
        """)
    env = dict(os.environ, PYTHONPATH=str(folder))
    out = run([sys.executable, "-c", code], cwd=tmp_path, env=env).stdout
    assert out.startswith("ImportError: this sigmoidx has no C API"), out


# ---------------------------------------------------------------------------------------
# Numba: the capsule's pointers as ctypes function types, called from a jitted function.

class CApi(ctypes.Structure):
    """sigmoidx/include/sigmoidx_api.h's struct sigmoidx_c_api, member for member."""
    _fields_ = [("version", ctypes.c_uint), ("size", ctypes.c_uint)] + [
        (name, ctypes.c_void_p) for name in (
            "sigmoid", "sigmoidf", "sigmoid_grad", "sigmoid_gradf", "sigmoid_and_grad",
            "sigmoid_and_gradf", "sigmoid_backward", "sigmoid_backwardf", "log_sigmoid",
            "log_sigmoidf", "logit", "logitf")]


def c_api_table():
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return CApi.from_address(get_pointer(sigmoidx._core._C_API, b"sigmoidx._core._C_API"))


def test_table_layout_as_ctypes_reads_it():
    table = c_api_table()
    assert table.version >= 1 and table.size == ctypes.sizeof(CApi)
    double = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)
    assert double(table.sigmoid)(0.0) == 0.5 and double(table.logit)(0.5) == 0.0


def numba_or_skip():
    if os.environ.get("SIGMOIDX_REQUIRE_NUMBA") == "1":
        import numba
        return numba
    return pytest.importorskip("numba")


def test_numba_calls_the_exported_double_functions(users):
    numba = numba_or_skip()
    _, results = users
    table = c_api_table()
    double = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)
    double2 = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double)
    c_sigmoid, c_sigmoid_grad = double(table.sigmoid), double(table.sigmoid_grad)
    c_log_sigmoid, c_logit = double(table.log_sigmoid), double(table.logit)
    c_backward = double2(table.sigmoid_backward)

    @numba.njit(nogil=True)
    def apply(x, p, dy, y, out):
        for i in range(x.size):
            out[0, i] = c_sigmoid(x[i])
            out[1, i] = c_sigmoid_grad(x[i])
            out[2, i] = c_log_sigmoid(x[i])
        for i in range(p.size):
            out[3, i] = c_logit(p[i])
        for i in range(dy.size):
            out[4, i] = c_backward(dy[i], y[i])

    folder, _ = users
    with np.load(folder / "inputs.npz") as inputs:
        x, p, dy, y = (inputs[f"{k}_float64"] for k in ("x", "p", "dy", "y"))
    out = np.zeros((5, max(x.size, p.size, dy.size)))
    apply(x, p, dy, y, out)
    base = results["baseline"]
    for row, name, n in ((0, "sigmoid", x.size), (1, "sigmoid_grad", x.size),
                         (2, "log_sigmoid", x.size), (3, "logit", p.size),
                         (4, "sigmoid_backward", dy.size)):
        assert same_bits(out[row, :n].copy(), base[f"ufunc {name} float64"]), name
