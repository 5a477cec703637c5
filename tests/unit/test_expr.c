/* SPDX-License-Identifier: MIT
**
** test_expr.c -- the expression engine (include/ddb_expr.h) against the case
** files tests/expr/NAME.test, plus a few API properties a table cannot state
** (the caller's item is never modified, expressions outlive their
** environment, limits at their exact boundaries).
**
** Case format (also described at the top of every .test file): blocks
** separated by blank lines; lines that are "#" or start with "# " or "#-"
** are comments (so expressions may start with a #name).
**
**     [%%FAIL]                     the block expects an error, not a result
**     <kind> [options]             see below
**     <expression>                 one line per kind; "<empty>" is the empty
**                                  string; a line starting with '"' is a JSON
**                                  string (for leading/trailing spaces)
**     <names> <values>             ExpressionAttributeNames and
**                                  ExpressionAttributeValues as two JSON
**                                  objects, "-" for absent
**     <item>                       the item (DynamoDB JSON), "-" for none
**     <expected>                   the result, or with %%FAIL the exact message
**
** Kinds: condition, filter, key, projection, update -- several joined with
** ',' share one set of placeholders (one expression line each, evaluated
** with the last one) -- and the legacy parameters expected, queryfilter,
** keyconditions, attributeupdates, attributestoget whose expression line is
** the parameter's JSON. Results: "true"/"false" for conditions, the new item
** for updates, the projected item for projections; for "key" the split as
** {"hash":..,"op":..,"v1":..,"v2":..}.
** Options: hash=NAME:T range=NAME:T (key schema), or (ConditionalOperator OR),
** legacy-layer (older validation layer), updated-old / updated-new (print
** ddb_expr_updated_part of the old / new item), top-names (print
** ddb_expr_top_names), touches=NAME, type=NAME (print update_touches /
** update_type), scalar=NAME / index-scalar=NAME (ddb_expr_check_key_scalar,
** prints "ok").
**
** Usage: test_expr [dir]   (default tests/expr, relative to the current
** directory: run it from the repository root).
*/
#include "check.h"
#include "ddb_attr.h"
#include "ddb_expr.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DIR "tests/expr"
#define MAX_LINES 16

/*---- value comparison (sets as sets) ----*/

static int av_equal(const json_t *a, const json_t *b);

static int set_equal(const json_t *a, const json_t *b)
{
    if (json_array_size(a) != json_array_size(b))
        return 0;
    size_t i, j;
    json_t *x, *y;
    json_array_foreach((json_t *)a, i, x) {
        int found = 0;
        json_array_foreach((json_t *)b, j, y) {
            if (json_equal(x, y))
                found = 1;
        }
        if (!found)
            return 0;
    }
    return 1;
}

static int map_equal(const json_t *a, const json_t *b)
{
    if (!json_is_object(a) || !json_is_object(b) ||
        json_object_size(a) != json_object_size(b))
        return 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v) {
        json_t *w = json_object_get(b, k);
        if (w == NULL || !av_equal(v, w))
            return 0;
    }
    return 1;
}

static int av_equal(const json_t *a, const json_t *b)
{
    ddb_type t = ddb_attr_type(a);
    if (t == DDB_T_NONE || t != ddb_attr_type(b))
        return json_equal(a, b);
    json_t *pa = ddb_attr_payload(a), *pb = ddb_attr_payload(b);
    switch (t) {
        case DDB_T_SS:
        case DDB_T_NS:
        case DDB_T_BS: return set_equal(pa, pb);
        case DDB_T_M: return map_equal(pa, pb);
        case DDB_T_L: {
            if (json_array_size(pa) != json_array_size(pb))
                return 0;
            for (size_t i = 0; i < json_array_size(pa); i++)
                if (!av_equal(json_array_get(pa, i), json_array_get(pb, i)))
                    return 0;
            return 1;
        }
        default: return json_equal(pa, pb);
    }
}

/* Results: an item map, a JSON scalar/array, or a plain word. */
static int result_equal(const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return 1;
    json_t *g = json_loads(got, JSON_DECODE_ANY, NULL),
           *w = json_loads(want, JSON_DECODE_ANY, NULL);
    int eq = g && w && (json_is_object(g) ? map_equal(g, w) : json_equal(g, w));
    json_decref(g);
    json_decref(w);
    return eq;
}

/*---- one case ----*/

typedef struct tcase {
    const char *file;
    int line;
    int fail;
    char *lines[MAX_LINES];
    int n;
} tcase;

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* The value of option 'name=' on the kind line, or NULL. */
static const char *option(char **opts, int n, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < n; i++)
        if (strncmp(opts[i], name, len) == 0 &&
            (opts[i][len] == '=' || opts[i][len] == '\0'))
            return opts[i][len] == '=' ? opts[i] + len + 1 : "";
    return NULL;
}

static ddb_expr_kind kind_of(const char *s, int *ok)
{
    *ok = 1;
    if (strcmp(s, "condition") == 0)
        return DDB_EXPR_CONDITION;
    if (strcmp(s, "filter") == 0)
        return DDB_EXPR_FILTER;
    if (strcmp(s, "key") == 0)
        return DDB_EXPR_KEY_CONDITION;
    if (strcmp(s, "projection") == 0)
        return DDB_EXPR_PROJECTION;
    if (strcmp(s, "update") == 0)
        return DDB_EXPR_UPDATE;
    *ok = 0;
    return DDB_EXPR_CONDITION;
}

static json_t *load_or_null(const char *s, const tcase *c, int *bad)
{
    if (strcmp(s, "-") == 0)
        return NULL;
    json_error_t je;
    json_t *j = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (j == NULL) {
        fprintf(stderr, "%s:%d: bad JSON '%s': %s\n", c->file, c->line, s, je.text);
        *bad = 1;
    }
    return j;
}

/* Split "<json> <json>" into two values. */
static int load_pair(const char *s, const tcase *c, json_t **a, json_t **b)
{
    json_error_t je;
    int bad = 0;
    *a = *b = NULL;
    if (s[0] == '-') {
        s++;
    } else {
        *a = json_loads(s, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &je);
        if (*a == NULL) {
            fprintf(stderr, "%s:%d: bad JSON: %s\n", c->file, c->line, je.text);
            return 0;
        }
        s += je.position;
    }
    while (*s == ' ')
        s++;
    *b = load_or_null(s, c, &bad);
    return !bad;
}

static char *expr_text(const char *line)
{
    if (strcmp(line, "<empty>") == 0)
        return strdup("");
    if (line[0] == '"') {
        json_t *j = json_loads(line, JSON_DECODE_ANY, NULL);
        char *s = strdup(j && json_is_string(j) ? json_string_value(j) : "");
        json_decref(j);
        return s;
    }
    return strdup(line);
}

static const char *key_op_name(ddb_key_op op)
{
    static const char *const names[] = {"NONE", "EQ", "LT",      "LE",
                                        "GT",   "GE", "BETWEEN", "BEGINS_WITH"};
    return names[op];
}

/* Run one case; returns the result text (new) or the error message. */
static char *run_case(const tcase *c, int *is_error)
{
    char *kindline = strdup(c->lines[0]);
    char *opts[16];
    int n_opts = 0;
    for (char *tok = strtok(kindline, " "); tok && n_opts < 16; tok = strtok(NULL, " "))
        opts[n_opts++] = tok;
    char *kinds = opts[0];
    char **rest = opts + 1;
    int n_rest = n_opts - 1;

    char *out = NULL;
    ddb_error err = DDB_ERROR_INIT;
    ddb_expr_env *env = NULL;
    ddb_expr *exprs[4] = {NULL, NULL, NULL, NULL};
    ddb_expr_kind ekind[4] = {DDB_EXPR_CONDITION, DDB_EXPR_CONDITION, DDB_EXPR_CONDITION,
                              DDB_EXPR_CONDITION};
    int n_exprs = 0;
    json_t *names = NULL, *values = NULL, *item = NULL, *param = NULL;
    int bad = 0;
    const char *cop = option(rest, n_rest, "or") ? "OR" : NULL;

    /* legacy parameters */
    if (strcmp(kinds, "expected") == 0 || strcmp(kinds, "queryfilter") == 0 ||
        strcmp(kinds, "keyconditions") == 0 || strcmp(kinds, "attributeupdates") == 0 ||
        strcmp(kinds, "attributestoget") == 0) {
        if (c->n < 4 + 1)
            goto malformed;
        param = load_or_null(c->lines[1], c, &bad);
        item = load_or_null(c->lines[3], c, &bad);
        if (bad)
            goto malformed;
        if (kinds[0] == 'e')
            exprs[0] = ddb_expr_from_expected(param, cop, &err);
        else if (kinds[0] == 'q')
            exprs[0] = ddb_expr_from_filter(param, cop, &err);
        else if (kinds[0] == 'k')
            exprs[0] = ddb_expr_from_key_conditions(param, &err);
        else if (kinds[9] == 'u')
            exprs[0] = ddb_expr_from_attribute_updates(param, &err);
        else
            exprs[0] = ddb_expr_from_attributes_to_get(param, &err);
        ekind[0] = kinds[0] == 'k' ? DDB_EXPR_KEY_CONDITION
                   : kinds[0] == 'a'
                       ? (kinds[9] == 'u' ? DDB_EXPR_UPDATE : DDB_EXPR_PROJECTION)
                       : DDB_EXPR_CONDITION;
        if (exprs[0] == NULL)
            goto error;
        n_exprs = 1;
    } else {
        ddb_expr_kind kind[4];
        char *kl = strdup(kinds);
        int nk = 0;
        for (char *k = strtok(kl, ","); k && nk < 4; k = strtok(NULL, ",")) {
            int ok;
            kind[nk++] = kind_of(k, &ok);
            if (!ok) {
                free(kl);
                goto malformed;
            }
        }
        free(kl);
        if (c->n < nk + 4)
            goto malformed;
        if (!load_pair(c->lines[nk + 1], c, &names, &values))
            goto malformed;
        item = load_or_null(c->lines[nk + 2], c, &bad);
        if (bad)
            goto malformed;
        env = ddb_expr_env_new(names, values);
        if (option(rest, n_rest, "legacy-layer"))
            ddb_expr_env_set_legacy_layer(env, 1);
        if (ddb_expr_env_check(env, &err) != DDB_OK)
            goto error;
        for (int i = 0; i < nk; i++) {
            char *text = expr_text(c->lines[1 + i]);
            ekind[i] = kind[i];
            exprs[i] = ddb_expr_parse(env, kind[i], text, &err);
            free(text);
            if (exprs[i] == NULL)
                goto error;
            n_exprs++;
        }
        if (ddb_expr_env_check_unused(env, &err) != DDB_OK)
            goto error;
    }

    ddb_expr *e = exprs[n_exprs - 1];
    const char *opt;
    if ((opt = option(rest, n_rest, "scalar")) ||
        (opt = option(rest, n_rest, "index-scalar"))) {
        if (ddb_expr_check_key_scalar(
                e, opt, option(rest, n_rest, "index-scalar") != NULL, &err) != DDB_OK)
            goto error;
        out = strdup("ok");
    } else if (option(rest, n_rest, "top-names")) {
        json_t *t = ddb_expr_top_names(e);
        out = dump(t);
        json_decref(t);
    } else if ((opt = option(rest, n_rest, "touches"))) {
        out = strdup(ddb_expr_update_touches(e, opt) ? "true" : "false");
    } else if ((opt = option(rest, n_rest, "type"))) {
        const char *t = ddb_expr_update_type(e, opt);
        out = strdup(t ? t : "null");
    } else if ((opt = option(rest, n_rest, "hash"))) {
        for (int i = 0; i < n_exprs; i++)
            if (ekind[i] == DDB_EXPR_KEY_CONDITION)
                e = exprs[i];
        char hn[128] = "", ht[8] = "", rn[128] = "", rt[8] = "";
        sscanf(opt, "%127[^:]:%7s", hn, ht);
        const char *r = option(rest, n_rest, "range");
        if (r)
            sscanf(r, "%127[^:]:%7s", rn, rt);
        ddb_key_cond kc;
        if (ddb_expr_key_condition(e, hn, ht, r ? rn : NULL, r ? rt : NULL, &kc, &err) !=
            DDB_OK)
            goto error;
        json_t *o = json_object();
        json_object_set(o, "hash", (json_t *)kc.hash_value);
        json_object_set_new(o, "op", json_string(key_op_name(kc.range_op)));
        if (kc.range_v1)
            json_object_set(o, "v1", (json_t *)kc.range_v1);
        if (kc.range_v2)
            json_object_set(o, "v2", (json_t *)kc.range_v2);
        out = dump(o);
        json_decref(o);
    } else {
        /* an update runs after a condition of the same request; otherwise a
        ** condition is evaluated, or else a projection applied */
        ddb_expr *upd = NULL, *cond = NULL, *proj = NULL;
        for (int i = 0; i < n_exprs; i++) {
            ddb_expr_kind k = ekind[i];
            if (k == DDB_EXPR_UPDATE)
                upd = exprs[i];
            else if (k == DDB_EXPR_PROJECTION)
                proj = exprs[i];
            else
                cond = exprs[i];
        }
        char *before = item ? dump(item) : NULL;
        if (upd) {
            int r = cond ? ddb_expr_eval(cond, item, &err) : 1;
            json_t *ni = r == 1 ? ddb_expr_apply_update(upd, item, &err) : NULL;
            if (r < 0 || (r == 1 && ni == NULL)) {
                free(before);
                goto error;
            }
            if (r == 0) {
                out = strdup("condition false");
            } else if (option(rest, n_rest, "updated-old") ||
                       option(rest, n_rest, "updated-new")) {
                json_t *part = ddb_expr_updated_part(
                    upd, option(rest, n_rest, "updated-old") ? item : ni);
                out = dump(part);
                json_decref(part);
            } else {
                out = dump(ni);
            }
            json_decref(ni);
        } else if (cond) {
            int r = ddb_expr_eval(cond, item, &err);
            if (r < 0) {
                free(before);
                goto error;
            }
            out = strdup(r ? "true" : "false");
        } else {
            json_t *pr = ddb_expr_project(proj, item);
            out = dump(pr);
            json_decref(pr);
        }
        /* the caller's item is never modified */
        char *after = item ? dump(item) : NULL;
        if (before && strcmp(before, after) != 0) {
            free(out);
            out = strdup("ITEM MODIFIED");
        }
        free(before);
        free(after);
    }
    goto done;

malformed:
    out = strdup("MALFORMED CASE");
    goto done;
error:
    *is_error = 1;
    out = strdup(err.message ? err.message : "(no message)");
done:
    for (int i = 0; i < 4; i++)
        ddb_expr_free(exprs[i]);
    ddb_expr_env_free(env);
    ddb_err_clear(&err);
    json_decref(names);
    json_decref(values);
    json_decref(item);
    json_decref(param);
    free(kindline);
    return out;
}

static int n_cases;

static void check_case(const tcase *c)
{
    if (c->n < 2)
        return;
    int is_error = 0;
    char *got = run_case(c, &is_error);
    const char *want = c->lines[c->n - 1];
    int ok = is_error == c->fail &&
             (c->fail ? strcmp(got, want) == 0 : result_equal(got, want));
    n_cases++;
    char desc[512];
    snprintf(desc, sizeof desc, "%s:%d: %s", c->file, c->line, c->lines[1]);
    t_run++;
    if (!ok) {
        t_fail++;
        fprintf(stderr, "FAIL %s\n   got%s: %s\n  want%s: %s\n", desc,
                is_error ? " error" : "", got, c->fail ? " error" : "", want);
    }
    free(got);
}

static void run_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        t_run++;
        t_fail++;
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    tcase c = {path, 0, 0, {0}, 0};
    for (;;) {
        len = getline(&line, &cap, f);
        if (len >= 0) {
            lineno++;
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
        }
        if (len < 0 || len == 0) { /* end of a block */
            check_case(&c);
            for (int i = 0; i < c.n; i++)
                free(c.lines[i]);
            c.n = 0;
            c.fail = 0;
            if (len < 0)
                break;
            continue;
        }
        if (strcmp(line, "#") == 0 || strncmp(line, "# ", 2) == 0 ||
            strncmp(line, "#-", 2) == 0)
            continue;
        if (c.n == 0 && strcmp(line, "%%FAIL") == 0) {
            c.fail = 1;
            c.line = lineno;
            continue;
        }
        if (c.n == 0 && !c.fail)
            c.line = lineno;
        if (c.n < MAX_LINES)
            c.lines[c.n++] = strdup(line);
    }
    free(line);
    fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*---- properties a table cannot state ----*/

static void api_checks(void)
{
    ddb_error err = DDB_ERROR_INIT;
    /* an expression outlives its environment */
    json_t *values = json_pack("{s:{s:s}}", ":v", "S", "x");
    ddb_expr_env *env = ddb_expr_env_new(NULL, values);
    ddb_expr *e = ddb_expr_parse(env, DDB_EXPR_CONDITION, "a = :v", &err);
    CHECK("parse a = :v", e != NULL);
    ddb_expr_env_free(env);
    json_decref(values);
    json_t *item = json_pack("{s:{s:s}}", "a", "S", "x");
    CHECK("eval after env freed", ddb_expr_eval(e, item, &err) == 1);
    ddb_expr_free(e);
    json_decref(item);

    /* 4096 bytes parse, 4097 do not */
    char *text = malloc(4098);
    memset(text, 'a', 4097);
    text[0] = 'b';
    text[4096] = '\0';
    e = ddb_expr_parse(NULL, DDB_EXPR_PROJECTION, text, &err);
    CHECK("4096-byte projection parses", e != NULL);
    ddb_expr_free(e);
    text[4096] = 'a';
    text[4097] = '\0';
    e = ddb_expr_parse(NULL, DDB_EXPR_PROJECTION, text, &err);
    CHECK_STR(
        "4097-byte projection", err.message,
        "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed "
        "size;");
    ddb_err_clear(&err);
    free(text);

    /* NULL-safe frees, NULL env in parse */
    ddb_expr_free(NULL);
    ddb_expr_env_free(NULL);
    e = ddb_expr_parse(NULL, DDB_EXPR_CONDITION, "a = #b", &err);
    CHECK_STR(
        "undefined name without env", err.message,
        "Invalid ConditionExpression: An expression attribute name used in the document "
        "path is not defined; attribute name: #b");
    ddb_err_clear(&err);

    /* evaluating something that is not a condition is an error, not a crash */
    e = ddb_expr_parse(NULL, DDB_EXPR_PROJECTION, "a", &err);
    CHECK("eval of a projection fails", ddb_expr_eval(e, NULL, &err) == DDB_ERR);
    ddb_err_clear(&err);
    CHECK("apply of a projection fails", ddb_expr_apply_update(e, NULL, &err) == NULL);
    ddb_err_clear(&err);
    ddb_expr_free(e);
}

int main(int argc, char **argv)
{
    ddb_json_use_xalloc();
    const char *dir = argc > 1 ? argv[1] : DEFAULT_DIR;
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", dir);
        CHECK("case directory", 0);
        return CHECK_REPORT();
    }
    char *files[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 256) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".test") == 0) {
            size_t need = strlen(dir) + len + 2;
            files[n] = malloc(need);
            snprintf(files[n], need, "%s/%s", dir, de->d_name);
            n++;
        }
    }
    closedir(d);
    qsort(files, (size_t)n, sizeof *files, cmp_str);
    for (int i = 0; i < n; i++) {
        run_file(files[i]);
        free(files[i]);
    }
    CHECK("case files found", n > 0);
    api_checks();
    fprintf(stderr, "%d expression cases\n", n_cases);
    return CHECK_REPORT();
}
