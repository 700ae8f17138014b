/* harass: カスハラ対応 — flags on interactions, the weekly review that judges them again against
 * the policy, and the care task a harassment verdict opens for the operator's supervisor.
 * The operations here run through the store; the policy arithmetic lives in policy.h and the
 * field-vs-HQ statistics in agreement.h. */
#ifndef IKIIKI_HARASS_H
#define IKIIKI_HARASS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "harass/policy.h"
#include "org/org.h"

struct store;

enum {
    HARASS_OK = IK_OK,
    HARASS_EINVAL = IK_EINVAL, /* bad input; the message says what and where */
    HARASS_ENOTFOUND = IK_ENOENT,
    HARASS_EEXISTS = IK_EEXIST, /* already reviewed: amend to change it */
    HARASS_ESTORE = IK_EIO,     /* the store failed; its message is in err */
};

#define HARASS_SOURCES "operator, supervisor, guard"

struct harass_case {
    int64_t id;
    int64_t center_id;
    char center[ORG_CODE_MAX];
    int64_t team_id;
    char team[ORG_CODE_MAX];
    int64_t operator_id;
    char operator_login[ORG_LOGIN_MAX];
    char operator_name[ORG_NAME_MAX]; /* the business name when set, else the display name */
    char channel[16];
    char interaction[64]; /* the interaction reference in the center's own system */
    int64_t occurred_at;
    char week[12];        /* ISO week in Japan time, "2026-W47" */
    char caller_ref[65];  /* keyed hash of the caller's number; never the number */
    char categories[512]; /* comma-separated codes in policy order */
    char requests[256];   /* escalation codes raised */
    int behaviour, demand;
    enum harass_verdict verdict; /* the field's verdict */
    char response[HARASS_CODE_MAX];
    char memo[1024];
    char source[16];
    char evidence[2048]; /* JSON array of {kind, ref} */
    int policy_version;
    char created_by[ORG_LOGIN_MAX];
    int64_t created_at;
    /* The latest review, when there is one. */
    int reviews;
    int final_behaviour, final_demand;
    enum harass_verdict final_verdict;
    char final_response[HARASS_CODE_MAX];
    char reviewer[ORG_LOGIN_MAX];
    int64_t reviewed_at;
    int final_policy_version;
};

/* Calls handled on one day (Japan time), by the whole center (team "") or one team. */
struct harass_calls {
    char day[11]; /* YYYY-MM-DD */
    char team[ORG_CODE_MAX];
    int64_t calls;
};

/* One entry of an operator's mood log: private unless shared. */
struct harass_mood {
    int64_t id;
    int64_t user_id;
    char login[ORG_LOGIN_MAX];
    int64_t team_id;
    int64_t at;
    int mood; /* 1–5 */
    char memo[256];
    int shared;
};

struct harass_review {
    int64_t id;
    int64_t case_id;
    char reviewer[ORG_LOGIN_MAX];
    int behaviour, demand;
    enum harass_verdict verdict;
    char response[HARASS_CODE_MAX];
    int policy_version;
    char note[512];
    int64_t reviewed_at;
};

struct harass_care {
    int64_t id;
    int64_t case_id;
    int64_t center_id;
    int64_t operator_id;
    char operator_login[ORG_LOGIN_MAX];
    int64_t assignee_id; /* 0 when the center has no supervisor or manager */
    char assignee_login[ORG_LOGIN_MAX];
    int64_t opened_at, due_at, done_at; /* done_at 0 while open */
    char note[512];
};

/* What the field reports when it flags an interaction. */
struct harass_flag_input {
    const char *center;   /* center code */
    const char *operator; /* operator login */
    int behaviour, demand;
    const char *categories; /* comma-separated codes */
    const char *requests;   /* escalation codes, may be NULL */
    const char *channel;    /* phone (default), chat, mail, visit */
    const char *interaction;
    int64_t occurred_at; /* 0 = now */
    int64_t flagged_at;  /* when the flag was raised; 0 = now (set for historical imports) */
    const char *memo;
    const char *caller_number; /* hashed before it is stored; may be NULL */
    const char *source;        /* operator (default), supervisor, guard */
    const char *evidence;      /* JSON array text, may be NULL */
    const char *by;            /* login of who flags (audit and created_by) */
};

/* ISO week of t in Japan time (UTC+9, no summer time): "2026-W47". out holds 12 bytes. */
void harass_iso_week(int64_t t, char *out);
/* Parses "2026-W47"; writes Monday 00:00 JST of that week as Unix time. */
int harass_week_start(const char *week, int64_t *start);
/* The caller reference: keyed BLAKE2b of the number's digits (a leading +81 becomes 0).
 * key is 32 bytes. Returns -1 when the number holds fewer than 4 digits. */
int harass_caller_ref(const unsigned char *key, const char *number, char *out_hex);
/* The database's 32-byte key for caller references, made on first use. Returns 0 or -1. */
int harass_caller_key(struct store *s, unsigned char *key);

/* The policy in force: the newest version in the store, else the file at default_path stored as
 * version 1. On success *out is the caller's to free with harass_policy_free. */
int harass_policy_active(struct store *s, const char *default_path, harass_policy **out,
                         int *version, char *err, size_t errlen);
/* Stores a checked policy document as the next version. */
int harass_policy_save(struct store *s, const harass_policy *p, const char *by, int *version,
                       char *err, size_t errlen);

/* Flags an interaction: judges the field's plot, stores the case and, on a harassment verdict,
 * opens a care task; all in one transaction. On success out holds the stored case. */
int harass_flag(struct store *s, const harass_policy *p, int version,
                const struct harass_flag_input *in, struct harass_case *out, char *err,
                size_t errlen);
/* Reviews a case: the reviewer plots it again and the final verdict follows the policy. A case
 * already reviewed needs amend (else HARASS_EEXISTS); earlier reviews are kept. */
int harass_review(struct store *s, const harass_policy *p, int version, int64_t case_id,
                  const char *reviewer, int behaviour, int demand, const char *note, int amend,
                  struct harass_case *out, char *err, size_t errlen);

/* Statistics of a center over [from, to): cases by ISO week, team, category and verdict (the final
 * verdict when reviewed, else the field's), rates per 1,000 calls where call counts exist, and
 * repeat callers: caller references with at least 2 harassment verdicts in the 90 days before
 * `to` (candidates for the call guard's block list). cases must cover [to − 90 days, to) and
 * [from, to); calls cover [from, to). A new reference. */
json_t *harass_stats_json(const struct harass_case *cases, size_t ncases,
                          const struct harass_calls *calls, size_t ncalls, int64_t from,
                          int64_t to);
/* Field-vs-HQ agreement over reviewed cases (see agreement.h for the JSON). res may be NULL;
 * otherwise it receives the figures. NULL when out of memory. A new reference. */
struct agree_result;
json_t *harass_agreement_json(const struct harass_case *cases, size_t ncases,
                              struct agree_result *res);
#define HARASS_REPEAT_DAYS 90
#define HARASS_REPEAT_MIN  2

/* The mood trend a supervisor may see: per team, the weekly average mood of its operators, only
 * when at least HARASS_MOOD_MIN operators wrote entries in the period (else the team is marked
 * suppressed and shows no figures); plus the entries operators chose to share. team_id 0 means
 * every team of the center (for managers); otherwise only that team. Memos of entries that were
 * not shared never appear. A new reference. */
#define HARASS_MOOD_MIN 5
json_t *harass_mood_trend_json(const struct harass_mood *m, size_t n, int64_t team_id,
                               const struct org_team *teams, size_t nteams);
json_t *harass_mood_json(const struct harass_mood *m);

/* JSON views (new references). A case shows the field's plot, the final (latest review) plot
 * when reviewed, and never the caller's number (only the keyed reference). */
json_t *harass_case_json(const harass_policy *p, const struct harass_case *c);
json_t *harass_review_json(const struct harass_review *r);
/* now decides whether an open task is overdue. */
json_t *harass_care_json(const struct harass_care *t, int64_t now);

/* Parses "2026-11-20", "2026-11-20T14:30", "2026-11-20T14:30:05" with an optional "Z" or
 * "+09:00"-style zone; without a zone the time is Japan time. */
int harass_parse_time(const char *text, int64_t *out);

#endif
