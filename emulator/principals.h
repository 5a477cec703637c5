/* SPDX-License-Identifier: MIT
**
** principals.h -- the principals file of `ddbd --principals FILE`: who may
** call ddbd (IAM users and assumed-role sessions), their access keys,
** secrets and session tokens, their tags, and their identity policies
** (file names relative to the principals file, or inline documents).
** Loaded once at start-up and immutable afterwards.
*/
#ifndef DDB_PRINCIPALS_H
#define DDB_PRINCIPALS_H

#include "ddb.h"
#include "ddb_iam.h"

typedef enum { DDB_PRINCIPAL_USER, DDB_PRINCIPAL_ASSUMED_ROLE } ddb_principal_type;

typedef struct ddb_principal {
    ddb_principal_type type;
    char *arn;            /* user ARN, or the session ARN arn:aws:sts::A:assumed-role/R/S */
    char *principal_arn;  /* aws:PrincipalArn: the user ARN, or the role ARN */
    char *account;
    char *username;       /* aws:username (users only), else NULL */
    char *userid;         /* aws:userid: AIDA..., or AROA...:SESSION */
    char *access_key_id;
    char *secret;
    char *session_token;  /* assumed-role sessions only */
    json_t *tags;         /* {"tenant":"t-037"} (owned) */
    struct ddb_policy **policies; /* compiled identity policies (owned) */
    size_t n_policies;
} ddb_principal;

typedef struct ddb_principals {
    char *path;
    char *account;
    ddb_principal *v;
    size_t n;
} ddb_principals;

/* Load and validate FILE. On any problem returns NULL and records a message
** naming the file, the JSON path and the problem. New; free with
** ddb_principals_free. */
ddb_principals *ddb_principals_load(const char *path, ddb_error *err);
void ddb_principals_free(ddb_principals *p);

/* The principal owning access key 'akid', or NULL. Borrowed. */
const ddb_principal *ddb_principals_find(const ddb_principals *p, const char *akid);

#endif
