#!/usr/bin/env python3
"""make_seeds.py -- writes the seed corpora of fuzz_shape, fuzz_sigv4 and
fuzz_dispatch (fixtures/fuzz/{shape,sigv4,dispatch}/seed-*), deterministically.
Run from anywhere; rerun after changing the seeds below. Files whose names do
not start with "seed-" (kept crashers, "regress-*", dictionaries) are left alone.
"""
import hashlib
import json
import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "fixtures", "fuzz")


def ops_in_model():
    text = open(os.path.join(ROOT, "emulator", "shapes.gen.c")).read()
    block = text[text.index("sh_operations[]"):]
    return re.findall(r'\{"(\w+)", -?\d+\}', block)


def S(v):
    return {"S": v}


def N(v):
    return {"N": v}


ITEM = {"PK": S("p0"), "SK": S("s9"), "GA": S("ga1"), "GB": N("7"), "LS": N("3"),
        "n": N("1"), "b": {"B": "AQID"}, "t": {"BOOL": True}, "z": {"NULL": True},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": ["AQ==", "Ag=="]},
        "l": {"L": [S("x"), N("-1e-5"), {"M": {"k": S("v")}}]},
        "m": {"M": {"k": {"L": []}, "e": {"M": {}}}}}
KEY = {"PK": S("p0"), "SK": S("s0")}
NAMES = {"#n": "n", "#l": "l", "#m": "m"}
VALUES = {":one": N("1"), ":s": S("x"), ":zero": N("0"), ":l": {"L": [N("2")]}}


def nested(depth, leaf=None):
    v = leaf or S("leaf")
    for i in range(depth):
        v = {"M": {"k": v}} if i % 2 else {"L": [v]}
    return v


# (operation, body) pairs, for table tab of fuzz_dispatch's template (PK/SK
# strings, GSI gsi on GA/GB, LSI lsi on PK/LS) and hsh (id N, GSI gix on x B).
REQUESTS = [
    ("PutItem", {"TableName": "tab", "Item": ITEM}),
    ("PutItem", {"TableName": "tab", "Item": ITEM, "ReturnValues": "ALL_OLD",
                 "ConditionExpression": "attribute_not_exists(PK) OR #n < :one",
                 "ExpressionAttributeNames": {"#n": "n"},
                 "ExpressionAttributeValues": {":one": N("1")}}),
    ("PutItem", {"TableName": "tab", "Item": {"PK": S("p1"), "SK": S("s1"), "GA": N("1")}}),
    ("PutItem", {"TableName": "tab", "Item": {"PK": S("p1"), "SK": S("s1"),
                                            "deep": nested(33)}}),
    ("PutItem", {"TableName": "hsh", "Item": {"id": N("12345678901234567890123456789012345678"),
                                            "x": {"B": "AAAA"}}}),
    ("PutItem", {"TableName": "tab", "Item": {"PK": S("p1"), "SK": S(""), "n": N("1E126")}}),
    ("PutItem", {"TableName": "tab", "Item": {"PK": S("p1"), "SK": S("s"),
                                            "ss": {"SS": ["a", "a"]}}}),
    ("GetItem", {"TableName": "tab", "Key": KEY, "ConsistentRead": True,
                 "ProjectionExpression": "#l[0], m.k, n", "ExpressionAttributeNames": {"#l": "l"}}),
    ("GetItem", {"TableName": "hsh", "Key": {"id": N("1")}, "AttributesToGet": ["x", "bs"]}),
    ("UpdateItem", {"TableName": "tab", "Key": KEY,
                    "UpdateExpression": "SET #n = if_not_exists(#n, :zero) + :one, "
                                        "#l = list_append(:l, #l) REMOVE m.k ADD ss :ss",
                    "ConditionExpression": "attribute_exists(PK) AND size(#l) > :zero",
                    "ExpressionAttributeNames": {"#n": "n", "#l": "l"},
                    "ExpressionAttributeValues": {":one": N("1"), ":zero": N("0"),
                                                  ":l": {"L": [N("2")]},
                                                  ":ss": {"SS": ["c"]}},
                    "ReturnValues": "ALL_NEW",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    ("UpdateItem", {"TableName": "tab", "Key": KEY,
                    "AttributeUpdates": {"GA": {"Action": "PUT", "Value": S("g2")},
                                         "GB": {"Action": "ADD", "Value": N("5")},
                                         "ns": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
                    "Expected": {"PK": {"Exists": True, "Value": S("p0")}},
                    "ReturnValues": "UPDATED_OLD"}),
    ("UpdateItem", {"TableName": "tab", "Key": {"PK": S("p1"), "SK": S("s1")},
                    "UpdateExpression": "SET GA = :s, GB = :one, LS = :one",
                    "ExpressionAttributeValues": {":s": S("x"), ":one": N("1")}}),
    ("DeleteItem", {"TableName": "tab", "Key": KEY, "ReturnValues": "ALL_OLD",
                    "ConditionExpression": "contains(ss, :s) OR begins_with(PK, :s)",
                    "ExpressionAttributeValues": {":s": S("p")}}),
    ("Query", {"TableName": "tab", "KeyConditionExpression": "PK = :p AND SK BETWEEN :a AND :b",
               "ExpressionAttributeValues": {":p": S("p0"), ":a": S("a"), ":b": S("z")},
               "ScanIndexForward": False, "Limit": 2}),
    ("Query", {"TableName": "tab", "IndexName": "gsi", "KeyConditionExpression": "GA = :g",
               "FilterExpression": "n > :zero", "Select": "ALL_PROJECTED_ATTRIBUTES",
               "ExpressionAttributeValues": {":g": S("ga0"), ":zero": N("0")}}),
    ("Query", {"TableName": "tab", "IndexName": "lsi",
               "KeyConditions": {"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p0")]},
                                 "LS": {"ComparisonOperator": "GE", "AttributeValueList": [N("0")]}},
               "Select": "COUNT"}),
    ("Query", {"TableName": "tab", "KeyConditionExpression": "PK = :p",
               "ExclusiveStartKey": {"PK": S("p0"), "SK": S("s0")},
               "ExpressionAttributeValues": {":p": S("p0")}}),
    ("Scan", {"TableName": "tab", "FilterExpression": "attribute_type(m, :t) AND NOT z = :t",
              "ExpressionAttributeValues": {":t": S("M")}, "Segment": 1, "TotalSegments": 3}),
    ("Scan", {"TableName": "hsh", "IndexName": "gix", "Limit": 1,
              "ScanFilter": {"x": {"ComparisonOperator": "NOT_NULL"}}}),
    ("BatchWriteItem", {"RequestItems": {"tab": [
        {"PutRequest": {"Item": {"PK": S("b1"), "SK": S("1"), "GA": S("x"), "GB": N("1")}}},
        {"DeleteRequest": {"Key": KEY}}], "hsh": [
        {"PutRequest": {"Item": {"id": N("9"), "x": {"B": "AQ=="}}}}]},
        "ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE"}),
    ("BatchGetItem", {"RequestItems": {"tab": {"Keys": [KEY, {"PK": S("p1"), "SK": S("s1")}],
                                             "ProjectionExpression": "PK, n"},
                                       "hsh": {"Keys": [{"id": N("1")}], "ConsistentRead": True}}}),
    ("CreateTable", {"TableName": "cre", "BillingMode": "PAY_PER_REQUEST",
                     "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"},
                                              {"AttributeName": "b", "AttributeType": "N"}],
                     "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                     "GlobalSecondaryIndexes": [{"IndexName": "gb", "KeySchema": [
                         {"AttributeName": "b", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "INCLUDE",
                                        "NonKeyAttributes": ["c"]}}],
                     "Tags": [{"Key": "k", "Value": "v"}]}),
    ("UpdateTable", {"TableName": "tab", "AttributeDefinitions": [
        {"AttributeName": "n", "AttributeType": "N"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gn", "KeySchema": [
            {"AttributeName": "n", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}}, {"Delete": {"IndexName": "gsi"}}]}),
    ("UpdateTable", {"TableName": "hsh", "BillingMode": "PAY_PER_REQUEST"}),
    ("DeleteTable", {"TableName": "tab"}),
    ("DescribeTable", {"TableName": "WorkshopShared"}),
    ("ListTables", {"Limit": 2, "ExclusiveStartTableName": "a"}),
    ("TagResource", {"ResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/tab",
                     "Tags": [{"Key": "a", "Value": "b"}]}),
    ("UntagResource", {"ResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/tab",
                       "TagKeys": ["a"]}),
    ("ListTagsOfResource", {"ResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/tab"}),
    ("DescribeLimits", {}),
    ("DescribeEndpoints", {}),
]

# Requests a workshop tenant (t-000) makes, and the ones it must be refused.
TENANT = [
    ("GetItem", {"TableName": "WorkshopShared",
                 "Key": {"PK": S("TENANT#t-000#USER#0"), "SK": S("PROFILE#0")}}),
    ("GetItem", {"TableName": "WorkshopShared",
                 "Key": {"PK": S("TENANT#t-001#USER#0"), "SK": S("PROFILE#0")}}),
    ("Query", {"TableName": "WorkshopShared", "IndexName": "GSI1",
               "KeyConditionExpression": "GSI1PK = :p",
               "ExpressionAttributeValues": {":p": S("TENANT#t-000#EMAIL")}}),
    ("Query", {"TableName": "WorkshopShared", "KeyConditionExpression": "PK = :p",
               "ExpressionAttributeValues": {":p": S("TENANT#t-001#USER#1")}}),
    ("Scan", {"TableName": "WorkshopShared"}),
    ("BatchGetItem", {"RequestItems": {"WorkshopShared": {"Keys": [
        {"PK": S("TENANT#t-000#USER#0"), "SK": S("PROFILE#0")},
        {"PK": S("TENANT#t-001#USER#0"), "SK": S("PROFILE#0")}]}}}),
    ("PutItem", {"TableName": "WorkshopShared", "Item": {
        "PK": S("TENANT#t-000#USER#9"), "SK": S("PROFILE#9"),
        "GSI1PK": S("TENANT#t-000#EMAIL"), "GSI1SK": S("z@x")}}),
    ("PutItem", {"TableName": "WorkshopShared", "Item": {
        "PK": S("TENANT#t-001#USER#0"), "SK": S("PROFILE#0")},
        "ReturnValues": "ALL_OLD"}),
    ("UpdateItem", {"TableName": "WorkshopShared",
                    "Key": {"PK": S("TENANT#t-001#USER#0"), "SK": S("PROFILE#0")},
                    "UpdateExpression": "SET x = :s", "ConditionExpression": "secret = :s",
                    "ExpressionAttributeValues": {":s": S("guess")},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    ("DeleteItem", {"TableName": "WorkshopShared",
                    "Key": {"PK": S("TENANT#t-001#USER#1"), "SK": S("PROFILE#1")},
                    "ReturnValues": "ALL_OLD"}),
    ("GetItem", {"TableName": "ws-att-001", "Key": {"PK": S("k")}}),
    ("Scan", {"TableName": "ws-att-000"}),
    ("Scan", {"TableName": "ws-att-001"}),
    ("DescribeTable", {"TableName": "ws-att-001"}),
    ("ListTables", {}),
    ("BatchWriteItem", {"RequestItems": {"WorkshopShared": [
        {"PutRequest": {"Item": {"PK": S("TENANT#t-000#A"), "SK": S("1")}}},
        {"DeleteRequest": {"Key": {"PK": S("TENANT#t-001#USER#2"), "SK": S("PROFILE#2")}}}]}}),
]


def write(dirname, name, data):
    path = os.path.join(FIX, dirname)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def clear_seeds(dirname):
    path = os.path.join(FIX, dirname)
    if os.path.isdir(path):
        for f in os.listdir(path):
            if f.startswith("seed-"):
                os.remove(os.path.join(path, f))


def shape_seeds():
    clear_seeds("shape")
    ops = ops_in_model()
    extra = [
        ("PutItem", '{"TableName":"tab","Item":{"a":{"S":"x","N":null,"junk":1}},"Unknown":[1]}'),
        ("PutItem", '{"TableName":"tab","Item":{"a":{"B":"AQ="}}}'),
        ("PutItem", '{"TableName":"tab","Item":{"a":{"BOOL":"yes"},"b":{"NS":["1","01"]}}}'),
        ("PutItem", '{"TableName":"tab","Item":{"a":{"N":"1e-131"},"b":{"N":"-0.000"}}}'),
        ("PutItem", '{"TableName":"tab","Item":{"a":{"SS":[null,"x"]},"b":{"BS":["AQ==","AQ=="]}}}'),
        ("PutItem", '{"TableName":"tab","Item":{"a":{"S":"\\u0000\\ud83d\\ude00"}}}'),
        ("Scan", '{"TableName":"tab","Limit":1.9,"Segment":"1","TotalSegments":1e3}'),
        ("Query", '{"TableName":["t"],"Limit":{"x":1}}'),
        ("CreateTable", '{"TableName":"tab","ProvisionedThroughput":{"ReadCapacityUnits":'
                        '99999999999999999999}}'),
        ("ListTables", '{"Limit":-1}'),
        ("BatchWriteItem", '{"RequestItems":{"t":[{"PutRequest":{"Item":{"a":{"M":{"b":'
                           '{"L":[{"NULL":false}]}}}}}}]}}'),
    ]
    bodies = [(op, json.dumps(b, separators=(",", ":"))) for op, b in REQUESTS + TENANT]
    bodies += extra
    bodies.append(("PutItem", json.dumps({"TableName": "tab", "Item": {"d": nested(40)}})))
    for op, body in bodies:
        data = bytes([ops.index(op)]) + body.encode()
        write("shape", "seed-%s-%s" % (op, hashlib.sha1(data).hexdigest()[:10]), data)


SIG_HEADERS = [
    "Host: dynamodb.us-east-1.amazonaws.com",
    "Content-Type: application/x-amz-json-1.0",
    "X-Amz-Date: 20251125T035400Z",
    "X-Amz-Target: DynamoDB_20120810.GetItem",
]
AUTH = ("Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251125/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=" + "0" * 64)


def sigv4_seeds():
    clear_seeds("sigv4")
    cases = {
        "header": (0, "/", SIG_HEADERS + [AUTH], "{}"),
        "header-sts": (1, "/", SIG_HEADERS + [AUTH.replace("/dynamodb/", "/sts/")],
                       "Action=GetCallerIdentity&Version=2011-06-15"),
        "no-auth": (0, "/", SIG_HEADERS, ""),
        "both": (0, "/?X-Amz-Algorithm=AWS4-HMAC-SHA256", SIG_HEADERS + [AUTH], ""),
        "bad-pair": (0, "/", SIG_HEADERS + ["Authorization: AWS4-HMAC-SHA256 Credential"], ""),
        "http-date": (0, "/", ["Host: x", "Date: Tue, 25 Nov 2025 03:54:00 GMT",
                               AUTH.replace("x-amz-date;x-amz-target", "date")], ""),
        "skew": (4, "/", SIG_HEADERS + [AUTH], ""),
        "bad-scope": (0, "/", SIG_HEADERS + [AUTH.replace("us-east-1/dynamodb/aws4_request",
                                                          "US/s3/aws4")], ""),
        "short-cred": (0, "/", SIG_HEADERS + [AUTH.replace("AKIDEXAMPLE/20251125/", "")], ""),
        "token": (0, "/", SIG_HEADERS + ["X-Amz-Security-Token: abc==", AUTH], ""),
        "sha256": (0, "/", SIG_HEADERS + ["x-amz-content-sha256: UNSIGNED-PAYLOAD",
                                          AUTH.replace("SignedHeaders=", "SignedHeaders=x-amz-content-sha256;")], "x"),
        "presigned": (0, "/path/./a/../b%2Fc?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                         "AKID%2F20251125%2Fus-east-1%2Fdynamodb%2Faws4_request&X-Amz-Date="
                         "20251125T035400Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"
                         "X-Amz-Signature=abcd&X-Amz-Security-Token=t%2Bk&b=2&a=1&a=",
                      ["Host: localhost"], ""),
        "presigned-missing": (0, "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=x", [], ""),
        "roundtrip": (2, "/a b/%7e?z=1&a=%20&=&&b", ["Content-Type: text/plain",
                                                    "X-Custom:   spaced   value  ",
                                                    "x-custom: second", "Empty:"], "body"),
        "roundtrip-sts": (3, "/", ["X-Amz-Target: sts", "Accept: */*"],
                          "Action=GetCallerIdentity"),
    }
    for name, (flags, target, headers, body) in cases.items():
        data = bytes([flags]) + ("\n".join([target] + headers) + "\n\n" + body).encode()
        write("sigv4", "seed-" + name, data)


def dispatch_seeds():
    clear_seeds("dispatch")
    rs = b"\x1e"

    def rec(op, body, region=None):
        head = op + (" " + region if region else "")
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body, separators=(",", ":"))
        if isinstance(body, str):
            body = body.encode()
        return head.encode() + b"\n" + body

    n = 0

    def put(mode, records, name):
        nonlocal n
        n += 1
        write("dispatch", "seed-%02d-%s" % (n, name), mode + rs.join(records))

    for op, body in REQUESTS:
        put(b"0", [rec(op, body)], op)
    # a write then reads, so that the fuzzer starts from working sequences
    put(b"0", [rec(*REQUESTS[0]), rec(*REQUESTS[9]), rec(*REQUESTS[13]), rec(*REQUESTS[19])],
        "sequence")
    put(b"0", [rec(*REQUESTS[21]), rec("PutItem", {"TableName": "cre", "Item": {
        "a": S("x"), "b": N("2"), "c": S("y"), "d": S("z")}}), rec("Scan", {
        "TableName": "cre", "IndexName": "gb"}), rec("DeleteTable", {"TableName": "cre"})],
        "create-use-delete")
    put(b"0", [rec("Scan", {"TableName": "tab"}, "eu-west-1"), rec("Scan", {"TableName": "tab"})],
        "regions")
    for mode in (b"1", b"2"):
        for op, body in TENANT:
            put(mode, [rec(op, body)], "tenant-" + op)
    put(b"3", [rec("Scan", {"TableName": "WorkshopShared"}),
               rec("Query", {"TableName": "WorkshopShared", "IndexName": "GSI1",
                             "KeyConditionExpression": "GSI1PK = :p",
                             "ExpressionAttributeValues": {":p": S("TENANT#t-001#EMAIL")}})],
        "organizer")
    # the other protocols and endpoints
    put(b"0", [rec("sts", "Action=GetCallerIdentity&Version=2011-06-15")], "sts")
    put(b"1", [rec("sts", "Action=GetCallerIdentity&Version=2011-06-15")], "sts-tenant")
    put(b"0", [rec("/_ddbd/metrics?region=us-east-1&table=tab", ""),
               rec("/_ddbd/insights?region=us-east-1&table=tab&index=gsi", ""),
               rec("/_ddbd/prometheus", ""), rec("/_ddbd/decisions?after=0", ""),
               rec("/_ddbd/clock", '{"Advance":1}')], "admin")
    # hostile shapes
    put(b"0", [rec("PutItem", '{"TableName":"tab","Item":' + "[" * 3000 + "]" * 3000 + "}")],
        "deep-json")
    put(b"0", [rec("PutItem", {"TableName": "tab", "Item": {"PK": S("p"), "SK": S("s"),
                                                          "d": nested(200)}})], "deep-av")
    put(b"0", [rec("PutItem", b'{"TableName":"tab","Item":{"PK":{"S":"\xff\xfe"}}}')], "bad-utf8")
    put(b"0", [rec("GetItem", '{"TableName":"tab","Key":{"PK":{"S":"p"},"SK":{"S":"s"}},'
                              '"ProjectionExpression":"' + "a." * 400 + 'a"}')], "long-path")
    evil = "\u0001ddbd-raw:1,\"injected\":true,\"x\":\"y"
    put(b"0", [rec("UpdateItem", {"TableName": "tab", "Key": KEY, "UpdateExpression": "SET w = :v",
                                  "ExpressionAttributeValues": {":v": S(evil)},
                                  "ReturnValues": "ALL_NEW"}),
               rec("DescribeTable", {"TableName": "tab"})], "raw-marker")
    put(b"0", [rec("-", "{}"), rec("DynamoDB_20120810.Nope", "{}"), rec("PutItem", "[]"),
               rec("PutItem", ""), rec("PutItem", "nul\x00l")], "wire")


if __name__ == "__main__":
    shape_seeds()
    sigv4_seeds()
    dispatch_seeds()
