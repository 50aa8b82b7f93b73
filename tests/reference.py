"""Independent references for the logistic sigmoid and its derivative, and the ULP metric.

Nothing here uses sigmoidx.  Two references:

* ``reference_np(name, x)``: NumPy arithmetic in a wider working type (long double by
  default) for float16/float32/float64 inputs.  It uses the cancellation-free form

      e = exp(-|x|),   sigma(x) = (x < 0 ? e : 1) / (1 + e),   sigma'(x) = e / (1 + e)**2

  On x86-64 long double has a 64-bit significand (x87), so the reference is within a
  few units of 2**-64 (relative) of the true value: ~2**-9 ULP of float64, ~2**-38 ULP
  of float32; on aarch64 (IEEE binary128, 113 bits) within a few units of 2**-113.  Tests that must decide "<= 1 ULP" exactly re-check the few inputs whose
  error comes close to the bound with the mpmath reference (see ``max_ulp_error``).
* ``reference_mp(name, x)``: mpmath at ``MP_DPS`` decimal digits (an object array of
  mpf), for long double inputs and for spot checks.  ``MP_DPS`` follows the platform's
  long double (``np.finfo``): at least 30 bits beyond its significand.

``ulp_error(actual, reference, dtype)`` measures |actual - reference| in units of the
last place of the *reference* in the target dtype (with subnormal spacing below the
smallest normal), accepting either kind of reference.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

FUNCTIONS = ("sigmoid", "sigmoid_grad", "log_sigmoid", "logit")
# Significand bits of the platform's long double: 64 for x87 extended (x86-64), 113 for
# IEEE binary128 (aarch64 Linux), 53 where long double is double (Apple arm64, MSVC).
LONGDOUBLE_BITS = np.finfo(np.longdouble).nmant + 1
# mpmath digits: 30 bits beyond the widest significand measured (reference errors below
# 2**-30 ULP), and never fewer than the 40 digits these tests were written with
MP_DPS = max(40, math.ceil((LONGDOUBLE_BITS + 30) * math.log10(2)))

# Inputs with |x| beyond this give sigma(-|x|) and sigma'(x) far below half the smallest
# long double subnormal (exp(-11400) ~ 2**-16447); mpmath evaluates them at this
# magnitude so that it never builds exp(-1e4000).  The rounded result (0) is unchanged.
_MP_CLAMP = 12_000


def _params(dtype):
    """(precision p in bits, minimum normal exponent) of a float dtype."""
    info = np.finfo(dtype)
    return info.nmant + 1, info.minexp


# --------------------------------------------------------------------------------------
# NumPy long double reference


def reference_np(name, x, work=np.longdouble):
    """sigma or sigma' of ``x`` evaluated in ``work`` precision, returned as ``work``.

    ``work`` must carry at least 10 more bits than the input type: long double (64 bits)
    for float64 inputs (reference error below 2**-7 ULP of float64); float64 is accepted
    for float16/float32 inputs (error below 2**-25 ULP of float32), which is what the
    exhaustive benchmark uses for speed.
    """
    x = np.asarray(x)
    work = np.dtype(work)
    p_in, _ = _params(x.dtype)
    p_work, _ = _params(work)
    if p_work < p_in + 10:
        raise ValueError(f"{work} is too narrow to be a reference for {x.dtype}")
    with np.errstate(all="ignore"):  # signalling NaNs and underflow are expected here
        xw = x.astype(work)
        e = np.exp(-np.abs(xw))
        one_plus_e = 1 + e
        if name == "sigmoid":
            return np.where(xw < 0, e, work.type(1)) / one_plus_e
        if name == "sigmoid_grad":
            return e / (one_plus_e * one_plus_e)
        if name == "log_sigmoid":  # log sigma(x) = min(x, 0) - log1p(e)
            return np.minimum(xw, work.type(0)) - np.log1p(e)
        if name == "logit":  # 2p - 1 and 1 - p are exact for p >= 1/4: no cancellation
            one = work.type(1)
            near_half = np.log1p((2 * xw - one) / (one - xw))
            return np.where(xw < 0.25, np.log(xw / (one - xw)), near_half)
    raise ValueError(name)


# --------------------------------------------------------------------------------------
# mpmath reference


def to_mpf(v):
    """The exact value of one float (any NumPy float dtype, long double included) as mpf.

    Must be called with enough working precision (``mp_context()``) for long double
    significands (``LONGDOUBLE_BITS``) to be kept exactly.
    """
    with np.errstate(invalid="ignore"):  # a signalling NaN among the inputs
        v = np.longdouble(v)
    if np.isnan(v):
        return mpmath.mpf("nan")
    if np.isinf(v):
        return mpmath.mpf("inf") if v > 0 else mpmath.mpf("-inf")
    if v == 0:
        return mpmath.mpf(0)
    m, e = np.frexp(v)  # v = m * 2**e, 0.5 <= |m| < 1
    # an integer of at most LONGDOUBLE_BITS bits: exact in long double and int()
    n = int(np.ldexp(m, LONGDOUBLE_BITS))
    return mpmath.ldexp(mpmath.mpf(n), int(e) - LONGDOUBLE_BITS)


def mp_context():
    """mpmath working precision for the references (a context manager)."""
    return mpmath.workdps(MP_DPS)


def mp_sigmoid(x):
    """sigma(x) for an mpf x (call inside ``mp_context()``)."""
    if mpmath.isnan(x):
        return mpmath.mpf("nan")
    x = max(min(x, _MP_CLAMP), -_MP_CLAMP)
    e = mpmath.exp(-abs(x))
    return (e if x < 0 else mpmath.mpf(1)) / (1 + e)


def mp_sigmoid_grad(x):
    """sigma'(x) for an mpf x (call inside ``mp_context()``)."""
    if mpmath.isnan(x):
        return mpmath.mpf("nan")
    x = max(min(x, _MP_CLAMP), -_MP_CLAMP)
    e = mpmath.exp(-abs(x))
    return e / (1 + e) ** 2


def mp_log_sigmoid(x):
    """log sigma(x) = -log(1 + exp(-x)) for an mpf x (call inside ``mp_context()``)."""
    if mpmath.isnan(x):
        return mpmath.mpf("nan")
    if mpmath.isinf(x):
        return x if x < 0 else mpmath.mpf(0)
    e = mpmath.exp(-min(abs(x), _MP_CLAMP))  # the clamp only drops values far below any ULP
    return min(x, 0) - mpmath.log1p(e)


def mp_logit(p):
    """log(p / (1 - p)) for an mpf p (call inside ``mp_context()``); NaN outside [0, 1]."""
    if mpmath.isnan(p) or p < 0 or p > 1:
        return mpmath.mpf("nan")
    if p == 0:
        return mpmath.mpf("-inf")
    if p == 1:
        return mpmath.mpf("inf")
    if p < 0.25:  # the quotient is below 1/3: its log has no cancellation
        return mpmath.log(p / (1 - p))
    # near p = 1/2, log(p/(1 - p)) would cancel: the quotient rounded to MP_DPS digits
    # is off by its last digit relative to 1, while logit(p) may be as small as 2**-112;
    # 2p - 1 and 1 - p are exact here (p >= 1/4 has at most LONGDOUBLE_BITS bits)
    return mpmath.log1p((2 * p - 1) / (1 - p))


_MP_FUNCTIONS = {"sigmoid": mp_sigmoid, "sigmoid_grad": mp_sigmoid_grad,
                 "log_sigmoid": mp_log_sigmoid, "logit": mp_logit}


def reference_mp(name, x):
    """sigma or sigma' of every element of ``x`` (any float dtype) as an object array of mpf."""
    x = np.asarray(x)
    f = _MP_FUNCTIONS[name]
    out = np.empty(x.shape, dtype=object)
    with mp_context():
        flat = out.reshape(-1)
        for i, v in enumerate(x.reshape(-1)):
            flat[i] = f(to_mpf(v))
    return out


# --------------------------------------------------------------------------------------
# ULP metric


def ulp_np(reference, dtype):
    """ULP of each (finite) reference value in ``dtype``, as an array of the reference's dtype.

    ULP(r) = 2**(max(floor(log2|r|), emin) - p + 1): the spacing of ``dtype`` at |r|,
    with the subnormal spacing 2**(emin - p + 1) below the smallest normal and at 0.
    """
    p, emin = _params(dtype)
    r = np.asarray(reference)
    if r.dtype == np.float64 and emin - (p - 1) >= -1022:
        # fast path (a float16/32 target measured in float64): read the exponent bits;
        # zeros and subnormals of float64 fall below emin and get the subnormal spacing
        biased = (np.abs(r).view(np.uint64) >> np.uint64(52)).astype(np.int64)
        exponent = np.clip(biased - 1023, emin, 1023)
        return ((exponent - (p - 1) + 1023).astype(np.uint64) << np.uint64(52)).view(np.float64)
    with np.errstate(all="ignore"):
        _, e = np.frexp(np.abs(r))  # |r| = m * 2**e with 0.5 <= m < 1
        exponent = np.where((r == 0) | ~np.isfinite(r), emin, np.maximum(e.astype(np.int64) - 1, emin))
        return np.ldexp(np.ones_like(r), (exponent - (p - 1)).astype(np.int32))


def ulp_mp(reference, dtype):
    """ULP of one finite mpf reference value in ``dtype`` (see ``ulp_np``)."""
    p, emin = _params(dtype)
    if reference == 0:
        exponent = emin
    else:
        # |r| = man * 2**exp exactly, so floor(log2 |r|) = exp + bitlength(man) - 1
        exponent = max(int(reference.exp) + int(reference.man).bit_length() - 1, emin)
    return mpmath.ldexp(mpmath.mpf(1), exponent - (p - 1))


def _special_error(a_nan, r_nan, a_inf, r_inf, same):
    """Error of non-finite pairs: equal infinities or both NaN: 0; any other mismatch: inf."""
    both_nan = a_nan & r_nan
    both_same_inf = a_inf & r_inf & same
    return np.where(both_nan | both_same_inf, 0.0, np.inf)


def ulp_error(actual, reference, dtype=None):
    """|actual - reference| in ULPs of the reference in ``dtype`` (default: actual's dtype).

    ``reference`` is either a NumPy float array (e.g. from ``reference_np``) or an object
    array of mpf (from ``reference_mp``).  NaN vs NaN and equal infinities count 0, any
    mismatch between NaN/inf and anything else counts inf.  Zeros compare equal whatever
    their sign (signs of zeros are tested separately).  Returns a float64 array.
    """
    actual = np.asarray(actual)
    dtype = np.dtype(actual.dtype if dtype is None else dtype)
    reference = np.asarray(reference)
    if reference.dtype == object:
        return _ulp_error_mp(actual, reference, dtype)
    # work in the wider of the two (float64 is exact enough for a float16/32 result
    # against a float64 reference, and much faster than long double)
    work = np.result_type(actual.dtype, reference.dtype, dtype)
    if work.kind != "f":
        raise TypeError(f"cannot measure ULPs of {actual.dtype} against {reference.dtype}")
    with np.errstate(all="ignore"):  # signalling NaNs may be among the inputs
        a = actual.astype(work)
        r = reference.astype(work)
        a_fin, r_fin = np.isfinite(a), np.isfinite(r)
        finite_err = np.abs(a - r) / ulp_np(r, dtype)
        special = _special_error(np.isnan(a), np.isnan(r), np.isinf(a), np.isinf(r), a == r)
    return np.where(a_fin & r_fin, finite_err, special).astype(np.float64)


def _ulp_error_mp(actual, reference, dtype):
    out = np.empty(actual.shape, dtype=np.float64)
    flat = out.reshape(-1)
    with mp_context():
        for i, (a, r) in enumerate(zip(actual.reshape(-1), reference.reshape(-1))):
            a_nan, a_inf = bool(np.isnan(a)), bool(np.isinf(a))
            r_nan, r_inf = bool(mpmath.isnan(r)), bool(mpmath.isinf(r))
            if a_nan or a_inf or r_nan or r_inf:
                same = a_inf and r_inf and (a > 0) == (r > 0)
                flat[i] = 0.0 if (a_nan and r_nan) or same else np.inf
                continue
            flat[i] = float(abs(to_mpf(a) - r) / ulp_mp(r, dtype))
    return out


# --------------------------------------------------------------------------------------
# max ULP with refinement


class MaxError:
    """Largest ULP error found over a set of inputs, and where."""

    def __init__(self, value, x, actual):
        self.value = float(value)
        self.x = x
        self.actual = actual

    def __repr__(self):
        return f"{self.value:.4f} ULP at x={self.x!r} (got {self.actual!r})"


def refine_margin(dtype, work=np.longdouble):
    """Twice the error bound of ``reference_np`` in ``work`` precision, in ULPs of ``dtype``.

    The working-precision reference is within ~4 units of its last place (relative
    2**(3 - p_work)); one ULP of the target is at least 2**-p_target relative.
    """
    p_target, _ = _params(dtype)
    p_work, _ = _params(work)
    return 2.0 ** (4 - p_work + p_target)


def max_ulp_error(name, x, actual, work=np.longdouble, bound=1.0, refine_top=32, refine_cap=20_000):
    """Max ULP error of ``actual`` = f(x) over ``x`` (float16/32/64), exact to mpmath level.

    Every error is first measured against ``reference_np`` in ``work`` precision.  The
    inputs whose measured error is within ``refine_margin`` of ``bound`` or above (so
    that "error <= bound" is decided exactly), and the ``refine_top`` largest errors
    (so that the reported maximum is exact), are measured again against mpmath.
    Returns ``(MaxError, errors)`` with the (partly refined) per-input errors.
    """
    x = np.asarray(x).reshape(-1)
    actual = np.asarray(actual).reshape(-1)
    dtype = actual.dtype
    errors = ulp_error(actual, reference_np(name, x, work), dtype)
    if errors.size == 0:
        return MaxError(0.0, None, None), errors
    near_bound = np.flatnonzero(np.isfinite(errors) & (errors >= bound - refine_margin(dtype, work)))
    if near_bound.size > refine_cap:  # far too many to be a borderline case: keep the worst
        near_bound = near_bound[np.argsort(errors[near_bound])[-refine_cap:]]
    finite = np.flatnonzero(np.isfinite(errors))
    k = min(refine_top, finite.size)
    top = finite[np.argpartition(errors[finite], -k)[-k:]] if k else finite
    candidates = np.union1d(near_bound, top)
    if candidates.size:
        errors = errors.copy()
        errors[candidates] = ulp_error(actual[candidates], reference_mp(name, x[candidates]), dtype)
    i = int(np.argmax(errors))
    return MaxError(errors[i], x[i], actual[i]), errors
