/* SPDX-License-Identifier: MIT
**
** http.c -- libmicrohttpd glue: request objects, body accumulation with the
** 16 MiB cap, the pre-dispatch wire rules (health check, CORS preflight, 404
** for wrong method or media type, 413) and the one function that queues every
** response with x-amzn-RequestId, x-amz-crc32, Content-Type and CORS headers.
** DynamoDB semantics live in dispatch.c and the operation files.
*/
#include "emulator.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Called by libmicrohttpd once per request, before the headers are parsed;
** its return value becomes the request's req_cls. Keeps the raw request
** target, which SigV4 needs with its query string as sent. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    ddb_req *req = ddb_xcalloc(1, sizeof *req);
    req->srv = cls;
    req->conn = conn;
    req->uri = ddb_xstrdup(uri ? uri : "/");
    ddb_request_id(req->request_id);
    return req;
}

static void req_free(ddb_req *req)
{
    if (req == NULL)
        return;
    free(req->uri);
    ddb_buf_free(&req->body);
    json_decref(req->in);
    json_decref(req->out);
    ddb_buf_free(&req->out_raw);
    free(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    req_free(*req_cls);
    *req_cls = NULL;
}

const char *ddb_req_header(ddb_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int ddb_req_client_ip(ddb_req *req, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return -1;
    const struct sockaddr *sa = ci->client_addr;
    const void *addr = sa->sa_family == AF_INET6
                           ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                           : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
    return inet_ntop(sa->sa_family, addr, out, (socklen_t)cap) ? 0 : -1;
}

typedef struct header_list {
    ddb_sigv4_header *v;
    size_t n, cap;
} header_list;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    header_list *l = cls;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = ddb_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (ddb_sigv4_header){key, key_size, value ? value : "", value ? value_size : 0};
    return MHD_YES;
}

ddb_sigv4_header *ddb_req_headers(ddb_req *req, size_t *out_n)
{
    header_list l = {NULL, 0, 0};
    MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, collect_header, &l);
    *out_n = l.n;
    return l.v;
}

/* Queue a response. 'body' is owned (freed by libmicrohttpd); 'ctype' may be
** NULL for no Content-Type. Every response carries the request id and, when
** the request had an Origin, Access-Control-Allow-Origin. */
static enum MHD_Result send_response(ddb_req *req, unsigned status, char *body, size_t len,
                                     const char *ctype, int with_crc)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE
                                                                     : MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "x-amzn-RequestId", req->request_id);
    if (with_crc) {
        char crc[16];
        snprintf(crc, sizeof crc, "%u", ddb_crc32(body ? body : "", len));
        MHD_add_response_header(r, "x-amz-crc32", crc);
    }
    if (ctype != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (ddb_req_header(req, "Origin") != NULL)
        MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    enum MHD_Result ret = MHD_queue_response(req->conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_413(ddb_req *req)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    /* DynamoDB answers with an empty chunked body; a closed connection
    ** stops the client from streaming the rest of a huge upload. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(req->conn, MHD_HTTP_CONTENT_TOO_LARGE, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_404(ddb_req *req)
{
    static const char text[] = "<UnknownOperationException/>\n";
    return send_response(req, MHD_HTTP_NOT_FOUND, ddb_xstrdup(text), sizeof text - 1, NULL, 1);
}

/* CORS preflight: echo the requested headers and method. */
static enum MHD_Result send_preflight(ddb_req *req)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "x-amzn-RequestId", req->request_id);
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    const char *h = ddb_req_header(req, "Access-Control-Request-Headers");
    if (h != NULL)
        MHD_add_response_header(r, "Access-Control-Allow-Headers", h);
    h = ddb_req_header(req, "Access-Control-Request-Method");
    if (h != NULL)
        MHD_add_response_header(r, "Access-Control-Allow-Methods", h);
    MHD_add_response_header(r, "Access-Control-Max-Age", "172800");
    enum MHD_Result ret = MHD_queue_response(req->conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* The media type of a Content-Type value: the part before ';', trimmed. */
static void media_type(const char *ct, char *out, size_t cap)
{
    size_t o = 0;
    if (ct == NULL) {
        out[0] = '\0';
        return;
    }
    while (*ct == ' ' || *ct == '\t')
        ct++;
    while (*ct && *ct != ';' && o + 1 < cap)
        out[o++] = *ct++;
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
        o--;
    out[o] = '\0';
}

static enum MHD_Result answer(ddb_req *req)
{
    const char *method = req->method;
    int has_origin = ddb_req_header(req, "Origin") != NULL;

    if (strcmp(method, "OPTIONS") == 0 && has_origin)
        return send_preflight(req);
    if (strncmp(req->uri, "/_ddbd/", 7) == 0) {
        char *path = ddb_xstrdup(req->uri);
        char *q = strchr(path, '?');
        if (q != NULL)
            *q++ = '\0';
        char *body = NULL;
        size_t len = 0;
        const char *ctype = NULL;
        int status = ddb_admin_handle(req, method, path, q ? q : "", &body, &len, &ctype);
        free(path);
        return send_response(req, (unsigned)status, body, len, ctype, 0);
    }
    if (strcmp(method, "GET") == 0 && strcmp(req->uri, "/") == 0) {
        static const char health[] = "healthy: dynamodb.us-east-1.amazonaws.com ";
        return send_response(req, MHD_HTTP_OK, ddb_xstrdup(health), sizeof health - 1, NULL, 1);
    }
    if (strcmp(method, "POST") != 0)
        return send_404(req);

    char mt[128];
    media_type(ddb_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE), mt, sizeof mt);
    if (strcasecmp(mt, "application/x-www-form-urlencoded") == 0) {
        char *body = NULL;
        size_t len = 0;
        int status = ddb_sts_handle(req, &body, &len);
        return send_response(req, (unsigned)status, body, len, "text/xml", 0);
    }
    int json_ok = strcmp(mt, "application/json") == 0 ||
                  strcmp(mt, "application/x-amz-json-1.0") == 0;
    if (req->body.len > 0 && !json_ok)
        return send_404(req);
    req->json_content = strcmp(mt, "application/x-amz-json-1.0") != 0;

    char *body = NULL;
    size_t len = 0;
    const char *ctype = NULL;
    int status = ddb_dispatch(req, &body, &len, &ctype);
    return send_response(req, (unsigned)status, body, len, ctype, 1);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **req_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    ddb_req *req = *req_cls;
    if (req == NULL) /* cannot happen: on_uri always runs first */
        return MHD_NO;
    req->conn = conn;

    if (req->method == NULL) { /* headers only */
        req->method = method;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > DDB_MAX_BODY)
            req->too_large = 1;
        return MHD_YES;
    }
    if (*data_size > 0) { /* one body chunk */
        if (!req->too_large) {
            if (req->body.len + *data_size > DDB_MAX_BODY) {
                req->too_large = 1;
                ddb_buf_free(&req->body);
            } else {
                ddb_buf_append(&req->body, data, *data_size);
            }
        }
        *data_size = 0;
        return MHD_YES;
    }
    if (req->too_large)
        return send_413(req);
    return answer(req);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (!ddb_log_enabled(DDB_LOG_DEBUG))
        return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    ddb_log(DDB_LOG_DEBUG, "http: %s", line);
}

int ddb_http_start(ddb_server *srv, ddb_error *err)
{
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[16];
    snprintf(port, sizeof port, "%d", srv->cfg.port);
    int gai = getaddrinfo(srv->cfg.host, port, &hints, &ai);
    if (gai != 0 || ai == NULL)
        return ddb_err_set(err, DDB_E_INTERNAL, "cannot resolve listen address '%s': %s",
                           srv->cfg.host, gai_strerror(gai));

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC | MHD_USE_TURBO;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    int threads = srv->cfg.threads > 0 ? srv->cfg.threads : 2;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_END);
    freeaddrinfo(ai);
    if (srv->daemon == NULL)
        return ddb_err_set(err, DDB_E_INTERNAL, "cannot listen on %s:%d (address in use?)",
                           srv->cfg.host, srv->cfg.port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->bound_port = info ? (int)info->port : srv->cfg.port;
    return DDB_OK;
}

void ddb_http_stop(ddb_server *srv)
{
    if (srv->daemon == NULL)
        return;
    /* stop accepting, then let in-flight requests finish and join the workers */
    MHD_quiesce_daemon(srv->daemon);
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
}
