/* SPDX-License-Identifier: MIT
**
** cmd_metrics.c -- `ddb metrics [TABLE] [--index I]`: ddbd's throughput
** metrics (GET /_ddbd/metrics, which carries the Contributor Insights lists
** of /_ddbd/insights too) for the tables of the region, or one table and its
** GSIs, as text (the default), a table (--output table) or the server's JSON
** (--output json). Only ddbd has these endpoints: on AWS, or on an endpoint
** that does not answer as ddbd does, the command says so (exit 5) and points
** at CloudWatch; the AWS endpoint is never contacted.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

const cli_opt cli_metrics_opts[] = {
    {"index", "INDEX", "only this global secondary index of TABLE"},
    {NULL, NULL, NULL}};

const char cli_metrics_help[] =
    "Reads ddbd's GET /_ddbd/metrics (unsigned, one attempt) for the region.\n"
    "Without TABLE: one line per table -- billing mode, partitions, units consumed\n"
    "this second and in total, ReadThrottleEvents, WriteThrottleEvents and the\n"
    "throttled requests. With TABLE: a block for the table and each GSI (or only\n"
    "--index INDEX) with the partition ceiling and capacity, the throttle events\n"
    "per reason (KeyRange, Provisioned, MaxOnDemand, AccountLimit), ThrottledRequests\n"
    "per operation and the Contributor Insights keys (most accessed, most\n"
    "throttled, with their partitions).\n"
    "--output text (the default) or table formats it; --output json prints ddbd's\n"
    "answer as sent (with --index, that GSI's object of it).\n"
    "Only ddbd serves /_ddbd/: on AWS use CloudWatch (exit 5, AWS is not contacted).";

int cli_cmd_metrics(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    const char *table = a->n_pos > 0 ? a->pos[0] : NULL;
    const char *index = cli_arg(a, "index");
    if (index != NULL && table == NULL)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError", "--index needs a TABLE");
    if ((table != NULL && !cli_resource_name_valid(table)) ||
        (index != NULL && !cli_resource_name_valid(index)))
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "a table or index name is 3 to 255 of a-z, A-Z, 0-9, '_', '-', '.'");
    cli_output mode = ctx->output_set ? ctx->output : CLI_OUT_TEXT;
    if (cli_ready(ctx, e) != DDB_OK)
        return DDB_ERR;
    char *query = ddb_xasprintf("region=%s%s%s%s", ctx->cfg.region, table ? "&table=" : "",
                                table ? table : "",
                                mode == CLI_OUT_JSON ? "" : "&partitions=0&seconds=1");
    char *missing = table ? ddb_xasprintf("Requested resource not found: Table: %s not "
                                          "found (ddbd, region %s)",
                                          table, ctx->cfg.region)
                          : NULL;
    char *raw = NULL;
    json_t *doc = cli_ddbd_get(ctx, "metrics", "/_ddbd/metrics", query, missing, &raw, e);
    free(query);
    free(missing);
    if (doc == NULL)
        return DDB_ERR;
    const json_t *gsi = index ? cli_metrics_index(doc, index) : NULL;
    const json_t *tables = json_object_get(doc, "Tables");
    int rc = DDB_OK;
    if (!json_is_array(tables) || (table != NULL && json_array_size(tables) == 0)) {
        rc = cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                      "the /_ddbd/metrics answer has no Tables%s%s", table ? " entry for " : "",
                      table ? table : "");
    } else if (index != NULL && gsi == NULL) {
        rc = cli_fail(e, CLI_EXIT_SERVICE, "ResourceNotFoundException",
                      "Requested resource not found: Index: %s of table %s not found", index,
                      table);
    } else if (mode == CLI_OUT_JSON && gsi != NULL) {
        char *s = json_dumps(gsi, JSON_COMPACT | JSON_REAL_PRECISION(15));
        printf("%s\n", s);
        free(s);
    } else if (mode == CLI_OUT_JSON) {
        fputs(raw, stdout);
        if (raw[0] != '\0' && raw[strlen(raw) - 1] != '\n')
            putchar('\n');
    } else if (mode == CLI_OUT_TABLE) {
        cli_table t = {0};
        if (table != NULL)
            cli_metrics_detail_table(doc, index, &t);
        else
            cli_metrics_list_table(doc, &t);
        cli_table_print(&t, stdout);
        cli_table_free(&t);
    } else {
        ddb_buf b = DDB_BUF_INIT;
        if (table != NULL)
            cli_metrics_detail_text(doc, index, &b);
        else
            cli_metrics_list_text(doc, &b);
        fwrite(b.data, 1, b.len, stdout);
        ddb_buf_free(&b);
    }
    json_decref(doc);
    free(raw);
    return rc;
}
