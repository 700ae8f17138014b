/* survey_pdf: the Well-being診断 report of one center as a PDF (cairo + pango, Noto Sans CJK):
 * the seven elements as a bar chart against the other-center average and the HPB, strengths and
 * issues, every item in a table (cells below the other-center average marked), the key drivers
 * of O01 and what the comments talk about. Suppressed figures are shown as "—"; comment texts
 * are never printed (a report travels further than the system). Nothing here prints or exits;
 * the file appears whole (written beside the target and renamed) or not at all. */
#ifndef IKIIKI_REPORT_SURVEY_PDF_H
#define IKIIKI_REPORT_SURVEY_PDF_H

#include <jansson.h>
#include <stddef.h>

#include "survey/survey.h"

struct report_survey {
    const char *wave;
    const char *center;      /* code */
    const char *center_name; /* may be NULL */
    const char *date;        /* the day the report was made, "2026-11-23" */
    const survey_questionnaire *q;
    json_t *score;    /* one element of survey_score_json's "centers" (borrowed) */
    json_t *drivers;  /* survey_drivers_json's result, or NULL */
    json_t *comments; /* survey_comments_json's result, or NULL */
};

/* Writes the report to path. Returns 0, or -1 with err naming the file or the missing part. */
int report_survey_pdf(const struct report_survey *in, const char *path, char *err, size_t errlen);

#endif
