/* SPDX-License-Identifier: MIT
**
** expr_lex.c -- the expression tokenizer: a 256-entry character-class table
** feeding one switch (SQLite's tokenizer shape). Tokens are {type, start,
** len} into the original text, so syntax errors can quote the offending
** token and its "near" window without copying anything.
**
** DynamoDB's lexical rules, as observed (see /work/notes/expression-facts.md):
** names are [A-Za-z][A-Za-z0-9_]*, placeholders '#'/':' followed by at least
** one [A-Za-z0-9_], list indexes 0 or [1-9][0-9]*, keywords AND OR NOT
** BETWEEN IN SET REMOVE ADD DELETE in any case, whitespace is space, tab,
** CR and LF. Any other character (a lone '_', '#', ':', '!', '"', a non-ASCII
** character...) is a token of its own that no grammar rule accepts.
*/
#include "expr_int.h"

#include <string.h>

enum {
    CC_OTHER = 0, /* a character no token starts with */
    CC_SPACE,
    CC_ALPHA,
    CC_DIGIT,
    CC_HASH,
    CC_COLON,
    CC_LT,
    CC_GT,
    CC_SINGLE     /* one-character punctuation: = ( ) [ ] , . + - */
};

static const unsigned char cclass[256] = {
    [' '] = CC_SPACE, ['\t'] = CC_SPACE, ['\r'] = CC_SPACE, ['\n'] = CC_SPACE,
    ['#'] = CC_HASH, [':'] = CC_COLON, ['<'] = CC_LT, ['>'] = CC_GT,
    ['='] = CC_SINGLE, ['('] = CC_SINGLE, [')'] = CC_SINGLE, ['['] = CC_SINGLE,
    [']'] = CC_SINGLE, [','] = CC_SINGLE, ['.'] = CC_SINGLE, ['+'] = CC_SINGLE,
    ['-'] = CC_SINGLE,
    ['0'] = CC_DIGIT, ['1'] = CC_DIGIT, ['2'] = CC_DIGIT, ['3'] = CC_DIGIT,
    ['4'] = CC_DIGIT, ['5'] = CC_DIGIT, ['6'] = CC_DIGIT, ['7'] = CC_DIGIT,
    ['8'] = CC_DIGIT, ['9'] = CC_DIGIT,
#define A(c) [c] = CC_ALPHA, [c + 32] = CC_ALPHA
    A('A'), A('B'), A('C'), A('D'), A('E'), A('F'), A('G'), A('H'), A('I'), A('J'),
    A('K'), A('L'), A('M'), A('N'), A('O'), A('P'), A('Q'), A('R'), A('S'), A('T'),
    A('U'), A('V'), A('W'), A('X'), A('Y'), A('Z'),
#undef A
};

/* [A-Za-z0-9_] */
static int is_word(unsigned char c)
{
    return cclass[c] == CC_ALPHA || cclass[c] == CC_DIGIT || c == '_';
}

static const struct {
    const char *word;
    xtok_type type;
} keywords[] = {
    {"AND", TK_AND},       {"OR", TK_OR},         {"NOT", TK_NOT},
    {"BETWEEN", TK_BETWEEN}, {"IN", TK_IN},       {"SET", TK_SET},
    {"REMOVE", TK_REMOVE}, {"ADD", TK_ADD},       {"DELETE", TK_DELETE},
};

static xtok_type keyword_or_name(const char *s, size_t n)
{
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
        const char *w = keywords[k].word;
        if (strlen(w) != n)
            continue;
        size_t i = 0;
        while (i < n && (s[i] & ~0x20) == w[i])
            i++;
        if (i == n)
            return keywords[k].type;
    }
    return TK_NAME;
}

/* Bytes of the UTF-8 character starting at p[0] (1 when malformed). */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    size_t want = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    if (want > avail)
        return 1;
    for (size_t i = 1; i < want; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 1;
    return want;
}

xtok *ddb_xp_lex(const char *text, size_t len, size_t *out_n)
{
    const unsigned char *s = (const unsigned char *)text;
    /* every token but EOF takes at least one byte: len + 1 is enough */
    xtok *t = ddb_xmalloc((len + 1) * sizeof *t);
    size_t n = 0, i = 0;
    while (i < len) {
        size_t start = i;
        xtok_type type;
        unsigned char c = s[i];
        switch (cclass[c]) {
            case CC_SPACE:
                i++;
                continue;
            case CC_ALPHA:
                while (i < len && is_word(s[i]))
                    i++;
                type = keyword_or_name(text + start, i - start);
                break;
            case CC_DIGIT:
                i++;
                if (c != '0')
                    while (i < len && cclass[s[i]] == CC_DIGIT)
                        i++;
                type = TK_INT;
                break;
            case CC_HASH:
            case CC_COLON:
                i++;
                while (i < len && is_word(s[i]))
                    i++;
                type = i == start + 1        ? TK_BAD
                       : cclass[c] == CC_HASH ? TK_HASH
                                              : TK_COLON;
                break;
            case CC_LT:
                i++;
                type = TK_LT;
                if (i < len && s[i] == '>') {
                    i++;
                    type = TK_NE;
                } else if (i < len && s[i] == '=') {
                    i++;
                    type = TK_LE;
                }
                break;
            case CC_GT:
                i++;
                type = TK_GT;
                if (i < len && s[i] == '=') {
                    i++;
                    type = TK_GE;
                }
                break;
            case CC_SINGLE:
                i++;
                switch (c) {
                    case '=': type = TK_EQ; break;
                    case '(': type = TK_LP; break;
                    case ')': type = TK_RP; break;
                    case '[': type = TK_LB; break;
                    case ']': type = TK_RB; break;
                    case ',': type = TK_COMMA; break;
                    case '.': type = TK_DOT; break;
                    case '+': type = TK_PLUS; break;
                    default: type = TK_MINUS; break;
                }
                break;
            default: /* a whole UTF-8 character when c leads one */
                i += c >= 0xC2 && c <= 0xF4 ? utf8_len(s + i, len - i) : 1;
                type = TK_BAD;
                break;
        }
        t[n++] = (xtok){(uint8_t)type, (uint32_t)start, (uint32_t)(i - start)};
    }
    t[n++] = (xtok){TK_EOF, (uint32_t)len, 0};
    *out_n = n;
    return t;
}
