/* export: the 診断結果一覧 table of one center as XLSX (libxlsxwriter) or CSV. The table is read
 * straight from the score JSON, row by row, so the two formats cannot disagree. */
#include "survey/export.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/util.h"

#define SHEET_NAME  "診断結果一覧"
#define SUPPRESSED  "—"
#define ELEMENT_ROW "要素スコア（合算）"
#define FILL_BELOW  0xF8CBAD /* light red: below the other-center average */
#define FILL_HEADER 0xD9E1F2

/* Fixed columns before and after the figures. */
enum { COL_ID, COL_ELEMENT, COL_TEXT, COL_TOTAL, NFIXED_LEFT = 3 };

/* One center's table: the segment groups found in groups.segment, in the JSON's order. */
struct table {
    const survey_questionnaire *q;
    json_t *center;
    json_t *segments; /* groups.segment, or NULL */
    size_t nseg;
    const char **seg_names; /* nseg keys, borrowed from segments */
    int nitems, nelements;
    size_t nvals; /* total + nseg + others_avg + hpb */
};

/* One row: three texts and nvals figures (each a JSON number, or anything else for "—"). */
struct row {
    const char *id, *element, *text;
    json_t **vals;
};

static void set_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    if (errlen)
        snprintf(err, errlen, fmt, a, b ? b : "");
}

static int table_init(struct table *t, const survey_questionnaire *q, json_t *center)
{
    memset(t, 0, sizeof *t);
    if (!json_is_object(center) || !json_is_object(json_object_get(center, "items")))
        return SURVEY_EXPORT_EINPUT;
    t->q = q;
    t->center = center;
    t->nitems = survey_nitems(q);
    t->nelements = survey_nelements(q);
    json_t *seg = json_object_get(json_object_get(center, "groups"), "segment");
    if (json_is_object(seg)) {
        t->segments = seg;
        t->nseg = json_object_size(seg);
    }
    t->seg_names = calloc(t->nseg ? t->nseg : 1, sizeof *t->seg_names);
    if (!t->seg_names)
        return SURVEY_EXPORT_ENOMEM;
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(seg, key, v)
    {
        if (i < t->nseg)
            t->seg_names[i++] = key;
    }
    t->nvals = 1 + t->nseg + 2;
    return 0;
}

static void table_release(struct table *t)
{
    free(t->seg_names);
    t->seg_names = NULL;
}

static size_t table_nrows(const struct table *t)
{
    return (size_t)t->nitems + (size_t)t->nelements;
}

static size_t table_ncols(const struct table *t)
{
    return NFIXED_LEFT + t->nvals;
}

/* The header of column c (a static string or a segment name borrowed from the JSON). */
static const char *table_header(const struct table *t, size_t c)
{
    static const char *const left[] = {"ID", "要素", "設問", "全体"};
    if (c <= COL_TOTAL)
        return left[c];
    if (c < COL_TOTAL + 1 + t->nseg)
        return t->seg_names[c - COL_TOTAL - 1];
    return c == table_ncols(t) - 2 ? "他センター平均" : "HPB";
}

/* The Japanese name of an element code: one of the seven, or the name of the "overall" or
 * "happiness" group in the questionnaire document; the code itself when none is found. */
static const char *element_label(const survey_questionnaire *q, const char *code)
{
    if (!code)
        return "";
    for (int e = 0; e < survey_nelements(q); e++)
        if (strcmp(code, survey_element_code(q, e)) == 0)
            return survey_element_name(q, e);
    json_t *name = json_object_get(json_object_get(survey_questionnaire_document(q), code), "name");
    return json_is_string(name) ? json_string_value(name) : code;
}

/* Fills row r: items first, then elements. vals must hold t->nvals pointers. */
static void table_row(const struct table *t, size_t r, struct row *out)
{
    const char *kind, *key;
    json_t *fig;
    if (r < (size_t)t->nitems) {
        int i = (int)r;
        kind = "items";
        key = survey_item_id(t->q, i);
        out->id = key;
        out->element = element_label(t->q, survey_item_element(t->q, i));
        out->text = survey_item_text(t->q, i);
    } else {
        int e = (int)(r - (size_t)t->nitems);
        kind = "elements";
        key = survey_element_code(t->q, e);
        out->id = key;
        out->element = survey_element_name(t->q, e);
        out->text = ELEMENT_ROW;
    }
    fig = json_object_get(json_object_get(t->center, kind), key);
    out->vals[0] = json_object_get(fig, "top3");
    for (size_t s = 0; s < t->nseg; s++) {
        json_t *g = json_object_get(t->segments, t->seg_names[s]);
        json_t *v = json_object_get(json_object_get(json_object_get(g, kind), key), "top3");
        out->vals[1 + s] = json_is_true(json_object_get(g, "suppressed")) ? NULL : v;
    }
    out->vals[t->nvals - 2] = json_object_get(fig, "others_avg");
    out->vals[t->nvals - 1] = json_object_get(fig, "hpb");
}

/* Whether figure v of a row (the total or a segment) is below the row's other-center average. */
static int row_below(const struct table *t, const struct row *row, size_t v)
{
    json_t *avg = row->vals[t->nvals - 2];
    return v < t->nvals - 2 && json_is_number(row->vals[v]) && json_is_number(avg) &&
           json_number_value(row->vals[v]) < json_number_value(avg);
}

/* ---- writing beside the target ---- */

/* SURVEY_EXPORT_EIO is -1, the failure of the core helpers. */
_Static_assert(SURVEY_EXPORT_EIO == -1, "file_temp_beside and file_commit fail with -1");

/* ---- CSV ---- */

struct csv {
    FILE *f;
    iconv_t cd; /* (iconv_t)-1 for UTF-8 */
};

/* Writes text in the file's encoding; where names the cell for the error. */
static int csv_put(struct csv *c, const char *text, const char *row, const char *col, char *err,
                   size_t errlen)
{
    size_t len = strlen(text);
    if (c->cd == (iconv_t)-1)
        return fwrite(text, 1, len, c->f) == len ? 0 : SURVEY_EXPORT_EIO;
    char out[SURVEY_EXPORT_CELL_MAX * 2];
    char *in = (char *)text, *o = out;
    size_t inleft = len, outleft = sizeof out;
    iconv(c->cd, NULL, NULL, NULL, NULL);
    if (iconv(c->cd, &in, &inleft, &o, &outleft) == (size_t)-1 ||
        iconv(c->cd, NULL, NULL, &o, &outleft) == (size_t)-1) {
        char where[160];
        snprintf(where, sizeof where, "%s", row);
        set_err(err, errlen, "row \"%s\", column \"%s\": not representable in CP932", where, col);
        return SURVEY_EXPORT_ENCODING;
    }
    size_t n = (size_t)(o - out);
    return fwrite(out, 1, n, c->f) == n ? 0 : SURVEY_EXPORT_EIO;
}

/* One field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
static int csv_field(struct csv *c, const char *text, int first, const char *row, const char *col,
                     char *err, size_t errlen)
{
    char buf[SURVEY_EXPORT_CELL_MAX];
    size_t n = 0;
    int quote = strpbrk(text, ",\"\r\n") != NULL;
    if (!first)
        buf[n++] = ',';
    if (quote)
        buf[n++] = '"';
    for (const char *p = text; *p; p++) {
        if (n + 4 >= sizeof buf) {
            set_err(err, errlen, "row \"%s\", column \"%s\": text too long", row, col);
            return SURVEY_EXPORT_EINPUT;
        }
        if (*p == '"')
            buf[n++] = '"';
        buf[n++] = *p;
    }
    if (quote)
        buf[n++] = '"';
    buf[n] = '\0';
    return csv_put(c, buf, row, col, err, errlen);
}

static void percent_text(json_t *v, char *out, size_t outlen)
{
    if (json_is_number(v))
        snprintf(out, outlen, "%.1f", json_number_value(v) * 100.0);
    else
        snprintf(out, outlen, "%s", SUPPRESSED);
}

static int csv_table(struct csv *c, const struct table *t, struct row *row, char *err,
                     size_t errlen)
{
    int rc = 0;
    size_t ncols = table_ncols(t);
    for (size_t col = 0; col < ncols && rc == 0; col++)
        rc = csv_field(c, table_header(t, col), col == 0, "header", table_header(t, col), err,
                       errlen);
    if (rc == 0)
        rc = csv_put(c, "\r\n", "header", "", err, errlen);
    for (size_t r = 0; r < table_nrows(t) && rc == 0; r++) {
        table_row(t, r, row);
        const char *texts[NFIXED_LEFT] = {row->id, row->element, row->text};
        for (size_t col = 0; col < ncols && rc == 0; col++) {
            char num[64];
            const char *text = col < NFIXED_LEFT ? texts[col] : num;
            if (col >= NFIXED_LEFT)
                percent_text(row->vals[col - NFIXED_LEFT], num, sizeof num);
            rc = csv_field(c, text ? text : "", col == 0, row->id, table_header(t, col), err,
                           errlen);
        }
        if (rc == 0)
            rc = csv_put(c, "\r\n", row->id, "", err, errlen);
    }
    return rc;
}

static int csv_write(const struct table *t, FILE *f, enum survey_export_encoding enc, char *err,
                     size_t errlen)
{
    struct csv c = {f, (iconv_t)-1};
    if (enc == SURVEY_EXPORT_CP932 && (c.cd = iconv_open("CP932", "UTF-8")) == (iconv_t)-1) {
        set_err(err, errlen, "CP932 is not available: %s%s", strerror(errno), NULL);
        return SURVEY_EXPORT_ENCODING;
    }
    int rc = 0;
    if (enc == SURVEY_EXPORT_UTF8 && fwrite("\xEF\xBB\xBF", 1, 3, f) != 3)
        rc = SURVEY_EXPORT_EIO;
    struct row row;
    row.vals = calloc(t->nvals, sizeof *row.vals);
    if (!row.vals)
        rc = SURVEY_EXPORT_ENOMEM;
    if (rc == 0)
        rc = csv_table(&c, t, &row, err, errlen);
    free(row.vals);
    if (c.cd != (iconv_t)-1)
        iconv_close(c.cd);
    return rc;
}

int survey_export_csv(const survey_questionnaire *q, json_t *center, const char *path,
                      enum survey_export_encoding enc, char *err, size_t errlen)
{
    struct table t;
    int rc = table_init(&t, q, center);
    char tmp[4096];
    if (rc == 0)
        rc = file_temp_beside(path, tmp, sizeof tmp, err, errlen);
    if (rc) {
        if (rc == SURVEY_EXPORT_EINPUT)
            set_err(err, errlen, "the score has no center%s%s", "", NULL);
        table_release(&t);
        return rc;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f)
        rc = SURVEY_EXPORT_EIO;
    else
        rc = csv_write(&t, f, enc, err, errlen);
    if (f && fclose(f) != 0 && rc == 0)
        rc = SURVEY_EXPORT_EIO;
    if (rc == SURVEY_EXPORT_EIO)
        set_err(err, errlen, "\"%s\": %s", path, strerror(errno));
    table_release(&t);
    return file_commit(rc, tmp, path, err, errlen);
}

/* ---- XLSX ---- */

struct xlsx_formats {
    lxw_format *header, *text, *pct, *below, *dash;
};

static void xlsx_formats_add(lxw_workbook *wb, struct xlsx_formats *f)
{
    f->header = workbook_add_format(wb);
    format_set_bold(f->header);
    format_set_bg_color(f->header, FILL_HEADER);
    format_set_border(f->header, LXW_BORDER_THIN);
    format_set_text_wrap(f->header);
    format_set_align(f->header, LXW_ALIGN_CENTER);
    f->text = workbook_add_format(wb);
    format_set_border(f->text, LXW_BORDER_THIN);
    f->pct = workbook_add_format(wb);
    format_set_num_format(f->pct, "0.0%");
    format_set_border(f->pct, LXW_BORDER_THIN);
    f->below = workbook_add_format(wb);
    format_set_num_format(f->below, "0.0%");
    format_set_border(f->below, LXW_BORDER_THIN);
    format_set_bg_color(f->below, FILL_BELOW);
    f->dash = workbook_add_format(wb);
    format_set_border(f->dash, LXW_BORDER_THIN);
    format_set_align(f->dash, LXW_ALIGN_CENTER);
}

static void xlsx_layout(lxw_worksheet *ws, const struct table *t, const struct xlsx_formats *f)
{
    worksheet_set_column(ws, COL_ID, COL_ID, 9, NULL);
    worksheet_set_column(ws, COL_ELEMENT, COL_ELEMENT, 20, NULL);
    worksheet_set_column(ws, COL_TEXT, COL_TEXT, 62, NULL);
    worksheet_set_column(ws, COL_TOTAL, (lxw_col_t)(table_ncols(t) - 1), 13, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t c = 0; c < table_ncols(t); c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, table_header(t, c), f->header);
}

static void xlsx_rows(lxw_worksheet *ws, const struct table *t, struct row *row,
                      const struct xlsx_formats *f)
{
    for (size_t r = 0; r < table_nrows(t); r++) {
        lxw_row_t y = (lxw_row_t)(r + 1);
        table_row(t, r, row);
        worksheet_write_string(ws, y, COL_ID, row->id ? row->id : "", f->text);
        worksheet_write_string(ws, y, COL_ELEMENT, row->element ? row->element : "", f->text);
        worksheet_write_string(ws, y, COL_TEXT, row->text ? row->text : "", f->text);
        for (size_t v = 0; v < t->nvals; v++) {
            lxw_col_t x = (lxw_col_t)(NFIXED_LEFT + v);
            if (json_is_number(row->vals[v]))
                worksheet_write_number(ws, y, x, json_number_value(row->vals[v]),
                                       row_below(t, row, v) ? f->below : f->pct);
            else
                worksheet_write_string(ws, y, x, SUPPRESSED, f->dash);
        }
    }
}

static int xlsx_write(const struct table *t, const char *tmp)
{
    struct row row;
    row.vals = calloc(t->nvals, sizeof *row.vals);
    if (!row.vals)
        return SURVEY_EXPORT_ENOMEM;
    lxw_workbook *wb = workbook_new(tmp);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, SHEET_NAME) : NULL;
    int rc = ws ? 0 : SURVEY_EXPORT_EIO;
    if (ws) {
        struct xlsx_formats f;
        xlsx_formats_add(wb, &f);
        xlsx_layout(ws, t, &f);
        xlsx_rows(ws, t, &row, &f);
    }
    if (wb && workbook_close(wb) != LXW_NO_ERROR)
        rc = SURVEY_EXPORT_EIO;
    free(row.vals);
    return rc;
}

int survey_export_xlsx(const survey_questionnaire *q, json_t *center, const char *path, char *err,
                       size_t errlen)
{
    struct table t;
    int rc = table_init(&t, q, center);
    char tmp[4096];
    if (rc == 0)
        rc = file_temp_beside(path, tmp, sizeof tmp, err, errlen);
    if (rc) {
        if (rc == SURVEY_EXPORT_EINPUT)
            set_err(err, errlen, "the score has no center%s%s", "", NULL);
        table_release(&t);
        return rc;
    }
    rc = xlsx_write(&t, tmp);
    if (rc == SURVEY_EXPORT_EIO)
        set_err(err, errlen, "\"%s\": the workbook could not be written%s", path, NULL);
    table_release(&t);
    return file_commit(rc, tmp, path, err, errlen);
}
