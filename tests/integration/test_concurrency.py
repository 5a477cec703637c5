"""test_concurrency.py -- many clients at once, as in a workshop or a parallel
CI run: 16+ clients doing conditional increments and optimistic-locking
updates on the same counters end with exact totals; tables created, updated
(GSIs added and dropped) and deleted while items are written never deadlock
or answer 500; SQLITE_BUSY never reaches a client, also while another
process holds the database file (readers, a checkpoint, a short write lock).
Every request has a timeout and every loop a deadline.
"""
import os
import random
import sqlite3
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

from harness import ACCESS_KEY, REGION, SECRET_KEY, check, eq

CLIENTS = 16


def client(server):
    return boto3.client(
        "dynamodb", region_name=REGION, endpoint_url=server.endpoint,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                      connect_timeout=5, read_timeout=20,
                                      max_pool_connections=4))


def N(v):
    return {"N": str(v)}


def S(v):
    return {"S": str(v)}


def run_threads(fns, timeout=60):
    errors = []

    def wrap(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e)[:500])

    threads = [threading.Thread(target=wrap, args=(fn,), daemon=True) for fn in fns]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    stuck = sum(t.is_alive() for t in threads)
    check(not stuck, "%d client threads still running after %ds (deadlock?)" % (stuck, timeout))
    check(not errors, "client errors:\n  " + "\n  ".join(errors[:10]))


def code_of(e):
    return e.response.get("Error", {}).get("Code", "")


def status_of(e):
    return e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)


def test_conditional_counters_exact(ctx):
    c = ctx.client()
    table = ctx.unique("counters")
    c.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    counters = ["c%d" % i for i in range(4)]
    for k in counters + ["opt"]:
        c.put_item(TableName=table, Item={"pk": S(k), "n": N(0), "v": N(0)})
    per_thread = 40
    done = [[0] * len(counters) for _ in range(CLIENTS)]
    opt_done = [0] * CLIENTS
    retries = [0] * CLIENTS

    def worker(i):
        def fn():
            cl = client(ctx.server)
            rng = random.Random(i)
            for _ in range(per_thread):
                j = rng.randrange(len(counters))
                # an always-true condition: each increment applies exactly once
                cl.update_item(
                    TableName=table, Key={"pk": S(counters[j])},
                    UpdateExpression="SET n = n + :one",
                    ConditionExpression="attribute_exists(pk) AND n >= :zero",
                    ExpressionAttributeValues={":one": N(1), ":zero": N(0)})
                done[i][j] += 1
            # optimistic locking: read the version, write if unchanged, retry
            deadline = time.monotonic() + 40
            for _ in range(per_thread // 4):
                while True:
                    check(time.monotonic() < deadline, "optimistic loop did not finish")
                    cur = cl.get_item(TableName=table, Key={"pk": S("opt")},
                                      ConsistentRead=True)["Item"]
                    v = int(cur["v"]["N"])
                    try:
                        cl.update_item(
                            TableName=table, Key={"pk": S("opt")},
                            UpdateExpression="SET n = n + :one, v = :next",
                            ConditionExpression="v = :v",
                            ExpressionAttributeValues={":one": N(1), ":v": N(v),
                                                       ":next": N(v + 1)})
                        opt_done[i] += 1
                        break
                    except botocore.exceptions.ClientError as e:
                        if code_of(e) != "ConditionalCheckFailedException":
                            raise
                        retries[i] += 1
        return fn

    run_threads([worker(i) for i in range(CLIENTS)], timeout=80)
    for j, k in enumerate(counters):
        got = c.get_item(TableName=table, Key={"pk": S(k)}, ConsistentRead=True)["Item"]
        eq(int(got["n"]["N"]), sum(done[i][j] for i in range(CLIENTS)), "counter %s" % k)
    got = c.get_item(TableName=table, Key={"pk": S("opt")}, ConsistentRead=True)["Item"]
    eq(int(got["n"]["N"]), sum(opt_done), "optimistic counter")
    eq(int(got["v"]["N"]), sum(opt_done), "optimistic version")
    eq(sum(opt_done), CLIENTS * (per_thread // 4), "optimistic increments")


ALLOWED = {"ResourceNotFoundException", "ResourceInUseException", "ValidationException",
           "LimitExceededException"}


def test_tables_created_and_deleted_under_writes(ctx):
    names = [ctx.unique("churn") for _ in range(4)]
    stable = ctx.unique("stable")
    c = ctx.client()
    c.create_table(TableName=stable, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    stop_at = time.monotonic() + 4.0
    unexpected = []
    counts = {"ok": 0, "expected_errors": 0}
    lock = threading.Lock()

    def attempt(fn):
        try:
            fn()
            with lock:
                counts["ok"] += 1
        except botocore.exceptions.ClientError as e:
            if status_of(e) >= 500 or code_of(e) not in ALLOWED:
                with lock:
                    unexpected.append("%s %d: %s" % (code_of(e), status_of(e), str(e)[:300]))
            else:
                with lock:
                    counts["expected_errors"] += 1

    def churn(name):
        def fn():
            cl = client(ctx.server)
            while time.monotonic() < stop_at:
                attempt(lambda: cl.create_table(
                    TableName=name, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "g", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    GlobalSecondaryIndexes=[{"IndexName": "gix", "KeySchema": [
                        {"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"}}]))
                attempt(lambda: cl.delete_table(TableName=name))
        return fn

    def writer(i):
        def fn():
            cl = client(ctx.server)
            rng = random.Random(i)
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                t = rng.choice(names + [stable])
                op = rng.random()
                key = {"pk": S("k%d" % rng.randrange(50))}
                if op < 0.5:
                    attempt(lambda: cl.put_item(TableName=t, Item=dict(key, g=S("g%d" % (n % 7)))))
                elif op < 0.7:
                    attempt(lambda: cl.batch_write_item(RequestItems={t: [
                        {"PutRequest": {"Item": {"pk": S("b%d-%d" % (i, k)), "g": S("x")}}}
                        for k in range(5)]}))
                elif op < 0.85:
                    attempt(lambda: cl.update_item(TableName=t, Key=key,
                                                   UpdateExpression="ADD n :one",
                                                   ExpressionAttributeValues={":one": N(1)}))
                else:
                    attempt(lambda: cl.query(TableName=t, KeyConditionExpression="pk = :p",
                                             ExpressionAttributeValues={":p": key["pk"]}))
        return fn

    def indexer():
        cl = client(ctx.server)
        while time.monotonic() < stop_at:
            attempt(lambda: cl.update_table(
                TableName=stable, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byg", "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"}}}]))
            attempt(lambda: cl.update_table(TableName=stable, GlobalSecondaryIndexUpdates=[
                {"Delete": {"IndexName": "byg"}}]))

    def reader():
        cl = client(ctx.server)
        while time.monotonic() < stop_at:
            attempt(lambda: cl.list_tables())
            attempt(lambda: cl.describe_table(TableName=random.choice(names + [stable])))
            attempt(lambda: cl.scan(TableName=random.choice(names + [stable]), Limit=20))

    fns = [churn(n) for n in names] + [writer(i) for i in range(8)] + [indexer, reader, reader]
    check(len(fns) >= 14, "threads")
    run_threads(fns, timeout=60)
    check(not unexpected, "unexpected answers:\n  " + "\n  ".join(unexpected[:10]))
    check(counts["ok"] > 100, "too little got through: %r" % counts)
    # the table whose GSI came and went is consistent with its last index state
    desc = c.describe_table(TableName=stable)["Table"]
    items = c.scan(TableName=stable, ConsistentRead=True)["Items"]
    eq(desc["ItemCount"], len(items), "ItemCount of %s" % stable)
    if desc.get("GlobalSecondaryIndexes"):
        entries = c.scan(TableName=stable, IndexName="byg")["Items"]
        key = lambda it: it["pk"]["S"]  # noqa: E731
        eq(sorted(entries, key=key), sorted([it for it in items if "g" in it], key=key),
           "GSI byg against the table")


def test_sqlite_busy_never_reaches_clients(ctx):
    db = os.path.join(ctx.workdir, "busy.sqlite3")
    srv = ctx.new_server(db=db)
    table = "busy"
    c = client(srv)
    c.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    stop_at = time.monotonic() + 3.0
    acked = []
    lock = threading.Lock()

    def writer(i):
        def fn():
            cl = client(srv)
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                key = "w%d-%d" % (i, n)
                cl.put_item(TableName=table, Item={"pk": S(key), "v": S("x" * 500)})
                cl.get_item(TableName=table, Key={"pk": S(key)})
                if n % 10 == 0:
                    cl.scan(TableName=table, Limit=50)
                with lock:
                    acked.append(key)
        return fn

    def outsider():
        # another process's view of the file: long reads, checkpoints, a
        # short write lock -- all of which ddbd must wait out, not report
        con = sqlite3.connect(db, timeout=10, isolation_level=None)
        try:
            k = 0
            while time.monotonic() < stop_at:
                k += 1
                con.execute("BEGIN")
                con.execute("SELECT count(*) FROM data").fetchall()
                time.sleep(0.2)
                con.execute("COMMIT")
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                if k % 3 == 0:
                    con.execute("BEGIN IMMEDIATE")
                    time.sleep(0.15)
                    con.execute("COMMIT")
        finally:
            con.close()

    run_threads([writer(i) for i in range(8)] + [outsider], timeout=60)
    check(len(acked) > 50, "only %d writes" % len(acked))
    stored = {it["pk"]["S"] for page in c.get_paginator("scan").paginate(
        TableName=table, ConsistentRead=True) for it in page["Items"]}
    missing = [k for k in acked if k not in stored]
    check(not missing, "acknowledged writes missing: %s" % missing[:5])
    for marker in ("database is locked", "SQLITE_BUSY", "storage error"):
        check(marker not in srv.log(), "ddbd log has %r" % marker)
