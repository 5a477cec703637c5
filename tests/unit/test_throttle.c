/* SPDX-License-Identifier: MIT
**
** test_throttle.c -- unit tests of the capacity arithmetic and the throughput
** simulator (include/ddb_throttle.h; emulator/core/throttle*.c).
**
** Three parts: the capacity table tests/throttle/capacity.cases, every
** scenario file tests/throttle/NAME.case (in name order), and C-level checks a
** table cannot express (exact message texts and error bodies, the tally's
** array shape, range arithmetic, misuse, export shapes, determinism).
** Run from the repository root with no arguments; prints "N passed, N failed".
**
** ---- capacity.cases: one case per line, '#' comments -----------------------
**   read <bytes> <ec|sc|tx>                  => <units>
**   write <bytes> [tx]                       => <units>
**   item <old-bytes> <new-bytes> [tx]        => <units>      (0 = no such image)
**   query <bytes> <ec|sc>                    => <units>
**   scan <b1,b2,..> <ec|sc>                  => <units> [<u1,u2,..>]
**                                   (the optional list: the per-partition split)
**   batch-get <s1,s2,..> <ec|sc|tx>          => <units>
**   batch-write <s1,s2,..>                   => <units>
**   gsi old=0|1 new=0|1 [key=1] [proj=1] [oldsz=N] [newsz=N] [basis=new|old|max] [tx]
**                                            => <units> writes=<0|1|2>
**   json <NONE|TOTAL|INDEXES> <use-json>     => <expected-json | null>
**        use-json: {"table":T,"read":u,"write":u,"split":0|1,
**                   "indexes":[{"name":n,"local":0|1,"read":u,"write":u}]}
** Units are decimal capacity units (0.5, 1, 1.5). JSON is compared with
** json_equal, so 1.0 (real) and 1 (integer) differ, as on the wire.
**
** ---- <name>.case: a scenario replayed on a simulated clock -----------------
**   model {json}            sim-wide model defaults (before any table)
**   table T {json}          add table T; keys: billing|mode ("PROVISIONED" |
**                           "PAY_PER_REQUEST"), rcu, wcu, max_read, max_write,
**                           warm_read, warm_write, peak_read, peak_write, bytes,
**                           partitions, arn; and any model key as an override:
**                           partition_read_max, partition_write_max,
**                           partition_bytes, burst_seconds, adaptive (bool), rw
**                           ("independent"|"linear"), split_for_heat (bool),
**                           split_percent, split_seconds, max_partitions,
**                           peak_seconds, quota_read, quota_write
**   index T/G {json}        add GSI G of T (rcu, wcu, max_*, warm_*, peak_*, partitions)
**   at <t> <event> [=> <expect>]            one event at time t (seconds)
**   load <t0> <t1> <rate> <event> => <counts>
**                           rate events per second at t0 + i/rate, i < (t1-t0)*rate;
**                           "{i}" and "{i%N}" in the event are replaced per event
**   expect [@t] <check>     a check at time t (default: the last event's time)
** Events (the key hash is ddb_hash64 of the key text; sizes in bytes):
**   put T pk=K [size=B] [old=B] [units=U] [gsi=G:KEY[:B]]... [tx]
**        one write: base units = item(old, size) unless units=; one charge
**        per gsi= of write_units(B, default size) on the GSI's key KEY
**   get T pk=K [size=B] [mode=ec|sc|tx]        (default ec, size 0 = missing)
**   query T[/G] pk=K [bytes=B] [mode=ec|sc]
**   scan T[/G] keys=K1,K2,.. bytes=B1,B2,.. [mode=ec|sc]  (a key per partition)
**   batchwrite T pk=K1,K2,.. [size=B]          items admitted one by one
**   txwrite T1:K1:B1 T2:K2:B2 ..               one atomic transactional write
**   update T[/G] {json}                        UpdateTable (no expectation)
** Expectations:
**   ok | throttle <Exception> <Reason> [<ARN suffix>]   (single events)
**   ok=N throttle=M [<Reason>=N].. [request=ok|throttled]  (loads, batches)
** Checks (T may be T/G; T#P = partition at position P):
**   partitions T N
**   metric T[#P] <CloudWatchName> second=S|minute=M|total <value>
**   capacity|peak|burst T read|write <units>
**   partition-burst T pk=K read|write <units>
**   same-partition T K1 K2 ..   |   distinct-partitions T K1 K2 ..
**   top accessed|throttled T K1=V1,K2=V2,..  (Total list, in order; '-' = empty)
**   requests T <Operation> <requests> <throttled>     (totals)
*/
#include "check.h"
#include "ddb_throttle.h"
#include "ddb_util.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_DIR "tests/throttle"
#define MAX_TOK 64
#define MAX_LINE 4096
#define MAX_EV_CHARGES 64
#define KEY_MAX 256

/*==== small helpers ====*/

static char where[512]; /* "file:line" of the case being run */

static void fail_msg(const char *what, const char *detail)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s: %s%s%s", where, what, detail ? " -- " : "",
             detail ? detail : "");
    CHECK(buf, 0);
}

static void pass(void)
{
    CHECK("", 1);
}

static void expect_true(int cond, const char *what, const char *detail)
{
    if (cond)
        pass();
    else
        fail_msg(what, detail);
}

/* Decimal units ("1.5") to milli-units. */
static ddb_cu units_of(const char *s)
{
    return (ddb_cu)llround(strtod(s, NULL) * DDB_CU_ONE);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 &&
           (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static int tokenize(char *s, char **tok, int max)
{
    int n = 0;
    for (char *p = strtok(s, " \t"); p != NULL && n < max; p = strtok(NULL, " \t"))
        tok[n++] = p;
    return n;
}

/* Split "a,b,c" in place. */
static int split_list(char *s, char **out, int max)
{
    int n = 0;
    if (strcmp(s, "-") == 0 || s[0] == '\0')
        return 0;
    for (char *p = strtok(s, ","); p != NULL && n < max; p = strtok(NULL, ","))
        out[n++] = p;
    return n;
}

static const char *opt(char **tok, int n, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < n; i++)
        if (strncmp(tok[i], name, len) == 0 && tok[i][len] == '=')
            return tok[i] + len + 1;
    return NULL;
}

static int has_flag(char **tok, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(tok[i], name) == 0)
            return 1;
    return 0;
}

static ddb_read_mode mode_of(const char *s)
{
    if (s == NULL || strcmp(s, "ec") == 0)
        return DDB_READ_EVENTUAL;
    if (strcmp(s, "tx") == 0)
        return DDB_READ_TRANSACTIONAL;
    return DDB_READ_STRONG;
}

static uint64_t hash_of(const char *key)
{
    return ddb_hash64(key, strlen(key));
}

/*==== capacity.cases ====*/

static int parse_sizes(char *s, uint64_t *out, int max)
{
    char *parts[256];
    int n = split_list(s, parts, max < 256 ? max : 256);
    for (int i = 0; i < n; i++)
        out[i] = strtoull(parts[i], NULL, 10);
    return n;
}

static ddb_capacity_return rcc_of(const char *s)
{
    return strcmp(s, "NONE") == 0 ? DDB_RCC_NONE : ddb_capacity_return_parse(s);
}

static void capacity_json_case(char *lhs, char *rhs)
{
    char *mode = lhs + strlen("json");
    while (*mode == ' ')
        mode++;
    char *sp = strchr(mode, ' ');
    if (sp == NULL)
        return fail_msg("json case needs a mode and a use", NULL);
    *sp = '\0';
    json_error_t je;
    json_t *u = json_loads(sp + 1, 0, &je);
    json_t *want = json_loads(rhs, JSON_DECODE_ANY, &je);
    if (u == NULL || want == NULL) {
        json_decref(u);
        json_decref(want);
        return fail_msg("bad JSON in case", je.text);
    }
    ddb_capacity_index_use ix[16];
    size_t n_ix = 0;
    json_t *arr = json_object_get(u, "indexes"), *e;
    size_t i;
    json_array_foreach(arr, i, e)
    {
        if (n_ix == 16)
            break;
        ix[n_ix].name = json_string_value(json_object_get(e, "name"));
        ix[n_ix].local = (int)json_integer_value(json_object_get(e, "local"));
        ix[n_ix].read =
            (ddb_cu)llround(json_number_value(json_object_get(e, "read")) * 1000);
        ix[n_ix].write =
            (ddb_cu)llround(json_number_value(json_object_get(e, "write")) * 1000);
        n_ix++;
    }
    ddb_capacity_use use = {
        json_string_value(json_object_get(u, "table")),
        (ddb_cu)llround(json_number_value(json_object_get(u, "read")) * 1000),
        (ddb_cu)llround(json_number_value(json_object_get(u, "write")) * 1000),
        n_ix ? ix : NULL,
        n_ix,
        (int)json_integer_value(json_object_get(u, "split")),
    };
    json_t *got = ddb_capacity_json(&use, rcc_of(mode));
    int same =
        (got == NULL && json_is_null(want)) || (got != NULL && json_equal(got, want));
    char *gs =
        got ? json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER) : ddb_xstrdup("null");
    expect_true(same, "ConsumedCapacity JSON", gs);
    free(gs);
    json_decref(got);
    json_decref(want);
    json_decref(u);
}

static void capacity_case(char *line)
{
    char *arrow = strstr(line, "=>");
    if (arrow == NULL)
        return fail_msg("missing =>", line);
    *arrow = '\0';
    char *lhs = trim(line), *rhs = trim(arrow + 2);
    if (strncmp(lhs, "json ", 5) == 0)
        return capacity_json_case(lhs, rhs);
    char *tok[MAX_TOK], *want[MAX_TOK];
    int n = tokenize(lhs, tok, MAX_TOK);
    int nw = tokenize(rhs, want, MAX_TOK);
    if (n < 1 || nw < 1)
        return fail_msg("empty case", NULL);
    ddb_cu got = -1, expect = units_of(want[0]);
    char detail[256] = "";
    uint64_t sizes[256];
    if (strcmp(tok[0], "read") == 0 && n >= 3) {
        got = ddb_capacity_read_units(strtoull(tok[1], NULL, 10), mode_of(tok[2]));
    } else if (strcmp(tok[0], "write") == 0 && n >= 2) {
        got =
            ddb_capacity_write_units(strtoull(tok[1], NULL, 10), has_flag(tok, n, "tx"));
    } else if (strcmp(tok[0], "item") == 0 && n >= 3) {
        got = ddb_capacity_item_write_units(strtoull(tok[1], NULL, 10),
                                            strtoull(tok[2], NULL, 10),
                                            has_flag(tok, n, "tx"));
    } else if (strcmp(tok[0], "query") == 0 && n >= 3) {
        got = ddb_capacity_query_units(strtoull(tok[1], NULL, 10), mode_of(tok[2]));
    } else if (strcmp(tok[0], "scan") == 0 && n >= 3) {
        int np = parse_sizes(tok[1], sizes, 256);
        ddb_cu parts[256];
        got = ddb_capacity_scan_units(sizes, (size_t)np, mode_of(tok[2]), parts);
        if (nw >= 2) {
            char *ws[256];
            int nws = split_list(want[1], ws, 256);
            int ok = nws == np;
            ddb_cu sum = 0;
            for (int i = 0; i < np; i++) {
                sum += parts[i];
                if (ok && parts[i] != units_of(ws[i]))
                    ok = 0;
            }
            snprintf(detail, sizeof detail, "split sums to %lld", (long long)sum);
            expect_true(ok && sum == got, "scan per-partition split", detail);
        }
    } else if (strcmp(tok[0], "batch-get") == 0 && n >= 3) {
        int ns = parse_sizes(tok[1], sizes, 256);
        got = ddb_capacity_batch_get_units(sizes, (size_t)ns, mode_of(tok[2]));
    } else if (strcmp(tok[0], "batch-write") == 0 && n >= 2) {
        int ns = parse_sizes(tok[1], sizes, 256);
        got = ddb_capacity_batch_write_units(sizes, (size_t)ns);
    } else if (strcmp(tok[0], "gsi") == 0) {
        ddb_gsi_change c = {0};
        const char *v;
        c.old_in = (v = opt(tok, n, "old")) && atoi(v);
        c.new_in = (v = opt(tok, n, "new")) && atoi(v);
        c.key_changed = (v = opt(tok, n, "key")) && atoi(v);
        c.projected_changed = (v = opt(tok, n, "proj")) && atoi(v);
        c.old_entry_bytes = (v = opt(tok, n, "oldsz")) ? strtoull(v, NULL, 10) : 0;
        c.new_entry_bytes = (v = opt(tok, n, "newsz")) ? strtoull(v, NULL, 10) : 0;
        v = opt(tok, n, "basis");
        c.basis = v == NULL || strcmp(v, "new") == 0 ? DDB_GSI_BASIS_NEW
                  : strcmp(v, "old") == 0            ? DDB_GSI_BASIS_OLD
                                                     : DDB_GSI_BASIS_MAX;
        int writes = -1;
        got = ddb_capacity_gsi_write_units(&c, has_flag(tok, n, "tx"), &writes);
        const char *ww = opt(want, nw, "writes");
        if (ww != NULL)
            expect_true(writes == atoi(ww), "GSI write count", NULL);
    } else {
        return fail_msg("unknown capacity case", tok[0]);
    }
    snprintf(detail + strlen(detail), sizeof detail - strlen(detail),
             " got %lld want %lld", (long long)got, (long long)expect);
    expect_true(got == expect, "capacity units", detail);
}

static void run_capacity_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(where, sizeof where, "%s", path);
        fail_msg("cannot open", path);
        return;
    }
    char line[MAX_LINE];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        capacity_case(s);
    }
    fclose(f);
}

/*==== scenario files ====*/

typedef struct scen {
    ddb_throttle_sim *sim;
    ddb_throttle_model model;
    double now;
    int have_model;
} scen;

static const struct {
    const char *name;
    size_t off;
    int kind; /* 0 int64, 1 int, 2 bool, 3 unsigned, 4 uint64, 5 rw */
} model_keys[] = {
    {"partition_read_max", offsetof(ddb_throttle_model, partition_read_max), 0},
    {"partition_write_max", offsetof(ddb_throttle_model, partition_write_max), 0},
    {"partition_bytes", offsetof(ddb_throttle_model, partition_bytes), 4},
    {"burst_seconds", offsetof(ddb_throttle_model, burst_seconds), 1},
    {"adaptive", offsetof(ddb_throttle_model, adaptive), 2},
    {"rw", offsetof(ddb_throttle_model, rw), 5},
    {"split_for_heat", offsetof(ddb_throttle_model, split_for_heat), 2},
    {"split_percent", offsetof(ddb_throttle_model, split_percent), 1},
    {"split_seconds", offsetof(ddb_throttle_model, split_seconds), 1},
    {"max_partitions", offsetof(ddb_throttle_model, max_partitions), 3},
    {"peak_seconds", offsetof(ddb_throttle_model, peak_seconds), 1},
    {"quota_read", offsetof(ddb_throttle_model, quota_read), 0},
    {"quota_write", offsetof(ddb_throttle_model, quota_write), 0},
};

/* Apply the model keys of 'o' to 'm'; returns how many were present. */
static int model_apply(ddb_throttle_model *m, json_t *o)
{
    int n = 0;
    for (size_t i = 0; i < sizeof model_keys / sizeof model_keys[0]; i++) {
        json_t *v = json_object_get(o, model_keys[i].name);
        if (v == NULL)
            continue;
        n++;
        char *p = (char *)m + model_keys[i].off;
        json_int_t iv = json_is_true(v) ? 1 : json_integer_value(v);
        switch (model_keys[i].kind) {
            case 0:
                *(int64_t *)p = iv;
                break;
            case 1:
            case 2:
                *(int *)p = (int)iv;
                break;
            case 3:
                *(unsigned *)p = (unsigned)iv;
                break;
            case 4:
                *(uint64_t *)p = (uint64_t)iv;
                break;
            default:
                *(ddb_throttle_rw *)p =
                    strcmp(json_string_value(v) ? json_string_value(v) : "", "linear") ==
                            0
                        ? DDB_THROTTLE_RW_LINEAR
                        : DDB_THROTTLE_RW_INDEPENDENT;
        }
    }
    return n;
}

static json_int_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* Fill 'cfg' (and 'm' when the JSON overrides the model) from 'o'. */
static void cfg_from_json(scen *sc, json_t *o, ddb_throttle_table_cfg *cfg,
                          ddb_throttle_model *m)
{
    ddb_throttle_table_cfg_init(cfg);
    const char *b = json_string_value(json_object_get(o, "billing"));
    if (b == NULL)
        b = json_string_value(json_object_get(o, "mode"));
    if (b != NULL && strcmp(b, "PAY_PER_REQUEST") == 0)
        cfg->billing = DDB_BILLING_PAY_PER_REQUEST;
    cfg->rcu = jint(o, "rcu");
    cfg->wcu = jint(o, "wcu");
    cfg->max_read = jint(o, "max_read");
    cfg->max_write = jint(o, "max_write");
    cfg->warm_read = jint(o, "warm_read");
    cfg->warm_write = jint(o, "warm_write");
    cfg->peak_read = jint(o, "peak_read");
    cfg->peak_write = jint(o, "peak_write");
    cfg->bytes = (uint64_t)jint(o, "bytes");
    cfg->partitions = (unsigned)jint(o, "partitions");
    cfg->arn = json_string_value(json_object_get(o, "arn"));
    *m = sc->model;
    if (model_apply(m, o) > 0)
        cfg->model = m;
}

/* "T/G" -> table, index (in place); "T#P" -> position. */
static void split_res(char *s, const char **table, const char **index, int *pos)
{
    char *hash = strchr(s, '#');
    if (pos != NULL)
        *pos = -1;
    if (hash != NULL && pos != NULL) {
        *hash = '\0';
        *pos = atoi(hash + 1);
    }
    char *slash = strchr(s, '/');
    *index = NULL;
    if (slash != NULL) {
        *slash = '\0';
        *index = slash + 1;
    }
    *table = s;
}

/* Replace "{i}" and "{i%N}" in 'in' for event 'i'. */
static void expand(const char *in, long i, char *out, size_t cap)
{
    size_t o = 0;
    while (*in && o + 1 < cap) {
        if (in[0] == '{' && in[1] == 'i') {
            const char *close = strchr(in, '}');
            long v = i;
            if (close != NULL && in[2] == '%')
                v = i % strtol(in + 3, NULL, 10);
            if (close != NULL) {
                o += (size_t)snprintf(out + o, cap - o, "%ld", v);
                in = close + 1;
                continue;
            }
        }
        out[o++] = *in++;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

/* The outcome of one event. */
typedef struct outcome {
    int ok, throttled; /* items admitted / refused */
    int request_throttled;
    ddb_throttle_verdict v; /* of the last refused item */
    int have_v;
} outcome;

typedef struct evbuf {
    ddb_throttle_charge ch[MAX_EV_CHARGES];
    char keys[MAX_EV_CHARGES][KEY_MAX];
    char names[MAX_EV_CHARGES][KEY_MAX];
    size_t n;
} evbuf;

static ddb_throttle_charge *add_charge(evbuf *e, const char *table, const char *index,
                                       ddb_throttle_kind kind, ddb_cu units,
                                       const char *key)
{
    if (e->n == MAX_EV_CHARGES)
        return NULL;
    size_t i = e->n++;
    snprintf(e->keys[i], KEY_MAX, "%s", key);
    snprintf(e->names[i], KEY_MAX, "%s", index ? index : "");
    ddb_throttle_charge *c = &e->ch[i];
    c->table = table;
    c->index = index ? e->names[i] : NULL;
    c->kind = kind;
    c->units = units;
    c->key = e->keys[i];
    c->key_len = strlen(e->keys[i]);
    c->key_hash = hash_of(e->keys[i]);
    return c;
}

static void admit(scen *sc, evbuf *e, double t, outcome *out, const char *op,
                  const char *table, int note)
{
    ddb_throttle_verdict v;
    ddb_error err = DDB_ERROR_INIT;
    int rc = ddb_throttle_admit(sc->sim, e->ch, e->n, t, &v, &err);
    if (rc < 0) {
        fail_msg("admission failed", err.message);
        ddb_err_clear(&err);
        return;
    }
    if (rc == 1) {
        out->ok++;
    } else {
        out->throttled++;
        out->v = v;
        out->have_v = 1;
    }
    if (note)
        ddb_throttle_note_request(sc->sim, table, op, rc == 0, t, NULL);
}

/* Run one event (tokens after the time); fills 'out'. */
static void run_event(scen *sc, char **tok, int n, double t, outcome *out)
{
    memset(out, 0, sizeof *out);
    static evbuf e;
    e.n = 0;
    if (n < 2)
        return fail_msg("event needs a table", NULL);
    char resbuf[KEY_MAX];
    snprintf(resbuf, sizeof resbuf, "%s", tok[1]);
    const char *table, *index;
    split_res(resbuf, &table, &index, NULL);
    const char *v;
    if (strcmp(tok[0], "put") == 0) {
        uint64_t size = (v = opt(tok, n, "size")) ? strtoull(v, NULL, 10) : 0;
        uint64_t old = (v = opt(tok, n, "old")) ? strtoull(v, NULL, 10) : 0;
        int tx = has_flag(tok, n, "tx");
        ddb_cu units = (v = opt(tok, n, "units"))
                           ? units_of(v)
                           : ddb_capacity_item_write_units(old, size, tx);
        const char *pk = opt(tok, n, "pk");
        add_charge(&e, table, NULL, DDB_THROTTLE_WRITE, units, pk ? pk : "");
        for (int i = 2; i < n; i++) {
            if (strncmp(tok[i], "gsi=", 4) != 0)
                continue;
            char g[KEY_MAX];
            snprintf(g, sizeof g, "%s", tok[i] + 4);
            char *k = strchr(g, ':');
            if (k == NULL)
                return fail_msg("gsi=NAME:KEY[:BYTES]", tok[i]);
            *k++ = '\0';
            char *bytes = strchr(k, ':');
            uint64_t gb = size;
            if (bytes != NULL) {
                *bytes++ = '\0';
                gb = strtoull(bytes, NULL, 10);
            }
            add_charge(&e, table, g, DDB_THROTTLE_WRITE, ddb_capacity_write_units(gb, tx),
                       k);
        }
        admit(sc, &e, t, out, tx ? "TransactWriteItems" : "PutItem", table, 1);
    } else if (strcmp(tok[0], "get") == 0) {
        uint64_t size = (v = opt(tok, n, "size")) ? strtoull(v, NULL, 10) : 0;
        const char *pk = opt(tok, n, "pk");
        add_charge(&e, table, NULL, DDB_THROTTLE_READ,
                   ddb_capacity_read_units(size, mode_of(opt(tok, n, "mode"))),
                   pk ? pk : "");
        admit(sc, &e, t, out, "GetItem", table, 1);
    } else if (strcmp(tok[0], "query") == 0) {
        uint64_t bytes = (v = opt(tok, n, "bytes")) ? strtoull(v, NULL, 10) : 0;
        const char *pk = opt(tok, n, "pk");
        add_charge(&e, table, index, DDB_THROTTLE_READ,
                   ddb_capacity_query_units(bytes, mode_of(opt(tok, n, "mode"))),
                   pk ? pk : "");
        admit(sc, &e, t, out, "Query", table, 1);
    } else if (strcmp(tok[0], "scan") == 0) {
        char kb[MAX_LINE], bb[MAX_LINE];
        char *keys[MAX_EV_CHARGES];
        uint64_t bytes[MAX_EV_CHARGES] = {0};
        ddb_cu parts[MAX_EV_CHARGES];
        snprintf(kb, sizeof kb, "%s", (v = opt(tok, n, "keys")) ? v : "");
        snprintf(bb, sizeof bb, "%s", (v = opt(tok, n, "bytes")) ? v : "");
        int nk = split_list(kb, keys, MAX_EV_CHARGES);
        parse_sizes(bb, bytes, MAX_EV_CHARGES);
        ddb_capacity_scan_units(bytes, (size_t)nk, mode_of(opt(tok, n, "mode")), parts);
        for (int i = 0; i < nk; i++)
            add_charge(&e, table, index, DDB_THROTTLE_READ, parts[i], keys[i]);
        admit(sc, &e, t, out, "Scan", table, 1);
    } else if (strcmp(tok[0], "batchwrite") == 0) {
        char kb[MAX_LINE];
        char *keys[128];
        uint64_t size = (v = opt(tok, n, "size")) ? strtoull(v, NULL, 10) : 0;
        snprintf(kb, sizeof kb, "%s", (v = opt(tok, n, "pk")) ? v : "");
        int nk = split_list(kb, keys, 128);
        outcome item;
        for (int i = 0; i < nk; i++) {
            e.n = 0;
            memset(&item, 0, sizeof item);
            add_charge(&e, table, NULL, DDB_THROTTLE_WRITE,
                       ddb_capacity_write_units(size, 0), keys[i]);
            admit(sc, &e, t, &item, "BatchWriteItem", table, 0);
            out->ok += item.ok;
            out->throttled += item.throttled;
            if (item.have_v) {
                out->v = item.v;
                out->have_v = 1;
            }
        }
        out->request_throttled = nk > 0 && out->ok == 0;
        ddb_throttle_note_request(sc->sim, table, "BatchWriteItem",
                                  out->request_throttled, t, NULL);
    } else if (strcmp(tok[0], "txwrite") == 0) {
        for (int i = 1; i < n; i++) {
            char item[KEY_MAX];
            snprintf(item, sizeof item, "%s", tok[i]);
            char *k = strchr(item, ':'), *b = k ? strchr(k + 1, ':') : NULL;
            if (b == NULL)
                return fail_msg("txwrite items are TABLE:KEY:BYTES", tok[i]);
            *k++ = '\0';
            *b++ = '\0';
            ddb_throttle_charge *c =
                add_charge(&e, "", NULL, DDB_THROTTLE_WRITE,
                           ddb_capacity_write_units(strtoull(b, NULL, 10), 1), k);
            /* The table name lives in names[]; index stays NULL. */
            size_t slot = e.n - 1;
            snprintf(e.names[slot], KEY_MAX, "%s", item);
            c->table = e.names[slot];
            c->index = NULL;
        }
        admit(sc, &e, t, out, "TransactWriteItems", e.n ? e.ch[0].table : table, 1);
    } else {
        fail_msg("unknown event", tok[0]);
    }
}

/* Check a single event's expectation: "ok" or "throttle <Exc> <Reason> [suffix]". */
static void expect_single(const outcome *o, char **want, int nw)
{
    char detail[1024];
    const char *got_exc = o->have_v ? ddb_err_name(o->v.code) : "-";
    const char *got_reason = o->have_v && o->v.n_reasons ? o->v.reasons[0].reason : "-";
    const char *got_res = o->have_v && o->v.n_reasons ? o->v.reasons[0].resource : "-";
    snprintf(detail, sizeof detail, "got %s %s %s %s", o->ok ? "ok" : "throttle", got_exc,
             got_reason, got_res);
    if (nw >= 1 && strcmp(want[0], "ok") == 0) {
        expect_true(o->ok == 1 && o->throttled == 0, "expected ok", detail);
        return;
    }
    if (nw < 3 || strcmp(want[0], "throttle") != 0)
        return fail_msg("bad expectation", NULL);
    int good = o->throttled == 1 && o->have_v && strcmp(got_exc, want[1]) == 0 &&
               strcmp(got_reason, want[2]) == 0;
    if (good && nw >= 4) {
        size_t gl = strlen(got_res), wl = strlen(want[3]);
        good = gl >= wl && strcmp(got_res + gl - wl, want[3]) == 0;
    }
    expect_true(good, "expected throttle", detail);
}

typedef struct tally {
    int ok, throttled, requests_throttled;
    char reason[16][96];
    int count[16];
    int n;
} tally;

static void tally_add(tally *t, const outcome *o)
{
    t->ok += o->ok;
    t->throttled += o->throttled;
    t->requests_throttled += o->request_throttled;
    if (!o->have_v || o->v.n_reasons == 0)
        return;
    const char *r = o->v.reasons[0].reason;
    int i = 0;
    while (i < t->n && strcmp(t->reason[i], r) != 0)
        i++;
    if (i == t->n && t->n < 16)
        snprintf(t->reason[t->n++], sizeof t->reason[0], "%s", r);
    if (i < 16)
        t->count[i] += o->throttled;
}

/* "ok=N throttle=M [Reason=N].. [request=ok|throttled]" */
static void expect_counts(const tally *t, char **want, int nw)
{
    char detail[1024];
    int off =
        snprintf(detail, sizeof detail, "got ok=%d throttle=%d", t->ok, t->throttled);
    for (int i = 0; i < t->n && off < (int)sizeof detail - 100; i++)
        off += snprintf(detail + off, sizeof detail - (size_t)off, " %s=%d", t->reason[i],
                        t->count[i]);
    int good = 1;
    for (int i = 0; i < nw; i++) {
        char *eq = strchr(want[i], '=');
        if (eq == NULL) {
            good = 0;
            continue;
        }
        size_t kl = (size_t)(eq - want[i]);
        const char *val = eq + 1;
        if (strncmp(want[i], "ok", kl) == 0 && kl == 2)
            good &= t->ok == atoi(val);
        else if (strncmp(want[i], "throttle", kl) == 0 && kl == 8)
            good &= t->throttled == atoi(val);
        else if (strncmp(want[i], "request", kl) == 0 && kl == 7)
            good &= (t->requests_throttled > 0) == (strcmp(val, "throttled") == 0);
        else {
            int c = 0;
            for (int j = 0; j < t->n; j++)
                if (strlen(t->reason[j]) == kl && strncmp(t->reason[j], want[i], kl) == 0)
                    c = t->count[j];
            good &= c == atoi(val);
        }
    }
    expect_true(good, "expected counts", detail);
}

static ddb_throttle_metric metric_by_name(const char *name)
{
    for (int m = 0; m < DDB_TM__COUNT; m++)
        if (strcmp(ddb_throttle_metric_name((ddb_throttle_metric)m), name) == 0)
            return (ddb_throttle_metric)m;
    return DDB_TM__COUNT;
}

static void run_check(scen *sc, char **tok, int n)
{
    double t = sc->now;
    if (n > 0 && tok[0][0] == '@') {
        t = strtod(tok[0] + 1, NULL);
        sc->now = t;
        tok++;
        n--;
    }
    if (n < 2)
        return fail_msg("short check", NULL);
    char res[KEY_MAX], detail[512];
    const char *table, *index;
    int pos;
    ddb_error err = DDB_ERROR_INIT;
    const char *what = tok[0];
    snprintf(res, sizeof res, "%s", tok[strcmp(what, "top") == 0 ? 2 : 1]);
    split_res(res, &table, &index, &pos);
    if (strcmp(what, "partitions") == 0 && n >= 3) {
        ddb_throttle_resource_info ri;
        int rc = ddb_throttle_resource_get(sc->sim, table, index, t, &ri, &err);
        snprintf(detail, sizeof detail, "got %u", ri.partitions);
        expect_true(rc == DDB_OK && ri.partitions == (unsigned)atoi(tok[2]), "partitions",
                    detail);
    } else if (strcmp(what, "metric") == 0 && n >= 5) {
        ddb_throttle_metric m = metric_by_name(tok[2]);
        ddb_throttle_period p = DDB_TP_TOTAL;
        int64_t slot = 0, got = 0;
        if (strncmp(tok[3], "second=", 7) == 0)
            p = DDB_TP_SECOND, slot = atoll(tok[3] + 7);
        else if (strncmp(tok[3], "minute=", 7) == 0)
            p = DDB_TP_MINUTE, slot = atoll(tok[3] + 7);
        int rc = ddb_throttle_metric_get(sc->sim, table, index, pos, m, p, slot, t, &got,
                                         &err);
        int64_t want = (m == DDB_TM_CONSUMED_READ || m == DDB_TM_CONSUMED_WRITE)
                           ? units_of(tok[4])
                           : atoll(tok[4]);
        snprintf(detail, sizeof detail, "%s got %lld want %lld %s", tok[2],
                 (long long)got, (long long)want, err.message ? err.message : "");
        expect_true(rc == DDB_OK && got == want, "metric", detail);
    } else if ((strcmp(what, "capacity") == 0 || strcmp(what, "peak") == 0 ||
                strcmp(what, "burst") == 0) &&
               n >= 4) {
        ddb_throttle_resource_info ri;
        int rc = ddb_throttle_resource_get(sc->sim, table, index, t, &ri, &err);
        int w = strcmp(tok[2], "write") == 0;
        ddb_cu got = what[0] == 'c'   ? (w ? ri.write_capacity : ri.read_capacity)
                     : what[0] == 'p' ? (w ? ri.write_peak : ri.read_peak)
                                      : (w ? ri.write_burst : ri.read_burst);
        snprintf(detail, sizeof detail, "%s got %lld", what, (long long)got);
        expect_true(rc == DDB_OK && got == units_of(tok[3]), what, detail);
    } else if (strcmp(what, "partition-burst") == 0 && n >= 5) {
        ddb_throttle_partition_info pi;
        const char *pk = opt(tok, n, "pk");
        int rc = ddb_throttle_partition_of(sc->sim, table, index, hash_of(pk ? pk : ""),
                                           t, &pi, &err);
        ddb_cu got = strcmp(tok[3], "write") == 0 ? pi.write_burst : pi.read_burst;
        snprintf(detail, sizeof detail, "got %lld", (long long)got);
        expect_true(rc == DDB_OK && got == units_of(tok[4]), "partition burst", detail);
    } else if (strcmp(what, "same-partition") == 0 ||
               strcmp(what, "distinct-partitions") == 0) {
        unsigned ids[MAX_TOK];
        int good = 1, same = what[0] == 's';
        detail[0] = '\0';
        for (int i = 2; i < n; i++) {
            ddb_throttle_partition_info pi;
            if (ddb_throttle_partition_of(sc->sim, table, index, hash_of(tok[i]), t, &pi,
                                          &err))
                good = 0;
            ids[i] = pi.id;
            size_t l = strlen(detail);
            snprintf(detail + l, sizeof detail - l, "%s->%u ", tok[i], pi.id);
            for (int j = 2; j < i; j++)
                if (same ? ids[j] != ids[i] : ids[j] == ids[i])
                    good = 0;
        }
        expect_true(good, what, detail);
    } else if (strcmp(what, "top") == 0 && n >= 4) {
        json_t *o = ddb_throttle_insights_json(sc->sim, table, index, t,
                                               DDB_THROTTLE_CI_SLOTS, &err);
        int thr = strcmp(tok[1], "throttled") == 0;
        json_t *list = json_object_get(
            json_object_get(o, thr ? "MostThrottledKeys" : "MostAccessedKeys"), "Total");
        char wb[MAX_LINE];
        char *want[64];
        snprintf(wb, sizeof wb, "%s", tok[3]);
        int nw = split_list(wb, want, 64);
        int good = o != NULL && (size_t)nw <= json_array_size(list);
        if (nw == 0)
            good = o != NULL && json_array_size(list) == 0;
        for (int i = 0; good && i < nw; i++) {
            json_t *e = json_array_get(list, (size_t)i);
            char *eq = strchr(want[i], '=');
            if (eq)
                *eq = '\0';
            good = strcmp(json_string_value(json_object_get(e, "Key")), want[i]) == 0;
            json_t *val =
                json_object_get(e, thr ? "ThrottleCount" : "ConsumedThroughputUnits");
            if (good && eq != NULL)
                good = thr ? json_integer_value(val) == atoll(eq + 1)
                           : llround(json_real_value(val) * 1000) == units_of(eq + 1);
        }
        char *s = o ? json_dumps(list, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
        expect_true(good, "top keys", s);
        free(s);
        json_decref(o);
    } else if (strcmp(what, "requests") == 0 && n >= 5) {
        int64_t rq = 0, th = 0;
        int rc = ddb_throttle_requests_get(sc->sim, table, tok[2], DDB_TP_TOTAL, 0, t,
                                           &rq, &th, &err);
        snprintf(detail, sizeof detail, "got %lld %lld", (long long)rq, (long long)th);
        expect_true(rc == DDB_OK && rq == atoll(tok[3]) && th == atoll(tok[4]),
                    "requests", detail);
    } else {
        fail_msg("unknown check", what);
    }
    ddb_err_clear(&err);
}

/* Split "lhs => rhs"; returns rhs or NULL. */
static char *split_arrow(char *s)
{
    char *a = strstr(s, "=>");
    if (a == NULL)
        return NULL;
    *a = '\0';
    return trim(a + 2);
}

static void run_scenario_line(scen *sc, char *s)
{
    char *tok[MAX_TOK], *want[MAX_TOK];
    if (strncmp(s, "model ", 6) == 0) {
        json_t *o = json_loads(s + 6, 0, NULL);
        if (o == NULL)
            return fail_msg("bad model JSON", NULL);
        model_apply(&sc->model, o);
        json_decref(o);
        return;
    }
    if (strncmp(s, "table ", 6) == 0 || strncmp(s, "index ", 6) == 0) {
        int is_index = s[0] == 'i';
        char *name = s + 6, *brace = strchr(s, '{');
        if (brace == NULL)
            return fail_msg("table/index needs {json}", NULL);
        brace[-1] = '\0';
        json_t *o = json_loads(brace, 0, NULL);
        if (o == NULL)
            return fail_msg("bad table JSON", NULL);
        if (sc->sim == NULL)
            sc->sim = ddb_throttle_sim_new(&sc->model, "us-east-1", "123456789012");
        ddb_throttle_table_cfg cfg;
        ddb_throttle_model m;
        cfg_from_json(sc, o, &cfg, &m);
        ddb_error err = DDB_ERROR_INIT;
        const char *table, *index;
        name = trim(name);
        split_res(name, &table, &index, NULL);
        int rc = is_index
                     ? ddb_throttle_index_add(sc->sim, table, index, &cfg, sc->now, &err)
                     : ddb_throttle_table_add(sc->sim, table, &cfg, sc->now, &err);
        expect_true(rc == DDB_OK, "add table/index", err.message);
        ddb_err_clear(&err);
        json_decref(o);
        return;
    }
    if (sc->sim == NULL)
        sc->sim = ddb_throttle_sim_new(&sc->model, "us-east-1", "123456789012");
    if (strncmp(s, "expect ", 7) == 0) {
        int n = tokenize(s + 7, tok, MAX_TOK);
        run_check(sc, tok, n);
        return;
    }
    if (strncmp(s, "at ", 3) == 0) {
        char *rhs = split_arrow(s);
        char *brace = strchr(s, '{');
        int n = tokenize(s + 3, tok, MAX_TOK);
        if (n < 2)
            return fail_msg("at <t> <event>", NULL);
        double t = strtod(tok[0], NULL);
        sc->now = t;
        if (strcmp(tok[1], "update") == 0) {
            json_t *o = brace ? json_loads(brace, 0, NULL) : NULL;
            if (o == NULL || n < 3)
                return fail_msg("update needs T {json}", NULL);
            ddb_throttle_table_cfg cfg;
            ddb_throttle_model m;
            cfg_from_json(sc, o, &cfg, &m);
            ddb_error err = DDB_ERROR_INIT;
            const char *table, *index;
            split_res(tok[2], &table, &index, NULL);
            int rc = index
                         ? ddb_throttle_index_update(sc->sim, table, index, &cfg, t, &err)
                         : ddb_throttle_table_update(sc->sim, table, &cfg, t, &err);
            expect_true(rc == DDB_OK, "update", err.message);
            ddb_err_clear(&err);
            json_decref(o);
            return;
        }
        outcome o;
        run_event(sc, tok + 1, n - 1, t, &o);
        if (rhs == NULL)
            return;
        int nw = tokenize(rhs, want, MAX_TOK);
        if (nw > 0 && strchr(want[0], '=') != NULL) {
            tally ta;
            memset(&ta, 0, sizeof ta);
            tally_add(&ta, &o);
            expect_counts(&ta, want, nw);
        } else {
            expect_single(&o, want, nw);
        }
        return;
    }
    if (strncmp(s, "load ", 5) == 0) {
        char *rhs = split_arrow(s);
        char *ltok[MAX_TOK];
        int n = tokenize(s + 5, ltok, MAX_TOK);
        if (n < 5 || rhs == NULL)
            return fail_msg("load <t0> <t1> <rate> <event> => <counts>", NULL);
        double t0 = strtod(ltok[0], NULL), t1 = strtod(ltok[1], NULL);
        double rate = strtod(ltok[2], NULL);
        long count = lround((t1 - t0) * rate);
        tally ta;
        memset(&ta, 0, sizeof ta);
        for (long i = 0; i < count; i++) {
            static char buf[MAX_TOK][KEY_MAX];
            char *etok[MAX_TOK];
            for (int j = 3; j < n; j++) {
                expand(ltok[j], i, buf[j - 3], KEY_MAX);
                etok[j - 3] = buf[j - 3];
            }
            double t = t0 + (double)i / rate;
            sc->now = t;
            outcome o;
            run_event(sc, etok, n - 3, t, &o);
            tally_add(&ta, &o);
        }
        int nw = tokenize(rhs, want, MAX_TOK);
        expect_counts(&ta, want, nw);
        return;
    }
    fail_msg("unknown directive", s);
}

static void run_scenario_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(where, sizeof where, "%s", path);
        fail_msg("cannot open", path);
        return;
    }
    scen sc;
    memset(&sc, 0, sizeof sc);
    ddb_throttle_model_defaults(&sc.model);
    char line[MAX_LINE];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        run_scenario_line(&sc, s);
    }
    fclose(f);
    ddb_throttle_sim_free(sc.sim);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_scenarios(void)
{
    DIR *d = opendir(CASE_DIR);
    char *names[256];
    int n = 0;
    if (d == NULL) {
        snprintf(where, sizeof where, "%s", CASE_DIR);
        fail_msg("cannot open the case directory (run from the repository root)", NULL);
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".case") == 0)
            names[n++] = ddb_xasprintf("%s/%s", CASE_DIR, de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], name_cmp);
    for (int i = 0; i < n; i++) {
        run_scenario_file(names[i]);
        free(names[i]);
    }
    return n;
}

/*==== C-level checks ====*/

static void check_messages(void)
{
    snprintf(where, sizeof where, "%s", "messages");
    CHECK_STR(
        "PTEE table", ddb_throttle_message(DDB_TMSG_PROVISIONED_TABLE),
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API.");
    CHECK_STR(
        "PTEE GSI", ddb_throttle_message(DDB_TMSG_PROVISIONED_INDEX),
        "The level of configured provisioned throughput for one or more global secondary "
        "indexes of the table was exceeded. Consider increasing your provisioning level "
        "for the under-provisioned global secondary indexes with the UpdateTable API");
    CHECK_STR(
        "on-demand table", ddb_throttle_message(DDB_TMSG_ON_DEMAND_TABLE),
        "Throughput exceeds the current capacity of your table or index. DynamoDB is "
        "automatically scaling your table or index so please try again shortly. If "
        "exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/"
        "amazondynamodb/latest/developerguide/bp-partition-key-design.html");
    CHECK_STR("on-demand GSI", ddb_throttle_message(DDB_TMSG_ON_DEMAND_INDEX),
              "Throughput exceeds the current capacity for one or more global secondary "
              "indexes. DynamoDB is automatically scaling your index so please try again "
              "shortly.");
    CHECK_STR(
        "max on demand", ddb_throttle_message(DDB_TMSG_MAX_ON_DEMAND),
        "Throughput exceeds the maximum OnDemandThroughput configured on table or index");
    CHECK_STR("control plane", ddb_throttle_message(DDB_TMSG_CONTROL_PLANE),
              "Rate of requests exceeds the allowed throughput");
    CHECK_STR(
        "account limit", ddb_throttle_message(DDB_TMSG_ACCOUNT_LIMIT),
        "Throughput exceeds the current throughput limit for your account. To request a "
        "limit increase, contact AWS Support at https://aws.amazon.com/support");
    /* all 16 reason names */
    static const char *const want[] = {
        "TableReadProvisionedThroughputExceeded",
        "TableReadAccountLimitExceeded",
        "TableReadKeyRangeThroughputExceeded",
        "TableReadMaxOnDemandThroughputExceeded",
        "TableWriteProvisionedThroughputExceeded",
        "TableWriteAccountLimitExceeded",
        "TableWriteKeyRangeThroughputExceeded",
        "TableWriteMaxOnDemandThroughputExceeded",
        "IndexReadProvisionedThroughputExceeded",
        "IndexReadAccountLimitExceeded",
        "IndexReadKeyRangeThroughputExceeded",
        "IndexReadMaxOnDemandThroughputExceeded",
        "IndexWriteProvisionedThroughputExceeded",
        "IndexWriteAccountLimitExceeded",
        "IndexWriteKeyRangeThroughputExceeded",
        "IndexWriteMaxOnDemandThroughputExceeded",
    };
    int i = 0;
    for (int ix = 0; ix < 2; ix++)
        for (int k = 0; k < 2; k++)
            for (int l = DDB_TL_PROVISIONED; l <= DDB_TL_MAX_ON_DEMAND; l++)
                CHECK_STR("reason name",
                          ddb_throttle_reason_name(ix, (ddb_throttle_kind)k,
                                                   (ddb_throttle_limit)l),
                          want[i++]);
    CHECK("no reason for NONE",
          ddb_throttle_reason_name(0, DDB_THROTTLE_READ, DDB_TL_NONE) == NULL);
}

/* A refused admission's full error body. */
static void check_error_bodies(void)
{
    ddb_throttle_sim *sim = ddb_throttle_sim_new(NULL, "ap-southeast-1", "123456789012");
    ddb_throttle_table_cfg cfg;
    ddb_throttle_model m;
    ddb_throttle_model_defaults(&m);
    m.burst_seconds = 0;
    ddb_throttle_table_cfg_init(&cfg);
    cfg.wcu = 2000; /* the table has room; the one partition stops at 1,000 */
    cfg.rcu = 3000;
    cfg.partitions = 1;
    cfg.model = &m;
    CHECK("add", ddb_throttle_table_add(sim, "WorkshopShared", &cfg, 0, NULL) == DDB_OK);
    ddb_throttle_charge c = {"WorkshopShared",
                             NULL,
                             DDB_THROTTLE_WRITE,
                             600 * DDB_CU_ONE,
                             hash_of("k"),
                             "k",
                             1};
    ddb_error err = DDB_ERROR_INIT;
    CHECK("first fits", ddb_throttle_admit_or_err(sim, &c, 1, 0.1, &err) == DDB_OK);
    CHECK("second refused", ddb_throttle_admit_or_err(sim, &c, 1, 0.2, &err) == DDB_ERR);
    char *body = ddb_err_body(&err, NULL);
    CHECK_STR(
        "PTEE body", body,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
        "ProvisionedThroughputExceededException\",\"message\":\"The level of "
        "configured provisioned throughput for the table was exceeded. Consider "
        "increasing your provisioning level with the UpdateTable API.\","
        "\"ThrottlingReasons\":[{\"reason\":"
        "\"TableWriteKeyRangeThroughputExceeded\",\"resource\":\"arn:aws:dynamodb:"
        "ap-southeast-1:123456789012:table/WorkshopShared\"}]}");
    free(body);
    ddb_err_clear(&err);
    /* first error wins: a second refusal leaves the first error alone */
    ddb_err_set(&err, DDB_E_VALIDATION, "earlier");
    CHECK("still refused", ddb_throttle_admit_or_err(sim, &c, 1, 0.3, &err) == DDB_ERR);
    CHECK("first error kept", err.code == DDB_E_VALIDATION && err.extra == NULL);
    ddb_err_clear(&err);

    /* on demand: ThrottlingException with lower-case throttlingReasons */
    ddb_throttle_table_cfg_init(&cfg);
    cfg.billing = DDB_BILLING_PAY_PER_REQUEST;
    cfg.max_write = 1;
    cfg.arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/Od";
    CHECK("add od", ddb_throttle_table_add(sim, "Od", &cfg, 1, NULL) == DDB_OK);
    ddb_throttle_charge d = {"Od", NULL, DDB_THROTTLE_WRITE, 2 * DDB_CU_ONE, hash_of("k"),
                             NULL, 0};
    CHECK("od refused", ddb_throttle_admit_or_err(sim, &d, 1, 1.5, &err) == DDB_ERR);
    body = ddb_err_body(&err, NULL);
    CHECK_STR(
        "ThrottlingException body", body,
        "{\"__type\":\"com.amazon.coral.availability#ThrottlingException\","
        "\"message\":\"Throughput exceeds the maximum OnDemandThroughput configured on "
        "table or index\","
        "\"throttlingReasons\":[{\"reason\":\"TableWriteMaxOnDemandThroughputExceeded\","
        "\"resource\":\"arn:aws:dynamodb:eu-west-1:111122223333:table/Od\"}]}");
    free(body);
    ddb_err_clear(&err);

    /* quota: RequestLimitExceeded */
    ddb_throttle_model q;
    ddb_throttle_model_defaults(&q);
    q.quota_read = 1;
    ddb_throttle_table_cfg_init(&cfg);
    cfg.billing = DDB_BILLING_PAY_PER_REQUEST;
    cfg.model = &q;
    CHECK("add quota", ddb_throttle_table_add(sim, "Quota", &cfg, 2, NULL) == DDB_OK);
    CHECK("index add",
          ddb_throttle_index_add(sim, "Quota", "g", &cfg, 2, NULL) == DDB_OK);
    ddb_throttle_charge e = {"Quota", "g", DDB_THROTTLE_READ, 1500, hash_of("x"),
                             NULL,    0};
    ddb_throttle_verdict v;
    CHECK("quota refused", ddb_throttle_admit(sim, &e, 1, 2.5, &v, NULL) == 0);
    CHECK("RequestLimitExceeded", v.code == DDB_E_REQUEST_LIMIT);
    CHECK_STR("index reason", v.reasons[0].reason, "IndexReadAccountLimitExceeded");
    CHECK_STR("index arn", v.reasons[0].resource,
              "arn:aws:dynamodb:ap-southeast-1:123456789012:table/Quota/index/g");
    CHECK_STR("cancel code", ddb_throttle_cancel_code(&v), "ThrottlingError");
    ddb_throttle_verdict_error(&v, &err);
    body = ddb_err_body(&err, NULL);
    CHECK("RLE uses ThrottlingReasons",
          body &&
              strstr(body, "\"ThrottlingReasons\":[{\"reason\":\"IndexReadAccountLimit"
                           "Exceeded\"") != NULL);
    free(body);
    ddb_err_clear(&err);
    ddb_throttle_sim_free(sim);
}

/* ConsumedCapacity arrays from the tally, and batch/transaction shapes. */
static void check_tally(void)
{
    ddb_capacity_tally *t = ddb_capacity_tally_new();
    ddb_capacity_tally_add(t, "MusicCollection", NULL, 0, DDB_THROTTLE_READ, 500);
    ddb_capacity_tally_add(t, "MusicCollection", NULL, 0, DDB_THROTTLE_READ, 500);
    ddb_capacity_tally_add(t, "MusicCollection", NULL, 0, DDB_THROTTLE_READ, 500);
    ddb_capacity_tally_add(t, "Other", NULL, 0, DDB_THROTTLE_READ, 0);
    json_t *a = ddb_capacity_tally_json(t, DDB_RCC_TOTAL, 0);
    char *s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CHECK_STR("batch-get array", s,
              "[{\"TableName\":\"MusicCollection\",\"CapacityUnits\":1.5},"
              "{\"TableName\":\"Other\",\"CapacityUnits\":0.0}]");
    free(s);
    json_decref(a);
    CHECK("tally total", ddb_capacity_tally_total(t, "MusicCollection") == 1500);
    CHECK("none", ddb_capacity_tally_json(t, DDB_RCC_NONE, 0) == NULL);
    ddb_capacity_tally_free(t);

    /* TransactWriteItems with a GSI, INDEXES, split (rusoto#1919 numbers) */
    t = ddb_capacity_tally_new();
    ddb_capacity_tally_add(t, "T", NULL, 0, DDB_THROTTLE_WRITE, 6000);
    ddb_capacity_tally_add(t, "T", "gsi1", 0, DDB_THROTTLE_WRITE, 2000);
    a = ddb_capacity_tally_json(t, DDB_RCC_INDEXES, 1);
    s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
    CHECK_STR("transact INDEXES", s,
              "[{\"TableName\":\"T\",\"CapacityUnits\":8.0,\"WriteCapacityUnits\":8.0,"
              "\"Table\":{\"CapacityUnits\":6.0,\"WriteCapacityUnits\":6.0},"
              "\"GlobalSecondaryIndexes\":{\"gsi1\":{\"CapacityUnits\":2.0,"
              "\"WriteCapacityUnits\":2.0}}}]");
    free(s);
    json_decref(a);
    ddb_capacity_tally_free(t);
    ddb_capacity_tally_free(NULL);
}

static void check_ranges(void)
{
    CHECK("range 0 of 1", ddb_throttle_range_start(0, 1) == 0);
    CHECK("range 1 of 2", ddb_throttle_range_start(1, 2) == 0x8000000000000000ull);
    CHECK("range 1 of 4", ddb_throttle_range_start(1, 4) == 0x4000000000000000ull);
    CHECK("range 3 of 4", ddb_throttle_range_start(3, 4) == 0xC000000000000000ull);
    CHECK("range 1 of 3", ddb_throttle_range_start(1, 3) == 0x5555555555555555ull);
    CHECK("range 2 of 3", ddb_throttle_range_start(2, 3) == 0xAAAAAAAAAAAAAAAAull);
    /* strictly increasing for odd n */
    int mono = 1;
    for (unsigned i = 1; i < 1000; i++)
        if (ddb_throttle_range_start(i, 1000) <= ddb_throttle_range_start(i - 1, 1000))
            mono = 0;
    CHECK("ranges increase", mono);

    /* initial partitions of a 4-partition table match the ranges */
    ddb_throttle_sim *sim = ddb_throttle_sim_new(NULL, NULL, NULL);
    ddb_throttle_table_cfg cfg;
    ddb_throttle_table_cfg_init(&cfg);
    cfg.wcu = 4000;
    CHECK("add", ddb_throttle_table_add(sim, "R", &cfg, 0, NULL) == DDB_OK);
    ddb_throttle_partition_info pi;
    CHECK("get p3",
          ddb_throttle_partition_get(sim, "R", NULL, 3, 0, &pi, NULL) == DDB_OK);
    CHECK("p3 range", pi.lo == 0xC000000000000000ull && pi.hi == UINT64_MAX);
    CHECK("p3 share", pi.write_share == 1000 * DDB_CU_ONE && pi.read_share == 0);
    CHECK("of hash", ddb_throttle_partition_of(sim, "R", NULL, 0x4000000000000000ull, 0,
                                               &pi, NULL) == DDB_OK &&
                         pi.position == 1 && pi.lo == 0x4000000000000000ull);
    CHECK("no partition 4",
          ddb_throttle_partition_get(sim, "R", NULL, 4, 0, &pi, NULL) == DDB_ERR);
    ddb_throttle_partition_info span[4];
    size_t n_span = 0;
    CHECK("span of a page inside partition 1",
          ddb_throttle_partition_span(sim, "R", NULL, 0x4000000000000001ull,
                                      0x7FFFFFFFFFFFFFFFull, 0, span, 4, &n_span,
                                      NULL) == DDB_OK &&
              n_span == 1 && span[0].position == 1);
    CHECK("span across partitions 0..2",
          ddb_throttle_partition_span(sim, "R", NULL, 5, 0x8000000000000000ull, 0, span,
                                      4, &n_span, NULL) == DDB_OK &&
              n_span == 3 && span[2].lo == 0x8000000000000000ull);
    CHECK("span of everything, counted past max",
          ddb_throttle_partition_span(sim, "R", NULL, 0, UINT64_MAX, 0, span, 2, &n_span,
                                      NULL) == DDB_OK &&
              n_span == 4 && span[1].position == 1);
    CHECK("empty interval", ddb_throttle_partition_span(sim, "R", NULL, 9, 8, 0, NULL, 0,
                                                        &n_span, NULL) == DDB_ERR);
    ddb_throttle_sim_free(sim);
}

/* Misuse answers DDB_ERR with DDB_E_INTERNAL and never changes state. */
static void check_misuse(void)
{
    ddb_throttle_sim *sim = ddb_throttle_sim_new(NULL, NULL, NULL);
    ddb_throttle_table_cfg cfg;
    ddb_throttle_model m;
    ddb_throttle_model_defaults(&m);
    m.burst_seconds = 0;
    ddb_throttle_table_cfg_init(&cfg);
    cfg.wcu = 5;
    cfg.model = &m;
    ddb_error err = DDB_ERROR_INIT;
    CHECK("add", ddb_throttle_table_add(sim, "T", &cfg, 0, &err) == DDB_OK);
    CHECK("duplicate", ddb_throttle_table_add(sim, "T", &cfg, 0, &err) == DDB_ERR &&
                           err.code == DDB_E_INTERNAL);
    ddb_err_clear(&err);
    cfg.wcu = -1;
    CHECK("negative", ddb_throttle_table_add(sim, "U", &cfg, 0, &err) == DDB_ERR);
    ddb_err_clear(&err);
    cfg.wcu = 5;
    cfg.partitions = 100000;
    CHECK("too many partitions",
          ddb_throttle_table_add(sim, "U", &cfg, 0, &err) == DDB_ERR);
    ddb_err_clear(&err);
    cfg.partitions = 0;
    ddb_throttle_charge c = {"Nope", NULL, DDB_THROTTLE_WRITE, 1000, 0, NULL, 0};
    ddb_throttle_verdict v;
    CHECK("unknown table", ddb_throttle_admit(sim, &c, 1, 0, &v, &err) == DDB_ERR);
    CHECK_STR("unknown table text", err.message, "throttle: unknown table 'Nope'");
    ddb_err_clear(&err);
    c.table = "T";
    c.index = "nope";
    CHECK("unknown index", ddb_throttle_admit(sim, &c, 1, 0, &v, &err) == DDB_ERR);
    ddb_err_clear(&err);
    c.index = NULL;
    CHECK("NaN time", ddb_throttle_admit(sim, &c, 1, NAN, &v, &err) == DDB_ERR);
    ddb_err_clear(&err);
    c.units = -5;
    CHECK("negative units", ddb_throttle_admit(sim, &c, 1, 0, &v, &err) == DDB_ERR);
    ddb_err_clear(&err);
    c.units = 0;
    CHECK("zero charge admitted", ddb_throttle_admit(sim, &c, 1, 0, &v, &err) == 1);
    CHECK("empty set admitted", ddb_throttle_admit(sim, NULL, 0, 0, &v, &err) == 1);
    int64_t got = -1;
    CHECK("nothing consumed",
          ddb_throttle_metric_get(sim, "T", NULL, -1, DDB_TM_CONSUMED_WRITE, DDB_TP_TOTAL,
                                  0, 0, &got, NULL) == DDB_OK &&
              got == 0);
    CHECK("resource-only metric on a partition",
          ddb_throttle_metric_get(sim, "T", NULL, 0, DDB_TM_WRITE_SAMPLES, DDB_TP_TOTAL,
                                  0, 0, &got, &err) == DDB_ERR);
    ddb_err_clear(&err);
    /* time never runs backwards: an earlier 'now' counts in the latest second */
    c.units = 5000;
    CHECK("at 10", ddb_throttle_admit(sim, &c, 1, 10.5, &v, NULL) == 1);
    CHECK("back at 3 is second 10 (full)",
          ddb_throttle_admit(sim, &c, 1, 3.0, &v, NULL) == 0);
    CHECK("remove index unknown",
          ddb_throttle_index_remove(sim, "T", "g", &err) == DDB_ERR);
    ddb_err_clear(&err);
    CHECK("add index", ddb_throttle_index_add(sim, "T", "g", &cfg, 11, NULL) == DDB_OK);
    CHECK("remove index", ddb_throttle_index_remove(sim, "T", "g", NULL) == DDB_OK);
    CHECK("remove", ddb_throttle_table_remove(sim, "T", NULL) == DDB_OK);
    CHECK("remove again", ddb_throttle_table_remove(sim, "T", &err) == DDB_ERR);
    ddb_err_clear(&err);
    ddb_throttle_sim_free(sim);
    ddb_throttle_sim_free(NULL);
}

/* A read admitted at its minimum and settled with ddb_throttle_consume goes
** into debt that later seconds repay. */
static void check_consume(void)
{
    ddb_throttle_sim *sim = ddb_throttle_sim_new(NULL, NULL, NULL);
    ddb_throttle_table_cfg cfg;
    ddb_throttle_model m;
    ddb_throttle_model_defaults(&m);
    ddb_throttle_table_cfg_init(&cfg);
    cfg.rcu = 10;
    cfg.model = &m;
    CHECK("add", ddb_throttle_table_add(sim, "T", &cfg, 0, NULL) == DDB_OK);
    ddb_throttle_charge c = {"T", NULL, DDB_THROTTLE_READ, 1000, hash_of("a"), NULL, 0};
    ddb_throttle_verdict v;
    CHECK("minimum admitted", ddb_throttle_admit(sim, &c, 1, 0.1, &v, NULL) == 1);
    c.units = 29000; /* the page really cost 30 */
    CHECK("settled", ddb_throttle_consume(sim, &c, 1, 0.2, NULL) == DDB_OK);
    ddb_throttle_resource_info ri;
    ddb_throttle_resource_get(sim, "T", NULL, 0.3, &ri, NULL);
    CHECK("debt", ri.read_burst == -20000 && ri.read_used == 30000);
    c.units = 1000;
    CHECK("in debt: refused at 1", ddb_throttle_admit(sim, &c, 1, 1.0, &v, NULL) == 0);
    CHECK("repaid by 3: admitted", ddb_throttle_admit(sim, &c, 1, 3.0, &v, NULL) == 1);
    int64_t got;
    ddb_throttle_metric_get(sim, "T", NULL, -1, DDB_TM_READ_SAMPLES, DDB_TP_TOTAL, 0, 3,
                            &got, NULL);
    CHECK("consume adds no samples", got == 2);
    ddb_throttle_sim_free(sim);
}

/* Export shapes, Prometheus text, and determinism of a replay. */
static char *replay_snapshot(char **out_prom)
{
    ddb_throttle_sim *sim = ddb_throttle_sim_new(NULL, NULL, NULL);
    ddb_throttle_table_cfg cfg;
    ddb_throttle_table_cfg_init(&cfg);
    cfg.wcu = 4000;
    cfg.rcu = 100;
    ddb_throttle_table_add(sim, "Shared", &cfg, 0, NULL);
    cfg.wcu = 10;
    cfg.rcu = 10;
    ddb_throttle_index_add(sim, "Shared", "by\"Status", &cfg, 0, NULL);
    char key[64];
    for (int i = 0; i < 6000; i++) {
        double t = 1 + i / 1500.0;
        snprintf(key, sizeof key, i % 3 ? "hot" : "k%d", i % 50);
        ddb_throttle_charge c[2] = {
            {"Shared", NULL, DDB_THROTTLE_WRITE, 1000, hash_of(key), key, strlen(key)},
            {"Shared", "by\"Status", DDB_THROTTLE_WRITE, 1000, hash_of("OPEN"), "OPEN",
             4},
        };
        ddb_throttle_verdict v;
        int rc = ddb_throttle_admit(sim, c, i % 7 ? 1 : 2, t, &v, NULL);
        ddb_throttle_note_request(sim, "Shared", "PutItem", rc == 0, t, NULL);
    }
    ddb_throttle_export x = {30, 5, 5, 0};
    json_t *o = ddb_throttle_metrics_json(sim, NULL, 6.0, &x, NULL);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    *out_prom = ddb_throttle_metrics_prometheus(sim, 6.0, NULL);
    ddb_throttle_sim_free(sim);
    return s;
}

static void check_exports(void)
{
    char *p1, *p2;
    char *a = replay_snapshot(&p1), *b = replay_snapshot(&p2);
    CHECK("replay is deterministic (JSON)", a && b && strcmp(a, b) == 0);
    CHECK("replay is deterministic (Prometheus)", strcmp(p1, p2) == 0);
    json_t *o = json_loads(a, 0, NULL);
    json_t *t0 = json_array_get(json_object_get(o, "Tables"), 0);
    CHECK_STR("table name", json_string_value(json_object_get(t0, "TableName")),
              "Shared");
    /* ceil(100/3000 + 4000/1000) = ceil(4.03) */
    CHECK("5 partitions", json_integer_value(json_object_get(t0, "Partitions")) == 5);
    json_t *ps = json_object_get(t0, "PerSecond");
    CHECK("per-second series of 30",
          json_array_size(json_object_get(ps, "ConsumedWriteCapacityUnits")) == 30);
    CHECK("per-second end", json_integer_value(json_object_get(ps, "End")) == 6);
    json_t *pm = json_array_get(json_object_get(t0, "PartitionMap"), 0);
    CHECK_STR("range text",
              json_string_value(json_array_get(json_object_get(pm, "Range"), 0)),
              "0000000000000000");
    json_t *ci =
        json_object_get(json_object_get(t0, "ContributorInsights"), "MostAccessedKeys");
    json_t *top = json_array_get(json_object_get(ci, "Total"), 0);
    CHECK_STR("hot key on top", json_string_value(json_object_get(top, "Key")), "hot");
    json_t *g0 = json_array_get(json_object_get(t0, "GlobalSecondaryIndexes"), 0);
    CHECK_STR("index arn", json_string_value(json_object_get(g0, "IndexArn")),
              "arn:aws:dynamodb:us-east-1:000000000000:table/Shared/index/by\"Status");
    json_t *op = json_array_get(json_object_get(t0, "Operations"), 0);
    CHECK("requests counted",
          json_integer_value(json_object_get(op, "Requests")) == 6000);
    CHECK("some throttled",
          json_integer_value(json_object_get(op, "ThrottledRequests")) > 0);
    CHECK("prometheus consumed",
          strstr(p1, "# TYPE ddbd_consumed_write_capacity_units_total counter\n") !=
              NULL);
    CHECK("prometheus label escaping",
          strstr(p1, "ddbd_partitions{table=\"Shared\",index=\"by\\\"Status\"} 1\n") !=
              NULL);
    CHECK("prometheus reasons",
          strstr(p1, "reason=\"IndexWriteProvisionedThroughputExceeded\"} ") != NULL);
    CHECK("prometheus requests",
          strstr(p1,
                 "ddbd_requests_total{table=\"Shared\",operation=\"PutItem\"} 6000\n") !=
              NULL);
    json_decref(o);
    free(a);
    free(b);
    free(p1);
    free(p2);

    ddb_error err = DDB_ERROR_INIT;
    ddb_throttle_sim *sim = ddb_throttle_sim_new(NULL, NULL, NULL);
    CHECK("unknown table export",
          ddb_throttle_metrics_json(sim, "X", 0, NULL, &err) == NULL &&
              err.code == DDB_E_INTERNAL);
    ddb_err_clear(&err);
    char *empty = ddb_throttle_metrics_prometheus(sim, 0, NULL);
    CHECK("empty prometheus has families",
          empty && strstr(empty, "# TYPE ddbd_partitions gauge"));
    free(empty);
    ddb_throttle_sim_free(sim);
}

/* The space-saving sketch keeps a heavy key among many light ones. */
static void check_sketch_bound(void)
{
    ddb_throttle_sim *sim = ddb_throttle_sim_new(NULL, NULL, NULL);
    ddb_throttle_table_cfg cfg;
    ddb_throttle_table_cfg_init(&cfg);
    cfg.wcu = 40000;
    ddb_throttle_table_add(sim, "S", &cfg, 0, NULL);
    char key[32];
    for (int i = 0; i < 2000; i++) {
        int heavy = i % 10 == 0;
        snprintf(key, sizeof key, heavy ? "heavy" : "light-%d", i);
        ddb_throttle_charge c = {"S",          NULL, DDB_THROTTLE_WRITE, 1000,
                                 hash_of(key), key,  strlen(key)};
        ddb_throttle_verdict v;
        ddb_throttle_admit(sim, &c, 1, 0.5, &v, NULL);
    }
    json_t *o = ddb_throttle_insights_json(sim, "S", NULL, 0.5, 3, NULL);
    json_t *total = json_object_get(json_object_get(o, "MostAccessedKeys"), "Total");
    json_t *e0 = json_array_get(total, 0);
    CHECK("3 listed", json_array_size(total) == 3);
    CHECK_STR("heavy first", json_string_value(json_object_get(e0, "Key")), "heavy");
    double units = json_real_value(json_object_get(e0, "ConsumedThroughputUnits"));
    double errb = json_real_value(json_object_get(e0, "MaxError"));
    CHECK("estimate bounds the truth", units - errb <= 600.0 && units >= 600.0);
    json_decref(o);
    ddb_throttle_sim_free(sim);
}

int main(void)
{
    ddb_json_use_xalloc();
    run_capacity_file(CASE_DIR "/capacity.cases");
    int n = run_scenarios();
    snprintf(where, sizeof where, "%s", "C checks");
    CHECK("scenario files found", n >= 10);
    check_messages();
    check_error_bodies();
    check_tally();
    check_ranges();
    check_misuse();
    check_consume();
    check_exports();
    check_sketch_bound();
    return CHECK_REPORT();
}
