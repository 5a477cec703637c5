/* SPDX-License-Identifier: MIT
**
** tables.c -- CreateTable, DescribeTable, ListTables, DeleteTable,
** DescribeLimits and DescribeEndpoints: validation in DynamoDB's order with its
** texts, table definitions in the catalog, and status transitions (the
** mutating call's own reply shows CREATING / DELETING; later reads show the
** state the configured delays give). UpdateTable is in table_update.c, the
** tagging operations in tags.c.
*/
#include "authz.h"
#include "describe.h"
#include "itemio.h"
#include "tabledef.h"
#include "throughput.h"

#include <stdlib.h>
#include <string.h>

#define DDB_MAX_GSI 20
#define DDB_MAX_LSI 5
#define DDB_MAX_PROJECTED 100
#define DDB_TABLE_QUOTA_RCU 40000
#define DDB_TABLE_QUOTA_WCU 40000

static const char *const billing_modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const stream_view_types[] = {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
                                                "KEYS_ONLY", NULL};
static const char *const table_classes[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS", NULL};

/*---- CreateTable ----*/

static void check_create_constraints(json_t *in, ddb_checks *c)
{
    json_t *ads = json_object_get(in, "AttributeDefinitions");
    ddb_chk_required(c, ads, "attributeDefinitions");
    ddb_def_chk_attr_defs(c, ads, "attributeDefinitions");
    /* tableName: added by the caller in between, see ddb_op_create_table */
}

static void check_create_constraints_rest(json_t *in, ddb_checks *c)
{
    ddb_def_chk_throughput(c, json_object_get(in, "ProvisionedThroughput"),
                           "provisionedThroughput");
    ddb_def_chk_key_schema(c, json_object_get(in, "KeySchema"), "keySchema", 1);
    size_t i;
    json_t *ix;
    json_array_foreach(json_object_get(in, "LocalSecondaryIndexes"), i, ix) {
        char *p = ddb_xasprintf("localSecondaryIndexes.%zu.member", i + 1);
        ddb_def_chk_index(c, ix, p, 0);
        free(p);
    }
    json_array_foreach(json_object_get(in, "GlobalSecondaryIndexes"), i, ix) {
        char *p = ddb_xasprintf("globalSecondaryIndexes.%zu.member", i + 1);
        ddb_def_chk_index(c, ix, p, 1);
        free(p);
    }
    ddb_chk_enum(c, json_object_get(in, "BillingMode"), "billingMode", billing_modes,
                 "[PROVISIONED, PAY_PER_REQUEST]");
    json_t *ss = json_object_get(in, "StreamSpecification");
    if (ss != NULL) {
        ddb_chk_required(c, json_object_get(ss, "StreamEnabled"), "streamSpecification.streamEnabled");
        ddb_chk_enum(c, json_object_get(ss, "StreamViewType"), "streamSpecification.streamViewType",
                     stream_view_types, "[OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]");
    }
    ddb_chk_enum(c, json_object_get(in, "TableClass"), "tableClass", table_classes,
                 "[STANDARD, STANDARD_INFREQUENT_ACCESS]");
}

/* Every index key attribute and the table key attributes, as used names. */
static int attr_used(json_t *in, const char *name)
{
    const char *lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    size_t i, j;
    json_t *e, *ix;
    json_array_foreach(json_object_get(in, "KeySchema"), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "AttributeName")), name) == 0)
            return 1;
    }
    for (int l = 0; l < 2; l++) {
        json_array_foreach(json_object_get(in, lists[l]), i, ix) {
            json_array_foreach(json_object_get(ix, "KeySchema"), j, e) {
                if (strcmp(json_string_value(json_object_get(e, "AttributeName")), name) == 0)
                    return 1;
            }
        }
    }
    return 0;
}

static int check_indexes(json_t *in, int on_demand, ddb_error *err)
{
    json_t *ads = json_object_get(in, "AttributeDefinitions");
    json_t *ks = json_object_get(in, "KeySchema");
    json_t *lsis = json_object_get(in, "LocalSecondaryIndexes");
    json_t *gsis = json_object_get(in, "GlobalSecondaryIndexes");
    const char *table_hash = ddb_def_key_name(ks, "HASH");
    size_t i, j;
    json_t *ix, *other;

    if (lsis != NULL) {
        if (json_array_size(lsis) == 0)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: List of "
                               "LocalSecondaryIndexes is empty");
        if (ddb_def_key_name(ks, "RANGE") == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Table KeySchema does "
                               "not have a range key, which is required when specifying a "
                               "LocalSecondaryIndex");
        json_array_foreach(lsis, i, ix) {
            const char *name = json_string_value(json_object_get(ix, "IndexName"));
            json_t *iks = json_object_get(ix, "KeySchema");
            if (ddb_def_check_key_schema(iks, ads, 0, err) != DDB_OK)
                return DDB_ERR;
            const char *ih = ddb_def_key_name(iks, "HASH");
            if (ddb_def_key_name(iks, "RANGE") == NULL)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Index KeySchema "
                                   "does not have a range key for index: %s",
                                   name);
            if (strcmp(ih, table_hash) != 0)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Index KeySchema "
                                   "does not have the same leading hash key as table KeySchema "
                                   "for index: %s. index hash key: %s, table hash key: %s",
                                   name, ih, table_hash);
            if (ddb_def_check_projection(json_object_get(ix, "Projection"), err) != DDB_OK)
                return DDB_ERR;
        }
        json_array_foreach(lsis, i, ix) {
            json_array_foreach(lsis, j, other) {
                if (j < i && json_equal(json_object_get(ix, "IndexName"),
                                        json_object_get(other, "IndexName")))
                    return ddb_err_set(err, DDB_E_VALIDATION,
                                       "One or more parameter values were invalid: Duplicate "
                                       "index name: %s",
                                       json_string_value(json_object_get(ix, "IndexName")));
            }
        }
        if (json_array_size(lsis) > DDB_MAX_LSI)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Number of "
                               "LocalSecondaryIndexes exceeds per-table limit of %d",
                               DDB_MAX_LSI);
    }
    if (gsis != NULL) {
        if (json_array_size(gsis) == 0)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: List of "
                               "GlobalSecondaryIndexes is empty");
        json_array_foreach(gsis, i, ix) {
            const char *name = json_string_value(json_object_get(ix, "IndexName"));
            if (ddb_def_check_key_schema(json_object_get(ix, "KeySchema"), ads, 0, err) != DDB_OK ||
                ddb_def_check_projection(json_object_get(ix, "Projection"), err) != DDB_OK)
                return DDB_ERR;
            json_t *pt = json_object_get(ix, "ProvisionedThroughput");
            if (!on_demand && pt == NULL)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: "
                                   "ProvisionedThroughput is not specified for index: %s",
                                   name);
            if (on_demand && pt != NULL)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: "
                                   "ProvisionedThroughput should not be specified for index: %s "
                                   "when BillingMode is PAY_PER_REQUEST",
                                   name);
            if (ddb_def_check_throughput_bounds(pt, name, err) != DDB_OK)
                return DDB_ERR;
        }
        json_array_foreach(gsis, i, ix) {
            json_t *n = json_object_get(ix, "IndexName");
            json_array_foreach(gsis, j, other) {
                if (j < i && json_equal(n, json_object_get(other, "IndexName")))
                    goto duplicate;
            }
            json_array_foreach(lsis, j, other) {
                if (json_equal(n, json_object_get(other, "IndexName")))
                    goto duplicate;
            }
            continue;
        duplicate:
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Duplicate index name: "
                               "%s",
                               json_string_value(n));
        }
        if (json_array_size(gsis) > DDB_MAX_GSI)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: GlobalSecondaryIndex "
                               "count exceeds the per-table limit of %d",
                               DDB_MAX_GSI);
    }
    /* every attribute definition must be used by a key */
    size_t n_used = 0;
    json_array_foreach(ads, i, other) {
        if (attr_used(in, json_string_value(json_object_get(other, "AttributeName"))))
            n_used++;
    }
    if (n_used != json_array_size(ads)) {
        if (lsis == NULL && gsis == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Number of attributes "
                               "in KeySchema does not exactly match number of attributes defined "
                               "in AttributeDefinitions");
        ddb_buf defs = DDB_BUF_INIT, used = DDB_BUF_INIT;
        json_array_foreach(ads, i, other) {
            const char *n = json_string_value(json_object_get(other, "AttributeName"));
            ddb_buf_printf(&defs, "%s%s", i ? ", " : "", n);
            if (attr_used(in, n))
                ddb_buf_printf(&used, "%s%s", used.len ? ", " : "", n);
        }
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Some AttributeDefinitions are not "
                    "used. AttributeDefinitions: [%s], keys used: [%s]",
                    defs.data ? (char *)defs.data : "", used.data ? (char *)used.data : "");
        ddb_buf_free(&defs);
        ddb_buf_free(&used);
        return DDB_ERR;
    }
    /* projected attributes over all indexes */
    size_t projected = 0;
    for (int l = 0; l < 2; l++) {
        json_array_foreach(l ? gsis : lsis, i, ix) {
            projected += json_array_size(json_object_get(json_object_get(ix, "Projection"),
                                                         "NonKeyAttributes"));
        }
    }
    if (projected > DDB_MAX_PROJECTED)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: Number of projected "
                           "attributes in all indexes exceeds limit of %d",
                           DDB_MAX_PROJECTED);
    return DDB_OK;
}

static int check_quota(json_t *pt, const char *region, ddb_error *err)
{
    static const char *const members[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    static const long long quota[] = {DDB_TABLE_QUOTA_RCU, DDB_TABLE_QUOTA_WCU};
    for (int i = 0; i < 2; i++) {
        long long v = json_integer_value(json_object_get(pt, members[i]));
        if (v > quota[i])
            return ddb_err_set(err, DDB_E_LIMIT_EXCEEDED,
                               "The requested %s, %lld, is above the per table maximum for the "
                               "account in %s. Per table maximum: %lld. Refer to the Amazon "
                               "DynamoDB Developer Guide for current limits and how to request "
                               "higher limits.",
                               members[i], v, region, quota[i]);
    }
    return DDB_OK;
}

/* OnDemandThroughput maxima: -1 (no limit) or at least 1. */
static int check_on_demand_range(json_t *odt, ddb_error *err)
{
    static const char *const members[] = {"MaxReadRequestUnits", "MaxWriteRequestUnits"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(odt, members[i]);
        if (v != NULL && json_integer_value(v) != -1 && json_integer_value(v) < 1)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Requested %s for "
                               "OnDemandThroughput for table is outside of valid range",
                               members[i]);
    }
    return DDB_OK;
}

/* The semantic checks of CreateTable, in DynamoDB's order. */
static int check_create(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    const char *bm = json_string_value(json_object_get(in, "BillingMode"));
    int on_demand = bm != NULL && strcmp(bm, "PAY_PER_REQUEST") == 0;
    json_t *pt = json_object_get(in, "ProvisionedThroughput");
    json_t *ks = json_object_get(in, "KeySchema");
    json_t *ads = json_object_get(in, "AttributeDefinitions");

    if (on_demand && pt != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: Neither ReadCapacityUnits "
                           "nor WriteCapacityUnits can be specified when BillingMode is "
                           "PAY_PER_REQUEST");
    if (!on_demand && pt == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: ReadCapacityUnits and "
                           "WriteCapacityUnits must both be specified when BillingMode is "
                           "PROVISIONED");
    if (!on_demand && json_object_get(in, "OnDemandThroughput") != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: MaxReadRequestUnits for "
                           "OnDemandThroughput cannot be specified when table BillingMode is "
                           "PROVISIONED.");
    if (ddb_def_check_throughput_bounds(pt, NULL, err) != DDB_OK)
        return DDB_ERR;
    if (json_array_size(ks) > 2) {
        ddb_checks c = DDB_CHECKS_INIT;
        char *v = ddb_chk_render(ks, "KeySchemaElement");
        ddb_chk_add(&c, v, "keySchema", "Member must have length less than or equal to 2");
        free(v);
        return ddb_chk_finish(&c, err);
    }
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(ads, i, a) {
        json_array_foreach(ads, j, b) {
            if (j < i && json_equal(json_object_get(a, "AttributeName"),
                                    json_object_get(b, "AttributeName")))
                return ddb_err_set(err, DDB_E_VALIDATION, "Attribute Name is duplicated: %s",
                                   json_string_value(json_object_get(a, "AttributeName")));
        }
    }
    if (ddb_def_check_key_schema(ks, ads, 1, err) != DDB_OK)
        return DDB_ERR;
    if (check_indexes(in, on_demand, err) != DDB_OK)
        return DDB_ERR;
    json_t *ss = json_object_get(in, "StreamSpecification");
    if (ss != NULL) {
        int enabled = json_is_true(json_object_get(ss, "StreamEnabled"));
        json_t *vt = json_object_get(ss, "StreamViewType");
        if (enabled && vt == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Table is being created "
                               "with a stream enabled, UpdateViewType is required");
        if (!enabled && vt != NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Table is being created "
                               "with a stream disabled, UpdateViewType should not be specified");
    }
    json_t *sse = json_object_get(in, "SSESpecification");
    if (sse != NULL && json_is_false(json_object_get(sse, "Enabled")) &&
        json_object_get(sse, "SSEType") != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION, "SSEType can not be specified if Enabled is false");
    if (check_on_demand_range(json_object_get(in, "OnDemandThroughput"), err) != DDB_OK)
        return DDB_ERR;
    if (ddb_def_check_tags(json_object_get(in, "Tags"), err) != DDB_OK)
        return DDB_ERR;
    if (json_array_size(json_object_get(in, "Tags")) > DDB_MAX_TAGS)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Number of Tags exceed the current limit for the provided ResourceArn");
    if (!on_demand && check_quota(pt, req->region, err) != DDB_OK)
        return DDB_ERR;
    return DDB_OK;
}

/* A copy of an index definition from the request, with the members we keep. */
static json_t *index_def(json_t *ix, int global, int on_demand, uint32_t id)
{
    json_t *d = json_object();
    json_object_set(d, "IndexName", json_object_get(ix, "IndexName"));
    json_object_set_new(d, "id", json_integer(id));
    json_object_set_new(d, "KeySchema", json_deep_copy(json_object_get(ix, "KeySchema")));
    json_object_set_new(d, "Projection", json_deep_copy(json_object_get(ix, "Projection")));
    if (global) {
        json_t *pt = json_object_get(ix, "ProvisionedThroughput");
        json_t *p = json_object();
        json_object_set_new(p, "ReadCapacityUnits",
                            json_integer(on_demand ? 0 : json_integer_value(json_object_get(pt, "ReadCapacityUnits"))));
        json_object_set_new(p, "WriteCapacityUnits",
                            json_integer(on_demand ? 0 : json_integer_value(json_object_get(pt, "WriteCapacityUnits"))));
        json_object_set_new(p, "NumberOfDecreasesToday", json_integer(0));
        json_object_set_new(d, "ProvisionedThroughput", p);
        json_t *odt = json_object_get(ix, "OnDemandThroughput");
        if (odt != NULL)
            json_object_set_new(d, "OnDemandThroughput", json_deep_copy(odt));
        json_object_set_new(d, "IndexStatus", json_string("CREATING"));
    }
    return d;
}

int ddb_op_create_table(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    ddb_checks c = DDB_CHECKS_INIT;
    check_create_constraints(in, &c);
    if (ddb_req_check_control_table_name(req, &c, err) != DDB_OK) {
        ddb_chk_free(&c);
        return DDB_ERR;
    }
    check_create_constraints_rest(in, &c);
    if (ddb_chk_finish(&c, err) != DDB_OK || check_create(req, err) != DDB_OK)
        return DDB_ERR;

    const char *name = ddb_req_table_name(req);
    json_t *ctx = ddb_authz_ctx_new();
    size_t ti;
    json_t *tg;
    json_array_foreach(json_object_get(in, "Tags"), ti, tg) {
        const char *k = json_string_value(json_object_get(tg, "Key"));
        char *key = ddb_xasprintf("aws:RequestTag/%s", k);
        json_object_set(ctx, key, json_object_get(tg, "Value"));
        free(key);
        json_t *tk = json_object_get(ctx, "aws:TagKeys");
        if (tk == NULL)
            json_object_set_new(ctx, "aws:TagKeys", tk = json_array());
        json_array_append_new(tk, json_string(k));
    }
    int allowed = ddb_authz_table(req, NULL, name, NULL, ctx, err);
    json_decref(ctx);
    if (allowed != DDB_OK)
        return DDB_ERR;
    const char *bm = json_string_value(json_object_get(in, "BillingMode"));
    int on_demand = bm != NULL && strcmp(bm, "PAY_PER_REQUEST") == 0;
    double now = ddb_timestamp_now();
    /* the end of CREATING from the unrounded clock: with 0 ms the table is
    ** ACTIVE for every later request, even within the rounding of 'now' */
    double until = ddb_now() + req->srv->cfg.create_table_ms / 1000.0;
    ddb_conn *conn = ddb_store_conn(req->srv->store, err);
    if (conn == NULL || ddb_store_write_begin(conn, err) != DDB_OK)
        return DDB_ERR;
    int rc = DDB_ERR;
    ddb_table *t = NULL;
    ddb_table *existing = ddb_catalog_get(req->srv->catalog, req->region, name);
    if (existing != NULL) {
        if (ddb_table_status_at(existing, ddb_now()) == DDB_TS_CREATING)
            ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                        "Attempt to change a resource which is still in use: Table is being "
                        "created: %s",
                        name);
        else
            ddb_err_set(err, DDB_E_RESOURCE_IN_USE, "Table already exists: %s", name);
        ddb_table_unref(existing);
        goto out;
    }

    json_t *def = json_object();
    uint32_t id;
    if (ddb_store_next_id(conn, &id, err) != DDB_OK) {
        json_decref(def);
        goto out;
    }
    char uuid[37];
    ddb_uuid(uuid);
    json_object_set_new(def, "TableName", json_string(name));
    json_object_set_new(def, "id", json_integer(id));
    json_object_set_new(def, "TableId", json_string(uuid));
    json_object_set_new(def, "AttributeDefinitions",
                        json_deep_copy(json_object_get(in, "AttributeDefinitions")));
    json_object_set_new(def, "KeySchema", json_deep_copy(json_object_get(in, "KeySchema")));
    json_object_set_new(def, "BillingMode", json_string(on_demand ? "PAY_PER_REQUEST" : "PROVISIONED"));
    json_t *pt = json_object();
    json_t *rpt = json_object_get(in, "ProvisionedThroughput");
    json_object_set_new(pt, "ReadCapacityUnits",
                        json_integer(json_integer_value(json_object_get(rpt, "ReadCapacityUnits"))));
    json_object_set_new(pt, "WriteCapacityUnits",
                        json_integer(json_integer_value(json_object_get(rpt, "WriteCapacityUnits"))));
    json_object_set_new(pt, "NumberOfDecreasesToday", json_integer(0));
    if (!on_demand)
        json_object_set_new(def, "PeakThroughput", json_deep_copy(pt));
    json_object_set_new(def, "ProvisionedThroughput", pt);
    if (on_demand)
        json_object_set_new(def, "LastUpdateToPayPerRequestDateTime", json_real(now));
    json_object_set_new(def, "CreationDateTime", json_real(now));
    json_object_set_new(def, "DeletionProtectionEnabled",
                        json_boolean(json_is_true(json_object_get(in, "DeletionProtectionEnabled"))));
    static const char *const copied[] = {"StreamSpecification", "SSESpecification", "TableClass",
                                         "OnDemandThroughput", NULL};
    for (int i = 0; copied[i]; i++) {
        json_t *v = json_object_get(in, copied[i]);
        if (v != NULL)
            json_object_set_new(def, copied[i], json_deep_copy(v));
    }
    json_t *ss = json_object_get(in, "StreamSpecification");
    if (json_is_true(json_object_get(ss, "StreamEnabled"))) {
        char label[32];
        time_t secs = (time_t)now;
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(label, sizeof label, "%Y-%m-%dT%H:%M:%S", &tm);
        char *full = ddb_xasprintf("%s.%03d", label, (int)((now - (double)secs) * 1000.0 + 0.5) % 1000);
        char *arn = ddb_table_arn(req, name);
        json_object_set_new(def, "LatestStreamLabel", json_string(full));
        json_object_set_new(def, "LatestStreamArn", json_sprintf("%s/stream/%s", arn, full));
        free(arn);
        free(full);
    }
    json_t *tags = json_object_get(in, "Tags");
    json_object_set_new(def, "Tags", tags ? json_deep_copy(tags) : json_array());
    const char *lists[2] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
    for (int l = 0; l < 2; l++) {
        json_t *src = json_object_get(in, lists[l]);
        if (src == NULL)
            continue;
        json_t *dst = json_array();
        size_t i;
        json_t *ix;
        json_array_foreach(src, i, ix) {
            uint32_t ixid;
            if (ddb_store_next_id(conn, &ixid, err) != DDB_OK) {
                json_decref(dst);
                json_decref(def);
                goto out;
            }
            json_t *d = index_def(ix, l == 0, on_demand, ixid);
            if (l == 0)
                json_object_set_new(d, "status_until", json_real(until));
            json_array_append_new(dst, d);
        }
        json_object_set_new(def, lists[l], dst);
    }
    json_object_set_new(def, "TableStatus", json_string("CREATING"));
    json_object_set_new(def, "status_until", json_real(until));

    t = ddb_table_from_def(req->region, def, err);
    if (t == NULL)
        goto out;
    ddb_table_ref(t); /* one for the catalog, one for the reply below */
    if (ddb_catalog_put(req->srv->catalog, conn, t, err) != DDB_OK)
        goto out;
    rc = DDB_OK;
out:
    if (ddb_store_write_end(conn, rc == DDB_OK, err) != DDB_OK)
        rc = DDB_ERR;
    if (rc == DDB_OK) {
        json_t *desc = ddb_table_describe(req, t, DDB_DESC_CREATE, NULL, err);
        if (desc == NULL)
            rc = DDB_ERR;
        else {
            req->out = json_object();
            json_object_set_new(req->out, "TableDescription", desc);
            ddb_log(DDB_LOG_INFO, "created table %s in %s", name, req->region);
        }
    }
    ddb_table_unref(t);
    return rc;
}

/*---- DescribeTable ----*/

static int check_table_name_only(ddb_req *req, ddb_error *err)
{
    ddb_checks c = DDB_CHECKS_INIT;
    if (ddb_req_check_control_table_name(req, &c, err) != DDB_OK) {
        ddb_chk_free(&c);
        return DDB_ERR;
    }
    return ddb_chk_finish(&c, err);
}

int ddb_op_describe_table(ddb_req *req, ddb_error *err)
{
    if (check_table_name_only(req, err) != DDB_OK)
        return DDB_ERR;
    ddb_table *t = ddb_authz_lookup(req, 0, NULL, NULL, err);
    if (t == NULL)
        return DDB_ERR;
    json_t *desc = ddb_table_describe(req, t, DDB_DESC_DESCRIBE, NULL, err);
    ddb_table_unref(t);
    if (desc == NULL)
        return DDB_ERR;
    req->out = json_object();
    json_object_set_new(req->out, "Table", desc);
    return DDB_OK;
}

/*---- ListTables ----*/

int ddb_op_list_tables(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    json_t *limit = json_object_get(in, "Limit");
    json_t *start = json_object_get(in, "ExclusiveStartTableName");
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_min_value(&c, limit, "limit", 1);
    ddb_chk_max_value(&c, limit, "limit", 100);
    ddb_chk_name_pattern(&c, start, "exclusiveStartTableName");
    ddb_chk_min_len(&c, start, "exclusiveStartTableName", 3);
    ddb_chk_max_len(&c, start, "exclusiveStartTableName", 255);
    if (ddb_chk_finish(&c, err) != DDB_OK ||
        ddb_authz(req, req->op->action, "*", NULL, err) != DDB_OK)
        return DDB_ERR;

    size_t n = 0, max = limit ? (size_t)json_integer_value(limit) : 100;
    char **names = ddb_catalog_names(req->srv->catalog, req->region, &n);
    json_t *list = json_array();
    size_t i = 0;
    if (start != NULL)
        while (i < n && strcmp(names[i], json_string_value(start)) <= 0)
            i++;
    size_t last = n;
    for (; i < n && json_array_size(list) < max; i++) {
        json_array_append_new(list, json_string(names[i]));
        last = i;
    }
    req->out = json_object();
    json_object_set_new(req->out, "TableNames", list);
    if (json_array_size(list) == max && last + 1 < n)
        json_object_set_new(req->out, "LastEvaluatedTableName", json_string(names[last]));
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
    return DDB_OK;
}

/*---- DeleteTable ----*/

/* ResourceInUseException when a table or one of its indexes is changing. */
static int check_not_changing(const ddb_table *t, ddb_error *err)
{
    double now = ddb_now();
    switch (ddb_table_status_at(t, now)) {
        case DDB_TS_CREATING:
            return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                               "Attempt to change a resource which is still in use: Table is being "
                               "created: %s",
                               t->name);
        case DDB_TS_DELETING:
            return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                               "Attempt to change a resource which is still in use: Table is being "
                               "deleted: %s",
                               t->name);
        case DDB_TS_UPDATING:
            return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                               "Attempt to change a resource which is still in use: Table: %s is "
                               "in the process of being updated.",
                               t->name);
        default:
            break;
    }
    size_t i;
    json_t *ix;
    json_array_foreach(json_object_get(t->def, "GlobalSecondaryIndexes"), i, ix) {
        const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
        if (st && strcmp(st, "ACTIVE") != 0 &&
            now < json_number_value(json_object_get(ix, "status_until")))
            return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                               "Attempt to change a resource which is still in use: Cannot delete "
                               "table while indexes are being created, updated, or deleted.");
    }
    return DDB_OK;
}

int ddb_op_delete_table(ddb_req *req, ddb_error *err)
{
    if (check_table_name_only(req, err) != DDB_OK)
        return DDB_ERR;
    ddb_table *t = ddb_authz_lookup(req, 0, NULL, NULL, err);
    if (t == NULL)
        return DDB_ERR;
    int rc = DDB_ERR;
    ddb_conn *conn = NULL;
    ddb_table *ghost = NULL;
    if (check_not_changing(t, err) != DDB_OK)
        goto done;
    if (json_is_true(json_object_get(t->def, "DeletionProtectionEnabled"))) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Resource cannot be deleted as it is currently protected against deletion. "
                    "Disable deletion protection first.");
        goto done;
    }
    /* the reply describes the table as it was, now DELETING */
    req->out = json_object();
    json_t *desc = ddb_table_describe(req, t, DDB_DESC_DELETE, NULL, err);
    if (desc == NULL)
        goto done;
    json_object_set_new(req->out, "TableDescription", desc);

    conn = ddb_store_conn(req->srv->store, err);
    if (conn == NULL || ddb_store_write_begin(conn, err) != DDB_OK)
        goto done;
    ddb_table *cur = ddb_catalog_get(req->srv->catalog, t->region, t->name);
    int same = cur != NULL && cur->id == t->id;
    ddb_table_unref(cur);
    if (!same) { /* deleted meanwhile */
        ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND,
                    "Requested resource not found: Table: %s not found", t->name);
        ddb_store_write_end(conn, 0, err);
        goto done;
    }
    rc = ddb_rows_drop(conn, t->id, err);
    size_t i;
    json_t *ix;
    const char *lists[2] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
    for (int l = 0; l < 2 && rc == DDB_OK; l++)
        json_array_foreach(json_object_get(t->def, lists[l]), i, ix) {
            if (rc == DDB_OK)
                rc = ddb_rows_drop(conn, (uint32_t)json_integer_value(json_object_get(ix, "id")),
                                   err);
        }
    if (rc == DDB_OK)
        rc = ddb_catalog_remove(req->srv->catalog, conn, t->region, t->name, err);
    if (rc == DDB_OK)
        ddb_tput_forget(req->srv->tput, t->region, t->name);
    if (ddb_store_write_end(conn, rc == DDB_OK, err) != DDB_OK)
        rc = DDB_ERR;
    if (rc == DDB_OK && req->srv->cfg.delete_table_ms > 0) {
        /* keep it visible as DELETING for the configured time */
        json_t *def = json_deep_copy(t->def);
        json_object_set_new(def, "TableStatus", json_string("DELETING"));
        json_object_set_new(def, "status_until",
                            json_real(ddb_now() + req->srv->cfg.delete_table_ms / 1000.0));
        ghost = ddb_table_from_def(t->region, def, err);
        if (ghost != NULL)
            ddb_catalog_put_ghost(req->srv->catalog, ghost);
    }
    if (rc == DDB_OK)
        ddb_log(DDB_LOG_INFO, "deleted table %s in %s", t->name, t->region);
done:
    ddb_table_unref(t);
    return rc;
}

/*---- account-level ----*/

int ddb_op_describe_limits(ddb_req *req, ddb_error *err)
{
    if (ddb_authz(req, req->op->action, "*", NULL, err) != DDB_OK)
        return DDB_ERR;
    req->out = json_pack("{s:i,s:i,s:i,s:i}", "AccountMaxReadCapacityUnits", 80000,
                         "AccountMaxWriteCapacityUnits", 80000, "TableMaxReadCapacityUnits",
                         DDB_TABLE_QUOTA_RCU, "TableMaxWriteCapacityUnits", DDB_TABLE_QUOTA_WCU);
    return DDB_OK;
}

int ddb_op_describe_endpoints(ddb_req *req, ddb_error *err)
{
    if (ddb_authz(req, req->op->action, "*", NULL, err) != DDB_OK)
        return DDB_ERR;
    /* Point endpoint discovery back at ddbd itself, never at AWS. */
    const char *host = ddb_req_header(req, "Host");
    char fallback[96];
    if (host == NULL) {
        snprintf(fallback, sizeof fallback, "%s:%d", req->srv->cfg.host, req->srv->bound_port);
        host = fallback;
    }
    req->out = json_pack("{s:[{s:s,s:i}]}", "Endpoints", "Address", host, "CachePeriodInMinutes",
                         1440);
    return DDB_OK;
}
