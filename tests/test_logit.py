"""logit(p) = log(p / (1 - p)), the inverse of sigmoid.

Accuracy on probability-shaped inputs (the sweeps of test_accuracy.py cover every dtype on
bit patterns too): p uniform in (0, 1), within 2**-20 of 1/2, tiny, close to 1, and
sigmoid outputs; <= 1 ULP for float16/32/64, <= 3 for long double, against NumPy long
double (log1p of (2p - 1)/(1 - p), both exact, where p >= 1/4) with the worst and
borderline cases re-measured with mpmath.  Special values, no warnings for any input,
and the round trips logit(sigmoid(x)) = x, sigmoid(logit(p)) = p.
"""

import warnings

import numpy as np
import pytest

import sigmoidx
from family import FLOAT_DTYPES, name
from inputs import full_significand, scaled
from reference import max_ulp_error, reference_mp, ulp_error

f = sigmoidx.logit
LD = np.longdouble


def probabilities(dtype, n=400_000, seed=0):
    rng = np.random.default_rng(seed)
    n = scaled(n, minimum=3000)
    k = n // 6
    info = np.finfo(dtype)
    lo = max(float(np.log10(info.smallest_subnormal)) + 0.5, -320)
    p = np.concatenate([
        rng.uniform(0, 1, k),
        0.5 + rng.uniform(-2.0 ** -20, 2.0 ** -20, k),
        10.0 ** rng.uniform(lo, 0, k),
        1 - 10.0 ** rng.uniform(-16, 0, k),
        sigmoidx.sigmoid(rng.uniform(-40, 40, n - 4 * k)),
    ]).astype(dtype)
    half = np.array([0.5], dtype=dtype)
    steps = np.arange(1, 2001)
    near_half = np.concatenate([np.nextafter(half, 1)[0] + (steps - 1) * np.spacing(half[0]),
                                0.5 - steps * np.spacing(half[0]) / 2]).astype(dtype)
    return np.concatenate([p[(p > 0) & (p < 1)], near_half])


@pytest.mark.parametrize("dtype", (np.float16, np.float32, np.float64))
def test_accuracy(dtype):
    p = probabilities(dtype)
    if dtype == np.float16:  # all float16 values in (0, 1)
        allp = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)
        p = allp[(allp > 0) & (allp < 1)]
    worst, _ = max_ulp_error("logit", p, f(p), refine_top=64)
    assert worst.value <= 1.0, worst


def test_accuracy_longdouble_against_mpmath():
    rng = np.random.default_rng(4)
    p = probabilities(np.float64, n=3000, seed=4)[::2].astype(LD)
    p = full_significand(p, rng)
    p = p[(p > 0) & (p < 1)]
    errors = ulp_error(f(p), reference_mp("logit", p), LD)
    i = int(np.argmax(errors))
    assert errors[i] <= 3.0, (errors[i], p[i])  # libm logl / log1pl: ~1 ULP each


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_special_values_and_no_warnings(dtype):
    info = np.finfo(dtype)
    p = np.array([0.0, -0.0, 1.0, 0.5, -0.5, 1.5, 2.0, -info.smallest_subnormal,
                  info.max, -info.max, np.inf, -np.inf, np.nan, -np.nan,
                  info.smallest_subnormal, np.nextafter(dtype(1), dtype(0))], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            x = f(p)
    assert x.dtype == dtype
    assert x[0] == -np.inf and x[1] == -np.inf and x[2] == np.inf and x[3] == 0
    assert np.all(np.isnan(x[4:14]))
    assert np.isfinite(x[14]) and x[14] < 0 and np.isfinite(x[15]) and x[15] > 0


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
def test_near_one_half_and_tiny_p(dtype):
    """logit(1/2 + d) = 4d + (16/3)d^3 + ...: every digit kept; logit(tiny) = log(tiny)."""
    eps = np.finfo(dtype).eps
    d = np.array([eps, 4 * eps, 2.0 ** -20], dtype=dtype)
    p = dtype(0.5) + d
    expect = 4 * d.astype(LD) + LD(16) / 3 * d.astype(LD) ** 3
    assert np.all(ulp_error(f(p), expect, dtype) <= 1.0)
    tiny = np.array([np.finfo(dtype).smallest_subnormal, np.finfo(dtype).smallest_normal], dtype)
    assert np.all(ulp_error(f(tiny), np.log(tiny.astype(LD)), dtype) <= 1.0)


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
def test_reduction_edges(dtype):
    """p/(1 - p) = 2**k m: the vector kernels pick k from the bit patterns of p and 1 - p,
    which leaves log2 m up to 0.586 from 0.  Ratios 2**(j + h) for h around +-0.5 and
    +-0.586 (where the choice of k flips and |z| is largest), j from -100 to 60, each with
    its neighbouring floats, stay within 1 ULP."""
    h = np.array([-0.5862, -0.586, -0.58, -0.5, -0.42, 0.42, 0.5, 0.58, 0.586, 0.5862])
    y = 2.0 ** (np.arange(-100, 61)[:, None] + h).reshape(-1)
    centre = (y / (1 + y)).astype(dtype)
    p = np.concatenate([centre + k * np.spacing(centre) for k in range(-8, 9)]).astype(dtype)
    p = p[(p > 0) & (p < 1)]
    worst, _ = max_ulp_error("logit", p, f(p), refine_top=64)
    assert worst.value <= 1.0, worst


def ulps_of(values, dtype):
    info = np.finfo(dtype)
    v = np.abs(np.asarray(values, dtype=LD))
    _, e = np.frexp(v)
    exponent = np.maximum(e.astype(np.int64) - 1, info.minexp)
    return np.ldexp(np.ones_like(v), (exponent - info.nmant).astype(np.int32))


@pytest.mark.parametrize("dtype", (np.float32, np.float64, np.longdouble))
def test_logit_of_sigmoid_round_trips(dtype):
    """logit(sigmoid(x)) = x up to the error of sigmoid (<= 2 ULP of p) times the slope
    1/(p(1-p)) of logit, plus the error of logit itself."""
    span = {np.float32: 15.0, np.float64: 35.0, np.longdouble: 40.0}[dtype]
    x = np.random.default_rng(2).uniform(-span, span, scaled(100_000)).astype(dtype)
    p = sigmoidx.sigmoid(x)
    back = f(p).astype(LD)
    pl = p.astype(LD)
    tol = 2 * ulps_of(p, dtype) / (pl * (1 - pl)) + 2 * ulps_of(back, dtype)
    assert np.all(np.abs(back - x.astype(LD)) <= tol)
    # where sigmoid is exact (x = 0) and its neighbourhood
    assert f(sigmoidx.sigmoid(dtype(0))) == 0


@pytest.mark.parametrize("dtype", (np.float32, np.float64))
def test_sigmoid_of_logit_round_trips(dtype):
    p = np.random.default_rng(3).uniform(0.01, 0.99, scaled(100_000)).astype(dtype)
    back = sigmoidx.sigmoid(f(p)).astype(LD)
    # logit error (1 ULP of x) moves sigma by <= p(1-p) ULP(x); sigma adds 1 ULP
    x = f(p).astype(LD)
    pl = p.astype(LD)
    tol = pl * (1 - pl) * ulps_of(x, dtype) + 2 * ulps_of(p, dtype)
    assert np.all(np.abs(back - pl) <= tol)


@pytest.mark.parametrize("x, dtype", [(np.arange(2), np.float64), (np.int8(0), np.float16),
                                      (np.int16(1), np.float32), (True, np.float16)])
def test_dtype_rules_are_those_of_np_exp(x, dtype):
    assert np.asarray(f(x)).dtype == np.exp(x).dtype == dtype
