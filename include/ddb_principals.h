/* SPDX-License-Identifier: MIT
**
** ddb_principals.h -- the principals of `ddbd --principals FILE` and what
** they bring to IAM: the file (IAM users and assumed-role sessions, their
** access keys, secrets and session tokens, tags, and identity policies given
** as file names relative to the principals file or as inline documents), the
** identity derived from a principal's ARN, the condition keys of its
** requests, and AWS's AccessDeniedException text.
**
** One implementation for both programs: ddbd authorizes requests with it
** (emulator/authz.c) and `ddb policy simulate` (client/) simulates them, so
** the two always agree. Loading reads files; everything else is pure. A
** loaded file is immutable, so threads may share it.
**
** Implemented in emulator/core/principals.c (the file, identities, lookup)
** and emulator/core/principal_context.c (condition keys, denial text).
*/
#ifndef DDB_PRINCIPALS_H
#define DDB_PRINCIPALS_H

#include "ddb.h"
#include "ddb_iam.h"

#include <time.h>

typedef enum { DDB_PRINCIPAL_USER, DDB_PRINCIPAL_ASSUMED_ROLE } ddb_principal_type;

typedef struct ddb_principal {
    ddb_principal_type type;
    char *arn;            /* user ARN, or the session ARN arn:aws:sts::A:assumed-role/R/S */
    char *principal_arn;  /* aws:PrincipalArn: the user ARN, or the role ARN */
    char *account;
    char *username;       /* aws:username (users only), else NULL */
    char *userid;         /* aws:userid: AIDA..., or AROA...:SESSION */
    char *access_key_id;  /* NULL for a principal not read from a file */
    char *secret;
    char *session_token;  /* assumed-role sessions only */
    json_t *tags;         /* {"tenant":"t-037"} (owned) */
    struct ddb_policy **policies; /* compiled identity policies (owned) */
    size_t n_policies;
    json_t *own_context;  /* its own keys (ddb_principal_context), built once by
                          ** ddb_principals_load; NULL otherwise (owned) */
} ddb_principal;

typedef struct ddb_principals {
    char *path;
    char *account;
    ddb_principal *v;
    size_t n;
} ddb_principals;

/*---- the principals file ----*/

/* Load and validate FILE:
**   {"account_id": "123456789012",
**    "principals": [{"arn", "access_key_id", "secret_access_key",
**                    "session_token" (sessions only), "tags": {k: v},
**                    "policies": ["file.json" | {policy document}, ...]}]}
** On any problem returns NULL and records a DDB_E_VALIDATION error naming the
** file, the JSON path and the problem (for a policy, the IAM engine's text:
** policy name, JSON path, problem). New; free with ddb_principals_free. */
ddb_principals *ddb_principals_load(const char *path, ddb_error *err);
void ddb_principals_free(ddb_principals *p);

/* The principal owning access key 'akid', or NULL. Borrowed. */
const ddb_principal *ddb_principals_find(const ddb_principals *p, const char *akid);

/* The principals 'who' names: an access key id (unique), an ARN, a user
** name ("workshop_000") or a session name. Returns how many match and sets
** *first to the first of them (NULL when none). Borrowed. */
size_t ddb_principals_lookup(const ddb_principals *p, const char *who,
                             const ddb_principal **first);

/*---- one principal ----*/

/* Set the identity of the zeroed 'p' from 'arn' as ddbd reads a principal's
** "arn": arn:aws:iam::ACCOUNT:user/[PATH/]NAME (aws:username NAME, aws:userid
** AIDA + 17 characters derived from the ARN) or
** arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (aws:PrincipalArn the role
** ARN, aws:userid AROA...:SESSION). Tags start empty, no policies. 0, or -1
** when the ARN has neither form (then 'p' still needs ddb_principal_clear). */
int ddb_principal_init(ddb_principal *p, const char *arn);
/* Free what 'p' owns (its policies too) and zero it. */
void ddb_principal_clear(ddb_principal *p);

/*---- the condition keys of a request ----*/

/* Set the principal's own keys on 'ctx', replacing any of the same name:
** aws:userid, aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType
** ("User" or "AssumedRole"), aws:username (users) and aws:PrincipalTag/<k>
** for each tag. */
void ddb_principal_context(const ddb_principal *p, json_t *ctx);
/* 1 when 'key' (any case) is one of the keys ddb_principal_context sets for
** some principal (aws:PrincipalTag/<anything> included), else 0. */
int ddb_principal_key_is_own(const char *key);
/* The principal's own keys as one object: p->own_context when the principal
** came from ddb_principals_load (they never change; borrowed, shared by
** threads read-only), else a new object the caller must release -- *owned
** says which (1: decref it). */
json_t *ddb_principal_own_context(const ddb_principal *p, int *owned);

/* Set the facts ddbd adds to every request: aws:CurrentTime and
** aws:EpochTime ('now'), aws:SecureTransport "false" (ddbd speaks plain
** HTTP), aws:RequestedRegion 'region', and aws:SourceIp 'source_ip' when not
** NULL. */
void ddb_principal_request_facts(json_t *ctx, time_t now, const char *region,
                                 const char *source_ip);

/* The text of the AccessDeniedException ddbd sends when 'p' is denied
** 'action' on 'resource' with decision 'd':
**   "User: <arn> is not authorized to perform: <action> on resource:
**    <resource> because no identity-based policy allows the <action> action"
** or, for DDB_IAM_EXPLICIT_DENY, "... on resource: <resource> with an
** explicit deny in an identity-based policy". NULL for DDB_IAM_ALLOW.
** New string; caller frees. */
char *ddb_principal_denied_message(const ddb_principal *p, const char *action,
                                   const char *resource, ddb_iam_decision d);

#endif
