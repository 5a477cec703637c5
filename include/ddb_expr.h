/* SPDX-License-Identifier: MIT
**
** ddb_expr.h -- the DynamoDB expression language: ConditionExpression,
** FilterExpression, KeyConditionExpression, ProjectionExpression and
** UpdateExpression, plus the legacy parameters (Expected, AttributeUpdates,
** AttributesToGet, KeyConditions, QueryFilter, ScanFilter with
** ConditionalOperator) translated into the same tree.
**
** Passes: parse (syntax only) -> resolve (#name / :value substitution,
** reserved words, undefined placeholders, overlapping paths, static operand
** types) -> evaluate / apply. Every error is a ValidationException recorded
** with DynamoDB's exact text (e.g. "Invalid UpdateExpression: Syntax error;
** token: \"...\", near: \"...\""). Callers that DynamoDB wraps in
** "1 validation error detected: " (PutItem, UpdateItem, DeleteItem) add the
** prefix themselves.
**
** All json_t arguments are borrowed unless a comment says otherwise; items
** and values are in DynamoDB JSON ({"S":"x"}), already validated by ddb_attr.
*/
#ifndef DDB_EXPR_H
#define DDB_EXPR_H

#include "ddb_error.h"
#include <jansson.h>
#include <stddef.h>

typedef enum ddb_expr_kind {
    DDB_EXPR_CONDITION,     /* ConditionExpression */
    DDB_EXPR_FILTER,        /* FilterExpression */
    DDB_EXPR_KEY_CONDITION, /* KeyConditionExpression */
    DDB_EXPR_PROJECTION,    /* ProjectionExpression */
    DDB_EXPR_UPDATE         /* UpdateExpression */
} ddb_expr_kind;

/* The placeholders of one request (ExpressionAttributeNames / Values, either
** may be NULL) and which of them the request's expressions used. */
typedef struct ddb_expr_env ddb_expr_env;

/* A parsed and resolved expression. */
typedef struct ddb_expr ddb_expr;

/* New environment over the request's maps (borrowed; they must outlive it). */
ddb_expr_env *ddb_expr_env_new(json_t *names, json_t *values);
void ddb_expr_env_free(ddb_expr_env *env);

/* Checks of the maps themselves, in DynamoDB's order: "ExpressionAttributeNames
** must not be empty", keys that are not "#..." / ":..." ("... contains invalid
** key: Syntax error; key: \"x\""), keys over 255 bytes, empty names, then the
** values: "ExpressionAttributeValues must not be empty", their keys, and each
** value's AttributeValue validity (ddb_attr_check, which canonicalises the
** request's values in place). */
int ddb_expr_env_check(ddb_expr_env *env, ddb_error *err);

/* Scan and TransactWriteItems answer from DynamoDB's older validation layer
** (validation-facts.md §1.3): an invalid value is reported as
** "ExpressionAttributeValues contains invalid value: <text> for key <:k>", and
** a ConditionExpression / FilterExpression over 4 KB ends with
** " expression size: <bytes>". Off by default (PutItem, UpdateItem, DeleteItem,
** GetItem, Query). */
void ddb_expr_env_set_legacy_layer(ddb_expr_env *env, int on);

/* Parse and resolve 'text' as an expression of 'kind'. New; NULL with the
** error recorded. Names and values it uses are marked used in 'env' ('env'
** may be NULL: no placeholders). The expression keeps its own references to
** the values it uses, so it may outlive 'env'. Every static check DynamoDB
** makes happens here: empty text, 4 KB, syntax, redundant parentheses,
** reserved words, functions and their use, #names and :values, operand counts
** and types, BETWEEN bounds, IN size, path depth, overlapping paths, operator
** count. Key-condition structure is checked by ddb_expr_key_condition. */
ddb_expr *ddb_expr_parse(ddb_expr_env *env, ddb_expr_kind kind, const char *text,
                         ddb_error *err);
void ddb_expr_free(ddb_expr *e);

/* After every expression of the request is parsed: names or values that no
** expression used ("Value provided in ExpressionAttributeNames unused in
** expressions: keys: {#a}", then the same for values). */
int ddb_expr_env_check_unused(const ddb_expr_env *env, ddb_error *err);

/*---- conditions and filters ----*/

/* Evaluate a condition, filter or key condition against 'item' (NULL: no
** item, every attribute absent). Returns 1 (true), 0 (false) or DDB_ERR.
** Comparisons across types are false, never errors, as in DynamoDB. */
int ddb_expr_eval(const ddb_expr *e, const json_t *item, ddb_error *err);

/* Names (top-level attributes) an expression refers to, each once, in order
** of appearance; new array of strings (JSON), for callers' key-attribute
** rules ("Filter Expression can only contain non-primary key attributes"). */
json_t *ddb_expr_top_names(const ddb_expr *e);

/* DDB_ERR with "Key attributes must be scalars; list random access '[]' and
** map lookup '.' are not allowed: Key: <name>" ("IndexKey: <name>" when
** 'index_key') when any document path of the expression -- update targets
** and operands included -- reaches inside top-level attribute 'name'. */
int ddb_expr_check_key_scalar(const ddb_expr *e, const char *name, int index_key,
                              ddb_error *err);

/*---- projections ----*/

/* The projection of 'item' (NULL: empty result): only the listed document
** paths, nested maps and lists rebuilt as DynamoDB returns them (list
** elements in index order, missing parts left out). New object. */
json_t *ddb_expr_project(const ddb_expr *e, const json_t *item);

/*---- updates ----*/

/* Apply an update expression to a copy of 'item' (NULL when the item does not
** exist yet; it is then created from the update, as UpdateItem does -- the
** caller adds the key attributes to the result). 'item' is never modified.
** Returns the new item (new reference) or NULL with DynamoDB's runtime error
** recorded (an operand referring to a missing attribute, wrong operand type
** for arithmetic/ADD/DELETE/list_append, ...). The key attributes of the
** item are never touched: callers reject updates of key attributes first
** with ddb_expr_update_touches. */
json_t *ddb_expr_apply_update(const ddb_expr *e, const json_t *item, ddb_error *err);

/* 1 when the update sets, removes, adds or deletes top-level attribute 'name'
** or anything below it. */
int ddb_expr_update_touches(const ddb_expr *e, const char *name);

/* The type ("S", "N", "L", ...) the update always gives top-level attribute
** 'name' -- a :value, arithmetic (N), list_append (L), if_not_exists with a
** typed default, an ADD/DELETE operand -- or NULL when it does not assign
** 'name' or the item decides. For "Type mismatch for Index Key ..." checks.
** Borrowed static string. */
const char *ddb_expr_update_type(const ddb_expr *e, const char *name);

/* For ReturnValues UPDATED_OLD / UPDATED_NEW: the parts of 'item' that the
** update changed (the updated document paths, projected). New object. */
json_t *ddb_expr_updated_part(const ddb_expr *e, const json_t *item);

/*---- key conditions (Query) ----*/

typedef enum ddb_key_op {
    DDB_KEY_NONE,        /* no sort key condition */
    DDB_KEY_EQ, DDB_KEY_LT, DDB_KEY_LE, DDB_KEY_GT, DDB_KEY_GE,
    DDB_KEY_BETWEEN, DDB_KEY_BEGINS_WITH
} ddb_key_op;

typedef struct ddb_key_cond {
    const json_t *hash_value;  /* borrowed from the request: the partition key value */
    ddb_key_op range_op;
    const json_t *range_v1;    /* borrowed; the operand (the lower bound for BETWEEN) */
    const json_t *range_v2;    /* borrowed; the upper bound for BETWEEN */
} ddb_key_cond;

/* Split a key condition into the partition-key equality and the optional
** sort-key condition for the key schema (range_name may be NULL), after the
** structural checks of a KeyConditionExpression ("Invalid operator used in
** KeyConditionExpression: OR", "KeyConditionExpressions cannot contain nested
** operations", "Conditions can be of length 1 or 2 only", ...),
** with DynamoDB's errors ("Query condition missed key schema element: x",
** "Query key condition not supported", operand type mismatches ...).
** hash_type / range_type are "S", "N" or "B". */
int ddb_expr_key_condition(const ddb_expr *e, const char *hash_name, const char *hash_type,
                           const char *range_name, const char *range_type, ddb_key_cond *out,
                           ddb_error *err);

/*---- legacy parameters ----
** The translators validate every AttributeValue they use (on copies) and
** report DynamoDB's legacy texts ("One or more parameter values were invalid:
** Value must be provided when Exists is null for Attribute: a", "... Invalid
** number of argument(s) for the EQ ComparisonOperator", "... ComparisonOperator
** LT is not valid for BOOL AttributeValue type", "The BETWEEN condition was
** provided a range where the lower bound is greater than the upper bound", ...).
** JSON types and the ComparisonOperator / Action enums are assumed checked. */

/* Expected (+ ConditionalOperator, may be NULL) as a condition. */
ddb_expr *ddb_expr_from_expected(json_t *expected, const char *conditional_operator,
                                 ddb_error *err);
/* QueryFilter / ScanFilter (+ ConditionalOperator) as a filter. */
ddb_expr *ddb_expr_from_filter(json_t *filter, const char *conditional_operator,
                               ddb_error *err);
/* KeyConditions as a key condition. */
ddb_expr *ddb_expr_from_key_conditions(json_t *key_conditions, ddb_error *err);
/* AttributeUpdates as an update. */
ddb_expr *ddb_expr_from_attribute_updates(json_t *updates, ddb_error *err);
/* AttributesToGet as a projection. */
ddb_expr *ddb_expr_from_attributes_to_get(json_t *names, ddb_error *err);

#endif
