/* SPDX-License-Identifier: MIT
**
** config.c -- where ddb's settings come from, in the AWS CLI's order: the
** shared config and credentials files (INI, parsed as botocore's
** RawConfigParser reads them), the profile in effect, region, static
** credentials, the attempt count, and the endpoint URL of each service.
** Pure: reads files and an injectable environment, no network.
*/
#include "client.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*---- INI files ----*/

static void ini_add(cli_ini *ini, const char *section, const char *key, const char *value)
{
    if (ini->n == ini->cap) {
        ini->cap = ini->cap ? 2 * ini->cap : 16;
        ini->v = ddb_xrealloc(ini->v, ini->cap * sizeof *ini->v);
    }
    ini->v[ini->n].section = ddb_xstrdup(section);
    ini->v[ini->n].key = ddb_xstrdup(key);
    ini->v[ini->n].value = ddb_xstrdup(value);
    ini->n++;
}

static void ini_add_section(cli_ini *ini, const char *section)
{
    if (cli_ini_has(ini, section))
        return;
    if (ini->n_sections == ini->cap_sections) {
        ini->cap_sections = ini->cap_sections ? 2 * ini->cap_sections : 8;
        ini->sections =
            ddb_xrealloc(ini->sections, ini->cap_sections * sizeof *ini->sections);
    }
    ini->sections[ini->n_sections++] = ddb_xstrdup(section);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* The profile a section header names, or NULL for sections that are not
** profiles ("[sso-session x]", "[services x]", "[x]" in a config file).
** New string. */
static char *section_profile(const char *name, int is_config)
{
    if (!is_config)
        return ddb_xstrdup(name);
    if (strcmp(name, "default") == 0)
        return ddb_xstrdup(name);
    if (strncmp(name, "profile", 7) == 0 && (name[7] == ' ' || name[7] == '\t')) {
        const char *p = name + 7;
        while (*p == ' ' || *p == '\t')
            p++;
        return *p ? ddb_xstrdup(p) : NULL;
    }
    return NULL;
}

int cli_ini_parse(const char *text, size_t len, int is_config, const char *path,
                  cli_ini *out, cli_error *e)
{
    char *copy = ddb_xstrndup(text, len);
    char *line = copy;
    char *section = NULL;  /* current profile, NULL inside ignored sections */
    int in_section = 0;    /* a header has been seen */
    size_t last_entry = 0; /* index + 1 of the last key, for continuations */
    int rc = DDB_OK;
    if ((unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF)
        line += 3;
    for (int lineno = 1; line != NULL && rc == DDB_OK; lineno++) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        char *next = nl ? nl + 1 : NULL;
        int indented = line[0] == ' ' || line[0] == '\t';
        char *t = trim(line);
        if (t[0] == '\0' || t[0] == '#' || t[0] == ';') {
            if (t[0] == '\0')
                last_entry = 0;
        } else if (indented && last_entry > 0) {
            cli_ini_entry *en = &out->v[last_entry - 1];
            char *joined = ddb_xasprintf("%s\n%s", en->value, t);
            free(en->value);
            en->value = joined;
        } else if (t[0] == '[') {
            char *close = strchr(t, ']');
            if (close == NULL) {
                rc = cli_fail(e, CLI_EXIT_CONFIG, "ConfigParseError",
                              "Unable to parse config file: %s (line %d: no closing ']')",
                              path, lineno);
                break;
            }
            *close = '\0';
            free(section);
            section = section_profile(trim(t + 1), is_config);
            if (section != NULL)
                ini_add_section(out, section);
            in_section = 1;
            last_entry = 0;
        } else {
            char *eq = strpbrk(t, "=:");
            if (!in_section || eq == NULL) {
                rc = cli_fail(
                    e, CLI_EXIT_CONFIG, "ConfigParseError",
                    "Unable to parse config file: %s (line %d: %s)", path, lineno,
                    in_section ? "expected 'key = value'" : "no [section] header");
                break;
            }
            *eq = '\0';
            char *key = trim(t);
            for (char *k = key; *k; k++)
                *k = (char)tolower((unsigned char)*k);
            if (section != NULL) {
                ini_add(out, section, key, trim(eq + 1));
                last_entry = out->n;
            } else {
                last_entry = 0;
            }
        }
        line = next;
    }
    free(section);
    free(copy);
    return rc;
}

const char *cli_ini_get(const cli_ini *ini, const char *section, const char *key)
{
    for (size_t i = ini->n; i > 0; i--) {
        const cli_ini_entry *en = &ini->v[i - 1];
        if (strcmp(en->section, section) == 0 && strcmp(en->key, key) == 0)
            return en->value;
    }
    return NULL;
}

int cli_ini_has(const cli_ini *ini, const char *section)
{
    for (size_t i = 0; i < ini->n_sections; i++)
        if (strcmp(ini->sections[i], section) == 0)
            return 1;
    return 0;
}

void cli_ini_free(cli_ini *ini)
{
    for (size_t i = 0; i < ini->n; i++) {
        free(ini->v[i].section);
        free(ini->v[i].key);
        free(ini->v[i].value);
    }
    for (size_t i = 0; i < ini->n_sections; i++)
        free(ini->sections[i]);
    free(ini->v);
    free(ini->sections);
    memset(ini, 0, sizeof *ini);
}

/*---- resolution ----*/

static const char *env_nonempty(cli_getenv_fn env, const char *name)
{
    const char *v = env(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* The path of a shared file: the variable, else ~/.aws/<name>. New string. */
static char *file_path(cli_getenv_fn env, const char *var, const char *name)
{
    const char *p = env_nonempty(env, var);
    const char *home = env_nonempty(env, "HOME");
    if (p == NULL)
        return ddb_xasprintf("%s/.aws/%s", home ? home : ".", name);
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0'))
        return ddb_xasprintf("%s%s", home ? home : "", p + 1);
    return ddb_xstrdup(p);
}

/* Load one shared file; a file that does not exist is an empty one. */
static int load_file(const char *path, int is_config, cli_ini *out, cli_error *e)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        if (errno == ENOENT || errno == ENOTDIR)
            return DDB_OK;
        return cli_fail(e, CLI_EXIT_CONFIG, "ConfigParseError", "Unable to read %s: %s",
                        path, strerror(errno));
    }
    ddb_buf b = DDB_BUF_INIT;
    char chunk[8192];
    size_t got;
    int rc = DDB_OK;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b.len + got > CLI_MAX_INPUT) {
            rc =
                cli_fail(e, CLI_EXIT_CONFIG, "ConfigParseError", "%s is too large", path);
            break;
        }
        ddb_buf_append(&b, chunk, got);
    }
    if (rc == DDB_OK && ferror(fp))
        rc = cli_fail(e, CLI_EXIT_CONFIG, "ConfigParseError", "Unable to read %s", path);
    fclose(fp);
    if (rc == DDB_OK)
        rc = cli_ini_parse(b.data ? (const char *)b.data : "", b.len, is_config, path,
                           out, e);
    ddb_buf_free(&b);
    return rc;
}

/* Region names as botocore accepts them: letters, digits and inner '-'. */
static int region_ok(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)r[i]) && r[i] != '-')
            return 0;
    return 1;
}

/* A profile setting: the credentials file wins over the config file, as
** botocore merges the two. Borrowed or NULL. */
static const char *profile_get(const cli_ini *cred, const cli_ini *conf,
                               const char *profile, const char *key)
{
    const char *v = cli_ini_get(cred, profile, key);
    return v ? v : cli_ini_get(conf, profile, key);
}

static int resolve_credentials(const cli_flags *f, cli_getenv_fn env, const cli_ini *cred,
                               const cli_ini *conf, const char *cred_path,
                               const char *conf_path, cli_config *out, cli_error *e)
{
    const char *p = out->profile;
    /* An explicit --profile outranks the environment, as in the AWS CLI. */
    if (f->profile == NULL) {
        const char *ak = env_nonempty(env, "AWS_ACCESS_KEY_ID");
        const char *sk = env_nonempty(env, "AWS_SECRET_ACCESS_KEY");
        if (ak != NULL || sk != NULL) {
            if (ak == NULL || sk == NULL)
                return cli_fail(e, CLI_EXIT_CONFIG, "PartialCredentialsError",
                                "Partial credentials found in env, missing: %s",
                                ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
            const char *tok = env_nonempty(env, "AWS_SESSION_TOKEN");
            if (tok == NULL)
                tok = env_nonempty(env, "AWS_SECURITY_TOKEN");
            out->access_key = ddb_xstrdup(ak);
            out->secret_key = ddb_xstrdup(sk);
            out->session_token = tok ? ddb_xstrdup(tok) : NULL;
            out->cred_source = ddb_xstrdup("environment");
            return DDB_OK;
        }
    }
    /* the credentials file first, then the config file */
    for (int from_cred = 1; from_cred >= 0; from_cred--) {
        const cli_ini *ini = from_cred ? cred : conf;
        const char *path = from_cred ? cred_path : conf_path;
        const char *ak = cli_ini_get(ini, p, "aws_access_key_id");
        const char *sk = cli_ini_get(ini, p, "aws_secret_access_key");
        if ((ak == NULL || ak[0] == '\0') && (sk == NULL || sk[0] == '\0'))
            continue;
        if (ak == NULL || ak[0] == '\0' || sk == NULL || sk[0] == '\0')
            return cli_fail(e, CLI_EXIT_CONFIG, "PartialCredentialsError",
                            "Partial credentials found in %s, missing: %s",
                            from_cred ? "shared-credentials-file" : "config-file",
                            ak && ak[0] ? "aws_secret_access_key" : "aws_access_key_id");
        const char *tok = cli_ini_get(ini, p, "aws_session_token");
        if (tok == NULL || tok[0] == '\0')
            tok = cli_ini_get(ini, p, "aws_security_token");
        out->access_key = ddb_xstrdup(ak);
        out->secret_key = ddb_xstrdup(sk);
        out->session_token = tok && tok[0] ? ddb_xstrdup(tok) : NULL;
        out->cred_source = ddb_xasprintf("%s [%s]", path, p);
        return DDB_OK;
    }
    static const char *const unsupported[] = {
        "credential_process",      "role_arn",          "sso_session", "sso_start_url",
        "web_identity_token_file", "credential_source", NULL};
    for (size_t i = 0; unsupported[i] != NULL; i++)
        if (profile_get(cred, conf, p, unsupported[i]) != NULL)
            return cli_fail(
                e, CLI_EXIT_CONFIG, "NoCredentialsError",
                "profile %s uses %s, which ddb does not support; export static "
                "credentials first (aws configure export-credentials --profile "
                "%s --format env)",
                p, unsupported[i], p);
    return cli_fail(e, CLI_EXIT_CONFIG, "NoCredentialsError",
                    "Unable to locate credentials");
}

int cli_config_resolve(const cli_flags *f, cli_getenv_fn env, cli_config *out,
                       cli_error *e)
{
    cli_ini cred = {0}, conf = {0};
    char *cred_path = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    char *conf_path = file_path(env, "AWS_CONFIG_FILE", "config");
    int rc = DDB_ERR;
    memset(out, 0, sizeof *out);

    const char *profile = f->profile;
    if (profile == NULL)
        profile = env_nonempty(env, "AWS_PROFILE");
    if (profile == NULL)
        profile = env_nonempty(env, "AWS_DEFAULT_PROFILE");
    int explicit_profile = profile != NULL;
    out->profile = ddb_xstrdup(profile ? profile : "default");

    if (load_file(conf_path, 1, &conf, e) != DDB_OK ||
        load_file(cred_path, 0, &cred, e) != DDB_OK)
        goto out;
    if (explicit_profile && !cli_ini_has(&conf, out->profile) &&
        !cli_ini_has(&cred, out->profile)) {
        cli_fail(e, CLI_EXIT_CONFIG, "ProfileNotFound",
                 "The config profile (%s) could not be found", out->profile);
        goto out;
    }

    const char *region = f->region;
    if (region == NULL)
        region = env_nonempty(env, "AWS_REGION");
    if (region == NULL)
        region = env_nonempty(env, "AWS_DEFAULT_REGION");
    if (region == NULL)
        region = profile_get(&cred, &conf, out->profile, "region");
    if (region == NULL || region[0] == '\0') {
        cli_fail(e, CLI_EXIT_CONFIG, "NoRegionError", "You must specify a region.");
        goto out;
    }
    if (!region_ok(region)) {
        cli_fail(e, CLI_EXIT_CONFIG, "InvalidRegionError",
                 "Provided region_name '%s' doesn't match a supported format.", region);
        goto out;
    }
    out->region = ddb_xstrdup(region);

    long attempts = 3;
    const char *src = "--max-attempts";
    const char *text = f->max_attempts;
    if (text == NULL) {
        src = "AWS_MAX_ATTEMPTS";
        text = env_nonempty(env, "AWS_MAX_ATTEMPTS");
    }
    if (text == NULL) {
        src = "max_attempts";
        text = profile_get(&cred, &conf, out->profile, "max_attempts");
    }
    if (text != NULL && cli_parse_long(text, 1, CLI_MAX_ATTEMPTS, &attempts) != 0) {
        cli_fail(e, f->max_attempts ? CLI_EXIT_USAGE : CLI_EXIT_CONFIG,
                 f->max_attempts ? "UsageError" : "InvalidConfigError",
                 "%s must be an integer from 1 to %d, got '%s'", src, CLI_MAX_ATTEMPTS,
                 text);
        goto out;
    }
    out->max_attempts = f->no_retry ? 1 : (int)attempts;

    rc = resolve_credentials(f, env, &cred, &conf, cred_path, conf_path, out, e);
out:
    cli_ini_free(&cred);
    cli_ini_free(&conf);
    free(cred_path);
    free(conf_path);
    if (rc != DDB_OK)
        cli_config_free(out);
    return rc;
}

void cli_config_free(cli_config *c)
{
    free(c->profile);
    free(c->region);
    free(c->access_key);
    free(c->secret_key);
    free(c->session_token);
    free(c->cred_source);
    memset(c, 0, sizeof *c);
}

char *cli_endpoint_resolve(const char *flag, cli_getenv_fn env, const char *service,
                           const char *region)
{
    if (flag != NULL)
        return ddb_xstrdup(flag);
    const char *ignore = env_nonempty(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (ignore == NULL || strcasecmp(ignore, "true") != 0) {
        char var[64];
        size_t o = (size_t)snprintf(var, sizeof var, "AWS_ENDPOINT_URL_");
        for (const char *s = service; *s && o + 1 < sizeof var; s++)
            var[o++] = (char)toupper((unsigned char)*s);
        var[o] = '\0';
        const char *v = env_nonempty(env, var);
        if (v == NULL)
            v = env_nonempty(env, "AWS_ENDPOINT_URL");
        if (v != NULL)
            return ddb_xstrdup(v);
    }
    const char *suffix =
        strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    return ddb_xasprintf("https://%s.%s.%s", service, region, suffix);
}
