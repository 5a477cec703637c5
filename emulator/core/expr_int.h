/* SPDX-License-Identifier: MIT
**
** expr_int.h -- private structures of the expression engine (expr_*.c):
** tokens, the syntax tree, document paths, update actions, the function
** table and the arena every tree lives in. Included only by expr_*.c and
** reserved_words.gen.c; nothing here is part of ddb_expr.h.
**
** Functions shared between the module's files have external linkage and so
** carry the ddb_xp_ prefix (the symbol check wants ddb_ on every exported
** name); everything file-local is static and unprefixed.
*/
#ifndef DDB_EXPR_INT_H
#define DDB_EXPR_INT_H

#include "ddb_attr.h"
#include "ddb_error.h"
#include "ddb_expr.h"
#include "ddb_number.h"
#include "ddb_util.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*---- limits (DynamoDB's, plus ddbd's own recursion cap) ----*/
#define XP_MAX_EXPR_BYTES 4096  /* expression text, raw UTF-8 bytes */
#define XP_MAX_PATH_DEPTH 32    /* document path elements */
#define XP_MAX_OPERATORS 300    /* operators and functions in one expression */
#define XP_MAX_IN_OPERANDS 100  /* values after IN */
#define XP_MAX_NEST 1000        /* parser recursion (parens, NOT, calls); ddbd's */
#define XP_MAX_KEY_BYTES 255    /* ExpressionAttributeNames/Values key length */

/*---- tokens (expr_lex.c) ----*/
typedef enum xtok_type {
    TK_EOF = 0,
    TK_NAME,    /* identifier: [A-Za-z][A-Za-z0-9_]* that is not a keyword */
    TK_HASH,    /* #name placeholder */
    TK_COLON,   /* :value placeholder */
    TK_INT,     /* list index: 0 or [1-9][0-9]* */
    TK_AND, TK_OR, TK_NOT, TK_BETWEEN, TK_IN, TK_SET, TK_REMOVE, TK_ADD, TK_DELETE,
    TK_LP, TK_RP, TK_LB, TK_RB, TK_COMMA, TK_DOT,
    TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE, TK_PLUS, TK_MINUS,
    TK_BAD      /* one character DynamoDB's lexer does not accept */
} xtok_type;

typedef struct xtok {
    uint8_t type;   /* xtok_type */
    uint32_t start; /* byte offset into the expression text */
    uint32_t len;   /* 0 for TK_EOF */
} xtok;

/* Tokenise 'len' bytes of 'text' (len <= XP_MAX_EXPR_BYTES). Returns a new
** array (caller frees) ending with one TK_EOF token; *out_n counts it. */
xtok *ddb_xp_lex(const char *text, size_t len, size_t *out_n);

/*---- arena: every node, path and string of one ddb_expr ----*/
typedef struct xarena_chunk xarena_chunk;
typedef struct xarena {
    xarena_chunk *head;
} xarena;

void *ddb_xp_alloc(xarena *a, size_t n);               /* zeroed; aborts on OOM */
char *ddb_xp_strndup(xarena *a, const char *s, size_t n); /* NUL-terminated copy */
void ddb_xp_arena_free(xarena *a);

/*---- functions (a table, like jq's builtins) ----*/
typedef enum xfn_class {
    XF_COND,    /* a condition on its own: attribute_exists ... contains */
    XF_SIZE,    /* an operand of a condition: size */
    XF_UPDATE   /* a SET value: if_not_exists, list_append */
} xfn_class;

/* EXPRFN(id, name, arity, class, operand types) -- operand types are the
** type-set bits every operand must fit (XT_ALL when checked elsewhere). */
#define XP_FUNCTIONS                                                                   \
    EXPRFN(FN_ATTRIBUTE_EXISTS, "attribute_exists", 1, XF_COND, XT_ALL)                \
    EXPRFN(FN_ATTRIBUTE_NOT_EXISTS, "attribute_not_exists", 1, XF_COND, XT_ALL)        \
    EXPRFN(FN_ATTRIBUTE_TYPE, "attribute_type", 2, XF_COND, XT_ALL)                    \
    EXPRFN(FN_BEGINS_WITH, "begins_with", 2, XF_COND, XT_S | XT_B)                     \
    EXPRFN(FN_CONTAINS, "contains", 2, XF_COND, XT_ALL)                                \
    EXPRFN(FN_SIZE, "size", 1, XF_SIZE, XT_ITERABLE)                                   \
    EXPRFN(FN_IF_NOT_EXISTS, "if_not_exists", 2, XF_UPDATE, XT_ALL)                    \
    EXPRFN(FN_LIST_APPEND, "list_append", 2, XF_UPDATE, XT_L)

typedef enum xfn_id {
    FN_UNKNOWN = 0,
#define EXPRFN(id, name, arity, cls, types) id,
    XP_FUNCTIONS
#undef EXPRFN
    FN__COUNT
} xfn_id;

typedef struct xfunc {
    const char *name;
    int arity;
    xfn_class cls;
    unsigned types; /* XT_* bits */
} xfunc;

extern const xfunc ddb_xp_functions[FN__COUNT];
/* The function named by 'n' bytes at 's' (case-sensitive), or FN_UNKNOWN. */
xfn_id ddb_xp_function(const char *s, size_t n);

/* Type-set bits, one per ddb_type (bit = 1 << type). */
#define XT(t) (1u << (t))
#define XT_S XT(DDB_T_S)
#define XT_N XT(DDB_T_N)
#define XT_B XT(DDB_T_B)
#define XT_L XT(DDB_T_L)
#define XT_ORDERED (XT_S | XT_N | XT_B)
#define XT_ITERABLE                                                                 \
    (XT_S | XT_B | XT(DDB_T_SS) | XT(DDB_T_NS) | XT(DDB_T_BS) | XT_L | XT(DDB_T_M))
#define XT_ALL 0x7FEu /* the ten types */

/*---- document paths ----*/
typedef struct xelem {
    const char *name;  /* map key (resolved #name after the resolve pass) */
    size_t len;        /* bytes of name */
    uint32_t index;    /* list index when is_index */
    uint8_t is_index;
    uint8_t is_ph;     /* written as a #placeholder */
    uint32_t tok;      /* token of the element (for messages) */
} xelem;

typedef struct xpath {
    xelem *el;
    uint32_t n;
} xpath;

/*---- syntax tree ----*/
typedef enum xnode_kind {
    XN_OR, XN_AND, XN_NOT,
    XN_CMP,     /* op: TK_EQ .. TK_GE */
    XN_BETWEEN, /* kids: operand, lower, upper */
    XN_IN,      /* kids: operand, list... */
    XN_CALL,    /* fn, kids: arguments */
    XN_ARITH,   /* op: TK_PLUS / TK_MINUS */
    XN_PATH,
    XN_VALUE,
    XN_PAREN    /* parentheses as written; transparent after parsing */
} xnode_kind;

typedef struct xnode xnode;
struct xnode {
    uint8_t kind;        /* xnode_kind */
    uint8_t op;          /* XN_CMP / XN_ARITH operator token type */
    uint8_t fn;          /* XN_CALL: xfn_id */
    uint32_t tok;        /* operator / function name / value token */
    uint32_t n_kids;
    xnode **kids;
    xpath *path;         /* XN_PATH */
    const char *text;    /* XN_CALL name, XN_VALUE placeholder, as written */
    size_t text_len;
    json_t *value;       /* XN_VALUE after resolve (held by the ddb_expr) */
};

/*---- update actions ----*/
typedef enum xact_kind {
    XA_SET, XA_REMOVE, XA_ADD, XA_DELETE,
    XA_PUT_LEGACY, XA_ADD_LEGACY, XA_DELETE_LEGACY /* AttributeUpdates */
} xact_kind;

typedef struct xaction {
    uint8_t kind;      /* xact_kind */
    uint16_t clause;   /* textual clause number (0, 1, ...) */
    xpath *path;
    xnode *value;      /* SET value, ADD/DELETE operand; NULL for REMOVE */
} xaction;

/*---- the parsed expression ----*/
struct ddb_expr {
    ddb_expr_kind kind;
    xarena arena;
    char *text;         /* copy of the source (tokens point into it); NULL for legacy */
    size_t text_len;
    xtok *toks;         /* NULL for legacy */
    size_t n_toks;
    xnode *root;        /* conditions, filters, key conditions */
    xaction *actions;   /* updates */
    size_t n_actions;
    xpath **paths;      /* projections */
    size_t n_paths;
    int legacy;         /* built from a legacy parameter */
    json_t *held;       /* array: the values the tree refers to */
};

/*---- the request's placeholders ----*/
struct ddb_expr_env {
    json_t *names;      /* borrowed; may be NULL */
    json_t *values;     /* borrowed; may be NULL */
    json_t *used_names; /* object: keys used so far */
    json_t *used_values;
    int legacy_layer;
};

/*---- shared helpers ----*/

/* "ConditionExpression", ... */
const char *ddb_xp_kind_name(ddb_expr_kind kind);

/* Parse (syntax, redundant parentheses) 'e->text' into 'e'. Records the error
** text without the "Invalid <Kind>: " prefix in *msg (new string). */
int ddb_xp_parse(ddb_expr *e, char **msg);

/* Resolve names and values and run every static check (resolve pass). */
int ddb_xp_resolve(ddb_expr *e, ddb_expr_env *env, char **msg);

/* The value at 'path' in 'item' (an item map; NULL = no item), borrowed. */
const json_t *ddb_xp_path_get(const json_t *item, const xpath *path, uint32_t n);

/* Skip parentheses. */
xnode *ddb_xp_unwrap(xnode *n);

/* Deep equality, order and the small value helpers of expr_eval.c. */
int ddb_xp_set_has(const json_t *set_payload, ddb_type t, const json_t *member);
json_t *ddb_xp_number_json(const ddb_number *n);

/* "[a, b, [1]]": a path as DynamoDB prints it (new string). */
char *ddb_xp_path_text(const xpath *path, uint32_t n);

/* Reserved words (reserved_words.gen.c) and the check of one word. */
extern const char *const ddb_xp_reserved_words[];
extern const size_t ddb_xp_n_reserved_words;
int ddb_xp_is_reserved(const char *s, size_t n);

/* Project 'item' onto 'n' paths (new object). */
json_t *ddb_xp_project(const json_t *item, xpath *const *paths, size_t n);

#endif
