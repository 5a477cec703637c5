/* SPDX-License-Identifier: MIT
**
** store.c -- SQLite: schema, per-thread connections with cached prepared
** statements, the process-wide write lock, point reads/writes, range scans,
** counters and table definitions. The only file that includes <sqlite3.h>;
** it knows nothing of DynamoDB beyond the layout described in store.h.
**
** ":memory:" is a throwaway WAL database in /dev/shm (RAM) or $TMPDIR,
** removed at close, so that memory mode has the same concurrency as files.
*/
#include "store.h"
#include "emulator.h"

#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCHEMA_VERSION 1

enum {
    ST_GET,
    ST_PUT,
    ST_DEL,
    ST_DEL_RANGE,
    ST_SCAN,
    ST_SCAN_REV,
    ST_SCAN_OPEN,
    ST_SCAN_OPEN_REV,
    ST_STATS_ADD,
    ST_STATS_GET,
    ST_STATS_DEL,
    ST_NEXT_ID,
    ST_TABLE_SAVE,
    ST_TABLE_DEL,
    ST_TABLE_LOAD,
    ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
    [ST_GET] = "SELECT sz, v FROM data WHERE k = ?1",
    [ST_PUT] = "INSERT OR REPLACE INTO data(k, sz, v) VALUES (?1, ?2, ?3)",
    [ST_DEL] = "DELETE FROM data WHERE k = ?1",
    [ST_DEL_RANGE] = "DELETE FROM data WHERE k >= ?1 AND k < ?2",
    [ST_SCAN] = "SELECT k, sz, v FROM data WHERE k >= ?1 AND k < ?2 ORDER BY k",
    [ST_SCAN_REV] = "SELECT k, sz, v FROM data WHERE k >= ?1 AND k < ?2 ORDER BY k DESC",
    [ST_SCAN_OPEN] = "SELECT k, sz, v FROM data WHERE k >= ?1 ORDER BY k",
    [ST_SCAN_OPEN_REV] = "SELECT k, sz, v FROM data WHERE k >= ?1 ORDER BY k DESC",
    [ST_STATS_ADD] = "INSERT INTO stats(id, items, bytes) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT(id) DO UPDATE SET items = items + excluded.items, "
                     "bytes = bytes + excluded.bytes",
    [ST_STATS_GET] = "SELECT items, bytes FROM stats WHERE id = ?1",
    [ST_STATS_DEL] = "DELETE FROM stats WHERE id = ?1",
    [ST_NEXT_ID] = "UPDATE meta SET v = v + 1 WHERE k = 'next_id' RETURNING v",
    [ST_TABLE_SAVE] = "INSERT OR REPLACE INTO tables(region, name, def) VALUES (?1, ?2, ?3)",
    [ST_TABLE_DEL] = "DELETE FROM tables WHERE region = ?1 AND name = ?2",
    [ST_TABLE_LOAD] = "SELECT region, name, def FROM tables ORDER BY region, name",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO meta(k, v) VALUES ('schema_version', 1), ('next_id', 0);"
    "CREATE TABLE IF NOT EXISTS tables(region TEXT NOT NULL, name TEXT NOT NULL,"
    "  def TEXT NOT NULL, PRIMARY KEY(region, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS stats(id INTEGER PRIMARY KEY,"
    "  items INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS data(k BLOB PRIMARY KEY, sz INTEGER NOT NULL,"
    "  v BLOB NOT NULL) WITHOUT ROWID;";

struct ddb_conn {
    ddb_store *st;
    sqlite3 *db;
    sqlite3_stmt *stmt[ST__COUNT];
    int in_write;
    ddb_conn *next; /* all connections, for closing at shutdown */
};

struct ddb_store {
    char *path;       /* file actually opened */
    char *tmpdir;     /* for :memory:, the directory to remove at close */
    int sync_full;
    long cache_kib;
    pthread_mutex_t write_lock;
    pthread_mutex_t conns_lock;
    pthread_key_t key;
    ddb_conn *conns;
};

static int sql_err(ddb_error *err, sqlite3 *db, const char *what)
{
    return ddb_err_set(err, DDB_E_INTERNAL, "storage error (%s): %s", what,
                       db ? sqlite3_errmsg(db) : "out of memory");
}

static void conn_close(ddb_conn *c)
{
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close_v2(c->db);
    free(c);
}

/* Thread-exit destructor of the per-thread connection. */
static void conn_release(void *p)
{
    ddb_conn *c = p;
    ddb_store *st = c->st;
    pthread_mutex_lock(&st->conns_lock);
    for (ddb_conn **pp = &st->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&st->conns_lock);
    conn_close(c);
}

static ddb_conn *conn_open(ddb_store *st, ddb_error *err)
{
    ddb_conn *c = ddb_xcalloc(1, sizeof *c);
    c->st = st;
    int rc = sqlite3_open_v2(st->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot open database %s: %s", st->path,
                    c->db ? sqlite3_errmsg(c->db) : "out of memory");
        conn_close(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, 10000);
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA cache_size=-%ld;"
             "PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;",
             st->sync_full ? "FULL" : "NORMAL", st->cache_kib);
    char *msg = NULL;
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot configure database %s: %s", st->path,
                    msg ? msg : "?");
        sqlite3_free(msg);
        conn_close(c);
        return NULL;
    }
    return c;
}

static sqlite3_stmt *stmt(ddb_conn *c, int which, ddb_error *err)
{
    if (c->stmt[which] == NULL &&
        sqlite3_prepare_v3(c->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                           &c->stmt[which], NULL) != SQLITE_OK) {
        sql_err(err, c->db, "prepare");
        return NULL;
    }
    return c->stmt[which];
}

static void stmt_done(sqlite3_stmt *s)
{
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
}

/* A private directory for a memory-mode database: /dev/shm when usable. */
static char *make_tmpdir(void)
{
    const char *bases[3] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
    for (int i = 0; i < 3; i++) {
        if (bases[i] == NULL || access(bases[i], W_OK) != 0)
            continue;
        char *tmpl = ddb_xasprintf("%s/ddbd-%ld-XXXXXX", bases[i], (long)getpid());
        if (mkdtemp(tmpl) != NULL)
            return tmpl;
        free(tmpl);
    }
    return NULL;
}

static void remove_tmpdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = ddb_xasprintf("%s/%s", dir, e->d_name);
            unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

ddb_store *ddb_store_open(const char *path, int sync_full, long cache_kib, ddb_error *err)
{
    ddb_store *st = ddb_xcalloc(1, sizeof *st);
    st->sync_full = sync_full;
    st->cache_kib = cache_kib > 0 ? cache_kib : 16 * 1024;
    pthread_mutex_init(&st->write_lock, NULL);
    pthread_mutex_init(&st->conns_lock, NULL);
    pthread_key_create(&st->key, conn_release);
    if (strcmp(path, ":memory:") == 0) {
        st->tmpdir = make_tmpdir();
        if (st->tmpdir == NULL) {
            ddb_err_set(err, DDB_E_INTERNAL, "cannot create a directory for the memory database");
            ddb_store_close(st);
            return NULL;
        }
        st->path = ddb_xasprintf("%s/ddbd.sqlite3", st->tmpdir);
        st->sync_full = -1;
    } else {
        st->path = ddb_xstrdup(path);
    }
    ddb_conn *c = ddb_store_conn(st, err);
    if (c == NULL) {
        ddb_store_close(st);
        return NULL;
    }
    if (st->sync_full < 0)
        sqlite3_exec(c->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
    char *msg = NULL;
    if (sqlite3_exec(c->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot create the schema in %s: %s", st->path,
                    msg ? msg : "?");
        sqlite3_free(msg);
        ddb_store_close(st);
        return NULL;
    }
    sqlite3_stmt *v = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(c->db, "SELECT v FROM meta WHERE k = 'schema_version'", -1, &v,
                           NULL) == SQLITE_OK &&
        sqlite3_step(v) == SQLITE_ROW)
        version = sqlite3_column_int(v, 0);
    sqlite3_finalize(v);
    if (version != SCHEMA_VERSION) {
        ddb_err_set(err, DDB_E_INTERNAL,
                    "%s has storage schema version %d; this ddbd reads version %d", st->path,
                    version, SCHEMA_VERSION);
        ddb_store_close(st);
        return NULL;
    }
    return st;
}

void ddb_store_close(ddb_store *st)
{
    if (st == NULL)
        return;
    /* The calling thread's own connection and any left by threads that
    ** have not exited. Callers stop the worker threads first. */
    pthread_setspecific(st->key, NULL);
    pthread_mutex_lock(&st->conns_lock);
    ddb_conn *c = st->conns;
    st->conns = NULL;
    pthread_mutex_unlock(&st->conns_lock);
    while (c != NULL) {
        ddb_conn *next = c->next;
        conn_close(c);
        c = next;
    }
    pthread_key_delete(st->key);
    if (st->tmpdir != NULL) {
        remove_tmpdir(st->tmpdir);
        free(st->tmpdir);
    }
    pthread_mutex_destroy(&st->write_lock);
    pthread_mutex_destroy(&st->conns_lock);
    free(st->path);
    free(st);
}

ddb_conn *ddb_store_conn(ddb_store *st, ddb_error *err)
{
    ddb_conn *c = pthread_getspecific(st->key);
    if (c != NULL)
        return c;
    c = conn_open(st, err);
    if (c == NULL)
        return NULL;
    if (st->sync_full < 0)
        sqlite3_exec(c->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
    pthread_mutex_lock(&st->conns_lock);
    c->next = st->conns;
    st->conns = c;
    pthread_mutex_unlock(&st->conns_lock);
    pthread_setspecific(st->key, c);
    return c;
}

int ddb_store_write_begin(ddb_conn *c, ddb_error *err)
{
    pthread_mutex_lock(&c->st->write_lock);
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        sql_err(err, c->db, "begin");
        pthread_mutex_unlock(&c->st->write_lock);
        return DDB_ERR;
    }
    c->in_write = 1;
    return DDB_OK;
}

int ddb_store_write_end(ddb_conn *c, int ok, ddb_error *err)
{
    int rc = DDB_OK;
    if (!c->in_write)
        return DDB_OK;
    if (ok) {
        if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            rc = sql_err(err, c->db, "commit");
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        }
    } else {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
    c->in_write = 0;
    pthread_mutex_unlock(&c->st->write_lock);
    return rc;
}

int ddb_store_write_abandon(ddb_store *st)
{
    ddb_conn *c = st ? pthread_getspecific(st->key) : NULL;
    if (c == NULL || !c->in_write)
        return 0;
    ddb_error err = DDB_ERROR_INIT;
    ddb_store_write_end(c, 0, &err);
    ddb_err_clear(&err);
    return 1;
}

int ddb_store_get(ddb_conn *c, const ddb_buf *key, ddb_buf *out_v, int64_t *out_sz,
                  ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_GET, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_blob(s, 1, key->data, (int)key->len, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int ret;
    if (rc == SQLITE_ROW) {
        if (out_sz)
            *out_sz = sqlite3_column_int64(s, 0);
        if (out_v) {
            const void *v = sqlite3_column_blob(s, 1);
            ddb_buf_append(out_v, v, (size_t)sqlite3_column_bytes(s, 1));
        }
        ret = 1;
    } else if (rc == SQLITE_DONE) {
        ret = 0;
    } else {
        ret = sql_err(err, c->db, "get");
    }
    stmt_done(s);
    return ret;
}

static int step_done(ddb_conn *c, sqlite3_stmt *s, const char *what, ddb_error *err)
{
    int rc = sqlite3_step(s);
    stmt_done(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sql_err(err, c->db, what);
    return DDB_OK;
}

int ddb_store_put(ddb_conn *c, const ddb_buf *key, const void *v, size_t vlen, int64_t sz,
                  ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_PUT, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_blob(s, 1, key->data, (int)key->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, sz);
    sqlite3_bind_blob(s, 3, v, (int)vlen, SQLITE_STATIC);
    return step_done(c, s, "put", err);
}

int ddb_store_del(ddb_conn *c, const ddb_buf *key, ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_DEL, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_blob(s, 1, key->data, (int)key->len, SQLITE_STATIC);
    return step_done(c, s, "delete", err);
}

int ddb_store_del_range(ddb_conn *c, const void *lo, size_t lo_len, const void *hi,
                        size_t hi_len, ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_DEL_RANGE, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_blob(s, 1, lo, (int)lo_len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, hi, (int)hi_len, SQLITE_STATIC);
    return step_done(c, s, "delete range", err);
}

int ddb_store_scan(ddb_conn *c, const void *lo, size_t lo_len, const void *hi, size_t hi_len,
                   int reverse, ddb_store_row_fn fn, void *ctx, ddb_error *err)
{
    int which = hi ? (reverse ? ST_SCAN_REV : ST_SCAN) : (reverse ? ST_SCAN_OPEN_REV : ST_SCAN_OPEN);
    sqlite3_stmt *s = stmt(c, which, err);
    if (s == NULL)
        return DDB_ERR;
    /* A callback may start another scan on this connection (nested reads):
    ** give it a private statement then. */
    int private_stmt = 0;
    if (sqlite3_stmt_busy(s)) {
        if (sqlite3_prepare_v2(c->db, stmt_sql[which], -1, &s, NULL) != SQLITE_OK)
            return sql_err(err, c->db, "prepare");
        private_stmt = 1;
    }
    sqlite3_bind_blob(s, 1, lo, (int)lo_len, SQLITE_STATIC);
    if (hi)
        sqlite3_bind_blob(s, 2, hi, (int)hi_len, SQLITE_STATIC);
    int ret = DDB_OK, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *k = sqlite3_column_blob(s, 0);
        size_t klen = (size_t)sqlite3_column_bytes(s, 0);
        int64_t sz = sqlite3_column_int64(s, 1);
        const unsigned char *v = sqlite3_column_blob(s, 2);
        size_t vlen = (size_t)sqlite3_column_bytes(s, 2);
        int r = fn(ctx, k, klen, v, vlen, sz, err);
        if (r != 0) {
            ret = r < 0 ? DDB_ERR : DDB_OK;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = sql_err(err, c->db, "scan");
    if (private_stmt)
        sqlite3_finalize(s);
    else
        stmt_done(s);
    return ret;
}

int ddb_store_stats_add(ddb_conn *c, uint32_t id, int64_t items, int64_t bytes, ddb_error *err)
{
    if (items == 0 && bytes == 0)
        return DDB_OK;
    sqlite3_stmt *s = stmt(c, ST_STATS_ADD, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, items);
    sqlite3_bind_int64(s, 3, bytes);
    return step_done(c, s, "stats", err);
}

int ddb_store_stats_get(ddb_conn *c, uint32_t id, int64_t *items, int64_t *bytes, ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_STATS_GET, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    *items = *bytes = 0;
    if (rc == SQLITE_ROW) {
        *items = sqlite3_column_int64(s, 0);
        *bytes = sqlite3_column_int64(s, 1);
    }
    stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sql_err(err, c->db, "stats");
    return DDB_OK;
}

int ddb_store_stats_del(ddb_conn *c, uint32_t id, ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_STATS_DEL, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_int64(s, 1, id);
    return step_done(c, s, "stats", err);
}

int ddb_store_next_id(ddb_conn *c, uint32_t *out, ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_NEXT_ID, err);
    if (s == NULL)
        return DDB_ERR;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = (uint32_t)sqlite3_column_int64(s, 0);
    /* step to completion so that RETURNING finishes the UPDATE */
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(s);
    stmt_done(s);
    if (rc != SQLITE_DONE)
        return sql_err(err, c->db, "next id");
    return DDB_OK;
}

int ddb_store_table_save(ddb_conn *c, const char *region, const char *name, const char *def,
                         ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_TABLE_SAVE, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_text(s, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, def, -1, SQLITE_STATIC);
    return step_done(c, s, "save table", err);
}

int ddb_store_table_del(ddb_conn *c, const char *region, const char *name, ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_TABLE_DEL, err);
    if (s == NULL)
        return DDB_ERR;
    sqlite3_bind_text(s, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    return step_done(c, s, "delete table", err);
}

int ddb_store_table_load(ddb_conn *c, ddb_store_table_fn fn, void *ctx, ddb_error *err)
{
    sqlite3_stmt *s = stmt(c, ST_TABLE_LOAD, err);
    if (s == NULL)
        return DDB_ERR;
    int rc, ret = DDB_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (fn(ctx, (const char *)sqlite3_column_text(s, 0),
               (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2),
               err) != DDB_OK) {
            ret = DDB_ERR;
            break;
        }
    }
    if (ret == DDB_OK && rc != SQLITE_DONE)
        ret = sql_err(err, c->db, "load tables");
    stmt_done(s);
    return ret;
}
