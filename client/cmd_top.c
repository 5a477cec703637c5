/* SPDX-License-Identifier: MIT
**
** cmd_top.c -- `ddb top TABLE`: a live view of a table's partitions on ddbd.
** Every --interval seconds it reads GET /_ddbd/metrics for the table and
** draws a frame (top_view.c): one line per busy partition with its read
** and write bars against the partition ceiling, HOT and THROTTLED marks and
** the hot keys, idle partitions collapsed into ranges. On a terminal the
** frame is redrawn in place (ANSI: cursor home, clear to end of line and of
** screen, the cursor hidden while it runs); otherwise (a pipe, a test) the
** frames follow each other, separated by a blank line, without escapes.
** --iterations N and --once bound it; Ctrl-C (SIGINT) or SIGTERM stop it
** cleanly between frames, with exit status 0.
*/
#include "client.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_INTERVAL   3600.0 /* seconds */
#define MAX_ITERATIONS 100000000L
#define MAX_WINDOW     60 /* seconds; ddbd keeps 120 */
#define MAX_ROWS       1024
#define SLEEP_SLICE    0.05 /* seconds between checks for a signal */

const cli_opt cli_top_opts[] = {
    {"index", "INDEX", "only this global secondary index (default: table and every GSI)"},
    {"interval", "SECONDS", "time between frames (default 1)"},
    {"iterations", "N", "draw N frames, then stop (default: until Ctrl-C)"},
    {"once", NULL, "draw one frame and stop (--iterations 1)"},
    {"window", "SECONDS", "bars show the busiest second of the last SECONDS (default 1)"},
    {"rows", "N", "busy partitions drawn per table or GSI before the rest collapse (32)"},
    {NULL, NULL, NULL}};

const char cli_top_help[] =
    "Draws the partitions of TABLE and of its GSIs from ddbd's GET /_ddbd/metrics:\n"
    "for each partition a read bar (R) and a write bar (W), the units consumed in\n"
    "the second shown against the partition ceiling (ddbd's --partition-rcu /\n"
    "--partition-wcu, or less when the table's capacity is lower). HOT marks a\n"
    "partition at 80 % or more of a ceiling, THROTTLED xN one with N throttle events;\n"
    "the hot keys of the last two minutes (Contributor Insights) follow their\n"
    "partition. Idle partitions collapse into ranges (\"p12-p200 idle\"); past --rows\n"
    "busy ones, the quietest collapse too.\n"
    "The second shown is the clock's current one with --clock manual (it stands\n"
    "still), else the last complete one; --window N shows each partition's busiest\n"
    "second of the last N. On a terminal the frame is redrawn in place; piped, each\n"
    "frame is printed after a blank line. Ctrl-C stops it.";

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Sleep 'seconds', returning early once a stop was requested. */
static void pause_for(double seconds)
{
    double end = ddb_monotonic() + seconds;
    for (;;) {
        double left = end - ddb_monotonic();
        if (left <= 0 || stop_requested)
            return;
        if (left > SLEEP_SLICE)
            left = SLEEP_SLICE;
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* Write a frame over the previous one: every line ends by clearing the
** rest of the terminal line, and the screen below the frame is cleared. */
static void draw_in_place(const ddb_buf *frame)
{
    fputs("\033[H", stdout);
    size_t start = 0;
    for (size_t i = 0; i < frame->len; i++) {
        if (frame->data[i] != '\n')
            continue;
        fwrite(frame->data + start, 1, i - start, stdout);
        fputs("\033[K\n", stdout);
        start = i + 1;
    }
    fwrite(frame->data + start, 1, frame->len - start, stdout);
    fputs("\033[J", stdout);
}

static int parse_options(const cli_args *a, cli_top_cfg *o, double *interval,
                         long *iterations, cli_error *e)
{
    const char *v;
    long n;
    *interval = 1.0;
    *iterations = 0;
    o->window = 1;
    o->max_rows = 32;
    o->index = cli_arg(a, "index");
    if ((v = cli_arg(a, "interval")) != NULL &&
        cli_parse_seconds(v, MAX_INTERVAL, interval) != 0)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "--interval must be a number of seconds above 0, at most %.0f, "
                        "got '%s'",
                        MAX_INTERVAL, v);
    if ((v = cli_arg(a, "iterations")) != NULL) {
        if (cli_parse_long(v, 1, MAX_ITERATIONS, &n) != 0)
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                            "--iterations must be an integer from 1 to %ld, got '%s'",
                            MAX_ITERATIONS, v);
        *iterations = n;
    }
    if (cli_arg(a, "once") != NULL)
        *iterations = 1;
    if ((v = cli_arg(a, "window")) != NULL) {
        if (cli_parse_long(v, 1, MAX_WINDOW, &n) != 0)
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                            "--window must be an integer from 1 to %d, got '%s'",
                            MAX_WINDOW, v);
        o->window = (int)n;
    }
    if ((v = cli_arg(a, "rows")) != NULL) {
        if (cli_parse_long(v, 1, MAX_ROWS, &n) != 0)
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                            "--rows must be an integer from 1 to %d, got '%s'", MAX_ROWS,
                            v);
        o->max_rows = (size_t)n;
    }
    if (!cli_resource_name_valid(a->pos[0]) ||
        (o->index != NULL && !cli_resource_name_valid(o->index)))
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "a table or index name is 3 to 255 of a-z, A-Z, 0-9, '_', '-', '.'");
    return DDB_OK;
}

/* Read the metrics and draw frame number 'frame'. */
static int one_frame(cli_ctx *ctx, const char *table, const cli_top_cfg *o, int tty,
                     long frame, cli_error *e)
{
    char *query = ddb_xasprintf("region=%s&table=%s&seconds=%d", ctx->cfg.region, table,
                                o->window + 1);
    char *missing = ddb_xasprintf("Requested resource not found: Table: %s not found "
                                  "(ddbd, region %s)",
                                  table, ctx->cfg.region);
    json_t *doc = cli_ddbd_get(ctx, "top", "/_ddbd/metrics", query, missing, NULL, e);
    free(query);
    free(missing);
    if (doc == NULL)
        return DDB_ERR;
    ddb_buf b = DDB_BUF_INIT;
    int rc = DDB_OK;
    if (cli_top_frame(doc, o, &b) != 0) {
        rc = o->index != NULL && json_array_size(json_object_get(doc, "Tables")) > 0
                 ? cli_fail(e, CLI_EXIT_SERVICE, "ResourceNotFoundException",
                            "Requested resource not found: Index: %s of table %s not found",
                            o->index, table)
                 : cli_fail(e, CLI_EXIT_TRANSPORT, "ResponseParserError",
                            "the /_ddbd/metrics answer has no table %s", table);
    } else if (tty) {
        draw_in_place(&b);
    } else {
        if (frame > 0)
            putchar('\n');
        fwrite(b.data, 1, b.len, stdout);
    }
    fflush(stdout);
    ddb_buf_free(&b);
    json_decref(doc);
    return rc;
}

int cli_cmd_top(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    cli_top_cfg o;
    memset(&o, 0, sizeof o);
    double interval;
    long iterations;
    if (ctx->output_set && ctx->output != CLI_OUT_TEXT)
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "ddb top draws text; for JSON use 'ddb metrics TABLE --output json'");
    if (parse_options(a, &o, &interval, &iterations, e) != DDB_OK)
        return DDB_ERR;
    if (cli_ready(ctx, e) != DDB_OK)
        return DDB_ERR;
    int tty = isatty(STDOUT_FILENO);
    o.color = tty;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    stop_requested = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if (tty)
        fputs("\033[?25l\033[H\033[2J", stdout); /* hide the cursor, clear */
    int rc = DDB_OK;
    for (long frame = 0; iterations == 0 || frame < iterations; frame++) {
        if (stop_requested)
            break;
        if ((rc = one_frame(ctx, a->pos[0], &o, tty, frame, e)) != DDB_OK)
            break;
        if (iterations != 0 && frame + 1 >= iterations)
            break;
        pause_for(interval);
    }
    if (tty) {
        fputs("\033[?25h", stdout); /* the cursor back */
        fflush(stdout);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}
