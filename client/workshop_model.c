/* SPDX-License-Identifier: MIT
**
** workshop_model.c -- the pure part of `ddb workshop`: the workshop guide's
** environment variables with the defaults of its scripts, the items its
** scripts write (built here once, so the unit tests can hold them against
** the guide), the per-partition write totals read from ddbd's
** /_ddbd/metrics answer, the throttling reason of an error document, and
** the side-by-side report of `section3 --compare`. No network, no libcurl.
*/
#include "client.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*---- the guide's variables ----*/

static const char *nonempty(cli_getenv_fn env, const char *name)
{
    const char *v = env(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static const char *or_default(cli_getenv_fn env, const char *name, const char *def)
{
    const char *v = nonempty(env, name);
    return v ? v : def;
}

void cli_ws_env_resolve(cli_getenv_fn env, cli_ws_env *out)
{
    memset(out, 0, sizeof *out);
    out->attendee = nonempty(env, "ATTENDEE_ID");
    out->personal = out->attendee ? ddb_xasprintf("ws-att-%s", out->attendee) : NULL;
    const char *table = nonempty(env, "TABLE");
    out->table_from_attendee = table == NULL && out->personal != NULL;
    out->table = table           ? ddb_xstrdup(table)
                 : out->personal ? ddb_xstrdup(out->personal)
                                 : NULL;
    out->tenant_defaulted = nonempty(env, "TENANT_ID") == NULL;
    out->tenant = or_default(env, "TENANT_ID", "t-037");
    out->shared = or_default(env, "SHARED_TABLE", "WorkshopShared");
    out->other = or_default(env, "OTHER_TENANT_ID", "t-999");
    out->gsi_tenant = or_default(env, "GSI_TENANT_STATUS", "GSI1");
    out->gsi_global = or_default(env, "GSI_GLOBAL_STATUS", "GSI2_StatusGlobal");
    out->region = nonempty(env, "AWS_REGION");
}

void cli_ws_env_free(cli_ws_env *w)
{
    free(w->table);
    free(w->personal);
    memset(w, 0, sizeof *w);
}

/*---- the items of the guide's scripts ----*/

static json_t *s_value(const char *s)
{
    return json_pack("{s:s}", "S", s);
}

json_t *cli_ws_item(const char *name, ...)
{
    json_t *item = json_object();
    va_list ap;
    va_start(ap, name);
    for (const char *n = name; n != NULL; n = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        json_object_set_new(item, n, s_value(v));
    }
    va_end(ap);
    return item;
}

json_t *cli_ws_section1_items(void)
{
    json_t *a = json_array();
    json_array_append_new(a, cli_ws_item("PK", "USER#u123", "SK", "PROFILE#u123", "type",
                                         "USER", "name", "Ada", NULL));
    json_array_append_new(a, cli_ws_item("PK", "USER#u123", "SK", "ORDER#20250927#o1",
                                         "type", "ORDER", "status", "PENDING", NULL));
    json_array_append_new(a, cli_ws_item("PK", "USER#u123", "SK", "ORDER#20250928#o2",
                                         "type", "ORDER", "status", "SHIPPED", NULL));
    return a;
}

json_t *cli_ws_section2_items(void)
{
    json_t *a = json_array();
    json_array_append_new(a, cli_ws_item("PK", "USER#u200", "SK", "PROFILE#u200", "type",
                                         "USER", "email", "ada@example.org", NULL));
    json_array_append_new(a, cli_ws_item("PK", "USER#u200", "SK", "ORDER#20250925#o100",
                                         "type", "ORDER", "status", "PENDING", NULL));
    json_array_append_new(a, cli_ws_item("PK", "USER#u200", "SK", "ORDER#20250926#o101",
                                         "type", "ORDER", "status", "PENDING", NULL));
    json_array_append_new(a, cli_ws_item("PK", "USER#u200", "SK", "ORDER#20250928#o102",
                                         "type", "ORDER", "status", "SHIPPED", NULL));
    return a;
}

json_t *cli_ws_section2_gsi_items(void)
{
    json_t *a = json_array();
    json_array_append_new(a,
                          cli_ws_item("PK", "USER#u200", "SK", "ORDER#20250928#o102",
                                      "type", "ORDER", "status", "SHIPPED", "GSI1PK",
                                      "STATUS#SHIPPED", "GSI1SK", "20250928#o102", NULL));
    json_array_append_new(a,
                          cli_ws_item("PK", "USER#u200", "SK", "ORDER#20250926#o101",
                                      "type", "ORDER", "status", "PENDING", "GSI1PK",
                                      "STATUS#PENDING", "GSI1SK", "20250926#o101", NULL));
    return a;
}

json_t *cli_ws_section4_items(const char *tenant)
{
    char *pk = ddb_xasprintf("TENANT#%s#USER#u1", tenant);
    char *g_pending = ddb_xasprintf("TENANT#%s#STATUS#PENDING", tenant);
    char *g_shipped = ddb_xasprintf("TENANT#%s#STATUS#SHIPPED", tenant);
    json_t *a = json_array();
    json_array_append_new(a, cli_ws_item("PK", pk, "SK", "PROFILE#u1", "type", "USER",
                                         "email", "u1@example.org", NULL));
    json_array_append_new(a, cli_ws_item("PK", pk, "SK", "ORDER#20250928#o1", "type",
                                         "ORDER", "status", "PENDING", "GSI1PK",
                                         g_pending, "GSI1SK", "20250928#o1", NULL));
    json_array_append_new(a, cli_ws_item("PK", pk, "SK", "ORDER#20250929#o2", "type",
                                         "ORDER", "status", "SHIPPED", "GSI1PK",
                                         g_shipped, "GSI1SK", "20250929#o2", NULL));
    free(pk);
    free(g_pending);
    free(g_shipped);
    return a;
}

json_t *cli_ws_event_item(const char *pk_prefix, const char *shard, long n)
{
    char *pk = ddb_xasprintf("%s#%s", pk_prefix, shard);
    char *sk = ddb_xasprintf("EVENT#%010ld#%06ld", n, n);
    char num[32];
    snprintf(num, sizeof num, "%ld", n);
    json_t *item = cli_ws_item("PK", pk, "SK", sk, "type", "EVENT", NULL);
    json_object_set_new(
        item, "payload",
        json_pack("{s:{s:{s:s},s:{s:s}}}", "M", "n", "N", num, "shard", "S", shard));
    free(pk);
    free(sk);
    return item;
}

json_t *cli_ws_shared_seed_items(const char *tenant, unsigned i)
{
    char *pk = ddb_xasprintf("TENANT#%s#USER#u1", tenant);
    char *email = ddb_xasprintf("u1@%s.example.org", tenant);
    json_t *a = json_array();
    json_array_append_new(a, cli_ws_item("PK", pk, "SK", "PROFILE#u1", "type", "USER",
                                         "email", email, NULL));
    static const struct {
        const char *date, *status;
        unsigned base;
    } orders[] = {{"20250927", "PENDING", 900}, {"20250930", "SHIPPED", 950}};
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        char *oid = ddb_xasprintf("o%u", orders[k].base + i % 50);
        char *sk = ddb_xasprintf("ORDER#%s#%s", orders[k].date, oid);
        char *g1pk = ddb_xasprintf("TENANT#%s#STATUS#%s", tenant, orders[k].status);
        char *g1sk = ddb_xasprintf("%s#%s", orders[k].date, oid);
        char *g2pk = ddb_xasprintf("STATUS#%s", orders[k].status);
        char *g2sk = ddb_xasprintf("%s#%s#%s", tenant, orders[k].date, oid);
        json_array_append_new(a,
                              cli_ws_item("PK", pk, "SK", sk, "type", "ORDER", "status",
                                          orders[k].status, "GSI1PK", g1pk, "GSI1SK",
                                          g1sk, "GSI2PK", g2pk, "GSI2SK", g2sk, NULL));
        free(oid);
        free(sk);
        free(g1pk);
        free(g1sk);
        free(g2pk);
        free(g2sk);
    }
    free(pk);
    free(email);
    return a;
}

void cli_ws_items_json(const json_t *items, ddb_buf *out)
{
    size_t i;
    json_t *item;
    ddb_buf_putc(out, '[');
    json_array_foreach(items, i, item)
    {
        if (i > 0)
            ddb_buf_putc(out, ',');
        cli_unmarshal_map(item, out);
    }
    ddb_buf_putc(out, ']');
}

/*---- /_ddbd/metrics ----*/

int cli_ws_snapshot_parse(const char *text, size_t len, const char *table,
                          cli_ws_snapshot *out)
{
    memset(out, 0, sizeof *out);
    json_t *doc = json_loadb(text, len, 0, NULL);
    json_t *found = NULL;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(doc, "Tables"), i, t)
    {
        const char *name = json_string_value(json_object_get(t, "TableName"));
        if (name != NULL && strcmp(name, table) == 0)
            found = t;
    }
    if (found == NULL) {
        json_decref(doc);
        return -1;
    }
    out->partitions = json_integer_value(json_object_get(found, "Partitions"));
    json_t *map = json_object_get(found, "PartitionMap");
    size_t n = json_array_size(map);
    out->v = n ? ddb_xcalloc(n, sizeof *out->v) : NULL;
    json_t *p;
    json_array_foreach(map, i, p)
    {
        json_t *totals = json_object_get(p, "Totals");
        cli_ws_part *part = &out->v[out->n++];
        part->id = json_integer_value(json_object_get(p, "Id"));
        part->consumed =
            json_number_value(json_object_get(totals, "ConsumedWriteCapacityUnits"));
        part->throttles =
            json_integer_value(json_object_get(totals, "WriteThrottleEvents"));
    }
    json_decref(doc);
    return 0;
}

size_t cli_ws_snapshot_touched(const cli_ws_snapshot *before,
                               const cli_ws_snapshot *after)
{
    size_t touched = 0;
    for (size_t i = 0; i < after->n; i++) {
        const cli_ws_part *a = &after->v[i];
        double consumed = 0;
        long long throttles = 0;
        for (size_t j = 0; j < before->n; j++) {
            if (before->v[j].id == a->id) {
                consumed = before->v[j].consumed;
                throttles = before->v[j].throttles;
                break;
            }
        }
        if (a->consumed != consumed || a->throttles != throttles)
            touched++;
    }
    return touched;
}

void cli_ws_snapshot_free(cli_ws_snapshot *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

/*---- throttling ----*/

const char *cli_ws_throttle_reason(const json_t *err_doc)
{
    json_t *list = json_object_get(err_doc, "ThrottlingReasons");
    if (!json_is_array(list))
        list = json_object_get(err_doc, "throttlingReasons");
    return json_string_value(json_object_get(json_array_get(list, 0), "reason"));
}

void cli_ws_phase_reason(cli_ws_phase *p, const char *reason)
{
    const char *r = reason ? reason : "(no reason given)";
    for (size_t i = 0; i < p->n_reasons; i++) {
        if (strcmp(p->reasons[i], r) == 0) {
            p->reason_counts[i]++;
            return;
        }
    }
    size_t i;
    if (p->n_reasons < CLI_WS_MAX_REASONS) {
        i = p->n_reasons++;
        snprintf(p->reasons[i], sizeof p->reasons[i], "%s", r);
    } else { /* the last slot gathers the rest */
        i = CLI_WS_MAX_REASONS - 1;
        snprintf(p->reasons[i], sizeof p->reasons[i], "(other reasons)");
    }
    p->reason_counts[i]++;
}

/*---- the compare report ----*/

static char *reasons_text(const cli_ws_phase *p)
{
    if (p->n_reasons == 0)
        return ddb_xstrdup("-");
    ddb_buf b = DDB_BUF_INIT;
    for (size_t i = 0; i < p->n_reasons; i++)
        ddb_buf_printf(&b, "%s%s x%ld", i ? ", " : "", p->reasons[i],
                       p->reason_counts[i]);
    return ddb_buf_steal(&b, NULL);
}

static char *partitions_text(const cli_ws_phase *p)
{
    if (p->touched < 0)
        return ddb_xstrdup("n/a (no /_ddbd/metrics)");
    return ddb_xasprintf("%lld of %lld", p->touched, p->partitions);
}

void cli_ws_compare_table(const cli_ws_phase *a, const cli_ws_phase *b, cli_table *t)
{
    const cli_ws_phase *ph[2] = {a, b};
    size_t cm = cli_table_col(t, "");
    size_t col[2];
    for (int k = 0; k < 2; k++)
        col[k] = cli_table_col(t, ph[k]->title);
    static const char *const rows[] = {"partition keys",   "writes",
                                       "succeeded",        "throttled",
                                       "consumed WCU",     "partitions touched",
                                       "throttle reasons", NULL};
    for (size_t r = 0; rows[r] != NULL; r++) {
        cli_table_row(t);
        cli_table_set(t, cm, ddb_xstrdup(rows[r]));
        for (int k = 0; k < 2; k++) {
            const cli_ws_phase *p = ph[k];
            char *cell = NULL;
            switch (r) {
            case 0:
                cell = ddb_xstrdup(p->keys);
                break;
            case 1:
                cell = ddb_xasprintf("%ld", p->writes);
                break;
            case 2:
                cell = ddb_xasprintf("%ld", p->ok);
                break;
            case 3:
                cell = ddb_xasprintf("%ld", p->throttled);
                break;
            case 4:
                cell = ddb_xasprintf("%.1f", p->consumed);
                break;
            case 5:
                cell = partitions_text(p);
                break;
            default:
                cell = reasons_text(p);
                break;
            }
            cli_table_set(t, col[k], cell);
        }
    }
}

char *cli_ws_compare_verdict(const cli_ws_phase *hot, const cli_ws_phase *sharded)
{
    if (hot->throttled == 0 && sharded->throttled == 0)
        return ddb_xstrdup(
            "No throttling in either phase: the partitions had room for every write. "
            "On ddbd, start it with --partition-wcu 100 (and --clock manual) or raise "
            "--writes to make the hot key throttle.");
    if (sharded->throttled < hot->throttled) {
        ddb_buf b = DDB_BUF_INIT;
        ddb_buf_printf(&b, "Sharding cut the throttles from %ld to %ld", hot->throttled,
                       sharded->throttled);
        if (hot->touched >= 0 && sharded->touched >= 0)
            ddb_buf_printf(
                &b, ": the writes spread over %lld partition%s instead of %lld",
                sharded->touched, sharded->touched == 1 ? "" : "s", hot->touched);
        ddb_buf_puts(&b, ".");
        return ddb_buf_steal(&b, NULL);
    }
    return ddb_xasprintf("Sharding did not reduce the throttles (%ld with one key, %ld "
                         "with shards): the shard keys share a partition, or the table "
                         "itself is out of capacity.",
                         hot->throttled, sharded->throttled);
}
