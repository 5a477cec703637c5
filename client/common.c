/* SPDX-License-Identifier: MIT
**
** common.c -- the client's error record (first error wins, printed as
** "ddb: error: <Type>: <message>"), reading JSON input from an argument, a
** file or stdin, strict parsing of numeric option values, and the one-element
** XML reader the STS query protocol needs. Pure: no network, no libcurl.
*/
#include "client.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(cli_error *e, int exit_code, const char *type, const char *fmt, ...)
{
    if (e == NULL || e->exit_code != CLI_EXIT_OK)
        return DDB_ERR;
    e->exit_code = exit_code;
    snprintf(e->type, sizeof e->type, "%s", type && type[0] ? type : "Error");
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
            abort();
        va_end(ap);
        e->message = msg;
    }
    return DDB_ERR;
}

void cli_error_clear(cli_error *e)
{
    if (e == NULL)
        return;
    free(e->message);
    e->message = NULL;
    e->type[0] = '\0';
    e->exit_code = CLI_EXIT_OK;
}

void cli_error_print(const cli_error *e, FILE *f)
{
    if (e->message != NULL && e->message[0] != '\0')
        fprintf(f, "ddb: error: %s: %s\n", e->type, e->message);
    else
        fprintf(f, "ddb: error: %s\n", e->type);
}

/* Read all of 'fp' (at most CLI_MAX_INPUT bytes) into 'b'. 0 or -1. */
static int read_all(FILE *fp, ddb_buf *b)
{
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b->len + got > CLI_MAX_INPUT)
            return -1;
        ddb_buf_append(b, chunk, got);
    }
    return ferror(fp) ? -1 : 0;
}

char *cli_read_source(const char *arg, size_t *out_len, cli_error *e)
{
    ddb_buf b = DDB_BUF_INIT;
    if (strcmp(arg, "-") == 0) {
        if (read_all(stdin, &b) != 0) {
            ddb_buf_free(&b);
            cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                     "cannot read standard input (or it exceeds %u bytes)",
                     CLI_MAX_INPUT);
            return NULL;
        }
    } else if (arg[0] == '@') {
        FILE *fp = fopen(arg + 1, "rb");
        if (fp == NULL) {
            cli_fail(e, CLI_EXIT_USAGE, "UsageError", "cannot open %s: %s", arg + 1,
                     strerror(errno));
            return NULL;
        }
        int rc = read_all(fp, &b);
        fclose(fp);
        if (rc != 0) {
            ddb_buf_free(&b);
            cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                     "cannot read %s (or it exceeds %u bytes)", arg + 1, CLI_MAX_INPUT);
            return NULL;
        }
    } else {
        ddb_buf_puts(&b, arg);
    }
    return ddb_buf_steal(&b, out_len);
}

int cli_set_string(json_t *obj, const char *member, const char *value, cli_error *e)
{
    json_t *v = json_string(value);
    if (v == NULL)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "the %s given is not valid UTF-8", member);
    json_object_set_new(obj, member, v);
    return DDB_OK;
}

int cli_parse_long(const char *text, long lo, long hi, long *out)
{
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_seconds(const char *text, double hi, double *out)
{
    if (text == NULL || ((text[0] < '0' || text[0] > '9') && text[0] != '.'))
        return -1;
    errno = 0;
    char *end = NULL;
    double v = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v <= 0 || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The text of the first <tag>...</tag> in 'xml', entities decoded. New or NULL. */
char *cli_xml_text(const char *xml, const char *tag)
{
    char otag[64], ctag[64];
    snprintf(otag, sizeof otag, "<%s>", tag);
    snprintf(ctag, sizeof ctag, "</%s>", tag);
    const char *a = strstr(xml, otag);
    if (a == NULL)
        return NULL;
    a += strlen(otag);
    const char *b = strstr(a, ctag);
    if (b == NULL)
        return NULL;
    ddb_buf out = DDB_BUF_INIT;
    static const struct {
        const char *ent;
        char c;
    } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    for (const char *p = a; p < b; p++) {
        size_t i, n = sizeof ents / sizeof ents[0];
        for (i = 0; i < n; i++) {
            size_t k = strlen(ents[i].ent);
            if ((size_t)(b - p) >= k && strncmp(p, ents[i].ent, k) == 0) {
                ddb_buf_putc(&out, ents[i].c);
                p += k - 1;
                break;
            }
        }
        if (i == n)
            ddb_buf_putc(&out, *p);
    }
    return ddb_buf_steal(&out, NULL);
}
