/* SPDX-License-Identifier: MIT
**
** ddb_iam.h -- IAM identity-policy parsing and evaluation, as AWS evaluates
** identity policies for one account (no SCPs, boundaries or session
** policies): explicit Deny > Allow > implicit deny; Action/NotAction,
** Resource/NotResource with AWS's wildcard and ARN segment rules; every
** condition operator family with ...IfExists, ForAllValues:/ForAnyValue: with
** AWS's vacuous-truth rules; policy variables (${aws:PrincipalTag/k},
** ${aws:username}, ${aws:userid}, ${aws:PrincipalAccount}, ${*}, ${?}, ${$},
** defaults) with AWS's missing-value rules; Version 2008-10-17 literal
** semantics; condition key names case-insensitive.
**
** Pure: no I/O. The emulator builds the request context (principal keys and
** the DynamoDB keys such as dynamodb:LeadingKeys) and asks for a decision.
*/
#ifndef DDB_IAM_H
#define DDB_IAM_H

#include "ddb_error.h"
#include <jansson.h>
#include <stddef.h>

typedef struct ddb_policy ddb_policy;

typedef enum ddb_iam_decision {
    DDB_IAM_IMPLICIT_DENY = 0,
    DDB_IAM_ALLOW,
    DDB_IAM_EXPLICIT_DENY
} ddb_iam_decision;

/* Parse and validate one policy document (borrowed 'doc'). 'name' names it in
** explanations and error texts (a file name or "inline policy 2 of ..."). On a
** malformed policy returns NULL and records a message naming 'name', the JSON
** path and the problem, e.g. "tenant.json: Statement[1].Condition: unknown
** condition operator 'StringEqual'". New; free with ddb_iam_policy_free. */
ddb_policy *ddb_iam_policy_parse(const json_t *doc, const char *name, ddb_error *err);
void ddb_iam_policy_free(ddb_policy *p);
const char *ddb_iam_policy_name(const ddb_policy *p);

/* Why a decision was taken: the deciding statement (for an explicit deny, the
** denying statement; for an allow, the first allowing statement found; for
** an implicit deny, none). */
typedef struct ddb_iam_explain {
    const ddb_policy *policy;  /* borrowed; NULL for an implicit deny */
    int statement;             /* 0-based index in the policy's Statement list, -1 if none */
    const char *sid;           /* the statement's Sid or NULL (borrowed) */
} ddb_iam_explain;

/* Decide whether the caller described by 'context' may perform 'action'
** ("dynamodb:GetItem") on 'resource' (an ARN, or "*" for account-level
** actions) under 'policies'.
**
** 'context' is a JSON object of condition keys (names in any case; lookups
** are case-insensitive) to values: a string, or an array of strings for
** multivalued keys (dynamodb:LeadingKeys, dynamodb:Attributes, aws:TagKeys,
** ...). Absent keys are simply not present. It also provides the values of
** policy variables (aws:username, aws:userid, aws:PrincipalAccount,
** aws:PrincipalTag/<k>, ...). 'why' may be NULL. */
ddb_iam_decision ddb_iam_evaluate(ddb_policy *const *policies, size_t n_policies,
                                  const char *action, const char *resource,
                                  const json_t *context, ddb_iam_explain *why);

/* 1 when the condition key 'key' is multivalued by type (ArrayOf...), e.g.
** dynamodb:LeadingKeys, dynamodb:Attributes, aws:TagKeys. */
int ddb_iam_key_is_multivalued(const char *key);

#endif
