/* SPDX-License-Identifier: MIT
**
** test_iam.c -- the IAM engine (include/ddb_iam.h) against the data-driven
** case files of fixtures/iam/ (format: fixtures/iam/README.md), plus a few
** API edge cases a case file cannot express: NULL arguments, the
** multivalued-key table, and the time bound of pathological glob patterns.
**
** Usage: test_iam [FILE.json | DIR ...]
** Without arguments every .json file of fixtures/iam/ is read, so run it
** from the repository root. One check per case; the last line is
** "N passed, N failed".
*/
#include "check.h"
#include "ddb_iam.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_DIR "fixtures/iam"
#define MAX_FILES 256
#define MAX_POLICIES 64 /* named policies per file, and policies per case */

typedef struct named {
    const char *name;
    ddb_policy *policy;
} named;

typedef struct suite {
    const char *file;
    json_t *root;
    named pol[MAX_POLICIES];
    size_t n_pol;
    json_t *contexts; /* borrowed from root, may be NULL */
} suite;

static const char *decision_name(ddb_iam_decision d)
{
    switch (d) {
        case DDB_IAM_ALLOW:
            return "Allow";
        case DDB_IAM_EXPLICIT_DENY:
            return "ExplicitDeny";
        default:
            return "ImplicitDeny";
    }
}

static void failf(const char *file, const char *cname, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void failf(const char *file, const char *cname, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL %s: %s: ", file, cname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Every member of 'obj' must be in the NULL-terminated list 'known'. */
static const char *unknown_member(const json_t *obj, const char *const *known)
{
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)obj, k, v) {
        size_t i = 0;
        while (known[i] != NULL && strcmp(known[i], k) != 0)
            i++;
        if (known[i] == NULL)
            return k;
    }
    return NULL;
}

static ddb_policy *suite_policy(const suite *s, const char *name)
{
    for (size_t i = 0; i < s->n_pol; i++)
        if (strcmp(s->pol[i].name, name) == 0)
            return s->pol[i].policy;
    return NULL;
}

/* The request context of a case: the named or inline "context", with the
** members of "with" laid over it (null deletes). New reference. */
static json_t *case_context(const suite *s, const json_t *c, const char *cname, int *ok)
{
    const json_t *base = json_object_get(c, "context");
    const json_t *with = json_object_get(c, "with");
    json_t *ctx;

    if (base != NULL && json_is_string(base)) {
        const json_t *named_ctx =
            s->contexts ? json_object_get(s->contexts, json_string_value(base)) : NULL;
        if (named_ctx == NULL) {
            failf(s->file, cname, "unknown context '%s'", json_string_value(base));
            *ok = 0;
            return json_object();
        }
        base = named_ctx;
    }
    ctx = base != NULL ? json_deep_copy(base) : json_object();
    if (with != NULL) {
        const char *k;
        json_t *v;
        json_object_foreach ((json_t *)with, k, v) {
            if (json_is_null(v))
                json_object_del(ctx, k);
            else
                json_object_set(ctx, k, v);
        }
    }
    return ctx;
}

/*---- ddb_iam_evaluate_layers: the same decision as the merged object ----*/

static void copy_case(char *dst, const char *src, size_t n, int upper)
{
    for (size_t i = 0; i < n; i++) {
        char ch = src[i];
        if (upper && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        else if (!upper && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        dst[i] = ch;
    }
}

/* Set (key with its case changed, v) on 'o' when that differs from 'key'. */
static void set_case_variant(json_t *o, const char *key, int upper, json_t *v)
{
    size_t n = strlen(key);
    char *k = malloc(n + 1);
    copy_case(k, key, n, upper);
    k[n] = '\0';
    if (strcmp(k, key) != 0)
        json_object_set(o, k, v);
    free(k);
}

static int same_outcome(ddb_iam_decision d1, const ddb_iam_explain *w1, ddb_iam_decision d2,
                        const ddb_iam_explain *w2)
{
    return d1 == d2 && w1->policy == w2->policy && w1->statement == w2->statement &&
           (w1->sid == NULL ? w2->sid == NULL : w2->sid != NULL && strcmp(w1->sid, w2->sid) == 0);
}

/* The case's context split into layers in two ways -- its keys dealt over
** three disjoint layers; and the whole context under layers that replace
** some keys exactly and add upper- and lower-case variants of others -- must
** decide as the object those layers merge into (json_object_update in order),
** and NULL or non-object layers must change nothing. */
static void layer_check(ddb_policy *const *list, size_t n, const char *action,
                        const char *resource, const json_t *ctx, const char *cname)
{
    char desc[300];
    const char *k;
    json_t *v;
    size_t i = 0;
    json_t *dealt[3] = {json_object(), json_object(), json_object()};
    json_t *over[3] = {json_deep_copy(ctx), json_object(), json_object()};
    json_t *repl = json_string("zz-layer-replaced");
    json_object_foreach ((json_t *)ctx, k, v) {
        json_object_set(dealt[i % 3], k, v);
        if (i % 2 == 1)
            json_object_set(over[1], k, repl);
        if (i % 3 == 0)
            set_case_variant(over[1], k, 1, v);
        if (i % 4 == 1)
            set_case_variant(over[2], k, 0, repl);
        if (i % 5 == 2)
            json_object_set(over[2], k, v);
        i++;
    }
    json_t *const *sets[2] = {dealt, over};
    int ok = 1;
    for (int s = 0; s < 2; s++) {
        json_t *merged = json_object();
        for (int l = 0; l < 3; l++)
            json_object_update(merged, sets[s][l]);
        ddb_iam_explain w1, w2, w3;
        ddb_iam_decision d1 = ddb_iam_evaluate(list, n, action, resource, merged, &w1);
        ddb_iam_decision d2 = ddb_iam_evaluate_layers(list, n, action, resource,
                                                      (const json_t *const *)sets[s], 3, &w2);
        json_t *not_object = json_string("x");
        const json_t *padded[4] = {NULL, merged, not_object, NULL};
        ddb_iam_decision d3 = ddb_iam_evaluate_layers(list, n, action, resource, padded, 4, &w3);
        json_decref(not_object);
        ok = ok && same_outcome(d1, &w1, d2, &w2) && same_outcome(d1, &w1, d3, &w3);
        json_decref(merged);
    }
    snprintf(desc, sizeof desc, "layers: %s", cname);
    CHECK(desc, ok);
    for (int l = 0; l < 3; l++) {
        json_decref(dealt[l]);
        json_decref(over[l]);
    }
    json_decref(repl);
}

static void run_error_case(const suite *s, const json_t *c, const char *cname)
{
    static const char *const known[] = {"name",        "note",  "policy",
                                        "policy_name", "error", NULL};
    const char *bad = unknown_member(c, known);
    const json_t *doc = json_object_get(c, "policy");
    const char *pname = json_string_value(json_object_get(c, "policy_name"));
    const char *want = json_string_value(json_object_get(c, "error"));
    ddb_error err = DDB_ERROR_INIT;
    ddb_policy *p;
    int ok;

    if (bad != NULL || want == NULL) {
        failf(s->file, cname, "malformed case (member '%s')", bad ? bad : "error");
        CHECK(cname, 0);
        return;
    }
    p = ddb_iam_policy_parse(doc, pname ? pname : "policy.json", &err);
    ok = p == NULL && err.code == DDB_E_VALIDATION && err.message != NULL &&
         strcmp(err.message, want) == 0;
    if (!ok)
        failf(s->file, cname, "\n   got: %s\n  want: %s",
              p ? "(parsed)" : (err.message ? err.message : "(no message)"), want);
    CHECK(cname, ok);
    ddb_iam_policy_free(p);
    ddb_err_clear(&err);
}

static void run_decision_case(const suite *s, const json_t *c, const char *cname)
{
    static const char *const known[] = {"name",      "note",    "policies", "action",
                                        "resource",  "context", "with",     "expect",
                                        "statement", "sid",     "policy",   NULL};
    const char *bad = unknown_member(c, known);
    const json_t *pols = json_object_get(c, "policies");
    const char *action = json_string_value(json_object_get(c, "action"));
    const char *resource = json_string_value(json_object_get(c, "resource"));
    const char *expect = json_string_value(json_object_get(c, "expect"));
    const json_t *jstmt = json_object_get(c, "statement");
    const json_t *jsid = json_object_get(c, "sid");
    const char *want_pol = json_string_value(json_object_get(c, "policy"));
    ddb_policy *list[MAX_POLICIES], *owned[MAX_POLICIES];
    size_t n = 0, n_owned = 0;
    int ok = 1;
    char got[512], want[512];

    if (bad != NULL || !json_is_array(pols) || action == NULL || resource == NULL ||
        expect == NULL || json_array_size(pols) > MAX_POLICIES) {
        failf(s->file, cname, "malformed case (member '%s')", bad ? bad : "?");
        CHECK(cname, 0);
        return;
    }
    for (size_t i = 0; i < json_array_size(pols); i++) {
        const json_t *pj = json_array_get(pols, i);
        ddb_policy *p = NULL;
        if (json_is_string(pj)) {
            p = suite_policy(s, json_string_value(pj));
            if (p == NULL) {
                failf(s->file, cname, "unknown policy '%s'", json_string_value(pj));
                ok = 0;
            }
        } else {
            char pname[64];
            ddb_error err = DDB_ERROR_INIT;
            snprintf(pname, sizeof pname, "inline[%zu]", i);
            p = ddb_iam_policy_parse(pj, pname, &err);
            if (p == NULL) {
                failf(s->file, cname, "inline policy does not parse: %s", err.message);
                ok = 0;
            } else {
                owned[n_owned++] = p;
            }
            ddb_err_clear(&err);
        }
        if (p != NULL)
            list[n++] = p;
    }

    json_t *ctx = case_context(s, c, cname, &ok);
    ddb_iam_explain why;
    ddb_iam_decision d = ddb_iam_evaluate(list, n, action, resource, ctx, &why);

    int want_stmt = jstmt != NULL ? (int)json_integer_value(jstmt) : -1;
    const char *want_sid = jsid != NULL ? json_string_value(jsid) : NULL;
    if (strcmp(expect, "ImplicitDeny") != 0 && jstmt == NULL) {
        failf(s->file, cname, "an %s case needs \"statement\"", expect);
        ok = 0;
    }
    snprintf(got, sizeof got, "%s policy=%s statement=%d sid=%s", decision_name(d),
             why.policy ? ddb_iam_policy_name(why.policy) : "-", why.statement,
             why.sid ? why.sid : "-");
    snprintf(want, sizeof want, "%s policy=%s statement=%d sid=%s", expect,
             want_pol ? want_pol
                      : (why.policy && strcmp(expect, "ImplicitDeny") != 0
                             ? ddb_iam_policy_name(why.policy)
                             : "-"),
             want_stmt, want_sid ? want_sid : "-");
    if (strcmp(got, want) != 0) {
        failf(s->file, cname, "\n   got: %s\n  want: %s", got, want);
        ok = 0;
    }
    CHECK(cname, ok);
    layer_check(list, n, action, resource, ctx, cname);
    json_decref(ctx);
    for (size_t i = 0; i < n_owned; i++)
        ddb_iam_policy_free(owned[i]);
}

static void run_file(const char *path)
{
    static const char *const known[] = {"description", "policies", "contexts", "cases",
                                        NULL};
    json_error_t jerr;
    suite s;
    const char *k, *bad;
    json_t *v;

    memset(&s, 0, sizeof s);
    s.file = path;
    s.root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (s.root == NULL) {
        fprintf(stderr, "FAIL %s:%d: %s\n", path, jerr.line, jerr.text);
        CHECK(path, 0);
        return;
    }
    if ((bad = unknown_member(s.root, known)) != NULL ||
        !json_is_array(json_object_get(s.root, "cases"))) {
        fprintf(stderr, "FAIL %s: malformed file (member '%s')\n", path,
                bad ? bad : "cases");
        CHECK(path, 0);
        json_decref(s.root);
        return;
    }
    s.contexts = json_object_get(s.root, "contexts");
    json_object_foreach (json_object_get(s.root, "policies"), k, v) {
        ddb_error err = DDB_ERROR_INIT;
        ddb_policy *p = ddb_iam_policy_parse(v, k, &err);
        if (p == NULL || s.n_pol == MAX_POLICIES) {
            fprintf(stderr, "FAIL %s: policy %s: %s\n", path, k,
                    err.message ? err.message : "too many policies");
            CHECK(k, 0);
            ddb_iam_policy_free(p);
        } else {
            s.pol[s.n_pol++] = (named){k, p};
        }
        ddb_err_clear(&err);
    }
    json_t *cases = json_object_get(s.root, "cases");
    for (size_t i = 0; i < json_array_size(cases); i++) {
        const json_t *c = json_array_get(cases, i);
        const char *cname = json_string_value(json_object_get(c, "name"));
        char fallback[32];
        if (cname == NULL) {
            snprintf(fallback, sizeof fallback, "case %zu", i);
            cname = fallback;
        }
        if (json_object_get(c, "error") != NULL)
            run_error_case(&s, c, cname);
        else
            run_decision_case(&s, c, cname);
    }
    for (size_t i = 0; i < s.n_pol; i++)
        ddb_iam_policy_free(s.pol[i].policy);
    json_decref(s.root);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char *files[MAX_FILES];
    size_t n = 0;

    if (d == NULL) {
        fprintf(stderr, "FAIL cannot open %s (run from the repository root)\n", dir);
        CHECK(dir, 0);
        return;
    }
    while ((de = readdir(d)) != NULL && n < MAX_FILES) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0) {
            size_t plen = strlen(dir) + len + 2;
            files[n] = malloc(plen);
            snprintf(files[n], plen, "%s/%s", dir, de->d_name);
            n++;
        }
    }
    closedir(d);
    qsort(files, n, sizeof *files, cmp_str);
    CHECK("fixture files found", n > 0);
    for (size_t i = 0; i < n; i++) {
        run_file(files[i]);
        free(files[i]);
    }
}

/*---- API edge cases ----*/

static void api_checks(void)
{
    ddb_error err = DDB_ERROR_INIT;
    ddb_iam_explain why = {NULL, 7, "x"};
    json_t *doc = json_loads("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":"
                             "\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}",
                             0, NULL);
    ddb_policy *p = ddb_iam_policy_parse(doc, NULL, &err);

    CHECK("parse with a NULL name", p != NULL && !ddb_err_isset(&err));
    CHECK_STR("default policy name", ddb_iam_policy_name(p), "policy");
    CHECK("evaluate with a NULL context",
          ddb_iam_evaluate(&p, 1, "dynamodb:GetItem", "*", NULL, NULL) == DDB_IAM_ALLOW);
    CHECK("evaluate with no policies",
          ddb_iam_evaluate(NULL, 0, "dynamodb:GetItem", "*", NULL, &why) ==
                  DDB_IAM_IMPLICIT_DENY &&
              why.policy == NULL && why.statement == -1 && why.sid == NULL);
    CHECK("evaluate with a NULL action",
          ddb_iam_evaluate(&p, 1, NULL, "*", NULL, NULL) == DDB_IAM_IMPLICIT_DENY);
    CHECK("evaluate with a NULL resource",
          ddb_iam_evaluate(&p, 1, "dynamodb:GetItem", NULL, NULL, NULL) ==
              DDB_IAM_IMPLICIT_DENY);
    json_t *not_object = json_pack("[s]", "aws:username");
    CHECK("evaluate with a non-object context",
          ddb_iam_evaluate(&p, 1, "dynamodb:GetItem", "*", not_object, NULL) ==
              DDB_IAM_ALLOW);
    json_decref(not_object);
    ddb_policy *two[2] = {NULL, p};
    CHECK("NULL entries in the policy list are skipped",
          ddb_iam_evaluate(two, 2, "dynamodb:GetItem", "*", NULL, &why) ==
                  DDB_IAM_ALLOW &&
              why.policy == p && why.statement == 0);
    ddb_iam_policy_free(p);
    ddb_iam_policy_free(NULL);
    CHECK("policy_name(NULL)", ddb_iam_policy_name(NULL) == NULL);
    json_decref(doc);

    p = ddb_iam_policy_parse(NULL, "x.json", &err);
    CHECK("parse(NULL) fails", p == NULL);
    CHECK_STR("parse(NULL) message", err.message, "x.json: policy: no document");
    ddb_err_clear(&err);

    CHECK("LeadingKeys is multivalued",
          ddb_iam_key_is_multivalued("dynamodb:LeadingKeys"));
    CHECK("multivalued lookup ignores case",
          ddb_iam_key_is_multivalued("DYNAMODB:leadingkeys"));
    CHECK("Attributes is multivalued", ddb_iam_key_is_multivalued("dynamodb:Attributes"));
    CHECK("aws:TagKeys is multivalued", ddb_iam_key_is_multivalued("aws:TagKeys"));
    CHECK("Select is single-valued", !ddb_iam_key_is_multivalued("dynamodb:Select"));
    CHECK("aws:username is single-valued", !ddb_iam_key_is_multivalued("aws:username"));
    CHECK("NULL key", !ddb_iam_key_is_multivalued(NULL));
}

/* Parse 'doc' (stolen) as "limits.json"; returns the error message or NULL
** when it parsed (new string; caller frees). */
static char *parse_message(json_t *doc)
{
    ddb_error err = DDB_ERROR_INIT;
    ddb_policy *p = ddb_iam_policy_parse(doc, "limits.json", &err);
    char *msg = p == NULL && err.message ? strdup(err.message) : NULL;
    ddb_iam_policy_free(p);
    ddb_err_clear(&err);
    json_decref(doc);
    return msg;
}

/* The JSON parser refuses NUL bytes in object keys; rename every key "@k"
** of 'v' (recursively) to "k\0x" with the length-taking setter instead. */
static void nul_keys(json_t *v)
{
    const char *k;
    json_t *m;
    void *it;

    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            nul_keys(json_array_get(v, i));
        return;
    }
    if (!json_is_object(v))
        return;
    json_object_foreach_safe (v, it, k, m) {
        nul_keys(m);
        if (k[0] != '@')
            continue;
        char name[64];
        size_t n = strlen(k + 1);
        memcpy(name, k + 1, n);
        memcpy(name + n, "\0x", 2);
        json_object_setn_new(v, name, n + 2, json_incref(m));
        json_object_del(v, k);
    }
}

static json_t *allow_stmt(void)
{
    return json_pack("{s:s, s:s, s:s}", "Effect", "Allow", "Action", "dynamodb:GetItem",
                     "Resource", "*");
}

static json_t *policy_of(json_t *statements)
{
    return json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement", statements);
}

static void check_limit(const char *desc, json_t *ok_doc, json_t *bad_doc,
                        const char *want)
{
    char *m1 = parse_message(ok_doc), *m2 = parse_message(bad_doc);
    if (m1 != NULL)
        fprintf(stderr, "FAIL %s: at the limit: %s\n", desc, m1);
    CHECK(desc, m1 == NULL);
    CHECK_STR(desc, m2, want);
    free(m1);
    free(m2);
}

/* The limits of iam_int.h (IAM_MAX_STATEMENTS 1024, IAM_MAX_LIST 1024,
** IAM_MAX_STRING 4096, IAM_MAX_CONDITIONS 256), each at and one past it. */
static void limit_checks(void)
{
    json_t *ok, *bad, *st;
    char *s;

    ok = json_array();
    bad = json_array();
    for (int i = 0; i < 1025; i++) {
        if (i < 1024)
            json_array_append_new(ok, allow_stmt());
        json_array_append_new(bad, allow_stmt());
    }
    check_limit("1024 statements", policy_of(ok), policy_of(bad),
                "limits.json: Statement: more than 1024 statements");

    ok = json_array();
    bad = json_array();
    for (int i = 0; i < 1025; i++) {
        if (i < 1024)
            json_array_append_new(ok, json_string("dynamodb:GetItem"));
        json_array_append_new(bad, json_string("dynamodb:GetItem"));
    }
    st = allow_stmt();
    json_object_set_new(st, "Action", ok);
    ok = policy_of(json_pack("[o]", st));
    st = allow_stmt();
    json_object_set_new(st, "Action", bad);
    check_limit("1024 actions", ok, policy_of(json_pack("[o]", st)),
                "limits.json: Statement[0].Action: more than 1024 entries");

    ok = json_array();
    bad = json_array();
    for (int i = 0; i < 1025; i++) {
        if (i < 1024)
            json_array_append_new(ok, json_string("v"));
        json_array_append_new(bad, json_string("v"));
    }
    st = allow_stmt();
    json_object_set_new(st, "Condition",
                        json_pack("{s:{s:o}}", "StringEquals", "aws:username", ok));
    ok = policy_of(json_pack("[o]", st));
    st = allow_stmt();
    json_object_set_new(st, "Condition",
                        json_pack("{s:{s:o}}", "StringEquals", "aws:username", bad));
    check_limit(
        "1024 condition values", ok, policy_of(json_pack("[o]", st)),
        "limits.json: Statement[0].Condition.StringEquals.aws:username: more than "
        "1024 entries");

    s = malloc(4098);
    memcpy(s, "dynamodb:", 9);
    memset(s + 9, 'A', 4097 - 9);
    s[4096] = '\0';
    st = allow_stmt();
    json_object_set_new(st, "Action", json_string(s));
    ok = policy_of(json_pack("[o]", st));
    s[4096] = 'A';
    s[4097] = '\0';
    st = allow_stmt();
    json_object_set_new(st, "Action", json_string(s));
    check_limit("4096-byte strings", ok, policy_of(json_pack("[o]", st)),
                "limits.json: Statement[0].Action: longer than 4096 bytes");

    memcpy(s, "aws:", 4);
    s[4096] = '\0';
    st = allow_stmt();
    json_object_set_new(st, "Condition", json_pack("{s:{s:s}}", "StringEquals", s, "x"));
    ok = policy_of(json_pack("[o]", st));
    s[4096] = 'A';
    st = allow_stmt();
    json_object_set_new(st, "Condition", json_pack("{s:{s:s}}", "StringEquals", s, "x"));
    check_limit("4096-byte condition keys", ok, policy_of(json_pack("[o]", st)),
                "limits.json: Statement[0].Condition.StringEquals: condition key longer "
                "than 4096 bytes");
    free(s);

    json_t *keys_ok = json_object(), *keys_bad = json_object();
    for (int i = 0; i < 257; i++) {
        char key[32];
        snprintf(key, sizeof key, "test:k%03d", i);
        if (i < 256)
            json_object_set_new(keys_ok, key, json_string("v"));
        json_object_set_new(keys_bad, key, json_string("v"));
    }
    st = allow_stmt();
    json_object_set_new(st, "Condition", json_pack("{s:o}", "StringEquals", keys_ok));
    ok = policy_of(json_pack("[o]", st));
    st = allow_stmt();
    json_object_set_new(st, "Condition", json_pack("{s:o}", "StringEquals", keys_bad));
    check_limit(
        "256 condition keys", ok, policy_of(json_pack("[o]", st)),
        "limits.json: Statement[0].Condition.StringEquals: more than 256 condition "
        "keys in one statement");

    st = allow_stmt();
    json_object_set_new(st, "Resource", json_stringn("arn:aws:s3:::a\0b", 16));
    s = parse_message(policy_of(json_pack("[o]", st)));
    CHECK_STR("a NUL byte in a policy string", s,
              "limits.json: Statement[0].Resource: contains a NUL character");
    free(s);

    static const struct {
        const char *json, *want;
    } nul_cases[] = {
        {"{\"Version\":\"2012-10-17\\u0000x\",\"Statement\":[]}",
         "limits.json: Version: contains a NUL character"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\\u0000\","
         "\"Action\":\"*\",\"Resource\":\"*\"}}",
         "limits.json: Statement.Effect: contains a NUL character"},
        {"{\"@Version\":\"2012-10-17\",\"Statement\":[]}",
         "limits.json: Version: element name contains a NUL character"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
         "\"*\",\"Resource\":\"*\",\"@Condition\":{}}}",
         "limits.json: Statement.Condition: element name contains a NUL character"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
         "\"*\",\"Resource\":\"*\",\"Condition\":{\"@Bool\":{}}}}",
         "limits.json: Statement.Condition: condition operator 'Bool' contains a NUL "
         "character"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
         "\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"@aws:x\":\"true\"}}}}",
         "limits.json: Statement.Condition.Bool: condition key 'aws:x' contains a NUL "
         "character"},
    };
    for (size_t i = 0; i < sizeof nul_cases / sizeof nul_cases[0]; i++) {
        json_t *doc = json_loads(nul_cases[i].json, JSON_ALLOW_NUL, NULL);
        CHECK("NUL case loads", doc != NULL);
        if (doc == NULL)
            continue;
        nul_keys(doc);
        s = parse_message(doc);
        CHECK_STR("a NUL byte in a name or a fixed value", s, nul_cases[i].want);
        free(s);
    }
}

/* "a*a*...*b" against a long run of 'a's (in a condition and in a Resource)
** must stay polynomial: a backtracking matcher would never finish. */
static void glob_time_check(void)
{
    enum { LEN = 20000 };
    char *subject = malloc(LEN + 64);
    memset(subject, 'a', LEN);
    subject[LEN] = '\0';
    json_t *doc = json_pack(
        "{s:s, s:[{s:s, s:s, s:s, s:{s:{s:s}}}, {s:s, s:s, s:s}]}", "Version",
        "2012-10-17", "Statement", "Effect", "Allow", "Action", "dynamodb:GetItem",
        "Resource", "*", "Condition", "StringLike", "aws:username",
        "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "Effect", "Allow", "Action", "dynamodb:Scan",
        "Resource", "arn:aws:dynamodb:*:*:table/a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
    ddb_policy *p = ddb_iam_policy_parse(doc, "glob", NULL);
    json_t *ctx = json_pack("{s:s}", "aws:username", subject);
    char *arn = malloc(LEN + 64);
    snprintf(arn, LEN + 64, "arn:aws:dynamodb:r:1:table/%s", subject);

    clock_t t0 = clock();
    int d1 = ddb_iam_evaluate(&p, 1, "dynamodb:GetItem", "*", ctx, NULL);
    int d2 = ddb_iam_evaluate(&p, 1, "dynamodb:Scan", arn, ctx, NULL);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK("pathological StringLike does not match", d1 == DDB_IAM_IMPLICIT_DENY);
    CHECK("pathological Resource does not match", d2 == DDB_IAM_IMPLICIT_DENY);
    CHECK("pathological globs finish in under 2 s", secs < 2.0);
    subject[LEN - 1] = 'b';
    json_object_set_new(ctx, "aws:username", json_string(subject));
    CHECK("the same pattern matches when the subject ends in b",
          ddb_iam_evaluate(&p, 1, "dynamodb:GetItem", "*", ctx, NULL) == DDB_IAM_ALLOW);
    ddb_iam_policy_free(p);
    json_decref(doc);
    json_decref(ctx);
    free(subject);
    free(arn);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        run_dir(DEFAULT_DIR);
    } else {
        for (int i = 1; i < argc; i++) {
            struct stat st;
            if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
                run_dir(argv[i]);
            else
                run_file(argv[i]);
        }
    }
    api_checks();
    limit_checks();
    glob_time_check();
    return CHECK_REPORT();
}
