"""No leaks: long loops of calls keep reference counts and resident memory flat.

Every kind of call is in the loop: each dtype, contiguous and strided, out=, where=,
dtype=, integer input (NumPy's casting buffers), Python and NumPy scalars, 0-d arrays,
byte-swapped input, and calls that raise.  After a warm-up (NumPy fills its caches on
first use) the reference counts of the inputs, outputs, ufuncs, dtypes and the module
must not change at all, and the resident set size may grow by a small bound only.
"""

import ctypes
import gc
import os
import resource
import sys

import numpy as np
import pytest

import sigmoidx

UFUNCS = (sigmoidx.sigmoid, sigmoidx.sigmoid_grad)
DTYPES = (np.float16, np.float32, np.float64, np.longdouble)


def memory_tool():
    """'asan' or 'valgrind' when this process runs under one (their allocators keep freed
    memory in quarantine, so resident memory says nothing about leaks there), else None."""
    try:
        with open("/proc/self/maps") as maps:
            text = maps.read()
    except OSError:  # pragma: no cover - not Linux
        return None
    if "libasan" in text:
        return "asan"
    if "vgpreload" in text:
        return "valgrind"
    return None


needs_plain_allocator = pytest.mark.skipif(
    memory_tool() is not None,
    reason=f"under {memory_tool()}: its allocator's quarantine makes resident memory grow")


def resident_bytes():
    """Current resident set size (Linux: /proc/self/statm), else the peak from getrusage."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def heap_in_use():
    """Bytes the C heap has handed out (glibc mallinfo2: small blocks + mmapped ones),
    or None where that is not known (other libc, or a sanitizer's allocator)."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _Mallinfo2
    info = mallinfo2()
    total = info.uordblks + info.hblkhd
    return total or None


def make_workload(n=1000, seed=0):
    """(objects whose refcounts are watched, a function running one round of every call)."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(-60, 60, 2 * n)
    base[::17] = np.nan
    inputs = {np.dtype(d).name: base.astype(d) for d in DTYPES}
    outs = {name: np.empty(n, dtype=a.dtype) for name, a in inputs.items()}
    strided_outs = {name: np.empty(2 * n, dtype=a.dtype)[::2] for name, a in inputs.items()}
    mask = rng.random(n) < 0.5
    ints = rng.integers(-50, 50, n).astype(np.int32)
    swapped = inputs["float64"].astype(">f8" if sys.byteorder == "little" else "<f8")
    zero_d = np.array(0.75)
    f32_scalar = np.float32(-2.5)
    bad_shape_out = np.empty(n + 1)
    read_only_out = np.empty(n)
    read_only_out.flags.writeable = False
    int_out = np.empty(n, dtype=np.int64)
    strings = np.array(["a", "b"])
    objects = np.array([1.0, None], dtype=object)
    complexes = np.array([1 + 2j])  # supported since issue 4: one more call, no error

    def one_round():
        errors = 0
        for f in UFUNCS:
            for name, x in inputs.items():
                f(x)
                f(x[:n], out=outs[name])
                f(x[::2], out=strided_outs[name])
                f(x[::-2], out=outs[name], where=mask)
                f(x[1 : n + 1], out=outs[name], casting="same_kind")
            f(inputs["float64"], dtype=np.float32)
            f(ints)
            f(ints, out=outs["float64"])
            f(swapped)
            f(zero_d)
            f(f32_scalar)
            f(0.5)
            f([1.0, -2.0, 3.0])
            f(inputs["float32"], out=None)
            for bad_args, bad_kwargs in (
                ((inputs["float64"][:n],), {"out": bad_shape_out}),
                ((inputs["float64"][:n],), {"out": read_only_out}),
                ((inputs["float64"][:n],), {"out": int_out}),
                ((ints,), {"casting": "no"}),
                ((strings,), {}),
                ((objects,), {}),
                ((complexes,), {}),
                ((inputs["float64"],), {"bogus": 1}),
            ):
                try:
                    f(*bad_args, **bad_kwargs)
                except (TypeError, ValueError):
                    errors += 1
            with np.errstate(invalid="raise"):
                snan = np.array([np.uint64(0x7FF0000000000001)]).view(np.float64)
                try:
                    f(snan)
                except FloatingPointError:
                    errors += 1
        assert errors == 2 * 8
        return errors

    watched = {
        **{f"input {k}": v for k, v in inputs.items()},
        **{f"out {k}": v for k, v in outs.items()},
        **{f"strided out {k}": v for k, v in strided_outs.items()},
        "mask": mask, "ints": ints, "swapped": swapped, "0-d": zero_d,
        "float32 scalar": f32_scalar, "bad-shape out": bad_shape_out,
        "read-only out": read_only_out, "int out": int_out, "strings": strings,
        "objects": objects, "complexes": complexes,
        "sigmoid": sigmoidx.sigmoid, "sigmoid_grad": sigmoidx.sigmoid_grad,
        "module": sigmoidx._core,
        **{f"dtype {np.dtype(d).name}": np.dtype(d) for d in DTYPES + (np.int32, np.int64)},
    }
    return watched, one_round


def refcounts(watched):
    return {name: sys.getrefcount(obj) for name, obj in watched.items()}


def test_reference_counts_stay_flat():
    watched, one_round = make_workload()
    for _ in range(20):  # warm-up: NumPy's dispatch and casting caches fill on first use
        one_round()
    gc.collect()
    before = refcounts(watched)
    for _ in range(300):
        one_round()
    gc.collect()
    after = refcounts(watched)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"reference counts changed over 300 rounds: {changed}"


@needs_plain_allocator
def test_resident_memory_stays_flat():
    """~74,000 calls per 1,000 rounds.  Resident memory may grow by 1.5 MiB at most: a leaked
    result array (8 KB at n=1000) would be ~600 MiB, a leaked Python object per call a few
    MiB.  Where glibc tells the heap in use, it must stay within 256 KiB: the smallest
    malloc leak, 32 bytes a call, would be over 2 MiB."""
    watched, one_round = make_workload()
    del watched
    for _ in range(100):
        one_round()
    gc.collect()
    start, heap_start = resident_bytes(), heap_in_use()
    samples = []
    for i in range(1, 1001):
        one_round()
        if i % 100 == 0:
            gc.collect()
            samples.append(resident_bytes() - start)
    heap_end = heap_in_use()
    growth = samples[-1]
    assert growth < 1.5 * 2**20, (f"resident memory grew by {growth / 2**20:.2f} MiB; "
                                  f"samples (MiB): {[round(s / 2**20, 2) for s in samples]}")
    if heap_start is not None and heap_end is not None:
        assert heap_end - heap_start < 256 * 1024, (
            f"C heap in use grew by {(heap_end - heap_start) / 1024:.0f} KiB")


@needs_plain_allocator
@pytest.mark.parametrize("f", UFUNCS, ids=lambda f: f.__name__)
def test_large_calls_return_their_memory(f):
    """Results of 32 MiB calls (contiguous, strided, casting, errors) are all freed.

    Ten rounds of three results: keeping any one result per round would hold 160 MiB or
    more.  Resident memory gets a loose bound (glibc keeps some freed blocks of this size
    in its heap); the heap in use, where glibc reports it, a tight one."""
    x = np.random.default_rng(1).uniform(-30, 30, 2**22)
    for _ in range(2):
        f(x)
        f(x[::2])
        f(x.astype(np.float32), dtype=np.float64)
    gc.collect()
    start, heap_start = resident_bytes(), heap_in_use()
    for _ in range(10):
        y = f(x)
        z = f(x[::2])
        w = f(x.astype(np.float32), dtype=np.float64)
        del y, z, w
        try:
            f(x, out=np.empty(3))
        except ValueError:
            pass
    gc.collect()
    growth, heap_end = resident_bytes() - start, heap_in_use()
    assert growth < 100 * 2**20, f"resident memory grew by {growth / 2**20:.1f} MiB"
    if heap_start is not None and heap_end is not None:
        assert heap_end - heap_start < 2**20, (
            f"C heap in use grew by {(heap_end - heap_start) / 2**20:.1f} MiB")
