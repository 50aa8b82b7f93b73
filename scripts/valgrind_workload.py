"""The workload that scripts/valgrind.sh runs under valgrind's memcheck.

Every loop (float16/32/64, long double; sigmoid and sigmoid_grad) on every path of the
C code: contiguous, unaligned, strided and negative-strided input, strided out, in place,
byte-swapped, where=, casting from integers, 2-D, 0-d and scalars, at every length 0..40
and around the block sizes (256: float16 blocks, 512: the strided buffer), with values of
every regime (subnormal, saturating, inf, NaN).

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

UFUNCS = (sigmoidx.sigmoid, sigmoidx.sigmoid_grad)
DTYPES = (np.float16, np.float32, np.float64, np.longdouble)
X87 = np.finfo(np.longdouble).nmant == 63 and np.dtype(np.longdouble).itemsize in (12, 16)
LENGTHS = list(range(0, 41)) + [63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513,
                                 1023, 1025]

_helper = None
if os.environ.get("SIGMOIDX_VGCHECK_LIB"):
    _helper = ctypes.CDLL(os.environ["SIGMOIDX_VGCHECK_LIB"])
    _helper.vgcheck_defined.restype = ctypes.c_long
    _helper.vgcheck_defined.argtypes = [ctypes.c_void_p, ctypes.c_long, ctypes.c_long,
                                        ctypes.c_long]

checked = 0


def value_bytes(dtype):
    return 10 if np.dtype(dtype) == np.longdouble and X87 else np.dtype(dtype).itemsize


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
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, label
    if np.dtype(expected.dtype) == np.longdouble:
        return  # valgrind's x87 is double precision: values are its own
    a = actual.astype(actual.dtype.newbyteorder("="))
    assert np.array_equal(a.view(f"u{a.itemsize}"),
                          expected.view(f"u{expected.itemsize}")), label


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


def run_all():
    rng = np.random.default_rng(1234)
    for dtype in DTYPES:
        size = np.dtype(dtype).itemsize
        for n in LENGTHS:
            x = inputs(n, dtype, rng)
            for f in UFUNCS:
                label = f"{f.__name__} {np.dtype(dtype).name} n={n}"
                y = f(x)
                assert_defined(y, f"{label} contiguous")
                # unaligned input and output
                raw_in = np.zeros(n * size + 1, dtype=np.uint8)
                xu = raw_in[1:].view(dtype)
                xu[...] = x
                raw_out = np.empty(n * size + 1, dtype=np.uint8)
                yu = raw_out[1:].view(dtype)
                f(xu, out=yu)
                assert_defined(yu, f"{label} unaligned")
                same(yu, y, f"{label} unaligned")
                # strided input (positive, negative), strided out, both
                for step in (2, 3, -1, -2):
                    big = np.empty(abs(step) * n, dtype=dtype)
                    view = big[:: abs(step)] if step > 0 else big[:: abs(step)][::-1]
                    view[...] = x
                    ys = f(view)
                    assert_defined(ys, f"{label} input step {step}")
                    same(ys, y, f"{label} input step {step}")
                    out_big = np.empty(abs(step) * n, dtype=dtype)
                    out_view = out_big[:: abs(step)] if step > 0 else out_big[:: abs(step)][::-1]
                    f(x, out=out_view)
                    assert_defined(out_view, f"{label} out step {step}")
                    same(out_view, y, f"{label} out step {step}")
                    f(view, out=out_view)
                    assert_defined(out_view, f"{label} both step {step}")
                    same(out_view, y, f"{label} both step {step}")
                # in place, contiguous and strided
                z = x.copy()
                f(z, out=z)
                assert_defined(z, f"{label} in place")
                same(z, y, f"{label} in place")
                zs = np.empty(2 * n, dtype=dtype)
                zs[::2] = x
                f(zs[::2], out=zs[::2])
                assert_defined(zs[::2], f"{label} strided in place")
                same(zs[::2], y, f"{label} strided in place")
                # byte-swapped in and out
                xs = x.astype(x.dtype.newbyteorder("S"))
                ysw = f(xs)
                assert_defined(ysw, f"{label} byte-swapped input")
                same(ysw, y, f"{label} byte-swapped input")
                out_sw = np.empty(n, dtype=x.dtype.newbyteorder("S"))
                f(x, out=out_sw)
                same(out_sw, y, f"{label} byte-swapped out")
                # where=: untouched elements stay as they were
                out_w = np.full(n, 3, dtype=dtype)
                mask = rng.random(n) < 0.5
                f(x, out=out_w, where=mask)
                assert_defined(out_w, f"{label} where")
                expected_w = np.where(mask, y, np.asarray(3, dtype=dtype))
                same(out_w, expected_w.astype(dtype), f"{label} where")
                # 2-D, transposed
                if n >= 4:
                    m = x[: (n // 4) * 4].reshape(4, -1)
                    t = f(m.T)
                    assert_defined(t.T.copy().ravel(), f"{label} 2-D")
        # 0-d, scalar, integer input (NumPy's casting buffers)
        for f in UFUNCS:
            for value in (np.array(0.5, dtype=dtype), dtype(-3.0)):
                r = np.atleast_1d(np.asarray(f(value)))
                assert_defined(r, f"{f.__name__} 0-d {np.dtype(dtype).name}")
    for f in UFUNCS:
        for itype in (np.int8, np.int16, np.int32, np.int64, np.uint64, np.bool_):
            ints = rng.integers(0, 2 if itype is np.bool_ else 100, 3000).astype(itype)
            r = f(ints)
            assert_defined(r, f"{f.__name__} from {np.dtype(itype).name}")
            with np.errstate(under="ignore"):  # NumPy's own cast to float32 underflows
                r2 = f(ints[::3], out=np.empty(1000, dtype=np.float32), casting="unsafe")
            assert_defined(r2, f"{f.__name__} from {np.dtype(itype).name} into float32")


def run_pooled():
    """Long contiguous runs, which the thread pool splits (issue 15): with 2 and 3 threads,
    outputs on and off cache-line boundaries, every value byte written and the bits of
    one thread (valgrind runs the threads one at a time, but sees every access)."""
    rng = np.random.default_rng(7)
    grain = 32768  # PARALLEL_GRAIN in csrc/module.c
    previous = sigmoidx.get_num_threads()
    for dtype in DTYPES:
        for n in (grain, grain + 1, 3 * grain + 7):
            x = inputs(n, dtype, rng)
            for f in UFUNCS:
                sigmoidx.set_num_threads(1)
                expected = f(x)
                for threads in (2, 3):
                    sigmoidx.set_num_threads(threads)
                    for offset in (0, 1):
                        out = np.empty(n + offset, dtype=dtype)[offset:]
                        f(x, out=out)
                        label = f"{f.__name__} {np.dtype(dtype).name} n={n} pooled {threads}"
                        assert_defined(out, label)
                        same(out, expected, label)
    sigmoidx.set_num_threads(previous)


if __name__ == "__main__":
    with np.errstate(all="raise"):
        run_all()
        run_pooled()
    print(f"valgrind workload: {checked} results checked "
          f"({'with' if _helper else 'without'} valgrind definedness checks), "
          f"kernel level {sigmoidx.show_config()['kernel_level']}, "
          f"{sigmoidx.get_num_threads()} threads")
    sys.exit(0)
