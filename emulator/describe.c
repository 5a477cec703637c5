/* SPDX-License-Identifier: MIT
**
** describe.c -- builds TableDescription objects from a table's definition,
** its counters in the store and the clock (see describe.h).
*/
#include "describe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double ddb_timestamp_now(void)
{
    return floor(ddb_now() * 1000.0 + 0.5) / 1000.0;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A deep copy with the members of every object in alphabetical order, as
** DynamoDB sends them (the definition keeps what the client sent, in the
** client's order: {"ProjectionType":..,"NonKeyAttributes":..}). */
static json_t *sorted_copy(const json_t *v)
{
    size_t i;
    json_t *e;
    if (json_is_array(v)) {
        json_t *a = json_array();
        json_array_foreach((json_t *)v, i, e) json_array_append_new(a, sorted_copy(e));
        return a;
    }
    if (!json_is_object(v))
        return json_deep_copy(v);
    size_t n = json_object_size(v);
    const char **keys = ddb_xmalloc((n ? n : 1) * sizeof *keys);
    const char *k;
    i = 0;
    json_object_foreach((json_t *)v, k, e) keys[i++] = k;
    qsort(keys, n, sizeof *keys, cmp_keys);
    json_t *o = json_object();
    for (i = 0; i < n; i++)
        json_object_set_new(o, keys[i], sorted_copy(json_object_get(v, keys[i])));
    free(keys);
    return o;
}

static void set_copy(json_t *out, const char *key, const json_t *v)
{
    if (v != NULL)
        json_object_set_new(out, key, sorted_copy(v));
}

/* {"NumberOfDecreasesToday":n,"ReadCapacityUnits":r,"WriteCapacityUnits":w} plus
** the Last*DateTime members when set; zeros for on-demand. */
static json_t *throughput(const json_t *pt, int on_demand)
{
    json_t *o = json_object();
    if (!on_demand) {
        set_copy(o, "LastDecreaseDateTime", json_object_get(pt, "LastDecreaseDateTime"));
        set_copy(o, "LastIncreaseDateTime", json_object_get(pt, "LastIncreaseDateTime"));
    }
    json_t *dec = json_object_get(pt, "NumberOfDecreasesToday");
    json_object_set_new(o, "NumberOfDecreasesToday", json_integer(dec ? json_integer_value(dec) : 0));
    json_object_set_new(o, "ReadCapacityUnits",
                        json_integer(on_demand ? 0 : json_integer_value(json_object_get(pt, "ReadCapacityUnits"))));
    json_object_set_new(o, "WriteCapacityUnits",
                        json_integer(on_demand ? 0 : json_integer_value(json_object_get(pt, "WriteCapacityUnits"))));
    return o;
}

static json_t *warm_throughput(const json_t *def, const json_t *pt, int on_demand, const char *status)
{
    json_t *o = json_object();
    long long r = 12000, w = 4000; /* a new on-demand table's warm throughput */
    if (!on_demand) {
        /* the highest provisioned values the table has had */
        json_t *peak = json_object_get(def, "PeakThroughput");
        r = json_integer_value(json_object_get(peak ? peak : pt, "ReadCapacityUnits"));
        w = json_integer_value(json_object_get(peak ? peak : pt, "WriteCapacityUnits"));
    }
    json_object_set_new(o, "ReadUnitsPerSecond", json_integer(r));
    json_object_set_new(o, "Status", json_string(status));
    json_object_set_new(o, "WriteUnitsPerSecond", json_integer(w));
    return o;
}

static int counters(ddb_req *req, uint32_t id, json_t *out, const char *count_key,
                    const char *size_key, ddb_error *err)
{
    ddb_conn *c = ddb_store_conn(req->srv->store, err);
    int64_t items = 0, bytes = 0;
    if (c == NULL || ddb_store_stats_get(c, id, &items, &bytes, err) != DDB_OK)
        return DDB_ERR;
    json_object_set_new(out, count_key, json_integer(items));
    json_object_set_new(out, size_key, json_integer(bytes));
    return DDB_OK;
}

static json_t *describe_index(ddb_req *req, const char *table_arn, const json_t *ix, int global,
                              int on_demand, ddb_desc_mode mode, double now,
                              ddb_error *err)
{
    json_t *o = json_object();
    const char *name = json_string_value(json_object_get(ix, "IndexName"));
    const char *status = json_string_value(json_object_get(ix, "IndexStatus"));
    double until = json_number_value(json_object_get(ix, "status_until"));
    const char *eff = "ACTIVE";
    /* the mutating call's own reply shows the transition; later reads the clock's state */
    int raw = mode == DDB_DESC_CREATE || mode == DDB_DESC_UPDATE;
    if (status != NULL && strcmp(status, "ACTIVE") != 0 && (raw || now < until))
        eff = status;
    /* an index added by UpdateTable: the UpdateTable reply shows Backfilling
    ** false (the backfill has not started), later reads true until ACTIVE */
    if (global && json_is_true(json_object_get(ix, "Backfilling")) && strcmp(eff, "CREATING") == 0)
        json_object_set_new(o, "Backfilling", json_boolean(mode != DDB_DESC_UPDATE));
    json_object_set_new(o, "IndexArn", json_sprintf("%s/index/%s", table_arn, name));
    json_object_set_new(o, "IndexName", json_string(name));
    json_t *cnt = json_object();
    if (counters(req, (uint32_t)json_integer_value(json_object_get(ix, "id")), cnt, "ItemCount",
                 "IndexSizeBytes", err) != DDB_OK) {
        json_decref(cnt);
        json_decref(o);
        return NULL;
    }
    json_object_set(o, "IndexSizeBytes", json_object_get(cnt, "IndexSizeBytes"));
    if (global)
        json_object_set_new(o, "IndexStatus", json_string(eff));
    json_object_set(o, "ItemCount", json_object_get(cnt, "ItemCount"));
    json_decref(cnt);
    set_copy(o, "KeySchema", json_object_get(ix, "KeySchema"));
    if (global)
        set_copy(o, "OnDemandThroughput", json_object_get(ix, "OnDemandThroughput"));
    set_copy(o, "Projection", json_object_get(ix, "Projection"));
    if (global) {
        json_object_set_new(o, "ProvisionedThroughput",
                            throughput(json_object_get(ix, "ProvisionedThroughput"), on_demand));
        if (mode != DDB_DESC_CREATE)
            json_object_set_new(o, "WarmThroughput",
                                warm_throughput(ix, json_object_get(ix, "ProvisionedThroughput"),
                                                on_demand, strcmp(eff, "ACTIVE") == 0 ? "ACTIVE" : "UPDATING"));
    }
    return o;
}

/* Timestamps (members named *DateTime) become raw numbers in Java's format. */
static void java_timestamps(json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) java_timestamps(e);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e) {
        size_t n = strlen(k);
        if (json_is_number(e) && n >= 8 && strcmp(k + n - 8, "DateTime") == 0) {
            char text[40];
            ddb_java_double(json_number_value(e), text, sizeof text);
            json_object_set_new(v, k, ddb_json_raw_number(text));
        } else {
            java_timestamps(e);
        }
    }
}

static json_t *describe(ddb_req *req, const ddb_table *t, ddb_desc_mode mode,
                        const json_t *old_pt, ddb_error *err);

json_t *ddb_table_describe(ddb_req *req, const ddb_table *t, ddb_desc_mode mode,
                           const json_t *old_pt, ddb_error *err)
{
    json_t *o = describe(req, t, mode, old_pt, err);
    if (o != NULL)
        java_timestamps(o);
    return o;
}

static json_t *describe(ddb_req *req, const ddb_table *t, ddb_desc_mode mode,
                        const json_t *old_pt, ddb_error *err)
{
    const json_t *def = t->def;
    double now = ddb_now();
    int on_demand = strcmp(json_string_value(json_object_get(def, "BillingMode")),
                           "PAY_PER_REQUEST") == 0;
    char *arn = ddb_table_arn(req, t->name);
    json_t *o = json_object();
    json_t *ppr_time = json_object_get(def, "LastUpdateToPayPerRequestDateTime");

    set_copy(o, "AttributeDefinitions", json_object_get(def, "AttributeDefinitions"));
    if (ppr_time != NULL) {
        json_t *bms = json_object();
        json_object_set(bms, "BillingMode", json_object_get(def, "BillingMode"));
        if (mode != DDB_DESC_CREATE)
            json_object_set(bms, "LastUpdateToPayPerRequestDateTime", ppr_time);
        json_object_set_new(o, "BillingModeSummary", bms);
    }
    set_copy(o, "CreationDateTime", json_object_get(def, "CreationDateTime"));
    json_object_set_new(o, "DeletionProtectionEnabled",
                        json_boolean(json_is_true(json_object_get(def, "DeletionProtectionEnabled"))));

    json_t *gsis = json_object_get(def, "GlobalSecondaryIndexes");
    if (json_array_size(gsis) > 0 && mode != DDB_DESC_DELETE) {
        json_t *arr = json_array();
        size_t i;
        json_t *ix;
        json_array_foreach(gsis, i, ix) {
            /* an index whose deletion has completed is gone */
            const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
            if (st && strcmp(st, "DELETING") == 0 && mode != DDB_DESC_UPDATE &&
                now >= json_number_value(json_object_get(ix, "status_until")))
                continue;
            json_t *d = describe_index(req, arn, ix, 1, on_demand, mode, now, err);
            if (d == NULL) {
                json_decref(arr);
                goto fail;
            }
            json_array_append_new(arr, d);
        }
        if (json_array_size(arr) > 0)
            json_object_set_new(o, "GlobalSecondaryIndexes", arr);
        else
            json_decref(arr);
    }
    if (counters(req, t->id, o, "ItemCount", "TableSizeBytes", err) != DDB_OK)
        goto fail;
    json_t *size = json_object_get(o, "TableSizeBytes");
    json_incref(size);
    json_object_del(o, "TableSizeBytes"); /* re-added below, in alphabetical place */
    set_copy(o, "KeySchema", json_object_get(def, "KeySchema"));
    json_t *stream = json_object_get(def, "StreamSpecification");
    if (json_is_true(json_object_get(stream, "StreamEnabled"))) {
        set_copy(o, "LatestStreamArn", json_object_get(def, "LatestStreamArn"));
        set_copy(o, "LatestStreamLabel", json_object_get(def, "LatestStreamLabel"));
    }
    json_t *lsis = json_object_get(def, "LocalSecondaryIndexes");
    if (json_array_size(lsis) > 0) {
        json_t *arr = json_array();
        size_t i;
        json_t *ix;
        json_array_foreach(lsis, i, ix) {
            json_t *d = describe_index(req, arn, ix, 0, on_demand, mode, now, err);
            if (d == NULL) {
                json_decref(arr);
                json_decref(size);
                goto fail;
            }
            json_array_append_new(arr, d);
        }
        json_object_set_new(o, "LocalSecondaryIndexes", arr);
    }
    set_copy(o, "OnDemandThroughput", json_object_get(def, "OnDemandThroughput"));
    json_object_set_new(o, "ProvisionedThroughput",
                        throughput(old_pt ? old_pt : json_object_get(def, "ProvisionedThroughput"),
                                   on_demand));
    json_t *sse = json_object_get(def, "SSESpecification");
    if (json_is_true(json_object_get(sse, "Enabled"))) {
        json_t *d = json_object();
        json_object_set_new(d, "SSEType", json_string("KMS"));
        json_object_set_new(d, "Status", json_string("ENABLED"));
        json_object_set_new(d, "KMSMasterKeyArn",
                            json_sprintf("arn:aws:kms:%s:%s:key/ddbd-local-key", req->region,
                                         req->account));
        json_object_set_new(o, "SSEDescription", d);
    }
    if (stream != NULL && json_is_true(json_object_get(stream, "StreamEnabled")))
        set_copy(o, "StreamSpecification", stream);
    json_object_set_new(o, "TableArn", json_string(arn));
    json_t *tclass = json_object_get(def, "TableClass");
    if (tclass != NULL) {
        json_t *tc = json_object();
        json_object_set(tc, "TableClass", tclass);
        json_object_set_new(o, "TableClassSummary", tc);
    }
    set_copy(o, "TableId", json_object_get(def, "TableId"));
    json_object_set_new(o, "TableName", json_string(t->name));
    json_object_set_new(o, "TableSizeBytes", size);

    const char *status;
    switch (mode) {
        case DDB_DESC_CREATE: status = "CREATING"; break;
        case DDB_DESC_UPDATE: status = "UPDATING"; break;
        case DDB_DESC_DELETE: status = "DELETING"; break;
        default: status = ddb_table_status_name(ddb_table_status_at(t, now));
    }
    json_object_set_new(o, "TableStatus", json_string(status));
    if (ppr_time != NULL) {
        json_t *tms = json_object();
        /* a mirror of BillingModeSummary: no switch time in CreateTable's reply */
        if (mode != DDB_DESC_CREATE)
            json_object_set(tms, "LastUpdateToPayPerRequestDateTime", ppr_time);
        json_object_set(tms, "TableThroughputMode", json_object_get(def, "BillingMode"));
        json_object_set_new(o, "TableThroughputModeSummary", tms);
    }
    if (mode != DDB_DESC_CREATE)
        json_object_set_new(o, "WarmThroughput",
                            warm_throughput(def, json_object_get(def, "ProvisionedThroughput"),
                                            on_demand, strcmp(status, "UPDATING") == 0 ? "UPDATING" : "ACTIVE"));
    free(arn);
    return o;
fail:
    free(arn);
    json_decref(o);
    return NULL;
}
