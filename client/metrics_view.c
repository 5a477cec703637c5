/* SPDX-License-Identifier: MIT
**
** metrics_view.c -- `ddb metrics`, the pure part: ddbd's /_ddbd/metrics
** answer rendered for people. Without a table, one line (or table row) per
** table of the region; with one, a block per table and GSI: billing mode,
** partitions and their ceiling, capacity, units consumed this second and in
** total, ReadThrottleEvents / WriteThrottleEvents with the per-reason
** counts, ThrottledRequests per operation and the Contributor Insights keys
** (most accessed, most throttled, with their partitions). Also the small
** formatting helpers `ddb top` shares (units, keys, the clock). Pure: jansson
** in, text or a cli_table out.
*/
#include "client.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEYS_SHOWN 5 /* Contributor Insights keys per list */

/*---- shared formatting ----*/

void cli_units_text(double v, char out[32])
{
    if (!isfinite(v))
        v = 0;
    if (fabs(v - nearbyint(v)) < 0.05)
        snprintf(out, 32, "%.0f", nearbyint(v) == 0 ? 0.0 : v);
    else
        snprintf(out, 32, "%.1f", v);
}

char *cli_key_text(const char *s, size_t max)
{
    ddb_buf out = DDB_BUF_INIT;
    size_t width = 0, cut_len = 0;
    for (size_t i = 0; s != NULL && s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80) { /* continuation byte: no width */
            ddb_buf_putc(&out, c);
            continue;
        }
        if (width + 3 <= max) /* where "..." would go */
            cut_len = out.len;
        char esc[8] = {0};
        if (c < 0x20 || c == 0x7F)
            snprintf(esc, sizeof esc, "\\x%02x", c);
        size_t w = esc[0] ? strlen(esc) : 1;
        if (width + w > max) {
            out.len = cut_len;
            ddb_buf_puts(&out, "...");
            return ddb_buf_steal(&out, NULL);
        }
        if (esc[0])
            ddb_buf_puts(&out, esc);
        else
            ddb_buf_putc(&out, c);
        width += w;
    }
    if (out.data == NULL)
        ddb_buf_puts(&out, "");
    return ddb_buf_steal(&out, NULL);
}

void cli_clock_text(double t, char out[40])
{
    time_t secs = (time_t)floor(t);
    struct tm tm;
    if (!isfinite(t) || gmtime_r(&secs, &tm) == NULL ||
        strftime(out, 40, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, 40, "?");
}

double cli_metric_num(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    if (b != NULL)
        v = json_object_get(v, b);
    return json_is_number(v) ? json_number_value(v) : 0;
}

/* "12000 RCU/s, 4000 WCU/s" style pair. */
static char *pair_text(double r, double w, const char *unit)
{
    char a[32], b[32];
    cli_units_text(r, a);
    cli_units_text(w, b);
    return ddb_xasprintf("%s R%s, %s W%s", a, unit, b, unit);
}

/*---- the rows of one resource ----*/

/* One line of a resource's block: a metric and its value lines. */
typedef struct mrow {
    char *name;
    char **lines;
    size_t n;
} mrow;

typedef struct mrows {
    mrow *v;
    size_t n, cap;
} mrows;

static mrow *row_add(mrows *rs, const char *name)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 16;
        rs->v = ddb_xrealloc(rs->v, rs->cap * sizeof *rs->v);
    }
    mrow *r = &rs->v[rs->n++];
    r->name = ddb_xstrdup(name);
    r->lines = NULL;
    r->n = 0;
    return r;
}

/* Add a value line to 'r' (steals 'text'). */
static void row_line(mrow *r, char *text)
{
    r->lines = ddb_xrealloc(r->lines, (r->n + 1) * sizeof *r->lines);
    r->lines[r->n++] = text;
}

static void rows_free(mrows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        for (size_t j = 0; j < rs->v[i].n; j++)
            free(rs->v[i].lines[j]);
        free(rs->v[i].lines);
        free(rs->v[i].name);
    }
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

/* ReadThrottleEvents or WriteThrottleEvents with the reasons behind them. */
static char *events_text(const json_t *totals, const char *rw)
{
    static const char *const reasons[] = {"ProvisionedThroughput", "KeyRangeThroughput",
                                          "MaxOnDemandThroughput", "AccountLimit"};
    char name[96];
    snprintf(name, sizeof name, "%sThrottleEvents", rw);
    long long total = (long long)cli_metric_num(totals, name, NULL), sum = 0;
    ddb_buf b = DDB_BUF_INIT;
    ddb_buf_printf(&b, "%lld", total);
    const char *sep = " (";
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        snprintf(name, sizeof name, "%s%sThrottleEvents", rw, reasons[i]);
        long long n = (long long)cli_metric_num(totals, name, NULL);
        if (n <= 0)
            continue;
        ddb_buf_printf(&b, "%s%s %lld", sep, name, n);
        sep = ", ";
        sum += n;
    }
    if (total > sum && sum > 0)
        ddb_buf_printf(&b, ", %lld refused by another resource of the request", total - sum);
    else if (total > sum)
        ddb_buf_puts(&b, " (refused by another resource of the request)");
    if (sum > 0)
        ddb_buf_putc(&b, ')');
    return ddb_buf_steal(&b, NULL);
}

/* The keys of one Contributor Insights list (the totals since the table
** was added), with the measure and the partition. */
static void keys_rows(mrow *r, const json_t *ci, const char *list, const char *measure,
                      const char *unit)
{
    const json_t *keys = json_object_get(json_object_get(ci, list), "Total");
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) {
        if (i == KEYS_SHOWN)
            break;
        char *key = cli_key_text(json_string_value(json_object_get(k, "Key")), 48);
        char v[32];
        cli_units_text(cli_metric_num(k, measure, NULL), v);
        const json_t *p = json_object_get(k, "Partition");
        row_line(r, json_is_integer(p)
                        ? ddb_xasprintf("%s  %s %s, partition %lld", key, v, unit,
                                        (long long)json_integer_value(p))
                        : ddb_xasprintf("%s  %s %s", key, v, unit));
        free(key);
    }
    if (r->n == 0)
        row_line(r, ddb_xstrdup("none"));
}

/* The rows of a table (is_table) or GSI object 'res' of the answer 'doc'. */
static void resource_rows(const json_t *doc, const json_t *res, int is_table, mrows *rs)
{
    const char *billing = json_string_value(json_object_get(res, "BillingMode"));
    if (is_table)
        row_line(row_add(rs, "BillingMode"), ddb_xstrdup(billing ? billing : "?"));
    row_line(row_add(rs, "Partitions"),
             ddb_xasprintf("%lld", (long long)cli_metric_num(res, "Partitions", NULL)));
    const json_t *ceil = json_object_get(doc, "PartitionCeiling");
    if (ceil != NULL) {
        char *p = pair_text(cli_metric_num(ceil, "Read", NULL),
                            cli_metric_num(ceil, "Write", NULL), "CU/s");
        row_line(row_add(rs, "PartitionCeiling"), p);
    }
    char *cap = pair_text(cli_metric_num(res, "Capacity", "Read"),
                          cli_metric_num(res, "Capacity", "Write"), "CU/s");
    char a[32], b[32];
    if (json_object_get(res, "ProvisionedWriteCapacityUnits") != NULL) {
        cli_units_text(cli_metric_num(res, "Burst", "Read"), a);
        cli_units_text(cli_metric_num(res, "Burst", "Write"), b);
        row_line(row_add(rs, "Capacity"),
                 ddb_xasprintf("%s (provisioned; burst credit %s RCU, %s WCU)", cap, a, b));
    } else {
        cli_units_text(cli_metric_num(res, "PreviousPeak", "Read"), a);
        cli_units_text(cli_metric_num(res, "PreviousPeak", "Write"), b);
        row_line(row_add(rs, "Capacity"),
                 ddb_xasprintf("%s (on demand; previous peak %s RCU/s, %s WCU/s)", cap, a,
                               b));
    }
    free(cap);
    row_line(row_add(rs, "ConsumedThisSecond"),
             pair_text(cli_metric_num(res, "Used", "Read"),
                       cli_metric_num(res, "Used", "Write"), "CU"));
    const json_t *totals = json_object_get(res, "Totals");
    row_line(row_add(rs, "ConsumedTotal"),
             pair_text(cli_metric_num(totals, "ConsumedReadCapacityUnits", NULL),
                       cli_metric_num(totals, "ConsumedWriteCapacityUnits", NULL), "CU"));
    row_line(row_add(rs, "ReadThrottleEvents"), events_text(totals, "Read"));
    row_line(row_add(rs, "WriteThrottleEvents"), events_text(totals, "Write"));
    if (is_table) {
        mrow *r = row_add(rs, "ThrottledRequests");
        size_t i;
        json_t *op;
        json_array_foreach(json_object_get(res, "Operations"), i, op) {
            const char *name = json_string_value(json_object_get(op, "Operation"));
            row_line(r, ddb_xasprintf(
                            "%s %lld of %lld", name ? name : "?",
                            (long long)cli_metric_num(op, "ThrottledRequests", NULL),
                            (long long)cli_metric_num(op, "Requests", NULL)));
        }
        if (r->n == 0)
            row_line(r, ddb_xstrdup("no requests yet"));
    }
    const json_t *ci = json_object_get(res, "ContributorInsights");
    keys_rows(row_add(rs, "MostAccessedKeys"), ci, "MostAccessedKeys",
              "ConsumedThroughputUnits", "units");
    keys_rows(row_add(rs, "MostThrottledKeys"), ci, "MostThrottledKeys", "ThrottleCount",
              "throttles");
}

/*---- the list of tables ----*/

static const char *const list_cols[] = {
    "Table",           "BillingMode",        "Partitions",          "ConsumedRCU/s",
    "ConsumedWCU/s",   "ConsumedRCU",        "ConsumedWCU",         "ReadThrottleEvents",
    "WriteThrottleEvents", "ThrottledRequests"};
#define LIST_COLS (sizeof list_cols / sizeof list_cols[0])

/* The cells of one table's row (new strings). */
static void list_cells(const json_t *tab, char *cells[LIST_COLS])
{
    const json_t *totals = json_object_get(tab, "Totals");
    const char *name = json_string_value(json_object_get(tab, "TableName"));
    const char *billing = json_string_value(json_object_get(tab, "BillingMode"));
    char v[32];
    cells[0] = ddb_xstrdup(name ? name : "?");
    cells[1] = ddb_xstrdup(billing ? billing : "?");
    cells[2] = ddb_xasprintf("%lld", (long long)cli_metric_num(tab, "Partitions", NULL));
    cli_units_text(cli_metric_num(tab, "Used", "Read"), v);
    cells[3] = ddb_xstrdup(v);
    cli_units_text(cli_metric_num(tab, "Used", "Write"), v);
    cells[4] = ddb_xstrdup(v);
    cli_units_text(cli_metric_num(totals, "ConsumedReadCapacityUnits", NULL), v);
    cells[5] = ddb_xstrdup(v);
    cli_units_text(cli_metric_num(totals, "ConsumedWriteCapacityUnits", NULL), v);
    cells[6] = ddb_xstrdup(v);
    cells[7] =
        ddb_xasprintf("%lld", (long long)cli_metric_num(totals, "ReadThrottleEvents", NULL));
    cells[8] =
        ddb_xasprintf("%lld", (long long)cli_metric_num(totals, "WriteThrottleEvents", NULL));
    long long req = 0, thr = 0;
    size_t i;
    json_t *op;
    json_array_foreach(json_object_get(tab, "Operations"), i, op) {
        req += (long long)cli_metric_num(op, "Requests", NULL);
        thr += (long long)cli_metric_num(op, "ThrottledRequests", NULL);
    }
    cells[9] = ddb_xasprintf("%lld of %lld", thr, req);
}

void cli_metrics_list_text(const json_t *doc, ddb_buf *out)
{
    const json_t *tables = json_object_get(doc, "Tables");
    size_t n = json_array_size(tables);
    if (n == 0) {
        const char *region = json_string_value(json_object_get(doc, "Region"));
        ddb_buf_printf(out, "No tables in %s.\n", region ? region : "this region");
        return;
    }
    char **cells = ddb_xcalloc((n + 1) * LIST_COLS, sizeof *cells);
    size_t width[LIST_COLS] = {0};
    for (size_t c = 0; c < LIST_COLS; c++)
        cells[c] = ddb_xstrdup(list_cols[c]);
    for (size_t r = 0; r < n; r++)
        list_cells(json_array_get(tables, r), &cells[(r + 1) * LIST_COLS]);
    for (size_t i = 0; i < (n + 1) * LIST_COLS; i++) {
        char *k = cli_key_text(cells[i], 64); /* table names are ASCII; be safe */
        free(cells[i]);
        cells[i] = k;
        if (strlen(k) > width[i % LIST_COLS])
            width[i % LIST_COLS] = strlen(k);
    }
    for (size_t r = 0; r <= n; r++) {
        for (size_t c = 0; c < LIST_COLS; c++) {
            const char *s = cells[r * LIST_COLS + c];
            if (c + 1 < LIST_COLS)
                ddb_buf_printf(out, "%-*s  ", (int)width[c], s);
            else
                ddb_buf_printf(out, "%s\n", s);
        }
    }
    for (size_t i = 0; i < (n + 1) * LIST_COLS; i++)
        free(cells[i]);
    free(cells);
}

void cli_metrics_list_table(const json_t *doc, cli_table *t)
{
    size_t r;
    json_t *tab;
    json_array_foreach(json_object_get(doc, "Tables"), r, tab) {
        char *cells[LIST_COLS];
        list_cells(tab, cells);
        cli_table_row(t);
        for (size_t c = 0; c < LIST_COLS; c++)
            cli_table_set(t, cli_table_col(t, list_cols[c]), cells[c]);
    }
}

/*---- one table in detail ----*/

/* The resources to show: the table and its GSIs, or only GSI 'index'. */
static int detail_resources(const json_t *tab, const char *index, const json_t **res,
                            size_t max, size_t *n)
{
    *n = 0;
    if (index == NULL)
        res[(*n)++] = tab;
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(tab, "GlobalSecondaryIndexes"), i, g) {
        const char *name = json_string_value(json_object_get(g, "IndexName"));
        if (*n < max && (index == NULL || (name && strcmp(name, index) == 0)))
            res[(*n)++] = g;
    }
    return *n > 0 ? 0 : -1;
}

#define MAX_RESOURCES 32 /* a table and its GSIs (DynamoDB allows 20) */

/* The title of a resource: "Table T" or "GSI I of table T". New. */
static char *resource_title(const json_t *tab, const json_t *res)
{
    const char *t = json_string_value(json_object_get(tab, "TableName"));
    const char *ix = json_string_value(json_object_get(res, "IndexName"));
    return res == tab ? ddb_xasprintf("Table %s", t ? t : "?")
                      : ddb_xasprintf("GSI %s of table %s", ix ? ix : "?", t ? t : "?");
}

int cli_metrics_detail_text(const json_t *doc, const char *index, ddb_buf *out)
{
    const json_t *tab = json_array_get(json_object_get(doc, "Tables"), 0);
    const json_t *res[MAX_RESOURCES];
    size_t n;
    if (tab == NULL || detail_resources(tab, index, res, MAX_RESOURCES, &n) != 0)
        return -1;
    const char *region = json_string_value(json_object_get(doc, "Region"));
    const char *mode = json_string_value(json_object_get(doc, "ClockMode"));
    const json_t *thr = json_object_get(doc, "Throttling");
    char when[40];
    cli_clock_text(cli_metric_num(doc, "Time", NULL), when);
    for (size_t i = 0; i < n; i++) {
        char *title = resource_title(tab, res[i]);
        if (i > 0)
            ddb_buf_putc(out, '\n');
        ddb_buf_printf(out, "%s in %s (ddbd, clock %s at %s%s)\n", title,
                       region ? region : "?", mode ? mode : "?", when,
                       json_is_boolean(thr) ? json_is_true(thr) ? ", throttling on"
                                                                : ", throttling off"
                                            : "");
        free(title);
        mrows rs = {0};
        resource_rows(doc, res[i], res[i] == tab, &rs);
        for (size_t r = 0; r < rs.n; r++)
            for (size_t l = 0; l < rs.v[r].n; l++)
                ddb_buf_printf(out, "  %-20s %s\n", l == 0 ? rs.v[r].name : "",
                               rs.v[r].lines[l]);
        rows_free(&rs);
    }
    return 0;
}

int cli_metrics_detail_table(const json_t *doc, const char *index, cli_table *t)
{
    const json_t *tab = json_array_get(json_object_get(doc, "Tables"), 0);
    const json_t *res[MAX_RESOURCES];
    size_t n;
    if (tab == NULL || detail_resources(tab, index, res, MAX_RESOURCES, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *ix = json_string_value(json_object_get(res[i], "IndexName"));
        mrows rs = {0};
        resource_rows(doc, res[i], res[i] == tab, &rs);
        for (size_t r = 0; r < rs.n; r++) {
            for (size_t l = 0; l < rs.v[r].n; l++) {
                cli_table_row(t);
                cli_table_set(t, cli_table_col(t, "Resource"),
                              res[i] == tab ? ddb_xstrdup("table")
                                            : ddb_xasprintf("GSI %s", ix ? ix : "?"));
                cli_table_set(t, cli_table_col(t, "Metric"),
                              rs.v[r].n > 1 ? ddb_xasprintf("%s[%zu]", rs.v[r].name, l)
                                            : ddb_xstrdup(rs.v[r].name));
                cli_table_set(t, cli_table_col(t, "Value"), ddb_xstrdup(rs.v[r].lines[l]));
            }
        }
        rows_free(&rs);
    }
    return 0;
}

json_t *cli_metrics_index(const json_t *doc, const char *index)
{
    const json_t *tab = json_array_get(json_object_get(doc, "Tables"), 0);
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(tab, "GlobalSecondaryIndexes"), i, g) {
        const char *name = json_string_value(json_object_get(g, "IndexName"));
        if (name != NULL && strcmp(name, index) == 0)
            return g;
    }
    return NULL;
}

int cli_resource_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n < 3 || n > 255)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
           n;
}
