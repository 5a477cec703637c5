/* SPDX-License-Identifier: MIT
**
** ddb_number.h -- DynamoDB numbers (the N type), exactly: at most 38
** significant decimal digits, magnitude 1E-130 .. 9.99..9E+125 (or zero).
** Never doubles. Parse/validate, canonical text, total order, the
** order-preserving binary key encoding, DynamoDB's size formula, and exact
** arithmetic for UpdateExpression / ADD.
*/
#ifndef DDB_NUMBER_H
#define DDB_NUMBER_H

#include "ddb_error.h"
#include <stddef.h>

#define DDB_NUM_MAX_DIGITS 38
/* Longest canonical text: "-0." + 129 zeros + 38 digits, rounded up. */
#define DDB_NUM_TEXT_MAX 176
/* Longest key encoding: marker + exponent + 19 digit pairs + terminator. */
#define DDB_NUM_KEY_MAX 24

typedef struct ddb_number {
    int sign;          /* -1, 0 (the value zero) or +1 */
    int exp;           /* value = 0.d1 d2 .. dn x 10^exp, d1 != 0; 0 for zero */
    int ndigits;       /* 0 (zero) .. 38; no trailing zeros */
    char digits[DDB_NUM_MAX_DIGITS]; /* ASCII '0'..'9', not NUL-terminated */
} ddb_number;

/* Parse 'len' bytes of 's' as DynamoDB does (Java BigDecimal syntax:
** optional sign, digits with optional '.', optional exponent e/E with optional
** sign; "5.", ".5", "+1", "1e5" are numbers; spaces, "0x1", "NaN", "" are not).
** Leading and trailing zeros are not significant. Records DynamoDB's
** ValidationException on failure:
**   unparsable:        "A value provided cannot be converted into a number"
**   > 38 digits:       "Attempting to store more than 38 significant digits in a Number"
**   too large:         "Number overflow. Attempting to store a number with magnitude larger than supported range"
**   too small (not 0): "Number underflow. Attempting to store a number with magnitude smaller than supported range"
*/
int ddb_number_parse(const char *s, size_t len, ddb_number *out, ddb_error *err);

/* Canonical text as DynamoDB returns it: plain notation, no exponent, no
** leading/trailing zeros, "-0" -> "0" ("00042" -> "42", "1.5E2" -> "150",
** "3.1400" -> "3.14"). Writes a NUL-terminated string to 'out' (at least
** DDB_NUM_TEXT_MAX bytes) and returns its length. */
size_t ddb_number_format(const ddb_number *n, char *out);

/* Total numeric order: <0, 0, >0 like memcmp. */
int ddb_number_cmp(const ddb_number *a, const ddb_number *b);

/* Order-preserving, self-delimiting binary encoding for keys: memcmp order of
** encodings equals numeric order, and no encoding is a prefix of another.
** Writes at most DDB_NUM_KEY_MAX bytes; returns the length. The encoding is
** stored on disk: never change it. */
size_t ddb_number_encode_key(const ddb_number *n, unsigned char *out);

/* Decode what ddb_number_encode_key wrote; returns bytes consumed or 0 if malformed. */
size_t ddb_number_decode_key(const unsigned char *p, size_t len, ddb_number *out);

/* Size in bytes for item size / capacity: 1 for zero, else
** 1 + ceil((n + (exp of the form d.ddd x 10^e is even ? 1 : 0)) / 2) + (negative ? 1 : 0),
** with n significant digits (dynalite's live-verified base-100 model). */
size_t ddb_number_size(const ddb_number *n);

/* Exact a + b and a - b. The result must fit DynamoDB's number limits; a
** result that does not records the same texts as ddb_number_parse. */
int ddb_number_add(const ddb_number *a, const ddb_number *b, ddb_number *out, ddb_error *err);
int ddb_number_sub(const ddb_number *a, const ddb_number *b, ddb_number *out, ddb_error *err);

#endif
