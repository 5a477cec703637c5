/* SPDX-License-Identifier: MIT
**
** number.c -- DynamoDB numbers (the N type), exactly: parsing and validation
** with DynamoDB's error texts, the canonical text, the total order, the
** order-preserving key encoding stored on disk, the item-size formula and
** exact addition and subtraction.
**
** Pure computation on ddb_number values: no JSON, no allocation, no floating
** point anywhere. Attribute values, expressions and the store call in here;
** nothing here knows about them.
*/
#include "ddb_number.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Range of 'exp' in the 0.d1d2.. x 10^exp form of a nonzero number. */
#define EXP_MAX 126  /* 9.99..9E+125 = 0.99..9 x 10^126 */
#define EXP_MIN -129 /* 1E-130 = 0.1 x 10^-129 */

/* Exponents and digit counts saturate here while parsing, so that no input
** ("1e999999999999999999", a megabyte of zeros) can overflow an integer.
** Anything this large is out of range either way. */
#define SAT_LIMIT 1000000000000000LL /* 10^15 */

static const char msg_syntax[] = "The parameter cannot be converted to a numeric value";
static const char msg_digits[] =
    "Attempting to store more than 38 significant digits in a Number";
static const char msg_overflow[] =
    "Number overflow. Attempting to store a number with magnitude "
    "larger than supported range";
static const char msg_underflow[] = "Number underflow. Attempting to store a number with "
                                    "magnitude smaller than supported range";

/*---- helpers ----*/

/* A ddb_number that breaks its invariants is a programming error, not user
** input: stop before it indexes past a buffer. O(1), so cheap enough for
** every call (ddb_number_cmp sits under sorts). */
static void require_valid(const ddb_number *n)
{
    if (n->sign == 0) {
        if (n->ndigits != 0 || n->exp != 0)
            abort();
        return;
    }
    if ((n->sign != 1 && n->sign != -1) || n->ndigits < 1 ||
        n->ndigits > DDB_NUM_MAX_DIGITS || n->exp < EXP_MIN || n->exp > EXP_MAX ||
        n->digits[0] < '1' || n->digits[0] > '9' || n->digits[n->ndigits - 1] == '0')
        abort();
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int64_t saturate(size_t v)
{
    return v > (size_t)SAT_LIMIT ? SAT_LIMIT : (int64_t)v;
}

static void set_zero(ddb_number *n)
{
    memset(n, 0, sizeof *n);
}

static int syntax_error(const char *s, size_t len, ddb_error *err)
{
    /* DynamoDB echoes the offending text after a colon, and leaves the
    ** colon off when the text is empty. */
    if (len == 0)
        return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg_syntax);
    return ddb_err_set(err, DDB_E_VALIDATION, "%s: %.*s", msg_syntax,
                       len > INT_MAX ? INT_MAX : (int)len, s);
}

/* Range and precision check of a nonzero value 0.d1..dn x 10^exp, in
** DynamoDB's order: magnitude before digit count. */
static int check_limits(int64_t exp, size_t ndigits, ddb_error *err)
{
    if (exp > EXP_MAX)
        return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg_overflow);
    if (exp < EXP_MIN)
        return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg_underflow);
    if (ndigits > DDB_NUM_MAX_DIGITS)
        return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg_digits);
    return DDB_OK;
}

/*---- parsing ----*/

/* The mantissa as written: integer digits, then fraction digits, with the
** '.' skipped. Digit k of the concatenation is mant_digit(m, k). */
typedef struct mantissa {
    const char *s;
    size_t int_start, int_len;   /* digits before the '.' */
    size_t frac_start, frac_len; /* digits after it */
} mantissa;

static char mant_digit(const mantissa *m, size_t k)
{
    return k < m->int_len ? m->s[m->int_start + k]
                          : m->s[m->frac_start + (k - m->int_len)];
}

/*
** Parse 'len' bytes of 's' with Java BigDecimal's grammar:
**
**     [+|-] digits [. [digits]] | [+|-] . digits,  then optionally  (e|E) [+|-] digits
**
** ASCII only, no spaces. The value is then checked against DynamoDB's limits.
** Zero follows DynamoDB's own rule (a quirk observed on the live service by
** ScyllaDB's Alternator tests, test_number_magnitude_not_allowed_zero): the
** range check looks at the nominal exponent BigDecimal gives a zero, which
** is the written exponent minus the number of fraction digits. "0e125" and
** "0.0e126" are zero, while "0e126" overflows and "0e-131" underflows.
*/
int ddb_number_parse(const char *s, size_t len, ddb_number *out, ddb_error *err)
{
    mantissa m = {s, 0, 0, 0, 0};
    size_t i = 0, n, first, last;
    int neg = 0;
    int64_t e = 0, exp;

    if (s == NULL)
        len = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    m.int_start = i;
    while (i < len && is_digit(s[i]))
        i++;
    m.int_len = i - m.int_start;
    if (i < len && s[i] == '.') {
        m.frac_start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        m.frac_len = i - m.frac_start;
    }
    if (m.int_len + m.frac_len == 0)
        return syntax_error(s, len, err);
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i == len || !is_digit(s[i]))
            return syntax_error(s, len, err);
        for (; i < len && is_digit(s[i]); i++)
            if (e < SAT_LIMIT)
                e = e * 10 + (s[i] - '0');
        if (e > SAT_LIMIT)
            e = SAT_LIMIT;
        if (eneg)
            e = -e;
    }
    if (i != len)
        return syntax_error(s, len, err);

    n = m.int_len + m.frac_len;
    for (first = 0; first < n && mant_digit(&m, first) == '0'; first++)
        ;
    if (first == n) { /* zero: see the comment above */
        /* BigDecimal's exponent of the d.ddd form; limits -130..125 */
        int64_t nominal = e - saturate(m.frac_len);
        if (nominal > EXP_MAX - 1)
            return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg_overflow);
        if (nominal < EXP_MIN - 1)
            return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg_underflow);
        set_zero(out);
        return DDB_OK;
    }
    for (last = n - 1; mant_digit(&m, last) == '0'; last--)
        ;
    /* The first significant digit sits (int_len - first) places left of the
    ** written point; each term is within +-10^15, so no overflow. */
    exp = saturate(m.int_len) - saturate(first) + e;
    if (check_limits(exp, last - first + 1, err) != DDB_OK)
        return DDB_ERR;

    out->sign = neg ? -1 : 1;
    out->exp = (int)exp;
    out->ndigits = (int)(last - first + 1);
    for (size_t k = 0; k < (size_t)out->ndigits; k++)
        out->digits[k] = mant_digit(&m, first + k);
    return DDB_OK;
}

/*---- text, order, size ----*/

size_t ddb_number_format(const ddb_number *n, char *out)
{
    char *p = out;

    require_valid(n);
    if (n->sign == 0) {
        memcpy(out, "0", 2);
        return 1;
    }
    if (n->sign < 0)
        *p++ = '-';
    if (n->exp <= 0) { /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        memset(p, '0', (size_t)-n->exp);
        p += -n->exp;
        memcpy(p, n->digits, (size_t)n->ndigits);
        p += n->ndigits;
    } else if (n->exp >= n->ndigits) { /* ddd000 */
        memcpy(p, n->digits, (size_t)n->ndigits);
        p += n->ndigits;
        memset(p, '0', (size_t)(n->exp - n->ndigits));
        p += n->exp - n->ndigits;
    } else { /* dd.ddd */
        memcpy(p, n->digits, (size_t)n->exp);
        p += n->exp;
        *p++ = '.';
        memcpy(p, n->digits + n->exp, (size_t)(n->ndigits - n->exp));
        p += n->ndigits - n->exp;
    }
    *p = '\0';
    return (size_t)(p - out);
}

/* Compare |a| and |b| of two nonzero numbers. */
static int cmp_magnitude(const ddb_number *a, const ddb_number *b)
{
    int k = a->ndigits < b->ndigits ? a->ndigits : b->ndigits;
    int r;

    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    r = memcmp(a->digits, b->digits, (size_t)k);
    if (r != 0)
        return r < 0 ? -1 : 1;
    return (a->ndigits > b->ndigits) - (a->ndigits < b->ndigits);
}

int ddb_number_cmp(const ddb_number *a, const ddb_number *b)
{
    require_valid(a);
    require_valid(b);
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    return a->sign * cmp_magnitude(a, b);
}

/* Base-100 mantissa with pairs aligned on the decimal point: with e the
** exponent of the d.ddd form (exp - 1), an even e leaves the first digit
** alone in its pair. */
size_t ddb_number_size(const ddb_number *n)
{
    size_t lead;

    require_valid(n);
    if (n->sign == 0)
        return 1;
    lead = (n->exp - 1) % 2 == 0 ? 1 : 0;
    return 1 + ((size_t)n->ndigits + lead + 1) / 2 + (n->sign < 0 ? 1 : 0);
}

/*---- key encoding ----*/

/*
** The key encoding, stored on disk (never change it):
**
**   zero      80
**   positive  81  E  P1 .. Pk  00
**   negative  7F ~E ~P1 .. ~Pk FF
**
** E = exp + 129 (exp of the 0.d1d2.. form, -129..126, so E is 0..255).
** Pi = 10*a + b + 1 for the i-th digit pair "ab" (1..100); an odd last digit
** is padded with 0. k = ceil(ndigits / 2), 1..19.
** For negatives ~E = 255 - E and ~Pi = 101 - Pi (also 1..100).
**
** Order: the marker orders by sign; within a sign E orders by magnitude
** (digits are normalized, d1 != 0), then the pairs do, and the terminator
** sorts below (00) or above (FF) every pair byte, so a value whose digits
** are a prefix of another's is the smaller magnitude. Negatives mirror all
** of it. Prefix-free: pair bytes are never 00 or FF, so the terminator is
** the first 00 (FF) after the fixed-position exponent byte, and two
** encodings that agree up to it are equal. Equal values have equal bytes,
** as digits carry no trailing zeros; the last pair is never "00".
** Length: 1, or 3..22 bytes.
*/
size_t ddb_number_encode_key(const ddb_number *n, unsigned char *out)
{
    size_t k = 0;
    int neg;

    require_valid(n);
    if (n->sign == 0) {
        out[0] = 0x80;
        return 1;
    }
    neg = n->sign < 0;
    out[k++] = neg ? 0x7F : 0x81;
    out[k++] = (unsigned char)(neg ? 255 - (n->exp + 129) : n->exp + 129);
    for (int i = 0; i < n->ndigits; i += 2) {
        int hi = n->digits[i] - '0';
        int lo = i + 1 < n->ndigits ? n->digits[i + 1] - '0' : 0;
        int pair = 10 * hi + lo + 1;
        out[k++] = (unsigned char)(neg ? 101 - pair : pair);
    }
    out[k++] = neg ? 0xFF : 0x00;
    return k;
}

/* Strict: anything ddb_number_encode_key cannot produce is malformed. */
size_t ddb_number_decode_key(const unsigned char *p, size_t len, ddb_number *out)
{
    ddb_number n;
    size_t k = 2;
    int neg;

    if (p == NULL || len == 0)
        return 0;
    if (p[0] == 0x80) {
        set_zero(out);
        return 1;
    }
    if ((p[0] != 0x7F && p[0] != 0x81) || len < 2)
        return 0;
    neg = p[0] == 0x7F;
    set_zero(&n);
    n.sign = neg ? -1 : 1;
    n.exp = (neg ? 255 - p[1] : p[1]) - 129;
    for (;;) {
        int b, pair;
        if (k >= len)
            return 0;
        b = p[k++];
        if (b == (neg ? 0xFF : 0x00))
            break;
        if (b < 1 || b > 100 || n.ndigits >= DDB_NUM_MAX_DIGITS)
            return 0;
        pair = (neg ? 101 - b : b) - 1;
        n.digits[n.ndigits++] = (char)('0' + pair / 10);
        n.digits[n.ndigits++] = (char)('0' + pair % 10);
    }
    if (n.ndigits == 0 || n.digits[0] == '0')
        return 0;
    if (n.digits[n.ndigits - 1] == '0') /* the padding of an odd count */
        n.ndigits--;
    if (n.digits[n.ndigits - 1] == '0') /* a "00" pair: not canonical */
        return 0;
    *out = n;
    return k;
}

/*---- arithmetic ----*/

/* Digit positions an exact sum can touch: 10^p for p in ACC_LO..ACC_HI. The
** lowest digit of a valid operand is 10^(EXP_MIN - 38); the highest is
** 10^(EXP_MAX - 1), plus one place for the carry. */
#define ACC_LO (EXP_MIN - DDB_NUM_MAX_DIGITS)
#define ACC_HI EXP_MAX
#define ACC_LEN (ACC_HI - ACC_LO + 1)

/* Digit i of 0.d1..dn x 10^exp has the value d x 10^(exp - 1 - i). */
static void spread(const ddb_number *n, unsigned char *acc)
{
    for (int i = 0; i < n->ndigits; i++)
        acc[n->exp - 1 - i - ACC_LO] = (unsigned char)(n->digits[i] - '0');
}

/*
** out = a + sign_b * |b|, exactly. A result outside DynamoDB's range records
** the overflow/underflow text of ddb_number_parse. A result that needs more
** than 38 significant digits (1E+50 + 1) records the *overflow* text: that is
** what DynamoDB answers for SET a = :x + :y, observed on the live service by
** ScyllaDB's Alternator tests (test_update_expression_plus_imprecise).
*/
static int add_signed(const ddb_number *a, const ddb_number *b, int sign_b,
                      ddb_number *out, ddb_error *err)
{
    unsigned char x[ACC_LEN], y[ACC_LEN], r[ACC_LEN];
    const unsigned char *big = x, *small = y;
    int sign, top, bot, exp, carry = 0;
    ddb_number res;

    require_valid(a);
    require_valid(b);
    if (b->sign == 0) {
        *out = *a;
        return DDB_OK;
    }
    if (a->sign == 0) {
        res = *b;
        res.sign = sign_b;
        *out = res;
        return DDB_OK;
    }
    memset(x, 0, sizeof x);
    memset(y, 0, sizeof y);
    spread(a, x);
    spread(b, y);
    if (a->sign == sign_b) {
        sign = a->sign;
        for (int i = 0; i < ACC_LEN; i++) {
            int d = x[i] + y[i] + carry;
            r[i] = (unsigned char)(d % 10);
            carry = d / 10;
        }
    } else {
        int c = cmp_magnitude(a, b);
        if (c == 0) {
            set_zero(out);
            return DDB_OK;
        }
        sign = c > 0 ? a->sign : sign_b;
        if (c < 0) {
            big = y;
            small = x;
        }
        for (int i = 0; i < ACC_LEN; i++) {
            int d = big[i] - small[i] - carry;
            carry = d < 0;
            r[i] = (unsigned char)(d + (carry ? 10 : 0));
        }
    }
    for (top = ACC_LEN - 1; r[top] == 0; top--)
        ;
    for (bot = 0; r[bot] == 0; bot++)
        ;
    exp = top + ACC_LO + 1;
    if (exp > EXP_MAX || top - bot + 1 > DDB_NUM_MAX_DIGITS)
        return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg_overflow);
    if (exp < EXP_MIN)
        return ddb_err_set(err, DDB_E_VALIDATION, "%s", msg_underflow);
    set_zero(&res);
    res.sign = sign;
    res.exp = exp;
    for (int i = top; i >= bot; i--)
        res.digits[res.ndigits++] = (char)('0' + r[i]);
    *out = res;
    return DDB_OK;
}

int ddb_number_add(const ddb_number *a, const ddb_number *b, ddb_number *out,
                   ddb_error *err)
{
    return add_signed(a, b, b->sign, out, err);
}

int ddb_number_sub(const ddb_number *a, const ddb_number *b, ddb_number *out,
                   ddb_error *err)
{
    return add_signed(a, b, -b->sign, out, err);
}
