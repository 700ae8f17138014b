/* Privacy through the real server, on both backends: an operator can never read another
 * operator's mood log or cases, nor a center's queue; supervisors see their own team's mood only
 * as an average of at least five operators, plus what operators chose to share. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PW "privacy-pass-1"

static void cli(const char *url, const char *const *words, const char *stdin_text)
{
    struct tu_result r;
    assert_int_equal(tu_ikiiki(url, words, stdin_text, &r), 0);
    if (r.status != 0)
        fail_msg("%s %s: %s", words[0], words[1], r.err);
    tu_result_free(&r);
}

#define CLI(url, stdin_text, ...) cli((url), (const char *const[]){__VA_ARGS__, NULL}, (stdin_text))

static void add_user(const char *url, const char *login, const char *role, const char *team)
{
    if (team)
        CLI(url, PW "\n", "user", "add", "--login", login, "--role", role, "--center", "TKY",
            "--team", team, "--password-stdin");
    else
        CLI(url, PW "\n", "user", "add", "--login", login, "--role", role, "--center", "TKY",
            "--password-stdin");
}

static struct tu_http *as(const struct tu_server *srv, const char *login)
{
    struct tu_http *h = tu_http_new(srv->base);
    assert_int_equal(tu_login(h, login, PW), 200);
    return h;
}

static long req(struct tu_http *h, const char *method, const char *path, const char *body,
                char **text)
{
    struct tu_resp r;
    assert_int_equal(tu_request(h, method, path, body, NULL, &r), 0);
    long st = r.status;
    if (text)
        *text = strdup(r.body);
    tu_resp_free(&r);
    return st;
}

static void test_privacy(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "privacy", url, sizeof url))
            continue;
        CLI(url, NULL, "init", "--demo");
        static const char *const ops[] = {"opa", "opb", "opc", "opd", "ope"};
        for (size_t i = 0; i < 5; i++)
            add_user(url, ops[i], "operator", "A");
        add_user(url, "sva", "supervisor", "A");
        add_user(url, "svb", "supervisor", "B");
        add_user(url, "mgr", "center_manager", NULL);
        CLI(url, PW "\n", "user", "add", "--login", "cons", "--role", "consultant", "--company",
            "DEMO", "--password-stdin");
        struct tu_server srv;
        assert_int_equal(tu_server_start(url, &srv, NULL), 0);

        struct tu_http *a = as(&srv, "opa"), *o2 = as(&srv, "opb");
        char *text = NULL;
        assert_int_equal(
            req(a, "POST", "/api/v1/me/mood", "{\"mood\":2,\"memo\":\"secret-of-opa\"}", NULL),
            201);
        assert_int_equal(req(a, "POST", "/api/v1/me/mood",
                             "{\"mood\":4,\"memo\":\"opa-shares-this\",\"shared\":true}", NULL),
                         201);
        assert_int_equal(req(a, "POST", "/api/v1/me/mood", "{\"mood\":9}", NULL), 400);
        /* Her own log has both; nobody else's does. */
        assert_int_equal(req(a, "GET", "/api/v1/me/mood", NULL, &text), 200);
        assert_non_null(strstr(text, "secret-of-opa"));
        free(text);
        assert_int_equal(req(o2, "GET", "/api/v1/me/mood", NULL, &text), 200);
        assert_null(strstr(text, "opa"));
        free(text);
        /* Operators may not look at the center's mood, queue or statistics. */
        assert_int_equal(req(o2, "GET", "/api/v1/centers/TKY/harass/mood", NULL, NULL), 403);
        assert_int_equal(req(o2, "GET", "/api/v1/centers/TKY/harass/queue", NULL, NULL), 403);
        assert_int_equal(req(o2, "GET",
                             "/api/v1/centers/TKY/harass/stats?from=2026-11-01&to=2026-11-30", NULL,
                             NULL),
                         403);

        /* The supervisor of team A: with one operator writing, the team is suppressed; the shared
         * entry shows, the private memo never does. */
        struct tu_http *sa = as(&srv, "sva");
        assert_int_equal(req(sa, "GET", "/api/v1/centers/TKY/harass/mood", NULL, &text), 200);
        assert_non_null(strstr(text, "\"suppressed\":true"));
        assert_non_null(strstr(text, "opa-shares-this"));
        assert_null(strstr(text, "secret-of-opa"));
        free(text);
        /* Once five operators write, the average appears — still without private memos. */
        for (size_t i = 1; i < 5; i++) {
            struct tu_http *h = as(&srv, ops[i]);
            assert_int_equal(
                req(h, "POST", "/api/v1/me/mood", "{\"mood\":3,\"memo\":\"mine\"}", NULL), 201);
            tu_http_free(h);
        }
        assert_int_equal(req(sa, "GET", "/api/v1/centers/TKY/harass/mood", NULL, &text), 200);
        assert_non_null(strstr(text, "\"suppressed\":false"));
        assert_non_null(strstr(text, "\"average\":"));
        assert_null(strstr(text, "secret-of-opa"));
        assert_null(strstr(text, "\"mine\""));
        free(text);
        /* The supervisor of team B sees nothing of team A. */
        struct tu_http *sb = as(&srv, "svb");
        assert_int_equal(req(sb, "GET", "/api/v1/centers/TKY/harass/mood", NULL, &text), 200);
        assert_null(strstr(text, "opa-shares-this"));
        assert_non_null(strstr(text, "\"teams\":[]"));
        free(text);
        /* The center's manager sees the averages of every team; a consultant does not see mood
         * at all, although it may read the center. */
        struct tu_http *m = as(&srv, "mgr"), *k = as(&srv, "cons");
        assert_int_equal(req(m, "GET", "/api/v1/centers/TKY/harass/mood", NULL, &text), 200);
        assert_null(strstr(text, "secret-of-opa"));
        free(text);
        assert_int_equal(req(k, "GET", "/api/v1/centers/TKY/harass/mood", NULL, NULL), 403);
        assert_int_equal(req(k, "GET", "/api/v1/centers/TKY", NULL, NULL), 200);
        tu_http_free(k);

        /* Cases: opa flags for herself; opb cannot read it, nor flag in her name. */
        assert_int_equal(req(a, "POST", "/api/v1/harass/cases",
                             "{\"behaviour\":3,\"demand\":3,\"categories\":[\"insult\"],"
                             "\"caller\":\"090-7777-8888\"}",
                             &text),
                         201);
        json_t *c = json_loads(text, 0, NULL);
        free(text);
        char path[64];
        snprintf(path, sizeof path, "/api/v1/harass/cases/%lld",
                 (long long)json_integer_value(json_object_get(c, "id")));
        json_decref(c);
        assert_int_equal(req(a, "GET", path, NULL, &text), 200);
        assert_null(strstr(text, "7777")); /* the number itself is never kept */
        free(text);
        assert_int_equal(req(o2, "GET", path, NULL, NULL), 403);
        assert_int_equal(req(o2, "POST", "/api/v1/harass/cases",
                             "{\"operator\":\"opa\",\"behaviour\":1,\"demand\":1,"
                             "\"categories\":[\"abuse\"]}",
                             NULL),
                         403);
        /* A demo case of another operator is out of reach too. */
        assert_int_equal(req(o2, "GET", "/api/v1/harass/cases/1", NULL, NULL), 403);
        assert_int_equal(req(sa, "GET", path, NULL, NULL), 200);

        tu_http_free(a);
        tu_http_free(o2);
        tu_http_free(sa);
        tu_http_free(sb);
        tu_http_free(m);
        assert_int_equal(tu_server_stop(&srv), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_privacy)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
