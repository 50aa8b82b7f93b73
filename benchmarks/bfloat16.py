"""bfloat16 sigmoid: sigmoidx against jax.nn.sigmoid (jit, CPU) and the NumPy expression
1/(1+np.exp(-x)) on an ml_dtypes.bfloat16 array (ml_dtypes' own loops), one thread.

Speed: nanoseconds per element, each candidate timed in interleaved rounds (every
candidate once per round, each call repeated to last about 20 ms), best round kept;
ratios are peer time / sigmoidx time (higher: sigmoidx faster).
Accuracy: the largest error in bfloat16 ULPs over all 65,536 inputs against the float64
reference of the test suite (tests/reference.py), and how many results are not the
correctly rounded one.

Run it from outside the source tree:  cd /tmp && python /path/to/benchmarks/bfloat16.py
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                           + " --xla_cpu_multi_thread_eigen=false").strip()

import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO]
sys.path.insert(0, str(REPO / "tests"))

import sigmoidx  # noqa: E402
from reference import reference_np  # noqa: E402
from test_bfloat16 import ALL_INPUTS, bf16_ulp_error  # noqa: E402

BF16 = np.dtype(ml_dtypes.bfloat16)
SIZES = (10**3, 10**5, 10**6)
ROUNDS = 7
TARGET_S = 0.02


def candidates():
    found = {
        "sigmoidx": sigmoidx.sigmoid,
        "NumPy 1/(1+exp(-x))": lambda x: 1 / (1 + np.exp(-x)),
    }
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        print("jax not installed: its column is left out", file=sys.stderr)
        return found, None
    jitted = jax.jit(jax.nn.sigmoid)
    found["jax.nn.sigmoid (jit)"] = lambda x: jitted(x).block_until_ready()
    return found, lambda x: jax.device_put(jnp.asarray(x))


def time_per_element(f, x):
    f(x)  # warm up (and compile)
    calls, elapsed = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            f(x)
        elapsed = time.perf_counter() - start
        if elapsed >= TARGET_S:
            return elapsed / calls / x.size * 1e9
        calls *= 2


def main():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    found, to_jax = candidates()
    cpu = platform.processor() or platform.machine()
    print(f"sigmoidx {sigmoidx.__version__} ({sigmoidx.kernel_level}), NumPy {np.__version__}, "
          f"ml_dtypes {ml_dtypes.__version__}, {cpu}")

    print("\naccuracy over all 65,536 bfloat16 inputs (non-NaN results)")
    reference = reference_np("sigmoid", ALL_INPUTS.astype(np.float32), work=np.float64)
    for name, f in found.items():
        x = to_jax(ALL_INPUTS) if name.startswith("jax") else ALL_INPUTS
        with np.errstate(all="ignore"):
            actual = np.asarray(f(x) if not name.startswith("jax") else
                                __import__("jax").jit(__import__("jax").nn.sigmoid)(x))
        err = bf16_ulp_error(actual.astype(BF16), reference)
        print(f"  {name:24s} max {err.max():.3f} ULP, {int((err > 0.5).sum())} not correctly rounded")

    print("\nns per element (best of", ROUNDS, "interleaved rounds), ratio = peer / sigmoidx")
    rng = np.random.default_rng(0)
    for n in SIZES:
        x = rng.uniform(-20, 20, n).astype(BF16)
        inputs = {name: (to_jax(x) if name.startswith("jax") else x) for name in found}
        best = {name: float("inf") for name in found}
        with np.errstate(all="ignore"):
            for _ in range(ROUNDS):
                for name, f in found.items():
                    best[name] = min(best[name], time_per_element(f, inputs[name]))
        cells = ", ".join(f"{name} {t:.3f} ({t / best['sigmoidx']:.2f}x)" for name, t in best.items())
        print(f"  n = {n:>9,}: {cells}")


if __name__ == "__main__":
    main()
