/* 顧客接点力診断: the minimum rule, action selection, roadmap and history, with expectations
 * worked out by hand from data/cx/sheet.json; storage on both backends. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "cx/cx.h"
#include "store/store_cx.h"
#include "store/store_org.h"
#include "testutil.h"

static cx_sheet *default_sheet(void)
{
    char path[512], err[600];
    snprintf(path, sizeof path, "%s/../../data/cx/sheet.json", getenv("IKIIKI_TEST_DATA"));
    cx_sheet *s = NULL;
    if (cx_sheet_load(path, &s, err, sizeof err))
        fail_msg("%s", err);
    return s;
}

/* The ids of the actions json array, joined by spaces. */
static void ids(json_t *actions, char *out, size_t len)
{
    size_t i;
    json_t *a;
    out[0] = '\0';
    json_array_foreach(actions, i, a)
    {
        if (out[0])
            strncat(out, " ", len - strlen(out) - 1);
        strncat(out, json_string_value(json_object_get(a, "id")), len - strlen(out) - 1);
    }
}

static void test_parse_levels(void **state)
{
    (void)state;
    int lv[CX_AREAS];
    char err[300];
    assert_int_equal(cx_parse_levels("1,2,1,0", lv, err, sizeof err), 0);
    assert_int_equal(lv[0], 1);
    assert_int_equal(lv[3], 0);
    static const struct {
        const char *in;
        const char *msg;
    } bad[] = {
        {"1,2,4,0", "area 3 is \"4\", expected a level from 0 to 3"},
        {"1,2,1", "expected 4 levels separated by commas"},
        {"1,2,1,0,2", "expected exactly 4 levels"},
        {"1,2,-1,0", "area 3 is \"-1\""},
        {"", "area 1 is \"\""},
        {"a,b,c,d", "area 1 is \"a\""},
        {"1 ,2,1,0", "area 1 is \"1 \""},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        assert_int_equal(cx_parse_levels(bad[i].in, lv, err, sizeof err), -1);
        if (!strstr(err, bad[i].msg) || strncmp(err, "--areas: ", 9) != 0)
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].in, err, bad[i].msg);
    }
}

struct plan_case {
    int levels[CX_AREAS];
    int overall;
    const char *stage;
    const char *plan, *m3, *m6, *m12;
};

static void test_minimum_rule_and_plan(void **state)
{
    (void)state;
    cx_sheet *s = default_sheet();
    static const struct plan_case cases[] = {
        {{1, 2, 1, 0},
         0,
         "無関心期",
         "L0-praise-customer L1-customer-list L1-root-cause L2-small-delight",
         "L0-praise-customer",
         "L1-customer-list L1-root-cause",
         "L2-small-delight"},
        /* All at 0: areas whose easiest action is ★ and starts the same day lead; between those
         * two the catalog's own order decides (feedback-log is listed first). */
        {{0, 0, 0, 0},
         0,
         "無関心期",
         "L0-feedback-log L0-thanks L0-who-are-they L0-praise-customer",
         "L0-feedback-log L0-thanks L0-who-are-they L0-praise-customer",
         "",
         ""},
        /* Three areas at 2 and one at 1: the overall level is 1, pulled down by 組織の意識. */
        {{2, 2, 2, 1},
         1,
         "場当たり対応期",
         "L1-owner L2-small-delight L2-interview L2-voice-to-product",
         "L1-owner",
         "L2-small-delight L2-interview",
         "L2-voice-to-product"},
        {{3, 3, 3, 3},
         3,
         "ファンづくり実践期",
         "L3-listen-loop L3-habit L3-community L3-co-create",
         "L3-listen-loop L3-habit",
         "L3-community L3-co-create",
         ""},
    };
    char got[1024];
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct cx_result r;
        cx_diagnose(s, cases[i].levels, &r);
        assert_int_equal(r.overall, cases[i].overall);
        assert_int_equal(r.target, cases[i].overall < 3 ? cases[i].overall + 1 : 3);
        json_t *j = cx_result_json(s, &r);
        assert_string_equal(json_string_value(json_object_get(j, "stage")), cases[i].stage);
        assert_int_equal(json_integer_value(json_object_get(j, "overall")), cases[i].overall);
        assert_int_equal(json_array_size(json_object_get(j, "areas")), 4);
        assert_non_null(json_object_get(json_object_get(j, "profile"), "next"));
        ids(json_object_get(j, "actions"), got, sizeof got);
        if (strcmp(got, cases[i].plan))
            fail_msg("case %zu plan: \"%s\", want \"%s\"", i, got, cases[i].plan);
        const char *want[] = {cases[i].m3, cases[i].m6, cases[i].m12};
        const char *keys[] = {"m3", "m6", "m12"};
        for (int k = 0; k < 3; k++) {
            json_t *m = json_object_get(json_object_get(j, "roadmap"), keys[k]);
            ids(json_object_get(m, "actions"), got, sizeof got);
            if (strcmp(got, want[k]))
                fail_msg("case %zu %s: \"%s\", want \"%s\"", i, keys[k], got, want[k]);
            assert_true(json_array_size(json_object_get(m, "checkpoints")) > 0);
        }
        json_decref(j);
    }
    cx_sheet_free(s);
}

/* Within one area the easiest action comes first: fewer stars, then the sooner start. */
static void test_easiest_first(void **state)
{
    (void)state;
    const char *text =
        "{\"areas\":["
        "{\"code\":\"a\",\"name\":\"A\",\"levels\":[\"0\",\"1\",\"2\",\"3\"]},"
        "{\"code\":\"b\",\"name\":\"B\",\"levels\":[\"0\",\"1\",\"2\",\"3\"]},"
        "{\"code\":\"c\",\"name\":\"C\",\"levels\":[\"0\",\"1\",\"2\",\"3\"]},"
        "{\"code\":\"d\",\"name\":\"D\",\"levels\":[\"0\",\"1\",\"2\",\"3\"]}],"
        "\"stages\":[{\"level\":0,\"name\":\"s0\"},{\"level\":1,\"name\":\"s1\"},"
        "{\"level\":2,\"name\":\"s2\"},{\"level\":3,\"name\":\"s3\"}],"
        "\"start_times\":[{\"code\":\"now\",\"ja\":\"即日\",\"days\":0},"
        "{\"code\":\"month\",\"ja\":\"1ヶ月\",\"days\":30}],"
        "\"actions\":["
        "{\"id\":\"hard-now\",\"level\":0,\"area\":\"b\",\"difficulty\":3,\"start\":\"now\","
        "\"title\":\"t\"},"
        "{\"id\":\"easy-month\",\"level\":0,\"area\":\"b\",\"difficulty\":1,\"start\":\"month\","
        "\"title\":\"t\"},"
        "{\"id\":\"easy-now\",\"level\":0,\"area\":\"b\",\"difficulty\":1,\"start\":\"now\","
        "\"title\":\"t\"},"
        "{\"id\":\"other-level\",\"level\":1,\"area\":\"b\",\"difficulty\":1,\"start\":\"now\","
        "\"title\":\"t\"},"
        "{\"id\":\"a-first\",\"level\":1,\"area\":\"a\",\"difficulty\":3,\"start\":\"month\","
        "\"title\":\"t\"}]}";
    json_t *root = json_loads(text, 0, NULL);
    assert_non_null(root);
    cx_sheet *s = NULL;
    char err[300];
    if (cx_sheet_from_json(root, &s, err, sizeof err))
        fail_msg("%s", err);
    json_decref(root);
    int levels[CX_AREAS] = {1, 0, 2, 2};
    struct cx_result r;
    cx_diagnose(s, levels, &r);
    json_t *j = cx_result_json(s, &r);
    char got[512];
    ids(json_object_get(j, "actions"), got, sizeof got);
    /* Area b (level 0) is the weakest, so it leads; a (level 1) follows. */
    assert_string_equal(got, "easy-now easy-month hard-now a-first");
    json_decref(j);
    cx_sheet_free(s);

    /* A broken sheet is refused with the field named. */
    root = json_loads("{\"areas\":[]}", 0, NULL);
    assert_int_equal(cx_sheet_from_json(root, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "areas: expected 4 areas"));
    json_decref(root);
}

static void test_history(void **state)
{
    (void)state;
    cx_sheet *s = default_sheet();
    struct cx_answer a[] = {
        {.round = "2026-01", .respondent = "佐藤", .taken_at = 100, .levels = {1, 1, 0, 0}},
        {.round = "2026-01", .respondent = "鈴木", .taken_at = 101, .levels = {2, 1, 0, 1}},
        {.round = "2026-01", .respondent = "田中", .taken_at = 102, .levels = {1, 3, 1, 0}},
        {.round = "2026-07", .respondent = "佐藤", .taken_at = 200, .levels = {2, 2, 1, 1}},
        {.round = "2026-07", .respondent = "鈴木", .taken_at = 201, .levels = {3, 2, 1, 2}},
    };
    json_t *h = cx_history_json(s, a, ARRAY_LEN(a));
    json_t *rounds = json_object_get(h, "rounds");
    assert_int_equal(json_array_size(rounds), 2);
    json_t *r1 = json_array_get(rounds, 0), *r2 = json_array_get(rounds, 1);
    json_t *m1 = json_object_get(r1, "median"), *m2 = json_object_get(r2, "median");
    /* Three answers: the middle one. */
    assert_int_equal(json_integer_value(json_object_get(m1, "understanding")), 1);
    assert_int_equal(json_integer_value(json_object_get(m1, "experience")), 1);
    assert_int_equal(json_integer_value(json_object_get(m1, "improvement")), 0);
    assert_int_equal(json_integer_value(json_object_get(m1, "organisation")), 0);
    assert_int_equal(json_integer_value(json_object_get(r1, "overall")), 0);
    /* Two answers: the lower of the two, since the sheet asks for the honest level. */
    assert_int_equal(json_integer_value(json_object_get(m2, "understanding")), 2);
    assert_int_equal(json_integer_value(json_object_get(m2, "organisation")), 1);
    assert_int_equal(json_integer_value(json_object_get(r2, "overall")), 1);
    /* Everyone disagreed somewhere in round 1; only 体験の提供 by two levels. */
    json_t *dis = json_object_get(r1, "disagreements");
    assert_int_equal(json_array_size(dis), 4);
    int strong = 0;
    size_t i;
    json_t *d;
    json_array_foreach(dis, i, d)
    {
        if (json_is_true(json_object_get(d, "strong"))) {
            strong++;
            assert_string_equal(json_string_value(json_object_get(d, "area")), "experience");
        }
    }
    assert_int_equal(strong, 1);
    json_t *p1 = json_object_get(r1, "progress"), *p2 = json_object_get(r2, "progress");
    assert_true(json_is_null(json_object_get(p1, "understanding")));
    assert_int_equal(json_integer_value(json_object_get(p2, "understanding")), 1);
    assert_int_equal(json_integer_value(json_object_get(p2, "experience")), 1);
    assert_int_equal(json_integer_value(json_object_get(p2, "improvement")), 1);
    assert_int_equal(json_integer_value(json_object_get(p2, "organisation")), 1);
    json_decref(h);
    cx_sheet_free(s);
}

static void test_store_both_backends(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        char url[512], err[600];
        if (tu_db_url(tu_backends[b], "cx", url, sizeof url))
            continue;
        store *s = NULL;
        if (store_open(url, &s, err, sizeof err) || store_migrate(s, NULL))
            fail_msg("%s: %s", tu_backends[b], s ? store_errmsg(s) : err);
        struct org_company co = {.code = "SHOP", .name = "町の商店"},
                           other = {.code = "X", .name = "他社"};
        assert_int_equal(store_company_add(s, &co), STORE_OK);
        assert_int_equal(store_company_add(s, &other), STORE_OK);
        /* Stored out of order: a late answer to the first round, another company's answer. */
        struct cx_answer in[] = {
            {.round = "B", .respondent = "x", .taken_at = 200, .levels = {2, 2, 2, 2}},
            {.round = "A", .respondent = "y", .taken_at = 100, .levels = {1, 1, 1, 1}},
            {.round = "A", .respondent = "z", .taken_at = 300, .levels = {0, 1, 2, 3}},
        };
        for (size_t i = 0; i < ARRAY_LEN(in); i++)
            assert_int_equal(store_cx_answer_add(s, co.id, &in[i]), STORE_OK);
        struct cx_answer stray = {.round = "A", .taken_at = 50, .levels = {3, 3, 3, 3}};
        assert_int_equal(store_cx_answer_add(s, other.id, &stray), STORE_OK);
        struct cx_answer bad = {.round = "A", .taken_at = 1, .levels = {4, 0, 0, 0}};
        assert_int_equal(store_cx_answer_add(s, co.id, &bad), STORE_CONFLICT); /* CHECK 0–3 */

        struct cx_answer *out = NULL;
        size_t n = 0;
        assert_int_equal(store_cx_answers(s, co.id, &out, &n), STORE_OK);
        assert_int_equal(n, 3);
        /* Round A began first (t=100), so both its answers come before round B. */
        assert_string_equal(out[0].respondent, "y");
        assert_string_equal(out[1].respondent, "z");
        assert_string_equal(out[2].respondent, "x");
        assert_int_equal(out[1].levels[3], 3);
        free(out);

        assert_int_equal(store_cx_checkpoint_add(s, co.id, "repeat_rate", 21.5, 1000), STORE_OK);
        assert_int_equal(store_cx_checkpoint_add(s, co.id, "repeat_rate", 24.25, 2000), STORE_OK);
        struct store_cx_checkpoint *cp = NULL;
        assert_int_equal(store_cx_checkpoints(s, co.id, &cp, &n), STORE_OK);
        assert_int_equal(n, 2);
        assert_true(cp[1].value == 24.25);
        assert_int_equal(cp[1].at, 2000);
        free(cp);
        store_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_levels),        cmocka_unit_test(test_minimum_rule_and_plan),
        cmocka_unit_test(test_easiest_first),       cmocka_unit_test(test_history),
        cmocka_unit_test(test_store_both_backends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
