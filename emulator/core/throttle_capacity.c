/* SPDX-License-Identifier: MIT
**
** throttle_capacity.c -- capacity arithmetic and the ConsumedCapacity JSON
** (include/ddb_throttle.h, part 1).
**
** Pure functions of sizes: read/write units, Query/Scan totals with the
** per-partition minimum, batch per-item rounding, GSI write costs, and the
** TOTAL / INDEXES response shapes plus a per-table tally for batches. All
** arithmetic is in integer milli-units (ddb_cu); doubles appear only when a
** value is handed to jansson, and every cost is a multiple of 0.5, which a
** double holds exactly. No simulator state here.
*/
#include "ddb_throttle.h"
#include "ddb_util.h"

#include <stdlib.h>
#include <string.h>

/* ceil(bytes / unit) without overflow. */
static uint64_t blocks_of(uint64_t bytes, uint64_t unit)
{
    return bytes / unit + (bytes % unit != 0);
}

/* Milli-units of one 4 KB block read in 'mode'. */
static ddb_cu read_block(ddb_read_mode mode)
{
    switch (mode) {
        case DDB_READ_EVENTUAL:
            return DDB_CU_ONE / 2;
        case DDB_READ_TRANSACTIONAL:
            return 2 * DDB_CU_ONE;
        case DDB_READ_STRONG:
        default:
            return DDB_CU_ONE;
    }
}

/* Saturating blocks x per-block; no real size comes near the limit. */
static ddb_cu times_block(uint64_t blocks, ddb_cu per)
{
    if (blocks > (uint64_t)(INT64_MAX / per))
        return INT64_MAX;
    return (ddb_cu)blocks * per;
}

ddb_cu ddb_capacity_read_units(uint64_t bytes, ddb_read_mode mode)
{
    uint64_t b = blocks_of(bytes, DDB_READ_UNIT_BYTES);
    return times_block(b ? b : 1, read_block(mode));
}

ddb_cu ddb_capacity_write_units(uint64_t bytes, int transactional)
{
    uint64_t b = blocks_of(bytes, DDB_WRITE_UNIT_BYTES);
    return times_block(b ? b : 1, transactional ? 2 * DDB_CU_ONE : DDB_CU_ONE);
}

ddb_cu ddb_capacity_item_write_units(uint64_t old_bytes, uint64_t new_bytes,
                                     int transactional)
{
    return ddb_capacity_write_units(old_bytes > new_bytes ? old_bytes : new_bytes,
                                    transactional);
}

ddb_cu ddb_capacity_scan_units(const uint64_t *bytes, size_t n_partitions,
                               ddb_read_mode mode, ddb_cu *out_per_partition)
{
    ddb_cu per = read_block(mode);
    if (n_partitions == 0)
        n_partitions = 1, bytes = NULL;
    /* B = ceil(sum / 4096), computed as the running total so that the
    ** telescoping differences d_i = ceil(cum_i) - ceil(cum_(i-1)) sum to B. */
    uint64_t sum = 0, total_blocks;
    for (size_t i = 0; i < n_partitions; i++) {
        uint64_t b = bytes ? bytes[i] : 0;
        sum = sum + b < sum ? UINT64_MAX : sum + b;
    }
    total_blocks = blocks_of(sum, DDB_READ_UNIT_BYTES);
    if (total_blocks < n_partitions)
        total_blocks = n_partitions;
    if (out_per_partition != NULL) {
        /* One block each, then the T - n remaining blocks in order, partition
        ** i taking up to d_i - 1 more. sum(max(d_i - 1, 0)) >= B - n, so the
        ** greedy pass places exactly T - n blocks. */
        uint64_t extra = total_blocks - n_partitions, cum = 0, prev_ceil = 0;
        for (size_t i = 0; i < n_partitions; i++) {
            uint64_t b = bytes ? bytes[i] : 0;
            cum = cum + b < cum ? UINT64_MAX : cum + b;
            uint64_t c = blocks_of(cum, DDB_READ_UNIT_BYTES);
            uint64_t d = c - prev_ceil;
            prev_ceil = c;
            uint64_t more = d > 1 ? d - 1 : 0;
            if (more > extra)
                more = extra;
            extra -= more;
            out_per_partition[i] = times_block(1 + more, per);
        }
    }
    return times_block(total_blocks, per);
}

ddb_cu ddb_capacity_query_units(uint64_t bytes, ddb_read_mode mode)
{
    return ddb_capacity_scan_units(&bytes, 1, mode, NULL);
}

ddb_cu ddb_capacity_batch_get_units(const uint64_t *sizes, size_t n, ddb_read_mode mode)
{
    ddb_cu sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ddb_capacity_read_units(sizes[i], mode);
    return sum;
}

ddb_cu ddb_capacity_batch_write_units(const uint64_t *sizes, size_t n)
{
    ddb_cu sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ddb_capacity_write_units(sizes[i], 0);
    return sum;
}

ddb_cu ddb_capacity_gsi_write_units(const ddb_gsi_change *c, int transactional,
                                    int *out_writes)
{
    int writes = 0;
    ddb_cu units = 0;
    if (c->old_in && !c->new_in) {
        writes = 1;
        units = ddb_capacity_write_units(c->old_entry_bytes, transactional);
    } else if (!c->old_in && c->new_in) {
        writes = 1;
        units = ddb_capacity_write_units(c->new_entry_bytes, transactional);
    } else if (c->old_in && c->new_in && c->key_changed) {
        writes = 2;
        units = ddb_capacity_write_units(c->old_entry_bytes, transactional) +
                ddb_capacity_write_units(c->new_entry_bytes, transactional);
    } else if (c->old_in && c->new_in && c->projected_changed) {
        uint64_t size = c->new_entry_bytes;
        if (c->basis == DDB_GSI_BASIS_OLD)
            size = c->old_entry_bytes;
        else if (c->basis == DDB_GSI_BASIS_MAX && c->old_entry_bytes > size)
            size = c->old_entry_bytes;
        writes = 1;
        units = ddb_capacity_write_units(size, transactional);
    }
    if (out_writes != NULL)
        *out_writes = writes;
    return units;
}

/*---- ConsumedCapacity JSON ----*/

ddb_capacity_return ddb_capacity_return_parse(const char *s)
{
    if (s != NULL && strcmp(s, "INDEXES") == 0)
        return DDB_RCC_INDEXES;
    if (s != NULL && strcmp(s, "TOTAL") == 0)
        return DDB_RCC_TOTAL;
    return DDB_RCC_NONE;
}

/* Set CapacityUnits (and with 'split' the non-zero Read/WriteCapacityUnits)
** on 'o'. */
static void put_units(json_t *o, ddb_cu read, ddb_cu write, int split)
{
    json_object_set_new(o, "CapacityUnits", json_real(ddb_cu_to_double(read + write)));
    if (split && read != 0)
        json_object_set_new(o, "ReadCapacityUnits", json_real(ddb_cu_to_double(read)));
    if (split && write != 0)
        json_object_set_new(o, "WriteCapacityUnits", json_real(ddb_cu_to_double(write)));
}

json_t *ddb_capacity_json(const ddb_capacity_use *use, ddb_capacity_return mode)
{
    if (mode == DDB_RCC_NONE)
        return NULL;
    ddb_cu read = use->read, write = use->write;
    for (size_t i = 0; i < use->n_indexes; i++) {
        read += use->indexes[i].read;
        write += use->indexes[i].write;
    }
    json_t *o = json_object();
    json_object_set_new(o, "TableName", json_string(use->table ? use->table : ""));
    put_units(o, read, write, use->split);
    if (mode != DDB_RCC_INDEXES)
        return o;
    json_t *t = json_object();
    put_units(t, use->read, use->write, use->split);
    json_object_set_new(o, "Table", t);
    for (int local = 1; local >= 0; local--) {
        json_t *m = NULL;
        for (size_t i = 0; i < use->n_indexes; i++) {
            const ddb_capacity_index_use *ix = &use->indexes[i];
            if ((ix->local != 0) != local)
                continue;
            if (m == NULL)
                m = json_object();
            json_t *c = json_object();
            put_units(c, ix->read, ix->write, use->split);
            json_object_set_new(m, ix->name ? ix->name : "", c);
        }
        if (m != NULL)
            json_object_set_new(
                o, local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes", m);
    }
    return o;
}

/*---- tally ----*/

typedef struct tally_table {
    char *name;
    ddb_cu read, write;
    ddb_capacity_index_use *ix; /* names owned (cast away const on free) */
    size_t n_ix, cap_ix;
} tally_table;

struct ddb_capacity_tally {
    tally_table *t;
    size_t n, cap;
};

ddb_capacity_tally *ddb_capacity_tally_new(void)
{
    return ddb_xcalloc(1, sizeof(ddb_capacity_tally));
}

void ddb_capacity_tally_free(ddb_capacity_tally *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->t[i].n_ix; j++)
            free((char *)t->t[i].ix[j].name);
        free(t->t[i].ix);
        free(t->t[i].name);
    }
    free(t->t);
    free(t);
}

static tally_table *tally_find(const ddb_capacity_tally *t, const char *table)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->t[i].name, table) == 0)
            return &t->t[i];
    return NULL;
}

void ddb_capacity_tally_add(ddb_capacity_tally *t, const char *table, const char *index,
                            int local, ddb_throttle_kind kind, ddb_cu units)
{
    tally_table *tt = tally_find(t, table);
    if (tt == NULL) {
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 4;
            t->t = ddb_xrealloc(t->t, t->cap * sizeof *t->t);
        }
        tt = &t->t[t->n++];
        memset(tt, 0, sizeof *tt);
        tt->name = ddb_xstrdup(table);
    }
    ddb_cu *read = &tt->read, *write = &tt->write;
    if (index != NULL) {
        ddb_capacity_index_use *ix = NULL;
        for (size_t j = 0; j < tt->n_ix; j++)
            if (strcmp(tt->ix[j].name, index) == 0 &&
                (tt->ix[j].local != 0) == (local != 0))
                ix = &tt->ix[j];
        if (ix == NULL) {
            if (tt->n_ix == tt->cap_ix) {
                tt->cap_ix = tt->cap_ix ? 2 * tt->cap_ix : 4;
                tt->ix = ddb_xrealloc(tt->ix, tt->cap_ix * sizeof *tt->ix);
            }
            ix = &tt->ix[tt->n_ix++];
            memset(ix, 0, sizeof *ix);
            ix->name = ddb_xstrdup(index);
            ix->local = local != 0;
        }
        read = &ix->read;
        write = &ix->write;
    }
    if (kind == DDB_THROTTLE_READ)
        *read += units;
    else
        *write += units;
}

ddb_cu ddb_capacity_tally_total(const ddb_capacity_tally *t, const char *table)
{
    const tally_table *tt = tally_find(t, table);
    if (tt == NULL)
        return 0;
    ddb_cu sum = tt->read + tt->write;
    for (size_t j = 0; j < tt->n_ix; j++)
        sum += tt->ix[j].read + tt->ix[j].write;
    return sum;
}

json_t *ddb_capacity_tally_json(const ddb_capacity_tally *t, ddb_capacity_return mode,
                                int split)
{
    if (mode == DDB_RCC_NONE)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const tally_table *tt = &t->t[i];
        ddb_capacity_use use = {tt->name, tt->read, tt->write, tt->ix, tt->n_ix, split};
        json_array_append_new(a, ddb_capacity_json(&use, mode));
    }
    return a;
}
