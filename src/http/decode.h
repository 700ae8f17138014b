/* Request bodies: JSON text → validated inputs. Pure functions (no store, no I/O) so that the
 * fuzz target can drive them with any bytes. Errors are one line naming the field. */
#ifndef IKIIKI_HTTP_DECODE_H
#define IKIIKI_HTTP_DECODE_H

#include <jansson.h>
#include <stddef.h>

#include "org/org.h"
#include "survey/survey.h"

#define HTTP_JSON_MAX_DEPTH 32

/* Parses a body that must be one JSON object. On success *out is a new reference. */
int http_body_parse(const char *data, size_t len, json_t **out, char *err, size_t errlen);

struct login_input {
    char login[ORG_LOGIN_MAX];
    char password[ORG_PASSWORD_MAX + 1];
};
int http_decode_login(json_t *o, struct login_input *in, char *err, size_t errlen);

struct password_input {
    char current[ORG_PASSWORD_MAX + 1];
    char next[ORG_PASSWORD_MAX + 1];
};
int http_decode_password(json_t *o, struct password_input *in, char *err, size_t errlen);

struct company_input {
    char code[ORG_CODE_MAX];
    char name[ORG_NAME_MAX];
};
int http_decode_company(json_t *o, struct company_input *in, char *err, size_t errlen);

/* Fields not present keep has_* = 0, so one struct serves create (all required) and update. */
struct center_input {
    int has_code, has_name, has_company;
    char code[ORG_CODE_MAX];
    char name[ORG_NAME_MAX];
    char company[ORG_CODE_MAX];
    int has_headcount[POS__COUNT];
    int64_t headcount[POS__COUNT];
};
int http_decode_center(json_t *o, int create, struct center_input *in, char *err, size_t errlen);
/* Applies the fields present to c. */
void http_center_apply(const struct center_input *in, struct org_center *c);

struct team_input {
    char code[ORG_CODE_MAX];
    char name[ORG_NAME_MAX];
};
int http_decode_team(json_t *o, struct team_input *in, char *err, size_t errlen);

struct user_input {
    int has_login, has_role, has_center, has_team, has_name, has_password, has_disabled,
        has_companies, has_business_name;
    char login[ORG_LOGIN_MAX];
    enum org_role role;
    char center[ORG_CODE_MAX]; /* "" with has_center = no center */
    char team[ORG_CODE_MAX];
    char display_name[ORG_NAME_MAX];
    char business_name[ORG_NAME_MAX]; /* "" clears it */
    char password[ORG_PASSWORD_MAX + 1];
    int disabled;
    char companies[ORG_MAX_COMPANIES][ORG_CODE_MAX];
    int ncompanies;
};
int http_decode_user(json_t *o, int create, struct user_input *in, char *err, size_t errlen);

struct apikey_input {
    char name[ORG_CODE_MAX * 2];
    unsigned scopes;
    int expires_days; /* 0: never */
};
int http_decode_apikey(json_t *o, struct apikey_input *in, char *err, size_t errlen);

struct cx_input {
    int levels[4]; /* in the sheet's area order, each 0–3 */
    char round[ORG_CODE_MAX];
    char respondent[128];
};
/* {"areas":[l1,l2,l3,l4], "round"?, "respondent"?} */
int http_decode_cx(json_t *o, struct cx_input *in, char *err, size_t errlen);

struct cx_checkpoint_input {
    char code[ORG_CODE_MAX];
    double value;
    char at[16]; /* YYYY-MM-DD or "" */
};
int http_decode_cx_checkpoint(json_t *o, struct cx_checkpoint_input *in, char *err, size_t errlen);

struct skills_assess_input {
    char skill[40];
    int level;    /* 1–4 */
    int has_kind; /* 0: the handler decides from who is asking */
    int kind;     /* enum skills_kind: 0 self, 1 supervisor */
    char at[16];  /* YYYY-MM-DD or "" */
};
/* {"skill", "level", "kind"?: "self"|"supervisor", "at"?: "YYYY-MM-DD"} */
int http_decode_skills_assess(json_t *o, struct skills_assess_input *in, char *err, size_t errlen);

/* カスハラ対応 bodies (decode_harass.c). Lists of codes come back comma-separated; the policy
 * checks the codes themselves. */
struct harass_judge_input {
    int behaviour, demand;
    char requests[256];
};
int http_decode_harass_judge(json_t *o, struct harass_judge_input *in, char *err, size_t errlen);

struct harass_case_input {
    int behaviour, demand;
    char categories[512];
    char requests[256];
    char center[ORG_CODE_MAX];
    char operator[ORG_LOGIN_MAX];
    char at[40];
    char memo[1024];
    char caller[40];
    char channel[16];
    char interaction[64];
    char evidence[2048]; /* compact JSON array text, "" when absent */
};
int http_decode_harass_case(json_t *o, struct harass_case_input *in, char *err, size_t errlen);

struct harass_review_input {
    int behaviour, demand;
    char note[512];
    int amend;
};
int http_decode_harass_review(json_t *o, struct harass_review_input *in, char *err, size_t errlen);

struct mood_input {
    int mood; /* 1–5 */
    char memo[256];
    int shared;
};
int http_decode_mood(json_t *o, struct mood_input *in, char *err, size_t errlen);

/* {"days":[{"date":"2026-11-02","calls":410,"team":"A"?}, …]} */
#define HTTP_MAX_CALL_DAYS 1000
struct calls_input {
    struct {
        char day[11];
        char team[ORG_CODE_MAX];
        int64_t calls;
    } rows[HTTP_MAX_CALL_DAYS];
    int n;
};
int http_decode_calls(json_t *o, struct calls_input *in, char *err, size_t errlen);

struct purge_input {
    int64_t days; /* 0: the policy's retention */
    int dry_run;
};
int http_decode_purge(json_t *o, struct purge_input *in, char *err, size_t errlen);

struct care_done_input {
    char note[512];
};
int http_decode_care_done(json_t *o, struct care_done_input *in, char *err, size_t errlen);

/* Helpers shared by the decoders (decode_harass.c). decode__only refuses a field not in the
 * NULL-terminated known list; decode__opt_str copies an optional string ("" when absent). */
int decode__only(json_t *o, const char *const *known, char *err, size_t errlen);
int decode__opt_str(json_t *o, const char *field, char *out, size_t outlen, char *err,
                    size_t errlen);

/* Well-being診断 answers through a collection link (decode_survey.c): position (code or Japanese
 * label), optional segment/team/tenure, answers {"G01": 1–6 or null, …} for items of the wave's
 * questionnaire (at least one), optional comment. */
struct survey_answer_input {
    struct survey_respondent r;
    char comment[SURVEY_COMMENT_MAX * 4 + 1]; /* at most SURVEY_COMMENT_MAX characters */
};
int http_decode_survey_answer(json_t *o, const survey_questionnaire *q,
                              struct survey_answer_input *in, char *err, size_t errlen);

#endif
