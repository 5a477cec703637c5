#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS TARGET... -- runs each libFuzzer target
# (BUILD_DIR/fuzz_TARGET) for SECONDS on a scratch corpus in BUILD_DIR/corpus/,
# seeded from fixtures/fuzz/TARGET/ (committed seeds and every kept crasher,
# all replayed first), with fixtures/fuzz/TARGET/TARGET.dict when present.
# A crash, leak, timeout or out-of-memory leaves its input in
# BUILD_DIR/artifacts/ and fails the run; keep it as a regression case by
# copying it into fixtures/fuzz/TARGET/ once fixed.
# Last line: "N passed, N failed, 0 skipped" (one count per target).
set -u
cd "$(dirname "$0")/../.."
# DDB_FUZZ_SKIP_LEAK_OPS=Op,Op turns fuzz_dispatch's tenant-isolation oracle
# off for those operations (only to explore further while a hole is fixed).
[ -n "${DDB_FUZZ_SKIP_LEAK_OPS:-}" ] &&
    echo "fuzz: tenant-isolation oracle off for $DDB_FUZZ_SKIP_LEAK_OPS"
build=$1; seconds=$2; shift 2
passed=0; failed=0
mkdir -p "$build/artifacts"
for t in "$@"; do
    bin="$build/fuzz_$t"
    seeds="fixtures/fuzz/$t"
    work="$build/corpus/$t"
    mkdir -p "$work"
    case $t in
        expr) max_len=4200 ;;
        iam) max_len=8192 ;;
        sigv4) max_len=4096 ;;
        *) max_len=16384 ;;
    esac
    dict=()
    [ -f "$seeds/$t.dict" ] && dict=(-dict="$seeds/$t.dict")
    log="$build/fuzz_$t.log"
    echo "fuzz $t: ${seconds}s"
    # -timeout: one input may take 10 s; -rss_limit_mb bounds memory;
    # leaks are reported by LeakSanitizer at exit.
    if ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
       UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
       timeout $((seconds + 300)) "$bin" -max_total_time="$seconds" -timeout=10 \
            -rss_limit_mb=2048 -max_len=$max_len -print_final_stats=1 \
            -artifact_prefix="$build/artifacts/$t-" "${dict[@]}" "$work" "$seeds" \
            >"$log" 2>&1; then
        echo "fuzz $t: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs, corpus $(ls "$work" | wc -l))"
        passed=$((passed + 1))
    else
        echo "fuzz $t: FAILED (log $log)"
        grep -E "ERROR:|runtime error|invariant|fuzz_dispatch:|fuzz_shape:|fuzz_sigv4:|Test unit written" "$log" | head -n 20
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
