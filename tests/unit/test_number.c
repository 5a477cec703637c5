/* SPDX-License-Identifier: MIT
**
** test_number.c -- unit tests of emulator/core/number.c (include/ddb_number.h).
**
** Three parts: the table of cases in tests/unit/numbers.txt (its format is
** described at the top of that file), a few API edge cases that a table
** cannot express, and randomized property tests with a fixed seed: key
** encoding order == numeric order, prefix-freeness, decode(encode(x)) == x,
** format/parse round trips of many spellings, and exact arithmetic.
**
** Usage: test_number [path/to/numbers.txt]
** Without an argument the table is read from tests/unit/numbers.txt, so run
** it from the repository root.
*/
#include "check.h"
#include "ddb_number.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TABLE "tests/unit/numbers.txt"
#define TOKEN_MAX 4096
#define N_RANDOM 25000 /* numbers in the ordering property test */
#define N_PAIRS 200000 /* random pairs compared on top of the sorted check */
#define N_ARITH 20000  /* random additions/subtractions */
#define N_ORACLE 20000 /* additions checked against int64 arithmetic */
#define MAX_REPORTS 5  /* failure details printed per property */

/*---- small helpers ----*/

static int sgn(long v)
{
    return (v > 0) - (v < 0);
}

static int same_number(const ddb_number *a, const ddb_number *b)
{
    return a->sign == b->sign && a->exp == b->exp && a->ndigits == b->ndigits &&
           memcmp(a->digits, b->digits, (size_t)a->ndigits) == 0;
}

/* memcmp order of byte strings, a proper prefix first. */
static int key_cmp(const unsigned char *a, size_t alen, const unsigned char *b,
                   size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r != 0)
        return sgn(r);
    return (alen > blen) - (alen < blen);
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parse a number that a case needs as an operand; a failure fails the case. */
static int must_parse(const char *s, size_t len, ddb_number *out, const char *where)
{
    ddb_error err = DDB_ERROR_INIT;
    int rc = ddb_number_parse(s, len, out, &err);
    if (rc != DDB_OK)
        fprintf(stderr, "%s: operand '%.*s' does not parse: %s\n", where, (int)len, s,
                err.message ? err.message : "(no message)");
    ddb_err_clear(&err);
    return rc == DDB_OK;
}

/*---- the case table ----*/

typedef struct token {
    char s[TOKEN_MAX];
    size_t len;
    int quoted;
} token;

/* Expand every "[text*N]" in raw[0..n) into t (text repeated N times). */
static int expand_repeats(const char *raw, size_t n, token *t)
{
    t->len = 0;
    for (size_t i = 0; i < n;) {
        const char *star, *close;
        size_t tlen;
        long count;
        if (raw[i] != '[') {
            if (t->len + 1 >= TOKEN_MAX)
                return -1;
            t->s[t->len++] = raw[i++];
            continue;
        }
        star = memchr(raw + i, '*', n - i);
        close = memchr(raw + i, ']', n - i);
        if (star == NULL || close == NULL || star > close)
            return -1;
        tlen = (size_t)(star - (raw + i + 1));
        count = strtol(star + 1, NULL, 10);
        if (count < 0 || tlen * (size_t)count + t->len + 1 >= TOKEN_MAX)
            return -1;
        for (long k = 0; k < count; k++) {
            memcpy(t->s + t->len, raw + i + 1, tlen);
            t->len += tlen;
        }
        i = (size_t)(close - raw) + 1;
    }
    t->s[t->len] = '\0';
    return 0;
}

/* Read the token at *pp. Returns 1, 0 at the end of the line, -1 if malformed. */
static int read_token(const char **pp, token *t)
{
    char raw[TOKEN_MAX];
    size_t n = 0;
    const char *p = *pp;

    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return 0;
    t->quoted = *p == '"';
    if (t->quoted) {
        for (p++; *p != '\0' && *p != '"'; n++) {
            int c = (unsigned char)*p++;
            if (n + 1 >= TOKEN_MAX)
                return -1;
            if (c == '\\') {
                if (*p == '"' || *p == '\\') {
                    c = (unsigned char)*p++;
                } else if (*p == 'x' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
                    c = hex_value(p[1]) * 16 + hex_value(p[2]);
                    p += 3;
                } else {
                    return -1;
                }
            }
            raw[n] = (char)c;
        }
        if (*p++ != '"')
            return -1;
    } else {
        for (; *p != '\0' && *p != ' ' && *p != '\t'; n++) {
            if (n + 1 >= TOKEN_MAX)
                return -1;
            raw[n] = *p++;
        }
    }
    *pp = p;
    return expand_repeats(raw, n, t) == 0 ? 1 : -1;
}

static int is_word(const token *t, const char *w)
{
    return !t->quoted && strcmp(t->s, w) == 0;
}

/* One parsed line: op, up to two operands, and either an expected value
** ("->") or an expected error message ("!!"). */
typedef struct tcase {
    token op, arg[2], want;
    int nargs;
    int want_error;
} tcase;

static int parse_case(const char *line, tcase *c)
{
    const char *p = line;
    token t;
    int r;

    if (read_token(&p, &c->op) != 1)
        return -1;
    c->nargs = 0;
    for (;;) {
        if ((r = read_token(&p, &t)) != 1)
            return -1; /* no "->" or "!!" */
        if (is_word(&t, "->") || is_word(&t, "!!"))
            break;
        if (c->nargs == 2)
            return -1;
        c->arg[c->nargs++] = t;
    }
    c->want_error = is_word(&t, "!!");
    if (c->want_error) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            if (read_token(&p, &c->want) != 1)
                return -1;
        } else {
            size_t n = strlen(p);
            while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            if (expand_repeats(p, n, &c->want) != 0)
                return -1;
            p += strlen(p);
        }
    } else if (read_token(&p, &c->want) != 1) {
        return -1;
    }
    return read_token(&p, &t) == 0 ? 0 : -1; /* nothing may follow */
}

/* Check the outcome of a fallible call against "-> value" or "!! message". */
static void check_outcome(const tcase *c, const char *where, int rc, const ddb_error *err,
                          const ddb_number *result)
{
    char text[DDB_NUM_TEXT_MAX];

    if (c->want_error) {
        CHECK(where, rc == DDB_ERR && err->code == DDB_E_VALIDATION);
        CHECK_STR(where, rc == DDB_ERR ? err->message : "(succeeded)", c->want.s);
        return;
    }
    if (rc != DDB_OK) {
        CHECK_STR(where, err->message ? err->message : "(error without message)",
                  c->want.s);
        return;
    }
    ddb_number_format(result, text);
    CHECK_STR(where, text, c->want.s);
}

static void run_case(const tcase *c, const char *where)
{
    ddb_error err = DDB_ERROR_INIT;
    ddb_number a, b, r;
    const char *op = c->op.s;
    int rc;

    if (strcmp(op, "parse") == 0 && c->nargs == 1) {
        rc = ddb_number_parse(c->arg[0].s, c->arg[0].len, &r, &err);
        check_outcome(c, where, rc, &err, &r);
    } else if ((strcmp(op, "add") == 0 || strcmp(op, "sub") == 0) && c->nargs == 2) {
        if (!must_parse(c->arg[0].s, c->arg[0].len, &a, where) ||
            !must_parse(c->arg[1].s, c->arg[1].len, &b, where)) {
            CHECK(where, 0);
            return;
        }
        rc = op[0] == 'a' ? ddb_number_add(&a, &b, &r, &err)
                          : ddb_number_sub(&a, &b, &r, &err);
        check_outcome(c, where, rc, &err, &r);
    } else if (strcmp(op, "cmp") == 0 && c->nargs == 2 && !c->want_error) {
        char got[8];
        if (!must_parse(c->arg[0].s, c->arg[0].len, &a, where) ||
            !must_parse(c->arg[1].s, c->arg[1].len, &b, where)) {
            CHECK(where, 0);
            return;
        }
        snprintf(got, sizeof got, "%d", ddb_number_cmp(&a, &b));
        CHECK_STR(where, got, c->want.s);
    } else if (strcmp(op, "size") == 0 && c->nargs == 1 && !c->want_error) {
        char got[24];
        if (!must_parse(c->arg[0].s, c->arg[0].len, &a, where)) {
            CHECK(where, 0);
            return;
        }
        snprintf(got, sizeof got, "%zu", ddb_number_size(&a));
        CHECK_STR(where, got, c->want.s);
    } else if (strcmp(op, "key") == 0 && c->nargs == 1 && !c->want_error) {
        unsigned char key[DDB_NUM_KEY_MAX];
        char hex[2 * DDB_NUM_KEY_MAX + 1];
        size_t n;
        if (!must_parse(c->arg[0].s, c->arg[0].len, &a, where)) {
            CHECK(where, 0);
            return;
        }
        n = ddb_number_encode_key(&a, key);
        to_hex(key, n, hex);
        CHECK_STR(where, hex, c->want.s);
        CHECK(where, ddb_number_decode_key(key, n, &r) == n && same_number(&a, &r));
    } else if (strcmp(op, "decode") == 0 && c->nargs == 1 && !c->want_error) {
        unsigned char bytes[TOKEN_MAX / 2];
        char text[DDB_NUM_TEXT_MAX];
        size_t n = c->arg[0].len / 2, used;
        int ok = c->arg[0].len % 2 == 0;
        for (size_t i = 0; ok && i < n; i++) {
            int hi = hex_value(c->arg[0].s[2 * i]),
                lo = hex_value(c->arg[0].s[2 * i + 1]);
            ok = hi >= 0 && lo >= 0;
            bytes[i] = (unsigned char)(hi * 16 + lo);
        }
        if (!ok) {
            fprintf(stderr, "%s: bad hex\n", where);
            CHECK(where, 0);
            return;
        }
        used = ddb_number_decode_key(bytes, n, &r);
        if (used == 0) {
            CHECK_STR(where, "malformed", c->want.s);
        } else {
            ddb_number_format(&r, text);
            CHECK_STR(where, used == n ? text : "(did not consume every byte)",
                      c->want.s);
        }
    } else {
        fprintf(stderr, "%s: unknown case\n", where);
        CHECK(where, 0);
    }
    ddb_err_clear(&err);
}

/* Run every case of the table at 'path'; returns the number of cases run. */
static int run_table(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, cases = 0;

    if (f == NULL) {
        fprintf(stderr,
                "test_number: cannot open %s (run from the repository root, "
                "or pass the path of numbers.txt)\n",
                path);
        CHECK("case table readable", 0);
        return 0;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        char where[TOKEN_MAX + 64];
        const char *p = line;
        tcase c;

        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        snprintf(where, sizeof where, "%s:%d: %s", path, lineno, p);
        cases++;
        if (parse_case(p, &c) != 0) {
            fprintf(stderr, "%s: malformed case line\n", where);
            CHECK(where, 0);
            continue;
        }
        run_case(&c, where);
    }
    free(line);
    fclose(f);
    return cases;
}

/*---- edge cases of the API ----*/

static void test_api_edges(void)
{
    ddb_error err = DDB_ERROR_INIT;
    ddb_number n, z, one;
    unsigned char key[DDB_NUM_KEY_MAX + 8];
    char text[DDB_NUM_TEXT_MAX];
    size_t len;

    /* NULL with length 0 is the empty string. */
    CHECK("parse NULL fails", ddb_number_parse(NULL, 0, &n, &err) == DDB_ERR);
    CHECK_STR("parse NULL message", err.message,
              "The parameter cannot be converted to a numeric value");
    ddb_err_clear(&err);

    /* The length bounds the input: no NUL terminator needed, none read past. */
    CHECK("parse honours len", ddb_number_parse("12345", 2, &n, &err) == DDB_OK &&
                                   ddb_number_format(&n, text) == 2 &&
                                   strcmp(text, "12") == 0);
    /* An embedded NUL is not a digit. */
    CHECK("parse rejects NUL", ddb_number_parse("1\0002", 3, &n, &err) == DDB_ERR);
    ddb_err_clear(&err);

    /* First error wins: a later failure keeps the earlier message. */
    ddb_err_set(&err, DDB_E_VALIDATION, "%s", "earlier");
    CHECK("parse fails after earlier error",
          ddb_number_parse("x", 1, &n, &err) == DDB_ERR);
    CHECK_STR("first error wins", err.message, "earlier");
    ddb_err_clear(&err);

    /* A failed parse leaves *out alone; err may be NULL. */
    ddb_number_parse("7", 1, &n, NULL);
    CHECK("failed parse leaves out", ddb_number_parse("1e126", 5, &n, NULL) == DDB_ERR &&
                                         n.sign == 1 && n.exp == 1 && n.ndigits == 1);

    /* Zero is all zero bytes, whatever the spelling. */
    ddb_number_parse("-0.000e-5", 9, &z, NULL);
    CHECK("zero normalized", z.sign == 0 && z.exp == 0 && z.ndigits == 0);

    /* Keys are self-delimiting: trailing bytes are not consumed. */
    ddb_number_parse("-12.5", 5, &n, NULL);
    len = ddb_number_encode_key(&n, key);
    memcpy(key + len, "\x00\xff\x80\x81", 4);
    CHECK("decode stops at terminator",
          ddb_number_decode_key(key, len + 4, &one) == len && same_number(&one, &n));
    CHECK("decode NULL", ddb_number_decode_key(NULL, 5, &one) == 0);

    /* Arithmetic may write over an operand. */
    ddb_number_parse("2.5", 3, &n, NULL);
    ddb_number_parse("1", 1, &one, NULL);
    CHECK("add in place", ddb_number_add(&n, &one, &n, &err) == DDB_OK &&
                              ddb_number_format(&n, text) == 3 &&
                              strcmp(text, "3.5") == 0);
    CHECK("sub in place", ddb_number_sub(&n, &n, &n, &err) == DDB_OK && n.sign == 0);
    ddb_err_clear(&err);

    /* The longest text and the longest key fit their buffers. */
    ddb_number_parse("-1.2345678901234567890123456789012345678e-130", 45, &n, NULL);
    len = ddb_number_format(&n, text);
    CHECK("longest text fits",
          len == 170 && len < DDB_NUM_TEXT_MAX && strlen(text) == len);
    CHECK("longest key fits",
          ddb_number_encode_key(&n, key) == 22 && 22 <= DDB_NUM_KEY_MAX);
}

/*---- randomized property tests (fixed seed) ----*/

static uint64_t rng_state = 0x6464626400000001ULL; /* fixed: runs are reproducible */

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int rnd_below(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

static char rnd_digit(int nonzero)
{
    if (nonzero)
        return (char)('1' + rnd_below(9));
    return rnd_below(3) == 0 ? '0' : (char)('0' + rnd_below(10)); /* zeros are common */
}

/* Drop trailing zeros; an empty mantissa becomes zero. */
static void normalize(ddb_number *n)
{
    while (n->ndigits > 0 && n->digits[n->ndigits - 1] == '0')
        n->ndigits--;
    if (n->ndigits == 0)
        memset(n, 0, sizeof *n);
}

static void fresh_number(ddb_number *n, int exp)
{
    memset(n, 0, sizeof *n);
    n->sign = rnd_below(2) ? 1 : -1;
    n->exp = exp;
    n->ndigits = 1 + rnd_below(DDB_NUM_MAX_DIGITS);
    for (int i = 0; i < n->ndigits; i++)
        n->digits[i] = rnd_digit(i == 0 || i == n->ndigits - 1);
}

/* A random valid number; about half are mutations of earlier ones, so that
** equal exponents, shared digit prefixes and exact negations are common. */
static void random_number(ddb_number *n, const ddb_number *pool, int npool)
{
    int r = rnd_below(100);

    if (r < 4) {
        memset(n, 0, sizeof *n);
    } else if (r < 10) { /* the extremes: 1E-130 .. 9.99..9E+125 */
        fresh_number(n, rnd_below(2) ? -129 : 126);
        if (rnd_below(3) == 0) {
            n->ndigits = n->exp > 0 ? DDB_NUM_MAX_DIGITS : 1;
            memset(n->digits, n->exp > 0 ? '9' : '1', (size_t)n->ndigits);
        }
    } else if (r < 55 && npool > 0) {
        const ddb_number *src = &pool[rnd_below(npool)];
        *n = *src;
        if (n->sign == 0)
            fresh_number(n, -129 + rnd_below(256));
        switch (rnd_below(6)) {
            case 0: /* a prefix of the digits */
                n->ndigits = 1 + rnd_below(n->ndigits);
                break;
            case 1: /* more digits */
                while (n->ndigits < DDB_NUM_MAX_DIGITS && rnd_below(4) != 0)
                    n->digits[n->ndigits++] = rnd_digit(0);
                n->digits[n->ndigits - 1] = rnd_digit(1);
                break;
            case 2: /* another last digit */
                n->digits[n->ndigits - 1] = rnd_digit(n->ndigits == 1);
                break;
            case 3: /* the negation */
                n->sign = -n->sign;
                break;
            case 4: /* a neighbouring exponent */
                n->exp += rnd_below(2) ? 1 : -1;
                if (n->exp > 126 || n->exp < -129)
                    n->exp = src->exp;
                break;
            default: /* one digit changed */
                n->digits[rnd_below(n->ndigits)] = rnd_digit(0);
                n->digits[0] = n->digits[0] == '0' ? '1' : n->digits[0];
                break;
        }
        normalize(n);
    } else {
        fresh_number(n, -129 + rnd_below(256));
    }
}

/* Write x as some other valid spelling: leading zeros, trailing zeros, a
** moved point, an exponent in 'e' or 'E', a '+' sign. Returns the length. */
static size_t respell(const ddb_number *x, char *out)
{
    size_t k = 0;
    int z = rnd_below(4) ? 0 : rnd_below(20), q = rnd_below(4) ? 0 : rnd_below(20);
    int total, point, e;

    if (x->sign < 0)
        out[k++] = '-';
    else if (rnd_below(5) == 0)
        out[k++] = '+';
    if (x->sign == 0) { /* digits 0, a few fraction zeros, a modest exponent */
        int f = rnd_below(4);
        out[k++] = '0';
        if (f > 0) {
            out[k++] = '.';
            memset(out + k, '0', (size_t)f);
            k += (size_t)f;
        }
        if (rnd_below(2))
            k += (size_t)sprintf(out + k, "e%d", rnd_below(201) - 100);
        out[k] = '\0';
        return k;
    }
    /* "0"*z + digits + "0"*q with the point after 'point' characters: the
    ** first significant digit is then worth 10^(point - z - 1) x 10^e. */
    total = z + x->ndigits + q;
    point = rnd_below(total + 1);
    e = x->exp - point + z;
    for (int i = 0; i < total; i++) {
        if (i == point)
            out[k++] = '.';
        out[k++] = i < z || i >= z + x->ndigits ? '0' : x->digits[i - z];
    }
    if (point == total && rnd_below(3) == 0)
        out[k++] = '.';
    if (e != 0 || rnd_below(4) == 0)
        k += (size_t)sprintf(out + k, "%s%s%d", rnd_below(2) ? "e" : "E",
                             e >= 0 && rnd_below(2) ? "+" : "", e);
    out[k] = '\0';
    return k;
}

typedef struct keyed {
    ddb_number n;
    unsigned char key[DDB_NUM_KEY_MAX];
    size_t len;
} keyed;

static int by_number(const void *a, const void *b)
{
    return ddb_number_cmp(&((const keyed *)a)->n, &((const keyed *)b)->n);
}

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    return key_cmp(x->key, x->len, y->key, y->len);
}

static void report(int *count, const char *what, const ddb_number *a, const ddb_number *b)
{
    char ta[DDB_NUM_TEXT_MAX], tb[DDB_NUM_TEXT_MAX] = "";
    if ((*count)++ >= MAX_REPORTS)
        return;
    ddb_number_format(a, ta);
    if (b != NULL)
        ddb_number_format(b, tb);
    fprintf(stderr, "  %s: %s %s\n", what, ta, tb);
}

static void test_properties(void)
{
    keyed *v = calloc(N_RANDOM, sizeof *v);
    ddb_number *pool = calloc(N_RANDOM, sizeof *pool);
    int bad_round = 0, bad_len = 0, bad_prefix_decode = 0, bad_text = 0, bad_spell = 0;
    int bad_order = 0, bad_pairs = 0, bad_prefix = 0, n_zero = 0, n_equal = 0;

    if (v == NULL || pool == NULL)
        abort();
    for (int i = 0; i < N_RANDOM; i++) {
        ddb_error err = DDB_ERROR_INIT;
        unsigned char buf[DDB_NUM_KEY_MAX + 4];
        char text[DDB_NUM_TEXT_MAX], spelled[512];
        ddb_number back;
        size_t tlen, slen;

        random_number(&v[i].n, pool, i);
        pool[i] = v[i].n;
        n_zero += v[i].n.sign == 0;

        /* decode(encode(x)) == x, also with bytes following the key */
        v[i].len = ddb_number_encode_key(&v[i].n, v[i].key);
        if (v[i].len < 1 || v[i].len > DDB_NUM_KEY_MAX)
            report(&bad_len, "key length", &v[i].n, NULL);
        memcpy(buf, v[i].key, v[i].len);
        memcpy(buf + v[i].len, "\x00\xff\x01\x64", 4);
        if (ddb_number_decode_key(buf, v[i].len + 4, &back) != v[i].len ||
            !same_number(&back, &v[i].n))
            report(&bad_round, "decode(encode(x))", &v[i].n, &back);
        /* no proper prefix of a key decodes */
        for (size_t p = 0; p < v[i].len; p++)
            if (ddb_number_decode_key(v[i].key, p, &back) != 0)
                report(&bad_prefix_decode, "a key prefix decodes", &v[i].n, NULL);

        /* format -> parse is the identity */
        tlen = ddb_number_format(&v[i].n, text);
        if (tlen >= DDB_NUM_TEXT_MAX || strlen(text) != tlen ||
            ddb_number_parse(text, tlen, &back, &err) != DDB_OK ||
            !same_number(&back, &v[i].n))
            report(&bad_text, "parse(format(x))", &v[i].n, NULL);
        ddb_err_clear(&err);

        /* another spelling of x parses to x */
        slen = respell(&v[i].n, spelled);
        if (ddb_number_parse(spelled, slen, &back, &err) != DDB_OK ||
            !same_number(&back, &v[i].n)) {
            if (bad_spell < MAX_REPORTS)
                fprintf(stderr, "  spelling '%s': %s\n", spelled,
                        err.message ? err.message : "wrong value");
            bad_spell++;
        }
        ddb_err_clear(&err);
    }
    CHECK("property: decode(encode(x)) == x, self-delimiting", bad_round == 0);
    CHECK("property: key length within DDB_NUM_KEY_MAX", bad_len == 0);
    CHECK("property: no proper prefix of a key decodes", bad_prefix_decode == 0);
    CHECK("property: parse(format(x)) == x", bad_text == 0);
    CHECK("property: other spellings parse to the same number", bad_spell == 0);

    /* Sorted by ddb_number_cmp, neighbours compare the same way by key. Both
    ** are total orders, so agreement on neighbours is agreement everywhere. */
    qsort(v, N_RANDOM, sizeof *v, by_number);
    for (int i = 0; i + 1 < N_RANDOM; i++) {
        int c = ddb_number_cmp(&v[i].n, &v[i + 1].n);
        n_equal += c == 0;
        if (key_cmp(v[i].key, v[i].len, v[i + 1].key, v[i + 1].len) != c)
            report(&bad_order, "key order differs", &v[i].n, &v[i + 1].n);
    }
    CHECK("property: memcmp order of keys == ddb_number_cmp order", bad_order == 0);
    for (int i = 0; i < N_PAIRS; i++) {
        const keyed *a = &v[rnd_below(N_RANDOM)], *b = &v[rnd_below(N_RANDOM)];
        if (key_cmp(a->key, a->len, b->key, b->len) != ddb_number_cmp(&a->n, &b->n))
            report(&bad_pairs, "key order differs (pair)", &a->n, &b->n);
    }
    CHECK("property: random pairs order the same by key and by value", bad_pairs == 0);

    /* Prefix-free: in memcmp order a key that is a proper prefix of another
    ** would be followed by one that extends it. */
    qsort(v, N_RANDOM, sizeof *v, by_key);
    for (int i = 0; i + 1 < N_RANDOM; i++)
        if (v[i].len < v[i + 1].len && memcmp(v[i].key, v[i + 1].key, v[i].len) == 0)
            report(&bad_prefix, "key is a prefix of another", &v[i].n, &v[i + 1].n);
    CHECK("property: no key is a proper prefix of another", bad_prefix == 0);

    printf("ordering: %d numbers (%d zeros, %d equal neighbours), %d random pairs\n",
           N_RANDOM, n_zero, n_equal, N_PAIRS);
    free(v);
    free(pool);
}

/* a + b in every way the API allows, checked against itself: commutativity,
** a - b == -(b - a), (a + b) - b == a, (a - b) + b == a, and the order. */
static void test_arith_properties(void)
{
    ddb_number *pool = calloc(N_ARITH, sizeof *pool);
    int bad = 0, ok_add = 0, ok_sub = 0;

    if (pool == NULL)
        abort();
    for (int i = 0; i < N_ARITH; i++) {
        ddb_error e1 = DDB_ERROR_INIT, e2 = DDB_ERROR_INIT, e3 = DDB_ERROR_INIT;
        ddb_number a, b, s1, s2, d1, d2, back;
        int r1, r2, r3, r4;

        random_number(&a, pool, i);
        pool[i] = a;
        /* b near a in magnitude, or anything */
        random_number(&b, pool, i + 1);
        if (rnd_below(2) && a.sign != 0 && b.sign != 0) {
            b.exp = a.exp - rnd_below(12);
            if (b.exp < -129)
                b.exp = -129;
        }

        r1 = ddb_number_add(&a, &b, &s1, &e1);
        r2 = ddb_number_add(&b, &a, &s2, &e2);
        if (r1 != r2 ||
            (r1 == DDB_OK ? !same_number(&s1, &s2) : strcmp(e1.message, e2.message) != 0))
            report(&bad, "a + b != b + a", &a, &b);
        if (r1 == DDB_OK) {
            ok_add++;
            if (ddb_number_sub(&s1, &b, &back, &e3) != DDB_OK || !same_number(&back, &a))
                report(&bad, "(a + b) - b != a", &a, &b);
            if (ddb_number_cmp(&s1, &a) != b.sign)
                report(&bad, "a + b not ordered by b's sign", &a, &b);
        }
        ddb_err_clear(&e1);
        ddb_err_clear(&e2);
        ddb_err_clear(&e3);

        r3 = ddb_number_sub(&a, &b, &d1, &e1);
        r4 = ddb_number_sub(&b, &a, &d2, &e2);
        d2.sign = -d2.sign;
        if (r3 != r4 || (r3 == DDB_OK && !same_number(&d1, &d2)))
            report(&bad, "a - b != -(b - a)", &a, &b);
        if (r3 == DDB_OK) {
            ok_sub++;
            if (ddb_number_add(&d1, &b, &back, &e3) != DDB_OK || !same_number(&back, &a))
                report(&bad, "(a - b) + b != a", &a, &b);
        }
        ddb_err_clear(&e1);
        ddb_err_clear(&e2);
        ddb_err_clear(&e3);
    }
    CHECK("property: arithmetic identities", bad == 0);
    /* guard against a vacuous test: a good share of the sums must be exact */
    CHECK("property: arithmetic exercised", ok_add > N_ARITH / 5 && ok_sub > N_ARITH / 5);
    printf("arithmetic: %d pairs, %d sums and %d differences representable\n", N_ARITH,
           ok_add, ok_sub);
    free(pool);
}

/* Sums and differences of integers below 2^62 against int64 arithmetic. */
static void test_arith_oracle(void)
{
    int bad = 0;

    for (int i = 0; i < N_ORACLE; i++) {
        int64_t x = (int64_t)(rnd() >> (2 + rnd_below(60))) * (rnd_below(2) ? 1 : -1);
        int64_t y = (int64_t)(rnd() >> (2 + rnd_below(60))) * (rnd_below(2) ? 1 : -1);
        char sx[32], sy[32], want[32], got[DDB_NUM_TEXT_MAX];
        ddb_number a, b, r;
        int sub = rnd_below(2);

        snprintf(sx, sizeof sx, "%lld", (long long)x);
        snprintf(sy, sizeof sy, "%lld", (long long)y);
        snprintf(want, sizeof want, "%lld", (long long)(sub ? x - y : x + y));
        if (ddb_number_parse(sx, strlen(sx), &a, NULL) != DDB_OK ||
            ddb_number_parse(sy, strlen(sy), &b, NULL) != DDB_OK ||
            (sub ? ddb_number_sub(&a, &b, &r, NULL) : ddb_number_add(&a, &b, &r, NULL)) !=
                DDB_OK) {
            bad++;
            continue;
        }
        ddb_number_format(&r, got);
        if (strcmp(got, want) != 0 && bad++ < MAX_REPORTS)
            fprintf(stderr, "  %s %c %s = %s, want %s\n", sx, sub ? '-' : '+', sy, got,
                    want);
    }
    CHECK("property: integer sums agree with int64 arithmetic", bad == 0);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : DEFAULT_TABLE;
    int cases = run_table(path);

    printf("table: %d cases from %s\n", cases, path);
    test_api_edges();
    test_properties();
    test_arith_properties();
    test_arith_oracle();
    return CHECK_REPORT();
}
