/* export: the results of one center as a 診断結果一覧 table — one row per scale item (ID,
 * element, question), then one row per element (the pooled element score); columns are the
 * center's total, each segment (正社員, 契約社員, …), the other-center average and the HPB.
 * Written as an XLSX workbook or as CSV (UTF-8 with BOM, or CP932). Nothing here prints or
 * exits; the file appears whole (written beside the target and renamed) or not at all. */
#ifndef IKIIKI_SURVEY_EXPORT_H
#define IKIIKI_SURVEY_EXPORT_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "survey/survey.h"

/* Error codes (0 is success). */
#define SURVEY_EXPORT_EIO      IK_EFAIL  /* the file could not be written (err names it) */
#define SURVEY_EXPORT_ENCODING IK_EILSEQ /* a cell cannot be held in CP932 (err names the cell) */
#define SURVEY_EXPORT_ENOMEM   IK_ENOMEM
#define SURVEY_EXPORT_EINPUT   IK_EINVAL /* center is not one center of survey_score_json */

/* A cell's text, its size limit: longer question texts are not real questionnaires. */
#define SURVEY_EXPORT_CELL_MAX 1024

enum survey_export_encoding { SURVEY_EXPORT_UTF8, SURVEY_EXPORT_CP932 };

/* center is one element of survey_score_json's "centers" (borrowed, not changed); q is the
 * questionnaire the wave was scored with (borrowed). A percent value in the CSV is written with
 * one decimal ("72.5"), a null or suppressed figure as "—"; fields are quoted as RFC 4180 asks
 * (CRLF line ends). */
int survey_export_csv(const survey_questionnaire *q, json_t *center, const char *path,
                      enum survey_export_encoding enc, char *err, size_t errlen);
/* The same table as sheet "診断結果一覧": percent number format, a fill on a total or segment
 * cell below that row's other-center average, the header row frozen. */
int survey_export_xlsx(const survey_questionnaire *q, json_t *center, const char *path, char *err,
                       size_t errlen);

#endif
