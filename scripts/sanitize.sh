#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer: build the extension with both, in a fresh
# venv (never the developer's), and run the test suite against that build, all but the
# tests marked slow (huge arrays: ASan's shadow memory and quarantine would not fit) and
# those marked integration (they start whole third-party stacks, Dask clusters, Jupyter
# kernels, mypy, wheel builds, that would run with the ASan runtime preloaded and add
# nothing about our C code).
# Any sanitizer report, in the test process or in a subprocess it starts, fails the run.
#
# Usage: scripts/sanitize.sh [pytest arguments, default: tests]
#   PYTHON=...        interpreter for the venv (default python3)
#   SIGMOIDX_VENV=dir reuse a venv made by an earlier run (skips the installs)
. "$(dirname "$0")/_common.sh"


venv="${SIGMOIDX_VENV:-$work/venv}"
[ -x "$venv/bin/python" ] || make_venv "$venv"
py="$venv/bin/python"
copy_sources "$work/src"

san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
echo "=== building sigmoidx with $san"
log="$work/build.log"
if ! CFLAGS="$san -g" LDFLAGS="$san" "$py" -m pip install --verbose --no-deps \
        --no-build-isolation --disable-pip-version-check --force-reinstall "$work/src" \
        >"$log" 2>&1; then
    tail -40 "$log"
    echo "FAILED: sanitizer build" >&2
    exit 1
fi

# (importing it needs the ASan runtime preloaded: find the .so without importing)
so=$(find "$venv/lib" -path '*/site-packages/sigmoidx/_core*.so' -print -quit)
[ -n "$so" ] && [ -f "$so" ] || { echo "FAILED: built extension not found" >&2; exit 1; }
# (whole outputs first: under pipefail, `nm | grep -q` fails when grep's early exit
# kills nm with SIGPIPE)
libraries=$(ldd "$so")
symbols=$(nm -D "$so")
if ! grep -q 'libasan' <<<"$libraries" || ! grep -q 'libubsan' <<<"$libraries" \
        || ! grep -q '__asan_report' <<<"$symbols" || ! grep -q '__ubsan_handle' <<<"$symbols"; then
    ldd "$so"
    echo "FAILED: $so is not instrumented with ASan and UBSan" >&2
    exit 1
fi
echo "instrumented: $so"
ldd "$so" | grep -E 'libasan|libubsan'

reports="$work/reports"
mkdir -p "$reports"
libasan=$(ldd "$so" | awk '/libasan/ {print $3}')
echo "=== test suite (not slow) under ASan+UBSan"
set +e
(
    cd "$repo"
    # libasan must be the first library loaded (python itself is not instrumented)
    export LD_PRELOAD="$libasan"
    # CPython frees little at exit by design: no leak check.  ASan reports go to files, so
    # that one in a subprocess (whose exit status a test may expect to be non-zero) is seen
    # too.  UBSan (built with -fno-sanitize-recover) ignores log_path: its reports go to
    # stderr, which pytest leaves alone here (--capture=sys), and are looked for below.
    export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:log_path=$reports/asan"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    export PYTHONMALLOC=malloc  # every Python allocation seen by ASan
    export SIGMOIDX_NUM_THREADS=2  # the thread pool on, whatever the machine's CPU count
    export PYTHONFAULTHANDLER=1
    [ "$#" -gt 0 ] || set -- tests
    # modules marked integration as a whole are not even imported: this venv has sigmoidx's
    # build and test needs, not the tools they start (Dask, Jupyter, mypy, Cython)
    ignores=()
    for module in $(grep -l '^pytestmark = pytest.mark.integration' tests/test_*.py); do
        ignores+=("--ignore=$module")
    done
    "$py" -m pytest -q -rs -p no:cacheprovider --capture=sys -m "not slow and not integration" \
        "${ignores[@]}" "$@"
) 2>&1 | tee "$work/pytest.log"
status=${PIPESTATUS[0]}
set -e

check_sanitizer_run "AddressSanitizer/UndefinedBehaviorSanitizer" "$reports" "$work/pytest.log" \
    'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$status"
