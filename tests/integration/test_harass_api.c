/* カスハラ対応 over HTTP, end to end on SQLite and on PostgreSQL: `ikiiki init --demo` plus a few
 * users added with the CLI, then the real server. Operators flag for themselves and see only their
 * own cases; supervisors flag for their center; a harassment verdict opens a care task for the
 * team's supervisor, who closes it once; headquarters reviews (and amends); the weekly queue and
 * the field-vs-HQ agreement over the demo month; bad bodies; a new policy version. No response
 * ever carries a caller's number, only its keyed reference. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PW "harass-pass-1"

/* The callers' numbers this test sends; no reply may hold their digits. */
static const char *const caller_digits[] = {"1234-5678", "12345678", "1111-2222", "11112222"};

/* Runs `ikiiki ARGS...` (NULL-terminated) with stdin_text and requires exit 0. */
static void cli(const char *stdin_text, ...)
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
    if (res.status != 0)
        fail_msg("`%s %s` exited %d: %s", argv[1], argc > 2 ? argv[2] : "", res.status, res.err);
    tu_result_free(&res);
}

static void user(const char *db, const char *login, const char *role, const char *center,
                 const char *team)
{
    if (team)
        cli(PW "\n", "user", "add", "--login", login, "--role", role, "--center", center, "--team",
            team, "--password-stdin", "--db", db, NULL);
    else if (center)
        cli(PW "\n", "user", "add", "--login", login, "--role", role, "--center", center,
            "--password-stdin", "--db", db, NULL);
    else
        cli(PW "\n", "user", "add", "--login", login, "--role", role, "--password-stdin", "--db",
            db, NULL);
}

/* The demo (center TKY with teams A and B, its people and a month of cases) plus: boss (admin),
 * cons (consultant of DEMO), mgr (center manager, TKY), sv_b (supervisor of team B), op_a and
 * op_b (operators, TKY, no team) and op_x (operator of team B). */
static void fixture(const char *db)
{
    cli(NULL, "init", "--demo", "--db", db, NULL);
    user(db, "boss", "admin", NULL, NULL);
    cli(PW "\n", "user", "add", "--login", "cons", "--role", "consultant", "--company", "DEMO",
        "--password-stdin", "--db", db, NULL);
    user(db, "mgr", "center_manager", "TKY", NULL);
    user(db, "sv_b", "supervisor", "TKY", "B");
    user(db, "op_a", "operator", "TKY", NULL);
    user(db, "op_b", "operator", "TKY", NULL);
    user(db, "op_x", "operator", "TKY", "B");
}

static struct tu_http *login(const struct tu_server *srv, const char *who)
{
    struct tu_http *h = tu_http_new(srv->base);
    long st = tu_login(h, who, PW);
    if (st != 200)
        fail_msg("sign-in as %s: status %ld", who, st);
    return h;
}

/* Sends a request, requires status want and a reply without any caller's number; returns the
 * reply's JSON (a new reference, NULL for 204). */
static json_t *call(struct tu_http *h, const char *method, const char *path, const char *body,
                    long want)
{
    struct tu_resp resp;
    if (tu_request(h, method, path, body, NULL, &resp))
        fail_msg("%s %s: no reply", method, path);
    if (resp.status != want)
        fail_msg("%s %s %s: expected %ld, got %ld: %.400s", method, path, body ? body : "", want,
                 resp.status, resp.body);
    for (size_t i = 0; i < sizeof caller_digits / sizeof caller_digits[0]; i++)
        if (strstr(resp.body, caller_digits[i]))
            fail_msg("%s %s: the reply holds a caller's number: %.400s", method, path, resp.body);
    json_t *j = resp.json ? json_incref(resp.json) : NULL;
    tu_resp_free(&resp);
    return j;
}

#define CALL(...) json_decref(call(__VA_ARGS__))

/* Requires a 400 whose message names field. */
static void bad_body(struct tu_http *h, const char *path, const char *body, const char *field)
{
    json_t *j = call(h, "POST", path, body, 400);
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    if (!msg || !strstr(msg, field))
        fail_msg("POST %s %s: the message does not name \"%s\": %s", path, body, field,
                 msg ? msg : "(none)");
    json_decref(j);
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("no string \"%s\"", key);
    return s;
}

static long long num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("no integer \"%s\"", key);
    return (long long)json_integer_value(v);
}

static long long case_path(char *out, size_t outlen, json_t *c, const char *suffix)
{
    long long id = num(c, "id");
    snprintf(out, outlen, "/api/v1/harass/cases/%lld%s", id, suffix);
    return id;
}

/* The care task of case_id in a care list, or NULL. */
static json_t *task_of(json_t *list, long long case_id)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(list, "tasks"), i, t)
    {
        if (json_integer_value(json_object_get(t, "case")) == case_id)
            return t;
    }
    return NULL;
}

static void operators_flag_for_themselves(struct tu_http *op_a, struct tu_http *op_b)
{
    char path[128];
    json_t *mine = call(op_a, "POST", "/api/v1/harass/cases",
                        "{\"behaviour\":1,\"demand\":1,\"categories\":[\"abuse\"],"
                        "\"caller\":\"03-1234-5678\",\"memo\":\"raised voice\"}",
                        201);
    assert_string_equal(str(mine, "source"), "operator");
    assert_string_equal(str(mine, "center"), "TKY");
    assert_string_equal(str(mine, "operator"), "op_a");
    assert_int_equal(strlen(str(mine, "caller_ref")), 64);
    assert_null(json_object_get(mine, "caller"));
    assert_int_equal(num(mine, "policy_version"), 1);
    /* Not for somebody else, not even in the same center. */
    CALL(op_a, "POST", "/api/v1/harass/cases",
         "{\"operator\":\"op_b\",\"behaviour\":1,\"demand\":1,\"categories\":[\"abuse\"]}", 403);
    json_t *theirs = call(op_b, "POST", "/api/v1/harass/cases",
                          "{\"behaviour\":2,\"demand\":1,\"categories\":[\"repeat\"]}", 201);
    case_path(path, sizeof path, theirs, "");
    CALL(op_a, "GET", path, NULL, 403);
    json_t *again = call(op_b, "GET", path, NULL, 200);
    assert_string_equal(str(again, "operator"), "op_b");
    assert_int_equal(json_array_size(json_object_get(again, "history")), 0);
    case_path(path, sizeof path, mine, "");
    json_decref(again);
    again = call(op_a, "GET", path, NULL, 200);
    assert_string_equal(str(again, "caller_ref"), str(mine, "caller_ref"));
    json_decref(again);
    json_decref(theirs);
    json_decref(mine);
}

/* A supervisor flags for an operator of their team; the harassment verdict opens a care task for
 * that supervisor, who closes it once. Then headquarters reviews the case. Returns the case. */
static json_t *care_and_review(struct tu_http *sv_b, struct tu_http *op_x, struct tu_http *mgr,
                               struct tu_http *cons)
{
    char path[128];
    json_t *c =
        call(sv_b, "POST", "/api/v1/harass/cases",
             "{\"operator\":\"op_x\",\"behaviour\":3,\"demand\":3,"
             "\"categories\":[\"abuse\",\"insult\"],\"caller\":\"090-1111-2222\","
             "\"channel\":\"phone\",\"evidence\":[{\"kind\":\"recording\",\"ref\":\"R-1\"}]}",
             201);
    assert_string_equal(str(c, "source"), "supervisor");
    assert_string_equal(str(c, "center"), "TKY");
    assert_string_equal(str(c, "operator"), "op_x");
    assert_string_equal(str(json_object_get(c, "field"), "verdict"), "harassment");
    long long id = num(c, "id");

    json_t *list = call(sv_b, "GET", "/api/v1/centers/TKY/harass/care", NULL, 200);
    json_t *t = task_of(list, id);
    if (!t)
        fail_msg("no care task for case %lld", id);
    assert_string_equal(str(t, "assignee"), "sv_b");
    assert_string_equal(str(t, "operator"), "op_x");
    assert_true(json_is_null(json_object_get(t, "done_at")));
    long long task = num(t, "id");
    json_decref(list);
    list = call(mgr, "GET", "/api/v1/centers/TKY/harass/care?overdue=1", NULL, 200);
    assert_null(task_of(list, id)); /* due in 24 hours */
    json_decref(list);

    snprintf(path, sizeof path, "/api/v1/harass/care/%lld/done", task);
    CALL(op_x, "POST", path, "{\"note\":\"mine\"}", 403);
    CALL(sv_b, "POST", path, "{}", 400);
    assert_null(call(sv_b, "POST", path, "{\"note\":\"talked it over, took a break\"}", 204));
    CALL(sv_b, "POST", path, "{\"note\":\"again\"}", 409);
    list = call(mgr, "GET", "/api/v1/centers/TKY/harass/care", NULL, 200);
    assert_null(task_of(list, id)); /* open tasks only */
    json_decref(list);
    list = call(mgr, "GET", "/api/v1/centers/TKY/harass/care?all=1", NULL, 200);
    t = task_of(list, id);
    assert_non_null(t);
    assert_string_equal(str(t, "note"), "talked it over, took a break");
    json_decref(list);

    /* Review: a supervisor may not; the center manager once, then only as an amendment. */
    case_path(path, sizeof path, c, "/review");
    CALL(sv_b, "POST", path, "{\"behaviour\":2,\"demand\":2}", 403);
    json_t *r = call(mgr, "POST", path, "{\"behaviour\":2,\"demand\":2,\"note\":\"grey\"}", 200);
    assert_int_equal(num(r, "reviews"), 1);
    assert_string_equal(str(json_object_get(r, "final"), "verdict"), "grey");
    json_decref(r);
    CALL(mgr, "POST", path, "{\"behaviour\":3,\"demand\":3}", 409);
    CALL(cons, "POST", path, "{\"behaviour\":3,\"demand\":3}", 409);
    r = call(mgr, "POST", path, "{\"behaviour\":3,\"demand\":3,\"amend\":true}", 200);
    assert_int_equal(json_array_size(json_object_get(r, "history")), 2);
    assert_string_equal(str(json_object_get(r, "final"), "verdict"), "harassment");
    json_decref(r);
    case_path(path, sizeof path, c, "");
    r = call(op_x, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(r, "history")), 2);
    json_decref(r);
    return c;
}

/* The demo month (src/cli/demo.c): W46 is reviewed, W47 is not. */
static void queue(struct tu_http *mgr, struct tu_http *sv, struct tu_http *op)
{
    json_t *q = call(mgr, "GET", "/api/v1/centers/TKY/harass/queue?week=2026-W46", NULL, 200);
    assert_string_equal(str(q, "week"), "2026-W46");
    assert_int_equal(num(q, "total"), 4);
    assert_int_equal(json_array_size(json_object_get(q, "cases")), 4);
    assert_int_equal(num(q, "pending"), 0);
    json_decref(q);
    q = call(sv, "GET", "/api/v1/centers/TKY/harass/queue?week=2026-W47", NULL, 200);
    assert_true(num(q, "total") >= 4);
    assert_true(num(q, "pending") >= 4);
    json_decref(q);
    CALL(mgr, "GET", "/api/v1/centers/TKY/harass/queue?week=2026-W99", NULL, 400);
    CALL(op, "GET", "/api/v1/centers/TKY/harass/queue?week=2026-W47", NULL, 403);
}

/* Field-vs-HQ agreement over the demo month, by hand from src/cli/demo.c and the default grid
 * (grid[behaviour][demand]; C claim, G grey, H harassment):
 *          d0 d1 d2 d3 d4
 *     b0:  C  C  C  G  G
 *     b1:  C  C  G  G  H
 *     b2:  C  G  G  H  H
 *     b3:  G  G  H  H  H
 *     b4:  H  H  H  H  H
 * The 12 reviewed cases (2026-10-26 .. 2026-11-13), field → HQ:
 *     (2,1)G→(2,1)G  (1,2)G→(1,2)G  (3,3)H→(3,3)H  (1,1)C→(2,2)G ✗
 *     (2,2)G→(2,1)G  (2,3)H→(2,3)H  (0,3)G→(1,2)G  (4,2)H→(4,2)H
 *     (1,2)G→(1,1)C ✗ (3,1)G→(2,1)G  (3,2)H→(3,2)H  (2,1)G→(2,2)G
 * 10 of 12 match: agreement 0.8333. Field C1 G7 H4, HQ C1 G7 H4: chance agreement
 * (1·1 + 7·7 + 4·4)/144 = 66/144 = 0.4583, kappa = (0.8333 − 0.4583)/(1 − 0.4583) = 0.6923.
 * The four W47 cases (11-16 .. 11-20) are not reviewed and do not count. */
static void agreement(struct tu_http *mgr, struct tu_http *cons, struct tu_http *boss,
                      struct tu_http *sv)
{
    const char *path = "/api/v1/centers/TKY/harass/agreement?from=2026-10-26&to=2026-11-22";
    json_t *a = call(mgr, "GET", path, NULL, 200);
    assert_int_equal(num(a, "n"), 12);
    assert_true(fabs(json_number_value(json_object_get(a, "agreement")) - 0.8333) < 1e-4);
    json_t *k = json_object_get(a, "kappa");
    assert_true(json_is_number(k));
    assert_true(fabs(json_number_value(k) - 0.6923) < 1e-3);
    assert_string_equal(str(a, "center"), "TKY");
    json_decref(a);
    CALL(cons, "GET", path, NULL, 200);
    CALL(boss, "GET", path, NULL, 200);
    CALL(sv, "GET", path, NULL, 403);
    CALL(mgr, "GET", "/api/v1/centers/TKY/harass/agreement?from=2026-11-22&to=2026-10-26", NULL,
         400);
    CALL(mgr, "GET", "/api/v1/centers/TKY/harass/agreement?from=2026-10-26", NULL, 400);
}

static void bad_bodies(struct tu_http *op, struct tu_http *mgr)
{
    const char *p = "/api/v1/harass/cases";
    bad_body(op, p, "{\"behaviour\":5,\"demand\":1,\"categories\":[\"abuse\"]}", "behaviour");
    bad_body(op, p, "{\"behaviour\":1,\"demand\":1,\"categories\":[\"no_such_thing\"]}",
             "no_such_thing");
    bad_body(op, p, "{\"behaviour\":1,\"demand\":1}", "categories");
    bad_body(op, p, "{\"behaviour\":1,\"demand\":1,\"categories\":[]}", "categories");
    bad_body(op, p,
             "{\"behaviour\":1,\"demand\":1,\"categories\":[\"abuse\"],\"at\":\"yesterday\"}",
             "at");
    bad_body(op, p, "{\"behaviour\":1,\"demand\":1,\"categories\":[\"abuse\"],\"colour\":1}",
             "colour");
    bad_body(op, p,
             "{\"behaviour\":1,\"demand\":1,\"categories\":[\"abuse\"],\"requests\":[\"x\"]}", "x");
    bad_body(op, "/api/v1/harass/judge", "{\"behaviour\":1,\"demand\":-1}", "demand");
    bad_body(mgr, "/api/v1/harass/cases/1/review", "{\"behaviour\":1,\"demand\":1,\"amend\":1}",
             "amend");
    json_t *j = call(op, "POST", "/api/v1/harass/judge",
                     "{\"behaviour\":2,\"demand\":3,\"requests\":[\"legal_action\"]}", 200);
    assert_int_equal(num(j, "policy_version"), 1);
    json_decref(j);
}

static char *policy_document(int broken)
{
    char path[1024];
    const char *data = getenv("IKIIKI_TEST_DATA");
    assert_non_null(data);
    snprintf(path, sizeof path, "%s/../../data/policy/default.json", data);
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    if (!doc)
        fail_msg("%s: %s", path, e.text);
    json_t *grid = json_object_get(doc, "grid");
    if (broken) /* a row short of a cell */
        json_array_remove(json_array_get(grid, 2), 4);
    else /* a stricter first row: "calm but unjustified" is already harassment */
        json_array_set_new(json_array_get(grid, 0), 4, json_string("harassment"));
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static void policy_versions(struct tu_http *boss, struct tu_http *mgr, struct tu_http *op,
                            const json_t *old_case)
{
    json_t *p = call(op, "GET", "/api/v1/harass/policy", NULL, 200);
    assert_int_equal(num(p, "version"), 1);
    assert_true(json_is_object(json_object_get(p, "policy")));
    json_decref(p);
    char *broken = policy_document(1), *good = policy_document(0);
    CALL(mgr, "PUT", "/api/v1/harass/policy", good, 403);
    CALL(boss, "PUT", "/api/v1/harass/policy", broken, 400);
    CALL(boss, "PUT", "/api/v1/harass/policy", "{\"grid\":[]}", 400);
    p = call(op, "GET", "/api/v1/harass/policy", NULL, 200);
    assert_int_equal(num(p, "version"), 1);
    json_decref(p);
    p = call(boss, "PUT", "/api/v1/harass/policy", good, 201);
    assert_int_equal(num(p, "version"), 2);
    json_decref(p);
    free(broken);
    free(good);
    p = call(mgr, "GET", "/api/v1/harass/policy", NULL, 200);
    assert_int_equal(num(p, "version"), 2);
    json_decref(p);

    json_t *c = call(op, "POST", "/api/v1/harass/cases",
                     "{\"behaviour\":0,\"demand\":4,\"categories\":[\"excessive_demand\"]}", 201);
    assert_int_equal(num(c, "policy_version"), 2);
    assert_string_equal(str(json_object_get(c, "field"), "verdict"), "harassment");
    json_decref(c);
    char path[128];
    case_path(path, sizeof path, (json_t *)old_case, "");
    c = call(mgr, "GET", path, NULL, 200);
    assert_int_equal(num(c, "policy_version"), 1);
    json_decref(c);
}

static void run(const char *backend)
{
    char db[512];
    if (tu_db_url(backend, "harass_api", db, sizeof db) == 1)
        skip();
    fixture(db);
    struct tu_server srv;
    const char *const extra[] = {"--no-access-log", NULL};
    assert_int_equal(tu_server_start(db, &srv, extra), 0);
    struct tu_http *boss = login(&srv, "boss"), *cons = login(&srv, "cons"),
                   *mgr = login(&srv, "mgr"), *sv_b = login(&srv, "sv_b"),
                   *op_a = login(&srv, "op_a"), *op_b = login(&srv, "op_b"),
                   *op_x = login(&srv, "op_x");

    agreement(mgr, cons, boss, sv_b); /* before any review of this test */
    queue(mgr, sv_b, op_a);
    operators_flag_for_themselves(op_a, op_b);
    json_t *c = care_and_review(sv_b, op_x, mgr, cons);
    bad_bodies(op_a, mgr);
    policy_versions(boss, mgr, op_a, c);
    json_decref(c);

    struct tu_http *all[] = {boss, cons, mgr, sv_b, op_a, op_b, op_x};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tu_http_free(all[i]);
    assert_true(tu_server_alive(&srv));
    assert_int_equal(tu_server_stop(&srv), 0);
}

static void test_harass_api_sqlite(void **state)
{
    (void)state;
    run("sqlite");
}

static void test_harass_api_postgresql(void **state)
{
    (void)state;
    run("postgresql");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harass_api_sqlite),
        cmocka_unit_test(test_harass_api_postgresql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
