/* SPDX-License-Identifier: MIT
**
** cmd_query.c -- `ddb query` and `ddb scan`: build the Query / Scan request
** from the options, follow LastEvaluatedKey with --all (or print how to
** continue), stream the items as JSON lines or collect them for
** --output table, and sum Count / ScannedCount for --count.
*/
#include "client.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define OPT_INDEX {"index", "NAME", "read a secondary index (IndexName)"}
#define OPT_FILTER {"filter", "EXPR", "FilterExpression"}
#define OPT_PROJECTION {"projection", "EXPR", "ProjectionExpression"}
#define OPT_NAMES {"names", "JSON", "ExpressionAttributeNames {\"#n\":\"a\"} (or @file)"}
#define OPT_VALUES {"values", "JSON", "ExpressionAttributeValues {\":v\":5} (or @file)"}
#define OPT_LIMIT {"limit", "N", "Limit: items evaluated per request (page size)"}
#define OPT_ALL {"all", NULL, "follow LastEvaluatedKey until every page is read"}
#define OPT_START {"start-key", "KEY", "ExclusiveStartKey, plain JSON (continue a read)"}
#define OPT_CONSISTENT {"consistent", NULL, "strongly consistent read (ConsistentRead)"}
#define OPT_COUNT {"count", NULL, "Select COUNT: print Count and ScannedCount"}

const cli_opt cli_query_opts[] = {
    {"key-condition", "EXPR", "KeyConditionExpression (required), e.g. 'PK = :pk'"},
    OPT_INDEX, OPT_FILTER, OPT_PROJECTION, OPT_NAMES, OPT_VALUES, OPT_LIMIT, OPT_ALL,
    OPT_START, OPT_CONSISTENT, OPT_COUNT,
    {"reverse", NULL, "descending sort-key order (ScanIndexForward false)"},
    {NULL, NULL, NULL}};

const cli_opt cli_scan_opts[] = {
    OPT_INDEX, OPT_FILTER, OPT_PROJECTION, OPT_NAMES, OPT_VALUES, OPT_LIMIT, OPT_ALL,
    OPT_START, OPT_CONSISTENT, OPT_COUNT,
    {"segment", "S", "parallel scan: this worker's Segment (0-based)"},
    {"total-segments", "T", "parallel scan: TotalSegments (1 to 1000000)"},
    {NULL, NULL, NULL}};

/* Set integer member 'member' from option 'opt' if given. */
static int int_option(json_t *req, const cli_args *a, const char *opt, const char *member,
                      long lo, long hi, cli_error *e)
{
    const char *v = cli_arg(a, opt);
    long n;
    if (v == NULL)
        return DDB_OK;
    if (cli_parse_long(v, lo, hi, &n) != 0)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "--%s must be an integer from %ld to %ld, got '%s'", opt, lo, hi,
                        v);
    json_object_set_new(req, member, json_integer(n));
    return DDB_OK;
}

/* Build the request of 'op' from the options. New, or NULL with an error. */
static json_t *build_request(const cli_args *a, int is_query, cli_error *e)
{
    json_t *req = json_object();
    if (cli_set_string(req, "TableName", a->pos[0], e) != DDB_OK)
        goto fail;
    static const struct {
        const char *opt, *member;
    } strings[] = {{"key-condition", "KeyConditionExpression"},
                   {"index", "IndexName"},
                   {"filter", "FilterExpression"},
                   {"projection", "ProjectionExpression"}};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        const char *v = cli_arg(a, strings[i].opt);
        if (v != NULL && cli_set_string(req, strings[i].member, v, e) != DDB_OK)
            goto fail;
    }
    if (is_query && cli_arg(a, "key-condition") == NULL) {
        cli_fail(e, CLI_EXIT_USAGE, "UsageError", "--key-condition EXPR is required");
        goto fail;
    }
    if (cli_arg(a, "consistent"))
        json_object_set_new(req, "ConsistentRead", json_true());
    if (is_query && cli_arg(a, "reverse"))
        json_object_set_new(req, "ScanIndexForward", json_false());
    if (cli_arg(a, "count"))
        json_object_set_new(req, "Select", json_string("COUNT"));
    if (int_option(req, a, "limit", "Limit", 1, INT_MAX, e) != DDB_OK)
        goto fail;
    if (!is_query) {
        int has_seg = cli_arg(a, "segment") != NULL;
        int has_total = cli_arg(a, "total-segments") != NULL;
        if (has_seg != has_total) {
            cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                     "--segment and --total-segments go together");
            goto fail;
        }
        if (int_option(req, a, "total-segments", "TotalSegments", 1, 1000000, e) !=
                DDB_OK ||
            int_option(req, a, "segment", "Segment", 0, 999999, e) != DDB_OK)
            goto fail;
        json_t *seg = json_object_get(req, "Segment");
        json_t *total = json_object_get(req, "TotalSegments");
        if (seg && json_integer_value(seg) >= json_integer_value(total)) {
            cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                     "--segment must be less than --total-segments");
            goto fail;
        }
    }
    const char *start = cli_arg(a, "start-key");
    if (start != NULL) {
        size_t len = 0;
        char *text = cli_read_source(start, &len, e);
        json_t *key = text ? cli_marshal_map(text, len, "--start-key", e) : NULL;
        free(text);
        if (key == NULL)
            goto fail;
        json_object_set_new(req, "ExclusiveStartKey", key);
    }
    if (cli_add_expr_maps(req, a, e) != DDB_OK)
        goto fail;
    return req;
fail:
    json_decref(req);
    return NULL;
}

/* Tell the user how to read the next page. */
static void print_continue_hint(const json_t *key)
{
    ddb_buf b = DDB_BUF_INIT;
    cli_unmarshal_map(key, &b);
    fputs("ddb: more results; add --all, or continue with --start-key '", stderr);
    for (size_t i = 0; i < b.len; i++) { /* quote for a POSIX shell */
        if (b.data[i] == '\'')
            fputs("'\\''", stderr);
        else
            fputc(b.data[i], stderr);
    }
    fputs("'\n", stderr);
    ddb_buf_free(&b);
}

static int run_read(cli_ctx *ctx, const cli_args *a, const char *op, int is_query,
                    cli_error *e)
{
    json_t *req = build_request(a, is_query, e);
    if (req == NULL)
        return DDB_ERR;
    int all = cli_arg(a, "all") != NULL;
    int count_only = cli_arg(a, "count") != NULL;
    json_int_t count = 0, scanned = 0;
    cli_table t = {0};
    int rc = DDB_OK;
    for (long page = 0; page < CLI_MAX_PAGES; page++) {
        json_t *resp = cli_dynamodb(ctx, op, req, e);
        if (resp == NULL) {
            rc = DDB_ERR;
            break;
        }
        count += json_integer_value(json_object_get(resp, "Count"));
        scanned += json_integer_value(json_object_get(resp, "ScannedCount"));
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(resp, "Items"), i, item)
        {
            if (!json_is_object(item) || count_only)
                continue;
            if (ctx->output == CLI_OUT_TABLE)
                cli_table_add_item(&t, item);
            else
                cli_print_item_line(item, stdout);
        }
        fflush(stdout);
        json_t *last = json_object_get(resp, "LastEvaluatedKey");
        if (!json_is_object(last)) {
            json_decref(resp);
            break;
        }
        if (!all) {
            print_continue_hint(last);
            json_decref(resp);
            break;
        }
        json_object_set(req, "ExclusiveStartKey", last);
        json_decref(resp);
    }
    if (rc == DDB_OK && count_only) {
        if (ctx->output == CLI_OUT_TABLE) {
            cli_table_row(&t);
            cli_table_set(&t, cli_table_col(&t, "Count"),
                          ddb_xasprintf("%lld", (long long)count));
            cli_table_set(&t, cli_table_col(&t, "ScannedCount"),
                          ddb_xasprintf("%lld", (long long)scanned));
        } else {
            printf("{\"Count\":%lld,\"ScannedCount\":%lld}\n", (long long)count,
                   (long long)scanned);
        }
    }
    if (rc == DDB_OK)
        cli_table_print(&t, stdout);
    cli_table_free(&t);
    json_decref(req);
    return rc;
}

int cli_cmd_query(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    return run_read(ctx, a, "Query", 1, e);
}

int cli_cmd_scan(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    return run_read(ctx, a, "Scan", 0, e);
}
