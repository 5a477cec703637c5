/* SPDX-License-Identifier: MIT
**
** dispatch.c -- one DynamoDB JSON request, end to end: parse the body, find
** the operation from X-Amz-Target, authenticate, type-check the request
** against the API model, call the handler, and serialise its reply or its
** ddb_error. The order of these steps is DynamoDB's (iam-and-sigv4.md §1),
** because each step has its own error.
*/
#include "emulator.h"
#include "shape.h"
#include "store.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static const ddb_op op_table[] = {
#define OP(name, fn, flags, action) {#name, fn, flags, action, -1},
#include "ops.def"
#undef OP
};
#define N_OPS (sizeof op_table / sizeof op_table[0])

static int op_shape[N_OPS];
static pthread_once_t shapes_once = PTHREAD_ONCE_INIT;

static void resolve_shapes(void)
{
    for (size_t i = 0; i < N_OPS; i++)
        op_shape[i] = ddb_shape_input(op_table[i].name);
}

const ddb_op *ddb_op_find(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPS; i++)
        if (strlen(op_table[i].name) == len && memcmp(op_table[i].name, name, len) == 0)
            return &op_table[i];
    return NULL;
}

/* The operation named by X-Amz-Target ("DynamoDB_20120810.PutItem"), or NULL. */
static const ddb_op *target_op(const char *target)
{
    if (target == NULL)
        return NULL;
    const char *dot = strchr(target, '.');
    if (dot == NULL || strchr(dot + 1, '.') != NULL)
        return NULL;
    size_t plen = (size_t)(dot - target);
    if (!(plen == 17 && memcmp(target, "DynamoDB_20120810", 17) == 0) &&
        !(plen == 17 && memcmp(target, "DynamoDB_20111205", 17) == 0))
        return NULL;
    return ddb_op_find(dot + 1, strlen(dot + 1));
}

static int error_reply(ddb_req *req, ddb_error *err, char **out_body, size_t *out_len)
{
    *out_body = ddb_err_body(err, out_len);
    int status = ddb_err_status(err->code == DDB_E_NONE ? DDB_E_INTERNAL : err->code);
    if (err->code == DDB_E_INTERNAL || err->code == DDB_E_NONE)
        ddb_log(DDB_LOG_ERROR, "%s %s: %s", req->request_id, req->op ? req->op->name : "-",
                err->message ? err->message : "internal error");
    else if (ddb_log_enabled(DDB_LOG_DEBUG))
        ddb_log(DDB_LOG_DEBUG, "%s %s -> %s: %s", req->request_id,
                req->op ? req->op->name : "-", ddb_err_name(err->code),
                err->message ? err->message : "");
    ddb_err_clear(err);
    return status;
}

/* Raw numbers travel through jansson as strings "\001ddbd-raw:TEXT\001NONCE",
** and after dumping each such quoted string becomes the bare TEXT. NONCE is
** 16 random hex digits drawn once per process and never sent, so a client's
** own string that imitates the marker (an item attribute, a tag value) cannot
** be unmarked into the reply's JSON; TEXT must also be a number. */
#define RAW_MARK "\001ddbd-raw:"
#define RAW_MARK_DUMPED "\"\\u0001ddbd-raw:"
#define RAW_END_DUMPED "\\u0001"

static char raw_nonce[17];
static pthread_once_t raw_once = PTHREAD_ONCE_INIT;

static void raw_nonce_init(void)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[8];
    ddb_random_bytes(b, sizeof b);
    for (size_t i = 0; i < sizeof b; i++) {
        raw_nonce[2 * i] = hex[b[i] >> 4];
        raw_nonce[2 * i + 1] = hex[b[i] & 15];
    }
    raw_nonce[16] = '\0';
}

json_t *ddb_json_raw_number(const char *text)
{
    pthread_once(&raw_once, raw_nonce_init);
    char *s = ddb_xasprintf(RAW_MARK "%s\001%s", text, raw_nonce);
    json_t *v = json_string(s);
    free(s);
    return v;
}

void ddb_java_double(double d, char *out, size_t cap)
{
    /* the shortest digit string that reads back as d */
    char buf[40];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    char digits[24];
    size_t nd = 0;
    const char *p = buf;
    int neg = *p == '-';
    if (neg)
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && nd < sizeof digits - 1)
            digits[nd++] = *p;
    digits[nd] = '\0';
    int exp = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = '\0';
    if (exp >= -3 && exp < 7) {
        /* plain notation with at least one fraction digit */
        char plain[64];
        size_t o = 0;
        if (exp < 0) {
            plain[o++] = '0';
            plain[o++] = '.';
            for (int i = -1; i > exp; i--)
                plain[o++] = '0';
            for (size_t i = 0; i < nd; i++)
                plain[o++] = digits[i];
        } else {
            for (int i = 0; i <= exp; i++)
                plain[o++] = (size_t)i < nd ? digits[i] : '0';
            plain[o++] = '.';
            if ((size_t)exp + 1 < nd)
                for (size_t i = (size_t)exp + 1; i < nd; i++)
                    plain[o++] = digits[i];
            else
                plain[o++] = '0';
        }
        plain[o] = '\0';
        snprintf(out, cap, "%s%s", neg ? "-" : "", plain);
    } else {
        snprintf(out, cap, "%s%c.%sE%d", neg ? "-" : "", digits[0], nd > 1 ? digits + 1 : "0",
                 exp);
    }
}

/* The bare number of a dumped marker string whose body (between the prefix
** and the closing quote) is 'body', or NULL: TEXT "\u0001" NONCE, with TEXT a
** number. Sets *len to TEXT's length. */
static const char *raw_text(const char *body, size_t n, size_t *len)
{
    size_t tail = strlen(RAW_END_DUMPED) + 16;
    if (n <= tail || memcmp(body + n - tail, RAW_END_DUMPED, strlen(RAW_END_DUMPED)) != 0 ||
        memcmp(body + n - 16, raw_nonce, 16) != 0)
        return NULL;
    *len = n - tail;
    for (size_t i = 0; i < *len; i++)
        if (strchr("0123456789.E-", body[i]) == NULL)
            return NULL;
    return body;
}

/* Replace every dumped raw marker "\u0001ddbd-raw:TEXT\u0001NONCE" (quotes
** included) by TEXT; anything else that starts like one is left as it is. */
static char *unmark_raw(char *s, size_t *len)
{
    if (strstr(s, RAW_MARK_DUMPED) == NULL)
        return s;
    pthread_once(&raw_once, raw_nonce_init);
    ddb_buf b = DDB_BUF_INIT;
    const char *p = s, *m;
    while ((m = strstr(p, RAW_MARK_DUMPED)) != NULL) {
        const char *body = m + strlen(RAW_MARK_DUMPED);
        const char *end = strchr(body, '"');
        if (end == NULL)
            end = body + strlen(body);
        size_t tlen = 0;
        const char *text = raw_text(body, (size_t)(end - body), &tlen);
        if (text != NULL) {
            ddb_buf_append(&b, p, (size_t)(m - p));
            ddb_buf_append(&b, text, tlen);
            p = *end ? end + 1 : end;
        } else {
            /* not ours: keep the text up to the marker's first byte and go on */
            ddb_buf_append(&b, p, (size_t)(m - p) + 1);
            p = m + 1;
        }
    }
    ddb_buf_puts(&b, p);
    free(s);
    return ddb_buf_steal(&b, len);
}

/*
** Memory. A parsed JSON document costs far more than its text: 16 MiB of
** "[{},{},...]" is 5.6 million jansson objects, over a gigabyte. Before
** parsing, a linear scan estimates the cost (bytes plus a per-value overhead
** measured on jansson and glibc); a body estimated above MAX_PARSE_COST is
** refused as unparseable, and requests above HEAVY_COST run one at a time
** and give their memory back to the system when done. Legitimate requests
** stay far below: the largest BatchWriteItem (25 items of 400 KB, in the
** smallest attributes that fit) is estimated at about 350 MiB.
*/
#define MAX_PARSE_COST ((size_t)512 << 20)
#define HEAVY_COST ((size_t)32 << 20)

static pthread_mutex_t heavy_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t parse_cost(const unsigned char *p, size_t n)
{
    size_t cost = n;
    int in_str = 0, in_num = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        int num = (c >= '0' && c <= '9') || c == '-';
        switch (c) {
            case '"': in_str = 1; cost += 80; break;  /* a string or a key */
            case '{': cost += 240; break;             /* object and its hash table */
            case '[': cost += 96; break;
            default:
                if (num && !in_num)
                    cost += 64;
                break;
        }
        in_num = num || (in_num && (c == '.' || c == 'e' || c == 'E' || c == '+'));
    }
    return cost;
}

static int dispatch(ddb_req *req, char **out_body, size_t *out_len);

int ddb_dispatch(ddb_req *req, char **out_body, size_t *out_len, const char **out_type)
{
    *out_type = req->json_content ? "application/json" : "application/x-amz-json-1.0";
    size_t cost = parse_cost(req->body.data, req->body.len);
    if (cost > MAX_PARSE_COST) {
        ddb_error err = DDB_ERROR_INIT;
        ddb_log(DDB_LOG_DEBUG, "%s: a %zu-byte body would take about %zu MiB parsed; refused",
                req->request_id, req->body.len, cost >> 20);
        ddb_err_bare(&err, DDB_E_SERIALIZATION);
        return error_reply(req, &err, out_body, out_len);
    }
    if (cost <= HEAVY_COST)
        return dispatch(req, out_body, out_len);
    pthread_mutex_lock(&heavy_lock);
    int status = dispatch(req, out_body, out_len);
    json_decref(req->in);
    req->in = NULL;
    json_decref(req->out);
    req->out = NULL;
    malloc_trim(0);
    pthread_mutex_unlock(&heavy_lock);
    return status;
}

static int dispatch(ddb_req *req, char **out_body, size_t *out_len)
{
    ddb_error err = DDB_ERROR_INIT;
    pthread_once(&shapes_once, resolve_shapes);

    /* 1. the body must be JSON (checked before the target) */
    if (req->body.len > 0) {
        json_error_t jerr;
        req->in = json_loadb((const char *)req->body.data, req->body.len, JSON_ALLOW_NUL,
                             &jerr);
        if (req->in == NULL) {
            ddb_err_bare(&err, DDB_E_SERIALIZATION);
            return error_reply(req, &err, out_body, out_len);
        }
    }
    /* 2. the operation */
    req->op = target_op(ddb_req_header(req, "X-Amz-Target"));
    if (req->op == NULL) {
        ddb_err_bare(&err, DDB_E_UNKNOWN_OPERATION);
        return error_reply(req, &err, out_body, out_len);
    }
    /* 3. authentication */
    if (ddb_auth_check(req, "dynamodb", &err) != DDB_OK)
        return error_reply(req, &err, out_body, out_len);
    /* 4. an empty body, or JSON that is not an object, cannot be deserialized */
    if (req->in == NULL || !json_is_object(req->in)) {
        if (req->in != NULL && json_is_array(req->in))
            ddb_err_set(&err, DDB_E_SERIALIZATION, "Unrecognized collection type class "
                        "com.amazonaws.dynamodb.v20120810.%sInput", req->op->name);
        else if (req->in != NULL)
            ddb_err_set(&err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
        else
            ddb_err_bare(&err, DDB_E_SERIALIZATION);
        return error_reply(req, &err, out_body, out_len);
    }
    /* 5. types, as the deserializer sees them */
    size_t opi = (size_t)(req->op - op_table);
    if (ddb_shape_check(op_shape[opi], req->in, &err) != DDB_OK)
        return error_reply(req, &err, out_body, out_len);
    /* 6. the operation itself: validation, authorization, execution */
    int rc = req->op->fn(req, &err);
    if (ddb_store_write_abandon(req->srv->store)) {
        /* a handler bug; without this every later write would wait forever */
        ddb_err_clear(&err);
        ddb_err_set(&err, DDB_E_INTERNAL, "%s left a write transaction open; rolled back",
                    req->op->name);
        return error_reply(req, &err, out_body, out_len);
    }
    if (rc != DDB_OK || ddb_err_isset(&err))
        return error_reply(req, &err, out_body, out_len);

    if (req->out_raw.data != NULL) {
        *out_body = ddb_buf_steal(&req->out_raw, out_len);
    } else {
        json_t *out = req->out ? req->out : json_object();
        *out_body = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(17));
        if (out != req->out)
            json_decref(out);
        *out_len = strlen(*out_body);
        *out_body = unmark_raw(*out_body, out_len);
    }
    return 200;
}
