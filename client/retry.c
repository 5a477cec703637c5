/* SPDX-License-Identifier: MIT
**
** retry.c -- the AWS SDKs' "standard" retry mode as botocore implements it
** (botocore/retries/standard.py and quota.py; capacity-and-throttling.md
** §5): which failures are retried, the exponential backoff with full
** jitter, and the process-wide retry quota. Pure arithmetic; the loop that
** sleeps and re-sends lives in transport.c.
*/
#include "client.h"

#include <string.h>

/* Throttling codes of the standard mode (botocore _THROTTLED_ERROR_CODES). */
static const char *const throttle_codes[] = {"Throttling",
                                             "ThrottlingException",
                                             "ThrottledException",
                                             "RequestThrottledException",
                                             "TooManyRequestsException",
                                             "ProvisionedThroughputExceededException",
                                             "TransactionInProgressException",
                                             "RequestLimitExceeded",
                                             "BandwidthLimitExceeded",
                                             "LimitExceededException",
                                             "RequestThrottled",
                                             "SlowDown",
                                             "PriorRequestNotComplete",
                                             "EC2ThrottledException",
                                             NULL};

/* Transient codes (botocore _TRANSIENT_ERROR_CODES). */
static const char *const transient_codes[] = {"RequestTimeout", "RequestTimeoutException",
                                              "PriorRequestNotComplete", NULL};

static int in_list(const char *const *list, const char *code)
{
    if (code == NULL)
        return 0;
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], code) == 0)
            return 1;
    return 0;
}

int cli_retry_is_throttle_code(const char *code)
{
    return in_list(throttle_codes, code);
}

cli_retry_kind cli_retry_classify(long status, const char *code, int transport_error,
                                  int timeout, int crc_mismatch)
{
    if (timeout)
        return CLI_RETRY_TIMEOUT;
    if (transport_error || crc_mismatch)
        return CLI_RETRY_TRANSIENT;
    if (status == 429 || in_list(throttle_codes, code))
        return CLI_RETRY_THROTTLE;
    if (in_list(transient_codes, code) || status == 500 || status == 502 ||
        status == 503 || status == 504)
        return CLI_RETRY_TRANSIENT;
    return CLI_RETRY_NO;
}

#define MAX_BACKOFF 20.0 /* seconds, botocore _MAX_BACKOFF */

double cli_retry_delay(int attempt, double base, double rnd)
{
    double cap = base;
    for (int i = 1; i < attempt && cap < MAX_BACKOFF; i++)
        cap *= 2;
    if (cap > MAX_BACKOFF)
        cap = MAX_BACKOFF;
    if (rnd < 0)
        rnd = 0;
    if (rnd >= 1)
        rnd = 0.999999;
    return rnd * cap;
}

void cli_quota_init(cli_quota *q)
{
    q->available = q->max = CLI_QUOTA_INITIAL;
}

int cli_quota_acquire(cli_quota *q, cli_retry_kind kind)
{
    int cost = kind == CLI_RETRY_TIMEOUT ? CLI_QUOTA_TIMEOUT_COST : CLI_QUOTA_RETRY_COST;
    if (cost > q->available)
        return 0;
    q->available -= cost;
    return cost;
}

void cli_quota_release(cli_quota *q, int last_cost)
{
    int amount = last_cost > 0 ? last_cost : CLI_QUOTA_NO_RETRY_INCREMENT;
    if (q->available == q->max)
        return;
    q->available = q->available + amount > q->max ? q->max : q->available + amount;
}
