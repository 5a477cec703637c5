/* SPDX-License-Identifier: MIT
**
** fuzz_sigv4.c -- libFuzzer target for SigV4 (emulator/core/sigv4.c): the
** Authorization header and presigned-query parser with DynamoDB's structural
** checks (ddb_sigv4_parse), canonicalisation and verification, and the
** client signer.
**
** Input: byte 0 is a flag byte (bit 0: scope service "sts" instead of
** "dynamodb"; bit 1: round-trip mode; bits 2-3 move the clock); the rest is
** text: the first line is the request target ("/path?query"), then one
** header per line ("Name: value"; a line without ':' is a name with an empty
** value) up to an empty line, then the body. The clock is fixed at
** 2025-11-25T03:54:00Z so that seeds stay valid.
**
** Parse mode: parse, and when the structure is accepted build the canonical
** request and verify against a fixed secret. Round-trip mode: the headers
** (names restricted to token characters, the auth headers dropped) are
** signed with ddb_sigv4_sign and the result must parse and verify -- the
** client's and the server's canonical forms agree on every input.
**
** Invariants besides the sanitizers (abort() when broken): an error records
** a SigV4 exception type and a message; an accepted request has a valid
** region, the asked-for service, an amz_date in basic format, and only NUL-
** terminated fields.
**
** Build and run: `make fuzz`, or `make fuzz-build` then
**   build/fuzz/fuzz_sigv4 -dict=fixtures/fuzz/sigv4/sigv4.dict /tmp/c fixtures/fuzz/sigv4
*/
#include "ddb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1764042840.0 /* 2025-11-25T03:54:00Z */
#define AMZ_DATE "20251125T035400Z"
#define MAX_HEADERS 64

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_sigv4: invariant broken: %s\n", what);
    abort();
}

static int is_sigv4_error(ddb_errcode c)
{
    return c == DDB_E_MISSING_AUTH_TOKEN || c == DDB_E_INCOMPLETE_SIGNATURE ||
           c == DDB_E_INVALID_SIGNATURE || c == DDB_E_UNRECOGNIZED_CLIENT;
}

static void check_terminated(const char *field, size_t cap, const char *what)
{
    if (memchr(field, '\0', cap) == NULL)
        fail(what);
}

static int token_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '!' || c == '#' || c == '$' || c == '%' ||
           c == '&' || c == '\'' || c == '*' || c == '+' || c == '^' || c == '`' || c == '|' ||
           c == '~';
}

/* Percent-decode into a new string (for the round trip's form check); its
** length, which %00 makes differ from strlen, in *out_len. */
static char *pct_decoded(const char *s, size_t *out_len)
{
    size_t n = strlen(s), o = 0;
    char *d = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned hi, lo;
        if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%1x%1x", &hi, &lo) == 2) {
            d[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[o++] = s[i];
        }
    }
    d[o] = '\0';
    *out_len = o;
    return d;
}

typedef struct parsed_input {
    char *text;               /* owned copy of the input text */
    char *path, *query;       /* into text */
    ddb_sigv4_header h[MAX_HEADERS + 4];
    size_t n;
    const unsigned char *body;
    size_t body_len;
} parsed_input;

static void split_input(const uint8_t *data, size_t size, parsed_input *in)
{
    memset(in, 0, sizeof *in);
    in->text = malloc(size + 1);
    memcpy(in->text, data, size);
    in->text[size] = '\0';
    char *p = in->text, *end = in->text + size;
    char *nl = memchr(p, '\n', (size_t)(end - p));
    in->path = p;
    if (nl != NULL) {
        *nl = '\0';
        p = nl + 1;
    } else {
        p = end;
    }
    char *q = strchr(in->path, '?');
    if (q != NULL) {
        *q++ = '\0';
        in->query = q;
    }
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        if (le == p) { /* empty line: the body follows */
            p = nl ? nl + 1 : end;
            break;
        }
        *le = '\0';
        if (in->n < MAX_HEADERS) {
            char *colon = memchr(p, ':', (size_t)(le - p));
            ddb_sigv4_header *h = &in->h[in->n++];
            h->name = p;
            h->name_len = colon ? (size_t)(colon - p) : (size_t)(le - p);
            h->value = colon ? colon + 1 : "";
            h->value_len = colon ? (size_t)(le - colon - 1) : 0;
            if (colon)
                *colon = '\0';
        }
        p = nl ? nl + 1 : end;
    }
    in->body = (const unsigned char *)p;
    in->body_len = (size_t)(end - p);
}

static void parse_mode(parsed_input *in, const char *service, double now)
{
    ddb_sigv4_request r = {"POST", in->path, in->query, in->h, in->n, in->body, in->body_len};
    ddb_sigv4_auth auth;
    ddb_error err = DDB_ERROR_INIT;
    if (ddb_sigv4_parse(&r, now, service, &auth, &err) != DDB_OK) {
        if (!is_sigv4_error(err.code) || err.message == NULL)
            fail("a refused request without a SigV4 error and message");
        ddb_err_clear(&err);
        ddb_sigv4_auth_free(&auth);
        return;
    }
    check_terminated(auth.access_key, sizeof auth.access_key, "access_key");
    check_terminated(auth.region, sizeof auth.region, "region");
    check_terminated(auth.service, sizeof auth.service, "service");
    check_terminated(auth.signature, sizeof auth.signature, "signature");
    check_terminated(auth.signed_headers, sizeof auth.signed_headers, "signed_headers");
    check_terminated(auth.amz_date, sizeof auth.amz_date, "amz_date");
    check_terminated(auth.scope_date, sizeof auth.scope_date, "scope_date");
    if (!ddb_sigv4_region_valid(auth.region))
        fail("accepted an invalid region");
    if (strcmp(auth.service, service) != 0)
        fail("accepted another service's scope");
    if (strlen(auth.amz_date) != 16 || auth.amz_date[8] != 'T' || auth.amz_date[15] != 'Z')
        fail("amz_date not in basic format");

    char *creq = NULL, *sts = NULL;
    if (ddb_sigv4_canonical(&r, &auth, &creq, &sts, &err) == DDB_OK) {
        if (creq == NULL || sts == NULL)
            fail("canonical request missing");
    } else if (err.code != DDB_E_INVALID_SIGNATURE) {
        fail("canonical request failed with an unexpected error");
    }
    free(creq);
    free(sts);
    ddb_err_clear(&err);
    if (ddb_sigv4_verify(&r, &auth, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &err) != DDB_OK &&
        err.code != DDB_E_INVALID_SIGNATURE)
        fail("verification failed with an unexpected error");
    ddb_err_clear(&err);
    ddb_sigv4_auth_free(&auth);
}

/* Sign the input's headers as a client would, then verify as ddbd does. */
static void roundtrip_mode(parsed_input *in, const char *service)
{
    static const char *const dropped[] = {"authorization", "x-amz-date", "host", "date",
                                          "x-amz-content-sha256", "x-amz-security-token"};
    ddb_sigv4_header h[MAX_HEADERS + 4];
    size_t n = 0;
    for (size_t i = 0; i < in->n; i++) {
        const ddb_sigv4_header *x = &in->h[i];
        int ok = x->name_len > 0;
        for (size_t k = 0; ok && k < x->name_len; k++)
            ok = token_char((unsigned char)x->name[k]);
        for (size_t k = 0; ok && k < sizeof dropped / sizeof dropped[0]; k++)
            ok = !(strlen(dropped[k]) == x->name_len &&
                   strncasecmp(dropped[k], x->name, x->name_len) == 0);
        if (ok)
            h[n++] = *x;
    }
    h[n++] = (ddb_sigv4_header){"Host", 4, "dynamodb.us-east-1.amazonaws.com", 32};
    h[n++] = (ddb_sigv4_header){"X-Amz-Date", 10, AMZ_DATE, 16};
    const char *query = in->query;
    if (query != NULL) {
        size_t dn = 0;
        char *dq = pct_decoded(query, &dn);
        int presigned_like = memmem(dq, dn, "X-Amz-Algorithm", 15) != NULL;
        free(dq);
        if (presigned_like)
            query = NULL; /* would be the other form: not this round trip */
    }
    ddb_sigv4_request r = {"POST", in->path, query, h, n, in->body, in->body_len};
    char *authz = ddb_sigv4_sign(&r, "AKIDEXAMPLE", "secret", "us-east-1", service, AMZ_DATE);
    if (authz == NULL)
        fail("the signer refused a request with host and x-amz-date");
    h[n++] = (ddb_sigv4_header){"Authorization", 13, authz, strlen(authz)};
    r.n_headers = n;
    ddb_sigv4_auth auth;
    ddb_error err = DDB_ERROR_INIT;
    if (ddb_sigv4_parse(&r, NOW, service, &auth, &err) != DDB_OK) {
        fprintf(stderr, "parse: %s\nAuthorization: %s\n", err.message ? err.message : "?", authz);
        fail("a request signed by ddb_sigv4_sign does not parse");
    }
    if (ddb_sigv4_verify(&r, &auth, "secret", &err) != DDB_OK) {
        char *creq = NULL, *sts = NULL;
        ddb_sigv4_canonical(&r, &auth, &creq, &sts, &err);
        fprintf(stderr, "canonical request:\n%s\n", creq ? creq : "(none)");
        fail("a request signed by ddb_sigv4_sign does not verify");
    }
    ddb_err_clear(&err);
    ddb_sigv4_auth_free(&auth);
    free(authz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    unsigned flags = data[0];
    const char *service = flags & 1 ? "sts" : "dynamodb";
    static const double shift[4] = {0, 899, -901, 604800};
    double now = NOW + shift[(flags >> 2) & 3];
    parsed_input in;
    split_input(data + 1, size - 1, &in);
    if (flags & 2)
        roundtrip_mode(&in, service);
    else
        parse_mode(&in, service, now);
    free(in.text);
    return 0;
}
