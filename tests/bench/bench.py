#!/usr/bin/env python3
"""bench.py -- ddbd against dynalite, in the same run, on the same machine.

Run through tests/bench/run.sh (`make bench`), which installs wrk and dynalite
and builds ddbd first. What it measures (see README.md, "Performance"):

  * the workload matrix: GetItem, PutItem, UpdateItem (ADD), Query (100-item
    partition, Limit 25, paging), GSI Query, Scan (Limit 100), BatchWriteItem
    (25 items), each at 1 and 16 connections, ddbd and dynalite alternating
    A B A B; ops/s, p50/p99 latency and server CPU per request
    (utime+stime of the server process from /proc/<pid>/stat);
  * the --principals row: GetItem/PutItem signed with a workshop tenant's real
    key against ddbd --principals, alternating with ddbd in open mode;
  * cold start to the first answered request and idle RSS (both servers);
  * the cost curve: GetItem/Query latency and CPU per op at BENCH_SIZES items,
    the time to load them, RSS and on-disk size after 1M items.

The load generator is wrk replaying pools of requests pre-signed with
botocore's SigV4 signer (replay.lua); any non-200 answer invalidates a row.
Results go to tests/bench/RESULTS.md (BENCH_OUT) and, raw, to the work folder.

Environment knobs (defaults in brackets):
  BENCH_DDBD        ddbd binary [build/ddbd]
  BENCH_DYNALITE    dynalite's cli.js [~/.cache/ddbd-bench/dynalite/node_modules/dynalite/cli.js]
  BENCH_DURATION    seconds per measured run [5]
  BENCH_WARMUP      seconds of warm-up per server and workload [1]
  BENCH_ROUNDS      A B rounds per workload and connection count [2]
  BENCH_SIZES       cost-curve sizes, comma or space separated [10000,100000,1000000]
  BENCH_CURVE_DURATION  seconds per cost-curve run [3]
  BENCH_PEER_CURVE  1 to load and measure dynalite on the cost curve too, up to
                    BENCH_PEER_CURVE_MAX items [1, 100000; 1000000 adds ~5 min]
  BENCH_RETRIES     re-runs of a run during which other processes were busy [1]
  BENCH_MAX_FOREIGN the "busy" threshold, in cores used by other processes [0.5]
  BENCH_WORKLOADS   comma list: run only these rows of the matrix (e.g. GetItem,Scan)
  BENCH_SKIP        comma list of phases to skip: start,matrix,principals,curve
  BENCH_OUT         Markdown output [tests/bench/RESULTS.md]
  BENCH_KEEP        1 keeps the temporary work folder
"""
import datetime
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REGION = "ap-southeast-1"
OPEN_KEY = ("AKIDBENCHMARK", "bench-secret")
TENANT_KEY = ("AKIAWORKSHOPT001", "tenant-001-secret")   # workshop_001, attendee 001
TENANT_TABLE = "ws-att-001"
CT = "application/x-amz-json-1.0"
TICK = os.sysconf("SC_CLK_TCK")


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def env_float(name, default):
    v = os.environ.get(name, "")
    return float(v) if v.strip() else default


DURATION = env_int("BENCH_DURATION", 5)     # whole seconds: wrk takes no fractions
WARMUP = env_int("BENCH_WARMUP", 1)
ROUNDS = env_int("BENCH_ROUNDS", 2)
CURVE_DURATION = env_int("BENCH_CURVE_DURATION", 3)
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000,1000000")
         .replace(",", " ").split()]
PEER_CURVE = env_int("BENCH_PEER_CURVE", 1)
PEER_CURVE_MAX = env_int("BENCH_PEER_CURVE_MAX", 100000)
RETRIES = env_int("BENCH_RETRIES", 1)
MAX_FOREIGN = env_float("BENCH_MAX_FOREIGN", 0.5)
ONLY = set(s.strip() for s in os.environ.get("BENCH_WORKLOADS", "").split(",") if s.strip())
SKIP = set(s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip())
OUT = os.environ.get("BENCH_OUT", os.path.join(HERE, "RESULTS.md"))
DDBD = os.environ.get("BENCH_DDBD", os.path.join(ROOT, "build", "ddbd"))
DYNALITE = os.environ.get("BENCH_DYNALITE", os.path.expanduser(
    "~/.cache/ddbd-bench/dynalite/node_modules/dynalite/cli.js"))

KV_ITEMS = 10000        # GetItem / UpdateItem / Scan table
POOL_GET = 20000
POOL_PUT = 60000
POOL_UPDATE = 20000
POOL_BATCH = 6000


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --------------------------------------------------------------------------- servers

class Server:
    """A server process we started; stopped by its PID only."""
    name = "server"

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None
        self.port = None
        self.log_path = None

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    @property
    def endpoint(self):
        return "http://" + self.host

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # fields[0] is field 3 (state); utime and stime are fields 14 and 15
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def _spawn(self, cmd):
        self.log_path = os.path.join(self.workdir, "%s.%d.log" % (self.name, time.monotonic_ns()))
        with open(self.log_path, "wb") as logf:
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        return t0

    probe_key = OPEN_KEY

    def wait_ready(self, t0, timeout=30.0):
        """Polls with a signed ListTables until it is answered 200; returns the
        seconds from t0 (just before the fork) to that answer."""
        req = sign_raw(self.host, "ListTables", b"{}", self.probe_key)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited at start-up:\n%s" % (self.name, self.log()))
            try:
                status = one_request(self.port, req)
                if status == 200:
                    return time.perf_counter() - t0
            except OSError:
                pass
            time.sleep(0.0005)
        raise RuntimeError("%s did not answer within %.0fs" % (self.name, timeout))

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except (OSError, TypeError):
            return ""

    def stop(self):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc = None


class Ddbd(Server):
    name = "ddbd"

    def __init__(self, workdir, db, args=()):
        super().__init__(workdir)
        self.db = db
        self.args = list(args)
        if "--principals" in self.args:
            self.probe_key = TENANT_KEY     # its policy allows ListTables

    def start(self):
        self.port = free_port()
        cmd = [DDBD, "--host", "127.0.0.1", "--port", str(self.port), "--db", self.db,
               "--throttling", "off", "--log-level", "warn"] + self.args
        t0 = self._spawn(cmd)
        try:
            self.started_in = self.wait_ready(t0)
        except BaseException:
            self.stop()
            raise
        return self

    def disk_bytes(self):
        total = 0
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                total += os.path.getsize(self.db + suffix)
            except OSError:
                pass
        return total


class Dynalite(Server):
    name = "dynalite"

    def __init__(self, workdir, path):
        super().__init__(workdir)
        self.path = path

    def start(self):
        self.port = free_port()
        cmd = ["node", DYNALITE, "--host", "127.0.0.1", "--port", str(self.port),
               "--path", self.path, "--createTableMs", "0", "--deleteTableMs", "0",
               "--updateTableMs", "0"]
        t0 = self._spawn(cmd)
        try:
            self.started_in = self.wait_ready(t0)
        except BaseException:
            self.stop()
            raise
        return self

    def disk_bytes(self):
        total = 0
        for dirpath, _, files in os.walk(self.path):
            for f in files:
                try:
                    total += os.path.getsize(os.path.join(dirpath, f))
                except OSError:
                    pass
        return total


def one_request(port, raw):
    """Sends one raw HTTP request on a new connection; returns the status."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(raw)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        line = buf.split(b"\r\n", 1)[0].split()
        return int(line[1]) if len(line) > 1 else 0


# --------------------------------------------------------------------------- signing

_signers = {}


def sign_raw(host, target, body, key):
    """A complete HTTP/1.1 request (keep-alive) signed with botocore's SigV4."""
    if isinstance(body, str):
        body = body.encode()
    signer = _signers.get(key)
    if signer is None:
        creds = botocore.credentials.Credentials(key[0], key[1])
        signer = _signers[key] = botocore.auth.SigV4Auth(creds, "dynamodb", REGION)
    req = botocore.awsrequest.AWSRequest(
        method="POST", url="http://%s/" % host, data=body,
        headers={"Content-Type": CT, "X-Amz-Target": "DynamoDB_20120810." + target})
    signer.add_auth(req)
    head = ("POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nX-Amz-Target: %s\r\n"
            "X-Amz-Date: %s\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n" % (
                host, CT, "DynamoDB_20120810." + target, req.headers["X-Amz-Date"],
                req.headers["Authorization"], len(body)))
    return head.encode() + body


def write_pool(path, requests):
    with open(path, "wb") as f:
        for r in requests:
            f.write(b"%d\n" % len(r))
            f.write(r)
    return path


def client(server, key=OPEN_KEY):
    return boto3.client(
        "dynamodb", endpoint_url=server.endpoint, region_name=REGION,
        aws_access_key_id=key[0], aws_secret_access_key=key[1],
        config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=10,
                                      read_timeout=300))


# --------------------------------------------------------------------------- data

def pad_for(i):
    """120 characters that differ from item to item (the LCG of load.lua), so
    that no storage engine compresses a repeated filler away."""
    x, out = i % 4294967296, []
    for _ in range(15):
        x = (x * 69069 + 1) % 4294967296
        out.append("%08x" % x)
    return "".join(out)


def kv_item(i, prefix="user#"):
    """~200 bytes by DynamoDB's size formula."""
    return {"pk": {"S": "%s%08d" % (prefix, i)}, "name": {"S": "user-%d" % i},
            "email": {"S": "user%d@example.com" % i}, "n": {"N": str(i)},
            "cnt": {"N": "0"}, "pad": {"S": pad_for(i)}}


def q_item(p, s):
    """Query table: partition part#p, sort key s; GSI gsi1 on (gpk, gsk) puts
    the items with the same s % 10 of ten partitions in one GSI partition."""
    return {"pk": {"S": "part#%d" % p}, "sk": {"N": str(s)},
            "gpk": {"S": "grp#%d" % (s % 10)}, "gsk": {"N": str(p * 100 + s)},
            "name": {"S": "item-%d-%d" % (p, s)}, "pad": {"S": pad_for(p * 100 + s)}}


def curve_key(i):
    return {"pk": {"S": "c#%08d" % (i // 100)}, "sk": {"N": str(i % 100)}}


def create_table(c, name, keys, attrs, gsis=None):
    kw = dict(TableName=name, BillingMode="PAY_PER_REQUEST",
              AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in attrs],
              KeySchema=[{"AttributeName": a, "KeyType": t} for a, t in keys])
    if gsis:
        kw["GlobalSecondaryIndexes"] = gsis
    c.create_table(**kw)
    for _ in range(600):
        d = c.describe_table(TableName=name)["Table"]
        if d["TableStatus"] == "ACTIVE" and all(
                g.get("IndexStatus") == "ACTIVE" for g in d.get("GlobalSecondaryIndexes", [])):
            return
        time.sleep(0.05)
    raise RuntimeError("table %s did not become ACTIVE" % name)


def batch_put(c, table, items):
    for i in range(0, len(items), 25):
        req = {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}
        while req:
            r = c.batch_write_item(RequestItems=req)
            req = r.get("UnprocessedItems") or None


def setup_matrix_tables(server):
    c = client(server)
    create_table(c, "bench_kv", [("pk", "HASH")], [("pk", "S")])
    create_table(c, "bench_put", [("pk", "HASH")], [("pk", "S")])
    create_table(c, "bench_bw", [("pk", "HASH")], [("pk", "S")])
    create_table(c, "bench_q", [("pk", "HASH"), ("sk", "RANGE")],
                 [("pk", "S"), ("sk", "N"), ("gpk", "S"), ("gsk", "N")],
                 gsis=[{"IndexName": "gsi1",
                        "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"},
                                      {"AttributeName": "gsk", "KeyType": "RANGE"}],
                        "Projection": {"ProjectionType": "ALL"}}])
    batch_put(c, "bench_kv", [kv_item(i) for i in range(KV_ITEMS)])
    batch_put(c, "bench_q", [q_item(p, s) for p in range(10) for s in range(100)])
    # sanity: the partition and the GSI partition hold 100 items each
    n = c.query(TableName="bench_q", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "part#3"}}, Select="COUNT")["Count"]
    g = c.query(TableName="bench_q", IndexName="gsi1", KeyConditionExpression="gpk = :g",
                ExpressionAttributeValues={":g": {"S": "grp#3"}}, Select="COUNT")["Count"]
    if n != 100 or g != 100:
        raise RuntimeError("%s: bench_q partition has %d items, GSI partition %d" %
                           (server.name, n, g))


def page_starts(c, **kw):
    """ExclusiveStartKeys of every page of a Query/Scan (None for the first); a
    last page that comes back empty (Limit reached exactly) is dropped."""
    starts = [None]
    while True:
        if starts[-1] is not None:
            kw["ExclusiveStartKey"] = starts[-1]
        r = c.query(**kw) if "KeyConditionExpression" in kw else c.scan(**kw)
        if r.get("Count", 0) == 0 and len(starts) > 1:
            starts.pop()
            return starts
        lek = r.get("LastEvaluatedKey")
        if lek is None:
            return starts
        starts.append(lek)


# --------------------------------------------------------------------------- workloads

def pool_get(server, key, rnd, table="bench_kv", n=POOL_GET):
    reqs = []
    for _ in range(n):
        i = rnd.randrange(KV_ITEMS)
        body = json.dumps({"TableName": table, "Key": {"pk": {"S": "user#%08d" % i}}})
        reqs.append(sign_raw(server.host, "GetItem", body, key))
    return reqs


def pool_put(server, key, tag, table="bench_put", n=POOL_PUT):
    reqs = []
    for i in range(n):
        body = json.dumps({"TableName": table, "Item": kv_item(i, "put#%s#" % tag)})
        reqs.append(sign_raw(server.host, "PutItem", body, key))
    return reqs


def pool_update(server, key, rnd, n=POOL_UPDATE):
    reqs = []
    for _ in range(n):
        i = rnd.randrange(KV_ITEMS)
        body = json.dumps({"TableName": "bench_kv", "Key": {"pk": {"S": "user#%08d" % i}},
                           "UpdateExpression": "ADD #c :one",
                           "ExpressionAttributeNames": {"#c": "cnt"},
                           "ExpressionAttributeValues": {":one": {"N": "1"}}})
        reqs.append(sign_raw(server.host, "UpdateItem", body, key))
    return reqs


def pool_batch(server, key, tag, n=POOL_BATCH):
    reqs = []
    for b in range(n):
        items = [{"PutRequest": {"Item": kv_item(b * 25 + j, "bw#%s#" % tag)}}
                 for j in range(25)]
        body = json.dumps({"RequestItems": {"bench_bw": items}})
        reqs.append(sign_raw(server.host, "BatchWriteItem", body, key))
    return reqs


def pool_pages(server, key, kind):
    c = client(server)
    if kind == "query":
        kw = dict(TableName="bench_q", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"S": "part#3"}}, Limit=25)
        target = "Query"
    elif kind == "gsi":
        kw = dict(TableName="bench_q", IndexName="gsi1", KeyConditionExpression="gpk = :g",
                  ExpressionAttributeValues={":g": {"S": "grp#3"}}, Limit=25)
        target = "Query"
    else:
        kw = dict(TableName="bench_kv", Limit=100)
        target = "Scan"
    starts = page_starts(c, **dict(kw))
    reqs = []
    for s in starts:
        body = dict(kw)
        if s is not None:
            body["ExclusiveStartKey"] = s
        reqs.append(sign_raw(server.host, target, json.dumps(body), key))
    return reqs, len(starts)


WORKLOADS = [
    ("GetItem", "GetItem, random existing key (10k-item table)"),
    ("PutItem", "PutItem, ~200-byte item, distinct keys (pool of %d)" % POOL_PUT),
    ("UpdateItem", "UpdateItem ADD counter, random existing key"),
    ("Query", "Query, one 100-item partition, Limit 25, 4 pages cycled"),
    ("GSI Query", "Query on a GSI, 100-item index partition, Limit 25, paging"),
    ("Scan", "Scan, Limit 100, every page of the 10k-item table cycled"),
    ("BatchWriteItem", "BatchWriteItem, 25 ~200-byte PutRequests, distinct keys"),
]


PAGED = ("Query", "GSI Query", "Scan")


def build_pool(name, server, key, tag, seed):
    rnd = random.Random(seed)
    if name == "GetItem":
        return pool_get(server, key, rnd), ""
    if name == "PutItem":
        return pool_put(server, key, tag), ""
    if name == "UpdateItem":
        return pool_update(server, key, rnd), ""
    if name == "BatchWriteItem":
        return pool_batch(server, key, tag), ""
    kind = {"Query": "query", "GSI Query": "gsi", "Scan": "scan"}[name]
    reqs, pages = pool_pages(server, key, kind)
    return reqs, "%d pages" % pages


# --------------------------------------------------------------------------- wrk

def busy_cpu_seconds():
    """Busy time of the whole machine (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / TICK


def run_wrk_once(server, pool_path, conns, duration, offset, script):
    threads = 1 if conns == 1 else 2
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", "%ds" % max(1, duration),
           "--timeout", "10s", "-s", os.path.join(HERE, script), server.endpoint,
           "--", pool_path, str(threads), str(offset)]
    ru0 = os.times()
    busy0 = busy_cpu_seconds()
    cpu0 = server.cpu_seconds()
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    wall = time.perf_counter() - t0
    cpu1 = server.cpu_seconds()
    busy1 = busy_cpu_seconds()
    ru1 = os.times()
    res = None
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            res = json.loads(line[6:])
    if res is None:
        raise RuntimeError("wrk gave no result: %s\n%s" % (out.stdout, out.stderr))
    n = max(res["requests"], 1)
    client_cpu = ((ru1.children_user + ru1.children_system) -
                  (ru0.children_user + ru0.children_system))
    own_cpu = (ru1.user + ru1.system) - (ru0.user + ru0.system)
    res["ops"] = res["requests"] / (res["duration_us"] / 1e6)
    res["cpu_us"] = (cpu1 - cpu0) * 1e6 / n
    res["client_cpu_us"] = client_cpu * 1e6 / n
    # cores kept busy by processes other than this server, wrk and bench.py
    # (other people's work on a shared machine): reported, and retried above
    # BENCH_MAX_FOREIGN
    res["foreign_cores"] = max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - client_cpu - own_cpu) / wall
    res["errors"] = (res["non200"] + res["connect_errors"] + res["read_errors"] +
                     res["write_errors"] + res["timeouts"])
    res["conns"] = conns
    return res


def run_wrk(server, pool_path, conns, duration, offset=0, script="replay.lua", retry=True):
    """One measured run; repeated (up to BENCH_RETRIES times, a few seconds
    apart) while other processes kept more than BENCH_MAX_FOREIGN cores busy.
    The quietest attempt is returned; 'consumed' counts the pool requests
    used by all attempts (the next run's offset)."""
    best, consumed = None, 0
    for attempt in range(1 + (RETRIES if retry else 0)):
        if attempt:
            time.sleep(3)
        r = run_wrk_once(server, pool_path, conns, duration, offset + consumed, script)
        consumed += r["requests"] + 1
        r["attempts"] = attempt + 1
        if best is None or r["foreign_cores"] < best["foreign_cores"]:
            best = r
        if r["foreign_cores"] <= MAX_FOREIGN or not retry:
            break
        log("  (other processes kept %.2f cores busy during that run: %s)" % (
            r["foreign_cores"], "retrying" if attempt < RETRIES else "keeping the quietest"))
    best["consumed"] = consumed
    best["attempts"] = attempt + 1
    return best


def aggregate(runs):
    """Mean of the rounds; CPU per request as total CPU over total requests."""
    if not runs:
        return None
    reqs = sum(r["requests"] for r in runs)
    return {
        "ops": statistics.mean(r["ops"] for r in runs),
        "p50_us": statistics.mean(r["p50_us"] for r in runs),
        "p99_us": statistics.mean(r["p99_us"] for r in runs),
        "cpu_us": sum(r["cpu_us"] * r["requests"] for r in runs) / max(reqs, 1),
        "client_cpu_us": sum(r["client_cpu_us"] * r["requests"] for r in runs) / max(reqs, 1),
        "requests": reqs,
        "errors": sum(r["errors"] for r in runs),
        "sample": next((r["sample"] for r in runs if r.get("sample")), ""),
        "rounds": len(runs),
        "foreign_cores": max(r["foreign_cores"] for r in runs),
        "ops_each": [round(r["ops"]) for r in runs],
    }


# --------------------------------------------------------------------------- phases

def phase_start(work, results):
    """Cold start to the first answered request (median of 7 starts, each on
    a fresh database), and idle RSS (median of the first 3, 2 s after start)."""
    out = {}
    for name in ("ddbd", "dynalite"):
        starts, rss = [], []
        for k in range(7):
            d = tempfile.mkdtemp(prefix="start-", dir=work)
            s = (Ddbd(work, os.path.join(d, "db.sqlite3")) if name == "ddbd"
                 else Dynalite(work, os.path.join(d, "level")))
            try:
                s.start()
                starts.append(s.started_in)
                if k < 3:
                    time.sleep(2.0)
                    rss.append(s.rss_kib())
            finally:
                s.stop()
            shutil.rmtree(d, ignore_errors=True)
            time.sleep(0.2)
        out[name] = {"start_ms": statistics.median(starts) * 1e3,
                     "start_best_ms": min(starts) * 1e3,
                     "start_all_ms": [round(x * 1e3, 1) for x in starts],
                     "idle_rss_kib": statistics.median(rss)}
        log("%s: cold start %.1f ms (best %.1f), idle RSS %.1f MiB" % (
            name, out[name]["start_ms"], out[name]["start_best_ms"],
            out[name]["idle_rss_kib"] / 1024))
    results["start"] = out


def phase_matrix(work, results):
    servers = []
    rows = results["matrix"] = []
    try:
        servers.append(Ddbd(work, os.path.join(work, "matrix.sqlite3")).start())
        servers.append(Dynalite(work, os.path.join(work, "matrix-level")).start())
        for s in servers:
            t = time.perf_counter()
            setup_matrix_tables(s)
            log("%s: matrix tables loaded in %.1fs" % (s.name, time.perf_counter() - t))
        for wi, (wname, desc) in enumerate(WORKLOADS):
            if ONLY and wname not in ONLY:
                continue
            pools, offsets, notes = {}, {}, ""
            shared = None
            for s in servers:
                t = time.perf_counter()
                path = os.path.join(work, "pool-%d-%s" % (wi, s.name))
                if wname in PAGED:
                    reqs, notes = build_pool(wname, s, OPEN_KEY, "m", 1000 + wi)
                    write_pool(path, reqs)
                elif shared is None:
                    # signed once (Host: ddbd's) and replayed to both servers: the
                    # key-addressed pools do not depend on the server, and neither
                    # server checks the signature in open mode
                    reqs, notes = build_pool(wname, s, OPEN_KEY, "m", 1000 + wi)
                    shared = write_pool(path, reqs)
                else:
                    path = shared
                pools[s.name] = path
                offsets[s.name] = 0
                log("%s %s: %d requests signed in %.1fs" % (
                    wname, s.name, len(reqs), time.perf_counter() - t))
            if WARMUP > 0:
                for s in servers:
                    r = run_wrk(s, pools[s.name], 16, WARMUP, offsets[s.name], retry=False)
                    offsets[s.name] += r["consumed"]
            for conns in (1, 16):
                runs = {s.name: [] for s in servers}
                for rnd in range(ROUNDS):
                    for s in servers:
                        r = run_wrk(s, pools[s.name], conns, DURATION, offsets[s.name])
                        offsets[s.name] += r["consumed"]
                        runs[s.name].append(r)
                        log("%-14s c=%-2d %-8s %8.0f ops/s p50 %7.2f ms p99 %7.2f ms "
                            "cpu %6.1f us/req%s" % (
                                wname, conns, s.name, r["ops"], r["p50_us"] / 1e3,
                                r["p99_us"] / 1e3, r["cpu_us"],
                                "  ERRORS %d: %s" % (r["errors"], r["sample"])
                                if r["errors"] else ""))
                rows.append({"workload": wname, "desc": desc, "conns": conns, "notes": notes,
                             "ddbd": aggregate(runs["ddbd"]),
                             "dynalite": aggregate(runs["dynalite"])})
            for p in set(pools.values()):
                os.unlink(p)
        results["matrix_rss_kib"] = {s.name: s.rss_kib() for s in servers}
    finally:
        for s in servers:
            s.stop()


def phase_principals(work, results):
    """GetItem/PutItem signed with a tenant's real key: ddbd --principals vs open."""
    policies = os.path.join(ROOT, "policies", "principals.json")
    servers = []
    rows = results["principals"] = []
    try:
        a = Ddbd(work, os.path.join(work, "open.sqlite3")).start()
        servers.append(a)
        p = Ddbd(work, os.path.join(work, "principals.sqlite3"),
                 ["--principals", policies]).start()
        servers.append(p)
        labels = {id(a): "open", id(p): "principals"}
        for s in servers:
            c = client(s, TENANT_KEY)
            create_table(c, TENANT_TABLE, [("pk", "HASH")], [("pk", "S")])
            batch_put(c, TENANT_TABLE, [kv_item(i) for i in range(KV_ITEMS)])
        # the tenant is denied outside its own table: proof the policy is enforced
        denied = False
        try:
            client(p, TENANT_KEY).list_tables()
            client(p, TENANT_KEY).describe_table(TableName="ws-att-002")
        except Exception as e:   # AccessDeniedException
            denied = "AccessDenied" in str(e)
        results["principals_denied_other_table"] = denied
        for wi, wname in enumerate(("GetItem", "PutItem")):
            # one pool, signed for the principals server (Host and all), replayed
            # to both: open mode accepts any well-formed signature
            rnd = random.Random(2000 + wi)
            reqs = (pool_get(p, TENANT_KEY, rnd, table=TENANT_TABLE) if wname == "GetItem"
                    else pool_put(p, TENANT_KEY, "p", table=TENANT_TABLE))
            path = write_pool(os.path.join(work, "ppool-%d" % wi), reqs)
            pools = {id(s): path for s in servers}
            offsets = {id(s): 0 for s in servers}
            if WARMUP > 0:
                for s in servers:
                    r = run_wrk(s, pools[id(s)], 16, WARMUP, offsets[id(s)], retry=False)
                    offsets[id(s)] += r["consumed"]
            for conns in (1, 16):
                runs = {"open": [], "principals": []}
                for rnd_i in range(ROUNDS):
                    for s in servers:
                        r = run_wrk(s, pools[id(s)], conns, DURATION, offsets[id(s)])
                        offsets[id(s)] += r["consumed"]
                        runs[labels[id(s)]].append(r)
                        log("%-8s c=%-2d ddbd %-10s %8.0f ops/s p50 %6.2f ms p99 %6.2f ms "
                            "cpu %6.1f us/req%s" % (
                                wname, conns, labels[id(s)], r["ops"], r["p50_us"] / 1e3,
                                r["p99_us"] / 1e3, r["cpu_us"],
                                "  ERRORS %d: %s" % (r["errors"], r["sample"])
                                if r["errors"] else ""))
                rows.append({"workload": wname, "conns": conns,
                             "open": aggregate(runs["open"]),
                             "principals": aggregate(runs["principals"])})
            os.unlink(path)
    finally:
        for s in servers:
            s.stop()


def load_items(server, table, first, count, work):
    """Loads items first..first+count-1 with load.lua (BatchWriteItem, 16
    connections); returns the seconds taken."""
    header = sign_raw(server.host, "BatchWriteItem", b"{}", OPEN_KEY)
    header = header.split(b"Content-Length:")[0]
    hpath = os.path.join(work, "load-header")
    fpath = os.path.join(work, "load-filler")
    with open(hpath, "wb") as f:
        f.write(header)
    with open(fpath, "wb") as f:
        f.write(sign_raw(server.host, "ListTables", b'{"Limit":1}', OPEN_KEY))
    done = os.path.join(work, "load-done-%d" % time.monotonic_ns())
    threads = 2
    cmd = ["wrk", "-t", str(threads), "-c", "16", "-d", "3600s", "--timeout", "30s",
           "-s", os.path.join(HERE, "load.lua"), server.endpoint, "--", hpath, fpath, table,
           str(first), str(count), str(threads), done]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = t0 + max(300.0, count / 200.0)
    try:
        while True:
            if all(os.path.exists("%s.%d" % (done, t)) for t in range(threads)):
                break
            if proc.poll() is not None:
                raise RuntimeError("loader ended early: %s" % proc.stderr.read())
            if time.perf_counter() > deadline:
                break                        # reported below as a failed load
            time.sleep(0.01)
        elapsed = time.perf_counter() - t0
        proc.send_signal(signal.SIGINT)       # wrk stops and prints its summary
        out, err = proc.communicate(timeout=60)
    except BaseException:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        raise
    res = None
    for line in out.splitlines():
        if line.startswith("BENCH "):
            res = json.loads(line[6:])
    if res is None or res["non200"] or res["unprocessed"] or res["batches"] != -(-count // 25):
        raise RuntimeError("load into %s failed: %s %s" % (server.name, out, err))
    for t in range(threads):
        os.unlink("%s.%d" % (done, t))
    return elapsed


def curve_pools(server, size, work, rnd):
    gets, queries = [], []
    for _ in range(POOL_GET):
        i = rnd.randrange(size)
        gets.append(sign_raw(server.host, "GetItem", json.dumps(
            {"TableName": "bench_curve", "Key": curve_key(i)}), OPEN_KEY))
    for _ in range(5000):
        p = rnd.randrange(size // 100)
        queries.append(sign_raw(server.host, "Query", json.dumps(
            {"TableName": "bench_curve", "KeyConditionExpression": "pk = :p",
             "ExpressionAttributeValues": {":p": {"S": "c#%08d" % p}}, "Limit": 25}),
            OPEN_KEY))
    return (write_pool(os.path.join(work, "cpool-get-" + server.name), gets),
            write_pool(os.path.join(work, "cpool-query-" + server.name), queries))


def phase_curve(work, results):
    sizes = sorted(set(SIZES))
    curve = {"ddbd": [], "dynalite": []}
    extra = {}
    results["curve"] = curve          # filled in place: a failure keeps what was measured
    results["curve_extra"] = extra
    plan = [("ddbd", sizes)]
    if PEER_CURVE:
        plan.append(("dynalite", [n for n in sizes if n <= PEER_CURVE_MAX]))
    for name, sz in plan:
        d = tempfile.mkdtemp(prefix="curve-%s-" % name, dir=work)
        s = (Ddbd(work, os.path.join(d, "curve.sqlite3")) if name == "ddbd"
             else Dynalite(work, os.path.join(d, "level"))).start()
        try:
            create_table(client(s), "bench_curve", [("pk", "HASH"), ("sk", "RANGE")],
                         [("pk", "S"), ("sk", "N")])
            loaded, load_s = 0, 0.0
            for size in sz:
                if size >= 5000000:
                    per_item = (s.disk_bytes() / loaded) if loaded else 1000
                    free = shutil.disk_usage(work).free
                    need = (size - loaded) * per_item * 2 + (1 << 30)
                    if free < need:
                        log("%s: skipping %d items: %.1f GiB free, %.1f GiB needed" % (
                            name, size, free / 2**30, need / 2**30))
                        extra.setdefault("skipped", []).append(
                            "%s %d items (%.0f GiB free, ~%.0f GiB needed)" % (
                                name, size, free / 2**30, need / 2**30))
                        continue
                t = load_items(s, "bench_curve", loaded, size - loaded, work)
                load_s += t
                log("%s: loaded %d -> %d items in %.1fs (%.0f items/s)" % (
                    name, loaded, size, t, (size - loaded) / t))
                loaded = size
                if name == "ddbd":
                    n = client(s).describe_table(TableName="bench_curve")["Table"]["ItemCount"]
                    if n != size:
                        raise RuntimeError("ddbd holds %d items, expected %d" % (n, size))
                gp, qp = curve_pools(s, size, work, random.Random(size))
                point = {"size": size, "load_total_s": load_s,
                         "rss_after_load_kib": s.rss_kib(), "disk_bytes": s.disk_bytes()}
                for op, pool in (("GetItem", gp), ("Query", qp)):
                    run_wrk(s, pool, 16, 1, retry=False)
                    for conns in (1, 16):
                        r = run_wrk(s, pool, conns, CURVE_DURATION)
                        point["%s_c%d" % (op, conns)] = r
                        log("%s %8d items %-8s c=%-2d %8.0f ops/s p50 %6.2f ms p99 %6.2f ms "
                            "cpu %6.1f us/op%s" % (
                                name, size, op, conns, r["ops"], r["p50_us"] / 1e3,
                                r["p99_us"] / 1e3, r["cpu_us"],
                                "  ERRORS %d: %s" % (r["errors"], r["sample"])
                                if r["errors"] else ""))
                point["rss_kib"] = s.rss_kib()
                os.unlink(gp)
                os.unlink(qp)
                curve[name].append(point)
        finally:
            s.stop()
            shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------- report

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except Exception:
        return ""


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 2**20)
    dyn_ver = ""
    try:
        with open(os.path.join(os.path.dirname(DYNALITE), "package.json")) as f:
            dyn_ver = json.load(f)["version"]
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "cpu": cpu, "memory": mem,
        "kernel": platform.release(),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "ddbd": sh("%s --version" % DDBD) + " (%s)" % ddbd_source(),
        "cc": sh("cc --version | head -1"),
        "sqlite": sh("pkg-config --modversion sqlite3"),
        "libmicrohttpd": sh("pkg-config --modversion libmicrohttpd"),
        "dynalite": dyn_ver, "node": sh("node --version"),
        "wrk": sh("wrk -v 2>&1 | head -1").split(" Copyright")[0],
        "python": platform.python_version(), "botocore": botocore.__version__,
        "load_before": loadavg(),
    }


def ddbd_source():
    """BENCH_DDBD_REV when the binary was built elsewhere (e.g. from a clean
    export of a commit), else this work tree's commit, flagged when the
    sources it builds from have uncommitted changes."""
    if os.environ.get("BENCH_DDBD_REV"):
        return os.environ["BENCH_DDBD_REV"]
    rev = sh("git -C %s rev-parse --short HEAD" % ROOT)
    dirty = sh("git -C %s status --porcelain -- emulator include Makefile" % ROOT)
    return "git %s%s" % (rev, " + uncommitted changes" if dirty else "")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def fmt_ops(x):
    return "%.0f" % x


def fmt_ms(us):
    return "%.2f" % (us / 1e3)


def fmt_ratio(x):
    return "%.2f×" % x if x < 10 else "%.1f×" % x


def cell_valid(a):
    return a is not None and a["errors"] == 0


def report(results, m):
    L = []
    w = L.append
    w("# ddbd benchmark results")
    w("")
    w("Generated by `make bench` (`tests/bench/run.sh` → `tests/bench/bench.py`) on %s. "
      "Do not edit by hand: re-run the benchmark." % m["date"])
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    for k, label in (("nproc", "cores (nproc)"), ("cpu", "CPU"), ("memory", "memory"),
                     ("os", "OS"), ("kernel", "kernel"), ("ddbd", "ddbd"),
                     ("cc", "compiler (-O2 -g)"), ("sqlite", "SQLite"),
                     ("libmicrohttpd", "libmicrohttpd"), ("dynalite", "dynalite"),
                     ("node", "Node.js"), ("wrk", "wrk"), ("python", "Python"),
                     ("botocore", "botocore (signing)"),
                     ("load", "load average (1/5/15 min) before → after the run")):
        w("| %s | %s |" % (label, m.get(k, "")))
    w("")
    w("## Method")
    w("")
    w("- Client and both servers share the machine's cores. wrk replays pools of requests "
      "pre-signed with botocore's SigV4 signer over keep-alive connections (1 connection: "
      "1 wrk thread; 16 connections: 2 wrk threads). Each row is the mean of %d rounds of "
      "%gs per server, ddbd and dynalite alternating A B A B, after a %gs warm-up of each." %
      (ROUNDS, DURATION, WARMUP))
    w("- **CPU µs/req** is the server process's utime+stime (`/proc/<pid>/stat`, all its "
      "threads) over the run divided by the requests answered: the steadiest figure when "
      "client and server compete for the same two cores. Ratios: ops/s ddbd ÷ dynalite; "
      "CPU dynalite ÷ ddbd (both: higher is better for ddbd).")
    w("- ddbd: `--throttling off --db <temp file>` (WAL, `synchronous=NORMAL`), 4 worker "
      "threads (default). dynalite: `--path <temp dir>` (LevelDB on disk), table delays 0.")
    w("- Any non-200 answer invalidates its row (shown as INVALID, left out of the ratios).")
    fc = [r[k]["foreign_cores"] for sec in ("matrix", "principals")
          for r in results.get(sec) or [] for k in ("ddbd", "dynalite", "open", "principals")
          if isinstance(r.get(k), dict)]
    for name in ("ddbd", "dynalite"):
        for pnt in (results.get("curve") or {}).get(name, []):
            fc += [v["foreign_cores"] for k, v in pnt.items() if isinstance(v, dict)]
    if fc:
        w("- The machine is shared: during each run the CPU used by *other* processes "
          "(`/proc/stat` busy time minus the server's, wrk's and the driver's) is measured; "
          "a run during which it exceeded %.2f cores is repeated (up to %d times, the quietest "
          "kept). Over the measured runs it averaged %.2f cores (worst run %.2f)." % (
              MAX_FOREIGN, RETRIES, statistics.mean(fc), max(fc)))
    w("")

    st = results.get("start")
    mx = results.get("matrix")
    pr = results.get("principals")
    cv = results.get("curve")

    if mx:
        w("## Workloads: ddbd vs dynalite")
        w("")
        w("| Workload | Conns | ddbd ops/s | dynalite ops/s | ops ratio | ddbd p50 / p99 ms "
          "| dynalite p50 / p99 ms | ddbd CPU µs/req | dynalite CPU µs/req | CPU ratio |")
        w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for r in mx:
            a, b = r["ddbd"], r["dynalite"]
            ok = cell_valid(a) and cell_valid(b)

            def side(x):
                if x is None:
                    return ("—", "—", "—")
                if x["errors"]:
                    return ("INVALID (%d non-200)" % x["errors"], "—", "—")
                return (fmt_ops(x["ops"]), "%s / %s" % (fmt_ms(x["p50_us"]), fmt_ms(x["p99_us"])),
                        "%.1f" % x["cpu_us"])
            sa, sb = side(a), side(b)
            noisy = max(x["foreign_cores"] for x in (a, b) if x) > MAX_FOREIGN
            w("| %s%s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["workload"], " †" if noisy else "", r["conns"], sa[0], sb[0],
                fmt_ratio(a["ops"] / b["ops"]) if ok else "—", sa[1], sb[1], sa[2], sb[2],
                fmt_ratio(b["cpu_us"] / a["cpu_us"]) if ok and a["cpu_us"] > 0 else "—"))
        w("")
        w("Workloads:")
        w("")
        for name, desc in WORKLOADS:
            notes = next((r["notes"] for r in mx if r["workload"] == name and r["notes"]), "")
            w("- **%s**: %s%s." % (name, desc, " (%s)" % notes if notes else ""))
        w("- BatchWriteItem counts one operation per request (25 items).")
        w("- † other processes kept more than %.2f cores busy during a run of that row even "
          "after the retries: read its ops/s and latencies with care (CPU µs/req is the "
          "least affected figure)." % MAX_FOREIGN)
        cl = [r[s]["client_cpu_us"] for r in mx for s in ("ddbd", "dynalite") if r[s]]
        if cl:
            w("- wrk's own CPU: %.1f–%.1f µs per request across the rows." % (min(cl), max(cl)))
        w("")

    if pr:
        w("## `--principals`: real SigV4 verification and IAM policies vs open mode")
        w("")
        w("ddbd `--principals policies/principals.json`, requests signed with tenant "
          "`workshop_001`'s key (`AKIAWORKSHOPT001`) on its personal table `%s` (the "
          "`OwnPersonalTable` statement of `tenant-abac.json`), alternating with an open-mode "
          "ddbd on the same workload. Policy enforced: %s." % (
              TENANT_TABLE, "a DescribeTable of ws-att-002 was denied"
              if results.get("principals_denied_other_table") else "NOT VERIFIED"))
        w("")
        w("| Workload | Conns | open ops/s | principals ops/s | principals ÷ open | "
          "open p50 / p99 ms | principals p50 / p99 ms | open CPU µs/req | "
          "principals CPU µs/req |")
        w("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        for r in pr:
            a, b = r["open"], r["principals"]
            ok = cell_valid(a) and cell_valid(b)
            w("| %s | %d | %s | %s | %s | %s / %s | %s / %s | %.1f | %.1f |" % (
                r["workload"], r["conns"],
                fmt_ops(a["ops"]) if cell_valid(a) else "INVALID (%d)" % a["errors"],
                fmt_ops(b["ops"]) if cell_valid(b) else "INVALID (%d)" % b["errors"],
                "%.0f%%" % (100 * b["ops"] / a["ops"]) if ok else "—",
                fmt_ms(a["p50_us"]), fmt_ms(a["p99_us"]), fmt_ms(b["p50_us"]),
                fmt_ms(b["p99_us"]), a["cpu_us"], b["cpu_us"]))
        w("")

    if st:
        w("## Start-up and memory")
        w("")
        w("| | ddbd | dynalite | ratio |")
        w("|---|--:|--:|--:|")
        a, b = st["ddbd"], st["dynalite"]
        w("| cold start to first answered request (median of 7), ms | %.1f | %.1f | %s |" % (
            a["start_ms"], b["start_ms"], fmt_ratio(b["start_ms"] / a["start_ms"])))
        w("| cold start, best of 7, ms | %.1f | %.1f | %s |" % (
            a["start_best_ms"], b["start_best_ms"],
            fmt_ratio(b["start_best_ms"] / a["start_best_ms"])))
        w("| idle RSS (empty database, 2 s after start, median of 3), MiB | %.1f | %.1f | %s |" % (
            a["idle_rss_kib"] / 1024, b["idle_rss_kib"] / 1024,
            fmt_ratio(b["idle_rss_kib"] / a["idle_rss_kib"])))
        mr = results.get("matrix_rss_kib")
        if mr:
            w("| RSS after the workload matrix, MiB | %.1f | %.1f | %s |" % (
                mr["ddbd"] / 1024, mr["dynalite"] / 1024,
                fmt_ratio(mr["dynalite"] / mr["ddbd"])))
        if cv:
            for name_size in (1000000,):
                pa = next((p for p in cv.get("ddbd", []) if p["size"] == name_size), None)
                pb = next((p for p in cv.get("dynalite", []) if p["size"] == name_size), None)

                def g(p, k, scale, fmt):
                    return fmt % (p[k] / scale) if p else "—"
                rat = (lambda k: fmt_ratio(pb[k] / pa[k]) if pa and pb else "—")
                w("| time to load 1M items (BatchWriteItem ×25, 16 connections), s | %s | %s "
                  "| %s |" % (g(pa, "load_total_s", 1, "%.1f"), g(pb, "load_total_s", 1, "%.1f"),
                              rat("load_total_s")))
                w("| RSS after loading 1M items, MiB | %s | %s | %s |" % (
                    g(pa, "rss_after_load_kib", 1024, "%.1f"),
                    g(pb, "rss_after_load_kib", 1024, "%.1f"), rat("rss_after_load_kib")))
                w("| RSS after 1M items and the reads, MiB | %s | %s | %s |" % (
                    g(pa, "rss_kib", 1024, "%.1f"), g(pb, "rss_kib", 1024, "%.1f"),
                    rat("rss_kib")))
                w("| on-disk size with 1M items, MiB | %s | %s | %s |" % (
                    g(pa, "disk_bytes", 2**20, "%.0f"), g(pb, "disk_bytes", 2**20, "%.0f"),
                    rat("disk_bytes")))
        w("")
        w("Cold starts (ms), each trial: ddbd %s; dynalite %s." % (
            a["start_all_ms"], b["start_all_ms"]))
        w("")

    if cv:
        w("## Cost curve: reads as the table grows")
        w("")
        w("Table `bench_curve` (hash `pk`, range `sk`; 100 items per partition, ~200-byte "
          "items), loaded through BatchWriteItem (25 items, 16 connections) in steps. At "
          "each size: GetItem of random existing keys and Query (Limit 25) of random "
          "partitions, %gs per run. Load time is cumulative from an empty table." %
          CURVE_DURATION)
        w("")
        w("| Server | Items | load s (total) | GetItem c1 p50 ms | GetItem c16 ops/s | "
          "GetItem c16 p99 ms | GetItem CPU µs/op | Query c1 p50 ms | Query c16 ops/s | "
          "Query c16 p99 ms | Query CPU µs/op | RSS MiB | disk MiB |")
        w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for name in ("ddbd", "dynalite"):
            for p in cv.get(name, []):
                def v(op, c, k, f):
                    r = p.get("%s_c%d" % (op, c))
                    if r is None:
                        return "—"
                    if r["errors"]:
                        return "INVALID"
                    return f(r[k])
                cpu16 = lambda op: v(op, 16, "cpu_us", lambda x: "%.1f" % x)
                w("| %s | %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.0f |" % (
                    name, "{:,}".format(p["size"]), p["load_total_s"],
                    v("GetItem", 1, "p50_us", fmt_ms), v("GetItem", 16, "ops", fmt_ops),
                    v("GetItem", 16, "p99_us", fmt_ms), cpu16("GetItem"),
                    v("Query", 1, "p50_us", fmt_ms), v("Query", 16, "ops", fmt_ops),
                    v("Query", 16, "p99_us", fmt_ms), cpu16("Query"),
                    p["rss_kib"] / 1024, p["disk_bytes"] / 2**20))
        w("")
        for name in ("ddbd", "dynalite"):
            pts = [p for p in cv.get(name, []) if p.get("GetItem_c16") and p.get("Query_c16")]
            if len(pts) >= 2:
                lo, hi = pts[0], pts[-1]
                w("%s, %s → %s items (%g× the data): CPU per op ×%.2f for GetItem, ×%.2f "
                  "for Query; c1 p50 latency ×%.2f and ×%.2f." % (
                      name, "{:,}".format(lo["size"]), "{:,}".format(hi["size"]),
                      hi["size"] / lo["size"],
                      hi["GetItem_c16"]["cpu_us"] / lo["GetItem_c16"]["cpu_us"],
                      hi["Query_c16"]["cpu_us"] / lo["Query_c16"]["cpu_us"],
                      hi["GetItem_c1"]["p50_us"] / lo["GetItem_c1"]["p50_us"],
                      hi["Query_c1"]["p50_us"] / lo["Query_c1"]["p50_us"]))
                w("")
        w("CPU µs/op at 16 connections. Sizes: BENCH_SIZES=%s%s." % (
            ",".join(str(s) for s in SIZES),
            "; dynalite up to %d items" % PEER_CURVE_MAX if PEER_CURVE else
            "; dynalite not run (BENCH_PEER_CURVE=0)"))
        for s in results.get("curve_extra", {}).get("skipped", []):
            w("Skipped for lack of disk: %s." % s)
        w("")

    # targets
    if mx or st or pr or cv:
        w("## Targets")
        w("")
        w("| Target | Measured | Met |")
        w("|---|---|:-:|")
        if mx:
            for wl in ("GetItem", "PutItem", "UpdateItem", "Query"):
                r = next((x for x in mx if x["workload"] == wl and x["conns"] == 16), None)
                if r and cell_valid(r["ddbd"]) and cell_valid(r["dynalite"]):
                    q = r["dynalite"]["cpu_us"] / r["ddbd"]["cpu_us"]
                    w("| %s server CPU/req ≤ 1/10 of dynalite's (16 conns) | %.1f vs %.1f µs "
                      "(1/%.1f) | %s |" % (wl, r["ddbd"]["cpu_us"], r["dynalite"]["cpu_us"], q,
                                           "yes" if q >= 10 else "no"))
            for wl in ("GetItem", "PutItem", "UpdateItem", "Query"):
                r = next((x for x in mx if x["workload"] == wl and x["conns"] == 16), None)
                if r and cell_valid(r["ddbd"]) and cell_valid(r["dynalite"]):
                    q = r["ddbd"]["ops"] / r["dynalite"]["ops"]
                    w("| %s ops/s ≥ 3× dynalite's at 16 conns | %s | %s |" % (
                        wl, fmt_ratio(q), "yes" if q >= 3 else "no"))
            bad = []
            for r in mx:
                if r["conns"] == 16 and cell_valid(r["ddbd"]) and cell_valid(r["dynalite"]):
                    if r["ddbd"]["p99_us"] >= r["dynalite"]["p50_us"]:
                        bad.append(r["workload"])
            w("| p99 at 16 conns below dynalite's p50 (every workload) | %s | %s |" % (
                "fails: " + ", ".join(bad) if bad else "all workloads",
                "no" if bad else "yes"))
        if st:
            a = st["ddbd"]
            w("| cold start < 10 ms | %.1f ms | %s |" % (a["start_ms"],
                                                        "yes" if a["start_ms"] < 10 else "no"))
            w("| idle RSS < 10 MB | %.1f MiB | %s |" % (
                a["idle_rss_kib"] / 1024, "yes" if a["idle_rss_kib"] * 1024 < 10e6 else "no"))
        if cv:
            pa = next((p for p in cv.get("ddbd", []) if p["size"] == 1000000), None)
            if pa:
                rss = max(pa["rss_kib"], pa["rss_after_load_kib"])
                w("| RSS after 1M items < 64 MB | %.1f MiB | %s |" % (
                    rss / 1024, "yes" if rss * 1024 < 64e6 else "no"))
        if pr:
            worst = None
            for r in pr:
                if r["conns"] == 16 and cell_valid(r["open"]) and cell_valid(r["principals"]):
                    q = r["principals"]["ops"] / r["open"]["ops"]
                    worst = q if worst is None else min(worst, q)
            if worst is not None:
                w("| --principals within 15%% of open mode (16 conns) | worst %.0f%% of open "
                  "| %s |" % (100 * worst, "yes" if worst >= 0.85 else "no"))
        w("")
    return "\n".join(L) + "\n"


def main():
    if not os.access(DDBD, os.X_OK):
        sys.exit("bench: no ddbd binary at %s" % DDBD)
    if not os.path.exists(DYNALITE):
        sys.exit("bench: no dynalite at %s (tests/bench/run.sh installs it)" % DYNALITE)
    # SIGTERM/SIGHUP unwind through the finally blocks, which stop the servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    work = tempfile.mkdtemp(prefix="ddbd-bench-")
    log("work folder %s" % work)
    results = {}
    m = machine()
    t0 = time.perf_counter()
    failures = []
    try:
        for name, fn in (("start", phase_start), ("matrix", phase_matrix),
                         ("principals", phase_principals), ("curve", phase_curve)):
            if name in SKIP:
                continue
            try:
                fn(work, results)
            except Exception as e:     # the other phases still run and report
                log("phase %s FAILED: %s" % (name, e))
                failures.append("%s: %s" % (name, str(e)[:2000]))
    finally:
        m["load"] = "%s → %s" % (m["load_before"], loadavg())
        results["machine"] = m
        results["elapsed_s"] = time.perf_counter() - t0
        with open(os.path.join(work, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
        log("raw results: %s/results.json" % work)
    text = report(results, m)
    for f in failures:
        text += "\n**Phase failed** — %s\n" % f.replace("\n", " ")
    text += "\nTotal benchmark time: %.0f s.\n" % results["elapsed_s"]
    with open(OUT, "w") as f:
        f.write(text)
    log("wrote %s (%.0f s)" % (OUT, results["elapsed_s"]))
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    invalid = [r for r in results.get("matrix", []) + results.get("principals", [])
               for k, x in r.items() if isinstance(x, dict) and x.get("errors")]
    return 1 if invalid or failures else 0


if __name__ == "__main__":
    sys.exit(main())
