/* SPDX-License-Identifier: MIT
**
** throughput.h -- ddbd's side of the throughput simulator
** (include/ddb_throttle.h): one simulator per region, kept in step with the
** catalog (tables and GSIs registered lazily, updated when a table's
** definition changes); the clock (real, or manual for deterministic tests);
** capacity of item writes and reads with their charges; admission with
** DynamoDB's throttling errors; ConsumedCapacity for replies; the
** ThrottledRequests counts.
*/
#ifndef DDB_THROUGHPUT_H
#define DDB_THROUGHPUT_H

#include "catalog.h"
#include "ddb_throttle.h"
#include "emulator.h"

typedef struct ddb_tput ddb_tput;

/* From the server's configuration (throttling, clock and model flags). New. */
ddb_tput *ddb_tput_new(const ddb_config *cfg);
void ddb_tput_free(ddb_tput *tp);

/* The simulation clock: wall time, or the manual clock. */
double ddb_tput_now(ddb_tput *tp);
/* Manual clock: advance by 'seconds' (>= 0) or set it; DDB_ERR in real-clock mode. */
int ddb_tput_clock_advance(ddb_tput *tp, double seconds, ddb_error *err);
int ddb_tput_clock_set(ddb_tput *tp, double t, ddb_error *err);
int ddb_tput_clock_manual(const ddb_tput *tp);

/* The simulator of 't's region with 't' and its GSIs registered and current.
** Borrowed; NULL with err set on failure. */
ddb_throttle_sim *ddb_tput_sim(ddb_tput *tp, const ddb_table *t, ddb_error *err);
/* The simulator of 'region' (created if new). Borrowed. */
ddb_throttle_sim *ddb_tput_region(ddb_tput *tp, const char *region);
/* Forget a deleted table. */
void ddb_tput_forget(ddb_tput *tp, const char *region, const char *name);

/* Admit 'charges' on 't' (throttling on), or just count them (off). DDB_OK,
** or DDB_ERR with DynamoDB's throttling error recorded. When 'v' is not NULL
** it receives the verdict (batches decide per item). */
int ddb_tput_admit(ddb_tput *tp, const ddb_table *t, const ddb_throttle_charge *charges,
                   size_t n, ddb_throttle_verdict *v, ddb_error *err);
/* 1 when 'err' holds one of the throttling errors. */
int ddb_tput_throttled(const ddb_error *err);

/* Report a finished request for ThrottledRequests. */
void ddb_tput_note(ddb_tput *tp, const ddb_table *t, const char *operation, int throttled);

/* Reporting, for ddbd's own endpoints and the console. */
/* The per-partition ceilings of the model, {"Read": RCU/s, "Write": WCU/s}. New. */
json_t *ddb_tput_ceiling_json(const ddb_tput *tp);
/* 1 when requests are throttled (--throttling on), 0 when only counted. */
int ddb_tput_throttling(const ddb_tput *tp);
/* Add "Partition": position (hash order) to every key of the Contributor
** Insights object 'ci' of 'table' (index NULL) or its GSI 'index' whose
** partition can be found: a key's label is its text (S), number (N) or
** base64 (B); 'type' is the partition key's type. */
void ddb_tput_locate_ci(ddb_throttle_sim *sim, const char *table, const char *index,
                        ddb_type type, json_t *ci, double now);
/* The same for one entry of a metrics answer's "Tables" (ddb_throttle_metrics_json):
** the table's Contributor Insights and each of its GSIs'. */
void ddb_tput_locate_table_keys(ddb_throttle_sim *sim, const ddb_table *t, json_t *tab,
                                double now);

/* The capacity of one item write (PutItem, UpdateItem, DeleteItem, a batch
** put or delete): the table's units (LSIs included), each GSI's, and the
** charges to admit. */
#define DDB_TPUT_MAX_CHARGES 48
typedef struct ddb_write_cost {
    ddb_cu table_units;       /* the base table; LSI writes are in ix[] and are
                              ** charged to the table's throughput */
    ddb_capacity_index_use ix[32];
    size_t n_ix;
    ddb_throttle_charge charges[DDB_TPUT_MAX_CHARGES];
    size_t n_charges;
    char *labels[DDB_TPUT_MAX_CHARGES]; /* owned partition key labels of the charges */
} ddb_write_cost;

/* Fill 'c' for 'old_item' (NULL: none) -> 'new_item' (NULL: deleted) of 't'.
** 'old_size' / 'new_size' are the item sizes (0 when absent). 'key_item'
** holds the table key (the item, or the Key map). */
void ddb_write_cost_compute(const ddb_table *t, const json_t *key_item, const json_t *old_item,
                            uint64_t old_size, const json_t *new_item, uint64_t new_size,
                            ddb_write_cost *c);
/* The cost of a write refused by its condition: 1 unit on a new item, the
** new image's units on an existing one (no index writes happen). */
void ddb_write_cost_failed(const ddb_table *t, const json_t *key_item, uint64_t old_size,
                           uint64_t new_size, ddb_write_cost *c);
void ddb_write_cost_free(ddb_write_cost *c);

/* A read charge of 'units' on the partition of 'key_item's partition key:
** the table's (a table or LSI read; only the partition key attribute is
** needed), or the GSI's when 'ix' is a GSI. 'label' receives an owned string
** to free after the admission. */
ddb_throttle_charge ddb_read_charge(const ddb_table *t, const ddb_index *ix,
                                    const json_t *key_item, ddb_cu units, char **label);

/* ConsumedCapacity of a single-table request per ReturnConsumedCapacity in
** 'in' (NULL when not asked for). */
json_t *ddb_consumed_capacity(const json_t *in, const ddb_table *t, ddb_cu read, ddb_cu write,
                              const ddb_capacity_index_use *ix, size_t n_ix);

/* 1 when the request asked for ConsumedCapacity. */
int ddb_wants_capacity(const json_t *in);

#endif
