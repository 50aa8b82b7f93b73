#!/usr/bin/env bash
# The C and Cython API, Numba included: tests/test_c_api.py in a fresh venv that has the
# test extras (Cython among them) and Numba, with SIGMOIDX_REQUIRE_NUMBA=1 so that the
# Numba test fails instead of skipping.  Numba is not a test extra: it holds NumPy below
# releases it does not support yet, and the main test venv must get the newest NumPy.
#
# Usage: scripts/test_c_api.sh   (PYTHON=... for the venv's interpreter)
. "$(dirname "$0")/_common.sh"

venv="$work/venv"
"${PYTHON:-python3}" -m venv "$venv"
py="$venv/bin/python"
pip_quiet=(--quiet --disable-pip-version-check)
"$py" -m pip install "${pip_quiet[@]}" --upgrade pip
copy_sources "$work/src"
"$py" -m pip install "${pip_quiet[@]}" "$work/src[test]" numba
"$py" -c 'import numba, numpy, Cython; print("=== C API with Numba", numba.__version__, "NumPy", numpy.__version__, "Cython", Cython.__version__)'
cd "$repo"
SIGMOIDX_REQUIRE_NUMBA=1 "$py" -m pytest -q -p no:cacheprovider tests/test_c_api.py
