/* SPDX-License-Identifier: MIT
**
** shape.c -- the type-checking pass DynamoDB's deserializer makes over a
** request before any validation: every member is checked against its shape
** in the API model (shapes.gen.c) and type errors become
** SerializationException with the deserializer's own texts. As that
** deserializer does, it ignores unknown members and JSON nulls (both are
** removed here, so later passes see the request as DynamoDB sees it),
** accepts "true"/"false"/"1"/"0"/"yes"/"no" strings for booleans and floors
** decimals given for integers.
*/
#include "shape.h"
#include "emulator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ddb_shape_find(const char *name)
{
    int lo = 0, hi = sh_count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(sh_shapes[mid].name, name);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

int ddb_shape_input(const char *name)
{
    for (int i = 0; i < sh_operation_count; i++)
        if (strcmp(sh_operations[i].name, name) == 0)
            return sh_operations[i].input;
    return -1;
}

/* The deserializer's token name for a JSON scalar. */
static const char *token_name(const json_t *v)
{
    if (json_is_true(v))
        return "TRUE_VALUE";
    if (json_is_false(v))
        return "FALSE_VALUE";
    if (json_is_integer(v))
        return "NUMBER_VALUE";
    if (json_is_real(v))
        return "DECIMAL_VALUE";
    return "STRING_VALUE";
}

static const char *simple_java(int type)
{
    switch (type) {
        case SH_STRING: return "String";
        case SH_INTEGER: return "Integer";
        case SH_LONG: return "Long";
        case SH_DOUBLE: return "Double";
        case SH_BOOLEAN: return "Boolean";
        case SH_TIMESTAMP: return "Date";
        default: return "Object";
    }
}

static int ser_error(ddb_error *err, const char *msg)
{
    return ddb_err_set(err, DDB_E_SERIALIZATION, "%s", msg);
}

static int check_value(int shape, json_t **slot, int depth, ddb_error *err);

/* The recursion through structures, lists and maps keeps its frames small
** (the message buffers live in the leaf functions below), so that the
** deepest document the JSON parser accepts (JSON_PARSER_MAX_DEPTH, 2048)
** is walked on any thread's stack. DynamoDB's own nesting limit (32 levels
** of M and L) is the attribute check's, with its ValidationException; this
** pass only bounds the recursion. */
#define MAX_DEPTH 4096

/* Check a structure's members; drop unknown members and nulls. */
static int check_struct(const sh_shape *sh, json_t *obj, int depth, ddb_error *err)
{
    const char *k;
    json_t *v, *tmp;
    json_object_foreach_safe(obj, tmp, k, v) {
        int found = -1;
        for (int i = 0; i < sh->n_members; i++) {
            if (strcmp(sh->members[i].name, k) == 0) {
                found = i;
                break;
            }
        }
        if (found < 0 || json_is_null(v)) {
            json_object_del(obj, k);
            continue;
        }
        json_t *slot = v;
        json_incref(slot);
        int rc = check_value(sh->members[found].shape, &slot, depth + 1, err);
        if (rc == DDB_OK && slot != v)
            json_object_set(obj, k, slot);
        json_decref(slot);
        if (rc != DDB_OK)
            return DDB_ERR;
    }
    return DDB_OK;
}

/* A structure, list or map shape given a JSON value of the wrong kind. */
static int container_mismatch(const sh_shape *sh, const json_t *v, ddb_error *err)
{
    char msg[512];
    switch (sh->type) {
        case SH_STRUCT:
            if (json_is_array(v)) {
                snprintf(msg, sizeof msg, "Unrecognized collection type class %s", sh->java);
                return ser_error(err, msg);
            }
            return ser_error(err, "Unexpected value type in payload");
        case SH_LIST:
            if (json_is_object(v))
                return ser_error(err, "Start of structure or map found where not expected");
            return ser_error(err, "Unexpected field type");
        default: /* SH_MAP */
            if (json_is_array(v)) {
                snprintf(msg, sizeof msg, "Unrecognized collection type %s", sh->java);
                return ser_error(err, msg);
            }
            return ser_error(err, "Unexpected field type");
    }
}

static int check_scalar(const sh_shape *sh, json_t **slot, ddb_error *err);

/* Check one value against shape 'shape'. *slot may be replaced by a coerced
** value (the caller owns one reference to *slot before and after). */
static int check_value(int shape, json_t **slot, int depth, ddb_error *err)
{
    const sh_shape *sh = &sh_shapes[shape];
    json_t *v = *slot;

    if (depth > MAX_DEPTH)
        return ser_error(err, "Nesting too deep");

    switch (sh->type) {
        case SH_STRUCT:
            if (json_is_object(v))
                return check_struct(sh, v, depth, err);
            return container_mismatch(sh, v, err);

        case SH_LIST: {
            if (!json_is_array(v))
                return container_mismatch(sh, v, err);
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                if (json_is_null(e))
                    continue;
                json_t *s = e;
                json_incref(s);
                int rc = check_value(sh->elem, &s, depth + 1, err);
                if (rc == DDB_OK && s != e)
                    json_array_set(v, i, s);
                json_decref(s);
                if (rc != DDB_OK)
                    return DDB_ERR;
            }
            return DDB_OK;
        }

        case SH_MAP: {
            if (!json_is_object(v))
                return container_mismatch(sh, v, err);
            const char *k;
            json_t *e, *tmp;
            json_object_foreach_safe(v, tmp, k, e) {
                if (json_is_null(e)) {
                    json_object_del(v, k);
                    continue;
                }
                json_t *s = e;
                json_incref(s);
                int rc = check_value(sh->elem, &s, depth + 1, err);
                if (rc == DDB_OK && s != e)
                    json_object_set(v, k, s);
                json_decref(s);
                if (rc != DDB_OK)
                    return DDB_ERR;
            }
            return DDB_OK;
        }

        default:
            return check_scalar(sh, slot, err);
    }
}

/* A scalar shape (string, numbers, boolean, blob, timestamp). */
static int check_scalar(const sh_shape *sh, json_t **slot, ddb_error *err)
{
    json_t *v = *slot;
    char msg[512];

    if (json_is_object(v))
        return ser_error(err, "Start of structure or map found where not expected");
    if (json_is_array(v)) {
        snprintf(msg, sizeof msg, "Unrecognized collection type class java.lang.%s",
                 simple_java(sh->type));
        return ser_error(err, msg);
    }

    switch (sh->type) {
        case SH_STRING:
            if (json_is_string(v))
                return DDB_OK;
            snprintf(msg, sizeof msg, "%s cannot be converted to String", token_name(v));
            return ser_error(err, msg);

        case SH_INTEGER:
        case SH_LONG:
        case SH_DOUBLE:
            if (json_is_integer(v))
                return DDB_OK;
            if (json_is_real(v)) {
                if (sh->type != SH_DOUBLE) {
                    double d = floor(json_real_value(v));
                    json_decref(*slot);
                    *slot = json_integer(d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN
                                                                                  : (json_int_t)d);
                }
                return DDB_OK;
            }
            snprintf(msg, sizeof msg, "%s cannot be converted to %s", token_name(v),
                     simple_java(sh->type));
            return ser_error(err, msg);

        case SH_BOOLEAN:
            if (json_is_boolean(v))
                return DDB_OK;
            if (json_is_string(v)) {
                const char *s = json_string_value(v);
                int val = -1;
                if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "yes") == 0)
                    val = 1;
                else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
                         strcasecmp(s, "no") == 0)
                    val = 0;
                if (val < 0)
                    return ser_error(err, "Unexpected token received from parser");
                json_decref(*slot);
                *slot = json_boolean(val);
                return DDB_OK;
            }
            snprintf(msg, sizeof msg, "%s cannot be converted to Boolean", token_name(v));
            return ser_error(err, msg);

        case SH_BLOB: {
            if (!json_is_string(v))
                return ser_error(err, "only base-64-encoded strings are convertible to bytes");
            size_t len = json_string_length(v);
            unsigned char *tmpb = ddb_xmalloc(len / 4 * 3 + 3);
            const char *why = NULL;
            long n = ddb_base64_decode(json_string_value(v), len, tmpb, &why);
            free(tmpb);
            if (n < 0)
                return ser_error(err, why);
            return DDB_OK;
        }

        case SH_TIMESTAMP:
            if (json_is_number(v))
                return DDB_OK;
            snprintf(msg, sizeof msg, "%s cannot be converted to Date", token_name(v));
            return ser_error(err, msg);
    }
    return DDB_OK;
}

int ddb_shape_check(int shape, json_t *in, ddb_error *err)
{
    if (shape < 0 || shape >= sh_count)
        return DDB_OK;
    json_t *slot = in;
    json_incref(slot);
    int rc = check_value(shape, &slot, 0, err);
    json_decref(slot);
    return rc;
}
