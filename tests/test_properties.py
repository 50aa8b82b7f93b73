"""Property-based tests (hypothesis): ranges, NaN propagation, symmetry, monotonicity,
element-wise consistency, broadcasting with out= and where=, and FP hygiene, over arrays
of every float dtype whose elements include NaN, infinities, zeros and subnormals.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import (array_shapes, arrays, from_dtype, integer_dtypes,
                                    mutually_broadcastable_shapes, unsigned_integer_dtypes)

import sigmoidx

UFUNCS = (sigmoidx.sigmoid, sigmoidx.sigmoid_grad)
ids = lambda f: f.__name__  # noqa: E731
DTYPES = (np.float16, np.float32, np.float64, np.longdouble)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def elements(dtype, allow_nan=True):
    """Every kind of float of ``dtype``; for long double also magnitudes far beyond float64's."""
    base = from_dtype(np.dtype(dtype), allow_nan=allow_nan, allow_infinity=True,
                      allow_subnormal=True)
    if dtype != np.longdouble:
        return base
    wide = st.builds(lambda m, e: np.ldexp(np.longdouble(m), e),
                     st.floats(-1, 1, exclude_min=True, exclude_max=True),
                     st.integers(-16445, 16383))
    return st.one_of(base, wide)


def float_arrays(dtype, shape=None, allow_nan=True):
    shape = array_shapes(min_dims=0, max_dims=3, max_side=12) if shape is None else shape
    return arrays(dtype, shape, elements=elements(dtype, allow_nan))


def quiet(x):
    """x with every NaN replaced by the default quiet NaN (hypothesis may produce
    signalling NaNs, which rightly raise 'invalid', as they do in np.exp)."""
    x = np.array(x, copy=True)
    x[np.isnan(x)] = np.nan
    return x


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
@SETTINGS
@given(data=st.data())
def test_ranges_and_nan_only_from_nan(dtype, data):
    x = quiet(data.draw(float_arrays(dtype)))
    with np.errstate(all="raise"):
        s, d = sigmoidx.sigmoid(x), sigmoidx.sigmoid_grad(x)
    assert s.dtype == d.dtype == dtype and s.shape == d.shape == x.shape
    nan = np.isnan(x)
    assert np.array_equal(np.isnan(s), nan) and np.array_equal(np.isnan(d), nan)
    assert np.all((s[~nan] >= 0) & (s[~nan] <= 1))
    assert np.all((d[~nan] >= 0) & (d[~nan] <= 0.25))
    assert not np.signbit(s[~nan]).any() and not np.signbit(d[~nan]).any()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
@SETTINGS
@given(data=st.data())
def test_symmetries(dtype, data):
    x = quiet(data.draw(float_arrays(dtype, allow_nan=False)))
    s, sn = sigmoidx.sigmoid(x), sigmoidx.sigmoid(-x)
    d, dn = sigmoidx.sigmoid_grad(x), sigmoidx.sigmoid_grad(-x)
    assert np.array_equal(d, dn) and np.array_equal(np.signbit(d), np.signbit(dn))
    # sigma(x) + sigma(-x) = 1 within the two results' error (<= 2 ULP of 1 each)
    total = s.astype(np.longdouble) + sn.astype(np.longdouble)
    assert np.all(np.abs(total - 1) <= 4 * np.finfo(dtype).eps)
    # sigma is >= 1/2 exactly on x >= 0
    assert np.all(s[x > 0] >= 0.5) and np.all(s[x < 0] <= 0.5)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
@SETTINGS
@given(data=st.data())
def test_monotone_on_pairs(dtype, data):
    a = data.draw(float_arrays(dtype, shape=st.integers(1, 50), allow_nan=False))
    b = data.draw(float_arrays(dtype, shape=st.just(a.shape), allow_nan=False))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    assert np.all(sigmoidx.sigmoid(lo) <= sigmoidx.sigmoid(hi))
    near, far = np.minimum(abs(a), abs(b)), np.maximum(abs(a), abs(b))
    assert np.all(sigmoidx.sigmoid_grad(near) >= sigmoidx.sigmoid_grad(far))


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
@SETTINGS
@given(data=st.data())
def test_elementwise_consistency_under_any_view(f, dtype, data):
    """Any slice of any array gives, element by element, the one-element result."""
    x = quiet(data.draw(float_arrays(dtype, shape=array_shapes(min_dims=1, max_dims=3, max_side=10))))
    steps = data.draw(st.tuples(*[st.sampled_from([1, -1, 2, -3]) for _ in range(x.ndim)]))
    view = x[tuple(slice(None, None, k) for k in steps)]
    if data.draw(st.booleans()):
        view = view.T
    y = f(view)
    flat = view.reshape(-1)
    single = np.array([f(flat[i:i + 1])[0] for i in range(flat.size)], dtype=dtype)
    assert np.array_equal(y.reshape(-1), single, equal_nan=True)


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
@SETTINGS
@given(data=st.data())
def test_broadcasting_with_out_and_where(f, dtype, data):
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                     max_side=6))
    x_shape, where_shape = shapes.input_shapes
    x = quiet(data.draw(float_arrays(dtype, shape=st.just(x_shape))))
    where = data.draw(arrays(np.bool_, where_shape))
    out_dtype = data.draw(st.sampled_from([dtype, np.float64, np.longdouble]))
    sentinel = out_dtype(0.75)  # outside the range of sigma' and an unlikely sigma
    out = np.full(shapes.result_shape, sentinel, dtype=out_dtype)
    res = f(x, out=out, where=where)
    assert res is out
    full = np.broadcast_to(f(x).astype(out_dtype), shapes.result_shape)
    mask = np.broadcast_to(where, shapes.result_shape)
    assert np.array_equal(out[mask], full[mask], equal_nan=True)
    assert np.all(out[~mask] == sentinel)


@SETTINGS
@given(x=arrays(st.one_of(integer_dtypes(), unsigned_integer_dtypes(), st.just(np.bool_)),
                array_shapes(max_dims=2, max_side=30)))
def test_integer_and_bool_inputs_like_np_exp(x):
    for f in UFUNCS:
        y = f(x)
        assert y.dtype == np.exp(x[:0]).dtype
        assert np.array_equal(y, f(x.astype(y.dtype)))
        assert np.all((y >= 0) & (y <= 1))
