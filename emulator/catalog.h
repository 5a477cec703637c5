/* SPDX-License-Identifier: MIT
**
** catalog.h -- the table catalog: every table's definition, cached in memory
** and persisted in the store, keyed by (region, name).
**
** A ddb_table is immutable once published: a change (UpdateTable, tags,
** deletion) builds a new ddb_table from a modified definition and swaps it
** in, so readers holding a reference never see a half-changed table. Status
** transitions (CREATING -> ACTIVE, UPDATING -> ACTIVE, DELETING -> gone) are
** functions of the clock: the definition records when each ends.
*/
#ifndef DDB_CATALOG_H
#define DDB_CATALOG_H

#include "ddb.h"
#include "store.h"

#include <stdint.h>

typedef struct ddb_keyattr {
    const char *name;   /* NULL when absent (no range key) */
    ddb_type type;      /* DDB_T_S, DDB_T_N or DDB_T_B */
} ddb_keyattr;

enum { DDB_PROJ_ALL, DDB_PROJ_KEYS_ONLY, DDB_PROJ_INCLUDE };

typedef struct ddb_index {
    const char *name;
    uint32_t id;            /* key prefix of its entries in the store */
    int local;              /* 1: LSI, 0: GSI */
    ddb_keyattr hash, range;
    int projection;         /* DDB_PROJ_* */
    const char **nonkey;    /* INCLUDE attribute names */
    size_t n_nonkey;
    json_t *def;            /* borrowed from the table's definition */
} ddb_index;

typedef struct ddb_table {
    int refs;
    uint64_t gen;           /* distinct for every published version of any table */
    const char *region;
    const char *name;
    uint32_t id;            /* key prefix of its items in the store */
    ddb_keyattr hash, range;
    ddb_index *indexes;     /* GSIs first, then LSIs */
    size_t n_indexes;
    json_t *def;            /* the persisted definition (owned) */
} ddb_table;

typedef enum ddb_table_status {
    DDB_TS_CREATING, DDB_TS_UPDATING, DDB_TS_DELETING, DDB_TS_ACTIVE, DDB_TS_GONE
} ddb_table_status;

typedef struct ddb_catalog ddb_catalog;

/* Load every definition from the store. New; free with ddb_catalog_close. */
ddb_catalog *ddb_catalog_open(ddb_store *st, ddb_error *err);
void ddb_catalog_close(ddb_catalog *cat);

/* The table (a new reference; release with ddb_table_unref) or NULL. Tables
** whose DELETING period is over are not returned. */
ddb_table *ddb_catalog_get(ddb_catalog *cat, const char *region, const char *name);
void ddb_table_ref(ddb_table *t);
void ddb_table_unref(ddb_table *t);

/* Names of the tables of 'region', sorted bytewise; a new array of new
** strings (free each, then the array). */
char **ddb_catalog_names(ddb_catalog *cat, const char *region, size_t *out_n);
/* Regions holding at least one table, sorted bytewise; a new array of new
** strings (free each, then the array). */
char **ddb_catalog_regions(ddb_catalog *cat, size_t *out_n);
/* Number of tables in 'region' (not counting fully deleted ones). */
size_t ddb_catalog_count(ddb_catalog *cat, const char *region);

/* Build a table from a definition (steals 'def'). NULL with err set if the
** definition is malformed. */
ddb_table *ddb_table_from_def(const char *region, json_t *def, ddb_error *err);

/* Publish 't' (steals the reference) as the current version of its
** (region, name), replacing any previous one, and persist its definition.
** Call inside a store write transaction. */
int ddb_catalog_put(ddb_catalog *cat, ddb_conn *c, ddb_table *t, ddb_error *err);

/* Forget (region, name) in memory and in the store (inside a write transaction). */
int ddb_catalog_remove(ddb_catalog *cat, ddb_conn *c, const char *region, const char *name,
                       ddb_error *err);
/* Keep a deleted table visible as DELETING until its definition's deadline
** (steals the reference); it is never persisted. */
void ddb_catalog_put_ghost(ddb_catalog *cat, ddb_table *t);

/* Effective status of a table or of one of its indexes at wall time 'now'. */
ddb_table_status ddb_table_status_at(const ddb_table *t, double now);
const char *ddb_table_status_name(ddb_table_status s);
ddb_table_status ddb_index_status_at(const ddb_index *ix, double now);

/* The index named 'name', or NULL. */
const ddb_index *ddb_table_index(const ddb_table *t, const char *name);

#endif
