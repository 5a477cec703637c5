/* SPDX-License-Identifier: MIT
**
** expr_parse.c -- recursive-descent parser of the five expression kinds,
** one function per precedence level (parse_or -> parse_and -> parse_not ->
** parse_primary -> comparison_tail -> parse_operand), plus the update and
** projection entry points, and the arena the trees live in.
**
** Syntax only: names, values, functions and types are the resolve pass's
** business (expr_resolve.c). Two errors are reported here: syntax errors,
** as DynamoDB words them -- the token where no rule can continue and the
** source text from the token before it to the token after it:
**     Syntax error; token: "<tok>", near: "<prev tok ... next tok>"
** -- and parentheses directly around parentheses, which DynamoDB rejects as
** soon as it reads the outer pair ("The expression has redundant
** parentheses;"). Recursion is capped at XP_MAX_NEST levels.
**
** Grammar (keywords case-insensitive; a '(' that opens a condition or an
** operand is decided after its ')', so no backtracking is needed):
**   condition  := and ('OR' and)*
**   and        := not ('AND' not)*
**   not        := 'NOT' not | primary
**   primary    := '(' condition-or-operand ')' [tail] | operand tail
**   tail       := cmp operand | 'BETWEEN' operand 'AND' operand
**               | 'IN' '(' operand (',' operand)* ')' | <nothing after a call>
**   operand    := ':v' | path | name '(' operand (',' operand)* ')' | '(' operand ')'
**   path       := (name | '#n') ('.' (name | '#n') | '[' int ']')*
**   update     := clause+ ; clause := 'SET' set (',' set)* | 'REMOVE' path (',' path)*
**               | ('ADD' | 'DELETE') path ':v' (',' path ':v')*
**   set        := path '=' value ; value := '(' value ')' [('+'|'-') operand]
**               | operand [('+'|'-') operand]
**   projection := path (',' path)*
*/
#include "expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*---- arena ----*/

struct xarena_chunk {
    xarena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define XP_CHUNK 8192

void *ddb_xp_alloc(xarena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0)
        n = sizeof(max_align_t);
    xarena_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > XP_CHUNK ? n : XP_CHUNK;
        c = ddb_xmalloc(sizeof *c + cap);
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *ddb_xp_strndup(xarena *a, const char *s, size_t n)
{
    char *d = ddb_xp_alloc(a, n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void ddb_xp_arena_free(xarena *a)
{
    xarena_chunk *c = a->head;
    while (c) {
        xarena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

/*---- parser state ----*/

enum { FAIL_NONE, FAIL_SYNTAX, FAIL_REDUNDANT };

typedef struct xparser {
    ddb_expr *e;
    const xtok *t;
    size_t n; /* tokens, the final TK_EOF included */
    size_t pos;
    int depth;
    int failed; /* FAIL_* */
    size_t fail_at;
} xparser;

/* A growable array of pointers, copied into the arena when complete. */
typedef struct ptrvec {
    void **v;
    size_t n, cap;
} ptrvec;

static void vec_push(ptrvec *v, void *p)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 4;
        v->v = ddb_xrealloc(v->v, v->cap * sizeof *v->v);
    }
    v->v[v->n++] = p;
}

static void **vec_finish(xparser *p, ptrvec *v)
{
    void **out = ddb_xp_alloc(&p->e->arena, (v->n ? v->n : 1) * sizeof *out);
    if (v->n)
        memcpy(out, v->v, v->n * sizeof *out);
    free(v->v);
    v->v = NULL;
    return out;
}

static int peek(const xparser *p)
{
    return p->t[p->pos].type;
}

static int peek2(const xparser *p)
{
    return p->pos + 1 < p->n ? p->t[p->pos + 1].type : TK_EOF;
}

static size_t next(xparser *p)
{
    size_t at = p->pos;
    if (p->pos + 1 < p->n)
        p->pos++;
    return at;
}

/* Syntax error at the current token; returns NULL for the callers. */
static void *fail(xparser *p)
{
    if (!p->failed) {
        p->failed = FAIL_SYNTAX;
        p->fail_at = p->pos;
    }
    return NULL;
}

static int expect(xparser *p, int type)
{
    if (peek(p) != type) {
        fail(p);
        return 0;
    }
    next(p);
    return 1;
}

static int enter(xparser *p)
{
    if (++p->depth > XP_MAX_NEST) {
        fail(p);
        return 0;
    }
    return 1;
}

static xnode *new_node(xparser *p, int kind, size_t tok, size_t n_kids)
{
    xnode *nd = ddb_xp_alloc(&p->e->arena, sizeof *nd);
    nd->kind = (uint8_t)kind;
    nd->tok = (uint32_t)tok;
    nd->n_kids = (uint32_t)n_kids;
    if (n_kids)
        nd->kids = ddb_xp_alloc(&p->e->arena, n_kids * sizeof *nd->kids);
    return nd;
}

static xnode *node2(xparser *p, int kind, size_t tok, xnode *a, xnode *b)
{
    xnode *nd = new_node(p, kind, tok, 2);
    nd->kids[0] = a;
    nd->kids[1] = b;
    return nd;
}

/* Parentheses around 'inner'; parentheses directly inside parentheses are
** an error the moment the outer ones close. */
static xnode *paren(xparser *p, size_t open, xnode *inner)
{
    if (inner->kind == XN_PAREN) {
        if (!p->failed) {
            p->failed = FAIL_REDUNDANT;
            p->fail_at = open;
        }
        return NULL;
    }
    xnode *nd = new_node(p, XN_PAREN, open, 1);
    nd->kids[0] = inner;
    return nd;
}

/*---- paths and operands ----*/

static int is_path_start(int type)
{
    return type == TK_NAME || type == TK_HASH;
}

static xpath *parse_path_elems(xparser *p)
{
    if (!is_path_start(peek(p)))
        return fail(p);
    xelem buf[8], *el = buf;
    size_t n = 0, cap = 8;
    int ok = 1;
    for (;;) {
        xelem x = {0};
        if (n == 0 || peek(p) == TK_DOT) {
            if (n > 0)
                next(p);
            if (!is_path_start(peek(p))) {
                ok = 0;
                fail(p);
                break;
            }
            const xtok *t = &p->t[p->pos];
            x.name = p->e->text + t->start;
            x.len = t->len;
            x.is_ph = t->type == TK_HASH;
            x.tok = (uint32_t)next(p);
        } else if (peek(p) == TK_LB) {
            next(p);
            if (peek(p) != TK_INT) {
                ok = 0;
                fail(p);
                break;
            }
            const xtok *t = &p->t[p->pos];
            uint64_t v = 0;
            for (uint32_t i = 0; i < t->len && v <= UINT32_MAX; i++)
                v = v * 10 + (uint64_t)(p->e->text[t->start + i] - '0');
            x.index = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
            x.is_index = 1;
            x.tok = (uint32_t)next(p);
            if (!expect(p, TK_RB)) {
                ok = 0;
                break;
            }
        } else {
            break;
        }
        if (n == cap) {
            cap *= 2;
            if (el == buf) {
                el = ddb_xmalloc(cap * sizeof *el);
                memcpy(el, buf, n * sizeof *el);
            } else {
                el = ddb_xrealloc(el, cap * sizeof *el);
            }
        }
        el[n++] = x;
    }
    xpath *path = NULL;
    if (ok) {
        path = ddb_xp_alloc(&p->e->arena, sizeof *path);
        path->el = ddb_xp_alloc(&p->e->arena, n * sizeof *path->el);
        memcpy(path->el, el, n * sizeof *el);
        path->n = (uint32_t)n;
    }
    if (el != buf)
        free(el);
    return path;
}

static xnode *parse_path(xparser *p)
{
    size_t tok = p->pos;
    xpath *path = parse_path_elems(p);
    if (path == NULL)
        return NULL;
    xnode *nd = new_node(p, XN_PATH, tok, 0);
    nd->path = path;
    return nd;
}

static xnode *value_node(xparser *p)
{
    const xtok *t = &p->t[p->pos];
    xnode *nd = new_node(p, XN_VALUE, next(p), 0);
    nd->text = p->e->text + t->start;
    nd->text_len = t->len;
    return nd;
}

static xnode *parse_operand(xparser *p);

/* name '(' operand (',' operand)* ')' -- any name: unknown functions are
** the resolve pass's "Invalid function name". */
static xnode *parse_call(xparser *p)
{
    const xtok *t = &p->t[p->pos];
    size_t tok = next(p);
    next(p); /* '(' */
    if (!enter(p))
        return NULL;
    ptrvec args = {0};
    xnode *arg;
    for (;;) {
        if ((arg = parse_operand(p)) == NULL)
            break;
        vec_push(&args, arg);
        if (peek(p) != TK_COMMA)
            break;
        next(p);
    }
    p->depth--;
    if (arg == NULL || !expect(p, TK_RP)) {
        free(args.v);
        return NULL;
    }
    xnode *nd = new_node(p, XN_CALL, tok, 0);
    nd->n_kids = (uint32_t)args.n;
    nd->kids = (xnode **)vec_finish(p, &args);
    nd->text = p->e->text + t->start;
    nd->text_len = t->len;
    nd->fn = (uint8_t)ddb_xp_function(nd->text, nd->text_len);
    return nd;
}

static xnode *parse_operand(xparser *p)
{
    switch (peek(p)) {
        case TK_COLON: return value_node(p);
        case TK_LP: {
            size_t open = next(p);
            if (!enter(p))
                return NULL;
            xnode *inner = parse_operand(p);
            p->depth--;
            if (inner == NULL || !expect(p, TK_RP))
                return NULL;
            return paren(p, open, inner);
        }
        case TK_NAME:
            if (peek2(p) == TK_LP)
                return parse_call(p);
            return parse_path(p);
        case TK_HASH: return parse_path(p);
        default: return fail(p);
    }
}

/*---- conditions ----*/

static int is_cmp(int type)
{
    return type == TK_EQ || type == TK_NE || type == TK_LT || type == TK_LE ||
           type == TK_GT || type == TK_GE;
}

/* A node that can only be an operand (a call is both). */
static int is_bare(const xnode *n)
{
    n = ddb_xp_unwrap((xnode *)n);
    return n->kind == XN_PATH || n->kind == XN_VALUE;
}

static int is_operand_kind(const xnode *n)
{
    return n->kind == XN_PATH || n->kind == XN_VALUE || n->kind == XN_CALL ||
           (n->kind == XN_PAREN && is_operand_kind(n->kids[0]));
}

/* What may follow an operand in a condition. With 'bare_ok' (the first
** thing inside parentheses) a lone operand is returned for the caller. */
static xnode *comparison_tail(xparser *p, xnode *left, int bare_ok)
{
    int type = peek(p);
    if (is_cmp(type)) {
        size_t tok = next(p);
        xnode *right = parse_operand(p);
        if (right == NULL)
            return NULL;
        xnode *nd = node2(p, XN_CMP, tok, left, right);
        nd->op = (uint8_t)type;
        return nd;
    }
    if (type == TK_BETWEEN) {
        size_t tok = next(p);
        xnode *lo = parse_operand(p), *hi;
        if (lo == NULL || !expect(p, TK_AND) || (hi = parse_operand(p)) == NULL)
            return NULL;
        xnode *nd = new_node(p, XN_BETWEEN, tok, 3);
        nd->kids[0] = left;
        nd->kids[1] = lo;
        nd->kids[2] = hi;
        return nd;
    }
    if (type == TK_IN) {
        size_t tok = next(p);
        if (!expect(p, TK_LP))
            return NULL;
        ptrvec list = {0};
        vec_push(&list, left);
        xnode *o;
        for (;;) {
            if ((o = parse_operand(p)) == NULL)
                break;
            vec_push(&list, o);
            if (peek(p) != TK_COMMA)
                break;
            next(p);
        }
        if (o == NULL || !expect(p, TK_RP)) {
            free(list.v);
            return NULL;
        }
        xnode *nd = new_node(p, XN_IN, tok, 0);
        nd->n_kids = (uint32_t)list.n;
        nd->kids = (xnode **)vec_finish(p, &list);
        return nd;
    }
    if (bare_ok || ddb_xp_unwrap(left)->kind == XN_CALL)
        return left; /* a function call is a condition by itself */
    return fail(p);
}

static xnode *parse_or(xparser *p, int bare_ok);

static xnode *parse_primary(xparser *p, int bare_ok)
{
    if (peek(p) != TK_LP) {
        xnode *left = parse_operand(p);
        return left ? comparison_tail(p, left, bare_ok) : NULL;
    }
    size_t open = next(p);
    if (!enter(p))
        return NULL;
    xnode *inner = parse_or(p, 1);
    p->depth--;
    if (inner == NULL || !expect(p, TK_RP))
        return NULL;
    xnode *nd = paren(p, open, inner);
    if (nd == NULL)
        return NULL;
    if (is_operand_kind(inner))
        return comparison_tail(p, nd, bare_ok);
    return nd;
}

static xnode *parse_not(xparser *p, int bare_ok)
{
    if (peek(p) != TK_NOT)
        return parse_primary(p, bare_ok);
    size_t tok = next(p);
    if (!enter(p))
        return NULL;
    xnode *a = parse_not(p, 0);
    p->depth--;
    if (a == NULL)
        return NULL;
    xnode *nd = new_node(p, XN_NOT, tok, 1);
    nd->kids[0] = a;
    return nd;
}

static xnode *parse_and(xparser *p, int bare_ok)
{
    xnode *left = parse_not(p, bare_ok);
    while (left && peek(p) == TK_AND) {
        if (is_bare(left))
            return fail(p);
        size_t tok = next(p);
        xnode *right = parse_not(p, 0);
        left = right ? node2(p, XN_AND, tok, left, right) : NULL;
    }
    return left;
}

static xnode *parse_or(xparser *p, int bare_ok)
{
    xnode *left = parse_and(p, bare_ok);
    while (left && peek(p) == TK_OR) {
        if (is_bare(left))
            return fail(p);
        size_t tok = next(p);
        xnode *right = parse_and(p, 0);
        left = right ? node2(p, XN_OR, tok, left, right) : NULL;
    }
    return left;
}

/*---- updates ----*/

static xnode *parse_set_value(xparser *p)
{
    xnode *left;
    if (peek(p) == TK_LP) {
        size_t open = next(p);
        if (!enter(p))
            return NULL;
        xnode *inner = parse_set_value(p);
        p->depth--;
        if (inner == NULL || !expect(p, TK_RP))
            return NULL;
        if ((left = paren(p, open, inner)) == NULL)
            return NULL;
        if (inner->kind == XN_ARITH)
            return left;
    } else if ((left = parse_operand(p)) == NULL) {
        return NULL;
    }
    int type = peek(p);
    if (type != TK_PLUS && type != TK_MINUS)
        return left;
    size_t tok = next(p);
    xnode *right = parse_operand(p);
    if (right == NULL)
        return NULL;
    xnode *nd = node2(p, XN_ARITH, tok, left, right);
    nd->op = (uint8_t)type;
    return nd;
}

static int parse_update(xparser *p)
{
    ddb_expr *e = p->e;
    size_t cap = 0;
    uint16_t clause = 0;
    do {
        int kw = peek(p);
        if (kw != TK_SET && kw != TK_REMOVE && kw != TK_ADD && kw != TK_DELETE) {
            fail(p);
            return 0;
        }
        next(p);
        for (;;) {
            xaction a = {0};
            a.clause = clause;
            a.kind = kw == TK_SET      ? XA_SET
                     : kw == TK_REMOVE ? XA_REMOVE
                     : kw == TK_ADD    ? XA_ADD
                                       : XA_DELETE;
            if ((a.path = parse_path_elems(p)) == NULL)
                return 0;
            if (kw == TK_SET) {
                if (!expect(p, TK_EQ) || (a.value = parse_set_value(p)) == NULL)
                    return 0;
            } else if (kw != TK_REMOVE) {
                if (peek(p) != TK_COLON) {
                    fail(p);
                    return 0;
                }
                a.value = value_node(p);
            }
            if (e->n_actions == cap) {
                /* actions are few (the text is at most 4 KB): regrow in the arena */
                size_t ncap = cap ? 2 * cap : 8;
                xaction *na = ddb_xp_alloc(&e->arena, ncap * sizeof *na);
                if (e->n_actions)
                    memcpy(na, e->actions, e->n_actions * sizeof *na);
                e->actions = na;
                cap = ncap;
            }
            e->actions[e->n_actions++] = a;
            if (peek(p) != TK_COMMA)
                break;
            next(p);
        }
        clause++;
    } while (peek(p) != TK_EOF);
    return 1;
}

/*---- projections ----*/

static int parse_projection(xparser *p)
{
    ptrvec paths = {0};
    for (;;) {
        xpath *path = parse_path_elems(p);
        if (path == NULL) {
            free(paths.v);
            return 0;
        }
        vec_push(&paths, path);
        if (peek(p) != TK_COMMA)
            break;
        next(p);
    }
    p->e->n_paths = paths.n;
    p->e->paths = (xpath **)vec_finish(p, &paths);
    return 1;
}

/*---- entry ----*/

/* The error text for a failed parse (new string). */
static char *failure_text(const xparser *p)
{
    if (p->failed == FAIL_REDUNDANT)
        return ddb_xstrdup("The expression has redundant parentheses;");
    const ddb_expr *e = p->e;
    size_t at = p->fail_at, last = p->n - 1;
    const xtok *t = &p->t[at];
    size_t from = at > 0 ? p->t[at - 1].start : t->start;
    size_t to = at < last ? p->t[at + 1].start + p->t[at + 1].len : e->text_len;
    if (at + 1 == last)
        to = e->text_len; /* the window runs to the end when EOF follows */
    ddb_buf b = DDB_BUF_INIT;
    ddb_buf_puts(&b, "Syntax error; token: \"");
    if (t->type == TK_EOF)
        ddb_buf_puts(&b, "<EOF>");
    else
        ddb_buf_append(&b, e->text + t->start, t->len);
    ddb_buf_puts(&b, "\", near: \"");
    if (to > from)
        ddb_buf_append(&b, e->text + from, to - from);
    ddb_buf_puts(&b, "\"");
    return ddb_buf_steal(&b, NULL);
}

int ddb_xp_parse(ddb_expr *e, char **msg)
{
    xparser p = {0};
    p.e = e;
    e->toks = ddb_xp_lex(e->text, e->text_len, &e->n_toks);
    p.t = e->toks;
    p.n = e->n_toks;
    int ok;
    switch (e->kind) {
        case DDB_EXPR_UPDATE: ok = parse_update(&p); break;
        case DDB_EXPR_PROJECTION: ok = parse_projection(&p); break;
        default:
            e->root = parse_or(&p, 0);
            ok = e->root != NULL;
            break;
    }
    if (ok && peek(&p) != TK_EOF)
        fail(&p);
    if (p.failed) {
        *msg = failure_text(&p);
        return DDB_ERR;
    }
    return DDB_OK;
}

xnode *ddb_xp_unwrap(xnode *n)
{
    while (n && n->kind == XN_PAREN)
        n = n->kids[0];
    return n;
}
