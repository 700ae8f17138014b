/* コンピテンシー end to end, on SQLite and on PostgreSQL: the CLI (bad input exits 2 with one
 * line; assessments, role overrides, model import and the team view) and an API round trip
 * (assess over HTTP, read the person and the center back). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PW "skills-pass-1"

/* Runs `ikiiki ARGS...` (NULL-terminated) and returns the result; the caller frees it. */
static struct tu_result run(const char *stdin_text, ...)
{
    char *argv[40];
    int argc = 0;
    argv[argc++] = (char *)tu_bin();
    va_list ap;
    va_start(ap, stdin_text);
    const char *a;
    while ((a = va_arg(ap, const char *)) && argc < 38)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    struct tu_result res;
    if (tu_run(argv, stdin_text, &res))
        fail_msg("cannot run %s", argv[0]);
    return res;
}

#define RUN(...) run(NULL, __VA_ARGS__, NULL)

/* Runs and requires exit 0; returns stdout parsed as JSON when it is JSON. */
static json_t *ok_json(struct tu_result r)
{
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    json_t *j = json_loads(r.out, 0, NULL);
    tu_result_free(&r);
    return j;
}

#define OK(...) json_decref(ok_json(run(NULL, __VA_ARGS__, NULL)))

/* Requires exit 2 with exactly one line on stderr holding want. */
static void usage_error(struct tu_result r, const char *want)
{
    size_t len = strlen(r.err);
    const char *nl = strchr(r.err, '\n');
    if (r.status != 2 || !strstr(r.err, want) || !nl || (size_t)(nl - r.err) != len - 1)
        fail_msg("expected exit 2 and one line with \"%s\", got %d: %s", want, r.status, r.err);
    tu_result_free(&r);
}

static void user(const char *db, const char *login, const char *role, const char *center)
{
    json_decref(ok_json(run(PW "\n", "user", "add", "--login", login, "--role", role, "--center",
                            center, "--password-stdin", "--db", db, NULL)));
}

static void fixture(const char *db)
{
    OK("init", "--db", db);
    OK("company", "add", "--code", "DEMO", "--name", "Demo", "--db", db);
    OK("center", "add", "--code", "TKY", "--name", "Tokyo", "--operators", "10", "--company",
       "DEMO", "--db", db);
    OK("center", "add", "--code", "OSK", "--name", "Osaka", "--operators", "10", "--company",
       "DEMO", "--db", db);
    json_decref(ok_json(run(PW "\n", "user", "add", "--login", "admin", "--role", "admin",
                            "--password-stdin", "--db", db, NULL)));
    user(db, "mgr", "center_manager", "TKY");
    user(db, "sv1", "supervisor", "TKY");
    user(db, "sv2", "supervisor", "TKY");
    user(db, "op1", "operator", "TKY");
    user(db, "op9", "operator", "OSK");
}

static long long gap_of(json_t *person, const char *skill, const char *key)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(person, "gaps"), i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "skill")), skill) == 0)
            return (long long)json_integer_value(json_object_get(g, key));
    }
    fail_msg("no gap for %s", skill);
    return 0;
}

static json_t *find_login(json_t *arr, const char *login)
{
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "login")), login) == 0)
            return p;
    }
    return NULL;
}

static void cli_bad_input(const char *db)
{
    usage_error(RUN("skills", "gap", "--role", "XX", "--levels", "SM-5=2"),
                "--role: \"XX\" is not one of OP, SV, OMP, CAP");
    usage_error(RUN("skills", "gap", "--role", "OP", "--levels", "SM-5=5"),
                "level \"5\" is not 1–4");
    usage_error(RUN("skills", "gap", "--role", "OP", "--levels", "SM-2=1"),
                "unknown skill \"SM-2\" (expected one of SM-5, SM-6, SM-7, SM-8, SM-9)");
    usage_error(RUN("skills", "gap", "--role", "OP"), "--role and --levels are required");
    usage_error(
        RUN("skills", "assess", "--user", "op1", "--skill", "SM-7", "--level", "5", "--db", db),
        "--level: value \"5\" is not a whole number from 1 to 4");
    usage_error(
        RUN("skills", "assess", "--user", "op1", "--skill", "SM-1", "--level", "2", "--db", db),
        "--skill: \"SM-1\" is not one of SM-5");
    usage_error(
        RUN("skills", "assess", "--user", "nobody", "--skill", "SM-7", "--level", "2", "--db", db),
        "user \"nobody\" does not exist");
    usage_error(RUN("skills", "assess", "--user", "op1", "--skill", "SM-7", "--level", "2", "--at",
                    "2026-02-30x", "--db", db),
                "--at: \"2026-02-30x\" is not a date");
    /* Peers and people of other centers may not give the supervisor's assessment. */
    usage_error(RUN("skills", "assess", "--user", "sv2", "--skill", "SM-7", "--level", "2", "--by",
                    "sv1", "--db", db),
                "\"sv1\" may not assess \"sv2\"");
    usage_error(RUN("skills", "assess", "--user", "op9", "--skill", "SM-7", "--level", "2", "--by",
                    "sv1", "--db", db),
                "may not assess");
    usage_error(
        RUN("skills", "assess", "--user", "admin", "--skill", "SM-7", "--level", "2", "--db", db),
        "has no skill role");
    usage_error(RUN("skills", "role", "--user", "op1", "--role", "BOSS", "--db", db),
                "--role: \"BOSS\" is not one of OP, SV, OMP, CAP");
    usage_error(RUN("skills", "team", "--center", "NOPE", "--db", db),
                "center \"NOPE\" does not exist");
    usage_error(RUN("skills", "model", "show", "extra"), "expected \"show\" or \"import FILE\"");
    usage_error(RUN("skills", "model", "import", "/nonexistent/model.json", "--db", db),
                "/nonexistent/model.json");
}

static void cli_flow(const char *db)
{
    /* The stable, database-free gap command. */
    json_t *g =
        ok_json(RUN("skills", "gap", "--role", "SV", "--levels", "SM-5=2,SM-7=4", "--json"));
    assert_string_equal(json_string_value(json_object_get(g, "role")), "SV");
    assert_int_equal(gap_of(g, "SM-5", "gap"), 1);
    assert_int_equal(gap_of(g, "SM-7", "gap"), -1);
    assert_int_equal(json_integer_value(json_object_get(g, "total_gap")), 1 + 2 + 2 + 2);
    json_decref(g);

    OK("skills", "assess", "--user", "sv1", "--skill", "SM-7", "--level", "3", "--at", "2026-04-01",
       "--db", db);
    OK("skills", "assess", "--user", "sv1", "--skill", "SM-7", "--level", "2", "--by", "mgr",
       "--at", "2026-04-02", "--db", db);
    OK("skills", "assess", "--user", "op1", "--skill", "SM-7", "--level", "1", "--by", "sv1",
       "--db", db);
    OK("skills", "assess", "--user", "op1", "--skill", "SM-5", "--level", "2", "--by", "op1",
       "--db", db);
    OK("skills", "role", "--user", "sv2", "--role", "CAP", "--db", db);

    json_t *t = ok_json(RUN("skills", "team", "--center", "TKY", "--json", "--db", db));
    json_t *sv1 = find_login(json_object_get(t, "people"), "sv1");
    assert_non_null(sv1);
    assert_int_equal(gap_of(sv1, "SM-7", "assessed"), 2); /* the manager's view */
    json_t *sv2 = find_login(json_object_get(t, "people"), "sv2");
    assert_string_equal(json_string_value(json_object_get(sv2, "role")), "CAP");
    assert_int_equal(json_integer_value(json_object_get(sv2, "total_gap")), 10);
    json_t *care = json_object_get(t, "care_watch");
    assert_int_equal(json_array_size(care), 1);
    assert_non_null(find_login(care, "sv1"));
    json_t *needs = json_object_get(t, "training_needs");
    assert_true(json_array_size(needs) > 0);
    json_decref(t);

    /* Importing a model with renamed roles makes it the active one. */
    json_t *mj = ok_json(RUN("skills", "model", "show", "--json", "--db", db));
    assert_string_equal(json_string_value(json_object_get(mj, "source")), "data file");
    json_t *model = json_object_get(mj, "model");
    json_object_set_new(json_array_get(json_object_get(model, "roles"), 0), "name",
                        json_string("コミュニケーター"));
    char path[512], *text = json_dumps(model, 0);
    assert_int_equal(tu_write_temp("model.json", text, path, sizeof path), 0);
    free(text);
    json_decref(mj);
    json_t *imp = ok_json(RUN("skills", "model", "import", path, "--json", "--db", db));
    assert_true(json_integer_value(json_object_get(imp, "version")) > 0);
    json_decref(imp);
    mj = ok_json(RUN("skills", "model", "show", "--json", "--db", db));
    assert_string_equal(json_string_value(json_object_get(mj, "source")), "database");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(mj, "model"), "roles"), 0), "name")),
        "コミュニケーター");
    json_decref(mj);

    /* An invalid file names the file and the field, and stores nothing. */
    assert_int_equal(
        tu_write_temp(
            "bad.json",
            "{\"roles\":[{\"code\":\"OP\",\"name\":\"op\"}],\"skills\":[{\"code\":"
            "\"S1\",\"name\":\"s\",\"levels\":[\"a\",\"b\",\"c\",\"d\"],\"required\":{}}]}",
            path, sizeof path),
        0);
    char want[600];
    snprintf(want, sizeof want, "%s: skills[0] (S1).required.OP: expected a level from 1 to 4",
             path);
    usage_error(RUN("skills", "model", "import", path, "--db", db), want);
}

static void api_flow(const char *db)
{
    struct tu_server srv;
    assert_int_equal(tu_server_start(db, &srv, NULL), 0);
    struct tu_http *op = tu_http_new(srv.base), *sv = tu_http_new(srv.base),
                   *mgr = tu_http_new(srv.base);
    assert_int_equal(tu_login(op, "op1", PW), 200);
    assert_int_equal(tu_login(sv, "sv1", PW), 200);
    assert_int_equal(tu_login(mgr, "mgr", PW), 200);
    struct tu_resp r;

    /* The operator's own self-assessment, then the supervisor's lower view of SM-6. */
    assert_int_equal(tu_request(op, "POST", "/api/v1/users/op1/skills",
                                "{\"skill\":\"SM-6\",\"level\":3,\"at\":\"2026-05-01\"}", NULL, &r),
                     0);
    assert_int_equal(r.status, 201);
    assert_int_equal(gap_of(r.json, "SM-6", "assessed"), 3);
    tu_resp_free(&r);
    assert_int_equal(tu_request(sv, "POST", "/api/v1/users/op1/skills",
                                "{\"skill\":\"SM-6\",\"level\":1,\"at\":\"2026-04-01\"}", NULL, &r),
                     0);
    assert_int_equal(r.status, 201);
    tu_resp_free(&r);

    assert_int_equal(tu_request(op, "GET", "/api/v1/users/op1/skills", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    /* The supervisor's older assessment wins over the newer self-assessment: OP needs 1. */
    assert_int_equal(gap_of(r.json, "SM-6", "assessed"), 1);
    assert_int_equal(gap_of(r.json, "SM-6", "gap"), 0);
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(r.json, "gaps"), i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "skill")), "SM-6") != 0)
            continue;
        assert_string_equal(json_string_value(json_object_get(g, "source")), "supervisor");
        json_t *self = json_object_get(g, "self");
        assert_int_equal(json_integer_value(json_object_get(self, "level")), 3);
        assert_string_equal(json_string_value(json_object_get(self, "at")), "2026-05-01");
    }
    tu_resp_free(&r);

    /* An operator sees only their own skills and no heat map. */
    assert_int_equal(tu_request(op, "GET", "/api/v1/users/sv1/skills", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 403);
    tu_resp_free(&r);
    assert_int_equal(tu_request(op, "GET", "/api/v1/centers/TKY/skills", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 403);
    tu_resp_free(&r);

    /* The manager raises sv1 to SM-7 level 3: off the care watch. */
    assert_int_equal(tu_request(mgr, "GET", "/api/v1/centers/TKY/skills", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(find_login(json_object_get(r.json, "care_watch"), "sv1"));
    tu_resp_free(&r);
    assert_int_equal(tu_request(mgr, "POST", "/api/v1/users/sv1/skills",
                                "{\"skill\":\"SM-7\",\"level\":3}", NULL, &r),
                     0);
    assert_int_equal(r.status, 201);
    tu_resp_free(&r);
    assert_int_equal(tu_request(mgr, "GET", "/api/v1/centers/TKY/skills", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "care_watch")), 0);
    assert_string_equal(json_string_value(json_object_get(r.json, "center")), "TKY");
    tu_resp_free(&r);

    assert_int_equal(tu_request(op, "GET", "/api/v1/skills/model", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "source")), "database");
    tu_resp_free(&r);

    tu_http_free(op);
    tu_http_free(sv);
    tu_http_free(mgr);
    assert_int_equal(tu_server_stop(&srv), 0);
}

/* The demo's center TKY shows gaps and one supervisor below SM-7 level 3. */
static void demo_team(const char *backend)
{
    char db[512];
    if (tu_db_url(backend, "skills_demo", db, sizeof db))
        return;
    OK("init", "--demo", "--json", "--db", db);
    json_t *t = ok_json(RUN("skills", "team", "--center", "TKY", "--json", "--db", db));
    json_t *care = json_object_get(t, "care_watch");
    assert_int_equal(json_array_size(care), 1);
    json_t *sato = find_login(care, "sato.sv");
    assert_non_null(sato);
    assert_int_equal(json_integer_value(json_object_get(sato, "sm7_level")), 2);
    assert_int_equal(json_array_size(json_object_get(t, "people")), 6); /* with the manager */
    assert_true(json_array_size(json_object_get(t, "training_needs")) > 0);
    /* tanaka.op rated herself 2 after her supervisor's 1: the supervisor's view counts. */
    json_t *tanaka = find_login(json_object_get(t, "people"), "tanaka.op");
    assert_int_equal(gap_of(tanaka, "SM-7", "assessed"), 1);
    json_decref(t);
}

static void run_backend(const char *backend)
{
    char db[512];
    if (tu_db_url(backend, "skills_api", db, sizeof db) == 1)
        skip();
    demo_team(backend);
    fixture(db);
    cli_bad_input(db);
    cli_flow(db);
    api_flow(db);
}

static void test_sqlite(void **state)
{
    (void)state;
    run_backend("sqlite");
}

static void test_postgresql(void **state)
{
    (void)state;
    run_backend("postgresql");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite),
        cmocka_unit_test(test_postgresql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
