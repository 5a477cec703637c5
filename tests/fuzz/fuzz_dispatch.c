/* SPDX-License-Identifier: MIT
**
** fuzz_dispatch.c -- libFuzzer target for the whole request handler, in
** process: a ddb_server with a store and catalog (no HTTP), and ddb_dispatch
** called on fuzzed (X-Amz-Target, body) pairs with a proper SigV4 signature,
** as libmicrohttpd would hand them over. Every emulator source except http.c
** and main.c is linked; this file stands in for http.c's request accessors
** (ddb_req_header, ddb_req_headers, ddb_req_client_ip), so the production
** code carries no test hook.
**
** Input: byte 0 picks the caller ('0' open mode as the account root, '1'
** enforcing mode as the workshop tenant workshop_000, '2' as reader_000,
** '3' as the organizer; other values modulo 4). The rest is up to 16 records
** separated by the byte 0x1E; a record is a header line and a body:
**     Target [region]\n
**     body...
** Target is an operation name ("PutItem"), a full X-Amz-Target (anything with
** a '.'), "-" for no X-Amz-Target, "sts" for the STS query protocol, or a
** path under /_ddbd/ for the admin endpoints (GET, or POST with a body). The
** region defaults to us-east-1.
**
** Every input starts from the same database (a template copied per input):
** in us-east-1 the tables tab (S hash + S range, a GSI gsi with ALL and an LSI
** lsi with KEYS_ONLY), hsh (N hash, GSI gix KEYS_ONLY on a binary key), the workshop's
** WorkshopShared (GSI1) with items of tenants t-000 and t-001, and the
** personal tables ws-att-000 and ws-att-001; in eu-west-1 a table tab and a
** WorkshopShared. Items of other tenants and of the other region carry
** marker strings.
**
** Oracles besides the sanitizers (abort() when broken):
**   - no reply is a 500 (InternalServerError): every input is the client's
**     error or a success;
**   - a DynamoDB reply is JSON, and an error reply has a __type;
**   - tenant isolation: a tenant's reply never holds another tenant's marker
**     (nor any reply another region's marker), unless the input itself
**     carries that text (the admin endpoints are exempt: metadata only);
**   - a tenant's writes never change another tenant's items or table;
**   - after the records, every index of every us-east-1 table holds exactly
**     the projections of the base items that have its key attributes, and
**     DescribeTable's ItemCount matches the items scanned.
**
** Build and run: `make fuzz` (all targets), or `make fuzz-build` then
**   build/fuzz/fuzz_dispatch -dict=fixtures/fuzz/dispatch/dispatch.dict \
**       /tmp/dispatch-corpus fixtures/fuzz/dispatch
** DDB_FUZZ_VERBOSE=1 prints every request and reply (for reproducing);
** DDB_FUZZ_SKIP_LEAK_OPS=Scan,Query turns the isolation oracle off for those
** operations (to explore further while a known hole is being fixed).
*/
#include "catalog.h"
#include "emulator.h"
#include "ddb_principals.h"
#include "store.h"
#include "throughput.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef DDB_FUZZ_PRINCIPALS
#define DDB_FUZZ_PRINCIPALS "policies/principals.json"
#endif

#define REGION_B "us-east-1"  /* where requests go by default */
#define REGION_A "eu-west-1"  /* the other region */
#define MARK_T001 "zqMARKt001q"   /* tenant t-001's items in WorkshopShared */
#define MARK_ATT1 "zqMARKatt001q" /* attendee 001's personal table */
#define MARK_REGA "zqMARKregAq"   /* everything in eu-west-1 */
#define MAX_RECORDS 16

/*---- the stand-in for http.c's request accessors ----*/

struct MHD_Connection {
    ddb_sigv4_header h[8];
    size_t n;
};

const char *ddb_req_header(ddb_req *req, const char *name)
{
    const struct MHD_Connection *c = req->conn;
    for (size_t i = 0; i < c->n; i++)
        if (strcasecmp(c->h[i].name, name) == 0)
            return c->h[i].value;
    return NULL;
}

int ddb_req_client_ip(ddb_req *req, char *out, size_t cap)
{
    (void)req;
    snprintf(out, cap, "127.0.0.1");
    return 0;
}

ddb_sigv4_header *ddb_req_headers(ddb_req *req, size_t *out_n)
{
    const struct MHD_Connection *c = req->conn;
    ddb_sigv4_header *v = ddb_xmalloc((c->n ? c->n : 1) * sizeof *v);
    memcpy(v, c->h, c->n * sizeof *v);
    *out_n = c->n;
    return v;
}

/*---- the server ----*/

static ddb_server srv;
static ddb_principals *principals;
static char dir[256], template_db[300], work_db[300];
static int verbose;
static const char *skip_leak_ops;

static void die(const char *what, const ddb_error *err)
{
    fprintf(stderr, "fuzz_dispatch: %s: %s\n", what, err && err->message ? err->message : "");
    abort();
}

static void server_open(const char *db, int enforcing)
{
    memset(&srv, 0, sizeof srv);
    srv.cfg = (ddb_config){
        .host = "127.0.0.1",
        .port = 8000,
        .db_path = db,
        .account_id = "123456789012",
        .threads = 1,
        .cache_kib = 2048,
        .log_level = DDB_LOG_ERROR,
        .throttling = 0,
        .burst_seconds = -1,
        .adaptive = 1,
    };
    srv.bound_port = 8000;
    srv.started = ddb_now();
    srv.principals = enforcing ? principals : NULL;
    ddb_error err = DDB_ERROR_INIT;
    srv.store = ddb_store_open(db, 0, srv.cfg.cache_kib, &err);
    if (srv.store == NULL)
        die("store", &err);
    srv.tput = ddb_tput_new(&srv.cfg);
    srv.catalog = ddb_catalog_open(srv.store, &err);
    if (srv.catalog == NULL)
        die("catalog", &err);
}

static void server_close(void)
{
    ddb_catalog_close(srv.catalog);
    ddb_store_close(srv.store);
    ddb_tput_free(srv.tput);
    memset(&srv, 0, sizeof srv);
}

/* The caller of a request: a principal (enforcing mode) or NULL (open). */
typedef struct reply {
    int status;
    char *body;
    size_t len;
} reply;

enum { K_DYNAMO, K_STS, K_ADMIN };

static void amz_now(char out[17])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* One request through the handler. 'target' is the full X-Amz-Target or NULL. */
static reply request(int kind, const char *target, const char *region, const ddb_principal *p,
                     const char *body, size_t len)
{
    struct MHD_Connection conn;
    char date[17];
    amz_now(date);
    memset(&conn, 0, sizeof conn);
    const char *ctype = kind == K_STS ? "application/x-www-form-urlencoded; charset=utf-8"
                                      : "application/x-amz-json-1.0";
    conn.h[conn.n++] = (ddb_sigv4_header){"Host", 4, "127.0.0.1:8000", 14};
    conn.h[conn.n++] = (ddb_sigv4_header){"X-Amz-Date", 10, date, 16};
    conn.h[conn.n++] = (ddb_sigv4_header){"Content-Type", 12, ctype, strlen(ctype)};
    if (target != NULL)
        conn.h[conn.n++] = (ddb_sigv4_header){"X-Amz-Target", 12, target, strlen(target)};
    if (p != NULL && p->session_token != NULL)
        conn.h[conn.n++] = (ddb_sigv4_header){"X-Amz-Security-Token", 20, p->session_token,
                                              strlen(p->session_token)};
    ddb_sigv4_request sr = {"POST", "/", NULL, conn.h, conn.n, (const unsigned char *)body, len};
    char *authz = ddb_sigv4_sign(&sr, p ? p->access_key_id : "AKIDEXAMPLE",
                                 p ? p->secret : "secret", region,
                                 kind == K_STS ? "sts" : "dynamodb", date);
    conn.h[conn.n++] = (ddb_sigv4_header){"Authorization", 13, authz, strlen(authz)};

    ddb_req *req = ddb_xcalloc(1, sizeof *req);
    req->srv = &srv;
    req->conn = &conn;
    req->uri = ddb_xstrdup("/");
    req->method = "POST";
    ddb_request_id(req->request_id);
    ddb_buf_append(&req->body, body, len);
    if (len == 0)
        ddb_buf_reserve(&req->body, 1);

    reply r = {0, NULL, 0};
    const char *out_type = NULL;
    if (kind == K_STS) {
        r.status = ddb_sts_handle(req, &r.body, &r.len);
    } else {
        r.status = ddb_dispatch(req, &r.body, &r.len, &out_type);
    }
    free(req->uri);
    ddb_buf_free(&req->body);
    json_decref(req->in);
    json_decref(req->out);
    ddb_buf_free(&req->out_raw);
    free(req);
    free(authz);
    return r;
}

static reply admin(const char *path_query, const char *body, size_t len)
{
    struct MHD_Connection conn;
    memset(&conn, 0, sizeof conn);
    conn.h[conn.n++] = (ddb_sigv4_header){"Host", 4, "127.0.0.1:8000", 14};
    ddb_req *req = ddb_xcalloc(1, sizeof *req);
    req->srv = &srv;
    req->conn = &conn;
    req->uri = ddb_xstrdup(path_query);
    req->method = len > 0 ? "POST" : "GET";
    ddb_request_id(req->request_id);
    ddb_buf_append(&req->body, body, len);
    char *path = ddb_xstrdup(path_query);
    char *q = strchr(path, '?');
    if (q != NULL)
        *q++ = '\0';
    reply r = {0, NULL, 0};
    const char *ctype = NULL;
    r.status = ddb_admin_handle(req, req->method, path, q ? q : "", &r.body, &r.len, &ctype);
    free(path);
    free(req->uri);
    ddb_buf_free(&req->body);
    json_decref(req->in);
    json_decref(req->out);
    ddb_buf_free(&req->out_raw);
    free(req);
    return r;
}

/* CreateTable's status deadline is its millisecond-rounded timestamp, up to
** 0.5 ms ahead of the clock: a table is CREATING (ResourceNotFoundException
** for items) that long after the reply (reported against tables.c). Seeding
** waits it out rather than fail at random. */
static void settle(void)
{
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* A request that must succeed (seeding, oracles). Returns the parsed reply. */
static json_t *must(const char *op, const char *region, const ddb_principal *p, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
static json_t *must(const char *op, const char *region, const ddb_principal *p, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *body = NULL;
    if (vasprintf(&body, fmt, ap) < 0)
        abort();
    va_end(ap);
    char target[64];
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", op);
    reply r = request(K_DYNAMO, target, region, p, body, strlen(body));
    if (r.status != 200) {
        fprintf(stderr, "fuzz_dispatch: %s %s -> %d %.*s\n", op, body, r.status, (int)r.len,
                r.body);
        abort();
    }
    free(body);
    json_error_t jerr;
    json_t *v = json_loadb(r.body, r.len, JSON_ALLOW_NUL, &jerr);
    free(r.body);
    if (v == NULL)
        die("a seeding or oracle reply is not JSON", NULL);
    return v;
}

/*---- the template database ----*/

static void seed_region(const char *region, int other)
{
    json_decref(must("CreateTable", region, NULL,
        "{\"TableName\":\"tab\",\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"AttributeDefinitions\":[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"GA\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"GB\",\"AttributeType\":\"N\"},"
        "{\"AttributeName\":\"LS\",\"AttributeType\":\"N\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
        "{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":["
        "{\"AttributeName\":\"GA\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"GB\",\"KeyType\":"
        "\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
        "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":["
        "{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"LS\",\"KeyType\":"
        "\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}"));
    settle();
    json_decref(must("CreateTable", region, NULL,
        "{\"TableName\":\"WorkshopShared\",\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"AttributeDefinitions\":[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"SK\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"GSI1PK\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"GSI1SK\",\"AttributeType\":\"S\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
        "{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"GSI1\",\"KeySchema\":["
        "{\"AttributeName\":\"GSI1PK\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"GSI1SK\","
        "\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}"));
    settle();
    const char *where = other ? MARK_REGA : "here";
    for (int i = 0; i < 4; i++) {
        json_decref(must("PutItem", region, NULL,
            "{\"TableName\":\"tab\",\"Item\":{\"PK\":{\"S\":\"p%d\"},\"SK\":{\"S\":\"s%d\"},"
            "\"GA\":{\"S\":\"ga%d\"},\"GB\":{\"N\":\"%d\"},\"LS\":{\"N\":\"%d\"},"
            "\"n\":{\"N\":\"%d\"},\"where\":{\"S\":\"%s\"},\"l\":{\"L\":[{\"S\":\"x\"}]},"
            "\"m\":{\"M\":{\"k\":{\"SS\":[\"a\",\"b\"]}}}}}",
            i % 2, i, i % 3, i, 10 - i, i, where));
    }
    for (int tenant = 0; tenant < 2; tenant++) {
        const char *tm = tenant ? MARK_T001 : "mine";
        for (int i = 0; i < 3; i++)
            json_decref(must("PutItem", region, NULL,
                "{\"TableName\":\"WorkshopShared\",\"Item\":{"
                "\"PK\":{\"S\":\"TENANT#t-00%d#USER#%d\"},\"SK\":{\"S\":\"PROFILE#%d\"},"
                "\"GSI1PK\":{\"S\":\"TENANT#t-00%d#EMAIL\"},\"GSI1SK\":{\"S\":\"u%d@x\"},"
                "\"secret\":{\"S\":\"%s\"},\"where\":{\"S\":\"%s\"},\"n\":{\"N\":\"%d\"}}}",
                tenant, i, i, tenant, i, tm, where, i));
    }
    if (other)
        return;
    json_decref(must("CreateTable", region, NULL,
        "{\"TableName\":\"hsh\",\"BillingMode\":\"PROVISIONED\","
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5},"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"},"
        "{\"AttributeName\":\"x\",\"AttributeType\":\"B\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gix\",\"KeySchema\":["
        "{\"AttributeName\":\"x\",\"KeyType\":\"HASH\"}],"
        "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},"
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5}}]}"));
    settle();
    json_decref(must("PutItem", region, NULL,
        "{\"TableName\":\"hsh\",\"Item\":{\"id\":{\"N\":\"1\"},\"x\":{\"B\":\"AAE=\"},"
        "\"bs\":{\"BS\":[\"AQ==\"]},\"ns\":{\"NS\":[\"1\",\"2.5\"]}}}"));
    for (int att = 0; att < 2; att++) {
        json_decref(must("CreateTable", region, NULL,
            "{\"TableName\":\"ws-att-00%d\",\"BillingMode\":\"PAY_PER_REQUEST\","
            "\"AttributeDefinitions\":[{\"AttributeName\":\"PK\",\"AttributeType\":\"S\"}],"
            "\"KeySchema\":[{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"}]}", att));
        settle();
        json_decref(must("PutItem", region, NULL,
            "{\"TableName\":\"ws-att-00%d\",\"Item\":{\"PK\":{\"S\":\"k\"},"
            "\"secret\":{\"S\":\"%s\"}}}", att, att ? MARK_ATT1 : "mine"));
    }
}

static void copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0)
        die("cannot copy the template database", NULL);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            die("cannot copy the template database", NULL);
    close(in);
    close(out);
}

static void remove_db(const char *path)
{
    char p[320];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static void cleanup(void)
{
    remove_db(template_db);
    remove_db(work_db);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    verbose = getenv("DDB_FUZZ_VERBOSE") != NULL;
    skip_leak_ops = getenv("DDB_FUZZ_SKIP_LEAK_OPS");
    ddb_log_set_level(verbose ? DDB_LOG_DEBUG : DDB_LOG_ERROR);
    ddb_json_use_xalloc();
    ddb_error err = DDB_ERROR_INIT;
    principals = ddb_principals_load(DDB_FUZZ_PRINCIPALS, &err);
    if (principals == NULL)
        die("cannot load " DDB_FUZZ_PRINCIPALS " (run from the repository root)", &err);
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/ddbd-fuzz-%ld", base, (long)getpid());
    mkdir(dir, 0700);
    snprintf(template_db, sizeof template_db, "%s/template.sqlite3", dir);
    snprintf(work_db, sizeof work_db, "%s/work.sqlite3", dir);
    atexit(cleanup);
    remove_db(template_db);
    server_open(template_db, 0);
    seed_region(REGION_B, 0);
    seed_region(REGION_A, 1);
    server_close(); /* checkpoints the WAL into the file */
    return 0;
}

/*---- oracles ----*/

static const ddb_principal *principal_named(const char *user)
{
    for (size_t i = 0; i < principals->n; i++) {
        const char *a = principals->v[i].arn;
        size_t la = strlen(a), lu = strlen(user);
        if (la > lu && strcmp(a + la - lu, user) == 0 && a[la - lu - 1] == '/')
            return &principals->v[i];
    }
    die("principal missing from " DDB_FUZZ_PRINCIPALS, NULL);
    return NULL;
}

static int contains(const char *hay, size_t n, const char *needle)
{
    return n > 0 && memmem(hay, n, needle, strlen(needle)) != NULL;
}

/* 1 when the operation of 'target' is listed in DDB_FUZZ_SKIP_LEAK_OPS. */
static int leak_check_skipped(const char *target)
{
    if (skip_leak_ops == NULL || target == NULL)
        return 0;
    const char *op = strrchr(target, '.');
    op = op ? op + 1 : target;
    size_t n = strlen(op);
    for (const char *s = skip_leak_ops; *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == n && memcmp(s, op, n) == 0)
            return 1;
        s += len + (comma != NULL);
    }
    return 0;
}

static void check_reply(const reply *r, int kind, const char *target, int mode,
                        const char *region, const uint8_t *data, size_t size, const char *rec,
                        size_t rec_len)
{
    if (r->status == 500 || r->status < 200 || r->status > 599) {
        fprintf(stderr, "fuzz_dispatch: status %d for record:\n%.*s\nreply: %.*s\n", r->status,
                (int)rec_len, rec, (int)r->len, r->body ? r->body : "");
        abort();
    }
    if (kind == K_DYNAMO) {
        json_error_t jerr;
        json_t *v = json_loadb(r->body, r->len, JSON_ALLOW_NUL, &jerr);
        if (v == NULL || !json_is_object(v)) {
            fprintf(stderr, "fuzz_dispatch: reply is not a JSON object: %.*s\n", (int)r->len,
                    r->body);
            abort();
        }
        if (r->status != 200 && !json_is_string(json_object_get(v, "__type"))) {
            fprintf(stderr, "fuzz_dispatch: error reply without __type: %.*s\n", (int)r->len,
                    r->body);
            abort();
        }
        json_decref(v);
    }
    /* The admin endpoints are metadata for the organizer (no item data) and
    ** /_ddbd/decisions remembers earlier inputs: no isolation claim there. */
    if (kind == K_ADMIN)
        return;
    const char *leak = NULL;
    if (strcmp(region, REGION_A) != 0 && contains(r->body, r->len, MARK_REGA))
        leak = MARK_REGA;
    if ((mode == 1 || mode == 2) && contains(r->body, r->len, MARK_T001))
        leak = MARK_T001;
    if ((mode == 1 || mode == 2) && contains(r->body, r->len, MARK_ATT1))
        leak = MARK_ATT1;
    if (leak != NULL && memmem(data, size, leak, strlen(leak)) == NULL &&
        !leak_check_skipped(target)) {
        fprintf(stderr, "fuzz_dispatch: another tenant's data (%s) in a reply to mode %d, "
                        "region %s:\nrecord: %.*s\nreply: %.*s\n",
                leak, mode, region, (int)rec_len, rec, (int)r->len, r->body);
        abort();
    }
}

/* All items of a table or index, by Scan (every page). New array. */
static json_t *scan_all(const char *table, const char *index, const ddb_principal *p)
{
    json_t *items = json_array();
    json_t *start = NULL;
    for (int page = 0; page < 100; page++) {
        json_t *body = json_pack("{s:s}", "TableName", table);
        if (index)
            json_object_set_new(body, "IndexName", json_string(index));
        if (start)
            json_object_set(body, "ExclusiveStartKey", start);
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        json_t *out = must("Scan", REGION_B, p, "%s", text);
        free(text);
        json_array_extend(items, json_object_get(out, "Items"));
        json_decref(start);
        start = json_incref(json_object_get(out, "LastEvaluatedKey"));
        json_decref(out);
        if (start == NULL)
            return items;
    }
    die("Scan does not end", NULL);
    return NULL;
}

static const char *key_attr(json_t *key_schema, const char *type)
{
    size_t i;
    json_t *e;
    json_array_foreach(key_schema, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "KeyType")), type) == 0)
            return json_string_value(json_object_get(e, "AttributeName"));
    }
    return NULL;
}

static const char *attr_type(json_t *defs, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(defs, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "AttributeName")), name) == 0)
            return json_string_value(json_object_get(e, "AttributeType"));
    }
    return "";
}

/* The primary key of 'item' as text, for matching index entries to items. */
static char *key_text(json_t *item, const char *hk, const char *rk)
{
    json_t *k = json_object();
    json_object_set(k, hk, json_object_get(item, hk));
    if (rk)
        json_object_set(k, rk, json_object_get(item, rk));
    char *s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(k);
    return s;
}

/* The entry 'item' should have in 'index', or NULL when it is not in it. */
static json_t *projection(json_t *item, json_t *index, json_t *defs, const char *hk,
                          const char *rk)
{
    json_t *ks = json_object_get(index, "KeySchema");
    const char *ih = key_attr(ks, "HASH"), *ir = key_attr(ks, "RANGE");
    for (int i = 0; i < 2; i++) {
        const char *a = i ? ir : ih;
        if (a == NULL)
            continue;
        json_t *v = json_object_get(item, a);
        if (v == NULL || json_object_get(v, attr_type(defs, a)) == NULL)
            return NULL;
    }
    json_t *proj = json_object_get(index, "Projection");
    const char *pt = json_string_value(json_object_get(proj, "ProjectionType"));
    if (pt && strcmp(pt, "ALL") == 0)
        return json_deep_copy(item);
    json_t *out = json_object();
    const char *keys[4] = {hk, rk, ih, ir};
    for (int i = 0; i < 4; i++)
        if (keys[i] && json_object_get(item, keys[i]))
            json_object_set(out, keys[i], json_object_get(item, keys[i]));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(proj, "NonKeyAttributes"), i, e) {
        json_t *v = json_object_get(item, json_string_value(e));
        if (v)
            json_object_set(out, json_string_value(e), v);
    }
    return out;
}

static void check_index(const char *table, json_t *index, json_t *items, json_t *defs,
                        const char *hk, const char *rk, const ddb_principal *p)
{
    const char *iname = json_string_value(json_object_get(index, "IndexName"));
    const char *status = json_string_value(json_object_get(index, "IndexStatus"));
    if (iname == NULL || (status && strcmp(status, "ACTIVE") != 0))
        return;
    json_t *entries = scan_all(table, iname, p);
    json_t *want = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) {
        json_t *pr = projection(e, index, defs, hk, rk);
        if (pr) {
            char *k = key_text(e, hk, rk);
            json_object_set_new(want, k, pr);
            free(k);
        }
    }
    int bad = json_array_size(entries) != json_object_size(want);
    json_array_foreach(entries, i, e) {
        char *k = key_text(e, hk, rk);
        json_t *w = json_object_get(want, k);
        if (w == NULL || !json_equal(w, e)) {
            char *s = json_dumps(e, JSON_COMPACT);
            char *ws = w ? json_dumps(w, JSON_COMPACT) : NULL;
            fprintf(stderr, "fuzz_dispatch: index %s/%s entry %s\n  want %s\n", table, iname, s,
                    ws ? ws : "(no such item)");
            free(s);
            free(ws);
            bad = 1;
        }
        free(k);
    }
    if (bad) {
        fprintf(stderr, "fuzz_dispatch: index %s/%s has %zu entries for %zu items with its keys\n",
                table, iname, json_array_size(entries), json_object_size(want));
        abort();
    }
    json_decref(want);
    json_decref(entries);
}

/* Every index of every table in REGION_B matches its base table. */
static void check_consistency(const ddb_principal *p)
{
    json_t *list = must("ListTables", REGION_B, p, "{}");
    size_t ti;
    json_t *tn;
    json_array_foreach(json_object_get(list, "TableNames"), ti, tn) {
        if (ti >= 12)
            break;
        const char *table = json_string_value(tn);
        json_t *body = json_pack("{s:s}", "TableName", table);
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        json_t *d = must("DescribeTable", REGION_B, p, "%s", text);
        free(text);
        json_t *t = json_object_get(d, "Table");
        const char *status = json_string_value(json_object_get(t, "TableStatus"));
        if (status == NULL || strcmp(status, "ACTIVE") != 0) {
            json_decref(d);
            continue;
        }
        json_t *ks = json_object_get(t, "KeySchema"), *defs = json_object_get(t, "AttributeDefinitions");
        const char *hk = key_attr(ks, "HASH"), *rk = key_attr(ks, "RANGE");
        json_t *items = scan_all(table, NULL, p);
        json_int_t count = json_integer_value(json_object_get(t, "ItemCount"));
        if ((size_t)count != json_array_size(items)) {
            fprintf(stderr, "fuzz_dispatch: %s: ItemCount %lld, %zu items scanned\n", table,
                    (long long)count, json_array_size(items));
            abort();
        }
        const char *kinds[2] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
        for (int k = 0; k < 2; k++) {
            size_t i;
            json_t *ix;
            json_array_foreach(json_object_get(t, kinds[k]), i, ix)
                check_index(table, ix, items, defs, hk, rk, p);
        }
        json_decref(items);
        json_decref(d);
    }
    json_decref(list);
}

/* A tenant's requests never change another tenant's data: t-001's items in
** WorkshopShared and attendee 001's personal table are as seeded. */
static void check_untouched(const ddb_principal *admin_p)
{
    char want[512];
    for (int i = 0; i < 3; i++) {
        json_t *out = must("GetItem", REGION_B, admin_p,
                           "{\"TableName\":\"WorkshopShared\",\"ConsistentRead\":true,\"Key\":{"
                           "\"PK\":{\"S\":\"TENANT#t-001#USER#%d\"},\"SK\":{\"S\":\"PROFILE#%d\"}}}",
                           i, i);
        snprintf(want, sizeof want,
                 "{\"PK\":{\"S\":\"TENANT#t-001#USER#%d\"},\"SK\":{\"S\":\"PROFILE#%d\"},"
                 "\"GSI1PK\":{\"S\":\"TENANT#t-001#EMAIL\"},\"GSI1SK\":{\"S\":\"u%d@x\"},"
                 "\"secret\":{\"S\":\"" MARK_T001 "\"},\"where\":{\"S\":\"here\"},"
                 "\"n\":{\"N\":\"%d\"}}", i, i, i, i);
        json_t *w = json_loads(want, 0, NULL);
        if (!json_equal(json_object_get(out, "Item"), w)) {
            char *got = json_dumps(out, JSON_COMPACT);
            fprintf(stderr, "fuzz_dispatch: a tenant changed tenant t-001's item %d: %s\n", i, got);
            abort();
        }
        json_decref(w);
        json_decref(out);
    }
    json_t *list = must("ListTables", REGION_B, admin_p, "{}");
    int found = 0;
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(list, "TableNames"), i, n)
        found |= strcmp(json_string_value(n), "ws-att-001") == 0;
    json_decref(list);
    if (!found) {
        fprintf(stderr, "fuzz_dispatch: a tenant deleted attendee 001's table\n");
        abort();
    }
    json_t *out = must("Scan", REGION_B, admin_p, "{\"TableName\":\"ws-att-001\"}");
    json_t *w = json_pack("[{s:{s:s},s:{s:s}}]", "PK", "S", "k", "secret", "S", MARK_ATT1);
    if (!json_equal(json_object_get(out, "Items"), w)) {
        char *got = json_dumps(out, JSON_COMPACT);
        fprintf(stderr, "fuzz_dispatch: a tenant changed attendee 001's table: %s\n", got);
        abort();
    }
    json_decref(w);
    json_decref(out);
}

/*---- the target ----*/

static int is_write(const char *target)
{
    static const char *const w[] = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                                    "CreateTable", "UpdateTable", "DeleteTable"};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (strstr(target, w[i]) != NULL)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 20)
        return 0;
    int mode = data[0] % 4;
    const ddb_principal *p = mode == 0   ? NULL
                             : mode == 1 ? principal_named("workshop_000")
                             : mode == 2 ? principal_named("reader_000")
                                         : principal_named("organizer");
    const ddb_principal *admin_p = mode == 0 ? NULL : principal_named("organizer");

    remove_db(work_db);
    copy_file(template_db, work_db);
    server_open(work_db, mode != 0);

    const uint8_t *s = data + 1, *end = data + size;
    int wrote = 0;
    for (int n = 0; s < end && n < MAX_RECORDS; n++) {
        const uint8_t *rs = memchr(s, 0x1E, (size_t)(end - s));
        const uint8_t *re = rs ? rs : end;
        const uint8_t *nl = memchr(s, '\n', (size_t)(re - s));
        const uint8_t *he = nl ? nl : re;
        char head[256];
        size_t hl = (size_t)(he - s) < sizeof head - 1 ? (size_t)(he - s) : sizeof head - 1;
        memcpy(head, s, hl);
        head[hl] = '\0';
        const char *body = nl ? (const char *)nl + 1 : (const char *)re;
        size_t blen = (size_t)((const char *)re - body);
        char region[64] = REGION_B;
        char *sp = strchr(head, ' ');
        if (sp != NULL) {
            *sp = '\0';
            snprintf(region, sizeof region, "%s", sp + 1);
            if (!ddb_sigv4_region_valid(region))
                snprintf(region, sizeof region, "%s", REGION_B);
        }
        int kind = K_DYNAMO;
        char target[300];
        const char *tp = target;
        if (head[0] == '/') {
            kind = K_ADMIN;
        } else if (strcmp(head, "sts") == 0) {
            kind = K_STS;
        } else if (strcmp(head, "-") == 0) {
            tp = NULL;
        } else if (strchr(head, '.') != NULL) {
            snprintf(target, sizeof target, "%s", head);
        } else {
            snprintf(target, sizeof target, "DynamoDB_20120810.%s", head);
        }
        if (verbose)
            fprintf(stderr, ">> [%d] %s %s %.*s\n", mode, head, region, (int)blen, body);
        reply r = kind == K_ADMIN ? admin(head, body, blen)
                                  : request(kind, tp, region, p, body, blen);
        if (verbose)
            fprintf(stderr, "<< %d %.*s\n", r.status, (int)r.len, r.body ? r.body : "");
        check_reply(&r, kind, tp, mode, region, data, size, (const char *)s, (size_t)(re - s));
        if (r.status == 200 && kind == K_DYNAMO && tp != NULL && is_write(tp))
            wrote = 1;
        free(r.body);
        s = rs ? rs + 1 : end;
    }
    if (wrote)
        check_consistency(admin_p);
    if (wrote && (mode == 1 || mode == 2) && !leak_check_skipped("BatchWriteItem"))
        check_untouched(admin_p);
    server_close();
    return 0;
}
