/* SPDX-License-Identifier: MIT
**
** iam_parse.c -- parsing and strict validation of IAM identity policies
** (ddb_iam_policy_parse, ddb_iam_policy_free) and the condition-operator
** table.
**
** Every problem is reported as one ValidationException text of the form
**     <policy name>: <JSON path>: <problem>
** e.g. "tenant.json: Statement[1].Condition: unknown condition operator
** 'StringEqual'". The path is "policy" for the document itself; array
** elements are written [i] and object members .Name (a single Statement
** object is just "Statement"). The first problem found wins; checks run in
** document order, and inside an object unknown members are reported before
** missing ones, so a misspelt "Statements" is named as such.
**
** Choices where AWS is silent or lenient (reference iam-and-sigv4.md §2.2, §8):
**   - "Version" is required and must be "2012-10-17" or "2008-10-17". AWS
**     reads a policy without Version as 2008-10-17 (${...} is literal text);
**     ddbd rejects it instead, so a forgotten Version cannot silently turn
**     ${aws:PrincipalTag/tenant} into a literal string.
**   - Operator names are case-sensitive (open point 5): "stringlike" is
**     rejected with a hint naming the canonical spelling, as AWS validates
**     policies when they are stored (PutPolicy) rather than at evaluation.
**   - "?" is a one-character wildcard in actions (open point 5), as in
**     Resource and StringLike; AWS documents only '*' for actions.
**   - Sid: ASCII letters and digits only, unique within the policy (IAM's
**     own PutPolicy rules for identity policies).
**   - Empty arrays, an empty Condition object and an empty operator block are
**     errors: they grant or restrict nothing and are always a mistake.
**   - Condition value types: strings everywhere; also JSON numbers for
**     Numeric*, JSON integers (epoch seconds) for Date*, and true/false for
**     Bool and Null. A JSON real is read in its shortest round-trip form
**     (0.5 -> "0.5"); one that needs an exponent (1e+20) is rejected, as
**     numbers are plain decimals (iam_values.c).
**   - Policy variables are recognized in Resource/NotResource entries and in
**     the values of String* and Arn* operators only (the IAM variables page;
**     the Bool operator page disagrees, and Bool values are "true"/"false"
**     anyway). They may appear in any ARN part except the service.
**     Multivalued keys (ddb_iam_key_is_multivalued) cannot be variables.
*/
#include "iam_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*---- the operator table ----*/

static const iam_opdef op_table[] = {
    {"StringEquals", IAM_FAM_STRING, IAM_CMP_EQ, 0},
    {"StringNotEquals", IAM_FAM_STRING, IAM_CMP_EQ, 1},
    {"StringEqualsIgnoreCase", IAM_FAM_STRING, IAM_CMP_EQ_IC, 0},
    {"StringNotEqualsIgnoreCase", IAM_FAM_STRING, IAM_CMP_EQ_IC, 1},
    {"StringLike", IAM_FAM_STRING, IAM_CMP_LIKE, 0},
    {"StringNotLike", IAM_FAM_STRING, IAM_CMP_LIKE, 1},
    {"NumericEquals", IAM_FAM_NUMERIC, IAM_CMP_EQ, 0},
    {"NumericNotEquals", IAM_FAM_NUMERIC, IAM_CMP_EQ, 1},
    {"NumericLessThan", IAM_FAM_NUMERIC, IAM_CMP_LT, 0},
    {"NumericLessThanEquals", IAM_FAM_NUMERIC, IAM_CMP_LE, 0},
    {"NumericGreaterThan", IAM_FAM_NUMERIC, IAM_CMP_GT, 0},
    {"NumericGreaterThanEquals", IAM_FAM_NUMERIC, IAM_CMP_GE, 0},
    {"DateEquals", IAM_FAM_DATE, IAM_CMP_EQ, 0},
    {"DateNotEquals", IAM_FAM_DATE, IAM_CMP_EQ, 1},
    {"DateLessThan", IAM_FAM_DATE, IAM_CMP_LT, 0},
    {"DateLessThanEquals", IAM_FAM_DATE, IAM_CMP_LE, 0},
    {"DateGreaterThan", IAM_FAM_DATE, IAM_CMP_GT, 0},
    {"DateGreaterThanEquals", IAM_FAM_DATE, IAM_CMP_GE, 0},
    {"Bool", IAM_FAM_BOOL, IAM_CMP_EQ, 0},
    {"BinaryEquals", IAM_FAM_BINARY, IAM_CMP_EQ, 0},
    {"IpAddress", IAM_FAM_IP, IAM_CMP_IN, 0},
    {"NotIpAddress", IAM_FAM_IP, IAM_CMP_IN, 1},
    {"ArnEquals", IAM_FAM_ARN, IAM_CMP_LIKE, 0}, /* ArnEquals behaves as ArnLike */
    {"ArnLike", IAM_FAM_ARN, IAM_CMP_LIKE, 0},
    {"ArnNotEquals", IAM_FAM_ARN, IAM_CMP_LIKE, 1},
    {"ArnNotLike", IAM_FAM_ARN, IAM_CMP_LIKE, 1},
    {"Null", IAM_FAM_NULL, IAM_CMP_NULL, 0},
};

#define N_OPS (sizeof op_table / sizeof op_table[0])

static const iam_opdef *op_lookup(const char *name, size_t len, int icase)
{
    for (size_t i = 0; i < N_OPS; i++) {
        const char *o = op_table[i].name;
        size_t olen = strlen(o);
        if (icase ? ddb_iamp_ascii_ieq(o, olen, name, len)
                  : (olen == len && memcmp(o, name, len) == 0))
            return &op_table[i];
    }
    return NULL;
}

enum { OPP_OK, OPP_UNKNOWN, OPP_BAD_PREFIX, OPP_NULL_IFX, OPP_NULL_SET };

static int has_prefix(const char *s, size_t n, const char *pre, int icase)
{
    size_t m = strlen(pre);
    return n >= m && (icase ? ddb_iamp_ascii_ieq(s, m, pre, m) : memcmp(s, pre, m) == 0);
}

/* Split an operator name into set prefix, base operator and IfExists. */
static int op_parse(const char *name, int icase, const iam_opdef **op, int *set, int *ifx)
{
    size_t len = strlen(name);
    const char *rest = name;

    *set = IAM_SET_NONE;
    *ifx = 0;
    if (has_prefix(name, len, "ForAllValues:", icase)) {
        *set = IAM_SET_ALL;
        rest += 13;
    } else if (has_prefix(name, len, "ForAnyValue:", icase)) {
        *set = IAM_SET_ANY;
        rest += 12;
    } else if (strchr(name, ':') != NULL) {
        return OPP_BAD_PREFIX;
    }
    len = strlen(rest);
    if (len > 8 && (icase ? ddb_iamp_ascii_ieq(rest + len - 8, 8, "IfExists", 8)
                          : memcmp(rest + len - 8, "IfExists", 8) == 0)) {
        *ifx = 1;
        len -= 8;
    }
    if ((*op = op_lookup(rest, len, icase)) == NULL)
        return OPP_UNKNOWN;
    if ((*op)->family == IAM_FAM_NULL && *ifx)
        return OPP_NULL_IFX;
    if ((*op)->family == IAM_FAM_NULL && *set != IAM_SET_NONE)
        return OPP_NULL_SET;
    return OPP_OK;
}

/*---- error reporting with a JSON path ----*/

typedef struct pctx {
    const char *name; /* policy name for messages */
    ddb_buf path;     /* current JSON path */
    int vars;         /* Version 2012-10-17 */
    ddb_error *err;
} pctx;

static int perr(pctx *pc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(pctx *pc, const char *fmt, ...)
{
    va_list ap;
    char *problem;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    problem = ddb_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(problem, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ddb_err_set(pc->err, DDB_E_VALIDATION, "%s: %s: %s", pc->name,
                pc->path.len ? (const char *)pc->path.data : "policy", problem);
    free(problem);
    return DDB_ERR;
}

/* Append ".member" (or "member" at the root); returns the mark to pop to. */
static size_t path_member(pctx *pc, const char *member)
{
    size_t mark = pc->path.len;
    ddb_buf_printf(&pc->path, "%s%s", mark ? "." : "", member);
    return mark;
}

static size_t path_index(pctx *pc, size_t i)
{
    size_t mark = pc->path.len;
    ddb_buf_printf(&pc->path, "[%zu]", i);
    return mark;
}

static void path_pop(pctx *pc, size_t mark)
{
    pc->path.len = mark;
    if (pc->path.data != NULL)
        pc->path.data[mark] = '\0';
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
        case JSON_OBJECT:
            return "an object";
        case JSON_ARRAY:
            return "an array";
        case JSON_STRING:
            return "a string";
        case JSON_INTEGER:
        case JSON_REAL:
            return "a number";
        case JSON_TRUE:
        case JSON_FALSE:
            return "a boolean";
        default:
            return "null";
    }
}

/* A key of a parsed object that holds a NUL byte is never a valid name. */
static int key_has_nul(const char *key)
{
    return ddb_iamp_key_len(key) != strlen(key);
}

/* Is the JSON string 'v' exactly 'lit' (no NUL byte tricks)? */
static int string_is(const json_t *v, const char *lit)
{
    return json_string_length(v) == strlen(lit) && strcmp(json_string_value(v), lit) == 0;
}

/* A policy string: no NUL bytes, at most IAM_MAX_STRING bytes. */
static int check_string(pctx *pc, const json_t *v, const char **s, size_t *len)
{
    if (!json_is_string(v))
        return perr(pc, "must be a string, not %s", type_name(v));
    *s = json_string_value(v);
    *len = json_string_length(v);
    if (strlen(*s) != *len)
        return perr(pc, "contains a NUL character");
    if (*len > IAM_MAX_STRING)
        return perr(pc, "longer than %d bytes", IAM_MAX_STRING);
    return DDB_OK;
}

/* A string or a non-empty array (Action, Resource, ...): sets *n and checks
** the array's size; the items are then read with list_item(). */
static int check_list(pctx *pc, const json_t *v, const char *what, size_t *n)
{
    if (json_is_array(v)) {
        *n = json_array_size(v);
        if (*n == 0)
            return perr(pc, "empty array");
        if (*n > IAM_MAX_LIST)
            return perr(pc, "more than %d entries", IAM_MAX_LIST);
        return DDB_OK;
    }
    if (json_is_string(v)) {
        *n = 1;
        return DDB_OK;
    }
    return perr(pc, "must be %s, not %s", what, type_name(v));
}

static const json_t *list_item(const json_t *v, size_t i)
{
    return json_is_array(v) ? json_array_get(v, i) : v;
}

/*---- freeing ----*/

static void value_free(const iam_cond *c, iam_value *v)
{
    switch (c->op->family) {
        case IAM_FAM_STRING:
            ddb_iamp_tmpl_free(&v->u.str);
            break;
        case IAM_FAM_ARN:
            ddb_iamp_arnpat_free(&v->u.arn);
            break;
        default:
            break;
    }
    free(v->text);
}

static void stmt_free(iam_stmt *st)
{
    for (size_t i = 0; i < st->n_actions; i++) {
        ddb_iamp_tmpl_free(&st->actions[i].pat);
        free(st->actions[i].text);
    }
    for (size_t i = 0; i < st->n_resources; i++) {
        ddb_iamp_arnpat_free(&st->resources[i].pat);
        free(st->resources[i].text);
    }
    for (size_t i = 0; i < st->n_conds; i++) {
        iam_cond *c = &st->conds[i];
        for (size_t j = 0; j < c->n_vals; j++)
            value_free(c, &c->vals[j]);
        free(c->vals);
        free(c->key);
    }
    free(st->actions);
    free(st->resources);
    free(st->conds);
    free(st->sid);
}

void ddb_iam_policy_free(ddb_policy *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n_stmts; i++)
        stmt_free(&p->stmts[i]);
    free(p->stmts);
    free(p->name);
    free(p);
}

const char *ddb_iam_policy_name(const ddb_policy *p)
{
    return p != NULL ? p->name : NULL;
}

/*---- Action / Resource ----*/

static int action_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '*' || c == '?';
}

/* "*" or service:Action with letters, digits, '-', '_' and wildcards. */
static int action_valid(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    if (n == 1 && s[0] == '*')
        return 1;
    if (colon == NULL || colon == s || colon == s + n - 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s + i != colon && !action_char((unsigned char)s[i]))
            return 0;
    return 1;
}

static int parse_actions(pctx *pc, iam_stmt *st, const json_t *v)
{
    size_t n;
    if (check_list(pc, v, "a string or an array of strings", &n) != DDB_OK)
        return DDB_ERR;
    st->actions = ddb_xcalloc(n, sizeof *st->actions);
    for (size_t i = 0; i < n; i++) {
        size_t mark = json_is_array(v) ? path_index(pc, i) : pc->path.len;
        const char *s, *why = NULL;
        size_t len;
        if (check_string(pc, list_item(v, i), &s, &len) != DDB_OK)
            return DDB_ERR;
        if (!action_valid(s, len))
            return perr(pc, "invalid action '%s' (expected 'service:Action' or '*')", s);
        iam_entry *e = &st->actions[st->n_actions];
        e->text = ddb_xstrndup(s, len);
        if (ddb_iamp_tmpl_compile(&e->pat, e->text, len, 1, 0, &why) != DDB_OK) {
            free(e->text);
            return perr(pc, "invalid action '%s': %s", s, why);
        }
        st->n_actions++;
        path_pop(pc, mark);
    }
    return DDB_OK;
}

/* Name the first multivalued policy variable of an ARN pattern, or NULL. */
static char *arnpat_multivalued_var(const iam_arnpat *a)
{
    for (int i = 0; i < a->n_segs; i++) {
        char *k = ddb_iamp_tmpl_multivalued_var(&a->seg[i]);
        if (k != NULL)
            return k;
    }
    return NULL;
}

static int multivalued_var_error(pctx *pc, char *key)
{
    perr(pc, "multivalued key '%s' cannot be a policy variable", key);
    free(key);
    return DDB_ERR;
}

static int parse_resources(pctx *pc, iam_stmt *st, const json_t *v)
{
    size_t n;
    if (check_list(pc, v, "a string or an array of strings", &n) != DDB_OK)
        return DDB_ERR;
    st->resources = ddb_xcalloc(n, sizeof *st->resources);
    for (size_t i = 0; i < n; i++) {
        size_t mark = json_is_array(v) ? path_index(pc, i) : pc->path.len;
        const char *s, *why = NULL;
        size_t len;
        char *mv;
        if (check_string(pc, list_item(v, i), &s, &len) != DDB_OK)
            return DDB_ERR;
        iam_rentry *e = &st->resources[st->n_resources];
        e->text = ddb_xstrndup(s, len);
        if (ddb_iamp_arnpat_compile(&e->pat, e->text, len, pc->vars, &why) != DDB_OK) {
            free(e->text);
            return perr(pc, "malformed ARN '%s': %s", s, why);
        }
        st->n_resources++;
        if ((mv = arnpat_multivalued_var(&e->pat)) != NULL)
            return multivalued_var_error(pc, mv);
        path_pop(pc, mark);
    }
    return DDB_OK;
}

/*---- condition values ----*/

/* The JSON types a family accepts besides strings, for messages. */
static const char *family_types(iam_family f)
{
    switch (f) {
        case IAM_FAM_NUMERIC:
            return "a number or a string";
        case IAM_FAM_DATE:
            return "a string or an integer of epoch seconds";
        case IAM_FAM_BOOL:
        case IAM_FAM_NULL:
            return "a string or a boolean";
        default:
            return "a string";
    }
}

static int family_accepts(iam_family f, const json_t *v)
{
    switch (json_typeof(v)) {
        case JSON_STRING:
            return 1;
        case JSON_INTEGER:
            return f == IAM_FAM_NUMERIC || f == IAM_FAM_DATE;
        case JSON_REAL:
            return f == IAM_FAM_NUMERIC;
        case JSON_TRUE:
        case JSON_FALSE:
            return f == IAM_FAM_BOOL || f == IAM_FAM_NULL;
        default:
            return 0;
    }
}

/* " (policy variables ...)" when a typed value looks like it holds one. */
static const char *var_hint(const pctx *pc, const char *text)
{
    if (pc->vars && strstr(text, "${") != NULL)
        return " (policy variables are allowed only with String and Arn operators)";
    return "";
}

static int parse_value(pctx *pc, const iam_cond *c, const json_t *j, iam_value *v)
{
    iam_family fam = c->op->family;
    char buf[40];
    const char *s, *why = NULL;
    size_t len;
    char *mv = NULL;
    int ok = 1;

    memset(v, 0, sizeof *v);
    if (!family_accepts(fam, j))
        return perr(pc, "must be %s, not %s", family_types(fam), type_name(j));
    if (json_is_string(j)) {
        if (check_string(pc, j, &s, &len) != DDB_OK)
            return DDB_ERR;
    } else {
        s = ddb_iamp_scalar_text(j, buf, &len);
    }
    v->text = ddb_xstrndup(s, len);
    v->len = len;
    switch (fam) {
        case IAM_FAM_STRING:
            if (ddb_iamp_tmpl_compile(&v->u.str, v->text, len, c->op->cmp == IAM_CMP_LIKE,
                                      pc->vars, &why) != DDB_OK) {
                perr(pc, "%s in '%s'", why, v->text);
                free(v->text);
                return DDB_ERR;
            }
            mv = ddb_iamp_tmpl_multivalued_var(&v->u.str);
            break;
        case IAM_FAM_ARN:
            if (ddb_iamp_arnpat_compile(&v->u.arn, v->text, len, pc->vars, &why) !=
                DDB_OK) {
                perr(pc, "malformed ARN '%s': %s", v->text, why);
                free(v->text);
                return DDB_ERR;
            }
            mv = arnpat_multivalued_var(&v->u.arn);
            break;
        case IAM_FAM_NUMERIC:
            if (!(ok = ddb_iamp_dec_parse(v->text, len, &v->u.num)))
                perr(pc, "'%s' is not a number%s", v->text, var_hint(pc, v->text));
            break;
        case IAM_FAM_DATE:
            if (!(ok = ddb_iamp_time_parse(v->text, len, &v->u.time)))
                perr(pc, "'%s' is not an ISO 8601 date-time or epoch seconds%s", v->text,
                     var_hint(pc, v->text));
            break;
        case IAM_FAM_BOOL:
        case IAM_FAM_NULL:
            if (!(ok = ddb_iamp_bool_parse(v->text, len, &v->u.boolean)))
                perr(pc, "'%s' is not \"true\" or \"false\"%s", v->text,
                     var_hint(pc, v->text));
            break;
        case IAM_FAM_IP:
            if (!(ok = ddb_iamp_cidr_parse(v->text, len, 1, &v->u.ip)))
                perr(pc, "'%s' is not an IP address or CIDR block%s", v->text,
                     var_hint(pc, v->text));
            break;
        case IAM_FAM_BINARY: {
            const char *bwhy;
            unsigned char *bytes = ddb_xmalloc(len / 4 * 3 + 1);
            if (!(ok = ddb_base64_decode(v->text, len, bytes, &bwhy) >= 0))
                perr(pc, "'%s' is not base64%s", v->text, var_hint(pc, v->text));
            free(bytes);
            break;
        }
    }
    if (!ok) {
        free(v->text);
        return DDB_ERR;
    }
    if (mv != NULL) {
        value_free(c, v);
        return multivalued_var_error(pc, mv);
    }
    return DDB_OK;
}

/*---- Condition ----*/

static int unknown_operator(pctx *pc, const char *name, int why)
{
    const iam_opdef *op;
    int set, ifx;

    if (why == OPP_NULL_IFX)
        return perr(pc, "unknown condition operator '%s' (Null has no IfExists form)",
                    name);
    if (why == OPP_NULL_SET)
        return perr(pc, "unknown condition operator '%s' (Null takes no set prefix)",
                    name);
    if (op_parse(name, 1, &op, &set, &ifx) == OPP_OK)
        return perr(pc,
                    "unknown condition operator '%s' (operator names are case-sensitive; "
                    "did you mean '%s%s%s'?)",
                    name,
                    set == IAM_SET_ALL   ? "ForAllValues:"
                    : set == IAM_SET_ANY ? "ForAnyValue:"
                                         : "",
                    op->name, ifx ? "IfExists" : "");
    if (why == OPP_BAD_PREFIX)
        return perr(pc,
                    "unknown condition operator '%s' (the set prefixes are "
                    "'ForAllValues:' and 'ForAnyValue:')",
                    name);
    return perr(pc, "unknown condition operator '%s'", name);
}

static int parse_key(pctx *pc, iam_stmt *st, const iam_opdef *op, int set, int ifx,
                     const char *key, const json_t *vals)
{
    size_t n, klen = strlen(key);
    const char *colon = strchr(key, ':');

    if (klen == 0)
        return perr(pc, "empty condition key");
    if (key_has_nul(key))
        return perr(pc, "condition key '%s' contains a NUL character", key);
    if (klen > IAM_MAX_STRING)
        return perr(pc, "condition key longer than %d bytes", IAM_MAX_STRING);
    if (colon == NULL || colon == key || colon[1] == '\0')
        return perr(pc, "condition key '%s' is not of the form 'service:key'", key);
    if (st->n_conds >= IAM_MAX_CONDITIONS)
        return perr(pc, "more than %d condition keys in one statement",
                    IAM_MAX_CONDITIONS);
    size_t mark = path_member(pc, key);
    if (json_is_array(vals)) {
        n = json_array_size(vals);
        if (n == 0)
            return perr(pc, "empty array");
        if (n > IAM_MAX_LIST)
            return perr(pc, "more than %d entries", IAM_MAX_LIST);
    } else if (family_accepts(op->family, vals)) {
        n = 1;
    } else {
        return perr(pc, "must be %s (or an array of them), not %s",
                    family_types(op->family), type_name(vals));
    }

    iam_cond *c = &st->conds[st->n_conds++];
    c->op = op;
    c->set = set;
    c->if_exists = ifx;
    c->key = ddb_xstrdup(key);
    c->vals = ddb_xcalloc(n, sizeof *c->vals);
    for (size_t i = 0; i < n; i++) {
        size_t imark = json_is_array(vals) ? path_index(pc, i) : pc->path.len;
        if (parse_value(pc, c, list_item(vals, i), &c->vals[c->n_vals]) != DDB_OK)
            return DDB_ERR;
        const iam_value *v = &c->vals[c->n_vals++];
        if (op->family == IAM_FAM_STRING)
            c->has_vars |= v->u.str.has_vars;
        for (int k = 0; op->family == IAM_FAM_ARN && k < v->u.arn.n_segs; k++)
            c->has_vars |= v->u.arn.seg[k].has_vars;
        path_pop(pc, imark);
    }
    path_pop(pc, mark);
    return DDB_OK;
}

static int parse_condition(pctx *pc, iam_stmt *st, const json_t *cond)
{
    const char *opname, *key;
    json_t *block, *vals;
    size_t total = 0;

    if (!json_is_object(cond))
        return perr(pc, "must be an object, not %s", type_name(cond));
    if (json_object_size(cond) == 0)
        return perr(pc, "empty object");
    json_object_foreach ((json_t *)cond, opname, block) {
        if (json_is_object(block))
            total += json_object_size(block);
    }
    st->conds =
        ddb_xcalloc(total ? (total < IAM_MAX_CONDITIONS ? total : IAM_MAX_CONDITIONS) : 1,
                    sizeof *st->conds);
    json_object_foreach ((json_t *)cond, opname, block) {
        const iam_opdef *op;
        int set, ifx, r;
        if (key_has_nul(opname))
            return perr(pc, "condition operator '%s' contains a NUL character", opname);
        if ((r = op_parse(opname, 0, &op, &set, &ifx)) != OPP_OK)
            return unknown_operator(pc, opname, r);
        size_t mark = path_member(pc, opname);
        if (!json_is_object(block))
            return perr(pc, "must be an object, not %s", type_name(block));
        if (json_object_size(block) == 0)
            return perr(pc, "empty object");
        json_object_foreach (block, key, vals) {
            if (parse_key(pc, st, op, set, ifx, key, vals) != DDB_OK)
                return DDB_ERR;
        }
        path_pop(pc, mark);
    }
    return DDB_OK;
}

/*---- Statement ----*/

static const char *const stmt_members[] = {
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", NULL};

static int member_known(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

static int sid_valid(const char *s)
{
    for (; *s; s++) {
        int c = (unsigned char)*s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

/* Exactly one of 'a' and 'b' ("Action"/"NotAction"); returns the value and
** sets *negated, or NULL after recording an error. */
static const json_t *one_of(pctx *pc, const json_t *st, const char *a, const char *b,
                            int *negated)
{
    const json_t *va = json_object_get(st, a), *vb = json_object_get(st, b);
    if (va != NULL && vb != NULL) {
        perr(pc, "has both %s and %s (use exactly one)", a, b);
        return NULL;
    }
    if (va == NULL && vb == NULL) {
        perr(pc, "needs %s or %s", a, b);
        return NULL;
    }
    *negated = va == NULL;
    return va != NULL ? va : vb;
}

static int parse_statement(pctx *pc, ddb_policy *p, const json_t *js)
{
    iam_stmt *st = &p->stmts[p->n_stmts++];
    const char *mname, *s;
    json_t *mv;
    const json_t *v;
    size_t len, mark;

    if (!json_is_object(js))
        return perr(pc, "must be an object, not %s", type_name(js));
    json_object_foreach ((json_t *)js, mname, mv) {
        if (member_known(stmt_members, mname) && !key_has_nul(mname))
            continue;
        mark = path_member(pc, mname);
        if (key_has_nul(mname))
            return perr(pc, "element name contains a NUL character");
        if (strcmp(mname, "Principal") == 0 || strcmp(mname, "NotPrincipal") == 0)
            return perr(pc, "not allowed in an identity-based policy");
        return perr(pc, "unknown element");
    }

    if ((v = json_object_get(js, "Sid")) != NULL) {
        mark = path_member(pc, "Sid");
        if (check_string(pc, v, &s, &len) != DDB_OK)
            return DDB_ERR;
        if (!sid_valid(s))
            return perr(pc, "'%s' must contain only ASCII letters and digits", s);
        for (size_t i = 0; i + 1 < p->n_stmts; i++)
            if (p->stmts[i].sid != NULL && *s != '\0' && strcmp(p->stmts[i].sid, s) == 0)
                return perr(pc, "duplicate Sid '%s' (also in Statement[%zu])", s, i);
        st->sid = ddb_xstrdup(s);
        path_pop(pc, mark);
    }

    if ((v = json_object_get(js, "Effect")) == NULL)
        return perr(pc, "needs Effect");
    mark = path_member(pc, "Effect");
    if (!json_is_string(v))
        return perr(pc, "must be \"Allow\" or \"Deny\", not %s", type_name(v));
    if (strlen(json_string_value(v)) != json_string_length(v))
        return perr(pc, "contains a NUL character");
    s = json_string_value(v);
    if (!string_is(v, "Allow") && !string_is(v, "Deny"))
        return perr(pc, "must be \"Allow\" or \"Deny\", not '%s'", s);
    st->deny = s[0] == 'D';
    path_pop(pc, mark);

    if ((v = one_of(pc, js, "Action", "NotAction", &st->not_action)) == NULL)
        return DDB_ERR;
    mark = path_member(pc, st->not_action ? "NotAction" : "Action");
    if (parse_actions(pc, st, v) != DDB_OK)
        return DDB_ERR;
    path_pop(pc, mark);

    if ((v = one_of(pc, js, "Resource", "NotResource", &st->not_resource)) == NULL)
        return DDB_ERR;
    mark = path_member(pc, st->not_resource ? "NotResource" : "Resource");
    if (parse_resources(pc, st, v) != DDB_OK)
        return DDB_ERR;
    path_pop(pc, mark);

    if ((v = json_object_get(js, "Condition")) != NULL) {
        mark = path_member(pc, "Condition");
        if (parse_condition(pc, st, v) != DDB_OK)
            return DDB_ERR;
        path_pop(pc, mark);
    }
    return DDB_OK;
}

/*---- the document ----*/

static const char *const doc_members[] = {"Version", "Id", "Statement", NULL};

static int parse_document(pctx *pc, ddb_policy *p, const json_t *doc)
{
    const char *mname, *s;
    json_t *mv;
    const json_t *v;
    size_t n, len, mark;

    if (!json_is_object(doc))
        return perr(pc, "must be a JSON object, not %s", type_name(doc));
    json_object_foreach ((json_t *)doc, mname, mv) {
        if (!member_known(doc_members, mname) || key_has_nul(mname)) {
            path_member(pc, mname);
            if (key_has_nul(mname))
                return perr(pc, "element name contains a NUL character");
            return perr(pc, "unknown element");
        }
    }

    mark = path_member(pc, "Version");
    if ((v = json_object_get(doc, "Version")) == NULL)
        return perr(pc, "missing (use \"2012-10-17\"; AWS would read the policy as "
                        "\"2008-10-17\", where ${...} is literal text)");
    if (check_string(pc, v, &s, &len) != DDB_OK)
        return DDB_ERR;
    if (string_is(v, "2012-10-17"))
        pc->vars = 1;
    else if (!string_is(v, "2008-10-17"))
        return perr(
            pc, "unknown version '%s' (expected \"2012-10-17\" or \"2008-10-17\")", s);
    p->vars = pc->vars;
    path_pop(pc, mark);

    if ((v = json_object_get(doc, "Id")) != NULL) {
        mark = path_member(pc, "Id");
        if (check_string(pc, v, &s, &len) != DDB_OK)
            return DDB_ERR;
        path_pop(pc, mark);
    }

    mark = path_member(pc, "Statement");
    if ((v = json_object_get(doc, "Statement")) == NULL)
        return perr(pc, "missing");
    if (json_is_array(v)) {
        n = json_array_size(v);
        if (n == 0)
            return perr(pc, "empty array");
        if (n > IAM_MAX_STATEMENTS)
            return perr(pc, "more than %d statements", IAM_MAX_STATEMENTS);
    } else if (json_is_object(v)) {
        n = 1;
    } else {
        return perr(pc, "must be an object or an array of objects, not %s", type_name(v));
    }
    p->stmts = ddb_xcalloc(n, sizeof *p->stmts);
    for (size_t i = 0; i < n; i++) {
        size_t imark = json_is_array(v) ? path_index(pc, i) : pc->path.len;
        if (parse_statement(pc, p, list_item(v, i)) != DDB_OK)
            return DDB_ERR;
        path_pop(pc, imark);
    }
    path_pop(pc, mark);
    return DDB_OK;
}

ddb_policy *ddb_iam_policy_parse(const json_t *doc, const char *name, ddb_error *err)
{
    pctx pc = {name != NULL ? name : "policy", DDB_BUF_INIT, 0, err};
    ddb_policy *p = ddb_xcalloc(1, sizeof *p);

    p->name = ddb_xstrdup(pc.name);
    if (doc == NULL) {
        perr(&pc, "no document");
        goto fail;
    }
    if (parse_document(&pc, p, doc) != DDB_OK)
        goto fail;
    ddb_buf_free(&pc.path);
    return p;
fail:
    ddb_buf_free(&pc.path);
    ddb_iam_policy_free(p);
    return NULL;
}
