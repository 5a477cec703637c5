/* SPDX-License-Identifier: MIT
**
** top_view.c -- `ddb top`, the pure part: one frame drawn from ddbd's
** /_ddbd/metrics answer for a table. Each partition of the table and of its
** GSIs is a line with two bars, the read and write units it consumed in the
** second shown (the busiest of a window of seconds) against the partition
** ceiling; HOT marks a partition at 80 % or more of a ceiling, THROTTLED xN
** one with N throttle events in the window, and the Contributor Insights
** keys of the last two minutes that live in the partition follow. Idle
** partitions (and, past a row budget, the quietest active ones) collapse
** into ranges such as "p12-p200 idle", so a table of 256 partitions stays a
** screen. Colour (ANSI) only when asked for, i.e. on a terminal.
*/
#include "client.h"
#include "ddb_throttle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH     12 /* characters of one bar */
#define KEYS_PER_LINE 2  /* keys named beside a partition */
#define KEY_WIDTH     32 /* display width of one key */

#define HOT_ON   "\033[1;33m"
#define THR_ON   "\033[1;31m"
#define COLOR_OFF "\033[0m"

/* One partition in the window. */
typedef struct top_part {
    long long pos;
    double read, write;  /* busiest second of the window, units */
    long long throttles; /* read + write throttle events in the window */
    double util;         /* max(read / read ceiling, write / write ceiling) */
    int active, shown;
} top_part;

/* A key of the resource's Contributor Insights (current and previous minute). */
typedef struct top_key {
    const char *key; /* borrowed from the answer */
    long long part;  /* partition position, -1 unknown */
    double units;
    long long throttles;
} top_key;

/* Which entries of the per-second series make the window: [first, last]. */
typedef struct top_window {
    size_t first, last;
    long long second; /* the second of 'last' */
    int ok;
} top_window;

static top_window window_of(const json_t *series, int manual, int window)
{
    top_window w = {0, 0, 0, 0};
    const json_t *any = json_object_get(series, "ConsumedWriteCapacityUnits");
    size_t n = json_array_size(any);
    long long end = (long long)cli_metric_num(series, "End", NULL);
    /* the manual clock stands still: its current second is complete; with the
    ** real clock the current second has only begun, so show the one before */
    size_t back = manual ? 0 : 1;
    if (n <= back)
        return w;
    w.last = n - 1 - back;
    w.first = w.last + 1 >= (size_t)window ? w.last + 1 - (size_t)window : 0;
    w.second = end - (long long)back;
    w.ok = 1;
    return w;
}

static double series_max(const json_t *ps, const char *name, const top_window *w)
{
    const json_t *a = json_object_get(ps, name);
    double m = 0;
    for (size_t i = w->first; i <= w->last; i++) {
        double v = json_number_value(json_array_get(a, i));
        if (v > m)
            m = v;
    }
    return m;
}

static long long series_sum(const json_t *ps, const char *name, const top_window *w)
{
    const json_t *a = json_object_get(ps, name);
    long long s = 0;
    for (size_t i = w->first; i <= w->last; i++)
        s += (long long)json_number_value(json_array_get(a, i));
    return s;
}

/* The partition ceilings of a resource: the server's per-partition ceiling,
** but no more than the resource's capacity (a provisioned table's
** partition cannot take more than the table, even with adaptive capacity). */
static void ceilings(const json_t *doc, const json_t *res, double *r, double *w)
{
    const json_t *c = json_object_get(doc, "PartitionCeiling");
    *r = c ? cli_metric_num(c, "Read", NULL) : DDB_THROTTLE_PARTITION_RCU;
    *w = c ? cli_metric_num(c, "Write", NULL) : DDB_THROTTLE_PARTITION_WCU;
    double cr = cli_metric_num(res, "Capacity", "Read");
    double cw = cli_metric_num(res, "Capacity", "Write");
    if (cr > 0 && cr < *r)
        *r = cr;
    if (cw > 0 && cw < *w)
        *w = cw;
}

/* Order of the partitions competing for rows: throttled first, then by use. */
static int busier(const void *a, const void *b)
{
    const top_part *x = *(const top_part *const *)a, *y = *(const top_part *const *)b;
    if ((x->throttles > 0) != (y->throttles > 0))
        return x->throttles > 0 ? -1 : 1;
    if (x->util != y->util)
        return x->util > y->util ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Merge the keys of one list of 'ci' (current and previous minute) into 'keys'. */
static void collect_keys(const json_t *ci, const char *list, int throttles, top_key **keys,
                         size_t *n)
{
    static const char *const periods[] = {"CurrentMinute", "PreviousMinute"};
    for (size_t p = 0; p < 2; p++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(json_object_get(ci, list), periods[p]), i, e) {
            const char *key = json_string_value(json_object_get(e, "Key"));
            if (key == NULL)
                continue;
            size_t k = 0;
            while (k < *n && strcmp((*keys)[k].key, key) != 0)
                k++;
            if (k == *n) {
                *keys = ddb_xrealloc(*keys, (*n + 1) * sizeof **keys);
                const json_t *part = json_object_get(e, "Partition");
                (*keys)[k] = (top_key){key, json_is_integer(part) ? json_integer_value(part)
                                                                 : -1,
                                       0, 0};
                (*n)++;
            }
            if (throttles)
                (*keys)[k].throttles +=
                    (long long)cli_metric_num(e, "ThrottleCount", NULL);
            else
                (*keys)[k].units += cli_metric_num(e, "ConsumedThroughputUnits", NULL);
        }
    }
}

/* Keys of the busiest first (throttles, then units), then by name. */
static int key_order(const void *a, const void *b)
{
    const top_key *x = a, *y = b;
    if (x->throttles != y->throttles)
        return x->throttles > y->throttles ? -1 : 1;
    if (x->units != y->units)
        return x->units > y->units ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void bar(ddb_buf *out, double v, double ceiling)
{
    double f = ceiling > 0 ? v / ceiling : 0;
    if (f > 1)
        f = 1;
    int filled = (int)lround(f * BAR_WIDTH);
    if (v > 0 && filled == 0)
        filled = 1;
    ddb_buf_putc(out, '[');
    for (int i = 0; i < BAR_WIDTH; i++)
        ddb_buf_putc(out, i < filled ? '#' : '.');
    ddb_buf_putc(out, ']');
}

static void part_line(ddb_buf *out, const top_part *p, double cr, double cw,
                      const top_key *keys, size_t n_keys, const cli_top_cfg *o)
{
    char label[32], a[32], b[32], val[72];
    snprintf(label, sizeof label, "p%lld", p->pos);
    ddb_buf_printf(out, "  %-9s R ", label);
    bar(out, p->read, cr);
    cli_units_text(p->read, a);
    cli_units_text(cr, b);
    snprintf(val, sizeof val, "%s/%s", a, b);
    ddb_buf_printf(out, " %9s  W ", val);
    bar(out, p->write, cw);
    cli_units_text(p->write, a);
    cli_units_text(cw, b);
    snprintf(val, sizeof val, "%s/%s", a, b);
    ddb_buf_printf(out, " %9s", val);
    if (p->util >= CLI_TOP_HOT)
        ddb_buf_printf(out, "  %sHOT%s", o->color ? HOT_ON : "", o->color ? COLOR_OFF : "");
    if (p->throttles > 0)
        ddb_buf_printf(out, "  %sTHROTTLED x%lld%s", o->color ? THR_ON : "", p->throttles,
                       o->color ? COLOR_OFF : "");
    size_t shown = 0, more = 0;
    for (size_t k = 0; k < n_keys; k++) {
        if (keys[k].part != p->pos)
            continue;
        if (shown == KEYS_PER_LINE) {
            more++;
            continue;
        }
        char *t = cli_key_text(keys[k].key, KEY_WIDTH);
        ddb_buf_printf(out, "%s%s", shown == 0 ? "  keys: " : ", ", t);
        if (keys[k].throttles > 0)
            ddb_buf_printf(out, " (%lld throttled)", keys[k].throttles);
        free(t);
        shown++;
    }
    if (more > 0)
        ddb_buf_printf(out, " +%zu more", more);
    ddb_buf_putc(out, '\n');
}

/* Partitions [from, to] collapsed into one line. */
static void range_line(ddb_buf *out, const top_part *parts, size_t from, size_t to)
{
    char label[48];
    if (from == to)
        snprintf(label, sizeof label, "p%lld", parts[from].pos);
    else
        snprintf(label, sizeof label, "p%lld-p%lld", parts[from].pos, parts[to].pos);
    size_t active = 0, throttled = 0;
    double busiest = 0;
    for (size_t i = from; i <= to; i++) {
        active += parts[i].active != 0;
        throttled += parts[i].throttles > 0;
        if (parts[i].util > busiest)
            busiest = parts[i].util;
    }
    if (active == 0)
        ddb_buf_printf(out, "  %-9s idle\n", label);
    else if (throttled == 0)
        ddb_buf_printf(out, "  %-9s quiet: %zu active, busiest %.0f %%\n", label, active,
                       busiest * 100);
    else
        ddb_buf_printf(out, "  %-9s more: %zu active, %zu throttled, busiest %.0f %%\n",
                       label, active, throttled, busiest * 100);
}

/* Draw one table or GSI. */
static void draw_resource(ddb_buf *out, const json_t *doc, const json_t *res,
                          const char *title, int manual, const cli_top_cfg *o)
{
    const json_t *map = json_object_get(res, "PartitionMap");
    size_t n = json_array_size(map);
    double cr, cw;
    ceilings(doc, res, &cr, &cw);
    top_part *parts = ddb_xcalloc(n ? n : 1, sizeof *parts);
    top_part **order = ddb_xcalloc(n ? n : 1, sizeof *order);
    size_t hot = 0, throttled = 0, active = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *pm = json_array_get(map, i);
        const json_t *ps = json_object_get(pm, "PerSecond");
        top_window w = window_of(ps, manual, o->window);
        top_part *p = &parts[i];
        p->pos = (long long)cli_metric_num(pm, "Position", NULL);
        if (w.ok) {
            p->read = series_max(ps, "ConsumedReadCapacityUnits", &w);
            p->write = series_max(ps, "ConsumedWriteCapacityUnits", &w);
            p->throttles = series_sum(ps, "ReadThrottleEvents", &w) +
                           series_sum(ps, "WriteThrottleEvents", &w);
        }
        double ur = cr > 0 ? p->read / cr : 0, uw = cw > 0 ? p->write / cw : 0;
        p->util = ur > uw ? ur : uw;
        p->active = p->read > 0 || p->write > 0 || p->throttles > 0;
        hot += p->util >= CLI_TOP_HOT;
        throttled += p->throttles > 0;
        if (p->active)
            order[active++] = p;
    }
    qsort(order, active, sizeof *order, busier);
    for (size_t i = 0; i < active && i < o->max_rows; i++)
        order[i]->shown = 1;

    const char *billing = json_string_value(json_object_get(res, "BillingMode"));
    char a[32], b[32];
    cli_units_text(cr, a);
    cli_units_text(cw, b);
    ddb_buf_printf(out, "%s: %s%s%zu partitions, ceiling %s RCU/s, %s WCU/s each; %zu hot, "
                        "%zu throttled, %zu active\n",
                   title, billing ? billing : "", billing ? ", " : "", n, a, b, hot, throttled,
                   active);
    top_key *keys = NULL;
    size_t n_keys = 0;
    const json_t *ci = json_object_get(res, "ContributorInsights");
    collect_keys(ci, "MostThrottledKeys", 1, &keys, &n_keys);
    collect_keys(ci, "MostAccessedKeys", 0, &keys, &n_keys);
    if (n_keys > 1)
        qsort(keys, n_keys, sizeof *keys, key_order);
    for (size_t i = 0; i < n;) {
        if (parts[i].shown) {
            part_line(out, &parts[i], cr, cw, keys, n_keys, o);
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && !parts[j + 1].shown)
            j++;
        range_line(out, parts, i, j);
        i = j + 1;
    }
    if (n == 0)
        ddb_buf_puts(out, "  (no partition detail in the answer)\n");
    free(keys);
    free(order);
    free(parts);
}

int cli_top_frame(const json_t *doc, const cli_top_cfg *o, ddb_buf *out)
{
    const json_t *tab = json_array_get(json_object_get(doc, "Tables"), 0);
    if (tab == NULL)
        return -1;
    if (o->index != NULL && cli_metrics_index(doc, o->index) == NULL)
        return -1;
    const char *name = json_string_value(json_object_get(tab, "TableName"));
    const char *region = json_string_value(json_object_get(doc, "Region"));
    const char *mode = json_string_value(json_object_get(doc, "ClockMode"));
    const json_t *thr = json_object_get(doc, "Throttling");
    int manual = mode != NULL && strcmp(mode, "manual") == 0;
    char when[40];
    cli_clock_text(cli_metric_num(doc, "Time", NULL), when);
    top_window w = window_of(json_object_get(tab, "PerSecond"), manual, o->window);
    ddb_buf_printf(out, "ddb top %s  region %s  clock %s %s%s\n", name ? name : "?",
                   region ? region : "?", mode ? mode : "?", when,
                   json_is_false(thr) ? "  throttling off" : "");
    if (o->window > 1)
        ddb_buf_printf(out, "seconds %lld-%lld (the busiest per partition): ",
                       w.second - o->window + 1, w.second);
    else
        ddb_buf_printf(out, "second %lld: ", w.second);
    ddb_buf_printf(out, "units consumed per partition against its ceiling; HOT >= %.0f %%\n",
                   CLI_TOP_HOT * 100);
    if (o->index == NULL) {
        char *title = ddb_xasprintf("\ntable %s", name ? name : "?");
        draw_resource(out, doc, tab, title, manual, o);
        free(title);
    }
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(tab, "GlobalSecondaryIndexes"), i, g) {
        const char *ix = json_string_value(json_object_get(g, "IndexName"));
        if (ix == NULL || (o->index != NULL && strcmp(ix, o->index) != 0))
            continue;
        char *title = ddb_xasprintf("\nGSI %s", ix);
        draw_resource(out, doc, g, title, manual, o);
        free(title);
    }
    return 0;
}
