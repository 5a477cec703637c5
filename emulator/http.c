/* SPDX-License-Identifier: MIT
**
** http.c -- libmicrohttpd glue: request objects, body accumulation with the
** 16 MiB cap, the pre-dispatch wire rules (health check, CORS preflight, 404
** for wrong method or media type, 413) and the one function that queues every
** response with x-amzn-RequestId, x-amz-crc32, Content-Type and CORS headers.
** DynamoDB semantics live in dispatch.c and the operation files.
**
** Transport limits (README "Reliability and limits"): a cap on connections
** (and on connections per client address), 32 KiB of request line and
** headers per connection, a cap on the request bodies buffered at once, and
** a per-request deadline enforced by a reaper thread: each request, the idle
** time before it included, must arrive and be answered within
** DDBD_REQUEST_TIMEOUT seconds (default 60) of the connection opening or the
** previous response, or the connection is shut down -- so a client that
** trickles its headers or body (slow loris), or never reads its response,
** holds a connection only that long. Stopping drains: no new connections,
** every request in flight is answered (Connection: close), then the workers
** are joined.
*/
#include "emulator.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*---- limits ----*/

#define CONNECTION_LIMIT 1024          /* open connections, all clients */
#define PER_IP_LIMIT 512               /* open connections from one address */
#define CONNECTION_MEMORY (32 * 1024)  /* request line + headers per connection */
#define MAX_BUFFERED (256u * 1024u * 1024u) /* request bodies held at once, all requests */
#define REQUEST_TIMEOUT 60             /* seconds; DDBD_REQUEST_TIMEOUT overrides */
#define DRAIN_SECONDS 10               /* how long stopping waits for requests in flight */

static unsigned request_timeout = REQUEST_TIMEOUT;
static unsigned connection_limit = CONNECTION_LIMIT;
static atomic_size_t buffered;   /* bytes of request bodies held by requests in flight */
static atomic_int in_flight;     /* requests between their request line and completion */
static atomic_int stopping;      /* ddb_http_stop has begun: answer with Connection: close */
static atomic_int closing;       /* the drain is over: execute no more requests */

/* An environment override of a limit: a positive integer, else 'def'. */
static unsigned env_limit(const char *name, unsigned def, unsigned lo, unsigned hi)
{
    const char *s = getenv(name);
    if (s == NULL || *s == '\0')
        return def;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) {
        ddb_log(DDB_LOG_WARN, "ignoring %s=%s (want %u..%u)", name, s, lo, hi);
        return def;
    }
    return (unsigned)v;
}

/*---- connection tracking and the reaper ----*/

/* One open connection: 'since' is when its current request slot began (the
** connection opened or the previous response completed); 'busy' while a
** handler runs (never cut). Linked under track_lock; MHD's CLOSED
** notification unlinks it before the socket is closed, so the reaper never
** touches a descriptor that was reused. */
typedef struct conn_track {
    int fd;
    int busy;
    int shut;
    double since;
    struct conn_track *prev, *next;
} conn_track;

static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reaper_cond = PTHREAD_COND_INITIALIZER;
static conn_track *tracked;
static pthread_t reaper_thread;
static int reaper_running, reaper_stop;

static conn_track *track_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_track *t = ddb_xcalloc(1, sizeof *t);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        t->fd = ci ? ci->connect_fd : -1;
        t->since = ddb_monotonic();
        pthread_mutex_lock(&track_lock);
        t->next = tracked;
        if (tracked)
            tracked->prev = t;
        tracked = t;
        pthread_mutex_unlock(&track_lock);
        *socket_context = t;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_track *t = *socket_context;
        if (t == NULL)
            return;
        pthread_mutex_lock(&track_lock);
        if (t->prev)
            t->prev->next = t->next;
        else
            tracked = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&track_lock);
        free(t);
        *socket_context = NULL;
    }
}

static void track_set(struct MHD_Connection *conn, int busy, int restart)
{
    conn_track *t = track_of(conn);
    if (t == NULL)
        return;
    pthread_mutex_lock(&track_lock);
    t->busy = busy;
    if (restart)
        t->since = ddb_monotonic();
    pthread_mutex_unlock(&track_lock);
}

/* Every half second: shut down connections whose request is past the deadline. */
static void *reaper_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&track_lock);
    while (!reaper_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 500 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&reaper_cond, &track_lock, &ts);
        double now = ddb_monotonic();
        for (conn_track *t = tracked; t != NULL; t = t->next) {
            if (t->busy || t->shut || t->fd < 0 || now - t->since <= request_timeout)
                continue;
            /* MHD sees the end of the stream and closes the connection itself */
            shutdown(t->fd, SHUT_RDWR);
            t->shut = 1;
            ddb_log(DDB_LOG_DEBUG, "http: closing a connection after %us without a complete "
                                   "request and reply", request_timeout);
        }
    }
    pthread_mutex_unlock(&track_lock);
    return NULL;
}

/* Called by libmicrohttpd once per request, before the headers are parsed;
** its return value becomes the request's req_cls. Keeps the raw request
** target, which SigV4 needs with its query string as sent. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    atomic_fetch_add(&in_flight, 1);
    ddb_req *req = ddb_xcalloc(1, sizeof *req);
    req->srv = cls;
    req->conn = conn;
    req->uri = ddb_xstrdup(uri ? uri : "/");
    ddb_request_id(req->request_id);
    return req;
}

/* Drop a request's body, returning its bytes to the global budget. */
static void body_free(ddb_req *req)
{
    atomic_fetch_sub(&buffered, req->body.len);
    ddb_buf_free(&req->body);
}

static void req_free(ddb_req *req)
{
    if (req == NULL)
        return;
    free(req->uri);
    body_free(req);
    json_decref(req->in);
    json_decref(req->out);
    ddb_buf_free(&req->out_raw);
    free(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)why;
    if (*req_cls != NULL) {
        req_free(*req_cls);
        *req_cls = NULL;
        atomic_fetch_sub(&in_flight, 1);
    }
    track_set(conn, 0, 1); /* the next request's deadline starts now */
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
    if (sa->sa_family == AF_INET && cap >= INET_ADDRSTRLEN) {
        /* dotted quad by hand: glibc's inet_ntop formats IPv4 with sprintf,
        ** and every authorized request asks (aws:SourceIp) */
        const unsigned char *b = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
        char *o = out;
        for (int i = 0; i < 4; i++) {
            unsigned v = b[i];
            if (v >= 100)
                *o++ = (char)('0' + v / 100);
            if (v >= 10)
                *o++ = (char)('0' + v / 10 % 10);
            *o++ = (char)('0' + v % 10);
            *o++ = i < 3 ? '.' : '\0';
        }
        return 0;
    }
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
        char crc[16], *c = crc + sizeof crc;
        uint32_t v = ddb_crc32(body ? body : "", len);
        *--c = '\0';
        do /* decimal, as "%u" */
            *--c = (char)('0' + v % 10);
        while ((v /= 10) != 0);
        MHD_add_response_header(r, "x-amz-crc32", c);
    }
    if (ctype != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (ddb_req_header(req, "Origin") != NULL)
        MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    if (atomic_load(&stopping))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
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
        if (cl != NULL && strtoull(cl, NULL, 10) > DDB_MAX_BODY) {
            req->too_large = 1;
            /* A client waiting for 100 Continue gets the 413 instead and never
            ** sends the body; others send it whole before they read, so it is
            ** read (and dropped) first, as DynamoDB does. */
            const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                             MHD_HTTP_HEADER_EXPECT);
            if (expect != NULL && strcasecmp(expect, "100-continue") == 0)
                return send_413(req);
        }
        return MHD_YES;
    }
    if (*data_size > 0) { /* one body chunk */
        if (!req->too_large) {
            if (req->body.len + *data_size > DDB_MAX_BODY) {
                req->too_large = 1;
                body_free(req);
            } else {
                /* Bounded memory: the bodies of all requests in flight share
                ** MAX_BUFFERED; past it a connection is closed (clients retry). */
                if (atomic_fetch_add(&buffered, *data_size) + *data_size > MAX_BUFFERED) {
                    atomic_fetch_sub(&buffered, *data_size);
                    ddb_log(DDB_LOG_WARN, "http: %u MiB of request bodies in flight; closing "
                                          "a connection", MAX_BUFFERED >> 20);
                    return MHD_NO;
                }
                ddb_buf_append(&req->body, data, *data_size);
            }
        }
        *data_size = 0;
        return MHD_YES;
    }
    if (req->too_large)
        return send_413(req);
    /* After the drain, a request that arrives is not executed: its
    ** connection closes unanswered, so no write is applied whose answer
    ** could be lost when the workers stop (see ddb_http_stop). */
    if (atomic_load(&closing))
        return MHD_NO;
    track_set(conn, 1, 0);
    enum MHD_Result ret = answer(req);
    track_set(conn, 0, 0);
    return ret;
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

/* Room for the connection limit: raise the soft descriptor limit to the hard
** one (capped), and keep the connection limit below what is available. */
static unsigned fit_connection_limit(unsigned want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return want;
    rlim_t goal = (rlim_t)want + 256;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < goal) {
        rlim_t cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > goal ? goal : rl.rlim_max;
        if (cur > rl.rlim_cur) {
            rl.rlim_cur = cur;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < goal) {
        unsigned fit = rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 96) : 32;
        ddb_log(DDB_LOG_WARN, "only %llu file descriptors: accepting at most %u connections",
                (unsigned long long)rl.rlim_cur, fit);
        return fit < want ? fit : want;
    }
    return want;
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
    request_timeout = env_limit("DDBD_REQUEST_TIMEOUT", REQUEST_TIMEOUT, 1, 86400);
    connection_limit = fit_connection_limit(
        env_limit("DDBD_CONNECTION_LIMIT", CONNECTION_LIMIT, 4, 65536));
    unsigned per_ip = connection_limit / 2 > PER_IP_LIMIT ? connection_limit / 2 : PER_IP_LIMIT;
    if (per_ip > connection_limit)
        per_ip = connection_limit;
    atomic_store(&stopping, 0);
    atomic_store(&closing, 0);
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_TIMEOUT, request_timeout,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_END);
    freeaddrinfo(ai);
    if (srv->daemon == NULL)
        return ddb_err_set(err, DDB_E_INTERNAL, "cannot listen on %s:%d (address in use?)",
                           srv->cfg.host, srv->cfg.port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->bound_port = info ? (int)info->port : srv->cfg.port;
    reaper_stop = 0;
    reaper_running = pthread_create(&reaper_thread, NULL, reaper_main, NULL) == 0;
    ddb_log(DDB_LOG_DEBUG, "http: at most %u connections (%u per client address), %us per "
                           "request, %u MiB of bodies in flight",
            connection_limit, per_ip, request_timeout, MAX_BUFFERED >> 20);
    return DDB_OK;
}

void ddb_http_stop(ddb_server *srv)
{
    if (srv->daemon == NULL)
        return;
    /* Stop accepting (pending connections are refused), answer every request
    ** already received -- with Connection: close, so that keep-alive clients
    ** do not send more -- then close what is left and join the workers. */
    atomic_store(&stopping, 1);
    MHD_socket lfd = MHD_quiesce_daemon(srv->daemon);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    double deadline = ddb_monotonic() + DRAIN_SECONDS;
    int waited = 0;
    /* Twice: until nothing is in flight, then -- with 'closing' set, so that
    ** a request that slipped in is either still counted here or refused
    ** before it executes -- until what slipped in is answered too. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            atomic_store(&closing, 1);
        while (atomic_load(&in_flight) > 0 && ddb_monotonic() < deadline) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            waited = 1;
        }
    }
    if (atomic_load(&in_flight) > 0)
        ddb_log(DDB_LOG_WARN, "%d requests still unanswered after %ds; closing them",
                atomic_load(&in_flight), DRAIN_SECONDS);
    else if (waited)
        ddb_log(DDB_LOG_INFO, "requests in flight answered");
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
    if (reaper_running) {
        pthread_mutex_lock(&track_lock);
        reaper_stop = 1;
        pthread_cond_signal(&reaper_cond);
        pthread_mutex_unlock(&track_lock);
        pthread_join(reaper_thread, NULL);
        reaper_running = 0;
    }
}
