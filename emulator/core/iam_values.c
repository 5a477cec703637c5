/* SPDX-License-Identifier: MIT
**
** iam_values.c -- the typed values of IAM condition operators: exact
** decimals (Numeric*), instants (Date*), IP networks (IpAddress), booleans
** (Bool, Null) and case-insensitive string equality (StringEqualsIgnoreCase).
**
** Pure functions over byte strings; no policy or context knowledge here.
** The choices, since AWS documents the formats only loosely:
**
**   Numbers   [+-]? digits [. digits] (also "5." and ".5"); no exponent, no
**             spaces. Compared exactly as decimal strings (no binary floating
**             point anywhere), so "0.1" is exactly 0.1, "10" == "10.000" ==
**             "+10" and -0 == 0. Length is bounded only by the policy string
**             limit (policy side) and the context value (request side).
**   Dates     epoch seconds ([-]digits[.digits]) or ISO 8601: YYYY-MM-DD,
**             optionally followed by Thh:mm[:ss[.fraction]] and Z, +hh:mm,
**             +hhmm or +hh (no zone means UTC); the basic forms YYYYMMDD and
**             Thhmmss (as in X-Amz-Date, 20240101T120000Z) are accepted too.
**             Fractions are kept to the nanosecond (further digits are
**             dropped); comparison is exact on (seconds, nanoseconds). Field
**             ranges are checked (no 2021-02-30, no 24:00, no leap second).
**   IPs       IPv4 dotted quads and IPv6 text (inet_pton) with an optional
**             /prefix in policies; a bare address is /32 or /128. IPv4 and
**             IPv6 are separate families: an IPv4 CIDR never matches an IPv6
**             request address, including ::ffff:a.b.c.d.
**   Booleans  "true" / "false", ASCII case-insensitive.
**   Folding   StringEqualsIgnoreCase compares UTF-8 characters after simple
**             (one-to-one) Unicode case folding for Basic Latin, Latin-1,
**             Latin Extended-A, Latin Extended Additional, Greek, Cyrillic,
**             Armenian, fullwidth Latin and the Kelvin/Angstrom signs; every
**             other character compares exactly. No multi-character folds (the
**             German sharp s does not equal "ss"); dotted and dotless i
**             (U+0130/U+0131) fold to themselves; invalid UTF-8 bytes compare
**             as bytes.
*/
#include "iam_int.h"

#include <arpa/inet.h>
#include <string.h>

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/*---- decimals ----*/

int ddb_iamp_dec_parse(const char *s, size_t n, iam_dec *out)
{
    size_t i = 0, ib, ie, fb, fe;
    int neg = 0;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    ib = i;
    while (i < n && is_digit((unsigned char)s[i]))
        i++;
    ie = fb = fe = i;
    if (i < n && s[i] == '.') {
        fb = ++i;
        while (i < n && is_digit((unsigned char)s[i]))
            i++;
        fe = i;
    }
    if (i != n || (ie == ib && fe == fb))
        return 0;
    while (ib < ie && s[ib] == '0')
        ib++;
    while (fe > fb && s[fe - 1] == '0')
        fe--;
    out->ip = s + ib;
    out->ilen = ie - ib;
    out->fp = s + fb;
    out->flen = fe - fb;
    out->neg = neg && (out->ilen > 0 || out->flen > 0);
    return 1;
}

static int sgn(int v)
{
    return (v > 0) - (v < 0);
}

/* Compare magnitudes. */
static int dec_mag_cmp(const iam_dec *a, const iam_dec *b)
{
    if (a->ilen != b->ilen)
        return a->ilen < b->ilen ? -1 : 1;
    int r = memcmp(a->ip, b->ip, a->ilen);
    if (r != 0)
        return sgn(r);
    size_t m = a->flen < b->flen ? a->flen : b->flen;
    r = memcmp(a->fp, b->fp, m);
    if (r != 0)
        return sgn(r);
    /* Trailing zeros are stripped, so the longer fraction is the larger. */
    return (a->flen > b->flen) - (a->flen < b->flen);
}

int ddb_iamp_dec_cmp(const iam_dec *a, const iam_dec *b)
{
    if (a->neg != b->neg)
        return a->neg ? -1 : 1;
    int r = dec_mag_cmp(a, b);
    return a->neg ? -r : r;
}

/*---- instants ----*/

/* Read exactly 'w' digits at s[*i] into *v. */
static int digits(const char *s, size_t n, size_t *i, int w, int *v)
{
    int x = 0;
    if (*i + (size_t)w > n)
        return 0;
    for (int k = 0; k < w; k++) {
        char c = s[*i + (size_t)k];
        if (!is_digit((unsigned char)c))
            return 0;
        x = x * 10 + (c - '0');
    }
    *i += (size_t)w;
    *v = x;
    return 1;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* ".123456789..." at s[*i]: nanoseconds, further digits dropped. */
static int fraction(const char *s, size_t n, size_t *i, int32_t *nsec)
{
    int32_t v = 0;
    int k = 0;
    if (*i >= n || (s[*i] != '.' && s[*i] != ','))
        return 1;
    (*i)++;
    if (*i >= n || !is_digit((unsigned char)s[*i]))
        return 0;
    for (; *i < n && is_digit((unsigned char)s[*i]); (*i)++, k++)
        if (k < 9)
            v = v * 10 + (s[*i] - '0');
    for (; k < 9; k++)
        v *= 10;
    *nsec = v;
    return 1;
}

static int epoch_parse(const char *s, size_t n, iam_time *out)
{
    size_t i = 0;
    int neg = 0;
    int64_t sec = 0;
    int32_t nsec = 0;

    if (i < n && s[i] == '-')
        neg = 1, i++;
    size_t b = i;
    for (; i < n && is_digit((unsigned char)s[i]); i++) {
        if (i - b >= 18) /* keeps sec * 10 + 9 far from INT64_MAX */
            return 0;
        sec = sec * 10 + (s[i] - '0');
    }
    if (i == b || !fraction(s, n, &i, &nsec) || i != n)
        return 0;
    if (neg && nsec > 0) {
        sec = -sec - 1;
        nsec = 1000000000 - nsec;
    } else if (neg) {
        sec = -sec;
    }
    out->sec = sec;
    out->nsec = nsec;
    return 1;
}

int ddb_iamp_time_parse(const char *s, size_t n, iam_time *out)
{
    size_t i = 0;
    int y, mo, d, h = 0, mi = 0, se = 0, basic;
    int32_t nsec = 0;
    int64_t off = 0;

    /* Epoch seconds: nothing but an optional '-', digits and a fraction. */
    if (n > 0 && (is_digit((unsigned char)s[0]) || s[0] == '-')) {
        size_t k = s[0] == '-' ? 1 : 0;
        while (k < n && (is_digit((unsigned char)s[k]) || s[k] == '.'))
            k++;
        if (k == n)
            return epoch_parse(s, n, out);
    }
    if (!digits(s, n, &i, 4, &y))
        return 0;
    basic = !(i < n && s[i] == '-');
    if (!basic)
        i++;
    if (!digits(s, n, &i, 2, &mo))
        return 0;
    if (!basic && (i >= n || s[i++] != '-'))
        return 0;
    if (!digits(s, n, &i, 2, &d))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return 0;
    if (i < n && s[i] == 'T') {
        i++;
        if (!digits(s, n, &i, 2, &h))
            return 0;
        int ext = i < n && s[i] == ':';
        if (ext)
            i++;
        if (!digits(s, n, &i, 2, &mi))
            return 0;
        if (i < n && (ext ? s[i] == ':' : is_digit((unsigned char)s[i]))) {
            if (ext)
                i++;
            if (!digits(s, n, &i, 2, &se) || !fraction(s, n, &i, &nsec))
                return 0;
        }
        if (h > 23 || mi > 59 || se > 59)
            return 0;
        if (i < n && s[i] == 'Z') {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
            if (!digits(s, n, &i, 2, &oh))
                return 0;
            int colon = i < n && s[i] == ':';
            if (colon)
                i++;
            if ((colon || i < n) && !digits(s, n, &i, 2, &om))
                return 0;
            if (oh > 23 || om > 59)
                return 0;
            off = sign * ((int64_t)oh * 3600 + om * 60);
        }
    }
    if (i != n)
        return 0;
    out->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    out->nsec = nsec;
    return 1;
}

int ddb_iamp_time_cmp(const iam_time *a, const iam_time *b)
{
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    return (a->nsec > b->nsec) - (a->nsec < b->nsec);
}

/*---- IP addresses ----*/

int ddb_iamp_cidr_parse(const char *s, size_t n, int allow_prefix, iam_cidr *out)
{
    char buf[64];
    size_t alen = n;
    int prefix = -1;

    const char *slash = memchr(s, '/', n);
    if (slash != NULL) {
        size_t i = (size_t)(slash - s) + 1;
        int v = 0;
        if (!allow_prefix || i >= n || n - i > 3)
            return 0;
        alen = (size_t)(slash - s);
        for (; i < n; i++) {
            if (!is_digit((unsigned char)s[i]))
                return 0;
            v = v * 10 + (s[i] - '0');
        }
        prefix = v;
    }
    if (alen == 0 || alen >= sizeof buf || memchr(s, '\0', alen) != NULL)
        return 0;
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    memset(out, 0, sizeof *out);
    out->v6 = memchr(buf, ':', alen) != NULL;
    if (inet_pton(out->v6 ? AF_INET6 : AF_INET, buf, out->addr) != 1)
        return 0;
    int max = out->v6 ? 128 : 32;
    if (prefix > max)
        return 0;
    out->prefix = prefix < 0 ? max : prefix;
    return 1;
}

int ddb_iamp_cidr_contains(const iam_cidr *net, const iam_cidr *addr)
{
    if (net->v6 != addr->v6)
        return 0;
    int bits = net->prefix, full = bits / 8, rest = bits % 8;
    if (memcmp(net->addr, addr->addr, (size_t)full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned mask = (0xFFu << (8 - rest)) & 0xFFu;
    return (net->addr[full] & mask) == (addr->addr[full] & mask);
}

/*---- booleans ----*/

int ddb_iamp_bool_parse(const char *s, size_t n, int *out)
{
    if (ddb_iamp_ascii_ieq(s, n, "true", 4)) {
        *out = 1;
        return 1;
    }
    if (ddb_iamp_ascii_ieq(s, n, "false", 5)) {
        *out = 0;
        return 1;
    }
    return 0;
}

/*---- UTF-8 and case folding ----*/

#define BAD_BYTE 0x80000000u /* marks an invalid byte; never a code point */

static size_t u8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t need;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, v = c & 0x1Fu, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, v = c & 0x0Fu, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, v = c & 0x07u, min = 0x10000;
    else
        goto bad;
    if (n < need + 1)
        goto bad;
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    return need + 1;
bad:
    *cp = BAD_BYTE | c;
    return 1;
}

size_t ddb_iamp_u8len(const unsigned char *s, size_t n)
{
    uint32_t cp;
    return n == 0 ? 0 : u8_decode(s, n, &cp);
}

/* Simple case folding of one code point over the ranges listed at the top. */
static uint32_t fold(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c == 0xB5)
        return 0x3BC;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149)
            return c;
        if (c == 0x178)
            return 0xFF;
        if (c == 0x17F)
            return 's';
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x370 && c <= 0x3FF) {
        if (c == 0x386)
            return 0x3AC;
        if (c >= 0x388 && c <= 0x38A)
            return c + 37;
        if (c == 0x38C)
            return 0x3CC;
        if (c == 0x38E || c == 0x38F)
            return c + 63;
        if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB))
            return c + 32;
        if (c == 0x3C2)
            return 0x3C3;
        return c;
    }
    if (c >= 0x400 && c <= 0x52F) {
        if (c <= 0x40F)
            return c + 80;
        if (c <= 0x42F)
            return c + 32;
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) ||
            (c >= 0x4D0 && c <= 0x52F))
            return (c & 1) ? c : c + 1;
        if (c == 0x4C0)
            return 0x4CF;
        if (c >= 0x4C1 && c <= 0x4CE)
            return (c & 1) ? c + 1 : c;
        return c;
    }
    if (c >= 0x531 && c <= 0x556)
        return c + 48;
    if ((c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF))
        return (c & 1) ? c : c + 1;
    if (c == 0x1E9E)
        return 0xDF;
    if (c == 0x212A)
        return 'k';
    if (c == 0x212B)
        return 0xE5;
    if (c >= 0xFF21 && c <= 0xFF3A)
        return c + 32;
    return c;
}

int ddb_iamp_fold_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    size_t i = 0, j = 0;

    while (i < alen && j < blen) {
        uint32_t x, y;
        i += u8_decode(p + i, alen - i, &x);
        j += u8_decode(q + j, blen - j, &y);
        if (x != y && ((x & BAD_BYTE) || (y & BAD_BYTE) || fold(x) != fold(y)))
            return 0;
    }
    return i == alen && j == blen;
}
