/* SPDX-License-Identifier: MIT
**
** throttle_metrics.c -- the simulator's observability (include/ddb_throttle.h,
** "metrics"): fixed-size per-second and per-minute rings with CloudWatch
** names, lifetime totals, Contributor-Insights-style top keys kept in
** weighted space-saving sketches, and the JSON and Prometheus renderings.
**
** Memory is bounded per table, GSI and partition: DDB_THROTTLE_SECOND_SLOTS
** seconds and DDB_THROTTLE_MINUTE_SLOTS minutes of counters, and
** DDB_THROTTLE_CI_SLOTS counters per sketch. Values are integers (ddb_cu for
** capacity); they become doubles only when rendered. Nothing here decides
** admission (throttle.c does).
*/
#include "ddb_util.h"
#include "throttle_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/*==== Rings ====*/

int64_t ddb_tp_minute(int64_t sec)
{
    return sec >= 0 ? sec / 60 : -((-sec + 59) / 60);
}

static int64_t slot_of(const tring *g, int64_t period)
{
    int64_t s = period % g->n_slots;
    return s < 0 ? s + g->n_slots : s;
}

void ddb_tp_ring_init(tring *g, int n_slots, int n_metrics)
{
    g->head = INT64_MIN;
    g->n_slots = n_slots;
    g->n_metrics = n_metrics;
    g->v = ddb_xcalloc((size_t)n_slots * (size_t)n_metrics, sizeof *g->v);
}

void ddb_tp_ring_free(tring *g)
{
    free(g->v);
    g->v = NULL;
}

void ddb_tp_ring_add(tring *g, int64_t period, int metric, int64_t v)
{
    size_t row = (size_t)g->n_metrics * sizeof *g->v;
    if (g->head == INT64_MIN || period - g->head >= g->n_slots) {
        memset(g->v, 0, (size_t)g->n_slots * row);
        g->head = period;
    } else if (period > g->head) {
        for (int64_t q = g->head + 1; q <= period; q++)
            memset(&g->v[slot_of(g, q) * g->n_metrics], 0, row);
        g->head = period;
    } else if (period <= g->head - g->n_slots) {
        return; /* older than the history kept */
    }
    g->v[slot_of(g, period) * g->n_metrics + metric] += v;
}

int64_t ddb_tp_ring_get(const tring *g, int64_t now, int64_t period, int metric)
{
    if (g->head == INT64_MIN || period > g->head || period <= g->head - g->n_slots ||
        period <= now - g->n_slots)
        return 0;
    return g->v[slot_of(g, period) * g->n_metrics + metric];
}

void ddb_tp_res_metrics_init(tres *r)
{
    ddb_tp_ring_init(&r->sec, DDB_THROTTLE_SECOND_SLOTS, DDB_TM__COUNT);
    ddb_tp_ring_init(&r->min, DDB_THROTTLE_MINUTE_SLOTS, DDB_TM__COUNT);
    memset(r->total, 0, sizeof r->total);
    r->accessed.minute = INT64_MIN;
    r->throttled.minute = INT64_MIN;
}

void ddb_tp_res_metrics_free(tres *r)
{
    ddb_tp_ring_free(&r->sec);
    ddb_tp_ring_free(&r->min);
    ddb_tp_ci_free(&r->accessed);
    ddb_tp_ci_free(&r->throttled);
}

void ddb_tp_part_metrics_init(tpart *p)
{
    ddb_tp_ring_init(&p->sec, DDB_THROTTLE_SECOND_SLOTS, DDB_TM_PARTITION_COUNT);
    ddb_tp_ring_init(&p->min, DDB_THROTTLE_MINUTE_SLOTS, DDB_TM_PARTITION_COUNT);
    memset(p->total, 0, sizeof p->total);
}

void ddb_tp_part_metrics_free(tpart *p)
{
    ddb_tp_ring_free(&p->sec);
    ddb_tp_ring_free(&p->min);
}

void ddb_tp_count(tres *r, int64_t sec, ddb_throttle_metric m, int64_t v)
{
    ddb_tp_ring_add(&r->sec, sec, m, v);
    ddb_tp_ring_add(&r->min, ddb_tp_minute(sec), m, v);
    r->total[m] += v;
}

void ddb_tp_part_count(tpart *p, int64_t sec, ddb_throttle_metric m, int64_t v)
{
    ddb_tp_ring_add(&p->sec, sec, m, v);
    ddb_tp_ring_add(&p->min, ddb_tp_minute(sec), m, v);
    p->total[m] += v;
}

static const char *const metric_names[DDB_TM__COUNT] = {
    [DDB_TM_CONSUMED_READ] = "ConsumedReadCapacityUnits",
    [DDB_TM_CONSUMED_WRITE] = "ConsumedWriteCapacityUnits",
    [DDB_TM_READ_THROTTLE_EVENTS] = "ReadThrottleEvents",
    [DDB_TM_WRITE_THROTTLE_EVENTS] = "WriteThrottleEvents",
    [DDB_TM_READ_PROVISIONED_EVENTS] = "ReadProvisionedThroughputThrottleEvents",
    [DDB_TM_WRITE_PROVISIONED_EVENTS] = "WriteProvisionedThroughputThrottleEvents",
    [DDB_TM_READ_KEY_RANGE_EVENTS] = "ReadKeyRangeThroughputThrottleEvents",
    [DDB_TM_WRITE_KEY_RANGE_EVENTS] = "WriteKeyRangeThroughputThrottleEvents",
    [DDB_TM_READ_MAX_ON_DEMAND_EVENTS] = "ReadMaxOnDemandThroughputThrottleEvents",
    [DDB_TM_WRITE_MAX_ON_DEMAND_EVENTS] = "WriteMaxOnDemandThroughputThrottleEvents",
    [DDB_TM_READ_ACCOUNT_EVENTS] = "ReadAccountLimitThrottleEvents",
    [DDB_TM_WRITE_ACCOUNT_EVENTS] = "WriteAccountLimitThrottleEvents",
    [DDB_TM_READ_SAMPLES] = "ConsumedReadCapacityUnitsSampleCount",
    [DDB_TM_WRITE_SAMPLES] = "ConsumedWriteCapacityUnitsSampleCount",
};

const char *ddb_throttle_metric_name(ddb_throttle_metric m)
{
    return (unsigned)m < DDB_TM__COUNT ? metric_names[m] : "";
}

static int is_capacity(int m)
{
    return m == DDB_TM_CONSUMED_READ || m == DDB_TM_CONSUMED_WRITE;
}

/*==== Contributor Insights sketches ====*/

static void sk_clear(ci_sketch *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->e[i].key);
    memset(s, 0, sizeof *s);
}

void ddb_tp_ci_free(ci_rule *c)
{
    sk_clear(&c->cur);
    sk_clear(&c->prev);
    sk_clear(&c->total);
}

/* Weighted space-saving: a known key adds 'w'; a new key takes a free slot,
** or replaces the smallest counter (the oldest among equals), inheriting its
** count as the error bound. */
static void sk_add(ci_sketch *s, uint64_t hash, const char *key, size_t len, int64_t w)
{
    if (len > DDB_THROTTLE_CI_KEY_MAX)
        len = DDB_THROTTLE_CI_KEY_MAX;
    int min = -1;
    for (int i = 0; i < s->n; i++) {
        ci_entry *e = &s->e[i];
        if (e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0) {
            e->count += w;
            return;
        }
        if (min < 0 || e->count < s->e[min].count ||
            (e->count == s->e[min].count && e->seq < s->e[min].seq))
            min = i;
    }
    ci_entry *e;
    int64_t base = 0;
    if (s->n < DDB_THROTTLE_CI_SLOTS) {
        e = &s->e[s->n++];
    } else {
        e = &s->e[min];
        base = e->count;
        free(e->key);
    }
    e->hash = hash;
    e->key = ddb_xstrndup(key, len);
    e->key_len = len;
    e->count = base + w;
    e->error = base;
    e->seq = s->seq++;
}

void ddb_tp_ci_add(ci_rule *c, int64_t minute, uint64_t hash, const char *key, size_t len,
                   int64_t w)
{
    if (minute != c->minute) {
        sk_clear(&c->prev);
        if (c->minute != INT64_MIN && minute == c->minute + 1)
            c->prev = c->cur; /* moves the keys */
        else
            sk_clear(&c->cur);
        memset(&c->cur, 0, sizeof c->cur);
        c->minute = minute;
    }
    sk_add(&c->cur, hash, key, len, w);
    sk_add(&c->total, hash, key, len, w);
}

static int entry_cmp(const void *a, const void *b)
{
    const ci_entry *x = *(const ci_entry *const *)a, *y = *(const ci_entry *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0)
        return c;
    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* A key label as a JSON string: the bytes when they are UTF-8, else hex. */
static json_t *key_json(const char *key, size_t len)
{
    json_t *s = json_stringn(key, len);
    if (s != NULL)
        return s;
    char *hex = ddb_xmalloc(2 * len + 1);
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)key[i]);
    s = json_string(hex);
    free(hex);
    return s;
}

/* Top 'n' of 's' as [{"Key":..,<value_name>:..,"MaxError":..}]. 'units':
** values are ddb_cu, rendered as reals. */
static json_t *sk_json(const ci_sketch *s, unsigned n, const char *value_name, int units)
{
    const ci_entry *order[DDB_THROTTLE_CI_SLOTS];
    for (int i = 0; i < s->n; i++)
        order[i] = &s->e[i];
    qsort(order, (size_t)s->n, sizeof order[0], entry_cmp);
    json_t *a = json_array();
    for (int i = 0; i < s->n && (unsigned)i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "Key", key_json(order[i]->key, order[i]->key_len));
        if (units) {
            json_object_set_new(o, value_name,
                                json_real(ddb_cu_to_double(order[i]->count)));
            json_object_set_new(o, "MaxError",
                                json_real(ddb_cu_to_double(order[i]->error)));
        } else {
            json_object_set_new(o, value_name, json_integer(order[i]->count));
            json_object_set_new(o, "MaxError", json_integer(order[i]->error));
        }
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *rule_json(const ci_rule *c, int64_t minute, unsigned n,
                         const char *value_name, int units)
{
    static const ci_sketch empty;
    const ci_sketch *cur = &empty, *prev = &empty;
    if (c->minute == minute) {
        cur = &c->cur;
        prev = &c->prev;
    } else if (c->minute != INT64_MIN && c->minute + 1 == minute) {
        prev = &c->cur;
    }
    json_t *o = json_object();
    json_object_set_new(o, "CurrentMinute", sk_json(cur, n, value_name, units));
    json_object_set_new(o, "PreviousMinute", sk_json(prev, n, value_name, units));
    json_object_set_new(o, "Total", sk_json(&c->total, n, value_name, units));
    return o;
}

static json_t *insights(const tres *r, int64_t sec, unsigned n)
{
    if (n == 0)
        n = 10;
    if (n > DDB_THROTTLE_CI_SLOTS)
        n = DDB_THROTTLE_CI_SLOTS;
    int64_t minute = ddb_tp_minute(sec);
    json_t *o = json_object();
    json_object_set_new(o, "MostAccessedKeys",
                        rule_json(&r->accessed, minute, n, "ConsumedThroughputUnits", 1));
    json_object_set_new(o, "MostThrottledKeys",
                        rule_json(&r->throttled, minute, n, "ThrottleCount", 0));
    return o;
}

/*==== Getters ====*/

/* Lock held: resolve, clock and advance. */
static tres *get_res(ddb_throttle_sim *sim, const char *table, const char *index,
                     double now, int64_t *sec, ddb_error *err)
{
    tres *r = ddb_tp_res(sim, table, index, err);
    if (r == NULL || ddb_tp_clock(sim, now, sec, err) != DDB_OK)
        return NULL;
    ddb_tp_advance(r, *sec);
    return r;
}

int ddb_throttle_metric_get(ddb_throttle_sim *sim, const char *table, const char *index,
                            int position, ddb_throttle_metric m,
                            ddb_throttle_period period, int64_t slot, double now,
                            int64_t *out, ddb_error *err)
{
    int rc = DDB_ERR;
    int64_t sec;
    *out = 0;
    pthread_mutex_lock(&sim->mu);
    tres *r = get_res(sim, table, index, now, &sec, err);
    if (r == NULL)
        goto out;
    if ((unsigned)m >= DDB_TM__COUNT || (position >= 0 && m >= DDB_TM_PARTITION_COUNT) ||
        (position >= 0 && (unsigned)position >= r->n_parts) || position < -1) {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: no such metric or partition");
        goto out;
    }
    const tring *sg = position < 0 ? &r->sec : &r->parts[position].sec;
    const tring *mg = position < 0 ? &r->min : &r->parts[position].min;
    const int64_t *tot = position < 0 ? r->total : r->parts[position].total;
    if (period == DDB_TP_SECOND)
        *out = ddb_tp_ring_get(sg, sec, slot, m);
    else if (period == DDB_TP_MINUTE)
        *out = ddb_tp_ring_get(mg, ddb_tp_minute(sec), slot, m);
    else
        *out = tot[m];
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_requests_get(ddb_throttle_sim *sim, const char *table,
                              const char *operation, ddb_throttle_period period,
                              int64_t slot, double now, int64_t *out_requests,
                              int64_t *out_throttled, ddb_error *err)
{
    int rc = DDB_ERR;
    int64_t sec;
    *out_requests = *out_throttled = 0;
    pthread_mutex_lock(&sim->mu);
    ttable *t = ddb_tp_table(sim, table, err);
    if (t == NULL || ddb_tp_clock(sim, now, &sec, err) != DDB_OK)
        goto out;
    for (size_t i = 0; i < t->n_ops; i++) {
        const top *o = &t->ops[i];
        if (operation == NULL || strcmp(o->name, operation) != 0)
            continue;
        if (period == DDB_TP_SECOND) {
            *out_requests = ddb_tp_ring_get(&o->sec, sec, slot, 0);
            *out_throttled = ddb_tp_ring_get(&o->sec, sec, slot, 1);
        } else if (period == DDB_TP_MINUTE) {
            *out_requests = ddb_tp_ring_get(&o->min, ddb_tp_minute(sec), slot, 0);
            *out_throttled = ddb_tp_ring_get(&o->min, ddb_tp_minute(sec), slot, 1);
        } else {
            *out_requests = o->total[0];
            *out_throttled = o->total[1];
        }
    }
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

json_t *ddb_throttle_insights_json(ddb_throttle_sim *sim, const char *table,
                                   const char *index, double now, unsigned top_n,
                                   ddb_error *err)
{
    int64_t sec;
    json_t *o = NULL;
    pthread_mutex_lock(&sim->mu);
    tres *r = get_res(sim, table, index, now, &sec, err);
    if (r != NULL)
        o = insights(r, sec, top_n);
    pthread_mutex_unlock(&sim->mu);
    return o;
}

/*==== JSON snapshot ====*/

static json_t *value_json(int m, int64_t v)
{
    return is_capacity(m) ? json_real(ddb_cu_to_double(v)) : json_integer(v);
}

/* {"End":end, name:[oldest..newest]} over 'n' periods of 'g' for metrics 0..nm-1. */
static json_t *series_json(const tring *g, int64_t end, int n, int nm)
{
    json_t *o = json_object();
    json_object_set_new(o, "End", json_integer(end));
    for (int m = 0; m < nm; m++) {
        json_t *a = json_array();
        for (int64_t q = end - n + 1; q <= end; q++)
            json_array_append_new(a, value_json(m, ddb_tp_ring_get(g, end, q, m)));
        json_object_set_new(o, metric_names[m], a);
    }
    return o;
}

static json_t *totals_json(const int64_t *tot, int nm)
{
    json_t *o = json_object();
    for (int m = 0; m < nm; m++)
        json_object_set_new(o, metric_names[m], value_json(m, tot[m]));
    return o;
}

static json_t *rw_json(ddb_cu read, ddb_cu write)
{
    json_t *o = json_object();
    json_object_set_new(o, "Read", json_real(ddb_cu_to_double(read)));
    json_object_set_new(o, "Write", json_real(ddb_cu_to_double(write)));
    return o;
}

static void hex64(uint64_t v, char out[17])
{
    snprintf(out, 17, "%016" PRIx64, v);
}

static void res_json(json_t *o, const tres *r, int64_t sec, const ddb_throttle_export *x)
{
    int prov = r->table->billing == DDB_BILLING_PROVISIONED;
    json_object_set_new(o, "Partitions", json_integer(r->n_parts));
    json_object_set_new(o, "Capacity",
                        rw_json(ddb_tp_capacity(r, DDB_THROTTLE_READ),
                                ddb_tp_capacity(r, DDB_THROTTLE_WRITE)));
    if (prov) {
        json_object_set_new(o, "ProvisionedReadCapacityUnits", json_integer(r->cap[0]));
        json_object_set_new(o, "ProvisionedWriteCapacityUnits", json_integer(r->cap[1]));
        json_object_set_new(o, "Burst", rw_json(r->tb[0].bank, r->tb[1].bank));
    } else {
        json_object_set_new(o, "PreviousPeak", rw_json(r->peak[0], r->peak[1]));
        if (r->max[0] > 0)
            json_object_set_new(o, "MaxReadRequestUnits", json_integer(r->max[0]));
        if (r->max[1] > 0)
            json_object_set_new(o, "MaxWriteRequestUnits", json_integer(r->max[1]));
    }
    json_object_set_new(o, "Used", rw_json(r->tb[0].used, r->tb[1].used));
    json_object_set_new(o, "Totals", totals_json(r->total, DDB_TM__COUNT));
    json_object_set_new(o, "PerSecond",
                        series_json(&r->sec, sec, x->seconds, DDB_TM__COUNT));
    json_object_set_new(
        o, "PerMinute",
        series_json(&r->min, ddb_tp_minute(sec), x->minutes, DDB_TM__COUNT));
    if (!x->no_partitions) {
        json_t *a = json_array();
        for (unsigned i = 0; i < r->n_parts; i++) {
            const tpart *p = &r->parts[i];
            json_t *po = json_object();
            char lo[17], hi[17];
            hex64(p->lo, lo);
            hex64(ddb_tp_part_hi(r, i), hi);
            json_object_set_new(po, "Id", json_integer(p->id));
            json_object_set_new(po, "Position", json_integer(i));
            json_object_set_new(po, "Range", json_pack("[ss]", lo, hi));
            if (prov) {
                json_object_set_new(po, "Share",
                                    rw_json(ddb_tp_share(r, p, DDB_THROTTLE_READ),
                                            ddb_tp_share(r, p, DDB_THROTTLE_WRITE)));
                json_object_set_new(po, "Burst", rw_json(p->b[0].bank, p->b[1].bank));
            }
            json_object_set_new(po, "Used", rw_json(p->b[0].used, p->b[1].used));
            json_object_set_new(po, "Totals",
                                totals_json(p->total, DDB_TM_PARTITION_COUNT));
            json_object_set_new(
                po, "PerSecond",
                series_json(&p->sec, sec, x->seconds, DDB_TM_PARTITION_COUNT));
            json_array_append_new(a, po);
        }
        json_object_set_new(o, "PartitionMap", a);
    }
    json_object_set_new(o, "ContributorInsights", insights(r, sec, x->top_n));
}

static json_t *table_json(ttable *t, int64_t sec, const ddb_throttle_export *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "TableName", json_string(t->name));
    json_object_set_new(o, "TableArn", json_string(t->base.arn));
    json_object_set_new(o, "BillingMode",
                        json_string(t->billing == DDB_BILLING_PROVISIONED
                                        ? "PROVISIONED"
                                        : "PAY_PER_REQUEST"));
    ddb_tp_advance(&t->base, sec);
    res_json(o, &t->base, sec, x);
    json_t *g = json_array();
    for (size_t i = 0; i < t->n_gsi; i++) {
        tres *r = t->gsi[i];
        ddb_tp_advance(r, sec);
        json_t *io = json_object();
        json_object_set_new(io, "IndexName", json_string(r->index));
        json_object_set_new(io, "IndexArn", json_string(r->arn));
        res_json(io, r, sec, x);
        json_array_append_new(g, io);
    }
    json_object_set_new(o, "GlobalSecondaryIndexes", g);
    json_t *ops = json_array();
    int64_t minute = ddb_tp_minute(sec);
    for (size_t i = 0; i < t->n_ops; i++) {
        const top *op = &t->ops[i];
        json_t *oo = json_object(), *pm = json_object(), *rq = json_array(),
               *th = json_array();
        json_object_set_new(oo, "Operation", json_string(op->name));
        json_object_set_new(oo, "Requests", json_integer(op->total[0]));
        json_object_set_new(oo, "ThrottledRequests", json_integer(op->total[1]));
        for (int64_t q = minute - x->minutes + 1; q <= minute; q++) {
            json_array_append_new(rq,
                                  json_integer(ddb_tp_ring_get(&op->min, minute, q, 0)));
            json_array_append_new(th,
                                  json_integer(ddb_tp_ring_get(&op->min, minute, q, 1)));
        }
        json_object_set_new(pm, "End", json_integer(minute));
        json_object_set_new(pm, "Requests", rq);
        json_object_set_new(pm, "ThrottledRequests", th);
        json_object_set_new(oo, "PerMinute", pm);
        json_array_append_new(ops, oo);
    }
    json_object_set_new(o, "Operations", ops);
    return o;
}

static void export_defaults(ddb_throttle_export *x, const ddb_throttle_export *opt)
{
    memset(x, 0, sizeof *x);
    if (opt != NULL)
        *x = *opt;
    if (x->seconds <= 0 || x->seconds > DDB_THROTTLE_SECOND_SLOTS)
        x->seconds = x->seconds <= 0 ? 60 : DDB_THROTTLE_SECOND_SLOTS;
    if (x->minutes <= 0 || x->minutes > DDB_THROTTLE_MINUTE_SLOTS)
        x->minutes = x->minutes <= 0 ? 15 : DDB_THROTTLE_MINUTE_SLOTS;
}

json_t *ddb_throttle_metrics_json(ddb_throttle_sim *sim, const char *table, double now,
                                  const ddb_throttle_export *opt, ddb_error *err)
{
    ddb_throttle_export x;
    int64_t sec;
    json_t *o = NULL;
    export_defaults(&x, opt);
    pthread_mutex_lock(&sim->mu);
    ttable *only = NULL;
    if (table != NULL && (only = ddb_tp_table(sim, table, err)) == NULL)
        goto out;
    if (ddb_tp_clock(sim, now, &sec, err) != DDB_OK)
        goto out;
    o = json_object();
    json_object_set_new(o, "Time", json_real(now));
    json_object_set_new(o, "Second", json_integer(sec));
    json_object_set_new(o, "Minute", json_integer(ddb_tp_minute(sec)));
    json_t *a = json_array();
    for (size_t i = 0; i < sim->n_tables; i++)
        if (only == NULL || sim->tables[i] == only)
            json_array_append_new(a, table_json(sim->tables[i], sec, &x));
    json_object_set_new(o, "Tables", a);
out:
    pthread_mutex_unlock(&sim->mu);
    return o;
}

/*==== Prometheus ====*/

/* A milli-unit value as exact decimal text ("12.5", "-3", "0.001"). */
static void put_cu(ddb_buf *b, ddb_cu v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    ddb_buf_printf(b, "%s%" PRIu64, v < 0 ? "-" : "", u / DDB_CU_ONE);
    unsigned frac = (unsigned)(u % DDB_CU_ONE);
    if (frac != 0) {
        char f[8];
        snprintf(f, sizeof f, "%03u", frac);
        size_t n = strlen(f);
        while (n > 0 && f[n - 1] == '0')
            f[--n] = '\0';
        ddb_buf_printf(b, ".%s", f);
    }
}

static void put_label(ddb_buf *b, const char *name, const char *value, int first)
{
    ddb_buf_printf(b, "%s%s=\"", first ? "" : ",", name);
    for (const char *s = value; *s; s++) {
        if (*s == '\\' || *s == '"')
            ddb_buf_putc(b, '\\'), ddb_buf_putc(b, *s);
        else if (*s == '\n')
            ddb_buf_puts(b, "\\n");
        else
            ddb_buf_putc(b, *s);
    }
    ddb_buf_putc(b, '"');
}

static void put_res_labels(ddb_buf *b, const tres *r)
{
    put_label(b, "table", r->table->name, 1);
    if (r->index != NULL)
        put_label(b, "index", r->index, 0);
}

static void family(ddb_buf *b, const char *name, const char *type, const char *help)
{
    ddb_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Every resource of the sim, tables by name, base first then GSIs. */
typedef void (*res_fn)(ddb_buf *b, const tres *r, const void *arg);

static void each_res(ddb_throttle_sim *sim, ddb_buf *b, res_fn fn, const void *arg)
{
    for (size_t i = 0; i < sim->n_tables; i++) {
        ttable *t = sim->tables[i];
        fn(b, &t->base, arg);
        for (size_t j = 0; j < t->n_gsi; j++)
            fn(b, t->gsi[j], arg);
    }
}

typedef struct prom_metric {
    const char *name;
    int metric;
} prom_metric;

static void emit_metric(ddb_buf *b, const tres *r, const void *arg)
{
    const prom_metric *pm = arg;
    ddb_buf_printf(b, "%s{", pm->name);
    put_res_labels(b, r);
    ddb_buf_puts(b, "} ");
    if (is_capacity(pm->metric))
        put_cu(b, r->total[pm->metric]);
    else
        ddb_buf_printf(b, "%" PRId64, r->total[pm->metric]);
    ddb_buf_putc(b, '\n');
}

static void emit_reasons(ddb_buf *b, const tres *r, const void *arg)
{
    static const struct {
        int metric, kind;
        ddb_throttle_limit limit;
    } map[] = {
        {DDB_TM_READ_PROVISIONED_EVENTS, 0, DDB_TL_PROVISIONED},
        {DDB_TM_WRITE_PROVISIONED_EVENTS, 1, DDB_TL_PROVISIONED},
        {DDB_TM_READ_KEY_RANGE_EVENTS, 0, DDB_TL_KEY_RANGE},
        {DDB_TM_WRITE_KEY_RANGE_EVENTS, 1, DDB_TL_KEY_RANGE},
        {DDB_TM_READ_MAX_ON_DEMAND_EVENTS, 0, DDB_TL_MAX_ON_DEMAND},
        {DDB_TM_WRITE_MAX_ON_DEMAND_EVENTS, 1, DDB_TL_MAX_ON_DEMAND},
        {DDB_TM_READ_ACCOUNT_EVENTS, 0, DDB_TL_ACCOUNT},
        {DDB_TM_WRITE_ACCOUNT_EVENTS, 1, DDB_TL_ACCOUNT},
    };
    (void)arg;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        ddb_buf_puts(b, "ddbd_throttle_events_by_reason_total{");
        put_res_labels(b, r);
        put_label(b, "reason",
                  ddb_throttle_reason_name(r->index != NULL,
                                           (ddb_throttle_kind)map[i].kind, map[i].limit),
                  0);
        ddb_buf_printf(b, "} %" PRId64 "\n", r->total[map[i].metric]);
    }
}

static void emit_gauges(ddb_buf *b, const tres *r, const void *arg)
{
    const char *which = arg;
    if (strcmp(which, "partitions") == 0) {
        ddb_buf_puts(b, "ddbd_partitions{");
        put_res_labels(b, r);
        ddb_buf_printf(b, "} %u\n", r->n_parts);
        return;
    }
    for (int k = 0; k < 2; k++) {
        ddb_cu v;
        if (strcmp(which, "capacity") == 0)
            v = ddb_tp_capacity(r, (ddb_throttle_kind)k);
        else if (r->table->billing == DDB_BILLING_PROVISIONED)
            v = r->tb[k].bank;
        else
            continue;
        ddb_buf_puts(b, strcmp(which, "capacity") == 0 ? "ddbd_capacity_units{"
                                                       : "ddbd_burst_capacity_units{");
        put_res_labels(b, r);
        put_label(b, "kind", k ? "write" : "read", 0);
        ddb_buf_puts(b, "} ");
        put_cu(b, v);
        ddb_buf_putc(b, '\n');
    }
}

static void emit_parts(ddb_buf *b, const tres *r, const void *arg)
{
    const char *which = arg;
    for (unsigned i = 0; i < r->n_parts; i++) {
        const tpart *p = &r->parts[i];
        char id[16];
        snprintf(id, sizeof id, "%u", p->id);
        for (int k = 0; k < 2; k++) {
            if (strcmp(which, "burst_capacity_units") == 0 &&
                r->table->billing != DDB_BILLING_PROVISIONED)
                continue;
            ddb_buf_printf(b, "ddbd_partition_%s{", which);
            put_res_labels(b, r);
            put_label(b, "partition", id, 0);
            put_label(b, "kind", k ? "write" : "read", 0);
            ddb_buf_puts(b, "} ");
            if (strcmp(which, "consumed_capacity_units_total") == 0)
                put_cu(b, p->total[k ? DDB_TM_CONSUMED_WRITE : DDB_TM_CONSUMED_READ]);
            else if (strcmp(which, "throttle_events_total") == 0)
                ddb_buf_printf(b, "%" PRId64,
                               p->total[k ? DDB_TM_WRITE_THROTTLE_EVENTS
                                          : DDB_TM_READ_THROTTLE_EVENTS]);
            else
                put_cu(b, p->b[k].bank);
            ddb_buf_putc(b, '\n');
        }
    }
}

char *ddb_throttle_metrics_prometheus(ddb_throttle_sim *sim, double now, size_t *out_len)
{
    static const prom_metric counters[] = {
        {"ddbd_consumed_read_capacity_units_total", DDB_TM_CONSUMED_READ},
        {"ddbd_consumed_write_capacity_units_total", DDB_TM_CONSUMED_WRITE},
        {"ddbd_read_throttle_events_total", DDB_TM_READ_THROTTLE_EVENTS},
        {"ddbd_write_throttle_events_total", DDB_TM_WRITE_THROTTLE_EVENTS},
    };
    static const char *const help[] = {
        "ConsumedReadCapacityUnits: read capacity units consumed",
        "ConsumedWriteCapacityUnits: write capacity units consumed",
        "ReadThrottleEvents: throttled read events (one per table or index per request)",
        "WriteThrottleEvents: throttled write events (one per table or index per "
        "request)",
    };
    ddb_buf b = DDB_BUF_INIT;
    int64_t sec;
    pthread_mutex_lock(&sim->mu);
    if (ddb_tp_clock(sim, now, &sec, NULL) == DDB_OK)
        for (size_t i = 0; i < sim->n_tables; i++) {
            ddb_tp_advance(&sim->tables[i]->base, sec);
            for (size_t j = 0; j < sim->tables[i]->n_gsi; j++)
                ddb_tp_advance(sim->tables[i]->gsi[j], sec);
        }
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        family(&b, counters[i].name, "counter", help[i]);
        each_res(sim, &b, emit_metric, &counters[i]);
    }
    family(&b, "ddbd_throttle_events_by_reason_total", "counter",
           "<Read|Write><Reason>ThrottleEvents: throttle events by ThrottlingReason");
    each_res(sim, &b, emit_reasons, NULL);
    family(&b, "ddbd_requests_total", "counter", "Requests reported per operation");
    for (int which = 0; which < 2; which++) {
        if (which == 1)
            family(&b, "ddbd_throttled_requests_total", "counter",
                   "ThrottledRequests: requests that failed with a throttling error");
        for (size_t i = 0; i < sim->n_tables; i++) {
            const ttable *t = sim->tables[i];
            for (size_t j = 0; j < t->n_ops; j++) {
                ddb_buf_printf(&b, "%s{",
                               which ? "ddbd_throttled_requests_total"
                                     : "ddbd_requests_total");
                put_label(&b, "table", t->name, 1);
                put_label(&b, "operation", t->ops[j].name, 0);
                ddb_buf_printf(&b, "} %" PRId64 "\n", t->ops[j].total[which]);
            }
        }
    }
    family(&b, "ddbd_partitions", "gauge", "Partitions of a table or index");
    each_res(sim, &b, emit_gauges, "partitions");
    family(&b, "ddbd_capacity_units", "gauge",
           "Current capacity units per second (provisioned or on-demand current)");
    each_res(sim, &b, emit_gauges, "capacity");
    family(&b, "ddbd_burst_capacity_units", "gauge",
           "Banked burst capacity (provisioned)");
    each_res(sim, &b, emit_gauges, "burst");
    family(&b, "ddbd_partition_consumed_capacity_units_total", "counter",
           "Capacity units consumed per partition");
    each_res(sim, &b, emit_parts, "consumed_capacity_units_total");
    family(&b, "ddbd_partition_throttle_events_total", "counter",
           "Throttle events per partition");
    each_res(sim, &b, emit_parts, "throttle_events_total");
    family(&b, "ddbd_partition_burst_capacity_units", "gauge",
           "Banked burst capacity per partition (provisioned)");
    each_res(sim, &b, emit_parts, "burst_capacity_units");
    pthread_mutex_unlock(&sim->mu);
    if (b.data == NULL)
        ddb_buf_puts(&b, "");
    return ddb_buf_steal(&b, out_len);
}
