/* SPDX-License-Identifier: MIT
**
** items.c -- PutItem, GetItem, UpdateItem and DeleteItem: request validation
** in DynamoDB's order (constraints, expression parameters, attribute values,
** table lookup, key checks), then one read-modify-write under the store's
** write lock: the condition is evaluated on the current item, the new item is
** computed (put image, update applied, or deletion) and written with its index
** entries in the same transaction. No SQL here.
*/
#include "authz.h"
#include "collection.h"
#include "itemio.h"
#include "reqexpr.h"
#include "request.h"
#include "throughput.h"

#include <stdlib.h>
#include <string.h>

static const char *const return_values_all[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                                "UPDATED_NEW", NULL};
static const char *const return_capacity_all[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const return_metrics_all[] = {"SIZE", "NONE", NULL};
static const char *const on_failure_all[] = {"ALL_OLD", "NONE", NULL};
static const char *const conditional_ops[] = {"AND", "OR", NULL};

#define RV_PATHLESS                                                                       \
    "Failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, "        \
    "UPDATED_OLD, ALL_NEW, UPDATE_NEW, NONE]"

static int in_set(const char *const *set, const char *v)
{
    for (int i = 0; v && set[i]; i++)
        if (strcmp(set[i], v) == 0)
            return 1;
    return 0;
}

/* The enum members of the item write operations, in DynamoDB's 2026 order
** and forms: ReturnConsumedCapacity, ReturnValues (pathless),
** ReturnItemCollectionMetrics (bespoke text), then the others. */
static void check_write_enums(json_t *in, ddb_checks *c)
{
    ddb_chk_enum(c, json_object_get(in, "ReturnConsumedCapacity"), "returnConsumedCapacity",
                 return_capacity_all, "[INDEXES, TOTAL, NONE]");
    json_t *rv = json_object_get(in, "ReturnValues");
    if (rv != NULL && !in_set(return_values_all, json_string_value(rv)))
        ddb_chk_add_raw(c, RV_PATHLESS);
    json_t *rm = json_object_get(in, "ReturnItemCollectionMetrics");
    if (rm != NULL && !in_set(return_metrics_all, json_string_value(rm)))
        ddb_chk_add_raw(c, "ReturnItemCollectionMetrics can only be SIZE or NONE");
    ddb_chk_enum(c, json_object_get(in, "ReturnValuesOnConditionCheckFailure"),
                 "returnValuesOnConditionCheckFailure", on_failure_all, "[ALL_OLD, NONE]");
    ddb_chk_enum(c, json_object_get(in, "ConditionalOperator"), "conditionalOperator",
                 conditional_ops, "[OR, AND]");
}

/* ReturnValues of PutItem and DeleteItem: NONE or ALL_OLD only. */
static int check_put_return_values(json_t *in, ddb_error *err)
{
    const char *rv = json_string_value(json_object_get(in, "ReturnValues"));
    if (rv != NULL && strcmp(rv, "NONE") != 0 && strcmp(rv, "ALL_OLD") != 0)
        return ddb_err_bespoke(err, 1, "ReturnValues can only be ALL_OLD or NONE");
    return DDB_OK;
}

/* ReturnValuesOnConditionCheckFailure: ALL_OLD */
static int wants_old_on_failure(json_t *in)
{
    const char *v = json_string_value(json_object_get(in, "ReturnValuesOnConditionCheckFailure"));
    return v != NULL && strcmp(v, "ALL_OLD") == 0;
}

static int is_rv(json_t *in, const char *value)
{
    const char *rv = json_string_value(json_object_get(in, "ReturnValues"));
    return rv != NULL && strcmp(rv, value) == 0;
}

/* Parse the request's expressions; texts of the item write operations carry
** DynamoDB's 2026 prefix. */
static int parse_exprs(ddb_req *req, ddb_exprop op, ddb_req_exprs *x, ddb_error *err)
{
    if (ddb_req_exprs_parse(req->in, op, 0, x, err) != DDB_OK) {
        if (op != DDB_XOP_GET)
            ddb_err_wrap_bespoke(err);
        return DDB_ERR;
    }
    return DDB_OK;
}

/* The condition keys of an item operation (iam-and-sigv4.md §3.2, §3.6);
** built only when IAM is enforced (open mode has no policy to read them). */
static json_t *item_ctx(json_t *in, const json_t *names, const ddb_req_exprs *x, int write)
{
    json_t *ctx = ddb_authz_ctx_new();
    ddb_authz_add_attribute_names(ctx, names);
    ddb_authz_add_expr_names(ctx, x);
    const char *rcc = json_string_value(json_object_get(in, "ReturnConsumedCapacity"));
    ddb_authz_set(ctx, "dynamodb:ReturnConsumedCapacity", rcc ? rcc : "NONE");
    if (write) {
        const char *rv = json_string_value(json_object_get(in, "ReturnValues"));
        ddb_authz_set(ctx, "dynamodb:ReturnValues", rv ? rv : "NONE");
    } else {
        ddb_authz_set(ctx, "dynamodb:Select",
                      x->projection ? "SPECIFIC_ATTRIBUTES" : "ALL_ATTRIBUTES");
    }
    return ctx;
}

/*---- the read-modify-write ----*/

typedef enum { W_PUT, W_DELETE, W_UPDATE } write_kind;

typedef struct write_plan {
    write_kind kind;
    const ddb_table *t;       /* from the lookup before the lock */
    const json_t *key;        /* the key map (Update/Delete) or the item (Put) */
    json_t *put_item;         /* PutItem's new item (borrowed) */
    size_t put_size;
    const ddb_req_exprs *x;   /* condition, update */
    int on_failure_all_old;   /* ReturnValuesOnConditionCheckFailure: ALL_OLD */
    /* results */
    ddb_old_item old;
    json_t *new_item;         /* owned; NULL when deleted or nothing was created */
    ddb_write_cost cost;      /* what the write consumed */
    int charged;              /* 'cost' holds an admitted charge */
    json_t *collection;       /* ItemCollectionMetrics when asked for (owned) */
} write_plan;

/* ConditionalCheckFailedException, with the old item when asked for. */
static int condition_failed(const write_plan *p, ddb_error *err)
{
    ddb_err_set(err, DDB_E_CONDITIONAL_CHECK, "The conditional request failed");
    if (p->on_failure_all_old && p->old.found && err != NULL && err->extra == NULL) {
        err->extra = json_object();
        json_object_set(err->extra, "Item", p->old.item);
    }
    return DDB_ERR;
}

/* Index keys of an updated item: the type the index declares, never empty. */
static int check_updated_index_keys(const ddb_table *t, const json_t *item, ddb_error *err)
{
    for (size_t i = 0; i < t->n_indexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        const ddb_keyattr *kas[2] = {&ix->hash, &ix->range};
        for (int k = 0; k < 2; k++) {
            if (kas[k]->name == NULL)
                continue;
            const json_t *av = json_object_get(item, kas[k]->name);
            if (av == NULL)
                continue;
            ddb_type at = ddb_attr_type(av);
            if (at != kas[k]->type)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "The update expression attempted to update the secondary "
                                   "index key to unsupported type");
            if ((at == DDB_T_S || at == DDB_T_B) && json_string_length(ddb_attr_payload(av)) == 0)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values are not valid. The update "
                                   "expression attempted to update a secondary index key to a "
                                   "value that is not supported. The AttributeValue for a key "
                                   "attribute cannot contain an empty %s value.",
                                   at == DDB_T_S ? "string" : "binary");
        }
    }
    return DDB_OK;
}

/* UpdateItem's new image from the old one (NULL when absent). */
static int compute_update(write_plan *p, const ddb_table *t, ddb_error *err)
{
    const json_t *old = p->old.found ? p->old.item : NULL;
    ddb_expr *update = p->x->update;
    json_t *item = update ? ddb_expr_apply_update(update, old, err)
                          : (old ? json_deep_copy(old) : json_object());
    if (item == NULL)
        return DDB_ERR;
    /* an update of an absent item that only removes creates nothing */
    if (old == NULL && update != NULL && !p->x->update_is_empty && json_object_size(item) == 0) {
        json_decref(item);
        p->new_item = NULL;
        return DDB_OK;
    }
    const char *keys[2] = {t->hash.name, t->range.name};
    for (int k = 0; k < 2; k++)
        if (keys[k] != NULL)
            json_object_set(item, keys[k], json_object_get(p->key, keys[k]));
    if (check_updated_index_keys(t, item, err) != DDB_OK) {
        json_decref(item);
        return DDB_ERR;
    }
    p->new_item = item;
    return DDB_OK;
}

/* Lock, read, check the condition, compute and write. */
static int run_write(ddb_req *req, write_plan *p, ddb_error *err)
{
    ddb_conn *c = ddb_store_conn(req->srv->store, err);
    if (c == NULL || ddb_store_write_begin(c, err) != DDB_OK)
        return DDB_ERR;
    int rc = DDB_ERR;
    ddb_buf key = DDB_BUF_INIT;
    /* the table's current definition: an index may have been added meanwhile */
    ddb_table *cur = ddb_catalog_get(req->srv->catalog, p->t->region, p->t->name);
    if (cur == NULL || cur->id != p->t->id ||
        ddb_table_status_at(cur, ddb_now()) == DDB_TS_DELETING) {
        ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
        goto out;
    }
    if (p->kind == W_PUT && cur != p->t && ddb_check_item_keys(cur, p->put_item, err) != DDB_OK)
        goto out;
    if (ddb_key_item(cur, p->key, &key, err) != DDB_OK ||
        ddb_item_load(c, &key, &p->old, err) != DDB_OK)
        goto out;
    uint64_t old_size = p->old.found ? (uint64_t)p->old.size : 0;
    if (p->x->condition != NULL) {
        int ok = ddb_expr_eval(p->x->condition, p->old.found ? p->old.item : NULL, err);
        if (ok < 0)
            goto out;
        if (ok == 0) {
            /* a failed conditional write still consumes write capacity */
            ddb_write_cost_failed(cur, p->key, old_size, p->kind == W_PUT ? p->put_size : 0,
                                  &p->cost);
            p->charged = 1;
            if (ddb_tput_admit(req->srv->tput, cur, p->cost.charges, p->cost.n_charges, NULL,
                               err) == DDB_OK)
                condition_failed(p, err);
            goto out;
        }
    }
    size_t size = 0;
    switch (p->kind) {
        case W_PUT:
            p->new_item = json_incref(p->put_item);
            size = p->put_size;
            break;
        case W_DELETE:
            p->new_item = NULL;
            break;
        case W_UPDATE:
            if (compute_update(p, cur, err) != DDB_OK)
                goto out;
            if (p->new_item != NULL && (size = ddb_item_size(p->new_item)) > DDB_MAX_ITEM_SIZE) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            "Item size to update has exceeded the maximum allowed size");
                goto out;
            }
            break;
    }
    /* the capacity of the write, admitted before anything changes */
    ddb_write_cost_compute(cur, p->key, p->old.found ? p->old.item : NULL, old_size,
                           p->new_item, p->new_item ? size : 0, &p->cost);
    p->charged = 1;
    if (ddb_tput_admit(req->srv->tput, cur, p->cost.charges, p->cost.n_charges, NULL, err) !=
        DDB_OK)
        goto out;
    if (p->kind == W_UPDATE && p->new_item == NULL) { /* nothing to create */
        rc = DDB_OK;
        goto out;
    }
    rc = ddb_item_store(c, cur, &key, &p->old, p->new_item, size, err);
    if (rc == DDB_OK && ddb_collection_wanted(req->in, cur) &&
        (p->collection = ddb_collection_metrics(c, cur, json_object_get(p->key, cur->hash.name),
                                                err)) == NULL)
        rc = DDB_ERR;
out:
    if (ddb_store_write_end(c, rc == DDB_OK, err) != DDB_OK)
        rc = DDB_ERR;
    ddb_table_unref(cur);
    ddb_buf_free(&key);
    return rc;
}

static void write_plan_free(write_plan *p)
{
    ddb_old_item_free(&p->old);
    json_decref(p->new_item);
    json_decref(p->collection);
    ddb_write_cost_free(&p->cost);
}

/* Note the request for ThrottledRequests and add ConsumedCapacity and
** ItemCollectionMetrics to 'out'. */
static void finish_write(ddb_req *req, const write_plan *p, const ddb_table *t, json_t *out,
                         const ddb_error *err)
{
    if (out != NULL && p->collection != NULL)
        json_object_set(out, "ItemCollectionMetrics", p->collection);
    if (t == NULL || !p->charged)
        return;
    ddb_tput_note(req->srv->tput, t, req->op->name, ddb_tput_throttled(err));
    if (out != NULL) {
        json_t *cc = ddb_consumed_capacity(req->in, t, 0, p->cost.table_units, p->cost.ix,
                                           p->cost.n_ix);
        if (cc != NULL)
            json_object_set_new(out, "ConsumedCapacity", cc);
    }
}

/* {"Attributes": <old item>} or {} (ConsumedCapacity is added by finish_write). */
static void reply_old(ddb_req *req, const ddb_old_item *old, int want_old)
{
    req->out = json_object();
    if (want_old && old->found)
        json_object_set(req->out, "Attributes", old->item);
}

/*---- PutItem ----*/

int ddb_op_put_item(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    if (ddb_req_check_data_table_name(req, err) != DDB_OK)
        return DDB_ERR;
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_required(&c, json_object_get(in, "Item"), "item");
    check_write_enums(in, &c);
    if (ddb_chk_finish(&c, err) != DDB_OK ||
        ddb_req_exprs_check_mix(in, DDB_XOP_PUT, err) != DDB_OK)
        return DDB_ERR;

    json_t *item = json_object_get(in, "Item");
    if (ddb_attrs_check(item, err) != DDB_OK) {
        ddb_err_wrap_bespoke(err);
        return DDB_ERR;
    }
    if (check_put_return_values(in, err) != DDB_OK)
        return DDB_ERR;
    size_t size = ddb_item_size(item);
    if (size > DDB_MAX_ITEM_SIZE)
        return ddb_err_bespoke(err, 1, "Item size has exceeded the maximum allowed size");
    ddb_req_exprs x;
    if (parse_exprs(req, DDB_XOP_PUT, &x, err) != DDB_OK) {
        ddb_req_exprs_free(&x);
        return DDB_ERR;
    }

    write_plan p = {.kind = W_PUT, .key = item, .put_item = item, .put_size = size, .x = &x};
    p.on_failure_all_old = wants_old_on_failure(in);
    json_t *ctx = ddb_authz_enforcing(req) ? item_ctx(in, item, &x, 1) : NULL;
    ddb_table *t = ddb_authz_lookup(req, 1, item, ctx, err);
    json_decref(ctx);
    int rc = DDB_ERR;
    if (t != NULL && ddb_check_item_keys(t, item, err) == DDB_OK) {
        p.t = t;
        rc = run_write(req, &p, err);
    }
    if (rc == DDB_OK)
        reply_old(req, &p.old, is_rv(in, "ALL_OLD"));
    finish_write(req, &p, t, rc == DDB_OK ? req->out : NULL, err);
    write_plan_free(&p);
    ddb_req_exprs_free(&x);
    ddb_table_unref(t);
    return rc;
}

/*---- DeleteItem ----*/

int ddb_op_delete_item(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    if (ddb_req_check_data_table_name(req, err) != DDB_OK)
        return DDB_ERR;
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_required(&c, json_object_get(in, "Key"), "key");
    check_write_enums(in, &c);
    if (ddb_chk_finish(&c, err) != DDB_OK ||
        ddb_req_exprs_check_mix(in, DDB_XOP_PUT, err) != DDB_OK)
        return DDB_ERR;

    json_t *key = json_object_get(in, "Key");
    if (ddb_attrs_check(key, err) != DDB_OK) {
        ddb_err_wrap_bespoke(err);
        return DDB_ERR;
    }
    if (check_put_return_values(in, err) != DDB_OK)
        return DDB_ERR;
    ddb_req_exprs x;
    if (parse_exprs(req, DDB_XOP_PUT, &x, err) != DDB_OK) {
        ddb_req_exprs_free(&x);
        return DDB_ERR;
    }

    write_plan p = {.kind = W_DELETE, .key = key, .x = &x};
    p.on_failure_all_old = wants_old_on_failure(in);
    json_t *ctx = ddb_authz_enforcing(req) ? item_ctx(in, key, &x, 1) : NULL;
    ddb_table *t = ddb_authz_lookup(req, 1, key, ctx, err);
    json_decref(ctx);
    int rc = DDB_ERR;
    if (t != NULL && ddb_check_key(t, key, err) == DDB_OK) {
        p.t = t;
        rc = run_write(req, &p, err);
    }
    if (rc == DDB_OK)
        reply_old(req, &p.old, is_rv(in, "ALL_OLD"));
    finish_write(req, &p, t, rc == DDB_OK ? req->out : NULL, err);
    write_plan_free(&p);
    ddb_req_exprs_free(&x);
    ddb_table_unref(t);
    return rc;
}

/*---- UpdateItem ----*/

/* Static checks of an update against the table (query-scan-batch-facts.md
** §7.1 rows 13-15): key attributes untouched, index key types, no paths
** inside key attributes. */
static int check_update_against_table(const ddb_table *t, const ddb_req_exprs *x,
                                      ddb_error *err)
{
    const ddb_expr *u = x->update;
    if (u == NULL)
        return DDB_OK;
    const char *keys[2] = {t->hash.name, t->range.name};
    for (int k = 0; k < 2; k++)
        if (keys[k] != NULL && ddb_expr_update_touches(u, keys[k]))
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Cannot update "
                               "attribute %s. This attribute is part of the key",
                               keys[k]);
    for (size_t i = 0; i < t->n_indexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        const ddb_keyattr *kas[2] = {&ix->hash, &ix->range};
        for (int k = 0; k < 2; k++) {
            if (kas[k]->name == NULL)
                continue;
            const char *ty = ddb_expr_update_type(u, kas[k]->name);
            if (ty != NULL && strcmp(ty, ddb_type_name(kas[k]->type)) != 0)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Type mismatch for "
                                   "Index Key %s Expected: %s Actual: %s IndexName: %s",
                                   kas[k]->name, ddb_type_name(kas[k]->type), ty, ix->name);
        }
    }
    for (int k = 0; k < 2; k++)
        if (keys[k] != NULL && ddb_expr_check_key_scalar(u, keys[k], 0, err) != DDB_OK)
            return DDB_ERR;
    for (size_t i = 0; i < t->n_indexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ddb_expr_check_key_scalar(u, ix->hash.name, 1, err) != DDB_OK ||
            (ix->range.name && ddb_expr_check_key_scalar(u, ix->range.name, 1, err) != DDB_OK))
            return DDB_ERR;
    }
    return DDB_OK;
}

/* The reply's Attributes for ReturnValues; NULL when there is nothing to return. */
static json_t *update_attributes(json_t *in, const write_plan *p, const ddb_table *t)
{
    const json_t *old = p->old.found ? p->old.item : NULL;
    json_t *out = NULL;
    if (is_rv(in, "ALL_OLD")) {
        out = old ? json_incref((json_t *)old) : NULL;
    } else if (is_rv(in, "ALL_NEW")) {
        out = p->new_item ? json_incref(p->new_item) : NULL;
    } else if (is_rv(in, "UPDATED_OLD") || is_rv(in, "UPDATED_NEW")) {
        int new_side = is_rv(in, "UPDATED_NEW");
        const json_t *src = new_side ? p->new_item : old;
        if (p->x->update != NULL && src != NULL) {
            out = ddb_expr_updated_part(p->x->update, src);
            if (new_side) { /* key attributes are never returned as updated */
                json_object_del(out, t->hash.name);
                if (t->range.name)
                    json_object_del(out, t->range.name);
            }
        }
    }
    if (out != NULL && json_object_size(out) == 0) {
        json_decref(out);
        out = NULL;
    }
    return out;
}

int ddb_op_update_item(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    if (ddb_req_check_data_table_name(req, err) != DDB_OK)
        return DDB_ERR;
    /* a bad ReturnValues is the only constraint UpdateItem reports (2026) */
    json_t *rv = json_object_get(in, "ReturnValues");
    if (rv != NULL && !in_set(return_values_all, json_string_value(rv)))
        return ddb_err_set(err, DDB_E_VALIDATION, "1 validation error detected: " RV_PATHLESS);
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_required(&c, json_object_get(in, "Key"), "key");
    check_write_enums(in, &c);
    if (ddb_chk_finish(&c, err) != DDB_OK ||
        ddb_req_exprs_check_mix(in, DDB_XOP_UPDATE, err) != DDB_OK)
        return DDB_ERR;
    json_t *key = json_object_get(in, "Key");
    if (ddb_attrs_check(key, err) != DDB_OK) {
        ddb_err_wrap_bespoke(err);
        return DDB_ERR;
    }
    ddb_req_exprs x;
    if (parse_exprs(req, DDB_XOP_UPDATE, &x, err) != DDB_OK) {
        ddb_req_exprs_free(&x);
        return DDB_ERR;
    }

    write_plan p = {.kind = W_UPDATE, .key = key, .x = &x};
    p.on_failure_all_old = wants_old_on_failure(in);
    json_t *ctx = ddb_authz_enforcing(req) ? item_ctx(in, key, &x, 1) : NULL;
    ddb_table *t = ddb_authz_lookup(req, 1, key, ctx, err);
    json_decref(ctx);
    int rc = DDB_ERR;
    if (t != NULL && ddb_check_key(t, key, err) == DDB_OK &&
        check_update_against_table(t, &x, err) == DDB_OK) {
        p.t = t;
        rc = run_write(req, &p, err);
    }
    if (rc == DDB_OK) {
        json_t *attrs = update_attributes(in, &p, t);
        req->out = json_object();
        if (attrs != NULL)
            json_object_set_new(req->out, "Attributes", attrs);
    }
    finish_write(req, &p, t, rc == DDB_OK ? req->out : NULL, err);
    write_plan_free(&p);
    ddb_req_exprs_free(&x);
    ddb_table_unref(t);
    return rc;
}

/*---- GetItem ----*/

int ddb_op_get_item(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    if (ddb_req_check_data_table_name(req, err) != DDB_OK)
        return DDB_ERR;
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_required(&c, json_object_get(in, "Key"), "key");
    ddb_chk_min_len(&c, json_object_get(in, "AttributesToGet"), "attributesToGet", 1);
    ddb_chk_max_len(&c, json_object_get(in, "AttributesToGet"), "attributesToGet", 255);
    ddb_chk_enum(&c, json_object_get(in, "ReturnConsumedCapacity"), "returnConsumedCapacity",
                 return_capacity_all, "[INDEXES, TOTAL, NONE]");
    if (ddb_chk_finish(&c, err) != DDB_OK ||
        ddb_req_exprs_check_mix(in, DDB_XOP_GET, err) != DDB_OK)
        return DDB_ERR;

    json_t *key = json_object_get(in, "Key");
    if (ddb_attrs_check(key, err) != DDB_OK)
        return DDB_ERR;
    json_t *atg = json_object_get(in, "AttributesToGet");
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(atg, i, a) {
        json_array_foreach(atg, j, b) {
            if (j < i && json_equal(a, b))
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Duplicate value "
                                   "in attribute name: %s",
                                   json_string_value(a));
        }
    }
    ddb_req_exprs x;
    if (parse_exprs(req, DDB_XOP_GET, &x, err) != DDB_OK) {
        ddb_req_exprs_free(&x);
        return DDB_ERR;
    }

    json_t *ctx = ddb_authz_enforcing(req) ? item_ctx(in, key, &x, 0) : NULL;
    ddb_table *t = ddb_authz_lookup(req, 1, key, ctx, err);
    json_decref(ctx);
    int rc = t != NULL ? ddb_check_key(t, key, err) : DDB_ERR;
    ddb_buf k = DDB_BUF_INIT, text = DDB_BUF_INIT;
    ddb_conn *conn = rc == DDB_OK ? ddb_store_conn(req->srv->store, err) : NULL;
    if (conn == NULL || ddb_key_item(t, key, &k, err) != DDB_OK)
        rc = DDB_ERR;
    int64_t size = 0;
    int found = rc == DDB_OK ? ddb_store_get(conn, &k, &text, &size, err) : DDB_ERR;
    json_t *cc = NULL;
    if (found >= 0) {
        /* the read's capacity, admitted before the item is returned */
        ddb_read_mode mode = json_is_true(json_object_get(in, "ConsistentRead"))
                                 ? DDB_READ_STRONG
                                 : DDB_READ_EVENTUAL;
        ddb_cu units = ddb_capacity_read_units(found ? (uint64_t)size : 0, mode);
        char *label = NULL;
        ddb_throttle_charge ch = ddb_read_charge(t, NULL, key, units, &label);
        if (ddb_tput_admit(req->srv->tput, t, &ch, 1, NULL, err) != DDB_OK)
            found = DDB_ERR;
        free(label);
        ddb_tput_note(req->srv->tput, t, "GetItem", found < 0 && ddb_tput_throttled(err));
        if (found >= 0)
            cc = ddb_consumed_capacity(in, t, units, 0, NULL, 0);
    }
    if (found < 0) {
        rc = DDB_ERR;
    } else if (x.projection == NULL) {
        /* the stored text is the item as DynamoDB returns it: splice it */
        ddb_buf_putc(&req->out_raw, '{');
        if (cc != NULL) {
            char *ct = json_dumps(cc, JSON_COMPACT | JSON_REAL_PRECISION(15));
            ddb_buf_printf(&req->out_raw, "\"ConsumedCapacity\":%s%s", ct, found ? "," : "");
            free(ct);
        }
        if (found) {
            ddb_buf_puts(&req->out_raw, "\"Item\":");
            ddb_buf_append(&req->out_raw, text.data, text.len);
        }
        ddb_buf_putc(&req->out_raw, '}');
    } else {
        req->out = json_object();
        if (cc != NULL)
            json_object_set(req->out, "ConsumedCapacity", cc);
        if (found) {
            json_error_t jerr;
            json_t *item = json_loadb((const char *)text.data, text.len, JSON_ALLOW_NUL, &jerr);
            if (item == NULL) {
                rc = ddb_err_set(err, DDB_E_INTERNAL, "unreadable stored item");
            } else {
                json_object_set_new(req->out, "Item", ddb_expr_project(x.projection, item));
                json_decref(item);
            }
        }
    }
    json_decref(cc);
    ddb_buf_free(&k);
    ddb_buf_free(&text);
    ddb_req_exprs_free(&x);
    ddb_table_unref(t);
    return rc;
}
