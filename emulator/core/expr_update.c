/* SPDX-License-Identifier: MIT
**
** expr_update.c -- applying an UpdateExpression (or AttributeUpdates) to a
** copy of an item, and the questions callers ask about an update: which
** top-level attributes it touches, which parts of an item it changed, and the
** static type it gives an attribute.
**
** DynamoDB's semantics (see /work/notes/expression-facts.md): every value is
** computed from the item as it was before the update ("SET a = b, b = a"
** swaps); list indexes refer to the original positions; SET at or past the
** end of a list appends, new elements in index order; REMOVE of a missing
** element or key does nothing; DELETE that empties a set removes the
** attribute; ADD creates numbers and sets. Runtime problems are reported in
** DynamoDB's order: a path whose parent has the wrong type, then operand
** types, then -- clause by clause from the last -- paths whose parent is
** missing and attributes a SET reads that do not exist, then numbers out of
** range. REMOVE on an item that does not exist is a no-op, whatever the path.
** Numbers are exact (ddb_number_add / ddb_number_sub).
*/
#include "expr_int.h"

#include <stdlib.h>
#include <string.h>

#define MSG_TYPE "An operand in the update expression has an incorrect data type"
#define MSG_MISSING                                                                      \
    "The provided expression refers to an attribute that does not exist in the item"
#define MSG_PATH                                                                         \
    "The document path provided in the update expression is invalid for update"
#define MSG_LEGACY_TYPE "Type mismatch for attribute to update"

/*---- values ----*/

static int parse_num(const json_t *av, ddb_number *n)
{
    json_t *p = ddb_attr_payload(av);
    return ddb_number_parse(json_string_value(p), json_string_length(p), n, NULL);
}

/* a + b or a - b of two N values: new value, or NULL with the range error. */
static json_t *arith(const json_t *a, const json_t *b, int minus, ddb_error *err)
{
    ddb_number x, y, r;
    if (parse_num(a, &x) != DDB_OK || parse_num(b, &y) != DDB_OK) {
        ddb_err_set(err, DDB_E_VALIDATION, MSG_TYPE);
        return NULL;
    }
    int rc = minus ? ddb_number_sub(&x, &y, &r, err) : ddb_number_add(&x, &y, &r, err);
    return rc == DDB_OK ? ddb_xp_number_json(&r) : NULL;
}

static int is_set(ddb_type t)
{
    return t == DDB_T_SS || t == DDB_T_NS || t == DDB_T_BS;
}

/* Members of 'a' then those of 'b' that 'a' lacks (sets of one type). */
static json_t *set_union(const json_t *a, const json_t *b)
{
    ddb_type t = ddb_attr_type(a);
    json_t *pa = ddb_attr_payload(a), *pb = ddb_attr_payload(b);
    json_t *out = json_deep_copy(pa);
    size_t i;
    json_t *m;
    json_array_foreach(pb, i, m) {
        if (!ddb_xp_set_has(out, t, m))
            json_array_append(out, m);
    }
    return json_pack("{s:o}", ddb_type_name(t), out);
}

/* Members of 'a' that 'b' lacks; NULL when none are left. */
static json_t *set_minus(const json_t *a, const json_t *b)
{
    ddb_type t = ddb_attr_type(a);
    json_t *pa = ddb_attr_payload(a), *pb = ddb_attr_payload(b);
    json_t *out = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(pa, i, m) {
        if (!ddb_xp_set_has(pb, t, m))
            json_array_append(out, m);
    }
    if (json_array_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return json_pack("{s:o}", ddb_type_name(t), out);
}

/*---- SET values ----*/

enum { SV_OK, SV_TYPE, SV_MISSING, SV_RANGE };

/* The value a SET writes (new in *out), computed from 'item'. SV_RANGE
** leaves the number error in *range. */
static int set_value(const xnode *n, const json_t *item, json_t **out, ddb_error *range)
{
    n = ddb_xp_unwrap((xnode *)n);
    *out = NULL;
    switch (n->kind) {
        case XN_VALUE: *out = json_deep_copy(n->value); return SV_OK;
        case XN_PATH: {
            const json_t *v = ddb_xp_path_get(item, n->path, n->path->n);
            if (v == NULL)
                return SV_MISSING;
            *out = json_deep_copy(v);
            return SV_OK;
        }
        case XN_CALL:
            if (n->fn == FN_IF_NOT_EXISTS) {
                const xnode *p = ddb_xp_unwrap(n->kids[0]);
                const json_t *v = ddb_xp_path_get(item, p->path, p->path->n);
                if (v) {
                    *out = json_deep_copy(v);
                    return SV_OK;
                }
                return set_value(n->kids[1], item, out, range);
            } else {
                json_t *a, *b;
                int st = set_value(n->kids[0], item, &a, range);
                if (st != SV_OK)
                    return st;
                if (ddb_attr_type(a) != DDB_T_L) {
                    json_decref(a);
                    return SV_TYPE;
                }
                if ((st = set_value(n->kids[1], item, &b, range)) != SV_OK) {
                    json_decref(a);
                    return st;
                }
                if (ddb_attr_type(b) != DDB_T_L) {
                    json_decref(a);
                    json_decref(b);
                    return SV_TYPE;
                }
                json_array_extend(ddb_attr_payload(a), ddb_attr_payload(b));
                json_decref(b);
                *out = a;
                return SV_OK;
            }
        case XN_ARITH: {
            json_t *a, *b;
            int st = set_value(n->kids[0], item, &a, range);
            if (st != SV_OK)
                return st;
            if (ddb_attr_type(a) != DDB_T_N) {
                json_decref(a);
                return SV_TYPE;
            }
            if ((st = set_value(n->kids[1], item, &b, range)) != SV_OK) {
                json_decref(a);
                return st;
            }
            if (ddb_attr_type(b) != DDB_T_N) {
                json_decref(a);
                json_decref(b);
                return SV_TYPE;
            }
            *out = arith(a, b, n->op == TK_MINUS, range);
            json_decref(a);
            json_decref(b);
            return *out ? SV_OK : SV_RANGE;
        }
        default: return SV_MISSING;
    }
}

/*---- paths ----*/

/* 1 when 'path' can be written in 'item': top level, or its parent exists
** and is a map (for a name) or a list (for an index). */
static int writable(const json_t *item, const xpath *path)
{
    if (path->n == 1)
        return 1;
    const json_t *parent = ddb_xp_path_get(item, path, path->n - 1);
    if (parent == NULL)
        return 0;
    return ddb_attr_type(parent) == (path->el[path->n - 1].is_index ? DDB_T_L : DDB_T_M);
}

/* 1 when the parent exists but has the wrong type for the last element. */
static int bad_parent(const json_t *item, const xpath *path)
{
    return path->n > 1 && ddb_xp_path_get(item, path, path->n - 1) != NULL &&
           !writable(item, path);
}

typedef struct listop {
    json_t *arr;    /* the list payload (a reference is held) */
    uint32_t index; /* original position */
    json_t *value;  /* new element, or NULL to remove */
    size_t seq;
} listop;

typedef struct listops {
    listop *v;
    size_t n, cap;
} listops;

/* Write 'value' (stolen; NULL removes) at 'path' in 'out'. List elements
** are only recorded; finish_lists() applies them at original positions. */
static void write_path(json_t *out, const xpath *path, json_t *value, listops *ops)
{
    const xelem *last = &path->el[path->n - 1];
    if (path->n == 1) {
        if (value)
            json_object_setn_new(out, last->name, last->len, value);
        else
            json_object_deln(out, last->name, last->len);
        return;
    }
    json_t *parent = (json_t *)ddb_xp_path_get(out, path, path->n - 1);
    ddb_type t = parent ? ddb_attr_type(parent) : DDB_T_NONE;
    if (last->is_index && t == DDB_T_L) {
        if (ops->n == ops->cap) {
            ops->cap = ops->cap ? 2 * ops->cap : 8;
            ops->v = ddb_xrealloc(ops->v, ops->cap * sizeof *ops->v);
        }
        ops->v[ops->n] =
            (listop){json_incref(ddb_attr_payload(parent)), last->index, value, ops->n};
        ops->n++;
        return;
    }
    if (!last->is_index && t == DDB_T_M) {
        if (value)
            json_object_setn_new(ddb_attr_payload(parent), last->name, last->len, value);
        else
            json_object_deln(ddb_attr_payload(parent), last->name, last->len);
        return;
    }
    json_decref(value);
}

static int cmp_listop(const void *a, const void *b)
{
    const listop *x = a, *y = b;
    if (x->arr != y->arr)
        return (uintptr_t)x->arr < (uintptr_t)y->arr ? -1 : 1;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void finish_lists(listops *ops)
{
    if (ops->n == 0)
        return;
    qsort(ops->v, ops->n, sizeof *ops->v, cmp_listop);
    for (size_t i = 0; i < ops->n;) {
        json_t *arr = ops->v[i].arr;
        size_t j = i;
        while (j < ops->n && ops->v[j].arr == arr)
            j++;
        size_t len = json_array_size(arr), k = i;
        json_t *next = json_array();
        for (size_t pos = 0; pos < len; pos++) {
            json_t *el = json_array_get(arr, pos);
            int removed = 0;
            for (; k < j && ops->v[k].index == pos; k++) {
                if (ops->v[k].value == NULL) {
                    removed = 1;
                } else {
                    el = ops->v[k].value;
                }
            }
            if (!removed)
                json_array_append(next, el);
        }
        for (; k < j; k++) /* past the end: appended in index order */
            if (ops->v[k].value)
                json_array_append(next, ops->v[k].value);
        json_array_clear(arr);
        json_array_extend(arr, next);
        json_decref(next);
        for (k = i; k < j; k++) {
            json_decref(ops->v[k].value);
            json_decref(ops->v[k].arr);
        }
        i = j;
    }
    free(ops->v);
}

/*---- UpdateExpression ----*/

typedef struct pending {
    json_t *value;   /* computed SET value */
    int missing;     /* SET reads a missing attribute */
    ddb_error range; /* SET arithmetic out of range */
} pending;

static json_t *apply_expression(const ddb_expr *e, const json_t *item, ddb_error *err)
{
    size_t n = e->n_actions;
    pending *pd = ddb_xcalloc(n ? n : 1, sizeof *pd);
    json_t *out = NULL;
    int max_clause = 0;
    /* a parent of the wrong type */
    for (size_t i = 0; i < n; i++) {
        const xaction *a = &e->actions[i];
        if (a->clause > max_clause)
            max_clause = a->clause;
        if (bad_parent(item, a->path)) {
            ddb_err_set(err, DDB_E_VALIDATION, MSG_PATH);
            goto out;
        }
    }
    /* operand types */
    for (size_t i = 0; i < n; i++) {
        const xaction *a = &e->actions[i];
        if (a->kind == XA_SET) {
            int st = set_value(a->value, item, &pd[i].value, &pd[i].range);
            if (st == SV_TYPE) {
                ddb_err_set(err, DDB_E_VALIDATION, MSG_TYPE);
                goto out;
            }
            pd[i].missing = st == SV_MISSING;
        } else if (a->kind == XA_ADD || a->kind == XA_DELETE) {
            const json_t *v = ddb_xp_unwrap(a->value)->value;
            const json_t *cur = writable(item, a->path)
                                    ? ddb_xp_path_get(item, a->path, a->path->n)
                                    : NULL;
            if (cur == NULL)
                continue;
            ddb_type tc = ddb_attr_type(cur), tv = ddb_attr_type(v);
            if (tc != tv || (a->kind == XA_DELETE && !is_set(tv))) {
                ddb_err_set(err, DDB_E_VALIDATION, MSG_TYPE);
                goto out;
            }
            if (a->kind == XA_ADD && tv == DDB_T_N) {
                json_t *sum = arith(cur, v, 0, err);
                if (sum == NULL)
                    goto out;
                pd[i].value = sum;
            }
        }
    }
    /* missing parents, then missing operands, clause by clause from the last */
    for (int c = max_clause; c >= 0; c--) {
        for (size_t i = 0; i < n; i++) {
            const xaction *a = &e->actions[i];
            if (a->clause != c || (a->kind == XA_REMOVE && item == NULL))
                continue;
            if (!writable(item, a->path)) {
                ddb_err_set(err, DDB_E_VALIDATION, MSG_PATH);
                goto out;
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (e->actions[i].clause == c && pd[i].missing) {
                ddb_err_set(err, DDB_E_VALIDATION, MSG_MISSING);
                goto out;
            }
        }
    }
    /* numbers out of range */
    for (size_t i = 0; i < n; i++) {
        if (ddb_err_isset(&pd[i].range)) {
            ddb_err_set(err, pd[i].range.code, "%s",
                        pd[i].range.message ? pd[i].range.message : "");
            goto out;
        }
    }
    /* write */
    out = item ? json_deep_copy(item) : json_object();
    listops ops = {0};
    for (size_t i = 0; i < n; i++) {
        const xaction *a = &e->actions[i];
        switch (a->kind) {
            case XA_SET:
                write_path(out, a->path, pd[i].value, &ops);
                pd[i].value = NULL;
                break;
            case XA_REMOVE:
                if (item || a->path->n == 1)
                    write_path(out, a->path, NULL, &ops);
                break;
            case XA_ADD:
            case XA_DELETE: {
                const json_t *v = ddb_xp_unwrap(a->value)->value;
                const json_t *cur = ddb_xp_path_get(item, a->path, a->path->n);
                json_t *nv;
                if (a->kind == XA_ADD) {
                    if (cur == NULL)
                        nv = json_deep_copy(v);
                    else if (pd[i].value)
                        nv = json_incref(pd[i].value);
                    else
                        nv = set_union(cur, v);
                } else if (cur == NULL) {
                    break;
                } else {
                    nv = set_minus(cur, v);
                }
                write_path(out, a->path, nv, &ops);
                break;
            }
            default: break;
        }
    }
    finish_lists(&ops);
out:
    for (size_t i = 0; i < n; i++) {
        json_decref(pd[i].value);
        ddb_err_clear(&pd[i].range);
    }
    free(pd);
    return out;
}

/*---- AttributeUpdates ----*/

static json_t *apply_legacy(const ddb_expr *e, const json_t *item, ddb_error *err)
{
    json_t *out = item ? json_deep_copy(item) : json_object();
    for (size_t i = 0; i < e->n_actions; i++) {
        const xaction *a = &e->actions[i];
        const xelem *x = &a->path->el[0];
        const json_t *v = a->value ? a->value->value : NULL;
        json_t *cur = json_object_getn(out, x->name, x->len), *nv = NULL;
        ddb_type tv = v ? ddb_attr_type(v) : DDB_T_NONE;
        if (a->kind == XA_PUT_LEGACY) {
            nv = json_deep_copy(v);
        } else if (a->kind == XA_DELETE_LEGACY) {
            if (v == NULL || cur == NULL) {
                if (v == NULL)
                    json_object_deln(out, x->name, x->len);
                continue;
            }
            if (ddb_attr_type(cur) != tv)
                goto mismatch;
            nv = set_minus(cur, v);
            if (nv == NULL) {
                json_object_deln(out, x->name, x->len);
                continue;
            }
        } else if (cur == NULL) {
            nv = json_deep_copy(v);
        } else if (ddb_attr_type(cur) != tv) {
            goto mismatch;
        } else if (tv == DDB_T_N) {
            if ((nv = arith(cur, v, 0, err)) == NULL) {
                json_decref(out);
                return NULL;
            }
        } else if (tv == DDB_T_L) {
            nv = json_deep_copy(cur);
            json_array_extend(ddb_attr_payload(nv), ddb_attr_payload(v));
        } else {
            nv = set_union(cur, v);
        }
        json_object_setn_new(out, x->name, x->len, nv);
    }
    return out;
mismatch:
    json_decref(out);
    ddb_err_set(err, DDB_E_VALIDATION, MSG_LEGACY_TYPE);
    return NULL;
}

json_t *ddb_expr_apply_update(const ddb_expr *e, const json_t *item, ddb_error *err)
{
    if (e == NULL || e->kind != DDB_EXPR_UPDATE) {
        ddb_err_set(err, DDB_E_INTERNAL, "expression is not an update");
        return NULL;
    }
    return e->legacy ? apply_legacy(e, item, err) : apply_expression(e, item, err);
}

/*---- questions about an update ----*/

static int top_is(const xpath *path, const char *name, size_t len)
{
    return !path->el[0].is_index && path->el[0].len == len &&
           memcmp(path->el[0].name, name, len) == 0;
}

int ddb_expr_update_touches(const ddb_expr *e, const char *name)
{
    if (e == NULL || e->kind != DDB_EXPR_UPDATE)
        return 0;
    size_t len = strlen(name);
    for (size_t i = 0; i < e->n_actions; i++)
        if (top_is(e->actions[i].path, name, len))
            return 1;
    return 0;
}

json_t *ddb_expr_updated_part(const ddb_expr *e, const json_t *item)
{
    if (e == NULL || e->kind != DDB_EXPR_UPDATE)
        return json_object();
    xpath **paths = ddb_xmalloc((e->n_actions ? e->n_actions : 1) * sizeof *paths);
    for (size_t i = 0; i < e->n_actions; i++)
        paths[i] = e->actions[i].path;
    json_t *out = ddb_xp_project(item, paths, e->n_actions);
    free(paths);
    return out;
}

/* The type a SET value always has, or DDB_T_NONE when the item decides. */
static ddb_type static_type(const xnode *n)
{
    n = ddb_xp_unwrap((xnode *)n);
    switch (n->kind) {
        case XN_VALUE: return ddb_attr_type(n->value);
        case XN_ARITH: return DDB_T_N;
        case XN_CALL:
            if (n->fn == FN_LIST_APPEND)
                return DDB_T_L;
            if (n->fn == FN_IF_NOT_EXISTS && n->n_kids == 2)
                return static_type(n->kids[1]);
            return DDB_T_NONE;
        default: return DDB_T_NONE;
    }
}

const char *ddb_expr_update_type(const ddb_expr *e, const char *name)
{
    if (e == NULL || e->kind != DDB_EXPR_UPDATE)
        return NULL;
    size_t len = strlen(name);
    for (size_t i = 0; i < e->n_actions; i++) {
        const xaction *a = &e->actions[i];
        if (a->path->n != 1 || !top_is(a->path, name, len) || a->value == NULL)
            continue;
        ddb_type t = static_type(a->value);
        return t == DDB_T_NONE ? NULL : ddb_type_name(t);
    }
    return NULL;
}
