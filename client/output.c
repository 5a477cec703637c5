/* SPDX-License-Identifier: MIT
**
** output.c -- how results are written: JSON lines (one plain JSON value per
** line, the default) and --output table (columns in first-seen order, padded
** to the widest cell counted in code points, control characters escaped,
** long cells cut). Pure: writes to a FILE *.
*/
#include "client.h"

#include <stdlib.h>
#include <string.h>

size_t cli_table_col(cli_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_cols; i++)
        if (strcmp(t->cols[i], name) == 0)
            return i;
    if (t->n_cols == t->cap_cols) {
        size_t cap = t->cap_cols ? 2 * t->cap_cols : 8;
        t->cols = ddb_xrealloc(t->cols, cap * sizeof *t->cols);
        for (size_t r = 0; r < t->n_rows; r++) {
            t->rows[r] = ddb_xrealloc(t->rows[r], cap * sizeof *t->rows[r]);
            for (size_t c = t->cap_cols; c < cap; c++)
                t->rows[r][c] = NULL;
        }
        t->cap_cols = cap;
    }
    t->cols[t->n_cols] = ddb_xstrdup(name);
    return t->n_cols++;
}

size_t cli_table_row(cli_table *t)
{
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 16;
        t->rows = ddb_xrealloc(t->rows, t->cap_rows * sizeof *t->rows);
    }
    size_t cap = t->cap_cols ? t->cap_cols : 1;
    t->rows[t->n_rows] = ddb_xcalloc(cap, sizeof **t->rows);
    return t->n_rows++;
}

void cli_table_set(cli_table *t, size_t col, char *text)
{
    char **row = t->rows[t->n_rows - 1];
    free(row[col]);
    row[col] = text;
}

void cli_table_add_item(cli_table *t, const json_t *item)
{
    const char *k;
    json_t *v;
    cli_table_row(t);
    json_object_foreach((json_t *)item, k, v)
    {
        size_t c = cli_table_col(t, k);
        cli_table_set(t, c, cli_attr_display(v));
    }
}

/* The cell as displayed: control characters escaped, cut at CLI_MAX_CELL
** code points. Returns the display width; 'out' receives the bytes. */
static size_t cell_text(const char *s, ddb_buf *out)
{
    size_t width = 0;
    out->len = 0;
    for (size_t i = 0; s != NULL && s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80) { /* continuation byte: no width */
            ddb_buf_putc(out, c);
            continue;
        }
        char esc[8] = {0};
        if (c == '\n')
            memcpy(esc, "\\n", 3);
        else if (c == '\t')
            memcpy(esc, "\\t", 3);
        else if (c == '\r')
            memcpy(esc, "\\r", 3);
        else if (c < 0x20 || c == 0x7F)
            snprintf(esc, sizeof esc, "\\x%02x", c);
        size_t w = esc[0] ? strlen(esc) : 1;
        if (width + w > CLI_MAX_CELL) {
            /* drop back to leave room for "..." on a code-point boundary */
            while (width > CLI_MAX_CELL - 3 && out->len > 0) {
                out->len--;
                if ((out->data[out->len] & 0xC0) != 0x80)
                    width--;
            }
            ddb_buf_puts(out, "...");
            return width + 3;
        }
        if (esc[0])
            ddb_buf_puts(out, esc);
        else
            ddb_buf_putc(out, c);
        width += w;
    }
    if (out->data == NULL)
        ddb_buf_puts(out, "");
    return width;
}

void cli_table_print(const cli_table *t, FILE *f)
{
    if (t->n_rows == 0 || t->n_cols == 0)
        return;
    size_t *w = ddb_xcalloc(t->n_cols, sizeof *w);
    ddb_buf cell = DDB_BUF_INIT;
    for (size_t c = 0; c < t->n_cols; c++) {
        w[c] = cell_text(t->cols[c], &cell);
        for (size_t r = 0; r < t->n_rows; r++) {
            size_t cw = cell_text(t->rows[r][c], &cell);
            if (cw > w[c])
                w[c] = cw;
        }
    }
    ddb_buf line = DDB_BUF_INIT;
    for (size_t r = 0; r <= t->n_rows + 1; r++) {
        line.len = 0;
        for (size_t c = 0; c < t->n_cols; c++) {
            if (r == 1) { /* the rule under the header */
                for (size_t i = 0; i < w[c]; i++)
                    ddb_buf_putc(&line, '-');
                ddb_buf_puts(&line, c + 1 < t->n_cols ? "-+-" : "");
                continue;
            }
            const char *text = r == 0 ? t->cols[c] : t->rows[r - 2][c];
            size_t cw = cell_text(text, &cell);
            ddb_buf_append(&line, cell.data, cell.len);
            if (c + 1 < t->n_cols) {
                for (size_t i = cw; i < w[c]; i++)
                    ddb_buf_putc(&line, ' ');
                ddb_buf_puts(&line, " | ");
            }
        }
        while (line.len > 0 && line.data[line.len - 1] == ' ')
            line.len--;
        ddb_buf_putc(&line, '\n');
        fwrite(line.data, 1, line.len, f);
    }
    ddb_buf_free(&line);
    ddb_buf_free(&cell);
    free(w);
}

void cli_table_free(cli_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (size_t c = 0; c < t->n_cols; c++)
        free(t->cols[c]);
    free(t->rows);
    free(t->cols);
    memset(t, 0, sizeof *t);
}

void cli_print_item_line(const json_t *item, FILE *f)
{
    ddb_buf b = DDB_BUF_INIT;
    cli_unmarshal_map(item, &b);
    ddb_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, f);
    ddb_buf_free(&b);
}
