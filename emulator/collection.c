/* SPDX-License-Identifier: MIT
**
** collection.c -- item collection sizes for ItemCollectionMetrics (see
** collection.h): one range read per key space (the table, each LSI) over the
** rows of one partition key value, summing their DynamoDB sizes.
*/
#include "collection.h"
#include "keys.h"

#include <math.h>
#include <string.h>

int ddb_collection_wanted(const json_t *in, const ddb_table *t)
{
    const char *v = json_string_value(json_object_get(in, "ReturnItemCollectionMetrics"));
    if (v == NULL || strcmp(v, "SIZE") != 0)
        return 0;
    for (size_t i = 0; i < t->n_indexes; i++)
        if (t->indexes[i].local)
            return 1;
    return 0;
}

static int add_size(void *ctx, const unsigned char *k, size_t klen, const unsigned char *v,
                    size_t vlen, int64_t sz, ddb_error *err)
{
    (void)k;
    (void)klen;
    (void)v;
    (void)vlen;
    (void)err;
    *(uint64_t *)ctx += sz > 0 ? (uint64_t)sz : 0;
    return 0;
}

/* Sum the sizes of the rows of key space 'id' whose partition key is 'enc'. */
static int collection_bytes(ddb_conn *c, uint32_t id, const ddb_buf *enc, uint64_t *total,
                            ddb_error *err)
{
    ddb_buf lo = DDB_BUF_INIT;
    ddb_key_put_id(&lo, id);
    uint64_t h = ddb_hash64(enc->data, enc->len);
    for (int i = 0; i < 8; i++)
        ddb_buf_putc(&lo, (int)(unsigned char)(h >> (56 - 8 * i)));
    ddb_buf_append(&lo, enc->data, enc->len);
    /* every key starting with 'lo' sorts below its successor */
    ddb_buf hi = DDB_BUF_INIT;
    ddb_buf_append(&hi, lo.data, lo.len);
    while (hi.len > 0 && hi.data[hi.len - 1] == 0xFF)
        hi.len--;
    int rc = DDB_OK;
    if (hi.len > 0) {
        hi.data[hi.len - 1]++;
        rc = ddb_store_scan(c, lo.data, lo.len, hi.data, hi.len, 0, add_size, total, err);
    }
    ddb_buf_free(&lo);
    ddb_buf_free(&hi);
    return rc;
}

json_t *ddb_collection_metrics(ddb_conn *c, const ddb_table *t, const json_t *pk,
                               ddb_error *err)
{
    ddb_buf enc = DDB_BUF_INIT;
    ddb_attr_encode_key(pk, &enc);
    uint64_t bytes = 0;
    int rc = collection_bytes(c, t->id, &enc, &bytes, err);
    for (size_t i = 0; i < t->n_indexes && rc == DDB_OK; i++)
        if (t->indexes[i].local)
            rc = collection_bytes(c, t->indexes[i].id, &enc, &bytes, err);
    ddb_buf_free(&enc);
    if (rc != DDB_OK)
        return NULL;
    double lo = floor((double)bytes / (1024.0 * 1024.0 * 1024.0));
    return json_pack("{s:{s:O},s:[f,f]}", "ItemCollectionKey", t->hash.name, pk,
                     "SizeEstimateRangeGB", lo, lo + 1.0);
}
