/* comments: analysis of the free comments (FC1) of one center's respondents — MeCab base forms
 * of nouns (joined into compound nouns), verbs and adjectives after NFKC, a stop list, top terms
 * with counts and document frequency, the top co-occurring pairs, the same per group, and the
 * comments that speak of harassment or of fear of customers, surfaced to the manager. Comments
 * are shown only for groups of at least SURVEY_K_COMMENTS respondents. Pure: no store, no
 * printing. The word lists are data (data/survey/comment_words.tsv), editable by the center. */
#ifndef IKIIKI_SURVEY_COMMENTS_H
#define IKIIKI_SURVEY_COMMENTS_H

#include <jansson.h>
#include <stddef.h>

#include "core/ja.h"
#include "survey/survey.h"

#define SURVEY_TOP_TERMS       30
#define SURVEY_TOP_PAIRS       20
#define SURVEY_TOP_GROUP_TERMS 10

typedef struct survey_comment_words survey_comment_words;

/* Loads the word lists; err names the file and the line. */
int survey_comment_words_load(const char *path, survey_comment_words **out, char *err,
                              size_t errlen);
void survey_comment_words_free(survey_comment_words *w);

/* Analyses the comments of n respondents r (comments[i] belongs to r[i]; NULL for none). k is
 * the least group size that shows comments (k < 1: SURVEY_K_COMMENTS). A new reference, or NULL
 * when memory ran out or MeCab failed:
 * {"respondents","comments","suppressed",
 *  "terms":[{"term","pos":"noun|verb|adj","count","docs"}]|null,
 *  "pairs":[{"terms":[a,b],"docs"}]|null,
 *  "alerts":[{"kind":"harassment|fear","words":[…],"text"}]|null, "alert_count",
 *  "groups":{"position":{"OP":{"respondents","comments","suppressed","terms":[…]|null}},
 *            "segment":{…},"team":{…},"tenure":{…}}}
 * When the center itself has fewer than k respondents only the counts are given (alert_count
 * too, so a manager knows to look without any text being shown). Terms are ordered by count,
 * then documents, then text; a negated verb or adjective is its own term ("取れる(否定)"). */
json_t *survey_comments_json(const survey_comment_words *w, ja_tagger *t,
                             const struct survey_respondent *r, char *const *comments, size_t n,
                             int k);

#endif
