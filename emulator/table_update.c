/* SPDX-License-Identifier: MIT
**
** table_update.c -- UpdateTable: billing mode and throughput changes, GSI
** Create (with a backfill of the existing items, in the same transaction),
** GSI Update and Delete, stream, SSE, table class and deletion protection.
** Validation follows DynamoDB's order and texts; the reply shows the table
** UPDATING with the throughput before the change, as DynamoDB's does.
*/
#include "authz.h"
#include "describe.h"
#include "itemio.h"
#include "tabledef.h"

#include <stdlib.h>
#include <string.h>

static const char *const billing_modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};

static const char *const updatable[] = {
    "ProvisionedThroughput", "BillingMode", "StreamSpecification", "GlobalSecondaryIndexUpdates",
    "SSESpecification", "ReplicaUpdates", "MultiRegionConsistency", "DeletionProtectionEnabled",
    "OnDemandThroughput", "WarmThroughput", "TableClass", NULL};

static void check_constraints(json_t *in, ddb_checks *c)
{
    ddb_def_chk_attr_defs(c, json_object_get(in, "AttributeDefinitions"), "attributeDefinitions");
    ddb_def_chk_throughput(c, json_object_get(in, "ProvisionedThroughput"),
                           "provisionedThroughput");
    ddb_chk_enum(c, json_object_get(in, "BillingMode"), "billingMode", billing_modes,
                 "[PROVISIONED, PAY_PER_REQUEST]");
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(in, "GlobalSecondaryIndexUpdates"), i, u) {
        char *base = ddb_xasprintf("globalSecondaryIndexUpdates.%zu.member", i + 1);
        json_t *create = json_object_get(u, "Create");
        json_t *update = json_object_get(u, "Update");
        json_t *del = json_object_get(u, "Delete");
        if (create != NULL) {
            char *p = ddb_xasprintf("%s.create", base);
            ddb_def_chk_index(c, create, p, 1);
            free(p);
        }
        if (update != NULL) {
            char *p = ddb_xasprintf("%s.update.indexName", base);
            json_t *n = json_object_get(update, "IndexName");
            ddb_chk_required(c, n, p);
            ddb_chk_name_pattern(c, n, p);
            ddb_chk_min_len(c, n, p, 3);
            ddb_chk_max_len(c, n, p, 255);
            free(p);
            p = ddb_xasprintf("%s.update.provisionedThroughput", base);
            ddb_def_chk_throughput(c, json_object_get(update, "ProvisionedThroughput"), p);
            free(p);
        }
        if (del != NULL) {
            char *p = ddb_xasprintf("%s.delete.indexName", base);
            json_t *n = json_object_get(del, "IndexName");
            ddb_chk_required(c, n, p);
            ddb_chk_name_pattern(c, n, p);
            ddb_chk_min_len(c, n, p, 3);
            ddb_chk_max_len(c, n, p, 255);
            free(p);
        }
        free(base);
    }
}

static const char *update_index_name(json_t *u)
{
    const char *acts[3] = {"Create", "Update", "Delete"};
    for (int a = 0; a < 3; a++) {
        json_t *x = json_object_get(u, acts[a]);
        if (x != NULL)
            return json_string_value(json_object_get(x, "IndexName"));
    }
    return NULL;
}

/* Checks that need no table. */
static int check_request(json_t *in, ddb_error *err)
{
    int any = 0;
    for (int i = 0; updatable[i]; i++) {
        json_t *v = json_object_get(in, updatable[i]);
        if (v != NULL && !(strcmp(updatable[i], "GlobalSecondaryIndexUpdates") == 0 &&
                           json_array_size(v) == 0))
            any = 1;
    }
    if (!any)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "At least one of ProvisionedThroughput, BillingMode, "
                           "UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, "
                           "ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, "
                           "MultiRegionConsistency, DeletionProtectionEnabled, "
                           "OnDemandThroughput, WarmThroughput or TableClass is required");
    json_t *updates = json_object_get(in, "GlobalSecondaryIndexUpdates");
    size_t i, j;
    json_t *u, *v;
    json_array_foreach(updates, i, u) {
        int n = (json_object_get(u, "Create") != NULL) + (json_object_get(u, "Update") != NULL) +
                (json_object_get(u, "Delete") != NULL);
        if (n == 0)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: One of "
                               "GlobalSecondaryIndexUpdate.Update, "
                               "GlobalSecondaryIndexUpdate.Create, "
                               "GlobalSecondaryIndexUpdate.Delete must not be null");
        if (n > 1)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Only one global "
                               "secondary index action is allowed per GlobalSecondaryIndexUpdate "
                               "object");
    }
    json_array_foreach(updates, i, u) {
        json_array_foreach(updates, j, v) {
            const char *a = update_index_name(u), *b = update_index_name(v);
            if (j < i && a && b && strcmp(a, b) == 0)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Only one global "
                                   "secondary index update per index is allowed simultaneously. "
                                   "Index: %s",
                                   a);
        }
    }
    if (ddb_def_check_throughput_bounds(json_object_get(in, "ProvisionedThroughput"), NULL, err) !=
        DDB_OK)
        return DDB_ERR;
    json_array_foreach(updates, i, u) {
        json_t *x = json_object_get(u, "Create");
        if (x == NULL)
            x = json_object_get(u, "Update");
        if (x != NULL && ddb_def_check_throughput_bounds(json_object_get(x, "ProvisionedThroughput"),
                                                         update_index_name(u), err) != DDB_OK)
            return DDB_ERR;
    }
    size_t n_members = 0;
    for (int k = 0; updatable[k]; k++)
        n_members += json_object_get(in, updatable[k]) != NULL;
    if (json_object_get(in, "DeletionProtectionEnabled") != NULL && n_members > 1)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "DeletionProtection modification must be the only operation in the "
                           "request");
    if (json_object_get(in, "SSESpecification") != NULL && n_members > 1)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Server-Side Encryption modification must be the only operation in "
                           "the request");
    if (json_object_get(in, "TableClass") != NULL && n_members > 1)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "TableClass modification must be the only operation in the request");
    int creates_or_deletes = 0;
    json_array_foreach(updates, i, u) {
        if (json_object_get(u, "Create") || json_object_get(u, "Delete"))
            creates_or_deletes++;
    }
    if (creates_or_deletes > 0 && json_object_get(in, "ProvisionedThroughput") != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "You cannot create or delete index while updating table IOPS");
    if (creates_or_deletes > 0 && json_object_get(in, "StreamSpecification") != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "You cannot create or delete index while changing stream status");
    return DDB_OK;
}

static json_t *find_index(json_t *def, const char *list, const char *name)
{
    size_t i;
    json_t *ix;
    json_array_foreach(json_object_get(def, list), i, ix) {
        if (strcmp(json_string_value(json_object_get(ix, "IndexName")), name) == 0)
            return ix;
    }
    return NULL;
}

static int equal_throughput(const json_t *a, const json_t *b)
{
    return json_integer_value(json_object_get(a, "ReadCapacityUnits")) ==
               json_integer_value(json_object_get(b, "ReadCapacityUnits")) &&
           json_integer_value(json_object_get(a, "WriteCapacityUnits")) ==
               json_integer_value(json_object_get(b, "WriteCapacityUnits"));
}

/* Apply a throughput change to 'pt' (the ProvisionedThroughput of 'def', a
** table's or an index's definition), recording increases, decreases and the
** peak (WarmThroughput). */
static void apply_throughput(json_t *def, json_t *pt, const json_t *req_pt, double now)
{
    long long or_ = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    long long ow = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    long long nr = json_integer_value(json_object_get(req_pt, "ReadCapacityUnits"));
    long long nw = json_integer_value(json_object_get(req_pt, "WriteCapacityUnits"));
    if (nr > or_ || nw > ow)
        json_object_set_new(pt, "LastIncreaseDateTime", json_real(now));
    if (nr < or_ || nw < ow) {
        json_object_set_new(pt, "LastDecreaseDateTime", json_real(now));
        json_object_set_new(pt, "NumberOfDecreasesToday",
                            json_integer(json_integer_value(json_object_get(pt, "NumberOfDecreasesToday")) + 1));
    }
    json_object_set_new(pt, "ReadCapacityUnits", json_integer(nr));
    json_object_set_new(pt, "WriteCapacityUnits", json_integer(nw));
    if (def != NULL) {
        json_t *peak = json_object_get(def, "PeakThroughput");
        if (peak == NULL) {
            peak = json_object();
            json_object_set_new(def, "PeakThroughput", peak);
        }
        if (nr > json_integer_value(json_object_get(peak, "ReadCapacityUnits")))
            json_object_set_new(peak, "ReadCapacityUnits", json_integer(nr));
        if (nw > json_integer_value(json_object_get(peak, "WriteCapacityUnits")))
            json_object_set_new(peak, "WriteCapacityUnits", json_integer(nw));
    }
}

/* Build the new definition from 'def' (a copy it may change) and the
** request; checks that need the table come here, in DynamoDB's order.
** *out_create receives the name of an index to backfill, *out_changing whether
** the table goes UPDATING. */
static int plan_update(ddb_req *req, const ddb_table *t, json_t *def, const char **out_create,
                       int *out_changing, ddb_error *err)
{
    json_t *in = req->in;
    double now = ddb_timestamp_now();
    /* from the unrounded clock, as CreateTable's (tables.c) */
    double until = ddb_now() + req->srv->cfg.update_table_ms / 1000.0;
    const char *name = t->name;
    const char *cur_bm = json_string_value(json_object_get(def, "BillingMode"));
    const char *new_bm = json_string_value(json_object_get(in, "BillingMode"));
    int was_on_demand = strcmp(cur_bm, "PAY_PER_REQUEST") == 0;
    int on_demand = new_bm ? strcmp(new_bm, "PAY_PER_REQUEST") == 0 : was_on_demand;
    json_t *req_pt = json_object_get(in, "ProvisionedThroughput");
    json_t *updates = json_object_get(in, "GlobalSecondaryIndexUpdates");
    json_t *pt = json_object_get(def, "ProvisionedThroughput");
    size_t i;
    json_t *u;

    *out_create = NULL;
    *out_changing = 0;

    switch (ddb_table_status_at(t, ddb_now())) {
        case DDB_TS_CREATING:
            return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                               "Attempt to change a resource which is still in use: Table is being "
                               "created: %s",
                               name);
        case DDB_TS_UPDATING:
            return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                               "Attempt to change a resource which is still in use: Table IOPS are "
                               "currently being updated. Table: %s",
                               name);
        default:
            break;
    }
    /* billing mode */
    if (on_demand && req_pt != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: ProvisionedThroughput "
                           "cannot be specified when BillingMode is PAY_PER_REQUEST");
    if (!on_demand && was_on_demand && req_pt == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: ProvisionedThroughput must "
                           "be specified when BillingMode is PROVISIONED");
    if (!on_demand && json_object_get(in, "OnDemandThroughput") != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: MaxReadRequestUnits for "
                           "OnDemandThroughput cannot be specified when the table BillingMode is "
                           "PROVISIONED");
    if (!on_demand && was_on_demand) {
        json_t *ix;
        json_array_foreach(json_object_get(def, "GlobalSecondaryIndexes"), i, ix) {
            const char *ixn = json_string_value(json_object_get(ix, "IndexName"));
            int given = 0;
            size_t k;
            json_array_foreach(updates, k, u) {
                json_t *up = json_object_get(u, "Update");
                if (up && strcmp(json_string_value(json_object_get(up, "IndexName")), ixn) == 0 &&
                    json_object_get(up, "ProvisionedThroughput"))
                    given = 1;
            }
            if (!given)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: "
                                   "ProvisionedThroughput must be specified for index: %s",
                                   ixn);
        }
    }
    if (!on_demand && !was_on_demand && new_bm != NULL && req_pt == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: ProvisionedThroughput must "
                           "be specified when BillingMode is PROVISIONED");

    /* index updates */
    int creates = 0, deletes = 0;
    json_array_foreach(updates, i, u) {
        json_t *create = json_object_get(u, "Create");
        json_t *update = json_object_get(u, "Update");
        json_t *del = json_object_get(u, "Delete");
        if (create != NULL) {
            const char *ixn = json_string_value(json_object_get(create, "IndexName"));
            json_t *ads = json_object_get(in, "AttributeDefinitions");
            json_t *merged = json_deep_copy(json_object_get(def, "AttributeDefinitions"));
            size_t k;
            json_t *ad;
            json_array_foreach(ads, k, ad) {
                size_t m;
                json_t *old;
                int found = 0;
                json_array_foreach(merged, m, old) {
                    if (json_equal(json_object_get(old, "AttributeName"),
                                   json_object_get(ad, "AttributeName"))) {
                        found = 1;
                        if (!json_equal(json_object_get(old, "AttributeType"),
                                        json_object_get(ad, "AttributeType"))) {
                            json_decref(merged);
                            return ddb_err_set(err, DDB_E_VALIDATION,
                                               "One or more parameter values were invalid: "
                                               "Cannot change the type of an existing "
                                               "attribute: %s",
                                               json_string_value(json_object_get(ad, "AttributeName")));
                        }
                    }
                }
                if (!found)
                    json_array_append(merged, ad);
            }
            json_t *iks = json_object_get(create, "KeySchema");
            json_array_foreach(iks, k, ad) {
                const char *an = json_string_value(json_object_get(ad, "AttributeName"));
                size_t m;
                json_t *d;
                int found = 0;
                json_array_foreach(merged, m, d) {
                    if (strcmp(json_string_value(json_object_get(d, "AttributeName")), an) == 0)
                        found = 1;
                }
                if (!found) {
                    json_decref(merged);
                    return ddb_err_set(err, DDB_E_VALIDATION,
                                       "One or more parameter values were invalid: "
                                       "AttributeDefinitions is not specified for index: %s",
                                       ixn);
                }
            }
            if (ddb_def_check_key_schema(iks, merged, 0, err) != DDB_OK ||
                ddb_def_check_projection(json_object_get(create, "Projection"), err) != DDB_OK) {
                json_decref(merged);
                return DDB_ERR;
            }
            json_t *ipt = json_object_get(create, "ProvisionedThroughput");
            if (!on_demand && ipt == NULL) {
                json_decref(merged);
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: "
                                   "ProvisionedThroughput is not specified for index: %s",
                                   ixn);
            }
            if (on_demand && ipt != NULL) {
                json_decref(merged);
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: "
                                   "ProvisionedThroughput should not be specified for index: %s "
                                   "when BillingMode is PAY_PER_REQUEST",
                                   ixn);
            }
            if (find_index(def, "GlobalSecondaryIndexes", ixn) ||
                find_index(def, "LocalSecondaryIndexes", ixn)) {
                json_decref(merged);
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Attempting to "
                                   "create an index which already exists");
            }
            json_object_set_new(def, "AttributeDefinitions", merged);
            uint32_t id = 0;
            ddb_conn *c = ddb_store_conn(req->srv->store, err);
            if (c == NULL || ddb_store_next_id(c, &id, err) != DDB_OK)
                return DDB_ERR;
            json_t *d = json_object();
            json_object_set(d, "IndexName", json_object_get(create, "IndexName"));
            json_object_set_new(d, "id", json_integer(id));
            json_object_set_new(d, "KeySchema", json_deep_copy(iks));
            json_object_set_new(d, "Projection", json_deep_copy(json_object_get(create, "Projection")));
            json_t *p = json_object();
            json_object_set_new(p, "ReadCapacityUnits",
                                json_integer(json_integer_value(json_object_get(ipt, "ReadCapacityUnits"))));
            json_object_set_new(p, "WriteCapacityUnits",
                                json_integer(json_integer_value(json_object_get(ipt, "WriteCapacityUnits"))));
            json_object_set_new(p, "NumberOfDecreasesToday", json_integer(0));
            json_object_set_new(d, "ProvisionedThroughput", p);
            json_object_set_new(d, "IndexStatus", json_string("CREATING"));
            json_object_set_new(d, "Backfilling", json_true());
            json_object_set_new(d, "status_until", json_real(until));
            json_t *gsis = json_object_get(def, "GlobalSecondaryIndexes");
            if (gsis == NULL) {
                gsis = json_array();
                json_object_set_new(def, "GlobalSecondaryIndexes", gsis);
            }
            json_array_append_new(gsis, d);
            *out_create = json_string_value(json_object_get(d, "IndexName"));
            creates++;
        } else {
            json_t *x = update ? update : del;
            const char *ixn = json_string_value(json_object_get(x, "IndexName"));
            json_t *ix = find_index(def, "GlobalSecondaryIndexes", ixn);
            if (ix == NULL) {
                if (del != NULL && find_index(def, "LocalSecondaryIndexes", ixn))
                    return ddb_err_set(err, DDB_E_VALIDATION,
                                       "Cannot delete an index that is not a "
                                       "GlobalSecondaryIndex: %s",
                                       ixn);
                return ddb_err_set(err, DDB_E_RESOURCE_NOT_FOUND,
                                   "Requested resource not found: Index %s for table %s", ixn,
                                   name);
            }
            const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
            if (st && strcmp(st, "DELETING") == 0 &&
                ddb_now() < json_number_value(json_object_get(ix, "status_until")))
                return ddb_err_set(err, DDB_E_RESOURCE_IN_USE,
                                   "Attempt to change a resource which is still in use: Index is "
                                   "being deleted. Table: %s Index: %s",
                                   name, ixn);
            if (del != NULL) {
                json_object_set_new(ix, "IndexStatus", json_string("DELETING"));
                json_object_set_new(ix, "status_until", json_real(until));
                deletes++;
            } else {
                json_t *ipt = json_object_get(update, "ProvisionedThroughput");
                if (on_demand && ipt != NULL)
                    return ddb_err_set(err, DDB_E_VALIDATION,
                                       "One or more parameter values were invalid: The only "
                                       "Updates for index: %s when TableThroughputMode is "
                                       "PAY_PER_REQUEST can be to OnDemandThroughput, "
                                       "WarmThroughput",
                                       ixn);
                json_t *cur = json_object_get(ix, "ProvisionedThroughput");
                if (ipt != NULL && !was_on_demand && equal_throughput(cur, ipt))
                    return ddb_err_set(
                        err, DDB_E_VALIDATION,
                        "The provisioned throughput for the index %s will not change. The "
                        "requested value equals the current value. Current ReadCapacityUnits "
                        "provisioned for index %s: %lld. Requested ReadCapacityUnits: %lld. "
                        "Current WriteCapacityUnits provisioned for index %s: %lld. Requested "
                        "WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB Developer Guide "
                        "for current limits and how to request higher limits.",
                        ixn, ixn, (long long)json_integer_value(json_object_get(cur, "ReadCapacityUnits")),
                        (long long)json_integer_value(json_object_get(ipt, "ReadCapacityUnits")), ixn,
                        (long long)json_integer_value(json_object_get(cur, "WriteCapacityUnits")),
                        (long long)json_integer_value(json_object_get(ipt, "WriteCapacityUnits")));
                if (ipt != NULL)
                    apply_throughput(ix, cur, ipt, now);
                json_t *odt = json_object_get(update, "OnDemandThroughput");
                if (odt != NULL)
                    json_object_set_new(ix, "OnDemandThroughput", json_deep_copy(odt));
                json_object_set_new(ix, "IndexStatus", json_string("UPDATING"));
                json_object_set_new(ix, "status_until", json_real(until));
            }
            *out_changing = 1;
        }
    }
    if (creates + deletes > 1)
        return ddb_err_set(err, DDB_E_LIMIT_EXCEEDED,
                           "Subscriber limit exceeded: Only 1 online index can be created or "
                           "deleted simultaneously per table");
    if (json_array_size(json_object_get(def, "GlobalSecondaryIndexes")) > 20 && creates > 0)
        return ddb_err_set(err, DDB_E_LIMIT_EXCEEDED,
                           "Subscriber limit exceeded: Number of global secondary indexes exceeds "
                           "per-table limit of 20");
    if (creates > 0)
        *out_changing = 1;

    /* table throughput and billing mode */
    if (req_pt != NULL) {
        if (!was_on_demand && equal_throughput(pt, req_pt))
            return ddb_err_set(
                err, DDB_E_VALIDATION,
                "The provisioned throughput for the table will not change. The requested value "
                "equals the current value. Current ReadCapacityUnits provisioned for the table: "
                "%lld. Requested ReadCapacityUnits: %lld. Current WriteCapacityUnits provisioned "
                "for the table: %lld. Requested WriteCapacityUnits: %lld. Refer to the Amazon "
                "DynamoDB Developer Guide for current limits and how to request higher limits.",
                (long long)json_integer_value(json_object_get(pt, "ReadCapacityUnits")),
                (long long)json_integer_value(json_object_get(req_pt, "ReadCapacityUnits")),
                (long long)json_integer_value(json_object_get(pt, "WriteCapacityUnits")),
                (long long)json_integer_value(json_object_get(req_pt, "WriteCapacityUnits")));
        apply_throughput(def, pt, req_pt, now);
        *out_changing = 1;
    }
    if (on_demand != was_on_demand) {
        json_object_set_new(def, "BillingMode", json_string(on_demand ? "PAY_PER_REQUEST" : "PROVISIONED"));
        if (on_demand) {
            json_object_set_new(def, "LastUpdateToPayPerRequestDateTime", json_real(now));
            json_t *ix;
            json_array_foreach(json_object_get(def, "GlobalSecondaryIndexes"), i, ix) {
                json_t *ipt = json_object_get(ix, "ProvisionedThroughput");
                json_object_set_new(ipt, "ReadCapacityUnits", json_integer(0));
                json_object_set_new(ipt, "WriteCapacityUnits", json_integer(0));
            }
        }
        *out_changing = 1;
    }
    json_t *odt = json_object_get(in, "OnDemandThroughput");
    if (odt != NULL)
        json_object_set_new(def, "OnDemandThroughput", json_deep_copy(odt));

    /* single-concern members */
    json_t *dp = json_object_get(in, "DeletionProtectionEnabled");
    if (dp != NULL)
        json_object_set_new(def, "DeletionProtectionEnabled", json_boolean(json_is_true(dp)));
    json_t *ss = json_object_get(in, "StreamSpecification");
    if (ss != NULL) {
        int enable = json_is_true(json_object_get(ss, "StreamEnabled"));
        int enabled = json_is_true(json_object_get(json_object_get(def, "StreamSpecification"),
                                                   "StreamEnabled"));
        if (!enable && !enabled)
            return ddb_err_set(err, DDB_E_VALIDATION, "Table has no stream to disable: TableName: %s",
                               name);
        if (enable && enabled)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "Table already has an enabled stream: TableName: %s", name);
        json_object_set_new(def, "StreamSpecification", json_deep_copy(ss));
        *out_changing = 1;
    }
    json_t *sse = json_object_get(in, "SSESpecification");
    if (sse != NULL)
        json_object_set_new(def, "SSESpecification", json_deep_copy(sse));
    json_t *tc = json_object_get(in, "TableClass");
    if (tc != NULL) {
        json_object_set_new(def, "TableClass", json_deep_copy(tc));
        *out_changing = 1;
    }
    if (*out_changing) {
        json_object_set_new(def, "TableStatus", json_string("UPDATING"));
        json_object_set_new(def, "status_until", json_real(until));
    }
    return DDB_OK;
}

/* Mark the GSIs whose creation or update has completed ACTIVE in 'def', so
** that this request's reply (which shows stored statuses) does not show an
** earlier change as still in progress. */
static void settle_indexes(json_t *def)
{
    double now = ddb_now();
    size_t i;
    json_t *ix;
    json_array_foreach(json_object_get(def, "GlobalSecondaryIndexes"), i, ix) {
        const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
        if (st && strcmp(st, "ACTIVE") != 0 && strcmp(st, "DELETING") != 0 &&
            now >= json_number_value(json_object_get(ix, "status_until"))) {
            json_object_set_new(ix, "IndexStatus", json_string("ACTIVE"));
            json_object_del(ix, "Backfilling");
        }
    }
}

/* Remove from 'def' the GSIs whose deletion has completed. */
static void forget_deleted_indexes(json_t *def)
{
    json_t *gsis = json_object_get(def, "GlobalSecondaryIndexes");
    double now = ddb_now();
    for (size_t i = json_array_size(gsis); i-- > 0;) {
        json_t *ix = json_array_get(gsis, i);
        const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
        if (st && strcmp(st, "DELETING") == 0 &&
            now >= json_number_value(json_object_get(ix, "status_until")))
            json_array_remove(gsis, i);
    }
    if (gsis != NULL && json_array_size(gsis) == 0)
        json_object_del(def, "GlobalSecondaryIndexes");
}

int ddb_op_update_table(ddb_req *req, ddb_error *err)
{
    json_t *in = req->in;
    ddb_checks c = DDB_CHECKS_INIT;
    if (ddb_req_check_control_table_name(req, &c, err) != DDB_OK) {
        ddb_chk_free(&c);
        return DDB_ERR;
    }
    check_constraints(in, &c);
    if (ddb_chk_finish(&c, err) != DDB_OK || check_request(in, err) != DDB_OK)
        return DDB_ERR;
    ddb_table *t = ddb_authz_lookup(req, 0, NULL, NULL, err);
    if (t == NULL)
        return DDB_ERR;
    ddb_table_unref(t);

    ddb_conn *conn = ddb_store_conn(req->srv->store, err);
    if (conn == NULL || ddb_store_write_begin(conn, err) != DDB_OK)
        return DDB_ERR;
    int rc = DDB_ERR;
    ddb_table *nt = NULL;
    json_t *old_pt = NULL;
    /* re-read under the write lock: the definition we change is the current one */
    t = ddb_req_table(req, 0, err);
    if (t == NULL)
        goto out;
    json_t *def = json_deep_copy(t->def);
    forget_deleted_indexes(def);
    settle_indexes(def);
    old_pt = json_deep_copy(json_object_get(t->def, "ProvisionedThroughput"));
    const char *create = NULL;
    int changing = 0;
    if (plan_update(req, t, def, &create, &changing, err) != DDB_OK) {
        json_decref(def);
        goto out;
    }
    {
        /* the reply shows the old capacity units and decrease count with the
        ** new Last{In,De}creaseDateTime */
        json_t *shown = json_deep_copy(json_object_get(def, "ProvisionedThroughput"));
        static const char *const kept[] = {"ReadCapacityUnits", "WriteCapacityUnits",
                                           "NumberOfDecreasesToday", NULL};
        for (int k = 0; kept[k]; k++) {
            json_t *v = json_object_get(old_pt, kept[k]);
            if (v != NULL)
                json_object_set(shown, kept[k], v);
        }
        json_decref(old_pt);
        old_pt = shown;
    }
    /* drop the rows of indexes whose deletion starts now */
    size_t i;
    json_t *ix;
    json_array_foreach(json_object_get(def, "GlobalSecondaryIndexes"), i, ix) {
        const char *st = json_string_value(json_object_get(ix, "IndexStatus"));
        const json_t *was = find_index(t->def, "GlobalSecondaryIndexes",
                                       json_string_value(json_object_get(ix, "IndexName")));
        const char *was_st = was ? json_string_value(json_object_get(was, "IndexStatus")) : NULL;
        if (st && strcmp(st, "DELETING") == 0 && !(was_st && strcmp(was_st, "DELETING") == 0) &&
            ddb_rows_drop(conn, (uint32_t)json_integer_value(json_object_get(ix, "id")), err) != DDB_OK) {
            json_decref(def);
            goto out;
        }
    }
    nt = ddb_table_from_def(t->region, def, err);
    if (nt == NULL)
        goto out;
    if (create != NULL) {
        const ddb_index *nix = ddb_table_index(nt, create);
        if (nix == NULL || ddb_index_backfill(conn, nt, nix, err) != DDB_OK)
            goto out;
    }
    ddb_table_ref(nt);
    if (ddb_catalog_put(req->srv->catalog, conn, nt, err) != DDB_OK)
        goto out;
    rc = DDB_OK;
out:
    if (ddb_store_write_end(conn, rc == DDB_OK, err) != DDB_OK)
        rc = DDB_ERR;
    if (rc == DDB_OK) {
        json_t *desc = ddb_table_describe(req, nt, changing ? DDB_DESC_UPDATE : DDB_DESC_DESCRIBE,
                                          old_pt, err);
        if (desc == NULL)
            rc = DDB_ERR;
        else {
            req->out = json_object();
            json_object_set_new(req->out, "TableDescription", desc);
        }
    }
    json_decref(old_pt);
    ddb_table_unref(nt);
    ddb_table_unref(t);
    return rc;
}
