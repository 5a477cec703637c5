/* SPDX-License-Identifier: MIT
**
** workshop_compare.c -- `ddb workshop section3 --compare`: the lesson of
** section 3 in one screen. The same number of PutItems go first to one hot
** partition key, then round-robin to N shard keys; every write is one
** attempt (--no-retry semantics, so a throttle is counted, not hidden by a
** retry) with ReturnConsumedCapacity TOTAL. The report puts side by side the
** writes that succeeded and were throttled, the capacity consumed, the
** throttling reasons DynamoDB gave, and -- on ddbd -- how many partitions
** each phase touched (from GET /_ddbd/metrics before and after). With ddbd's
** manual clock each phase runs inside one simulated second (POST
** /_ddbd/clock advances it before each phase), so the result is the same on
** every run; against AWS, where /_ddbd/ does not exist, it says so.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

/* The hot key; the shard keys are COMPARE_PK#S0, #S1, ... (apart from
** section 3's USER#hotuser#S*, whose read they would otherwise join). */
#define COMPARE_PK "USER#hot-compare"

/* What the report says about the endpoint. */
static const char *endpoint_note(cli_ws_server kind)
{
    switch (kind) {
    case CLI_WS_DDBD_MANUAL:
        return "ddbd with --clock manual: the clock is advanced 1 s before each phase "
               "and "
               "stands still during it, so each phase runs inside one simulated second "
               "and "
               "the result is the same on every run.";
    case CLI_WS_DDBD_REAL:
        return "ddbd with the real clock: each phase takes as long as this machine "
               "needs, "
               "so the numbers vary; start ddbd with --clock manual for a deterministic "
               "comparison.";
    case CLI_WS_OTHER:
        return "This endpoint has no /_ddbd/ endpoints (it is not ddbd): the phases run "
               "in "
               "real time and the partitions touched cannot be reported.";
    default:
        return "Talking to AWS: DynamoDB does not publish its partitions and has no "
               "/_ddbd/clock or /_ddbd/metrics (ddbd's own endpoints), so the phases run "
               "in real time, throttling depends on the table's real capacity and the "
               "partitions touched are not reported.";
    }
}

/* Run one phase: 'writes' PutItems to COMPARE_PK (shards 0) or to
** COMPARE_PK#S<i % shards>. */
static int run_phase(cli_ws *w, const char *table, long writes, long shards,
                     cli_ws_server kind, cli_ws_phase *p, cli_error *e)
{
    int ddbd = kind == CLI_WS_DDBD_REAL || kind == CLI_WS_DDBD_MANUAL;
    cli_ws_snapshot before = {0}, after = {0};
    p->touched = p->partitions = -1;
    if (kind == CLI_WS_DDBD_MANUAL && cli_ws_clock_advance(w, 1.0, e) != DDB_OK)
        return DDB_ERR;
    if (ddbd && cli_ws_metrics(w, table, &before, e) != DDB_OK)
        return DDB_ERR;
    int rc = DDB_OK;
    for (long i = 0; i < writes && rc == DDB_OK; i++) {
        char *pk = shards > 0 ? ddb_xasprintf("%s#S%ld", COMPARE_PK, i % shards)
                              : ddb_xstrdup(COMPARE_PK);
        char *sk = ddb_xasprintf("EVENT#%010ld#%06ld", i, i);
        json_t *item = cli_ws_item("PK", pk, "SK", sk, "type", "EVENT", "phase",
                                   shards > 0 ? "sharded" : "hot", NULL);
        json_t *req = json_pack("{s:s,s:o,s:s}", "TableName", table, "Item", item,
                                "ReturnConsumedCapacity", "TOTAL");
        free(pk);
        free(sk);
        p->writes++;
        cli_error we = CLI_ERROR_INIT;
        json_t *err_doc = NULL;
        json_t *resp = cli_ws_call_once(w, "PutItem", req, &err_doc, &we);
        json_decref(req);
        if (resp != NULL) {
            p->ok++;
            p->consumed += json_number_value(json_object_get(
                json_object_get(resp, "ConsumedCapacity"), "CapacityUnits"));
        } else if (we.exit_code == CLI_EXIT_THROTTLED) {
            p->throttled++;
            cli_ws_phase_reason(p, cli_ws_throttle_reason(err_doc));
        } else {
            rc = cli_fail(e, we.exit_code, we.type, "%s", we.message ? we.message : "");
        }
        json_decref(resp);
        json_decref(err_doc);
        cli_error_clear(&we);
    }
    if (rc == DDB_OK && ddbd && cli_ws_metrics(w, table, &after, e) == DDB_OK) {
        p->touched = (long long)cli_ws_snapshot_touched(&before, &after);
        p->partitions = after.partitions;
    } else if (rc == DDB_OK && ddbd) {
        rc = DDB_ERR;
    }
    cli_ws_snapshot_free(&before);
    cli_ws_snapshot_free(&after);
    return rc;
}

int cli_ws_section3_compare(cli_ws *w, long writes, long shards, cli_error *e)
{
    if (cli_ws_need(w->env.table, "TABLE",
                    "export TABLE=ws-att-<ATTENDEE_ID> (or set "
                    "ATTENDEE_ID), then run 'ddb workshop create-table'",
                    e) != DDB_OK)
        return DDB_ERR;
    const char *table = w->env.table;
    json_t *desc = cli_ws_describe(w, table, e); /* a missing table fails here, plainly */
    if (desc == NULL)
        return DDB_ERR;
    json_decref(desc);
    cli_ws_server kind = cli_ws_probe(w);
    printf("Section 3 compare on %s: %ld writes to one hot key, then %ld writes spread "
           "over %ld shard keys (one attempt each, no retries).\n",
           table, writes, writes, shards);
    printf("%s\n\n", endpoint_note(kind));
    cli_ws_phase hot, sharded;
    memset(&hot, 0, sizeof hot);
    memset(&sharded, 0, sizeof sharded);
    snprintf(hot.title, sizeof hot.title, "hot key");
    snprintf(hot.keys, sizeof hot.keys, "%s", COMPARE_PK);
    snprintf(sharded.title, sizeof sharded.title, "%ld shards", shards);
    snprintf(sharded.keys, sizeof sharded.keys, "%s#S0..S%ld", COMPARE_PK, shards - 1);
    if (run_phase(w, table, writes, 0, kind, &hot, e) != DDB_OK ||
        run_phase(w, table, writes, shards, kind, &sharded, e) != DDB_OK)
        return DDB_ERR;
    cli_table t = {0};
    cli_ws_compare_table(&hot, &sharded, &t);
    cli_table_print(&t, stdout);
    cli_table_free(&t);
    char *verdict = cli_ws_compare_verdict(&hot, &sharded);
    printf("\n%s\n", verdict);
    free(verdict);
    return DDB_OK;
}
