/* SPDX-License-Identifier: MIT
**
** items.c -- PutItem, GetItem and DeleteItem: request validation in
** DynamoDB's order, the table lookup, key checks, and the call into itemio.c
** that writes an item with its index entries in one transaction. No SQL here.
*/
#include "itemio.h"
#include "request.h"

#include <stdlib.h>
#include <string.h>

static const char *const return_values_all[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                                "UPDATED_NEW", NULL};
static const char *const return_capacity_all[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const return_metrics_all[] = {"SIZE", "NONE", NULL};

/* The enum members of the item write operations, in DynamoDB's 2026 order:
** ReturnConsumedCapacity, then ReturnValues in its pathless form, then
** ReturnItemCollectionMetrics. */
static void check_write_enums(json_t *in, ddb_checks *c)
{
    ddb_chk_enum(c, json_object_get(in, "ReturnConsumedCapacity"), "returnConsumedCapacity",
                 return_capacity_all, "[INDEXES, TOTAL, NONE]");
    json_t *rv = json_object_get(in, "ReturnValues");
    if (rv != NULL) {
        int ok = 0;
        for (int i = 0; return_values_all[i]; i++)
            ok |= strcmp(return_values_all[i], json_string_value(rv)) == 0;
        if (!ok)
            ddb_chk_add_raw(c, "Failed to satisfy constraint: Member must satisfy enum value set: "
                               "[ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATE_NEW, NONE]");
    }
    ddb_chk_enum(c, json_object_get(in, "ReturnItemCollectionMetrics"),
                 "returnItemCollectionMetrics", return_metrics_all, "[SIZE, NONE]");
}

/* ReturnValues of PutItem and DeleteItem: NONE or ALL_OLD only. */
static int check_put_return_values(json_t *in, int *want_old, ddb_error *err)
{
    const char *rv = json_string_value(json_object_get(in, "ReturnValues"));
    *want_old = rv != NULL && strcmp(rv, "ALL_OLD") == 0;
    if (rv != NULL && strcmp(rv, "NONE") != 0 && strcmp(rv, "ALL_OLD") != 0)
        return ddb_err_bespoke(err, 1, "ReturnValues can only be ALL_OLD or NONE");
    return DDB_OK;
}

/* Expression and legacy conditional members belong to the expression engine;
** until a request uses them they need no checks here. */
static int check_no_conditions(json_t *in, ddb_error *err)
{
    static const char *const members[] = {"ConditionExpression", "Expected",
                                          "ExpressionAttributeNames",
                                          "ExpressionAttributeValues", "ConditionalOperator",
                                          NULL};
    for (int i = 0; members[i]; i++)
        if (json_object_get(in, members[i]) != NULL)
            return ddb_err_bespoke(err, 1, "%s is not supported by this version of ddbd",
                                   members[i]);
    return DDB_OK;
}

/* Write (or delete, when new_item is NULL) under the write lock, against the
** table's current definition (an index may have been added since the
** caller's lookup). */
static int write_locked(ddb_req *req, const ddb_table *t, const json_t *key_source,
                        json_t *new_item, size_t new_size, ddb_old_item *old, ddb_error *err)
{
    ddb_conn *c = ddb_store_conn(req->srv->store, err);
    if (c == NULL || ddb_store_write_begin(c, err) != DDB_OK)
        return DDB_ERR;
    int rc = DDB_ERR;
    ddb_buf key = DDB_BUF_INIT;
    ddb_table *cur = ddb_catalog_get(req->srv->catalog, t->region, t->name);
    if (cur == NULL || cur->id != t->id ||
        ddb_table_status_at(cur, ddb_now()) == DDB_TS_DELETING) {
        ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
        goto out;
    }
    if (cur != t && new_item != NULL && ddb_check_item_keys(cur, new_item, err) != DDB_OK)
        goto out;
    if (ddb_key_item(cur, key_source, &key, err) != DDB_OK)
        goto out;
    rc = ddb_item_write(c, cur, &key, new_item, new_size, old, err);
out:
    ddb_store_write_end(c, rc == DDB_OK, err);
    ddb_table_unref(cur);
    ddb_buf_free(&key);
    return rc;
}

/* {"Attributes": <old item text>} or {} */
static void reply_attributes(ddb_req *req, const ddb_old_item *old, int want_old)
{
    if (want_old && old->found) {
        ddb_buf_puts(&req->out_raw, "{\"Attributes\":");
        ddb_buf_append(&req->out_raw, old->text.data, old->text.len);
        ddb_buf_putc(&req->out_raw, '}');
    } else {
        ddb_buf_puts(&req->out_raw, "{}");
    }
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
    if (ddb_chk_finish(&c, err) != DDB_OK)
        return DDB_ERR;

    json_t *item = json_object_get(in, "Item");
    if (ddb_attrs_check(item, err) != DDB_OK) {
        ddb_err_wrap_bespoke(err);
        return DDB_ERR;
    }
    int want_old = 0;
    if (check_put_return_values(in, &want_old, err) != DDB_OK ||
        check_no_conditions(in, err) != DDB_OK)
        return DDB_ERR;
    size_t size = ddb_item_size(item);
    if (size > DDB_MAX_ITEM_SIZE)
        return ddb_err_bespoke(err, 1, "Item size has exceeded the maximum allowed size");

    ddb_table *t = ddb_req_table(req, 1, err);
    if (t == NULL)
        return DDB_ERR;
    ddb_old_item old = {0};
    int rc = ddb_check_item_keys(t, item, err);
    if (rc == DDB_OK)
        rc = write_locked(req, t, item, item, size, &old, err);
    if (rc == DDB_OK)
        reply_attributes(req, &old, want_old);
    ddb_old_item_free(&old);
    ddb_table_unref(t);
    return rc;
}

/*---- GetItem ----*/

/* Keep only the attributes named in AttributesToGet (a JSON array). */
static json_t *project_names(json_t *item, json_t *names)
{
    json_t *out = json_object();
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n) {
        json_t *v = json_object_get(item, json_string_value(n));
        if (v != NULL)
            json_object_set(out, json_string_value(n), v);
    }
    return out;
}

int ddb_op_get_item(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    if (ddb_req_check_data_table_name(req, err) != DDB_OK)
        return DDB_ERR;
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_required(&c, json_object_get(in, "Key"), "key");
    ddb_chk_min_len(&c, json_object_get(in, "AttributesToGet"), "attributesToGet", 1);
    ddb_chk_enum(&c, json_object_get(in, "ReturnConsumedCapacity"), "returnConsumedCapacity",
                 return_capacity_all, "[INDEXES, TOTAL, NONE]");
    if (ddb_chk_finish(&c, err) != DDB_OK)
        return DDB_ERR;

    json_t *key = json_object_get(in, "Key");
    if (ddb_attrs_check(key, err) != DDB_OK)
        return DDB_ERR;
    json_t *atg = json_object_get(in, "AttributesToGet");
    if (json_object_get(in, "ProjectionExpression") != NULL ||
        json_object_get(in, "ExpressionAttributeNames") != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "ProjectionExpression is not supported by this version of ddbd");
    if (atg != NULL) {
        size_t i, j;
        json_t *a, *b;
        json_array_foreach(atg, i, a) {
            json_array_foreach(atg, j, b) {
                if (j < i && json_equal(a, b))
                    return ddb_err_set(err, DDB_E_VALIDATION,
                                       "One or more parameter values were invalid: Duplicate "
                                       "value in attribute name: %s",
                                       json_string_value(a));
            }
        }
    }

    ddb_table *t = ddb_req_table(req, 1, err);
    if (t == NULL)
        return DDB_ERR;
    int rc = ddb_check_key(t, key, err);
    ddb_buf k = DDB_BUF_INIT, text = DDB_BUF_INIT;
    ddb_conn *conn = rc == DDB_OK ? ddb_store_conn(req->srv->store, err) : NULL;
    if (conn == NULL || ddb_key_item(t, key, &k, err) != DDB_OK)
        rc = DDB_ERR;
    int found = rc == DDB_OK ? ddb_item_read(conn, &k, &text, err) : DDB_ERR;
    if (found < 0) {
        rc = DDB_ERR;
    } else if (found == 0) {
        ddb_buf_puts(&req->out_raw, "{}");
    } else if (atg == NULL) {
        /* the stored text is the item as DynamoDB returns it: splice it */
        ddb_buf_puts(&req->out_raw, "{\"Item\":");
        ddb_buf_append(&req->out_raw, text.data, text.len);
        ddb_buf_putc(&req->out_raw, '}');
    } else {
        json_error_t jerr;
        json_t *item = json_loadb((const char *)text.data, text.len, JSON_ALLOW_NUL, &jerr);
        if (item == NULL) {
            rc = ddb_err_set(err, DDB_E_INTERNAL, "unreadable stored item");
        } else {
            json_t *proj = project_names(item, atg);
            req->out = json_object();
            if (json_object_size(proj) > 0)
                json_object_set(req->out, "Item", proj);
            json_decref(proj);
            json_decref(item);
        }
    }
    ddb_buf_free(&k);
    ddb_buf_free(&text);
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
    if (ddb_chk_finish(&c, err) != DDB_OK)
        return DDB_ERR;

    json_t *key = json_object_get(in, "Key");
    if (ddb_attrs_check(key, err) != DDB_OK) {
        ddb_err_wrap_bespoke(err);
        return DDB_ERR;
    }
    int want_old = 0;
    if (check_put_return_values(in, &want_old, err) != DDB_OK ||
        check_no_conditions(in, err) != DDB_OK)
        return DDB_ERR;

    ddb_table *t = ddb_req_table(req, 1, err);
    if (t == NULL)
        return DDB_ERR;
    ddb_old_item old = {0};
    int rc = ddb_check_key(t, key, err);
    if (rc == DDB_OK)
        rc = write_locked(req, t, key, NULL, 0, &old, err);
    if (rc == DDB_OK)
        reply_attributes(req, &old, want_old);
    ddb_old_item_free(&old);
    ddb_table_unref(t);
    return rc;
}
