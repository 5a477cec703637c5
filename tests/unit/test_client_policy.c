/* SPDX-License-Identifier: MIT
**
** test_client_policy.c -- unit tests of `ddb policy simulate`: the cases of
** fixtures/policy_sim/cases.json (format in its "description") through the
** pure part, client/policy_sim.c (options, principal or policy files,
** context, decisions, text), plus the JSON object and table it renders and
** the libddbcore functions it shares with ddbd (ddb_principals.h: identity
** from an ARN, lookup, own keys, request facts, denial texts). The client
** sources are compiled into this test directly.
**
** Usage: test_client_policy [cases.json]; run from the repository root (the
** cases name policies/ and fixtures/policy_sim/ files relative to it).
*/
#include "check.h"

#include "../../client/common.c"
#include "../../client/json_text.c"
#include "../../client/marshal.c"
#include "../../client/output.c"
#include "../../client/policy_sim.c"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_CASES "fixtures/policy_sim/cases.json"
#define FIXED_NOW     ((time_t)1700000000) /* 2023-11-14T22:13:20Z */

/* The string member 'key' of 'obj', or NULL. */
static const char *str_of(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/*---- a fake environment: the "env" object of the current case ----*/

static const json_t *case_env;

static const char *env_get(const char *name)
{
    return str_of(case_env, name);
}

/*---- running one case ----*/

/* The options of a case, "--name VALUE" pairs, as main.c's parser leaves
** them. 0, or -1 when the case is malformed. */
static int case_args(const json_t *args, cli_args *a)
{
    memset(a, 0, sizeof *a);
    size_t n = json_array_size(args);
    if (n % 2 != 0 || n / 2 > CLI_MAX_ARGS)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        const char *name = json_string_value(json_array_get(args, i));
        const char *val = json_string_value(json_array_get(args, i + 1));
        if (name == NULL || val == NULL || strncmp(name, "--", 2) != 0)
            return -1;
        a->names[a->n] = name + 2;
        a->vals[a->n++] = val;
    }
    return 0;
}

static void check_result(const char *cname, size_t i, const cli_sim_result *r,
                         const json_t *want)
{
    char what[512];
    snprintf(what, sizeof what, "%s: result %zu", cname, i);
    const json_t *stmt = json_object_get(want, "statement");
    CHECK_STR(what, r->action, str_of(want, "action"));
    CHECK_STR(what, cli_sim_decision_name(r->decision), str_of(want, "decision"));
    CHECK_STR(what, r->why.policy ? ddb_iam_policy_name(r->why.policy) : NULL,
              str_of(want, "policy"));
    CHECK(what, json_is_integer(stmt) && r->why.statement == json_integer_value(stmt));
    CHECK_STR(what, r->why.sid, str_of(want, "sid"));
    CHECK_STR(what, r->message, str_of(want, "message"));
}

/* Every member of the case's "context" must be in the simulated context
** with that value (null: absent). */
static void check_context(const char *cname, const json_t *got, const json_t *want)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)want, k, v) {
        char what[512];
        snprintf(what, sizeof what, "%s: context %s", cname, k);
        const json_t *have = json_object_get(got, k);
        CHECK(what, json_is_null(v) ? have == NULL : json_equal(have, v));
    }
}

static void run_case(const json_t *c)
{
    const char *cname = str_of(c, "name");
    cname = cname ? cname : "(unnamed case)";
    cli_args a;
    if (case_args(json_object_get(c, "args"), &a) != 0) {
        CHECK(cname, 0 && "malformed args");
        return;
    }
    case_env = json_object_get(c, "env");
    const char *region_flag = str_of(c, "region_flag");
    cli_error e = CLI_ERROR_INIT;
    cli_sim_input in;
    cli_sim s;
    memset(&s, 0, sizeof s);
    int rc = cli_sim_input_parse(&a, region_flag, env_get, &in, &e);
    if (rc == DDB_OK)
        rc = cli_sim_run(&in, FIXED_NOW, &s, &e);

    const json_t *want_exit = json_object_get(c, "exit");
    if (want_exit != NULL) {
        char what[512];
        snprintf(what, sizeof what, "%s: fails with exit %lld", cname,
                 (long long)json_integer_value(want_exit));
        CHECK(what, rc == DDB_ERR && e.exit_code == json_integer_value(want_exit));
        CHECK_STR(what, e.type, str_of(c, "error_type"));
        CHECK_STR(what, e.message, str_of(c, "error"));
    } else {
        const json_t *results = json_object_get(c, "results");
        char what[512];
        snprintf(what, sizeof what, "%s: runs (%s)", cname, e.message ? e.message : "");
        CHECK(what, rc == DDB_OK && s.n_results == json_array_size(results));
        for (size_t i = 0; rc == DDB_OK && i < s.n_results && i < json_array_size(results); i++)
            check_result(cname, i, &s.results[i], json_array_get(results, i));
        const char *want_resource = str_of(c, "resource");
        if (rc == DDB_OK && want_resource != NULL)
            CHECK_STR(cname, s.resource, want_resource);
        if (rc == DDB_OK)
            check_context(cname, s.context, json_object_get(c, "context"));
        const char *want_text = str_of(c, "text");
        if (rc == DDB_OK && want_text != NULL) {
            ddb_buf text = DDB_BUF_INIT;
            cli_sim_text(&s, &text);
            ddb_buf_putc(&text, '\0');
            CHECK_STR(cname, (const char *)text.data, want_text);
            ddb_buf_free(&text);
        }
    }
    cli_sim_free(&s);
    cli_sim_input_free(&in);
    cli_error_clear(&e);
}

static void run_case_file(const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    CHECK("the case file loads (run from the repository root)", doc != NULL);
    if (doc == NULL) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
        return;
    }
    const json_t *cases = json_object_get(doc, "cases");
    CHECK("the case file has cases", json_array_size(cases) > 0);
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) run_case(c);
    json_decref(doc);
}

/*---- what a case file cannot express ----*/

/* A simulation of 'argv' (pairs) at FIXED_NOW that must succeed. */
static int simulate(const char *const *argv, size_t n, cli_sim_input *in, cli_sim *s)
{
    cli_args a;
    memset(&a, 0, sizeof a);
    for (size_t i = 0; i + 1 < n; i += 2) {
        a.names[a.n] = argv[i];
        a.vals[a.n++] = argv[i + 1];
    }
    case_env = NULL;
    cli_error e = CLI_ERROR_INIT;
    memset(s, 0, sizeof *s);
    int rc = cli_sim_input_parse(&a, "ap-southeast-1", env_get, in, &e);
    if (rc == DDB_OK)
        rc = cli_sim_run(in, FIXED_NOW, s, &e);
    if (rc != DDB_OK)
        fprintf(stderr, "simulate: %s\n", e.message ? e.message : "?");
    cli_error_clear(&e);
    return rc;
}

static void test_json_and_table(void)
{
    static const char *const argv[] = {
        "principals", "policies/principals.json", "principal", "workshop_000",
        "action",     "dynamodb:Query,dynamodb:Scan", "resource", "WorkshopShared",
        "leading-key", "TENANT#t-000#USER#u1"};
    cli_sim_input in;
    cli_sim s;
    int rc = simulate(argv, sizeof argv / sizeof argv[0], &in, &s);
    CHECK("json: simulation runs", rc == DDB_OK);
    if (rc == DDB_OK) {
        json_t *doc = cli_sim_json(&s);
        const char *table = "arn:aws:dynamodb:ap-southeast-1:123456789012:table/WorkshopShared";
        CHECK_STR("json: Principal", str_of(doc, "Principal"),
                  "arn:aws:iam::123456789012:user/workshop_000");
        CHECK_STR("json: Resource", str_of(doc, "Resource"), table);
        json_t *pols = json_object_get(doc, "Policies");
        CHECK("json: Policies", json_array_size(pols) == 1 &&
                                    strcmp(json_string_value(json_array_get(pols, 0)),
                                           "tenant-abac.json") == 0);
        json_t *ctx = json_object_get(doc, "Context");
        CHECK_STR("json: Context tag", str_of(ctx, "aws:PrincipalTag/tenant"), "t-000");
        CHECK_STR("json: Context time", str_of(ctx, "aws:CurrentTime"), "2023-11-14T22:13:20Z");
        json_t *res = json_object_get(doc, "EvaluationResults");
        CHECK("json: one result per action", json_array_size(res) == 2);
        json_t *q = json_array_get(res, 0), *sc = json_array_get(res, 1);
        CHECK_STR("json: EvalActionName", str_of(q, "EvalActionName"), "dynamodb:Query");
        CHECK_STR("json: EvalResourceName", str_of(q, "EvalResourceName"), table);
        CHECK_STR("json: allowed", str_of(q, "EvalDecision"), "allowed");
        json_t *m = json_array_get(json_object_get(q, "MatchedStatements"), 0);
        CHECK_STR("json: SourcePolicyId", str_of(m, "SourcePolicyId"), "tenant-abac.json");
        CHECK("json: StatementIndex",
              json_integer_value(json_object_get(m, "StatementIndex")) == 0);
        CHECK_STR("json: Sid", str_of(m, "Sid"), "TenantItemsInSharedTable");
        CHECK("json: no message when allowed",
              json_is_null(json_object_get(q, "AccessDeniedException")));
        CHECK_STR("json: implicitDeny", str_of(sc, "EvalDecision"), "implicitDeny");
        CHECK("json: no statement for an implicit deny",
              json_array_size(json_object_get(sc, "MatchedStatements")) == 0);
        CHECK("json: the denial text",
              json_is_string(json_object_get(sc, "AccessDeniedException")));
        json_decref(doc);

        cli_table t = {0};
        cli_sim_table(&s, &t);
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        cli_table_print(&t, f);
        fclose(f);
        CHECK("table: header", strncmp(out, "Action         | Decision     | Policy", 38) == 0);
        CHECK("table: allowed row",
              strstr(out, "\ndynamodb:Query | allowed      | tenant-abac.json | 0         | "
                          "TenantItemsInSharedTable | -") != NULL);
        CHECK("table: denied row", strstr(out, "\ndynamodb:Scan  | implicitDeny | -") != NULL);
        CHECK("denied count", cli_sim_denied(&s) == 1);
        free(out);
        cli_table_free(&t);
    }
    cli_sim_free(&s);
    cli_sim_input_free(&in);
}

static void test_principal_api(void)
{
    ddb_principal p;
    memset(&p, 0, sizeof p);
    CHECK("init: user with a path",
          ddb_principal_init(&p, "arn:aws:iam::123456789012:user/team/alice") == 0);
    CHECK_STR("init: username", p.username, "alice");
    CHECK_STR("init: principal ARN", p.principal_arn, "arn:aws:iam::123456789012:user/team/alice");
    CHECK("init: userid AIDA + 17", strncmp(p.userid, "AIDA", 4) == 0 && strlen(p.userid) == 21);
    json_t *ctx = json_object();
    json_object_set_new(p.tags, "k", json_string("v"));
    ddb_principal_context(&p, ctx);
    CHECK_STR("context: type", str_of(ctx, "aws:PrincipalType"), "User");
    CHECK_STR("context: tag", str_of(ctx, "aws:PrincipalTag/k"), "v");
    CHECK("context: six keys", json_object_size(ctx) == 6);
    ddb_principal_request_facts(ctx, FIXED_NOW, "us-east-1", NULL);
    CHECK("facts: no source address when unknown", json_object_get(ctx, "aws:SourceIp") == NULL);
    CHECK_STR("facts: epoch", str_of(ctx, "aws:EpochTime"), "1700000000");
    json_decref(ctx);
    CHECK("denied message: none when allowed",
          ddb_principal_denied_message(&p, "dynamodb:GetItem", "*", DDB_IAM_ALLOW) == NULL);
    ddb_principal_clear(&p);
    CHECK("clear zeroes", p.arn == NULL && p.tags == NULL);

    CHECK("init: session",
          ddb_principal_init(&p, "arn:aws:sts::123456789012:assumed-role/R/s1") == 0);
    CHECK("init: no username for a session", p.username == NULL);
    CHECK("init: userid AROA...:s1", strncmp(p.userid, "AROA", 4) == 0 &&
                                         strcmp(p.userid + 21, ":s1") == 0);
    ddb_principal_clear(&p);
    static const char *const bad[] = {"arn:aws:iam::123:user/x", "arn:aws:iam::123456789012:role/R",
                                      "arn:aws:sts::123456789012:assumed-role/R",
                                      "arn:aws:iam::123456789012:user/", "alice"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(bad[i], ddb_principal_init(&p, bad[i]) == -1);
        ddb_principal_clear(&p);
    }

    static const char *const own[] = {"aws:username", "AWS:UserId", "aws:principalarn",
                                      "aws:PrincipalAccount", "aws:PrincipalType",
                                      "aws:PrincipalTag/anything"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        CHECK(own[i], ddb_principal_key_is_own(own[i]) == 1);
    static const char *const not_own[] = {"aws:SourceIp", "dynamodb:LeadingKeys",
                                          "aws:PrincipalOrgID", "aws:ResourceTag/x", NULL};
    for (size_t i = 0; not_own[i] != NULL; i++)
        CHECK(not_own[i], ddb_principal_key_is_own(not_own[i]) == 0);
    CHECK("NULL is no key", ddb_principal_key_is_own(NULL) == 0);

    ddb_error err = DDB_ERROR_INIT;
    ddb_principals *all = ddb_principals_load("fixtures/policy_sim/principals.json", &err);
    CHECK("principals fixture loads", all != NULL);
    if (all != NULL) {
        const ddb_principal *first = NULL;
        CHECK("lookup: access key", ddb_principals_lookup(all, "AKIABOB2", &first) == 1 &&
                                        first == &all->v[3]);
        CHECK("lookup: user name shared", ddb_principals_lookup(all, "bob", &first) == 2 &&
                                              first == &all->v[2]);
        CHECK("lookup: session name", ddb_principals_lookup(all, "t-037-session", &first) == 1 &&
                                          first == &all->v[1]);
        CHECK("lookup: role name is not a principal",
              ddb_principals_lookup(all, "TenantRole", &first) == 0 && first == NULL);
    }
    ddb_principals_free(all);
    ddb_err_clear(&err);
}

int main(int argc, char **argv)
{
    ddb_json_use_xalloc();
    run_case_file(argc > 1 ? argv[1] : DEFAULT_CASES);
    test_json_and_table();
    test_principal_api();
    return CHECK_REPORT();
}
