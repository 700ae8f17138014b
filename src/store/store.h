/* store: the one place that speaks SQL. One interface, two backends chosen by URL:
 * SQLite (default, embedded: a bare path or sqlite:PATH) and PostgreSQL (postgresql://…).
 * A store handle is one connection and is not shared between threads at the same time. */
#ifndef IKIIKI_STORE_H
#define IKIIKI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "cx/cx.h"
#include "harass/harass.h"
#include "org/org.h"
#include "skills/skills.h"
#include "survey/survey.h"

typedef struct store store;

/* The store's names for codes of the one error namespace (core/err.h). */
enum {
    STORE_OK = IK_OK,
    STORE_ERROR = IK_EFAIL,          /* the backend failed; store_errmsg says why */
    STORE_NOTFOUND = IK_ENOENT,      /* no such row */
    STORE_CONFLICT = IK_ECONFLICT,   /* a unique or foreign-key rule would break */
    STORE_BADURL = IK_EBADURL,       /* the --db URL is not one we understand */
    STORE_NOBACKEND = IK_ENOBACKEND, /* the backend was not compiled in */
    STORE_TOONEW = IK_ETOONEW,       /* the database was migrated by a newer ikiiki */
};

/* Resolves the URL to use: explicit (may be NULL), else $IKIIKI_DB, else "./ikiiki.db". */
const char *store_default_url(const char *explicit_url);
/* Opens a connection; on failure *out is untouched and err holds one line. */
int store_open(const char *url, store **out, char *err, size_t errlen);
void store_free(store *s);
const char *store_backend(const store *s);
/* The last error message of this connection. */
const char *store_errmsg(const store *s);

/* Applies pending numbered migrations, each in its own transaction. */
int store_migrate(store *s, int *applied);
/* The newest applied migration, 0 when none. */
int store_schema_version(store *s, int *version);
/* 1 when the store holds no companies yet (used to decide whether to seed demo data). */
int store_is_empty(store *s, int *empty);

int store_begin(store *s);
int store_commit(store *s);
int store_rollback(store *s);
/* Rolls back every open level; used before a connection is handed to other work. */
void store_rollback_all(store *s);

/* Organisation. Records are copied into caller-owned structs; lists are malloc'd arrays that
 * the caller frees with free(). Adds write the new id into the record on success. */
int store_company_add(store *s, struct org_company *c);
int store_company_get(store *s, const char *code, struct org_company *out);
int store_company_list(store *s, struct org_company **out, size_t *n);

int store_center_add(store *s, struct org_center *c);
int store_center_get(store *s, const char *code, struct org_center *out);
int store_center_get_id(store *s, int64_t id, struct org_center *out);
/* company_ids may be NULL for all centers. */
int store_center_list(store *s, const int64_t *company_ids, int ncompanies, struct org_center **out,
                      size_t *n);
int store_center_update(store *s, const struct org_center *c);
int store_center_delete(store *s, int64_t id);

int store_team_add(store *s, struct org_team *t);
int store_team_get(store *s, int64_t center_id, const char *code, struct org_team *out);
int store_team_list(store *s, int64_t center_id, struct org_team **out, size_t *n);

int store_user_add(store *s, struct org_user *u);
int store_user_get(store *s, const char *login, struct org_user *out);
int store_user_get_id(store *s, int64_t id, struct org_user *out);
/* center_id 0 lists every user; company_ids (may be NULL) narrows to those companies' centers. */
int store_user_list(store *s, int64_t center_id, const int64_t *company_ids, int ncompanies,
                    struct org_user **out, size_t *n);
int store_user_update(store *s, const struct org_user *u);
int store_user_delete(store *s, int64_t id);
int store_consultant_link(store *s, int64_t user_id, int64_t company_id);
/* Fills p->companies with a consultant's client companies. */
int store_consultant_companies(store *s, int64_t user_id, struct org_principal *p);

int store_apikey_add(store *s, struct org_apikey *k, const char *hash_hex);
int store_apikey_find(store *s, const char *hash_hex, struct org_apikey *out);
int store_apikey_list(store *s, struct org_apikey **out, size_t *n);

int store_session_add(store *s, const char *hash_hex, int64_t user_id, const char *csrf,
                      int64_t expires_at);
/* Finds a live session; expired ones count as not found. */
int store_session_get(store *s, const char *hash_hex, int64_t now, int64_t *user_id, char *csrf,
                      size_t csrflen);
int store_session_delete(store *s, const char *hash_hex);
int store_session_purge(store *s, int64_t now);

struct store_audit {
    int64_t id;
    int64_t at;
    char actor[ORG_LOGIN_MAX];
    char action[48];
    char target[160];
    char detail[512];
    char address[64];
};
int store_audit_add(store *s, const char *actor, const char *action, const char *target,
                    const char *detail, const char *address);
/* The newest `limit` entries, newest first. */
int store_audit_list(store *s, int limit, struct store_audit **out, size_t *n);

/* 顧客接点力診断. Answers are listed round by round (rounds in the order they began), each
 * round's answers by time. Levels are stored per area in the sheet's order. */
int store_cx_answer_add(store *s, int64_t company_id, struct cx_answer *a);
int store_cx_answers(store *s, int64_t company_id, struct cx_answer **out, size_t *n);

struct store_cx_checkpoint {
    char code[40];
    double value;
    int64_t at;
};
int store_cx_checkpoint_add(store *s, int64_t company_id, const char *code, double value,
                            int64_t at);
int store_cx_checkpoints(store *s, int64_t company_id, struct store_cx_checkpoint **out, size_t *n);

/* コンピテンシー. Model versions are numbered by the store; the newest is the active model. */
int store_skills_model_add(store *s, const char *model_json, const char *imported_by,
                           int64_t imported_at, int64_t *version);
/* The newest stored model: *model_json is malloc'd (caller frees). STORE_NOTFOUND when none. */
int store_skills_model_latest(store *s, char **model_json, int64_t *version);
/* Adds an assessment of user_id (a->login is not read); writes a->id. */
int store_skills_assess_add(store *s, int64_t user_id, struct skills_assessment *a);
/* Assessments of one user (user_id non-zero) or of every user of a center (center_id), with
 * the assessed person's login filled in; a malloc'd array the caller frees. */
int store_skills_assessments(store *s, int64_t user_id, int64_t center_id,
                             struct skills_assessment **out, size_t *n);

/* A user's skill-role override; role NULL removes it. */
int store_skills_role_set(store *s, int64_t user_id, const char *role);
/* A user's override into role (SKILLS_CODE_MAX bytes); STORE_NOTFOUND when none. */
int store_skills_role_get(store *s, int64_t user_id, char *role);
/* The enabled users of a center by login, with their overrides; a malloc'd array. */
int store_skills_members(store *s, int64_t center_id, struct skills_member **out, size_t *n);

/* カスハラ対応. Records are the domain's (harass/harass.h). Policy documents are JSON text;
 * *doc from store_harass_policy_latest is malloc'd and the caller frees it. */
int store_setting_get(store *s, const char *key, char *out, size_t outlen);
/* Stores value under key unless the key exists; either way out receives the stored value. */
int store_setting_init(store *s, const char *key, const char *value, char *out, size_t outlen);
int store_harass_policy_latest(store *s, int *version, char **doc);
/* The newest policy version (0 when none is stored): cheap, for the call guard's reload check. */
int store_harass_policy_version(store *s, int *version);
int store_harass_policy_add(store *s, const char *doc, const char *by, int *version);
int store_harass_case_add(store *s, struct harass_case *c);
int store_harass_case_get(store *s, int64_t id, struct harass_case *out);
/* Cases of a center in one ISO week, oldest first. */
int store_harass_case_week(store *s, int64_t center_id, const char *week, struct harass_case **out,
                           size_t *n);
/* Reviewed cases of a center that occurred in [from, to), oldest first. */
int store_harass_case_reviewed(store *s, int64_t center_id, int64_t from, int64_t to,
                               struct harass_case **out, size_t *n);
/* Every case of a center that occurred in [from, to), oldest first. */
int store_harass_case_range(store *s, int64_t center_id, int64_t from, int64_t to,
                            struct harass_case **out, size_t *n);
/* Deletes cases that occurred before `before` (reviews and care tasks go with them); with
 * dry_run only counts. */
int store_harass_purge(store *s, int64_t before, int dry_run, int64_t *count);
/* Replaces the call count of (center, day, team). */
int store_harass_calls_put(store *s, int64_t center_id, const struct harass_calls *c);
/* Call counts of a center for days in [from_day, to_day] (YYYY-MM-DD), by day then team. */
int store_harass_calls_range(store *s, int64_t center_id, const char *from_day, const char *to_day,
                             struct harass_calls **out, size_t *n);
int store_mood_add(store *s, struct harass_mood *m);
/* One user's entries, newest first (at most limit). */
int store_mood_of_user(store *s, int64_t user_id, int limit, struct harass_mood **out, size_t *n);
/* The entries of a center's operators since `since`, oldest first. */
int store_mood_of_center(store *s, int64_t center_id, int64_t since, struct harass_mood **out,
                         size_t *n);
int store_harass_review_add(store *s, struct harass_review *r);
/* Every review of a case, oldest first. */
int store_harass_review_list(store *s, int64_t case_id, struct harass_review **out, size_t *n);
/* Opens a care task; STORE_CONFLICT when the case already has one. */
int store_harass_care_open(store *s, struct harass_care *t);
/* Care tasks of a center; only_open leaves out the finished ones. Ordered by due time. */
int store_harass_care_list(store *s, int64_t center_id, int only_open, struct harass_care **out,
                           size_t *n);
int store_harass_care_get(store *s, int64_t id, struct harass_care *out);
int store_harass_care_done(store *s, int64_t id, const char *note, int64_t at);

/* Well-being診断. A wave is one run of the survey and keeps the questionnaire it used (JSON
 * text); respondents are anonymous and hold the day they were imported, never a time. */
int store_survey_wave_add(store *s, const char *code, const char *questionnaire_json,
                          int64_t created_at, int64_t *id);
/* *questionnaire_json is malloc'd (caller frees); STORE_NOTFOUND when there is no such wave. */
int store_survey_wave_get(store *s, const char *code, int64_t *id, char **questionnaire_json);
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
int store_survey_link_close(store *s, int64_t wave_id, int64_t center_id, int64_t now);
/* 通話ガード voiceprints (media/audio.h makes the embeddings). Lists are malloc'd arrays the
 * caller frees; model NULL lists every model. Delete returns STORE_NOTFOUND for a missing id. */
#define STORE_VP_REF_MAX  128
#define STORE_VP_TEXT_MAX 256
#define STORE_VP_EMB_MAX  8192
struct store_voiceprint {
    int64_t id;
    char caller_ref[STORE_VP_REF_MAX];
    char model[64];
    char embedding[STORE_VP_EMB_MAX]; /* JSON array of numbers */
    int64_t speech_ms;
    char source[STORE_VP_TEXT_MAX];
    char reason[STORE_VP_TEXT_MAX];
    char approved_by[64];
    int64_t created_at;
};
int store_voiceprint_add(store *s, struct store_voiceprint *v);
int store_voiceprint_list(store *s, const char *model, struct store_voiceprint **out, size_t *n);
int store_voiceprint_get(store *s, int64_t id, struct store_voiceprint *out);
int store_voiceprint_delete(store *s, int64_t id);
/* 通話ガード. Calls and their timelines as the engine records them (times in Unix ms). */
struct store_guard_call {
    char call_id[64];
    char center[ORG_CODE_MAX];
    char operator_login[ORG_LOGIN_MAX];
    char caller_ref[65];
    char mode[16];
    int64_t started_at, ended_at; /* ended_at 0 while active */
    char risk[16];
    int stage, detections;
    char categories[512];
    int64_t case_id; /* 0 when no case was opened */
    int policy_version;
};
/* Inserts the call or updates every field of the stored one (same call_id). */
int store_guard_call_put(store *s, const struct store_guard_call *c);
int store_guard_call_get(store *s, const char *call_id, struct store_guard_call *out);
/* Calls of a center (center NULL: every center) that started in [from, to) ms, newest first,
 * at most limit; a malloc'd array. */
int store_guard_call_list(store *s, const char *center, int64_t from, int64_t to, int limit,
                          struct store_guard_call **out, size_t *n);
struct store_guard_event {
    int64_t id;
    int64_t at;
    char kind[32];
    char detail[8192]; /* JSON object text */
};
int store_guard_event_add(store *s, const char *call_id, int64_t at, const char *kind,
                          const char *detail_json);
/* A call's timeline, oldest first; a malloc'd array the caller frees. */
int store_guard_events(store *s, const char *call_id, struct store_guard_event **out, size_t *n);
/* The block list, by caller reference. Adding an existing reference replaces its reason. */
int store_guard_block_add(store *s, const char *caller_ref, const char *reason, const char *by,
                          int64_t at);
int store_guard_block_remove(store *s, const char *caller_ref);
/* *blocked = 1 when listed; reason (may be NULL, 256 bytes) gets its reason. */
int store_guard_block_find(store *s, const char *caller_ref, int *blocked, char *reason);
/* Block list entries with an id and a center ("" = every center). */
#define STORE_BLOCK_REASON_MAX 256
struct store_guard_block {
    int64_t id;
    char caller_ref[65];
    char center[ORG_CODE_MAX];
    char reason[STORE_BLOCK_REASON_MAX];
    char added_by[ORG_LOGIN_MAX];
    int64_t added_at; /* Unix s */
};
/* Adds an entry, or replaces the reason of the one with the same caller_ref and center; b->id is
 * set to the entry's id. */
int store_guard_block_put(store *s, struct store_guard_block *b);
/* Entries of the given centers (ncenters < 0: every entry; "" in centers: the entries for every
 * center), newest first; a malloc'd array the caller frees. */
int store_guard_block_list(store *s, const char *const *centers, int ncenters,
                           struct store_guard_block **out, size_t *n);
int store_guard_block_get(store *s, int64_t id, struct store_guard_block *out);
int store_guard_block_delete(store *s, int64_t id);
/* Like store_guard_block_find, for a call of center: entries for every center and for center
 * count; the center's own entry's reason comes first. */
int store_guard_block_match(store *s, const char *caller_ref, const char *center, int *blocked,
                            char *reason);
/* Harassment cases of a caller that occurred at or after since (Unix s) whose verdict — the
 * latest review's when reviewed, else the field's — is harassment. */
int store_guard_caller_verdicts(store *s, const char *caller_ref, int64_t since, int64_t *count);

/* Live events between servers sharing one PostgreSQL (LISTEN/NOTIFY); STORE_NOBACKEND on SQLite.
 * Use a connection of its own for listening: it must not run other queries meanwhile. payload is
 * text under 8000 bytes. */
int store_notify(store *s, const char *channel, const char *payload);
int store_listen(store *s, const char *channel);
/* Waits up to timeout_ms for notifications and calls fn for each payload (borrowed for the
 * call). Returns the number received (>= 0) or an error code. */
int store_wait_notify(store *s, int timeout_ms, void (*fn)(void *ud, const char *payload),
                      void *ud);

#endif
