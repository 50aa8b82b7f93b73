"""Fuzzing the two-operand ufuncs of the family with random bytes, as test_hardening_fuzz.py
does for the one-operand ones: sigmoid_backward(dy, y) (two inputs) and
sigmoid_and_grad(x) (two outputs), each operand a random-byte view with its own random
offset (mostly unaligned), stride (negative, zero, not a multiple of the item size) and
byte order, values made harmless the same way (quiet NaNs, valid x87 encodings).

Checks: the bytes of the inputs are never modified; the results equal, bit for bit, those
of the same values made contiguous and native; sigmoid_and_grad equals (sigmoid,
sigmoid_grad); sigmoid_backward raises a floating-point error only where the NumPy
expression dy*(y*(1-y)) on the same values raises one too.
"""

import os

import numpy as np
import pytest

import sigmoidx
from family import FLOAT_DTYPES, assert_same_bits
from inputs import harmless_values, random_layout

CASES = int(os.environ.get("SIGMOIDX_FUZZ_CASES", "3000")) // 3
SEED = int(os.environ.get("SIGMOIDX_FUZZ_SEED", "20240611"))


def random_operand(rng, n, dtype):
    """A random-byte, randomly laid out view of n harmless values, and its native copy."""
    dtype = np.dtype(dtype).newbyteorder(rng.choice(["<", ">"]))
    stride, size, offset = random_layout(rng, n, dtype.itemsize)
    buffer = np.frombuffer(bytearray(rng.bytes(size)), dtype=np.uint8)
    x = np.ndarray(shape=(n,), dtype=dtype, buffer=buffer, offset=offset, strides=(stride,))
    x[...] = harmless_values(x.astype(dtype.newbyteorder("=")), bool(rng.integers(0, 2)), rng)
    return x, x.astype(dtype.newbyteorder("=")), buffer


def one_case(case, rng):
    dtype = FLOAT_DTYPES[rng.integers(0, len(FLOAT_DTYPES))]
    n = int(rng.integers(0, 200))
    label = f"case {case} (seed {SEED}): {np.dtype(dtype).name} n={n}"
    # sigmoid_backward: two independently laid out inputs (a 0-stride one broadcasts)
    (dy, dy_native, dy_buf), (y, y_native, y_buf) = (random_operand(rng, n, dtype),
                                                     random_operand(rng, n, dtype))
    before = dy_buf.copy(), y_buf.copy()
    with np.errstate(all="ignore"):
        expected = sigmoidx.sigmoid_backward(dy_native.copy(), y_native.copy())
    try:
        with np.errstate(all="raise"):
            got = sigmoidx.sigmoid_backward(dy, y)
    except FloatingPointError as error:
        try:
            with np.errstate(all="raise"):
                dy_native * (y_native * (1 - y_native))
        except FloatingPointError:
            got = None  # a genuine error, as the NumPy expression's
        else:
            raise AssertionError(f"{label}: sigmoid_backward: spurious {error}")
    if got is not None:
        assert_same_bits(got, expected, f"{label}: sigmoid_backward layout changes bits")
    assert np.array_equal(dy_buf, before[0]) and np.array_equal(y_buf, before[1]), label
    # sigmoid_and_grad: one random input, two random outputs
    x, x_native, _ = random_operand(rng, n, dtype)
    outs = []
    for _ in range(2):
        o, _, _ = random_operand(rng, n, dtype)
        if o.strides[0] == 0 and n > 1:  # a broadcast out is not writable element-wise
            o = np.empty(n, dtype=o.dtype)
        outs.append(o)
    with np.errstate(all="raise"):
        a, b = sigmoidx.sigmoid_and_grad(x, out=tuple(outs))
        assert_same_bits(a, sigmoidx.sigmoid(x_native), f"{label}: sigmoid_and_grad[0]")
        assert_same_bits(b, sigmoidx.sigmoid_grad(x_native), f"{label}: sigmoid_and_grad[1]")


@pytest.mark.parametrize("part", range(3))
def test_random_bytes(part):
    rng = np.random.default_rng([SEED, 100 + part])
    for case in range(part * CASES // 3, (part + 1) * CASES // 3):
        one_case(case, rng)
