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
        assert_int_equal(count(j, "entries"), 3);
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_survey_api)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
