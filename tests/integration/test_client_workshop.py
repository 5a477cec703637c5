"""`ddb workshop STEP` (build/ddb, next to the ddbd under test) against live
ddbd servers: every step of the workshop guide in open mode and with
--principals policies/principals.json (the organizer's setup-shared, a
tenant's run, the cross-tenant read denied with exit 0 and allowed in open
mode with exit 6), the output each step prints compared with the guide's own
Python scripts run unchanged against the same tables, `section3 --compare`
on a throttling server with the manual clock (fewer throttles when sharded,
the same numbers on every run), on an endpoint that is not ddbd and on the
public AWS endpoint name (reached through a local proxy, never the
network), doctor, --output table, profile-file credentials and the exit
codes (usage 2, connection 3, throttled 4, configuration 5, check failed 6).
"""
import ast
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading

from harness import ACCESS_KEY, REGION, SECRET_KEY, TestFailure, check, eq

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
PRINCIPALS = os.path.join(REPO, "policies", "principals.json")
WORKSHOP = os.path.join(REPO, "tests", "workshop")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
              "all_proxy", "no_proxy", "NO_PROXY")
WORKSHOP_VARS = ("ATTENDEE_ID", "TABLE", "TENANT_ID", "SHARED_TABLE", "OTHER_TENANT_ID",
                 "GSI_TENANT_STATUS", "GSI_GLOBAL_STATUS")
ATTENDEE_STEPS = ["create-table", "section1", "section2-seed", "section2-gsi", "section3",
                  "section4-seed", "section4-scoped", "section4-cross-tenant",
                  "section4-sharding", "section4-global", "delete-table"]
ALL_STEPS = ATTENDEE_STEPS + ["run", "setup-shared", "doctor"]

ORGANIZER = {"AWS_ACCESS_KEY_ID": "AKIAWORKSHOPORGANIZER",
             "AWS_SECRET_ACCESS_KEY": "organizer-secret-change-me"}


def tenant(n, **extra):
    """The environment of attendee workshop_00n (keys from policies/principals.json)."""
    e = {"AWS_ACCESS_KEY_ID": "AKIAWORKSHOPT%03d" % n,
         "AWS_SECRET_ACCESS_KEY": "tenant-%03d-secret" % n,
         "ATTENDEE_ID": "%03d" % n, "TENANT_ID": "t-%03d" % n}
    e.update(extra)
    return e


# -- running ddb ------------------------------------------------------------------------

def ddb_path(ctx):
    path = os.path.join(os.path.dirname(ctx.binary), "ddb")
    check(os.access(path, os.X_OK), "no ddb binary at %s (make builds it)" % path)
    return path


def base_env(ctx, server=None):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("AWS_") and not k.startswith("DDB_") and k not in PROXY_VARS
         and k not in WORKSHOP_VARS}
    e.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": (server or ctx.server).endpoint,
        "AWS_CONFIG_FILE": os.path.join(ctx.workdir, "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(ctx.workdir, "no-credentials"),
        "HOME": os.path.join(ctx.workdir, "no-home"),
        "DDB_RETRY_BASE_MS": "5",
    })
    return e


def ws(ctx, *args, env=None, server=None, unset=(), timeout=180):
    """Run `ddb workshop ARGS`; returns (exit code, stdout, stderr)."""
    e = base_env(ctx, server)
    e.update(env or {})
    for k in unset:
        e.pop(k, None)
    p = subprocess.run([ddb_path(ctx), "workshop"] + [str(a) for a in args], env=e,
                       capture_output=True, text=True, timeout=timeout)
    for marker in SANITIZER_MARKERS:
        check(marker not in p.stderr, "ddb workshop %s: sanitizer report:\n%s" % (args, p.stderr))
    return p.returncode, p.stdout, p.stderr


def ws_ok(ctx, *args, **kw):
    rc, out, err = ws(ctx, *args, **kw)
    if rc != 0:
        raise TestFailure("ddb workshop %s exited %d:\n%s\n%s" % (" ".join(map(str, args)), rc,
                                                                  out, err))
    return out


def ws_rc(ctx, code, *args, **kw):
    rc, out, err = ws(ctx, *args, **kw)
    eq(rc, code, "exit code of ddb workshop %s (stdout %r, stderr %r)"
       % (" ".join(map(str, args)), out[-2000:], err[-2000:]))
    return out, err


def after(prefix, line):
    """The JSON after 'prefix' on an output line."""
    check(line.startswith(prefix), "line %r starts with %r" % (line, prefix))
    return json.loads(line[len(prefix):])


def by_sk(items):
    return sorted(items, key=lambda i: (i["PK"], i["SK"]))


def script(ctx, path, env, server=None):
    """Run one of the guide's scripts unchanged (tests/workshop/); returns stdout."""
    e = ctx.env(server)
    e.update(env)
    argv = ["bash", path] if path.endswith(".sh") else [sys.executable, path]
    p = subprocess.run(argv, cwd=WORKSHOP, env=e, capture_output=True, text=True, timeout=180)
    check(p.returncode == 0, "%s failed (%d):\n%s\n%s" % (path, p.returncode, p.stdout, p.stderr))
    return p.stdout


def python_items(text):
    """Items printed by a guide script (a Python list of dicts)."""
    return ast.literal_eval(text.strip())


def summary(out):
    """Step -> result from the summary table of `run`."""
    rows = {}
    for line in out.split("\nSummary:\n", 1)[1].splitlines()[2:]:
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            rows[cells[0]] = cells[1]
    return rows


def principals_server(ctx, *extra):
    return ctx.new_server(args=["--principals", PRINCIPALS] + list(extra),
                          db=os.path.join(ctx.workdir, "ws-principals-%s.sqlite3" % ctx.unique()))


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# -- help and usage ----------------------------------------------------------------------

def test_help_lists_every_step(ctx):
    rc, out, err = ws(ctx, "--help")
    eq(rc, 0, "ddb workshop --help")
    check(out.startswith("Usage: ddb workshop [OPTIONS] STEP"), "usage line: %r" % out[:80])
    for step in ALL_STEPS:
        check(re.search(r"\n  %s\s" % re.escape(step), out), "help lists %s" % step)
    for opt in ("--compare", "--writes N", "--shards N", "--keep-table", "--tenants LIST"):
        check(opt in out, "help shows %s" % opt)
    check("Exit codes:" in out and "6 the outcome contradicts" in out, "exit codes in help")
    top = subprocess.run([ddb_path(ctx), "--help"], capture_output=True, text=True).stdout
    check("\n  workshop " in top and "6 a workshop check failed" in top, "ddb --help: %r" % top)


def test_usage_errors_exit_2(ctx):
    cases = [
        ([], "usage: ddb workshop [OPTIONS] STEP"),
        (["nope"], "unknown workshop step 'nope' (one of: create-table, section1,"),
        (["section1", "extra"], "usage: ddb workshop"),
        (["section1", "--compare"], "--compare belongs to 'ddb workshop section3', not section1"),
        (["run", "--tenants", "t-1"], "--tenants belongs to 'ddb workshop setup-shared'"),
        (["section3", "--writes", "10"], "--writes and --shards go with section3 --compare"),
        (["section3", "--compare", "--writes", "0"], "--writes must be an integer from 1 to"),
        (["section3", "--compare", "--shards", "1"], "--shards must be an integer from 2 to 64"),
        (["section3", "--compare", "--shards", "x"], "--shards must be an integer from 2 to 64"),
        (["setup-shared", "--tenants", "t-1,,t-2"], "--tenants must be 1 to 32"),
        (["setup-shared", "--tenants", "TENANT#x"], "--tenants must be 1 to 32"),
        (["doctor", "--frob"], "unknown option '--frob'"),
    ]
    for args, text in cases:
        out, err = ws_rc(ctx, 2, *args)
        check(err.startswith("ddb: error: UsageError: "), "error line for %s: %r" % (args, err))
        check(text in err, "message for %s:\n   got: %r\n  want: %r" % (args, err, text))
        eq(out, "", "no output for %s" % args)


def test_missing_variables_exit_5(ctx):
    for step in ("create-table", "delete-table"):
        out, err = ws_rc(ctx, 5, step)
        eq(err, "ddb: error: WorkshopConfigError: ATTENDEE_ID is not set: export "
                "ATTENDEE_ID=037 (the number at the end of your IAM user name)\n",
           "%s without ATTENDEE_ID" % step)
    for step in ("section1", "section2-seed", "section2-gsi", "section3"):
        out, err = ws_rc(ctx, 5, step)
        check(err.startswith("ddb: error: WorkshopConfigError: TABLE is not set: export "
                             "TABLE=ws-att-<ATTENDEE_ID>"), "%s without TABLE: %r" % (step, err))
    out, err = ws_rc(ctx, 5, "section3", "--compare")
    check("TABLE is not set" in err, "compare without TABLE: %r" % err)
    # credentials are configuration too
    out, err = ws_rc(ctx, 5, "section1", env={"TABLE": "x"}, unset=("AWS_SECRET_ACCESS_KEY",))
    check(err.startswith("ddb: error: PartialCredentialsError"), "partial credentials: %r" % err)
    # TABLE falls back to ws-att-$ATTENDEE_ID: the table is missing, a service error
    out, err = ws_rc(ctx, 1, "section2-gsi", env={"ATTENDEE_ID": "nosuch"})
    check(err.startswith("ddb: error: ResourceNotFoundException: ") and "ws-att-nosuch" in err,
          "missing personal table: %r" % err)


# -- the attendee's steps in open mode ----------------------------------------------------------

def test_personal_table_steps_match_the_guide(ctx):
    aid = ctx.unique("a").replace("-", "")
    table = "ws-att-" + aid
    env = {"ATTENDEE_ID": aid}
    out = ws_ok(ctx, "create-table", env=env)
    eq(out, "Creating table %s in %s...\nDone. TABLE=%s\n" % (table, REGION, table),
       "create-table output")
    c = ctx.client()
    t = c.describe_table(TableName=table)["Table"]
    eq(t["TableStatus"], "ACTIVE", "status")
    eq(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST", "billing")
    eq([k["AttributeName"] for k in t["KeySchema"]], ["PK", "SK"], "key schema")
    eq(c.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"],
       [{"Key": "Owner", "Value": aid}], "Owner tag")
    # a second create-table keeps the table
    out = ws_ok(ctx, "create-table", env=env)
    check("Table %s already exists; keeping it.\n" % table in out, "rerun: %r" % out)

    lines = ws_ok(ctx, "section1", env=env).splitlines()
    eq(len(lines), 2, "section1 prints two lines")
    got = after("Query (profile + orders): ", lines[0])
    eq([i["SK"] for i in got], ["ORDER#20250927#o1", "ORDER#20250928#o2", "PROFILE#u123"],
       "one Query returns the item collection")
    eq(got[2], {"PK": "USER#u123", "SK": "PROFILE#u123", "type": "USER", "name": "Ada"},
       "profile")
    eq(len(after("Scan sample: ", lines[1])), 3, "scan sample")
    # the guide's script prints the same items
    py = script(ctx, "examples/section1_fundamentals.py", {"TABLE": table}).splitlines()
    eq(python_items(py[0][len("Query (profile + orders): "):]), got, "section1 vs the guide")

    out = ws_ok(ctx, "section2-seed", env=env)
    eq(out, "Seeded single-table items for user u200 in %s\n" % table, "section2-seed")
    eq(out, script(ctx, "examples/section2_single_table_seed.py", {"TABLE": table}),
       "section2-seed prints what the guide's script prints")

    out = ws_ok(ctx, "section2-gsi", env=env).splitlines()
    eq(out[0], "Creating index GSI1_Status on %s (on AWS this takes a few minutes)..." % table,
       "index creation line")
    eq(out[1], "PENDING orders across all users in personal table:", "section2-gsi label")
    pending = json.loads(out[2])
    eq(pending, [{"PK": "USER#u200", "SK": "ORDER#20250926#o101", "type": "ORDER",
                  "status": "PENDING", "GSI1PK": "STATUS#PENDING", "GSI1SK": "20250926#o101"}],
       "sparse index holds the one PENDING order with GSI keys")
    gsis = c.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    eq([(g["IndexName"], g["IndexStatus"]) for g in gsis], [("GSI1_Status", "ACTIVE")], "GSI")
    py = script(ctx, "examples/section2_gsi_sparse.py", {"TABLE": table}).splitlines()
    eq(python_items(py[1]), pending, "section2-gsi vs the guide")
    out = ws_ok(ctx, "section2-gsi", env=env)
    check("Creating index" not in out, "an existing index is kept: %r" % out)

    out = ws_ok(ctx, "section3", env=env).splitlines()
    eq(len(out), 1, "section3 prints one line")
    m = re.match(r"Fetched (\d+) events across shards; first 5: (.*)$", out[0])
    check(m, "section3 line: %r" % out[0])
    eq(int(m.group(1)), 120, "120 events fetched over 4 shards")
    first = json.loads(m.group(2))
    eq([i["SK"] for i in first], ["EVENT#%010d#%06d" % (n, n) for n in (119, 118, 117, 116, 115)],
       "newest first")
    for item in first:
        eq(item["PK"], "USER#hotuser#" + item["payload"]["shard"], "shard key and payload")
        eq(item["type"], "EVENT", "type")

    out = ws_ok(ctx, "delete-table", env=env)
    eq(out, "Deleting %s...\nDeleted.\n" % table, "delete-table output")
    check(table not in c.list_tables()["TableNames"], "table deleted")
    out, err = ws_rc(ctx, 1, "delete-table", env=env)
    check(err.startswith("ddb: error: ResourceNotFoundException: "), "delete again: %r" % err)


def test_setup_shared_and_section4_open_mode(ctx):
    shared = ctx.unique("Shared")
    env = {"SHARED_TABLE": shared, "TENANT_ID": "t-037"}
    out = ws_ok(ctx, "setup-shared", env=env)
    lines = out.splitlines()
    eq(lines[0], "Creating table %s in %s with GSI1 and GSI2_StatusGlobal..." % (shared, REGION),
       "setup-shared first line")
    eq(lines[1], "Seeded 3 other tenants (t-000,t-042,t-999): 9 items with GSI1 and "
                 "GSI2_StatusGlobal keys.", "seed line")
    eq(lines[2], "Done. SHARED_TABLE=%s" % shared, "done line")
    check("policies/principals.json" in lines[3], "hand-out hint: %r" % lines[3])
    t = ctx.client().describe_table(TableName=shared)["Table"]
    eq(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST", "on demand")
    eq(sorted(a["AttributeName"] for a in t["AttributeDefinitions"]),
       ["GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK"], "attribute definitions")
    for g in t["GlobalSecondaryIndexes"]:
        p = "GSI1" if g["IndexName"] == "GSI1" else "GSI2"
        eq(g["KeySchema"], [{"AttributeName": p + "PK", "KeyType": "HASH"},
                            {"AttributeName": p + "SK", "KeyType": "RANGE"}], "keys of " + p)
        eq(g["Projection"], {"ProjectionType": "ALL"}, "projection of " + p)
    eq(sorted(g["IndexName"] for g in t["GlobalSecondaryIndexes"]),
       ["GSI1", "GSI2_StatusGlobal"], "both GSIs")
    eq(t["ItemCount"], 9, "seeded items")
    # idempotent
    out = ws_ok(ctx, "setup-shared", env=env)
    check("Table %s already exists; checking its indexes." % shared in out, "rerun: %r" % out)

    out = ws_ok(ctx, "section4-seed", env=env).splitlines()
    eq(out[0], "Seeded namespace for t-037 in %s" % shared, "seed line")
    items = json.loads(out[1])
    eq([i["SK"] for i in items], ["ORDER#20250928#o1", "ORDER#20250929#o2", "PROFILE#u1"],
       "user + orders in one query")
    py = script(ctx, "examples/section4_intro_seed.py", env).splitlines()
    eq(py[0], out[0], "seed line vs the guide")
    eq(python_items(py[1]), items, "seeded items vs the guide")

    out = ws_ok(ctx, "section4-scoped", env=env).splitlines()
    got = after("Pending orders for t-037 -> ", out[0])
    eq([(i["GSI1PK"], i["GSI1SK"]) for i in got], [("TENANT#t-037#STATUS#PENDING", "20250928#o1")],
       "tenant-scoped pending orders")
    py = script(ctx, "examples/section4_gsi_status_scoped.py", env)
    eq(python_items(py[len("Pending orders for t-037 -> "):]), got, "scoped vs the guide")

    out = ws_ok(ctx, "section4-global", env=env).splitlines()
    eq(out[0], "Global pending orders across all tenants:", "global label")
    eq(sorted(i["GSI2SK"] for i in json.loads(out[1])),
       ["t-000#20250927#o900", "t-042#20250927#o901", "t-999#20250927#o902"],
       "admin view shows the seeded tenants")

    out = ws_ok(ctx, "section4-sharding", env=env).splitlines()
    eq(out[:2], ["Writing 120 events across 4 shards...", "Reading from all shards..."], "lines")
    counts = [int(re.match(r"  Shard S%d: (\d+) items$" % s, out[2 + s]).group(1))
              for s in range(4)]
    eq(sum(counts), 120, "every event read back")
    eq(out[6], "Total sharded events for t-037: 120", "total line")


def test_cross_tenant_allowed_in_open_mode_exits_6(ctx):
    shared = ctx.unique("Shared")
    ws_ok(ctx, "setup-shared", "--tenants", "t-000", env={"SHARED_TABLE": shared})
    env = {"SHARED_TABLE": shared, "OTHER_TENANT_ID": "t-000"}
    out, err = ws_rc(ctx, 6, "section4-cross-tenant", env=env)
    lines = out.splitlines()
    item = after("\U0001F6A8 SECURITY ISSUE - Unexpectedly succeeded: ", lines[0])
    eq(item["PK"], "TENANT#t-000#USER#u1", "the other tenant's profile")
    eq(lines[1], "This means tenant isolation is NOT working!", "second line")
    check("WARNING: tenant isolation is NOT enforced" in err, "loud warning: %r" % err)
    check(err.rstrip().endswith("ddb: error: TenantIsolationNotEnforced: GetItem of "
                                "TENANT#t-000#USER#u1 in %s succeeded" % shared), "error: %r" % err)
    # the guide's script tells the same story
    py = script(ctx, "examples/section4_cross_tenant_attempt.py", env)
    check(py.startswith("\U0001F6A8 SECURITY ISSUE - Unexpectedly succeeded:"), "guide: %r" % py)
    # a missing item is still an allowed read
    out, err = ws_rc(ctx, 6, "section4-cross-tenant", env=dict(env, OTHER_TENANT_ID="t-404"))
    eq(out.splitlines()[0], "\U0001F6A8 SECURITY ISSUE - Unexpectedly succeeded: null", "None")
    # a missing shared table is an error, not a pass
    out, err = ws_rc(ctx, 1, "section4-cross-tenant", env={"SHARED_TABLE": "NoSuchShared"})
    check(err.startswith("ddb: error: ResourceNotFoundException"), "missing table: %r" % err)


def test_run_in_open_mode(ctx):
    shared = ctx.unique("Shared")
    ws_ok(ctx, "setup-shared", env={"SHARED_TABLE": shared})
    aid = ctx.unique("r").replace("-", "")
    env = {"ATTENDEE_ID": aid, "SHARED_TABLE": shared, "TENANT_ID": "t-100"}
    out, err = ws_rc(ctx, 6, "run", env=env)
    for step in ATTENDEE_STEPS:
        check("==> %s\n" % step in out, "run shows %s" % step)
    rows = summary(out)
    eq(list(rows), ATTENDEE_STEPS, "summary rows in the guide's order")
    for step in ATTENDEE_STEPS:
        eq(rows[step], "FAIL" if step == "section4-cross-tenant" else "pass", "result of " + step)
    check("10 passed, 1 failed, 0 skipped\n" in out, "counts: %r" % out[-300:])
    check("ddb: error: WorkshopRunFailed: 1 of 11 steps failed" in err, "error: %r" % err)
    check(("ws-att-" + aid) not in ctx.client().list_tables()["TableNames"], "run cleaned up")
    # --keep-table keeps the personal table
    out, err = ws_rc(ctx, 6, "run", "--keep-table", env=env)
    eq(summary(out)["delete-table"], "skip", "delete-table skipped")
    check(("ws-att-" + aid) in ctx.client().list_tables()["TableNames"], "table kept")
    ws_ok(ctx, "delete-table", env=env)


def test_output_table(ctx):
    aid = ctx.unique("o").replace("-", "")
    env = {"ATTENDEE_ID": aid}
    ws_ok(ctx, "create-table", env=env)
    out = ws_ok(ctx, "section1", "--output", "table", env=env).splitlines()
    eq(out[0], "Query (profile + orders):", "label on its own line")
    eq([c.strip() for c in out[1].split("|")], ["PK", "SK", "type", "status", "name"], "header")
    check(set(out[2]) <= set("-+"), "rule: %r" % out[2])
    eq([c.strip() for c in out[5].split("|")], ["USER#u123", "PROFILE#u123", "USER", "", "Ada"],
       "profile row")
    eq(out[6], "Scan sample:", "second label")
    out, err = ws_rc(ctx, 6, "doctor", "--output", "table", env=env)
    out = out.splitlines()
    eq([c.strip() for c in out[0].split("|")], ["Check", "Result", "Detail", "Fix"], "doctor")
    check(any(l.startswith("shared table ") and "| FAIL " in l for l in out), "row: %r" % out)
    ws_ok(ctx, "delete-table", env=env)


def test_doctor(ctx):
    aid = ctx.unique("d").replace("-", "")
    shared = ctx.unique("Shared")
    env = {"ATTENDEE_ID": aid, "SHARED_TABLE": shared, "TENANT_ID": "t-1"}
    out, err = ws_rc(ctx, 6, "doctor", env=env)
    check(re.search(r"^ok +credentials +%s from environment, profile default, region %s$"
                    % (ACCESS_KEY, REGION), out, re.M), "credentials line: %r" % out)
    check(re.search(r"^ok +endpoint +%s: ddbd \(real clock\)$" % re.escape(ctx.server.endpoint),
                    out, re.M), "endpoint line: %r" % out)
    check(re.search(r"^ok +identity +arn:aws:iam::123456789012:root", out, re.M), "identity")
    check(re.search(r"^warn +personal table +ws-att-%s does not exist yet\n +fix: ddb workshop "
                    r"create-table$" % aid, out, re.M), "personal table: %r" % out)
    check(re.search(r"^FAIL +shared table +%s does not exist\n +fix: the organizer runs 'ddb "
                    r"workshop setup-shared'$" % shared, out, re.M), "shared table: %r" % out)
    eq(err, "ddb: error: WorkshopCheckFailed: 1 check failed; fix it and run 'ddb workshop "
            "doctor' again\n", "doctor error")
    ws_ok(ctx, "setup-shared", env=env)
    ws_ok(ctx, "create-table", env=env)
    out = ws_ok(ctx, "doctor", env=env)
    check(re.search(r"^ok +shared table +%s ACTIVE with GSI1 and GSI2_StatusGlobal, 9 items$"
                    % shared, out, re.M), "shared ok: %r" % out)
    check(re.search(r"^ok +personal table +ws-att-%s ACTIVE, 0 items$" % aid, out, re.M),
          "personal ok: %r" % out)
    check(out.endswith("All checks passed.\n"), "passed: %r" % out)
    # an unset TENANT_ID is a warning with the fix
    out = ws_ok(ctx, "doctor", env={"ATTENDEE_ID": aid, "SHARED_TABLE": shared})
    check(re.search(r"^warn +variables +.*TENANT_ID=t-037 \(guide default\).*\n +fix: export "
                    r"TENANT_ID=t-%s" % aid, out, re.M), "tenant warning: %r" % out)
    # a shared table without the admin index: setup-shared adds it
    partial = ctx.unique("Partial")
    ctx.client().create_table(
        TableName=partial, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                              for n in ("PK", "SK", "GSI1PK", "GSI1SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "GSI1", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"},
                                               {"AttributeName": "GSI1SK", "KeyType": "RANGE"}]}])
    out, err = ws_rc(ctx, 6, "doctor", env=dict(env, SHARED_TABLE=partial))
    check(re.search(r"^FAIL +shared table +%s: GSI2_StatusGlobal missing$" % partial, out, re.M),
          "missing index: %r" % out)
    out = ws_ok(ctx, "setup-shared", env=dict(env, SHARED_TABLE=partial))
    check("Adding index GSI2_StatusGlobal to %s...\n" % partial in out, "adds GSI2: %r" % out)
    ws_ok(ctx, "doctor", env=dict(env, SHARED_TABLE=partial))
    # nothing listens: the endpoint check fails and says what to run
    dead = "http://127.0.0.1:%d" % closed_port()
    out, err = ws_rc(ctx, 6, "doctor", env=dict(env, AWS_ENDPOINT_URL=dead))
    check(re.search(r"^FAIL +endpoint +EndpointConnectionError: .*\n +fix: start ddbd \('make "
                    r"workshop'", out, re.M), "dead endpoint: %r" % out)
    # no credentials at all
    out, err = ws_rc(ctx, 6, "doctor", env=env,
                     unset=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
    check(re.search(r"^FAIL +credentials +NoCredentialsError: Unable to locate credentials\n +"
                    r"fix: export AWS_ACCESS_KEY_ID", out, re.M), "no credentials: %r" % out)
    ws_ok(ctx, "delete-table", env=env)


# -- with --principals policies/principals.json ----------------------------------------------------

def test_principals_organizer_and_tenant(ctx):
    s = principals_server(ctx)
    # a tenant may not create the shared table
    out, err = ws_rc(ctx, 1, "setup-shared", env=tenant(1), server=s)
    check(err.startswith("ddb: error: AccessDeniedException: User: "
                         "arn:aws:iam::123456789012:user/workshop_001 is not authorized"),
          "tenant setup-shared: %r" % err)
    ws_ok(ctx, "setup-shared", env=ORGANIZER, server=s)

    out = ws_ok(ctx, "doctor", env=tenant(1), server=s)
    check(re.search(r"^ok +identity +arn:aws:iam::123456789012:user/workshop_001 \(account "
                    r"123456789012\)$", out, re.M), "tenant identity: %r" % out)
    check(re.search(r"^ok +tenant access +may query TENANT#t-001#USER#u1 in WorkshopShared$",
                    out, re.M), "tenant access: %r" % out)

    # the isolation check: denied is what the lesson wants, exit 0
    out = ws_ok(ctx, "section4-cross-tenant", env=tenant(1, OTHER_TENANT_ID="t-000"), server=s)
    lines = out.splitlines()
    eq(lines[0], "\u2705 Security working correctly!", "first line")
    eq(lines[1], "Expected AccessDenied -> AccessDeniedException User: "
                 "arn:aws:iam::123456789012:user/workshop_001 is not authorized to perform: "
                 "dynamodb:GetItem on resource: arn:aws:dynamodb:%s:123456789012:table/"
                 "WorkshopShared because no identity-based policy allows the dynamodb:GetItem "
                 "action" % REGION, "denial line")
    py = script(ctx, "examples/section4_cross_tenant_attempt.py",
                dict(tenant(1, OTHER_TENANT_ID="t-000"), SHARED_TABLE="WorkshopShared"), server=s)
    eq(py.splitlines()[:2], lines[:2], "the guide's script prints the same")

    # the organizer may read the admin view; a tenant's own namespace works
    out = ws_ok(ctx, "section4-global", env=ORGANIZER, server=s).splitlines()
    eq(len(json.loads(out[1])), 3, "organizer sees every tenant's pending orders")
    out = ws_ok(ctx, "section4-seed", env=tenant(1), server=s).splitlines()
    eq(out[0], "Seeded namespace for t-001 in WorkshopShared", "tenant seed")
    # a tenant's personal table is its own: another attendee id is denied
    out, err = ws_rc(ctx, 1, "create-table", env=tenant(1, ATTENDEE_ID="002"), server=s)
    check(err.startswith("ddb: error: AccessDeniedException: ") and "ws-att-002" in err,
          "someone else's table: %r" % err)
    out, err = ws_rc(ctx, 6, "doctor", env=tenant(1, ATTENDEE_ID="002"), server=s)
    check(re.search(r"^warn +variables +.*\n +fix: your user name ends in 001: export "
                    r"ATTENDEE_ID=001$", out, re.M), "attendee hint: %r" % out)
    check(re.search(r"^FAIL +personal table +AccessDeniedException: .*\n +fix: TABLE must be "
                    r"ws-att-<your attendee id>", out, re.M), "personal denied: %r" % out)


def test_principals_tenant_global_query_denied(ctx):
    s = principals_server(ctx)
    ws_ok(ctx, "setup-shared", env=ORGANIZER, server=s)
    rc, out, err = ws(ctx, "section4-global", env=tenant(2), server=s)
    eq(rc, 1, "exit code")
    eq(out, "Global pending orders across all tenants:\n", "label only")
    check("ddb: error: AccessDeniedException: " in err and "GSI2_StatusGlobal" in err,
          "denied on the index: %r" % err)
    check("section 4.7 is for admins" in err, "hint: %r" % err)


def test_principals_wrong_tenant_id(ctx):
    s = principals_server(ctx)
    ws_ok(ctx, "setup-shared", env=ORGANIZER, server=s)
    rc, out, err = ws(ctx, "doctor", env=tenant(5, TENANT_ID="t-006"), server=s)
    eq(rc, 6, "exit code")
    check(re.search(r"^FAIL +tenant access +denied a Query of TENANT#t-006#USER#u1: "
                    r"TENANT_ID=t-006 is not your tenant\n +fix: export TENANT_ID=", out, re.M),
          "wrong tenant: %r" % out)


def test_principals_run(ctx):
    s = principals_server(ctx)
    ws_ok(ctx, "setup-shared", env=ORGANIZER, server=s)
    out, err = ws_rc(ctx, 0, "run", env=tenant(3, OTHER_TENANT_ID="t-000"), server=s)
    rows = summary(out)
    eq(list(rows), ATTENDEE_STEPS, "summary rows")
    for step in ATTENDEE_STEPS:
        want = "skip" if step == "section4-global" else "pass"
        eq(rows[step], want, step)
    check("\u2705 Security working correctly!" in out, "isolation shown")
    check(re.search(r"^10 passed, 0 failed, 1 skipped$", out, re.M), "counts: %r" % out[-200:])
    eq(err, "ddb: section 4.7 is for admins: run it with the organizer's credentials (a tenant "
       "is denied GSI2_StatusGlobal by design)\n", "the admin-only step is explained")


def test_profile_file_credentials(ctx):
    s = principals_server(ctx)
    ws_ok(ctx, "setup-shared", env=ORGANIZER, server=s)
    cred = os.path.join(ctx.workdir, "ws-credentials-%s" % ctx.unique())
    with open(cred, "w") as f:
        f.write("[dynamodb-workshop]\naws_access_key_id = AKIAWORKSHOPT004\n"
                "aws_secret_access_key = tenant-004-secret\n")
    conf = os.path.join(ctx.workdir, "ws-config-%s" % ctx.unique())
    with open(conf, "w") as f:
        f.write("[profile dynamodb-workshop]\nregion = %s\n" % REGION)
    env = {"AWS_SHARED_CREDENTIALS_FILE": cred, "AWS_CONFIG_FILE": conf,
           "AWS_PROFILE": "dynamodb-workshop", "ATTENDEE_ID": "004", "TENANT_ID": "t-004"}
    unset = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    out = ws_ok(ctx, "doctor", env=env, unset=unset, server=s)
    check(re.search(r"^ok +credentials +AKIAWORKSHOPT004 from %s \[dynamodb-workshop\], profile "
                    r"dynamodb-workshop" % re.escape(cred), out, re.M), "from file: %r" % out)
    check("user/workshop_004" in out, "identity from the profile: %r" % out)
    ws_ok(ctx, "section4-cross-tenant", env=env, unset=unset, server=s)
    out = ws_ok(ctx, "create-table", env=env, unset=unset, server=s)
    check(out.endswith("Done. TABLE=ws-att-004\n"), "create-table: %r" % out)
    # --profile names a profile that does not exist: configuration, exit 5
    out, err = ws_rc(ctx, 5, "section1", "--profile", "nosuch", env=env, unset=unset, server=s)
    eq(err, "ddb: error: ProfileNotFound: The config profile (nosuch) could not be found\n",
       "missing profile")
    # a wrong secret in the file: doctor says so
    with open(cred, "a") as f:
        f.write("[wrong]\naws_access_key_id = AKIAWORKSHOPT004\naws_secret_access_key = x\n")
    out, err = ws_rc(ctx, 6, "doctor", "--profile", "wrong", env=env, unset=unset, server=s)
    check(re.search(r"^FAIL +identity +SignatureDoesNotMatch: .*\n +fix: the secret key does not "
                    r"belong to access key AKIAWORKSHOPT004", out, re.M), "wrong secret: %r" % out)
    with open(cred, "a") as f:
        f.write("[stranger]\naws_access_key_id = AKIASTRANGER\naws_secret_access_key = x\n")
    out, err = ws_rc(ctx, 6, "doctor", "--profile", "stranger", env=env, unset=unset, server=s)
    check(re.search(r"^FAIL +identity +.*\n +fix: the endpoint does not know access key "
                    r"AKIASTRANGER: on ddbd started with --principals use a key of "
                    r"policies/principals.json", out, re.M), "unknown key: %r" % out)


# -- section 3 --compare ------------------------------------------------------------------------

COMPARE_ARGS = ["--throttling", "on", "--clock", "manual", "--partition-wcu", "100"]


def compare_rows(out):
    """Row label -> (hot, sharded) from the compare table."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 3:
            rows[cells[0]] = (cells[1], cells[2])
    return rows


def test_section3_compare_deterministic(ctx):
    s = ctx.new_server(args=COMPARE_ARGS)
    env = {"ATTENDEE_ID": "301"}
    ws_ok(ctx, "create-table", env=env, server=s)
    out = ws_ok(ctx, "section3", "--compare", env=env, server=s)
    check(out.startswith("Section 3 compare on ws-att-301: 200 writes to one hot key, then 200 "
                         "writes spread over 4 shard keys (one attempt each, no retries).\n"
                         "ddbd with --clock manual:"), "header: %r" % out[:300])
    rows = compare_rows(out)
    eq(rows[""], ("hot key", "4 shards"), "column titles")
    eq(rows["partition keys"], ("USER#hot-compare", "USER#hot-compare#S0..S3"), "keys")
    eq(rows["writes"], ("200", "200"), "writes")
    eq(rows["succeeded"], ("100", "200"), "succeeded")
    eq(rows["throttled"], ("100", "0"), "throttled: fewer when sharded")
    eq(rows["consumed WCU"], ("100.0", "200.0"), "consumed capacity")
    eq(rows["partitions touched"], ("1 of 40", "4 of 40"), "partitions")
    eq(rows["throttle reasons"], ("TableWriteKeyRangeThroughputExceeded x100", "-"), "reasons")
    check(out.endswith("\nSharding cut the throttles from 100 to 0: the writes spread over 4 "
                       "partitions instead of 1.\n"), "verdict: %r" % out[-200:])
    # the manual clock makes it repeatable
    eq(ws_ok(ctx, "section3", "--compare", env=env, server=s), out, "same result on a rerun")
    # more shards, more writes: still deterministic, still fewer throttles
    rows = compare_rows(ws_ok(ctx, "section3", "--compare", "--writes", "300", "--shards", "8",
                              env=env, server=s))
    eq(rows["throttled"][0], "200", "hot key at 300 writes")
    check(int(rows["throttled"][1]) < 200, "8 shards throttle less: %r" % (rows["throttled"],))
    # no throttling at all with few writes, and the hint to get some
    out = ws_ok(ctx, "section3", "--compare", "--writes", "40", env=env, server=s)
    eq(compare_rows(out)["throttled"], ("0", "0"), "no throttles")
    check("No throttling in either phase" in out and "--partition-wcu 100" in out, "hint: %r" % out)
    # section3 alone retries: the guide's script still gets its 120 events
    out = ws_ok(ctx, "section3", env=env, server=s)
    check(out.startswith("Fetched 120 events across shards"), "section3: %r" % out[:80])
    # a missing table is a plain service error
    out, err = ws_rc(ctx, 1, "section3", "--compare", env={"TABLE": "ws-att-none"}, server=s)
    check(err.startswith("ddb: error: ResourceNotFoundException"), "missing table: %r" % err)


def test_section3_compare_real_clock(ctx):
    s = ctx.new_server(args=["--throttling", "on", "--partition-wcu", "100"])
    env = {"ATTENDEE_ID": "302"}
    ws_ok(ctx, "create-table", env=env, server=s)
    out = ws_ok(ctx, "section3", "--compare", "--writes", "20", env=env, server=s)
    check("ddbd with the real clock: each phase takes as long as this machine needs" in out,
          "real clock note: %r" % out)
    rows = compare_rows(out)
    eq(rows["succeeded"], ("20", "20"), "20 writes fit in any second")
    check(rows["partitions touched"][0].endswith(" of 40"), "partitions reported: %r" % (rows,))


class FakeDynamo:
    """A DynamoDB stand-in on HTTP: DescribeTable answers ACTIVE; PutItem to the
    hot key is throttled every other time (ThrottlingException with reasons), every
    other write consumes 1 unit. It records every request line (method, path)."""

    def __init__(self):
        self.seen = []
        self.hot = 0
        self.batches = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                outer.seen.append(("GET", self.path))
                self.reply(404, {"message": "not here"})

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(n) or b"{}")
                target = self.headers.get("X-Amz-Target", "")
                outer.seen.append(("POST", self.path, target))
                if target.endswith(".DescribeTable"):
                    return self.reply(200, {"Table": {"TableName": body["TableName"],
                                                      "TableStatus": "ACTIVE"}})
                if target.endswith(".BatchWriteItem"):
                    (table, reqs), = body["RequestItems"].items()
                    outer.batches.append(len(reqs))
                    left = reqs if table == "ws-att-stuck" else reqs[1:] if len(reqs) > 1 else []
                    return self.reply(200, {"UnprocessedItems": {table: left} if left else {}})
                if target.endswith(".PutItem"):
                    if body["Item"]["PK"]["S"] == "USER#hot-compare":
                        outer.hot += 1
                        if outer.hot % 2 == 0:
                            return self.reply(400, {
                                "__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                                "message": "Throughput exceeds the current capacity",
                                "throttlingReasons": [{
                                    "reason": "TableWriteKeyRangeThroughputExceeded",
                                    "resource": "arn:aws:dynamodb:x:1:table/t"}]})
                    return self.reply(200, {"ConsumedCapacity": {"TableName": body["TableName"],
                                                                 "CapacityUnits": 1.0}})
                self.reply(400, {"__type": "x#UnknownOperationException"})

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


def test_section3_compare_not_ddbd_and_aws(ctx):
    fake = FakeDynamo()
    try:
        env = {"TABLE": "ws-att-fake", "AWS_ENDPOINT_URL": fake.url}
        out = ws_ok(ctx, "section3", "--compare", "--writes", "10", env=env)
        check("This endpoint has no /_ddbd/ endpoints (it is not ddbd)" in out, "note: %r" % out)
        rows = compare_rows(out)
        eq(rows["throttled"], ("5", "0"), "throttles counted, one attempt each")
        eq(rows["succeeded"], ("5", "10"), "succeeded")
        eq(rows["consumed WCU"], ("5.0", "10.0"), "consumed")
        eq(rows["partitions touched"], ("n/a (no /_ddbd/metrics)",) * 2, "partitions unknown")
        eq(rows["throttle reasons"], ("TableWriteKeyRangeThroughputExceeded x5", "-"), "reasons")
        check(out.rstrip().endswith("Sharding cut the throttles from 5 to 0."), "verdict")
        eq([s for s in fake.seen if s[0] == "GET"], [("GET", "/_ddbd/clock")], "one probe")
        check(not any("/_ddbd/" in s[1] for s in fake.seen if s[0] == "POST"), "no clock moves")
        puts = [s for s in fake.seen if s[0] == "POST" and s[2].endswith(".PutItem")]
        eq(len(puts), 20, "one attempt per write, no retries")

        # the public endpoint name: never probed, reached here through a local proxy
        fake.seen.clear()
        fake.hot = 0
        aws = "http://dynamodb.%s.amazonaws.com" % REGION
        env = {"TABLE": "ws-att-fake", "AWS_ENDPOINT_URL": aws, "http_proxy": fake.url,
               "no_proxy": ""}
        out = ws_ok(ctx, "section3", "--compare", "--writes", "4", env=env)
        check("Talking to AWS: DynamoDB does not publish its partitions and has no "
              "/_ddbd/clock or /_ddbd/metrics" in out, "AWS note: %r" % out)
        eq(compare_rows(out)["partitions touched"], ("n/a (no /_ddbd/metrics)",) * 2, "n/a")
        check(fake.seen and not any(s[0] == "GET" for s in fake.seen), "AWS is not probed")
        check(all(s[1].startswith(aws) for s in fake.seen), "requests went to %s" % aws)
    finally:
        fake.close()


def test_batch_unprocessed_items_resent(ctx):
    fake = FakeDynamo()
    try:
        env = {"TABLE": "ws-att-fake", "AWS_ENDPOINT_URL": fake.url}
        out = ws_ok(ctx, "section2-seed", env=env)
        eq(out, "Seeded single-table items for user u200 in ws-att-fake\n", "output")
        eq(fake.batches, [4, 3, 2, 1], "UnprocessedItems sent again until none is left")
        fake.batches.clear()
        out, err = ws_rc(ctx, 4, "section2-seed", env=dict(env, TABLE="ws-att-stuck"))
        eq(err, "ddb: error: UnprocessedItems: 4 items of a BatchWriteItem to ws-att-stuck "
                "still unprocessed after 12 rounds (the table is throttling)\n", "gave up")
        eq(fake.batches, [4] * 12, "12 rounds")
    finally:
        fake.close()


# -- exit codes ------------------------------------------------------------------------------------

def test_connection_error_exit_3(ctx):
    dead = "http://127.0.0.1:%d" % closed_port()
    out, err = ws_rc(ctx, 3, "section1", env={"TABLE": "x", "AWS_ENDPOINT_URL": dead})
    check(err.startswith("ddb: error: EndpointConnectionError: Could not connect to the "
                         "endpoint URL"), "section1: %r" % err)
    out, err = ws_rc(ctx, 3, "run", env={"ATTENDEE_ID": "9", "AWS_ENDPOINT_URL": dead})
    rows = summary(out)
    eq(rows["create-table"], "FAIL", "first step fails")
    eq(rows["section1"], "skip", "the rest is not run")
    check("0 passed, 1 failed, 10 skipped" in out, "counts: %r" % out[-200:])
    check(err.rstrip().endswith("ddb: error: WorkshopRunStopped: stopped after a connection "
                                "error; run 'ddb workshop doctor'"), "run error: %r" % err)


def test_throttled_exit_4(ctx):
    # one write unit per partition and second, and a clock that stands still: the second
    # PutItem of section 2 to USER#u200 stays throttled through the retries
    s = ctx.new_server(args=["--throttling", "on", "--clock", "manual", "--partition-wcu", "1"])
    env = {"ATTENDEE_ID": "401"}
    ws_ok(ctx, "create-table", env=env, server=s)
    out, err = ws_rc(ctx, 4, "section2-gsi", env=env, server=s)
    check(err.startswith("ddb: error: ThrottlingException: Throughput exceeds the current "
                         "capacity") and err.rstrip().endswith("(after 3 attempts)"),
          "throttled: %r" % err)


def test_batch_throttled_exit_4(ctx):
    s = ctx.new_server(args=["--throttling", "on", "--clock", "manual", "--partition-wcu", "1"])
    env = {"ATTENDEE_ID": "402"}
    ws_ok(ctx, "create-table", env=env, server=s)
    # BatchWriteItem: UnprocessedItems are re-sent, then given up on with exit 4
    rc, out, err = ws(ctx, "section3", env=env, server=s)
    eq(rc, 4, "section3 exit code (stderr %r)" % err)
    check(re.search(r"ddb: error: (UnprocessedItems|ThrottlingException): ", err), "error: %r" % err)

