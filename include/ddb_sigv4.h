/* SPDX-License-Identifier: MIT
**
** ddb_sigv4.h -- AWS Signature Version 4: parse the auth material of a request
** (Authorization header or presigned query), run DynamoDB's structural checks
** in DynamoDB's order with its exact texts, rebuild the canonical request from
** the client's own SignedHeaders, verify a signature (emulator) and sign a
** request (client). Only sigv4.c includes OpenSSL.
*/
#ifndef DDB_SIGV4_H
#define DDB_SIGV4_H

#include "ddb_error.h"
#include <stddef.h>

/* One received header, raw, in arrival order (repeated headers appear
** several times). Pointers are borrowed. */
typedef struct ddb_sigv4_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} ddb_sigv4_header;

/* A received (or to-be-sent) HTTP request. All pointers borrowed. */
typedef struct ddb_sigv4_request {
    const char *method;           /* "POST" */
    const char *path;             /* raw path as sent, e.g. "/" (no query) */
    const char *query;            /* raw query string without '?', or NULL */
    const ddb_sigv4_header *headers;
    size_t n_headers;
    const unsigned char *body;
    size_t body_len;
} ddb_sigv4_request;

#define DDB_SIGV4_MAX_FIELD 256

/* Auth material after the structural checks. */
typedef struct ddb_sigv4_auth {
    int presigned;                          /* 1: query-string form */
    char access_key[DDB_SIGV4_MAX_FIELD];
    char scope_date[16];                    /* YYYYMMDD from the credential */
    char region[DDB_SIGV4_MAX_FIELD];
    char service[DDB_SIGV4_MAX_FIELD];
    char amz_date[32];                      /* YYYYMMDDTHHMMSSZ (X-Amz-Date or Date) */
    char signed_headers[2048];              /* as sent: "content-type;host;..." */
    char signature[DDB_SIGV4_MAX_FIELD];    /* lower-case hex as sent */
    char *security_token;                   /* X-Amz-Security-Token or NULL; owned */
} ddb_sigv4_auth;

/* Release what 'a' owns. NULL-safe. */
void ddb_sigv4_auth_free(ddb_sigv4_auth *a);

/* Run the structural checks of DynamoDB in its order (iam-and-sigv4.md §4.3
** #1-#9: both forms present, missing token, malformed key=value pair,
** incomplete header or query, bad date, clock skew of 15 minutes against 'now'
** (seconds since the epoch), 'host' not signed, algorithm, credential with 5
** parts, scope region/service/terminator/date) and fill 'out'. 'service' is the
** service the scope must name ("dynamodb" or "sts"); the region must satisfy
** ddb_sigv4_region_valid (a caller pinning one region compares out->region).
** The date comes from X-Amz-Date (header form: header, falling back to an
** ISO-8601 basic or RFC 1123 Date header; query form: the X-Amz-Date
** parameter) and is stored in basic format. A presigned request may lag
** X-Amz-Expires seconds (1..604800) instead of 15 minutes. An access key longer
** than the struct holds is answered with UnrecognizedClientException (#10).
** Returns DDB_OK or DDB_ERR with the exact DynamoDB error recorded in 'err';
** on DDB_OK the caller releases 'out' with ddb_sigv4_auth_free. */
int ddb_sigv4_parse(const ddb_sigv4_request *req, double now, const char *service,
                    ddb_sigv4_auth *out, ddb_error *err);

/* Build the canonical request and string to sign for 'req' as the client
** signed it ('auth' from ddb_sigv4_parse): the client's SignedHeaders in its
** order, raw values trimmed with whitespace runs collapsed, repeated headers
** joined by ',' in arrival order; the path normalized (dot segments and empty
** segments removed) then decoded and re-encoded per segment; the query decoded,
** re-encoded and sorted (X-Amz-Signature left out when presigned); the payload
** hash is the signed x-amz-content-sha256 value, else SHA-256 of the body.
** New strings; caller frees. Returns DDB_ERR (InvalidSignatureException, the
** signature-mismatch text) when a signed header is absent. */
int ddb_sigv4_canonical(const ddb_sigv4_request *req, const ddb_sigv4_auth *auth,
                        char **out_canonical, char **out_string_to_sign, ddb_error *err);

/* Verify the signature of 'req' with 'secret'. Returns DDB_OK, or DDB_ERR with
** InvalidSignatureException "The request signature we calculated does not
** match..." recorded; also when a signed x-amz-content-sha256 (other than
** UNSIGNED-PAYLOAD) differs from the SHA-256 of the body. Signatures are
** compared in constant time; signing keys are cached per (secret, date,
** region, service) in a small mutex-protected table. Thread-safe. */
int ddb_sigv4_verify(const ddb_sigv4_request *req, const ddb_sigv4_auth *auth,
                     const char *secret, ddb_error *err);

/* Client side: compute the Authorization header value for 'req', signing
** every header in req->headers (names are lower-cased and sorted for the
** canonical form; 'host' and 'x-amz-date' must be among them). 'amz_date' is
** YYYYMMDDTHHMMSSZ. New string; caller frees. NULL when 'amz_date' is not in
** that format or req has no headers. */
char *ddb_sigv4_sign(const ddb_sigv4_request *req, const char *access_key, const char *secret,
                     const char *region, const char *service, const char *amz_date);

/* 1 when 'region' looks like an AWS region name: two or more lower-case
** letters, one or more "-word" parts and a "-number" ("us-east-1",
** "ap-southeast-1", "us-gov-west-1"). Decides §4.3 #9 "valid region". */
int ddb_sigv4_region_valid(const char *region);

/* Lower-case hex SHA-256 of 'n' bytes into 'out' (65 bytes with NUL). */
void ddb_sha256_hex(const void *p, size_t n, char out[65]);

#endif
