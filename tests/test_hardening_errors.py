"""Bad arguments give clear errors and leave the caller's data untouched.

Each bad call is made, for every ufunc of the family with its real signature, with inputs
and (where there are some) ``out`` arrays holding a known bit pattern; after the exception
every byte of all of them must be as before.  A bad ``out`` is tried at each output
position, a bad input at each input position.  The message must name the problem, and
the function (matched as a whole word, so that 'sigmoid' is not found inside
'sigmoid_grad').

The ufuncs are real numpy.ufunc objects (the decision of issue 6), so the errors NumPy
raises in its iterator set-up, before any loop of ours runs (an ``out`` of the wrong
shape, a read-only ``out``), are NumPy's own and do not name the ufunc, exactly as for
np.exp: those tests check type, problem and untouched data only.
"""

import re

import numpy as np
import pytest

from family import COMPLEX_UFUNCS, FLOAT_DTYPES, UFUNCS, as_tuple, assert_same_bits, bits, name


def names_function(f, message):
    """The message names `f` as a whole word ('sigmoid' does not match 'sigmoid_grad')."""
    return re.search(rf"(?<![\w.]){re.escape(f.__name__)}(?!\w)", message) is not None


def snapshot(*arrays):
    """Raw bytes of each array (NaN-safe, bit-exact), to compare after the call."""
    return [(a.shape, a.dtype, a.strides,
             tuple(map(id, a.flat)) if a.dtype.hasobject  # the very same objects
             else bytes(np.ascontiguousarray(a).view(np.uint8)))
            for a in arrays]


def filled(shape, dtype, seed=0):
    """A distinctive bit pattern (values with NaN and inf among them) of the given dtype."""
    rng = np.random.default_rng(seed)
    a = np.empty(shape, dtype=dtype)
    if a.dtype.kind == "f":
        values = rng.uniform(-50, 50, a.size)
        values[::7] = np.nan
        values[3::11] = np.inf
        a[...] = values.reshape(shape).astype(dtype)
    elif a.dtype.kind in "iu":
        a[...] = rng.integers(0, 100, shape).astype(dtype)
    return a


def inputs(f, dtype, n=10, seed=0):
    """f.nin arrays of n distinctive values each (their own seeds)."""
    return tuple(filled(n, dtype, seed=seed + 10 * i) for i in range(f.nin))


def out_tuples(f, good, bad):
    """Each out= tuple with `bad` at one output position and fresh `good()` elsewhere."""
    for position in range(f.nout):
        yield tuple(bad if k == position else good() for k in range(f.nout))


def call_fails(f, expected_type, args, kwargs, watch):
    """Call f(*args, **kwargs), which must raise `expected_type`, leaving `watch` intact."""
    before = snapshot(*watch)
    with pytest.raises(expected_type) as info:
        f(*args, **kwargs)
    assert snapshot(*watch) == before, "a failed call changed the caller's arrays"
    return str(info.value)


# ------------------------------------------------------------------- out= errors


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_out_of_wrong_length(f, dtype):
    xs = inputs(f, dtype)
    for out in out_tuples(f, lambda: filled(10, dtype, seed=2), filled(11, dtype, seed=1)):
        message = call_fails(f, ValueError, xs, {"out": out}, [*xs, *out])
        assert "broadcast" in message and "(10,)" in message and "(11,)" in message


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_out_smaller_than_the_broadcast_shape(f):
    xs = tuple(filled((3, 4), np.float64, seed=i) for i in range(f.nin))
    for out in out_tuples(f, lambda: filled((3, 4), np.float64, seed=2),
                          filled(4, np.float64, seed=1)):
        message = call_fails(f, ValueError, xs, {"out": out}, [*xs, *out])
        assert "(4,)" in message and "(3,4)" in message.replace(" ", "")
        assert "output" in message or "broadcast" in message


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_read_only_out(f, dtype):
    xs = inputs(f, dtype)
    read_only = filled(10, dtype, seed=1)
    read_only.flags.writeable = False
    for out in out_tuples(f, lambda: filled(10, dtype, seed=2), read_only):
        message = call_fails(f, ValueError, xs, {"out": out}, [*xs, *out])
        assert "read-only" in message
    # the same through a read-only view of writable memory
    base = filled(20, dtype, seed=3)
    view = base[::2]
    view.flags.writeable = False
    for out in out_tuples(f, lambda: filled(10, dtype, seed=2), view):
        call_fails(f, ValueError, xs, {"out": out}, [*xs, *out, base])
    # and with a read-only input given as out
    for x in xs:
        x.flags.writeable = False
    for i in range(f.nin):
        for out in out_tuples(f, lambda: filled(10, dtype, seed=2), xs[i]):
            call_fails(f, ValueError, xs, {"out": out}, [*xs, *out])


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("out_dtype", [np.int8, np.int32, np.int64, np.uint16, np.bool_], ids=name)
def test_integer_out_is_a_casting_error(f, out_dtype):
    xs = inputs(f, np.float64)
    for out in out_tuples(f, lambda: filled(10, np.float64, seed=2),
                          filled(10, out_dtype, seed=1)):
        message = call_fails(f, TypeError, xs, {"out": out}, [*xs, *out])
        assert names_function(f, message), message
        assert "cast" in message.lower() and "output" in message
        assert np.dtype(out_dtype).name in message and "same_kind" in message


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_narrower_float_out_with_casting_no(f):
    xs = inputs(f, np.float64)
    for out in out_tuples(f, lambda: filled(10, np.float64, seed=2),
                          filled(10, np.float32, seed=1)):
        message = call_fails(f, TypeError, xs, {"out": out, "casting": "no"}, [*xs, *out])
        assert names_function(f, message), message
        assert "cast" in message.lower() and "'no'" in message and "float32" in message


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("in_dtype", [np.bool_, np.int8, np.uint8, np.int16, np.int32,
                                      np.int64, np.uint64], ids=name)
def test_casting_no_on_integer_input(f, in_dtype):
    xs = inputs(f, in_dtype)
    message = call_fails(f, TypeError, xs, {"casting": "no"}, xs)
    assert names_function(f, message), message
    assert "cast" in message.lower() and "input" in message and "'no'" in message
    assert np.dtype(in_dtype).name in message
    # with an out= given as well: no array may change
    out = tuple(filled(10, np.float64, seed=1 + k) for k in range(f.nout))
    call_fails(f, TypeError, xs, {"casting": "no", "out": out}, [*xs, *out])


# ------------------------------------------------------------ unsupported dtypes


def _unsupported_inputs(f):
    kinds = {
        "str": np.array(["0.5", "1"]),
        "bytes": np.array([b"0.5", b"1"]),
        "object": np.array([0.5, 1.0, None], dtype=object),
        "object-of-floats": np.array([0.5, 1.0], dtype=object),
        "datetime64": np.array(["2020-01-01", "2021-06-30"], dtype="datetime64[D]"),
        "timedelta64": np.array([1, 2], dtype="timedelta64[s]"),
        # complex64 and complex128 have loops in sigmoid and sigmoid_grad
        # (tests/test_complex.py); long double complex in none
        "clongdouble": np.array([1 + 1j, -2j], dtype=np.clongdouble),
        "void": np.zeros(2, dtype="V8"),
        "structured": np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]),
    }
    if f not in COMPLEX_UFUNCS:
        kinds["complex64"] = np.array([1 + 1j, -2j], dtype=np.complex64)
        kinds["complex128"] = np.array([1 + 1j, -2j], dtype=np.complex128)
    return kinds


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_unsupported_dtype(f):
    for kind, x in _unsupported_inputs(f).items():
        # every input of that dtype, then each input alone (the others float64)
        others = [filled(x.shape, np.float64, seed=4 + i) for i in range(f.nin)]
        cases = [(x,) * f.nin] + ([tuple(x if k == i else others[k] for k in range(f.nin))
                                   for i in range(f.nin)] if f.nin > 1 else [])
        for xs in cases:
            message = call_fails(f, TypeError, xs, {}, [*xs])
            assert names_function(f, message), (kind, message)
            assert "not supported for the input types" in message, kind
            # the same with float out= that must stay as they were
            out = tuple(filled(x.shape, np.float64, seed=3 + k) for k in range(f.nout))
            call_fails(f, TypeError, xs, {"out": out}, [*xs, *out])


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("value", ["0.5", b"1", None, {"x": 1}, [1.0, "a"], object()],
                         ids=["str", "bytes", "None", "dict", "mixed-list", "object"])
def test_unsupported_python_values(f, value):
    message = call_fails(f, TypeError, (value,) * f.nin, {}, [])
    assert names_function(f, message), message
    assert "not supported" in message


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_unsupported_dtype_keyword(f):
    dtypes = [np.int64, np.clongdouble, np.object_, np.datetime64, np.str_]
    if f not in COMPLEX_UFUNCS:
        dtypes += [np.complex64, np.complex128]
    xs = inputs(f, np.float64, n=5)
    for dtype in dtypes:
        message = call_fails(f, TypeError, xs, {"dtype": dtype}, xs)
        assert names_function(f, message), message
        assert "loop" in message or "not supported" in message


# ------------------------------------------------------- other malformed calls


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_other_malformed_calls(f):
    xs = inputs(f, np.float64)
    out = tuple(filled(10, np.float64, seed=1 + k) for k in range(f.nout))
    watch = [*xs, *out]
    # bad keyword, bad casting name, bad order, where of the wrong shape, out tuple too long,
    # out that is no array, too few or too many arguments: TypeError/ValueError, nothing written
    message = call_fails(f, TypeError, xs, {"bogus": 1}, watch)
    assert names_function(f, message) and "bogus" in message
    message = call_fails(f, ValueError, xs, {"out": out, "casting": "never"}, watch)
    assert "casting" in message and "never" in message
    call_fails(f, ValueError, xs, {"out": out, "order": "Z"}, watch)
    message = call_fails(f, ValueError, xs, {"out": out, "where": np.ones(3, bool)}, watch)
    assert "broadcast" in message
    message = call_fails(f, ValueError, xs, {"out": out + out[:1]}, watch)
    assert "out" in message
    call_fails(f, TypeError, xs, {"out": [0.0] * 10}, watch)
    message = call_fails(f, TypeError, (), {}, watch)
    assert names_function(f, message)
    message = call_fails(f, TypeError, xs[:-1], {}, watch)  # one input too few
    assert names_function(f, message)
    message = call_fails(f, TypeError, xs + out + out[:1], {}, watch)  # one too many
    assert names_function(f, message)
    if f.nin == 1:  # the binary-only methods (those of two-input ufuncs: test_protocol.py)
        for method, args in (("reduce", xs), ("accumulate", xs), ("outer", xs * 2),
                             ("reduceat", (*xs, [0, 2]))):
            message = call_fails(getattr(f, method), ValueError, args, {}, watch)
            assert "only supported for binary functions" in message
    if f.nout > 1:
        message = call_fails(f.at, ValueError, (xs[0], [0, 2]), {}, watch)
        assert "single output" in message


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_still_works_after_errors(f):
    """A failed call leaves no state behind: the next good call is right, bit for bit."""
    xs = inputs(f, np.float64, n=1000)
    expected = as_tuple(f, f(*xs))
    for bad in (lambda: f(*xs, out=(np.empty(3),) * f.nout),
                lambda: f(*(np.array(["a"]),) * f.nin),
                lambda: f(*(np.arange(4),) * f.nin, casting="no"),
                lambda: f(*xs, out=(np.empty(1000, dtype=np.int32),) * f.nout)):
        with pytest.raises((TypeError, ValueError)):
            bad()
        for y, e in zip(as_tuple(f, f(*xs)), expected):
            assert_same_bits(y, e)


# ----------------------------------- floating-point errors name the function too


def signalling_nan_or_skip(dtype):
    """A one-element array holding a signalling NaN of `dtype` (quiet bit clear, payload
    1); the test is skipped for a long double format without a known encoding."""
    info = np.finfo(dtype)
    x = np.zeros(1, dtype)
    raw = x.view(np.uint8)
    if info.nmant == 63 and x.itemsize in (12, 16):  # x87 extended: quiet bit is bit 62
        raw[:8] = np.array([0x8000000000000001], "<u8").view(np.uint8)
        raw[8:10] = np.array([0xFF, 0x7F], np.uint8)
    elif x.itemsize in (2, 4, 8):
        bits = x.view(f"u{x.itemsize}")
        exponent_all_ones = ((1 << (8 * x.itemsize - 1)) - 1) ^ ((1 << info.nmant) - 1)
        bits[0] = exponent_all_ones | 1
    else:
        pytest.skip("long double format without a known signalling-NaN encoding")
    return x


def quiet_bit(a):
    """The quiet bit of each NaN in 1-D `a` (formats signalling_nan knows)."""
    info = np.finfo(a.dtype)
    a = np.ascontiguousarray(a)
    if info.nmant == 63 and a.itemsize in (12, 16):  # x87: bit 62 of the significand
        significand = a.view(np.uint8).reshape(a.size, -1)[:, :8].copy().view("<u8")[:, 0]
        return (significand >> np.uint64(62)) & np.uint64(1)
    return (a.view(f"u{a.itemsize}") >> (info.nmant - 1)) & 1


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_signalling_nan_under_errstate_raise_names_the_function(f, dtype):
    """IEEE: a signalling NaN operand raises 'invalid' (as in np.exp); the report names
    the function and no input is modified (not even quieted in place).  The other
    values (NaN and inf among them; sigmoid_backward's y all 1/2) raise nothing, which is
    checked first, so that the error is the signalling NaN's."""
    snan = signalling_nan_or_skip(dtype)
    for position in range(f.nin):
        xs = [filled(40, dtype, seed=7)] + [np.full(40, 0.5, dtype)] * (f.nin - 1)
        xs = [x.copy() for x in xs]
        with np.errstate(all="raise"):
            f(*xs)  # the premise: nothing raises without the signalling NaN
        xs[position][5:6] = snan  # a byte copy: the quiet bit stays clear
        assert snapshot(xs[position][5:6]) == snapshot(snan)
        with np.errstate(invalid="ignore"):
            assert all(np.isnan(y[5]) for y in as_tuple(f, f(*xs)))
        before = snapshot(*xs)
        with np.errstate(all="raise"):
            with pytest.raises(FloatingPointError) as info_:
                f(*xs)
        assert snapshot(*xs) == before
        assert "invalid" in str(info_.value) and names_function(f, str(info_.value))


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
def test_signalling_nan_gives_a_quiet_nan(f, dtype):
    """IEEE 754 (7.2): an operation on a signalling NaN delivers a quiet NaN."""
    snan = signalling_nan_or_skip(dtype)
    for position in range(f.nin):
        xs = [np.full(3, 0.5, dtype) for _ in range(f.nin)]
        xs[position][1:2] = snan
        with np.errstate(invalid="ignore"):
            for y in as_tuple(f, f(*xs)):
                assert np.isnan(y[1]) and quiet_bit(y[1:2])[0] == 1, (position, bits(y[1:2]))
