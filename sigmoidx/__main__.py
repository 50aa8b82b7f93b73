"""`python -m sigmoidx`: sigmoidx at work, in a few lines of output.

Prints the version and the kernel level in use, a table of sigmoid and
sigmoid_grad at a few points next to a finite-difference slope of sigmoid,
and a quick timing against the hand-written NumPy expression.
"""

import argparse
import time

import numpy as np

import sigmoidx

POINTS = np.array([-745.0, -720.0, -40.0, -5.0, -1.0, 0.0, 1.0, 5.0, 40.0])


def central_difference(x, h=1e-4):
    """Slope of sigmoid by a 4th-order central difference, in long double.

    Taken at -|x| (the slope is even in x), where sigmoid is far from 1 and the
    differences keep their digits.
    """
    x = -np.abs(np.asarray(x, dtype=np.longdouble))
    f = sigmoidx.sigmoid
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


def print_table():
    print(f"{'x':>8}  {'sigmoid(x)':>24}  {'sigmoid_grad(x)':>24}  {'finite difference':>24}")
    for x, y, dy, fd in zip(POINTS, sigmoidx.sigmoid(POINTS), sigmoidx.sigmoid_grad(POINTS),
                            central_difference(POINTS)):
        print(f"{x:8g}  {y:24.17g}  {dy:24.17g}  {float(fd):24.17g}")
    print("(float64 results; the finite difference is taken in long double)")


def best_time(function, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def print_timing(size, repeats):
    rng = np.random.default_rng(0)
    print(f"\nTiming, {size:,} elements, best of {repeats} (ns per element):")
    print(f"{'dtype':>8}  {'sigmoidx':>9}  {'1/(1+np.exp(-x))':>17}  {'speed-up':>8}")
    for dtype in (np.float32, np.float64):
        x = rng.uniform(-20, 20, size).astype(dtype)
        out = np.empty_like(x)
        ours = best_time(lambda: sigmoidx.sigmoid(x, out=out), repeats)
        with np.errstate(over="ignore"):
            theirs = best_time(lambda: np.divide(1, 1 + np.exp(-x), out=out), repeats)
        print(f"{np.dtype(dtype).name:>8}  {ours / size * 1e9:9.2f}  {theirs / size * 1e9:17.2f}"
              f"  {theirs / ours:7.1f}x")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sigmoidx",
        description="Show the sigmoidx ufuncs at work: values of sigmoid(x) = 1/(1+exp(-x)) "
        "and its derivative sigmoid_grad(x) next to a finite-difference check, then a quick "
        "timing against the NumPy expression 1/(1+np.exp(-x)).",
    )
    parser.add_argument("--size", type=int, default=100_000,
                        help="elements in the timing arrays (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=50,
                        help="timing repetitions, the best one counts (default: %(default)s)")
    parser.add_argument("--no-timing", action="store_true", help="skip the timing")
    args = parser.parse_args(argv)

    config = sigmoidx.show_config()
    print(f"sigmoidx {config['version']}, kernels: {config['kernel_level']} "
          f"(this CPU supports: {', '.join(config['supported'])}), NumPy {np.__version__}\n")
    print_table()
    if not args.no_timing:
        print_timing(args.size, args.repeats)


if __name__ == "__main__":
    main()
