"""The web console (/_ddbd/console) in a real headless browser.

js/console_e2e.mjs drives Debian's chromium through playwright-core: the
console is loaded from ddbd, a table is browsed, an item is created and
edited in the console's editor (PutItem through the DynamoDB API, signed in
the browser) and read back with boto3; a hot-key burst on a server with the
manual clock and a 10 WCU partition ceiling must mark the hot partition as
throttled and show the sharded keys spread over other partitions; a
cross-tenant GetItem under --principals (the workshop's section 4 script,
verbatim) must appear in red with its reason for the tenant and for the
organizer. js/sigv4_vectors.mjs checks the console's signer against the AWS
SigV4 test suite.

playwright-core is installed from npm once, at a pinned version, into a cache
folder ($DDBD_CONSOLE_TEST_CACHE, else $XDG_CACHE_HOME or ~/.cache, under
ddbd-console-test/<version>); tests/run.sh installs chromium (as root) when it
is missing. Without node, npm or /usr/bin/chromium, or when the registry
cannot be reached, the browser tests skip with the reason.

Screenshots of every view are written to a fresh folder under $TMPDIR (its
path is printed); with DDBD_UPDATE_SCREENSHOTS=1 they also replace the
committed copies in fixtures/console-screenshots/ shown in the README.
"""
import atexit
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading

import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import boto3

import harness
from harness import check, eq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PLAYWRIGHT_VERSION = "1.64.1"
CHROMIUM = "/usr/bin/chromium"
DRIVER = os.path.join(HERE, "js", "console_e2e.mjs")
VECTORS = os.path.join(HERE, "js", "sigv4_vectors.mjs")
PRINCIPALS = os.path.join(ROOT, "policies", "principals.json")
COMMITTED_SHOTS = os.path.join(ROOT, "fixtures", "console-screenshots")
REGION = harness.REGION
TABLE = "ws-att-037"
HOT = "ws-att-hot"

SERVER_ARGS = ("--throttling", "off")

_state = {"driver": None, "skip": None, "failed": None, "shots": None}


# ---- the browser driver -----------------------------------------------------

def cache_prefix():
    base = os.environ.get("DDBD_CONSOLE_TEST_CACHE")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or
                            os.path.join(os.path.expanduser("~"), ".cache"), "ddbd-console-test")
    return os.path.join(base, PLAYWRIGHT_VERSION)


def playwright_prefix():
    """npm prefix holding playwright-core, installing it on first use."""
    final = cache_prefix()
    if os.path.isfile(os.path.join(final, "node_modules", "playwright-core", "package.json")):
        return final
    os.makedirs(os.path.dirname(final), exist_ok=True)
    tmp = "%s.tmp-%d" % (final, os.getpid())
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    pkg = "playwright-core@" + PLAYWRIGHT_VERSION
    try:
        p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save",
                            "--prefix", tmp, pkg], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1"))
    except subprocess.TimeoutExpired:
        shutil.rmtree(tmp, ignore_errors=True)
        raise harness.Skip("npm install of %s timed out (registry unreachable?)" % pkg)
    if p.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        lines = (p.stderr or p.stdout).strip().splitlines()
        why = [ln for ln in lines if " code " in ln or "ERR" in ln][:2] or lines[-1:]
        raise harness.Skip("npm install of %s failed (registry unreachable?): %s"
                           % (pkg, " / ".join(why)))
    try:
        os.rename(tmp, final)  # atomic; another run may have won the race
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


class Driver:
    """The node process of js/console_e2e.mjs: one JSON command per line."""

    def __init__(self, prefix, shots):
        self.proc = subprocess.Popen(["node", DRIVER, prefix], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     bufsize=1)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines),
                         daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()
        atexit.register(self.kill)
        tmp = os.environ.get("TMPDIR") or tempfile.gettempdir()
        self.info = self.send("launch", chromium=CHROMIUM, screenshots=shots, tmp=tmp,
                              timeout=40)

    @staticmethod
    def _read(stream, q):
        for line in stream:
            q.put(line)
        q.put(None)

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def send(self, cmd, timeout=30, **args):
        args["cmd"] = cmd
        self.proc.stdin.write(json.dumps(args) + "\n")
        self.proc.stdin.flush()
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise harness.TestFailure("console driver: %s did not answer in %ss" % (cmd, timeout))
        if line is None:
            raise harness.TestFailure("console driver exited:\n" + "".join(self.stderr[-40:]))
        out = json.loads(line)
        if not out.get("ok"):
            raise harness.TestFailure("console driver: %s failed: %s\nscreenshot: %s\npage: %s"
                                      % (cmd, out.get("error"), out.get("screenshot"),
                                         out.get("pageErrors")))
        return out

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("close", timeout=20)
                self.proc.stdin.close()
                self.proc.wait(timeout=20)
            except (harness.TestFailure, OSError, subprocess.TimeoutExpired):
                self.kill()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def driver():
    """The shared browser, started on first use; Skip when it cannot run."""
    if _state["skip"]:
        raise harness.Skip(_state["skip"])
    if _state["driver"] is not None:
        return _state["driver"]
    try:
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise harness.Skip("%s is not installed" % tool)
        if not os.access(CHROMIUM, os.X_OK):
            raise harness.Skip("%s is missing (tests/run.sh installs Debian's chromium as root)"
                               % CHROMIUM)
        prefix = playwright_prefix()
    except harness.Skip as e:
        _state["skip"] = str(e)
        raise
    if _state["failed"]:
        raise harness.TestFailure("the browser did not start: " + _state["failed"])
    shots = tempfile.mkdtemp(prefix="ddbd-console-screenshots-")
    print("console screenshots: %s" % shots)
    _state["shots"] = shots
    try:
        _state["driver"] = Driver(prefix, shots)
    except harness.TestFailure as e:
        _state["failed"] = str(e)
        raise
    return _state["driver"]


def screenshot(d, name):
    out = d.send("screenshot", name=name)
    if os.environ.get("DDBD_UPDATE_SCREENSHOTS") == "1":
        os.makedirs(COMMITTED_SHOTS, exist_ok=True)
        shutil.copy(out["file"], os.path.join(COMMITTED_SHOTS, name + ".png"))
    return out["file"]


def no_page_errors(d):
    # Chrome logs every answer >= 400 of fetch(); the DynamoDB errors the tests
    # provoke on purpose are shown in the page and asserted there
    errs = [e for e in d.send("errors")["errors"]
            if "Failed to load resource: the server responded with a status of 400" not in e]
    eq(errs, [], "browser console errors")


# ---- helpers ------------------------------------------------------------------

def client(server, key=harness.ACCESS_KEY, secret=harness.SECRET_KEY):
    return boto3.client(
        "dynamodb", region_name=REGION, endpoint_url=server.endpoint, aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def advance(ctx, server, seconds):
    st, _, body = ctx.raw("POST", "/_ddbd/clock", json.dumps({"Advance": seconds}),
                          {"Content-Type": "application/json"}, server=server)
    eq(st, 200, "POST /_ddbd/clock: %r" % body)


def console_url(server):
    return server.endpoint + "/_ddbd/console"


def signed_get(ctx, server, path, key, secret):
    """GET a console endpoint signed as 'key' (botocore's signer); (status, JSON)."""
    req = botocore.awsrequest.AWSRequest(method="GET", url=server.endpoint + path)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "dynamodb",
                            REGION).add_auth(req)
    st, _, body = ctx.raw("GET", path, b"", dict(req.headers.items()), server=server)
    return st, json.loads(body)


# ---- without a browser ----------------------------------------------------------

def test_assets_embedded_and_served(ctx):
    embed = os.path.join(ROOT, "emulator", "tools", "embed_console.py")
    p = subprocess.run([sys.executable, embed, "--check"], capture_output=True, text=True)
    eq(p.returncode, 0, "embed_console.py --check: %s" % p.stdout)
    for path, ctype in (("/_ddbd/console", "text/html; charset=utf-8"),
                        ("/_ddbd/console/", "text/html; charset=utf-8"),
                        ("/_ddbd/console/console.js", "text/javascript; charset=utf-8"),
                        ("/_ddbd/console/sigv4.js", "text/javascript; charset=utf-8"),
                        ("/_ddbd/console/console.css", "text/css; charset=utf-8"),
                        ("/_ddbd/console/favicon.svg", "image/svg+xml")):
        st, h, body = ctx.raw("GET", path)
        eq((st, h.get("content-type")), (200, ctype), "GET %s" % path)
        name = "index.html" if path.rstrip("/").endswith("console") else path.rsplit("/", 1)[1]
        with open(os.path.join(ROOT, "emulator", "console", name), "rb") as f:
            eq(body, f.read(), "%s is the file as committed" % path)
    st, _, body = ctx.raw("GET", "/_ddbd/console/nope.js")
    eq((st, json.loads(body)), (404, {"message": "no such console file"}), "unknown file")
    st, _, body = ctx.raw("POST", "/_ddbd/console/api/session", b"{}")
    eq(st, 405, "POST to a console endpoint")
    st, _, body = ctx.raw("GET", "/_ddbd/console/api/tables?region=us-east-1%0Ax")
    eq((st, json.loads(body)), (400, {"message": "region must be a region name, e.g. us-east-1"}),
       "a region that is not a region name")
    st, _, body = ctx.raw("GET", "/_ddbd/console/api/metrics?table=%FF%FE")
    eq((st, json.loads(body)), (400, {"message": "send ?region=R&table=T with a table name"}),
       "a table that is not a table name")
    st, _, body = ctx.raw("GET", "/_ddbd/console/api/nope")
    eq((st, json.loads(body)), (404, {"message": "unknown console endpoint"}), "unknown endpoint")
    st, _, body = ctx.raw("GET", "/_ddbd/console/api/session")
    s = json.loads(body)
    eq((st, s["Mode"], s["Caller"], s["AllDecisions"]),
       (200, "open", "arn:aws:iam::123456789012:root", True), "open-mode session")
    eq(s["PartitionCeiling"], {"Read": 3000, "Write": 1000}, "default partition ceilings")


def test_no_console_flag(ctx):
    s = ctx.new_server(args=("--no-console",), db=os.path.join(ctx.workdir, "off.sqlite3"))
    for path in ("/_ddbd/console", "/_ddbd/console/console.js", "/_ddbd/regions",
                 "/_ddbd/console/api/session"):
        st, _, body = ctx.raw("GET", path, server=s)
        eq((st, json.loads(body)), (404, {"message": "unknown ddbd endpoint"}), path)
    st, _, _ = ctx.raw("GET", "/_ddbd/clock", server=s)
    eq(st, 200, "the other /_ddbd/ endpoints stay")


def test_console_signer_matches_aws_suite(ctx):
    if shutil.which("node") is None:
        raise harness.Skip("node is not installed")
    p = subprocess.run(["node", VECTORS, ROOT], capture_output=True, text=True, timeout=60)
    eq(p.returncode, 0, "sigv4_vectors.mjs: %s" % p.stderr)
    r = json.loads(p.stdout)
    eq(r["failures"], [], "signatures differing from the AWS suite")
    check(r["compared"] >= 50, "too few cases compared (%d): %r" % (r["compared"], r["skipped"]))


# ---- the browser ----------------------------------------------------------------

def seed(c):
    c.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                              for n in ("PK", "SK", "GSI1PK", "GSI1SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "GSI1",
            "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"},
                          {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status"]}}])
    for i in range(1, 31):
        item = {"PK": {"S": "USER#u200"}, "SK": {"S": "ORDER#2025%04d#o%d" % (i, i)},
                "type": {"S": "ORDER"}, "total": {"N": str(i * 10)},
                "status": {"S": "PENDING" if i % 3 else "SHIPPED"}}
        if i % 3 == 0:
            item["GSI1PK"] = {"S": "STATUS#SHIPPED"}
            item["GSI1SK"] = {"S": "2025%04d" % i}
        c.put_item(TableName=TABLE, Item=item)
    c.put_item(TableName=TABLE, Item={
        "PK": {"S": "USER#u200"}, "SK": {"S": "PROFILE"}, "type": {"S": "USER"},
        "email": {"S": "u200@example.org"}, "tags": {"SS": ["a", "b"]},
        "prefs": {"M": {"dark": {"BOOL": True}}}})


def test_tables_view(ctx):
    d = driver()
    seed(client(ctx.server))
    r = d.send("open", url=console_url(ctx.server))
    eq((r["ready"], r["title"]), ("1", "ddbd console"), "console loaded")
    check("open mode" in r["caller"], "caller pill: %r" % r["caller"])
    t = d.send("tables", atLeast=1)
    eq([x["name"] for x in t["tables"]], [TABLE], "tables shown")
    f = t["tables"][0]["facts"]
    eq((f["Partition key"], f["Sort key"], f["Billing"], f["Items"]),
       ("PK (S)", "SK (S)", "on demand (PAY_PER_REQUEST)", "31"), "table facts")
    eq(t["tables"][0]["indexes"][0][:7],
       ["GSI1", "GSI", "GSI1PK (S)", "GSI1SK (S)", "INCLUDE status", "ACTIVE", "10"],
       "the GSI with its projection")
    screenshot(d, "tables")
    no_page_errors(d)


def test_item_browser_query_and_paging(ctx):
    d = driver()
    r = d.send("query", table=TABLE, pk="USER#u200", skOp="begins_with", sk="ORDER#", limit=25)
    eq((r["count"], r["error"], r["next"]), ("25", "", True), "first page")
    eq(r["columns"][:2], ["PK", "SK"], "key columns first")
    eq(r["rows"][0]["cells"][:2], ["SUSER#u200", "SORDER#20250001#o1"], "typed cells")
    check("25 items, 25 scanned" in r["status"], "status: %r" % r["status"])
    screenshot(d, "items")
    r = d.send("nextPage")
    eq((r["count"], r["next"]), ("5", False), "second page")
    r = d.send("query", table=TABLE, index="GSI1", pk="STATUS#SHIPPED")
    eq(r["count"], "10", "query on the GSI")
    r = d.send("query", table=TABLE, pk="USER#u200", skOp="=", sk="PROFILE")
    eq(r["count"], "1", "one item")
    cells = r["rows"][0]["cells"]
    check('SS["a","b"]' in cells and 'M{"dark":{"BOOL":true}}' in cells,
          "sets and maps shown with their types: %r" % cells)


def test_create_edit_delete_item_read_back_with_boto3(ctx):
    d = driver()
    c = client(ctx.server)
    d.send("query", table=TABLE, pk="USER#u300")
    item = {"PK": {"S": "USER#u300"}, "SK": {"S": "PROFILE"}, "email": {"S": "u300@example.org"},
            "visits": {"N": "1"}}
    r = d.send("create", item=item)
    eq(r, {"ok": True, "state": "saved", "error": ""}, "create")
    got = c.get_item(TableName=TABLE, Key={"PK": {"S": "USER#u300"}, "SK": {"S": "PROFILE"}})
    eq(got["Item"], item, "created item read back with boto3")

    # creating it again: DynamoDB's own error, shown in the editor
    r = d.send("create", item=item)
    eq(r["state"], "error", "second create refused")
    eq(r["error"], "ConditionalCheckFailedException: The conditional request failed",
       "the error is DynamoDB's")
    d.send("closeEditor")

    r = d.send("query", table=TABLE, pk="USER#u300")
    eq(r["count"], "1", "the new item is listed")
    key = {"PK": {"S": "USER#u300"}, "SK": {"S": "PROFILE"}}
    r = d.send("edit", key=key, set={"visits": {"N": "2.50"}, "plan": {"S": "pro"},
                                     "langs": {"L": [{"S": "en"}, {"N": "7"}]}},
               remove=["email"])
    eq(r["state"], "saved", "edit saved: %r" % r)
    got = c.get_item(TableName=TABLE, Key=key)["Item"]
    eq(got, {"PK": {"S": "USER#u300"}, "SK": {"S": "PROFILE"}, "visits": {"N": "2.5"},
             "plan": {"S": "pro"}, "langs": {"L": [{"S": "en"}, {"N": "7"}]}},
       "edited item read back with boto3")

    # an invalid edit: DynamoDB's validation message
    d.send("query", table=TABLE, pk="USER#u300")
    r = d.send("edit", key=key, set={"visits": {"N": "not-a-number"}})
    eq(r["state"], "error", "invalid number refused")
    check(r["error"].startswith("ValidationException: "), "validation error: %r" % r["error"])
    screenshot(d, "item-editor")
    d.send("closeEditor")

    r = d.send("delete", key=key)
    eq((r["armed"], r["state"], r["error"]), ("Confirm delete", "deleted", ""), "delete")
    eq(c.get_item(TableName=TABLE, Key=key).get("Item"), None, "deleted item gone for boto3")
    no_page_errors(d)


def test_hot_partition_is_marked(ctx):
    d = driver()
    s = ctx.new_server(args=("--throttling", "on", "--clock", "manual", "--partition-wcu", "10"),
                       db=os.path.join(ctx.workdir, "heat.sqlite3"))
    c = client(s)
    c.create_table(TableName=HOT, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                         {"AttributeName": "SK", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                              {"AttributeName": "SK", "KeyType": "RANGE"}])
    # section 3's hot key: every write on one partition key in one second
    ok = throttled = 0
    for n in range(30):
        try:
            c.put_item(TableName=HOT, Item={"PK": {"S": "USER#hotuser"},
                                            "SK": {"S": "EVENT#%010d" % n}, "n": {"N": str(n)}})
            ok += 1
        except c.exceptions.ClientError as e:
            check(e.response["Error"]["Code"] == "ThrottlingException", "error: %r" % e.response)
            throttled += 1
    eq((ok, throttled), (10, 20), "10 WCU per partition per second, then throttled")
    # the fix: write sharding over S0..S3, 8 writes per shard in the next second
    advance(ctx, s, 1)
    for n in range(32):
        c.put_item(TableName=HOT, Item={"PK": {"S": "USER#hotuser#S%d" % (n % 4)},
                                        "SK": {"S": "EVENT#%010d" % n}})
    d.send("open", url=console_url(s))
    d.send("region", region=REGION)
    h = d.send("heat", table=HOT, key="USER#hotuser", throttled=True)
    eq(h["partitions"], 256, "on demand with a 10 WCU ceiling: 256 partitions drawn")
    hot_rows = {r["key"]: r for k in h["keys"] for r in k["rows"]}
    hot_pos = int(hot_rows["USER#hotuser"]["partition"])
    shard_pos = {int(hot_rows["USER#hotuser#S%d" % i]["partition"]) for i in range(4)}
    lit = {x["position"]: x for x in h["lit"]}
    eq((lit[hot_pos]["util"], lit[hot_pos]["throttled"], lit[hot_pos]["throttles"]),
       (100, True, 20), "the hot key's partition: at its ceiling and marked throttled")
    check(hot_pos not in shard_pos and len(shard_pos) == 4,
          "the shards land on four other partitions: %r / %r" % (hot_pos, shard_pos))
    for p in shard_pos:
        eq((lit[p]["util"], lit[p]["throttled"]), (80, False), "shard partition %d" % p)
    eq(sorted(lit), sorted(shard_pos | {hot_pos}), "only those partitions are lit")
    eq(h["keys"][1]["rows"][0]["key"], "USER#hotuser", "the most throttled key")
    check("1 throttled partition" in h["status"], "status: %r" % h["status"])
    screenshot(d, "partition-heat")
    m = d.send("metrics", table=HOT)
    charts = {x["title"]: x for x in m["charts"]}
    eq(charts["Consumed write capacity units"]["max"], 32, "WCU per second peak (the shards)")
    eq(charts["Throttle events"]["max"], 20, "write throttle events in the hot second")
    check(charts["Throttle events"]["bars"] >= 1, "throttle bars drawn")
    screenshot(d, "metrics")
    no_page_errors(d)


def test_section3_script_spreads_the_load(ctx):
    """The workshop's section 3 script, verbatim, on a real clock with a 50 WCU
    partition ceiling (80 partitions on demand): its four shards light four
    partitions, none throttled."""
    d = driver()
    s = ctx.new_server(args=("--throttling", "on", "--partition-wcu", "50"),
                       db=os.path.join(ctx.workdir, "s3.sqlite3"))
    client(s).create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}])
    env = ctx.env(s)
    env["TABLE"] = TABLE
    p = subprocess.run([sys.executable, "examples/section3_sharding.py"],
                       cwd=os.path.join(ROOT, "tests", "workshop"), env=env, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0 and "Fetched" in p.stdout,
          "section 3 script: %s %s" % (p.stdout, p.stderr))
    st, _, body = ctx.raw("GET", "/_ddbd/metrics?region=%s&table=%s" % (REGION, TABLE), server=s)
    used = json.loads(body)["Tables"][0]["Totals"]["ConsumedWriteCapacityUnits"]
    check(used > 0, "the script's BatchWriteItem calls consumed write capacity")
    d.send("open", url=console_url(s))
    d.send("region", region=REGION)
    h = d.send("heat", table=TABLE, key="USER#hotuser#S3", window=60)
    rows = {r["key"]: r for r in h["keys"][0]["rows"]}
    eq(sorted(rows), ["USER#hotuser#S%d" % i for i in range(4)],
       "the four shards are the hot keys")
    shards = sorted(int(r["partition"]) for r in rows.values())
    eq(sorted(x["position"] for x in h["lit"]), shards, "one lit partition per shard")
    check(not any(x["throttled"] for x in h["lit"]), "nothing throttled: %r" % h["lit"])
    eq(h["keys"][1]["rows"], [], "no throttled keys")
    screenshot(d, "partition-heat-section3")


def test_cross_tenant_denial_shown_with_reason(ctx):
    d = driver()
    s = ctx.new_server(args=("--principals", PRINCIPALS),
                       db=os.path.join(ctx.workdir, "abac.sqlite3"))
    org = client(s, "AKIAWORKSHOPORGANIZER", "organizer-secret-change-me")
    org.create_table(
        TableName="WorkshopShared", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}])
    for name in ("ws-att-000", "ws-att-001"):
        org.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}])
    tenant = client(s, "AKIAWORKSHOPT000", "tenant-000-secret")
    tenant.put_item(TableName="WorkshopShared",
                    Item={"PK": {"S": "TENANT#t-000#USER#u1"}, "SK": {"S": "PROFILE#u1"}})

    # the JSON endpoints want a signature of a known principal
    st, _, body = ctx.raw("GET", "/_ddbd/console/api/session", server=s)
    eq((st, json.loads(body)["__type"].split("#")[-1]),
       (400, "MissingAuthenticationTokenException"), "unsigned console request")

    # signed, the endpoints show what the principal may see
    t0 = ("AKIAWORKSHOPT000", "tenant-000-secret")
    st, body = signed_get(ctx, s, "/_ddbd/console/api/metrics?region=%s&table=ws-att-001"
                          % REGION, *t0)
    eq(st, 403, "metrics of a table the tenant may not describe: %r" % body)
    st, body = signed_get(ctx, s, "/_ddbd/console/api/metrics?region=%s&table=WorkshopShared"
                          % REGION, *t0)
    eq((st, body["Tables"][0]["TableName"]), (200, "WorkshopShared"),
       "metrics of the shared table")
    st, body = signed_get(ctx, s, "/_ddbd/regions", *t0)
    eq(body, {"Regions": [{"Region": REGION, "Tables": 2}]}, "regions: the tables it may describe")

    # section 4.5, verbatim, as tenant t-000
    env = ctx.env(s)
    env.update({"AWS_ACCESS_KEY_ID": t0[0], "AWS_SECRET_ACCESS_KEY": t0[1],
                "SHARED_TABLE": "WorkshopShared", "OTHER_TENANT_ID": "t-999"})
    p = subprocess.run([sys.executable, "examples/section4_cross_tenant_attempt.py"],
                       cwd=os.path.join(ROOT, "tests", "workshop"), env=env, capture_output=True,
                       text=True, timeout=60)
    check("Security working correctly" in p.stdout,
          "section 4 script: %s %s" % (p.stdout, p.stderr))

    r = d.send("open", url=console_url(s))
    eq(r["ready"], "signin", "enforcing ddbd: the console asks for a principal")
    r = d.send("signin", key="AKIAWORKSHOPT000", secret="wrong")
    check("InvalidSignatureException" in r["error"], "wrong secret: %r" % r)
    r = d.send("signin", key="AKIAWORKSHOPT000", secret="tenant-000-secret")
    eq((r["ready"], r["caller"]), ("1", "user/workshop_000"), "signed in as the tenant")
    d.send("region", region=REGION)
    t = d.send("tables", atLeast=2)
    eq(sorted(x["name"] for x in t["tables"]), ["WorkshopShared", "ws-att-000"],
       "only the tables the tenant may describe")
    want = {"principal": "user/workshop_000", "action": "dynamodb:GetItem",
            "resource": "table/WorkshopShared", "decision": "ImplicitDeny"}
    r = d.send("decisions", match=want)
    row = [x for x in r["rows"]
           if x["decision"] == "ImplicitDeny" and x["action"] == "dynamodb:GetItem"][0]
    eq((row["shown"], row["why"], row["cls"]),
       ("Implicit deny", "no identity-based policy allows", "deny"), "the denial and its reason")
    eq(row["color"], "rgb(198, 40, 40)", "shown in red")
    allowed = [x for x in r["rows"] if x["action"] == "dynamodb:PutItem"]
    eq(allowed and allowed[0]["why"],
       "allowed by tenant-abac.json Statement[0] “TenantItemsInSharedTable”",
       "the allowing statement")
    eq({x["principal"] for x in r["rows"]}, {"arn:aws:iam::123456789012:user/workshop_000"},
       "a tenant sees its own decisions only")
    check("your own requests only" in r["status"], "status: %r" % r["status"])
    eq(sorted(x["action"] for x in r["rows"]), ["dynamodb:GetItem", "dynamodb:PutItem"],
       "the console's own DescribeTable checks are hidden")
    check("console checks hidden" in r["status"], "status: %r" % r["status"])
    screenshot(d, "access-tenant")

    d.send("signout")
    r = d.send("signin", key="AKIAWORKSHOPORGANIZER", secret="organizer-secret-change-me")
    eq(r["caller"], "user/organizer", "signed in as the organizer")
    r = d.send("decisions", match=want)
    who = {x["principal"].rsplit("/", 1)[1] for x in r["rows"]}
    check({"organizer", "workshop_000"} <= who, "the organizer sees everyone: %r" % who)
    screenshot(d, "access")
    t = d.send("tables", atLeast=3)
    eq(sorted(x["name"] for x in t["tables"]), ["WorkshopShared", "ws-att-000", "ws-att-001"],
       "the organizer sees every table")
    no_page_errors(d)


def test_zz_close_browser(ctx):
    d = _state["driver"]
    if d is None:
        raise harness.Skip(_state["skip"] or "the browser was not started")
    d.close()
    print("console screenshots: %s" % _state["shots"])
