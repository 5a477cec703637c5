/* SPDX-License-Identifier: MIT
**
** transport.c -- the client's HTTP side: one libcurl easy handle reused for
** every request (keep-alive), connect and total timeouts, SigV4 signing with
** the shared ddb_sigv4_sign (host, x-amz-date, content-type, x-amz-target
** for DynamoDB, x-amz-security-token when there is a session token), the
** standard retry loop (retry.c decides, this file sleeps and re-signs), the
** x-amz-crc32 check, and turning a failed answer into a cli_error; also the
** unsigned one-shot requests to ddbd's own /_ddbd/ endpoints (`ddb workshop`
** reads metrics and moves the manual clock). The only file that includes
** <curl/curl.h>.
*/
#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_REPLY             (256u * 1024 * 1024) /* bytes accepted in one answer */
#define DEFAULT_RETRY_BASE_MS 1000 /* backoff base; DDB_RETRY_BASE_MS overrides */

struct cli_transport {
    CURL *curl;
    const cli_config *cfg;
    cli_net net;
    cli_quota quota;
    double retry_base; /* seconds */
    /* state of the attempt in flight */
    ddb_buf body;
    int too_large;
    char crc32[32];
    char request_id[128];
    char error_type[256]; /* x-amzn-ErrorType */
    char errbuf[CURL_ERROR_SIZE];
};

/* Where a request goes: the URL to send to, the Host header to send and
** sign, and the path to sign. */
typedef struct endpoint {
    char *url;
    char *host;
    char *path;
} endpoint;

static void endpoint_free(endpoint *ep)
{
    free(ep->url);
    free(ep->host);
    free(ep->path);
}

static int parse_endpoint(const char *text, endpoint *ep, cli_error *e)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *url = NULL;
    int rc = DDB_ERR;
    memset(ep, 0, sizeof *ep);
    if (u == NULL)
        abort();
    if (curl_url_set(u, CURLUPART_URL, text, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
        cli_fail(e, CLI_EXIT_CONFIG, "InvalidEndpointError",
                 "Invalid endpoint: %s (expected http://HOST[:PORT] or https://...)",
                 text);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
        port = NULL;
    if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
        path = NULL;
    curl_url_set(u, CURLUPART_QUERY, NULL, 0);
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        cli_fail(e, CLI_EXIT_CONFIG, "InvalidEndpointError", "Invalid endpoint: %s",
                 text);
        goto out;
    }
    int default_port = port == NULL ||
                       (strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
                       (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0);
    ep->url = ddb_xstrdup(url);
    ep->host = default_port ? ddb_xstrdup(host) : ddb_xasprintf("%s:%s", host, port);
    ep->path = ddb_xstrdup(path && path[0] ? path : "/");
    rc = DDB_OK;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(url);
    curl_url_cleanup(u);
    return rc;
}

/*---- libcurl callbacks ----*/

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
    cli_transport *t = userdata;
    size_t n = size * nmemb;
    if (t->body.len + n > MAX_REPLY) {
        t->too_large = 1;
        return 0;
    }
    ddb_buf_append(&t->body, p, n);
    return n;
}

/* Copy the value of header line 'p' into 'out' if its name is 'name'. */
static void header_value(const char *p, size_t n, const char *name, char *out, size_t cap)
{
    size_t k = strlen(name);
    if (n <= k || p[k] != ':' || strncasecmp(p, name, k) != 0)
        return;
    size_t i = k + 1;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    size_t end = n;
    while (end > i && (p[end - 1] == '\r' || p[end - 1] == '\n' || p[end - 1] == ' '))
        end--;
    size_t len = end - i < cap - 1 ? end - i : cap - 1;
    memcpy(out, p + i, len);
    out[len] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *userdata)
{
    cli_transport *t = userdata;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response: forget the last */
        t->crc32[0] = t->request_id[0] = t->error_type[0] = '\0';
        return n;
    }
    header_value(p, n, "x-amz-crc32", t->crc32, sizeof t->crc32);
    header_value(p, n, "x-amzn-requestid", t->request_id, sizeof t->request_id);
    header_value(p, n, "x-amzn-errortype", t->error_type, sizeof t->error_type);
    return n;
}

int cli_transport_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? DDB_OK : DDB_ERR;
}

void cli_transport_global_cleanup(void)
{
    curl_global_cleanup();
}

cli_transport *cli_transport_new(const cli_config *cfg, const cli_net *net, cli_error *e)
{
    cli_transport *t = ddb_xcalloc(1, sizeof *t);
    t->cfg = cfg;
    t->net = *net;
    cli_quota_init(&t->quota);
    long base_ms = DEFAULT_RETRY_BASE_MS;
    const char *env = getenv("DDB_RETRY_BASE_MS");
    if (env != NULL && env[0] != '\0' && cli_parse_long(env, 0, 60000, &base_ms) != 0) {
        free(t);
        cli_fail(e, CLI_EXIT_CONFIG, "InvalidConfigError",
                 "DDB_RETRY_BASE_MS must be an integer from 0 to 60000, got '%s'", env);
        return NULL;
    }
    t->retry_base = (double)base_ms / 1000.0;
    t->curl = curl_easy_init();
    if (t->curl == NULL) {
        free(t);
        cli_fail(e, CLI_EXIT_TRANSPORT, "HTTPClientError", "cannot initialise libcurl");
        return NULL;
    }
    CURL *c = t->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "ddb/" DDB_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(net->connect_timeout * 1000));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(net->timeout * 1000));
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    const char *ca = getenv("AWS_CA_BUNDLE");
    if (ca != NULL && ca[0] != '\0')
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    return t;
}

void cli_transport_free(cli_transport *t)
{
    if (t == NULL)
        return;
    curl_easy_cleanup(t->curl);
    ddb_buf_free(&t->body);
    free(t);
}

void cli_reply_free(cli_reply *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

/*---- one attempt ----*/

/* What one attempt produced. */
typedef struct attempt {
    long status; /* 0 when there was no HTTP answer */
    CURLcode curl_code;
    int timeout; /* curl timed out */
    int crc_mismatch;
    char code[128]; /* service error code, "" if none */
    char *message;  /* owned */
} attempt;

static void amz_date_now(char out[17])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Append one header line; "Name:" with nothing after the colon removes a
** header libcurl would add by itself. Aborts on out-of-memory. */
static struct curl_slist *add_line(struct curl_slist *l, const char *line)
{
    struct curl_slist *n = curl_slist_append(l, line);
    if (n == NULL)
        abort();
    return n;
}

static struct curl_slist *add_header(struct curl_slist *l, const char *name,
                                     const char *value)
{
    char *line = ddb_xasprintf("%s: %s", name, value);
    l = add_line(l, line);
    free(line);
    return l;
}

/* Send the request once, signed now. Fills 'at'. */
static void send_once(cli_transport *t, const endpoint *ep, const char *service,
                      const char *target, const char *body, size_t len,
                      const char *invocation, int attempt_no, attempt *at)
{
    const char *ctype = target ? "application/x-amz-json-1.0"
                               : "application/x-www-form-urlencoded; charset=utf-8";
    char amz_date[17];
    amz_date_now(amz_date);
    ddb_sigv4_header h[5];
    size_t nh = 0;
    h[nh++] = (ddb_sigv4_header){"Content-Type", 12, ctype, strlen(ctype)};
    h[nh++] = (ddb_sigv4_header){"Host", 4, ep->host, strlen(ep->host)};
    h[nh++] = (ddb_sigv4_header){"X-Amz-Date", 10, amz_date, strlen(amz_date)};
    if (target != NULL)
        h[nh++] = (ddb_sigv4_header){"X-Amz-Target", 12, target, strlen(target)};
    const char *token = t->cfg->session_token;
    if (token != NULL)
        h[nh++] = (ddb_sigv4_header){"X-Amz-Security-Token", 20, token, strlen(token)};
    ddb_sigv4_request req = {
        .method = "POST",
        .path = ep->path,
        .query = NULL,
        .headers = h,
        .n_headers = nh,
        .body = (const unsigned char *)body,
        .body_len = len,
    };
    char *authz = ddb_sigv4_sign(&req, t->cfg->access_key, t->cfg->secret_key,
                                 t->cfg->region, service, amz_date);
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < nh; i++)
        list = add_header(list, h[i].name, h[i].value);
    list = add_header(list, "Authorization", authz ? authz : "");
    list = add_header(list, "amz-sdk-invocation-id", invocation);
    char sdk_request[64];
    snprintf(sdk_request, sizeof sdk_request, "attempt=%d; max=%d", attempt_no,
             t->cfg->max_attempts);
    list = add_header(list, "amz-sdk-request", sdk_request);
    list = add_line(list, "Expect:");
    list = add_line(list, "Accept:");
    free(authz);

    t->body.len = 0;
    t->too_large = 0;
    t->errbuf[0] = t->crc32[0] = t->request_id[0] = t->error_type[0] = '\0';
    CURL *c = t->curl;
    curl_easy_setopt(c, CURLOPT_URL, ep->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    if (t->net.debug)
        fprintf(stderr, "ddb: debug: POST %s %s attempt %d/%d\n", ep->url,
                target ? target : "(sts query)", attempt_no, t->cfg->max_attempts);
    double t0 = ddb_monotonic();
    at->curl_code = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(list);
    if (at->curl_code != CURLE_OK) {
        at->timeout = at->curl_code == CURLE_OPERATION_TIMEDOUT;
        if (t->net.debug)
            fprintf(stderr, "ddb: debug: transport error after %.0f ms: %s\n",
                    (ddb_monotonic() - t0) * 1000, curl_easy_strerror(at->curl_code));
        return;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &at->status);
    if (t->crc32[0] != '\0') {
        char *end = NULL;
        unsigned long want = strtoul(t->crc32, &end, 10);
        at->crc_mismatch = *end != '\0' || want != ddb_crc32(t->body.data, t->body.len);
    }
    if (t->net.debug)
        fprintf(stderr, "ddb: debug: HTTP %ld in %.0f ms, %zu bytes, request id %s%s\n",
                at->status, (ddb_monotonic() - t0) * 1000, t->body.len,
                t->request_id[0] ? t->request_id : "-",
                at->crc_mismatch ? ", x-amz-crc32 MISMATCH" : "");
}

/* Read the service's error code and message from the answer of 'at'. */
static void parse_service_error(cli_transport *t, int json_protocol, attempt *at)
{
    const char *body = t->body.data ? (const char *)t->body.data : "";
    if (json_protocol) {
        json_t *doc = json_loadb(body, t->body.len, 0, NULL);
        const char *type = json_string_value(json_object_get(doc, "__type"));
        const char *msg = json_string_value(json_object_get(doc, "message"));
        if (msg == NULL)
            msg = json_string_value(json_object_get(doc, "Message"));
        if (type != NULL) {
            const char *hash = strrchr(type, '#');
            snprintf(at->code, sizeof at->code, "%s", hash ? hash + 1 : type);
        }
        at->message = msg ? ddb_xstrdup(msg) : NULL;
        json_decref(doc);
    } else {
        char *code = cli_xml_text(body, "Code");
        if (code != NULL)
            snprintf(at->code, sizeof at->code, "%s", code);
        free(code);
        at->message = cli_xml_text(body, "Message");
    }
    if (at->code[0] == '\0' && t->error_type[0] != '\0') {
        char *colon = strchr(t->error_type, ':');
        if (colon)
            *colon = '\0';
        snprintf(at->code, sizeof at->code, "%.120s", t->error_type);
    }
    if (at->code[0] == '\0') {
        snprintf(at->code, sizeof at->code, "HttpError");
        free(at->message);
        size_t n = t->body.len < 200 ? t->body.len : 200;
        ddb_buf m = DDB_BUF_INIT;
        ddb_buf_printf(&m, "HTTP %ld", at->status);
        if (n > 0)
            ddb_buf_puts(&m, ": ");
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)body[i];
            ddb_buf_putc(&m, c < 0x20 ? ' ' : c);
        }
        at->message = ddb_buf_steal(&m, NULL);
    }
}

/* Record the final failure of a request into 'e'. */
static int record_failure(cli_transport *t, const endpoint *ep, const attempt *at,
                          cli_retry_kind kind, int attempts, cli_error *e)
{
    char tail[64] = "";
    if (attempts > 1)
        snprintf(tail, sizeof tail, " (after %d attempts)", attempts);
    if (at->curl_code != CURLE_OK || at->crc_mismatch) {
        const char *type, *what;
        const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(at->curl_code);
        curl_off_t connect_us = 0;
        curl_easy_getinfo(t->curl, CURLINFO_CONNECT_TIME_T, &connect_us);
        if (at->crc_mismatch) {
            type = "ChecksumError";
            what = "x-amz-crc32 does not match the body of the answer from";
            detail = NULL;
        } else if (at->timeout) {
            type = connect_us == 0 ? "ConnectTimeoutError" : "ReadTimeoutError";
            what = connect_us == 0 ? "Connect timeout on endpoint URL:"
                                   : "Read timeout on endpoint URL:";
        } else if (at->curl_code == CURLE_COULDNT_CONNECT ||
                   at->curl_code == CURLE_COULDNT_RESOLVE_HOST ||
                   at->curl_code == CURLE_COULDNT_RESOLVE_PROXY) {
            type = "EndpointConnectionError";
            what = "Could not connect to the endpoint URL:";
        } else if (at->curl_code == CURLE_SSL_CONNECT_ERROR ||
                   at->curl_code == CURLE_PEER_FAILED_VERIFICATION ||
                   at->curl_code == CURLE_SSL_CACERT_BADFILE) {
            type = "SSLError";
            what = "SSL validation failed for";
        } else if (at->curl_code == CURLE_WRITE_ERROR && t->too_large) {
            type = "ResponseTooLarge";
            what = "The answer exceeds the client's limit, from";
            detail = NULL;
        } else {
            type = "ConnectionClosedError";
            what =
                "Connection was closed before we received a valid response from endpoint "
                "URL:";
        }
        return cli_fail(e, CLI_EXIT_TRANSPORT, type, "%s \"%s\"%s%s%s%s", what, ep->url,
                        detail ? " (" : "", detail ? detail : "", detail ? ")" : "",
                        tail);
    }
    return cli_fail(e, kind == CLI_RETRY_THROTTLE ? CLI_EXIT_THROTTLED : CLI_EXIT_SERVICE,
                    at->code, "%s%s", at->message ? at->message : "", tail);
}

static void sleep_seconds(double s)
{
    struct timespec ts, rem;
    if (s <= 0)
        return;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    for (int i = 0; i < 1000 && nanosleep(&ts, &rem) != 0 && errno == EINTR; i++)
        ts = rem;
}

static double random_unit(void)
{
    uint64_t r;
    ddb_random_bytes(&r, sizeof r);
    return (double)(r >> 11) * (1.0 / 9007199254740992.0);
}

int cli_transport_post(cli_transport *t, const char *endpoint_url, const char *service,
                       const char *target, const char *body, size_t len, cli_reply *out,
                       cli_error *e)
{
    endpoint ep;
    if (parse_endpoint(endpoint_url, &ep, e) != DDB_OK)
        return DDB_ERR;
    char invocation[37];
    ddb_uuid(invocation);
    int last_cost = 0;
    int rc = DDB_ERR;
    memset(out, 0, sizeof *out);
    for (int n = 1; n <= t->cfg->max_attempts; n++) {
        attempt at;
        memset(&at, 0, sizeof at);
        send_once(t, &ep, service, target, body, len, invocation, n, &at);
        if (at.curl_code == CURLE_OK && !at.crc_mismatch && at.status >= 200 &&
            at.status < 300) {
            cli_quota_release(&t->quota, last_cost);
            out->status = at.status;
            out->body = ddb_buf_steal(&t->body, &out->len);
            rc = DDB_OK;
            break;
        }
        if (at.curl_code == CURLE_OK && !at.crc_mismatch)
            parse_service_error(t, target != NULL, &at);
        int transport_err = at.curl_code != CURLE_OK &&
                            !(at.curl_code == CURLE_WRITE_ERROR && t->too_large);
        cli_retry_kind kind =
            cli_retry_classify(at.status, at.code[0] ? at.code : NULL, transport_err,
                               at.timeout, at.crc_mismatch);
        int cost = 0;
        if (kind != CLI_RETRY_NO && n < t->cfg->max_attempts) {
            cost = cli_quota_acquire(&t->quota, kind);
            if (cost == 0 && t->net.debug)
                fprintf(stderr, "ddb: debug: retry quota exhausted, not retrying\n");
        }
        if (cost == 0) {
            record_failure(t, &ep, &at, kind, n, e);
            free(at.message);
            break;
        }
        last_cost = cost;
        double delay = cli_retry_delay(n, t->retry_base, random_unit());
        if (t->net.debug)
            fprintf(stderr, "ddb: debug: retrying in %.3f s (%s)\n", delay,
                    at.code[0] ? at.code : curl_easy_strerror(at.curl_code));
        free(at.message);
        sleep_seconds(delay);
    }
    endpoint_free(&ep);
    return rc;
}

const char *cli_transport_error_body(const cli_transport *t, size_t *len)
{
    if (t == NULL || t->body.len == 0 || t->too_large)
        return NULL;
    if (len != NULL)
        *len = t->body.len;
    return (const char *)t->body.data;
}

int cli_transport_admin(cli_transport *t, const char *endpoint_url, const char *method,
                        const char *path, const char *query, const char *body,
                        cli_reply *out, cli_error *e)
{
    memset(out, 0, sizeof *out);
    CURLU *u = curl_url();
    char *url = NULL;
    if (u == NULL)
        abort();
    if (curl_url_set(u, CURLUPART_URL, endpoint_url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_PATH, path, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_QUERY, query, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        return cli_fail(e, CLI_EXIT_CONFIG, "InvalidEndpointError",
                        "Invalid endpoint: %s", endpoint_url);
    }
    curl_url_cleanup(u);
    int is_post = strcmp(method, "POST") == 0;
    struct curl_slist *list = NULL;
    list = add_line(list, "Expect:");
    if (is_post)
        list = add_header(list, "Content-Type", "application/json");
    t->body.len = 0;
    t->too_large = 0;
    t->errbuf[0] = '\0';
    CURL *c = t->curl;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (is_post) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(body ? strlen(body) : 0));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    if (t->net.debug)
        fprintf(stderr, "ddb: debug: %s %s (ddbd endpoint, one attempt, unsigned)\n",
                method, url);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_POST, 1L); /* the signed requests are POSTs */
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
        int res = cli_fail(e, CLI_EXIT_TRANSPORT,
                           rc == CURLE_OPERATION_TIMEDOUT ? "ReadTimeoutError"
                                                          : "EndpointConnectionError",
                           "Could not connect to the endpoint URL: \"%s\" (%s)", url,
                           t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
        curl_free(url);
        return res;
    }
    curl_free(url);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = ddb_buf_steal(&t->body, &out->len);
    if (t->net.debug)
        fprintf(stderr, "ddb: debug: HTTP %ld, %zu bytes\n", out->status, out->len);
    return DDB_OK;
}
