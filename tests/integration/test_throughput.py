"""test_throughput.py -- the throughput simulation seen through boto3, with
throttling on and the manual clock so that every figure is deterministic
(capacity-and-throttling.md):

- ConsumedCapacity of every data-plane operation, TOTAL and INDEXES shapes:
  item sizes rounded per item (1 KB writes, 4 KB reads, halved when eventual),
  a Query page rounded once, a Scan page at least one block per partition it
  spans, GSI writes and reads reported per index, LSI writes charged to the
  table, failed conditional writes and deletes of missing items
- a hot partition key: single writes and BatchWriteItem refused past the
  partition ceiling with DynamoDB's ThrottlingException text and
  ThrottlingReasons, the batch leaving exactly the refused requests in
  UnprocessedItems (request shape) and failing only when nothing got in;
  the same load spread over shard keys is admitted; a second of manual clock
  refills the partition
- reads: Query, Scan and BatchGetItem (refused keys in UnprocessedKeys with the
  table's request options) throttled on their partitions; a GSI has its own
- the metrics endpoint counts the throttle events and the throttled requests
- the 1 KB / 4 KB unit boundaries; GSI back-pressure (a write refused by its
  index partition, named in the reason, changes nothing); boto3's batch_writer
  writes everything in the end against a hot partition (real clock)
"""
import json

import boto3
import botocore.config
import botocore.exceptions

from harness import REGION, ACCESS_KEY, SECRET_KEY, check, eq

SERVER_ARGS = ("--throttling", "on", "--clock", "manual")

THROTTLED = ("Throughput exceeds the current capacity of your table or index. DynamoDB is "
             "automatically scaling your table or index so please try again shortly. If "
             "exceptions persist, check if you have a hot key: "
             "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
             "bp-partition-key-design.html")


def client(ctx, server=None):
    server = server or ctx.server
    return boto3.client(
        "dynamodb", region_name=REGION, endpoint_url=server.endpoint,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=botocore.config.Config(retries={"total_max_attempts": 1}))


def advance(ctx, seconds, server=None):
    st, _, body = ctx.raw("POST", "/_ddbd/clock", json.dumps({"Advance": seconds}),
                          server=server)
    eq(st, 200, "clock advance: %r" % body)


def make_table(c, name, tags=None, provisioned=None):
    kw = {}
    if provisioned:
        kw["BillingMode"] = "PROVISIONED"
        kw["ProvisionedThroughput"] = {"ReadCapacityUnits": provisioned[0],
                                       "WriteCapacityUnits": provisioned[1]}
        gsi_tp = {"ProvisionedThroughput": kw["ProvisionedThroughput"]}
    else:
        kw["BillingMode"] = "PAY_PER_REQUEST"
        gsi_tp = {}
    if tags:
        kw["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    c.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "g", "l")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[dict({"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"},
                                      "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]},
                                     **gsi_tp)],
        LocalSecondaryIndexes=[{"IndexName": "lsi", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}]}],
        **kw)
    c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1})


def throttled(fn, what):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        eq(e.response["Error"]["Code"], "ThrottlingException", "%s: error code" % what)
        eq(e.response["Error"]["Message"], THROTTLED, "%s: message" % what)
        eq(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, "%s: status" % what)
        return e
    raise AssertionError("%s was not throttled" % what)


def blob(n):
    return "x" * n


def metrics(ctx, table, server=None):
    st, _, body = ctx.raw("GET", "/_ddbd/metrics?region=%s&table=%s" % (REGION, table),
                          server=server)
    eq(st, 200, "metrics")
    return json.loads(body)["Tables"][0]["Totals"]


# ---- ConsumedCapacity --------------------------------------------------------

def test_item_operations_consumed_capacity(ctx):
    c = client(ctx)
    make_table(c, "tp-items")
    # 1.5 KB item: 2 units on the table; its GSI entry (ALL) 2; its LSI entry
    # (keys only, small) 1, reported apart but charged to the table
    item = {"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "G"}, "l": {"S": "L"},
            "v": {"S": blob(1500)}}
    r = c.put_item(TableName="tp-items", Item=item, ReturnConsumedCapacity="INDEXES")
    eq(r["ConsumedCapacity"], {
        "TableName": "tp-items", "CapacityUnits": 5.0, "Table": {"CapacityUnits": 2.0},
        "LocalSecondaryIndexes": {"lsi": {"CapacityUnits": 1.0}},
        "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 2.0}}}, "PutItem INDEXES")
    r = c.put_item(TableName="tp-items", Item={"pk": {"S": "b"}, "sk": {"S": "1"}},
                   ReturnConsumedCapacity="TOTAL")
    eq(r["ConsumedCapacity"], {"TableName": "tp-items", "CapacityUnits": 1.0},
       "PutItem TOTAL, no index touched")
    r = c.put_item(TableName="tp-items", Item={"pk": {"S": "b"}, "sk": {"S": "2"}})
    check("ConsumedCapacity" not in r, "not asked for, not sent")
    # reads: 4 KB blocks, halved when eventual; a missing item costs the minimum
    r = c.get_item(TableName="tp-items", Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                   ReturnConsumedCapacity="TOTAL")
    eq(r["ConsumedCapacity"]["CapacityUnits"], 0.5, "GetItem eventual")
    r = c.get_item(TableName="tp-items", Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                   ConsistentRead=True, ReturnConsumedCapacity="INDEXES")
    eq(r["ConsumedCapacity"], {"TableName": "tp-items", "CapacityUnits": 1.0,
                               "Table": {"CapacityUnits": 1.0}}, "GetItem strong INDEXES")
    r = c.get_item(TableName="tp-items", Key={"pk": {"S": "none"}, "sk": {"S": "1"}},
                   ReturnConsumedCapacity="TOTAL")
    eq(r["ConsumedCapacity"]["CapacityUnits"], 0.5, "GetItem of a missing item")
    # update: the larger of the two images (1.5 KB -> 2); the GSI entry changes (2)
    r = c.update_item(TableName="tp-items", Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                      UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "1"}},
                      ReturnConsumedCapacity="INDEXES")
    eq(r["ConsumedCapacity"], {
        "TableName": "tp-items", "CapacityUnits": 4.0, "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 2.0}}}, "UpdateItem INDEXES")
    # a failed condition still consumes: 1 unit on a new item
    try:
        c.put_item(TableName="tp-items", Item={"pk": {"S": "c"}, "sk": {"S": "1"}},
                   ConditionExpression="attribute_exists(pk)", ReturnConsumedCapacity="TOTAL")
        raise AssertionError("condition passed")
    except botocore.exceptions.ClientError as e:
        eq(e.response["Error"]["Code"], "ConditionalCheckFailedException", "condition")
    # deleting a missing item costs 1
    r = c.delete_item(TableName="tp-items", Key={"pk": {"S": "none"}, "sk": {"S": "1"}},
                      ReturnConsumedCapacity="TOTAL")
    eq(r["ConsumedCapacity"]["CapacityUnits"], 1.0, "DeleteItem of a missing item")
    # deleting the indexed item removes its index entries: 2 + LSI 1 + GSI 2
    r = c.delete_item(TableName="tp-items", Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                      ReturnConsumedCapacity="INDEXES")
    eq(r["ConsumedCapacity"]["CapacityUnits"], 5.0, "DeleteItem with index entries")


def test_query_and_scan_consumed_capacity(ctx):
    c = client(ctx)
    make_table(c, "tp-read", tags={"ddbd:partitions": "4"})
    for i in range(10):  # ten items of just over 1 KB: 10.x KB read by a Query
        c.put_item(TableName="tp-read", Item={
            "pk": {"S": "p"}, "sk": {"S": "%02d" % i}, "g": {"S": "G"}, "l": {"S": "L%d" % i},
            "v": {"S": blob(1000)}})
    q = dict(TableName="tp-read", KeyConditionExpression="pk = :p",
             ExpressionAttributeValues={":p": {"S": "p"}}, ReturnConsumedCapacity="INDEXES")
    r = c.query(**q)
    eq(r["Count"], 10, "items")
    # one Query page is rounded once: ceil(10.3 KB / 4 KB) = 3 blocks, halved
    eq(r["ConsumedCapacity"], {"TableName": "tp-read", "CapacityUnits": 1.5,
                               "Table": {"CapacityUnits": 1.5}}, "Query INDEXES")
    r = c.query(ConsistentRead=True, **q)
    eq(r["ConsumedCapacity"]["CapacityUnits"], 3.0, "Query strong")
    # a filter or COUNT does not reduce what was read
    r = c.query(Select="COUNT", FilterExpression="attribute_exists(zz)", **q)
    eq((r["Count"], r["ScannedCount"], r["ConsumedCapacity"]["CapacityUnits"]), (0, 10, 1.5),
       "filtered COUNT")
    # an empty result still costs the minimum
    r = c.query(**dict(q, ExpressionAttributeValues={":p": {"S": "nothing"}}))
    eq(r["ConsumedCapacity"]["CapacityUnits"], 0.5, "empty Query")
    # through the GSI: the index's units, the table's 0
    r = c.query(TableName="tp-read", IndexName="gsi", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "G"}}, ReturnConsumedCapacity="INDEXES")
    eq(r["ConsumedCapacity"], {"TableName": "tp-read", "CapacityUnits": 1.5,
                               "Table": {"CapacityUnits": 0.0},
                               "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 1.5}}},
       "GSI Query")
    # through the keys-only LSI: small entries; fetching the items costs each item's read
    r = c.query(TableName="tp-read", IndexName="lsi", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}}, ReturnConsumedCapacity="INDEXES")
    eq(r["ConsumedCapacity"], {"TableName": "tp-read", "CapacityUnits": 0.5,
                               "Table": {"CapacityUnits": 0.0},
                               "LocalSecondaryIndexes": {"lsi": {"CapacityUnits": 0.5}}},
       "LSI Query, keys only")
    r = c.query(TableName="tp-read", IndexName="lsi", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}}, Select="ALL_ATTRIBUTES",
                ReturnConsumedCapacity="INDEXES")
    eq(r["ConsumedCapacity"], {"TableName": "tp-read", "CapacityUnits": 5.5,
                               "Table": {"CapacityUnits": 5.0},
                               "LocalSecondaryIndexes": {"lsi": {"CapacityUnits": 0.5}}},
       "LSI Query fetching the table items")
    # a Scan page spans the table's 4 partitions: one block each at least
    r = c.scan(TableName="tp-read", ReturnConsumedCapacity="TOTAL")
    eq(r["Count"], 10, "scan count")
    eq(r["ConsumedCapacity"]["CapacityUnits"], 2.0, "Scan over 4 partitions (3 blocks of data)")
    # one parallel segment out of 4 is one partition: the 10.3 KB if they sit there, or 0.5
    units = []
    for s in range(4):
        r = c.scan(TableName="tp-read", Segment=s, TotalSegments=4,
                   ReturnConsumedCapacity="TOTAL")
        units.append((r["Count"], r["ConsumedCapacity"]["CapacityUnits"]))
    eq(sorted(units), [(0, 0.5), (0, 0.5), (0, 0.5), (10, 1.5)], "one segment per partition")


def test_batch_consumed_capacity(ctx):
    c = client(ctx)
    make_table(c, "tp-batch")
    make_table(c, "tp-batch2")
    # each write rounded alone: 500 B -> 1, 3.5 KB -> 4
    r = c.batch_write_item(RequestItems={
        "tp-batch": [{"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "1"},
                                              "v": {"S": blob(450)}}}},
                     {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"S": "1"},
                                              "v": {"S": blob(3500)}}}}],
        "tp-batch2": [{"DeleteRequest": {"Key": {"pk": {"S": "x"}, "sk": {"S": "1"}}}}]},
        ReturnConsumedCapacity="TOTAL")
    eq(r["UnprocessedItems"], {}, "all written")
    eq(sorted(r["ConsumedCapacity"], key=lambda x: x["TableName"]),
       [{"TableName": "tp-batch", "CapacityUnits": 5.0},
        {"TableName": "tp-batch2", "CapacityUnits": 1.0}], "BatchWriteItem per table")
    # each key read alone: 1 KB -> 0.5, 3.5 KB -> 0.5, missing -> 0.5; strong doubles
    r = c.batch_get_item(RequestItems={
        "tp-batch": {"Keys": [{"pk": {"S": k}, "sk": {"S": "1"}} for k in "abz"]},
        "tp-batch2": {"Keys": [{"pk": {"S": "x"}, "sk": {"S": "1"}}], "ConsistentRead": True}},
        ReturnConsumedCapacity="INDEXES")
    eq(len(r["Responses"]["tp-batch"]), 2, "found")
    eq(sorted(r["ConsumedCapacity"], key=lambda x: x["TableName"]),
       [{"TableName": "tp-batch", "CapacityUnits": 1.5, "Table": {"CapacityUnits": 1.5}},
        {"TableName": "tp-batch2", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}],
       "BatchGetItem per table")


# ---- hot partitions ------------------------------------------------------------

def test_hot_key_batch_write_and_sharding(ctx):
    s = ctx.new_server(args=SERVER_ARGS + ("--partition-wcu", "10"))
    c = client(ctx, s)
    c.create_table(TableName="tp-hot", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}])
    c.get_waiter("table_exists").wait(TableName="tp-hot", WaiterConfig={"Delay": 0.1})
    reqs = [{"PutRequest": {"Item": {"pk": {"S": "USER#hot"}, "sk": {"S": "%02d" % i}}}}
            for i in range(25)]
    r = c.batch_write_item(RequestItems={"tp-hot": reqs}, ReturnConsumedCapacity="TOTAL")
    # the partition takes 10 WCU in this second: the first 10, the rest left over as sent
    eq(r["UnprocessedItems"], {"tp-hot": reqs[10:]}, "UnprocessedItems")
    eq(r["ConsumedCapacity"], [{"TableName": "tp-hot", "CapacityUnits": 10.0}], "consumed")
    # nothing gets in: the call fails with the throttling error
    throttled(lambda: c.batch_write_item(RequestItems={"tp-hot": reqs[10:]}), "BatchWriteItem")
    throttled(lambda: c.put_item(TableName="tp-hot", Item=reqs[0]["PutRequest"]["Item"]),
              "PutItem")
    st, parsed, _ = ctx.call("BatchWriteItem", {"RequestItems": {"tp-hot": reqs[:1]}}, server=s)
    eq(st, 400, "status")
    # ThrottlingException spells the member with a lower-case t, as the API model does
    eq(parsed.get("throttlingReasons"), [{
        "reason": "TableWriteKeyRangeThroughputExceeded",
        "resource": "arn:aws:dynamodb:%s:123456789012:table/tp-hot" % REGION}],
        "ThrottlingReasons")
    # the same 25 writes spread over shard keys are all admitted
    shards = [{"PutRequest": {"Item": {"pk": {"S": "USER#hot#S%d" % (i % 5)},
                                       "sk": {"S": "%02d" % i}}}} for i in range(25)]
    r = c.batch_write_item(RequestItems={"tp-hot": shards})
    eq(r["UnprocessedItems"], {}, "sharded writes all admitted")
    # a second later the hot partition takes 10 more
    advance(ctx, 1, server=s)
    r = c.batch_write_item(RequestItems={"tp-hot": reqs[10:]})
    eq(len(r["UnprocessedItems"]["tp-hot"]), 5, "refilled after one second")
    m = metrics(ctx, "tp-hot", server=s)
    eq(m["ConsumedWriteCapacityUnits"], 45.0, "consumed WCU")
    check(m["WriteThrottleEvents"] >= 15 + 15 + 1 + 1 + 5, "throttle events: %r" % m)
    check(m["WriteKeyRangeThroughputThrottleEvents"] == m["WriteThrottleEvents"],
          "all key-range: %r" % m)


def test_hot_key_reads(ctx):
    s = ctx.new_server(args=SERVER_ARGS + ("--partition-rcu", "2"))
    c = client(ctx, s)
    make_table(c, "tp-hotr", tags={"ddbd:partitions": "2"})
    for i in range(6):
        c.put_item(TableName="tp-hotr", Item={"pk": {"S": "hot"}, "sk": {"S": str(i)},
                                              "g": {"S": "G"}})
    c.put_item(TableName="tp-hotr", Item={"pk": {"S": "cold"}, "sk": {"S": "0"}})
    q = dict(TableName="tp-hotr", KeyConditionExpression="pk = :p",
             ExpressionAttributeValues={":p": {"S": "hot"}})
    for _ in range(4):  # 0.5 each: the partition's 2 RCU
        eq(c.query(**q)["Count"], 6, "admitted query")
    throttled(lambda: c.query(**q), "Query")
    throttled(lambda: c.get_item(TableName="tp-hotr",
                                 Key={"pk": {"S": "hot"}, "sk": {"S": "0"}}), "GetItem")
    # the GSI has its own partitions
    eq(c.query(TableName="tp-hotr", IndexName="gsi", KeyConditionExpression="g = :g",
               ExpressionAttributeValues={":g": {"S": "G"}})["Count"], 6, "GSI Query")
    # BatchGetItem: the hot keys are refused, the cold key (on the other partition: the
    # hash is fixed) is read; the refused keys come back with the table's options
    keys = [{"pk": {"S": "hot"}, "sk": {"S": str(i)}} for i in range(3)]
    cold = {"pk": {"S": "cold"}, "sk": {"S": "0"}}
    spec = {"Keys": keys + [cold], "ProjectionExpression": "pk, sk"}
    r = c.batch_get_item(RequestItems={"tp-hotr": spec})
    left = r["UnprocessedKeys"].get("tp-hotr", {})
    eq(left.get("Keys"), keys, "hot keys unprocessed")
    eq(r["Responses"]["tp-hotr"], [cold], "the cold key is read")
    eq(left.get("ProjectionExpression"), "pk, sk", "options kept")
    # every key refused: the call fails
    throttled(lambda: c.batch_get_item(RequestItems={"tp-hotr": {"Keys": keys}}),
              "BatchGetItem")
    # Scan spans both partitions; after a second everything is readable again
    throttled(lambda: c.scan(TableName="tp-hotr"), "Scan")
    advance(ctx, 1, server=s)
    eq(c.scan(TableName="tp-hotr")["Count"], 7, "Scan after a second")
    m = metrics(ctx, "tp-hotr", server=s)
    check(m["ReadThrottleEvents"] >= 4, "read throttle events: %r" % m)


def test_capacity_at_unit_boundaries(ctx):
    """Item size = attribute names + values: {"pk": <5 characters>, "v": n x's} is n + 8
    bytes."""
    c = client(ctx)
    c.create_table(TableName="tp-bounds", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   Tags=[{"Key": "ddbd:partitions", "Value": "1"}])
    c.get_waiter("table_exists").wait(TableName="tp-bounds", WaiterConfig={"Delay": 0.1})
    cases = [("w1024", 1024, 1.0), ("w1025", 1025, 2.0), ("w2048", 2048, 2.0),
             ("r4096", 4096, 4.0), ("r4097", 4097, 5.0)]
    for pk, size, wcu in cases:
        r = c.put_item(TableName="tp-bounds", Item={"pk": {"S": pk}, "v": {"S": blob(size - 8)}},
                       ReturnConsumedCapacity="TOTAL")
        eq(r["ConsumedCapacity"]["CapacityUnits"], wcu, "write units of %d bytes" % size)
    # overwriting: the larger of the old and new images
    r = c.put_item(TableName="tp-bounds", Item={"pk": {"S": "w1025"}, "v": {"S": "small"}},
                   ReturnConsumedCapacity="TOTAL")
    eq(r["ConsumedCapacity"]["CapacityUnits"], 2.0, "overwrite of a 1025-byte item")
    for pk, eventual, strong in (("r4096", 0.5, 1.0), ("r4097", 1.0, 2.0)):
        key = {"pk": {"S": pk}}
        r = c.get_item(TableName="tp-bounds", Key=key, ReturnConsumedCapacity="TOTAL")
        eq(r["ConsumedCapacity"]["CapacityUnits"], eventual, "eventual read of %s" % pk)
        r = c.get_item(TableName="tp-bounds", Key=key, ConsistentRead=True,
                       ReturnConsumedCapacity="TOTAL")
        eq(r["ConsumedCapacity"]["CapacityUnits"], strong, "strong read of %s" % pk)
    # BatchGetItem rounds each item alone: 4096 -> 1 block, 4097 -> 2 blocks, halved
    r = c.batch_get_item(RequestItems={"tp-bounds": {"Keys": [{"pk": {"S": "r4096"}},
                                                              {"pk": {"S": "r4097"}}]}},
                         ReturnConsumedCapacity="TOTAL")
    eq(r["ConsumedCapacity"], [{"TableName": "tp-bounds", "CapacityUnits": 1.5}], "batch get")
    # a Scan (one partition here) sums first: 1024 + 13 + 2048 + 4096 + 4097 = 11,278
    # bytes -> 3 blocks (rounded one by one they would be 6)
    r = c.scan(TableName="tp-bounds", ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    eq((r["Count"], r["ConsumedCapacity"]["CapacityUnits"]), (5, 3.0), "scan sums, then rounds")


def test_gsi_back_pressure(ctx):
    """Writes spread over table partitions but one GSI key: the index throttles them."""
    s = ctx.new_server(args=SERVER_ARGS + ("--partition-wcu", "10"))
    c = client(ctx, s)
    c.create_table(TableName="tp-gsi", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   GlobalSecondaryIndexes=[{
                       "IndexName": "byg", "Projection": {"ProjectionType": "KEYS_ONLY"},
                       "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    c.get_waiter("table_exists").wait(TableName="tp-gsi", WaiterConfig={"Delay": 0.1})
    for i in range(10):
        c.put_item(TableName="tp-gsi", Item={"pk": {"S": "k%d" % i}, "g": {"S": "same"}})
    e = throttled_index(lambda: c.put_item(TableName="tp-gsi",
                                           Item={"pk": {"S": "k10"}, "g": {"S": "same"}}))
    eq(e.response.get("throttlingReasons"), [{
        "reason": "IndexWriteKeyRangeThroughputExceeded",
        "resource": "arn:aws:dynamodb:%s:123456789012:table/tp-gsi/index/byg" % REGION}],
        "the reason names the index")
    check("Item" not in c.get_item(TableName="tp-gsi", Key={"pk": {"S": "k10"}}),
          "a throttled write changes nothing")
    # an item outside the sparse index does not touch it and gets in
    c.put_item(TableName="tp-gsi", Item={"pk": {"S": "k11"}})
    eq(metrics(ctx, "tp-gsi", server=s)["ConsumedWriteCapacityUnits"], 11.0,
       "the table consumed only what was admitted")


def throttled_index(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        eq(e.response["Error"]["Code"], "ThrottlingException", "error code")
        eq(e.response["Error"]["Message"],
           "Throughput exceeds the current capacity for one or more global secondary indexes. "
           "DynamoDB is automatically scaling your index so please try again shortly.",
           "index message")
        return e
    raise AssertionError("not throttled")


def test_batch_writer_eventually_writes_everything(ctx):
    """boto3's batch_writer re-sends UnprocessedItems and retries throttles (real clock)."""
    s = ctx.new_server(args=("--throttling", "on", "--partition-wcu", "30"))
    kw = dict(region_name=REGION, endpoint_url=s.endpoint, aws_access_key_id=ACCESS_KEY,
              aws_secret_access_key=SECRET_KEY,
              config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 10}))
    c = boto3.client("dynamodb", **kw)
    c.create_table(TableName="tp-bw", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}])
    c.get_waiter("table_exists").wait(TableName="tp-bw", WaiterConfig={"Delay": 0.1})
    table = boto3.resource("dynamodb", **kw).Table("tp-bw")
    with table.batch_writer() as b:
        for i in range(75):  # 2.5 s of the hot partition's capacity
            b.put_item(Item={"pk": "hot", "sk": "%03d" % i})
    r = c.query(TableName="tp-bw", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "hot"}}, Select="COUNT")
    eq(r["Count"], 75, "every item written in the end")
    m = metrics(ctx, "tp-bw", server=s)
    check(m["WriteThrottleEvents"] > 0, "the partition did throttle on the way: %r" % m)
    eq(m["ConsumedWriteCapacityUnits"], 75.0, "each item consumed once")
