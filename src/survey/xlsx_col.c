/* A column's letters, apart from the reader: the importer names columns in its messages for CSV
 * files too, and the reader (libzip, expat) is a module loaded only for XLSX (core/module.h). */
#include "xlsx_read.h"

#define XLSX_MAX_COLS 16384 /* as the reader's limit: columns A … XFD */

void xlsx_col_name(int col, char *out)
{
    char tmp[4];
    int n = 0;
    if (col < 0 || col >= XLSX_MAX_COLS) {
        out[0] = '\0';
        return;
    }
    for (col++; col > 0 && n < 3; col = (col - 1) / 26)
        tmp[n++] = (char)('A' + (col - 1) % 26);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}
