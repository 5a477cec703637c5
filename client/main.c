/* SPDX-License-Identifier: MIT
**
** main.c -- the ddb command line: global options, the subcommand table,
** option parsing, --help for every command, the run context (configuration
** and transport set up on the first request), and the mapping of the one
** cli_error of a run to "ddb: error: <Type>: <message>" and the exit code.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONNECT_TIMEOUT 10.0 /* seconds */
#define DEFAULT_TIMEOUT         60.0 /* seconds, whole request */
#define MAX_TIMEOUT             3600.0

static const cli_opt global_opts[] = {
    {"endpoint", "URL",
     "endpoint (else AWS_ENDPOINT_URL_DYNAMODB or _STS, AWS_ENDPOINT_URL,\n"
     "                           else https://SERVICE.REGION.amazonaws.com)"},
    {"region", "REGION",
     "region (else AWS_REGION, AWS_DEFAULT_REGION, profile's region)"},
    {"profile", "NAME",
     "profile in ~/.aws/credentials and ~/.aws/config (else AWS_PROFILE)"},
    {"output", "FORMAT", "json (JSON lines, the default) or table; text (metrics, top)"},
    {"no-retry", NULL, "one attempt only (no throttling/5xx/connection retries)"},
    {"max-attempts", "N", "attempts per request (default 3, or AWS_MAX_ATTEMPTS)"},
    {"connect-timeout", "SEC", "connect timeout in seconds (default 10)"},
    {"timeout", "SEC", "timeout of one whole attempt in seconds (default 60)"},
    {"debug", NULL, "trace configuration, requests, answers and retries on stderr"},
    {"help", NULL, "show help"},
    {NULL, NULL, NULL}};

static const cli_command commands[] = {
    {"tables", cli_cmd_tables, "", 0, 0, cli_tables_opts, "list the tables (every page)",
     "Prints each table name as a JSON string on its own line."},
    {"describe", cli_cmd_describe, "TABLE", 1, 1, cli_describe_opts,
     "describe a table (DescribeTable)",
     "Prints the Table object of DescribeTable exactly as the service sent it\n"
     "(one line), or one Field/Value row per leaf with --output table."},
    {"put", cli_cmd_put, "TABLE ITEM", 2, 2, cli_put_opts, "write items (PutItem)",
     "ITEM is plain JSON ({\"PK\":\"USER#1\",\"n\":42}), @FILE, or - for stdin.\n"
     "The input may hold several JSON objects (e.g. JSON lines from 'ddb scan'):\n"
     "each is one PutItem, in order, stopping at the first error. Numbers are\n"
     "sent exactly as written; {\"$binary\":\"<base64>\"} is a B value and\n"
     "{\"$set\":[...]} an SS, NS or BS value."},
    {"get", cli_cmd_get, "TABLE KEY", 2, 2, cli_get_opts, "read one item (GetItem)",
     "KEY is plain JSON with the key attributes ({\"PK\":\"USER#1\"}), @FILE or -.\n"
     "Prints the item as one JSON line, or nothing when there is no such item."},
    {"delete", cli_cmd_delete, "TABLE KEY", 2, 2, cli_delete_opts,
     "delete one item (DeleteItem)",
     "KEY is plain JSON with the key attributes, @FILE or -. With --return-old,\n"
     "prints the deleted item."},
    {"update", cli_cmd_update, "TABLE KEY", 2, 2, cli_update_opts,
     "update one item (UpdateItem)",
     "KEY is plain JSON with the key attributes, @FILE or -. Prints the\n"
     "attributes ReturnValues selects (ALL_NEW by default)."},
    {"query", cli_cmd_query, "TABLE", 1, 1, cli_query_opts,
     "query a table or index (Query)",
     "Prints one JSON line per item. Without --all, reads one page and, when\n"
     "there is more, prints the --start-key to continue with on stderr."},
    {"scan", cli_cmd_scan, "TABLE", 1, 1, cli_scan_opts, "scan a table or index (Scan)",
     "Prints one JSON line per item. Without --all, reads one page and, when\n"
     "there is more, prints the --start-key to continue with on stderr."},
    {"metrics", cli_cmd_metrics, "[TABLE]", 0, 1, cli_metrics_opts,
     "ddbd's throughput metrics: capacity, throttles, hot keys", cli_metrics_help},
    {"top", cli_cmd_top, "TABLE", 1, 1, cli_top_opts,
     "live view of a table's partitions on ddbd, hot ones marked", cli_top_help},
    {"call", cli_cmd_call, "OPERATION [JSON]", 1, 2, cli_call_opts,
     "any DynamoDB operation with a DynamoDB-JSON request",
     "Sends OPERATION (e.g. CreateTable, BatchWriteItem) with the request JSON\n"
     "as given (default {}; @FILE, or - for stdin) and prints the answer as one\n"
     "line. Numbers pass through as text in both directions."},
    {"whoami", cli_cmd_whoami, "", 0, 0, cli_whoami_opts,
     "the calling identity (STS GetCallerIdentity)",
     "Prints {\"UserId\",\"Account\",\"Arn\"}. The STS endpoint is --endpoint, else\n"
     "AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else\n"
     "https://sts.REGION.amazonaws.com."},
    {"workshop", cli_cmd_workshop, "STEP", 1, 1, cli_workshop_opts,
     "a step of the workshop guide (create-table, section1, ..., run, doctor)",
     cli_workshop_help},
    {"policy", cli_cmd_policy, "simulate", 1, 1, cli_policy_opts,
     "simulate ddbd's IAM decisions offline, no server needed (simulate)",
     cli_policy_help},
    {NULL, NULL, NULL, 0, 0, NULL, NULL, NULL}};

/*---- help ----*/

static void print_opts(FILE *f, const cli_opt *opts)
{
    for (size_t i = 0; opts[i].name != NULL; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
                 opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-24s %s\n", left, opts[i].help);
    }
}

static void print_main_help(FILE *f)
{
    fprintf(f, "Usage: ddb [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
               "A command-line client for DynamoDB and ddbd.\n\nCommands:\n");
    for (size_t i = 0; commands[i].name != NULL; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nGlobal options (before or after the command):\n");
    print_opts(f, global_opts);
    fprintf(f, "  %-24s %s\n", "--version", "print the version");
    fprintf(f, "\nRun 'ddb COMMAND --help' for a command's options.\n"
               "Exit codes: 0 ok, 1 service error, 2 usage, 3 connection/transport,\n"
               "4 throttled after retries, 5 configuration or credentials,\n"
               "6 a workshop check failed (ddb workshop), 7 a simulated request was\n"
               "denied (ddb policy simulate).\n");
}

static void print_command_help(FILE *f, const cli_command *c)
{
    fprintf(f, "Usage: ddb %s [OPTIONS]%s%s\n\n%s.\n\n%s\n", c->name,
            c->usage[0] ? " " : "", c->usage, c->summary, c->help);
    if (c->opts[0].name != NULL) {
        fprintf(f, "\nOptions:\n");
        print_opts(f, c->opts);
    }
    fprintf(f, "\nGlobal options:\n");
    print_opts(f, global_opts);
}

/*---- option parsing ----*/

const char *cli_arg(const cli_args *a, const char *name)
{
    for (size_t i = a->n; i > 0; i--)
        if (strcmp(a->names[i - 1], name) == 0)
            return a->vals[i - 1];
    return NULL;
}

static const cli_opt *find_opt(const cli_opt *opts, const char *name, size_t len)
{
    for (size_t i = 0; opts != NULL && opts[i].name != NULL; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

/* Parse argv[*i..] into 'a' with the options of 'c' (NULL: globals only),
** stopping at the first positional argument when 'c' is NULL. */
static int parse_args(int argc, char **argv, int *i, const cli_command *c, cli_args *a,
                      cli_error *e)
{
    int only_positional = 0;
    for (; *i < argc; (*i)++) {
        const char *arg = argv[*i];
        if (only_positional || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (c == NULL)
                return DDB_OK;
            if (a->n_pos == CLI_MAX_ARGS)
                return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "too many arguments");
            a->pos[a->n_pos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (strcmp(arg, "-h") == 0)
            arg = "--help";
        if (arg[1] != '-')
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "unknown option '%s'", arg);
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const cli_opt *o = find_opt(global_opts, name, len);
        if (o == NULL && c != NULL)
            o = find_opt(c->opts, name, len);
        if (o == NULL)
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "unknown option '--%.*s'",
                            (int)len, name);
        const char *val = "";
        if (o->arg != NULL && eq != NULL) {
            val = eq + 1;
        } else if (o->arg != NULL) {
            if (*i + 1 >= argc)
                return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                                "--%s needs a value (%s)", o->name, o->arg);
            val = argv[++(*i)];
        } else if (eq != NULL) {
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "--%s takes no value",
                            o->name);
        }
        if (a->n == CLI_MAX_ARGS)
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "too many options");
        a->names[a->n] = o->name;
        a->vals[a->n] = val;
        a->n++;
    }
    return DDB_OK;
}

/* Apply the global options found in 'a' to 'ctx'. */
static int apply_globals(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    const char *v;
    if ((v = cli_arg(a, "endpoint")) != NULL)
        ctx->flags.endpoint = v;
    if ((v = cli_arg(a, "region")) != NULL)
        ctx->flags.region = v;
    if ((v = cli_arg(a, "profile")) != NULL)
        ctx->flags.profile = v;
    if ((v = cli_arg(a, "max-attempts")) != NULL)
        ctx->flags.max_attempts = v;
    if (cli_arg(a, "no-retry"))
        ctx->flags.no_retry = 1;
    if (cli_arg(a, "debug"))
        ctx->net.debug = 1;
    if ((v = cli_arg(a, "output")) != NULL) {
        ctx->output_set = 1;
        if (strcmp(v, "json") == 0)
            ctx->output = CLI_OUT_JSON;
        else if (strcmp(v, "table") == 0)
            ctx->output = CLI_OUT_TABLE;
        else if (strcmp(v, "text") == 0)
            ctx->output = CLI_OUT_TEXT; /* checked against the command in run() */
        else
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                            "--output must be json or table, got '%s'", v);
    }
    if ((v = cli_arg(a, "connect-timeout")) != NULL &&
        cli_parse_seconds(v, MAX_TIMEOUT, &ctx->net.connect_timeout) != 0)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "--connect-timeout must be a number of seconds, got '%s'", v);
    if ((v = cli_arg(a, "timeout")) != NULL &&
        cli_parse_seconds(v, MAX_TIMEOUT, &ctx->net.timeout) != 0)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "--timeout must be a number of seconds, got '%s'", v);
    return DDB_OK;
}

/*---- the run context ----*/

static const char *env_get(const char *name)
{
    return getenv(name);
}

static int ensure_ready(cli_ctx *ctx, cli_error *e)
{
    if (ctx->transport != NULL)
        return DDB_OK;
    if (!ctx->have_cfg) {
        if (cli_config_resolve(&ctx->flags, env_get, &ctx->cfg, e) != DDB_OK)
            return DDB_ERR;
        ctx->have_cfg = 1;
    }
    ctx->ddb_endpoint =
        cli_endpoint_resolve(ctx->flags.endpoint, env_get, "dynamodb", ctx->cfg.region);
    ctx->sts_endpoint =
        cli_endpoint_resolve(ctx->flags.endpoint, env_get, "sts", ctx->cfg.region);
    if (ctx->net.debug)
        fprintf(stderr,
                "ddb: debug: profile %s, region %s, credentials from %s (%s), "
                "max attempts %d\nddb: debug: dynamodb endpoint %s, sts endpoint %s\n",
                ctx->cfg.profile, ctx->cfg.region, ctx->cfg.cred_source,
                ctx->cfg.access_key, ctx->cfg.max_attempts, ctx->ddb_endpoint,
                ctx->sts_endpoint);
    ctx->transport = cli_transport_new(&ctx->cfg, &ctx->net, e);
    return ctx->transport ? DDB_OK : DDB_ERR;
}

int cli_ready(cli_ctx *ctx, cli_error *e)
{
    return ensure_ready(ctx, e);
}

int cli_dynamodb_raw(cli_ctx *ctx, const char *op, const char *body, size_t len,
                     cli_reply *out, cli_error *e)
{
    if (ensure_ready(ctx, e) != DDB_OK)
        return DDB_ERR;
    char target[128];
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", op);
    return cli_transport_post(ctx->transport, ctx->ddb_endpoint, "dynamodb", target, body,
                              len, out, e);
}

int cli_sts_raw(cli_ctx *ctx, const char *body, size_t len, cli_reply *out, cli_error *e)
{
    if (ensure_ready(ctx, e) != DDB_OK)
        return DDB_ERR;
    return cli_transport_post(ctx->transport, ctx->sts_endpoint, "sts", NULL, body, len,
                              out, e);
}

json_t *cli_dynamodb(cli_ctx *ctx, const char *op, json_t *req, cli_error *e)
{
    char *body = json_dumps(req, JSON_COMPACT);
    if (body == NULL) {
        cli_fail(e, CLI_EXIT_USAGE, "UsageError", "the %s request cannot be encoded", op);
        return NULL;
    }
    cli_reply reply = {0};
    int rc = cli_dynamodb_raw(ctx, op, body, strlen(body), &reply, e);
    free(body);
    if (rc != DDB_OK)
        return NULL;
    json_error_t jerr;
    json_t *doc = json_loadb(reply.body, reply.len, 0, &jerr);
    cli_reply_free(&reply);
    if (!json_is_object(doc)) {
        json_decref(doc);
        cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                 "the answer to %s is not a JSON object", op);
        return NULL;
    }
    return doc;
}

/*---- main ----*/

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; commands[i].name != NULL; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* 1 for the commands whose default output is text for people, which also
** take --output text. */
static int prints_text(const cli_command *c)
{
    return c->run == cli_cmd_metrics || c->run == cli_cmd_top || c->run == cli_cmd_policy;
}

/* Parse the command line and run the command; returns the exit code. */
static int run(int argc, char **argv, cli_ctx *ctx, cli_error *e)
{
    cli_args globals = {0}, args = {0};
    int i = 1;
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("ddb %s\n", DDB_VERSION);
        return CLI_EXIT_OK;
    }
    if (parse_args(argc, argv, &i, NULL, &globals, e) != DDB_OK)
        return DDB_ERR;
    if (cli_arg(&globals, "help") || i >= argc) {
        print_main_help(i >= argc && !cli_arg(&globals, "help") ? stderr : stdout);
        return i >= argc && !cli_arg(&globals, "help") ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *name = argv[i++];
    if (strcmp(name, "help") == 0) {
        const cli_command *c = i < argc ? find_command(argv[i]) : NULL;
        if (i < argc && c == NULL)
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "unknown command '%s'",
                            argv[i]);
        if (c)
            print_command_help(stdout, c);
        else
            print_main_help(stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *c = find_command(name);
    if (c == NULL)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "unknown command '%s' (run 'ddb --help' for the list)", name);
    if (parse_args(argc, argv, &i, c, &args, e) != DDB_OK)
        return DDB_ERR;
    if (cli_arg(&args, "help")) {
        print_command_help(stdout, c);
        return CLI_EXIT_OK;
    }
    if (apply_globals(ctx, &globals, e) != DDB_OK ||
        apply_globals(ctx, &args, e) != DDB_OK)
        return DDB_ERR;
    if (ctx->output == CLI_OUT_TEXT && !prints_text(c))
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "--output must be json or table, got 'text'");
    if ((int)args.n_pos < c->min_pos || (c->max_pos >= 0 && (int)args.n_pos > c->max_pos))
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "usage: ddb %s [OPTIONS]%s%s",
                        c->name, c->usage[0] ? " " : "", c->usage);
    return c->run(ctx, &args, e) == DDB_OK ? CLI_EXIT_OK : DDB_ERR;
}

int main(int argc, char **argv)
{
    ddb_json_use_xalloc();
    if (cli_transport_global_init() != DDB_OK) {
        fprintf(stderr, "ddb: error: HTTPClientError: cannot initialise libcurl\n");
        return CLI_EXIT_TRANSPORT;
    }
    cli_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.net.connect_timeout = DEFAULT_CONNECT_TIMEOUT;
    ctx.net.timeout = DEFAULT_TIMEOUT;
    cli_error e = CLI_ERROR_INIT;
    int code = run(argc, argv, &ctx, &e);
    if (code < 0 && e.exit_code == CLI_EXIT_OK) /* every failure path records one */
        cli_fail(&e, CLI_EXIT_SERVICE, "Error", "failed without a message");
    if (fflush(stdout) != 0 && e.exit_code == CLI_EXIT_OK)
        cli_fail(&e, CLI_EXIT_TRANSPORT, "OutputError", "cannot write the output");
    if (e.exit_code != CLI_EXIT_OK) {
        cli_error_print(&e, stderr);
        if (e.exit_code == CLI_EXIT_USAGE && argc >= 2)
            fprintf(stderr, "Run 'ddb --help' or 'ddb COMMAND --help' for usage.\n");
        code = e.exit_code;
    }
    cli_error_clear(&e);
    cli_transport_free(ctx.transport);
    free(ctx.ddb_endpoint);
    free(ctx.sts_endpoint);
    cli_config_free(&ctx.cfg);
    cli_transport_global_cleanup();
    return code;
}
