/* SPDX-License-Identifier: MIT
**
** test_attr.c -- unit tests of emulator/core/attr.c (include/ddb_attr.h).
**
** Three parts: the table of cases in tests/unit/attr_cases.txt (its format is
** described at the top of that file: validation texts and canonicalisation,
** sizes, equality, order, key bytes), API edge cases that a table cannot
** express, and randomized property tests with a fixed seed over S, B and N
** key values: memcmp order of ddb_attr_encode_key == DynamoDB's order (checked
** against an oracle written here, not against attr.c), encodings are
** prefix-free, and enc(a)||enc(b) orders like (a, b) -- how composite keys
** are built.
**
** Usage: test_attr [path/to/attr_cases.txt]
** Without an argument the table is read from tests/unit/attr_cases.txt, so
** run it from the repository root.
*/
#include "check.h"
#include "ddb_attr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TABLE "tests/unit/attr_cases.txt"
#define N_KEYS 20000      /* random values per type (S, B, N) in the ordering test */
#define N_PAIRS 100000    /* random pairs per type compared on top of the sorted check */
#define N_COMPOSITE 2500  /* composite keys per (type, type) combination: 9 x 2500 */
#define N_COMP_PAIRS 20000 /* random pairs of composite keys per combination */
#define MAX_REPORTS 5     /* failure details printed per property */

/*---- small helpers ----*/

static int sgn(long v)
{
    return (v > 0) - (v < 0);
}

/* memcmp order of byte strings, a proper prefix first; -1, 0 or 1. */
static int bytes_order(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
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

/* Compact JSON text of v (new string) for failure messages. */
static char *dump(const json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    return s ? s : ddb_xstrdup("(null)");
}

static json_t *parse_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_ALLOW_NUL, &jerr);
    if (v == NULL) {
        fprintf(stderr, "bad JSON in test: %s: %s\n", text, jerr.text);
        abort();
    }
    return v;
}

/*---- the case table ----*/

/* Expand every "<<text*N>>" of 'line' into 'out' (NUL-terminated). */
static int expand_repeats(const char *line, ddb_buf *out)
{
    const char *p = line;
    out->len = 0;
    for (;;) {
        const char *open = strstr(p, "<<"), *close, *star = NULL;
        if (open == NULL) {
            ddb_buf_puts(out, p);
            break;
        }
        ddb_buf_append(out, p, (size_t)(open - p));
        close = strstr(open + 2, ">>");
        if (close == NULL)
            return -1;
        for (const char *q = open + 2; q < close; q++)
            if (*q == '*')
                star = q;
        if (star == NULL)
            return -1;
        char *end;
        long count = strtol(star + 1, &end, 10);
        if (end != close || count < 0 || count > 100000)
            return -1;
        for (long k = 0; k < count; k++)
            ddb_buf_append(out, open + 2, (size_t)(star - (open + 2)));
        p = close + 2;
    }
    ddb_buf_putc(out, '\0');
    out->len--;
    return 0;
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* One JSON value at *pp (an object ends at its closing brace); NULL if none. */
static json_t *read_json(const char **pp)
{
    json_error_t jerr;
    const char *p = skip_blanks(*pp);
    if (*p != '{')
        return NULL;
    json_t *v = json_loadb(p, strlen(p), JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
    if (v != NULL)
        *pp = p + jerr.position;
    return v;
}

/* A message: a double-quoted token (\" and \\ escape), or the rest of the
** line without trailing blanks. Writes a new string to *out. */
static int read_message(const char *p, char **out)
{
    ddb_buf b = DDB_BUF_INIT;
    p = skip_blanks(p);
    if (*p == '"') {
        for (p++; *p != '"'; p++) {
            if (*p == '\0') {
                ddb_buf_free(&b);
                return -1;
            }
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            ddb_buf_putc(&b, *p);
        }
        if (*skip_blanks(p + 1) != '\0') {
            ddb_buf_free(&b);
            return -1;
        }
    } else {
        size_t n = strlen(p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        ddb_buf_append(&b, p, n);
    }
    ddb_buf_putc(&b, '\0');
    *out = ddb_buf_steal(&b, NULL);
    return 0;
}

/* One parsed line: op, one or two JSON operands, and "-> want" or "!! message". */
typedef struct tcase {
    char op[16];
    json_t *arg[2];
    int nargs;
    int want_error;
    char *want;
} tcase;

static void free_case(tcase *c)
{
    for (int i = 0; i < c->nargs; i++)
        json_decref(c->arg[i]);
    free(c->want);
}

static int parse_case(const char *line, tcase *c)
{
    const char *p = line;
    size_t n = 0;

    memset(c, 0, sizeof *c);
    while (*p != '\0' && *p != ' ' && *p != '\t' && n + 1 < sizeof c->op)
        c->op[n++] = *p++;
    for (;;) {
        json_t *v;
        p = skip_blanks(p);
        if (strncmp(p, "->", 2) == 0 || strncmp(p, "!!", 2) == 0)
            break;
        if (c->nargs == 2 || (v = read_json(&p)) == NULL)
            return -1;
        c->arg[c->nargs++] = v;
    }
    if (c->nargs == 0)
        return -1;
    c->want_error = p[0] == '!';
    return read_message(p + 2, &c->want);
}

static void check_validation(const tcase *c, const char *where)
{
    ddb_error err = DDB_ERROR_INIT;
    json_t *av = json_deep_copy(c->arg[0]);
    int rc = c->op[0] == 'c' ? ddb_attr_check(av, &err) : ddb_attrs_check(av, &err);

    if (c->want_error) {
        CHECK(where, rc == DDB_ERR && err.code == DDB_E_VALIDATION);
        CHECK_STR(where, rc == DDB_ERR ? err.message : "(succeeded)", c->want);
    } else if (rc != DDB_OK) {
        CHECK_STR(where, err.message ? err.message : "(error without message)", "(success)");
    } else {
        json_t *want = strcmp(c->want, "=") == 0 ? json_incref(c->arg[0]) : parse_json(c->want);
        int same = json_equal(av, want);
        CHECK(where, same);
        if (!same) {
            char *g = dump(av), *w = dump(want);
            fprintf(stderr, "   got: %s\n  want: %s\n", g, w);
            free(g);
            free(w);
        }
        /* a canonical value passes again, unchanged */
        json_t *again = json_deep_copy(av);
        rc = c->op[0] == 'c' ? ddb_attr_check(again, &err) : ddb_attrs_check(again, &err);
        CHECK(where, rc == DDB_OK && json_equal(again, av));
        json_decref(again);
        json_decref(want);
    }
    ddb_err_clear(&err);
    json_decref(av);
}

static void run_case(const tcase *c, const char *where)
{
    const char *op = c->op;
    char got[64];

    if ((strcmp(op, "check") == 0 || strcmp(op, "attrs") == 0) && c->nargs == 1) {
        check_validation(c, where);
    } else if (c->want_error) {
        fprintf(stderr, "%s: '!!' is for check and attrs only\n", where);
        CHECK(where, 0);
    } else if (strcmp(op, "size") == 0 && c->nargs == 1) {
        snprintf(got, sizeof got, "%zu", ddb_attr_size(c->arg[0]));
        CHECK_STR(where, got, c->want);
    } else if (strcmp(op, "keysize") == 0 && c->nargs == 1) {
        snprintf(got, sizeof got, "%zu", ddb_key_value_size(c->arg[0]));
        CHECK_STR(where, got, c->want);
    } else if (strcmp(op, "itemsize") == 0 && c->nargs == 1) {
        snprintf(got, sizeof got, "%zu", ddb_item_size(c->arg[0]));
        CHECK_STR(where, got, c->want);
    } else if (strcmp(op, "equal") == 0 && c->nargs == 2) {
        snprintf(got, sizeof got, "%d", ddb_attr_equal(c->arg[0], c->arg[1]));
        CHECK_STR(where, got, c->want);
        snprintf(got, sizeof got, "%d", ddb_attr_equal(c->arg[1], c->arg[0]));
        CHECK_STR(where, got, c->want); /* symmetric */
        CHECK(where, ddb_attr_equal(c->arg[0], c->arg[0]) &&
                         ddb_attr_equal(c->arg[1], c->arg[1])); /* reflexive */
    } else if (strcmp(op, "compare") == 0 && c->nargs == 2) {
        int ab = sgn(ddb_attr_compare(c->arg[0], c->arg[1]));
        int ba = sgn(ddb_attr_compare(c->arg[1], c->arg[0]));
        snprintf(got, sizeof got, "%d", ab);
        CHECK_STR(where, got, c->want);
        CHECK(where, ba == -ab); /* antisymmetric */
    } else if (strcmp(op, "key") == 0 && c->nargs == 1) {
        ddb_buf b = DDB_BUF_INIT;
        int rc = ddb_attr_encode_key(c->arg[0], &b);
        char *hex = ddb_xmalloc(2 * b.len + 1);
        to_hex(b.data ? b.data : (const unsigned char *)"", b.len, hex);
        CHECK(where, rc == DDB_OK);
        CHECK_STR(where, hex, c->want);
        free(hex);
        ddb_buf_free(&b);
    } else {
        fprintf(stderr, "%s: unknown case\n", where);
        CHECK(where, 0);
    }
}

/* Run every case of the table at 'path'; returns the number of cases run. */
static int run_table(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, cases = 0;
    ddb_buf exp = DDB_BUF_INIT;

    if (f == NULL) {
        fprintf(stderr,
                "test_attr: cannot open %s (run from the repository root, "
                "or pass the path of attr_cases.txt)\n",
                path);
        CHECK("case table readable", 0);
        return 0;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        char where[160];
        const char *p = line;
        tcase c;

        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        p = skip_blanks(p);
        if (*p == '\0' || *p == '#')
            continue;
        snprintf(where, sizeof where, "%s:%d: %.100s%s", path, lineno, p,
                 strlen(p) > 100 ? "..." : "");
        cases++;
        if (expand_repeats(p, &exp) != 0 || parse_case((const char *)exp.data, &c) != 0) {
            fprintf(stderr, "%s: malformed case line\n", where);
            CHECK(where, 0);
            continue;
        }
        run_case(&c, where);
        free_case(&c);
    }
    ddb_buf_free(&exp);
    free(line);
    fclose(f);
    return cases;
}

/*---- edge cases of the API ----*/

static void test_types(void)
{
    static const char *const names[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};
    int ok = 1;

    for (int t = DDB_T_S; t <= DDB_T_BS; t++) {
        const char *nm = ddb_type_name((ddb_type)t);
        ok &= strcmp(nm, names[t - 1]) == 0;
        ok &= ddb_type_from_name(nm, strlen(nm)) == (ddb_type)t;
    }
    CHECK("type names round trip", ok);
    CHECK_STR("name of DDB_T_NONE", ddb_type_name(DDB_T_NONE), "");
    CHECK_STR("name out of range", ddb_type_name((ddb_type)99), "");
    CHECK("empty name", ddb_type_from_name("", 0) == DDB_T_NONE);
    CHECK("name is case-sensitive", ddb_type_from_name("ss", 2) == DDB_T_NONE);
    CHECK("name honours its length", ddb_type_from_name("SSX", 2) == DDB_T_SS &&
                                         ddb_type_from_name("SSX", 3) == DDB_T_NONE &&
                                         ddb_type_from_name("BOOL", 1) == DDB_T_B);

    json_t *s = parse_json("{\"S\":\"x\"}"), *two = parse_json("{\"S\":\"x\",\"N\":\"1\"}");
    json_t *none = parse_json("{}"), *unk = parse_json("{\"X\":1}"), *str = json_string("S");
    CHECK("attr type S", ddb_attr_type(s) == DDB_T_S);
    CHECK("attr type of two members", ddb_attr_type(two) == DDB_T_NONE);
    CHECK("attr type of {}", ddb_attr_type(none) == DDB_T_NONE);
    CHECK("attr type unknown", ddb_attr_type(unk) == DDB_T_NONE);
    CHECK("attr type of a non-object", ddb_attr_type(str) == DDB_T_NONE);
    CHECK_STR("payload", json_string_value(ddb_attr_payload(s)), "x");
    CHECK("payload of {}", ddb_attr_payload(none) == NULL);
    json_decref(s);
    json_decref(two);
    json_decref(none);
    json_decref(unk);
    json_decref(str);
}

static void test_api_edges(void)
{
    ddb_error err = DDB_ERROR_INIT;
    json_t *v;
    size_t len = 99;
    unsigned char *bin;

    /* a non-object is not an AttributeValue */
    v = json_string("x");
    CHECK("check non-object", ddb_attr_check(v, &err) == DDB_ERR);
    CHECK_STR("check non-object text", err.message,
              "Supplied AttributeValue is empty, must contain exactly one of the supported "
              "datatypes");
    ddb_err_clear(&err);
    json_decref(v);

    /* err may be NULL */
    v = parse_json("{\"N\":\"x\"}");
    CHECK("check with NULL err", ddb_attr_check(v, NULL) == DDB_ERR);
    json_decref(v);

    /* the first error recorded wins */
    ddb_err_set(&err, DDB_E_VALIDATION, "%s", "earlier");
    v = parse_json("{\"SS\":[]}");
    CHECK("check fails after an earlier error", ddb_attr_check(v, &err) == DDB_ERR);
    CHECK_STR("first error wins", err.message, "earlier");
    ddb_err_clear(&err);
    json_decref(v);

    /* ddb_attrs_check stops at the first bad attribute and leaves later ones alone */
    v = parse_json("{\"a\":{\"N\":\"x\"},\"b\":{\"N\":\"1.0\"}}");
    CHECK("attrs stops at the first error", ddb_attrs_check(v, &err) == DDB_ERR &&
                                                 strcmp(json_string_value(json_object_get(
                                                            json_object_get(v, "b"), "N")),
                                                        "1.0") == 0);
    ddb_err_clear(&err);
    json_decref(v);

    /* canonicalisation happens in place: the caller's nested objects change */
    v = parse_json("{\"M\":{\"a\":{\"N\":\"2.50\"}}}");
    json_t *inner = json_object_get(json_object_get(v, "M"), "a");
    CHECK("check canonicalises in place",
          ddb_attr_check(v, &err) == DDB_OK &&
              json_object_get(json_object_get(v, "M"), "a") == inner &&
              strcmp(json_string_value(json_object_get(inner, "N")), "2.5") == 0);
    json_decref(v);

    /* binary payloads */
    v = parse_json("{\"B\":\"AP8B\"}");
    bin = ddb_attr_binary(v, &len);
    CHECK("binary decodes", bin != NULL && len == 3 && memcmp(bin, "\x00\xff\x01", 3) == 0);
    free(bin);
    json_decref(v);
    v = parse_json("{\"B\":\"\"}");
    bin = ddb_attr_binary(v, &len);
    CHECK("empty binary decodes", bin != NULL && len == 0);
    free(bin);
    json_decref(v);
    v = parse_json("{\"B\":\"A\"}");
    CHECK("malformed binary", ddb_attr_binary(v, &len) == NULL);

    /* keys: only S, N and B; malformed values fail; output is appended */
    ddb_buf b = DDB_BUF_INIT;
    CHECK("key of a malformed B", ddb_attr_encode_key(v, &b) == DDB_ERR);
    json_decref(v);
    static const char *const not_keys[] = {"{\"BOOL\":true}", "{\"NULL\":true}", "{\"L\":[]}",
                                           "{\"M\":{}}", "{\"SS\":[\"a\"]}", "{\"NS\":[\"1\"]}",
                                           "{\"BS\":[\"AA==\"]}", "{}", "{\"N\":\"x\"}"};
    int bad = 0;
    for (size_t i = 0; i < sizeof not_keys / sizeof not_keys[0]; i++) {
        v = parse_json(not_keys[i]);
        bad += ddb_attr_encode_key(v, &b) != DDB_ERR;
        json_decref(v);
    }
    CHECK("only S, N and B are keys", bad == 0);
    b.len = 0;
    ddb_buf_append(&b, "pre", 3);
    v = parse_json("{\"S\":\"a\"}");
    CHECK("key appends", ddb_attr_encode_key(v, &b) == DDB_OK && b.len == 6 &&
                             memcmp(b.data, "pre\x61\x00\x01", 6) == 0);
    json_decref(v);
    ddb_buf_free(&b);

    CHECK("limits", DDB_MAX_DEPTH == 32 && DDB_MAX_ITEM_SIZE == 409600 &&
                        DDB_MAX_HASH_KEY == 2048 && DDB_MAX_RANGE_KEY == 1024);
    ddb_err_clear(&err);
}

/* Large sets: duplicates found anywhere, set equality independent of order. */
static void test_large_sets(void)
{
    enum { N = 20000 };
    ddb_error err = DDB_ERROR_INIT;
    json_t *ss = json_array(), *ss2 = json_array(), *ns = json_array(), *ns2 = json_array();
    char text[64];

    for (int i = 0; i < N; i++) {
        int j = (int)((unsigned)i * 7919u % N); /* a permutation: 7919 is prime to N */
        snprintf(text, sizeof text, "member-%05d", i);
        json_array_append_new(ss, json_string(text));
        snprintf(text, sizeof text, "member-%05d", j);
        json_array_append_new(ss2, json_string(text));
        snprintf(text, sizeof text, "%d.5", i - N / 2);
        json_array_append_new(ns, json_string(text));
        snprintf(text, sizeof text, "%d.50e0", j - N / 2);
        json_array_append_new(ns2, json_string(text));
    }
    json_t *a = json_pack("{s:O}", "SS", ss), *b = json_pack("{s:O}", "SS", ss2);
    json_t *x = json_pack("{s:O}", "NS", ns), *y = json_pack("{s:O}", "NS", ns2);
    CHECK("large SS valid", ddb_attr_check(a, &err) == DDB_OK);
    CHECK("large NS valid", ddb_attr_check(x, &err) == DDB_OK);
    CHECK("large SS equal in another order", ddb_attr_equal(a, b));
    CHECK("large NS equal in another order", ddb_attr_equal(x, y));
    json_array_set_new(ss2, N - 1, json_string("member-99999"));
    json_array_set_new(ns2, 0, json_string("0.25"));
    CHECK("large SS differing in one member", !ddb_attr_equal(a, b));
    CHECK("large NS differing in one member", !ddb_attr_equal(x, y));

    /* a repeat at the end of a large set: all members sorted, then the repeat */
    static const char dup_head[] = "One or more parameter values were invalid: Input collection "
                                   "[\"member-00000\", \"member-00001\", \"member-00002\", ";
    json_array_append_new(ss, json_string("member-00000"));
    CHECK("large SS with a repeat", ddb_attr_check(a, &err) == DDB_ERR);
    CHECK("large SS duplicate text",
          err.message != NULL &&
              strncmp(err.message, dup_head, strlen(dup_head)) == 0 &&
              strstr(err.message, "\"member-19999\", \"member-00000\"] contains duplicates.") !=
                  NULL);
    ddb_err_clear(&err);
    json_array_append_new(ns, json_string("-10000.50"));
    CHECK("large NS with a repeat", ddb_attr_check(x, &err) == DDB_ERR);
    CHECK_STR("large NS duplicate text", err.message,
              "One or more parameter values were invalid: Input collection contains duplicates.");
    ddb_err_clear(&err);
    json_decref(a);
    json_decref(b);
    json_decref(x);
    json_decref(y);
    json_decref(ss);
    json_decref(ss2);
    json_decref(ns);
    json_decref(ns2);
}

/*---- randomized property tests (fixed seed) ----*/

static uint64_t rng_state = 0x6464626441545452ULL; /* fixed: runs are reproducible */

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

/* A key value with what the oracle needs: raw bytes (S, B) or a normalized
** decimal (N: value = sign x 0.d1..dn x 10^exp, d1 and dn non-zero). */
typedef struct kval {
    ddb_type type;
    unsigned char *raw; /* S, B */
    size_t raw_len;
    int sign, exp, nd;  /* N */
    char digits[DDB_NUM_MAX_DIGITS];
    json_t *av;
    unsigned char *enc;
    size_t enc_len;
} kval;

/* DynamoDB's order, independently of attr.c: bytes for S and B, numeric for N. */
static int oracle_cmp(const kval *a, const kval *b)
{
    if (a->type != DDB_T_N)
        return bytes_order(a->raw, a->raw_len, b->raw, b->raw_len);
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    int mag = a->exp != b->exp ? (a->exp < b->exp ? -1 : 1)
                               : bytes_order((const unsigned char *)a->digits, (size_t)a->nd,
                                             (const unsigned char *)b->digits, (size_t)b->nd);
    return a->sign * mag;
}

static int enc_cmp(const kval *a, const kval *b)
{
    return bytes_order(a->enc, a->enc_len, b->enc, b->enc_len);
}

static int qs_oracle(const void *a, const void *b)
{
    return oracle_cmp(*(kval *const *)a, *(kval *const *)b);
}

static int qs_enc(const void *a, const void *b)
{
    return enc_cmp(*(kval *const *)a, *(kval *const *)b);
}

/* A byte biased towards the interesting ones: 00, 01, 7f, 80, fe, ff, 'a'. */
static unsigned char rnd_byte(void)
{
    static const unsigned char special[] = {0x00, 0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff, 0xff,
                                            'a', 'b'};
    return rnd_below(3) ? special[rnd_below((int)sizeof special)] : (unsigned char)rnd();
}

/* Append one random code point as UTF-8 (never a surrogate). */
static void put_code_point(ddb_buf *b)
{
    static const uint32_t special[] = {0x0, 0x1, 0x7f, 0x80, 0xff, 0x7ff, 0x800, 0xd7ff, 0xe000,
                                       0xfffd, 0xffff, 0x10000, 0x10ffff, 'a', 'z'};
    uint32_t c;
    unsigned char u[4];
    size_t n;
    switch (rnd_below(5)) {
        case 0: c = special[rnd_below((int)(sizeof special / sizeof special[0]))]; break;
        case 1: c = (uint32_t)rnd_below(0x80); break;
        case 2: c = 0x80 + (uint32_t)rnd_below(0x780); break;
        case 3: c = 0x800 + (uint32_t)rnd_below(0xf800); break;
        default: c = 0x10000 + (uint32_t)rnd_below(0x100000); break;
    }
    if (c >= 0xd800 && c <= 0xdfff)
        c = 0xfffd;
    if (c < 0x80) {
        u[0] = (unsigned char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (unsigned char)(0xc0 | c >> 6);
        u[1] = (unsigned char)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        u[0] = (unsigned char)(0xe0 | c >> 12);
        u[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
        u[2] = (unsigned char)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | c >> 18);
        u[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
        u[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
        u[3] = (unsigned char)(0x80 | (c & 0x3f));
        n = 4;
    }
    ddb_buf_append(b, u, n);
}

/* A random length: empty and one-byte values are common, long ones appear. */
static size_t rnd_len(size_t max)
{
    int r = rnd_below(100);
    if (r < 5)
        return 0;
    if (r < 20)
        return 1;
    if (r < 85)
        return 2 + (size_t)rnd_below(14);
    if (r < 95)
        return 16 + (size_t)rnd_below(200);
    return max - (size_t)rnd_below(64); /* long: near the key size limit */
}

/* Random bytes for an S (UTF-8 or, for the encoding alone, any bytes) or a B
** value; about half are mutations of earlier values, so that shared
** prefixes, a trailing 00 or ff and exact repeats are common. */
static void random_bytes(kval *v, const kval *pool, int npool, int utf8, size_t max)
{
    ddb_buf b = DDB_BUF_INIT;
    int r = rnd_below(100);

    if (r < 50 && npool > 0) {
        const kval *src = &pool[rnd_below(npool)];
        size_t n = src->raw_len;
        ddb_buf_append(&b, src->raw, n);
        switch (rnd_below(utf8 ? 4 : 6)) {
            case 0: /* a proper prefix */
                b.len = n ? (size_t)rnd_below((int)n) : 0;
                while (utf8 && b.len > 0 && (b.data[b.len] & 0xc0) == 0x80)
                    b.len--;
                break;
            case 1: /* extended */
                for (int k = 1 + rnd_below(3); k > 0; k--) {
                    if (utf8)
                        put_code_point(&b);
                    else
                        ddb_buf_putc(&b, rnd_byte());
                }
                break;
            case 2: /* the same value again */
                break;
            case 3: /* extended by 00 */
                ddb_buf_putc(&b, 0x00);
                break;
            case 4: /* extended by ff */
                ddb_buf_putc(&b, 0xff);
                break;
            default: /* the last byte changed */
                if (n > 0)
                    b.data[n - 1] = rnd_byte();
                break;
        }
        if (b.len > max)
            b.len = max;
    } else {
        size_t n = rnd_len(max);
        while (b.len < n) {
            if (utf8)
                put_code_point(&b);
            else
                ddb_buf_putc(&b, rnd_byte());
        }
        if (b.len > max) /* the last code point may overshoot */
            b.len = max;
    }
    if (utf8) { /* never cut a code point: drop an incomplete tail */
        size_t i = b.len, k = 0;
        while (i > 0 && (b.data[i - 1] & 0xc0) == 0x80 && k < 3)
            i--, k++;
        if (i > 0 && (b.data[i - 1] & 0x80)) {
            unsigned char lead = b.data[i - 1];
            size_t need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
            if (k != need)
                b.len = i - 1;
        }
    }
    v->raw_len = b.len;
    v->raw = ddb_xmalloc(b.len ? b.len : 1);
    if (b.len)
        memcpy(v->raw, b.data, b.len);
    ddb_buf_free(&b);
}

static void fresh_number(kval *v)
{
    v->sign = rnd_below(2) ? 1 : -1;
    v->exp = rnd_below(5) ? -10 + rnd_below(30) : -129 + rnd_below(256);
    v->nd = 1 + (rnd_below(3) ? rnd_below(6) : rnd_below(DDB_NUM_MAX_DIGITS));
    for (int i = 0; i < v->nd; i++)
        v->digits[i] = (char)(i == 0 || i == v->nd - 1 ? '1' + rnd_below(9) : '0' + rnd_below(10));
}

/* A random normalized decimal; about half are mutations of earlier ones. */
static void random_number(kval *v, const kval *pool, int npool)
{
    int r = rnd_below(100);

    if (r < 5) {
        v->sign = v->exp = v->nd = 0;
        return;
    }
    if (r < 55 && npool > 0) {
        const kval *src = &pool[rnd_below(npool)];
        v->sign = src->sign;
        v->exp = src->exp;
        v->nd = src->nd;
        memcpy(v->digits, src->digits, sizeof v->digits);
        if (v->sign == 0) {
            fresh_number(v);
            return;
        }
        switch (rnd_below(5)) {
            case 0: v->sign = -v->sign; break;
            case 1: v->nd = 1 + rnd_below(v->nd); break; /* a prefix of the digits */
            case 2:                                    /* more digits */
                while (v->nd < DDB_NUM_MAX_DIGITS && rnd_below(3))
                    v->digits[v->nd++] = (char)('0' + rnd_below(10));
                break;
            case 3: v->exp += v->exp < 126 ? 1 : -1; break;
            default: break; /* the same number, spelled differently */
        }
        while (v->nd > 0 && v->digits[v->nd - 1] == '0')
            v->nd--;
        if (v->nd == 0)
            v->sign = v->exp = 0;
        return;
    }
    fresh_number(v);
}

/* A spelling of v that ddb_number_parse accepts: 0.ddd e<exp>, d.dd E<exp-1>,
** or plain digits when the exponent is small. */
static void spell_number(const kval *v, char *out)
{
    size_t k = 0;
    if (v->sign == 0) {
        static const char *const zeros[] = {"0", "-0", "0.000", "+0", "0e5", "-0.0E-3"};
        strcpy(out, zeros[rnd_below(6)]);
        return;
    }
    if (v->sign < 0)
        out[k++] = '-';
    switch (rnd_below(3)) {
        case 0:
            k += (size_t)sprintf(out + k, "0.%.*se%d", v->nd, v->digits, v->exp);
            break;
        case 1:
            out[k++] = v->digits[0];
            if (v->nd > 1)
                k += (size_t)sprintf(out + k, ".%.*s", v->nd - 1, v->digits + 1);
            k += (size_t)sprintf(out + k, "%s00E%d", v->nd > 1 ? "" : ".", v->exp - 1);
            break;
        default:
            if (v->exp >= 0 && v->exp <= 40) { /* integer part then fraction */
                for (int i = 0; i < (v->exp > v->nd ? v->exp : v->nd); i++) {
                    if (i == v->exp && i > 0)
                        out[k++] = '.';
                    else if (i == v->exp)
                        k += (size_t)sprintf(out + k, "0.");
                    out[k++] = i < v->nd ? v->digits[i] : '0';
                }
            } else {
                k += (size_t)sprintf(out + k, "0.%.*sE%s%d", v->nd, v->digits,
                                     v->exp >= 0 ? "+" : "", v->exp);
            }
            break;
    }
    out[k] = '\0';
}

static void describe(const kval *v, char *out, size_t cap)
{
    if (v->type == DDB_T_N) {
        snprintf(out, cap, "N %s0.%.*s e%d", v->sign < 0 ? "-" : "", v->nd, v->digits, v->exp);
    } else {
        size_t n = v->raw_len < 24 ? v->raw_len : 24;
        char hex[64];
        to_hex(v->raw, n, hex);
        snprintf(out, cap, "%s %s%s (%zu bytes)", ddb_type_name(v->type), hex,
                 n < v->raw_len ? "..." : "", v->raw_len);
    }
}

static void report(int *count, const char *what, const kval *a, const kval *b)
{
    char da[128], db[128] = "";
    if ((*count)++ >= MAX_REPORTS)
        return;
    describe(a, da, sizeof da);
    if (b != NULL)
        describe(b, db, sizeof db);
    fprintf(stderr, "  %s: [%s] [%s]\n", what, da, db);
}

/* Fill v[0..n) with random values of 'type' and their encodings. S values
** are valid UTF-8 for the first half and arbitrary bytes for the second. */
static void make_values(kval *v, int n, ddb_type type, int *bad)
{
    char text[512];
    for (int i = 0; i < n; i++) {
        ddb_error err = DDB_ERROR_INIT;
        ddb_buf b = DDB_BUF_INIT;
        int utf8 = type == DDB_T_S && i < n / 2;
        memset(&v[i], 0, sizeof v[i]);
        v[i].type = type;
        if (type == DDB_T_N) {
            random_number(&v[i], v, i);
            spell_number(&v[i], text);
            v[i].av = json_pack("{s:s}", "N", text);
        } else if (type == DDB_T_S) {
            random_bytes(&v[i], v + (utf8 ? 0 : n / 2), utf8 ? i : i - n / 2, utf8,
                         DDB_MAX_HASH_KEY);
            json_t *s = utf8 ? json_stringn((const char *)v[i].raw, v[i].raw_len)
                             : json_stringn_nocheck((const char *)v[i].raw, v[i].raw_len);
            if (s == NULL) { /* not valid UTF-8: a generator bug */
                report(bad, "generated S is not UTF-8", &v[i], NULL);
                s = json_stringn_nocheck((const char *)v[i].raw, v[i].raw_len);
            }
            v[i].av = json_pack("{s:o}", "S", s);
        } else {
            random_bytes(&v[i], v, i, 0, DDB_MAX_RANGE_KEY);
            char *b64 = ddb_xmalloc(ddb_base64_encoded_len(v[i].raw_len) + 1);
            size_t bl = ddb_base64_encode(v[i].raw, v[i].raw_len, b64);
            v[i].av = json_pack("{s:s%}", "B", b64, bl);
            free(b64);
        }
        /* the value validates; encoding it before and after canonicalisation agrees */
        if (ddb_attr_encode_key(v[i].av, &b) != DDB_OK)
            report(bad, "encode failed", &v[i], NULL);
        if (ddb_attr_check(v[i].av, &err) != DDB_OK) {
            report(bad, err.message ? err.message : "check failed", &v[i], NULL);
            ddb_err_clear(&err);
        }
        ddb_buf after = DDB_BUF_INIT;
        ddb_attr_encode_key(v[i].av, &after);
        if (after.len != b.len || (b.len && memcmp(after.data, b.data, b.len) != 0))
            report(bad, "encoding changed by canonicalisation", &v[i], NULL);
        ddb_buf_free(&after);
        v[i].enc_len = b.len;
        v[i].enc = (unsigned char *)ddb_buf_steal(&b, NULL);
    }
}

static void free_values(kval *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].raw);
        free(v[i].enc);
        json_decref(v[i].av);
    }
}

/* Order, equality and prefix-freeness over n values of one type. */
static void check_order(kval *v, int n, const char *tname)
{
    kval **p = ddb_xmalloc((size_t)n * sizeof *p);
    int bad_enc = 0, bad_cmp = 0, bad_eq = 0, bad_pairs = 0, bad_prefix = 0, n_equal = 0;
    int n_prefix_pairs = 0;
    char desc[96];

    for (int i = 0; i < n; i++)
        p[i] = &v[i];
    /* sorted by the oracle, neighbours compare the same way by encoding, by
    ** ddb_attr_compare and by ddb_attr_equal; all three are total orders (or
    ** their equivalence), so agreement on neighbours is agreement everywhere */
    qsort(p, (size_t)n, sizeof *p, qs_oracle);
    for (int i = 0; i + 1 < n; i++) {
        int want = oracle_cmp(p[i], p[i + 1]);
        n_equal += want == 0;
        if (enc_cmp(p[i], p[i + 1]) != want)
            report(&bad_enc, "key order differs", p[i], p[i + 1]);
        if (sgn(ddb_attr_compare(p[i]->av, p[i + 1]->av)) != want ||
            sgn(ddb_attr_compare(p[i + 1]->av, p[i]->av)) != -want)
            report(&bad_cmp, "ddb_attr_compare differs", p[i], p[i + 1]);
        if (ddb_attr_equal(p[i]->av, p[i + 1]->av) != (want == 0))
            report(&bad_eq, "ddb_attr_equal differs", p[i], p[i + 1]);
        if (p[i]->type != DDB_T_N && p[i]->raw_len < p[i + 1]->raw_len &&
            memcmp(p[i]->raw, p[i + 1]->raw, p[i]->raw_len) == 0)
            n_prefix_pairs++;
    }
    for (int i = 0; i < N_PAIRS; i++) {
        const kval *a = &v[rnd_below(n)], *b = &v[rnd_below(n)];
        if (enc_cmp(a, b) != oracle_cmp(a, b))
            report(&bad_pairs, "key order differs (pair)", a, b);
    }
    /* prefix-free: in memcmp order a key that is a proper prefix of another
    ** would be followed by one that extends it */
    qsort(p, (size_t)n, sizeof *p, qs_enc);
    for (int i = 0; i + 1 < n; i++)
        if (p[i]->enc_len < p[i + 1]->enc_len &&
            memcmp(p[i]->enc, p[i + 1]->enc, p[i]->enc_len) == 0)
            report(&bad_prefix, "key is a proper prefix of another", p[i], p[i + 1]);

    snprintf(desc, sizeof desc, "property %s: memcmp order of keys == DynamoDB order", tname);
    CHECK(desc, bad_enc == 0);
    snprintf(desc, sizeof desc, "property %s: ddb_attr_compare == DynamoDB order", tname);
    CHECK(desc, bad_cmp == 0);
    snprintf(desc, sizeof desc, "property %s: ddb_attr_equal == order equality", tname);
    CHECK(desc, bad_eq == 0);
    snprintf(desc, sizeof desc, "property %s: random pairs order the same", tname);
    CHECK(desc, bad_pairs == 0);
    snprintf(desc, sizeof desc, "property %s: no key is a proper prefix of another", tname);
    CHECK(desc, bad_prefix == 0);
    /* guard against a vacuous test: equal values and shared prefixes occur */
    snprintf(desc, sizeof desc, "property %s: ties and shared prefixes exercised", tname);
    CHECK(desc, n_equal > n / 100 && (p[0]->type == DDB_T_N || n_prefix_pairs > n / 100));
    printf("ordering %s: %d values (%d equal neighbours, %d prefix neighbours), %d pairs\n",
           tname, n, n_equal, n_prefix_pairs, N_PAIRS);
    free(p);
}

/* A composite key: enc(a) || enc(b), as storage keys are built. */
typedef struct comp {
    const kval *a, *b;
    unsigned char *enc;
    size_t len;
} comp;

static int comp_oracle(const comp *x, const comp *y)
{
    int c = oracle_cmp(x->a, y->a);
    return c ? c : oracle_cmp(x->b, y->b);
}

static int qs_comp(const void *x, const void *y)
{
    return comp_oracle(x, y);
}

static void check_composite(kval *const sets[3], const char *const names[3])
{
    int bad = 0, total = 0, ties = 0;
    comp *c = ddb_xmalloc(N_COMPOSITE * sizeof *c);

    for (int t1 = 0; t1 < 3; t1++) {
        for (int t2 = 0; t2 < 3; t2++) {
            /* the first component from a small pool, so that ties on it are common */
            for (int i = 0; i < N_COMPOSITE; i++) {
                c[i].a = &sets[t1][rnd_below(64) * (N_KEYS / 64)];
                c[i].b = &sets[t2][rnd_below(N_KEYS)];
                c[i].len = c[i].a->enc_len + c[i].b->enc_len;
                c[i].enc = ddb_xmalloc(c[i].len);
                memcpy(c[i].enc, c[i].a->enc, c[i].a->enc_len);
                memcpy(c[i].enc + c[i].a->enc_len, c[i].b->enc, c[i].b->enc_len);
            }
            qsort(c, N_COMPOSITE, sizeof *c, qs_comp);
            for (int i = 0; i + 1 < N_COMPOSITE; i++) {
                int want = comp_oracle(&c[i], &c[i + 1]);
                ties += want != 0 && oracle_cmp(c[i].a, c[i + 1].a) == 0;
                if (bytes_order(c[i].enc, c[i].len, c[i + 1].enc, c[i + 1].len) != want) {
                    if (bad < MAX_REPORTS)
                        fprintf(stderr, "  composite %s,%s order differs at %d\n", names[t1],
                                names[t2], i);
                    bad++;
                }
            }
            for (int i = 0; i < N_COMP_PAIRS; i++) {
                const comp *x = &c[rnd_below(N_COMPOSITE)], *y = &c[rnd_below(N_COMPOSITE)];
                if (bytes_order(x->enc, x->len, y->enc, y->len) != comp_oracle(x, y)) {
                    if (bad < MAX_REPORTS)
                        fprintf(stderr, "  composite %s,%s pair order differs\n", names[t1],
                                names[t2]);
                    bad++;
                }
            }
            for (int i = 0; i < N_COMPOSITE; i++)
                free(c[i].enc);
            total += N_COMPOSITE;
        }
    }
    CHECK("property: enc(a)||enc(b) orders like (a, b)", bad == 0);
    CHECK("property: composite ties on the first component exercised", ties > total / 4);
    printf("composite keys: %d over 9 type pairs (%d neighbours tied on the first part), "
           "%d pairs\n",
           total, ties, 9 * N_COMP_PAIRS);
    free(c);
}

static void test_properties(void)
{
    static const char *const names[3] = {"S", "B", "N"};
    static const ddb_type types[3] = {DDB_T_S, DDB_T_B, DDB_T_N};
    kval *sets[3];
    int bad_gen = 0, bad_same = 0;

    for (int t = 0; t < 3; t++) {
        sets[t] = ddb_xcalloc(N_KEYS, sizeof(kval));
        make_values(sets[t], N_KEYS, types[t], &bad_gen);
    }
    CHECK("property: random values validate and encode", bad_gen == 0);
    for (int t = 0; t < 3; t++)
        check_order(sets[t], N_KEYS, names[t]);
    check_composite(sets, names);

    /* S and B of the same bytes encode the same (one escaping scheme) */
    for (int i = 0; i < N_KEYS; i++) {
        const kval *s = &sets[0][i];
        char *b64 = ddb_xmalloc(ddb_base64_encoded_len(s->raw_len) + 1);
        size_t bl = ddb_base64_encode(s->raw, s->raw_len, b64);
        json_t *b = json_pack("{s:s%}", "B", b64, bl);
        ddb_buf e = DDB_BUF_INIT;
        if (ddb_attr_encode_key(b, &e) != DDB_OK || e.len != s->enc_len ||
            memcmp(e.data, s->enc, e.len) != 0)
            report(&bad_same, "S and B encodings differ", s, NULL);
        ddb_buf_free(&e);
        json_decref(b);
        free(b64);
    }
    CHECK("property: S and B of the same bytes encode the same", bad_same == 0);
    for (int t = 0; t < 3; t++) {
        free_values(sets[t], N_KEYS);
        free(sets[t]);
    }
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : DEFAULT_TABLE;
    int cases = run_table(path);

    printf("table: %d cases from %s\n", cases, path);
    test_types();
    test_api_edges();
    test_large_sets();
    test_properties();
    return CHECK_REPORT();
}
