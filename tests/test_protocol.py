"""The ufunc protocol: every ufunc of the family behaves like np.exp in every way a user sees.

Behaviour is compared with np.exp (same result dtype, same exceptions) wherever np.exp's
own loops are of the same kinds (real floats); values are checked against the library's
plain contiguous call, whose accuracy the accuracy tests establish.  Each ufunc is called
with its real signature (tests/family.py): sigmoid_backward(dy, y) with two inputs,
sigmoid_and_grad(x) with two outputs, so out= is a tuple and every output is checked.
"""

import pickle

import numpy as np
import pytest

import sigmoidx
from family import (COMPLEX_UFUNCS, FLOAT_DTYPES, UFUNCS, as_tuple, assert_same_bits, call,
                    name, operands, outs)

INPUT_TYPES = ["?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "e", "f", "d", "g"]

# What the package promises (README, docs): name -> (inputs, outputs, complex loops).
PROMISED = {"sigmoid": (1, 1, True), "sigmoid_grad": (1, 1, True),
            "sigmoid_and_grad": (1, 2, False), "sigmoid_backward": (2, 1, False),
            "log_sigmoid": (1, 1, False), "logit": (1, 1, False)}


def cast_call(f, ops, dtype):
    """f on its operands cast to `dtype` first (what dtype= and a result dtype mean)."""
    return as_tuple(f, f(*(np.asarray(o).astype(dtype) for o in ops)))


# ---------------------------------------------------------------- the objects


def test_the_family_is_the_promised_one():
    """tests/family.py derives the family from __all__: it must be exactly the six."""
    assert sorted(f.__name__ for f in UFUNCS) == sorted(PROMISED)
    assert COMPLEX_UFUNCS == tuple(f for f in UFUNCS if PROMISED[f.__name__][2])


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_is_a_real_ufunc(f):
    nin, nout, has_complex = PROMISED[f.__name__]
    assert isinstance(f, np.ufunc)
    assert f.nin == nin and f.nout == nout and f.nargs == nin + nout
    # real loops first: float inputs never resolve to the complex loops
    real = [c * nin + "->" + c * nout for c in "efdg"]
    assert f.types == real + (["F->F", "D->D"] if has_complex else [])
    assert f.ntypes == len(f.types)
    assert f.identity is None
    assert f.signature is None  # elementwise, not a gufunc


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_names_and_docstrings(f):
    nin, nout, _ = PROMISED[f.__name__]
    assert getattr(sigmoidx, f.__name__) is f
    # the signature NumPy prepends (its _ufunc_doc_signature_formatter)
    inputs = "x" if nin == 1 else ", ".join(f"x{i + 1}" for i in range(nin))
    outputs = ", /" if nout == 1 else f"[, {', '.join(f'out{i + 1}' for i in range(nout))}], /"
    doc = f.__doc__
    assert doc and doc.startswith(f"{f.__name__}({inputs}{outputs}"), doc[:80]
    assert len(doc) > 200  # a real description beyond the signature line


def test_package_exports():
    assert isinstance(sigmoidx.__version__, str) and sigmoidx.__version__
    assert set(PROMISED) | {"__version__"} <= set(sigmoidx.__all__)
    for f in UFUNCS:
        assert not hasattr(np, f.__name__)  # no clash with a NumPy ufunc name


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_pickle_round_trip(f):
    assert pickle.loads(pickle.dumps(f)) is f


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("t", INPUT_TYPES)
def test_result_dtype_is_that_of_np_exp(f, t):
    x = np.array([0, 1, 0], dtype=t)
    ops = operands(f, x)
    expected_dtype = np.exp(x).dtype
    assert expected_dtype.char in "efdg"
    # and the values are those of the loop for that dtype on the cast inputs
    for y, same in zip(as_tuple(f, f(*ops)), cast_call(f, ops, expected_dtype)):
        assert y.dtype == expected_dtype
        assert_same_bits(y, same)


def test_result_dtypes_spelled_out():
    for f in UFUNCS:
        for t, expected in [("?", "e"), ("b", "e"), ("B", "e"), ("h", "f"), ("H", "f"),
                            ("i", "d"), ("l", "d"), ("q", "d"), ("Q", "d"), ("e", "e"),
                            ("f", "f"), ("d", "d"), ("g", "g")]:
            for y in call(f, np.zeros(2, dtype=t)):
                assert y.dtype.char == expected, (f.__name__, t)


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_dtype_argument(f):
    x = np.linspace(-5, 5, 21)
    ops = operands(f, x)
    for dt in FLOAT_DTYPES:
        for y, same in zip(as_tuple(f, f(*ops, dtype=dt)), cast_call(f, ops, dt)):
            assert y.dtype == dt
            assert_same_bits(y, same)
        assert np.exp(x, dtype=dt).dtype == dt
    # an integer dtype has no loop: the same error kind as np.exp for int
    with pytest.raises(TypeError):
        f(*ops, dtype=np.int64)
    with pytest.raises(TypeError):
        np.exp(x, dtype=np.int64)


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("t, kwargs", [
    ("q", {"casting": "no"}),
    ("q", {"casting": "equiv"}),
    ("q", {"casting": "safe"}),
    ("q", {"casting": "same_kind"}),
    ("q", {"casting": "unsafe"}),
    ("q", {"casting": "safe", "dtype": np.float32}),
    ("q", {"casting": "same_kind", "dtype": np.float32}),
    ("d", {"casting": "no"}),
    ("d", {"casting": "safe", "dtype": np.float32}),
    ("d", {"casting": "same_kind", "dtype": np.float32}),
    ("f", {"casting": "no", "dtype": np.float64}),
    ("f", {"casting": "safe", "dtype": np.float64}),
    ("e", {"casting": "no"}),
    ("?", {"casting": "safe"}),
    ("?", {"casting": "no"}),
])
def test_casting_like_np_exp(f, t, kwargs):
    # every operand of the same type t, so that the casting rule is the one np.exp meets
    x = np.array([0, 1, 1], dtype=t)
    ops = (x,) * f.nin
    try:
        expected = np.exp(x, **kwargs)
    except Exception as exc:  # noqa: BLE001 - mirror whatever np.exp does
        with pytest.raises(type(exc)):
            f(*ops, **kwargs)
        assert isinstance(exc, TypeError)
    else:
        for y, same in zip(as_tuple(f, f(*ops, **kwargs)), cast_call(f, ops, expected.dtype)):
            assert y.dtype == expected.dtype
            assert_same_bits(y, same)


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_casting_no_on_int_raises(f):
    with pytest.raises(TypeError):
        f(*(np.arange(3),) * f.nin, casting="no")
    for y in as_tuple(f, f(*(np.arange(3),) * f.nin, casting="same_kind")):
        assert y.dtype == np.float64


@pytest.mark.parametrize("f", UFUNCS, ids=name)
@pytest.mark.parametrize("bad", [
    np.array(["a", "b"]),
    np.array([b"a"]),
    np.array([1.0, 2.0], dtype=object),
    np.array(["2020-01-01"], dtype="datetime64[D]"),
    np.array([1], dtype="timedelta64[s]"),
    np.array([1 + 2j]),
    "a",
    [1.0, "a"],
    None,
], ids=["str", "bytes", "object", "datetime", "timedelta", "complex", "pystr", "mixed", "None"])
def test_type_error_for_non_numbers(f, bad):
    if isinstance(bad, np.ndarray) and bad.dtype.kind == "c" and f in COMPLEX_UFUNCS:
        assert f(bad).dtype == bad.dtype  # complex loops since issue 4
        return
    with pytest.raises(TypeError):
        f(*(bad,) * f.nin)


# ---------------------------------------------------------------- out, where, broadcasting


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_out_argument(f):
    x = np.linspace(-10, 10, 50)
    ops = operands(f, x)
    expected = call(f, x)
    out = outs(f, lambda: np.empty_like(x))
    result = as_tuple(f, f(*ops, out=out))
    for r, o, e in zip(result, out, expected):
        assert r is o
        assert_same_bits(o, e)
    if f.nout == 1:  # a bare array for the one output, as np.exp takes it
        out1 = np.empty_like(x)
        assert f(*ops, out=out1) is out1
        assert_same_bits(out1, expected[0])
    else:  # several outputs take a tuple only, as np.divmod
        with pytest.raises(TypeError):
            f(*ops, out=np.empty_like(x))
    # narrower out: computed by the float64 loop, then cast, as np.exp does
    out32 = outs(f, lambda: np.empty(x.shape, np.float32))
    f(*ops, out=out32)
    for o, e in zip(out32, expected):
        assert_same_bits(o, e.astype(np.float32))
    # wider out for float32 inputs
    ops32 = operands(f, x.astype(np.float32))
    out64 = outs(f, lambda: np.empty(x.shape, np.float64))
    f(*ops32, out=out64)
    for o, e in zip(out64, as_tuple(f, f(*ops32))):
        assert_same_bits(o, e.astype(np.float64))
    # an integer out is not a same_kind cast
    with pytest.raises(TypeError):
        f(*ops, out=outs(f, lambda: np.empty(x.shape, np.int64)))
    with pytest.raises(TypeError):
        np.exp(x, out=np.empty(x.shape, np.int64))
    # a wrong shape is a ValueError, as for np.exp
    with pytest.raises(ValueError):
        f(*ops, out=outs(f, lambda: np.empty(49)))
    with pytest.raises(ValueError):
        np.exp(x, out=np.empty(49))


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_where_keeps_other_elements(f):
    x = np.linspace(-4, 4, 9)
    ops = operands(f, x)
    mask = np.array([True, False] * 4 + [True])
    selected = call(f, x[mask])
    out = outs(f, lambda: np.full(9, -7.0))
    assert all(r is o for r, o in zip(as_tuple(f, f(*ops, out=out, where=mask)), out))
    for o, e in zip(out, selected):
        assert_same_bits(o[mask], e)
        assert np.all(o[~mask] == -7.0)
    # where=False everywhere touches nothing
    out = outs(f, lambda: np.full(9, 3.0))
    f(*ops, out=out, where=False)
    assert all(np.all(o == 3.0) for o in out)
    # a broadcast where
    out = outs(f, lambda: np.full((2, 9), 5.0))
    f(*ops, out=out, where=mask)
    for o, e in zip(out, selected):
        assert np.all(o[:, ~mask] == 5.0)
        assert_same_bits(o[:, mask], np.broadcast_to(e, (2, mask.sum())))


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_broadcasting_into_out(f):
    x = np.linspace(-3, 3, 3).reshape(3, 1)
    out = outs(f, lambda: np.empty((2, 3, 4)))
    f(*operands(f, x), out=out)
    for o, e in zip(out, call(f, x)):
        assert_same_bits(o, np.broadcast_to(e, (2, 3, 4)))
    # out cannot be broadcast: same error as np.exp
    with pytest.raises(ValueError):
        f(*operands(f, np.zeros((2, 3, 4))), out=outs(f, lambda: np.empty((3, 4))))
    with pytest.raises(ValueError):
        np.exp(np.zeros((2, 3, 4)), out=np.empty((3, 4)))


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_in_place(f):
    x = np.linspace(-20, 20, 1001)
    expected = call(f, x)
    # each output written over each input
    for i in range(f.nin):
        for j in range(f.nout):
            ops = [o.copy() for o in operands(f, x)]
            out = list(outs(f, lambda: np.empty_like(x)))
            out[j] = ops[i]
            assert as_tuple(f, f(*ops, out=tuple(out)))[j] is ops[i]
            for o, e in zip(out, expected):
                assert_same_bits(o, e)
    # overlapping input and output: NumPy resolves it, the result is as if copied first
    z = x.copy()
    rest = outs(f, lambda: np.empty(x.size - 1))[1:]
    f(*operands(f, z[1:]), out=(z[:-1],) + rest)
    for o, e in zip((z[:-1],) + rest, expected):
        assert_same_bits(o, e[1:])
    z = x.copy()
    f(*operands(f, z[:-1]), out=(z[1:],) + rest)
    for o, e in zip((z[1:],) + rest, expected):
        assert_same_bits(o, e[:-1])


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_scalars_and_0d(f):
    for value in (0.5, -2, True, np.float32(1.5), np.float16(-1), np.longdouble(3)):
        e = np.exp(value)
        for y, from_array in zip(call(f, value), call(f, np.array([value]))):
            assert type(y) is type(e), (value, type(y), type(e))  # a NumPy scalar, like np.exp
            assert_same_bits(y, from_array[0])
    results = call(f, np.array(1.25))
    assert all(type(y) is np.float64 for y in results)
    # with out=, a 0-d array comes back
    out = outs(f, lambda: np.empty(()))
    result = as_tuple(f, f(*operands(f, np.array(1.25)), out=out))
    assert all(r is o for r, o in zip(result, out))
    for o, y in zip(out, results):
        assert_same_bits(o, y)


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_empty_arrays(f):
    for shape in [(0,), (3, 0), (0, 5, 2)]:
        for dt in ("e", "f", "d", "g", "i"):
            x = np.empty(shape, dtype=dt)
            for y in call(f, x):
                assert y.shape == shape and y.dtype == np.exp(x).dtype


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_lists_and_nested_sequences(f):
    nested = [[-1.0, 0.0], [1.0, 2.0]]
    for y, e in zip(call(f, nested), call(f, np.array(nested))):
        assert_same_bits(y, e)
    assert all(y.dtype == np.float64 for y in call(f, [1, 2, 3]))


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_order_argument(f):
    x = np.asfortranarray(np.linspace(-1, 1, 12).reshape(3, 4))
    contiguous = call(f, np.ascontiguousarray(x))
    for order in ("K", "A", "C", "F"):
        e = np.exp(x, order=order)
        for y, same in zip(call(f, x, order=order), contiguous):
            assert y.flags.c_contiguous == e.flags.c_contiguous
            assert y.flags.f_contiguous == e.flags.f_contiguous
            assert_same_bits(y, same)


# ---------------------------------------------------------------- ufunc machinery


@pytest.mark.parametrize("f", [f for f in UFUNCS if f.nin == 1], ids=name)
def test_ufunc_methods_of_one_input_ufuncs(f):
    """at works for one output; reduce, accumulate, outer, reduceat are for binary
    ufuncs only, as for np.exp (and np.frexp for two outputs)."""
    x = np.linspace(-2, 2, 5)
    if f.nout == 1:
        a = x.copy()
        f.at(a, [0, 2])
        expected = x.copy()
        expected[[0, 2]] = f(x[[0, 2]])
        assert_same_bits(a, expected)
    else:
        with pytest.raises(ValueError, match="single output"):
            f.at(x.copy(), [0, 2])
    for method, args in ((f.reduce, (x,)), (f.accumulate, (x,)), (f.outer, (x, x)),
                         (f.reduceat, (x, [0, 2]))):
        with pytest.raises(ValueError):
            method(*args)


@pytest.mark.parametrize("f", [f for f in UFUNCS if f.nin == 2], ids=name)
def test_ufunc_methods_of_two_input_ufuncs(f):
    """NumPy's machinery for binary ufuncs runs our loop: each method equals the
    element-by-element calls it stands for."""
    x = np.linspace(-2, 2, 5)
    y = np.linspace(0.1, 0.9, 5)

    def one(a, b):
        return f(np.array([a]), np.array([b]))[0]

    a = x.copy()
    f.at(a, [0, 2], y[:2])
    expected = x.copy()
    expected[0], expected[2] = one(x[0], y[0]), one(x[2], y[1])
    assert_same_bits(a, expected)
    assert_same_bits(f.outer(x, y), np.array([[one(p, q) for q in y] for p in x]))
    running = [x[0]]
    for v in x[1:]:
        running.append(one(running[-1], v))
    assert_same_bits(f.accumulate(x), np.array(running))


@pytest.mark.parametrize("f", [f for f in UFUNCS if f.nin == 2], ids=name)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)
@pytest.mark.parametrize("n", [5, 41, 1000])  # 41: past a vector; 1000: past a buffer block
def test_reductions_of_two_input_ufuncs_are_running_folds(f, dtype, n):
    """NumPy's reduce and accumulate pass the accumulator as an output and the first input
    (stride 0 for reduce, one element ahead of it for accumulate): each step must see the
    one before (csrc/module.c runs such calls element by element).  y in (0, 1), where the
    vector kernels run."""
    x = np.random.default_rng(n).uniform(0.05, 0.95, n).astype(dtype)

    def running_fold(values):
        acc = [values[0]]
        for v in values[1:]:
            acc.append(f(np.array([acc[-1]], dtype), np.array([v], dtype))[0])
        return np.array(acc, dtype)

    running = running_fold(x)
    assert_same_bits(f.accumulate(x), running)
    assert_same_bits(f.reduce(x), running[-1])
    assert_same_bits(f.reduceat(x, [0, 3]),
                     np.array([running_fold(x[:3])[-1], running_fold(x[3:])[-1]], dtype))


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_subclasses_and_array_ufunc(f):
    class Sub(np.ndarray):
        pass

    x = np.linspace(-1, 1, 4).view(Sub)
    assert all(type(y) is Sub for y in call(f, x)) and type(np.exp(x)) is Sub

    class Duck:
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return ufunc, method

    assert f(*(Duck(),) * f.nin) == (f, "__call__")

    m = np.ma.masked_array([0.25, 0.5, 0.75], mask=[False, True, False])  # in logit's domain
    for k, y in enumerate(call(f, m)):
        assert isinstance(y, np.ma.MaskedArray)
        assert list(y.mask) == [False, True, False]
        assert_same_bits(y.data[[0, 2]], call(f, np.array([0.25, 0.75]))[k])


@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_large_arrays_with_casting_use_buffers_correctly(f):
    """Inputs that need casting go through NumPy's buffered iterator (8192-element
    chunks): every chunk boundary must be right."""
    x = np.arange(-30000, 30000, dtype=np.int32)
    ops = operands(f, x)
    for y, same in zip(as_tuple(f, f(*ops)), cast_call(f, ops, np.float64)):
        assert y.dtype == np.float64
        assert_same_bits(y, same)
    ops16 = operands(f, np.linspace(-12, 12, 50001).astype(np.float16))
    out = outs(f, lambda: np.empty(50001, np.float64))
    f(*ops16, out=out)
    for o, e in zip(out, as_tuple(f, f(*ops16))):
        assert_same_bits(o, e.astype(np.float64))
