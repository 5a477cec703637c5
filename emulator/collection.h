/* SPDX-License-Identifier: MIT
**
** collection.h -- ItemCollectionMetrics: the size of an item collection (the
** items sharing one partition key value, plus their entries in the table's
** local secondary indexes), returned by the item writes and BatchWriteItem
** when ReturnItemCollectionMetrics is SIZE and the table has an LSI.
*/
#ifndef DDB_COLLECTION_H
#define DDB_COLLECTION_H

#include "catalog.h"
#include "store.h"

/* 1 when request 'in' asks for ItemCollectionMetrics and 't' has an LSI
** (DynamoDB returns none for a table without one). */
int ddb_collection_wanted(const json_t *in, const ddb_table *t);

/* {"ItemCollectionKey":{<hash key>: pk},"SizeEstimateRangeGB":[lo,hi]} for
** the collection of partition key value 'pk' of 't', measured on 'c' (inside
** the write transaction, after the write): the estimate brackets the size in
** whole gigabytes. New reference, or NULL with 'err' set. */
json_t *ddb_collection_metrics(ddb_conn *c, const ddb_table *t, const json_t *pk,
                               ddb_error *err);

#endif
