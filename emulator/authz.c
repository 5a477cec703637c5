/* SPDX-License-Identifier: MIT
**
** authz.c -- IAM authorization of requests (see authz.h): builds the request
** context, asks the IAM engine (emulator/core/iam*.c) for a decision over the
** caller's identity policies, and turns a denial into AWS's
** AccessDeniedException ("User: <arn> is not authorized to perform: <action>
** on resource: <resource> because no identity-based policy allows the
** <action> action" / "... with an explicit deny in an identity-based policy").
** The principal's keys, the request facts and the denial texts come from
** libddbcore (ddb_principals.h), which `ddb policy simulate` uses too.
*/
#include "authz.h"
#include "ddb_principals.h"
#include "reqexpr.h"
#include "request.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int ddb_authz_enforcing(const ddb_req *req)
{
    return req->srv->principals != NULL;
}

json_t *ddb_authz_ctx_new(void)
{
    return json_object();
}

static json_t *multi(json_t *ctx, const char *key)
{
    json_t *a = json_object_get(ctx, key);
    if (a == NULL) {
        a = json_array();
        json_object_set_new(ctx, key, a);
    }
    return a;
}

void ddb_authz_add_leading_key(json_t *ctx, const json_t *av)
{
    json_t *v = ddb_attr_payload(av);
    if (ctx == NULL || v == NULL || !json_is_string(v))
        return;
    json_t *a = multi(ctx, "dynamodb:LeadingKeys");
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        if (json_equal(e, v))
            return;
    }
    json_array_append(a, v);
}

void ddb_authz_add_attribute(json_t *ctx, const char *name)
{
    if (ctx == NULL || name == NULL)
        return;
    json_t *a = multi(ctx, "dynamodb:Attributes");
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        if (strcmp(json_string_value(e), name) == 0)
            return;
    }
    json_array_append_new(a, json_string(name));
}

void ddb_authz_add_attribute_names(json_t *ctx, const json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x) ddb_authz_add_attribute(ctx, k);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach((json_t *)v, i, x) ddb_authz_add_attribute(ctx, json_string_value(x));
    }
}

void ddb_authz_set(json_t *ctx, const char *key, const char *value)
{
    if (ctx != NULL && value != NULL)
        json_object_set_new(ctx, key, json_string(value));
}

/* The principal's own condition keys and the request facts
** (libddbcore's, shared with `ddb policy simulate`). */
static void principal_keys(ddb_req *req, const ddb_principal *p, json_t *ctx)
{
    ddb_principal_context(p, ctx);
    char ip[64];
    int have_ip = ddb_req_client_ip(req, ip, sizeof ip) == 0;
    ddb_principal_request_facts(ctx, time(NULL), req->region, have_ip ? ip : NULL);
}

/*---- the recent decisions (bounded ring) ----*/

static pthread_mutex_t recent_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *recent[DDB_AUTHZ_RECENT];
static unsigned long long recent_seq;

static void remember(const char *principal, const char *action, const char *resource,
                     const char *decision, const ddb_iam_explain *why)
{
    json_t *e = json_object();
    json_object_set_new(e, "Time", json_real(ddb_now()));
    json_object_set_new(e, "Principal", json_string(principal));
    json_object_set_new(e, "Action", json_string(action));
    json_object_set_new(e, "Resource", json_string(resource));
    json_object_set_new(e, "Decision", json_string(decision));
    if (why != NULL && why->policy != NULL) {
        json_object_set_new(e, "Policy", json_string(ddb_iam_policy_name(why->policy)));
        json_object_set_new(e, "Statement", json_integer(why->statement));
        if (why->sid != NULL)
            json_object_set_new(e, "Sid", json_string(why->sid));
    }
    pthread_mutex_lock(&recent_lock);
    unsigned long long seq = ++recent_seq;
    json_object_set_new(e, "Seq", json_integer((json_int_t)seq));
    json_t **slot = &recent[seq % DDB_AUTHZ_RECENT];
    json_decref(*slot);
    *slot = e;
    pthread_mutex_unlock(&recent_lock);
}

json_t *ddb_authz_recent(unsigned long long after)
{
    json_t *out = json_array();
    pthread_mutex_lock(&recent_lock);
    unsigned long long first = recent_seq > DDB_AUTHZ_RECENT ? recent_seq - DDB_AUTHZ_RECENT + 1 : 1;
    if (after + 1 > first)
        first = after + 1;
    for (unsigned long long s = first; s <= recent_seq; s++)
        json_array_append(out, recent[s % DDB_AUTHZ_RECENT]);
    pthread_mutex_unlock(&recent_lock);
    return out;
}

int ddb_authz(ddb_req *req, const char *action, const char *resource, json_t *ctx,
              ddb_error *err)
{
    const ddb_principal *p = req->principal;
    if (req->srv->principals == NULL || p == NULL) {
        remember(req->caller_arn, action, resource, "Open", NULL);
        return DDB_OK; /* open mode */
    }
    json_t *full = ctx ? json_deep_copy(ctx) : json_object();
    principal_keys(req, p, full);
    ddb_iam_explain why;
    ddb_iam_decision d = ddb_iam_evaluate(p->policies, p->n_policies, action, resource, full, &why);
    json_decref(full);
    remember(p->arn, action, resource,
             d == DDB_IAM_ALLOW ? "Allow" : d == DDB_IAM_EXPLICIT_DENY ? "ExplicitDeny" : "ImplicitDeny",
             &why);
    if (d == DDB_IAM_ALLOW) {
        if (ddb_log_enabled(DDB_LOG_DEBUG))
            ddb_log(DDB_LOG_DEBUG, "%s allow %s %s on %s by %s statement %d%s%s",
                    req->request_id, p->arn, action, resource, ddb_iam_policy_name(why.policy),
                    why.statement, why.sid ? " " : "", why.sid ? why.sid : "");
        return DDB_OK;
    }
    if (d == DDB_IAM_EXPLICIT_DENY)
        ddb_log(DDB_LOG_INFO, "deny %s %s on %s: explicit deny by %s statement %d%s%s", p->arn,
                action, resource, ddb_iam_policy_name(why.policy), why.statement,
                why.sid ? " Sid " : "", why.sid ? why.sid : "");
    else
        ddb_log(DDB_LOG_INFO, "deny %s %s on %s: no identity-based policy allows it", p->arn,
                action, resource);
    char *message = ddb_principal_denied_message(p, action, resource, d);
    ddb_err_set(err, DDB_E_ACCESS_DENIED, "%s", message);
    free(message);
    return DDB_ERR;
}

int ddb_authz_table(ddb_req *req, const ddb_table *t, const char *name, const char *index,
                    json_t *ctx, ddb_error *err)
{
    if (req->srv->principals == NULL)
        return DDB_OK;
    json_t *c = ctx ? json_incref(ctx) : json_object();
    if (t != NULL) {
        size_t i;
        json_t *tag;
        json_array_foreach(json_object_get(t->def, "Tags"), i, tag) {
            char *key = ddb_xasprintf("aws:ResourceTag/%s",
                                      json_string_value(json_object_get(tag, "Key")));
            json_object_set(c, key, json_object_get(tag, "Value"));
            free(key);
        }
    }
    char *arn = index ? ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/%s/index/%s", req->region,
                                      req->account, name, index)
                      : ddb_xasprintf("arn:aws:dynamodb:%s:%s:table/%s", req->region,
                                      req->account, name);
    int rc = ddb_authz(req, req->op->action, arn, c, err);
    free(arn);
    json_decref(c);
    return rc;
}

void ddb_authz_add_expr_names(json_t *ctx, const ddb_req_exprs *x)
{
    const ddb_expr *all[5] = {x->update, x->condition, x->key_cond, x->filter, x->projection};
    for (int i = 0; i < 5; i++) {
        if (all[i] == NULL)
            continue;
        json_t *names = ddb_expr_top_names(all[i]);
        ddb_authz_add_attribute_names(ctx, names);
        json_decref(names);
    }
}

ddb_table *ddb_authz_lookup(ddb_req *req, int data_plane, const json_t *key_or_item, json_t *ctx,
                            ddb_error *err)
{
    ddb_error missing = DDB_ERROR_INIT;
    ddb_table *t = ddb_req_table(req, data_plane, &missing);
    if (t != NULL && key_or_item != NULL && ctx != NULL) {
        const json_t *pk = json_object_get(key_or_item, t->hash.name);
        if (pk != NULL)
            ddb_authz_add_leading_key(ctx, pk);
    }
    const char *name = ddb_req_table_name(req);
    if (ddb_authz_table(req, t, name ? name : "", NULL, ctx, err) != DDB_OK) {
        ddb_table_unref(t);
        ddb_err_clear(&missing);
        return NULL;
    }
    if (t == NULL && err != NULL && err->code == DDB_E_NONE) {
        *err = missing;
        return NULL;
    }
    ddb_err_clear(&missing);
    return t;
}
