"""The ufunc protocol: sigmoid and sigmoid_grad behave like np.exp in every way a user sees.

Behaviour is compared with np.exp (same result dtype, same exceptions) wherever np.exp's
own loops are of the same kinds (real floats); values are checked against the library's
plain contiguous call, whose accuracy test_accuracy.py establishes.
"""

import pickle

import numpy as np
import pytest

import sigmoidx

UFUNCS = (sigmoidx.sigmoid, sigmoidx.sigmoid_grad)
ids = lambda f: f.__name__  # noqa: E731
INPUT_TYPES = ["?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "e", "f", "d", "g"]


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True) \
        and np.array_equal(np.signbit(a), np.signbit(b))


# ---------------------------------------------------------------- the objects


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_is_a_real_ufunc(f):
    assert isinstance(f, np.ufunc)
    assert f.nin == 1 and f.nout == 1 and f.nargs == 2
    # real loops first: float inputs never resolve to the complex loops
    assert f.types == ["e->e", "f->f", "d->d", "g->g", "F->F", "D->D"]
    assert f.ntypes == 6
    assert f.identity is None
    assert f.signature is None  # elementwise, not a gufunc


def test_names_and_docstrings():
    assert sigmoidx.sigmoid.__name__ == "sigmoid"
    assert sigmoidx.sigmoid_grad.__name__ == "sigmoid_grad"
    for f in UFUNCS:
        doc = f.__doc__
        assert doc and doc.startswith(f"{f.__name__}(x, /")  # the signature NumPy prepends
        assert len(doc) > 200  # a real description beyond the signature line


def test_package_exports():
    assert isinstance(sigmoidx.__version__, str) and sigmoidx.__version__
    assert {"sigmoid", "sigmoid_grad", "__version__"} <= set(sigmoidx.__all__)
    for name in ("sigmoid", "sigmoid_grad"):
        assert getattr(sigmoidx, name).__name__ == name
        assert not hasattr(np, name)  # no clash with a NumPy ufunc name


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_pickle_round_trip(f):
    assert pickle.loads(pickle.dumps(f)) is f


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
@pytest.mark.parametrize("t", INPUT_TYPES)
def test_result_dtype_is_that_of_np_exp(f, t):
    x = np.array([0, 1, 0], dtype=t)
    y = f(x)
    assert y.dtype == np.exp(x).dtype
    assert y.dtype.char in "efdg"
    # and the values are those of the loop for that dtype on the cast input
    assert same_bits(y, f(x.astype(y.dtype)))


def test_result_dtypes_spelled_out():
    for t, expected in [("?", "e"), ("b", "e"), ("B", "e"), ("h", "f"), ("H", "f"),
                        ("i", "d"), ("l", "d"), ("q", "d"), ("Q", "d"), ("e", "e"),
                        ("f", "f"), ("d", "d"), ("g", "g")]:
        assert sigmoidx.sigmoid(np.zeros(2, dtype=t)).dtype.char == expected, t


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_dtype_argument(f):
    x = np.linspace(-5, 5, 21)
    for dt in (np.float16, np.float32, np.float64, np.longdouble):
        y = f(x, dtype=dt)
        assert y.dtype == dt
        assert same_bits(y, f(x.astype(dt)))
        assert np.exp(x, dtype=dt).dtype == dt
    # an integer or complex dtype has no loop: the same error kind as np.exp for int
    with pytest.raises(TypeError):
        f(x, dtype=np.int64)
    with pytest.raises(TypeError):
        np.exp(x, dtype=np.int64)


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
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
    x = np.array([0, 1, 1], dtype=t)
    try:
        expected = np.exp(x, **kwargs)
    except Exception as exc:  # noqa: BLE001 - mirror whatever np.exp does
        with pytest.raises(type(exc)):
            f(x, **kwargs)
        assert isinstance(exc, TypeError)
    else:
        y = f(x, **kwargs)
        assert y.dtype == expected.dtype
        assert same_bits(y, f(x.astype(y.dtype)))


def test_casting_no_on_int_raises():
    with pytest.raises(TypeError):
        sigmoidx.sigmoid(np.arange(3), casting="no")
    assert sigmoidx.sigmoid(np.arange(3), casting="same_kind").dtype == np.float64


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
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
    if isinstance(bad, np.ndarray) and bad.dtype.kind == "c":  # complex loops since issue 4
        assert f(bad).dtype == bad.dtype
        return
    with pytest.raises(TypeError):
        f(bad)


# ---------------------------------------------------------------- out, where, broadcasting


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_out_argument(f):
    x = np.linspace(-10, 10, 50)
    expected = f(x)
    out = np.empty_like(x)
    assert f(x, out=out) is out
    assert same_bits(out, expected)
    out2 = np.empty_like(x)
    res = f(x, out=(out2,))
    assert res is out2 and same_bits(out2, expected)
    # narrower out: computed by the float64 loop, then cast, as np.exp does
    out32 = np.empty(x.shape, np.float32)
    f(x, out=out32)
    assert same_bits(out32, expected.astype(np.float32))
    # wider out for a float32 input
    out64 = np.empty(x.shape, np.float64)
    f(x.astype(np.float32), out=out64)
    assert same_bits(out64, f(x.astype(np.float32)).astype(np.float64))
    # an integer out is not a same_kind cast
    with pytest.raises(TypeError):
        f(x, out=np.empty(x.shape, np.int64))
    with pytest.raises(TypeError):
        np.exp(x, out=np.empty(x.shape, np.int64))
    # a wrong shape is a ValueError, as for np.exp
    with pytest.raises(ValueError):
        f(x, out=np.empty(49))
    with pytest.raises(ValueError):
        np.exp(x, out=np.empty(49))


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_where_keeps_other_elements(f):
    x = np.linspace(-4, 4, 9)
    mask = np.array([True, False] * 4 + [True])
    out = np.full(9, -7.0)
    res = f(x, out=out, where=mask)
    assert res is out
    assert same_bits(out[mask], f(x[mask]))
    assert np.all(out[~mask] == -7.0)
    # where=False everywhere touches nothing
    out = np.full(9, 3.0)
    f(x, out=out, where=False)
    assert np.all(out == 3.0)
    # a broadcast where
    out = np.full((2, 9), 5.0)
    f(x, out=out, where=mask)
    assert np.all(out[:, ~mask] == 5.0)
    assert same_bits(out[:, mask], np.broadcast_to(f(x[mask]), (2, mask.sum())))


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_broadcasting_into_out(f):
    x = np.linspace(-3, 3, 3).reshape(3, 1)
    out = np.empty((2, 3, 4))
    f(x, out=out)
    assert same_bits(out, np.broadcast_to(f(x), (2, 3, 4)))
    # out cannot be broadcast: same error as np.exp
    with pytest.raises(ValueError):
        f(np.zeros((2, 3, 4)), out=np.empty((3, 4)))
    with pytest.raises(ValueError):
        np.exp(np.zeros((2, 3, 4)), out=np.empty((3, 4)))


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_in_place(f):
    x = np.linspace(-20, 20, 1001)
    expected = f(x)
    y = x.copy()
    assert f(y, out=y) is y
    assert same_bits(y, expected)
    # overlapping input and output: NumPy resolves it, the result is as if copied first
    z = x.copy()
    f(z[1:], out=z[:-1])
    assert same_bits(z[:-1], expected[1:])
    z = x.copy()
    f(z[:-1], out=z[1:])
    assert same_bits(z[1:], expected[:-1])


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_scalars_and_0d(f):
    for value in (0.5, -2, True, np.float32(1.5), np.float16(-1), np.longdouble(3)):
        y = f(value)
        e = np.exp(value)
        assert type(y) is type(e), (value, type(y), type(e))  # a NumPy scalar, like np.exp
        assert same_bits(y, f(np.array([value]))[0])
    y = f(np.array(1.25))
    assert type(y) is np.float64
    # with out=, a 0-d array comes back
    out = np.empty(())
    assert f(np.array(1.25), out=out) is out
    assert out[()] == y


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_empty_arrays(f):
    for shape in [(0,), (3, 0), (0, 5, 2)]:
        for dt in ("e", "f", "d", "g", "i"):
            x = np.empty(shape, dtype=dt)
            y = f(x)
            assert y.shape == shape and y.dtype == np.exp(x).dtype


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_lists_and_nested_sequences(f):
    assert same_bits(f([[-1.0, 0.0], [1.0, 2.0]]), f(np.array([[-1.0, 0.0], [1.0, 2.0]])))
    assert f([1, 2, 3]).dtype == np.float64


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_order_argument(f):
    x = np.asfortranarray(np.linspace(-1, 1, 12).reshape(3, 4))
    for order in ("K", "A", "C", "F"):
        y, e = f(x, order=order), np.exp(x, order=order)
        assert y.flags.c_contiguous == e.flags.c_contiguous
        assert y.flags.f_contiguous == e.flags.f_contiguous
        assert same_bits(y, f(np.ascontiguousarray(x)))


# ---------------------------------------------------------------- ufunc machinery


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_ufunc_methods(f):
    x = np.linspace(-2, 2, 5)
    a = x.copy()
    f.at(a, [0, 2])
    expected = x.copy()
    expected[[0, 2]] = f(x[[0, 2]])
    assert same_bits(a, expected)
    for method in (f.reduce, f.accumulate, f.outer):  # binary-only, as for np.exp
        with pytest.raises(ValueError):
            method(x) if method is not f.outer else method(x, x)


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_subclasses_and_array_ufunc(f):
    class Sub(np.ndarray):
        pass

    x = np.linspace(-1, 1, 4).view(Sub)
    assert type(f(x)) is Sub and type(np.exp(x)) is Sub

    class Duck:
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return ufunc, method

    assert f(Duck()) == (f, "__call__")

    m = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
    y = f(m)
    assert isinstance(y, np.ma.MaskedArray)
    assert list(y.mask) == [False, True, False]
    assert y[0] == f(1.0) and y[2] == f(3.0)


@pytest.mark.parametrize("f", UFUNCS, ids=ids)
def test_large_arrays_with_casting_use_buffers_correctly(f):
    """Inputs that need casting go through NumPy's buffered iterator (8192-element
    chunks): every chunk boundary must be right."""
    x = np.arange(-30000, 30000, dtype=np.int32)
    y = f(x)
    assert y.dtype == np.float64
    assert same_bits(y, f(x.astype(np.float64)))
    x16 = np.linspace(-12, 12, 50001).astype(np.float16)
    out = np.empty(x16.shape, np.float64)
    f(x16, out=out)
    assert same_bits(out, f(x16).astype(np.float64))
