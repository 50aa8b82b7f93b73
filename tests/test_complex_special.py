"""Complex special values (issue 18): the whole table Re z, Im z in {+inf, -inf, NaN, +0,
-0, +1, -1, +max, -max} for sigmoid and sigmoid_grad, complex64 and complex128.

Every cell's expectation is derived here from the math, with its reason, never from
sigmoidx's output:

* x = Re z = +-inf or |x| > 1075 ln 2 (complex64: 150 ln 2; +-max here, and the window
  between the two in test_between_the_two_underflow_bounds): |e^-|x|| is below half the smallest
  subnormal (at +-inf it is the limit 0), so every value sigma and sigma' take on the line
  Re z = x rounds to one result whatever y is: sigma = 1 (x > 0) or 0 (x < 0), sigma' = 0,
  for y = +-inf and NaN too, with no warning (C's cexp(-inf + iy) = +-0 +- i0 for every y
  for the same reason).  The zeros carry the signs of the tiny true values: sigma ~ 1 -
  a e^-iy (x > 0) or a e^iy (x < 0), sigma' ~ a e^-iy or a e^iy, a = e^-|x|, so the signs
  of sin y and cos y; for y = +-inf or NaN (no sin to take) those of y = +-1 by its sign
  bit, which keeps f(conj z) = conj f(z).
* x = NaN: no value (NaN + NaN i), quietly; but on the real axis (y = +-0) the result is
  real, NaN +- i0 (as C's ctanh(NaN +- i0) = NaN +- i0): sigma's imaginary part is y itself,
  sigma''s +0, as for every other real x.  (On the real axis sigma''s imaginary zero is +0
  for every x: a real result, not given the sign of y sigma''(x).)
* x finite with e^-|x| representable (+-0, +-1):
    y = +-inf: e^-iy circles the origin as y grows, no limit: NaN + NaN i, with "invalid"
    (C's cexp(x +- i inf) raises it too);
    y = NaN: the value depends on y: NaN + NaN i, quietly (NaN in, NaN out);
    y finite: the function's value, against mpmath (tests/test_complex.py's reference and
    tolerance), y = +-0 giving a real result (imaginary part y for sigma, 0 for sigma').

NumPy's ``1/(1+np.exp(-z))`` (and ``s*(1-s)`` from it, torch's backward formula) differ in
the cells listed in NUMPY_DIFFERS, each with the reason; torch 2.13 gives NumPy's values
there (checked by hand, torch is not a test dependency).
"""

import math
import warnings

import mpmath
import numpy as np
import pytest

import sigmoidx
from test_complex import REAL, TOLERANCE, mp_reference, relative_errors

CDTYPES = (np.complex64, np.complex128)
LABELS = ("+inf", "-inf", "nan", "+0", "-0", "+1", "-1", "+max", "-max")
FUNCS = {"sigmoid": sigmoidx.sigmoid, "sigmoid_grad": sigmoidx.sigmoid_grad}
# |x| above which e^-|x| is below half the smallest subnormal of the result: 2^-1075 for
# complex128; complex64 is evaluated in double and rounded once, and every part of its
# result but a leading 1 is then below a (1 + 3a) < 2^-150 once a = e^-|x| < 2^-150
UNDERFLOW_X = {np.complex64: 150 * math.log(2), np.complex128: 1075 * math.log(2)}


def value(label, dtype):
    big = float(np.finfo(REAL[dtype]).max)
    return {"+inf": math.inf, "-inf": -math.inf, "nan": math.nan, "+0": 0.0, "-0": -0.0,
            "+1": 1.0, "-1": -1.0, "+max": big, "-max": -big}[label]


def sign(v):
    """+1 or -1 by the sign bit (for zeros too)."""
    return -1 if math.copysign(1.0, v) < 0 else 1


def sin_cos_signs(y):
    """Signs of sin y and cos y (mpmath, exact argument reduction for y = +-max); for a
    zero y, those of the zero's side; for y = +-inf or NaN, those of y = +-1 (sign bit)."""
    if not math.isfinite(y):
        y = math.copysign(1.0, y)
    if y == 0:
        return sign(y), 1
    with mpmath.workdps(40):
        s, c = mpmath.sin(mpmath.mpf(y)), mpmath.cos(mpmath.mpf(y))
    return (1 if s > 0 else -1), (1 if c > 0 else -1)


def expectation(name, x, y, dtype):
    """(kind, detail, warnings, reason) for f(x + iy), from the math (module docstring).
    kind: "exact" (detail = (re, im, re_sign or None, im_sign or None)), "nan" (detail =
    the imaginary part when it is a signed zero, else None) or "mpmath"."""
    if math.isnan(x):
        if y == 0:
            im = y if name == "sigmoid" else 0.0
            return "nan", im, set(), "x unknown; on the real axis the result stays real"
        return "nan", None, set(), "x unknown: no value, and a NaN input raises nothing"
    if abs(x) > UNDERFLOW_X[dtype]:
        s, c = sin_cos_signs(y)
        reason = ("e^-|x| below half the smallest subnormal (the limit at +-inf): one "
                  "result for every y, zeros signed as the true values a sin y, a cos y")
        if name == "sigmoid":
            if x > 0:
                return "exact", (1.0, 0.0, None, s), set(), reason
            return "exact", (0.0, 0.0, c, s), set(), reason
        # y = +-0: +0, the real-axis convention (below) rather than the sign of y sigma''(x)
        im_sign = 1 if y == 0 else (-s if x > 0 else s)
        return "exact", (0.0, 0.0, c, im_sign), set(), reason
    if math.isinf(y):
        return "nan", None, {"invalid"}, "e^-iy has no limit as y -> +-inf (cexp: invalid)"
    if math.isnan(y):
        return "nan", None, set(), "depends on y, which is unknown: NaN, quietly"
    return "mpmath", None, set(), "finite z away from the poles: the function's value"


def call(f, z):
    """f(z) and the set of NumPy floating-point warnings it raised ("invalid", ...)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="warn"):
            result = f(z)
    kinds = set()
    for w in caught:
        message = str(w.message)
        for kind in ("invalid", "overflow", "underflow", "divide"):
            if kind in message:
                kinds.add(kind)
    return result, kinds


def cells():
    return [(xl, yl) for xl in LABELS for yl in LABELS]


def problems_at(name, dtype, x, y):
    """What f(x + iy) gets wrong against expectation(), and the reason (empty if nothing)."""
    z = np.array([complex(x, y)], dtype=dtype)
    result, raised = call(FUNCS[name], z)
    r = complex(result[0])
    kind, detail, warns, reason = expectation(name, x, y, dtype)
    problems = []
    if result.dtype != dtype:
        problems.append(f"dtype {result.dtype}")
    if raised != warns:
        problems.append(f"warnings {raised}, expected {warns}")
    if kind == "nan":
        if not math.isnan(r.real):
            problems.append("real part not NaN")
        if detail is None and not math.isnan(r.imag):
            problems.append("imaginary part not NaN")
        if detail is not None and not (r.imag == 0 and sign(r.imag) == sign(detail)):
            problems.append(f"imaginary part {r.imag!r}, expected {detail!r}")
    elif kind == "exact":
        re, im, re_sign, im_sign = detail
        if not (r.real == re and r.imag == im):
            problems.append(f"value {r!r}, expected {complex(re, im)!r}")
        if re_sign is not None and sign(r.real) != re_sign:
            problems.append(f"real zero's sign {r.real!r}, expected {re_sign:+d}")
        if im_sign is not None and sign(r.imag) != im_sign:
            problems.append(f"imaginary zero's sign {r.imag!r}, expected {im_sign:+d}")
    else:
        err = relative_errors(result, mp_reference(name, z), dtype)[0]
        if not err <= TOLERANCE:
            problems.append(f"{err:.1f} eps from mpmath")
        if y == 0:
            want = y if name == "sigmoid" else 0.0
            if not (r.imag == 0 and sign(r.imag) == sign(want)):
                problems.append(f"imaginary part {r.imag!r} on the real axis, expected {want!r}")
    return (f"{name}({x!r} {y!r}i) = {r!r}: {'; '.join(problems)} [{reason}]"
            if problems else "")


@pytest.mark.parametrize("dtype", CDTYPES)
@pytest.mark.parametrize("name", FUNCS)
def test_every_cell_of_the_table(name, dtype):
    failures = [problems_at(name, dtype, value(xl, dtype), value(yl, dtype))
                for xl, yl in cells()]
    assert not any(failures), "\n".join(f for f in failures if f)


@pytest.mark.parametrize("dtype", CDTYPES)
@pytest.mark.parametrize("name", FUNCS)
def test_between_the_two_underflow_bounds(name, dtype):
    """complex64's results underflow from |Re z| > 150 ln 2 = 103.97 on, complex128's from
    1075 ln 2 = 745.13: in between, Im z = +-inf or NaN has a limit for complex64 (1 or 0,
    quietly) and none for complex128 (NaN); just below 103.97, none for either."""
    xs = [103.9, 104.0, 200.0, 745.0, 745.2]
    failures = [problems_at(name, dtype, sx * x, y)
                for x in xs for sx in (1, -1) for y in (math.inf, -math.inf, math.nan, 1.0)]
    assert not any(failures), "\n".join(f for f in failures if f)


@pytest.mark.parametrize("dtype", CDTYPES)
def test_the_issue_examples(dtype):
    """The cells issue 18 reports: sigma(+inf + iy) = 1 + 0i, sigma' = 0, y = +-inf, NaN."""
    z = np.array([complex(np.inf, np.inf), complex(np.inf, -np.inf), complex(np.inf, np.nan)],
                 dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            s, g = sigmoidx.sigmoid(z), sigmoidx.sigmoid_grad(z)
    assert np.all(s == 1) and np.all(g == 0)


# Where NumPy's expressions give something else, and why (labels: (Re z, Im z)).
# sigma = 1/(1+np.exp(-z)):
#   x = -inf or -max: np.exp(-z) is +-inf +- i inf or NaN (its modulus overflows, e^{-iy} has
#   no sign to give for y = +-inf, NaN), and 1/(1 + that) is NaN where the true value is 0
#   (only y = +-0 gives exp(-z) = inf + 0i and 1/inf = 0);
#   x = +max, y = +-inf or NaN: cexp(-max + i inf) is NaN + NaN i (C99 Annex G: a finite
#   real part with an infinite imaginary part has no value, however small e^-max is);
#   x = NaN, y = +-0: NaN + NaN i where C's convention keeps the real axis real.
SIGMOID_NUMPY_DIFFERS = (
    {("-inf", yl) for yl in LABELS if yl not in ("+0", "-0")}
    | {("-max", yl) for yl in LABELS if yl not in ("+0", "-0")}
    | {("+max", yl) for yl in ("+inf", "-inf", "nan")}
    | {("nan", "+0"), ("nan", "-0")}
)
# sigma' as s*(1-s) from NumPy's s (torch's backward formula): NaN wherever s is, and
# x = +-inf, y finite: s is exactly 1 + 0i or 0, s*(1-s) is 0, as ours - the same cells.
SIGMOID_GRAD_NUMPY_DIFFERS = SIGMOID_NUMPY_DIFFERS


def numpy_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def numpy_sigmoid_grad(z):
    s = numpy_sigmoid(z)
    return s * (1 - s)


def same(a, b):
    """Equal NaN pattern per part and, elsewhere, equal to 1e-6 relative (zeros' signs and
    last-digit differences are not what this comparison is about)."""
    a, b = complex(a), complex(b)
    for p, q in ((a.real, b.real), (a.imag, b.imag)):
        if math.isnan(p) != math.isnan(q):
            return False
    finite = [(p, q) for p, q in ((a.real, b.real), (a.imag, b.imag)) if not math.isnan(p)]
    scale = max(abs(a), abs(b)) if not (math.isnan(abs(a)) or math.isnan(abs(b))) else 0
    return all(p == q or abs(p - q) <= 1e-6 * scale for p, q in finite)


@pytest.mark.parametrize("dtype", CDTYPES)
@pytest.mark.parametrize("name, numpy_expression, declared", [
    ("sigmoid", numpy_sigmoid, SIGMOID_NUMPY_DIFFERS),
    ("sigmoid_grad", numpy_sigmoid_grad, SIGMOID_GRAD_NUMPY_DIFFERS),
])
def test_where_numpy_differs(name, numpy_expression, declared, dtype):
    """The cells where NumPy's expression differs are exactly the ones the table in the
    docs lists (so that table stays true for the NumPy the tests run with)."""
    differs = set()
    for xl, yl in cells():
        z = np.array([complex(value(xl, dtype), value(yl, dtype))], dtype=dtype)
        ours, _ = call(FUNCS[name], z)
        with np.errstate(all="ignore"):
            theirs = numpy_expression(z)
        if not same(ours[0], theirs[0]):
            differs.add((xl, yl))
    assert differs == declared, (sorted(differs - declared), sorted(declared - differs))
