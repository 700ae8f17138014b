/* survey import: the project's template CSV into respondents. A header row names the columns:
 * item IDs ("G01") or the exact question texts, and the attributes position (職種/役職),
 * segment (区分), team (チーム), tenure (勤続) and comment (FC1/自由記述). Cells hold 1–6 or the
 * scale's Japanese labels. The file may be UTF-8 (with or without a BOM) or CP932; quoting
 * follows RFC 4180. Pure logic: nothing is stored or printed here. */
#ifndef IKIIKI_SURVEY_IMPORT_H
#define IKIIKI_SURVEY_IMPORT_H

#include <stddef.h>

#include "survey.h"

/* Hard limits on outside input. */
#define SURVEY_IMPORT_MAX_BYTES (512u * 1024 * 1024)
#define SURVEY_IMPORT_MAX_FIELD 4000
#define SURVEY_IMPORT_MAX_ROWS  2000000
#define SURVEY_IMPORT_MAX_COLS  256

enum {
    SURVEY_IMPORT_EINPUT = -1, /* the file is wrong; err says where */
    SURVEY_IMPORT_ENOMEM = -2, /* out of memory, or the system cannot convert CP932 */
};

/* A row left out with skip_invalid: the first bad cell of it. */
struct survey_import_skip {
    size_t row; /* 1 is the header row */
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
};

/* Reads the CSV in data[0..len) (name is used in messages, usually the file name). On a bad
 * value returns SURVEY_IMPORT_EINPUT with err like
 *   FILE: row 4, column "G03": value "7" is not 1–6 (or a scale label)
 * and out untouched; with skip_invalid, bad rows are left out and listed in out->skips instead.
 * A missing position column, a bad header or a file over the limits is always an error. */
int survey_import_buffer(const survey_questionnaire *q, const char *name, const char *data,
                         size_t len, int skip_invalid, struct survey_import *out, char *err,
                         size_t errlen);
/* The same for a file (read whole, at most SURVEY_IMPORT_MAX_BYTES). */
int survey_import_file(const survey_questionnaire *q, const char *path, int skip_invalid,
                       struct survey_import *out, char *err, size_t errlen);
/* Frees what out owns and zeroes it; a zeroed struct is fine. */
void survey_import_release(struct survey_import *out);

#endif
