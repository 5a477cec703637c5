/* SPDX-License-Identifier: MIT
**
** ddb_throttle.h -- capacity arithmetic and the partition throughput simulator.
**
** Two layers, both pure (no I/O, no HTTP, no SQLite, no system clock):
**
**  1. Capacity arithmetic (ddb_capacity_*): read/write units for item sizes,
**     Query/Scan totals, batches, GSI write costs, and the ConsumedCapacity
**     JSON in DynamoDB's TOTAL / INDEXES shapes.
**  2. The simulator (ddb_throttle_*): per table and per GSI a partition map
**     over the 64-bit ddb_hash64 space, per-partition read/write buckets,
**     burst credit, adaptive capacity, optional split-for-heat, on-demand
**     scaling and quotas; atomic admission of a set of charges with the exact
**     ThrottlingReasons, exception and message; CloudWatch-style metrics and
**     Contributor-Insights-style top keys, exported as JSON or Prometheus text.
**
** Units. Capacity amounts are ddb_cu: int64 milli-units (1 RCU/WCU/RRU/WRU =
** 1000). Every per-request cost is a multiple of 500 (0.5 unit), so all cost
** arithmetic is exact; per-partition shares (table capacity / partitions) are
** truncated to whole milli-units. Configuration throughputs are whole units
** per second (int64), as in the DynamoDB API. Sizes are bytes.
**
** Time. Every simulator call takes 'now' in seconds (a double chosen by the
** caller: wall clock in the emulator, a script in tests); the library never
** reads a clock. Enforcement works in whole-second windows [k, k+1): window
** k = floor(now). Time never runs backwards: a 'now' earlier than one already
** seen is treated as the latest seen. Given the same sequence of calls, the
** simulator's answers are identical on every run and platform.
**
** Threads. A ddb_throttle_sim is guarded by one internal mutex; every
** function taking a sim may be called from any thread. Strings passed in are
** copied when the sim keeps them.
*/
#ifndef DDB_THROTTLE_H
#define DDB_THROTTLE_H

#include "ddb_error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*==== Units and modes ====*/

/* Capacity in milli-units: 1000 = one RCU/WCU. */
typedef int64_t ddb_cu;
#define DDB_CU_ONE 1000

/* A ddb_cu as a double in units (exact for multiples of 0.5). */
static inline double ddb_cu_to_double(ddb_cu v)
{
    return (double)v / DDB_CU_ONE;
}

/* How a read is charged: eventually consistent (x0.5), strongly consistent
** (x1) or transactional (x2) per 4 KB. */
typedef enum ddb_read_mode {
    DDB_READ_EVENTUAL = 0,
    DDB_READ_STRONG,
    DDB_READ_TRANSACTIONAL,
} ddb_read_mode;

/* Which bucket a charge draws from. */
typedef enum ddb_throttle_kind {
    DDB_THROTTLE_READ = 0,
    DDB_THROTTLE_WRITE = 1
} ddb_throttle_kind;

/*==== 1. Capacity arithmetic (pure functions, no state) ====*/

#define DDB_READ_UNIT_BYTES 4096  /* one read unit covers 4 KB */
#define DDB_WRITE_UNIT_BYTES 1024 /* one write unit covers 1 KB */

/* Units of reading one item of 'bytes' bytes: ceil(bytes / 4096) blocks, at
** least one (a missing item costs the minimum), times 0.5 / 1 / 2 for
** 'mode'. GetItem, each BatchGetItem key, each TransactGetItems item. */
ddb_cu ddb_capacity_read_units(uint64_t bytes, ddb_read_mode mode);

/* Units of writing 'bytes' bytes: ceil(bytes / 1024), at least one, doubled
** when 'transactional' is non-zero. */
ddb_cu ddb_capacity_write_units(uint64_t bytes, int transactional);

/* Units of a PutItem / UpdateItem / DeleteItem: the larger of the old and new
** item images, rounded as ddb_capacity_write_units. 0 means "no such image"
** (new item; delete; missing item to delete costs 1). */
ddb_cu ddb_capacity_item_write_units(uint64_t old_bytes, uint64_t new_bytes,
                                     int transactional);

/* Units of one Query or Scan page: the sizes of all items read (evaluated,
** before FilterExpression and projection) are summed and the total rounded up
** to 4 KB, but never less than one 4 KB block per partition involved,
** including partitions that returned nothing:
**     blocks = max(ceil(sum(bytes[i]) / 4096), n_partitions)
** times 0.5 / 1 for 'mode'. 'bytes' holds the bytes read in each partition
** (n_partitions >= 1 entries; a Query has one). When 'out_per_partition' is
** not NULL it receives (n_partitions entries) a split of the total for
** admission charges: each partition gets one block, then the remaining blocks
** go to partitions in order as their own bytes require (deterministic; the
** parts sum to the total). */
ddb_cu ddb_capacity_scan_units(const uint64_t *bytes, size_t n_partitions,
                               ddb_read_mode mode,
                               ddb_cu *out_per_partition /* OUT: may be NULL */);

/* A Query (or single-partition Scan) page of 'bytes' bytes read in total:
** ddb_capacity_scan_units over one partition. */
ddb_cu ddb_capacity_query_units(uint64_t bytes, ddb_read_mode mode);

/* BatchGetItem: each of the 'n' item sizes rounded to 4 KB separately (0 =
** missing item, minimum charge), then summed. */
ddb_cu ddb_capacity_batch_get_units(const uint64_t *sizes, size_t n, ddb_read_mode mode);

/* BatchWriteItem: each put/delete rounded to 1 KB separately, then summed.
** sizes[i] is the size charged for request i (the put item, or the deleted
** item; 0 = deleting a missing item, 1 unit). */
ddb_cu ddb_capacity_batch_write_units(const uint64_t *sizes, size_t n);

/* What a write does to one GSI (or LSI), for ddb_capacity_gsi_write_units. */
typedef enum ddb_gsi_basis {
    DDB_GSI_BASIS_NEW = 0, /* projected-only update costs the new entry (default) */
    DDB_GSI_BASIS_OLD,     /* ... the old entry */
    DDB_GSI_BASIS_MAX,     /* ... the larger of the two */
} ddb_gsi_basis;

typedef struct ddb_gsi_change {
    int old_in;               /* the old item had all key attributes of the index */
    int new_in;               /* the new item has all key attributes of the index */
    int key_changed;          /* both in, and an index key value differs */
    int projected_changed;    /* both in, keys equal, a projected attribute differs */
    uint64_t old_entry_bytes; /* index entry size of the old item (keys + table keys
                              ** + projected attributes); used when old_in */
    uint64_t new_entry_bytes; /* same for the new item; used when new_in */
    ddb_gsi_basis basis;      /* open point 5 of the reference; 0 = new entry */
} ddb_gsi_change;

/* Write units one index consumes for a write ([AWS DOC GSI/LSI]):
**   in neither image                 0 writes
**   old only (key removed, delete)   1 write  wu(old entry)
**   new only (put, key added)        1 write  wu(new entry)
**   both, key value changed          2 writes wu(old) + wu(new)
**   both, projected attribute changed 1 write wu(per 'basis')
**   both, nothing projected changed  0 writes
** wu() is ddb_capacity_write_units; 'transactional' doubles each write.
** *out_writes (may be NULL) receives 0, 1 or 2. */
ddb_cu ddb_capacity_gsi_write_units(const ddb_gsi_change *c, int transactional,
                                    int *out_writes /* OUT: may be NULL */);

/*---- ConsumedCapacity JSON ----*/

/* ReturnConsumedCapacity. */
typedef enum ddb_capacity_return {
    DDB_RCC_NONE = 0,
    DDB_RCC_TOTAL,
    DDB_RCC_INDEXES,
} ddb_capacity_return;

/* "INDEXES" / "TOTAL" -> the mode; NULL, "NONE" or anything else -> NONE
** (the request validator rejects other values before this is called). */
ddb_capacity_return ddb_capacity_return_parse(const char *s);

/* One secondary index touched by a request. */
typedef struct ddb_capacity_index_use {
    const char *name; /* index name; borrowed */
    int local;        /* 1 = LSI (LocalSecondaryIndexes), 0 = GSI */
    ddb_cu read;      /* units read through the index */
    ddb_cu write;     /* units written to the index */
} ddb_capacity_index_use;

/* What one request consumed on one table. */
typedef struct ddb_capacity_use {
    const char *table; /* TableName; borrowed */
    ddb_cu read;       /* units on the base table itself */
    ddb_cu write;
    const ddb_capacity_index_use *indexes; /* borrowed; NULL when n_indexes is 0 */
    size_t n_indexes;
    int split; /* 1 for TransactGetItems / TransactWriteItems: add the
               ** ReadCapacityUnits / WriteCapacityUnits members (each only
               ** when non-zero) next to every CapacityUnits */
} ddb_capacity_use;

/* The ConsumedCapacity object for one table, as DynamoDB shapes it; all
** numbers are JSON reals (1.0, 0.5):
**   TOTAL:   {"TableName":T,"CapacityUnits":total}
**   INDEXES: {"TableName":T,"CapacityUnits":total,"Table":{"CapacityUnits":t},
**             "LocalSecondaryIndexes":{name:{"CapacityUnits":u}},   (only if any)
**             "GlobalSecondaryIndexes":{name:{"CapacityUnits":u}}}  (only if any)
** "Table" is present even when 0 (Query on a GSI). total = base table + all
** indexes. With 'split', ReadCapacityUnits/WriteCapacityUnits follow each
** CapacityUnits. Single-item operations send the object; batch and
** transactional operations send an array of them, one per table, which the
** caller builds (see ddb_capacity_tally). Returns a new reference, or NULL
** for DDB_RCC_NONE. */
json_t *ddb_capacity_json(const ddb_capacity_use *use, ddb_capacity_return mode);

/* An accumulator of capacity per table and index across the items of a
** batch or transaction; tables keep first-seen order. */
typedef struct ddb_capacity_tally ddb_capacity_tally;

/* New empty tally; caller frees with ddb_capacity_tally_free. */
ddb_capacity_tally *ddb_capacity_tally_new(void);
/* Free 't' and everything it owns; NULL-safe. */
void ddb_capacity_tally_free(ddb_capacity_tally *t);
/* Add 'units' of 'kind' on 'table' ('index' NULL) or on its index 'index'
** ('local' = LSI). Strings are copied. An entry is created even for 0 units,
** so a table read with no cost still appears. */
void ddb_capacity_tally_add(ddb_capacity_tally *t, const char *table, const char *index,
                            int local, ddb_throttle_kind kind, ddb_cu units);
/* Total units of 'table' so far (base + indexes, reads + writes); 0 if absent. */
ddb_cu ddb_capacity_tally_total(const ddb_capacity_tally *t, const char *table);
/* ConsumedCapacity of the tally: an array with one ddb_capacity_json object
** per table (batch / transaction shape). 'split' as in ddb_capacity_use.
** New reference; NULL for DDB_RCC_NONE. */
json_t *ddb_capacity_tally_json(const ddb_capacity_tally *t, ddb_capacity_return mode,
                                int split);

/*==== 2. The simulator ====*/

/* Enforcement constants of the model. All are defaults of ddb_throttle_model
** except where noted. */
#define DDB_THROTTLE_PARTITION_RCU 3000            /* per-partition ceiling, RCU/s */
#define DDB_THROTTLE_PARTITION_WCU 1000            /* per-partition ceiling, WCU/s */
#define DDB_THROTTLE_PARTITION_BYTES (10ull << 30) /* 10 GiB per partition */
#define DDB_THROTTLE_BURST_SECONDS 300             /* burst credit kept */
#define DDB_THROTTLE_SPLIT_PERCENT 80              /* split-for-heat: busy threshold */
#define DDB_THROTTLE_SPLIT_SECONDS 10              /* ... for this many seconds */
#define DDB_THROTTLE_MAX_PARTITIONS 256            /* per table or GSI */
#define DDB_THROTTLE_WARM_READ 12000               /* new on-demand table, reads/s */
#define DDB_THROTTLE_WARM_WRITE 4000               /* new on-demand table, writes/s */
#define DDB_THROTTLE_PEAK_SECONDS 1800             /* on demand: hold a level this long */
#define DDB_THROTTLE_QUOTA 40000                   /* per-table (or GSI) units/s */

/* Fixed sizes (not configurable): bounded memory per resource. */
#define DDB_THROTTLE_SECOND_SLOTS 120  /* per-second history kept */
#define DDB_THROTTLE_MINUTE_SLOTS 60   /* per-minute history kept */
#define DDB_THROTTLE_CI_SLOTS 32       /* space-saving counters per top-N sketch */
#define DDB_THROTTLE_CI_KEY_MAX 2048   /* longest partition key label kept (bytes) */
#define DDB_THROTTLE_MAX_CHARGES 4096  /* charges in one admission */
#define DDB_THROTTLE_MAX_REASONS 4     /* ThrottlingReasons entries reported */
#define DDB_THROTTLE_ARN_MAX 640       /* longest ARN (longer ones are truncated) */
#define DDB_THROTTLE_MAX_OPERATIONS 32 /* operations per table (ThrottledRequests) */

typedef enum ddb_throttle_rw {
    DDB_THROTTLE_RW_INDEPENDENT = 0, /* reads and writes have separate ceilings */
    DDB_THROTTLE_RW_LINEAR,          /* one budget: r/3000 + w/1000 <= 1 */
} ddb_throttle_rw;

typedef enum ddb_billing {
    DDB_BILLING_PROVISIONED = 0,
    DDB_BILLING_PAY_PER_REQUEST,
} ddb_billing;

/* The knobs of the model. A sim holds defaults; a table may carry its own
** copy (ddb_throttle_table_cfg.model), which its GSIs inherit. */
typedef struct ddb_throttle_model {
    int64_t partition_read_max;  /* per-partition (and per-key) ceiling, RCU/s */
    int64_t partition_write_max; /* ... WCU/s */
    uint64_t partition_bytes;    /* bytes per partition in the count formula */
    int burst_seconds;           /* seconds of unused capacity banked; 0 = none */
    int adaptive;                /* 1: a partition may exceed its share up to its
                                 ** ceiling while the table has capacity */
    ddb_throttle_rw rw;          /* ceiling mode (open point 1) */
    int split_for_heat;          /* 1: split busy partitions between hot keys */
    int split_percent;           /* busy = >= this % of a ceiling in a second ... */
    int split_seconds;           /* ... (or KeyRange-throttled) for this many
                                 ** consecutive seconds */
    unsigned max_partitions;     /* cap on partitions per table or GSI */
    int64_t warm_read;           /* on-demand: initial capacity, units/s */
    int64_t warm_write;
    int peak_seconds;   /* on-demand: seconds a level must be held
                        ** before it becomes the previous peak */
    int64_t quota_read; /* per-table / per-GSI quota, units/s */
    int64_t quota_write;
} ddb_throttle_model;

/* Fill 'm' with the defaults above (adaptive on, independent, no split). */
void ddb_throttle_model_defaults(ddb_throttle_model *m);

/* Throughput settings of a table or of one GSI. Start from
** ddb_throttle_table_cfg_init, then set what applies. */
typedef struct ddb_throttle_table_cfg {
    ddb_billing billing; /* table only; GSIs follow their table */
    int64_t rcu, wcu;    /* provisioned units/s (ignored on demand) */
    int64_t max_read;    /* on demand: OnDemandThroughput.MaxReadRequestUnits;
                         ** <= 0 = no maximum */
    int64_t max_write;   /* ... MaxWriteRequestUnits */
    int64_t warm_read;   /* on demand: initial capacity; 0 = model default */
    int64_t warm_write;
    int64_t peak_read; /* on demand: previous peak to start from (e.g. the
                       ** provisioned throughput before a mode switch); 0 = none */
    int64_t peak_write;
    uint64_t bytes;      /* table size for the partition formula; 0 = ignore */
    unsigned partitions; /* > 0: fixed partition count for teaching (no
                         ** automatic growth; split-for-heat still per model) */
    const ddb_throttle_model *model; /* table only: NULL = the sim's defaults;
                                     ** copied */
    const char *arn;                 /* table only: TableArn; NULL = built from the sim's
                                     ** region and account; copied */
} ddb_throttle_table_cfg;

/* Zero 'cfg': provisioned, 0/0 throughput, no maximum, formula partitions,
** the sim's model and a built ARN. */
void ddb_throttle_table_cfg_init(ddb_throttle_table_cfg *cfg);

/* The simulator: all tables of one account and region. Opaque. */
typedef struct ddb_throttle_sim ddb_throttle_sim;

/* New simulator. 'defaults' (copied; NULL, or settings out of range, =
** ddb_throttle_model_defaults) is the model of tables added without their
** own; 'region' and 'account' (copied; NULL = "us-east-1" / "000000000000")
** build ARNs. Never NULL (out of memory aborts). Caller frees with
** ddb_throttle_sim_free. */
ddb_throttle_sim *ddb_throttle_sim_new(const ddb_throttle_model *defaults,
                                       const char *region, const char *account);
/* Free 'sim' and all its tables; NULL-safe. */
void ddb_throttle_sim_free(ddb_throttle_sim *sim);

/*---- tables and indexes ----*/

/* Partition count of a new table or GSI (also used by the update functions):
**   fixed:       cfg->partitions
**   provisioned: max(ceil(rcu/Rmax + wcu/Wmax), ceil(bytes/partition_bytes), 1)
**   on demand:   max(ceil(C_r/Rmax), ceil(C_w/Wmax), ceil(bytes/..), 1) where
**                C = max(warm, 2 x previous peak) (4 for the defaults)
** capped at model.max_partitions (Rmax, Wmax: the partition ceilings).
** Partitions are equal contiguous ranges of the hash space (see
** ddb_throttle_range_start). */

/* Register table 'table' at time 'now' with settings 'cfg'. Burst banks start
** empty. Fails (DDB_E_INTERNAL) if the table exists or 'cfg' is invalid
** (negative throughput, partitions above the cap). */
int ddb_throttle_table_add(ddb_throttle_sim *sim, const char *table,
                           const ddb_throttle_table_cfg *cfg, double now, ddb_error *err);

/* UpdateTable: new throughput, billing mode, maximum, size or model. Partition
** state is kept. If the formula now asks for more partitions than exist, every
** partition splits in two until there are enough (never merged). Switching to
** on demand raises the previous peak to at least the provisioned throughput
** (the guide's current text, open point 11); GSIs follow the table's mode,
** then take their own settings from ddb_throttle_index_update (until then a
** GSI switched to provisioned keeps its last provisioned numbers). Every field
** of 'cfg' is applied (start from the current settings, not from zero);
** 'cfg->model' NULL keeps the table's model; 'cfg->arn' and 'cfg->partitions'
** are ignored here. A split halves the current second's usage and the banks
** between the halves. */
int ddb_throttle_table_update(ddb_throttle_sim *sim, const char *table,
                              const ddb_throttle_table_cfg *cfg, double now,
                              ddb_error *err);

/* Forget 'table' and its GSIs. Fails if unknown. */
int ddb_throttle_table_remove(ddb_throttle_sim *sim, const char *table, ddb_error *err);

/* Register GSI 'index' of 'table' ('cfg->billing', 'model' and 'arn' are
** ignored: the table's apply; the index ARN is "<table arn>/index/<index>"). */
int ddb_throttle_index_add(ddb_throttle_sim *sim, const char *table, const char *index,
                           const ddb_throttle_table_cfg *cfg, double now, ddb_error *err);
/* UpdateTable on a GSI's throughput (as ddb_throttle_table_update). */
int ddb_throttle_index_update(ddb_throttle_sim *sim, const char *table, const char *index,
                              const ddb_throttle_table_cfg *cfg, double now,
                              ddb_error *err);
/* Forget GSI 'index' of 'table'. */
int ddb_throttle_index_remove(ddb_throttle_sim *sim, const char *table, const char *index,
                              ddb_error *err);

/*---- admission ----*/

/* One charge of a request: 'units' of 'kind' on the partition of 'key_hash'
** in a table (index NULL) or one of its GSIs. LSI units belong to the base
** table's charge (LSIs share the table's throughput). */
typedef struct ddb_throttle_charge {
    const char *table; /* table name; borrowed for the call */
    const char *index; /* GSI name, or NULL for the base table */
    ddb_throttle_kind kind;
    ddb_cu units;      /* >= 0; a 0 charge is ignored entirely */
    uint64_t key_hash; /* ddb_hash64 of the encoded partition key of this
                       ** resource (the GSI's key for an index charge) */
    const char *key;   /* partition key as shown by Contributor Insights
                       ** (UTF-8 text; caller's choice of rendering); NULL =
                       ** not tracked; borrowed, copied if kept */
    size_t key_len;    /* bytes of 'key' */
} ddb_throttle_charge;

/* The limit a refused charge hit (the last word of its ThrottlingReason). */
typedef enum ddb_throttle_limit {
    DDB_TL_NONE = 0,
    DDB_TL_PROVISIONED,   /* ...ProvisionedThroughputExceeded: table/GSI bucket empty */
    DDB_TL_ACCOUNT,       /* ...AccountLimitExceeded: on-demand per-table quota */
    DDB_TL_KEY_RANGE,     /* ...KeyRangeThroughputExceeded: partition limit, or
                          ** on demand above the current capacity */
    DDB_TL_MAX_ON_DEMAND, /* ...MaxOnDemandThroughputExceeded: OnDemandThroughput */
} ddb_throttle_limit;

/* One ThrottlingReasons entry. */
typedef struct ddb_throttle_reason {
    const char *reason; /* static, e.g. "TableWriteKeyRangeThroughputExceeded" */
    char resource[DDB_THROTTLE_ARN_MAX]; /* table or index ARN */
    ddb_throttle_limit limit;
    ddb_throttle_kind kind;
    int is_index;
} ddb_throttle_reason;

/* The outcome of ddb_throttle_admit. */
typedef struct ddb_throttle_verdict {
    int admitted;        /* 1: every charge applied; 0: nothing applied */
    size_t charge;       /* refused: index of the first charge whose resource
                         ** or partition failed */
    unsigned partition;  /* refused: id of that charge's partition */
    ddb_errcode code;    /* refused: DDB_E_PROVISIONED_THROUGHPUT (provisioned),
                         ** DDB_E_THROTTLING (on demand), DDB_E_REQUEST_LIMIT
                         ** (account quota); DDB_E_NONE when admitted */
    const char *message; /* refused: the exact text (static), see ddb_throttle_message */
    size_t n_reasons;    /* distinct (resource, kind, limit) failures in charge
                         ** order; reasons[0] decides code and message */
    ddb_throttle_reason reasons[DDB_THROTTLE_MAX_REASONS];
} ddb_throttle_verdict;

/* Decide a request atomically. The 'n' charges (the base table and every
** affected GSI, or every item of a transaction) are summed per resource and
** per partition; every limit is checked; then either all are applied or none.
** A refusal counts throttle events (see metrics) but consumes nothing.
** Checks, per resource in first-seen charge order:
**   provisioned: table bucket (rate + burst) -> Provisioned;
**                partition ceiling, then (adaptive off) partition share +
**                partition burst -> KeyRange
**   on demand:   OnDemandThroughput max -> MaxOnDemand; quota -> Account;
**                current capacity max(warm, 2 x peak) -> KeyRange;
**                partition ceiling -> KeyRange
** Returns 1 admitted, 0 refused (*out filled either way), or DDB_ERR on
** misuse (unknown table/index, bad 'now', too many charges; err set,
** DDB_E_INTERNAL). */
int ddb_throttle_admit(ddb_throttle_sim *sim, const ddb_throttle_charge *charges,
                       size_t n, double now, ddb_throttle_verdict *out /* OUT */,
                       ddb_error *err);

/* ddb_throttle_admit for single-item operations: DDB_OK when admitted; when
** refused records the DynamoDB error (ddb_throttle_verdict_error) and returns
** DDB_ERR. */
int ddb_throttle_admit_or_err(ddb_throttle_sim *sim, const ddb_throttle_charge *charges,
                              size_t n, double now, ddb_error *err);

/* Apply charges without checking any limit (buckets may go into debt, which
** later windows repay): for costs known only after the fact, e.g. a read
** admitted at its minimum and settled at its real size. Counts consumption
** metrics, not request samples. DDB_ERR on misuse. */
int ddb_throttle_consume(ddb_throttle_sim *sim, const ddb_throttle_charge *charges,
                         size_t n, double now, ddb_error *err);

/* Record the error of a refused verdict in 'err' (first error wins): code,
** message and the ThrottlingReasons member -- "ThrottlingReasons" for
** ProvisionedThroughputExceededException and RequestLimitExceeded,
** "throttlingReasons" for ThrottlingException (as the API model spells it) --
** an array of {"reason":..., "resource":...}. Returns DDB_ERR. */
int ddb_throttle_verdict_error(const ddb_throttle_verdict *v, ddb_error *err);

/* TransactionCanceledException code for an item refused with 'v':
** "ProvisionedThroughputExceeded" (provisioned) or "ThrottlingError". Static. */
const char *ddb_throttle_cancel_code(const ddb_throttle_verdict *v);

/* "<Table|Index><Read|Write><limit>" (one of the 16 ThrottlingReason values);
** static; NULL for DDB_TL_NONE. */
const char *ddb_throttle_reason_name(int is_index, ddb_throttle_kind kind,
                                     ddb_throttle_limit limit);

/* The throttling message texts (reference section 4.1), in one table. */
typedef enum ddb_throttle_msg {
    DDB_TMSG_PROVISIONED_TABLE = 0, /* PTEE, table (ends with a period) */
    DDB_TMSG_PROVISIONED_INDEX,     /* PTEE, GSI (no final period, as seen live) */
    DDB_TMSG_ON_DEMAND_TABLE,       /* ThrottlingException, table */
    DDB_TMSG_ON_DEMAND_INDEX,       /* ThrottlingException, GSI */
    DDB_TMSG_MAX_ON_DEMAND,         /* ThrottlingException, OnDemandThroughput */
    DDB_TMSG_CONTROL_PLANE,         /* ThrottlingException, control plane */
    DDB_TMSG_ACCOUNT_LIMIT,         /* RequestLimitExceeded */
    DDB_TMSG__COUNT
} ddb_throttle_msg;

/* The exact text of 'm'; static. */
const char *ddb_throttle_message(ddb_throttle_msg m);

/*---- requests (ThrottledRequests) ----*/

/* Report one finished request on 'table' for the ThrottledRequests metric
** (dimensions TableName, Operation): 'operation' is e.g. "PutItem";
** 'throttled' is 1 when the request failed with a throttling error (for
** BatchGetItem/BatchWriteItem: only when every item was throttled). */
int ddb_throttle_note_request(ddb_throttle_sim *sim, const char *table,
                              const char *operation, int throttled, double now,
                              ddb_error *err);

/*---- introspection ----*/

/* First hash of range i of n equal contiguous ranges of the 64-bit hash
** space: floor(i * 2^64 / n), for 0 <= i < n (n >= 1). Range i is
** [start(i), start(i+1) - 1], the last one ends at UINT64_MAX. The initial
** partitions use it; parallel Scan segments can too. */
uint64_t ddb_throttle_range_start(unsigned i, unsigned n);

/* State of one partition at 'now'. */
typedef struct ddb_throttle_partition_info {
    unsigned id;       /* stable id within its table or GSI (0, 1, ...); on a
                       ** split the left half keeps the id, the right half
                       ** gets a new one */
    unsigned position; /* 0-based position in hash order */
    uint64_t lo, hi;   /* inclusive hash range */
    ddb_cu read_share; /* per-second share of the provisioned capacity
                       ** (0 on demand), capped at the ceiling */
    ddb_cu write_share;
    ddb_cu read_burst; /* banked burst credit */
    ddb_cu write_burst;
    ddb_cu read_used; /* consumed in the current second */
    ddb_cu write_used;
} ddb_throttle_partition_info;

/* State of a table or GSI at 'now'. */
typedef struct ddb_throttle_resource_info {
    ddb_billing billing;
    unsigned partitions;
    ddb_cu read_capacity; /* provisioned rate, or the on-demand current capacity
                          ** min(max(warm, 2 x peak), quota, max) */
    ddb_cu write_capacity;
    ddb_cu read_burst; /* table-level burst credit (provisioned) */
    ddb_cu write_burst;
    ddb_cu read_peak; /* on demand: previous peak */
    ddb_cu write_peak;
    ddb_cu read_used; /* consumed in the current second */
    ddb_cu write_used;
} ddb_throttle_resource_info;

/* Fill *out for 'table' (index NULL) or its GSI 'index' at 'now' (advancing
** simulated time like any call). DDB_ERR if unknown. */
int ddb_throttle_resource_get(ddb_throttle_sim *sim, const char *table, const char *index,
                              double now, ddb_throttle_resource_info *out /* OUT */,
                              ddb_error *err);

/* Fill *out for the partition at 'position' (hash order) of a table or GSI. */
int ddb_throttle_partition_get(ddb_throttle_sim *sim, const char *table,
                               const char *index, unsigned position, double now,
                               ddb_throttle_partition_info *out /* OUT */,
                               ddb_error *err);

/* Fill *out for the partition holding 'key_hash'. */
int ddb_throttle_partition_of(ddb_throttle_sim *sim, const char *table, const char *index,
                              uint64_t key_hash, double now,
                              ddb_throttle_partition_info *out /* OUT */, ddb_error *err);

/* The partitions of a table or GSI overlapping the inclusive hash interval
** [lo, hi] at 'now', in hash order: what a Scan page that read from hash lo
** to hash hi touched (empty partitions included), to group its bytes per
** partition for ddb_capacity_scan_units and to charge each one (any hash
** inside a partition, e.g. its 'lo', serves as the charge's key_hash).
** Writes up to 'max' entries to 'out' (may be NULL when max is 0) and the
** full count to *out_n. DDB_ERR if unknown or lo > hi. */
int ddb_throttle_partition_span(ddb_throttle_sim *sim, const char *table,
                                const char *index, uint64_t lo, uint64_t hi, double now,
                                ddb_throttle_partition_info *out /* OUT: max entries */,
                                size_t max, size_t *out_n /* OUT */, ddb_error *err);

/*---- metrics ----*/

/* Metrics kept per table and per GSI (CloudWatch names, reference section 6). The
** first four are also kept per partition. Consumed units are ddb_cu; the
** others are counts. */
typedef enum ddb_throttle_metric {
    DDB_TM_CONSUMED_READ = 0,          /* ConsumedReadCapacityUnits */
    DDB_TM_CONSUMED_WRITE,             /* ConsumedWriteCapacityUnits */
    DDB_TM_READ_THROTTLE_EVENTS,       /* ReadThrottleEvents: +1 per resource per
                                       ** refused request (a PutItem with 3 GSIs = 4) */
    DDB_TM_WRITE_THROTTLE_EVENTS,      /* WriteThrottleEvents */
    DDB_TM_READ_PROVISIONED_EVENTS,    /* ReadProvisionedThroughputThrottleEvents:
                                       ** +1 on the resource that failed, by reason */
    DDB_TM_WRITE_PROVISIONED_EVENTS,   /* WriteProvisionedThroughputThrottleEvents */
    DDB_TM_READ_KEY_RANGE_EVENTS,      /* ReadKeyRangeThroughputThrottleEvents */
    DDB_TM_WRITE_KEY_RANGE_EVENTS,     /* WriteKeyRangeThroughputThrottleEvents */
    DDB_TM_READ_MAX_ON_DEMAND_EVENTS,  /* ReadMaxOnDemandThroughputThrottleEvents */
    DDB_TM_WRITE_MAX_ON_DEMAND_EVENTS, /* WriteMaxOnDemandThroughputThrottleEvents */
    DDB_TM_READ_ACCOUNT_EVENTS,        /* ReadAccountLimitThrottleEvents */
    DDB_TM_WRITE_ACCOUNT_EVENTS,       /* WriteAccountLimitThrottleEvents */
    DDB_TM_READ_SAMPLES,               /* "ConsumedReadCapacityUnitsSampleCount":
                                       ** admitted requests reading the resource
                                       ** (CloudWatch's SampleCount statistic) */
    DDB_TM_WRITE_SAMPLES,              /* "ConsumedWriteCapacityUnitsSampleCount" */
    DDB_TM__COUNT
} ddb_throttle_metric;
#define DDB_TM_PARTITION_COUNT 4 /* metrics 0..3 exist per partition */

/* CloudWatch name of 'm' (e.g. "ConsumedReadCapacityUnits"); static. */
const char *ddb_throttle_metric_name(ddb_throttle_metric m);

typedef enum ddb_throttle_period {
    DDB_TP_SECOND = 0, /* 'slot' = floor(now): kept for DDB_THROTTLE_SECOND_SLOTS s */
    DDB_TP_MINUTE,     /* 'slot' = floor(now / 60): kept DDB_THROTTLE_MINUTE_SLOTS min */
    DDB_TP_TOTAL,      /* since the resource was added ('slot' ignored) */
} ddb_throttle_period;

/* One value: metric 'm' of a table (index NULL) or GSI, or of the partition at
** 'position' (-1 = the whole resource; metrics >= DDB_TM_PARTITION_COUNT are
** resource-only), summed over second/minute 'slot' or in total. Slots outside
** the kept history read 0. A new partition from a split starts at zero, except
** that the left half keeps its parent's history. */
int ddb_throttle_metric_get(ddb_throttle_sim *sim, const char *table, const char *index,
                            int position, ddb_throttle_metric m,
                            ddb_throttle_period period, int64_t slot, double now,
                            int64_t *out /* OUT */, ddb_error *err);

/* Requests / throttled requests reported for (table, operation) in a period. */
int ddb_throttle_requests_get(ddb_throttle_sim *sim, const char *table,
                              const char *operation, ddb_throttle_period period,
                              int64_t slot, double now, int64_t *out_requests /* OUT */,
                              int64_t *out_throttled /* OUT */, ddb_error *err);

/* Export options; zero fields take the defaults in brackets. */
typedef struct ddb_throttle_export {
    int seconds;       /* trailing seconds in per-second series (1..SLOTS) [60] */
    int minutes;       /* trailing minutes in per-minute series (1..SLOTS) [15] */
    unsigned top_n;    /* keys per Contributor Insights list (1..CI_SLOTS) [10] */
    int no_partitions; /* 1: leave out the per-partition detail */
} ddb_throttle_export;

/* A snapshot of 'table' (NULL = every table, by name) at 'now' as JSON:
**   {"Time":now,"Second":s,"Minute":m,"Tables":[{"TableName":..,"TableArn":..,
**    "BillingMode":"PROVISIONED"|"PAY_PER_REQUEST", <resource>,
**    "GlobalSecondaryIndexes":[{"IndexName":..,"IndexArn":.., <resource>}],
**    "Operations":[{"Operation":..,"Requests":n,"ThrottledRequests":n,
**                   "PerMinute":{"End":m,"Requests":[..],"ThrottledRequests":[..]}}]}]}
** <resource> = "Partitions": count, "Capacity": {"Read","Write"} (current,
**   as ddb_throttle_resource_info), provisioned: "ProvisionedReadCapacityUnits",
**   "ProvisionedWriteCapacityUnits", "Burst": {"Read","Write"}; on demand:
**   "PreviousPeak": {"Read","Write"}, "MaxReadRequestUnits" /
**   "MaxWriteRequestUnits" when set; then "Used": {"Read","Write"} (this
**   second), "Totals": {CloudWatch name: value}, "PerSecond": {"End":s,
**   name: [oldest..newest]}, "PerMinute" likewise, "PartitionMap": [{"Id",
**   "Position","Range":[lo hex, hi hex],"Share","Burst" (provisioned),"Used",
**   "Totals","PerSecond"}] (the first four metrics), "ContributorInsights" (as
**   ddb_throttle_insights_json). Metric names are ddb_throttle_metric_name's.
** Capacity values are JSON reals in units, counts are integers. Shares may be
** fractional (e.g. 3.333): dump with JSON_REAL_PRECISION(15) for short text.
** New reference; NULL and DDB_E_INTERNAL if 'table' is unknown. */
json_t *ddb_throttle_metrics_json(ddb_throttle_sim *sim, const char *table, double now,
                                  const ddb_throttle_export *opt, ddb_error *err);

/* Contributor Insights of a table or GSI at 'now' ([AWS DOC
** contributorinsights_HowItWorks]): most accessed partition keys by
** ConsumedThroughputUnits = 3 x WCU + RCU, and most throttled partition keys
** by ThrottleCount, each for the current minute, the previous minute and in
** total since the resource was added:
**   {"MostAccessedKeys":{"CurrentMinute":[{"Key":k,"ConsumedThroughputUnits":u,
**     "MaxError":e}],"PreviousMinute":[..],"Total":[..]},
**    "MostThrottledKeys":{... "ThrottleCount":n ...}}
** Bounded memory: each list is a weighted space-saving sketch of
** DDB_THROTTLE_CI_SLOTS counters (Metwally et al.): any key whose true count
** exceeds total/CI_SLOTS is present, counts are over-estimates by at most
** MaxError; ties evict the oldest slot. Refusals caused only by a GSI are not
** counted against the base table's keys (GSI back-pressure). New reference. */
json_t *ddb_throttle_insights_json(ddb_throttle_sim *sim, const char *table,
                                   const char *index, double now, unsigned top_n,
                                   ddb_error *err);

/* Prometheus text exposition (version 0.0.4) of every table at 'now':
** counters ddbd_consumed_{read,write}_capacity_units_total,
** ddbd_{read,write}_throttle_events_total, ddbd_throttle_events_by_reason_total
** {reason}, ddbd_requests_total / ddbd_throttled_requests_total {operation},
** per-partition ddbd_partition_* counters, and gauges ddbd_partitions,
** ddbd_capacity_units {kind}, ddbd_burst_capacity_units {kind}; labels
** table, index (GSIs only), partition. New NUL-terminated string, caller
** frees with free(); *out_len (may be NULL) gets its length. */
char *ddb_throttle_metrics_prometheus(ddb_throttle_sim *sim, double now, size_t *out_len);

#endif
