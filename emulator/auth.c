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

int ddb_auth_check(ddb_req *req, const char *service, ddb_error *err)
{
    size_t n_headers = 0;
    ddb_sigv4_header *headers = ddb_req_headers(req, &n_headers);
    char *path = ddb_xstrdup(req->uri);
    char *q = strchr(path, '?');
    if (q != NULL)
        *q++ = '\0';
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
            snprintf(req->region, sizeof req->region, "%s", auth.region);
            snprintf(req->account, sizeof req->account, "%s", p->account);
            snprintf(req->caller_arn, sizeof req->caller_arn, "%s", p->arn);
            snprintf(req->caller_userid, sizeof req->caller_userid, "%s", p->userid);
            req->principal = p;
        }
    } else if (rc == DDB_OK) {
        snprintf(req->region, sizeof req->region, "%s", auth.region);
        snprintf(req->account, sizeof req->account, "%s", req->srv->cfg.account_id);
        snprintf(req->caller_arn, sizeof req->caller_arn, "arn:aws:iam::%s:root",
                 req->srv->cfg.account_id);
        snprintf(req->caller_userid, sizeof req->caller_userid, "%s", req->srv->cfg.account_id);
    }
    ddb_sigv4_auth_free(&auth);
    free(path);
    free(headers);
    return rc;
}
