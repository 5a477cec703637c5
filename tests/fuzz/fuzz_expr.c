/* SPDX-License-Identifier: MIT
**
** fuzz_expr.c -- libFuzzer target for the expression engine. The first byte
** of the input picks what the rest is:
**   0..4   an expression of kind Condition, Filter, KeyCondition, Projection
**          or Update, parsed with a small fixed set of placeholders and then
**          run every way the API allows (evaluate, project, apply to an item
**          and to no item, updated parts, key split, key-path questions);
**   5..9   the JSON of a legacy parameter (Expected, ScanFilter,
**          KeyConditions, AttributeUpdates, AttributesToGet), translated and
**          run the same way.
** Bit 0x80 of the first byte switches on the older validation layer.
**
** Build (from the repository root):
**   clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude \
**       tests/fuzz/fuzz_expr.c emulator/core/[a-z]*.c \
**       $(pkg-config --cflags --libs jansson libcrypto) -o fuzz_expr
**   ./fuzz_expr -max_len=4200 fixtures/fuzz/expr
*/
#include "ddb_attr.h"
#include "ddb_expr.h"
#include "ddb_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* clang-format off */
static const char *const NAMES =
    "{\"#a\":\"a\",\"#b\":\"b\",\"#n\":\"n.x\",\"#l\":\"l\",\"#m\":\"m\",\"#k\":\"k\"}";
static const char *const VALUES =
    "{\":s\":{\"S\":\"abc\"},\":n\":{\"N\":\"3\"},\":b\":{\"B\":\"AQID\"},"
    "\":l\":{\"L\":[{\"N\":\"1\"}]},\":m\":{\"M\":{\"k\":{\"S\":\"v\"}}},"
    "\":ss\":{\"SS\":[\"a\",\"b\"]},\":ns\":{\"NS\":[\"1\",\"2\"]},"
    "\":bs\":{\"BS\":[\"AQ==\"]},\":t\":{\"BOOL\":true},\":z\":{\"NULL\":true},"
    "\":ty\":{\"S\":\"N\"},\":e\":{\"S\":\"\"},"
    "\":big\":{\"N\":\"9.9999999999999999999999999999999999999e125\"}}";
static const char *const ITEM =
    "{\"a\":{\"S\":\"abc\"},\"b\":{\"N\":\"10\"},\"n.x\":{\"BOOL\":false},"
    "\"l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"},{\"M\":{\"k\":{\"N\":\"2\"}}},"
    "{\"L\":[]}]},"
    "\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"l\":{\"L\":[{\"SS\":[\"q\"]}]},"
    "\"e\":{\"M\":{}}}},"
    "\"ss\":{\"SS\":[\"a\"]},\"ns\":{\"NS\":[\"1\"]},\"bs\":{\"BS\":[\"AQ==\"]},"
    "\"n\":{\"N\":\"-1.5\"},\"bb\":{\"B\":\"AQIDBA==\"},\"z\":{\"NULL\":true}}";
/* clang-format on */

static json_t *item;

/* The request type check's guarantees, which the translators rely on: every
** AttributeValue member has its JSON type (strings, base64, booleans, lists,
** maps), and the parameter's structures have theirs. */
static int b64_ok(const json_t *s)
{
    if (!json_is_string(s))
        return 0;
    size_t n = json_string_length(s);
    unsigned char *buf = malloc(n / 4 * 3 + 3);
    const char *why;
    long r = ddb_base64_decode(json_string_value(s), n, buf, &why);
    free(buf);
    return r >= 0;
}

static int av_ok(const json_t *av, int depth)
{
    if (!json_is_object(av) || depth > 40)
        return 0;
    const char *k;
    json_t *v;
    size_t i;
    json_t *e;
    json_object_foreach((json_t *)av, k, v) {
        if (!strcmp(k, "S") || !strcmp(k, "N")) {
            if (!json_is_string(v))
                return 0;
        } else if (!strcmp(k, "B")) {
            if (!b64_ok(v))
                return 0;
        } else if (!strcmp(k, "BOOL") || !strcmp(k, "NULL")) {
            if (!json_is_boolean(v))
                return 0;
        } else if (!strcmp(k, "SS") || !strcmp(k, "NS") || !strcmp(k, "BS")) {
            if (!json_is_array(v))
                return 0;
            json_array_foreach(v, i, e) {
                if (k[0] == 'B' ? !b64_ok(e) : !json_is_string(e))
                    return 0;
            }
        } else if (!strcmp(k, "L")) {
            if (!json_is_array(v))
                return 0;
            json_array_foreach(v, i, e) {
                if (!av_ok(e, depth + 1))
                    return 0;
            }
        } else if (!strcmp(k, "M")) {
            const char *mk;
            json_t *mv;
            if (!json_is_object(v))
                return 0;
            json_object_foreach(v, mk, mv) {
                if (!av_ok(mv, depth + 1))
                    return 0;
            }
        }
    }
    return 1;
}

/* Each member of 'param' an object whose members have their types. */
static int param_ok(const json_t *param)
{
    const char *k;
    json_t *c;
    json_object_foreach((json_t *)param, k, c) {
        if (!json_is_object(c))
            return 0;
        const char *mk;
        json_t *v;
        json_object_foreach(c, mk, v) {
            if (json_is_null(v))
                continue;
            if (!strcmp(mk, "ComparisonOperator") || !strcmp(mk, "Action")) {
                if (!json_is_string(v))
                    return 0;
            } else if (!strcmp(mk, "Exists")) {
                if (!json_is_boolean(v))
                    return 0;
            } else if (!strcmp(mk, "Value")) {
                if (!av_ok(v, 1))
                    return 0;
            } else if (!strcmp(mk, "AttributeValueList")) {
                size_t i;
                json_t *e;
                if (!json_is_array(v))
                    return 0;
                json_array_foreach(v, i, e) {
                    if (!av_ok(e, 1))
                        return 0;
                }
            }
        }
    }
    return 1;
}

static int names_ok(const json_t *names)
{
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)names, i, e) {
        if (!json_is_string(e))
            return 0;
    }
    return 1;
}

static void exercise(ddb_expr *e)
{
    ddb_error err = DDB_ERROR_INIT;
    int r = ddb_expr_eval(e, item, &err);
    ddb_err_clear(&err);
    r += ddb_expr_eval(e, NULL, &err);
    ddb_err_clear(&err);
    (void)r;

    json_t *j = ddb_expr_project(e, item);
    json_decref(j);
    j = ddb_expr_top_names(e);
    json_decref(j);

    json_t *ni = ddb_expr_apply_update(e, item, &err);
    ddb_err_clear(&err);
    if (ni) {
        json_t *part = ddb_expr_updated_part(e, ni);
        json_decref(part);
        part = ddb_expr_updated_part(e, item);
        json_decref(part);
        json_decref(ni);
    }
    ni = ddb_expr_apply_update(e, NULL, &err);
    ddb_err_clear(&err);
    json_decref(ni);

    (void)ddb_expr_update_touches(e, "a");
    (void)ddb_expr_update_type(e, "b");
    (void)ddb_expr_check_key_scalar(e, "a", 0, &err);
    ddb_err_clear(&err);
    (void)ddb_expr_check_key_scalar(e, "m", 1, &err);
    ddb_err_clear(&err);

    ddb_key_cond kc;
    (void)ddb_expr_key_condition(e, "a", "S", "b", "N", &kc, &err);
    ddb_err_clear(&err);
    (void)ddb_expr_key_condition(e, "b", "N", NULL, NULL, &kc, &err);
    ddb_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (item == NULL) {
        ddb_json_use_xalloc();
        json_t *n = json_loads(NAMES, 0, NULL), *v = json_loads(VALUES, 0, NULL);
        item = json_loads(ITEM, 0, NULL);
        if (n == NULL || v == NULL || item == NULL)
            abort(); /* the fixed environment itself is broken */
        json_decref(n);
        json_decref(v);
    }
    if (size < 1)
        return 0;
    int mode = data[0] & 0x7f, legacy_layer = data[0] & 0x80;
    char *text = ddb_xstrndup((const char *)data + 1, size - 1); /* stops at a NUL */
    ddb_error err = DDB_ERROR_INIT;

    if (mode % 10 < 5) {
        static const ddb_expr_kind kinds[] = {DDB_EXPR_CONDITION, DDB_EXPR_FILTER,
                                              DDB_EXPR_KEY_CONDITION, DDB_EXPR_PROJECTION,
                                              DDB_EXPR_UPDATE};
        json_t *names = json_loads(NAMES, 0, NULL), *values = json_loads(VALUES, 0, NULL);
        ddb_expr_env *env = ddb_expr_env_new(names, values);
        ddb_expr_env_set_legacy_layer(env, legacy_layer != 0);
        if (ddb_expr_env_check(env, &err) == DDB_OK) {
            ddb_expr *e = ddb_expr_parse(env, kinds[mode % 10], text, &err);
            ddb_err_clear(&err);
            (void)ddb_expr_env_check_unused(env, &err);
            ddb_err_clear(&err);
            ddb_expr_env_free(env); /* the expression must outlive its environment */
            env = NULL;
            if (e)
                exercise(e);
            ddb_expr_free(e);
        }
        ddb_err_clear(&err);
        ddb_expr_env_free(env);
        json_decref(names);
        json_decref(values);
    } else {
        json_t *param = json_loads(text, JSON_DECODE_ANY, NULL);
        ddb_expr *e = NULL;
        switch (mode % 10) {
            case 5:
                if (json_is_object(param) && param_ok(param))
                    e = ddb_expr_from_expected(param, legacy_layer ? "OR" : "AND", &err);
                break;
            case 6:
                if (json_is_object(param) && param_ok(param))
                    e = ddb_expr_from_filter(param, legacy_layer ? "OR" : NULL, &err);
                break;
            case 7:
                if (json_is_object(param) && param_ok(param))
                    e = ddb_expr_from_key_conditions(param, &err);
                break;
            case 8:
                if (json_is_object(param) && param_ok(param))
                    e = ddb_expr_from_attribute_updates(param, &err);
                break;
            default:
                if (json_is_array(param) && names_ok(param))
                    e = ddb_expr_from_attributes_to_get(param, &err);
                break;
        }
        ddb_err_clear(&err);
        if (e)
            exercise(e);
        ddb_expr_free(e);
        json_decref(param);
    }
    free(text);
    return 0;
}
