/* survey: Well-being診断 — the anonymous staff survey. A questionnaire (data/survey/
 * questionnaire.json) lists the items; a wave is one run of the survey; a respondent's answers
 * are one packed record (one byte per scale item), so scoring a wave reads little and computes
 * in memory. Respondents have no accounts and no identity. */
#ifndef IKIIKI_SURVEY_H
#define IKIIKI_SURVEY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "org/org.h"

#define SURVEY_MAX_ITEMS   64 /* scale items of one questionnaire */
#define SURVEY_SCALE       6  /* answers 1–6; 0 = blank */
#define SURVEY_ATTR_MAX    48 /* segment, team, tenure texts */
#define SURVEY_COMMENT_MAX 2000
#define SURVEY_K_DEFAULT   5 /* groups smaller than k show no figures */
#define SURVEY_K_COMMENTS  10

/* Respondent attributes that results are grouped by. */
enum survey_attr { ATTR_POSITION, ATTR_SEGMENT, ATTR_TEAM, ATTR_TENURE, ATTR__COUNT };

typedef struct survey_questionnaire survey_questionnaire;

/* Loads and checks a questionnaire; err names the file and the field. */
int survey_questionnaire_load(const char *path, survey_questionnaire **out, char *err,
                              size_t errlen);
/* The same from JSON (the questionnaire keeps its own reference to root). */
int survey_questionnaire_from_json(json_t *root, survey_questionnaire **out, char *err,
                                   size_t errlen);
void survey_questionnaire_free(survey_questionnaire *q);
json_t *survey_questionnaire_document(const survey_questionnaire *q); /* borrowed */

/* Scale items in questionnaire order (the free comment is not a scale item). */
int survey_nitems(const survey_questionnaire *q);
const char *survey_item_id(const survey_questionnaire *q, int item);   /* "G01" */
const char *survey_item_text(const survey_questionnaire *q, int item); /* the question */
/* The element an item belongs to: growth, recognition, team, agency, trust, workplace, worklife,
 * or "overall" (O01–O07) and "happiness" (H01). */
const char *survey_item_element(const survey_questionnaire *q, int item);
/* The item for an ID ("G01", any case) or, after trimming, its exact question text; -1 if none. */
int survey_item_find(const survey_questionnaire *q, const char *id_or_text);
/* The seven elements, in order, with their Japanese names. */
int survey_nelements(const survey_questionnaire *q);
const char *survey_element_code(const survey_questionnaire *q, int e);
const char *survey_element_name(const survey_questionnaire *q, int e);
/* An answer as the CSV may hold it: "1"–"6" or the scale's Japanese label (e.g. "とてもそう思う",
 * also full-width digits "４"); 0 for an empty cell; -1 when it is neither. */
int survey_answer_parse(const survey_questionnaire *q, const char *cell);

/* One respondent. answers[i] is the answer to scale item i (0 = blank). */
struct survey_respondent {
    uint8_t answers[SURVEY_MAX_ITEMS];
    uint8_t position; /* enum org_position */
    char segment[SURVEY_ATTR_MAX];
    char team[SURVEY_ATTR_MAX];
    char tenure[SURVEY_ATTR_MAX];
};

/* A center's respondents in one wave, with its enrolled headcount (for response rates and the
 * award rules). The arrays are borrowed. */
struct survey_center_data {
    char center[ORG_CODE_MAX];
    int64_t operators_enrolled;
    int64_t staff_enrolled;
    const struct survey_respondent *r;
    size_t n;
};

#endif
