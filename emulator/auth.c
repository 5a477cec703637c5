/* SPDX-License-Identifier: MIT
**
** auth.c -- who is calling: runs the SigV4 structural checks on the request
** and fills the caller's region, account and identity. In open mode (no
** --principals) any well-formed signature is accepted and the caller is the
** account's root user, as DynamoDB Local behaves. With principals, the access
** key must be known, the signature must verify against its secret, and an
** assumed-role session must present its session token -- each failure with
** DynamoDB's exception and text, in DynamoDB's order.
*/
#include "emulator.h"
#include "ddb_principals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* snprintf(dst, cap, "%s", src) without the printf machinery (every request
** fills four of these). */
static size_t put_field(char *dst, size_t cap, size_t at, const char *src)
{
    size_t n = strlen(src);
    if (at + n >= cap)
        n = cap - 1 - at;
    memcpy(dst + at, src, n);
    dst[at + n] = '\0';
    return at + n;
}

static void set_field(char *dst, size_t cap, const char *src)
{
    put_field(dst, cap, 0, src);
}

int ddb_auth_check(ddb_req *req, const char *service, ddb_error *err)
{
    size_t n_headers = 0;
    ddb_sigv4_header *headers = ddb_req_headers(req, &n_headers);
    /* the path and the raw query: a copy only when there is a query to cut off */
    const char *path = req->uri, *q = strchr(req->uri, '?');
    char *path_copy = NULL;
    if (q != NULL) {
        path = path_copy = ddb_xstrndup(req->uri, (size_t)(q - req->uri));
        q++;
    }
    ddb_sigv4_request r = {
        .method = req->method,
        .path = path,
        .query = q,
        .headers = headers,
        .n_headers = n_headers,
        .body = req->body.data,
        .body_len = req->body.len,
    };
    ddb_sigv4_auth auth;
    memset(&auth, 0, sizeof auth);
    int rc = ddb_sigv4_parse(&r, ddb_now(), service, &auth, err);
    const ddb_principals *all = req->srv->principals;
    if (rc == DDB_OK && all != NULL) {
        const ddb_principal *p = ddb_principals_find(all, auth.access_key);
        if (p == NULL) {
            rc = ddb_err_set(err, DDB_E_UNRECOGNIZED_CLIENT,
                             "The security token included in the request is invalid.");
        } else if ((rc = ddb_sigv4_verify(&r, &auth, p->secret, err)) == DDB_OK) {
            const char *token = auth.security_token;
            int token_ok = p->session_token ? token != NULL && strcmp(token, p->session_token) == 0
                                            : token == NULL;
            if (!token_ok)
                rc = ddb_err_set(err, DDB_E_UNRECOGNIZED_CLIENT,
                                 "The security token included in the request is invalid");
        }
        if (rc == DDB_OK) {
            set_field(req->region, sizeof req->region, auth.region);
            set_field(req->account, sizeof req->account, p->account);
            set_field(req->caller_arn, sizeof req->caller_arn, p->arn);
            set_field(req->caller_userid, sizeof req->caller_userid, p->userid);
            req->principal = p;
        }
    } else if (rc == DDB_OK) {
        const char *acct = req->srv->cfg.account_id;
        set_field(req->region, sizeof req->region, auth.region);
        set_field(req->account, sizeof req->account, acct);
        size_t at = put_field(req->caller_arn, sizeof req->caller_arn, 0, "arn:aws:iam::");
        at = put_field(req->caller_arn, sizeof req->caller_arn, at, acct);
        put_field(req->caller_arn, sizeof req->caller_arn, at, ":root");
        set_field(req->caller_userid, sizeof req->caller_userid, acct);
    }
    ddb_sigv4_auth_free(&auth);
    free(path_copy);
    free(headers);
    return rc;
}
