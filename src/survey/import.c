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
#include "core/ja.h"
#include "core/module.h"
#include "core/util.h"
#include "xlsx_read.h"

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
    char name[64];  /* as a skip lists it: the item ID or the header text ("C (G03)" in XLSX) */
    char shown[96]; /* as an error quotes it: "G03", or "C" (G03) in XLSX */
};

/* The header's first row, kept until the second tells whether it is SurveyMonkey's. */
struct pending {
    struct buf text;
    size_t off[SURVEY_IMPORT_MAX_COLS];
    int n;
    size_t row;
};

struct importer {
    const survey_questionnaire *q;
    const char *name;
    int skip_invalid;
    int xlsx;
    enum survey_import_format format; /* as asked; then as found */
    int state;                        /* 0 before the header, 1 with row 1 pending, 2 after */
    struct pending head;
    size_t header_rows; /* the file row of the header's last row */
    struct column col[SURVEY_IMPORT_MAX_COLS];
    int ncol;
    char *ntext[SURVEY_MAX_ITEMS]; /* NFKC of the item texts, made when first needed */
    char *ncomment;
    int have_ntext;
    struct survey_import out;
    size_t cap_r, cap_skips, cap_warn;
    char *err; /* where a row callback writes its message */
    int cb_rc; /* what take_row returned inside the XLSX reader */
    size_t errlen;
};

#define IFAIL(...)                                                                                 \
    do {                                                                                           \
        snprintf(im->err, im->errlen, __VA_ARGS__);                                                \
        return SURVEY_IMPORT_EINPUT;                                                               \
    } while (0)

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

/* NFKC of s, trimmed; malloc'd (NULL when s is not valid UTF-8 or memory runs out). */
static char *nfkc_trim(const char *s)
{
    char *n;
    if (ja_nfkc(s, strlen(s), &n, NULL))
        return NULL;
    char *t = trim(n); /* NFKC turns U+3000 into a plain space: trim once more */
    memmove(n, t, strlen(t) + 1);
    return n;
}

static int make_ntext(struct importer *im)
{
    if (im->have_ntext)
        return 0;
    for (int i = 0; i < survey_nitems(im->q); i++)
        if (!(im->ntext[i] = nfkc_trim(survey_item_text(im->q, i))))
            return SURVEY_IMPORT_ENOMEM;
    json_t *c = json_object_get(survey_questionnaire_document(im->q), "comment");
    const char *ctext = json_string_value(json_object_get(c, "text"));
    if (ctext && !(im->ncomment = nfkc_trim(ctext)))
        return SURVEY_IMPORT_ENOMEM;
    im->have_ntext = 1;
    return 0;
}

static enum col_kind attr_kind(const survey_questionnaire *q, const char *h, const char *ctext)
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
    if (!ctext)
        ctext = json_string_value(json_object_get(c, "text"));
    if ((cid && strcasecmp(h, cid) == 0) || (ctext && strcmp(h, ctext) == 0))
        return COL_COMMENT;
    return COL_IGNORE;
}

/* The ID that leads a header such as "G01. 仕事を…", "G01 仕事を…" or "【G01】仕事を…" (NFKC
 * already applied, so "［Ｇ０１］" is "[G01]"), copied into id; 0 when there is none. */
static int lead_id(const char *h, char *id, size_t idlen)
{
    static const char *const open[] = {"【", "[", "(", "<", "〔", ""};
    static const char *const close[] = {"】", "]", ")", ">", "〕", ""};
    for (size_t k = 0; k < ARRAY_LEN(open); k++) {
        size_t lo = strlen(open[k]);
        if (strncmp(h, open[k], lo) != 0)
            continue;
        const char *p = h + lo;
        size_t n = 0;
        while (p[n] && n < idlen - 1 &&
               ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z') ||
                (p[n] >= '0' && p[n] <= '9')))
            n++;
        if (n == 0 || n >= idlen - 1)
            continue;
        const char *rest = p + n;
        if (*close[k]) {
            if (strncmp(rest, close[k], strlen(close[k])) != 0)
                continue;
        } else if (*rest && !strchr(".:)-_ \t", *rest) && strncmp(rest, "、", 3) != 0) {
            continue; /* "G01x" or "Good" is not an ID followed by text */
        }
        memcpy(id, p, n);
        id[n] = '\0';
        return 1;
    }
    return 0;
}

/* What a header text names: an item (*item set) or an attribute, else COL_IGNORE. */
static int match_header(struct importer *im, const char *h, enum col_kind *kind, int *item)
{
    *item = survey_item_find(im->q, h);
    if (*item >= 0) {
        *kind = COL_ITEM;
        return 0;
    }
    if ((*kind = attr_kind(im->q, h, NULL)) != COL_IGNORE || !*h)
        return 0;
    int rc = make_ntext(im);
    char *n = rc ? NULL : nfkc_trim(h);
    if (!n)
        return rc ? rc : 0; /* invalid UTF-8 cannot be a header we know */
    for (int i = 0; i < survey_nitems(im->q) && *item < 0; i++)
        if (strcmp(n, im->ntext[i]) == 0)
            *item = i;
    char id[16];
    if (*item < 0 && (*kind = attr_kind(im->q, n, im->ncomment)) == COL_IGNORE &&
        lead_id(n, id, sizeof id)) {
        *item = survey_item_find(im->q, id);
        if (*item < 0)
            *kind = attr_kind(im->q, id, NULL) == COL_COMMENT ? COL_COMMENT : COL_IGNORE;
    }
    if (*item >= 0)
        *kind = COL_ITEM;
    free(n);
    return 0;
}

/* ---- the survey tools' own columns ---- */

/* A header as the lists below spell it: NFKC, ASCII lower case, no spaces. */
static void meta_key(const char *h, char *out, size_t outlen)
{
    char *n = nfkc_trim(h);
    size_t k = 0;
    for (const char *p = n ? n : ""; *p && k + 1 < outlen; p++)
        if (*p != ' ' && *p != '\t')
            out[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
    out[k] = '\0';
    free(n);
}

static int in_list(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, list[i]) == 0)
            return 1;
    return 0;
}

/* SurveyMonkey's columns about the respondent, in English and in its Japanese interface. */
static int sm_meta(const char *h)
{
    static const char *const names[] = {
        "respondentid", "collectorid",    "startdate", "enddate",      "ipaddress", "emailaddress",
        "firstname",    "lastname",       "回答者id",  "コレクターid", "開始日",    "終了日",
        "ipアドレス",   "メールアドレス", "名",        "姓",
    };
    char key[128];
    meta_key(h, key, sizeof key);
    /* Custom Data 1, 2 … may hold anything the collector attached, e.g. an employee number. */
    if (strncmp(key, "customdata", 10) == 0 || strncmp(key, "カスタムデータ", 21) == 0)
        return 1;
    return in_list(key, names, ARRAY_LEN(names));
}

/* Microsoft Forms' columns about the respondent, in Japanese and in English. */
static int forms_meta(const char *h)
{
    static const char *const names[] = {
        "id",    "開始時刻",     "完了時刻",         "メール",
        "名前",  "最終変更時刻", "starttime",        "completiontime",
        "email", "name",         "lastmodifiedtime",
    };
    char key[128];
    meta_key(h, key, sizeof key);
    return in_list(key, names, ARRAY_LEN(names));
}

/* The time columns that only a Forms export has: enough to tell one saved as CSV. */
static int forms_time(const char *h)
{
    static const char *const names[] = {"開始時刻", "完了時刻", "starttime", "completiontime"};
    char key[128];
    meta_key(h, key, sizeof key);
    return in_list(key, names, ARRAY_LEN(names));
}

/* Row 2 cells SurveyMonkey writes under a plain question. */
static int sm_marker(const char *h)
{
    static const char *const names[] = {"response", "open-endedresponse", "回答", "自由回答",
                                        "自由形式の回答"};
    char key[128];
    meta_key(h, key, sizeof key);
    return in_list(key, names, ARRAY_LEN(names));
}

/* ---- header ---- */

static void col_label(struct importer *im, int i, const char *name)
{
    struct column *col = &im->col[i];
    clip(col->name, sizeof col->name, name, 60);
    if (im->xlsx) {
        char letters[4];
        xlsx_col_name(i, letters);
        snprintf(col->shown, sizeof col->shown, "\"%s\" (%s)", letters, col->name);
        char both[80];
        snprintf(both, sizeof both, "%s (%s)", letters, col->name);
        clip(col->name, sizeof col->name, both, 60);
    } else {
        snprintf(col->shown, sizeof col->shown, "\"%s\"", col->name);
    }
}

/* Maps column i, named by h (and, in SurveyMonkey's layout, h2 under it), to an item or an
 * attribute; seen_* catch two columns for one thing. */
static int header_cell(struct importer *im, int i, char *h, const char *h2, int *seen_item,
                       int *seen_attr)
{
    struct column *col = &im->col[i];
    enum col_kind kind;
    int item, rc;
    const char *name = h;
    char joined[200];
    if (h2 && *h2) {
        /* A matrix: the row's text names the item; the question above is only context. */
        if ((rc = match_header(im, h2, &kind, &item)))
            return rc;
        snprintf(joined, sizeof joined, "%s / %s", h, h2);
        name = *h ? joined : h2;
    } else if ((rc = match_header(im, h, &kind, &item))) {
        return rc;
    }
    col->kind = kind;
    col_label(im, i, kind == COL_ITEM ? survey_item_id(im->q, item) : name);
    if (kind == COL_ITEM) {
        col->item = item;
        if (seen_item[item]++)
            IFAIL("%s: row %zu: item \"%s\" has two columns", im->name, im->header_rows,
                  survey_item_id(im->q, item));
    } else if (kind != COL_IGNORE) {
        if (seen_attr[kind]++)
            IFAIL("%s: row %zu: column %s names an attribute that already has a column", im->name,
                  im->header_rows, col->shown);
    } else if (*name) {
        return warn(im,
                    "column %s is not an item of the questionnaire or a known attribute; "
                    "ignored",
                    col->shown);
    }
    return 0;
}

/* Whether a column is one of the tool's own about the respondent: dropped without a word. */
static int meta_column(const struct importer *im, const char *h1)
{
    if (im->format == SURVEY_FORMAT_SURVEYMONKEY)
        return sm_meta(h1);
    if (im->format == SURVEY_FORMAT_FORMS)
        return forms_meta(h1);
    return 0;
}

/* Maps every column of the header (h1, and h2 in SurveyMonkey's layout). */
static int read_header(struct importer *im, char **h1, int n1, char **h2, int n2)
{
    int rc, seen_item[SURVEY_MAX_ITEMS] = {0}, seen_attr[COL_COMMENT + 1] = {0};
    const char *carry = ""; /* SurveyMonkey names a matrix once, then leaves cells blank */
    im->ncol = n1 > n2 ? n1 : n2;
    for (int i = 0; i < im->ncol; i++) {
        char *h = i < n1 ? trim(h1[i]) : (char *)"";
        const char *sub = i < n2 ? trim(h2[i]) : "";
        memset(&im->col[i], 0, sizeof im->col[i]);
        if (*h)
            carry = h;
        if (*h && meta_column(im, h) && !*sub)
            continue;
        if (h2 && sm_marker(sub))
            sub = "";
        if (h2 && !*h && *sub)
            h = (char *)carry;
        if ((rc = header_cell(im, i, h, h2 ? sub : NULL, seen_item, seen_attr)))
            return rc;
    }
    if (!seen_attr[COL_POSITION])
        IFAIL("%s: row %zu: no position column (position, 職種 or 役職)", im->name,
              im->header_rows);
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

static int row_is_blank(char **cells, int n)
{
    for (int i = 0; i < n; i++) {
        const char *v = cells[i];
        if (v[strspn(v, " \t")])
            return 0;
    }
    return 1;
}

/* Reports a bad cell: an error, or a skipped row with skip_invalid. */
static int bad_cell(struct importer *im, size_t row, const struct column *col, const char *value,
                    const char *why)
{
    char shown[48];
    clip(shown, sizeof shown, value, 40);
    if (!im->skip_invalid)
        IFAIL("%s: row %zu, column %s: value \"%s\" %s", im->name, row, col->shown, shown, why);
    struct survey_import_skip *sk =
        grow((void **)&im->out.skips, &im->out.nskips, &im->cap_skips, sizeof *sk);
    if (!sk)
        return SURVEY_IMPORT_ENOMEM;
    sk->row = row;
    clip(sk->column, sizeof sk->column, col->name, 60);
    clip(sk->value, sizeof sk->value, value, 60);
    return 1;
}

/* Reads one data row into a new respondent; 1 when the row was skipped. */
static int read_row(struct importer *im, size_t row, char **cells, int n)
{
    struct survey_respondent r;
    memset(&r, 0, sizeof r);
    const char *comment = NULL;
    for (int i = 0; i < n; i++) {
        char *v = cells[i];
        if (i >= im->ncol) {
            if (!*trim(v))
                continue;
            struct column beyond = {0};
            char name[32];
            if (im->xlsx)
                xlsx_col_name(i, name);
            else
                snprintf(name, sizeof name, "(column %d)", i + 1);
            clip(beyond.name, sizeof beyond.name, name, 60);
            snprintf(beyond.shown, sizeof beyond.shown, "\"%s\"", name);
            return bad_cell(im, row, &beyond, v, "is beyond the columns of the header");
        }
        if (im->col[i].kind == COL_IGNORE)
            continue;
        char shown[SURVEY_IMPORT_MAX_FIELD + 1];
        str_copy(shown, sizeof shown, v);
        const char *why = parse_cell(im, &im->col[i], v, &r, &comment);
        if (why)
            return bad_cell(im, row, &im->col[i], shown, why);
    }
    /* A row without a position cell (a short record) has no position either. */
    int has_pos = 0;
    for (int i = 0; i < im->ncol && i < n; i++)
        has_pos |= im->col[i].kind == COL_POSITION;
    if (!has_pos) {
        int pc = 0;
        while (im->col[pc].kind != COL_POSITION)
            pc++;
        return bad_cell(im, row, &im->col[pc], "",
                        "is not a position (OP, SV, MGR, OTHER or a Japanese label)");
    }
    size_t nr = im->out.n, cap = im->cap_r;
    struct survey_respondent *slot = grow((void **)&im->out.r, &nr, &cap, sizeof *slot);
    char **cslot =
        slot ? grow((void **)&im->out.comments, &im->out.n, &im->cap_r, sizeof *cslot) : NULL;
    if (!cslot)
        return SURVEY_IMPORT_ENOMEM;
    *slot = r;
    if (comment && !(*cslot = strdup(comment)))
        return SURVEY_IMPORT_ENOMEM;
    return 0;
}

/* ---- one path for every source: rows in, header first ---- */

static int keep_first_row(struct importer *im, size_t row, char **cells, int n)
{
    struct pending *h = &im->head;
    h->row = row;
    h->n = n;
    for (int i = 0; i < n; i++) {
        h->off[i] = h->text.len;
        if (buf_append(&h->text, cells[i], strlen(cells[i]) + 1))
            return SURVEY_IMPORT_ENOMEM;
    }
    return 0;
}

static int any_cell(char **cells, int n, int (*pred)(const char *))
{
    for (int i = 0; i < n; i++)
        if (pred(cells[i]))
            return 1;
    return 0;
}

/* Reads the header from the kept first row, with row2 under it in SurveyMonkey's layout. */
static int header_from_pending(struct importer *im, char **row2, int n2)
{
    char *h1[SURVEY_IMPORT_MAX_COLS];
    for (int i = 0; i < im->head.n; i++)
        h1[i] = im->head.text.data + im->head.off[i];
    im->state = 2;
    return read_header(im, h1, im->head.n, row2, n2);
}

/* The first row: the header, or its first half when the layout may be SurveyMonkey's. */
static int first_row(struct importer *im, size_t row, char **cells, int n)
{
    im->header_rows = row;
    if (im->format == SURVEY_FORMAT_AUTO) {
        if (any_cell(cells, n, sm_meta))
            im->format = SURVEY_FORMAT_SURVEYMONKEY;
        else if (im->xlsx || any_cell(cells, n, forms_time))
            im->format = SURVEY_FORMAT_FORMS;
    }
    if (im->format == SURVEY_FORMAT_TEMPLATE || im->format == SURVEY_FORMAT_FORMS) {
        im->state = 2;
        return read_header(im, cells, n, NULL, 0);
    }
    im->state = 1;
    return keep_first_row(im, row, cells, n);
}

/* Takes one row of the file, whatever it came from: row is its number in the file. */
static int take_row(struct importer *im, size_t row, char **cells, int n)
{
    int rc;
    if (im->state == 0)
        return first_row(im, row, cells, n);
    if (im->state == 1) {
        if (im->format == SURVEY_FORMAT_SURVEYMONKEY || any_cell(cells, n, sm_marker)) {
            im->format = SURVEY_FORMAT_SURVEYMONKEY;
            im->header_rows = row;
            return header_from_pending(im, cells, n);
        }
        im->format = SURVEY_FORMAT_TEMPLATE;
        if ((rc = header_from_pending(im, NULL, 0)))
            return rc;
    }
    /* Every row counts, blank and skipped ones too: the list of skips is bounded. */
    if (row - im->header_rows > (size_t)SURVEY_IMPORT_MAX_ROWS)
        IFAIL("%s: row %zu: more than %d rows in one file", im->name, row, SURVEY_IMPORT_MAX_ROWS);
    if (row_is_blank(cells, n))
        return 0;
    rc = read_row(im, row, cells, n);
    return rc == 1 ? 0 : rc;
}

/* After the last row: a file that held only (the first row of) a header. */
static int finish(struct importer *im)
{
    if (im->state == 0)
        IFAIL("%s: the file is empty (expected a header row)", im->name);
    if (im->state == 1) {
        if (im->format == SURVEY_FORMAT_AUTO)
            im->format = SURVEY_FORMAT_TEMPLATE;
        return header_from_pending(im, NULL, 0);
    }
    return 0;
}

static int import_csv(struct importer *im, const char *data, size_t len)
{
    struct csv c = {.p = data, .end = data + len};
    buf_init(&c.data, 0);
    char *cells[SURVEY_IMPORT_MAX_COLS];
    int rc;
    while ((rc = csv_next(&c, im->name, im->err, im->errlen)) == 1) {
        for (int i = 0; i < c.nf; i++)
            cells[i] = (char *)field(&c, i);
        if ((rc = take_row(im, c.row, cells, c.nf)))
            break;
    }
    buf_release(&c.data);
    return rc ? rc : finish(im);
}

/* The reader hands back what the callback returned; 1 says "see cb_rc", apart from its own. */
static int xlsx_row(void *ctx, size_t row, char **cells, int n)
{
    struct importer *im = ctx;
    im->cb_rc = take_row(im, row, cells, n);
    return im->cb_rc ? 1 : 0;
}

static int import_xlsx(struct importer *im, const char *data, size_t len)
{
    struct xlsx_limits lim = {
        .max_cols = SURVEY_IMPORT_MAX_COLS,
        .max_string = SURVEY_IMPORT_MAX_FIELD,
        .max_part_bytes = SURVEY_IMPORT_MAX_BYTES / 2,
    };
    char why[400];
    /* The reader is a module (libzip, expat): only an XLSX import loads it. */
    __typeof__(xlsx_read) *read =
        (__typeof__(xlsx_read) *)module_sym("xlsx", "xlsx_read", why, sizeof why);
    if (!read) {
        snprintf(im->err, im->errlen, "%s: %s", im->name, why);
        return SURVEY_IMPORT_ENOMEM;
    }
    int rc = read(data, len, &lim, xlsx_row, im, why, sizeof why);
    if (rc == 1)
        return im->cb_rc;
    if (rc) {
        snprintf(im->err, im->errlen, "%s: %s", im->name, why);
        return rc == XLSX_ENOMEM ? SURVEY_IMPORT_ENOMEM : SURVEY_IMPORT_EINPUT;
    }
    return finish(im);
}

/* UTF-8 text to read: data itself, without a BOM, or converted from CP932 into *converted. */
static int decode_text(const char *name, const char **data, size_t *len, char **converted,
                       char *err, size_t errlen)
{
    if (*len >= 3 && memcmp(*data, "\xef\xbb\xbf", 3) == 0) {
        *data += 3;
        *len -= 3;
        if (!utf8_valid((const unsigned char *)*data, *len))
            FAIL("%s: the file starts with a UTF-8 mark but is not UTF-8 text", name);
    } else if (!utf8_valid((const unsigned char *)*data, *len)) {
        int rc = cp932_to_utf8(*data, *len, converted, len);
        if (rc == SURVEY_IMPORT_ENOMEM) {
            snprintf(err, errlen, "%s: cannot convert from CP932 (out of memory?)", name);
            return rc;
        }
        if (rc)
            FAIL("%s: the file is neither UTF-8 nor CP932 (Shift_JIS) text", name);
        *data = *converted;
    }
    return 0;
}

static void importer_free(struct importer *im)
{
    for (int i = 0; i < SURVEY_MAX_ITEMS; i++)
        free(im->ntext[i]);
    free(im->ncomment);
    buf_release(&im->head.text);
    free(im);
}

int survey_import_read(const survey_questionnaire *q, const char *name, const char *data,
                       size_t len, const struct survey_import_opts *opts, struct survey_import *out,
                       char *err, size_t errlen)
{
    if (len > SURVEY_IMPORT_MAX_BYTES)
        FAIL("%s: the file is larger than %u MiB", name, SURVEY_IMPORT_MAX_BYTES >> 20);
    int xlsx = len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
    char *converted = NULL;
    int rc = xlsx ? 0 : decode_text(name, &data, &len, &converted, err, errlen);
    if (rc)
        return rc;
    struct importer *im = calloc(1, sizeof *im);
    if (!im) {
        free(converted);
        snprintf(err, errlen, "out of memory");
        return SURVEY_IMPORT_ENOMEM;
    }
    im->q = q;
    im->name = name;
    im->skip_invalid = opts ? opts->skip_invalid : 0;
    im->format = opts ? opts->format : SURVEY_FORMAT_AUTO;
    im->xlsx = xlsx;
    im->err = err;
    im->errlen = errlen;
    buf_init(&im->head.text, 0);
    rc = xlsx ? import_xlsx(im, data, len) : import_csv(im, data, len);
    free(converted);
    if (rc == SURVEY_IMPORT_ENOMEM)
        snprintf(err, errlen, "%s: out of memory", name);
    if (rc) {
        survey_import_release(&im->out);
    } else {
        im->out.format = im->format;
        im->out.xlsx = xlsx;
        *out = im->out;
    }
    importer_free(im);
    return rc;
}

int survey_import_read_file(const survey_questionnaire *q, const char *path,
                            const struct survey_import_opts *opts, struct survey_import *out,
                            char *err, size_t errlen)
{
    struct buf b;
    buf_init(&b, SURVEY_IMPORT_MAX_BYTES);
    int rc = buf_read_file(&b, path);
    if (rc) {
        int e = errno;
        buf_release(&b);
        if (rc == BUF_ETOOBIG)
            FAIL("%s: the file is larger than %u MiB", path, SURVEY_IMPORT_MAX_BYTES >> 20);
        if (rc == BUF_ENOMEM) {
            snprintf(err, errlen, "%s: out of memory", path);
            return SURVEY_IMPORT_ENOMEM;
        }
        FAIL("%s: cannot read the file: %s", path, strerror(e));
    }
    rc = survey_import_read(q, path, b.data ? b.data : "", b.len, opts, out, err, errlen);
    buf_release(&b);
    return rc;
}

int survey_import_buffer(const survey_questionnaire *q, const char *name, const char *data,
                         size_t len, int skip_invalid, struct survey_import *out, char *err,
                         size_t errlen)
{
    struct survey_import_opts o = {SURVEY_FORMAT_AUTO, skip_invalid};
    return survey_import_read(q, name, data, len, &o, out, err, errlen);
}

int survey_import_file(const survey_questionnaire *q, const char *path, int skip_invalid,
                       struct survey_import *out, char *err, size_t errlen)
{
    struct survey_import_opts o = {SURVEY_FORMAT_AUTO, skip_invalid};
    return survey_import_read_file(q, path, &o, out, err, errlen);
}

static const char *const format_names[] = {"auto", "template", "surveymonkey", "forms"};

int survey_import_format_parse(const char *s, enum survey_import_format *out)
{
    for (size_t i = 0; i < ARRAY_LEN(format_names); i++)
        if (s && strcasecmp(s, format_names[i]) == 0) {
            *out = (enum survey_import_format)i;
            return 0;
        }
    return -1;
}

const char *survey_import_format_name(enum survey_import_format f)
{
    return (unsigned)f < ARRAY_LEN(format_names) ? format_names[f] : "?";
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
