/* SPDX-License-Identifier: MIT
**
** expr_key.c -- what an expression says about key attributes: splitting a
** key condition into the partition-key equality and the sort-key condition
** for a key schema (with DynamoDB's structural and schema errors), the
** "Key attributes must be scalars" check, and the top-level names an
** expression refers to.
**
** Key conditions are checked after every expression of the Query has been
** parsed and the unused placeholders reported, as DynamoDB does: first the
** shape of the expression (only AND, comparisons, BETWEEN and begins_with,
** one key attribute per condition, no nesting), then the number of
** conditions, then the key schema (see /work/notes/expression-facts.md).
*/
#include "expr_int.h"

#include <stdlib.h>
#include <string.h>

/*---- walking every document path ----*/

typedef int (*path_fn)(const xpath *path, void *arg);

static int walk_node(const xnode *n, path_fn fn, void *arg)
{
    if (n == NULL)
        return 0;
    if (n->kind == XN_PATH)
        return fn(n->path, arg);
    for (uint32_t i = 0; i < n->n_kids; i++)
        if (walk_node(n->kids[i], fn, arg))
            return 1;
    return 0;
}

static int walk_paths(const ddb_expr *e, path_fn fn, void *arg)
{
    if (walk_node(e->root, fn, arg))
        return 1;
    for (size_t i = 0; i < e->n_paths; i++)
        if (fn(e->paths[i], arg))
            return 1;
    for (size_t i = 0; i < e->n_actions; i++)
        if (fn(e->actions[i].path, arg) || walk_node(e->actions[i].value, fn, arg))
            return 1;
    return 0;
}

static int add_top(const xpath *path, void *arg)
{
    json_t *names = arg;
    const xelem *x = &path->el[0];
    size_t i;
    json_t *s;
    json_array_foreach(names, i, s) {
        if (json_string_length(s) == x->len &&
            memcmp(json_string_value(s), x->name, x->len) == 0)
            return 0;
    }
    json_array_append_new(names, json_stringn(x->name, x->len));
    return 0;
}

json_t *ddb_expr_top_names(const ddb_expr *e)
{
    json_t *names = json_array();
    if (e)
        walk_paths(e, add_top, names);
    return names;
}

struct nested_arg {
    const char *name;
    size_t len;
};

static int is_nested_in(const xpath *path, void *arg)
{
    const struct nested_arg *a = arg;
    return path->n > 1 && !path->el[0].is_index && path->el[0].len == a->len &&
           memcmp(path->el[0].name, a->name, a->len) == 0;
}

int ddb_expr_check_key_scalar(const ddb_expr *e, const char *name, int index_key,
                              ddb_error *err)
{
    struct nested_arg a = {name, strlen(name)};
    if (e && walk_paths(e, is_nested_in, &a))
        return ddb_err_set(
            err, DDB_E_VALIDATION,
            "Key attributes must be scalars; list random access '[]' and map "
            "lookup '.' are not allowed: %s: %s",
            index_key ? "IndexKey" : "Key", name);
    return DDB_OK;
}

/*---- key conditions ----*/

typedef struct kcond {
    const xelem *attr;
    ddb_key_op op;
    int indexable;
    const json_t *v[2];
    size_t n_v;
} kcond;

typedef struct kclist {
    kcond c[3]; /* a third condition is already an error */
    size_t n;
} kclist;

static int kfail(ddb_error *err, const char *msg)
{
    return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg);
}

static int same_attr(const xelem *a, const xelem *b)
{
    return a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
}

static ddb_key_op cmp_key_op(int op, int flipped)
{
    switch (op) {
        case TK_EQ: return DDB_KEY_EQ;
        case TK_LT: return flipped ? DDB_KEY_GT : DDB_KEY_LT;
        case TK_LE: return flipped ? DDB_KEY_GE : DDB_KEY_LE;
        case TK_GT: return flipped ? DDB_KEY_LT : DDB_KEY_GT;
        default: return flipped ? DDB_KEY_LE : DDB_KEY_GE;
    }
}

/* The structural rules of a KeyConditionExpression (DynamoDB's order). */
static int kc_walk(const xnode *n, kclist *out, size_t *count, ddb_error *err)
{
    n = ddb_xp_unwrap((xnode *)n);
    switch (n->kind) {
        case XN_OR:
            return kfail(err, "Invalid operator used in KeyConditionExpression: OR");
        case XN_NOT:
            return kfail(err, "Invalid operator used in KeyConditionExpression: NOT");
        case XN_IN:
            return kfail(err, "Invalid operator used in KeyConditionExpression: IN");
        case XN_CMP:
            if (n->op == TK_NE)
                return kfail(err, "Invalid operator used in KeyConditionExpression: <>");
            break;
        case XN_CALL:
            if (n->fn == FN_SIZE)
                return kfail(err,
                             "KeyConditionExpressions cannot contain nested operations");
            if (n->fn != FN_BEGINS_WITH)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "Invalid operator used in "
                                   "KeyConditionExpression: %.*s",
                                   (int)n->text_len, n->text);
            if (ddb_xp_unwrap(n->kids[0])->kind != XN_PATH)
                return kfail(err,
                             "Invalid condition in KeyConditionExpression: begins_with "
                             "operator must have the key attribute as its first operand");
            break;
        case XN_BETWEEN:
            if (ddb_xp_unwrap(n->kids[0])->kind != XN_PATH)
                return kfail(err,
                             "Invalid condition in KeyConditionExpression: BETWEEN "
                             "operator must have the key attribute as its first operand");
            break;
        default: break;
    }
    const xelem *attr = NULL;
    uint32_t attr_ix = 0;
    const json_t *vals[2] = {NULL, NULL};
    size_t n_vals = 0;
    for (uint32_t i = 0; i < n->n_kids; i++) {
        const xnode *k = ddb_xp_unwrap(n->kids[i]);
        if (k->kind == XN_PATH) {
            if (attr)
                return kfail(err, "Invalid condition in KeyConditionExpression: Multiple "
                                  "attribute names used in one condition");
            if (k->path->n > 1)
                return kfail(err,
                             "KeyConditionExpressions cannot have conditions on nested "
                             "attributes");
            attr = &k->path->el[0];
            attr_ix = i;
        } else if (k->kind == XN_VALUE) {
            if (n_vals < 2)
                vals[n_vals++] = k->value;
        } else if (kc_walk(k, out, count, err)) {
            return DDB_ERR;
        }
    }
    if (n->kind == XN_AND)
        return DDB_OK;
    if (attr == NULL)
        return kfail(err, "Invalid condition in KeyConditionExpression: No key attribute "
                          "specified");
    for (size_t i = 0; i < out->n; i++)
        if (same_attr(out->c[i].attr, attr))
            return kfail(
                err, "KeyConditionExpressions must only contain one condition per key");
    if (out->n < 3) {
        kcond *c = &out->c[out->n++];
        c->attr = attr;
        c->indexable = 1;
        c->op = n->kind == XN_BETWEEN ? DDB_KEY_BETWEEN
                : n->kind == XN_CALL  ? DDB_KEY_BEGINS_WITH
                                      : cmp_key_op(n->op, attr_ix != 0);
        c->v[0] = vals[0];
        c->v[1] = vals[1];
        c->n_v = n_vals;
    }
    (*count)++;
    return DDB_OK;
}

/* A legacy KeyConditions tree: AND of single-attribute conditions, each with
** its attribute as the first operand (ddb_expr_from_key_conditions). */
static void kc_legacy(const xnode *n, kclist *out, size_t *count)
{
    if (n->kind == XN_AND) {
        kc_legacy(n->kids[0], out, count);
        kc_legacy(n->kids[1], out, count);
        return;
    }
    (*count)++;
    const xnode *base = n->kind == XN_NOT ? n->kids[0] : n;
    if (out->n >= 3 || base->n_kids == 0 || base->kids[0]->kind != XN_PATH)
        return;
    kcond *c = &out->c[out->n++];
    c->attr = &base->kids[0]->path->el[0];
    c->indexable = 0;
    if (n->kind == XN_CMP && n->op != TK_NE) {
        c->indexable = 1;
        c->op = cmp_key_op(n->op, 0);
    } else if (n->kind == XN_BETWEEN) {
        c->indexable = 1;
        c->op = DDB_KEY_BETWEEN;
    } else if (n->kind == XN_CALL && n->fn == FN_BEGINS_WITH) {
        c->indexable = 1;
        c->op = DDB_KEY_BEGINS_WITH;
    }
    for (uint32_t i = 1; i < base->n_kids && c->n_v < 2; i++)
        if (base->kids[i]->kind == XN_VALUE)
            c->v[c->n_v++] = base->kids[i]->value;
}

static const kcond *find_cond(const kclist *l, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < l->n; i++)
        if (l->c[i].attr->len == len && memcmp(l->c[i].attr->name, name, len) == 0)
            return &l->c[i];
    return NULL;
}

int ddb_expr_key_condition(const ddb_expr *e, const char *hash_name,
                           const char *hash_type, const char *range_name,
                           const char *range_type, ddb_key_cond *out, ddb_error *err)
{
    memset(out, 0, sizeof *out);
    if (e == NULL || e->root == NULL || e->kind != DDB_EXPR_KEY_CONDITION)
        return ddb_err_set(err, DDB_E_INTERNAL, "expression is not a key condition");
    kclist l = {0};
    size_t count = 0;
    if (e->legacy) {
        kc_legacy(e->root, &l, &count);
    } else {
        if (kc_walk(e->root, &l, &count, err))
            return DDB_ERR;
        if (count != 1 && count != 2)
            return kfail(err, "Conditions can be of length 1 or 2 only");
    }
    for (int k = 0; k < 2; k++) {
        const char *name = k == 0 ? hash_name : range_name;
        const char *type = k == 0 ? hash_type : range_type;
        if (name == NULL)
            continue;
        if (k == 0 && range_name == NULL && count > 1)
            return kfail(err, "Query key condition not supported");
        const kcond *c = find_cond(&l, name);
        if (c == NULL) {
            if (k == 0 || count > 1)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "Query condition missed key schema element: %s", name);
            continue;
        }
        if (!c->indexable)
            return kfail(
                err, "Attempted conditional constraint is not an indexable operation");
        ddb_type want = type ? ddb_type_from_name(type, strlen(type)) : DDB_T_NONE;
        for (size_t i = 0; i < c->n_v; i++) {
            const json_t *v = c->v[i];
            if (v == NULL || ddb_attr_type(v) != want)
                return kfail(err, "One or more parameter values were invalid: Condition "
                                  "parameter type does not match schema type");
            json_t *p = ddb_attr_payload(v);
            if ((want == DDB_T_S || want == DDB_T_B) && json_string_length(p) == 0)
                return ddb_err_set(
                    err, DDB_E_VALIDATION,
                    "One or more parameter values are not "
                    "valid. The AttributeValue for a key attribute cannot contain "
                    "an empty %s value. Key: %s",
                    want == DDB_T_S ? "string" : "binary", name);
        }
        if (k == 0) {
            if (c->op != DDB_KEY_EQ)
                return kfail(err, "Query key condition not supported");
            out->hash_value = c->v[0];
        } else {
            out->range_op = c->op;
            out->range_v1 = c->v[0];
            out->range_v2 = c->n_v > 1 ? c->v[1] : NULL;
        }
    }
    return DDB_OK;
}
