/* SPDX-License-Identifier: MIT
**
** authz.h -- IAM authorization of a request: the caller's principal context
** keys (aws:username, aws:userid, aws:PrincipalTag/<k>, ...), the DynamoDB
** condition keys an operation carries (dynamodb:LeadingKeys, Attributes,
** Select, ReturnValues, ReturnConsumedCapacity, aws:ResourceTag/<k>, ...), the
** decision of the principal's identity policies, and AWS's
** AccessDeniedException text. Open mode (no --principals) allows everything.
*/
#ifndef DDB_AUTHZ_H
#define DDB_AUTHZ_H

#include "catalog.h"
#include "emulator.h"

/* A new, empty context of condition keys. */
json_t *ddb_authz_ctx_new(void);
/* Add the string form of partition key value 'av' (S text, N canonical text,
** B base64) to dynamodb:LeadingKeys. */
void ddb_authz_add_leading_key(json_t *ctx, const json_t *av);
/* Add a top-level attribute name to dynamodb:Attributes (once). */
void ddb_authz_add_attribute(json_t *ctx, const char *name);
/* Add every name of an attribute map (Item, Key) / a JSON array of names. */
void ddb_authz_add_attribute_names(json_t *ctx, const json_t *map_or_array);
/* Add the top-level names every expression of 'x' refers to. */
struct ddb_req_exprs;
void ddb_authz_add_expr_names(json_t *ctx, const struct ddb_req_exprs *x);
/* Set a single-valued key (e.g. "dynamodb:Select"). */
void ddb_authz_set(json_t *ctx, const char *key, const char *value);

/* Decide 'action' on 'resource' for the caller with the keys of 'ctx'
** (borrowed, may be NULL) plus the principal's own keys. DDB_OK when allowed;
** otherwise AccessDeniedException with AWS's text, and the denial is logged
** with the deciding statement. */
int ddb_authz(ddb_req *req, const char *action, const char *resource, json_t *ctx,
              ddb_error *err);

/* Authorize the request's operation on table 'name' (index 'index' when not
** NULL: the index ARN is the resource), adding aws:ResourceTag/<k> from 't'
** when the table exists ('t' may be NULL: the decision does not reveal whether
** the table exists). */
int ddb_authz_table(ddb_req *req, const ddb_table *t, const char *name, const char *index,
                    json_t *ctx, ddb_error *err);

/* The request's table (a name or an ARN), looked up and authorized with
** 'ctx' before its existence is revealed: the partition key value of
** 'key_or_item' (when given and the table exists) joins dynamodb:LeadingKeys.
** A new reference, or NULL with AccessDeniedException or
** ResourceNotFoundException recorded. Steals nothing. */
ddb_table *ddb_authz_lookup(ddb_req *req, int data_plane, const json_t *key_or_item, json_t *ctx,
                            ddb_error *err);

/* The most recent authorization decisions (newest last, at most
** DDB_AUTHZ_RECENT), for the console: [{"Time","Principal","Action",
** "Resource","Decision" ("Allow"|"ExplicitDeny"|"ImplicitDeny"|"Open"),
** "Policy","Statement","Sid"}]. Entries with a sequence number above 'after'
** only ("Seq" member). New reference. */
#define DDB_AUTHZ_RECENT 256
json_t *ddb_authz_recent(unsigned long long after);

/* 1 when the server enforces IAM (runs with --principals). */
int ddb_authz_enforcing(const ddb_req *req);

#endif
