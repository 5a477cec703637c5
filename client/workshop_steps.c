/* SPDX-License-Identifier: MIT
**
** workshop_steps.c -- the attendee's steps of the workshop guide
** (/work/shared/workshop-guide.md), each doing what the guide's script does
** and printing the same lines: scripts/create_table.sh, the examples of
** sections 1 to 4 (section1_fundamentals.py, section2_single_table_seed.py,
** section2_gsi_sparse.py, section3_sharding.py, section4_intro_seed.py,
** section4_gsi_status_scoped.py, section4_cross_tenant_attempt.py,
** section4_tenant_sharding.py, section4_gsi_status_global.py) and
** scripts/delete_table.sh. Items print as plain JSON where the scripts print
** Python lists, or as tables with --output table.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

static const char hint_attendee[] =
    "export ATTENDEE_ID=037 (the number at the end of your IAM user name)";
static const char hint_table[] =
    "export TABLE=ws-att-<ATTENDEE_ID> (or set ATTENDEE_ID), then run "
    "'ddb workshop create-table'";

static const char *const shards[CLI_WS_SHARDS] = {"S0", "S1", "S2", "S3"};

/* A random shard, as random.choice(SHARDS). */
static const char *random_shard(void)
{
    unsigned char r;
    ddb_random_bytes(&r, 1);
    return shards[r % CLI_WS_SHARDS];
}

/*---- scripts/create_table.sh and scripts/delete_table.sh ----*/

int cli_ws_create_table(cli_ws *w, cli_error *e)
{
    if (cli_ws_need(w->env.personal, "ATTENDEE_ID", hint_attendee, e) != DDB_OK)
        return DDB_ERR;
    const char *table = w->env.personal;
    char *account = NULL;
    if (cli_ws_identity(w, &account, NULL, e) != DDB_OK)
        return DDB_ERR;
    printf("Creating table %s in %s...\n", table, w->ctx->cfg.region);
    json_t *req =
        json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}],s:[{s:s,s:s},{s:s,s:s}],s:s}",
                  "TableName", table, "AttributeDefinitions", "AttributeName", "PK",
                  "AttributeType", "S", "AttributeName", "SK", "AttributeType", "S",
                  "KeySchema", "AttributeName", "PK", "KeyType", "HASH", "AttributeName",
                  "SK", "KeyType", "RANGE", "BillingMode", "PAY_PER_REQUEST");
    cli_error ce = CLI_ERROR_INIT;
    json_t *resp = cli_ws_call(w, "CreateTable", req, &ce);
    json_decref(req);
    json_decref(resp);
    int rc = DDB_OK;
    if (resp == NULL && cli_ws_error_is(&ce, "ResourceInUseException")) {
        printf("Table %s already exists; keeping it.\n", table);
    } else if (resp == NULL) {
        rc = cli_fail(e, ce.exit_code, ce.type, "%s", ce.message ? ce.message : "");
    }
    cli_error_clear(&ce);
    if (rc == DDB_OK)
        rc = cli_ws_wait_active(w, table, NULL, e);
    if (rc == DDB_OK) { /* tag-resource ... || true */
        char *arn = ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/%s", w->ctx->cfg.region,
                                  account, table);
        json_t *tag = json_pack("{s:s,s:[{s:s,s:s}]}", "ResourceArn", arn, "Tags", "Key",
                                "Owner", "Value", w->env.attendee);
        cli_error te = CLI_ERROR_INIT;
        json_t *tr = cli_ws_call(w, "TagResource", tag, &te);
        if (tr == NULL) {
            fprintf(
                stderr,
                "ddb: warning: tagging %s failed (ignored, as the guide does): ", table);
            cli_error_print(&te, stderr);
        }
        json_decref(tr);
        json_decref(tag);
        cli_error_clear(&te);
        free(arn);
        printf("Done. TABLE=%s\n", table);
    }
    free(account);
    return rc;
}

int cli_ws_delete_table(cli_ws *w, cli_error *e)
{
    if (cli_ws_need(w->env.personal, "ATTENDEE_ID", hint_attendee, e) != DDB_OK)
        return DDB_ERR;
    const char *table = w->env.personal;
    printf("Deleting %s...\n", table);
    json_t *req = json_pack("{s:s}", "TableName", table);
    json_t *resp = cli_ws_call(w, "DeleteTable", req, e);
    json_decref(req);
    if (resp == NULL)
        return DDB_ERR;
    json_decref(resp);
    if (cli_ws_wait_gone(w, table, e) != DDB_OK)
        return DDB_ERR;
    printf("Deleted.\n");
    return DDB_OK;
}

/*---- sections 1 and 2: the personal table ----*/

int cli_ws_section1(cli_ws *w, cli_error *e)
{
    if (cli_ws_need(w->env.table, "TABLE", hint_table, e) != DDB_OK)
        return DDB_ERR;
    const char *table = w->env.table;
    json_t *items = cli_ws_section1_items();
    int rc = cli_ws_batch_put(w, table, items, e);
    json_decref(items);
    if (rc != DDB_OK)
        return DDB_ERR;
    json_t *q = cli_ws_query(w, table, NULL, "PK", "USER#u123", 0, 1, e);
    if (q == NULL)
        return DDB_ERR;
    cli_ws_print_items(w, "Query (profile + orders):", q);
    json_decref(q);
    json_t *req = json_pack("{s:s,s:i}", "TableName", table, "Limit", 5);
    json_t *resp = cli_ws_call(w, "Scan", req, e);
    json_decref(req);
    if (resp == NULL)
        return DDB_ERR;
    json_t *sample = json_object_get(resp, "Items");
    cli_ws_print_items(w, "Scan sample:", json_is_array(sample) ? sample : NULL);
    json_decref(resp);
    return DDB_OK;
}

int cli_ws_section2_seed(cli_ws *w, cli_error *e)
{
    if (cli_ws_need(w->env.table, "TABLE", hint_table, e) != DDB_OK)
        return DDB_ERR;
    json_t *items = cli_ws_section2_items();
    int rc = cli_ws_batch_put(w, w->env.table, items, e);
    json_decref(items);
    if (rc == DDB_OK)
        printf("Seeded single-table items for user u200 in %s\n", w->env.table);
    return rc;
}

/* 1 if the Table description has GSI 'name'. */
static int has_gsi(const json_t *desc, const char *name)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(desc, "GlobalSecondaryIndexes"), i, g)
    {
        const char *n = json_string_value(json_object_get(g, "IndexName"));
        if (n != NULL && strcmp(n, name) == 0)
            return 1;
    }
    return 0;
}

int cli_ws_section2_gsi(cli_ws *w, cli_error *e)
{
    if (cli_ws_need(w->env.table, "TABLE", hint_table, e) != DDB_OK)
        return DDB_ERR;
    const char *table = w->env.table;
    json_t *desc = cli_ws_describe(w, table, e);
    if (desc == NULL)
        return DDB_ERR;
    int present = has_gsi(desc, CLI_WS_PERSONAL_GSI);
    json_decref(desc);
    if (!present) {
        printf("Creating index %s on %s (on AWS this takes a few minutes)...\n",
               CLI_WS_PERSONAL_GSI, table);
        json_t *req = json_pack(
            "{s:s,s:[{s:s,s:s},{s:s,s:s}],s:[{s:{s:s,s:[{s:s,s:s},{s:s,s:s}],s:{s:s}}}]}",
            "TableName", table, "AttributeDefinitions", "AttributeName", "GSI1PK",
            "AttributeType", "S", "AttributeName", "GSI1SK", "AttributeType", "S",
            "GlobalSecondaryIndexUpdates", "Create", "IndexName", CLI_WS_PERSONAL_GSI,
            "KeySchema", "AttributeName", "GSI1PK", "KeyType", "HASH", "AttributeName",
            "GSI1SK", "KeyType", "RANGE", "Projection", "ProjectionType", "ALL");
        json_t *resp = cli_ws_call(w, "UpdateTable", req, e);
        json_decref(req);
        if (resp == NULL)
            return DDB_ERR;
        json_decref(resp);
        if (cli_ws_wait_active(w, table, CLI_WS_PERSONAL_GSI, e) != DDB_OK)
            return DDB_ERR;
    }
    json_t *items = cli_ws_section2_gsi_items();
    size_t i;
    json_t *item;
    int rc = DDB_OK;
    json_array_foreach(items, i, item)
    {
        json_t *req = json_pack("{s:s,s:O}", "TableName", table, "Item", item);
        json_t *resp = cli_ws_call(w, "PutItem", req, e);
        json_decref(req);
        if (resp == NULL) {
            rc = DDB_ERR;
            break;
        }
        json_decref(resp);
    }
    json_decref(items);
    if (rc != DDB_OK)
        return DDB_ERR;
    json_t *q =
        cli_ws_query(w, table, CLI_WS_PERSONAL_GSI, "GSI1PK", "STATUS#PENDING", 0, 1, e);
    if (q == NULL)
        return DDB_ERR;
    cli_ws_print_items(w, "PENDING orders across all users in personal table:\n", q);
    json_decref(q);
    return DDB_OK;
}

/*---- section 3 and section 4.8: write sharding ----*/

/* Write CLI_WS_EVENTS events to random shards of 'pk_prefix' in 'table'. */
static int write_events(cli_ws *w, const char *table, const char *pk_prefix, cli_error *e)
{
    json_t *items = json_array();
    for (long n = 0; n < CLI_WS_EVENTS; n++)
        json_array_append_new(items, cli_ws_event_item(pk_prefix, random_shard(), n));
    int rc = cli_ws_batch_put(w, table, items, e);
    json_decref(items);
    return rc;
}

/* An item and where it came from, for a stable sort by SK. */
typedef struct ranked {
    const char *sk;
    size_t pos;
    json_t *item;
} ranked;

static int by_sk_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int c = strcmp(y->sk, x->sk);
    if (c != 0)
        return c;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int cli_ws_section3(cli_ws *w, cli_error *e)
{
    if (cli_ws_need(w->env.table, "TABLE", hint_table, e) != DDB_OK)
        return DDB_ERR;
    const char *table = w->env.table;
    if (write_events(w, table, "USER#hotuser", e) != DDB_OK)
        return DDB_ERR;
    json_t *all = json_array();
    int rc = DDB_OK;
    for (size_t s = 0; s < CLI_WS_SHARDS && rc == DDB_OK; s++) {
        char *pk = ddb_xasprintf("USER#hotuser#%s", shards[s]);
        json_t *items = cli_ws_query(w, table, NULL, "PK", pk, 50, 0, e);
        free(pk);
        if (items == NULL)
            rc = DDB_ERR;
        else
            json_array_extend(all, items);
        json_decref(items);
    }
    if (rc == DDB_OK) {
        size_t n = json_array_size(all);
        ranked *r = n ? ddb_xcalloc(n, sizeof *r) : NULL;
        for (size_t i = 0; i < n; i++) {
            json_t *item = json_array_get(all, i);
            const char *sk =
                json_string_value(json_object_get(json_object_get(item, "SK"), "S"));
            r[i] = (ranked){sk ? sk : "", i, item};
        }
        if (n > 0)
            qsort(r, n, sizeof *r, by_sk_desc);
        json_t *first = json_array();
        for (size_t i = 0; i < n && i < 5; i++)
            json_array_append(first, r[i].item);
        char *prefix = ddb_xasprintf("Fetched %zu events across shards; first 5:", n);
        cli_ws_print_items(w, prefix, first);
        free(prefix);
        json_decref(first);
        free(r);
    }
    json_decref(all);
    return rc;
}

int cli_ws_section4_sharding(cli_ws *w, cli_error *e)
{
    const char *table = w->env.shared;
    char *prefix = ddb_xasprintf("TENANT#%s#USER#hot", w->env.tenant);
    printf("Writing %d events across %d shards...\n", CLI_WS_EVENTS, CLI_WS_SHARDS);
    int rc = write_events(w, table, prefix, e);
    if (rc == DDB_OK)
        printf("Reading from all shards...\n");
    size_t total = 0;
    for (size_t s = 0; s < CLI_WS_SHARDS && rc == DDB_OK; s++) {
        char *pk = ddb_xasprintf("%s#%s", prefix, shards[s]);
        json_t *items = cli_ws_query(w, table, NULL, "PK", pk, 50, 0, e);
        free(pk);
        if (items == NULL) {
            rc = DDB_ERR;
            break;
        }
        printf("  Shard %s: %zu items\n", shards[s], json_array_size(items));
        total += json_array_size(items);
        json_decref(items);
    }
    if (rc == DDB_OK)
        printf("Total sharded events for %s: %zu\n", w->env.tenant, total);
    free(prefix);
    return rc;
}

/*---- section 4: the shared table ----*/

int cli_ws_section4_seed(cli_ws *w, cli_error *e)
{
    const char *table = w->env.shared;
    json_t *items = cli_ws_section4_items(w->env.tenant);
    int rc = cli_ws_batch_put(w, table, items, e);
    json_decref(items);
    if (rc != DDB_OK)
        return DDB_ERR;
    printf("Seeded namespace for %s in %s\n", w->env.tenant, table);
    char *pk = ddb_xasprintf("TENANT#%s#USER#u1", w->env.tenant);
    json_t *q = cli_ws_query(w, table, NULL, "PK", pk, 0, 1, e);
    free(pk);
    if (q == NULL)
        return DDB_ERR;
    cli_ws_print_items(w, NULL, q);
    json_decref(q);
    return DDB_OK;
}

int cli_ws_section4_scoped(cli_ws *w, cli_error *e)
{
    char *value = ddb_xasprintf("TENANT#%s#STATUS#PENDING", w->env.tenant);
    json_t *q =
        cli_ws_query(w, w->env.shared, w->env.gsi_tenant, "GSI1PK", value, 0, 1, e);
    free(value);
    if (q == NULL)
        return DDB_ERR;
    char *prefix = ddb_xasprintf("Pending orders for %s ->", w->env.tenant);
    cli_ws_print_items(w, prefix, q);
    free(prefix);
    json_decref(q);
    return DDB_OK;
}

int cli_ws_section4_cross_tenant(cli_ws *w, cli_error *e)
{
    char *pk = ddb_xasprintf("TENANT#%s#USER#u1", w->env.other);
    json_t *req = json_pack("{s:s,s:{s:{s:s},s:{s:s}}}", "TableName", w->env.shared,
                            "Key", "PK", "S", pk, "SK", "S", "PROFILE#u1");
    cli_error ge = CLI_ERROR_INIT;
    json_t *resp = cli_ws_call(w, "GetItem", req, &ge);
    json_decref(req);
    int rc = DDB_OK;
    if (resp != NULL) {
        json_t *item = json_object_get(resp, "Item");
        ddb_buf b = DDB_BUF_INIT;
        if (json_is_object(item))
            cli_unmarshal_map(item, &b);
        else
            ddb_buf_puts(&b, "null");
        printf("\xF0\x9F\x9A\xA8 SECURITY ISSUE - Unexpectedly succeeded: %.*s\n",
               (int)b.len, (const char *)b.data);
        printf("This means tenant isolation is NOT working!\n");
        ddb_buf_free(&b);
        fflush(stdout);
        fprintf(
            stderr,
            "ddb: ****************************************************************\n"
            "ddb: WARNING: tenant isolation is NOT enforced for these credentials.\n"
            "ddb: Tenant %s read %s of tenant %s in %s.\n"
            "ddb: With ABAC this GetItem fails with AccessDeniedException. On ddbd,\n"
            "ddb: run 'make workshop' (--principals policies/principals.json) and use\n"
            "ddb: a tenant's keys; on AWS, remove the broad (PowerUser/Admin) policy.\n"
            "ddb: ****************************************************************\n",
            w->env.tenant, pk, w->env.other, w->env.shared);
        rc = cli_fail(e, CLI_EXIT_WORKSHOP, "TenantIsolationNotEnforced",
                      "GetItem of %s in %s succeeded", pk, w->env.shared);
        json_decref(resp);
    } else if (cli_ws_error_is(&ge, "AccessDeniedException")) {
        printf("\xE2\x9C\x85 Security working correctly!\n");
        printf("Expected AccessDenied -> %s %s\n", ge.type,
               ge.message ? ge.message : "None");
    } else {
        rc = cli_fail(e, ge.exit_code, ge.type, "%s", ge.message ? ge.message : "");
    }
    cli_error_clear(&ge);
    free(pk);
    return rc;
}

int cli_ws_section4_global(cli_ws *w, cli_error *e)
{
    printf("Global pending orders across all tenants:\n");
    json_t *q = cli_ws_query(w, w->env.shared, w->env.gsi_global, "GSI2PK",
                             "STATUS#PENDING", 0, 1, e);
    if (q == NULL) {
        if (cli_ws_error_is(e, "AccessDeniedException"))
            fprintf(stderr,
                    "ddb: section 4.7 is for admins: run it with the organizer's "
                    "credentials (a tenant is denied %s by design)\n",
                    w->env.gsi_global);
        return DDB_ERR;
    }
    cli_ws_print_items(w, NULL, q);
    json_decref(q);
    return DDB_OK;
}
