"""sigmoid_backward(dy, y) = dy * y * (1 - y): within 1 ULP of the exact value for the given
floats (2 ULP for long double), measured against an independent reference: NumPy long
double arithmetic (float16 against float64, where the product is exact), with every
borderline or worst case re-measured exactly with mpmath.  Plus special values, FP
hygiene, broadcasting, layouts and the ufunc protocol for a two-input ufunc.
"""

import itertools
import warnings

import mpmath
import numpy as np
import pytest

import sigmoidx
from family import FLOAT_DTYPES, assert_same_bits, name
from inputs import full_significand, scaled, unaligned
from reference import mp_context, to_mpf, ulp_error

f = sigmoidx.sigmoid_backward
BOUND = {np.float16: 1.0, np.float32: 1.0, np.float64: 1.0, np.longdouble: 2.0}


def reference_mp(dy, y):
    """dy * y * (1 - y) exactly enough (40 digits), as an object array of mpf."""
    out = np.empty(dy.shape, dtype=object)
    with mp_context():
        for i, (a, b) in enumerate(zip(dy, y)):
            a, b = to_mpf(a), to_mpf(b)
            out[i] = a * b * (1 - b)
    return out


def max_error(dy, y, dtype, refine_top=64):
    """Max ULP error of f(dy, y) over finite cases; the worst and the borderline ones
    re-measured against mpmath."""
    dy, y = np.asarray(dy, dtype), np.asarray(y, dtype)
    actual = f(dy, y)
    assert actual.dtype == dtype
    work = np.float64 if dtype == np.float16 else np.longdouble
    with np.errstate(all="ignore"):
        dw, yw = dy.astype(work), y.astype(work)
        ref = dw * (yw * (1 - yw))
    errors = ulp_error(actual, ref, dtype)
    with np.errstate(over="ignore"):
        rounded = ref.astype(dtype)
    overflow = np.isinf(rounded) & np.isfinite(ref)  # the exact value rounds to +-inf
    errors[overflow] = np.where(actual[overflow] == rounded[overflow], 0.0, np.inf)
    if dtype != np.float16:  # the float64 product of float16s is exact: nothing to refine
        near = np.flatnonzero(errors > 0.75 * BOUND[dtype])
        top = np.argsort(errors)[-refine_top:]
        idx = np.union1d(near, top)
        errors[idx] = ulp_error(actual[idx], reference_mp(dy[idx], y[idx]), dtype)
    i = int(np.argmax(errors))
    return errors[i], (dy[i], y[i], actual[i])


def random_pairs(n, dtype, seed):
    """y: sigmoid-like outputs (uniform, tiny, close to 1, log-uniform, subnormal) and a few
    values outside [0, 1]; dy: normal, log-uniform magnitudes of both signs."""
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    lo = float(np.log10(info.smallest_subnormal)) + 1
    hi = float(np.log10(info.max)) - 1
    k = n // 6
    y = np.concatenate([
        rng.uniform(0, 1, k),
        1 - 10.0 ** rng.uniform(-17, 0, k),                    # close to 1 (rounded)
        10.0 ** rng.uniform(max(lo, -300), 0, k),              # small
        rng.uniform(0.45, 0.55, k),
        rng.uniform(-3, 3, k),                                 # outside [0, 1] too
        rng.uniform(0, 1, n - 5 * k),
    ]).astype(dtype)
    sign = rng.choice([-1.0, 1.0], n)
    dy = np.where(rng.random(n) < 0.5, rng.standard_normal(n),
                  sign * 10.0 ** rng.uniform(max(lo, -300) / 2, min(hi, 300) / 2, n)).astype(dtype)
    rng.shuffle(y)
    return dy, y


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
def test_accuracy_random(dtype):
    dy, y = random_pairs(scaled(600_000), dtype, seed=5)
    worst, where = max_error(dy, y, dtype)
    assert worst <= BOUND[dtype], (worst, where)


def test_accuracy_float64_every_regime_of_y():
    """y from the float64 grid where 1 - y is not exact (y < 1/2), exact (y >= 1/2), the
    last few floats below 1, subnormals; dy = 1 and random."""
    rng = np.random.default_rng(9)
    below_one = np.nextafter(1.0, 0.0) - np.arange(0, 2000) * 2.0 ** -53
    y = np.concatenate([below_one, rng.uniform(0, 0.5, scaled(50_000)), rng.uniform(0.5, 1, scaled(50_000)),
                        np.array([5e-324, 1e-320, 2.2250738585072014e-308, 0.5, 0.25, 1.0, 0.0])])
    for dy in (np.ones_like(y), rng.standard_normal(y.size), 10.0 ** rng.uniform(-300, 300, y.size)):
        worst, where = max_error(dy, y, np.float64)
        assert worst <= 1.0, (worst, where)  # above 0.5 + 2**-40 only for subnormal results


def test_accuracy_float16_exhaustive_y():
    """Every float16 y (all 65,536 bit patterns) against a few dy; the float64 reference is
    exact for float16 operands."""
    y = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    y = y[np.isfinite(y)]
    for dy in (1.0, -0.3, 1e-3, 300.0):
        dyv = np.full(y.shape, dy, dtype=np.float16)
        with np.errstate(over="ignore"):
            worst, where = max_error(dyv, y, np.float16)
        assert worst <= 1.0, (worst, where)


def test_accuracy_longdouble_against_mpmath():
    dy, y = random_pairs(3000, np.float64, seed=6)
    rng = np.random.default_rng(6)
    y = full_significand(y, rng)  # every significand bit of the platform's long double
    dy = dy.astype(np.longdouble)
    actual = f(dy, y)
    errors = ulp_error(actual, reference_mp(dy, y), np.longdouble)
    i = int(np.argmax(errors))
    assert errors[i] <= BOUND[np.longdouble], (errors[i], dy[i], y[i])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_special_values(dtype):
    one, half = dtype(1), dtype(0.5)
    assert f(one, one) == 0 and f(one, dtype(0)) == 0
    assert f(one, half) == 0.25 and f(dtype(-2), half) == -0.5
    assert np.isnan(f(dtype(np.nan), half)) and np.isnan(f(one, dtype(np.nan)))
    with np.errstate(all="raise"):
        assert f(dtype(np.inf), half) == np.inf
        assert f(one, dtype(np.inf)) == -np.inf and f(one, dtype(-np.inf)) == -np.inf
        assert f(dtype(-np.inf), dtype(0.25)) == -np.inf
        assert np.isnan(f(dtype(np.nan), dtype(np.inf)))


def test_returns_zero_once_y_has_rounded_to_one():
    """What the docstring warns about: y = sigmoid(40) is 1.0 in float64, so 0 comes back;
    sigmoid_grad(40) is the derivative."""
    y = sigmoidx.sigmoid(np.array([16.0, 40.0]))
    assert y[1] == 1.0
    out = f(1.0, y)
    assert out[1] == 0.0 and out[0] > 0
    assert sigmoidx.sigmoid_grad(40.0) > 0
    assert "sigmoid_grad" in f.__doc__ and "returns 0" in f.__doc__


def test_matches_the_derivative_where_y_is_well_conditioned():
    x = np.linspace(-30, 0, 10_001)
    dy = np.random.default_rng(1).standard_normal(x.size)
    got = f(dy, sigmoidx.sigmoid(x))
    expected = dy * sigmoidx.sigmoid_grad(x)
    # y rounded once (<= 1 ULP): for y <= 1/2 that moves y*(1-y) by <= 1 ULP relative
    assert np.all(np.abs(got - expected) <= 4 * np.spacing(np.abs(expected)))


HYGIENE_DY = [0.0, -0.0, 1.0, -3.0, 1e-300, 5e-324, 1e300, np.inf, -np.inf, np.nan]
HYGIENE_Y = [0.0, -0.0, 1.0, 0.5, 1 - 2**-53, 2**-60, 5e-324, -1.0, 2.0, 1e300, -1e300,
             np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_fp_exceptions_only_when_genuine(dtype):
    """No warning for quiet inputs where the NumPy expression dy*(y*(1-y)) raises none
    (it does for 0*inf, and when y*(1-y) or the result overflows); every element equals
    the same call made on it alone, anywhere in arrays of length 1..129."""
    filler_dy = np.linspace(-2, 2, 129).astype(dtype)
    filler_y = np.linspace(0, 1, 129).astype(dtype)
    filler_out = f(filler_dy, filler_y)
    for a, b in itertools.product(HYGIENE_DY, HYGIENE_Y):
        with np.errstate(all="ignore"):
            a, b = dtype(a), dtype(b)
            single = f(np.array([a]), np.array([b]))[0]
        try:
            with np.errstate(all="raise"):
                np.array([a]) * (np.array([b]) * (1 - np.array([b])))
            genuine = False
        except FloatingPointError:
            genuine = True
        for n in (1, 2, 5, 8, 9, 17, 33, 64, 129):
            dyv, yv = filler_dy[:n].copy(), filler_y[:n].copy()
            dyv[0] = dyv[-1] = a
            yv[0] = yv[-1] = b
            if genuine:
                with np.errstate(all="ignore"):
                    out = f(dyv, yv)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    with np.errstate(all="raise"):
                        out = f(dyv, yv)
            assert np.array_equal(out[[0, -1]], [single] * 2, equal_nan=True), (a, b, n)
            assert np.array_equal(out[1:-1], filler_out[1:n - 1]), (a, b, n)


# ---------------------------------------------------------------- protocol and layouts


def test_is_a_two_input_ufunc():
    assert isinstance(f, np.ufunc) and f.nin == 2 and f.nout == 1
    assert f.types == ["ee->e", "ff->f", "dd->d", "gg->g"]


@pytest.mark.parametrize("dy, y, dtype", [
    (np.arange(3), np.arange(3), np.float64), (np.float32(1), np.float16(0.5), np.float32),
    (np.float16(1), np.float16(0.5), np.float16), (np.int8(1), np.float16(0.5), np.float16),
    (1.0, np.float32(0.5), np.float32), (np.float32(1), np.float64(0.5), np.float64),
    (True, 0.5, np.float64)])
def test_dtype_rules(dy, y, dtype):
    assert np.asarray(f(dy, y)).dtype == dtype == np.multiply(dy, y).dtype or \
        np.asarray(f(dy, y)).dtype == dtype


def operands(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    dy = rng.standard_normal(n).astype(dtype)
    y = sigmoidx.sigmoid(rng.uniform(-20, 20, n)).astype(dtype)
    idx = rng.choice(n, max(1, n // 16), replace=False)
    y[idx] = rng.choice(np.array([0.0, 1.0, np.nan, 0.5], dtype=dtype), idx.size)
    return dy, y


def ref_each(dy, y):
    """One-element calls: the contiguous result of every element on its own."""
    dy, y = np.broadcast_arrays(np.asarray(dy), np.asarray(y))
    flat = [f(dy.reshape(-1)[i:i + 1].copy(), y.reshape(-1)[i:i + 1].copy())[0] for i in range(dy.size)]
    return np.array(flat, dtype=np.result_type(dy, y)).reshape(dy.shape)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_broadcasting_out_where(dtype):
    dy, y = operands(600, dtype)
    ref = f(dy, y)
    # scalar dy, 2-D broadcasting both ways
    assert_same_bits(f(dtype(1), y), f(np.ones_like(y), y))
    a, b = dy[:30].reshape(30, 1), y[:20].reshape(1, 20)
    assert_same_bits(f(a, b), ref_each(a, b))
    assert_same_bits(f(b, a), ref_each(b, a))
    out = np.zeros_like(y)
    assert f(dy, y, out=out) is out
    assert_same_bits(out, ref)
    mask = np.arange(y.size) % 4 == 1
    out = np.full_like(y, 3)
    f(dy, y, out=out, where=mask)
    assert_same_bits(out[mask], ref[mask])
    assert np.all(out[~mask] == 3)
    # in place into either input
    y2, dy2 = y.copy(), dy.copy()
    f(dy, y2, out=y2)
    f(dy2, y, out=dy2)
    assert_same_bits(y2, ref)
    assert_same_bits(dy2, ref)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_strides_unaligned_byte_swapped(dtype):
    dy, y = operands(3001, dtype)
    ref = f(dy, y)
    for s1, s2 in ((1, -1), (2, 2), (-3, 3), (7, 1)):
        n = min(dy[::s1].size, y[::s2].size)
        assert_same_bits(f(dy[::s1][:n], y[::s2][:n]), f(dy[::s1][:n].copy(), y[::s2][:n].copy()))
    assert_same_bits(f(np.broadcast_to(dy[3:4], y.shape), y), f(np.full_like(y, dy[3]), y))
    out = np.zeros(3 * y.size, dtype)[::-3]
    f(dy, y, out=out)
    assert_same_bits(out, ref)
    du, yu, ou = unaligned(y.size, dtype), unaligned(y.size, dtype), unaligned(y.size, dtype)
    du[...], yu[...] = dy, y
    f(du, yu, out=ou)
    assert_same_bits(ou, ref)
    swapped = np.dtype(dtype).newbyteorder("S")
    got = f(dy.astype(swapped), y)
    assert got.dtype == np.dtype(dtype)
    assert_same_bits(got, ref)
    out = np.zeros(y.size, swapped)
    f(dy.astype(swapped)[::-1], y.astype(swapped)[::-1], out=out[::-1])
    assert_same_bits(out, ref)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_simd_tails_and_offsets(dtype):
    dy, y = operands(160, dtype, seed=2)
    single = ref_each(dy, y)
    sentinel = dtype(-12345)
    for off in range(0, 8, 3):
        for n in range(1, 130):
            assert_same_bits(f(dy[off:off + n], y[off + 1:off + 1 + n] if off + 1 + n <= 160 else y[off:off + n]),
                             f(dy[off:off + n].copy(), (y[off + 1:off + 1 + n] if off + 1 + n <= 160 else y[off:off + n]).copy()))
            big = np.full(160, sentinel)
            o = (off * 3) % 8
            f(dy[off:off + n], y[off:off + n], out=big[o:o + n])
            assert_same_bits(big[o:o + n], single[off:off + n])
            assert np.all(big[:o] == sentinel) and np.all(big[o + n:] == sentinel)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_the_sign_of_a_zero_result_is_that_of_the_product(dtype):
    """IEEE 754: a zero product, exact or rounded, has the sign of the product of the
    signs: dy = -0 (or a tiny negative dy whose product underflows) and y in (0, 1) give
    -0, as NumPy's dy * (y * (1 - y)) does."""
    tiny = np.finfo(dtype).smallest_subnormal
    dy = np.array([-0.0, 0.0, -tiny, tiny] * 5, dtype=dtype)
    y = np.repeat(np.array([1e-5, 0.25, 0.5, 0.75, 0.9], dtype=dtype), 4)
    with np.errstate(all="ignore"):
        got = f(dy, y)
        expected = dy * (y * (1 - y))
    assert np.all(got == 0) and np.all(expected == 0)
    assert np.array_equal(np.signbit(got), np.signbit(expected)), (dy, y, got)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_a_product_beyond_the_largest_float_is_inf(dtype):
    """dy * y * (1 - y) of finite operands whose exact value is beyond the largest finite
    float rounds to +-inf (y outside [0, 1]: never a sigmoid output, but a valid input)."""
    big = np.finfo(dtype).max ** (1 / np.longdouble(3)) * 4  # big**3 is beyond max
    dy = np.array([big, -big, big, 2.0], dtype=dtype)
    y = np.array([-big, -big, big, np.finfo(dtype).max / 2], dtype=dtype)
    with np.errstate(all="ignore"):
        got = f(dy, y)
    # the signs of dy * y * (1 - y): (+)(-)(+), (-)(-)(+), (+)(+)(-), (+)(+)(-)
    assert np.array_equal(got, np.array([-np.inf, np.inf, -np.inf, -np.inf], dtype=dtype)), got
