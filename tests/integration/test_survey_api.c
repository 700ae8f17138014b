/* Survey results over HTTP on both backends: each role sees only the centers it reaches, while
 * the other-center average and HPB are still computed over every center of the wave. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PW "survey-api-pass"

static void cli(const char *url, const char *const *words, const char *stdin_text)
{
    struct tu_result r;
    assert_int_equal(tu_ikiiki(url, words, stdin_text, &r), 0);
    if (r.status != 0)
        fail_msg("%s %s: %s", words[0], words[1], r.err);
    tu_result_free(&r);
}

#define CLI(url, in, ...) cli((url), (const char *const[]){__VA_ARGS__, NULL}, (in))

static json_t *get(const struct tu_server *srv, const char *login, const char *path, long *status)
{
    struct tu_http *h = tu_http_new(srv->base);
    assert_int_equal(tu_login(h, login, PW), 200);
    struct tu_resp r;
    assert_int_equal(tu_request(h, "GET", path, NULL, NULL, &r), 0);
    *status = r.status;
    json_t *j = json_incref(r.json);
    tu_resp_free(&r);
    tu_http_free(h);
    return j;
}

static size_t count(json_t *j, const char *key)
{
    return json_array_size(json_object_get(j, key));
}

static void test_survey_api(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "svapi", url, sizeof url))
            continue;
        CLI(url, NULL, "init", "--demo");
        CLI(url, PW "\n", "user", "add", "--login", "boss", "--role", "admin", "--password-stdin");
        CLI(url, PW "\n", "user", "add", "--login", "mgr", "--role", "center_manager", "--center",
            "TKY", "--password-stdin");
        CLI(url, PW "\n", "user", "add", "--login", "cons", "--role", "consultant", "--company",
            "DEMO", "--password-stdin");
        CLI(url, PW "\n", "user", "add", "--login", "shop", "--role", "consultant", "--company",
            "HANA", "--password-stdin");
        struct tu_server srv;
        assert_int_equal(tu_server_start(url, &srv, NULL), 0);
        long st;
        json_t *j = get(&srv, "boss", "/api/v1/surveys/2026-AUTUMN/rank", &st);
        assert_int_equal(st, 200);
        assert_int_equal(count(j, "entries"), 10); /* DEMO's 3 and the 7 other participants */
        json_decref(j);
        j = get(&srv, "cons", "/api/v1/surveys/2026-AUTUMN/rank", &st);
        assert_int_equal(count(j, "entries"), 3); /* TKY, OSK, FUK are DEMO's */
        json_decref(j);
        j = get(&srv, "shop", "/api/v1/surveys/2026-AUTUMN/rank", &st);
        assert_int_equal(st, 200);
        assert_int_equal(count(j, "entries"), 0); /* a client with no center in the wave */
        json_decref(j);
        /* The manager of TKY: only TKY, with benchmarks from the other two centers. */
        j = get(&srv, "mgr", "/api/v1/surveys/2026-AUTUMN/score", &st);
        assert_int_equal(st, 200);
        assert_int_equal(count(j, "centers"), 1);
        json_t *c = json_array_get(json_object_get(j, "centers"), 0);
        assert_string_equal(json_string_value(json_object_get(c, "center")), "TKY");
        json_t *g = json_object_get(json_object_get(c, "items"), "G01");
        assert_true(json_is_number(json_object_get(g, "others_avg")));
        assert_true(json_is_number(json_object_get(g, "hpb")));
        json_decref(j);
        j = get(&srv, "mgr", "/api/v1/surveys/2026-AUTUMN/score?center=OSK", &st);
        assert_int_equal(st, 403);
        json_decref(j);
        j = get(&srv, "mgr", "/api/v1/surveys/2026-AUTUMN/responses", &st);
        assert_int_equal(count(j, "centers"), 1);
        json_t *rr = json_array_get(json_object_get(j, "centers"), 0);
        /* 62 of 80 enrolled operators answered. */
        assert_true(json_real_value(json_object_get(rr, "operator_response_rate")) == 62.0 / 80.0);
        json_decref(j);
        assert_int_equal(tu_server_stop(&srv), 0);
    }
}

/* The CLI's JSON for words (a NULL-terminated list after the URL). */
static json_t *cli_json(const char *url, const char *const *words)
{
    struct tu_result r;
    assert_int_equal(tu_ikiiki(url, words, NULL, &r), 0);
    if (r.status != 0)
        fail_msg("%s %s: %s", words[0], words[1], r.err);
    json_t *j = json_loads(r.out, 0, NULL);
    tu_result_free(&r);
    assert_non_null(j);
    return j;
}

static long respondents_of(const struct tu_server *srv, const char *center)
{
    long st;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/surveys/2026-AUTUMN/score?center=%s", center);
    json_t *j = get(srv, "boss", path, &st);
    assert_int_equal(st, 200);
    long n = (long)json_integer_value(
        json_object_get(json_array_get(json_object_get(j, "centers"), 0), "respondents"));
    json_decref(j);
    return n;
}

/* The live count of answers to the wave at a center (responses, not results). */
static long live_of(const struct tu_server *srv, const char *center)
{
    long st, n = -1;
    json_t *j = get(srv, "boss", "/api/v1/surveys/2026-AUTUMN/responses", &st);
    assert_int_equal(st, 200);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "centers"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "center")), center) == 0)
            n = (long)json_integer_value(json_object_get(c, "respondents"));
    }
    json_decref(j);
    return n;
}

/* Drops the benchmarks (other centers' publications move them) from every object in j. */
static void own_figures(json_t *j)
{
    static const char *const bench[] = {"others_avg", "hpb", "ranking_others_avg", "ranking_hpb"};
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) own_figures(v);
    } else if (json_is_object(j)) {
        for (size_t b = 0; b < sizeof bench / sizeof *bench; b++)
            json_object_del(j, bench[b]);
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) own_figures(v);
    }
}

/* A center's own figures in the score reply as text (malloc'd), for comparing two readings. */
static char *score_text(const struct tu_server *srv, const char *center)
{
    long st;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/surveys/2026-AUTUMN/score?center=%s", center);
    json_t *j = get(srv, "mgr", path, &st);
    assert_int_equal(st, 200);
    own_figures(j);
    char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(j);
    assert_non_null(text);
    return text;
}

/* The anonymous link, the live count, and the CLI mirrors (comments, drivers, import, export). */
static void test_collect_and_mirrors(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "svcol", url, sizeof url))
            continue;
        CLI(url, NULL, "init", "--demo");
        CLI(url, PW "\n", "user", "add", "--login", "boss", "--role", "admin", "--password-stdin");
        CLI(url, PW "\n", "user", "add", "--login", "mgr", "--role", "center_manager", "--center",
            "TKY", "--password-stdin");
        struct tu_server srv;
        assert_int_equal(tu_server_start(url, &srv, NULL), 0); /* with the access log */
        struct tu_http *mgr = tu_http_new(srv.base), *anon = tu_http_new(srv.base);
        assert_int_equal(tu_login(mgr, "mgr", PW), 200);
        struct tu_resp r;
        assert_int_equal(
            tu_request(mgr, "POST", "/api/v1/surveys/2026-AUTUMN/centers/TKY/link", "{}", NULL, &r),
            0);
        assert_int_equal(r.status, 201);
        char path[200];
        snprintf(path, sizeof path, "%s", json_string_value(json_object_get(r.json, "path")));
        tu_resp_free(&r);
        /* The questionnaire as the link serves it: the wave's 7 elements and the scale. */
        assert_int_equal(tu_request(anon, "GET", path, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 200);
        json_t *q = json_object_get(r.json, "questionnaire");
        assert_int_equal(json_array_size(json_object_get(q, "elements")), 7);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(r.json, "center"), "code")), "TKY");
        tu_resp_free(&r);
        long before = respondents_of(&srv, "TKY"), live = live_of(&srv, "TKY");
        char *score_before = score_text(&srv, "TKY");
        const char *answer = "{\"position\":\"OP\",\"team\":\"A\",\"answers\":{\"G01\":6,"
                             "\"O01\":5,\"H01\":4},\"comment\":\"お客様に怒鳴られて怖かった\"}";
        assert_int_equal(tu_request(anon, "POST", path, answer, NULL, &r), 0);
        assert_int_equal(r.status, 201);
        tu_resp_free(&r);
        /* Counted at once: the response rate is live while the link is open; the results are
         * not — reading them before and after one answer shows nothing of it (the differencing
         * attack), not even the respondent count. */
        assert_int_equal(live_of(&srv, "TKY"), live + 1);
        assert_int_equal(respondents_of(&srv, "TKY"), before);
        char *score_after = score_text(&srv, "TKY");
        assert_string_equal(score_before, score_after);
        free(score_after);

        /* Comments over the API are the CLI's; the new comment waits with its answers. */
        long st;
        json_t *api = get(&srv, "mgr", "/api/v1/surveys/2026-AUTUMN/centers/TKY/comments", &st);
        assert_int_equal(st, 200);
        json_t *cl =
            cli_json(url, (const char *const[]){"survey", "comments", "--wave", "2026-AUTUMN",
                                                "--center", "TKY", "--json", NULL});
        assert_true(json_equal(api, cl));
        json_t *alerts = json_object_get(api, "alerts");
        json_t *last = json_array_get(alerts, json_array_size(alerts) - 1);
        assert_string_not_equal(json_string_value(json_object_get(last, "text")),
                                "お客様に怒鳴られて怖かった");
        json_decref(api);
        json_decref(cl);
        /* Drivers: the same JSON either way. */
        api = get(&srv, "mgr", "/api/v1/surveys/2026-AUTUMN/centers/TKY/drivers", &st);
        assert_int_equal(st, 200);
        cl = cli_json(url, (const char *const[]){"survey", "drivers", "--wave", "2026-AUTUMN",
                                                 "--center", "TKY", "--json", NULL});
        assert_true(json_equal(api, cl));
        json_decref(api);
        json_decref(cl);

        /* Import over the API: two rows in base64 CSV. */
        before = respondents_of(&srv, "FUK");
        const char *imp = "{\"data\":\"cG9zaXRpb24sRzAxLE8wMSxIMDEKT1AsNCw1LDYKU1YsMywzLDMK\"}";
        struct tu_http *boss = tu_http_new(srv.base);
        assert_int_equal(tu_login(boss, "boss", PW), 200);
        assert_int_equal(tu_request(boss, "POST", "/api/v1/surveys/2026-AUTUMN/centers/FUK/import",
                                    imp, NULL, &r),
                         0);
        assert_int_equal(r.status, 201);
        assert_int_equal(json_integer_value(json_object_get(r.json, "imported")), 2);
        /* Two answers after FUK's publication: held back, the figures stay. */
        json_t *pub = json_object_get(r.json, "publication");
        assert_true(json_is_false(json_object_get(pub, "published")));
        assert_non_null(strstr(json_string_value(json_object_get(pub, "why")), "fewer than 5"));
        tu_resp_free(&r);
        assert_int_equal(respondents_of(&srv, "FUK"), before);
        /* Eight more, 4 OP and 4 SV: with the two waiting, each group gains 5 — out they go. */
        const char *imp8 =
            "{\"data\":\"cG9zaXRpb24sRzAxLE8wMSxIMDEKT1AsNSw1LDUKT1AsNSw1LDUKT1AsNSw1"
            "LDUKT1AsNSw1LDUKU1YsMiwyLDIKU1YsMiwyLDIKU1YsMiwyLDIKU1YsMiwyLDIK\"}";
        assert_int_equal(tu_request(boss, "POST", "/api/v1/surveys/2026-AUTUMN/centers/FUK/import",
                                    imp8, NULL, &r),
                         0);
        assert_int_equal(r.status, 201);
        pub = json_object_get(r.json, "publication");
        assert_true(json_is_true(json_object_get(pub, "published")));
        assert_int_equal(json_integer_value(json_object_get(pub, "added")), 10);
        tu_resp_free(&r);
        assert_int_equal(respondents_of(&srv, "FUK"), before + 10);
        /* Export: an XLSX (a zip archive) as a download. */
        assert_int_equal(tu_request(mgr, "GET", "/api/v1/surveys/2026-AUTUMN/centers/TKY/export",
                                    NULL, NULL, &r),
                         0);
        assert_int_equal(r.status, 200);
        assert_memory_equal(r.body, "PK\x03\x04", 4);
        assert_non_null(strstr(r.headers, "2026-AUTUMN-TKY.xlsx"));
        tu_resp_free(&r);
        /* Closing the link stops answers and tries to publish: one answer since the demo's
         * publication is held back, and the figures stay exactly as they were. */
        assert_int_equal(tu_request(mgr, "DELETE", "/api/v1/surveys/2026-AUTUMN/centers/TKY/link",
                                    NULL, NULL, &r),
                         0);
        assert_int_equal(r.status, 200);
        pub = json_object_get(r.json, "publication");
        assert_true(json_is_false(json_object_get(pub, "published")));
        tu_resp_free(&r);
        score_after = score_text(&srv, "TKY");
        assert_string_equal(score_before, score_after);
        free(score_after);
        free(score_before);
        assert_int_equal(tu_request(anon, "POST", path, answer, NULL, &r), 0);
        assert_int_equal(r.status, 410);
        tu_resp_free(&r);
        tu_http_free(boss);
        tu_http_free(mgr);
        tu_http_free(anon);
        assert_int_equal(tu_server_stop(&srv), 0);
        /* The access log names the address of every request but the answers'. */
        FILE *f = fopen(srv.errlog, "r");
        assert_non_null(f);
        char line[2048];
        int collect = 0, other = 0;
        while (fgets(line, sizeof line, f)) {
            if (!strstr(line, "access "))
                continue;
            if (strstr(line, "/api/v1/collect/")) {
                collect++;
                assert_null(strstr(line, "127.0.0.1"));
            } else if (strstr(line, "127.0.0.1")) {
                other++;
            }
        }
        fclose(f);
        assert_int_equal(collect, 3);
        assert_true(other > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_survey_api),
                                       cmocka_unit_test(test_collect_and_mirrors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
