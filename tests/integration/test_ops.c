/* Running ikiiki at a center, against the real binary: the configuration file and
 * `config check`. */
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

static void run(struct tu_result *r, const char *const *args)
{
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)tu_bin();
    for (int i = 0; args[i]; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    assert_int_equal(tu_run(argv, NULL, r), 0);
}
#define RUN(r, ...) run((r), (const char *const[]){__VA_ARGS__, NULL})

static void expect_status(const struct tu_result *r, int status)
{
    if (r->status != status)
        print_error("exit %d (wanted %d)\nstdout: %s\nstderr: %s\n", r->status, status, r->out,
                    r->err);
    assert_int_equal(r->status, status);
}

static void expect_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        print_error("\"%s\" does not contain \"%s\"\n", hay, needle);
    assert_non_null(strstr(hay, needle));
}

/* ---- configuration file ----------------------------------------------------------------- */

static void test_config_check(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(tu_write_temp("ikiiki.conf",
                                   "# the center's server\n"
                                   "listen = 0.0.0.0:8443\n"
                                   "threads = 4\n"
                                   "behind-tls = yes\n"
                                   "no-access-log = no\n"
                                   "db = \"postgresql://ikiiki@db.example/ikiiki\"\n",
                                   path, sizeof path),
                     0);
    struct tu_result r;
    RUN(&r, "config", "check", "--config", path, "--json");
    expect_status(&r, 0);
    json_t *j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    json_t *set = json_object_get(j, "settings");
    assert_string_equal(json_string_value(json_object_get(set, "listen")), "0.0.0.0:8443");
    assert_string_equal(json_string_value(json_object_get(set, "threads")), "4");
    assert_true(json_is_true(json_object_get(set, "behind-tls")));
    assert_true(json_is_false(json_object_get(set, "no-access-log")));
    assert_string_equal(json_string_value(json_object_get(set, "db")),
                        "postgresql://ikiiki@db.example/ikiiki");
    json_decref(j);
    tu_result_free(&r);

    /* The default file comes from $IKIIKI_CONFIG. */
    setenv("IKIIKI_CONFIG", path, 1);
    RUN(&r, "config", "check");
    unsetenv("IKIIKI_CONFIG");
    expect_status(&r, 0);
    expect_contains(r.out, "ok, 5 settings");
    tu_result_free(&r);
}

/* Each bad file: exit 2, one line naming the file, the line and what is wrong. */
static void test_config_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *needle;
    } bad[] = {
        {"listen = 127.0.0.1:8080\nlisen = 127.0.0.1:8081\n", "line 2: unknown key \"lisen\""},
        {"threads = 2\n\nthreads = 3\n", "line 3: key \"threads\" given twice (first on line 1)"},
        {"# x\nthreads = many\n", "line 2: threads: value \"many\" is not a whole number"},
        {"behind-tls = maybe\n", "line 1: behind-tls: value \"maybe\" is not yes or no"},
        {"guard-mode = strict\n", "line 1: guard-mode: \"strict\" is not advisory"},
        {"listen = 8080\n", "line 1: listen: \"8080\" is not ADDR:PORT"},
        {"audiosocket = on\n",
         "line 1: audiosocket: \"on\" is not ADDR:PORT (e.g. 127.0.0.1:8080) or off"},
        {"config = /etc/other.conf\n", "line 1: unknown key \"config\""},
        {"listen: 127.0.0.1:80\n", "line 1: \"listen: 127.0.0.1:80\" is not key = value"},
        {"db =\n", "line 1: db: the value is empty"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[256];
        assert_int_equal(tu_write_temp("bad.conf", bad[i].text, path, sizeof path), 0);
        struct tu_result r;
        RUN(&r, "config", "check", "--config", path);
        TU_ONE_LINE_EXIT2(&r, bad[i].needle);
        expect_contains(r.err, path);
        tu_result_free(&r);
        /* serve refuses the same file the same way, before opening anything. */
        RUN(&r, "serve", "--config", path, "--db", "/nonexistent/dir/x.db");
        TU_ONE_LINE_EXIT2(&r, bad[i].needle);
        tu_result_free(&r);
    }
    struct tu_result r;
    RUN(&r, "config", "check", "--config", "/nonexistent/ikiiki.conf");
    TU_ONE_LINE_EXIT2(&r, "cannot read \"/nonexistent/ikiiki.conf\"");
    tu_result_free(&r);
}

static int log_has(const struct tu_server *s, const char *needle)
{
    char *log = tu_read_file(s->errlog, NULL);
    int found = log && strstr(log, needle);
    free(log);
    return found;
}

/* serve reads the file; the command line wins over it, even over a bad value there. */
static void test_config_serve(void **state)
{
    (void)state;
    char db[256], path[256];
    assert_int_equal(tu_db_url("sqlite", "conf", db, sizeof db), 0);
    assert_int_equal(tu_write_temp("ikiiki.conf",
                                   "guard-mode = advisory\n"
                                   "threads = 2\n"
                                   "no-access-log = yes\n",
                                   path, sizeof path),
                     0);
    struct tu_server s;
    assert_int_equal(tu_server_start(db, &s, (const char *const[]){"--config", path, NULL}), 0);
    struct tu_http *h = tu_http_new(s.base);
    struct tu_resp resp;
    assert_int_equal(tu_request(h, "GET", "/api/v1/health", NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    tu_resp_free(&resp);
    tu_http_free(h);
    assert_int_equal(tu_server_stop(&s), 0);
    assert_true(log_has(&s, "call guard: advisory mode"));
    assert_false(log_has(&s, "access 127.0.0.1")); /* no-access-log = yes from the file */

    assert_int_equal(
        tu_write_temp("ikiiki.conf", "guard-mode = advisory\nthreads = 0\n", path, sizeof path), 0);
    assert_int_equal(tu_server_start(db, &s,
                                     (const char *const[]){"--config", path, "--guard-mode",
                                                           "automatic", "--threads", "2", NULL}),
                     0);
    assert_int_equal(tu_server_stop(&s), 0);
    assert_true(log_has(&s, "call guard: automatic mode"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_config_serve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
