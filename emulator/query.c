/* SPDX-License-Identifier: MIT
**
** query.c -- Query and Scan on tables, LSIs and GSIs. Validation follows
** DynamoDB's order and texts (query-scan-batch-facts.md §1-§4); execution is
** a range read of the store: a Query reads only its partition's key range
** (an index seek), a Scan reads the table's or index's rows in partition-key
** hash order, a parallel Scan one contiguous hash range per segment. Paging
** is DynamoDB's: Limit counts evaluated items, the 1 MB page is measured
** before the filter and includes the item that crosses it, and
** LastEvaluatedKey holds the table key (plus the index key on an index).
** The caller is authorized on the table (or the index ARN) before the
** table's existence is revealed, a Query with its partition key value as
** dynamodb:LeadingKeys; a page's read capacity is admitted by the throughput
** simulator before the reply is built (a refused page is discarded).
*/
#include "authz.h"
#include "itemio.h"
#include "reqexpr.h"
#include "request.h"
#include "throughput.h"

#include <stdlib.h>
#include <string.h>

#define DDB_PAGE_BYTES (1024 * 1024)

static const char *const selects[] = {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES",
                                      "ALL_PROJECTED_ATTRIBUTES", NULL};
static const char *const return_capacity_all[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const conditional_ops[] = {"AND", "OR", NULL};
static const char *const comparison_ops[] = {"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS",
                                             "EQ", "GT", "NOT_NULL", "NE", "LE",
                                             "BEGINS_WITH", "GE", "CONTAINS", NULL};

typedef enum { SEL_ALL, SEL_PROJECTED, SEL_SPECIFIC, SEL_COUNT } select_mode;

/* One Query or Scan in progress. */
typedef struct read_op {
    ddb_req *req;
    int scan;
    ddb_table *t;
    const ddb_index *ix;          /* NULL: the table itself */
    ddb_req_exprs x;
    select_mode select;
    long long limit;              /* 0: none */
    int forward;
    int fetch_base;               /* LSI entries lacking attributes: read the table item */
    size_t n_conditions;          /* a KeyConditionExpression with more than 2 conditions */
    /* progress */
    ddb_conn *conn;
    long long scanned, count;
    size_t bytes;
    int stopped;                  /* Limit or 1 MB reached: LastEvaluatedKey due */
    ddb_buf last_raw;             /* the last evaluated item/entry, as stored */
    ddb_buf items;                /* the Items array being built, without brackets */
    /* capacity */
    ddb_read_mode mode;           /* ConsistentRead */
    ddb_cu base_units;            /* LSI: table items fetched, each rounded to 4 KB */
    uint64_t *row_hash, *row_size; /* Scan: each row read, in hash order */
    size_t n_rows, cap_rows;
    json_t *cc;                   /* ConsumedCapacity of the page (owned) */
} read_op;

/*---- request checks that need no table ----*/

static void check_condition_map(ddb_checks *c, json_t *map, const char *path)
{
    const char *k;
    json_t *v;
    json_object_foreach(map, k, v) {
        char *p = ddb_xasprintf("%s.%s.member.comparisonOperator", path, k);
        json_t *op = json_object_get(v, "ComparisonOperator");
        ddb_chk_required(c, op, p);
        ddb_chk_enum(c, op, p, comparison_ops,
                     "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, "
                     "BEGINS_WITH, GE, CONTAINS]");
        free(p);
    }
}

static int check_constraints(read_op *r, ddb_error *err)
{
    json_t *in = r->req->in;
    if (ddb_req_check_data_table_name(r->req, err) != DDB_OK)
        return DDB_ERR;
    json_t *limit = json_object_get(in, "Limit");
    if (!r->scan && limit != NULL && json_integer_value(limit) < 1)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "1 validation error detected: Value at 'Limit' failed to satisfy "
                           "constraint: Member must have value greater than or equal to 1");
    ddb_checks c = DDB_CHECKS_INIT;
    ddb_chk_enum(&c, json_object_get(in, "Select"), "select", selects,
                 "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
    json_t *ixn = json_object_get(in, "IndexName");
    ddb_chk_name_pattern(&c, ixn, "indexName");
    ddb_chk_min_len(&c, ixn, "indexName", 3);
    ddb_chk_max_len(&c, ixn, "indexName", 255);
    ddb_chk_enum(&c, json_object_get(in, "ReturnConsumedCapacity"), "returnConsumedCapacity",
                 return_capacity_all, "[INDEXES, TOTAL, NONE]");
    check_condition_map(&c, json_object_get(in, r->scan ? "ScanFilter" : "QueryFilter"),
                        r->scan ? "scanFilter" : "queryFilter");
    ddb_chk_enum(&c, json_object_get(in, "ConditionalOperator"), "conditionalOperator",
                 conditional_ops, "[OR, AND]");
    json_t *atg = json_object_get(in, "AttributesToGet");
    ddb_chk_min_len(&c, atg, "attributesToGet", 1);
    ddb_chk_max_len(&c, atg, "attributesToGet", 255);
    if (r->scan) {
        json_t *seg = json_object_get(in, "Segment"), *tot = json_object_get(in, "TotalSegments");
        ddb_chk_min_value(&c, seg, "segment", 0);
        ddb_chk_max_value(&c, seg, "segment", 999999);
        ddb_chk_min_value(&c, tot, "totalSegments", 1);
        ddb_chk_max_value(&c, tot, "totalSegments", 1000000);
        ddb_chk_min_value(&c, limit, "limit", 1);
    } else {
        check_condition_map(&c, json_object_get(in, "KeyConditions"), "keyConditions");
    }
    return ddb_chk_finish(&c, err);
}

/* The Select value and its combination rules (query-scan-batch-facts.md §2.4). */
static int check_select(read_op *r, ddb_error *err)
{
    json_t *in = r->req->in;
    const char *sel = json_string_value(json_object_get(in, "Select"));
    int has_pe = json_object_get(in, "ProjectionExpression") != NULL;
    int has_atg = json_object_get(in, "AttributesToGet") != NULL;
    const char *what = has_pe ? "ProjectionExpression" : "AttributesToGet";
    int prefixed = !r->scan; /* Query's texts carry the 2026 prefix, Scan's do not */
    int has_index = json_object_get(in, "IndexName") != NULL;
    if (sel == NULL) {
        r->select = (has_pe || has_atg) ? SEL_SPECIFIC : has_index ? SEL_PROJECTED : SEL_ALL;
        return DDB_OK;
    }
    if (strcmp(sel, "SPECIFIC_ATTRIBUTES") == 0) {
        r->select = SEL_SPECIFIC;
        if (!has_pe && !has_atg)
            return ddb_err_bespoke(err, prefixed,
                                   "Must specify the AttributesToGet or ProjectionExpression "
                                   "when choosing to get SPECIFIC_ATTRIBUTES");
    } else if (strcmp(sel, "ALL_ATTRIBUTES") == 0) {
        r->select = SEL_ALL;
        if (has_pe || has_atg)
            return ddb_err_bespoke(err, prefixed,
                                   "Cannot specify the %s when choosing to get ALL_ATTRIBUTES",
                                   what);
    } else if (strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") == 0) {
        r->select = SEL_PROJECTED;
        if (has_pe || has_atg)
            return ddb_err_bespoke(err, prefixed,
                                   "Cannot specify the %s when choosing to get "
                                   "ALL_PROJECTED_ATTRIBUTES",
                                   what);
        if (!has_index)
            return ddb_err_bespoke(err, prefixed,
                                   "ALL_PROJECTED_ATTRIBUTES can be used only when Querying "
                                   "using an IndexName");
    } else {
        r->select = SEL_COUNT;
        if (has_pe || has_atg)
            return ddb_err_bespoke(err, prefixed,
                                   "Cannot specify the %s when choosing to get only the Count",
                                   what);
    }
    return DDB_OK;
}

static int check_attributes_to_get(json_t *atg, ddb_error *err)
{
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(atg, i, a) {
        json_array_foreach(atg, j, b) {
            if (j < i && json_equal(a, b))
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Duplicate value "
                                   "in attribute name: %s",
                                   json_string_value(a));
        }
    }
    return DDB_OK;
}

/* ExclusiveStartKey's own values (before the table is known). */
static int check_start_key_values(read_op *r, ddb_error *err)
{
    json_t *esk = json_object_get(r->req->in, "ExclusiveStartKey");
    if (esk == NULL)
        return DDB_OK;
    if (ddb_attrs_check_layer(esk, r->scan ? DDB_AV_LEGACY : DDB_AV_CURRENT, err) != DDB_OK) {
        /* the structural texts carry the starting-key prefix, number and set
        ** member texts do not (query-scan-batch-facts.md §2.2 row 7) */
        if (err && err->message && (strncmp(err->message, "Supplied AttributeValue", 23) == 0 ||
                                    strstr(err->message, "Null attribute") != NULL ||
                                    strstr(err->message, "An string set  may not be") != NULL ||
                                    strstr(err->message, "sets should not be empty") != NULL)) {
            char *m = ddb_xasprintf("The provided starting key is invalid: %s", err->message);
            free(err->message);
            err->message = m;
        }
        return DDB_ERR;
    }
    return DDB_OK;
}

/*---- checks against the table ----*/

static int is_key_of(const ddb_table *t, const ddb_index *ix, const char *name)
{
    if (strcmp(name, t->hash.name) == 0 || (t->range.name && strcmp(name, t->range.name) == 0))
        return 1;
    return ix && (strcmp(name, ix->hash.name) == 0 ||
                  (ix->range.name && strcmp(name, ix->range.name) == 0));
}

/* Attributes an index entry holds. */
static int projected(const ddb_table *t, const ddb_index *ix, const char *name)
{
    if (ix->projection == DDB_PROJ_ALL || is_key_of(t, ix, name))
        return 1;
    for (size_t i = 0; i < ix->n_nonkey; i++)
        if (strcmp(ix->nonkey[i], name) == 0)
            return 1;
    return 0;
}

/* Checks of the expressions' document paths against the key schema. */
static int check_key_paths(read_op *r, ddb_error *err)
{
    const ddb_table *t = r->t;
    const ddb_index *ix = r->ix;
    json_t *in = r->req->in;
    const ddb_expr *exprs[2] = {r->x.projection, r->x.filter};
    /* no nested paths inside key attributes */
    for (int e = 0; e < 2; e++) {
        if (exprs[e] == NULL)
            continue;
        if (ddb_expr_check_key_scalar(exprs[e], t->hash.name, 0, err) != DDB_OK ||
            (t->range.name && ddb_expr_check_key_scalar(exprs[e], t->range.name, 0, err) != DDB_OK))
            return DDB_ERR;
        for (size_t i = 0; i < t->n_indexes; i++) {
            const ddb_index *o = &t->indexes[i];
            if (ddb_expr_check_key_scalar(exprs[e], o->hash.name, 1, err) != DDB_OK ||
                (o->range.name && ddb_expr_check_key_scalar(exprs[e], o->range.name, 1, err) != DDB_OK))
                return DDB_ERR;
        }
    }
    /* a Query's filter may not use the key it queries */
    if (!r->scan && r->x.filter != NULL) {
        const ddb_keyattr *h = ix ? &ix->hash : &t->hash;
        const ddb_keyattr *g = ix ? &ix->range : &t->range;
        json_t *names = ddb_expr_top_names(r->x.filter);
        size_t i;
        json_t *n;
        int rc = DDB_OK;
        json_array_foreach(names, i, n) {
            const char *s = json_string_value(n);
            if (strcmp(s, h->name) == 0 || (g->name && strcmp(s, g->name) == 0)) {
                rc = ddb_err_set(err, DDB_E_VALIDATION,
                                 "%s can only contain non-primary key attributes: Primary key "
                                 "attribute: %s",
                                 json_object_get(in, "QueryFilter") ? "QueryFilter"
                                                                    : "Filter Expression",
                                 s);
                break;
            }
        }
        json_decref(names);
        if (rc != DDB_OK)
            return DDB_ERR;
    }
    return DDB_OK;
}

/* What the index holds against what the request asks for: Select
** ALL_ATTRIBUTES and projections on a GSI that is not ALL; an LSI read that
** needs attributes the entry lacks fetches the table item. */
static int check_projection(read_op *r, ddb_error *err)
{
    const ddb_table *t = r->t;
    const ddb_index *ix = r->ix;
    json_t *in = r->req->in;
    if (ix != NULL && !ix->local && ix->projection != DDB_PROJ_ALL) {
        if (r->select == SEL_ALL && json_object_get(in, "Select") != NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "One or more parameter values were invalid: Select type "
                               "ALL_ATTRIBUTES is not supported for global secondary index %s "
                               "because its projection type is not ALL",
                               ix->name);
        if (r->x.projection != NULL) {
            json_t *names = ddb_expr_top_names(r->x.projection);
            ddb_buf missing = DDB_BUF_INIT;
            size_t i;
            json_t *n;
            json_array_foreach(names, i, n) {
                if (!projected(t, ix, json_string_value(n)))
                    ddb_buf_printf(&missing, "%s%s", missing.len ? ", " : "",
                                   json_string_value(n));
            }
            json_decref(names);
            if (missing.len > 0) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Global secondary index "
                            "%s does not project [%s]",
                            ix->name, (char *)missing.data);
                ddb_buf_free(&missing);
                return DDB_ERR;
            }
        }
    }
    if (ix != NULL && ix->local && ix->projection != DDB_PROJ_ALL) {
        if (r->select == SEL_ALL)
            r->fetch_base = 1;
        if (r->x.projection != NULL) {
            json_t *names = ddb_expr_top_names(r->x.projection);
            size_t i;
            json_t *n;
            json_array_foreach(names, i, n) {
                if (!projected(t, ix, json_string_value(n)))
                    r->fetch_base = 1;
            }
            json_decref(names);
        }
        if (r->x.filter != NULL) {
            json_t *names = ddb_expr_top_names(r->x.filter);
            size_t i;
            json_t *n;
            json_array_foreach(names, i, n) {
                if (!projected(t, ix, json_string_value(n)))
                    r->fetch_base = 1;
            }
            json_decref(names);
        }
    }
    return DDB_OK;
}

/* The attributes a start key / LastEvaluatedKey holds. */
static size_t key_names(const ddb_table *t, const ddb_index *ix, const ddb_keyattr **out)
{
    size_t n = 0;
    out[n++] = &t->hash;
    if (t->range.name)
        out[n++] = &t->range;
    if (ix != NULL) {
        const ddb_keyattr *k[2] = {&ix->hash, &ix->range};
        for (int i = 0; i < 2; i++) {
            if (k[i]->name == NULL)
                continue;
            int dup = 0;
            for (size_t j = 0; j < n; j++)
                dup |= strcmp(out[j]->name, k[i]->name) == 0;
            if (!dup)
                out[n++] = k[i];
        }
    }
    return n;
}

/* ExclusiveStartKey against the key schema being read: the number of
** attributes (table key plus index key), then each attribute of the queried
** key schema -- for a Scan of the table itself the table part below does
** that (query-scan-batch-facts.md §2.3 rows 3-4', §3.2 rows 3-4). */
static int check_start_key_shape(read_op *r, const json_t *esk, ddb_error *err)
{
    const ddb_keyattr *names[4];
    size_t n = key_names(r->t, r->ix, names);
    if (json_object_size(esk) != n)
        return ddb_err_set(err, DDB_E_VALIDATION, "%s",
                           r->scan && r->ix == NULL
                               ? "The provided starting key is invalid: The provided key element "
                                 "does not match the schema"
                               : "The provided starting key is invalid");
    if (r->scan && r->ix == NULL)
        return DDB_OK;
    const ddb_keyattr *ks[2] = {r->ix ? &r->ix->hash : &r->t->hash,
                                r->ix ? &r->ix->range : &r->t->range};
    for (int i = 0; i < 2; i++) {
        if (ks[i]->name == NULL)
            continue;
        const json_t *v = json_object_get(esk, ks[i]->name);
        if (v == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION, "The provided starting key is invalid");
        if (ddb_attr_type(v) != ks[i]->type)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "The provided key element does not match the schema");
    }
    return DDB_OK;
}

/* The table-key part of ExclusiveStartKey (§2.3 row 10, §3.2 row 6). */
static int check_start_key_table_part(read_op *r, const json_t *esk, ddb_error *err)
{
    const ddb_keyattr *ks[2] = {&r->t->hash, &r->t->range};
    for (int i = 0; i < 2; i++) {
        if (ks[i]->name == NULL)
            continue;
        const json_t *v = json_object_get(esk, ks[i]->name);
        if (v == NULL || ddb_attr_type(v) != ks[i]->type)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "The provided starting key is invalid: The provided key element "
                               "does not match the schema");
    }
    return DDB_OK;
}

/*---- key ranges ----*/

/* The smallest string greater than every string starting with b[0..len). */
static int successor(ddb_buf *b)
{
    while (b->len > 0 && b->data[b->len - 1] == 0xFF)
        b->len--;
    if (b->len == 0)
        return -1;
    b->data[b->len - 1]++;
    return 0;
}

/* The escaped bytes of an S or B value without the terminator: every key
** whose value starts with it starts with these bytes. */
static void prefix_bytes(const json_t *av, ddb_buf *out)
{
    ddb_buf enc = DDB_BUF_INIT;
    ddb_attr_encode_key(av, &enc);
    ddb_buf_append(out, enc.data, enc.len - 2); /* drop the 0x00 0x01 terminator */
    ddb_buf_free(&enc);
}

static int buf_cmp(const ddb_buf *a, const ddb_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->data, b->data, n) : 0;
    return c ? c : (a->len < b->len ? -1 : a->len > b->len);
}

static void copy_buf(ddb_buf *dst, const ddb_buf *src)
{
    dst->len = 0;
    ddb_buf_append(dst, src->data, src->len);
}

/* [lo, hi) of a Query: the partition 'hash_value', narrowed by the sort key condition. */
static void query_bounds(uint32_t id, const ddb_key_cond *kc, ddb_buf *lo, ddb_buf *hi)
{
    ddb_buf p = DDB_BUF_INIT, enc = DDB_BUF_INIT;
    ddb_key_put_id(&p, id);
    ddb_attr_encode_key(kc->hash_value, &enc);
    uint64_t h = ddb_hash64(enc.data, enc.len);
    for (int i = 0; i < 8; i++)
        ddb_buf_putc(&p, (int)(unsigned char)(h >> (56 - 8 * i)));
    ddb_buf_append(&p, enc.data, enc.len);
    ddb_buf_free(&enc);
    copy_buf(lo, &p);
    copy_buf(hi, &p);
    successor(hi);
    switch (kc->range_op) {
        case DDB_KEY_NONE: break;
        case DDB_KEY_EQ:
            copy_buf(lo, &p);
            ddb_attr_encode_key(kc->range_v1, lo);
            copy_buf(hi, lo);
            successor(hi);
            break;
        case DDB_KEY_LT:
            copy_buf(hi, &p);
            ddb_attr_encode_key(kc->range_v1, hi);
            break;
        case DDB_KEY_LE:
            copy_buf(hi, &p);
            ddb_attr_encode_key(kc->range_v1, hi);
            successor(hi);
            break;
        case DDB_KEY_GT:
            copy_buf(lo, &p);
            ddb_attr_encode_key(kc->range_v1, lo);
            successor(lo);
            break;
        case DDB_KEY_GE:
            copy_buf(lo, &p);
            ddb_attr_encode_key(kc->range_v1, lo);
            break;
        case DDB_KEY_BETWEEN:
            copy_buf(lo, &p);
            ddb_attr_encode_key(kc->range_v1, lo);
            copy_buf(hi, &p);
            ddb_attr_encode_key(kc->range_v2, hi);
            successor(hi);
            break;
        case DDB_KEY_BEGINS_WITH:
            copy_buf(lo, &p);
            prefix_bytes(kc->range_v1, lo);
            copy_buf(hi, lo);
            if (successor(hi) < 0 || hi->len < p.len) { /* empty prefix: the partition */
                copy_buf(hi, &p);
                successor(hi);
            }
            break;
    }
    ddb_buf_free(&p);
}

/* Does sort key value 'v' satisfy the key condition's range predicate? */
static int range_matches(const ddb_key_cond *kc, const json_t *v)
{
    if (kc->range_op == DDB_KEY_NONE)
        return 1;
    int c = ddb_attr_compare(v, kc->range_v1);
    switch (kc->range_op) {
        case DDB_KEY_EQ: return c == 0;
        case DDB_KEY_LT: return c < 0;
        case DDB_KEY_LE: return c <= 0;
        case DDB_KEY_GT: return c > 0;
        case DDB_KEY_GE: return c >= 0;
        case DDB_KEY_BETWEEN: return c >= 0 && ddb_attr_compare(v, kc->range_v2) <= 0;
        case DDB_KEY_BEGINS_WITH: {
            ddb_buf a = DDB_BUF_INIT, p = DDB_BUF_INIT;
            ddb_attr_encode_key(v, &a);
            prefix_bytes(kc->range_v1, &p);
            int ok = a.len >= p.len && memcmp(a.data, p.data, p.len) == 0;
            ddb_buf_free(&a);
            ddb_buf_free(&p);
            return ok;
        }
        default: return 0;
    }
}

/*---- reading ----*/

/* The LastEvaluatedKey of an evaluated item or entry. New object. */
static json_t *last_key(const read_op *r, const json_t *item)
{
    const ddb_keyattr *names[4];
    size_t n = key_names(r->t, r->ix, names);
    json_t *k = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(item, names[i]->name);
        if (v != NULL)
            json_object_set(k, names[i]->name, v);
    }
    return k;
}

/* End of the member value starting at text[i] of a compact JSON object (the
** ',' or '}' after it), or (size_t)-1 when the text is malformed. */
static size_t skip_value(const char *text, size_t len, size_t i)
{
    int depth = 0;
    for (; i < len; i++) {
        char c = text[i];
        if (c == '"') {
            for (i++; i < len && text[i] != '"'; i++)
                if (text[i] == '\\')
                    i++;
            if (i >= len)
                return (size_t)-1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            depth--;
        } else if (c == ',' && depth == 0) {
            return i;
        }
    }
    return (size_t)-1;
}

/* LastEvaluatedKey straight from a stored row's text: the key attributes'
** raw values copied in key order, without parsing the item. 0 on success;
** -1 when the text is not the simple compact form expected (the caller then
** parses it). */
static int last_key_raw(const read_op *r, const char *text, size_t len, ddb_buf *out)
{
    const ddb_keyattr *names[4];
    size_t n = key_names(r->t, r->ix, names);
    size_t vs[4] = {0}, ve[4] = {0};
    if (len < 2 || text[0] != '{')
        return -1;
    size_t i = 1;
    while (i < len && text[i] != '}') {
        if (text[i] != '"')
            return -1;
        size_t ks = ++i;
        while (i < len && text[i] != '"') {
            if (text[i] == '\\')
                return -1; /* escaped names: leave them to the parser */
            i++;
        }
        if (i + 1 >= len || text[i + 1] != ':')
            return -1;
        size_t klen = i - ks;
        size_t start = i + 2, end = skip_value(text, len, start);
        if (end == (size_t)-1 || end <= start)
            return -1;
        for (size_t k = 0; k < n; k++)
            if (strlen(names[k]->name) == klen && memcmp(names[k]->name, text + ks, klen) == 0) {
                vs[k] = start;
                ve[k] = end;
            }
        i = end;
        if (i < len && text[i] == ',')
            i++;
    }
    ddb_buf_putc(out, '{');
    int first = 1;
    for (size_t k = 0; k < n; k++) {
        if (ve[k] == 0)
            continue;
        for (const char *c = names[k]->name; *c; c++)
            if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
                return -1;
        ddb_buf_printf(out, "%s\"%s\":", first ? "" : ",", names[k]->name);
        ddb_buf_append(out, text + vs[k], ve[k] - vs[k]);
        first = 0;
    }
    ddb_buf_putc(out, '}');
    return 0;
}

/* Fetch the table item an LSI entry points to. New reference or NULL. */
static json_t *base_item(read_op *r, const json_t *entry, ddb_error *err)
{
    ddb_buf key = DDB_BUF_INIT, text = DDB_BUF_INIT;
    json_t *item = NULL;
    if (ddb_key_item(r->t, entry, &key, err) == DDB_OK &&
        ddb_item_read(r->conn, &key, &text, err) == 1) {
        json_error_t jerr;
        item = json_loadb((const char *)text.data, text.len, JSON_ALLOW_NUL, &jerr);
        if (item != NULL)
            r->base_units += ddb_capacity_read_units(ddb_item_size(item), r->mode);
    }
    ddb_buf_free(&key);
    ddb_buf_free(&text);
    return item;
}

static int on_row(void *ctx, const unsigned char *k, size_t klen, const unsigned char *v,
                  size_t vlen, int64_t sz, ddb_error *err)
{
    read_op *r = ctx;
    if (r->scan) { /* its partition-key hash (key bytes 4..11) and size */
        if (r->n_rows == r->cap_rows) {
            r->cap_rows = r->cap_rows ? 2 * r->cap_rows : 256;
            r->row_hash = ddb_xrealloc(r->row_hash, r->cap_rows * sizeof *r->row_hash);
            r->row_size = ddb_xrealloc(r->row_size, r->cap_rows * sizeof *r->row_size);
        }
        uint64_t h = 0;
        for (size_t i = 4; i < 12 && i < klen; i++)
            h = h << 8 | k[i];
        r->row_hash[r->n_rows] = h;
        r->row_size[r->n_rows++] = (uint64_t)sz;
    }
    r->scanned++;
    r->bytes += (size_t)sz;
    /* the last evaluated row, parsed only if it becomes LastEvaluatedKey */
    r->last_raw.len = 0;
    ddb_buf_append(&r->last_raw, v, vlen);
    int plain = r->x.filter == NULL && r->x.projection == NULL && !r->fetch_base;
    if (plain) { /* nothing to evaluate: the stored text is the reply's item */
        r->count++;
        if (r->select != SEL_COUNT) {
            if (r->items.len > 0)
                ddb_buf_putc(&r->items, ',');
            ddb_buf_append(&r->items, v, vlen);
        }
        if ((r->limit > 0 && r->scanned >= r->limit) || r->bytes >= DDB_PAGE_BYTES) {
            r->stopped = 1;
            return 1;
        }
        return 0;
    }
    json_error_t jerr;
    json_t *item = json_loadb((const char *)v, vlen, JSON_ALLOW_NUL, &jerr);
    if (item == NULL)
        return ddb_err_set(err, DDB_E_INTERNAL, "unreadable stored item");
    if (r->fetch_base) {
        json_t *full = base_item(r, item, err);
        if (full != NULL) {
            json_decref(item);
            item = full;
        }
    }
    int keep = 1;
    if (r->x.filter != NULL) {
        keep = ddb_expr_eval(r->x.filter, item, err);
        if (keep < 0) {
            json_decref(item);
            return DDB_ERR;
        }
    }
    if (keep) {
        r->count++;
        if (r->select != SEL_COUNT) {
            if (r->items.len > 0)
                ddb_buf_putc(&r->items, ',');
            /* without a projection the reply is the entry as stored, unless
            ** ALL_ATTRIBUTES asked for the table item (an LSI read that
            ** fetched the item for its filter still returns the entry) */
            if (r->x.projection == NULL && !(r->fetch_base && r->select == SEL_ALL)) {
                ddb_buf_append(&r->items, v, vlen);
            } else {
                json_t *out = r->x.projection ? ddb_expr_project(r->x.projection, item)
                                              : json_incref(item);
                size_t len;
                char *text = ddb_item_text(out, &len);
                ddb_buf_append(&r->items, text, len);
                free(text);
                json_decref(out);
            }
        }
    }
    json_decref(item);
    if ((r->limit > 0 && r->scanned >= r->limit) || r->bytes >= DDB_PAGE_BYTES) {
        r->stopped = 1;
        return 1;
    }
    return 0;
}

/* Run the range read. */
static int read_range(read_op *r, const ddb_buf *lo, const ddb_buf *hi, ddb_error *err)
{
    r->conn = ddb_store_conn(r->req->srv->store, err);
    if (r->conn == NULL)
        return DDB_ERR;
    if (buf_cmp(lo, hi) < 0 && ddb_store_scan(r->conn, lo->data, lo->len, hi->data, hi->len,
                                               !r->forward, on_row, r, err) != DDB_OK)
        return DDB_ERR;
    return DDB_OK;
}

/* The reply of an admitted page. */
static void render(read_op *r)
{
    ddb_buf *o = &r->req->out_raw;
    ddb_buf_printf(o, "{\"Count\":%lld", r->count);
    if (r->cc != NULL) {
        char *ct = json_dumps(r->cc, JSON_COMPACT | JSON_REAL_PRECISION(15));
        ddb_buf_printf(o, ",\"ConsumedCapacity\":%s", ct);
        free(ct);
    }
    if (r->select != SEL_COUNT) {
        ddb_buf_puts(o, ",\"Items\":[");
        ddb_buf_append(o, r->items.data, r->items.len);
        ddb_buf_putc(o, ']');
    }
    ddb_buf raw = DDB_BUF_INIT;
    int fast = r->stopped && r->last_raw.len > 0 &&
               last_key_raw(r, (const char *)r->last_raw.data, r->last_raw.len, &raw) == 0;
    if (fast) {
        ddb_buf_puts(o, ",\"LastEvaluatedKey\":");
        ddb_buf_append(o, raw.data, raw.len);
    }
    ddb_buf_free(&raw);
    json_error_t jerr;
    json_t *last = !fast && r->stopped && r->last_raw.len > 0
                       ? json_loadb((const char *)r->last_raw.data, r->last_raw.len,
                                    JSON_ALLOW_NUL, &jerr)
                       : NULL;
    if (last != NULL) {
        json_t *lek = last_key(r, last);
        json_decref(last);
        size_t len;
        char *text = ddb_item_text(lek, &len);
        ddb_buf_puts(o, ",\"LastEvaluatedKey\":");
        ddb_buf_append(o, text, len);
        free(text);
        json_decref(lek);
    }
    ddb_buf_printf(o, ",\"ScannedCount\":%lld}", r->scanned);
}

/*---- authorization and capacity ----*/

/* Look the table up quietly, authorize the caller on it (on the index ARN
** when IndexName is given) with the request's condition keys, then reveal a
** missing table. A Query's partition key value, when its key condition
** yields one, is dynamodb:LeadingKeys. */
static int lookup_authorized(read_op *r, ddb_error *err)
{
    ddb_req *req = r->req;
    json_t *in = req->in;
    ddb_error missing = DDB_ERROR_INIT;
    r->t = ddb_req_table(req, 1, &missing);
    const char *ixn = json_string_value(json_object_get(in, "IndexName"));
    if (!ddb_authz_enforcing(req)) { /* open mode: nothing to decide */
        if (r->t != NULL) {
            ddb_err_clear(&missing);
            return DDB_OK;
        }
        if (err != NULL)
            *err = missing;
        else
            ddb_err_clear(&missing);
        return DDB_ERR;
    }
    json_t *ctx = ddb_authz_ctx_new();
    ddb_authz_add_expr_names(ctx, &r->x);
    if (!r->scan && r->t != NULL) {
        const ddb_index *ix = ixn ? ddb_table_index(r->t, ixn) : NULL;
        const ddb_keyattr *hk = ix ? &ix->hash : &r->t->hash;
        const ddb_keyattr *rk = ix ? &ix->range : &r->t->range;
        ddb_key_cond kc;
        ddb_error quiet = DDB_ERROR_INIT;
        if ((ixn == NULL || ix != NULL) && r->n_conditions == 0 &&
            ddb_expr_key_condition(r->x.key_cond, hk->name, ddb_type_name(hk->type), rk->name,
                                   rk->name ? ddb_type_name(rk->type) : NULL, &kc,
                                   &quiet) == DDB_OK)
            ddb_authz_add_leading_key(ctx, kc.hash_value);
        ddb_err_clear(&quiet);
    }
    static const char *const select_names[] = {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                                               "SPECIFIC_ATTRIBUTES", "COUNT"};
    ddb_authz_set(ctx, "dynamodb:Select", select_names[r->select]);
    const char *rcc = json_string_value(json_object_get(in, "ReturnConsumedCapacity"));
    ddb_authz_set(ctx, "dynamodb:ReturnConsumedCapacity", rcc ? rcc : "NONE");
    const char *name = ddb_req_table_name(req);
    int rc = ddb_authz_table(req, r->t, name ? name : "", ixn, ctx, err);
    json_decref(ctx);
    if (rc == DDB_OK && r->t == NULL) {
        if (err != NULL)
            *err = missing;
        else
            ddb_err_clear(&missing);
        return DDB_ERR;
    }
    ddb_err_clear(&missing);
    return rc;
}

/* Admit 'n' read charges of the page and note the request; on success the
** page's ConsumedCapacity ('units' through the index or on the table, plus
** the table items an LSI read fetched) is kept for the reply. */
static int admit_page(read_op *r, const ddb_throttle_charge *ch, size_t n, ddb_cu units,
                      ddb_error *err)
{
    ddb_tput *tp = r->req->srv->tput;
    int rc = ddb_tput_admit(tp, r->t, ch, n, NULL, err);
    ddb_tput_note(tp, r->t, r->scan ? "Scan" : "Query", rc != DDB_OK && ddb_tput_throttled(err));
    if (rc != DDB_OK)
        return DDB_ERR;
    ddb_capacity_index_use use = {r->ix ? r->ix->name : NULL, r->ix ? r->ix->local : 0, units, 0};
    r->cc = ddb_consumed_capacity(r->req->in, r->t, r->ix ? r->base_units : units + r->base_units,
                                  0, &use, r->ix ? 1 : 0);
    return DDB_OK;
}

/* A Query page: its bytes read, rounded up to 4 KB once, on the partition
** of its partition key value (the GSI's, or the table's for a table or LSI);
** an LSI's fetched table items are charged to the table on top. */
static int charge_query(read_op *r, const json_t *hash_value, ddb_error *err)
{
    const ddb_keyattr *hk = r->ix ? &r->ix->hash : &r->t->hash;
    ddb_cu units = ddb_capacity_query_units(r->bytes, r->mode);
    json_t *key = json_object();
    json_object_set(key, hk->name, (json_t *)hash_value);
    char *label = NULL;
    ddb_throttle_charge ch = ddb_read_charge(r->t, r->ix, key, units + r->base_units, &label);
    json_decref(key);
    int rc = admit_page(r, &ch, 1, units, err);
    free(label);
    return rc;
}

/* A Scan page read from hash 'h0' to hash 'h1' (inclusive): every partition
** of the span is charged at least one 4 KB block, the rest as its own bytes
** require (ddb_capacity_scan_units). */
static int charge_scan(read_op *r, uint64_t h0, uint64_t h1, ddb_error *err)
{
    ddb_tput *tp = r->req->srv->tput;
    ddb_throttle_sim *sim = ddb_tput_sim(tp, r->t, err);
    if (sim == NULL)
        return DDB_ERR;
    const char *gsi = r->ix && !r->ix->local ? r->ix->name : NULL;
    ddb_throttle_partition_info span[DDB_THROTTLE_MAX_PARTITIONS];
    size_t np = 0;
    if (h0 > h1)
        h1 = h0;
    if (ddb_throttle_partition_span(sim, r->t->name, gsi, h0, h1, ddb_tput_now(tp), span,
                                    DDB_THROTTLE_MAX_PARTITIONS, &np, err) != DDB_OK)
        return DDB_ERR;
    if (np > DDB_THROTTLE_MAX_PARTITIONS)
        np = DDB_THROTTLE_MAX_PARTITIONS;
    if (np == 0)
        return ddb_err_set(err, DDB_E_INTERNAL, "scan span has no partition");
    uint64_t bytes[DDB_THROTTLE_MAX_PARTITIONS];
    memset(bytes, 0, sizeof bytes);
    size_t p = 0;
    for (size_t i = 0; i < r->n_rows; i++) { /* rows and partitions are both in hash order */
        while (p + 1 < np && r->row_hash[i] > span[p].hi)
            p++;
        bytes[p] += r->row_size[i];
    }
    ddb_cu per[DDB_THROTTLE_MAX_PARTITIONS];
    ddb_cu units = ddb_capacity_scan_units(bytes, np, r->mode, per);
    ddb_throttle_charge ch[DDB_THROTTLE_MAX_PARTITIONS];
    for (size_t i = 0; i < np; i++)
        ch[i] = (ddb_throttle_charge){r->t->name, gsi, DDB_THROTTLE_READ, per[i], span[i].lo,
                                      NULL, 0};
    if (r->base_units > 0 && np > 0) /* an LSI's fetched items: the table's partitions */
        ch[np - 1].units += r->base_units;
    return admit_page(r, ch, np, units, err);
}

static int resolve_index(read_op *r, ddb_error *err)
{
    json_t *in = r->req->in;
    const char *ixn = json_string_value(json_object_get(in, "IndexName"));
    if (ixn != NULL) {
        r->ix = ddb_table_index(r->t, ixn);
        if (r->ix == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "The table does not have the specified index: %s", ixn);
        if (!r->ix->local && json_is_true(json_object_get(in, "ConsistentRead")))
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "Consistent reads are not supported on global secondary indexes");
        ddb_table_status st = ddb_index_status_at(r->ix, ddb_now());
        if (st == DDB_TS_CREATING && !r->ix->local)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "Cannot read from backfilling global secondary index: %s", ixn);
    }
    return DDB_OK;
}

static void read_op_free(read_op *r)
{
    ddb_req_exprs_free(&r->x);
    ddb_table_unref(r->t);
    ddb_buf_free(&r->last_raw);
    ddb_buf_free(&r->items);
    free(r->row_hash);
    free(r->row_size);
    json_decref(r->cc);
}

/* QueryFilter / ScanFilter entries (§1.4), in the order sent. Scan's values
** are checked in the older layer first (§1.1), each entry before the next. */
static int check_filter_map(read_op *r, ddb_error *err)
{
    json_t *in = r->req->in;
    json_t *map = json_object_get(in, r->scan ? "ScanFilter" : "QueryFilter");
    if (map == NULL)
        return DDB_OK;
    const char *k;
    json_t *c;
    json_object_foreach(map, k, c) {
        if (r->scan) {
            size_t i;
            json_t *av;
            json_array_foreach(json_object_get(c, "AttributeValueList"), i, av) {
                if (ddb_attr_check_layer(av, DDB_AV_LEGACY, err) != DDB_OK)
                    return DDB_ERR;
            }
        }
        json_t *one = json_object();
        json_object_set(one, k, c);
        ddb_expr *e = ddb_expr_from_filter(one, NULL, err);
        json_decref(one);
        if (e == NULL)
            return DDB_ERR;
        ddb_expr_free(e);
    }
    return DDB_OK;
}

/* Parse the expressions; a Query's legacy KeyConditions are translated after
** them (§2.2 rows 9 and 11), then a KeyConditionExpression's structure is
** checked -- still before the table lookup, with the 2026 prefix (§9 #2). A
** condition count above 2 needs the key schema for its text: deferred. */
static int parse_expressions(read_op *r, ddb_error *err)
{
    json_t *in = r->req->in;
    json_t *kcs = r->scan ? NULL : json_object_get(in, "KeyConditions");
    json_t *copy = json_copy(in);
    json_object_del(copy, "KeyConditions");
    int rc = ddb_req_exprs_parse(copy, r->scan ? DDB_XOP_SCAN : DDB_XOP_QUERY, r->scan, &r->x,
                                 err);
    json_decref(copy);
    if (rc != DDB_OK)
        return DDB_ERR;
    if (kcs != NULL && r->x.key_cond == NULL &&
        (r->x.key_cond = ddb_expr_from_key_conditions(kcs, err)) == NULL)
        return DDB_ERR;
    if (r->scan || json_object_get(in, "KeyConditionExpression") == NULL)
        return DDB_OK;
    ddb_key_cond kc;
    if (ddb_expr_key_condition(r->x.key_cond, NULL, NULL, NULL, NULL, &kc, err) == DDB_OK)
        return DDB_OK;
    if (err && err->message && strcmp(err->message, "Conditions can be of length 1 or 2 only") == 0) {
        json_t *names = ddb_expr_top_names(r->x.key_cond);
        r->n_conditions = json_array_size(names);
        json_decref(names);
        ddb_err_clear(err);
        return DDB_OK;
    }
    if (err && err->message && strncmp(err->message, "Invalid KeyConditionExpression: ", 32) != 0) {
        char *m = ddb_xasprintf("Invalid KeyConditionExpression: %s", err->message);
        free(err->message);
        err->message = m;
    }
    return DDB_ERR;
}

/* The request checks shared by Query and Scan, before the table lookup, in
** DynamoDB's order (query-scan-batch-facts.md §2.2, §3.1). */
static int check_request(read_op *r, ddb_error *err)
{
    json_t *in = r->req->in;
    if (check_constraints(r, err) != DDB_OK ||
        ddb_req_exprs_check_mix(in, r->scan ? DDB_XOP_SCAN : DDB_XOP_QUERY, err) != DDB_OK)
        return DDB_ERR;
    if (!r->scan && check_filter_map(r, err) != DDB_OK)
        return DDB_ERR;
    if (check_attributes_to_get(json_object_get(in, "AttributesToGet"), err) != DDB_OK)
        return DDB_ERR;
    if (r->scan && check_filter_map(r, err) != DDB_OK)
        return DDB_ERR;
    if (check_start_key_values(r, err) != DDB_OK)
        return DDB_ERR;
    if (!r->scan) {
        if (json_object_get(in, "KeyConditions") == NULL &&
            json_object_get(in, "KeyConditionExpression") == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "Either the KeyConditions or KeyConditionExpression parameter "
                               "must be specified in the request.");
    } else {
        json_t *seg = json_object_get(in, "Segment"), *tot = json_object_get(in, "TotalSegments");
        if (seg != NULL && tot == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "The TotalSegments parameter is required but was not present in "
                               "the request when Segment parameter is present");
        if (tot != NULL && seg == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "The Segment parameter is required but was not present in the "
                               "request when parameter TotalSegments is present");
        if (seg != NULL && json_integer_value(seg) >= json_integer_value(tot))
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "The Segment parameter is zero-based and must be less than "
                               "parameter TotalSegments: Segment: %lld is not less than "
                               "TotalSegments: %lld",
                               (long long)json_integer_value(seg),
                               (long long)json_integer_value(tot));
    }
    if (parse_expressions(r, err) != DDB_OK)
        return DDB_ERR;
    if (check_select(r, err) != DDB_OK)
        return DDB_ERR;
    json_t *limit = json_object_get(in, "Limit");
    r->limit = limit ? json_integer_value(limit) : 0;
    json_t *fwd = json_object_get(in, "ScanIndexForward");
    r->forward = fwd == NULL || json_is_true(fwd);
    r->mode = json_is_true(json_object_get(in, "ConsistentRead")) ? DDB_READ_STRONG
                                                                   : DDB_READ_EVENTUAL;
    return DDB_OK;
}

/*---- Query ----*/

int ddb_op_query(ddb_req *req, ddb_error *err)
{
    read_op r;
    memset(&r, 0, sizeof r);
    r.req = req;
    int rc = DDB_ERR;
    ddb_buf lo = DDB_BUF_INIT, hi = DDB_BUF_INIT;
    if (check_request(&r, err) != DDB_OK)
        goto out;
    if (lookup_authorized(&r, err) != DDB_OK || resolve_index(&r, err) != DDB_OK)
        goto out;
    const ddb_keyattr *hk = r.ix ? &r.ix->hash : &r.t->hash;
    const ddb_keyattr *rk = r.ix ? &r.ix->range : &r.t->range;
    if (r.n_conditions > 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "The number of query conditions (%zu) exceeds the number of key attributes "
                    "defined in the schema (%d)",
                    r.n_conditions, rk->name ? 2 : 1);
        goto out;
    }
    json_t *esk = json_object_get(req->in, "ExclusiveStartKey");
    if (esk != NULL && check_start_key_shape(&r, esk, err) != DDB_OK)
        goto out;
    ddb_key_cond kc;
    memset(&kc, 0, sizeof kc);
    if (ddb_expr_key_condition(r.x.key_cond, hk->name, ddb_type_name(hk->type), rk->name,
                               rk->name ? ddb_type_name(rk->type) : NULL, &kc, err) != DDB_OK)
        goto out;
    if (esk != NULL) {
        /* the table-key part, then the boundaries (§2.3 rows 10-11'') */
        if (check_start_key_table_part(&r, esk, err) != DDB_OK)
            goto out;
        int same_hash = ddb_attr_equal(json_object_get(esk, hk->name), kc.hash_value);
        if (kc.range_op == DDB_KEY_NONE) {
            if (!same_hash) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            "The provided starting key is outside query boundaries based on "
                            "provided conditions");
                goto out;
            }
        } else if (!range_matches(&kc, json_object_get(esk, rk->name))) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The provided starting key does not match the range key predicate");
            goto out;
        } else if (!same_hash) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The query can return at most one row and cannot be restarted");
            goto out;
        }
    }
    if (check_key_paths(&r, err) != DDB_OK || check_projection(&r, err) != DDB_OK)
        goto out;
    uint32_t id = r.ix ? r.ix->id : r.t->id;
    query_bounds(id, &kc, &lo, &hi);
    if (esk != NULL) {
        ddb_buf k = DDB_BUF_INIT;
        if (r.ix == NULL)
            ddb_key_item(r.t, esk, &k, err);
        else
            ddb_key_index(r.t, r.ix, esk, &k);
        if (r.forward) { /* strictly after the start key */
            ddb_buf_putc(&k, 0);
            if (buf_cmp(&k, &lo) > 0)
                copy_buf(&lo, &k);
        } else if (buf_cmp(&k, &hi) < 0) { /* strictly before it */
            copy_buf(&hi, &k);
        }
        ddb_buf_free(&k);
    }
    rc = read_range(&r, &lo, &hi, err);
    if (rc == DDB_OK && (rc = charge_query(&r, kc.hash_value, err)) == DDB_OK)
        render(&r);
out:
    ddb_buf_free(&lo);
    ddb_buf_free(&hi);
    read_op_free(&r);
    return rc;
}

/*---- Scan ----*/

/* Hash value where segment 'seg' of 'total' starts (total segments end at 2^64). */
static uint64_t segment_start(long long seg, long long total)
{
    unsigned __int128 v = ((unsigned __int128)1 << 64) * (unsigned long long)seg /
                          (unsigned long long)total;
    return (uint64_t)v;
}

/* The partition-key hash in bytes 4..11 of a storage key. */
static uint64_t hash_of(const ddb_buf *k)
{
    uint64_t h = 0;
    for (size_t i = 4; i < 12 && i < k->len; i++)
        h = h << 8 | k->data[i];
    return h;
}

static void put_hash(ddb_buf *b, uint32_t id, uint64_t h)
{
    ddb_key_put_id(b, id);
    for (int i = 0; i < 8; i++)
        ddb_buf_putc(b, (int)(unsigned char)(h >> (56 - 8 * i)));
}

int ddb_op_scan(ddb_req *req, ddb_error *err)
{
    read_op r;
    memset(&r, 0, sizeof r);
    r.req = req;
    r.scan = 1;
    int rc = DDB_ERR;
    ddb_buf lo = DDB_BUF_INIT, hi = DDB_BUF_INIT;
    if (check_request(&r, err) != DDB_OK)
        goto out;
    r.forward = 1;
    if (lookup_authorized(&r, err) != DDB_OK || resolve_index(&r, err) != DDB_OK)
        goto out;
    /* start key (index part), Select against the index, start key (table
    ** part), its segment, then key paths (§3.2) */
    json_t *esk = json_object_get(req->in, "ExclusiveStartKey");
    if (esk != NULL && check_start_key_shape(&r, esk, err) != DDB_OK)
        goto out;
    if (check_projection(&r, err) != DDB_OK)
        goto out;
    if (esk != NULL && check_start_key_table_part(&r, esk, err) != DDB_OK)
        goto out;
    uint32_t id = r.ix ? r.ix->id : r.t->id;
    json_t *seg = json_object_get(req->in, "Segment");
    long long s = seg ? json_integer_value(seg) : 0;
    long long total = seg ? json_integer_value(json_object_get(req->in, "TotalSegments")) : 1;
    put_hash(&lo, id, segment_start(s, total));
    if (s + 1 < total) {
        put_hash(&hi, id, segment_start(s + 1, total));
    } else {
        ddb_key_put_id(&hi, id);
        successor(&hi);
    }
    if (esk != NULL) {
        ddb_buf k = DDB_BUF_INIT;
        if (r.ix == NULL)
            ddb_key_item(r.t, esk, &k, err);
        else
            ddb_key_index(r.t, r.ix, esk, &k);
        /* the start key must lie in this segment's hash range */
        if (buf_cmp(&k, &lo) < 0 || buf_cmp(&k, &hi) >= 0) {
            ddb_buf_free(&k);
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please "
                        "use ExclusiveStartKey with correct Segment. TotalSegments: %lld Segment: "
                        "%lld",
                        total, s);
            goto out;
        }
        ddb_buf_putc(&k, 0);
        copy_buf(&lo, &k);
        ddb_buf_free(&k);
    }
    if (check_key_paths(&r, err) != DDB_OK)
        goto out;
    rc = read_range(&r, &lo, &hi, err);
    if (rc == DDB_OK) {
        /* the span read: from the start key's (or the segment's) hash to the
        ** last row's, or to the segment's end when the page finished it */
        uint64_t h0 = hash_of(&lo), h1;
        if (r.stopped && r.n_rows > 0)
            h1 = r.row_hash[r.n_rows - 1];
        else if (s + 1 < total)
            h1 = segment_start(s + 1, total) - 1;
        else
            h1 = UINT64_MAX;
        if ((rc = charge_scan(&r, h0, h1, err)) == DDB_OK)
            render(&r);
    }
out:
    ddb_buf_free(&lo);
    ddb_buf_free(&hi);
    read_op_free(&r);
    return rc;
}
