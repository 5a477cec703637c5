/* SPDX-License-Identifier: MIT
**
** cmd_items.c -- the single-item commands on plain JSON items: `ddb put`
** (PutItem, one call per JSON object of the input, so JSON lines from
** `ddb scan` can be piped back in), `ddb get` (GetItem), `ddb delete`
** (DeleteItem) and `ddb update` (UpdateItem). Also the --names / --values
** handling shared with query and scan.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

#define OPT_NAMES {"names", "JSON", "ExpressionAttributeNames {\"#n\":\"a\"} (or @file)"}
#define OPT_VALUES {"values", "JSON", "ExpressionAttributeValues {\":v\":5} (or @file)"}
#define OPT_CONDITION {"condition", "EXPR", "ConditionExpression"}
#define OPT_RETURN_OLD {"return-old", NULL, "ReturnValues ALL_OLD: print the old item"}

const cli_opt cli_put_opts[] = {
    OPT_CONDITION, OPT_NAMES, OPT_VALUES, OPT_RETURN_OLD, {NULL, NULL, NULL}};
const cli_opt cli_get_opts[] = {
    {"consistent", NULL, "strongly consistent read (ConsistentRead)"},
    {"projection", "EXPR", "ProjectionExpression: the attributes to return"},
    OPT_NAMES,
    {NULL, NULL, NULL}};
const cli_opt cli_delete_opts[] = {
    OPT_CONDITION, OPT_NAMES, OPT_VALUES, OPT_RETURN_OLD, {NULL, NULL, NULL}};
const cli_opt cli_update_opts[] = {
    {"update", "EXPR", "UpdateExpression (required), e.g. 'SET #n = :v REMOVE old'"},
    OPT_CONDITION,
    OPT_NAMES,
    OPT_VALUES,
    {"return", "WHAT",
     "ReturnValues: NONE, ALL_OLD, UPDATED_OLD, ALL_NEW (default), UPDATED_NEW"},
    {NULL, NULL, NULL}};

int cli_add_expr_maps(json_t *req, const cli_args *a, cli_error *e)
{
    const char *names = cli_arg(a, "names");
    const char *values = cli_arg(a, "values");
    if (names != NULL) {
        size_t len = 0;
        char *text = cli_read_source(names, &len, e);
        if (text == NULL)
            return DDB_ERR;
        json_error_t jerr;
        json_t *map = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        free(text);
        const char *k;
        json_t *v;
        int ok = json_is_object(map) && json_object_size(map) > 0;
        json_object_foreach(map, k, v)
        {
            ok &= json_is_string(v);
        }
        if (!ok) {
            json_decref(map);
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                            "--names must be a JSON object of strings, e.g. "
                            "'{\"#n\":\"name\"}'");
        }
        json_object_set_new(req, "ExpressionAttributeNames", map);
    }
    if (values != NULL) {
        size_t len = 0;
        char *text = cli_read_source(values, &len, e);
        if (text == NULL)
            return DDB_ERR;
        json_t *map = cli_marshal_map(text, len, "--values", e);
        free(text);
        if (map == NULL)
            return DDB_ERR;
        json_object_set_new(req, "ExpressionAttributeValues", map);
    }
    return DDB_OK;
}

/* The attribute map given by argument 'arg' (JSON text, @file or -). */
static json_t *read_map(const char *arg, const char *what, cli_error *e)
{
    size_t len = 0;
    char *text = cli_read_source(arg, &len, e);
    if (text == NULL)
        return NULL;
    json_t *map = cli_marshal_map(text, len, what, e);
    free(text);
    return map;
}

/* Print the attribute map 'member' of 'resp' if present. */
static void print_member(const cli_ctx *ctx, json_t *resp, const char *member)
{
    json_t *item = json_object_get(resp, member);
    if (!json_is_object(item))
        return;
    if (ctx->output == CLI_OUT_TABLE) {
        cli_table t = {0};
        cli_table_add_item(&t, item);
        cli_table_print(&t, stdout);
        cli_table_free(&t);
    } else {
        cli_print_item_line(item, stdout);
    }
}

/* A new request naming the table; NULL (error recorded) if the name is not UTF-8. */
static json_t *new_request(const char *table, cli_error *e)
{
    json_t *req = json_object();
    if (cli_set_string(req, "TableName", table, e) != DDB_OK) {
        json_decref(req);
        return NULL;
    }
    return req;
}

/* Set 'member' from string option 'opt' when it was given. */
static int set_opt_string(json_t *req, const cli_args *a, const char *opt,
                          const char *member, cli_error *e)
{
    const char *v = cli_arg(a, opt);
    return v != NULL ? cli_set_string(req, member, v, e) : DDB_OK;
}

int cli_cmd_put(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    size_t len = 0;
    char *text = cli_read_source(a->pos[1], &len, e);
    if (text == NULL)
        return DDB_ERR;
    json_t *base = new_request(a->pos[0], e);
    if (base == NULL) {
        free(text);
        return DDB_ERR;
    }
    if (cli_arg(a, "return-old"))
        json_object_set_new(base, "ReturnValues", json_string("ALL_OLD"));
    int rc = set_opt_string(base, a, "condition", "ConditionExpression", e);
    if (rc == DDB_OK)
        rc = cli_add_expr_maps(base, a, e);
    cli_table t = {0};
    size_t pos = 0, written = 0;
    while (rc == DDB_OK) { /* each pass consumes at least one object of the input */
        cli_json_ws(text, len, &pos);
        if (pos >= len)
            break;
        if (text[pos] != '{') {
            rc = cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                          "item %zu of the input is not a JSON object", written + 1);
            break;
        }
        json_t *v = cli_marshal_value(text, len, &pos, "the item", e);
        if (v == NULL) {
            rc = DDB_ERR;
            break;
        }
        json_t *req = json_copy(base);
        json_object_set(req, "Item", json_object_get(v, "M"));
        json_decref(v);
        json_t *resp = cli_dynamodb(ctx, "PutItem", req, e);
        json_decref(req);
        if (resp == NULL) {
            rc = DDB_ERR;
            break;
        }
        written++;
        json_t *old = json_object_get(resp, "Attributes");
        if (json_is_object(old) && ctx->output == CLI_OUT_TABLE)
            cli_table_add_item(&t, old);
        else if (json_is_object(old))
            cli_print_item_line(old, stdout);
        json_decref(resp);
    }
    if (rc == DDB_OK && written == 0)
        rc = cli_fail(e, CLI_EXIT_USAGE, "UsageError", "no item given");
    if (rc != DDB_OK && written > 0)
        fprintf(stderr, "ddb: %zu item%s written before the error\n", written,
                written == 1 ? "" : "s");
    cli_table_print(&t, stdout);
    cli_table_free(&t);
    json_decref(base);
    free(text);
    return rc;
}

int cli_cmd_get(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    json_t *key = read_map(a->pos[1], "the key", e);
    if (key == NULL)
        return DDB_ERR;
    json_t *req = new_request(a->pos[0], e);
    if (req == NULL) {
        json_decref(key);
        return DDB_ERR;
    }
    json_object_set_new(req, "Key", key);
    if (cli_arg(a, "consistent"))
        json_object_set_new(req, "ConsistentRead", json_true());
    json_t *resp = NULL;
    if (set_opt_string(req, a, "projection", "ProjectionExpression", e) == DDB_OK &&
        cli_add_expr_maps(req, a, e) == DDB_OK)
        resp = cli_dynamodb(ctx, "GetItem", req, e);
    json_decref(req);
    if (resp == NULL)
        return DDB_ERR;
    print_member(ctx, resp, "Item");
    json_decref(resp);
    return DDB_OK;
}

int cli_cmd_delete(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    json_t *key = read_map(a->pos[1], "the key", e);
    if (key == NULL)
        return DDB_ERR;
    json_t *req = new_request(a->pos[0], e);
    if (req == NULL) {
        json_decref(key);
        return DDB_ERR;
    }
    json_object_set_new(req, "Key", key);
    if (cli_arg(a, "return-old"))
        json_object_set_new(req, "ReturnValues", json_string("ALL_OLD"));
    json_t *resp = NULL;
    if (set_opt_string(req, a, "condition", "ConditionExpression", e) == DDB_OK &&
        cli_add_expr_maps(req, a, e) == DDB_OK)
        resp = cli_dynamodb(ctx, "DeleteItem", req, e);
    json_decref(req);
    if (resp == NULL)
        return DDB_ERR;
    print_member(ctx, resp, "Attributes");
    json_decref(resp);
    return DDB_OK;
}

int cli_cmd_update(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    static const char *const returns[] = {"NONE",    "ALL_OLD",     "UPDATED_OLD",
                                          "ALL_NEW", "UPDATED_NEW", NULL};
    const char *expr = cli_arg(a, "update");
    const char *ret = cli_arg(a, "return");
    if (expr == NULL)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "--update EXPR is required");
    if (ret == NULL)
        ret = "ALL_NEW";
    int known = 0;
    for (size_t i = 0; returns[i] != NULL; i++)
        known |= strcmp(returns[i], ret) == 0;
    if (!known)
        return cli_fail(
            e, CLI_EXIT_USAGE, "UsageError",
            "--return must be NONE, ALL_OLD, UPDATED_OLD, ALL_NEW or UPDATED_NEW");
    json_t *key = read_map(a->pos[1], "the key", e);
    if (key == NULL)
        return DDB_ERR;
    json_t *req = new_request(a->pos[0], e);
    if (req == NULL) {
        json_decref(key);
        return DDB_ERR;
    }
    json_object_set_new(req, "Key", key);
    json_object_set_new(req, "ReturnValues", json_string(ret));
    json_t *resp = NULL;
    if (cli_set_string(req, "UpdateExpression", expr, e) == DDB_OK &&
        set_opt_string(req, a, "condition", "ConditionExpression", e) == DDB_OK &&
        cli_add_expr_maps(req, a, e) == DDB_OK)
        resp = cli_dynamodb(ctx, "UpdateItem", req, e);
    json_decref(req);
    if (resp == NULL)
        return DDB_ERR;
    print_member(ctx, resp, "Attributes");
    json_decref(resp);
    return DDB_OK;
}
