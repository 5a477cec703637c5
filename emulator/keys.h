/* SPDX-License-Identifier: MIT
**
** keys.h -- storage keys of items and index entries.
**
**   item:        id(4, big-endian) | hash(8) | enc(pk) | enc(sk)
**   index entry: id(4)             | hash(8) | enc(index pk) | enc(index sk)
**                                            | enc(table pk) | enc(table sk)
**
** 'hash' is ddb_hash64 of enc(pk), big-endian, so that rows are ordered by
** partition-key hash (DynamoDB's Scan order) and then by sort key; a Query is
** a range read under the prefix id|hash|enc(pk). enc() is ddb_attr_encode_key;
** absent sort keys encode as nothing. The table key suffix makes index entries
** with equal index keys distinct.
*/
#ifndef DDB_KEYS_H
#define DDB_KEYS_H

#include "catalog.h"

/* Write the 4-byte big-endian id. */
void ddb_key_put_id(ddb_buf *out, uint32_t id);

/* The item key of 'item' (any attribute map holding the table's key
** attributes with the right types; callers validate first). */
int ddb_key_item(const ddb_table *t, const json_t *item, ddb_buf *out, ddb_error *err);

/* The index entry key of 'item' in 'ix'. Returns 1 and fills 'out' when the
** item carries the index's key attributes with the index's types, 0 when it
** is not in the (sparse) index. */
int ddb_key_index(const ddb_table *t, const ddb_index *ix, const json_t *item, ddb_buf *out);

/* [lo, hi) bounds covering every row of id. */
void ddb_key_id_bounds(uint32_t id, unsigned char lo[4], unsigned char hi[4]);

#endif
