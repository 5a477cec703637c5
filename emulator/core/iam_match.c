/* SPDX-License-Identifier: MIT
**
** iam_match.c -- pattern machinery of the IAM engine: policy-variable
** templates, the glob matcher, ARN patterns and request-context lookups.
**
** Owns how a policy string becomes something to match and how matching is
** done; knows nothing of statements, operators or decisions (iam_eval.c) nor
** of the policy grammar (iam_parse.c).
**
** Policy variables (Version 2012-10-17 only): ${key} is replaced by the
** request-context value of 'key' (looked up case-insensitively); ${key,
** 'default'} falls back to 'default' when the key has no value; ${*}, ${?}
** and ${$} stand for a literal '*', '?' and '$'. A substituted value is
** literal text: a '*' inside a tag value is not a wildcard (reference §2.7;
** open point 4, case A23: we chose "literal", as iam-simulate and fakecloud
** do, and as the existence of ${*} implies). A key whose value is absent,
** JSON null, an array (multivalued keys cannot be variables) or an object
** has no value; without a default the whole pattern then matches nothing.
**
** ARN patterns (Resource/NotResource entries, Arn* values): "*" matches
** anything, even a request resource that is not an ARN. Otherwise the
** pattern is split on its first five colons outside ${...} into arn,
** partition, service, region, account and the resource part; the request
** ARN likewise. Parts are globbed one by one, so '*' in the region cannot
** swallow a colon, while the resource part keeps its colons (stream labels).
** The IAM guide says a '*' ending a part "can expand to match beyond the
** colon boundaries"; read literally that would contradict its own ArnLike
** example, so it is applied only to short patterns: with fewer than six
** parts (at least up to the service) whose last part ends in '*', that part
** is matched against the rest of the request ARN, colons included
** ("arn:aws:dynamodb:us-west-2:*", "arn:aws:dynamodb:*"). The service part
** takes no wildcard or variable (IAM rule); ARN matching is case-sensitive.
**
** Globbing: '*' matches any run of characters (also empty and also '/'),
** '?' exactly one UTF-8 character. The matcher keeps one backtrack point
** (the last '*'), which is exact for this pattern language and costs at most
** O(pattern x subject) steps: "a*a*a*a*b" against a long run of 'a's is
** quadratic, never exponential.
*/
#include "iam_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*---- small helpers ----*/

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int ddb_iamp_ascii_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

static void cells_reserve(iam_cells *c, size_t extra)
{
    if (c->n + extra <= c->cap)
        return;
    size_t cap = c->cap ? c->cap : 64;
    while (cap < c->n + extra)
        cap *= 2;
    c->v = ddb_xrealloc(c->v, cap * sizeof *c->v);
    c->cap = cap;
}

static void cells_push_bytes(iam_cells *c, const char *s, size_t n)
{
    cells_reserve(c, n);
    for (size_t i = 0; i < n; i++)
        c->v[c->n++] = (unsigned char)s[i];
}

static void cells_push(iam_cells *c, int cell)
{
    cells_reserve(c, 1);
    c->v[c->n++] = cell;
}

static void tok_push(iam_tmpl *t, size_t *cap, iam_tok tok)
{
    if (t->n_toks == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        t->toks = ddb_xrealloc(t->toks, *cap * sizeof *t->toks);
    }
    t->toks[t->n_toks++] = tok;
}

/*---- context lookups ----*/

size_t ddb_iamp_key_len(const char *key)
{
#if JANSSON_VERSION_HEX >= 0x020e00
    return json_object_iter_key_len(json_object_key_to_iter(key));
#else
    return strlen(key);
#endif
}

/* The member of object 'o' named exactly by (key, key_len), or NULL. */
static json_t *member_exact(const json_t *o, const char *key, size_t key_len)
{
#if JANSSON_VERSION_HEX >= 0x020e00
    return json_object_getn(o, key, key_len);
#else
    if (key_len < 256 && memchr(key, '\0', key_len) == NULL) {
        char buf[256];
        memcpy(buf, key, key_len);
        buf[key_len] = '\0';
        return json_object_get(o, buf);
    }
    if (memchr(key, '\0', key_len) != NULL)
        return NULL; /* keys cannot hold NUL bytes before jansson 2.14 */
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)o, k, v) {
        if (strlen(k) == key_len && memcmp(k, key, key_len) == 0)
            return v;
    }
    return NULL;
#endif
}

static int is_layer(const json_t *o)
{
    return o != NULL && json_is_object(o);
}

/* Exact-case entries first: the last layer holding the name wins, as in the
** merged object. Otherwise the first case-insensitive match in the merged
** object's order: a layer's keys in its order, after those of the layers
** below it (a key already in a lower layer keeps that position, and that
** lower layer's scan meets it first); its value is that of the last layer
** holding exactly that name. */
json_t *ddb_iamp_ctx_get(const iam_ctx *ctx, const char *key, size_t key_len)
{
    if (ctx == NULL)
        return NULL;
    for (size_t i = ctx->n; i-- > 0;) {
        json_t *v;
        if (is_layer(ctx->layer[i]) && (v = member_exact(ctx->layer[i], key, key_len)))
            return v;
    }
    for (size_t i = 0; i < ctx->n; i++) {
        const char *k;
        json_t *v;
        if (!is_layer(ctx->layer[i]))
            continue;
        json_object_foreach ((json_t *)ctx->layer[i], k, v) {
            size_t klen = ddb_iamp_key_len(k);
            if (!ddb_iamp_ascii_ieq(k, klen, key, key_len))
                continue;
            for (size_t j = ctx->n; j-- > i + 1;) {
                json_t *over;
                if (is_layer(ctx->layer[j]) && (over = member_exact(ctx->layer[j], k, klen)))
                    return over;
            }
            return v;
        }
    }
    return NULL;
}

void ddb_iamp_real_text(double d, char buf[40])
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
    snprintf(buf, 40, "%.17g", d);
}

const char *ddb_iamp_scalar_text(const json_t *v, char buf[40], size_t *len)
{
    switch (json_typeof(v)) {
        case JSON_STRING:
            *len = json_string_length(v);
            return json_string_value(v);
        case JSON_TRUE:
            *len = 4;
            return "true";
        case JSON_FALSE:
            *len = 5;
            return "false";
        case JSON_INTEGER:
            snprintf(buf, 40, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            *len = strlen(buf);
            return buf;
        case JSON_REAL:
            ddb_iamp_real_text(json_real_value(v), buf);
            *len = strlen(buf);
            return buf;
        default:
            return NULL;
    }
}

/* The value of variable 'tok' of 't' in 'ctx', or its default; NULL when it
** has neither. */
static const char *var_value(const iam_tmpl *t, const iam_tok *tok, const iam_ctx *ctx,
                             char buf[40], size_t *len)
{
    const json_t *v = ddb_iamp_ctx_get(ctx, t->src + tok->off, tok->len);
    const char *s = v != NULL ? ddb_iamp_scalar_text(v, buf, len) : NULL;
    if (s != NULL)
        return s;
    if (tok->has_default) {
        *len = tok->dlen;
        return t->src + tok->doff;
    }
    return NULL;
}

/*---- templates ----*/

static int is_space(int c)
{
    return c == ' ' || c == '\t';
}

/* Parse the variable starting at src[i] == '$', src[i+1] == '{' into *tok
** and set *end past its '}'. Returns DDB_ERR with *why on a syntax error. */
static int parse_var(const char *src, size_t len, size_t i, iam_tok *tok, size_t *end,
                     const char **why)
{
    size_t k = i + 2, kb, ke;

    while (k < len && src[k] != '}' && src[k] != ',')
        k++;
    if (k >= len) {
        *why = "unterminated policy variable (missing '}')";
        return DDB_ERR;
    }
    kb = i + 2;
    ke = k;
    while (kb < ke && is_space((unsigned char)src[kb]))
        kb++;
    while (ke > kb && is_space((unsigned char)src[ke - 1]))
        ke--;
    if (kb == ke) {
        *why = "empty policy variable name";
        return DDB_ERR;
    }
    int escape = ke - kb == 1 && (src[kb] == '*' || src[kb] == '?' || src[kb] == '$');
    for (size_t j = kb; j < ke && !escape; j++) {
        if (src[j] == '$' || src[j] == '{' || src[j] == '\'') {
            *why = "invalid character in policy variable name";
            return DDB_ERR;
        }
    }
    memset(tok, 0, sizeof *tok);
    tok->kind = IAM_TOK_VAR;
    tok->off = kb;
    tok->len = ke - kb;
    if (src[k] == ',') {
        k++;
        while (k < len && is_space((unsigned char)src[k]))
            k++;
        if (k >= len || src[k] != '\'') {
            *why = "the default value of a policy variable must be in single quotes";
            return DDB_ERR;
        }
        size_t db = ++k;
        while (k < len && src[k] != '\'')
            k++;
        if (k >= len) {
            *why = "unterminated default value in policy variable (missing \"'\")";
            return DDB_ERR;
        }
        tok->has_default = 1;
        tok->doff = db;
        tok->dlen = k - db;
        k++;
        while (k < len && is_space((unsigned char)src[k]))
            k++;
        if (k >= len || src[k] != '}') {
            *why = "malformed policy variable (expected '}' after the default value)";
            return DDB_ERR;
        }
    }
    if (escape) {
        if (tok->has_default) {
            *why = "${*}, ${?} and ${$} take no default value";
            return DDB_ERR;
        }
        /* An escape: one literal byte, the character inside the braces. */
        tok->kind = IAM_TOK_LIT;
    }
    *end = k + 1;
    return DDB_OK;
}

/* Fill t->cells / t->lit for a template without variables. */
static void precompute(iam_tmpl *t)
{
    if (t->has_vars)
        return;
    if (t->wild) {
        iam_cells c = {NULL, 0, 0};
        for (size_t i = 0; i < t->n_toks; i++) {
            const iam_tok *k = &t->toks[i];
            if (k->kind == IAM_TOK_LIT)
                cells_push_bytes(&c, t->src + k->off, k->len);
            else
                cells_push(&c, k->kind == IAM_TOK_STAR ? IAM_CELL_STAR : IAM_CELL_QMARK);
        }
        t->cells = c.v;
        t->n_cells = c.n;
    } else {
        ddb_buf b = DDB_BUF_INIT;
        for (size_t i = 0; i < t->n_toks; i++)
            ddb_buf_append(&b, t->src + t->toks[i].off, t->toks[i].len);
        t->lit = ddb_buf_steal(&b, &t->lit_len);
    }
}

int ddb_iamp_tmpl_compile(iam_tmpl *t, const char *src, size_t len, int wild, int vars,
                          const char **why)
{
    size_t cap = 0, i = 0, run = 0;

    memset(t, 0, sizeof *t);
    t->src = src;
    t->wild = wild;
    while (i < len) {
        char c = src[i];
        int special = (wild && (c == '*' || c == '?')) ||
                      (vars && c == '$' && i + 1 < len && src[i + 1] == '{');
        if (!special) {
            i++;
            continue;
        }
        if (i > run)
            tok_push(t, &cap, (iam_tok){IAM_TOK_LIT, run, i - run, 0, 0, 0});
        if (c == '$') {
            iam_tok tok;
            size_t end;
            if (parse_var(src, len, i, &tok, &end, why) != DDB_OK) {
                ddb_iamp_tmpl_free(t);
                t->src = src;
                return DDB_ERR;
            }
            if (tok.kind == IAM_TOK_VAR)
                t->has_vars = 1;
            tok_push(t, &cap, tok);
            i = end;
        } else {
            tok_push(t, &cap,
                     (iam_tok){c == '*' ? IAM_TOK_STAR : IAM_TOK_QMARK, i, 1, 0, 0, 0});
            i++;
        }
        run = i;
    }
    if (len > run)
        tok_push(t, &cap, (iam_tok){IAM_TOK_LIT, run, len - run, 0, 0, 0});
    precompute(t);
    return DDB_OK;
}

void ddb_iamp_tmpl_free(iam_tmpl *t)
{
    if (t == NULL)
        return;
    free(t->toks);
    free(t->cells);
    free(t->lit);
    memset(t, 0, sizeof *t);
}

char *ddb_iamp_tmpl_multivalued_var(const iam_tmpl *t)
{
    for (size_t i = 0; i < t->n_toks; i++) {
        if (t->toks[i].kind != IAM_TOK_VAR)
            continue;
        char *key = ddb_xstrndup(t->src + t->toks[i].off, t->toks[i].len);
        if (ddb_iam_key_is_multivalued(key))
            return key;
        free(key);
    }
    return NULL;
}

int ddb_iamp_tmpl_cells(const iam_tmpl *t, const iam_ctx *ctx, iam_cells *scratch,
                        const int **cells, size_t *n)
{
    if (!t->has_vars) {
        *cells = t->cells;
        *n = t->n_cells;
        return 1;
    }
    scratch->n = 0;
    for (size_t i = 0; i < t->n_toks; i++) {
        const iam_tok *k = &t->toks[i];
        char buf[40];
        size_t vlen;
        const char *v;
        switch (k->kind) {
            case IAM_TOK_LIT:
                cells_push_bytes(scratch, t->src + k->off, k->len);
                break;
            case IAM_TOK_STAR:
                cells_push(scratch, IAM_CELL_STAR);
                break;
            case IAM_TOK_QMARK:
                cells_push(scratch, IAM_CELL_QMARK);
                break;
            default:
                if ((v = var_value(t, k, ctx, buf, &vlen)) == NULL)
                    return 0;
                cells_push_bytes(scratch, v, vlen);
                break;
        }
    }
    cells_reserve(scratch, 1); /* a non-NULL pointer even when empty */
    *cells = scratch->v;
    *n = scratch->n;
    return 1;
}

int ddb_iamp_tmpl_bytes(const iam_tmpl *t, const iam_ctx *ctx, ddb_buf *scratch,
                        const char **out, size_t *n)
{
    if (!t->has_vars) {
        *out = t->lit;
        *n = t->lit_len;
        return 1;
    }
    scratch->len = 0;
    for (size_t i = 0; i < t->n_toks; i++) {
        const iam_tok *k = &t->toks[i];
        char buf[40];
        size_t vlen;
        const char *v;
        if (k->kind != IAM_TOK_VAR) {
            ddb_buf_append(scratch, t->src + k->off, k->len);
            continue;
        }
        if ((v = var_value(t, k, ctx, buf, &vlen)) == NULL)
            return 0;
        ddb_buf_append(scratch, v, vlen);
    }
    ddb_buf_reserve(scratch, 1);
    scratch->data[scratch->len] = '\0';
    *out = (const char *)scratch->data;
    *n = scratch->len;
    return 1;
}

/*---- glob ----*/

/* Bytes of the UTF-8 character at s (ASCII without the call). */
static inline size_t char_len(const unsigned char *s, size_t n)
{
    return *s < 0x80 ? 1 : ddb_iamp_u8len(s, n);
}

int ddb_iamp_glob(const int *p, size_t pn, const char *str, size_t sn, int fold)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

    while (si < sn) {
        if (pi < pn && p[pi] == IAM_CELL_STAR) {
            star_p = pi++;
            star_s = si;
            while (pi < pn && p[pi] == IAM_CELL_STAR)
                pi++;
            if (pi == pn)
                return 1; /* a trailing '*' takes the rest, whatever it is */
            continue;
        }
        if (pi < pn && p[pi] == IAM_CELL_QMARK) {
            si += char_len(s + si, sn - si);
            pi++;
            continue;
        }
        if (pi < pn && (p[pi] == s[si] || (fold && lower(p[pi]) == lower(s[si])))) {
            pi++;
            si++;
            continue;
        }
        if (star_p == (size_t)-1)
            return 0;
        /* Let the last '*' absorb one more character and retry after it. */
        star_s += char_len(s + star_s, sn - star_s);
        si = star_s;
        pi = star_p + 1;
    }
    while (pi < pn && p[pi] == IAM_CELL_STAR)
        pi++;
    return pi == pn;
}

/*---- ARNs ----*/

void ddb_iamp_arn_split(const char *s, size_t n, iam_arn *out)
{
    size_t start = 0;
    int seg = 0;

    memset(out, 0, sizeof *out);
    out->whole = s;
    out->whole_len = n;
    for (size_t i = 0; i < n && seg < IAM_ARN_SEGS - 1; i++) {
        if (s[i] != ':')
            continue;
        out->s[seg] = s + start;
        out->len[seg] = i - start;
        seg++;
        start = i + 1;
    }
    if (seg < IAM_ARN_SEGS - 1)
        return;
    out->s[seg] = s + start;
    out->len[seg] = n - start;
    out->ok = 1;
}

/* Is segment 'k' the literal text 'lit'? */
static int seg_is(const iam_tmpl *k, const char *lit)
{
    size_t n = strlen(lit);
    return !k->has_vars && k->n_cells == n && (n == 0 || k->n_toks == 1) &&
           (n == 0 || (k->toks[0].kind == IAM_TOK_LIT &&
                       memcmp(k->src + k->toks[0].off, lit, n) == 0));
}

int ddb_iamp_arnpat_compile(iam_arnpat *a, const char *src, size_t len, int vars,
                            const char **why)
{
    iam_tmpl whole;
    size_t caps[IAM_ARN_SEGS] = {0};
    int seg = 0;

    memset(a, 0, sizeof *a);
    if (len == 1 && src[0] == '*') {
        a->any = 1;
        return DDB_OK;
    }
    if (ddb_iamp_tmpl_compile(&whole, src, len, 1, vars, why) != DDB_OK)
        return DDB_ERR;
    for (int i = 0; i < IAM_ARN_SEGS; i++) {
        a->seg[i].src = src;
        a->seg[i].wild = 1;
    }
    /* Distribute the tokens over the segments, cutting literal runs at the
    ** first five colons (a colon inside ${...} is part of a key name). */
    for (size_t i = 0; i < whole.n_toks; i++) {
        iam_tok tok = whole.toks[i];
        if (tok.kind == IAM_TOK_LIT && seg < IAM_ARN_SEGS - 1) {
            size_t b = tok.off, e = tok.off + tok.len;
            for (size_t j = b; j < e && seg < IAM_ARN_SEGS - 1; j++) {
                if (src[j] != ':')
                    continue;
                if (j > b)
                    tok_push(&a->seg[seg], &caps[seg],
                             (iam_tok){IAM_TOK_LIT, b, j - b, 0, 0, 0});
                seg++;
                b = j + 1;
            }
            tok.off = b;
            tok.len = e - b;
            if (tok.len == 0)
                continue;
        }
        if (tok.kind == IAM_TOK_VAR)
            a->seg[seg].has_vars = 1;
        tok_push(&a->seg[seg], &caps[seg], tok);
    }
    ddb_iamp_tmpl_free(&whole);
    a->n_segs = seg + 1;
    for (int i = 0; i < a->n_segs; i++)
        precompute(&a->seg[i]);

    if (!seg_is(&a->seg[0], "arn")) {
        *why = "an ARN starts with 'arn:'";
        goto bad;
    }
    if (a->n_segs < IAM_ARN_SEGS) {
        const iam_tmpl *last = &a->seg[a->n_segs - 1];
        if (a->n_segs < 4 || last->n_toks == 0 ||
            last->toks[last->n_toks - 1].kind != IAM_TOK_STAR) {
            *why = "an ARN has six colon-separated parts "
                   "(arn:partition:service:region:account:resource)";
            goto bad;
        }
        a->extends = 1;
    }
    if (a->seg[1].n_toks == 0) {
        *why = "the partition part of an ARN cannot be empty";
        goto bad;
    }
    if (a->seg[2].n_toks == 0) {
        *why = "the service part of an ARN cannot be empty";
        goto bad;
    }
    for (size_t i = 0; i < a->seg[2].n_toks; i++) {
        if (a->seg[2].toks[i].kind != IAM_TOK_LIT) {
            *why = "no wildcard or policy variable is allowed in the service part "
                   "of an ARN";
            goto bad;
        }
    }
    return DDB_OK;
bad:
    ddb_iamp_arnpat_free(a);
    return DDB_ERR;
}

void ddb_iamp_arnpat_free(iam_arnpat *a)
{
    if (a == NULL)
        return;
    for (int i = 0; i < IAM_ARN_SEGS; i++)
        ddb_iamp_tmpl_free(&a->seg[i]);
    memset(a, 0, sizeof *a);
}

int ddb_iamp_arn_match(const iam_arnpat *p, const iam_arn *arn, const iam_ctx *ctx,
                       iam_cells *scratch)
{
    if (p->any)
        return 1;
    if (!arn->ok)
        return 0;
    for (int i = 0; i < p->n_segs; i++) {
        const int *cells;
        size_t n, slen = arn->len[i];
        if (p->extends && i == p->n_segs - 1)
            slen = (size_t)(arn->whole + arn->whole_len - arn->s[i]);
        if (!ddb_iamp_tmpl_cells(&p->seg[i], ctx, scratch, &cells, &n))
            return 0;
        if (!ddb_iamp_glob(cells, n, arn->s[i], slen, 0))
            return 0;
    }
    return 1;
}
