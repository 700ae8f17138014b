/* wave: the steps shared by the CLI and the API around a wave — adding it with its
 * questionnaire, storing an import in one transaction, and the import's result as JSON. Calls the
 * store interface only (no SQL here). */
#ifndef IKIIKI_SURVEY_WAVE_H
#define IKIIKI_SURVEY_WAVE_H

#include <jansson.h>
#include <stdint.h>

#include "org/org.h"
#include "store/store.h"
#include "survey/disclose.h"
#include "survey/import.h"
#include "survey/survey.h"

/* Adds wave code with q's document, audited as actor from addr. STORE_CONFLICT when the code is
 * taken (asked first, so the message is the same on both backends). */
int survey_wave_create(store *s, const char *code, const survey_questionnaire *q, const char *actor,
                       const char *addr, int64_t *id);

/* Stores im's respondents for center c in one transaction with an audit line naming source
 * (a file name or "upload"): all rows or none. The day stored is today's in Japan. The import
 * is then published when the rules allow (survey_publish); *pub (may be NULL) says whether. */
struct survey_publication;
int survey_import_store(store *s, int64_t wave_id, const struct org_center *c, int nitems,
                        const struct survey_import *im, const char *actor, const char *source,
                        const char *addr, struct survey_publication *pub);

/* The rules for an output (disclose.h) from the installation's k in the store, raised to
 * requested_k when that is larger (requested_k < 1: not asked). */
int survey_rules_load(store *s, int requested_k, struct survey_rules *R);
/* The least group that shows comment terms: the installation's comment k, raised likewise. */
int survey_k_comments_load(store *s, int requested_k, int *k);
/* Sets the installation's k and comment k (0 leaves one as it is), audited. STORE_ERROR with a
 * message when a value is outside SURVEY_K_MIN..SURVEY_K_MAX. */
int survey_settings_set(store *s, int k, int k_comments, const char *actor, const char *addr);

/* The outcome of survey_publish. */
struct survey_publication {
    int published; /* 1: the waiting answers went out (or there were none) */
    int64_t added; /* answers in this publication */
    int64_t seq;   /* its number (the last one when held back) */
    char why[300]; /* when held back: why, naming no group and no count of one */
};
/* Publishes the answers of the center that came in since its last publication when the rules
 * allow (disclose.h), in a transaction of its own (a savepoint inside the caller's), audited
 * with reason ("close", "import", "manual"). Held back is not an error: the answers wait and
 * out->why says why. Returns a store code. */
int survey_publish(store *s, int64_t wave_id, int64_t center_id, const char *center_code,
                   const char *reason, const char *actor, const char *addr,
                   struct survey_publication *out);

/* Closes the answer link of center c in a wave and publishes what came in (the figures of a
 * center move only when its collection closes or in batches the rules allow), audited.
 * STORE_NOTFOUND when no link is open. */
int survey_link_close(store *s, int64_t wave_id, const struct org_center *c, const char *wave,
                      const char *actor, const char *addr, struct survey_publication *pub);
/* {"published","seq","added","why"?} for a reply; a new reference or NULL. */
json_t *survey_publication_json(const struct survey_publication *pub);

/* {"imported","skipped":[{"row","column","value"}],"warnings":[…]}; a new reference or NULL. */
json_t *survey_import_json(const struct survey_import *im);

/* The comment analysis (survey_comments_json) of one center of a wave, with the word list at
 * words_path (NULL: data/survey/comment_words.tsv) and the process-wide MeCab dictionary. NULL
 * with err set when the list, the dictionary or the store fails, or memory runs out; *bad_input
 * (may be NULL) is set to 1 when the word list is at fault. */
json_t *survey_center_comments(store *s, int64_t wave_id, int64_t center_id, int nitems, int k,
                               const char *words_path, int *bad_input, char *err, size_t errlen);

#endif
