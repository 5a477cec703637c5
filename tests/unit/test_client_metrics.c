/* SPDX-License-Identifier: MIT
**
** test_client_metrics.c -- unit tests of the pure parts of `ddb metrics` and
** `ddb top`: client/metrics_view.c (units, keys and clock for people, the
** list of tables and the per-table block from a /_ddbd/metrics answer) and
** client/top_view.c (a frame: bars against the partition ceiling, HOT and
** THROTTLED marks, keys beside their partition, idle partitions collapsed
** into ranges, the row budget, the window over the per-second series with
** the manual and the real clock, colour only when asked for). The answers
** are built here in the shape ddbd sends. The client sources are compiled
** into this test directly.
*/
#include "check.h"

#include "../../client/common.c"
#include "../../client/json_text.c"
#include "../../client/marshal.c"
#include "../../client/output.c"
#include "../../client/metrics_view.c"
#include "../../client/top_view.c"

#include <stdlib.h>
#include <string.h>

/*---- answers in ddbd's shape ----*/

/* A per-second series object: End plus the four per-partition metrics,
** each with 'n' values, all 0 except the last ones given. */
static json_t *series(long long end, size_t n, double read, double write, long long thr)
{
    json_t *s = json_pack("{s:I}", "End", (json_int_t)end);
    const char *names[] = {"ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits",
                           "ReadThrottleEvents", "WriteThrottleEvents"};
    for (size_t m = 0; m < 4; m++) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            double v = 0;
            if (i + 1 == n)
                v = m == 0 ? read : m == 1 ? write : m == 3 ? (double)thr : 0;
            json_array_append_new(a, m < 2 ? json_real(v) : json_integer((json_int_t)v));
        }
        json_object_set_new(s, names[m], a);
    }
    return s;
}

/* A resource with 'n' partitions, all idle. */
static json_t *mk_resource(size_t n, long long end, size_t slots)
{
    json_t *r = json_pack("{s:I,s:{s:f,s:f},s:{s:f,s:f}}", "Partitions", (json_int_t)n,
                          "Capacity", "Read", 12000.0, "Write", 4000.0, "Used", "Read", 0.0,
                          "Write", 0.0);
    json_t *map = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(map, json_pack("{s:I,s:I,s:o}", "Id", (json_int_t)i, "Position",
                                             (json_int_t)i, "PerSecond",
                                             series(end, slots, 0, 0, 0)));
    json_object_set_new(r, "PartitionMap", map);
    json_object_set_new(r, "PerSecond", series(end, slots, 0, 0, 0));
    json_object_set_new(r, "ContributorInsights",
                        json_pack("{s:{s:[],s:[],s:[]},s:{s:[],s:[],s:[]}}", "MostAccessedKeys",
                                  "CurrentMinute", "PreviousMinute", "Total",
                                  "MostThrottledKeys", "CurrentMinute", "PreviousMinute",
                                  "Total"));
    return r;
}

/* Set the newest second of partition 'pos'. */
static void set_part(json_t *res, size_t pos, long long end, size_t slots, double read,
                     double write, long long thr)
{
    json_t *p = json_array_get(json_object_get(res, "PartitionMap"), pos);
    json_object_set_new(p, "PerSecond", series(end, slots, read, write, thr));
}

static void add_key(json_t *res, const char *list, const char *period, const char *key,
                    double value, long long part)
{
    json_t *ci = json_object_get(res, "ContributorInsights");
    json_t *a = json_object_get(json_object_get(ci, list), period);
    int thr = strcmp(list, "MostThrottledKeys") == 0;
    json_t *e = json_pack("{s:s,s:o,s:I}", "Key", key,
                          thr ? "ThrottleCount" : "ConsumedThroughputUnits",
                          thr ? json_integer((json_int_t)value) : json_real(value), "Partition",
                          (json_int_t)part);
    json_array_append_new(a, e);
}

static json_t *answer(json_t *table, const char *clock)
{
    json_t *doc = json_pack("{s:f,s:I,s:s,s:s,s:b,s:{s:i,s:i},s:[o]}", "Time", 4102444802.0,
                            "Second", (json_int_t)4102444802LL, "Region", "ap-southeast-1",
                            "ClockMode", clock, "Throttling", 1, "PartitionCeiling", "Read",
                            3000, "Write", 100, "Tables", table);
    return doc;
}

static json_t *table_of(const char *name, json_t *res)
{
    json_object_set_new(res, "TableName", json_string(name));
    json_object_set_new(res, "BillingMode", json_string("PAY_PER_REQUEST"));
    json_object_set_new(res, "GlobalSecondaryIndexes", json_array());
    json_object_set_new(res, "Operations", json_array());
    return res;
}

static char *frame(const json_t *doc, const cli_top_cfg *o)
{
    ddb_buf b = DDB_BUF_INIT;
    if (cli_top_frame(doc, o, &b) != 0) {
        ddb_buf_free(&b);
        return NULL;
    }
    return ddb_buf_steal(&b, NULL);
}

/* 1 if 'text' has a line equal to 'line'. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

/*---- formatting helpers ----*/

static void test_helpers(void)
{
    char u[32];
    cli_units_text(10, u);
    CHECK_STR("whole units", u, "10");
    cli_units_text(0.5, u);
    CHECK_STR("half unit", u, "0.5");
    cli_units_text(12000, u);
    CHECK_STR("large", u, "12000");
    cli_units_text(0.04, u);
    CHECK_STR("rounds to 0", u, "0");
    cli_units_text(-0.0, u);
    CHECK_STR("no negative zero", u, "0");
    cli_units_text(1.0 / 0.0, u);
    CHECK_STR("infinity is 0", u, "0");

    char *k = cli_key_text("USER#1", 32);
    CHECK_STR("key as is", k, "USER#1");
    free(k);
    k = cli_key_text("a\nb\x7f", 32);
    CHECK_STR("control characters escaped", k, "a\\x0ab\\x7f");
    free(k);
    k = cli_key_text("abcdefghij", 8);
    CHECK_STR("cut with ...", k, "abcde...");
    free(k);
    k = cli_key_text("abcdefgh", 8);
    CHECK_STR("exactly max is kept", k, "abcdefgh");
    free(k);
    k = cli_key_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4);
    CHECK_STR("code points, not bytes", k, "\xc3\xa9...");
    free(k);
    k = cli_key_text(NULL, 8);
    CHECK_STR("NULL key", k, "");
    free(k);

    char when[40];
    cli_clock_text(4102444800.0, when);
    CHECK_STR("clock", when, "2100-01-01 00:00:00 UTC");
    cli_clock_text(1767225599.9, when);
    CHECK_STR("clock floors", when, "2025-12-31 23:59:59 UTC");

    CHECK("table name", cli_resource_name_valid("ws-att-007"));
    CHECK("dots and underscores", cli_resource_name_valid("a.b_c"));
    CHECK("too short", !cli_resource_name_valid("ab"));
    CHECK("no &", !cli_resource_name_valid("a&b=c"));
    CHECK("no space", !cli_resource_name_valid("a b c"));
}

/*---- ddb metrics ----*/

static void test_metrics_list(void)
{
    json_t *hot = table_of("hot", mk_resource(4, 100, 2));
    json_object_set_new(hot, "Used", json_pack("{s:f,s:f}", "Read", 0.5, "Write", 10.0));
    json_object_set_new(hot, "Totals",
                        json_pack("{s:f,s:f,s:i,s:i}", "ConsumedReadCapacityUnits", 1.5,
                                  "ConsumedWriteCapacityUnits", 110.0, "ReadThrottleEvents", 0,
                                  "WriteThrottleEvents", 15));
    json_object_set_new(hot, "Operations",
                        json_pack("[{s:s,s:i,s:i},{s:s,s:i,s:i}]", "Operation", "PutItem",
                                  "Requests", 20, "ThrottledRequests", 5, "Operation",
                                  "BatchWriteItem", "Requests", 1, "ThrottledRequests", 0));
    json_t *doc = answer(hot, "manual");
    json_array_append_new(json_object_get(doc, "Tables"),
                          table_of("other-table", mk_resource(1, 100, 2)));
    ddb_buf b = DDB_BUF_INIT;
    cli_metrics_list_text(doc, &b);
    ddb_buf_putc(&b, '\0');
    CHECK_STR("list text", (const char *)b.data,
              "Table        BillingMode      Partitions  ConsumedRCU/s  ConsumedWCU/s  "
              "ConsumedRCU  ConsumedWCU  ReadThrottleEvents  WriteThrottleEvents  "
              "ThrottledRequests\n"
              "hot          PAY_PER_REQUEST  4           0.5            10             1.5    "
              "      110          0                   15                   5 of 21\n"
              "other-table  PAY_PER_REQUEST  1           0              0              0      "
              "      0            0                   0                    0 of 0\n");
    ddb_buf_free(&b);

    cli_table t = {0};
    cli_metrics_list_table(doc, &t);
    CHECK("one row per table", t.n_rows == 2 && t.n_cols == 10);
    CHECK_STR("table cell", t.rows[0][9], "5 of 21");
    cli_table_free(&t);
    json_decref(doc);

    doc = json_pack("{s:s,s:[]}", "Region", "eu-west-1", "Tables");
    cli_metrics_list_text(doc, &b);
    ddb_buf_putc(&b, '\0');
    CHECK_STR("no tables", (const char *)b.data, "No tables in eu-west-1.\n");
    ddb_buf_free(&b);
    json_decref(doc);
}

static void test_metrics_detail(void)
{
    json_t *hot = table_of("hot", mk_resource(40, 100, 2));
    json_object_set_new(hot, "Used", json_pack("{s:f,s:f}", "Read", 0.0, "Write", 100.0));
    json_object_set_new(hot, "PreviousPeak", json_pack("{s:f,s:f}", "Read", 0.0, "Write", 0.0));
    json_object_set_new(
        hot, "Totals",
        json_pack("{s:f,s:f,s:i,s:i,s:i,s:i}", "ConsumedReadCapacityUnits", 0.0,
                  "ConsumedWriteCapacityUnits", 300.0, "ReadThrottleEvents", 0,
                  "WriteThrottleEvents", 100, "WriteKeyRangeThroughputThrottleEvents", 90,
                  "WriteMaxOnDemandThroughputThrottleEvents", 4));
    json_object_set_new(hot, "Operations",
                        json_pack("[{s:s,s:i,s:i}]", "Operation", "PutItem", "Requests", 400,
                                  "ThrottledRequests", 100));
    add_key(hot, "MostAccessedKeys", "Total", "USER#hot", 300, 35);
    add_key(hot, "MostThrottledKeys", "Total", "USER#hot", 100, 35);
    json_t *gsi = mk_resource(4, 100, 2);
    json_object_set_new(gsi, "IndexName", json_string("GSI1"));
    json_object_set_new(gsi, "Totals", json_pack("{s:i}", "WriteThrottleEvents", 7));
    json_array_append_new(json_object_get(hot, "GlobalSecondaryIndexes"), gsi);
    json_t *doc = answer(hot, "manual");

    ddb_buf b = DDB_BUF_INIT;
    CHECK("detail", cli_metrics_detail_text(doc, NULL, &b) == 0);
    ddb_buf_putc(&b, '\0');
    const char *s = (const char *)b.data;
    CHECK("header", has_line(s, "Table hot in ap-southeast-1 (ddbd, clock manual at "
                                "2100-01-01 00:00:02 UTC, throttling on)"));
    CHECK("billing", has_line(s, "  BillingMode          PAY_PER_REQUEST"));
    CHECK("ceiling", has_line(s, "  PartitionCeiling     3000 RCU/s, 100 WCU/s"));
    CHECK("capacity", has_line(s, "  Capacity             12000 RCU/s, 4000 WCU/s (on demand; "
                                  "previous peak 0 RCU/s, 0 WCU/s)"));
    CHECK("now", has_line(s, "  ConsumedThisSecond   0 RCU, 100 WCU"));
    CHECK("total", has_line(s, "  ConsumedTotal        0 RCU, 300 WCU"));
    CHECK("reasons", has_line(s, "  WriteThrottleEvents  100 "
                                 "(WriteKeyRangeThroughputThrottleEvents 90, "
                                 "WriteMaxOnDemandThroughputThrottleEvents 4, 6 refused by "
                                 "another resource of the request)"));
    CHECK("no read throttles", has_line(s, "  ReadThrottleEvents   0"));
    CHECK("operations", has_line(s, "  ThrottledRequests    PutItem 100 of 400"));
    CHECK("accessed", has_line(s, "  MostAccessedKeys     USER#hot  300 units, partition 35"));
    CHECK("throttled", has_line(s, "  MostThrottledKeys    USER#hot  100 throttles, partition 35"));
    CHECK("GSI block", has_line(s, "GSI GSI1 of table hot in ap-southeast-1 (ddbd, clock "
                                   "manual at 2100-01-01 00:00:02 UTC, throttling on)"));
    CHECK("GSI events from elsewhere",
          has_line(s, "  WriteThrottleEvents  7 (refused by another resource of the request)"));
    CHECK("GSI keys none", has_line(s, "  MostThrottledKeys    none"));
    ddb_buf_free(&b);

    CHECK("only the index", cli_metrics_detail_text(doc, "GSI1", &b) == 0);
    ddb_buf_putc(&b, '\0');
    CHECK("index first", strncmp((const char *)b.data, "GSI GSI1 of table hot", 21) == 0);
    CHECK("no table block", strstr((const char *)b.data, "BillingMode") == NULL);
    ddb_buf_free(&b);
    CHECK("unknown index", cli_metrics_detail_text(doc, "nope", &b) == -1);
    ddb_buf_free(&b);
    CHECK("index lookup", cli_metrics_index(doc, "GSI1") == gsi);

    cli_table t = {0};
    CHECK("detail table", cli_metrics_detail_table(doc, NULL, &t) == 0);
    CHECK("three columns", t.n_cols == 3);
    int found = 0;
    for (size_t r = 0; r < t.n_rows; r++)
        if (strcmp(t.rows[r][0], "table") == 0 && strcmp(t.rows[r][1], "Partitions") == 0)
            found = strcmp(t.rows[r][2], "40") == 0;
    CHECK("partitions row", found);
    cli_table_free(&t);
    json_decref(doc);
}

/*---- ddb top ----*/

static void test_top_hot_partition(void)
{
    json_t *res = table_of("hot", mk_resource(256, 100, 2));
    set_part(res, 3, 100, 2, 0, 100, 5);
    set_part(res, 200, 100, 2, 30, 40, 0);
    add_key(res, "MostAccessedKeys", "CurrentMinute", "USER#hot", 300, 3);
    add_key(res, "MostThrottledKeys", "CurrentMinute", "USER#hot", 5, 3);
    add_key(res, "MostAccessedKeys", "PreviousMinute", "USER#cold", 30, 200);
    add_key(res, "MostAccessedKeys", "CurrentMinute", "USER#cold", 10, 200);
    json_t *doc = answer(res, "manual");
    cli_top_cfg o = {1, 32, 0, NULL};
    char *f = frame(doc, &o);
    CHECK("frame", f != NULL);
    CHECK_STR("whole frame", f,
              "ddb top hot  region ap-southeast-1  clock manual 2100-01-01 00:00:02 UTC\n"
              "second 100: units consumed per partition against its ceiling; HOT >= 80 %\n"
              "\n"
              "table hot: PAY_PER_REQUEST, 256 partitions, ceiling 3000 RCU/s, 100 WCU/s "
              "each; 1 hot, 1 throttled, 2 active\n"
              "  p0-p2     idle\n"
              "  p3        R [............]    0/3000  W [############]   100/100  HOT  "
              "THROTTLED x5  keys: USER#hot (5 throttled)\n"
              "  p4-p199   idle\n"
              "  p200      R [#...........]   30/3000  W [#####.......]    40/100  keys: "
              "USER#cold\n"
              "  p201-p255 idle\n");
    CHECK("no escapes without colour", f && strchr(f, '\033') == NULL);
    free(f);

    o.color = 1;
    f = frame(doc, &o);
    CHECK("colour marks", f && strstr(f, "\033[1;33mHOT\033[0m") &&
                              strstr(f, "\033[1;31mTHROTTLED x5\033[0m"));
    free(f);

    /* the real clock shows the last complete second: the newest is ignored */
    json_object_set_new(doc, "ClockMode", json_string("real"));
    o.color = 0;
    f = frame(doc, &o);
    CHECK("real clock: second before", f && strstr(f, "second 99: "));
    CHECK("real clock: all idle", f && has_line(f, "  p0-p255   idle"));
    free(f);
    json_decref(doc);
}

static void test_top_window_rows_index(void)
{
    /* 3 slots: the busy second is the oldest; a window of 3 finds it */
    json_t *res = table_of("t1", mk_resource(8, 50, 3));
    json_t *p = json_array_get(json_object_get(res, "PartitionMap"), 5);
    json_t *ps = series(50, 3, 0, 0, 0);
    json_array_set_new(json_object_get(ps, "ConsumedWriteCapacityUnits"), 0, json_real(90));
    json_array_set_new(json_object_get(ps, "WriteThrottleEvents"), 1, json_integer(2));
    json_array_set_new(json_object_get(ps, "WriteThrottleEvents"), 2, json_integer(3));
    json_object_set_new(p, "PerSecond", ps);
    json_t *doc = answer(res, "manual");
    cli_top_cfg o = {3, 32, 0, NULL};
    char *f = frame(doc, &o);
    CHECK("window header", f && strstr(f, "seconds 48-50 (the busiest per partition): "));
    CHECK("busiest second, throttles summed",
          f && has_line(f, "  p5        R [............]    0/3000  W [###########.]    "
                           "90/100  HOT  THROTTLED x5"));
    free(f);
    o.window = 1;
    f = frame(doc, &o);
    CHECK("window 1: only throttles", f && has_line(f, "  p5        R [............]    "
                                                       "0/3000  W [............]     0/100  "
                                                       "THROTTLED x3"));
    free(f);
    json_decref(doc);

    /* the row budget: 6 busy partitions, 2 rows; the throttled one wins */
    res = table_of("t2", mk_resource(10, 50, 2));
    for (size_t i = 2; i < 8; i++)
        set_part(res, i, 50, 2, 0, (double)(10 * i), i == 3 ? 1 : 0);
    json_t *gsi = mk_resource(4, 50, 2);
    json_object_set_new(gsi, "IndexName", json_string("byStatus"));
    json_object_set_new(gsi, "Capacity", json_pack("{s:f,s:f}", "Read", 12000.0, "Write", 40.0));
    set_part(gsi, 1, 50, 2, 0, 40, 0);
    json_array_append_new(json_object_get(res, "GlobalSecondaryIndexes"), gsi);
    doc = answer(res, "manual");
    o = (cli_top_cfg){1, 2, 0, NULL};
    f = frame(doc, &o);
    CHECK("budget: throttled first", f && strstr(f, "\n  p3        R "));
    CHECK("budget: then the busiest", f && strstr(f, "\n  p7        R "));
    CHECK("budget: the rest collapse",
          f && has_line(f, "  p0-p2     quiet: 1 active, busiest 20 %") &&
              has_line(f, "  p4-p6     quiet: 3 active, busiest 60 %") &&
              has_line(f, "  p8-p9     idle"));
    CHECK("GSI drawn", f && strstr(f, "\nGSI byStatus: 4 partitions, ceiling 3000 RCU/s, 40 "
                                      "WCU/s each; 1 hot, 0 throttled, 1 active\n"));
    free(f);
    o.index = "byStatus";
    f = frame(doc, &o);
    CHECK("only the GSI", f && strstr(f, "table t2") == NULL && strstr(f, "GSI byStatus"));
    CHECK("capacity caps the ceiling",
          f && has_line(f, "  p1        R [............]    0/3000  W [############]     "
                           "40/40  HOT"));
    free(f);
    o.index = "nope";
    CHECK("unknown index", frame(doc, &o) == NULL);
    json_decref(doc);

    doc = json_pack("{s:[]}", "Tables");
    o.index = NULL;
    CHECK("no table", frame(doc, &o) == NULL);
    json_decref(doc);
}

int main(void)
{
    ddb_json_use_xalloc();
    test_helpers();
    test_metrics_list();
    test_metrics_detail();
    test_top_hot_partition();
    test_top_window_rows_index();
    return CHECK_REPORT();
}
