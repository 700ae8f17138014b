/* The `ikiiki` command against the real binary, on SQLite and on PostgreSQL: help and version,
 * init, center/user/apikey commands, exit codes, one-line errors, and that a failing command
 * leaves the database as it was. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define MAXARGS 32

/* ---- helpers ---------------------------------------------------------------------------- */

/* Runs `ikiiki ARGS...` (NULL-terminated) with optional stdin text. */
static void run_argv(struct tu_result *res, const char *stdin_text, const char *const *args)
{
    char *argv[MAXARGS + 2];
    int n = 0;
    argv[n++] = (char *)tu_bin();
    for (int i = 0; args[i]; i++) {
        assert_true(n < MAXARGS);
        argv[n++] = (char *)args[i];
    }
    argv[n] = NULL;
    assert_int_equal(tu_run(argv, stdin_text, res), 0);
}

static void run_in(struct tu_result *res, const char *stdin_text, ...)
{
    const char *args[MAXARGS + 1];
    int n = 0;
    va_list ap;
    va_start(ap, stdin_text);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        assert_true(n < MAXARGS);
        args[n++] = a;
    }
    va_end(ap);
    args[n] = NULL;
    run_argv(res, stdin_text, args);
}

#define RUN(res, ...)             run_in((res), NULL, __VA_ARGS__, (const char *)NULL)
#define RUN_STDIN(res, text, ...) run_in((res), (text), __VA_ARGS__, (const char *)NULL)

/* Fails with the command's output when the status is not the expected one. */
static void expect_status(const struct tu_result *r, int status)
{
    if (r->status != status)
        print_error("exit %d (wanted %d)\nstdout: %s\nstderr: %s\n", r->status, status, r->out,
                    r->err);
    assert_int_equal(r->status, status);
}

/* stderr is exactly one non-empty line. */
static void expect_one_line(const char *err)
{
    size_t n = strlen(err);
    if (n == 0 || err[n - 1] != '\n' || strchr(err, '\n') != err + n - 1)
        print_error("stderr is not one line: \"%s\"\n", err);
    assert_true(n > 1);
    assert_true(err[n - 1] == '\n');
    assert_ptr_equal(strchr(err, '\n'), err + n - 1);
}

static void expect_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        print_error("\"%s\" does not contain \"%s\"\n", hay, needle);
    assert_non_null(strstr(hay, needle));
}

static json_t *parse_json(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        print_error("not JSON (%s): %s\n", je.text, text);
    assert_non_null(j);
    return j;
}

/* A new database URL for the backend of this test case; skips when PostgreSQL is not wanted. */
static void fresh_db(void **state, const char *name, char *url, size_t urllen)
{
    const char *backend = *state;
    char full[96];
    snprintf(full, sizeof full, "cli_%s_%s", name, backend);
    if (tu_db_url(backend, full, url, urllen) == 1)
        skip();
}

static int is_pg(void **state)
{
    return strcmp((const char *)*state, "postgresql") == 0;
}

/* init (optionally --demo); returns the admin password into pw when demo data was added. */
static void init_db(const char *url, int demo, char *pw, size_t pwlen)
{
    struct tu_result r;
    if (demo)
        RUN(&r, "init", "--db", url, "--demo", "--json");
    else
        RUN(&r, "init", "--db", url, "--json");
    expect_status(&r, 0);
    if (pw) {
        json_t *j = parse_json(r.out);
        const char *p = json_string_value(json_object_get(j, "admin_password"));
        assert_non_null(p);
        snprintf(pw, pwlen, "%s", p);
        json_decref(j);
    }
    tu_result_free(&r);
}

/* `GROUP list --db URL --json` parsed. */
static json_t *list_json(const char *group, const char *url)
{
    struct tu_result r;
    RUN(&r, group, "list", "--db", url, "--json");
    expect_status(&r, 0);
    json_t *j = parse_json(r.out);
    assert_true(json_is_array(j));
    tu_result_free(&r);
    return j;
}

/* Everything the CLI can list, as one JSON value, to compare before and after a command. */
static json_t *snapshot(const char *url)
{
    return json_pack("{s:o, s:o, s:o, s:o}", "companies", list_json("company", url), "centers",
                     list_json("center", url), "users", list_json("user", url), "apikeys",
                     list_json("apikey", url));
}

static void expect_unchanged(json_t *before, const char *url)
{
    json_t *after = snapshot(url);
    if (!json_equal(before, after)) {
        char *a = json_dumps(before, JSON_SORT_KEYS), *b = json_dumps(after, JSON_SORT_KEYS);
        print_error("database changed:\nbefore %s\nafter  %s\n", a, b);
        free(a);
        free(b);
    }
    assert_true(json_equal(before, after));
    json_decref(after);
}

static json_t *find_by(json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(json_object_get(v, key));
        if (s && strcmp(s, value) == 0)
            return v;
    }
    return NULL;
}

static void expect_str(json_t *o, const char *key, const char *want)
{
    const char *got = json_string_value(json_object_get(o, key));
    if (!got || strcmp(got, want) != 0)
        print_error("%s: got \"%s\", wanted \"%s\"\n", key, got ? got : "(none)", want);
    assert_non_null(got);
    assert_string_equal(got, want);
}

static void expect_int(json_t *o, const char *key, long long want)
{
    json_t *v = json_object_get(o, key);
    assert_true(json_is_integer(v));
    assert_int_equal(json_integer_value(v), want);
}

/* ---- help and version ------------------------------------------------------------------- */

static const char *const commands[][2] = {
    {"init", NULL},    {"serve", NULL},    {"company", "add"}, {"company", "list"},
    {"center", "add"}, {"center", "list"}, {"team", "add"},    {"user", "add"},
    {"user", "list"},  {"apikey", "add"},  {"apikey", "list"},
};

static void test_version_help(void **state)
{
    char url[512];
    fresh_db(state, "help", url, sizeof url);
    struct tu_result r;

    RUN(&r, "--version");
    expect_status(&r, 0);
    expect_contains(r.out, "ikiiki ");
    expect_contains(r.out, "sqlite");
    tu_result_free(&r);

    RUN(&r, "--help");
    expect_status(&r, 0);
    expect_contains(r.out, "usage: ikiiki");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        expect_contains(r.out, commands[i][0]);
    tu_result_free(&r);

    /* Every command: --help wins over everything else, exits 0, prints usage on stdout. */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *g = commands[i][0], *v = commands[i][1];
        char want[64];
        snprintf(want, sizeof want, "usage: ikiiki %s%s%s", g, v ? " " : "", v ? v : "");
        if (v)
            RUN(&r, g, v, "--db", url, "--help");
        else
            RUN(&r, g, "--db", url, "--help");
        expect_status(&r, 0);
        expect_contains(r.out, want);
        expect_contains(r.out, "--db");
        assert_string_equal(r.err, "");
        tu_result_free(&r);
    }
    /* A group's --help lists its verbs. */
    RUN(&r, "center", "--help");
    expect_status(&r, 0);
    expect_contains(r.out, "add");
    expect_contains(r.out, "list");
    tu_result_free(&r);
}

/* ---- init ------------------------------------------------------------------------------- */

static void test_init_idempotent(void **state)
{
    char url[512];
    fresh_db(state, "init", url, sizeof url);
    struct tu_result r;

    RUN(&r, "init", "--db", url, "--json");
    expect_status(&r, 0);
    json_t *j = parse_json(r.out);
    expect_str(j, "backend", is_pg(state) ? "postgresql" : "sqlite");
    assert_true(json_integer_value(json_object_get(j, "applied")) >= 1);
    json_int_t schema = json_integer_value(json_object_get(j, "schema"));
    assert_true(schema >= 1);
    assert_true(json_is_false(json_object_get(j, "demo")));
    assert_null(json_object_get(j, "admin_password"));
    json_decref(j);
    tu_result_free(&r);

    RUN(&r, "init", "--db", url, "--json");
    expect_status(&r, 0);
    j = parse_json(r.out);
    expect_int(j, "applied", 0);
    expect_int(j, "schema", schema);
    json_decref(j);
    tu_result_free(&r);

    RUN(&r, "init", "--db", url);
    expect_status(&r, 0);
    expect_contains(r.out, "0 migrations applied");
    tu_result_free(&r);

    json_t *centers = list_json("center", url);
    assert_int_equal(json_array_size(centers), 0);
    json_decref(centers);
}

static void test_init_demo(void **state)
{
    char url[512], pw[64];
    fresh_db(state, "demo", url, sizeof url);
    init_db(url, 1, pw, sizeof pw);
    assert_int_equal(strlen(pw), 16);

    json_t *centers = list_json("center", url);
    assert_int_equal(json_array_size(centers), 3);
    static const char *const codes[] = {"TKY", "OSK", "FUK"};
    for (size_t i = 0; i < 3; i++) {
        json_t *c = find_by(centers, "code", codes[i]);
        assert_non_null(c);
        expect_str(c, "company", "DEMO");
        assert_true(json_integer_value(json_object_get(c, "operators")) > 0);
    }
    json_decref(centers);

    json_t *users = list_json("user", url);
    json_t *admin = find_by(users, "login", "admin");
    assert_non_null(admin);
    expect_str(admin, "role", "admin");
    json_decref(users);

    /* A second --demo on a database that holds data adds nothing and shows no password. */
    struct tu_result r;
    RUN(&r, "init", "--db", url, "--demo", "--json");
    expect_status(&r, 0);
    json_t *j = parse_json(r.out);
    assert_true(json_is_false(json_object_get(j, "demo")));
    expect_int(j, "applied", 0);
    assert_null(json_object_get(j, "admin_password"));
    json_decref(j);
    tu_result_free(&r);
    centers = list_json("center", url);
    assert_int_equal(json_array_size(centers), 3);
    json_decref(centers);
}

/* ---- center add ------------------------------------------------------------------------- */

static void test_center_add(void **state)
{
    char url[512];
    fresh_db(state, "center", url, sizeof url);
    init_db(url, 0, NULL, 0);
    struct tu_result r;

    /* In an empty database the center goes to a new "default" company. */
    RUN(&r, "center", "add", "--db", url, "--code", "C-1_x", "--name", "札幌センター",
        "--operators", "12", "--staff", "3", "--json");
    expect_status(&r, 0);
    assert_string_equal(r.err, "");
    json_t *c = parse_json(r.out);
    expect_str(c, "code", "C-1_x");
    expect_str(c, "name", "札幌センター");
    expect_str(c, "company", "default");
    expect_int(c, "operators", 12);
    expect_int(c, "staff", 3);
    json_t *hc = json_object_get(c, "headcounts");
    assert_true(json_is_object(hc));
    expect_int(hc, "OP", 12);
    expect_int(hc, "SV", 0);
    expect_int(hc, "MGR", 0);
    expect_int(hc, "OTHER", 3);
    tu_result_free(&r);

    /* The listing shows the same center. */
    json_t *all = list_json("center", url);
    assert_int_equal(json_array_size(all), 1);
    assert_true(json_equal(json_array_get(all, 0), c));
    json_decref(all);
    json_decref(c);

    /* Text output, --staff defaulting to 0, the same company resolved again, --opt=value form. */
    RUN(&r, "center", "add", "--db", url, "--code=C2", "--name=Two", "--operators=0");
    expect_status(&r, 0);
    expect_contains(r.out, "center C2 added to company default");
    tu_result_free(&r);

    /* With two companies, --company picks one. */
    RUN(&r, "company", "add", "--db", url, "--code", "ACME", "--name", "Acme");
    expect_status(&r, 0);
    tu_result_free(&r);
    RUN(&r, "center", "add", "--db", url, "--code", "C3", "--name", "Three", "--operators",
        "1000000", "--company", "ACME", "--json");
    expect_status(&r, 0);
    c = parse_json(r.out);
    expect_str(c, "company", "ACME");
    expect_int(c, "operators", 1000000);
    expect_int(c, "staff", 0);
    json_decref(c);
    tu_result_free(&r);

    all = list_json("center", url);
    assert_int_equal(json_array_size(all), 3);
    expect_str(find_by(all, "code", "C2"), "company", "default");
    json_decref(all);
}

/* ---- bad input: exit 2, one line on stderr, nothing written ----------------------------- */

struct bad_case {
    const char *what;
    const char *args[16]; /* after `ikiiki`, before `--db URL` (added unless db is set) */
    const char *db;       /* a --db value to use instead of the test database */
    const char *stdin_text;
    const char *want[3]; /* substrings of the error line */
};

static const struct bad_case bad_cases[] = {
    {"non-numeric --operators",
     {"center", "add", "--code", "N1", "--name", "n", "--operators", "abc", "--company", "DEMO"},
     NULL,
     NULL,
     {"--operators", "\"abc\"", "whole number"}},
    {"negative --staff",
     {"center", "add", "--code", "N1", "--name", "n", "--operators", "5", "--staff", "-5",
      "--company", "DEMO"},
     NULL,
     NULL,
     {"--staff", "\"-5\""}},
    {"--operators above the limit",
     {"center", "add", "--code", "N1", "--name", "n", "--operators", "1000001", "--company",
      "DEMO"},
     NULL,
     NULL,
     {"--operators", "1000001"}},
    {"--code with a space",
     {"center", "add", "--code", "a b", "--name", "n", "--operators", "5", "--company", "DEMO"},
     NULL,
     NULL,
     {"--code", "\"a b\""}},
    {"--code with a slash",
     {"center", "add", "--code", "x/y", "--name", "n", "--operators", "5", "--company", "DEMO"},
     NULL,
     NULL,
     {"--code", "x/y"}},
    {"--code too long",
     {"center", "add", "--code", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "--name", "n", "--operators",
      "5", "--company", "DEMO"},
     NULL,
     NULL,
     {"--code"}},
    {"missing --name",
     {"center", "add", "--code", "N1", "--operators", "5"},
     NULL,
     NULL,
     {"--name"}},
    {"missing --operators",
     {"center", "add", "--code", "N1", "--name", "n", "--company", "DEMO"},
     NULL,
     NULL,
     {"--operators", "required"}},
    {"option without its value", {"center", "add", "--code"}, "-", NULL, {"--code", "value"}},
    {"option given twice",
     {"center", "add", "--code", "N1", "--code", "N2", "--name", "n", "--operators", "5"},
     NULL,
     NULL,
     {"--code", "twice"}},
    {"unknown option",
     {"center", "add", "--code", "N1", "--name", "n", "--operators", "5", "--bogus", "1"},
     NULL,
     NULL,
     {"--bogus"}},
    {"stray argument", {"center", "list", "extra"}, NULL, NULL, {"extra"}},
    {"unknown --company",
     {"center", "add", "--code", "N1", "--name", "n", "--operators", "5", "--company", "NOPE"},
     NULL,
     NULL,
     {"--company", "NOPE", "does not exist"}},
    {"no --company with three companies",
     {"center", "add", "--code", "N1", "--name", "n", "--operators", "5"},
     NULL,
     NULL,
     {"--company", "3 companies"}},
    {"duplicate center code",
     {"center", "add", "--code", "TKY", "--name", "n", "--operators", "5", "--company", "ACME"},
     NULL,
     NULL,
     {"TKY", "already exists"}},
    {"duplicate company code",
     {"company", "add", "--code", "DEMO", "--name", "again"},
     NULL,
     NULL,
     {"DEMO", "already exists"}},
    {"unknown --role",
     {"user", "add", "--login", "bob", "--role", "king"},
     NULL,
     NULL,
     {"--role", "\"king\""}},
    {"bad --login",
     {"user", "add", "--login", "bob smith", "--role", "admin"},
     NULL,
     NULL,
     {"--login", "bob smith"}},
    {"operator without --center",
     {"user", "add", "--login", "bob", "--role", "operator"},
     NULL,
     NULL,
     {"--center"}},
    {"unknown --center",
     {"user", "add", "--login", "bob", "--role", "operator", "--center", "NOPE"},
     NULL,
     NULL,
     {"--center", "NOPE", "does not exist"}},
    {"unknown --team",
     {"user", "add", "--login", "bob", "--role", "operator", "--center", "TKY", "--team", "ZZ"},
     NULL,
     NULL,
     {"--team", "ZZ", "does not exist"}},
    {"consultant with one unknown company of two",
     {"user", "add", "--login", "cons", "--role", "consultant", "--company", "DEMO,NOPE"},
     NULL,
     NULL,
     {"--company", "NOPE"}},
    {"duplicate login",
     {"user", "add", "--login", "admin", "--role", "admin"},
     NULL,
     NULL,
     {"admin", "already exists"}},
    {"short password on stdin",
     {"user", "add", "--login", "bob", "--role", "admin", "--password-stdin"},
     NULL,
     "short\n",
     {"password", "10 to 1024"}},
    {"no password on stdin",
     {"user", "add", "--login", "bob", "--role", "admin", "--password-stdin"},
     NULL,
     "",
     {"--password-stdin"}},
    {"unknown --scope",
     {"apikey", "add", "--name", "k1", "--scope", "calls,fly"},
     NULL,
     NULL,
     {"--scope", "fly"}},
    {"team in an unknown center",
     {"team", "add", "--center", "NOPE", "--code", "T", "--name", "t"},
     NULL,
     NULL,
     {"--center", "NOPE"}},
    {"duplicate team",
     {"team", "add", "--center", "TKY", "--code", "A", "--name", "t"},
     NULL,
     NULL,
     {"\"A\"", "already exists"}},
    {"mysql:// --db", {"center", "list"}, "mysql://x", NULL, {"--db", "mysql://x"}},
    {"empty sqlite: --db", {"company", "list"}, "sqlite:", NULL, {"--db", "sqlite:"}},
    {"unknown verb", {"center", "frob"}, "-", NULL, {"center", "frob"}},
    {"unknown command", {"frobnicate"}, "-", NULL, {"frobnicate"}},
};

static void test_bad_input(void **state)
{
    char url[512];
    fresh_db(state, "bad", url, sizeof url);
    init_db(url, 1, NULL, 0);
    struct tu_result r;
    RUN(&r, "company", "add", "--db", url, "--code", "ACME", "--name", "Acme");
    expect_status(&r, 0);
    tu_result_free(&r);
    json_t *before = snapshot(url);
    /* Demo data holds DEMO and HANA; with ACME there are three. */
    assert_int_equal(json_array_size(json_object_get(before, "companies")), 3);

    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        const char *args[24];
        int n = 0;
        for (int a = 0; c->args[a]; a++)
            args[n++] = c->args[a];
        if (!c->db || strcmp(c->db, "-") != 0) {
            args[n++] = "--db";
            args[n++] = c->db ? c->db : url;
        }
        args[n] = NULL;
        run_argv(&r, c->stdin_text, args);
        if (r.status != 2)
            print_error("case \"%s\"\n", c->what);
        expect_status(&r, 2);
        expect_one_line(r.err);
        expect_contains(r.err, "ikiiki");
        for (int w = 0; w < 3 && c->want[w]; w++) {
            if (!strstr(r.err, c->want[w]))
                print_error("case \"%s\"\n", c->what);
            expect_contains(r.err, c->want[w]);
        }
        assert_string_equal(r.out, "");
        tu_result_free(&r);
        expect_unchanged(before, url);
    }
    json_decref(before);
}

/* In an empty database a center for an unknown company creates neither center nor company. */
static void test_bad_company_empty_db(void **state)
{
    char url[512];
    fresh_db(state, "badco", url, sizeof url);
    init_db(url, 0, NULL, 0);
    json_t *before = snapshot(url);
    struct tu_result r;
    RUN(&r, "center", "add", "--db", url, "--code", "C1", "--name", "c", "--operators", "3",
        "--company", "NOPE");
    expect_status(&r, 2);
    expect_one_line(r.err);
    expect_contains(r.err, "NOPE");
    tu_result_free(&r);
    expect_unchanged(before, url);
    json_decref(before);
}

/* ---- users and signing in --------------------------------------------------------------- */

/* The password from "password (shown once): XXX". */
static void generated_password(const char *out, char *pw, size_t pwlen)
{
    const char *p = strstr(out, "password (shown once): ");
    assert_non_null(p);
    p += strlen("password (shown once): ");
    size_t n = strcspn(p, "\r\n");
    assert_true(n >= 10 && n < pwlen);
    memcpy(pw, p, n);
    pw[n] = '\0';
}

static void expect_me(struct tu_server *srv, const char *login, const char *pw, const char *role)
{
    struct tu_http *h = tu_http_new(srv->base);
    assert_int_equal(tu_login(h, login, pw), 200);
    struct tu_resp resp;
    assert_int_equal(tu_request(h, "GET", "/api/v1/me", NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_non_null(resp.json);
    expect_str(resp.json, "login", login);
    expect_str(resp.json, "role", role);
    tu_resp_free(&resp);
    tu_http_free(h);
}

static void test_user_add_login(void **state)
{
    char url[512], admin_pw[64], pw[64];
    fresh_db(state, "user", url, sizeof url);
    init_db(url, 1, admin_pw, sizeof admin_pw);
    struct tu_result r;

    /* A generated password, printed once. */
    RUN(&r, "user", "add", "--db", url, "--login", "op.one@tky", "--role", "operator", "--center",
        "TKY", "--team", "A", "--name", "山田 花子");
    expect_status(&r, 0);
    expect_contains(r.out, "user op.one@tky added as operator");
    generated_password(r.out, pw, sizeof pw);
    tu_result_free(&r);

    /* A password from stdin, and --json output. */
    RUN_STDIN(&r, "correct horse battery\n", "user", "add", "--db", url, "--login", "mgr", "--role",
              "center_manager", "--center", "OSK", "--password-stdin", "--json");
    expect_status(&r, 0);
    json_t *u = parse_json(r.out);
    expect_str(u, "login", "mgr");
    expect_str(u, "role", "center_manager");
    expect_str(u, "center", "OSK");
    assert_true(json_is_null(json_object_get(u, "team")));
    assert_null(json_object_get(u, "password")); /* not generated, so not echoed */
    json_decref(u);
    tu_result_free(&r);

    /* A consultant linked to the demo company. */
    RUN(&r, "user", "add", "--db", url, "--login", "cons", "--role", "consultant", "--company",
        "DEMO", "--json");
    expect_status(&r, 0);
    u = parse_json(r.out);
    const char *cons_pw = json_string_value(json_object_get(u, "password"));
    assert_non_null(cons_pw);
    char cpw[64];
    snprintf(cpw, sizeof cpw, "%s", cons_pw);
    json_decref(u);
    tu_result_free(&r);

    json_t *users = list_json("user", url);
    /* The demo's admin and its five TKY people (src/cli/demo.c), and the three added here. */
    assert_int_equal(json_array_size(users), 1 + 5 + 3);
    json_t *op = find_by(users, "login", "op.one@tky");
    assert_non_null(op);
    expect_str(op, "center", "TKY");
    expect_str(op, "team", "A");
    expect_str(op, "display_name", "山田 花子");
    char *listed = json_dumps(users, 0);
    assert_null(strstr(listed, pw)); /* user list never shows passwords */
    assert_null(strstr(listed, "$argon2"));
    free(listed);
    json_decref(users);

    /* The passwords work through the real server. */
    struct tu_server srv;
    assert_int_equal(tu_server_start(url, &srv, NULL), 0);
    expect_me(&srv, "op.one@tky", pw, "operator");
    expect_me(&srv, "mgr", "correct horse battery", "center_manager");
    expect_me(&srv, "cons", cpw, "consultant");
    expect_me(&srv, "admin", admin_pw, "admin");
    struct tu_http *h = tu_http_new(srv.base);
    assert_true(tu_login(h, "op.one@tky", "not the password") != 200);
    tu_http_free(h);
    assert_int_equal(tu_server_stop(&srv), 0);
}

/* ---- API keys --------------------------------------------------------------------------- */

static void test_apikey(void **state)
{
    char url[512];
    fresh_db(state, "apikey", url, sizeof url);
    init_db(url, 0, NULL, 0);
    struct tu_result r;

    RUN(&r, "apikey", "add", "--db", url, "--name", "asr-1", "--scope", "calls,read");
    expect_status(&r, 0);
    /* The key is the last line. */
    char key[128];
    const char *nl = strrchr(r.out, '\n');
    assert_non_null(nl);
    const char *start = nl;
    while (start > r.out && start[-1] != '\n')
        start--;
    assert_true((size_t)(nl - start) > 20 && (size_t)(nl - start) < sizeof key);
    memcpy(key, start, (size_t)(nl - start));
    key[nl - start] = '\0';
    assert_null(strchr(key, ' '));
    tu_result_free(&r);

    RUN(&r, "apikey", "add", "--db", url, "--name", "pbx", "--scope", "media", "--json");
    expect_status(&r, 0);
    json_t *k = parse_json(r.out);
    const char *key2 = json_string_value(json_object_get(k, "key"));
    assert_non_null(key2);
    const char *prefix2 = json_string_value(json_object_get(k, "prefix"));
    assert_non_null(prefix2);
    assert_int_equal(strncmp(key2, prefix2, strlen(prefix2)), 0);
    char key2c[128];
    snprintf(key2c, sizeof key2c, "%s", key2);
    json_decref(k);
    tu_result_free(&r);

    /* The listing names the keys by prefix and never shows a key. */
    json_t *all = list_json("apikey", url);
    assert_int_equal(json_array_size(all), 2);
    json_t *a = find_by(all, "name", "asr-1");
    assert_non_null(a);
    const char *prefix = json_string_value(json_object_get(a, "prefix"));
    assert_non_null(prefix);
    assert_int_equal(strncmp(key, prefix, strlen(prefix)), 0);
    assert_true(strlen(prefix) < strlen(key));
    json_t *scopes = json_object_get(a, "scopes");
    assert_int_equal(json_array_size(scopes), 2);
    assert_null(json_object_get(a, "key"));
    char *text = json_dumps(all, 0);
    assert_null(strstr(text, key));
    assert_null(strstr(text, key2c));
    free(text);
    json_decref(all);

    RUN(&r, "apikey", "list", "--db", url);
    expect_status(&r, 0);
    expect_contains(r.out, "asr-1");
    assert_null(strstr(r.out, key));
    assert_null(strstr(r.out, key2c));
    tu_result_free(&r);

    /* The key authenticates against the server. */
    struct tu_server srv;
    assert_int_equal(tu_server_start(url, &srv, NULL), 0);
    struct tu_http *h = tu_http_new(srv.base);
    tu_http_bearer(h, key);
    struct tu_resp resp;
    assert_int_equal(tu_request(h, "GET", "/api/v1/centers", NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    tu_resp_free(&resp);
    tu_http_free(h);
    assert_int_equal(tu_server_stop(&srv), 0);
}

/* ---- database URLs ---------------------------------------------------------------------- */

static void test_env_db(void **state)
{
    char url[512];
    fresh_db(state, "env", url, sizeof url);
    struct tu_result r;
    assert_int_equal(setenv("IKIIKI_DB", url, 1), 0);
    RUN(&r, "init", "--json");
    expect_status(&r, 0);
    json_t *j = parse_json(r.out);
    expect_str(j, "db", url);
    json_decref(j);
    tu_result_free(&r);
    RUN(&r, "center", "add", "--code", "ENV", "--name", "from env", "--operators", "7");
    expect_status(&r, 0);
    tu_result_free(&r);
    /* --db wins over $IKIIKI_DB. */
    RUN(&r, "center", "list", "--db", "mysql://x");
    expect_status(&r, 2);
    tu_result_free(&r);
    unsetenv("IKIIKI_DB");

    json_t *all = list_json("center", url);
    assert_int_equal(json_array_size(all), 1);
    expect_int(find_by(all, "code", "ENV"), "operators", 7);
    json_decref(all);
}

/* sqlite:PATH on SQLite, postgres:// (the short scheme) on PostgreSQL: the same database. */
static void test_url_forms(void **state)
{
    char url[512], alt[520];
    fresh_db(state, "urls", url, sizeof url);
    if (is_pg(state)) {
        assert_int_equal(strncmp(url, "postgresql://", 13), 0);
        snprintf(alt, sizeof alt, "postgres://%s", url + 13);
    } else {
        snprintf(alt, sizeof alt, "sqlite:%s", url);
    }
    struct tu_result r;
    RUN(&r, "init", "--db", alt, "--json");
    expect_status(&r, 0);
    json_t *j = parse_json(r.out);
    expect_str(j, "backend", is_pg(state) ? "postgresql" : "sqlite");
    json_decref(j);
    tu_result_free(&r);
    RUN(&r, "center", "add", "--db", alt, "--code", "ALT", "--name", "alt", "--operators", "2");
    expect_status(&r, 0);
    tu_result_free(&r);

    json_t *all = list_json("center", url);
    assert_int_equal(json_array_size(all), 1);
    assert_non_null(find_by(all, "code", "ALT"));
    json_decref(all);
    if (!is_pg(state))
        assert_int_equal(access(url, F_OK), 0);
}

/* The heavy parts are modules (src/core/module.h): with none to be found, the light commands run
 * as before, and a command that needs a module says in one line which one is missing. */
static void test_modules(void **state)
{
    char url[512], empty[] = "/tmp/ikiiki-no-modules-XXXXXX";
    fresh_db(state, "modules", url, sizeof url);
    assert_non_null(mkdtemp(empty));
    setenv("IKIIKI_MODULE_DIR", empty, 1);
    struct tu_result r;
    RUN(&r, "--version");
    expect_status(&r, 0);
    tu_result_free(&r);
    RUN(&r, "harass", "judge", "--behaviour", "3", "--demand", "2", "--json");
    expect_status(&r, 0);
    json_decref(parse_json(r.out));
    tu_result_free(&r);
    RUN(&r, "cx", "check", "--areas", "1,2,1,0", "--json");
    expect_status(&r, 0);
    json_decref(parse_json(r.out));
    tu_result_free(&r);
    /* MeCab is the system's library, not one of ours: the guard still tags text. */
    RUN_STDIN(&r, "C: 殺すぞ\n", "guard", "analyze", "--json");
    expect_status(&r, 0);
    expect_contains(r.out, "\"harassment\":true");
    tu_result_free(&r);
    static const char *const needs[][3] = {
        {"serve", "--help", "module \"serve\""},
        {"survey", "report", "module \"report\""},
        {"survey", "export", "module \"report\""},
        {"media", "analyze", "module \"media\""},
    };
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
        RUN(&r, needs[i][0], needs[i][1], "--help");
        expect_status(&r, 1);
        expect_one_line(r.err);
        expect_contains(r.err, needs[i][2]);
        expect_contains(r.err, empty);
        tu_result_free(&r);
    }
    RUN(&r, "center", "list", "--db", url, "--json");
    if (is_pg(state)) {
        expect_status(&r, 1);
        expect_one_line(r.err);
        expect_contains(r.err, "module \"pg\"");
    } else {
        expect_status(&r, 0);
    }
    tu_result_free(&r);
    unsetenv("IKIIKI_MODULE_DIR");
    assert_int_equal(rmdir(empty), 0);
}

/* Each case once per backend, named "case/backend". */
#define ON(fn, backend)                                                                            \
    {                                                                                              \
        .name = #fn "/" backend, .test_func = fn, .initial_state = (void *)backend                 \
    }
#define BOTH(fn) ON(fn, "sqlite"), ON(fn, "postgresql")

int main(void)
{
    unsetenv("IKIIKI_DB");
    const struct CMUnitTest tests[] = {
        BOTH(test_version_help),   BOTH(test_init_idempotent), BOTH(test_init_demo),
        BOTH(test_center_add),     BOTH(test_bad_input),       BOTH(test_bad_company_empty_db),
        BOTH(test_user_add_login), BOTH(test_apikey),          BOTH(test_env_db),
        BOTH(test_url_forms),      BOTH(test_modules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
