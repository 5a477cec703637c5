"""Validation of the control plane, table-driven: CreateTable, DescribeTable,
DeleteTable, ListTables, UpdateTable, TagResource, UntagResource and
ListTagsOfResource. Each case is (operation, body, __type, message) and is
checked for the exact HTTP status, __type and message
(validation-facts.md §5, §7-§10).

Control-plane TableName is 3..255 characters (a missing one is "The
parameter 'TableName' is required ..."); semantic checks (§7.2, §9.1) are
not wrapped in "1 validation error detected: "; all validation comes before
the table lookup, so most cases name a table that does not exist.
"""
import harness
from errcases import run_cases

VAL = "ValidationException"
RNF = "ResourceNotFoundException"
RIU = "ResourceInUseException"
LIM = "LimitExceededException"
P1 = "1 validation error detected: "
INVALID = "One or more parameter values were invalid: "
REQUIRED = "The parameter 'TableName' is required but was not present in the request"
REGEX = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
NOT_NULL = "Member must not be null"
REGION = harness.REGION
ACCOUNT = "123456789012"

NEW = "ce-new"              # never created
PROV = "ce-prov"            # PROVISIONED 5/5: pk S, sk S; GSI gs1 (a S) 5/5; LSI ls1 (pk, n N)
PPR = "ce-ppr"              # PAY_PER_REQUEST: pk S; GSI gsp (b S)
PLAIN = "ce-plain"          # PROVISIONED 3/4, hash only, stream enabled, deletion protection

AT_LEAST_ONE = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, "
                "MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "
                "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass "
                "is required")


def arn(name):
    return "arn:aws:dynamodb:%s:%s:table/%s" % (REGION, ACCOUNT, name)


def ad(*pairs):
    return [{"AttributeName": n, "AttributeType": t} for n, t in pairs]


def ks(*pairs):
    return [{"AttributeName": n, "KeyType": t} for n, t in pairs]


PT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def table(name=NEW, **kw):
    """A valid provisioned hash-key table definition, with overrides."""
    d = {"TableName": name, "AttributeDefinitions": ad(("pk", "S")),
         "KeySchema": ks(("pk", "HASH")), "ProvisionedThroughput": dict(PT)}
    for k, v in kw.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return d


def lsi(name, keys, proj=None):
    return {"IndexName": name, "KeySchema": keys,
            "Projection": {"ProjectionType": "ALL"} if proj is None else proj}


def gsi(name, keys, proj=None, pt=PT):
    d = {"IndexName": name, "KeySchema": keys,
         "Projection": {"ProjectionType": "ALL"} if proj is None else proj}
    if pt is not None:
        d["ProvisionedThroughput"] = dict(pt)
    return d


def setup(ctx):
    if getattr(ctx, "_ce_ready", False):
        return
    defs = [
        table(PROV, AttributeDefinitions=ad(("pk", "S"), ("sk", "S"), ("a", "S"), ("n", "N")),
              KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
              GlobalSecondaryIndexes=[gsi("gs1", ks(("a", "HASH")))],
              LocalSecondaryIndexes=[lsi("ls1", ks(("pk", "HASH"), ("n", "RANGE")))]),
        table(PPR, ProvisionedThroughput=None, BillingMode="PAY_PER_REQUEST",
              AttributeDefinitions=ad(("pk", "S"), ("b", "S")),
              GlobalSecondaryIndexes=[gsi("gsp", ks(("b", "HASH")), pt=None)]),
        table(PLAIN, ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
              StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
              DeletionProtectionEnabled=True),
    ]
    for d in defs:
        st, body, _ = ctx.call("CreateTable", d)
        harness.eq(st, 200, "CreateTable %s: %r" % (d["TableName"], body))
    ctx._ce_ready = True


# ---- CreateTable: constraint phase (§5, §7.1) -----------------------------------

def test_create_table_constraints(ctx):
    long_name = "a" * 256
    cases = [
        ("CreateTable", {}, VAL, REQUIRED),
        ("CreateTable", table(TableName=None), VAL, REQUIRED),
        ("CreateTable", {"TableName": "abc;"}, VAL,
         "3 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy "
         "constraint: Member must not be null; Value 'abc;' at 'tableName' failed to satisfy "
         "constraint: " + REGEX + "; Value null at 'keySchema' failed to satisfy constraint: "
         "Member must not be null"),
        ("CreateTable", table(TableName="ab"), VAL,
         P1 + "Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length "
         "greater than or equal to 3"),
        ("CreateTable", table(TableName=""), VAL,
         "2 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: "
         "Member must have length greater than or equal to 3; Value '' at 'tableName' failed to "
         "satisfy constraint: " + REGEX),
        ("CreateTable", table(TableName="a;"), VAL,
         "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: "
         "Member must have length greater than or equal to 3; Value 'a;' at 'tableName' failed "
         "to satisfy constraint: " + REGEX),
        ("CreateTable", table(TableName=long_name), VAL,
         P1 + "Value '%s' at 'tableName' failed to satisfy constraint: Member must have length "
         "less than or equal to 255" % long_name),
        ("CreateTable", table(AttributeDefinitions=[{}]), VAL,
         "2 validation errors detected: Value null at 'attributeDefinitions.1.member."
         "attributeName' failed to satisfy constraint: Member must not be null; Value null at "
         "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member "
         "must not be null"),
        ("CreateTable", table(AttributeDefinitions=ad(("pk", "SS"))), VAL,
         P1 + "Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
         "constraint: Member must satisfy enum value set: [B, N, S]"),
        ("CreateTable", table(AttributeDefinitions=ad(("pk", "INVALID"))), VAL,
         P1 + "Value 'INVALID' at 'attributeDefinitions.1.member.attributeType' failed to "
         "satisfy constraint: Member must satisfy enum value set: [B, N, S]"),
        ("CreateTable", table(KeySchema=ks(("pk", "INVALID"))), VAL,
         P1 + "Value 'INVALID' at 'keySchema.1.member.keyType' failed to satisfy constraint: "
         "Member must satisfy enum value set: [HASH, RANGE]"),
        ("CreateTable", table(KeySchema=[{"KeyType": "HASH"}]), VAL,
         P1 + "Value null at 'keySchema.1.member.attributeName' failed to satisfy constraint: "
         "Member must not be null"),
        ("CreateTable", table(KeySchema=ks(("pk", "HASH"), ("", "RANGE"))), VAL,
         P1 + "Value '' at 'keySchema.2.member.attributeName' failed to satisfy constraint: "
         "Member must have length greater than or equal to 1"),
        ("CreateTable", table(ProvisionedThroughput={}), VAL,
         "2 validation errors detected: Value null at 'provisionedThroughput.writeCapacityUnits' "
         "failed to satisfy constraint: Member must not be null; Value null at "
         "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must "
         "not be null"),
        ("CreateTable", table(AttributeDefinitions=[], KeySchema=[],
                              ProvisionedThroughput={"ReadCapacityUnits": -1,
                                                     "WriteCapacityUnits": -1}), VAL,
         "3 validation errors detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' "
         "failed to satisfy constraint: Member must have value greater than or equal to 1; Value "
         "'-1' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member "
         "must have value greater than or equal to 1; Value '[]' at 'keySchema' failed to satisfy "
         "constraint: Member must have length greater than or equal to 1"),
        # the constraint phase wins over the out-of-bounds check
        ("CreateTable", table(AttributeDefinitions=[],
                              ProvisionedThroughput={"ReadCapacityUnits": 1000000000001,
                                                     "WriteCapacityUnits": -1}), VAL,
         P1 + "Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy "
         "constraint: Member must have value greater than or equal to 1"),
        ("CreateTable", table(BillingMode="INVALID_MODE"), VAL,
         P1 + "Value 'INVALID_MODE' at 'billingMode' failed to satisfy constraint: Member must "
         "satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"),
        ("CreateTable", table(StreamSpecification={"StreamEnabled": True,
                                                   "StreamViewType": "ALL"}), VAL,
         P1 + "Value 'ALL' at 'streamSpecification.streamViewType' failed to satisfy constraint: "
         "Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, "
         "NEW_IMAGE]"),
        # the 10-cap: nine empty LSIs have 27 violations; 10 are listed and counted
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "HASH"), ("b", "RANGE")),
                              LocalSecondaryIndexes=[{}] * 9), VAL,
         "10 validation errors detected: " + "; ".join(
             "Value null at 'localSecondaryIndexes.%d.member.%s' failed to satisfy constraint: "
             "Member must not be null" % (i, m)
             for i in range(1, 5) for m in ("indexName", "keySchema", "projection"))
         .rsplit("; ", 2)[0]),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "HASH")),
                              LocalSecondaryIndexes=[
                                  {"IndexName": "h;", "KeySchema": [], "Projection": {}},
                                  {"IndexName": long_name, "KeySchema": ks(("a", "HASH")),
                                   "Projection": {}}]), VAL,
         "4 validation errors detected: Value 'h;' at 'localSecondaryIndexes.1.member.indexName' "
         "failed to satisfy constraint: " + REGEX + "; Value 'h;' at 'localSecondaryIndexes.1."
         "member.indexName' failed to satisfy constraint: Member must have length greater than "
         "or equal to 3; Value '[]' at 'localSecondaryIndexes.1.member.keySchema' failed to "
         "satisfy constraint: Member must have length greater than or equal to 1; Value '%s' at "
         "'localSecondaryIndexes.2.member.indexName' failed to satisfy constraint: Member must "
         "have length less than or equal to 255" % long_name),
        ("CreateTable", table(AttributeDefinitions=ad(("pk", "S"), ("a", "S")),
                              GlobalSecondaryIndexes=[gsi("gsi", ks(("a", "HASH")),
                                                          {"ProjectionType": "SOME",
                                                           "NonKeyAttributes": []},
                                                          {"ReadCapacityUnits": 0,
                                                           "WriteCapacityUnits": 1})]), VAL,
         "3 validation errors detected: Value 'SOME' at 'globalSecondaryIndexes.1.member."
         "projection.projectionType' failed to satisfy constraint: Member must satisfy enum "
         "value set: [ALL, INCLUDE, KEYS_ONLY]; Value '[]' at 'globalSecondaryIndexes.1.member."
         "projection.nonKeyAttributes' failed to satisfy constraint: Member must have length "
         "greater than or equal to 1; Value '0' at 'globalSecondaryIndexes.1.member."
         "provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have "
         "value greater than or equal to 1"),
        ("CreateTable", table(AttributeDefinitions=ad(("pk", "S"), ("a", "S")),
                              GlobalSecondaryIndexes=[gsi("gsi", ks(("a", "HASH")),
                                                          {"ProjectionType": "INCLUDE",
                                                           "NonKeyAttributes":
                                                           ["x%d" % i for i in range(21)]})]),
         VAL,
         P1 + "Value '[%s]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' "
         "failed to satisfy constraint: Member must have length less than or equal to 20"
         % ", ".join("x%d" % i for i in range(21))),
    ]
    run_cases(ctx, cases)


# ---- CreateTable: semantic checks in order (§7.2) ---------------------------------

def test_create_table_billing_and_throughput(ctx):
    big = 1000000000001
    run_cases(ctx, [
        ("CreateTable", table(BillingMode="PAY_PER_REQUEST"), VAL,
         INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
         "BillingMode is PAY_PER_REQUEST"),
        ("CreateTable", table(ProvisionedThroughput=None), VAL,
         INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
         "BillingMode is PROVISIONED"),
        ("CreateTable", table(ProvisionedThroughput=None, BillingMode="PROVISIONED"), VAL,
         INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
         "BillingMode is PROVISIONED"),
        ("CreateTable", table(OnDemandThroughput={"MaxReadRequestUnits": 10}), VAL,
         INVALID + "MaxReadRequestUnits for OnDemandThroughput cannot be specified when table "
         "BillingMode is PROVISIONED."),
        ("CreateTable", table(ProvisionedThroughput={"ReadCapacityUnits": big,
                                                     "WriteCapacityUnits": big}), VAL,
         "Given value 1000000000001 for ReadCapacityUnits is out of bounds"),
        ("CreateTable", table(ProvisionedThroughput={"WriteCapacityUnits": big,
                                                     "ReadCapacityUnits": big}), VAL,
         "Given value 1000000000001 for ReadCapacityUnits is out of bounds"),
        ("CreateTable", table(ProvisionedThroughput={"ReadCapacityUnits": 1000000000000,
                                                     "WriteCapacityUnits": big}), VAL,
         "Given value 1000000000001 for WriteCapacityUnits is out of bounds"),
        ("CreateTable", table(ProvisionedThroughput={"ReadCapacityUnits": 40001,
                                                     "WriteCapacityUnits": 5}), LIM,
         "The requested ReadCapacityUnits, 40001, is above the per table maximum for the "
         "account in %s. Per table maximum: 40000. Refer to the Amazon DynamoDB Developer Guide "
         "for current limits and how to request higher limits." % REGION),
        ("CreateTable", table(ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                     "WriteCapacityUnits": 40001}), LIM,
         "The requested WriteCapacityUnits, 40001, is above the per table maximum for the "
         "account in %s. Per table maximum: 40000. Refer to the Amazon DynamoDB Developer Guide "
         "for current limits and how to request higher limits." % REGION),
    ])


THREE_KEYS = ks(("pk", "HASH"), ("sk", "RANGE"), ("extra", "RANGE"))
THREE_KEYS_TEXT = (
    P1 + "Value '[KeySchemaElement(attributeName=pk, keyType=HASH), "
    "KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=extra, "
    "keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length less "
    "than or equal to 2")
THREE_DEFS = ad(("pk", "S"), ("sk", "S"), ("extra", "S"))


def test_create_table_key_schema(ctx):
    no_def = "Invalid KeySchema: Some index key attribute have no definition"
    same = "Both the Hash Key and the Range Key element in the KeySchema have the same name"
    first = "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    second = "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
    count = (INVALID + "Number of attributes in KeySchema does not exactly match number of "
             "attributes defined in AttributeDefinitions")
    run_cases(ctx, [
        # more than two key elements: after the billing-mode check, before the rest
        ("CreateTable", table(AttributeDefinitions=THREE_DEFS, KeySchema=THREE_KEYS), VAL,
         THREE_KEYS_TEXT),
        ("CreateTable", table(AttributeDefinitions=THREE_DEFS, KeySchema=THREE_KEYS,
                              ProvisionedThroughput=None, BillingMode="PAY_PER_REQUEST"), VAL,
         THREE_KEYS_TEXT),
        # Lombok renders members in declaration order, whatever the request's order
        ("CreateTable", table(AttributeDefinitions=THREE_DEFS,
                              KeySchema=[{"KeyType": k["KeyType"], "AttributeName": k["AttributeName"]}
                                         for k in THREE_KEYS]), VAL, THREE_KEYS_TEXT),
        ("CreateTable", table(AttributeDefinitions=THREE_DEFS, KeySchema=THREE_KEYS,
                              ProvisionedThroughput=None), VAL,
         INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
         "BillingMode is PROVISIONED"),
        ("CreateTable", table(AttributeDefinitions=[], KeySchema=THREE_KEYS), VAL, THREE_KEYS_TEXT),
        ("CreateTable", table(KeySchema=THREE_KEYS,
                              ProvisionedThroughput={"ReadCapacityUnits": 1000000000001,
                                                     "WriteCapacityUnits": 1}), VAL,
         "Given value 1000000000001 for ReadCapacityUnits is out of bounds"),
        # duplicated attribute definitions
        ("CreateTable", table(AttributeDefinitions=ad(("pk", "S"), ("pk", "N"))), VAL,
         "Attribute Name is duplicated: pk"),
        ("CreateTable", table(AttributeDefinitions=ad(("pk", "S"), ("x", "S"), ("x", "S"))), VAL,
         "Attribute Name is duplicated: x"),
        ("CreateTable", table(AttributeDefinitions=ad(("x", "S"), ("x", "S"))), VAL,
         "Attribute Name is duplicated: x"),
        # definitions missing
        ("CreateTable", table(AttributeDefinitions=[]), VAL, no_def),
        ("CreateTable", table(AttributeDefinitions=[],
                              KeySchema=ks(("a", "HASH"), ("a", "HASH"))), VAL, no_def),
        ("CreateTable", table(AttributeDefinitions=ad(("b", "S")),
                              KeySchema=ks(("a", "HASH"), ("a", "HASH"))), VAL, no_def),
        ("CreateTable", table(AttributeDefinitions=ad(("b", "S")),
                              KeySchema=ks(("a", "HASH"), ("b", "RANGE"))), VAL, no_def),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S")),
                              KeySchema=ks(("a", "HASH"), ("a", "HASH"))), VAL, no_def),
        ("CreateTable", table(AttributeDefinitions=ad(("pk", "S")),
                              KeySchema=ks(("pk", "HASH"), ("pk", "RANGE"))), VAL, no_def),
        ("CreateTable", table(AttributeDefinitions=ad(("b", "S")), KeySchema=ks(("a", "HASH"))),
         VAL, INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
         "Keys: [a], AttributeDefinitions: [b]"),
        ("CreateTable", table(AttributeDefinitions=ad(("pk", "S")), KeySchema=ks(("PK", "HASH"))),
         VAL, INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
         "Keys: [PK], AttributeDefinitions: [pk]"),
        # names and key types
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "HASH"), ("a", "HASH"))), VAL, same),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "HASH"), ("a", "RANGE"))), VAL, same),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "HASH"), ("b", "HASH"))), VAL, second),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "RANGE"), ("b", "HASH"))), VAL, first),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "RANGE"), ("b", "RANGE"))), VAL, first),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S")), KeySchema=ks(("a", "RANGE"))),
         VAL, first),
        # extra definitions without indexes
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("c", "S"), ("b", "S")),
                              KeySchema=ks(("a", "HASH"), ("b", "RANGE"))), VAL, count),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "HASH"))), VAL, count),
        # order: duplicates before definitions, definitions before key types
        ("CreateTable", table(AttributeDefinitions=ad(("x", "S"), ("x", "S")),
                              KeySchema=ks(("a", "RANGE"))), VAL, "Attribute Name is duplicated: x"),
        ("CreateTable", table(AttributeDefinitions=ad(("x", "S")),
                              KeySchema=ks(("a", "RANGE"))), VAL,
         INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
         "Keys: [a], AttributeDefinitions: [x]"),
    ])


LSI_TABLE = {"AttributeDefinitions": ad(("a", "S"), ("b", "S"), ("c", "S")),
             "KeySchema": ks(("a", "HASH"), ("b", "RANGE"))}


def lsi_table(lsis, **kw):
    d = dict(LSI_TABLE, LocalSecondaryIndexes=lsis)
    d.update(kw)
    return table(**d)


def test_create_table_local_indexes(ctx):
    run_cases(ctx, [
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("b", "S")),
                              KeySchema=ks(("a", "HASH")), LocalSecondaryIndexes=[]), VAL,
         INVALID + "List of LocalSecondaryIndexes is empty"),
        ("CreateTable", table(AttributeDefinitions=ad(("a", "S"), ("c", "S")),
                              KeySchema=ks(("a", "HASH")),
                              LocalSecondaryIndexes=[lsi("abc", ks(("c", "RANGE")), {})]), VAL,
         INVALID + "Table KeySchema does not have a range key, which is required when "
         "specifying a LocalSecondaryIndex"),
        ("CreateTable", lsi_table([lsi("abc", ks(("c", "RANGE"), ("d", "RANGE")), {}),
                                   lsi("abc", ks(("e", "RANGE")), {})]), VAL,
         INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
         "Keys: [c, d], AttributeDefinitions: [a, b, c]"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("a", "RANGE")))]), VAL,
         "Both the Hash Key and the Range Key element in the KeySchema have the same name"),
        ("CreateTable", lsi_table([lsi("abc", ks(("c", "RANGE"), ("a", "HASH")))]), VAL,
         "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("c", "HASH")))]), VAL,
         "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH")))]), VAL,
         INVALID + "Index KeySchema does not have a range key for index: abc"),
        ("CreateTable", lsi_table([lsi("abc", ks(("c", "HASH"), ("b", "RANGE")))]), VAL,
         INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema "
         "for index: abc. index hash key: c, table hash key: a"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("c", "RANGE")), {})]), VAL,
         INVALID + "Unknown ProjectionType: null"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("c", "RANGE")),
                                       {"NonKeyAttributes": ["x"]})]), VAL,
         INVALID + "Unknown ProjectionType: null"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("c", "RANGE")),
                                       {"ProjectionType": "ALL", "NonKeyAttributes": ["x"]})]),
         VAL, INVALID + "ProjectionType is ALL, but NonKeyAttributes is specified"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("c", "RANGE")),
                                       {"ProjectionType": "KEYS_ONLY",
                                        "NonKeyAttributes": ["x"]})]),
         VAL, INVALID + "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("c", "RANGE")),
                                       {"ProjectionType": "INCLUDE"})]),
         VAL, INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("c", "RANGE")),
                                       {"ProjectionType": "INCLUDE",
                                        "NonKeyAttributes": ["x", "y", "x"]})]),
         VAL, INVALID + "Duplicate element in NonKeyAttributes: x"),
        ("CreateTable", lsi_table([lsi("abc", ks(("a", "HASH"), ("c", "RANGE"))),
                                   lsi("abc", ks(("a", "HASH"), ("c", "RANGE")))]), VAL,
         INVALID + "Duplicate index name: abc"),
        ("CreateTable", lsi_table([lsi("ix%d" % i, ks(("a", "HASH"), ("c", "RANGE")))
                                   for i in range(6)]), VAL,
         INVALID + "Number of LocalSecondaryIndexes exceeds per-table limit of 5"),
    ])


def gsi_table(gsis, defs=(("a", "S"), ("b", "S"), ("c", "S")), **kw):
    d = {"AttributeDefinitions": ad(*defs), "KeySchema": ks(("a", "HASH")),
         "GlobalSecondaryIndexes": gsis}
    d.update(kw)
    return table(**d)


def test_create_table_global_indexes(ctx):
    run_cases(ctx, [
        ("CreateTable", gsi_table([], defs=(("a", "S"),)), VAL,
         INVALID + "List of GlobalSecondaryIndexes is empty"),
        ("CreateTable", gsi_table([gsi("abc", ks(("d", "HASH")))]), VAL,
         INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
         "Keys: [d], AttributeDefinitions: [a, b, c]"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH"), ("b", "RANGE")))]), VAL,
         "Both the Hash Key and the Range Key element in the KeySchema have the same name"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "RANGE")))]), VAL,
         "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH"), ("c", "HASH")))]), VAL,
         "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH")), {})]), VAL,
         INVALID + "Unknown ProjectionType: null"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH")),
                                       {"ProjectionType": "KEYS_ONLY",
                                        "NonKeyAttributes": ["x"]})]), VAL,
         INVALID + "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH")), pt=None)]), VAL,
         INVALID + "ProvisionedThroughput is not specified for index: abc"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH")))], ProvisionedThroughput=None,
                                  BillingMode="PAY_PER_REQUEST"), VAL,
         INVALID + "ProvisionedThroughput should not be specified for index: abc when "
         "BillingMode is PAY_PER_REQUEST"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH")),
                                       pt={"ReadCapacityUnits": 1000000000001,
                                           "WriteCapacityUnits": 1})]), VAL,
         "Given value 1000000000001 for ReadCapacityUnits is out of bounds for index abc"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH")),
                                       pt={"ReadCapacityUnits": 1,
                                           "WriteCapacityUnits": 1000000000001})]), VAL,
         "Given value 1000000000001 for WriteCapacityUnits is out of bounds for index abc"),
        ("CreateTable", gsi_table([gsi("abc", ks(("b", "HASH"))), gsi("abc", ks(("c", "HASH")))]),
         VAL, INVALID + "Duplicate index name: abc"),
        ("CreateTable", gsi_table([gsi("abc", ks(("a", "HASH"), ("c", "RANGE")))],
                                  KeySchema=ks(("a", "HASH"), ("b", "RANGE")),
                                  LocalSecondaryIndexes=[lsi("abc", ks(("a", "HASH"),
                                                                        ("c", "RANGE")))]),
         VAL, INVALID + "Duplicate index name: abc"),
        ("CreateTable", gsi_table([gsi("ix%02d" % i, ks(("b", "HASH"))) for i in range(21)]),
         VAL, INVALID + "GlobalSecondaryIndex count exceeds the per-table limit of 20"),
        # LSIs are checked before GSIs
        ("CreateTable", gsi_table([gsi("abc", ks(("d", "HASH")))],
                                  KeySchema=ks(("a", "HASH"), ("b", "RANGE")),
                                  LocalSecondaryIndexes=[lsi("lsi", ks(("a", "HASH")))]), VAL,
         INVALID + "Index KeySchema does not have a range key for index: lsi"),
    ])


def test_create_table_unused_definitions_with_indexes(ctx):
    """§7.2 row 8: both lists are in an AWS-internal (hash-set) order, so compare as sets."""
    prefix = INVALID + "Some AttributeDefinitions are not used. AttributeDefinitions: ["
    body = gsi_table([gsi("abc", ks(("b", "HASH")))], defs=(("a", "S"), ("b", "S"), ("c", "S"),
                                                           ("d", "S")))
    parsed = harness.expect_error(ctx, "CreateTable", body, 400, VAL)
    msg = parsed.get("message", "")
    harness.check(msg.startswith(prefix) and msg.endswith("]"), "message %r" % msg)
    defs, used = msg[len(prefix):-1].split("], keys used: [")
    harness.eq(sorted(defs.split(", ")), ["a", "b", "c", "d"], "AttributeDefinitions listed")
    harness.eq(sorted(used.split(", ")), ["a", "b"], "keys used")


def test_create_table_stream_sse_tags(ctx):
    setup(ctx)
    run_cases(ctx, [
        ("CreateTable", table(StreamSpecification={"StreamEnabled": True}), VAL,
         INVALID + "Table is being created with a stream enabled, UpdateViewType is required"),
        ("CreateTable", table(StreamSpecification={"StreamEnabled": False,
                                                   "StreamViewType": "KEYS_ONLY"}), VAL,
         INVALID + "Table is being created with a stream disabled, UpdateViewType should not "
         "be specified"),
        ("CreateTable", table(SSESpecification={"Enabled": False, "SSEType": "KMS"}), VAL,
         "SSEType can not be specified if Enabled is false"),
        ("CreateTable", table(BillingMode="PAY_PER_REQUEST", ProvisionedThroughput=None,
                              OnDemandThroughput={"MaxReadRequestUnits": 0}), VAL,
         INVALID + "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside "
         "of valid range"),
        ("CreateTable", table(BillingMode="PAY_PER_REQUEST", ProvisionedThroughput=None,
                              OnDemandThroughput={"MaxReadRequestUnits": -2}), VAL,
         INVALID + "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside "
         "of valid range"),
        ("CreateTable", table(Tags=[{"Key": "aws:x", "Value": "v"}]), VAL,
         "Tag Key cannot be prefixed with aws:, Key: aws:x"),
        ("CreateTable", table(Tags=[{"Key": "", "Value": "v"}]), VAL,
         "The Tag Key provided is invalid, Key: "),
        ("CreateTable", table(Tags=[{"Value": "v"}]), VAL,
         "The Tag Key provided is invalid, Key: null"),
        ("CreateTable", table(Tags=[{"Key": "k"}]), VAL,
         "The Tag Value provided is invalid, Value: null"),
        ("CreateTable", table(Tags=[{"Key": "k", "Value": "v"}, {"Key": "k", "Value": "w"}]), VAL,
         "Duplicate Tag Keys provided as input: Duplicate Tag Key found k"),
        ("CreateTable", table(Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(51)]), VAL,
         "Number of Tags exceed the current limit for the provided ResourceArn"),
        # every validation error beats "already exists"
        ("CreateTable", table(PROV, BillingMode="PAY_PER_REQUEST"), VAL,
         INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
         "BillingMode is PAY_PER_REQUEST"),
        ("CreateTable", table(PROV, Tags=[{"Key": "aws:x", "Value": "v"}]), VAL,
         "Tag Key cannot be prefixed with aws:, Key: aws:x"),
        ("CreateTable", table(PROV, Tags=[]), RIU, "Table already exists: %s" % PROV),
        ("CreateTable", table(PROV), RIU, "Table already exists: %s" % PROV),
        ("CreateTable", table(PPR, BillingMode="PAY_PER_REQUEST", ProvisionedThroughput=None),
         RIU, "Table already exists: %s" % PPR),
    ])
    # nothing was created by the failed requests
    for name in [NEW]:
        harness.expect_error(ctx, "DescribeTable", {"TableName": name}, 400, RNF,
                             "Requested resource not found: Table: %s not found" % name)


# ---- DescribeTable, DeleteTable, ListTables (§8) --------------------------------------

def test_describe_and_delete_table_errors(ctx):
    setup(ctx)
    long_name = "a" * 256
    cases = []
    for op in ["DescribeTable", "DeleteTable"]:
        cases += [
            (op, {}, VAL, REQUIRED),
            (op, {"TableName": None}, VAL, REQUIRED),          # null = absent
            (op, {"Foo": "abc"}, VAL, REQUIRED),               # unknown members ignored
            (op, {"TableName": ""}, VAL,
             "2 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: "
             "Member must have length greater than or equal to 3; Value '' at 'tableName' failed "
             "to satisfy constraint: " + REGEX),
            (op, {"TableName": "abc;"}, VAL,
             P1 + "Value 'abc;' at 'tableName' failed to satisfy constraint: " + REGEX),
            (op, {"TableName": "ab"}, VAL,
             P1 + "Value 'ab' at 'tableName' failed to satisfy constraint: Member must have "
             "length greater than or equal to 3"),
            (op, {"TableName": long_name}, VAL,
             P1 + "Value '%s' at 'tableName' failed to satisfy constraint: Member must have "
             "length less than or equal to 255" % long_name),
            (op, {"TableName": NEW}, RNF, "Requested resource not found: Table: %s not found" % NEW),
            (op, {"TableName": PROV.upper()}, RNF,
             "Requested resource not found: Table: %s not found" % PROV.upper()),
        ]
    cases.append(("DeleteTable", {"TableName": PLAIN}, VAL,
                  "Resource cannot be deleted as it is currently protected against deletion. "
                  "Disable deletion protection first."))
    cases.append(("DeleteTable", {"TableName": arn(PLAIN)}, VAL,
                  "Resource cannot be deleted as it is currently protected against deletion. "
                  "Disable deletion protection first."))
    run_cases(ctx, cases)


def test_list_tables_errors(ctx):
    long_name = "a" * 256
    run_cases(ctx, [
        ("ListTables", {"Limit": 0}, VAL,
         P1 + "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
         "than or equal to 1"),
        ("ListTables", {"Limit": -5}, VAL,
         P1 + "Value '-5' at 'limit' failed to satisfy constraint: Member must have value greater "
         "than or equal to 1"),
        ("ListTables", {"Limit": 101}, VAL,
         P1 + "Value '101' at 'limit' failed to satisfy constraint: Member must have value less "
         "than or equal to 100"),
        ("ListTables", {"ExclusiveStartTableName": ""}, VAL,
         "2 validation errors detected: Value '' at 'exclusiveStartTableName' failed to satisfy "
         "constraint: " + REGEX + "; Value '' at 'exclusiveStartTableName' failed to satisfy "
         "constraint: Member must have length greater than or equal to 3"),
        ("ListTables", {"ExclusiveStartTableName": "a;"}, VAL,
         "2 validation errors detected: Value 'a;' at 'exclusiveStartTableName' failed to "
         "satisfy constraint: " + REGEX + "; Value 'a;' at 'exclusiveStartTableName' failed to "
         "satisfy constraint: Member must have length greater than or equal to 3"),
        ("ListTables", {"ExclusiveStartTableName": long_name}, VAL,
         P1 + "Value '%s' at 'exclusiveStartTableName' failed to satisfy constraint: Member must "
         "have length less than or equal to 255" % long_name),
        ("ListTables", {"ExclusiveStartTableName": arn(PROV)}, VAL,
         P1 + "Value '%s' at 'exclusiveStartTableName' failed to satisfy constraint: %s"
         % (arn(PROV), REGEX)),
        ("ListTables", {"Limit": 0, "ExclusiveStartTableName": "a;"}, VAL,
         "3 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member "
         "must have value greater than or equal to 1; Value 'a;' at 'exclusiveStartTableName' "
         "failed to satisfy constraint: " + REGEX + "; Value 'a;' at 'exclusiveStartTableName' "
         "failed to satisfy constraint: Member must have length greater than or equal to 3"),
    ])


# ---- UpdateTable (§9) ---------------------------------------------------------------------

def test_update_table_request_checks(ctx):
    """Checks that need no table: they win even when the table does not exist."""
    big = 1000000000001
    run_cases(ctx, [
        ("UpdateTable", {}, VAL, REQUIRED),
        ("UpdateTable", {"ProvisionedThroughput": PT}, VAL, REQUIRED),
        ("UpdateTable", {"TableName": "abc;"}, VAL,
         P1 + "Value 'abc;' at 'tableName' failed to satisfy constraint: " + REGEX),
        ("UpdateTable", {"TableName": NEW}, VAL, AT_LEAST_ONE),
        ("UpdateTable", {"TableName": NEW, "AttributeDefinitions": ad(("a", "S"))}, VAL,
         AT_LEAST_ONE),
        ("UpdateTable", {"TableName": NEW, "KeySchema": ks(("a", "HASH")),
                         "LocalSecondaryIndexes": []}, VAL, AT_LEAST_ONE),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": []}, VAL, AT_LEAST_ONE),
        ("UpdateTable", {"TableName": NEW, "ProvisionedThroughput": {}}, VAL,
         "2 validation errors detected: Value null at 'provisionedThroughput.writeCapacityUnits' "
         "failed to satisfy constraint: Member must not be null; Value null at "
         "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must "
         "not be null"),
        ("UpdateTable", {"TableName": NEW, "ProvisionedThroughput": {"ReadCapacityUnits": -1,
                                                                    "WriteCapacityUnits": -1}},
         VAL, "2 validation errors detected: Value '-1' at 'provisionedThroughput."
         "writeCapacityUnits' failed to satisfy constraint: Member must have value greater than "
         "or equal to 1; Value '-1' at 'provisionedThroughput.readCapacityUnits' failed to "
         "satisfy constraint: Member must have value greater than or equal to 1"),
        ("UpdateTable", {"TableName": NEW, "ProvisionedThroughput": {"ReadCapacityUnits": big,
                                                                    "WriteCapacityUnits": -1}},
         VAL, P1 + "Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy "
         "constraint: Member must have value greater than or equal to 1"),
        ("UpdateTable", {"TableName": NEW, "ProvisionedThroughput": {"ReadCapacityUnits": big,
                                                                    "WriteCapacityUnits": big}},
         VAL, "Given value 1000000000001 for ReadCapacityUnits is out of bounds"),
        ("UpdateTable", {"TableName": NEW, "ProvisionedThroughput": {"WriteCapacityUnits": big,
                                                                    "ReadCapacityUnits": 1}},
         VAL, "Given value 1000000000001 for WriteCapacityUnits is out of bounds"),
        ("UpdateTable", {"TableName": NEW, "BillingMode": "ON_DEMAND"}, VAL,
         P1 + "Value 'ON_DEMAND' at 'billingMode' failed to satisfy constraint: Member must "
         "satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [
            {"Update": {"IndexName": "a", "ProvisionedThroughput": {}}},
            {"Update": {"IndexName": "abc;", "ProvisionedThroughput": {"ReadCapacityUnits": big,
                                                                      "WriteCapacityUnits": 0}}}]},
         VAL, "5 validation errors detected: Value 'a' at 'globalSecondaryIndexUpdates.1.member."
         "update.indexName' failed to satisfy constraint: Member must have length greater than "
         "or equal to 3; Value null at 'globalSecondaryIndexUpdates.1.member.update."
         "provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not "
         "be null; Value null at 'globalSecondaryIndexUpdates.1.member.update."
         "provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not "
         "be null; Value 'abc;' at 'globalSecondaryIndexUpdates.2.member.update.indexName' "
         "failed to satisfy constraint: " + REGEX + "; Value '0' at "
         "'globalSecondaryIndexUpdates.2.member.update.provisionedThroughput.writeCapacityUnits' "
         "failed to satisfy constraint: Member must have value greater than or equal to 1"),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [{"Update": {}}]}, VAL,
         P1 + "Value null at 'globalSecondaryIndexUpdates.1.member.update.indexName' failed to "
         "satisfy constraint: Member must not be null"),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [{"Delete": {}}]}, VAL,
         P1 + "Value null at 'globalSecondaryIndexUpdates.1.member.delete.indexName' failed to "
         "satisfy constraint: Member must not be null"),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [
            {"Create": {"IndexName": "abc", "KeySchema": ks(("a", "HASH"))}}]}, VAL,
         P1 + "Value null at 'globalSecondaryIndexUpdates.1.member.create.projection' failed to "
         "satisfy constraint: Member must not be null"),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [{}]}, VAL,
         INVALID + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
         "GlobalSecondaryIndexUpdate.Delete must not be null"),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [{}] * 6}, VAL,
         INVALID + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
         "GlobalSecondaryIndexUpdate.Delete must not be null"),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [
            {"Delete": {"IndexName": "abc"}, "Update": {"IndexName": "abc"}}]}, VAL,
         INVALID + "Only one global secondary index action is allowed per "
         "GlobalSecondaryIndexUpdate object"),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [
            {"Delete": {"IndexName": "abc"}}, {"Delete": {"IndexName": "abc"}}]}, VAL,
         INVALID + "Only one global secondary index update per index is allowed simultaneously. "
         "Index: abc"),
        ("UpdateTable", {"TableName": NEW, "DeletionProtectionEnabled": True,
                         "ProvisionedThroughput": PT}, VAL,
         "DeletionProtection modification must be the only operation in the request"),
        ("UpdateTable", {"TableName": NEW, "SSESpecification": {"Enabled": True},
                         "BillingMode": "PAY_PER_REQUEST"}, VAL,
         "Server-Side Encryption modification must be the only operation in the request"),
        ("UpdateTable", {"TableName": NEW, "TableClass": "STANDARD",
                         "ProvisionedThroughput": PT}, VAL,
         "TableClass modification must be the only operation in the request"),
        ("UpdateTable", {"TableName": NEW, "ProvisionedThroughput": PT,
                         "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "abc"}}]}, VAL,
         "You cannot create or delete index while updating table IOPS"),
        ("UpdateTable", {"TableName": NEW, "StreamSpecification": {"StreamEnabled": False},
                         "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "abc"}}]}, VAL,
         "You cannot create or delete index while changing stream status"),
        # valid requests on a missing table
        ("UpdateTable", {"TableName": NEW, "ProvisionedThroughput": PT}, RNF,
         "Requested resource not found: Table: %s not found" % NEW),
        ("UpdateTable", {"TableName": NEW, "BillingMode": "PAY_PER_REQUEST"}, RNF,
         "Requested resource not found: Table: %s not found" % NEW),
        ("UpdateTable", {"TableName": NEW, "GlobalSecondaryIndexUpdates": [
            {"Delete": {"IndexName": "abc"}}]}, RNF,
         "Requested resource not found: Table: %s not found" % NEW),
    ])


def will_not_change(r, w, rr=None, ww=None):
    rr = r if rr is None else rr
    ww = w if ww is None else ww
    return ("The provisioned throughput for the table will not change. The requested value "
            "equals the current value. Current ReadCapacityUnits provisioned for the table: %d. "
            "Requested ReadCapacityUnits: %d. Current WriteCapacityUnits provisioned for the "
            "table: %d. Requested WriteCapacityUnits: %d. Refer to the Amazon DynamoDB Developer "
            "Guide for current limits and how to request higher limits." % (r, rr, w, ww))


def index_will_not_change(ix, r, w):
    return ("The provisioned throughput for the index {ix} will not change. The requested value "
            "equals the current value. Current ReadCapacityUnits provisioned for index {ix}: {r}. "
            "Requested ReadCapacityUnits: {r}. Current WriteCapacityUnits provisioned for index "
            "{ix}: {w}. Requested WriteCapacityUnits: {w}. Refer to the Amazon DynamoDB Developer "
            "Guide for current limits and how to request higher limits.").format(ix=ix, r=r, w=w)


def test_update_table_table_checks(ctx):
    """Checks against the existing tables (none of these requests changes anything)."""
    setup(ctx)
    create = lambda name, keys, **kw: {"Create": dict(gsi(name, keys, **kw))}  # noqa: E731
    run_cases(ctx, [
        # billing mode
        ("UpdateTable", {"TableName": PPR, "ProvisionedThroughput": PT}, VAL,
         INVALID + "ProvisionedThroughput cannot be specified when BillingMode is "
         "PAY_PER_REQUEST"),
        ("UpdateTable", {"TableName": PROV, "BillingMode": "PAY_PER_REQUEST",
                         "ProvisionedThroughput": PT}, VAL,
         INVALID + "ProvisionedThroughput cannot be specified when BillingMode is "
         "PAY_PER_REQUEST"),
        ("UpdateTable", {"TableName": PPR, "BillingMode": "PROVISIONED"}, VAL,
         INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"),
        ("UpdateTable", {"TableName": PROV, "BillingMode": "PROVISIONED"}, VAL,
         INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"),
        ("UpdateTable", {"TableName": PPR, "BillingMode": "PROVISIONED",
                         "ProvisionedThroughput": PT}, VAL,
         INVALID + "ProvisionedThroughput must be specified for index: gsp"),
        ("UpdateTable", {"TableName": PROV, "OnDemandThroughput": {"MaxReadRequestUnits": 5}},
         VAL, INVALID + "MaxReadRequestUnits for OnDemandThroughput cannot be specified when "
         "the table BillingMode is PROVISIONED"),
        # throughput equal to the current one
        ("UpdateTable", {"TableName": PROV, "ProvisionedThroughput": PT}, VAL,
         will_not_change(5, 5)),
        ("UpdateTable", {"TableName": PLAIN, "ProvisionedThroughput": {"ReadCapacityUnits": 3,
                                                                      "WriteCapacityUnits": 4}},
         VAL, will_not_change(3, 4)),
        ("UpdateTable", {"TableName": arn(PLAIN),
                         "ProvisionedThroughput": {"ReadCapacityUnits": 3,
                                                   "WriteCapacityUnits": 4}},
         VAL, will_not_change(3, 4)),
        ("UpdateTable", {"TableName": PROV, "BillingMode": "PROVISIONED",
                         "ProvisionedThroughput": PT}, VAL, will_not_change(5, 5)),
        ("UpdateTable", {"TableName": PROV, "GlobalSecondaryIndexUpdates": [
            {"Update": {"IndexName": "gs1", "ProvisionedThroughput": PT}}]}, VAL,
         index_will_not_change("gs1", 5, 5)),
        ("UpdateTable", {"TableName": PPR, "GlobalSecondaryIndexUpdates": [
            {"Update": {"IndexName": "gsp", "ProvisionedThroughput": PT}}]}, VAL,
         INVALID + "The only Updates for index: gsp when TableThroughputMode is PAY_PER_REQUEST "
         "can be to OnDemandThroughput, WarmThroughput"),
        # index updates naming indexes that do not exist / are not GSIs
        ("UpdateTable", {"TableName": PROV, "GlobalSecondaryIndexUpdates": [
            {"Delete": {"IndexName": "nope"}}]}, RNF,
         "Requested resource not found: Index nope for table %s" % PROV),
        ("UpdateTable", {"TableName": PROV, "GlobalSecondaryIndexUpdates": [
            {"Update": {"IndexName": "nope", "ProvisionedThroughput": PT}}]}, RNF,
         "Requested resource not found: Index nope for table %s" % PROV),
        ("UpdateTable", {"TableName": PROV, "GlobalSecondaryIndexUpdates": [
            {"Delete": {"IndexName": "ls1"}}]}, VAL,
         "Cannot delete an index that is not a GlobalSecondaryIndex: ls1"),
        # GSI Create
        ("UpdateTable", {"TableName": PROV, "GlobalSecondaryIndexUpdates": [
            create("gs2", ks(("z", "HASH")))]}, VAL,
         INVALID + "AttributeDefinitions is not specified for index: gs2"),
        ("UpdateTable", {"TableName": PROV, "AttributeDefinitions": ad(("z", "S")),
                         "GlobalSecondaryIndexUpdates": [create("gs1", ks(("z", "HASH")))]}, VAL,
         INVALID + "Attempting to create an index which already exists"),
        ("UpdateTable", {"TableName": PROV, "AttributeDefinitions": ad(("z", "S")),
                         "GlobalSecondaryIndexUpdates": [create("gs2", ks(("z", "HASH")),
                                                                pt=None)]}, VAL,
         INVALID + "ProvisionedThroughput is not specified for index: gs2"),
        ("UpdateTable", {"TableName": PPR, "AttributeDefinitions": ad(("z", "S")),
                         "GlobalSecondaryIndexUpdates": [create("gs2", ks(("z", "HASH")))]}, VAL,
         INVALID + "ProvisionedThroughput should not be specified for index: gs2 when BillingMode "
         "is PAY_PER_REQUEST"),
        ("UpdateTable", {"TableName": PROV, "AttributeDefinitions": ad(("z", "S")),
                         "GlobalSecondaryIndexUpdates": [create("gs2", ks(("z", "HASH")),
                                                                proj={})]}, VAL,
         INVALID + "Unknown ProjectionType: null"),
        ("UpdateTable", {"TableName": PROV, "AttributeDefinitions": ad(("z", "S")),
                         "GlobalSecondaryIndexUpdates": [create("gs2", ks(("z", "RANGE")))]}, VAL,
         "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
        ("UpdateTable", {"TableName": PROV, "AttributeDefinitions": ad(("z", "S")),
                         "GlobalSecondaryIndexUpdates": [
                             create("gs2", ks(("z", "HASH")),
                                    proj={"ProjectionType": "ALL", "NonKeyAttributes": ["q"]})]},
         VAL, INVALID + "ProjectionType is ALL, but NonKeyAttributes is specified"),
        ("UpdateTable", {"TableName": PROV, "AttributeDefinitions": ad(("y", "S"), ("z", "S")),
                         "GlobalSecondaryIndexUpdates": [create("gs2", ks(("z", "HASH"))),
                                                         create("gs3", ks(("y", "HASH")))]}, LIM,
         "Subscriber limit exceeded: Only 1 online index can be created or deleted "
         "simultaneously per table"),
        # streams
        ("UpdateTable", {"TableName": PROV, "StreamSpecification": {"StreamEnabled": False}}, VAL,
         "Table has no stream to disable: TableName: %s" % PROV),
    ])


# ---- tagging (§10) ----------------------------------------------------------------------------

def test_tag_errors(ctx):
    setup(ctx)
    a = arn(PROV)
    tag = [{"Key": "k", "Value": "v"}]
    missing_arn = arn(NEW)
    cases = [
        ("TagResource", {"Tags": tag}, VAL,
         P1 + "Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"),
        ("TagResource", {"ResourceArn": a}, VAL,
         P1 + "Value null at 'tags' failed to satisfy constraint: Member must not be null"),
        ("UntagResource", {"ResourceArn": a}, VAL,
         P1 + "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"),
        ("ListTagsOfResource", {}, VAL,
         P1 + "Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"),
        ("TagResource", {"ResourceArn": "abcd", "Tags": tag}, VAL,
         INVALID + "ARNs must start with 'arn:': abcd"),
        ("UntagResource", {"ResourceArn": "abcd", "TagKeys": ["k"]}, VAL,
         INVALID + "ARNs must start with 'arn:': abcd"),
        ("ListTagsOfResource", {"ResourceArn": "abcd"}, VAL,
         INVALID + "ARNs must start with 'arn:': abcd"),
        ("TagResource", {"ResourceArn": "arn:aws:dynamodb:%s:%s:index/foo" % (REGION, ACCOUNT),
                         "Tags": tag}, VAL,
         INVALID + "Invalid resource arn provided, only table or stream is accepted. Provided "
         "resource arn: arn:aws:dynamodb:%s:%s:index/foo" % (REGION, ACCOUNT)),
        ("TagResource", {"ResourceArn": a, "Tags": []}, VAL,
         "Atleast one Tag needs to be provided as Input."),
        ("UntagResource", {"ResourceArn": a, "TagKeys": []}, VAL,
         "Atleast one Tag Key needs to be provided as Input."),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "", "Value": "v"}]}, VAL,
         "The Tag Key provided is invalid, Key: "),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "k" * 129, "Value": "v"}]}, VAL,
         "The Tag Key provided is invalid, Key: " + "k" * 129),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "a#b", "Value": "v"}]}, VAL,
         "The Tag Key provided is invalid, Key: a#b"),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Value": "v"}]}, VAL,
         "The Tag Key provided is invalid, Key: null"),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "k", "Value": "v" * 257}]}, VAL,
         "The Tag Value provided is invalid, Value: " + "v" * 257),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "k", "Value": "a*b"}]}, VAL,
         "The Tag Value provided is invalid, Value: a*b"),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "k"}]}, VAL,
         "The Tag Value provided is invalid, Value: null"),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "aws:foo", "Value": "v"}]}, VAL,
         "Tag Key cannot be prefixed with aws:, Key: aws:foo"),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "AWS:Foo", "Value": "v"}]}, VAL,
         "Tag Key cannot be prefixed with aws:, Key: AWS:Foo"),
        ("UntagResource", {"ResourceArn": a, "TagKeys": ["aws:foo"]}, VAL,
         "Tag Key cannot be prefixed with aws:, Key: aws:foo"),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "dup", "Value": "1"},
                                                    {"Key": "dup", "Value": "2"}]}, VAL,
         "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"),
        ("TagResource", {"ResourceArn": a, "Tags": [{"Key": "t%d" % i, "Value": "v"}
                                                    for i in range(51)]}, VAL,
         "Number of Tags exceed the current limit for the provided ResourceArn"),
        ("TagResource", {"ResourceArn": missing_arn, "Tags": tag}, RNF,
         "Requested resource not found: ResourceArn: %s not found" % missing_arn),
        ("UntagResource", {"ResourceArn": missing_arn, "TagKeys": ["k"]}, RNF,
         "Requested resource not found: ResourceArn: %s not found" % missing_arn),
        ("ListTagsOfResource", {"ResourceArn": missing_arn}, RNF,
         "Requested resource not found: ResourceArn: %s not found" % missing_arn),
    ]
    run_cases(ctx, cases)
    # a failed TagResource changes nothing (all or nothing)
    st, body, _ = ctx.call("ListTagsOfResource", {"ResourceArn": a})
    harness.eq((st, body), (200, {"Tags": []}), "tags after failed requests")


def test_tag_arn_of_other_account_or_service_is_access_denied(ctx):
    """§10.1 row 3': an ARN of another account or another service is AccessDenied
    (key 'Message'), of another region a ValidationException."""
    other = "arn:aws:dynamodb:%s:000000000000:table/x-table" % REGION
    for op, extra in [("TagResource", {"Tags": [{"Key": "k", "Value": "v"}]}),
                      ("UntagResource", {"TagKeys": ["k"]}), ("ListTagsOfResource", {})]:
        for res in [other, "arn:aws:s3:::mybucket"]:
            st, body, _ = ctx.call(op, dict(extra, ResourceArn=res))
            harness.eq(st, 400, "status")
            harness.eq(body, {"__type": "com.amazon.coral.service#AccessDeniedException",
                              "Message": "User: arn:aws:iam::%s:root is not authorized to "
                              "perform: dynamodb:%s on resource: %s" % (ACCOUNT, op, res)},
                       "%s on %s" % (op, res))
        harness.expect_error(ctx, op, dict(extra, ResourceArn=arn(PROV).replace(REGION,
                                                                                 "eu-west-1")),
                             400, VAL)
