/* SPDX-License-Identifier: MIT
**
** json_text.c -- JSON as text, for the places where the client must not let a
** number pass through a double: a strict RFC 8259 scanner (strings with
** escapes and UTF-8 validation, number literals, values with a depth cap),
** compaction that copies numbers and strings byte for byte, locating a
** member of the top-level object, and flattening a value into path/text
** leaves for --output table. Jansson is used elsewhere for JSON whose
** numbers are known to be small integers or DynamoDB's N strings.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

void cli_json_ws(const char *s, size_t n, size_t *pos)
{
    while (*pos < n &&
           (s[*pos] == ' ' || s[*pos] == '\t' || s[*pos] == '\n' || s[*pos] == '\r'))
        (*pos)++;
}

static int hex4(const char *s, size_t n, size_t at, unsigned *out)
{
    unsigned v = 0;
    if (at + 4 > n)
        return -1;
    for (size_t i = at; i < at + 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(ddb_buf *b, unsigned cp)
{
    unsigned char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | cp >> 18);
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    ddb_buf_append(b, u, k);
}

/* Length of the well-formed UTF-8 sequence at s[i] (1..4), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];
    size_t k;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + k > n)
        return 0;
    for (size_t j = 1; j < k; j++) {
        if ((s[i + j] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i + j] & 0x3F);
    }
    if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return k;
}

int cli_json_string(const char *s, size_t n, size_t *pos, ddb_buf *out, const char **why)
{
    size_t i = *pos;
    if (i >= n || s[i] != '"') {
        *why = "expected a string";
        return -1;
    }
    i++;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') {
            *pos = i + 1;
            return 0;
        }
        if (c < 0x20) {
            *pos = i;
            *why = "control character in a string (escape it)";
            return -1;
        }
        if (c != '\\') {
            size_t k = utf8_seq((const unsigned char *)s, n, i);
            if (k == 0) {
                *pos = i;
                *why = "invalid UTF-8 in a string";
                return -1;
            }
            if (out)
                ddb_buf_append(out, s + i, k);
            i += k;
            continue;
        }
        if (i + 1 >= n)
            break;
        char esc = s[i + 1];
        const char *plain = NULL;
        switch (esc) {
            case '"': plain = "\""; break;
            case '\\': plain = "\\"; break;
            case '/': plain = "/"; break;
            case 'b': plain = "\b"; break;
            case 'f': plain = "\f"; break;
            case 'n': plain = "\n"; break;
            case 'r': plain = "\r"; break;
            case 't': plain = "\t"; break;
            case 'u': break;
            default:
                *pos = i;
                *why = "invalid escape in a string";
                return -1;
        }
        if (plain != NULL) {
            if (out)
                ddb_buf_putc(out, plain[0]);
            i += 2;
            continue;
        }
        unsigned cp;
        if (hex4(s, n, i + 2, &cp) != 0) {
            *pos = i;
            *why = "invalid \\u escape";
            return -1;
        }
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (i + 1 < n && s[i] == '\\' && s[i + 1] == 'u' &&
                hex4(s, n, i + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else {
                *pos = i - 6;
                *why = "lone surrogate in a \\u escape";
                return -1;
            }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            *pos = i - 6;
            *why = "lone surrogate in a \\u escape";
            return -1;
        }
        if (out)
            put_utf8(out, cp);
    }
    *pos = n;
    *why = "unterminated string";
    return -1;
}

size_t cli_json_number(const char *s, size_t n, size_t *pos)
{
    size_t i = *pos;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return 0;
    if (s[i] == '0') {
        i++;
    } else {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    size_t len = i - *pos;
    *pos = i;
    return len;
}

static int literal(const char *s, size_t n, size_t *pos, const char *word)
{
    size_t k = strlen(word);
    if (*pos + k > n || memcmp(s + *pos, word, k) != 0)
        return -1;
    *pos += k;
    return 0;
}

int cli_json_skip(const char *s, size_t n, size_t *pos, int depth, const char **why)
{
    cli_json_ws(s, n, pos);
    if (*pos >= n) {
        *why = "unexpected end of input";
        return -1;
    }
    if (depth > CLI_MAX_DEPTH) {
        *why = "nested too deeply";
        return -1;
    }
    char c = s[*pos];
    if (c == '"')
        return cli_json_string(s, n, pos, NULL, why);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        (*pos)++;
        cli_json_ws(s, n, pos);
        if (*pos < n && s[*pos] == close) {
            (*pos)++;
            return 0;
        }
        for (;;) { /* each pass consumes input, so this ends */
            if (c == '{') {
                cli_json_ws(s, n, pos);
                if (cli_json_string(s, n, pos, NULL, why) != 0) {
                    *why = *why && strcmp(*why, "expected a string") == 0
                               ? "expected a member name in double quotes"
                               : *why;
                    return -1;
                }
                cli_json_ws(s, n, pos);
                if (*pos >= n || s[*pos] != ':') {
                    *why = "expected ':'";
                    return -1;
                }
                (*pos)++;
            }
            if (cli_json_skip(s, n, pos, depth + 1, why) != 0)
                return -1;
            cli_json_ws(s, n, pos);
            if (*pos < n && s[*pos] == ',') {
                (*pos)++;
                continue;
            }
            if (*pos < n && s[*pos] == close) {
                (*pos)++;
                return 0;
            }
            *why = c == '{' ? "expected ',' or '}'" : "expected ',' or ']'";
            return -1;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        if (cli_json_number(s, n, pos) == 0) {
            *why = "invalid number";
            return -1;
        }
        return 0;
    }
    if (literal(s, n, pos, "true") == 0 || literal(s, n, pos, "false") == 0 ||
        literal(s, n, pos, "null") == 0)
        return 0;
    *why = "unexpected character";
    return -1;
}

/* Line and column (1-based, columns in bytes) of offset 'at'. */
static void line_col(const char *s, size_t at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int cli_json_compact(const char *s, size_t n, ddb_buf *out, const char *what,
                     cli_error *e)
{
    size_t pos = 0;
    const char *why = NULL;
    if (cli_json_skip(s, n, &pos, 0, &why) == 0) {
        cli_json_ws(s, n, &pos);
        if (pos == n) {
            int in_string = 0;
            for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (in_string) {
                    ddb_buf_putc(out, c);
                    if (c == '\\') {
                        ddb_buf_putc(out, s[++i]);
                    } else if (c == '"') {
                        in_string = 0;
                    }
                } else if (c == '"') {
                    in_string = 1;
                    ddb_buf_putc(out, c);
                } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    ddb_buf_putc(out, c);
                }
            }
            return 0;
        }
        why = "unexpected text after the JSON value";
    }
    int line, col;
    line_col(s, pos, &line, &col);
    return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                    "invalid JSON in %s at line %d column %d: %s", what, line, col, why);
}

int cli_json_member(const char *s, size_t n, const char *name, size_t *start, size_t *len)
{
    size_t pos = 0;
    const char *why;
    ddb_buf key = DDB_BUF_INIT;
    int found = -1;
    cli_json_ws(s, n, &pos);
    if (pos >= n || s[pos] != '{')
        return -1;
    pos++;
    for (size_t guard = 0; guard < n && found != 0; guard++) {
        cli_json_ws(s, n, &pos);
        key.len = 0;
        if (cli_json_string(s, n, &pos, &key, &why) != 0)
            break;
        cli_json_ws(s, n, &pos);
        if (pos >= n || s[pos] != ':')
            break;
        pos++;
        cli_json_ws(s, n, &pos);
        size_t vstart = pos;
        if (cli_json_skip(s, n, &pos, 1, &why) != 0)
            break;
        if (key.len == strlen(name) && memcmp(key.data, name, key.len) == 0) {
            *start = vstart;
            *len = pos - vstart;
            found = 0;
        }
        cli_json_ws(s, n, &pos);
        if (pos >= n || s[pos] != ',')
            break;
        pos++;
    }
    ddb_buf_free(&key);
    return found;
}

/*---- flattening for --output table ----*/

static void leaf_add(cli_leaves *l, const ddb_buf *path, char *text)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = ddb_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].path = ddb_xstrndup(path->data ? (const char *)path->data : "", path->len);
    l->v[l->n].text = text;
    l->n++;
}

static int flatten(const char *s, size_t n, size_t *pos, ddb_buf *path, cli_leaves *out,
                   int depth)
{
    const char *why;
    cli_json_ws(s, n, pos);
    if (*pos >= n || depth > CLI_MAX_DEPTH)
        return -1;
    char c = s[*pos];
    size_t base = path->len;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        size_t at = *pos;
        (*pos)++;
        cli_json_ws(s, n, pos);
        if (*pos < n && s[*pos] == close) {
            (*pos)++;
            leaf_add(out, path, ddb_xstrdup(c == '{' ? "{}" : "[]"));
            return 0;
        }
        ddb_buf key = DDB_BUF_INIT;
        int rc = -1;
        for (size_t i = 0; *pos<n && * pos> at; i++) {
            path->len = base;
            if (c == '{') {
                cli_json_ws(s, n, pos);
                key.len = 0;
                if (cli_json_string(s, n, pos, &key, &why) != 0)
                    break;
                cli_json_ws(s, n, pos);
                if (*pos >= n || s[(*pos)++] != ':')
                    break;
                if (base > 0)
                    ddb_buf_putc(path, '.');
                ddb_buf_append(path, key.data ? key.data : (unsigned char *)"", key.len);
            } else {
                ddb_buf_printf(path, "[%zu]", i);
            }
            if (flatten(s, n, pos, path, out, depth + 1) != 0)
                break;
            cli_json_ws(s, n, pos);
            if (*pos < n && s[*pos] == ',') {
                (*pos)++;
                continue;
            }
            if (*pos < n && s[*pos] == close) {
                (*pos)++;
                rc = 0;
            }
            break;
        }
        path->len = base;
        ddb_buf_free(&key);
        return rc;
    }
    if (c == '"') {
        ddb_buf text = DDB_BUF_INIT;
        if (cli_json_string(s, n, pos, &text, &why) != 0) {
            ddb_buf_free(&text);
            return -1;
        }
        leaf_add(out, path, ddb_buf_steal(&text, NULL));
        return 0;
    }
    size_t start = *pos;
    if (cli_json_skip(s, n, pos, depth, &why) != 0)
        return -1;
    leaf_add(out, path, ddb_xstrndup(s + start, *pos - start));
    return 0;
}

int cli_json_flatten(const char *s, size_t n, const char *prefix, cli_leaves *out)
{
    ddb_buf path = DDB_BUF_INIT;
    size_t pos = 0;
    ddb_buf_puts(&path, prefix);
    int rc = flatten(s, n, &pos, &path, out, 0);
    ddb_buf_free(&path);
    return rc;
}

void cli_leaves_free(cli_leaves *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].text);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
