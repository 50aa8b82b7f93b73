"""No leaks: long loops of calls keep reference counts and resident memory flat.

Every kind of call of every ufunc of the family (with its real signature: two inputs for
sigmoid_backward, an out= tuple for sigmoid_and_grad) is in the loop: each dtype,
contiguous and strided, out=, where=, dtype=, integer input (NumPy's casting buffers),
Python and NumPy scalars, 0-d arrays, byte-swapped input, and calls that raise.  After a
warm-up (NumPy fills its caches on first use) the reference counts of the inputs, outputs,
ufuncs, dtypes and the module must not change at all, and the resident set size may grow
by a small bound only.
"""

import ctypes
import gc
import os
import resource
import sys

import numpy as np
import pytest

import sigmoidx
from family import COMPLEX_UFUNCS, FLOAT_DTYPES, UFUNCS, name, operands, outs


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
    inputs = {np.dtype(d).name: base.astype(d) for d in FLOAT_DTYPES}
    # per ufunc: its operands for each dtype, its out= tuples (contiguous and strided)
    ops = {f: {k: operands(f, x) for k, x in inputs.items()} for f in UFUNCS}
    out = {f: {k: outs(f, lambda: np.empty(n, dtype=x.dtype)) for k, x in inputs.items()}
           for f in UFUNCS}
    strided_out = {f: {k: outs(f, lambda: np.empty(2 * n, dtype=x.dtype)[::2])
                       for k, x in inputs.items()} for f in UFUNCS}
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
    complexes = np.array([1 + 2j])  # sigmoid, sigmoid_grad: one more call, no error
    # a float32 signalling NaN: every float32 loop raises 'invalid' on it
    snan = np.array([np.uint32(0x7F800001)]).view(np.float32)
    expected_errors = sum(9 - (f in COMPLEX_UFUNCS) for f in UFUNCS)

    def one_round():
        errors = 0
        for f in UFUNCS:
            for k, xs in ops[f].items():
                f(*xs)
                f(*(x[:n] for x in xs), out=out[f][k])
                f(*(x[::2] for x in xs), out=strided_out[f][k])
                f(*(x[::-2] for x in xs), out=out[f][k], where=mask)
                f(*(x[1 : n + 1] for x in xs), out=out[f][k], casting="same_kind")
            f(*ops[f]["float64"], dtype=np.float32)
            f(*(ints,) * f.nin)
            f(*(ints,) * f.nin, out=out[f]["float64"])
            f(*(swapped,) * f.nin)
            f(*(zero_d,) * f.nin)
            f(*(f32_scalar,) * f.nin)
            f(*(0.5,) * f.nin)
            f(*([1.0, -2.0, 3.0],) * f.nin)
            f(*ops[f]["float32"], out=None if f.nout == 1 else (None,) * f.nout)
            x64 = tuple(x[:n] for x in ops[f]["float64"])
            for bad_args, bad_kwargs in (
                (x64, {"out": (bad_shape_out,) * f.nout}),
                (x64, {"out": (read_only_out,) * f.nout}),
                (x64, {"out": (int_out,) * f.nout}),
                ((ints,) * f.nin, {"casting": "no"}),
                ((strings,) * f.nin, {}),
                ((objects,) * f.nin, {}),
                ((complexes,) * f.nin, {}),
                (ops[f]["float64"], {"bogus": 1}),
            ):
                try:
                    f(*bad_args, **bad_kwargs)
                except (TypeError, ValueError):
                    errors += 1
            with np.errstate(invalid="raise"):
                try:
                    f(*(snan,) * f.nin)
                except FloatingPointError:
                    errors += 1
        assert errors == expected_errors
        return errors

    watched = {
        **{f"input {k}": v for k, v in inputs.items()},
        **{f"{f.__name__} operand {i} {k}": x for f in UFUNCS for k, xs in ops[f].items()
           for i, x in enumerate(xs)},
        **{f"{f.__name__} out {j} {k}": o for f in UFUNCS for k, os_ in out[f].items()
           for j, o in enumerate(os_)},
        **{f"{f.__name__} strided out {j} {k}": o for f in UFUNCS
           for k, os_ in strided_out[f].items() for j, o in enumerate(os_)},
        "mask": mask, "ints": ints, "swapped": swapped, "0-d": zero_d,
        "float32 scalar": f32_scalar, "bad-shape out": bad_shape_out,
        "read-only out": read_only_out, "int out": int_out, "strings": strings,
        "objects": objects, "complexes": complexes, "snan": snan,
        **{f.__name__: f for f in UFUNCS},
        "module": sigmoidx._core,
        **{f"dtype {np.dtype(d).name}": np.dtype(d) for d in FLOAT_DTYPES + (np.int32, np.int64)},
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
    """About 91,000 calls (400 rounds of 228).  Resident memory may grow by 1.5 MiB at most:
    a leaked result array (8 KB at n=1000) would be ~700 MiB, a leaked Python object per
    call a few MiB.  Where glibc tells the heap in use, it must stay within 256 KiB: the
    smallest malloc leak, 32 bytes a call, would be over 2 MiB."""
    watched, one_round = make_workload()
    del watched
    for _ in range(40):
        one_round()
    gc.collect()
    start, heap_start = resident_bytes(), heap_in_use()
    samples = []
    for i in range(1, 401):
        one_round()
        if i % 40 == 0:
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
@pytest.mark.parametrize("f", UFUNCS, ids=name)
def test_large_calls_return_their_memory(f):
    """Results of 32 MiB calls (contiguous, strided, casting, errors) are all freed.

    Ten rounds of three calls (each result 16 to 32 MiB per output): keeping any one
    result per round would hold 160 MiB or more.  Resident memory gets a loose bound
    (glibc keeps some freed blocks of this size in its heap); the heap in use, where glibc
    reports it, a tight one."""
    xs = operands(f, np.random.default_rng(1).uniform(-30, 30, 2**22))
    xs32 = tuple(x.astype(np.float32) for x in xs)
    for _ in range(2):
        f(*xs)
        f(*(x[::2] for x in xs))
        f(*xs32, dtype=np.float64)
    gc.collect()
    start, heap_start = resident_bytes(), heap_in_use()
    for _ in range(10):
        y = f(*xs)
        z = f(*(x[::2] for x in xs))
        w = f(*xs32, dtype=np.float64)
        del y, z, w
        try:
            f(*xs, out=(np.empty(3),) * f.nout)
        except ValueError:
            pass
    gc.collect()
    growth, heap_end = resident_bytes() - start, heap_in_use()
    assert growth < 100 * 2**20, f"resident memory grew by {growth / 2**20:.1f} MiB"
    if heap_start is not None and heap_end is not None:
        assert heap_end - heap_start < 2**20, (
            f"C heap in use grew by {(heap_end - heap_start) / 2**20:.1f} MiB")
