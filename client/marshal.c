/* SPDX-License-Identifier: MIT
**
** marshal.c -- plain JSON items <-> DynamoDB AttributeValues, as the JS
** DocumentClient converts them, with numbers kept exact: a JSON number is
** taken from its literal text ({"N":"<text as written>"}) and an N value is
** written back as its text, never through a double.
**
** Conventions beyond plain JSON (README "The ddb client"):
**   {"$binary": "<base64>"}   <-> B
**   {"$set": ["a", "b"]}       -> SS   (all strings)
**   {"$set": [1, 2.5]}         -> NS   (all numbers)
**   {"$set": [{"$binary":..}]} -> BS   (all binaries)
** SS / NS / BS come back as plain JSON arrays (strings, numbers, binaries).
** Only an object with exactly that one member is special.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

typedef struct mparser {
    const char *s;
    size_t n;
    size_t pos;
    const char *what;
    cli_error *e;
} mparser;

static json_t *mfail(mparser *p, size_t at, const char *why)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < at && i < p->n; i++) {
        if (p->s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    cli_fail(p->e, CLI_EXIT_USAGE, "UsageError",
             "invalid JSON in %s at line %d column %d: %s", p->what, line, col, why);
    return NULL;
}

static json_t *av(const char *type, json_t *payload)
{
    json_t *o = json_object();
    json_object_set_new(o, type, payload);
    return o;
}

/* The AttributeValue for a one-member object {"$binary": ...} or
** {"$set": [...]}; 'v' is the member's already marshalled value (borrowed).
** NULL (error recorded) when the member is malformed. */
static json_t *special(mparser *p, size_t at, const char *key, json_t *v)
{
    if (strcmp(key, "$binary") == 0) {
        const char *text = json_string_value(json_object_get(v, "S"));
        if (text == NULL)
            return mfail(p, at, "\"$binary\" needs a base64 string");
        size_t len = strlen(text);
        unsigned char *tmp = ddb_xmalloc(len / 4 * 3 + 3);
        const char *why = NULL;
        long got = ddb_base64_decode(text, len, tmp, &why);
        free(tmp);
        if (got < 0)
            return mfail(p, at, "\"$binary\" is not valid base64 (RFC 4648, padded)");
        return av("B", json_string(text));
    }
    json_t *list = json_object_get(v, "L");
    if (list == NULL)
        return mfail(p, at, "\"$set\" needs an array");
    if (json_array_size(list) == 0)
        return mfail(p, at,
                     "\"$set\" needs at least one member (DynamoDB has no empty sets)");
    const char *kind = ddb_type_name(ddb_attr_type(json_array_get(list, 0)));
    if (strcmp(kind, "S") != 0 && strcmp(kind, "N") != 0 && strcmp(kind, "B") != 0)
        return mfail(p, at,
                     "\"$set\" members must be strings, numbers or {\"$binary\"} values");
    json_t *members = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        json_t *x = json_object_get(m, kind);
        if (x == NULL || json_object_size(m) != 1) {
            json_decref(members);
            return mfail(p, at, "\"$set\" members must all be of one kind");
        }
        json_array_append(members, x);
    }
    char type[3] = {kind[0], 'S', '\0'};
    return av(type, members);
}

static json_t *parse_value(mparser *p, int depth);

static json_t *parse_container(mparser *p, int depth)
{
    char open = p->s[p->pos];
    char close = open == '{' ? '}' : ']';
    size_t at = p->pos;
    json_t *coll = open == '{' ? json_object() : json_array();
    char *last_key = NULL;
    p->pos++;
    cli_json_ws(p->s, p->n, &p->pos);
    if (p->pos < p->n && p->s[p->pos] == close) {
        p->pos++;
        return av(open == '{' ? "M" : "L", coll);
    }
    ddb_buf key = DDB_BUF_INIT;
    json_t *result = NULL;
    while (p->pos < p->n) { /* every pass consumes input */
        const char *why = NULL;
        if (open == '{') {
            cli_json_ws(p->s, p->n, &p->pos);
            key.len = 0;
            size_t kat = p->pos;
            if (cli_json_string(p->s, p->n, &p->pos, &key, &why) != 0) {
                mfail(p, p->pos,
                      kat == p->pos && why && strcmp(why, "expected a string") == 0
                          ? "expected a member name in double quotes"
                          : why);
                break;
            }
            if (memchr(key.data ? (const char *)key.data : "", '\0', key.len) != NULL) {
                mfail(p, kat, "a member name cannot contain \\u0000");
                break;
            }
            cli_json_ws(p->s, p->n, &p->pos);
            if (p->pos >= p->n || p->s[p->pos] != ':') {
                mfail(p, p->pos, "expected ':'");
                break;
            }
            p->pos++;
        }
        json_t *v = parse_value(p, depth + 1);
        if (v == NULL)
            break;
        if (open == '{') {
            free(last_key);
            last_key = ddb_xstrndup((const char *)key.data, key.len);
            json_object_set_new(coll, last_key, v);
        } else {
            json_array_append_new(coll, v);
        }
        cli_json_ws(p->s, p->n, &p->pos);
        if (p->pos < p->n && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->n && p->s[p->pos] == close) {
            p->pos++;
            if (open == '{' && json_object_size(coll) == 1 &&
                (strcmp(last_key, "$binary") == 0 || strcmp(last_key, "$set") == 0))
                result = special(p, at, last_key, json_object_get(coll, last_key));
            else
                result = av(open == '{' ? "M" : "L", json_incref(coll));
            break;
        }
        mfail(p, p->pos, open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        break;
    }
    if (result == NULL && p->e->exit_code == CLI_EXIT_OK)
        mfail(p, p->pos, "unexpected end of input");
    json_decref(coll);
    free(last_key);
    ddb_buf_free(&key);
    return result;
}

static json_t *parse_value(mparser *p, int depth)
{
    cli_json_ws(p->s, p->n, &p->pos);
    if (p->pos >= p->n)
        return mfail(p, p->pos, "unexpected end of input");
    if (depth > CLI_MAX_DEPTH)
        return mfail(p, p->pos, "nested too deeply");
    char c = p->s[p->pos];
    size_t at = p->pos;
    if (c == '{' || c == '[')
        return parse_container(p, depth);
    if (c == '"') {
        ddb_buf b = DDB_BUF_INIT;
        const char *why = NULL;
        if (cli_json_string(p->s, p->n, &p->pos, &b, &why) != 0) {
            ddb_buf_free(&b);
            return mfail(p, p->pos, why);
        }
        json_t *str = json_stringn(b.data ? (const char *)b.data : "", b.len);
        ddb_buf_free(&b);
        return av("S", str);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        size_t len = cli_json_number(p->s, p->n, &p->pos);
        if (len == 0)
            return mfail(p, at, "invalid number");
        return av("N", json_stringn(p->s + at, len));
    }
    static const struct {
        const char *word;
        const char *type;
    } lits[] = {{"true", "BOOL"}, {"false", "BOOL"}, {"null", "NULL"}};
    for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
        size_t k = strlen(lits[i].word);
        if (at + k <= p->n && memcmp(p->s + at, lits[i].word, k) == 0) {
            p->pos += k;
            return av(lits[i].type, i == 1 ? json_false() : json_true());
        }
    }
    return mfail(p, at, "unexpected character");
}

json_t *cli_marshal_value(const char *s, size_t n, size_t *pos, const char *what,
                          cli_error *e)
{
    mparser p = {s, n, *pos, what, e};
    json_t *v = parse_value(&p, 0);
    *pos = p.pos;
    return v;
}

json_t *cli_marshal_map(const char *s, size_t n, const char *what, cli_error *e)
{
    mparser p = {s, n, 0, what, e};
    cli_json_ws(s, n, &p.pos);
    if (p.pos >= n || s[p.pos] != '{')
        return mfail(&p, p.pos, "expected a JSON object");
    json_t *v = parse_value(&p, 0);
    if (v == NULL)
        return NULL;
    cli_json_ws(s, n, &p.pos);
    if (p.pos != n) {
        json_decref(v);
        return mfail(&p, p.pos, "unexpected text after the JSON object");
    }
    json_t *map = json_incref(json_object_get(v, "M"));
    json_decref(v);
    return map;
}

/*---- AttributeValue -> plain JSON ----*/

static void put_binary(const json_t *payload, ddb_buf *out)
{
    ddb_buf_puts(out, "{\"$binary\":");
    ddb_buf_json_string(out, json_string_value(payload), json_string_length(payload));
    ddb_buf_putc(out, '}');
}

/* The number text of an N payload, written as a JSON number when it is one
** (DynamoDB sends canonical decimals); else as a JSON string. */
static void put_number(const json_t *payload, ddb_buf *out)
{
    const char *t = json_string_value(payload);
    size_t len = json_string_length(payload);
    size_t pos = 0;
    if (t != NULL && cli_json_number(t, len, &pos) == len && len > 0)
        ddb_buf_append(out, t, len);
    else
        ddb_buf_json_string(out, t ? t : "", t ? len : 0);
}

/* The type of 'avalue' when its payload has the JSON shape of that type
** (sets: arrays of strings), else DDB_T_NONE. */
static ddb_type shape(const json_t *avalue)
{
    ddb_type t = ddb_attr_type(avalue);
    json_t *payload = t != DDB_T_NONE ? ddb_attr_payload(avalue) : NULL;
    size_t i;
    json_t *m;
    switch (t) {
        case DDB_T_S:
        case DDB_T_N:
        case DDB_T_B: return json_is_string(payload) ? t : DDB_T_NONE;
        case DDB_T_BOOL: return json_is_boolean(payload) ? t : DDB_T_NONE;
        case DDB_T_NULL: return t;
        case DDB_T_M: return json_is_object(payload) ? t : DDB_T_NONE;
        case DDB_T_L: return json_is_array(payload) ? t : DDB_T_NONE;
        case DDB_T_SS:
        case DDB_T_NS:
        case DDB_T_BS:
            if (!json_is_array(payload))
                return DDB_T_NONE;
            json_array_foreach(payload, i, m)
            {
                if (!json_is_string(m))
                    return DDB_T_NONE;
            }
            return t;
        case DDB_T_NONE:
        default: return DDB_T_NONE;
    }
}

void cli_unmarshal_value(const json_t *avalue, ddb_buf *out)
{
    ddb_type t = shape(avalue);
    json_t *payload = t != DDB_T_NONE ? ddb_attr_payload(avalue) : NULL;
    size_t i;
    json_t *m;
    switch (t) {
        case DDB_T_S:
            ddb_buf_json_string(out, json_string_value(payload),
                                json_string_length(payload));
            return;
        case DDB_T_N: put_number(payload, out); return;
        case DDB_T_B: put_binary(payload, out); return;
        case DDB_T_BOOL:
            ddb_buf_puts(out, json_is_true(payload) ? "true" : "false");
            return;
        case DDB_T_NULL: ddb_buf_puts(out, "null"); return;
        case DDB_T_M: cli_unmarshal_map(payload, out); return;
        case DDB_T_L:
        case DDB_T_SS:
        case DDB_T_NS:
        case DDB_T_BS:
            ddb_buf_putc(out, '[');
            json_array_foreach(payload, i, m)
            {
                if (i > 0)
                    ddb_buf_putc(out, ',');
                if (t == DDB_T_L)
                    cli_unmarshal_value(m, out);
                else if (t == DDB_T_SS)
                    ddb_buf_json_string(out, json_string_value(m), json_string_length(m));
                else if (t == DDB_T_NS)
                    put_number(m, out);
                else
                    put_binary(m, out);
            }
            ddb_buf_putc(out, ']');
            return;
        case DDB_T_NONE:
        default: {
            char *raw = json_dumps(avalue, JSON_COMPACT | JSON_ENCODE_ANY);
            ddb_buf_puts(out, raw ? raw : "null");
            free(raw);
        }
    }
}

void cli_unmarshal_map(const json_t *map, ddb_buf *out)
{
    const char *k;
    json_t *v;
    int first = 1;
    ddb_buf_putc(out, '{');
    json_object_foreach((json_t *)map, k, v)
    {
        if (!first)
            ddb_buf_putc(out, ',');
        first = 0;
        ddb_buf_json_string(out, k, strlen(k));
        ddb_buf_putc(out, ':');
        cli_unmarshal_value(v, out);
    }
    ddb_buf_putc(out, '}');
}

char *cli_attr_display(const json_t *avalue)
{
    ddb_type t = shape(avalue);
    json_t *payload = t != DDB_T_NONE ? ddb_attr_payload(avalue) : NULL;
    if (t == DDB_T_S || t == DDB_T_N || t == DDB_T_B)
        return ddb_xstrndup(json_string_value(payload), json_string_length(payload));
    ddb_buf b = DDB_BUF_INIT;
    cli_unmarshal_value(avalue, &b);
    return ddb_buf_steal(&b, NULL);
}
