"""bfloat16 (ml_dtypes.bfloat16, JAX's jnp.bfloat16) for every ufunc (issue 17).

sigmoidx registers bfloat16 loops at import when ml_dtypes imports (the optional extra
``sigmoidx[bfloat16]``; a test extra here).  Each loop widens to float32 (exact), runs the
float32 kernel and rounds the result once to bfloat16.

Accuracy over every one of the 65,536 bfloat16 inputs, against tests/reference.py's float64
evaluation of the float32-exact inputs (error below 2^-40 ULP of bfloat16): within 1 ULP
(the float32 result is within 0.78 ULP of float32, 2^-16 of that in bfloat16 ULPs, so the
one rounding leaves 0.5 + 2^-16).  Special values and FP hygiene as for float16; layouts
and out=; mixed bfloat16/other inputs follow NumPy's promotion for this user dtype, which
ml_dtypes' casts decide (bfloat16 casts safely to float32, not to float16): the cases are
pinned below.
"""

import subprocess
import sys
import warnings

import ml_dtypes
import numpy as np
import pytest

import sigmoidx
from reference import reference_np

BF16 = np.dtype(ml_dtypes.bfloat16)
UNARY = ("sigmoid", "sigmoid_grad", "log_sigmoid", "logit")
ALL_INPUTS = np.arange(2**16, dtype=np.uint16).view(BF16)
_bits = ALL_INPUTS.view(np.uint16)
# signalling NaNs (quiet bit 0x40 clear) raise "invalid" as operands, as in np.exp (IEEE)
SIGNALLING = ((_bits & 0x7F80) == 0x7F80) & ((_bits & 0x7F) != 0) & ((_bits & 0x40) == 0)
QUIET_INPUTS = ALL_INPUTS[~SIGNALLING]
# the smallest bfloat16 exponent of a normal number, and its significand bits after the point
EMIN, MANT = -126, 7
OVERFLOW = (2 - 2.0**-8) * 2.0**127  # from here up, round to nearest gives inf


def bf16_ulp_error(actual, reference):
    """|actual - reference| in bfloat16 ULPs of the reference (subnormal spacing below the
    smallest normal); a reference beyond the overflow threshold counts as the infinity it
    rounds to; NaN vs NaN and equal infinities count 0, other non-finite mismatches inf."""
    a = actual.astype(np.float64)
    r = np.asarray(reference, dtype=np.float64)
    with np.errstate(all="ignore"):
        r = np.where(np.abs(r) >= OVERFLOW, np.copysign(np.inf, r), r)
        exponent = np.maximum(np.floor(np.log2(np.abs(r))), EMIN)
        ulp = np.exp2(np.where(np.isfinite(exponent), exponent, EMIN) - MANT)
        finite = np.abs(a - r) / ulp
    both_nan = np.isnan(a) & np.isnan(r)
    same_inf = np.isinf(a) & np.isinf(r) & (a == r)
    special = np.where(both_nan | same_inf, 0.0, np.inf)
    return np.where(np.isfinite(a) & np.isfinite(r), finite, special)


def quiet(f, *args, **kwargs):
    """f(*args) with every floating-point warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return f(*args, **kwargs)


@pytest.mark.parametrize("name", UNARY)
def test_every_input_within_one_ulp(name):
    f = getattr(sigmoidx, name)
    quiet(f, QUIET_INPUTS)  # no warning for any input but a signalling NaN
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        f(ALL_INPUTS[SIGNALLING][:1])
    with np.errstate(invalid="ignore"):
        actual = f(ALL_INPUTS)
        wide = ALL_INPUTS.astype(np.float32)
    assert actual.dtype == BF16
    assert np.all(actual.view(np.uint16)[SIGNALLING] & 0x7FC0 == 0x7FC0)  # quiet NaNs out
    reference = reference_np(name, wide, work=np.float64)
    err = bf16_ulp_error(actual, reference)
    worst = int(np.argmax(err))
    assert err[worst] <= 1.0, (name, ALL_INPUTS[worst], actual[worst], reference[worst], err[worst])
    # the one rounding of a float32 within 0.78 ULP: nearly always correctly rounded
    assert err.max() <= 0.5 + 2.0**-14, err.max()


def test_sigmoid_and_grad_are_the_two_ufuncs_bit_for_bit():
    s, g = quiet(sigmoidx.sigmoid_and_grad, QUIET_INPUTS)
    assert s.dtype == g.dtype == BF16
    assert s.tobytes() == sigmoidx.sigmoid(QUIET_INPUTS).tobytes()
    assert g.tobytes() == sigmoidx.sigmoid_grad(QUIET_INPUTS).tobytes()


def backward_reference(dy, y):
    """dy * y * (1 - y) in float64 from the exact float32 values: relative error < 2^-51."""
    with np.errstate(all="ignore"):  # signalling NaNs among the inputs
        d, v = dy.astype(np.float64), y.astype(np.float64)
        return d * (v * (1 - v))


def test_sigmoid_backward_every_dy_and_every_y():
    rng = np.random.default_rng(3)
    saved = sigmoidx.sigmoid(rng.uniform(-20, 20, 12).astype(np.float32)).astype(BF16)
    few = np.concatenate([saved, np.array([0, 1, 0.5, 2.0**-100, 1 - 2.0**-8], dtype=BF16)])
    dy_all = np.repeat(ALL_INPUTS, few.size)
    y_few = np.tile(few, ALL_INPUTS.size)
    y_all = np.repeat(ALL_INPUTS, few.size)
    dy_few = np.tile(np.concatenate([few, -few]), ALL_INPUTS.size)[: y_all.size]
    for dy, y in ((dy_all, y_few), (dy_few, y_all)):
        with np.errstate(all="ignore"):  # inf * 0 and overflow are real here
            actual = sigmoidx.sigmoid_backward(dy, y)
        assert actual.dtype == BF16
        err = bf16_ulp_error(actual, backward_reference(dy, y))
        worst = int(np.argmax(err))
        assert err[worst] <= 1.0, (dy[worst], y[worst], actual[worst], err[worst])


def test_sigmoid_backward_on_saved_outputs_raises_nothing():
    y = sigmoidx.sigmoid(QUIET_INPUTS)
    finite = np.isfinite(QUIET_INPUTS.astype(np.float32))
    out = quiet(sigmoidx.sigmoid_backward, np.ones_like(y[finite]), y[finite])
    assert np.all(np.isfinite(out.astype(np.float32)))


def test_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=BF16)
    s, g, ls = (quiet(f, x) for f in (sigmoidx.sigmoid, sigmoidx.sigmoid_grad, sigmoidx.log_sigmoid))
    f32 = lambda a: a.astype(np.float32)  # noqa: E731
    assert np.array_equal(f32(s)[:4], [0.5, 0.5, 1, 0]) and np.isnan(f32(s)[4])
    assert np.array_equal(f32(g)[:4], [0.25, 0.25, 0, 0]) and np.isnan(f32(g)[4])
    assert f32(ls)[2] == 0 and f32(ls)[3] == -np.inf and np.isnan(f32(ls)[4])
    p = quiet(sigmoidx.logit, np.array([0, 1, 0.5, -0.5, 1.5, np.nan], dtype=BF16))
    assert np.array_equal(f32(p)[:3], [-np.inf, np.inf, 0]) and np.all(np.isnan(f32(p)[3:]))
    # subnormal results are kept: sigma(-88) = 6.05e-39 is a bfloat16 subnormal
    tiny = quiet(sigmoidx.sigmoid, np.array([-88.0], dtype=BF16)).astype(np.float64)[0]
    assert 0 < tiny < 2.0**-126 and abs(tiny - np.exp(-88.0)) <= 2.0**-134
    # the NaN stays a quiet NaN of the input's sign
    bits = quiet(sigmoidx.sigmoid, np.array([np.nan, -np.nan], dtype=BF16)).view(np.uint16)
    assert np.all(bits & 0x7FC0 == 0x7FC0) and list(bits >> 15) == [0, 1]


@pytest.mark.parametrize("name", UNARY)
def test_layouts_tails_and_out(name):
    f = getattr(sigmoidx, name)
    x = QUIET_INPUTS[np.random.default_rng(1).permutation(QUIET_INPUTS.size)[:3000]]
    ref = f(x)
    for step in (-1, 2, -3, 7):
        assert f(x[::step]).tobytes() == ref[::step].tobytes()
    for n in list(range(1, 130)) + [255, 256, 257, 511, 513]:
        assert f(x[:n]).tobytes() == ref[:n].tobytes()
    out = np.zeros(2 * x.size, BF16)[::-2]
    assert f(x, out=out) is out and out.tobytes() == ref.tobytes()
    grid = x[:60].reshape(6, 10)
    assert f(grid.T).tobytes() == ref[:60].reshape(6, 10).T.copy().tobytes()
    inplace = x.copy()
    f(inplace, out=inplace)
    assert inplace.tobytes() == ref.tobytes()
    raw = np.zeros(2 * x.size + 1, np.uint8)[1:].view(BF16)  # unaligned
    raw[...] = x
    assert f(raw).tobytes() == ref.tobytes()


def test_broadcasting_sigmoid_backward():
    dy = np.linspace(-2, 2, 7).astype(BF16)
    y = sigmoidx.sigmoid(np.linspace(-4, 4, 5).astype(BF16)).reshape(5, 1)
    r = sigmoidx.sigmoid_backward(dy, y)
    assert r.shape == (5, 7) and r.dtype == BF16
    assert r.tobytes() == sigmoidx.sigmoid_backward(np.broadcast_to(dy, (5, 7)).copy(),
                                                    np.broadcast_to(y, (5, 7)).copy()).tobytes()


@pytest.mark.parametrize("n", [5, 300])  # 300: past a block of the bfloat16 loop (256)
def test_reductions_of_sigmoid_backward_are_running_folds(n):
    """reduce and accumulate hand the loop an output that is also its first input (stride 0,
    or one element ahead): each step must see the one before, as in the other dtypes."""
    f = sigmoidx.sigmoid_backward
    x = np.random.default_rng(n).uniform(0.05, 0.95, n).astype(BF16)
    running = [x[0]]
    for v in x[1:]:
        running.append(f(np.array([running[-1]], BF16), np.array([v], BF16))[0])
    running = np.array(running, BF16)
    assert f.accumulate(x).tobytes() == running.tobytes()
    assert f.reduce(x).tobytes() == running[-1:].tobytes()


def test_mixed_dtypes_follow_numpy_promotion():
    """What NumPy's type resolution gives for bfloat16 with other dtypes (the docs list it):
    bfloat16 casts safely to float32 and float64 (ml_dtypes registers those casts), so a
    float32 or float64 partner (or a Python float) selects that loop; with float16 neither
    casts safely to the other and both go to float32; integers cast safely to bfloat16."""
    b = np.array([0.25, 0.5, 0.75], dtype=BF16)
    cases = [(np.float32, np.float32), (np.float64, np.float64), (np.float16, np.float32),
             (np.int8, BF16)]
    for other, result in cases:
        o = np.array([1, 0, 1], dtype=other)
        for args in ((b, o), (o, b)):
            r = sigmoidx.sigmoid_backward(*args)
            assert r.dtype == result, (other, args[0].dtype, r.dtype)
            wide = [a.astype(result) for a in args]
            assert r.tobytes() == sigmoidx.sigmoid_backward(*wide).tobytes()
    # a Python float partner: float32, not bfloat16 (legacy promotion for user dtypes)
    assert sigmoidx.sigmoid_backward(b, 0.5).dtype == np.float32
    # dtype= and out= select or cast as for any dtype
    assert sigmoidx.sigmoid(b, dtype=np.float64).tobytes() == sigmoidx.sigmoid(b.astype(np.float64)).tobytes()
    out = np.empty(3, np.float32)
    sigmoidx.sigmoid(b, out=out)  # the bfloat16 loop, its result widened exactly
    assert out.tobytes() == sigmoidx.sigmoid(b).astype(np.float32).tobytes()
    f = np.array([0.25, 0.5, 0.75], dtype=np.float32)
    out = np.empty(3, BF16)
    sigmoidx.sigmoid(f, out=out)  # the float32 loop, rounded to bfloat16 on the way out
    assert out.tobytes() == sigmoidx.sigmoid(f).astype(BF16).tobytes()


def test_scalars():
    r = sigmoidx.sigmoid(ml_dtypes.bfloat16(1.0))
    assert isinstance(r, ml_dtypes.bfloat16) and float(r) == float(ml_dtypes.bfloat16(0.7310586))


def test_import_without_ml_dtypes():
    """ml_dtypes stays optional: with it unimportable, sigmoidx imports and works."""
    code = ("import sys; sys.modules['ml_dtypes'] = None\n"
            "import numpy as np, sigmoidx\n"
            "print(float(sigmoidx.sigmoid(np.float32(0))), 'ml_dtypes' in sys.modules and sys.modules['ml_dtypes'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0.5", "None"], done.stdout
