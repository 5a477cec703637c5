/* SPDX-License-Identifier: MIT
**
** ddb_error.h -- the one error type of ddbd and ddb.
**
** A DynamoDB error is data: a code (which fixes __type, HTTP status and the
** casing of the message member, see ddb_errors.def) and an exact message text.
** Fallible functions take 'ddb_error *err' as their last parameter and return
** DDB_OK / DDB_ERR (or NULL). The first error recorded wins, so the innermost,
** most specific message survives; later ddb_err_set calls are no-ops.
*/
#ifndef DDB_ERROR_H
#define DDB_ERROR_H

#include <jansson.h>
#include <stdarg.h>

#define DDB_OK 0
#define DDB_ERR -1

typedef enum ddb_msgkey { DDB_MSG_LOWER, DDB_MSG_UPPER } ddb_msgkey;

typedef enum ddb_errcode {
    DDB_E_NONE = 0,
#define DDB_ERRDEF(code, type, status, key) code,
#include "ddb_errors.def"
#undef DDB_ERRDEF
    DDB_E__COUNT
} ddb_errcode;

typedef struct ddb_error {
    ddb_errcode code; /* DDB_E_NONE until something is recorded */
    char *message;    /* exact DynamoDB wording; owned; NULL or "" = no message member */
    json_t *extra;    /* extra members for the error body (CancellationReasons,
                      ** ThrottlingReasons, Item); owned, may be NULL */
} ddb_error;

#define DDB_ERROR_INIT {DDB_E_NONE, NULL, NULL}

/* Record an error unless one is already recorded; 'err' may be NULL.
** Always returns DDB_ERR so that a caller can write 'return ddb_err_set(...)'. */
int ddb_err_set(ddb_error *err, ddb_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ddb_err_vset(ddb_error *err, ddb_errcode code, const char *fmt, va_list ap);

/* Record an error with no message member (bare SerializationException...). */
int ddb_err_bare(ddb_error *err, ddb_errcode code);

/* Free what 'err' owns and reset it to DDB_E_NONE. NULL-safe. */
void ddb_err_clear(ddb_error *err);

/* 1 when an error is recorded. */
static inline int ddb_err_isset(const ddb_error *err) { return err && err->code != DDB_E_NONE; }

/* Static facts of a code: full __type ("ns#Name"), HTTP status, message key. */
const char *ddb_err_type(ddb_errcode code);
int ddb_err_status(ddb_errcode code);
ddb_msgkey ddb_err_msgkey(ddb_errcode code);
/* The short name after '#', e.g. "ValidationException". */
const char *ddb_err_name(ddb_errcode code);

/* Serialize 'err' to DynamoDB's error body: {"__type":...,"message":...} plus
** any extra members. New string; caller frees with free(). */
char *ddb_err_body(const ddb_error *err, size_t *out_len);

#endif
