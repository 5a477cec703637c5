/* SPDX-License-Identifier: MIT
**
** workshop_organizer.c -- the two steps around the guide's own: `ddb
** workshop setup-shared` (the organizer creates the shared multi-tenant
** table of section 4 with its tenant-scoped GSI1 and admin-only
** GSI2_StatusGlobal, adding whichever index is missing from an existing one,
** and seeds a few other tenants so that isolation and the admin view have
** something to show) and `ddb workshop doctor` (endpoint, credentials,
** identity, the guide's variables and both tables, each with what to fix).
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TENANTS 32 /* tenants seeded by setup-shared */

/*---- setup-shared ----*/

/* The GSI definition of 'name' keyed by <prefix>PK / <prefix>SK. New. */
static json_t *gsi_def(const char *name, const char *prefix)
{
    char *pk = ddb_xasprintf("%sPK", prefix), *sk = ddb_xasprintf("%sSK", prefix);
    json_t *g =
        json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}],s:{s:s}}", "IndexName", name, "KeySchema",
                  "AttributeName", pk, "KeyType", "HASH", "AttributeName", sk, "KeyType",
                  "RANGE", "Projection", "ProjectionType", "ALL");
    free(pk);
    free(sk);
    return g;
}

static json_t *attr_defs(const char *const *names)
{
    json_t *a = json_array();
    for (size_t i = 0; names[i] != NULL; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:s}", "AttributeName", names[i], "AttributeType", "S"));
    return a;
}

/* Index 'name' of a Table description, or NULL. Borrowed. */
static json_t *find_gsi(const json_t *desc, const char *name)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(desc, "GlobalSecondaryIndexes"), i, g)
    {
        const char *n = json_string_value(json_object_get(g, "IndexName"));
        if (n != NULL && strcmp(n, name) == 0)
            return g;
    }
    return NULL;
}

/* 1 if the key schema of 'desc' is PK (HASH) + SK (RANGE). */
static int has_workshop_keys(const json_t *desc)
{
    json_t *ks = json_object_get(desc, "KeySchema");
    if (json_array_size(ks) != 2)
        return 0;
    const char *a0 =
        json_string_value(json_object_get(json_array_get(ks, 0), "AttributeName"));
    const char *a1 =
        json_string_value(json_object_get(json_array_get(ks, 1), "AttributeName"));
    return a0 && a1 && strcmp(a0, "PK") == 0 && strcmp(a1, "SK") == 0;
}

/* Add the GSIs the existing table 'table' lacks, one UpdateTable each. */
static int add_missing_gsis(cli_ws *w, const char *table, cli_error *e)
{
    json_t *desc = cli_ws_describe(w, table, e);
    if (desc == NULL)
        return DDB_ERR;
    if (!has_workshop_keys(desc)) {
        json_decref(desc);
        return cli_fail(
            e, CLI_EXIT_WORKSHOP, "SharedTableMismatch",
            "%s exists but its key is not PK (HASH) + SK (RANGE); delete it or "
            "set SHARED_TABLE to another name",
            table);
    }
    const char *names[2] = {w->env.gsi_tenant, w->env.gsi_global};
    const char *prefixes[2] = {"GSI1", "GSI2"};
    int rc = DDB_OK;
    for (int k = 0; k < 2 && rc == DDB_OK; k++) {
        if (find_gsi(desc, names[k]) != NULL)
            continue;
        printf("Adding index %s to %s...\n", names[k], table);
        char *pk = ddb_xasprintf("%sPK", prefixes[k]),
             *sk = ddb_xasprintf("%sSK", prefixes[k]);
        const char *defs[] = {pk, sk, NULL};
        json_t *req =
            json_pack("{s:s,s:o,s:[{s:o}]}", "TableName", table, "AttributeDefinitions",
                      attr_defs(defs), "GlobalSecondaryIndexUpdates", "Create",
                      gsi_def(names[k], prefixes[k]));
        free(pk);
        free(sk);
        json_t *resp = cli_ws_call(w, "UpdateTable", req, e);
        json_decref(req);
        json_decref(resp);
        if (resp == NULL || cli_ws_wait_active(w, table, names[k], e) != DDB_OK)
            rc = DDB_ERR;
    }
    json_decref(desc);
    return rc;
}

/* Split the comma-separated 'list' into at most MAX_TENANTS names (copies
** in 'buf'). Returns the count, or -1 if a name is empty or has '#'. */
static int split_tenants(const char *list, char *buf, size_t cap, const char **out)
{
    size_t len = strlen(list);
    if (len == 0 || len >= cap || list[0] == ',' || list[len - 1] == ',' ||
        strstr(list, ",,") != NULL)
        return -1;
    memcpy(buf, list, len + 1);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (n == MAX_TENANTS || strchr(tok, '#') != NULL || strchr(tok, ' ') != NULL)
            return -1;
        out[n++] = tok;
    }
    return n;
}

int cli_ws_setup_shared(cli_ws *w, const char *tenants, cli_error *e)
{
    char buf[1024];
    const char *names[MAX_TENANTS];
    int n_tenants = split_tenants(tenants, buf, sizeof buf, names);
    if (n_tenants <= 0)
        return cli_fail(
            e, CLI_EXIT_USAGE, "UsageError",
            "--tenants must be 1 to %d comma-separated tenant ids without '#' "
            "or spaces, e.g. t-000,t-042,t-999",
            MAX_TENANTS);
    const char *table = w->env.shared;
    if (cli_ready(w->ctx, e) != DDB_OK)
        return DDB_ERR;
    printf("Creating table %s in %s with %s and %s...\n", table, w->ctx->cfg.region,
           w->env.gsi_tenant, w->env.gsi_global);
    static const char *const defs[] = {"PK",     "SK",     "GSI1PK", "GSI1SK",
                                       "GSI2PK", "GSI2SK", NULL};
    json_t *req =
        json_pack("{s:s,s:o,s:[{s:s,s:s},{s:s,s:s}],s:[o,o],s:s}", "TableName", table,
                  "AttributeDefinitions", attr_defs(defs), "KeySchema", "AttributeName",
                  "PK", "KeyType", "HASH", "AttributeName", "SK", "KeyType", "RANGE",
                  "GlobalSecondaryIndexes", gsi_def(w->env.gsi_tenant, "GSI1"),
                  gsi_def(w->env.gsi_global, "GSI2"), "BillingMode", "PAY_PER_REQUEST");
    cli_error ce = CLI_ERROR_INIT;
    json_t *resp = cli_ws_call(w, "CreateTable", req, &ce);
    json_decref(req);
    json_decref(resp);
    int rc = DDB_OK;
    if (resp == NULL && cli_ws_error_is(&ce, "ResourceInUseException")) {
        printf("Table %s already exists; checking its indexes.\n", table);
        rc = add_missing_gsis(w, table, e);
    } else if (resp == NULL) {
        rc = cli_fail(e, ce.exit_code, ce.type, "%s", ce.message ? ce.message : "");
    }
    cli_error_clear(&ce);
    if (rc == DDB_OK && (cli_ws_wait_active(w, table, w->env.gsi_tenant, e) != DDB_OK ||
                         cli_ws_wait_active(w, table, w->env.gsi_global, e) != DDB_OK))
        rc = DDB_ERR;
    if (rc != DDB_OK)
        return DDB_ERR;
    json_t *items = json_array();
    for (int i = 0; i < n_tenants; i++) {
        json_t *mine = cli_ws_shared_seed_items(names[i], (unsigned)i);
        json_array_extend(items, mine);
        json_decref(mine);
    }
    rc = cli_ws_batch_put(w, table, items, e);
    if (rc == DDB_OK) {
        printf("Seeded %d other tenant%s (%s): %zu items with %s and %s keys.\n",
               n_tenants, n_tenants == 1 ? "" : "s", tenants, json_array_size(items),
               w->env.gsi_tenant, w->env.gsi_global);
        printf("Done. SHARED_TABLE=%s\n", table);
        printf(
            "Attendees: export SHARED_TABLE=%s TENANT_ID=t-<id> ATTENDEE_ID=<id>. With "
            "'make workshop', hand out the keys of policies/principals.json "
            "(workshop_000: AKIAWORKSHOPT000 / tenant-000-secret, ...).\n",
            table);
    }
    json_decref(items);
    return rc;
}

/*---- doctor ----*/

typedef enum check_result { CHECK_OK, CHECK_WARN, CHECK_FAIL, CHECK_SKIP } check_result;

#define MAX_CHECKS 12

typedef struct check {
    const char *name;
    check_result result;
    char *detail; /* owned */
    char *fix;    /* owned, NULL when nothing to fix */
} check;

typedef struct checks {
    check v[MAX_CHECKS];
    size_t n;
} checks;

static void add_check(checks *c, const char *name, check_result r, char *detail,
                      char *fix)
{
    if (c->n == MAX_CHECKS) {
        free(detail);
        free(fix);
        return;
    }
    c->v[c->n++] = (check){name, r, detail, fix};
}

static const char *result_text(check_result r)
{
    static const char *const t[] = {"ok", "warn", "FAIL", "skip"};
    return t[r];
}

static void print_checks(const cli_ctx *ctx, const checks *c)
{
    if (ctx->output == CLI_OUT_TABLE) {
        cli_table t = {0};
        size_t cc = cli_table_col(&t, "Check"), cr = cli_table_col(&t, "Result");
        size_t cd = cli_table_col(&t, "Detail"), cf = cli_table_col(&t, "Fix");
        for (size_t i = 0; i < c->n; i++) {
            cli_table_row(&t);
            cli_table_set(&t, cc, ddb_xstrdup(c->v[i].name));
            cli_table_set(&t, cr, ddb_xstrdup(result_text(c->v[i].result)));
            cli_table_set(&t, cd, ddb_xstrdup(c->v[i].detail));
            cli_table_set(&t, cf, ddb_xstrdup(c->v[i].fix ? c->v[i].fix : ""));
        }
        cli_table_print(&t, stdout);
        cli_table_free(&t);
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        printf("%-5s %-14s %s\n", result_text(c->v[i].result), c->v[i].name,
               c->v[i].detail);
        if (c->v[i].fix != NULL)
            printf("%-5s %-14s fix: %s\n", "", "", c->v[i].fix);
    }
}

static void checks_free(checks *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].detail);
        free(c->v[i].fix);
    }
    c->n = 0;
}

static char *error_text(const cli_error *e)
{
    return ddb_xasprintf("%s%s%s", e->type, e->message && e->message[0] ? ": " : "",
                         e->message ? e->message : "");
}

/* The digits at the end of the user name in 'arn' ("user/workshop_000" ->
** "000"), or NULL. New. */
static char *user_number(const char *arn)
{
    const char *slash = arn ? strrchr(arn, '/') : NULL;
    if (slash == NULL)
        return NULL;
    size_t n = strlen(slash + 1), k = n;
    while (k > 0 && slash[k] >= '0' && slash[k] <= '9')
        k--;
    return k < n ? ddb_xstrdup(slash + 1 + k) : NULL;
}

static void check_credentials(cli_ws *w, checks *c, int *ready)
{
    cli_error ce = CLI_ERROR_INIT;
    *ready = cli_ready(w->ctx, &ce) == DDB_OK;
    if (*ready) {
        add_check(c, "credentials", CHECK_OK,
                  ddb_xasprintf("%s from %s, profile %s, region %s",
                                w->ctx->cfg.access_key, w->ctx->cfg.cred_source,
                                w->ctx->cfg.profile, w->ctx->cfg.region),
                  NULL);
        return;
    }
    const char *fix =
        "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (on ddbd with 'make "
        "workshop': "
        "a tenant's keys from policies/principals.json), or 'aws configure --profile "
        "dynamodb-workshop' and export AWS_PROFILE=dynamodb-workshop";
    if (strcmp(ce.type, "InvalidEndpointError") == 0)
        fix = "set AWS_ENDPOINT_URL to ddbd's URL, e.g. http://127.0.0.1:8000";
    else if (strcmp(ce.type, "ProfileNotFound") == 0)
        fix = "create the profile ('aws configure --profile NAME') or unset AWS_PROFILE";
    add_check(c, "credentials", CHECK_FAIL, error_text(&ce), ddb_xstrdup(fix));
    cli_error_clear(&ce);
}

static int check_endpoint(cli_ws *w, checks *c)
{
    cli_ws_server kind = cli_ws_probe(w);
    const char *url = w->ctx->ddb_endpoint;
    json_t *req = json_pack("{s:i}", "Limit", 1);
    cli_error ce = CLI_ERROR_INIT;
    json_t *resp = cli_ws_call_once(w, "ListTables", req, NULL, &ce);
    json_decref(req);
    json_decref(resp);
    int reachable = resp != NULL || ce.exit_code == CLI_EXIT_SERVICE ||
                    ce.exit_code == CLI_EXIT_THROTTLED;
    if (!reachable) {
        add_check(
            c, "endpoint", CHECK_FAIL, error_text(&ce),
            kind == CLI_WS_AWS
                ? ddb_xstrdup("check the network, or set AWS_ENDPOINT_URL to ddbd")
                : ddb_xasprintf("start ddbd ('make workshop', or 'make run' for open "
                                "mode) or fix AWS_ENDPOINT_URL (now %s)",
                                url));
    } else {
        static const char *const what[] = {"AWS",
                                           "answers (not ddbd: no /_ddbd/ endpoints)",
                                           "ddbd (real clock)", "ddbd (clock manual)"};
        add_check(c, "endpoint", CHECK_OK, ddb_xasprintf("%s: %s", url, what[kind]),
                  NULL);
    }
    cli_error_clear(&ce);
    return reachable;
}

static char *check_identity(cli_ws *w, checks *c)
{
    char *account = NULL, *arn = NULL;
    cli_error ce = CLI_ERROR_INIT;
    if (cli_ws_identity(w, &account, &arn, &ce) == DDB_OK) {
        add_check(c, "identity", CHECK_OK, ddb_xasprintf("%s (account %s)", arn, account),
                  NULL);
        free(account);
        return arn;
    }
    char *fix;
    const char *key = w->ctx->cfg.access_key;
    if (strcmp(ce.type, "UnrecognizedClientException") == 0 ||
        strcmp(ce.type, "InvalidClientTokenId") == 0)
        fix = ddb_xasprintf("the endpoint does not know access key %s: on ddbd started "
                            "with --principals use a key of policies/principals.json, on "
                            "AWS create a new access key",
                            key);
    else if (strcmp(ce.type, "SignatureDoesNotMatch") == 0 ||
             strcmp(ce.type, "InvalidSignatureException") == 0)
        fix = ddb_xasprintf("the secret key does not belong to access key %s: copy both "
                            "again",
                            key);
    else if (ce.exit_code == CLI_EXIT_TRANSPORT)
        fix = ddb_xasprintf("STS does not answer at %s: set AWS_ENDPOINT_URL (or "
                            "AWS_ENDPOINT_URL_STS) to ddbd",
                            w->ctx->sts_endpoint);
    else
        fix = ddb_xstrdup("check the credentials ('aws sts get-caller-identity')");
    add_check(c, "identity", CHECK_FAIL, error_text(&ce), fix);
    cli_error_clear(&ce);
    return NULL;
}

static void check_variables(cli_ws *w, checks *c, const char *arn)
{
    const cli_ws_env *v = &w->env;
    char *detail = ddb_xasprintf(
        "ATTENDEE_ID=%s TABLE=%s%s TENANT_ID=%s%s SHARED_TABLE=%s",
        v->attendee ? v->attendee : "(unset)", v->table ? v->table : "(unset)",
        v->table_from_attendee ? " (from ATTENDEE_ID)" : "", v->tenant,
        v->tenant_defaulted ? " (guide default)" : "", v->shared);
    char *number = user_number(arn);
    char *fix = NULL;
    if (v->attendee == NULL && v->table == NULL)
        fix =
            ddb_xasprintf("export ATTENDEE_ID=%s (the number at the end of your IAM user "
                          "name)",
                          number ? number : "<id>");
    else if (number != NULL && v->attendee != NULL && strcmp(number, v->attendee) != 0)
        fix = ddb_xasprintf("your user name ends in %s: export ATTENDEE_ID=%s", number,
                            number);
    else if (v->personal != NULL && !v->table_from_attendee &&
             strcmp(v->personal, v->table) != 0)
        fix = ddb_xasprintf("TABLE is not ws-att-%s: export TABLE=%s", v->attendee,
                            v->personal);
    else if (v->tenant_defaulted)
        fix =
            ddb_xasprintf("export TENANT_ID=t-%s (unset, the scripts fall back to t-037)",
                          v->attendee ? v->attendee
                          : number    ? number
                                      : "<id>");
    add_check(c, "variables", fix ? CHECK_WARN : CHECK_OK, detail, fix);
    free(number);
}

static void check_personal(cli_ws *w, checks *c)
{
    const char *table = w->env.table;
    if (table == NULL) {
        add_check(c, "personal table", CHECK_SKIP,
                  ddb_xstrdup("TABLE and ATTENDEE_ID unset"), NULL);
        return;
    }
    cli_error ce = CLI_ERROR_INIT;
    json_t *desc = cli_ws_describe(w, table, &ce);
    if (desc != NULL) {
        const char *st = json_string_value(json_object_get(desc, "TableStatus"));
        json_int_t items = json_integer_value(json_object_get(desc, "ItemCount"));
        int gsi = find_gsi(desc, CLI_WS_PERSONAL_GSI) != NULL;
        add_check(c, "personal table", CHECK_OK,
                  ddb_xasprintf("%s %s, %lld items%s", table, st ? st : "?",
                                (long long)items,
                                gsi ? ", with " CLI_WS_PERSONAL_GSI : ""),
                  NULL);
        json_decref(desc);
    } else if (cli_ws_error_is(&ce, "ResourceNotFoundException")) {
        add_check(c, "personal table", CHECK_WARN,
                  ddb_xasprintf("%s does not exist yet", table),
                  ddb_xstrdup("ddb workshop create-table"));
    } else if (cli_ws_error_is(&ce, "AccessDeniedException")) {
        add_check(
            c, "personal table", CHECK_FAIL, error_text(&ce),
            ddb_xstrdup("TABLE must be ws-att-<your attendee id>: your policy allows "
                        "only your own table"));
    } else {
        add_check(c, "personal table", CHECK_FAIL, error_text(&ce), NULL);
    }
    cli_error_clear(&ce);
}

/* Returns 1 if the shared table is usable. */
static int check_shared(cli_ws *w, checks *c)
{
    const char *table = w->env.shared;
    static const char setup[] = "the organizer runs 'ddb workshop setup-shared'";
    cli_error ce = CLI_ERROR_INIT;
    json_t *desc = cli_ws_describe(w, table, &ce);
    int usable = 0;
    if (desc != NULL) {
        const char *names[2] = {w->env.gsi_tenant, w->env.gsi_global};
        ddb_buf missing = DDB_BUF_INIT;
        for (int k = 0; k < 2; k++) {
            json_t *g = find_gsi(desc, names[k]);
            const char *st = json_string_value(json_object_get(g, "IndexStatus"));
            if (g == NULL || st == NULL || strcmp(st, "ACTIVE") != 0)
                ddb_buf_printf(&missing, "%s%s%s", missing.len ? ", " : "", names[k],
                               g == NULL ? " missing" : " not ACTIVE");
        }
        json_int_t items = json_integer_value(json_object_get(desc, "ItemCount"));
        if (missing.len == 0) {
            add_check(c, "shared table", CHECK_OK,
                      ddb_xasprintf("%s ACTIVE with %s and %s, %lld items", table,
                                    names[0], names[1], (long long)items),
                      NULL);
            usable = 1;
        } else {
            add_check(c, "shared table", CHECK_FAIL,
                      ddb_xasprintf("%s: %.*s", table, (int)missing.len,
                                    (const char *)missing.data),
                      ddb_xasprintf("%s (it adds missing indexes)", setup));
            usable = find_gsi(desc, w->env.gsi_tenant) != NULL;
        }
        ddb_buf_free(&missing);
        json_decref(desc);
    } else if (cli_ws_error_is(&ce, "ResourceNotFoundException")) {
        add_check(c, "shared table", CHECK_FAIL,
                  ddb_xasprintf("%s does not exist", table), ddb_xstrdup(setup));
    } else if (cli_ws_error_is(&ce, "AccessDeniedException")) {
        add_check(c, "shared table", CHECK_FAIL, error_text(&ce),
                  ddb_xstrdup("export SHARED_TABLE=WorkshopShared (the table your policy "
                              "names)"));
    } else {
        add_check(c, "shared table", CHECK_FAIL, error_text(&ce), NULL);
    }
    cli_error_clear(&ce);
    return usable;
}

static void check_tenant(cli_ws *w, checks *c)
{
    char *pk = ddb_xasprintf("TENANT#%s#USER#u1", w->env.tenant);
    cli_error ce = CLI_ERROR_INIT;
    json_t *items = cli_ws_query(w, w->env.shared, NULL, "PK", pk, 1, 1, &ce);
    if (items != NULL) {
        add_check(c, "tenant access", CHECK_OK,
                  ddb_xasprintf("may query %s in %s", pk, w->env.shared), NULL);
    } else if (cli_ws_error_is(&ce, "AccessDeniedException")) {
        add_check(c, "tenant access", CHECK_FAIL,
                  ddb_xasprintf("denied a Query of %s: TENANT_ID=%s is not your tenant",
                                pk, w->env.tenant),
                  ddb_xstrdup("export TENANT_ID=<your principal's tenant tag, t-<id>>"));
    } else {
        add_check(c, "tenant access", CHECK_FAIL, error_text(&ce), NULL);
    }
    json_decref(items);
    cli_error_clear(&ce);
    free(pk);
}

int cli_ws_doctor(cli_ws *w, cli_error *e)
{
    checks c = {0};
    int ready = 0;
    check_credentials(w, &c, &ready);
    if (ready && check_endpoint(w, &c)) {
        char *arn = check_identity(w, &c);
        check_variables(w, &c, arn);
        if (arn != NULL) {
            check_personal(w, &c);
            if (check_shared(w, &c))
                check_tenant(w, &c);
        }
        free(arn);
    }
    print_checks(w->ctx, &c);
    size_t failed = 0;
    for (size_t i = 0; i < c.n; i++)
        failed += c.v[i].result == CHECK_FAIL;
    checks_free(&c);
    if (failed > 0)
        return cli_fail(e, CLI_EXIT_WORKSHOP, "WorkshopCheckFailed",
                        "%zu check%s failed; fix %s and run 'ddb workshop doctor' again",
                        failed, failed == 1 ? "" : "s",
                        failed == 1 ? "it" : "them in order");
    printf("All checks passed.\n");
    return DDB_OK;
}
