"""Max ULP error of sigmoidx.sigmoid, sigmoid_grad, log_sigmoid and logit, per dtype, over sweeps.

* float32: every one of the 2**32 bit patterns (or every --step-th), plus every pattern
  within 2**15 ULP of each float32 threshold and the subnormal-result range;
* float16: all 65,536 bit patterns;
* float64: the edge sets of the test suite (thresholds, subnormal results, saturation,
  tiny |x|) and --f64-random random inputs;
* long double: --ld-points inputs against mpmath.

The references and input sets are those of the test suite (tests/reference.py and
tests/inputs.py), never sigmoidx itself: NumPy arithmetic in a wider type (float64 for
float16/32 inputs, long double for float64 inputs) with every borderline case and the
worst inputs re-measured against mpmath.  Prints a markdown table; exits with status 1
if any maximum breaks the contract (1 ULP; 2 ULP for long double, 3 for log_sigmoid's and logit's).

Run it with the installed package, e.g. from the repository root:
    python benchmarks/accuracy.py              # everything: ~7 min on 2 cores
    python benchmarks/accuracy.py --step 257   # a quick subsample (~20 s)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# the installed sigmoidx, never the uncompiled source folder at the repository root
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO]
sys.path.insert(0, str(REPO / "tests"))

import numpy as np  # noqa: E402

import sigmoidx  # noqa: E402
from inputs import (float16_all, float32_strided, float32_thresholds, float64_edges,  # noqa: E402
                    float64_random, longdouble_points)
from reference import FUNCTIONS, max_ulp_error, reference_mp, refine_margin, ulp_error  # noqa: E402

BOUND = {"float16": 1.0, "float32": 1.0, "float64": 1.0, "longdouble": 2.0}
LONGDOUBLE_BOUND = {"log_sigmoid": 3.0, "logit": 3.0}  # libm's expl, logl and log1pl


def bound_of(dtype_name, name):
    return LONGDOUBLE_BOUND.get(name, 2.0) if dtype_name == "longdouble" else BOUND[dtype_name]
WORK = {"float16": np.longdouble, "float32": np.float64, "float64": np.longdouble}


class Worst:
    """Running maximum of the ULP error of one function over one dtype."""

    def __init__(self):
        self.value, self.x, self.actual = -1.0, None, None
        self.count = 0
        self.over_half = 0  # inputs certainly not correctly rounded
        self.over_bound = 0

    def add(self, other):
        if other.value > self.value:
            self.value, self.x, self.actual = other.value, other.x, other.actual
        self.count += other.count
        self.over_half += other.over_half
        self.over_bound += other.over_bound


def measure(dtype_name, x):
    """Worst errors of both functions over one chunk of inputs (runs in a worker)."""
    out = {}
    for name in FUNCTIONS:
        f = getattr(sigmoidx, name)
        with np.errstate(invalid="ignore"):  # bit-pattern sweeps include signalling NaNs
            actual = f(x)
        bound = bound_of(dtype_name, name)
        if dtype_name == "longdouble":
            errors = ulp_error(actual, reference_mp(name, x), np.longdouble)
            margin = 0.0
        else:
            _, errors = max_ulp_error(name, x, actual, work=WORK[dtype_name], bound=bound,
                                      refine_top=4)
            margin = refine_margin(actual.dtype, WORK[dtype_name])
        w = Worst()
        i = int(np.argmax(errors))
        w.value, w.x, w.actual = float(errors[i]), x[i], actual[i]
        w.count = x.size
        w.over_half = int(np.count_nonzero(errors > 0.5 + margin))
        w.over_bound = int(np.count_nonzero(errors > bound))
        out[name] = w
    return out


def _keep_freed_memory():
    """Ask glibc to serve the large per-chunk arrays from the heap and keep freed memory:
    otherwise every chunk maps fresh pages and page faults triple the run time."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 31)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc: only slower
        pass


def run_task(task):
    kind, args = task
    if kind == "f32":
        start, stop, step = args
        x = float32_strided(step, start, stop)
        return "float32", measure("float32", x)
    if kind == "f32-thresholds":
        return "float32", measure("float32", float32_thresholds())
    if kind == "f16":
        return "float16", measure("float16", float16_all())
    if kind == "f64-edges":
        return "float64", measure("float64", float64_edges())
    if kind == "f64-random":
        n, seed = args
        return "float64", measure("float64", float64_random(n, seed))
    if kind == "ld":
        n, seed = args
        return "longdouble", measure("longdouble", longdouble_points(n, seed))
    raise ValueError(kind)


def plan(args):
    """The tasks and their sizes (for the progress bar)."""
    tasks = []
    per_task = args.chunk
    span = per_task * args.step  # bit patterns covered by one task
    for start in range(0, 2**32, span):
        stop = min(start + span, 2**32)
        n = len(range(start, stop, args.step))
        tasks.append((("f32", (start, stop, args.step)), n))
    tasks.append((("f32-thresholds", None), len(float32_thresholds())))
    tasks.append((("f16", None), 2**16))
    tasks.append((("f64-edges", None), len(float64_edges())))
    remaining, seed = args.f64_random, 100
    while remaining > 0:
        n = min(remaining, 2_000_000)
        tasks.append((("f64-random", (n, seed)), n))
        remaining -= n
        seed += 1
    for seed in range(args.ld_points // 2000):
        tasks.append((("ld", (2000, 200 + seed)), len(longdouble_points(2000, 200 + seed))))
    # the long tasks first, so that the two workers finish together
    tasks.sort(key=lambda t: -t[1])
    return tasks


def fmt_x(x):
    """An input as NumPy prints it (shortest round-trip repr of its own dtype)."""
    return "—" if x is None else str(x)


def table(results, args):
    described = {
        "float16": "all 65,536",
        "float32": (f"all {2**32:,}" if args.step == 1 else f"every {args.step}th pattern")
        + " + thresholds",
        "float64": f"edge sets + {args.f64_random:,} random",
        "longdouble": "vs mpmath",
    }
    lines = [
        "| dtype | inputs | " + " | ".join(f"{n} max ULP | worst x" for n in FUNCTIONS)
        + " | contract |",
        "|---|---|" + "---|---|" * len(FUNCTIONS) + "---|",
    ]
    ok = True
    for dtype in ("float16", "float32", "float64", "longdouble"):
        if dtype not in results:
            continue
        worst = [results[dtype][n] for n in FUNCTIONS]
        good = all(w.value <= bound_of(dtype, n) for w, n in zip(worst, FUNCTIONS))
        ok &= good
        name = "long double" if dtype == "longdouble" else dtype
        bounds = "/".join(f"{bound_of(dtype, n):g}" for n in FUNCTIONS)
        lines.append(
            f"| {name} | {worst[0].count:,} ({described[dtype]}) | "
            + " | ".join(f"{w.value:.4f} | {fmt_x(w.x)}" for w in worst)
            + f" | ≤ {bounds} {'✓' if good else '✗ BROKEN'} |")
    lines.append("")
    lines.append("Inputs not correctly rounded (error > 0.5 ULP): " + ", ".join(
        f"{d} " + " / ".join(f"{results[d][n].over_half:,}" for n in FUNCTIONS) for d in results)
        + f" ({' / '.join(FUNCTIONS)}).")
    return "\n".join(lines), ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--step", type=int, default=1,
                        help="test every STEP-th float32 bit pattern (default 1: all 2**32)")
    parser.add_argument("--chunk", type=int, default=1 << 22,
                        help="float32 inputs per task (default 2**22; memory ~1 GB per worker)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: all cores)")
    parser.add_argument("--f64-random", type=int, default=10_000_000,
                        help="random float64 inputs (default 10,000,000)")
    parser.add_argument("--ld-points", type=int, default=20_000,
                        help="long double inputs checked against mpmath (default 20,000)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.step < 1 or args.chunk < 1:
        parser.error("--step and --chunk must be positive")

    if Path(sigmoidx.__file__).resolve().parent == REPO / "sigmoidx":
        sys.exit("imported the source folder, not the installed sigmoidx: pip install . first")
    config = sigmoidx.show_config() if hasattr(sigmoidx, "show_config") else {}
    print(f"sigmoidx {sigmoidx.__version__} from {Path(sigmoidx.__file__).parent}, "
          f"kernel level {config.get('kernel_level', '?')}; numpy {np.__version__}; "
          f"{args.workers} workers\n", flush=True)

    tasks = plan(args)
    total = sum(n for _, n in tasks)
    results = {}
    t0 = time.perf_counter()
    try:
        from tqdm import tqdm
        bar = tqdm(total=total, unit="x", unit_scale=True, disable=args.no_progress,
                   smoothing=0.05)
    except ImportError:  # the progress bar is optional
        bar = None
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ctx.Pool(args.workers, initializer=_keep_freed_memory) as pool:
        for (dtype, found), (task, n) in zip(
                pool.imap(run_task, [t for t, _ in tasks]), tasks):
            acc = results.setdefault(dtype, {name: Worst() for name in FUNCTIONS})
            for name in FUNCTIONS:
                acc[name].add(found[name])
            if bar is not None:
                bar.update(n)
    if bar is not None:
        bar.close()
    text, ok = table(results, args)
    print(text)
    print(f"\n({total:,} inputs in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
