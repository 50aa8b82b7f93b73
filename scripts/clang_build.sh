#!/usr/bin/env bash
# clang builds dispatch too: the extension is built with CC=clang and -Werror -Wall
# -Wextra (clang is installed with apt-get if missing), it must offer every kernel level
# this CPU has (the avx2/avx512 tables compiled through clang's target attribute, see
# csrc/kernels.h), and the core tests pass under each of them.
# Usage: scripts/clang_build.sh   (PYTHON=... to choose the interpreter for the venv;
#        SIGMOIDX_VENV=dir to use an existing venv that has numpy and setuptools>=77)
. "$(dirname "$0")/_common.sh"

command -v clang >/dev/null || apt_install clang
clang --version | head -1

venv="${SIGMOIDX_VENV:-$work/venv}"
[ -x "$venv/bin/python" ] || make_venv "$venv"
py="$venv/bin/python"
copy_sources "$work/src"

echo "=== clang build of the C extension, -Werror -Wall -Wextra"
log="$work/clang-build.log"
# LDSHARED follows CC (distutils replaces the configured compiler at its start)
if ! CC=clang CFLAGS="-Werror -Wall -Wextra" "$py" -m pip install --verbose --no-deps \
        --no-build-isolation --disable-pip-version-check --force-reinstall "$work/src" \
        >"$log" 2>&1; then
    grep -E "error|warning" "$log" || tail -50 "$log"
    echo "FAILED: the C code does not build with clang -Werror -Wall -Wextra" >&2
    exit 1
fi
# every C file compiled by clang with -Werror, and nothing reported
check_werror_log "$log" clang

# The levels the clang build offers must be those this CPU has (as /proc/cpuinfo tells).
levels=$(cd / && "$py" -c "import sigmoidx; print(' '.join(sigmoidx.show_config()['supported']))")
echo "clang build, kernel levels: $levels"
if [ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ]; then
    flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
    expected="baseline"
    if [[ $flags == *" avx2 "* && $flags == *" fma "* && $flags == *" f16c "* ]]; then
        expected="$expected avx2"
        [[ $flags != *" avx512f "* ]] || expected="$expected avx512"
    fi
    if [ "$levels" != "$expected" ]; then
        echo "FAILED: the clang build offers '$levels', this CPU has '$expected'" >&2
        exit 1
    fi
fi

for level in $levels; do
    echo "=== clang build, kernel level: $level"
    (cd "$repo" && SIGMOIDX_CPU=$level "$py" -m pytest -q -p no:cacheprovider \
        tests/test_accuracy.py tests/test_special_values.py tests/test_layouts.py \
        tests/test_kernel_levels.py)
done
echo "ok: clang build, core tests passed under: $levels"
