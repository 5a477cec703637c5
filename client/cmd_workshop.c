/* SPDX-License-Identifier: MIT
**
** cmd_workshop.c -- `ddb workshop STEP`: the step table (the guide's
** attendee steps, the organizer's setup-shared, doctor and run), which
** options belong to which step, the guide's environment variables and the
** region default of its scripts, and `run`, which runs every attendee step
** in order and prints a pass/fail summary.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_WRITES  200
#define MAX_WRITES      100000
#define DEFAULT_TENANTS "t-000,t-042,t-999"

const cli_opt cli_workshop_opts[] = {
    {"compare", NULL, "section3: one hot key vs shard keys, side by side"},
    {"writes", "N", "section3 --compare: writes per phase (default 200)"},
    {"shards", "N", "section3 --compare: shard keys, 2 to 64 (default 4)"},
    {"keep-table", NULL, "run: keep the personal table (skip delete-table)"},
    {"tenants", "LIST", "setup-shared: tenants to seed (default " DEFAULT_TENANTS ")"},
    {NULL, NULL, NULL}};

typedef struct ws_step {
    const char *name;
    int (*run)(cli_ws *w, cli_error *e);
    int in_run; /* one of the attendee steps `run` runs, in this order */
} ws_step;

static int step_section3(cli_ws *w, cli_error *e);
static int step_setup_shared(cli_ws *w, cli_error *e);
static int step_run(cli_ws *w, cli_error *e);

static const ws_step steps[] = {
    {"create-table", cli_ws_create_table, 1},
    {"section1", cli_ws_section1, 1},
    {"section2-seed", cli_ws_section2_seed, 1},
    {"section2-gsi", cli_ws_section2_gsi, 1},
    {"section3", step_section3, 1},
    {"section4-seed", cli_ws_section4_seed, 1},
    {"section4-scoped", cli_ws_section4_scoped, 1},
    {"section4-cross-tenant", cli_ws_section4_cross_tenant, 1},
    {"section4-sharding", cli_ws_section4_sharding, 1},
    {"section4-global", cli_ws_section4_global, 1},
    {"delete-table", cli_ws_delete_table, 1},
    {"run", step_run, 0},
    {"setup-shared", step_setup_shared, 0},
    {"doctor", cli_ws_doctor, 0},
    {NULL, NULL, 0}};

const char cli_workshop_help[] =
    "Runs one step of the workshop guide against DynamoDB or ddbd, as the guide's\n"
    "script does, printing the same information. STEP is one of:\n"
    "  create-table          create ws-att-$ATTENDEE_ID, tag it Owner\n"
    "  section1              Query vs Scan on $TABLE\n"
    "  section2-seed         single-table items of user u200\n"
    "  section2-gsi          sparse index GSI1_Status, PENDING orders\n"
    "  section3              120 events over 4 shards, fan-out read; with --compare,\n"
    "                        one hot key vs shard keys: throttles, capacity and\n"
    "                        partitions side by side\n"
    "  section4-seed         your tenant's items in $SHARED_TABLE\n"
    "  section4-scoped       tenant-scoped status query ($GSI_TENANT_STATUS)\n"
    "  section4-cross-tenant read $OTHER_TENANT_ID's profile: exit 0 when denied,\n"
    "                        6 with a warning when it succeeds\n"
    "  section4-sharding     shard a heavy tenant, fan-out read\n"
    "  section4-global       admin-only status query ($GSI_GLOBAL_STATUS)\n"
    "  delete-table          delete ws-att-$ATTENDEE_ID\n"
    "  run                   every step above in order, then a summary\n"
    "  setup-shared          organizer: create $SHARED_TABLE with its two GSIs and\n"
    "                        seed a few other tenants\n"
    "  doctor                check endpoint, credentials, identity, variables and\n"
    "                        tables, and say what to fix\n"
    "\n"
    "Variables (the guide's): ATTENDEE_ID, TABLE (default ws-att-$ATTENDEE_ID),\n"
    "TENANT_ID (t-037), SHARED_TABLE (WorkshopShared), OTHER_TENANT_ID (t-999),\n"
    "GSI_TENANT_STATUS (GSI1), GSI_GLOBAL_STATUS (GSI2_StatusGlobal), AWS_REGION\n"
    "(ap-southeast-1, as the guide's scripts; --region overrides).\n"
    "Exit codes: 0 the step did what the guide shows; 1 service error; 2 usage;\n"
    "3 connection; 4 still throttled after the retries; 5 configuration (a\n"
    "variable, credentials); 6 the outcome contradicts the lesson (cross-tenant\n"
    "read allowed), a doctor check failed, or a step of run failed.";

static const ws_step *find_step(const char *name)
{
    for (size_t i = 0; steps[i].name != NULL; i++)
        if (strcmp(steps[i].name, name) == 0)
            return &steps[i];
    return NULL;
}

/*---- steps with options ----*/

static int step_section3(cli_ws *w, cli_error *e)
{
    if (!cli_arg(w->args, "compare"))
        return cli_ws_section3(w, e);
    long writes = DEFAULT_WRITES, shards = CLI_WS_SHARDS;
    const char *v;
    if ((v = cli_arg(w->args, "writes")) != NULL &&
        cli_parse_long(v, 1, MAX_WRITES, &writes))
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "--writes must be an integer from 1 to %d, got '%s'", MAX_WRITES,
                        v);
    if ((v = cli_arg(w->args, "shards")) != NULL && cli_parse_long(v, 2, 64, &shards))
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "--shards must be an integer from 2 to 64, got '%s'", v);
    return cli_ws_section3_compare(w, writes, shards, e);
}

static int step_setup_shared(cli_ws *w, cli_error *e)
{
    const char *tenants = cli_arg(w->args, "tenants");
    return cli_ws_setup_shared(w, tenants ? tenants : DEFAULT_TENANTS, e);
}

/*---- run ----*/

static char *error_detail(const cli_error *e)
{
    return ddb_xasprintf("%s%s%s", e->type, e->message && e->message[0] ? ": " : "",
                         e->message ? e->message : "");
}

static int step_run(cli_ws *w, cli_error *e)
{
    cli_table t = {0};
    size_t cs = cli_table_col(&t, "Step"), cr = cli_table_col(&t, "Result");
    size_t cd = cli_table_col(&t, "Detail");
    int passed = 0, failed = 0, skipped = 0, stop_code = 0;
    int keep = cli_arg(w->args, "keep-table") != NULL;
    for (size_t i = 0; steps[i].name != NULL; i++) {
        const ws_step *s = &steps[i];
        if (!s->in_run)
            continue;
        cli_table_row(&t);
        cli_table_set(&t, cs, ddb_xstrdup(s->name));
        if (stop_code != 0 || (keep && strcmp(s->name, "delete-table") == 0)) {
            cli_table_set(&t, cr, ddb_xstrdup("skip"));
            cli_table_set(&t, cd, ddb_xstrdup(stop_code ? "not run" : "--keep-table"));
            skipped++;
            continue;
        }
        printf("%s==> %s\n", passed + failed + skipped ? "\n" : "", s->name);
        cli_error se = CLI_ERROR_INIT;
        int rc = s->run(w, &se);
        fflush(stdout);
        if (rc == DDB_OK) {
            cli_table_set(&t, cr, ddb_xstrdup("pass"));
            passed++;
        } else if (strcmp(s->name, "section4-global") == 0 &&
                   cli_ws_error_is(&se, "AccessDeniedException")) {
            printf("(denied: section 4.7 is admin-only, as the guide expects for a "
                   "tenant)\n");
            cli_table_set(&t, cr, ddb_xstrdup("skip"));
            cli_table_set(&t, cd, ddb_xstrdup("admin only: AccessDeniedException"));
            skipped++;
        } else {
            cli_error_print(&se, stderr);
            fflush(stderr);
            cli_table_set(&t, cr, ddb_xstrdup("FAIL"));
            cli_table_set(&t, cd, error_detail(&se));
            failed++;
            if (se.exit_code == CLI_EXIT_TRANSPORT || se.exit_code == CLI_EXIT_CONFIG)
                stop_code = se.exit_code;
        }
        cli_error_clear(&se);
    }
    printf("\nSummary:\n");
    cli_table_print(&t, stdout);
    cli_table_free(&t);
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    if (stop_code != 0)
        return cli_fail(e, stop_code, "WorkshopRunStopped",
                        "stopped after a %s error; run 'ddb workshop doctor'",
                        stop_code == CLI_EXIT_CONFIG ? "configuration" : "connection");
    if (failed > 0)
        return cli_fail(e, CLI_EXIT_WORKSHOP, "WorkshopRunFailed",
                        "%d of %d steps failed", failed, passed + failed + skipped);
    return DDB_OK;
}

/*---- the command ----*/

/* Options and the steps they belong to. */
static int check_options(const ws_step *s, const cli_args *a, cli_error *e)
{
    static const struct {
        const char *opt, *step;
    } owner[] = {{"compare", "section3"},
                 {"writes", "section3"},
                 {"shards", "section3"},
                 {"keep-table", "run"},
                 {"tenants", "setup-shared"}};
    for (size_t i = 0; i < sizeof owner / sizeof owner[0]; i++)
        if (cli_arg(a, owner[i].opt) && strcmp(s->name, owner[i].step) != 0)
            return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                            "--%s belongs to 'ddb workshop %s', not %s", owner[i].opt,
                            owner[i].step, s->name);
    if ((cli_arg(a, "writes") || cli_arg(a, "shards")) && !cli_arg(a, "compare"))
        return cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                        "--writes and --shards go with section3 --compare");
    return DDB_OK;
}

static const char *env_get(const char *name)
{
    return getenv(name);
}

/* 1 if 's' (may be NULL) is valid UTF-8. */
static int utf8_ok(const char *s)
{
    if (s == NULL)
        return 1;
    json_t *v = json_string(s);
    json_decref(v);
    return v != NULL;
}

int cli_cmd_workshop(cli_ctx *ctx, const cli_args *a, cli_error *e)
{
    const ws_step *s = find_step(a->pos[0]);
    if (s == NULL) {
        ddb_buf names = DDB_BUF_INIT;
        for (size_t i = 0; steps[i].name != NULL; i++)
            ddb_buf_printf(&names, "%s%s", i ? ", " : "", steps[i].name);
        int rc = cli_fail(e, CLI_EXIT_USAGE, "UsageError",
                          "unknown workshop step '%s' (one of: %s)", a->pos[0],
                          (const char *)names.data);
        ddb_buf_free(&names);
        return rc;
    }
    if (check_options(s, a, e) != DDB_OK)
        return DDB_ERR;
    setvbuf(stdout, NULL, _IOLBF, 0); /* step output and errors interleave in order */
    cli_ws w = {ctx, {0}, a};
    cli_ws_env_resolve(env_get, &w.env);
    const char *vals[] = {w.env.attendee, w.env.table,      w.env.tenant,    w.env.shared,
                          w.env.other,    w.env.gsi_tenant, w.env.gsi_global};
    int rc = DDB_OK;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0] && rc == DDB_OK; i++)
        if (!utf8_ok(vals[i]))
            rc = cli_fail(
                e, CLI_EXIT_CONFIG, "WorkshopConfigError",
                "a workshop variable (ATTENDEE_ID, TABLE, TENANT_ID, ...) is not "
                "valid UTF-8");
    if (ctx->flags.region == NULL) /* as the scripts: AWS_REGION, else the guide's */
        ctx->flags.region = w.env.region ? w.env.region : CLI_WS_REGION;
    if (rc == DDB_OK)
        rc = s->run(&w, e);
    cli_ws_env_free(&w.env);
    return rc;
}
