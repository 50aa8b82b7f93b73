"""Max ULP error of the long double loops against mpmath, in this platform's format.

long double is x87 extended (64-bit significand) on x86-64 and IEEE binary128 (113 bits)
on aarch64 Linux; the contract is <= 2 ULP (sigmoid, sigmoid_grad, sigmoid_and_grad,
sigmoid_backward) and <= 3 ULP (log_sigmoid, logit) of that format.  The inputs are the
test suite's (tests/inputs.py: thresholds, their neighbourhoods, the whole range, tiny
values, every significand bit random), probabilities near 0, 1/2 and 1 for logit, and
random (dy, y) pairs for sigmoid_backward; references from tests/reference.py (mpmath
at MP_DPS digits).  Exits with status 1 if a maximum breaks the contract.

    python benchmarks/longdouble_accuracy.py --points 20000          # natively
    bash scripts/test_aarch64.sh --python benchmarks/longdouble_accuracy.py --points 3000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO]
sys.path.insert(0, str(REPO / "tests"))

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

import sigmoidx  # noqa: E402
from inputs import full_significand, longdouble_points  # noqa: E402
from reference import (FUNCTIONS, LONGDOUBLE_BITS, MP_DPS, mp_context, reference_mp,  # noqa: E402
                       to_mpf, ulp_error)

LD = np.longdouble
BOUND = {"sigmoid": 2.0, "sigmoid_grad": 2.0, "log_sigmoid": 3.0, "logit": 3.0,
         "sigmoid_backward": 2.0}


def probabilities(n, rng):
    """p in (0, 1): uniform, within 2**-k of 1/2 (k up to the significand), tiny, near 1."""
    k = n // 4
    half = LD(0.5) + rng.choice([-1, 1], k) * LD(2.0) ** -rng.uniform(2, LONGDOUBLE_BITS, k).astype(LD)
    p = np.concatenate([full_significand(rng.uniform(0, 1, k), rng), full_significand(half, rng),
                        full_significand(10.0 ** rng.uniform(-300, 0, k), rng),
                        1 - full_significand(10.0 ** rng.uniform(-30, 0, n - 3 * k), rng)])
    return p[(p > 0) & (p < 1)]


def backward_reference(dy, y):
    out = np.empty(dy.shape, dtype=object)
    with mp_context():
        for i, (a, b) in enumerate(zip(dy, y)):
            a, b = to_mpf(a), to_mpf(b)
            out[i] = a * b * (1 - b)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=20_000, help="inputs per function")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    info = np.finfo(LD)
    print(f"long double: {LONGDOUBLE_BITS}-bit significand, exponents {info.minexp}..{info.maxexp - 1}; "
          f"mpmath at {MP_DPS} digits; sigmoidx {sigmoidx.show_config()}")
    print("| function | inputs | max ULP | at | contract |\n|---|---:|---:|---|---:|")
    failed = False
    for name in FUNCTIONS + ("sigmoid_backward",):
        start = time.time()
        if name == "sigmoid_backward":
            y = full_significand(sigmoidx.sigmoid(rng.uniform(-60, 60, args.points)), rng)
            dy = full_significand(rng.standard_normal(args.points) * 10.0 ** rng.uniform(-5, 5, args.points), rng)
            x, errors = y, ulp_error(sigmoidx.sigmoid_backward(dy, y), backward_reference(dy, y), LD)
        else:
            x = probabilities(args.points, rng) if name == "logit" else longdouble_points(args.points, args.seed)
            errors = ulp_error(getattr(sigmoidx, name)(x), reference_mp(name, x), LD)
        i = int(np.argmax(errors))
        failed |= bool(errors[i] > BOUND[name])
        with mp_context():
            where = mpmath.nstr(to_mpf(x[i]), 25)
        print(f"| {name} | {x.size:,} | {errors[i]:.3f} | {where} | {BOUND[name]:.0f} |"
              f"  ({time.time() - start:.0f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
