/* SPDX-License-Identifier: MIT
**
** itemio.c -- item reads and writes with secondary-index maintenance and the
** per-table and per-index item/byte counters (see itemio.h).
*/
#include "itemio.h"
#include "emulator.h"

#include <stdlib.h>
#include <string.h>

void ddb_old_item_free(ddb_old_item *o)
{
    if (o == NULL)
        return;
    ddb_buf_free(&o->text);
    json_decref(o->item);
    o->item = NULL;
    o->found = 0;
}

char *ddb_item_text(const json_t *item, size_t *out_len)
{
    char *s = json_dumps(item, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s == NULL)
        abort(); /* only on out of memory: values are validated */
    if (out_len)
        *out_len = strlen(s);
    return s;
}

int ddb_item_read(ddb_conn *c, const ddb_buf *key, ddb_buf *out, ddb_error *err)
{
    return ddb_store_get(c, key, out, NULL, err);
}

static int is_key_attr(const ddb_table *t, const ddb_index *ix, const char *name)
{
    return strcmp(name, t->hash.name) == 0 || (t->range.name && strcmp(name, t->range.name) == 0) ||
           strcmp(name, ix->hash.name) == 0 || (ix->range.name && strcmp(name, ix->range.name) == 0);
}

json_t *ddb_index_project(const ddb_table *t, const ddb_index *ix, const json_t *item)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)item, k, v) {
        int keep = ix->projection == DDB_PROJ_ALL || is_key_attr(t, ix, k);
        for (size_t i = 0; !keep && i < ix->n_nonkey; i++)
            keep = strcmp(ix->nonkey[i], k) == 0;
        if (keep)
            json_object_set(out, k, v);
    }
    return out;
}

/* Put the entry of 'item' into index 'ix' under 'ikey'; returns its size via *out_sz. */
static int put_entry(ddb_conn *c, const ddb_table *t, const ddb_index *ix, const ddb_buf *ikey,
                     const json_t *item, int64_t *out_sz, ddb_error *err)
{
    json_t *proj = ddb_index_project(t, ix, item);
    size_t len;
    char *text = ddb_item_text(proj, &len);
    int64_t sz = (int64_t)ddb_item_size(proj);
    json_decref(proj);
    int rc = ddb_store_put(c, ikey, text, len, sz, err);
    free(text);
    *out_sz = sz;
    return rc;
}

/* Maintain one index for the change old_item -> new_item (either may be NULL). */
static int update_index(ddb_conn *c, const ddb_table *t, const ddb_index *ix,
                        const json_t *old_item, const json_t *new_item, ddb_error *err)
{
    ddb_buf okey = DDB_BUF_INIT, nkey = DDB_BUF_INIT;
    int in_old = old_item ? ddb_key_index(t, ix, old_item, &okey) : 0;
    int in_new = new_item ? ddb_key_index(t, ix, new_item, &nkey) : 0;
    int rc = DDB_OK;
    int64_t old_sz = 0, new_sz = 0, dcount = 0;

    if (in_old) {
        if (ddb_store_get(c, &okey, NULL, &old_sz, err) < 0)
            rc = DDB_ERR;
        else if (!in_new || okey.len != nkey.len || memcmp(okey.data, nkey.data, okey.len) != 0) {
            rc = ddb_store_del(c, &okey, err);
            dcount--;
        }
    }
    if (rc == DDB_OK && in_new) {
        rc = put_entry(c, t, ix, &nkey, new_item, &new_sz, err);
        /* moved or new entry adds one; an entry rewritten in place does not */
        if (!in_old || dcount < 0)
            dcount++;
    }
    if (rc == DDB_OK)
        rc = ddb_store_stats_add(c, ix->id, dcount, new_sz - (in_old ? old_sz : 0), err);
    ddb_buf_free(&okey);
    ddb_buf_free(&nkey);
    return rc;
}

int ddb_item_load(ddb_conn *c, const ddb_buf *key, ddb_old_item *o, ddb_error *err)
{
    memset(o, 0, sizeof *o);
    int rc = ddb_store_get(c, key, &o->text, &o->size, err);
    if (rc < 0)
        return DDB_ERR;
    o->found = rc;
    if (o->found) {
        json_error_t jerr;
        o->item = json_loadb((const char *)o->text.data, o->text.len, JSON_ALLOW_NUL, &jerr);
        if (o->item == NULL)
            return ddb_err_set(err, DDB_E_INTERNAL, "unreadable stored item");
    }
    return DDB_OK;
}

int ddb_item_store(ddb_conn *c, const ddb_table *t, const ddb_buf *key, const ddb_old_item *o,
                   json_t *new_item, size_t new_size, ddb_error *err)
{
    int rc = DDB_OK;
    for (size_t i = 0; i < t->n_indexes && rc == DDB_OK; i++)
        rc = update_index(c, t, &t->indexes[i], o->item, new_item, err);
    if (rc != DDB_OK)
        return DDB_ERR;
    if (new_item != NULL) {
        size_t len;
        char *text = ddb_item_text(new_item, &len);
        rc = ddb_store_put(c, key, text, len, (int64_t)new_size, err);
        free(text);
        if (rc == DDB_OK)
            rc = ddb_store_stats_add(c, t->id, o->found ? 0 : 1,
                                     (int64_t)new_size - (o->found ? o->size : 0), err);
    } else if (o->found) {
        rc = ddb_store_del(c, key, err);
        if (rc == DDB_OK)
            rc = ddb_store_stats_add(c, t->id, -1, -o->size, err);
    }
    return rc;
}

int ddb_item_write(ddb_conn *c, const ddb_table *t, const ddb_buf *key, json_t *new_item,
                   size_t new_size, ddb_old_item *old, ddb_error *err)
{
    ddb_old_item local = {0};
    ddb_old_item *o = old ? old : &local;
    int rc = ddb_item_load(c, key, o, err);
    if (rc == DDB_OK)
        rc = ddb_item_store(c, t, key, o, new_item, new_size, err);
    if (old == NULL)
        ddb_old_item_free(&local);
    return rc;
}

typedef struct backfill_ctx {
    ddb_conn *c;
    const ddb_table *t;
    const ddb_index *ix;
    int64_t count, bytes;
} backfill_ctx;

static int backfill_row(void *ctx, const unsigned char *k, size_t klen, const unsigned char *v,
                        size_t vlen, int64_t sz, ddb_error *err)
{
    (void)k;
    (void)klen;
    (void)sz;
    backfill_ctx *bc = ctx;
    json_error_t jerr;
    json_t *item = json_loadb((const char *)v, vlen, JSON_ALLOW_NUL, &jerr);
    if (item == NULL)
        return ddb_err_set(err, DDB_E_INTERNAL, "unreadable stored item");
    ddb_buf ikey = DDB_BUF_INIT;
    int rc = 0;
    if (ddb_key_index(bc->t, bc->ix, item, &ikey)) {
        int64_t esz = 0;
        if (put_entry(bc->c, bc->t, bc->ix, &ikey, item, &esz, err) != DDB_OK)
            rc = DDB_ERR;
        bc->count++;
        bc->bytes += esz;
    }
    ddb_buf_free(&ikey);
    json_decref(item);
    return rc;
}

int ddb_index_backfill(ddb_conn *c, const ddb_table *t, const ddb_index *ix, ddb_error *err)
{
    unsigned char lo[4], hi[4];
    ddb_key_id_bounds(t->id, lo, hi);
    backfill_ctx bc = {c, t, ix, 0, 0};
    if (ddb_store_scan(c, lo, 4, hi, 4, 0, backfill_row, &bc, err) != DDB_OK)
        return DDB_ERR;
    return ddb_store_stats_add(c, ix->id, bc.count, bc.bytes, err);
}

int ddb_rows_drop(ddb_conn *c, uint32_t id, ddb_error *err)
{
    unsigned char lo[4], hi[4];
    ddb_key_id_bounds(id, lo, hi);
    if (ddb_store_del_range(c, lo, 4, hi, 4, err) != DDB_OK)
        return DDB_ERR;
    return ddb_store_stats_del(c, id, err);
}
