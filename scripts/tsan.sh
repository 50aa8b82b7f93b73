#!/usr/bin/env bash
# ThreadSanitizer: build the extension with gcc -fsanitize=thread, in a fresh venv (never
# the developer's), and run the threading tests against it with the pool on (every race
# between the pool's threads, or between callers, is a report and fails the run).  Then
# build without threads (-DSIGMOIDX_NO_THREADS, what a platform without pthreads gets) and
# run the same tests: everything serial, nothing else changes.
#
# Usage: scripts/tsan.sh [pytest arguments, default: the threading tests]
#   PYTHON=...        interpreter for the venv (default python3)
#   SIGMOIDX_VENV=dir reuse a venv made by an earlier run (skips the installs)
. "$(dirname "$0")/_common.sh"

venv="${SIGMOIDX_VENV:-$work/venv}"
[ -x "$venv/bin/python" ] || make_venv "$venv"
py="$venv/bin/python"
# threadpoolctl's test needs it (test extras); the venv may be shared with other scripts
"$py" -m pip install --quiet --disable-pip-version-check "threadpoolctl>=3.2"

build() {  # build CFLAGS LDFLAGS (from a fresh copy each time: see copy_sources)
    local src log="$work/build.log"
    src=$(mktemp -d "$work/src.XXXXXX")
    copy_sources "$src"
    echo "=== building sigmoidx with CFLAGS=$1"
    if ! CFLAGS="$1" LDFLAGS="$2" "$py" -m pip install --verbose --no-deps \
            --no-build-isolation --disable-pip-version-check --force-reinstall "$src" \
            >"$log" 2>&1; then
        tail -40 "$log"
        echo "FAILED: build with $1" >&2
        exit 1
    fi
    so=$(find "$venv/lib" -path '*/site-packages/sigmoidx/_core*.so' -print -quit)
    [ -n "$so" ] && [ -f "$so" ] || { echo "FAILED: built extension not found" >&2; exit 1; }
}

# (the timing test of the GIL's release means nothing ten times slower under TSan)
[ "$#" -gt 0 ] || set -- tests/test_threads_pool.py tests/test_hardening_threads.py \
    -k "not two_halves_are_faster"

# ---------------------------------------------------------------- ThreadSanitizer
san="-fsanitize=thread -fno-omit-frame-pointer"
build "$san -g -O1" "$san"
libraries=$(ldd "$so")
symbols=$(nm -D "$so")
if ! grep -q 'libtsan' <<<"$libraries" || ! grep -q '__tsan_' <<<"$symbols"; then
    ldd "$so"
    echo "FAILED: $so is not instrumented with ThreadSanitizer" >&2
    exit 1
fi
libtsan=$(awk '/libtsan/ {print $3}' <<<"$libraries")
echo "instrumented: $so ($libtsan)"

reports="$work/reports"
mkdir -p "$reports"
echo "=== threading tests under ThreadSanitizer, pool on"
set +e
(
    cd "$repo"
    # The interpreter is not instrumented: the runtime must be loaded first.  It sees the
    # pool's (and the GIL's) pthread calls and every access our C code makes; NumPy's own
    # accesses are invisible to it, and so cannot give false reports.  Reports go to files
    # (a subprocess's too).  die_after_fork=0: a forked child that starts threads is what
    # the fork tests check (TSan would otherwise end such a child).  The pool must be on:
    # two threads at least.
    export LD_PRELOAD="$libtsan"
    export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:die_after_fork=0:log_path=$reports/tsan"
    export SIGMOIDX_NUM_THREADS=3
    export PYTHONFAULTHANDLER=1
    "$py" -c "import sigmoidx; assert sigmoidx.get_num_threads() == 3, sigmoidx.show_config()"
    "$py" -m pytest -q -rs -p no:cacheprovider --durations=5 "$@"
) 2>&1 | tee "$work/pytest.log"
status=${PIPESTATUS[0]}
set -e
check_sanitizer_run ThreadSanitizer "$reports" "$work/pytest.log" \
    'WARNING: ThreadSanitizer|ERROR: ThreadSanitizer' "$status"

# ---------------------------------------------------------------- no threads
build "-DSIGMOIDX_NO_THREADS" ""
echo "=== threading tests, built without threads"
(
    cd "$repo"
    "$py" -c "import sigmoidx; assert sigmoidx._core.has_threads == 0 and sigmoidx.get_num_threads() == 1"
    "$py" -m pytest -q -rs -p no:cacheprovider "$@"
)
echo "ok: the serial build passes the threading tests"
