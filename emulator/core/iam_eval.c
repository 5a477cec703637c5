/* SPDX-License-Identifier: MIT
**
** iam_eval.c -- the IAM decision (ddb_iam_evaluate): statement matching,
** condition evaluation with set operators and IfExists, and the explanation
** of the deciding statement. Also the table of multivalued condition keys.
**
** The algorithm is AWS's for identity policies of one account (reference
** iam-and-sigv4.md §2.1): a statement applies iff its Action/NotAction, its
** Resource/NotResource and every condition match; any applicable Deny is
** final; otherwise any applicable Allow allows; otherwise the request is
** implicitly denied. Order never changes the decision; it only picks which
** statement is reported (the first applicable Deny, else the first
** applicable Allow, in policy order then statement order).
**
** Request values: a context key maps to a string (numbers and booleans are
** read as their text) or to an array of them. A key is *absent* when it is
** missing, JSON null or an empty array -- the "null data set" of the AWS
** ForAllValues text. An element that is not a scalar matches no policy value.
**
** Condition semantics, per (operator, key):
**   several policy values      OR; for negated operators (StringNot*,
**                              NumericNotEquals, DateNotEquals, NotIpAddress,
**                              ArnNot*) NOR: the request value must match none
**   plain operator, present    compare the single request value
**   plain operator, absent     false; true for negated operators and IfExists
**   plain operator on a key that is multivalued by type (LeadingKeys, ...)
**                              false, even for negated operators and IfExists,
**                              and so is a plain operator given an array of two
**                              or more values. [OPEN in the reference, "by key
**                              type" chosen as suggested; iam-simulate and the
**                              ExtendDB security fix do the same. A bare
**                              operator Deny on LeadingKeys therefore never
**                              applies.]
**   ForAllValues:op            true iff every request value is matched (for a
**                              negated op: matches none); true when absent
**   ForAnyValue:op             true iff some request value is matched (for a
**                              negated op: matches none); false when absent,
**                              true when absent with IfExists
**   set operator, single value one-element set
**   Null                       "true": the key is absent; "false": present
**
** Policy variables that resolve to nothing make their policy value match no
** request value (so StringEquals/StringLike fail and negated operators
** succeed), and a Resource entry containing one match nothing.
**
** Open point 1 (case A16): ForAllValues over an absent key is vacuously true,
** but when the policy values hold a variable that cannot be resolved (e.g.
** ${aws:PrincipalTag/tenant} for an untagged user) AWS says the statement
** "might be invalid". Chosen, as the reference recommends: in an Allow
** statement such a condition is false (fail closed: an untagged user does not
** get a Scan through the tenant statement); in a Deny statement it stays
** true (also fail closed: the Deny applies).
*/
#include "iam_int.h"

#include <stdlib.h>
#include <string.h>

/* Scratch space of one evaluation. */
typedef struct ectx {
    const iam_ctx *ctx;
    iam_cells cells;
    ddb_buf bytes;
} ectx;

/*---- multivalued keys ----*/

/* Keys whose Service Authorization Reference type is ArrayOf... */
static const char *const multivalued_keys[] = {
    "dynamodb:LeadingKeys",
    "dynamodb:FirstPartitionKeyValues",
    "dynamodb:SecondPartitionKeyValues",
    "dynamodb:ThirdPartitionKeyValues",
    "dynamodb:FourthPartitionKeyValues",
    "dynamodb:Attributes",
    "aws:TagKeys",
    "aws:CalledVia",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalOrgPaths",
    "aws:ResourceOrgPaths",
    "aws:SourceOrgPaths",
    NULL,
};

int ddb_iam_key_is_multivalued(const char *key)
{
    if (key == NULL)
        return 0;
    size_t n = strlen(key);
    for (size_t i = 0; multivalued_keys[i] != NULL; i++)
        if (ddb_iamp_ascii_ieq(multivalued_keys[i], strlen(multivalued_keys[i]), key, n))
            return 1;
    return 0;
}

/*---- one comparison ----*/

static int ordered(iam_cmp cmp, int r)
{
    switch (cmp) {
        case IAM_CMP_EQ:
            return r == 0;
        case IAM_CMP_LT:
            return r < 0;
        case IAM_CMP_LE:
            return r <= 0;
        case IAM_CMP_GT:
            return r > 0;
        case IAM_CMP_GE:
            return r >= 0;
        default:
            return 0;
    }
}

/* Does request value 'rs' (rn bytes) satisfy the positive comparison of
** 'c' against policy value 'v'? Unparsable request values and unresolvable
** policy values match nothing. */
static int value_match(ectx *e, const iam_cond *c, const iam_value *v, const char *rs,
                       size_t rn)
{
    const char *ps;
    size_t pn;
    const int *cells;

    switch (c->op->family) {
        case IAM_FAM_STRING:
            if (c->op->cmp == IAM_CMP_LIKE) {
                if (!ddb_iamp_tmpl_cells(&v->u.str, e->ctx, &e->cells, &cells, &pn))
                    return 0;
                return ddb_iamp_glob(cells, pn, rs, rn, 0);
            }
            if (!ddb_iamp_tmpl_bytes(&v->u.str, e->ctx, &e->bytes, &ps, &pn))
                return 0;
            if (c->op->cmp == IAM_CMP_EQ_IC)
                return ddb_iamp_fold_eq(ps, pn, rs, rn);
            return pn == rn && (pn == 0 || memcmp(ps, rs, pn) == 0);
        case IAM_FAM_NUMERIC: {
            iam_dec d;
            return ddb_iamp_dec_parse(rs, rn, &d) &&
                   ordered(c->op->cmp, ddb_iamp_dec_cmp(&d, &v->u.num));
        }
        case IAM_FAM_DATE: {
            iam_time t;
            return ddb_iamp_time_parse(rs, rn, &t) &&
                   ordered(c->op->cmp, ddb_iamp_time_cmp(&t, &v->u.time));
        }
        case IAM_FAM_BOOL: {
            int b;
            return ddb_iamp_bool_parse(rs, rn, &b) && b == v->u.boolean;
        }
        case IAM_FAM_BINARY:
            /* Both sides are strict base64 (the policy side was validated),
            ** and strict padded base64 is canonical: equal text <=> equal bytes. */
            return rn == v->len && memcmp(rs, v->text, rn) == 0;
        case IAM_FAM_IP: {
            iam_cidr a;
            return ddb_iamp_cidr_parse(rs, rn, 0, &a) &&
                   ddb_iamp_cidr_contains(&v->u.ip, &a);
        }
        case IAM_FAM_ARN: {
            iam_arn arn;
            ddb_iamp_arn_split(rs, rn, &arn);
            return ddb_iamp_arn_match(&v->u.arn, &arn, e->ctx, &e->cells);
        }
        default:
            return 0;
    }
}

/* One request value (NULL: not a scalar) against all policy values: OR, or
** NOR for a negated operator. */
static int request_value_ok(ectx *e, const iam_cond *c, const json_t *rv)
{
    char buf[40];
    size_t rn = 0;
    const char *rs = rv != NULL ? ddb_iamp_scalar_text(rv, buf, &rn) : NULL;
    int any = 0;

    for (size_t i = 0; rs != NULL && i < c->n_vals && !any; i++)
        any = value_match(e, c, &c->vals[i], rs, rn);
    return c->op->negated ? !any : any;
}

/* Does some policy value of 'c' hold a variable that cannot be resolved? */
static int has_unresolved(ectx *e, const iam_cond *c)
{
    const int *cells;
    size_t n;

    if (!c->has_vars)
        return 0;
    for (size_t i = 0; i < c->n_vals; i++) {
        const iam_value *v = &c->vals[i];
        if (c->op->family == IAM_FAM_STRING &&
            !ddb_iamp_tmpl_cells(&v->u.str, e->ctx, &e->cells, &cells, &n))
            return 1;
        for (int s = 0; c->op->family == IAM_FAM_ARN && s < v->u.arn.n_segs; s++)
            if (!ddb_iamp_tmpl_cells(&v->u.arn.seg[s], e->ctx, &e->cells, &cells, &n))
                return 1;
    }
    return 0;
}

/*---- one condition ----*/

static int cond_true(ectx *e, const iam_cond *c, int deny)
{
    json_t *rv = ddb_iamp_ctx_get(e->ctx, c->key, strlen(c->key));
    int absent =
        rv == NULL || json_is_null(rv) || (json_is_array(rv) && json_array_size(rv) == 0);

    if (c->op->family == IAM_FAM_NULL) {
        for (size_t i = 0; i < c->n_vals; i++)
            if (c->vals[i].u.boolean ? absent : !absent)
                return 1;
        return 0;
    }

    if (c->set == IAM_SET_NONE) {
        if (ddb_iam_key_is_multivalued(c->key))
            return 0; /* a set operator is required (see the file comment) */
        if (absent)
            return c->if_exists || c->op->negated;
        if (json_is_array(rv)) {
            if (json_array_size(rv) > 1)
                return 0;
            rv = json_array_get(rv, 0);
        }
        return request_value_ok(e, c, rv);
    }

    if (absent) {
        if (c->set == IAM_SET_ANY)
            return c->if_exists;
        /* ForAllValues: vacuously true, except open point 1 (file comment). */
        return deny || !has_unresolved(e, c);
    }
    size_t n = json_is_array(rv) ? json_array_size(rv) : 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *one = json_is_array(rv) ? json_array_get(rv, i) : rv;
        int ok = request_value_ok(e, c, one);
        if (c->set == IAM_SET_ALL && !ok)
            return 0;
        if (c->set == IAM_SET_ANY && ok)
            return 1;
    }
    return c->set == IAM_SET_ALL;
}

/*---- one statement ----*/

static int stmt_applies(ectx *e, const iam_stmt *st, const char *action, size_t alen,
                        const iam_arn *arn)
{
    int m = 0;

    for (size_t i = 0; i < st->n_actions && !m; i++)
        m = ddb_iamp_glob(st->actions[i].pat.cells, st->actions[i].pat.n_cells, action,
                          alen, 1);
    if (m == st->not_action)
        return 0;
    m = 0;
    for (size_t i = 0; i < st->n_resources && !m; i++)
        m = ddb_iamp_arn_match(&st->resources[i].pat, arn, e->ctx, &e->cells);
    if (m == st->not_resource)
        return 0;
    for (size_t i = 0; i < st->n_conds; i++)
        if (!cond_true(e, &st->conds[i], st->deny))
            return 0;
    return 1;
}

/*---- the decision ----*/

ddb_iam_decision ddb_iam_evaluate(ddb_policy *const *policies, size_t n_policies,
                                  const char *action, const char *resource,
                                  const json_t *context, ddb_iam_explain *why)
{
    return ddb_iam_evaluate_layers(policies, n_policies, action, resource, &context, 1, why);
}

ddb_iam_decision ddb_iam_evaluate_layers(ddb_policy *const *policies, size_t n_policies,
                                         const char *action, const char *resource,
                                         const json_t *const *layers, size_t n_layers,
                                         ddb_iam_explain *why)
{
    ddb_iam_explain allow = {NULL, -1, NULL};
    ddb_iam_decision d = DDB_IAM_IMPLICIT_DENY;
    iam_ctx ctx = {layers, layers != NULL ? n_layers : 0};
    ectx e = {&ctx, {NULL, 0, 0}, DDB_BUF_INIT};
    iam_arn arn;

    if (why != NULL)
        *why = allow;
    if (action == NULL || resource == NULL || (policies == NULL && n_policies > 0))
        return DDB_IAM_IMPLICIT_DENY;
    size_t alen = strlen(action);
    ddb_iamp_arn_split(resource, strlen(resource), &arn);
    for (size_t p = 0; p < n_policies; p++) {
        const ddb_policy *pol = policies[p];
        for (size_t i = 0; pol != NULL && i < pol->n_stmts; i++) {
            const iam_stmt *st = &pol->stmts[i];
            if (!stmt_applies(&e, st, action, alen, &arn))
                continue;
            if (st->deny) {
                if (why != NULL)
                    *why = (ddb_iam_explain){pol, (int)i, st->sid};
                d = DDB_IAM_EXPLICIT_DENY;
                goto out;
            }
            if (d == DDB_IAM_IMPLICIT_DENY) {
                d = DDB_IAM_ALLOW;
                allow = (ddb_iam_explain){pol, (int)i, st->sid};
            }
        }
    }
    if (why != NULL)
        *why = allow;
out:
    free(e.cells.v);
    ddb_buf_free(&e.bytes);
    return d;
}
