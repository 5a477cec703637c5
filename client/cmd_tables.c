/* SPDX-License-Identifier: MIT
**
** cmd_tables.c -- the table commands: `ddb tables` (ListTables, every page)
** and `ddb describe TABLE` (DescribeTable, the Table object printed exactly
** as the service sent it, or flattened into Field/Value rows).
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

const cli_opt cli_tables_opts[] = {{NULL, NULL, NULL}};
const cli_opt cli_describe_opts[] = {{NULL, NULL, NULL}};

int cli_cmd_tables(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    json_t *req = json_object();
    cli_table t = {0};
    size_t col = cli_table_col(&t, "TableName");
    int rc = DDB_OK;
    for (long page = 0; page < CLI_MAX_PAGES; page++) {
        json_t *resp = cli_dynamodb(ctx, "ListTables", req, e);
        if (resp == NULL) {
            rc = DDB_ERR;
            break;
        }
        size_t i;
        json_t *name;
        json_array_foreach(json_object_get(resp, "TableNames"), i, name)
        {
            const char *s = json_string_value(name);
            if (s == NULL)
                continue;
            if (ctx->output == CLI_OUT_TABLE) {
                cli_table_row(&t);
                cli_table_set(&t, col, ddb_xstrdup(s));
            } else {
                ddb_buf line = DDB_BUF_INIT;
                ddb_buf_json_string(&line, s, json_string_length(name));
                ddb_buf_putc(&line, '\n');
                fwrite(line.data, 1, line.len, stdout);
                ddb_buf_free(&line);
            }
        }
        json_t *last = json_object_get(resp, "LastEvaluatedTableName");
        if (!json_is_string(last)) {
            json_decref(resp);
            break;
        }
        json_object_set(req, "ExclusiveStartTableName", last);
        json_decref(resp);
    }
    if (rc == DDB_OK)
        cli_table_print(&t, stdout);
    cli_table_free(&t);
    json_decref(req);
    return rc;
}

int cli_cmd_describe(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    json_t *req = json_object();
    if (cli_set_string(req, "TableName", a->pos[0], e) != DDB_OK) {
        json_decref(req);
        return DDB_ERR;
    }
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    cli_reply reply = {0};
    int rc = cli_dynamodb_raw(ctx, "DescribeTable", body, strlen(body), &reply, e);
    free(body);
    if (rc != DDB_OK)
        return rc;
    size_t start, len;
    if (cli_json_member(reply.body, reply.len, "Table", &start, &len) != 0) {
        cli_reply_free(&reply);
        return cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                        "the DescribeTable answer has no Table");
    }
    if (ctx->output == CLI_OUT_TABLE) {
        cli_leaves l = {0};
        cli_table t = {0};
        cli_json_flatten(reply.body + start, len, "", &l);
        size_t cf = cli_table_col(&t, "Field"), cv = cli_table_col(&t, "Value");
        for (size_t i = 0; i < l.n; i++) {
            cli_table_row(&t);
            cli_table_set(&t, cf, ddb_xstrdup(l.v[i].path));
            cli_table_set(&t, cv, ddb_xstrdup(l.v[i].text));
        }
        cli_table_print(&t, stdout);
        cli_table_free(&t);
        cli_leaves_free(&l);
    } else {
        ddb_buf line = DDB_BUF_INIT;
        rc = cli_json_compact(reply.body + start, len, &line, "the answer", e);
        if (rc == DDB_OK) {
            ddb_buf_putc(&line, '\n');
            fwrite(line.data, 1, line.len, stdout);
        }
        ddb_buf_free(&line);
    }
    cli_reply_free(&reply);
    return rc;
}
