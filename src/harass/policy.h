/* policy: a center's harassment policy as data — behaviour levels 0–4 × demand levels 0–4 give a
 * verdict (claim, grey, harassment) and a response; some request types always go to in-house
 * staff. Pure: validation and judging, no store. */
#ifndef IKIIKI_HARASS_POLICY_H
#define IKIIKI_HARASS_POLICY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define HARASS_LEVELS         5
#define HARASS_CODE_MAX       40
#define HARASS_MAX_CATEGORIES 32

enum harass_verdict { VERDICT_CLAIM, VERDICT_GREY, VERDICT_HARASSMENT, VERDICT__COUNT };

typedef struct harass_policy harass_policy;

/* Checks a policy document; on success the policy holds its own reference to root. */
int harass_policy_from_json(json_t *root, harass_policy **out, char *err, size_t errlen);
/* Reads and checks a policy file; err names the file and the field. */
int harass_policy_load(const char *path, harass_policy **out, char *err, size_t errlen);
void harass_policy_free(harass_policy *p);
/* The document (borrowed: valid while p lives). */
json_t *harass_policy_document(const harass_policy *p);

const char *harass_verdict_name(enum harass_verdict v);
int harass_verdict_parse(const char *s, enum harass_verdict *out);
const char *harass_verdict_label(const harass_policy *p, enum harass_verdict v);

struct harass_judgement {
    enum harass_verdict verdict;
    char response[HARASS_CODE_MAX];
    int escalated; /* a request type on the escalation list sent it to in-house staff */
};

/* Judges a plot. requests: escalation codes raised in the call (may be NULL). Levels outside
 * 0–4 and unknown request codes are refused with a message naming the allowed values. */
int harass_judge(const harass_policy *p, int behaviour, int demand, const char *const *requests,
                 int nrequests, struct harass_judgement *out, char *err, size_t errlen);
/* {verdict, verdict_label, response, response_label, escalated, behaviour:{level,label},
 *  demand:{level,label}}; a new reference. */
json_t *harass_judgement_json(const harass_policy *p, int behaviour, int demand,
                              const struct harass_judgement *j);

/* Checks a comma-separated list of category codes; writes the list without duplicates, in the
 * policy's order, into out. The message names the allowed codes. */
int harass_categories_check(const harass_policy *p, const char *csv, char *out, size_t outlen,
                            char *err, size_t errlen);
/* Checks a comma-separated list of escalation codes the same way. */
int harass_requests_check(const harass_policy *p, const char *csv, char *out, size_t outlen,
                          char *err, size_t errlen);
/* Splits a comma-separated list in place into at most max codes; returns how many. Reentrant
 * (the server judges on several threads at once). */
int harass_split_codes(char *csv, const char **out, int max);
/* The call guard's part of the policy ("guard" section; every field optional, defaults below).
 * Stage n applies at the n-th harassment detection of a call; past the last stage the last one
 * applies again. */
#define HARASS_GUARD_STAGES 6
enum harass_guard_step { GSTEP_NOTIFY, GSTEP_WARN, GSTEP_END };
struct harass_guard_stage {
    enum harass_guard_step step;
    char prompt[32]; /* warn: warning1 / final_warning; end: closing */
};
struct harass_guard_policy {
    char mode[16];               /* advisory, assisted (default), automatic */
    int repeat_count;            /* the same demand this many times → "repeat" (3) */
    int long_call_alert_s;       /* alert the supervisor (1800) */
    int long_call_s;             /* a "long_call" detection (3600) */
    double shouting_threshold;   /* arousal score from the media side (0.8) */
    int shouting_cooldown_s;     /* at most one shouting detection per this many s (10) */
    double voiceprint_threshold; /* match score of a known harasser's voice (0.85) */
    int known_caller_verdicts;   /* harassment verdicts that make a caller known (2) */
    int known_caller_days;       /* … within this many days (90) */
    char blocked[16];            /* blocked callers: voicebot (default), reject, operator */
    int recording_notice;        /* play recording_notice when a call starts (1) */
    int nstages;
    struct harass_guard_stage stage[HARASS_GUARD_STAGES];
    char webhook_url[512]; /* "" = no webhook */
    int webhook_retries;   /* 3 */
};
/* The guard section (defaults when the document has none). Borrowed from p. */
const struct harass_guard_policy *harass_policy_guard(const harass_policy *p);
/* Levels a guard detection category gets when a case is opened: the category's "behaviour" and
 * "demand" in the categories list, else 3 and 0. */
void harass_category_levels(const harass_policy *p, const char *code, int *behaviour, int *demand);

/* Days a case is kept before a purge (the policy's retention_days, else 1095). */
int64_t harass_retention_days(const harass_policy *p);
/* Hours until a care task is due after a harassment verdict. */
int harass_care_due_hours(const harass_policy *p);

#endif
