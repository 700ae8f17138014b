/* Persistence of harassment cases, their reviews, care tasks, policy versions and settings. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store_int.h"
#include "store/store_harass.h"

/* ---- settings ---- */

static void decode_text(void *rec, const char *const *v)
{
    store__copy(rec, 512, v[0]);
}

int store_setting_get(store *s, const char *key, char *out, size_t outlen)
{
    char value[512];
    struct store_arg a[] = {ARG_TEXT(key)};
    int rc = store__get_one(s, "SELECT value FROM settings WHERE key = ?", a, 1, sizeof value,
                            decode_text, value);
    if (rc == STORE_OK)
        str_copy(out, outlen, value);
    return rc;
}

int store_setting_set(store *s, const char *key, const char *value)
{
    struct store_arg a[] = {ARG_TEXT(key), ARG_TEXT(value)};
    return store__exec_args(s,
                            "INSERT INTO settings (key, value) VALUES (?, ?)"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            a, 2, NULL);
}

int store_setting_init(store *s, const char *key, const char *value, char *out, size_t outlen)
{
    /* Two servers starting together may both try; the loser reads the winner's value. */
    struct store_arg a[] = {ARG_TEXT(key), ARG_TEXT(value)};
    int rc = store__exec_args(s,
                              "INSERT INTO settings (key, value) VALUES (?, ?)"
                              " ON CONFLICT (key) DO NOTHING",
                              a, 2, NULL);
    return rc ? rc : store_setting_get(s, key, out, outlen);
}

/* ---- policy versions ---- */

struct policy_row {
    int found;
    int version;
    char *doc;
};

static int row_policy(void *ud, int ncol, const char *const *v)
{
    (void)ncol;
    struct policy_row *p = ud;
    p->found = 1;
    p->version = (int)store__atoi(v[0]);
    p->doc = strdup(v[1] ? v[1] : "");
    return 1;
}

int store_harass_policy_latest(store *s, int *version, char **doc)
{
    struct policy_row p = {0};
    int rc = store__query(s,
                          "SELECT version, document FROM harass_policies"
                          " ORDER BY version DESC LIMIT 1",
                          NULL, 0, row_policy, &p);
    if (rc == STORE_OK && !p.found)
        rc = store__fail(s, STORE_NOTFOUND, "no policy stored");
    if (rc == STORE_OK && !p.doc)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    if (rc) {
        free(p.doc);
        return rc;
    }
    *version = p.version;
    *doc = p.doc;
    return STORE_OK;
}

static void decode_int(void *rec, const char *const *v)
{
    *(int64_t *)rec = store__atoi(v[0]);
}

int store_harass_policy_version(store *s, int *version)
{
    int64_t v = 0;
    int rc = store__get_one(s, "SELECT COALESCE(MAX(version), 0) FROM harass_policies", NULL, 0,
                            sizeof v, decode_int, &v);
    if (rc == STORE_OK)
        *version = (int)v;
    return rc;
}

int store_harass_policy_add(store *s, const char *doc, const char *by, int *version)
{
    int64_t next = 0;
    int rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store__get_one(s, "SELECT COALESCE(MAX(version), 0) + 1 FROM harass_policies", NULL, 0,
                            sizeof next, decode_int, &next);
    struct store_arg a[] = {ARG_INT(next), ARG_TEXT(doc), ARG_TEXT(by), ARG_INT(now_unix())};
    if (rc == STORE_OK)
        rc = store__exec_args(s,
                              "INSERT INTO harass_policies (version, document, created_by,"
                              " created_at) VALUES (?, ?, ?, ?)",
                              a, 4, NULL);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc) {
        store_rollback(s);
        return rc;
    }
    *version = (int)next;
    return STORE_OK;
}

/* ---- cases ---- */

#define CASE_SELECT                                                                                \
    "SELECT c.id, c.center_id, ce.code, c.team_id, t.code, c.operator_id, u.login, c.channel,"     \
    " c.interaction, c.occurred_at, c.week, c.caller_ref, c.categories, c.requests,"               \
    " c.behaviour, c.demand, c.verdict, c.response, c.memo, c.source, c.evidence,"                 \
    " c.policy_version, c.created_by, c.created_at,"                                               \
    " (SELECT COUNT(*) FROM harass_reviews rc WHERE rc.case_id = c.id),"                           \
    " r.behaviour, r.demand, r.verdict, r.response, r.reviewer, r.reviewed_at, r.policy_version,"  \
    " CASE WHEN u.business_name <> '' THEN u.business_name ELSE u.display_name END"                \
    " FROM harass_cases c JOIN centers ce ON ce.id = c.center_id"                                  \
    " LEFT JOIN teams t ON t.id = c.team_id JOIN users u ON u.id = c.operator_id"                  \
    " LEFT JOIN harass_reviews r ON r.id ="                                                        \
    "  (SELECT MAX(r2.id) FROM harass_reviews r2 WHERE r2.case_id = c.id)"

static enum harass_verdict verdict_of(const char *v)
{
    enum harass_verdict out = VERDICT_CLAIM;
    harass_verdict_parse(v, &out);
    return out;
}

static void decode_case(void *rec, const char *const *v)
{
    struct harass_case *c = rec;
    c->id = store__atoi(v[0]);
    c->center_id = store__atoi(v[1]);
    store__copy(c->center, sizeof c->center, v[2]);
    c->team_id = store__atoi(v[3]);
    store__copy(c->team, sizeof c->team, v[4]);
    c->operator_id = store__atoi(v[5]);
    store__copy(c->operator_login, sizeof c->operator_login, v[6]);
    store__copy(c->channel, sizeof c->channel, v[7]);
    store__copy(c->interaction, sizeof c->interaction, v[8]);
    c->occurred_at = store__atoi(v[9]);
    store__copy(c->week, sizeof c->week, v[10]);
    store__copy(c->caller_ref, sizeof c->caller_ref, v[11]);
    store__copy(c->categories, sizeof c->categories, v[12]);
    store__copy(c->requests, sizeof c->requests, v[13]);
    c->behaviour = (int)store__atoi(v[14]);
    c->demand = (int)store__atoi(v[15]);
    c->verdict = verdict_of(v[16]);
    store__copy(c->response, sizeof c->response, v[17]);
    store__copy(c->memo, sizeof c->memo, v[18]);
    store__copy(c->source, sizeof c->source, v[19]);
    store__copy(c->evidence, sizeof c->evidence, v[20]);
    c->policy_version = (int)store__atoi(v[21]);
    store__copy(c->created_by, sizeof c->created_by, v[22]);
    c->created_at = store__atoi(v[23]);
    c->reviews = (int)store__atoi(v[24]);
    if (c->reviews > 0) {
        c->final_behaviour = (int)store__atoi(v[25]);
        c->final_demand = (int)store__atoi(v[26]);
        c->final_verdict = verdict_of(v[27]);
        store__copy(c->final_response, sizeof c->final_response, v[28]);
        store__copy(c->reviewer, sizeof c->reviewer, v[29]);
        c->reviewed_at = store__atoi(v[30]);
        c->final_policy_version = (int)store__atoi(v[31]);
    }
    store__copy(c->operator_name, sizeof c->operator_name, v[32]);
}

int store_harass_case_add(store *s, struct harass_case *c)
{
    struct store_arg a[] = {
        ARG_INT(c->center_id),
        ARG_ID(c->team_id),
        ARG_INT(c->operator_id),
        ARG_TEXT(c->channel),
        ARG_TEXT(c->interaction),
        ARG_INT(c->occurred_at),
        ARG_TEXT(c->week),
        ARG_TEXT(c->caller_ref),
        ARG_TEXT(c->categories),
        ARG_TEXT(c->requests),
        ARG_INT(c->behaviour),
        ARG_INT(c->demand),
        ARG_TEXT(harass_verdict_name(c->verdict)),
        ARG_TEXT(c->response),
        ARG_TEXT(c->memo),
        ARG_TEXT(c->source),
        ARG_TEXT(c->evidence),
        ARG_INT(c->policy_version),
        ARG_TEXT(c->created_by),
        ARG_INT(c->created_at),
    };
    int64_t id;
    int rc = store__insert_id(s,
                              "INSERT INTO harass_cases (center_id, team_id, operator_id, channel,"
                              " interaction, occurred_at, week, caller_ref, categories, requests,"
                              " behaviour, demand, verdict, response, memo, source, evidence,"
                              " policy_version, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?,"
                              " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              a, 20, &id);
    if (rc == STORE_OK)
        c->id = id;
    return rc;
}

int store_harass_case_get(store *s, int64_t id, struct harass_case *out)
{
    struct store_arg a[] = {ARG_INT(id)};
    return store__get_one(s, CASE_SELECT " WHERE c.id = ?", a, 1, sizeof *out, decode_case, out);
}

int store_harass_case_week(store *s, int64_t center_id, const char *week, struct harass_case **out,
                           size_t *n)
{
    struct store_arg a[] = {ARG_INT(center_id), ARG_TEXT(week)};
    return store__list(s,
                       CASE_SELECT " WHERE c.center_id = ? AND c.week = ?"
                                   " ORDER BY c.occurred_at, c.id",
                       a, 2, sizeof **out, decode_case, (void **)out, n);
}

int store_harass_case_reviewed(store *s, int64_t center_id, int64_t from, int64_t to,
                               struct harass_case **out, size_t *n)
{
    struct store_arg a[] = {ARG_INT(center_id), ARG_INT(from), ARG_INT(to)};
    return store__list(s,
                       CASE_SELECT " WHERE c.center_id = ? AND c.occurred_at >= ?"
                                   " AND c.occurred_at < ? AND r.id IS NOT NULL"
                                   " ORDER BY c.occurred_at, c.id",
                       a, 3, sizeof **out, decode_case, (void **)out, n);
}

int store_harass_case_range(store *s, int64_t center_id, int64_t from, int64_t to,
                            struct harass_case **out, size_t *n)
{
    struct store_arg a[] = {ARG_INT(center_id), ARG_INT(from), ARG_INT(to)};
    return store__list(s,
                       CASE_SELECT " WHERE c.center_id = ? AND c.occurred_at >= ?"
                                   " AND c.occurred_at < ? ORDER BY c.occurred_at, c.id",
                       a, 3, sizeof **out, decode_case, (void **)out, n);
}

int store_harass_purge(store *s, int64_t before, int dry_run, int64_t *count)
{
    struct store_arg a[] = {ARG_INT(before)};
    int64_t n = 0;
    int rc = dry_run
                 ? store__get_one(s, "SELECT COUNT(*) FROM harass_cases WHERE occurred_at < ?", a,
                                  1, sizeof n, decode_int, &n)
                 : store__exec_args(s, "DELETE FROM harass_cases WHERE occurred_at < ?", a, 1, &n);
    if (rc == STORE_OK)
        *count = n;
    return rc;
}

/* ---- call counts ---- */

static void decode_calls(void *rec, const char *const *v)
{
    struct harass_calls *c = rec;
    store__copy(c->day, sizeof c->day, v[0]);
    store__copy(c->team, sizeof c->team, v[1]);
    c->calls = store__atoi(v[2]);
}

int store_harass_calls_put(store *s, int64_t center_id, const struct harass_calls *c)
{
    struct store_arg a[] = {ARG_INT(center_id), ARG_TEXT(c->day), ARG_TEXT(c->team),
                            ARG_INT(c->calls)};
    return store__exec_args(s,
                            "INSERT INTO harass_calls (center_id, day, team, calls)"
                            " VALUES (?, ?, ?, ?) ON CONFLICT (center_id, day, team)"
                            " DO UPDATE SET calls = excluded.calls",
                            a, 4, NULL);
}

int store_harass_calls_range(store *s, int64_t center_id, const char *from_day, const char *to_day,
                             struct harass_calls **out, size_t *n)
{
    struct store_arg a[] = {ARG_INT(center_id), ARG_TEXT(from_day), ARG_TEXT(to_day)};
    return store__list(s,
                       "SELECT day, team, calls FROM harass_calls WHERE center_id = ?"
                       " AND day >= ? AND day <= ? ORDER BY day, team",
                       a, 3, sizeof **out, decode_calls, (void **)out, n);
}

/* ---- mood log ---- */

#define MOOD_SELECT                                                                                \
    "SELECT m.id, m.user_id, u.login, u.team_id, m.at, m.mood, m.memo, m.shared FROM mood_log m"   \
    " JOIN users u ON u.id = m.user_id"

static void decode_mood(void *rec, const char *const *v)
{
    struct harass_mood *m = rec;
    m->id = store__atoi(v[0]);
    m->user_id = store__atoi(v[1]);
    store__copy(m->login, sizeof m->login, v[2]);
    m->team_id = store__atoi(v[3]);
    m->at = store__atoi(v[4]);
    m->mood = (int)store__atoi(v[5]);
    store__copy(m->memo, sizeof m->memo, v[6]);
    m->shared = (int)store__atoi(v[7]);
}

int store_mood_add(store *s, struct harass_mood *m)
{
    struct store_arg a[] = {ARG_INT(m->user_id), ARG_INT(m->at), ARG_INT(m->mood),
                            ARG_TEXT(m->memo), ARG_INT(m->shared ? 1 : 0)};
    int64_t id;
    int rc = store__insert_id(s,
                              "INSERT INTO mood_log (user_id, at, mood, memo, shared)"
                              " VALUES (?, ?, ?, ?, ?) RETURNING id",
                              a, 5, &id);
    if (rc == STORE_OK)
        m->id = id;
    return rc;
}

int store_mood_of_user(store *s, int64_t user_id, int limit, struct harass_mood **out, size_t *n)
{
    struct store_arg a[] = {ARG_INT(user_id), ARG_INT(limit)};
    return store__list(s, MOOD_SELECT " WHERE m.user_id = ? ORDER BY m.at DESC, m.id DESC LIMIT ?",
                       a, 2, sizeof **out, decode_mood, (void **)out, n);
}

int store_mood_of_center(store *s, int64_t center_id, int64_t since, struct harass_mood **out,
                         size_t *n)
{
    struct store_arg a[] = {ARG_INT(center_id), ARG_INT(since)};
    return store__list(s,
                       MOOD_SELECT " WHERE u.center_id = ? AND u.role = 'operator' AND m.at >= ?"
                                   " ORDER BY m.at, m.id",
                       a, 2, sizeof **out, decode_mood, (void **)out, n);
}

/* ---- reviews ---- */

static void decode_review(void *rec, const char *const *v)
{
    struct harass_review *r = rec;
    r->id = store__atoi(v[0]);
    r->case_id = store__atoi(v[1]);
    store__copy(r->reviewer, sizeof r->reviewer, v[2]);
    r->behaviour = (int)store__atoi(v[3]);
    r->demand = (int)store__atoi(v[4]);
    r->verdict = verdict_of(v[5]);
    store__copy(r->response, sizeof r->response, v[6]);
    r->policy_version = (int)store__atoi(v[7]);
    store__copy(r->note, sizeof r->note, v[8]);
    r->reviewed_at = store__atoi(v[9]);
}

int store_harass_review_add(store *s, struct harass_review *r)
{
    struct store_arg a[] = {ARG_INT(r->case_id),
                            ARG_TEXT(r->reviewer),
                            ARG_INT(r->behaviour),
                            ARG_INT(r->demand),
                            ARG_TEXT(harass_verdict_name(r->verdict)),
                            ARG_TEXT(r->response),
                            ARG_INT(r->policy_version),
                            ARG_TEXT(r->note),
                            ARG_INT(r->reviewed_at)};
    int64_t id;
    int rc = store__insert_id(s,
                              "INSERT INTO harass_reviews (case_id, reviewer, behaviour, demand,"
                              " verdict, response, policy_version, note, reviewed_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              a, 9, &id);
    if (rc == STORE_OK)
        r->id = id;
    return rc;
}

int store_harass_review_list(store *s, int64_t case_id, struct harass_review **out, size_t *n)
{
    struct store_arg a[] = {ARG_INT(case_id)};
    return store__list(s,
                       "SELECT id, case_id, reviewer, behaviour, demand, verdict, response,"
                       " policy_version, note, reviewed_at FROM harass_reviews"
                       " WHERE case_id = ? ORDER BY id",
                       a, 1, sizeof **out, decode_review, (void **)out, n);
}

/* ---- care tasks ---- */

#define CARE_SELECT                                                                                \
    "SELECT k.id, k.case_id, k.center_id, k.operator_id, o.login, k.assignee_id, a.login,"         \
    " k.opened_at, k.due_at, k.done_at, k.note FROM harass_care_tasks k"                           \
    " JOIN users o ON o.id = k.operator_id LEFT JOIN users a ON a.id = k.assignee_id"

static void decode_care(void *rec, const char *const *v)
{
    struct harass_care *t = rec;
    t->id = store__atoi(v[0]);
    t->case_id = store__atoi(v[1]);
    t->center_id = store__atoi(v[2]);
    t->operator_id = store__atoi(v[3]);
    store__copy(t->operator_login, sizeof t->operator_login, v[4]);
    t->assignee_id = store__atoi(v[5]);
    store__copy(t->assignee_login, sizeof t->assignee_login, v[6]);
    t->opened_at = store__atoi(v[7]);
    t->due_at = store__atoi(v[8]);
    t->done_at = store__atoi(v[9]);
    store__copy(t->note, sizeof t->note, v[10]);
}

int store_harass_care_open(store *s, struct harass_care *t)
{
    /* No failing statement on a second task for the same case: on PostgreSQL a failed statement
     * would abort the caller's whole transaction. */
    struct store_arg a[] = {ARG_INT(t->case_id),    ARG_INT(t->center_id), ARG_INT(t->operator_id),
                            ARG_ID(t->assignee_id), ARG_INT(t->opened_at), ARG_INT(t->due_at)};
    int64_t id = 0;
    int rc = store__get_one(s,
                            "INSERT INTO harass_care_tasks (case_id, center_id, operator_id,"
                            " assignee_id, opened_at, due_at) VALUES (?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT (case_id) DO NOTHING RETURNING id",
                            a, 6, sizeof id, decode_int, &id);
    if (rc == STORE_NOTFOUND)
        return store__fail(s, STORE_CONFLICT, "case %lld already has a care task",
                           (long long)t->case_id);
    if (rc == STORE_OK)
        t->id = id;
    return rc;
}

int store_harass_care_list(store *s, int64_t center_id, int only_open, struct harass_care **out,
                           size_t *n)
{
    struct store_arg a[] = {ARG_INT(center_id)};
    return store__list(s,
                       only_open ? CARE_SELECT " WHERE k.center_id = ? AND k.done_at IS NULL"
                                               " ORDER BY k.due_at, k.id"
                                 : CARE_SELECT " WHERE k.center_id = ? ORDER BY k.due_at, k.id",
                       a, 1, sizeof **out, decode_care, (void **)out, n);
}

int store_harass_care_get(store *s, int64_t id, struct harass_care *out)
{
    struct store_arg a[] = {ARG_INT(id)};
    return store__get_one(s, CARE_SELECT " WHERE k.id = ?", a, 1, sizeof *out, decode_care, out);
}

int store_harass_care_done(store *s, int64_t id, const char *note, int64_t at)
{
    struct store_arg a[] = {ARG_INT(at), ARG_TEXT(note), ARG_INT(id)};
    int64_t changed = 0;
    int rc = store__exec_args(s,
                              "UPDATE harass_care_tasks SET done_at = ?, note = ?"
                              " WHERE id = ? AND done_at IS NULL",
                              a, 3, &changed);
    if (rc == STORE_OK && changed == 0)
        rc = store__fail(s, STORE_NOTFOUND, "no open care task %lld", (long long)id);
    return rc;
}
