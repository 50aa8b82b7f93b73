#!/usr/bin/env bash
# One valgrind memcheck pass: sigmoidx built as usual (plus -g for line numbers) in a fresh
# venv, then scripts/valgrind_workload.py (every loop, every layout and tail length) under
# memcheck, once per kernel level this CPU and valgrind support.
#
# CPython and the dynamic loader have known memcheck noise, so not every report fails
# the run: it fails on any report whose stack passes through sigmoidx's own code (the
# _core extension or a csrc/ file), on any result byte the loops left undefined (checked
# with VALGRIND_CHECK_MEM_IS_DEFINED through a helper named vgcheck), on a definite leak
# allocated from _core, and when the workload itself fails.
#
# Which levels: those the interpreter supports when it runs UNDER valgrind. Valgrind's
# virtual CPU lacks some instruction sets the real one has (valgrind 3.19 has no AVX-512),
# and the import refuses a level the CPU lacks; such a level is skipped here, said so in
# the output, and stays covered by scripts/sanitize.sh, which runs natively at the best
# level. The run fails if no level, or not the baseline, ran under memcheck.
#
# Usage: scripts/valgrind.sh   (PYTHON=... for the venv's interpreter; SIGMOIDX_VENV=dir
#        to reuse a venv that has numpy and setuptools>=77)
#   SIGMOIDX_VALGRIND_PRETEND_LEVELS="name ..."  for checking this script only: levels
#        taken as supported by the real CPU on top of the real ones; each must be found
#        missing under valgrind and skipped, or the run fails (.ci/run sets one, so that
#        the skip is exercised on every machine, with AVX-512 or without).
. "$(dirname "$0")/_common.sh"

command -v valgrind >/dev/null && [ -f /usr/include/valgrind/memcheck.h ] ||
    apt_install valgrind
venv="${SIGMOIDX_VENV:-$work/venv}"
[ -x "$venv/bin/python" ] || make_venv "$venv"
py="$venv/bin/python"
copy_sources "$work/src"

echo "=== building sigmoidx with -g"
if ! CFLAGS="-g" "$py" -m pip install --verbose --no-deps --no-build-isolation \
        --disable-pip-version-check --force-reinstall "$work/src" >"$work/build.log" 2>&1; then
    tail -40 "$work/build.log"
    echo "FAILED: build" >&2
    exit 1
fi

# VALGRIND_CHECK_MEM_IS_DEFINED, callable from Python through ctypes
cat >"$work/vgcheck.c" <<'C'
#include <valgrind/memcheck.h>
/* Number of elements (n of them, `stride` bytes apart, first `size` bytes each) that
 * hold undefined bytes; under memcheck each one is also reported, with this stack. */
long vgcheck_defined(const char *data, long n, long stride, long size)
{
    long undefined = 0;
    for (long i = 0; i < n; i++)
        if (VALGRIND_CHECK_MEM_IS_DEFINED(data + i * stride, size) != 0)
            undefined++;
    return undefined;
}
C
gcc -shared -fPIC -O1 -g -o "$work/libvgcheck.so" "$work/vgcheck.c"

# what a stack frame of ours looks like: "(csrc/module.c:57)" (file names are printed
# from the build folder on, --fullpath-after), the object's name, or the definedness helper
our_code='\(csrc/[^ :()]+:[0-9]+\)|_core\.cpython|sigmoidx/_core|vgcheck'

levels_script="import sigmoidx; print(' '.join(sigmoidx.show_config()['supported']))"
native_levels="$(cd "$work" && env -u SIGMOIDX_CPU "$py" -c "$levels_script") ${SIGMOIDX_VALGRIND_PRETEND_LEVELS:-}"
if ! valgrind_levels=$(cd "$work" && env -u SIGMOIDX_CPU \
        valgrind --tool=none --log-file="$work/levels-under-valgrind.log" "$py" -c "$levels_script"); then
    cat "$work/levels-under-valgrind.log"
    echo "FAILED: sigmoidx does not import under valgrind" >&2
    exit 1
fi
echo "kernel levels: $native_levels (this CPU); $valgrind_levels (under valgrind)"
has_level() { [[ " $1 " == *" $2 "* ]]; }
failed=0
ran=""
for level in $native_levels; do
    if ! has_level "$valgrind_levels" "$level"; then
        echo "=== skipped: valgrind's virtual CPU does not offer kernel level $level" \
             "(scripts/sanitize.sh covers the best level natively)"
        continue
    fi
    if has_level "${SIGMOIDX_VALGRIND_PRETEND_LEVELS:-}" "$level"; then
        echo "FAILED: pretend level $level was not skipped" >&2
        failed=1
        continue
    fi
    ran="$ran $level"
    echo "=== memcheck, kernel level $level"
    log="$work/memcheck-$level.log"
    set +e
    (cd "$work" && SIGMOIDX_CPU="$level" PYTHONMALLOC=malloc SIGMOIDX_VGCHECK_LIB="$work/libvgcheck.so" \
        valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
            --errors-for-leak-kinds=definite --num-callers=40 --track-origins=yes \
            --fullpath-after="$work/src/" \
            --log-file="$log" \
            "$py" "$repo/scripts/valgrind_workload.py")
    status=$?
    set -e
    grep -E "ERROR SUMMARY|   definitely lost:" "$log" | sed 's/^==[0-9]*== */  all of the process (CPython included): /'
    # split the log into records (blank-line separated once the "==pid==" prefixes are
    # gone) and keep those whose stack passes through our code
    ours=$(sed -E 's/^==[0-9]+== ?//' "$log" \
        | OUR_CODE="$our_code" awk -v RS= '$0 ~ ENVIRON["OUR_CODE"] {print; print ""}')
    if [ -n "$ours" ]; then
        echo "$ours"
        echo "FAILED: memcheck reports in sigmoidx's code (kernel level $level); full log: $log" >&2
        failed=1
    fi
    if [ "$status" -ne 0 ]; then
        echo "FAILED: the workload exited with $status under valgrind (kernel level $level)" >&2
        failed=1
    fi
done
if ! has_level "$ran" baseline; then
    echo "FAILED: the baseline level did not run under memcheck (ran:${ran:- none})" >&2
    failed=1
fi
if [ "$failed" -ne 0 ]; then
    export SIGMOIDX_KEEP_WORK=1
    trap - EXIT
    echo "(logs kept in $work)"
    exit 1
fi
echo "ok: no memcheck error in sigmoidx's code (levels:$ran)"
