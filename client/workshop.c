/* SPDX-License-Identifier: MIT
**
** workshop.c -- the requests the `ddb workshop` steps share: DynamoDB calls
** with the usual retries or with one attempt (section 3's comparison counts
** throttles), BatchWriteItem that re-sends UnprocessedItems as boto3's
** batch_writer does, one-page Query, the table and index waiters the guide's
** scripts use (`aws dynamodb wait`, the polling loop of section 2), item
** printing, and ddbd's own endpoints (GET /_ddbd/clock to tell ddbd from AWS,
** POST /_ddbd/clock to advance the manual clock, GET /_ddbd/metrics).
*/
#include "client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_MAX      25    /* BatchWriteItem's limit */
#define BATCH_ROUNDS   12    /* rounds of re-sending UnprocessedItems */
#define WAIT_POLLS     400   /* DescribeTable polls of a waiter */
#define WAIT_MAX_DELAY 5.0   /* seconds between polls, at most */
#define WAIT_TOTAL     900.0 /* seconds a waiter waits in all */
#define WAIT_NOT_FOUND 10    /* polls that may still see ResourceNotFound */

json_t *cli_ws_call(cli_ws *w, const char *op, json_t *req, cli_error *e)
{
    return cli_dynamodb(w->ctx, op, req, e);
}

json_t *cli_ws_call_once(cli_ws *w, const char *op, json_t *req, json_t **err_doc,
                         cli_error *e)
{
    if (err_doc != NULL)
        *err_doc = NULL;
    if (cli_ready(w->ctx, e) != DDB_OK)
        return NULL;
    int saved = w->ctx->cfg.max_attempts;
    w->ctx->cfg.max_attempts = 1;
    json_t *resp = cli_dynamodb(w->ctx, op, req, e);
    w->ctx->cfg.max_attempts = saved;
    if (resp == NULL && err_doc != NULL &&
        (e->exit_code == CLI_EXIT_SERVICE || e->exit_code == CLI_EXIT_THROTTLED)) {
        size_t len = 0;
        const char *body = cli_transport_error_body(w->ctx->transport, &len);
        *err_doc = body ? json_loadb(body, len, 0, NULL) : NULL;
    }
    return resp;
}

double cli_ws_backoff_base(void)
{
    long ms = 1000;
    const char *env = getenv("DDB_RETRY_BASE_MS");
    if (env != NULL && env[0] != '\0' && cli_parse_long(env, 0, 60000, &ms) != 0)
        ms = 1000;
    return (double)ms / 1000.0;
}

void cli_ws_sleep(double s)
{
    struct timespec ts, rem;
    if (s <= 0)
        return;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    for (int i = 0; i < 1000 && nanosleep(&ts, &rem) != 0 && errno == EINTR; i++)
        ts = rem;
}

/* Send one BatchWriteItem of the PutRequests in 'reqs' (an array) and keep
** re-sending what comes back unprocessed. */
static int batch_chunk(cli_ws *w, const char *table, json_t *reqs, cli_error *e)
{
    json_t *pending = json_incref(reqs);
    int rc = DDB_OK;
    double delay = 0.05 * cli_ws_backoff_base();
    for (int round = 0; json_array_size(pending) > 0; round++) {
        if (round == BATCH_ROUNDS) {
            rc = cli_fail(
                e, CLI_EXIT_THROTTLED, "UnprocessedItems",
                "%zu item%s of a BatchWriteItem to %s still unprocessed after %d "
                "rounds (the table is throttling)",
                json_array_size(pending), json_array_size(pending) == 1 ? "" : "s", table,
                BATCH_ROUNDS);
            break;
        }
        if (round > 0) {
            cli_ws_sleep(delay);
            delay = delay * 2 > 2.0 ? 2.0 : delay * 2;
        }
        json_t *req = json_pack("{s:{s:O}}", "RequestItems", table, pending);
        json_t *resp = cli_ws_call(w, "BatchWriteItem", req, e);
        json_decref(req);
        if (resp == NULL) {
            rc = DDB_ERR;
            break;
        }
        json_t *left = json_object_get(json_object_get(resp, "UnprocessedItems"), table);
        json_decref(pending);
        pending = json_is_array(left) ? json_incref(left) : json_array();
        json_decref(resp);
    }
    json_decref(pending);
    return rc;
}

int cli_ws_batch_put(cli_ws *w, const char *table, const json_t *items, cli_error *e)
{
    size_t n = json_array_size(items);
    for (size_t start = 0; start < n; start += BATCH_MAX) {
        json_t *reqs = json_array();
        for (size_t i = start; i < n && i < start + BATCH_MAX; i++)
            json_array_append_new(reqs, json_pack("{s:{s:O}}", "PutRequest", "Item",
                                                  json_array_get(items, i)));
        int rc = batch_chunk(w, table, reqs, e);
        json_decref(reqs);
        if (rc != DDB_OK)
            return DDB_ERR;
    }
    return DDB_OK;
}

json_t *cli_ws_query(cli_ws *w, const char *table, const char *index,
                     const char *key_attr, const char *value, long limit, int forward,
                     cli_error *e)
{
    json_t *req =
        json_pack("{s:s,s:s,s:{s:s},s:{s:{s:s}}}", "TableName", table,
                  "KeyConditionExpression", "#k = :v", "ExpressionAttributeNames", "#k",
                  key_attr, "ExpressionAttributeValues", ":v", "S", value);
    if (req == NULL) {
        cli_fail(e, CLI_EXIT_CONFIG, "WorkshopConfigError",
                 "a table, index or key value is not valid UTF-8");
        return NULL;
    }
    if (index != NULL)
        json_object_set_new(req, "IndexName", json_string(index));
    if (limit > 0)
        json_object_set_new(req, "Limit", json_integer(limit));
    if (!forward)
        json_object_set_new(req, "ScanIndexForward", json_false());
    json_t *resp = cli_ws_call(w, "Query", req, e);
    json_decref(req);
    if (resp == NULL)
        return NULL;
    json_t *items = json_object_get(resp, "Items");
    items = json_is_array(items) ? json_incref(items) : json_array();
    json_decref(resp);
    return items;
}

json_t *cli_ws_describe(cli_ws *w, const char *table, cli_error *e)
{
    json_t *req = json_pack("{s:s}", "TableName", table);
    json_t *resp = req ? cli_ws_call(w, "DescribeTable", req, e) : NULL;
    json_decref(req);
    if (resp == NULL) {
        if (req == NULL)
            cli_fail(e, CLI_EXIT_CONFIG, "WorkshopConfigError",
                     "the table name is not valid UTF-8");
        return NULL;
    }
    json_t *t = json_incref(json_object_get(resp, "Table"));
    json_decref(resp);
    if (t == NULL)
        cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                 "the DescribeTable answer has no Table");
    return t;
}

/* 1 if 'desc' is ACTIVE and so is its GSI 'index' (when not NULL). */
static int is_active(const json_t *desc, const char *index)
{
    const char *st = json_string_value(json_object_get(desc, "TableStatus"));
    if (st == NULL || strcmp(st, "ACTIVE") != 0)
        return 0;
    if (index == NULL)
        return 1;
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(desc, "GlobalSecondaryIndexes"), i, g)
    {
        const char *name = json_string_value(json_object_get(g, "IndexName"));
        const char *ist = json_string_value(json_object_get(g, "IndexStatus"));
        if (name && strcmp(name, index) == 0)
            return ist != NULL && strcmp(ist, "ACTIVE") == 0;
    }
    return 0;
}

/* Poll DescribeTable until 'done' says so. 'gone': waiting for the table
** to disappear. */
static int wait_table(cli_ws *w, const char *table, const char *index, int gone,
                      cli_error *e)
{
    double start = ddb_monotonic(), delay = 0.1;
    for (int poll = 0; poll < WAIT_POLLS; poll++) {
        cli_error pe = CLI_ERROR_INIT;
        json_t *desc = cli_ws_describe(w, table, &pe);
        if (desc == NULL) {
            int missing = cli_ws_error_is(&pe, "ResourceNotFoundException");
            if (gone && missing) {
                cli_error_clear(&pe);
                return DDB_OK;
            }
            if (!missing || poll >= WAIT_NOT_FOUND) { /* not visible yet: poll again */
                int rc = cli_fail(e, pe.exit_code, pe.type, "%s",
                                  pe.message ? pe.message : "");
                cli_error_clear(&pe);
                return rc;
            }
            cli_error_clear(&pe);
        } else {
            int done = !gone && is_active(desc, index);
            json_decref(desc);
            if (done)
                return DDB_OK;
        }
        if (ddb_monotonic() - start > WAIT_TOTAL)
            break;
        cli_ws_sleep(delay);
        delay = delay * 2 > WAIT_MAX_DELAY ? WAIT_MAX_DELAY : delay * 2;
    }
    return cli_fail(e, CLI_EXIT_SERVICE, "WaiterError",
                    "gave up waiting for %s%s%s to %s", table, index ? " index " : "",
                    index ? index : "", gone ? "be deleted" : "become ACTIVE");
}

int cli_ws_wait_active(cli_ws *w, const char *table, const char *index, cli_error *e)
{
    return wait_table(w, table, index, 0, e);
}

int cli_ws_wait_gone(cli_ws *w, const char *table, cli_error *e)
{
    return wait_table(w, table, NULL, 1, e);
}

void cli_ws_print_items(cli_ws *w, const char *prefix, const json_t *items)
{
    if (w->ctx->output == CLI_OUT_TABLE) {
        if (prefix != NULL && prefix[0] != '\0')
            printf("%s%s", prefix, prefix[strlen(prefix) - 1] == '\n' ? "" : "\n");
        cli_table t = {0};
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            if (json_is_object(item))
                cli_table_add_item(&t, item);
        }
        if (t.n_rows == 0)
            printf("(no items)\n");
        cli_table_print(&t, stdout);
        cli_table_free(&t);
        return;
    }
    ddb_buf b = DDB_BUF_INIT;
    if (prefix != NULL && prefix[0] != '\0') {
        ddb_buf_puts(&b, prefix);
        if (prefix[strlen(prefix) - 1] != '\n')
            ddb_buf_putc(&b, ' ');
    }
    cli_ws_items_json(items, &b);
    ddb_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stdout);
    ddb_buf_free(&b);
}

int cli_ws_error_is(const cli_error *e, const char *type)
{
    return e->exit_code != CLI_EXIT_OK && strcmp(e->type, type) == 0;
}

int cli_ws_need(const char *value, const char *name, const char *hint, cli_error *e)
{
    if (value != NULL)
        return DDB_OK;
    return cli_fail(e, CLI_EXIT_CONFIG, "WorkshopConfigError", "%s is not set: %s", name,
                    hint);
}

int cli_ws_identity(cli_ws *w, char **account, char **arn, cli_error *e)
{
    static const char body[] = "Action=GetCallerIdentity&Version=2011-06-15";
    cli_reply reply = {0};
    if (account != NULL)
        *account = NULL;
    if (arn != NULL)
        *arn = NULL;
    if (cli_sts_raw(w->ctx, body, sizeof body - 1, &reply, e) != DDB_OK)
        return DDB_ERR;
    char *acc = cli_xml_text(reply.body, "Account");
    char *who = cli_xml_text(reply.body, "Arn");
    cli_reply_free(&reply);
    if (acc == NULL || who == NULL) {
        free(acc);
        free(who);
        return cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                        "the GetCallerIdentity answer has no Account or Arn");
    }
    if (account != NULL)
        *account = acc;
    else
        free(acc);
    if (arn != NULL)
        *arn = who;
    else
        free(who);
    return DDB_OK;
}

/*---- ddbd's own endpoints ----*/

cli_ws_server cli_ws_probe(cli_ws *w)
{
    cli_error pe = CLI_ERROR_INIT;
    if (cli_ready(w->ctx, &pe) != DDB_OK) {
        cli_error_clear(&pe);
        return CLI_WS_OTHER;
    }
    if (cli_endpoint_is_aws(w->ctx->ddb_endpoint))
        return CLI_WS_AWS;
    cli_reply r = {0};
    cli_ws_server kind = CLI_WS_OTHER;
    if (cli_transport_admin(w->ctx->transport, w->ctx->ddb_endpoint, "GET",
                            "/_ddbd/clock", NULL, NULL, &r, &pe) == DDB_OK &&
        r.status == 200) {
        json_t *doc = json_loadb(r.body, r.len, 0, NULL);
        const char *mode = json_string_value(json_object_get(doc, "Mode"));
        if (mode != NULL)
            kind = strcmp(mode, "manual") == 0 ? CLI_WS_DDBD_MANUAL : CLI_WS_DDBD_REAL;
        json_decref(doc);
    }
    cli_reply_free(&r);
    cli_error_clear(&pe);
    return kind;
}

/* The "message" of a ddbd admin error answer, or a generic text. New. */
static char *admin_message(const cli_reply *r)
{
    json_t *doc = json_loadb(r->body, r->len, 0, NULL);
    const char *m = json_string_value(json_object_get(doc, "message"));
    char *out = ddb_xasprintf("HTTP %ld%s%s", r->status, m ? ": " : "", m ? m : "");
    json_decref(doc);
    return out;
}

int cli_ws_clock_advance(cli_ws *w, double seconds, cli_error *e)
{
    if (cli_ready(w->ctx, e) != DDB_OK)
        return DDB_ERR;
    char body[64];
    snprintf(body, sizeof body, "{\"Advance\":%.3f}", seconds);
    cli_reply r = {0};
    if (cli_transport_admin(w->ctx->transport, w->ctx->ddb_endpoint, "POST",
                            "/_ddbd/clock", NULL, body, &r, e) != DDB_OK)
        return DDB_ERR;
    int rc = DDB_OK;
    if (r.status != 200) {
        char *m = admin_message(&r);
        rc = cli_fail(e, CLI_EXIT_SERVICE, "DdbdAdminError",
                      "POST /_ddbd/clock failed: %s", m);
        free(m);
    }
    cli_reply_free(&r);
    return rc;
}

int cli_ws_metrics(cli_ws *w, const char *table, cli_ws_snapshot *out, cli_error *e)
{
    memset(out, 0, sizeof *out);
    if (cli_ready(w->ctx, e) != DDB_OK)
        return DDB_ERR;
    char *query = ddb_xasprintf("region=%s&table=%s", w->ctx->cfg.region, table);
    cli_reply r = {0};
    int rc = cli_transport_admin(w->ctx->transport, w->ctx->ddb_endpoint, "GET",
                                 "/_ddbd/metrics", query, NULL, &r, e);
    free(query);
    if (rc == DDB_OK && r.status != 200) {
        char *m = admin_message(&r);
        rc = cli_fail(e, CLI_EXIT_SERVICE, "DdbdAdminError",
                      "GET /_ddbd/metrics failed: %s", m);
        free(m);
    }
    if (rc == DDB_OK && cli_ws_snapshot_parse(r.body, r.len, table, out) != 0)
        rc = cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                      "the /_ddbd/metrics answer has no table %s", table);
    cli_reply_free(&r);
    return rc;
}
