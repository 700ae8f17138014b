/* xlsx_read: a small reader of the first worksheet of an XLSX workbook (Office Open XML, as
 * Microsoft Forms and Excel write it), giving its rows as UTF-8 text cells. It reads
 * xl/workbook.xml for the first sheet, xl/_rels/workbook.xml.rels for its part, the shared
 * strings (rich-text runs joined, phonetic readings left out) and the sheet itself, streamed
 * through expat so a big sheet never sits in memory whole. Every part is bounded by the limits
 * below, counted on the bytes really inflated (a zip's stated sizes may lie), so a zip bomb is
 * refused. Pure: nothing is printed or stored. */
#ifndef IKIIKI_XLSX_READ_H
#define IKIIKI_XLSX_READ_H

#include <stddef.h>

#include "core/err.h"

enum {
    XLSX_EINPUT = IK_EINVAL, /* not a workbook we can read, or over a limit; err says why */
    XLSX_ENOMEM = IK_ENOMEM,
};

/* Hard limits; a zeroed field takes the default in brackets. */
struct xlsx_limits {
    size_t max_part_bytes; /* uncompressed bytes of one XML part [256 MiB] */
    size_t max_rows;       /* highest row number [1,048,576: Excel's own limit] */
    int max_cols;          /* highest column [16,384: "XFD"] */
    size_t max_cells;      /* cells in the sheet [20,000,000] */
    size_t max_string;     /* bytes of one cell's text [32,767 × 3] */
    size_t max_strings;    /* entries of the shared-string table [4,000,000] */
};

/* Called once per row element of the sheet, in order. row is the sheet's row number (1 is the
 * first); cells[i] is the text of column i (0 is "A"), "" for a missing cell; ncells is one
 * past the last cell present. cells and its strings are owned by the reader and valid only
 * during the call; the callback may change the strings in place within their length. It
 * returns 0 to go on, anything else to stop: xlsx_read then returns that value. */
typedef int (*xlsx_row_fn)(void *ctx, size_t row, char **cells, int ncells);

/* Reads the first sheet of the workbook in data[0..len) (borrowed). lim may be NULL for the
 * defaults. Returns 0, XLSX_EINPUT or XLSX_ENOMEM with a one-line reason in err (without a
 * file name), or the callback's non-zero value (err untouched). */
int xlsx_read(const void *data, size_t len, const struct xlsx_limits *lim, xlsx_row_fn fn,
              void *ctx, char *err, size_t errlen);

/* A column's letters: 0 → "A", 27 → "AB"; out needs 4 bytes. */
void xlsx_col_name(int col, char *out);

#endif
