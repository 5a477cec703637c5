/* SPDX-License-Identifier: MIT
**
** keys.c -- builds the storage keys described in keys.h from items.
*/
#include "keys.h"

#include <string.h>

void ddb_key_put_id(ddb_buf *out, uint32_t id)
{
    unsigned char b[4] = {(unsigned char)(id >> 24), (unsigned char)(id >> 16),
                          (unsigned char)(id >> 8), (unsigned char)id};
    ddb_buf_append(out, b, 4);
}

void ddb_key_id_bounds(uint32_t id, unsigned char lo[4], unsigned char hi[4])
{
    uint32_t next = id + 1;
    lo[0] = (unsigned char)(id >> 24);
    lo[1] = (unsigned char)(id >> 16);
    lo[2] = (unsigned char)(id >> 8);
    lo[3] = (unsigned char)id;
    hi[0] = (unsigned char)(next >> 24);
    hi[1] = (unsigned char)(next >> 16);
    hi[2] = (unsigned char)(next >> 8);
    hi[3] = (unsigned char)next;
}

/* The value of key attribute 'ka' in 'item' if present with the right type. */
static const json_t *key_value(const json_t *item, const ddb_keyattr *ka)
{
    const json_t *av = json_object_get(item, ka->name);
    if (av == NULL || ddb_attr_type(av) != ka->type)
        return NULL;
    return av;
}

/* Append hash(enc(pk)) | enc(pk) | enc(sk) for the pair (pk, sk). */
static void put_hashed(ddb_buf *out, const json_t *pk, const json_t *sk)
{
    ddb_buf enc = DDB_BUF_INIT;
    ddb_attr_encode_key(pk, &enc);
    uint64_t h = ddb_hash64(enc.data, enc.len);
    unsigned char hb[8];
    for (int i = 0; i < 8; i++)
        hb[i] = (unsigned char)(h >> (56 - 8 * i));
    ddb_buf_append(out, hb, 8);
    ddb_buf_append(out, enc.data, enc.len);
    ddb_buf_free(&enc);
    if (sk != NULL)
        ddb_attr_encode_key(sk, out);
}

int ddb_key_item(const ddb_table *t, const json_t *item, ddb_buf *out, ddb_error *err)
{
    const json_t *pk = key_value(item, &t->hash);
    const json_t *sk = t->range.name ? key_value(item, &t->range) : NULL;
    if (pk == NULL || (t->range.name && sk == NULL))
        return ddb_err_set(err, DDB_E_VALIDATION,
                           "The provided key element does not match the schema");
    ddb_key_put_id(out, t->id);
    put_hashed(out, pk, sk);
    return DDB_OK;
}

int ddb_key_index(const ddb_table *t, const ddb_index *ix, const json_t *item, ddb_buf *out)
{
    const json_t *ipk = key_value(item, &ix->hash);
    const json_t *isk = ix->range.name ? key_value(item, &ix->range) : NULL;
    if (ipk == NULL || (ix->range.name && isk == NULL))
        return 0;
    ddb_key_put_id(out, ix->id);
    put_hashed(out, ipk, isk);
    ddb_attr_encode_key(json_object_get(item, t->hash.name), out);
    if (t->range.name)
        ddb_attr_encode_key(json_object_get(item, t->range.name), out);
    return 1;
}
