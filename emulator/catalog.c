/* SPDX-License-Identifier: MIT
**
** catalog.c -- in-memory table catalog backed by the store's 'tables' table:
** a hash map from (region, name) to the current immutable ddb_table, the
** parsing of persisted definitions into ddb_table, and clock-driven status.
*/
#include "catalog.h"
#include "emulator.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;          /* "region\nname" */
    ddb_table *table;   /* owned reference */
    struct entry *next;
} entry;

struct ddb_catalog {
    pthread_rwlock_t lock;
    entry **buckets;
    size_t n_buckets;
    size_t n_entries;
};

static char *make_key(const char *region, const char *name)
{
    return ddb_xasprintf("%s\n%s", region, name);
}

static size_t bucket_of(const ddb_catalog *cat, const char *key)
{
    return (size_t)(ddb_hash64(key, strlen(key)) % cat->n_buckets);
}

static entry *find(ddb_catalog *cat, const char *key)
{
    for (entry *e = cat->buckets[bucket_of(cat, key)]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static void grow(ddb_catalog *cat)
{
    size_t n = cat->n_buckets * 2;
    entry **b = ddb_xcalloc(n, sizeof *b);
    for (size_t i = 0; i < cat->n_buckets; i++) {
        entry *e = cat->buckets[i];
        while (e) {
            entry *next = e->next;
            size_t h = (size_t)(ddb_hash64(e->key, strlen(e->key)) % n);
            e->next = b[h];
            b[h] = e;
            e = next;
        }
    }
    free(cat->buckets);
    cat->buckets = b;
    cat->n_buckets = n;
}

/* Install 't' under its key (write lock held); steals the reference. */
static void install(ddb_catalog *cat, ddb_table *t)
{
    char *key = make_key(t->region, t->name);
    entry *e = find(cat, key);
    if (e != NULL) {
        ddb_table_unref(e->table);
        e->table = t;
        free(key);
        return;
    }
    if (cat->n_entries + 1 > cat->n_buckets * 2)
        grow(cat);
    e = ddb_xcalloc(1, sizeof *e);
    e->key = key;
    e->table = t;
    size_t h = bucket_of(cat, key);
    e->next = cat->buckets[h];
    cat->buckets[h] = e;
    cat->n_entries++;
}

static void uninstall(ddb_catalog *cat, const char *key)
{
    size_t h = bucket_of(cat, key);
    for (entry **pp = &cat->buckets[h]; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->key, key) == 0) {
            entry *e = *pp;
            *pp = e->next;
            ddb_table_unref(e->table);
            free(e->key);
            free(e);
            cat->n_entries--;
            return;
        }
    }
}

/*---- tables ----*/

void ddb_table_ref(ddb_table *t)
{
    __atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void ddb_table_unref(ddb_table *t)
{
    if (t == NULL || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < t->n_indexes; i++)
        free(t->indexes[i].nonkey);
    free(t->indexes);
    free((char *)t->region);
    json_decref(t->def);
    free(t);
}

/* Type of attribute 'name' in the definition's AttributeDefinitions. */
static ddb_type attr_type(json_t *def, const char *name)
{
    size_t i;
    json_t *ad;
    json_array_foreach(json_object_get(def, "AttributeDefinitions"), i, ad) {
        const char *n = json_string_value(json_object_get(ad, "AttributeName"));
        if (n && strcmp(n, name) == 0) {
            const char *ty = json_string_value(json_object_get(ad, "AttributeType"));
            return ty ? ddb_type_from_name(ty, strlen(ty)) : DDB_T_NONE;
        }
    }
    return DDB_T_NONE;
}

static int parse_key_schema(json_t *def, json_t *ks, ddb_keyattr *hash, ddb_keyattr *range)
{
    size_t i;
    json_t *k;
    hash->name = range->name = NULL;
    json_array_foreach(ks, i, k) {
        const char *n = json_string_value(json_object_get(k, "AttributeName"));
        const char *kt = json_string_value(json_object_get(k, "KeyType"));
        if (n == NULL || kt == NULL)
            return -1;
        ddb_keyattr *ka = strcmp(kt, "HASH") == 0 ? hash : range;
        ka->name = n;
        ka->type = attr_type(def, n);
        if (ka->type == DDB_T_NONE)
            return -1;
    }
    return hash->name ? 0 : -1;
}

static int parse_index(ddb_table *t, json_t *ixdef, int local, ddb_index *ix)
{
    memset(ix, 0, sizeof *ix);
    ix->def = ixdef;
    ix->local = local;
    ix->name = json_string_value(json_object_get(ixdef, "IndexName"));
    ix->id = (uint32_t)json_integer_value(json_object_get(ixdef, "id"));
    if (ix->name == NULL || ix->id == 0 ||
        parse_key_schema(t->def, json_object_get(ixdef, "KeySchema"), &ix->hash, &ix->range) < 0)
        return -1;
    json_t *proj = json_object_get(ixdef, "Projection");
    const char *pt = json_string_value(json_object_get(proj, "ProjectionType"));
    ix->projection = pt == NULL || strcmp(pt, "ALL") == 0 ? DDB_PROJ_ALL
                     : strcmp(pt, "KEYS_ONLY") == 0       ? DDB_PROJ_KEYS_ONLY
                                                          : DDB_PROJ_INCLUDE;
    json_t *nk = json_object_get(proj, "NonKeyAttributes");
    ix->n_nonkey = json_array_size(nk);
    if (ix->n_nonkey > 0) {
        ix->nonkey = ddb_xcalloc(ix->n_nonkey, sizeof *ix->nonkey);
        for (size_t i = 0; i < ix->n_nonkey; i++)
            ix->nonkey[i] = json_string_value(json_array_get(nk, i));
    }
    return 0;
}

ddb_table *ddb_table_from_def(const char *region, json_t *def, ddb_error *err)
{
    ddb_table *t = ddb_xcalloc(1, sizeof *t);
    t->refs = 1;
    static uint64_t generation;
    t->gen = __atomic_add_fetch(&generation, 1, __ATOMIC_RELAXED);
    t->def = def;
    t->region = ddb_xstrdup(region);
    t->name = json_string_value(json_object_get(def, "TableName"));
    t->id = (uint32_t)json_integer_value(json_object_get(def, "id"));
    if (t->name == NULL || t->id == 0 ||
        parse_key_schema(def, json_object_get(def, "KeySchema"), &t->hash, &t->range) < 0)
        goto bad;
    json_t *gsis = json_object_get(def, "GlobalSecondaryIndexes");
    json_t *lsis = json_object_get(def, "LocalSecondaryIndexes");
    size_t cap = json_array_size(gsis) + json_array_size(lsis);
    t->indexes = ddb_xcalloc(cap ? cap : 1, sizeof *t->indexes);
    size_t i;
    json_t *ixdef;
    for (int local = 0; local <= 1; local++) {
        json_array_foreach(local ? lsis : gsis, i, ixdef) {
            /* an index being deleted is no longer maintained or readable */
            const char *st = json_string_value(json_object_get(ixdef, "IndexStatus"));
            if (st && strcmp(st, "DELETING") == 0)
                continue;
            if (parse_index(t, ixdef, local, &t->indexes[t->n_indexes]) < 0)
                goto bad;
            t->n_indexes++;
        }
    }
    return t;
bad:
    ddb_err_set(err, DDB_E_INTERNAL, "malformed table definition in the store (region %s)",
                region);
    ddb_table_unref(t);
    return NULL;
}

const ddb_index *ddb_table_index(const ddb_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (strcmp(t->indexes[i].name, name) == 0)
            return &t->indexes[i];
    return NULL;
}

static ddb_table_status status_of(json_t *def, const char *member, double now)
{
    const char *s = json_string_value(json_object_get(def, member));
    double until = json_number_value(json_object_get(def, "status_until"));
    if (s == NULL || strcmp(s, "ACTIVE") == 0)
        return DDB_TS_ACTIVE;
    int over = now >= until;
    if (strcmp(s, "CREATING") == 0)
        return over ? DDB_TS_ACTIVE : DDB_TS_CREATING;
    if (strcmp(s, "UPDATING") == 0)
        return over ? DDB_TS_ACTIVE : DDB_TS_UPDATING;
    if (strcmp(s, "DELETING") == 0)
        return over ? DDB_TS_GONE : DDB_TS_DELETING;
    return DDB_TS_ACTIVE;
}

ddb_table_status ddb_table_status_at(const ddb_table *t, double now)
{
    return status_of(t->def, "TableStatus", now);
}

ddb_table_status ddb_index_status_at(const ddb_index *ix, double now)
{
    return status_of(ix->def, "IndexStatus", now);
}

const char *ddb_table_status_name(ddb_table_status s)
{
    switch (s) {
        case DDB_TS_CREATING: return "CREATING";
        case DDB_TS_UPDATING: return "UPDATING";
        case DDB_TS_DELETING: return "DELETING";
        case DDB_TS_ACTIVE: return "ACTIVE";
        default: return "DELETED";
    }
}

/*---- catalog ----*/

typedef struct load_ctx {
    ddb_catalog *cat;
} load_ctx;

static int load_one(void *ctx, const char *region, const char *name, const char *text,
                    ddb_error *err)
{
    load_ctx *lc = ctx;
    json_error_t jerr;
    json_t *def = json_loads(text, 0, &jerr);
    if (def == NULL)
        return ddb_err_set(err, DDB_E_INTERNAL, "table %s in region %s: unreadable definition",
                           name, region);
    ddb_table *t = ddb_table_from_def(region, def, err);
    if (t == NULL)
        return DDB_ERR;
    install(lc->cat, t);
    return DDB_OK;
}

ddb_catalog *ddb_catalog_open(ddb_store *st, ddb_error *err)
{
    ddb_catalog *cat = ddb_xcalloc(1, sizeof *cat);
    pthread_rwlock_init(&cat->lock, NULL);
    cat->n_buckets = 64;
    cat->buckets = ddb_xcalloc(cat->n_buckets, sizeof *cat->buckets);
    ddb_conn *c = ddb_store_conn(st, err);
    load_ctx lc = {cat};
    if (c == NULL || ddb_store_table_load(c, load_one, &lc, err) != DDB_OK) {
        ddb_catalog_close(cat);
        return NULL;
    }
    return cat;
}

void ddb_catalog_close(ddb_catalog *cat)
{
    if (cat == NULL)
        return;
    for (size_t i = 0; i < cat->n_buckets; i++) {
        entry *e = cat->buckets[i];
        while (e) {
            entry *next = e->next;
            ddb_table_unref(e->table);
            free(e->key);
            free(e);
            e = next;
        }
    }
    free(cat->buckets);
    pthread_rwlock_destroy(&cat->lock);
    free(cat);
}

ddb_table *ddb_catalog_get(ddb_catalog *cat, const char *region, const char *name)
{
    char key[512];
    int n = snprintf(key, sizeof key, "%s\n%s", region, name);
    if (n < 0 || (size_t)n >= sizeof key)
        return NULL; /* longer than any valid table name */
    ddb_table *t = NULL;
    pthread_rwlock_rdlock(&cat->lock);
    entry *e = find(cat, key);
    if (e != NULL && ddb_table_status_at(e->table, ddb_now()) != DDB_TS_GONE) {
        t = e->table;
        ddb_table_ref(t);
    }
    pthread_rwlock_unlock(&cat->lock);
    return t;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ddb_catalog_names(ddb_catalog *cat, const char *region, size_t *out_n)
{
    double now = ddb_now();
    pthread_rwlock_rdlock(&cat->lock);
    char **names = ddb_xcalloc(cat->n_entries + 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < cat->n_buckets; i++)
        for (entry *e = cat->buckets[i]; e; e = e->next)
            if (strcmp(e->table->region, region) == 0 &&
                ddb_table_status_at(e->table, now) != DDB_TS_GONE)
                names[n++] = ddb_xstrdup(e->table->name);
    pthread_rwlock_unlock(&cat->lock);
    qsort(names, n, sizeof *names, cmp_str);
    *out_n = n;
    return names;
}

char **ddb_catalog_regions(ddb_catalog *cat, size_t *out_n)
{
    double now = ddb_now();
    pthread_rwlock_rdlock(&cat->lock);
    char **regions = ddb_xcalloc(cat->n_entries + 1, sizeof *regions);
    size_t n = 0;
    for (size_t i = 0; i < cat->n_buckets; i++)
        for (entry *e = cat->buckets[i]; e; e = e->next) {
            if (ddb_table_status_at(e->table, now) == DDB_TS_GONE)
                continue;
            size_t j = 0;
            while (j < n && strcmp(regions[j], e->table->region) != 0)
                j++;
            if (j == n)
                regions[n++] = ddb_xstrdup(e->table->region);
        }
    pthread_rwlock_unlock(&cat->lock);
    qsort(regions, n, sizeof *regions, cmp_str);
    *out_n = n;
    return regions;
}

size_t ddb_catalog_count(ddb_catalog *cat, const char *region)
{
    size_t n = 0;
    char **names = ddb_catalog_names(cat, region, &n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return n;
}

int ddb_catalog_put(ddb_catalog *cat, ddb_conn *c, ddb_table *t, ddb_error *err)
{
    char *text = json_dumps(t->def, JSON_COMPACT | JSON_REAL_PRECISION(17));
    int rc = ddb_store_table_save(c, t->region, t->name, text, err);
    free(text);
    if (rc != DDB_OK) {
        ddb_table_unref(t);
        return DDB_ERR;
    }
    pthread_rwlock_wrlock(&cat->lock);
    install(cat, t);
    pthread_rwlock_unlock(&cat->lock);
    return DDB_OK;
}

int ddb_catalog_remove(ddb_catalog *cat, ddb_conn *c, const char *region, const char *name,
                       ddb_error *err)
{
    if (ddb_store_table_del(c, region, name, err) != DDB_OK)
        return DDB_ERR;
    char *key = make_key(region, name);
    pthread_rwlock_wrlock(&cat->lock);
    uninstall(cat, key);
    pthread_rwlock_unlock(&cat->lock);
    free(key);
    return DDB_OK;
}

void ddb_catalog_put_ghost(ddb_catalog *cat, ddb_table *t)
{
    pthread_rwlock_wrlock(&cat->lock);
    install(cat, t);
    pthread_rwlock_unlock(&cat->lock);
}
