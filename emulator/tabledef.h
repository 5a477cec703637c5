/* SPDX-License-Identifier: MIT
**
** tabledef.h -- validation of table and index definitions shared by
** CreateTable and UpdateTable: the constraint-phase checks of KeySchema,
** AttributeDefinitions, Projection, ProvisionedThroughput and index elements
** (with DynamoDB's member paths), and the semantic checks of key schemas,
** projections and index throughput, with DynamoDB's texts and order.
*/
#ifndef DDB_TABLEDEF_H
#define DDB_TABLEDEF_H

#include "request.h"

/* Constraint checks of one KeySchema list at 'path' ("keySchema",
** "globalSecondaryIndexes.1.member.keySchema"): required, min length 1, and
** each element's attributeName (1..255) and keyType (HASH|RANGE). */
void ddb_def_chk_key_schema(ddb_checks *c, const json_t *ks, const char *path, int required);
/* AttributeDefinitions elements: attributeName (1..255), attributeType (B|N|S). */
void ddb_def_chk_attr_defs(ddb_checks *c, const json_t *ads, const char *path);
/* ProvisionedThroughput members, write then read: required and >= 1. */
void ddb_def_chk_throughput(ddb_checks *c, const json_t *pt, const char *path);
/* One LSI/GSI element: indexName, keySchema, projection (+ throughput for GSIs). */
void ddb_def_chk_index(ddb_checks *c, const json_t *ix, const char *path, int global);

/* Semantic checks of a table's or index's KeySchema against the attribute
** definitions ('ads'): definitions present, distinct names, HASH then RANGE.
** 'is_table' selects the table-only texts. */
int ddb_def_check_key_schema(const json_t *ks, const json_t *ads, int is_table, ddb_error *err);

/* Semantic checks of a Projection of index 'name'. */
int ddb_def_check_projection(const json_t *proj, ddb_error *err);

/* "Given value N for ReadCapacityUnits is out of bounds[ for index X]". */
int ddb_def_check_throughput_bounds(const json_t *pt, const char *index, ddb_error *err);

/* Tags per table. */
#define DDB_MAX_TAGS 50

/* Tag list checks shared by CreateTable and TagResource. */
int ddb_def_check_tags(const json_t *tags, ddb_error *err);
/* One tag key (also UntagResource's TagKeys). */
int ddb_def_check_tag_key(const json_t *key, ddb_error *err);

/* Name of the HASH / RANGE attribute of a (valid) KeySchema, or NULL. */
const char *ddb_def_key_name(const json_t *ks, const char *key_type);

#endif
