#!/usr/bin/env bash
# The C code builds without a single warning under -Wall -Wextra: the extension is built
# (by setuptools, with exactly the flags of a normal build) with -Werror added.
# Usage: scripts/werror_build.sh   (PYTHON=... to choose the interpreter for the venv;
#        SIGMOIDX_VENV=dir to use an existing venv that has numpy and setuptools>=77)
. "$(dirname "$0")/_common.sh"

venv="${SIGMOIDX_VENV:-$work/venv}"
[ -x "$venv/bin/python" ] || make_venv "$venv"
copy_sources "$work/src"

echo "=== -Werror -Wall -Wextra build of the C extension"
log="$work/werror-build.log"
if ! CFLAGS="-Werror -Wall -Wextra" "$venv/bin/python" -m pip wheel --verbose --no-deps \
        --no-build-isolation --disable-pip-version-check -w "$work/dist" "$work/src" \
        >"$log" 2>&1; then
    grep -E "error|warning" "$log" || tail -50 "$log"
    echo "FAILED: the C code does not build with -Werror -Wall -Wextra" >&2
    exit 1
fi
# make sure the flags reached every compiler call, and that nothing at all was reported
check_werror_log "$log" 'gcc|cc|clang'
