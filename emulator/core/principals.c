/* SPDX-License-Identifier: MIT
**
** principals.c -- the principals file of ddbd (see ddb_principals.h): loads
** and validates it, derives each principal's identity (user name, unique id,
** role ARN) from its ARN, and finds a principal by access key, ARN or name.
** Every error names the file, the JSON path and the problem, so a workshop
** organiser can fix a typo without reading code.
*/
#include "ddb_principals.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

static int fail(ddb_error *err, const char *file, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(ddb_error *err, const char *file, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    ddb_err_set(err, DDB_E_VALIDATION, "%s: %s: %s", file, path, msg);
    free(msg);
    return DDB_ERR;
}

/* A stable id like AIDA + 17 characters of [A-Z2-7], derived from 'seed'. */
static char *unique_id(const char *prefix, const char *seed)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint64_t h1 = ddb_hash64(seed, strlen(seed));
    uint64_t h2 = ddb_hash64(&h1, sizeof h1);
    char out[32];
    size_t o = strlen(prefix);
    memcpy(out, prefix, o);
    for (int i = 0; i < 17; i++) {
        uint64_t *h = i < 12 ? &h1 : &h2;
        out[o++] = alphabet[*h & 31];
        *h >>= 5;
    }
    out[o] = '\0';
    return ddb_xstrdup(out);
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

int ddb_principal_init(ddb_principal *p, const char *arn)
{
    p->arn = ddb_xstrdup(arn);
    p->tags = json_object();
    const char *user_prefix = "arn:aws:iam::";
    const char *sts_prefix = "arn:aws:sts::";
    char account[13];
    if (strncmp(arn, user_prefix, strlen(user_prefix)) == 0) {
        const char *a = arn + strlen(user_prefix);
        if (strlen(a) < 13 || a[12] != ':')
            return -1;
        memcpy(account, a, 12);
        account[12] = '\0';
        if (!all_digits(account, 12) || strncmp(a + 13, "user/", 5) != 0)
            return -1;
        const char *name = strrchr(a + 13, '/') + 1;
        if (*name == '\0')
            return -1;
        p->type = DDB_PRINCIPAL_USER;
        p->account = ddb_xstrdup(account);
        p->username = ddb_xstrdup(name);
        p->principal_arn = ddb_xstrdup(arn);
        p->userid = unique_id("AIDA", arn);
        return 0;
    }
    if (strncmp(arn, sts_prefix, strlen(sts_prefix)) == 0) {
        const char *a = arn + strlen(sts_prefix);
        if (strlen(a) < 13 || a[12] != ':')
            return -1;
        memcpy(account, a, 12);
        account[12] = '\0';
        const char *rest = a + 13;
        if (!all_digits(account, 12) || strncmp(rest, "assumed-role/", 13) != 0)
            return -1;
        const char *role = rest + 13;
        const char *slash = strchr(role, '/');
        if (slash == NULL || slash == role || slash[1] == '\0' || strchr(slash + 1, '/'))
            return -1;
        p->type = DDB_PRINCIPAL_ASSUMED_ROLE;
        p->account = ddb_xstrdup(account);
        char *role_arn = ddb_xasprintf("arn:aws:iam::%s:role/%.*s", account,
                                       (int)(slash - role), role);
        char *roleid = unique_id("AROA", role_arn);
        p->userid = ddb_xasprintf("%s:%s", roleid, slash + 1);
        p->principal_arn = role_arn;
        free(roleid);
        return 0;
    }
    return -1;
}

static int load_policy(ddb_principal *p, json_t *entry, const char *dir, const char *file,
                       const char *path, ddb_error *err)
{
    json_t *doc;
    char *name;
    if (json_is_string(entry)) {
        const char *rel = json_string_value(entry);
        char *full = rel[0] == '/' ? ddb_xstrdup(rel) : ddb_xasprintf("%s/%s", dir, rel);
        json_error_t jerr;
        doc = json_load_file(full, JSON_REJECT_DUPLICATES, &jerr);
        if (doc == NULL) {
            fail(err, file, path, "cannot read policy file %s: %s (line %d)", full, jerr.text,
                 jerr.line);
            free(full);
            return DDB_ERR;
        }
        free(full);
        name = ddb_xstrdup(rel);
    } else if (json_is_object(entry)) {
        doc = json_incref(entry);
        name = ddb_xasprintf("%s: %s", file, path);
    } else {
        return fail(err, file, path, "a policy must be a file name or a policy document");
    }
    /* the policy parser names the policy, the JSON path and the problem */
    ddb_policy *pol = ddb_iam_policy_parse(doc, name, err);
    json_decref(doc);
    free(name);
    if (pol == NULL)
        return DDB_ERR;
    p->policies = ddb_xrealloc(p->policies, (p->n_policies + 1) * sizeof *p->policies);
    p->policies[p->n_policies++] = pol;
    return DDB_OK;
}

static int load_principal(ddb_principals *all, size_t i, json_t *e, const char *dir,
                          ddb_error *err)
{
    ddb_principal *p = &all->v[i];
    const char *file = all->path;
    char path[96];
    snprintf(path, sizeof path, "principals[%zu]", i);
    if (!json_is_object(e))
        return fail(err, file, path, "a principal must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(e, k, v) {
        static const char *const known[] = {"arn", "access_key_id", "secret_access_key",
                                            "session_token", "tags", "policies", NULL};
        int ok = 0;
        for (int j = 0; known[j]; j++)
            ok |= strcmp(known[j], k) == 0;
        if (!ok)
            return fail(err, file, path, "unknown member '%s'", k);
    }
    const char *arn = json_string_value(json_object_get(e, "arn"));
    if (arn == NULL)
        return fail(err, file, path, "'arn' (a string) is missing");
    if (ddb_principal_init(p, arn) < 0)
        return fail(err, file, path,
                    "bad ARN '%s': expected arn:aws:iam::ACCOUNT:user/NAME or "
                    "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION",
                    arn);
    if (strcmp(p->account, all->account) != 0)
        return fail(err, file, path, "ARN '%s' is not in account %s", arn, all->account);
    const char *akid = json_string_value(json_object_get(e, "access_key_id"));
    const char *secret = json_string_value(json_object_get(e, "secret_access_key"));
    if (akid == NULL || strlen(akid) < 4 || strlen(akid) > 128)
        return fail(err, file, path, "'access_key_id' must be a string of 4 to 128 characters");
    if (secret == NULL || secret[0] == '\0')
        return fail(err, file, path, "'secret_access_key' must be a non-empty string");
    for (size_t j = 0; j < i; j++)
        if (strcmp(all->v[j].access_key_id, akid) == 0)
            return fail(err, file, path, "access key %s is already used by principals[%zu]", akid,
                        j);
    p->access_key_id = ddb_xstrdup(akid);
    p->secret = ddb_xstrdup(secret);
    json_t *token = json_object_get(e, "session_token");
    if (p->type == DDB_PRINCIPAL_ASSUMED_ROLE) {
        if (!json_is_string(token) || json_string_length(token) == 0)
            return fail(err, file, path,
                        "an assumed-role session needs a 'session_token' (a non-empty string)");
        p->session_token = ddb_xstrdup(json_string_value(token));
    } else if (token != NULL) {
        return fail(err, file, path, "an IAM user has no 'session_token'");
    }
    json_t *tags = json_object_get(e, "tags");
    if (tags != NULL) {
        if (!json_is_object(tags))
            return fail(err, file, path, "'tags' must be an object of strings");
        json_object_foreach(tags, k, v) {
            if (!json_is_string(v)) {
                char tp[160];
                snprintf(tp, sizeof tp, "%s.tags.%s", path, k);
                return fail(err, file, tp, "a tag value must be a string");
            }
            json_object_set(p->tags, k, v);
        }
    }
    json_t *pols = json_object_get(e, "policies");
    if (pols != NULL && !json_is_array(pols))
        return fail(err, file, path, "'policies' must be an array");
    size_t j;
    json_array_foreach(pols, j, v) {
        char pp[160];
        snprintf(pp, sizeof pp, "%s.policies[%zu]", path, j);
        if (load_policy(p, v, dir, file, pp, err) != DDB_OK)
            return DDB_ERR;
    }
    return DDB_OK;
}

ddb_principals *ddb_principals_load(const char *path, ddb_error *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        ddb_err_set(err, DDB_E_VALIDATION, "%s: line %d: %s", path, jerr.line, jerr.text);
        return NULL;
    }
    ddb_principals *all = ddb_xcalloc(1, sizeof *all);
    all->path = ddb_xstrdup(path);
    char *dircopy = ddb_xstrdup(path);
    char *dir = ddb_xstrdup(dirname(dircopy));
    free(dircopy);
    int rc = DDB_ERR;
    const char *account = json_string_value(json_object_get(root, "account_id"));
    json_t *list = json_object_get(root, "principals");
    if (!json_is_object(root)) {
        fail(err, path, "$", "the file must hold a JSON object");
    } else if (account == NULL || !all_digits(account, 12)) {
        fail(err, path, "account_id", "must be a string of 12 digits");
    } else if (!json_is_array(list) || json_array_size(list) == 0) {
        fail(err, path, "principals", "must be a non-empty array");
    } else {
        all->account = ddb_xstrdup(account);
        all->n = json_array_size(list);
        all->v = ddb_xcalloc(all->n, sizeof *all->v);
        rc = DDB_OK;
        for (size_t i = 0; i < all->n && rc == DDB_OK; i++)
            rc = load_principal(all, i, json_array_get(list, i), dir, err);
    }
    free(dir);
    json_decref(root);
    if (rc != DDB_OK) {
        ddb_principals_free(all);
        return NULL;
    }
    for (size_t i = 0; i < all->n; i++) { /* a principal's own keys never change */
        all->v[i].own_context = json_object();
        ddb_principal_context(&all->v[i], all->v[i].own_context);
    }
    return all;
}

void ddb_principal_clear(ddb_principal *p)
{
    free(p->arn);
    free(p->principal_arn);
    free(p->account);
    free(p->username);
    free(p->userid);
    free(p->access_key_id);
    free(p->secret);
    free(p->session_token);
    json_decref(p->tags);
    json_decref(p->own_context);
    for (size_t j = 0; j < p->n_policies; j++)
        ddb_iam_policy_free(p->policies[j]);
    free(p->policies);
    memset(p, 0, sizeof *p);
}

void ddb_principals_free(ddb_principals *all)
{
    if (all == NULL)
        return;
    for (size_t i = 0; i < all->n; i++)
        ddb_principal_clear(&all->v[i]);
    free(all->v);
    free(all->account);
    free(all->path);
    free(all);
}

const ddb_principal *ddb_principals_find(const ddb_principals *all, const char *akid)
{
    for (size_t i = 0; i < all->n; i++)
        if (strcmp(all->v[i].access_key_id, akid) == 0)
            return &all->v[i];
    return NULL;
}

/* The session name of an assumed-role session ARN (after the last '/'), or NULL. */
static const char *session_name(const ddb_principal *p)
{
    if (p->type != DDB_PRINCIPAL_ASSUMED_ROLE)
        return NULL;
    const char *slash = strrchr(p->arn, '/');
    return slash ? slash + 1 : NULL;
}

size_t ddb_principals_lookup(const ddb_principals *all, const char *who,
                             const ddb_principal **first)
{
    const ddb_principal *by_key = ddb_principals_find(all, who);
    *first = by_key;
    if (by_key != NULL)
        return 1; /* access keys are unique in the file */
    size_t n = 0;
    for (size_t i = 0; i < all->n; i++) {
        const ddb_principal *p = &all->v[i];
        const char *session = session_name(p);
        if (strcmp(p->arn, who) == 0 || (p->username && strcmp(p->username, who) == 0) ||
            (session && strcmp(session, who) == 0)) {
            if (n++ == 0)
                *first = p;
        }
    }
    return n;
}
