#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/demo/hot_partition.sh [BUILD_DIR] -- what `make demo-hot-partition`
# runs: the hot-partition lesson of the workshop's section 3 on one screen.
# It starts BUILD_DIR/ddbd (default build/) on a free 127.0.0.1 port with a
# throwaway database, the manual clock set to 2100-01-01 00:00:00 UTC and a
# partition ceiling of 100 WCU/s, creates the workshop table ws-att-demo
# (on demand: 4,000 WCU/s over 40 partitions), runs
# `ddb workshop section3 --compare` (200 writes to one key, then 200 over 4
# shard keys, one simulated second each), draws `ddb top` once over those two
# seconds, and stops ddbd by its PID. The output is the same on every run.
set -eu

build=${1:-build}
ddbd=$build/ddbd
ddb=$build/ddb
for b in "$ddbd" "$ddb"; do
    [ -x "$b" ] || { echo "demo-hot-partition: no $b (run make first)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ddbd-demo.XXXXXX")
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$ddbd" --host 127.0.0.1 --port 0 --port-file "$tmp/port" --db :memory: \
    --clock manual --partition-wcu 100 --no-console >"$tmp/ddbd.log" 2>&1 &
pid=$!
tries=0
while [ ! -s "$tmp/port" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "demo-hot-partition: ddbd did not start:" >&2
        cat "$tmp/ddbd.log" >&2
        exit 1
    fi
    sleep 0.1
done
endpoint=http://127.0.0.1:$(cat "$tmp/port")

# The client's settings come from here only: no profile, proxy or retry tuning
# of the caller's shell.
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p; s/^\(DDB_[A-Z_]*\)=.*/\1/p'); do
    unset "$v"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy 2>/dev/null || true
export AWS_ENDPOINT_URL="$endpoint" AWS_REGION=ap-southeast-1
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export ATTENDEE_ID=demo TABLE=ws-att-demo

# A fixed simulated time, so that the clock in ddb top's header is the same
# on every run.
clock='{"Set": 4102444800}'
if command -v curl >/dev/null 2>&1; then
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
        --data "$clock" "$endpoint/_ddbd/clock"
else
    python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1] + "/_ddbd/clock", data=sys.argv[2].encode(),
                    headers={"Content-Type": "application/json"}), timeout=10).read()' \
        "$endpoint" "$clock"
fi

echo "ddbd on 127.0.0.1 (a free port) with --db :memory: --clock manual --partition-wcu 100"
echo
echo "\$ ddb workshop create-table"
"$ddb" workshop create-table
echo
echo "\$ ddb workshop section3 --compare"
"$ddb" workshop section3 --compare
echo
echo "\$ ddb top ws-att-demo --once --window 2"
"$ddb" top ws-att-demo --once --window 2

kill "$pid"
status=0
wait "$pid" || status=$?
pid=
if [ "$status" -ne 0 ]; then
    echo "demo-hot-partition: ddbd exited with status $status" >&2
    cat "$tmp/ddbd.log" >&2
    exit 1
fi
