"""The workshop's own scripts against ddbd, unchanged: scripts/create_table.sh
(sts get-caller-identity, create-table, wait table-exists, tag-resource),
examples/section2_single_table_seed.py (boto3 batch_writer) and
scripts/delete_table.sh (wait table-not-exists)."""
import os
import subprocess
import sys

from harness import check, eq

WORKSHOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workshop")


def run(ctx, argv, extra_env, timeout=120):
    env = ctx.env()
    env.update(extra_env)
    p = subprocess.run(argv, cwd=WORKSHOP, env=env, capture_output=True, text=True,
                       timeout=timeout)
    check(p.returncode == 0, "%s failed (%d):\n%s\n%s" % (argv, p.returncode, p.stdout, p.stderr))
    return p.stdout


def test_create_table_script(ctx):
    out = run(ctx, ["bash", "scripts/create_table.sh"], {"ATTENDEE_ID": "037"})
    check("Done. TABLE=ws-att-037" in out, "script output: %r" % out)
    c = ctx.client()
    t = c.describe_table(TableName="ws-att-037")["Table"]
    eq(t["TableStatus"], "ACTIVE", "status")
    eq(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST", "billing mode")
    tags = c.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]
    eq(tags, [{"Key": "Owner", "Value": "037"}], "tags")


def test_section2_seed(ctx):
    out = run(ctx, [sys.executable, "examples/section2_single_table_seed.py"],
              {"TABLE": "ws-att-037"})
    eq(out.strip(), "Seeded single-table items for user u200 in ws-att-037", "output")
    c = ctx.client()
    item = c.get_item(TableName="ws-att-037",
                      Key={"PK": {"S": "USER#u200"}, "SK": {"S": "ORDER#20250926#o101"}})["Item"]
    eq(item, {"PK": {"S": "USER#u200"}, "SK": {"S": "ORDER#20250926#o101"},
              "type": {"S": "ORDER"}, "status": {"S": "PENDING"}}, "seeded order")
    eq(c.describe_table(TableName="ws-att-037")["Table"]["ItemCount"], 4, "item count")


def test_delete_table_script(ctx):
    out = run(ctx, ["bash", "scripts/delete_table.sh"], {"ATTENDEE_ID": "037"})
    check("Deleted." in out, "script output: %r" % out)
    names = ctx.client().list_tables()["TableNames"]
    check("ws-att-037" not in names, "table still listed: %r" % names)
