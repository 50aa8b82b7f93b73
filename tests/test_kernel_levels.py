"""Runtime dispatch: the kernel levels this CPU supports agree with each other.

Each level runs in a subprocess (SIGMOIDX_CPU is read once, at import) on the
same inputs.  Levels that run the same algorithm for a dtype must give the same
bits: avx2 and avx512 share their float32 and float64 vector kernels (one
source over two vector layers, 8/4 and 16/8 lanes), but avx512's exp(-|x|) has
a larger table (32 float32 / 16 float64 entries instead of 8 / 4, a shorter
polynomial) and its float32 quotients start from vrcp14ps instead of a
division, so every float32 and float64 result that goes through exp (all but
logit) is a different algorithm there; logit gives the same bits on both, and so
does float16 (all 65,536 inputs: rounded from float32, the two levels' results
agree).  The baseline
evaluates float32 in float64 and float64 with the scalar functions; everything
else runs the same scalar code, vectorised by the compiler, on every level.
Where the algorithms differ, the results may differ by at most one ULP (each is
within 1 ULP of the true value: tests/test_accuracy.py under every level, in
CI).  float16 goes through float32 and is rounded again; all 65,536 inputs give
the same bits on the baseline and avx2.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import sigmoidx

FUNCTIONS = ("sigmoid", "sigmoid_grad", "log_sigmoid", "logit")


# the results computed on avx2 and avx512 by csrc/kernels_vec_f32.h (float32)
# and csrc/kernels_vec_f64.h (float64, and float32 logit), one source over the
# vector layers csrc/vec_avx2.h (8 / 4 lanes) and csrc/vec_avx512.h (16 / 8)
VECTOR_RESULTS = {
    "float32": ("sigmoid", "sigmoid_grad", "sigmoid_and_grad0", "sigmoid_and_grad1",
                "log_sigmoid", "logit"),
    "float64": ("sigmoid", "sigmoid_grad", "sigmoid_and_grad0", "sigmoid_and_grad1",
                "log_sigmoid", "logit"),
}


# the vector results that go through exp(-|x|): on avx512 with a larger table
# (csrc/vec_avx512.h, VF32_EXP_TABLE_BITS, VF64_EXP_TABLE_BITS), and for
# float32 sigmoid and sigmoid_grad from vrcp14ps (vf32_recip)
THROUGH_EXP = ("sigmoid", "sigmoid_grad", "sigmoid_and_grad0", "sigmoid_and_grad1", "log_sigmoid")


def algorithm(level, dtype_name, function):
    """Which algorithm a level runs for a dtype and function (csrc/kernels_*.c)."""
    avx512_exp = level == "avx512" and function in THROUGH_EXP
    if dtype_name == "float16":
        return "float32 kernel, rounded"  # float32 results a last bit apart round alike here
    if level != "baseline" and function in VECTOR_RESULTS.get(dtype_name, ()):
        return f"{dtype_name} vector kernel" + (" with avx512's exp" if avx512_exp else "")
    return "scalar math, vectorised by the compiler"


def ulp_distance(a, b):
    """Distance between two same-dtype float arrays in units in the last place,
    counted along the number line (non-NaN entries)."""
    bits = a.view(f"i{a.itemsize}").astype(np.int64), b.view(f"i{b.itemsize}").astype(np.int64)
    sign = np.int64(1) << (8 * a.itemsize - 1)
    ordered = [np.where(v < 0, -(v & (sign - 1)), v) for v in bits]
    return np.abs(ordered[0] - ordered[1])


def level_inputs():
    """All float16s, a stride of float32 bit patterns, random and edge float64s."""
    rng = np.random.default_rng(7)
    f16 = np.arange(2**16, dtype=np.uint16).view(np.float16)
    f32 = np.arange(0, 2**32, 4099, dtype=np.uint64).astype(np.uint32).view(np.float32)
    edges = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 36.74, 37.43, 709.78, -745.13]
    f64 = np.concatenate([rng.uniform(-750, 750, 200_000), rng.standard_normal(50_000),
                          np.array(edges)])
    return {"float16": f16, "float32": f32, "float64": f64}


def complex_inputs():
    """complex64 and complex128 points over every regime (sigmoid and sigmoid_grad only)."""
    rng = np.random.default_rng(8)
    z = rng.uniform(-800, 800, 20_000) + 1j * rng.uniform(-50, 50, 20_000)
    z = np.concatenate([z, rng.standard_normal(20_000) + 1j * rng.standard_normal(20_000)])
    return {"complex64": z.astype(np.complex64), "complex128": z}


def results_under(level, tmp_path):
    """Run the ufuncs under SIGMOIDX_CPU=level in a fresh interpreter."""
    inputs_file, outputs_file = tmp_path / "inputs.npz", tmp_path / f"{level}.npz"
    np.savez(inputs_file, **level_inputs(), **complex_inputs())
    script = (
        "import sys, numpy as np, sigmoidx\n"
        "np.seterr(invalid='ignore', over='ignore')  # signalling NaNs; y*(1-y) of huge y\n"
        "assert sigmoidx.show_config()['kernel_level'] == sys.argv[3]\n"
        "data = np.load(sys.argv[1])\n"
        "out = {f'{f}_{k}': getattr(sigmoidx, f)(data[k]) for f in ('sigmoid', 'sigmoid_grad', 'log_sigmoid', 'logit')"
        " for k in data.files if not k.startswith('complex')}\n"
        "for k in [k for k in data.files if k.startswith('complex')]:\n"
        "    out.update({f'{f}_{k}': getattr(sigmoidx, f)(data[k]) for f in ('sigmoid', 'sigmoid_grad')})\n"
        "for k in [k for k in data.files if not k.startswith('complex')]:\n"
        "    out[f'sigmoid_and_grad0_{k}'], out[f'sigmoid_and_grad1_{k}'] = "
        "sigmoidx.sigmoid_and_grad(data[k])\n"
        "    out[f'sigmoid_backward_{k}'] = sigmoidx.sigmoid_backward(data[k][::-1], data[k])\n"
        "np.savez(sys.argv[2], **out)\n"
    )
    env = dict(os.environ, SIGMOIDX_CPU=level)
    subprocess.run([sys.executable, "-c", script, str(inputs_file), str(outputs_file), level],
                   check=True, env=env, cwd=tmp_path)
    return np.load(outputs_file)


@pytest.mark.parametrize("level", sigmoidx.show_config()["supported"])
@np.errstate(invalid="ignore", over="ignore")  # signalling NaNs; y*(1-y) of huge y
def test_level_agrees_with_the_active_one(level, tmp_path):
    active = sigmoidx.show_config()["kernel_level"]
    other = results_under(level, tmp_path)
    for name, x in level_inputs().items():
        pair = sigmoidx.sigmoid_and_grad(x)
        ours_by_name = {function: getattr(sigmoidx, function)(x) for function in FUNCTIONS}
        ours_by_name.update({"sigmoid_and_grad0": pair[0], "sigmoid_and_grad1": pair[1],
                             "sigmoid_backward": sigmoidx.sigmoid_backward(x[::-1], x)})
        for function, ours in ours_by_name.items():
            theirs = other[f"{function}_{name}"]
            assert ours.dtype == theirs.dtype
            if algorithm(level, name, function) == algorithm(active, name, function):
                mismatch = ours.view(f"u{ours.itemsize}") != theirs.view(f"u{ours.itemsize}")
                what = "bitwise"
            else:
                nan = np.isnan(ours)
                assert np.array_equal(nan, np.isnan(theirs))
                mismatch = ~nan & (ulp_distance(ours, theirs) > 1)
                what = "within 1 ULP"
            assert not mismatch.any(), (
                f"{function} {name} under {level} vs {active} ({what}): "
                f"first differing inputs {x[mismatch][:5]}"
            )
    for name, z in complex_inputs().items():
        for function in ("sigmoid", "sigmoid_grad"):
            ours, theirs = getattr(sigmoidx, function)(z), other[f"{function}_{name}"]
            assert ours.dtype == theirs.dtype
            assert np.array_equal(ours.view(f"u{ours.itemsize // 2}"),
                                  theirs.view(f"u{ours.itemsize // 2}")), (function, name, level)


def test_unsupported_level_is_a_clear_import_error(tmp_path):
    env = dict(os.environ, SIGMOIDX_CPU="pentium")
    result = subprocess.run([sys.executable, "-c", "import sigmoidx"], env=env, cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "SIGMOIDX_CPU=pentium" in result.stderr
    assert "baseline" in result.stderr


def test_show_config_names_the_level_in_use():
    config = sigmoidx.show_config()
    assert config["kernel_level"] in config["supported"]
    assert config["supported"][0] == "baseline"
    forced = os.environ.get("SIGMOIDX_CPU")
    assert config["kernel_level"] == (forced or config["supported"][-1])
