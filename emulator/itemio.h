/* SPDX-License-Identifier: MIT
**
** itemio.h -- reading items and writing them together with their secondary
** index entries and counters. Every write runs inside one store write
** transaction opened by the caller, so an item and all its index entries
** change atomically; an item missing an index's key attributes has no entry
** in that index (sparse indexes).
*/
#ifndef DDB_ITEMIO_H
#define DDB_ITEMIO_H

#include "catalog.h"
#include "keys.h"

typedef struct ddb_old_item {
    int found;
    ddb_buf text;      /* the stored JSON text of the previous item */
    json_t *item;      /* parsed previous item, when it was needed; owned */
    int64_t size;      /* its DynamoDB size */
} ddb_old_item;

void ddb_old_item_free(ddb_old_item *o);

/* Read the item at 'key'. Returns 1 (found, JSON text appended to 'out'),
** 0 (absent) or DDB_ERR. */
int ddb_item_read(ddb_conn *c, const ddb_buf *key, ddb_buf *out, ddb_error *err);

/* Read the item at 'key' into 'old' for a read-modify-write (inside a write
** transaction): found flag, stored text, size, and the parsed item. */
int ddb_item_load(ddb_conn *c, const ddb_buf *key, ddb_old_item *old, ddb_error *err);

/* Second half of a read-modify-write: replace (new_item != NULL) or delete the
** item at 'key', given 'old' as loaded by ddb_item_load, maintaining every index
** of 't' and the counters. */
int ddb_item_store(ddb_conn *c, const ddb_table *t, const ddb_buf *key, const ddb_old_item *old,
                   json_t *new_item, size_t new_size, ddb_error *err);

/* Replace (new_item != NULL) or delete (new_item == NULL) the item at 'key'
** of table 't', maintaining every index of 't' and the counters. 'new_size'
** is the new item's size. When 'old' is not NULL it receives the previous
** item (text always, parsed form too). Call between ddb_store_write_begin and
** ddb_store_write_end. */
int ddb_item_write(ddb_conn *c, const ddb_table *t, const ddb_buf *key, json_t *new_item,
                   size_t new_size, ddb_old_item *old, ddb_error *err);

/* The projection of 'item' into index 'ix' (a new object holding borrowed
** values: table keys, index keys and the projected attributes). */
json_t *ddb_index_project(const ddb_table *t, const ddb_index *ix, const json_t *item);

/* Index every existing item of 't' into 'ix' (UpdateTable's backfill);
** inside a write transaction. Items whose index key attributes have another
** type than the index's definition are left out of the index. */
int ddb_index_backfill(ddb_conn *c, const ddb_table *t, const ddb_index *ix, ddb_error *err);

/* Remove every row of a table or index id and its counters. */
int ddb_rows_drop(ddb_conn *c, uint32_t id, ddb_error *err);

/* JSON text of an item as stored: compact, keys in the order given. New. */
char *ddb_item_text(const json_t *item, size_t *out_len);

#endif
