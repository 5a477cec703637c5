/* SPDX-License-Identifier: MIT
**
** main.c -- ddbd's command line, start-up and shutdown. Parses options into a
** ddb_config, opens the store and the table catalog, starts the HTTP server,
** waits for SIGINT/SIGTERM and stops cleanly (in-flight requests finish).
*/
#include "emulator.h"
#include "catalog.h"
#include "ddb_principals.h"
#include "throughput.h"
#include "store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: ddbd [OPTIONS]\n"
    "An offline DynamoDB emulator (DynamoDB JSON 1.0 protocol on HTTP).\n"
    "\n"
    "  --host ADDR            listen address (default 127.0.0.1)\n"
    "  --port N               listen port (default 8000; 0 picks a free port)\n"
    "  --port-file FILE       write the bound port to FILE once listening\n"
    "  --db PATH|:memory:     SQLite database file (default ./ddbd.sqlite3);\n"
    "                         :memory: keeps everything in memory\n"
    "  --account-id ID        12-digit AWS account id (default 123456789012)\n"
    "  --principals FILE      enforce SigV4 signatures and IAM policies for the\n"
    "                         principals in FILE (JSON; see README); without it\n"
    "                         ddbd runs open: any well-formed signature is accepted\n"
    "  --threads N            HTTP worker threads, one SQLite connection each (default 4)\n"
    "  --create-table-ms N    how long a new table stays CREATING (default 0)\n"
    "  --delete-table-ms N    how long a deleted table stays DELETING (default 0)\n"
    "  --update-table-ms N    how long UpdateTable leaves the table UPDATING and a new\n"
    "                         index CREATING (default 0)\n"
    "  --sync normal|full     SQLite durability: normal (default) may lose the last\n"
    "                         commits on power loss, full fsyncs every commit\n"
    "  --cache-mib N          SQLite page cache per connection in MiB (default 8)\n"
    "  --log-level LEVEL      error, warn, info (default) or debug\n"
    "  --no-console           do not serve the web console at /_ddbd/console\n"
    "\nThroughput simulation:\n"
    "  --throttling on|off    throttle as DynamoDB does (default on); off only counts\n"
    "                         consumed capacity\n"
    "  --partition-rcu N      per-partition read ceiling, units/s (default 3000)\n"
    "  --partition-wcu N      per-partition write ceiling, units/s (default 1000)\n"
    "  --burst-seconds N      seconds of unused capacity banked as burst (default 300)\n"
    "  --no-adaptive-capacity hold each partition to its share of the table's capacity\n"
    "  --split-for-heat       split partitions that stay hot between their hot keys\n"
    "  --peak-seconds N       on demand: seconds a traffic level is held before it\n"
    "                         becomes the previous peak (default 1800)\n"
    "  --clock real|manual    the simulation clock; manual only moves through\n"
    "                         POST /_ddbd/clock (deterministic tests)\n"
    "  --help                 show this help and exit\n"
    "  --version              show the version and exit\n";

static int parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "ddbd: %s must be an integer from %ld to %ld, not '%s'\n", opt, lo, hi,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

static int valid_account(const char *s)
{
    size_t n = strlen(s);
    if (n != 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Returns 0 to run, 1 to exit successfully (help/version), -1 on bad usage. */
static int parse_args(int argc, char **argv, ddb_config *cfg)
{
    enum {
        O_HOST = 256, O_PORT, O_PORT_FILE, O_DB, O_ACCOUNT, O_THREADS, O_CREATE_MS, O_DELETE_MS,
        O_UPDATE_MS, O_SYNC, O_CACHE, O_LOG, O_PRINCIPALS, O_THROTTLING, O_PRCU, O_PWCU,
        O_BURST, O_NO_ADAPTIVE, O_SPLIT, O_PEAK, O_CLOCK, O_NO_CONSOLE, O_HELP, O_VERSION
    };
    static const struct option opts[] = {
        {"host", required_argument, NULL, O_HOST},
        {"port", required_argument, NULL, O_PORT},
        {"port-file", required_argument, NULL, O_PORT_FILE},
        {"db", required_argument, NULL, O_DB},
        {"account-id", required_argument, NULL, O_ACCOUNT},
        {"threads", required_argument, NULL, O_THREADS},
        {"create-table-ms", required_argument, NULL, O_CREATE_MS},
        {"delete-table-ms", required_argument, NULL, O_DELETE_MS},
        {"update-table-ms", required_argument, NULL, O_UPDATE_MS},
        {"sync", required_argument, NULL, O_SYNC},
        {"cache-mib", required_argument, NULL, O_CACHE},
        {"log-level", required_argument, NULL, O_LOG},
        {"principals", required_argument, NULL, O_PRINCIPALS},
        {"throttling", required_argument, NULL, O_THROTTLING},
        {"partition-rcu", required_argument, NULL, O_PRCU},
        {"partition-wcu", required_argument, NULL, O_PWCU},
        {"burst-seconds", required_argument, NULL, O_BURST},
        {"no-adaptive-capacity", no_argument, NULL, O_NO_ADAPTIVE},
        {"split-for-heat", no_argument, NULL, O_SPLIT},
        {"peak-seconds", required_argument, NULL, O_PEAK},
        {"clock", required_argument, NULL, O_CLOCK},
        {"no-console", no_argument, NULL, O_NO_CONSOLE},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    int c;
    long v;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
            case O_HOST: cfg->host = optarg; break;
            case O_PORT:
                if (parse_int("--port", optarg, 0, 65535, &v) < 0)
                    return -1;
                cfg->port = (int)v;
                break;
            case O_PORT_FILE: cfg->port_file = optarg; break;
            case O_DB: cfg->db_path = optarg; break;
            case O_ACCOUNT:
                if (!valid_account(optarg)) {
                    fprintf(stderr, "ddbd: --account-id must be 12 digits, not '%s'\n", optarg);
                    return -1;
                }
                cfg->account_id = optarg;
                break;
            case O_THREADS:
                if (parse_int("--threads", optarg, 1, 256, &v) < 0)
                    return -1;
                cfg->threads = (int)v;
                break;
            case O_CREATE_MS:
                if (parse_int("--create-table-ms", optarg, 0, 3600000, &v) < 0)
                    return -1;
                cfg->create_table_ms = (int)v;
                break;
            case O_DELETE_MS:
                if (parse_int("--delete-table-ms", optarg, 0, 3600000, &v) < 0)
                    return -1;
                cfg->delete_table_ms = (int)v;
                break;
            case O_UPDATE_MS:
                if (parse_int("--update-table-ms", optarg, 0, 3600000, &v) < 0)
                    return -1;
                cfg->update_table_ms = (int)v;
                break;
            case O_SYNC:
                if (strcmp(optarg, "normal") == 0)
                    cfg->sync_full = 0;
                else if (strcmp(optarg, "full") == 0)
                    cfg->sync_full = 1;
                else {
                    fprintf(stderr, "ddbd: --sync must be normal or full, not '%s'\n", optarg);
                    return -1;
                }
                break;
            case O_CACHE:
                if (parse_int("--cache-mib", optarg, 1, 65536, &v) < 0)
                    return -1;
                cfg->cache_kib = v * 1024;
                break;
            case O_LOG:
                if (strcmp(optarg, "error") == 0)
                    cfg->log_level = DDB_LOG_ERROR;
                else if (strcmp(optarg, "warn") == 0)
                    cfg->log_level = DDB_LOG_WARN;
                else if (strcmp(optarg, "info") == 0)
                    cfg->log_level = DDB_LOG_INFO;
                else if (strcmp(optarg, "debug") == 0)
                    cfg->log_level = DDB_LOG_DEBUG;
                else {
                    fprintf(stderr, "ddbd: --log-level must be error, warn, info or debug\n");
                    return -1;
                }
                break;
            case O_PRINCIPALS: cfg->principals_path = optarg; break;
            case O_THROTTLING:
                if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0) {
                    fprintf(stderr, "ddbd: --throttling must be on or off\n");
                    return -1;
                }
                cfg->throttling = strcmp(optarg, "on") == 0;
                break;
            case O_PRCU:
                if (parse_int("--partition-rcu", optarg, 1, 1000000, &v) < 0)
                    return -1;
                cfg->partition_rcu = v;
                break;
            case O_PWCU:
                if (parse_int("--partition-wcu", optarg, 1, 1000000, &v) < 0)
                    return -1;
                cfg->partition_wcu = v;
                break;
            case O_BURST:
                if (parse_int("--burst-seconds", optarg, 0, 86400, &v) < 0)
                    return -1;
                cfg->burst_seconds = (int)v;
                break;
            case O_NO_ADAPTIVE: cfg->adaptive = 0; break;
            case O_SPLIT: cfg->split_for_heat = 1; break;
            case O_PEAK:
                if (parse_int("--peak-seconds", optarg, 1, 86400, &v) < 0)
                    return -1;
                cfg->peak_seconds = (int)v;
                break;
            case O_CLOCK:
                if (strcmp(optarg, "real") != 0 && strcmp(optarg, "manual") != 0) {
                    fprintf(stderr, "ddbd: --clock must be real or manual\n");
                    return -1;
                }
                cfg->clock_manual = strcmp(optarg, "manual") == 0;
                break;
            case O_NO_CONSOLE: cfg->no_console = 1; break;
            case O_HELP: fputs(usage_text, stdout); return 1;
            case O_VERSION: printf("ddbd %s\n", DDB_VERSION); return 1;
            default:
                fprintf(stderr, "ddbd: unknown or incomplete option '%s'\n", argv[optind - 1]);
                fputs("Try 'ddbd --help'.\n", stderr);
                return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ddbd: unexpected argument '%s'\nTry 'ddbd --help'.\n", argv[optind]);
        return -1;
    }
    return 0;
}

static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path); /* readers never see a half-written file */
}

/* 1 when every address 'host' resolves to is a loopback address. */
static int loopback_only(const char *host)
{
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL)
        return 0;
    int loop = 1;
    for (struct addrinfo *a = ai; a != NULL && loop; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)a->ai_addr;
            loop = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        } else if (a->ai_family == AF_INET6) {
            const struct in6_addr *in6 = &((const struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
            loop = IN6_IS_ADDR_LOOPBACK(in6) ||
                   (IN6_IS_ADDR_V4MAPPED(in6) && in6->s6_addr[12] == 127);
        } else {
            loop = 0;
        }
    }
    freeaddrinfo(ai);
    return loop;
}

/* Listening beyond this machine: say loudly what anyone who can reach the
** port may do. */
static void warn_exposure(const ddb_server *srv)
{
    if (loopback_only(srv->cfg.host))
        return;
    if (srv->principals == NULL) {
        ddb_log(DDB_LOG_WARN,
                "**************************************************************************");
        ddb_log(DDB_LOG_WARN, "WARNING: listening on %s:%d, beyond this machine, in OPEN mode.",
                srv->cfg.host, srv->bound_port);
        ddb_log(DDB_LOG_WARN, "WARNING: anyone who can reach this port can read, change and "
                              "delete every table");
        ddb_log(DDB_LOG_WARN, "WARNING: (any signature is accepted; the caller is the account "
                              "root). Use --host 127.0.0.1,");
        ddb_log(DDB_LOG_WARN, "WARNING: or --principals FILE to enforce signatures and IAM "
                              "policies.");
        ddb_log(DDB_LOG_WARN,
                "**************************************************************************");
    } else {
        ddb_log(DDB_LOG_WARN, "listening on %s:%d beyond this machine: plain HTTP (use a "
                              "trusted network); /_ddbd/ endpoints need no signature",
                srv->cfg.host, srv->bound_port);
    }
}

int main(int argc, char **argv)
{
    ddb_server srv;
    memset(&srv, 0, sizeof srv);
    srv.cfg = (ddb_config){
        .host = "127.0.0.1",
        .port = 8000,
        .db_path = "./ddbd.sqlite3",
        .account_id = "123456789012",
        .threads = 4,
        .cache_kib = 8 * 1024,
        .log_level = DDB_LOG_INFO,
        .throttling = 1,
        .burst_seconds = -1,
        .adaptive = 1,
    };
    int pa = parse_args(argc, argv, &srv.cfg);
    if (pa != 0)
        return pa > 0 ? 0 : 2;
    ddb_log_set_level(srv.cfg.log_level);
    ddb_json_use_xalloc();

    /* Block the shutdown signals in every thread; main waits for them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    ddb_error err = DDB_ERROR_INIT;
    srv.started = ddb_now();
    if (srv.cfg.principals_path != NULL) {
        srv.principals = ddb_principals_load(srv.cfg.principals_path, &err);
        if (srv.principals == NULL) {
            fprintf(stderr, "ddbd: %s\n", err.message ? err.message : "bad principals file");
            ddb_err_clear(&err);
            return 1;
        }
        if (strcmp(srv.principals->account, srv.cfg.account_id) != 0)
            srv.cfg.account_id = srv.principals->account;
    }
    srv.store = ddb_store_open(srv.cfg.db_path, srv.cfg.sync_full, srv.cfg.cache_kib, &err);
    if (srv.store == NULL) {
        fprintf(stderr, "ddbd: %s\n", err.message ? err.message : "cannot open the database");
        ddb_err_clear(&err);
        return 1;
    }
    srv.tput = ddb_tput_new(&srv.cfg);
    srv.catalog = ddb_catalog_open(srv.store, &err);
    if (srv.catalog == NULL || ddb_http_start(&srv, &err) != DDB_OK) {
        fprintf(stderr, "ddbd: %s\n", err.message ? err.message : "start-up failed");
        ddb_err_clear(&err);
        ddb_catalog_close(srv.catalog);
        ddb_store_close(srv.store);
        ddb_principals_free(srv.principals);
        ddb_tput_free(srv.tput);
        return 1;
    }
    if (srv.cfg.port_file != NULL && write_port_file(srv.cfg.port_file, srv.bound_port) != 0)
        ddb_log(DDB_LOG_WARN, "cannot write port file %s", srv.cfg.port_file);
    ddb_log(DDB_LOG_INFO, "ddbd %s listening on http://%s:%d (db %s, account %s)", DDB_VERSION,
            srv.cfg.host, srv.bound_port, srv.cfg.db_path, srv.cfg.account_id);
    if (srv.principals != NULL)
        ddb_log(DDB_LOG_INFO, "enforcing mode: %zu principals from %s; requests must be signed "
                              "with their keys",
                srv.principals->n, srv.cfg.principals_path);
    else
        ddb_log(DDB_LOG_INFO, "open mode: any well-formed SigV4 signature is accepted and the "
                              "caller is the account root (arn:aws:iam::%s:root)",
                srv.cfg.account_id);
    warn_exposure(&srv);

    int sig = 0;
    sigwait(&sigs, &sig);
    ddb_log(DDB_LOG_INFO, "signal %d: shutting down", sig);
    ddb_http_stop(&srv);
    ddb_catalog_close(srv.catalog);
    ddb_store_close(srv.store);
    ddb_principals_free(srv.principals);
    ddb_tput_free(srv.tput);
    ddb_log(DDB_LOG_INFO, "stopped");
    return 0;
}
