/* Abuse of the HTTP port, as an attacker would try it, against the real server on loopback, on
 * SQLite and on PostgreSQL: idle and dripping connections (slowloris), control characters and NUL
 * in the path, the security headers, sign-in limits behind a NAT or a proxy, sessions after a
 * password change, API key revocation and expiry, the answer link's limits and the access log.
 * Attacking addresses are other loopback addresses (127.0.0.2 …) bound before connecting, so the
 * test's own requests from 127.0.0.1 show whether the server still serves everyone else. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include <cmocka.h>

#include "testutil.h"

#define ADMIN_PW  "admin-pass-1"
#define VICTIM_PW "victim-pass-1"
#define NAT_PW    "nat-pass-1"
#define PWU_PW    "pwu-pass-1"
#define PWU_PW2   "pwu-pass-2"
#define PWU_PW3   "pwu-pass-3"

struct ctx {
    const char *backend;
    int skip;
    char db[512];
    struct tu_server srv;   /* --header-timeout 2 --conns-per-addr 16 --signin-addr-limit 10 */
    struct tu_server proxy; /* --trusted-proxy 127.0.0.1 --signin-addr-limit 10 */
    struct tu_http *admin;
};

/* ---- helpers ---- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A TCP connection to port from the loopback address src (e.g. "127.0.0.2"); -1 on failure. */
static int connect_from(const char *src, unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) ||
        connect(fd, (struct sockaddr *)&to, sizeof to)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* 1 when the server has closed fd (end of stream or reset) within timeout_ms; data is skipped. */
static int closed_within(int fd, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    char buf[4096];
    while (now_ms() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
            return 1;
    }
    return 0;
}

/* Sends a raw request on a fresh connection and returns the reply's status (0 when none). The
 * whole reply goes into out when given. */
static int raw_request(unsigned port, const char *req, size_t len, char *out, size_t outlen)
{
    int fd = connect_from("127.0.0.1", port);
    if (fd < 0)
        return 0;
    if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
        close(fd);
        return 0;
    }
    char buf[8192];
    size_t n = 0;
    uint64_t end = now_ms() + 10000;
    while (n + 1 < sizeof buf && now_ms() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t k = recv(fd, buf + n, sizeof buf - 1 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n") && strstr(buf, "Content-Length: 0"))
            break;
    }
    close(fd);
    buf[n] = '\0';
    if (out)
        snprintf(out, outlen, "%s", buf);
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    return status;
}

/* The value of response header name (case-insensitive), or "" when absent. */
static const char *header(const char *headers, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    out[0] = '\0';
    for (const char *p = headers; p && *p;) {
        const char *end = strstr(p, "\r\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, outlen, "%.*s", (int)(len - (size_t)(v - p)), v);
            return out;
        }
        p = end ? end + 2 : p + len;
    }
    return out;
}

static void expect(struct tu_http *h, const char *method, const char *path, const char *body,
                   const char *const *hdrs, long status, struct tu_resp *resp)
{
    if (tu_request(h, method, path, body, hdrs, resp))
        fail_msg("%s %s: no reply", method, path);
    if (resp->status != status)
        fail_msg("%s %s: expected %ld, got %ld: %.400s", method, path, status, resp->status,
                 resp->body);
}

static const char *err_code(const struct tu_resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

static void health_answers(const char *base)
{
    struct tu_http *h = tu_http_new(base);
    struct tu_resp r;
    uint64_t t0 = now_ms();
    expect(h, "GET", "/api/v1/health", NULL, NULL, 200, &r);
    /* A generous bound: a functional check that it answers, not a timing measurement. */
    if (now_ms() - t0 > 5000)
        fail_msg("/api/v1/health took %llu ms", (unsigned long long)(now_ms() - t0));
    tu_resp_free(&r);
    tu_http_free(h);
}

/* Runs `ikiiki ARGS… --db DB`, NULL-terminated; fails the test unless it exits 0. Returns stdout
 * (caller frees). */
static char *cli(const char *db, const char *stdin_text, ...)
{
    const char *words[40];
    int n = 0;
    va_list ap;
    va_start(ap, stdin_text);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 36)
        words[n++] = a;
    va_end(ap);
    words[n] = NULL;
    struct tu_result res;
    if (tu_ikiiki(db, words, stdin_text, &res))
        fail_msg("fixture: cannot run ikiiki");
    if (res.status != 0)
        fail_msg("fixture: `%s %s …` exited %d: %s", words[0], n > 1 ? words[1] : "", res.status,
                 res.err);
    free(res.err);
    return res.out;
}
#define CLI(...) free(cli(__VA_ARGS__, NULL))

/* Lines of the server's log that hold needle. */
static int log_count(const struct tu_server *srv, const char *needle)
{
    FILE *f = fopen(srv->errlog, "r");
    if (!f)
        return 0;
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    fclose(f);
    return n;
}

/* ---- fixture ---- */

static int setup(void **state, const char *backend)
{
    struct ctx *c = calloc(1, sizeof *c);
    *state = c;
    c->backend = backend;
    int rc = tu_db_url(backend, "ports", c->db, sizeof c->db);
    if (rc == 1) {
        c->skip = 1;
        return 0;
    }
    if (rc)
        return -1;
    CLI(c->db, NULL, "init");
    CLI(c->db, NULL, "company", "add", "--code", "DEMO", "--name", "Demo Inc.");
    CLI(c->db, NULL, "center", "add", "--code", "TKY", "--name", "Tokyo", "--operators", "50",
        "--company", "DEMO");
    CLI(c->db, ADMIN_PW "\n", "user", "add", "--login", "admin", "--role", "admin",
        "--password-stdin");
    CLI(c->db, VICTIM_PW "\n", "user", "add", "--login", "victim", "--role", "operator", "--center",
        "TKY", "--password-stdin");
    CLI(c->db, NAT_PW "\n", "user", "add", "--login", "nat", "--role", "operator", "--center",
        "TKY", "--password-stdin");
    CLI(c->db, PWU_PW "\n", "user", "add", "--login", "pwu", "--role", "operator", "--center",
        "TKY", "--password-stdin");
    const char *extra[] = {
        "--header-timeout", "2", "--conns-per-addr", "16", "--signin-addr-limit", "10", NULL};
    const char *behind[] = {"--trusted-proxy", "127.0.0.1", "--signin-addr-limit", "10", NULL};
    if (tu_server_start(c->db, &c->srv, extra) || tu_server_start(c->db, &c->proxy, behind))
        return -1;
    c->admin = tu_http_new(c->srv.base);
    if (tu_login(c->admin, "admin", ADMIN_PW) != 200) {
        fprintf(stderr, "admin sign-in failed\n");
        return -1;
    }
    return 0;
}

static int setup_sqlite(void **state)
{
    return setup(state, "sqlite");
}

static int setup_postgresql(void **state)
{
    return setup(state, "postgresql");
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    if (c->srv.pid > 0)
        tu_server_stop(&c->srv);
    if (c->proxy.pid > 0)
        tu_server_stop(&c->proxy);
    tu_http_free(c->admin);
    free(c);
    return 0;
}

#define CTX()                                                                                      \
    struct ctx *c = *state;                                                                        \
    if (c->skip)                                                                                   \
    skip()

/* ---- 6: slowloris ---- */

/* 40 connections from one address that send half a request and wait: past the per-address limit
 * the server closes them at once, and everyone else is still served. */
static void test_idle_connections_per_address(void **state)
{
    CTX();
    enum { N = 40 };
    int fds[N], open_now = 0;
    static const char half[] = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < N; i++) {
        fds[i] = connect_from("127.0.0.2", c->srv.port);
        assert_true(fds[i] >= 0);
        send(fds[i], half, sizeof half - 1, MSG_NOSIGNAL);
    }
    health_answers(c->srv.base);
    for (int i = 0; i < N; i++)
        open_now += !closed_within(fds[i], i == 0 ? 500 : 20);
    if (open_now > 16)
        fail_msg("%d of %d connections from one address stayed open (limit 16)", open_now, N);
    /* Within the header deadline (2 s) the rest are closed too, having sent no whole request. */
    int still = 0;
    for (int i = 0; i < N; i++)
        still += !closed_within(fds[i], 6000);
    if (still)
        fail_msg("%d connections without complete headers outlived the 2 s deadline", still);
    for (int i = 0; i < N; i++)
        close(fds[i]);
    health_answers(c->srv.base);
}

/* A client that drips one header byte every 200 ms never completes its request: MHD's timeout
 * would restart with every byte; the header deadline does not. */
static void test_dripping_headers(void **state)
{
    CTX();
    int fd = connect_from("127.0.0.3", c->srv.port);
    assert_true(fd >= 0);
    static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: "
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    uint64_t t0 = now_ms();
    int closed = 0;
    for (size_t i = 0; i < sizeof req - 1 && !closed; i++) {
        if (send(fd, req + i, 1, MSG_NOSIGNAL) != 1)
            closed = 1;
        else
            closed = closed_within(fd, 200);
        health_answers(c->srv.base);
    }
    uint64_t took = now_ms() - t0;
    close(fd);
    if (!closed)
        fail_msg("a connection dripping header bytes stayed open for %llu ms (deadline 2 s)",
                 (unsigned long long)took);
    if (took > 8000)
        fail_msg("the dripping connection was closed only after %llu ms", (unsigned long long)took);
}

/* A keep-alive connection that completes requests on time is not cut by the deadline. */
static void test_keepalive_survives(void **state)
{
    CTX();
    int fd = connect_from("127.0.0.1", c->srv.port);
    assert_true(fd >= 0);
    static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < 3; i++) {
        assert_int_equal(send(fd, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1));
        char buf[2048];
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_true(poll(&p, 1, 5000) > 0);
        ssize_t k = recv(fd, buf, sizeof buf - 1, 0);
        assert_true(k > 0);
        buf[k] = '\0';
        assert_non_null(strstr(buf, " 200 "));
        usleep(500000);
    }
    close(fd);
}

/* ---- 12: the path and the access log ---- */

static void test_control_characters_in_path(void **state)
{
    CTX();
    char out[8192];
    static const char nul_esc[] = "GET /api/v1/health%00.json HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(raw_request(c->srv.port, nul_esc, sizeof nul_esc - 1, out, sizeof out), 400);
    assert_non_null(strstr(out, "bad_path"));
    /* libmicrohttpd 0.9.75 cuts the request line at a raw NUL before ikiiki sees it: what
     * follows the NUL must reach neither a route nor the log. */
    static const char nul_raw[] = "GET /api/v1/health\0/../me.secret HTTP/1.1\r\nHost: x\r\n\r\n";
    int st = raw_request(c->srv.port, nul_raw, sizeof nul_raw - 1, out, sizeof out);
    if (st != 400 && st != 200)
        fail_msg("a raw NUL in the path: expected 400 or the health reply, got %d: %.300s", st,
                 out);
    /* A forged access line and a terminal escape, percent-encoded. */
    static const char forge[] = "GET /api/v1/x%0d%0a2026-01-01T00:00:00.000Z%20info%20access%20"
                                "6.6.6.6%20forged%1b[2J HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(raw_request(c->srv.port, forge, sizeof forge - 1, out, sizeof out), 400);
    usleep(200000);
    FILE *f = fopen(c->srv.errlog, "r");
    assert_non_null(f);
    char line[8192];
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        if (strchr(line, '\x1b'))
            fail_msg("the log holds a raw ESC: %s", line);
        if (strstr(line, "forged")) {
            seen++;
            if (!strstr(line, "access 127.0.0.1 \"GET /api/v1/x\\x0d\\x0a2026"))
                fail_msg("a request wrote a line of its own into the log: %s", line);
        }
    }
    fclose(f);
    assert_int_equal(seen, 1);
    assert_int_equal(log_count(&c->srv, "me.secret"), 0);
}

/* ---- 13: security headers ---- */

static void check_security_headers(const char *headers, const char *what)
{
    char v[512];
    header(headers, "Content-Security-Policy", v, sizeof v);
    if (!strstr(v, "default-src 'self'") || !strstr(v, "frame-ancestors 'none'") ||
        strstr(v, "unsafe-inline"))
        fail_msg("%s: Content-Security-Policy \"%s\"", what, v);
    if (strcmp(header(headers, "X-Frame-Options", v, sizeof v), "DENY"))
        fail_msg("%s: X-Frame-Options \"%s\"", what, v);
    if (strcmp(header(headers, "Referrer-Policy", v, sizeof v), "no-referrer"))
        fail_msg("%s: Referrer-Policy \"%s\"", what, v);
    if (strcmp(header(headers, "X-Content-Type-Options", v, sizeof v), "nosniff"))
        fail_msg("%s: X-Content-Type-Options \"%s\"", what, v);
}

static void test_security_headers(void **state)
{
    CTX();
    struct tu_http *anon = tu_http_new(c->srv.base);
    struct tu_resp r;
    const char *paths[][2] = {{"GET", "/api/v1/health"},
                              {"GET", "/api/v1/nowhere"},
                              {"GET", "/api/v1/me"},
                              {"PUT", "/api/v1/health"},
                              {"GET", "/api/v1/centers"}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct tu_http *h = i == 4 ? c->admin : anon;
        assert_int_equal(tu_request(h, paths[i][0], paths[i][1], NULL, NULL, &r), 0);
        char what[128];
        snprintf(what, sizeof what, "%s %s (%ld)", paths[i][0], paths[i][1], r.status);
        check_security_headers(r.headers, what);
        tu_resp_free(&r);
    }
    tu_http_free(anon);
}

/* ---- 8: sign-in limits ---- */

/* POST /session as login with password, from h, with extra headers; returns the status and
 * writes Retry-After (0 when absent). */
static long sign_in(struct tu_http *h, const char *login, const char *password, const char *xff,
                    int *retry_after)
{
    char body[256], hxff[128];
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
    snprintf(hxff, sizeof hxff, "X-Forwarded-For: %s", xff ? xff : "");
    const char *hdrs[] = {hxff, NULL};
    struct tu_resp r;
    if (tu_request(h, "POST", "/api/v1/session", body, xff ? hdrs : NULL, &r))
        fail_msg("POST /api/v1/session: no reply");
    long st = r.status;
    char v[32];
    if (retry_after)
        *retry_after = (int)strtol(header(r.headers, "Retry-After", v, sizeof v), NULL, 10);
    if (st == 429 && strcmp(err_code(&r), "too_many_attempts") != 0)
        fail_msg("429 with error code %s", err_code(&r));
    tu_resp_free(&r);
    return st;
}

/* A shift starts behind one NAT address: every successful sign-in goes through. */
static void test_signin_shift_start(void **state)
{
    CTX();
    for (int i = 0; i < 40; i++) {
        struct tu_http *h = tu_http_new(c->srv.base);
        long st = sign_in(h, "nat", NAT_PW, NULL, NULL);
        if (st != 200)
            fail_msg("sign-in %d of 40 from one address: %ld", i + 1, st);
        tu_http_free(h);
    }
}

/* Failures sent with made-up X-Forwarded-For headers count against the real peer when no proxy
 * is trusted, and against the forwarded client only behind the trusted proxy. */
static void test_signin_forwarded_for(void **state)
{
    CTX();
    char login[32], xff[64];
    struct tu_http *att = tu_http_new(c->srv.base);
    tu_http_source(att, "127.0.0.4");
    for (int i = 0; i < 10; i++) {
        snprintf(login, sizeof login, "ghost%d", i);
        snprintf(xff, sizeof xff, "10.9.0.%d", i);
        assert_int_equal(sign_in(att, login, "wrong-pass", xff, NULL), 401);
    }
    int wait;
    assert_int_equal(sign_in(att, "nat", NAT_PW, "10.9.9.9", &wait), 429);
    assert_true(wait >= 1 && wait <= 900);
    tu_http_free(att);
    struct tu_http *h = tu_http_new(c->srv.base);
    assert_int_equal(sign_in(h, "nat", NAT_PW, NULL, NULL), 200);
    tu_http_free(h);

    /* Behind the trusted proxy (127.0.0.1), the address it appended last is the client. */
    struct tu_http *px = tu_http_new(c->proxy.base);
    for (int i = 0; i < 10; i++) {
        snprintf(login, sizeof login, "ghost%d", i);
        assert_int_equal(sign_in(px, login, "wrong-pass", "6.6.6.6, 10.8.0.1", NULL), 401);
    }
    assert_int_equal(sign_in(px, "nat", NAT_PW, "10.8.0.1", NULL), 429);
    assert_int_equal(sign_in(px, "nat", NAT_PW, "10.8.0.2", NULL), 200);
    /* A peer that is not the proxy cannot blame another address with the header. */
    struct tu_http *other = tu_http_new(c->proxy.base);
    tu_http_source(other, "127.0.0.6");
    for (int i = 0; i < 10; i++) {
        snprintf(login, sizeof login, "ghost%d", i);
        assert_int_equal(sign_in(other, login, "wrong-pass", "10.8.0.3", NULL), 401);
    }
    assert_int_equal(sign_in(other, "nat", NAT_PW, "10.8.0.3", NULL), 429);
    assert_int_equal(sign_in(px, "nat", NAT_PW, "10.8.0.3", NULL), 200);
    tu_http_free(other);
    tu_http_free(px);
}

/* An attacker failing on purpose slows the login down, but cannot keep its user out: the user's
 * own browser (which signed in before) goes straight in, and anyone else waits at most 60 s. */
static void test_signin_attacker_cannot_lock_out(void **state)
{
    CTX();
    struct tu_http *user = tu_http_new(c->srv.base);
    assert_int_equal(sign_in(user, "victim", VICTIM_PW, NULL, NULL), 200);
    struct tu_http *att = tu_http_new(c->srv.base);
    tu_http_source(att, "127.0.0.7");
    int failed = 0, slowed = 0;
    for (int i = 0; i < 40; i++) {
        int wait = 0;
        long st = sign_in(att, "Victim", "guess-pass", NULL, &wait);
        failed += st == 401;
        if (st == 429) {
            slowed++;
            if (wait < 1 || wait > 60)
                fail_msg("Retry-After %d is not 1..60 s", wait);
        }
    }
    if (failed < 5 || slowed == 0)
        fail_msg("40 guesses: %d failed, %d slowed down", failed, slowed);
    assert_int_equal(sign_in(user, "victim", VICTIM_PW, NULL, NULL), 200);
    struct tu_http *fresh = tu_http_new(c->srv.base);
    tu_http_source(fresh, "127.0.0.8");
    int wait = 0;
    long st = sign_in(fresh, "victim", VICTIM_PW, NULL, &wait);
    if (st == 429 && (wait < 1 || wait > 60))
        fail_msg("a new browser waits %d s (at most 60)", wait);
    tu_http_free(fresh);
    tu_http_free(att);
    tu_http_free(user);
}

/* ---- 9: passwords end sessions ---- */

static long get_status(struct tu_http *h, const char *path)
{
    struct tu_resp r;
    if (tu_request(h, "GET", path, NULL, NULL, &r))
        fail_msg("GET %s: no reply", path);
    long st = r.status;
    tu_resp_free(&r);
    return st;
}

/* Does the audit log hold action on target? */
static int audited(struct ctx *c, const char *action, const char *target)
{
    struct tu_resp r;
    expect(c->admin, "GET", "/api/v1/audit?limit=500", NULL, NULL, 200, &r);
    size_t i;
    json_t *e;
    int found = 0;
    json_array_foreach(json_object_get(r.json, "entries"), i, e)
    {
        const char *a = json_string_value(json_object_get(e, "action"));
        const char *t = json_string_value(json_object_get(e, "target"));
        found |= a && t && strcmp(a, action) == 0 && strcmp(t, target) == 0;
    }
    tu_resp_free(&r);
    return found;
}

static void test_password_change_ends_sessions(void **state)
{
    CTX();
    struct tu_http *a = tu_http_new(c->srv.base), *b = tu_http_new(c->srv.base);
    assert_int_equal(tu_login(a, "pwu", PWU_PW), 200);
    assert_int_equal(tu_login(b, "pwu", PWU_PW), 200);
    struct tu_resp r;
    expect(a, "POST", "/api/v1/me/password",
           "{\"current\":\"" PWU_PW "\",\"password\":\"" PWU_PW2 "\"}", NULL, 204, &r);
    tu_resp_free(&r);
    assert_int_equal(get_status(a, "/api/v1/me"), 200); /* the session that changed it lives */
    assert_int_equal(get_status(b, "/api/v1/me"), 401);
    /* An administrator's reset ends every session of the user, and is audited. */
    expect(c->admin, "PATCH", "/api/v1/users/pwu", "{\"password\":\"" PWU_PW3 "\"}", NULL, 200, &r);
    tu_resp_free(&r);
    assert_int_equal(get_status(a, "/api/v1/me"), 401);
    assert_true(audited(c, "password.reset", "pwu"));
    assert_int_equal(get_status(c->admin, "/api/v1/me"), 200);
    tu_http_free(a);
    tu_http_free(b);
}

/* A stolen session cannot guess the password through /me/password. */
static void test_me_password_limited(void **state)
{
    CTX();
    struct tu_http *h = tu_http_new(c->srv.base);
    assert_int_equal(tu_login(h, "pwu", PWU_PW3), 200);
    struct tu_resp r;
    for (int i = 0; i < 5; i++) {
        expect(h, "POST", "/api/v1/me/password",
               "{\"current\":\"guess-pass-x\",\"password\":\"" PWU_PW2 "\"}", NULL, 403, &r);
        tu_resp_free(&r);
    }
    expect(h, "POST", "/api/v1/me/password",
           "{\"current\":\"" PWU_PW3 "\",\"password\":\"" PWU_PW2 "\"}", NULL, 429, &r);
    char v[32];
    assert_true((int)strtol(header(r.headers, "Retry-After", v, sizeof v), NULL, 10) > 0);
    tu_resp_free(&r);
    tu_http_free(h);
}

/* ---- 10: API keys ---- */

static void test_apikey_revoke(void **state)
{
    CTX();
    struct tu_resp r;
    expect(c->admin, "POST", "/api/v1/apikeys",
           "{\"name\":\"k_rev\",\"scopes\":[\"read\"],\"expires_days\":30}", NULL, 201, &r);
    char key[128], path[64];
    snprintf(key, sizeof key, "%s", json_string_value(json_object_get(r.json, "key")));
    snprintf(path, sizeof path, "/api/v1/apikeys/%lld",
             (long long)json_integer_value(json_object_get(r.json, "id")));
    json_int_t exp = json_integer_value(json_object_get(r.json, "expires_at"));
    assert_true(exp > (json_int_t)time(NULL) + 29 * 86400);
    tu_resp_free(&r);
    struct tu_http *m = tu_http_new(c->srv.base);
    tu_http_bearer(m, key);
    assert_int_equal(get_status(m, "/api/v1/centers"), 200);
    expect(c->admin, "DELETE", path, NULL, NULL, 204, &r);
    tu_resp_free(&r);
    assert_int_equal(get_status(m, "/api/v1/centers"), 401);
    assert_true(audited(c, "apikey.revoke", "k_rev"));
    /* The command line revokes by name, and says so in the audit log too. */
    char *out = cli(c->db, NULL, "apikey", "add", "--name", "k_cli", "--scope", "read", "--expires",
                    "2099-12-31", "--json", NULL);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    snprintf(key, sizeof key, "%s", json_string_value(json_object_get(j, "key")));
    json_decref(j);
    tu_http_bearer(m, key);
    assert_int_equal(get_status(m, "/api/v1/centers"), 200);
    CLI(c->db, NULL, "apikey", "revoke", "k_cli");
    assert_int_equal(get_status(m, "/api/v1/centers"), 401);
    assert_true(audited(c, "apikey.revoke", "k_cli"));
    struct tu_result res;
    TU_IK(&res, c->db, "apikey", "add", "--name", "k_old", "--scope", "read", "--expires",
          "2001-01-01");
    TU_ONE_LINE_EXIT2(&res, "--expires");
    tu_result_free(&res);
    TU_IK(&res, c->db, "apikey", "revoke", "k_none");
    assert_int_not_equal(res.status, 0);
    tu_result_free(&res);
    tu_http_free(m);
}

/* ---- 13: logins, call events, reports ---- */

static void test_login_case_unique(void **state)
{
    CTX();
    struct tu_resp r;
    expect(c->admin, "POST", "/api/v1/users",
           "{\"login\":\"Victim\",\"role\":\"operator\",\"center\":\"TKY\","
           "\"password\":\"other-pass-1\"}",
           NULL, 409, &r);
    tu_resp_free(&r);
    struct tu_result res;
    TU_IK(&res, c->db, "user", "add", "--login", "VICTIM", "--role", "operator", "--center", "TKY");
    assert_int_not_equal(res.status, 0);
    tu_result_free(&res);
    /* Sign-in matches the login exactly: a login of its own (victim's may still be slowed down
     * by the guesses of the tests before, whatever the machine's speed). */
    expect(c->admin, "POST", "/api/v1/users",
           "{\"login\":\"casey\",\"role\":\"operator\",\"center\":\"TKY\","
           "\"password\":\"casey-pass-12\"}",
           NULL, 201, &r);
    tu_resp_free(&r);
    struct tu_http *h = tu_http_new(c->srv.base);
    tu_http_source(h, "127.0.0.9");
    assert_int_equal(sign_in(h, "CASEY", "casey-pass-12", NULL, NULL), 401);
    assert_int_equal(sign_in(h, "casey", "casey-pass-12", NULL, NULL), 200);
    tu_http_free(h);
}

static void test_call_event_unknown_center(void **state)
{
    CTX();
    char *out =
        cli(c->db, NULL, "apikey", "add", "--name", "k_calls", "--scope", "calls", "--json", NULL);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    struct tu_http *m = tu_http_new(c->srv.base);
    tu_http_bearer(m, json_string_value(json_object_get(j, "key")));
    json_decref(j);
    struct tu_resp r;
    expect(m, "POST", "/api/v1/calls/port-c1/events", "{\"type\":\"start\",\"center\":\"NOPE\"}",
           NULL, 422, &r);
    assert_string_equal(err_code(&r), "unknown_center");
    tu_resp_free(&r);
    expect(m, "POST", "/api/v1/calls/port-c2/events", "{\"type\":\"start\",\"center\":\"TKY\"}",
           NULL, 202, &r);
    tu_resp_free(&r);
    expect(m, "POST", "/api/v1/calls/port-c2/events", "{\"type\":\"end\"}", NULL, 202, &r);
    tu_resp_free(&r);
    tu_http_free(m);
}

/* ---- 11 and 13 on the demo data: the answer link, the PDF report ---- */

struct demo {
    int skip;
    char db[512];
    struct tu_server srv; /* --collect-addr-limit 3 --threads 3 --pdf-concurrency 1 */
};

static int demo_setup(void **state, const char *backend)
{
    struct demo *d = calloc(1, sizeof *d);
    *state = d;
    int rc = tu_db_url(backend, "portsdemo", d->db, sizeof d->db);
    if (rc == 1) {
        d->skip = 1;
        return 0;
    }
    if (rc)
        return -1;
    CLI(d->db, NULL, "init", "--demo");
    CLI(d->db, ADMIN_PW "\n", "user", "add", "--login", "boss", "--role", "admin",
        "--password-stdin");
    const char *extra[] = {"--collect-addr-limit", "3", "--threads", "3",
                           "--pdf-concurrency",    "1", NULL};
    return tu_server_start(d->db, &d->srv, extra) ? -1 : 0;
}

static int demo_setup_sqlite(void **state)
{
    return demo_setup(state, "sqlite");
}

static int demo_setup_postgresql(void **state)
{
    return demo_setup(state, "postgresql");
}

static int demo_teardown(void **state)
{
    struct demo *d = *state;
    if (d->srv.pid > 0)
        tu_server_stop(&d->srv);
    free(d);
    return 0;
}

#define DEMO()                                                                                     \
    struct demo *d = *state;                                                                       \
    if (d->skip)                                                                                   \
    skip()

static void open_link(struct tu_http *boss, char *path, size_t pathlen)
{
    struct tu_resp r;
    expect(boss, "POST", "/api/v1/surveys/2026-AUTUMN/centers/TKY/link", "{}", NULL, 201, &r);
    snprintf(path, pathlen, "%s", json_string_value(json_object_get(r.json, "path")));
    tu_resp_free(&r);
}

static long answer(const char *base, const char *src, const char *path)
{
    static const char body[] = "{\"position\":\"OP\",\"answers\":{\"G01\":5,\"O01\":5,\"H01\":4}}";
    struct tu_http *h = tu_http_new(base);
    tu_http_source(h, src);
    struct tu_resp r;
    long st = tu_request(h, "POST", path, body, NULL, &r) ? 0 : r.status;
    if (st)
        tu_resp_free(&r);
    tu_http_free(h);
    return st;
}

static void test_collect_link_limits(void **state)
{
    DEMO();
    struct tu_http *boss = tu_http_new(d->srv.base);
    assert_int_equal(tu_login(boss, "boss", ADMIN_PW), 200);
    char path[200], path2[200];
    open_link(boss, path, sizeof path);
    for (int i = 0; i < 3; i++)
        assert_int_equal(answer(d->srv.base, "127.0.0.11", path), 201);
    assert_int_equal(answer(d->srv.base, "127.0.0.11", path), 429); /* per address */
    assert_int_equal(answer(d->srv.base, "127.0.0.12", path), 201);
    /* Reopening a closed link gives it a new token: the old one is dead for good. */
    struct tu_resp r;
    expect(boss, "DELETE", "/api/v1/surveys/2026-AUTUMN/centers/TKY/link", NULL, NULL, 200, &r);
    tu_resp_free(&r);
    open_link(boss, path2, sizeof path2);
    assert_string_not_equal(path, path2);
    assert_int_equal(answer(d->srv.base, "127.0.0.13", path), 404);
    assert_int_equal(answer(d->srv.base, "127.0.0.13", path2), 201);
    /* Reopening an open link keeps its token. */
    char path3[200];
    open_link(boss, path3, sizeof path3);
    assert_string_equal(path2, path3);
    tu_http_free(boss);
    /* Neither token nor answering address is in the log; the routes are, with {token}. */
    usleep(200000);
    const char *tok1 = path + strlen("/api/v1/collect/"),
               *tok2 = path2 + strlen("/api/v1/collect/");
    assert_int_equal(log_count(&d->srv, tok1), 0);
    assert_int_equal(log_count(&d->srv, tok2), 0);
    assert_int_equal(log_count(&d->srv, "127.0.0.11"), 0);
    assert_true(log_count(&d->srv, "\"POST /api/v1/collect/{token}\" 201") >= 5);
}

struct pdf_job {
    struct tu_http *h;
    long status;
    int retry_after;
};

static void *pdf_main(void *arg)
{
    struct pdf_job *j = arg;
    struct tu_resp r;
    if (tu_request(j->h, "GET", "/api/v1/surveys/2026-AUTUMN/centers/TKY/export?format=pdf", NULL,
                   NULL, &r) == 0) {
        j->status = r.status;
        char v[32];
        j->retry_after = (int)strtol(header(r.headers, "Retry-After", v, sizeof v), NULL, 10);
        tu_resp_free(&r);
    }
    return NULL;
}

/* Four PDF reports asked at once with room for one: the others are told to come back (503 with
 * Retry-After), and health answers all along. */
static void test_pdf_concurrency(void **state)
{
    DEMO();
    enum { N = 4 };
    struct pdf_job jobs[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (struct pdf_job){.h = tu_http_new(d->srv.base)};
        assert_int_equal(tu_login(jobs[i].h, "boss", ADMIN_PW), 200);
    }
    for (int i = 0; i < N; i++)
        pthread_create(&th[i], NULL, pdf_main, &jobs[i]);
    health_answers(d->srv.base);
    int ok = 0, busy = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ok += jobs[i].status == 200;
        if (jobs[i].status == 503) {
            busy++;
            assert_true(jobs[i].retry_after > 0);
        }
        tu_http_free(jobs[i].h);
    }
    if (ok < 1 || busy < 1 || ok + busy != N)
        fail_msg("%d PDF reports at once: %d made, %d told to wait", N, ok, busy);
}

/* ---- 14: zip bombs and entity tricks through the import ---- */

/* Writes an XLSX of the three parts (sheet of sheet_len bytes, deflated) to path. */
static void write_xlsx(const char *path, const char *workbook, const char *sheet, size_t sheet_len)
{
    static const char rels[] = "<?xml version=\"1.0\"?><Relationships><Relationship Id=\"rId1\" "
                               "Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                               "</Relationships>";
    int zerr;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    assert_non_null(z);
    const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                           "xl/worksheets/sheet1.xml"};
    const char *texts[] = {workbook, rels, sheet};
    size_t lens[] = {strlen(workbook), strlen(rels), sheet_len};
    for (int i = 0; i < 3; i++) {
        zip_source_t *src = zip_source_buffer(z, texts[i], lens[i], 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, names[i], src, 0) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
}

/* Runs `ikiiki survey import --wave W1 --center TKY --format forms FILE`; the exit status, the
 * first line of stderr and the child's peak resident memory in KiB. */
static int import_file(const char *db, const char *file, char *err, size_t errlen, long *maxrss_kb)
{
    char log[600];
    snprintf(log, sizeof log, "%s.err", file);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *e = freopen(log, "w", stderr);
        (void)e;
        execl(tu_bin(), tu_bin(), "survey", "import", "--wave", "W1", "--center", "TKY", "--format",
              "forms", file, "--db", db, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    struct rusage ru;
    assert_int_equal(wait4(pid, &st, 0, &ru), pid);
    *maxrss_kb = ru.ru_maxrss;
    char *text = tu_read_file(log, NULL);
    snprintf(err, errlen, "%s", text ? text : "");
    err[strcspn(err, "\n")] = '\0';
    free(text);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_import_bombs(void **state)
{
    CTX();
    CLI(c->db, NULL, "survey", "wave", "add", "--code", "W1");
    static const char wb[] = "<?xml version=\"1.0\"?><workbook xmlns:r=\"urn:r\"><sheets><sheet "
                             "name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    char dir[] = "/tmp/ikiiki-bomb-XXXXXX", path[600], err[600];
    assert_non_null(mkdtemp(dir));
    /* 260 MiB of blanks deflate to a few hundred KiB: past the 256 MiB part limit. */
    size_t big = (size_t)260 << 20;
    char *sheet = malloc(big);
    assert_non_null(sheet);
    memset(sheet, ' ', big);
    memcpy(sheet, "<worksheet>", 11);
    snprintf(path, sizeof path, "%s/bomb.xlsx", dir);
    write_xlsx(path, wb, sheet, big);
    free(sheet);
    long rss = 0;
    int st = import_file(c->db, path, err, sizeof err, &rss);
    if (st != 2 || !strstr(err, "larger than 256 MiB uncompressed"))
        fail_msg("zip bomb: exit %d: %s", st, err);
    if (rss > 150 * 1024)
        fail_msg("zip bomb: the import took %ld KiB of memory", rss);
    /* Billion laughs in the sheet, an external entity in the workbook: no DTD at all. */
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
        "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY "
        "d "
        "\"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">]>"
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&e;&e;&e;&e;"
        "</t></is></c></row></sheetData></worksheet>";
    snprintf(path, sizeof path, "%s/laughs.xlsx", dir);
    write_xlsx(path, wb, laughs, strlen(laughs));
    st = import_file(c->db, path, err, sizeof err, &rss);
    if (st != 2 || !strstr(err, "xl/worksheets/sheet1.xml: a document type declaration is not"))
        fail_msg("billion laughs: exit %d: %s", st, err);
    static const char xxe[] = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY x SYSTEM "
                              "\"file:///etc/passwd\">]><workbook>&x;</workbook>";
    snprintf(path, sizeof path, "%s/xxe.xlsx", dir);
    write_xlsx(path, xxe, "<worksheet/>", 12);
    st = import_file(c->db, path, err, sizeof err, &rss);
    if (st != 2 || !strstr(err, "xl/workbook.xml: a document type declaration is not allowed") ||
        strstr(err, "root:"))
        fail_msg("external entity: exit %d: %s", st, err);
    /* Nothing was written. */
    struct tu_result res;
    TU_IK(&res, c->db, "survey", "responses", "--wave", "W1", "--json");
    json_t *resp = json_loads(res.out, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(resp, "centers")), 0);
    json_decref(resp);
    tu_result_free(&res);
}

#define PORT_TESTS                                                                                 \
    cmocka_unit_test(test_idle_connections_per_address), cmocka_unit_test(test_dripping_headers),  \
        cmocka_unit_test(test_keepalive_survives),                                                 \
        cmocka_unit_test(test_control_characters_in_path),                                         \
        cmocka_unit_test(test_security_headers), cmocka_unit_test(test_signin_shift_start),        \
        cmocka_unit_test(test_signin_forwarded_for),                                               \
        cmocka_unit_test(test_signin_attacker_cannot_lock_out),                                    \
        cmocka_unit_test(test_password_change_ends_sessions),                                      \
        cmocka_unit_test(test_me_password_limited), cmocka_unit_test(test_apikey_revoke),          \
        cmocka_unit_test(test_login_case_unique),                                                  \
        cmocka_unit_test(test_call_event_unknown_center), cmocka_unit_test(test_import_bombs)

int main(void)
{
    const struct CMUnitTest tests[] = {PORT_TESTS};
    int failed = 0;
    failed += cmocka_run_group_tests_name("ports_sqlite", tests, setup_sqlite, teardown);
    failed += cmocka_run_group_tests_name("ports_postgresql", tests, setup_postgresql, teardown);
    const struct CMUnitTest demo[] = {cmocka_unit_test(test_collect_link_limits),
                                      cmocka_unit_test(test_pdf_concurrency)};
    failed +=
        cmocka_run_group_tests_name("ports_demo_sqlite", demo, demo_setup_sqlite, demo_teardown);
    failed += cmocka_run_group_tests_name("ports_demo_postgresql", demo, demo_setup_postgresql,
                                          demo_teardown);
    return failed ? 1 : 0;
}
