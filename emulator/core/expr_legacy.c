/* SPDX-License-Identifier: MIT
**
** expr_legacy.c -- the pre-expression parameters translated into the same
** trees the expression parser builds: Expected (+ ConditionalOperator) and
** QueryFilter / ScanFilter as conditions, KeyConditions as a key condition,
** AttributeUpdates as an update, AttributesToGet as a projection -- with
** DynamoDB's legacy validation texts (validation-facts.md §11.1 row 9,
** expression-facts.md §9).
**
** The JSON types of these parameters are the request type check's job and
** ComparisonOperator / Action / ConditionalOperator enums the constraint
** phase's; the translators assume both have passed. AttributeValues are
** validated here, on copies the tree owns, so the request is never changed.
** Many conditions are combined into a balanced AND/OR tree, so evaluation
** recursion stays logarithmic in their number.
*/
#include "expr_int.h"

#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "

static ddb_expr *new_legacy(ddb_expr_kind kind)
{
    ddb_expr *e = ddb_xcalloc(1, sizeof *e);
    e->kind = kind;
    e->legacy = 1;
    e->held = json_array();
    return e;
}

static xnode *mk(ddb_expr *e, int kind, uint32_t n_kids)
{
    xnode *n = ddb_xp_alloc(&e->arena, sizeof *n);
    n->kind = (uint8_t)kind;
    n->n_kids = n_kids;
    if (n_kids)
        n->kids = ddb_xp_alloc(&e->arena, n_kids * sizeof *n->kids);
    return n;
}

static xpath *mk_path(ddb_expr *e, const char *name, size_t len)
{
    xpath *p = ddb_xp_alloc(&e->arena, sizeof *p);
    p->el = ddb_xp_alloc(&e->arena, sizeof *p->el);
    p->n = 1;
    p->el[0].name = ddb_xp_strndup(&e->arena, name, len);
    p->el[0].len = len;
    return p;
}

static xnode *mk_path_node(ddb_expr *e, const char *name, size_t len)
{
    xnode *n = mk(e, XN_PATH, 0);
    n->path = mk_path(e, name, len);
    return n;
}

/* A value node over a validated copy of 'av'; NULL with the error recorded. */
static xnode *mk_value(ddb_expr *e, const json_t *av, ddb_error *err)
{
    json_t *copy = json_deep_copy(av);
    if (copy == NULL || ddb_attr_check(copy, err) != DDB_OK) {
        if (copy == NULL)
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Supplied AttributeValue is empty, must contain "
                        "exactly one of the supported datatypes");
        json_decref(copy);
        return NULL;
    }
    json_array_append_new(e->held, copy);
    xnode *n = mk(e, XN_VALUE, 0);
    n->value = copy;
    return n;
}

static xnode *mk_call(ddb_expr *e, xfn_id fn, uint32_t n_kids)
{
    xnode *n = mk(e, XN_CALL, n_kids);
    n->fn = (uint8_t)fn;
    n->text = ddb_xp_functions[fn].name;
    n->text_len = strlen(n->text);
    return n;
}

/* Balanced AND/OR over nodes[lo, hi). */
static xnode *combine(ddb_expr *e, xnode **nodes, size_t lo, size_t hi, int kind)
{
    if (hi - lo == 1)
        return nodes[lo];
    size_t mid = lo + (hi - lo) / 2;
    xnode *n = mk(e, kind, 2);
    n->kids[0] = combine(e, nodes, lo, mid, kind);
    n->kids[1] = combine(e, nodes, mid, hi, kind);
    return n;
}

/* A member given and not JSON null. */
static json_t *member(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return json_is_null(v) ? NULL : v;
}

/*---- ComparisonOperator ----*/

typedef struct cmpop {
    const char *name;
    int min, max;   /* number of values */
    unsigned types; /* XT_* bits the values may have */
} cmpop;

static const cmpop cmpops[] = {
    {"EQ", 1, 1, XT_ALL},
    {"NE", 1, 1, XT_ALL},
    {"LE", 1, 1, XT_ORDERED},
    {"LT", 1, 1, XT_ORDERED},
    {"GE", 1, 1, XT_ORDERED},
    {"GT", 1, 1, XT_ORDERED},
    {"NOT_NULL", 0, 0, XT_ALL},
    {"NULL", 0, 0, XT_ALL},
    {"CONTAINS", 1, 1, XT_ORDERED},
    {"NOT_CONTAINS", 1, 1, XT_ORDERED},
    {"BEGINS_WITH", 1, 1, XT_S | XT_B},
    {"IN", 1, 0x7fffffff, XT_ORDERED},
    {"BETWEEN", 2, 2, XT_ORDERED},
};

static const cmpop *find_op(const char *name)
{
    for (size_t i = 0; name && i < sizeof cmpops / sizeof cmpops[0]; i++)
        if (strcmp(cmpops[i].name, name) == 0)
            return &cmpops[i];
    return NULL;
}

/* Check the values of one condition and build its node. 'vals' is the
** AttributeValueList (or a one-element list made from Value). */
static xnode *condition(ddb_expr *e, const char *attr, size_t attr_len, const cmpop *op,
                        json_t *vals, ddb_error *err)
{
    size_t n = json_array_size(vals);
    xnode **v = ddb_xmalloc((n ? n : 1) * sizeof *v);
    xnode *out = NULL;
    for (size_t i = 0; i < n; i++)
        if ((v[i] = mk_value(e, json_array_get(vals, i), err)) == NULL)
            goto done;
    if ((int)n < op->min || (int)n > op->max) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    INVALID "Invalid number of argument(s) for the %s "
                            "ComparisonOperator",
                    op->name);
        goto done;
    }
    for (size_t i = 1; i < n; i++) {
        if (ddb_attr_type(v[i]->value) != ddb_attr_type(v[0]->value)) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        INVALID "AttributeValues inside AttributeValueList "
                                "must be of same type");
            goto done;
        }
    }
    for (size_t i = 0; i < n; i++) {
        ddb_type t = ddb_attr_type(v[i]->value);
        if (!(op->types & XT(t))) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        INVALID "ComparisonOperator %s is not valid for "
                                "%s AttributeValue type",
                        op->name, ddb_type_name(t));
            goto done;
        }
    }
    if (strcmp(op->name, "BETWEEN") == 0 &&
        ddb_attr_compare(v[0]->value, v[1]->value) > 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "The BETWEEN condition was provided a range where the "
                    "lower bound is greater than the upper bound");
        goto done;
    }
    xnode *path = mk_path_node(e, attr, attr_len);
    const char *o = op->name;
    if (strcmp(o, "NULL") == 0 || strcmp(o, "NOT_NULL") == 0) {
        out = mk_call(
            e, o[0] == 'N' && o[1] == 'U' ? FN_ATTRIBUTE_NOT_EXISTS : FN_ATTRIBUTE_EXISTS,
            1);
        out->kids[0] = path;
    } else if (strcmp(o, "CONTAINS") == 0 || strcmp(o, "NOT_CONTAINS") == 0) {
        out = mk_call(e, FN_CONTAINS, 2);
        out->kids[0] = path;
        out->kids[1] = v[0];
        if (o[0] == 'N') {
            xnode *not = mk(e, XN_NOT, 1);
            not ->kids[0] = out;
            out = not ;
        }
    } else if (strcmp(o, "BEGINS_WITH") == 0) {
        out = mk_call(e, FN_BEGINS_WITH, 2);
        out->kids[0] = path;
        out->kids[1] = v[0];
    } else if (strcmp(o, "IN") == 0 || strcmp(o, "BETWEEN") == 0) {
        out = mk(e, o[0] == 'I' ? XN_IN : XN_BETWEEN, (uint32_t)n + 1);
        out->kids[0] = path;
        for (size_t i = 0; i < n; i++)
            out->kids[i + 1] = v[i];
    } else {
        out = mk(e, XN_CMP, 2);
        out->op = (uint8_t)(o[0] == 'E'   ? TK_EQ
                            : o[0] == 'N' ? TK_NE
                            : o[0] == 'L' ? (o[1] == 'E' ? TK_LE : TK_LT)
                                          : (o[1] == 'E' ? TK_GE : TK_GT));
        out->kids[0] = path;
        out->kids[1] = v[0];
    }
done:
    free(v);
    return out;
}

static int bad_operator(const char *op, ddb_error *err)
{
    return ddb_err_set(
        err, DDB_E_VALIDATION,
        "1 validation error detected: Value '%s' at "
        "'comparisonOperator' failed to satisfy constraint: Member must satisfy "
        "enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, "
        "NE, LE, BEGINS_WITH, GE, CONTAINS]",
        op ? op : "null");
}

/* QueryFilter / ScanFilter / KeyConditions: a map of conditions. */
static ddb_expr *from_conditions(json_t *map, ddb_expr_kind kind, int or, ddb_error *err)
{
    ddb_expr *e = new_legacy(kind);
    size_t n = json_object_size(map), i = 0;
    xnode **nodes = ddb_xmalloc((n ? n : 1) * sizeof *nodes);
    const char *k;
    size_t klen;
    json_t *c;
    json_object_keylen_foreach(map, k, klen, c) {
        json_t *opv = member(c, "ComparisonOperator");
        const char *opname = json_string_value(opv);
        const cmpop *op = find_op(opname);
        if (op == NULL) {
            bad_operator(opname, err);
            goto fail;
        }
        json_t *vals = member(c, "AttributeValueList");
        json_t *empty = json_array();
        nodes[i] = condition(e, k, klen, op, json_is_array(vals) ? vals : empty, err);
        json_decref(empty);
        if (nodes[i++] == NULL)
            goto fail;
    }
    if (kind == DDB_EXPR_KEY_CONDITION && n != 1 && n != 2) {
        ddb_err_set(err, DDB_E_VALIDATION, "Conditions can be of length 1 or 2 only");
        goto fail;
    }
    if (n > 0)
        e->root = combine(e, nodes, 0, n, or ? XN_OR : XN_AND);
    free(nodes);
    return e;
fail:
    free(nodes);
    ddb_expr_free(e);
    return NULL;
}

static int is_or(const char *conditional_operator)
{
    return conditional_operator && strcmp(conditional_operator, "OR") == 0;
}

ddb_expr *ddb_expr_from_filter(json_t *filter, const char *conditional_operator,
                               ddb_error *err)
{
    return from_conditions(filter, DDB_EXPR_FILTER, is_or(conditional_operator), err);
}

ddb_expr *ddb_expr_from_key_conditions(json_t *key_conditions, ddb_error *err)
{
    return from_conditions(key_conditions, DDB_EXPR_KEY_CONDITION, 0, err);
}

ddb_expr *ddb_expr_from_expected(json_t *expected, const char *conditional_operator,
                                 ddb_error *err)
{
    ddb_expr *e = new_legacy(DDB_EXPR_CONDITION);
    size_t n = json_object_size(expected), i = 0;
    xnode **nodes = ddb_xmalloc((n ? n : 1) * sizeof *nodes);
    const char *k;
    size_t klen;
    json_t *c;
    json_object_keylen_foreach(expected, k, klen, c) {
        json_t *avl = member(c, "AttributeValueList"), *value = member(c, "Value");
        json_t *opv = member(c, "ComparisonOperator"), *exists = member(c, "Exists");
        xnode *node = NULL;
        if (avl && value) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        INVALID "Value and AttributeValueList cannot be "
                                "used together for Attribute: %.*s",
                        (int)klen, k);
            goto fail;
        }
        if (opv) {
            const char *opname = json_string_value(opv);
            const cmpop *op = find_op(opname);
            if (op == NULL) {
                bad_operator(opname, err);
                goto fail;
            }
            if (exists) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            INVALID "Exists and ComparisonOperator cannot "
                                    "be used together for Attribute: %.*s",
                            (int)klen, k);
                goto fail;
            }
            if (op->max > 0 && !avl && !value) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            INVALID
                            "Value or AttributeValueList must be "
                            "used with ComparisonOperator: %s for Attribute: %.*s",
                            op->name, (int)klen, k);
                goto fail;
            }
            json_t *vals = json_array();
            if (json_is_array(avl))
                json_array_extend(vals, avl);
            else if (value)
                json_array_append(vals, value);
            node = condition(e, k, klen, op, vals, err);
            json_decref(vals);
        } else if (avl) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        INVALID "AttributeValueList can only be used with a "
                                "ComparisonOperator for Attribute: %.*s",
                        (int)klen, k);
            goto fail;
        } else {
            int ex = exists == NULL || json_is_true(exists);
            if (ex && value == NULL) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            INVALID "Value must be provided when Exists is "
                                    "%s for Attribute: %.*s",
                            exists ? "true" : "null", (int)klen, k);
                goto fail;
            }
            if (!ex && value) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            INVALID "Value cannot be used when Exists is "
                                    "false for Attribute: %.*s",
                            (int)klen, k);
                goto fail;
            }
            if (ex) {
                xnode *v = mk_value(e, value, err);
                if (v == NULL)
                    goto fail;
                node = mk(e, XN_CMP, 2);
                node->op = TK_EQ;
                node->kids[0] = mk_path_node(e, k, klen);
                node->kids[1] = v;
            } else {
                node = mk_call(e, FN_ATTRIBUTE_NOT_EXISTS, 1);
                node->kids[0] = mk_path_node(e, k, klen);
            }
        }
        if (node == NULL)
            goto fail;
        nodes[i++] = node;
    }
    if (n > 0)
        e->root = combine(e, nodes, 0, n, is_or(conditional_operator) ? XN_OR : XN_AND);
    free(nodes);
    return e;
fail:
    free(nodes);
    ddb_expr_free(e);
    return NULL;
}

ddb_expr *ddb_expr_from_attribute_updates(json_t *updates, ddb_error *err)
{
    ddb_expr *e = new_legacy(DDB_EXPR_UPDATE);
    size_t n = json_object_size(updates), i = 0;
    e->actions = ddb_xp_alloc(&e->arena, (n ? n : 1) * sizeof *e->actions);
    const char *k;
    size_t klen;
    json_t *u;
    json_object_keylen_foreach(updates, k, klen, u) {
        json_t *value = member(u, "Value");
        const char *action = json_string_value(member(u, "Action"));
        if (action == NULL)
            action = "PUT";
        xnode *v = NULL;
        if (value && (v = mk_value(e, value, err)) == NULL)
            goto fail;
        ddb_type t = v ? ddb_attr_type(v->value) : DDB_T_NONE;
        int del = strcmp(action, "DELETE") == 0, add = strcmp(action, "ADD") == 0;
        if (v == NULL && !del) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        INVALID "Only DELETE action is allowed when no "
                                "attribute value is specified");
            goto fail;
        }
        if (v && del && t != DDB_T_SS && t != DDB_T_NS && t != DDB_T_BS) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        INVALID "DELETE action with value is not supported "
                                "for the type %s",
                        ddb_type_name(t));
            goto fail;
        }
        if (v && add && t != DDB_T_L && t != DDB_T_SS && t != DDB_T_NS && t != DDB_T_BS &&
            t != DDB_T_N) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        INVALID "ADD action is not supported for the type %s",
                        ddb_type_name(t));
            goto fail;
        }
        xaction *a = &e->actions[i++];
        a->kind = del ? XA_DELETE_LEGACY : add ? XA_ADD_LEGACY : XA_PUT_LEGACY;
        a->path = mk_path(e, k, klen);
        a->value = v;
        e->n_actions = i;
    }
    return e;
fail:
    ddb_expr_free(e);
    return NULL;
}

ddb_expr *ddb_expr_from_attributes_to_get(json_t *names, ddb_error *err)
{
    ddb_expr *e = new_legacy(DDB_EXPR_PROJECTION);
    size_t n = json_array_size(names);
    e->paths = ddb_xp_alloc(&e->arena, (n ? n : 1) * sizeof *e->paths);
    json_t *seen = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(names, i);
        const char *name = json_is_string(s) ? json_string_value(s) : "";
        size_t len = json_is_string(s) ? json_string_length(s) : 0;
        if (json_object_getn(seen, name, len)) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        INVALID "Duplicate value in attribute name: %.*s", (int)len,
                        name);
            json_decref(seen);
            ddb_expr_free(e);
            return NULL;
        }
        json_object_setn_new(seen, name, len, json_true());
        e->paths[e->n_paths++] = mk_path(e, name, len);
    }
    json_decref(seen);
    return e;
}
