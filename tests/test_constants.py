"""The tables and split constants of the baseline's float64 exp and log1p (the no-FMA
branch of csrc/sigmoid_math.h), read from the source and re-derived with mpmath: the
accuracy sweeps would catch a wrong entry only where inputs happen to use it.

* EXP2_J_128_HI[j] + EXP2_J_128_LO[j] = 2^(j/128 - 64): the head correctly rounded, the
  rest the correctly rounded remainder;
* the reduction's constants: 128/ln2, ln2/128 as a head of at most 35 significant bits
  (so that n times it is exact for |n| < 2^18) plus the rounded rest;
* ATANH_TAIL_FITTED, the fitted atanh tail: w times its error below 2^-60 on
  w in [0, 0.1716^2], as its comment states.

And those of the vector kernels' exp (csrc/kernels_vec_f32.h, kernels_vec_f64.h), for
every table size a layer may choose: 2^(j/N) as a correctly rounded head and either the
rounded rest (t_lo) or the rounded ratio of the rest to the head (t_ratio), 1/ln2
rounded, and ln2 as a head short enough that (n/N) times it is exact plus the rounded
rest.
"""

import re
from pathlib import Path

import mpmath
import pytest

CSRC = Path(__file__).resolve().parent.parent / "csrc"
SOURCE = (CSRC / "sigmoid_math.h").read_text()
VECTOR_SOURCES = {"float32": (CSRC / "kernels_vec_f32.h").read_text(),
                  "float64": (CSRC / "kernels_vec_f64.h").read_text()}
PRECISION = {"float32": 24, "float64": 53}


def table(name):
    body = re.search(r"static const double " + name + r"\[\d+\] = \{(.*?)\};", SOURCE, re.S)
    assert body, name
    text = re.sub(r"/\*.*?\*/", "", body.group(1), flags=re.S)
    return [float.fromhex(v) if "0x" in v else float(v) for v in text.replace("\n", " ").split(",")
            if v.strip()]


def exp_body():
    start = SOURCE.index("static inline void exp_neg_f64_dd(double a, double *hi, double *lo)\n"
                         "{\n    double ax = -a;")
    return SOURCE[start:SOURCE.index("\n}\n", start)]


def significant_bits(x):
    """From the leading one to the last one of x's significand."""
    mantissa = int(abs(x).hex()[2:].split("p")[0].replace(".", ""), 16)
    while mantissa and mantissa % 2 == 0:
        mantissa //= 2
    return mantissa.bit_length()


def test_exp2_table():
    hi, lo = table("EXP2_J_128_HI"), table("EXP2_J_128_LO")
    assert len(hi) == len(lo) == 128
    with mpmath.workprec(300):
        for j in range(128):
            t = mpmath.mpf(2) ** (mpmath.mpf(j) / 128 - 64)
            assert hi[j] == float(t), j  # mpmath's float() rounds to nearest
            assert lo[j] == float(t - mpmath.mpf(hi[j])), j


def test_reduction_constants():
    constants = [float.fromhex(c) for c in re.findall(r"-?0x[0-9a-f.]+p[-+]\d+", exp_body())]
    inv_step, step_hi, step_lo = constants[0], constants[1], constants[2]
    with mpmath.workprec(300):
        step = mpmath.log(2) / 128
        assert inv_step == float(1 / step)
        assert significant_bits(step_hi) <= 35 and abs(step_hi - step) <= 2.0 ** -35 * step
        assert step_lo == float(step - mpmath.mpf(step_hi))


def test_fitted_atanh_tail():
    coefficients = table("ATANH_TAIL_FITTED")
    assert len(coefficients) == 8
    worst = 0
    with mpmath.workprec(200):
        for i in range(2001):
            z = mpmath.mpf("0.1716") * i / 2000
            w = z * z
            if w == 0:
                exact = mpmath.mpf(1) / 3
            else:
                exact = (mpmath.atanh(z) - z) / (z * w)  # sum w^n / (2n + 3)
            fitted = sum(mpmath.mpf(c) * w ** n for n, c in enumerate(coefficients))
            worst = max(worst, abs(w * (fitted - exact)))
    assert worst < 2.0 ** -60, float(mpmath.log(worst, 2))


@pytest.mark.parametrize("bits", [35, 36])
def test_significant_bits_counts(bits):
    """The helper itself: a number with exactly `bits` significant bits."""
    x = float(2 ** (bits - 1) + 1) * 2.0 ** -40
    assert significant_bits(x) == bits


def hex_floats(text):
    return [float.fromhex(v.rstrip("f")) for v in re.findall(r"-?0x[0-9a-f.]+p[-+]?\d+f?", text)]


def rounded(x, precision):
    """x rounded to nearest with `precision` significant bits (no subnormal here)."""
    with mpmath.workprec(precision):
        return float(+x)


# (dtype, table macro, entries, largest |n| the reduction sees: 104 or 746 times N/ln2)
VECTOR_TABLES = [("float32", "VTAB8_F32", 8, 2**11), ("float32", "VTAB32_F32", 32, 2**13),
                 ("float64", "VTAB4_F64", 4, 2**13), ("float64", "VTAB16_F64", 16, 2**15)]


@pytest.mark.parametrize("dtype, macro, entries, n_max", VECTOR_TABLES)
def test_vector_exp_tables(dtype, macro, entries, n_max):
    text = VECTOR_SOURCES[dtype]
    uses = re.findall(r"vf(?:32|64) (t_hi|t_lo|t_ratio) = vf(?:32|64)_lookup\d+\(\s*" + macro
                      + r"\((.*?)\)", text, re.S)
    names = [name for name, _ in uses]
    assert names in (["t_hi", "t_lo"], ["t_hi", "t_ratio"]), (macro, names)
    # the rest of 2^0 (and its ratio) is written 0.0
    hi, second = hex_floats(uses[0][1]), [0.0] + hex_floats(uses[1][1])
    assert len(hi) == len(second) == entries
    precision = PRECISION[dtype]
    with mpmath.workprec(300):
        for j in range(entries):
            t = mpmath.mpf(2) ** (mpmath.mpf(j) / entries)
            assert hi[j] == rounded(t, precision), (macro, j)
            rest = t - mpmath.mpf(hi[j])
            if names[1] == "t_lo":
                assert second[j] == rounded(rest, precision), (macro, j)
            else:
                assert second[j] == rounded(rest / mpmath.mpf(hi[j]), precision), (macro, j)


@pytest.mark.parametrize("dtype, macro, entries, n_max", VECTOR_TABLES)
def test_vector_exp_reduction_constants(dtype, macro, entries, n_max):
    text = VECTOR_SOURCES[dtype]
    bits = entries.bit_length() - 1
    branch = re.search(r"#if VF(?:32|64)_EXP_TABLE_BITS == (\d)\n(.*?)#else\n(.*?)#endif", text, re.S)
    chosen = branch.group(2) if int(branch.group(1)) == bits else branch.group(3)
    ln2_hi, ln2_lo = hex_floats(chosen)
    precision = PRECISION[dtype]
    inverse = hex_floats(re.search(r"shifted = vf(?:32|64)_fnma\(ax, vf(?:32|64)_set\((.*?)\)", text).group(1))
    with mpmath.workprec(300):
        ln2 = mpmath.log(2)
        assert inverse == [rounded(1 / ln2, precision)]
        # (n/N) ln2_hi exact: n's significant bits plus ln2_hi's fit in the format
        assert significant_bits(ln2_hi) + n_max.bit_length() - 1 <= precision
        assert abs(ln2_hi - ln2) <= 2.0 ** (1 - significant_bits(ln2_hi))
        assert ln2_lo == rounded(ln2 - mpmath.mpf(ln2_hi), precision)
