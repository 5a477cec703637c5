"""The AWS SDK for JavaScript v3 against ddbd: js/docclient.cjs drives the
DocumentClient (@aws-sdk/lib-dynamodb) -- put, get, batchWrite, query,
paginateQuery, scan, update with conditions -- with an explicit endpoint and
fake credentials, and prints what the SDK returned as JSON; the answers are
DynamoDB's for the same requests.

The two packages are installed from npm once, at a pinned version, into a
cache directory ($DDBD_JS_SDK_CACHE, else $XDG_CACHE_HOME or ~/.cache, under
ddbd-js-sdk/<version>), so reruns need no network. Without node/npm, or when
the registry cannot be reached, the test is skipped with the reason.
"""
import json
import os
import shutil
import subprocess

import harness
from harness import check, eq

SDK_VERSION = "3.1169.0"
PACKAGES = ["@aws-sdk/client-dynamodb@" + SDK_VERSION, "@aws-sdk/lib-dynamodb@" + SDK_VERSION]
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "docclient.cjs")
TABLE = "js-docclient"


def cache_dir():
    base = os.environ.get("DDBD_JS_SDK_CACHE")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or
                            os.path.join(os.path.expanduser("~"), ".cache"), "ddbd-js-sdk")
    return os.path.join(base, SDK_VERSION)


def sdk_modules():
    """node_modules with the pinned SDK packages, installing them on first use."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise harness.Skip("%s is not installed" % tool)
    final = cache_dir()
    modules = os.path.join(final, "node_modules")
    if os.path.isfile(os.path.join(modules, "@aws-sdk", "lib-dynamodb", "package.json")):
        return modules
    os.makedirs(os.path.dirname(final), exist_ok=True)
    tmp = "%s.tmp-%d" % (final, os.getpid())
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save",
                            "--prefix", tmp] + PACKAGES, capture_output=True, text=True,
                           timeout=300)
    except subprocess.TimeoutExpired:
        shutil.rmtree(tmp, ignore_errors=True)
        raise harness.Skip("npm install of %s timed out (registry unreachable?)" % PACKAGES)
    if p.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        lines = (p.stderr or p.stdout).strip().splitlines()
        why = [ln for ln in lines if " code " in ln or "ERR" in ln][:2] or lines[-1:]
        raise harness.Skip("npm install of %s failed (registry unreachable?): %s"
                           % (" ".join(PACKAGES), " / ".join(why)))
    try:
        os.rename(tmp, final)  # atomic; another run may have won the race
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return modules


def run_script(ctx, modules):
    env = dict(os.environ, NODE_PATH=modules)
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]  # the script passes endpoint and credentials itself
    p = subprocess.run(["node", SCRIPT, ctx.server.endpoint, TABLE], env=env,
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, "docclient.cjs failed (%d):\n%s\n%s" % (p.returncode, p.stdout,
                                                                     p.stderr))
    return json.loads(p.stdout)


def test_document_client(ctx):
    modules = sdk_modules()
    st, body, _ = ctx.call("CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}]})
    eq(st, 200, "CreateTable: %r" % body)
    out = run_script(ctx, modules)

    eq(out["put"], 200, "put")
    eq(out["get"], {"blob": {"bytes": "AAH+/w=="}, "name": "Ada",
                    "nested": {"empty": {}, "xs": [1, "two", True, None, {"deep": [1.5]}]},
                    "pk": "user#1", "scores": {"set": [1, 2, 3]}, "sk": 0,
                    "tags": {"set": ["a", "b"]}, "visits": 1},
       "get: every type round-trips, undefined removed")
    eq(out["batchWrite"], {"UnprocessedItems": {}}, "batchWrite")
    eq(out["batchDelete"], {"UnprocessedItems": {}}, "batchWrite delete")
    # Limit 6 evaluates sk 20..15 (descending); the filter keeps the odd ones
    eq(out["query"], {"items": [19, 17, 15], "count": 3, "scanned": 6,
                      "lastKey": {"pk": "user#1", "sk": 15}}, "query")
    eq(out["paginateQuery"], [
        {"sks": list(range(1, 8)), "more": True, "first": {"n": 10, "sk": 1}},
        {"sks": list(range(8, 15)), "more": True, "first": {"n": 80, "sk": 8}},
        {"sks": list(range(15, 22)), "more": True, "first": {"n": 150, "sk": 15}},
        {"sks": [22, 23], "more": False, "first": {"n": 220, "sk": 22}},
    ], "paginateQuery pages of 7")
    eq(out["scan"], {"count": 7, "scanned": 25, "items": None}, "scan COUNT with a filter")
    eq(out["update"], {"name": "Ada L.", "nested": {"xs": [2]}, "tags": {"set": ["a", "b", "c"]},
                       "visits": 2}, "update UPDATED_NEW: only the touched paths")
    cf = out["conditionFailed"]
    eq((cf["name"], cf["message"], cf["status"]),
       ("ConditionalCheckFailedException", "The conditional request failed", 400),
       "failed condition")
    eq(cf["itemKeys"], ["name", "nested", "pk", "scores", "sk", "tags", "visits"],
       "ReturnValuesOnConditionCheckFailure ALL_OLD: the item in the error")
    check(cf["visits"] in ({"N": "2"}, 2), "old visits in the error item: %r" % cf["visits"])
    eq(out["putIfAbsent"], {"name": "ConditionalCheckFailedException",
                            "message": "The conditional request failed"}, "put if absent")
    eq(out["badQuery"], {"name": "ValidationException",
                         "message": "Query condition missed key schema element: pk"},
       "query without the partition key")
    eq(out["final"], {"name": "Ada L.",
                      "nested": {"empty": {}, "xs": [1, 2, True, None, {"deep": [1.5]}]},
                      "pk": "user#1", "scores": {"set": [1, 2, 3]}, "sk": 0,
                      "tags": {"set": ["a", "b", "c"]}, "visits": 2}, "item after the updates")
