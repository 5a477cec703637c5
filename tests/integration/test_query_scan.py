"""Query and Scan semantics through boto3 (client, resource with
boto3.dynamodb.conditions, paginators) and the AWS CLI (automatic pagination,
--max-items, --starting-token), checked against DynamoDB's behaviour
(query-scan-batch-facts.md §2.4-§4, capacity-and-throttling.md §7):

- key orders: S by UTF-8 bytes (not UTF-16, not a collation), N numerically,
  B by unsigned bytes; every key-condition operator on each; ScanIndexForward
- Limit counts evaluated items (before the filter); a page may be empty and
  still carry LastEvaluatedKey; Limit equal to what is left still returns one
- Select on tables, LSIs (fetching non-projected attributes from the table)
  and GSIs (KEYS_ONLY, INCLUDE, ALL); sparse GSIs; equal GSI keys paging
- the 1 MB page: the item that reaches or crosses it is included and becomes
  LastEvaluatedKey; index reads count only the projected entry
- LastEvaluatedKey shapes: table key; LSI = table key + LSI sort key; GSI =
  table key + GSI key
- legacy KeyConditions / QueryFilter / ScanFilter / AttributesToGet /
  ConditionalOperator
- parallel Scan: for several TotalSegments the segments are disjoint and their
  union is the table; a start key from another segment is refused
"""
import base64
import decimal
import json
import time

import boto3
import botocore.config

from boto3.dynamodb.conditions import Attr, Key

import harness
from harness import check, eq, expect_error

VAL = "ValidationException"

ORD_S = "qs-order-s"      # pk S, sk S
ORD_N = "qs-order-n"      # pk S, sk N
ORD_B = "qs-order-b"      # pk S, sk B
IDX = "qs-idx"            # pk S, sk S; LSIs lsi_keys (lk N) KEYS_ONLY, lsi_inc (lk2 S) INCLUDE [a];
#                           GSIs gsi_all (g S, gs N) ALL, gsi_keys (g2 S) KEYS_ONLY,
#                           gsi_inc (g S, gs N) INCLUDE [a, b]
TIES = "qs-ties"          # pk S; GSI tie (t S, tr N) ALL, GSI tieh (t S) KEYS_ONLY
BIG = "qs-big"            # pk S, sk S; GSI bgk (g S) KEYS_ONLY
SEG = "qs-seg"            # pk S, sk N; GSI sgi (g S) ALL

# S sort keys: bytes of UTF-8. "\uff21" (EF BC A1) sorts before "\U0001F600"
# (F0 9F 98 80) in UTF-8 but after it in UTF-16, "\u00bf" after "z".
S_KEYS = ["1", "10", "2", "A", "B", "a", "aa", "ab", "b", "z", "\u00bf", "\u00e9", "\u00e9t\u00e9",
          "\u20ac", "\uff21", "\U0001F600", "a b", "A\u00e9"]
S_SORTED = sorted(S_KEYS, key=lambda s: s.encode("utf-8"))
N_KEYS = ["-99.1", "-10", "-1.5", "-1", "-0.01", "0", "0.01", "0.5", "1", "1.5", "2", "10",
          "99.1", "100", "12345678901234567890123456789012345678", "-12345678901234567890"]
N_SORTED = sorted(N_KEYS, key=decimal.Decimal)
B_KEYS = [b"\x00", b"\x01", b"\x01\x02", b"\x02", b"\x7f", b"\x80", b"\x80\x00", b"\xfe", b"\xff",
          b"\xff\x00", b"\xff\xff"]
B_SORTED = sorted(B_KEYS)


def ad(*pairs):
    return [{"AttributeName": n, "AttributeType": t} for n, t in pairs]


def ks(*pairs):
    return [{"AttributeName": n, "KeyType": t} for n, t in pairs]


def create(ctx, name, defs, key, gsis=(), lsis=()):
    body = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": ad(*defs), "KeySchema": ks(*key)}
    if gsis:
        body["GlobalSecondaryIndexes"] = list(gsis)
    if lsis:
        body["LocalSecondaryIndexes"] = list(lsis)
    st, parsed, _ = ctx.call("CreateTable", body)
    eq(st, 200, "CreateTable %s: %r" % (name, parsed))


def index(name, key, proj="ALL", nonkey=None):
    p = {"ProjectionType": proj}
    if nonkey:
        p["NonKeyAttributes"] = nonkey
    return {"IndexName": name, "KeySchema": ks(*key), "Projection": p}


def loader(ctx):
    """A client that retries throttling like an application would: loading
    hundreds of KB per second into one partition may be throttled."""
    return boto3.client(
        "dynamodb", region_name=harness.REGION, endpoint_url=ctx.server.endpoint,
        aws_access_key_id=harness.ACCESS_KEY, aws_secret_access_key=harness.SECRET_KEY,
        config=botocore.config.Config(retries={"max_attempts": 20, "mode": "standard"}))


def put_all(ctx, table, items):
    """BatchWriteItem in chunks of 25, resending UnprocessedItems."""
    c = loader(ctx)
    for i in range(0, len(items), 25):
        req = {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}
        for _ in range(50):
            req = c.batch_write_item(RequestItems=req)["UnprocessedItems"]
            if not req:
                break
            time.sleep(0.1)
        eq(req, {}, "UnprocessedItems after retries")


def setup(ctx):
    if getattr(ctx, "_qs_ready", False):
        return
    create(ctx, ORD_S, [("pk", "S"), ("sk", "S")], [("pk", "HASH"), ("sk", "RANGE")])
    create(ctx, ORD_N, [("pk", "S"), ("sk", "N")], [("pk", "HASH"), ("sk", "RANGE")])
    create(ctx, ORD_B, [("pk", "S"), ("sk", "B")], [("pk", "HASH"), ("sk", "RANGE")])
    put_all(ctx, ORD_S, [{"pk": {"S": "p"}, "sk": {"S": s}, "v": {"N": str(i)}}
                         for i, s in enumerate(S_KEYS)]
            + [{"pk": {"S": "other"}, "sk": {"S": s}} for s in ("a", "b")])
    put_all(ctx, ORD_N, [{"pk": {"S": "p"}, "sk": {"N": n}} for n in N_KEYS]
            + [{"pk": {"S": "other"}, "sk": {"N": "1"}}])
    put_all(ctx, ORD_B, [{"pk": {"S": "p"}, "sk": {"B": b}} for b in B_KEYS]
            + [{"pk": {"S": "other"}, "sk": {"B": b"\x01"}}])

    create(ctx, IDX, [("pk", "S"), ("sk", "S"), ("lk", "N"), ("lk2", "S"), ("g", "S"),
                      ("gs", "N"), ("g2", "S")],
           [("pk", "HASH"), ("sk", "RANGE")],
           gsis=[index("gsi_all", [("g", "HASH"), ("gs", "RANGE")]),
                 index("gsi_keys", [("g2", "HASH")], "KEYS_ONLY"),
                 index("gsi_inc", [("g", "HASH"), ("gs", "RANGE")], "INCLUDE", ["a", "b"])],
           lsis=[index("lsi_keys", [("pk", "HASH"), ("lk", "RANGE")], "KEYS_ONLY"),
                 index("lsi_inc", [("pk", "HASH"), ("lk2", "RANGE")], "INCLUDE", ["a"])])
    put_all(ctx, IDX, [idx_item(i) for i in range(10)]
            + [{"pk": {"S": "Q"}, "sk": {"S": "q0"}, "lk": {"N": "1"}, "g": {"S": "G"},
                "gs": {"N": "100"}, "g2": {"S": "H"}, "a": {"S": "qa"}}])

    create(ctx, TIES, [("pk", "S"), ("t", "S"), ("tr", "N")], [("pk", "HASH")],
           gsis=[index("tie", [("t", "HASH"), ("tr", "RANGE")]),
                 index("tieh", [("t", "HASH")], "KEYS_ONLY")])
    put_all(ctx, TIES, [{"pk": {"S": "t%02d" % i}, "t": {"S": "T"}, "tr": {"N": str(i % 3)},
                         "n": {"N": str(i)}} for i in range(31)])
    ctx._qs_ready = True


GS = {0: 3, 2: 1, 4: 4, 6: 0, 8: 2}   # gsi_all order: s6 s2 s8 s0 s4 (then q0, gs 100)
GSI_ORDER = ["s6", "s2", "s8", "s0", "s4", "q0"]


def idx_item(i):
    """Items s0..s9 under P: lk and lk2 run backwards; g only on even items
    (sparse) with gs from GS; g2 on all but s9; c is never projected."""
    it = {"pk": {"S": "P"}, "sk": {"S": "s%d" % i}, "lk": {"N": str(10 - i)},
          "lk2": {"S": "x%02d" % (9 - i)},
          "a": {"S": "a%d" % i}, "b": {"N": str(i)}, "c": {"S": "c%d" % i}}
    if i % 2 == 0:
        it["g"] = {"S": "G"}
        it["gs"] = {"N": str(GS[i])}
    if i != 9:
        it["g2"] = {"S": "H"}
    return it


def q(ctx, table, kce, values, **kw):
    return ctx.client().query(TableName=table, KeyConditionExpression=kce,
                              ExpressionAttributeValues=values, **kw)


def query_all(ctx, **kw):
    """Follow LastEvaluatedKey to the end; returns (items, pages)."""
    c = ctx.client()
    items, pages = [], []
    while True:
        r = c.query(**kw)
        pages.append(r)
        items += r.get("Items", [])
        if "LastEvaluatedKey" not in r:
            return items, pages
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        check(len(pages) < 500, "paging does not end")


def scan_all(ctx, **kw):
    c = ctx.client()
    items, pages = [], []
    while True:
        r = c.scan(**kw)
        pages.append(r)
        items += r.get("Items", [])
        if "LastEvaluatedKey" not in r:
            return items, pages
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        check(len(pages) < 2000, "paging does not end")


def sks(items, t="S"):
    return [i["sk"][t] for i in items]


# ---- key orders and key-condition operators ---------------------------------------------

def _check_ops(ctx, table, t, ordered, enc, probes):
    """Every operator on the sort key, both directions, against the expected order."""
    lo, mid, hi = (enc(p) for p in probes)
    rlo, rmid, rhi = probes
    cases = [
        ("sk = :v", {":v": rmid}, lambda x: x == mid),
        ("sk < :v", {":v": rmid}, lambda x: x < mid),
        ("sk <= :v", {":v": rmid}, lambda x: x <= mid),
        ("sk > :v", {":v": rmid}, lambda x: x > mid),
        ("sk >= :v", {":v": rmid}, lambda x: x >= mid),
        ("sk BETWEEN :lo AND :hi", {":lo": rlo, ":hi": rhi}, lambda x: lo <= x <= hi),
        ("sk BETWEEN :lo AND :hi", {":lo": rmid, ":hi": rmid}, lambda x: x == mid),
        (":v > sk", {":v": rmid}, lambda x: x < mid),           # operands reversed
        (":v <= sk", {":v": rmid}, lambda x: x >= mid),
    ]
    keyf = enc
    for cond, vals, pred in cases:
        want = [x for x in ordered if pred(keyf(x))]
        av = {k: {t: v} for k, v in vals.items()}
        av[":p"] = {"S": "p"}
        for fwd in (True, False):
            r = q(ctx, table, "pk = :p AND " + cond, av, ScanIndexForward=fwd)
            got = sks(r["Items"], t)
            eq(got, want if fwd else want[::-1], "%s %s (forward=%s)" % (table, cond, fwd))
            eq((r["Count"], r["ScannedCount"]), (len(want), len(want)), "Count/ScannedCount")
            check("LastEvaluatedKey" not in r, "no LastEvaluatedKey without Limit")


def test_string_sort_keys_utf8_byte_order(ctx):
    setup(ctx)
    r = q(ctx, ORD_S, "pk = :p", {":p": {"S": "p"}})
    eq(sks(r["Items"]), S_SORTED, "S order = UTF-8 bytes")
    check(S_SORTED.index("\uff21") < S_SORTED.index("\U0001F600"), "test data distinguishes UTF-16")
    r = q(ctx, ORD_S, "pk = :p", {":p": {"S": "p"}}, ScanIndexForward=False)
    eq(sks(r["Items"]), S_SORTED[::-1], "reverse")
    enc = lambda s: s.encode("utf-8")  # noqa: E731
    _check_ops(ctx, ORD_S, "S", S_SORTED, enc, ("B", "a", "\u20ac"))
    _check_ops(ctx, ORD_S, "S", S_SORTED, enc, ("\u00e9", "\uff21", "\U0001F600"))
    for prefix in ("a", "A", "\u00e9", "1", "\U0001F600", "zz", "ab"):
        want = [s for s in S_SORTED if s.encode().startswith(prefix.encode())]
        for fwd in (True, False):
            r = q(ctx, ORD_S, "pk = :p AND begins_with(sk, :b)", {":p": {"S": "p"},
                                                                  ":b": {"S": prefix}},
                  ScanIndexForward=fwd)
            eq(sks(r["Items"]), want if fwd else want[::-1], "begins_with %r" % prefix)


def test_number_sort_keys_numeric_order(ctx):
    setup(ctx)
    r = q(ctx, ORD_N, "pk = :p", {":p": {"S": "p"}})
    eq(sks(r["Items"], "N"), N_SORTED, "N order = numeric (negatives, decimals, 38 digits)")
    r = q(ctx, ORD_N, "pk = :p", {":p": {"S": "p"}}, ScanIndexForward=False)
    eq(sks(r["Items"], "N"), N_SORTED[::-1], "reverse")
    D = decimal.Decimal
    for probes in (("-1.5", "0", "10"), ("-99.1", "-0.01", "0.01"), ("0.5", "1", "100")):
        ordered = N_SORTED
        _check_ops(ctx, ORD_N, "N", ordered, D, probes)
    # a number written differently is the same key value
    r = q(ctx, ORD_N, "pk = :p AND sk = :v", {":p": {"S": "p"}, ":v": {"N": "1.50"}})
    eq(sks(r["Items"], "N"), ["1.5"], "1.50 = 1.5")
    r = q(ctx, ORD_N, "pk = :p AND sk BETWEEN :a AND :b",
          {":p": {"S": "p"}, ":a": {"N": "-1E1"}, ":b": {"N": "1e0"}})
    eq(sks(r["Items"], "N"), [n for n in N_SORTED if D(-10) <= D(n) <= D(1)], "exponent forms")


def test_binary_sort_keys_unsigned_order(ctx):
    setup(ctx)
    r = q(ctx, ORD_B, "pk = :p", {":p": {"S": "p"}})
    eq(sks(r["Items"], "B"), B_SORTED, "B order = unsigned bytes")
    r = q(ctx, ORD_B, "pk = :p", {":p": {"S": "p"}}, ScanIndexForward=False)
    eq(sks(r["Items"], "B"), B_SORTED[::-1], "reverse")
    _check_ops(ctx, ORD_B, "B", B_SORTED, lambda b: b, (b"\x01", b"\x7f", b"\xff"))
    _check_ops(ctx, ORD_B, "B", B_SORTED, lambda b: b, (b"\x00", b"\x80", b"\xff\x00"))
    for prefix in (b"\x01", b"\xff", b"\x80", b"\x00", b"\xff\xff", b"\x03"):
        want = [b for b in B_SORTED if b.startswith(prefix)]
        for fwd in (True, False):
            r = q(ctx, ORD_B, "pk = :p AND begins_with(sk, :b)", {":p": {"S": "p"},
                                                                  ":b": {"B": prefix}},
                  ScanIndexForward=fwd)
            eq(sks(r["Items"], "B"), want if fwd else want[::-1], "begins_with %r" % prefix)


def test_other_partition_not_mixed_in(ctx):
    setup(ctx)
    r = q(ctx, ORD_S, "pk = :p", {":p": {"S": "other"}})
    eq(sks(r["Items"]), ["a", "b"], "partition 'other'")
    r = q(ctx, ORD_S, "pk = :p", {":p": {"S": "nobody"}})
    eq((r["Items"], r["Count"], r["ScannedCount"]), ([], 0, 0), "empty partition")
    check("LastEvaluatedKey" not in r, "no LastEvaluatedKey")


def test_empty_result_wire_body(ctx):
    """Exact bytes of an empty Query (a 2021 us-east-1 recording) and of COUNT."""
    setup(ctx)
    body = {"TableName": ORD_S, "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "nobody"}}}
    st, _, data = ctx.signed("Query", body)
    eq((st, data), (200, b'{"Count":0,"Items":[],"ScannedCount":0}'), "empty Query body")
    st, _, data = ctx.signed("Query", dict(body, Select="COUNT"))
    eq((st, data), (200, b'{"Count":0,"ScannedCount":0}'), "empty COUNT body")


# ---- boto3 resource with Key / Attr ------------------------------------------------------

def test_resource_key_and_attr_conditions(ctx):
    setup(ctx)
    t = ctx.resource().Table(ORD_S)
    r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between("a", "b"))
    eq([i["sk"] for i in r["Items"]], [s for s in S_SORTED if "a" <= s <= "b"], "between")
    r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").begins_with("a"),
                FilterExpression=Attr("v").gte(6), ScanIndexForward=False)
    want = [s for s in S_SORTED if s.startswith("a") and S_KEYS.index(s) >= 6][::-1]
    eq([i["sk"] for i in r["Items"]], want, "begins_with + Attr filter, reversed")
    eq(r["ScannedCount"], len([s for s in S_KEYS if s.startswith("a")]), "ScannedCount")
    r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").lt("B"),
                ProjectionExpression="sk")
    eq(r["Items"], [{"sk": s} for s in S_SORTED if s.encode() < b"B"], "projection keeps only sk")
    tn = ctx.resource().Table(ORD_N)
    r = tn.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").gt(decimal.Decimal("-1")))
    eq([i["sk"] for i in r["Items"]], [decimal.Decimal(n) for n in N_SORTED
                                       if decimal.Decimal(n) > -1], "N as Decimal")
    ti = ctx.resource().Table(IDX)
    r = ti.scan(FilterExpression=Attr("g").exists() & Attr("b").between(2, 6))
    eq(sorted(i["sk"] for i in r["Items"]), ["s2", "s4", "s6"], "scan with Attr")
    r = ti.scan(FilterExpression=Attr("c").begins_with("c1") | Attr("a").is_in(["a3", "qa"]))
    eq(sorted(i["sk"] for i in r["Items"]), ["q0", "s1", "s3"], "scan OR / IN")
    r = ti.query(IndexName="gsi_all", KeyConditionExpression=Key("g").eq("G") & Key("gs").lte(1),
                 FilterExpression=Attr("c").ne("c0"))
    eq([i["sk"] for i in r["Items"]], ["s6", "s2"], "GSI query with Key/Attr (gs 0: s6, 1: s2)")


# ---- Limit, filters, paging ----------------------------------------------------------------

def test_limit_one_pages_through_everything(ctx):
    setup(ctx)
    for fwd in (True, False):
        items, pages = query_all(ctx, TableName=ORD_S, KeyConditionExpression="pk = :p",
                                 ExpressionAttributeValues={":p": {"S": "p"}}, Limit=1,
                                 ScanIndexForward=fwd)
        eq(sks(items), S_SORTED if fwd else S_SORTED[::-1], "Limit 1 paging (forward=%s)" % fwd)
        # every full page has a LastEvaluatedKey, even the one with the last item
        eq(len(pages), len(S_KEYS) + 1, "pages: one per item plus an empty one")
        for p, it in zip(pages, items):
            eq(p["LastEvaluatedKey"], {"pk": it["pk"], "sk": it["sk"]}, "LEK = item's key")
        eq((pages[-1]["Items"], pages[-1]["Count"], pages[-1]["ScannedCount"]), ([], 0, 0),
           "final empty page")
        check("LastEvaluatedKey" not in pages[-1], "final page has no LastEvaluatedKey")


def test_limit_equal_to_remaining_and_larger(ctx):
    setup(ctx)
    n = len(S_KEYS)
    r = q(ctx, ORD_S, "pk = :p", {":p": {"S": "p"}}, Limit=n)
    eq(len(r["Items"]), n, "all items")
    eq(r["LastEvaluatedKey"], {"pk": {"S": "p"}, "sk": {"S": S_SORTED[-1]}},
       "Limit = remaining still returns LastEvaluatedKey")
    r = q(ctx, ORD_S, "pk = :p", {":p": {"S": "p"}}, Limit=n + 1)
    check("LastEvaluatedKey" not in r, "Limit larger than the remainder: no LastEvaluatedKey")
    r = q(ctx, ORD_S, "pk = :p", {":p": {"S": "p"}}, Limit=5,
          ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": S_SORTED[n - 6]}})
    eq(sks(r["Items"]), S_SORTED[n - 5:], "last 5 after the start key")
    eq(r["LastEvaluatedKey"]["sk"]["S"], S_SORTED[-1], "LEK at the end")


def test_limit_counts_items_before_filter(ctx):
    setup(ctx)
    # v = index in S_KEYS; keep only v even
    base = dict(TableName=ORD_S, KeyConditionExpression="pk = :p",
                FilterExpression="v < :big AND NOT (v IN (:n1, :n3, :n5))",
                ExpressionAttributeValues={":p": {"S": "p"}, ":big": {"N": "100"},
                                           ":n1": {"N": "1"}, ":n3": {"N": "3"}, ":n5": {"N": "5"}})
    r = ctx.client().query(Limit=4, **base)
    first4 = S_SORTED[:4]
    kept = [s for s in first4 if S_KEYS.index(s) not in (1, 3, 5)]
    eq(sks(r["Items"]), kept, "items of the first 4 evaluated that pass the filter")
    eq((r["Count"], r["ScannedCount"]), (len(kept), 4), "Count / ScannedCount")
    eq(r["LastEvaluatedKey"]["sk"]["S"], S_SORTED[3], "LEK = 4th evaluated item")
    items, pages = query_all(ctx, Limit=4, **base)
    eq(sks(items), [s for s in S_SORTED if S_KEYS.index(s) not in (1, 3, 5)], "all pages")
    eq(sum(p["ScannedCount"] for p in pages), len(S_KEYS), "ScannedCount sums to all items")


def test_filter_drops_every_item_of_a_page(ctx):
    setup(ctx)
    base = dict(TableName=ORD_S, KeyConditionExpression="pk = :p",
                FilterExpression="v = :none",
                ExpressionAttributeValues={":p": {"S": "p"}, ":none": {"N": "-1"}})
    r = ctx.client().query(Limit=3, **base)
    eq((r["Items"], r["Count"], r["ScannedCount"]), ([], 0, 3), "empty page")
    eq(r["LastEvaluatedKey"], {"pk": {"S": "p"}, "sk": {"S": S_SORTED[2]}},
       "LEK = last evaluated (filtered-out) item")
    items, pages = query_all(ctx, Limit=3, **base)
    eq(items, [], "nothing matches")
    eq(len(pages), (len(S_KEYS) + 2) // 3 + (1 if len(S_KEYS) % 3 == 0 else 0), "page count")
    # the same on Scan
    items, pages = scan_all(ctx, TableName=ORD_S, Limit=4, FilterExpression="v = :none",
                            ExpressionAttributeValues={":none": {"N": "-1"}})
    eq(items, [], "scan: nothing matches")
    check(all(p["Items"] == [] and p["Count"] == 0 for p in pages), "scan pages empty")
    eq(sum(p["ScannedCount"] for p in pages), len(S_KEYS) + 2, "scan ScannedCount total")
    check(all("LastEvaluatedKey" in p for p in pages[:-1]), "scan pages carry LEK")


def test_reverse_with_exclusive_start_key(ctx):
    setup(ctx)
    c = ctx.client()
    start = S_SORTED[10]
    r = c.query(TableName=ORD_S, KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}}, ScanIndexForward=False, Limit=4,
                ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": start}})
    eq(sks(r["Items"]), S_SORTED[6:10][::-1], "the 4 keys before the start key, descending")
    eq(r["LastEvaluatedKey"]["sk"]["S"], S_SORTED[6], "LEK = lowest returned")
    # with a range condition: ESK inside it
    r = c.query(TableName=ORD_S, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "A"},
                                           ":b": {"S": "\u00e9"}},
                ScanIndexForward=False, ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": "b"}})
    eq(sks(r["Items"]), [s for s in S_SORTED if "A" <= s < "b"][::-1], "reverse within range")
    # forward from the same start key
    r = c.query(TableName=ORD_S, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "A"},
                                           ":b": {"S": "\u00e9"}},
                ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": "b"}})
    eq(sks(r["Items"]), [s for s in S_SORTED if "b" < s and s.encode() <= "\u00e9".encode()],
       "forward within range")
    # a start key that is not an existing item
    r = c.query(TableName=ORD_S, KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}}, ScanIndexForward=False,
                ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": "ac"}})
    eq(sks(r["Items"]), [s for s in S_SORTED if s.encode() < b"ac"][::-1], "ESK not an item")
    for fwd in (True, False):
        items, _ = query_all(ctx, TableName=ORD_B, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "p"}}, Limit=3,
                             ScanIndexForward=fwd)
        eq(sks(items, "B"), B_SORTED if fwd else B_SORTED[::-1], "B paging forward=%s" % fwd)
        items, _ = query_all(ctx, TableName=ORD_N, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "p"}}, Limit=4,
                             ScanIndexForward=fwd)
        eq(sks(items, "N"), N_SORTED if fwd else N_SORTED[::-1], "N paging forward=%s" % fwd)


def test_count_and_scanned_count(ctx):
    setup(ctx)
    c = ctx.client()
    r = c.query(TableName=IDX, KeyConditionExpression="pk = :p", Select="COUNT",
                FilterExpression="b >= :b", ExpressionAttributeValues={":p": {"S": "P"},
                                                                       ":b": {"N": "4"}})
    eq((r["Count"], r["ScannedCount"]), (6, 10), "COUNT with filter")
    check("Items" not in r, "COUNT has no Items")
    r = c.query(TableName=IDX, KeyConditionExpression="pk = :p", Select="COUNT", Limit=3,
                ExpressionAttributeValues={":p": {"S": "P"}})
    eq((r["Count"], r["ScannedCount"]), (3, 3), "COUNT with Limit")
    eq(r["LastEvaluatedKey"], {"pk": {"S": "P"}, "sk": {"S": "s2"}}, "COUNT keeps LEK")
    r = c.scan(TableName=IDX, Select="COUNT", Limit=1)
    eq((r["Count"], r["ScannedCount"]), (1, 1), "scan COUNT Limit 1")
    check("Items" not in r and "LastEvaluatedKey" in r, "scan COUNT: no Items, LEK")
    r = c.scan(TableName=IDX, Select="COUNT")
    eq((r["Count"], r["ScannedCount"]), (11, 11), "scan COUNT")


# ---- Select and projections per index type -------------------------------------------------

def _names(items):
    return [sorted(i) for i in items]


def test_select_on_table(ctx):
    setup(ctx)
    c = ctx.client()
    kw = dict(TableName=IDX, KeyConditionExpression="pk = :p AND sk <= :s",
              ExpressionAttributeValues={":p": {"S": "P"}, ":s": {"S": "s1"}})
    full = [idx_item(0), idx_item(1)]
    eq(c.query(**kw)["Items"], full, "default = ALL_ATTRIBUTES")
    eq(c.query(Select="ALL_ATTRIBUTES", **kw)["Items"], full, "ALL_ATTRIBUTES")
    r = c.query(Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="a, #c, nothere",
                ExpressionAttributeNames={"#c": "c"}, **kw)
    eq(r["Items"], [{"a": {"S": "a0"}, "c": {"S": "c0"}}, {"a": {"S": "a1"}, "c": {"S": "c1"}}],
       "SPECIFIC_ATTRIBUTES: key attributes not added, missing ones omitted")
    r = c.query(ProjectionExpression="sk", **kw)
    eq(r["Items"], [{"sk": {"S": "s0"}}, {"sk": {"S": "s1"}}], "projection implies SPECIFIC")
    r = c.scan(TableName=IDX, ProjectionExpression="zz")
    eq(r["Items"], [{}] * 11, "scan: items with nothing projected come back as {}")


def test_select_on_lsi(ctx):
    setup(ctx)
    c = ctx.client()
    kw = dict(TableName=IDX, KeyConditionExpression="pk = :p AND lk <= :l",
              ExpressionAttributeValues={":p": {"S": "P"}, ":l": {"N": "2"}})
    # lk = 10 - i: lk 1 -> s9, lk 2 -> s8
    r = c.query(IndexName="lsi_keys", **kw)
    eq(r["Items"], [{"pk": {"S": "P"}, "sk": {"S": "s9"}, "lk": {"N": "1"}},
                    {"pk": {"S": "P"}, "sk": {"S": "s8"}, "lk": {"N": "2"}}],
       "KEYS_ONLY LSI: default ALL_PROJECTED_ATTRIBUTES")
    eq(c.query(IndexName="lsi_keys", Select="ALL_PROJECTED_ATTRIBUTES", **kw)["Items"],
       r["Items"], "ALL_PROJECTED_ATTRIBUTES explicitly")
    r = c.query(IndexName="lsi_keys", Select="ALL_ATTRIBUTES", **kw)
    eq(r["Items"], [idx_item(9), idx_item(8)], "ALL_ATTRIBUTES on an LSI fetches the table items")
    r = c.query(IndexName="lsi_keys", ProjectionExpression="c, lk", **kw)
    eq(r["Items"], [{"c": {"S": "c9"}, "lk": {"N": "1"}}, {"c": {"S": "c8"}, "lk": {"N": "2"}}],
       "LSI projection may name non-projected attributes")
    r = c.query(IndexName="lsi_keys", Select="COUNT", **kw)
    eq((r["Count"], "Items" in r), (2, False), "COUNT on an LSI")
    r = c.query(TableName=IDX, IndexName="lsi_inc", KeyConditionExpression="pk = :p AND lk2 < :l",
                ExpressionAttributeValues={":p": {"S": "P"}, ":l": {"S": "x02"}})
    eq(r["Items"], [{"pk": {"S": "P"}, "sk": {"S": "s9"}, "lk2": {"S": "x00"}, "a": {"S": "a9"}},
                    {"pk": {"S": "P"}, "sk": {"S": "s8"}, "lk2": {"S": "x01"}, "a": {"S": "a8"}}],
       "INCLUDE LSI: keys + a")


def test_lsi_filter_on_non_projected_attribute(ctx):
    """A filter on an attribute the LSI does not hold reads the table item; the
    reply still holds only the projected attributes (ALL_PROJECTED_ATTRIBUTES)."""
    setup(ctx)
    r = ctx.client().query(TableName=IDX, IndexName="lsi_keys",
                           KeyConditionExpression="pk = :p", FilterExpression="c = :c",
                           ExpressionAttributeValues={":p": {"S": "P"}, ":c": {"S": "c3"}})
    eq(r["Items"], [{"pk": {"S": "P"}, "sk": {"S": "s3"}, "lk": {"N": "7"}}],
       "filtered on c, projected attributes only")
    eq((r["Count"], r["ScannedCount"]), (1, 10), "counts")


def test_select_on_gsis(ctx):
    setup(ctx)
    c = ctx.client()
    kw = dict(KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "G"}})
    # sparse: only even items (and Q's q0) carry g
    r = c.query(TableName=IDX, IndexName="gsi_all", **kw)
    eq(sks(r["Items"]), GSI_ORDER, "GSI order = gs order")
    eq(r["Items"][0], idx_item(6), "ALL projection: whole items")
    eq(c.query(TableName=IDX, IndexName="gsi_all", Select="ALL_ATTRIBUTES", **kw)["Items"],
       r["Items"], "ALL_ATTRIBUTES on an ALL GSI")
    r = c.query(TableName=IDX, IndexName="gsi_inc", **kw)
    eq(_names(r["Items"]), [["a", "b", "g", "gs", "pk", "sk"]] * 5 + [["a", "g", "gs", "pk", "sk"]],
       "INCLUDE [a, b]: keys + a + b")
    r = c.query(TableName=IDX, IndexName="gsi_inc", ProjectionExpression="b, sk", **kw)
    eq(r["Items"][1], {"b": {"N": "2"}, "sk": {"S": "s2"}}, "projection on INCLUDE GSI")
    r = c.query(TableName=IDX, IndexName="gsi_keys", KeyConditionExpression="g2 = :h",
                ExpressionAttributeValues={":h": {"S": "H"}})
    eq(_names(r["Items"]), [["g2", "pk", "sk"]] * 10, "KEYS_ONLY: table + index keys")
    eq(sorted(sks(r["Items"])), sorted(["s%d" % i for i in range(9)] + ["q0"]),
       "sparse: s9 has no g2")
    r = c.query(TableName=IDX, IndexName="gsi_keys", KeyConditionExpression="g2 = :h",
                Select="COUNT", ExpressionAttributeValues={":h": {"S": "H"}})
    eq(r["Count"], 10, "COUNT on KEYS_ONLY GSI")


def test_sparse_gsi_scan(ctx):
    setup(ctx)
    c = ctx.client()
    r = c.scan(TableName=IDX, IndexName="gsi_all")
    eq(sorted(sks(r["Items"])), ["q0", "s0", "s2", "s4", "s6", "s8"], "only items with g and gs")
    r = c.scan(TableName=IDX, IndexName="gsi_keys")
    eq(len(r["Items"]), 10, "gsi_keys holds items with g2")
    eq(_names(r["Items"])[0], ["g2", "pk", "sk"], "KEYS_ONLY entries")
    r = c.scan(TableName=IDX, IndexName="lsi_inc")
    eq(len(r["Items"]), 10, "LSI on lk2: items of P (Q has no lk2)")
    eq(_names(r["Items"])[0], ["a", "lk2", "pk", "sk"], "LSI INCLUDE entries")
    # removing the index key takes the item out of the index
    c.update_item(TableName=IDX, Key={"pk": {"S": "Q"}, "sk": {"S": "q0"}},
                  UpdateExpression="REMOVE g")
    r = c.scan(TableName=IDX, IndexName="gsi_all")
    eq(sorted(sks(r["Items"])), ["s0", "s2", "s4", "s6", "s8"], "q0 left the sparse index")
    c.update_item(TableName=IDX, Key={"pk": {"S": "Q"}, "sk": {"S": "q0"}},
                  UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": {"S": "G"}})


def test_equal_gsi_keys_page_correctly(ctx):
    setup(ctx)
    everything = sorted("t%02d" % i for i in range(31))
    for ixn, kce, vals in (("tie", "t = :t", {":t": {"S": "T"}}),
                           ("tie", "t = :t AND tr >= :z", {":t": {"S": "T"}, ":z": {"N": "1"}}),
                           ("tieh", "t = :t", {":t": {"S": "T"}})):
        for fwd in (True, False):
            for limit in (1, 3, 7):
                items, pages = query_all(ctx, TableName=TIES, IndexName=ixn,
                                         KeyConditionExpression=kce,
                                         ExpressionAttributeValues=vals, Limit=limit,
                                         ScanIndexForward=fwd)
                pks = [i["pk"]["S"] for i in items]
                want = everything if ixn == "tieh" or "tr" not in kce else \
                    sorted("t%02d" % i for i in range(31) if i % 3 >= 1)
                eq(sorted(pks), want, "%s %s Limit %d fwd=%s: complete" % (ixn, kce, limit, fwd))
                eq(len(set(pks)), len(pks), "no duplicates")
                if ixn == "tie":
                    trs = [int(i["tr"]["N"]) for i in items]
                    eq(trs, sorted(trs, reverse=not fwd), "sort-key order across pages")
                    lek = pages[0]["LastEvaluatedKey"]
                    eq(sorted(lek), ["pk", "t", "tr"], "GSI LEK = table key + index key")
                else:
                    eq(sorted(pages[0]["LastEvaluatedKey"]), ["pk", "t"], "hash-only GSI LEK")
        # the same pages from a Scan of the index
        items, _ = scan_all(ctx, TableName=TIES, IndexName=ixn, Limit=4)
        eq(sorted(i["pk"]["S"] for i in items), everything, "index scan with ties: complete")


# ---- LastEvaluatedKey shapes ---------------------------------------------------------------

def test_last_evaluated_key_shapes(ctx):
    setup(ctx)
    c = ctx.client()
    P = {":p": {"S": "P"}}
    r = c.query(TableName=IDX, KeyConditionExpression="pk = :p", ExpressionAttributeValues=P,
                Limit=1)
    eq(r["LastEvaluatedKey"], {"pk": {"S": "P"}, "sk": {"S": "s0"}}, "table LEK")
    r = c.query(TableName=IDX, IndexName="lsi_keys", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=P, Limit=1)
    eq(r["LastEvaluatedKey"], {"pk": {"S": "P"}, "sk": {"S": "s9"}, "lk": {"N": "1"}},
       "LSI LEK = table key + LSI sort key")
    r = c.query(TableName=IDX, IndexName="gsi_all", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "G"}}, Limit=1)
    eq(r["LastEvaluatedKey"], {"pk": {"S": "P"}, "sk": {"S": "s6"}, "g": {"S": "G"},
                               "gs": {"N": "0"}}, "GSI LEK = table key + GSI key")
    r = c.query(TableName=IDX, IndexName="gsi_keys", KeyConditionExpression="g2 = :h",
                ExpressionAttributeValues={":h": {"S": "H"}}, Limit=1)
    eq(sorted(r["LastEvaluatedKey"]), ["g2", "pk", "sk"], "hash-only GSI LEK")
    r = c.scan(TableName=IDX, IndexName="gsi_inc", Limit=1)
    eq(sorted(r["LastEvaluatedKey"]), ["g", "gs", "pk", "sk"], "GSI scan LEK")
    r = c.scan(TableName=IDX, IndexName="lsi_inc", Limit=1)
    eq(sorted(r["LastEvaluatedKey"]), ["lk2", "pk", "sk"], "LSI scan LEK")
    r = c.scan(TableName=TIES, Limit=1)
    eq(sorted(r["LastEvaluatedKey"]), ["pk"], "hash-only table LEK")
    # the wire order of a GSI LEK: table hash, index hash, table range, index range
    body = {"TableName": IDX, "IndexName": "gsi_all", "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "G"}}, "Limit": 1}
    st, _, data = ctx.signed("Query", body)
    lek = json.loads(data, object_pairs_hook=lambda p: p)
    lek = dict(lek)["LastEvaluatedKey"]
    check(st == 200 and sorted(k for k, _ in lek) == ["g", "gs", "pk", "sk"], "raw LEK %r" % lek)


def test_index_paging_with_start_keys(ctx):
    setup(ctx)
    for ixn, kce, vals, n in (("lsi_keys", "pk = :p", {":p": {"S": "P"}}, 10),
                              ("lsi_inc", "pk = :p AND lk2 > :x", {":p": {"S": "P"},
                                                                   ":x": {"S": "x03"}}, 6),
                              ("gsi_all", "g = :g", {":g": {"S": "G"}}, 6),
                              ("gsi_inc", "g = :g AND gs BETWEEN :a AND :b",
                               {":g": {"S": "G"}, ":a": {"N": "0"}, ":b": {"N": "2"}}, 3),
                              ("gsi_keys", "g2 = :h", {":h": {"S": "H"}}, 10)):
        whole = ctx.client().query(TableName=IDX, IndexName=ixn, KeyConditionExpression=kce,
                                   ExpressionAttributeValues=vals)["Items"]
        eq(len(whole), n, "%s: item count" % ixn)
        for fwd in (True, False):
            items, _ = query_all(ctx, TableName=IDX, IndexName=ixn, KeyConditionExpression=kce,
                                 ExpressionAttributeValues=vals, Limit=2, ScanIndexForward=fwd)
            eq(items, whole if fwd else whole[::-1], "%s paging fwd=%s" % (ixn, fwd))


# ---- the 1 MB page -------------------------------------------------------------------------

def _big(pk, sk, size, g=None):
    """An item of exactly 'size' bytes by DynamoDB's formula (names + values)."""
    fixed = len("pk") + len(pk) + len("sk") + len(sk) + len("p")
    it = {"pk": {"S": pk}, "sk": {"S": sk}}
    if g is not None:
        it["g"] = {"S": g}
        fixed += 1 + len(g)
    it["p"] = {"S": "x" * (size - fixed)}
    return it


def setup_big(ctx):
    if getattr(ctx, "_qs_big", False):
        return
    create(ctx, BIG, [("pk", "S"), ("sk", "S"), ("g", "S")], [("pk", "HASH"), ("sk", "RANGE")],
           gsis=[index("bgk", [("g", "HASH")], "KEYS_ONLY")])
    c = loader(ctx)
    for i in range(6):
        c.put_item(TableName=BIG, Item=_big("exact", "k%d" % i, 262144, "G"))
        c.put_item(TableName=BIG, Item=_big("cross", "k%d" % i, 262143))
    for i in range(20):
        c.put_item(TableName=BIG, Item=_big("many", "m%02d" % i, 60 * 1024, "M"))
    ctx._qs_big = True


def test_page_ends_on_exactly_1mb(ctx):
    """4 x 262144 bytes = 1 048 576: the 4th item reaches the limit, is returned
    and becomes LastEvaluatedKey."""
    setup_big(ctx)
    items, pages = query_all(ctx, TableName=BIG, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "exact"}})
    eq([len(p["Items"]) for p in pages], [4, 2], "page sizes")
    eq(pages[0]["LastEvaluatedKey"], {"pk": {"S": "exact"}, "sk": {"S": "k3"}}, "LEK = 4th item")
    eq(pages[0]["ScannedCount"], 4, "ScannedCount")
    eq(sks(items), ["k%d" % i for i in range(6)], "all items")
    check("LastEvaluatedKey" not in pages[1], "under 1 MB at the end: no LEK")
    # reversed: k5..k2, then k1, k0
    items, pages = query_all(ctx, TableName=BIG, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "exact"}},
                             ScanIndexForward=False)
    eq([sks(p["Items"]) for p in pages], [["k5", "k4", "k3", "k2"], ["k1", "k0"]], "reverse pages")
    # the filter and the projection do not change what counts
    r = ctx.client().query(TableName=BIG, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": {"S": "exact"}},
                           ProjectionExpression="sk", FilterExpression="attribute_not_exists(p)")
    eq((r["Count"], r["ScannedCount"], r["LastEvaluatedKey"]["sk"]["S"]), (0, 4, "k3"),
       "filtered page still stops at 1 MB")


def test_page_crossing_1mb_includes_the_crossing_item(ctx):
    """4 x 262143 bytes stay 4 bytes under 1 MB: the 5th item crosses it and is included."""
    setup_big(ctx)
    items, pages = query_all(ctx, TableName=BIG, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "cross"}})
    eq([len(p["Items"]) for p in pages], [5, 1], "page sizes")
    eq(pages[0]["LastEvaluatedKey"]["sk"]["S"], "k4", "LEK = crossing item")
    eq(sks(items), ["k%d" % i for i in range(6)], "all items")
    r = ctx.client().query(TableName=BIG, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": {"S": "cross"}}, Limit=3)
    eq((len(r["Items"]), r["LastEvaluatedKey"]["sk"]["S"]), (3, "k2"), "Limit before 1 MB")


def test_large_items_paging(ctx):
    """20 x 60 KB under one key: pages of fewer than 20 with LEK; paging returns all 20."""
    setup_big(ctx)
    items, pages = query_all(ctx, TableName=BIG, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "many"}})
    check(0 < len(pages[0]["Items"]) < 20 and "LastEvaluatedKey" in pages[0],
          "first page partial: %d items" % len(pages[0]["Items"]))
    eq(len(pages[0]["Items"]), 18, "18 x 61440 = 1 105 920 crosses at the 18th")
    eq(sks(items), ["m%02d" % i for i in range(20)], "all 20")
    r = ctx.client().query(TableName=BIG, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": {"S": "many"}}, Limit=5)
    eq((len(r["Items"]), r["LastEvaluatedKey"]["sk"]["S"]), (5, "m04"), "Limit 5")
    # a KEYS_ONLY index counts only its small entries: one page
    r = ctx.client().query(TableName=BIG, IndexName="bgk", KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": {"S": "M"}})
    eq((r["Count"], "LastEvaluatedKey" in r), (20, False), "index entries are small")
    # Scan: same rule over the table
    items, pages = scan_all(ctx, TableName=BIG)
    eq(len(items), 32, "scan returns everything")
    check(len(pages) >= 4, "scan pages: %d" % len(pages))
    for p in pages[:-1]:
        check("LastEvaluatedKey" in p, "every page but the last has a LEK")
    r = ctx.client().scan(TableName=BIG, IndexName="bgk")
    eq((r["Count"], "LastEvaluatedKey" in r), (26, False), "index scan: one page")


def test_batch_get_over_16mb_leaves_unprocessed_keys(ctx):
    """60 items of 400 KB: one BatchGetItem answers up to 16 MB; the rest come
    back in UnprocessedKeys with the table's request options (§5.2)."""
    setup_big(ctx)
    c = loader(ctx)
    keys = [{"pk": {"S": "huge"}, "sk": {"S": "h%02d" % i}} for i in range(60)]
    for i in range(0, 60, 20):
        req = {BIG: [{"PutRequest": {"Item": _big("huge", k["sk"]["S"], 409600)}}
                     for k in keys[i:i + 20]]}
        while req:
            req = c.batch_write_item(RequestItems=req)["UnprocessedItems"]
    spec = {"Keys": keys, "ProjectionExpression": "pk, #s, p", "ExpressionAttributeNames":
            {"#s": "sk"}, "ConsistentRead": True}
    r = c.batch_get_item(RequestItems={BIG: spec})
    got = r["Responses"][BIG]
    left = r["UnprocessedKeys"][BIG]
    check(0 < len(got) < 60, "a partial answer: %d items" % len(got))
    check(sum(len(i["p"]["S"]) for i in got) <= 16 * 1024 * 1024 + 409600, "about 16 MB")
    eq(sorted(left), ["ConsistentRead", "ExpressionAttributeNames", "Keys",
                      "ProjectionExpression"], "UnprocessedKeys keeps the request options")
    eq((left["ProjectionExpression"], left["ExpressionAttributeNames"], left["ConsistentRead"]),
       ("pk, #s, p", {"#s": "sk"}, True), "options as sent")
    eq(sorted([i["sk"]["S"] for i in got] + [k["sk"]["S"] for k in left["Keys"]]),
       ["h%02d" % i for i in range(60)], "returned + unprocessed = requested, once each")
    r2 = c.batch_get_item(RequestItems=r["UnprocessedKeys"])
    eq(len(r2["Responses"][BIG]) + len(r2["UnprocessedKeys"].get(BIG, {}).get("Keys", [])),
       len(left["Keys"]), "the retry answers the rest")
    c.batch_write_item(RequestItems={BIG: [{"DeleteRequest": {"Key": k}} for k in keys[:25]]})
    c.batch_write_item(RequestItems={BIG: [{"DeleteRequest": {"Key": k}} for k in keys[25:50]]})
    c.batch_write_item(RequestItems={BIG: [{"DeleteRequest": {"Key": k}} for k in keys[50:]]})


# ---- legacy parameters ---------------------------------------------------------------------

def test_legacy_key_conditions_and_filters(ctx):
    setup(ctx)
    c = ctx.client()

    def kc(op, *vals, t="S"):
        return {"ComparisonOperator": op, "AttributeValueList": [{t: v} for v in vals]}
    P = {"pk": kc("EQ", "p")}
    for cond, pred in ((kc("BETWEEN", "B", "ab"), lambda s: "B" <= s <= "ab"),
                       (kc("BEGINS_WITH", "a"), lambda s: s.startswith("a")),
                       (kc("GT", "b"), lambda s: s.encode() > b"b"),
                       (kc("LE", "2"), lambda s: s.encode() <= b"2"),
                       (kc("EQ", "aa"), lambda s: s == "aa")):
        r = c.query(TableName=ORD_S, KeyConditions=dict(P, sk=cond))
        eq(sks(r["Items"]), [s for s in S_SORTED if pred(s)], "KeyConditions %r" % cond)
    r = c.query(TableName=ORD_S, KeyConditions=P, ScanIndexForward=False, Limit=2)
    eq(sks(r["Items"]), S_SORTED[::-1][:2], "KeyConditions hash only, reversed")
    r = c.query(TableName=IDX, KeyConditions={"pk": kc("EQ", "P")},
                QueryFilter={"b": kc("LT", "2", t="N"), "c": kc("EQ", "c7")},
                ConditionalOperator="OR", AttributesToGet=["sk", "b"])
    eq(r["Items"], [{"sk": {"S": "s0"}, "b": {"N": "0"}}, {"sk": {"S": "s1"}, "b": {"N": "1"}},
                    {"sk": {"S": "s7"}, "b": {"N": "7"}}], "QueryFilter OR + AttributesToGet")
    r = c.query(TableName=IDX, KeyConditions={"pk": kc("EQ", "P")},
                QueryFilter={"b": kc("GE", "2", t="N"), "g": {"ComparisonOperator": "NOT_NULL"}},
                ConditionalOperator="AND", Select="COUNT")
    eq(r["Count"], 4, "QueryFilter AND (s2, s4, s6, s8)")
    r = c.query(TableName=IDX, KeyConditions={"pk": kc("EQ", "P")},
                QueryFilter={"g": {"ComparisonOperator": "NULL"}}, AttributesToGet=["sk"])
    eq(sks(r["Items"]), ["s1", "s3", "s5", "s7", "s9"], "NULL operator")
    # legacy key conditions with expression filter / projection (allowed)
    r = c.query(TableName=IDX, KeyConditions={"pk": kc("EQ", "P")}, FilterExpression="b > :b",
                ProjectionExpression="sk", ExpressionAttributeValues={":b": {"N": "7"}})
    eq(r["Items"], [{"sk": {"S": "s8"}}, {"sk": {"S": "s9"}}], "KeyConditions + expressions")
    r = c.query(TableName=IDX, IndexName="gsi_all",
                KeyConditions={"g": kc("EQ", "G"), "gs": kc("LT", "1", t="N")})
    eq(sks(r["Items"]), ["s6"], "KeyConditions on a GSI")
    r = c.scan(TableName=IDX, ScanFilter={"a": kc("IN", "a1", "a5", "zz"),
                                          "c": kc("CONTAINS", "5")}, ConditionalOperator="AND",
               AttributesToGet=["sk"])
    eq(r["Items"], [{"sk": {"S": "s5"}}], "ScanFilter IN + CONTAINS")
    r = c.scan(TableName=IDX, ScanFilter={"b": kc("BETWEEN", "3", "4", t="N"),
                                          "a": kc("BEGINS_WITH", "q")}, ConditionalOperator="OR")
    eq(sorted(sks(r["Items"])), ["q0", "s3", "s4"], "ScanFilter OR")
    r = c.scan(TableName=IDX, ScanFilter={"c": kc("NOT_CONTAINS", "c"), "pk": kc("NE", "P")})
    eq(sks(r["Items"]), ["q0"], "NOT_CONTAINS / NE (filter on a key is fine in Scan)")


# ---- boto3 paginators and the AWS CLI ------------------------------------------------------

def test_boto3_paginators(ctx):
    setup(ctx)
    c = ctx.client()
    pages = list(c.get_paginator("query").paginate(
        TableName=ORD_S, KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}}, PaginationConfig={"PageSize": 4}))
    eq([i["sk"]["S"] for p in pages for i in p["Items"]], S_SORTED, "query paginator items")
    eq(len(pages), (len(S_KEYS) + 3) // 4 + (1 if len(S_KEYS) % 4 == 0 else 0), "pages")
    full = c.get_paginator("query").paginate(
        TableName=ORD_N, KeyConditionExpression="pk = :p", ScanIndexForward=False,
        ExpressionAttributeValues={":p": {"S": "p"}},
        PaginationConfig={"PageSize": 3, "MaxItems": 5}).build_full_result()
    eq([i["sk"]["N"] for i in full["Items"]], N_SORTED[::-1][:5], "MaxItems 5, reversed")
    check("NextToken" in full, "NextToken after MaxItems")
    rest = c.get_paginator("query").paginate(
        TableName=ORD_N, KeyConditionExpression="pk = :p", ScanIndexForward=False,
        ExpressionAttributeValues={":p": {"S": "p"}},
        PaginationConfig={"PageSize": 3, "StartingToken": full["NextToken"]}).build_full_result()
    eq([i["sk"]["N"] for i in rest["Items"]], N_SORTED[::-1][5:], "resumed from NextToken")
    full = c.get_paginator("scan").paginate(
        TableName=IDX, FilterExpression="attribute_exists(g)",
        PaginationConfig={"PageSize": 2}).build_full_result()
    eq(sorted(sks(full["Items"])), ["q0", "s0", "s2", "s4", "s6", "s8"], "scan paginator")
    eq((full["Count"], full["ScannedCount"]), (6, 11), "Count/ScannedCount summed")
    pages = list(c.get_paginator("scan").paginate(TableName=IDX, IndexName="gsi_keys",
                                                  PaginationConfig={"PageSize": 3}))
    eq(sum(len(p["Items"]) for p in pages), 10, "index scan paginator")


def test_aws_cli_query_and_scan_pagination(ctx):
    setup(ctx)
    vals = json.dumps({":p": {"S": "p"}})
    out = ctx.aws_json("dynamodb", "query", "--table-name", ORD_S,
                       "--key-condition-expression", "pk = :p",
                       "--expression-attribute-values", vals, "--page-size", "4")
    eq([i["sk"]["S"] for i in out["Items"]], S_SORTED, "CLI query, automatic pagination")
    eq((out["Count"], out["ScannedCount"]), (len(S_KEYS), len(S_KEYS)), "counts summed")
    out = ctx.aws_json("dynamodb", "query", "--table-name", ORD_S,
                       "--key-condition-expression", "pk = :p", "--no-scan-index-forward",
                       "--expression-attribute-values", vals, "--max-items", "5",
                       "--page-size", "2")
    eq([i["sk"]["S"] for i in out["Items"]], S_SORTED[::-1][:5], "--max-items 5")
    check("NextToken" in out, "NextToken printed")
    out2 = ctx.aws_json("dynamodb", "query", "--table-name", ORD_S,
                        "--key-condition-expression", "pk = :p", "--no-scan-index-forward",
                        "--expression-attribute-values", vals, "--max-items", "5",
                        "--page-size", "2", "--starting-token", out["NextToken"])
    eq([i["sk"]["S"] for i in out2["Items"]], S_SORTED[::-1][5:10], "--starting-token")
    out = ctx.aws_json("dynamodb", "query", "--table-name", IDX, "--index-name", "gsi_all",
                       "--key-condition-expression", "g = :g", "--page-size", "1",
                       "--expression-attribute-values", json.dumps({":g": {"S": "G"}}),
                       "--projection-expression", "sk")
    eq(out["Items"], [{"sk": {"S": s}} for s in GSI_ORDER],
       "CLI GSI query Limit-1 pages")
    out = ctx.aws_json("dynamodb", "scan", "--table-name", ORD_B, "--page-size", "3")
    eq(sorted(base64.b64decode(i["sk"]["B"]) for i in out["Items"] if i["pk"]["S"] == "p"),
       B_SORTED, "CLI scan, automatic pagination")
    eq(out["Count"], len(B_KEYS) + 1, "CLI scan count")
    out = ctx.aws_json("dynamodb", "scan", "--table-name", ORD_B, "--max-items", "4",
                       "--page-size", "3")
    eq(len(out["Items"]), 4, "scan --max-items")
    rest = ctx.aws_json("dynamodb", "scan", "--table-name", ORD_B, "--page-size", "3",
                        "--starting-token", out["NextToken"])
    keys = lambda items: [(i["pk"]["S"], i["sk"]["B"]) for i in items]  # noqa: E731
    eq(len(keys(out["Items"]) + keys(rest["Items"])), len(B_KEYS) + 1, "scan resumed")
    eq(len(set(keys(out["Items"]) + keys(rest["Items"]))), len(B_KEYS) + 1, "no overlap")
    out = ctx.aws_json("dynamodb", "scan", "--table-name", IDX, "--select", "COUNT",
                       "--filter-expression", "b < :b",
                       "--expression-attribute-values", json.dumps({":b": {"N": "3"}}),
                       "--page-size", "4")
    eq((out["Count"], out["ScannedCount"]), (3, 11), "CLI scan COUNT summed over pages")
    rc, _, err = ctx.aws("dynamodb", "query", "--table-name", ORD_S,
                         "--key-condition-expression", "pk = :p",
                         "--expression-attribute-values", vals, "--select",
                         "ALL_PROJECTED_ATTRIBUTES", check_rc=False)
    check(rc != 0 and "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
          "IndexName" in err, "CLI error text: %r" % err)


# ---- parallel Scan ------------------------------------------------------------------------

def setup_seg(ctx):
    if getattr(ctx, "_qs_seg", False):
        return
    create(ctx, SEG, [("pk", "S"), ("sk", "N"), ("g", "S")], [("pk", "HASH"), ("sk", "RANGE")],
           gsis=[index("sgi", [("g", "HASH")])])
    items = []
    for i in range(70):
        for j in range(3):
            it = {"pk": {"S": "u%03d" % i}, "sk": {"N": str(j)}}
            if j == 0:
                it["g"] = {"S": "g%d" % (i % 9)}
            items.append(it)
    put_all(ctx, SEG, items)
    ctx._qs_seg = True


def _key(it):
    return (it["pk"]["S"], it["sk"]["N"])


def test_parallel_scan_segments_partition_the_table(ctx):
    setup_seg(ctx)
    full, _ = scan_all(ctx, TableName=SEG)
    full_keys = sorted(_key(i) for i in full)
    eq(len(full_keys), 210, "full scan")
    eq(len(set(full_keys)), 210, "full scan without duplicates")
    # within a partition the sort keys come in order
    pos = {}
    for n, it in enumerate(full):
        pos.setdefault(it["pk"]["S"], []).append(int(it["sk"]["N"]))
    check(all(v == [0, 1, 2] for v in pos.values()), "sort-key order within a partition")
    for total in (1, 2, 3, 4, 7, 16, 64):
        seen = []
        nonempty = 0
        for seg in range(total):
            items, pages = scan_all(ctx, TableName=SEG, Segment=seg, TotalSegments=total,
                                    Limit=11)
            seen += [_key(i) for i in items]
            nonempty += bool(items)
            for p in pages:
                check(p["ScannedCount"] <= 11, "Limit per page")
        eq(len(seen), 210, "TotalSegments %d: no overlap (count)" % total)
        eq(sorted(seen), full_keys, "TotalSegments %d: union = full scan" % total)
        if total <= 4:
            check(nonempty == total, "TotalSegments %d: every segment has items" % total)
    # the segments of an index
    full_ix, _ = scan_all(ctx, TableName=SEG, IndexName="sgi")
    eq(len(full_ix), 70, "index scan")
    for total in (2, 5):
        seen = []
        for seg in range(total):
            items, _ = scan_all(ctx, TableName=SEG, IndexName="sgi", Segment=seg,
                                TotalSegments=total, Limit=6)
            seen += [_key(i) for i in items]
        eq(sorted(seen), sorted(_key(i) for i in full_ix), "index segments, total %d" % total)
    # subdividing nests segments: segment s of 2 = segments 2s and 2s+1 of 4
    for s in range(2):
        a, _ = scan_all(ctx, TableName=SEG, Segment=s, TotalSegments=2)
        b = []
        for t in (2 * s, 2 * s + 1):
            b += scan_all(ctx, TableName=SEG, Segment=t, TotalSegments=4)[0]
        eq(sorted(_key(i) for i in a), sorted(_key(i) for i in b), "segment %d of 2 nests" % s)


def test_parallel_scan_start_key_from_another_segment(ctx):
    setup_seg(ctx)
    c = ctx.client()
    r = c.scan(TableName=SEG, Segment=0, TotalSegments=4, Limit=2)
    lek = r["LastEvaluatedKey"]
    r2 = c.scan(TableName=SEG, Segment=0, TotalSegments=4, Limit=2, ExclusiveStartKey=lek)
    check(_key(r2["Items"][0]) not in [_key(i) for i in r["Items"]], "same segment resumes")
    for seg in (1, 3):
        expect_error(ctx, "Scan", {"TableName": SEG, "Segment": seg, "TotalSegments": 4,
                                   "ExclusiveStartKey": lek}, 400, VAL,
                     "The provided starting key is invalid: Invalid ExclusiveStartKey. Please "
                     "use ExclusiveStartKey with correct Segment. TotalSegments: 4 Segment: %d"
                     % seg)
    r = c.scan(TableName=SEG, IndexName="sgi", Segment=1, TotalSegments=3, Limit=1)
    expect_error(ctx, "Scan", {"TableName": SEG, "IndexName": "sgi", "Segment": 0,
                               "TotalSegments": 3, "ExclusiveStartKey": r["LastEvaluatedKey"]},
                 400, VAL, "The provided starting key is invalid: Invalid ExclusiveStartKey. "
                 "Please use ExclusiveStartKey with correct Segment. TotalSegments: 3 Segment: 0")


def test_last_evaluated_key_with_escaped_values(ctx):
    """LastEvaluatedKey is cut from the stored text: quotes, backslashes, control
    characters and non-ASCII in key values, and nested values beside them."""
    c = ctx.client()
    c.create_table(TableName="qs-esc", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}])
    pk = 'a"b\\c\n\u00e9\u6f22\U0001f600'
    sks = ['x"%d' % i for i in range(3)] + ["y\\{[,]}", "z\u0001"]
    for sk in sks:
        c.put_item(TableName="qs-esc", Item={
            "pk": {"S": pk}, "sk": {"S": sk},
            "m": {"M": {"q": {"S": '},"sk":{"S":"fake"}'}, "l": {"L": [{"N": "1"}, {"S": "]"}]}}}})
    seen, start = [], None
    for _ in range(10):
        kw = {"ExclusiveStartKey": start} if start else {}
        r = c.query(TableName="qs-esc", KeyConditionExpression="pk = :p", Limit=1,
                    ExpressionAttributeValues={":p": {"S": pk}}, **kw)
        seen += [i["sk"]["S"] for i in r["Items"]]
        start = r.get("LastEvaluatedKey")
        if r["Items"]:
            eq(start, {"pk": {"S": pk}, "sk": r["Items"][0]["sk"]}, "LastEvaluatedKey")
        if not start:
            break
    eq(seen, sorted(sks, key=lambda s: s.encode()), "every item once, in order")
