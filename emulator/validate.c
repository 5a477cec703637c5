/* SPDX-License-Identifier: MIT
**
** validate.c -- the constraint phase's collector and phrases (see validate.h).
*/
#include "validate.h"
#include "emulator.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ddb_chk_add(ddb_checks *c, const char *value, const char *path, const char *phrase)
{
    if (c->n >= DDB_CHK_MAX)
        return;
    if (c->n > 0)
        ddb_buf_puts(&c->text, "; ");
    if (value == NULL)
        ddb_buf_puts(&c->text, "Value null at '");
    else {
        ddb_buf_puts(&c->text, "Value '");
        ddb_buf_puts(&c->text, value);
        ddb_buf_puts(&c->text, "' at '");
    }
    ddb_buf_puts(&c->text, path);
    ddb_buf_puts(&c->text, "' failed to satisfy constraint: ");
    ddb_buf_puts(&c->text, phrase);
    c->n++;
}

void ddb_chk_add_raw(ddb_checks *c, const char *text)
{
    if (c->n >= DDB_CHK_MAX)
        return;
    if (c->n > 0)
        ddb_buf_puts(&c->text, "; ");
    ddb_buf_puts(&c->text, text);
    c->n++;
}

/* Lower-case the first character of a member name, as DynamoDB's paths do. */
static void lower_first(ddb_buf *b, const char *name)
{
    if (*name >= 'A' && *name <= 'Z') {
        ddb_buf_putc(b, *name - 'A' + 'a');
        name++;
    }
    ddb_buf_puts(b, name);
}

/* The members of the shapes DynamoDB echoes in constraint messages, in the
** order its Lombok-generated toString prints them (declaration order, not
** the request's order). NULL for shapes not listed. */
static const char *const *lombok_members(const char *shape)
{
    static const char *const key_schema_element[] = {"AttributeName", "KeyType", NULL};
    if (strcmp(shape, "KeySchemaElement") == 0)
        return key_schema_element;
    return NULL;
}

static void render(ddb_buf *b, const json_t *v, const char *shape)
{
    size_t i;
    json_t *e;
    if (json_is_string(v)) {
        ddb_buf_append(b, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        ddb_buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        ddb_buf_printf(b, "%.17g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        ddb_buf_puts(b, json_is_true(v) ? "true" : "false");
    } else if (json_is_array(v)) {
        ddb_buf_putc(b, '[');
        json_array_foreach(v, i, e) {
            if (i)
                ddb_buf_puts(b, ", ");
            render(b, e, shape);
        }
        ddb_buf_putc(b, ']');
    } else if (json_is_object(v) && shape != NULL && lombok_members(shape) != NULL) {
        /* Lombok's toString: every member in declaration order, absent ones null */
        const char *const *m = lombok_members(shape);
        ddb_buf_puts(b, shape);
        ddb_buf_putc(b, '(');
        for (int k = 0; m[k]; k++) {
            if (k)
                ddb_buf_puts(b, ", ");
            lower_first(b, m[k]);
            ddb_buf_putc(b, '=');
            render(b, json_object_get(v, m[k]), NULL);
        }
        ddb_buf_putc(b, ')');
    } else if (json_is_object(v)) {
        /* Lombok's toString: Shape(member=value, ...) with lower-camel names */
        const char *k;
        json_t *mv;
        int first = 1;
        ddb_buf_puts(b, shape ? shape : "");
        ddb_buf_putc(b, shape ? '(' : '{');
        json_object_foreach((json_t *)v, k, mv) {
            if (!first)
                ddb_buf_puts(b, ", ");
            first = 0;
            if (shape)
                lower_first(b, k);
            else
                ddb_buf_puts(b, k);
            ddb_buf_putc(b, '=');
            render(b, mv, NULL);
        }
        ddb_buf_putc(b, shape ? ')' : '}');
    } else {
        ddb_buf_puts(b, "null");
    }
}

char *ddb_chk_render(const json_t *v, const char *shape)
{
    ddb_buf b = DDB_BUF_INIT;
    render(&b, v, shape);
    return ddb_buf_steal(&b, NULL);
}

static void add_rendered(ddb_checks *c, const json_t *v, const char *path, const char *phrase)
{
    char *s = ddb_chk_render(v, NULL);
    ddb_chk_add(c, s, path, phrase);
    free(s);
}

void ddb_chk_required(ddb_checks *c, const json_t *v, const char *path)
{
    if (v == NULL)
        ddb_chk_add(c, NULL, path, "Member must not be null");
}

static long length_of(const json_t *v)
{
    if (json_is_string(v)) {
        /* Java counts UTF-16 code units */
        const unsigned char *s = (const unsigned char *)json_string_value(v);
        size_t n = json_string_length(v);
        long units = 0;
        for (size_t i = 0; i < n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                units += (s[i] >= 0xF0) ? 2 : 1;
        }
        return units;
    }
    if (json_is_array(v))
        return (long)json_array_size(v);
    if (json_is_object(v))
        return (long)json_object_size(v);
    return 0;
}

void ddb_chk_min_len(ddb_checks *c, const json_t *v, const char *path, long min)
{
    if (v != NULL && length_of(v) < min) {
        char phrase[96];
        snprintf(phrase, sizeof phrase, "Member must have length greater than or equal to %ld", min);
        add_rendered(c, v, path, phrase);
    }
}

void ddb_chk_max_len(ddb_checks *c, const json_t *v, const char *path, long max)
{
    if (v != NULL && length_of(v) > max) {
        char phrase[96];
        snprintf(phrase, sizeof phrase, "Member must have length less than or equal to %ld", max);
        add_rendered(c, v, path, phrase);
    }
}

int ddb_name_chars_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-'))
            return 0;
    }
    return 1;
}

void ddb_chk_name_pattern(ddb_checks *c, const json_t *v, const char *path)
{
    if (v != NULL && json_is_string(v) && !ddb_name_chars_ok(json_string_value(v), json_string_length(v)))
        add_rendered(c, v, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

void ddb_chk_min_value(ddb_checks *c, const json_t *v, const char *path, long long min)
{
    if (v != NULL && json_is_integer(v) && json_integer_value(v) < min) {
        char phrase[96];
        snprintf(phrase, sizeof phrase, "Member must have value greater than or equal to %lld", min);
        add_rendered(c, v, path, phrase);
    }
}

void ddb_chk_max_value(ddb_checks *c, const json_t *v, const char *path, long long max)
{
    if (v != NULL && json_is_integer(v) && json_integer_value(v) > max) {
        char phrase[96];
        snprintf(phrase, sizeof phrase, "Member must have value less than or equal to %lld", max);
        add_rendered(c, v, path, phrase);
    }
}

void ddb_chk_enum(ddb_checks *c, const json_t *v, const char *path, const char *const *allowed,
                  const char *printed)
{
    if (v == NULL || !json_is_string(v))
        return;
    for (int i = 0; allowed[i]; i++)
        if (strcmp(allowed[i], json_string_value(v)) == 0)
            return;
    char *phrase = ddb_xasprintf("Member must satisfy enum value set: %s", printed);
    add_rendered(c, v, path, phrase);
    free(phrase);
}

int ddb_chk_finish(ddb_checks *c, ddb_error *err)
{
    int rc = DDB_OK;
    if (c->n > 0)
        rc = ddb_err_set(err, DDB_E_VALIDATION, "%d validation error%s detected: %s", c->n,
                         c->n > 1 ? "s" : "", (const char *)c->text.data);
    ddb_chk_free(c);
    return rc;
}

void ddb_chk_free(ddb_checks *c)
{
    ddb_buf_free(&c->text);
    c->n = 0;
}

int ddb_err_bespoke(ddb_error *err, int prefixed, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *body = NULL;
    if (vasprintf(&body, fmt, ap) < 0)
        abort();
    va_end(ap);
    if (prefixed)
        ddb_err_set(err, DDB_E_VALIDATION, "1 validation error detected: %s", body);
    else
        ddb_err_set(err, DDB_E_VALIDATION, "%s", body);
    free(body);
    return DDB_ERR;
}

void ddb_err_wrap_bespoke(ddb_error *err)
{
    if (err == NULL || err->code != DDB_E_VALIDATION || err->message == NULL)
        return;
    char *m = ddb_xasprintf("1 validation error detected: %s", err->message);
    free(err->message);
    err->message = m;
}
