/* SPDX-License-Identifier: MIT
**
** sts.c -- sts:GetCallerIdentity over the STS query protocol (form-encoded
** POST, XML reply), answered on ddbd's own port so that a client pointed at
** ddbd with AWS_ENDPOINT_URL (e.g. 'aws sts get-caller-identity' in the
** workshop's create_table.sh) gets the signing principal. Authentication
** errors are mapped to STS's query-protocol error codes.
*/
#include "emulator.h"

#include <stdlib.h>
#include <string.h>

#define STS_NS "https://sts.amazonaws.com/doc/2011-06-15/"

/* Decode one application/x-www-form-urlencoded component. New string. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *form_decode(const char *s, size_t n)
{
    char *out = ddb_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n &&
                   (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Value of form field 'name' in the body, or NULL. New string. */
static char *form_field(const ddb_buf *body, const char *name)
{
    const char *p = (const char *)body->data;
    const char *end = p + body->len;
    size_t nlen = strlen(name);
    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq && (size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0)
            return form_decode(eq + 1, (size_t)(stop - eq - 1));
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static void xml_escape(ddb_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
            case '&': ddb_buf_puts(b, "&amp;"); break;
            case '<': ddb_buf_puts(b, "&lt;"); break;
            case '>': ddb_buf_puts(b, "&gt;"); break;
            case '"': ddb_buf_puts(b, "&quot;"); break;
            default: ddb_buf_putc(b, *s);
        }
    }
}

static int sts_error(ddb_buf *b, int status, const char *type, const char *code,
                     const char *message)
{
    char rid[37];
    ddb_uuid(rid);
    ddb_buf_puts(b, "<ErrorResponse xmlns=\"" STS_NS "\">\n  <Error>\n    <Type>");
    ddb_buf_puts(b, type);
    ddb_buf_puts(b, "</Type>\n    <Code>");
    ddb_buf_puts(b, code);
    ddb_buf_puts(b, "</Code>\n    <Message>");
    xml_escape(b, message);
    ddb_buf_puts(b, "</Message>\n  </Error>\n  <RequestId>");
    ddb_buf_puts(b, rid);
    ddb_buf_puts(b, "</RequestId>\n</ErrorResponse>\n");
    return status;
}

/* STS's query-protocol code and status for an authentication failure. */
static int auth_error(ddb_buf *b, const ddb_error *err)
{
    const char *msg = err->message ? err->message : "";
    switch (err->code) {
        case DDB_E_MISSING_AUTH_TOKEN:
            return sts_error(b, 403, "Sender", "MissingAuthenticationToken", msg);
        case DDB_E_INCOMPLETE_SIGNATURE:
            return sts_error(b, 400, "Sender", "IncompleteSignature", msg);
        case DDB_E_UNRECOGNIZED_CLIENT:
            return sts_error(b, 403, "Sender", "InvalidClientTokenId", msg);
        case DDB_E_EXPIRED_TOKEN:
            return sts_error(b, 400, "Sender", "ExpiredToken", msg);
        default:
            return sts_error(b, 403, "Sender", "SignatureDoesNotMatch", msg);
    }
}

int ddb_sts_handle(ddb_req *req, char **out_body, size_t *out_len)
{
    ddb_buf b = DDB_BUF_INIT;
    ddb_error err = DDB_ERROR_INIT;
    int status = 200;
    char *action = form_field(&req->body, "Action");
    char *version = form_field(&req->body, "Version");

    if (ddb_auth_check(req, "sts", &err) != DDB_OK) {
        status = auth_error(&b, &err);
    } else if (action == NULL) {
        status = sts_error(&b, 400, "Sender", "MissingAction", "Missing Action");
    } else if (strcmp(action, "GetCallerIdentity") != 0 || version == NULL ||
               strcmp(version, "2011-06-15") != 0) {
        char *msg = ddb_xasprintf("Could not find operation %s for version %s", action,
                                  version ? version : "NO_VERSION_SPECIFIED");
        status = sts_error(&b, 400, "Sender", "InvalidAction", msg);
        free(msg);
    } else {
        char rid[37];
        ddb_uuid(rid);
        ddb_buf_puts(&b, "<GetCallerIdentityResponse xmlns=\"" STS_NS "\">\n"
                         "  <GetCallerIdentityResult>\n    <Arn>");
        xml_escape(&b, req->caller_arn);
        ddb_buf_puts(&b, "</Arn>\n    <UserId>");
        xml_escape(&b, req->caller_userid);
        ddb_buf_puts(&b, "</UserId>\n    <Account>");
        xml_escape(&b, req->account);
        ddb_buf_puts(&b, "</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n"
                         "    <RequestId>");
        ddb_buf_puts(&b, rid);
        ddb_buf_puts(&b, "</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n");
    }
    ddb_err_clear(&err);
    free(action);
    free(version);
    *out_body = ddb_buf_steal(&b, out_len);
    return status;
}
