"""The identities from which sigma and sigma' are derived, each checked on its own.

Right-hand sides are evaluated in long double (64-bit significand), so that their own
error is far below one ULP of float16/32/64; the tolerances are the accuracy contract
(1 ULP, 2 for long double) propagated through each identity, computed per element.
"""

import numpy as np
import pytest

import sigmoidx
from inputs import (F16_THRESHOLDS, F32_THRESHOLDS, F64_THRESHOLDS, LD_THRESHOLDS, _neighbours,
                    float16_all, full_significand, scaled)
from reference import refine_margin, ulp_error, ulp_np

LD = np.longdouble
FLOATS = (np.float16, np.float32, np.float64)
ALL_FLOATS = FLOATS + (np.longdouble,)
BOUND = {np.float16: 1.0, np.float32: 1.0, np.float64: 1.0, np.longdouble: 2.0}
THRESHOLDS = {np.float16: F16_THRESHOLDS, np.float32: F32_THRESHOLDS,
              np.float64: F64_THRESHOLDS, np.longdouble: LD_THRESHOLDS}
# |x| beyond which sigma' of the dtype is 0 and sigma is 0 or 1: the useful range
SPAN = {np.float16: 18.0, np.float32: 105.0, np.float64: 746.0, np.longdouble: 11400.0}


def precision(dtype):
    return np.finfo(dtype).nmant + 1


def ulp_above(c, dtype):
    """An upper bound of ULP(t) for any t within 2 ULP of the computed value c."""
    c = np.abs(np.asarray(c, dtype=LD))
    return ulp_np(c * (1 + LD(2.0) ** (3 - precision(dtype))), dtype)


def grid(dtype, lo, hi, n=200_000, seed=0):
    """Random points of ``dtype`` in [lo, hi], plus every threshold of the dtype in range."""
    rng = np.random.default_rng(seed)
    n = scaled(n)
    if dtype == np.float16:
        x = float16_all()
        x = x[np.isfinite(x) & (x >= lo) & (x <= hi)]
    else:
        x = rng.uniform(lo, hi, n).astype(dtype)
        if dtype == np.longdouble:  # fill the low bits a float64 lacks
            x = full_significand(x, rng)
    t = np.array(list(THRESHOLDS[dtype].values()))
    t = np.concatenate([t, -t, [0.0, 1.0, -1.0]]).astype(dtype)
    return np.concatenate([x, t[(t >= lo) & (t <= hi)]])


def sigmoid(x):
    return sigmoidx.sigmoid(x)


def grad(x):
    return sigmoidx.sigmoid_grad(x)


def assert_within(lhs, rhs, tol, x, what):
    """|lhs - rhs| <= tol elementwise, computed in long double; name the worst input."""
    diff = np.abs(np.asarray(lhs, dtype=LD) - np.asarray(rhs, dtype=LD))
    bad = ~(diff <= tol)
    if bad.any():
        ratio = np.where(bad, diff / np.maximum(tol, np.finfo(LD).smallest_subnormal), 0)
        i = int(np.argmax(ratio))
        pytest.fail(f"{what}: {bad.sum()} inputs violate it, worst x={x[i]!r}: "
                    f"lhs={lhs[i]!r} rhs={rhs[i]!r} |diff|={diff[i]!r} > tol={tol[i]!r}")


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_is_exp_over_exp_plus_one(dtype):
    """sigma(x) = e**x / (e**x + 1), the right-hand side in long double."""
    x = grid(dtype, -SPAN[dtype], SPAN[dtype])
    ex = np.exp(x.astype(LD))
    rhs = ex / (ex + 1)
    err = ulp_error(sigmoid(x), rhs, dtype)
    i = int(np.argmax(err))
    assert err[i] <= BOUND[dtype] + refine_margin(dtype), (x[i], sigmoid(x[i:i + 1]), rhs[i])


@pytest.mark.parametrize("dtype", ALL_FLOATS)
def test_reflection_sigma_of_minus_x_is_one_minus_sigma(dtype):
    """sigma(-x) = 1 - sigma(x), between the library's own outputs.

    For x >= 0, sigma(x) - 1 and then + sigma(-x) are exact (Sterbenz), so the residual is
    bounded by the two results' errors: B*ULP(sigma(x)) + B*ULP(sigma(-x)).
    """
    x = grid(dtype, 0, SPAN[dtype])
    s_pos, s_neg = sigmoid(x), sigmoid(-x)
    lhs = s_neg.astype(LD)
    rhs = 1 - s_pos.astype(LD)
    tol = BOUND[dtype] * (ulp_above(s_pos, dtype) + ulp_above(s_neg, dtype))
    assert_within(lhs, rhs, tol, x, "sigma(-x) = 1 - sigma(x)")
    assert np.all(s_pos >= 0.5) and np.all(s_neg <= 0.5)


@pytest.mark.parametrize("dtype", ALL_FLOATS)
def test_derivative_is_sigma_times_one_minus_sigma(dtype):
    """sigma'(x) = sigma(x)(1 - sigma(x)), between the library's own outputs.

    With sigma~ = sigma + ds, sigma~(1 - sigma~) = sigma'(x) + ds(1 - 2 sigma) - ds**2, so
    |sigma_grad(x) - sigma~(1 - sigma~)| <= B ULP(sigma') + B ULP(sigma)|1 - 2 sigma| + ds**2
    (plus the long double rounding of the right-hand side).  Tight for x <= 0; for x >> 0
    the right-hand side loses its digits to the cancellation in 1 - sigma, so x <= 8.
    """
    x = np.concatenate([grid(dtype, -SPAN[dtype], 0), grid(dtype, 0, 8.0, n=50_000, seed=1)])
    s, d = sigmoid(x).astype(LD), grad(x).astype(LD)
    rhs = s * (1 - s)
    B = BOUND[dtype]
    ds = B * ulp_above(s, dtype)
    tol = B * ulp_above(d, dtype) + ds * np.abs(1 - 2 * s) + ds * ds + rhs * LD(2.0) ** -62
    assert_within(d, rhs, tol, x, "sigma' = sigma (1 - sigma)")


@pytest.mark.parametrize("dtype", FLOATS)
def test_derivative_chain_rule_form(dtype):
    """sigma'(x) = e**-x / (1 + e**-x)**2 (d/dx of (1 + e**-x)**-1), right side in long double."""
    x = grid(dtype, -SPAN[dtype], SPAN[dtype])
    e = np.exp(-x.astype(LD))
    rhs = e / ((1 + e) * (1 + e))
    err = ulp_error(grad(x), rhs, dtype)
    i = int(np.argmax(err))
    assert err[i] <= BOUND[dtype] + refine_margin(dtype), (x[i], grad(x[i:i + 1]), rhs[i])


@pytest.mark.parametrize("dtype", FLOATS)
def test_derivative_quotient_rule_form(dtype):
    """sigma'(x) = e**x / (e**x + 1)**2 (quotient rule on e**x/(e**x + 1)), in long double."""
    x = grid(dtype, -SPAN[dtype], SPAN[dtype], seed=3)
    e = np.exp(x.astype(LD))
    rhs = e / ((e + 1) * (e + 1))
    err = ulp_error(grad(x), rhs, dtype)
    i = int(np.argmax(err))
    assert err[i] <= BOUND[dtype] + refine_margin(dtype), (x[i], grad(x[i:i + 1]), rhs[i])


@pytest.mark.parametrize("dtype", ALL_FLOATS)
def test_derivative_is_even_bitwise(dtype):
    """sigma'(-x) == sigma'(x), bit for bit, over the whole range and the special values."""
    x = grid(dtype, -2 * SPAN[dtype], 2 * SPAN[dtype], seed=4)
    info = np.finfo(dtype)
    x = np.concatenate([x, np.array([0.0, np.inf, info.max, info.smallest_subnormal,
                                     info.smallest_normal, info.eps], dtype=dtype)])
    a, b = grad(x), grad(-x)
    bits = f"u{a.itemsize}" if dtype != np.longdouble else None
    if bits:
        assert np.array_equal(a.view(bits), b.view(bits))
    else:  # long double: every byte, but only the 10 significant ones of the x87 format
        size = 10 if info.nmant == 63 else a.itemsize
        ab, bb = a.view(np.uint8).reshape(-1, a.itemsize)[:, :size], b.view(np.uint8).reshape(-1, b.itemsize)[:, :size]
        assert np.array_equal(ab, bb)


@pytest.mark.parametrize("dtype", ALL_FLOATS)
def test_derivative_peaks_at_one_quarter_at_zero(dtype):
    p = precision(dtype)
    zero = np.array([0.0, -0.0], dtype=dtype)
    assert np.all(grad(zero) == 0.25)
    x = grid(dtype, -SPAN[dtype], SPAN[dtype], seed=5)
    tiny = np.array([np.finfo(dtype).smallest_subnormal, np.finfo(dtype).eps], dtype=dtype)
    x = np.concatenate([x, tiny, -tiny])
    d = grad(x)
    assert d.max() == 0.25
    assert np.all(d <= 0.25)
    # away from 0 by 2**(2 - p/2), 1/4 - x**2/16 is at least 4 ULP below 1/4
    away = np.abs(x.astype(LD)) >= LD(2.0) ** (2 - p / 2)
    assert np.all(d[away] < 0.25), x[away][d[away] >= 0.25][:5]
    # and near the peak it is 1/4 - x**2/16 + x**4/96 - 17 x**6/2880 + O(x**8)
    near = np.array([2.0 ** -(p // 4), 2.0 ** -(p // 3), 2.0 ** -(p // 2)], dtype=dtype)
    x2 = near.astype(LD) ** 2
    expected = 0.25 - x2 / 16 + x2 * x2 / 96 - 17 * x2 ** 3 / 2880
    err = ulp_error(grad(near), expected, dtype)
    assert np.all(err <= BOUND[dtype] + 0.01), (near, err)


def sorted_dense_grid(dtype, seed=6):
    """Sorted inputs: a random sample of the whole range plus runs of 4001 consecutive
    floats around each threshold, 0, +-0.5, +-1 and random centres."""
    rng = np.random.default_rng(seed)
    if dtype == np.float16:
        x = float16_all()
        return np.sort(x[~np.isnan(x)])
    x = grid(dtype, -1.2 * SPAN[dtype], 1.2 * SPAN[dtype], seed=seed)
    t = np.array(list(THRESHOLDS[dtype].values()))
    centres = np.concatenate([t, -t, [0.0, 0.5, -0.5, 1.0, -1.0],
                              rng.uniform(-SPAN[dtype], SPAN[dtype], 20)]).astype(dtype)
    k = np.arange(-2000, 2001).astype(dtype)
    if dtype == np.longdouble:  # c + k*spacing(c): consecutive on c's side of a power of 2
        runs = centres[:, None] + k[None, :] * np.spacing(np.abs(centres))[:, None]
    else:
        runs = _neighbours(centres, dtype, 2000)
    runs = runs.reshape(-1)
    runs = runs[~np.isnan(runs)]
    return np.sort(np.concatenate([x, runs, np.array([-np.inf, np.inf], dtype=dtype)]))


@pytest.mark.parametrize("dtype", ALL_FLOATS)
def test_sigmoid_is_monotone(dtype):
    """sigma is non-decreasing over a dense sorted grid (consecutive floats included)."""
    x = sorted_dense_grid(dtype)
    s = sigmoid(x)
    drops = np.flatnonzero(np.diff(s) < 0)
    assert drops.size == 0, [(x[i], x[i + 1], s[i], s[i + 1]) for i in drops[:5]]


@pytest.mark.parametrize("dtype", ALL_FLOATS)
def test_derivative_is_unimodal(dtype):
    """sigma' is non-decreasing for x <= 0 and (by evenness) non-increasing for x >= 0."""
    x = sorted_dense_grid(dtype)
    x = x[x <= 0]
    d = grad(x)
    drops = np.flatnonzero(np.diff(d) < 0)
    assert drops.size == 0, [(x[i], x[i + 1], d[i], d[i + 1]) for i in drops[:5]]
