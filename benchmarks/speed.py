"""Speed of sigmoidx against its peers, side by side, single thread, one process.

For every case (function, dtype, size, layout) each candidate is timed in
interleaved rounds: one round times every candidate once, over enough calls to
last about --target-ms, and the best round per candidate is kept.  The result
is printed as a markdown table of nanoseconds per element with ratios
"peer time / sigmoidx time" (higher means sigmoidx is faster), and drawn as a
bar chart (PNG) for the README.

Peers: scipy.special.expit, the NumPy expression 1/(1+np.exp(-x)), numexpr,
torch and jax (both optional: skipped when not importable), and np.copyto as
the memory-copy limit.

Run it from outside the source tree so that the installed sigmoidx is the one
imported, e.g.  cd /tmp && python /path/to/benchmarks/speed.py --quick

--threads instead times every library with its default threads (issue 15): sigmoidx
with 1 thread and with its default, torch.sigmoid, numexpr and np.copyto, on
contiguous float32 and float64 arrays from 1e3 to 2^27 elements, not pinned.
"""

from __future__ import annotations

import os
import sys

# Single thread everywhere.  These must be set before numpy, numexpr, torch or
# jax are imported: the libraries read them once, at import.  (XLA's element-wise
# loops ignore them; main() also pins the process to one CPU for that.)
# (--threads: every library keeps its defaults, and the environment is left alone.)
THREADS_MODE = "--threads" in sys.argv[1:]
for _var in () if THREADS_MODE else ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "NUMEXPR_MAX_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"
if not THREADS_MODE:
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_cpu_multi_thread_eigen=false").strip()

import argparse  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402

FUNCTIONS = ("sigmoid", "sigmoid_grad")
DTYPES = {"float16": np.float16, "float32": np.float32,
          "float64": np.float64, "longdouble": np.longdouble}
LAYOUTS = ("contiguous", "strided")
DEFAULT_SIZES = "1e3,1e5,2e6"
DEFAULT_BIG = 2**27          # by default only float32/float64 contiguous: the copy-limit target
QUICK_SIZES = "1e3,1e5"
CHART_SIZES = (10**5, 2 * 10**6)
INPUT_RANGE = 20.0           # inputs are uniform in [-INPUT_RANGE, INPUT_RANGE]
BIG = 2**24                  # above this many elements, fewer rounds
BIG_ROUNDS = 2                # plus the calibration sample
THREAD_WARNING = 1.25        # CPU seconds per wall second that betray extra threads
CHECK_MAX = 10**5            # answers are checked against sigmoidx up to this size


class Unavailable(Exception):
    """A candidate cannot run a case; the message says why."""


# ----------------------------------------------------------------------------
# Libraries


def optional_import(name: str):
    """Import a module, or return None when it is not installed or broken."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None


def load_libraries() -> dict:
    """Import sigmoidx and the peers, each set to run on one thread."""
    try:
        import sigmoidx
    except ImportError as exc:
        sys.exit(f"cannot import sigmoidx ({exc}); install it first (pip install .) "
                 "and run this script from outside the source tree")
    libs = {"sigmoidx": sigmoidx,
            "scipy.special": optional_import("scipy.special"),
            "numexpr": optional_import("numexpr"),
            "torch": optional_import("torch"),
            "jax": optional_import("jax")}
    if THREADS_MODE:
        return libs
    if libs["numexpr"] is not None:
        libs["numexpr"].set_num_threads(1)
    if libs["torch"] is not None:
        libs["torch"].set_num_threads(1)
        try:
            libs["torch"].set_num_interop_threads(1)
        except RuntimeError:  # already set, or parallel work already started
            pass
    if libs["jax"] is not None:
        libs["jax"].config.update("jax_enable_x64", True)  # else float64 runs as float32
        try:  # run on the calling thread: no hand-off to a dispatch thread per call
            libs["jax"].config.update("jax_cpu_enable_async_dispatch", False)
        except (AttributeError, KeyError):  # older jax
            pass
        libs["jax.nn"] = importlib.import_module("jax.nn")
    return libs


def pin_to_cpu(choice: str) -> str:
    """Pin this process (and every thread it starts later) to one CPU.

    Libraries' own flags do not always keep them on one thread (XLA's CPU
    runtime splits large element-wise loops over a pool of its own), so the
    thread pools, created at import, are made to share one core.
    """
    if choice == "none":
        return "not pinned"
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[0] if choice == "auto" else int(choice)
    if cpu not in allowed:
        sys.exit(f"--cpu {cpu}: not one of the allowed CPUs {allowed}")
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def version_of(module) -> str:
    if module is None:
        return "not installed"
    return getattr(module, "__version__", "?")


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else what platform knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ----------------------------------------------------------------------------
# Candidates: each builder prepares one case outside the timing and returns a
# zero-argument callable that does the work once, or raises Unavailable.
# Builders get (libs, func, x, out); out is a contiguous array like x.


def build_sigmoidx_out(libs, func, x, out):
    ufunc = getattr(libs["sigmoidx"], func)
    return lambda: ufunc(x, out=out)


def build_sigmoidx_new(libs, func, x, out):
    ufunc = getattr(libs["sigmoidx"], func)
    return lambda: ufunc(x)


def build_expit(libs, func, x, out):
    if libs["scipy.special"] is None:
        raise Unavailable("scipy is not installed")
    expit = libs["scipy.special"].expit
    if func == "sigmoid":
        return lambda: expit(x, out=out)

    def expit_grad():
        s = expit(x)
        return s * (1 - s)
    return expit_grad


def build_numpy_expression(libs, func, x, out):
    # Runs inside np.errstate(over="ignore"): exp(-x) overflows for x << 0.
    if func == "sigmoid":
        return lambda: 1 / (1 + np.exp(-x))

    def numpy_grad():
        s = 1 / (1 + np.exp(-x))
        return s * (1 - s)
    return numpy_grad


def build_numexpr(libs, func, x, out):
    ne = libs["numexpr"]
    if ne is None:
        raise Unavailable("numexpr is not installed")
    if x.dtype not in (np.float32, np.float64):
        raise Unavailable(f"numexpr has no {x.dtype} arithmetic")
    if func == "sigmoid":
        return lambda: ne.evaluate("1/(1+exp(-x))", local_dict={"x": x}, out=out)
    s = np.empty_like(out)

    def numexpr_grad():
        ne.evaluate("1/(1+exp(-x))", local_dict={"x": x}, out=s)
        return ne.evaluate("s*(1-s)", local_dict={"s": s}, out=out)
    return numexpr_grad


def build_torch(libs, func, x, out):
    torch = libs["torch"]
    if torch is None:
        raise Unavailable("torch is not installed")
    try:
        xt, outt = torch.from_numpy(x), torch.from_numpy(out)
    except TypeError as exc:
        raise Unavailable(f"torch has no {x.dtype}") from exc
    if func == "sigmoid":
        return lambda: torch.sigmoid(xt, out=outt)

    def torch_grad():
        y = torch.sigmoid(xt)
        return y * (1 - y)
    return torch_grad


def build_jax(libs, func, x, out):
    jax = libs["jax"]
    if jax is None:
        raise Unavailable("jax is not installed")
    if not x.flags.c_contiguous:
        raise Unavailable("jax arrays have no strides (strided input would be a copy)")
    if x.dtype == np.longdouble and np.finfo(np.longdouble).nmant > 52:
        raise Unavailable("jax has no long double")
    sigmoid = libs["jax.nn"].sigmoid
    if func == "sigmoid":
        f = jax.jit(sigmoid)
    else:
        def grad(v):
            y = sigmoid(v)
            return y * (1 - y)
        f = jax.jit(grad)
    xj = jax.device_put(x)
    return lambda: f(xj).block_until_ready()


def build_copyto(libs, func, x, out):
    return lambda: np.copyto(out, x)


@dataclass(frozen=True)
class Candidate:
    key: str
    name: str                      # chart legend and messages
    column: str                    # table header for sigmoid
    build: Callable
    grad_column: str = ""          # header for sigmoid_grad, when it differs
    grad_code: str = ""            # what it computes for sigmoid_grad, for the legend
    writes_out: tuple = ()         # functions for which it fills a preallocated out
    is_peer: bool = True           # False for sigmoidx itself and the copy limit

    def header(self, func: str) -> str:
        return self.grad_column if func == "sigmoid_grad" and self.grad_column else self.column

    def fills_out(self, func: str) -> bool:
        return func in self.writes_out

    def reference(self, func: str) -> str | None:
        """The sigmoidx variant this peer is compared with: like with like.

        Peers that fill a preallocated output are compared with
        sigmoidx(x, out=out); peers that return a new array with sigmoidx(x).
        """
        if not self.is_peer:
            return None
        return "sigmoidx_out" if func in self.writes_out else "sigmoidx"


BOTH = FUNCTIONS
CANDIDATES = (
    Candidate("sigmoidx_out", "sigmoidx(x, out=out)", "sigmoidx out=", build_sigmoidx_out,
              writes_out=BOTH, is_peer=False),
    Candidate("sigmoidx", "sigmoidx(x)", "sigmoidx", build_sigmoidx_new, is_peer=False),
    Candidate("expit", "scipy expit", "expit out=", build_expit, grad_column="expit, s*(1-s)",
              grad_code="s = expit(x); s*(1-s)", writes_out=("sigmoid",)),
    Candidate("numpy", "NumPy expression", "NumPy expr", build_numpy_expression,
              grad_code="s = 1/(1+np.exp(-x)); s*(1-s)"),
    Candidate("numexpr", "numexpr", "numexpr out=", build_numexpr, writes_out=BOTH,
              grad_code="'1/(1+exp(-x))' into s, then 's*(1-s)' into out"),
    Candidate("torch", "torch", "torch out=", build_torch, grad_column="torch y*(1-y)",
              grad_code="y = torch.sigmoid(x); y*(1-y)", writes_out=("sigmoid",)),
    Candidate("jax", "jax (jit)", "jax jit", build_jax,
              grad_code="jit(lambda v: (y := sigmoid(v)) * (1-y))"),
    Candidate("copyto", "np.copyto (memory limit)", "np.copyto", build_copyto,
              writes_out=BOTH, is_peer=False),
)
BY_KEY = {c.key: c for c in CANDIDATES}


def float16_note(candidate: Candidate, libs, dtype) -> str:
    """Marker for a peer that has no float16 loop and casts to float32 and back."""
    if dtype != np.float16 or candidate.key != "expit" or libs["scipy.special"] is None:
        return ""
    return "" if "e->e" in libs["scipy.special"].expit.types else "\u2020"


# ----------------------------------------------------------------------------
# Timing


def time_calls(fn: Callable, calls: int) -> tuple[float, float]:
    """Wall and CPU seconds for `calls` back-to-back calls of fn."""
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(calls):
        fn()
    t1, c1 = time.perf_counter(), time.process_time()
    return t1 - t0, c1 - c0


@dataclass
class Timing:
    best: float = float("inf")       # seconds per call, best sample
    wall: float = 0.0                # totals over all samples, for the thread check
    cpu: float = 0.0

    def add(self, calls: int, wall: float, cpu: float) -> None:
        self.best = min(self.best, wall / calls)
        self.wall += wall
        self.cpu += cpu


def calibrate(fn: Callable, target: float, timing: Timing) -> int:
    """Number of calls that last about `target` seconds.

    One untimed warm-up call first (page faults, jit compilation); the last
    calibration measurement counts as a sample, which saves a round on big arrays.
    """
    fn()
    calls = 1
    while True:
        wall, cpu = time_calls(fn, calls)
        if wall >= target / 5 or calls >= 2**26:
            timing.add(calls, wall, cpu)
            return max(1, round(calls * target / max(wall, 1e-9)))
        calls *= 4


def measure(benches: dict[str, Callable], rounds: int, target: float) -> dict[str, Timing]:
    """Best-of-rounds seconds per call for each bench, interleaved.

    Each round times every bench once; the starting bench rotates from round
    to round so that no candidate always runs right after the same neighbour.
    """
    timings = {key: Timing() for key in benches}
    calls = {key: calibrate(fn, target, timings[key]) for key, fn in benches.items()}
    keys = list(benches)
    for r in range(rounds):
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            timings[key].add(calls[key], *time_calls(benches[key], calls[key]))
    return timings


# ----------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Case:
    func: str
    dtype: type
    size: int
    layout: str
    out_only: bool = False    # run only the candidates that fill a preallocated out

    def label(self) -> str:
        layout = "contig" if self.layout == "contiguous" else "strided"
        return f"{dtype_name(self.dtype)} {format_size(self.size)} {layout}"


@dataclass
class Result:
    case: Case
    ns: dict[str, float] = field(default_factory=dict)          # ns per element
    missing: dict[str, str] = field(default_factory=dict)       # key -> reason
    marks: dict[str, str] = field(default_factory=dict)         # key -> footnote mark
    threads: dict[str, float] = field(default_factory=dict)     # key -> cpu/wall
    wrong: list[str] = field(default_factory=list)              # keys that failed the check


def make_input(size: int, dtype, layout: str, seed: int) -> np.ndarray:
    """Uniform in [-INPUT_RANGE, INPUT_RANGE]; strided means x[::2] of a 2n array."""
    rng = np.random.default_rng(seed)
    n = 2 * size if layout == "strided" else size
    work = np.float32 if dtype in (np.float16, np.float32) else np.float64
    base = rng.random(n, dtype=work)
    base *= 2 * INPUT_RANGE
    base -= INPUT_RANGE
    base = base.astype(dtype, copy=False)
    return base[::2] if layout == "strided" else base


def as_numpy(value) -> np.ndarray:
    """A NumPy view of a result: torch tensors through .numpy(), others as arrays."""
    return value.numpy() if hasattr(value, "numpy") else np.asarray(value)


def wrong_answers(benches: dict[str, Callable], case: Case) -> list[str]:
    """Keys of candidates whose answer differs from sigmoidx by more than 4 eps.

    A guard against timing a wrong formula, not an accuracy test: the values
    lie in [0, 1], so one absolute tolerance of a few epsilons fits them all.
    """
    wide = np.result_type(case.dtype, np.float64)
    answers = {key: np.array(as_numpy(fn()), dtype=wide)  # a copy: out is shared
               for key, fn in benches.items() if key != "copyto"}
    expected = answers.pop("sigmoidx_out")
    tolerance = 4 * float(np.finfo(case.dtype).eps)
    return [key for key, got in answers.items()
            if got.shape != expected.shape
            or not np.allclose(got, expected, rtol=0, atol=tolerance)]


def run_case(case: Case, libs, args) -> Result:
    x = make_input(case.size, case.dtype, case.layout, args.seed)
    out = np.empty(case.size, dtype=case.dtype)
    result = Result(case)
    benches = {}
    for cand in CANDIDATES:
        if case.out_only and not cand.fills_out(case.func):
            result.missing[cand.key] = (f"not run in the default {format_size(case.size)} "
                                        "cases, where allocation page faults would dominate "
                                        "(ask for that size with --sizes to include it)")
            continue
        try:
            benches[cand.key] = cand.build(libs, case.func, x, out)
        except Unavailable as exc:
            result.missing[cand.key] = str(exc)
            continue
        result.marks[cand.key] = float16_note(cand, libs, case.dtype)
    rounds = min(args.rounds, BIG_ROUNDS) if case.size > BIG else args.rounds
    with np.errstate(over="ignore"):
        if case.size <= CHECK_MAX:
            result.wrong = wrong_answers(benches, case)
        timings = measure(benches, rounds, args.target_ms / 1000)
    for key, t in timings.items():
        result.ns[key] = t.best / case.size * 1e9
        result.threads[key] = t.cpu / t.wall if t.wall > 0 else 1.0
    del benches, x, out
    gc.collect()
    return result


# ----------------------------------------------------------------------------
# Report


def dtype_name(dtype) -> str:
    return next(name for name, d in DTYPES.items() if d == dtype)


def format_size(n: int) -> str:
    """1000 -> 1e3, 2000000 -> 2e6, 2**27 -> 2^27, others as digits."""
    if n >= 2**10 and n & (n - 1) == 0:
        return f"2^{n.bit_length() - 1}"
    exponent = len(str(n)) - 1
    mantissa, rest = divmod(n, 10**exponent)
    if exponent >= 3 and rest == 0:
        return f"{mantissa}e{exponent}"
    return str(n)


def format_ns(ns: float) -> str:
    return f"{ns:#.3g}".rstrip(".")


def ratio(result: Result, key: str, reference: str | None) -> float | None:
    if reference is None or reference not in result.ns or key not in result.ns:
        return None
    return result.ns[key] / result.ns[reference]


def cell(result: Result, cand: Candidate) -> str:
    if cand.key not in result.ns:
        return "\u2014"
    text = format_ns(result.ns[cand.key]) + result.marks.get(cand.key, "")
    r = ratio(result, cand.key, cand.reference(result.case.func))
    return f"{text} ({r:.1f}x)" if r is not None else text


def markdown_table(func: str, results: list[Result]) -> str:
    """One row per case; cells are ns/element, with (peer / sigmoidx) ratios."""
    columns = [c for c in CANDIDATES if any(c.key in r.ns for r in results)]
    header = ["case"] + [c.header(func) for c in columns] + ["sigmoidx / copyto"]
    lines = [f"### {func}", "",
             "| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for res in results:
        limit = ratio(res, "sigmoidx_out", "copyto")
        row = [res.case.label()] + [cell(res, c) for c in columns]
        row.append(format_ns(limit) if limit is not None else "\u2014")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def legend(func_names: list[str], results: list[Result]) -> str:
    lines = [
        "ns per element, best of the rounds (lower is better). "
        "(Nx) = peer time / sigmoidx time, higher means sigmoidx is faster; "
        "like is compared with like: peers writing into a preallocated out= "
        "against `sigmoidx(x, out=out)`, peers returning a new array against `sigmoidx(x)`.",
        "sigmoidx / copyto = time of `sigmoidx(x, out=out)` over `np.copyto(out, x)`, "
        "the memory-copy limit (1.0 = as fast as a copy).",
        "strided = `x[::2]` of a 2n array into a contiguous out. "
        "NumPy expr runs under `np.errstate(over='ignore')`.",
    ]
    if "sigmoid_grad" in func_names:
        codes = [f"{c.header('sigmoid_grad')}: `{c.grad_code}`"
                 for c in CANDIDATES if c.grad_code]
        lines.append("sigmoid_grad peers: " + "; ".join(codes) + ".")
    if any(mark for r in results for mark in r.marks.values()):
        lines.append("\u2020 no float16 loop: NumPy casts the input to float32 and the "
                     "result back to float16.")
    if any(r.case.dtype == np.float16 for r in results):
        lines.append("float16 elsewhere: NumPy's float16 loops and torch's CPU Half kernels "
                     "compute each operation in float32 and round to float16 after it.")
    names_by_reason: dict[str, list] = {}
    for r in results:
        for key, why in r.missing.items():
            names = names_by_reason.setdefault(why, [])
            if BY_KEY[key].name not in names:
                names.append(BY_KEY[key].name)
    lines.extend(f"\u2014 {', '.join(names)}: {why}."
                 for why, names in names_by_reason.items())
    return "\n\n".join(lines)


def warnings_for(results: list[Result]) -> list[str]:
    """Candidates that seemed to use more than one thread, or answered wrongly."""
    threads = [f"warning: {BY_KEY[key].name} used {load:.2f} CPU-s per wall-s on "
               f"{r.case.func} {r.case.label()}: not single-threaded?"
               for r in results for key, load in r.threads.items() if load > THREAD_WARNING]
    wrong = [f"warning: {BY_KEY[key].name} disagrees with sigmoidx by more than 4 eps "
             f"on {r.case.func} {r.case.label()}"
             for r in results for key in r.wrong]
    return threads + wrong


def environment_report(libs, args) -> str:
    jaxlib = optional_import("jaxlib") if libs["jax"] is not None else None
    versions = [f"numpy {np.__version__}",
                f"scipy {version_of(optional_import('scipy'))}",
                f"numexpr {version_of(libs['numexpr'])}",
                f"torch {version_of(libs['torch'])}",
                f"jax {version_of(libs['jax'])}"
                + (f" (jaxlib {version_of(jaxlib)})" if jaxlib else "")]
    lines = [
        f"CPU: {cpu_model()} ({os.cpu_count()} logical CPUs), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"sigmoidx {version_of(libs['sigmoidx'])}: {show_config_text(libs['sigmoidx'])}",
        "peers: " + ", ".join(versions),
        (f"threads: each library's default, not pinned, {len(os.sched_getaffinity(0))} "
         f"CPUs allowed; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}"
         if args.threads else
         f"threads: 1, {args.pinned} (OMP/MKL/OPENBLAS/NUMEXPR env = 1, "
         "numexpr.set_num_threads(1), torch.set_num_threads(1), "
         "jax without async dispatch)"),
        f"timing: best of {args.rounds} interleaved rounds and a calibration run "
        f"({min(args.rounds, BIG_ROUNDS)} rounds above {format_size(BIG)} elements), "
        f"~{args.target_ms:g} ms per candidate per round; input uniform in "
        f"[-{INPUT_RANGE:g}, {INPUT_RANGE:g}], seed {args.seed}",
    ]
    return "\n".join("- " + line for line in lines)


def show_config_text(sigmoidx) -> str:
    """What sigmoidx.show_config() says, if sigmoidx has it (returned or printed)."""
    show = getattr(sigmoidx, "show_config", None)
    if show is None:
        return "(no show_config)"
    import contextlib
    import io
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        returned = show()
    text = printed.getvalue().strip()
    return " ".join(filter(None, [text, "" if returned is None else str(returned)]))


# ----------------------------------------------------------------------------
# Chart


def write_chart(path: Path, results: list[Result], title_cpu: str) -> Path | None:
    """Grouped bars of ns/element: one panel per (function, size), contiguous only."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    contiguous = [r for r in results if r.case.layout == "contiguous"]
    sizes = sorted({r.case.size for r in contiguous})
    chart_sizes = [s for s in CHART_SIZES if s in sizes] or sizes[-2:]
    funcs = [f for f in FUNCTIONS if any(r.case.func == f for r in contiguous)]
    if not funcs or not chart_sizes:
        return None
    fig, axes = plt.subplots(len(funcs), len(chart_sizes), squeeze=False, sharey=True,
                             figsize=(max(10, 6.5 * len(chart_sizes)), 1.2 + 4 * len(funcs)))
    for row, func in enumerate(funcs):
        for col, size in enumerate(chart_sizes):
            panel = [r for r in contiguous if r.case.func == func and r.case.size == size]
            draw_panel(axes[row][col], panel, f"{func}, {format_size(size)} elements")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.025), ncol=4,
               frameon=False, fontsize=9)
    if "sigmoid_grad" in funcs:
        fig.text(0.5, 0.005, "sigmoid_grad peers compute s*(1-s) from their sigmoid s; "
                 "log scale; numbers are ns per element", ha="center", fontsize=8,
                 color="0.3")
    fig.suptitle("sigmoidx vs peers: ns per element, single thread, contiguous "
                 f"(lower is better)\n{title_cpu}, {datetime.date.today().isoformat()}",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.1, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def draw_panel(ax, panel: list[Result], title: str) -> None:
    """Bars per candidate, grouped by dtype; value printed above each bar."""
    dtypes = [r.case.dtype for r in panel]
    keys = [c.key for c in CANDIDATES if any(c.key in r.ns for r in panel)]
    width = 0.8 / max(len(keys), 1)
    import matplotlib
    cmap = matplotlib.colormaps["tab10"]
    for i, key in enumerate(keys):
        xs = [g + (i - (len(keys) - 1) / 2) * width for g in range(len(dtypes))]
        ys = [r.ns.get(key, np.nan) for r in panel]
        style = {"color": "0.6", "hatch": "//"} if key == "copyto" else {"color": cmap(i)}
        bars = ax.bar(xs, ys, width, label=BY_KEY[key].name, edgecolor="white",
                      linewidth=0.5, **style)
        ax.bar_label(bars, labels=["" if np.isnan(y) else format_ns(y) for y in ys],
                     fontsize=6, rotation=90, padding=2)
    ax.set_xticks(range(len(dtypes)), [dtype_name(d) for d in dtypes])
    ax.set_yscale("log")
    ax.set_ylabel("ns per element (log scale)")
    ax.set_title(title, fontsize=10)
    ax.margins(y=0.25)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


# ----------------------------------------------------------------------------
# Command line


def parse_size(text: str) -> int:
    """'1e5' -> 100000, '2**27' or '2^27' -> 134217728, '4096' -> 4096."""
    text = text.strip().replace("^", "**")
    try:
        if "**" in text:
            base, exp = text.split("**")
            value = int(base) ** int(exp)
        else:
            value = float(text)
            if value != int(value):
                raise ValueError
            value = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return value


def csv_of(parse, choices=None):
    """argparse type for a comma-separated list, each item parsed and checked."""
    def parse_list(text: str):
        items = [t.strip() for t in text.split(",") if t.strip()]
        bad = [t for t in items if choices is not None and t not in choices]
        if bad or not items:
            raise argparse.ArgumentTypeError(
                f"choose from {', '.join(choices)}" if choices else "empty list")
        return [parse(t) for t in items]
    return parse_list


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] + "\n\n" + __doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  python benchmarks/speed.py --quick            # smoke run, ~15 s\n"
               "  python benchmarks/speed.py                    # default run, a few minutes\n"
               "  python benchmarks/speed.py --sizes 2**27 --dtypes float32,float64 "
               "--layouts contiguous\n"
               "  python benchmarks/speed.py --sizes 1e5 --dtypes float32 --functions sigmoid\n"
               "  SIGMOIDX_CPU=baseline python benchmarks/speed.py --sizes 1e5")
    parser.add_argument("--sizes", type=csv_of(parse_size),
                        help=f"comma-separated element counts, each run with every dtype "
                             f"and layout; 1e5, 2**27 and 2^27 are understood (default "
                             f"{DEFAULT_SIZES}, plus 2^27 for float32/float64 contiguous "
                             f"with the out= candidates only: the memory-limit cases; "
                             f"--quick: {QUICK_SIZES})")
    parser.add_argument("--dtypes", type=csv_of(str, list(DTYPES)),
                        default=["float16", "float32", "float64"],
                        help="comma-separated, from %s (default float16,float32,float64)"
                             % ",".join(DTYPES))
    parser.add_argument("--layouts", type=csv_of(str, LAYOUTS), default=list(LAYOUTS),
                        help="contiguous and/or strided (x[::2] of a 2n array); default both")
    parser.add_argument("--functions", type=csv_of(str, FUNCTIONS), default=list(FUNCTIONS),
                        help="sigmoid and/or sigmoid_grad; default both")
    parser.add_argument("--rounds", type=int,
                        help=f"interleaved rounds, best kept (default 7, --quick 3; at most "
                             f"{BIG_ROUNDS} above {format_size(BIG)} elements); the "
                             f"calibration run counts as one more sample")
    parser.add_argument("--target-ms", type=float,
                        help="time per candidate per round in ms (default 25, --quick 5)")
    parser.add_argument("--cpu", default="auto",
                        help="CPU number to pin the process to, 'auto' (the lowest "
                             "allowed) or 'none' (default auto)")
    parser.add_argument("--seed", type=int, default=20240601, help="input seed")
    parser.add_argument("--quick", action="store_true",
                        help="fast smoke run: small sizes, 3 short rounds, no chart "
                             "unless --png is given")
    parser.add_argument("--png", type=Path,
                        help="chart path (default benchmarks/speed.png beside this script)")
    parser.add_argument("--no-png", action="store_true", help="do not draw the chart")
    parser.add_argument("--family", action="store_true",
                        help="only the issue-4 ufuncs against their peers (sigmoid_and_grad, "
                             "sigmoid_backward, log_sigmoid, logit), float32/float64")
    parser.add_argument("--threads", action="store_true",
                        help="the threads section (issue 15): sigmoid with 1 and the default "
                             "threads against torch, numexpr (their default threads) and "
                             "np.copyto, float32/float64, 1e3 to 2^27 elements, not pinned")
    args = parser.parse_args(argv)
    args.default_sizes = args.sizes is None
    if args.sizes is None:
        args.sizes = csv_of(parse_size)(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if args.rounds is None:
        args.rounds = 3 if args.quick else 7
    if args.target_ms is None:
        args.target_ms = 5.0 if args.quick else 25.0
    if args.rounds < 1 or args.target_ms <= 0:
        parser.error("--rounds and --target-ms must be positive")
    if args.no_png or (args.quick and args.png is None):
        args.png = None
    elif args.png is None:
        args.png = Path(__file__).resolve().parent / "speed.png"
    return args


def make_cases(args) -> list[Case]:
    """Every combination of the options; without --sizes, the default sizes plus
    the memory-limit cases (DEFAULT_BIG for float32/float64, contiguous, with
    only the candidates that write into a preallocated out)."""
    cases = [Case(func, DTYPES[d], size, layout)
             for func in args.functions for d in args.dtypes
             for size in args.sizes for layout in args.layouts]
    if args.default_sizes and not args.quick and "contiguous" in args.layouts:
        cases += [Case(func, DTYPES[d], DEFAULT_BIG, "contiguous", out_only=True)
                  for func in args.functions for d in args.dtypes
                  if d in ("float32", "float64")]
    dtype_order = list(DTYPES.values())
    return sorted(cases, key=lambda c: (FUNCTIONS.index(c.func), dtype_order.index(c.dtype),
                                        c.size, LAYOUTS.index(c.layout)))


# ----------------------------------------------------------------------------
# The family (issue 4): each new ufunc against its peer, one small table.


def family_benches(libs, dtype, size, seed):
    """{row: (benches, sigmoidx key, peer key)} for one dtype and size; out= everywhere
    it is offered, so that allocation does not dominate."""
    sig = libs["sigmoidx"]
    rng = np.random.default_rng(seed)
    x = make_input(size, dtype, "contiguous", seed)
    dy = rng.standard_normal(size).astype(dtype)
    y = sig.sigmoid(x)
    out, out2 = np.empty_like(x), np.empty_like(x)
    special = libs["scipy.special"]
    rows = {
        "sigmoid_and_grad(x) vs sigmoid(x) alone": {
            "sigmoidx": lambda: sig.sigmoid_and_grad(x, out=(out, out2)),
            "peer": lambda: sig.sigmoid(x, out=out)},
        "sigmoid_and_grad(x) vs sigmoid(x); sigmoid_grad(x)": {
            "sigmoidx": lambda: sig.sigmoid_and_grad(x, out=(out, out2)),
            "peer": lambda: (sig.sigmoid(x, out=out), sig.sigmoid_grad(x, out=out2))},
        "sigmoid_backward(dy, y) vs NumPy dy*y*(1-y)": {
            "sigmoidx": lambda: sig.sigmoid_backward(dy, y),
            "peer": lambda: dy * y * (1 - y)},
    }
    if special is not None and hasattr(sig, "log_sigmoid"):
        rows["log_sigmoid(x) vs scipy.special.log_expit"] = {
            "sigmoidx": lambda: sig.log_sigmoid(x, out=out),
            "peer": lambda: special.log_expit(x, out=out)}
    if special is not None and hasattr(sig, "logit"):
        rows["logit(p) vs scipy.special.logit"] = {
            "sigmoidx": lambda: sig.logit(y, out=out),
            "peer": lambda: special.logit(y, out=out)}
    return rows


def family_report(libs, args) -> str:
    lines = ["### the family (issue 4), contiguous, out= where offered", "",
             "| function vs peer | dtype | size | sigmoidx ns/el | peer ns/el | peer / sigmoidx |",
             "|---|---|---:|---:|---:|---:|"]
    for d in args.dtypes:
        if d not in ("float32", "float64"):
            continue
        for size in args.sizes:
            for row, benches in family_benches(libs, DTYPES[d], size, args.seed).items():
                with np.errstate(over="ignore"):
                    t = measure(benches, args.rounds, args.target_ms / 1000)
                ours, peer = (t[k].best / size * 1e9 for k in ("sigmoidx", "peer"))
                lines.append(f"| {row} | {d} | {format_size(size)} | {format_ns(ours)} "
                             f"| {format_ns(peer)} | {peer / ours:.2f}x |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------
# Threads (issue 15): every library with its default threads.

THREADS_SIZES = "1e3,1e5,1e6,4194304,134217728"
THREADS_BIG = 2**24  # from here on, fewer rounds


def threads_benches(libs, dtype, size, seed):
    """{candidate: call} for one case, every candidate writing into a preallocated out.
    Both sigmoidx candidates set their thread count before each call (a few tens of
    nanoseconds, the same for both)."""
    sig = libs["sigmoidx"]
    default = sig.get_num_threads()
    x = make_input(size, dtype, "contiguous", seed)
    out = np.empty_like(x)
    benches = {
        "sigmoidx 1 thread": lambda: (sig.set_num_threads(1), sig.sigmoid(x, out=out)),
        f"sigmoidx {default} threads": lambda: (sig.set_num_threads(default),
                                                sig.sigmoid(x, out=out)),
    }
    torch = libs["torch"]
    if torch is not None:
        xt, ot = torch.from_numpy(x), torch.from_numpy(out)
        benches[f"torch {torch.get_num_threads()} threads"] = lambda: torch.sigmoid(xt, out=ot)
    ne = libs["numexpr"]
    if ne is not None:
        benches[f"numexpr {ne.get_num_threads()} threads"] = (
            lambda: ne.evaluate("1 / (1 + exp(-x))", local_dict={"x": x}, out=out))
    benches["np.copyto"] = lambda: np.copyto(out, x)
    return benches, default


def threads_report(libs, args) -> str:
    sizes = (csv_of(parse_size)(THREADS_SIZES) if args.default_sizes else args.sizes)
    dtypes = [d for d in args.dtypes if d in ("float32", "float64")]
    rows, header = [], None
    for d in dtypes:
        for size in sizes:
            print(f"[threads] {d} {format_size(size)}", file=sys.stderr, flush=True)
            benches, default = threads_benches(libs, DTYPES[d], size, args.seed)
            rounds = BIG_ROUNDS + 1 if size >= THREADS_BIG else args.rounds
            with np.errstate(over="ignore"):
                t = measure(benches, rounds, args.target_ms / 1000)
            libs["sigmoidx"].set_num_threads(default)
            ns = {k: t[k].best / size * 1e9 for k in benches}
            names = list(benches)
            if header is None:
                header = names
            one, best = ns[names[0]], ns[names[1]]
            peers = [k for k in names[2:] if k != "np.copyto"]
            cells = " | ".join(format_ns(ns[k]) for k in names)
            ratios = [f"{one / best:.2f}x", f"{best / ns['np.copyto']:.2f}"]
            ratios += [f"{ns[k] / best:.2f}x" for k in peers]
            # CPU seconds per wall second of the two sigmoidx candidates: near 1 and 2 on
            # an idle machine; lower means other processes had the cores
            ratios += [f"{t[k].cpu / t[k].wall:.2f}" for k in names[:2]]
            rows.append(f"| {d} | {format_size(size)} | {cells} | " + " | ".join(ratios) + " |")
    peers = [k for k in header[2:] if k != "np.copyto"]
    lines = ["### threads (issue 15): contiguous sigmoid, out=, each library's default "
             "threads", "",
             "ns per element; 'speed-up' = 1 thread / default; 'x copy' = sigmoidx default "
             "time / np.copyto time; peer columns = peer time / sigmoidx default time "
             "(above 1: sigmoidx faster); 'cpu' = CPU seconds per wall second of sigmoidx "
             "with 1 and with the default threads (on an idle machine near 1 and the "
             "thread count: lower means other processes held the cores)", "",
             "| dtype | size | " + " | ".join(header) + " | speed-up | x copy | "
             + " | ".join(f"{k} / sigmoidx" for k in peers) + " | cpu 1 | cpu default |",
             "|---|---:|" + "---:|" * (len(header) + 4 + len(peers))]
    return "\n".join(lines + rows)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.threads:
        libs = load_libraries()
        print(environment_report(libs, args) + "\n")
        print(threads_report(libs, args))
        return 0
    args.pinned = pin_to_cpu(args.cpu)
    libs = load_libraries()
    if args.family:
        print(family_report(libs, args))
        return 0
    cases = make_cases(args)
    started = time.perf_counter()
    results = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for i, case in enumerate(cases, 1):
            print(f"[{i}/{len(cases)}] {case.func} {case.label()}", end="",
                  file=sys.stderr, flush=True)
            case_start = time.perf_counter()
            results.append(run_case(case, libs, args))
            print(f"  {time.perf_counter() - case_start:.1f} s", file=sys.stderr, flush=True)
    finally:
        if gc_was_enabled:
            gc.enable()
    print("## sigmoidx speed\n")
    print(environment_report(libs, args) + "\n")
    for func in args.functions:
        print(markdown_table(func, [r for r in results if r.case.func == func]) + "\n")
    print(legend(args.functions, results) + "\n")
    for warning in warnings_for(results):
        print(warning)
    if args.png is not None:
        written = write_chart(args.png, results, cpu_model())
        if written is not None:
            print(f"chart: {written}")
    print(f"total time: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
