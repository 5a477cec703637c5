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

/*---- the request facts, per thread ----*/

/* The facts ddbd adds to every request (libddbcore's, shared with `ddb policy
** simulate`) change with the second, the region and the client address only:
** each thread keeps the last object it built and reuses it while they stay
** the same. Only the owning thread reads it (the evaluation borrows it). */
typedef struct facts_cache {
    json_t *obj;
    time_t now;
    int have_ip;
    char region[DDB_SIGV4_MAX_FIELD];
    char ip[64];
} facts_cache;

static pthread_key_t facts_key;
static int facts_key_ok;
static pthread_once_t facts_once = PTHREAD_ONCE_INIT;

static void facts_release(void *p)
{
    facts_cache *f = p;
    json_decref(f->obj);
    free(f);
}

static void facts_init(void)
{
    facts_key_ok = pthread_key_create(&facts_key, facts_release) == 0;
}

/* The facts of 'req' as an object: borrowed from the thread's cache, or new
** (*owned = 1) when the thread has no cache. */
static json_t *request_facts(ddb_req *req, int *owned)
{
    char ip[64];
    int have_ip = ddb_req_client_ip(req, ip, sizeof ip) == 0;
    time_t now = time(NULL);
    pthread_once(&facts_once, facts_init);
    facts_cache *f = facts_key_ok ? pthread_getspecific(facts_key) : NULL;
    if (f == NULL && facts_key_ok) {
        f = ddb_xcalloc(1, sizeof *f);
        if (pthread_setspecific(facts_key, f) != 0) {
            free(f);
            f = NULL;
        }
    }
    size_t rlen = strlen(req->region);
    if (f == NULL || rlen >= sizeof f->region) {
        json_t *o = json_object();
        ddb_principal_request_facts(o, now, req->region, have_ip ? ip : NULL);
        *owned = 1;
        return o;
    }
    *owned = 0;
    if (f->obj != NULL && f->now == now && f->have_ip == have_ip &&
        (!have_ip || strcmp(f->ip, ip) == 0) && strcmp(f->region, req->region) == 0)
        return f->obj;
    json_decref(f->obj);
    f->obj = json_object();
    ddb_principal_request_facts(f->obj, now, req->region, have_ip ? ip : NULL);
    f->now = now;
    f->have_ip = have_ip;
    memcpy(f->ip, have_ip ? ip : "", have_ip ? strlen(ip) + 1 : 1);
    memcpy(f->region, req->region, rlen + 1);
    return f->obj;
}

/*---- the recent decisions (bounded ring) ----*/

/* A decision is recorded on every authorized request but read only when the
** console or /_ddbd/decisions asks: a slot holds plain copies of the texts,
** turned into JSON by ddb_authz_recent. */
enum { DEC_OPEN, DEC_ALLOW, DEC_EXPLICIT_DENY, DEC_IMPLICIT_DENY };
static const char *const decision_names[] = {"Open", "Allow", "ExplicitDeny", "ImplicitDeny"};

#define SLOT_TEXT 320 /* principal, action, resource, policy and Sid of a typical entry */

typedef struct recent_slot {
    unsigned long long seq; /* 0: empty */
    double time;
    int decision;
    int has_policy; /* a deciding statement: Policy, Statement (and Sid) */
    int statement;
    const char *text[5]; /* Principal, Action, Resource, Policy, Sid: into 'inline_text'
                         ** or 'heap', NULL when absent */
    char *heap;          /* when the texts do not fit inline */
    char inline_text[SLOT_TEXT];
} recent_slot;

enum { T_PRINCIPAL, T_ACTION, T_RESOURCE, T_POLICY, T_SID };

static pthread_mutex_t recent_lock = PTHREAD_MUTEX_INITIALIZER;
static recent_slot recent[DDB_AUTHZ_RECENT];
static unsigned long long recent_seq;

static void remember(const char *principal, const char *action, const char *resource,
                     int decision, const ddb_iam_explain *why)
{
    double now = ddb_now();
    const char *src[5] = {principal, action, resource, NULL, NULL};
    int statement = 0, has_policy = why != NULL && why->policy != NULL;
    if (has_policy) {
        src[T_POLICY] = ddb_iam_policy_name(why->policy);
        statement = why->statement;
        src[T_SID] = why->sid;
    }
    size_t len[5], total = 0;
    for (int i = 0; i < 5; i++) {
        len[i] = src[i] != NULL ? strlen(src[i]) + 1 : 0;
        total += len[i];
    }
    pthread_mutex_lock(&recent_lock);
    unsigned long long seq = ++recent_seq;
    recent_slot *e = &recent[seq % DDB_AUTHZ_RECENT];
    free(e->heap);
    e->heap = total > sizeof e->inline_text ? ddb_xmalloc(total) : NULL;
    char *o = e->heap != NULL ? e->heap : e->inline_text;
    for (int i = 0; i < 5; i++) {
        e->text[i] = src[i] != NULL ? o : NULL;
        if (src[i] != NULL)
            memcpy(o, src[i], len[i]);
        o += len[i];
    }
    e->seq = seq;
    e->time = now;
    e->decision = decision;
    e->has_policy = has_policy;
    e->statement = statement;
    pthread_mutex_unlock(&recent_lock);
}

/* A slot as the console reads it: {"Time","Principal","Action","Resource",
** "Decision"[,"Policy","Statement"[,"Sid"]],"Seq"}; a text jansson refuses
** (not UTF-8) is left out, as json_object_set_new of a NULL value does. */
static json_t *slot_json(const recent_slot *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "Time", json_real(e->time));
    json_object_set_new(o, "Principal", json_string(e->text[T_PRINCIPAL]));
    json_object_set_new(o, "Action", json_string(e->text[T_ACTION]));
    json_object_set_new(o, "Resource", json_string(e->text[T_RESOURCE]));
    json_object_set_new(o, "Decision", json_string(decision_names[e->decision]));
    if (e->has_policy) {
        json_object_set_new(o, "Policy", json_string(e->text[T_POLICY]));
        json_object_set_new(o, "Statement", json_integer(e->statement));
        if (e->text[T_SID] != NULL)
            json_object_set_new(o, "Sid", json_string(e->text[T_SID]));
    }
    json_object_set_new(o, "Seq", json_integer((json_int_t)e->seq));
    return o;
}

json_t *ddb_authz_recent(unsigned long long after)
{
    json_t *out = json_array();
    pthread_mutex_lock(&recent_lock);
    unsigned long long first = recent_seq > DDB_AUTHZ_RECENT ? recent_seq - DDB_AUTHZ_RECENT + 1 : 1;
    if (after + 1 > first)
        first = after + 1;
    for (unsigned long long s = first; s <= recent_seq; s++)
        json_array_append_new(out, slot_json(&recent[s % DDB_AUTHZ_RECENT]));
    pthread_mutex_unlock(&recent_lock);
    return out;
}

int ddb_authz(ddb_req *req, const char *action, const char *resource, json_t *ctx,
              ddb_error *err)
{
    const ddb_principal *p = req->principal;
    if (req->srv->principals == NULL || p == NULL) {
        remember(req->caller_arn, action, resource, DEC_OPEN, NULL);
        return DDB_OK; /* open mode */
    }
    /* The request's keys, then the principal's own, then the request facts,
    ** each replacing keys of the same name: layered, not copied. */
    int own_owned, facts_owned;
    json_t *own = ddb_principal_own_context(p, &own_owned);
    json_t *facts = request_facts(req, &facts_owned);
    const json_t *layers[3] = {ctx, own, facts};
    ddb_iam_explain why;
    ddb_iam_decision d = ddb_iam_evaluate_layers(p->policies, p->n_policies, action, resource,
                                                 layers, 3, &why);
    if (own_owned)
        json_decref(own);
    if (facts_owned)
        json_decref(facts);
    remember(p->arn, action, resource,
             d == DDB_IAM_ALLOW           ? DEC_ALLOW
             : d == DDB_IAM_EXPLICIT_DENY ? DEC_EXPLICIT_DENY
                                          : DEC_IMPLICIT_DENY,
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
    /* arn:aws:dynamodb:REGION:ACCOUNT:table/NAME[/index/INDEX] */
    ddb_buf arn = DDB_BUF_INIT;
    ddb_buf_reserve(&arn, 255);
    ddb_buf_puts(&arn, "arn:aws:dynamodb:");
    ddb_buf_puts(&arn, req->region);
    ddb_buf_putc(&arn, ':');
    ddb_buf_puts(&arn, req->account);
    ddb_buf_puts(&arn, ":table/");
    ddb_buf_puts(&arn, name);
    if (index != NULL) {
        ddb_buf_puts(&arn, "/index/");
        ddb_buf_puts(&arn, index);
    }
    int rc = ddb_authz(req, req->op->action, (const char *)arn.data, c, err);
    ddb_buf_free(&arn);
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
