"""Property-based tests (hypothesis) over arrays of every float dtype whose elements include
NaN, infinities, zeros and subnormals, for every ufunc of the family.

Per function, what mathematics says and a result within 1 ULP keeps (a bound that is a
float is never crossed by a faithfully rounded result, and negation is exact):
  sigmoid       in [0, 1], >= 1/2 exactly on x >= 0, sigma(x) + sigma(-x) = 1, increasing;
  sigmoid_grad  in [0, 1/4], even (sigma'(-x) = sigma'(x), bit for bit), decreasing in |x|;
  sigmoid_and_grad  the pair (sigmoid, sigmoid_grad);
  sigmoid_backward(dy, y) = dy*y*(1-y)  odd in dy; for y in [0, 1]: |result| <= |dy|/4,
                0 where y is 0 or 1 (dy finite), the sign of dy, increasing in dy;
  log_sigmoid   in [-inf, 0], -inf only at -inf, increasing;
  logit         NaN exactly outside [0, 1] (and for NaN), -inf at 0, inf at 1,
                >= 0 exactly on p >= 1/2, increasing on [0, 1].
Monotonicity is asserted without tolerance: the exact functions are monotone and the
kernels are correctly rounded almost everywhere; a pair out of order would be a finding.
For all: NaN only from NaN (logit: also outside its domain), the element-wise result
under any view, broadcasting with out= and where=, integer and bool inputs like np.exp.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import (array_shapes, arrays, from_dtype, integer_dtypes,
                                    mutually_broadcastable_shapes, unsigned_integer_dtypes)

import sigmoidx
from family import FLOAT_DTYPES, UFUNCS, as_tuple, assert_same_bits, name

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])
by_dtype = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)


def drawn_for_every_dtype(test):
    """test(dtype, data) for every float dtype, with hypothesis drawing from `data`."""
    return by_dtype(SETTINGS(given(data=st.data())(test)))


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


def unit_arrays(dtype, shape):
    """Arrays of floats in [0, 1] (0, 1 and subnormals included): probabilities, sigma(x)."""
    return arrays(dtype, shape, elements=from_dtype(np.dtype(dtype), min_value=0, max_value=1,
                                                    allow_nan=False, allow_subnormal=True))


def quiet(x):
    """x with every NaN replaced by the default quiet NaN (hypothesis may produce
    signalling NaNs, which rightly raise 'invalid', as they do in np.exp)."""
    x = np.array(x, copy=True)
    x[np.isnan(x)] = np.nan
    return x


def draw_operands(f, dtype, data, shape=None):
    """f's inputs drawn by hypothesis: any floats; sigmoid_backward's y in [0, 1] or any."""
    x = quiet(data.draw(float_arrays(dtype, shape)))
    if f.nin == 1:
        return (x,)
    y = data.draw(st.one_of(unit_arrays(dtype, st.just(x.shape)),
                            float_arrays(dtype, st.just(x.shape))))
    return (x, quiet(y))


# ---------------------------------------------------------------- one function at a time


@drawn_for_every_dtype
def test_sigmoid_and_its_derivative(dtype, data):
    x = quiet(data.draw(float_arrays(dtype)))
    with np.errstate(all="raise"):
        s, d = sigmoidx.sigmoid(x), sigmoidx.sigmoid_grad(x)
        sn, dn = sigmoidx.sigmoid(-x), sigmoidx.sigmoid_grad(-x)
        pair = sigmoidx.sigmoid_and_grad(x)
    assert s.dtype == d.dtype == dtype and s.shape == d.shape == x.shape
    assert_same_bits(pair[0], s)
    assert_same_bits(pair[1], d)
    nan = np.isnan(x)
    assert np.array_equal(np.isnan(s), nan) and np.array_equal(np.isnan(d), nan)
    assert np.all((s[~nan] >= 0) & (s[~nan] <= 1))
    assert np.all((d[~nan] >= 0) & (d[~nan] <= 0.25))
    assert not np.signbit(s[~nan]).any() and not np.signbit(d[~nan]).any()
    assert_same_bits(d[~nan], dn[~nan])  # even
    # sigma(x) + sigma(-x) = 1 within the two results' error (<= 2 ULP of 1 each)
    total = s[~nan].astype(np.longdouble) + sn[~nan].astype(np.longdouble)
    assert np.all(np.abs(total - 1) <= 4 * np.finfo(dtype).eps)
    # sigma is >= 1/2 exactly on x >= 0
    assert np.all(s[x > 0] >= 0.5) and np.all(s[x < 0] <= 0.5)


@drawn_for_every_dtype
def test_log_sigmoid(dtype, data):
    x = quiet(data.draw(float_arrays(dtype)))
    with np.errstate(all="raise"):
        r = sigmoidx.log_sigmoid(x)
    assert r.dtype == dtype and r.shape == x.shape
    nan = np.isnan(x)
    assert np.array_equal(np.isnan(r), nan)
    assert np.all(r[~nan] <= 0)  # log of a probability
    assert np.array_equal(r[~nan] == -np.inf, x[~nan] == -np.inf)
    assert np.all(r[x == np.inf] == 0)
    # log sigma(x) >= log(1/2) = -ln 2 exactly on x >= 0: a faithful result does not
    # cross the floats on either side of -ln 2
    ln_half = dtype(-np.log(np.longdouble(2)))
    below, above = np.nextafter(ln_half, dtype(-np.inf)), np.nextafter(ln_half, dtype(np.inf))
    assert np.all(r[x >= 0] >= below) and np.all(r[x < 0] <= above)


@drawn_for_every_dtype
def test_logit(dtype, data):
    p = quiet(data.draw(st.one_of(unit_arrays(dtype, array_shapes(min_dims=0, max_dims=2)),
                                  float_arrays(dtype))))
    with np.errstate(all="raise"):
        r = sigmoidx.logit(p)
    assert r.dtype == dtype and r.shape == p.shape
    with np.errstate(invalid="ignore"):
        inside = (p >= 0) & (p <= 1)
    assert np.array_equal(np.isnan(r), ~inside)
    q, r = p[inside], r[inside]
    assert np.all(r[q == 0] == -np.inf) and np.all(r[q == 1] == np.inf)
    assert np.all(np.isfinite(r[(q > 0) & (q < 1)]))
    assert np.all(r[q > 0.5] >= 0) and np.all(r[q < 0.5] <= 0) and np.all(r[q == 0.5] == 0)


@drawn_for_every_dtype
def test_sigmoid_backward(dtype, data):
    dy = quiet(data.draw(float_arrays(dtype, allow_nan=True)))
    y = data.draw(unit_arrays(dtype, st.just(dy.shape)))
    with np.errstate(all="ignore"):  # dy * y * (1 - y) may underflow, as NumPy's would
        r, r_neg = sigmoidx.sigmoid_backward(dy, y), sigmoidx.sigmoid_backward(-dy, y)
    assert r.dtype == dtype and r.shape == dy.shape
    nan = np.isnan(r)
    assert np.array_equal(nan, np.isnan(dy) | (np.isinf(dy) & ((y == 0) | (y == 1))))
    assert np.array_equal(np.isnan(r_neg), nan)
    assert np.all(r_neg[~nan] == -r[~nan])  # odd in dy
    nonzero = ~nan & (r != 0)  # the sign of a zero result: test_sigmoid_backward.py
    assert_same_bits(r_neg[nonzero], -r[nonzero])
    finite = np.isfinite(dy)
    # |dy|/4 is exact where dy is normal and 4 times the smallest normal or more
    normal = finite & (np.abs(dy) >= 4 * np.finfo(dtype).smallest_normal)
    assert np.all(np.abs(r[normal]) <= np.abs(dy[normal]) / dtype(4))
    assert np.all(r[finite & ((y == 0) | (y == 1))] == 0)
    number = ~np.isnan(r)
    assert np.all(r[number & (dy > 0)] >= 0) and np.all(r[number & (dy < 0)] <= 0)


@pytest.mark.parametrize("f", [sigmoidx.sigmoid, sigmoidx.log_sigmoid, sigmoidx.logit,
                               sigmoidx.sigmoid_grad], ids=name)
@drawn_for_every_dtype
def test_monotone_on_pairs(f, dtype, data):
    """sigmoid, log_sigmoid: increasing; logit: increasing on [0, 1]; sigmoid_grad:
    decreasing in |x|."""
    draw = (unit_arrays(dtype, st.integers(1, 50)) if f is sigmoidx.logit
            else float_arrays(dtype, shape=st.integers(1, 50), allow_nan=False))
    a = data.draw(draw)
    b = data.draw(unit_arrays(dtype, st.just(a.shape)) if f is sigmoidx.logit
                  else float_arrays(dtype, shape=st.just(a.shape), allow_nan=False))
    if f is sigmoidx.sigmoid_grad:
        near, far = np.minimum(abs(a), abs(b)), np.maximum(abs(a), abs(b))
        assert np.all(f(near) >= f(far))
    else:
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        assert np.all(f(lo) <= f(hi))


@drawn_for_every_dtype
def test_sigmoid_backward_increasing_in_dy(dtype, data):
    a = data.draw(float_arrays(dtype, shape=st.integers(1, 50), allow_nan=False))
    b = data.draw(float_arrays(dtype, shape=st.just(a.shape), allow_nan=False))
    y = data.draw(unit_arrays(dtype, st.just(a.shape)))
    with np.errstate(all="ignore"):
        lo, hi = (sigmoidx.sigmoid_backward(np.minimum(a, b), y),
                  sigmoidx.sigmoid_backward(np.maximum(a, b), y))
    number = ~np.isnan(lo) & ~np.isnan(hi)  # inf * 0 where y is 0 or 1
    assert np.all(lo[number] <= hi[number])


# ---------------------------------------------------------------- the whole family


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@drawn_for_every_dtype
def test_nan_only_from_nan(f, dtype, data):
    """NaN from every NaN input, and otherwise only where the value is undefined: logit
    outside [0, 1]; sigmoid_backward where dy*(y*(1-y)) is NaN evaluated in float64 (long
    double for long double): inf * 0, with y infinite, or beyond 2^511 where y*(1-y)
    overflows float64, and dy 0 (docs/api.md: outside the range of sigmoid outputs the
    float64 loop returns that plain product; float16 and float32 are computed in float64)."""
    xs = draw_operands(f, dtype, data)
    with np.errstate(all="ignore"):
        results = as_tuple(f, f(*xs))
    nan_in = np.any([np.isnan(x) for x in xs], axis=0)
    may_be_nan = nan_in.copy()
    with np.errstate(all="ignore"):
        if f is sigmoidx.logit:
            may_be_nan |= (xs[0] < 0) | (xs[0] > 1)
        if f is sigmoidx.sigmoid_backward:
            wide = np.longdouble if dtype == np.longdouble else np.float64
            dy, y = (x.astype(wide) for x in xs)
            product = dy * (y * (1 - y))
            may_be_nan |= np.isnan(product)
    for r in results:
        assert np.all(np.isnan(r)[nan_in])
        assert not np.any(np.isnan(r) & ~may_be_nan)


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@drawn_for_every_dtype
def test_elementwise_consistency_under_any_view(f, dtype, data):
    """Any slice of any array gives, element by element, the one-element result."""
    xs = draw_operands(f, dtype, data, shape=array_shapes(min_dims=1, max_dims=3, max_side=10))
    steps = data.draw(st.tuples(*[st.sampled_from([1, -1, 2, -3]) for _ in range(xs[0].ndim)]))
    transpose = data.draw(st.booleans())
    views = [x[tuple(slice(None, None, k) for k in steps)] for x in xs]
    views = [v.T for v in views] if transpose else views
    with np.errstate(all="ignore"):
        results = as_tuple(f, f(*views))
        flat = [v.reshape(-1) for v in views]
        singles = [as_tuple(f, f(*(v[i:i + 1] for v in flat))) for i in range(flat[0].size)]
    for k, y in enumerate(results):
        expected = np.concatenate([s[k] for s in singles]) if singles else y.reshape(-1)
        assert_same_bits(y.reshape(-1), expected)


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@drawn_for_every_dtype
def test_broadcasting_with_out_and_where(f, dtype, data):
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=f.nin + 1, min_dims=0,
                                                     max_dims=4, max_side=6))
    *x_shapes, where_shape = shapes.input_shapes
    xs = [quiet(data.draw(float_arrays(dtype, shape=st.just(s)))) for s in x_shapes]
    where = data.draw(arrays(np.bool_, where_shape))
    out_dtype = data.draw(st.sampled_from([dtype, np.float64, np.longdouble]))
    sentinel = out_dtype(0.75)  # outside the range of sigma' and an unlikely result
    out = tuple(np.full(shapes.result_shape, sentinel, dtype=out_dtype) for _ in range(f.nout))
    with np.errstate(all="ignore"):
        res = as_tuple(f, f(*xs, out=out, where=where))
        full = as_tuple(f, f(*xs))
    mask = np.broadcast_to(where, shapes.result_shape)
    for r, o, e in zip(res, out, full):
        assert r is o
        with np.errstate(over="ignore"):  # long double results beyond float64's range
            expected = np.broadcast_to(e.astype(out_dtype), shapes.result_shape)
        assert_same_bits(o[mask], expected[mask])
        assert np.all(o[~mask] == sentinel)


@SETTINGS
@given(x=arrays(st.one_of(integer_dtypes(), unsigned_integer_dtypes(), st.just(np.bool_)),
                array_shapes(max_dims=2, max_side=30)))
def test_integer_and_bool_inputs_like_np_exp(x):
    for f in UFUNCS:
        with np.errstate(all="ignore"):  # sigmoid_backward(x, x) may overflow
            results = as_tuple(f, f(*(x,) * f.nin))
            cast = as_tuple(f, f(*(x.astype(np.exp(x[:0]).dtype),) * f.nin))
        for y, same in zip(results, cast):
            assert y.dtype == np.exp(x[:0]).dtype
            assert_same_bits(y, same)
    with np.errstate(all="raise"):
        assert np.all((sigmoidx.sigmoid(x) >= 0) & (sigmoidx.sigmoid(x) <= 1))
        assert np.all((sigmoidx.sigmoid_grad(x) >= 0) & (sigmoidx.sigmoid_grad(x) <= 0.25))
