/* wave: the steps shared by the CLI and the API around a wave — adding it with its
 * questionnaire, storing an import in one transaction, and the import's result as JSON. Calls the
 * store interface only (no SQL here). */
#ifndef IKIIKI_SURVEY_WAVE_H
#define IKIIKI_SURVEY_WAVE_H

#include <jansson.h>
#include <stdint.h>

#include "org/org.h"
#include "store/store.h"
#include "survey/import.h"
#include "survey/survey.h"

/* Adds wave code with q's document, audited as actor from addr. STORE_CONFLICT when the code is
 * taken (asked first, so the message is the same on both backends). */
int survey_wave_create(store *s, const char *code, const survey_questionnaire *q, const char *actor,
                       const char *addr, int64_t *id);

/* A wave as listed to a user: the centers whose answer link is open, among those the user may
 * see (every center for who NULL, the CLI at the console). */
struct survey_wave_info {
    char code[ORG_CODE_MAX];
    int64_t created_at;
    size_t nopen;
    char (*open)[ORG_CODE_MAX]; /* owned */
};
/* Every wave, newest first, into a malloc'd array; free it with survey_wave_list_free. An
 * operator sees the link of their own center only, so that their home can say "answer now". */
int survey_wave_list(store *s, const struct org_principal *who, struct survey_wave_info **out,
                     size_t *n);
void survey_wave_list_free(struct survey_wave_info *w, size_t n);
/* [{"code","created_at","open_centers":[…]}]; a new reference or NULL. */
json_t *survey_wave_list_json(const struct survey_wave_info *w, size_t n);

/* Stores im's respondents for center c in one transaction with an audit line naming source
 * (a file name or "upload"): all rows or none. The day stored is today's in Japan. */
int survey_import_store(store *s, int64_t wave_id, const struct org_center *c, int nitems,
                        const struct survey_import *im, const char *actor, const char *source,
                        const char *addr);

/* {"imported","skipped":[{"row","column","value"}],"warnings":[…]}; a new reference or NULL. */
json_t *survey_import_json(const struct survey_import *im);

/* The comment analysis (survey_comments_json) of one center of a wave, with the word list at
 * words_path (NULL: data/survey/comment_words.tsv) and the process-wide MeCab dictionary. NULL
 * with err set when the list, the dictionary or the store fails, or memory runs out; *bad_input
 * (may be NULL) is set to 1 when the word list is at fault. */
json_t *survey_center_comments(store *s, int64_t wave_id, int64_t center_id, int nitems, int k,
                               const char *words_path, int *bad_input, char *err, size_t errlen);

#endif
