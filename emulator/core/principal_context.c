/* SPDX-License-Identifier: MIT
**
** principal_context.c -- what a principal brings to the IAM decision of one
** of its requests (see ddb_principals.h): its own condition keys (aws:userid,
** aws:PrincipalArn, aws:PrincipalTag/<k>, ...), the facts ddbd adds to every
** request (time, transport, region, source address), and the text of the
** AccessDeniedException a denial produces. Pure; shared by ddbd's authz.c and
** `ddb policy simulate`.
*/
#include "ddb_principals.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TAG_KEY_PREFIX "aws:PrincipalTag/"

static const char *const own_keys[] = {"aws:userid",           "aws:PrincipalArn",
                                       "aws:PrincipalAccount", "aws:PrincipalType",
                                       "aws:username",         NULL};

void ddb_principal_context(const ddb_principal *p, json_t *ctx)
{
    json_object_set_new(ctx, "aws:userid", json_string(p->userid));
    json_object_set_new(ctx, "aws:PrincipalArn", json_string(p->principal_arn));
    json_object_set_new(ctx, "aws:PrincipalAccount", json_string(p->account));
    json_object_set_new(ctx, "aws:PrincipalType",
                        json_string(p->type == DDB_PRINCIPAL_USER ? "User" : "AssumedRole"));
    if (p->username != NULL)
        json_object_set_new(ctx, "aws:username", json_string(p->username));
    const char *k;
    json_t *v;
    json_object_foreach(p->tags, k, v) {
        char *key = ddb_xasprintf(TAG_KEY_PREFIX "%s", k);
        json_object_set(ctx, key, v);
        free(key);
    }
}

json_t *ddb_principal_own_context(const ddb_principal *p, int *owned)
{
    if (p->own_context != NULL) {
        *owned = 0;
        return p->own_context;
    }
    json_t *ctx = json_object();
    ddb_principal_context(p, ctx);
    *owned = 1;
    return ctx;
}

int ddb_principal_key_is_own(const char *key)
{
    if (key == NULL)
        return 0;
    if (strncasecmp(key, TAG_KEY_PREFIX, strlen(TAG_KEY_PREFIX)) == 0)
        return 1;
    for (size_t i = 0; own_keys[i] != NULL; i++)
        if (strcasecmp(key, own_keys[i]) == 0)
            return 1;
    return 0;
}

void ddb_principal_request_facts(json_t *ctx, time_t now, const char *region,
                                 const char *source_ip)
{
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(ctx, "aws:CurrentTime", json_string(stamp));
    json_object_set_new(ctx, "aws:EpochTime", json_sprintf("%lld", (long long)now));
    json_object_set_new(ctx, "aws:SecureTransport", json_string("false"));
    if (region != NULL)
        json_object_set_new(ctx, "aws:RequestedRegion", json_string(region));
    if (source_ip != NULL)
        json_object_set_new(ctx, "aws:SourceIp", json_string(source_ip));
}

char *ddb_principal_denied_message(const ddb_principal *p, const char *action,
                                   const char *resource, ddb_iam_decision d)
{
    switch (d) {
        case DDB_IAM_ALLOW:
            return NULL;
        case DDB_IAM_EXPLICIT_DENY:
            return ddb_xasprintf("User: %s is not authorized to perform: %s on resource: %s "
                                 "with an explicit deny in an identity-based policy",
                                 p->arn, action, resource);
        default:
            return ddb_xasprintf("User: %s is not authorized to perform: %s on resource: %s "
                                 "because no identity-based policy allows the %s action",
                                 p->arn, action, resource, action);
    }
}
