"""Every memory layout gives results bit for bit equal to the contiguous call.

Strides (negative, odd, zero, 2-D transposes), unaligned data, byte-swapped input and
output, non-contiguous out, and the SIMD tails: every length 1..129 at element offsets
0..7 against one-element calls, with guard elements around the output.  Every ufunc of
the family, with its real signature (tests/family.py): each layout is given to every
input of sigmoid_backward and to both outputs of sigmoid_and_grad; the mixed layouts of
its two inputs are in test_sigmoid_backward.py.
Plain pytest file so CI can rerun it under every SIGMOIDX_CPU kernel level.
"""

import numpy as np
import pytest

from family import FLOAT_DTYPES, UFUNCS, as_tuple, assert_same_bits, name, operands, outs
from inputs import unaligned, values

by_function = pytest.mark.parametrize("f", UFUNCS, ids=name)
by_dtype = pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=name)


def apply(f, ops, view=lambda a: a, **kwargs):
    """f on view(operand) of each operand, as a tuple of its outputs.  ('invalid' is
    expected from sigmoid_backward(inf, sigmoid(inf) = 1) = inf * 0, as in NumPy's product.)"""
    with np.errstate(invalid="ignore"):
        return as_tuple(f, f(*(view(o) for o in ops), **kwargs))


def assert_all_same_bits(results, expected, view=lambda a: a):
    assert len(results) == len(expected)
    for r, e in zip(results, expected):
        assert_same_bits(r, view(e))


@by_function
@by_dtype
def test_strides(f, dtype):
    ops = operands(f, values(3001, dtype))
    ref = apply(f, ops)
    for step in (-1, 2, -2, 3, -3, 7, 17):
        assert_all_same_bits(apply(f, ops, lambda a: a[::step]), ref, lambda a: a[::step])
    # zero stride (a broadcast input)
    broadcast = lambda a: np.broadcast_to(a[5:6], (1000,))  # noqa: E731
    assert broadcast(ops[0]).strides == (0,)
    assert_all_same_bits(apply(f, ops, broadcast), ref, broadcast)


@by_function
@by_dtype
def test_two_dimensional(f, dtype):
    ops = operands(f, values(60 * 70, dtype).reshape(60, 70))
    ref = apply(f, ops)
    for view in (lambda a: a.T, lambda a: a[::-2, 1::3], lambda a: a.T[::3, ::-1],
                 lambda a: a[:, 3]):  # the last, a column: stride of a whole row
        assert_all_same_bits(apply(f, ops, view), ref, view)
    assert_all_same_bits(apply(f, ops, np.asfortranarray), ref)
    # 3-D with a mix of strides
    mixed = lambda a: a.reshape(4, 5, 6).transpose(2, 0, 1)[::-1, :, ::2]  # noqa: E731
    ops3 = operands(f, values(4 * 5 * 6, dtype, seed=1))
    assert_all_same_bits(apply(f, ops3, mixed),
                         apply(f, ops3, lambda a: np.ascontiguousarray(mixed(a))))


@by_function
@by_dtype
def test_non_contiguous_out(f, dtype):
    ops = operands(f, values(1000, dtype))
    ref = apply(f, ops)
    bigs = outs(f, lambda: np.zeros(3000, dtype))
    out = tuple(big[::3] for big in bigs)
    assert all(r is o for r, o in zip(apply(f, ops, out=out), out))
    assert_all_same_bits(out, ref)
    assert all(np.all(big[1::3] == 0) and np.all(big[2::3] == 0) for big in bigs)
    bigs = outs(f, lambda: np.zeros(2000, dtype))
    apply(f, ops, out=tuple(big[::-2] for big in bigs))
    assert_all_same_bits([big[::-2] for big in bigs], ref)
    out2d = outs(f, lambda: np.zeros((40, 25), dtype).T)  # F-ordered out for a C-ordered input
    apply(f, ops, lambda a: a.reshape(25, 40), out=out2d)
    assert_all_same_bits(out2d, ref, lambda a: a.reshape(25, 40))
    # input and output both strided, in opposite directions
    out = outs(f, lambda: np.zeros(3000, dtype)[::-3])
    apply(f, ops, lambda a: np.repeat(a, 2)[::2], out=out)
    assert_all_same_bits(out, ref)


def unaligned_copy(a):
    u = unaligned(a.size, a.dtype)
    u[...] = a
    return u


@by_function
@by_dtype
def test_unaligned(f, dtype):
    ops = operands(f, values(1001, dtype))
    ref = apply(f, ops)
    unaligned_ops = [unaligned_copy(o) for o in ops]
    assert_all_same_bits(unaligned_ops, ops)
    assert_all_same_bits(apply(f, unaligned_ops), ref)
    out = outs(f, lambda: unaligned(ops[0].size, dtype))
    apply(f, ops, out=out)
    assert_all_same_bits(out, ref)
    out = outs(f, lambda: unaligned(ops[0].size, dtype))
    apply(f, unaligned_ops, out=out)
    assert_all_same_bits(out, ref)
    assert_all_same_bits(apply(f, unaligned_ops, lambda a: a[::-3]), ref, lambda a: a[::-3])
    # in place, unaligned: the first output over the first input
    apply(f, unaligned_ops, out=(unaligned_ops[0],) + outs(f, lambda: np.empty_like(ops[0]))[1:])
    assert_same_bits(unaligned_ops[0], ref[0])


@by_function
@pytest.mark.parametrize("native", FLOAT_DTYPES, ids=name)
def test_byte_swapped(f, native):
    native = np.dtype(native)
    swapped = native.newbyteorder("S")
    assert not swapped.isnative
    ops = operands(f, values(1003, native.type))
    ref = apply(f, ops)
    to_swapped = lambda a: a.astype(swapped)  # noqa: E731
    results = apply(f, ops, to_swapped)
    assert all(y.dtype == native for y in results)  # like np.exp: the result is native
    assert np.exp(to_swapped(ops[0])[:0]).dtype == native
    assert_all_same_bits(results, ref)
    out = outs(f, lambda: np.zeros(ops[0].size, swapped))
    assert all(r is o for r, o in zip(apply(f, ops, out=out), out))
    assert_all_same_bits(out, ref)
    out = outs(f, lambda: np.zeros(ops[0].size, swapped))
    apply(f, ops, lambda a: to_swapped(a)[::-1], out=tuple(o[::-1] for o in out))
    assert_all_same_bits(out, ref)
    # unaligned and byte-swapped at once
    assert_all_same_bits(apply(f, ops, lambda a: unaligned_copy(to_swapped(a))), ref)


@by_function
@by_dtype
def test_simd_tails_and_offsets(f, dtype):
    """Every length 1..129 at element offsets 0..7 (in and out), against one-element calls;
    guard elements around each output stay untouched."""
    ops = operands(f, values(160, dtype, seed=2))
    singles = [apply(f, ops, lambda a: a[i:i + 1]) for i in range(160)]
    single = [np.concatenate([s[k] for s in singles]) for k in range(f.nout)]
    sentinel = np.array(-12345.0, dtype=dtype)
    for off in range(8):
        for n in range(1, 130):
            window = lambda a: a[off:off + n]  # noqa: E731
            assert_all_same_bits(apply(f, ops, window), single, window)
            out_off = (off * 3) % 8
            bigs = outs(f, lambda: np.full(160, sentinel, dtype=dtype))
            apply(f, ops, window, out=tuple(big[out_off:out_off + n] for big in bigs))
            assert_all_same_bits([big[out_off:out_off + n] for big in bigs], single, window)
            for big in bigs:
                assert np.all(big[:out_off] == sentinel) and \
                    np.all(big[out_off + n:] == sentinel), (off, n, "wrote outside out")


@by_function
@by_dtype
def test_long_arrays_match_short_calls(f, dtype):
    """Large arrays (several GIL-released, SIMD-blocked, buffered chunks) equal the
    results of small 7-element calls over the same data."""
    ops = operands(f, values(100_003, dtype, seed=3))
    pieces = [apply(f, ops, lambda a: a[i:i + 7]) for i in range(0, ops[0].size, 7)]
    assert_all_same_bits(apply(f, ops),
                         [np.concatenate([p[k] for p in pieces]) for k in range(f.nout)])


@by_function
@by_dtype
@pytest.mark.parametrize("shift", [1, 2, 3, 9])
@pytest.mark.parametrize("step", [1, 2, -1])
def test_partly_overlapping_out(f, dtype, shift, step):
    """out= overlapping an input, behind it or ahead of it, contiguous or strided:
    the same bits as from a copy of the input (NumPy may pass such operands straight
    to the loop, which must then read each element before overwriting it).  The first
    output overlaps each input in turn."""
    n = 1000
    for i in range(f.nin):
        for seed, (x_at, out_at) in ((5, (shift, 0)), (6, (0, shift))):
            buffers = operands(f, values(n + 3 * shift, dtype, seed=seed))
            xs = [b[x_at:x_at + n][::step] for b in buffers]
            expected = apply(f, [x.copy() for x in xs])
            out = (buffers[i][out_at:out_at + n][::step],) + \
                outs(f, lambda: np.empty(xs[0].shape, dtype))[1:]
            apply(f, xs, out=out)
            assert_all_same_bits(out, expected)
