/* SPDX-License-Identifier: MIT
**
** fuzz_iam.c -- libFuzzer target for the IAM engine (include/ddb_iam.h):
** the input is read as a JSON document (any top-level type, NUL bytes
** allowed), parsed as a policy and, when it parses, evaluated against a
** fixed set of requests whose contexts hold every kind of value (strings,
** arrays, numbers, booleans, null, objects, dates, IPs, ARNs, base64, tag
** values with wildcards, long runs for the glob matcher).
**
** Besides the sanitizers it checks invariants and abort()s on a violation:
** a failed parse records a ValidationException naming the policy; a
** decision is one of the three values; the explanation agrees with it; the
** same request twice gives the same answer.
**
** Build and run from the repository root:
**   clang -fsanitize=fuzzer,address,undefined -Iinclude tests/fuzz/fuzz_iam.c \
**       emulator/core/iam*.c emulator/core/err.c emulator/core/util.c \
**       $(pkg-config --cflags --libs jansson) -lm -o /tmp/fuzz_iam
**   /tmp/fuzz_iam -max_total_time=60 -max_len=8192 \
**       -dict=fixtures/fuzz/iam/iam.dict /tmp/iam-corpus fixtures/fuzz/iam
** (or all of emulator/core/ .c files, as in the project brief: same result.)
*/
#include "ddb_iam.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz.json"

typedef struct request {
    const char *action;
    const char *resource;
    const char *context; /* JSON text */
} request;

static const request requests[] = {
    {"dynamodb:GetItem",
     "arn:aws:dynamodb:ap-southeast-1:123456789012:table/WorkshopShared",
     "{\"aws:username\":\"attendee-037\",\"aws:PrincipalTag/tenant\":\"t-037\","
     "\"aws:PrincipalAccount\":\"123456789012\",\"aws:userid\":\"AIDAEXAMPLE\","
     "\"aws:PrincipalArn\":\"arn:aws:iam::123456789012:user/attendee-037\","
     "\"dynamodb:LeadingKeys\":[\"TENANT#t-037#USER#u1\"],\"dynamodb:Select\":"
     "\"ALL_ATTRIBUTES\",\"dynamodb:Attributes\":[\"PK\",\"SK\",\"Name\"]}"},
    {"dynamodb:Scan", "arn:aws:dynamodb:ap-southeast-1:123456789012:table/WorkshopShared",
     "{\"aws:username\":\"attendee-notag\",\"aws:CurrentTime\":\"2024-02-29T12:00:00."
     "5Z\","
     "\"aws:EpochTime\":1709208000,\"aws:SecureTransport\":true,"
     "\"aws:SourceIp\":\"203.0.113.77\",\"s3:max-keys\":\"9.5\"}"},
    {"dynamodb:BatchWriteItem",
     "arn:aws:dynamodb:ap-southeast-1:123456789012:table/WorkshopShared/index/GSI1",
     "{\"aws:PrincipalTag/tenant\":\"t-*\",\"dynamodb:LeadingKeys\":[\"TENANT#t-*#X\","
     "\"TENANT#t-999#Y\",7,null,{\"o\":1},[\"n\"]],\"aws:TagKeys\":[],"
     "\"aws:SourceIp\":\"2001:db8::1\",\"test:bin\":\"QmluYXJ5VmFsdWU=\","
     "\"aws:SourceArn\":\"arn:aws:sns:us-east-1:123456789012:topic:sub\","
     "\"test:null\":null,\"test:obj\":{\"a\":\"b\"},\"test:num\":-0.1}"},
    {"dynamodb:ListTables", "*",
     "{\"AWS:USERNAME\":\"Bob*\",\"aws:username\":\"bob\",\"aws:PrincipalTag/Team\":"
     "\"\",\"test:long\":"
     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac\","
     "\"test:utf8\":\"Caf\\u00e9 \\u03a3\\u03bf\\u03c6\\u03b9\\u03b1\\u03c2\"}"},
    {"s3:GetObject", "arn:aws:s3:::bucket/1/2/test/3/object.jpg", "{}"},
    {"DynamoDB:getitem",
     "arn:aws:dynamodb:us-west-2:123456789012:table/GameScores/stream/"
     "2015-05-11T21:21:33.291",
     NULL},
    {"dynamodb:Query", "not an arn", "[\"not an object\"]"},
};

#define N_REQUESTS (sizeof requests / sizeof requests[0])

static json_t *contexts[N_REQUESTS];

static void init_contexts(void)
{
    static int done;
    if (done)
        return;
    for (size_t i = 0; i < N_REQUESTS; i++) {
        contexts[i] =
            requests[i].context ? json_loads(requests[i].context, 0, NULL) : NULL;
        if (requests[i].context != NULL && contexts[i] == NULL)
            abort(); /* a broken fixed context is a bug in this file */
    }
    done = 1;
}

static void check_decision(ddb_policy *p, const request *rq, const json_t *ctx)
{
    ddb_iam_explain why;
    ddb_iam_decision d = ddb_iam_evaluate(&p, 1, rq->action, rq->resource, ctx, &why);
    ddb_iam_decision again = ddb_iam_evaluate(&p, 1, rq->action, rq->resource, ctx, NULL);

    if (d != again)
        abort();
    switch (d) {
        case DDB_IAM_IMPLICIT_DENY:
            if (why.policy != NULL || why.statement != -1 || why.sid != NULL)
                abort();
            break;
        case DDB_IAM_ALLOW:
        case DDB_IAM_EXPLICIT_DENY:
            if (why.policy != p || why.statement < 0)
                abort();
            break;
        default:
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ddb_error err = DDB_ERROR_INIT;
    json_t *doc;
    ddb_policy *p;

    init_contexts();
    doc = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (doc == NULL)
        return 0;
    p = ddb_iam_policy_parse(doc, NAME, &err);
    if (p == NULL) {
        if (err.code != DDB_E_VALIDATION || err.message == NULL ||
            strncmp(err.message, NAME ": ", strlen(NAME) + 2) != 0)
            abort();
    } else {
        if (ddb_err_isset(&err) || strcmp(ddb_iam_policy_name(p), NAME) != 0)
            abort();
        for (size_t i = 0; i < N_REQUESTS; i++)
            check_decision(p, &requests[i], contexts[i]);
    }
    ddb_iam_policy_free(p);
    ddb_err_clear(&err);
    json_decref(doc);
    return 0;
}
