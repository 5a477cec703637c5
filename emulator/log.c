/* SPDX-License-Identifier: MIT
**
** log.c -- leveled logging to stderr, one line per event with a UTC
** timestamp. Secrets (secret keys, signatures, session tokens) are never logged.
*/
#include "emulator.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static int log_level = DDB_LOG_INFO;
static const char *level_names[] = {"error", "warn", "info", "debug"};

void ddb_log_set_level(int level)
{
    log_level = level;
}

int ddb_log_enabled(int level)
{
    return level <= log_level;
}

void ddb_log(int level, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char stamp[32];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* one fprintf per line so that lines of concurrent threads do not interleave */
    fprintf(stderr, "%s.%03ldZ ddbd %s: %s\n", stamp, ts.tv_nsec / 1000000, level_names[level],
            line);
}
