"""Complex inputs for sigmoid and sigmoid_grad (complex64, complex128).

Against mpmath at 40 digits: relative error |f - ref| / |ref| within a few eps, away from
the poles z = i pi (2k + 1) (within 1e-6 of one, relative accuracy of any float formula
is bounded by the conditioning); no spurious overflow for large |Re z|; the complex-step
derivative Im sigma(x + ih) / h = sigma'(x) with h = 1e-20; real inputs on the real axis
equal the real loops; layouts; no warnings.
"""

import warnings

import mpmath
import numpy as np
import pytest

import sigmoidx
from family import COMPLEX_DTYPES, assert_same_bits, name
from inputs import unaligned

FUNCS = (sigmoidx.sigmoid, sigmoidx.sigmoid_grad)
ids = lambda f: f.__name__  # noqa: E731
REAL = {np.complex64: np.float32, np.complex128: np.float64}
TOLERANCE = 16  # eps: libm exp, expm1, sin, cos and ~10 roundings


def mp_reference(name, z):
    """sigma(z) = 1/(1 + e^-z) or e^z/(1 + e^z); sigma'(z) = e/(1 + e)^2 with e = e^-z for
    Re z >= 0 and e = e^z otherwise (never 1 - sigma: that cancels for large Re z)."""
    out = np.empty(z.shape, dtype=object)
    with mpmath.workdps(40):
        for i, v in enumerate(z.reshape(-1)):
            w = mpmath.mpc(float(v.real), float(v.imag))
            e = mpmath.exp(-w if w.real >= 0 else w)
            if name == "sigmoid":
                out.reshape(-1)[i] = 1 / (1 + e) if w.real >= 0 else e / (1 + e)
            else:
                out.reshape(-1)[i] = e / (1 + e) ** 2
    return out


def relative_errors(actual, ref, dtype):
    """|actual - ref| / max(|ref|, smallest normal), in eps of the component type: relative
    error down to the underflow threshold, absolute (in units of it) below."""
    eps = float(np.finfo(REAL[dtype]).eps)
    floor = float(np.finfo(REAL[dtype]).smallest_normal)
    errs = []
    with mpmath.workdps(40):
        for a, r in zip(actual.reshape(-1), ref.reshape(-1)):
            a = mpmath.mpc(float(a.real), float(a.imag))
            errs.append(float(abs(a - r) / max(abs(r), floor) / eps))
    return np.array(errs)


def points(dtype, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    k = n // 4
    z = np.concatenate([
        rng.uniform(-5, 5, k) + 1j * rng.uniform(-10, 10, k),
        rng.uniform(-40, 40, k) + 1j * rng.uniform(-3, 3, k),
        rng.standard_normal(k) + 1j * rng.standard_normal(k),
        rng.choice([-1, 1], k) * 10.0 ** rng.uniform(-5, 2.8, k) + 1j * rng.uniform(-100, 100, k),
        # within 1e-3 of the poles (2k + 1) i pi, where 1 + e^-z nearly cancels
        rng.uniform(-1e-3, 1e-3, k) + 1j * ((2 * rng.integers(-10, 10, k) + 1) * np.pi
                                            + rng.uniform(-1e-3, 1e-3, k)),
    ]).astype(dtype)
    # away from the poles i pi (2k + 1)
    near_pole = (np.abs(z.real) < 1e-6) & (np.abs(np.mod(z.imag.astype(float) - np.pi, 2 * np.pi)) < 1e-6)
    return z[~near_pole]


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=name)
@pytest.mark.parametrize("f", FUNCS, ids=ids)
def test_relative_error_against_mpmath(f, dtype):
    z = points(dtype)
    with np.errstate(under="ignore"):
        actual = f(z)
    assert actual.dtype == dtype
    errs = relative_errors(actual, mp_reference(f.__name__, z), dtype)
    i = int(np.argmax(errs))
    assert errs[i] <= TOLERANCE, (f.__name__, z[i], actual[i], errs[i])


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=name)
def test_no_spurious_overflow_for_large_real_part(dtype):
    z = np.array([800 + 1j, -800 + 1j, 1e30 - 2j, -1e30 + 0.5j, 88.8 + 3j, -88.8 + 3j,
                  710 + 0.1j, -710 - 0.1j], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            s, g = sigmoidx.sigmoid(z), sigmoidx.sigmoid_grad(z)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(g))
    big = np.abs(z.real) > 500
    tiny = np.finfo(REAL[dtype]).smallest_normal
    assert np.all(s.real[big & (z.real > 0)] == 1) and np.all(np.abs(s[big & (z.real < 0)]) < tiny)
    assert np.all(np.abs(s.imag[big]) < tiny) and np.all(np.abs(g[big]) < tiny)


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=name)
@pytest.mark.parametrize("f", FUNCS, ids=ids)
def test_real_axis_matches_the_real_loops(f, dtype):
    x = np.random.default_rng(1).uniform(-30, 30, 5000).astype(REAL[dtype])
    z = f(x.astype(dtype))
    assert np.all(z.imag == 0)
    # the real loops are <= 1 ULP; the complex ones a few eps relative
    real = f(x).astype(np.float64)
    assert np.all(np.abs(z.real - real) <= 4 * np.finfo(REAL[dtype]).eps * np.abs(real))


def test_complex_step_derivative():
    """Im sigma(x + ih) / h = sigma'(x) with h = 1e-20: no subtraction, so the derivative
    comes out to full precision (the check the complex loops make possible)."""
    h = 1e-20
    x = np.concatenate([np.linspace(-30, 30, 6001), [0.0, 1e-300, -700.0, 700.0]])
    step = sigmoidx.sigmoid(x + 1j * h).imag / h
    exact = sigmoidx.sigmoid_grad(x)
    assert np.all(np.abs(step - exact) <= 4 * np.finfo(np.float64).eps * exact + 1e-300)
    # complex64: h = 1e-20 is representable too
    x32 = np.linspace(-15, 15, 3001).astype(np.float32)
    step32 = sigmoidx.sigmoid((x32 + 1j * np.float32(h)).astype(np.complex64)).imag / np.float32(h)
    exact32 = sigmoidx.sigmoid_grad(x32)
    assert np.all(np.abs(step32 - exact32) <= 4 * np.finfo(np.float32).eps * exact32)


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=name)
@pytest.mark.parametrize("f", FUNCS, ids=ids)
def test_special_values_and_hygiene(f, dtype):
    z = np.array([0, np.inf, -np.inf, np.inf + 1j, -np.inf - 1j, 1j * np.pi / 2], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            y = f(z)
    if f is sigmoidx.sigmoid:
        assert y[0] == 0.5 and y[1] == 1 and y[2] == 0 and y[3] == 1 and y[4] == 0
    else:
        assert y[0] == 0.25 and np.all(y[1:5] == 0)
    with np.errstate(invalid="ignore"):
        n = f(np.array([complex(np.nan, 0), complex(0, np.nan), complex(1, np.inf)], dtype=dtype))
    assert np.all(np.isnan(n))


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=name)
@pytest.mark.parametrize("f", FUNCS, ids=ids)
def test_layouts(f, dtype):
    z = points(dtype, n=1000, seed=5)
    ref = f(z)
    for step in (-1, 2, -3):
        assert_same_bits(f(z[::step]), ref[::step])
    zu = unaligned(z.size, dtype)
    zu[...] = z
    assert_same_bits(f(zu), ref)
    out = np.zeros(2 * z.size, dtype)[::-2]
    f(z, out=out)
    assert_same_bits(out, ref)
    swapped = z.astype(np.dtype(dtype).newbyteorder("S"))
    assert_same_bits(f(swapped), ref)
    for n in range(1, 40):
        assert_same_bits(f(z[3:3 + n]), ref[3:3 + n])


def test_dtype_resolution():
    assert sigmoidx.sigmoid(np.complex64(1j)).dtype == np.complex64
    assert sigmoidx.sigmoid(1j).dtype == np.complex128
    assert sigmoidx.sigmoid(np.float64(1)).dtype == np.float64
    assert sigmoidx.sigmoid_grad(np.array([1j], dtype=np.complex64)).dtype == np.complex64
