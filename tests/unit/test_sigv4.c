/* SPDX-License-Identifier: MIT
**
** test_sigv4.c -- unit tests of sigv4.c.
**
** 1. The AWS SigV4 test suite in fixtures/sigv4/<case>/ (aws-c-auth layout):
**    canonical request and string to sign, verification, one-byte flips of
**    signature / signed header values / body, client signing, and the
**    presigned (query-*) variants.
** 2. The structural auth checks of iam-and-sigv4.md §4.3, table-driven from
**    tests/unit/sigv4_auth_cases.txt (format described in that file).
** 3. The known-answer check of §5.1 and a concurrent use of the key cache.
**
** Run from the repository root (fixtures are found relative to the current
** directory, or two levels above the binary's directory).
*/
#include "check.h"
#include "ddb_sigv4.h"
#include "ddb_util.h"

#include <dirent.h>
#include <stdarg.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_HDRS 48
#define MSG_MISMATCH                                                                     \
    "The request signature we calculated does not match the signature you provided. "    \
    "Check your AWS Secret Access Key and signing method. Consult the service "          \
    "documentation for details."

static char root[1024] = "."; /* repository root: fixtures/ and tests/ live here */
static int n_skipped;

/* printf into a static buffer: the description of the next CHECK. */
static const char *D(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *D(const char *fmt, ...)
{
    static char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

/* printf into 'out' (PATH_CAP bytes): a file name. */
#define PATH_CAP 4096
static char *P(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *P(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, PATH_CAP, fmt, ap);
    va_end(ap);
    return out;
}

/*---- files ----*/

/* Whole file as a NUL-terminated string; NULL when unreadable. Caller frees. */
static char *slurp(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    ddb_buf b = DDB_BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        ddb_buf_append(&b, tmp, n);
    fclose(f);
    return ddb_buf_steal(&b, out_len);
}

static char *slurp_in(const char *dir, const char *name)
{
    char path[PATH_CAP];
    return slurp(P(path, "%s/%s", dir, name), NULL);
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*---- a parsed request.txt ----*/

typedef struct treq {
    char *text;  /* file contents; header names/values point into it; owned */
    char *path;  /* owned */
    char *query; /* owned, or NULL */
    char method[16];
    ddb_sigv4_header h[MAX_HDRS];
    ddb_sigv4_request req;
} treq;

/*
** Parse an HTTP/1.1 request in the test-suite shape: request line, "Name:value"
** lines (a line starting with a space or tab continues the previous value, which
** then spans the line break, as received), a blank line, the body. The target
** may contain spaces ("GET /example space/ HTTP/1.1"). Takes 'text'.
*/
static int treq_parse(treq *t, char *text, size_t len)
{
    memset(t, 0, sizeof *t);
    t->text = text;
    char *s = text, *end = text + len;
    char *nl = memchr(s, '\n', (size_t)(end - s));
    char *le = nl ? nl : end;
    if (le > s && le[-1] == '\r')
        le--;
    size_t l0 = le > s ? (size_t)(le - s) : 0;
    char *sp1 = memchr(s, ' ', l0);
    char *sp2 = le;
    while (sp2 > s && sp2[-1] != ' ')
        sp2--;
    if (sp1 == NULL || sp2 - 1 <= sp1 || (size_t)(sp1 - s) >= sizeof t->method)
        return -1;
    memcpy(t->method, s, (size_t)(sp1 - s));
    char *target = sp1 + 1;
    size_t tlen = (size_t)(sp2 - 1 - target);
    char *q = memchr(target, '?', tlen);
    if (q) {
        t->path = ddb_xstrndup(target, (size_t)(q - target));
        t->query = ddb_xstrndup(q + 1, tlen - (size_t)(q - target) - 1);
    } else {
        t->path = ddb_xstrndup(target, tlen);
    }
    s = nl ? nl + 1 : end;

    size_t n = 0;
    const unsigned char *body = (const unsigned char *)end;
    while (s < end) {
        nl = memchr(s, '\n', (size_t)(end - s));
        le = nl ? nl : end;
        char *next = nl ? nl + 1 : end;
        size_t ll = (size_t)(le - s);
        if (ll > 0 && s[ll - 1] == '\r')
            ll--;
        if (ll == 0) {
            body = (const unsigned char *)next;
            break;
        }
        if ((s[0] == ' ' || s[0] == '\t') && n > 0) {
            ddb_sigv4_header *h = &t->h[n - 1];
            h->value_len = (size_t)(s + ll - h->value);
        } else {
            char *colon = memchr(s, ':', ll);
            if (colon == NULL || n == MAX_HDRS)
                return -1;
            t->h[n].name = s;
            t->h[n].name_len = (size_t)(colon - s);
            t->h[n].value = colon + 1;
            t->h[n].value_len = ll - (size_t)(colon + 1 - s);
            n++;
        }
        s = next;
    }
    t->req.method = t->method;
    t->req.path = t->path;
    t->req.query = t->query;
    t->req.headers = t->h;
    t->req.n_headers = n;
    t->req.body = body;
    t->req.body_len = (size_t)((const unsigned char *)end - body);
    return 0;
}

static void treq_free(treq *t)
{
    free(t->text);
    free(t->path);
    free(t->query);
}

static int treq_load(treq *t, const char *dir, const char *name)
{
    char path[PATH_CAP];
    size_t len;
    char *text = slurp(P(path, "%s/%s", dir, name), &len);
    if (text == NULL)
        return -1;
    if (treq_parse(t, text, len) != 0) {
        free(text);
        free(t->path);
        free(t->query);
        return -1;
    }
    return 0;
}

/* Index of the first header called 'name' (case-insensitive), or -1. */
static int treq_find(const treq *t, const char *name)
{
    for (size_t i = 0; i < t->req.n_headers; i++) {
        if (t->h[i].name_len == strlen(name) &&
            strncasecmp(t->h[i].name, name, t->h[i].name_len) == 0)
            return (int)i;
    }
    return -1;
}

/*---- context.json ----*/

typedef struct tctx {
    char access_key[64];
    char secret[128];
    char region[64];
    char service[64];
    char token[1024]; /* "" when none */
    int normalize;
    int omit_token;
    double now;
} tctx;

static int ctx_load(tctx *c, const char *dir)
{
    char path[PATH_CAP];
    json_error_t je;
    json_t *j = json_load_file(P(path, "%s/context.json", dir), 0, &je);
    if (j == NULL)
        return -1;
    json_t *cr = json_object_get(j, "credentials");
    const char *ts = json_string_value(json_object_get(j, "timestamp"));
    const char *ak = json_string_value(json_object_get(cr, "access_key_id"));
    const char *sk = json_string_value(json_object_get(cr, "secret_access_key"));
    const char *tok = json_string_value(json_object_get(cr, "token"));
    const char *rg = json_string_value(json_object_get(j, "region"));
    const char *sv = json_string_value(json_object_get(j, "service"));
    struct tm tm = {0};
    if (!ts || !ak || !sk || !rg || !sv ||
        sscanf(ts, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        json_decref(j);
        return -1;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    c->now = (double)timegm(&tm);
    snprintf(c->access_key, sizeof c->access_key, "%s", ak);
    snprintf(c->secret, sizeof c->secret, "%s", sk);
    snprintf(c->region, sizeof c->region, "%s", rg);
    snprintf(c->service, sizeof c->service, "%s", sv);
    snprintf(c->token, sizeof c->token, "%s", tok ? tok : "");
    c->normalize = json_is_true(json_object_get(j, "normalize"));
    c->omit_token = json_is_true(json_object_get(j, "omit_session_token"));
    json_decref(j);
    return 0;
}

/* 1 when normalization would change 'path': an empty inner segment ("//") or
** a "." / ".." segment. */
static int path_needs_normalizing(const char *path)
{
    const char *s = path[0] == '/' ? path + 1 : path;
    for (;;) {
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t)(slash - s) : strlen(s);
        if ((len == 0 && slash) || (len == 1 && s[0] == '.') ||
            (len == 2 && s[0] == '.' && s[1] == '.'))
            return 1;
        if (!slash)
            return 0;
        s = slash + 1;
    }
}

/*---- vector checks ----*/

/* Verify 'req' and expect the signature-mismatch error. */
static void expect_mismatch(const char *desc, const ddb_sigv4_request *req,
                            const ddb_sigv4_auth *auth, const char *secret)
{
    ddb_error err = DDB_ERROR_INIT;
    int rc = ddb_sigv4_verify(req, auth, secret, &err);
    CHECK(D("%s: rejected", desc), rc == DDB_ERR);
    CHECK_STR(D("%s: __type", desc),
              rc == DDB_ERR ? ddb_err_type(err.code) : "(accepted)",
              "com.amazon.coral.service#InvalidSignatureException");
    CHECK_STR(D("%s: message", desc), err.message ? err.message : "(none)", MSG_MISMATCH);
    ddb_err_clear(&err);
}

/* Flip one byte of the signature, of every signed header value in turn and of
** the body (or add one to an empty body): each must fail verification. */
static void check_flips(const char *label, treq *t, const ddb_sigv4_auth *auth,
                        const char *secret)
{
    char *d;
    ddb_sigv4_auth bad = *auth;
    bad.signature[10] = bad.signature[10] == '0' ? '1' : '0';
    d = ddb_xasprintf("%s: flipped signature", label);
    expect_mismatch(d, &t->req, &bad, secret);
    free(d);

    d = ddb_xasprintf("%s: wrong secret", label);
    expect_mismatch(d, &t->req, auth, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz");
    free(d);

    for (size_t i = 0; i < t->req.n_headers; i++) {
        ddb_sigv4_header *h = &t->h[i];
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)h->name_len, h->name);
        for (char *p = name; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        if (strcasecmp(name, "authorization") == 0 || h->value_len == 0)
            continue;
        /* Only signed headers matter; an unsigned one may change freely. */
        char list[2100];
        snprintf(list, sizeof list, ";%s;", auth->signed_headers);
        char needle[140];
        snprintf(needle, sizeof needle, ";%s;", name);
        int is_signed = strstr(list, needle) != NULL;
        size_t off = (size_t)(h->value + h->value_len - 1 - t->text);
        t->text[off] ^= 0x01;
        ddb_error err = DDB_ERROR_INIT;
        int rc = ddb_sigv4_verify(&t->req, auth, secret, &err);
        t->text[off] ^= 0x01;
        if (is_signed) {
            CHECK(D("%s: flipped signed header %s", label, name), rc == DDB_ERR);
            CHECK_STR(D("%s: flipped signed header %s: message", label, name),
                      err.message ? err.message : "(none)", MSG_MISMATCH);
        } else {
            CHECK(D("%s: flipped unsigned header %s still verifies", label, name),
                  rc == DDB_OK);
        }
        ddb_err_clear(&err);
    }

    ddb_sigv4_request r = t->req;
    unsigned char one[1] = {'x'};
    unsigned char *copy = NULL;
    if (r.body_len == 0) {
        r.body = one;
        r.body_len = 1;
    } else {
        copy = ddb_xmalloc(r.body_len);
        memcpy(copy, r.body, r.body_len);
        copy[r.body_len - 1] ^= 0x01;
        r.body = copy;
    }
    d = ddb_xasprintf("%s: flipped body", label);
    expect_mismatch(d, &r, auth, secret);
    free(d);
    free(copy);
}

/* ddb_sigv4_sign over exactly the signed headers must reproduce the vector. */
static void check_sign(const char *label, treq *t, const ddb_sigv4_auth *auth,
                       const tctx *c, const char *want_sig)
{
    ddb_sigv4_header hs[MAX_HDRS];
    size_t n = 0;
    char list[2100];
    snprintf(list, sizeof list, ";%s;", auth->signed_headers);
    for (size_t i = 0; i < t->req.n_headers; i++) {
        char needle[140];
        snprintf(needle, sizeof needle, ";%.*s;", (int)t->h[i].name_len, t->h[i].name);
        if (strcasestr(list, needle) != NULL)
            hs[n++] = t->h[i];
    }
    ddb_sigv4_request r = t->req;
    r.headers = hs;
    r.n_headers = n;
    char *authz = ddb_sigv4_sign(&r, c->access_key, c->secret, c->region, c->service,
                                 auth->amz_date);
    CHECK(D("%s: sign returns a value", label), authz != NULL);
    if (authz == NULL)
        return;
    const char *sig = strstr(authz, "Signature=");
    CHECK_STR(D("%s: sign reproduces header-signature.txt", label),
              sig ? sig + 10 : authz, want_sig);
    int ai = treq_find(t, "authorization");
    if (ai >= 0) {
        char *sent = ddb_xstrndup(t->h[ai].value, t->h[ai].value_len);
        CHECK_STR(D("%s: sign reproduces the Authorization header", label), authz, sent);
        free(sent);
    }
    free(authz);
}

/* One form (header or query) of one vector. */
static void run_form(const char *dir, const char *name, const tctx *c, int query)
{
    const char *pre = query ? "query" : "header";
    char label[512], fn[64];
    snprintf(label, sizeof label, "%.400s (%s)", name, pre);
    treq t;
    snprintf(fn, sizeof fn, "%s-signed-request.txt", pre);
    if (treq_load(&t, dir, fn) != 0) {
        CHECK(D("%s: load %s", label, fn), 0);
        return;
    }
    snprintf(fn, sizeof fn, "%s-canonical-request.txt", pre);
    char *want_creq = slurp_in(dir, fn);
    snprintf(fn, sizeof fn, "%s-string-to-sign.txt", pre);
    char *want_sts = slurp_in(dir, fn);
    snprintf(fn, sizeof fn, "%s-signature.txt", pre);
    char *want_sig = slurp_in(dir, fn);
    if (want_sig)
        chomp(want_sig);

    ddb_sigv4_auth auth;
    ddb_error err = DDB_ERROR_INIT;
    int rc = ddb_sigv4_parse(&t.req, c->now, c->service, &auth, &err);
    CHECK(D("%s: parse accepts (%s)", label, err.message ? err.message : ""),
          rc == DDB_OK);
    ddb_err_clear(&err);
    if (rc != DDB_OK)
        goto out;

    CHECK(D("%s: presigned flag", label), auth.presigned == query);
    CHECK_STR(D("%s: access key", label), auth.access_key, c->access_key);
    CHECK_STR(D("%s: region", label), auth.region, c->region);
    CHECK_STR(D("%s: service", label), auth.service, c->service);
    CHECK_STR(D("%s: amz_date", label), auth.amz_date, "20150830T123600Z");
    CHECK_STR(D("%s: signature", label), auth.signature, want_sig);
    int tok_sent = query ? (t.query && strstr(t.query, "X-Amz-Security-Token=") != NULL)
                         : treq_find(&t, "x-amz-security-token") >= 0;
    CHECK_STR(D("%s: security token", label), auth.security_token,
              tok_sent ? c->token : NULL);

    char *creq = NULL, *sts = NULL;
    rc = ddb_sigv4_canonical(&t.req, &auth, &creq, &sts, &err);
    CHECK_STR(D("%s: canonical request", label), creq, want_creq);
    CHECK_STR(D("%s: string to sign", label), sts, want_sts);
    free(creq);
    free(sts);
    ddb_err_clear(&err);

    rc = ddb_sigv4_verify(&t.req, &auth, c->secret, &err);
    CHECK(D("%s: verify accepts (%s)", label, err.message ? err.message : ""),
          rc == DDB_OK);
    ddb_err_clear(&err);
    /* Twice: the second run takes the signing key from the cache. */
    rc = ddb_sigv4_verify(&t.req, &auth, c->secret, &err);
    CHECK(D("%s: verify accepts with a cached key", label), rc == DDB_OK);
    ddb_err_clear(&err);

    check_flips(label, &t, &auth, c->secret);
    if (!query)
        check_sign(label, &t, &auth, c, want_sig ? want_sig : "");
    ddb_sigv4_auth_free(&auth);
out:
    free(want_creq);
    free(want_sts);
    free(want_sig);
    treq_free(&t);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_vectors(void)
{
    char base[PATH_CAP];
    P(base, "%s/fixtures/sigv4", root);
    DIR *dp = opendir(base);
    CHECK("fixtures/sigv4 exists", dp != NULL);
    if (dp == NULL)
        return;
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && n < 256) {
        char p[PATH_CAP];
        if (de->d_name[0] != '.' && is_dir(P(p, "%s/%s", base, de->d_name)))
            names[n++] = ddb_xstrdup(de->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof *names, name_cmp);
    CHECK("fixtures/sigv4 holds the 38 aws-c-auth cases", n == 38);

    size_t ran = 0;
    for (size_t i = 0; i < n; i++) {
        char dir[PATH_CAP];
        tctx c;
        P(dir, "%s/%s", base, names[i]);
        int ok = ctx_load(&c, dir) == 0;
        CHECK(D("%s: context.json", names[i]), ok);
        treq t;
        if (!ok || treq_load(&t, dir, "request.txt") != 0) {
            CHECK(D("%s: request.txt", names[i]), 0);
            free(names[i]);
            continue;
        }
        int unnormalized = !c.normalize && path_needs_normalizing(t.path);
        if (unnormalized) {
            printf(
                "SKIP %s: normalize=false keeps the path '%s' verbatim (S3 rules); ddbd "
                "always normalizes paths as DynamoDB does\n",
                names[i], t.path);
            n_skipped += 2;
        } else {
            run_form(dir, names[i], &c, 0);
            ran++;
            if (c.omit_token && c.token[0]) {
                printf(
                    "SKIP %s (query): X-Amz-Security-Token was appended to the URL after "
                    "signing and left out of the canonical query (aws-c-auth "
                    "omit_session_token); a verifier signs every query parameter but "
                    "X-Amz-Signature\n",
                    names[i]);
                n_skipped++;
            } else {
                run_form(dir, names[i], &c, 1);
                ran++;
            }
        }
        treq_free(&t);
        free(names[i]);
    }
    printf("sigv4 vectors: %zu forms run, %d skipped\n", ran, n_skipped);
}

/*---- table-driven structural checks ----*/

/* Undo the fixture escapes \s (space), \t and \\ in place. */
static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            *o++ = *s == 's' ? ' ' : *s == 't' ? '\t' : *s;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

typedef struct tcase {
    int line;
    char *name, *method, *path, *query, *now, *service, *type, *message;
    char *hdr_text[MAX_HDRS];
    size_t n_hdr;
    char *field[8][2]; /* field checks for accepted requests */
    size_t n_field;
} tcase;

static void tcase_reset(tcase *tc)
{
    free(tc->name);
    free(tc->method);
    free(tc->path);
    free(tc->query);
    free(tc->now);
    free(tc->service);
    free(tc->type);
    free(tc->message);
    for (size_t i = 0; i < tc->n_hdr; i++)
        free(tc->hdr_text[i]);
    for (size_t i = 0; i < tc->n_field; i++) {
        free(tc->field[i][0]);
        free(tc->field[i][1]);
    }
    memset(tc, 0, sizeof *tc);
}

/* The single-valued member of 'tc' that fixture key 'key' sets, or NULL. */
static char **tcase_slot(tcase *tc, const char *key)
{
    if (strcmp(key, "method") == 0)
        return &tc->method;
    if (strcmp(key, "path") == 0)
        return &tc->path;
    if (strcmp(key, "query") == 0)
        return &tc->query;
    if (strcmp(key, "now") == 0)
        return &tc->now;
    if (strcmp(key, "service") == 0)
        return &tc->service;
    if (strcmp(key, "type") == 0)
        return &tc->type;
    if (strcmp(key, "message") == 0)
        return &tc->message;
    return NULL;
}

static double parse_now(const char *s)
{
    struct tm tm = {0};
    if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm);
}

static const char *auth_field(const ddb_sigv4_auth *a, const char *k, char *tmp)
{
    if (strcmp(k, "access_key") == 0)
        return a->access_key;
    if (strcmp(k, "scope_date") == 0)
        return a->scope_date;
    if (strcmp(k, "region") == 0)
        return a->region;
    if (strcmp(k, "service") == 0)
        return a->service;
    if (strcmp(k, "amz_date") == 0)
        return a->amz_date;
    if (strcmp(k, "signed_headers") == 0)
        return a->signed_headers;
    if (strcmp(k, "signature") == 0)
        return a->signature;
    if (strcmp(k, "token") == 0)
        return a->security_token ? a->security_token : "(none)";
    if (strcmp(k, "presigned") == 0) {
        sprintf(tmp, "%d", a->presigned);
        return tmp;
    }
    return "(unknown field)";
}

static void tcase_run(const tcase *tc)
{
    ddb_sigv4_header h[MAX_HDRS];
    for (size_t i = 0; i < tc->n_hdr; i++) {
        const char *s = tc->hdr_text[i];
        const char *colon = strchr(s, ':');
        const char *v = colon ? colon + 1 : s + strlen(s);
        while (*v == ' ')
            v++;
        h[i].name = s;
        h[i].name_len = colon ? (size_t)(colon - s) : strlen(s);
        h[i].value = v;
        h[i].value_len = strlen(v);
    }
    ddb_sigv4_request req = {
        .method = tc->method ? tc->method : "POST",
        .path = tc->path ? tc->path : "/",
        .query = tc->query,
        .headers = h,
        .n_headers = tc->n_hdr,
        .body = (const unsigned char *)"{}",
        .body_len = 2,
    };
    double now = tc->now ? parse_now(tc->now) : -1;
    CHECK(D("case '%s' (line %d): now", tc->name, tc->line), now >= 0);
    CHECK(D("case '%s' (line %d): type", tc->name, tc->line), tc->type != NULL);
    if (now < 0 || tc->type == NULL)
        return;

    ddb_sigv4_auth auth;
    ddb_error err = DDB_ERROR_INIT;
    int rc =
        ddb_sigv4_parse(&req, now, tc->service ? tc->service : "dynamodb", &auth, &err);
    if (strcmp(tc->type, "OK") == 0) {
        CHECK_STR(D("case '%s' (line %d): accepted", tc->name, tc->line),
                  rc == DDB_OK ? "OK" : err.message, "OK");
        if (rc == DDB_OK) {
            for (size_t i = 0; i < tc->n_field; i++) {
                char tmp[16];
                CHECK_STR(
                    D("case '%s' (line %d): %s", tc->name, tc->line, tc->field[i][0]),
                    auth_field(&auth, tc->field[i][0], tmp), tc->field[i][1]);
            }
            ddb_sigv4_auth_free(&auth);
        }
    } else {
        CHECK_STR(D("case '%s' (line %d): __type", tc->name, tc->line),
                  rc == DDB_ERR ? ddb_err_type(err.code) : "(accepted)", tc->type);
        CHECK_STR(D("case '%s' (line %d): message", tc->name, tc->line),
                  err.message ? err.message : "(none)", tc->message ? tc->message : "");
        if (rc == DDB_OK)
            ddb_sigv4_auth_free(&auth);
    }
    ddb_err_clear(&err);
}

static void run_cases(void)
{
    char path[PATH_CAP];
    char *text = slurp(P(path, "%s/tests/unit/sigv4_auth_cases.txt", root), NULL);
    CHECK("tests/unit/sigv4_auth_cases.txt exists", text != NULL);
    if (text == NULL)
        return;
    tcase tc;
    memset(&tc, 0, sizeof tc);
    int lineno = 0, n_cases = 0;
    char *s = text;
    for (;;) {
        char *nl = strchr(s, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *line = s;
        size_t ll = strlen(line);
        if (ll > 0 && line[ll - 1] == '\r')
            line[--ll] = '\0';
        if (ll > 0 && line[0] != '#') {
            char *colon = strchr(line, ':');
            CHECK(D("sigv4_auth_cases.txt line %d: 'key: value'", lineno), colon != NULL);
            if (colon != NULL) {
                *colon = '\0';
                char *v = colon + 1;
                while (*v == ' ')
                    v++;
                char *val = ddb_xstrdup(v);
                unescape(val);
                char **slot = tcase_slot(&tc, line);
                if (strcmp(line, "case") == 0) {
                    if (tc.name) {
                        tcase_run(&tc);
                        n_cases++;
                        tcase_reset(&tc);
                    }
                    tc.name = val;
                    tc.line = lineno;
                    val = NULL;
                } else if (slot != NULL) {
                    free(*slot);
                    *slot = val;
                    val = NULL;
                } else if (strcmp(line, "header") == 0 && tc.n_hdr < MAX_HDRS) {
                    tc.hdr_text[tc.n_hdr++] = val;
                    val = NULL;
                } else if (tc.n_field < 8) {
                    tc.field[tc.n_field][0] = ddb_xstrdup(line);
                    tc.field[tc.n_field][1] = val;
                    tc.n_field++;
                    val = NULL;
                }
                free(val);
            }
        }
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    if (tc.name) {
        tcase_run(&tc);
        n_cases++;
    }
    tcase_reset(&tc);
    free(text);
    printf("sigv4 auth cases: %d run\n", n_cases);
    CHECK("sigv4_auth_cases.txt holds cases", n_cases > 0);
}

/*---- known answers, cache under threads ----*/

static const char *const KA_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/* §5.1: aws-c-auth get-vanilla, by hand. */
static void run_known_answer(void)
{
    ddb_sigv4_header h[3] = {
        {"Host", 4, "example.amazonaws.com", 21},
        {"X-Amz-Date", 10, "20150830T123600Z", 16},
        {"Authorization", 13, NULL, 0},
    };
    ddb_sigv4_request req = {.method = "GET", .path = "/", .headers = h, .n_headers = 2};
    char *authz = ddb_sigv4_sign(&req, "AKIDEXAMPLE", KA_SECRET, "us-east-1", "service",
                                 "20150830T123600Z");
    CHECK_STR("known answer: Authorization", authz,
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
              "aws4_request, SignedHeaders=host;x-amz-date, Signature="
              "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    h[2].value = authz;
    h[2].value_len = authz ? strlen(authz) : 0;
    req.n_headers = 3;

    ddb_sigv4_auth auth;
    ddb_error err = DDB_ERROR_INIT;
    int rc = ddb_sigv4_parse(&req, parse_now("20150830T123600Z"), "service", &auth, &err);
    CHECK("known answer: parse", rc == DDB_OK);
    if (rc == DDB_OK) {
        char *creq = NULL, *sts = NULL;
        ddb_sigv4_canonical(&req, &auth, &creq, &sts, &err);
        CHECK_STR("known answer: canonical request", creq,
                  "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                  "host;x-amz-date\n"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        char hex[65];
        ddb_sha256_hex(creq ? creq : "", creq ? strlen(creq) : 0, hex);
        CHECK_STR("known answer: hash of the canonical request", hex,
                  "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
        CHECK("known answer: verify",
              ddb_sigv4_verify(&req, &auth, KA_SECRET, &err) == DDB_OK);
        free(creq);
        free(sts);
        ddb_sigv4_auth_free(&auth);
    }
    ddb_err_clear(&err);
    free(authz);

    char hex[65];
    ddb_sha256_hex(NULL, 0, hex);
    CHECK_STR("sha256 of nothing", hex,
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ddb_sha256_hex("abc", 3, hex);
    CHECK_STR("sha256 of abc", hex,
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK("sign rejects a malformed date",
          ddb_sigv4_sign(&req, "AKIDEXAMPLE", KA_SECRET, "us-east-1", "service",
                         "2015") == NULL);

    CHECK("region us-east-1", ddb_sigv4_region_valid("us-east-1"));
    CHECK("region us-gov-west-1", ddb_sigv4_region_valid("us-gov-west-1"));
    CHECK("region ap-southeast-1", ddb_sigv4_region_valid("ap-southeast-1"));
    CHECK("region c", !ddb_sigv4_region_valid("c"));
    CHECK("region empty", !ddb_sigv4_region_valid(""));
    CHECK("region localhost", !ddb_sigv4_region_valid("localhost"));
    CHECK("region US-EAST-1", !ddb_sigv4_region_valid("US-EAST-1"));
    CHECK("region us-east-1a", !ddb_sigv4_region_valid("us-east-1a"));
}

/* A signed POST for the threads: body and key vary per thread and round. */
static void *thread_main(void *arg)
{
    long id = (long)arg;
    long failures = 0;
    for (int round = 0; round < 200; round++) {
        char secret[64], body[64], date[17];
        snprintf(secret, sizeof secret, "secret-%ld", (id + round) % 5);
        snprintf(body, sizeof body, "{\"round\":%d}", round);
        snprintf(date, sizeof date, "201508%02dT123600Z", 20 + round % 3);
        ddb_sigv4_header h[5] = {
            {"Host", 4, "localhost:8000", 14},
            {"X-Amz-Date", 10, date, 16},
            {"X-Amz-Target", 12, "DynamoDB_20120810.ListTables", 28},
            {"Content-Type", 12, "application/x-amz-json-1.0", 26},
            {"Authorization", 13, NULL, 0},
        };
        ddb_sigv4_request req = {.method = "POST",
                                 .path = "/",
                                 .headers = h,
                                 .n_headers = 4,
                                 .body = (const unsigned char *)body,
                                 .body_len = strlen(body)};
        char *authz =
            ddb_sigv4_sign(&req, "AKIDLOCAL", secret, "ap-southeast-1", "dynamodb", date);
        h[4].value = authz;
        h[4].value_len = strlen(authz);
        req.n_headers = 5;
        ddb_sigv4_auth auth;
        ddb_error err = DDB_ERROR_INIT;
        double now = parse_now(date);
        if (ddb_sigv4_parse(&req, now, "dynamodb", &auth, &err) != DDB_OK ||
            ddb_sigv4_verify(&req, &auth, secret, &err) != DDB_OK)
            failures++;
        else
            ddb_sigv4_auth_free(&auth);
        ddb_err_clear(&err);
        free(authz);
    }
    return (void *)failures;
}

static void run_threads(void)
{
    pthread_t th[4];
    long total = 0;
    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, thread_main, (void *)i);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        total += (long)r;
    }
    CHECK("4 threads sign and verify 800 requests through the key cache", total == 0);
}

/* Use the current directory when it holds fixtures/sigv4, else two levels above
** the binary (build/tests/test_sigv4 -> repository root). */
static void find_root(const char *argv0)
{
    if (is_dir("fixtures/sigv4"))
        return;
    const char *slash = strrchr(argv0, '/');
    if (slash == NULL)
        return;
    char cand[1024];
    snprintf(cand, sizeof cand, "%.*s/../..", (int)(slash - argv0), argv0);
    char probe[1100];
    snprintf(probe, sizeof probe, "%s/fixtures/sigv4", cand);
    if (is_dir(probe))
        snprintf(root, sizeof root, "%s", cand);
}

int main(int argc, char **argv)
{
    (void)argc;
    find_root(argv[0]);
    run_known_answer();
    run_vectors();
    run_cases();
    run_threads();
    return CHECK_REPORT();
}
