/* SPDX-License-Identifier: MIT
**
** throttle_int.h -- private structures of the throughput simulator, shared
** only by throttle.c (model, admission) and throttle_metrics.c (history,
** Contributor Insights, export). Not installed; nothing else includes it.
**
** Ownership: a ddb_throttle_sim owns its tables (sorted array of pointers by
** name); a table owns its base resource and GSI resources; a resource owns
** its partitions, metric rings and sketches. Every field named *_used, bank
** or peak is in milli-units (ddb_cu); cap/max/warm are whole units per second
** as configured.
*/
#ifndef DDB_THROTTLE_INT_H
#define DDB_THROTTLE_INT_H

#include "ddb_throttle.h"

#include <pthread.h>

#define HEAT_KEYS 8 /* key hashes a partition remembers for split-for-heat */

/* One bucket (read or write) of one level in the current window. */
typedef struct tbucket {
    ddb_cu used; /* consumed in the current window */
    ddb_cu bank; /* burst credit; negative = debt from ddb_throttle_consume */
} tbucket;

/* Fixed-size history: n_slots consecutive periods x n_metrics counters. */
typedef struct tring {
    int64_t head; /* newest period number held; INT64_MIN while empty */
    int n_slots;
    int n_metrics;
    int64_t *v; /* owned; n_slots * n_metrics */
} tring;

/* Space-saving sketch (weighted). */
typedef struct ci_entry {
    uint64_t hash;
    char *key; /* owned copy of the label */
    size_t key_len;
    int64_t count; /* estimated weight (>= true weight) */
    int64_t error; /* max over-estimate */
    uint64_t seq;  /* insertion order, for deterministic eviction */
} ci_entry;

typedef struct ci_sketch {
    int n;
    uint64_t seq;
    ci_entry e[DDB_THROTTLE_CI_SLOTS];
} ci_sketch;

/* Current minute, previous minute and total of one Contributor Insights rule. */
typedef struct ci_rule {
    int64_t minute; /* minute of 'cur'; INT64_MIN before any update */
    ci_sketch cur, prev, total;
} ci_rule;

typedef struct heat_key {
    uint64_t hash;
    ddb_cu weight;
} heat_key;

typedef struct tpart {
    uint64_t lo; /* first hash; the range ends where the next begins */
    unsigned id;
    unsigned depth;    /* share = capacity / (p0 << depth) */
    tbucket b[2];      /* [kind]: share bucket (provisioned), usage (both modes) */
    int key_range_hit; /* refused with KeyRange in the current window */
    int heat_run;      /* consecutive busy windows */
    int n_heat;
    heat_key heat[HEAT_KEYS];
    tring sec, min;
    int64_t total[DDB_TM_PARTITION_COUNT];
} tpart;

struct ttable;

/* A table or one of its GSIs: everything throughput applies to. */
typedef struct tres {
    struct ttable *table;
    char *index;     /* NULL for the base table; owned */
    char *arn;       /* owned */
    int64_t cap[2];  /* provisioned units/s */
    int64_t max[2];  /* on-demand maximum units/s; <= 0 none */
    int64_t warm[2]; /* on-demand initial units/s */
    uint64_t bytes;
    int fixed;         /* partition count fixed by configuration */
    ddb_cu peak[2];    /* on-demand previous peak */
    ddb_cu run_min[2]; /* on-demand: lowest usage in the current run above peak */
    int run_len[2];
    unsigned p0;   /* initial partition count (share denominator) */
    tbucket tb[2]; /* table-level bucket */
    int64_t win;   /* current window (second) */
    tpart *parts;  /* owned; n_parts in hash order */
    unsigned n_parts, cap_parts, next_id;
    tring sec, min;
    int64_t total[DDB_TM__COUNT];
    ci_rule accessed, throttled;
} tres;

typedef struct top {
    char *name; /* operation; owned */
    tring min;  /* per minute: [0] requests, [1] throttled */
    tring sec;
    int64_t total[2];
} top;

typedef struct ttable {
    char *name; /* owned */
    ddb_billing billing;
    ddb_throttle_model model;
    tres base;
    tres **gsi; /* owned pointers (stable addresses) */
    size_t n_gsi;
    top ops[DDB_THROTTLE_MAX_OPERATIONS];
    size_t n_ops;
} ttable;

struct ddb_throttle_sim {
    pthread_mutex_t mu;
    ddb_throttle_model model;
    char *region, *account;
    int64_t last_sec; /* latest window seen (time never runs backwards) */
    int have_time;
    ttable **tables; /* sorted by name */
    size_t n_tables, cap_tables;
};

/* Cross-file helpers carry the ddb_tp_ prefix (throttle-private) so that every
** global symbol of libddbcore.a starts with ddb_; none is part of the API. */

/*---- throttle.c ----*/
/* Window of 'now', clamped to the latest seen; DDB_ERR on NaN/inf/huge. */
int ddb_tp_clock(ddb_throttle_sim *sim, double now, int64_t *out_sec, ddb_error *err);
/* Table/resource lookup (NULL + err when unknown). */
ttable *ddb_tp_table(ddb_throttle_sim *sim, const char *name, ddb_error *err);
tres *ddb_tp_res(ddb_throttle_sim *sim, const char *table, const char *index,
                 ddb_error *err);
/* Roll 'r' forward to window 'sec' (refill, bank, heat, splits, on-demand growth). */
void ddb_tp_advance(tres *r, int64_t sec);
/* Current capacity of 'r' for 'kind' in mCU/s (provisioned rate or on-demand
** min(max(warm, 2 peak), quota, max)). */
ddb_cu ddb_tp_capacity(const tres *r, ddb_throttle_kind kind);
/* Share of partition 'p' in mCU/s (0 on demand). */
ddb_cu ddb_tp_share(const tres *r, const tpart *p, ddb_throttle_kind kind);
/* Inclusive upper end of partition i of 'r'. */
uint64_t ddb_tp_part_hi(const tres *r, unsigned i);
/* Index of the partition holding 'hash'. */
unsigned ddb_tp_part_find(const tres *r, uint64_t hash);

/*---- throttle_metrics.c ----*/
void ddb_tp_ring_init(tring *g, int n_slots, int n_metrics);
void ddb_tp_ring_free(tring *g);
void ddb_tp_ring_add(tring *g, int64_t period, int metric, int64_t v);
/* Value of 'metric' in 'period' as seen at period 'now' (0 once it has left
** the history). */
int64_t ddb_tp_ring_get(const tring *g, int64_t now, int64_t period, int metric);
void ddb_tp_ci_free(ci_rule *c);
/* Add 'w' for key (hash, key, len) at minute 'minute'. */
void ddb_tp_ci_add(ci_rule *c, int64_t minute, uint64_t hash, const char *key, size_t len,
                   int64_t w);
/* Count metric 'm' += v on resource 'r' at second 'sec'. */
void ddb_tp_count(tres *r, int64_t sec, ddb_throttle_metric m, int64_t v);
/* Count partition metric 'm' (< DDB_TM_PARTITION_COUNT) on partition 'p'. */
void ddb_tp_part_count(tpart *p, int64_t sec, ddb_throttle_metric m, int64_t v);
void ddb_tp_part_metrics_init(tpart *p);
void ddb_tp_part_metrics_free(tpart *p);
void ddb_tp_res_metrics_init(tres *r);
void ddb_tp_res_metrics_free(tres *r);
/* Floor division of a second by 60. */
int64_t ddb_tp_minute(int64_t sec);

#endif
