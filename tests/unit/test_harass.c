/* カスハラ対応: the policy grid, weeks and times, caller references, and flag → review → care on
 * both backends. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "harass/harass.h"
#include "store/store.h"
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
            for (char *t = strtok(reqs, ","); t && nreq < 8; t = strtok(NULL, ","))
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
        assert_non_null(strstr(err, "use --amend"));
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

int main(void)
{
    assert_int_equal(org_crypto_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_judge_table),      cmocka_unit_test(test_policy_validation),
        cmocka_unit_test(test_weeks_and_times),  cmocka_unit_test(test_caller_ref),
        cmocka_unit_test(test_flag_review_care),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
