/* SPDX-License-Identifier: MIT
**
** throughput.c -- the emulator's use of the throughput simulator (see
** throughput.h): per-region simulators synchronised lazily with the catalog,
** the real or manual clock, item write and read costs with their partition
** charges, admission and ConsumedCapacity.
*/
#include "throughput.h"
#include "itemio.h"
#include "keys.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* What a region's simulator knows of one table. */
typedef struct known_table {
    char *name;
    uint64_t gen;          /* ddb_table.gen registered */
    unsigned partitions;   /* fixed partitions it was added with */
    char **gsis;           /* GSI names registered */
    size_t n_gsis;
} known_table;

typedef struct region_sim {
    char *region;
    ddb_throttle_sim *sim;
    known_table *tables;
    size_t n_tables;
} region_sim;

struct ddb_tput {
    pthread_mutex_t lock;
    ddb_throttle_model model;
    char *account;
    int throttling;
    int manual;
    double clock;          /* manual clock */
    region_sim *regions;
    size_t n_regions;
};

ddb_tput *ddb_tput_new(const ddb_config *cfg)
{
    ddb_tput *tp = ddb_xcalloc(1, sizeof *tp);
    pthread_mutex_init(&tp->lock, NULL);
    ddb_throttle_model_defaults(&tp->model);
    if (cfg->partition_rcu > 0)
        tp->model.partition_read_max = cfg->partition_rcu;
    if (cfg->partition_wcu > 0)
        tp->model.partition_write_max = cfg->partition_wcu;
    if (cfg->burst_seconds >= 0)
        tp->model.burst_seconds = cfg->burst_seconds;
    tp->model.adaptive = cfg->adaptive;
    tp->model.split_for_heat = cfg->split_for_heat;
    if (cfg->peak_seconds > 0)
        tp->model.peak_seconds = cfg->peak_seconds;
    tp->account = ddb_xstrdup(cfg->account_id);
    tp->throttling = cfg->throttling;
    tp->manual = cfg->clock_manual;
    tp->clock = floor(ddb_now());
    return tp;
}

void ddb_tput_free(ddb_tput *tp)
{
    if (tp == NULL)
        return;
    for (size_t i = 0; i < tp->n_regions; i++) {
        region_sim *r = &tp->regions[i];
        for (size_t j = 0; j < r->n_tables; j++) {
            known_table *k = &r->tables[j];
            for (size_t g = 0; g < k->n_gsis; g++)
                free(k->gsis[g]);
            free(k->gsis);
            free(k->name);
        }
        free(r->tables);
        ddb_throttle_sim_free(r->sim);
        free(r->region);
    }
    free(tp->regions);
    free(tp->account);
    pthread_mutex_destroy(&tp->lock);
    free(tp);
}

/*---- clock ----*/

double ddb_tput_now(ddb_tput *tp)
{
    if (!tp->manual)
        return ddb_now();
    pthread_mutex_lock(&tp->lock);
    double t = tp->clock;
    pthread_mutex_unlock(&tp->lock);
    return t;
}

int ddb_tput_clock_manual(const ddb_tput *tp)
{
    return tp->manual;
}

int ddb_tput_clock_advance(ddb_tput *tp, double seconds, ddb_error *err)
{
    if (!tp->manual)
        return ddb_err_set(err, DDB_E_VALIDATION, "the clock is real; start ddbd with --clock manual");
    if (!(seconds >= 0 && seconds < 1e9))
        return ddb_err_set(err, DDB_E_VALIDATION, "advance must be a number of seconds >= 0");
    pthread_mutex_lock(&tp->lock);
    tp->clock += seconds;
    pthread_mutex_unlock(&tp->lock);
    return DDB_OK;
}

int ddb_tput_clock_set(ddb_tput *tp, double t, ddb_error *err)
{
    if (!tp->manual)
        return ddb_err_set(err, DDB_E_VALIDATION, "the clock is real; start ddbd with --clock manual");
    pthread_mutex_lock(&tp->lock);
    int ok = t >= tp->clock && t < 1e12;
    if (ok)
        tp->clock = t;
    pthread_mutex_unlock(&tp->lock);
    return ok ? DDB_OK
              : ddb_err_set(err, DDB_E_VALIDATION, "the clock only moves forward");
}

/*---- registration ----*/

static region_sim *region_locked(ddb_tput *tp, const char *region)
{
    for (size_t i = 0; i < tp->n_regions; i++)
        if (strcmp(tp->regions[i].region, region) == 0)
            return &tp->regions[i];
    tp->regions = ddb_xrealloc(tp->regions, (tp->n_regions + 1) * sizeof *tp->regions);
    region_sim *r = &tp->regions[tp->n_regions++];
    memset(r, 0, sizeof *r);
    r->region = ddb_xstrdup(region);
    r->sim = ddb_throttle_sim_new(&tp->model, region, tp->account);
    return r;
}

ddb_throttle_sim *ddb_tput_region(ddb_tput *tp, const char *region)
{
    pthread_mutex_lock(&tp->lock);
    ddb_throttle_sim *sim = region_locked(tp, region)->sim;
    pthread_mutex_unlock(&tp->lock);
    return sim;
}

/* Fixed partitions for teaching: the table tag ddbd:partitions. */
static unsigned fixed_partitions(const ddb_table *t)
{
    size_t i;
    json_t *tag;
    json_array_foreach(json_object_get(t->def, "Tags"), i, tag) {
        const char *k = json_string_value(json_object_get(tag, "Key"));
        if (k && strcmp(k, "ddbd:partitions") == 0) {
            long n = strtol(json_string_value(json_object_get(tag, "Value")), NULL, 10);
            return n > 0 && n <= DDB_THROTTLE_MAX_PARTITIONS ? (unsigned)n : 0;
        }
    }
    return 0;
}

static void cfg_from(const json_t *def, const json_t *res, ddb_throttle_table_cfg *cfg)
{
    ddb_throttle_table_cfg_init(cfg);
    const char *bm = json_string_value(json_object_get(def, "BillingMode"));
    cfg->billing = bm && strcmp(bm, "PAY_PER_REQUEST") == 0 ? DDB_BILLING_PAY_PER_REQUEST
                                                            : DDB_BILLING_PROVISIONED;
    json_t *pt = json_object_get(res, "ProvisionedThroughput");
    cfg->rcu = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    cfg->wcu = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    json_t *odt = json_object_get(res, "OnDemandThroughput");
    if (odt != NULL) {
        cfg->max_read = json_integer_value(json_object_get(odt, "MaxReadRequestUnits"));
        cfg->max_write = json_integer_value(json_object_get(odt, "MaxWriteRequestUnits"));
    }
}

static void known_free(known_table *k)
{
    for (size_t g = 0; g < k->n_gsis; g++)
        free(k->gsis[g]);
    free(k->gsis);
    free(k->name);
}

/* (Re-)register 't' and its GSIs in 'r' (lock held). */
static int sync_locked(ddb_tput *tp, region_sim *r, const ddb_table *t, ddb_error *err)
{
    known_table *k = NULL;
    for (size_t i = 0; i < r->n_tables; i++)
        if (strcmp(r->tables[i].name, t->name) == 0)
            k = &r->tables[i];
    if (k != NULL && k->gen == t->gen)
        return DDB_OK;
    double now = tp->manual ? tp->clock : ddb_now();
    unsigned fixed = fixed_partitions(t);
    ddb_throttle_table_cfg cfg;
    cfg_from(t->def, t->def, &cfg);
    char *arn = ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/%s", r->region, tp->account, t->name);
    cfg.arn = arn;
    int rc = DDB_OK;
    if (k != NULL && k->partitions != fixed) { /* a new fixed count: start over */
        ddb_throttle_table_remove(r->sim, t->name, NULL);
        known_free(k);
        *k = r->tables[--r->n_tables];
        k = NULL;
    }
    if (k == NULL) {
        cfg.partitions = fixed;
        rc = ddb_throttle_table_add(r->sim, t->name, &cfg, now, err);
        r->tables = ddb_xrealloc(r->tables, (r->n_tables + 1) * sizeof *r->tables);
        k = &r->tables[r->n_tables++];
        memset(k, 0, sizeof *k);
        k->name = ddb_xstrdup(t->name);
        k->partitions = fixed;
    } else {
        rc = ddb_throttle_table_update(r->sim, t->name, &cfg, now, err);
    }
    free(arn);
    /* GSIs: drop the gone ones, update the known ones, add the new ones */
    for (size_t g = 0; g < k->n_gsis && rc == DDB_OK;) {
        if (ddb_table_index(t, k->gsis[g]) == NULL) {
            ddb_throttle_index_remove(r->sim, t->name, k->gsis[g], NULL);
            free(k->gsis[g]);
            k->gsis[g] = k->gsis[--k->n_gsis];
        } else {
            g++;
        }
    }
    for (size_t i = 0; i < t->n_indexes && rc == DDB_OK; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->local)
            continue;
        ddb_throttle_table_cfg icfg;
        cfg_from(t->def, ix->def, &icfg);
        int known = 0;
        for (size_t g = 0; g < k->n_gsis; g++)
            known |= strcmp(k->gsis[g], ix->name) == 0;
        if (known) {
            rc = ddb_throttle_index_update(r->sim, t->name, ix->name, &icfg, now, err);
        } else {
            icfg.partitions = fixed;
            rc = ddb_throttle_index_add(r->sim, t->name, ix->name, &icfg, now, err);
            k->gsis = ddb_xrealloc(k->gsis, (k->n_gsis + 1) * sizeof *k->gsis);
            k->gsis[k->n_gsis++] = ddb_xstrdup(ix->name);
        }
    }
    if (rc == DDB_OK)
        k->gen = t->gen;
    return rc;
}

ddb_throttle_sim *ddb_tput_sim(ddb_tput *tp, const ddb_table *t, ddb_error *err)
{
    pthread_mutex_lock(&tp->lock);
    region_sim *r = region_locked(tp, t->region);
    int rc = sync_locked(tp, r, t, err);
    pthread_mutex_unlock(&tp->lock);
    return rc == DDB_OK ? r->sim : NULL;
}

void ddb_tput_forget(ddb_tput *tp, const char *region, const char *name)
{
    pthread_mutex_lock(&tp->lock);
    region_sim *r = region_locked(tp, region);
    for (size_t i = 0; i < r->n_tables; i++) {
        if (strcmp(r->tables[i].name, name) == 0) {
            ddb_throttle_table_remove(r->sim, name, NULL);
            known_free(&r->tables[i]);
            r->tables[i] = r->tables[--r->n_tables];
            break;
        }
    }
    pthread_mutex_unlock(&tp->lock);
}

/*---- admission ----*/

int ddb_tput_admit(ddb_tput *tp, const ddb_table *t, const ddb_throttle_charge *charges,
                   size_t n, ddb_throttle_verdict *v, ddb_error *err)
{
    ddb_throttle_sim *sim = ddb_tput_sim(tp, t, err);
    if (sim == NULL)
        return DDB_ERR;
    double now = ddb_tput_now(tp);
    if (!tp->throttling) {
        if (v != NULL) {
            memset(v, 0, sizeof *v);
            v->admitted = 1;
        }
        return ddb_throttle_consume(sim, charges, n, now, err);
    }
    ddb_throttle_verdict local;
    ddb_throttle_verdict *vv = v ? v : &local;
    int rc = ddb_throttle_admit(sim, charges, n, now, vv, err);
    if (rc < 0)
        return DDB_ERR;
    if (rc == 0 && v == NULL)
        return ddb_throttle_verdict_error(vv, err);
    return DDB_OK;
}

int ddb_tput_throttled(const ddb_error *err)
{
    return err != NULL && (err->code == DDB_E_PROVISIONED_THROUGHPUT ||
                           err->code == DDB_E_THROTTLING || err->code == DDB_E_REQUEST_LIMIT);
}

void ddb_tput_note(ddb_tput *tp, const ddb_table *t, const char *operation, int throttled)
{
    ddb_throttle_sim *sim = ddb_tput_sim(tp, t, NULL);
    if (sim != NULL)
        ddb_throttle_note_request(sim, t->name, operation, throttled, ddb_tput_now(tp), NULL);
}

/*---- reporting (/_ddbd/metrics, /_ddbd/insights, the console) ----*/

json_t *ddb_tput_ceiling_json(const ddb_tput *tp)
{
    return json_pack("{s:I,s:I}", "Read", (json_int_t)tp->model.partition_read_max, "Write",
                     (json_int_t)tp->model.partition_write_max);
}

int ddb_tput_throttling(const ddb_tput *tp)
{
    return tp->throttling;
}

void ddb_tput_locate_ci(ddb_throttle_sim *sim, const char *table, const char *index,
                        ddb_type type, json_t *ci, double now)
{
    static const char *const lists[] = {"MostAccessedKeys", "MostThrottledKeys"};
    static const char *const periods[] = {"CurrentMinute", "PreviousMinute", "Total"};
    const char *tname = type == DDB_T_N ? "N" : type == DDB_T_B ? "B" : "S";
    for (size_t l = 0; l < 2; l++) {
        json_t *per = json_object_get(ci, lists[l]);
        for (size_t p = 0; p < 3; p++) {
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(per, periods[p]), i, e) {
                const char *label = json_string_value(json_object_get(e, "Key"));
                if (label == NULL)
                    continue;
                json_t *av = json_pack("{s:s}", tname, label);
                ddb_buf enc = DDB_BUF_INIT;
                ddb_throttle_partition_info info;
                if (av != NULL && ddb_attr_encode_key(av, &enc) == DDB_OK &&
                    ddb_throttle_partition_of(sim, table, index, ddb_hash64(enc.data, enc.len),
                                              now, &info, NULL) == DDB_OK)
                    json_object_set_new(e, "Partition", json_integer(info.position));
                ddb_buf_free(&enc);
                json_decref(av);
            }
        }
    }
}

void ddb_tput_locate_table_keys(ddb_throttle_sim *sim, const ddb_table *t, json_t *tab,
                                double now)
{
    ddb_tput_locate_ci(sim, t->name, NULL, t->hash.type,
                       json_object_get(tab, "ContributorInsights"), now);
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(tab, "GlobalSecondaryIndexes"), i, g) {
        const char *ixname = json_string_value(json_object_get(g, "IndexName"));
        const ddb_index *ix = ixname ? ddb_table_index(t, ixname) : NULL;
        if (ix != NULL)
            ddb_tput_locate_ci(sim, t->name, ix->name, ix->hash.type,
                               json_object_get(g, "ContributorInsights"), now);
    }
}

/*---- costs ----*/

/* The partition key hash stored in bytes 4..11 of a storage key. */
static uint64_t key_hash(const ddb_buf *k)
{
    uint64_t h = 0;
    for (int i = 4; i < 12 && (size_t)i < k->len; i++)
        h = h << 8 | k->data[i];
    return h;
}

/* Partition key value as Contributor Insights shows it. New string. */
static char *key_label(const json_t *av)
{
    json_t *v = ddb_attr_payload(av);
    if (json_is_string(v))
        return ddb_xstrndup(json_string_value(v), json_string_length(v));
    return ddb_xstrdup("?");
}

static void add_charge(ddb_write_cost *c, const char *table, const char *index, ddb_cu units,
                       uint64_t hash, const json_t *pk)
{
    if (units <= 0 || c->n_charges >= DDB_TPUT_MAX_CHARGES)
        return;
    char *label = pk ? key_label(pk) : NULL;
    c->labels[c->n_charges] = label;
    c->charges[c->n_charges++] = (ddb_throttle_charge){table, index, DDB_THROTTLE_WRITE, units,
                                                       hash, label, label ? strlen(label) : 0};
}

void ddb_write_cost_compute(const ddb_table *t, const json_t *key_item, const json_t *old_item,
                            uint64_t old_size, const json_t *new_item, uint64_t new_size,
                            ddb_write_cost *c)
{
    memset(c, 0, sizeof *c);
    c->table_units = ddb_capacity_item_write_units(old_size, new_size, 0);
    ddb_buf tkey = DDB_BUF_INIT;
    ddb_key_item(t, key_item, &tkey, NULL);
    size_t table_charge = c->n_charges;
    add_charge(c, t->name, NULL, c->table_units, key_hash(&tkey),
               json_object_get(key_item, t->hash.name));
    ddb_buf_free(&tkey);
    for (size_t i = 0; i < t->n_indexes && c->n_ix < 32; i++) {
        const ddb_index *ix = &t->indexes[i];
        ddb_buf ok = DDB_BUF_INIT, nk = DDB_BUF_INIT;
        ddb_gsi_change ch;
        memset(&ch, 0, sizeof ch);
        ch.old_in = old_item ? ddb_key_index(t, ix, old_item, &ok) : 0;
        ch.new_in = new_item ? ddb_key_index(t, ix, new_item, &nk) : 0;
        json_t *op = ch.old_in ? ddb_index_project(t, ix, old_item) : NULL;
        json_t *np = ch.new_in ? ddb_index_project(t, ix, new_item) : NULL;
        if (ch.old_in && ch.new_in) {
            ch.key_changed = ok.len != nk.len || memcmp(ok.data, nk.data, ok.len) != 0;
            ch.projected_changed = !ch.key_changed && !json_equal(op, np);
        }
        ch.old_entry_bytes = op ? ddb_item_size(op) : 0;
        ch.new_entry_bytes = np ? ddb_item_size(np) : 0;
        ddb_cu u = ddb_capacity_gsi_write_units(&ch, 0, NULL);
        if (u > 0) {
            c->ix[c->n_ix++] = (ddb_capacity_index_use){ix->name, ix->local, 0, u};
            if (ix->local) { /* LSIs consume the table's capacity (reported apart) */
                c->charges[table_charge].units += u;
            } else if (ch.key_changed) { /* old and new entries may sit in two partitions */
                ddb_gsi_change one = ch;
                one.key_changed = 0;
                one.new_in = 0;
                add_charge(c, t->name, ix->name, ddb_capacity_gsi_write_units(&one, 0, NULL),
                           key_hash(&ok), json_object_get(old_item, ix->hash.name));
                one = ch;
                one.key_changed = 0;
                one.old_in = 0;
                add_charge(c, t->name, ix->name, ddb_capacity_gsi_write_units(&one, 0, NULL),
                           key_hash(&nk), json_object_get(new_item, ix->hash.name));
            } else {
                const json_t *src = ch.new_in ? new_item : old_item;
                add_charge(c, t->name, ix->name, u, key_hash(ch.new_in ? &nk : &ok),
                           json_object_get(src, ix->hash.name));
            }
        }
        json_decref(op);
        json_decref(np);
        ddb_buf_free(&ok);
        ddb_buf_free(&nk);
    }
}

void ddb_write_cost_failed(const ddb_table *t, const json_t *key_item, uint64_t old_size,
                           uint64_t new_size, ddb_write_cost *c)
{
    memset(c, 0, sizeof *c);
    c->table_units = old_size ? ddb_capacity_write_units(new_size ? new_size : old_size, 0)
                              : DDB_CU_ONE;
    ddb_buf tkey = DDB_BUF_INIT;
    ddb_key_item(t, key_item, &tkey, NULL);
    add_charge(c, t->name, NULL, c->table_units, key_hash(&tkey),
               json_object_get(key_item, t->hash.name));
    ddb_buf_free(&tkey);
}

void ddb_write_cost_free(ddb_write_cost *c)
{
    for (size_t i = 0; i < c->n_charges; i++)
        free(c->labels[i]);
    c->n_charges = 0;
}

ddb_throttle_charge ddb_read_charge(const ddb_table *t, const ddb_index *ix,
                                    const json_t *key_item, ddb_cu units, char **label)
{
    /* the partition is the hash of the partition key value: the table's (a
    ** table or LSI read), or the GSI's */
    int gsi = ix != NULL && !ix->local;
    const json_t *pk = json_object_get(key_item, gsi ? ix->hash.name : t->hash.name);
    ddb_buf enc = DDB_BUF_INIT;
    if (pk != NULL)
        ddb_attr_encode_key(pk, &enc);
    uint64_t h = ddb_hash64(enc.data, enc.len);
    ddb_buf_free(&enc);
    *label = pk ? key_label(pk) : NULL;
    ddb_throttle_charge c = {t->name, gsi ? ix->name : NULL, DDB_THROTTLE_READ,
                             units, h, *label, *label ? strlen(*label) : 0};
    return c;
}

int ddb_wants_capacity(const json_t *in)
{
    return ddb_capacity_return_parse(json_string_value(json_object_get(in, "ReturnConsumedCapacity"))) !=
           DDB_RCC_NONE;
}

json_t *ddb_consumed_capacity(const json_t *in, const ddb_table *t, ddb_cu read, ddb_cu write,
                              const ddb_capacity_index_use *ix, size_t n_ix)
{
    ddb_capacity_return mode =
        ddb_capacity_return_parse(json_string_value(json_object_get(in, "ReturnConsumedCapacity")));
    if (mode == DDB_RCC_NONE)
        return NULL;
    ddb_capacity_use use = {t->name, read, write, n_ix ? ix : NULL, n_ix, 0};
    return ddb_capacity_json(&use, mode);
}
