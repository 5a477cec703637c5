/* SPDX-License-Identifier: MIT
**
** client.h -- internal header of the ddb command-line client: the error and
** exit-code convention, the global context, the option tables of the
** subcommands, and the prototypes of each client file, grouped by the file
** that defines them.
**
** The pure modules (common.c, json_text.c, marshal.c, config.c, retry.c,
** output.c, workshop_model.c, policy_sim.c) use only libc, jansson and
** libddbcore, so the unit tests in tests/unit/test_client_*.c compile them
** directly. libcurl stays inside transport.c; this header never includes
** it.
*/
#ifndef DDB_CLIENT_H
#define DDB_CLIENT_H

#include "ddb.h"
#include "ddb_principals.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/*---- exit codes (documented in README "The ddb client") ----*/
#define CLI_EXIT_OK        0
#define CLI_EXIT_SERVICE   1 /* the service answered with an error */
#define CLI_EXIT_USAGE     2 /* bad command line, bad JSON input */
#define CLI_EXIT_TRANSPORT 3 /* no usable HTTP answer (connect, timeout, TLS, CRC) */
#define CLI_EXIT_THROTTLED 4 /* the last attempt was throttled */
#define CLI_EXIT_CONFIG    5 /* credentials, region, profile or config files */
#define CLI_EXIT_WORKSHOP  6 /* ddb workshop: a check or the lesson's outcome failed */
#define CLI_EXIT_DENIED    7 /* ddb policy simulate: a simulated request was denied */

/*---- limits ----*/
#define CLI_MAX_INPUT    (64u * 1024 * 1024) /* bytes read from a file or stdin */
#define CLI_MAX_DEPTH    64                  /* JSON nesting accepted from the user */
#define CLI_MAX_PAGES    1000000             /* pages followed by --all */
#define CLI_MAX_ATTEMPTS 100                 /* upper bound of --max-attempts */
#define CLI_MAX_CELL     80 /* display width of one --output table cell */

/*---- common.c -- errors, input sources ----*/

/* The one error of a ddb run: the exit code fixes the class, 'type' is the
** short name printed after "ddb: error: " (an exception name such as
** ValidationException, or UsageError, NoCredentialsError, ...). The first
** error recorded wins. */
typedef struct cli_error {
    int exit_code;  /* CLI_EXIT_OK until something is recorded */
    char type[128]; /* short type */
    char *message;  /* owned; NULL or "" when the service sent none */
} cli_error;

#define CLI_ERROR_INIT                                                                   \
    {                                                                                    \
        0, {0}, NULL                                                                     \
    }

/* Record an error unless one is recorded already. Always returns DDB_ERR. */
int cli_fail(cli_error *e, int exit_code, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Free what 'e' owns and reset it. */
void cli_error_clear(cli_error *e);
/* Print "ddb: error: <type>: <message>" to 'f'. */
void cli_error_print(const cli_error *e, FILE *f);

/* The text of an argument that names JSON input: "-" reads stdin, "@path"
** reads the file, anything else is the text itself. New string (NUL-added);
** caller frees. Records a UsageError on read failure or when the input is
** larger than CLI_MAX_INPUT. */
char *cli_read_source(const char *arg, size_t *out_len, cli_error *e);

/* Set string member 'member' of 'obj' to 'value' (from the command line);
** records a UsageError when 'value' is not valid UTF-8. */
int cli_set_string(json_t *obj, const char *member, const char *value, cli_error *e);

/* Parse 'text' as a non-negative decimal integer in [lo, hi]. 0 on success. */
int cli_parse_long(const char *text, long lo, long hi, long *out);
/* Parse 'text' as a decimal number of seconds in (0, hi]. 0 on success. */
int cli_parse_seconds(const char *text, double hi, double *out);

/* The text of the first <tag>...</tag> element in 'xml' with the five XML
** entities decoded (STS answers). New string, or NULL when absent. */
char *cli_xml_text(const char *xml, const char *tag);

/*---- json_text.c -- raw JSON text: exact, never through doubles ----*/

/* Skip white space from *pos. */
void cli_json_ws(const char *s, size_t n, size_t *pos);
/* Decode the JSON string literal at *pos (which is '"') into 'out' as UTF-8
** (escapes and surrogate pairs resolved; the result may contain NUL). On
** success advances *pos past the closing quote. Returns 0, or -1 with a
** static reason in *why. */
int cli_json_string(const char *s, size_t n, size_t *pos, ddb_buf *out, const char **why);
/* Length of the JSON number literal at *pos (RFC 8259 grammar), advancing
** *pos; 0 when there is none (nothing consumed). */
size_t cli_json_number(const char *s, size_t n, size_t *pos);
/* Validate one JSON value at *pos and skip it (and leading white space).
** Returns 0 or -1 with a static reason in *why (*pos then at the fault). */
int cli_json_skip(const char *s, size_t n, size_t *pos, int depth, const char **why);
/* Validate that the 'n' bytes are exactly one JSON value (white space
** around allowed) and append it without insignificant white space. Numbers
** and strings are copied byte for byte. Returns 0 or records a UsageError
** naming 'what' and the line and column of the fault. */
int cli_json_compact(const char *s, size_t n, ddb_buf *out, const char *what,
                     cli_error *e);
/* Locate member 'name' of the top-level object in 'n' bytes of valid JSON:
** sets *start and *len to the raw text of its value. 0 if found, else -1. */
int cli_json_member(const char *s, size_t n, const char *name, size_t *start,
                    size_t *len);

/* A flattened leaf: JSON path ("Table.KeySchema[0].KeyType") and display
** text (strings decoded, numbers as written, objects and arrays that are
** empty as "{}" / "[]"). Both owned. */
typedef struct cli_leaf {
    char *path;
    char *text;
} cli_leaf;

typedef struct cli_leaves {
    cli_leaf *v;
    size_t n, cap;
} cli_leaves;

/* Flatten the valid JSON value in 'n' bytes into leaves under 'prefix'
** ("" for none). Returns 0 or -1 if the text is not valid JSON. */
int cli_json_flatten(const char *s, size_t n, const char *prefix, cli_leaves *out);
void cli_leaves_free(cli_leaves *l);

/*---- marshal.c -- plain JSON <-> DynamoDB AttributeValues ----*/

/* Parse the plain JSON value at *pos of 'n' bytes of 's' into a new
** AttributeValue, as the JS DocumentClient marshals: string -> S, number -> N
** (the literal text, exactly), true/false -> BOOL, null -> NULL, array -> L,
** object -> M; {"$binary":"<base64>"} -> B and {"$set":[...]} -> SS, NS or BS
** (all members of one kind). Advances *pos past the value (and white space
** before it). NULL with a UsageError naming 'what' (line, column) on bad
** input. */
json_t *cli_marshal_value(const char *s, size_t n, size_t *pos, const char *what,
                          cli_error *e);
/* Parse 'n' bytes that must be exactly one plain JSON object into a new
** attribute map ({"name": AttributeValue, ...}). */
json_t *cli_marshal_map(const char *s, size_t n, const char *what, cli_error *e);
/* Append the plain JSON of an AttributeValue: S -> string, N -> the number
** text as sent, BOOL, NULL, L -> array, M -> object, SS / NS / BS -> arrays,
** B -> {"$binary":"<base64>"}. A value of an unknown type is written as its
** DynamoDB JSON. */
void cli_unmarshal_value(const json_t *av, ddb_buf *out);
/* Append an attribute map as one plain JSON object. */
void cli_unmarshal_map(const json_t *map, ddb_buf *out);
/* Display text of one attribute for a table cell: S as is, N as sent,
** BOOL/NULL as true/false/null, B as base64, everything else as plain JSON.
** New string; caller frees. */
char *cli_attr_display(const json_t *av);

/*---- config.c -- profiles, credentials, region, endpoint ----*/

/* Environment lookup (getenv in ddb; a table in the unit tests). */
typedef const char *(*cli_getenv_fn)(const char *name);

/* One key of a section of an INI file. */
typedef struct cli_ini_entry {
    char *section; /* profile name: "[profile x]" in config -> "x" */
    char *key;     /* lower-cased */
    char *value;   /* trimmed; continuation lines joined with '\n' */
} cli_ini_entry;

typedef struct cli_ini {
    cli_ini_entry *v;
    size_t n, cap;
    char **sections; /* every profile section seen, even empty */
    size_t n_sections, cap_sections;
} cli_ini;

/* Parse the text of an AWS shared config file ('is_config': "[profile x]"
** and "[default]" name profiles, other sections are ignored) or credentials
** file ("[x]" names profile x). Full-line comments start with '#' or ';';
** "key = value" or "key: value"; indented lines continue the previous value.
** Returns 0, or records ConfigParseError naming 'path' and the line. */
int cli_ini_parse(const char *text, size_t len, int is_config, const char *path,
                  cli_ini *out, cli_error *e);
/* Value of 'key' in profile 'section' (the last one wins), or NULL. Borrowed. */
const char *cli_ini_get(const cli_ini *ini, const char *section, const char *key);
/* 1 if the file had a section for profile 'section'. */
int cli_ini_has(const cli_ini *ini, const char *section);
void cli_ini_free(cli_ini *ini);

/* What the command line said (NULL = not given). */
typedef struct cli_flags {
    const char *endpoint;
    const char *region;
    const char *profile;
    const char *max_attempts;
    int no_retry;
} cli_flags;

/* The resolved configuration of a run. All strings owned. */
typedef struct cli_config {
    char *profile; /* the profile name in effect */
    char *region;
    char *access_key;
    char *secret_key;
    char *session_token; /* NULL when none */
    char *cred_source;   /* "environment" or "<file> [profile]" */
    int max_attempts;    /* 1..CLI_MAX_ATTEMPTS */
} cli_config;

/* Resolve region, credentials and attempts (README "Resolution order").
** 'home' is $HOME for "~/.aws/..." (may be NULL). Records NoRegionError,
** NoCredentialsError, PartialCredentialsError, ProfileNotFound,
** ConfigParseError or UsageError. */
int cli_config_resolve(const cli_flags *f, cli_getenv_fn env, cli_config *out,
                       cli_error *e);
void cli_config_free(cli_config *c);

/* The endpoint URL for 'service' ("dynamodb" or "sts"): the flag, else
** AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL (both skipped when
** AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true"), else the public regional
** endpoint https://<service>.<region>.amazonaws.com (.com.cn in cn-*).
** New string; caller frees. */
char *cli_endpoint_resolve(const char *flag, cli_getenv_fn env, const char *service,
                           const char *region);

/*---- retry.c -- the SDKs' "standard" retry mode ----*/

typedef enum cli_retry_kind {
    CLI_RETRY_NO = 0,    /* not retryable */
    CLI_RETRY_THROTTLE,  /* throttling error code or HTTP 429 */
    CLI_RETRY_TRANSIENT, /* 500/502/503/504, transient codes, connection errors, CRC */
    CLI_RETRY_TIMEOUT    /* connect or read timeout */
} cli_retry_kind;

/* Classify a failed attempt: HTTP status (0 when there was no answer), the
** error code from the body (or NULL), and transport facts. */
cli_retry_kind cli_retry_classify(long status, const char *code, int transport_error,
                                  int timeout, int crc_mismatch);
/* 1 if 'code' is one of the standard mode's throttling error codes. */
int cli_retry_is_throttle_code(const char *code);

/* Seconds to wait after failed attempt 'attempt' (1-based): full jitter,
** rnd * min(base * 2^(attempt-1), 20), with 'rnd' in [0, 1). */
double cli_retry_delay(int attempt, double base, double rnd);

/* The retry quota of the standard mode: 500 tokens; a retry costs 5 (10
** after a timeout); a success refunds what its last retry took, or 1. */
#define CLI_QUOTA_INITIAL            500
#define CLI_QUOTA_RETRY_COST         5
#define CLI_QUOTA_TIMEOUT_COST       10
#define CLI_QUOTA_NO_RETRY_INCREMENT 1

typedef struct cli_quota {
    int available;
    int max;
} cli_quota;

void cli_quota_init(cli_quota *q);
/* Take the cost of a retry after 'kind'; returns the cost taken, or 0 when
** the quota cannot pay (then do not retry). */
int cli_quota_acquire(cli_quota *q, cli_retry_kind kind);
/* After a successful request: refund 'last_cost' (what its last retry
** took), or CLI_QUOTA_NO_RETRY_INCREMENT when it was not retried. */
void cli_quota_release(cli_quota *q, int last_cost);

/*---- output.c -- JSON lines and aligned tables ----*/

/* CLI_OUT_TEXT: --output text, for the commands that print text for people
** by default (ddb metrics, ddb top); the others refuse it. */
typedef enum cli_output { CLI_OUT_JSON, CLI_OUT_TABLE, CLI_OUT_TEXT } cli_output;

/* A table under construction: columns appear in first-seen order. */
typedef struct cli_table {
    char **cols;
    size_t n_cols, cap_cols;
    char ***rows; /* rows[i][j]: owned cell text or NULL */
    size_t n_rows, cap_rows;
} cli_table;

/* Index of column 'name', added if new. */
size_t cli_table_col(cli_table *t, const char *name);
/* Start a new row; returns its index. */
size_t cli_table_row(cli_table *t);
/* Set a cell of the last row; steals 'text'. */
void cli_table_set(cli_table *t, size_t col, char *text);
/* Add one row from an attribute map (one column per attribute). */
void cli_table_add_item(cli_table *t, const json_t *item);
/* Write the table: a header, a rule, and the rows, columns padded to the
** widest cell (in code points), control characters escaped and cells wider
** than CLI_MAX_CELL cut with "...". Nothing when there are no rows. */
void cli_table_print(const cli_table *t, FILE *f);
void cli_table_free(cli_table *t);

/* Write one attribute map as a line of plain JSON. */
void cli_print_item_line(const json_t *item, FILE *f);

/*---- transport.c -- HTTP, SigV4, retries ----*/

typedef struct cli_transport cli_transport;

/* Transport settings that come from the command line. */
typedef struct cli_net {
    double connect_timeout; /* seconds */
    double timeout;         /* seconds, whole request */
    int debug;              /* 1: trace requests to stderr */
} cli_net;

/* A successful HTTP answer. */
typedef struct cli_reply {
    long status;
    char *body; /* owned, NUL-terminated */
    size_t len;
} cli_reply;

/* Process-wide set-up and tear-down of libcurl (once, in main). */
int cli_transport_global_init(void);
void cli_transport_global_cleanup(void);

/* A transport over one reusable libcurl handle (keep-alive). 'cfg' is
** borrowed and must outlive it. NULL with an error recorded on failure. */
cli_transport *cli_transport_new(const cli_config *cfg, const cli_net *net, cli_error *e);
void cli_transport_free(cli_transport *t);

/* POST one request to 'endpoint' with retries: DynamoDB JSON 1.0 when
** 'target' is set (X-Amz-Target, application/x-amz-json-1.0), the STS query
** protocol otherwise. Signs with 'service' ("dynamodb" / "sts"). On a 2xx
** answer fills 'out' (caller frees out->body); otherwise records the error:
** the service's exception (exit 1, or 4 when throttled) or a transport
** error (exit 3). */
int cli_transport_post(cli_transport *t, const char *endpoint, const char *service,
                       const char *target, const char *body, size_t len, cli_reply *out,
                       cli_error *e);
void cli_reply_free(cli_reply *r);

/* The body of the last answer when the last request failed with a service
** error (the JSON error document, e.g. with ThrottlingReasons), or NULL.
** Borrowed until the next request. */
const char *cli_transport_error_body(const cli_transport *t, size_t *len);

/* One unsigned request, one attempt, to 'path' (and 'query', NULL for none)
** at the origin of 'endpoint': ddbd's own endpoints under /_ddbd/. 'method'
** is "GET" or "POST" (then 'body' is sent as application/json). DDB_OK with
** the answer in 'out' whatever its HTTP status; DDB_ERR with a transport
** error (exit 3) when there was no answer. */
int cli_transport_admin(cli_transport *t, const char *endpoint, const char *method,
                        const char *path, const char *query, const char *body,
                        cli_reply *out, cli_error *e);

/*---- main.c -- options, the subcommand table, the run context ----*/

/* One option of a subcommand (or a global one). */
typedef struct cli_opt {
    const char *name; /* without "--" */
    const char *arg;  /* placeholder ("N", "EXPR"), or NULL for a flag */
    const char *help;
} cli_opt;

#define CLI_MAX_ARGS 64

/* The parsed command line of one subcommand. */
typedef struct cli_args {
    const char *names[CLI_MAX_ARGS]; /* option names given, borrowed */
    const char *vals[CLI_MAX_ARGS];  /* their values ("" for flags) */
    size_t n;
    const char *pos[CLI_MAX_ARGS]; /* positional arguments */
    size_t n_pos;
} cli_args;

/* The value of option 'name' (the last one given), or NULL. */
const char *cli_arg(const cli_args *a, const char *name);

/* Everything a subcommand needs. The transport and configuration are set up
** on the first request, so --help and usage errors need neither. */
typedef struct cli_ctx {
    cli_flags flags;
    cli_net net;
    cli_output output;
    int output_set; /* 1 when --output was given (commands with another default) */
    cli_config cfg;
    int have_cfg;
    cli_transport *transport;
    char *ddb_endpoint;
    char *sts_endpoint;
} cli_ctx;

/* Call DynamoDB operation 'op' with the request 'req' (borrowed) and return
** the parsed reply (new reference), or NULL with the error recorded. */
json_t *cli_dynamodb(cli_ctx *ctx, const char *op, json_t *req, cli_error *e);
/* Call DynamoDB with a raw JSON body; on success 'out' holds the raw reply. */
int cli_dynamodb_raw(cli_ctx *ctx, const char *op, const char *body, size_t len,
                     cli_reply *out, cli_error *e);
/* Call STS with a form-encoded body. */
int cli_sts_raw(cli_ctx *ctx, const char *body, size_t len, cli_reply *out, cli_error *e);
/* Resolve the configuration and open the transport now (normally done by
** the first request). */
int cli_ready(cli_ctx *ctx, cli_error *e);

/* A subcommand: its run function, arguments and help. */
typedef struct cli_command {
    const char *name;
    int (*run)(cli_ctx *ctx, const cli_args *a, cli_error *e);
    const char *usage;    /* "TABLE KEY" */
    int min_pos, max_pos; /* positional argument counts; max -1 = unbounded */
    const cli_opt *opts;  /* terminated by {NULL} */
    const char *summary;  /* one line */
    const char *help;     /* paragraphs for --help */
} cli_command;

/*---- cmd_call.c -- call, whoami ----*/
int cli_cmd_call(cli_ctx *ctx, const cli_args *a, cli_error *e);
int cli_cmd_whoami(cli_ctx *ctx, const cli_args *a, cli_error *e);
extern const cli_opt cli_call_opts[], cli_whoami_opts[];

/*---- cmd_tables.c -- tables, describe ----*/
int cli_cmd_tables(cli_ctx *ctx, const cli_args *a, cli_error *e);
int cli_cmd_describe(cli_ctx *ctx, const cli_args *a, cli_error *e);
extern const cli_opt cli_tables_opts[], cli_describe_opts[];

/*---- cmd_items.c -- put, get, delete, update ----*/
int cli_cmd_put(cli_ctx *ctx, const cli_args *a, cli_error *e);
int cli_cmd_get(cli_ctx *ctx, const cli_args *a, cli_error *e);
int cli_cmd_delete(cli_ctx *ctx, const cli_args *a, cli_error *e);
int cli_cmd_update(cli_ctx *ctx, const cli_args *a, cli_error *e);
extern const cli_opt cli_put_opts[], cli_get_opts[], cli_delete_opts[], cli_update_opts[];

/* Shared by the item and query commands: add ExpressionAttributeNames and
** ExpressionAttributeValues from --names / --values to 'req'. */
int cli_add_expr_maps(json_t *req, const cli_args *a, cli_error *e);

/*---- cmd_query.c -- query, scan ----*/
int cli_cmd_query(cli_ctx *ctx, const cli_args *a, cli_error *e);
int cli_cmd_scan(cli_ctx *ctx, const cli_args *a, cli_error *e);
extern const cli_opt cli_query_opts[], cli_scan_opts[];

/*---- ddbd_admin.c -- ddbd's own endpoints (/_ddbd/...) ----*/

/* 1 if 'url' names DynamoDB's public endpoint (*.amazonaws.com, .com.cn,
** *.api.aws), which has no /_ddbd/ paths and is never probed for them. */
int cli_endpoint_is_aws(const char *url);
/* GET ddbd's 'path' ("/_ddbd/metrics") with 'query' (NULL for none), one
** unsigned attempt, for `ddb COMMAND`. The parsed JSON object of a 200
** answer (new reference; *raw, when not NULL, the body as sent, caller
** frees), or NULL with the error recorded: NotDdbdError (exit 5) when the
** endpoint is AWS's (nothing sent) or does not answer as ddbd does, with the
** CloudWatch hint; ResourceNotFoundException with 'missing' (exit 1) when
** ddbd answers 404 (no such table); a transport error (exit 3). */
json_t *cli_ddbd_get(cli_ctx *ctx, const char *command, const char *path,
                     const char *query, const char *missing, char **raw, cli_error *e);

/*---- metrics_view.c -- `ddb metrics`, the pure part (and helpers of top) ----*/

/* Capacity units for people: "10", "0.5", "12000" (one decimal at most). */
void cli_units_text(double v, char out[32]);
/* A partition key for a terminal: control characters as \xNN, cut to 'max'
** code points with "...". New string. */
char *cli_key_text(const char *s, size_t max);
/* Simulated time 't' as "2026-01-01 00:00:00 UTC". */
void cli_clock_text(double t, char out[40]);
/* Number member a (or a.b when 'b' is not NULL) of 'o'; 0 when absent. */
double cli_metric_num(const json_t *o, const char *a, const char *b);
/* 1 if 'name' can be a table or index name (3-255 of [a-zA-Z0-9_.-]). */
int cli_resource_name_valid(const char *name);
/* Without TABLE: one line (text, aligned under a header line) or row per
** table of a /_ddbd/metrics answer: Table, BillingMode, Partitions,
** ConsumedRCU/s, ConsumedWCU/s (this second), ConsumedRCU, ConsumedWCU
** (totals), ReadThrottleEvents, WriteThrottleEvents, ThrottledRequests
** ("T of N" over the operations). Text says "No tables in R." for none. */
void cli_metrics_list_text(const json_t *doc, ddb_buf *out);
void cli_metrics_list_table(const json_t *doc, cli_table *t);
/* The first table of the answer in detail: a block per table and GSI (or
** only GSI 'index'), one "  Metric  value" line each (text), or rows
** Resource | Metric | Value. -1 when there is no such table or index. */
int cli_metrics_detail_text(const json_t *doc, const char *index, ddb_buf *out);
int cli_metrics_detail_table(const json_t *doc, const char *index, cli_table *t);
/* GSI 'index' of the answer's first table (borrowed), or NULL. */
json_t *cli_metrics_index(const json_t *doc, const char *index);

/*---- top_view.c -- `ddb top`, the pure part ----*/

#define CLI_TOP_HOT 0.8 /* a partition at this share of a ceiling is HOT */

typedef struct cli_top_cfg {
    int window;        /* seconds: bars show each partition's busiest (>= 1) */
    size_t max_rows;   /* busy partitions drawn per resource; the rest collapse */
    int color;         /* ANSI colours for HOT / THROTTLED (a terminal) */
    const char *index; /* only this GSI; NULL = the table and every GSI */
} cli_top_cfg;

/* One frame for the first table of a /_ddbd/metrics answer fetched with
** seconds >= window + 1 and the partition detail: a header (table, region,
** clock, second shown), then per table / GSI a summary line and one line per
** busy partition (R and W bars against the ceiling, HOT, THROTTLED xN, its
** keys), idle partitions as ranges. No escapes unless 'color'. -1 when the
** answer has no table or no such index. */
int cli_top_frame(const json_t *doc, const cli_top_cfg *o, ddb_buf *out);

/*---- cmd_metrics.c, cmd_top.c -- `ddb metrics`, `ddb top` ----*/
int cli_cmd_metrics(cli_ctx *ctx, const cli_args *a, cli_error *e);
int cli_cmd_top(cli_ctx *ctx, const cli_args *a, cli_error *e);
extern const cli_opt cli_metrics_opts[], cli_top_opts[];
extern const char cli_metrics_help[], cli_top_help[];

/*---- workshop_model.c -- `ddb workshop`, the pure part ----*/

/* The guide's environment variables, with the defaults of its scripts. */
typedef struct cli_ws_env {
    const char *attendee;    /* ATTENDEE_ID, or NULL */
    char *table;             /* TABLE, else ws-att-<ATTENDEE_ID>, else NULL; owned */
    char *personal;          /* ws-att-<ATTENDEE_ID>, or NULL; owned (the scripts) */
    const char *tenant;      /* TENANT_ID, else "t-037" */
    const char *shared;      /* SHARED_TABLE, else "WorkshopShared" */
    const char *other;       /* OTHER_TENANT_ID, else "t-999" */
    const char *gsi_tenant;  /* GSI_TENANT_STATUS, else "GSI1" */
    const char *gsi_global;  /* GSI_GLOBAL_STATUS, else "GSI2_StatusGlobal" */
    const char *region;      /* AWS_REGION, else NULL (the steps then default to
                             ** the guide's ap-southeast-1) */
    int tenant_defaulted;    /* TENANT_ID was not set */
    int table_from_attendee; /* TABLE was not set: ws-att-<ATTENDEE_ID> */
} cli_ws_env;

#define CLI_WS_REGION       "ap-southeast-1" /* the guide's default region */
#define CLI_WS_PERSONAL_GSI "GSI1_Status"    /* section 2's sparse index */
#define CLI_WS_SHARDS       4                /* S0..S3, sections 3 and 4.8 */
#define CLI_WS_EVENTS       120              /* events written by sections 3 and 4.8 */

void cli_ws_env_resolve(cli_getenv_fn env, cli_ws_env *out);
void cli_ws_env_free(cli_ws_env *w);

/* An attribute map of S attributes from name/value pairs ending with NULL. */
json_t *cli_ws_item(const char *name, ...) __attribute__((sentinel));
/* The items the guide's scripts write, as arrays of attribute maps (new). */
json_t *cli_ws_section1_items(void);               /* user u123: profile + 2 orders */
json_t *cli_ws_section2_items(void);               /* user u200: profile + 3 orders */
json_t *cli_ws_section2_gsi_items(void);           /* 2 orders with GSI1PK/GSI1SK */
json_t *cli_ws_section4_items(const char *tenant); /* tenant's u1: profile + 2 orders */
/* Event n of sections 3 and 4.8: PK "<pk_prefix>#<shard>", SK
** "EVENT#<n:010>#<n:06>", type EVENT, payload {n, shard}. */
json_t *cli_ws_event_item(const char *pk_prefix, const char *shard, long n);
/* What `setup-shared` seeds for one other tenant (the i-th): the profile u1
** and a PENDING and a SHIPPED order with GSI1 and GSI2 keys. */
json_t *cli_ws_shared_seed_items(const char *tenant, unsigned i);

/* One JSON array line of plain-JSON items (no newline) appended to 'out'. */
void cli_ws_items_json(const json_t *items, ddb_buf *out);

/* Per-partition write totals of a table in a /_ddbd/metrics answer. */
typedef struct cli_ws_part {
    long long id;
    double consumed;     /* Totals.ConsumedWriteCapacityUnits */
    long long throttles; /* Totals.WriteThrottleEvents */
} cli_ws_part;

typedef struct cli_ws_snapshot {
    cli_ws_part *v;
    size_t n;
    long long partitions; /* "Partitions" of the table */
} cli_ws_snapshot;

/* Parse the metrics JSON for 'table'. 0, or -1 when the text has no such table. */
int cli_ws_snapshot_parse(const char *text, size_t len, const char *table,
                          cli_ws_snapshot *out);
/* Partitions whose write totals (consumed or throttle events) changed. */
size_t cli_ws_snapshot_touched(const cli_ws_snapshot *before,
                               const cli_ws_snapshot *after);
void cli_ws_snapshot_free(cli_ws_snapshot *s);

/* The first ThrottlingReasons[].reason (or throttlingReasons, as
** ThrottlingException spells it) of an error document; borrowed or NULL. */
const char *cli_ws_throttle_reason(const json_t *err_doc);

#define CLI_WS_MAX_REASONS 8

/* One phase of `section3 --compare`. */
typedef struct cli_ws_phase {
    char title[64]; /* column title: "hot key", "4 shards" */
    char keys[160]; /* the partition keys written */
    long writes, ok, throttled;
    double consumed;               /* sum of ConsumedCapacity.CapacityUnits */
    long long touched, partitions; /* -1 when unknown (not ddbd) */
    char reasons[CLI_WS_MAX_REASONS][64];
    long reason_counts[CLI_WS_MAX_REASONS];
    size_t n_reasons;
} cli_ws_phase;

/* Count one throttle with 'reason' (NULL: the exception had none). */
void cli_ws_phase_reason(cli_ws_phase *p, const char *reason);
/* The side-by-side table of two phases. */
void cli_ws_compare_table(const cli_ws_phase *a, const cli_ws_phase *b, cli_table *t);
/* The one-line lesson drawn from the two phases. New string. */
char *cli_ws_compare_verdict(const cli_ws_phase *hot, const cli_ws_phase *sharded);

/*---- workshop.c -- `ddb workshop`: requests shared by the steps ----*/

/* What a step may look at: the context, the variables, the options. */
typedef struct cli_ws {
    cli_ctx *ctx;
    cli_ws_env env;
    const cli_args *args;
} cli_ws;

/* DynamoDB operation 'op'; the parsed answer, or NULL with the error. */
json_t *cli_ws_call(cli_ws *w, const char *op, json_t *req, cli_error *e);
/* One attempt only (--no-retry semantics). On a service error, *err_doc (may
** be NULL) receives the parsed error document (new reference). */
json_t *cli_ws_call_once(cli_ws *w, const char *op, json_t *req, json_t **err_doc,
                         cli_error *e);
/* BatchWriteItem of the attribute maps in 'items' (25 per request), sending
** UnprocessedItems again with a backoff, as boto3's batch_writer. */
int cli_ws_batch_put(cli_ws *w, const char *table, const json_t *items, cli_error *e);
/* One Query page: KEY_ATTR = VALUE on 'table' or its 'index'; 'limit' 0 for
** none; 'forward' 0 for descending. The Items array (new), or NULL. */
json_t *cli_ws_query(cli_ws *w, const char *table, const char *index,
                     const char *key_attr, const char *value, long limit, int forward,
                     cli_error *e);
/* DescribeTable's Table object (new), or NULL with the error. */
json_t *cli_ws_describe(cli_ws *w, const char *table, cli_error *e);
/* Wait until 'table' is ACTIVE (and its GSI 'index', when not NULL, too). */
int cli_ws_wait_active(cli_ws *w, const char *table, const char *index, cli_error *e);
/* Wait until 'table' no longer exists. */
int cli_ws_wait_gone(cli_ws *w, const char *table, cli_error *e);
/* Print 'items' after 'prefix': "<prefix> [..json..]" on one line, or with
** --output table the prefix on its own line and the items as a table. */
void cli_ws_print_items(cli_ws *w, const char *prefix, const json_t *items);
/* 1 if 'e' holds exactly the service error 'type'. */
int cli_ws_error_is(const cli_error *e, const char *type);
/* Require a variable: records a configuration error naming it and how to
** set it when 'value' is NULL. */
int cli_ws_need(const char *value, const char *name, const char *hint, cli_error *e);

/* STS GetCallerIdentity: the Account and Arn (new strings; either may be NULL). */
int cli_ws_identity(cli_ws *w, char **account, char **arn, cli_error *e);

/* ddbd's own endpoints, when the endpoint is ddbd. */
typedef enum cli_ws_server {
    CLI_WS_AWS = 0,    /* the public AWS endpoint: not probed */
    CLI_WS_OTHER,      /* a configured endpoint without /_ddbd/ */
    CLI_WS_DDBD_REAL,  /* ddbd with the real clock */
    CLI_WS_DDBD_MANUAL /* ddbd with --clock manual */
} cli_ws_server;
/* Which kind of endpoint this is (GET /_ddbd/clock). Never fails: a
** transport error counts as CLI_WS_OTHER. */
cli_ws_server cli_ws_probe(cli_ws *w);
/* POST /_ddbd/clock {"Advance": seconds}. */
int cli_ws_clock_advance(cli_ws *w, double seconds, cli_error *e);
/* GET /_ddbd/metrics for 'table' in the request's region. */
int cli_ws_metrics(cli_ws *w, const char *table, cli_ws_snapshot *out, cli_error *e);
/* Sleep 's' seconds (bounded, restarts after signals). */
void cli_ws_sleep(double s);
/* The base of the workshop's backoffs in seconds (DDB_RETRY_BASE_MS / 1000). */
double cli_ws_backoff_base(void);

/*---- workshop_steps.c, workshop_compare.c, workshop_organizer.c ----*/

int cli_ws_create_table(cli_ws *w, cli_error *e);
int cli_ws_section1(cli_ws *w, cli_error *e);
int cli_ws_section2_seed(cli_ws *w, cli_error *e);
int cli_ws_section2_gsi(cli_ws *w, cli_error *e);
int cli_ws_section3(cli_ws *w, cli_error *e);
int cli_ws_section3_compare(cli_ws *w, long writes, long shards, cli_error *e);
int cli_ws_section4_seed(cli_ws *w, cli_error *e);
int cli_ws_section4_scoped(cli_ws *w, cli_error *e);
int cli_ws_section4_cross_tenant(cli_ws *w, cli_error *e);
int cli_ws_section4_sharding(cli_ws *w, cli_error *e);
int cli_ws_section4_global(cli_ws *w, cli_error *e);
int cli_ws_delete_table(cli_ws *w, cli_error *e);
int cli_ws_setup_shared(cli_ws *w, const char *tenants, cli_error *e);
int cli_ws_doctor(cli_ws *w, cli_error *e);

/*---- cmd_workshop.c -- `ddb workshop STEP` ----*/
int cli_cmd_workshop(cli_ctx *ctx, const cli_args *a, cli_error *e);
extern const cli_opt cli_workshop_opts[];
extern const char cli_workshop_help[];

/*---- policy_sim.c -- `ddb policy simulate`, the pure part ----*/

/* What was asked, from the command line (strings borrowed from argv). */
typedef struct cli_sim_input {
    const char *principals_file;            /* --principals FILE, or NULL */
    const char *principal;                  /* --principal WHO, or NULL */
    const char *policy_files[CLI_MAX_ARGS]; /* --policy FILE..., in order */
    size_t n_policy_files;
    json_t *actions;     /* --action values, split at commas: array of strings */
    const char *resource; /* --resource as given, or NULL ("*") */
    const char *region;  /* --region, AWS_REGION, AWS_DEFAULT_REGION, else us-east-1 */
    const char *account; /* --account, or NULL */
    json_t *tags;        /* --tag KEY=VALUE: {KEY: VALUE} */
    json_t *context;     /* --context and --leading-key: {key: string | [strings]} */
} cli_sim_input;

#define CLI_SIM_REGION    "us-east-1"          /* without --region or AWS_REGION */
#define CLI_SIM_ACCOUNT   "123456789012"       /* ddbd's default --account-id */
#define CLI_SIM_CALLER    "simulated-user"     /* the user of --policy without --principal */
#define CLI_SIM_SOURCE_IP "127.0.0.1"          /* aws:SourceIp of a laptop's ddbd */

/* Read the options of `ddb policy simulate` from 'a' (repeatable ones in
** order); 'region_flag' is the global --region (NULL when not given).
** Records a UsageError for a bad or missing option. Free with
** cli_sim_input_free, also after a failure. */
int cli_sim_input_parse(const cli_args *a, const char *region_flag, cli_getenv_fn env,
                        cli_sim_input *in, cli_error *e);
void cli_sim_input_free(cli_sim_input *in);

/* The decision for one action. */
typedef struct cli_sim_result {
    const char *action;        /* borrowed from the input's actions */
    ddb_iam_decision decision;
    ddb_iam_explain why;       /* borrowed from the simulation's policies */
    char *message;             /* ddbd's AccessDeniedException text; NULL when allowed */
} cli_sim_result;

/* One simulation: the principal, its policies, the resource and the full
** context (request facts, the principal's keys, then --context), and one
** result per action. */
typedef struct cli_sim {
    ddb_principals *file;          /* --principals (owned), or NULL */
    ddb_principal caller;          /* without --principals: the caller (owned) */
    const ddb_principal *who;      /* the principal simulated */
    ddb_policy **extra;            /* --policy documents (owned) */
    size_t n_extra;
    ddb_policy **policies;         /* everything evaluated, in order (array owned) */
    size_t n_policies;
    char *resource;                /* the ARN (or "*") */
    json_t *context;               /* as handed to ddb_iam_evaluate */
    cli_sim_result *results;
    size_t n_results;
} cli_sim;

/* Load the principal or the policies and decide every action at time 'now'
** with libddbcore's IAM engine, as ddbd would. A principals file or policy
** file that cannot be read or is invalid records a configuration error (exit
** 5) with the engine's text (file, JSON path, problem); a --principal that
** names no principal a UsageError. Free with cli_sim_free, also after a
** failure. */
int cli_sim_run(const cli_sim_input *in, time_t now, cli_sim *s, cli_error *e);
void cli_sim_free(cli_sim *s);

/* AWS's simulator spelling of a decision: "allowed", "implicitDeny",
** "explicitDeny". */
const char *cli_sim_decision_name(ddb_iam_decision d);
/* How many results are denials. */
size_t cli_sim_denied(const cli_sim *s);
/* One text line per action:
**   ACTION allowed by POLICY Statement[I] (Sid S)
**   ACTION implicitDeny (no statement matched): AccessDeniedException: TEXT
**   ACTION explicitDeny by POLICY Statement[I] (Sid S): AccessDeniedException: TEXT */
void cli_sim_text(const cli_sim *s, ddb_buf *out);
/* The --output json object: {"Principal","Policies","Resource","Context",
** "EvaluationResults":[{"EvalActionName","EvalResourceName","EvalDecision",
** "MatchedStatements":[{"SourcePolicyId","StatementIndex","Sid"}],
** "AccessDeniedException"}]}. New reference. */
json_t *cli_sim_json(const cli_sim *s);
/* The --output table rows: Action, Decision, Policy, Statement, Sid,
** AccessDeniedException. */
void cli_sim_table(const cli_sim *s, cli_table *t);

/*---- cmd_policy.c -- `ddb policy simulate` ----*/
int cli_cmd_policy(cli_ctx *ctx, const cli_args *a, cli_error *e);
extern const cli_opt cli_policy_opts[];
extern const char cli_policy_help[];

#endif
