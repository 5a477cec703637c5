/* SPDX-License-Identifier: MIT
**
** util.c -- aborting allocators, byte buffers, base64, CRC-32, the stable
** 64-bit key hash, clocks and request identifiers. No DynamoDB semantics here.
*/
#include "ddb_util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static void oom(void)
{
    fputs("ddbd: out of memory\n", stderr);
    abort();
}

void *ddb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom();
    return p;
}

void *ddb_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom();
    return p;
}

void *ddb_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom();
    return q;
}

char *ddb_xstrdup(const char *s)
{
    return ddb_xstrndup(s, strlen(s));
}

char *ddb_xstrndup(const char *s, size_t n)
{
    char *p = ddb_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ddb_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        oom();
    va_end(ap);
    return s;
}

void ddb_json_use_xalloc(void)
{
    json_set_alloc_funcs(ddb_xmalloc, free);
}

/*---- byte buffer ----*/

void ddb_buf_reserve(ddb_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = ddb_xrealloc(b->data, cap);
    b->cap = cap;
}

void ddb_buf_append(ddb_buf *b, const void *p, size_t n)
{
    ddb_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ddb_buf_putc(ddb_buf *b, int c)
{
    ddb_buf_reserve(b, 1);
    b->data[b->len++] = (unsigned char)c;
    b->data[b->len] = '\0';
}

void ddb_buf_puts(ddb_buf *b, const char *s)
{
    ddb_buf_append(b, s, strlen(s));
}

void ddb_buf_printf(ddb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof tmp) {
        ddb_buf_append(b, tmp, (size_t)n);
    } else {
        ddb_buf_reserve(b, (size_t)n);
        vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
    va_end(ap);
}

void ddb_buf_json_string(ddb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    ddb_buf_reserve(b, n + 2);
    ddb_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        ddb_buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
            case '"': ddb_buf_append(b, "\\\"", 2); break;
            case '\\': ddb_buf_append(b, "\\\\", 2); break;
            case '\n': ddb_buf_append(b, "\\n", 2); break;
            case '\r': ddb_buf_append(b, "\\r", 2); break;
            case '\t': ddb_buf_append(b, "\\t", 2); break;
            case '\b': ddb_buf_append(b, "\\b", 2); break;
            case '\f': ddb_buf_append(b, "\\f", 2); break;
            default: {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                ddb_buf_append(b, u, 6);
            }
        }
    }
    ddb_buf_append(b, s + run, n - run);
    ddb_buf_putc(b, '"');
}

char *ddb_buf_steal(ddb_buf *b, size_t *out_len)
{
    if (b->data == NULL)
        ddb_buf_reserve(b, 0);
    b->data[b->len] = '\0';
    char *p = (char *)b->data;
    if (out_len)
        *out_len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void ddb_buf_free(ddb_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/*---- base64 ----*/

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ddb_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t ddb_base64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = b64_alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long ddb_base64_decode(const char *in, size_t len, unsigned char *out, const char **why)
{
    if (len % 4 != 0) {
        /* per-thread buffer: the caller copies the text before the next call */
        static __thread char msg[96];
        snprintf(msg, sizeof msg,
                 "Base64 encoded length is expected a multiple of 4 bytes but found: %zu",
                 len);
        *why = msg;
        return -1;
    }
    size_t pad = 0;
    if (len >= 1 && in[len - 1] == '=')
        pad++;
    if (len >= 2 && in[len - 2] == '=')
        pad++;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int j = 0; j < 4; j++) {
            unsigned char c = (unsigned char)in[i + j];
            if (c == '=' && i + 4 == len && j >= 4 - (int)pad) {
                v[j] = 0;
                continue;
            }
            v[j] = b64_value(c);
            if (v[j] < 0) {
                *why = "Invalid Base64 character detected";
                return -1;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
                     (uint32_t)v[3];
        out[o++] = (unsigned char)(w >> 16);
        if (i + 4 < len || pad < 2)
            out[o++] = (unsigned char)(w >> 8);
        if (i + 4 < len || pad < 1)
            out[o++] = (unsigned char)w;
        if (i + 4 == len && pad > 0) {
            /* the bits below the last real character must be zero */
            uint32_t mask = pad == 2 ? 0xFFFF : 0xFF;
            if (w & mask) {
                *why = "Invalid last non-pad Base64 character dectected";
                return -1;
            }
        }
    }
    return (long)o;
}

/*---- CRC-32 ----*/

/* Slice-by-8 (Intel's, as in zlib's braided CRC): eight table lookups per
** eight bytes instead of one per byte; every answer carries x-amz-crc32. */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] =
                (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
}

static inline uint32_t le32(const unsigned char *s)
{
    return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
}

uint32_t ddb_crc32(const void *p, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *s = p;
    uint32_t c = 0xFFFFFFFFu;
    for (; n >= 8; s += 8, n -= 8) {
        uint32_t a = c ^ le32(s), b = le32(s + 4);
        c = crc_table[7][a & 0xFF] ^ crc_table[6][(a >> 8) & 0xFF] ^
            crc_table[5][(a >> 16) & 0xFF] ^ crc_table[4][a >> 24] ^ crc_table[3][b & 0xFF] ^
            crc_table[2][(b >> 8) & 0xFF] ^ crc_table[1][(b >> 16) & 0xFF] ^
            crc_table[0][b >> 24];
    }
    for (; n > 0; s++, n--)
        c = crc_table[0][(c ^ *s) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/*---- stable hash: FNV-1a over the bytes, then the splitmix64 finaliser ----*/

uint64_t ddb_hash64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

/*---- time ----*/

double ddb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double ddb_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*---- identifiers ----*/

void ddb_random_bytes(void *p, size_t n)
{
    unsigned char *s = p;
    while (n > 0) {
        ssize_t r = getrandom(s, n, 0);
        if (r <= 0) {
            FILE *f = fopen("/dev/urandom", "rb");
            if (f == NULL || fread(s, 1, n, f) != n)
                abort();
            fclose(f);
            return;
        }
        s += r;
        n -= (size_t)r;
    }
}

/* Per-thread xorshift64* generator, seeded from the OS once per thread:
** request ids need to be unique, not secret, and a syscall per request is waste. */
static uint64_t fast_random(void)
{
    static __thread uint64_t state;
    if (state == 0) {
        while (state == 0)
            ddb_random_bytes(&state, sizeof state);
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

void ddb_request_id(char out[53])
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t r = 0;
    for (int i = 0; i < 52; i++) {
        if (i % 10 == 0)
            r = fast_random();
        out[i] = digits[r % 36];
        r /= 36;
    }
    out[52] = '\0';
}

void ddb_uuid(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    ddb_random_bytes(r, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0F) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3F) | 0x80);
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[r[i] >> 4];
        out[o++] = hex[r[i] & 15];
    }
    out[o] = '\0';
}
