/* SPDX-License-Identifier: MIT
**
** iam_int.h -- private structures of the IAM policy engine (iam_*.c only).
**
** A parsed policy is a tree of plain structs that owns copies of every string
** it needs; nothing points into the caller's JSON document. Patterns (actions,
** resources, String/Arn condition values) are compiled once at parse time
** into token lists; the ones without policy variables are also pre-expanded
** into matcher cells, so evaluation of a variable-free policy allocates
** nothing but one scratch buffer.
**
** Cross-file functions are named ddb_iamp_* (the jansson jsonp_ idea): they
** carry the project prefix for the symbol check but are not part of the
** public interface in include/ddb_iam.h.
*/
#ifndef DDB_IAM_INT_H
#define DDB_IAM_INT_H

#include "ddb_iam.h"
#include "ddb_util.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*---- limits (each enforced with a parse error naming the limit) ----*/
#define IAM_MAX_STATEMENTS 1024 /* statements in one policy */
#define IAM_MAX_LIST 1024       /* entries in one Action/Resource/value list */
#define IAM_MAX_CONDITIONS 256  /* (operator, key) pairs in one statement */
#define IAM_MAX_STRING 4096     /* bytes in any one policy string */

/*---- matcher cells: a resolved pattern ----*/
/* A pattern ready for glob matching is an array of ints: 0..255 stand for a
** literal byte, IAM_CELL_STAR for '*' (any run of characters, also empty) and
** IAM_CELL_QMARK for '?' (exactly one UTF-8 character). Text substituted
** for a policy variable becomes literal cells, so a '*' inside a tag value
** never acts as a wildcard. */
#define IAM_CELL_STAR 256
#define IAM_CELL_QMARK 257

typedef struct iam_cells {
    int *v; /* owned */
    size_t n;
    size_t cap;
} iam_cells;

/*---- templates: pattern text with policy variables ----*/
enum { IAM_TOK_LIT, IAM_TOK_STAR, IAM_TOK_QMARK, IAM_TOK_VAR };

typedef struct iam_tok {
    int kind;          /* IAM_TOK_* */
    size_t off, len;   /* LIT: bytes of the template's src; VAR: the key */
    int has_default;   /* VAR only */
    size_t doff, dlen; /* VAR only: the default value, without its quotes */
} iam_tok;

typedef struct iam_tmpl {
    const char *src; /* borrowed from the owning value/entry (its 'text') */
    iam_tok *toks;   /* owned */
    size_t n_toks;
    int has_vars; /* at least one IAM_TOK_VAR */
    int wild;     /* '*' and '?' are wildcards (Like/Arn/Action/Resource) */
    int *cells;   /* owned; the pre-expanded cells when !has_vars */
    size_t n_cells;
    char *lit; /* owned; the literal bytes when !has_vars && !wild */
    size_t lit_len;
} iam_tmpl;

/*---- ARN patterns: Resource/NotResource entries and Arn* values ----*/
#define IAM_ARN_SEGS 6 /* arn, partition, service, region, account, resource */

typedef struct iam_arnpat {
    int any;     /* the entry is "*" */
    int n_segs;  /* 4..6 */
    int extends; /* n_segs < 6: the last segment ends in '*' and
                 ** also spans the colons of the rest */
    iam_tmpl seg[IAM_ARN_SEGS];
} iam_arnpat;

/* A request-side ARN split on its first five colons. */
typedef struct iam_arn {
    int ok;                      /* 0: not an ARN (fewer than five colons) */
    const char *s[IAM_ARN_SEGS]; /* borrowed, not NUL-terminated */
    size_t len[IAM_ARN_SEGS];
    const char *whole; /* the full text, for 'extends' patterns */
    size_t whole_len;
} iam_arn;

/*---- typed condition values ----*/
typedef struct iam_dec { /* exact decimal: sign, integer and fraction digits */
    int neg;             /* 1 for a negative non-zero value */
    const char *ip;      /* integer digits without leading zeros (borrowed) */
    size_t ilen;
    const char *fp; /* fraction digits without trailing zeros (borrowed) */
    size_t flen;
} iam_dec;

typedef struct iam_time { /* an instant: seconds since the epoch + nanoseconds */
    int64_t sec;
    int32_t nsec; /* 0..999999999 */
} iam_time;

typedef struct iam_cidr { /* an address or network of one family */
    int v6;               /* 0: IPv4 (addr[0..3]), 1: IPv6 */
    unsigned char addr[16];
    int prefix; /* 0..32 or 0..128 */
} iam_cidr;

/*---- operators ----*/
typedef enum iam_family {
    IAM_FAM_STRING,
    IAM_FAM_NUMERIC,
    IAM_FAM_DATE,
    IAM_FAM_BOOL,
    IAM_FAM_BINARY,
    IAM_FAM_IP,
    IAM_FAM_ARN,
    IAM_FAM_NULL
} iam_family;

typedef enum iam_cmp {
    IAM_CMP_EQ,
    IAM_CMP_EQ_IC,
    IAM_CMP_LIKE,
    IAM_CMP_LT,
    IAM_CMP_LE,
    IAM_CMP_GT,
    IAM_CMP_GE,
    IAM_CMP_IN,
    IAM_CMP_NULL
} iam_cmp;

typedef struct iam_opdef {
    const char *name; /* canonical spelling, e.g. "StringNotLike" */
    iam_family family;
    iam_cmp cmp; /* the positive comparison */
    int negated; /* match none of the values (NOR) */
} iam_opdef;

enum { IAM_SET_NONE, IAM_SET_ALL, IAM_SET_ANY };

typedef struct iam_value {
    char *text; /* owned: the policy value as text */
    size_t len;
    union {
        iam_tmpl str;   /* String family */
        iam_arnpat arn; /* Arn family */
        iam_dec num;    /* Numeric (points into 'text') */
        iam_time time;  /* Date */
        int boolean;    /* Bool and Null: 0 or 1 */
        iam_cidr ip;    /* IpAddress / NotIpAddress */
    } u;                /* BinaryEquals keeps only 'text' (see iam_eval.c) */
} iam_value;

typedef struct iam_cond {
    const iam_opdef *op;
    int set; /* IAM_SET_* */
    int if_exists;
    char *key;       /* owned: condition key as written */
    iam_value *vals; /* owned */
    size_t n_vals;
    int has_vars; /* some value contains a policy variable */
} iam_cond;

typedef struct iam_entry { /* one Action/NotAction pattern */
    char *text;            /* owned */
    iam_tmpl pat;
} iam_entry;

typedef struct iam_rentry { /* one Resource/NotResource pattern */
    char *text;             /* owned */
    iam_arnpat pat;
} iam_rentry;

typedef struct iam_stmt {
    char *sid; /* owned; NULL when absent */
    int deny;  /* Effect is Deny */
    int not_action;
    iam_entry *actions;
    size_t n_actions;
    int not_resource;
    iam_rentry *resources;
    size_t n_resources;
    iam_cond *conds;
    size_t n_conds;
} iam_stmt;

struct ddb_policy {
    char *name; /* owned */
    int vars;   /* Version 2012-10-17: ${...} are policy variables */
    iam_stmt *stmts;
    size_t n_stmts;
};

/*---- iam_match.c -- templates, globbing, ARNs, context lookups ----*/

/* The request context of one evaluation: JSON objects read as if merged in
** order, a later layer's key replacing an earlier one of exactly the same
** name (json_object_set), without building the merged object. NULL and
** non-object layers hold no keys. */
typedef struct iam_ctx {
    const json_t *const *layer;
    size_t n;
} iam_ctx;

/* Compile 'len' bytes of 'src' (borrowed for the template's lifetime) into
** 't'. 'wild': '*' and '?' are wildcards; 'vars': ${...} is a policy variable
** (Version 2012-10-17 and an element that allows variables). On a syntax
** error returns DDB_ERR and points *why at a static text; 't' is then empty. */
int ddb_iamp_tmpl_compile(iam_tmpl *t, const char *src, size_t len, int wild, int vars,
                          const char **why);
void ddb_iamp_tmpl_free(iam_tmpl *t);

/* Compile an ARN pattern ("*" or arn:partition:service:region:account:rest,
** see iam_match.c for the short forms). On error returns DDB_ERR with *why. */
int ddb_iamp_arnpat_compile(iam_arnpat *a, const char *src, size_t len, int vars,
                            const char **why);
void ddb_iamp_arnpat_free(iam_arnpat *a);

/* The first policy variable of 'src' whose key is multivalued by type, as a
** new string, or NULL. Only meaningful for a template compiled with vars. */
char *ddb_iamp_tmpl_multivalued_var(const iam_tmpl *t);

/* Resolve 't' against 'ctx'. Returns 1 and sets *cells and *n to matcher cells
** (pointing into 't' or 'scratch'), or 0 when a variable has no value and no
** default: the pattern then matches nothing. */
int ddb_iamp_tmpl_cells(const iam_tmpl *t, const iam_ctx *ctx, iam_cells *scratch,
                        const int **cells, size_t *n);

/* Resolve a non-wild template to bytes: sets *out and *n (pointing into 't' or
** 'scratch') and returns 1, or returns 0 when a variable has no value and no
** default. */
int ddb_iamp_tmpl_bytes(const iam_tmpl *t, const iam_ctx *ctx, ddb_buf *scratch,
                        const char **out, size_t *n);

/* Glob-match 'cells' against 'n' bytes of 's'; 'fold' compares ASCII letters
** case-insensitively. O(n_cells * n) worst case, never exponential. */
int ddb_iamp_glob(const int *cells, size_t n_cells, const char *s, size_t n, int fold);

/* Split 'n' bytes of 's' as a request-side ARN. */
void ddb_iamp_arn_split(const char *s, size_t n, iam_arn *out);

/* Match an ARN pattern against a request string (already split in 'arn',
** with the raw text for "*" entries). */
int ddb_iamp_arn_match(const iam_arnpat *p, const iam_arn *arn, const iam_ctx *ctx,
                       iam_cells *scratch);

/* The context entry for 'key' (case-insensitive; an exact-case entry wins,
** otherwise the first in the merged object's order), or NULL. Borrowed. */
json_t *ddb_iamp_ctx_get(const iam_ctx *ctx, const char *key, size_t key_len);

/* Text of a scalar context value: strings as they are, true/false, integers
** and reals (shortest round-trip form). NULL for null, arrays, objects.
** 'buf' holds converted numbers. */
const char *ddb_iamp_scalar_text(const json_t *v, char buf[40], size_t *len);

/* Shortest "%.*g" text of 'd' that reads back as the same double. */
void ddb_iamp_real_text(double d, char buf[40]);

/* Length of a key of a jansson object as returned by json_object_foreach
** (keys may hold NUL bytes with jansson >= 2.14 and JSON_ALLOW_NUL). */
size_t ddb_iamp_key_len(const char *key);

/* ASCII case-insensitive equality of two byte strings. */
int ddb_iamp_ascii_ieq(const char *a, size_t alen, const char *b, size_t blen);

/*---- iam_values.c -- typed values ----*/
int ddb_iamp_dec_parse(const char *s, size_t n, iam_dec *out);
int ddb_iamp_dec_cmp(const iam_dec *a, const iam_dec *b);
int ddb_iamp_time_parse(const char *s, size_t n, iam_time *out);
int ddb_iamp_time_cmp(const iam_time *a, const iam_time *b);
int ddb_iamp_cidr_parse(const char *s, size_t n, int allow_prefix, iam_cidr *out);
int ddb_iamp_cidr_contains(const iam_cidr *net, const iam_cidr *addr);
int ddb_iamp_bool_parse(const char *s, size_t n, int *out);
/* Equality under simple Unicode case folding (see iam_values.c). */
int ddb_iamp_fold_eq(const char *a, size_t alen, const char *b, size_t blen);
/* Bytes of the UTF-8 character at 's' (1 for an invalid or truncated one). */
size_t ddb_iamp_u8len(const unsigned char *s, size_t n);

#endif
