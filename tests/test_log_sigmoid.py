"""log_sigmoid(x) = log sigma(x): special values, stability, and its identities.

Accuracy (<= 1 ULP float16/32/64, <= 3 ULP long double) is in test_accuracy.py, layouts
in test_layouts.py, FP hygiene in test_special_values.py, with the other ufuncs.
Identities, with tolerances from that contract, right-hand sides in long double:
    log_sigmoid(x) - log_sigmoid(-x) = x
    d/dx log_sigmoid(x) = sigma(-x)           (central differences in long double)
    log_sigmoid(x) = log(sigmoid(x))          (where sigmoid(x) is not tiny)
"""

import numpy as np
import pytest

import sigmoidx
from family import FLOAT_DTYPES, name
from inputs import scaled
from reference import max_ulp_error, reference_mp, ulp_error

f = sigmoidx.log_sigmoid
LD = np.longdouble
BOUND = {np.float16: 1.0, np.float32: 1.0, np.float64: 1.0, np.longdouble: 3.0}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_special_values(dtype):
    with np.errstate(all="raise"):
        y = f(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan], dtype=dtype))
    assert y.dtype == dtype
    assert y[0] == y[1] == dtype(-np.log(LD(2)))
    assert y[2] == 0
    assert y[3] == -np.inf
    assert np.isnan(y[4]) and np.isnan(y[5])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_stable_in_both_tails(dtype):
    """log_sigmoid(-1000) is exactly -1000 (np.log(sigmoid(-1000)) is -inf); for large x it
    is -exp(-x), not 0; nothing overflows or warns."""
    big = {np.float16: 60000.0, np.float32: 1e30, np.float64: 1e300, np.longdouble: 1e4000}[dtype]
    x = np.array([-1000.0, -100.0, -big, 30.0 if dtype != np.float16 else 8.0], dtype=dtype)
    if dtype == np.longdouble:
        x[2] = -LD(10) ** 4000
    with np.errstate(all="raise"):
        y = f(x)
    if dtype != np.float16:
        assert y[0] == -1000 and y[1] == -100
    assert y[2] == x[2]
    assert y[3] < 0
    assert ulp_error(y[3:], reference_mp("log_sigmoid", x[3:]), dtype)[0] <= BOUND[dtype]
    # subnormal results in float32/float64 (x large): -exp(-x), kept
    if dtype in (np.float32, np.float64):
        xs = np.array([95.0 if dtype == np.float32 else 720.0], dtype=dtype)
        with np.errstate(all="raise"):
            ys = f(xs)
        assert 0 < -ys[0] < np.finfo(dtype).smallest_normal
        assert ulp_error(ys, reference_mp("log_sigmoid", xs), dtype)[0] <= BOUND[dtype]


def tolerance_ulps(values, dtype, ulps):
    """`ulps` ULP of each value in dtype, as long double (subnormal spacing near 0)."""
    info = np.finfo(dtype)
    v = np.abs(np.asarray(values, dtype=LD))
    _, e = np.frexp(v)
    exponent = np.maximum(e.astype(np.int64) - 1, info.minexp)
    return ulps * np.ldexp(np.ones_like(v), (exponent - info.nmant).astype(np.int32))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_odd_part_is_x(dtype):
    """log_sigmoid(x) - log_sigmoid(-x) = x: within the two results' error bounds."""
    rng = np.random.default_rng(3)
    span = {np.float16: 12.0, np.float32: 110.0, np.float64: 750.0, np.longdouble: 11400.0}[dtype]
    x = np.concatenate([rng.uniform(-span, span, scaled(100_000)), rng.standard_normal(scaled(50_000)),
                        10.0 ** rng.uniform(-30, 0, scaled(10_000))]).astype(dtype)
    a, b = f(x).astype(LD), f(-x).astype(LD)
    tol = tolerance_ulps(a, dtype, BOUND[dtype]) + tolerance_ulps(b, dtype, BOUND[dtype])
    assert np.all(np.abs((a - b) - x.astype(LD)) <= tol)


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
def test_derivative_is_sigmoid_of_minus_x(dtype):
    """Central difference of log_sigmoid (in long double, from the float results) against
    sigmoid(-x); h is chosen so that rounding (<= 1 ULP at each end) stays well below rtol."""
    x = np.linspace(-30, 30, 4001)
    h = {np.float32: 2.0 ** -6, np.float64: 2.0 ** -16}[dtype]
    xs = x.astype(dtype)
    up, down = f((xs + dtype(h))).astype(LD), f((xs - dtype(h))).astype(LD)
    diff = (up - down) / (2 * LD(h))
    expect = sigmoidx.sigmoid(-x.astype(LD))
    # truncation h^2/6 |f'''| <= h^2/6 * 0.1; rounding 2 ULP(|f|) / (2h)
    rounding = tolerance_ulps(np.maximum(np.abs(up), np.abs(down)), dtype, 2.0) / (2 * LD(h))
    assert np.all(np.abs(diff - expect) <= LD(h) ** 2 / 50 + rounding)


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
def test_equals_log_of_sigmoid_where_that_is_accurate(dtype):
    """For |x| <= 5 log(sigmoid(x)) (in long double) carries the 1-ULP error of sigmoid
    amplified by at most 1/|log sigmoid(5)|."""
    x = np.linspace(-5, 5, 20001).astype(dtype)
    got = f(x).astype(LD)
    s = sigmoidx.sigmoid(x).astype(LD)
    amplify = 1 / np.abs(np.log(s))
    tol = tolerance_ulps(got, dtype, 1.0) + tolerance_ulps(s, dtype, 1.0) / s * 1.01
    assert np.all(np.abs(got - np.log(s)) <= tol), float(np.max(amplify))


@pytest.mark.parametrize("x, dtype", [(np.arange(3), np.float64), (np.int8(-3), np.float16),
                                      (np.int16(3), np.float32), (True, np.float16)])
def test_dtype_rules_are_those_of_np_exp(x, dtype):
    assert np.asarray(f(x)).dtype == np.exp(x).dtype == dtype


REGIME_EDGES = {  # |x| where the vector kernels change regime (csrc/kernels_f*x*.h)
    np.float32: (np.log1p(np.sqrt(2.0)), 64.0, 100 * np.log(2.0), 2.0**30),
    np.float64: (np.log1p(np.sqrt(2.0)), 512.0, 1000 * np.log(2.0), 2.0**60),
}


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
def test_kernel_regime_edges(dtype):
    """Where the vector kernels change regime, every float within 2**12 patterns, both
    signs, stays within 1 ULP: e = sqrt(2) - 1 (|x| = 0.8814, 1 + e = 2 (1 + f) from
    there), the end of the moderate blocks (64, 512), where e starts being scaled
    (100 ln 2, 1000 ln 2), and the clamp of x (below it the result is x).  All 2**32
    float32 inputs: benchmarks/accuracy.py."""
    centres = np.array(REGIME_EDGES[dtype])
    uint = np.dtype(f"u{np.dtype(dtype).itemsize}")
    bits = np.concatenate([centres, -centres]).astype(dtype).view(uint).astype(np.int64)
    near = (bits[:, None] + np.arange(-2**12, 2**12 + 1)).reshape(-1)
    x = near.astype(uint).view(dtype)
    worst, _ = max_ulp_error("log_sigmoid", x, f(x))
    assert worst.value <= 1.0, worst
