"""The workshop guide's Query/Scan/batch examples (tests/workshop/examples/,
copied verbatim from the guide, never edited here) run unchanged with
sys.executable against ddbd through AWS_ENDPOINT_URL, as an attendee runs
them against AWS. Their printed output is parsed back (it is Python reprs of
what boto3 returned) and compared with what DynamoDB returns for the same
data: items in sort-key order, sparse indexes, Limit, ScanIndexForward.
Attribute order inside an item is not compared (DynamoDB does not define it).

Sections 1-3 use the attendee's personal table ws-att-<id>, created by the
guide's scripts/create_table.sh. Section 4 uses the shared table
WorkshopShared, set up the way the guide's organiser would: PK/SK, GSI1
(GSI1PK/GSI1SK), then GSI2_StatusGlobal added with the guide's update-table
command, every index with projection ALL, and other tenants' data seeded so
that the cross-tenant views have something to show.
"""
import decimal
import json
import os
import subprocess
import sys

import harness
from harness import check, eq, wait_for

WORKSHOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workshop")
ATTENDEE = "042"
PERSONAL = "ws-att-" + ATTENDEE
SHARED = "WorkshopShared"
TENANT = "t-037"


def run(ctx, script, extra_env, timeout=120):
    """Run examples/<script> unchanged; returns its stdout lines."""
    env = ctx.env()
    env.update(extra_env)
    env["PYTHONIOENCODING"] = "utf-8"
    p = subprocess.run([sys.executable, os.path.join("examples", script)], cwd=WORKSHOP, env=env,
                       capture_output=True, encoding="utf-8", timeout=timeout)
    check(p.returncode == 0, "%s failed (%d):\n%s\n%s" % (script, p.returncode, p.stdout, p.stderr))
    return p.stdout.splitlines()


def value_after(line, prefix):
    """The Python value printed after 'prefix' (boto3's items: str, Decimal, dict, list)."""
    check(line.startswith(prefix), "line %r does not start with %r" % (line, prefix))
    return eval(line[len(prefix):], {"__builtins__": {}}, {"Decimal": decimal.Decimal})  # noqa: S307


def table_items(ctx, table, **kw):
    """Every item of the table, by a paginated Scan through boto3's resource."""
    t = ctx.resource().Table(table)
    items, args = [], dict(kw)
    while True:
        r = t.scan(**args)
        items += r["Items"]
        if "LastEvaluatedKey" not in r:
            return items
        args["ExclusiveStartKey"] = r["LastEvaluatedKey"]


def personal_table(ctx):
    if getattr(ctx, "_ws_personal", False):
        return
    env = ctx.env()
    env["ATTENDEE_ID"] = ATTENDEE
    p = subprocess.run(["bash", "scripts/create_table.sh"], cwd=WORKSHOP, env=env,
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and "Done. TABLE=%s" % PERSONAL in p.stdout,
          "create_table.sh: %s\n%s" % (p.stdout, p.stderr))
    ctx._ws_personal = True


def shared_table(ctx):
    """WorkshopShared as the organiser sets it up, with other tenants' data."""
    if getattr(ctx, "_ws_shared", False):
        return
    ctx.aws("dynamodb", "create-table", "--table-name", SHARED,
            "--attribute-definitions", "AttributeName=PK,AttributeType=S",
            "AttributeName=SK,AttributeType=S", "AttributeName=GSI1PK,AttributeType=S",
            "AttributeName=GSI1SK,AttributeType=S",
            "--key-schema", "AttributeName=PK,KeyType=HASH", "AttributeName=SK,KeyType=RANGE",
            "--global-secondary-indexes", json.dumps([{
                "IndexName": "GSI1",
                "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"},
                              {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"}}]),
            "--billing-mode", "PAY_PER_REQUEST")
    ctx.aws("dynamodb", "wait", "table-exists", "--table-name", SHARED)
    # section 4.7's command, as printed in the guide
    ctx.aws("dynamodb", "update-table", "--table-name", SHARED,
            "--attribute-definitions", "AttributeName=GSI2PK,AttributeType=S",
            "AttributeName=GSI2SK,AttributeType=S",
            "--global-secondary-index-updates", """[{
    "Create": {
      "IndexName": "GSI2_StatusGlobal",
      "KeySchema": [
        {"AttributeName": "GSI2PK", "KeyType": "HASH"},
        {"AttributeName": "GSI2SK", "KeyType": "RANGE"}
      ],
      "Projection": {"ProjectionType": "ALL"}
    }
  }]""")

    def gsi2_active():
        t = ctx.client().describe_table(TableName=SHARED)["Table"]
        return t["TableStatus"] == "ACTIVE" and all(
            g["IndexStatus"] == "ACTIVE" for g in t["GlobalSecondaryIndexes"])
    wait_for(gsi2_active, timeout=30, what="GSI2_StatusGlobal ACTIVE")
    t = ctx.resource().Table(SHARED)
    with t.batch_writer() as bw:
        for item in OTHER_TENANTS:
            bw.put_item(Item=item)
    ctx._ws_shared = True


def order(tid, uid, day, oid, status, gsi2=True):
    it = {"PK": "TENANT#%s#USER#%s" % (tid, uid), "SK": "ORDER#%s#%s" % (day, oid),
          "type": "ORDER", "status": status,
          "GSI1PK": "TENANT#%s#STATUS#%s" % (tid, status), "GSI1SK": "%s#%s" % (day, oid)}
    if gsi2:
        it["GSI2PK"] = "STATUS#" + status
        it["GSI2SK"] = "%s#%s#%s" % (tid, day, oid)
    return it


OTHER_TENANTS = [
    {"PK": "TENANT#t-000#USER#u1", "SK": "PROFILE#u1", "type": "USER",
     "email": "u1@t-000.example"},
    order("t-000", "u1", "20250927", "o7", "PENDING"),
    order("t-000", "u1", "20250930", "o8", "SHIPPED"),
    {"PK": "TENANT#t-042#USER#u5", "SK": "PROFILE#u5", "type": "USER",
     "email": "u5@t-042.example"},
    order("t-042", "u5", "20250928", "o5", "PENDING"),
    order("t-042", "u5", "20250929", "o6", "PENDING"),
    order("t-042", "u9", "20250926", "o9", "CANCELLED"),
]


# ---- sections 1-3: the personal table ------------------------------------------------------

def test_section1_query_vs_scan(ctx):
    personal_table(ctx)
    out = run(ctx, "section1_fundamentals.py", {"TABLE": PERSONAL})
    eq(len(out), 2, "two lines: %r" % out)
    want = [{"PK": "USER#u123", "SK": "ORDER#20250927#o1", "type": "ORDER", "status": "PENDING"},
            {"PK": "USER#u123", "SK": "ORDER#20250928#o2", "type": "ORDER", "status": "SHIPPED"},
            {"PK": "USER#u123", "SK": "PROFILE#u123", "type": "USER", "name": "Ada"}]
    eq(value_after(out[0], "Query (profile + orders): "), want,
       "Query: the item collection in SK order")
    # a fresh table holds one partition: Scan (Limit 5) reads it in SK order
    eq(value_after(out[1], "Scan sample: "), want, "Scan sample")


def test_section2_sparse_gsi(ctx):
    personal_table(ctx)
    seed = run(ctx, "section2_single_table_seed.py", {"TABLE": PERSONAL})
    eq(seed, ["Seeded single-table items for user u200 in %s" % PERSONAL], "seed output")
    out = run(ctx, "section2_gsi_sparse.py", {"TABLE": PERSONAL})
    eq(out[0], "PENDING orders across all users in personal table:", "heading")
    eq(len(out), 2, "lines: %r" % out)
    eq(value_after(out[1], ""), [
        {"PK": "USER#u200", "SK": "ORDER#20250926#o101", "type": "ORDER", "status": "PENDING",
         "GSI1PK": "STATUS#PENDING", "GSI1SK": "20250926#o101"}],
       "only the item that carries the GSI keys (the index is sparse)")
    t = ctx.client().describe_table(TableName=PERSONAL)["Table"]
    eq([(g["IndexName"], g["IndexStatus"], g["Projection"]) for g in t["GlobalSecondaryIndexes"]],
       [("GSI1_Status", "ACTIVE", {"ProjectionType": "ALL"})], "GSI created by the script")
    # a second run finds the index and does not create it again
    again = run(ctx, "section2_gsi_sparse.py", {"TABLE": PERSONAL})
    eq(again, out, "second run prints the same")


def _fanout(items, pk_of_shard, shards, limit):
    """What DynamoDB returns for each shard's Query(ScanIndexForward=False, Limit)."""
    per = {}
    for s in shards:
        mine = sorted((i for i in items if i["PK"] == pk_of_shard(s)),
                      key=lambda i: i["SK"], reverse=True)
        per[s] = mine[:limit]
    return per


def test_section3_write_sharding(ctx):
    personal_table(ctx)
    out = run(ctx, "section3_sharding.py", {"TABLE": PERSONAL})
    eq(len(out), 1, "one line: %r" % out)
    shards = ["S0", "S1", "S2", "S3"]
    events = [i for i in table_items(ctx, PERSONAL) if i["PK"].startswith("USER#hotuser#")]
    eq(len(events), 120, "120 events written through batch_writer")
    eq(sorted(i["payload"]["n"] for i in events), list(range(120)), "every n once")
    for i in events:
        eq(i["PK"], "USER#hotuser#" + i["payload"]["shard"], "PK carries the shard")
    per = _fanout(events, lambda s: "USER#hotuser#" + s, shards, 50)
    fetched = [i for s in shards for i in per[s]]
    prefix = "Fetched %d events across shards; first 5: " % len(fetched)
    first5 = value_after(out[0], prefix)
    eq(first5, sorted(fetched, key=lambda x: x["SK"], reverse=True)[:5], "first 5")
    eq([i["SK"] for i in first5], ["EVENT#%010d#%06d" % (n, n) for n in range(119, 114, -1)],
       "newest events first")


# ---- section 4: the shared table -----------------------------------------------------------

def test_section4_seed_tenant_namespace(ctx):
    shared_table(ctx)
    out = run(ctx, "section4_intro_seed.py", {"SHARED_TABLE": SHARED, "TENANT_ID": TENANT})
    eq(out[0], "Seeded namespace for %s in %s" % (TENANT, SHARED), "first line")
    eq(len(out), 2, "lines: %r" % out)
    pk = "TENANT#%s#USER#u1" % TENANT
    eq(value_after(out[1], ""), [
        {"PK": pk, "SK": "ORDER#20250928#o1", "type": "ORDER", "status": "PENDING",
         "GSI1PK": "TENANT#%s#STATUS#PENDING" % TENANT, "GSI1SK": "20250928#o1"},
        {"PK": pk, "SK": "ORDER#20250929#o2", "type": "ORDER", "status": "SHIPPED",
         "GSI1PK": "TENANT#%s#STATUS#SHIPPED" % TENANT, "GSI1SK": "20250929#o2"},
        {"PK": pk, "SK": "PROFILE#u1", "type": "USER", "email": "u1@example.org"}],
       "profile and orders in one Query, SK order")


def test_section4_tenant_scoped_status_query(ctx):
    shared_table(ctx)
    run(ctx, "section4_intro_seed.py", {"SHARED_TABLE": SHARED, "TENANT_ID": TENANT})
    out = run(ctx, "section4_gsi_status_scoped.py", {"SHARED_TABLE": SHARED, "TENANT_ID": TENANT})
    eq(len(out), 1, "lines: %r" % out)
    eq(value_after(out[0], "Pending orders for %s -> " % TENANT, ), [
        {"PK": "TENANT#%s#USER#u1" % TENANT, "SK": "ORDER#20250928#o1", "type": "ORDER",
         "status": "PENDING", "GSI1PK": "TENANT#%s#STATUS#PENDING" % TENANT,
         "GSI1SK": "20250928#o1"}], "only this tenant's PENDING orders")
    out = run(ctx, "section4_gsi_status_scoped.py", {"SHARED_TABLE": SHARED, "TENANT_ID": "t-042"})
    eq([i["SK"] for i in value_after(out[0], "Pending orders for t-042 -> ")],
       ["ORDER#20250928#o5", "ORDER#20250929#o6"], "t-042's PENDING orders in GSI1SK order")


def test_section4_cross_tenant_attempt_open_mode(ctx):
    """Without ABAC (ddbd's open mode, like an admin role on AWS) the read of
    another tenant's profile succeeds: the script's documented outcome."""
    shared_table(ctx)
    out = run(ctx, "section4_cross_tenant_attempt.py",
              {"SHARED_TABLE": SHARED, "OTHER_TENANT_ID": "t-000"})
    eq(len(out), 2, "lines: %r" % out)
    eq(value_after(out[0], "\U0001F6A8 SECURITY ISSUE - Unexpectedly succeeded: "),
       OTHER_TENANTS[0], "the other tenant's profile")
    eq(out[1], "This means tenant isolation is NOT working!", "second line")
    out = run(ctx, "section4_cross_tenant_attempt.py",
              {"SHARED_TABLE": SHARED, "OTHER_TENANT_ID": "t-404"})
    eq(out[0], "\U0001F6A8 SECURITY ISSUE - Unexpectedly succeeded: None",
       "no such tenant: GetItem without Item")


def test_section4_global_status_view(ctx):
    shared_table(ctx)
    run(ctx, "section4_intro_seed.py", {"SHARED_TABLE": SHARED, "TENANT_ID": TENANT})
    out = run(ctx, "section4_gsi_status_global.py", {"SHARED_TABLE": SHARED})
    eq(out[0], "Global pending orders across all tenants:", "heading")
    eq(len(out), 2, "lines: %r" % out)
    items = value_after(out[1], "")
    # the seed script writes no GSI2 keys: only the organiser's data is in the global index
    eq([i["GSI2SK"] for i in items],
       ["t-000#20250927#o7", "t-042#20250928#o5", "t-042#20250929#o6"],
       "PENDING across tenants in GSI2SK order")
    eq(items[0], OTHER_TENANTS[1], "whole items (projection ALL)")


def test_section4_tenant_sharding(ctx):
    shared_table(ctx)
    run(ctx, "section4_intro_seed.py", {"SHARED_TABLE": SHARED, "TENANT_ID": TENANT})
    out = run(ctx, "section4_tenant_sharding.py", {"SHARED_TABLE": SHARED, "TENANT_ID": TENANT})
    shards = ["S0", "S1", "S2", "S3"]
    pk = lambda s: "TENANT#%s#USER#hot#%s" % (TENANT, s)  # noqa: E731
    events = [i for i in table_items(ctx, SHARED) if i["PK"].startswith("TENANT#%s#USER#hot#"
                                                                          % TENANT)]
    eq(len(events), 120, "120 events")
    per = _fanout(events, pk, shards, 50)
    want = ["Writing 120 events across 4 shards...", "Reading from all shards..."]
    want += ["  Shard %s: %d items" % (s, len(per[s])) for s in shards]
    want += ["Total sharded events for %s: %d" % (TENANT, sum(len(v) for v in per.values()))]
    eq(out, want, "printed lines")
    # the sharded events are not in the status indexes (no GSI keys)
    r = ctx.client().scan(TableName=SHARED, IndexName="GSI1", Select="COUNT")
    eq(r["Count"], 2 + 5, "GSI1 holds only orders: t-037's 2 + the organiser's 5")
    harness.check(all(i["type"] == "EVENT" for i in events), "events")
