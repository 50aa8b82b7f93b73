# Shared by the scripts in this folder (sourced, not run).  Sets:
#   repo   the repository root
#   work   a fresh temporary folder, removed on exit (SIGMOIDX_KEEP_WORK=1 keeps it)
# and defines:
#   make_venv DIR          a fresh venv with what building and testing sigmoidx needs
#   copy_sources DEST      the sources to build, without any build/ left-overs
#   apt_install PACKAGE...  installs Debian packages (apt-get update first; sudo unless root)
#   check_sanitizer_run TOOL REPORTS LOG PATTERN STATUS   fails on a report file in
#                          REPORTS, a line of LOG matching PATTERN, or a non-zero STATUS
#   check_werror_log LOG COMPILER   every csrc/*.c compiled by COMPILER (a regex) with
#                          -Werror in the build log LOG, and no warning reported
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

check_werror_log() {
    local log="$1" compiler="$2" compiles with_werror sources
    compile_lines() { grep -E "^ *[^ ]*($compiler)[^ ]* .* -c csrc/[^ ]*\.c" "$log" || true; }
    compiles=$(compile_lines | wc -l)
    with_werror=$(compile_lines | grep -c -- ' -Werror ' || true)
    sources=$(ls "$repo"/csrc/*.c | wc -l)
    if [ "$compiles" -ne "$sources" ] || [ "$with_werror" -ne "$sources" ]; then
        grep -E ' -c csrc/' "$log" || true
        echo "FAILED: expected $sources $compiler calls with -Werror, saw $compiles ($with_werror with -Werror)" >&2
        exit 1
    fi
    if grep -E '\.(c|h):[0-9]+(:[0-9]+)?: (warning|error):' "$log"; then
        echo "FAILED: compiler warnings" >&2
        exit 1
    fi
    echo "ok: $sources C files compiled by $compiler with -Werror -Wall -Wextra, no warnings"
}

apt_install() {
    local as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    echo "=== installing $*"
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "$@" >/dev/null
}

check_sanitizer_run() {
    local tool="$1" reports="$2" log="$3" pattern="$4" status="$5" found
    found=$(find "$reports" -type f | wc -l)
    if [ "$found" -ne 0 ]; then
        for f in "$reports"/*; do echo "----- $f"; cat "$f"; done
        echo "FAILED: $found $tool report(s)" >&2
        exit 1
    fi
    if grep -E "$pattern" "$log"; then
        echo "FAILED: $tool report(s) in the output above" >&2
        exit 1
    fi
    if [ "$status" -ne 0 ]; then
        echo "FAILED: the tests under $tool exited with $status" >&2
        exit "$status"
    fi
    echo "ok: no $tool report"
}
