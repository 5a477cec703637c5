"""test_authorization.py -- IAM enforcement of every data-plane operation
with the workshop's own principals and policies (policies/principals.json):
a tenant reaches its own partition-key space and nothing else, on the table
and on GSI1; Query, Scan, BatchGetItem and BatchWriteItem are authorized like
the single-item operations (dynamodb:LeadingKeys holds every partition key
value of the request; a Query on an index is authorized on the index ARN);
denials are AWS's AccessDeniedException, come before any existence check, and
leave nothing written. Driven with boto3 signed as each principal.
"""
import json
import os
import subprocess
import sys

import boto3
import botocore.config
import botocore.exceptions

from harness import REGION, check, eq

HERE = os.path.dirname(os.path.abspath(__file__))
WORKSHOP = os.path.join(HERE, "..", "workshop")
PRINCIPALS = os.path.abspath(os.path.join(HERE, "..", "..", "policies", "principals.json"))
ACCOUNT = "123456789012"
TABLE = "WorkshopShared"
TABLE_ARN = "arn:aws:dynamodb:%s:%s:table/%s" % (REGION, ACCOUNT, TABLE)

ORGANIZER = ("AKIAWORKSHOPORGANIZER", "organizer-secret-change-me")


def tenant_keys(n):
    return ("AKIAWORKSHOPT%03d" % n, "tenant-%03d-secret" % n)


def principal(name):
    with open(PRINCIPALS) as f:
        doc = json.load(f)
    for p in doc["principals"]:
        if p["arn"].endswith("/" + name):
            return p["access_key_id"], p["secret_access_key"], p["arn"]
    raise KeyError(name)


_server = None


def server(ctx):
    global _server
    if _server is None:
        _server = ctx.new_server(args=("--principals", PRINCIPALS), db=":memory:")
        seed(ctx, client(ctx, *ORGANIZER))
    return _server


def client(ctx, key, secret):
    return boto3.client(
        "dynamodb", region_name=REGION, endpoint_url=server(ctx).endpoint,
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"total_max_attempts": 1}))


def as_tenant(ctx, n):
    return client(ctx, *tenant_keys(n))


def seed(ctx, org):
    org.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "GSI1", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"},
                           {"AttributeName": "GSI1SK", "KeyType": "RANGE"}]},
            {"IndexName": "GSI2_StatusGlobal", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "GSI2PK", "KeyType": "HASH"},
                           {"AttributeName": "GSI2SK", "KeyType": "RANGE"}]}])
    org.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 0.1})
    for t in ("t-000", "t-001"):
        for i in range(3):
            org.put_item(TableName=TABLE, Item={
                "PK": {"S": "TENANT#%s#USER#u%d" % (t, i)}, "SK": {"S": "PROFILE"},
                "GSI1PK": {"S": "TENANT#%s#STATUS#active" % t}, "GSI1SK": {"S": "u%d" % i},
                "GSI2PK": {"S": "STATUS#active"}, "GSI2SK": {"S": "%s#u%d" % (t, i)},
                "secret": {"S": "owned by %s" % t}})
    org.put_item(TableName=TABLE, Item={
        "PK": {"S": "TENANT#t-001#ORDER#o1"}, "SK": {"S": "ORDER#o1"},
        "GSI2PK": {"S": "STATUS#PENDING"}, "GSI2SK": {"S": "t-001#o1"}})


def denied(fn, action, resource, user):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        eq(e.response["Error"]["Code"], "AccessDeniedException", "error code of %s" % action)
        eq(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, "status of %s" % action)
        eq(e.response["Error"]["Message"],
           "User: arn:aws:iam::%s:user/%s is not authorized to perform: dynamodb:%s on "
           "resource: %s because no identity-based policy allows the dynamodb:%s action"
           % (ACCOUNT, user, action, resource, action), "message of %s" % action)
        return
    raise AssertionError("%s was allowed" % action)


def pk(t, i=0):
    return {"S": "TENANT#%s#USER#u%d" % (t, i)}


def count_items(ctx, tenant):
    org = client(ctx, *ORGANIZER)
    r = org.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                  ExpressionAttributeValues={":p": pk(tenant, 9)})
    return r["Count"]


def test_query_own_partition_allowed_other_denied(ctx):
    server(ctx)
    c = as_tenant(ctx, 0)
    r = c.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                ExpressionAttributeValues={":p": pk("t-000")})
    eq(r["Count"], 1, "own partition")
    denied(lambda: c.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                           ExpressionAttributeValues={":p": pk("t-001")}),
           "Query", TABLE_ARN, "workshop_000")
    # the legacy KeyConditions carry the same leading key
    denied(lambda: c.query(TableName=TABLE, KeyConditions={
        "PK": {"ComparisonOperator": "EQ", "AttributeValueList": [pk("t-001")]}}),
        "Query", TABLE_ARN, "workshop_000")


def test_query_on_index_is_authorized_on_the_index_arn(ctx):
    server(ctx)
    c = as_tenant(ctx, 0)
    r = c.query(TableName=TABLE, IndexName="GSI1", KeyConditionExpression="GSI1PK = :p",
                ExpressionAttributeValues={":p": {"S": "TENANT#t-000#STATUS#active"}})
    eq(r["Count"], 3, "own GSI1 partition")
    denied(lambda: c.query(TableName=TABLE, IndexName="GSI1",
                           KeyConditionExpression="GSI1PK = :p",
                           ExpressionAttributeValues={":p": {"S": "TENANT#t-001#STATUS#active"}}),
           "Query", TABLE_ARN + "/index/GSI1", "workshop_000")
    # the admin-only global index: not in any tenant resource list
    denied(lambda: c.query(TableName=TABLE, IndexName="GSI2_StatusGlobal",
                           KeyConditionExpression="GSI2PK = :p",
                           ExpressionAttributeValues={":p": {"S": "STATUS#active"}}),
           "Query", TABLE_ARN + "/index/GSI2_StatusGlobal", "workshop_000")
    org = client(ctx, *ORGANIZER)
    r = org.query(TableName=TABLE, IndexName="GSI2_StatusGlobal",
                  KeyConditionExpression="GSI2PK = :p",
                  ExpressionAttributeValues={":p": {"S": "STATUS#active"}})
    eq(r["Count"], 6, "organizer sees every tenant")


def test_scan_denied_without_leading_keys(ctx):
    server(ctx)
    c = as_tenant(ctx, 0)
    denied(lambda: c.scan(TableName=TABLE), "Scan", TABLE_ARN, "workshop_000")
    denied(lambda: c.scan(TableName=TABLE, IndexName="GSI1"), "Scan",
           TABLE_ARN + "/index/GSI1", "workshop_000")


def test_naive_policy_scan_hole(ctx):
    """tenant-abac-naive.json: ForAllValues over an absent key is vacuously true."""
    server(ctx)
    key, secret, _ = principal("naive_009")
    c = client(ctx, key, secret)
    r = c.scan(TableName=TABLE)
    tenants = {i["PK"]["S"].split("#")[1] for i in r["Items"]}
    eq(tenants, {"t-000", "t-001"}, "the naive policy leaks every tenant through Scan")


def test_batch_get_item(ctx):
    server(ctx)
    c = as_tenant(ctx, 0)
    r = c.batch_get_item(RequestItems={TABLE: {"Keys": [
        {"PK": pk("t-000", 0), "SK": {"S": "PROFILE"}},
        {"PK": pk("t-000", 1), "SK": {"S": "PROFILE"}}]}})
    eq(len(r["Responses"][TABLE]), 2, "own keys")
    # one foreign key among own keys denies the whole call
    denied(lambda: c.batch_get_item(RequestItems={TABLE: {"Keys": [
        {"PK": pk("t-000", 0), "SK": {"S": "PROFILE"}},
        {"PK": pk("t-001", 0), "SK": {"S": "PROFILE"}}]}}),
        "BatchGetItem", TABLE_ARN, "workshop_000")


def test_batch_write_item_denied_writes_nothing(ctx):
    server(ctx)
    c = as_tenant(ctx, 0)
    r = c.batch_write_item(RequestItems={TABLE: [
        {"PutRequest": {"Item": {"PK": pk("t-000", 9), "SK": {"S": "A"}}}}]})
    eq(r["UnprocessedItems"], {}, "own item written")
    eq(count_items(ctx, "t-000"), 1, "own write visible")
    denied(lambda: c.batch_write_item(RequestItems={TABLE: [
        {"PutRequest": {"Item": {"PK": pk("t-000", 9), "SK": {"S": "B"}}}},
        {"PutRequest": {"Item": {"PK": pk("t-001", 9), "SK": {"S": "B"}}}}]}),
        "BatchWriteItem", TABLE_ARN, "workshop_000")
    eq(count_items(ctx, "t-000"), 1, "nothing of the denied batch was written")
    eq(count_items(ctx, "t-001"), 0, "nothing of the denied batch was written (other tenant)")
    denied(lambda: c.batch_write_item(RequestItems={TABLE: [
        {"DeleteRequest": {"Key": {"PK": pk("t-001", 0), "SK": {"S": "PROFILE"}}}}]}),
        "BatchWriteItem", TABLE_ARN, "workshop_000")


def test_denial_comes_before_existence(ctx):
    """A denied caller cannot learn whether a table exists."""
    server(ctx)
    c = as_tenant(ctx, 0)
    missing_arn = "arn:aws:dynamodb:%s:%s:table/NoSuchTable" % (REGION, ACCOUNT)
    denied(lambda: c.query(TableName="NoSuchTable", KeyConditionExpression="PK = :p",
                           ExpressionAttributeValues={":p": pk("t-000")}),
           "Query", missing_arn, "workshop_000")
    denied(lambda: c.scan(TableName="NoSuchTable"), "Scan", missing_arn, "workshop_000")
    denied(lambda: c.batch_get_item(RequestItems={"NoSuchTable": {"Keys": [
        {"PK": pk("t-000")}]}}), "BatchGetItem", missing_arn, "workshop_000")
    denied(lambda: c.batch_write_item(RequestItems={"NoSuchTable": [
        {"PutRequest": {"Item": {"PK": pk("t-000")}}}]}), "BatchWriteItem", missing_arn,
        "workshop_000")
    # the organizer may: the table's absence is then reported
    org = client(ctx, *ORGANIZER)
    for fn in (lambda: org.scan(TableName="NoSuchTable"),
               lambda: org.batch_get_item(RequestItems={"NoSuchTable": {"Keys": [
                   {"PK": pk("t-000")}]}})):
        try:
            fn()
            raise AssertionError("allowed on a missing table")
        except botocore.exceptions.ClientError as e:
            eq(e.response["Error"]["Code"], "ResourceNotFoundException", "organizer")


def test_single_item_operations(ctx):
    server(ctx)
    c = as_tenant(ctx, 1)
    key = {"PK": pk("t-001", 0), "SK": {"S": "PROFILE"}}
    eq(c.get_item(TableName=TABLE, Key=key)["Item"]["secret"]["S"], "owned by t-001", "own get")
    other = {"PK": pk("t-000", 0), "SK": {"S": "PROFILE"}}
    denied(lambda: c.get_item(TableName=TABLE, Key=other), "GetItem", TABLE_ARN, "workshop_001")
    denied(lambda: c.put_item(TableName=TABLE, Item=dict(other, secret={"S": "x"})), "PutItem",
           TABLE_ARN, "workshop_001")
    denied(lambda: c.update_item(TableName=TABLE, Key=other, UpdateExpression="SET secret = :s",
                                 ExpressionAttributeValues={":s": {"S": "x"}}),
           "UpdateItem", TABLE_ARN, "workshop_001")
    denied(lambda: c.delete_item(TableName=TABLE, Key=other), "DeleteItem", TABLE_ARN,
           "workshop_001")
    org = client(ctx, *ORGANIZER)
    eq(org.get_item(TableName=TABLE, Key=other)["Item"]["secret"]["S"], "owned by t-000",
       "the other tenant's item is untouched")


def test_readonly_principal(ctx):
    server(ctx)
    key, secret, _ = principal("reader_000")
    c = client(ctx, key, secret)
    r = c.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                ExpressionAttributeValues={":p": pk("t-000")})
    eq(r["Count"], 1, "reader queries its tenant")
    denied(lambda: c.batch_write_item(RequestItems={TABLE: [
        {"PutRequest": {"Item": {"PK": pk("t-000", 8), "SK": {"S": "A"}}}}]}),
        "BatchWriteItem", TABLE_ARN, "reader_000")


def test_decisions_record_query_denials(ctx):
    s = server(ctx)
    c = as_tenant(ctx, 2)
    denied(lambda: c.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                           ExpressionAttributeValues={":p": pk("t-000")}),
           "Query", TABLE_ARN, "workshop_002")
    st, _, body = ctx.raw("GET", "/_ddbd/decisions", server=s)
    eq(st, 200, "decisions endpoint")
    rows = [d for d in json.loads(body)["Decisions"]
            if d.get("Principal", "").endswith("user/workshop_002")
            and d.get("Action") == "dynamodb:Query"]
    check(rows and rows[-1]["Decision"] == "ImplicitDeny", "the denial is recorded: %r" % rows)


def script(ctx, name, keys, **env_extra):
    """Run the guide's examples/<name> unchanged under the given principal."""
    env = ctx.env(server(ctx))
    env.update({"AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1],
                "PYTHONIOENCODING": "utf-8"})
    env.update(env_extra)
    return subprocess.run([sys.executable, os.path.join("examples", name)], cwd=WORKSHOP,
                          env=env, capture_output=True, encoding="utf-8", timeout=60)


def test_workshop_section4_scripts_under_tenant_credentials(ctx):
    """Section 4 of the guide, verbatim, as tenant t-003 and as the organizer."""
    server(ctx)
    me = tenant_keys(3)
    p = script(ctx, "section4_intro_seed.py", me, TENANT_ID="t-003")
    eq(p.returncode, 0, "seed own tenant: %s" % p.stderr)
    p = script(ctx, "section4_gsi_status_scoped.py", me, TENANT_ID="t-003")
    eq(p.returncode, 0, "scoped status query: %s" % p.stderr)
    check(p.stdout.startswith("Pending orders for t-003 -> [{"), "own pending orders: %r" % p.stdout)
    p = script(ctx, "section4_cross_tenant_attempt.py", me, OTHER_TENANT_ID="t-000")
    eq(p.returncode, 0, "cross-tenant script: %s" % p.stderr)
    eq(p.stdout.splitlines(), [
        "\u2705 Security working correctly!",
        "Expected AccessDenied -> AccessDeniedException User: arn:aws:iam::%s:user/workshop_003 "
        "is not authorized to perform: dynamodb:GetItem on resource: %s because no "
        "identity-based policy allows the dynamodb:GetItem action" % (ACCOUNT, TABLE_ARN)],
        "cross-tenant output")
    # the admin-only global view: denied to the tenant, answered for the organizer
    p = script(ctx, "section4_gsi_status_global.py", me)
    check(p.returncode != 0 and "AccessDeniedException" in p.stderr
          and TABLE_ARN + "/index/GSI2_StatusGlobal" in p.stderr,
          "tenant denied the global index: %s %s" % (p.stdout, p.stderr))
    p = script(ctx, "section4_gsi_status_global.py", ORGANIZER)
    eq(p.returncode, 0, "organizer: %s" % p.stderr)
    check("'TENANT#t-001#ORDER#o1'" in p.stdout,
          "the organizer sees every tenant's pending orders: %r" % p.stdout)
