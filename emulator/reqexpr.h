/* SPDX-License-Identifier: MIT
**
** reqexpr.h -- the expression parameters of one request, checked and parsed
** the way DynamoDB does for every operation: the expression / non-expression
** mix rule ("Can not use both expression and non-expression parameters ..."),
** placeholder maps without expressions, the legacy parameters translated
** (Expected, AttributeUpdates, KeyConditions, QueryFilter / ScanFilter,
** AttributesToGet), then the placeholder maps, then each expression in
** DynamoDB's fixed order (Update, Condition, KeyCondition, Filter,
** Projection), then unused names and values.
*/
#ifndef DDB_REQEXPR_H
#define DDB_REQEXPR_H

#include "ddb.h"
#include "ddb_expr.h"

/* Which operation's rules apply. */
typedef enum ddb_exprop {
    DDB_XOP_PUT,      /* PutItem, DeleteItem: ConditionExpression | Expected, ConditionalOperator */
    DDB_XOP_UPDATE,   /* UpdateItem */
    DDB_XOP_GET,      /* GetItem and each BatchGetItem table: ProjectionExpression | AttributesToGet */
    DDB_XOP_QUERY,
    DDB_XOP_SCAN
} ddb_exprop;

typedef struct ddb_req_exprs {
    ddb_expr_env *env;
    ddb_expr *update;     /* UpdateExpression or AttributeUpdates */
    ddb_expr *condition;  /* ConditionExpression or Expected */
    ddb_expr *key_cond;   /* KeyConditionExpression or KeyConditions */
    ddb_expr *filter;     /* FilterExpression or QueryFilter / ScanFilter */
    ddb_expr *projection; /* ProjectionExpression or AttributesToGet */
    int update_is_empty;  /* AttributeUpdates: {} (no action at all) */
} ddb_req_exprs;

/* The mix rule and the placeholder-map presence rules (validation-facts.md,
** query-scan-batch-facts.md §1.3 (1)-(3)) for the members of 'in'. Texts are
** prefixed with "1 validation error detected: " for the item write
** operations, as DynamoDB's 2026 wording does. */
int ddb_req_exprs_check_mix(const json_t *in, ddb_exprop op, ddb_error *err);

/* Translate the legacy members, check the placeholder maps, parse the
** expressions and check for unused placeholders. 'legacy_layer' selects the
** older layer's value texts (Scan). On success 'out' owns what it holds;
** release with ddb_req_exprs_free (also after a failure). */
int ddb_req_exprs_parse(json_t *in, ddb_exprop op, int legacy_layer, ddb_req_exprs *out,
                        ddb_error *err);
void ddb_req_exprs_free(ddb_req_exprs *x);

#endif
