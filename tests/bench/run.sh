#!/usr/bin/env bash
# tests/bench/run.sh -- what `make bench` runs: installs the load generator
# (wrk) and the peer (dynalite, from npm, into a scratch folder), builds ddbd
# with the default -O2, then runs bench.py, which writes tests/bench/RESULTS.md.
#
#   BENCH_BUILD=DIR      build folder for the benchmarked ddbd (default: build)
#   BENCH_DYNALITE_DIR   where dynalite is installed (~/.cache/ddbd-bench/dynalite)
#   BENCH_DYNALITE_VERSION  dynalite version (4.0.0)
#   other BENCH_* knobs: see the top of bench.py (durations, sizes, phases)
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD=${BENCH_BUILD:-build}
DYN_DIR=${BENCH_DYNALITE_DIR:-$HOME/.cache/ddbd-bench/dynalite}
DYN_VERSION=${BENCH_DYNALITE_VERSION:-4.0.0}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
python3 -c 'import boto3' 2>/dev/null || missing+=(python3-boto3)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && [ -z "${DDB_NO_INSTALL:-}" ]; then
        echo "bench: installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "bench: missing Debian packages. Run:"
        echo "  sudo apt-get install -y ${missing[*]}"
        exit 1
    fi
fi

have=$(node -p "try{require('$DYN_DIR/node_modules/dynalite/package.json').version}catch(e){''}" 2>/dev/null || true)
if [ "$have" != "$DYN_VERSION" ]; then
    echo "bench: installing dynalite@$DYN_VERSION into $DYN_DIR"
    mkdir -p "$DYN_DIR"
    [ -f "$DYN_DIR/package.json" ] || echo '{"name":"ddbd-bench-peer","private":true}' > "$DYN_DIR/package.json"
    (cd "$DYN_DIR" && npm install --no-audit --no-fund --loglevel=error "dynalite@$DYN_VERSION")
fi

make --no-print-directory BUILD="$BUILD" "$BUILD/ddbd"

case "$BUILD" in /*) bin="$BUILD/ddbd" ;; *) bin="$PWD/$BUILD/ddbd" ;; esac
BENCH_DDBD="$bin" \
BENCH_DYNALITE="$DYN_DIR/node_modules/dynalite/cli.js" \
    exec python3 tests/bench/bench.py "$@"
