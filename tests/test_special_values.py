"""Special values and floating-point hygiene.

sigma(+-0) = 1/2, sigma(+inf) = 1, sigma(-inf) = +0, sigma(NaN) = NaN;
sigma'(+-0) = 1/4, sigma'(+-inf) = +0, sigma'(NaN) = NaN.
Nothing warns or raises under np.errstate(all="raise") for any quiet input, wherever it
sits in an array of any length 1..129 (SIMD bodies and tails).
"""

import warnings

import numpy as np
import pytest

import sigmoidx
from family import FLOAT_DTYPES, ONE_IN_ONE_OUT, assert_same_bits, name
from inputs import hygiene_values

FUNCTIONS = ONE_IN_ONE_OUT  # sigmoid_and_grad, sigmoid_backward: their own files


def arr(values, dtype):
    return np.array(values, dtype=dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_sigmoid_special_values(dtype):
    x = arr([0.0, -0.0, np.inf, -np.inf], dtype)
    y = sigmoidx.sigmoid(x)
    assert y.dtype == dtype
    assert y[0] == 0.5 and y[1] == 0.5
    assert y[2] == 1.0
    assert y[3] == 0.0 and not np.signbit(y[3])  # +0, not -0


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_sigmoid_grad_special_values(dtype):
    x = arr([0.0, -0.0, np.inf, -np.inf], dtype)
    y = sigmoidx.sigmoid_grad(x)
    assert y.dtype == dtype
    assert y[0] == 0.25 and y[1] == 0.25
    assert y[2] == 0.0 and y[3] == 0.0
    assert not np.signbit(y).any()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
@pytest.mark.parametrize("f", FUNCTIONS, ids=name)
def test_nan_in_nan_out(f, dtype):
    x = arr([np.nan, -np.nan, 1.0], dtype)
    with np.errstate(all="raise"):
        y = f(x)
    assert np.isnan(y[0]) and np.isnan(y[1]) and not np.isnan(y[2])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_saturation_and_tiny_inputs(dtype):
    """Huge |x| saturates without overflow; tiny |x| gives 1/2 and 1/4 exactly or within
    1 ULP; every result has the right sign (never -0 from a positive function)."""
    info = np.finfo(dtype)
    saturating = {np.float16: 6e4, np.float32: 1e4, np.float64: 1e4, np.longdouble: 1e5}[dtype]
    big = arr([info.max, -info.max, saturating], dtype)
    with np.errstate(all="raise"):
        s, d = sigmoidx.sigmoid(big), sigmoidx.sigmoid_grad(big)
    assert s[0] == 1 and s[1] == 0 and s[2] == 1
    assert np.all(d == 0)
    assert not np.signbit(s).any() and not np.signbit(d).any()
    tiny = arr([info.smallest_subnormal, -info.smallest_subnormal, info.smallest_normal,
                -info.smallest_normal], dtype)
    with np.errstate(all="raise"):
        s, d = sigmoidx.sigmoid(tiny), sigmoidx.sigmoid_grad(tiny)
    assert np.all(s == 0.5)  # 1/2 + x/4: x/4 is far below half an ULP of 1/2
    assert np.all(d == 0.25)


def test_results_that_are_subnormal_are_not_flushed():
    """sigma(-720) in float64 and sigma(-100) in float32 are subnormal, not 0."""
    with np.errstate(all="raise"):
        s64 = sigmoidx.sigmoid(np.array([-720.0, -740.0, -745.0]))
        s32 = sigmoidx.sigmoid(np.array([-90.0, -100.0, -103.0], dtype=np.float32))
        g64 = sigmoidx.sigmoid_grad(np.array([720.0, -740.0]))
    assert np.all(s64 > 0) and np.all(s64 < np.finfo(np.float64).smallest_normal)
    assert np.all(s32 > 0) and np.all(s32 < np.finfo(np.float32).smallest_normal)
    assert np.all(g64 > 0) and np.all(g64 < np.finfo(np.float64).smallest_normal)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
@pytest.mark.parametrize("f", FUNCTIONS, ids=name)
def test_no_fp_exceptions_anywhere(f, dtype):
    """Each hygiene value first, last and everywhere in arrays of length 1..129, between
    ordinary values: no exception under errstate(all='raise'), no warning at all, and
    every element equal to the same function of that element alone."""
    values = hygiene_values(dtype)
    with np.errstate(invalid="ignore"):  # scalar results for comparison: from a 1-array
        single = {i: f(values[i:i + 1])[0] for i in range(values.size)}
    filler = np.linspace(-3, 3, 129).astype(dtype)
    filler_out = f(filler)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            for i, v in enumerate(values):
                for n in range(1, 130):
                    x = filler[:n].copy()
                    x[0] = v
                    x[-1] = v
                    y = f(x)
                    assert np.array_equal(y[[0, -1]], [single[i]] * 2, equal_nan=True), (v, n)
                    # (equal_nan: logit of the filler outside [0, 1] is NaN)
                    assert np.array_equal(y[1:-1], filler_out[1:n - 1], equal_nan=True), (v, n)
                    y = f(np.full(n, v, dtype=dtype))
                    assert np.array_equal(y, np.full(n, single[i]), equal_nan=True), (v, n)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_special_values_through_every_path(dtype):
    """The special values at every position of an array of length 129, strided too."""
    x = np.resize(hygiene_values(dtype), 129)
    expect = {f: np.array([f(x[i:i + 1])[0] for i in range(x.size)]) for f in FUNCTIONS}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            for f in FUNCTIONS:
                for shift in range(8):
                    xs = np.roll(x, shift)
                    assert np.array_equal(f(xs), np.roll(expect[f], shift), equal_nan=True)
                strided = np.repeat(x, 3)[::3]
                assert np.array_equal(f(strided), expect[f], equal_nan=True)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_special_values_among_many_ordinary_inputs(dtype):
    """A special value (or a subnormal p for logit) in any block of a long array of
    ordinary inputs: the baseline's float64 loops work on blocks of 256 and take a
    shorter path for a block without them (csrc/kernels_impl.h).  Every element equals
    the same function of that element alone, and nothing warns."""
    info = np.finfo(dtype)
    specials = np.concatenate([hygiene_values(dtype),
                               arr([info.smallest_subnormal, info.smallest_normal / 3,
                                    info.smallest_normal, 1.0, 0.0], dtype)])
    ordinary = {sigmoidx.logit: np.linspace(0.01, 0.99, 1000).astype(dtype)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            for f in FUNCTIONS:
                base = ordinary.get(f, np.linspace(-30, 30, 1000).astype(dtype))
                expect_base = f(base)
                for v in specials:
                    with np.errstate(invalid="ignore"):
                        single = f(arr([v], dtype))[0]
                    for position in (0, 255, 256, 300, 511, 512, 999):
                        x = base.copy()
                        x[position] = v
                        y = f(x)
                        expect = expect_base.copy()
                        expect[position] = single
                        assert np.array_equal(y, expect, equal_nan=True), (f, v, position)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
@pytest.mark.parametrize("f", FUNCTIONS, ids=name)
def test_long_arrays_give_each_element_its_own_result(f, dtype):
    """Up to |x| = 64 (float16, float32) or 512 (float64, long double) a block of the
    vector kernels takes their path for moderate inputs (on avx512 with vscalefps /
    vscalefpd for 2^k), while an element alone goes through the general path of the tail
    (and the baseline's float64 loops have blocks of their own): the same bits either way,
    up to and at the bounds, and for the signed zeros and subnormals, which avx512's
    vfixupimm classes apart from the other numbers.  logit: p over (0, 1)."""
    bound = 64.0 if np.finfo(dtype).bits <= 32 else 512.0
    info = np.finfo(dtype)
    tiny = np.array([0.0, info.smallest_subnormal, info.smallest_normal - info.smallest_subnormal,
                     info.smallest_normal, info.eps], dtype)
    # whole blocks of them first, then the sweep
    x = np.concatenate([np.tile(np.concatenate([tiny, -tiny]), 26),
                        np.linspace(-bound, bound, 4001).astype(dtype)])
    if f is sigmoidx.logit:
        x = np.linspace(0.0, 1.0, 4001)[1:-1].astype(dtype)
    alone = np.concatenate([f(x[i:i + 1]) for i in range(x.size)])
    assert_same_bits(f(x), alone)
