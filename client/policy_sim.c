/* SPDX-License-Identifier: MIT
**
** policy_sim.c -- the pure part of `ddb policy simulate`: reads its options
** (actions, resource, principal or policy files, tags, condition keys),
** loads the principal from ddbd's principals file or builds one from --policy
** files, assembles the request context exactly as ddbd does (libddbcore's
** ddb_principals.h: request facts, the principal's own keys), decides each
** action with the same IAM engine (ddb_iam_evaluate) and renders the
** results as text lines, a JSON object or table rows. No network.
*/
#include "client.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LEADING_KEYS   "dynamodb:LeadingKeys"
#define MAX_NAME_HINTS 10 /* principals named in a "no such principal" error */

/*---- options ----*/

static int usage(cli_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage(cli_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    cli_fail(e, CLI_EXIT_USAGE, "UsageError", "%s", msg);
    free(msg);
    return DDB_ERR;
}

/* The member of 'obj' whose name equals 'key' in any case (condition key
** names are case-insensitive), or NULL. */
static const char *find_key(const json_t *obj, const char *key)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        if (strcasecmp(k, key) == 0)
            return k;
    }
    return NULL;
}

/* Append 'value' to the multivalued key 'key' of 'ctx' (created on first use,
** spelled as first given). */
static int add_multi_value(json_t *ctx, const char *key, const char *value, size_t len,
                           cli_error *e)
{
    const char *have = find_key(ctx, key);
    json_t *list = have ? json_object_get(ctx, have) : NULL;
    if (list == NULL) {
        list = json_array();
        if (json_object_set_new(ctx, key, list) != 0) /* frees 'list' */
            return usage(e, "the condition key %s is not valid UTF-8", key);
    }
    json_t *s = json_stringn(value, len);
    if (s == NULL)
        return usage(e, "the value of %s is not valid UTF-8", key);
    json_array_append_new(list, s);
    return DDB_OK;
}

/* --context KEY=VALUE[,VALUE...]: a list for a multivalued key (an empty
** VALUE is an empty list, which IAM reads as an absent key), the whole text
** otherwise (the last one given wins). */
static int add_context(json_t *ctx, const char *arg, cli_error *e)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg)
        return usage(e, "--context must be KEY=VALUE[,VALUE...], got '%s'", arg);
    char *key = ddb_xstrndup(arg, (size_t)(eq - arg));
    const char *value = eq + 1;
    int rc = DDB_OK;
    if (ddb_iam_key_is_multivalued(key)) {
        if (find_key(ctx, key) == NULL && json_object_set_new(ctx, key, json_array()) != 0)
            rc = usage(e, "the condition key %s is not valid UTF-8", key);
        for (const char *p = value; rc == DDB_OK && *value != '\0';) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            rc = add_multi_value(ctx, key, p, len, e);
            if (comma == NULL)
                break;
            p = comma + 1;
        }
    } else {
        const char *have = find_key(ctx, key);
        if (have != NULL)
            json_object_del(ctx, have);
        json_t *s = json_string(value);
        if (s == NULL || json_object_set_new(ctx, key, s) != 0) /* frees 's' */
            rc = usage(e, "--context %s is not valid UTF-8", key);
    }
    free(key);
    return rc;
}

/* --action A[,B...]: each SERVICE:ACTION. */
static int add_actions(json_t *actions, const char *arg, cli_error *e)
{
    for (const char *p = arg;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (len == 0 || colon == NULL || colon == p || colon == p + len - 1 ||
            strcspn(p, " \t\r\n") < len)
            return usage(e, "--action must be SERVICE:ACTION (e.g. dynamodb:Query), got '%.*s'",
                         (int)len, p);
        json_t *s = json_stringn(p, len);
        if (s == NULL)
            return usage(e, "--action is not valid UTF-8");
        json_array_append_new(actions, s);
        if (comma == NULL)
            return DDB_OK;
        p = comma + 1;
    }
}

static int add_tag(json_t *tags, const char *arg, cli_error *e)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg)
        return usage(e, "--tag must be KEY=VALUE, got '%s'", arg);
    char *key = ddb_xstrndup(arg, (size_t)(eq - arg));
    json_t *value = json_string(eq + 1);
    /* json_object_set_new refuses a key that is not UTF-8 (and frees 'value') */
    int rc = value != NULL && json_object_set_new(tags, key, value) == 0
                 ? DDB_OK
                 : usage(e, "--tag %s is not valid UTF-8", arg);
    free(key);
    return rc;
}

static int all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int cli_sim_input_parse(const cli_args *a, const char *region_flag, cli_getenv_fn env,
                        cli_sim_input *in, cli_error *e)
{
    memset(in, 0, sizeof *in);
    in->actions = json_array();
    in->tags = json_object();
    in->context = json_object();
    for (size_t i = 0; i < a->n; i++) {
        const char *name = a->names[i], *val = a->vals[i];
        int rc = DDB_OK;
        if (strcmp(name, "principals") == 0) {
            in->principals_file = val;
        } else if (strcmp(name, "principal") == 0) {
            in->principal = val;
        } else if (strcmp(name, "policy") == 0) {
            in->policy_files[in->n_policy_files++] = val; /* a->n <= CLI_MAX_ARGS */
        } else if (strcmp(name, "tag") == 0) {
            rc = add_tag(in->tags, val, e);
        } else if (strcmp(name, "action") == 0) {
            rc = add_actions(in->actions, val, e);
        } else if (strcmp(name, "resource") == 0) {
            if (in->resource != NULL)
                return usage(e, "--resource may be given once (one resource per simulation)");
            if (val[0] == '\0')
                return usage(e, "--resource must not be empty");
            in->resource = val;
        } else if (strcmp(name, "account") == 0) {
            if (!all_digits(val, 12))
                return usage(e, "--account must be 12 digits, got '%s'", val);
            in->account = val;
        } else if (strcmp(name, "context") == 0) {
            rc = add_context(in->context, val, e);
        } else if (strcmp(name, "leading-key") == 0) {
            rc = add_multi_value(in->context, LEADING_KEYS, val, strlen(val), e);
        }
        if (rc != DDB_OK)
            return DDB_ERR;
    }
    if (json_array_size(in->actions) == 0)
        return usage(e, "--action is required (e.g. --action dynamodb:Query)");
    if (in->principals_file == NULL && in->n_policy_files == 0)
        return usage(e, "give --principals FILE --principal WHO, or --policy FILE");
    if (in->principals_file != NULL && in->principal == NULL)
        return usage(e, "--principals needs --principal (a user name, ARN or access key id "
                        "of %s)", in->principals_file);
    if (in->principals_file != NULL) {
        if (json_object_size(in->tags) != 0)
            return usage(e, "--tag sets the tags of a --policy simulation; with --principals "
                            "the principal's tags come from %s", in->principals_file);
        const char *k;
        json_t *v;
        json_object_foreach(in->context, k, v) {
            if (ddb_principal_key_is_own(k))
                return usage(e, "--context %s: with --principals this key comes from the "
                                "principal in %s", k, in->principals_file);
        }
    }
    const char *region = region_flag;
    if (region == NULL || region[0] == '\0')
        region = env("AWS_REGION");
    if (region == NULL || region[0] == '\0')
        region = env("AWS_DEFAULT_REGION");
    in->region = region && region[0] ? region : CLI_SIM_REGION;
    return DDB_OK;
}

void cli_sim_input_free(cli_sim_input *in)
{
    json_decref(in->actions);
    json_decref(in->tags);
    json_decref(in->context);
    memset(in, 0, sizeof *in);
}

/*---- the simulation ----*/

static void add_policy(cli_sim *s, ddb_policy *p)
{
    s->policies = ddb_xrealloc(s->policies, (s->n_policies + 1) * sizeof *s->policies);
    s->policies[s->n_policies++] = p;
}

/* A "no such principal" error listing the names of the file. */
static int no_such_principal(const ddb_principals *all, const char *file, const char *who,
                             cli_error *e)
{
    ddb_buf names = DDB_BUF_INIT;
    for (size_t i = 0; i < all->n && i < MAX_NAME_HINTS; i++) {
        const ddb_principal *p = &all->v[i];
        ddb_buf_printf(&names, "%s%s", i ? ", " : "", p->username ? p->username : p->arn);
    }
    if (all->n > MAX_NAME_HINTS)
        ddb_buf_puts(&names, ", ...");
    char *list = ddb_buf_steal(&names, NULL);
    usage(e, "%s has no principal '%s' (name one by user name, ARN or access key id: %s)",
          file, who, list);
    free(list);
    return DDB_ERR;
}

/* The principal of --principals FILE --principal WHO, with its policies. */
static int load_file_principal(const cli_sim_input *in, cli_sim *s, const char **account,
                               cli_error *e)
{
    ddb_error err = DDB_ERROR_INIT;
    s->file = ddb_principals_load(in->principals_file, &err);
    if (s->file == NULL) {
        cli_fail(e, CLI_EXIT_CONFIG, "PrincipalsFileError", "%s",
                 err.message ? err.message : in->principals_file);
        ddb_err_clear(&err);
        return DDB_ERR;
    }
    const ddb_principal *p = NULL;
    size_t n = ddb_principals_lookup(s->file, in->principal, &p);
    if (n == 0)
        return no_such_principal(s->file, in->principals_file, in->principal, e);
    if (n > 1)
        return usage(e, "'%s' names %zu principals of %s; name one by its access key id",
                     in->principal, n, in->principals_file);
    if (in->account != NULL && strcmp(in->account, s->file->account) != 0)
        return usage(e, "--account %s is not the account of %s (%s), which ddbd serves",
                     in->account, in->principals_file, s->file->account);
    s->who = p;
    for (size_t i = 0; i < p->n_policies; i++)
        add_policy(s, p->policies[i]);
    *account = s->file->account;
    return DDB_OK;
}

/* The caller of a --policy simulation: --principal ARN (default a user of
** the account) with the --tag tags. */
static int make_caller(const cli_sim_input *in, cli_sim *s, const char **account,
                       cli_error *e)
{
    char *fallback = NULL;
    const char *arn = in->principal;
    if (arn == NULL)
        arn = fallback = ddb_xasprintf("arn:aws:iam::%s:user/%s",
                                       in->account ? in->account : CLI_SIM_ACCOUNT,
                                       CLI_SIM_CALLER);
    int rc = ddb_principal_init(&s->caller, arn);
    free(fallback);
    if (rc != 0)
        return usage(e, "--principal without --principals must be a caller ARN, "
                        "arn:aws:iam::ACCOUNT:user/NAME or "
                        "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, got '%s'",
                     in->principal);
    json_object_update(s->caller.tags, in->tags);
    s->who = &s->caller;
    *account = in->account ? in->account : s->caller.account;
    return DDB_OK;
}

/* Read and compile one --policy file. */
static int load_policy_file(const char *path, cli_sim *s, cli_error *e)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL && jerr.line < 1) /* not read at all: jansson's text names the file */
        return cli_fail(e, CLI_EXIT_CONFIG, "PolicyFileError", "%s", jerr.text);
    if (doc == NULL)
        return cli_fail(e, CLI_EXIT_CONFIG, "PolicyFileError", "%s: line %d column %d: %s",
                        path, jerr.line, jerr.column, jerr.text);
    ddb_error err = DDB_ERROR_INIT;
    ddb_policy *p = ddb_iam_policy_parse(doc, path, &err);
    json_decref(doc);
    if (p == NULL) {
        cli_fail(e, CLI_EXIT_CONFIG, "PolicyFileError", "%s", err.message ? err.message : path);
        ddb_err_clear(&err);
        return DDB_ERR;
    }
    s->extra = ddb_xrealloc(s->extra, (s->n_extra + 1) * sizeof *s->extra);
    s->extra[s->n_extra++] = p;
    add_policy(s, p);
    return DDB_OK;
}

/* DynamoDB's table and index name rule: 3 to 255 of [A-Za-z0-9_.-]. */
static int valid_name(const char *s, size_t n)
{
    if (n < 3 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return 0;
    return 1;
}

/* --resource: an ARN or "*" as is; TABLE or TABLE/index/INDEX expanded to
** the ARN ddbd authorizes (arn:aws:dynamodb:REGION:ACCOUNT:table/...). */
static char *expand_resource(const char *r, const char *region, const char *account,
                             cli_error *e)
{
    if (r == NULL || strcmp(r, "*") == 0)
        return ddb_xstrdup("*");
    if (strncmp(r, "arn:", 4) == 0)
        return ddb_xstrdup(r);
    const char *slash = strchr(r, '/');
    size_t table_len = slash ? (size_t)(slash - r) : strlen(r);
    const char *index = slash && strncmp(slash, "/index/", 7) == 0 ? slash + 7 : NULL;
    int index_ok = slash == NULL || (index != NULL && valid_name(index, strlen(index)));
    if (!valid_name(r, table_len) || !index_ok) {
        usage(e, "--resource must be an ARN, *, a table name or TABLE/index/INDEX "
                 "(names of 3 to 255 letters, digits, '_', '-', '.'), got '%s'", r);
        return NULL;
    }
    return ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/%s", region, account, r);
}

/* The context ddbd would build: request facts, the principal's keys, then
** the keys given on the command line (which may replace a fact). */
static json_t *build_context(const cli_sim_input *in, const ddb_principal *who, time_t now)
{
    json_t *ctx = json_object();
    ddb_principal_request_facts(ctx, now, in->region, CLI_SIM_SOURCE_IP);
    ddb_principal_context(who, ctx);
    const char *k;
    json_t *v;
    json_object_foreach(in->context, k, v) {
        const char *have = find_key(ctx, k);
        if (have != NULL)
            json_object_del(ctx, have);
        json_object_set(ctx, k, v);
    }
    return ctx;
}

int cli_sim_run(const cli_sim_input *in, time_t now, cli_sim *s, cli_error *e)
{
    memset(s, 0, sizeof *s);
    const char *account = NULL;
    if (in->principals_file != NULL ? load_file_principal(in, s, &account, e)
                                    : make_caller(in, s, &account, e))
        return DDB_ERR;
    for (size_t i = 0; i < in->n_policy_files; i++)
        if (load_policy_file(in->policy_files[i], s, e) != DDB_OK)
            return DDB_ERR;
    s->resource = expand_resource(in->resource, in->region, account, e);
    if (s->resource == NULL)
        return DDB_ERR;
    s->context = build_context(in, s->who, now);
    s->n_results = json_array_size(in->actions);
    s->results = ddb_xcalloc(s->n_results, sizeof *s->results);
    for (size_t i = 0; i < s->n_results; i++) {
        cli_sim_result *r = &s->results[i];
        r->action = json_string_value(json_array_get(in->actions, i));
        r->decision = ddb_iam_evaluate(s->policies, s->n_policies, r->action, s->resource,
                                       s->context, &r->why);
        r->message = ddb_principal_denied_message(s->who, r->action, s->resource, r->decision);
    }
    return DDB_OK;
}

void cli_sim_free(cli_sim *s)
{
    for (size_t i = 0; i < s->n_results; i++)
        free(s->results[i].message);
    free(s->results);
    json_decref(s->context);
    free(s->resource);
    free(s->policies);
    for (size_t i = 0; i < s->n_extra; i++)
        ddb_iam_policy_free(s->extra[i]);
    free(s->extra);
    ddb_principal_clear(&s->caller);
    ddb_principals_free(s->file);
    memset(s, 0, sizeof *s);
}

/*---- results ----*/

const char *cli_sim_decision_name(ddb_iam_decision d)
{
    switch (d) {
        case DDB_IAM_ALLOW:
            return "allowed";
        case DDB_IAM_EXPLICIT_DENY:
            return "explicitDeny";
        default:
            return "implicitDeny";
    }
}

size_t cli_sim_denied(const cli_sim *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_results; i++)
        n += s->results[i].decision != DDB_IAM_ALLOW;
    return n;
}

void cli_sim_text(const cli_sim *s, ddb_buf *out)
{
    for (size_t i = 0; i < s->n_results; i++) {
        const cli_sim_result *r = &s->results[i];
        ddb_buf_printf(out, "%s %s", r->action, cli_sim_decision_name(r->decision));
        if (r->why.policy != NULL) {
            ddb_buf_printf(out, " by %s Statement[%d]", ddb_iam_policy_name(r->why.policy),
                           r->why.statement);
            if (r->why.sid != NULL)
                ddb_buf_printf(out, " (Sid %s)", r->why.sid);
        } else {
            ddb_buf_puts(out, " (no statement matched)");
        }
        if (r->message != NULL)
            ddb_buf_printf(out, ": AccessDeniedException: %s", r->message);
        ddb_buf_putc(out, '\n');
    }
}

json_t *cli_sim_json(const cli_sim *s)
{
    json_t *policies = json_array();
    for (size_t i = 0; i < s->n_policies; i++)
        json_array_append_new(policies, json_string(ddb_iam_policy_name(s->policies[i])));
    json_t *results = json_array();
    for (size_t i = 0; i < s->n_results; i++) {
        const cli_sim_result *r = &s->results[i];
        json_t *matched = json_array();
        if (r->why.policy != NULL) {
            json_t *m = json_pack("{s:s, s:i}", "SourcePolicyId",
                                  ddb_iam_policy_name(r->why.policy), "StatementIndex",
                                  r->why.statement);
            if (r->why.sid != NULL)
                json_object_set_new(m, "Sid", json_string(r->why.sid));
            json_array_append_new(matched, m);
        }
        json_array_append_new(
            results, json_pack("{s:s, s:s, s:s, s:o, s:o}", "EvalActionName", r->action,
                               "EvalResourceName", s->resource, "EvalDecision",
                               cli_sim_decision_name(r->decision), "MatchedStatements", matched,
                               "AccessDeniedException",
                               r->message ? json_string(r->message) : json_null()));
    }
    return json_pack("{s:s, s:o, s:s, s:O, s:o}", "Principal", s->who->arn, "Policies",
                     policies, "Resource", s->resource, "Context", s->context,
                     "EvaluationResults", results);
}

void cli_sim_table(const cli_sim *s, cli_table *t)
{
    static const char *const cols[] = {"Action",    "Decision", "Policy",
                                       "Statement", "Sid",      "AccessDeniedException"};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
        cli_table_col(t, cols[c]);
    for (size_t i = 0; i < s->n_results; i++) {
        const cli_sim_result *r = &s->results[i];
        cli_table_row(t);
        cli_table_set(t, 0, ddb_xstrdup(r->action));
        cli_table_set(t, 1, ddb_xstrdup(cli_sim_decision_name(r->decision)));
        cli_table_set(t, 2, ddb_xstrdup(r->why.policy ? ddb_iam_policy_name(r->why.policy) : "-"));
        cli_table_set(t, 3, r->why.policy ? ddb_xasprintf("%d", r->why.statement)
                                          : ddb_xstrdup("-"));
        cli_table_set(t, 4, ddb_xstrdup(r->why.sid ? r->why.sid : "-"));
        cli_table_set(t, 5, ddb_xstrdup(r->message ? r->message : "-"));
    }
}
