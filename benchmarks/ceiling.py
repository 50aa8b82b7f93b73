"""How fast can a sigmoid be on this machine?  A plain loop as the ceiling.

Times, side by side in one process as speed.py does, sigmoidx.sigmoid,
scipy.special.expit, np.copyto and plain_sigmoid.c: an AVX2 loop with one
short exp and one division per element and no compensated step, far from
1 ULP (its max error on the inputs is printed).  Whatever sigmoidx does to
stay within 1 ULP is extra work on top of that loop, so the plain loop's
ratios against expit and np.copyto bound the ratios any accurate kernel can
reach here.

    python benchmarks/ceiling.py                 # 1e5 and 2^27, float32 and float64
    python benchmarks/ceiling.py --sizes 1e5

Needs a C compiler (cc, or $CC) and a CPU with AVX2 and FMA.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import speed  # beside this file; sets the single-thread environment first

import numpy as np  # noqa: E402
import scipy.special  # noqa: E402

import sigmoidx  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from reference import reference_np, ulp_error  # noqa: E402

SOURCE = Path(__file__).with_name("plain_sigmoid.c")


def build_plain_loop(workdir: str) -> ctypes.CDLL:
    library = os.path.join(workdir, "plain_sigmoid.so")
    subprocess.run([os.environ.get("CC", "cc"), "-O3", "-mavx2", "-mfma", "-ffp-contract=off",
                    "-shared", "-fPIC", str(SOURCE), "-o", library], check=True)
    return ctypes.CDLL(library)


def plain_caller(lib: ctypes.CDLL, x: np.ndarray, out: np.ndarray):
    kernel = lib.plain_sigmoid_f32 if x.dtype == np.float32 else lib.plain_sigmoid_f64
    args = (ctypes.c_void_p(x.ctypes.data), ctypes.c_void_p(out.ctypes.data),
            ctypes.c_ssize_t(x.size))
    return lambda: kernel(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=speed.csv_of(speed.parse_size), default="1e5,2**27")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--target-ms", type=float, default=25.0)
    args = parser.parse_args()
    if "avx2" not in sigmoidx.show_config()["supported"]:
        sys.exit("the plain loop needs AVX2 and FMA, which this CPU lacks")
    print(speed.pin_to_cpu("auto"), "| sigmoidx", sigmoidx.show_config()["kernel_level"])
    print("ns per element, then ratios of times")
    print("| dtype | n | sigmoidx | expit | plain loop | np.copyto | expit / sigmoidx "
          "| expit / plain | sigmoidx / plain | sigmoidx / copyto | plain / copyto | plain max ULP |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as workdir:
        lib = build_plain_loop(workdir)
        for size in args.sizes:
            size = max(32, size - size % 32)       # the plain loop has no tail
            for dtype in (np.float32, np.float64):
                x = speed.make_input(size, dtype, "contiguous", seed=1)
                out = np.empty_like(x)
                benches = {"sigmoidx": lambda: sigmoidx.sigmoid(x, out=out),
                           "expit": lambda: scipy.special.expit(x, out=out),
                           "plain": plain_caller(lib, x, out),
                           "copyto": lambda: np.copyto(out, x)}
                rounds = args.rounds if size <= speed.BIG else min(args.rounds, speed.BIG_ROUNDS)
                timings = speed.measure(benches, rounds, args.target_ms / 1000)
                ns = {key: t.best / size * 1e9 for key, t in timings.items()}
                sample = slice(0, min(size, 10**6))
                benches["plain"]()
                error = ulp_error(out[sample], reference_np("sigmoid", x[sample])).max()
                print(f"| {np.dtype(dtype).name} | {speed.format_size(size)} | "
                      + " | ".join(f"{ns[k]:.3f}" for k in benches)
                      + f" | {ns['expit'] / ns['sigmoidx']:.2f}x | {ns['expit'] / ns['plain']:.2f}x"
                      f" | {ns['sigmoidx'] / ns['plain']:.2f}"
                      f" | {ns['sigmoidx'] / ns['copyto']:.2f} | {ns['plain'] / ns['copyto']:.2f}"
                      f" | {error:.1f} |", flush=True)


if __name__ == "__main__":
    main()
