#!/usr/bin/env bash
# tests/run.sh -- runs every test of ddbd: the C unit tests, then the
# integration tests that start ddbd on ephemeral loopback ports and drive it
# with the AWS CLI, boto3 and raw HTTP. Installs what it needs on Debian
# (as root) first. The last line is "N passed, N failed[, N skipped]".
#
#   tests/run.sh            normal build (build/)
#   tests/run.sh --asan     ASan+UBSan build (build/asan), sanitizer reports fail the run
#   tests/run.sh -k WORD    only integration tests whose name contains WORD
set -u
cd "$(dirname "$0")/.."

asan=0
filter=""
while [ $# -gt 0 ]; do
    case "$1" in
        --asan) asan=1 ;;
        -k) shift; filter="${1:-}" ;;
        *) echo "usage: tests/run.sh [--asan] [-k WORD]" >&2; exit 2 ;;
    esac
    shift
done

# ---- dependencies -------------------------------------------------------
need_pkgs=""
have_python_with() { "$1" -c 'import boto3, dotenv' >/dev/null 2>&1; }
PYTHON=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && have_python_with "$p"; then PYTHON="$p"; break; fi
done
[ -n "$PYTHON" ] || need_pkgs="$need_pkgs python3 python3-boto3 python3-dotenv"
command -v aws >/dev/null 2>&1 || need_pkgs="$need_pkgs awscli"
if [ -n "$need_pkgs" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "tests: installing$need_pkgs"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need_pkgs >/dev/null ||
            { echo "tests: apt-get failed"; exit 1; }
    else
        echo "tests: missing packages. Run: sudo apt-get install -y$need_pkgs"; exit 1
    fi
    for p in python3 /usr/bin/python3; do
        if command -v "$p" >/dev/null 2>&1 && have_python_with "$p"; then PYTHON="$p"; break; fi
    done
fi

# The AWS SDK for JavaScript v3 test (test_js_sdk.py) and the web console's
# browser test (test_console.py) need Node.js with npm (the pinned npm
# packages are fetched once and cached) and Debian's chromium: installed here
# as root when missing; otherwise those tests skip and say why.
js_pkgs=""
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || js_pkgs="nodejs npm"
[ -x /usr/bin/chromium ] || js_pkgs="$js_pkgs chromium"
if [ -n "$js_pkgs" ] && [ "$(id -u)" = 0 ] && [ -z "${DDB_NO_INSTALL:-}" ]; then
    echo "tests: installing $js_pkgs (JavaScript SDK and web console tests)"
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $js_pkgs; } \
        >/dev/null 2>&1 || echo "tests: $js_pkgs could not be installed; those tests will skip"
fi

# ---- build --------------------------------------------------------------
if [ $asan = 1 ]; then
    BUILD=build/asan
    make -s BUILD=$BUILD OPT="-O1 -g -fno-omit-frame-pointer" \
        SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all" all || exit 1
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
    BUILD=build
    make -s BUILD=$BUILD all || exit 1
fi

passed=0; failed=0; skipped=0
add_counts() { # parses "N passed, N failed[, N skipped]" from the last line of $1
    local line p f s
    line=$(tail -n 1 "$1")
    p=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$line")
    f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
    s=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
    if [ -z "$p" ] || [ -z "$f" ]; then failed=$((failed + 1)); return 1; fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
}

logdir=$(mktemp -d "${TMPDIR:-/tmp}/ddbd-tests.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

# ---- unit tests -----------------------------------------------------------
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if timeout 300 "$t" >"$logdir/$name.log" 2>&1; then rc=0; else rc=$?; fi
    add_counts "$logdir/$name.log" || true
    if [ $rc != 0 ]; then
        echo "unit $name: FAILED (exit $rc)"; grep -E "FAIL|ERROR|runtime error" "$logdir/$name.log" | head -20
        tail -n 1 "$logdir/$name.log" | grep -q failed || failed=$((failed + 1))
    else
        echo "unit $name: $(tail -n 1 "$logdir/$name.log")"
    fi
done

# ---- integration tests --------------------------------------------------------
"$PYTHON" tests/integration/runner.py --ddbd "$BUILD/ddbd" ${filter:+-k "$filter"} \
    2>&1 | tee "$logdir/integration.log"
add_counts "$logdir/integration.log" || true

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
