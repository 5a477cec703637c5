/* SPDX-License-Identifier: MIT
**
** request.c -- TableName checks, table lookup and key checks shared by the
** operation handlers (see request.h). The texts are DynamoDB's, 2026 wording.
*/
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* For "arn:aws:dynamodb:REGION:ACCOUNT:table/NAME" fill the parts. */
static int parse_table_arn(const char *s, char *region, size_t rcap, char *account,
                           size_t acap, const char **name)
{
    static const char prefix[] = "arn:aws:dynamodb:";
    if (strncmp(s, prefix, sizeof prefix - 1) != 0)
        return -1;
    const char *r = s + sizeof prefix - 1;
    const char *c1 = strchr(r, ':');
    if (c1 == NULL)
        return -1;
    const char *c2 = strchr(c1 + 1, ':');
    if (c2 == NULL || strncmp(c2 + 1, "table/", 6) != 0)
        return -1;
    snprintf(region, rcap, "%.*s", (int)(c1 - r), r);
    snprintf(account, acap, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
    *name = c2 + 7;
    return strchr(*name, '/') ? -1 : 0;
}

const char *ddb_req_table_name(ddb_req *req)
{
    const char *s = json_string_value(json_object_get(req->in, "TableName"));
    if (s == NULL)
        return NULL;
    char region[64], account[32];
    const char *name;
    if (parse_table_arn(s, region, sizeof region, account, sizeof account, &name) == 0)
        return name;
    return s;
}

int ddb_req_check_data_table_name(ddb_req *req, ddb_error *err)
{
    json_t *v = json_object_get(req->in, "TableName");
    if (v == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "1 validation error detected: Value null at 'tableName' failed to "
                           "satisfy constraint: Member must not be null");
    if (json_string_length(v) == 0)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "1 validation error detected: Value at 'TableName' failed to satisfy "
                           "constraint: Member must have length greater than or equal to 1");
    const char *s = json_string_value(v);
    if (strncmp(s, "arn:", 4) == 0) {
        ddb_checks c = DDB_CHECKS_INIT;
        ddb_chk_max_len(&c, v, "tableName", 1024);
        return ddb_chk_finish(&c, err);
    }
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_max_len(&c, v, "tableName", 255);
    ddb_chk_name_pattern(&c, v, "tableName");
    return ddb_chk_finish(&c, err);
}

int ddb_req_check_control_table_name(ddb_req *req, ddb_checks *c, ddb_error *err)
{
    json_t *v = json_object_get(req->in, "TableName");
    if (v == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "The parameter 'TableName' is required but was not present in the "
                           "request");
    if (strncmp(json_string_value(v), "arn:", 4) == 0) {
        ddb_chk_max_len(c, v, "tableName", 1024);
        return DDB_OK;
    }
    ddb_chk_min_len(c, v, "tableName", 3);
    ddb_chk_max_len(c, v, "tableName", 255);
    ddb_chk_name_pattern(c, v, "tableName");
    return DDB_OK;
}

char *ddb_table_arn(ddb_req *req, const char *name)
{
    return ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/%s", req->region, req->account, name);
}

ddb_table *ddb_req_table(ddb_req *req, int data_plane, ddb_error *err)
{
    const char *s = json_string_value(json_object_get(req->in, "TableName"));
    const char *name = s;
    char region[64], account[32];
    int arn_ok = 1;
    if (s != NULL && parse_table_arn(s, region, sizeof region, account, sizeof account, &name) == 0)
        arn_ok = strcmp(region, req->region) == 0 && strcmp(account, req->account) == 0;
    ddb_table *t = (s && arn_ok) ? ddb_catalog_get(req->srv->catalog, req->region, name) : NULL;
    if (t != NULL && data_plane) {
        ddb_table_status st = ddb_table_status_at(t, ddb_now());
        if (st == DDB_TS_CREATING || st == DDB_TS_DELETING) {
            ddb_table_unref(t);
            t = NULL;
        }
    }
    if (t == NULL) {
        if (data_plane)
            ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
        else
            ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND,
                        "Requested resource not found: Table: %s not found", name ? name : "");
    }
    return t;
}

/* Empty S / B key value check. */
static int key_empty(const json_t *av, const char *attr, ddb_error *err)
{
    ddb_type t = ddb_attr_type(av);
    json_t *v = ddb_attr_payload(av);
    if ((t == DDB_T_S || t == DDB_T_B) && json_string_length(v) == 0)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values are not valid. The AttributeValue for a "
                           "key attribute cannot contain an empty %s value. Key: %s",
                           t == DDB_T_S ? "string" : "binary", attr);
    return DDB_OK;
}

static int key_size(const json_t *av, int range, ddb_error *err)
{
    size_t sz = ddb_key_value_size(av);
    if (!range && sz > DDB_MAX_HASH_KEY)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: Size of hashkey has "
                           "exceeded the maximum size limit of2048 bytes");
    if (range && sz > DDB_MAX_RANGE_KEY)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: Aggregated size of all "
                           "range keys has exceeded the size limit of 1024 bytes");
    return DDB_OK;
}

int ddb_check_key(const ddb_table *t, const json_t *key, ddb_error *err)
{
    size_t want = t->range.name ? 2 : 1;
    const json_t *h = json_object_get(key, t->hash.name);
    const json_t *r = t->range.name ? json_object_get(key, t->range.name) : NULL;
    if (json_object_size(key) != want || h == NULL || ddb_attr_type(h) != t->hash.type ||
        (t->range.name && (r == NULL || ddb_attr_type(r) != t->range.type)))
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "The provided key element does not match the schema");
    if (key_empty(h, t->hash.name, err) != DDB_OK || key_size(h, 0, err) != DDB_OK)
        return DDB_ERR;
    if (r != NULL && (key_empty(r, t->range.name, err) != DDB_OK || key_size(r, 1, err) != DDB_OK))
        return DDB_ERR;
    return DDB_OK;
}

static int item_key_attr(const ddb_keyattr *ka, int range, const json_t *item, ddb_error *err)
{
    const json_t *av = json_object_get(item, ka->name);
    if (av == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: Missing the key %s in the "
                           "item",
                           ka->name);
    ddb_type at = ddb_attr_type(av);
    if (at != ka->type)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: Type mismatch for key %s "
                           "expected: %s actual: %s",
                           ka->name, ddb_type_name(ka->type), ddb_type_name(at));
    if (key_empty(av, ka->name, err) != DDB_OK)
        return DDB_ERR;
    return key_size(av, range, err);
}

static int index_key_attr(const ddb_index *ix, const ddb_keyattr *ka, const json_t *item,
                          ddb_error *err)
{
    const json_t *av = json_object_get(item, ka->name);
    if (av == NULL)
        return DDB_OK; /* not in this sparse index */
    ddb_type at = ddb_attr_type(av);
    if (at != ka->type)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: Type mismatch for Index "
                           "Key %s Expected: %s Actual: %s IndexName: %s",
                           ka->name, ddb_type_name(ka->type), ddb_type_name(at), ix->name);
    json_t *v = ddb_attr_payload(av);
    if ((at == DDB_T_S || at == DDB_T_B) && json_string_length(v) == 0)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values are not valid. A value specified for a "
                           "secondary index key is not supported. The AttributeValue for a key "
                           "attribute cannot contain an empty %s value. IndexName: %s, "
                           "IndexKey: %s",
                           at == DDB_T_S ? "string" : "binary", ix->name, ka->name);
    return DDB_OK;
}

int ddb_check_item_keys(const ddb_table *t, const json_t *item, ddb_error *err)
{
    if (item_key_attr(&t->hash, 0, item, err) != DDB_OK)
        return DDB_ERR;
    if (t->range.name && item_key_attr(&t->range, 1, item, err) != DDB_OK)
        return DDB_ERR;
    /* GSIs in reverse declaration order, then LSIs (DynamoDB's recorded order) */
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t k = t->n_indexes; k-- > 0;) {
            const ddb_index *ix = &t->indexes[pass == 0 ? k : t->n_indexes - 1 - k];
            if (ix->local != (int)pass)
                continue;
            if (index_key_attr(ix, &ix->hash, item, err) != DDB_OK)
                return DDB_ERR;
            if (ix->range.name && index_key_attr(ix, &ix->range, item, err) != DDB_OK)
                return DDB_ERR;
        }
    }
    return DDB_OK;
}
