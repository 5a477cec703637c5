"""Wire-level behaviour checked byte by byte with raw HTTP: health check,
CORS, 404 / 413, request ids, x-amz-crc32, Content-Type echo, and the
errors DynamoDB sends before any operation runs (wire-fidelity.md §1-§4)."""
import json
import re
import zlib

from harness import check, eq, expect_error

RID = re.compile(r"^[0-9A-Z]{52}$")


def crc_ok(headers, body):
    return int(headers["x-amz-crc32"]) == (zlib.crc32(body) & 0xFFFFFFFF)


def test_health_check(ctx):
    st, h, body = ctx.raw("GET", "/")
    eq(st, 200, "status")
    eq(body, b"healthy: dynamodb.us-east-1.amazonaws.com ", "body")
    eq(h["x-amz-crc32"], "3128867991", "crc")
    eq(h["content-length"], "42", "length")
    check(RID.match(h["x-amzn-requestid"]), "request id")
    check("date" in h, "Date header")


def test_cors_preflight(ctx):
    st, h, body = ctx.raw("OPTIONS", "/", headers={
        "Origin": "http://example.org", "Access-Control-Request-Headers": "x-amz-target",
        "Access-Control-Request-Method": "POST"})
    eq(st, 200, "status")
    eq(body, b"", "body")
    eq(h.get("access-control-allow-origin"), "*", "allow origin")
    eq(h.get("access-control-allow-headers"), "x-amz-target", "allow headers")
    eq(h.get("access-control-allow-methods"), "POST", "allow methods")
    eq(h.get("access-control-max-age"), "172800", "max age")


def test_options_without_origin_is_404(ctx):
    st, h, body = ctx.raw("OPTIONS", "/")
    eq(st, 404, "status")
    eq(body, b"<UnknownOperationException/>\n", "body")


def test_wrong_method_and_media_type_404(ctx):
    for method, path, headers, body in [
        ("PUT", "/", {}, b""), ("DELETE", "/", {}, b""), ("PATCH", "/", {}, b""),
        ("GET", "/other", {}, b""),
        ("POST", "/", {"Content-Type": "application/x-amz-json-1.1"}, b"{}"),
        ("POST", "/", {"Content-Type": "application/jsonasdf"}, b"{}"),
        ("POST", "/", {}, b"{}"),
    ]:
        st, h, data = ctx.raw(method, path, body, headers)
        eq(st, 404, "status for %s %s %r" % (method, path, headers))
        eq(data, b"<UnknownOperationException/>\n", "body")
        eq(h["x-amz-crc32"], "3552371480", "crc")
        eq(h["content-length"], "29", "length")
        check(RID.match(h["x-amzn-requestid"]), "request id")


def test_media_type_parameters_accepted(ctx):
    for ct in ["application/json;", "  application/json  ;   asfd", "application/json;charset=asfdsaf"]:
        st, h, data = ctx.raw("POST", "/", b"{}", {"Content-Type": ct,
                                                    "X-Amz-Target": "DynamoDB_20120810.ListTables"})
        eq(st, 400, "status for %r" % ct)
        eq(json.loads(data)["__type"], "com.amazon.coral.service#MissingAuthenticationTokenException",
           "type")
        eq(h["content-type"], "application/json", "echoed content type")


def test_not_json_is_serialization_error(ctx):
    st, h, data = ctx.raw("POST", "/", b"{not json", {"Content-Type": "application/x-amz-json-1.0"})
    eq(st, 400, "status")
    eq(data, b'{"__type":"com.amazon.coral.service#SerializationException"}', "body")
    eq(h["x-amz-crc32"], "3948637019", "crc")
    eq(h["content-type"], "application/x-amz-json-1.0", "content type")


def test_unknown_operation(ctx):
    for target in [None, "DynamoDB_20120810.ListTable", "DynamoDB_20120810", "Foo.ListTables",
                   "DynamoDB_20120810.ListTables.x"]:
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        if target:
            headers["X-Amz-Target"] = target
        st, h, data = ctx.raw("POST", "/", b"{}", headers)
        eq(st, 400, "status")
        eq(data, b'{"__type":"com.amazon.coral.service#UnknownOperationException"}', "body")
        eq(h["x-amz-crc32"], "1368724161", "crc")


def test_missing_authentication_token(ctx):
    st, h, data = ctx.raw("POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.0",
                                               "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    eq(st, 400, "status")
    eq(data, b'{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException",'
             b'"message":"Request is missing Authentication Token"}', "body")
    eq(h["x-amz-crc32"], "2088342776", "crc")


def test_incomplete_signature(ctx):
    st, h, data = ctx.raw("POST", "/", b"{}", {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables", "Authorization": "AWS4-"})
    eq(st, 400, "status")
    body = json.loads(data)
    eq(body["__type"], "com.amazon.coral.service#IncompleteSignatureException", "type")
    eq(body["message"], "Authorization header requires 'Credential' parameter. Authorization "
       "header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
       "parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
       "header. Authorization=AWS4-", "message")


def test_empty_body_after_auth(ctx):
    st, h, data = ctx.signed("ListTables", b"")
    eq(st, 400, "status")
    eq(data, b'{"__type":"com.amazon.coral.service#SerializationException"}', "body")


def test_success_headers(ctx):
    st, h, data = ctx.signed("ListTables", {})
    eq(st, 200, "status")
    check(crc_ok(h, data), "crc of the body")
    eq(h["content-type"], "application/x-amz-json-1.0", "content type")
    eq(int(h["content-length"]), len(data), "content length")
    check(RID.match(h["x-amzn-requestid"]), "request id")
    check("date" in h, "Date")
    st, h, data = ctx.signed("ListTables", {}, content_type="application/json")
    eq(h["content-type"], "application/json", "echo application/json")


def test_origin_adds_cors_header_on_errors(ctx):
    st, h, data = ctx.raw("POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.0",
                                               "Origin": "http://x"})
    eq(h.get("access-control-allow-origin"), "*", "allow origin on an error")


def test_body_over_16_mib_is_413(ctx):
    big = b"{" + b" " * (16 * 1024 * 1024) + b"}"
    st, h, data = ctx.raw("POST", "/", big, {"Content-Type": "application/x-amz-json-1.0",
                                             "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    eq(st, 413, "status")
    eq(data, b"", "body")
    # exactly 16 MiB is processed normally (here: no auth -> 400)
    exact = b"{" + b" " * (16 * 1024 * 1024 - 2) + b"}"
    st, h, data = ctx.raw("POST", "/", exact, {"Content-Type": "application/x-amz-json-1.0",
                                               "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    eq(st, 400, "status at exactly 16 MiB")


def test_type_errors_are_serialization_exceptions(ctx):
    cases = [
        ({"TableName": 23}, "NUMBER_VALUE cannot be converted to String"),
        ({"TableName": 23.5}, "DECIMAL_VALUE cannot be converted to String"),
        ({"TableName": True}, "TRUE_VALUE cannot be converted to String"),
        ({"TableName": []}, "Unrecognized collection type class java.lang.String"),
        ({"TableName": {}}, "Start of structure or map found where not expected"),
    ]
    for body, msg in cases:
        st, parsed, _ = ctx.call("DescribeTable", body)
        eq(st, 400, "status")
        eq(parsed, {"__type": "com.amazon.coral.service#SerializationException", "Message": msg},
           "body for %r" % body)
    for body, msg in [({"Limit": "23"}, "STRING_VALUE cannot be converted to Integer"),
                      ({"Limit": []}, "Unrecognized collection type class java.lang.Integer")]:
        expect_error(ctx, "ListTables", body, 400, "SerializationException", msg)
    expect_error(ctx, "PutItem", {"TableName": "abc", "Item": {"a": {"N": 5}}}, 400,
                 "SerializationException", "NUMBER_VALUE cannot be converted to String")
    expect_error(ctx, "PutItem", {"TableName": "abc", "Item": []}, 400, "SerializationException",
                 "Unrecognized collection type java.util.Map<java.lang.String, "
                 "com.amazonaws.dynamodb.v20120810.AttributeValue>")
    expect_error(ctx, "PutItem", {"TableName": "abc", "Item": {"a": "x"}}, 400,
                 "SerializationException", "Unexpected value type in payload")
    expect_error(ctx, "PutItem", {"TableName": "abc", "Item": {"a": {"B": "12345"}}}, 400,
                 "SerializationException",
                 "Base64 encoded length is expected a multiple of 4 bytes but found: 5")
    expect_error(ctx, "PutItem", {"TableName": "abc", "Item": {"a": {"B": 12}}}, 400,
                 "SerializationException", "only base-64-encoded strings are convertible to bytes")


def test_nulls_and_unknown_members_ignored(ctx):
    st, parsed, _ = ctx.call("ListTables", {"Limit": None, "ExclusiveStartTableName": None,
                                            "Foo": 1})
    eq(st, 200, "status")
    check("TableNames" in parsed, "TableNames")
