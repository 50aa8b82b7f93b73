"""Input sets for the tests and benchmarks/accuracy.py (no sigmoidx here): the accuracy
sets, a mix of every regime for the layout tests (``values``), the quiet inputs that
provoke floating-point exceptions in careless code (``hygiene_values``), and unaligned
arrays.

Thresholds are where the result changes regime: the rounded sigma reaches 1
(e**-x below half an ULP of 1), sigma or sigma' leaves the normal range
(ln of the smallest normal), or rounds to 0 (ln of half the smallest subnormal),
and where exp(|x|) would overflow in a naive formulation.

SIGMOIDX_TEST_SCALE (a fraction, default 1) shrinks the large random and swept samples
of the tests (``scaled``, ``thinned``): scripts/test_aarch64.sh sets it where the suite
runs under emulation; pytest's header prints it.  Thresholds with their nearest bit
patterns, special values and fixed points are never cut.
"""

from __future__ import annotations

import os

import numpy as np

SAMPLE_SCALE = float(os.environ.get("SIGMOIDX_TEST_SCALE", "1"))
if not 0 < SAMPLE_SCALE <= 1:
    raise ValueError(f"SIGMOIDX_TEST_SCALE={SAMPLE_SCALE}: expected a fraction in (0, 1]")


def scaled(n, minimum=100):
    """A sample size ``n`` times SIGMOIDX_TEST_SCALE (``n`` itself at the default 1)."""
    return n if SAMPLE_SCALE == 1 else max(minimum, int(n * SAMPLE_SCALE))


def thinned(x):
    """Every k-th element of a swept input set, k = round(1 / SIGMOIDX_TEST_SCALE)."""
    return x[::max(1, round(1 / SAMPLE_SCALE))]

LN2 = float(np.log(2.0))

# name -> threshold; both signs of each are swept (sigma' is even, sigma is not).
F16_THRESHOLDS = {
    "ln 2**11": 11 * LN2, "ln 2**12": 12 * LN2,          # sigma -> 1 - 2**-11, 1
    "ln 2**14": 14 * LN2,                                # smallest normal
    "ln 2**24": 24 * LN2, "ln 2**25": 25 * LN2,          # smallest subnormal, -> 0
    "ln max": float(np.log(np.finfo(np.float16).max)),   # 11.09
}
F32_THRESHOLDS = {
    "ln 2**24": 24 * LN2, "ln 2**25": 25 * LN2,          # 16.64, 17.33: sigma -> 1
    "ln 2**126": 126 * LN2,                              # 87.34: smallest normal
    "ln 2**128": float(np.log(np.finfo(np.float32).max)),  # 88.72: exp overflow
    "ln 2**149": 149 * LN2, "ln 2**150": 150 * LN2,      # 103.28, 103.97: -> 0
}
F64_THRESHOLDS = {
    "ln 2**53": 53 * LN2, "ln 2**54": 54 * LN2,          # 36.74, 37.43: sigma -> 1
    "ln 2**1022": 1022 * LN2,                            # 708.40: smallest normal
    "ln max": float(np.log(np.finfo(np.float64).max)),   # 709.78: exp overflow
    "ln 2**1074": 1074 * LN2, "ln 2**1075": 1075 * LN2,  # 744.44, 745.13: -> 0
}
# long double: the platform's format (x87 extended on x86-64: 64-bit significand,
# subnormals down to 2**-16445; IEEE binary128 on aarch64: 113 bits, down to 2**-16494)
_LD = np.finfo(np.longdouble)
_LD_BITS, _LD_EMIN, _LD_EMAX = _LD.nmant + 1, -_LD.minexp, _LD.maxexp
_LD_TINIEST = _LD_EMIN + _LD_BITS - 1                   # 16445 (x87), 16494 (binary128)
LD_THRESHOLDS = {
    f"ln 2**{_LD_BITS}": _LD_BITS * LN2,                 # x87 44.36, 45.05: sigma -> 1
    f"ln 2**{_LD_BITS + 1}": (_LD_BITS + 1) * LN2,       # (binary128 78.33, 79.02)
    f"ln 2**{_LD_EMIN}": _LD_EMIN * LN2,                 # 11355.1: smallest normal
    "ln max": _LD_EMAX * LN2,                            # 11356.5: exp overflow
    f"ln 2**{_LD_TINIEST}": _LD_TINIEST * LN2,           # x87 11398.8, 11399.5: -> 0
    f"ln 2**{_LD_TINIEST + 1}": (_LD_TINIEST + 1) * LN2,  # (binary128 11432.7, 11433.4)
}


def specials(dtype):
    """Zeros, infinities, NaNs, extremes, subnormals and tiny numbers of a float dtype."""
    info = np.finfo(dtype)
    values = [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, info.max, -info.max,
              info.smallest_normal, -info.smallest_normal, info.smallest_subnormal,
              -info.smallest_subnormal, info.eps, -info.eps, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0]
    return np.array(values, dtype=dtype)


def hygiene_values(dtype):
    """The specials, and the quiet inputs around which results turn subnormal, round to 0,
    or exp(|x|) overflows: those known to provoke FP exceptions in careless code."""
    info = np.finfo(dtype)
    ln_smallest_normal = np.log(info.smallest_normal)  # results become subnormal below
    ln_smallest_subnormal = np.log(info.smallest_subnormal)  # results round to 0 below
    ln_max = np.log(info.max)  # exp overflows above
    thresholds = np.array([ln_smallest_normal - 0.5, ln_smallest_subnormal - 1, ln_max + 1],
                          dtype=dtype)
    wide = np.array([720.0, 1e30] if dtype != np.float16 else [], dtype=dtype)
    return np.concatenate([specials(dtype), thresholds, -thresholds, wide, -wide])


def values(n, dtype, seed=0):
    """n values mixing every regime: tiny, moderate, near the thresholds, saturating, and
    (one in 16) special."""
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    span = float(np.log(np.float64(info.max)) if dtype != np.longdouble else 11400.0)
    pool = np.concatenate([
        rng.uniform(-3, 3, n), rng.uniform(-40, 40, n), rng.uniform(-1.1 * span, 1.1 * span, n),
        rng.standard_normal(n) * 1e-3,
    ]).astype(dtype)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, info.max, -info.max,
                        info.smallest_subnormal], dtype=dtype)
    x = rng.choice(pool, n)
    idx = rng.choice(n, size=max(1, n // 16), replace=False)
    x[idx] = rng.choice(special, idx.size)
    return x


def unaligned(n, dtype):
    """An uninitialised array of n elements whose data pointer is misaligned by 1 byte."""
    itemsize = np.dtype(dtype).itemsize
    buf = np.zeros(n * itemsize + 1, dtype=np.uint8)
    a = np.ndarray((n,), dtype, buffer=buf, offset=1)
    assert not a.flags.aligned
    return a


def float16_all():
    """Every float16 bit pattern (65,536 values, NaNs and infinities included)."""
    return np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)


def float32_strided(step, start=0, stop=2**32):
    """Every ``step``-th float32 bit pattern in [start, stop)."""
    return np.arange(start, stop, step, dtype=np.uint64).astype(np.uint32).view(np.float32)


def _neighbours(values, dtype, half_width):
    """All bit patterns within ``half_width`` patterns of each value (same sign)."""
    uint = np.dtype(f"u{np.dtype(dtype).itemsize}")
    centres = np.asarray(values, dtype=dtype).view(uint).astype(np.int64)
    offsets = np.arange(-half_width, half_width + 1, dtype=np.int64)
    return (centres[:, None] + offsets[None, :]).reshape(-1).astype(uint).view(dtype)


def float32_thresholds(half_width=2**15):
    """All float32 patterns within ``half_width`` ULPs of each threshold, both signs,
    and every 3rd pattern of the whole subnormal-result range [-104, -87] (with
    SIGMOIDX_TEST_SCALE < 1: the 64 nearest patterns, then a thinned neighbourhood,
    and every (3k)th pattern of the range)."""
    t = np.array(list(F32_THRESHOLDS.values()))
    near = _neighbours(np.concatenate([t, -t]), np.float32, half_width)
    if SAMPLE_SCALE != 1:
        near = np.concatenate([_neighbours(np.concatenate([t, -t]), np.float32, 64),
                               thinned(near)])
    lo, hi = (np.array([-87.0, -104.0], dtype=np.float32).view(np.uint32).astype(np.int64))
    tail = np.arange(lo, hi + 1, 3, dtype=np.int64).astype(np.uint32).view(np.float32)
    return np.concatenate([near, thinned(tail), specials(np.float32)])


def float64_random(n, seed=0):
    """Random float64 inputs: uniform over the interesting range, normal, log-uniform
    magnitudes of both signs (1e-320 .. 1e308) and raw random bit patterns."""
    rng = np.random.default_rng(seed)
    k = n // 5
    sign = rng.choice([-1.0, 1.0], size=k)
    return np.concatenate([
        rng.uniform(-760.0, 760.0, k),
        rng.uniform(-40.0, 40.0, k),
        rng.standard_normal(k) * 4.0,
        sign * 10.0 ** rng.uniform(-320.0, 308.0, k),
        rng.integers(0, 2**64, size=n - 4 * k, dtype=np.uint64).view(np.float64),
    ])


def float64_edges(seed=1):
    """Edge float64 inputs: every threshold (both signs) with its 2,000 neighbouring bit
    patterns on each side and 20,000 uniform points within +-0.5; the whole range of
    subnormal results -708.4 .. -745.2 (and the matching tails of sigma'); saturation
    of sigma to 1 (36 .. 38) and 1 - 2**-k steps; tiny |x| down to the subnormals;
    integers and halves; the special values; the worst inputs that targeted searches found
    (subnormal results near -708.49, logit where p/(1-p) is near 2**-0.5)."""
    rng = np.random.default_rng(seed)
    t = np.array(list(F64_THRESHOLDS.values()))
    both = np.concatenate([t, -t])
    near = _neighbours(both, np.float64, 2000)
    dense = (both[:, None] + rng.uniform(-0.5, 0.5, (both.size, scaled(20_000)))).reshape(-1)
    subnormal_results = rng.uniform(-745.5, -708.0, scaled(300_000))
    saturation = rng.uniform(35.0, 38.5, scaled(100_000))
    # x = ln(2**k - 1): sigma(x) = 1 - 2**-k exactly
    steps = np.log(2.0 ** np.arange(1, 60) - 1)
    tiny_mag = 10.0 ** rng.uniform(-323.5, -3.0, scaled(100_000))
    tiny = np.concatenate([tiny_mag, -tiny_mag,
                           _neighbours([5e-324, 2.2250738585072014e-308], np.float64, 500)])
    integers = np.arange(-760.0, 761.0, 0.5)
    found = np.array([-708.4916211344688, 708.4916211344688, -708.4928065098602,
                      708.4928065098602, 0.41639519072262593, 0.41402094625422536])
    return np.concatenate([near, dense, subnormal_results, -subnormal_results, saturation,
                           -saturation, steps, -steps, tiny, integers, found,
                           specials(np.float64)])


def full_significand(a, rng):
    """``a`` (float64 values) as long doubles with random low bits filling the platform's
    significand: 11 more bits on x87, 60 more on binary128 (two random float64 draws)."""
    ld = np.longdouble
    a = np.asarray(a, dtype=ld)
    scale = 1 + ld(2.0) ** -53 * rng.uniform(0, 1, a.size).astype(ld)
    if _LD_BITS > 106:  # the first draw fills bits 54..106 of the significand
        scale += ld(2.0) ** -106 * rng.uniform(0, 1, a.size).astype(ld)
    return a * scale


def longdouble_points(n, seed=2):
    """Long double inputs with full significands (64 bits on x87, 113 on binary128): the
    thresholds and their neighbourhoods (both signs), uniform over the whole useful
    range, near 0 and tiny."""
    rng = np.random.default_rng(seed)
    ld = np.longdouble

    def full(a):
        return full_significand(a, rng)

    span = max(11410.0, (_LD_TINIEST + 1) * LN2 + 10)  # beyond the last subnormal result
    t = np.array(list(LD_THRESHOLDS.values()), dtype=ld)
    both = np.concatenate([t, -t])
    near = (both[:, None] + rng.uniform(-1.0, 1.0, (both.size, 40)).astype(ld)).reshape(-1)
    nextafters = np.concatenate([np.nextafter(both, ld(np.inf)), np.nextafter(both, ld(-np.inf)),
                                 both])
    k = max(n - near.size - nextafters.size, 100) // 4
    tiny = 10.0 ** rng.uniform(-4950.0, -1.0, k).astype(ld)
    out = np.concatenate([
        near, nextafters,
        full(rng.uniform(-span, span, k)),
        full(rng.uniform(-60.0, 60.0, k)),
        full(rng.standard_normal(k) * 3),
        tiny * rng.choice([-1, 1], k),
        specials(ld),
    ])
    return out


# ---------------------------------------------------------- random bytes, made harmless
# for the fuzz tests (test_hardening_fuzz.py, test_hardening_fuzz_family.py): signalling
# NaNs are quieted and, on x87 long double, the encodings the FPU rejects (unnormals,
# pseudo-NaN, pseudo-infinity) get their integer bit, because IEEE arithmetic itself
# raises 'invalid' on them (np.exp does too).

X87 = np.finfo(np.longdouble).nmant == 63 and np.dtype(np.longdouble).itemsize in (12, 16)
LONGDOUBLE_IS_DOUBLE = np.finfo(np.longdouble).nmant == np.finfo(np.float64).nmant


def float_layout(dtype):
    """(unsigned int type, significand bits, exponent bits) of an IEEE binary format."""
    return {2: (np.uint16, 10, 5), 4: (np.uint32, 23, 8), 8: (np.uint64, 52, 11)}[
        np.dtype(dtype).itemsize]


def steer_exponents(bits, mant, exp_bits, rng):
    """Replace the exponent field of random elements: subnormal/zero, the all-ones field
    (inf/NaN), around 1, and the range up to beyond the saturation points."""
    bits = bits.copy()
    uint = bits.dtype.type
    bias = (1 << (exp_bits - 1)) - 1
    choice = rng.integers(0, 6, bits.size)
    exponents = np.select(
        [choice == 0, choice == 1, choice == 2, choice == 3],
        [np.zeros(bits.size, np.int64), np.full(bits.size, 2 * bias + 1),
         bias + rng.integers(-3, 4, bits.size),       # |x| around 1
         bias + rng.integers(4, 12, bits.size)],      # |x| 16 .. 4096: the saturation points
        default=rng.integers(1, 2 * bias + 1, bits.size))  # any normal
    exponents = np.clip(exponents, 0, 2 * bias + 1).astype(uint)
    field = uint(((1 << exp_bits) - 1) << mant)
    bits &= ~field
    bits |= (exponents << uint(mant)) & field
    return bits


def make_harmless_ieee(bits, mant, exp_bits):
    """Quiet every signalling NaN (set the quiet bit, keep sign and payload)."""
    uint = bits.dtype.type
    exp_field = uint(((1 << exp_bits) - 1) << mant)
    frac_field = uint((1 << mant) - 1)
    quiet = uint(1 << (mant - 1))
    nan = ((bits & exp_field) == exp_field) & ((bits & frac_field) != 0)
    bits[nan] |= quiet
    return bits


def make_harmless_x87(raw, steer, rng):
    """raw: (n, itemsize) uint8 of native x87 long doubles.  Optionally steer exponents,
    then give every non-zero exponent its explicit integer bit and quiet signalling NaNs."""
    raw = raw.copy()
    mantissa = raw[:, :8].copy().view("<u8")[:, 0]
    sign_exp = raw[:, 8:10].copy().view("<u2")[:, 0]
    if steer:
        bias = 16383
        choice = rng.integers(0, 6, mantissa.size)
        exponents = np.select(
            [choice == 0, choice == 1, choice == 2, choice == 3],
            [np.zeros(mantissa.size, np.int64), np.full(mantissa.size, 0x7FFF),
             bias + rng.integers(-3, 4, mantissa.size),
             bias + rng.integers(4, 16, mantissa.size)],
            default=rng.integers(1, 0x7FFF, mantissa.size)).astype(np.uint16)
        sign_exp = (sign_exp & np.uint16(0x8000)) | exponents
    exponent = sign_exp & np.uint16(0x7FFF)
    integer_bit, quiet_bit = np.uint64(1 << 63), np.uint64(1 << 62)
    mantissa[exponent != 0] |= integer_bit
    nan = (exponent == 0x7FFF) & ((mantissa & ~integer_bit) != 0)
    mantissa[nan] |= quiet_bit
    raw[:, :8] = mantissa.astype("<u8").view(np.uint8).reshape(-1, 8)
    raw[:, 8:10] = sign_exp.astype("<u2").view(np.uint8).reshape(-1, 2)
    return raw


def harmless_values(x_native, steer, rng):
    """The same bytes, made harmless (see module doc), as a new native array."""
    x = x_native.copy()
    if x.dtype == np.longdouble and X87:
        raw = x.view(np.uint8).reshape(x.size, x.itemsize)
        x = make_harmless_x87(raw, steer, rng).reshape(-1).view(np.longdouble).copy()
    elif x.dtype == np.longdouble and not LONGDOUBLE_IS_DOUBLE:
        # other long double formats (IEEE quad, double-double): values from float64 bits
        as_double = harmless_values(x.astype(np.float64), steer, rng)
        x = as_double.astype(np.longdouble)
    else:
        dtype = np.float64 if x.dtype == np.longdouble else x.dtype
        uint, mant, exp_bits = float_layout(dtype)
        bits = x.view(uint)
        if steer:
            bits = steer_exponents(bits, mant, exp_bits, rng)
        x = make_harmless_ieee(bits.copy(), mant, exp_bits).view(x.dtype)
    return x


def random_layout(rng, n, itemsize):
    """(byte stride, buffer size, byte offset) of a random layout holding n elements."""
    kind = rng.integers(0, 8)
    if kind == 0:
        stride = itemsize  # contiguous (but maybe unaligned)
    elif kind == 1:
        stride = 0  # one element, broadcast
    else:
        stride = itemsize * int(rng.integers(1, 4)) + int(rng.integers(0, itemsize))
    if rng.integers(0, 4) == 0:
        stride = -stride
    span = abs(stride) * max(n - 1, 0) + itemsize
    slack = int(rng.integers(0, 17))
    size = span + slack + 16
    low = int(rng.integers(0, slack + 1))  # byte where the lowest element starts
    offset = low if stride >= 0 else low + abs(stride) * max(n - 1, 0)
    return stride, size, offset
