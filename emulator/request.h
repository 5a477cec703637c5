/* SPDX-License-Identifier: MIT
**
** request.h -- checks and lookups shared by the operation handlers: the
** TableName member in its data-plane and control-plane forms (a name or a
** table ARN), finding the table in the caller's region, and the key checks
** of GetItem/DeleteItem-style Key maps and PutItem-style items.
*/
#ifndef DDB_REQUEST_H
#define DDB_REQUEST_H

#include "catalog.h"
#include "emulator.h"
#include "validate.h"

/* Data-plane TableName constraints (PutItem, GetItem, ...): when the member
** is missing or invalid, records the one ValidationException DynamoDB sends
** for it and returns DDB_ERR (a bad TableName hides every other constraint). */
int ddb_req_check_data_table_name(ddb_req *req, ddb_error *err);

/* Control-plane TableName constraints (CreateTable, DescribeTable, ...) are
** added to 'c' in DynamoDB's order; a missing name is reported at once as
** "The parameter 'TableName' is required but was not present in the request". */
int ddb_req_check_control_table_name(ddb_req *req, ddb_checks *c, ddb_error *err);

/* The table named by the request's TableName (a name or a table ARN in the
** caller's account and region). 'data_plane' selects the not-found text and
** whether CREATING/DELETING tables count as absent. New reference or NULL
** with ResourceNotFoundException recorded. */
ddb_table *ddb_req_table(ddb_req *req, int data_plane, ddb_error *err);

/* The table name of the request (the name part of an ARN). Borrowed from req->in. */
const char *ddb_req_table_name(ddb_req *req);

/* Key map checks of GetItem / DeleteItem / UpdateItem after the table is
** known: exactly the key attributes with the right types ("The provided key
** element does not match the schema"), non-empty, within the size limits. */
int ddb_check_key(const ddb_table *t, const json_t *key, ddb_error *err);

/* PutItem-style item checks against the table: key attributes present with
** the right types, non-empty, within size limits; secondary index key
** attributes (when present) of the index's type and non-empty. */
int ddb_check_item_keys(const ddb_table *t, const json_t *item, ddb_error *err);

/* The ARN of table 'name' in the caller's account and region. New string. */
char *ddb_table_arn(ddb_req *req, const char *name);

#endif
