/* SPDX-License-Identifier: MIT
**
** ddb_number.h -- DynamoDB numbers (the N type), exactly: at most 38
** significant decimal digits, magnitude 1E-130 .. 9.99..9E+125 (or zero).
** Never doubles. Parse/validate, canonical text, total order, the
** order-preserving binary key encoding, DynamoDB's size formula, and exact
** arithmetic for UpdateExpression / ADD.
**
** Every function taking a ddb_number expects one that obeys the invariants
** below (as ddb_number_parse, ddb_number_decode_key and the arithmetic
** produce them) and abort()s on one that does not: that is a programming
** error, e.g. using the output of a parse whose failure was ignored.
*/
#ifndef DDB_NUMBER_H
#define DDB_NUMBER_H

#include "ddb_error.h"
#include <stddef.h>

#define DDB_NUM_MAX_DIGITS 38
/* Longest canonical text: "-0." + 129 zeros + 38 digits = 170 chars + NUL, rounded up. */
#define DDB_NUM_TEXT_MAX 176
/* Longest key: marker + exponent + 19 digit pairs + terminator = 22, rounded up. */
#define DDB_NUM_KEY_MAX 24

typedef struct ddb_number {
    int sign;          /* -1, 0 (the value zero) or +1 */
    int exp;           /* value = 0.d1 d2 .. dn x 10^exp, d1 != 0; -129..126, 0 for 0 */
    int ndigits;       /* 0 (zero) .. 38; no trailing zeros */
    char digits[DDB_NUM_MAX_DIGITS]; /* ASCII '0'..'9', not NUL-terminated */
} ddb_number;

/* Parse 'len' bytes of 's' ('s' may be NULL when 'len' is 0) as DynamoDB
** does: Java BigDecimal syntax -- optional sign, digits with at most one '.',
** at least one digit, optional exponent e/E with optional sign and at least
** one digit; "5.", ".5", "+1", "1e5" are numbers; spaces, "0x1", "NaN",
** "Infinity", "" are not. ASCII only. Leading and trailing zeros are not
** significant. An exponent of any length is safe ("1e999999999999999999" is an
** overflow). On success fills *out; on failure leaves it unchanged and records
** DynamoDB's ValidationException ('err' may be NULL), checking in this order:
**   unparsable:        "The parameter cannot be converted to a numeric value: <input>"
**                      (without ": <input>" when the input is empty)
**   too large:         "Number overflow. Attempting to store a number with magnitude larger than supported range"
**   too small (not 0): "Number underflow. Attempting to store a number with magnitude smaller than supported range"
**   > 38 digits:       "Attempting to store more than 38 significant digits in a Number"
** (The unparsable text is live DynamoDB's, as recorded by dynalite and seen in
** user reports; "A value provided cannot be converted into a number" is what
** DynamoDB Local answers.)
** Zero follows a quirk of live DynamoDB: it range-checks a zero's nominal
** exponent, the written exponent minus the number of fraction digits, so
** "0e125" and "0.0e126" are zero but "0e126" (and "0e999999999999") overflow
** and "0e-131" underflows (observed by ScyllaDB's Alternator tests). */
int ddb_number_parse(const char *s, size_t len, ddb_number *out, ddb_error *err);

/* Canonical text as DynamoDB returns it: plain notation, never an exponent,
** no leading/trailing zeros, "-0" -> "0" ("00042" -> "42", "1.5E2" -> "150",
** "3.1400" -> "3.14", "1E-6" -> "0.000001", "1E+100" -> "1" and 100 zeros).
** Writes a NUL-terminated string to 'out' (at least DDB_NUM_TEXT_MAX bytes)
** and returns its length (at most 170). */
size_t ddb_number_format(const ddb_number *n, char *out);

/* Total numeric order: <0, 0, >0 like memcmp (exactly -1, 0 or 1). */
int ddb_number_cmp(const ddb_number *a, const ddb_number *b);

/* Order-preserving, self-delimiting binary encoding for keys: memcmp order of
** encodings equals numeric order, and no encoding is a prefix of another.
** Writes at most DDB_NUM_KEY_MAX bytes (1, or 3..22); returns the length.
** The encoding is stored on disk: never change it. Layout, with E = exp + 129
** (0..255) and Pi = 10*a + b + 1 (1..100) for the i-th digit pair "ab" (an odd
** last digit is paired with 0):
**   zero      80
**   positive  81  E        P1 .. Pk        00
**   negative  7F  255-E    101-P1 .. 101-Pk FF */
size_t ddb_number_encode_key(const ddb_number *n, unsigned char *out);

/* Decode what ddb_number_encode_key wrote from the first 'len' bytes of 'p';
** bytes after the terminator are not read. Returns bytes consumed, or 0 if
** the bytes are not exactly an encoding ddb_number_encode_key produces
** (truncated, a byte outside 1..100 in a pair, a non-canonical pair). */
size_t ddb_number_decode_key(const unsigned char *p, size_t len, ddb_number *out);

/* Size in bytes for item size / capacity: 1 for zero, else
** 1 + ceil((n + (exp of the form d.ddd x 10^e is even ? 1 : 0)) / 2) + (negative ? 1 : 0),
** with n significant digits (dynalite's live-verified base-100 model; it also
** matches all 23 literals nubo-db/dynamodb-conformance measured against
** eu-west-2 in 2026, e.g. "3.14159" -> 5, "123456" -> 4, "100.5" -> 4). */
size_t ddb_number_size(const ddb_number *n);

/* Exact a + b and a - b; 'out' may be 'a' or 'b'. A result out of range
** records the overflow/underflow text of ddb_number_parse. A result that
** needs more than 38 significant digits (1E+50 + 1) records the *overflow*
** text, not the 38-digit one: that is what live DynamoDB answers for
** SET a = :x + :y (observed by ScyllaDB's Alternator tests). Nothing is rounded. */
int ddb_number_add(const ddb_number *a, const ddb_number *b, ddb_number *out, ddb_error *err);
int ddb_number_sub(const ddb_number *a, const ddb_number *b, ddb_number *out, ddb_error *err);

#endif
