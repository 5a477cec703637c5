/* SPDX-License-Identifier: MIT
**
** expr_resolve.c -- the placeholder environment, ddb_expr_parse() and the
** resolve pass: everything DynamoDB checks between parsing an expression and
** evaluating it, in DynamoDB's order (see /work/notes/expression-facts.md):
**
**   1. in the order the text is written: list index range, reserved words,
**      function names and where each function may be used (update
**      expressions: a section at a time, then "section used once");
**   2. conditions: a post-order walk -- document path depth, #names, :values,
**      then per operator its operand count, operand types, distinct operands,
**      the operator's own rules (BETWEEN bounds, IN size, document-path
**      operands, attribute_type names) and the operator count;
**      updates: the target paths from the last action back to the first
**      (depth, #names, overlaps and conflicts), then the values the same way
**      (plus ADD/DELETE operand types); projections: each path in order
**      (depth, #names, overlaps and conflicts).
**
** Names and values used are marked in the environment for the unused-key
** check. No evaluation here.
*/
#include "expr_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*---- tables ----*/

/* clang-format off */
const xfunc ddb_xp_functions[FN__COUNT] = {
    [FN_UNKNOWN] = {"", 0, XF_COND, XT_ALL},
#define EXPRFN(id, name, arity, cls, types) [id] = {name, arity, cls, types},
    XP_FUNCTIONS
#undef EXPRFN
};
/* clang-format on */

xfn_id ddb_xp_function(const char *s, size_t n)
{
    for (int i = 1; i < FN__COUNT; i++)
        if (strlen(ddb_xp_functions[i].name) == n &&
            memcmp(ddb_xp_functions[i].name, s, n) == 0)
            return (xfn_id)i;
    return FN_UNKNOWN;
}

static int cmp_word(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* SIZE and CONVERT are on AWS's list but DynamoDB accepts them as names
** (they are function names of its grammar); the nine keywords never reach
** here -- they are tokens of their own and a syntax error as names. */
int ddb_xp_is_reserved(const char *s, size_t n)
{
    char up[32];
    if (n == 0 || n >= sizeof up)
        return 0;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    up[n] = '\0';
    if (strcmp(up, "SIZE") == 0 || strcmp(up, "CONVERT") == 0)
        return 0;
    return bsearch(up, ddb_xp_reserved_words, ddb_xp_n_reserved_words, sizeof(char *),
                   cmp_word) != NULL;
}

const char *ddb_xp_kind_name(ddb_expr_kind kind)
{
    switch (kind) {
        case DDB_EXPR_CONDITION: return "ConditionExpression";
        case DDB_EXPR_FILTER: return "FilterExpression";
        case DDB_EXPR_KEY_CONDITION: return "KeyConditionExpression";
        case DDB_EXPR_PROJECTION: return "ProjectionExpression";
        default: return "UpdateExpression";
    }
}

/*---- environment ----*/

ddb_expr_env *ddb_expr_env_new(json_t *names, json_t *values)
{
    ddb_expr_env *env = ddb_xcalloc(1, sizeof *env);
    env->names = json_is_object(names) ? names : NULL;
    env->values = json_is_object(values) ? values : NULL;
    env->used_names = json_object();
    env->used_values = json_object();
    return env;
}

void ddb_expr_env_free(ddb_expr_env *env)
{
    if (env == NULL)
        return;
    json_decref(env->used_names);
    json_decref(env->used_values);
    free(env);
}

void ddb_expr_env_set_legacy_layer(ddb_expr_env *env, int on)
{
    if (env)
        env->legacy_layer = on != 0;
}

/* '#' or ':' then one or more [A-Za-z0-9_]. */
static int valid_key(const char *k, size_t n, char lead)
{
    if (n < 2 || k[0] != lead)
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

int ddb_expr_env_check(ddb_expr_env *env, ddb_error *err)
{
    const char *k;
    size_t klen;
    json_t *v;
    if (env->names) {
        if (json_object_size(env->names) == 0)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "ExpressionAttributeNames must not be empty");
        json_object_keylen_foreach(env->names, k, klen, v) {
            if (klen > XP_MAX_KEY_BYTES)
                return ddb_err_set(
                    err, DDB_E_VALIDATION,
                    "ExpressionAttributeNames contains invalid key: The expression "
                    "attribute map contains a key that is too long; size of key: %zu",
                    klen);
            if (!valid_key(k, klen, '#'))
                return ddb_err_set(
                    err, DDB_E_VALIDATION,
                    "ExpressionAttributeNames contains invalid key: Syntax error; "
                    "key: \"%.*s\"",
                    (int)klen, k);
            if (json_is_string(v) && json_string_length(v) == 0)
                return ddb_err_set(
                    err, DDB_E_VALIDATION,
                    "ExpressionAttributeNames contains invalid value: Empty "
                    "attribute name for key %.*s",
                    (int)klen, k);
        }
    }
    if (env->values) {
        if (json_object_size(env->values) == 0)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "ExpressionAttributeValues must not be empty");
        json_object_keylen_foreach(env->values, k, klen, v) {
            if (klen > XP_MAX_KEY_BYTES)
                return ddb_err_set(
                    err, DDB_E_VALIDATION,
                    "ExpressionAttributeValues contains invalid key: The expression "
                    "attribute map contains a key that is too long;");
            if (!valid_key(k, klen, ':'))
                return ddb_err_set(
                    err, DDB_E_VALIDATION,
                    "ExpressionAttributeValues contains invalid key: Syntax error; "
                    "key: \"%.*s\"",
                    (int)klen, k);
        }
        json_object_keylen_foreach(env->values, k, klen, v) {
            ddb_error e1 = DDB_ERROR_INIT;
            if (ddb_attr_check(v, &e1) != DDB_OK) {
                if (env->legacy_layer)
                    ddb_err_set(err, e1.code,
                                "ExpressionAttributeValues contains invalid value: "
                                "%s for key %.*s",
                                e1.message ? e1.message : "", (int)klen, k);
                else
                    ddb_err_set(err, e1.code, "%s", e1.message ? e1.message : "");
                ddb_err_clear(&e1);
                return DDB_ERR;
            }
        }
    }
    return DDB_OK;
}

/* Java's String.hashCode of ASCII bytes, spread as HashMap does. */
static uint32_t java_hash(const char *s, size_t n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++)
        h = 31 * h + (unsigned char)s[i];
    return h ^ (h >> 16);
}

struct keypos {
    const char *k;
    size_t n;
    uint32_t bucket;
    size_t order;
};

static int cmp_keypos(const void *a, const void *b)
{
    const struct keypos *x = a, *y = b;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The keys of 'map' not in 'used', listed as a Java HashSet built from all
** of the map's keys lists them (DynamoDB's order). */
static int unused_keys(json_t *map, json_t *used, const char *param, ddb_error *err)
{
    size_t total = json_object_size(map), n = 0;
    if (total == 0)
        return DDB_OK;
    size_t want = (size_t)((float)total / 0.75f) + 1, cap = 1;
    if (want < 16)
        want = 16;
    while (cap < want)
        cap *= 2;
    struct keypos *kp = ddb_xmalloc(total * sizeof *kp);
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(map, k, klen, v) {
        if (json_object_getn(used, k, klen) == NULL) {
            kp[n] = (struct keypos){k, klen, java_hash(k, klen) & (uint32_t)(cap - 1), n};
            n++;
        }
    }
    int rc = DDB_OK;
    if (n > 0) {
        qsort(kp, n, sizeof *kp, cmp_keypos);
        ddb_buf b = DDB_BUF_INIT;
        for (size_t i = 0; i < n; i++) {
            if (i)
                ddb_buf_puts(&b, ", ");
            ddb_buf_append(&b, kp[i].k, kp[i].n);
        }
        char *list = ddb_buf_steal(&b, NULL);
        rc = ddb_err_set(err, DDB_E_VALIDATION,
                         "Value provided in %s unused in expressions: keys: {%s}", param,
                         list);
        free(list);
    }
    free(kp);
    return rc;
}

int ddb_expr_env_check_unused(const ddb_expr_env *env, ddb_error *err)
{
    if (env->names &&
        unused_keys(env->names, env->used_names, "ExpressionAttributeNames", err))
        return DDB_ERR;
    if (env->values &&
        unused_keys(env->values, env->used_values, "ExpressionAttributeValues", err))
        return DDB_ERR;
    return DDB_OK;
}

/*---- resolve context ----*/

typedef struct rctx {
    ddb_expr *e;
    ddb_expr_env *env;
    char *msg; /* first error, without the "Invalid <Kind>: " prefix */
    int ops;   /* operators seen */
} rctx;

static int rfail(rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int rfail(rctx *c, const char *fmt, ...)
{
    if (c->msg == NULL) {
        va_list ap, ap2;
        va_start(ap, fmt);
        va_copy(ap2, ap);
        int n = vsnprintf(NULL, 0, fmt, ap);
        if (n < 0)
            abort();
        c->msg = ddb_xmalloc((size_t)n + 1);
        vsnprintf(c->msg, (size_t)n + 1, fmt, ap2);
        va_end(ap2);
        va_end(ap);
    }
    return DDB_ERR;
}

static const xtok *tok_of(const rctx *c, uint32_t i)
{
    return &c->e->toks[i];
}

#define TOKFMT(c, i) (int)tok_of(c, i)->len, (c)->e->text + tok_of(c, i)->start

/*---- pass 1: as written ----*/

enum { PLACE_COND, PLACE_OPERAND };

static int p1_path(rctx *c, const xpath *path)
{
    for (uint32_t i = 0; i < path->n; i++) {
        const xelem *x = &path->el[i];
        if (x->is_index) {
            if (tok_of(c, x->tok)->len > 10 || x->index > 2147483647u)
                return rfail(
                    c, "List index is not within the allowable range; index: [%.*s]",
                    TOKFMT(c, x->tok));
        } else if (!x->is_ph && ddb_xp_is_reserved(x->name, x->len)) {
            return rfail(c,
                         "Attribute name is a reserved keyword; reserved keyword: %.*s",
                         (int)x->len, x->name);
        }
    }
    return DDB_OK;
}

static int p1_node(rctx *c, xnode *n, int place, const xnode *call_parent)
{
    switch (n->kind) {
        case XN_PATH: return p1_path(c, n->path);
        case XN_VALUE: return DDB_OK;
        case XN_PAREN: return p1_node(c, n->kids[0], place, call_parent);
        case XN_CALL: {
            const char *name = n->text;
            int len = (int)n->text_len;
            if (n->fn == FN_UNKNOWN)
                return rfail(c, "Invalid function name; function: %.*s", len, name);
            xfn_class cls = ddb_xp_functions[n->fn].cls;
            if (c->e->kind == DDB_EXPR_UPDATE) {
                if (cls != XF_UPDATE)
                    return rfail(c,
                                 "The function is not allowed in an update expression; "
                                 "function: %.*s",
                                 len, name);
                if (n->fn == FN_LIST_APPEND && call_parent &&
                    call_parent->fn == FN_LIST_APPEND)
                    return rfail(c,
                                 "The function is not allowed to be used this way in an "
                                 "expression; function: %.*s",
                                 len, name);
            } else {
                if (cls == XF_UPDATE)
                    return rfail(c,
                                 "The function is not allowed in a condition expression; "
                                 "function: %.*s",
                                 len, name);
                if ((place == PLACE_COND) != (cls == XF_COND))
                    return rfail(c,
                                 "The function is not allowed to be used this way in an "
                                 "expression; function: %.*s",
                                 len, name);
            }
            for (uint32_t i = 0; i < n->n_kids; i++)
                if (p1_node(c, n->kids[i], PLACE_OPERAND, n))
                    return DDB_ERR;
            return DDB_OK;
        }
        case XN_AND:
        case XN_OR:
        case XN_NOT:
            for (uint32_t i = 0; i < n->n_kids; i++)
                if (p1_node(c, n->kids[i], PLACE_COND, NULL))
                    return DDB_ERR;
            return DDB_OK;
        default:
            for (uint32_t i = 0; i < n->n_kids; i++)
                if (p1_node(c, n->kids[i], PLACE_OPERAND, NULL))
                    return DDB_ERR;
            return DDB_OK;
    }
}

static const char *const section_names[] = {"SET", "REMOVE", "ADD", "DELETE"};

static int p1_update(rctx *c)
{
    ddb_expr *e = c->e;
    int order[4], n_sec = 0;
    for (size_t i = 0; i < e->n_actions; i++) {
        int k = e->actions[i].kind, seen = 0;
        for (int s = 0; s < n_sec; s++)
            seen |= order[s] == k;
        if (!seen)
            order[n_sec++] = k;
    }
    for (int s = 0; s < n_sec; s++) {
        int clauses = 0, last_clause = -1;
        for (size_t i = 0; i < e->n_actions; i++) {
            xaction *a = &e->actions[i];
            if (a->kind != order[s])
                continue;
            if (a->clause != last_clause) {
                clauses++;
                last_clause = a->clause;
            }
            if (p1_path(c, a->path) ||
                (a->value && p1_node(c, a->value, PLACE_OPERAND, NULL)))
                return DDB_ERR;
        }
        if (clauses > 1)
            return rfail(
                c, "The \"%s\" section can only be used once in an update expression;",
                section_names[order[s]]);
    }
    return DDB_OK;
}

/*---- pass 2: names, values, operators ----*/

static int use_path(rctx *c, xpath *path)
{
    if (path->n > XP_MAX_PATH_DEPTH)
        return rfail(c,
                     "The document path has too many nesting levels; nesting levels: %u",
                     path->n);
    for (uint32_t i = 0; i < path->n; i++) {
        xelem *x = &path->el[i];
        if (!x->is_ph || x->tok == UINT32_MAX)
            continue;
        const xtok *t = tok_of(c, x->tok);
        const char *key = c->e->text + t->start;
        json_t *v =
            c->env && c->env->names ? json_object_getn(c->env->names, key, t->len) : NULL;
        if (v == NULL)
            return rfail(c,
                         "An expression attribute name used in the document path is not "
                         "defined; attribute name: %.*s",
                         (int)t->len, key);
        json_object_setn_new(c->env->used_names, key, t->len, json_true());
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        size_t len = json_is_string(v) ? json_string_length(v) : 0;
        x->name = ddb_xp_strndup(&c->e->arena, s, len);
        x->len = len;
        x->tok = UINT32_MAX; /* resolved */
    }
    return DDB_OK;
}

static int use_value(rctx *c, xnode *n)
{
    if (n->value)
        return DDB_OK;
    json_t *v = c->env && c->env->values
                    ? json_object_getn(c->env->values, n->text, n->text_len)
                    : NULL;
    if (v == NULL)
        return rfail(c,
                     "An expression attribute value used in expression is not defined; "
                     "attribute value: %.*s",
                     (int)n->text_len, n->text);
    json_object_setn_new(c->env->used_values, n->text, n->text_len, json_true());
    json_array_append(c->e->held, v);
    n->value = v;
    return DDB_OK;
}

static const char *op_name(const xnode *n, char buf[8])
{
    switch (n->kind) {
        case XN_OR: return "OR";
        case XN_AND: return "AND";
        case XN_NOT: return "NOT";
        case XN_BETWEEN: return "BETWEEN";
        case XN_IN: return "IN";
        case XN_ARITH: return n->op == TK_PLUS ? "+" : "-";
        case XN_CMP:
            switch (n->op) {
                case TK_EQ: return "=";
                case TK_NE: return "<>";
                case TK_LT: return "<";
                case TK_LE: return "<=";
                case TK_GT: return ">";
                default: return ">=";
            }
        default: {
            size_t len = n->text_len < 7 ? n->text_len : 7;
            memcpy(buf, n->text, len);
            buf[len] = '\0';
            return buf;
        }
    }
}

/* The types an operand can evaluate to (XT_* bits). */
static unsigned return_types(xnode *n)
{
    n = ddb_xp_unwrap(n);
    switch (n->kind) {
        case XN_PATH: return XT_ALL;
        case XN_VALUE: return n->value ? XT(ddb_attr_type(n->value)) : XT_ALL;
        case XN_ARITH: return XT_N;
        case XN_CALL:
            switch (n->fn) {
                case FN_SIZE: return XT_N;
                case FN_LIST_APPEND: return XT_L;
                case FN_IF_NOT_EXISTS:
                case FN_UNKNOWN: return XT_ALL;
                default: return XT(DDB_T_BOOL);
            }
        default: return XT(DDB_T_BOOL);
    }
}

/* A type set as DynamoDB prints it: one symbol, or every type (the order
** DynamoDB Local 3.3.1 prints for a document path). */
static const char *type_symbols(unsigned mask)
{
    for (int t = DDB_T_S; t <= DDB_T_BS; t++)
        if (mask == XT(t))
            return ddb_type_name((ddb_type)t);
    return "{SS,M,DECIMAL,DOUBLESET,HDS,N,B,DICT,INTSET,BOOL,HD,BS,INT,DECIMALSET,NULL,"
           "FLOAT,FS,S,L,NS,DOUBLE}";
}

static unsigned operand_types(const xnode *n)
{
    switch (n->kind) {
        case XN_AND:
        case XN_OR:
        case XN_NOT: return XT(DDB_T_BOOL);
        case XN_BETWEEN: return XT_ORDERED;
        case XN_IN: return XT_ALL;
        case XN_ARITH: return XT_N;
        case XN_CMP: return n->op == TK_EQ || n->op == TK_NE ? XT_ALL : XT_ORDERED;
        default: return ddb_xp_functions[n->fn].types;
    }
}

/* Operators that accept missing attributes, and so reject a first operand
** repeated as a later one. */
static int wants_distinct(const xnode *n)
{
    switch (n->kind) {
        case XN_CMP:
        case XN_BETWEEN:
        case XN_IN: return 1;
        case XN_CALL:
            return n->fn == FN_BEGINS_WITH || n->fn == FN_CONTAINS ||
                   n->fn == FN_ATTRIBUTE_TYPE || n->fn == FN_IF_NOT_EXISTS;
        default: return 0;
    }
}

static int same_elem(const xelem *a, const xelem *b)
{
    if (a->is_index != b->is_index)
        return 0;
    if (a->is_index)
        return a->index == b->index;
    return a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
}

static int same_path(const xpath *a, const xpath *b)
{
    if (a->n != b->n)
        return 0;
    for (uint32_t i = 0; i < a->n; i++)
        if (!same_elem(&a->el[i], &b->el[i]))
            return 0;
    return 1;
}

char *ddb_xp_path_text(const xpath *path, uint32_t n)
{
    ddb_buf b = DDB_BUF_INIT;
    ddb_buf_putc(&b, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            ddb_buf_puts(&b, ", ");
        if (path->el[i].is_index)
            ddb_buf_printf(&b, "[%u]", path->el[i].index);
        else
            ddb_buf_append(&b, path->el[i].name, path->el[i].len);
    }
    ddb_buf_putc(&b, ']');
    return ddb_buf_steal(&b, NULL);
}

/* "AttributeValue: {S:x}" as DynamoDB prints a BETWEEN bound. */
static char *bound_text(const json_t *v)
{
    ddb_type t = ddb_attr_type(v);
    json_t *p = ddb_attr_payload(v);
    if (t == DDB_T_B) {
        size_t len = 0;
        unsigned char *bytes = ddb_attr_binary(v, &len);
        free(bytes);
        return ddb_xasprintf(
            "AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]}", len,
            len);
    }
    return ddb_xasprintf("AttributeValue: {%s:%.*s}", ddb_type_name(t),
                         (int)json_string_length(p), json_string_value(p));
}

static const char *const type_name_list = "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}";

static int validate_op(rctx *c, xnode *n)
{
    char buf[8];
    const char *name = op_name(n, buf);
    char *fname = NULL;
    if (n->kind == XN_CALL)
        name = fname = ddb_xstrndup(n->text, n->text_len);
    int rc = DDB_ERR;
    /* operand count */
    if (n->kind == XN_CALL && (int)n->n_kids != ddb_xp_functions[n->fn].arity) {
        rfail(c,
              "Incorrect number of operands for operator or function; operator or "
              "function: %s, number of operands: %u",
              name, n->n_kids);
        goto out;
    }
    /* operand types */
    unsigned allowed = operand_types(n);
    for (uint32_t i = 0; i < n->n_kids; i++) {
        unsigned rt = return_types(n->kids[i]);
        if ((rt & allowed) == 0) {
            rfail(
                c,
                "Incorrect operand type for operator or function; operator or function: "
                "%s, operand type: %s",
                name, type_symbols(rt));
            goto out;
        }
    }
    /* a first operand repeated */
    if (wants_distinct(n) && n->n_kids > 1) {
        xnode *first = ddb_xp_unwrap(n->kids[0]);
        for (uint32_t i = 1; first->kind == XN_PATH && i < n->n_kids; i++) {
            xnode *k = ddb_xp_unwrap(n->kids[i]);
            if (k->kind == XN_PATH && same_path(first->path, k->path)) {
                char *pt = ddb_xp_path_text(first->path, first->path->n);
                rfail(
                    c,
                    "The first operand must be distinct from the remaining operands for "
                    "this operator or function; operator: %s, first operand: %s",
                    name, pt);
                free(pt);
                goto out;
            }
        }
    }
    /* the operator's own rules */
    if (n->kind == XN_CALL) {
        xnode *a0 = ddb_xp_unwrap(n->kids[0]);
        if ((n->fn == FN_ATTRIBUTE_EXISTS || n->fn == FN_ATTRIBUTE_NOT_EXISTS ||
             n->fn == FN_IF_NOT_EXISTS) &&
            a0->kind != XN_PATH) {
            rfail(
                c,
                "Operator or function requires a document path; operator or function: %s",
                name);
            goto out;
        }
        if (n->fn == FN_ATTRIBUTE_TYPE) {
            xnode *a1 = ddb_xp_unwrap(n->kids[1]);
            if (a1->kind != XN_VALUE || ddb_attr_type(a1->value) != DDB_T_S) {
                rfail(c,
                      "Incorrect operand type for operator or function; operator or "
                      "function: %s, operand type: %s",
                      name, type_symbols(return_types(a1)));
                goto out;
            }
            json_t *s = ddb_attr_payload(a1->value);
            if (ddb_type_from_name(json_string_value(s), json_string_length(s)) ==
                DDB_T_NONE) {
                rfail(c, "Invalid attribute type name found; type: %.*s, valid types: %s",
                      (int)json_string_length(s), json_string_value(s), type_name_list);
                goto out;
            }
        }
    } else if (n->kind == XN_BETWEEN) {
        xnode *lo = ddb_xp_unwrap(n->kids[1]), *hi = ddb_xp_unwrap(n->kids[2]);
        if (lo->kind == XN_VALUE && hi->kind == XN_VALUE) {
            ddb_type tl = ddb_attr_type(lo->value), th = ddb_attr_type(hi->value);
            const char *why = NULL;
            if (tl != th)
                why = "same data type for lower and upper bounds";
            else if (ddb_attr_compare(lo->value, hi->value) > 0)
                why = "upper bound to be greater than or equal to lower bound";
            if (why) {
                char *a = bound_text(lo->value), *b = bound_text(hi->value);
                rfail(c,
                      "The BETWEEN operator requires %s; lower bound operand: %s, "
                      "upper bound operand: %s",
                      why, a, b);
                free(a);
                free(b);
                goto out;
            }
        }
    } else if (n->kind == XN_IN && n->n_kids - 1 > XP_MAX_IN_OPERANDS) {
        rfail(
            c,
            "The IN operator is provided with too many operands; number of operands: %u",
            n->n_kids - 1);
        goto out;
    }
    if (++c->ops > XP_MAX_OPERATORS) {
        rfail(c, "The expression contains too many operators; operator count: %d",
              c->ops);
        goto out;
    }
    rc = DDB_OK;
out:
    free(fname);
    return rc;
}

static int p2_node(rctx *c, xnode *n)
{
    switch (n->kind) {
        case XN_PAREN: return p2_node(c, n->kids[0]);
        case XN_PATH: return use_path(c, n->path);
        case XN_VALUE: return use_value(c, n);
        default:
            for (uint32_t i = 0; i < n->n_kids; i++)
                if (p2_node(c, n->kids[i]))
                    return DDB_ERR;
            return validate_op(c, n);
    }
}

/*---- overlapping and conflicting document paths ----*/

typedef struct ptnode ptnode;
struct ptnode {
    const xelem *el;
    ptnode *first, *last, *next;
    int leaf;
};

/* Path two of a clash: 'n' elements of 'path', then down the first branch
** of 'from' to its end. */
static char *clash_path(const xpath *path, uint32_t n, const ptnode *from)
{
    uint32_t cap = n + XP_MAX_PATH_DEPTH + 1;
    xelem *el = ddb_xmalloc(cap * sizeof *el);
    memcpy(el, path->el, n * sizeof *el);
    for (; from && n < cap; from = from->first)
        el[n++] = *from->el;
    xpath p2 = {el, n};
    char *s = ddb_xp_path_text(&p2, n);
    free(el);
    return s;
}

static int path_clash(rctx *c, const char *what, const xpath *one, char *two)
{
    char *p1 = ddb_xp_path_text(one, one->n);
    rfail(c,
          "Two document paths %s with each other; must remove or rewrite one of these "
          "paths; path one: %s, path two: %s",
          what, p1, two);
    free(p1);
    free(two);
    return DDB_ERR;
}

/* Add 'path' to the tree of paths seen so far (DynamoDB's projection tree). */
static int tree_insert(rctx *c, ptnode *root, const xpath *path)
{
    ptnode *node = root;
    for (uint32_t d = 0; d < path->n; d++) {
        const xelem *x = &path->el[d];
        ptnode *child = node->first;
        while (child && !same_elem(child->el, x))
            child = child->next;
        if (child == NULL) {
            if (node->first && node->first->el->is_index != x->is_index)
                return path_clash(c, "conflict", path, clash_path(path, d, node->first));
            for (; d < path->n; d++) {
                ptnode *k = ddb_xp_alloc(&c->e->arena, sizeof *k);
                k->el = &path->el[d];
                if (node->last)
                    node->last->next = k;
                else
                    node->first = k;
                node->last = k;
                node = k;
            }
            node->leaf = 1;
            return DDB_OK;
        }
        if (child->leaf)
            return path_clash(c, "overlap", path, clash_path(path, d + 1, NULL));
        if (d + 1 == path->n)
            return path_clash(c, "overlap", path, clash_path(path, d, child));
        node = child;
    }
    return DDB_OK;
}

/*---- the passes per kind ----*/

static int resolve_update(rctx *c)
{
    ddb_expr *e = c->e;
    if (p1_update(c))
        return DDB_ERR;
    ptnode *root = ddb_xp_alloc(&e->arena, sizeof *root);
    for (size_t i = e->n_actions; i-- > 0;)
        if (use_path(c, e->actions[i].path) || tree_insert(c, root, e->actions[i].path))
            return DDB_ERR;
    for (size_t i = e->n_actions; i-- > 0;) {
        xaction *a = &e->actions[i];
        if (a->value == NULL)
            continue;
        if (p2_node(c, a->value))
            return DDB_ERR;
        if (a->kind == XA_ADD || a->kind == XA_DELETE) {
            ddb_type t = ddb_attr_type(a->value->value);
            int ok = t == DDB_T_SS || t == DDB_T_NS || t == DDB_T_BS ||
                     (a->kind == XA_ADD && t == DDB_T_N);
            if (!ok) {
                static const char *const long_names[] = {
                    "",    "STRING", "NUMBER",     "BINARY",     "BOOLEAN",   "NULL",
                    "MAP", "LIST",   "STRING_SET", "NUMBER_SET", "BINARY_SET"};
                const char *op = a->kind == XA_ADD ? "ADD" : "DELETE";
                return rfail(
                    c,
                    "Incorrect operand type for operator or function; operator: %s, "
                    "operand type: %s, typeSet: ALLOWED_FOR_%s_OPERAND",
                    op, long_names[t], op);
            }
        }
    }
    return DDB_OK;
}

static int resolve_projection(rctx *c)
{
    ddb_expr *e = c->e;
    for (size_t i = 0; i < e->n_paths; i++)
        if (p1_path(c, e->paths[i]))
            return DDB_ERR;
    ptnode *root = ddb_xp_alloc(&e->arena, sizeof *root);
    for (size_t i = 0; i < e->n_paths; i++)
        if (use_path(c, e->paths[i]) || tree_insert(c, root, e->paths[i]))
            return DDB_ERR;
    return DDB_OK;
}

int ddb_xp_resolve(ddb_expr *e, ddb_expr_env *env, char **msg)
{
    rctx c = {e, env, NULL, 0};
    int rc;
    switch (e->kind) {
        case DDB_EXPR_UPDATE: rc = resolve_update(&c); break;
        case DDB_EXPR_PROJECTION: rc = resolve_projection(&c); break;
        default:
            rc = p1_node(&c, e->root, PLACE_COND, NULL) || p2_node(&c, e->root) ? DDB_ERR
                                                                                : DDB_OK;
            break;
    }
    *msg = c.msg;
    return rc;
}

/*---- ddb_expr_parse ----*/

ddb_expr *ddb_expr_parse(ddb_expr_env *env, ddb_expr_kind kind, const char *text,
                         ddb_error *err)
{
    const char *kname = ddb_xp_kind_name(kind);
    size_t len = text ? strlen(text) : 0;
    if (len == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, "Invalid %s: The expression can not be empty;",
                    kname);
        return NULL;
    }
    if (len > XP_MAX_EXPR_BYTES) {
        if (env && env->legacy_layer &&
            (kind == DDB_EXPR_CONDITION || kind == DDB_EXPR_FILTER))
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Invalid %s: Expression size has exceeded the "
                        "maximum allowed size; expression size: %zu",
                        kname, len);
        else
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Invalid %s: Expression size has exceeded the "
                        "maximum allowed size;",
                        kname);
        return NULL;
    }
    ddb_expr *e = ddb_xcalloc(1, sizeof *e);
    e->kind = kind;
    e->text = ddb_xstrndup(text, len);
    e->text_len = len;
    e->held = json_array();
    char *msg = NULL;
    if (ddb_xp_parse(e, &msg) != DDB_OK || ddb_xp_resolve(e, env, &msg) != DDB_OK) {
        ddb_err_set(err, DDB_E_VALIDATION, "Invalid %s: %s", kname, msg ? msg : "");
        free(msg);
        ddb_expr_free(e);
        return NULL;
    }
    return e;
}

void ddb_expr_free(ddb_expr *e)
{
    if (e == NULL)
        return;
    ddb_xp_arena_free(&e->arena);
    free(e->text);
    free(e->toks);
    json_decref(e->held);
    free(e);
}
