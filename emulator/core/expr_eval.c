/* SPDX-License-Identifier: MIT
**
** expr_eval.c -- evaluating conditions, filters and key conditions against
** an item, and projecting items onto document paths.
**
** DynamoDB's semantics (see /work/notes/expression-facts.md): a missing
** attribute is never equal to anything, so '=' is false and '<>' true;
** ordering comparisons and BETWEEN need operands of one type among S, N and
** B (numbers exactly, strings and binaries bytewise) and are false otherwise;
** IN is '=' against any listed operand; contains() looks for a substring in
** S and B, a member in SS/NS/BS and an element in L; begins_with() compares
** S or B prefixes; size() is the length of S (in UTF-16 code units, as
** DynamoDB's Java counts), B (bytes), sets, lists and maps, and has no value
** for other types. Nothing here fails: every type mismatch is 'false'.
*/
#include "expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const json_t *ddb_xp_path_get(const json_t *item, const xpath *path, uint32_t n)
{
    if (item == NULL || n == 0 || path->el[0].is_index)
        return NULL;
    const json_t *cur = json_object_getn(item, path->el[0].name, path->el[0].len);
    for (uint32_t i = 1; cur && i < n; i++) {
        const xelem *x = &path->el[i];
        ddb_type t = ddb_attr_type(cur);
        json_t *p = ddb_attr_payload(cur);
        if (x->is_index)
            cur = t == DDB_T_L && x->index < json_array_size(p)
                      ? json_array_get(p, x->index)
                      : NULL;
        else
            cur = t == DDB_T_M ? json_object_getn(p, x->name, x->len) : NULL;
    }
    return cur;
}

json_t *ddb_xp_number_json(const ddb_number *n)
{
    char text[DDB_NUM_TEXT_MAX];
    size_t len = ddb_number_format(n, text);
    return json_pack("{s:s%}", "N", text, len);
}

static int strings_equal(const json_t *a, const json_t *b)
{
    size_t n = json_string_length(a);
    return n == json_string_length(b) &&
           memcmp(json_string_value(a), json_string_value(b), n) == 0;
}

static int numbers_equal(const json_t *a, const json_t *b)
{
    ddb_number x, y;
    if (ddb_number_parse(json_string_value(a), json_string_length(a), &x, NULL) !=
            DDB_OK ||
        ddb_number_parse(json_string_value(b), json_string_length(b), &y, NULL) != DDB_OK)
        return strings_equal(a, b);
    return ddb_number_cmp(&x, &y) == 0;
}

/* 1 when the set payload (array of strings) of type 't' holds 'member'
** (NS members compare numerically; SS and BS by their canonical text). */
int ddb_xp_set_has(const json_t *set_payload, ddb_type t, const json_t *member)
{
    size_t i;
    json_t *m;
    json_array_foreach((json_t *)set_payload, i, m) {
        if (t == DDB_T_NS ? numbers_equal(m, member) : strings_equal(m, member))
            return 1;
    }
    return 0;
}

/* Decoded bytes of a B value (new) or NULL; *len set. */
static unsigned char *bytes_of(const json_t *av, size_t *len)
{
    *len = 0;
    unsigned char *b = ddb_attr_binary(av, len);
    if (b == NULL)
        *len = 0;
    return b;
}

static int mem_contains(const unsigned char *hay, size_t hn, const unsigned char *needle,
                        size_t nn)
{
    if (nn == 0)
        return 1;
    for (size_t i = 0; i + nn <= hn; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
            return 1;
    return 0;
}

/* Java String.length() of UTF-8 text: one unit per character, two for
** characters outside the Basic Multilingual Plane. */
static size_t utf16_units(const char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            units += c >= 0xF0 ? 2 : 1;
    }
    return units;
}

/* size() of a value, or -1 when the type has none. */
static long size_of(const json_t *av)
{
    json_t *p = ddb_attr_payload(av);
    switch (ddb_attr_type(av)) {
        case DDB_T_S:
            return (long)utf16_units(json_string_value(p), json_string_length(p));
        case DDB_T_B: {
            size_t len;
            free(bytes_of(av, &len));
            return (long)len;
        }
        case DDB_T_SS:
        case DDB_T_NS:
        case DDB_T_BS:
        case DDB_T_L: return (long)json_array_size(p);
        case DDB_T_M: return (long)json_object_size(p);
        default: return -1;
    }
}

/* The value of an operand for 'item': borrowed, or new in *tmp (size()). */
static const json_t *operand(const xnode *n, const json_t *item, json_t **tmp)
{
    n = ddb_xp_unwrap((xnode *)n);
    switch (n->kind) {
        case XN_VALUE: return n->value;
        case XN_PATH: return ddb_xp_path_get(item, n->path, n->path->n);
        case XN_CALL:
            if (n->fn == FN_SIZE) {
                json_t *inner_tmp = NULL;
                const json_t *v = operand(n->kids[0], item, &inner_tmp);
                long s = v ? size_of(v) : -1;
                json_decref(inner_tmp);
                if (s < 0)
                    return NULL;
                char text[32];
                snprintf(text, sizeof text, "%ld", s);
                *tmp = json_pack("{s:s}", "N", text);
                return *tmp;
            }
            return NULL;
        default: return NULL;
    }
}

/* <0, 0, >0, or 2 when the two cannot be ordered. */
static int order(const json_t *a, const json_t *b)
{
    ddb_type t = ddb_attr_type(a);
    if (t != ddb_attr_type(b) || (t != DDB_T_S && t != DDB_T_N && t != DDB_T_B))
        return 2;
    int c = ddb_attr_compare(a, b);
    return c < 0 ? -1 : c > 0;
}

static int begins_with(const json_t *a, const json_t *b)
{
    ddb_type t = ddb_attr_type(a);
    if (t != ddb_attr_type(b))
        return 0;
    json_t *pa = ddb_attr_payload(a), *pb = ddb_attr_payload(b);
    if (t == DDB_T_S)
        return json_string_length(pb) <= json_string_length(pa) &&
               memcmp(json_string_value(pa), json_string_value(pb),
                      json_string_length(pb)) == 0;
    if (t == DDB_T_B) {
        size_t la, lb;
        unsigned char *x = bytes_of(a, &la), *y = bytes_of(b, &lb);
        int r = lb <= la && (lb == 0 || memcmp(x, y, lb) == 0);
        free(x);
        free(y);
        return r;
    }
    return 0;
}

static int contains(const json_t *a, const json_t *b)
{
    ddb_type ta = ddb_attr_type(a), tb = ddb_attr_type(b);
    json_t *pa = ddb_attr_payload(a), *pb = ddb_attr_payload(b);
    switch (ta) {
        case DDB_T_S:
            return tb == DDB_T_S &&
                   mem_contains((const unsigned char *)json_string_value(pa),
                                json_string_length(pa),
                                (const unsigned char *)json_string_value(pb),
                                json_string_length(pb));
        case DDB_T_B: {
            if (tb != DDB_T_B)
                return 0;
            size_t la, lb;
            unsigned char *x = bytes_of(a, &la), *y = bytes_of(b, &lb);
            int r = mem_contains(x, la, y, lb);
            free(x);
            free(y);
            return r;
        }
        case DDB_T_SS: return tb == DDB_T_S && ddb_xp_set_has(pa, ta, pb);
        case DDB_T_NS: return tb == DDB_T_N && ddb_xp_set_has(pa, ta, pb);
        case DDB_T_BS: return tb == DDB_T_B && ddb_xp_set_has(pa, ta, pb);
        case DDB_T_L: {
            size_t i;
            json_t *el;
            json_array_foreach(pa, i, el) {
                if (ddb_attr_equal(el, b))
                    return 1;
            }
            return 0;
        }
        default: return 0;
    }
}

static int eval_call(const xnode *n, const json_t *item)
{
    json_t *t0 = NULL, *t1 = NULL;
    const json_t *a = operand(n->kids[0], item, &t0);
    const json_t *b = n->n_kids > 1 ? operand(n->kids[1], item, &t1) : NULL;
    int r = 0;
    switch (n->fn) {
        case FN_ATTRIBUTE_EXISTS: r = a != NULL; break;
        case FN_ATTRIBUTE_NOT_EXISTS: r = a == NULL; break;
        case FN_ATTRIBUTE_TYPE:
            if (a && b && ddb_attr_type(b) == DDB_T_S) {
                json_t *s = ddb_attr_payload(b);
                r = ddb_attr_type(a) ==
                    ddb_type_from_name(json_string_value(s), json_string_length(s));
            }
            break;
        case FN_BEGINS_WITH: r = a && b && begins_with(a, b); break;
        case FN_CONTAINS: r = a && b && contains(a, b); break;
        default: r = 0; break;
    }
    json_decref(t0);
    json_decref(t1);
    return r;
}

static int eval_cond(const xnode *n, const json_t *item)
{
    switch (n->kind) {
        case XN_PAREN: return eval_cond(n->kids[0], item);
        case XN_AND: return eval_cond(n->kids[0], item) && eval_cond(n->kids[1], item);
        case XN_OR: return eval_cond(n->kids[0], item) || eval_cond(n->kids[1], item);
        case XN_NOT: return !eval_cond(n->kids[0], item);
        case XN_CALL: return eval_call(n, item);
        case XN_CMP: {
            json_t *t0 = NULL, *t1 = NULL;
            const json_t *a = operand(n->kids[0], item, &t0),
                         *b = operand(n->kids[1], item, &t1);
            int r;
            if (n->op == TK_EQ || n->op == TK_NE) {
                r = a && b && ddb_attr_equal(a, b);
                if (n->op == TK_NE)
                    r = !r;
            } else {
                int o = a && b ? order(a, b) : 2;
                r = o != 2 && (n->op == TK_LT   ? o < 0
                               : n->op == TK_LE ? o <= 0
                               : n->op == TK_GT ? o > 0
                                                : o >= 0);
            }
            json_decref(t0);
            json_decref(t1);
            return r;
        }
        case XN_BETWEEN: {
            json_t *t[3] = {NULL, NULL, NULL};
            const json_t *a = operand(n->kids[0], item, &t[0]);
            const json_t *lo = operand(n->kids[1], item, &t[1]);
            const json_t *hi = operand(n->kids[2], item, &t[2]);
            int x = a && lo ? order(lo, a) : 2, y = a && hi ? order(a, hi) : 2;
            for (int i = 0; i < 3; i++)
                json_decref(t[i]);
            return x != 2 && y != 2 && x <= 0 && y <= 0;
        }
        case XN_IN: {
            json_t *t0 = NULL;
            const json_t *a = operand(n->kids[0], item, &t0);
            int r = 0;
            for (uint32_t i = 1; a && !r && i < n->n_kids; i++) {
                json_t *ti = NULL;
                const json_t *v = operand(n->kids[i], item, &ti);
                r = v && ddb_attr_equal(a, v);
                json_decref(ti);
            }
            json_decref(t0);
            return r;
        }
        default: return 0;
    }
}

int ddb_expr_eval(const ddb_expr *e, const json_t *item, ddb_error *err)
{
    if (e && e->legacy && e->root == NULL && e->kind != DDB_EXPR_UPDATE &&
        e->kind != DDB_EXPR_PROJECTION)
        return 1; /* an empty Expected / QueryFilter / ScanFilter */
    if (e == NULL || e->root == NULL)
        return ddb_err_set(err, DDB_E_INTERNAL, "expression is not a condition");
    return eval_cond(e->root, item);
}

/*---- projection ----*/

typedef struct pjnode pjnode;
struct pjnode {
    const xelem *el;
    pjnode *first, *last, *next;
    int leaf;
};

static pjnode *pj_child(pjnode *node, const xelem *x)
{
    for (pjnode *c = node->first; c; c = c->next) {
        if (c->el->is_index != x->is_index)
            continue;
        if (x->is_index
                ? c->el->index == x->index
                : c->el->len == x->len && memcmp(c->el->name, x->name, x->len) == 0)
            return c;
    }
    pjnode *c = ddb_xcalloc(1, sizeof *c);
    c->el = x;
    if (node->last)
        node->last->next = c;
    else
        node->first = c;
    node->last = c;
    return c;
}

static void pj_free(pjnode *node)
{
    pjnode *c = node->first;
    while (c) {
        pjnode *next = c->next;
        pj_free(c);
        free(c);
        c = next;
    }
}

static int cmp_index(const void *a, const void *b)
{
    const pjnode *x = *(pjnode *const *)a, *y = *(pjnode *const *)b;
    return x->el->index < y->el->index ? -1 : x->el->index > y->el->index;
}

/* The part of 'av' below 'node' (new), or NULL when nothing of it is there. */
static json_t *pj_copy(const json_t *av, pjnode *node)
{
    if (node->leaf)
        return json_deep_copy(av);
    ddb_type t = ddb_attr_type(av);
    json_t *p = ddb_attr_payload(av);
    if (t == DDB_T_M) {
        json_t *m = json_object();
        for (pjnode *c = node->first; c; c = c->next) {
            if (c->el->is_index)
                continue;
            json_t *v = json_object_getn(p, c->el->name, c->el->len);
            json_t *sub = v ? pj_copy(v, c) : NULL;
            if (sub)
                json_object_setn_new(m, c->el->name, c->el->len, sub);
        }
        if (json_object_size(m) == 0) {
            json_decref(m);
            return NULL;
        }
        return json_pack("{s:o}", "M", m);
    }
    if (t == DDB_T_L) {
        size_t n = 0;
        for (pjnode *c = node->first; c; c = c->next)
            n += c->el->is_index;
        pjnode **idx = ddb_xmalloc((n ? n : 1) * sizeof *idx);
        n = 0;
        for (pjnode *c = node->first; c; c = c->next)
            if (c->el->is_index)
                idx[n++] = c;
        qsort(idx, n, sizeof *idx, cmp_index);
        json_t *l = json_array();
        for (size_t i = 0; i < n; i++) {
            if (idx[i]->el->index >= json_array_size(p))
                continue;
            json_t *sub = pj_copy(json_array_get(p, idx[i]->el->index), idx[i]);
            if (sub)
                json_array_append_new(l, sub);
        }
        free(idx);
        if (json_array_size(l) == 0) {
            json_decref(l);
            return NULL;
        }
        return json_pack("{s:o}", "L", l);
    }
    return NULL;
}

json_t *ddb_xp_project(const json_t *item, xpath *const *paths, size_t n)
{
    json_t *out = json_object();
    if (item == NULL)
        return out;
    pjnode root = {0};
    for (size_t i = 0; i < n; i++) {
        pjnode *node = &root;
        for (uint32_t d = 0; d < paths[i]->n; d++)
            node = pj_child(node, &paths[i]->el[d]);
        node->leaf = 1;
    }
    for (pjnode *c = root.first; c; c = c->next) {
        if (c->el->is_index)
            continue;
        json_t *v = json_object_getn(item, c->el->name, c->el->len);
        json_t *sub = v ? pj_copy(v, c) : NULL;
        if (sub)
            json_object_setn_new(out, c->el->name, c->el->len, sub);
    }
    pj_free(&root);
    return out;
}

json_t *ddb_expr_project(const ddb_expr *e, const json_t *item)
{
    if (e == NULL || e->kind != DDB_EXPR_PROJECTION)
        return item ? json_deep_copy(item) : json_object();
    return ddb_xp_project(item, e->paths, e->n_paths);
}
