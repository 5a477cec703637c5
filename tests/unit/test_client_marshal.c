/* SPDX-License-Identifier: MIT
**
** test_client_marshal.c -- unit tests of the ddb client's pure JSON code:
** client/json_text.c (strict scanner, compaction, member lookup,
** flattening), client/marshal.c (plain JSON <-> AttributeValues with exact
** numbers) and client/output.c (the --output table renderer). The client
** sources are compiled into this test directly, since the client sources are linked
** only into build/ddb.
*/
#include "check.h"

#include "../../client/common.c"
#include "../../client/json_text.c"
#include "../../client/marshal.c"
#include "../../client/output.c"

#include <stdlib.h>
#include <string.h>

/* Canonical text of a jansson value (sorted keys) for comparisons. New. */
static char *canon(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/*---- plain JSON -> AttributeValue ----*/

static const struct {
    const char *in;
    const char *want; /* DynamoDB JSON */
} marshal_ok[] = {
    {"\"abc\"", "{\"S\":\"abc\"}"},
    {"\"\"", "{\"S\":\"\"}"},
    {"12345678901234567890123456789012345678",
     "{\"N\":\"12345678901234567890123456789012345678\"}"},
    {"-0.000000000000000000000000000000000000000000001",
     "{\"N\":\"-0.000000000000000000000000000000000000000000001\"}"},
    {"9.9999999999999999999999999999999999999E+125",
     "{\"N\":\"9.9999999999999999999999999999999999999E+125\"}"},
    {"-1.5e-3", "{\"N\":\"-1.5e-3\"}"},
    {"0", "{\"N\":\"0\"}"},
    {"1.0", "{\"N\":\"1.0\"}"},
    {"100", "{\"N\":\"100\"}"},
    {"true", "{\"BOOL\":true}"},
    {"false", "{\"BOOL\":false}"},
    {"null", "{\"NULL\":true}"},
    {"[]", "{\"L\":[]}"},
    {"{}", "{\"M\":{}}"},
    {" [ 1 , \"a\" , null ] ", "{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"},{\"NULL\":true}]}"},
    {"{\"a\":{\"b\":[{\"c\":1.50}]}}",
     "{\"M\":{\"a\":{\"M\":{\"b\":{\"L\":[{\"M\":{\"c\":{\"N\":\"1.50\"}}}]}}}}}"},
    {"{\"$binary\":\"AAEC\"}", "{\"B\":\"AAEC\"}"},
    {"{\"$binary\":\"\"}", "{\"B\":\"\"}"},
    {"{\"$set\":[\"a\",\"b\"]}", "{\"SS\":[\"a\",\"b\"]}"},
    {"{\"$set\":[1,2.50,-3e2]}", "{\"NS\":[\"1\",\"2.50\",\"-3e2\"]}"},
    {"{\"$set\":[{\"$binary\":\"AA==\"},{\"$binary\":\"AQ==\"}]}",
     "{\"BS\":[\"AA==\",\"AQ==\"]}"},
    {"{\"$binary\":\"AAEC\",\"x\":1}",
     "{\"M\":{\"$binary\":{\"S\":\"AAEC\"},\"x\":{\"N\":\"1\"}}}"},
    {"{\"$set\":\"x\",\"y\":true}",
     "{\"M\":{\"$set\":{\"S\":\"x\"},\"y\":{\"BOOL\":true}}}"},
    {"{\"a\":1,\"a\":2}", "{\"M\":{\"a\":{\"N\":\"2\"}}}"},
    {"\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\"",
     "{\"S\":\"\xc3\xa9\xf0\x9f\x98\x80\\n\\\"\\\\/\"}"},
    {"\"\xe2\x82\xac raw UTF-8\"", "{\"S\":\"\xe2\x82\xac raw UTF-8\"}"},
};

static const struct {
    const char *in;
    const char *why; /* expected text inside the message */
} marshal_bad[] = {
    {"01", "unexpected"},
    {"1.", "invalid number"},
    {".5", "unexpected character"},
    {"-", "invalid number"},
    {"+1", "unexpected character"},
    {"NaN", "unexpected character"},
    {"1e", "invalid number"},
    {"tru", "unexpected character"},
    {"{\"a\":1,}", "expected a member name in double quotes"},
    {"[1 2]", "expected ',' or ']'"},
    {"{\"a\" 1}", "expected ':'"},
    {"{a:1}", "expected a member name in double quotes"},
    {"\"\\x\"", "invalid escape"},
    {"\"\\ud800\"", "lone surrogate"},
    {"\"\\udc00x\"", "lone surrogate"},
    {"\"\\u12\"", "invalid \\u escape"},
    {"\"abc", "unterminated string"},
    {"\"a\tb\"", "control character"},
    {"\"\xff\"", "invalid UTF-8"},
    {"\"\xc0\xaf\"", "invalid UTF-8"},
    {"\"\xed\xa0\x80\"", "invalid UTF-8"},
    {"{\"a\\u0000b\":1}", "\\u0000"},
    {"{\"$set\":[]}", "at least one member"},
    {"{\"$set\":[1,\"a\"]}", "one kind"},
    {"{\"$set\":[true]}", "members must be strings, numbers"},
    {"{\"$set\":{}}", "needs an array"},
    {"{\"$binary\":\"A\"}", "not valid base64"},
    {"{\"$binary\":\"AAE=x\"}", "not valid base64"},
    {"{\"$binary\":5}", "needs a base64 string"},
    {"", "unexpected end of input"},
    {"[", "unexpected end of input"},
    {"{\"a\":", "unexpected end of input"},
};

static void test_marshal(void)
{
    for (size_t i = 0; i < sizeof marshal_ok / sizeof marshal_ok[0]; i++) {
        cli_error e = CLI_ERROR_INIT;
        size_t pos = 0;
        const char *in = marshal_ok[i].in;
        json_t *v = cli_marshal_value(in, strlen(in), &pos, "test", &e);
        char *got = v ? canon(v) : NULL;
        json_t *want_v = json_loads(marshal_ok[i].want, 0, NULL);
        char *want = canon(want_v);
        CHECK_STR(in, got, want);
        CHECK(in, e.exit_code == 0);
        free(got);
        free(want);
        json_decref(want_v);
        json_decref(v);
        cli_error_clear(&e);
    }
    for (size_t i = 0; i < sizeof marshal_bad / sizeof marshal_bad[0]; i++) {
        cli_error e = CLI_ERROR_INIT;
        size_t pos = 0;
        const char *in = marshal_bad[i].in;
        json_t *v = cli_marshal_value(in, strlen(in), &pos, "test", &e);
        /* a value may parse and leave trailing text ("01" stops after "0") */
        if (v != NULL) {
            cli_json_ws(in, strlen(in), &pos);
            if (pos != strlen(in))
                cli_fail(&e, CLI_EXIT_USAGE, "UsageError", "unexpected trailing text");
        }
        CHECK(in, e.exit_code == CLI_EXIT_USAGE);
        CHECK(in, e.message != NULL && strstr(e.message, marshal_bad[i].why) != NULL);
        if (e.message != NULL && strstr(e.message, marshal_bad[i].why) == NULL)
            fprintf(stderr, "  input %s: message %s\n", in, e.message);
        json_decref(v);
        cli_error_clear(&e);
    }
}

static void test_marshal_map(void)
{
    cli_error e = CLI_ERROR_INIT;
    const char *item = "{\n  \"PK\": \"USER#1\",\n  \"n\": 42\n}\n";
    json_t *m = cli_marshal_map(item, strlen(item), "the item", &e);
    char *got = m ? canon(m) : NULL;
    CHECK_STR("map", got, "{\"PK\":{\"S\":\"USER#1\"},\"n\":{\"N\":\"42\"}}");
    free(got);
    json_decref(m);

    const char *bad[] = {"[1]", "\"x\"", "{} {}", "{\"a\":1} x", "  "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_error_clear(&e);
        m = cli_marshal_map(bad[i], strlen(bad[i]), "the item", &e);
        CHECK(bad[i], m == NULL && e.exit_code == CLI_EXIT_USAGE);
        json_decref(m);
    }

    /* line and column of the fault */
    cli_error_clear(&e);
    const char *typo = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    m = cli_marshal_map(typo, strlen(typo), "the item", &e);
    CHECK("typo fails", m == NULL);
    CHECK_STR("typo message", e.message,
              "invalid JSON in the item at line 3 column 8: unexpected character");
    cli_error_clear(&e);

    /* nesting: CLI_MAX_DEPTH levels parse, one more does not */
    ddb_buf deep = DDB_BUF_INIT;
    for (int i = 0; i < CLI_MAX_DEPTH; i++)
        ddb_buf_puts(&deep, "{\"a\":");
    ddb_buf_puts(&deep, "1");
    for (int i = 0; i < CLI_MAX_DEPTH; i++)
        ddb_buf_putc(&deep, '}');
    m = cli_marshal_map((char *)deep.data, deep.len, "deep", &e);
    CHECK("max depth parses", m != NULL);
    json_decref(m);
    deep.len = 0;
    for (int i = 0; i <= CLI_MAX_DEPTH + 1; i++)
        ddb_buf_puts(&deep, "{\"a\":");
    ddb_buf_puts(&deep, "1");
    for (int i = 0; i <= CLI_MAX_DEPTH + 1; i++)
        ddb_buf_putc(&deep, '}');
    m = cli_marshal_map((char *)deep.data, deep.len, "deep", &e);
    CHECK("too deep fails",
          m == NULL && e.message && strstr(e.message, "nested too deeply"));
    json_decref(m);
    cli_error_clear(&e);
    ddb_buf_free(&deep);
}

/*---- AttributeValue -> plain JSON ----*/

static const struct {
    const char *av;
    const char *want;
} unmarshal_cases[] = {
    {"{\"S\":\"a\\\"b\\u0001\"}", "\"a\\\"b\\u0001\""},
    {"{\"N\":\"123.4500\"}", "123.4500"},
    {"{\"N\":\"-12345678901234567890123456789012345678\"}",
     "-12345678901234567890123456789012345678"},
    {"{\"N\":\"1E+5\"}", "1E+5"},
    {"{\"N\":\"abc\"}", "\"abc\""},
    {"{\"N\":\"\"}", "\"\""},
    {"{\"B\":\"AAEC\"}", "{\"$binary\":\"AAEC\"}"},
    {"{\"BOOL\":true}", "true"},
    {"{\"BOOL\":false}", "false"},
    {"{\"NULL\":true}", "null"},
    {"{\"L\":[]}", "[]"},
    {"{\"M\":{}}", "{}"},
    {"{\"SS\":[\"a\",\"b\"]}", "[\"a\",\"b\"]"},
    {"{\"NS\":[\"1\",\"2.5\"]}", "[1,2.5]"},
    {"{\"BS\":[\"AA==\"]}", "[{\"$binary\":\"AA==\"}]"},
    {"{\"M\":{\"a\":{\"L\":[{\"NULL\":true},{\"BOOL\":false},{\"N\":\"0.1\"}]}}}",
     "{\"a\":[null,false,0.1]}"},
    {"{\"X\":1}", "{\"X\":1}"},
    {"{\"S\":5}", "{\"S\":5}"},
    {"{\"SS\":[1]}", "{\"SS\":[1]}"},
    {"{\"S\":\"a\",\"N\":\"1\"}", "{\"S\":\"a\",\"N\":\"1\"}"},
};

static void test_unmarshal(void)
{
    for (size_t i = 0; i < sizeof unmarshal_cases / sizeof unmarshal_cases[0]; i++) {
        json_t *av = json_loads(unmarshal_cases[i].av, JSON_PRESERVE_ORDER, NULL);
        ddb_buf b = DDB_BUF_INIT;
        cli_unmarshal_value(av, &b);
        CHECK_STR(unmarshal_cases[i].av, (char *)b.data, unmarshal_cases[i].want);
        ddb_buf_free(&b);
        json_decref(av);
    }
    /* display text for table cells */
    json_t *av = json_loads("{\"B\":\"AAEC\"}", 0, NULL);
    char *d = cli_attr_display(av);
    CHECK_STR("display B", d, "AAEC");
    free(d);
    json_decref(av);
    av = json_loads("{\"M\":{\"x\":{\"N\":\"1.50\"}}}", 0, NULL);
    d = cli_attr_display(av);
    CHECK_STR("display M", d, "{\"x\":1.50}");
    free(d);
    json_decref(av);
}

/* marshal then unmarshal gives back the compact input, byte for byte */
static void test_round_trip(void)
{
    static const char *const texts[] = {
        "{\"PK\":\"USER#1\",\"n\":12345678901234567890123456789012345678}",
        "{\"a\":-0.000001,\"b\":1e-130,\"c\":9.9999999999999999999999999999999999999E+"
        "125}",
        "{\"l\":[1,[2,[3,{\"x\":null}]],true,false,\"\"],\"m\":{\"n\":{}}}",
        "{\"bin\":{\"$binary\":\"3q2+7w==\"},\"s\":\"\xe6\x97\xa5\xe6\x9c\xac\"}",
        "{\"e\":\"\\\"\\\\\\n\\t\\u0000\"}",
        "{\"n\":-99999999999999999999999999999999999999,\"z\":0.0,\"y\":00.5e1}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cli_error e = CLI_ERROR_INIT;
        const char *t = texts[i];
        json_t *m = cli_marshal_map(t, strlen(t), "rt", &e);
        if (i == 5) { /* "00.5e1" is not JSON */
            CHECK("leading zeros refused", m == NULL);
            cli_error_clear(&e);
            continue;
        }
        ddb_buf b = DDB_BUF_INIT;
        if (m != NULL)
            cli_unmarshal_map(m, &b);
        CHECK_STR(t, m ? (char *)b.data : e.message, t);
        ddb_buf_free(&b);
        json_decref(m);
        cli_error_clear(&e);
    }
}

/*---- json_text ----*/

static void test_json_text(void)
{
    static const struct {
        const char *in, *want;
    } compact[] = {
        {" { \"a\" : [ 1 , 2.50 ] ,\n\t\"b\" : \" x  y \" } ",
         "{\"a\":[1,2.50],\"b\":\" x  y \"}"},
        {"\"a\\\" b\"", "\"a\\\" b\""},
        {"123456789012345678901234567890123456789012345",
         "123456789012345678901234567890123456789012345"},
        {"1.7123456781234567E9", "1.7123456781234567E9"},
        {"[ ]", "[]"},
    };
    for (size_t i = 0; i < sizeof compact / sizeof compact[0]; i++) {
        cli_error e = CLI_ERROR_INIT;
        ddb_buf b = DDB_BUF_INIT;
        int rc = cli_json_compact(compact[i].in, strlen(compact[i].in), &b, "t", &e);
        CHECK(compact[i].in, rc == 0);
        CHECK_STR(compact[i].in, (char *)b.data, compact[i].want);
        ddb_buf_free(&b);
    }
    static const char *const bad[] = {"{} x", "{\"a\":}", "[1,]", "", "{\"a\" 1}", "nul"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_error e = CLI_ERROR_INIT;
        ddb_buf b = DDB_BUF_INIT;
        CHECK(bad[i], cli_json_compact(bad[i], strlen(bad[i]), &b, "t", &e) != 0);
        CHECK(bad[i], e.exit_code == CLI_EXIT_USAGE);
        ddb_buf_free(&b);
        cli_error_clear(&e);
    }

    const char *doc =
        "{\"A\":{\"x\":[1,2]},\"Table\" : {\"n\":1.50,\"s\":\"}\"} ,\"z\":0}";
    size_t start = 0, len = 0;
    CHECK("member found", cli_json_member(doc, strlen(doc), "Table", &start, &len) == 0);
    char *span = ddb_xstrndup(doc + start, len);
    CHECK_STR("member span", span, "{\"n\":1.50,\"s\":\"}\"}");
    free(span);
    CHECK("member absent", cli_json_member(doc, strlen(doc), "Nope", &start, &len) != 0);
    CHECK("not an object", cli_json_member("[1]", 3, "A", &start, &len) != 0);

    cli_leaves l = {0};
    const char *fl =
        "{\"a\":{\"b\":[10,{\"c\":\"x\\ny\"}],\"e\":{},\"f\":[]},\"g\":1.5E9,\"h\":null}";
    CHECK("flatten", cli_json_flatten(fl, strlen(fl), "", &l) == 0);
    static const char *const paths[] = {"a.b[0]", "a.b[1].c", "a.e", "a.f", "g", "h"};
    static const char *const texts[] = {"10", "x\ny", "{}", "[]", "1.5E9", "null"};
    CHECK("leaf count", l.n == 6);
    for (size_t i = 0; i < l.n && i < 6; i++) {
        CHECK_STR("leaf path", l.v[i].path, paths[i]);
        CHECK_STR("leaf text", l.v[i].text, texts[i]);
    }
    cli_leaves_free(&l);
    CHECK("flatten bad", cli_json_flatten("{\"a\":", 5, "", &l) != 0);
    cli_leaves_free(&l);
}

/*---- output ----*/

static char *render(const cli_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_table_print(t, f);
    fclose(f);
    return buf;
}

static void test_table(void)
{
    cli_table t = {0};
    const char *items[] = {
        "{\"PK\":{\"S\":\"USER#1\"},\"n\":{\"N\":\"42\"}}",
        "{\"PK\":{\"S\":\"\xc3\xa9t\xc3\xa9\"},\"flag\":{\"BOOL\":true},\"n\":{\"N\":\"-"
        "1.5\"}}",
        "{\"PK\":{\"S\":\"a\\nb\"},\"l\":{\"L\":[{\"S\":\"x\"}]}}",
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *item = json_loads(items[i], JSON_PRESERVE_ORDER, NULL);
        cli_table_add_item(&t, item);
        json_decref(item);
    }
    char *out = render(&t);
    CHECK_STR("table", out,
              "PK     | n    | flag | l\n"
              "-------+------+------+------\n"
              "USER#1 | 42   |      |\n"
              "\xc3\xa9t\xc3\xa9    | -1.5 | true |\n"
              "a\\nb   |      |      | [\"x\"]\n");
    free(out);
    cli_table_free(&t);

    /* a long cell is cut at CLI_MAX_CELL code points, on a code-point boundary */
    ddb_buf longtext = DDB_BUF_INIT;
    for (int i = 0; i < CLI_MAX_CELL + 10; i++)
        ddb_buf_puts(&longtext, "\xc3\xa9");
    cli_table_row(&t);
    cli_table_set(&t, cli_table_col(&t, "c"), ddb_buf_steal(&longtext, NULL));
    out = render(&t);
    const char *row = strchr(out, '\n');
    row = row ? strchr(row + 1, '\n') : NULL;
    size_t cps = 0;
    for (const char *p = row ? row + 1 : ""; *p && *p != '\n'; p++)
        cps += ((unsigned char)*p & 0xC0) != 0x80;
    CHECK("cut width", cps == CLI_MAX_CELL);
    CHECK("cut ends with ...", strstr(out, "\xc3\xa9...\n") != NULL);
    free(out);
    cli_table_free(&t);

    /* no rows: nothing at all */
    cli_table_col(&t, "x");
    out = render(&t);
    CHECK_STR("empty table", out, "");
    free(out);
    cli_table_free(&t);
}

int main(void)
{
    ddb_json_use_xalloc();
    test_marshal();
    test_marshal_map();
    test_unmarshal();
    test_round_trip();
    test_json_text();
    test_table();
    return CHECK_REPORT();
}
