/* Every route asked by every principal: each row of tests/data/http/access.tsv (method, path,
 * principal, body, expected status) is sent to the real server, on SQLite and on PostgreSQL, and
 * every mismatch is reported with its line number. tests/unit/test_routes.c keeps the table
 * complete when routes are added. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PASSWORD "access-pass-1"
#define MAX_ROWS 1000

/* The principals, in the order of the table's columns of thought; users sign in as themselves. */
enum { P_ANON, P_ADMIN, P_CONSULTANT, P_MANAGER, P_SUPERVISOR, P_OPERATOR, P_APIKEY, P__COUNT };
static const char *const principals[P__COUNT] = {
    "anon", "admin", "consultant", "center_manager", "supervisor", "operator", "apikey_read",
};

struct row {
    int line;
    char method[16];
    char path[256];
    int principal;
    char *body; /* NULL for "-" */
    int status;
};

static int principal_index(const char *name)
{
    for (int i = 0; i < P__COUNT; i++)
        if (strcmp(principals[i], name) == 0)
            return i;
    return -1;
}

/* Reads the table; fails the test on a malformed line. Returns the number of rows. */
static int load_rows(struct row *rows, int max)
{
    char path[512];
    static char line[8192];
    const char *data = getenv("IKIIKI_TEST_DATA");
    assert_non_null(data);
    snprintf(path, sizeof path, "%s/http/access.tsv", data);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    int n = 0, lineno = 0, header = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!header) { /* the column names */
            header = 1;
            continue;
        }
        char *cols[5];
        int nc = 0;
        char *p = line;
        while (nc < 5) {
            cols[nc++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nc != 5 || strchr(cols[4], '\t'))
            fail_msg("access.tsv:%d: expected 5 tab-separated columns", lineno);
        if (n >= max)
            fail_msg("access.tsv: more than %d rows", max);
        struct row *r = &rows[n];
        r->line = lineno;
        snprintf(r->method, sizeof r->method, "%s", cols[0]);
        snprintf(r->path, sizeof r->path, "%s", cols[1]);
        r->principal = principal_index(cols[2]);
        if (r->principal < 0)
            fail_msg("access.tsv:%d: unknown principal \"%s\"", lineno, cols[2]);
        r->body = strcmp(cols[3], "-") == 0 ? NULL : strdup(cols[3]);
        r->status = (int)strtol(cols[4], NULL, 10);
        if (r->status < 100 || r->status > 599)
            fail_msg("access.tsv:%d: bad status \"%s\"", lineno, cols[4]);
        n++;
    }
    fclose(f);
    return n;
}

/* Runs `ikiiki ARGS... --db DB` (NULL-terminated ARGS) with stdin_text; fails the test unless it
 * exits 0. Returns the captured stdout (caller frees). */
static char *cli(const char *db, const char *stdin_text, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)tu_bin();
    va_list ap;
    va_start(ap, stdin_text);
    const char *a;
    while ((a = va_arg(ap, const char *)) && argc < 28)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc++] = "--db";
    argv[argc++] = (char *)db;
    argv[argc] = NULL;
    struct tu_result res;
    assert_int_equal(tu_run(argv, stdin_text, &res), 0);
    if (res.status != 0)
        fail_msg("fixture: `%s %s ...` exited %d: %s", argv[1], argc > 2 ? argv[2] : "", res.status,
                 res.err);
    free(res.err);
    return res.out;
}

#define CLI(...) free(cli(__VA_ARGS__, NULL))

static void user_add(const char *db, const char *login, const char *role, const char *center,
                     const char *company)
{
    const char *pw = PASSWORD "\n";
    if (center)
        CLI(db, pw, "user", "add", "--login", login, "--role", role, "--center", center,
            "--password-stdin");
    else if (company)
        CLI(db, pw, "user", "add", "--login", login, "--role", role, "--company", company,
            "--password-stdin");
    else
        CLI(db, pw, "user", "add", "--login", login, "--role", role, "--password-stdin");
}

/* Flags a harassment case (behaviour 3, demand 3: a harassment verdict, so a care task opens)
 * for operator at center and checks it got the id access.tsv names. */
static void harass_case(const char *db, const char *center, const char *operator, int64_t want)
{
    char *out = cli(db, NULL, "harass", "flag", "--center", center, "--operator", operator,
                    "--behaviour", "3", "--demand", "3", "--category", "abuse", "--at",
                    "2026-11-18T10:00", "--caller", "0312345678", "--json", NULL);
    json_t *j = json_loads(out, 0, NULL);
    json_int_t id = json_integer_value(json_object_get(j, "id"));
    if (id != want)
        fail_msg("fixture: harass flag for %s gave case %lld, access.tsv expects %lld: %s",
                 operator,(long long) id, (long long)want, out);
    json_decref(j);
    free(out);
}

/* The harassment cases access.tsv names; each case opens the care task of the same id:
 * 1–3 (operator, TKY) are reviewed and their care tasks closed by one row each; 4 is reviewed
 * already; 5's care task is done already; 6 belongs to op4 (TKY); 7 to op2 (OSK); 8 to op3 (NGY).
 * Care tasks 1–6 are assigned to supervisor; OSK and NGY have nobody to assign. */
static void harass_fixture(const char *db)
{
    static const struct {
        const char *center, *operator;
    } cases[] = {{"TKY", "operator"}, {"TKY", "operator"}, {"TKY", "operator"}, {"TKY", "operator"},
                 {"TKY", "operator"}, {"TKY", "op4"},      {"OSK", "op2"},      {"NGY", "op3"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        harass_case(db, cases[i].center, cases[i].operator,(int64_t) i + 1);
    CLI(db, NULL, "harass", "review", "4", "--behaviour", "3", "--demand", "3", "--reviewer",
        "admin");
    CLI(db, NULL, "harass", "care", "done", "5", "--note", "talked it over", "--by", "supervisor");
}

/* The call guard block list entries access.tsv names: 1–4 TKY, 5 OSK, 6 every center, 7 NGY. */
static void guard_block_fixture(const char *db)
{
    static const char *const centers[] = {"TKY", "TKY", "TKY", "TKY", "OSK", NULL, "NGY"};
    for (size_t i = 0; i < sizeof centers / sizeof centers[0]; i++) {
        char caller[32];
        snprintf(caller, sizeof caller, "090-6000-%04zu", i + 1);
        char *out = centers[i] ? cli(db, NULL, "guard", "block", "add", "--caller", caller,
                                     "--reason", "fixture", "--center", centers[i], "--json", NULL)
                               : cli(db, NULL, "guard", "block", "add", "--caller", caller,
                                     "--reason", "fixture", "--json", NULL);
        json_t *j = json_loads(out, 0, NULL);
        if (json_integer_value(json_object_get(j, "id")) != (json_int_t)i + 1)
            fail_msg("fixture: guard block add gave %s, access.tsv expects id %zu", out, i + 1);
        json_decref(j);
        free(out);
    }
}

/* A survey wave W1 with six answers from TKY and six from NGY (enough to show figures). */
static void survey_fixture(const char *db)
{
    char path[256];
    const char *csv = "position,G01,O01,H01\nOP,4,5,6\nOP,3,4,4\nOP,6,6,5\nSV,2,3,4\n"
                      "OP,5,5,5\nOP,4,4,4\n";
    assert_int_equal(tu_write_temp("w1.csv", csv, path, sizeof path), 0);
    CLI(db, NULL, "survey", "wave", "add", "--code", "W1");
    CLI(db, NULL, "survey", "import", "--wave", "W1", "--center", "TKY", path);
    CLI(db, NULL, "survey", "import", "--wave", "W1", "--center", "NGY", path);
}

/* Tokens of the W1 answer links: LINK_OPEN (TKY, open) and LINK_SHUT (NGY, closed) in a path
 * of the table stand for them. OSK's link is open too, for a row to close. */
static char link_open[64], link_shut[64];

static void link_fixture(const char *db)
{
    char *const which[2] = {link_open, link_shut};
    const char *const centers[2] = {"TKY", "NGY"};
    for (int i = 0; i < 2; i++) {
        char *out =
            cli(db, NULL, "survey", "link", "--wave", "W1", "--center", centers[i], "--json", NULL);
        json_t *j = json_loads(out, 0, NULL);
        const char *t = json_string_value(json_object_get(j, "token"));
        if (!t)
            fail_msg("fixture: survey link printed no token: %s", out);
        snprintf(which[i], 64, "%s", t);
        json_decref(j);
        free(out);
    }
    CLI(db, NULL, "survey", "link", "--wave", "W1", "--center", "NGY", "--close");
    CLI(db, NULL, "survey", "link", "--wave", "W1", "--center", "OSK");
}

/* The row's path with the link placeholders replaced. */
static void row_path(const char *path, char *out, size_t outlen)
{
    const char *at = strstr(path, "LINK_OPEN");
    const char *tok = link_open;
    if (!at) {
        at = strstr(path, "LINK_SHUT");
        tok = link_shut;
    }
    if (!at) {
        snprintf(out, outlen, "%s", path);
        return;
    }
    snprintf(out, outlen, "%.*s%s%s", (int)(at - path), path, tok, at + 9);
}

/* The fixture the table's comments describe. Writes the read API key into key. */
static void build_fixture(const char *db, char *key, size_t keylen)
{
    CLI(db, NULL, "init");
    CLI(db, NULL, "company", "add", "--code", "DEMO", "--name", "Demo Inc.");
    CLI(db, NULL, "company", "add", "--code", "ACME", "--name", "Acme Corp.");
    CLI(db, NULL, "center", "add", "--code", "TKY", "--name", "Tokyo", "--operators", "50",
        "--staff", "5", "--company", "DEMO");
    CLI(db, NULL, "center", "add", "--code", "OSK", "--name", "Osaka", "--operators", "30",
        "--company", "DEMO");
    CLI(db, NULL, "center", "add", "--code", "DEL_C", "--name", "To delete", "--operators", "1",
        "--company", "DEMO");
    CLI(db, NULL, "center", "add", "--code", "NGY", "--name", "Nagoya", "--operators", "20",
        "--company", "ACME");
    CLI(db, NULL, "team", "add", "--center", "TKY", "--code", "T1", "--name", "Team one");
    user_add(db, "admin", "admin", NULL, NULL);
    user_add(db, "consultant", "consultant", NULL, "DEMO");
    user_add(db, "center_manager", "center_manager", "TKY", NULL);
    user_add(db, "supervisor", "supervisor", "TKY", NULL);
    user_add(db, "operator", "operator", "TKY", NULL);
    user_add(db, "op2", "operator", "OSK", NULL);
    user_add(db, "op3", "operator", "NGY", NULL);
    user_add(db, "op4", "operator", "TKY", NULL);
    user_add(db, "del_admin", "operator", "TKY", NULL);
    user_add(db, "del_consultant", "operator", "TKY", NULL);
    user_add(db, "del_center_manager", "operator", "TKY", NULL);
    harass_fixture(db);
    survey_fixture(db);
    link_fixture(db);
    guard_block_fixture(db);
    char *out =
        cli(db, NULL, "apikey", "add", "--name", "reader", "--scope", "read", "--json", NULL);
    json_t *j = json_loads(out, 0, NULL);
    const char *k = json_string_value(json_object_get(j, "key"));
    if (!k)
        fail_msg("fixture: apikey add printed no key: %s", out);
    snprintf(key, keylen, "%s", k);
    json_decref(j);
    free(out);
}

/* A client for principal p: signed in, holding the API key, or anonymous. */
static struct tu_http *client_for(const struct tu_server *srv, int p, const char *key)
{
    struct tu_http *h = tu_http_new(srv->base);
    if (p == P_APIKEY) {
        tu_http_bearer(h, key);
    } else if (p != P_ANON) {
        long st = tu_login(h, principals[p], PASSWORD);
        if (st != 200)
            fail_msg("sign-in as %s: status %ld", principals[p], st);
    }
    return h;
}

/* Checks the shape of the reply for its status; writes what is wrong into why. */
static int shape_ok(const struct tu_resp *resp, char *why, size_t whylen)
{
    if (resp->status == 204) {
        if (resp->body[0]) {
            snprintf(why, whylen, "204 with a body");
            return 0;
        }
        return 1;
    }
    /* A download (an export) is a file, not JSON; every error still is. */
    if (resp->status < 400 && resp->headers && strcasestr(resp->headers, "Content-Disposition:"))
        return 1;
    /* Server-sent events (GET /api/v1/events) stream text, starting with a hello event. */
    if (resp->status == 200 && resp->headers && strstr(resp->headers, "text/event-stream")) {
        if (strstr(resp->body, "event: hello\n"))
            return 1;
        snprintf(why, whylen, "event stream without its hello event");
        return 0;
    }
    if (!json_is_object(resp->json)) {
        snprintf(why, whylen, "body is not a JSON object");
        return 0;
    }
    if (resp->status >= 400) {
        json_t *e = json_object_get(resp->json, "error");
        if (!json_is_string(json_object_get(e, "code")) ||
            !json_is_string(json_object_get(e, "message"))) {
            snprintf(why, whylen, "not {\"error\":{\"code\",\"message\"}}");
            return 0;
        }
    }
    return 1;
}

static void run_table(const char *backend)
{
    char db[512], key[128];
    if (tu_db_url(backend, "access", db, sizeof db) == 1)
        skip();
    static struct row rows[MAX_ROWS];
    int n = load_rows(rows, MAX_ROWS);
    assert_true(n > 0);
    build_fixture(db, key, sizeof key);

    struct tu_server srv;
    const char *const extra[] = {"--no-access-log", NULL};
    assert_int_equal(tu_server_start(db, &srv, extra), 0);
    struct tu_http *clients[P__COUNT];
    for (int p = 0; p < P__COUNT; p++)
        clients[p] = client_for(&srv, p, key);

    int bad = 0;
    for (int i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        /* Signing out ends the session; those rows use a session of their own. */
        int own = r->principal != P_ANON && r->principal != P_APIKEY &&
                  strcmp(r->method, "DELETE") == 0 && strcmp(r->path, "/api/v1/session") == 0;
        struct tu_http *h = own ? client_for(&srv, r->principal, key) : clients[r->principal];
        struct tu_resp resp;
        char why[128] = "";
        char path[600];
        row_path(r->path, path, sizeof path);
        if (tu_request(h, r->method, path, r->body, NULL, &resp)) {
            print_error("access.tsv:%d: %s %s as %s: no reply (server alive: %d)\n", r->line,
                        r->method, r->path, principals[r->principal], tu_server_alive(&srv));
            bad++;
        } else {
            if (resp.status != r->status) {
                print_error("access.tsv:%d: %s %s as %s: expected %d, got %ld: %.300s\n", r->line,
                            r->method, r->path, principals[r->principal], r->status, resp.status,
                            resp.body);
                bad++;
            } else if (!shape_ok(&resp, why, sizeof why)) {
                print_error("access.tsv:%d: %s %s as %s: %s: %.300s\n", r->line, r->method, r->path,
                            principals[r->principal], why, resp.body);
                bad++;
            }
            tu_resp_free(&resp);
        }
        if (own)
            tu_http_free(h);
    }
    for (int p = 0; p < P__COUNT; p++)
        tu_http_free(clients[p]);
    for (int i = 0; i < n; i++)
        free(rows[i].body);
    assert_true(tu_server_alive(&srv));
    assert_int_equal(tu_server_stop(&srv), 0);
    FILE *log = fopen(srv.errlog, "r");
    char line[1024];
    while (log && fgets(line, sizeof line, log)) {
        /* Under -Db_sanitize the server reports here; UBSan does not change the exit status. */
        if (strstr(line, "runtime error:") || strstr(line, "Sanitizer")) {
            print_error("server log %s: %s", srv.errlog, line);
            bad++;
        }
    }
    if (log)
        fclose(log);
    if (bad)
        fail_msg("%s: %d of %d rows of access.tsv did not get the expected reply", backend, bad, n);
    print_message("%s: %d rows as expected\n", backend, n);
}

static void test_access_sqlite(void **state)
{
    (void)state;
    run_table("sqlite");
}

static void test_access_postgresql(void **state)
{
    (void)state;
    run_table("postgresql");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_access_sqlite),
        cmocka_unit_test(test_access_postgresql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
