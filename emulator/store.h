/* SPDX-License-Identifier: MIT
**
** store.h -- persistence on SQLite (store.c is the only file that includes
** <sqlite3.h>).
**
** Layout: one key/value table 'data(k BLOB PRIMARY KEY, sz, v) WITHOUT ROWID'
** holds every item and every index entry; keys start with the 4-byte id of
** the table or index they belong to, then the 8-byte hash of the partition
** key, then the order-preserving encodings of the key attributes (keys.c).
** 'tables' holds each table's definition (JSON) per region, 'stats' the item
** count and bytes per table or index, 'meta' the schema version and id counter.
**
** Each thread gets its own connection (WAL mode, prepared statements cached);
** writers are serialised by one process-wide mutex around BEGIN IMMEDIATE ..
** COMMIT, so SQLITE_BUSY never reaches a client and read-modify-write is atomic.
*/
#ifndef DDB_STORE_H
#define DDB_STORE_H

#include "ddb.h"
#include <stdint.h>

typedef struct ddb_store ddb_store;
typedef struct ddb_conn ddb_conn;

/* Open (creating if needed) the database at 'path' (a file or ":memory:").
** New; free with ddb_store_close. */
ddb_store *ddb_store_open(const char *path, int sync_full, long cache_kib, ddb_error *err);
void ddb_store_close(ddb_store *st);

/* This thread's connection (opened on first use, closed when the thread
** exits or the store closes). Borrowed. NULL with err set on failure. */
ddb_conn *ddb_store_conn(ddb_store *st, ddb_error *err);

/* Write transaction: takes the process-wide write lock and BEGIN IMMEDIATE.
** ddb_store_write_end commits when ok != 0 (rolling back if the commit
** fails), rolls back otherwise, and releases the lock. Returns DDB_OK/DDB_ERR. */
int ddb_store_write_begin(ddb_conn *c, ddb_error *err);
int ddb_store_write_end(ddb_conn *c, int ok, ddb_error *err);
/* After a request: if this thread's connection is still inside a write
** transaction (a handler returned without ddb_store_write_end), roll it back,
** release the write lock -- which would otherwise stop every writer for
** good -- and return 1; else 0. */
int ddb_store_write_abandon(ddb_store *st);

/* Point read. Returns 1 and fills *out_v (appended to 'out_v', may be NULL to
** skip the value) and *out_sz when found, 0 when absent, DDB_ERR on error. */
int ddb_store_get(ddb_conn *c, const ddb_buf *key, ddb_buf *out_v, int64_t *out_sz,
                  ddb_error *err);
int ddb_store_put(ddb_conn *c, const ddb_buf *key, const void *v, size_t vlen, int64_t sz,
                  ddb_error *err);
int ddb_store_del(ddb_conn *c, const ddb_buf *key, ddb_error *err);
/* Delete every key in [lo, hi). */
int ddb_store_del_range(ddb_conn *c, const void *lo, size_t lo_len, const void *hi,
                        size_t hi_len, ddb_error *err);

/* Visit keys in [lo, hi) in key order (reverse when 'reverse'); hi may be
** NULL for "no upper bound". The callback returns 0 to go on, 1 to stop,
** DDB_ERR to fail (having set err). Returns DDB_OK or DDB_ERR. */
typedef int (*ddb_store_row_fn)(void *ctx, const unsigned char *k, size_t klen,
                                const unsigned char *v, size_t vlen, int64_t sz,
                                ddb_error *err);
int ddb_store_scan(ddb_conn *c, const void *lo, size_t lo_len, const void *hi, size_t hi_len,
                   int reverse, ddb_store_row_fn fn, void *ctx, ddb_error *err);

/* Per table/index counters: add deltas, read, drop. */
int ddb_store_stats_add(ddb_conn *c, uint32_t id, int64_t items, int64_t bytes, ddb_error *err);
int ddb_store_stats_get(ddb_conn *c, uint32_t id, int64_t *items, int64_t *bytes, ddb_error *err);
int ddb_store_stats_del(ddb_conn *c, uint32_t id, ddb_error *err);

/* A fresh id for a table or index (inside a write transaction). */
int ddb_store_next_id(ddb_conn *c, uint32_t *out, ddb_error *err);

/* Table definitions (JSON text), keyed by (region, name). */
int ddb_store_table_save(ddb_conn *c, const char *region, const char *name, const char *def,
                         ddb_error *err);
int ddb_store_table_del(ddb_conn *c, const char *region, const char *name, ddb_error *err);
typedef int (*ddb_store_table_fn)(void *ctx, const char *region, const char *name,
                                  const char *def, ddb_error *err);
int ddb_store_table_load(ddb_conn *c, ddb_store_table_fn fn, void *ctx, ddb_error *err);

#endif
