/* SPDX-License-Identifier: MIT
**
** test_client_config.c -- unit tests of the ddb client's settings and retry
** policy: client/config.c (INI parsing as botocore reads the shared files,
** the profile / credentials / region / attempts resolution order, endpoint
** resolution) with a fake environment and temporary files, client/retry.c
** (error classification, full-jitter backoff, the retry quota) and the
** option-value parsers of client/common.c. The client sources are compiled
** into this test directly.
*/
#include "check.h"

#include "../../client/common.c"
#include "../../client/config.c"
#include "../../client/retry.c"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*---- a fake environment ----*/

#define MAX_ENV 32
static const char *env_names[MAX_ENV];
static const char *env_values[MAX_ENV];
static size_t env_n;

static void env_reset(void)
{
    env_n = 0;
}

static void env_set(const char *name, const char *value)
{
    for (size_t i = 0; i < env_n; i++) {
        if (strcmp(env_names[i], name) == 0) {
            env_values[i] = value;
            return;
        }
    }
    if (env_n < MAX_ENV) {
        env_names[env_n] = name;
        env_values[env_n++] = value;
    }
}

static const char *fake_env(const char *name)
{
    for (size_t i = 0; i < env_n; i++)
        if (strcmp(env_names[i], name) == 0)
            return env_values[i];
    return NULL;
}

static char tmpdir[64];
static char conf_path[128], cred_path[128];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* Environment pointing at the two temporary files, nothing else set. */
static void env_files(void)
{
    env_reset();
    env_set("AWS_CONFIG_FILE", conf_path);
    env_set("AWS_SHARED_CREDENTIALS_FILE", cred_path);
    env_set("HOME", tmpdir);
}

/*---- INI ----*/

static void test_ini(void)
{
    const char *conf = "\xef\xbb\xbf# comment\n"
                       "[default]\n"
                       "region = eu-west-1\n"
                       "; another comment\n"
                       "[profile dev]\n"
                       "Region=ap-southeast-1\r\n"
                       "output: json\n"
                       "s3 =\n"
                       "  addressing_style = path\n"
                       "\n"
                       "[sso-session corp]\n"
                       "sso_region = us-east-1\n"
                       "[profile   spaced  ]\n"
                       "region = us-west-2 # not a comment\n"
                       "[plain]\n"
                       "region = ignored\n";
    cli_ini ini = {0};
    cli_error e = CLI_ERROR_INIT;
    CHECK("parse config", cli_ini_parse(conf, strlen(conf), 1, "conf", &ini, &e) == 0);
    CHECK_STR("default region", cli_ini_get(&ini, "default", "region"), "eu-west-1");
    CHECK_STR("key lower-cased, CR trimmed", cli_ini_get(&ini, "dev", "region"),
              "ap-southeast-1");
    CHECK_STR("colon delimiter", cli_ini_get(&ini, "dev", "output"), "json");
    CHECK_STR("continuation", cli_ini_get(&ini, "dev", "s3"),
              "\naddressing_style = path");
    CHECK("sso-session is not a profile",
          !cli_ini_has(&ini, "sso-session corp") && !cli_ini_has(&ini, "corp"));
    CHECK_STR("spaced profile", cli_ini_get(&ini, "spaced", "region"),
              "us-west-2 # not a comment");
    CHECK("[plain] is not a profile in config", !cli_ini_has(&ini, "plain"));
    CHECK("absent key", cli_ini_get(&ini, "dev", "nope") == NULL);
    cli_ini_free(&ini);

    const char *cred = "[plain]\naws_access_key_id = AK\n[profile x]\nk=v\n[empty]\n";
    CHECK("parse credentials",
          cli_ini_parse(cred, strlen(cred), 0, "cred", &ini, &e) == 0);
    CHECK_STR("credentials section", cli_ini_get(&ini, "plain", "aws_access_key_id"),
              "AK");
    CHECK_STR("no profile prefix in credentials", cli_ini_get(&ini, "profile x", "k"),
              "v");
    CHECK("empty section exists", cli_ini_has(&ini, "empty"));
    cli_ini_free(&ini);

    static const struct {
        const char *text, *why;
    } bad[] = {
        {"region = x\n", "line 1: no [section] header"},
        {"[default]\njunk\n", "line 2: expected 'key = value'"},
        {"[default\n", "line 1: no closing ']'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_error_clear(&e);
        CHECK(bad[i].text,
              cli_ini_parse(bad[i].text, strlen(bad[i].text), 1, "f", &ini, &e) != 0);
        CHECK(bad[i].text, e.exit_code == CLI_EXIT_CONFIG &&
                               strcmp(e.type, "ConfigParseError") == 0 &&
                               strstr(e.message, bad[i].why) != NULL);
        cli_ini_free(&ini);
    }
    cli_error_clear(&e);
}

/*---- resolution ----*/

/* Resolve with 'f'; on success returns the config, else records into *e. */
static int resolve(const cli_flags *f, cli_config *c, cli_error *e)
{
    cli_error_clear(e);
    return cli_config_resolve(f, fake_env, c, e);
}

static void test_credentials(void)
{
    write_file(conf_path,
               "[default]\nregion = eu-west-1\n"
               "[profile dev]\nregion = ap-southeast-1\n"
               "aws_access_key_id = CONFDEV\naws_secret_access_key = confsecret\n"
               "[profile both]\naws_access_key_id = CONFBOTH\n"
               "aws_secret_access_key = c\nregion = us-east-2\n"
               "[profile role]\nrole_arn = arn:aws:iam::1:role/R\n"
               "source_profile = default\n"
               "[profile tries]\nmax_attempts = 7\n"
               "aws_access_key_id = T\naws_secret_access_key = t\n");
    write_file(cred_path,
               "[default]\naws_access_key_id = CREDDEFAULT\n"
               "aws_secret_access_key = s1\n"
               "[both]\naws_access_key_id = CREDBOTH\naws_secret_access_key = s2\n"
               "aws_session_token = tok\nregion = us-west-1\n"
               "[half]\naws_access_key_id = HALF\n");
    cli_flags f = {0};
    cli_config c;
    cli_error e = CLI_ERROR_INIT;

    env_files();
    CHECK("default profile", resolve(&f, &c, &e) == 0);
    CHECK_STR("default key", c.access_key, "CREDDEFAULT");
    CHECK_STR("default region from config", c.region, "eu-west-1");
    CHECK_STR("default profile name", c.profile, "default");
    CHECK("no token", c.session_token == NULL);
    CHECK("3 attempts", c.max_attempts == 3);
    cli_config_free(&c);

    env_set("AWS_ACCESS_KEY_ID", "ENVKEY");
    env_set("AWS_SECRET_ACCESS_KEY", "envsecret");
    env_set("AWS_SESSION_TOKEN", "envtoken");
    CHECK("env", resolve(&f, &c, &e) == 0);
    CHECK_STR("env beats files", c.access_key, "ENVKEY");
    CHECK_STR("env token", c.session_token, "envtoken");
    CHECK_STR("env source", c.cred_source, "environment");
    cli_config_free(&c);

    env_set("AWS_PROFILE", "dev");
    CHECK("AWS_PROFILE with env keys", resolve(&f, &c, &e) == 0);
    CHECK_STR("env keys beat AWS_PROFILE", c.access_key, "ENVKEY");
    CHECK_STR("but the profile's region is used", c.region, "ap-southeast-1");
    cli_config_free(&c);

    f.profile = "dev";
    CHECK("--profile", resolve(&f, &c, &e) == 0);
    CHECK_STR("--profile beats env keys", c.access_key, "CONFDEV");
    CHECK("config file keys have no token", c.session_token == NULL);
    cli_config_free(&c);

    f.profile = "both";
    CHECK("both files", resolve(&f, &c, &e) == 0);
    CHECK_STR("credentials file beats config file", c.access_key, "CREDBOTH");
    CHECK_STR("token from file", c.session_token, "tok");
    CHECK_STR("credentials-file region wins the merge", c.region, "us-west-1");
    CHECK("source names the file", strstr(c.cred_source, cred_path) != NULL &&
                                       strstr(c.cred_source, "[both]") != NULL);
    cli_config_free(&c);

    env_set("AWS_DEFAULT_REGION", "ca-central-1");
    CHECK("AWS_DEFAULT_REGION", resolve(&f, &c, &e) == 0);
    CHECK_STR("AWS_DEFAULT_REGION beats profile", c.region, "ca-central-1");
    cli_config_free(&c);
    env_set("AWS_REGION", "sa-east-1");
    CHECK("AWS_REGION", resolve(&f, &c, &e) == 0);
    CHECK_STR("AWS_REGION beats AWS_DEFAULT_REGION", c.region, "sa-east-1");
    cli_config_free(&c);
    f.region = "me-south-1";
    CHECK("--region", resolve(&f, &c, &e) == 0);
    CHECK_STR("--region beats all", c.region, "me-south-1");
    cli_config_free(&c);
    f.region = "bad_region!";
    CHECK("bad region", resolve(&f, &c, &e) != 0);
    CHECK_STR("bad region type", e.type, "InvalidRegionError");
    f.region = NULL;

    f.profile = "missing";
    CHECK("missing profile", resolve(&f, &c, &e) != 0);
    CHECK_STR("ProfileNotFound", e.type, "ProfileNotFound");
    CHECK_STR("ProfileNotFound text", e.message,
              "The config profile (missing) could not be found");
    CHECK("exit 5", e.exit_code == CLI_EXIT_CONFIG);

    f.profile = "half";
    CHECK("partial", resolve(&f, &c, &e) != 0);
    CHECK_STR("partial type", e.type, "PartialCredentialsError");
    CHECK_STR("partial text", e.message,
              "Partial credentials found in shared-credentials-file, missing: "
              "aws_secret_access_key");

    f.profile = "role";
    CHECK("role profile", resolve(&f, &c, &e) != 0);
    CHECK("role unsupported", strcmp(e.type, "NoCredentialsError") == 0 &&
                                  strstr(e.message, "role_arn") != NULL);

    f.profile = NULL;
    env_files();
    env_set("AWS_PROFILE", "nowhere");
    CHECK("missing AWS_PROFILE", resolve(&f, &c, &e) != 0);
    CHECK_STR("missing AWS_PROFILE type", e.type, "ProfileNotFound");

    env_files();
    env_set("AWS_ACCESS_KEY_ID", "ONLY");
    CHECK("env partial", resolve(&f, &c, &e) != 0);
    CHECK_STR("env partial text", e.message,
              "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY");

    /* no files at all */
    env_reset();
    env_set("AWS_CONFIG_FILE", "/nonexistent/ddb/config");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/ddb/credentials");
    env_set("AWS_REGION", "us-east-1");
    CHECK("no credentials", resolve(&f, &c, &e) != 0);
    CHECK_STR("no credentials type", e.type, "NoCredentialsError");
    CHECK_STR("no credentials text", e.message, "Unable to locate credentials");
    env_set("AWS_REGION", "");
    env_set("AWS_ACCESS_KEY_ID", "K");
    env_set("AWS_SECRET_ACCESS_KEY", "S");
    CHECK("no region", resolve(&f, &c, &e) != 0);
    CHECK_STR("no region text", e.message, "You must specify a region.");
    CHECK("no region exit", e.exit_code == CLI_EXIT_CONFIG);

    /* ~ in the file variables and the default ~/.aws/ paths */
    env_reset();
    env_set("HOME", tmpdir);
    env_set("AWS_CONFIG_FILE", "~/config");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "~/credentials");
    CHECK("tilde", resolve(&f, &c, &e) == 0);
    CHECK_STR("tilde key", c.access_key, "CREDDEFAULT");
    cli_config_free(&c);
    cli_error_clear(&e);
}

static void test_attempts(void)
{
    cli_flags f = {0};
    cli_config c;
    cli_error e = CLI_ERROR_INIT;
    env_files();
    env_set("AWS_REGION", "us-east-1");
    f.profile = "tries";
    CHECK("profile max_attempts", resolve(&f, &c, &e) == 0 && c.max_attempts == 7);
    cli_config_free(&c);
    env_set("AWS_MAX_ATTEMPTS", "5");
    CHECK("env max attempts", resolve(&f, &c, &e) == 0 && c.max_attempts == 5);
    cli_config_free(&c);
    f.max_attempts = "2";
    CHECK("flag max attempts", resolve(&f, &c, &e) == 0 && c.max_attempts == 2);
    cli_config_free(&c);
    f.no_retry = 1;
    CHECK("--no-retry", resolve(&f, &c, &e) == 0 && c.max_attempts == 1);
    cli_config_free(&c);
    f.no_retry = 0;
    static const char *const bad[] = {"0", "-1", "x", "101", "", "3.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f.max_attempts = bad[i];
        CHECK(bad[i], resolve(&f, &c, &e) != 0 && e.exit_code == CLI_EXIT_USAGE);
    }
    f.max_attempts = NULL;
    env_set("AWS_MAX_ATTEMPTS", "zero");
    CHECK("bad env attempts", resolve(&f, &c, &e) != 0 && e.exit_code == CLI_EXIT_CONFIG);
    cli_error_clear(&e);
}

static void test_endpoints(void)
{
    env_reset();
    char *u = cli_endpoint_resolve(NULL, fake_env, "dynamodb", "ap-southeast-1");
    CHECK_STR("default", u, "https://dynamodb.ap-southeast-1.amazonaws.com");
    free(u);
    u = cli_endpoint_resolve(NULL, fake_env, "sts", "cn-north-1");
    CHECK_STR("china", u, "https://sts.cn-north-1.amazonaws.com.cn");
    free(u);
    env_set("AWS_ENDPOINT_URL", "http://global:1");
    u = cli_endpoint_resolve(NULL, fake_env, "dynamodb", "us-east-1");
    CHECK_STR("global env", u, "http://global:1");
    free(u);
    env_set("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb:2");
    u = cli_endpoint_resolve(NULL, fake_env, "dynamodb", "us-east-1");
    CHECK_STR("service env", u, "http://ddb:2");
    free(u);
    u = cli_endpoint_resolve(NULL, fake_env, "sts", "us-east-1");
    CHECK_STR("sts falls back to global", u, "http://global:1");
    free(u);
    env_set("AWS_ENDPOINT_URL_STS", "http://sts:3");
    u = cli_endpoint_resolve(NULL, fake_env, "sts", "us-east-1");
    CHECK_STR("sts env", u, "http://sts:3");
    free(u);
    u = cli_endpoint_resolve("http://flag:4", fake_env, "sts", "us-east-1");
    CHECK_STR("flag wins", u, "http://flag:4");
    free(u);
    env_set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    u = cli_endpoint_resolve(NULL, fake_env, "dynamodb", "us-east-1");
    CHECK_STR("ignore configured", u, "https://dynamodb.us-east-1.amazonaws.com");
    free(u);
}

/*---- retry ----*/

static void test_retry(void)
{
    static const struct {
        long status;
        const char *code;
        int transport, timeout, crc;
        cli_retry_kind want;
    } cases[] = {
        {400, "ProvisionedThroughputExceededException", 0, 0, 0, CLI_RETRY_THROTTLE},
        {400, "ThrottlingException", 0, 0, 0, CLI_RETRY_THROTTLE},
        {400, "RequestLimitExceeded", 0, 0, 0, CLI_RETRY_THROTTLE},
        {400, "TransactionInProgressException", 0, 0, 0, CLI_RETRY_THROTTLE},
        {400, "LimitExceededException", 0, 0, 0, CLI_RETRY_THROTTLE},
        {429, NULL, 0, 0, 0, CLI_RETRY_THROTTLE},
        {500, "InternalServerError", 0, 0, 0, CLI_RETRY_TRANSIENT},
        {502, NULL, 0, 0, 0, CLI_RETRY_TRANSIENT},
        {503, "ServiceUnavailable", 0, 0, 0, CLI_RETRY_TRANSIENT},
        {504, NULL, 0, 0, 0, CLI_RETRY_TRANSIENT},
        {400, "RequestTimeout", 0, 0, 0, CLI_RETRY_TRANSIENT},
        {0, NULL, 1, 0, 0, CLI_RETRY_TRANSIENT},
        {0, NULL, 1, 1, 0, CLI_RETRY_TIMEOUT},
        {200, NULL, 0, 0, 1, CLI_RETRY_TRANSIENT},
        {400, "ValidationException", 0, 0, 0, CLI_RETRY_NO},
        {400, "ConditionalCheckFailedException", 0, 0, 0, CLI_RETRY_NO},
        {400, "ResourceNotFoundException", 0, 0, 0, CLI_RETRY_NO},
        {501, NULL, 0, 0, 0, CLI_RETRY_NO},
        {404, NULL, 0, 0, 0, CLI_RETRY_NO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char desc[96];
        snprintf(desc, sizeof desc, "classify %ld %s", cases[i].status,
                 cases[i].code ? cases[i].code : "-");
        CHECK(desc, cli_retry_classify(cases[i].status, cases[i].code, cases[i].transport,
                                       cases[i].timeout, cases[i].crc) == cases[i].want);
    }
    CHECK("delay 1", cli_retry_delay(1, 1.0, 0.5) == 0.5);
    CHECK("delay 2", cli_retry_delay(2, 1.0, 0.5) == 1.0);
    CHECK("delay 3", cli_retry_delay(3, 1.0, 0.25) == 1.0);
    CHECK("delay capped at 20 s", cli_retry_delay(30, 1.0, 0.5) == 10.0);
    CHECK("delay rnd 0", cli_retry_delay(2, 1.0, 0.0) == 0.0);
    CHECK("delay below cap", cli_retry_delay(6, 1.0, 0.999) < 20.0);
    CHECK("delay scaled base", cli_retry_delay(2, 0.01, 0.5) == 0.01);
    for (int n = 1; n <= 10; n++) {
        double cap = n >= 6 ? 20.0 : (double)(1 << (n - 1));
        CHECK("delay within [0, cap)",
              cli_retry_delay(n, 1.0, 0.999999) < cap && cli_retry_delay(n, 1.0, 0) >= 0);
    }

    cli_quota q;
    cli_quota_init(&q);
    int granted = 0;
    for (int i = 0; i < 200; i++)
        granted += cli_quota_acquire(&q, CLI_RETRY_THROTTLE) > 0;
    CHECK("100 retries of 5 from 500", granted == 100 && q.available == 0);
    cli_quota_release(&q, 5);
    CHECK("refund of the last retry", q.available == 5);
    cli_quota_release(&q, 0);
    CHECK("success without retry adds 1", q.available == 6);
    CHECK("timeout costs 10: refused at 6",
          cli_quota_acquire(&q, CLI_RETRY_TIMEOUT) == 0);
    CHECK("throttle costs 5",
          cli_quota_acquire(&q, CLI_RETRY_THROTTLE) == 5 && q.available == 1);
    cli_quota_init(&q);
    cli_quota_release(&q, 0);
    CHECK("never above 500", q.available == 500);
    CHECK("timeout cost",
          cli_quota_acquire(&q, CLI_RETRY_TIMEOUT) == 10 && q.available == 490);
}

static void test_parsers(void)
{
    long v = 0;
    double d = 0;
    CHECK("long ok", cli_parse_long("42", 1, 100, &v) == 0 && v == 42);
    CHECK("long range", cli_parse_long("0", 1, 100, &v) != 0);
    CHECK("long sign", cli_parse_long("-1", -5, 100, &v) != 0);
    CHECK("long junk", cli_parse_long("4x", 1, 100, &v) != 0);
    CHECK("long empty", cli_parse_long("", 1, 100, &v) != 0);
    CHECK("long overflow", cli_parse_long("99999999999999999999999", 1, 100, &v) != 0);
    CHECK("seconds ok", cli_parse_seconds("0.25", 10, &d) == 0 && d == 0.25);
    CHECK("seconds zero", cli_parse_seconds("0", 10, &d) != 0);
    CHECK("seconds nan", cli_parse_seconds("nan", 10, &d) != 0);
    CHECK("seconds big", cli_parse_seconds("11", 10, &d) != 0);
    char *x = cli_xml_text(
        "<a><Code>Throttling</Code><Message>a &amp; b &lt;c&gt;</Message></a>",
        "Message");
    CHECK_STR("xml entities", x, "a & b <c>");
    free(x);
    CHECK("xml absent", cli_xml_text("<a></a>", "Code") == NULL);
    cli_error e = CLI_ERROR_INIT;
    cli_fail(&e, 1, "First", "one %d", 1);
    cli_fail(&e, 2, "Second", "two");
    CHECK("first error wins", e.exit_code == 1 && strcmp(e.type, "First") == 0 &&
                                  strcmp(e.message, "one 1") == 0);
    cli_error_clear(&e);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ddb-unit-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(conf_path, sizeof conf_path, "%s/config", tmpdir);
    snprintf(cred_path, sizeof cred_path, "%s/credentials", tmpdir);
    test_ini();
    test_credentials();
    test_attempts();
    test_endpoints();
    test_retry();
    test_parsers();
    unlink(conf_path);
    unlink(cred_path);
    rmdir(tmpdir);
    return CHECK_REPORT();
}
