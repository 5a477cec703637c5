/* SPDX-License-Identifier: MIT
**
** emulator.h -- ddbd's internal header: the central structs (configuration,
** server, request) first, then prototypes grouped by the file that defines
** them. Only the emulator sources include it; the shared library stays out.
*/
#ifndef DDB_EMULATOR_H
#define DDB_EMULATOR_H

#include "ddb.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

/*---- configuration (main.c fills it from the command line) ----*/
typedef struct ddb_config {
    const char *host;         /* listen address, default 127.0.0.1 */
    int port;                 /* default 8000; 0 = pick a free port */
    const char *db_path;      /* SQLite file or ":memory:" */
    const char *account_id;   /* 12 digits, default 123456789012 */
    const char *port_file;    /* write the bound port here once listening, or NULL */
    const char *principals_path; /* --principals FILE, or NULL for open mode */
    int threads;              /* HTTP worker threads (each has its own SQLite connection) */
    int create_table_ms;      /* how long CREATING lasts */
    int delete_table_ms;      /* how long DELETING lasts */
    int update_table_ms;      /* how long UPDATING lasts (table and index changes) */
    int sync_full;            /* PRAGMA synchronous=FULL instead of NORMAL */
    long cache_kib;           /* SQLite page cache per connection, KiB */
    int log_level;            /* DDB_LOG_* */
    /* throughput simulation (throughput.c) */
    int throttling;           /* 1: throttle as DynamoDB; 0: only count capacity */
    long partition_rcu;       /* per-partition read ceiling, units/s */
    long partition_wcu;       /* per-partition write ceiling, units/s */
    int burst_seconds;        /* seconds of unused capacity banked */
    int adaptive;             /* adaptive capacity */
    int split_for_heat;       /* split busy partitions between hot keys */
    int peak_seconds;         /* on demand: seconds a level is held to become the peak */
    int clock_manual;         /* 1: the simulation clock only moves by admin calls */
    int no_console;           /* --no-console: no web console at /_ddbd/console */
} ddb_config;

typedef struct ddb_store ddb_store;
typedef struct ddb_catalog ddb_catalog;
typedef struct ddb_tput ddb_tput;
struct ddb_principals;
struct ddb_principal;

/*---- the server ----*/
typedef struct ddb_server {
    ddb_config cfg;
    ddb_store *store;
    ddb_catalog *catalog;
    struct ddb_principals *principals; /* NULL: open mode */
    ddb_tput *tput;           /* throughput simulation */
    struct MHD_Daemon *daemon;
    int bound_port;
    double started;           /* wall clock at start-up */
} ddb_server;

/*---- one HTTP request ----*/
typedef struct ddb_req {
    ddb_server *srv;
    struct MHD_Connection *conn;
    char *uri;                /* raw request target as sent ("/?a=b") */
    char request_id[53];
    const char *method;
    ddb_buf body;             /* request body, at most DDB_MAX_BODY bytes */
    int too_large;            /* body exceeded DDB_MAX_BODY: answer 413 */
    int json_content;         /* 1: request Content-Type was application/json (echo it) */

    /* filled by dispatch.c */
    const struct ddb_op *op;  /* the operation, once the target is known */
    json_t *in;               /* parsed request body (owned) */
    char region[DDB_SIGV4_MAX_FIELD]; /* from the credential scope */
    char account[16];         /* the caller's account */
    char caller_arn[256];     /* the caller's ARN */
    char caller_userid[128];  /* the caller's unique id (aws:userid) */
    const struct ddb_principal *principal; /* the signing principal, NULL in open mode */

    /* the reply: a handler sets 'out' (dumped compactly) or fills 'out_raw' */
    json_t *out;
    ddb_buf out_raw;
} ddb_req;

#define DDB_MAX_BODY (16u * 1024u * 1024u)

/*---- an operation (ops.def) ----*/
typedef int (*ddb_op_fn)(ddb_req *req, ddb_error *err);
typedef struct ddb_op {
    const char *name;         /* "PutItem" */
    ddb_op_fn fn;
    unsigned flags;           /* OPF_* */
    const char *action;       /* IAM action, "dynamodb:PutItem" */
    int shape;                /* request shape id in shapes.gen.c, -1 if none */
} ddb_op;

#define OPF_READ 1u
#define OPF_WRITE 2u
#define OPF_CONTROL 4u
#define OPF_ACCOUNT 8u        /* account-level: resource "*" */

/* log.c -- leveled logging to stderr */
enum { DDB_LOG_ERROR, DDB_LOG_WARN, DDB_LOG_INFO, DDB_LOG_DEBUG };
void ddb_log_set_level(int level);
int ddb_log_enabled(int level);
void ddb_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* http.c -- libmicrohttpd glue */
int ddb_http_start(ddb_server *srv, ddb_error *err);
void ddb_http_stop(ddb_server *srv);
/* Value of request header 'name' (case-insensitive), borrowed, or NULL. */
const char *ddb_req_header(ddb_req *req, const char *name);
/* The client's IP address as text; 0, or -1 if unknown. */
int ddb_req_client_ip(ddb_req *req, char *out, size_t cap);
/* All request headers in arrival order, raw. New array of borrowed pointers;
** caller frees the array with free(). */
ddb_sigv4_header *ddb_req_headers(ddb_req *req, size_t *out_n);

/* dispatch.c -- routing, error replies */
/* Handle a complete POST request: fills status/body; returns the HTTP status
** and sets *out_body (new, caller frees) and *out_type (static). */
int ddb_dispatch(ddb_req *req, char **out_body, size_t *out_len, const char **out_type);
const ddb_op *ddb_op_find(const char *name, size_t len);
/* A JSON value that the reply serializer writes as the raw number 'text'
** (used for timestamps, which DynamoDB prints the way Java's Double.toString
** does, e.g. 1.562054355238E9). New reference. */
json_t *ddb_json_raw_number(const char *text);
/* Java's Double.toString of 'd' into 'out' (at least 32 bytes). */
void ddb_java_double(double d, char *out, size_t cap);

/* admin.c -- ddbd's own endpoints under /_ddbd/ */
int ddb_admin_handle(ddb_req *req, const char *method, const char *path, const char *query,
                     char **body, size_t *len, const char **ctype);

/* auth.c -- SigV4 structure checks and the caller's identity */
int ddb_auth_check(ddb_req *req, const char *service, ddb_error *err);

/* sts.c -- sts:GetCallerIdentity over the query protocol */
int ddb_sts_handle(ddb_req *req, char **out_body, size_t *out_len);

/* shape.c -- request type checking against the DynamoDB API model */
int ddb_shape_check(int shape, json_t *in, ddb_error *err);

/* operation handlers, one file per API family */
#define OP(name, fn, flags, action) int fn(ddb_req *req, ddb_error *err);
#include "ops.def"
#undef OP

#endif
