/* Request bodies: every case in tests/data/http/decode.tsv goes through the real parser and
 * decoder and must give "ok" or an error line holding the expected words. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "http/decode.h"

static int run_decoder(const char *decoder, const char *mode, json_t *o, char *err, size_t len)
{
    int create = strcmp(mode, "create") == 0;
    if (strcmp(decoder, "login") == 0) {
        struct login_input in;
        return http_decode_login(o, &in, err, len);
    }
    if (strcmp(decoder, "password") == 0) {
        struct password_input in;
        return http_decode_password(o, &in, err, len);
    }
    if (strcmp(decoder, "company") == 0) {
        struct company_input in;
        return http_decode_company(o, &in, err, len);
    }
    if (strcmp(decoder, "center") == 0) {
        struct center_input in;
        return http_decode_center(o, create, &in, err, len);
    }
    if (strcmp(decoder, "team") == 0) {
        struct team_input in;
        return http_decode_team(o, &in, err, len);
    }
    if (strcmp(decoder, "user") == 0) {
        struct user_input in;
        return http_decode_user(o, create, &in, err, len);
    }
    if (strcmp(decoder, "apikey") == 0) {
        struct apikey_input in;
        return http_decode_apikey(o, &in, err, len);
    }
    if (strcmp(decoder, "cx") == 0) {
        struct cx_input in;
        return http_decode_cx(o, &in, err, len);
    }
    if (strcmp(decoder, "cx_checkpoint") == 0) {
        struct cx_checkpoint_input in;
        return http_decode_cx_checkpoint(o, &in, err, len);
    }
    if (strcmp(decoder, "skills_assess") == 0) {
        struct skills_assess_input in;
        return http_decode_skills_assess(o, &in, err, len);
    }
    if (strcmp(decoder, "harass_judge") == 0) {
        struct harass_judge_input in;
        return http_decode_harass_judge(o, &in, err, len);
    }
    if (strcmp(decoder, "harass_case") == 0) {
        struct harass_case_input in;
        return http_decode_harass_case(o, &in, err, len);
    }
    if (strcmp(decoder, "harass_review") == 0) {
        struct harass_review_input in;
        return http_decode_harass_review(o, &in, err, len);
    }
    if (strcmp(decoder, "care_done") == 0) {
        struct care_done_input in;
        return http_decode_care_done(o, &in, err, len);
    }
    if (strcmp(decoder, "calls") == 0) {
        static struct calls_input in; /* large: not on the stack */
        return http_decode_calls(o, &in, err, len);
    }
    if (strcmp(decoder, "purge") == 0) {
        struct purge_input in;
        return http_decode_purge(o, &in, err, len);
    }
    fail_msg("unknown decoder \"%s\"", decoder);
    return -1;
}

static void test_table(void **state)
{
    (void)state;
    char path[512], line[4096];
    snprintf(path, sizeof path, "%s/http/decode.tsv", getenv("IKIIKI_TEST_DATA"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int row = 0, cases = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        row++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *decoder = line, *mode = strchr(decoder, '\t');
        char *body = mode ? strchr(mode + 1, '\t') : NULL;
        char *want = body ? strchr(body + 1, '\t') : NULL;
        if (!want)
            fail_msg("decode.tsv row %d: expected 4 tab-separated columns", row);
        *mode++ = *body++ = *want++ = '\0';
        char err[400] = "";
        json_t *o = NULL;
        int rc = http_body_parse(body, strlen(body), &o, err, sizeof err);
        if (rc == 0 && strcmp(decoder, "parse") != 0)
            rc = run_decoder(decoder, mode, o, err, sizeof err);
        json_decref(o);
        cases++;
        int ok = strcmp(want, "ok") == 0
                     ? rc == 0
                     : rc != 0 && strncmp(want, "err:", 4) == 0 && strstr(err, want + 4) != NULL;
        if (!ok) {
            bad++;
            print_error("decode.tsv row %d: %s %s: want \"%s\", got rc=%d \"%s\"\n", row, decoder,
                        mode, want, rc, err);
        }
    }
    fclose(f);
    assert_true(cases >= 40);
    assert_int_equal(bad, 0);
}

static void test_center_apply(void **state)
{
    (void)state;
    json_t *o;
    char err[200];
    const char *body = "{\"name\":\"新名\",\"staff\":9}";
    assert_int_equal(http_body_parse(body, strlen(body), &o, err, sizeof err), 0);
    struct center_input in;
    assert_int_equal(http_decode_center(o, 0, &in, err, sizeof err), 0);
    struct org_center c = {.code = "TKY", .name = "旧名", .headcount = {80, 8, 2, 4}};
    http_center_apply(&in, &c);
    assert_string_equal(c.name, "新名");
    assert_string_equal(c.code, "TKY");
    /* A single staff figure replaces the breakdown; operators are kept. */
    assert_int_equal(c.headcount[POS_OP], 80);
    assert_int_equal(c.headcount[POS_SV], 0);
    assert_int_equal(c.headcount[POS_MGR], 0);
    assert_int_equal(c.headcount[POS_OTHER], 9);
    json_decref(o);
}

static json_t *parse(const char *body)
{
    json_t *o = NULL;
    char err[200];
    if (http_body_parse(body, strlen(body), &o, err, sizeof err))
        fail_msg("%s: %s", body, err);
    return o;
}

/* What the harassment decoders hand the handlers: lists as "a,b", optional text as "", evidence
 * as compact JSON, amend as 0/1. */
static void test_harass_values(void **state)
{
    (void)state;
    char err[300];
    json_t *o = parse("{\"behaviour\":4,\"demand\":0,\"categories\":[\"threat\",\"abuse\"],"
                      "\"requests\":[\"media\"],\"operator\":\"ito.op\","
                      "\"evidence\":[ {\"kind\" : \"recording\", \"ref\":\"R-1\"} ]}");
    struct harass_case_input c;
    assert_int_equal(http_decode_harass_case(o, &c, err, sizeof err), 0);
    assert_int_equal(c.behaviour, 4);
    assert_int_equal(c.demand, 0);
    assert_string_equal(c.categories, "threat,abuse");
    assert_string_equal(c.requests, "media");
    assert_string_equal(c.operator, "ito.op");
    assert_string_equal(c.center, "");
    assert_string_equal(c.at, "");
    assert_string_equal(c.caller, "");
    assert_string_equal(c.evidence, "[{\"kind\":\"recording\",\"ref\":\"R-1\"}]");
    json_decref(o);

    /* A list of codes that does not fit its buffer is refused, not cut. */
    char body[1200];
    size_t n =
        (size_t)snprintf(body, sizeof body, "{\"behaviour\":1,\"demand\":1,\"categories\":[");
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "%s\"category%02d\"", i ? "," : "", i);
    snprintf(body + n, sizeof body - n, "]}");
    o = parse(body);
    assert_int_not_equal(http_decode_harass_case(o, &c, err, sizeof err), 0);
    assert_non_null(strstr(err, "categories["));
    json_decref(o);

    o = parse("{\"behaviour\":1,\"demand\":2}");
    struct harass_judge_input j;
    assert_int_equal(http_decode_harass_judge(o, &j, err, sizeof err), 0);
    assert_int_equal(j.behaviour, 1);
    assert_int_equal(j.demand, 2);
    assert_string_equal(j.requests, "");
    json_decref(o);

    o = parse("{\"behaviour\":3,\"demand\":1,\"amend\":true,\"note\":\"再確認\"}");
    struct harass_review_input r;
    assert_int_equal(http_decode_harass_review(o, &r, err, sizeof err), 0);
    assert_int_equal(r.amend, 1);
    assert_string_equal(r.note, "再確認");
    json_decref(o);
    o = parse("{\"behaviour\":3,\"demand\":1}");
    assert_int_equal(http_decode_harass_review(o, &r, err, sizeof err), 0);
    assert_int_equal(r.amend, 0);
    assert_string_equal(r.note, "");
    json_decref(o);

    o = parse("{\"note\":\"done\"}");
    struct care_done_input d;
    assert_int_equal(http_decode_care_done(o, &d, err, sizeof err), 0);
    assert_string_equal(d.note, "done");
    json_decref(o);

    /* Messages are cut to the buffer, never overflow it. */
    char tiny[6];
    o = parse("{\"behaviour\":9,\"demand\":1}");
    assert_int_not_equal(http_decode_harass_judge(o, &j, tiny, sizeof tiny), 0);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
    json_decref(o);
}

/* Answers through a collection link, against the default questionnaire. */
static void test_survey_answer(void **state)
{
    (void)state;
    char path[1024], err[300];
    survey_questionnaire *q = NULL;
    assert_int_equal(data_path("survey/questionnaire.json", path, sizeof path), 0);
    assert_int_equal(survey_questionnaire_load(path, &q, err, sizeof err), 0);
    static struct survey_answer_input in;
    json_t *o = json_loads("{\"position\":\"オペレーター\",\"team\":\"A\",\"answers\":"
                           "{\"G01\":6,\"O01\":null},\"comment\":\"一行目\\r\\n二行目\\r三行目\"}",
                           0, NULL);
    assert_int_equal(http_decode_survey_answer(o, q, &in, err, sizeof err), 0);
    assert_int_equal(in.r.position, POS_OP);
    assert_string_equal(in.r.team, "A");
    assert_int_equal(in.r.answers[survey_item_find(q, "G01")], 6);
    assert_int_equal(in.r.answers[survey_item_find(q, "O01")], 0);
    /* Line breaks stay, as an import keeps them. */
    assert_string_equal(in.comment, "一行目\n二行目\n三行目");
    json_decref(o);
    static const struct {
        const char *body, *want;
    } bad[] = {
        {"{\"position\":\"OP\",\"answers\":{\"G01\":7}}", "answers.G01: must be 1–6"},
        {"{\"position\":\"OP\",\"answers\":{\"Z99\":1}}", "answers.Z99: not an item"},
        {"{\"position\":\"OP\",\"answers\":{}}", "answer at least one item"},
        {"{\"answers\":{\"G01\":1}}", "position: must be"},
        {"{\"position\":\"OP\",\"answers\":{\"G01\":1},\"comment\":\"a\\u0001b\"}",
         "comment: must be UTF-8 text without control characters"},
        {"{\"position\":\"OP\",\"answers\":{\"G01\":1},\"ip\":\"1.2.3.4\"}",
         "unknown field \"ip\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = json_loads(bad[i].body, 0, NULL);
        assert_non_null(o);
        err[0] = '\0';
        assert_int_equal(http_decode_survey_answer(o, q, &in, err, sizeof err), -1);
        if (!strstr(err, bad[i].want))
            fail_msg("case %zu: want \"%s\", got \"%s\"", i, bad[i].want, err);
        json_decref(o);
    }
    survey_questionnaire_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_center_apply),
        cmocka_unit_test(test_harass_values),
        cmocka_unit_test(test_survey_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
