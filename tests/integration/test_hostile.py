"""test_hostile.py -- malformed and hostile input: every request gets
DynamoDB's error (or, for transport abuse, a closed connection) within
bounded time and memory, and the server answers the next request. Invalid
JSON, wrong types, nesting past 32 levels and JSON 100,000 levels deep, huge
numbers, invalid UTF-8, oversized items, keys and bodies, thousands of
expression attribute names, pathological expressions; slow-loris headers and
bodies, header floods and the connection limit (on servers with short
limits, set through DDBD_REQUEST_TIMEOUT / DDBD_CONNECTION_LIMIT); the
start-up warning beyond loopback; no secrets in logs; no other tenant's data
in any reply.
"""
import json
import os
import random
import socket
import threading
import time

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

from harness import check, eq

TABLE = "hostile"
NESTING = ("Nesting Levels have exceeded supported limits: Attributes in the item have nested "
           "levels beyond supported limit")
FAST = 2.0  # seconds any single hostile request may take


class Raw(str):
    """A JSON fragment spliced verbatim (for documents too deep for json.dumps)."""


def dumps(o):
    if isinstance(o, Raw):
        return str(o)
    if isinstance(o, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in o.items()) + "}"
    if isinstance(o, list):
        return "[" + ",".join(dumps(v) for v in o) + "]"
    return json.dumps(o)


def nested(depth):
    """An AttributeValue 'depth' levels of L and M deep, as JSON text."""
    v = '{"S":"leaf"}'
    for i in range(depth):
        v = '{"M":{"k":%s}}' % v if i % 2 else '{"L":[%s]}' % v
    return Raw(v)


def rss_kib(server, field="VmRSS:"):
    with open("/proc/%d/status" % server.proc.pid) as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def alive(ctx, server=None):
    st, _, _ = ctx.raw("GET", "/", server=server, timeout=5)
    eq(st, 200, "health check after hostile input")


def timed_call(ctx, target, body, limit=FAST):
    if not isinstance(body, (bytes, str)):
        body = dumps(body)
    t0 = time.monotonic()
    st, parsed, _ = ctx.call(target, body)
    took = time.monotonic() - t0
    check(took < limit, "%s took %.2fs (limit %.1fs)" % (target, took, limit))
    return st, parsed


def expect_type(st, parsed, type_, status=400, what=""):
    eq(st, status, "status " + what)
    check(parsed is not None, "error body is JSON " + what)
    t = parsed.get("__type", "")
    check(t.endswith("#" + type_), "__type %r, want %r %s" % (t, type_, what))


def message(parsed):
    return parsed.get("message", parsed.get("Message", ""))


def setup(ctx):
    if getattr(ctx, "_hostile_ready", False):
        return
    ctx.client().create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ctx._hostile_ready = True
    ctx._rss0 = rss_kib(ctx.server)


def test_invalid_json_and_wrong_types(ctx):
    setup(ctx)
    for body in (b"{", b'{"TableName":}', b"nul", b'{"TableName":"x"} trailing', b"\x00",
                 b'{"TableName":"' + b"x" * 100 + b'"'):
        st, parsed = timed_call(ctx, "PutItem", body)
        expect_type(st, parsed, "SerializationException", what=repr(body[:30]))
    st, parsed = timed_call(ctx, "PutItem", {"TableName": 5, "Item": {}})
    expect_type(st, parsed, "SerializationException")
    eq(message(parsed), "NUMBER_VALUE cannot be converted to String", "message")
    st, parsed = timed_call(ctx, "PutItem", {"TableName": TABLE, "Item": []})
    expect_type(st, parsed, "SerializationException")
    st, parsed = timed_call(ctx, "Scan", {"TableName": TABLE, "Limit": "many"})
    expect_type(st, parsed, "SerializationException")
    st, parsed = timed_call(ctx, "PutItem", {"TableName": TABLE, "Item": {"pk": {"S": 1}}})
    expect_type(st, parsed, "SerializationException")
    alive(ctx)


def test_nesting_past_32_levels(ctx):
    setup(ctx)
    for depth in (33, 60, 500, 1000):
        for op, body in (
                ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "n"}, "d": nested(depth)}}),
                ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "n"}},
                                "UpdateExpression": "SET d = :v",
                                "ExpressionAttributeValues": {":v": nested(depth)}}),
                ("BatchWriteItem", {"RequestItems": {TABLE: [{"PutRequest": {"Item": {
                    "pk": {"S": "n"}, "d": nested(depth)}}}]}}),
                ("GetItem", {"TableName": TABLE, "Key": {"pk": nested(depth)}})):
            st, parsed = timed_call(ctx, op, body)
            expect_type(st, parsed, "ValidationException", what="%s depth %d" % (op, depth))
            check(NESTING in message(parsed), "%s depth %d: %r" % (op, depth, message(parsed)))
    alive(ctx)


def test_absurdly_deep_json(ctx):
    setup(ctx)
    n = 100000
    for body in (b"[" * n + b"]" * n, b'{"a":' * n + b"1" + b"}" * n,
                 b'{"TableName":"hostile","Item":{"pk":{"S":"x"},"d":' + b"[" * n + b"]" * n + b"}}",
                 b"[" * n):
        st, parsed = timed_call(ctx, "PutItem", body)
        expect_type(st, parsed, "SerializationException", what="deep JSON")
    alive(ctx)


def test_huge_numbers(ctx):
    setup(ctx)
    cases = [("0." + "1234567891" * 20, "Attempting to store more than 38 significant digits"),
             ("1" + "0" * 200, "Number overflow"),
             ("1e126", "Number overflow"), ("-1E+9999999999999999999", "Number overflow"),
             ("1e-131", "Number underflow"), ("9" * 39, "38 significant digits")]
    for text, want in cases:
        st, parsed = timed_call(ctx, "PutItem", {"TableName": TABLE, "Item": {
            "pk": {"S": "num"}, "n": {"N": text}}})
        expect_type(st, parsed, "ValidationException", what=text[:20])
        check(want in message(parsed), "%s: %r" % (text[:20], message(parsed)))
    # JSON numbers the parser cannot hold, where the model wants an integer
    for lit in (b"1e999", b"99999999999999999999999999", b"-1e400"):
        st, parsed = timed_call(ctx, "Scan", b'{"TableName":"hostile","Limit":' + lit + b"}")
        check(st == 400, "Limit %s: status %d" % (lit, st))
    st, parsed = timed_call(ctx, "PutItem", {"TableName": TABLE, "Item": {
        "pk": {"S": "num"}, "n": {"N": "1" * 5000000}}}, limit=10)
    expect_type(st, parsed, "ValidationException", what="5 MB number")
    alive(ctx)


def test_invalid_utf8(ctx):
    setup(ctx)
    for body in (b'{"TableName":"hostile","Item":{"pk":{"S":"\xff\xfe"}}}',
                 b'{"TableName":"hostile","Item":{"pk":{"S":"\xc0\xaf"}}}',
                 b'{"TableName":"hostile","Item":{"pk":{"S":"\xed\xa0\x80"}}}',
                 b'{"TableName":"\xe2\x82"}'):
        st, parsed = timed_call(ctx, "PutItem", body)
        expect_type(st, parsed, "SerializationException", what=repr(body[-12:]))
    # an escaped lone surrogate is no valid string either
    st, parsed = timed_call(ctx, "PutItem", b'{"TableName":"hostile","Item":{"pk":{"S":"\\ud800"}}}')
    expect_type(st, parsed, "SerializationException")
    alive(ctx)


def test_oversized_items_keys_and_bodies(ctx):
    setup(ctx)
    st, parsed = timed_call(ctx, "PutItem", {"TableName": TABLE, "Item": {
        "pk": {"S": "big"}, "x": {"S": "y" * 409600}}})
    expect_type(st, parsed, "ValidationException")
    check("Item size has exceeded the maximum allowed size" in message(parsed), message(parsed))
    st, parsed = timed_call(ctx, "PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "k" * 2049}}})
    expect_type(st, parsed, "ValidationException")
    check("2048" in message(parsed), message(parsed))
    # 15 MiB of attributes: refused, quickly, and memory comes back
    item = {"pk": {"S": "wide"}}
    item.update({"a%d" % i: {"S": "v" * 1000} for i in range(15000)})
    st, parsed = timed_call(ctx, "PutItem", {"TableName": TABLE, "Item": item}, limit=10)
    expect_type(st, parsed, "ValidationException")
    # over 16 MiB: 413 and a closed connection (or the connection closed early)
    body = b'{"TableName":"hostile","Item":{"pk":{"S":"' + b"z" * (16 * 1024 * 1024) + b'"}}}'
    try:
        st, _, _ = ctx.raw("POST", "/", body, {"Content-Type": "application/x-amz-json-1.0",
                                               "X-Amz-Target": "DynamoDB_20120810.PutItem"},
                           timeout=20)
        eq(st, 413, "status over 16 MiB")
    except (ConnectionError, socket.timeout, OSError):
        pass
    # announced as 1 GB with Expect: 100-continue: 413 at once, the body never sent
    s = socket.create_connection(("127.0.0.1", ctx.server.port), timeout=5)
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
              b"Content-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n")
    check(s.recv(4096).startswith(b"HTTP/1.1 413"), "413 before a 1 GB body")
    s.close()
    alive(ctx)


def test_bodies_that_parse_into_gigabytes(ctx):
    """16 MiB of tiny JSON values would be gigabytes once parsed: refused
    before parsing, or parsed one at a time within a bound."""
    setup(ctx)
    n = 16 * 1024 * 1024 - 16
    t0 = time.monotonic()
    st, parsed = timed_call(ctx, "PutItem", b"[" + b"{}," * (n // 3) + b"{}]", limit=5)
    expect_type(st, parsed, "SerializationException", what="16 MiB of {}")
    st, parsed = timed_call(ctx, "PutItem", b"[" + b"0," * (n // 2) + b"0]", limit=5)
    expect_type(st, parsed, "SerializationException", what="16 MiB of 0")
    st, parsed = timed_call(ctx, "PutItem", b"[" + b'"",' * (n // 6) + b'""]', limit=15)
    expect_type(st, parsed, "SerializationException", what="8 MiB of strings")
    hwm = rss_kib(ctx.server, "VmHWM:") // 1024
    bound = 2048 if os.environ.get("ASAN_OPTIONS") else 768  # ASan: redzones, quarantine
    check(hwm < bound, "ddbd peaked at %d MiB parsing hostile bodies" % hwm)
    check(time.monotonic() - t0 < 20, "hostile bodies took %.1fs" % (time.monotonic() - t0))
    alive(ctx)


def test_thousands_of_expression_names_and_values(ctx):
    setup(ctx)
    names = {"#n%d" % i: "a%d" % i for i in range(5000)}
    values = {":v%d" % i: {"S": "x"} for i in range(5000)}
    st, parsed = timed_call(ctx, "UpdateItem", {
        "TableName": TABLE, "Key": {"pk": {"S": "e"}}, "UpdateExpression": "SET #n1 = :v1",
        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values})
    expect_type(st, parsed, "ValidationException")
    check("unused in expressions" in message(parsed), message(parsed)[:200])
    st, parsed = timed_call(ctx, "GetItem", {
        "TableName": TABLE, "Key": {"pk": {"S": "e"}},
        "ProjectionExpression": ", ".join(list(names)[:3000]), "ExpressionAttributeNames": names})
    expect_type(st, parsed, "ValidationException")
    alive(ctx)


def test_pathological_expressions(ctx):
    setup(ctx)
    v = {":v": {"S": "x"}}
    conds = ["(" * 2000 + "a = :v" + ")" * 2000, "NOT " * 1000 + "a = :v",
             " OR ".join(["a = :v"] * 400), "a." * 1500 + "b = :v", "a" + "[0]" * 900 + " = :v",
             "a IN (" + ",".join([":v"] * 150) + ")", "size(" * 700 + "a" + ")" * 700 + " = :v",
             "begins_with(" * 400 + "a" + ", :v)" * 400, "a = :v AND " * 200 + "a = :v",
             "#" * 4000, ":" * 4000, "\u00e9" * 2000, "a = :v" + " " * 5000]
    for c in conds:
        st, parsed = timed_call(ctx, "PutItem", {
            "TableName": TABLE, "Item": {"pk": {"S": "p"}}, "ConditionExpression": c,
            "ExpressionAttributeValues": v})
        expect_type(st, parsed, "ValidationException", what=c[:40])
    updates = ["SET " + ", ".join("a%d = :v" % i for i in range(400)),
               "SET a = " + " + ".join([":n"] * 800), "SET a[99999999999] = :n",
               "SET a = list_append(" * 300 + ":l" + ", :l)" * 300,
               "REMOVE " + ", ".join("a[%d]" % i for i in range(700))]
    for u in updates:
        st, parsed = timed_call(ctx, "UpdateItem", {
            "TableName": TABLE, "Key": {"pk": {"S": "p"}}, "UpdateExpression": u,
            "ExpressionAttributeValues": {":n": {"N": "1"}, ":l": {"L": []}, ":v": {"S": "x"}}})
        expect_type(st, parsed, "ValidationException", what=u[:40])
    alive(ctx)


def test_strings_imitating_internal_markers_stay_strings(ctx):
    """ddbd writes some numbers (timestamps) through a marker string; a
    client's string that imitates the marker must come back as a string and
    never change the reply's JSON."""
    setup(ctx)
    evil = "\u0001ddbd-raw:1,\"injected\":true,\"x\":\"y"
    evil_num = "\u0001ddbd-raw:12345"
    for op, body in (
            ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "m"}, "v": {"S": evil},
                                                      "w": {"S": evil_num}}}),
            ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "m"}},
                            "UpdateExpression": "SET x = :v",
                            "ExpressionAttributeValues": {":v": {"S": evil}},
                            "ReturnValues": "ALL_NEW"}),
            ("BatchGetItem", {"RequestItems": {TABLE: {"Keys": [{"pk": {"S": "m"}}]}}}),
            ("DeleteItem", {"TableName": TABLE, "Key": {"pk": {"S": "m"}},
                            "ReturnValues": "ALL_OLD"})):
        st, _, data = ctx.signed(op, dumps(body))
        eq(st, 200, op)
        parsed = json.loads(data)  # raises on broken JSON
        text = json.dumps(parsed)
        check("injected" not in parsed and '"injected": true' not in text, op + ": " + text[:200])
        if op != "PutItem":
            found = parsed.get("Attributes") or parsed["Responses"][TABLE][0]
            eq(found["v"], {"S": evil}, op + " v")
            eq(found["w"], {"S": evil_num}, op + " w")
    desc = ctx.client().describe_table(TableName=TABLE)["Table"]
    check(desc["CreationDateTime"].year >= 2024, "CreationDateTime still a number")


def test_memory_bounded_after_battery(ctx):
    setup(ctx)
    grown = rss_kib(ctx.server) - ctx._rss0
    bound = 1024 if os.environ.get("ASAN_OPTIONS") else 256  # MiB; ASan keeps a quarantine
    check(grown < bound * 1024, "ddbd grew %d KiB over the hostile battery" % grown)


# ---- transport abuse, on servers with short limits ---------------------------

def limited_server(ctx, timeout="2", limit=None, args=()):
    old = dict(os.environ)
    os.environ["DDBD_REQUEST_TIMEOUT"] = timeout
    if limit:
        os.environ["DDBD_CONNECTION_LIMIT"] = str(limit)
    try:
        return ctx.new_server(args=args, db=":memory:")
    finally:
        os.environ.clear()
        os.environ.update(old)


def connect(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def closed_within(sock, seconds, dribble=b""):
    """True when the server closes 'sock' within 'seconds' (sending 'dribble'
    one byte every 0.2 s meanwhile)."""
    deadline = time.monotonic() + seconds
    sock.settimeout(0.2)
    i = 0
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
            if data == b"":
                return True
            if b"\r\n\r\n" in data and data.startswith(b"HTTP/1.1 4"):
                continue  # an error response before the close is fine
        except socket.timeout:
            pass
        except OSError:
            return True
        if dribble:
            try:
                sock.sendall(dribble[i % len(dribble):i % len(dribble) + 1])
            except OSError:
                return True
            i += 1
    return False


def test_slow_loris_headers_and_bodies_are_cut(ctx):
    srv = limited_server(ctx, timeout="2")
    header_slow = [connect(srv) for _ in range(40)]
    for s in header_slow:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
    body_slow = [connect(srv) for _ in range(10)]
    for s in body_slow:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                  b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100000\r\n\r\n{")
    silent = [connect(srv) for _ in range(10)]
    # others are served meanwhile, promptly
    for _ in range(20):
        t0 = time.monotonic()
        st, _, _ = ctx.call("ListTables", {}, server=srv)
        eq(st, 200, "ListTables beside slow clients")
        check(time.monotonic() - t0 < 1.0, "a request waited behind slow clients")
    results = {}

    def watch(name, socks, dribble):
        results[name] = [closed_within(s, 8, dribble) for s in socks]

    threads = [threading.Thread(target=watch, args=a) for a in (
        ("headers", header_slow, b"X-Slow: 1\r\n"), ("bodies", body_slow, b"aaaa"),
        ("silent", silent, b""))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for name, closed in results.items():
        check(all(closed), "%s: %d of %d slow connections still open after 8 s (timeout 2 s)"
              % (name, closed.count(False), len(closed)))
    for s in header_slow + body_slow + silent:
        s.close()
    alive(ctx, srv)


def test_header_flood_and_huge_request_line(ctx):
    srv = limited_server(ctx, timeout="5")
    for head in (b"POST / HTTP/1.1\r\nHost: x\r\n" + b"".join(
                     b"X-Flood-%d: %s\r\n" % (i, b"v" * 40) for i in range(5000)) + b"\r\n",
                 b"GET /" + b"a" * 300000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 300000 + b"\r\n\r\n"):
        s = connect(srv)
        try:
            s.sendall(head)
        except OSError:
            pass
        s.settimeout(5)
        try:
            data = s.recv(4096)
            check(data == b"" or data.startswith(b"HTTP/1.1 4"),
                  "oversized header answered with %r" % data[:40])
        except OSError:
            pass
        s.close()
        alive(ctx, srv)


def test_mutated_http_requests(ctx):
    """Random byte-level damage to valid signed requests (request line,
    headers, chunking, body): never a 5xx, and the server stays up (a request
    left incomplete is the reaper's, checked above)."""
    srv = limited_server(ctx, timeout="2")
    body = json.dumps({"TableName": "nope", "Item": {"pk": {"S": "x"}, "n": {"N": "1"}}}).encode()
    req = botocore.awsrequest.AWSRequest(
        method="POST", url="http://127.0.0.1:%d/" % srv.port, data=body,
        headers={"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": "DynamoDB_20120810.PutItem", "Host": "127.0.0.1"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("AKID", "secret"), "dynamodb",
                            "us-east-1").add_auth(req)
    head = "POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in req.headers.items())
    plain = head.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body
    chunked = (head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" +
               b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    rng = random.Random(7)
    bad = []
    t_end = time.monotonic() + 6
    for i in range(300):
        if time.monotonic() > t_end:
            break
        data = bytearray(plain if i % 2 else chunked)
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(data))
            op = rng.random()
            if op < 0.5:
                data[pos] = rng.randrange(256)
            elif op < 0.75:
                del data[pos:pos + rng.randint(1, 20)]
            else:
                data[pos:pos] = bytes(rng.choice([b"\r\n", b":", b" ", b"\x00", b"9" * 30,
                                                  b"%", b"{", b"\xff"]))
        s = connect(srv)
        s.settimeout(0.25)
        try:
            s.sendall(bytes(data))
            got = s.recv(64)
            if got.startswith(b"HTTP/1.1 5") and not got.startswith(b"HTTP/1.1 505"):
                bad.append((bytes(data[:120]), got))
        except socket.timeout:
            pass  # an incomplete request: the reaper closes it (checked elsewhere)
        except OSError:
            pass
        finally:
            s.close()
    check(not bad, "5xx answers to damaged requests: %r" % bad[:3])
    alive(ctx, srv)


def test_connection_limit(ctx):
    """Past the limit, connections wait in the kernel's backlog until a slot
    frees (idle ones are cut after the request timeout): never more at once
    than the limit, and everyone is answered in the end."""
    srv = limited_server(ctx, timeout="2", limit=32)
    socks = [connect(srv) for _ in range(80)]
    t0 = time.monotonic()
    for s in socks:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    answered = {}
    deadline = t0 + 15
    while len(answered) < len(socks) and time.monotonic() < deadline:
        for i, s in enumerate(socks):
            if i in answered:
                continue
            s.settimeout(0.01)
            try:
                data = s.recv(4096)
                if data.startswith(b"HTTP/1.1 200"):
                    answered[i] = time.monotonic() - t0
            except (socket.timeout, BlockingIOError):
                pass
            except OSError:
                answered[i] = -1
    early = sum(1 for t in answered.values() if 0 <= t < 1.0)
    check(early <= 32, "%d connections served at once with a limit of 32" % early)
    eq(sorted(answered), list(range(80)), "connections answered within 15 s")
    check(all(t >= 0 for t in answered.values()), "a waiting connection was reset")
    for s in socks:
        s.close()
    alive(ctx, srv)


# ---- security defaults ----------------------------------------------------------

def test_warning_beyond_loopback_in_open_mode(ctx):
    loud = ctx.new_server(args=("--host", "0.0.0.0"), db=":memory:")
    quiet = ctx.new_server(args=("--host", "127.0.0.1"), db=":memory:")
    time.sleep(0.1)
    check("WARNING: listening on 0.0.0.0" in loud.log() and "OPEN mode" in loud.log(),
          "no start-up warning for 0.0.0.0 in open mode:\n" + loud.log())
    check("WARNING" not in quiet.log(), "warning on loopback:\n" + quiet.log())


def principals_file():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "policies", "principals.json")


def secrets_of(path):
    with open(path) as f:
        doc = json.load(f)
    out = []
    for p in doc["principals"]:
        for k in ("secret_access_key", "session_token"):
            if p.get(k):
                out.append(p[k])
    return doc, out


def client_for(server, akid, secret, token=None):
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=server.endpoint,
                        aws_access_key_id=akid, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def tenant_setup(ctx):
    if getattr(ctx, "_tenant_srv", None):
        return ctx._tenant_srv
    path = os.path.abspath(principals_file())
    srv = ctx.new_server(args=("--principals", path, "--log-level", "debug"), db=":memory:")
    doc, _ = secrets_of(path)
    by_arn = {p["arn"].rsplit("/", 1)[1]: p for p in doc["principals"]}
    org = by_arn["organizer"]
    oc = client_for(srv, org["access_key_id"], org["secret_access_key"])
    oc.create_table(
        TableName="WorkshopShared", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("PK", "SK", "GSI1PK", "GSI1SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "GSI1", "KeySchema": [
            {"AttributeName": "GSI1PK", "KeyType": "HASH"},
            {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])
    for t in ("t-000", "t-001"):
        for i in range(3):
            oc.put_item(TableName="WorkshopShared", Item={
                "PK": {"S": "TENANT#%s#USER#%d" % (t, i)}, "SK": {"S": "PROFILE"},
                "GSI1PK": {"S": "TENANT#%s#EMAIL" % t}, "GSI1SK": {"S": "u%d" % i},
                "secret": {"S": "SECRET-OF-%s" % t}})
    ctx._tenant_srv = (srv, by_arn)
    return ctx._tenant_srv


def test_no_other_tenants_data_in_any_reply(ctx):
    srv, by_arn = tenant_setup(ctx)
    me = by_arn["workshop_000"]
    tc = client_for(srv, me["access_key_id"], me["secret_access_key"])
    other_key = {"PK": {"S": "TENANT#t-001#USER#0"}, "SK": {"S": "PROFILE"}}
    attempts = {
        "GetItem": lambda: tc.get_item(TableName="WorkshopShared", Key=other_key),
        "PutItem ALL_OLD": lambda: tc.put_item(TableName="WorkshopShared", Item=dict(
            other_key, x={"S": "y"}), ReturnValues="ALL_OLD"),
        "UpdateItem condition": lambda: tc.update_item(
            TableName="WorkshopShared", Key=other_key, UpdateExpression="SET x = :v",
            ConditionExpression="secret = :v", ExpressionAttributeValues={":v": {"S": "guess"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD"),
        "DeleteItem ALL_OLD": lambda: tc.delete_item(TableName="WorkshopShared", Key=other_key,
                                                     ReturnValues="ALL_OLD"),
        "Query": lambda: tc.query(
            TableName="WorkshopShared", KeyConditionExpression="PK = :p",
            ExpressionAttributeValues={":p": other_key["PK"]}),
        "Query GSI1": lambda: tc.query(
            TableName="WorkshopShared", IndexName="GSI1", KeyConditionExpression="GSI1PK = :p",
            ExpressionAttributeValues={":p": {"S": "TENANT#t-001#EMAIL"}}),
        "Scan": lambda: tc.scan(TableName="WorkshopShared"),
        "BatchGetItem": lambda: tc.batch_get_item(RequestItems={"WorkshopShared": {"Keys": [
            {"PK": {"S": "TENANT#t-000#USER#0"}, "SK": {"S": "PROFILE"}}, other_key]}}),
        "BatchWriteItem": lambda: tc.batch_write_item(RequestItems={"WorkshopShared": [
            {"DeleteRequest": {"Key": other_key}}]}),
    }
    leaks = []
    for name, fn in attempts.items():
        try:
            out = fn()
            leaks.append("%s succeeded: %s" % (name, json.dumps(out, default=str)[:200]))
        except tc.exceptions.ClientError as e:
            code = e.response["Error"]["Code"]
            text = json.dumps(e.response, default=str)
            if "SECRET-OF-t-001" in text:
                leaks.append("%s: the error shows t-001's data: %s" % (name, text[:300]))
            elif code != "AccessDeniedException":
                leaks.append("%s: %s, want AccessDeniedException" % (name, code))
    check(not leaks, "tenant workshop_000 reached tenant t-001's items:\n  " + "\n  ".join(leaks))
    # the other tenant's items are all still there
    org = by_arn["organizer"]
    oc = client_for(srv, org["access_key_id"], org["secret_access_key"])
    got = oc.get_item(TableName="WorkshopShared", Key=other_key, ConsistentRead=True)
    eq(got.get("Item", {}).get("secret"), {"S": "SECRET-OF-t-001"}, "t-001's item")


def test_secrets_never_in_logs(ctx):
    srv, by_arn = tenant_setup(ctx)
    path = os.path.abspath(principals_file())
    _, secrets = secrets_of(path)
    me = by_arn["workshop_000"]
    tc = client_for(srv, me["access_key_id"], me["secret_access_key"])
    tc.list_tables()
    bad = client_for(srv, me["access_key_id"], "wrong-" + me["secret_access_key"])
    try:
        bad.list_tables()
    except bad.exceptions.ClientError:
        pass
    for p in by_arn.values():
        if p.get("session_token"):
            sc = client_for(srv, p["access_key_id"], p["secret_access_key"], p["session_token"])
            sc.list_tables()
            wrong = client_for(srv, p["access_key_id"], p["secret_access_key"],
                               p["session_token"] + "x")
            try:
                wrong.list_tables()
            except wrong.exceptions.ClientError:
                pass
    log = srv.log()
    for s in secrets:
        check(s not in log, "a secret or session token of principals.json is in the log")
