#!/usr/bin/env bash
# CI step: build algdiv's C core with AddressSanitizer + UndefinedBehaviorSanitizer
# and run tests/transforms against it.
#
# The build happens in a scratch copy of the source tree, so the working tree's
# own (optimised) extension is left alone.  Python itself is not instrumented,
# so libasan is preloaded; leak checking is off because CPython keeps memory
# until exit by design.  Any ASan report or UB aborts the run (non-zero exit).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="${PYTHON:-python3}"
CC_BIN="${CC:-gcc}"

LIBASAN="$($CC_BIN -print-file-name=libasan.so)"
if [ ! -e "$LIBASAN" ]; then
    echo "sanitize: libasan not found for $CC_BIN (got '$LIBASAN')" >&2
    exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/algdiv-sanitize.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cp -r "$ROOT/algdiv" "$ROOT/tests" "$ROOT/setup.py" "$ROOT/pyproject.toml" "$WORK/"
find "$WORK" \( -name '*.so' -o -name '__pycache__' \) -prune -exec rm -rf {} +
cd "$WORK"

echo "sanitize: building the C core with -fsanitize=address,undefined in $WORK"
ALGDIV_SANITIZE=1 CC="$CC_BIN" "$PY" setup.py build_ext --inplace >build.log 2>&1 || {
    cat build.log >&2; exit 1; }
ls algdiv/_core/_fwht*.so >/dev/null 2>&1 || { echo "sanitize: the extension was not built" >&2;
    cat build.log >&2; exit 1; }

export LD_PRELOAD="$LIBASAN"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export PYTHONPATH="$WORK"
"$PY" -c "from algdiv import _core; assert _core.ext is not None, _core.reason; \
assert _core.ext.sanitized == 1, 'not a sanitizer build'; print('sanitize: C core', _core.path())"
"$PY" -m pytest tests/transforms -q -p no:cacheprovider -x "$@"
