#!/usr/bin/env bash
# The test suite on aarch64 (64-bit ARM), run here under user-mode emulation.
#
#   1. host tools: aarch64-linux-gnu-gcc, qemu-aarch64-static and clang (apt-get, if missing)
#   2. a sysroot: Debian's arm64 CPython 3.11 and the libraries it links, unpacked with
#      dpkg -x (nothing is installed for arm64; the host's Python is untouched)
#   3. a site folder: aarch64 wheels of numpy, pytest, hypothesis and mpmath, unzipped
#   4. the extension cross-compiled by aarch64-linux-gnu-gcc with setup.py's flags and the
#      checkout's source hash compiled in (tests/conftest.py checks it), and once more by
#      clang --target=aarch64-linux-gnu against the sysroot with -Werror -Wall -Wextra;
#      both builds must give the same bits on a seeded input set
#   5. the kernels of every aarch64 level against x86-64's (scripts/kernel_outputs.c):
#      the same bits (baseline against baseline, a NEON level against avx2)
#   6. the tests under qemu-aarch64-static, with SIGMOIDX_TEST_SCALE (printed) shrinking
#      the sample sizes that emulation makes too slow (tests/inputs.py: scaled, thinned)
#
# Steps 2 and 3 are cached under $SIGMOIDX_AARCH64_CACHE (default
# ${XDG_CACHE_HOME:-~/.cache}/sigmoidx-aarch64), which CI may keep; from nothing they
# take a few minutes (downloads), and a stamp file says when a step completed.
#
#   bash scripts/test_aarch64.sh                    # the test modules listed below
#   bash scripts/test_aarch64.sh tests/test_logit.py -k longdouble   # other tests, options
#   bash scripts/test_aarch64.sh --durations=20      # options only: the default test list
#   SIGMOIDX_TEST_SCALE=1 bash scripts/test_aarch64.sh   # full sizes (slow: about 10x)
#   bash scripts/test_aarch64.sh --python benchmarks/longdouble_accuracy.py --points 3000
. "$(dirname "$0")/_common.sh"

cache="${SIGMOIDX_AARCH64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sigmoidx-aarch64}"
pyver=3.11
triple=aarch64-linux-gnu
# Emulation runs the float code some 10-30x slower: shrink random and swept sample sizes
# by this factor (thresholds, special values and fixed edge points are never dropped).
export SIGMOIDX_TEST_SCALE="${SIGMOIDX_TEST_SCALE:-0.1}"
default_tests=(
    tests/test_accuracy.py tests/test_special_values.py tests/test_layouts.py
    tests/test_identities.py tests/test_derivative.py tests/test_log_sigmoid.py
    tests/test_logit.py tests/test_sigmoid_backward.py tests/test_sigmoid_and_grad.py
    tests/test_complex.py tests/test_hardening_fuzz.py tests/test_hardening_fuzz_family.py
    tests/test_kernel_levels.py tests/test_bfloat16.py
)
mkdir -p "$cache"
start=$SECONDS

# ---------------------------------------------------------------------------- host tools
missing=()
command -v ${triple}-gcc >/dev/null || missing+=(gcc-${triple})
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
command -v clang >/dev/null || missing+=(clang)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    need_update=1
fi
if [ ${#missing[@]} -gt 0 ] || [ "${need_update:-0}" = 1 ]; then
    echo "=== apt-get update; install: ${missing[*]:-nothing (arm64 architecture added)}"
    apt-get update -q >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; exit 1; }
    if [ ${#missing[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" >>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; exit 1; }
    fi
fi

# ---------------------------------------------------------------------------- sysroot
# CPython and what it links, and for the compilers (both build with --sysroot) the C
# library's headers and crt files (libc6-dev, linux-libc-dev, libcrypt-dev) and, for clang,
# GCC's crt files and libgcc (libgcc-12-dev).
sysroot_packages=(
    python${pyver}-minimal libpython${pyver}-minimal libpython${pyver}-stdlib
    libpython${pyver}-dev python${pyver}-dev
    libc6 zlib1g libexpat1 libffi8 libssl3 libbz2-1.0 liblzma5 libsqlite3-0 libuuid1
    libgcc-s1 libstdc++6 libncursesw6 libtinfo6 libreadline8 libcrypt1
    libc6-dev linux-libc-dev libgcc-12-dev libcrypt-dev
)
sysroot="$cache/sysroot"
sysroot_key="${sysroot_packages[*]}"
if [ "$(cat "$sysroot/.complete" 2>/dev/null)" != "$sysroot_key" ]; then
    echo "=== aarch64 sysroot: apt-get download + dpkg -x of ${#sysroot_packages[@]} arm64 packages"
    rm -rf "$sysroot" "$cache/debs"
    mkdir -p "$cache/debs" "$sysroot"
    # apt-get download needs the arm64 package lists (an earlier update may predate them)
    if ! apt-cache show python${pyver}-minimal:arm64 >/dev/null 2>&1; then
        apt-get update -q >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; exit 1; }
    fi
    (cd "$cache/debs" && apt-get download -q "${sysroot_packages[@]/%/:arm64}") \
        >"$work/download.log" 2>&1 || { tail -20 "$work/download.log"; exit 1; }
    for deb in "$cache/debs"/*.deb; do
        dpkg -x "$deb" "$sysroot"
    done
    # absolute links (libm.so -> /lib/aarch64-linux-gnu/libm.so.6) would name the host's
    # files: make them relative, inside the sysroot (else the linker falls back to libm.a)
    python3 -c 'import os, sys
root = sys.argv[1]
for folder, dirs, files in os.walk(root):
    for name in dirs + files:
        link = os.path.join(folder, name)
        if os.path.islink(link) and os.readlink(link).startswith("/"):
            target = root + os.readlink(link)
            os.remove(link)
            os.symlink(os.path.relpath(target, folder), link)' "$sysroot"
    echo "$sysroot_key" >"$sysroot/.complete"
fi
python_arm="$sysroot/usr/bin/python${pyver}"
[ -x "$python_arm" ] || { echo "no $python_arm in the sysroot" >&2; exit 1; }

# ---------------------------------------------------------------------------- site folder
site_requirements=("numpy>=2.0" "pytest>=7" "hypothesis>=6.100" "mpmath>=1.3" "ml_dtypes>=0.4")
site="$cache/site"
site_key="${site_requirements[*]}"
if [ "$(cat "$site/.complete" 2>/dev/null)" != "$site_key" ]; then
    echo "=== aarch64 site folder: pip download ${site_requirements[*]}"
    rm -rf "$site" "$cache/wheels"
    mkdir -p "$site" "$cache/wheels"
    # pip from a throw-away venv of the host's Python (Debian's own is externally managed)
    python3 -m venv "$work/pip-venv"
    "$work/pip-venv/bin/python" -m pip download --quiet --disable-pip-version-check \
        --only-binary=:all: --platform manylinux2014_aarch64 --python-version "$pyver" \
        --implementation cp --abi "cp${pyver/./}" -d "$cache/wheels" "${site_requirements[@]}"
    for wheel in "$cache/wheels"/*.whl; do
        python3 -m zipfile -e "$wheel" "$site"
    done
    echo "$site_key" >"$site/.complete"
fi
numpy_include="$site/numpy/_core/include"
[ -f "$numpy_include/numpy/arrayobject.h" ] || { echo "no NumPy headers in $site" >&2; exit 1; }

# ---------------------------------------------------------------------------- builds
copy_sources "$work/src"
source_hash="$(python3 -c 'import runpy, sys
print(runpy.run_path(sys.argv[1] + "/sigmoidx/_source_hash.py")["source_hash"](sys.argv[1]))' "$work/src")"
so_name="_core.cpython-${pyver/./}-${triple}.so"
py_include=(-I"$sysroot/usr/include/python${pyver}" -I"$sysroot/usr/include/${triple}/python${pyver}")
# setup.py's flags (extra_compile_args) plus what setuptools adds for an extension
common_flags=(-std=c11 -O3 -ffp-contract=off -Wall -Wextra -fPIC -shared
              "${py_include[@]}" -I"$numpy_include" -I"$work/src/csrc" -I"$work/src/sigmoidx/include"
              -DSIGMOIDX_SOURCE_HASH="\"$source_hash\"")

# Python package folders: sigmoidx's own .py/.pyi files plus one build of _core each,
# and the metadata an installed distribution has (sigmoidx.__version__ reads it)
version="$(python3 -c 'import sys, tomllib
print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$work/src/pyproject.toml")"
for compiler in gcc clang; do
    mkdir -p "$work/pkg-$compiler/sigmoidx" "$work/pkg-$compiler/sigmoidx-$version.dist-info"
    cp "$work/src/sigmoidx/"*.py "$work/src/sigmoidx/"*.pyi "$work/src/sigmoidx/py.typed" \
        "$work/pkg-$compiler/sigmoidx/"
    cp "$work/src/sigmoidx/"*.pxd "$work/pkg-$compiler/sigmoidx/" 2>/dev/null || true
    if [ -d "$work/src/sigmoidx/include" ]; then  # the C API's headers, as pip installs them
        cp -r "$work/src/sigmoidx/include" "$work/pkg-$compiler/sigmoidx/"
    fi
    printf 'Metadata-Version: 2.1\nName: sigmoidx\nVersion: %s\n' "$version" \
        >"$work/pkg-$compiler/sigmoidx-$version.dist-info/METADATA"
done

echo "=== cross build: ${triple}-gcc ($(${triple}-gcc -dumpversion)), source hash $source_hash"
${triple}-gcc --sysroot="$sysroot" "${common_flags[@]}" "$work/src"/csrc/*.c -lm \
    -o "$work/pkg-gcc/sigmoidx/$so_name" 2>"$work/gcc.log" || { cat "$work/gcc.log"; exit 1; }
if [ -s "$work/gcc.log" ]; then
    cat "$work/gcc.log"; echo "FAILED: ${triple}-gcc reported warnings" >&2; exit 1
fi

# No x86-only code in the aarch64 build: no source includes an x86 intrinsics header
# there, and the library defines no x86 kernel table (kernels.h gates them on __x86_64__).
x86_headers="$(${triple}-gcc --sysroot="$sysroot" -std=c11 -M "${py_include[@]}" -I"$numpy_include" \
    -I"$work/src/csrc" -I"$work/src/sigmoidx/include" -DSIGMOIDX_SOURCE_HASH='"x"' "$work/src"/csrc/*.c | tr ' ' '\n' \
    | grep -E '(imm|x86|[exptn]mm|avx[0-9a-z]*)intrin\.h|cpuid\.h' || true)"
x86_symbols="$(${triple}-nm --defined-only "$work/pkg-gcc/sigmoidx/$so_name" \
    | grep -E 'kernels_(avx|sse|x86)' || true)"
if [ -n "$x86_headers$x86_symbols" ]; then
    echo "FAILED: x86-only code in the aarch64 build: $x86_headers $x86_symbols" >&2
    exit 1
fi
echo "ok: no x86 intrinsics header and no x86 kernel table in the aarch64 build"

echo "=== cross build: clang --target=$triple --sysroot ($(clang -dumpversion)), -Werror"
clang --target=$triple --sysroot="$sysroot" -Werror \
    "${common_flags[@]}" "$work/src"/csrc/*.c -lm \
    -o "$work/pkg-clang/sigmoidx/$so_name" 2>"$work/clang.log" || { cat "$work/clang.log"; exit 1; }
file_type="$(od -An -tx1 -j18 -N2 "$work/pkg-clang/sigmoidx/$so_name" | tr -d ' ')"
[ "$file_type" = b700 ] || { echo "FAILED: clang's output is not an aarch64 ELF ($file_type)" >&2; exit 1; }

# The arm64 CPython as a host program: a wrapper that starts it under qemu with argv[0]
# naming the wrapper, so that sys.executable is the wrapper and tests that start Python
# in a subprocess (tests/test_kernel_levels.py) start it under emulation too.
arm_python="$work/bin/python$pyver"
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec qemu-aarch64-static -L "%s" -0 "$0" "%s" "$@"\n' "$sysroot" "$python_arm" >"$arm_python"
chmod +x "$arm_python"
run_arm() {  # run_arm PACKAGE_DIR ARGS...: the arm64 CPython under qemu
    local pkg="$1"; shift
    PYTHONHOME="$sysroot/usr" PYTHONPATH="$pkg:$site" PYTHONDONTWRITEBYTECODE=1 \
        HYPOTHESIS_STORAGE_DIRECTORY="$work/hypothesis" "$arm_python" "$@"
}

echo "=== GCC and clang builds give the same bits (every function and dtype, seeded inputs)"
compare_script='
import sys, numpy as np, sigmoidx
rng = np.random.default_rng(14)
x64 = np.concatenate([rng.uniform(-760, 760, 3000), rng.standard_normal(3000) * 8,
                      rng.uniform(0, 1, 3000), [0.0, -0.0, np.inf, -np.inf, np.nan, 0.5]])
out = []
for dtype in (np.float16, np.float32, np.float64, np.longdouble):
    x = x64.astype(dtype)
    for f in (sigmoidx.sigmoid, sigmoidx.sigmoid_grad, sigmoidx.log_sigmoid, sigmoidx.logit):
        with np.errstate(invalid="ignore"):  # logit of p outside [0, 1]
            out.append(f(x))
    out.extend(sigmoidx.sigmoid_and_grad(x))
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0; float16 products beyond 65504
        out.append(sigmoidx.sigmoid_backward(x, x[::-1]))
for dtype in (np.complex64, np.complex128):
    z = (x64[:3000] + 1j * x64[3000:6000]).astype(dtype)
    out += [sigmoidx.sigmoid(z), sigmoidx.sigmoid_grad(z)]
np.savez(sys.argv[1], *out)
config = sigmoidx.show_config()
assert not {"avx2", "avx512"} & set(config["supported"]), config  # no x86 level here
print(config)
'
for compiler in gcc clang; do  # from $work: python -c puts the current folder on sys.path
    (cd "$work" && run_arm "$work/pkg-$compiler" -c "$compare_script" "$work/out-$compiler.npz")
done
python3 -c 'import sys, zipfile
a, b = (zipfile.ZipFile(p) for p in sys.argv[1:3])
diff = [n for n in a.namelist() if a.read(n) != b.read(n)]
assert a.namelist() == b.namelist() and not diff, ("GCC and clang builds differ", diff)
print("ok:", len(a.namelist()), "result arrays identical")' "$work/out-gcc.npz" "$work/out-clang.npz"

# ---------------------------------------------------------------------------- same bits
# The kernels of each aarch64 level against those of x86-64 on a seeded input set
# (scripts/kernel_outputs.c): the neon level runs the avx2 level's kernel text over
# another vector layer; the aarch64 baseline is the x86-64 baseline's C, but compiled
# where fma() is an instruction (sigmoid_math.h then takes its FMA formulas, as the
# x86-64 baseline does only when built with -mfma: its partner here, on an FMA CPU).
if [ "$(uname -m)" = x86_64 ] && [ "${1:-}" != --python ]; then
    echo "=== aarch64 kernels against x86-64 ones, bit for bit (6.3M results per level)"
    kernel_sources=("$work/src/scripts/kernel_outputs.c" "$work/src/csrc/dispatch.c" "$work/src"/csrc/kernels_*.c)
    cc -std=c11 -O3 -ffp-contract=off -I"$work/src/csrc" "${kernel_sources[@]}" -lm -o "$work/outputs-host"
    if grep -qw fma /proc/cpuinfo; then
        cc -std=c11 -O3 -ffp-contract=off -mfma -I"$work/src/csrc" "${kernel_sources[@]}" -lm \
            -o "$work/outputs-host-fma"
    fi
    ${triple}-gcc --sysroot="$sysroot" -std=c11 -O3 -ffp-contract=off -I"$work/src/csrc" \
        "${kernel_sources[@]}" -lm -o "$work/outputs-arm"
    host_levels=" $("$work/outputs-host" levels | tr '\n' ' ')"
    compared=0
    for level in $(qemu-aarch64-static -L "$sysroot" "$work/outputs-arm" levels); do
        host="$work/outputs-host"
        case "$level" in
            neon) partner=avx2 ;;
            baseline) partner=baseline host="$work/outputs-host-fma" ;;
            *) partner="$level" ;;
        esac
        if [ ! -x "$host" ] || [[ "$host_levels" != *" $partner "* ]]; then
            echo "  aarch64 $level: this CPU has no $partner level (with FMA) to compare with"
            continue
        fi
        qemu-aarch64-static -L "$sysroot" "$work/outputs-arm" write "$level" "$work/arm-$level.bin"
        "$host" write "$partner" "$work/x86-$partner.bin"
        echo "  aarch64 $level against x86-64 $partner${host##*outputs-host}:"
        "$work/outputs-host" compare "$work/x86-$partner.bin" "$work/arm-$level.bin"
        compared=$((compared + 1))
    done
    [ "$compared" -gt 0 ] || { echo "FAILED: no level compared" >&2; exit 1; }
fi

# ---------------------------------------------------------------------------- tests
if [ "${1:-}" = --python ]; then  # --python FILE ARGS: run a script instead of the tests
    shift
    echo "=== under qemu-aarch64-static (GCC build): python $*"
    (cd "$work/src" && run_arm "$work/pkg-gcc" "$@")
    exit
fi
# arguments starting with - are pytest options; any other argument replaces the default list
tests=()
options=()
previous=""
for arg in "$@"; do
    case "$previous" in
        -k|-m|-p|-o) options+=("$arg") ;;  # the value of an option
        *) case "$arg" in -*) options+=("$arg") ;; *) tests+=("$arg") ;; esac ;;
    esac
    previous="$arg"
done
[ ${#tests[@]} -gt 0 ] || tests=("${default_tests[@]}")
echo "=== tests under qemu-aarch64-static (GCC build), SIGMOIDX_TEST_SCALE=$SIGMOIDX_TEST_SCALE:"
echo "    random and swept sample sizes cut to that fraction; thresholds, specials kept"
(cd "$work/src" && run_arm "$work/pkg-gcc" -m pytest -p no:cacheprovider "${options[@]}" "${tests[@]}")
echo "=== aarch64 done in $((SECONDS - start)) s"
