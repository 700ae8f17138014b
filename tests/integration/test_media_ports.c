/* Abuse of the media ports against a real `ikiiki serve` on loopback, on SQLite and on
 * PostgreSQL: a peer not on the allow-list, a connection that names a call and then sends no
 * audio, more connections from one peer than allowed, and a media WebSocket start without the
 * shared secret. Attackers connect from other loopback addresses (127.0.0.2 …). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sys/stat.h>

#include "media_testutil.h"

#define SECRET "media-secret-1"

struct ctx {
    int skip;
    char db[512];
    struct tu_server srv;
    unsigned as_port, ws_port;
    char key[128];
};

static char tmp[256], prompts[300];

static int connect_from(const char *src, unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        connect(fd, (struct sockaddr *)&to, sizeof to)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* 1 when the server closed fd within timeout_ms (whatever it sent before). */
static int closed_within(int fd, int timeout_ms)
{
    uint64_t end = mt_now_ns() + (uint64_t)timeout_ms * 1000000u;
    char buf[8192];
    while (mt_now_ns() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
            return 1;
    }
    return 0;
}

/* Sends the AudioSocket UUID frame naming call id n; writes the UUID's text into text. */
static void send_uuid(int fd, int n, char text[37])
{
    uint8_t f[19] = {0x01, 0x00, 0x10, 0x5e, 0xc0, 0x11, 0x00, 0, 0, 0x40, 0, 0x80, 0};
    f[18] = (uint8_t)n;
    assert_int_equal(mt_send_all(fd, f, sizeof f), 0);
    snprintf(text, 37, "5ec01100-0000-4000-8000-0000000000%02x", (unsigned)n & 0xff);
}

static int ws_open_from(const char *src, unsigned port)
{
    int fd = connect_from(src, port);
    if (fd < 0)
        return -1;
    static const char req[] = "GET /media HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    if (mt_send_all(fd, req, sizeof req - 1))
        return -1;
    char buf[1024];
    size_t n = 0;
    while (n + 1 < sizeof buf && !strstr(buf, "\r\n\r\n")) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t k = recv(fd, buf + n, sizeof buf - 1 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        buf[n] = '\0';
    }
    if (!strstr(buf, " 101 ")) {
        close(fd);
        return -1;
    }
    return fd;
}

static void ws_text(int fd, const char *s)
{
    size_t n = strlen(s);
    uint8_t h[8] = {0x81, 0}, mask[4] = {1, 2, 3, 4};
    size_t hl = 2;
    if (n < 126) {
        h[1] = (uint8_t)(0x80 | n);
    } else {
        h[1] = 0x80 | 126;
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        hl = 4;
    }
    memcpy(h + hl, mask, 4);
    hl += 4;
    uint8_t *f = malloc(hl + n);
    memcpy(f, h, hl);
    for (size_t i = 0; i < n; i++)
        f[hl + i] = (uint8_t)s[i] ^ mask[i % 4];
    assert_int_equal(mt_send_all(fd, f, hl + n), 0);
    free(f);
}

static void ws_start(int fd, const char *call_id, const char *secret)
{
    char msg[1024], sec[128] = "";
    if (secret)
        snprintf(sec, sizeof sec, ",\"secret\":\"%s\"", secret);
    snprintf(msg, sizeof msg,
             "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"accountSid\":\"AC1\","
             "\"streamSid\":\"MZ9\",\"callSid\":\"CA9\",\"tracks\":[\"inbound\"],"
             "\"customParameters\":{\"call_id\":\"%s\"%s},\"mediaFormat\":{\"encoding\":"
             "\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},\"streamSid\":\"MZ9\"}",
             call_id, sec);
    ws_text(fd, msg);
}

/* GET /api/v1/calls/ID with the calls key: the status. */
static long call_status(struct ctx *c, const char *id)
{
    struct tu_http *h = tu_http_new(c->srv.base);
    tu_http_bearer(h, c->key);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/calls/%s", id);
    struct tu_resp r;
    long st = tu_request(h, "GET", path, NULL, NULL, &r) ? 0 : r.status;
    if (st)
        tu_resp_free(&r);
    tu_http_free(h);
    return st;
}

static int setup(void **state, const char *backend)
{
    struct ctx *c = calloc(1, sizeof *c);
    *state = c;
    int rc = tu_db_url(backend, "mports", c->db, sizeof c->db);
    if (rc == 1) {
        c->skip = 1;
        return 0;
    }
    if (rc)
        return -1;
    if (!tmp[0]) {
        snprintf(tmp, sizeof tmp, "/tmp/ikiiki-mports-XXXXXX");
        if (!mkdtemp(tmp))
            return -1;
        snprintf(prompts, sizeof prompts, "%s/prompts", tmp);
        if (mkdir(prompts, 0700) || mt_prompts(prompts)) {
            fprintf(stderr, "cannot make prompts in %s\n", prompts);
            return -1;
        }
    }
    struct tu_result res;
    const char *init[] = {"init", NULL};
    if (tu_ikiiki(c->db, init, NULL, &res) || res.status) {
        fprintf(stderr, "init: %s\n", res.err);
        return -1;
    }
    tu_result_free(&res);
    const char *key[] = {"apikey", "add", "--name", "pbx", "--scope", "calls", "--json", NULL};
    if (tu_ikiiki(c->db, key, NULL, &res) || res.status)
        return -1;
    json_t *j = json_loads(res.out, 0, NULL);
    snprintf(c->key, sizeof c->key, "%s", json_string_value(json_object_get(j, "key")));
    json_decref(j);
    tu_result_free(&res);
    setenv("IKIIKI_MEDIA_SECRET", SECRET, 1);
    const char *extra[] = {"--audiosocket",
                           "127.0.0.1:0",
                           "--media-ws",
                           "127.0.0.1:0",
                           "--prompts",
                           prompts,
                           "--media-allow",
                           "127.0.0.1/32",
                           "--media-per-peer",
                           "3",
                           "--media-idle",
                           "2",
                           "--guard-mode",
                           "advisory",
                           NULL};
    rc = tu_server_start(c->db, &c->srv, extra);
    unsetenv("IKIIKI_MEDIA_SECRET");
    if (rc) {
        fprintf(stderr, "the server did not start (%s)\n", c->srv.errlog);
        return -1;
    }
    c->as_port = mt_port(&c->srv, "audiosocket");
    c->ws_port = mt_port(&c->srv, "websocket");
    return c->as_port && c->ws_port ? 0 : -1;
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
    free(c);
    return 0;
}

#define CTX()                                                                                      \
    struct ctx *c = *state;                                                                        \
    if (c->skip)                                                                                   \
    skip()

/* A peer outside --media-allow is closed at once and never becomes a call. */
static void test_peer_not_allowed(void **state)
{
    CTX();
    char id[37];
    int fd = connect_from("127.0.0.2", c->as_port);
    assert_true(fd >= 0);
    send(fd, "\x01\x00\x10", 3, MSG_NOSIGNAL); /* may already be refused */
    assert_true(closed_within(fd, 5000));
    close(fd);
    snprintf(id, sizeof id, "5ec01100-0000-4000-8000-000000000001");
    fd = connect_from("127.0.0.2", c->ws_port);
    assert_true(fd >= 0);
    assert_true(closed_within(fd, 5000));
    close(fd);
    usleep(200000);
    assert_true(mt_log_has(&c->srv, "127.0.0.2"));
    assert_true(mt_log_has(&c->srv, "not on the allow-list"));
    assert_false(mt_log_has(&c->srv, "over audiosocket from 127.0.0.2"));
    assert_int_equal(call_status(c, id), 404);
}

/* A connection that names a call and then sends no audio is ended after --media-idle (2 s). */
static void test_uuid_only_times_out(void **state)
{
    CTX();
    char id[37];
    int fd = connect_from("127.0.0.1", c->as_port);
    assert_true(fd >= 0);
    send_uuid(fd, 7, id);
    uint64_t t0 = mt_now_ns();
    int closed = closed_within(fd, 15000);
    uint64_t ms = (mt_now_ns() - t0) / 1000000u;
    close(fd);
    if (!closed)
        fail_msg("a call without audio was still open after 15 s (--media-idle 2)");
    assert_true(ms >= 1500);
    char line[128];
    snprintf(line, sizeof line, "call %s ended", id);
    for (int i = 0; i < 50 && !mt_log_has(&c->srv, line); i++)
        usleep(100000);
    assert_true(mt_log_has(&c->srv, line));
    assert_true(mt_log_has(&c->srv, "no audio for 2 s"));
}

/* The fourth connection from one peer (limit 3) is closed at once; once one closes, the peer may
 * connect again. */
static void test_per_peer_limit(void **state)
{
    CTX();
    int fds[4];
    for (int i = 0; i < 4; i++) {
        fds[i] = connect_from("127.0.0.1", c->as_port);
        assert_true(fds[i] >= 0);
        usleep(50000);
    }
    assert_true(closed_within(fds[3], 3000));
    for (int i = 0; i < 3; i++)
        assert_false(closed_within(fds[i], 100));
    close(fds[3]);
    close(fds[0]);
    usleep(300000);
    int again = connect_from("127.0.0.1", c->as_port);
    assert_true(again >= 0);
    assert_false(closed_within(again, 500));
    close(again);
    close(fds[1]);
    close(fds[2]);
    assert_true(mt_log_has(&c->srv, "3 connections from it already"));
}

/* With IKIIKI_MEDIA_SECRET set, a WebSocket start without it is closed before it is a call; with
 * it, the call connects. */
static void test_ws_secret(void **state)
{
    CTX();
    usleep(300000); /* the previous test's connections are gone */
    int fd = ws_open_from("127.0.0.1", c->ws_port);
    assert_true(fd >= 0);
    ws_start(fd, "ws-nosecret", NULL);
    assert_true(closed_within(fd, 5000));
    close(fd);
    fd = ws_open_from("127.0.0.1", c->ws_port);
    assert_true(fd >= 0);
    ws_start(fd, "ws-wrong", "guess");
    assert_true(closed_within(fd, 5000));
    close(fd);
    fd = ws_open_from("127.0.0.1", c->ws_port);
    assert_true(fd >= 0);
    ws_start(fd, "ws-good", SECRET);
    for (int i = 0; i < 50 && !mt_log_has(&c->srv, "call ws-good connected"); i++)
        usleep(100000);
    close(fd);
    assert_true(mt_log_has(&c->srv, "call ws-good connected"));
    assert_false(mt_log_has(&c->srv, "call ws-nosecret connected"));
    assert_false(mt_log_has(&c->srv, "call ws-wrong connected"));
    assert_int_equal(call_status(c, "ws-nosecret"), 404);
}

#define MEDIA_PORT_TESTS                                                                           \
    cmocka_unit_test(test_peer_not_allowed), cmocka_unit_test(test_uuid_only_times_out),           \
        cmocka_unit_test(test_per_peer_limit), cmocka_unit_test(test_ws_secret)

int main(void)
{
    const struct CMUnitTest tests[] = {MEDIA_PORT_TESTS};
    int failed = 0;
    failed += cmocka_run_group_tests_name("media_ports_sqlite", tests, setup_sqlite, teardown);
    failed +=
        cmocka_run_group_tests_name("media_ports_postgresql", tests, setup_postgresql, teardown);
    return failed ? 1 : 0;
}
