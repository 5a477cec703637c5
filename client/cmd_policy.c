/* SPDX-License-Identifier: MIT
**
** cmd_policy.c -- `ddb policy simulate`: the offline IAM policy simulator.
** Its options and help, the output format (text lines by default, one JSON
** object with --output json, a table with --output table), the --debug trace
** of what was simulated, and the exit code (0 every action allowed,
** CLI_EXIT_DENIED when one is denied). The work is policy_sim.c's; no server
** and no credentials are needed.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const cli_opt cli_policy_opts[] = {
    {"principals", "FILE", "ddbd's principals file (policies/principals.json)"},
    {"principal", "WHO", "a user name, ARN or access key id of FILE; without\n"
                         "                           --principals, the caller's ARN"},
    {"policy", "FILE", "an identity policy to evaluate (repeatable); with\n"
                       "                           --principals, added to the principal's"},
    {"tag", "KEY=VALUE", "without --principals: a principal tag (repeatable)"},
    {"action", "ACTION", "dynamodb:Query, ... (repeatable or a comma list)"},
    {"resource", "ARN", "a table or index ARN, TABLE or TABLE/index/INDEX\n"
                        "                           (default *)"},
    {"account", "ID", "account of a bare TABLE (default FILE's or 123456789012)"},
    {"context", "KEY=VALUE", "a condition key; multivalued keys take VALUE,VALUE,...\n"
                             "                           (repeatable)"},
    {"leading-key", "VALUE", "a partition key value for dynamodb:LeadingKeys\n"
                             "                           (repeatable)"},
    {NULL, NULL, NULL}};

const char cli_policy_help[] =
    "'ddb policy simulate' decides, without a server, what ddbd started with\n"
    "--principals would answer: the same IAM engine, the same request context\n"
    "(the principal's aws:username, aws:userid, aws:PrincipalArn,\n"
    "aws:PrincipalAccount, aws:PrincipalType and aws:PrincipalTag/<k>, plus\n"
    "aws:CurrentTime, aws:EpochTime, aws:SecureTransport false,\n"
    "aws:RequestedRegion and aws:SourceIp 127.0.0.1, which --context may\n"
    "replace) and the same AccessDeniedException text.\n"
    "\n"
    "Who: --principals FILE --principal WHO takes a principal of ddbd's file\n"
    "with its tags and policies. Or --policy FILE (repeatable) with --tag\n"
    "KEY=VALUE and an optional --principal ARN (default\n"
    "arn:aws:iam::ACCOUNT:user/" CLI_SIM_CALLER ").\n"
    "What: one result per --action, on --resource (an ARN, or a table name\n"
    "expanded to arn:aws:dynamodb:REGION:ACCOUNT:table/NAME with --region,\n"
    "AWS_REGION, AWS_DEFAULT_REGION or " CLI_SIM_REGION ", and --account). The\n"
    "request's own keys are the ones given: --leading-key for each partition\n"
    "key value a GetItem or Query carries (a Scan carries none), --context\n"
    "dynamodb:Attributes=a,b, --context dynamodb:Select=ALL_ATTRIBUTES, ...\n"
    "\n"
    "Prints one line per action: the decision as AWS's simulator spells it\n"
    "(allowed, implicitDeny, explicitDeny), the deciding statement (policy,\n"
    "Statement[i], Sid; none for an implicit deny) and, when denied, ddbd's\n"
    "AccessDeniedException text. --output json prints one JSON object with\n"
    "EvaluationResults, --output table a table.\n"
    "\n"
    "  ddb policy simulate --principals policies/principals.json \\\n"
    "      --principal workshop_000 --action dynamodb:Query \\\n"
    "      --resource WorkshopShared --leading-key 'TENANT#t-000#USER#u1'\n"
    "\n"
    "Exit codes: 0 every action allowed; 7 an action denied; 2 usage; 5 a\n"
    "principals or policy file cannot be read or is invalid (file, JSON path\n"
    "and problem).";

/* --debug: what is simulated, on stderr. */
static void trace(const cli_sim *s)
{
    fprintf(stderr, "ddb: debug: principal %s, resource %s, policies:", s->who->arn,
            s->resource);
    for (size_t i = 0; i < s->n_policies; i++)
        fprintf(stderr, " %s", ddb_iam_policy_name(s->policies[i]));
    char *ctx = json_dumps(s->context, JSON_COMPACT | JSON_SORT_KEYS);
    fprintf(stderr, "\nddb: debug: context %s\n", ctx ? ctx : "{}");
    free(ctx);
}

static void print_results(const cli_ctx *ctx, const cli_sim *s)
{
    if (ctx->output_set && ctx->output == CLI_OUT_JSON) {
        json_t *doc = cli_sim_json(s);
        json_dumpf(doc, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(doc);
    } else if (ctx->output_set && ctx->output == CLI_OUT_TABLE) {
        cli_table t = {0};
        cli_sim_table(s, &t);
        cli_table_print(&t, stdout);
        cli_table_free(&t);
    } else {
        ddb_buf out = DDB_BUF_INIT;
        cli_sim_text(s, &out);
        fwrite(out.data, 1, out.len, stdout);
        ddb_buf_free(&out);
    }
}

/* The error of a run with denials: which actions, and how. */
static int denied(const cli_sim *s, cli_error *e)
{
    ddb_buf what = DDB_BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < s->n_results; i++) {
        const cli_sim_result *r = &s->results[i];
        if (r->decision != DDB_IAM_ALLOW)
            ddb_buf_printf(&what, "%s%s (%s)", n++ ? ", " : "", r->action,
                           cli_sim_decision_name(r->decision));
    }
    char *list = ddb_buf_steal(&what, NULL);
    cli_fail(e, CLI_EXIT_DENIED, "PolicyDenied", "%zu of %zu actions denied: %s", n,
             s->n_results, list);
    free(list);
    return DDB_ERR;
}

static const char *env_get(const char *name)
{
    return getenv(name);
}

static int simulate(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    cli_sim_input in;
    cli_sim s;
    memset(&s, 0, sizeof s);
    int rc = cli_sim_input_parse(a, ctx->flags.region, env_get, &in, e);
    if (rc == DDB_OK)
        rc = cli_sim_run(&in, time(NULL), &s, e);
    if (rc == DDB_OK) {
        if (ctx->net.debug)
            trace(&s);
        print_results(ctx, &s);
        if (cli_sim_denied(&s) > 0)
            rc = denied(&s, e);
    }
    cli_sim_free(&s);
    cli_sim_input_free(&in);
    return rc;
}

int cli_cmd_policy(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    if (strcmp(a->pos[0], "simulate") == 0)
        return simulate(ctx, a, e);
    return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                    "unknown policy subcommand '%s' (the one there is: simulate)", a->pos[0]);
}
