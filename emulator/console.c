/* SPDX-License-Identifier: MIT
**
** console.c -- the built-in web console (off with --no-console). Serves the
** page and its files from console_assets.gen.c (generated from
** emulator/console/ by emulator/tools/embed_console.py) and the read-only
** JSON endpoints the page polls:
**   GET /_ddbd/console, /_ddbd/console/<file>         the page and its files
**   GET /_ddbd/regions                                 regions holding tables
**   GET /_ddbd/console/api/session                     mode, caller, clock, ceilings
**   GET /_ddbd/console/api/tables?region=R             TableDescriptions (+ partitions)
**   GET /_ddbd/console/api/metrics?region=R&table=T[&seconds=N][&partitions=0]
**       the table's metrics as /_ddbd/metrics sends them, with the partition
**       ceilings and, on every Contributor Insights key, its partition
**   GET /_ddbd/console/api/decisions[?after=SEQ]       recent access decisions
** Items are never read or written here: the page calls the DynamoDB API
** itself (POST /, signed in the browser), so validation and errors are
** DynamoDB's.
**
** Open mode: the endpoints need no signature (ddbd listens on loopback by
** default). With --principals every JSON endpoint requires a valid SigV4
** signature (service "dynamodb", auth.c) and shows only what the caller may
** see: the tables it may dynamodb:DescribeTable (authz.c), their metrics, and
** its own decisions unless it is allowed dynamodb:* on *. Those checks are
** decisions like any other (they are in the decision ring, marked
** "Console": true in the console's list so that the page can tell them from
** the requests of clients); each is remembered for MEMO_SECONDS per principal
** and table version, so that a polling page does not flood the bounded ring.
*/
#include "console.h"

#include "authz.h"
#include "catalog.h"
#include "describe.h"
#include "ddb_principals.h"
#include "throughput.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_PREFIX "/_ddbd/console/api/"
#define MEMO_SLOTS 256       /* remembered authorization checks */
#define MEMO_SECONDS 120.0   /* how long one is trusted */
#define MEMO_KEY_MAX 600     /* "region\ntable" */
#define OWN_SLOTS 512        /* sequence numbers of the console's own decisions */
#define MAX_SECONDS 120      /* per-second history kept by the simulator */
#define DEFAULT_REGION "us-east-1"

/*---- replies ----*/

static int reply_json(json_t *v, char **body, size_t *len, const char **ctype)
{
    *body = v ? json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    if (*body == NULL)
        *body = ddb_xstrdup("{}");
    *len = strlen(*body);
    *ctype = "application/json";
    json_decref(v);
    return 200;
}

static int reply_message(int status, const char *msg, char **body, size_t *len,
                         const char **ctype)
{
    reply_json(json_pack("{s:s}", "message", msg), body, len, ctype);
    return status;
}

/* DynamoDB's error body for 'err' (a failed signature check, a denial). */
static int reply_error(const ddb_error *err, char **body, size_t *len, const char **ctype)
{
    *body = ddb_err_body(err, len);
    *ctype = "application/json";
    return ddb_err_status(err->code == DDB_E_NONE ? DDB_E_INTERNAL : err->code);
}

static int reply_asset(const char *name, char **body, size_t *len, const char **ctype)
{
    for (size_t i = 0; i < ddb_console_n_assets; i++) {
        const ddb_console_asset *a = &ddb_console_assets[i];
        if (strcmp(a->name, name) != 0)
            continue;
        *body = ddb_xmalloc(a->len + 1);
        memcpy(*body, a->data, a->len);
        (*body)[a->len] = '\0';
        *len = a->len;
        *ctype = a->type;
        return 200;
    }
    return reply_message(404, "no such console file", body, len, ctype);
}

/*---- query parameters ----*/

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Value of query parameter 'name', percent-decoded. New string or NULL. */
static char *param(const char *query, const char *name)
{
    size_t n = strlen(name);
    const char *p = query;
    while (p != NULL && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            const char *v = p + n + 1;
            size_t vlen = len - n - 1, o = 0;
            char *out = ddb_xmalloc(vlen + 1);
            for (size_t i = 0; i < vlen; i++) {
                int hi, lo;
                if (v[i] == '%' && i + 2 < vlen && (hi = hexval((unsigned char)v[i + 1])) >= 0 &&
                    (lo = hexval((unsigned char)v[i + 2])) >= 0) {
                    out[o++] = (char)(hi * 16 + lo);
                    i += 2;
                } else {
                    out[o++] = v[i];
                }
            }
            out[o] = '\0';
            return out;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* 1 when 's' is a DynamoDB table name: 3 to 255 of [a-zA-Z0-9_.-]. */
static int table_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

static long param_long(const char *query, const char *name, long def, long lo, long hi)
{
    char *s = param(query, name);
    if (s == NULL)
        return def;
    char *end;
    long v = strtol(s, &end, 10);
    int ok = end != s && *end == '\0';
    free(s);
    return !ok ? def : v < lo ? lo : v > hi ? hi : v;
}

/*---- who is asking, and what they may see ----*/

/* Authenticate the request: with principals, a valid signature of a known
** principal (DynamoDB's error otherwise); in open mode anyone, as the
** account root. */
static int authenticate(ddb_req *req, ddb_error *err)
{
    ddb_server *srv = req->srv;
    req->op = ddb_op_find("DescribeTable", 13); /* the action of every table check */
    if (srv->principals != NULL)
        return ddb_auth_check(req, "dynamodb", err);
    snprintf(req->account, sizeof req->account, "%s", srv->cfg.account_id);
    snprintf(req->caller_arn, sizeof req->caller_arn, "arn:aws:iam::%s:root",
             srv->cfg.account_id);
    snprintf(req->caller_userid, sizeof req->caller_userid, "%s", srv->cfg.account_id);
    return DDB_OK;
}

typedef struct memo {
    const void *who;          /* the principal */
    uint64_t gen;             /* the table version checked (0: none) */
    double until;             /* trusted until (wall clock) */
    int allowed;
    char key[MEMO_KEY_MAX];   /* "region\ntable", or "*" */
} memo;

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static memo memos[MEMO_SLOTS];
static unsigned long long own[OWN_SLOTS]; /* ring of the console's decisions (memo_lock) */
static size_t n_own;

/* Note the decision the console just caused: the newest ring entry of the
** caller for 'action' on 'resource'. */
static void mark_own(const ddb_req *req, const char *action, const char *resource)
{
    json_t *recent = ddb_authz_recent(0);
    unsigned long long seq = 0;
    for (size_t i = json_array_size(recent); i-- > 0 && seq == 0;) {
        json_t *e = json_array_get(recent, i);
        const char *who = json_string_value(json_object_get(e, "Principal"));
        const char *act = json_string_value(json_object_get(e, "Action"));
        const char *res = json_string_value(json_object_get(e, "Resource"));
        if (who && act && res && strcmp(who, req->caller_arn) == 0 &&
            strcmp(act, action) == 0 && strcmp(res, resource) == 0)
            seq = (unsigned long long)json_integer_value(json_object_get(e, "Seq"));
    }
    json_decref(recent);
    if (seq == 0)
        return;
    pthread_mutex_lock(&memo_lock);
    own[n_own++ % OWN_SLOTS] = seq;
    pthread_mutex_unlock(&memo_lock);
}

static int is_own(unsigned long long seq)
{
    int r = 0;
    pthread_mutex_lock(&memo_lock);
    for (size_t i = 0; i < OWN_SLOTS && !r; i++)
        r = own[i] == seq;
    pthread_mutex_unlock(&memo_lock);
    return r;
}

/* A remembered decision: 1 allowed, 0 denied, -1 unknown. */
static int memo_get(const void *who, const char *key, uint64_t gen, double now)
{
    int r = -1;
    pthread_mutex_lock(&memo_lock);
    for (size_t i = 0; i < MEMO_SLOTS; i++) {
        const memo *m = &memos[i];
        if (m->who == who && m->gen == gen && m->until > now && strcmp(m->key, key) == 0) {
            r = m->allowed;
            break;
        }
    }
    pthread_mutex_unlock(&memo_lock);
    return r;
}

static void memo_put(const void *who, const char *key, uint64_t gen, double now, int allowed)
{
    if (strlen(key) >= MEMO_KEY_MAX)
        return;
    pthread_mutex_lock(&memo_lock);
    size_t slot = 0;
    for (size_t i = 0; i < MEMO_SLOTS; i++) { /* the same key, else the oldest */
        if (memos[i].who == who && strcmp(memos[i].key, key) == 0) {
            slot = i;
            break;
        }
        if (memos[i].until < memos[slot].until)
            slot = i;
    }
    memo *m = &memos[slot];
    m->who = who;
    m->gen = gen;
    m->until = now + MEMO_SECONDS;
    m->allowed = allowed;
    snprintf(m->key, sizeof m->key, "%s", key);
    pthread_mutex_unlock(&memo_lock);
}

/* 1 when the caller may DescribeTable 'name' of 'region' ('t' may be NULL:
** the table does not exist; the decision does not depend on that). */
static int may_describe(ddb_req *req, const char *region, const char *name, const ddb_table *t)
{
    if (!ddb_authz_enforcing(req))
        return 1;
    char key[MEMO_KEY_MAX + 8];
    snprintf(key, sizeof key, "%s\n%s", region, name);
    uint64_t gen = t ? t->gen : 0;
    double now = ddb_now();
    int r = memo_get(req->principal, key, gen, now);
    if (r >= 0)
        return r;
    snprintf(req->region, sizeof req->region, "%s", region);
    ddb_error err = DDB_ERROR_INIT;
    r = ddb_authz_table(req, t, name, NULL, NULL, &err) == DDB_OK;
    ddb_err_clear(&err);
    char *arn = ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/%s", region, req->account, name);
    mark_own(req, req->op->action, arn);
    free(arn);
    memo_put(req->principal, key, gen, now, r);
    return r;
}

/* 1 when the caller sees every decision: open mode, or allowed dynamodb:*
** on resource "*". */
static int sees_all_decisions(ddb_req *req)
{
    if (!ddb_authz_enforcing(req))
        return 1;
    double now = ddb_now();
    int r = memo_get(req->principal, "*", 0, now);
    if (r >= 0)
        return r;
    ddb_error err = DDB_ERROR_INIT;
    r = ddb_authz(req, "dynamodb:*", "*", NULL, &err) == DDB_OK;
    ddb_err_clear(&err);
    mark_own(req, "dynamodb:*", "*");
    memo_put(req->principal, "*", 0, now, r);
    return r;
}

/*---- endpoints ----*/

static json_t *api_session(ddb_req *req)
{
    ddb_server *srv = req->srv;
    json_t *o = json_object();
    json_object_set_new(o, "Mode", json_string(srv->principals ? "principals" : "open"));
    json_object_set_new(o, "Caller", json_string(req->caller_arn));
    json_object_set_new(o, "Account", json_string(req->account));
    json_object_set_new(o, "AllDecisions", json_boolean(sees_all_decisions(req)));
    json_object_set_new(o, "Version", json_string(DDB_VERSION));
    json_object_set_new(o, "Throttling", json_boolean(srv->cfg.throttling));
    json_object_set_new(o, "PartitionCeiling", ddb_tput_ceiling_json(srv->tput));
    json_object_set_new(o, "Clock", json_pack("{s:s,s:f}", "Mode",
                                              ddb_tput_clock_manual(srv->tput) ? "manual" : "real",
                                              "Now", ddb_tput_now(srv->tput)));
    return o;
}

/* The tables of 'region' the caller may describe (names, new array). */
static char **visible_tables(ddb_req *req, const char *region, size_t *out_n)
{
    size_t n = 0, k = 0;
    char **names = ddb_catalog_names(req->srv->catalog, region, &n);
    for (size_t i = 0; i < n; i++) {
        ddb_table *t = ddb_catalog_get(req->srv->catalog, region, names[i]);
        if (t != NULL && may_describe(req, region, names[i], t))
            names[k++] = names[i];
        else
            free(names[i]);
        ddb_table_unref(t);
    }
    *out_n = k;
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static json_t *api_regions(ddb_req *req)
{
    size_t n = 0;
    char **regions = ddb_catalog_regions(req->srv->catalog, &n);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        char **names = visible_tables(req, regions[i], &k);
        if (k > 0)
            json_array_append_new(list, json_pack("{s:s,s:I}", "Region", regions[i], "Tables",
                                                  (json_int_t)k));
        free_names(names, k);
    }
    free_names(regions, n);
    return json_pack("{s:o}", "Regions", list);
}

/* Partition counts of 't' and its GSIs in the simulator: {"<table>":n, gsi:n}. */
static json_t *partition_counts(ddb_req *req, const ddb_table *t)
{
    json_t *o = json_object();
    ddb_throttle_sim *sim = ddb_tput_sim(req->srv->tput, t, NULL);
    if (sim == NULL)
        return o;
    double now = ddb_tput_now(req->srv->tput);
    ddb_throttle_resource_info info;
    if (ddb_throttle_resource_get(sim, t->name, NULL, now, &info, NULL) == DDB_OK)
        json_object_set_new(o, "", json_integer(info.partitions));
    for (size_t i = 0; i < t->n_indexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (!ix->local &&
            ddb_throttle_resource_get(sim, t->name, ix->name, now, &info, NULL) == DDB_OK)
            json_object_set_new(o, ix->name, json_integer(info.partitions));
    }
    return o;
}

/* Timestamps of a TableDescription travel as raw-number markers (see
** ddb_json_raw_number); make them plain JSON numbers. */
static void unmark_raw(json_t *v, int depth)
{
    static const char mark[] = "\001ddbd-raw:";
    if (depth > 16)
        return;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            const char *s = json_string_value(x);
            if (s != NULL && strncmp(s, mark, sizeof mark - 1) == 0)
                json_object_set_new(v, k, json_real(strtod(s + sizeof mark - 1, NULL)));
            else
                unmark_raw(x, depth + 1);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            const char *s = json_string_value(x);
            if (s != NULL && strncmp(s, mark, sizeof mark - 1) == 0)
                json_array_set_new(v, i, json_real(strtod(s + sizeof mark - 1, NULL)));
            else
                unmark_raw(x, depth + 1);
        }
    }
}

static json_t *api_tables(ddb_req *req, const char *region, ddb_error *err)
{
    size_t n = 0;
    char **names = visible_tables(req, region, &n);
    json_t *list = json_array();
    snprintf(req->region, sizeof req->region, "%s", region);
    for (size_t i = 0; i < n; i++) {
        ddb_table *t = ddb_catalog_get(req->srv->catalog, region, names[i]);
        json_t *desc = t ? ddb_table_describe(req, t, DDB_DESC_DESCRIBE, NULL, err) : NULL;
        unmark_raw(desc, 0);
        if (desc != NULL)
            json_array_append_new(list, json_pack("{s:o,s:o}", "Table", desc, "Partitions",
                                                  partition_counts(req, t)));
        ddb_table_unref(t);
        if (ddb_err_isset(err))
            break;
    }
    free_names(names, n);
    if (ddb_err_isset(err)) {
        json_decref(list);
        return NULL;
    }
    return json_pack("{s:s,s:o}", "Region", region, "Tables", list);
}

static int api_metrics(ddb_req *req, const char *region, const char *query, char **body,
                       size_t *len, const char **ctype)
{
    ddb_server *srv = req->srv;
    char *name = param(query, "table");
    if (name == NULL || !table_name_valid(name)) {
        free(name);
        return reply_message(400, "send ?region=R&table=T with a table name", body, len, ctype);
    }
    ddb_table *t = ddb_catalog_get(srv->catalog, region, name);
    int status;
    if (!may_describe(req, region, name, t)) {
        char *msg = ddb_xasprintf("%s may not dynamodb:DescribeTable table %s: the console "
                                  "shows the metrics of the tables its caller may describe",
                                  req->caller_arn, name);
        status = reply_message(403, msg, body, len, ctype);
        free(msg);
    } else if (t == NULL) {
        char *msg = ddb_xasprintf("Requested resource not found: Table: %s not found", name);
        status = reply_message(404, msg, body, len, ctype);
        free(msg);
    } else {
        ddb_error err = DDB_ERROR_INIT;
        ddb_throttle_export opt = {0};
        opt.seconds = (int)param_long(query, "seconds", 60, 1, MAX_SECONDS);
        opt.no_partitions = param_long(query, "partitions", 1, 0, 1) == 0;
        double now = ddb_tput_now(srv->tput);
        ddb_throttle_sim *sim = ddb_tput_sim(srv->tput, t, &err);
        json_t *v = sim ? ddb_throttle_metrics_json(sim, t->name, now, &opt, &err) : NULL;
        if (v == NULL) {
            status = reply_error(&err, body, len, ctype);
        } else {
            ddb_tput_locate_table_keys(sim, t, json_array_get(json_object_get(v, "Tables"), 0),
                                       now);
            json_object_set_new(v, "Region", json_string(region));
            json_object_set_new(v, "ClockMode",
                                json_string(ddb_tput_clock_manual(srv->tput) ? "manual" : "real"));
            json_object_set_new(v, "Throttling", json_boolean(srv->cfg.throttling));
            json_object_set_new(v, "PartitionCeiling", ddb_tput_ceiling_json(srv->tput));
            status = reply_json(v, body, len, ctype);
        }
        ddb_err_clear(&err);
    }
    ddb_table_unref(t);
    free(name);
    return status;
}

static json_t *api_decisions(ddb_req *req, const char *query)
{
    char *after = param(query, "after");
    unsigned long long a = after ? strtoull(after, NULL, 10) : 0;
    free(after);
    int all = sees_all_decisions(req);
    json_t *recent = ddb_authz_recent(a);
    json_t *out = json_array();
    unsigned long long last = a;
    size_t i;
    json_t *e;
    json_array_foreach(recent, i, e) {
        unsigned long long seq = (unsigned long long)json_integer_value(json_object_get(e, "Seq"));
        if (seq > last)
            last = seq;
        const char *who = json_string_value(json_object_get(e, "Principal"));
        if (!all && (who == NULL || strcmp(who, req->caller_arn) != 0))
            continue;
        if (is_own(seq)) { /* ring entries are shared: mark a copy */
            json_t *c = json_copy(e);
            json_object_set_new(c, "Console", json_true());
            json_array_append_new(out, c);
        } else {
            json_array_append(out, e);
        }
    }
    json_decref(recent);
    return json_pack("{s:o,s:I,s:b,s:s}", "Decisions", out, "Last", (json_int_t)last,
                     "AllDecisions", all, "Caller", req->caller_arn);
}

/* The JSON endpoints: authenticate, then answer. */
static int api(ddb_req *req, const char *name, const char *query, char **body, size_t *len,
               const char **ctype)
{
    ddb_error err = DDB_ERROR_INIT;
    int status;
    if (authenticate(req, &err) != DDB_OK) {
        status = reply_error(&err, body, len, ctype);
        ddb_err_clear(&err);
        return status;
    }
    char *region = param(query, "region");
    const char *reg = region && *region ? region : DEFAULT_REGION;
    if (!ddb_sigv4_region_valid(reg)) {
        free(region);
        return reply_message(400, "region must be a region name, e.g. us-east-1", body, len,
                             ctype);
    }
    json_t *v = NULL;
    if (strcmp(name, "regions") == 0)
        v = api_regions(req);
    else if (strcmp(name, "session") == 0)
        v = api_session(req);
    else if (strcmp(name, "tables") == 0)
        v = api_tables(req, reg, &err);
    else if (strcmp(name, "decisions") == 0)
        v = api_decisions(req, query);
    else if (strcmp(name, "metrics") == 0) {
        status = api_metrics(req, reg, query, body, len, ctype);
        free(region);
        return status;
    } else {
        free(region);
        return reply_message(404, "unknown console endpoint", body, len, ctype);
    }
    status = v ? reply_json(v, body, len, ctype) : reply_error(&err, body, len, ctype);
    ddb_err_clear(&err);
    free(region);
    return status;
}

int ddb_console_handle(ddb_req *req, const char *method, const char *path, const char *query,
                       char **body, size_t *len, const char **ctype)
{
    static const char root[] = "/_ddbd/console";
    int is_regions = strcmp(path, "/_ddbd/regions") == 0;
    int is_console = strncmp(path, root, sizeof root - 1) == 0 &&
                     (path[sizeof root - 1] == '\0' || path[sizeof root - 1] == '/');
    if (req->srv->cfg.no_console || (!is_regions && !is_console))
        return 0;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply_message(405, "the console's endpoints are read-only: use GET", body, len,
                             ctype);
    if (is_regions)
        return api(req, "regions", query, body, len, ctype);
    const char *rest = path + sizeof root - 1; /* "", "/", "/file", "/api/x" */
    if (*rest == '\0' || strcmp(rest, "/") == 0)
        return reply_asset("index.html", body, len, ctype);
    if (strncmp(path, API_PREFIX, sizeof API_PREFIX - 1) == 0)
        return api(req, path + sizeof API_PREFIX - 1, query, body, len, ctype);
    return reply_asset(rest + 1, body, len, ctype);
}
