"""Fuzzing: thousands of arrays made from random bytes.

Each case takes a buffer of random bytes and views it at a random byte offset (so most
views are unaligned), with a random length 0..300, a random byte stride (negative, zero,
not a multiple of the item size), a random dtype (float16/32/64, long double) and byte
order.  Half the cases steer the exponent fields towards the interesting ranges
(subnormals, the saturation points, inf/NaN), keeping random signs and significands;
NaN payloads are whatever the bytes say.

Two kinds of bit patterns are made harmless first, because IEEE arithmetic itself raises
'invalid' on them (np.exp does too): signalling NaNs are quieted (quiet bit set, payload
kept), and on x87 long double the encodings the FPU rejects (unnormals, pseudo-NaN,
pseudo-infinity: exponent non-zero with the explicit integer bit clear) get that bit set.

Then, with np.errstate(all='raise') around the call: no floating-point error; sigmoid in
[0, 1] and sigmoid_grad in [0, 1/4]; NaN exactly where the input is NaN; the result equals
bit for bit the result of the same values made contiguous and native; a second call
writing into a random strided, unaligned, byte-swapped `out` gives the same bits and
touches nothing between its elements; the input bytes are never modified.

SIGMOIDX_FUZZ_CASES and SIGMOIDX_FUZZ_SEED change the number of cases and the seed.
"""

import os
import sys

import numpy as np
import pytest

from family import FLOAT_DTYPES, ONE_IN_ONE_OUT, bits
from inputs import harmless_values, make_harmless_ieee, random_layout

# the two-operand ufuncs: test_hardening_fuzz_family.py
UFUNCS = ONE_IN_ONE_OUT
RANGE = {"sigmoid": (0.0, 1.0), "sigmoid_grad": (0.0, 0.25), "log_sigmoid": (-np.inf, 0.0),
         "logit": (-np.inf, np.inf)}


def nan_expected(f, v):
    """Where f gives NaN: NaN inputs, and for logit p outside [0, 1] too."""
    with np.errstate(invalid="ignore"):
        return np.isnan(v) | ((v < 0) | (v > 1) if f.__name__ == "logit" else False)


CASES = int(os.environ.get("SIGMOIDX_FUZZ_CASES", "3000"))
SEED = int(os.environ.get("SIGMOIDX_FUZZ_SEED", "20240611"))


def one_case(case, rng):
    dtype = np.dtype(FLOAT_DTYPES[rng.integers(0, len(FLOAT_DTYPES))])
    if rng.integers(0, 2):
        dtype = dtype.newbyteorder("S")
    n = int(rng.integers(0, 301)) if rng.integers(0, 8) else int(rng.integers(0, 9))
    steer = bool(rng.integers(0, 2))
    stride, size, offset = random_layout(rng, n, dtype.itemsize)
    buffer = np.frombuffer(bytearray(rng.bytes(size)), dtype=np.uint8)
    x = np.ndarray(shape=(n,), dtype=dtype, buffer=buffer, offset=offset, strides=(stride,))
    # make the values harmless, written back in place (elements never partly overlap:
    # |stride| >= itemsize, or stride 0: one element), then read back
    x[...] = harmless_values(x.astype(dtype.newbyteorder("=")), steer, rng)
    native = x.astype(dtype.newbyteorder("="))
    untouched = buffer.copy()
    contiguous = native.copy()
    label = (f"case {case} (seed {SEED}): {dtype.str} n={n} stride={stride} "
             f"offset={offset} steer={steer}")
    for f in UFUNCS:
        with np.errstate(all="raise"):
            try:
                y = f(x)
                y_contiguous = f(contiguous)
            except FloatingPointError as error:
                bad = [v for v in native if _raises(f, v)][:5]
                raise AssertionError(f"{label}: {f.__name__}: {error}; e.g. for {bad!r}")
        assert np.array_equal(buffer, untouched), f"{label}: {f.__name__} wrote to its input"
        assert y.dtype == native.dtype and y.shape == (n,), label
        nan_in, nan_out = nan_expected(f, native), np.isnan(y)
        assert np.array_equal(nan_in, nan_out), (
            f"{label}: {f.__name__}: NaN mismatch at {np.flatnonzero(nan_in != nan_out)[:5]}, "
            f"inputs {native[nan_in != nan_out][:5]!r}")
        values = y[~nan_out]
        low, high = values >= RANGE[f.__name__][0], values <= RANGE[f.__name__][1]
        assert low.all() and high.all(), (
            f"{label}: {f.__name__} out of range for {native[~nan_out][~(low & high)][:5]!r}: "
            f"{values[~(low & high)][:5]!r}")
        assert np.array_equal(bits(y), bits(y_contiguous)), (
            f"{label}: {f.__name__}: strided/unaligned/swapped result differs from the "
            "contiguous one")
        _check_strided_out(f, x, y_contiguous, rng, label)


def _check_strided_out(f, x, expected, rng, label):
    """f(x, out=o) with o a random (strided, unaligned, maybe byte-swapped) view: same
    bits as `expected`, and the bytes of o's buffer between its elements unchanged."""
    n = x.size
    out_dtype = expected.dtype.newbyteorder("S") if rng.integers(0, 2) else expected.dtype
    stride, size, offset = random_layout(rng, n, out_dtype.itemsize)
    if stride == 0:  # an out whose elements coincide is not a layout to test here
        stride = out_dtype.itemsize
        size += out_dtype.itemsize * n
    buffer = np.frombuffer(bytearray(rng.bytes(size)), dtype=np.uint8)
    out = np.ndarray(shape=(n,), dtype=out_dtype, buffer=buffer, offset=offset,
                     strides=(stride,))
    owned = np.zeros(size, dtype=bool)  # the bytes that belong to out's elements
    first = offset if stride >= 0 else offset + stride * (n - 1)
    for i in range(n):
        start = first + i * abs(stride)
        owned[start: start + out_dtype.itemsize] = True
    before = buffer.copy()
    with np.errstate(all="raise"):
        result = f(x, out=out)
    assert result is out
    assert np.array_equal(buffer[~owned], before[~owned]), (
        f"{label}: {f.__name__} wrote outside the elements of a strided out "
        f"({out_dtype.str}, stride {stride}, offset {offset})")
    assert np.array_equal(bits(out), bits(expected)), (
        f"{label}: {f.__name__} into a strided out ({out_dtype.str}, stride {stride}) "
        "differs from the contiguous result")


def _raises(f, value):
    with np.errstate(all="raise"):
        try:
            f(np.array([value]))
        except FloatingPointError:
            return True
    return False


@pytest.mark.parametrize("part", range(4))
def test_random_bytes(part):
    """CASES cases in 4 parts (each its own generator: a failure names case and seed)."""
    rng = np.random.default_rng([SEED, part])
    for case in range(part * CASES // 4, (part + 1) * CASES // 4):
        one_case(case, rng)


def test_every_float16_bit_pattern_in_every_layout():
    """All 65,536 float16 patterns (signalling NaNs quieted), at offsets 0..3 and strides
    1..3 elements, both byte orders: the checks above on the complete set."""
    bits = np.arange(2**16, dtype=np.uint16)
    values = make_harmless_ieee(bits.copy(), 10, 5).view(np.float16)
    with np.errstate(all="raise"):
        expected = {f.__name__: f(values) for f in UFUNCS}
    for f in UFUNCS:
        y = expected[f.__name__]
        nan = np.isnan(y)
        assert np.array_equal(nan_expected(f, values), nan)
        assert (y[~nan] >= RANGE[f.__name__][0]).all() and (y[~nan] <= RANGE[f.__name__][1]).all()
        for byteorder in "<>":
            dtype = np.dtype(np.float16).newbyteorder(byteorder)
            for offset in range(4):
                for step in (1, 2, 3):
                    raw = np.zeros(offset + 2 * step * values.size + 2, dtype=np.uint8)
                    view = np.ndarray(shape=values.shape, dtype=dtype, buffer=raw,
                                      offset=offset, strides=(2 * step,))
                    view[...] = values
                    with np.errstate(all="raise"):
                        got = f(view)
                    assert np.array_equal(got.view(np.uint16), y.view(np.uint16)), \
                        f"{f.__name__} {byteorder} offset {offset} step {step}"


def test_harmless_values_are_what_np_exp_accepts():
    """The fuzzer's own premise: after making the bytes harmless, np.exp (and np.negative
    on long double) raise nothing but overflow/underflow, and NaNs stay NaN."""
    rng = np.random.default_rng(SEED)
    for dtype in FLOAT_DTYPES:
        raw = np.frombuffer(rng.bytes(4096 * np.dtype(dtype).itemsize), dtype=dtype).copy()
        for steer in (False, True):
            x = harmless_values(raw, steer, rng)
            if not steer and dtype != np.longdouble:
                assert np.array_equal(np.isnan(x), np.isnan(raw))
            with np.errstate(over="ignore", under="ignore", invalid="raise"):
                np.exp(-np.abs(x))


if __name__ == "__main__":  # a longer run by hand: python tests/test_hardening_fuzz.py N
    CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    for part in range(4):
        test_random_bytes(part)
    print(f"{CASES} cases passed (seed {SEED})")
