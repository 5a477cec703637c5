/* SPDX-License-Identifier: MIT
**
** admin.c -- ddbd's own HTTP endpoints under /_ddbd/ (not DynamoDB's API):
**   GET  /_ddbd/metrics[?region=R][&table=T][&seconds=N][&partitions=0]
**                                                throughput metrics (JSON)
**   GET  /_ddbd/insights?region=R&table=T[&index=I]   Contributor Insights (JSON)
**   GET  /_ddbd/prometheus                       metrics in Prometheus text format
**   GET  /_ddbd/decisions[?after=SEQ]            recent authorization decisions
**   GET  /_ddbd/clock                            the simulation clock
**   POST /_ddbd/clock {"Advance":s} | {"Set":t}  move the manual clock
** Read-only except the manual clock; no authentication (loopback by default).
** The metrics answer adds to ddb_throttle_metrics_json's document the region,
** the clock mode, whether throttling is on and the per-partition ceilings;
** every Contributor Insights key (there and in /_ddbd/insights) carries the
** position of its partition ("Partition"), as in the console's API.
*/
#include "authz.h"
#include "catalog.h"
#include "console.h"
#include "emulator.h"
#include "throughput.h"

#include <stdlib.h>
#include <string.h>

/* Value of query parameter 'name' in 'query' (undecoded; table and region
** names need no decoding). New string or NULL. */
static char *param(const char *query, const char *name)
{
    size_t n = strlen(name);
    const char *p = query;
    while (p != NULL && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=')
            return ddb_xstrndup(p + n + 1, len - n - 1);
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* Query parameter 'name' as an integer in [lo, hi]; 'def' when absent or bad. */
static long param_long(const char *query, const char *name, long def, long lo, long hi)
{
    char *v = param(query, name), *end = NULL;
    long n = v ? strtol(v, &end, 10) : def;
    if (v == NULL || end == v || *end != '\0' || n < lo || n > hi)
        n = def;
    free(v);
    return n;
}

/* Add the partition of every Contributor Insights key of the tables in a
** metrics answer ('index' NULL), or of one insights answer ('index' given
** or not, 'one' set). */
static void locate_keys(ddb_server *srv, ddb_throttle_sim *sim, const char *region,
                        json_t *v, const char *one, const char *index, double now)
{
    size_t i;
    json_t *tab;
    if (one != NULL) {
        ddb_table *t = ddb_catalog_get(srv->catalog, region, one);
        const ddb_index *ix = t && index ? ddb_table_index(t, index) : NULL;
        if (t != NULL && (index == NULL || ix != NULL))
            ddb_tput_locate_ci(sim, t->name, index, ix ? ix->hash.type : t->hash.type, v, now);
        ddb_table_unref(t);
        return;
    }
    json_array_foreach(json_object_get(v, "Tables"), i, tab) {
        const char *name = json_string_value(json_object_get(tab, "TableName"));
        ddb_table *t = name ? ddb_catalog_get(srv->catalog, region, name) : NULL;
        if (t != NULL)
            ddb_tput_locate_table_keys(sim, t, tab, now);
        ddb_table_unref(t);
    }
}

/* Register every table of 'region' with its simulator. */
static ddb_throttle_sim *sync_region(ddb_server *srv, const char *region)
{
    size_t n = 0;
    char **names = ddb_catalog_names(srv->catalog, region, &n);
    for (size_t i = 0; i < n; i++) {
        ddb_table *t = ddb_catalog_get(srv->catalog, region, names[i]);
        if (t != NULL)
            ddb_tput_sim(srv->tput, t, NULL);
        ddb_table_unref(t);
        free(names[i]);
    }
    free(names);
    return ddb_tput_region(srv->tput, region);
}

static int reply_json(json_t *v, char **body, size_t *len, const char **ctype)
{
    *body = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
    *len = strlen(*body);
    *ctype = "application/json";
    json_decref(v);
    return 200;
}

static int reply_error(int status, const char *msg, char **body, size_t *len,
                       const char **ctype)
{
    reply_json(json_pack("{s:s}", "message", msg), body, len, ctype);
    return status;
}

int ddb_admin_handle(ddb_req *req, const char *method, const char *path, const char *query,
                     char **body, size_t *len, const char **ctype)
{
    int console = ddb_console_handle(req, method, path, query, body, len, ctype);
    if (console != 0) /* the web console's page and endpoints (console.c) */
        return console;
    ddb_server *srv = req->srv;
    ddb_error err = DDB_ERROR_INIT;
    double now = ddb_tput_now(srv->tput);
    int status = 404;
    char *region = param(query, "region");
    char *table = param(query, "table");
    char *index = param(query, "index");
    const char *reg = region ? region : "us-east-1";

    if (strcmp(path, "/_ddbd/metrics") == 0 && strcmp(method, "GET") == 0) {
        ddb_throttle_export opt = {0};
        opt.seconds = (int)param_long(query, "seconds", 60, 1, DDB_THROTTLE_SECOND_SLOTS);
        opt.no_partitions = param_long(query, "partitions", 1, 0, 1) == 0;
        ddb_throttle_sim *sim = sync_region(srv, reg);
        json_t *v = ddb_throttle_metrics_json(sim, table, now, &opt, &err);
        if (v == NULL)
            status = reply_error(404, "no such table", body, len, ctype);
        else {
            locate_keys(srv, sim, reg, v, NULL, NULL, now);
            json_object_set_new(v, "Region", json_string(reg));
            json_object_set_new(v, "ClockMode",
                                json_string(ddb_tput_clock_manual(srv->tput) ? "manual" : "real"));
            json_object_set_new(v, "Throttling", json_boolean(ddb_tput_throttling(srv->tput)));
            json_object_set_new(v, "PartitionCeiling", ddb_tput_ceiling_json(srv->tput));
            status = reply_json(v, body, len, ctype);
        }
    } else if (strcmp(path, "/_ddbd/insights") == 0 && strcmp(method, "GET") == 0) {
        ddb_throttle_sim *sim = sync_region(srv, reg);
        json_t *v = table ? ddb_throttle_insights_json(sim, table, index, now, 10, &err) : NULL;
        if (v != NULL)
            locate_keys(srv, sim, reg, v, table, index, now);
        status = v ? reply_json(v, body, len, ctype)
                   : reply_error(404, "no such table or index", body, len, ctype);
    } else if (strcmp(path, "/_ddbd/prometheus") == 0 && strcmp(method, "GET") == 0) {
        ddb_throttle_sim *sim = sync_region(srv, reg);
        *body = ddb_throttle_metrics_prometheus(sim, now, len);
        *ctype = "text/plain; version=0.0.4";
        status = 200;
    } else if (strcmp(path, "/_ddbd/decisions") == 0 && strcmp(method, "GET") == 0) {
        char *after = param(query, "after");
        unsigned long long a = after ? strtoull(after, NULL, 10) : 0;
        free(after);
        status = reply_json(json_pack("{s:o}", "Decisions", ddb_authz_recent(a)), body, len, ctype);
    } else if (strcmp(path, "/_ddbd/clock") == 0) {
        if (strcmp(method, "POST") == 0) {
            json_error_t jerr;
            json_t *in = json_loadb((const char *)req->body.data, req->body.len, 0, &jerr);
            json_t *adv = json_object_get(in, "Advance"), *set = json_object_get(in, "Set");
            int rc = adv && json_is_number(adv)
                         ? ddb_tput_clock_advance(srv->tput, json_number_value(adv), &err)
                     : set && json_is_number(set)
                         ? ddb_tput_clock_set(srv->tput, json_number_value(set), &err)
                         : ddb_err_set(&err, DDB_E_VALIDATION,
                                       "send {\"Advance\": seconds} or {\"Set\": epoch seconds}");
            json_decref(in);
            if (rc != DDB_OK) {
                status = reply_error(400, err.message, body, len, ctype);
                goto out;
            }
            now = ddb_tput_now(srv->tput);
        }
        status = reply_json(json_pack("{s:s,s:f}", "Mode",
                                      ddb_tput_clock_manual(srv->tput) ? "manual" : "real", "Now",
                                      now),
                            body, len, ctype);
    } else {
        status = reply_error(404, "unknown ddbd endpoint", body, len, ctype);
    }
out:
    ddb_err_clear(&err);
    free(region);
    free(table);
    free(index);
    return status;
}
