/* SPDX-License-Identifier: MIT
**
** cmd_call.c -- the generic commands: `ddb call OPERATION [JSON]` sends any
** DynamoDB operation with the request JSON exactly as given (compacted) and
** prints the answer as received; `ddb whoami` calls STS GetCallerIdentity
** over the query protocol.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

const cli_opt cli_call_opts[] = {{NULL, NULL, NULL}};
const cli_opt cli_whoami_opts[] = {{NULL, NULL, NULL}};

/* Print the valid JSON 'n' bytes as one line, or as Field/Value rows. */
static int print_document(const cli_ctx *ctx, const char *s, size_t n, cli_error *e)
{
    if (ctx->output == CLI_OUT_TABLE) {
        json_t *doc = json_loadb(s, n, 0, NULL);
        json_t *items = json_object_get(doc, "Items");
        json_t *item = json_object_get(doc, "Item");
        cli_table t = {0};
        if (json_is_array(items) || json_is_object(item)) {
            size_t i;
            json_t *it;
            if (json_is_object(item))
                cli_table_add_item(&t, item);
            json_array_foreach(items, i, it)
            {
                if (json_is_object(it))
                    cli_table_add_item(&t, it);
            }
        } else {
            cli_leaves l = {0};
            if (cli_json_flatten(s, n, "", &l) == 0) {
                size_t cf = cli_table_col(&t, "Field"), cv = cli_table_col(&t, "Value");
                for (size_t i = 0; i < l.n; i++) {
                    cli_table_row(&t);
                    cli_table_set(&t, cf, ddb_xstrdup(l.v[i].path));
                    cli_table_set(&t, cv, ddb_xstrdup(l.v[i].text));
                }
            }
            cli_leaves_free(&l);
        }
        cli_table_print(&t, stdout);
        cli_table_free(&t);
        json_decref(doc);
        return DDB_OK;
    }
    ddb_buf line = DDB_BUF_INIT;
    if (cli_json_compact(s, n, &line, "the answer", e) != DDB_OK) {
        ddb_buf_free(&line);
        return DDB_ERR;
    }
    ddb_buf_putc(&line, '\n');
    fwrite(line.data, 1, line.len, stdout);
    ddb_buf_free(&line);
    return DDB_OK;
}

int cli_cmd_call(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    const char *op = a->pos[0];
    size_t oplen = strlen(op);
    if (oplen == 0 || oplen > 64 ||
        strspn(op, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "0123456789") != oplen)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "'%s' is not an operation name (e.g. ListTables, PutItem)", op);
    size_t len = 0;
    char *text = cli_read_source(a->n_pos > 1 ? a->pos[1] : "{}", &len, e);
    if (text == NULL)
        return DDB_ERR;
    ddb_buf body = DDB_BUF_INIT;
    cli_reply reply = {0};
    int rc = cli_json_compact(text, len, &body, "the request", e);
    if (rc == DDB_OK && body.data[0] != '{')
        rc = cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                      "the request must be a JSON object");
    if (rc == DDB_OK)
        rc = cli_dynamodb_raw(ctx, op, (const char *)body.data, body.len, &reply, e);
    if (rc == DDB_OK) {
        size_t pos = 0;
        const char *why;
        if (cli_json_skip(reply.body, reply.len, &pos, 0, &why) != 0)
            rc = cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                          "the answer to %s is not JSON: %s", op, why);
        else
            rc = print_document(ctx, reply.body, reply.len, e);
    }
    cli_reply_free(&reply);
    ddb_buf_free(&body);
    free(text);
    return rc;
}

int cli_cmd_whoami(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    static const char body[] = "Action=GetCallerIdentity&Version=2011-06-15";
    cli_reply reply = {0};
    if (cli_sts_raw(ctx, body, sizeof body - 1, &reply, e) != DDB_OK)
        return DDB_ERR;
    static const char *const fields[] = {"UserId", "Account", "Arn"};
    char *vals[3];
    int rc = DDB_OK;
    for (int i = 0; i < 3; i++) {
        vals[i] = cli_xml_text(reply.body, fields[i]);
        if (vals[i] == NULL)
            rc = cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                          "the GetCallerIdentity answer has no <%s>", fields[i]);
    }
    if (rc == DDB_OK && ctx->output == CLI_OUT_TABLE) {
        cli_table t = {0};
        cli_table_row(&t);
        for (int i = 0; i < 3; i++)
            cli_table_set(&t, cli_table_col(&t, fields[i]), ddb_xstrdup(vals[i]));
        cli_table_print(&t, stdout);
        cli_table_free(&t);
    } else if (rc == DDB_OK) {
        ddb_buf line = DDB_BUF_INIT;
        for (int i = 0; i < 3; i++) {
            ddb_buf_puts(&line, i == 0 ? "{" : ",");
            ddb_buf_json_string(&line, fields[i], strlen(fields[i]));
            ddb_buf_putc(&line, ':');
            ddb_buf_json_string(&line, vals[i], strlen(vals[i]));
        }
        ddb_buf_puts(&line, "}\n");
        fwrite(line.data, 1, line.len, stdout);
        ddb_buf_free(&line);
    }
    for (int i = 0; i < 3; i++)
        free(vals[i]);
    cli_reply_free(&reply);
    return rc;
}
