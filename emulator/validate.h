/* SPDX-License-Identifier: MIT
**
** validate.h -- DynamoDB's constraint phase: collects violations of member
** constraints (required, length, range, pattern, enum) and reports them as
** one ValidationException "N validation error(s) detected: Value 'v' at
** 'path' failed to satisfy constraint: <phrase>; ..." (at most 10 listed).
** Each operation calls the checks in DynamoDB's order; the phrases and the
** rendering of values live here.
*/
#ifndef DDB_VALIDATE_H
#define DDB_VALIDATE_H

#include "ddb.h"

#define DDB_CHK_MAX 10

typedef struct ddb_checks {
    int n;          /* violations listed (at most DDB_CHK_MAX) */
    ddb_buf text;   /* "Value ... ; Value ..." */
} ddb_checks;

#define DDB_CHECKS_INIT {0, DDB_BUF_INIT}

/* Record one violation. 'value' is the rendered value (NULL prints null,
** unquoted); 'path' the lower-camel member path ("keySchema.1.member.keyType"). */
void ddb_chk_add(ddb_checks *c, const char *value, const char *path, const char *phrase);

/* The value as DynamoDB's messages print it: strings raw, numbers in decimal,
** lists as [a, b], structures in Lombok form Shape(member=value, ...) when
** 'shape' names one. New string. */
char *ddb_chk_render(const json_t *v, const char *shape);

/* Member checks; each is a no-op when satisfied. 'v' may be NULL (absent). */
void ddb_chk_required(ddb_checks *c, const json_t *v, const char *path);
void ddb_chk_min_len(ddb_checks *c, const json_t *v, const char *path, long min);
void ddb_chk_max_len(ddb_checks *c, const json_t *v, const char *path, long max);
/* The table/index name pattern [a-zA-Z0-9_.-]+. */
void ddb_chk_name_pattern(ddb_checks *c, const json_t *v, const char *path);
void ddb_chk_min_value(ddb_checks *c, const json_t *v, const char *path, long long min);
void ddb_chk_max_value(ddb_checks *c, const json_t *v, const char *path, long long max);
/* 'allowed' is NULL-terminated; 'printed' is the set as DynamoDB prints it,
** e.g. "[HASH, RANGE]". */
void ddb_chk_enum(ddb_checks *c, const json_t *v, const char *path, const char *const *allowed,
                  const char *printed);

/* Record a pre-rendered violation text as is (DynamoDB's 2026 pathless
** forms, e.g. "Failed to satisfy constraint: Member must ..."). */
void ddb_chk_add_raw(ddb_checks *c, const char *text);

/* Report the collected violations; DDB_OK when there are none. Frees 'c'. */
int ddb_chk_finish(ddb_checks *c, ddb_error *err);
void ddb_chk_free(ddb_checks *c);

/* 1 when every byte of the name is in [a-zA-Z0-9_.-] and it is non-empty. */
int ddb_name_chars_ok(const char *s, size_t n);

/* Record a ValidationException whose text, on the item write operations
** (PutItem, UpdateItem, DeleteItem), DynamoDB prefixes with
** "1 validation error detected: " in its 2026 wording: use it for request
** checks that do not need the table; 'prefixed' chooses the form. */
int ddb_err_bespoke(ddb_error *err, int prefixed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the recorded ValidationException text with "1 validation error
** detected: " (used where a shared check's text is wrapped by the item write
** operations). No-op for other error codes. */
void ddb_err_wrap_bespoke(ddb_error *err);

#endif
