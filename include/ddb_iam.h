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
** Pure: no I/O, no global state. The emulator builds the request context
** (principal keys and the DynamoDB keys such as dynamodb:LeadingKeys) and asks
** for a decision. A parsed policy is immutable, so several threads may
** evaluate the same policies at once.
**
** Where AWS leaves a behaviour open (IAM reference iam-and-sigv4.md §8) the
** engine makes one documented, deterministic choice; the comment at the
** implementing code says which (emulator/core/iam_parse.c, iam_eval.c,
** iam_match.c, iam_values.c):
**   - a policy without "Version" is rejected (AWS reads it as 2008-10-17);
**   - operator names are case-sensitive; '?' is a wildcard in actions too;
**   - a plain (non-set) operator on a key that is multivalued by type never
**     matches, even negated or ...IfExists (so a bare-operator Deny on
**     dynamodb:LeadingKeys never applies);
**   - ForAllValues over an absent or empty key is vacuously true, except in
**     an Allow statement whose values hold a variable without a value (the
**     untagged user's Scan, case A16): then false;
**   - text substituted for a variable is literal ('*' in a tag value is not
**     a wildcard);
**   - numbers compare as exact decimals, dates to the nanosecond, IPv4 and
**     IPv6 as separate families, IgnoreCase with simple Unicode case folding.
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

/* Parse and validate one policy document (borrowed 'doc'; nothing of it is
** kept). 'name' names it in explanations and error texts (a file name or
** "inline policy 2 of ..."; NULL means "policy"). Validation is strict, as
** IAM's PutPolicy: Version ("2012-10-17" or "2008-10-17", required),
** Statement (an object or a non-empty array), Sid (letters and digits,
** unique), Effect, exactly one of Action/NotAction and of Resource/
** NotResource, no Principal, no unknown elements, known condition operators
** with values of the right JSON type and format (numbers, dates, CIDRs,
** base64, ARNs, policy-variable syntax), no empty arrays or objects, and the
** size limits of emulator/core/iam_int.h.
** On a malformed policy returns NULL and records a DDB_E_VALIDATION error
** whose message names 'name', the JSON path and the problem, e.g.
** "tenant.json: Statement[1].Condition: unknown condition operator
** 'StringEqual'" (every text is pinned in fixtures/iam/parse_errors.json).
** New; free with ddb_iam_policy_free. */
ddb_policy *ddb_iam_policy_parse(const json_t *doc, const char *name, ddb_error *err);

/* Free a policy; NULL is a no-op. Explanations pointing into it die with it. */
void ddb_iam_policy_free(ddb_policy *p);

/* The name given to ddb_iam_policy_parse (borrowed; NULL for a NULL 'p'). */
const char *ddb_iam_policy_name(const ddb_policy *p);

/* Why a decision was taken: the deciding statement (for an explicit deny, the
** first applicable Deny statement; for an allow, the first applicable Allow
** statement; for an implicit deny, none), "first" in the order of
** 'policies' and then of each policy's statements. The caller can use
** 'policy' to name a managed policy in an explicit-deny message. */
typedef struct ddb_iam_explain {
    const ddb_policy *policy; /* borrowed; NULL for an implicit deny */
    int statement;   /* 0-based index in the policy's Statement list, -1 if none */
    const char *sid; /* the statement's Sid or NULL (borrowed from 'policy') */
} ddb_iam_explain;

/* Decide whether the caller described by 'context' may perform 'action'
** ("dynamodb:GetItem"; compared case-insensitively) on 'resource' (an ARN,
** or "*" for account-level actions, which only a policy Resource of "*"
** matches) under 'policies'.
**
** 'context' is a JSON object of condition keys (names in any case; lookups
** are case-insensitive, an exact-case entry winning) to values: a string, or
** an array of strings for multivalued keys (dynamodb:LeadingKeys,
** dynamodb:Attributes, aws:TagKeys, ...). Numbers and booleans are read as
** their text. A key that is missing, JSON null or an empty array is absent.
** It also provides the values of policy variables (aws:username,
** aws:userid, aws:PrincipalAccount, aws:PrincipalTag/<k>, ...). For
** LeadingKeys, pass each partition-key value as the string DynamoDB shows on
** the wire: S as is, N in its canonical text, B as base64 (open point 3).
** 'context' may be NULL (no keys). NULL entries of 'policies' are skipped;
** a NULL 'action' or 'resource' is an implicit deny. 'why' may be NULL.
** Never fails; the work is bounded by the sizes of the inputs (globbing is at
** worst pattern length x value length). */
ddb_iam_decision ddb_iam_evaluate(ddb_policy *const *policies, size_t n_policies,
                                  const char *action, const char *resource,
                                  const json_t *context, ddb_iam_explain *why);

/* ddb_iam_evaluate with the context given as 'n_layers' JSON objects read as
** if merged in order into one: a later layer's key replaces an earlier
** layer's key of exactly the same name (as json_object_set would), so
** lookups see the exact-case entry of the last layer holding it, otherwise
** the first case-insensitive match in the merged object's order. NULL and
** non-object layers hold no keys. Lets a caller keep fixed keys (a
** principal's own) in one object built once and layer a request's keys on
** top without copying either. ddb_iam_evaluate(.., ctx, ..) is this with the
** single layer 'ctx'. */
ddb_iam_decision ddb_iam_evaluate_layers(ddb_policy *const *policies, size_t n_policies,
                                         const char *action, const char *resource,
                                         const json_t *const *layers, size_t n_layers,
                                         ddb_iam_explain *why);

/* 1 when the condition key 'key' (any case) is multivalued by type
** (ArrayOf... in the Service Authorization Reference): dynamodb:LeadingKeys,
** dynamodb:FirstPartitionKeyValues .. FourthPartitionKeyValues,
** dynamodb:Attributes, aws:TagKeys, aws:CalledVia,
** aws:PrincipalServiceNamesList, aws:PrincipalOrgPaths, aws:ResourceOrgPaths,
** aws:SourceOrgPaths. Such keys need a set operator and cannot be policy
** variables. 0 for NULL. */
int ddb_iam_key_is_multivalued(const char *key);

#endif
