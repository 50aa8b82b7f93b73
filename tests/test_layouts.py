"""Every memory layout gives results bit for bit equal to the contiguous call.

Strides (negative, odd, zero, 2-D transposes), unaligned data, byte-swapped input and
output, non-contiguous out, and the SIMD tails: every length 1..129 at element offsets
0..7 against one-element calls, with guard elements around the output.
Plain pytest file so CI can rerun it under every SIGMOIDX_CPU kernel level.
"""

import numpy as np
import pytest

import sigmoidx

UFUNCS = (sigmoidx.sigmoid, sigmoidx.sigmoid_grad, sigmoidx.log_sigmoid, sigmoidx.logit)
ids = lambda f: f.__name__  # noqa: E731
DTYPES = (np.float16, np.float32, np.float64, np.longdouble)


def values(n, dtype, seed=0):
    """A mix of every regime: tiny, moderate, near the thresholds, saturating, special."""
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    span = float(np.log(np.float64(info.max)) if dtype != np.longdouble else 11400.0)
    pool = np.concatenate([
        rng.uniform(-3, 3, n), rng.uniform(-40, 40, n), rng.uniform(-1.1 * span, 1.1 * span, n),
        rng.standard_normal(n) * 1e-3,
    ]).astype(dtype)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, info.max, -info.max,
                         info.smallest_subnormal], dtype=dtype)
    x = rng.choice(pool, n)
    idx = rng.choice(n, size=max(1, n // 16), replace=False)
    x[idx] = rng.choice(specials, idx.size)
    return x


def bits(a):
    """Comparable raw bits: every byte, but only the 10 significant bytes of an x87 long
    double (6 are padding); binary128 long double and complex128 use all 16."""
    a = np.ascontiguousarray(a)
    if a.dtype.itemsize in (2, 4, 8):
        return a.view(f"u{a.dtype.itemsize}")
    raw = a.view(np.uint8).reshape(a.shape + (a.dtype.itemsize,))
    if a.dtype.kind == "f" and np.finfo(a.dtype).nmant == 63:
        return raw[..., :10]
    return raw


def assert_same_bits(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype.newbyteorder("=") == expected.dtype.newbyteorder("=")
    a = actual.astype(actual.dtype.newbyteorder("="))
    e = expected.astype(expected.dtype.newbyteorder("="))
    diff = np.flatnonzero(~np.all((bits(a) == bits(e)).reshape(a.size, -1), axis=1)) \
        if a.size else []
    assert len(diff) == 0, f"{len(diff)} elements differ, first at flat index {diff[:5]}"


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES)
def test_strides(f, dtype):
    x = values(3001, dtype)
    ref = f(x)
    for step in (-1, 2, -2, 3, -3, 7, 17):
        assert_same_bits(f(x[::step]), ref[::step])
    # zero stride (a broadcast input)
    b = np.broadcast_to(x[5:6], (1000,))
    assert b.strides == (0,)
    assert_same_bits(f(b), np.broadcast_to(ref[5:6], (1000,)))


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES)
def test_two_dimensional(f, dtype):
    x = values(60 * 70, dtype).reshape(60, 70)
    ref = f(x)
    assert_same_bits(f(x.T), ref.T)
    assert_same_bits(f(np.asfortranarray(x)), ref)
    assert_same_bits(f(x[::-2, 1::3]), ref[::-2, 1::3])
    assert_same_bits(f(x.T[::3, ::-1]), ref.T[::3, ::-1])
    assert_same_bits(f(x[:, 3]), ref[:, 3])  # a column: stride of a whole row
    # 3-D with a mix of strides
    y = values(4 * 5 * 6, dtype, seed=1).reshape(4, 5, 6).transpose(2, 0, 1)[::-1, :, ::2]
    assert_same_bits(f(y), f(np.ascontiguousarray(y)))


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES)
def test_non_contiguous_out(f, dtype):
    x = values(1000, dtype)
    ref = f(x)
    big = np.zeros(3000, dtype)
    out = big[::3]
    assert f(x, out=out) is out
    assert_same_bits(out, ref)
    assert np.all(big[1::3] == 0) and np.all(big[2::3] == 0)
    big = np.zeros(2000, dtype)
    f(x, out=big[::-2])
    assert_same_bits(big[::-2], ref)
    out2d = np.zeros((40, 25), dtype).T  # F-ordered out for a C-ordered input
    f(x.reshape(25, 40), out=out2d)
    assert_same_bits(out2d, ref.reshape(25, 40))
    # input and output both strided, in opposite directions
    big_in = np.repeat(x, 2)
    out = np.zeros(3000, dtype)[::-3]
    f(big_in[::2], out=out)
    assert_same_bits(out, ref)


def unaligned(n, dtype):
    """An uninitialised array of n elements whose data pointer is misaligned by 1 byte."""
    itemsize = np.dtype(dtype).itemsize
    buf = np.zeros(n * itemsize + 1, dtype=np.uint8)
    a = np.ndarray((n,), dtype, buffer=buf, offset=1)
    assert not a.flags.aligned
    return a


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES)
def test_unaligned(f, dtype):
    x = values(1001, dtype)
    ref = f(x)
    xu = unaligned(x.size, dtype)
    xu[...] = x
    assert_same_bits(xu, x)
    assert_same_bits(f(xu), ref)
    out = unaligned(x.size, dtype)
    f(x, out=out)
    assert_same_bits(out, ref)
    out = unaligned(x.size, dtype)
    f(xu, out=out)
    assert_same_bits(out, ref)
    assert_same_bits(f(xu[::-3]), ref[::-3])
    f(xu, out=xu)  # in place, unaligned
    assert_same_bits(xu, ref)


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("native", DTYPES, ids=lambda t: np.dtype(t).name)
def test_byte_swapped(f, native):
    native = np.dtype(native)
    swapped = native.newbyteorder("S")
    assert not swapped.isnative
    x = values(1003, native.type)
    ref = f(x)
    xs = x.astype(swapped)
    assert xs.dtype == swapped
    y = f(xs)
    assert y.dtype == native  # like np.exp: the result is native
    assert np.exp(xs[:0]).dtype == native
    assert_same_bits(y, ref)
    out = np.zeros(x.size, swapped)
    assert f(x, out=out) is out
    assert_same_bits(out, ref)
    out = np.zeros(x.size, swapped)
    f(xs[::-1], out=out[::-1])
    assert_same_bits(out, ref)
    # unaligned and byte-swapped at once
    xu = unaligned(x.size, swapped)
    xu[...] = xs
    assert_same_bits(f(xu), ref)


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES)
def test_simd_tails_and_offsets(f, dtype):
    """Every length 1..129 at element offsets 0..7 (in and out), against one-element calls;
    guard elements around the output stay untouched."""
    x = values(160, dtype, seed=2)
    single = np.concatenate([f(x[i:i + 1]) for i in range(x.size)])
    sentinel = np.array(-12345.0, dtype=dtype)
    base_out = np.full(160, sentinel, dtype=dtype)
    for off in range(8):
        for n in range(1, 130):
            y = f(x[off:off + n])
            assert_same_bits(y, single[off:off + n])
            out_off = (off * 3) % 8
            big = base_out.copy()
            f(x[off:off + n], out=big[out_off:out_off + n])
            assert_same_bits(big[out_off:out_off + n], single[off:off + n])
            assert np.all(big[:out_off] == sentinel) and np.all(big[out_off + n:] == sentinel), \
                (off, n, "wrote outside out")


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES)
def test_long_arrays_match_short_calls(f, dtype):
    """Large arrays (several GIL-released, SIMD-blocked, buffered chunks) equal the
    results of small 7-element calls over the same data."""
    x = values(100_003, dtype, seed=3)
    y = f(x)
    pieces = np.concatenate([f(x[i:i + 7]) for i in range(0, x.size, 7)])
    assert_same_bits(y, pieces)


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shift", [1, 2, 3, 9])
@pytest.mark.parametrize("step", [1, 2, -1])
def test_partly_overlapping_out(f, dtype, shift, step):
    """out= overlapping the input, behind it or ahead of it, contiguous or strided:
    the same bits as from a copy of the input (NumPy may pass such operands straight
    to the loop, which must then read each element before overwriting it)."""
    n = 1000
    buffer = values(n + 3 * shift, dtype, seed=5)
    x, out = buffer[shift:shift + n][::step], buffer[:n][::step]
    expected = f(x.copy())
    f(x, out=out)
    assert_same_bits(out, expected)
    backwards = values(n + 3 * shift, dtype, seed=6)
    x, out = backwards[:n][::step], backwards[shift:shift + n][::step]
    expected = f(x.copy())
    f(x, out=out)
    assert_same_bits(out, expected)
