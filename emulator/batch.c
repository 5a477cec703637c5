/* SPDX-License-Identifier: MIT
**
** batch.c -- BatchWriteItem and BatchGetItem. BatchWriteItem: up to 25
** put/delete requests over one or more tables, validated as a whole (a bad
** request rejects the batch with nothing written), then applied in one store
** transaction with every item's index entries; UnprocessedItems is always
** present, as DynamoDB sends it. BatchGetItem: up to 100 keys over one or more
** tables with per-table projections; Responses lists every requested table
** and UnprocessedKeys holds what did not fit in 16 MB.
** Both authorize the caller on every table (dynamodb:LeadingKeys holds every
** partition key value sent for it) before any table's existence is
** revealed, and admit each item separately with the throughput simulator:
** what it refuses is left unprocessed, and when it refuses everything the
** call fails with the throttling error.
*/
#include "authz.h"
#include "collection.h"
#include "itemio.h"
#include "reqexpr.h"
#include "request.h"
#include "throughput.h"

#include <stdlib.h>
#include <string.h>

#define DDB_MAX_BATCH_WRITE 25

static const char *const return_capacity_all[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const return_metrics_all[] = {"SIZE", "NONE", NULL};

/* One put or delete of the batch. */
typedef struct write_op {
    ddb_table *table;     /* owned reference */
    const char *rkey;     /* its RequestItems key, as sent */
    json_t *request;      /* the WriteRequest (borrowed), for UnprocessedItems */
    json_t *item;         /* PutRequest.Item (borrowed), or NULL for a delete */
    json_t *key;          /* DeleteRequest.Key (borrowed), or NULL for a put */
    size_t size;
    ddb_buf storage_key;
    int written;          /* admitted and applied */
} write_op;

/*---- the RequestItems map as DynamoDB's messages print it ----*/

/* Java's Map.toString of {table=[WriteRequest, ...]} with Lombok toString
** for the structures and AttributeValue with every member, absent ones null
** (the LEGACY, deterministic form of query-scan-batch-facts.md §6.2). */
static void render_av(ddb_buf *b, const json_t *av);

static void render_bytes(ddb_buf *b, const json_t *v)
{
    size_t n = json_string_length(v), pad = 0;
    const char *s = json_string_value(v);
    while (pad < n && pad < 2 && s[n - 1 - pad] == '=')
        pad++;
    size_t len = n / 4 * 3 - pad;
    ddb_buf_printf(b, "java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]", len, len);
}

static void render_list(ddb_buf *b, const json_t *v, char kind)
{
    size_t i;
    json_t *e;
    ddb_buf_putc(b, '[');
    json_array_foreach(v, i, e) {
        if (i)
            ddb_buf_puts(b, ", ");
        if (kind == 'B')
            render_bytes(b, e);
        else if (kind == 'L')
            render_av(b, e);
        else
            ddb_buf_puts(b, json_string_value(e) ? json_string_value(e) : "null");
    }
    ddb_buf_putc(b, ']');
}

static void render_attrs(ddb_buf *b, const json_t *map)
{
    const char *k;
    json_t *v;
    int first = 1;
    if (!json_is_object(map)) {
        ddb_buf_puts(b, "null");
        return;
    }
    ddb_buf_putc(b, '{');
    json_object_foreach((json_t *)map, k, v) {
        ddb_buf_printf(b, "%s%s=", first ? "" : ", ", k);
        render_av(b, v);
        first = 0;
    }
    ddb_buf_putc(b, '}');
}

static void render_av(ddb_buf *b, const json_t *av)
{
    static const char *const members[] = {"s", "n", "b", "iNT", "dECIMAL", "dOUBLE", "sS",
                                          "nS", "bS", "iNTSET", "dECIMALSET", "dOUBLESET",
                                          "m", "l", "nULL", "bOOL", NULL};
    static const char *const types[] = {"S", "N", "B", NULL, NULL, NULL, "SS", "NS", "BS",
                                        NULL, NULL, NULL, "M", "L", "NULL", "BOOL"};
    ddb_buf_puts(b, "AttributeValue(");
    for (int i = 0; members[i]; i++) {
        json_t *v = types[i] ? json_object_get(av, types[i]) : NULL;
        ddb_buf_printf(b, "%s%s=", i ? ", " : "", members[i]);
        if (v == NULL || json_is_null(v))
            ddb_buf_puts(b, "null");
        else if (i == 0 || i == 1)
            ddb_buf_puts(b, json_string_value(v) ? json_string_value(v) : "null");
        else if (i == 2)
            render_bytes(b, v);
        else if (i >= 6 && i <= 8)
            render_list(b, v, i == 8 ? 'B' : 'S');
        else if (i == 12)
            render_attrs(b, v);
        else if (i == 13)
            render_list(b, v, 'L');
        else
            ddb_buf_puts(b, json_is_true(v) ? "true" : "false");
    }
    ddb_buf_putc(b, ')');
}

static char *render_request_items(const json_t *ri)
{
    ddb_buf b = DDB_BUF_INIT;
    const char *name;
    json_t *list;
    int first = 1;
    ddb_buf_putc(&b, '{');
    json_object_foreach((json_t *)ri, name, list) {
        ddb_buf_printf(&b, "%s%s=[", first ? "" : ", ", name);
        first = 0;
        size_t i;
        json_t *wr;
        json_array_foreach(list, i, wr) {
            json_t *put = json_object_get(wr, "PutRequest");
            json_t *del = json_object_get(wr, "DeleteRequest");
            ddb_buf_printf(&b, "%sWriteRequest(putRequest=", i ? ", " : "");
            if (put != NULL) {
                ddb_buf_puts(&b, "PutRequest(item=");
                render_attrs(&b, json_object_get(put, "Item"));
                ddb_buf_puts(&b, ", workloadProfileName=null)");
            } else {
                ddb_buf_puts(&b, "null");
            }
            ddb_buf_puts(&b, ", deleteRequest=");
            if (del != NULL) {
                ddb_buf_puts(&b, "DeleteRequest(key=");
                render_attrs(&b, json_object_get(del, "Key"));
                ddb_buf_puts(&b, ", workloadProfileName=null)");
            } else {
                ddb_buf_puts(&b, "null");
            }
            ddb_buf_putc(&b, ')');
        }
        ddb_buf_putc(&b, ']');
    }
    ddb_buf_putc(&b, '}');
    return ddb_buf_steal(&b, NULL);
}

/* The table a RequestItems key names: a table name, or a table ARN in the
** caller's account and region (echoed as sent in replies). New reference or NULL. */
static ddb_table *batch_table(ddb_req *req, const char *key)
{
    char *prefix = ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/", req->region, req->account);
    size_t plen = strlen(prefix);
    const char *name = key;
    if (strncmp(key, "arn:", 4) == 0)
        name = strncmp(key, prefix, plen) == 0 && strchr(key + plen, '/') == NULL ? key + plen
                                                                                : NULL;
    free(prefix);
    ddb_table *t = name ? ddb_catalog_get(req->srv->catalog, req->region, name) : NULL;
    if (t != NULL && (ddb_table_status_at(t, ddb_now()) == DDB_TS_CREATING ||
                      ddb_table_status_at(t, ddb_now()) == DDB_TS_DELETING)) {
        ddb_table_unref(t);
        t = NULL;
    }
    return t;
}

static void check_constraints(json_t *in, ddb_checks *c)
{
    ddb_chk_enum(c, json_object_get(in, "ReturnConsumedCapacity"), "returnConsumedCapacity",
                 return_capacity_all, "[INDEXES, TOTAL, NONE]");
    ddb_chk_enum(c, json_object_get(in, "ReturnItemCollectionMetrics"),
                 "returnItemCollectionMetrics", return_metrics_all, "[SIZE, NONE]");
    json_t *ri = json_object_get(in, "RequestItems");
    ddb_chk_required(c, ri, "requestItems");
    if (ri == NULL)
        return;
    char *rendered = NULL;
    if (json_object_size(ri) < 1)
        return; /* reported after the constraint phase */
    const char *name;
    json_t *list;
    int bad_key = 0, bad_value = 0;
    json_object_foreach(ri, name, list) {
        size_t len = strlen(name);
        if (strncmp(name, "arn:", 4) == 0 ? len > 1024
                                           : !ddb_name_chars_ok(name, len) || len < 3 || len > 255)
            bad_key = 1;
        if (json_array_size(list) < 1 || json_array_size(list) > DDB_MAX_BATCH_WRITE)
            bad_value = 1;
    }
    if (bad_key || bad_value)
        rendered = render_request_items(ri);
    if (bad_key)
        ddb_chk_add(c, rendered, "requestItems",
                    "Map keys must satisfy constraint: [Member must have length less than or "
                    "equal to 255, Member must have length greater than or equal to 3, Member "
                    "must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]");
    if (bad_value)
        ddb_chk_add(c, rendered, "requestItems",
                    "Map value must satisfy constraint: [Member must have length less than or "
                    "equal to 25, Member must have length greater than or equal to 1]");
    free(rendered);
    json_object_foreach(ri, name, list) {
        size_t i;
        json_t *wr;
        json_array_foreach(list, i, wr) {
            json_t *del = json_object_get(wr, "DeleteRequest");
            json_t *put = json_object_get(wr, "PutRequest");
            if (del != NULL && json_object_get(del, "Key") == NULL) {
                char *p = ddb_xasprintf("requestItems.%s.member.%zu.member.deleteRequest.key", name,
                                        i + 1);
                ddb_chk_add(c, NULL, p, "Member must not be null");
                free(p);
            }
            if (put != NULL && json_object_get(put, "Item") == NULL) {
                char *p = ddb_xasprintf("requestItems.%s.member.%zu.member.putRequest.item", name,
                                        i + 1);
                ddb_chk_add(c, NULL, p, "Member must not be null");
                free(p);
            }
        }
    }
}

/* Checks of the requests that need no table: AttributeValues and item sizes. */
static int check_requests(json_t *ri, size_t *out_total, ddb_error *err)
{
    const char *name;
    json_t *list;
    size_t total = 0, i;
    json_t *wr;
    /* a WriteRequest is a union: exactly one of PutRequest and DeleteRequest,
    ** checked over every request before any value (§6.1 rows 3, 3') */
    json_object_foreach(ri, name, list) {
        json_array_foreach(list, i, wr) {
            if ((json_object_get(wr, "PutRequest") == NULL) ==
                (json_object_get(wr, "DeleteRequest") == NULL))
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "Supplied AttributeValue has more than one datatypes set, must "
                                   "contain exactly one of the supported datatypes");
        }
    }
    json_object_foreach(ri, name, list) {
        json_array_foreach(list, i, wr) {
            json_t *put = json_object_get(wr, "PutRequest");
            json_t *del = json_object_get(wr, "DeleteRequest");
            if (put != NULL) {
                json_t *item = json_object_get(put, "Item");
                if (ddb_attrs_check_layer(item, DDB_AV_LEGACY, err) != DDB_OK)
                    return DDB_ERR;
                if (ddb_item_size(item) > DDB_MAX_ITEM_SIZE)
                    return ddb_err_set(err, DDB_E_VALIDATION,
                                       "Item size has exceeded the maximum allowed size");
            } else if (ddb_attrs_check_layer(json_object_get(del, "Key"), DDB_AV_LEGACY, err) !=
                       DDB_OK) {
                return DDB_ERR;
            }
            total++;
        }
    }
    if (total > DDB_MAX_BATCH_WRITE)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Too many items requested for the BatchWriteItem call");
    *out_total = total;
    return DDB_OK;
}

static void free_ops(write_op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ddb_table_unref(ops[i].table);
        ddb_buf_free(&ops[i].storage_key);
    }
    free(ops);
}

/* The put item's key attributes as the key check sees them. */
static int check_put_key(const ddb_table *t, const json_t *item, ddb_error *err)
{
    json_t *key = json_object();
    json_t *h = json_object_get(item, t->hash.name);
    if (h)
        json_object_set(key, t->hash.name, h);
    if (t->range.name) {
        json_t *r = json_object_get(item, t->range.name);
        if (r)
            json_object_set(key, t->range.name, r);
    }
    int rc = ddb_check_key(t, key, err);
    json_decref(key);
    if (rc == DDB_OK)
        rc = ddb_check_item_keys(t, item, err); /* index key types */
    return rc;
}

/* The table name of a RequestItems key (the name part of a table ARN). */
static const char *key_table_name(const char *key)
{
    const char *slash = strncmp(key, "arn:", 4) == 0 ? strstr(key, ":table/") : NULL;
    return slash ? slash + 7 : key;
}

/* Authorize the operation on every table of RequestItems with the keys each
** one carries (filled by 'add_keys'), then look the tables up: nothing about
** a table's existence is revealed to a caller denied on it. 'tables'
** receives a reference per table, in RequestItems order. */
/* The condition keys of RequestItems entry 'i' ('value', on table 't' or
** NULL when it does not exist); 'extra' is the caller's. */
typedef json_t *(*ctx_maker)(const ddb_table *t, json_t *value, json_t *in, const void *extra,
                             size_t i);

static int authorize_tables(ddb_req *req, json_t *ri, ctx_maker make_ctx, const void *extra,
                            ddb_table **tables, ddb_error *err)
{
    const char *name;
    json_t *v;
    size_t i = 0;
    json_object_foreach(ri, name, v) {
        tables[i] = batch_table(req, name);
        if (!ddb_authz_enforcing(req)) { /* open mode: nothing to decide */
            i++;
            continue;
        }
        json_t *ctx = make_ctx(tables[i], v, req->in, extra, i);
        int rc = ddb_authz_table(req, tables[i], key_table_name(name), NULL, ctx, err);
        json_decref(ctx);
        i++;
        if (rc != DDB_OK)
            return DDB_ERR;
    }
    for (size_t j = 0; j < i; j++)
        if (tables[j] == NULL)
            return ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
    return DDB_OK;
}

/* The condition keys of a table's write requests. */
static json_t *write_ctx(const ddb_table *t, json_t *list, json_t *in, const void *extra,
                         size_t index)
{
    (void)extra;
    (void)index;
    json_t *ctx = ddb_authz_ctx_new();
    size_t i;
    json_t *wr;
    json_array_foreach(list, i, wr) {
        json_t *put = json_object_get(wr, "PutRequest");
        json_t *map = put ? json_object_get(put, "Item")
                          : json_object_get(json_object_get(wr, "DeleteRequest"), "Key");
        ddb_authz_add_attribute_names(ctx, map);
        const json_t *pk = t ? json_object_get(map, t->hash.name) : NULL;
        if (pk != NULL)
            ddb_authz_add_leading_key(ctx, pk);
    }
    const char *rcc = json_string_value(json_object_get(in, "ReturnConsumedCapacity"));
    ddb_authz_set(ctx, "dynamodb:ReturnConsumedCapacity", rcc ? rcc : "NONE");
    return ctx;
}

/* Add a refused request to UnprocessedItems (request shape). */
static void add_unprocessed(json_t *unprocessed, const write_op *op)
{
    json_t *list = json_object_get(unprocessed, op->rkey);
    if (list == NULL) {
        list = json_array();
        json_object_set_new(unprocessed, op->rkey, list);
    }
    json_array_append(list, op->request);
}

/* Admit and apply one put or delete inside the write transaction: DDB_OK
** written, 1 refused by the simulator ('v' says why), DDB_ERR failed. */
static int write_one(ddb_req *req, ddb_conn *conn, write_op *op, ddb_capacity_tally *tally,
                     ddb_throttle_verdict *v, ddb_error *err)
{
    /* the table's current definition: an index may have been added meanwhile */
    ddb_table *cur = ddb_catalog_get(req->srv->catalog, req->region, op->table->name);
    ddb_old_item old;
    memset(&old, 0, sizeof old);
    ddb_write_cost cost;
    memset(&cost, 0, sizeof cost);
    int rc = DDB_OK;
    if (cur == NULL || cur->id != op->table->id)
        rc = ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
    else if (cur != op->table && op->item != NULL)
        rc = ddb_check_item_keys(cur, op->item, err);
    if (rc == DDB_OK)
        rc = ddb_item_load(conn, &op->storage_key, &old, err);
    if (rc == DDB_OK) {
        ddb_write_cost_compute(cur, op->item ? op->item : op->key, old.found ? old.item : NULL,
                               old.found ? (uint64_t)old.size : 0, op->item,
                               op->item ? op->size : 0, &cost);
        rc = ddb_tput_admit(req->srv->tput, cur, cost.charges, cost.n_charges, v, err);
    }
    if (rc == DDB_OK && !v->admitted) {
        rc = 1;
    } else if (rc == DDB_OK) {
        ddb_capacity_tally_add(tally, cur->name, NULL, 0, DDB_THROTTLE_WRITE, cost.table_units);
        for (size_t i = 0; i < cost.n_ix; i++)
            ddb_capacity_tally_add(tally, cur->name, cost.ix[i].name, cost.ix[i].local,
                                   DDB_THROTTLE_WRITE, cost.ix[i].write);
        rc = ddb_item_store(conn, cur, &op->storage_key, &old, op->item, op->size, err);
        op->written = rc == DDB_OK;
    }
    ddb_write_cost_free(&cost);
    ddb_old_item_free(&old);
    ddb_table_unref(cur);
    return rc;
}

/* ItemCollectionMetrics of the written item collections of tables with an
** LSI, one per (table, partition key value): {"<table as sent>": [...]}.
** Measured inside the write transaction. New reference (NULL: none), or
** DDB_ERR through 'rc'. */
static json_t *collection_metrics(ddb_req *req, ddb_conn *conn, write_op *ops, size_t n,
                                  int *rc, ddb_error *err)
{
    json_t *out = NULL;
    for (size_t i = 0; i < n && *rc == DDB_OK; i++) {
        write_op *op = &ops[i];
        if (!op->written || !ddb_collection_wanted(req->in, op->table))
            continue;
        const char *h = op->table->hash.name;
        const json_t *pk = json_object_get(op->item ? op->item : op->key, h);
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = ops[j].written && ops[j].table->id == op->table->id &&
                   json_equal(json_object_get(ops[j].item ? ops[j].item : ops[j].key, h), pk);
        if (seen)
            continue;
        json_t *m = ddb_collection_metrics(conn, op->table, pk, err);
        if (m == NULL) {
            *rc = DDB_ERR;
            break;
        }
        if (out == NULL)
            out = json_object();
        json_t *list = json_object_get(out, op->rkey);
        if (list == NULL)
            json_object_set_new(out, op->rkey, list = json_array());
        json_array_append_new(list, m);
    }
    return out;
}

/* Note the request on every table it touched (throttled: nothing got in). */
static void note_tables(ddb_req *req, ddb_table **tables, size_t n, int throttled)
{
    for (size_t i = 0; i < n; i++)
        if (tables[i] != NULL)
            ddb_tput_note(req->srv->tput, tables[i], req->op->name, throttled);
}

int ddb_op_batch_write_item(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    ddb_checks c = DDB_CHECKS_INIT;
    check_constraints(in, &c);
    if (ddb_chk_finish(&c, err) != DDB_OK)
        return DDB_ERR;
    json_t *ri = json_object_get(in, "RequestItems");
    if (json_object_size(ri) == 0)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "The requestItems parameter is required for BatchWriteItem");
    size_t total = 0;
    if (check_requests(ri, &total, err) != DDB_OK)
        return DDB_ERR;

    write_op *ops = ddb_xcalloc(total ? total : 1, sizeof *ops);
    size_t n = 0, nt = json_object_size(ri);
    ddb_table **tables = ddb_xcalloc(nt, sizeof *tables);
    ddb_capacity_tally *tally = ddb_capacity_tally_new();
    json_t *unprocessed = json_object();
    int rc = DDB_ERR;
    const char *name;
    json_t *list;
    /* every table is authorized and must exist before any key is looked at */
    if (authorize_tables(req, ri, write_ctx, NULL, tables, err) != DDB_OK)
        goto out;
    size_t ti = 0;
    json_object_foreach(ri, name, list) {
        ddb_table *t = tables[ti++];
        ddb_capacity_tally_add(tally, t->name, NULL, 0, DDB_THROTTLE_WRITE, 0);
        size_t i;
        json_t *wr;
        json_array_foreach(list, i, wr) {
            write_op *op = &ops[n++];
            ddb_table_ref(t);
            op->table = t;
            op->rkey = name;
            op->request = wr;
            json_t *put = json_object_get(wr, "PutRequest");
            if (put != NULL) {
                op->item = json_object_get(put, "Item");
                op->size = ddb_item_size(op->item);
            } else {
                op->key = json_object_get(json_object_get(wr, "DeleteRequest"), "Key");
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        write_op *op = &ops[i];
        if (op->item ? check_put_key(op->table, op->item, err) != DDB_OK
                     : ddb_check_key(op->table, op->key, err) != DDB_OK)
            goto out;
        if (ddb_key_item(op->table, op->item ? op->item : op->key, &op->storage_key, err) != DDB_OK)
            goto out;
        for (size_t j = 0; j < i; j++) {
            if (ops[j].table->id == op->table->id &&
                ops[j].storage_key.len == op->storage_key.len &&
                memcmp(ops[j].storage_key.data, op->storage_key.data, op->storage_key.len) == 0) {
                ddb_err_set(err, DDB_E_VALIDATION, "Provided list of item keys contains duplicates");
                goto out;
            }
        }
    }

    ddb_conn *conn = ddb_store_conn(req->srv->store, err);
    if (conn == NULL || ddb_store_write_begin(conn, err) != DDB_OK)
        goto out;
    rc = DDB_OK;
    size_t refused = 0;
    ddb_throttle_verdict last;
    memset(&last, 0, sizeof last);
    for (size_t i = 0; i < n && rc == DDB_OK; i++) {
        ddb_throttle_verdict v;
        int w = write_one(req, conn, &ops[i], tally, &v, err);
        if (w == 1) { /* refused: left for the caller to retry */
            add_unprocessed(unprocessed, &ops[i]);
            last = v;
            refused++;
        } else {
            rc = w;
        }
    }
    if (rc == DDB_OK && refused == n) /* nothing got in: the throttling error */
        rc = ddb_throttle_verdict_error(&last, err);
    json_t *collections = rc == DDB_OK ? collection_metrics(req, conn, ops, n, &rc, err) : NULL;
    if (ddb_store_write_end(conn, rc == DDB_OK, err) != DDB_OK)
        rc = DDB_ERR;
    note_tables(req, tables, nt, rc != DDB_OK && ddb_tput_throttled(err));
    if (rc == DDB_OK) {
        req->out = json_object();
        json_object_set(req->out, "UnprocessedItems", unprocessed);
        json_t *cc = ddb_capacity_tally_json(
            tally,
            ddb_capacity_return_parse(
                json_string_value(json_object_get(in, "ReturnConsumedCapacity"))),
            0);
        if (cc != NULL)
            json_object_set_new(req->out, "ConsumedCapacity", cc);
        if (collections != NULL)
            json_object_set(req->out, "ItemCollectionMetrics", collections);
    }
    json_decref(collections);
out:
    free_ops(ops, n);
    for (size_t i = 0; i < nt; i++)
        ddb_table_unref(tables[i]);
    free(tables);
    ddb_capacity_tally_free(tally);
    json_decref(unprocessed);
    return rc;
}

/*---- BatchGetItem ----*/

#define DDB_MAX_BATCH_GET 100
#define DDB_MAX_BATCH_GET_BYTES (16u * 1024u * 1024u)

/* One table of a BatchGetItem. */
typedef struct get_table {
    const char *name;       /* as sent (a name or an ARN) */
    json_t *spec;           /* the KeysAndAttributes object (borrowed) */
    ddb_table *table;
    ddb_req_exprs x;
} get_table;

static void check_get_constraints(json_t *in, ddb_checks *c)
{
    json_t *ri = json_object_get(in, "RequestItems");
    const char *name;
    json_t *spec;
    json_object_foreach(ri, name, spec) {
        json_t *keys = json_object_get(spec, "Keys");
        char *p = ddb_xasprintf("requestItems.%s.member.keys", name);
        ddb_chk_required(c, keys, p);
        free(p);
        /* the list length in the 2026 form: no value, upper-camel path */
        size_t nk = json_array_size(keys);
        if (keys != NULL && (nk < 1 || nk > DDB_MAX_BATCH_GET)) {
            p = ddb_xasprintf("Value at 'RequestItems.%s.member.Keys' failed to satisfy "
                              "constraint: Member must have length %s",
                              name, nk < 1 ? "greater than or equal to 1"
                                           : "less than or equal to 100");
            ddb_chk_add_raw(c, p);
            free(p);
        }
        json_t *atg = json_object_get(spec, "AttributesToGet");
        p = ddb_xasprintf("requestItems.%s.member.attributesToGet", name);
        ddb_chk_min_len(c, atg, p, 1);
        ddb_chk_max_len(c, atg, p, 255);
        free(p);
    }
    ddb_chk_enum(c, json_object_get(in, "ReturnConsumedCapacity"), "returnConsumedCapacity",
                 return_capacity_all, "[INDEXES, TOTAL, NONE]");
}

/* The per-table checks that need no table, in DynamoDB's order. */
static int check_get_table(get_table *g, size_t *total, ddb_error *err)
{
    json_t *spec = g->spec;
    if (ddb_req_exprs_check_mix(spec, DDB_XOP_GET, err) != DDB_OK)
        return DDB_ERR;
    size_t i, j;
    json_t *k, *a, *b;
    json_t *keys = json_object_get(spec, "Keys");
    json_array_foreach(keys, i, k) {
        if (ddb_attrs_check(k, err) != DDB_OK)
            return DDB_ERR;
    }
    json_t *atg = json_object_get(spec, "AttributesToGet");
    json_array_foreach(atg, i, a) {
        json_array_foreach(atg, j, b) {
            if (j < i && json_equal(a, b))
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Duplicate value "
                                   "in attribute name: %s",
                                   json_string_value(a));
        }
    }
    if (ddb_req_exprs_parse(spec, DDB_XOP_GET, 0, &g->x, err) != DDB_OK)
        return DDB_ERR;
    json_array_foreach(keys, i, a) {
        json_array_foreach(keys, j, b) {
            if (j < i && json_equal(a, b)) /* key member order does not matter */
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "Provided list of item keys contains duplicates");
        }
    }
    *total += json_array_size(keys);
    return DDB_OK;
}

/* The condition keys of a table's keys and projection ('extra': the get_table array). */
static json_t *get_ctx(const ddb_table *t, json_t *spec, json_t *in, const void *extra,
                       size_t index)
{
    json_t *ctx = ddb_authz_ctx_new();
    ddb_authz_add_expr_names(ctx, &((const get_table *)extra)[index].x);
    size_t i;
    json_t *key;
    json_array_foreach(json_object_get(spec, "Keys"), i, key) {
        ddb_authz_add_attribute_names(ctx, key);
        const json_t *pk = t ? json_object_get(key, t->hash.name) : NULL;
        if (pk != NULL)
            ddb_authz_add_leading_key(ctx, pk);
    }
    int specific = json_object_get(spec, "ProjectionExpression") != NULL ||
                   json_object_get(spec, "AttributesToGet") != NULL;
    ddb_authz_set(ctx, "dynamodb:Select", specific ? "SPECIFIC_ATTRIBUTES" : "ALL_ATTRIBUTES");
    const char *rcc = json_string_value(json_object_get(in, "ReturnConsumedCapacity"));
    ddb_authz_set(ctx, "dynamodb:ReturnConsumedCapacity", rcc ? rcc : "NONE");
    return ctx;
}

int ddb_op_batch_get_item(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    json_t *ri = json_object_get(in, "RequestItems");
    if (ri == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "1 validation error detected: Value null at 'requestItems' failed to "
                           "satisfy constraint: Member must not be null");
    if (json_object_size(ri) == 0)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "The requestItems parameter is required for BatchGetItem");
    ddb_checks c = DDB_CHECKS_INIT;
    check_get_constraints(in, &c);
    if (ddb_chk_finish(&c, err) != DDB_OK)
        return DDB_ERR;

    size_t n = json_object_size(ri), ng = 0, total = 0;
    get_table *gs = ddb_xcalloc(n, sizeof *gs);
    ddb_table **tables = NULL;
    int rc = DDB_ERR;
    const char *name;
    json_t *spec;
    json_object_foreach(ri, name, spec) {
        get_table *g = &gs[ng++];
        g->name = name;
        g->spec = spec;
        if (check_get_table(g, &total, err) != DDB_OK)
            goto out;
    }
    if (total > DDB_MAX_BATCH_GET) {
        ddb_err_set(err, DDB_E_VALIDATION, "Too many items requested for the BatchGetItem call");
        goto out;
    }
    /* every table is authorized and exists before any key is checked */
    tables = ddb_xcalloc(ng, sizeof *tables);
    if (authorize_tables(req, ri, get_ctx, gs, tables, err) != DDB_OK)
        goto out;
    for (size_t i = 0; i < ng; i++) {
        gs[i].table = tables[i];
        tables[i] = NULL;
    }
    for (size_t i = 0; i < ng; i++) {
        size_t k;
        json_t *key;
        json_array_foreach(json_object_get(gs[i].spec, "Keys"), k, key) {
            if (ddb_check_key(gs[i].table, key, err) != DDB_OK)
                goto out;
        }
    }

    /* read; past 16 MB of response the remaining keys are unprocessed */
    ddb_conn *conn = ddb_store_conn(req->srv->store, err);
    if (conn == NULL)
        goto out;
    json_t *responses = json_object(), *unprocessed = json_object();
    ddb_capacity_tally *tally = ddb_capacity_tally_new();
    size_t bytes = 0, refused = 0;
    ddb_throttle_verdict last;
    memset(&last, 0, sizeof last);
    rc = DDB_OK;
    for (size_t i = 0; i < ng && rc == DDB_OK; i++) {
        get_table *g = &gs[i];
        json_t *items = json_array();
        json_t *left = json_array();
        ddb_read_mode mode = json_is_true(json_object_get(g->spec, "ConsistentRead"))
                                 ? DDB_READ_STRONG
                                 : DDB_READ_EVENTUAL;
        ddb_capacity_tally_add(tally, g->table->name, NULL, 0, DDB_THROTTLE_READ, 0);
        size_t k;
        json_t *key;
        json_array_foreach(json_object_get(g->spec, "Keys"), k, key) {
            if (bytes >= DDB_MAX_BATCH_GET_BYTES) {
                json_array_append(left, key);
                continue;
            }
            ddb_buf skey = DDB_BUF_INIT, text = DDB_BUF_INIT;
            int64_t size = 0;
            int found = ddb_key_item(g->table, key, &skey, err) == DDB_OK
                            ? ddb_store_get(conn, &skey, &text, &size, err)
                            : DDB_ERR;
            if (found >= 0) { /* each key admitted alone; a refused one is left over */
                ddb_cu units = ddb_capacity_read_units(found ? (uint64_t)size : 0, mode);
                char *label = NULL;
                ddb_throttle_charge ch = ddb_read_charge(g->table, NULL, key, units, &label);
                ddb_throttle_verdict v;
                if (ddb_tput_admit(req->srv->tput, g->table, &ch, 1, &v, err) != DDB_OK) {
                    found = DDB_ERR;
                } else if (!v.admitted) {
                    json_array_append(left, key);
                    last = v;
                    refused++;
                    found = 0;
                } else {
                    ddb_capacity_tally_add(tally, g->table->name, NULL, 0, DDB_THROTTLE_READ,
                                           units);
                }
                free(label);
            }
            if (found < 0) {
                rc = DDB_ERR;
            } else if (found > 0) {
                json_error_t jerr;
                json_t *item = json_loadb((const char *)text.data, text.len, JSON_ALLOW_NUL, &jerr);
                if (item == NULL) {
                    rc = ddb_err_set(err, DDB_E_INTERNAL, "unreadable stored item");
                } else {
                    bytes += text.len;
                    json_array_append_new(items, g->x.projection
                                                     ? ddb_expr_project(g->x.projection, item)
                                                     : json_incref(item));
                    json_decref(item);
                }
            }
            ddb_buf_free(&skey);
            ddb_buf_free(&text);
            if (rc != DDB_OK)
                break;
        }
        json_object_set_new(responses, g->name, items);
        if (json_array_size(left) > 0) {
            json_t *u = json_deep_copy(g->spec);
            json_object_set_new(u, "Keys", left);
            json_object_set_new(unprocessed, g->name, u);
        } else {
            json_decref(left);
        }
    }
    if (rc == DDB_OK && refused > 0 && refused == total) /* nothing read: the throttling error */
        rc = ddb_throttle_verdict_error(&last, err);
    for (size_t i = 0; i < ng; i++)
        ddb_tput_note(req->srv->tput, gs[i].table, "BatchGetItem",
                      rc != DDB_OK && ddb_tput_throttled(err));
    if (rc == DDB_OK) {
        req->out = json_object();
        json_t *cc = ddb_capacity_tally_json(
            tally,
            ddb_capacity_return_parse(
                json_string_value(json_object_get(in, "ReturnConsumedCapacity"))),
            0);
        if (cc != NULL)
            json_object_set_new(req->out, "ConsumedCapacity", cc);
        json_object_set_new(req->out, "Responses", responses);
        json_object_set_new(req->out, "UnprocessedKeys", unprocessed);
    } else {
        json_decref(responses);
        json_decref(unprocessed);
    }
    ddb_capacity_tally_free(tally);
out:
    for (size_t i = 0; i < ng; i++) {
        ddb_req_exprs_free(&gs[i].x);
        ddb_table_unref(gs[i].table);
        if (tables != NULL)
            ddb_table_unref(tables[i]);
    }
    free(tables);
    free(gs);
    return rc;
}
