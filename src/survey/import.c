/* The template CSV of the Well-being診断 into respondents: encoding, RFC 4180 records, the
 * header, then one respondent per row. */
#include "import.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/util.h"

/* ---- encoding ---- */

static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        unsigned min;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return 0;
        }
        if (k >= n - i)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* CP932 (Shift_JIS as Windows writes it) into UTF-8; *out is malloc'd. */
static int cp932_to_utf8(const char *in, size_t len, char **out, size_t *outlen)
{
    iconv_t cd = iconv_open("UTF-8", "CP932");
    if (cd == (iconv_t)-1)
        return SURVEY_IMPORT_ENOMEM;
    size_t cap = len * 3 + 1; /* one byte of CP932 never becomes more than three of UTF-8 */
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return SURVEY_IMPORT_ENOMEM;
    }
    char *src = (char *)in, *dst = buf;
    size_t left = len, room = cap - 1;
    size_t rc = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (rc == (size_t)-1) {
        free(buf);
        return SURVEY_IMPORT_EINPUT;
    }
    *dst = '\0';
    *out = buf;
    *outlen = (size_t)(dst - buf);
    return 0;
}

/* ---- RFC 4180 records ---- */

struct csv {
    const char *p, *end;
    size_t row;      /* the record last read; 1 is the header */
    struct buf data; /* the fields of the record, each NUL-terminated */
    size_t off[SURVEY_IMPORT_MAX_COLS + 1];
    int nf;
};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return SURVEY_IMPORT_EINPUT;                                                               \
    } while (0)

static const char *field(const struct csv *c, int i)
{
    return c->data.data + c->off[i];
}

static int field_char(struct csv *c, char ch, size_t start, const char *name, char *err,
                      size_t errlen)
{
    if (ch == '\0')
        FAIL("%s: row %zu: the file holds a NUL byte (is it a text file?)", name, c->row);
    if (c->data.len - start >= SURVEY_IMPORT_MAX_FIELD)
        FAIL("%s: row %zu: field %d is longer than %d bytes", name, c->row, c->nf + 1,
             SURVEY_IMPORT_MAX_FIELD);
    return buf_append(&c->data, &ch, 1) ? SURVEY_IMPORT_ENOMEM : 0;
}

/* Reads one field at c->p; stops before the delimiter. */
static int read_field(struct csv *c, const char *name, char *err, size_t errlen)
{
    size_t start = c->data.len;
    int rc = 0;
    if (c->p < c->end && *c->p == '"') {
        c->p++;
        for (;;) {
            if (c->p == c->end)
                FAIL("%s: row %zu: a quoted field is not closed", name, c->row);
            if (*c->p == '"') {
                if (c->p + 1 < c->end && c->p[1] == '"') {
                    c->p++; /* a doubled quote is one quote */
                } else {
                    c->p++;
                    break;
                }
            }
            if ((rc = field_char(c, *c->p++, start, name, err, errlen)))
                return rc;
        }
        if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
            FAIL("%s: row %zu: text after the closing quote of field %d", name, c->row, c->nf + 1);
    } else {
        while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
            if ((rc = field_char(c, *c->p++, start, name, err, errlen)))
                return rc;
    }
    return buf_append(&c->data, "", 1) ? SURVEY_IMPORT_ENOMEM : 0;
}

/* Reads the next record: 1 when there was one, 0 at the end, or an error code. */
static int csv_next(struct csv *c, const char *name, char *err, size_t errlen)
{
    if (c->p >= c->end)
        return 0;
    c->row++;
    c->data.len = 0;
    c->nf = 0;
    for (;;) {
        if (c->nf == SURVEY_IMPORT_MAX_COLS)
            FAIL("%s: row %zu: more than %d columns", name, c->row, SURVEY_IMPORT_MAX_COLS);
        c->off[c->nf] = c->data.len;
        int rc = read_field(c, name, err, errlen);
        if (rc)
            return rc;
        c->nf++;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        return 1;
    }
}

/* ---- header ---- */

enum col_kind {
    COL_IGNORE,
    COL_ITEM,
    COL_POSITION,
    COL_SEGMENT,
    COL_TEAM,
    COL_TENURE,
    COL_COMMENT
};

struct column {
    enum col_kind kind;
    int item;
    char name[64]; /* as messages quote it: the item ID or the header text */
};

struct importer {
    const survey_questionnaire *q;
    const char *name;
    int skip_invalid;
    struct column col[SURVEY_IMPORT_MAX_COLS];
    int ncol;
    struct survey_import out;
    size_t cap_r, cap_skips, cap_warn;
};

/* Trims ASCII white space and the ideographic space (U+3000) in place. */
static char *trim(char *s)
{
    size_t n = strlen(s);
    for (;;) {
        if (n && strchr(" \t\r\n", s[n - 1]))
            s[--n] = '\0';
        else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
            s[n -= 3] = '\0';
        else
            break;
    }
    for (;;) {
        if (*s && strchr(" \t\r\n", *s))
            s++;
        else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
            s += 3;
        else
            return s;
    }
}

/* Copies at most max bytes of s into out, never cutting a UTF-8 character. */
static void clip(char *out, size_t outlen, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (max > outlen - 1)
        max = outlen - 1;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Grows a malloc'd array by one zeroed slot; NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        void *p = realloc(*arr, nc * size);
        if (!p)
            return NULL;
        *arr = p;
        *cap = nc;
    }
    char *slot = (char *)*arr + (*n)++ * size;
    memset(slot, 0, size);
    return slot;
}

static int warn(struct importer *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int warn(struct importer *im, const char *fmt, ...)
{
    char line[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char *copy = strdup(line);
    char **slot =
        copy ? grow((void **)&im->out.warnings, &im->out.nwarnings, &im->cap_warn, sizeof *slot)
             : NULL;
    if (!slot) {
        free(copy);
        return SURVEY_IMPORT_ENOMEM;
    }
    *slot = copy;
    return 0;
}

static int attr_kind(const survey_questionnaire *q, const char *h)
{
    static const struct {
        const char *name;
        enum col_kind kind;
    } names[] = {
        {"position", COL_POSITION}, {"職種", COL_POSITION},   {"役職", COL_POSITION},
        {"segment", COL_SEGMENT},   {"区分", COL_SEGMENT},    {"team", COL_TEAM},
        {"チーム", COL_TEAM},       {"tenure", COL_TENURE},   {"勤続", COL_TENURE},
        {"勤続年数", COL_TENURE},   {"comment", COL_COMMENT}, {"FC1", COL_COMMENT},
        {"自由記述", COL_COMMENT},
    };
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcasecmp(h, names[i].name) == 0)
            return names[i].kind;
    json_t *c = json_object_get(survey_questionnaire_document(q), "comment");
    const char *cid = json_string_value(json_object_get(c, "id"));
    const char *ctext = json_string_value(json_object_get(c, "text"));
    if ((cid && strcasecmp(h, cid) == 0) || (ctext && strcmp(h, ctext) == 0))
        return COL_COMMENT;
    return COL_IGNORE;
}

/* Maps each header cell to an item or an attribute. */
static int read_header(struct importer *im, struct csv *c, char *err, size_t errlen)
{
    int rc, seen_item[SURVEY_MAX_ITEMS] = {0}, seen_attr[COL_COMMENT + 1] = {0};
    im->ncol = c->nf;
    for (int i = 0; i < c->nf; i++) {
        char *h = trim((char *)field(c, i));
        struct column *col = &im->col[i];
        int item = survey_item_find(im->q, h);
        clip(col->name, sizeof col->name, h, 60);
        if (item >= 0) {
            col->kind = COL_ITEM;
            col->item = item;
            clip(col->name, sizeof col->name, survey_item_id(im->q, item), 60);
            if (seen_item[item]++)
                FAIL("%s: row 1: item \"%s\" has two columns", im->name, col->name);
        } else if ((col->kind = attr_kind(im->q, h)) != COL_IGNORE) {
            if (seen_attr[col->kind]++)
                FAIL("%s: row 1: column \"%s\" names an attribute that already has a column",
                     im->name, col->name);
        } else if (*h && (rc = warn(im,
                                    "column \"%s\" is not an item of the questionnaire or a known "
                                    "attribute; ignored",
                                    col->name))) {
            return rc;
        }
    }
    if (!seen_attr[COL_POSITION])
        FAIL("%s: row 1: no position column (position, 職種 or 役職)", im->name);
    int missing = 0, first = -1;
    for (int k = 0; k < survey_nitems(im->q); k++)
        if (!seen_item[k] && missing++ == 0)
            first = k;
    if (missing && (rc = warn(im,
                              "%d of the questionnaire's %d items have no column (first \"%s\"); "
                              "their answers are blank",
                              missing, survey_nitems(im->q), survey_item_id(im->q, first))))
        return rc;
    return 0;
}

/* ---- rows ---- */

/* Why a cell is bad, or NULL when it is fine. */
static const char *check_text(const char *v, size_t max_bytes, int multiline)
{
    size_t n = strlen(v);
    _Static_assert(SURVEY_ATTR_MAX == 48 && SURVEY_COMMENT_MAX == 2000, "update the messages");
    if (n > max_bytes)
        return multiline ? "is longer than 2000 characters (the limit for a comment)"
                         : "is too long for an attribute (at most 47 bytes, about 15 Japanese "
                           "characters)";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if ((ch < 0x20 && ch != '\t' && !(multiline && (ch == '\n' || ch == '\r'))) || ch == 0x7f)
            return "holds a control character";
    }
    if (multiline && utf8_count(v) > SURVEY_COMMENT_MAX)
        return "is longer than 2000 characters (the limit for a comment)";
    return NULL;
}

/* Line breaks inside a comment become "\n", whatever system wrote the file. */
static void crlf_to_lf(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++)
        if (!(*p == '\r' && p[1] == '\n'))
            *w++ = *p == '\r' ? '\n' : *p;
    *w = '\0';
}

/* Parses one cell into r or comment; returns NULL or why it is bad. */
static const char *parse_cell(struct importer *im, const struct column *col, char *v,
                              struct survey_respondent *r, const char **comment)
{
    enum org_position pos;
    int a;
    switch (col->kind) {
    case COL_ITEM:
        a = survey_answer_parse(im->q, v);
        if (a < 0)
            return "is not 1–6 (or a scale label)";
        r->answers[col->item] = (uint8_t)a;
        return NULL;
    case COL_POSITION:
        if (org_position_parse(trim(v), &pos))
            return "is not a position (OP, SV, MGR, OTHER or a Japanese label)";
        r->position = (uint8_t)pos;
        return NULL;
    case COL_SEGMENT:
    case COL_TEAM:
    case COL_TENURE: {
        v = trim(v);
        const char *why = check_text(v, SURVEY_ATTR_MAX - 1, 0);
        if (why)
            return why;
        char *dst = col->kind == COL_SEGMENT ? r->segment
                    : col->kind == COL_TEAM  ? r->team
                                             : r->tenure;
        str_copy(dst, SURVEY_ATTR_MAX, v);
        return NULL;
    }
    case COL_COMMENT: {
        v = trim(v);
        const char *why = check_text(v, SURVEY_IMPORT_MAX_FIELD, 1);
        if (why)
            return why;
        crlf_to_lf(v);
        *comment = *v ? v : NULL;
        return NULL;
    }
    default:
        return NULL;
    }
}

static int row_is_blank(const struct csv *c)
{
    for (int i = 0; i < c->nf; i++) {
        const char *v = field(c, i);
        if (v[strspn(v, " \t")])
            return 0;
    }
    return 1;
}

/* Reports a bad cell: an error, or a skipped row with skip_invalid. */
static int bad_cell(struct importer *im, size_t row, const char *column, const char *value,
                    const char *why, char *err, size_t errlen)
{
    char shown[48];
    clip(shown, sizeof shown, value, 40);
    if (!im->skip_invalid)
        FAIL("%s: row %zu, column \"%s\": value \"%s\" %s", im->name, row, column, shown, why);
    struct survey_import_skip *sk =
        grow((void **)&im->out.skips, &im->out.nskips, &im->cap_skips, sizeof *sk);
    if (!sk)
        return SURVEY_IMPORT_ENOMEM;
    sk->row = row;
    clip(sk->column, sizeof sk->column, column, 60);
    clip(sk->value, sizeof sk->value, value, 60);
    return 1;
}

/* Reads the current record into a new respondent; 1 when the row was skipped. */
static int read_row(struct importer *im, struct csv *c, char *err, size_t errlen)
{
    struct survey_respondent r;
    memset(&r, 0, sizeof r);
    const char *comment = NULL;
    for (int i = 0; i < c->nf; i++) {
        char *v = (char *)field(c, i);
        if (i >= im->ncol) {
            if (!*trim(v))
                continue;
            char name[32];
            snprintf(name, sizeof name, "(column %d)", i + 1);
            return bad_cell(im, c->row, name, v, "is beyond the columns of the header", err,
                            errlen);
        }
        char shown[SURVEY_IMPORT_MAX_FIELD + 1];
        str_copy(shown, sizeof shown, v);
        const char *why = parse_cell(im, &im->col[i], v, &r, &comment);
        if (why)
            return bad_cell(im, c->row, im->col[i].name, shown, why, err, errlen);
    }
    /* A row without a position cell (a short record) has no position either. */
    int has_pos = 0;
    for (int i = 0; i < im->ncol && i < c->nf; i++)
        has_pos |= im->col[i].kind == COL_POSITION;
    if (!has_pos) {
        int pc = 0;
        while (im->col[pc].kind != COL_POSITION)
            pc++;
        return bad_cell(im, c->row, im->col[pc].name, "",
                        "is not a position (OP, SV, MGR, "
                        "OTHER or a Japanese label)",
                        err, errlen);
    }
    size_t n = im->out.n, cap = im->cap_r;
    struct survey_respondent *slot = grow((void **)&im->out.r, &n, &cap, sizeof *slot);
    char **cslot =
        slot ? grow((void **)&im->out.comments, &im->out.n, &im->cap_r, sizeof *cslot) : NULL;
    if (!cslot)
        return SURVEY_IMPORT_ENOMEM;
    *slot = r;
    if (comment && !(*cslot = strdup(comment)))
        return SURVEY_IMPORT_ENOMEM;
    return 0;
}

static int import_records(struct importer *im, const char *data, size_t len, char *err,
                          size_t errlen)
{
    struct csv c = {.p = data, .end = data + len};
    buf_init(&c.data, 0);
    int rc = csv_next(&c, im->name, err, errlen);
    if (rc == 0) {
        snprintf(err, errlen, "%s: the file is empty (expected a header row)", im->name);
        rc = SURVEY_IMPORT_EINPUT;
    }
    if (rc == 1)
        rc = read_header(im, &c, err, errlen);
    while (rc == 0 && (rc = csv_next(&c, im->name, err, errlen)) == 1) {
        /* Every record counts, blank and skipped ones too: the list of skips is bounded. */
        if (c.row > (size_t)SURVEY_IMPORT_MAX_ROWS + 1) {
            snprintf(err, errlen, "%s: row %zu: more than %d rows in one file", im->name, c.row,
                     SURVEY_IMPORT_MAX_ROWS);
            rc = SURVEY_IMPORT_EINPUT;
            break;
        }
        rc = row_is_blank(&c) ? 0 : read_row(im, &c, err, errlen);
        if (rc == 1)
            rc = 0;
    }
    buf_release(&c.data);
    return rc;
}

int survey_import_buffer(const survey_questionnaire *q, const char *name, const char *data,
                         size_t len, int skip_invalid, struct survey_import *out, char *err,
                         size_t errlen)
{
    if (len > SURVEY_IMPORT_MAX_BYTES)
        FAIL("%s: the file is larger than %u MiB", name, SURVEY_IMPORT_MAX_BYTES >> 20);
    char *converted = NULL;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        len -= 3;
        if (!utf8_valid((const unsigned char *)data, len))
            FAIL("%s: the file starts with a UTF-8 mark but is not UTF-8 text", name);
    } else if (!utf8_valid((const unsigned char *)data, len)) {
        int rc = cp932_to_utf8(data, len, &converted, &len);
        if (rc == SURVEY_IMPORT_ENOMEM) {
            snprintf(err, errlen, "%s: cannot convert from CP932 (out of memory?)", name);
            return rc;
        }
        if (rc)
            FAIL("%s: the file is neither UTF-8 nor CP932 (Shift_JIS) text", name);
        data = converted;
    }
    struct importer *im = calloc(1, sizeof *im);
    if (!im) {
        free(converted);
        snprintf(err, errlen, "out of memory");
        return SURVEY_IMPORT_ENOMEM;
    }
    im->q = q;
    im->name = name;
    im->skip_invalid = skip_invalid;
    int rc = import_records(im, data, len, err, errlen);
    free(converted);
    if (rc == SURVEY_IMPORT_ENOMEM)
        snprintf(err, errlen, "%s: out of memory", name);
    if (rc)
        survey_import_release(&im->out);
    else
        *out = im->out;
    free(im);
    return rc;
}

int survey_import_file(const survey_questionnaire *q, const char *path, int skip_invalid,
                       struct survey_import *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        FAIL("%s: cannot read the file: %s", path, strerror(errno));
    struct buf b;
    buf_init(&b, SURVEY_IMPORT_MAX_BYTES);
    char chunk[65536];
    size_t got;
    int rc = 0;
    while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(&b, chunk, got);
    int bad = ferror(f);
    fclose(f);
    if (rc == BUF_ETOOBIG) {
        buf_release(&b);
        FAIL("%s: the file is larger than %u MiB", path, SURVEY_IMPORT_MAX_BYTES >> 20);
    }
    if (rc || bad) {
        buf_release(&b);
        snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "out of memory");
        return bad ? SURVEY_IMPORT_EINPUT : SURVEY_IMPORT_ENOMEM;
    }
    rc = survey_import_buffer(q, path, b.data ? b.data : "", b.len, skip_invalid, out, err, errlen);
    buf_release(&b);
    return rc;
}

void survey_import_release(struct survey_import *out)
{
    if (!out)
        return;
    for (size_t i = 0; out->comments && i < out->n; i++)
        free(out->comments[i]);
    for (size_t i = 0; i < out->nwarnings; i++)
        free(out->warnings[i]);
    free(out->r);
    free(out->comments);
    free(out->skips);
    free(out->warnings);
    memset(out, 0, sizeof *out);
}
