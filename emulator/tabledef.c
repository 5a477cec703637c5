/* SPDX-License-Identifier: MIT
**
** tabledef.c -- checks of table and index definitions shared by CreateTable
** and UpdateTable (see tabledef.h). Texts are DynamoDB's; where its order is
** not stable (the constraint lists), the order recorded most often is used.
*/
#include "tabledef.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const key_types[] = {"HASH", "RANGE", NULL};
static const char *const attr_types[] = {"B", "N", "S", NULL};
static const char *const projection_types[] = {"ALL", "INCLUDE", "KEYS_ONLY", NULL};

static char *sub(const char *path, const char *member)
{
    return ddb_xasprintf("%s.%s", path, member);
}

void ddb_def_chk_key_schema(ddb_checks *c, const json_t *ks, const char *path, int required)
{
    if (required)
        ddb_chk_required(c, ks, path);
    ddb_chk_min_len(c, ks, path, 1);
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)ks, i, e) {
        char *base = ddb_xasprintf("%s.%zu.member", path, i + 1);
        char *p = sub(base, "attributeName");
        json_t *n = json_object_get(e, "AttributeName");
        ddb_chk_required(c, n, p);
        ddb_chk_min_len(c, n, p, 1);
        ddb_chk_max_len(c, n, p, 255);
        free(p);
        p = sub(base, "keyType");
        json_t *kt = json_object_get(e, "KeyType");
        ddb_chk_required(c, kt, p);
        ddb_chk_enum(c, kt, p, key_types, "[HASH, RANGE]");
        free(p);
        free(base);
    }
}

void ddb_def_chk_attr_defs(ddb_checks *c, const json_t *ads, const char *path)
{
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)ads, i, e) {
        char *base = ddb_xasprintf("%s.%zu.member", path, i + 1);
        char *p = sub(base, "attributeName");
        json_t *n = json_object_get(e, "AttributeName");
        ddb_chk_required(c, n, p);
        ddb_chk_min_len(c, n, p, 1);
        ddb_chk_max_len(c, n, p, 255);
        free(p);
        p = sub(base, "attributeType");
        json_t *t = json_object_get(e, "AttributeType");
        ddb_chk_required(c, t, p);
        ddb_chk_enum(c, t, p, attr_types, "[B, N, S]");
        free(p);
        free(base);
    }
}

void ddb_def_chk_throughput(ddb_checks *c, const json_t *pt, const char *path)
{
    if (pt == NULL)
        return;
    char *p = sub(path, "writeCapacityUnits");
    json_t *w = json_object_get(pt, "WriteCapacityUnits");
    ddb_chk_required(c, w, p);
    ddb_chk_min_value(c, w, p, 1);
    free(p);
    p = sub(path, "readCapacityUnits");
    json_t *r = json_object_get(pt, "ReadCapacityUnits");
    ddb_chk_required(c, r, p);
    ddb_chk_min_value(c, r, p, 1);
    free(p);
}

void ddb_def_chk_index(ddb_checks *c, const json_t *ix, const char *path, int global)
{
    char *p = sub(path, "indexName");
    json_t *name = json_object_get(ix, "IndexName");
    ddb_chk_required(c, name, p);
    ddb_chk_name_pattern(c, name, p);
    ddb_chk_min_len(c, name, p, 3);
    ddb_chk_max_len(c, name, p, 255);
    free(p);
    p = sub(path, "keySchema");
    ddb_def_chk_key_schema(c, json_object_get(ix, "KeySchema"), p, 1);
    free(p);
    p = sub(path, "projection");
    json_t *proj = json_object_get(ix, "Projection");
    ddb_chk_required(c, proj, p);
    if (proj != NULL) {
        char *q = sub(p, "projectionType");
        ddb_chk_enum(c, json_object_get(proj, "ProjectionType"), q, projection_types,
                     "[ALL, INCLUDE, KEYS_ONLY]");
        free(q);
        q = sub(p, "nonKeyAttributes");
        json_t *nka = json_object_get(proj, "NonKeyAttributes");
        ddb_chk_min_len(c, nka, q, 1);
        ddb_chk_max_len(c, nka, q, 20);
        size_t i;
        json_t *e;
        json_array_foreach(nka, i, e) {
            char *m = ddb_xasprintf("%s.%zu.member", q, i + 1);
            ddb_chk_min_len(c, e, m, 1);
            ddb_chk_max_len(c, e, m, 255);
            free(m);
        }
        free(q);
    }
    free(p);
    if (global) {
        p = sub(path, "provisionedThroughput");
        ddb_def_chk_throughput(c, json_object_get(ix, "ProvisionedThroughput"), p);
        free(p);
    }
}

/*---- semantic checks ----*/

static const json_t *find_def(const json_t *ads, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)ads, i, e) {
        const char *n = json_string_value(json_object_get(e, "AttributeName"));
        if (n && strcmp(n, name) == 0)
            return e;
    }
    return NULL;
}

/* "[a, b]" of member 'member' of each element. */
static char *names_list(const json_t *arr, const char *member)
{
    ddb_buf b = DDB_BUF_INIT;
    ddb_buf_putc(&b, '[');
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)arr, i, e) {
        if (i)
            ddb_buf_puts(&b, ", ");
        const char *n = json_string_value(json_object_get(e, member));
        ddb_buf_puts(&b, n ? n : "null");
    }
    ddb_buf_putc(&b, ']');
    return ddb_buf_steal(&b, NULL);
}

const char *ddb_def_key_name(const json_t *ks, const char *key_type)
{
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)ks, i, e) {
        const char *kt = json_string_value(json_object_get(e, "KeyType"));
        if (kt && strcmp(kt, key_type) == 0)
            return json_string_value(json_object_get(e, "AttributeName"));
    }
    return NULL;
}

int ddb_def_check_key_schema(const json_t *ks, const json_t *ads, int is_table, ddb_error *err)
{
    size_t n = json_array_size(ks);
    int undefined = 0;
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)ks, i, e) {
        const char *name = json_string_value(json_object_get(e, "AttributeName"));
        if (name == NULL || find_def(ads, name) == NULL)
            undefined = 1;
    }
    /* a table KeySchema with more elements than there are definitions (also
    ** HASH+HASH or HASH+RANGE on one defined name) counts as undefined */
    if (is_table && n > json_array_size(ads))
        undefined = 2;
    if (undefined) {
        if (is_table && (n == 2 || undefined == 2))
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "Invalid KeySchema: Some index key attribute have no definition");
        char *keys = names_list(ks, "AttributeName");
        char *defs = names_list(ads, "AttributeName");
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Some index key attributes are "
                    "not defined in AttributeDefinitions. Keys: %s, AttributeDefinitions: %s",
                    keys, defs);
        free(keys);
        free(defs);
        return DDB_ERR;
    }
    if (n == 2) {
        const char *a = json_string_value(json_object_get(json_array_get(ks, 0), "AttributeName"));
        const char *b = json_string_value(json_object_get(json_array_get(ks, 1), "AttributeName"));
        if (strcmp(a, b) == 0)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "Both the Hash Key and the Range Key element in the KeySchema have "
                               "the same name");
    }
    const char *k0 = json_string_value(json_object_get(json_array_get(ks, 0), "KeyType"));
    if (k0 == NULL || strcmp(k0, "HASH") != 0)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (n == 2) {
        const char *k1 = json_string_value(json_object_get(json_array_get(ks, 1), "KeyType"));
        if (k1 == NULL || strcmp(k1, "RANGE") != 0)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "Invalid KeySchema: The second KeySchemaElement is not a RANGE key "
                               "type");
    }
    return DDB_OK;
}

int ddb_def_check_projection(const json_t *proj, ddb_error *err)
{
    const char *pt = json_string_value(json_object_get(proj, "ProjectionType"));
    json_t *nka = json_object_get(proj, "NonKeyAttributes");
    if (pt == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: Unknown ProjectionType: "
                           "null");
    if (strcmp(pt, "INCLUDE") != 0 && nka != NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: ProjectionType is %s, but "
                           "NonKeyAttributes is specified",
                           pt);
    if (strcmp(pt, "INCLUDE") == 0 && nka == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "One or more parameter values were invalid: ProjectionType is INCLUDE, "
                           "but NonKeyAttributes is not specified");
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(nka, i, a) {
        json_array_foreach(nka, j, b) {
            if (j < i && json_equal(a, b))
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "One or more parameter values were invalid: Duplicate element "
                                   "in NonKeyAttributes: %s",
                                   json_string_value(a));
        }
    }
    return DDB_OK;
}

#define DDB_MAX_THROUGHPUT 1000000000000LL

int ddb_def_check_throughput_bounds(const json_t *pt, const char *index, ddb_error *err)
{
    static const char *const members[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(pt, members[i]);
        if (v != NULL && json_integer_value(v) > DDB_MAX_THROUGHPUT) {
            if (index != NULL)
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "Given value %lld for %s is out of bounds for index %s",
                                   (long long)json_integer_value(v), members[i], index);
            return ddb_err_set(err, DDB_E_VALIDATION, "Given value %lld for %s is out of bounds",
                               (long long)json_integer_value(v), members[i]);
        }
    }
    return DDB_OK;
}

/*---- tags ----*/

/* Tag text: Unicode letters and digits, whitespace, and + - = . _ : / @.
** Non-ASCII code points are taken as letters. */
static int tag_chars_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || strchr(" \t+-=._:/@", ch) != NULL)
            continue;
        return 0;
    }
    return 1;
}

static long utf16_len(const char *s, size_t n)
{
    long units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch & 0xC0) != 0x80)
            units += ch >= 0xF0 ? 2 : 1;
    }
    return units;
}

int ddb_def_check_tag_key(const json_t *key, ddb_error *err)
{
    if (key == NULL)
        return ddb_err_set(err, DDB_E_VALIDATION, "The Tag Key provided is invalid, Key: null");
    const char *k = json_string_value(key);
    size_t n = json_string_length(key);
    long len = utf16_len(k, n);
    if (len < 1 || len > 128 || !tag_chars_ok(k, n))
        return ddb_err_set(err, DDB_E_VALIDATION, "The Tag Key provided is invalid, Key: %s", k);
    if (n >= 4 && strncasecmp(k, "aws:", 4) == 0)
        return ddb_err_set(err, DDB_E_VALIDATION, "Tag Key cannot be prefixed with aws:, Key: %s",
                           k);
    return DDB_OK;
}

int ddb_def_check_tags(const json_t *tags, ddb_error *err)
{
    size_t i, j;
    json_t *t, *u;
    json_array_foreach((json_t *)tags, i, t) {
        if (ddb_def_check_tag_key(json_object_get(t, "Key"), err) != DDB_OK)
            return DDB_ERR;
        json_t *v = json_object_get(t, "Value");
        if (v == NULL)
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "The Tag Value provided is invalid, Value: null");
        const char *vs = json_string_value(v);
        size_t vn = json_string_length(v);
        if (utf16_len(vs, vn) > 256 || !tag_chars_ok(vs, vn))
            return ddb_err_set(err, DDB_E_VALIDATION,
                               "The Tag Value provided is invalid, Value: %s", vs);
    }
    json_array_foreach((json_t *)tags, i, t) {
        json_array_foreach((json_t *)tags, j, u) {
            if (j < i && json_equal(json_object_get(t, "Key"), json_object_get(u, "Key")))
                return ddb_err_set(err, DDB_E_VALIDATION,
                                   "Duplicate Tag Keys provided as input: Duplicate Tag Key found "
                                   "%s",
                                   json_string_value(json_object_get(t, "Key")));
        }
    }
    return DDB_OK;
}
