/* SPDX-License-Identifier: MIT
**
** fuzz_shape.c -- libFuzzer target for the first two passes every DynamoDB
** request goes through: the type check against the API model
** (emulator/shape.c, shapes.gen.c) and the AttributeValue validation and
** canonicalisation (emulator/core/attr.c).
**
** Input: the first byte picks the operation (its input shape), the rest is
** the request body as sent (any bytes; JSON with NUL escapes allowed, as
** dispatch.c parses it). When the body is an object and passes the type
** check, every value the model types as AttributeValue is validated in both
** layers and put through size, equality, order and key encoding.
**
** Besides the sanitizers, it abort()s on a broken invariant:
**   - a failed check records a SerializationException / ValidationException
**     with a message;
**   - the type check is idempotent: the checked (coerced) request, dumped
**     and parsed again, passes again unchanged;
**   - validation is idempotent: a canonicalised value validates again and
**     stays the same;
**   - a valid value equals itself, a scalar compares 0 with itself, and a
**     scalar key value encodes.
**
** Build and run: `make fuzz` (all targets), or
**   make fuzz-build && build/fuzz/fuzz_shape -dict=fixtures/fuzz/shape/shape.dict \
**       /tmp/shape-corpus fixtures/fuzz/shape
*/
#include "emulator.h"
#include "shape.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int av_shape = -1;

static void fail(const char *what, const json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    fprintf(stderr, "fuzz_shape: invariant broken: %s\n  value: %.2000s\n", what,
            s ? s : "(none)");
    free(s);
    abort();
}

/* Every check that fails must say why, with the right exception. */
static void expect_error(const ddb_error *err, ddb_errcode code, const char *what)
{
    if (err->code != code || err->message == NULL)
        fail(what, NULL);
}

/* One AttributeValue (after the type check): validate in both layers, then
** exercise the functions that run on validated values. */
static void check_av(json_t *av)
{
    for (int layer = 0; layer < 2; layer++) {
        json_t *copy = json_deep_copy(av);
        ddb_error err = DDB_ERROR_INIT;
        int rc = ddb_attr_check_layer(copy, layer ? DDB_AV_LEGACY : DDB_AV_CURRENT, &err);
        if (rc != DDB_OK) {
            expect_error(&err, DDB_E_VALIDATION, "attr check failed without a ValidationException");
            ddb_err_clear(&err);
            json_decref(copy);
            continue;
        }
        /* canonical: validates again, unchanged */
        json_t *again = json_deep_copy(copy);
        if (ddb_attr_check_layer(again, layer ? DDB_AV_LEGACY : DDB_AV_CURRENT, &err) != DDB_OK)
            fail("a canonicalised value does not validate again", copy);
        if (!json_equal(again, copy))
            fail("canonicalisation is not idempotent", copy);
        json_decref(again);

        if (!ddb_attr_equal(copy, copy))
            fail("a valid value is not equal to itself", copy);
        (void)ddb_attr_size(copy);
        ddb_type t = ddb_attr_type(copy);
        if (t == DDB_T_NONE)
            fail("a valid value has no type", copy);
        if (t == DDB_T_S || t == DDB_T_N || t == DDB_T_B) {
            if (ddb_attr_compare(copy, copy) != 0)
                fail("a scalar does not compare equal to itself", copy);
            (void)ddb_key_value_size(copy);
            ddb_buf k = DDB_BUF_INIT;
            if (ddb_attr_encode_key(copy, &k) != DDB_OK)
                fail("a valid scalar does not encode as a key", copy);
            ddb_buf_free(&k);
        }
        json_decref(copy);
    }
}

/* Walk 'v' along shape 'shape' and check every AttributeValue found. */
static void walk(int shape, json_t *v, int depth)
{
    if (shape < 0 || v == NULL || depth > 200)
        return;
    if (shape == av_shape) {
        check_av(v);
        return;
    }
    const sh_shape *sh = &sh_shapes[shape];
    switch (sh->type) {
        case SH_STRUCT: {
            if (!json_is_object(v))
                return;
            for (int i = 0; i < sh->n_members; i++)
                walk(sh->members[i].shape, json_object_get(v, sh->members[i].name), depth + 1);
            return;
        }
        case SH_LIST: {
            size_t i;
            json_t *e;
            if (json_is_array(v))
                json_array_foreach(v, i, e) walk(sh->elem, e, depth + 1);
            return;
        }
        case SH_MAP: {
            const char *k;
            json_t *e;
            if (json_is_object(v)) {
                json_object_foreach(v, k, e) walk(sh->elem, e, depth + 1);
                /* an attribute map as a whole (Item, Key, ...) */
                if (sh->elem == av_shape) {
                    json_t *copy = json_deep_copy(v);
                    ddb_error err = DDB_ERROR_INIT;
                    if (ddb_attrs_check(copy, &err) == DDB_OK)
                        (void)ddb_item_size(copy);
                    else
                        expect_error(&err, DDB_E_VALIDATION, "attrs check without a message");
                    ddb_err_clear(&err);
                    json_decref(copy);
                }
            }
            return;
        }
        default:
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (av_shape < 0)
        av_shape = ddb_shape_find("AttributeValue");
    if (size < 1 || size > 1 << 20)
        return 0;
    int op = data[0] % sh_operation_count;
    int shape = sh_operations[op].input;
    json_error_t jerr;
    json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_ALLOW_NUL, &jerr);
    if (in == NULL || !json_is_object(in) || shape < 0) {
        json_decref(in);
        return 0;
    }
    ddb_error err = DDB_ERROR_INIT;
    if (ddb_shape_check(shape, in, &err) != DDB_OK) {
        expect_error(&err, DDB_E_SERIALIZATION, "type check failed without a SerializationException");
        ddb_err_clear(&err);
        json_decref(in);
        return 0;
    }
    /* idempotent: the checked request, as text and back, passes unchanged */
    char *text = json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL)
        fail("the checked request cannot be dumped", NULL);
    json_t *again = json_loads(text, JSON_ALLOW_NUL, &jerr);
    free(text);
    if (again == NULL)
        fail("the checked request does not parse again", in);
    if (ddb_shape_check(shape, again, &err) != DDB_OK || !json_equal(again, in))
        fail("the type check is not idempotent", in);
    json_decref(again);

    walk(shape, in, 0);
    json_decref(in);
    return 0;
}
