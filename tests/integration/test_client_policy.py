"""`ddb policy simulate` (build/ddb, next to the ddbd under test): the offline
IAM policy simulator. The workshop's principals and policies
(policies/principals.json) through the binary: a tenant's Query in its own
key space allowed by TenantItemsInSharedTable, another tenant's key and a
Scan denied, the Scan hole of tenant-abac-naive.json, the organizer, an
explicit deny, GSI2_StatusGlobal, text / JSON / table output, help, usage
(2), configuration (5) and denied (7) exit codes, and no server or
credentials needed. Then the simulator's answers are held against what this
module's ddbd, started with --principals policies/principals.json, answers
boto3 signed as the same principal for the same request: the same decision
and, when denied, the very same AccessDeniedException text (an explicit deny
too, on a second ddbd whose principals file adds a deny policy).
"""
import json
import os
import shutil
import subprocess

import boto3
import botocore.config
import botocore.exceptions

from harness import REGION, TestFailure, check, eq

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
PRINCIPALS = os.path.join(REPO, "policies", "principals.json")
FIXTURES = os.path.join(REPO, "fixtures", "policy_sim")
SERVER_ARGS = ("--throttling", "off", "--principals", PRINCIPALS)

ACCOUNT = "123456789012"
TABLE = "WorkshopShared"
TABLE_ARN = "arn:aws:dynamodb:%s:%s:table/%s" % (REGION, ACCOUNT, TABLE)
EXIT_USAGE, EXIT_CONFIG, EXIT_DENIED = 2, 5, 7
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def keys_of(name, path=PRINCIPALS):
    """(access key, secret, ARN) of the principal whose ARN ends with /name."""
    with open(path) as f:
        for p in json.load(f)["principals"]:
            if p["arn"].endswith("/" + name):
                return p["access_key_id"], p["secret_access_key"], p["arn"]
    raise KeyError(name)


def no_access(user, action, resource):
    return ("User: arn:aws:iam::%s:user/%s is not authorized to perform: %s on resource: %s "
            "because no identity-based policy allows the %s action"
            % (ACCOUNT, user, action, resource, action))


# -- running ddb ----------------------------------------------------------------------

def ddb(ctx, *args, env=None):
    """Run build/ddb with no AWS settings but AWS_REGION; returns (rc, stdout, stderr)."""
    path = os.path.join(os.path.dirname(ctx.binary), "ddb")
    check(os.access(path, os.X_OK), "no ddb binary at %s (make builds it)" % path)
    e = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DDB_"))}
    e.update({"AWS_REGION": REGION, "HOME": os.path.join(ctx.workdir, "no-home"),
              "AWS_CONFIG_FILE": os.path.join(ctx.workdir, "no-config"),
              "AWS_SHARED_CREDENTIALS_FILE": os.path.join(ctx.workdir, "no-credentials")})
    e.update(env or {})
    p = subprocess.run([path] + [str(a) for a in args], env=e, capture_output=True, text=True,
                       timeout=60, cwd=REPO)
    for marker in SANITIZER_MARKERS:
        check(marker not in p.stderr, "ddb %s: sanitizer report:\n%s" % (args, p.stderr))
    return p.returncode, p.stdout, p.stderr


def simulate(ctx, *args, principals=PRINCIPALS, **kw):
    """`ddb policy simulate` with --output json; returns (rc, document, stderr)."""
    rc, out, err = ddb(ctx, "policy", "simulate", "--principals", principals, *args,
                       "--output", "json", **kw)
    check(rc in (0, EXIT_DENIED), "simulate %s exited %d: %s" % (args, rc, err))
    lines = out.splitlines()
    eq(len(lines), 1, "JSON output is one line")
    return rc, json.loads(lines[0]), err


def sim_one(ctx, principal, action, resource, *extra, principals=PRINCIPALS):
    """The one EvaluationResult of simulating 'action' for 'principal'."""
    rc, doc, _ = simulate(ctx, "--principal", principal, "--action", action,
                          "--resource", resource, *extra, principals=principals)
    (result,) = doc["EvaluationResults"]
    eq(rc, 0 if result["EvalDecision"] == "allowed" else EXIT_DENIED, "exit code")
    return result


# -- the simulator alone ------------------------------------------------------------

def test_help(ctx):
    rc, out, _ = ddb(ctx, "--help")
    eq(rc, 0, "ddb --help")
    check("\n  policy " in out, "ddb --help lists policy:\n" + out)
    check("7 a simulated request was" in out, "the exit code 7 in ddb --help")
    for args in (("policy", "--help"), ("help", "policy"), ("policy", "simulate", "--help")):
        rc, out, _ = ddb(ctx, *args)
        eq(rc, 0, "ddb %s" % " ".join(args))
        check(out.startswith("Usage: ddb policy [OPTIONS] simulate"), out[:200])
        for opt in ("--principals FILE", "--principal WHO", "--policy FILE", "--tag KEY=VALUE",
                    "--action ACTION", "--resource ARN", "--account ID",
                    "--context KEY=VALUE", "--leading-key VALUE"):
            check(opt in out, "%s in the help" % opt)
        check("7 an action denied" in out, "exit codes in the help")


def test_tenant_own_key_allowed(ctx):
    rc, out, err = ddb(ctx, "policy", "simulate", "--principals", PRINCIPALS,
                       "--principal", "workshop_000", "--action", "dynamodb:Query",
                       "--resource", TABLE, "--leading-key", "TENANT#t-000#ORDER#o1")
    eq((rc, err), (0, ""), "exit code and stderr")
    eq(out, "dynamodb:Query allowed by tenant-abac.json Statement[0] "
            "(Sid TenantItemsInSharedTable)\n", "text output")


def test_other_tenant_key_implicit_deny(ctx):
    rc, out, err = ddb(ctx, "policy", "simulate", "--principals", PRINCIPALS,
                       "--principal", "AKIAWORKSHOPT000", "--action", "dynamodb:Query",
                       "--resource", TABLE, "--leading-key", "TENANT#t-001#ORDER#o1")
    eq(rc, EXIT_DENIED, "exit code")
    eq(out, "dynamodb:Query implicitDeny (no statement matched): AccessDeniedException: "
            + no_access("workshop_000", "dynamodb:Query", TABLE_ARN) + "\n", "text output")
    eq(err, "ddb: error: PolicyDenied: 1 of 1 actions denied: dynamodb:Query (implicitDeny)\n",
       "stderr")


def test_scan_hole(ctx):
    r = sim_one(ctx, "workshop_009", "dynamodb:Scan", TABLE)
    eq(r["EvalDecision"], "implicitDeny", "tenant-abac.json: Scan")
    eq(r["AccessDeniedException"], no_access("workshop_009", "dynamodb:Scan", TABLE_ARN),
       "message")
    r = sim_one(ctx, "naive_009", "dynamodb:Scan", TABLE)
    eq((r["EvalDecision"], r["MatchedStatements"]),
       ("allowed", [{"SourcePolicyId": "tenant-abac-naive.json", "StatementIndex": 0,
                     "Sid": "NaiveTenantItemsIncludingScan"}]), "tenant-abac-naive.json: Scan")
    # the same two policies given with --policy and the tenant tag
    for policy, want in (("tenant-abac.json", 7), ("tenant-abac-naive.json", 0)):
        rc, out, _ = ddb(ctx, "policy", "simulate", "--policy",
                         os.path.join("policies", policy), "--tag", "tenant=t-009",
                         "--action", "dynamodb:Scan", "--resource", TABLE)
        eq(rc, want, "--policy %s: %s" % (policy, out))


def test_organizer_allowed_everything(ctx):
    actions = ["dynamodb:CreateTable", "dynamodb:Scan", "dynamodb:Query", "dynamodb:DeleteTable",
               "dynamodb:PutItem", "dynamodb:UpdateTable"]
    rc, doc, _ = simulate(ctx, "--principal", "organizer", "--action", ",".join(actions[:3]),
                          "--action", actions[3], "--action", ",".join(actions[4:]),
                          "--resource", TABLE + "/index/GSI2_StatusGlobal")
    eq(rc, 0, "exit code")
    eq([r["EvalActionName"] for r in doc["EvaluationResults"]], actions, "one result per action")
    for r in doc["EvaluationResults"]:
        eq((r["EvalDecision"], r["MatchedStatements"][0]["Sid"], r["AccessDeniedException"]),
           ("allowed", "OrganizerFullDynamoDB", None), r["EvalActionName"])
    rc, out, _ = ddb(ctx, "policy", "simulate", "--principals", PRINCIPALS, "--principal",
                     "organizer", "--action", "dynamodb:ListTables,dynamodb:DescribeLimits")
    eq((rc, len(out.splitlines())), (0, 2), "account-level actions on the default resource *")


def test_explicit_deny(ctx):
    deny = os.path.join(FIXTURES, "deny-deletes.json")
    rc, out, err = ddb(ctx, "policy", "simulate", "--principals", PRINCIPALS, "--principal",
                       "organizer", "--policy", deny, "--action",
                       "dynamodb:GetItem,dynamodb:DeleteTable", "--resource", TABLE)
    eq(rc, EXIT_DENIED, "exit code")
    lines = out.splitlines()
    eq(lines[0], "dynamodb:GetItem allowed by organizer-admin.json Statement[0] "
                 "(Sid OrganizerFullDynamoDB)", "allowed line")
    eq(lines[1], "dynamodb:DeleteTable explicitDeny by %s Statement[0] (Sid NoDeletes): "
                 "AccessDeniedException: User: arn:aws:iam::%s:user/organizer is not authorized "
                 "to perform: dynamodb:DeleteTable on resource: %s with an explicit deny in an "
                 "identity-based policy" % (deny, ACCOUNT, TABLE_ARN), "explicit deny line")
    check("dynamodb:DeleteTable (explicitDeny)" in err, err)


def test_global_index_denied_for_a_tenant(ctx):
    index_arn = TABLE_ARN + "/index/GSI2_StatusGlobal"
    for resource in (TABLE + "/index/GSI2_StatusGlobal", index_arn):
        r = sim_one(ctx, "workshop_000", "dynamodb:Query", resource,
                    "--leading-key", "STATUS#PENDING")
        eq((r["EvalDecision"], r["EvalResourceName"], r["MatchedStatements"]),
           ("implicitDeny", index_arn, []), resource)
        eq(r["AccessDeniedException"], no_access("workshop_000", "dynamodb:Query", index_arn),
           "message names the index ARN")
    r = sim_one(ctx, "workshop_000", "dynamodb:Query", TABLE + "/index/GSI1",
                "--leading-key", "TENANT#t-000#STATUS#PENDING")
    eq(r["EvalDecision"], "allowed", "GSI1 with the tenant's own key")


def test_json_output_shape(ctx):
    rc, doc, _ = simulate(ctx, "--principal", "arn:aws:iam::123456789012:user/workshop_000",
                          "--action", "dynamodb:GetItem,dynamodb:Scan", "--resource", TABLE,
                          "--leading-key", "TENANT#t-000#USER#u1",
                          "--context", "dynamodb:Attributes=PK,SK",
                          "--context", "dynamodb:Select=ALL_ATTRIBUTES")
    eq(rc, EXIT_DENIED, "exit code")
    eq(sorted(doc), ["Context", "EvaluationResults", "Policies", "Principal", "Resource"],
       "members")
    eq(doc["Principal"], "arn:aws:iam::123456789012:user/workshop_000", "Principal")
    eq(doc["Policies"], ["tenant-abac.json"], "Policies")
    eq(doc["Resource"], TABLE_ARN, "Resource")
    c = doc["Context"]
    for k, v in (("aws:username", "workshop_000"), ("aws:PrincipalTag/tenant", "t-000"),
                 ("aws:PrincipalTag/attendee", "000"), ("aws:PrincipalType", "User"),
                 ("aws:PrincipalAccount", ACCOUNT), ("aws:SecureTransport", "false"),
                 ("aws:RequestedRegion", REGION), ("dynamodb:Select", "ALL_ATTRIBUTES"),
                 ("dynamodb:LeadingKeys", ["TENANT#t-000#USER#u1"]),
                 ("dynamodb:Attributes", ["PK", "SK"])):
        eq(c.get(k), v, "Context[%s]" % k)
    check(c["aws:userid"].startswith("AIDA") and len(c["aws:userid"]) == 21, c["aws:userid"])
    get, scan = doc["EvaluationResults"]
    eq(get, {"EvalActionName": "dynamodb:GetItem", "EvalResourceName": TABLE_ARN,
             "EvalDecision": "allowed", "AccessDeniedException": None,
             "MatchedStatements": [{"SourcePolicyId": "tenant-abac.json", "StatementIndex": 0,
                                    "Sid": "TenantItemsInSharedTable"}]}, "allowed result")
    eq(scan, {"EvalActionName": "dynamodb:Scan", "EvalResourceName": TABLE_ARN,
              "EvalDecision": "implicitDeny", "MatchedStatements": [],
              "AccessDeniedException": no_access("workshop_000", "dynamodb:Scan", TABLE_ARN)},
       "denied result")
    # --output before the command works too, and --output table
    rc, out, _ = ddb(ctx, "--output", "table", "policy", "simulate", "--principals", PRINCIPALS,
                     "--principal", "reader_000", "--action", "dynamodb:GetItem,dynamodb:PutItem",
                     "--resource", TABLE, "--leading-key", "TENANT#t-000#USER#u1")
    eq(rc, EXIT_DENIED, "table exit code")
    lines = out.splitlines()
    check(lines[0].startswith("Action ") and "| Sid " in lines[0], lines[0])
    check(" allowed " in lines[2] and "TenantReadsInSharedTable" in lines[2], lines[2])
    check(" implicitDeny " in lines[3] and "User: arn:aws:iam" in lines[3], lines[3])


def test_bad_policy_file_exit_5(ctx):
    bad = os.path.join(FIXTURES, "bad-operator.json")
    rc, out, err = ddb(ctx, "policy", "simulate", "--policy", bad, "--action", "dynamodb:GetItem")
    eq((rc, out), (EXIT_CONFIG, ""), "exit code and stdout")
    eq(err, "ddb: error: PolicyFileError: %s: Statement[0].Condition: unknown condition "
            "operator 'StringEqual'\n" % bad, "the engine's text: file, JSON path, problem")
    # ddbd refuses the same document with the same text at start-up
    principals = os.path.join(ctx.workdir, "bad-principals.json")
    shutil.copy(os.path.join(FIXTURES, "bad-principals.json"), principals)
    for name in ("own-prefix.json", "bad-operator.json"):
        shutil.copy(os.path.join(FIXTURES, name), os.path.join(ctx.workdir, name))
    rc, out, err = ddb(ctx, "policy", "simulate", "--principals", principals, "--principal",
                       "carol", "--action", "dynamodb:GetItem")
    eq(rc, EXIT_CONFIG, "bad principals file")
    want = "bad-operator.json: Statement[0].Condition: unknown condition operator 'StringEqual'"
    eq(err, "ddb: error: PrincipalsFileError: %s\n" % want, "principals file error")
    p = subprocess.run([ctx.binary, "--port", "0", "--db", ":memory:", "--principals",
                        principals], capture_output=True, text=True, timeout=30)
    check(p.returncode != 0 and want in p.stderr, "ddbd at start-up: %r" % p.stderr)
    rc, _, err = ddb(ctx, "policy", "simulate", "--policy", os.path.join(ctx.workdir, "none.json"),
                     "--action", "dynamodb:GetItem")
    eq(rc, EXIT_CONFIG, "missing policy file")
    check("none.json: No such file or directory" in err, err)


def test_usage_errors_exit_2(ctx):
    cases = [
        (["--principals", PRINCIPALS, "--principal", "workshop_000"], "--action is required"),
        (["--action", "dynamodb:Query"], "give --principals FILE --principal WHO, or --policy"),
        (["--principals", PRINCIPALS, "--principal", "nobody", "--action", "dynamodb:Query"],
         "has no principal 'nobody'"),
        (["--principals", PRINCIPALS, "--principal", "workshop_000", "--action", "Query"],
         "--action must be SERVICE:ACTION"),
        (["--principals", PRINCIPALS, "--principal", "workshop_000", "--action",
          "dynamodb:Query", "--tag", "tenant=t-001"], "--tag sets the tags of a --policy"),
        (["--principals", PRINCIPALS, "--principal", "workshop_000", "--action",
          "dynamodb:Query", "--context", "aws:PrincipalTag/tenant=t-001"],
         "this key comes from the principal"),
        (["--principals", PRINCIPALS, "--principal", "workshop_000", "--action",
          "dynamodb:Query", "--resource", "x"], "--resource must be an ARN"),
        (["--principals", PRINCIPALS, "--principal", "workshop_000", "--frobnicate", "1"],
         "unknown option '--frobnicate'"),
    ]
    for args, text in cases:
        rc, out, err = ddb(ctx, "policy", "simulate", *args)
        eq((rc, out), (EXIT_USAGE, ""), "ddb policy simulate %s" % args)
        check(err.startswith("ddb: error: UsageError: ") and text in err, err)
    rc, _, err = ddb(ctx, "policy", "evaluate", "--action", "dynamodb:Query")
    eq(rc, EXIT_USAGE, "unknown subcommand")
    check("unknown policy subcommand 'evaluate'" in err, err)
    rc, _, err = ddb(ctx, "policy")
    eq(rc, EXIT_USAGE, "no subcommand")


def test_no_server_no_credentials(ctx):
    """Offline: an endpoint that refuses connections and no keys change nothing."""
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}
    rc, out, err = ddb(ctx, "policy", "simulate", "--principals", PRINCIPALS, "--principal",
                       "workshop_001", "--action", "dynamodb:PutItem", "--resource", TABLE,
                       "--leading-key", "TENANT#t-001#X", env=env)
    eq((rc, err), (0, ""), "exit code and stderr")
    check(out.startswith("dynamodb:PutItem allowed by tenant-abac.json"), out)
    rc, doc, _ = simulate(ctx, "--principal", "workshop_001", "--action", "dynamodb:GetItem",
                          "--resource", TABLE, env={"AWS_REGION": ""})
    eq(doc["Resource"], "arn:aws:dynamodb:us-east-1:%s:table/%s" % (ACCOUNT, TABLE),
       "the default region without --region or AWS_REGION")
    rc, doc, _ = simulate(ctx, "--principal", "workshop_001", "--action", "dynamodb:GetItem",
                          "--resource", TABLE, "--region", "eu-west-1")
    eq(doc["Resource"], "arn:aws:dynamodb:eu-west-1:%s:table/%s" % (ACCOUNT, TABLE), "--region")


# -- the simulator against ddbd --principals --------------------------------------------

def dynamodb(endpoint, key, secret):
    return boto3.client(
        "dynamodb", region_name=REGION, endpoint_url=endpoint,
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"total_max_attempts": 1}))


def as_principal(ctx, name, path=PRINCIPALS, server=None):
    key, secret, _ = keys_of(name, path)
    return dynamodb((server or ctx.server).endpoint, key, secret)


_seeded = False


def seed_shared_table(ctx):
    global _seeded
    if _seeded:
        return
    org = as_principal(ctx, "organizer")
    org.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": ix, "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": ix[:4] + "PK", "KeyType": "HASH"},
                           {"AttributeName": ix[:4] + "SK", "KeyType": "RANGE"}]}
            for ix in ("GSI1", "GSI2_StatusGlobal")])
    org.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 0.1})
    for t in ("t-000", "t-001"):
        org.put_item(TableName=TABLE, Item={
            "PK": {"S": "TENANT#%s#USER#u1" % t}, "SK": {"S": "PROFILE#u1"},
            "GSI1PK": {"S": "TENANT#%s#STATUS#PENDING" % t}, "GSI1SK": {"S": "u1"},
            "GSI2PK": {"S": "STATUS#PENDING"}, "GSI2SK": {"S": "%s#u1" % t}})
    _seeded = True


def ddbd_answer(call):
    """('allowed', None) when ddbd served the request, else ('denied', AccessDenied text)."""
    try:
        call()
        return "allowed", None
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] != "AccessDeniedException":
            raise TestFailure("ddbd answered %s: %s" % (e.response["Error"]["Code"],
                                                        e.response["Error"]["Message"]))
        return "denied", e.response["Error"]["Message"]


def agree(ctx, who, action, resource, call, want, *sim_args, path=PRINCIPALS):
    """ddbd's answer to 'call' (signed as 'who') and the simulation of 'action' on
    'resource' with 'sim_args' must both be 'want' and, when denied, name the same text."""
    got, message = ddbd_answer(call)
    r = sim_one(ctx, who, action, resource, *sim_args, principals=path)
    eq(r["EvalDecision"], want, "simulated %s of %s" % (action, who))
    eq(got, "allowed" if want == "allowed" else "denied", "ddbd's answer to %s of %s"
       % (action, who))
    eq(r["AccessDeniedException"], message, "AccessDeniedException of %s (simulator vs ddbd)"
       % action)
    return r


def test_agrees_with_ddbd_tenant_query(ctx):
    seed_shared_table(ctx)
    c = as_principal(ctx, "workshop_000")

    def query(pk):
        return lambda: c.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                               ExpressionAttributeValues={":p": {"S": pk}})
    r = agree(ctx, "workshop_000", "dynamodb:Query", TABLE, query("TENANT#t-000#USER#u1"),
              "allowed", "--leading-key", "TENANT#t-000#USER#u1")
    eq(r["MatchedStatements"][0]["Sid"], "TenantItemsInSharedTable", "deciding statement")
    agree(ctx, "workshop_000", "dynamodb:Query", TABLE, query("TENANT#t-001#USER#u1"),
          "implicitDeny", "--leading-key", "TENANT#t-001#USER#u1")


def test_agrees_with_ddbd_scan_hole(ctx):
    seed_shared_table(ctx)
    tenant = as_principal(ctx, "workshop_009")
    naive = as_principal(ctx, "naive_009")
    agree(ctx, "workshop_009", "dynamodb:Scan", TABLE, lambda: tenant.scan(TableName=TABLE),
          "implicitDeny")
    agree(ctx, "naive_009", "dynamodb:Scan", TABLE, lambda: naive.scan(TableName=TABLE),
          "allowed")


def test_agrees_with_ddbd_global_index(ctx):
    seed_shared_table(ctx)

    def global_query(c):
        return lambda: c.query(TableName=TABLE, IndexName="GSI2_StatusGlobal",
                               KeyConditionExpression="GSI2PK = :s",
                               ExpressionAttributeValues={":s": {"S": "STATUS#PENDING"}})
    index = TABLE + "/index/GSI2_StatusGlobal"
    agree(ctx, "workshop_000", "dynamodb:Query", index,
          global_query(as_principal(ctx, "workshop_000")), "implicitDeny",
          "--leading-key", "STATUS#PENDING")
    agree(ctx, "organizer", "dynamodb:Query", index, global_query(as_principal(ctx, "organizer")),
          "allowed", "--leading-key", "STATUS#PENDING")


def test_agrees_with_ddbd_items(ctx):
    seed_shared_table(ctx)
    reader = as_principal(ctx, "reader_000")
    own = {"PK": {"S": "TENANT#t-000#USER#u1"}, "SK": {"S": "PROFILE#u1"}}
    agree(ctx, "reader_000", "dynamodb:GetItem", TABLE,
          lambda: reader.get_item(TableName=TABLE, Key=own), "allowed",
          "--leading-key", "TENANT#t-000#USER#u1")
    agree(ctx, "reader_000", "dynamodb:PutItem", TABLE,
          lambda: reader.put_item(TableName=TABLE, Item=own), "implicitDeny",
          "--leading-key", "TENANT#t-000#USER#u1")
    tenant = as_principal(ctx, "workshop_001")
    other = {"PK": {"S": "TENANT#t-000#USER#u1"}, "SK": {"S": "PROFILE#u1"}}
    agree(ctx, "workshop_001", "dynamodb:GetItem", TABLE,
          lambda: tenant.get_item(TableName=TABLE, Key=other), "implicitDeny",
          "--leading-key", "TENANT#t-000#USER#u1")


def test_agrees_with_ddbd_explicit_deny(ctx):
    """A principals file whose organizer also has an explicit deny: a second ddbd."""
    path = os.path.join(ctx.workdir, "principals-deny.json")
    with open(PRINCIPALS) as f:
        doc = json.load(f)
    doc["principals"] = [p for p in doc["principals"] if p["arn"].endswith("/organizer")]
    doc["principals"][0]["policies"] = [os.path.join(REPO, "policies", "organizer-admin.json"),
                                        os.path.join(FIXTURES, "deny-deletes.json")]
    with open(path, "w") as f:
        json.dump(doc, f)
    server = ctx.new_server(args=("--principals", path), db=":memory:")
    org = as_principal(ctx, "organizer", path, server)
    org.create_table(TableName="Orders", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}])
    key = {"PK": {"S": "o1"}}
    agree(ctx, "organizer", "dynamodb:PutItem", "Orders",
          lambda: org.put_item(TableName="Orders", Item=key), "allowed",
          "--leading-key", "o1", path=path)
    r = agree(ctx, "organizer", "dynamodb:DeleteItem", "Orders",
              lambda: org.delete_item(TableName="Orders", Key=key), "explicitDeny",
              "--leading-key", "o1", path=path)
    eq(r["MatchedStatements"], [{"SourcePolicyId": os.path.join(FIXTURES, "deny-deletes.json"),
                                 "StatementIndex": 0, "Sid": "NoDeletes"}], "deciding statement")
    check(r["AccessDeniedException"].endswith("with an explicit deny in an identity-based "
                                              "policy"), r["AccessDeniedException"])
    agree(ctx, "organizer", "dynamodb:DeleteTable", "Orders",
          lambda: org.delete_table(TableName="Orders"), "explicitDeny", path=path)
