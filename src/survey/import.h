/* survey import: answers into respondents from three layouts — the project's template CSV, a
 * SurveyMonkey CSV export and a Microsoft Forms XLSX export. A header names the columns: item
 * IDs ("G01"), the question texts (compared after NFKC and trimming, so full-width letters and
 * spaces do not matter), or a text led by the ID ("G01. …", "【G01】…"), and the attributes
 * position (職種/役職), segment (区分), team (チーム), tenure (勤続) and comment (FC1/自由記述).
 * Cells hold 1–6 or the scale's Japanese labels. A CSV may be UTF-8 (with or without a BOM) or
 * CP932; quoting follows RFC 4180. A file that starts with the zip mark is read as XLSX (its
 * first sheet). The columns the survey tools add about the respondent — SurveyMonkey's
 * respondent and collector IDs, dates, IP and e-mail addresses, names, custom data; Forms' ID,
 * times, e-mail and name — are dropped without a word: the survey is anonymous, so they are never
 * kept. Pure logic: nothing is stored or printed here. */
#ifndef IKIIKI_SURVEY_IMPORT_H
#define IKIIKI_SURVEY_IMPORT_H

#include <stddef.h>

#include "core/err.h"
#include "survey.h"

/* Hard limits on outside input. */
#define SURVEY_IMPORT_MAX_BYTES (512u * 1024 * 1024)
#define SURVEY_IMPORT_MAX_FIELD 8192 /* a 2,000-character Japanese comment is up to 6,000 bytes */
#define SURVEY_IMPORT_MAX_ROWS  2000000
#define SURVEY_IMPORT_MAX_COLS  256

enum {
    SURVEY_IMPORT_EINPUT = IK_EINVAL, /* the file is wrong; err says where */
    SURVEY_IMPORT_ENOMEM = IK_ENOMEM, /* out of memory, or the system cannot convert CP932 */
};

/* The layout of a file: chosen by its content (AUTO) or forced. */
enum survey_import_format {
    SURVEY_FORMAT_AUTO,
    SURVEY_FORMAT_TEMPLATE,     /* one header row */
    SURVEY_FORMAT_SURVEYMONKEY, /* two header rows: question, then "Response" or the matrix row */
    SURVEY_FORMAT_FORMS,        /* one header row; Forms' own columns dropped */
};

/* "template", "surveymonkey", "forms" (and "auto"); 0, or -1 for another name. */
int survey_import_format_parse(const char *s, enum survey_import_format *out);
const char *survey_import_format_name(enum survey_import_format f);

struct survey_import_opts {
    enum survey_import_format format;
    int skip_invalid;
};

/* A row left out with skip_invalid: the first bad cell of it. */
struct survey_import_skip {
    size_t row; /* the file's own row number: 1 is the (first) header row */
    char column[64];
    char value[64]; /* cut to fit at a character boundary */
};

/* The result. Everything is malloc'd and owned by the struct; survey_import_release frees it. */
struct survey_import {
    struct survey_respondent *r;
    char **comments; /* comments[i] belongs to r[i]; NULL when the cell was empty */
    size_t n;
    struct survey_import_skip *skips;
    size_t nskips;
    char **warnings; /* one line each, e.g. column "備考" is not …; ignored */
    size_t nwarnings;
    enum survey_import_format format; /* the layout found (never AUTO) */
    int xlsx;                         /* 1 when the file was a workbook */
};

/* Reads the file in data[0..len) (borrowed; name is used in messages, usually the file name).
 * On a bad value returns SURVEY_IMPORT_EINPUT with err like
 *   FILE: row 4, column "G03": value "7" is not 1–6 (or a scale label)
 *   FILE: row 4, column "C" (G03): value "7" is not 1–6 (or a scale label)      (XLSX)
 * and out untouched; with skip_invalid, bad rows are left out and listed in out->skips instead.
 * A missing position column, a bad header or a file over the limits is always an error.
 * opts may be NULL (AUTO, no skipping). */
int survey_import_read(const survey_questionnaire *q, const char *name, const char *data,
                       size_t len, const struct survey_import_opts *opts, struct survey_import *out,
                       char *err, size_t errlen);
/* The same for a file (read whole, at most SURVEY_IMPORT_MAX_BYTES). */
int survey_import_read_file(const survey_questionnaire *q, const char *path,
                            const struct survey_import_opts *opts, struct survey_import *out,
                            char *err, size_t errlen);
/* survey_import_read with AUTO and skip_invalid, for callers that need no more. */
int survey_import_buffer(const survey_questionnaire *q, const char *name, const char *data,
                         size_t len, int skip_invalid, struct survey_import *out, char *err,
                         size_t errlen);
int survey_import_file(const survey_questionnaire *q, const char *path, int skip_invalid,
                       struct survey_import *out, char *err, size_t errlen);
/* Frees what out owns and zeroes it; a zeroed struct is fine. */
void survey_import_release(struct survey_import *out);

#endif
