/* SPDX-License-Identifier: MIT
**
** ddbd_admin.c -- reading ddbd's own endpoints (/_ddbd/metrics, ...) from
** the client: whether the endpoint is AWS's (never probed: DynamoDB has no
** /_ddbd/ paths), one unsigned GET through the transport, and the errors a
** command such as `ddb metrics` reports when the endpoint is not ddbd
** (configuration, exit 5, with the CloudWatch hint) or when ddbd has no such
** table (ResourceNotFoundException, exit 1).
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_endpoint_is_aws(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, ":/?#");
    static const char *const suffixes[] = {".amazonaws.com", ".amazonaws.com.cn",
                                           ".api.aws", NULL};
    for (size_t i = 0; suffixes[i] != NULL; i++) {
        size_t k = strlen(suffixes[i]);
        if (n >= k && strncasecmp(p + n - k, suffixes[i], k) == 0)
            return 1;
    }
    return 0;
}

/* 1 if the endpoint answers GET /_ddbd/clock as ddbd does. */
static int answers_like_ddbd(cli_ctx *ctx)
{
    cli_error pe = CLI_ERROR_INIT;
    cli_reply r = {0};
    int yes = 0;
    if (cli_transport_admin(ctx->transport, ctx->ddb_endpoint, "GET", "/_ddbd/clock", NULL,
                            NULL, &r, &pe) == DDB_OK &&
        r.status == 200) {
        json_t *doc = json_loadb(r.body, r.len, 0, NULL);
        yes = json_string_value(json_object_get(doc, "Mode")) != NULL;
        json_decref(doc);
    }
    cli_reply_free(&r);
    cli_error_clear(&pe);
    return yes;
}

static int not_ddbd(const cli_ctx *ctx, const char *command, const char *why, cli_error *e)
{
    return cli_fail(e, CLI_EXIT_CONFIG, "NotDdbdError",
                    "ddb %s needs ddbd: %s %s, and only ddbd serves /_ddbd/metrics. Point "
                    "--endpoint or AWS_ENDPOINT_URL at a ddbd (e.g. "
                    "http://127.0.0.1:8000); on AWS, read these figures from CloudWatch "
                    "(namespace AWS/DynamoDB: ConsumedWriteCapacityUnits, "
                    "WriteThrottleEvents, ...) and CloudWatch Contributor Insights",
                    command, ctx->ddb_endpoint, why);
}

json_t *cli_ddbd_get(cli_ctx *ctx, const char *command, const char *path,
                     const char *query, const char *missing, char **raw, cli_error *e)
{
    if (raw != NULL)
        *raw = NULL;
    if (cli_ready(ctx, e) != DDB_OK)
        return NULL;
    if (cli_endpoint_is_aws(ctx->ddb_endpoint)) {
        not_ddbd(ctx, command, "is DynamoDB on AWS (not contacted)", e);
        return NULL;
    }
    cli_reply r = {0};
    if (cli_transport_admin(ctx->transport, ctx->ddb_endpoint, "GET", path, query, NULL, &r,
                            e) != DDB_OK)
        return NULL;
    json_t *doc = r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    if (json_is_object(doc)) {
        if (raw != NULL) { /* the answer as sent */
            *raw = r.body;
            r.body = NULL;
        }
        cli_reply_free(&r);
        return doc;
    }
    json_decref(doc);
    long status = r.status;
    cli_reply_free(&r);
    if (status == 404 && missing != NULL && answers_like_ddbd(ctx)) {
        cli_fail(e, CLI_EXIT_SERVICE, "ResourceNotFoundException", "%s", missing);
    } else if (status == 200) {
        char *why = ddb_xasprintf("answered GET %s without a JSON object", path);
        not_ddbd(ctx, command, why, e);
        free(why);
    } else {
        char *why = ddb_xasprintf("answered GET %s with HTTP %ld", path, status);
        not_ddbd(ctx, command, why, e);
        free(why);
    }
    return NULL;
}
