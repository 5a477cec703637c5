/* SPDX-License-Identifier: MIT
**
** test_client_workshop.c -- unit tests of the pure part of `ddb workshop`
** (client/workshop_model.c): the guide's variables and its scripts'
** defaults, the items the steps write held against the guide's scripts, the
** per-partition totals read from a /_ddbd/metrics answer and the partitions
** a phase touched, the throttling reason of an error document (both
** spellings), and the side-by-side report of section3 --compare. The client
** sources are compiled into this test directly.
*/
#include "check.h"

#include "../../client/common.c"
#include "../../client/json_text.c"
#include "../../client/marshal.c"
#include "../../client/output.c"
#include "../../client/workshop_model.c"

#include <stdlib.h>
#include <string.h>

/*---- a fake environment ----*/

#define MAX_ENV 16
static const char *env_names[MAX_ENV];
static const char *env_values[MAX_ENV];
static size_t env_n;

static void env_set(const char *name, const char *value)
{
    if (env_n < MAX_ENV) {
        env_names[env_n] = name;
        env_values[env_n++] = value;
    }
}

static const char *fake_env(const char *name)
{
    for (size_t i = 0; i < env_n; i++)
        if (strcmp(env_names[i], name) == 0)
            return env_values[i];
    return NULL;
}

/* Plain JSON of an array of attribute maps. New. */
static char *items_text(const json_t *items)
{
    ddb_buf b = DDB_BUF_INIT;
    cli_ws_items_json(items, &b);
    return ddb_buf_steal(&b, NULL);
}

static void test_env(void)
{
    cli_ws_env w;
    env_n = 0;
    cli_ws_env_resolve(fake_env, &w);
    CHECK("no ATTENDEE_ID", w.attendee == NULL && w.table == NULL && w.personal == NULL);
    CHECK_STR("TENANT_ID default", w.tenant, "t-037");
    CHECK("tenant defaulted", w.tenant_defaulted == 1);
    CHECK_STR("SHARED_TABLE default", w.shared, "WorkshopShared");
    CHECK_STR("OTHER_TENANT_ID default", w.other, "t-999");
    CHECK_STR("GSI_TENANT_STATUS default", w.gsi_tenant, "GSI1");
    CHECK_STR("GSI_GLOBAL_STATUS default", w.gsi_global, "GSI2_StatusGlobal");
    CHECK("no region", w.region == NULL);
    cli_ws_env_free(&w);

    env_set("ATTENDEE_ID", "042");
    env_set("TENANT_ID", "");
    cli_ws_env_resolve(fake_env, &w);
    CHECK_STR("personal table", w.personal, "ws-att-042");
    CHECK_STR("TABLE from ATTENDEE_ID", w.table, "ws-att-042");
    CHECK("table_from_attendee", w.table_from_attendee == 1);
    CHECK_STR("empty TENANT_ID is unset", w.tenant, "t-037");
    cli_ws_env_free(&w);

    env_n = 0;
    env_set("ATTENDEE_ID", "042");
    env_set("TABLE", "mine");
    env_set("TENANT_ID", "t-042");
    env_set("SHARED_TABLE", "Shared2");
    env_set("OTHER_TENANT_ID", "t-000");
    env_set("GSI_TENANT_STATUS", "G1");
    env_set("GSI_GLOBAL_STATUS", "G2");
    env_set("AWS_REGION", "eu-west-1");
    cli_ws_env_resolve(fake_env, &w);
    CHECK_STR("TABLE wins", w.table, "mine");
    CHECK_STR("personal stays", w.personal, "ws-att-042");
    CHECK("not from attendee", w.table_from_attendee == 0 && w.tenant_defaulted == 0);
    CHECK_STR("tenant", w.tenant, "t-042");
    CHECK_STR("shared", w.shared, "Shared2");
    CHECK_STR("other", w.other, "t-000");
    CHECK_STR("gsi1", w.gsi_tenant, "G1");
    CHECK_STR("gsi2", w.gsi_global, "G2");
    CHECK_STR("region", w.region, "eu-west-1");
    cli_ws_env_free(&w);
}

static void test_items(void)
{
    json_t *a = cli_ws_section1_items();
    char *s = items_text(a);
    CHECK_STR("section1 items", s,
              "[{\"PK\":\"USER#u123\",\"SK\":\"PROFILE#u123\",\"type\":\"USER\",\"name\":"
              "\"Ada\"},{\"PK\":\"USER#u123\",\"SK\":\"ORDER#20250927#o1\",\"type\":"
              "\"ORDER\",\"status\":\"PENDING\"},{\"PK\":\"USER#u123\",\"SK\":\"ORDER#"
              "20250928#o2\",\"type\":\"ORDER\",\"status\":\"SHIPPED\"}]");
    free(s);
    json_decref(a);

    a = cli_ws_section2_items();
    CHECK("section2: 4 items", json_array_size(a) == 4);
    s = items_text(a);
    CHECK("section2: o102 shipped",
          strstr(s, "\"SK\":\"ORDER#20250928#o102\",\"type\":\"ORDER\",\"status\":"
                    "\"SHIPPED\"") != NULL);
    CHECK("section2: profile email", strstr(s, "\"email\":\"ada@example.org\"") != NULL);
    free(s);
    json_decref(a);

    a = cli_ws_section2_gsi_items();
    s = items_text(a);
    CHECK_STR(
        "section2 gsi items", s,
        "[{\"PK\":\"USER#u200\",\"SK\":\"ORDER#20250928#o102\",\"type\":\"ORDER\","
        "\"status\":\"SHIPPED\",\"GSI1PK\":\"STATUS#SHIPPED\",\"GSI1SK\":\"20250928#"
        "o102\"},{\"PK\":\"USER#u200\",\"SK\":\"ORDER#20250926#o101\",\"type\":"
        "\"ORDER\",\"status\":\"PENDING\",\"GSI1PK\":\"STATUS#PENDING\",\"GSI1SK\":"
        "\"20250926#o101\"}]");
    free(s);
    json_decref(a);

    a = cli_ws_section4_items("t-042");
    s = items_text(a);
    CHECK_STR(
        "section4 items", s,
        "[{\"PK\":\"TENANT#t-042#USER#u1\",\"SK\":\"PROFILE#u1\",\"type\":\"USER\","
        "\"email\":\"u1@example.org\"},{\"PK\":\"TENANT#t-042#USER#u1\",\"SK\":"
        "\"ORDER#20250928#o1\",\"type\":\"ORDER\",\"status\":\"PENDING\",\"GSI1PK\":"
        "\"TENANT#t-042#STATUS#PENDING\",\"GSI1SK\":\"20250928#o1\"},{\"PK\":"
        "\"TENANT#t-042#USER#u1\",\"SK\":\"ORDER#20250929#o2\",\"type\":\"ORDER\","
        "\"status\":\"SHIPPED\",\"GSI1PK\":\"TENANT#t-042#STATUS#SHIPPED\",\"GSI1SK\":"
        "\"20250929#o2\"}]");
    free(s);
    json_decref(a);

    json_t *ev = cli_ws_event_item("USER#hotuser", "S2", 7);
    s = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
    CHECK_STR(
        "event item", s,
        "{\"PK\":{\"S\":\"USER#hotuser#S2\"},\"SK\":{\"S\":\"EVENT#0000000007#000007\"},"
        "\"payload\":{\"M\":{\"n\":{\"N\":\"7\"},\"shard\":{\"S\":\"S2\"}}},\"type\":"
        "{\"S\":\"EVENT\"}}");
    free(s);
    json_decref(ev);

    a = cli_ws_shared_seed_items("t-999", 2);
    CHECK("seed: 3 items", json_array_size(a) == 3);
    s = items_text(a);
    CHECK("seed: profile u1",
          strstr(s, "{\"PK\":\"TENANT#t-999#USER#u1\",\"SK\":\"PROFILE#u1\"") != NULL);
    CHECK("seed: GSI2 of the pending order",
          strstr(s, "\"GSI2PK\":\"STATUS#PENDING\",\"GSI2SK\":\"t-999#20250927#o902\"") !=
              NULL);
    CHECK(
        "seed: GSI1 of the shipped order",
        strstr(
            s,
            "\"GSI1PK\":\"TENANT#t-999#STATUS#SHIPPED\",\"GSI1SK\":\"20250930#o952\"") !=
            NULL);
    free(s);
    json_decref(a);
}

static const char metrics_before[] =
    "{\"Time\":10,\"Tables\":[{\"TableName\":\"other\",\"Partitions\":1,\"PartitionMap\":"
    "[]},"
    "{\"TableName\":\"ws-att-1\",\"Partitions\":3,\"PartitionMap\":["
    "{\"Id\":0,\"Totals\":{\"ConsumedWriteCapacityUnits\":0.0,\"WriteThrottleEvents\":0}}"
    ","
    "{\"Id\":1,\"Totals\":{\"ConsumedWriteCapacityUnits\":5.0,\"WriteThrottleEvents\":0}}"
    ","
    "{\"Id\":2,\"Totals\":{\"ConsumedWriteCapacityUnits\":1.5,\"WriteThrottleEvents\":2}}"
    "]}]}";
static const char metrics_after[] =
    "{\"Time\":11,\"Tables\":[{\"TableName\":\"ws-att-1\",\"Partitions\":4,"
    "\"PartitionMap\":["
    "{\"Id\":0,\"Totals\":{\"ConsumedWriteCapacityUnits\":0.0,\"WriteThrottleEvents\":0}}"
    ","
    "{\"Id\":1,\"Totals\":{\"ConsumedWriteCapacityUnits\":5.0,\"WriteThrottleEvents\":3}}"
    ","
    "{\"Id\":2,\"Totals\":{\"ConsumedWriteCapacityUnits\":1.5,\"WriteThrottleEvents\":2}}"
    ","
    "{\"Id\":3,\"Totals\":{\"ConsumedWriteCapacityUnits\":1.0,\"WriteThrottleEvents\":0}}"
    "]}]}";

static void test_snapshots(void)
{
    cli_ws_snapshot a, b;
    CHECK("parse before", cli_ws_snapshot_parse(metrics_before, strlen(metrics_before),
                                                "ws-att-1", &a) == 0);
    CHECK("before: 3 partitions", a.partitions == 3 && a.n == 3);
    CHECK("before: totals", a.v[2].consumed == 1.5 && a.v[2].throttles == 2);
    CHECK("parse after", cli_ws_snapshot_parse(metrics_after, strlen(metrics_after),
                                               "ws-att-1", &b) == 0);
    /* partition 1 throttled, partition 3 is new (a split) and consumed */
    CHECK("touched", cli_ws_snapshot_touched(&a, &b) == 2);
    CHECK("untouched against itself", cli_ws_snapshot_touched(&b, &b) == 0);
    cli_ws_snapshot_free(&a);
    cli_ws_snapshot_free(&b);
    cli_ws_snapshot c;
    CHECK("no such table", cli_ws_snapshot_parse(metrics_before, strlen(metrics_before),
                                                 "nope", &c) == -1);
    CHECK("not JSON", cli_ws_snapshot_parse("<html>", 6, "ws-att-1", &c) == -1);
    CHECK("nothing kept", c.v == NULL && c.n == 0);
}

static void test_reasons(void)
{
    json_t *pte = json_loads(
        "{\"__type\":\"x#ProvisionedThroughputExceededException\",\"ThrottlingReasons\":"
        "[{\"reason\":\"TableWriteKeyRangeThroughputExceeded\",\"resource\":\"arn\"}]}",
        0, NULL);
    json_t *te = json_loads("{\"throttlingReasons\":[{\"reason\":"
                            "\"TableWriteProvisionedThroughputExceeded\"}]}",
                            0, NULL);
    json_t *none = json_loads("{\"message\":\"x\"}", 0, NULL);
    CHECK_STR("ThrottlingReasons", cli_ws_throttle_reason(pte),
              "TableWriteKeyRangeThroughputExceeded");
    CHECK_STR("throttlingReasons", cli_ws_throttle_reason(te),
              "TableWriteProvisionedThroughputExceeded");
    CHECK("none", cli_ws_throttle_reason(none) == NULL);
    CHECK("NULL document", cli_ws_throttle_reason(NULL) == NULL);
    json_decref(pte);
    json_decref(te);
    json_decref(none);

    cli_ws_phase p;
    memset(&p, 0, sizeof p);
    cli_ws_phase_reason(&p, "A");
    cli_ws_phase_reason(&p, "A");
    cli_ws_phase_reason(&p, NULL);
    CHECK("two reasons",
          p.n_reasons == 2 && p.reason_counts[0] == 2 && p.reason_counts[1] == 1);
    CHECK_STR("no reason", p.reasons[1], "(no reason given)");
    char name[16];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "R%d", i);
        cli_ws_phase_reason(&p, name);
    }
    CHECK("bounded", p.n_reasons == CLI_WS_MAX_REASONS);
    CHECK_STR("the last slot gathers the rest", p.reasons[CLI_WS_MAX_REASONS - 1],
              "(other reasons)");
    long sum = 0;
    for (size_t i = 0; i < p.n_reasons; i++)
        sum += p.reason_counts[i];
    CHECK("every throttle counted", sum == 23);
}

static void test_report(void)
{
    cli_ws_phase hot, sh;
    memset(&hot, 0, sizeof hot);
    memset(&sh, 0, sizeof sh);
    snprintf(hot.title, sizeof hot.title, "hot key");
    snprintf(hot.keys, sizeof hot.keys, "K");
    snprintf(sh.title, sizeof sh.title, "4 shards");
    snprintf(sh.keys, sizeof sh.keys, "K#S0..S3");
    hot.writes = sh.writes = 200;
    hot.ok = 100;
    hot.throttled = 100;
    hot.consumed = 100;
    sh.ok = 200;
    sh.consumed = 200;
    hot.touched = 1;
    sh.touched = 4;
    hot.partitions = sh.partitions = 40;
    for (int i = 0; i < 100; i++)
        cli_ws_phase_reason(&hot, "TableWriteKeyRangeThroughputExceeded");
    cli_table t = {0};
    cli_ws_compare_table(&hot, &sh, &t);
    CHECK("3 columns, 7 rows", t.n_cols == 3 && t.n_rows == 7);
    CHECK_STR("column title", t.cols[1], "hot key");
    CHECK_STR("throttled row", t.rows[3][0], "throttled");
    CHECK_STR("hot throttled", t.rows[3][1], "100");
    CHECK_STR("sharded throttled", t.rows[3][2], "0");
    CHECK_STR("consumed", t.rows[4][2], "200.0");
    CHECK_STR("partitions", t.rows[5][1], "1 of 40");
    CHECK_STR("reasons", t.rows[6][1], "TableWriteKeyRangeThroughputExceeded x100");
    CHECK_STR("no reasons", t.rows[6][2], "-");
    cli_table_free(&t);
    char *v = cli_ws_compare_verdict(&hot, &sh);
    CHECK_STR("verdict", v,
              "Sharding cut the throttles from 100 to 0: the writes spread over 4 "
              "partitions instead of 1.");
    free(v);

    hot.touched = sh.touched = -1;
    cli_ws_compare_table(&hot, &sh, &t);
    CHECK_STR("unknown partitions", t.rows[5][1], "n/a (no /_ddbd/metrics)");
    cli_table_free(&t);
    v = cli_ws_compare_verdict(&hot, &sh);
    CHECK_STR("verdict without partitions", v,
              "Sharding cut the throttles from 100 to 0.");
    free(v);

    hot.throttled = 0;
    v = cli_ws_compare_verdict(&hot, &sh);
    CHECK("no throttling at all", strncmp(v, "No throttling in either phase", 29) == 0);
    free(v);
    hot.throttled = 5;
    sh.throttled = 7;
    v = cli_ws_compare_verdict(&hot, &sh);
    CHECK("sharding did not help", strncmp(v, "Sharding did not reduce", 23) == 0);
    free(v);
}

int main(void)
{
    ddb_json_use_xalloc();
    test_env();
    test_items();
    test_snapshots();
    test_reasons();
    test_report();
    return CHECK_REPORT();
}
