#!/usr/bin/env bash
# The avx512 kernels on a CPU without AVX-512: a test-only build in which csrc/vec_avx512.h
# takes its intrinsics from SIMDe (Debian's libsimde-dev, installed here if missing),
# which implements them on AVX2 + FMA + F16C, and whose dispatch offers the avx512 level
# wherever avx2 runs.  The accuracy, special-value, layout and kernel-level tests then run
# under SIGMOIDX_CPU=avx512.  The built extension must hold no zmm instruction: that is
# what makes the run an emulation on any CPU, this one included.
# Usage: scripts/test_avx512_emulated.sh   (PYTHON=... for the venv's interpreter;
#        SIGMOIDX_VENV=dir to use an existing venv that has numpy and setuptools>=77)
. "$(dirname "$0")/_common.sh"

[ -f /usr/include/simde/x86/avx512.h ] || apt_install libsimde-dev
if ! grep -q -w avx2 /proc/cpuinfo; then
    echo "FAILED: the emulation of AVX-512 needs AVX2 (this CPU has none)" >&2
    exit 1
fi

venv="${SIGMOIDX_VENV:-$work/venv}"
[ -x "$venv/bin/python" ] || make_venv "$venv"
py="$venv/bin/python"
copy_sources "$work/src"

echo "=== building sigmoidx with the avx512 kernels through SIMDe (-DSIGMOIDX_AVX512_SIMDE)"
log="$work/build.log"
# (-Wno-psabi: GCC notes that 64-byte vector arguments would change the ABI without
# AVX-512; these are SIMDe's inline functions, never an interface)
if ! CFLAGS="-DSIGMOIDX_AVX512_SIMDE -Wno-psabi" "$py" -m pip install --verbose --no-deps \
        --no-build-isolation --disable-pip-version-check --force-reinstall "$work/src" \
        >"$log" 2>&1; then
    grep -E "error" "$log" || tail -40 "$log"
    echo "FAILED: the SIMDe build" >&2
    exit 1
fi
if grep -E '\.(c|h):[0-9]+(:[0-9]+)?: (warning|error):' "$log"; then
    echo "FAILED: compiler warnings in the SIMDe build" >&2
    exit 1
fi
so=$(cd / && "$py" -c "import sigmoidx._core as c; print(c.__file__)")
disassembly=$(objdump -d --no-show-raw-insn "$so")
zmm=$(grep -c 'zmm' <<<"$disassembly" || true)
if [ "$zmm" -ne 0 ]; then
    echo "FAILED: $so holds $zmm instructions on zmm registers: not an emulation" >&2
    exit 1
fi
supported=$(cd / && SIGMOIDX_CPU=avx512 "$py" -c \
    "import sigmoidx; c = sigmoidx.show_config(); assert c['kernel_level'] == 'avx512', c; print(c['supported'])")
echo "emulated: $so has no zmm instruction; levels offered: $supported"

echo "=== avx512 level, EMULATED through SIMDe: accuracy, special values, layouts, levels"
cd "$repo"
SIGMOIDX_CPU=avx512 "$py" -m pytest -q -p no:cacheprovider tests/test_accuracy.py \
    tests/test_special_values.py tests/test_layouts.py tests/test_kernel_levels.py
echo "ok: the avx512 kernels pass under SIMDe emulation"
