#!/usr/bin/env bash
# The runtime NumPy range that pyproject.toml declares, tested at both ends.
#
# In one fresh venv: build the wheel (against NumPy 2 headers, targeting the oldest
# ABI), install "<wheel>[test]" with NumPy held at the OLDEST version the project
# declares (the newest patch release of the "numpy>=X.Y" floor in [project]
# dependencies) and run a subset of the tests that exercises the ufunc machinery
# and the users' tools (dask, distributed, pandas, xarray, scikit-learn); then
# upgrade NumPy to the NEWEST release on the package index, same wheel, same tests.
#
#   bash scripts/test_numpy_range.sh            # both ends
#   bash scripts/test_numpy_range.sh oldest     # one end: oldest | newest
#
# PYTHON selects the interpreter for the venv (default: python3).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
want_oldest=0
want_newest=0
for end in "${@:-oldest newest}"; do
    for word in $end; do
        case "$word" in
            oldest) want_oldest=1 ;;
            newest) want_newest=1 ;;
            *) echo "unknown end '$word' (oldest or newest)" >&2; exit 2 ;;
        esac
    done
done

# the runtime floor: from the [project] dependencies line, not from [build-system]
floor="$(sed -n 's/^dependencies *=.*"numpy>=\([0-9][0-9.]*\)".*/\1/p' "$repo/pyproject.toml")"
if [[ -z "$floor" ]]; then
    echo "no \"numpy>=X.Y\" in the dependencies line of pyproject.toml" >&2
    exit 1
fi

tests=(
    tests/test_accuracy.py
    tests/test_protocol.py
    tests/test_special_values.py
    tests/test_layouts.py
    tests/test_derivative.py
    tests/test_pickling.py
    tests/test_docs.py
    tests/test_dask.py
    tests/test_pandas_xarray.py
    tests/test_sklearn.py
)
pip_quiet=(--quiet --disable-pip-version-check)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="$work/venv"
py="$venv/bin/python"

"$python" -m venv "$venv"
"$py" -m pip install "${pip_quiet[@]}" --upgrade pip
"$py" -m pip wheel "${pip_quiet[@]}" --no-deps --wheel-dir "$work/dist" "$repo"
wheel="$(ls "$work"/dist/sigmoidx-*.whl)"
echo "=== built $(basename "$wheel") at ${SECONDS}s"

run_tests() {  # $1: which end
    local numpy_version
    numpy_version="$("$py" -c 'import numpy; print(numpy.__version__)')"
    echo "=== NumPy $numpy_version ($1 end of numpy>=$floor), installed at ${SECONDS}s"
    "$py" -m pip list --disable-pip-version-check 2>/dev/null |
        grep -iE '^(numpy|dask|distributed|pandas|xarray|scikit-learn|matplotlib) ' || true
    (cd "$repo" && "$py" -m pytest -q -p no:cacheprovider "${tests[@]}")
}

if ((want_oldest)); then
    # hold NumPy at the floor; the resolver picks test tools that support it
    echo "numpy==${floor}.*" >"$work/constraints.txt"
    "$py" -m pip install "${pip_quiet[@]}" --constraint "$work/constraints.txt" "$wheel[test]"
    numpy_version="$("$py" -c 'import numpy; print(numpy.__version__)')"
    if [[ "$numpy_version" != "$floor".* ]]; then
        echo "expected NumPy $floor.*, got $numpy_version" >&2
        exit 1
    fi
    run_tests oldest
fi

if ((want_newest)); then
    # the same venv, NumPy (only) upgraded to the newest release; the tools stay as the
    # oldest end resolved them. The main CI venv covers newest NumPy with newest tools.
    "$py" -m pip install "${pip_quiet[@]}" --upgrade "$wheel[test]" numpy
    run_tests newest
fi
echo "=== NumPy range done in ${SECONDS}s"
