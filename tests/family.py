"""The sigmoidx family as the tests see it, the dtype lists, and the one bit comparison.

UFUNCS is derived from ``sigmoidx.__all__`` (every numpy.ufunc in it), so a ufunc added
to the package is in every concern file's parametrisation at once; test_protocol.py
spells out the six names, signatures and loops that are promised, so that the derivation
cannot silently lose one.  The calling helpers hide the two signatures that differ:
sigmoid_backward(dy, y) takes two inputs and sigmoid_and_grad(x) gives two outputs.

Bits are compared on the bytes that carry the value: x87 extended long double keeps its
80 bits in 10 of its 12 or 16 bytes and no one is bound to write the padding (IEEE
binary128, e.g. long double on aarch64 Linux, uses all 16); complex numbers compare by
their two components.
"""

import numpy as np

import sigmoidx

UFUNCS = tuple(getattr(sigmoidx, name) for name in sigmoidx.__all__
               if isinstance(getattr(sigmoidx, name), np.ufunc))
ONE_IN_ONE_OUT = tuple(f for f in UFUNCS if (f.nin, f.nout) == (1, 1))
COMPLEX_UFUNCS = tuple(f for f in UFUNCS if "D" in "".join(f.types))
FLOAT_DTYPES = (np.float16, np.float32, np.float64, np.longdouble)
COMPLEX_DTYPES = (np.complex64, np.complex128)


def name(f):
    """pytest ids: the ufunc's name, or a dtype's name."""
    return f.__name__ if isinstance(f, np.ufunc) else np.dtype(f).name


# ------------------------------------------------------------------ calling any member


def operands(f, x):
    """The f.nin inputs of f made from one array (or scalar, or list) x, element by element,
    so that slicing x slices every operand alike: x itself for the one-input ufuncs;
    for sigmoid_backward(dy, y) dy = x and y = sigmoid(x), the y it is made for (in
    [0, 1], so |result| <= |dy| / 4 and nothing overflows)."""
    if f.nin == 1:
        return (x,)
    if f is sigmoidx.sigmoid_backward:
        return (x, sigmoidx.sigmoid(x))
    raise NotImplementedError(f"{f.__name__}: say in tests/family.py how its {f.nin} "
                              "inputs are made from one array")


def as_tuple(f, result):
    """f's result as a tuple of its f.nout outputs, whatever nout is."""
    return tuple(result) if f.nout > 1 else (result,)


def call(f, x, **kwargs):
    """f on the operands made from x, as a tuple of its outputs."""
    return as_tuple(f, f(*operands(f, x), **kwargs))


def outs(f, make):
    """An out= tuple: one fresh array from make() per output of f."""
    return tuple(make() for _ in range(f.nout))


# ------------------------------------------------------------------ bit equality


def value_bytes(dtype):
    """How many bytes of a real float of `dtype` carry its value (finfo: 1 sign bit,
    nexp exponent bits, nmant fraction bits; x87's explicit integer bit makes 80); every
    byte of any other dtype (the raw uint16 view of a bfloat16 array, say)."""
    if np.dtype(dtype).kind not in "fc":
        return np.dtype(dtype).itemsize
    info = np.finfo(dtype)
    if info.nmant == 63 and info.nexp == 15:  # x87 extended, padded to 12 or 16 bytes
        return 10
    return np.dtype(dtype).itemsize


def bits(a):
    """The value-carrying bytes of every element of `a`, native byte order, as uint8 of
    shape a.shape + (k,) (complex: its two components' bytes, side by side)."""
    a = np.asarray(a)
    a = np.ascontiguousarray(a.astype(a.dtype.newbyteorder("=")))
    if a.dtype.kind == "c":
        parts = a.view(np.finfo(a.dtype).dtype).reshape(a.shape + (2,))  # (real, imag)
        return bits(parts).reshape(a.shape + (-1,))
    raw = a.view(np.uint8).reshape(a.shape + (a.dtype.itemsize,))
    return raw[..., :value_bytes(a.dtype)] if a.dtype.kind == "f" else raw


def assert_same_bits(actual, expected, label=""):
    """Same shape, same dtype (either byte order) and the same bits in every element
    (NaN payloads and the sign of zero included); arrays or NumPy scalars."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (label, actual.shape, expected.shape)
    assert actual.dtype.newbyteorder("=") == expected.dtype.newbyteorder("="), \
        (label, actual.dtype, expected.dtype)
    differ = np.any(bits(actual) != bits(expected), axis=-1).reshape(-1)
    where = np.flatnonzero(differ)
    assert where.size == 0, (f"{label + ': ' if label else ''}{where.size} of {actual.size} "
                             f"elements differ, first at flat indices {where[:5]}")
