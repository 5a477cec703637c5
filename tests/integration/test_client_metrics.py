"""`ddb metrics` and `ddb top` (build/ddb, next to the ddbd under test) against a
ddbd that throttles (--throttling on --clock manual --partition-wcu 10): a hot
key made to throttle with boto3 (PutItem and BatchWriteItem, one attempt each),
then the exact figures of `ddb metrics` as text, table and the server's JSON
(consumed units, throttle events per reason, ThrottledRequests per operation,
Contributor Insights keys with their partition), `ddb top --once` marking the
hot partition with its key while the idle ones collapse into ranges, a sharded
variant lighting several partitions, a GSI, frames without escapes when piped
and redrawn in place on a terminal (a pty), Ctrl-C, the errors (an endpoint that
is not ddbd, AWS's endpoint never contacted, no connection, no such table,
usage) with their exit codes, and `make demo-hot-partition`'s script.
"""
import http.server
import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

from harness import ACCESS_KEY, REGION, SECRET_KEY, TestFailure, check, eq

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DEMO = os.path.join(REPO, "tests", "demo", "hot_partition.sh")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
              "all_proxy", "no_proxy", "NO_PROXY")
THROTTLE_ARGS = ("--throttling", "on", "--clock", "manual", "--partition-wcu", "10")


# -- running ddb --------------------------------------------------------------------------

def ddb_path(ctx):
    path = os.path.join(os.path.dirname(ctx.binary), "ddb")
    check(os.access(path, os.X_OK), "no ddb binary at %s (make builds it)" % path)
    return path


def base_env(ctx, endpoint):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("AWS_") and not k.startswith("DDB_") and k not in PROXY_VARS}
    e.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": os.path.join(ctx.workdir, "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(ctx.workdir, "no-credentials"),
        "HOME": os.path.join(ctx.workdir, "no-home"),
    })
    return e


def ddb(ctx, *args, server=None, endpoint=None, env=None, unset=(), timeout=60):
    """Run ddb against 'server' (or 'endpoint'); returns (exit code, stdout, stderr)."""
    e = base_env(ctx, endpoint or (server or ctx.server).endpoint)
    e.update(env or {})
    for k in unset:
        e.pop(k, None)
    p = subprocess.run([ddb_path(ctx)] + [str(a) for a in args], env=e, capture_output=True,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    for marker in SANITIZER_MARKERS:
        check(marker not in p.stderr, "ddb %s: sanitizer report:\n%s" % (args, p.stderr))
    return p.returncode, p.stdout, p.stderr


def ok(ctx, *args, **kw):
    rc, out, err = ddb(ctx, *args, **kw)
    if rc != 0:
        raise TestFailure("ddb %s exited %d:\n%s\n%s" % (" ".join(map(str, args)), rc, out, err))
    return out


def fails(ctx, code, *args, **kw):
    rc, out, err = ddb(ctx, *args, **kw)
    eq(rc, code, "exit code of ddb %s (stdout %r, stderr %r)" % (" ".join(map(str, args)),
                                                                  out[-1500:], err[-1500:]))
    eq(out, "", "no output from the failing ddb %s" % " ".join(map(str, args)))
    return err


def lines_of(text, prefix):
    return [ln for ln in text.splitlines() if ln.startswith(prefix)]


def metric_line(text, name):
    """The value of '  NAME   value' in a `ddb metrics TABLE` block (the first one)."""
    for ln in text.splitlines():
        m = re.match(r"  (\S+)\s+(.*)$", ln)
        if m and m.group(1) == name:
            return m.group(2)
    raise TestFailure("no %s line in:\n%s" % (name, text))


# -- the throttling server and its tables ---------------------------------------------------

def throttling(ctx, name):
    """A ddbd that throttles, one per scenario 'name' (each has its own manual clock,
    so that one scenario's seconds never move another's)."""
    servers = ctx.__dict__.setdefault("_metrics_servers", {})
    if name not in servers:
        servers[name] = ctx.new_server(args=THROTTLE_ARGS)
    return servers[name]


def boto(server):
    return boto3.client(
        "dynamodb", region_name=REGION, endpoint_url=server.endpoint,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=botocore.config.Config(retries={"total_max_attempts": 1}))


def advance(ctx, server, seconds=1):
    st, _, body = ctx.raw("POST", "/_ddbd/clock", json.dumps({"Advance": seconds}),
                          headers={"Content-Type": "application/json"}, server=server)
    eq(st, 200, "clock advance: %r" % body)


def make_table(c, name, gsi=False):
    defs = [{"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"}]
    kw = {}
    if gsi:
        defs.append({"AttributeName": "g", "AttributeType": "S"})
        kw["GlobalSecondaryIndexes"] = [{
            "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    c.create_table(TableName=name, AttributeDefinitions=defs, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}], **kw)


def put(pk, i, **extra):
    item = {"pk": {"S": pk}, "sk": {"S": "%04d" % i}}
    for k, v in extra.items():
        item[k] = {"S": v}
    return item


def hot_table(ctx):
    """Table 'hot': second 1, 15 PutItems to USER#1 (10 in, 5 throttled); second 2,
    a BatchWriteItem of 25 to USER#1 (10 in, 15 unprocessed). Returns the server."""
    if "_metrics_hot" in ctx.__dict__:
        return ctx._metrics_hot
    s = throttling(ctx, "hot")
    c = boto(s)
    make_table(c, "hot")
    advance(ctx, s)
    throttled = 0
    for i in range(15):
        try:
            c.put_item(TableName="hot", Item=put("USER#1", i))
        except botocore.exceptions.ClientError as e:
            eq(e.response["Error"]["Code"], "ThrottlingException", "PutItem error")
            throttled += 1
    eq(throttled, 5, "PutItems throttled in the first second")
    advance(ctx, s)
    r = c.batch_write_item(RequestItems={"hot": [{"PutRequest": {"Item": put("USER#1", 100 + i)}}
                                                 for i in range(25)]})
    eq(len(r["UnprocessedItems"].get("hot", [])), 15, "BatchWriteItem unprocessed")
    ctx._metrics_hot = s
    return s


def server_metrics(ctx, s, table, **params):
    q = "&".join("%s=%s" % kv for kv in sorted(dict(region=REGION, table=table, **params).items()))
    st, _, body = ctx.raw("GET", "/_ddbd/metrics?" + q, server=s)
    eq(st, 200, "GET /_ddbd/metrics")
    return json.loads(body)


def hot_partition(ctx, s, table, key):
    t = server_metrics(ctx, s, table, partitions=0, seconds=1)["Tables"][0]
    for e in t["ContributorInsights"]["MostAccessedKeys"]["Total"]:
        if e["Key"] == key:
            return e["Partition"]
    raise TestFailure("no %s in the insights of %s" % (key, table))


# -- help and usage ---------------------------------------------------------------------

def test_help_and_usage(ctx):
    out = ok(ctx, "--help")
    check("\n  metrics " in out and "\n  top " in out, "ddb --help lists metrics and top")
    out = ok(ctx, "metrics", "--help")
    check(out.startswith("Usage: ddb metrics [OPTIONS] [TABLE]"), "metrics usage: %r" % out[:60])
    check("--index INDEX" in out and "CloudWatch" in out, "metrics help")
    out = ok(ctx, "top", "--help")
    check(out.startswith("Usage: ddb top [OPTIONS] TABLE"), "top usage: %r" % out[:60])
    for opt in ("--index INDEX", "--interval SECONDS", "--iterations N", "--once",
                "--window SECONDS", "--rows N"):
        check(opt in out, "top help shows %s" % opt)
    cases = [
        (["top"], "usage: ddb top [OPTIONS] TABLE"),
        (["top", "hot", "--interval", "0"], "--interval must be a number of seconds above 0"),
        (["top", "hot", "--iterations", "0"], "--iterations must be an integer from 1"),
        (["top", "hot", "--window", "61"], "--window must be an integer from 1 to 60"),
        (["top", "hot", "--rows", "x"], "--rows must be an integer from 1"),
        (["top", "hot", "--output", "json"], "ddb top draws text"),
        (["top", "a&b=c"], "a table or index name is 3 to 255"),
        (["metrics", "--index", "byG"], "--index needs a TABLE"),
        (["metrics", "x"], "a table or index name is 3 to 255"),
        (["metrics", "a", "b"], "usage: ddb metrics [OPTIONS] [TABLE]"),
        (["tables", "--output", "text"], "--output must be json or table, got 'text'"),
    ]
    for args, text in cases:
        err = fails(ctx, 2, *args)
        check(err.startswith("ddb: error: UsageError: ") and text in err,
              "ddb %s:\n   got: %r\n  want: %r" % (" ".join(args), err, text))


# -- ddb metrics ----------------------------------------------------------------------------

def test_metrics_of_a_hot_key(ctx):
    s = hot_table(ctx)
    part = hot_partition(ctx, s, "hot", "USER#1")
    out = ok(ctx, "metrics", "hot", server=s)
    first = out.splitlines()[0]
    check(re.fullmatch(r"Table hot in ap-southeast-1 \(ddbd, clock manual at "
                       r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, throttling on\)", first),
          "header: %r" % first)
    eq(metric_line(out, "BillingMode"), "PAY_PER_REQUEST", "billing")
    eq(metric_line(out, "Partitions"), "256", "on demand 4,000 WCU / 10 per partition, capped")
    eq(metric_line(out, "PartitionCeiling"), "3000 RCU/s, 10 WCU/s", "ceiling")
    eq(metric_line(out, "Capacity"),
       "12000 RCU/s, 4000 WCU/s (on demand; previous peak 0 RCU/s, 0 WCU/s)", "capacity")
    eq(metric_line(out, "ConsumedThisSecond"), "0 RCU, 10 WCU", "this second: the batch's 10")
    eq(metric_line(out, "ConsumedTotal"), "0 RCU, 20 WCU", "10 puts + 10 batch items")
    eq(metric_line(out, "ReadThrottleEvents"), "0", "no reads")
    eq(metric_line(out, "WriteThrottleEvents"),
       "20 (WriteKeyRangeThroughputThrottleEvents 20)", "5 puts + 15 batch items refused")
    ops = out.split("  ThrottledRequests", 1)[1].split("  MostAccessedKeys", 1)[0]
    eq(sorted(x.strip() for x in ops.strip().splitlines()),
       ["BatchWriteItem 0 of 1", "PutItem 5 of 15"],
       "ThrottledRequests: a batch counts only when every item was refused")
    eq(metric_line(out, "MostAccessedKeys"), "USER#1  60 units, partition %d" % part,
       "3 x 20 WCU")
    eq(metric_line(out, "MostThrottledKeys"), "USER#1  20 throttles, partition %d" % part,
       "throttled key")

    # the list: one line per table of the region
    out = ok(ctx, "metrics", server=s)
    rows = [ln.split() for ln in out.splitlines()]
    eq(rows[0], ["Table", "BillingMode", "Partitions", "ConsumedRCU/s", "ConsumedWCU/s",
                 "ConsumedRCU", "ConsumedWCU", "ReadThrottleEvents", "WriteThrottleEvents",
                 "ThrottledRequests"], "header")
    hot = [r for r in rows if r[0] == "hot"]
    eq(hot, [["hot", "PAY_PER_REQUEST", "256", "0", "10", "0", "20", "0", "20", "5", "of",
              "16"]], "the hot table's line")

    # --output table
    out = ok(ctx, "metrics", "hot", "--output", "table", server=s)
    rows = {tuple(c.strip() for c in ln.split("|"))[:2]: ln.split("|")[2].strip()
            for ln in out.splitlines()[2:]}
    eq(rows[("table", "WriteThrottleEvents")], "20 (WriteKeyRangeThroughputThrottleEvents 20)",
       "table output")
    eq(rows[("table", "MostThrottledKeys")], "USER#1  20 throttles, partition %d" % part,
       "table output keys")
    out = ok(ctx, "metrics", "--output", "table", server=s)
    check(out.splitlines()[1].startswith("------+"), "list as a table: %r" % out)

    # --output json: the server's answer as sent, figures exact
    doc = json.loads(ok(ctx, "metrics", "hot", "--output", "json", server=s))
    eq(doc, server_metrics(ctx, s, "hot"), "the server's JSON")
    t = doc["Tables"][0]
    eq(t["Totals"]["ConsumedWriteCapacityUnits"], 20.0, "consumed")
    eq(t["Totals"]["WriteThrottleEvents"], 20, "throttle events")
    eq(t["Totals"]["WriteKeyRangeThroughputThrottleEvents"], 20, "key range")
    eq(sorted((o["Operation"], o["Requests"], o["ThrottledRequests"]) for o in t["Operations"]),
       [("BatchWriteItem", 1, 0), ("PutItem", 15, 5)], "operations")
    eq(doc["PartitionCeiling"], {"Read": 3000, "Write": 10}, "ceiling in the answer")
    eq(doc["Throttling"], True, "throttling in the answer")
    eq(doc["ClockMode"], "manual", "clock")
    eq(len(t["PartitionMap"]), 256, "partition detail")
    hotp = t["PartitionMap"][part]
    eq((hotp["Position"], hotp["Totals"]["ConsumedWriteCapacityUnits"],
        hotp["Totals"]["WriteThrottleEvents"]), (part, 20.0, 20), "the hot partition")
    eq(t["ContributorInsights"]["MostThrottledKeys"]["Total"],
       [{"Key": "USER#1", "ThrottleCount": 20, "MaxError": 0, "Partition": part}],
       "most throttled keys with their partition")
    st, _, body = ctx.raw("GET", "/_ddbd/insights?region=%s&table=hot" % REGION, server=s)
    eq(json.loads(body)["MostThrottledKeys"]["Total"][0].get("Partition"), part,
       "/_ddbd/insights locates keys too")

    out = ok(ctx, "metrics", "--region", "eu-north-1", server=s)
    eq(out, "No tables in eu-north-1.\n", "an empty region")


def test_metrics_and_top_of_a_gsi(ctx):
    s = throttling(ctx, "gsi")
    c = boto(s)
    make_table(c, "withgsi", gsi=True)
    advance(ctx, s)
    r = c.batch_write_item(RequestItems={"withgsi": [
        {"PutRequest": {"Item": put("K#%d" % i, i, g="STATUS#OPEN")}} for i in range(20)]})
    eq(len(r["UnprocessedItems"].get("withgsi", [])), 10, "the GSI key is the hot one")
    out = ok(ctx, "metrics", "withgsi", "--index", "byG", server=s)
    check(out.startswith("GSI byG of table withgsi in ap-southeast-1 "), "GSI block: %r" % out)
    check("BillingMode" not in out and "ThrottledRequests" not in out, "only the GSI")
    eq(metric_line(out, "WriteThrottleEvents"),
       "10 (WriteKeyRangeThroughputThrottleEvents 10)", "the GSI refused them")
    eq(metric_line(out, "MostThrottledKeys").split(",")[0], "STATUS#OPEN  10 throttles",
       "the GSI's hot key")
    doc = json.loads(ok(ctx, "metrics", "withgsi", "--index", "byG", "--output", "json",
                        server=s))
    eq(doc["IndexName"], "byG", "--output json --index: the GSI's object")
    eq(doc["Totals"]["WriteThrottleEvents"], 10, "GSI throttles in JSON")

    out = ok(ctx, "top", "withgsi", "--index", "byG", "--once", server=s)
    check("\ntable withgsi" not in out and "\nGSI byG: 256 partitions" in out, "GSI only: %r" % out)
    hot = [ln for ln in out.splitlines() if " R [" in ln and "  HOT" in ln]
    eq(len(hot), 1, "one hot GSI partition: %r" % out)
    check(hot[0].endswith("HOT  THROTTLED x10  keys: STATUS#OPEN (10 throttled)"),
          "GSI hot line: %r" % hot[0])
    out = ok(ctx, "top", "withgsi", "--once", server=s)
    check("\ntable withgsi: PAY_PER_REQUEST, 256 partitions" in out and "\nGSI byG: " in out,
          "table and GSI: %r" % out)

    err = fails(ctx, 1, "metrics", "withgsi", "--index", "nope", server=s)
    eq(err, "ddb: error: ResourceNotFoundException: Requested resource not found: Index: "
            "nope of table withgsi not found\n", "unknown index")
    err = fails(ctx, 1, "top", "withgsi", "--index", "nope", "--once", server=s)
    check("Index: nope of table withgsi not found" in err, "top, unknown index: %r" % err)


# -- ddb top --------------------------------------------------------------------------------

def test_top_marks_the_hot_partition(ctx):
    s = hot_table(ctx)
    part = hot_partition(ctx, s, "hot", "USER#1")
    out = ok(ctx, "top", "hot", "--once", server=s)
    check("\x1b" not in out, "no escape codes when not a terminal")
    lines = out.splitlines()
    check(re.fullmatch(r"ddb top hot  region ap-southeast-1  clock manual "
                       r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", lines[0]), "header: %r" % lines[0])
    check(re.fullmatch(r"second \d+: units consumed per partition against its ceiling; "
                       r"HOT >= 80 %", lines[1]), "second line: %r" % lines[1])
    eq(lines[3], "table hot: PAY_PER_REQUEST, 256 partitions, ceiling 3000 RCU/s, 10 WCU/s "
                 "each; 1 hot, 1 throttled, 1 active", "summary")
    label = "p%d" % part
    eq(lines_of(out, "  %-9s R " % label),
       ["  %-9s R [............]    0/3000  W [############]     10/10  HOT  THROTTLED x15  "
        "keys: USER#1 (20 throttled)" % label],
       "the hot partition: its second's 10 WCU of 10, the batch's 15 throttles, the key")
    idle = [ln.split() for ln in lines[4:] if ln.endswith(" idle")]
    want = []
    if part > 0:
        want.append(["p0" if part == 1 else "p0-p%d" % (part - 1), "idle"])
    if part < 255:
        want.append(["p255" if part == 254 else "p%d-p255" % (part + 1), "idle"])
    eq(idle, want, "the 255 idle partitions in at most two ranges")
    eq(len(lines), 4 + 1 + len(want), "a short frame for 256 partitions")

    # a window of 2 seconds adds the PutItems' second: its 5 throttles, same peak
    out = ok(ctx, "top", "hot", "--once", "--window", "2", server=s)
    check("THROTTLED x20  keys: USER#1 (20 throttled)" in out, "window of 2: %r" % out)

    # frames follow each other, separated by a blank line
    out = ok(ctx, "top", "hot", "--iterations", "3", "--interval", "0.05", server=s)
    frames = out.split("\n\n" + "ddb top hot ")
    eq(len(frames), 3, "three frames")
    eq(out.count("ddb top hot "), 3, "three headers")


def test_top_sharded_keys_light_several_partitions(ctx):
    s = throttling(ctx, "sharded")
    c = boto(s)
    make_table(c, "sharded")
    advance(ctx, s)
    r = c.batch_write_item(RequestItems={"sharded": [
        {"PutRequest": {"Item": put("USER#1#S%d" % (i % 5), i)}} for i in range(25)]})
    eq(r["UnprocessedItems"], {}, "5 shard keys: every write gets in")
    keys = server_metrics(ctx, s, "sharded", partitions=0)["Tables"][0]
    parts = {e["Partition"] for e in keys["ContributorInsights"]["MostAccessedKeys"]["Total"]}
    check(len(parts) >= 3, "the shard keys spread: %r" % parts)
    out = ok(ctx, "top", "sharded", "--once", server=s)
    rows = [ln for ln in out.splitlines() if " R [" in ln]
    eq(len(rows), len(parts), "one line per partition the shards landed on: %r" % out)
    check("THROTTLED" not in out, "no throttles: %r" % out)
    check(" 0 throttled, %d active" % len(parts) in out, "summary: %r" % out)
    for ln in rows:
        check("keys: USER#1#S" in ln, "each busy partition names its shard keys: %r" % ln)
    out = ok(ctx, "metrics", "sharded", server=s)
    eq(metric_line(out, "WriteThrottleEvents"), "0", "no throttle events")
    eq(metric_line(out, "ConsumedTotal"), "0 RCU, 25 WCU", "all 25 in")


def test_top_on_a_terminal_redraws_in_place(ctx):
    s = hot_table(ctx)
    master, slave = pty.openpty()
    e = base_env(ctx, s.endpoint)
    try:
        p = subprocess.Popen([ddb_path(ctx), "top", "hot", "--iterations", "2", "--interval",
                              "0.05"], env=e, stdin=subprocess.DEVNULL, stdout=slave,
                             stderr=subprocess.PIPE)
        os.close(slave)
        slave = None
        data = b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other side closed
                    break
                if not chunk:
                    break
                data += chunk
            elif p.poll() is not None:
                break
        rc = p.wait(timeout=30)
        err = p.stderr.read().decode()
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    for marker in SANITIZER_MARKERS:
        check(marker not in err, "sanitizer report:\n%s" % err)
    eq(rc, 0, "exit code on a terminal (stderr %r)" % err)
    text = data.decode(errors="replace")
    check(text.startswith("\x1b[?25l\x1b[H\x1b[2J"), "hides the cursor, clears: %r" % text[:40])
    eq(text.count("\x1b[H"), 3, "home before each of the 2 frames (and the first clear)")
    check("\x1b[K" in text and "\x1b[J" in text, "clears line ends and the rest of the screen")
    check(text.rstrip().endswith("\x1b[?25h"), "shows the cursor again")
    check("\x1b[1;33mHOT\x1b[0m" in text and "\x1b[1;31mTHROTTLED x15\x1b[0m" in text,
          "colour marks on a terminal")


def test_top_stops_on_ctrl_c(ctx):
    s = hot_table(ctx)
    e = base_env(ctx, s.endpoint)
    p = subprocess.Popen([ddb_path(ctx), "top", "hot", "--interval", "0.2"], env=e,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        first = p.stdout.readline()
        check(first.startswith(b"ddb top hot "), "first frame: %r" % first)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    out = p.stdout.read().decode()
    err = p.stderr.read().decode()
    for marker in SANITIZER_MARKERS:
        check(marker not in err, "sanitizer report:\n%s" % err)
    eq(rc, 0, "Ctrl-C stops ddb top cleanly (stderr %r)" % err)
    eq(err, "", "nothing on stderr")
    check(out.count("ddb top hot ") >= 1, "frames were drawn")


# -- errors ---------------------------------------------------------------------------------

class NotDdbd:
    """An HTTP server that answers 404 to everything and records the requests."""

    def __init__(self):
        self.seen = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self):
                outer.seen.append((self.command, self.path))
                n = int(self.headers.get("Content-Length", "0"))
                if n:
                    self.rfile.read(n)
                data = b"<html>Not Found</html>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port():
    sk = socket.socket()
    sk.bind(("127.0.0.1", 0))
    port = sk.getsockname()[1]
    sk.close()
    return port


def test_errors_not_ddbd_aws_connection_missing_table(ctx):
    fake = NotDdbd()
    try:
        err = fails(ctx, 5, "metrics", endpoint=fake.url)
        check(err.startswith("ddb: error: NotDdbdError: ddb metrics needs ddbd: %s answered "
                             "GET /_ddbd/metrics with HTTP 404" % fake.url), "error: %r" % err)
        check("CloudWatch" in err and err.count("\n") == 1, "CloudWatch hint, one line: %r" % err)
        eq(fake.seen, [("GET", "/_ddbd/metrics?region=%s&partitions=0&seconds=1" % REGION)],
           "one GET; a 404 without a table is not probed further")
        fake.seen.clear()
        err = fails(ctx, 5, "metrics", "hot", endpoint=fake.url)
        check("NotDdbdError" in err, "with a table: %r" % err)
        eq([p for _, p in fake.seen], ["/_ddbd/metrics?region=%s&table=hot&partitions=0&seconds=1"
                                       % REGION, "/_ddbd/clock"],
           "a 404 for a table: is it ddbd with no such table? no")
        err = fails(ctx, 5, "top", "hot", "--once", endpoint=fake.url)
        check(err.startswith("ddb: error: NotDdbdError: ddb top needs ddbd: "), "top: %r" % err)

        # AWS's endpoint, named or the default one: never contacted (a proxy would see it)
        fake.seen.clear()
        aws = "http://dynamodb.%s.amazonaws.com" % REGION
        proxy = {"http_proxy": fake.url, "https_proxy": fake.url, "no_proxy": ""}
        err = fails(ctx, 5, "metrics", endpoint=aws, env=proxy)
        check(err.startswith("ddb: error: NotDdbdError: ddb metrics needs ddbd: %s is DynamoDB "
                             "on AWS (not contacted)" % aws), "AWS: %r" % err)
        check("CloudWatch" in err, "CloudWatch hint: %r" % err)
        err = fails(ctx, 5, "top", "hot", "--once", endpoint=aws, env=proxy)
        check("https://" not in err and "is DynamoDB on AWS (not contacted)" in err,
              "top on AWS: %r" % err)
        err = fails(ctx, 5, "metrics", endpoint="unused", env=proxy, unset=("AWS_ENDPOINT_URL",))
        check("https://dynamodb.%s.amazonaws.com is DynamoDB on AWS" % REGION in err,
              "the default endpoint: %r" % err)
        eq(fake.seen, [], "AWS is never contacted")
    finally:
        fake.close()

    err = fails(ctx, 3, "metrics", endpoint="http://127.0.0.1:%d" % closed_port())
    check(err.startswith("ddb: error: EndpointConnectionError: "), "no connection: %r" % err)
    s = throttling(ctx, "hot")
    err = fails(ctx, 1, "metrics", "nope", server=s)
    eq(err, "ddb: error: ResourceNotFoundException: Requested resource not found: Table: nope "
            "not found (ddbd, region %s)\n" % REGION, "no such table")
    err = fails(ctx, 1, "top", "nope", "--once", server=s)
    check("Table: nope not found" in err, "top, no such table: %r" % err)


# -- make demo-hot-partition ------------------------------------------------------------------

def test_demo_hot_partition(ctx):
    build = os.path.dirname(ctx.binary)
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    runs = []
    for _ in range(2):
        t0 = time.monotonic()
        p = subprocess.run(["sh", DEMO, build], env=env, capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
        for marker in SANITIZER_MARKERS:
            check(marker not in p.stderr, "sanitizer report:\n%s" % p.stderr)
        eq(p.returncode, 0, "demo exit code (stderr %r)" % p.stderr)
        eq(p.stderr, "", "nothing on stderr")
        check(time.monotonic() - t0 < 60, "bounded time")
        runs.append(p.stdout)
    eq(runs[0], runs[1], "the same output on every run")
    out = runs[0]
    rows = {}
    for ln in out.splitlines():
        cells = [c.strip() for c in ln.split("|")]
        if len(cells) == 3:
            rows[cells[0]] = (cells[1], cells[2])
    eq(rows["throttled"], ("100", "0"), "the comparison: throttles")
    eq(rows["succeeded"], ("100", "200"), "the comparison: writes in")
    eq(rows["partitions touched"], ("1 of 40", "4 of 40"), "the comparison: partitions")
    check("Sharding cut the throttles from 100 to 0" in out, "verdict")
    check("\nddb top ws-att-demo  region ap-southeast-1  clock manual 2100-01-01 00:00:02 UTC\n"
          in out, "top's header at the fixed time: %r" % out)
    hot = [ln for ln in out.splitlines() if " R [" in ln and "  HOT" in ln]
    eq(len(hot), 1, "one hot partition: %r" % out)
    check(hot[0].endswith("100/100  HOT  THROTTLED x100  keys: USER#hot-compare (100 throttled)"),
          "the hot key's partition: %r" % hot[0])
    shards = [ln for ln in out.splitlines() if "keys: USER#hot-compare#S" in ln]
    check(3 <= len(shards) <= 4, "the shard keys' partitions: %r" % shards)
    check("1 hot, 1 throttled, %d active" % (1 + len(shards)) in out, "summary")
    check("\x1b" not in out, "no escapes")
