/* Running ikiiki at a center, against the real binary: the configuration file and
 * `config check`; HTTPS of its own with a certificate made here (openssl), reloaded on SIGHUP; the
 * public listener that serves answer links only; backups taken while imports run, restored with
 * the same table checksums, on SQLite and PostgreSQL (pg_dump); migrate-store from SQLite into
 * PostgreSQL, verified per table, then two servers on that one database; the Debian package built
 * from this build, unpacked into a temporary root, and the service's own command lines run from
 * it with systemd's readiness protocol; every older schema (init --schema N) holding rows
 * upgrades to the current one with its rows intact, and init --check says what would change. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

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

/* ---- HTTPS ------------------------------------------------------------------------------ */

/* A self-signed certificate for 127.0.0.1 with the given common name, written to cert and key. */
static void make_cert(const char *cn, const char *cert, const char *key)
{
    char subj[80];
    snprintf(subj, sizeof subj, "/CN=%s", cn);
    const char *argv[] = {"/usr/bin/openssl",
                          "req",
                          "-x509",
                          "-newkey",
                          "ec",
                          "-pkeyopt",
                          "ec_paramgen_curve:prime256v1",
                          "-nodes",
                          "-keyout",
                          key,
                          "-out",
                          cert,
                          "-days",
                          "2",
                          "-subj",
                          subj,
                          "-addext",
                          "subjectAltName=IP:127.0.0.1,DNS:localhost",
                          NULL};
    struct tu_result r;
    assert_int_equal(tu_run((char *const *)argv, NULL, &r), 0);
    expect_status(&r, 0);
    tu_result_free(&r);
}

struct got {
    long status;
    CURLcode cc;
    char headers[2048];
    char body[2048];
    size_t hlen, blen;
};

static size_t got_body(char *p, size_t size, size_t n, void *ud)
{
    struct got *g = ud;
    size_t len = size * n, room = sizeof g->body - 1 - g->blen;
    memcpy(g->body + g->blen, p, len < room ? len : room);
    g->blen += len < room ? len : room;
    g->body[g->blen] = '\0';
    return len;
}

static size_t got_header(char *p, size_t size, size_t n, void *ud)
{
    struct got *g = ud;
    size_t len = size * n, room = sizeof g->headers - 1 - g->hlen;
    memcpy(g->headers + g->hlen, p, len < room ? len : room);
    g->hlen += len < room ? len : room;
    g->headers[g->hlen] = '\0';
    return len;
}

/* One request trusting only ca (NULL: plain HTTP); body NULL for GET. */
static void fetch(const char *url, const char *ca, const char *body, struct got *g)
{
    memset(g, 0, sizeof *g);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, got_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, got_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, g);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    struct curl_slist *hs = NULL;
    if (ca)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    if (body) {
        hs = curl_slist_append(hs, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    g->cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &g->status);
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
}

static unsigned log_port(const struct tu_server *s, const char *prefix)
{
    char *log = tu_read_file(s->errlog, NULL);
    assert_non_null(log);
    const char *p = strstr(log, prefix);
    unsigned port = 0;
    if (p) {
        const char *colon = strchr(p + strlen(prefix), ':');
        port = colon ? (unsigned)strtol(colon + 1, NULL, 10) : 0;
    }
    free(log);
    return port;
}

/* Waits up to 10 s for needle to appear in the server's log. */
static int wait_log(const struct tu_server *s, const char *needle)
{
    for (int i = 0; i < 100; i++) {
        if (log_has(s, needle))
            return 1;
        usleep(100000);
    }
    return 0;
}

static void test_https(void **state)
{
    (void)state;
    char db[256], dir[256], cert[300], key[300], cert_a[300], cert_b[300], url[128];
    assert_int_equal(tu_db_url("sqlite", "tls", db, sizeof db), 0);
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(db, '/') - db), db);
    snprintf(cert, sizeof cert, "%s/server.crt", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    snprintf(cert_a, sizeof cert_a, "%s/a.crt", dir);
    snprintf(cert_b, sizeof cert_b, "%s/b.crt", dir);
    make_cert("ikiiki-a", cert, key);
    char *pem = tu_read_file(cert, NULL);
    assert_non_null(pem);
    FILE *f = fopen(cert_a, "w");
    fputs(pem, f);
    fclose(f);
    free(pem);

    struct tu_result r;
    const char *const words[] = {"user",   "add",   "--login",          "admin",
                                 "--role", "admin", "--password-stdin", NULL};
    assert_int_equal(tu_ikiiki(db, words, "correct horse battery\n", &r), 0);
    expect_status(&r, 0);
    tu_result_free(&r);

    struct tu_server s;
    assert_int_equal(tu_server_start(db, &s,
                                     (const char *const[]){"--tls-cert", cert, "--tls-key", key,
                                                           "--public-listen", "127.0.0.1:0", NULL}),
                     0);
    assert_int_equal(strncmp(s.base, "https://", 8), 0);
    struct got g;
    snprintf(url, sizeof url, "%s/api/v1/health", s.base);
    fetch(url, cert_a, NULL, &g);
    assert_int_equal(g.cc, CURLE_OK);
    assert_int_equal(g.status, 200);
    expect_contains(g.headers, "Strict-Transport-Security: max-age=31536000");
    /* Plain HTTP on the TLS port gets no answer. */
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/v1/health", s.port);
    fetch(url, NULL, NULL, &g);
    assert_true(g.status != 200);

    /* The session cookie is Secure. */
    snprintf(url, sizeof url, "%s/api/v1/session", s.base);
    fetch(url, cert_a, "{\"login\":\"admin\",\"password\":\"correct horse battery\"}", &g);
    assert_int_equal(g.status, 200);
    expect_contains(g.headers, "HttpOnly; SameSite=Strict; Secure");

    /* The public side: answer links only, over the same certificate. */
    unsigned pub = log_port(&s, "answer links listening on https://");
    assert_true(pub > 0 && pub != s.port);
    snprintf(url, sizeof url, "https://127.0.0.1:%u/api/v1/health", pub);
    fetch(url, cert_a, NULL, &g);
    assert_int_equal(g.status, 404);
    expect_contains(g.body, "only answer links are served on this address");
    snprintf(url, sizeof url, "https://127.0.0.1:%u/api/v1/session", pub);
    fetch(url, cert_a, "{\"login\":\"admin\",\"password\":\"correct horse battery\"}", &g);
    assert_int_equal(g.status, 404);
    snprintf(url, sizeof url, "https://127.0.0.1:%u/api/v1/collect/no-such-token", pub);
    fetch(url, cert_a, NULL, &g);
    assert_int_equal(g.status, 404);
    expect_contains(g.body, "this survey link does not exist"); /* reached the collect route */

    /* A renewed certificate is used after SIGHUP; the old one is no longer trusted. */
    make_cert("ikiiki-b", cert, key);
    pem = tu_read_file(cert, NULL);
    f = fopen(cert_b, "w");
    fputs(pem, f);
    fclose(f);
    free(pem);
    kill(s.pid, SIGHUP);
    assert_true(wait_log(&s, "SIGHUP: TLS certificate reloaded"));
    snprintf(url, sizeof url, "%s/api/v1/health", s.base);
    fetch(url, cert_b, NULL, &g);
    assert_int_equal(g.cc, CURLE_OK);
    assert_int_equal(g.status, 200);
    fetch(url, cert_a, NULL, &g);
    assert_int_not_equal(g.cc, CURLE_OK);

    /* A broken file on reload leaves the served certificate as it was. */
    f = fopen(cert, "w");
    fputs("not a certificate\n", f);
    fclose(f);
    kill(s.pid, SIGHUP);
    assert_true(wait_log(&s, "SIGHUP: certificate not reloaded"));
    fetch(url, cert_b, NULL, &g);
    assert_int_equal(g.status, 200);
    assert_int_equal(tu_server_stop(&s), 0);

    /* A key that does not fit the certificate is refused at start, naming both files. */
    make_cert("ikiiki-c", cert, key);
    const char *const bad[] = {"serve", "--tls-cert", cert_a,        "--tls-key",
                               key,     "--listen",   "127.0.0.1:0", NULL};
    assert_int_equal(tu_ikiiki(db, bad, NULL, &r), 0);
    TU_ONE_LINE_EXIT2(&r, "--tls-key");
    tu_result_free(&r);
}

/* ---- backups ------------------------------------------------------------------------------ */

#define IMPORT_ROWS 200

/* `ikiiki WORDS… --db url`, expecting exit 0; returns stdout (caller frees). */
static char *ik_ok(const char *url, const char *stdin_text, const char *const *words)
{
    struct tu_result r;
    assert_int_equal(tu_ikiiki(url, words, stdin_text, &r), 0);
    expect_status(&r, 0);
    char *out = r.out;
    r.out = NULL;
    tu_result_free(&r);
    return out;
}
#define IK_OK(url, ...) ik_ok((url), NULL, (const char *const[]){__VA_ARGS__, NULL})

/* The "tables" of a backup/restore/migrate-store --json document as table → [rows, checksum]. */
static json_t *sums_of(const char *json_text)
{
    json_t *j = json_loads(json_text, 0, NULL);
    if (!j)
        print_error("not JSON: %s\n", json_text);
    assert_non_null(j);
    json_t *by = json_object();
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tables"), i, t)
    {
        json_object_set_new(by, json_string_value(json_object_get(t, "table")),
                            json_pack("[I,s]", json_integer_value(json_object_get(t, "rows")),
                                      json_string_value(json_object_get(t, "checksum"))));
    }
    json_decref(j);
    assert_true(json_object_size(by) > 0);
    return by;
}

static json_int_t rows_of(json_t *sums, const char *table)
{
    return json_integer_value(json_array_get(json_object_get(sums, table), 0));
}

static void expect_same_sums(json_t *a, json_t *b)
{
    if (!json_equal(a, b)) {
        char *ta = json_dumps(a, JSON_SORT_KEYS), *tb = json_dumps(b, JSON_SORT_KEYS);
        print_error("checksums differ:\n%s\n%s\n", ta, tb);
        free(ta);
        free(tb);
    }
    assert_true(json_equal(a, b));
}

static void write_import_csv(char *path, size_t len)
{
    static char csv[IMPORT_ROWS * 40 + 200];
    size_t n = (size_t)snprintf(csv, sizeof csv, "職種,区分,G01,G02,O01,H01,自由記述\n");
    for (int i = 0; i < IMPORT_ROWS; i++)
        n += (size_t)snprintf(csv + n, sizeof csv - n, "OP,正社員,%d,%d,%d,4,\n", 1 + i % 6,
                              1 + (i / 6) % 6, 1 + (i / 36) % 6);
    assert_int_equal(tu_write_temp("import.csv", csv, path, len), 0);
}

/* Backups taken while another process imports answers: each holds whole imports only and
 * restores to the same tables, rows and checksums; a backup of the quiet database restores to
 * exactly what the database holds. */
static void test_backup_during_imports(void **state)
{
    (void)state;
    char db[256], csv[256], dir[256];
    assert_int_equal(tu_db_url("sqlite", "bk", db, sizeof db), 0);
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(db, '/') - db), db);
    write_import_csv(csv, sizeof csv);
    free(IK_OK(db, "init", "--demo"));
    free(IK_OK(db, "survey", "wave", "add", "--code", "W1"));
    char b0[300];
    snprintf(b0, sizeof b0, "%s/before.db", dir);
    char *out = IK_OK(db, "backup", "--to", b0, "--json");
    json_t *s0 = sums_of(out);
    free(out);
    json_int_t base = rows_of(s0, "survey_respondents");
    json_decref(s0);

    enum { IMPORTS = 12 };
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        for (int i = 0; i < IMPORTS; i++) {
            const char *const w[] = {"survey",   "import", "--wave", "W1",
                                     "--center", "TKY",    csv,      NULL};
            struct tu_result r;
            if (tu_ikiiki(db, w, NULL, &r) || r.status != 0)
                _exit(1);
            tu_result_free(&r);
        }
        _exit(0);
    }
    int nb = 0, st = 0, mid = 0;
    while (nb < 40) {
        char bf[300];
        snprintf(bf, sizeof bf, "%s/during-%d.db", dir, nb);
        out = IK_OK(db, "backup", "--to", bf, "--json");
        json_t *sb = sums_of(out);
        free(out);
        json_int_t got = rows_of(sb, "survey_respondents") - base;
        /* Whole imports only: a backup never sees half of one. */
        if (got % IMPORT_ROWS != 0)
            print_error("backup %d holds %lld respondents past the base\n", nb, (long long)got);
        assert_int_equal(got % IMPORT_ROWS, 0);
        mid += got > 0 && got < IMPORTS * IMPORT_ROWS;
        /* The backup restores to the same rows and checksums. */
        char rdb[300];
        snprintf(rdb, sizeof rdb, "%s/restored-%d.db", dir, nb);
        out = IK_OK(rdb, "restore", "--from", bf, "--json");
        json_t *sr = sums_of(out);
        free(out);
        expect_same_sums(sb, sr);
        json_decref(sb);
        json_decref(sr);
        nb++;
        if (waitpid(child, &st, WNOHANG) == child)
            break;
    }
    if (nb == 40)
        waitpid(child, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    print_message(
        "backups taken during %d imports: %d, %d of them between the first and the last\n", IMPORTS,
        nb, mid);

    /* Quiet now: the backup's sums are the database's own, and a restore reproduces them. */
    char bf[300], rdb[300];
    snprintf(bf, sizeof bf, "%s/after.db", dir);
    snprintf(rdb, sizeof rdb, "%s/restored-after.db", dir);
    out = IK_OK(db, "backup", "--to", bf, "--json");
    json_t *sb = sums_of(out);
    free(out);
    assert_int_equal(rows_of(sb, "survey_respondents") - base, IMPORTS * IMPORT_ROWS);
    out = IK_OK(rdb, "restore", "--from", bf, "--json");
    json_t *sr = sums_of(out);
    free(out);
    expect_same_sums(sb, sr);
    json_decref(sr);
    /* The restored database works: the survey counts read the same. */
    char *a = IK_OK(db, "survey", "responses", "--wave", "W1", "--json");
    char *b = IK_OK(rdb, "survey", "responses", "--wave", "W1", "--json");
    assert_string_equal(a, b);
    free(a);
    free(b);

    /* A target with data is refused without --force, and replaced with it. */
    struct tu_result r;
    const char *const again[] = {"restore", "--from", b0, NULL};
    assert_int_equal(tu_ikiiki(rdb, again, NULL, &r), 0);
    TU_ONE_LINE_EXIT2(&r, "holds");
    tu_result_free(&r);
    out = IK_OK(rdb, "restore", "--from", b0, "--force", "--json");
    json_t *sf = sums_of(out);
    free(out);
    assert_int_equal(rows_of(sf, "survey_respondents"), base);
    json_decref(sf);
    json_decref(sb);
    /* Not a database: exit 2, one line. */
    const char *const junk[] = {"restore", "--from", csv, NULL};
    snprintf(rdb, sizeof rdb, "%s/junk.db", dir);
    assert_int_equal(tu_ikiiki(rdb, junk, NULL, &r), 0);
    TU_ONE_LINE_EXIT2(&r, "not an ikiiki database");
    tu_result_free(&r);
}

/* PostgreSQL: backup runs pg_dump, restore runs pg_restore into an empty database; the tables'
 * checksums match. */
static void test_backup_pg(void **state)
{
    (void)state;
    char db[512], db2[512], dir[256], bf[300];
    if (tu_db_url("postgresql", "bk_src", db, sizeof db) ||
        tu_db_url("postgresql", "bk_dst", db2, sizeof db2))
        return;
    assert_int_equal(tu_db_url("sqlite", "bkpg", dir, sizeof dir), 0);
    snprintf(bf, sizeof bf, "%.*s/pg.dump", (int)(strrchr(dir, '/') - dir), dir);
    free(IK_OK(db, "init", "--demo"));
    free(IK_OK(db, "survey", "wave", "add", "--code", "W1"));
    char csv[256];
    write_import_csv(csv, sizeof csv);
    free(IK_OK(db, "survey", "import", "--wave", "W1", "--center", "TKY", csv));
    char *out = IK_OK(db, "backup", "--to", bf, "--json");
    json_t *sb = sums_of(out);
    free(out);
    struct stat stt;
    assert_int_equal(stat(bf, &stt), 0);
    assert_true(stt.st_size > 1000);
    out = IK_OK(db2, "restore", "--from", bf, "--json");
    json_t *sr = sums_of(out);
    free(out);
    expect_same_sums(sb, sr);
    json_decref(sb);
    struct tu_result r;
    const char *const again[] = {"restore", "--from", bf, NULL};
    assert_int_equal(tu_ikiiki(db2, again, NULL, &r), 0);
    TU_ONE_LINE_EXIT2(&r, "holds");
    tu_result_free(&r);
    out = IK_OK(db2, "restore", "--from", bf, "--force", "--json");
    json_t *sf = sums_of(out);
    free(out);
    expect_same_sums(sr, sf);
    json_decref(sr);
    json_decref(sf);
}

/* ---- the move to PostgreSQL --------------------------------------------------------------- */

#define SV_PW "supervisor pass 1234"

/* Runs the curl program on argv in the background with stdout to out; returns its pid. */
static pid_t curl_bg(const char *const *argv, const char *out)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = freopen(out, "w", stdout);
        (void)f;
        execv("/usr/bin/curl", (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static int file_has(const char *path, const char *needle, int ms)
{
    for (int i = 0; i < ms / 50; i++) {
        char *t = tu_read_file(path, NULL);
        int found = t && strstr(t, needle);
        free(t);
        if (found)
            return 1;
        usleep(50000);
    }
    return 0;
}

static void post_event(const char *base, const char *key, const char *call, const char *body)
{
    char url[200], auth[200];
    snprintf(url, sizeof url, "%s/api/v1/calls/%s/events", base, call);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    const char *argv[] = {"/usr/bin/curl",
                          "-s",
                          "-o",
                          "/dev/null",
                          "-w",
                          "%{http_code}",
                          "-H",
                          "Content-Type: application/json",
                          "-H",
                          auth,
                          "-d",
                          body,
                          url,
                          NULL};
    struct tu_result r;
    assert_int_equal(tu_run((char *const *)argv, NULL, &r), 0);
    if (strcmp(r.out, "202") != 0)
        print_error("POST %s: %s\n", url, r.out);
    assert_string_equal(r.out, "202");
    tu_result_free(&r);
}

/* A SQLite installation with survey answers, users, an API key and a block-list entry moves to
 * PostgreSQL: every table arrives with the same rows and checksums, a second copy into the now
 * full target is refused, new rows get fresh ids, and two servers on that database share the
 * guard's alerts (the key and the supervisor's password came across). */
static void test_migrate_store(void **state)
{
    (void)state;
    char sq[256], pg[512], csv[256], dir[256], from[300], bf[300];
    if (tu_db_url("postgresql", "mig", pg, sizeof pg))
        return;
    assert_int_equal(tu_db_url("sqlite", "mig", sq, sizeof sq), 0);
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(sq, '/') - sq), sq);
    snprintf(from, sizeof from, "sqlite:%s", sq);
    snprintf(bf, sizeof bf, "%s/sums.db", dir);
    write_import_csv(csv, sizeof csv);
    free(IK_OK(sq, "init", "--demo"));
    free(IK_OK(sq, "survey", "wave", "add", "--code", "W1"));
    free(IK_OK(sq, "survey", "import", "--wave", "W1", "--center", "TKY", csv));
    free(ik_ok(sq, SV_PW "\n",
               (const char *const[]){"user", "add", "--login", "g_sv", "--role", "supervisor",
                                     "--center", "TKY", "--password-stdin", NULL}));
    char *out = IK_OK(sq, "apikey", "add", "--name", "pbx", "--scope", "calls", "--json");
    json_t *kj = json_loads(out, 0, NULL);
    free(out);
    char key[128];
    snprintf(key, sizeof key, "%s", json_string_value(json_object_get(kj, "key")));
    json_decref(kj);
    free(IK_OK(sq, "guard", "block", "add", "--caller", "090-0000-1111", "--reason", "test"));

    out = IK_OK(sq, "backup", "--to", bf, "--json");
    json_t *ss = sums_of(out);
    free(out);
    struct tu_result r;
    const char *const mig[] = {tu_bin(), "migrate-store", "--from", from, "--to",
                               pg,       "--json",        NULL};
    assert_int_equal(tu_run((char *const *)mig, NULL, &r), 0);
    expect_status(&r, 0);
    json_t *sp = sums_of(r.out);
    tu_result_free(&r);
    expect_same_sums(ss, sp);
    assert_int_equal(rows_of(sp, "guard_blocks"), 1);
    assert_true(rows_of(sp, "cx_checkpoints") > 0); /* numbers with fractions compared too */
    json_decref(ss);
    json_decref(sp);

    assert_int_equal(tu_run((char *const *)mig, NULL, &r), 0);
    TU_ONE_LINE_EXIT2(&r, "already holds");
    tu_result_free(&r);
    const char *const notsq[] = {tu_bin(), "migrate-store", "--from", pg, "--to", pg, NULL};
    assert_int_equal(tu_run((char *const *)notsq, NULL, &r), 0);
    TU_ONE_LINE_EXIT2(&r, "is not a SQLite database");
    tu_result_free(&r);
    /* New rows after the move get ids past the copied ones. */
    free(IK_OK(pg, "center", "add", "--code", "NEW", "--name", "新センター", "--operators", "5",
               "--company", "DEMO"));
    free(IK_OK(pg, "guard", "block", "add", "--caller", "090-0000-2222", "--reason", "test"));

    /* Two servers on the one database: the dashboard on B hears the call posted to A. */
    const char *extra[] = {"--guard-mode", "automatic", NULL};
    struct tu_server a, b;
    assert_int_equal(tu_server_start(pg, &a, extra), 0);
    assert_int_equal(tu_server_start(pg, &b, extra), 0);
    char jar[300], sse[300], url[200];
    snprintf(jar, sizeof jar, "%s/cookies", dir);
    snprintf(sse, sizeof sse, "%s/sse.txt", dir);
    snprintf(url, sizeof url, "%s/api/v1/session", b.base);
    const char *login[] = {"/usr/bin/curl",
                           "-s",
                           "-f",
                           "-o",
                           "/dev/null",
                           "-c",
                           jar,
                           "-H",
                           "Content-Type: application/json",
                           "-d",
                           "{\"login\":\"g_sv\",\"password\":\"" SV_PW "\"}",
                           url,
                           NULL};
    assert_int_equal(tu_run((char *const *)login, NULL, &r), 0);
    expect_status(&r, 0);
    tu_result_free(&r);
    snprintf(url, sizeof url, "%s/api/v1/events?max_s=8", b.base);
    const char *watch[] = {"/usr/bin/curl", "-s", "-N", "--max-time", "12", "-b", jar, url, NULL};
    pid_t dash = curl_bg(watch, sse);
    assert_true(file_has(sse, "event: hello", 5000));
    post_event(a.base, key, "mig-1",
               "{\"type\":\"start\",\"caller\":\"090-5555-0003\",\"operator\":\"g_sv\","
               "\"center\":\"TKY\"}");
    static const char *const abuse[] = {"ふざけるな、このバカ野郎", "殺すぞ", "ふざけるなよ、バカ"};
    for (int i = 0; i < 3; i++) {
        char ev[300];
        snprintf(ev, sizeof ev,
                 "{\"type\":\"utterance\",\"speaker\":\"customer\",\"text\":\"%s\","
                 "\"start_ms\":1000,\"end_ms\":2500}",
                 abuse[i]);
        post_event(a.base, key, "mig-1", ev);
    }
    assert_true(file_has(sse, "event: alert", 8000));
    assert_true(file_has(sse, "mig-1", 100));
    kill(dash, SIGTERM);
    waitpid(dash, NULL, 0);
    assert_int_equal(tu_server_stop(&a), 0);
    assert_int_equal(tu_server_stop(&b), 0);
}

/* ---- the package and the service ---------------------------------------------------------- */

/* The value after "key=" on the unit's line for key, with "@…" paths left as they are. */
static int unit_line(const char *unit, const char *key, char *out, size_t outlen)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s=", key);
    const char *p = strstr(unit, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    size_t n = strcspn(p, "\n");
    snprintf(out, outlen, "%.*s", (int)n, p);
    return 0;
}

/* Splits a command line at spaces into argv, putting root in front of absolute paths. */
static int split_rooted(char *line, const char *root, char bufs[][400], char **argv, int max)
{
    int n = 0;
    for (char *sv, *tok = strtok_r(line, " ", &sv); tok && n < max - 1;
         tok = strtok_r(NULL, " ", &sv)) {
        if (tok[0] == '/')
            snprintf(bufs[n], 400, "%s%s", root, tok);
        else
            snprintf(bufs[n], 400, "%s", tok);
        argv[n] = bufs[n];
        n++;
    }
    argv[n] = NULL;
    return n;
}

static void test_package(void **state)
{
    (void)state;
    const char *src = getenv("IKIIKI_SOURCE_ROOT");
    assert_non_null(src);
    char dir[256], script[400], build[400], root[300], state_dir[300], cmd[1200];
    assert_int_equal(tu_db_url("sqlite", "pkg", dir, sizeof dir), 0);
    *strrchr(dir, '/') = '\0';
    snprintf(script, sizeof script, "%s/scripts/make-deb.sh", src);
    snprintf(build, sizeof build, "%s", tu_bin());
    *strrchr(build, '/') = '\0';
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    mkdir(state_dir, 0750);

    const char *mk[] = {"/bin/bash", script, build, dir, NULL};
    struct tu_result r;
    assert_int_equal(tu_run((char *const *)mk, NULL, &r), 0);
    expect_status(&r, 0);
    char deb[400];
    snprintf(deb, sizeof deb, "%.*s", (int)strcspn(r.out, "\n"), r.out);
    tu_result_free(&r);
    /* The library dependencies are declared, and each is a package this machine knows. */
    const char *info[] = {"/usr/bin/dpkg-deb", "--field", deb, "Depends", NULL};
    assert_int_equal(tu_run((char *const *)info, NULL, &r), 0);
    expect_status(&r, 0);
    static const char *const must[] = {"libmicrohttpd12",  "libgnutls30", "libsqlite3-0",
                                       "libpq5",           "libjansson4", "libmecab2",
                                       "mecab-ipadic-utf8"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        expect_contains(r.out, must[i]);
    tu_result_free(&r);
    const char *x[] = {"/usr/bin/dpkg-deb", "-x", deb, root, NULL};
    assert_int_equal(tu_run((char *const *)x, NULL, &r), 0);
    expect_status(&r, 0);
    tu_result_free(&r);

    /* The unit, its command lines, and the files they name. */
    snprintf(cmd, sizeof cmd, "find %s -name ikiiki.service", root);
    const char *find[] = {"/bin/sh", "-c", cmd, NULL};
    assert_int_equal(tu_run((char *const *)find, NULL, &r), 0);
    char unit_path[400];
    snprintf(unit_path, sizeof unit_path, "%.*s", (int)strcspn(r.out, "\n"), r.out);
    tu_result_free(&r);
    char *unit = tu_read_file(unit_path, NULL);
    assert_non_null(unit);
    static const char *const hard[] = {"Type=notify",
                                       "ProtectSystem=strict",
                                       "NoNewPrivileges=yes",
                                       "PrivateTmp=yes",
                                       "CapabilityBoundingSet=\n",
                                       "StateDirectory=ikiiki",
                                       "Restart=on-failure",
                                       "User=ikiiki"};
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++)
        expect_contains(unit, hard[i]);
    char pre[400], start[400], envline[300], bufs[16][400], *argv[17];
    assert_int_equal(unit_line(unit, "ExecStartPre", pre, sizeof pre), 0);
    assert_int_equal(unit_line(unit, "ExecStart", start, sizeof start), 0);
    assert_int_equal(unit_line(unit, "Environment", envline, sizeof envline), 0);
    free(unit);
    assert_int_equal(strncmp(envline, "IKIIKI_DB=/var/lib/ikiiki/", 26), 0);
    char dbfile[700], datadir[400];
    snprintf(dbfile, sizeof dbfile, "%s/%s", state_dir, envline + 26);
    /* The binary must come with its data files and manual pages under the same prefix. */
    snprintf(cmd, sizeof cmd, "%s", start);
    split_rooted(cmd, root, bufs, argv, 17);
    snprintf(datadir, sizeof datadir, "%.*s/share/ikiiki",
             (int)(strstr(argv[0], "/bin/ikiiki") - argv[0]), argv[0]);
    char probe[500];
    static const char *const files[] = {"policy/default.json",
                                        "survey/questionnaire.json",
                                        "lexicon/ja.tsv",
                                        "voicebot/ja.json",
                                        "cx/sheet.json",
                                        "prompts/ja/prompts.tsv",
                                        "../man/man1/ikiiki-serve.1",
                                        "../man/man1/ikiiki.1"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(probe, sizeof probe, "%s/%s", datadir, files[i]);
        if (access(probe, R_OK) != 0)
            print_error("missing in the package: %s\n", probe);
        assert_int_equal(access(probe, R_OK), 0);
    }
    /* Installed, it looks for its data under its prefix, not in the source tree. */
    const char *sheet[] = {argv[0], "cx", "sheet", NULL};
    assert_int_equal(tu_run((char *const *)sheet, NULL, &r), 0);
    assert_int_not_equal(r.status, 0);
    expect_contains(r.err, datadir + strlen(root));
    tu_result_free(&r);

    /* The unit's commands against a temporary state folder. The data folder is pointed at the
     * unpacked root (the binary was built for the prefix itself, not for this temporary root). */
    setenv("IKIIKI_DB", dbfile, 1);
    setenv("IKIIKI_DATA_DIR", datadir, 1);
    /* Likewise the modules the binary loads on demand. */
    snprintf(cmd, sizeof cmd, "find %s -path '*/ikiiki/*.so' | head -n 1", root);
    const char *findmod[] = {"/bin/sh", "-c", cmd, NULL};
    assert_int_equal(tu_run((char *const *)findmod, NULL, &r), 0);
    char moddir[400];
    snprintf(moddir, sizeof moddir, "%s", r.out);
    tu_result_free(&r);
    if (strrchr(moddir, '/')) {
        *strrchr(moddir, '/') = '\0';
        setenv("IKIIKI_MODULE_DIR", moddir, 1);
    }
    snprintf(cmd, sizeof cmd, "%s", pre);
    split_rooted(cmd, root, bufs, argv, 17);
    assert_int_equal(tu_run(argv, NULL, &r), 0);
    expect_status(&r, 0);
    expect_contains(r.out, dbfile);
    tu_result_free(&r);

    char sock[300];
    snprintf(sock, sizeof sock, "%s/notify", dir);
    int nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(sock) < sizeof sa.sun_path);
    memcpy(sa.sun_path, sock, strlen(sock) + 1);
    assert_int_equal(bind(nfd, (struct sockaddr *)&sa, sizeof sa), 0);
    setenv("NOTIFY_SOCKET", sock, 1);
    snprintf(cmd, sizeof cmd, "%s --listen 127.0.0.1:0 --audiosocket off --media-ws off", start);
    int n = split_rooted(cmd, root, bufs, argv, 17);
    assert_true(n >= 5);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pipefd[1]);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("IKIIKI_DB");
    unsetenv("IKIIKI_DATA_DIR");
    unsetenv("IKIIKI_MODULE_DIR");
    char msg[64] = "";
    struct timeval tv = {30, 0};
    setsockopt(nfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t got = recv(nfd, msg, sizeof msg - 1, 0);
    assert_true(got > 0);
    msg[got] = '\0';
    assert_string_equal(msg, "READY=1");
    char line[200] = "";
    FILE *po = fdopen(pipefd[0], "r");
    assert_non_null(fgets(line, sizeof line, po));
    expect_contains(line, "listening on http://127.0.0.1:");
    char url[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/health",
             (int)strtol(strrchr(line, ':') + 1, NULL, 10));
    struct got g;
    fetch(url, NULL, NULL, &g);
    assert_int_equal(g.status, 200);
    expect_contains(g.body, "\"ok\"");
    /* A graceful stop says so to systemd and exits 0. */
    kill(pid, SIGTERM);
    got = recv(nfd, msg, sizeof msg - 1, 0);
    assert_true(got > 0);
    msg[got] = '\0';
    assert_string_equal(msg, "STOPPING=1");
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    fclose(po);
    close(nfd);
}

/* ---- upgrades ------------------------------------------------------------------------------ */

/* Brings the file db to schema n one migration at a time, writing the fixture rows of migration
 * k (tests/data/upgrade/NNNN.sql) right after it, as an installation would have. */
static void apply_fixtures(const char *db, int n)
{
    for (int k = 1; k <= n; k++) {
        char schema[16];
        snprintf(schema, sizeof schema, "%d", k);
        free(IK_OK(db, "init", "--schema", schema));
        sqlite3 *h = NULL;
        assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
        char path[400];
        snprintf(path, sizeof path, "%s/upgrade/%04d.sql", getenv("IKIIKI_TEST_DATA"), k);
        char *sql = tu_read_file(path, NULL);
        if (!sql) {
            sqlite3_close(h);
            continue; /* a migration that made no table worth a row */
        }
        char *msg = NULL;
        if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
            print_error("%s at schema %d: %s\n", path, k, msg);
        assert_null(msg);
        free(sql);
        sqlite3_close(h);
    }
}

/* {"users": true, …}: tables named by ALTER TABLE, UPDATE, INSERT INTO or DROP TABLE in the
 * statements of the pending migrations. */
static json_t *touched_tables(json_t *pending)
{
    static const char *const verbs[] = {"ALTER TABLE ", "UPDATE ", "INSERT INTO ", "DROP TABLE "};
    json_t *set = json_object();
    size_t i, k;
    json_t *m, *st;
    json_array_foreach(pending, i, m)
    {
        json_array_foreach(json_object_get(m, "statements"), k, st)
        {
            const char *t = json_string_value(st);
            for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++) {
                size_t vl = strlen(verbs[v]);
                if (strncmp(t, verbs[v], vl) != 0)
                    continue;
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)strcspn(t + vl, " ("), t + vl);
                json_object_set_new(set, name, json_true());
            }
        }
    }
    return set;
}

static void test_upgrade(void **state)
{
    (void)state;
    struct tu_result r;
    char db[256];
    assert_int_equal(tu_db_url("sqlite", "latest", db, sizeof db), 0);
    char *out = IK_OK(db, "init", "--check", "--json");
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    int latest = (int)json_integer_value(json_object_get(j, "latest"));
    assert_false(json_is_true(json_object_get(j, "exists")));
    assert_int_equal(json_array_size(json_object_get(j, "pending")), latest);
    json_decref(j);
    assert_int_equal(access(db, F_OK), -1); /* --check made no file */
    assert_true(latest >= 10);

    for (int n = 1; n < latest; n++) {
        char url[256];
        assert_int_equal(tu_db_url("sqlite", "upgrade", url, sizeof url), 0);
        apply_fixtures(url, n);

        /* init --check lists the pending migrations and changes nothing. */
        char bf[300];
        snprintf(bf, sizeof bf, "%s.before", url);
        out = IK_OK(url, "backup", "--to", bf, "--json");
        json_t *before = sums_of(out);
        free(out);
        out = IK_OK(url, "init", "--check", "--json");
        j = json_loads(out, 0, NULL);
        free(out);
        assert_int_equal(json_integer_value(json_object_get(j, "schema")), n);
        json_t *pend = json_object_get(j, "pending");
        assert_int_equal(json_array_size(pend), latest - n);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(pend, 0), "version")),
                         n + 1);
        /* Tables the pending migrations alter, fill or drop, from the statements --check lists:
         * their rows stay but their checksums may change. */
        json_t *touched = touched_tables(pend);
        json_decref(j);
        if (n == 9) {
            out = IK_OK(url, "init", "--check");
            expect_contains(out, "0010_guard_blocks: CREATE TABLE guard_blocks; INSERT INTO "
                                 "guard_blocks; DROP TABLE guard_blocklist");
            free(out);
        }
        out = IK_OK(url, "backup", "--to", bf, "--json");
        json_t *still = sums_of(out);
        free(out);
        expect_same_sums(before, still);
        json_decref(still);

        /* The upgrade: every table keeps its rows; tables no later migration touched keep their
         * checksums; the block list moves into guard_blocks. */
        out = IK_OK(url, "init");
        expect_contains(out, "migration");
        free(out);
        out = IK_OK(url, "backup", "--to", bf, "--json");
        json_t *after = sums_of(out);
        free(out);
        const char *table;
        json_t *v;
        json_object_foreach(before, table, v)
        {
            if (strcmp(table, "guard_blocklist") == 0) {
                assert_null(json_object_get(after, table));
                assert_int_equal(rows_of(after, "guard_blocks"), rows_of(before, table));
                continue;
            }
            json_t *w = json_object_get(after, table);
            if (!w)
                print_error("schema %d: table %s is gone after the upgrade\n", n, table);
            assert_non_null(w);
            assert_int_equal(rows_of(after, table), rows_of(before, table));
            int altered = json_object_get(touched, table) != NULL;
            if (!altered && !json_equal(v, w))
                print_error("schema %d: table %s changed in the upgrade\n", n, table);
            assert_true(altered || json_equal(v, w));
        }
        /* 0011: the answers stored before it form one publication per wave and center. */
        if (n >= 6 && n < 11)
            assert_int_equal(rows_of(after, "survey_publications"), 1);
        json_decref(touched);
        json_decref(before);
        json_decref(after);
        /* The rows read back through the commands. */
        out = IK_OK(url, "center", "list", "--json");
        expect_contains(out, "FX1");
        free(out);
        if (n >= 8) {
            out = IK_OK(url, "guard", "block", "list", "--json");
            expect_contains(out, "c0ffee");
            expect_contains(out, "繰り返しの暴言");
            free(out);
        }
        out = IK_OK(url, "init", "--check");
        expect_contains(out, "0 migrations would run");
        free(out);
    }
    /* A database from a newer ikiiki is refused, and --check says so without touching it. */
    char url[256];
    assert_int_equal(tu_db_url("sqlite", "newer", url, sizeof url), 0);
    free(IK_OK(url, "init"));
    sqlite3 *h;
    assert_int_equal(sqlite3_open(url, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h,
                                  "INSERT INTO schema_migrations (version, name, applied_at) "
                                  "VALUES (9999, 'future', 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    out = IK_OK(url, "init", "--check");
    expect_contains(out, "newer than this ikiiki");
    free(out);
    const char *const init[] = {"init", NULL};
    assert_int_equal(tu_ikiiki(url, init, NULL, &r), 0);
    expect_status(&r, 1);
    expect_contains(r.err, "schema 9999");
    tu_result_free(&r);
}

/* ---- /metrics ------------------------------------------------------------------------------ */

/* The value of the sample line "NAME VALUE" (not the # HELP and # TYPE lines naming it). */
static long long metric(const char *text, const char *name)
{
    char line[200];
    snprintf(line, sizeof line, "\n%s ", name);
    const char *p = strstr(text, line);
    if (!p)
        print_error("no %s in:\n%s\n", name, text);
    assert_non_null(p);
    return atoll(p + strlen(line));
}

/* Reads /metrics until the sample name reaches want (up to 5 s); returns the text. */
static char *metrics_when(struct tu_http *h, const char *name, long long want)
{
    for (int i = 0;; i++) {
        struct tu_resp resp;
        assert_int_equal(tu_request(h, "GET", "/metrics", NULL, NULL, &resp), 0);
        assert_int_equal(resp.status, 200);
        long long v = metric(resp.body, name);
        char *body = resp.body;
        resp.body = NULL;
        tu_resp_free(&resp);
        if (v == want)
            return body;
        if (v > want || i == 100) {
            print_error("%s is %lld, wanted %lld\n", name, v, want);
            fail();
        }
        free(body);
        usleep(50000);
    }
}

static void test_metrics(void **state)
{
    (void)state;
    char db[256], url[200];
    assert_int_equal(tu_db_url("sqlite", "metrics", db, sizeof db), 0);
    free(IK_OK(db, "init", "--demo")); /* center TKY for the call below */
    char keys[2][128];
    static const char *const scopes[2] = {"metrics", "calls"};
    for (int i = 0; i < 2; i++) {
        char *out = IK_OK(db, "apikey", "add", "--name", scopes[i], "--scope", scopes[i], "--json");
        json_t *j = json_loads(out, 0, NULL);
        snprintf(keys[i], sizeof keys[i], "%s", json_string_value(json_object_get(j, "key")));
        json_decref(j);
        free(out);
    }
    struct tu_server s;
    assert_int_equal(tu_server_start(db, &s, NULL), 0);
    struct tu_http *anon = tu_http_new(s.base), *prom = tu_http_new(s.base),
                   *pbx = tu_http_new(s.base);
    tu_http_bearer(prom, keys[0]);
    tu_http_bearer(pbx, keys[1]);
    struct tu_resp resp;
    /* Off for everyone but a metrics key. */
    assert_int_equal(tu_request(anon, "GET", "/metrics", NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 401);
    tu_resp_free(&resp);
    assert_int_equal(tu_request(pbx, "GET", "/metrics", NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 403);
    tu_resp_free(&resp);
    assert_int_equal(tu_request(prom, "GET", "/metrics", NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    expect_contains(resp.headers, "text/plain; version=0.0.4");
    tu_resp_free(&resp);
    /* A request is counted once it is complete, just after its answer went out: poll. */
    char *m = metrics_when(prom, "ikiiki_http_requests_total{code=\"4xx\"}", 2);
    long long ok0 = metric(m, "ikiiki_http_requests_total{code=\"2xx\"}");
    free(m);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tu_request(anon, "GET", "/api/v1/health", NULL, NULL, &resp), 0);
        tu_resp_free(&resp);
    }
    assert_int_equal(tu_request(anon, "GET", "/api/v1/nothing-here", NULL, NULL, &resp), 0);
    tu_resp_free(&resp);
    m = metrics_when(prom, "ikiiki_http_requests_total{code=\"4xx\"}", 3);
    assert_true(metric(m, "ikiiki_http_requests_total{code=\"2xx\"}") >= ok0 + 3);
    assert_true(metric(m, "ikiiki_http_request_duration_seconds_count") >= ok0 + 6);
    assert_int_equal(metric(m, "ikiiki_http_request_duration_seconds_bucket{le=\"+Inf\"}"),
                     metric(m, "ikiiki_http_request_duration_seconds_count"));
    assert_int_equal(metric(m, "ikiiki_store_errors_total"), 0);
    assert_int_equal(metric(m, "ikiiki_guard_active_calls"), 0);
    free(m);
    /* A call in progress shows as active. */
    snprintf(url, sizeof url, "%s", s.base);
    post_event(url, keys[1], "m-1",
               "{\"type\":\"start\",\"caller\":\"090-5555-0009\",\"operator\":\"x\","
               "\"center\":\"TKY\"}");
    /* The engine takes events on its own thread: wait for it. */
    long long active = 0;
    for (int i = 0; i < 100 && active != 1; i++) {
        assert_int_equal(tu_request(prom, "GET", "/metrics", NULL, NULL, &resp), 0);
        active = metric(resp.body, "ikiiki_guard_active_calls");
        if (active == 1)
            assert_true(metric(resp.body, "ikiiki_guard_events_total") >= 1);
        tu_resp_free(&resp);
        if (active != 1)
            usleep(50000);
    }
    assert_int_equal(active, 1);
    tu_http_free(anon);
    tu_http_free(prom);
    tu_http_free(pbx);
    assert_int_equal(tu_server_stop(&s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_config_serve),
        cmocka_unit_test(test_https),
        cmocka_unit_test(test_backup_during_imports),
        cmocka_unit_test(test_backup_pg),
        cmocka_unit_test(test_migrate_store),
        cmocka_unit_test(test_package),
        cmocka_unit_test(test_upgrade),
        cmocka_unit_test(test_metrics),
    };
    /* IKIIKI_TEST_ONLY=name runs one test (the whole file takes minutes on a busy machine). */
    const char *only = getenv("IKIIKI_TEST_ONLY");
    if (only && *only)
        cmocka_set_test_filter(only);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
