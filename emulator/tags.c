/* SPDX-License-Identifier: MIT
**
** tags.c -- TagResource, UntagResource and ListTagsOfResource on table ARNs:
** ARN and tag validation with DynamoDB's texts, tags kept in the table's
** definition (replaced atomically with the rest of it).
*/
#include "authz.h"
#include "describe.h"
#include "tabledef.h"

#include <stdlib.h>
#include <string.h>

/* Resolve ResourceArn to a table of the caller's account and region. */
static ddb_table *arn_table(ddb_req *req, json_t *ctx, ddb_error *err)
{
    json_t *v = json_object_get(req->in, "ResourceArn");
    if (v == NULL) {
        ddb_checks c = DDB_CHECKS_INIT;
        ddb_chk_required(&c, v, "resourceArn");
        ddb_chk_finish(&c, err);
        return NULL;
    }
    const char *arn = json_string_value(v);
    if (strncmp(arn, "arn:", 4) != 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: ARNs must start with 'arn:': %s",
                    arn);
        return NULL;
    }
    /* arn:partition:service:region:account:resource */
    char *copy = ddb_xstrdup(arn);
    char *parts[6] = {0};
    char *p = copy;
    for (int i = 0; i < 5; i++) {
        parts[i] = p;
        p = p ? strchr(p, ':') : NULL;
        if (p)
            *p++ = '\0';
    }
    parts[5] = p;
    ddb_table *t = NULL;
    if (parts[2] != NULL && parts[5] != NULL && strcmp(parts[2], "dynamodb") != 0) {
        /* another service's resource: IAM denies it before DynamoDB looks at it */
        ddb_err_set(err, DDB_E_ACCESS_DENIED,
                    "User: %s is not authorized to perform: %s on resource: %s", req->caller_arn,
                    req->op->action, arn);
    } else if (parts[2] == NULL || parts[5] == NULL) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Provided Arn is not a DynamoDB "
                    "resource arn: %s",
                    arn);
    } else if (strncmp(parts[5], "table/", 6) != 0 || strchr(parts[5] + 6, '/') != NULL ||
               parts[5][6] == '\0') {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Invalid resource arn provided, "
                    "only table or stream is accepted. Provided resource arn: %s",
                    arn);
    } else if (strcmp(parts[4], req->account) != 0) {
        ddb_err_set(err, DDB_E_ACCESS_DENIED,
                    "User: %s is not authorized to perform: %s on resource: %s", req->caller_arn,
                    req->op->action, arn);
    } else if (strcmp(parts[3], req->region) != 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Provided Arn region does not "
                    "match the request region: %s",
                    arn);
    } else {
        t = ddb_catalog_get(req->srv->catalog, req->region, parts[5] + 6);
        if (ddb_authz_table(req, t, parts[5] + 6, NULL, ctx, err) != DDB_OK) {
            ddb_table_unref(t);
            t = NULL;
        } else if (t == NULL) {
            ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND,
                        "Requested resource not found: ResourceArn: %s not found", arn);
        }
    }
    free(copy);
    return t;
}

static int check_settled(const ddb_table *t, ddb_error *err)
{
    ddb_table_status st = ddb_table_status_at(t, ddb_now());
    if (st == DDB_TS_CREATING)
        return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                           "Attempt to change a resource which is still in use: Table is being "
                           "created: %s",
                           t->name);
    if (st == DDB_TS_DELETING)
        return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                           "Attempt to change a resource which is still in use: Table is being "
                           "deleted: %s",
                           t->name);
    return DDB_OK;
}

/* Replace the table's tags with 'tags' (steals it) under the write lock. */
static int save_tags(ddb_req *req, const ddb_table *t, json_t *tags, ddb_error *err)
{
    ddb_conn *c = ddb_store_conn(req->srv->store, err);
    if (c == NULL || ddb_store_write_begin(c, err) != DDB_OK) {
        json_decref(tags);
        return DDB_ERR;
    }
    int rc = DDB_ERR;
    ddb_table *cur = ddb_catalog_get(req->srv->catalog, t->region, t->name);
    if (cur == NULL || cur->id != t->id) {
        ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND,
                    "Requested resource not found: ResourceArn: %s not found",
                    json_string_value(json_object_get(req->in, "ResourceArn")));
        json_decref(tags);
    } else {
        json_t *def = json_deep_copy(cur->def);
        json_object_set_new(def, "Tags", tags);
        ddb_table *nt = ddb_table_from_def(cur->region, def, err);
        if (nt != NULL)
            rc = ddb_catalog_put(req->srv->catalog, c, nt, err);
    }
    ddb_table_unref(cur);
    if (ddb_store_write_end(c, rc == DDB_OK, err) != DDB_OK)
        rc = DDB_ERR;
    return rc;
}

/* The constraint phase of the tagging operations: the two required members. */
static int check_required(ddb_req *req, const char *list_member, const char *list_path,
                          ddb_error *err)
{
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_required(&c, json_object_get(req->in, "ResourceArn"), "resourceArn");
    ddb_chk_required(&c, json_object_get(req->in, list_member), list_path);
    return ddb_chk_finish(&c, err);
}

int ddb_op_tag_resource(ddb_req *req, ddb_error *err)
{
    json_t *tags = json_object_get(req->in, "Tags");
    if (check_required(req, "Tags", "tags", err) != DDB_OK)
        return DDB_ERR;
    json_t *ctx = ddb_authz_ctx_new();
    size_t ti;
    json_t *tg;
    json_array_foreach(tags, ti, tg) {
        const char *k = json_string_value(json_object_get(tg, "Key"));
        if (k == NULL)
            continue;
        char *key = ddb_xasprintf("aws:RequestTag/%s", k);
        json_object_set(ctx, key, json_object_get(tg, "Value"));
        free(key);
        json_t *tk = json_object_get(ctx, "aws:TagKeys");
        if (tk == NULL)
            json_object_set_new(ctx, "aws:TagKeys", tk = json_array());
        json_array_append_new(tk, json_string(k));
    }
    ddb_table *t = arn_table(req, ctx, err);
    json_decref(ctx);
    if (t == NULL)
        return DDB_ERR;
    int rc = DDB_ERR;
    if (json_array_size(tags) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, "Atleast one Tag needs to be provided as Input.");
        goto out;
    }
    if (ddb_def_check_tags(tags, err) != DDB_OK || check_settled(t, err) != DDB_OK)
        goto out;
    /* merge: a key already present takes the new value */
    json_t *merged = json_deep_copy(json_object_get(t->def, "Tags"));
    if (merged == NULL)
        merged = json_array();
    size_t i, j;
    json_t *tag, *old;
    json_array_foreach(tags, i, tag) {
        int replaced = 0;
        json_array_foreach(merged, j, old) {
            if (json_equal(json_object_get(old, "Key"), json_object_get(tag, "Key"))) {
                json_object_set(old, "Value", json_object_get(tag, "Value"));
                replaced = 1;
            }
        }
        if (!replaced)
            json_array_append_new(merged, json_pack("{s:O,s:O}", "Key", json_object_get(tag, "Key"),
                                                    "Value", json_object_get(tag, "Value")));
    }
    if (json_array_size(merged) > DDB_MAX_TAGS) {
        json_decref(merged);
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Number of Tags exceed the current limit for the provided ResourceArn");
        goto out;
    }
    rc = save_tags(req, t, merged, err);
    if (rc == DDB_OK)
        ddb_buf_puts(&req->out_raw, "{}");
out:
    ddb_table_unref(t);
    return rc;
}

int ddb_op_untag_resource(ddb_req *req, ddb_error *err)
{
    json_t *keys = json_object_get(req->in, "TagKeys");
    if (check_required(req, "TagKeys", "tagKeys", err) != DDB_OK)
        return DDB_ERR;
    json_t *ctx = ddb_authz_ctx_new();
    json_object_set(ctx, "aws:TagKeys", keys);
    ddb_table *t = arn_table(req, ctx, err);
    json_decref(ctx);
    if (t == NULL)
        return DDB_ERR;
    int rc = DDB_ERR;
    if (json_array_size(keys) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, "Atleast one Tag Key needs to be provided as Input.");
        goto out;
    }
    size_t i, j;
    json_t *k, *tag;
    json_array_foreach(keys, i, k) {
        if (ddb_def_check_tag_key(k, err) != DDB_OK)
            goto out;
    }
    if (check_settled(t, err) != DDB_OK)
        goto out;
    json_t *kept = json_array();
    json_array_foreach(json_object_get(t->def, "Tags"), i, tag) {
        int drop = 0;
        json_array_foreach(keys, j, k) {
            if (json_equal(k, json_object_get(tag, "Key")))
                drop = 1;
        }
        if (!drop)
            json_array_append(kept, tag);
    }
    rc = save_tags(req, t, kept, err);
    if (rc == DDB_OK)
        ddb_buf_puts(&req->out_raw, "{}");
out:
    ddb_table_unref(t);
    return rc;
}

int ddb_op_list_tags_of_resource(ddb_req *req, ddb_error *err)
{
    ddb_table *t = arn_table(req, NULL, err);
    if (t == NULL)
        return DDB_ERR;
    json_t *tags = json_object_get(t->def, "Tags");
    req->out = json_object();
    json_object_set_new(req->out, "Tags", tags ? json_deep_copy(tags) : json_array());
    ddb_table_unref(t);
    return DDB_OK;
}
