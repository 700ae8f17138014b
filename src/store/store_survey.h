/* store_survey: Well-being診断: waves, respondents, collection links. The SQL is in store_survey.c.
 */
#ifndef IKIIKI_STORE_SURVEY_H
#define IKIIKI_STORE_SURVEY_H

#include <stddef.h>
#include <stdint.h>

#include "org/org.h"
#include "survey/survey.h"
#include "store/store.h"

/* Well-being診断. A wave is one run of the survey and keeps the questionnaire it used (JSON
 * text); respondents are anonymous and hold the day they were imported, never a time. */
int store_survey_wave_add(store *s, const char *code, const char *questionnaire_json,
                          int64_t created_at, int64_t *id);
/* *questionnaire_json is malloc'd (caller frees); STORE_NOTFOUND when there is no such wave. */
int store_survey_wave_get(store *s, const char *code, int64_t *id, char **questionnaire_json);
/* Every wave, newest first (a malloc'd array the caller frees). */
struct store_survey_wave {
    int64_t id;
    char code[ORG_CODE_MAX];
    int64_t created_at;
};
int store_survey_wave_list(store *s, struct store_survey_wave **out, size_t *n);
int store_survey_wave_get_id(store *s, int64_t id, char **questionnaire_json);
/* Adds n respondents of one center with one INSERT run per row; answers are packed as nitems
 * characters. comments may be NULL, and comments[i] NULL for none. Call inside a transaction:
 * the rows go in together or not at all. */
int store_survey_respondents_add(store *s, int64_t wave_id, int64_t center_id, const char *day,
                                 const struct survey_respondent *r, char *const *comments, size_t n,
                                 int nitems);

/* One center's respondents of a wave. d is what the survey module reads: d.r points to r. */
struct store_survey_center {
    struct survey_center_data d;
    int64_t center_id;
    int64_t headcount[POS__COUNT]; /* enrolled, by position */
    struct survey_respondent *r;   /* owned */
    char **comments;               /* owned; NULL unless asked for; comments[i] NULL for none */
};
struct store_survey_data {
    struct store_survey_center *centers; /* owned, by center code */
    size_t n;
};
/* Loads a wave's respondents for one center (center_id non-zero: always one block, maybe with
 * no respondents) or for every center that has respondents in the wave. nitems is the number of
 * scale items of the wave's questionnaire. Release with store_survey_data_release. */
int store_survey_load(store *s, int64_t wave_id, int64_t center_id, int nitems, int with_comments,
                      struct store_survey_data *out);
void store_survey_data_release(struct store_survey_data *d);
/* store_survey_load reads the published respondents only (what results may show);
 * store_survey_load_upto those of publications 1..pub_max. */
int store_survey_load_upto(store *s, int64_t wave_id, int64_t center_id, int nitems,
                           int with_comments, int64_t pub_max, struct store_survey_data *out);

/* Publications of a center's answers (survey/wave.h decides when). */
struct store_survey_publication {
    int64_t seq;          /* 1, 2, … per wave and center */
    int64_t respondents;  /* published in all, this one included */
    int64_t published_at; /* Unix time; 0 for answers published by the upgrade */
    char reason[32];      /* "close", "import", "manual", "upgrade" */
    int64_t pending;      /* answers waiting (filled by _last) */
};
/* Puts every waiting respondent of the center into publication *seq (the next number); *added
 * says how many. Call inside a transaction: the caller checks the rules and commits or rolls
 * back. */
int store_survey_publish_mark(store *s, int64_t wave_id, int64_t center_id, int64_t *seq,
                              int64_t *added);
int store_survey_publication_add(store *s, int64_t wave_id, int64_t center_id,
                                 const struct store_survey_publication *p);
/* The latest publication with the count of answers waiting; STORE_NOTFOUND when none. */
int store_survey_publication_last(store *s, int64_t wave_id, int64_t center_id,
                                  struct store_survey_publication *out);
/* Answers of the center not published yet. */
int store_survey_pending(store *s, int64_t wave_id, int64_t center_id, int64_t *n);

/* Respondents of a wave per center and position, with the enrolled headcounts. */
struct store_survey_count {
    int64_t center_id;
    char center[ORG_CODE_MAX];
    int64_t respondents[POS__COUNT];
    int64_t enrolled[POS__COUNT];
};
/* A malloc'd array by center code (centers with respondents only); the caller frees it. */
int store_survey_counts(store *s, int64_t wave_id, struct store_survey_count **out, size_t *n);

/* Anonymous collection links, one per wave and center. */
struct store_survey_link {
    int64_t id, wave_id, center_id;
    char wave[ORG_CODE_MAX];
    char center[ORG_CODE_MAX];
    char center_name[ORG_NAME_MAX];
    char token[64];
    int64_t created_at;
    int64_t closed_at; /* 0 while open */
};
/* Opens the link of a wave and center with token, or reopens the one there is (keeping its
 * token, which may already be on a poster); *out gets the link as stored. */
int store_survey_link_open(store *s, int64_t wave_id, int64_t center_id, const char *token,
                           int64_t now, struct store_survey_link *out);
/* STORE_NOTFOUND when no link has this token. */
int store_survey_link_get(store *s, const char *token, struct store_survey_link *out);
/* Closes the link of a wave and center; STORE_NOTFOUND when there is none. */
/* Every link of a wave (wave_id 0: of every wave), open or closed, by wave and center code; a
 * malloc'd array the caller frees. */
int store_survey_link_list(store *s, int64_t wave_id, struct store_survey_link **out, size_t *n);
int store_survey_link_close(store *s, int64_t wave_id, int64_t center_id, int64_t now);

#endif
