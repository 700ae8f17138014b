/* libFuzzer target for the survey template CSV: any bytes through survey_import_buffer, with and
 * without skip_invalid. Nothing may crash, leak or trip a sanitizer; a refusal must say why, and
 * what is accepted must be in range and NUL-terminated. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "survey/import.h"

static survey_questionnaire *q;

static void check(const struct survey_import *im, int nitems)
{
    for (size_t i = 0; i < im->n; i++) {
        const struct survey_respondent *r = &im->r[i];
        for (int k = 0; k < SURVEY_MAX_ITEMS; k++)
            if (r->answers[k] > SURVEY_SCALE || (k >= nitems && r->answers[k]))
                abort();
        if (r->position >= POS__COUNT || !memchr(r->segment, '\0', sizeof r->segment) ||
            !memchr(r->team, '\0', sizeof r->team) || !memchr(r->tenure, '\0', sizeof r->tenure))
            abort();
        if (!utf8_is_clean(r->segment, strlen(r->segment)) ||
            !utf8_is_clean(r->team, strlen(r->team)) ||
            !utf8_is_clean(r->tenure, strlen(r->tenure)))
            abort();
        const char *c = im->comments[i];
        if (c && !*c)
            abort(); /* an empty comment is NULL */
        /* A comment may hold line breaks; each line must be clean UTF-8. */
        for (size_t len; c && *c; c += len + (c[len] == '\n')) {
            len = strcspn(c, "\n");
            if (!utf8_is_clean(c, len) || (len > 0 && c[len - 1] == '\r'))
                abort();
        }
    }
    for (size_t i = 0; i < im->nskips; i++)
        if (im->skips[i].row < 2)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!q) {
        char path[512], err[600];
        if (data_path("survey/questionnaire.json", path, sizeof path) ||
            survey_questionnaire_load(path, &q, err, sizeof err))
            abort();
    }
    for (int skip = 0; skip < 2; skip++) {
        struct survey_import im = {0};
        char err[600] = "";
        int rc =
            survey_import_buffer(q, "f.csv", (const char *)data, size, skip, &im, err, sizeof err);
        if (rc && err[0] == '\0')
            abort();
        if (rc == 0)
            check(&im, survey_nitems(q));
        survey_import_release(&im);
    }
    return 0;
}
