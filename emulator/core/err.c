/* SPDX-License-Identifier: MIT
**
** err.c -- the error table (ddb_errors.def) and ddb_error recording and
** serialization. Handlers record errors; only the HTTP layer sends them.
*/
#include "ddb_error.h"
#include "ddb_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *type;
    int status;
    ddb_msgkey key;
} err_table[DDB_E__COUNT] = {
    [DDB_E_NONE] = {"com.amazonaws.dynamodb.v20120810#InternalServerError", 500, DDB_MSG_LOWER},
#define DDB_ERRDEF(code, type, status, key) [code] = {type, status, key},
#include "ddb_errors.def"
#undef DDB_ERRDEF
};

int ddb_err_vset(ddb_error *err, ddb_errcode code, const char *fmt, va_list ap)
{
    if (err == NULL || err->code != DDB_E_NONE)
        return DDB_ERR;
    err->code = code;
    free(err->message);
    err->message = NULL;
    if (fmt != NULL && vasprintf(&err->message, fmt, ap) < 0)
        abort();
    return DDB_ERR;
}

int ddb_err_set(ddb_error *err, ddb_errcode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ddb_err_vset(err, code, fmt, ap);
    va_end(ap);
    return DDB_ERR;
}

int ddb_err_bare(ddb_error *err, ddb_errcode code)
{
    va_list ap; /* unused: fmt is NULL */
    memset(&ap, 0, sizeof ap);
    return ddb_err_vset(err, code, NULL, ap);
}

void ddb_err_clear(ddb_error *err)
{
    if (err == NULL)
        return;
    free(err->message);
    json_decref(err->extra);
    err->message = NULL;
    err->extra = NULL;
    err->code = DDB_E_NONE;
}

const char *ddb_err_type(ddb_errcode code)
{
    return code < DDB_E__COUNT ? err_table[code].type : err_table[DDB_E_INTERNAL].type;
}

int ddb_err_status(ddb_errcode code)
{
    return code < DDB_E__COUNT ? err_table[code].status : 500;
}

ddb_msgkey ddb_err_msgkey(ddb_errcode code)
{
    return code < DDB_E__COUNT ? err_table[code].key : DDB_MSG_LOWER;
}

const char *ddb_err_name(ddb_errcode code)
{
    const char *t = ddb_err_type(code);
    const char *h = strchr(t, '#');
    return h ? h + 1 : t;
}

static void put_extra(ddb_buf *b, json_t *extra)
{
    const char *k;
    json_t *v;
    json_object_foreach(extra, k, v) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        ddb_buf_putc(b, ',');
        ddb_buf_json_string(b, k, strlen(k));
        ddb_buf_putc(b, ':');
        ddb_buf_puts(b, s);
        free(s);
    }
}

char *ddb_err_body(const ddb_error *err, size_t *out_len)
{
    ddb_buf b = DDB_BUF_INIT;
    ddb_errcode code = err->code == DDB_E_NONE ? DDB_E_INTERNAL : err->code;
    const char *type = ddb_err_type(code);
    ddb_buf_puts(&b, "{\"__type\":");
    ddb_buf_json_string(&b, type, strlen(type));
    /* TransactionCanceledException sends CancellationReasons before its
    ** Message; the others (ConditionalCheckFailedException's Item, the
    ** throttling reasons) follow the message. */
    int extra_first = code == DDB_E_TRANSACTION_CANCELED;
    if (extra_first)
        put_extra(&b, err->extra);
    if (err->message != NULL && err->message[0] != '\0') {
        ddb_buf_puts(&b, ddb_err_msgkey(code) == DDB_MSG_UPPER ? ",\"Message\":" : ",\"message\":");
        ddb_buf_json_string(&b, err->message, strlen(err->message));
    }
    if (!extra_first)
        put_extra(&b, err->extra);
    ddb_buf_putc(&b, '}');
    return ddb_buf_steal(&b, out_len);
}
