/* カスハラ対応 over HTTP. The field (operators, supervisors) flags; headquarters (center managers,
 * consultants, admins) reviews; supervisors care for their operators. Operators see only their
 * own cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "decode.h"
#include "harass/harass.h"
#include "http_int.h"
#include "store/store_harass.h"
#include "svc/svc_harass.h"
#include "store/store_org.h"

static int bad_request(struct req *r, const char *err)
{
    http__reply_error(r, 400, "bad_request", "%s", err);
    return 400;
}

/* The policy in force; replies 500 when it cannot be had. */
static int active_policy(struct req *r, harass_policy **p, int *version)
{
    char path[512], err[600];
    if (data_path("policy/default.json", path, sizeof path) ||
        harass_policy_active(http__db(r), path, p, version, err, sizeof err)) {
        log_msg(LOG_ERROR, "harass policy: %s", err);
        http__reply_error(r, 500, "internal", "the harassment policy could not be loaded");
        return 500;
    }
    return 0;
}

int api_harass_policy_get(struct req *r)
{
    harass_policy *p;
    int version;
    int rc = active_policy(r, &p, &version);
    if (rc)
        return rc;
    http__reply_json(
        r, 200, json_pack("{s:i, s:O}", "version", version, "policy", harass_policy_document(p)));
    harass_policy_free(p);
    return 200;
}

int api_harass_policy_put(struct req *r)
{
    harass_policy *p;
    char err[600];
    int version;
    if (harass_policy_from_json(r->json, &p, err, sizeof err))
        return bad_request(r, err);
    int rc = harass_policy_save(http__db(r), p, r->who.login, &version, err, sizeof err);
    if (rc) {
        harass_policy_free(p);
        return http__store_error(r, STORE_ERROR, "policy");
    }
    /* This server's call guard takes it at once (it owns p from here); other servers' engines
     * find the new version on their next call start. */
    if (r->srv->guard)
        guard_engine_set_policy(r->srv->guard, p, version);
    else
        harass_policy_free(p);
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    http__audit(r, "harass.policy.import", "policy", v);
    http__reply_json(r, 201, json_pack("{s:i}", "version", version));
    return 201;
}

int api_harass_judge(struct req *r)
{
    struct harass_judge_input in;
    char err[1200];
    if (http_decode_harass_judge(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    harass_policy *p;
    int version;
    int rc = active_policy(r, &p, &version);
    if (rc)
        return rc;
    char reqs[sizeof in.requests];
    const char *req[HARASS_MAX_CATEGORIES];
    int nreq = 0;
    struct harass_judgement j;
    if (in.requests[0] &&
        harass_requests_check(p, in.requests, reqs, sizeof reqs, err, sizeof err)) {
        harass_policy_free(p);
        return bad_request(r, err + (strncmp(err, "--", 2) == 0 ? 2 : 0));
    }
    if (in.requests[0])
        nreq = harass_split_codes(reqs, req, HARASS_MAX_CATEGORIES);
    harass_judge(p, in.behaviour, in.demand, req, nreq, &j, err, sizeof err);
    json_t *out = harass_judgement_json(p, in.behaviour, in.demand, &j);
    json_object_set_new(out, "policy_version", json_integer(version));
    harass_policy_free(p);
    http__reply_json(r, 200, out);
    return 200;
}

/* Who may flag for whom: an operator only for themself; supervisors and managers for their
 * center; consultants for client centers; admins anywhere. */
static int may_flag(struct req *r, const struct org_center *c, const char *operator_login)
{
    return org_can_flag(&r->who, c, operator_login);
}

int api_harass_case_create(struct req *r)
{
    struct harass_case_input in;
    char err[1200];
    if (http_decode_harass_case(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    store *db = http__db(r);
    struct org_center c;
    if (!in.operator[0] && org_flags_for_self(&r->who))
        str_copy(in.operator, sizeof in.operator, r->who.login);
    if (!in.center[0] && r->who.center_id) {
        if (store_center_get_id(db, r->who.center_id, &c))
            return http__store_error(r, STORE_ERROR, "center");
        str_copy(in.center, sizeof in.center, c.code);
    }
    if (!in.center[0] || !in.operator[0])
        return bad_request(r, "center and operator: required");
    int rc = store_center_get(db, in.center, &c);
    if (rc == STORE_NOTFOUND)
        return bad_request(r, "center: does not exist");
    if (rc)
        return http__store_error(r, rc, "center");
    if (!may_flag(r, &c, in.operator)) {
        http__reply_error(r, 403, "forbidden", "your role may not flag for this operator");
        return 403;
    }
    struct harass_flag_input f = {
        .center = in.center,
        .operator= in.operator,
        .behaviour = in.behaviour,
        .demand = in.demand,
        .categories = in.categories,
        .requests = in.requests[0] ? in.requests : NULL,
        .channel = in.channel[0] ? in.channel : NULL,
        .interaction = in.interaction,
        .memo = in.memo,
        .caller_number = in.caller[0] ? in.caller : NULL,
        .source = org_flag_source(&r->who),
        .evidence = in.evidence[0] ? in.evidence : NULL,
        .by = r->who.login,
    };
    if (in.at[0] && harass_parse_time(in.at, &f.occurred_at))
        return bad_request(r, "at: not a time like 2026-11-20T14:30+09:00");
    harass_policy *p;
    int version;
    if ((rc = active_policy(r, &p, &version)))
        return rc;
    struct harass_case out;
    rc = harass_flag(db, p, version, &f, &out, err, sizeof err);
    if (rc == HARASS_OK)
        http__reply_json(r, 201, harass_case_json(p, &out));
    harass_policy_free(p);
    if (rc == HARASS_EINVAL)
        return bad_request(r, err + (strncmp(err, "--", 2) == 0 ? 2 : 0));
    if (rc)
        return http__store_error(r, STORE_ERROR, "case");
    return 201;
}

/* Loads the case of the path and checks that the caller may see it. */
static int load_case(struct req *r, int review, struct harass_case *c)
{
    int64_t id;
    if (parse_int64(r->params[0], 1, INT64_MAX, &id)) {
        http__reply_error(r, 404, "not_found", "case \"%s\" does not exist", r->params[0]);
        return 404;
    }
    store *db = http__db(r);
    int rc = store_harass_case_get(db, id, c);
    if (rc)
        return http__store_error(r, rc, "case");
    struct org_center center;
    if ((rc = store_center_get_id(db, c->center_id, &center)))
        return http__store_error(r, rc, "center");
    if (!org_can_see_case(&r->who, &center, c->operator_id, review)) {
        http__reply_error(r, 403, "forbidden", "your role may not %s this case",
                          review ? "review" : "see");
        return 403;
    }
    return 0;
}

static json_t *case_with_history(struct req *r, const harass_policy *p, const struct harass_case *c)
{
    json_t *j = harass_case_json(p, c);
    struct harass_review *hist = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    if (store_harass_review_list(http__db(r), c->id, &hist, &n) == STORE_OK)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, harass_review_json(&hist[i]));
    free(hist);
    json_object_set_new(j, "history", arr);
    return j;
}

int api_harass_case_get(struct req *r)
{
    struct harass_case c;
    harass_policy *p;
    int version;
    int rc = load_case(r, 0, &c);
    if (rc || (rc = active_policy(r, &p, &version)))
        return rc;
    http__reply_json(r, 200, case_with_history(r, p, &c));
    harass_policy_free(p);
    return 200;
}

int api_harass_case_review(struct req *r)
{
    struct harass_review_input in;
    struct harass_case c;
    char err[1200];
    int rc = load_case(r, 1, &c);
    if (rc)
        return rc;
    if (http_decode_harass_review(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    harass_policy *p;
    int version;
    if ((rc = active_policy(r, &p, &version)))
        return rc;
    rc = harass_review(http__db(r), p, version, c.id, r->who.login, in.behaviour, in.demand,
                       in.note, in.amend, &c, err, sizeof err);
    if (rc == HARASS_OK)
        http__reply_json(r, 200, case_with_history(r, p, &c));
    harass_policy_free(p);
    if (rc == HARASS_EEXISTS) {
        http__reply_error(r, 409, "conflict", "%s", err);
        return 409;
    }
    if (rc == HARASS_EINVAL)
        return bad_request(r, err);
    if (rc)
        return http__store_error(r, STORE_ERROR, "review");
    return 200;
}

/* The center of the path, readable (or, for write, managed) by the caller. */
static int load_center(struct req *r, int write, struct org_center *c)
{
    int rc = store_center_get(http__db(r), r->params[0], c);
    if (rc)
        return http__store_error(r, rc, "center");
    if (!(write ? org_can_write_center(&r->who, c) : org_can_read_center(&r->who, c))) {
        http__reply_error(r, 403, "forbidden", "your role may not see this center's cases");
        return 403;
    }
    return 0;
}

static const char *query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ?from=YYYY-MM-DD&to=YYYY-MM-DD (Japan time, to included); replies 400 when either is bad. */
static int period(struct req *r, const char *f, const char *t, int64_t *from, int64_t *to)
{
    if (!f || strlen(f) != 10 || harass_parse_time(f, from))
        return bad_request(r, "from: a date YYYY-MM-DD is required");
    if (!t || strlen(t) != 10 || harass_parse_time(t, to) || *to < *from)
        return bad_request(r, "to: a date YYYY-MM-DD on or after from is required");
    return 0;
}

int api_harass_queue(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 0, &c);
    if (rc)
        return rc;
    char week[12];
    int64_t start;
    const char *w = query(r, "week");
    if (w && harass_week_start(w, &start))
        return bad_request(r, "week: not an ISO week like 2026-W47");
    if (w)
        str_copy(week, sizeof week, w);
    else
        harass_iso_week(now_unix(), week);
    harass_policy *p;
    int version;
    if ((rc = active_policy(r, &p, &version)))
        return rc;
    struct harass_case *cases = NULL;
    size_t n = 0;
    if ((rc = store_harass_case_week(http__db(r), c.id, week, &cases, &n))) {
        harass_policy_free(p);
        return http__store_error(r, rc, "cases");
    }
    json_t *arr = json_array();
    int pending = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, harass_case_json(p, &cases[i]));
        pending += cases[i].reviews == 0;
    }
    free(cases);
    harass_policy_free(p);
    http__reply_json(r, 200,
                     json_pack("{s:s, s:s, s:i, s:i, s:o}", "center", c.code, "week", week, "total",
                               (int)n, "pending", pending, "cases", arr));
    return 200;
}

int api_harass_agreement(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 1, &c);
    if (rc)
        return rc;
    int64_t from, to;
    const char *f = query(r, "from"), *t = query(r, "to");
    if ((rc = period(r, f, t, &from, &to)))
        return rc;
    struct harass_case *cases = NULL;
    size_t n = 0;
    if ((rc = store_harass_case_reviewed(http__db(r), c.id, from, to + 86400, &cases, &n)))
        return http__store_error(r, rc, "cases");
    json_t *j = harass_agreement_json(cases, n, NULL);
    free(cases);
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    json_object_set_new(j, "center", json_string(c.code));
    http__reply_json(r, 200, j);
    return 200;
}

int api_harass_care_list(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 0, &c);
    if (rc)
        return rc;
    const char *all = query(r, "all"), *overdue = query(r, "overdue");
    struct harass_care *tasks = NULL;
    size_t n = 0;
    if ((rc = store_harass_care_list(http__db(r), c.id, !(all && strcmp(all, "1") == 0), &tasks,
                                     &n)))
        return http__store_error(r, rc, "care tasks");
    int64_t now = now_unix();
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (!(overdue && strcmp(overdue, "1") == 0) || (!tasks[i].done_at && now > tasks[i].due_at))
            json_array_append_new(arr, harass_care_json(&tasks[i], now));
    free(tasks);
    http__reply_json(r, 200, json_pack("{s:s, s:o}", "center", c.code, "tasks", arr));
    return 200;
}

int api_harass_care_done(struct req *r)
{
    struct care_done_input in;
    char err[300];
    int64_t id;
    struct harass_care t;
    struct org_center c;
    if (parse_int64(r->params[0], 1, INT64_MAX, &id) ||
        store_harass_care_get(http__db(r), id, &t)) {
        http__reply_error(r, 404, "not_found", "care task \"%s\" does not exist", r->params[0]);
        return 404;
    }
    int rc = store_center_get_id(http__db(r), t.center_id, &c);
    if (rc)
        return http__store_error(r, rc, "center");
    /* The assignee, while still in that center, or someone who manages the center. */
    int assignee = t.assignee_id == r->who.user_id && org_can_read_center(&r->who, &c);
    if (!(assignee || org_can_write_center(&r->who, &c))) {
        http__reply_error(r, 403, "forbidden",
                          "only the assigned supervisor or a manager may "
                          "close this care task");
        return 403;
    }
    if (http_decode_care_done(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    if ((rc = store_harass_care_done(http__db(r), id, in.note, now_unix()))) {
        if (rc == STORE_NOTFOUND) {
            http__reply_error(r, 409, "conflict", "care task %lld is already done", (long long)id);
            return 409;
        }
        return http__store_error(r, rc, "care task");
    }
    http__audit(r, "harass.care.done", r->params[0], "");
    http__reply_json(r, 204, NULL);
    return 204;
}

int api_harass_stats(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 0, &c);
    if (rc)
        return rc;
    int64_t from, to;
    const char *f = query(r, "from"), *t = query(r, "to");
    if ((rc = period(r, f, t, &from, &to)))
        return rc;
    int64_t end = to + 86400, since = end - (int64_t)HARASS_REPEAT_DAYS * 86400;
    struct harass_case *cases = NULL;
    struct harass_calls *calls = NULL;
    size_t nc = 0, ncalls = 0;
    store *db = http__db(r);
    if ((rc = store_harass_case_range(db, c.id, since < from ? since : from, end, &cases, &nc)) ||
        (rc = store_harass_calls_range(db, c.id, f, t, &calls, &ncalls))) {
        free(cases);
        return http__store_error(r, rc, "statistics");
    }
    json_t *j = harass_stats_json(cases, nc, calls, ncalls, from, end);
    free(cases);
    free(calls);
    json_object_set_new(j, "center", json_string(c.code));
    json_object_set_new(j, "from", json_string(f));
    json_object_set_new(j, "to", json_string(t));
    http__reply_json(r, 200, j);
    return 200;
}

int api_harass_mood_trend(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 0, &c);
    if (rc)
        return rc;
    /* A supervisor sees their own team only; one without a team sees nothing. */
    int64_t team;
    if (org_mood_team(&r->who, &team)) {
        http__reply_error(r, 403, "forbidden",
                          "a supervisor sees the mood trend of their team, "
                          "and you have none");
        return 403;
    }
    struct harass_mood *m = NULL;
    struct org_team *teams = NULL;
    size_t n = 0, nt = 0;
    store *db = http__db(r);
    if ((rc = store_mood_of_center(db, c.id, now_unix() - 12 * 7 * 86400, &m, &n)) ||
        (rc = store_team_list(db, c.id, &teams, &nt))) {
        free(m);
        return http__store_error(r, rc, "mood");
    }
    json_t *j = harass_mood_trend_json(m, n, team, teams, nt);
    free(m);
    free(teams);
    json_object_set_new(j, "center", json_string(c.code));
    http__reply_json(r, 200, j);
    return 200;
}

int api_me_mood_add(struct req *r)
{
    struct mood_input in;
    char err[300];
    if (http_decode_mood(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    struct harass_mood m = {
        .user_id = r->who.user_id, .at = now_unix(), .mood = in.mood, .shared = in.shared};
    str_copy(m.memo, sizeof m.memo, in.memo);
    int rc = store_mood_add(http__db(r), &m);
    if (rc)
        return http__store_error(r, rc, "mood");
    http__reply_json(r, 201, harass_mood_json(&m));
    return 201;
}

int api_me_mood_list(struct req *r)
{
    struct harass_mood *m = NULL;
    size_t n = 0;
    int rc = store_mood_of_user(http__db(r), r->who.user_id, 90, &m, &n);
    if (rc)
        return http__store_error(r, rc, "mood");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, harass_mood_json(&m[i]));
    free(m);
    http__reply_json(r, 200, json_pack("{s:o}", "entries", arr));
    return 200;
}

int api_harass_calls(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 1, &c);
    if (rc)
        return rc;
    struct calls_input *in = malloc(sizeof *in);
    char err[300];
    if (!in)
        return http__store_error(r, STORE_ERROR, "memory");
    if (http_decode_calls(r->json, in, err, sizeof err)) {
        free(in);
        return bad_request(r, err);
    }
    for (int i = 0; i < in->n; i++) {
        int64_t t;
        if (harass_parse_time(in->rows[i].day, &t)) {
            snprintf(err, sizeof err, "days[%d].date: \"%s\" is not a date", i, in->rows[i].day);
            free(in);
            return bad_request(r, err);
        }
    }
    /* One transaction: the days are stored together or not at all. */
    store *db = http__db(r);
    rc = store_begin(db);
    for (int i = 0; rc == STORE_OK && i < in->n; i++) {
        struct harass_calls row = {.calls = in->rows[i].calls};
        str_copy(row.day, sizeof row.day, in->rows[i].day);
        str_copy(row.team, sizeof row.team, in->rows[i].team);
        rc = store_harass_calls_put(db, c.id, &row);
    }
    if (rc == STORE_OK)
        rc = store_commit(db);
    int n = in->n;
    free(in);
    if (rc) {
        store_rollback_all(db);
        return http__store_error(r, rc, "call counts");
    }
    http__audit(r, "harass.calls.import", c.code, "");
    http__reply_json(r, 201, json_pack("{s:s, s:i}", "center", c.code, "days", n));
    return 201;
}

int api_harass_purge(struct req *r)
{
    struct purge_input in;
    char err[300];
    if (http_decode_purge(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    harass_policy *p;
    int version;
    int rc = active_policy(r, &p, &version);
    if (rc)
        return rc;
    if (!in.days) {
        in.days = harass_retention_days(p);
    }
    harass_policy_free(p);
    int64_t count = 0;
    struct svc x;
    svc_init(&x, http__db(r), &r->who, r->addr);
    if ((rc = svc_harass_purge(&x, in.days, in.dry_run, &count)))
        return http__store_error(r, rc, "purge");
    http__reply_json(r, 200,
                     json_pack("{s:I, s:I, s:b}", "cases", (json_int_t)count, "days",
                               (json_int_t)in.days, "dry_run", in.dry_run));
    return 200;
}
