"""sigmoid_grad against a high-order central finite difference of sigmoid.

The difference quotient uses the library's own long double loop ('g->g') for sigmoid,
so it is an independent check that sigmoid_grad is the derivative of sigmoid.

8th-order central stencil with step h = 2**-7:
  f'(x) ~ sum_k c_k f(x + k h) / h,  c = [1/280, -4/105, 1/5, -4/5, 0, 4/5, -1/5, 4/105, -1/280]
Truncation error h**8 |f^(9)| / 630 (< 3e-17 |f'| for sigma), rounding error
sum|c_k| * 2 ULP(long double) * |f| / h (< 1.3e-16 |f'| where |f| <= 2|f'|, i.e. x <= 0).
For x > 0, sigma(x) is near 1 and its differences lose digits, so the difference is
taken of 1 - sigma(t) = sigma(-t) instead: sigma'(x) = -d/dt sigma(-t) at t = x.
x + k h is exact in long double for |x| < 2**40.
"""

import numpy as np
import pytest

import sigmoidx
from reference import ulp_np

LD = np.longdouble
H = LD(2.0) ** -7
COEFFS = {1: LD(4) / 5, 2: LD(-1) / 5, 3: LD(4) / 105, 4: LD(-1) / 280}


def central_difference(x):
    """8th-order central difference of sigma at float inputs x (result in long double)."""
    x = np.asarray(x, dtype=LD)
    neg = x > 0  # difference sigma(-t), i.e. the stencil mirrored at -x, then negate
    t = np.where(neg, -x, x)
    total = np.zeros_like(t)
    for k, c in COEFFS.items():
        plus = sigmoidx.sigmoid(t + k * H)
        minus = sigmoidx.sigmoid(t - k * H)
        assert plus.dtype == LD
        total += c * (plus - minus)
    return total / H


def inputs(seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([
        rng.uniform(-745.0, 745.0, 20_000),   # everything down to the subnormal results
        rng.uniform(-40.0, 40.0, 20_000),
        rng.standard_normal(20_000) * 3,
        np.linspace(-20, 20, 4001),
        [0.0, 1e-300, -1e-300, 36.74, 37.43, -36.74, -37.43, 708.4, -708.4, 700.0],
    ])


FD_RTOL = 2e-16  # bound of the difference's own relative error (see the module docstring)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradient_matches_finite_difference_of_sigmoid(dtype):
    """|sigma_grad(x) - FD(x)| <= rtol |FD(x)| + 1 subnormal ULP (that term only matters for
    subnormal results), rtol = 1 ULP of sigma_grad (2**(1-p) relative) + FD_RTOL:
    4.2e-16 (1.9 ULP) for float64."""
    rtol = np.finfo(dtype).eps + FD_RTOL
    x = inputs().astype(dtype)
    fd = central_difference(x)
    g = sigmoidx.sigmoid_grad(x)
    assert g.dtype == dtype
    tol = rtol * np.abs(fd) + ulp_np(np.zeros(1, dtype=LD), dtype)[0]
    diff = np.abs(g.astype(LD) - fd)
    bad = ~(diff <= tol)
    i = int(np.argmax(np.where(bad, diff / tol, 0)))
    assert not bad.any(), f"{bad.sum()} bad, e.g. x={x[i]!r}: grad={g[i]!r}, FD={fd[i]!r}"


def test_finite_difference_is_tight_where_it_is_simple():
    """The stencil itself (fed with the long double sigmoid) is within 1e-16 relative of
    the closed form e/(1+e)**2 in long double: guards the test above against a
    mis-specified stencil that would make its tolerance meaningless."""
    x = np.linspace(-30, 30, 601)
    fd = central_difference(x)
    e = np.exp(-np.abs(x.astype(LD)))
    exact = e / ((1 + e) * (1 + e))
    assert np.max(np.abs(fd / exact - 1)) < FD_RTOL / 2


def test_gradient_is_not_sigma_times_one_minus_sigma_in_the_tail():
    """Where the naive y(1 - y) is 0 (x >= 37.43 for float64), sigma_grad still agrees with
    the finite difference of sigma and is positive."""
    x = np.array([37.43, 40.0, 100.0, 700.0])
    g = sigmoidx.sigmoid_grad(x)
    assert np.all(g > 0)
    fd = central_difference(x)
    assert np.all(np.abs(g - fd) <= (np.finfo(np.float64).eps + FD_RTOL) * fd)
