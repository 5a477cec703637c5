/* SPDX-License-Identifier: MIT
**
** ddb_util.h -- small shared helpers: aborting allocators, a growable byte
** buffer, base64, CRC-32, a stable 64-bit hash and time formatting.
**
** Out-of-memory aborts (as in Redis and jq): ddbd is a development tool, and
** this removes hundreds of untested NULL branches.
*/
#ifndef DDB_UTIL_H
#define DDB_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *ddb_xmalloc(size_t n);
void *ddb_xcalloc(size_t n, size_t size);
void *ddb_xrealloc(void *p, size_t n);
char *ddb_xstrdup(const char *s);
char *ddb_xstrndup(const char *s, size_t n);
/* printf into a new string; caller frees. */
char *ddb_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Make jansson allocate through the aborting allocators. Call once at start-up. */
void ddb_json_use_xalloc(void);

/*---- growable byte buffer ----*/
typedef struct ddb_buf {
    unsigned char *data; /* owned; NUL-terminated when len < cap */
    size_t len;
    size_t cap;
} ddb_buf;

#define DDB_BUF_INIT {NULL, 0, 0}
void ddb_buf_reserve(ddb_buf *b, size_t extra);
void ddb_buf_append(ddb_buf *b, const void *p, size_t n);
void ddb_buf_putc(ddb_buf *b, int c);
void ddb_buf_puts(ddb_buf *b, const char *s);
void ddb_buf_printf(ddb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append 'n' bytes of 's' as a JSON string literal (with quotes). */
void ddb_buf_json_string(ddb_buf *b, const char *s, size_t n);
/* Hand the bytes over (NUL-terminated); the buffer is reset. Caller frees. */
char *ddb_buf_steal(ddb_buf *b, size_t *out_len);
void ddb_buf_free(ddb_buf *b);

/*---- base64 (RFC 4648, with padding) ----*/
/* Encoded length for n input bytes (without NUL). */
size_t ddb_base64_encoded_len(size_t n);
/* Encode into 'out' (room for ddb_base64_encoded_len(n) + 1 bytes). Returns length. */
size_t ddb_base64_encode(const unsigned char *in, size_t n, char *out);
/* Strict decode as DynamoDB's deserializer does: length a multiple of 4, only
** the base64 alphabet, '=' padding only at the end, no non-zero trailing bits.
** On success writes up to (len/4)*3 bytes to 'out' and returns the length;
** on failure returns -1 and sets *why to a DynamoDB SerializationException text
** (static string). */
long ddb_base64_decode(const char *in, size_t len, unsigned char *out, const char **why);

/*---- checksums and hashes ----*/
/* CRC-32 (IEEE 802.3 / zlib), as in the x-amz-crc32 response header. */
uint32_t ddb_crc32(const void *p, size_t n);
/* Stable 64-bit hash used for partition placement and scan order. Never change
** it: it is part of the on-disk key encoding. */
uint64_t ddb_hash64(const void *p, size_t n);

/*---- time ----*/
/* Wall clock in seconds since the epoch, with sub-second precision. */
double ddb_now(void);
/* Monotonic clock in seconds. */
double ddb_monotonic(void);

/*---- identifiers ----*/
/* 52 characters of [0-9A-Z] plus NUL, as in x-amzn-RequestId. */
void ddb_request_id(char out[53]);
/* A random RFC 4122 version-4 UUID, lower case, plus NUL. */
void ddb_uuid(char out[37]);
/* Fill with random bytes (getrandom, falling back to /dev/urandom). */
void ddb_random_bytes(void *p, size_t n);

#endif
