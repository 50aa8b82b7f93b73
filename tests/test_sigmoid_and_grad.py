"""sigmoid_and_grad(x) = (sigmoid(x), sigmoid_grad(x)): bit for bit the two ufuncs.

Its accuracy is therefore the accuracy of sigmoid and sigmoid_grad (test_accuracy.py);
here: equality on the accuracy input sets of every dtype, the two-output ufunc protocol
(out=(a, b), where=, dtype rules), layouts (strides, unaligned, byte-swapped, SIMD tails)
and floating-point hygiene.
"""

import warnings

import numpy as np
import pytest

import sigmoidx
from family import FLOAT_DTYPES, assert_same_bits, name
from inputs import (float16_all, float32_strided, float32_thresholds, float64_edges,
                    float64_random, hygiene_values, longdouble_points, scaled, thinned, unaligned,
                    values)

f = sigmoidx.sigmoid_and_grad


def assert_pair(x, pair=None):
    """f(x) (or `pair`) equals (sigmoid(x), sigmoid_grad(x)) bit for bit."""
    with np.errstate(invalid="ignore"):  # bit-pattern sweeps include signalling NaNs
        y, dy = f(x) if pair is None else pair
        assert_same_bits(y, sigmoidx.sigmoid(x))
        assert_same_bits(dy, sigmoidx.sigmoid_grad(x))


def test_is_a_two_output_ufunc():
    assert isinstance(f, np.ufunc)
    assert f.nin == 1 and f.nout == 2
    assert f.types == ["e->ee", "f->ff", "d->dd", "g->gg"]
    assert f.__name__ == "sigmoid_and_grad"


@pytest.mark.parametrize("x", [
    float16_all(), thinned(float32_strided(1021)), float32_thresholds(),
    float64_random(scaled(1_000_000), 3),
    float64_edges(), longdouble_points(3000)], ids=["f16-all", "f32-sweep", "f32-thresholds",
                                                    "f64-random", "f64-edges", "longdouble"])
def test_bitwise_equal_to_the_two_ufuncs(x):
    assert_pair(x)


@pytest.mark.parametrize("x, dtype", [(np.arange(-5, 6), np.float64), (np.int8(3), np.float16),
                                      (np.int16(3), np.float32), (True, np.float16),
                                      (np.uint64(7), np.float64), (2.5, np.float64)])
def test_dtype_rules_are_those_of_np_exp(x, dtype):
    y, dy = f(x)
    assert np.asarray(y).dtype == np.exp(x).dtype == dtype
    assert np.asarray(dy).dtype == dtype
    assert_pair(np.asarray(x, dtype=dtype), (np.asarray(y), np.asarray(dy)))


def test_scalars_give_scalars():
    y, dy = f(0.0)
    assert isinstance(y, np.float64) and y == 0.5 and dy == 0.25


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_out_tuple_and_where(dtype):
    x = values(1000, dtype)
    a, b = np.zeros_like(x), np.zeros_like(x)
    ra, rb = f(x, out=(a, b))
    assert ra is a and rb is b
    assert_pair(x, (a, b))
    # only one of the two given
    a2 = np.zeros_like(x)
    ra, rb = f(x, out=(a2, None))
    assert ra is a2
    assert_pair(x, (a2, rb))
    # where=: untouched elsewhere
    mask = np.arange(x.size) % 3 == 0
    a, b = np.full_like(x, 7), np.full_like(x, 9)
    f(x, out=(a, b), where=mask)
    assert_same_bits(a[mask], sigmoidx.sigmoid(x[mask]))
    assert_same_bits(b[mask], sigmoidx.sigmoid_grad(x[mask]))
    assert np.all(a[~mask] == 7) and np.all(b[~mask] == 9)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_in_place_into_the_input(dtype):
    x = values(1000, dtype)
    expect = f(x)
    x2, b = x.copy(), np.empty_like(x)
    f(x2, out=(x2, b))
    assert_pair(x, (x2, b))
    x3, a = x.copy(), np.empty_like(x)
    f(x3, out=(a, x3))
    assert_same_bits(a, expect[0])
    assert_same_bits(x3, expect[1])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_strides_unaligned_byte_swapped(dtype):
    x = values(3001, dtype)
    for step in (-1, 2, -3, 7):
        assert_pair(x[::step])
    assert_pair(np.broadcast_to(x[5:6], (700,)))
    assert_pair(x.reshape(3001, 1)[::2].T)
    # strided outputs in opposite directions
    a, b = np.zeros(3 * x.size, dtype)[::3], np.zeros(2 * x.size, dtype)[::-2]
    f(x, out=(a, b))
    assert_pair(x, (a, b))
    xu = unaligned(x.size, dtype)
    xu[...] = x
    au, bu = unaligned(x.size, dtype), unaligned(x.size, dtype)
    f(xu, out=(au, bu))
    assert_pair(x, (au, bu))
    swapped = np.dtype(dtype).newbyteorder("S")
    xs = x.astype(swapped)
    y, dy = f(xs)
    assert y.dtype == np.dtype(dtype) and dy.dtype == np.dtype(dtype)
    assert_pair(x, (y, dy))
    a, b = np.zeros(x.size, swapped), np.zeros(x.size, swapped)
    f(x, out=(a, b))
    assert_pair(x, (a, b))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_simd_tails_and_offsets(dtype):
    x = values(160, dtype, seed=2)
    sentinel = np.array(-12345.0, dtype=dtype)
    for off in range(0, 8, 3):
        for n in range(1, 130):
            xs = x[off:off + n]
            assert_pair(xs)
            big_a, big_b = np.full(160, sentinel), np.full(160, sentinel)
            o = (off * 3) % 8
            f(xs, out=(big_a[o:o + n], big_b[o + 1:o + 1 + n]))
            assert_pair(xs, (big_a[o:o + n], big_b[o + 1:o + 1 + n]))
            assert np.all(big_a[:o] == sentinel) and np.all(big_a[o + n:] == sentinel)
            assert np.all(big_b[:o + 1] == sentinel) and np.all(big_b[o + 1 + n:] == sentinel)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_no_fp_exceptions_anywhere(dtype):
    v = hygiene_values(dtype)
    filler = np.linspace(-3, 3, 129).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            for value in v:
                for n in (1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 129):
                    x = filler[:n].copy()
                    x[0] = x[-1] = value
                    assert_pair(x)
                    assert_pair(np.full(n, value, dtype=dtype))
