/* SPDX-License-Identifier: MIT
**
** throttle.c -- the partition throughput simulator (include/ddb_throttle.h,
** part 2): tables and GSIs, partition maps over the ddb_hash64 space, token
** buckets with burst credit, adaptive capacity, split-for-heat, on-demand
** scaling and quotas, atomic admission with ThrottlingReasons, and the one
** table of throttling message texts.
**
** The model works in whole-second windows of the caller's clock and integer
** milli-units; it never reads a clock and never touches I/O. History,
** Contributor Insights and the exports live in throttle_metrics.c.
**
** Rounding, in one place: per-partition shares are capacity * 1000 /
** (p0 << depth) truncated to whole milli-units; a split halves banks and
** window usage with the odd milli-unit staying on the left; everything else
** is exact integer arithmetic (saturating where a long idle gap could
** overflow).
*/
#include "ddb_util.h"
#include "throttle_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONFIG 1000000000LL /* largest throughput/ceiling accepted, units/s */
#define MAX_TIME 1e15           /* |now| accepted, seconds */

/*==== Messages and reasons (reference section 4.1/4.2) ====*/

static const char *const msg_table[DDB_TMSG__COUNT] = {
    [DDB_TMSG_PROVISIONED_TABLE] =
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API.",
    [DDB_TMSG_PROVISIONED_INDEX] =
        "The level of configured provisioned throughput for one or more global secondary "
        "indexes of the table was exceeded. Consider increasing your provisioning "
        "level for the under-provisioned global secondary indexes with the UpdateTable "
        "API",
    [DDB_TMSG_ON_DEMAND_TABLE] =
        "Throughput exceeds the current capacity of your table or index. DynamoDB is "
        "automatically scaling your table or index so please try again shortly. If "
        "exceptions persist, check if you have a hot key: "
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
        "bp-partition-key-design.html",
    [DDB_TMSG_ON_DEMAND_INDEX] =
        "Throughput exceeds the current capacity for one or more global secondary "
        "indexes. DynamoDB is automatically scaling your index so please try again "
        "shortly.",
    [DDB_TMSG_MAX_ON_DEMAND] =
        "Throughput exceeds the maximum OnDemandThroughput configured on table or index",
    [DDB_TMSG_CONTROL_PLANE] = "Rate of requests exceeds the allowed throughput",
    [DDB_TMSG_ACCOUNT_LIMIT] =
        "Throughput exceeds the current throughput limit for your account. To request a "
        "limit increase, contact AWS Support at https://aws.amazon.com/support",
};

const char *ddb_throttle_message(ddb_throttle_msg m)
{
    return (unsigned)m < DDB_TMSG__COUNT ? msg_table[m] : "";
}

/* [is_index][kind][limit] */
static const char *const reason_table[2][2][5] = {
    {{NULL, "TableReadProvisionedThroughputExceeded", "TableReadAccountLimitExceeded",
      "TableReadKeyRangeThroughputExceeded", "TableReadMaxOnDemandThroughputExceeded"},
     {NULL, "TableWriteProvisionedThroughputExceeded", "TableWriteAccountLimitExceeded",
      "TableWriteKeyRangeThroughputExceeded", "TableWriteMaxOnDemandThroughputExceeded"}},
    {{NULL, "IndexReadProvisionedThroughputExceeded", "IndexReadAccountLimitExceeded",
      "IndexReadKeyRangeThroughputExceeded", "IndexReadMaxOnDemandThroughputExceeded"},
     {NULL, "IndexWriteProvisionedThroughputExceeded", "IndexWriteAccountLimitExceeded",
      "IndexWriteKeyRangeThroughputExceeded", "IndexWriteMaxOnDemandThroughputExceeded"}},
};

const char *ddb_throttle_reason_name(int is_index, ddb_throttle_kind kind,
                                     ddb_throttle_limit limit)
{
    if ((unsigned)limit > DDB_TL_MAX_ON_DEMAND || (unsigned)kind > 1)
        return NULL;
    return reason_table[is_index != 0][kind][limit];
}

/*==== Small arithmetic ====*/

static ddb_cu sat_add(ddb_cu a, ddb_cu b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

/* a * b for a, b >= 0, saturating. */
static ddb_cu sat_mul(ddb_cu a, int64_t b)
{
    if (a <= 0 || b <= 0)
        return 0;
    if (a > INT64_MAX / b)
        return INT64_MAX;
    return a * b;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

static ddb_cu min_cu(ddb_cu a, ddb_cu b)
{
    return a < b ? a : b;
}

uint64_t ddb_throttle_range_start(unsigned i, unsigned n)
{
    /* floor(i * 2^64 / n) with 2^64 = q*n + r + 1 (q, r of UINT64_MAX / n):
    ** i*q + floor(i*(r+1)/n); i*(r+1) <= n*n fits for n < 2^32. */
    if (n <= 1 || i == 0)
        return 0;
    uint64_t q = UINT64_MAX / n, r = UINT64_MAX % n;
    return (uint64_t)i * q + ((uint64_t)i * (r + 1)) / n;
}

/*==== Model and configuration ====*/

void ddb_throttle_model_defaults(ddb_throttle_model *m)
{
    memset(m, 0, sizeof *m);
    m->partition_read_max = DDB_THROTTLE_PARTITION_RCU;
    m->partition_write_max = DDB_THROTTLE_PARTITION_WCU;
    m->partition_bytes = DDB_THROTTLE_PARTITION_BYTES;
    m->burst_seconds = DDB_THROTTLE_BURST_SECONDS;
    m->adaptive = 1;
    m->rw = DDB_THROTTLE_RW_INDEPENDENT;
    m->split_for_heat = 0;
    m->split_percent = DDB_THROTTLE_SPLIT_PERCENT;
    m->split_seconds = DDB_THROTTLE_SPLIT_SECONDS;
    m->max_partitions = DDB_THROTTLE_MAX_PARTITIONS;
    m->warm_read = DDB_THROTTLE_WARM_READ;
    m->warm_write = DDB_THROTTLE_WARM_WRITE;
    m->peak_seconds = DDB_THROTTLE_PEAK_SECONDS;
    m->quota_read = DDB_THROTTLE_QUOTA;
    m->quota_write = DDB_THROTTLE_QUOTA;
}

void ddb_throttle_table_cfg_init(ddb_throttle_table_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->billing = DDB_BILLING_PROVISIONED;
}

static int in_range(int64_t v, int64_t lo, int64_t hi)
{
    return v >= lo && v <= hi;
}

static int model_check(const ddb_throttle_model *m, ddb_error *err)
{
    if (!in_range(m->partition_read_max, 1, MAX_CONFIG) ||
        !in_range(m->partition_write_max, 1, MAX_CONFIG) || m->partition_bytes == 0 ||
        !in_range(m->burst_seconds, 0, 100000000) ||
        !in_range(m->split_percent, 1, 100) ||
        !in_range(m->split_seconds, 1, 100000000) ||
        !in_range(m->max_partitions, 1, 1u << 16) ||
        !in_range(m->warm_read, 0, MAX_CONFIG) ||
        !in_range(m->warm_write, 0, MAX_CONFIG) ||
        !in_range(m->peak_seconds, 0, 100000000) ||
        !in_range(m->quota_read, 1, MAX_CONFIG) ||
        !in_range(m->quota_write, 1, MAX_CONFIG) ||
        (m->rw != DDB_THROTTLE_RW_INDEPENDENT && m->rw != DDB_THROTTLE_RW_LINEAR))
        return ddb_err_set(err, DDB_E_INTERNAL, "throttle: invalid model settings");
    return DDB_OK;
}

static int cfg_check(const ddb_throttle_table_cfg *c, unsigned max_partitions,
                     ddb_error *err)
{
    if (!in_range(c->rcu, 0, MAX_CONFIG) || !in_range(c->wcu, 0, MAX_CONFIG) ||
        c->max_read > MAX_CONFIG || c->max_write > MAX_CONFIG ||
        !in_range(c->warm_read, 0, MAX_CONFIG) ||
        !in_range(c->warm_write, 0, MAX_CONFIG) ||
        !in_range(c->peak_read, 0, MAX_CONFIG) ||
        !in_range(c->peak_write, 0, MAX_CONFIG) ||
        (c->billing != DDB_BILLING_PROVISIONED &&
         c->billing != DDB_BILLING_PAY_PER_REQUEST))
        return ddb_err_set(err, DDB_E_INTERNAL, "throttle: invalid throughput settings");
    if (c->partitions > max_partitions)
        return ddb_err_set(err, DDB_E_INTERNAL,
                           "throttle: %u partitions exceed the maximum of %u",
                           c->partitions, max_partitions);
    return DDB_OK;
}

/*==== Clock and lookup ====*/

int ddb_tp_clock(ddb_throttle_sim *sim, double now, int64_t *out_sec, ddb_error *err)
{
    if (!isfinite(now) || now < -MAX_TIME || now > MAX_TIME)
        return ddb_err_set(err, DDB_E_INTERNAL, "throttle: invalid time %g", now);
    int64_t s = (int64_t)floor(now);
    if (sim->have_time && s < sim->last_sec)
        s = sim->last_sec;
    sim->last_sec = s;
    sim->have_time = 1;
    *out_sec = s;
    return DDB_OK;
}

/* Position of 'name' in the sorted table array, or where it would go. */
static size_t table_pos(const ddb_throttle_sim *sim, const char *name, int *found)
{
    size_t lo = 0, hi = sim->n_tables;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(sim->tables[mid]->name, name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

ttable *ddb_tp_table(ddb_throttle_sim *sim, const char *name, ddb_error *err)
{
    int found;
    if (name == NULL) {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: no table name");
        return NULL;
    }
    size_t i = table_pos(sim, name, &found);
    if (!found) {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: unknown table '%s'", name);
        return NULL;
    }
    return sim->tables[i];
}

static tres *table_gsi(ttable *t, const char *index, size_t *out_pos)
{
    for (size_t i = 0; i < t->n_gsi; i++)
        if (strcmp(t->gsi[i]->index, index) == 0) {
            if (out_pos)
                *out_pos = i;
            return t->gsi[i];
        }
    return NULL;
}

tres *ddb_tp_res(ddb_throttle_sim *sim, const char *table, const char *index,
                 ddb_error *err)
{
    ttable *t = ddb_tp_table(sim, table, err);
    if (t == NULL)
        return NULL;
    if (index == NULL)
        return &t->base;
    tres *r = table_gsi(t, index, NULL);
    if (r == NULL)
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: unknown index '%s' of table '%s'",
                    index, table);
    return r;
}

/*==== Partitions ====*/

static const ddb_throttle_model *res_model(const tres *r)
{
    return &r->table->model;
}

static int res_provisioned(const tres *r)
{
    return r->table->billing == DDB_BILLING_PROVISIONED;
}

static ddb_cu ceiling(const tres *r, int kind)
{
    const ddb_throttle_model *m = res_model(r);
    return (kind == DDB_THROTTLE_READ ? m->partition_read_max : m->partition_write_max) *
           DDB_CU_ONE;
}

uint64_t ddb_tp_part_hi(const tres *r, unsigned i)
{
    return i + 1 < r->n_parts ? r->parts[i + 1].lo - 1 : UINT64_MAX;
}

unsigned ddb_tp_part_find(const tres *r, uint64_t hash)
{
    unsigned lo = 0, hi = r->n_parts; /* last partition with parts[i].lo <= hash */
    while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        if (r->parts[mid].lo <= hash)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

ddb_cu ddb_tp_share(const tres *r, const tpart *p, ddb_throttle_kind kind)
{
    if (!res_provisioned(r))
        return 0;
    unsigned shift = p->depth < 40 ? p->depth : 40;
    ddb_cu share = r->cap[kind] * DDB_CU_ONE / ((int64_t)r->p0 << shift);
    return min_cu(share, ceiling(r, kind));
}

/* On-demand current capacity before the quota and maximum: max(warm, 2 peak). */
static ddb_cu od_allowance(const tres *r, int kind)
{
    ddb_cu a = r->warm[kind] * DDB_CU_ONE;
    ddb_cu twice = sat_add(r->peak[kind], r->peak[kind]);
    return twice > a ? twice : a;
}

static ddb_cu quota(const tres *r, int kind)
{
    const ddb_throttle_model *m = res_model(r);
    return (kind == DDB_THROTTLE_READ ? m->quota_read : m->quota_write) * DDB_CU_ONE;
}

ddb_cu ddb_tp_capacity(const tres *r, ddb_throttle_kind kind)
{
    if (res_provisioned(r))
        return r->cap[kind] * DDB_CU_ONE;
    ddb_cu c = min_cu(od_allowance(r, kind), quota(r, kind));
    if (r->max[kind] > 0)
        c = min_cu(c, r->max[kind] * DDB_CU_ONE);
    return c;
}

/* The partition count formula (see ddb_throttle.h). */
static unsigned partitions_needed(const tres *r)
{
    const ddb_throttle_model *m = res_model(r);
    uint64_t cr = (uint64_t)m->partition_read_max, cw = (uint64_t)m->partition_write_max;
    uint64_t need;
    if (res_provisioned(r)) {
        /* ceil(R/cr + W/cw) = ceil((R*cw + W*cr) / (cr*cw)); all <= 1e9. */
        need = ceil_div((uint64_t)r->cap[0] * cw + (uint64_t)r->cap[1] * cr, cr * cw);
    } else {
        uint64_t nr =
            ceil_div((uint64_t)min_cu(od_allowance(r, 0), quota(r, 0)), cr * DDB_CU_ONE);
        uint64_t nw =
            ceil_div((uint64_t)min_cu(od_allowance(r, 1), quota(r, 1)), cw * DDB_CU_ONE);
        need = nr > nw ? nr : nw;
    }
    uint64_t by_size = ceil_div(r->bytes, m->partition_bytes);
    if (by_size > need)
        need = by_size;
    if (need < 1)
        need = 1;
    if (need > m->max_partitions)
        need = m->max_partitions;
    return (unsigned)need;
}

static void parts_reserve(tres *r, unsigned n)
{
    if (n <= r->cap_parts)
        return;
    unsigned cap = r->cap_parts ? r->cap_parts : 4;
    while (cap < n)
        cap *= 2;
    r->parts = ddb_xrealloc(r->parts, cap * sizeof *r->parts);
    r->cap_parts = cap;
}

/* Split partition i at hash 'at' (parts[i].lo < at <= hi): the left half keeps
** id and history, the right one is new; shares, banks and usage are halved. */
static void part_split(tres *r, unsigned i, uint64_t at)
{
    parts_reserve(r, r->n_parts + 1);
    memmove(&r->parts[i + 2], &r->parts[i + 1], (r->n_parts - i - 1) * sizeof *r->parts);
    r->n_parts++;
    tpart *left = &r->parts[i], *right = &r->parts[i + 1];
    memset(right, 0, sizeof *right);
    right->lo = at;
    right->id = r->next_id++;
    left->depth++;
    right->depth = left->depth;
    for (int k = 0; k < 2; k++) {
        right->b[k].used = left->b[k].used / 2;
        left->b[k].used -= right->b[k].used;
        right->b[k].bank = left->b[k].bank / 2;
        left->b[k].bank -= right->b[k].bank;
    }
    left->heat_run = 0;
    left->n_heat = 0;
    ddb_tp_part_metrics_init(right);
}

/* Double the partition count (each range split at its midpoint) until at
** least 'need' partitions exist or the cap is reached. */
static void grow_to(tres *r, unsigned need)
{
    unsigned cap = res_model(r)->max_partitions;
    if (need > cap)
        need = cap;
    while (r->n_parts < need && r->n_parts < cap) {
        unsigned before = r->n_parts;
        for (unsigned i = before; i-- > 0 && r->n_parts < cap;) {
            uint64_t lo = r->parts[i].lo, hi = ddb_tp_part_hi(r, i);
            if (hi > lo)
                part_split(r, i, lo + (hi - lo) / 2 + 1);
        }
        if (r->n_parts == before)
            break;
    }
}

static int heat_cmp(const void *a, const void *b)
{
    uint64_t x = ((const heat_key *)a)->hash, y = ((const heat_key *)b)->hash;
    return (x > y) - (x < y);
}

/* Split-for-heat of partition i: at the weighted median of its remembered
** hot keys, strictly between two distinct key hashes; a partition whose
** traffic is one key is never split. Returns 1 if split. */
static int split_heat(tres *r, unsigned i)
{
    tpart *p = &r->parts[i];
    if (p->n_heat < 2 || r->n_parts >= res_model(r)->max_partitions)
        return 0;
    heat_key k[HEAT_KEYS];
    int n = p->n_heat;
    memcpy(k, p->heat, (size_t)n * sizeof *k);
    qsort(k, (size_t)n, sizeof *k, heat_cmp);
    ddb_cu total = 0, left = 0;
    for (int j = 0; j < n; j++)
        total += k[j].weight;
    int best = -1;
    ddb_cu best_diff = 0;
    for (int j = 1; j < n; j++) {
        left += k[j - 1].weight;
        if (k[j].hash == k[j - 1].hash)
            continue;
        ddb_cu diff = 2 * left - total;
        if (diff < 0)
            diff = -diff;
        if (best < 0 || diff < best_diff) {
            best = j;
            best_diff = diff;
        }
    }
    if (best < 0)
        return 0;
    part_split(r, i, k[best].hash);
    r->parts[i].heat_run = 0;
    r->parts[i].n_heat = 0;
    return 1;
}

/* Remember 'w' units of traffic on 'hash' in partition 'p' (space-saving
** over HEAT_KEYS slots). */
static void heat_note(tpart *p, uint64_t hash, ddb_cu w)
{
    int min = 0;
    for (int j = 0; j < p->n_heat; j++) {
        if (p->heat[j].hash == hash) {
            p->heat[j].weight += w;
            return;
        }
        if (p->heat[j].weight < p->heat[min].weight)
            min = j;
    }
    if (p->n_heat < HEAT_KEYS) {
        p->heat[p->n_heat].hash = hash;
        p->heat[p->n_heat++].weight = w;
        return;
    }
    p->heat[min].hash = hash;
    p->heat[min].weight += w;
}

/*==== Windows ====*/

/* Close the current window of 'b' and skip gap-1 idle windows: unused rate
** goes to the bank, capped at burst_seconds of rate. */
static void bucket_roll(tbucket *b, ddb_cu rate, int64_t gap, int burst_seconds)
{
    ddb_cu unused = rate - b->used;
    if (unused < 0)
        unused = 0;
    ddb_cu add = sat_add(unused, sat_mul(rate, gap - 1));
    ddb_cu cap = sat_mul(rate, burst_seconds);
    b->bank = sat_add(b->bank, add);
    if (b->bank > cap)
        b->bank = cap;
    b->used = 0;
}

/* Take 'amt' from 'b' whose window rate is 'rate': the window first, then the
** bank; with 'borrow' the bank is not overdrawn (adaptive capacity covers the
** rest), otherwise it goes into debt. Usage always grows by 'amt'. */
static void bucket_take(tbucket *b, ddb_cu rate, ddb_cu amt, int borrow)
{
    ddb_cu room = rate - b->used;
    if (room < 0)
        room = 0;
    ddb_cu rest = amt - min_cu(amt, room);
    if (rest > 0) {
        ddb_cu from_bank = rest;
        if (borrow)
            from_bank = min_cu(rest, b->bank > 0 ? b->bank : 0);
        b->bank -= from_bank;
    }
    b->used += amt;
}

/* Room left in 'b' for this window: unused rate plus bank. */
static ddb_cu bucket_avail(const tbucket *b, ddb_cu rate)
{
    ddb_cu room = rate - b->used;
    return sat_add(room > 0 ? room : 0, b->bank);
}

/* On demand: a usage level above the previous peak held for peak_seconds
** consecutive windows becomes the new peak (the lowest second of the run);
** the run restarts after each raise and at any second at or below the peak. */
static void od_roll(tres *r, int kind, int64_t gap)
{
    int need = res_model(r)->peak_seconds;
    ddb_cu c = r->tb[kind].used;
    if (need > 0 && c > r->peak[kind]) {
        if (r->run_len[kind] == 0 || c < r->run_min[kind])
            r->run_min[kind] = c;
        if (++r->run_len[kind] >= need) {
            r->peak[kind] = r->run_min[kind];
            r->run_len[kind] = 0;
        }
    } else {
        r->run_len[kind] = 0;
    }
    if (gap > 1)
        r->run_len[kind] = 0;
    r->tb[kind].used = 0;
    r->tb[kind].bank = 0;
}

/* Busy for split-for-heat: KeyRange-refused, or usage >= split_percent of a
** ceiling in the window. */
static int part_busy(const tres *r, const tpart *p)
{
    if (p->key_range_hit)
        return 1;
    int pct = res_model(r)->split_percent;
    for (int k = 0; k < 2; k++)
        if (p->b[k].used * 100 >= ceiling(r, k) * pct)
            return 1;
    return 0;
}

void ddb_tp_advance(tres *r, int64_t sec)
{
    if (sec <= r->win)
        return;
    int64_t gap = sec - r->win;
    const ddb_throttle_model *m = res_model(r);
    int prov = res_provisioned(r);
    for (int k = 0; k < 2; k++) {
        if (prov)
            bucket_roll(&r->tb[k], r->cap[k] * DDB_CU_ONE, gap, m->burst_seconds);
        else
            od_roll(r, k, gap);
    }
    for (unsigned i = 0; i < r->n_parts; i++) {
        tpart *p = &r->parts[i];
        int busy = part_busy(r, p);
        for (int k = 0; k < 2; k++) {
            if (prov) {
                bucket_roll(&p->b[k], ddb_tp_share(r, p, k), gap, m->burst_seconds);
            } else {
                p->b[k].used = 0;
                p->b[k].bank = 0;
            }
        }
        p->key_range_hit = 0;
        if (busy) {
            p->heat_run++;
        } else {
            p->heat_run = 0;
            p->n_heat = 0;
        }
    }
    if (m->split_for_heat)
        for (unsigned i = r->n_parts; i-- > 0;)
            if (r->parts[i].heat_run >= m->split_seconds && !split_heat(r, i))
                r->parts[i].heat_run = 0;
    if (gap > 1)
        for (unsigned i = 0; i < r->n_parts; i++) {
            r->parts[i].heat_run = 0;
            r->parts[i].n_heat = 0;
        }
    if (!prov && !r->fixed)
        grow_to(r, partitions_needed(r));
    r->win = sec;
}

/*==== Simulator, tables, indexes ====*/

ddb_throttle_sim *ddb_throttle_sim_new(const ddb_throttle_model *defaults,
                                       const char *region, const char *account)
{
    ddb_throttle_sim *sim = ddb_xcalloc(1, sizeof *sim);
    if (defaults != NULL && model_check(defaults, NULL) == DDB_OK)
        sim->model = *defaults;
    else
        ddb_throttle_model_defaults(&sim->model);
    sim->region = ddb_xstrdup(region ? region : "us-east-1");
    sim->account = ddb_xstrdup(account ? account : "000000000000");
    pthread_mutex_init(&sim->mu, NULL);
    return sim;
}

static void res_free(tres *r)
{
    for (unsigned i = 0; i < r->n_parts; i++)
        ddb_tp_part_metrics_free(&r->parts[i]);
    free(r->parts);
    ddb_tp_res_metrics_free(r);
    free(r->index);
    free(r->arn);
}

static void table_free(ttable *t)
{
    for (size_t i = 0; i < t->n_gsi; i++) {
        res_free(t->gsi[i]);
        free(t->gsi[i]);
    }
    free(t->gsi);
    res_free(&t->base);
    for (size_t i = 0; i < t->n_ops; i++) {
        free(t->ops[i].name);
        ddb_tp_ring_free(&t->ops[i].min);
        ddb_tp_ring_free(&t->ops[i].sec);
    }
    free(t->name);
    free(t);
}

void ddb_throttle_sim_free(ddb_throttle_sim *sim)
{
    if (sim == NULL)
        return;
    for (size_t i = 0; i < sim->n_tables; i++)
        table_free(sim->tables[i]);
    free(sim->tables);
    free(sim->region);
    free(sim->account);
    pthread_mutex_destroy(&sim->mu);
    free(sim);
}

/* Set the per-resource settings of 'cfg' on 'r' (billing is the table's). */
static void res_configure(tres *r, const ddb_throttle_table_cfg *c)
{
    const ddb_throttle_model *m = res_model(r);
    r->cap[0] = c->rcu;
    r->cap[1] = c->wcu;
    r->max[0] = c->max_read;
    r->max[1] = c->max_write;
    r->warm[0] = c->warm_read > 0 ? c->warm_read : m->warm_read;
    r->warm[1] = c->warm_write > 0 ? c->warm_write : m->warm_write;
    if (c->peak_read * DDB_CU_ONE > r->peak[0])
        r->peak[0] = c->peak_read * DDB_CU_ONE;
    if (c->peak_write * DDB_CU_ONE > r->peak[1])
        r->peak[1] = c->peak_write * DDB_CU_ONE;
    r->bytes = c->bytes;
}

static void res_init(tres *r, ttable *t, const char *index, const char *arn,
                     const ddb_throttle_table_cfg *c, int64_t sec)
{
    memset(r, 0, sizeof *r);
    r->table = t;
    r->index = index ? ddb_xstrdup(index) : NULL;
    r->arn = ddb_xstrdup(arn);
    res_configure(r, c);
    r->fixed = c->partitions > 0;
    unsigned n = r->fixed ? c->partitions : partitions_needed(r);
    parts_reserve(r, n);
    for (unsigned i = 0; i < n; i++) {
        tpart *p = &r->parts[i];
        memset(p, 0, sizeof *p);
        p->lo = ddb_throttle_range_start(i, n);
        p->id = i;
        ddb_tp_part_metrics_init(p);
    }
    r->n_parts = n;
    r->p0 = n;
    r->next_id = n;
    r->win = sec;
    ddb_tp_res_metrics_init(r);
}

/* Build the default ARN of 'table'. New string. */
static char *table_arn(const ddb_throttle_sim *sim, const char *table)
{
    return ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/%s", sim->region, sim->account,
                         table);
}

int ddb_throttle_table_add(ddb_throttle_sim *sim, const char *table,
                           const ddb_throttle_table_cfg *cfg, double now, ddb_error *err)
{
    int rc = DDB_ERR, found;
    int64_t sec;
    pthread_mutex_lock(&sim->mu);
    const ddb_throttle_model *m = cfg->model ? cfg->model : &sim->model;
    if (table == NULL || table[0] == '\0') {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: no table name");
        goto out;
    }
    if (ddb_tp_clock(sim, now, &sec, err) != DDB_OK || model_check(m, err) != DDB_OK ||
        cfg_check(cfg, m->max_partitions, err) != DDB_OK)
        goto out;
    size_t pos = table_pos(sim, table, &found);
    if (found) {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: table '%s' already exists", table);
        goto out;
    }
    ttable *t = ddb_xcalloc(1, sizeof *t);
    t->name = ddb_xstrdup(table);
    t->billing = cfg->billing;
    t->model = *m;
    char *arn = cfg->arn ? ddb_xstrdup(cfg->arn) : table_arn(sim, table);
    res_init(&t->base, t, NULL, arn, cfg, sec);
    free(arn);
    if (sim->n_tables == sim->cap_tables) {
        sim->cap_tables = sim->cap_tables ? 2 * sim->cap_tables : 8;
        sim->tables = ddb_xrealloc(sim->tables, sim->cap_tables * sizeof *sim->tables);
    }
    memmove(&sim->tables[pos + 1], &sim->tables[pos],
            (sim->n_tables - pos) * sizeof *sim->tables);
    sim->tables[pos] = t;
    sim->n_tables++;
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

/* Apply 'c' to 'r' whose table switched from 'old_billing' (or not). */
static void res_update(tres *r, const ddb_throttle_table_cfg *c, ddb_billing old_billing)
{
    ddb_billing now_billing = r->table->billing;
    if (old_billing == DDB_BILLING_PROVISIONED &&
        now_billing == DDB_BILLING_PAY_PER_REQUEST)
        for (int k = 0; k < 2; k++) {
            if (r->cap[k] * DDB_CU_ONE > r->peak[k])
                r->peak[k] = r->cap[k] * DDB_CU_ONE;
            r->run_len[k] = 0;
        }
    if (old_billing != now_billing)
        for (int k = 0; k < 2; k++) {
            r->tb[k].bank = 0;
            for (unsigned i = 0; i < r->n_parts; i++)
                r->parts[i].b[k].bank = 0;
        }
    if (c != NULL) {
        if (now_billing == DDB_BILLING_PAY_PER_REQUEST) {
            /* Keep the provisioned numbers for a later switch back. */
            int64_t rcu = r->cap[0], wcu = r->cap[1];
            res_configure(r, c);
            r->cap[0] = rcu;
            r->cap[1] = wcu;
        } else {
            res_configure(r, c);
        }
    }
    if (!r->fixed)
        grow_to(r, partitions_needed(r));
}

int ddb_throttle_table_update(ddb_throttle_sim *sim, const char *table,
                              const ddb_throttle_table_cfg *cfg, double now,
                              ddb_error *err)
{
    int rc = DDB_ERR;
    int64_t sec;
    pthread_mutex_lock(&sim->mu);
    ttable *t = ddb_tp_table(sim, table, err);
    if (t == NULL || ddb_tp_clock(sim, now, &sec, err) != DDB_OK)
        goto out;
    const ddb_throttle_model *m = cfg->model ? cfg->model : &t->model;
    if (model_check(m, err) != DDB_OK || cfg_check(cfg, m->max_partitions, err) != DDB_OK)
        goto out;
    ddb_tp_advance(&t->base, sec);
    for (size_t i = 0; i < t->n_gsi; i++)
        ddb_tp_advance(t->gsi[i], sec);
    ddb_billing old = t->billing;
    t->model = *m;
    t->billing = cfg->billing;
    res_update(&t->base, cfg, old);
    for (size_t i = 0; i < t->n_gsi; i++)
        res_update(t->gsi[i], NULL, old);
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_table_remove(ddb_throttle_sim *sim, const char *table, ddb_error *err)
{
    int found = 0, rc = DDB_ERR;
    size_t pos = 0;
    pthread_mutex_lock(&sim->mu);
    if (table != NULL)
        pos = table_pos(sim, table, &found);
    if (!found) {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: unknown table '%s'",
                    table ? table : "");
        goto out;
    }
    table_free(sim->tables[pos]);
    memmove(&sim->tables[pos], &sim->tables[pos + 1],
            (sim->n_tables - pos - 1) * sizeof *sim->tables);
    sim->n_tables--;
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_index_add(ddb_throttle_sim *sim, const char *table, const char *index,
                           const ddb_throttle_table_cfg *cfg, double now, ddb_error *err)
{
    int rc = DDB_ERR;
    int64_t sec;
    pthread_mutex_lock(&sim->mu);
    ttable *t = ddb_tp_table(sim, table, err);
    if (t == NULL || ddb_tp_clock(sim, now, &sec, err) != DDB_OK ||
        cfg_check(cfg, t->model.max_partitions, err) != DDB_OK)
        goto out;
    if (index == NULL || index[0] == '\0' || table_gsi(t, index, NULL) != NULL) {
        ddb_err_set(err, DDB_E_INTERNAL,
                    "throttle: index '%s' of table '%s' exists or is unnamed",
                    index ? index : "", table);
        goto out;
    }
    char *arn = ddb_xasprintf("%s/index/%s", t->base.arn, index);
    tres *r = ddb_xmalloc(sizeof *r);
    res_init(r, t, index, arn, cfg, sec);
    free(arn);
    t->gsi = ddb_xrealloc(t->gsi, (t->n_gsi + 1) * sizeof *t->gsi);
    t->gsi[t->n_gsi++] = r;
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_index_update(ddb_throttle_sim *sim, const char *table, const char *index,
                              const ddb_throttle_table_cfg *cfg, double now,
                              ddb_error *err)
{
    int rc = DDB_ERR;
    int64_t sec;
    pthread_mutex_lock(&sim->mu);
    tres *r = ddb_tp_res(sim, table, index, err);
    if (r == NULL || index == NULL || ddb_tp_clock(sim, now, &sec, err) != DDB_OK ||
        cfg_check(cfg, r->table->model.max_partitions, err) != DDB_OK)
        goto out;
    ddb_tp_advance(r, sec);
    res_update(r, cfg, r->table->billing);
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_index_remove(ddb_throttle_sim *sim, const char *table, const char *index,
                              ddb_error *err)
{
    int rc = DDB_ERR;
    size_t pos;
    pthread_mutex_lock(&sim->mu);
    ttable *t = ddb_tp_table(sim, table, err);
    if (t == NULL)
        goto out;
    tres *r = index ? table_gsi(t, index, &pos) : NULL;
    if (r == NULL) {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: unknown index '%s' of table '%s'",
                    index ? index : "", table);
        goto out;
    }
    res_free(r);
    free(r);
    memmove(&t->gsi[pos], &t->gsi[pos + 1], (t->n_gsi - pos - 1) * sizeof *t->gsi);
    t->n_gsi--;
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

/*==== Admission ====*/

/* Charges summed per resource and per partition. */
typedef struct agg_res {
    tres *r;
    ddb_cu amt[2];
    size_t first[2]; /* first charge of each kind */
    int failed;      /* some kind of this resource failed */
} agg_res;

typedef struct agg_part {
    size_t res;  /* index into the agg_res array */
    unsigned pi; /* partition position */
    ddb_cu amt[2];
    size_t first;
} agg_part;

typedef struct fail {
    size_t res;
    int kind;
    ddb_throttle_limit limit;
    size_t charge;
    unsigned pi;
} fail;

typedef struct plan {
    const ddb_throttle_charge *ch;
    size_t n;
    tres **rs;     /* per charge (NULL for a 0 charge) */
    unsigned *pis; /* per charge: partition position */
    size_t *ais;   /* per charge: agg_res index */
    agg_res *res;
    size_t n_res;
    agg_part *parts;
    size_t n_parts;
    fail fails[2 * DDB_THROTTLE_MAX_REASONS];
    size_t n_fails;
} plan;

static void plan_free(plan *p)
{
    free(p->rs);
    free(p->pis);
    free(p->ais);
    free(p->res);
    free(p->parts);
}

/* Resolve and sum the charges; advances every resource to 'sec' first so
** that partition positions are final. */
static int plan_build(ddb_throttle_sim *sim, plan *p, const ddb_throttle_charge *ch,
                      size_t n, int64_t sec, ddb_error *err)
{
    memset(p, 0, sizeof *p);
    p->ch = ch;
    p->n = n;
    if (n > DDB_THROTTLE_MAX_CHARGES)
        return ddb_err_set(err, DDB_E_INTERNAL, "throttle: %zu charges exceed %d", n,
                           DDB_THROTTLE_MAX_CHARGES);
    if (n == 0)
        return DDB_OK;
    p->rs = ddb_xcalloc(n, sizeof *p->rs);
    p->pis = ddb_xcalloc(n, sizeof *p->pis);
    p->ais = ddb_xcalloc(n, sizeof *p->ais);
    p->res = ddb_xcalloc(n, sizeof *p->res);
    p->parts = ddb_xcalloc(n, sizeof *p->parts);
    for (size_t i = 0; i < n; i++) {
        if (ch[i].units < 0 || (unsigned)ch[i].kind > 1)
            return ddb_err_set(err, DDB_E_INTERNAL, "throttle: invalid charge %zu", i);
        if (ch[i].units == 0)
            continue;
        if ((p->rs[i] = ddb_tp_res(sim, ch[i].table, ch[i].index, err)) == NULL)
            return DDB_ERR;
        ddb_tp_advance(p->rs[i], sec);
    }
    for (size_t i = 0; i < n; i++) {
        tres *r = p->rs[i];
        if (r == NULL)
            continue;
        int k = ch[i].kind;
        size_t a = 0;
        while (a < p->n_res && p->res[a].r != r)
            a++;
        if (a == p->n_res) {
            p->res[a].r = r;
            p->res[a].first[0] = p->res[a].first[1] = i;
            p->n_res++;
        }
        if (p->res[a].amt[k] == 0)
            p->res[a].first[k] = i;
        p->res[a].amt[k] = sat_add(p->res[a].amt[k], ch[i].units);
        p->ais[i] = a;
        unsigned pi = ddb_tp_part_find(r, ch[i].key_hash);
        p->pis[i] = pi;
        size_t j = 0;
        while (j < p->n_parts && !(p->parts[j].res == a && p->parts[j].pi == pi))
            j++;
        if (j == p->n_parts) {
            p->parts[j].res = a;
            p->parts[j].pi = pi;
            p->parts[j].first = i;
            p->n_parts++;
        }
        p->parts[j].amt[k] = sat_add(p->parts[j].amt[k], ch[i].units);
    }
    return DDB_OK;
}

/* Record a failure unless this (resource, kind) already failed. */
static void plan_fail(plan *p, size_t a, int kind, ddb_throttle_limit limit,
                      size_t charge, unsigned pi)
{
    for (size_t i = 0; i < p->n_fails; i++)
        if (p->fails[i].res == a && p->fails[i].kind == kind)
            return;
    p->res[a].failed = 1;
    if (p->n_fails < sizeof p->fails / sizeof p->fails[0])
        p->fails[p->n_fails++] = (fail){a, kind, limit, charge, pi};
}

static int kind_failed(const plan *p, size_t a, int kind)
{
    for (size_t i = 0; i < p->n_fails; i++)
        if (p->fails[i].res == a && p->fails[i].kind == kind)
            return 1;
    return 0;
}

/* Check every limit; fills p->fails. */
static void plan_check(plan *p)
{
    for (size_t a = 0; a < p->n_res; a++) {
        agg_res *ar = &p->res[a];
        tres *r = ar->r;
        int prov = res_provisioned(r);
        for (int k = 0; k < 2; k++) {
            ddb_cu amt = ar->amt[k];
            if (amt == 0)
                continue;
            size_t c = ar->first[k];
            unsigned pi = p->pis[c];
            if (prov) {
                if (bucket_avail(&r->tb[k], r->cap[k] * DDB_CU_ONE) < amt)
                    plan_fail(p, a, k, DDB_TL_PROVISIONED, c, pi);
                continue;
            }
            ddb_cu after = sat_add(r->tb[k].used, amt);
            if (r->max[k] > 0 && after > r->max[k] * DDB_CU_ONE)
                plan_fail(p, a, k, DDB_TL_MAX_ON_DEMAND, c, pi);
            else if (after > quota(r, k))
                plan_fail(p, a, k, DDB_TL_ACCOUNT, c, pi);
            else if (after > od_allowance(r, k))
                plan_fail(p, a, k, DDB_TL_KEY_RANGE, c, pi);
        }
        const ddb_throttle_model *m = res_model(r);
        for (size_t j = 0; j < p->n_parts; j++) {
            agg_part *ap = &p->parts[j];
            if (ap->res != a)
                continue;
            tpart *pt = &r->parts[ap->pi];
            ddb_cu after[2] = {sat_add(pt->b[0].used, ap->amt[0]),
                               sat_add(pt->b[1].used, ap->amt[1])};
            int over[2] = {0, 0};
            if (m->rw == DDB_THROTTLE_RW_LINEAR) {
                /* r/Rmax + w/Wmax <= 1, scaled by Rmax*Wmax (mCU * units). */
                int64_t cr = m->partition_read_max, cw = m->partition_write_max;
                ddb_cu lhs = sat_add(sat_mul(after[0], cw), sat_mul(after[1], cr));
                if (lhs > sat_mul(sat_mul(cr, cw), DDB_CU_ONE))
                    over[0] = over[1] = 1;
            } else {
                for (int k = 0; k < 2; k++)
                    over[k] = after[k] > ceiling(r, k);
            }
            for (int k = 0; k < 2; k++) {
                if (ap->amt[k] == 0 || kind_failed(p, a, k))
                    continue;
                if (!over[k] && prov && !m->adaptive &&
                    bucket_avail(&pt->b[k], ddb_tp_share(r, pt, k)) < ap->amt[k])
                    over[k] = 1;
                if (over[k]) {
                    plan_fail(p, a, k, DDB_TL_KEY_RANGE, ap->first, ap->pi);
                    pt->key_range_hit = 1;
                }
            }
        }
    }
}

/* Apply the sums to the buckets and count consumption. 'samples': count the
** request in the SampleCount metrics. */
static void plan_apply(plan *p, int64_t sec, int samples)
{
    for (size_t a = 0; a < p->n_res; a++) {
        tres *r = p->res[a].r;
        int prov = res_provisioned(r);
        for (int k = 0; k < 2; k++) {
            if (p->res[a].amt[k] == 0)
                continue;
            if (prov)
                bucket_take(&r->tb[k], r->cap[k] * DDB_CU_ONE, p->res[a].amt[k], 0);
            else
                r->tb[k].used = sat_add(r->tb[k].used, p->res[a].amt[k]);
            if (samples)
                ddb_tp_count(r, sec, k ? DDB_TM_WRITE_SAMPLES : DDB_TM_READ_SAMPLES, 1);
        }
    }
    for (size_t j = 0; j < p->n_parts; j++) {
        tres *r = p->res[p->parts[j].res].r;
        tpart *pt = &r->parts[p->parts[j].pi];
        for (int k = 0; k < 2; k++) {
            if (p->parts[j].amt[k] == 0)
                continue;
            if (res_provisioned(r))
                bucket_take(&pt->b[k], ddb_tp_share(r, pt, k), p->parts[j].amt[k],
                            res_model(r)->adaptive);
            else
                pt->b[k].used = sat_add(pt->b[k].used, p->parts[j].amt[k]);
        }
    }
    int64_t minute = ddb_tp_minute(sec);
    for (size_t i = 0; i < p->n; i++) {
        tres *r = p->rs[i];
        if (r == NULL)
            continue;
        const ddb_throttle_charge *c = &p->ch[i];
        int w = c->kind == DDB_THROTTLE_WRITE;
        ddb_tp_count(r, sec, w ? DDB_TM_CONSUMED_WRITE : DDB_TM_CONSUMED_READ, c->units);
        ddb_tp_part_count(&r->parts[p->pis[i]], sec,
                          w ? DDB_TM_CONSUMED_WRITE : DDB_TM_CONSUMED_READ, c->units);
        if (c->key != NULL)
            ddb_tp_ci_add(&r->accessed, minute, c->key_hash, c->key, c->key_len,
                          w ? 3 * c->units : c->units);
    }
}

/* Count a refusal: throttle events per resource and partition, the reason
** metrics, and Contributor Insights' throttled keys on failed resources. */
static void plan_refuse(plan *p, int64_t sec)
{
    static const ddb_throttle_metric by_limit[2][5] = {
        {DDB_TM__COUNT, DDB_TM_READ_PROVISIONED_EVENTS, DDB_TM_READ_ACCOUNT_EVENTS,
         DDB_TM_READ_KEY_RANGE_EVENTS, DDB_TM_READ_MAX_ON_DEMAND_EVENTS},
        {DDB_TM__COUNT, DDB_TM_WRITE_PROVISIONED_EVENTS, DDB_TM_WRITE_ACCOUNT_EVENTS,
         DDB_TM_WRITE_KEY_RANGE_EVENTS, DDB_TM_WRITE_MAX_ON_DEMAND_EVENTS},
    };
    for (size_t a = 0; a < p->n_res; a++)
        for (int k = 0; k < 2; k++)
            if (p->res[a].amt[k] != 0)
                ddb_tp_count(
                    p->res[a].r, sec,
                    k ? DDB_TM_WRITE_THROTTLE_EVENTS : DDB_TM_READ_THROTTLE_EVENTS, 1);
    for (size_t j = 0; j < p->n_parts; j++) {
        tpart *pt = &p->res[p->parts[j].res].r->parts[p->parts[j].pi];
        for (int k = 0; k < 2; k++)
            if (p->parts[j].amt[k] != 0)
                ddb_tp_part_count(
                    pt, sec,
                    k ? DDB_TM_WRITE_THROTTLE_EVENTS : DDB_TM_READ_THROTTLE_EVENTS, 1);
    }
    for (size_t f = 0; f < p->n_fails; f++)
        ddb_tp_count(p->res[p->fails[f].res].r, sec,
                     by_limit[p->fails[f].kind][p->fails[f].limit], 1);
    int64_t minute = ddb_tp_minute(sec);
    for (size_t i = 0; i < p->n; i++)
        if (p->rs[i] != NULL && p->ch[i].key != NULL && p->res[p->ais[i]].failed)
            ddb_tp_ci_add(&p->rs[i]->throttled, minute, p->ch[i].key_hash, p->ch[i].key,
                          p->ch[i].key_len, 1);
}

/* Feed split-for-heat's key memory with the demand of every charge. */
static void plan_heat(plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        tres *r = p->rs[i];
        if (r != NULL && res_model(r)->split_for_heat)
            heat_note(&r->parts[p->pis[i]], p->ch[i].key_hash, p->ch[i].units);
    }
}

static void verdict_fill(const plan *p, ddb_throttle_verdict *v)
{
    memset(v, 0, sizeof *v);
    if (p->n_fails == 0) {
        v->admitted = 1;
        v->code = DDB_E_NONE;
        return;
    }
    const fail *f0 = &p->fails[0];
    const tres *r0 = p->res[f0->res].r;
    v->charge = f0->charge;
    v->partition = r0->parts[f0->pi].id;
    int is_index = r0->index != NULL;
    if (f0->limit == DDB_TL_ACCOUNT) {
        v->code = DDB_E_REQUEST_LIMIT;
        v->message = msg_table[DDB_TMSG_ACCOUNT_LIMIT];
    } else if (res_provisioned(r0)) {
        v->code = DDB_E_PROVISIONED_THROUGHPUT;
        v->message =
            msg_table[is_index ? DDB_TMSG_PROVISIONED_INDEX : DDB_TMSG_PROVISIONED_TABLE];
    } else if (f0->limit == DDB_TL_MAX_ON_DEMAND) {
        v->code = DDB_E_THROTTLING;
        v->message = msg_table[DDB_TMSG_MAX_ON_DEMAND];
    } else {
        v->code = DDB_E_THROTTLING;
        v->message =
            msg_table[is_index ? DDB_TMSG_ON_DEMAND_INDEX : DDB_TMSG_ON_DEMAND_TABLE];
    }
    for (size_t i = 0; i < p->n_fails && v->n_reasons < DDB_THROTTLE_MAX_REASONS; i++) {
        const fail *f = &p->fails[i];
        const tres *r = p->res[f->res].r;
        ddb_throttle_reason *out = &v->reasons[v->n_reasons++];
        out->limit = f->limit;
        out->kind = (ddb_throttle_kind)f->kind;
        out->is_index = r->index != NULL;
        out->reason = ddb_throttle_reason_name(out->is_index, out->kind, f->limit);
        snprintf(out->resource, sizeof out->resource, "%s", r->arn);
    }
}

int ddb_throttle_admit(ddb_throttle_sim *sim, const ddb_throttle_charge *charges,
                       size_t n, double now, ddb_throttle_verdict *out, ddb_error *err)
{
    int rc = DDB_ERR;
    int64_t sec;
    plan p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&sim->mu);
    if (ddb_tp_clock(sim, now, &sec, err) != DDB_OK ||
        plan_build(sim, &p, charges, n, sec, err) != DDB_OK)
        goto out;
    plan_check(&p);
    plan_heat(&p);
    if (p.n_fails == 0)
        plan_apply(&p, sec, 1);
    else
        plan_refuse(&p, sec);
    verdict_fill(&p, out);
    rc = out->admitted;
out:
    plan_free(&p);
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_admit_or_err(ddb_throttle_sim *sim, const ddb_throttle_charge *charges,
                              size_t n, double now, ddb_error *err)
{
    ddb_throttle_verdict v;
    int rc = ddb_throttle_admit(sim, charges, n, now, &v, err);
    if (rc < 0)
        return DDB_ERR;
    if (rc == 0)
        return ddb_throttle_verdict_error(&v, err);
    return DDB_OK;
}

int ddb_throttle_consume(ddb_throttle_sim *sim, const ddb_throttle_charge *charges,
                         size_t n, double now, ddb_error *err)
{
    int rc = DDB_ERR;
    int64_t sec;
    plan p;
    memset(&p, 0, sizeof p);
    pthread_mutex_lock(&sim->mu);
    if (ddb_tp_clock(sim, now, &sec, err) != DDB_OK ||
        plan_build(sim, &p, charges, n, sec, err) != DDB_OK)
        goto out;
    plan_heat(&p);
    plan_apply(&p, sec, 0);
    rc = DDB_OK;
out:
    plan_free(&p);
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_verdict_error(const ddb_throttle_verdict *v, ddb_error *err)
{
    if (err == NULL || ddb_err_isset(err))
        return DDB_ERR;
    if (v->admitted || v->code == DDB_E_NONE)
        return ddb_err_set(err, DDB_E_INTERNAL, "throttle: verdict was not a refusal");
    ddb_err_set(err, v->code, "%s", v->message ? v->message : "");
    json_t *list = json_array();
    for (size_t i = 0; i < v->n_reasons; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "reason", json_string(v->reasons[i].reason));
        json_object_set_new(e, "resource", json_string(v->reasons[i].resource));
        json_array_append_new(list, e);
    }
    json_t *extra = json_object();
    json_object_set_new(
        extra, v->code == DDB_E_THROTTLING ? "throttlingReasons" : "ThrottlingReasons",
        list);
    json_decref(err->extra);
    err->extra = extra;
    return DDB_ERR;
}

const char *ddb_throttle_cancel_code(const ddb_throttle_verdict *v)
{
    return v->code == DDB_E_PROVISIONED_THROUGHPUT ? "ProvisionedThroughputExceeded"
                                                   : "ThrottlingError";
}

/*==== Requests and introspection ====*/

int ddb_throttle_note_request(ddb_throttle_sim *sim, const char *table,
                              const char *operation, int throttled, double now,
                              ddb_error *err)
{
    int rc = DDB_ERR;
    int64_t sec;
    pthread_mutex_lock(&sim->mu);
    ttable *t = ddb_tp_table(sim, table, err);
    if (t == NULL || ddb_tp_clock(sim, now, &sec, err) != DDB_OK)
        goto out;
    if (operation == NULL || operation[0] == '\0') {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: no operation name");
        goto out;
    }
    size_t i = 0;
    while (i < t->n_ops && strcmp(t->ops[i].name, operation) != 0)
        i++;
    if (i == t->n_ops) {
        if (t->n_ops == DDB_THROTTLE_MAX_OPERATIONS) {
            ddb_err_set(err, DDB_E_INTERNAL, "throttle: too many operations on '%s'",
                        table);
            goto out;
        }
        t->ops[i].name = ddb_xstrdup(operation);
        ddb_tp_ring_init(&t->ops[i].min, DDB_THROTTLE_MINUTE_SLOTS, 2);
        ddb_tp_ring_init(&t->ops[i].sec, DDB_THROTTLE_SECOND_SLOTS, 2);
        t->n_ops++;
    }
    top *o = &t->ops[i];
    ddb_tp_ring_add(&o->sec, sec, 0, 1);
    ddb_tp_ring_add(&o->min, ddb_tp_minute(sec), 0, 1);
    o->total[0]++;
    if (throttled) {
        ddb_tp_ring_add(&o->sec, sec, 1, 1);
        ddb_tp_ring_add(&o->min, ddb_tp_minute(sec), 1, 1);
        o->total[1]++;
    }
    rc = DDB_OK;
out:
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

/* Resolve and advance a resource for a view; lock held. */
static tres *view_res(ddb_throttle_sim *sim, const char *table, const char *index,
                      double now, ddb_error *err)
{
    int64_t sec;
    tres *r = ddb_tp_res(sim, table, index, err);
    if (r == NULL || ddb_tp_clock(sim, now, &sec, err) != DDB_OK)
        return NULL;
    ddb_tp_advance(r, sec);
    return r;
}

int ddb_throttle_resource_get(ddb_throttle_sim *sim, const char *table, const char *index,
                              double now, ddb_throttle_resource_info *out, ddb_error *err)
{
    int rc = DDB_ERR;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&sim->mu);
    tres *r = view_res(sim, table, index, now, err);
    if (r != NULL) {
        out->billing = r->table->billing;
        out->partitions = r->n_parts;
        out->read_capacity = ddb_tp_capacity(r, DDB_THROTTLE_READ);
        out->write_capacity = ddb_tp_capacity(r, DDB_THROTTLE_WRITE);
        out->read_burst = r->tb[0].bank;
        out->write_burst = r->tb[1].bank;
        out->read_peak = r->peak[0];
        out->write_peak = r->peak[1];
        out->read_used = r->tb[0].used;
        out->write_used = r->tb[1].used;
        rc = DDB_OK;
    }
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

static void part_info(const tres *r, unsigned i, ddb_throttle_partition_info *out)
{
    const tpart *p = &r->parts[i];
    out->id = p->id;
    out->position = i;
    out->lo = p->lo;
    out->hi = ddb_tp_part_hi(r, i);
    out->read_share = ddb_tp_share(r, p, DDB_THROTTLE_READ);
    out->write_share = ddb_tp_share(r, p, DDB_THROTTLE_WRITE);
    out->read_burst = p->b[0].bank;
    out->write_burst = p->b[1].bank;
    out->read_used = p->b[0].used;
    out->write_used = p->b[1].used;
}

int ddb_throttle_partition_get(ddb_throttle_sim *sim, const char *table,
                               const char *index, unsigned position, double now,
                               ddb_throttle_partition_info *out, ddb_error *err)
{
    int rc = DDB_ERR;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&sim->mu);
    tres *r = view_res(sim, table, index, now, err);
    if (r != NULL && position >= r->n_parts)
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: no partition %u", position);
    else if (r != NULL) {
        part_info(r, position, out);
        rc = DDB_OK;
    }
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_partition_of(ddb_throttle_sim *sim, const char *table, const char *index,
                              uint64_t key_hash, double now,
                              ddb_throttle_partition_info *out, ddb_error *err)
{
    int rc = DDB_ERR;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&sim->mu);
    tres *r = view_res(sim, table, index, now, err);
    if (r != NULL) {
        part_info(r, ddb_tp_part_find(r, key_hash), out);
        rc = DDB_OK;
    }
    pthread_mutex_unlock(&sim->mu);
    return rc;
}

int ddb_throttle_partition_span(ddb_throttle_sim *sim, const char *table,
                                const char *index, uint64_t lo, uint64_t hi, double now,
                                ddb_throttle_partition_info *out, size_t max,
                                size_t *out_n, ddb_error *err)
{
    int rc = DDB_ERR;
    *out_n = 0;
    pthread_mutex_lock(&sim->mu);
    tres *r = view_res(sim, table, index, now, err);
    if (r != NULL && lo > hi) {
        ddb_err_set(err, DDB_E_INTERNAL, "throttle: empty hash interval");
    } else if (r != NULL) {
        size_t n = 0;
        for (unsigned i = ddb_tp_part_find(r, lo); i < r->n_parts && r->parts[i].lo <= hi;
             i++, n++)
            if (n < max)
                part_info(r, i, &out[n]);
        *out_n = n;
        rc = DDB_OK;
    }
    pthread_mutex_unlock(&sim->mu);
    return rc;
}
