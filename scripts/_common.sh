# Shared by the scripts in this folder (sourced, not run).  Sets:
#   repo   the repository root
#   work   a fresh temporary folder, removed on exit (SIGMOIDX_KEEP_WORK=1 keeps it)
# and defines:
#   make_venv DIR          a fresh venv with what building and testing sigmoidx needs
#   copy_sources DEST      the sources to build, without any build/ left-overs
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/sigmoidx-$(basename "$0" .sh).XXXXXX")"
if [ "${SIGMOIDX_KEEP_WORK:-0}" != 1 ]; then
    trap 'rm -rf "$work"' EXIT
fi

make_venv() {
    "${PYTHON:-python3}" -m venv "$1"
    "$1/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    # the build requirements (pyproject [build-system]) and the test extras, so that the
    # extension can be built without build isolation, with our CFLAGS
    "$1/bin/python" -m pip install --quiet --disable-pip-version-check \
        "setuptools>=77" wheel "numpy>=2.0" "pytest>=7" "hypothesis>=6.100" "mpmath>=1.3" \
        "ml_dtypes>=0.4"  # tests/test_bfloat16.py: the bfloat16 loops under the sanitizers too
}

copy_sources() {
    # A clean copy: setuptools skips compiling when build/ holds objects newer than the
    # sources, whatever the CFLAGS, so never build in a tree with old build output.
    mkdir -p "$1"
    tar -C "$repo" --exclude=./.git --exclude=./build --exclude=./dist --exclude='*.egg-info' \
        --exclude='*.so' --exclude=__pycache__ --exclude=.pytest_cache --exclude=.hypothesis \
        -cf - . | tar -C "$1" -xf -
}
