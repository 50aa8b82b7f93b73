"""Huge arrays: more than 2**31 elements, so that any 32-bit index or byte-offset arithmetic
in the loops would show (a wrong value, a write in the wrong place, or a crash).

One 8 GiB buffer serves both cases (peak memory about 8.5 GiB):

1. float32, 2**31 + 33 elements, sigmoid computed in place (out=x) in one loop call;
2. the same bytes seen as float16 with a stride of 4 bytes: 2**31 + 33 elements whose byte
   offsets reach 8 GiB, sigmoid_grad in place through the strided (gather/scatter) path,
   the float16s in between must stay untouched.

The input is a tile of a prime length, so element i holds pattern[i % P] and the values
around 2**31 differ from those at the start.  Every element is compared, bit for bit, with
the library's own result on the small tile; the elements at both ends and around 2**31
are also compared with a reference computed independently (float64 formula, rounded),
and guard elements before and after the array must be unchanged.

Marked `slow`; skipped where less than 10 GiB of memory is available.
"""

import numpy as np
import pytest

import sigmoidx

pytestmark = pytest.mark.slow

N = 2**31 + 33
GUARD = 16  # float32 elements before and after the array (64 bytes: alignment kept)
PRIME = 1_000_003
TILE_REPEATS = 32  # tile: 32 periods, 128 MB of float32


def available_memory():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_memory():
    available = available_memory()
    if available is None or available < 10 * 2**30:
        pytest.skip(f"needs 10 GiB of available memory (have {available})")


def pattern(dtype, seed=31):
    """PRIME values of every regime, specials included, in `dtype`."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(-20, 20, PRIME)
    p[::101] = rng.uniform(-120, 120, p[::101].size)
    p[::997] = rng.choice([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 3e-8],
                          p[::997].size)
    return p.astype(dtype)


def indices_to_check():
    ends = list(range(0, 40)) + list(range(N - 40, N))
    middle = list(range(2**31 - 64, min(2**31 + 64, N)))
    step = list(range(0, N, N // 997))
    return np.unique(np.array(ends + middle + step, dtype=np.int64))


def reference(function, x, dtype):
    """Independent: the plain float64 formulas, rounded once to `dtype`."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(x))
        if function == "sigmoid":
            y = np.where(x < 0, e / (1 + e), 1 / (1 + e))
        else:
            y = e / ((1 + e) * (1 + e))
    return y.astype(dtype)


def assert_close_to_reference(actual, expected, label):
    """Within 1 ULP of the rounded float64 formula (equal for NaN)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    nan = np.isnan(expected)
    assert np.array_equal(np.isnan(actual), nan), f"{label}: NaN at the wrong places"
    ulp = np.spacing(np.abs(expected[~nan]).astype(expected.dtype))
    err = np.abs(actual[~nan].astype(np.float64) - expected[~nan].astype(np.float64))
    bad = np.flatnonzero(err > ulp.astype(np.float64))
    assert bad.size == 0, (f"{label}: {bad.size} values off by more than 1 ULP, e.g. "
                           f"{actual[~nan][bad[:5]]} vs {expected[~nan][bad[:5]]}")


def tiled(buffer_view, tile):
    """Fill a (possibly strided) 1-D view with the tile repeated."""
    for start in range(0, buffer_view.size, tile.size):
        stop = min(start + tile.size, buffer_view.size)
        buffer_view[start:stop] = tile[: stop - start]


def compare_tiled(buffer_view, expected_tile, uint, label):
    """Every element equals the tile's result bit for bit; returns nothing, asserts."""
    for start in range(0, buffer_view.size, expected_tile.size):
        stop = min(start + expected_tile.size, buffer_view.size)
        got = buffer_view[start:stop].view(uint)
        want = expected_tile[: stop - start].view(uint)
        if not np.array_equal(got, want):
            first = start + int(np.flatnonzero(got != want)[0])
            raise AssertionError(f"{label}: element {first} (of {buffer_view.size}) differs "
                                 f"from the small-array result")


@pytest.fixture(scope="module")
def huge_buffer():
    check_memory()
    buffer = np.empty(N + 2 * GUARD, dtype=np.float32)
    yield buffer
    del buffer


def test_float32_in_place_beyond_2_to_the_31(huge_buffer):
    buffer = huge_buffer
    x = buffer[GUARD: GUARD + N]
    assert x.size == N and x.flags.c_contiguous
    guard_value = np.float32(-12345.5)
    buffer[:GUARD] = guard_value
    buffer[GUARD + N:] = guard_value

    p = pattern(np.float32)
    tile = np.tile(p, TILE_REPEATS)
    tiled(x, tile)
    idx = indices_to_check()
    inputs = x[idx].copy()
    assert np.array_equal(inputs.view(np.uint32), p[idx % PRIME].view(np.uint32))

    result = sigmoidx.sigmoid(x, out=x)
    assert result is x

    assert np.all(buffer[:GUARD] == guard_value) and np.all(buffer[GUARD + N:] == guard_value), \
        "a write outside the array"
    assert_close_to_reference(x[idx], reference("sigmoid", inputs, np.float32),
                              "float32 sigmoid at the ends and around 2**31")
    expected_tile = sigmoidx.sigmoid(tile)
    compare_tiled(x, expected_tile, np.uint32, "float32 sigmoid in place")


def test_float16_strided_in_place_beyond_2_to_the_31(huge_buffer):
    """Stride 4 bytes over 8 GiB: element offsets and byte offsets both pass 2**31.

    The buffer is handled as pairs of float16s (element, neighbour): filled and checked
    pair-wise with contiguous copies and compares, so that every result and every
    neighbour (which must keep its sentinel) is checked in one pass over the memory."""
    buffer = huge_buffer
    halves = buffer.view(np.float16)  # 2 * (N + 2 * GUARD) float16s
    raw = halves.view(np.uint16)
    begin = 2 * GUARD
    x = halves[begin: begin + 2 * N: 2]
    assert x.size == N and x.strides == (4,)
    sentinel = np.float16(-7.25).view(np.uint16)
    raw[:begin] = sentinel
    raw[begin + 2 * N:] = sentinel

    p = pattern(np.float16, seed=16)
    tile = np.tile(p, 8)
    pairs = np.empty(2 * tile.size, dtype=np.uint16)  # (x[i], neighbour) for a tile
    pairs[0::2], pairs[1::2] = tile.view(np.uint16), sentinel
    body = raw[begin: begin + 2 * N]
    tiled(body, pairs)
    idx = indices_to_check()
    inputs = x[idx].copy()
    assert np.array_equal(inputs.view(np.uint16), p[idx % PRIME].view(np.uint16))

    result = sigmoidx.sigmoid_grad(x, out=x)
    assert result is x

    assert np.all(raw[:begin] == sentinel) and np.all(raw[begin + 2 * N:] == sentinel), \
        "a write outside the array"
    assert_close_to_reference(x[idx], reference("sigmoid_grad", inputs, np.float16),
                              "float16 sigmoid_grad at the ends and around 2**31")
    pairs[0::2] = sigmoidx.sigmoid_grad(tile).view(np.uint16)
    for start in range(0, body.size, pairs.size):
        stop = min(start + pairs.size, body.size)
        differ = np.flatnonzero(body[start:stop] != pairs[: stop - start])
        if differ.size:
            where = start + int(differ[0])
            what = "neighbour overwritten" if where % 2 else "result differs"
            raise AssertionError(f"float16 strided sigmoid_grad: {what} at element "
                                 f"{where // 2} of {N} (vs the small-array result)")
