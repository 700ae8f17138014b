/* The first sheet of an XLSX workbook as rows of UTF-8 cells: libzip for the archive, expat for
 * the parts, every byte counted against the limits. */
#include "xlsx_read.h"

#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/buf.h"

#define DEF_PART_BYTES ((size_t)256 * 1024 * 1024)
#define DEF_ROWS       1048576
#define DEF_COLS       16384
#define DEF_CELLS      20000000
#define DEF_STRING     (32767 * 3)
#define DEF_STRINGS    4000000

enum part { P_WORKBOOK, P_RELS, P_STRINGS, P_SHEET };

/* What the handlers share while one part is parsed. */
struct xr {
    XML_Parser p;
    struct xlsx_limits lim;
    const char *part; /* the member's name, for messages */
    int rc;           /* the first failure; the parser is stopped when it is set */
    char *err;
    size_t errlen;
    int capture;     /* character data goes into text */
    struct buf text; /* the text being collected (a shared string, a cell value) */
    /* workbook and relationships */
    int have_sheet;
    char sheet_rid[128];
    char sheet_target[512];
    /* shared strings: the table is one buffer of NUL-terminated strings and their offsets */
    struct buf sst;
    size_t *sst_off;
    size_t nsst, cap_sst;
    int in_si, in_rph;
    /* sheet */
    xlsx_row_fn fn;
    void *ctx;
    size_t row, ncells_total;
    int in_row, in_c, in_is, col, ncols;
    char ctype[16];
    struct buf rowtext; /* the cells of the row, NUL-terminated; offset 0 is an empty string */
    size_t *celloff;    /* celloff[col] into rowtext, 0 for a missing cell */
    char **cells;
};

static void fail(struct xr *x, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records the first failure and stops the parser. */
static void fail(struct xr *x, int rc, const char *fmt, ...)
{
    if (x->rc)
        return;
    x->rc = rc;
    if (rc == XLSX_EINPUT || rc == XLSX_ENOMEM) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->err, x->errlen, fmt, ap);
        va_end(ap);
    }
    if (x->p)
        XML_StopParser(x->p, XML_FALSE);
}

/* Element and attribute names without a namespace prefix: writers choose their own. */
static const char *local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), name) == 0)
            return atts[i + 1];
    return NULL;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    struct xr *x = ud;
    if (!x->capture || x->rc)
        return;
    if (x->text.len + (size_t)len > x->lim.max_string) {
        fail(x, XLSX_EINPUT, "%s: a text longer than %zu bytes", x->part, x->lim.max_string);
        return;
    }
    if (buf_append(&x->text, s, (size_t)len))
        fail(x, XLSX_ENOMEM, "out of memory");
}

/* A DTD could declare entities that expand without end; an XLSX part never has one. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                       int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    struct xr *x = ud;
    fail(x, XLSX_EINPUT, "%s: a document type declaration is not allowed", x->part);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Office writes characters that XML cannot hold (a carriage return, say) as "_xHHHH_", and a
 * literal "_x" as "_x005F_x"; decodes s[0..n) in place and returns the new length. U+0000 and
 * surrogates are dropped: they are no text. */
static size_t unescape_x(char *s, size_t n)
{
    size_t r = 0, w = 0;
    while (r < n) {
        int h[4] = {-1, -1, -1, -1};
        if (r + 7 <= n && s[r] == '_' && s[r + 1] == 'x' && s[r + 6] == '_' &&
            (h[0] = hexval(s[r + 2])) >= 0 && (h[1] = hexval(s[r + 3])) >= 0 &&
            (h[2] = hexval(s[r + 4])) >= 0 && (h[3] = hexval(s[r + 5])) >= 0) {
            unsigned cp = (unsigned)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
            r += 7;
            if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
                continue;
            if (cp < 0x80) {
                s[w++] = (char)cp;
            } else if (cp < 0x800) {
                s[w++] = (char)(0xc0 | cp >> 6);
                s[w++] = (char)(0x80 | (cp & 0x3f));
            } else {
                s[w++] = (char)(0xe0 | cp >> 12);
                s[w++] = (char)(0x80 | ((cp >> 6) & 0x3f));
                s[w++] = (char)(0x80 | (cp & 0x3f));
            }
        } else {
            s[w++] = s[r++];
        }
    }
    return w;
}

/* ---- xl/workbook.xml and its relationships ---- */

static void wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    if (x->have_sheet || strcmp(local(name), "sheet") != 0)
        return;
    /* The relationship id is r:id; a plain "id" attribute would not be namespaced. */
    for (int i = 0; atts[i]; i += 2)
        if (strchr(atts[i], ':') && strcmp(local(atts[i]), "id") == 0) {
            snprintf(x->sheet_rid, sizeof x->sheet_rid, "%s", atts[i + 1]);
            x->have_sheet = 1;
        }
}

static void rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    if (x->sheet_target[0] || strcmp(local(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
    if (!id || !target || strcmp(id, x->sheet_rid) != 0)
        return;
    /* Targets are relative to xl/ unless they start at the package root. */
    if (target[0] == '/')
        snprintf(x->sheet_target, sizeof x->sheet_target, "%s", target + 1);
    else
        snprintf(x->sheet_target, sizeof x->sheet_target, "xl/%s", target);
}

static void no_end(void *ud, const XML_Char *name)
{
    (void)ud, (void)name;
}

/* ---- xl/sharedStrings.xml ---- */

static void sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    struct xr *x = ud;
    const char *n = local(name);
    if (strcmp(n, "si") == 0) {
        x->in_si = 1;
        x->in_rph = 0;
        x->text.len = 0;
    } else if (strcmp(n, "rPh") == 0) {
        x->in_rph++; /* furigana that Japanese Excel keeps beside the text: not the text */
    } else if (strcmp(n, "t") == 0 && x->in_si && !x->in_rph) {
        x->capture = 1;
    }
}

static void sst_end(void *ud, const XML_Char *name)
{
    struct xr *x = ud;
    const char *n = local(name);
    if (strcmp(n, "t") == 0) {
        x->capture = 0;
    } else if (strcmp(n, "rPh") == 0) {
        x->in_rph--;
    } else if (strcmp(n, "si") == 0 && x->in_si) {
        x->in_si = 0;
        if (x->nsst == x->lim.max_strings) {
            fail(x, XLSX_EINPUT, "%s: more than %zu shared strings", x->part, x->lim.max_strings);
            return;
        }
        if (x->nsst == x->cap_sst) {
            size_t nc = x->cap_sst ? x->cap_sst * 2 : 256;
            size_t *p = realloc(x->sst_off, nc * sizeof *p);
            if (!p) {
                fail(x, XLSX_ENOMEM, "out of memory");
                return;
            }
            x->sst_off = p;
            x->cap_sst = nc;
        }
        x->sst_off[x->nsst++] = x->sst.len;
        size_t len = x->text.len ? unescape_x(x->text.data, x->text.len) : 0;
        if (buf_append(&x->sst, x->text.data ? x->text.data : "", len) ||
            buf_append(&x->sst, "", 1))
            fail(x, XLSX_ENOMEM, "out of memory");
    }
}

/* ---- the sheet ---- */

/* "AB12" → 27; -1 when the reference has no column letters or is past the limit. */
static int ref_col(const char *ref, int max_cols)
{
    int col = 0, k = 0;
    for (; ref[k] >= 'A' && ref[k] <= 'Z'; k++) {
        col = col * 26 + (ref[k] - 'A' + 1);
        if (col > max_cols)
            return -1;
    }
    return k ? col - 1 : -1;
}

static void row_begin(struct xr *x, const char **atts)
{
    const char *r = attr(atts, "r");
    size_t row = x->row + 1;
    if (r) {
        char *end;
        unsigned long long v = strtoull(r, &end, 10);
        if (*end || end == r || v == 0 || v <= x->row) {
            fail(x, XLSX_EINPUT, "%s: row \"%.20s\" is not a row number after %zu", x->part, r,
                 x->row);
            return;
        }
        row = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    }
    if (row > x->lim.max_rows) {
        fail(x, XLSX_EINPUT, "%s: row %zu: more than %zu rows", x->part, row, x->lim.max_rows);
        return;
    }
    x->row = row;
    x->in_row = 1;
    x->ncols = 0;
    x->col = -1;
    buf_reset(&x->rowtext);
    if (buf_append(&x->rowtext, "", 1))
        fail(x, XLSX_ENOMEM, "out of memory");
}

static void cell_begin(struct xr *x, const char **atts)
{
    const char *r = attr(atts, "r"), *t = attr(atts, "t");
    int col = x->col + 1;
    if (r && (col = ref_col(r, DEF_COLS)) < 0) {
        fail(x, XLSX_EINPUT, "%s: row %zu: cell \"%.20s\" is not a cell reference up to column %d",
             x->part, x->row, r, x->lim.max_cols);
        return;
    }
    if (col >= x->lim.max_cols) {
        fail(x, XLSX_EINPUT, "%s: row %zu: more than %d columns", x->part, x->row, x->lim.max_cols);
        return;
    }
    if (col <= x->col) {
        fail(x, XLSX_EINPUT, "%s: row %zu: cells out of order", x->part, x->row);
        return;
    }
    if (++x->ncells_total > x->lim.max_cells) {
        fail(x, XLSX_EINPUT, "%s: more than %zu cells", x->part, x->lim.max_cells);
        return;
    }
    x->col = col;
    x->in_c = 1;
    snprintf(x->ctype, sizeof x->ctype, "%s", t ? t : "n");
    x->text.len = 0;
}

static void sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *n = local(name);
    if (strcmp(n, "row") == 0)
        row_begin(x, atts);
    else if (strcmp(n, "c") == 0 && x->in_row)
        cell_begin(x, atts);
    else if (x->in_c && strcmp(n, "v") == 0 && strcmp(x->ctype, "inlineStr") != 0)
        x->capture = 1;
    else if (x->in_c && strcmp(n, "is") == 0)
        x->in_is = 1, x->in_rph = 0;
    else if (x->in_is && strcmp(n, "rPh") == 0)
        x->in_rph++;
    else if (x->in_is && !x->in_rph && strcmp(n, "t") == 0)
        x->capture = 1;
}

/* The text of the finished cell: a shared string, a boolean, or what the cell holds. */
static void cell_end(struct xr *x)
{
    const char *v = x->text.data ? x->text.data : "";
    size_t n = x->text.len;
    char *end;
    x->in_c = x->in_is = x->capture = 0;
    if (strcmp(x->ctype, "s") == 0) {
        unsigned long long i = strtoull(v, &end, 10);
        if (n == 0 || *end || i >= x->nsst) {
            fail(x, XLSX_EINPUT, "%s: row %zu: shared string \"%.20s\" does not exist", x->part,
                 x->row, v);
            return;
        }
        v = x->sst.data + x->sst_off[i];
        n = strlen(v);
    } else if (strcmp(x->ctype, "b") == 0) {
        v = n == 1 && v[0] == '1' ? "TRUE" : "FALSE";
        n = strlen(v);
    } else if (n) {
        n = unescape_x(x->text.data, n);
    }
    if (n == 0)
        return; /* a blank cell is the same as a missing one */
    x->celloff[x->col] = x->rowtext.len;
    if (buf_append(&x->rowtext, v, n) || buf_append(&x->rowtext, "", 1)) {
        fail(x, XLSX_ENOMEM, "out of memory");
        return;
    }
    x->ncols = x->col + 1;
}

static void row_end(struct xr *x)
{
    x->in_row = 0;
    for (int i = 0; i < x->ncols; i++) {
        x->cells[i] = x->rowtext.data + x->celloff[i];
        x->celloff[i] = 0;
    }
    int rc = x->fn(x->ctx, x->row, x->cells, x->ncols);
    if (rc && !x->rc) {
        x->rc = rc; /* the callback has written its own message */
        XML_StopParser(x->p, XML_FALSE);
    }
}

static void sheet_end(void *ud, const XML_Char *name)
{
    struct xr *x = ud;
    const char *n = local(name);
    if (strcmp(n, "c") == 0 && x->in_c)
        cell_end(x);
    else if (strcmp(n, "row") == 0 && x->in_row)
        row_end(x);
    else if (strcmp(n, "v") == 0 || strcmp(n, "t") == 0)
        x->capture = 0;
    else if (strcmp(n, "rPh") == 0 && x->in_rph)
        x->in_rph--;
    else if (strcmp(n, "is") == 0)
        x->in_is = 0;
}

/* ---- the archive ---- */

/* Streams one member through a new parser with the handlers of kind. Returns 0, 1 when the
 * member is missing and optional, or a negative code / the callback's value. */
static int parse_part(struct xr *x, zip_t *z, const char *name, enum part kind, int required)
{
    zip_int64_t idx = zip_name_locate(z, name, 0);
    if (idx < 0) {
        if (!required)
            return 1;
        fail(x, XLSX_EINPUT, "the workbook has no %s (is it an XLSX file?)", name);
        return x->rc;
    }
    zip_stat_t st;
    if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
        st.size > x->lim.max_part_bytes) {
        fail(x, XLSX_EINPUT, "%s: larger than %zu MiB uncompressed", name,
             x->lim.max_part_bytes >> 20);
        return x->rc;
    }
    zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (!zf) {
        fail(x, XLSX_EINPUT, "cannot open %s in the archive: %s", name,
             zip_error_strerror(zip_get_error(z)));
        return x->rc;
    }
    x->p = XML_ParserCreate(NULL);
    if (!x->p) {
        zip_fclose(zf);
        fail(x, XLSX_ENOMEM, "out of memory");
        return x->rc;
    }
    static const XML_StartElementHandler starts[] = {wb_start, rels_start, sst_start, sheet_start};
    static const XML_EndElementHandler ends[] = {no_end, no_end, sst_end, sheet_end};
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, starts[kind], ends[kind]);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    x->part = name;
    char chunk[65536];
    size_t total = 0;
    for (;;) {
        zip_int64_t got = zip_fread(zf, chunk, sizeof chunk);
        if (got < 0) {
            fail(x, XLSX_EINPUT, "%s: broken compressed data (%s)", name, zip_file_strerror(zf));
            break;
        }
        total += (size_t)got;
        if (total > x->lim.max_part_bytes) {
            fail(x, XLSX_EINPUT, "%s: larger than %zu MiB uncompressed", name,
                 x->lim.max_part_bytes >> 20);
            break;
        }
        if (XML_Parse(x->p, chunk, (int)got, got == 0) != XML_STATUS_OK) {
            if (!x->rc)
                fail(x, XLSX_EINPUT, "%s: line %lu: %s", name,
                     (unsigned long)XML_GetCurrentLineNumber(x->p),
                     XML_ErrorString(XML_GetErrorCode(x->p)));
            break;
        }
        if (got == 0)
            break;
    }
    XML_ParserFree(x->p);
    x->p = NULL;
    zip_fclose(zf);
    x->capture = 0;
    return x->rc;
}

static void limits(struct xlsx_limits *l, const struct xlsx_limits *in)
{
    static const struct xlsx_limits def = {DEF_PART_BYTES, DEF_ROWS,   DEF_COLS,
                                           DEF_CELLS,      DEF_STRING, DEF_STRINGS};
    *l = in ? *in : def;
    if (!l->max_part_bytes)
        l->max_part_bytes = def.max_part_bytes;
    if (!l->max_rows)
        l->max_rows = def.max_rows;
    if (l->max_cols <= 0 || l->max_cols > DEF_COLS)
        l->max_cols = def.max_cols;
    if (!l->max_cells)
        l->max_cells = def.max_cells;
    if (!l->max_string)
        l->max_string = def.max_string;
    if (!l->max_strings)
        l->max_strings = def.max_strings;
}

static zip_t *open_archive(struct xr *x, const void *data, size_t len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (!z) {
        fail(x, XLSX_EINPUT, "not a readable zip archive (%s)", zip_error_strerror(&ze));
        zip_source_free(src);
    }
    zip_error_fini(&ze);
    return z;
}

static int read_workbook(struct xr *x, zip_t *z)
{
    int rc = parse_part(x, z, "xl/workbook.xml", P_WORKBOOK, 1);
    if (rc)
        return rc;
    if (!x->have_sheet) {
        fail(x, XLSX_EINPUT, "xl/workbook.xml: the workbook has no sheet");
        return x->rc;
    }
    rc = parse_part(x, z, "xl/_rels/workbook.xml.rels", P_RELS, 1);
    if (rc)
        return rc;
    if (!x->sheet_target[0]) {
        fail(x, XLSX_EINPUT, "xl/_rels/workbook.xml.rels: no part for sheet \"%s\"", x->sheet_rid);
        return x->rc;
    }
    rc = parse_part(x, z, "xl/sharedStrings.xml", P_STRINGS, 0);
    return rc == 1 ? 0 : rc;
}

int xlsx_read(const void *data, size_t len, const struct xlsx_limits *lim, xlsx_row_fn fn,
              void *ctx, char *err, size_t errlen)
{
    struct xr *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return XLSX_ENOMEM;
    }
    limits(&x->lim, lim);
    x->err = err;
    x->errlen = errlen;
    x->fn = fn;
    x->ctx = ctx;
    buf_init(&x->text, 0);
    buf_init(&x->sst, 0);
    buf_init(&x->rowtext, 0);
    zip_t *z = open_archive(x, data, len);
    int rc = z ? read_workbook(x, z) : x->rc;
    if (rc == 0) {
        x->celloff = calloc((size_t)x->lim.max_cols, sizeof *x->celloff);
        x->cells = calloc((size_t)x->lim.max_cols, sizeof *x->cells);
        if (!x->celloff || !x->cells)
            fail(x, XLSX_ENOMEM, "out of memory");
        else
            parse_part(x, z, x->sheet_target, P_SHEET, 1);
        rc = x->rc;
    }
    if (z)
        zip_discard(z);
    buf_release(&x->text);
    buf_release(&x->sst);
    buf_release(&x->rowtext);
    free(x->sst_off);
    free(x->celloff);
    free(x->cells);
    free(x);
    return rc;
}
