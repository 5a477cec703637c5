/* SPDX-License-Identifier: MIT
**
** attr.c -- AttributeValue semantics (see ddb_attr.h): type names, validation
** and canonicalisation with DynamoDB's texts, item size, equality, scalar
** order and the key encoding. JSON-level typing is the request type check's
** job; here the JSON types are assumed right.
*/
#include "ddb_attr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"", "S", "N", "B", "BOOL", "NULL", "M", "L",
                                         "SS", "NS", "BS"};

const char *ddb_type_name(ddb_type t)
{
    return (unsigned)t < sizeof type_names / sizeof type_names[0] ? type_names[t] : "";
}

ddb_type ddb_type_from_name(const char *s, size_t n)
{
    for (int t = DDB_T_S; t <= DDB_T_BS; t++)
        if (strlen(type_names[t]) == n && memcmp(type_names[t], s, n) == 0)
            return (ddb_type)t;
    return DDB_T_NONE;
}

ddb_type ddb_attr_type(const json_t *av)
{
    if (!json_is_object(av) || json_object_size(av) != 1)
        return DDB_T_NONE;
    void *it = json_object_iter((json_t *)av);
    const char *k = json_object_iter_key(it);
    return ddb_type_from_name(k, json_object_iter_key_len(it));
}

json_t *ddb_attr_payload(const json_t *av)
{
    void *it = json_object_iter((json_t *)av);
    return it ? json_object_iter_value(it) : NULL;
}

/*---- validation ----*/

static int strings_equal(const json_t *a, const json_t *b)
{
    size_t la = json_string_length(a);
    return la == json_string_length(b) && memcmp(json_string_value(a), json_string_value(b), la) == 0;
}

static int cmp_json_strings(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    size_t lx = json_string_length(x), ly = json_string_length(y);
    int c = memcmp(json_string_value(x), json_string_value(y), lx < ly ? lx : ly);
    return c ? c : (lx < ly ? -1 : lx > ly);
}

/* 1 if the array of strings holds the same string twice. */
static int has_duplicates(const json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return 0;
    if (n <= 8) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (strings_equal(json_array_get(arr, i), json_array_get(arr, j)))
                    return 1;
        return 0;
    }
    json_t **v = ddb_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, n, sizeof *v, cmp_json_strings);
    int dup = 0;
    for (size_t i = 1; i < n && !dup; i++)
        dup = strings_equal(v[i - 1], v[i]);
    free(v);
    return dup;
}

/* Order of two set members: bytes of the string, or of the decoded binary. */
static int member_cmp(const json_t *a, const json_t *b, int binary)
{
    if (!binary)
        return cmp_json_strings(&a, &b);
    unsigned char *x = ddb_xmalloc(json_string_length(a) / 4 * 3 + 3);
    unsigned char *y = ddb_xmalloc(json_string_length(b) / 4 * 3 + 3);
    const char *why;
    long lx = ddb_base64_decode(json_string_value(a), json_string_length(a), x, &why);
    long ly = ddb_base64_decode(json_string_value(b), json_string_length(b), y, &why);
    if (lx < 0)
        lx = 0;
    if (ly < 0)
        ly = 0;
    int c = memcmp(x, y, (size_t)(lx < ly ? lx : ly));
    free(x);
    free(y);
    return c ? c : (lx < ly ? -1 : lx > ly);
}

/* A set member and its position in the request. */
struct set_member {
    json_t *m;
    size_t i;
};

/* Ordered by member bytes, then by position. */
static int cmp_pairs(const void *a, const void *b)
{
    const struct set_member *x = a, *y = b;
    int c = cmp_json_strings(&x->m, &y->m);
    return c ? c : (x->i < y->i ? -1 : x->i > y->i);
}

/* DynamoDB's rendering of a set with a duplicate: the members before the
** first repeated one in sorted order, then the repeat, then the rest as sent,
** each double-quoted; SS joins with ", ", BS with ",". */
static char *duplicate_text(const json_t *arr, int binary)
{
    size_t n = json_array_size(arr), dup = n;
    /* the first index whose member appeared before: sort (member, index)
    ** pairs; in each run of equal members the second index is a repeat */
    struct set_member *p = ddb_xmalloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = (struct set_member){json_array_get(arr, i), i};
    qsort(p, n, sizeof *p, cmp_pairs);
    for (size_t i = 1; i < n; i++)
        if (strings_equal(p[i - 1].m, p[i].m) && (i < 2 || !strings_equal(p[i - 2].m, p[i].m)) &&
            p[i].i < dup)
            dup = p[i].i;
    free(p);
    json_t **seen = ddb_xmalloc((dup ? dup : 1) * sizeof *seen);
    size_t ns = 0;
    for (size_t i = 0; i < dup && i < n; i++) { /* insertion sort: messages are small */
        json_t *e = json_array_get(arr, i);
        size_t at = ns;
        while (at > 0 && member_cmp(seen[at - 1], e, binary) > 0) {
            seen[at] = seen[at - 1];
            at--;
        }
        seen[at] = e;
        ns++;
    }
    const char *sep = binary ? "," : ", ";
    ddb_buf b = DDB_BUF_INIT;
    ddb_buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        const json_t *e = i < ns ? seen[i] : json_array_get(arr, i);
        if (i)
            ddb_buf_puts(&b, sep);
        ddb_buf_putc(&b, '"');
        ddb_buf_append(&b, json_string_value(e), json_string_length(e));
        ddb_buf_putc(&b, '"');
    }
    ddb_buf_putc(&b, ']');
    free(seen);
    return ddb_buf_steal(&b, NULL);
}

/* The older layer reads numbers as Java BigDecimals and computes their
** magnitude as precision - scale in a 32-bit int, which wraps negative for
** the largest exponents: 1e2147483647 is reported as an underflow there
** (query-scan-batch-facts.md §1.1, validation-facts.md §1.2 d). 1 when the
** text is such a number: well formed, not zero, its scale (fraction digits
** minus exponent) within int range, and precision - scale above INT32_MAX. */
static int bigdecimal_wraps(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    int64_t digits = 0, frac = 0, lead = 0, seen_point = 0, nonzero = 0;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            digits++;
            if (seen_point)
                frac++;
            if (s[i] != '0')
                nonzero = 1;
            else if (!nonzero)
                lead++;
        } else if (s[i] == '.' && !seen_point) {
            seen_point = 1;
        } else {
            break;
        }
    }
    if (digits == 0 || !nonzero || i >= n || (s[i] != 'e' && s[i] != 'E'))
        return 0;
    i++;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    int64_t exp = 0;
    size_t start = i;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        exp = exp * 10 + (s[i] - '0');
        if (exp > ((int64_t)1 << 40))
            return 0; /* not a BigDecimal at all */
    }
    if (i != n || i == start)
        return 0;
    int64_t scale = frac - (neg ? -exp : exp);
    if (scale < INT32_MIN || scale > INT32_MAX)
        return 0;
    int64_t precision = digits - lead;
    return precision - scale > INT32_MAX;
}

/* Canonicalise number text in place; 'str' is a JSON string. The texts are
** ddb_number_parse's, except for the empty string: ddb_number_parse gives the
** LEGACY "...numeric value" there, DynamoDB's CURRENT wording ends in ": "
** (validation-facts.md §1.2 d, §6.1 step 2a), and for the older layer's
** BigDecimal wrap (bigdecimal_wraps). */
static int canon_number(json_t *str, int legacy, ddb_error *err)
{
    ddb_number num;
    if (json_string_length(str) == 0)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           legacy ? "The parameter cannot be converted to a numeric value"
                                  : "The parameter cannot be converted to a numeric value: ");
    if (legacy && bigdecimal_wraps(json_string_value(str), json_string_length(str)))
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Number underflow. Attempting to store a number with magnitude smaller "
                           "than supported range");
    if (ddb_number_parse(json_string_value(str), json_string_length(str), &num, err) != DDB_OK)
        return DDB_ERR;
    char text[DDB_NUM_TEXT_MAX];
    size_t n = ddb_number_format(&num, text);
    if (n != json_string_length(str) || memcmp(text, json_string_value(str), n) != 0)
        json_string_setn(str, text, n);
    return DDB_OK;
}

static int check_value(json_t *av, int depth, int legacy, ddb_error *err);

/* The LEGACY rendering of a set in a duplicate error: members as sent,
** unquoted, joined with ", " ("[a, a]"). */
static char *legacy_set_text(const json_t *arr)
{
    ddb_buf b = DDB_BUF_INIT;
    ddb_buf_putc(&b, '[');
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)arr, i, e) {
        if (i)
            ddb_buf_puts(&b, ", ");
        ddb_buf_append(&b, json_string_value(e), json_string_length(e));
    }
    ddb_buf_putc(&b, ']');
    return ddb_buf_steal(&b, NULL);
}

/* 1 if a set holds a JSON null (the type check keeps nulls inside lists). */
static int has_null_member(const json_t *arr)
{
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)arr, i, e) {
        if (!json_is_string(e))
            return 1;
    }
    return 0;
}

/* The per-type checks run in DynamoDB's order (validation-facts.md §6.1):
** phase 0 the scalar checks and empty sets (N, NULL, SS, NS, BS), phase 1 the
** set members and duplicates, phase 2 the nested values of M and L; within a
** phase, types in that fixed order whatever order the request used. */
static const ddb_type check_order[] = {DDB_T_N,  DDB_T_NULL, DDB_T_SS, DDB_T_NS,
                                       DDB_T_BS, DDB_T_M,    DDB_T_L};

static int set_empty(ddb_type t, json_t *v, ddb_error *err)
{
    if (json_array_size(v) != 0)
        return DDB_OK;
    return ddb_err_set(err, DDB_E_VALIDATION, "%s",
                       t == DDB_T_SS   ? "One or more parameter values were invalid: An string "
                                         "set  may not be empty"
                       : t == DDB_T_NS ? "One or more parameter values were invalid: An number "
                                         "set  may not be empty"
                                       : "One or more parameter values were invalid: Binary "
                                         "sets should not be empty");
}

static int set_members(ddb_type t, json_t *v, int legacy, ddb_error *err)
{
    size_t i;
    json_t *e;
    if (t == DDB_T_NS) {
        json_array_foreach(v, i, e) {
            if (!json_is_string(e)) /* a null member; the NS text is not recorded [OPEN] */
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "Supplied AttributeValue is empty, must contain exactly one "
                                   "of the supported datatypes");
            if (canon_number(e, legacy, err) != DDB_OK)
                return DDB_ERR;
        }
        if (has_duplicates(v))
            return ddb_err_set(err, DDB_E_VALIDATION, "%s",
                               legacy ? "Input collection contains duplicates"
                                      : "One or more parameter values were invalid: Input "
                                        "collection contains duplicates.");
        return DDB_OK;
    }
    /* A null member: DynamoDB's SS text (validation-facts.md §6.1 step 2k).
    ** The BS text is not recorded [OPEN]; the empty-value text is what an
    ** absent value gets elsewhere. */
    if (has_null_member(v))
        return ddb_err_set(err, DDB_E_VALIDATION, "%s",
                           t == DDB_T_SS ? "One or more parameter values were invalid: An string "
                                           "set may not have a null string as a member"
                                         : "Supplied AttributeValue is empty, must contain "
                                           "exactly one of the supported datatypes");
    if (has_duplicates(v)) {
        char *text = legacy ? legacy_set_text(v) : duplicate_text(v, t == DDB_T_BS);
        ddb_err_set(err, DDB_E_VALIDATION,
                    t == DDB_T_SS ? "One or more parameter values were invalid: Input collection "
                                    "%s contains duplicates."
                                  : "One or more parameter values were invalid: Input collection "
                                    "%sof type BS contains duplicates.",
                    text);
        free(text);
        return DDB_ERR;
    }
    return DDB_OK;
}

static int check_typed(ddb_type t, json_t *v, int phase, int depth, int legacy, ddb_error *err)
{
    size_t i;
    json_t *e;
    switch (t) {
        case DDB_T_N:
            return phase == 0 ? canon_number(v, legacy, err) : DDB_OK;
        case DDB_T_NULL:
            /* Since 2026 DynamoDB accepts {"NULL": false} and stores it as
            ** {"NULL": true}; the older layer still rejects it. */
            if (phase == 0 && legacy && !json_is_true(v))
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Null attribute "
                                   "value types must have the value of true");
            return DDB_OK;
        case DDB_T_SS:
        case DDB_T_NS:
        case DDB_T_BS:
            return phase == 0 ? set_empty(t, v, err)
                   : phase == 1 ? set_members(t, v, legacy, err)
                                : DDB_OK;
        case DDB_T_M: {
            if (phase != 2)
                return DDB_OK;
            const char *mk;
            json_t *mv;
            json_object_foreach(v, mk, mv) {
                if (check_value(mv, depth + 1, legacy, err) != DDB_OK)
                    return DDB_ERR;
            }
            return DDB_OK;
        }
        case DDB_T_L:
            if (phase != 2)
                return DDB_OK;
            json_array_foreach(v, i, e) {
                if (check_value(e, depth + 1, legacy, err) != DDB_OK)
                    return DDB_ERR;
            }
            return DDB_OK;
        default:
            return DDB_OK;
    }
}

static int check_value(json_t *av, int depth, int legacy, ddb_error *err)
{
    if (!json_is_object(av))
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Supplied AttributeValue is empty, must contain exactly one of the "
                           "supported datatypes");
    if (depth > DDB_MAX_DEPTH)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Nesting Levels have exceeded supported limits: Attributes in the "
                           "item have nested levels beyond supported limit");
    if (json_object_size(av) == 1) {
        /* the common case, one type member: its checks alone, no probing of
        ** every type name */
        void *it = json_object_iter(av);
        const char *name = json_object_iter_key(it);
        json_t *val = json_object_iter_value(it);
        ddb_type t = json_is_null(val) ? DDB_T_NONE : ddb_type_from_name(name, strlen(name));
        if (t != DDB_T_NONE) {
            for (int phase = 0; phase < 3; phase++)
                if (check_typed(t, val, phase, depth, legacy, err) != DDB_OK)
                    return DDB_ERR;
            if (t == DDB_T_NULL && !json_is_true(val))
                json_object_iter_set_new(av, it, json_true());
            return DDB_OK;
        }
    }
    const char *k;
    json_t *v, *tmp;
    /* DynamoDB's deserializer ignores members that are null or not a type
    ** name; the request type check drops them, this catches other callers. */
    json_object_foreach_safe(av, tmp, k, v) {
        if (json_is_null(v) || ddb_type_from_name(k, strlen(k)) == DDB_T_NONE)
            json_object_del(av, k);
    }
    if (json_object_size(av) == 0)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Supplied AttributeValue is empty, must contain exactly one of the "
                           "supported datatypes");
    for (int phase = 0; phase < 3; phase++) {
        for (size_t i = 0; i < sizeof check_order / sizeof check_order[0]; i++) {
            json_t *tv = json_object_get(av, ddb_type_name(check_order[i]));
            if (tv != NULL && check_typed(check_order[i], tv, phase, depth, legacy, err) != DDB_OK)
                return DDB_ERR;
        }
    }
    json_t *null_v = json_object_get(av, "NULL");
    if (null_v != NULL && !json_is_true(null_v))
        json_object_set_new(av, "NULL", json_true());
    if (json_object_size(av) > 1)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Supplied AttributeValue has more than one datatypes set, must "
                           "contain exactly one of the supported datatypes");
    return DDB_OK;
}

int ddb_attr_check_layer(json_t *av, ddb_av_layer layer, ddb_error *err)
{
    return check_value(av, 1, layer == DDB_AV_LEGACY, err);
}

int ddb_attrs_check_layer(json_t *map, ddb_av_layer layer, ddb_error *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(map, k, v) {
        if (check_value(v, 1, layer == DDB_AV_LEGACY, err) != DDB_OK)
            return DDB_ERR;
    }
    return DDB_OK;
}

int ddb_attr_check(json_t *av, ddb_error *err)
{
    return ddb_attr_check_layer(av, DDB_AV_CURRENT, err);
}

int ddb_attrs_check(json_t *map, ddb_error *err)
{
    return ddb_attrs_check_layer(map, DDB_AV_CURRENT, err);
}

/*---- size ----*/

static size_t binary_len(const json_t *s)
{
    size_t n = json_string_length(s);
    const char *p = json_string_value(s);
    if (n == 0)
        return 0;
    size_t pad = (n >= 1 && p[n - 1] == '=') + (n >= 2 && p[n - 2] == '=');
    return n / 4 * 3 - pad;
}

static size_t number_size(const json_t *s)
{
    ddb_number num;
    if (ddb_number_parse(json_string_value(s), json_string_length(s), &num, NULL) != DDB_OK)
        return 1;
    return ddb_number_size(&num);
}

size_t ddb_attr_size(const json_t *av)
{
    void *it = json_object_iter((json_t *)av);
    if (it == NULL)
        return 0;
    const char *k = json_object_iter_key(it);
    json_t *v = json_object_iter_value(it);
    size_t size = 0, i;
    json_t *e;
    switch (ddb_type_from_name(k, json_object_iter_key_len(it))) {
        case DDB_T_S: return json_string_length(v);
        case DDB_T_N: return number_size(v);
        case DDB_T_B: return binary_len(v);
        case DDB_T_BOOL:
        case DDB_T_NULL: return 1;
        case DDB_T_SS:
            json_array_foreach(v, i, e) size += json_string_length(e);
            return size;
        case DDB_T_NS:
            json_array_foreach(v, i, e) size += number_size(e);
            return size;
        case DDB_T_BS:
            json_array_foreach(v, i, e) size += binary_len(e);
            return size;
        case DDB_T_L:
            size = 3;
            json_array_foreach(v, i, e) size += 1 + ddb_attr_size(e);
            return size;
        case DDB_T_M: {
            size = 3;
            const char *mk;
            json_t *mv;
            json_object_foreach(v, mk, mv) size += 1 + strlen(mk) + ddb_attr_size(mv);
            return size;
        }
        default: return 0;
    }
}

size_t ddb_item_size(const json_t *item)
{
    size_t size = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)item, k, v) size += strlen(k) + ddb_attr_size(v);
    return size;
}

size_t ddb_key_value_size(const json_t *av)
{
    return ddb_attr_size(av);
}

/*---- equality and order ----*/

static int cmp_numbers(const void *a, const void *b)
{
    return ddb_number_cmp(a, b);
}

/* Two sets hold the same members: sorted copies compared pairwise, so large
** sets stay O(n log n). Strings (SS, BS) by bytes, NS numerically. */
static int sets_equal(const json_t *a, const json_t *b, int numeric)
{
    size_t n = json_array_size(a), i;
    int same = 1;
    if (n != json_array_size(b))
        return 0;
    if (numeric) {
        ddb_number *x = ddb_xmalloc((n ? n : 1) * sizeof *x);
        ddb_number *y = ddb_xmalloc((n ? n : 1) * sizeof *y);
        for (i = 0; i < n && same; i++) {
            const json_t *ea = json_array_get(a, i), *eb = json_array_get(b, i);
            same = ddb_number_parse(json_string_value(ea), json_string_length(ea), &x[i],
                                    NULL) == DDB_OK &&
                   ddb_number_parse(json_string_value(eb), json_string_length(eb), &y[i],
                                    NULL) == DDB_OK;
        }
        if (same) {
            qsort(x, n, sizeof *x, cmp_numbers);
            qsort(y, n, sizeof *y, cmp_numbers);
            for (i = 0; i < n && same; i++)
                same = ddb_number_cmp(&x[i], &y[i]) == 0;
        }
        free(x);
        free(y);
        return same;
    }
    json_t **x = ddb_xmalloc((n ? n : 1) * sizeof *x), **y = ddb_xmalloc((n ? n : 1) * sizeof *y);
    for (i = 0; i < n; i++) {
        x[i] = json_array_get(a, i);
        y[i] = json_array_get(b, i);
    }
    qsort(x, n, sizeof *x, cmp_json_strings);
    qsort(y, n, sizeof *y, cmp_json_strings);
    for (i = 0; i < n && same; i++)
        same = strings_equal(x[i], y[i]);
    free(x);
    free(y);
    return same;
}

int ddb_attr_equal(const json_t *a, const json_t *b)
{
    ddb_type ta = ddb_attr_type(a), tb = ddb_attr_type(b);
    if (ta != tb || ta == DDB_T_NONE)
        return 0;
    json_t *va = ddb_attr_payload(a), *vb = ddb_attr_payload(b);
    size_t i;
    json_t *e;
    switch (ta) {
        case DDB_T_S:
        case DDB_T_B:
            return strings_equal(va, vb);
        case DDB_T_N:
            return ddb_attr_compare(a, b) == 0;
        case DDB_T_BOOL:
            return json_is_true(va) == json_is_true(vb);
        case DDB_T_NULL:
            return 1;
        case DDB_T_SS:
        case DDB_T_BS:
        case DDB_T_NS:
            return sets_equal(va, vb, ta == DDB_T_NS);
        case DDB_T_L:
            if (json_array_size(va) != json_array_size(vb))
                return 0;
            json_array_foreach(va, i, e) {
                if (!ddb_attr_equal(e, json_array_get(vb, i)))
                    return 0;
            }
            return 1;
        case DDB_T_M: {
            if (json_object_size(va) != json_object_size(vb))
                return 0;
            const char *k;
            json_t *v;
            json_object_foreach(va, k, v) {
                json_t *w = json_object_get(vb, k);
                if (w == NULL || !ddb_attr_equal(v, w))
                    return 0;
            }
            return 1;
        }
        default:
            return 0;
    }
}

unsigned char *ddb_attr_binary(const json_t *av, size_t *out_len)
{
    json_t *v = ddb_attr_payload(av);
    size_t n = json_string_length(v);
    unsigned char *out = ddb_xmalloc(n / 4 * 3 + 3);
    const char *why;
    long len = ddb_base64_decode(json_string_value(v), n, out, &why);
    if (len < 0) {
        free(out);
        return NULL;
    }
    *out_len = (size_t)len;
    return out;
}

static int bytes_cmp(const unsigned char *a, size_t la, const unsigned char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la < lb ? -1 : la > lb);
}

int ddb_attr_compare(const json_t *a, const json_t *b)
{
    json_t *va = ddb_attr_payload(a), *vb = ddb_attr_payload(b);
    switch (ddb_attr_type(a)) {
        case DDB_T_S:
            return bytes_cmp((const unsigned char *)json_string_value(va), json_string_length(va),
                             (const unsigned char *)json_string_value(vb), json_string_length(vb));
        case DDB_T_N: {
            ddb_number x, y;
            int okx = ddb_number_parse(json_string_value(va), json_string_length(va), &x, NULL) ==
                      DDB_OK;
            int oky = ddb_number_parse(json_string_value(vb), json_string_length(vb), &y, NULL) ==
                      DDB_OK;
            if (!okx || !oky) /* validated values always parse; order the impossible last */
                return okx - oky;
            return ddb_number_cmp(&x, &y);
        }
        case DDB_T_B: {
            size_t la = 0, lb = 0;
            unsigned char *x = ddb_attr_binary(a, &la), *y = ddb_attr_binary(b, &lb);
            int c = bytes_cmp(x ? x : (const unsigned char *)"", la, y ? y : (const unsigned char *)"", lb);
            free(x);
            free(y);
            return c;
        }
        default:
            return 0;
    }
}

/*---- key encoding ----*/

static void encode_bytes(const unsigned char *p, size_t n, ddb_buf *out)
{
    ddb_buf_reserve(out, n + 2);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == 0x00) {
            ddb_buf_append(out, p + run, i - run + 1);
            ddb_buf_putc(out, 0xFF);
            run = i + 1;
        }
    }
    ddb_buf_append(out, p + run, n - run);
    ddb_buf_putc(out, 0x00);
    ddb_buf_putc(out, 0x01);
}

int ddb_attr_encode_key(const json_t *av, ddb_buf *out)
{
    json_t *v = ddb_attr_payload(av);
    switch (ddb_attr_type(av)) {
        case DDB_T_S:
            encode_bytes((const unsigned char *)json_string_value(v), json_string_length(v), out);
            return DDB_OK;
        case DDB_T_B: {
            size_t n = 0;
            unsigned char *b = ddb_attr_binary(av, &n);
            if (b == NULL)
                return DDB_ERR;
            encode_bytes(b, n, out);
            free(b);
            return DDB_OK;
        }
        case DDB_T_N: {
            ddb_number num;
            if (ddb_number_parse(json_string_value(v), json_string_length(v), &num, NULL) != DDB_OK)
                return DDB_ERR;
            unsigned char enc[DDB_NUM_KEY_MAX];
            ddb_buf_append(out, enc, ddb_number_encode_key(&num, enc));
            return DDB_OK;
        }
        default:
            return DDB_ERR;
    }
}
