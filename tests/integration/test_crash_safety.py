"""test_crash_safety.py -- durability across process kills and graceful stops.

Concurrent writers (PutItem, UpdateItem, BatchWriteItem, each on its own keys)
run against ddbd on a file database; ddbd is killed with SIGKILL at a random
moment, the database is checked with SQLite's integrity_check, ddbd restarts
on the same file, and then: every acknowledged write is there, every write
whose answer was lost is there entirely or not at all (an UpdateItem's
attributes together, a BatchWriteItem's puts and deletes together), every GSI
entry matches its base item (Query on the GSI against a Scan of the table),
and DescribeTable's ItemCount matches. Five rounds, the last with --sync full.

Graceful stop: SIGTERM during a burst of requests on 16 connections; every
response received is complete, no write was applied without its answer being
sent, the process exits 0, and every acknowledged write survives.
"""
import http.client
import json
import os
import random
import signal
import sqlite3
import threading
import time

import boto3
import botocore.auth
import botocore.exceptions
import botocore.awsrequest
import botocore.config
import botocore.credentials

from harness import ACCESS_KEY, REGION, SECRET_KEY, Server, TestFailure, check, eq

TABLE = "crash"
ROUNDS = 5
WRITERS = 6
BATCH = 10


def client(server):
    return boto3.client(
        "dynamodb", region_name=REGION, endpoint_url=server.endpoint,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                      connect_timeout=2, read_timeout=15))


def integrity(db):
    con = sqlite3.connect(db, timeout=10)
    try:
        rows = con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()
    eq(rows, [("ok",)], "PRAGMA integrity_check of %s" % db)


def start(ctx, db, sync="normal"):
    return Server(ctx.binary, ctx.workdir, db=db,
                  args=("--throttling", "off", "--sync", sync)).start()


def create_table(server):
    client(server).create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "gpk", "gsk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [
            {"AttributeName": "gpk", "KeyType": "HASH"},
            {"AttributeName": "gsk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])


def S(v):
    return {"S": str(v)}


def N(v):
    return {"N": str(v)}


class Writer:
    """One writer's own key space (pk = its id) and what it knows of it."""

    def __init__(self, wid):
        self.wid = wid
        self.pk = "w%d" % wid
        self.items = {}         # sk -> item, as acknowledged
        self.count = 0          # the counter's acknowledged value
        self.seq = 0
        self.unknown = None     # the operation whose answer was lost
        self.rng = random.Random(wid * 7919)
        self.ops = 0
        self.failure = None

    def item(self, sk, extra=None):
        it = {"pk": S(self.pk), "sk": S(sk), "gpk": S("G" + self.pk), "gsk": S(sk),
              "seq": N(self.seq), "pad": S("x" * self.rng.randint(0, 300))}
        if extra:
            it.update(extra)
        return it

    def step(self, c):
        self.seq += 1
        r = self.rng.random()
        if r < 0.4:
            sk = "p%d" % self.seq
            it = self.item(sk)
            self.unknown = ("put", sk, it)
            c.put_item(TableName=TABLE, Item=it)
            self.items[sk] = it
        elif r < 0.7:
            self.unknown = ("update", self.count)
            c.update_item(
                TableName=TABLE, Key={"pk": S(self.pk), "sk": S("counter")},
                UpdateExpression="SET n = if_not_exists(n, :zero) + :one, "
                                 "hist = list_append(if_not_exists(hist, :empty), :me), "
                                 "gpk = :g, gsk = :c",
                ConditionExpression="attribute_not_exists(n) OR n = :expect",
                ExpressionAttributeValues={
                    ":zero": N(0), ":one": N(1), ":empty": {"L": []},
                    ":me": {"L": [N(self.count + 1)]}, ":g": S("G" + self.pk),
                    ":c": S("counter"), ":expect": N(self.count)})
            self.count += 1
        else:
            puts = {"b%d-%d" % (self.seq, i): self.item("b%d-%d" % (self.seq, i), {
                "batch": N(self.seq)}) for i in range(BATCH)}
            victims = [sk for sk in self.items if sk.startswith("p")][:3]
            reqs = [{"PutRequest": {"Item": it}} for it in puts.values()]
            reqs += [{"DeleteRequest": {"Key": {"pk": S(self.pk), "sk": S(sk)}}}
                     for sk in victims]
            self.unknown = ("batch", puts, victims)
            out = c.batch_write_item(RequestItems={TABLE: reqs})
            check(not out.get("UnprocessedItems"), "UnprocessedItems: %r" % out)
            self.items.update(puts)
            for sk in victims:
                del self.items[sk]
        self.unknown = None
        self.ops += 1

    def run(self, server, stop):
        c = client(server)
        try:
            while not stop.is_set():
                self.step(c)
        except (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError,
                ConnectionError):
            pass  # the kill: the last answer is lost
        except Exception as e:  # noqa: BLE001 -- an error answer, or a broken check
            self.failure = "%s: %r" % (self.pk, e)

    def reconcile(self, rows):
        """Check the stored rows of this writer against what it knows; adopt
        the outcome of the operation whose answer was lost."""
        got = {r["sk"]["S"]: r for r in rows}
        u = self.unknown
        if u and u[0] == "put":
            _, sk, it = u
            if sk in got:
                eq(got[sk], it, "%s: lost-answer put %s stored" % (self.pk, sk))
                self.items[sk] = it
        elif u and u[0] == "batch":
            _, puts, victims = u
            present = [sk for sk in puts if sk in got]
            check(len(present) in (0, len(puts)),
                  "%s: half a batch stored (%d of %d puts)" % (self.pk, len(present), len(puts)))
            deleted = [sk for sk in victims if sk not in got]
            check(len(deleted) == (len(victims) if present else 0),
                  "%s: a batch's deletes and puts disagree (%d puts, %d of %d deleted)"
                  % (self.pk, len(present), len(deleted), len(victims)))
            if present:
                self.items.update(puts)
                for sk in victims:
                    del self.items[sk]
        counter = got.pop("counter", None)
        n = int(counter["n"]["N"]) if counter else 0
        lost_update = 1 if u and u[0] == "update" else 0
        check(self.count <= n <= self.count + lost_update,
              "%s: counter %d, %d updates acknowledged" % (self.pk, n, self.count))
        if counter:
            eq([int(v["N"]) for v in counter["hist"]["L"]], list(range(1, n + 1)),
               "%s: counter history (one UpdateItem's attributes move together)" % self.pk)
        self.count = n
        self.unknown = None
        for sk, it in self.items.items():
            check(sk in got, "%s: acknowledged write %s lost" % (self.pk, sk))
            eq(got[sk], it, "%s: item %s" % (self.pk, sk))
        extra = set(got) - set(self.items)
        check(not extra, "%s: items never acknowledged nor pending: %s" % (self.pk, sorted(extra)[:5]))


def scan_all(c, **kw):
    items, start = [], None
    while True:
        args = dict(kw, ConsistentRead=True) if "IndexName" not in kw else dict(kw)
        if start:
            args["ExclusiveStartKey"] = start
        out = c.scan(**args) if "KeyConditionExpression" not in kw else c.query(**args)
        items += out["Items"]
        start = out.get("LastEvaluatedKey")
        if not start:
            return items


def verify(server, writers):
    c = client(server)
    rows = scan_all(c, TableName=TABLE)
    by_pk = {}
    for r in rows:
        by_pk.setdefault(r["pk"]["S"], []).append(r)
    for w in writers:
        w.reconcile(by_pk.get(w.pk, []))
        # the GSI holds exactly the base items, attribute for attribute
        entries = scan_all(c, TableName=TABLE, IndexName="byg",
                           KeyConditionExpression="gpk = :g",
                           ExpressionAttributeValues={":g": S("G" + w.pk)})
        key = lambda it: it["sk"]["S"]  # noqa: E731
        eq(sorted(entries, key=key), sorted(by_pk.get(w.pk, []), key=key),
           "%s: GSI entries against base items" % w.pk)
    count = c.describe_table(TableName=TABLE)["Table"]["ItemCount"]
    eq(count, len(rows), "ItemCount after restart")
    return len(rows)


def test_sigkill_during_concurrent_writes(ctx):
    db = os.path.join(ctx.workdir, "crash.sqlite3")
    server = start(ctx, db)
    create_table(server)
    writers = [Writer(i) for i in range(WRITERS)]
    rng = random.Random(1234)
    total_ops = 0
    try:
        for rnd in range(ROUNDS):
            stop = threading.Event()
            threads = [threading.Thread(target=w.run, args=(server, stop), daemon=True)
                       for w in writers]
            ops0 = sum(w.ops for w in writers)
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.4, 1.2))
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(timeout=10)
            server.proc = None
            stop.set()
            for t in threads:
                t.join(20)
                check(not t.is_alive(), "a writer is stuck after the kill")
            failures = [w.failure for w in writers if w.failure]
            check(not failures, "writers got errors: %s" % failures)
            total_ops += sum(w.ops for w in writers) - ops0
            integrity(db)
            server = start(ctx, db, sync="full" if rnd == ROUNDS - 2 else "normal")
            verify(server, writers)
        check(total_ops > 50, "only %d writes acknowledged over %d rounds" % (total_ops, ROUNDS))
    finally:
        problems = server.stop() if server.proc else []
    check(not problems, "\n".join(problems))
    integrity(db)


# ---- graceful stop --------------------------------------------------------------

def signed_request(port, target, body):
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": "DynamoDB_20120810." + target,
               "Host": "127.0.0.1:%d" % port}
    req = botocore.awsrequest.AWSRequest(method="POST", url="http://127.0.0.1:%d/" % port,
                                         data=data, headers=headers)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY),
                            "dynamodb", REGION).add_auth(req)
    return data, dict(req.headers.items())


class Burst:
    def __init__(self, port, tid):
        self.port = port
        self.tid = tid
        self.acked = []          # keys whose PutItem was answered 200
        self.unanswered = []     # keys whose PutItem got no answer at all
        self.incomplete = []     # answers cut short or malformed
        self.answers = 0

    def run(self, stop):
        conn = None
        i = 0
        while not stop.is_set():
            i += 1
            key = "t%d-%d" % (self.tid, i)
            put = i % 2 == 1
            body = ({"TableName": TABLE, "Item": {"pk": S(key), "sk": S("s"),
                                                  "v": S("x" * 200)}} if put
                    else {"TableName": TABLE, "Key": {"pk": S("t%d-%d" % (self.tid, i - 1)),
                                                      "sk": S("s")}})
            data, headers = signed_request(self.port, "PutItem" if put else "GetItem", body)
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                conn.request("POST", "/", data, headers)
            except OSError:
                conn = None
                if put:
                    self.unanswered.append(key)
                if stop.wait(0.01):
                    return
                continue
            try:
                resp = conn.getresponse()
                raw = resp.read()
            except http.client.RemoteDisconnected:
                conn.close()
                conn = None
                if put:
                    self.unanswered.append(key)
                continue
            except (http.client.IncompleteRead, http.client.HTTPException, OSError) as e:
                self.incomplete.append("%s: %r" % (key, e))
                conn.close()
                conn = None
                continue
            self.answers += 1
            try:
                parsed = json.loads(raw)
                ok = resp.status == 200 and isinstance(parsed, dict)
            except ValueError:
                ok = False
            if not ok or len(raw) != int(resp.getheader("Content-Length", "-1")):
                self.incomplete.append("%s: %d %r" % (key, resp.status, raw[:100]))
            elif put:
                self.acked.append(key)
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None


def test_sigterm_during_burst(ctx):
    db = os.path.join(ctx.workdir, "term.sqlite3")
    server = start(ctx, db)
    create_table(server)
    stop = threading.Event()
    bursts = [Burst(server.port, i) for i in range(16)]
    threads = [threading.Thread(target=b.run, args=(stop,), daemon=True) for b in bursts]
    for t in threads:
        t.start()
    time.sleep(0.8)
    answered_before = sum(b.answers for b in bursts)
    server.proc.send_signal(signal.SIGTERM)
    try:
        rc = server.proc.wait(timeout=15)
    except Exception:  # noqa: BLE001
        server.kill()
        raise TestFailure("ddbd did not stop within 15 s of SIGTERM")
    log = server.log()
    server.proc = None
    time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(20)
    eq(rc, 0, "exit status after SIGTERM\n" + log[-2000:])
    check(answered_before > 50, "the burst was too slow (%d answers)" % answered_before)
    incomplete = [x for b in bursts for x in b.incomplete]
    check(not incomplete, "incomplete or malformed answers: %s" % incomplete[:5])
    for marker in ("ERROR: AddressSanitizer", "runtime error:", "ddbd error:"):
        check(marker not in log, "ddbd log has %r" % marker)
    integrity(db)
    server = start(ctx, db)
    try:
        c = client(server)
        stored = {r["pk"]["S"] for r in scan_all(c, TableName=TABLE)}
        acked = [k for b in bursts for k in b.acked]
        lost = [k for k in acked if k not in stored]
        check(not lost, "%d acknowledged writes lost after SIGTERM: %s" % (len(lost), lost[:5]))
        # a write applied although its answer never came: the request was cut
        cut = [k for b in bursts for k in b.unanswered if k in stored]
        check(not cut, "%d writes applied without an answer (in-flight requests cut): %s"
              % (len(cut), cut[:5]))
    finally:
        problems = server.stop()
    check(not problems, "\n".join(problems))
