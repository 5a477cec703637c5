"""Items in and out: every attribute type through the boto3 client, the
boto3 resource layer, the AWS CLI and raw HTTP; numbers in DynamoDB's
canonical form (wire-fidelity.md §6); ReturnValues ALL_OLD; GetItem of a
missing item; DescribeTable's live ItemCount / TableSizeBytes.
"""
import base64
import decimal
import json

from boto3.dynamodb.types import Binary

import harness
from harness import check, eq

HASH = "rt-hash"     # pk S
COMP = "rt-comp"     # pk S, sk N
BINK = "rt-bin"      # pk B


def setup(ctx):
    if getattr(ctx, "_rt_ready", False):
        return
    c = ctx.client()
    for name, defs, keys in [
        (HASH, [("pk", "S")], [("pk", "HASH")]),
        (COMP, [("pk", "S"), ("sk", "N")], [("pk", "HASH"), ("sk", "RANGE")]),
        (BINK, [("pk", "B")], [("pk", "HASH")]),
    ]:
        c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                                             for n, t in defs],
                       KeySchema=[{"AttributeName": n, "KeyType": t} for n, t in keys])
    ctx._rt_ready = True


def canon_sets(av):
    """Sets compare as sets: sort their members (recursively)."""
    (t, v), = av.items()
    if t in ("SS", "NS", "BS"):
        return {t: sorted(v)}
    if t == "M":
        return {t: {k: canon_sets(x) for k, x in v.items()}}
    if t == "L":
        return {t: [canon_sets(x) for x in v]}
    return av


def canon_item(item):
    return {k: canon_sets(v) for k, v in item.items()}


EVERY_TYPE = {
    "pk": {"S": "every-type"},
    "s": {"S": "h\u00e9llo \u2603 \U0001f600"},
    "s_empty": {"S": ""},
    "n": {"N": "123.456"},
    "n_neg": {"N": "-7"},
    "b": {"B": bytes(range(256))},
    "b_empty": {"B": b""},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "nul": {"NULL": True},
    "m": {"M": {"a": {"S": "x"}, "nested": {"M": {"deep": {"L": [{"N": "1"}, {"S": "two"}]}}},
                "empty_map": {"M": {}}}},
    "l": {"L": [{"S": "a"}, {"N": "2"}, {"BOOL": False}, {"NULL": True}, {"L": []},
                {"M": {"k": {"SS": ["p", "q"]}}}, {"B": b"\x01"}]},
    "l_empty": {"L": []},
    "ss": {"SS": ["b", "a", "", "\u00e9"]},
    "ns": {"NS": ["3", "1", "-2.5", "1E+2"]},
    "bs": {"BS": [b"\x00", b"\xff", b""]},
    "name with spaces and \u00fcnicode": {"S": "ok"},
}


def test_every_type_boto3_client(ctx):
    setup(ctx)
    c = ctx.client()
    c.put_item(TableName=HASH, Item=EVERY_TYPE)
    got = c.get_item(TableName=HASH, Key={"pk": {"S": "every-type"}})["Item"]
    want = dict(EVERY_TYPE, ns={"NS": ["3", "1", "-2.5", "100"]})
    eq(canon_item(got), canon_item(want), "item read back")
    got = c.get_item(TableName=HASH, Key={"pk": {"S": "every-type"}}, ConsistentRead=True,
                     AttributesToGet=["s", "ns", "missing"])["Item"]
    eq(canon_item(got), canon_item({"s": want["s"], "ns": want["ns"]}), "AttributesToGet")


def test_every_type_resource_layer(ctx):
    setup(ctx)
    table = ctx.resource().Table(COMP)
    big = decimal.Decimal("12345678901234567890123456789012345678")
    small = decimal.Decimal("-0.00000000000000000000000000000000000012345678901234567890123456789012345678")
    item = {
        "pk": "res", "sk": decimal.Decimal("1.5"),
        "s": "text", "n": decimal.Decimal("42"), "big": big, "small": small,
        "b": Binary(b"\x00bin\xff"), "t": True, "f": False, "nul": None,
        "m": {"x": [1, "two", {"three": decimal.Decimal("3.0")}], "y": {"z": None}},
        "ss": {"a", "b"}, "ns": {decimal.Decimal(1), decimal.Decimal("2.5")},
        "bs": {Binary(b"1"), Binary(b"2")},
    }
    table.put_item(Item=item)
    got = table.get_item(Key={"pk": "res", "sk": decimal.Decimal("1.50")})["Item"]
    want = dict(item)
    want["m"] = {"x": [decimal.Decimal(1), "two", {"three": decimal.Decimal(3)}], "y": {"z": None}}
    eq(got, want, "resource layer round trip")
    # 38 significant digits come back exactly (boto3's context traps Inexact/Rounded)
    eq((got["big"], str(got["big"])), (big, "12345678901234567890123456789012345678"),
       "38-digit integer")
    eq(got["small"], small, "38-digit fraction")
    # update through the resource layer's ALL_OLD
    k15 = decimal.Decimal("1.5")
    old = table.put_item(Item={"pk": "res", "sk": k15, "s": "new"}, ReturnValues="ALL_OLD")
    eq(old["Attributes"], want, "ALL_OLD through the resource layer")
    old = table.delete_item(Key={"pk": "res", "sk": k15}, ReturnValues="ALL_OLD")
    eq(old["Attributes"], {"pk": "res", "sk": k15, "s": "new"}, "deleted")
    check("Item" not in table.get_item(Key={"pk": "res", "sk": k15}), "gone")


def test_every_type_cli(ctx):
    setup(ctx)
    item = {"pk": {"S": "cli"}, "n": {"N": "00042"}, "b": {"B": "AP4="}, "bs": {"BS": ["eA=="]},
            "ss": {"SS": ["q"]}, "ns": {"NS": ["1.10"]},
            "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": True}]}}}}
    ctx.aws("dynamodb", "put-item", "--table-name", HASH, "--item", json.dumps(item))
    got = ctx.aws_json("dynamodb", "get-item", "--table-name", HASH, "--key",
                       '{"pk":{"S":"cli"}}')["Item"]
    want = dict(item, n={"N": "42"}, ns={"NS": ["1.1"]})
    _, out, err = ctx.aws("--version")
    if "aws-cli/1." in out + err:
        # AWS CLI v1 takes blob arguments as raw text and base64-encodes them itself
        want["b"] = {"B": base64.b64encode(b"AP4=").decode()}
        want["bs"] = {"BS": [base64.b64encode(b"eA==").decode()]}
    eq(got, want, "CLI round trip")
    old = ctx.aws_json("dynamodb", "put-item", "--table-name", HASH, "--item",
                       '{"pk":{"S":"cli"},"v":{"S":"2"}}', "--return-values", "ALL_OLD")
    eq(old["Attributes"], want, "CLI ALL_OLD")
    out = ctx.aws_json("dynamodb", "delete-item", "--table-name", HASH, "--key",
                       '{"pk":{"S":"cli"}}')
    eq(out, {}, "CLI delete-item without ReturnValues")


NUMBERS = [
    ("00042", "42"), ("1.5E2", "150"), ("3.1400", "3.14"), ("-0", "0"), ("0.0", "0"),
    ("1.0", "1"), ("-00.500", "-0.5"), ("1e0", "1"), ("12E-1", "1.2"),
    ("100", "100"), ("1E2", "100"), ("0.001", "0.001"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("-1234567890.1234567890123456789012345678", "-1234567890.1234567890123456789012345678"),
]


def test_number_canonical_forms(ctx):
    setup(ctx)
    c = ctx.client()
    for i, (sent, want) in enumerate(NUMBERS):
        pk = {"S": "num%d" % i}
        st, body, _ = ctx.call("PutItem", {"TableName": HASH,
                                           "Item": {"pk": pk, "n": {"N": sent},
                                                    "ns": {"NS": [sent]}}})
        eq(st, 200, "PutItem %r: %r" % (sent, body))
        st, _, data = ctx.signed("GetItem", {"TableName": HASH, "Key": {"pk": pk}})
        got = json.loads(data)["Item"]
        eq((got["n"], got["ns"]), ({"N": want}, {"NS": [want]}), "number %r" % sent)
    # the extremes of the range are stored (value equal through Decimal; boto3's own
    # context cannot represent 1E-130, so a wide one is used here)
    ctx_ = decimal.Context(prec=60, Emin=-999, Emax=999)
    for sent in ["9.9999999999999999999999999999999999999E+125", "1E-130",
                 "-9.9999999999999999999999999999999999999E+125", "-1E-130"]:
        c.put_item(TableName=HASH, Item={"pk": {"S": "edge"}, "n": {"N": sent}})
        got = c.get_item(TableName=HASH, Key={"pk": {"S": "edge"}})["Item"]["n"]["N"]
        eq(ctx_.create_decimal(got), ctx_.create_decimal(sent), "extreme %s (got %s)" % (sent, got))
    # numeric keys are compared as numbers: 1.50 and 1.5 are the same key
    c.put_item(TableName=COMP, Item={"pk": {"S": "k"}, "sk": {"N": "1.50"}, "v": {"S": "a"}})
    c.put_item(TableName=COMP, Item={"pk": {"S": "k"}, "sk": {"N": "15E-1"}, "v": {"S": "b"}})
    got = c.get_item(TableName=COMP, Key={"pk": {"S": "k"}, "sk": {"N": "1.5"}})["Item"]
    eq(got, {"pk": {"S": "k"}, "sk": {"N": "1.5"}, "v": {"S": "b"}}, "one item for 1.50 / 15E-1")


def test_null_false_is_stored_as_true(ctx):
    """§1.2 g (CURRENT): {"NULL": false} is accepted and reads back as true."""
    setup(ctx)
    st, body, _ = ctx.call("PutItem", {"TableName": HASH, "Item": {
        "pk": {"S": "nullf"}, "x": {"NULL": False}, "m": {"M": {"y": {"NULL": False}}}}})
    eq(st, 200, "accepted: %r" % (body,))
    st, body, _ = ctx.call("GetItem", {"TableName": HASH, "Key": {"pk": {"S": "nullf"}}})
    eq(body["Item"], {"pk": {"S": "nullf"}, "x": {"NULL": True}, "m": {"M": {"y": {"NULL": True}}}},
       "stored as NULL true")


def test_return_values_and_missing_items(ctx):
    setup(ctx)
    key = {"pk": {"S": "rv"}}
    # GetItem of a missing item: {} exactly
    st, _, data = ctx.signed("GetItem", {"TableName": HASH, "Key": key})
    eq((st, data), (200, b"{}"), "GetItem of a missing item")
    # PutItem of a new item with ALL_OLD: {} (no Attributes)
    st, _, data = ctx.signed("PutItem", {"TableName": HASH, "Item": dict(key, v={"N": "1"}),
                                         "ReturnValues": "ALL_OLD"})
    eq((st, data), (200, b"{}"), "PutItem ALL_OLD of a new item")
    st, _, data = ctx.signed("PutItem", {"TableName": HASH, "Item": dict(key, v={"N": "2"}),
                                         "ReturnValues": "NONE"})
    eq((st, data), (200, b"{}"), "PutItem NONE")
    st, body, _ = ctx.call("PutItem", {"TableName": HASH, "Item": dict(key, w={"S": "x"}),
                                       "ReturnValues": "ALL_OLD"})
    eq(body, {"Attributes": {"pk": {"S": "rv"}, "v": {"N": "2"}}}, "PutItem ALL_OLD replaces")
    st, body, _ = ctx.call("GetItem", {"TableName": HASH, "Key": key})
    eq(body, {"Item": {"pk": {"S": "rv"}, "w": {"S": "x"}}}, "the item was replaced, not merged")
    st, body, _ = ctx.call("DeleteItem", {"TableName": HASH, "Key": key, "ReturnValues": "ALL_OLD"})
    eq(body, {"Attributes": {"pk": {"S": "rv"}, "w": {"S": "x"}}}, "DeleteItem ALL_OLD")
    # deleting a missing item is a no-op
    st, _, data = ctx.signed("DeleteItem", {"TableName": HASH, "Key": key,
                                            "ReturnValues": "ALL_OLD"})
    eq((st, data), (200, b"{}"), "DeleteItem of a missing item")
    st, _, data = ctx.signed("DeleteItem", {"TableName": HASH, "Key": key})
    eq((st, data), (200, b"{}"), "DeleteItem without ReturnValues")


def test_binary_keys_and_table_arn(ctx):
    setup(ctx)
    c = ctx.client()
    for k in [b"\x00", b"\x00\x00", b"\xff", bytes(range(256))]:
        c.put_item(TableName=BINK, Item={"pk": {"B": k}, "v": {"N": str(len(k))}})
    for k in [b"\x00", b"\x00\x00", b"\xff", bytes(range(256))]:
        got = c.get_item(TableName=BINK, Key={"pk": {"B": k}})["Item"]
        eq(got, {"pk": {"B": k}, "v": {"N": str(len(k))}}, "binary key %r" % k[:4])
    arn = "arn:aws:dynamodb:%s:123456789012:table/%s" % (harness.REGION, HASH)
    c.put_item(TableName=arn, Item={"pk": {"S": "via-arn"}})
    eq(c.get_item(TableName=HASH, Key={"pk": {"S": "via-arn"}})["Item"], {"pk": {"S": "via-arn"}},
       "PutItem by table ARN")
    eq(c.delete_item(TableName=arn, Key={"pk": {"S": "via-arn"}},
                     ReturnValues="ALL_OLD")["Attributes"], {"pk": {"S": "via-arn"}},
       "DeleteItem by table ARN")


def test_describe_table_live_counts(ctx):
    c = ctx.client()
    name = ctx.unique("rt-count")
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])

    def counts():
        t = c.describe_table(TableName=name)["Table"]
        return t["ItemCount"], t["TableSizeBytes"]
    eq(counts(), (0, 0), "empty")
    c.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"S": "12345"}})   # 2+1 + 1+5
    eq(counts(), (1, 9), "one item")
    c.put_item(TableName=name, Item={"pk": {"S": "b"}, "n": {"N": "-12.5"}})   # 3 + 1+4
    eq(counts(), (2, 17), "two items")
    c.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"S": "1"}})       # overwrite: 5
    eq(counts(), (2, 13), "overwrite changes the size, not the count")
    c.put_item(TableName=name, Item={"pk": {"S": "c"}, "l": {"L": [{"S": "ab"}, {"BOOL": True}]},
                                     "m": {"M": {"k": {"NULL": True}}}})
    # "pk"+"c" 3; "l" 1 + 3 + (1+2) + (1+1) = 9; "m" 1 + 3 + (1+1+1) = 7  -> 19
    eq(counts(), (3, 32), "list and map sizes")
    c.delete_item(TableName=name, Key={"pk": {"S": "b"}})
    c.delete_item(TableName=name, Key={"pk": {"S": "nope"}})
    eq(counts(), (2, 24), "after deletes")


def test_item_collection_metrics(ctx):
    """ReturnItemCollectionMetrics SIZE: only for tables with an LSI, keyed by the
    partition key; BatchWriteItem lists one per written item collection."""
    setup(ctx)
    c = ctx.client()
    c.create_table(TableName="rt-lsi", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                                         for n in ("pk", "sk", "l")],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}],
                   LocalSecondaryIndexes=[{
                       "IndexName": "by-l", "Projection": {"ProjectionType": "ALL"},
                       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "l", "KeyType": "RANGE"}]}])
    want = {"ItemCollectionKey": {"pk": {"S": "c1"}}, "SizeEstimateRangeGB": [0.0, 1.0]}
    r = c.put_item(TableName="rt-lsi", Item={"pk": {"S": "c1"}, "sk": {"S": "1"},
                                             "l": {"S": "x"}},
                   ReturnItemCollectionMetrics="SIZE")
    eq(r["ItemCollectionMetrics"], want, "PutItem")
    r = c.update_item(TableName="rt-lsi", Key={"pk": {"S": "c1"}, "sk": {"S": "2"}},
                      UpdateExpression="SET l = :l", ExpressionAttributeValues={":l": {"S": "y"}},
                      ReturnItemCollectionMetrics="SIZE")
    eq(r["ItemCollectionMetrics"], want, "UpdateItem")
    r = c.delete_item(TableName="rt-lsi", Key={"pk": {"S": "c1"}, "sk": {"S": "2"}},
                      ReturnItemCollectionMetrics="SIZE")
    eq(r["ItemCollectionMetrics"], want, "DeleteItem")
    r = c.put_item(TableName="rt-lsi", Item={"pk": {"S": "c1"}, "sk": {"S": "3"}})
    check("ItemCollectionMetrics" not in r, "not asked for")
    r = c.put_item(TableName=HASH, Item={"pk": {"S": "icm"}}, ReturnItemCollectionMetrics="SIZE")
    check("ItemCollectionMetrics" not in r, "a table without an LSI has none")
    r = c.batch_write_item(RequestItems={
        "rt-lsi": [{"PutRequest": {"Item": {"pk": {"S": "c1"}, "sk": {"S": "4"}}}},
                   {"PutRequest": {"Item": {"pk": {"S": "c2"}, "sk": {"S": "1"}}}},
                   {"DeleteRequest": {"Key": {"pk": {"S": "c1"}, "sk": {"S": "1"}}}}],
        HASH: [{"PutRequest": {"Item": {"pk": {"S": "icm2"}}}}]},
        ReturnItemCollectionMetrics="SIZE")
    eq(r["ItemCollectionMetrics"], {"rt-lsi": [
        want, {"ItemCollectionKey": {"pk": {"S": "c2"}}, "SizeEstimateRangeGB": [0.0, 1.0]}]},
        "BatchWriteItem: one per item collection, LSI tables only")
