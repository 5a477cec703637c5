#!/usr/bin/env python3
"""soak.py -- a bounded soak of ddbd: a mixed workload at full speed on many
connections for a fixed time, watched slice by slice. Not part of `make test`.

    python3 tests/bench/soak.py [--ddbd build/ddbd] [--seconds 60] [--slices 6]
                                [--connections 32] [--threads 2] [--rss-bound-mib 64]

ddbd runs on a temporary file database (--sync normal, throttling off). The
load is wrk replaying a shuffled pool of SigV4-signed requests on keep-alive
connections: GetItem 30%, PutItem 20%, UpdateItem (conditional increment) 15%,
Query 12%, GSI Query 5%, BatchWriteItem (10 puts) 5%, BatchGetItem 5%,
DeleteItem 5%, Scan (Limit 50) 3%, over 1,000 partitions of 20 items, so the
data stays bounded and memory must level off.

After each slice it records throughput, p50/p99/max latency, errors, and the
server's RSS, descriptors, threads and WAL size. It passes when: no request
failed (every answer 200, no socket error); RSS after the last slice is within
--rss-bound-mib of RSS after the first; p99 of the last slice is at most 3x
(+5 ms) that of the first; descriptors do not grow; SIGTERM stops ddbd with
status 0 and SQLite's integrity_check says ok. Exit status 0 on pass.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

import botocore.auth
import botocore.awsrequest
import botocore.credentials

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REGION = "us-east-1"
CREDS = botocore.credentials.Credentials("AKIDSOAK", "soak-secret")
TABLE = "soak"
PARTITIONS = 1000
PER_PARTITION = 20

LUA = r'''
local threads = {}
local nthreads = 0
function setup(thread)
   thread:set("tid", nthreads)
   nthreads = nthreads + 1
   table.insert(threads, thread)
end
function init(args)
   local f = assert(io.open(args[1], "rb"))
   local data = f:read("*a")
   f:close()
   pool = {}
   local pos, n = 1, 0
   while pos <= #data do
      local nl = string.find(data, "\n", pos, true)
      local len = tonumber(string.sub(data, pos, nl - 1))
      n = n + 1
      pool[n] = string.sub(data, nl + 1, nl + len)
      pos = nl + len + 1
   end
   npool = n
   step = tonumber(args[2])
   idx = (tonumber(args[3]) + tid) % npool
   bad = 0
   sample = ""
end
function request()
   local r = pool[idx + 1]
   idx = (idx + step) % npool
   return r
end
function response(status, headers, body)
   if status ~= 200 then
      bad = bad + 1
      if sample == "" then sample = tostring(status) .. " " .. string.sub(body or "", 1, 200) end
   end
end
function done(summary, latency, requests)
   local b, s = 0, ""
   for _, t in ipairs(threads) do
      b = b + t:get("bad")
      local x = t:get("sample")
      if s == "" and x ~= nil and x ~= "" then s = x end
   end
   s = string.gsub(s, '[%c"\\]', " ")
   local e = summary.errors
   io.write(string.format('SOAK {"requests":%d,"duration_us":%d,"bad":%d,"connect":%d,' ..
      '"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"sample":"%s"}\n',
      summary.requests, summary.duration, b, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max, s))
end
'''


def S(v):
    return {"S": str(v)}


def N(v):
    return {"N": str(v)}


def signed_bytes(port, target, body):
    data = json.dumps(body, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": "DynamoDB_20120810." + target,
               "Host": "127.0.0.1:%d" % port}
    req = botocore.awsrequest.AWSRequest(method="POST", url="http://127.0.0.1:%d/" % port,
                                         data=data, headers=headers)
    botocore.auth.SigV4Auth(CREDS, "dynamodb", REGION).add_auth(req)
    head = "POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in req.headers.items())
    head += "Content-Length: %d\r\n\r\n" % len(data)
    return head.encode() + data


def call(port, target, body):
    raw = signed_bytes(port, target, body)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(raw)
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        head, rest = buf.split(b"\r\n\r\n", 1)
        length = int([l.split(b":")[1] for l in head.split(b"\r\n")
                      if l.lower().startswith(b"content-length")][0])
        while len(rest) < length:
            rest += s.recv(65536)
        status = int(head.split()[1])
        if status != 200:
            raise RuntimeError("%s: %d %s" % (target, status, rest[:300]))
        return json.loads(rest)


def item(rng, p, s):
    return {"pk": S("p%d" % p), "sk": S("s%02d" % s), "g": S("g%d" % (p % 50)),
            "n": N(rng.randint(0, 10 ** 6)), "pad": S("x" * rng.randint(10, 400)),
            "tags": {"SS": ["a", "b%d" % (s % 5)]}}


def pool(port, size, rng):
    out = []
    kinds = ([("get", 30), ("put", 20), ("update", 15), ("query", 12), ("gsi", 5),
              ("batchw", 5), ("batchg", 5), ("delete", 5), ("scan", 3)])
    names = [k for k, w in kinds for _ in range(w)]
    for _ in range(size):
        p, s = rng.randrange(PARTITIONS), rng.randrange(PER_PARTITION)
        key = {"pk": S("p%d" % p), "sk": S("s%02d" % s)}
        k = rng.choice(names)
        if k == "get":
            out.append(signed_bytes(port, "GetItem", {"TableName": TABLE, "Key": key}))
        elif k == "put":
            out.append(signed_bytes(port, "PutItem", {"TableName": TABLE, "Item": item(rng, p, s)}))
        elif k == "update":
            out.append(signed_bytes(port, "UpdateItem", {
                "TableName": TABLE, "Key": key,
                "UpdateExpression": "SET n = if_not_exists(n, :z) + :one, g = :g",
                "ConditionExpression": "attribute_not_exists(n) OR n >= :z",
                "ExpressionAttributeValues": {":z": N(0), ":one": N(1), ":g": S("g%d" % (p % 50))},
                "ReturnValues": "UPDATED_NEW"}))
        elif k == "query":
            out.append(signed_bytes(port, "Query", {
                "TableName": TABLE, "KeyConditionExpression": "pk = :p AND sk >= :s",
                "ExpressionAttributeValues": {":p": key["pk"], ":s": S("s05")}, "Limit": 10}))
        elif k == "gsi":
            out.append(signed_bytes(port, "Query", {
                "TableName": TABLE, "IndexName": "byg", "KeyConditionExpression": "g = :g",
                "ExpressionAttributeValues": {":g": S("g%d" % (p % 50))}, "Limit": 25}))
        elif k == "batchw":
            out.append(signed_bytes(port, "BatchWriteItem", {"RequestItems": {TABLE: [
                {"PutRequest": {"Item": item(rng, p, (s + i) % PER_PARTITION)}}
                for i in range(10)]}}))
        elif k == "batchg":
            out.append(signed_bytes(port, "BatchGetItem", {"RequestItems": {TABLE: {"Keys": [
                {"pk": S("p%d" % ((p + i) % PARTITIONS)), "sk": S("s%02d" % s)}
                for i in range(10)]}}}))
        elif k == "delete":
            out.append(signed_bytes(port, "DeleteItem", {"TableName": TABLE, "Key": key}))
        else:
            out.append(signed_bytes(port, "Scan", {"TableName": TABLE, "Limit": 50}))
    return out


def proc_stats(pid, db):
    st = {"rss_kib": 0, "fds": len(os.listdir("/proc/%d/fd" % pid)), "threads": 0}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                st["rss_kib"] = int(line.split()[1])
            elif line.startswith("Threads:"):
                st["threads"] = int(line.split()[1])
    st["wal_kib"] = os.path.getsize(db + "-wal") // 1024 if os.path.exists(db + "-wal") else 0
    st["db_kib"] = os.path.getsize(db) // 1024
    return st


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ddbd", default=os.path.join(ROOT, "build", "ddbd"))
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--slices", type=int, default=6)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pool", type=int, default=20000)
    ap.add_argument("--rss-bound-mib", type=int, default=64)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("soak: needs wrk (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="ddbd-soak-")
    db = os.path.join(work, "soak.sqlite3")
    port_file = os.path.join(work, "port")
    log = open(os.path.join(work, "ddbd.log"), "wb")
    proc = subprocess.Popen([args.ddbd, "--port", "0", "--port-file", port_file, "--db", db,
                             "--throttling", "off"], stdout=log, stderr=subprocess.STDOUT)
    ok = True
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("soak: ddbd did not start")
            time.sleep(0.02)
        port = int(open(port_file).read())
        call(port, "CreateTable", {
            "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"}
                                     for a in ("pk", "sk", "g")],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [{"IndexName": "byg", "KeySchema": [
                {"AttributeName": "g", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"}}]})
        rng = random.Random(42)
        for p in range(0, PARTITIONS, 25):  # half the items exist from the start
            call(port, "BatchWriteItem", {"RequestItems": {TABLE: [
                {"PutRequest": {"Item": item(rng, p + i // 2, (i % 2) * 10 + (i % 10))}}
                for i in range(25)]}})
        reqs = pool(port, args.pool, rng)
        pool_file = os.path.join(work, "pool.bin")
        with open(pool_file, "wb") as f:
            for r in reqs:
                f.write(b"%d\n" % len(r) + r)
        lua = os.path.join(work, "soak.lua")
        with open(lua, "w") as f:
            f.write(LUA)
        slice_s = max(1, args.seconds // args.slices)
        print("ddbd soak: %ds in %d slices of %ds, %d connections, %d wrk threads, pool %d"
              % (slice_s * args.slices, args.slices, slice_s, args.connections, args.threads,
                 len(reqs)))
        print("%5s %9s %8s %8s %8s %6s %9s %5s %7s %8s %8s" % (
            "slice", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "RSS MiB", "fds",
            "threads", "WAL KiB", "DB KiB"))
        rows = []
        offset = 0
        for i in range(args.slices):
            out = subprocess.run(
                ["wrk", "-t%d" % args.threads, "-c%d" % args.connections, "-d%ds" % slice_s,
                 "--timeout", "10s", "-s", lua, "http://127.0.0.1:%d" % port, "--",
                 pool_file, str(args.threads), str(offset)],
                capture_output=True, text=True, timeout=slice_s + 60)
            offset += 7919
            line = [l for l in out.stdout.splitlines() if l.startswith("SOAK ")]
            if not line:
                sys.exit("soak: wrk failed:\n" + out.stdout + out.stderr)
            r = json.loads(line[0][5:])
            time.sleep(0.5)  # let the slice's connections close before counting descriptors
            r.update(proc_stats(proc.pid, db))
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            r["errors"] = r["bad"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
            rows.append(r)
            print("%5d %9.0f %8.2f %8.2f %8.1f %6d %9.1f %5d %7d %8d %8d" % (
                i + 1, r["rps"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["max_us"] / 1e3,
                r["errors"], r["rss_kib"] / 1024, r["fds"], r["threads"], r["wal_kib"],
                r["db_kib"]))
            if r["errors"]:
                print("  first failure: %s" % r["sample"])
        total = sum(r["requests"] for r in rows)
        errors = sum(r["errors"] for r in rows)
        growth = (rows[-1]["rss_kib"] - rows[0]["rss_kib"]) / 1024
        p99_first, p99_last = rows[0]["p99_us"] / 1e3, rows[-1]["p99_us"] / 1e3
        verdicts = [
            ("no failed request (%d of %d)" % (errors, total), errors == 0),
            ("RSS growth after slice 1: %.1f MiB (bound %d MiB)" % (growth, args.rss_bound_mib),
             growth <= args.rss_bound_mib),
            ("p99 stable: %.2f ms -> %.2f ms (bound 3x + 5 ms)" % (p99_first, p99_last),
             p99_last <= 3 * p99_first + 5),
            ("descriptors stable: %d -> %d" % (rows[0]["fds"], rows[-1]["fds"]),
             rows[-1]["fds"] <= rows[0]["fds"] + 8),
        ]
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        verdicts.append(("SIGTERM exit status %d" % rc, rc == 0))
        con = sqlite3.connect(db)
        integ = con.execute("PRAGMA integrity_check").fetchall()
        count = con.execute("SELECT count(*) FROM data").fetchone()[0]
        con.close()
        verdicts.append(("integrity_check %s (%d rows)" % (integ[0][0], count), integ == [("ok",)]))
        print("total %d requests, %.0f req/s average" % (total, total / (slice_s * args.slices)))
        for text, good in verdicts:
            print("%s %s" % ("PASS" if good else "FAIL", text))
            ok = ok and good
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        text = open(os.path.join(work, "ddbd.log"), errors="replace").read()
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "ddbd error:"):
            if marker in text:
                print("FAIL ddbd log has %r" % marker)
                ok = False
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
