/* SPDX-License-Identifier: MIT
**
** sigv4.c -- AWS Signature Version 4 for ddbd and its client.
**
** Owns: parsing the auth material of a request (Authorization header or
** presigned query), DynamoDB's structural auth checks in DynamoDB's order with
** its exact texts (iam-and-sigv4.md §4.3 #1-#9), canonicalization (§5.2),
** signature verification with a small signing-key cache, client-side signing
** and SHA-256. This is the only file of the project that includes OpenSSL.
**
** Stays out of: access-key lookup, session tokens and IAM (the caller maps
** auth->access_key to a secret and a principal), and HTTP (requests arrive as
** a ddb_sigv4_request of borrowed raw headers).
*/
#include "ddb_sigv4.h"
#include "ddb_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ALGORITHM           "AWS4-HMAC-SHA256"
#define TERMINATOR          "aws4_request"
#define SKEW_SECONDS        (15 * 60) /* allowed clock skew either way */
#define PRESIGN_MAX_EXPIRES 604800    /* X-Amz-Expires upper bound (7 days) */
#define KEY_CACHE_SLOTS     64        /* direct-mapped signing-key cache */

#define MSG_MISMATCH                                                                     \
    "The request signature we calculated does not match the signature you provided. "    \
    "Check your AWS Secret Access Key and signing method. Consult the service "          \
    "documentation for details."

/*---- SHA-256 and HMAC-SHA256 ----*/

/* OpenSSL 3 resolves an algorithm by name on every one-shot call (SHA256(),
** HMAC(), EVP_sha256() in EVP_DigestInit): a property query and a lock per
** call, more than the hashing itself costs on a short request. The digest is
** fetched once and each thread reuses one EVP_MD_CTX; HMAC is RFC 2104 over
** that digest. Nothing here nests, so one context per thread suffices. */

static EVP_MD *sha256_md; /* NULL if the fetch failed: EVP_sha256() then */
static pthread_key_t sha_ctx_key;
static int sha_ctx_key_ok;
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;

static void sha_ctx_release(void *c)
{
    EVP_MD_CTX_free(c);
}

static void sha_init_once(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha_ctx_key_ok = pthread_key_create(&sha_ctx_key, sha_ctx_release) == 0;
}

/* The calling thread's digest context, initialized for SHA-256. */
static EVP_MD_CTX *sha_begin(void)
{
    pthread_once(&sha_once, sha_init_once);
    if (!sha_ctx_key_ok)
        abort(); /* out of thread-specific keys at start-up */
    EVP_MD_CTX *c = pthread_getspecific(sha_ctx_key);
    if (c == NULL) {
        if ((c = EVP_MD_CTX_new()) == NULL || pthread_setspecific(sha_ctx_key, c) != 0)
            abort();
    }
    if (EVP_DigestInit_ex2(c, sha256_md ? sha256_md : EVP_sha256(), NULL) != 1)
        abort();
    return c;
}

static void sha_update(EVP_MD_CTX *c, const void *p, size_t n)
{
    if (n > 0 && EVP_DigestUpdate(c, p, n) != 1)
        abort();
}

static void sha_end(EVP_MD_CTX *c, unsigned char out[32])
{
    unsigned int len = 32;
    if (EVP_DigestFinal_ex(c, out, &len) != 1 || len != 32)
        abort();
}

static void sha256(const void *p, size_t n, unsigned char out[32])
{
    EVP_MD_CTX *c = sha_begin();
    sha_update(c, p, n);
    sha_end(c, out);
}

/* HMAC-SHA256 (RFC 2104): H(K ^ opad || H(K ^ ipad || data)). */
static void hmac_sha256(const void *key, size_t key_len, const void *data, size_t n,
                        unsigned char out[32])
{
    unsigned char k[64], pad[64], inner[32];
    memset(k, 0, sizeof k);
    if (key_len > sizeof k)
        sha256(key, key_len, k);
    else if (key_len > 0)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = (unsigned char)(k[i] ^ 0x36);
    EVP_MD_CTX *c = sha_begin();
    sha_update(c, pad, sizeof pad);
    sha_update(c, data, n);
    sha_end(c, inner);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = (unsigned char)(k[i] ^ 0x5c);
    c = sha_begin();
    sha_update(c, pad, sizeof pad);
    sha_update(c, inner, sizeof inner);
    sha_end(c, out);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
}

/*---- small string helpers ----*/

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Trim whitespace off both ends of (*p, *n). */
static void trim(const char **p, size_t *n)
{
    while (*n > 0 && is_ws((unsigned char)**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && is_ws((unsigned char)(*p)[*n - 1]))
        (*n)--;
}

/* 1 when the 'n' bytes at 'a' equal NUL-terminated 'b', ignoring ASCII case. */
static int ieq(const char *a, size_t n, const char *b)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (b[i] == '\0' || lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    }
    return b[i] == '\0';
}

/* Copy at most cap-1 bytes of (s, n) into 'dst' and NUL-terminate. */
static void copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* First header named 'name' (case-insensitive) whose trimmed value is not
** empty; the trimmed value is returned through (*v, *vn). NULL when none. */
static const ddb_sigv4_header *header_get(const ddb_sigv4_request *req, const char *name,
                                          const char **v, size_t *vn)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        const ddb_sigv4_header *h = &req->headers[i];
        if (!ieq(h->name, h->name_len, name))
            continue;
        const char *p = h->value ? h->value : "";
        size_t n = h->value ? h->value_len : 0;
        trim(&p, &n);
        if (n == 0)
            continue;
        *v = p;
        *vn = n;
        return h;
    }
    return NULL;
}

/* ddb_buf_putc without the call: the canonical request is built a byte at a
** time in places. */
static inline void bputc(ddb_buf *b, int c)
{
    if (b->len + 2 > b->cap)
        ddb_buf_reserve(b, 1);
    b->data[b->len++] = (unsigned char)c;
    b->data[b->len] = '\0';
}

/*---- percent-encoding ----*/

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode %XX escapes of (s, n) into 'out' (room for n bytes). A '%' that does
** not start a valid escape is kept literally; '+' stays '+'. Returns length. */
static size_t pct_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* Append (s, n) URI-encoded per RFC 3986: the unreserved set A-Z a-z 0-9 - . _ ~
** is kept, every other byte becomes %XX with upper-case hex. */
static void uri_encode(ddb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0; /* start of the pending run of unreserved bytes */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            continue;
        ddb_buf_append(b, s + run, i - run);
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        ddb_buf_append(b, e, 3);
        run = i + 1;
    }
    ddb_buf_append(b, s + run, n - run);
}

/*---- query strings ----*/

typedef struct qparam {
    char *name; /* decoded, NUL-terminated; owned */
    size_t name_len;
    char *value; /* decoded, NUL-terminated ("" when no '='); owned */
    size_t value_len;
    char *enc_name; /* canonical (re-encoded) forms, filled when sorting; owned */
    char *enc_value;
} qparam;

typedef struct qlist {
    qparam *p;
    size_t n;
} qlist;

static char *decode_dup(const char *s, size_t n, size_t *out_len)
{
    char *d = ddb_xmalloc(n + 1);
    size_t len = pct_decode(s, n, d);
    d[len] = '\0';
    *out_len = len;
    return d;
}

/* Split a raw query string at '&' into decoded name/value pairs, in order.
** Empty pieces are skipped; a piece without '=' has an empty value. */
static void query_parse(const char *q, qlist *out)
{
    out->p = NULL;
    out->n = 0;
    if (q == NULL)
        return;
    size_t cap = 0;
    const char *s = q;
    while (*s) {
        const char *amp = strchr(s, '&');
        size_t len = amp ? (size_t)(amp - s) : strlen(s);
        if (len > 0) {
            const char *eq = memchr(s, '=', len);
            size_t nlen = eq ? (size_t)(eq - s) : len;
            if (out->n == cap) {
                cap = cap ? cap * 2 : 8;
                out->p = ddb_xrealloc(out->p, cap * sizeof *out->p);
            }
            qparam *p = &out->p[out->n++];
            memset(p, 0, sizeof *p);
            p->name = decode_dup(s, nlen, &p->name_len);
            if (eq)
                p->value = decode_dup(eq + 1, len - nlen - 1, &p->value_len);
            else
                p->value = decode_dup("", 0, &p->value_len);
        }
        s += len;
        if (*s == '&')
            s++;
    }
}

static void query_free(qlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->p[i].name);
        free(l->p[i].value);
        free(l->p[i].enc_name);
        free(l->p[i].enc_value);
    }
    free(l->p);
    l->p = NULL;
    l->n = 0;
}

/* First parameter named exactly 'name' (after decoding), or NULL. */
static const qparam *query_find(const qlist *l, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < l->n; i++) {
        if (l->p[i].name_len == n && memcmp(l->p[i].name, name, n) == 0)
            return &l->p[i];
    }
    return NULL;
}

/* Value of the first parameter 'name' when it is present and not empty. */
static const char *query_value(const qlist *l, const char *name)
{
    const qparam *p = query_find(l, name);
    return p && p->value_len > 0 ? p->value : NULL;
}

static int qparam_cmp(const void *a, const void *b)
{
    const qparam *x = a, *y = b;
    int c = strcmp(x->enc_name, y->enc_name);
    return c ? c : strcmp(x->enc_value, y->enc_value);
}

static char *encode_dup(const char *s, size_t n)
{
    ddb_buf b = DDB_BUF_INIT;
    uri_encode(&b, s, n);
    return ddb_buf_steal(&b, NULL);
}

/* Canonical query string: names and values re-encoded separately, sorted by
** encoded name then value, "name=value" joined by '&'. X-Amz-Signature is left
** out of a presigned request. */
static void put_canonical_query(ddb_buf *b, const char *raw, int presigned)
{
    if (raw == NULL || *raw == '\0')
        return; /* no parameters (every SDK request but a presigned one) */
    qlist l;
    query_parse(raw, &l);
    size_t n = 0;
    for (size_t i = 0; i < l.n; i++) {
        qparam p = l.p[i];
        if (presigned && strcmp(p.name, "X-Amz-Signature") == 0) {
            free(p.name);
            free(p.value);
            continue;
        }
        p.enc_name = encode_dup(p.name, p.name_len);
        p.enc_value = encode_dup(p.value, p.value_len);
        l.p[n++] = p;
    }
    l.n = n;
    if (n > 1)
        qsort(l.p, n, sizeof *l.p, qparam_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i)
            ddb_buf_putc(b, '&');
        ddb_buf_puts(b, l.p[i].enc_name);
        ddb_buf_putc(b, '=');
        ddb_buf_puts(b, l.p[i].enc_value);
    }
    query_free(&l);
}

/*---- canonical URI ----*/

/* Normalized canonical URI of 'path': split at '/', decode each segment, drop
** empty and "." segments, let ".." remove its predecessor (RFC 3986 dot-segment
** removal), re-encode each segment, keep a trailing slash. Empty path -> "/". */
static void put_canonical_uri(ddb_buf *b, const char *path)
{
    if (path == NULL || *path == '\0' || (path[0] == '/' && path[1] == '\0')) {
        bputc(b, '/');
        return;
    }
    size_t plen = strlen(path), nseg = 0;
    struct seg {
        const char *s;
        size_t n;
    } *segs = ddb_xmalloc((plen + 1) * sizeof *segs);
    char *dec = ddb_xmalloc(plen + 1);
    int trailing = 0;
    const char *s = path;
    for (;;) {
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t)(slash - s) : strlen(s);
        char *d = dec + (s - path); /* decoded text never grows */
        size_t dn = pct_decode(s, len, d);
        int last = slash == NULL;
        if (dn == 0 || (dn == 1 && d[0] == '.')) {
            if (last && dn == 1)
                trailing = 1;
        } else if (dn == 2 && d[0] == '.' && d[1] == '.') {
            if (nseg > 0)
                nseg--;
            if (last)
                trailing = 1;
        } else {
            segs[nseg].s = d;
            segs[nseg].n = dn;
            nseg++;
        }
        if (last)
            break;
        s = slash + 1;
        if (*s == '\0')
            trailing = 1;
    }
    ddb_buf_putc(b, '/');
    for (size_t i = 0; i < nseg; i++) {
        if (i)
            ddb_buf_putc(b, '/');
        uri_encode(b, segs[i].s, segs[i].n);
    }
    if (trailing && nseg > 0)
        ddb_buf_putc(b, '/');
    free(segs);
    free(dec);
}

/*---- canonical headers ----*/

/* Append a header value trimmed, with each inner whitespace run (spaces, tabs,
** the line breaks of folded values) collapsed to one space. */
static void put_header_value(ddb_buf *b, const char *v, size_t n)
{
    size_t i = 0;
    int started = 0;
    for (;;) {
        while (i < n && is_ws((unsigned char)v[i]))
            i++;
        if (i == n)
            return;
        size_t j = i;
        while (j < n && !is_ws((unsigned char)v[j]))
            j++;
        if (started)
            bputc(b, ' ');
        ddb_buf_append(b, v + i, j - i);
        started = 1;
        i = j;
    }
}

/* Append "name:v1,v2,...\n" for every received header called (name, n), in
** arrival order. Returns 0 when the request has no such header. */
static int put_header_line(ddb_buf *b, const ddb_sigv4_request *req, const char *name,
                           size_t n)
{
    int found = 0;
    for (size_t i = 0; i < req->n_headers; i++) {
        const ddb_sigv4_header *h = &req->headers[i];
        if (h->name_len != n)
            continue;
        size_t k;
        for (k = 0;
             k < n && lower((unsigned char)h->name[k]) == lower((unsigned char)name[k]);
             k++)
            ;
        if (k != n)
            continue;
        if (!found) {
            ddb_buf_reserve(b, n + 1);
            for (k = 0; k < n; k++)
                b->data[b->len + k] = (unsigned char)lower((unsigned char)name[k]);
            b->data[b->len + n] = ':';
            b->len += n + 1;
            b->data[b->len] = '\0';
        } else {
            bputc(b, ',');
        }
        put_header_value(b, h->value ? h->value : "", h->value ? h->value_len : 0);
        found = 1;
    }
    if (found)
        bputc(b, '\n');
    return found;
}

/* 1 when the ';'-separated list 'list' names 'name' (case-insensitive). */
static int list_has(const char *list, const char *name)
{
    const char *s = list;
    for (;;) {
        const char *semi = strchr(s, ';');
        size_t len = semi ? (size_t)(semi - s) : strlen(s);
        if (ieq(s, len, name))
            return 1;
        if (semi == NULL)
            return 0;
        s = semi + 1;
    }
}

/* The normalized value of header 'name' as it appears in the canonical
** request (values of repeated headers joined by ','), and its length in
** *out_len (it may hold NUL bytes). New string or NULL. */
static char *header_canonical_value(const ddb_sigv4_request *req, const char *name,
                                    size_t *out_len)
{
    ddb_buf b = DDB_BUF_INIT;
    if (!put_header_line(&b, req, name, strlen(name))) {
        ddb_buf_free(&b);
        return NULL;
    }
    size_t len = 0;
    char *line = ddb_buf_steal(&b, &len); /* the value may hold NUL bytes: not strlen */
    size_t skip = strlen(name) + 1;
    char *v = ddb_xstrndup(line + skip, len - skip - 1); /* drop "name:" and '\n' */
    *out_len = len - skip - 1;
    free(line);
    return v;
}

/*
** Build the canonical request of 'req' for the ';'-separated 'signed_headers'
** (as the client listed them). 'presigned' drops X-Amz-Signature from the
** query. Returns the new string, or NULL when a listed header is absent.
*/
static char *build_canonical(const ddb_sigv4_request *req, const char *signed_headers,
                             int presigned, size_t *out_len)
{
    ddb_buf b = DDB_BUF_INIT;
    ddb_buf_reserve(&b, 1023); /* one allocation for a typical request */
    ddb_buf_puts(&b, req->method ? req->method : "");
    bputc(&b, '\n');
    put_canonical_uri(&b, req->path);
    bputc(&b, '\n');
    put_canonical_query(&b, req->query, presigned);
    bputc(&b, '\n');

    const char *s = signed_headers;
    for (;;) {
        const char *semi = strchr(s, ';');
        size_t len = semi ? (size_t)(semi - s) : strlen(s);
        if (len == 0 || !put_header_line(&b, req, s, len)) {
            ddb_buf_free(&b);
            return NULL;
        }
        if (semi == NULL)
            break;
        s = semi + 1;
    }
    bputc(&b, '\n');
    ddb_buf_puts(&b, signed_headers);
    bputc(&b, '\n');

    char *claimed = NULL;
    size_t claimed_len = 0;
    if (list_has(signed_headers, "x-amz-content-sha256"))
        claimed = header_canonical_value(req, "x-amz-content-sha256", &claimed_len);
    if (claimed != NULL) {
        ddb_buf_append(&b, claimed, claimed_len);
        free(claimed);
    } else {
        char hex[65];
        ddb_sha256_hex(req->body, req->body_len, hex);
        ddb_buf_puts(&b, hex);
    }
    return ddb_buf_steal(&b, out_len);
}

/* 'clen' bytes of canonical request: a header value may hold NUL bytes, and
** they are signed like any other byte. */
static char *build_string_to_sign(const char *canonical, size_t clen, const char *amz_date,
                                  const char *date, const char *region,
                                  const char *service)
{
    char hex[65];
    ddb_sha256_hex(canonical, clen, hex);
    /* ALGORITHM \n amz_date \n date/region/service/TERMINATOR \n hex */
    const char *part[] = {ALGORITHM "\n", amz_date, "\n", date,  "/", region, "/",
                          service,        "/" TERMINATOR "\n", hex};
    size_t len[sizeof part / sizeof part[0]], total = 0;
    for (size_t i = 0; i < sizeof part / sizeof part[0]; i++)
        total += len[i] = strlen(part[i]);
    char *out = ddb_xmalloc(total + 1), *o = out;
    for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) {
        memcpy(o, part[i], len[i]);
        o += len[i];
    }
    *o = '\0';
    return out;
}

/*---- time ----*/

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Parse 'n' decimal digits; -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int make_time(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 ||
        h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return -1;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

/* ISO-8601 basic format, UTC: YYYYMMDD'T'HHMMSS'Z'. */
static int parse_basic(const char *s, size_t n, int64_t *out)
{
    if (n != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    return make_time(digits(s, 4), digits(s + 4, 2), digits(s + 6, 2), digits(s + 9, 2),
                     digits(s + 11, 2), digits(s + 13, 2), out);
}

/* RFC 1123 HTTP date: "Tue, 25 Nov 2025 03:54:00 GMT". */
static int parse_rfc1123(const char *s, size_t n, int64_t *out)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ' ||
        memcmp(s + 26, "GMT", 3) != 0)
        return -1;
    int wd = -1, mo = -1;
    for (int i = 0; i < 7; i++)
        if (memcmp(s, days[i], 3) == 0)
            wd = i;
    for (int i = 0; i < 12; i++)
        if (memcmp(s + 8, months[i], 3) == 0)
            mo = i + 1;
    if (wd < 0 || mo < 0)
        return -1;
    return make_time(digits(s + 12, 4), mo, digits(s + 5, 2), digits(s + 17, 2),
                     digits(s + 20, 2), digits(s + 23, 2), out);
}

/* Format 't' (seconds since the epoch) as YYYYMMDD'T'HHMMSS'Z'. */
static void fmt_basic(int64_t t, char out[32])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400, y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) { /* not a date a request can carry; the general way */
        snprintf(out, 32, "%04lld%02d%02dT%02d%02d%02dZ", (long long)y, m, d,
                 (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
        return;
    }
    /* by hand: this runs on every request (snprintf costs ~3k instructions) */
    const int f[6] = {(int)y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60)};
    static const int at[6] = {0, 4, 6, 9, 11, 13}, width[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; i++) {
        int v = f[i];
        for (int k = width[i] - 1; k >= 0; k--) {
            out[at[i] + k] = (char)('0' + v % 10);
            v /= 10;
        }
    }
    out[8] = 'T';
    out[15] = 'Z';
    out[16] = '\0';
}

/* "15 min" or "90 sec": how the skew window is spelled in the messages. */
static void fmt_window(int64_t secs, char out[32])
{
    if (secs % 60 == 0)
        snprintf(out, 32, "%lld min", (long long)(secs / 60));
    else
        snprintf(out, 32, "%lld sec", (long long)secs);
}

/*---- regions ----*/

int ddb_sigv4_region_valid(const char *region)
{
    /* [a-z]{2,} ( '-' [a-z]+ )+ '-' [0-9]+ : "us-east-1", "ap-southeast-1",
    ** "us-gov-west-1", "cn-northwest-1", "us-isob-east-1". */
    const char *s = region;
    size_t letters = 0, words = 0, len = strlen(region);
    if (len == 0 || len > 64)
        return 0;
    for (;;) {
        letters = 0;
        while (*s >= 'a' && *s <= 'z') {
            s++;
            letters++;
        }
        if (letters == 0 || (words == 0 && letters < 2) || *s != '-')
            return 0;
        s++;
        words++;
        if (*s >= '0' && *s <= '9')
            break;
    }
    if (words < 2)
        return 0;
    while (*s >= '0' && *s <= '9')
        s++;
    return *s == '\0';
}

/*---- parse ----*/

void ddb_sigv4_auth_free(ddb_sigv4_auth *a)
{
    if (a == NULL)
        return;
    free(a->security_token);
    a->security_token = NULL;
}

/* One key=value element of the Authorization header. */
typedef struct kv {
    const char *v;
    size_t n;
    int present;
} kv;

/* The raw pieces both forms reduce to before the shared checks #4-#9. */
typedef struct rawauth {
    const char *algorithm;
    size_t algorithm_len;
    const char *credential;
    size_t credential_len;
    const char *signature;
    size_t signature_len;
    const char *signed_headers;
    size_t signed_headers_len;
    const char *date; /* X-Amz-Date (header or query) or Date header */
    size_t date_len;
    int date_is_http;    /* came from the Date header: RFC 1123 accepted too */
    int64_t past_window; /* seconds a request may lag behind 'now' */
} rawauth;

/*
** Header form, checks #3b and #3: split "ALG k=v, k=v, ..." (commas, each
** element trimmed, last value of a key wins), then require Credential,
** Signature, SignedHeaders (may be empty here; #6 catches it) and a date.
*/
static int parse_header_form(const ddb_sigv4_request *req, const char *auth,
                             size_t auth_len, rawauth *ra, ddb_error *err)
{
    const char *p = auth;
    size_t n = auth_len;
    trim(&p, &n);
    size_t alen = 0;
    while (alen < n && p[alen] != ' ' && p[alen] != '\t')
        alen++;
    ra->algorithm = p;
    ra->algorithm_len = alen;

    kv cred = {0}, sig = {0}, sh = {0};
    const char *s = p + alen, *end = p + n;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *e = comma ? comma : end;
        const char *el = s;
        size_t eln = (size_t)(e - s);
        trim(&el, &eln);
        if (eln > 0) {
            const char *eq = memchr(el, '=', eln);
            if (eq == NULL)
                return ddb_err_set(
                    err, DDB_E_INCOMPLETE_SIGNATURE,
                    "'%.*s' not a valid key=value pair (missing equal-sign) in "
                    "Authorization header: '%.*s'.",
                    (int)eln, el, (int)auth_len, auth);
            size_t kn = (size_t)(eq - el);
            kv val = {eq + 1, eln - kn - 1, 1};
            if (kn == 10 && memcmp(el, "Credential", 10) == 0)
                cred = val;
            else if (kn == 9 && memcmp(el, "Signature", 9) == 0)
                sig = val;
            else if (kn == 13 && memcmp(el, "SignedHeaders", 13) == 0)
                sh = val;
        }
        s = comma ? comma + 1 : end;
    }

    const char *dv = NULL;
    size_t dn = 0;
    if (header_get(req, "x-amz-date", &dv, &dn) == NULL) {
        if (header_get(req, "date", &dv, &dn) != NULL)
            ra->date_is_http = 1;
    }

    ddb_buf msg = DDB_BUF_INIT;
    if (cred.n == 0)
        ddb_buf_puts(&msg, "Authorization header requires 'Credential' parameter. ");
    if (sig.n == 0)
        ddb_buf_puts(&msg, "Authorization header requires 'Signature' parameter. ");
    if (!sh.present)
        ddb_buf_puts(&msg, "Authorization header requires 'SignedHeaders' parameter. ");
    if (dv == NULL)
        ddb_buf_puts(&msg, "Authorization header requires existence of either a "
                           "'X-Amz-Date' or a 'Date' header. ");
    if (msg.len > 0) {
        ddb_buf_puts(&msg, "Authorization=");
        ddb_buf_append(&msg, auth, auth_len);
        ddb_err_set(err, DDB_E_INCOMPLETE_SIGNATURE, "%s", (char *)msg.data);
        ddb_buf_free(&msg);
        return DDB_ERR;
    }
    ra->credential = cred.v;
    ra->credential_len = cred.n;
    ra->signature = sig.v;
    ra->signature_len = sig.n;
    ra->signed_headers = sh.v;
    ra->signed_headers_len = sh.n;
    ra->date = dv;
    ra->date_len = dn;
    ra->past_window = SKEW_SECONDS;
    return DDB_OK;
}

/* Query (presigned) form, check #3q: every X-Amz-* parameter present and not
** empty. X-Amz-Expires, when a valid number of seconds, widens the window a
** presigned request may lag behind 'now'. */
static int parse_query_form(const qlist *q, rawauth *ra, ddb_error *err)
{
    static const char *const need[] = {"X-Amz-Algorithm", "X-Amz-Credential",
                                       "X-Amz-Signature", "X-Amz-SignedHeaders",
                                       "X-Amz-Date"};
    ddb_buf msg = DDB_BUF_INIT;
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        if (query_value(q, need[i]) == NULL)
            ddb_buf_printf(&msg, "AWS query-string parameters must include '%s'. ",
                           need[i]);
    }
    if (msg.len > 0) {
        ddb_buf_puts(&msg, "Re-examine the query-string parameters.");
        ddb_err_set(err, DDB_E_INCOMPLETE_SIGNATURE, "%s", (char *)msg.data);
        ddb_buf_free(&msg);
        return DDB_ERR;
    }
    ra->algorithm = query_value(q, "X-Amz-Algorithm");
    ra->algorithm_len = strlen(ra->algorithm);
    ra->credential = query_value(q, "X-Amz-Credential");
    ra->credential_len = strlen(ra->credential);
    ra->signature = query_value(q, "X-Amz-Signature");
    ra->signature_len = strlen(ra->signature);
    ra->signed_headers = query_value(q, "X-Amz-SignedHeaders");
    ra->signed_headers_len = strlen(ra->signed_headers);
    ra->date = query_value(q, "X-Amz-Date");
    ra->date_len = strlen(ra->date);
    ra->past_window = SKEW_SECONDS;
    const char *ex = query_value(q, "X-Amz-Expires");
    if (ex != NULL) {
        char *endp;
        long long v = strtoll(ex, &endp, 10);
        if (*endp == '\0' && ex[0] >= '0' && ex[0] <= '9' && v > 0 &&
            v <= PRESIGN_MAX_EXPIRES)
            ra->past_window = v;
    }
    return DDB_OK;
}

int ddb_sigv4_parse(const ddb_sigv4_request *req, double now, const char *service,
                    ddb_sigv4_auth *out, ddb_error *err)
{
    int rc = DDB_ERR;
    qlist q;
    rawauth ra;
    memset(out, 0, sizeof *out);
    memset(&ra, 0, sizeof ra);
    query_parse(req->query, &q);

    /* #1 and #2: which form, if any. An empty Authorization header counts as none. */
    const char *auth = NULL;
    size_t auth_len = 0;
    for (size_t i = 0; i < req->n_headers; i++) {
        const ddb_sigv4_header *h = &req->headers[i];
        if (ieq(h->name, h->name_len, "authorization") && h->value && h->value_len > 0) {
            auth = h->value;
            auth_len = h->value_len;
            break;
        }
    }
    int by_query = query_find(&q, "X-Amz-Algorithm") != NULL;
    if (auth != NULL && by_query) {
        ddb_err_set(
            err, DDB_E_INVALID_SIGNATURE,
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' "
            "as HTTP header.");
        goto out;
    }
    if (auth != NULL) {
        const char *t = auth;
        size_t tn = auth_len;
        trim(&t, &tn);
        if (tn < 5 || memcmp(t, "AWS4-", 5) != 0)
            auth = NULL;
    }
    if (auth == NULL && !by_query) {
        ddb_err_set(err, DDB_E_MISSING_AUTH_TOKEN,
                    "Request is missing Authentication Token");
        goto out;
    }

    /* #3b, #3, #3q */
    if (by_query ? parse_query_form(&q, &ra, err) != DDB_OK
                 : parse_header_form(req, auth, auth_len, &ra, err) != DDB_OK)
        goto out;
    out->presigned = by_query;

    /* #4 date format */
    int64_t when;
    if (parse_basic(ra.date, ra.date_len, &when) != 0 &&
        (!ra.date_is_http || parse_rfc1123(ra.date, ra.date_len, &when) != 0)) {
        ddb_err_set(err, DDB_E_INCOMPLETE_SIGNATURE,
                    "Date must be in ISO-8601 'basic format'. Got '%.*s'. See "
                    "http://en.wikipedia.org/wiki/ISO_8601",
                    (int)ra.date_len, ra.date);
        goto out;
    }
    fmt_basic(when, out->amz_date);

    /* #5 clock skew */
    int64_t now_s = (int64_t)floor(now);
    char t_lim[32], t_now[32], win[32];
    if (when < now_s - ra.past_window) {
        fmt_basic(now_s, t_now);
        fmt_basic(now_s - ra.past_window, t_lim);
        fmt_window(ra.past_window, win);
        ddb_err_set(err, DDB_E_INVALID_SIGNATURE,
                    "Signature expired: %s is now earlier than %s (%s - %s.)",
                    out->amz_date, t_lim, t_now, win);
        goto out;
    }
    if (when > now_s + SKEW_SECONDS) {
        fmt_basic(now_s, t_now);
        fmt_basic(now_s + SKEW_SECONDS, t_lim);
        fmt_window(SKEW_SECONDS, win);
        ddb_err_set(err, DDB_E_INVALID_SIGNATURE,
                    "Signature not yet current: %s is still later than %s (%s + %s.)",
                    out->amz_date, t_lim, t_now, win);
        goto out;
    }

    /* #6 'host' signed */
    int host_signed;
    if (ra.signed_headers_len < sizeof out->signed_headers) {
        copy_field(out->signed_headers, sizeof out->signed_headers, ra.signed_headers,
                   ra.signed_headers_len);
        host_signed = list_has(out->signed_headers, "host");
    } else {
        char *sh = ddb_xstrndup(ra.signed_headers, ra.signed_headers_len);
        host_signed = list_has(sh, "host");
        copy_field(out->signed_headers, sizeof out->signed_headers, sh, strlen(sh));
        free(sh);
    }
    if (!host_signed) {
        ddb_err_set(err, DDB_E_INVALID_SIGNATURE,
                    "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        goto out;
    }

    /* #7 algorithm */
    if (ra.algorithm_len != strlen(ALGORITHM) ||
        memcmp(ra.algorithm, ALGORITHM, ra.algorithm_len) != 0) {
        ddb_err_set(err, DDB_E_INCOMPLETE_SIGNATURE,
                    "Unsupported AWS 'algorithm': '%.*s' (only " ALGORITHM " for now). ",
                    (int)ra.algorithm_len, ra.algorithm);
        goto out;
    }

    /* #8 credential: exactly 5 slash-delimited parts, trailing slashes ignored */
    size_t cn = ra.credential_len;
    while (cn > 0 && ra.credential[cn - 1] == '/')
        cn--;
    const char *part[5];
    size_t part_len[5], nparts = 0;
    const char *c = ra.credential, *cend = ra.credential + cn;
    for (;;) {
        const char *slash = memchr(c, '/', (size_t)(cend - c));
        const char *e = slash ? slash : cend;
        if (nparts < 5) {
            part[nparts] = c;
            part_len[nparts] = (size_t)(e - c);
        }
        nparts++;
        if (slash == NULL)
            break;
        c = slash + 1;
    }
    if (nparts != 5) {
        ddb_err_set(err, DDB_E_INCOMPLETE_SIGNATURE,
                    "Credential must have exactly 5 slash-delimited elements, e.g. "
                    "keyid/date/region/service/term, got '%.*s'",
                    (int)ra.credential_len, ra.credential);
        goto out;
    }

    /* #9 scope: all four complaints, concatenated */
    ddb_buf msg = DDB_BUF_INIT;
    char region_buf[80];
    char *region = part_len[2] < sizeof region_buf ? region_buf
                                                   : ddb_xstrndup(part[2], part_len[2]);
    if (region == region_buf)
        copy_field(region_buf, sizeof region_buf, part[2], part_len[2]);
    if (!ddb_sigv4_region_valid(region))
        ddb_buf_printf(&msg, "Credential should be scoped to a valid region, not '%s'. ",
                       region);
    if (region != region_buf)
        free(region);
    if (part_len[3] != strlen(service) || memcmp(part[3], service, part_len[3]) != 0)
        ddb_buf_printf(&msg, "Credential should be scoped to correct service: '%s'. ",
                       service);
    if (part_len[4] != strlen(TERMINATOR) ||
        memcmp(part[4], TERMINATOR, part_len[4]) != 0)
        ddb_buf_printf(&msg,
                       "Credential should be scoped with a valid terminator: '" TERMINATOR
                       "', not '%.*s'. ",
                       (int)part_len[4], part[4]);
    if (part_len[1] != 8 || memcmp(part[1], out->amz_date, 8) != 0)
        ddb_buf_printf(
            &msg,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
            "of date from HTTP: '%.*s' != '%.8s', from '%s'. ",
            (int)part_len[1], part[1], out->amz_date, out->amz_date);
    if (msg.len > 0) {
        msg.data[--msg.len] = '\0'; /* the last sentence has no trailing space */
        ddb_err_set(err, DDB_E_INVALID_SIGNATURE, "%s", (char *)msg.data);
        ddb_buf_free(&msg);
        goto out;
    }

    /* Fields. Scope parts are short after #9; an access key too long for the
    ** struct cannot name a known key, so it is answered as one (#10). */
    if (part_len[0] >= sizeof out->access_key) {
        ddb_err_set(err, DDB_E_UNRECOGNIZED_CLIENT,
                    "The security token included in the request is invalid.");
        goto out;
    }
    copy_field(out->access_key, sizeof out->access_key, part[0], part_len[0]);
    copy_field(out->scope_date, sizeof out->scope_date, part[1], part_len[1]);
    copy_field(out->region, sizeof out->region, part[2], part_len[2]);
    copy_field(out->service, sizeof out->service, part[3], part_len[3]);
    /* A signature too long for the field is cut; it can then never match. */
    copy_field(out->signature, sizeof out->signature, ra.signature, ra.signature_len);

    if (by_query) {
        const qparam *tok = query_find(&q, "X-Amz-Security-Token");
        if (tok != NULL && tok->value_len > 0)
            out->security_token = ddb_xstrndup(tok->value, tok->value_len);
    } else {
        const char *tv;
        size_t tn;
        if (header_get(req, "x-amz-security-token", &tv, &tn) != NULL)
            out->security_token = ddb_xstrndup(tv, tn);
    }
    rc = DDB_OK;
out:
    query_free(&q);
    return rc;
}

/*---- canonical request, verification ----*/

int ddb_sigv4_canonical(const ddb_sigv4_request *req, const ddb_sigv4_auth *auth,
                        char **out_canonical, char **out_string_to_sign, ddb_error *err)
{
    *out_canonical = NULL;
    *out_string_to_sign = NULL;
    size_t clen = 0;
    char *creq = build_canonical(req, auth->signed_headers, auth->presigned, &clen);
    if (creq == NULL)
        return ddb_err_set(err, DDB_E_INVALID_SIGNATURE, MSG_MISMATCH);
    *out_canonical = creq;
    *out_string_to_sign = build_string_to_sign(creq, clen, auth->amz_date, auth->scope_date,
                                               auth->region, auth->service);
    return DDB_OK;
}

static struct {
    unsigned char id[32];  /* SHA-256 of secret NUL date NUL region NUL service */
    unsigned char key[32]; /* kSigning */
    int used;
} key_cache[KEY_CACHE_SLOTS];
static pthread_mutex_t key_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* kSigning for (secret, date, region, service), from the cache when present. */
static void signing_key(const char *secret, const char *date, const char *region,
                        const char *service, unsigned char out[32])
{
    unsigned char id[32];
    EVP_MD_CTX *c = sha_begin();
    sha_update(c, secret, strlen(secret) + 1);
    sha_update(c, date, strlen(date) + 1);
    sha_update(c, region, strlen(region) + 1);
    sha_update(c, service, strlen(service));
    sha_end(c, id);

    size_t slot = ((size_t)id[0] << 8 | id[1]) % KEY_CACHE_SLOTS;
    pthread_mutex_lock(&key_cache_lock);
    int hit = key_cache[slot].used && CRYPTO_memcmp(key_cache[slot].id, id, 32) == 0;
    if (hit)
        memcpy(out, key_cache[slot].key, 32);
    pthread_mutex_unlock(&key_cache_lock);
    if (hit)
        return;

    char *k0 = ddb_xasprintf("AWS4%s", secret);
    unsigned char k[32];
    hmac_sha256(k0, strlen(k0), date, strlen(date), k);
    hmac_sha256(k, 32, region, strlen(region), k);
    hmac_sha256(k, 32, service, strlen(service), k);
    hmac_sha256(k, 32, TERMINATOR, strlen(TERMINATOR), k);
    OPENSSL_cleanse(k0, strlen(k0));
    free(k0);
    memcpy(out, k, 32);

    pthread_mutex_lock(&key_cache_lock);
    memcpy(key_cache[slot].id, id, 32);
    memcpy(key_cache[slot].key, k, 32);
    key_cache[slot].used = 1;
    pthread_mutex_unlock(&key_cache_lock);
    OPENSSL_cleanse(k, sizeof k);
}

int ddb_sigv4_verify(const ddb_sigv4_request *req, const ddb_sigv4_auth *auth,
                     const char *secret, ddb_error *err)
{
    char *creq, *sts;
    if (ddb_sigv4_canonical(req, auth, &creq, &sts, err) != DDB_OK)
        return DDB_ERR;
    int ok = 1;

    /* A signed x-amz-content-sha256 was used as the payload hash; it must
    ** also be the real hash of the body unless it says UNSIGNED-PAYLOAD. */
    if (list_has(auth->signed_headers, "x-amz-content-sha256")) {
        size_t claimed_len = 0;
        char *claimed = header_canonical_value(req, "x-amz-content-sha256", &claimed_len);
        if (claimed != NULL &&
            !(claimed_len == 16 && memcmp(claimed, "UNSIGNED-PAYLOAD", 16) == 0)) {
            char hex[65];
            ddb_sha256_hex(req->body, req->body_len, hex);
            if (claimed_len != 64 || strncasecmp(claimed, hex, 64) != 0)
                ok = 0;
        }
        free(claimed);
    }

    unsigned char key[32], mac[32];
    char hex[65];
    signing_key(secret, auth->scope_date, auth->region, auth->service, key);
    hmac_sha256(key, 32, sts, strlen(sts), mac);
    OPENSSL_cleanse(key, sizeof key);
    hex_encode(mac, 32, hex);
    if (strlen(auth->signature) != 64 || CRYPTO_memcmp(hex, auth->signature, 64) != 0)
        ok = 0;
    free(creq);
    free(sts);
    if (!ok)
        return ddb_err_set(err, DDB_E_INVALID_SIGNATURE, MSG_MISMATCH);
    return DDB_OK;
}

/*---- client side ----*/

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *ddb_sigv4_sign(const ddb_sigv4_request *req, const char *access_key,
                     const char *secret, const char *region, const char *service,
                     const char *amz_date)
{
    int64_t when;
    if (amz_date == NULL || parse_basic(amz_date, strlen(amz_date), &when) != 0 ||
        req->n_headers == 0)
        return NULL;

    /* SignedHeaders: the distinct lower-cased names, sorted. */
    char **names = ddb_xcalloc(req->n_headers, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < req->n_headers; i++) {
        char *nm = ddb_xstrndup(req->headers[i].name, req->headers[i].name_len);
        for (char *p = nm; *p; p++)
            *p = (char)lower((unsigned char)*p);
        size_t k;
        for (k = 0; k < n && strcmp(names[k], nm) != 0; k++)
            ;
        if (k < n)
            free(nm);
        else
            names[n++] = nm;
    }
    qsort(names, n, sizeof *names, name_cmp);
    ddb_buf sh = DDB_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            ddb_buf_putc(&sh, ';');
        ddb_buf_puts(&sh, names[i]);
        free(names[i]);
    }
    free(names);
    char *signed_headers = ddb_buf_steal(&sh, NULL);

    char date[9];
    memcpy(date, amz_date, 8);
    date[8] = '\0';
    size_t clen = 0;
    char *creq = build_canonical(req, signed_headers, 0, &clen);
    char *sts = build_string_to_sign(creq, clen, amz_date, date, region, service);
    unsigned char key[32], mac[32];
    char hex[65];
    signing_key(secret, date, region, service, key);
    hmac_sha256(key, 32, sts, strlen(sts), mac);
    OPENSSL_cleanse(key, sizeof key);
    hex_encode(mac, 32, hex);
    char *authz = ddb_xasprintf(ALGORITHM " Credential=%s/%s/%s/%s/" TERMINATOR
                                          ", SignedHeaders=%s, Signature=%s",
                                access_key, date, region, service, signed_headers, hex);
    free(creq);
    free(sts);
    free(signed_headers);
    return authz;
}

void ddb_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[32];
    sha256(p, n, md);
    hex_encode(md, 32, out);
}
