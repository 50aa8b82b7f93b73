"""The workload that scripts/valgrind.sh runs under valgrind's memcheck.

Every loop (float16/32/64, long double) of every ufunc of the family, each called with its
real signature (tests/family.py: both inputs of sigmoid_backward laid out alike, both
outputs of sigmoid_and_grad checked), on every path of the C code: contiguous, unaligned,
strided and negative-strided input, strided out, in place, byte-swapped, where=, casting
from integers, 2-D, 0-d and scalars, at every length 0..40 and around the block sizes
(256: float16 blocks, 512: the strided buffer), with values of every regime (subnormal,
saturating, inf, NaN).

After each call the value bytes of the result are handed to valgrind's
VALGRIND_CHECK_MEM_IS_DEFINED (through a small helper library that valgrind.sh compiles),
so an element the loop failed to write is reported with a stack naming the helper; reads
and writes out of bounds are reported by memcheck in the loop itself.  Results must also
equal, bit for bit, those of the plain contiguous call (float16/32/64: valgrind computes
x87 long double in double precision, so those values are its own).

Run natively it checks the same and reports nothing extra.
"""

import ctypes
import os
import sys

import numpy as np

import sigmoidx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from family import (FLOAT_DTYPES, UFUNCS, as_tuple, assert_same_bits, operands,  # noqa: E402
                    value_bytes)

LENGTHS = list(range(0, 41)) + [63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513,
                                 1023, 1025]

_helper = None
if os.environ.get("SIGMOIDX_VGCHECK_LIB"):
    _helper = ctypes.CDLL(os.environ["SIGMOIDX_VGCHECK_LIB"])
    _helper.vgcheck_defined.restype = ctypes.c_long
    _helper.vgcheck_defined.argtypes = [ctypes.c_void_p, ctypes.c_long, ctypes.c_long,
                                        ctypes.c_long]

checked = 0


def assert_defined(a, label):
    """Every value byte of every element of `a` (1-D, any strides) is initialised."""
    global checked
    checked += 1
    if _helper is None or a.size == 0:
        return
    a = np.asarray(a)
    assert a.ndim == 1, label
    undefined = _helper.vgcheck_defined(a.ctypes.data, a.size, a.strides[0],
                                        value_bytes(a.dtype))
    assert undefined == 0, f"{label}: {undefined} elements with undefined bytes"


def same(actual, expected, label):
    if np.dtype(expected.dtype) != np.longdouble:  # valgrind's x87 is double precision
        assert_same_bits(actual, expected, label)


def inputs(n, dtype, rng):
    info = np.finfo(dtype)
    pool = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 16.6, -16.6, 36.7,
                     -745.0, 710.0, 1e4, -1e4], dtype=np.float64)
    x = rng.uniform(-50, 50, n)
    pick = rng.random(n) < 0.3
    x[pick] = rng.choice(pool, pick.sum())
    with np.errstate(over="ignore"):  # 1e4 is inf in float16
        x = x.astype(dtype)
    if n > 3:
        x[1] = info.smallest_subnormal
        x[2] = -info.smallest_subnormal
        x[3] = info.max
    return x


def laid_out(xs, make):
    """Each operand copied into the layout `make(operand)` returns."""
    views = []
    for x in xs:
        view = make(x)
        view[...] = x
        views.append(view)
    return views


def run_one(f, x, rng, label):
    """f on every path for one input array x (see the module docstring)."""
    n, dtype = x.size, x.dtype
    size = dtype.itemsize
    xs = operands(f, x)
    ys = as_tuple(f, f(*xs))
    for k, y in enumerate(ys):
        assert_defined(y, f"{label} contiguous, output {k}")

    def check(results, what):
        for k, (r, y) in enumerate(zip(results, ys)):
            assert_defined(r, f"{label} {what}, output {k}")
            same(r, y, f"{label} {what}, output {k}")

    def unaligned(_=None):
        return np.zeros(n * size + 1, dtype=np.uint8)[1:].view(dtype)

    def outs(make):
        return tuple(make() for _ in range(f.nout))

    # unaligned inputs and outputs
    out = outs(unaligned)
    f(*laid_out(xs, unaligned), out=out)
    check(out, "unaligned")
    # strided inputs (positive, negative), strided out, both
    for step in (2, 3, -1, -2):
        def strided(_=None):
            big = np.empty(abs(step) * n, dtype=dtype)
            return big[:: abs(step)] if step > 0 else big[:: abs(step)][::-1]

        views = laid_out(xs, strided)
        check(as_tuple(f, f(*views)), f"input step {step}")
        out = outs(strided)
        f(*xs, out=out)
        check(out, f"out step {step}")
        f(*views, out=out)
        check(out, f"both step {step}")
    # in place over each input, contiguous and strided
    for i in range(f.nin):
        zs = [z.copy() for z in xs]
        out = list(outs(lambda: np.empty(n, dtype)))
        out[0] = zs[i]
        f(*zs, out=tuple(out))
        check(out, f"in place over input {i}")
        zs = laid_out(xs, lambda z: np.empty(2 * n, dtype)[::2])
        out[0] = zs[i]
        f(*zs, out=tuple(out))
        check(out, f"strided in place over input {i}")
    # byte-swapped in and out
    swapped = dtype.newbyteorder("S")
    check(as_tuple(f, f(*(z.astype(swapped) for z in xs))), "byte-swapped input")
    out = outs(lambda: np.empty(n, dtype=swapped))
    f(*xs, out=out)
    for k, (r, y) in enumerate(zip(out, ys)):
        same(r, y, f"{label} byte-swapped out, output {k}")
    # where=: untouched elements stay as they were
    out = outs(lambda: np.full(n, 3, dtype=dtype))
    mask = rng.random(n) < 0.5
    f(*xs, out=out, where=mask)
    for k, (r, y) in enumerate(zip(out, ys)):
        assert_defined(r, f"{label} where, output {k}")
        same(r, np.where(mask, y, np.asarray(3, dtype=dtype)).astype(dtype),
             f"{label} where, output {k}")
    # 2-D, transposed
    if n >= 4:
        m = [z[: (n // 4) * 4].reshape(4, -1).T for z in xs]
        for k, t in enumerate(as_tuple(f, f(*m))):
            assert_defined(t.T.copy().ravel(), f"{label} 2-D, output {k}")


def run_all():
    rng = np.random.default_rng(1234)
    for dtype in FLOAT_DTYPES:
        for n in LENGTHS:
            x = inputs(n, dtype, rng)
            for f in UFUNCS:
                # sigmoid_backward(inf, sigmoid(inf) = 1) is inf * 0: NaN and 'invalid',
                # as in NumPy's own product
                with np.errstate(invalid="ignore" if f.nin == 2 else "raise"):
                    run_one(f, x, rng, f"{f.__name__} {np.dtype(dtype).name} n={n}")
        # 0-d, scalar
        for f in UFUNCS:
            for value in (np.array(0.5, dtype=dtype), dtype(-3.0)):
                for r in as_tuple(f, f(*operands(f, value))):
                    assert_defined(np.atleast_1d(np.asarray(r)),
                                   f"{f.__name__} 0-d {np.dtype(dtype).name}")
    # integer input (NumPy's casting buffers)
    for f in UFUNCS:
        for itype in (np.int8, np.int16, np.int32, np.int64, np.uint64, np.bool_):
            ints = rng.integers(0, 2 if itype is np.bool_ else 100, 3000).astype(itype)
            name = f"{f.__name__} from {np.dtype(itype).name}"
            for r in as_tuple(f, f(*operands(f, ints))):
                assert_defined(r, name)
            with np.errstate(under="ignore"):  # NumPy's own cast to float32 underflows
                out = tuple(np.empty(1000, dtype=np.float32) for _ in range(f.nout))
                f(*operands(f, ints[::3]), out=out, casting="unsafe")
            for r in out:
                assert_defined(r, f"{name} into float32")


def run_bfloat16():
    """The bfloat16 loops (registered when ml_dtypes imports): all six ufuncs on
    contiguous, unaligned and strided operands around the block size (256)."""
    try:
        import ml_dtypes
    except ImportError:
        print("valgrind workload: ml_dtypes not installed, bfloat16 loops not run")
        return
    bf16 = np.dtype(ml_dtypes.bfloat16)
    rng = np.random.default_rng(99)
    for n in LENGTHS:
        x = inputs(n, np.float32, rng).astype(bf16)
        p = rng.uniform(0.01, 0.99, n).astype(bf16)  # y (1 - y) > 0: no inf * 0
        calls = [(sigmoidx.sigmoid, (x,)), (sigmoidx.sigmoid_grad, (x,)),
                 (sigmoidx.log_sigmoid, (x,)), (sigmoidx.logit, (p,)),
                 (sigmoidx.sigmoid_backward, (x, p))]
        for f, args in calls:
            label = f"{f.__name__} bfloat16 n={n}"
            y = f(*args)
            assert_defined(y.view(np.uint16), f"{label} contiguous")
            raw = np.zeros(2 * n + 1, dtype=np.uint8)
            yu = raw[1:].view(bf16)
            f(*args, out=yu)
            assert_defined(yu.view(np.uint16), f"{label} unaligned out")
            same(yu.view(np.uint16), y.view(np.uint16), f"{label} unaligned out")
            wide = [np.empty(3 * n, dtype=bf16) for _ in args]
            views = [w[::3] for w in wide]
            for v, a in zip(views, args):
                v[...] = a
            ys = f(*views)
            assert_defined(ys.view(np.uint16), f"{label} strided")
            same(ys.view(np.uint16), y.view(np.uint16), f"{label} strided")
        s, g = sigmoidx.sigmoid_and_grad(x[::-1])
        assert_defined(s.view(np.uint16), f"sigmoid_and_grad bfloat16 n={n}")
        assert_defined(g.view(np.uint16), f"sigmoid_and_grad bfloat16 n={n}")


def run_pooled():
    """Long contiguous runs, which the thread pool splits (issue 15): with 2 and 3 threads,
    outputs on and off cache-line boundaries, every value byte written and the bits of
    one thread (valgrind runs the threads one at a time, but sees every access)."""
    rng = np.random.default_rng(7)
    grain = 32768  # PARALLEL_GRAIN in csrc/module.c
    previous = sigmoidx.get_num_threads()
    for dtype in FLOAT_DTYPES:
        for n in (grain, grain + 1, 3 * grain + 7):
            x = inputs(n, dtype, rng)
            for f in UFUNCS:
                sigmoidx.set_num_threads(1)
                expected = as_tuple(f, f(*operands(f, x)))
                for threads in (2, 3):
                    sigmoidx.set_num_threads(threads)
                    for offset in (0, 1):
                        out = tuple(np.empty(n + offset, dtype=dtype)[offset:]
                                    for _ in range(f.nout))
                        f(*operands(f, x), out=out)
                        label = f"{f.__name__} {np.dtype(dtype).name} n={n} pooled {threads}"
                        for result, want in zip(out, expected):
                            assert_defined(result, label)
                            same(result, want, label)
    sigmoidx.set_num_threads(previous)


if __name__ == "__main__":
    with np.errstate(all="raise"):
        run_all()
        run_bfloat16()
        run_pooled()
    print(f"valgrind workload: {checked} results checked "
          f"({'with' if _helper else 'without'} valgrind definedness checks), "
          f"kernel level {sigmoidx.show_config()['kernel_level']}, "
          f"{sigmoidx.get_num_threads()} threads")
    sys.exit(0)
