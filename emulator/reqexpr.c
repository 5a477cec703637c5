/* SPDX-License-Identifier: MIT
**
** reqexpr.c -- expression parameters of a request (see reqexpr.h). The
** lists below are DynamoDB's, in the order its messages name them.
*/
#include "reqexpr.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

typedef struct op_rules {
    const char *expr[4];        /* expression members, message order */
    const char *legacy[5];      /* non-expression members, message order */
    const char *valued[3];      /* expressions that may use :values */
    int prefixed;               /* 2026 wording prefixes these texts */
} op_rules;

static const op_rules rules[] = {
    [DDB_XOP_PUT] = {{"ConditionExpression"}, {"Expected", "ConditionalOperator"},
                     {"ConditionExpression"}, 1},
    [DDB_XOP_UPDATE] = {{"UpdateExpression", "ConditionExpression"},
                        {"AttributeUpdates", "Expected", "ConditionalOperator"},
                        {"UpdateExpression", "ConditionExpression"}, 1},
    [DDB_XOP_GET] = {{"ProjectionExpression"}, {"AttributesToGet"}, {NULL}, 0},
    [DDB_XOP_QUERY] = {{"ProjectionExpression", "FilterExpression", "KeyConditionExpression"},
                       {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"},
                       {"FilterExpression", "KeyConditionExpression"}, 0},
    [DDB_XOP_SCAN] = {{"ProjectionExpression", "FilterExpression"},
                      {"AttributesToGet", "ScanFilter", "ConditionalOperator"},
                      {"FilterExpression"}, 0},
};

int ddb_req_exprs_check_mix(const json_t *in, ddb_exprop op, ddb_error *err)
{
    const op_rules *r = &rules[op];
    ddb_buf ex = DDB_BUF_INIT, lg = DDB_BUF_INIT;
    for (int i = 0; i < 4 && r->expr[i]; i++)
        if (json_object_get(in, r->expr[i]) != NULL)
            ddb_buf_printf(&ex, "%s%s", ex.len ? ", " : "", r->expr[i]);
    int has_kce = json_object_get(in, "KeyConditionExpression") != NULL;
    for (int i = 0; i < 5 && r->legacy[i]; i++) {
        /* Query: legacy KeyConditions may go with FilterExpression /
        ** ProjectionExpression; only KeyConditionExpression excludes it */
        if (op == DDB_XOP_QUERY && strcmp(r->legacy[i], "KeyConditions") == 0 && !has_kce)
            continue;
        if (json_object_get(in, r->legacy[i]) != NULL)
            ddb_buf_printf(&lg, "%s%s", lg.len ? ", " : "", r->legacy[i]);
    }
    int rc = DDB_OK;
    if (ex.len > 0 && lg.len > 0) {
        rc = ddb_err_bespoke(err, r->prefixed,
                             "Can not use both expression and non-expression parameters in the "
                             "same request: Non-expression parameters: {%s} Expression "
                             "parameters: {%s}",
                             (char *)lg.data, (char *)ex.data);
    } else if (ex.len == 0 && json_object_get(in, "ExpressionAttributeNames") != NULL) {
        rc = ddb_err_set(err, DDB_E_VALIDATION,
                         "ExpressionAttributeNames can only be specified when using expressions");
    } else if (json_object_get(in, "ExpressionAttributeValues") != NULL) {
        int any = 0;
        ddb_buf names = DDB_BUF_INIT;
        int n = 0;
        for (int i = 0; i < 3 && r->valued[i]; i++) {
            any |= json_object_get(in, r->valued[i]) != NULL;
            ddb_buf_printf(&names, "%s%s", n++ ? " and " : "", r->valued[i]);
        }
        if (!any) {
            if (r->prefixed)
                rc = ddb_err_bespoke(err, 1,
                                     "ExpressionAttributeValues can only be specified when "
                                     "using expressions");
            else
                rc = ddb_err_set(err, DDB_E_VALIDATION,
                                 "ExpressionAttributeValues can only be specified when using "
                                 "expressions: %s %s null",
                                 names.data ? (char *)names.data : "", n > 1 ? "are" : "is");
        }
        ddb_buf_free(&names);
    }
    ddb_buf_free(&ex);
    ddb_buf_free(&lg);
    return rc;
}

static const char *str(json_t *in, const char *member)
{
    return json_string_value(json_object_get(in, member));
}

int ddb_req_exprs_parse(json_t *in, ddb_exprop op, int legacy_layer, ddb_req_exprs *x,
                        ddb_error *err)
{
    memset(x, 0, sizeof *x);
    const char *cop = str(in, "ConditionalOperator");
    json_t *v;
    /* the legacy members, translated into the same trees */
    if (op == DDB_XOP_UPDATE && (v = json_object_get(in, "AttributeUpdates")) != NULL) {
        x->update_is_empty = json_object_size(v) == 0;
        if ((x->update = ddb_expr_from_attribute_updates(v, err)) == NULL)
            return DDB_ERR;
    }
    if ((op == DDB_XOP_PUT || op == DDB_XOP_UPDATE) &&
        (v = json_object_get(in, "Expected")) != NULL &&
        (x->condition = ddb_expr_from_expected(v, cop, err)) == NULL)
        return DDB_ERR;
    if (op == DDB_XOP_QUERY && (v = json_object_get(in, "KeyConditions")) != NULL &&
        (x->key_cond = ddb_expr_from_key_conditions(v, err)) == NULL)
        return DDB_ERR;
    v = json_object_get(in, op == DDB_XOP_QUERY ? "QueryFilter" : "ScanFilter");
    if ((op == DDB_XOP_QUERY || op == DDB_XOP_SCAN) && v != NULL &&
        (x->filter = ddb_expr_from_filter(v, cop, err)) == NULL)
        return DDB_ERR;
    if (op != DDB_XOP_PUT && op != DDB_XOP_UPDATE &&
        (v = json_object_get(in, "AttributesToGet")) != NULL &&
        (x->projection = ddb_expr_from_attributes_to_get(v, err)) == NULL)
        return DDB_ERR;

    /* the placeholder maps, then the expressions in DynamoDB's order */
    x->env = ddb_expr_env_new(json_object_get(in, "ExpressionAttributeNames"),
                              json_object_get(in, "ExpressionAttributeValues"));
    ddb_expr_env_set_legacy_layer(x->env, legacy_layer);
    if (ddb_expr_env_check(x->env, err) != DDB_OK)
        return DDB_ERR;
    static const struct {
        const char *member;
        ddb_expr_kind kind;
        size_t slot;
    } order[] = {
        {"UpdateExpression", DDB_EXPR_UPDATE, offsetof(ddb_req_exprs, update)},
        {"ConditionExpression", DDB_EXPR_CONDITION, offsetof(ddb_req_exprs, condition)},
        {"KeyConditionExpression", DDB_EXPR_KEY_CONDITION, offsetof(ddb_req_exprs, key_cond)},
        {"FilterExpression", DDB_EXPR_FILTER, offsetof(ddb_req_exprs, filter)},
        {"ProjectionExpression", DDB_EXPR_PROJECTION, offsetof(ddb_req_exprs, projection)},
    };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *text = str(in, order[i].member);
        if (text == NULL)
            continue;
        ddb_expr **slot = (ddb_expr **)((char *)x + order[i].slot);
        ddb_expr_free(*slot); /* the mix rule keeps legacy and expression apart */
        *slot = ddb_expr_parse(x->env, order[i].kind, text, err);
        if (*slot == NULL)
            return DDB_ERR;
    }
    return ddb_expr_env_check_unused(x->env, err);
}

void ddb_req_exprs_free(ddb_req_exprs *x)
{
    ddb_expr_free(x->update);
    ddb_expr_free(x->condition);
    ddb_expr_free(x->key_cond);
    ddb_expr_free(x->filter);
    ddb_expr_free(x->projection);
    ddb_expr_env_free(x->env);
    memset(x, 0, sizeof *x);
}
