/* The Twilio Media Streams-compatible WebSocket against a real `ikiiki serve` over loopback. The
 * client here is written from RFC 6455 (masked client frames, its own frame reader) and Twilio's
 * message list: connected, start (with customParameters), media as base64 µ-law of espeak-ng
 * speech at 20 ms, dtmf, and stop. Checked: the upgrade answer, the announcements as µ-law media
 * messages equal to the prompts, the marks after them, the release by closing with 1000, and
 * refusals (a bad upgrade gets 400, a bad message closes only that stream). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "media/mediaws.h"
#include "media_testutil.h"

static char tmp[256], prompts[300];
static int16_t *calm;
static size_t ncalm;

struct ws {
    int fd;
    uint8_t buf[1 << 17];
    size_t len;
    int16_t *pcm;
    size_t npcm, cap;
    char marks[8][64];
    int nmarks, closed, close_code, eof, clears;
};

static void ws_send(struct ws *w, int opcode, const void *p, size_t n)
{
    uint8_t h[14];
    size_t hl = 0;
    h[hl++] = (uint8_t)(0x80 | opcode);
    if (n < 126) {
        h[hl++] = (uint8_t)(0x80 | n);
    } else {
        h[hl++] = 0x80 | 126;
        h[hl++] = (uint8_t)(n >> 8);
        h[hl++] = (uint8_t)n;
    }
    uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
    memcpy(h + hl, mask, 4);
    hl += 4;
    uint8_t *f = malloc(hl + n);
    memcpy(f, h, hl);
    for (size_t i = 0; i < n; i++)
        f[hl + i] = ((const uint8_t *)p)[i] ^ mask[i % 4];
    /* Sent in two pieces to make the server reassemble. */
    size_t cut = (hl + n) / 3;
    assert_int_equal(mt_send_all(w->fd, f, cut), 0);
    assert_int_equal(mt_send_all(w->fd, f + cut, hl + n - cut), 0);
    free(f);
}

static void ws_text(struct ws *w, const char *s)
{
    ws_send(w, 1, s, strlen(s));
}

static void on_text(struct ws *w, const char *s, size_t n)
{
    json_t *o = json_loadb(s, n, 0, NULL);
    assert_non_null(o);
    const char *ev = json_string_value(json_object_get(o, "event"));
    assert_string_equal(json_string_value(json_object_get(o, "streamSid")), "MZ7");
    if (strcmp(ev, "media") == 0) {
        const char *b64 =
            json_string_value(json_object_get(json_object_get(o, "media"), "payload"));
        uint8_t u[400];
        size_t k = 0;
        assert_int_equal(sodium_base642bin(u, sizeof u, b64, strlen(b64), NULL, &k, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_int_equal(k, 160);
        if (w->npcm + k > w->cap) {
            w->cap = w->cap ? 2 * w->cap : 8000;
            w->pcm = realloc(w->pcm, w->cap * sizeof *w->pcm);
        }
        for (size_t i = 0; i < k; i++)
            w->pcm[w->npcm++] = mulaw_decode(u[i]);
    } else if (strcmp(ev, "mark") == 0) {
        const char *name = json_string_value(json_object_get(json_object_get(o, "mark"), "name"));
        assert_true(w->nmarks < 8);
        snprintf(w->marks[w->nmarks++], 64, "%s", name);
    } else if (strcmp(ev, "clear") == 0) {
        w->clears++;
    } else {
        fail_msg("unexpected event %s", ev);
    }
    json_decref(o);
}

/* Reads server frames (unmasked) within timeout_ms. */
static void ws_poll(struct ws *w, int timeout_ms)
{
    struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
    while (!w->eof && poll(&pfd, 1, timeout_ms) > 0) {
        ssize_t k = recv(w->fd, w->buf + w->len, sizeof w->buf - w->len, 0);
        if (k <= 0) {
            w->eof = 1;
            break;
        }
        w->len += (size_t)k;
        timeout_ms = 0;
        size_t off = 0;
        for (;;) {
            if (w->len - off < 2)
                break;
            uint8_t b0 = w->buf[off], b1 = w->buf[off + 1];
            assert_int_equal(b1 & 0x80, 0); /* servers do not mask */
            size_t n = b1 & 0x7f, hl = 2;
            if (n == 126) {
                if (w->len - off < 4)
                    break;
                n = (size_t)w->buf[off + 2] << 8 | w->buf[off + 3];
                hl = 4;
            }
            if (w->len - off < hl + n)
                break;
            const uint8_t *p = w->buf + off + hl;
            if ((b0 & 0x0f) == 1)
                on_text(w, (const char *)p, n);
            else if ((b0 & 0x0f) == 8) {
                w->closed = 1;
                w->close_code = n >= 2 ? p[0] << 8 | p[1] : 0;
            }
            off += hl + n;
        }
        memmove(w->buf, w->buf + off, w->len - off);
        w->len -= off;
    }
}

/* Reads until the server closes or timeout_ms pass (a loaded machine may take its time). */
static void ws_wait_eof(struct ws *w, int timeout_ms)
{
    uint64_t end = mt_now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (!w->eof && mt_now_ns() < end)
        ws_poll(w, 50);
}

static int ws_open(struct ws *w, unsigned port, const char *extra_header, char *answer,
                   size_t anslen)
{
    memset(w, 0, sizeof *w);
    w->fd = mt_connect(port);
    if (w->fd < 0)
        return -1;
    char req[600];
    snprintf(req, sizeof req,
             "GET /media HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\n%sSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
             extra_header);
    mt_send_all(w->fd, req, strlen(req));
    size_t got = 0;
    struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
    while (got < anslen - 1 && poll(&pfd, 1, 2000) > 0) {
        ssize_t k = recv(w->fd, answer + got, 1, 0);
        if (k <= 0)
            break;
        got++;
        answer[got] = '\0';
        if (got >= 4 && memcmp(answer + got - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    answer[got] = '\0';
    return 0;
}

static void ws_free(struct ws *w)
{
    free(w->pcm);
    close(w->fd);
}

static void send_media(struct ws *w, const int16_t *pcm)
{
    uint8_t u[160];
    for (int i = 0; i < 160; i++)
        u[i] = mulaw_encode(pcm[i]);
    char b64[300], msg[600];
    sodium_bin2base64(b64, sizeof b64, u, sizeof u, sodium_base64_VARIANT_ORIGINAL);
    snprintf(msg, sizeof msg,
             "{\"event\":\"media\",\"sequenceNumber\":\"3\",\"streamSid\":\"MZ7\",\"media\":"
             "{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"20\",\"payload\":\"%s\"}}",
             b64);
    ws_text(w, msg);
}

static const char start_msg[] =
    "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"accountSid\":\"AC1\","
    "\"streamSid\":\"MZ7\",\"callSid\":\"CA7\",\"tracks\":[\"inbound\"],\"customParameters\":"
    "{\"call_id\":\"tw-%d\"},\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,"
    "\"channels\":1}},\"streamSid\":\"MZ7\"}";

static unsigned start_server(struct tu_server *srv)
{
    char url[512];
    snprintf(url, sizeof url, "sqlite:%s/ws.db", tmp);
    const char *init[] = {"init", NULL};
    struct tu_result res;
    tu_ikiiki(url, init, NULL, &res);
    tu_result_free(&res);
    const char *extra[] = {"--media-ws",     "127.0.0.1:0",  "--prompts", prompts,
                           "--voicebot-all", "--guard-mode", "advisory",  NULL};
    assert_int_equal(tu_server_start(url, srv, extra), 0);
    unsigned port = mt_port(srv, "websocket");
    assert_true(port > 0);
    return port;
}

/* Notice and menu come back as µ-law equal to the prompts, each followed by its mark; DTMF 3
 * picks "contract_billing" and the server closes the stream with 1000 (the TwiML goes on). A
 * second stream with a broken message is closed alone. */
static void voicebot_over_websocket(void **state)
{
    (void)state;
    struct tu_server srv;
    unsigned port = start_server(&srv);
    struct ws w, bad;
    char ans[1024];
    assert_int_equal(ws_open(&w, port, "Sec-WebSocket-Version: 13\r\n", ans, sizeof ans), 0);
    assert_non_null(strstr(ans, "HTTP/1.1 101 "));
    assert_non_null(strstr(ans, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert_int_equal(ws_open(&bad, port, "Sec-WebSocket-Version: 13\r\n", ans, sizeof ans), 0);
    assert_non_null(strstr(ans, "HTTP/1.1 101 "));

    ws_text(&w, "{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
    char msg[600];
    snprintf(msg, sizeof msg, start_msg, 1);
    ws_text(&w, msg);
    snprintf(msg, sizeof msg, start_msg, 2);
    ws_text(&bad, "{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
    ws_text(&bad, msg);

    size_t nn = 0, nm = 0;
    int16_t *notice = mt_prompt_frames(prompts, "recording_notice", &nn);
    int16_t *menu = mt_prompt_frames(prompts, "voicebot_menu", &nm);
    size_t frames = (nn + nm) / 160 + 40;
    uint64_t t0 = mt_now_ns();
    for (size_t i = 0; i < frames; i++) {
        send_media(&w, calm + (i * 160) % (ncalm - 160));
        if (i == 10)
            ws_text(&bad, "{\"event\":\"media\",\"media\":{\"payload\":\"not base64!\"}}");
        mt_sleep_until(t0 + (i + 1) * 20000000ull);
        ws_poll(&w, 0);
        ws_poll(&bad, 0);
    }
    ws_wait_eof(&bad, 5000);
    assert_true(bad.eof);
    /* A loaded machine may still be sending the last prompt frames. */
    uint64_t until = mt_now_ns() + 5000000000ull;
    while (!w.eof && w.nmarks < 2 && mt_now_ns() < until)
        ws_poll(&w, 50);
    assert_false(w.eof);
    /* The prompts as the line carries them: µ-law of the 8 kHz samples. */
    assert_int_equal(w.npcm, nn + nm);
    for (size_t i = 0; i < nn; i++)
        assert_int_equal(w.pcm[i], mulaw_decode(mulaw_encode(notice[i])));
    for (size_t i = 0; i < nm; i++)
        assert_int_equal(w.pcm[nn + i], mulaw_decode(mulaw_encode(menu[i])));
    assert_int_equal(w.nmarks, 2);
    assert_string_equal(w.marks[0], "recording_notice");
    assert_string_equal(w.marks[1], "voicebot_menu");

    ws_text(&w, "{\"event\":\"dtmf\",\"streamSid\":\"MZ7\",\"sequenceNumber\":\"9\","
                "\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"3\"}}");
    ws_wait_eof(&w, 5000);
    assert_true(w.closed);
    assert_int_equal(w.close_code, 1000);
    ws_free(&w);
    ws_free(&bad);
    assert_int_equal(tu_server_stop(&srv), 0);
    assert_true(mt_log_has(&srv, "media: call tw-1: voicebot_purpose 0 "
                                 "{\"purpose\":\"contract_billing\",\"digit\":\"3\"}"));
    assert_true(mt_log_has(&srv, "media: payload is not base64"));
    assert_true(mt_log_has(&srv, "media: stopped: calls 2,"));
    free(notice);
    free(menu);
}

/* Upgrade requests that are not WebSocket version 13 get 400 and the connection is closed. */
static void bad_upgrade_gets_400(void **state)
{
    (void)state;
    struct tu_server srv;
    unsigned port = start_server(&srv);
    struct ws w;
    char ans[1024];
    assert_int_equal(ws_open(&w, port, "Sec-WebSocket-Version: 8\r\n", ans, sizeof ans), 0);
    assert_non_null(strstr(ans, "HTTP/1.1 400 "));
    ws_wait_eof(&w, 5000);
    assert_true(w.eof);
    ws_free(&w);
    assert_true(tu_server_alive(&srv));
    assert_int_equal(tu_server_stop(&srv), 0);
    assert_true(mt_log_has(&srv, "websocket: Sec-WebSocket-Version is not 13"));
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/ikiiki-mws-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    snprintf(prompts, sizeof prompts, "%s/prompts", tmp);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", prompts);
    if (mt_sh(cmd) || mt_prompts(prompts))
        return -1;
    calm = mt_speech(tmp, "calm", "もしもし、けいやくの、りょうきんについて、ききたいのですが",
                     "gain -n -12", &ncalm);
    return calm && ncalm > 8000 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(calm);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    return getenv("IKIIKI_TEST_KEEP") ? 0 : mt_sh(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(voicebot_over_websocket),
        cmocka_unit_test(bad_upgrade_gets_400),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
