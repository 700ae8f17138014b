/* カスハラ対応: the policy grid, weeks and times, caller references, and flag → review → care on
 * both backends. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "core/util.h"
#include "harass/harass.h"
#include "store/store_harass.h"
#include "store/store_org.h"
#include "testutil.h"

static void policy_path(char *out, size_t len)
{
    snprintf(out, len, "%s/../../data/policy/default.json", getenv("IKIIKI_TEST_DATA"));
}

static harass_policy *default_policy(void)
{
    char path[512], err[600];
    harass_policy *p = NULL;
    policy_path(path, sizeof path);
    if (harass_policy_load(path, &p, err, sizeof err))
        fail_msg("%s", err);
    return p;
}

static void test_judge_table(void **state)
{
    (void)state;
    harass_policy *p = default_policy();
    char path[512], line[512], err[600];
    snprintf(path, sizeof path, "%s/harass/judge.tsv", getenv("IKIIKI_TEST_DATA"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int row = 0, cases = 0;
    while (fgets(line, sizeof line, f)) {
        row++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        int b, d;
        char reqs[128], verdict[32], response[64];
        if (sscanf(line, "%d\t%d\t%127s\t%31s\t%63s", &b, &d, reqs, verdict, response) != 5)
            fail_msg("judge.tsv row %d: expected 5 columns", row);
        const char *req[8];
        int nreq = 0;
        if (strcmp(reqs, "-") != 0)
            for (char *sv, *t = strtok_r(reqs, ",", &sv); t && nreq < 8;
                 t = strtok_r(NULL, ",", &sv))
                req[nreq++] = t;
        struct harass_judgement j;
        if (harass_judge(p, b, d, req, nreq, &j, err, sizeof err))
            fail_msg("judge.tsv row %d: %s", row, err);
        if (strcmp(harass_verdict_name(j.verdict), verdict) || strcmp(j.response, response))
            fail_msg("judge.tsv row %d: got %s/%s, want %s/%s", row, harass_verdict_name(j.verdict),
                     j.response, verdict, response);
        assert_int_equal(j.escalated, nreq > 0);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 15);

    struct harass_judgement j;
    assert_int_equal(harass_judge(p, 5, 0, NULL, 0, &j, err, sizeof err), -1);
    assert_string_equal(err, "--behaviour: value 5 is not one of 0, 1, 2, 3, 4");
    assert_int_equal(harass_judge(p, 0, -1, NULL, 0, &j, err, sizeof err), -1);
    assert_non_null(strstr(err, "--demand: value -1"));
    const char *bad[] = {"lawsuit"};
    assert_int_equal(harass_judge(p, 0, 0, bad, 1, &j, err, sizeof err), -1);
    assert_non_null(strstr(err, "\"lawsuit\" is not one of legal_action, refund_over_limit"));

    char cats[256];
    assert_int_equal(
        harass_categories_check(p, "threat,abuse,threat", cats, sizeof cats, err, sizeof err), 0);
    assert_string_equal(cats, "abuse,threat"); /* policy order, no duplicates */
    assert_int_equal(harass_categories_check(p, "abuse,,x", cats, sizeof cats, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "--category: \"\" is not one of abuse, threat"));
    assert_int_equal(harass_categories_check(p, "", cats, sizeof cats, err, sizeof err), -1);
    assert_int_equal(harass_care_due_hours(p), 24);
    assert_int_equal(harass_retention_days(p), 1095);

    /* The reentrant splitter: empty entries dropped, at most max kept. */
    char list[] = "legal_action,,media,", one[] = "media", none[] = "";
    const char *codes[2];
    assert_int_equal(harass_split_codes(list, codes, 2), 2);
    assert_string_equal(codes[0], "legal_action");
    assert_string_equal(codes[1], "media");
    assert_int_equal(harass_split_codes(one, codes, 2), 1);
    assert_int_equal(harass_split_codes(none, codes, 2), 0);
    harass_policy_free(p);
}

static void test_policy_validation(void **state)
{
    (void)state;
    static const struct {
        const char *edit; /* a JSON Pointer-ish change applied by the test */
        const char *msg;
    } cases[] = {
        {"grid.2.3=maybe", "grid[2][3]: \"maybe\" is not one of claim, grey, harassment"},
        {"grid.0.0=claim/dance", "grid[0][0]: response \"dance\" is not listed in responses"},
        {"drop:behaviour", "behaviour: expected 5 levels"},
        {"drop:categories", "categories: expected a list"},
        {"verdicts.grey.response=nap", "verdicts.grey: needs a \"label\" and a \"response\""},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        harass_policy *base = default_policy();
        json_t *doc = json_deep_copy(harass_policy_document(base));
        harass_policy_free(base);
        const char *e = cases[i].edit;
        if (strncmp(e, "drop:", 5) == 0) {
            json_object_del(doc, e + 5);
        } else if (strncmp(e, "grid.", 5) == 0) {
            int b = e[5] - '0', d = e[7] - '0';
            json_array_set_new(json_array_get(json_object_get(doc, "grid"), (size_t)b), (size_t)d,
                               json_string(e + 9));
        } else {
            json_object_set_new(json_object_get(json_object_get(doc, "verdicts"), "grey"),
                                "response", json_string("nap"));
        }
        harass_policy *p = NULL;
        char err[600];
        assert_int_equal(harass_policy_from_json(doc, &p, err, sizeof err), -1);
        if (!strstr(err, cases[i].msg))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
        json_decref(doc);
    }
}

static void test_weeks_and_times(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t want; /* Unix time, or -1 for refused */
    } times[] = {
        {"2026-11-20T14:30", 1795152600}, /* 14:30 JST = 05:30 UTC (date -u -d) */
        {"2026-11-20T14:30:15Z", 1795185015},
        {"2026-11-20T14:30+09:00", 1795152600},
        {"2026-11-20 05:30:00Z", 1795152600},
        {"2026-11-20", 1795100400}, /* 00:00 JST = 15:00 UTC the day before */
        {"2026-02-30", -1},
        {"2026-11-20T25:00", -1},
        {"2026-11-20T14:30+9", -1},
        {"20261120", -1},
        {"", -1},
    };
    for (size_t i = 0; i < ARRAY_LEN(times); i++) {
        int64_t t = 0;
        int rc = harass_parse_time(times[i].text, &t);
        if (times[i].want < 0 ? rc == 0 : (rc != 0 || t != times[i].want))
            fail_msg("\"%s\": rc %d, t %lld", times[i].text, rc, (long long)t);
    }
    char w[12];
    harass_iso_week(1795152600, w); /* Friday 20 November 2026 */
    assert_string_equal(w, "2026-W47");
    /* Sunday 23:30 JST is still the week that began on Monday; Monday 00:00 JST starts the next,
     * although in UTC both are on Sunday. */
    harass_iso_week(1795357800, w); /* 2026-11-22T23:30+09:00 */
    assert_string_equal(w, "2026-W47");
    harass_iso_week(1795359600, w); /* 2026-11-23T00:00+09:00 */
    assert_string_equal(w, "2026-W48");
    harass_iso_week(1767193200, w); /* 2026-01-01T00:00+09:00 is in 2026-W01 */
    assert_string_equal(w, "2026-W01");
    int64_t start;
    assert_int_equal(harass_week_start("2026-W47", &start), 0);
    assert_int_equal(start, 1794754800); /* Monday 2026-11-16 00:00 JST */
    /* 31 December 2025 falls in 2026-W01, so 2025 has 52 weeks; 2026 ends on a Thursday and
     * has 53. */
    assert_int_equal(harass_week_start("2025-W53", &start), -1);
    assert_int_equal(harass_week_start("2026-W53", &start), 0);
    assert_int_equal(harass_week_start("2026-W7", &start), -1);
    assert_int_equal(harass_week_start("2026-47", &start), -1);
}

static void test_caller_ref(void **state)
{
    (void)state;
    unsigned char key[32] = {1, 2, 3}, other[32] = {9};
    char a[65], b[65], c[65], d[65];
    assert_int_equal(harass_caller_ref(key, "090-1234-5678", a), 0);
    assert_int_equal(harass_caller_ref(key, "+81 90 1234 5678", b), 0);
    assert_int_equal(harass_caller_ref(key, "(090) 1234 5678", c), 0);
    assert_string_equal(a, b); /* the same caller, written two ways */
    assert_string_equal(a, c);
    assert_int_equal(harass_caller_ref(other, "090-1234-5678", d), 0);
    assert_string_not_equal(a, d); /* another database, another reference */
    assert_null(strstr(a, "5678"));
    assert_int_equal(strlen(a), 64);
    assert_int_equal(harass_caller_ref(key, "12a", a), -1);
}

/* A center with an operator, her team's supervisor and a manager. */
static store *fixture(const char *backend, struct org_user *op)
{
    char url[512], err[600];
    if (tu_db_url(backend, "harass", url, sizeof url))
        return NULL;
    store *s = NULL;
    if (store_open(url, &s, err, sizeof err) || store_migrate(s, NULL))
        fail_msg("%s: %s", backend, s ? store_errmsg(s) : err);
    struct org_company co = {.code = "DEMO", .name = "デモ"};
    assert_int_equal(store_company_add(s, &co), STORE_OK);
    struct org_center c = {.company_id = co.id, .code = "TKY", .name = "東京"};
    assert_int_equal(store_center_add(s, &c), STORE_OK);
    struct org_team t = {.center_id = c.id, .code = "A", .name = "A"}, t2 = t;
    str_copy(t2.code, sizeof t2.code, "B");
    assert_int_equal(store_team_add(s, &t), STORE_OK);
    assert_int_equal(store_team_add(s, &t2), STORE_OK);
    const struct {
        const char *login;
        enum org_role role;
        int64_t team;
    } people[] = {{"mgr", ROLE_CENTER_MANAGER, 0},
                  {"sv_b", ROLE_SUPERVISOR, t2.id},
                  {"sv_a", ROLE_SUPERVISOR, t.id},
                  {"op1", ROLE_OPERATOR, t.id}};
    for (size_t i = 0; i < ARRAY_LEN(people); i++) {
        struct org_user u = {.role = people[i].role, .center_id = c.id, .team_id = people[i].team};
        str_copy(u.login, sizeof u.login, people[i].login);
        str_copy(u.password_hash, sizeof u.password_hash, "x");
        assert_int_equal(store_user_add(s, &u), STORE_OK);
        if (strcmp(u.login, "op1") == 0)
            *op = u;
    }
    return s;
}

static void test_flag_review_care(void **state)
{
    (void)state;
    char path[512], err[1200];
    policy_path(path, sizeof path);
    for (int bk = 0; bk < 2; bk++) {
        struct org_user op;
        store *s = fixture(tu_backends[bk], &op);
        if (!s)
            continue;
        harass_policy *p = NULL;
        int version = 0;
        assert_int_equal(harass_policy_active(s, path, &p, &version, err, sizeof err), 0);
        assert_int_equal(version, 1); /* the default file became version 1 */

        struct harass_flag_input in = {.center = "TKY",
                                       .operator= "op1",
                                       .behaviour = 1,
                                       .demand = 2,
                                       .categories = "repeat",
                                       .occurred_at = 1795152600,
                                       .caller_number = "090-1234-5678",
                                       .by = "op1"};
        struct harass_case grey, harsh, got;
        assert_int_equal(harass_flag(s, p, version, &in, &grey, err, sizeof err), 0);
        assert_int_equal(grey.verdict, VERDICT_GREY);
        assert_string_equal(grey.week, "2026-W47");
        assert_string_equal(grey.team, "A");
        assert_int_equal(strlen(grey.caller_ref), 64);
        in.behaviour = 3;
        in.demand = 3;
        in.categories = "insult,forced_apology";
        assert_int_equal(harass_flag(s, p, version, &in, &harsh, err, sizeof err), 0);
        assert_int_equal(harsh.verdict, VERDICT_HARASSMENT);
        assert_string_equal(harsh.caller_ref, grey.caller_ref);

        /* Bad flags store nothing. */
        in.operator= "nobody";
        assert_int_equal(harass_flag(s, p, version, &in, &got, err, sizeof err), HARASS_EINVAL);
        assert_non_null(strstr(err, "--operator: user \"nobody\" does not exist"));
        in.operator= "op1";
        in.categories = "abuse,shouting";
        assert_int_equal(harass_flag(s, p, version, &in, &got, err, sizeof err), HARASS_EINVAL);
        struct harass_case *week = NULL;
        size_t n = 0;
        assert_int_equal(store_harass_case_week(s, grey.center_id, "2026-W47", &week, &n), 0);
        assert_int_equal(n, 2);
        free(week);

        /* Only the harassment verdict opened care, for the supervisor of op1's own team. */
        struct harass_care *care = NULL;
        assert_int_equal(store_harass_care_list(s, grey.center_id, 1, &care, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(care[0].case_id, harsh.id);
        assert_string_equal(care[0].assignee_login, "sv_a");
        assert_int_equal(care[0].due_at - care[0].opened_at, 24 * 3600);
        int64_t care_id = care[0].id;
        free(care);

        /* Review: HQ sees the grey case as harassment; that opens care for it too. */
        assert_int_equal(
            harass_review(s, p, version, grey.id, "hq", 2, 3, "", 0, &got, err, sizeof err), 0);
        assert_int_equal(got.final_verdict, VERDICT_HARASSMENT);
        assert_int_equal(got.verdict, VERDICT_GREY); /* the field's plot is kept */
        assert_int_equal(
            harass_review(s, p, version, grey.id, "hq", 1, 1, "", 0, &got, err, sizeof err),
            HARASS_EEXISTS);
        assert_non_null(strstr(err, "--amend"));
        assert_int_equal(
            harass_review(s, p, version, grey.id, "hq2", 1, 1, "再確認", 1, &got, err, sizeof err),
            0);
        assert_int_equal(got.final_verdict, VERDICT_CLAIM);
        assert_int_equal(got.reviews, 2);
        assert_string_equal(got.reviewer, "hq2");
        struct harass_review *hist = NULL;
        assert_int_equal(store_harass_review_list(s, grey.id, &hist, &n), 0);
        assert_int_equal(n, 2); /* the amended review is kept */
        assert_int_equal(hist[0].verdict, VERDICT_HARASSMENT);
        free(hist);
        assert_int_equal(
            harass_review(s, p, version, 9999, "hq", 1, 1, "", 0, &got, err, sizeof err),
            HARASS_ENOTFOUND);
        assert_int_equal(store_harass_care_list(s, grey.center_id, 1, &care, &n), 0);
        assert_int_equal(n, 2);
        free(care);

        /* HQ confirms the case the field already called harassment: no second care task, and the
         * transaction stays usable (on PostgreSQL a failed insert would have aborted it). */
        assert_int_equal(
            harass_review(s, p, version, harsh.id, "hq", 3, 3, "", 0, &got, err, sizeof err), 0);
        assert_int_equal(got.final_verdict, VERDICT_HARASSMENT);
        assert_int_equal(store_harass_care_list(s, grey.center_id, 0, &care, &n), 0);
        assert_int_equal(n, 2);
        free(care);
        assert_int_equal(store_harass_care_done(s, care_id, "面談済み", 1795200000), 0);
        assert_int_equal(store_harass_care_done(s, care_id, "again", 1795200001), STORE_NOTFOUND);
        assert_int_equal(store_harass_care_list(s, grey.center_id, 1, &care, &n), 0);
        assert_int_equal(n, 1);
        free(care);

        /* A new policy version: new cases carry it, old ones keep theirs. */
        int v2 = 0;
        assert_int_equal(harass_policy_save(s, p, "admin", &v2, err, sizeof err), 0);
        assert_int_equal(v2, 2);
        harass_policy_free(p);
        assert_int_equal(harass_policy_active(s, path, &p, &version, err, sizeof err), 0);
        assert_int_equal(version, 2);
        assert_int_equal(store_harass_case_get(s, harsh.id, &got), 0);
        assert_int_equal(got.policy_version, 1);
        harass_policy_free(p);
        store_free(s);
    }
}

/* A case for the pure statistics: week computed from the time, final verdict when reviewed. */
static struct harass_case mk(const char *at, const char *team, const char *cats,
                             enum harass_verdict field, int reviewed, enum harass_verdict final,
                             const char *caller)
{
    struct harass_case c;
    memset(&c, 0, sizeof c);
    assert_int_equal(harass_parse_time(at, &c.occurred_at), 0);
    harass_iso_week(c.occurred_at, c.week);
    c.team_id = team ? 1 : 0;
    str_copy(c.team, sizeof c.team, team ? team : "");
    str_copy(c.categories, sizeof c.categories, cats);
    c.verdict = field;
    c.reviews = reviewed;
    c.final_verdict = final;
    str_copy(c.caller_ref, sizeof c.caller_ref, caller ? caller : "");
    return c;
}

static json_t *find(json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) if (strcmp(json_string_value(json_object_get(e, key)), value) ==
                                      0) return e;
    fail_msg("no %s = %s", key, value);
    return NULL;
}

static int64_t iv(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void test_stats(void **state)
{
    (void)state;
    const enum harass_verdict C = VERDICT_CLAIM, G = VERDICT_GREY, H = VERDICT_HARASSMENT;
    struct harass_case cases[] = {
        /* Before the period but inside 90 days: counts for repeat callers only. */
        mk("2026-09-01T10:00", "A", "abuse", H, 0, C, "caller-x"),
        /* More than 90 days before the end (2026-11-23 00:00 JST): ignored everywhere. */
        mk("2026-08-20T10:00", "A", "abuse", H, 0, C, "caller-y"),
        /* The period, W45 (Mon 2 Nov – Sun 8 Nov) and W46. */
        mk("2026-11-02T09:00", "A", "abuse,threat", H, 0, C, "caller-x"), /* H */
        mk("2026-11-03T09:00", "B", "abuse", G, 1, H, "caller-y"),        /* H by review */
        mk("2026-11-04T09:00", "A", "repeat", H, 1, C, "caller-z"),       /* C by review */
        mk("2026-11-10T09:00", NULL, "repeat", G, 0, C, "caller-z"),      /* G, no team */
        mk("2026-11-11T09:00", "B", "abuse", H, 0, C, "caller-z"),        /* H */
    };
    struct harass_calls calls[] = {
        {"2026-11-02", "", 400},
        {"2026-11-03", "", 600},
        {"2026-11-03", "B", 200}, /* team row: not summed */
        {"2026-11-10", "", 0},
    };
    int64_t from, to;
    assert_int_equal(harass_parse_time("2026-11-01", &from), 0);
    assert_int_equal(harass_parse_time("2026-11-23", &to), 0);
    json_t *j = harass_stats_json(cases, ARRAY_LEN(cases), calls, ARRAY_LEN(calls), from, to);
    json_t *t = json_object_get(j, "total");
    /* 5 cases in the period: H, H (review), C (review), G, H. */
    assert_int_equal(iv(t, "cases"), 5);
    assert_int_equal(iv(t, "harassment"), 3);
    assert_int_equal(iv(t, "grey"), 1);
    assert_int_equal(iv(t, "claim"), 1);
    assert_int_equal(iv(t, "reviewed"), 2);
    json_t *weeks = json_object_get(j, "by_week");
    assert_int_equal(json_array_size(weeks), 2);
    json_t *w45 = find(weeks, "week", "2026-W45"), *w46 = find(weeks, "week", "2026-W46");
    assert_int_equal(iv(w45, "cases"), 3);
    assert_int_equal(iv(w45, "calls"), 1000); /* 400 + 600; the team B row is a breakdown */
    assert_true(fabs(json_real_value(json_object_get(w45, "per_1000")) - 3.0) < 1e-12);
    assert_int_equal(iv(w46, "calls"), 0);
    assert_true(json_is_null(json_object_get(w46, "per_1000"))); /* no calls: no rate */
    json_t *teams = json_object_get(j, "by_team");
    assert_int_equal(iv(find(teams, "team", "A"), "cases"), 2);
    assert_int_equal(iv(find(teams, "team", "B"), "harassment"), 2);
    assert_int_equal(iv(find(teams, "team", "-"), "grey"), 1);
    json_t *cats = json_object_get(j, "by_category");
    assert_int_equal(iv(find(cats, "category", "abuse"), "cases"), 3);
    assert_int_equal(iv(find(cats, "category", "threat"), "cases"), 1);
    assert_int_equal(iv(find(cats, "category", "repeat"), "claim"), 1);
    /* Repeat callers in the 90 days before the end: x has H on 09-01 and 11-02 → listed; y's
     * 08-20 case is too old and its 11-03 review makes one → not listed; z has one H (11-11),
     * its 11-04 case was reviewed down to a claim. */
    json_t *rep = json_object_get(j, "repeat_callers");
    assert_int_equal(json_array_size(rep), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rep, 0), "caller_ref")),
                        "caller-x");
    assert_int_equal(iv(json_array_get(rep, 0), "harassment"), 2);
    json_decref(j);
}

static struct harass_mood mood(int64_t user, int64_t team, const char *at, int level, int shared,
                               const char *memo)
{
    struct harass_mood m = {.user_id = user, .team_id = team, .mood = level, .shared = shared};
    snprintf(m.login, sizeof m.login, "op%lld", (long long)user);
    str_copy(m.memo, sizeof m.memo, memo);
    assert_int_equal(harass_parse_time(at, &m.at), 0);
    return m;
}

static void test_mood_trend(void **state)
{
    (void)state;
    struct org_team teams[] = {{.id = 10, .code = "A"}, {.id = 20, .code = "B"}};
    struct harass_mood m[] = {
        /* Team A: five operators, W46 then W47. */
        mood(1, 10, "2026-11-10T18:00", 4, 0, "private one"),
        mood(2, 10, "2026-11-10T18:00", 2, 0, "private two"),
        mood(3, 10, "2026-11-11T18:00", 3, 1, "shared three"),
        mood(4, 10, "2026-11-12T18:00", 5, 0, ""),
        mood(5, 10, "2026-11-12T18:00", 1, 0, ""),
        mood(1, 10, "2026-11-17T18:00", 2, 0, ""),
        mood(2, 10, "2026-11-18T18:00", 3, 0, ""),
        /* Team B: three operators only. */
        mood(6, 20, "2026-11-10T18:00", 1, 0, "b private"),
        mood(7, 20, "2026-11-11T18:00", 2, 1, "b shared"),
        mood(8, 20, "2026-11-12T18:00", 3, 0, ""),
    };
    json_t *j = harass_mood_trend_json(m, ARRAY_LEN(m), 0, teams, 2);
    json_t *ts = json_object_get(j, "teams");
    json_t *a = find(ts, "team", "A"), *b = find(ts, "team", "B");
    assert_int_equal(iv(a, "operators"), 5);
    assert_true(json_is_false(json_object_get(a, "suppressed")));
    json_t *weeks = json_object_get(a, "weeks");
    assert_int_equal(json_array_size(weeks), 2);
    /* W46: (4 + 2 + 3 + 5 + 1) / 5 = 3.0; W47: (2 + 3) / 2 = 2.5. */
    assert_true(fabs(json_real_value(json_object_get(json_array_get(weeks, 0), "average")) - 3.0) <
                1e-12);
    assert_true(fabs(json_real_value(json_object_get(json_array_get(weeks, 1), "average")) - 2.5) <
                1e-12);
    assert_int_equal(iv(b, "operators"), 3);
    assert_true(json_is_true(json_object_get(b, "suppressed")));
    assert_true(json_is_null(json_object_get(b, "weeks")));
    /* Only shared entries appear, with their memo; no private memo anywhere in the reply. */
    json_t *shared = json_object_get(j, "shared");
    assert_int_equal(json_array_size(shared), 2);
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, "private"));
    assert_non_null(strstr(text, "shared three"));
    free(text);
    json_decref(j);
    /* A supervisor of team B: B only, suppressed, and only B's shared entry. */
    j = harass_mood_trend_json(m, ARRAY_LEN(m), 20, teams, 2);
    assert_int_equal(json_array_size(json_object_get(j, "teams")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "shared")), 1);
    text = json_dumps(j, 0);
    assert_null(strstr(text, "shared three"));
    free(text);
    json_decref(j);
}

static void test_store_second_part(void **state)
{
    (void)state;
    char path[512], err[1200];
    policy_path(path, sizeof path);
    for (int bk = 0; bk < 2; bk++) {
        struct org_user op;
        store *s = fixture(tu_backends[bk], &op);
        if (!s)
            continue;
        harass_policy *p = NULL;
        int version = 0;
        assert_int_equal(harass_policy_active(s, path, &p, &version, err, sizeof err), 0);
        /* The business name is what the case shows. */
        str_copy(op.business_name, sizeof op.business_name, "みどり");
        str_copy(op.display_name, sizeof op.display_name, "田中 花子");
        assert_int_equal(store_user_update(s, &op), STORE_OK);
        struct harass_flag_input in = {.center = "TKY",
                                       .operator= "op1",
                                       .behaviour = 2,
                                       .demand = 2,
                                       .categories = "abuse",
                                       .by = "op1"};
        struct harass_case old, recent;
        assert_int_equal(harass_parse_time("2020-01-10T10:00", &in.occurred_at), 0);
        assert_int_equal(harass_flag(s, p, version, &in, &old, err, sizeof err), 0);
        in.occurred_at = 0;
        assert_int_equal(harass_flag(s, p, version, &in, &recent, err, sizeof err), 0);
        assert_string_equal(recent.operator_login, "op1");
        struct harass_case got;
        assert_int_equal(store_harass_case_get(s, recent.id, &got), 0);
        assert_string_equal(got.operator_name, "みどり");

        /* Call counts are replaced, not added, when a day is imported again. */
        struct harass_calls c1 = {"2026-11-02", "", 400}, c2 = {"2026-11-02", "", 410},
                            c3 = {"2026-11-02", "A", 100};
        assert_int_equal(store_harass_calls_put(s, recent.center_id, &c1), 0);
        assert_int_equal(store_harass_calls_put(s, recent.center_id, &c2), 0);
        assert_int_equal(store_harass_calls_put(s, recent.center_id, &c3), 0);
        struct harass_calls *calls = NULL;
        size_t n = 0;
        assert_int_equal(
            store_harass_calls_range(s, recent.center_id, "2026-11-01", "2026-11-30", &calls, &n),
            0);
        assert_int_equal(n, 2);
        assert_int_equal(calls[0].calls, 410);
        assert_string_equal(calls[1].team, "A");
        free(calls);

        /* Mood entries: the user's own, newest first; the center view lists operators only. */
        struct harass_mood m1 = {.user_id = op.id, .at = 1000, .mood = 2, .memo = "つらい"},
                           m2 = {.user_id = op.id, .at = 2000, .mood = 4, .shared = 1};
        assert_int_equal(store_mood_add(s, &m1), 0);
        assert_int_equal(store_mood_add(s, &m2), 0);
        struct harass_mood bad = {.user_id = op.id, .at = 3000, .mood = 6};
        assert_int_equal(store_mood_add(s, &bad), STORE_CONFLICT); /* CHECK 1–5 */
        struct harass_mood *mm = NULL;
        assert_int_equal(store_mood_of_user(s, op.id, 10, &mm, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(mm[0].mood, 4);
        assert_string_equal(mm[1].memo, "つらい");
        free(mm);
        assert_int_equal(store_mood_of_center(s, recent.center_id, 0, &mm, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(mm[0].login, "op1");
        free(mm);

        /* Purge: the 2020 case goes (with its care task), the recent one stays. */
        int64_t count = -1;
        int64_t cutoff = 1735657200; /* 2025-01-01 */
        assert_int_equal(store_harass_purge(s, cutoff, 1, &count), 0);
        assert_int_equal(count, 1);
        assert_int_equal(store_harass_case_get(s, old.id, &got), 0); /* dry run kept it */
        assert_int_equal(store_harass_purge(s, cutoff, 0, &count), 0);
        assert_int_equal(count, 1);
        assert_int_equal(store_harass_case_get(s, old.id, &got), STORE_NOTFOUND);
        assert_int_equal(store_harass_case_get(s, recent.id, &got), 0);
        harass_policy_free(p);
        store_free(s);
    }
}

int main(void)
{
    assert_int_equal(org_crypto_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_judge_table),      cmocka_unit_test(test_policy_validation),
        cmocka_unit_test(test_weeks_and_times),  cmocka_unit_test(test_caller_ref),
        cmocka_unit_test(test_flag_review_care), cmocka_unit_test(test_stats),
        cmocka_unit_test(test_mood_trend),       cmocka_unit_test(test_store_second_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
