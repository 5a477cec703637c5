/* SPDX-License-Identifier: MIT
**
** describe.h -- TableDescription, as CreateTable, DescribeTable, UpdateTable
** and DeleteTable return it: members in alphabetical order as DynamoDB sends
** them, live item counts and sizes, statuses at the current time.
*/
#ifndef DDB_DESCRIBE_H
#define DDB_DESCRIBE_H

#include "request.h"

typedef enum ddb_desc_mode {
    DDB_DESC_CREATE,   /* CreateTable's reply: no WarmThroughput */
    DDB_DESC_DESCRIBE,
    DDB_DESC_UPDATE,   /* UpdateTable's reply: table UPDATING */
    DDB_DESC_DELETE    /* DeleteTable's reply: DELETING, no GlobalSecondaryIndexes */
} ddb_desc_mode;

/* The TableDescription of 't' (new object). 'old_pt', when not NULL, is the
** ProvisionedThroughput to show in place of the definition's (UpdateTable
** replies show the values before the change). */
json_t *ddb_table_describe(ddb_req *req, const ddb_table *t, ddb_desc_mode mode,
                           const json_t *old_pt, ddb_error *err);

/* Wall-clock seconds rounded to milliseconds, as DynamoDB's timestamps are. */
double ddb_timestamp_now(void);

#endif
