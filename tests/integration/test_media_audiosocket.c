/* AudioSocket against a real `ikiiki serve` over loopback, with a client written here from the
 * protocol (type, 16-bit big-endian length, payload): Japanese speech made by espeak-ng streamed
 * at 20 ms, the UUID and DTMF split byte by byte, malformed frames on other connections; the
 * announcements and the hangup that come back are checked sample by sample, the recording is
 * read back, and in automatic guard mode an abusive transcript posted to the events API ends the
 * call with the warning and closing announcements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "media_testutil.h"

static char tmp[256];
static char prompts[300];
static int16_t *calm, *loud;
static size_t ncalm, nloud;

/* What one connection received. */
struct rx {
    int fd;
    uint8_t buf[1 << 16];
    size_t len;
    int16_t *pcm; /* every audio sample received, in order */
    size_t npcm, cap;
    uint64_t first_sound_ns, last_sound_ns;
    unsigned frames, sound_frames;
    int hangup, eof;
};

static void rx_init(struct rx *r, int fd)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
}

static void rx_free(struct rx *r)
{
    free(r->pcm);
    if (r->fd >= 0)
        close(r->fd);
}

/* Takes the complete frames out of the buffer. */
static void rx_frames(struct rx *r)
{
    size_t off = 0;
    while (r->len - off >= 3) {
        uint8_t kind = r->buf[off];
        size_t len = (size_t)r->buf[off + 1] << 8 | r->buf[off + 2];
        if (r->len - off < 3 + len)
            break;
        const uint8_t *p = r->buf + off + 3;
        if (kind == 0x00) {
            r->hangup = 1;
        } else if (kind == 0x10) {
            assert_int_equal(len, 320); /* 20 ms at 8 kHz */
            if (r->npcm + 160 > r->cap) {
                r->cap = r->cap ? 2 * r->cap : 8000;
                r->pcm = realloc(r->pcm, r->cap * sizeof *r->pcm);
            }
            int sound = 0;
            for (size_t i = 0; i < 160; i++) {
                int16_t s = (int16_t)(p[2 * i] | p[2 * i + 1] << 8);
                r->pcm[r->npcm++] = s;
                sound |= s != 0;
            }
            r->frames++;
            if (sound) {
                uint64_t now = mt_now_ns();
                if (!r->sound_frames)
                    r->first_sound_ns = now;
                r->last_sound_ns = now;
                r->sound_frames++;
            }
        } else {
            fail_msg("server sent frame kind 0x%02x", kind);
        }
        off += 3 + len;
    }
    memmove(r->buf, r->buf + off, r->len - off);
    r->len -= off;
}

/* Reads what arrives within timeout_ms (0: only what is there). */
static void rx_poll(struct rx *r, int timeout_ms)
{
    struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
    while (!r->eof && poll(&pfd, 1, timeout_ms) > 0) {
        ssize_t k = recv(r->fd, r->buf + r->len, sizeof r->buf - r->len, 0);
        if (k <= 0) {
            r->eof = 1;
            break;
        }
        r->len += (size_t)k;
        rx_frames(r);
        timeout_ms = 0;
    }
}

/* Reads until the server closes or timeout_ms pass: keep-alive frames may arrive before the
 * close, and a loaded machine (a sanitizer build, tests in parallel) may take its time. */
static void rx_wait_eof(struct rx *r, int timeout_ms)
{
    uint64_t end = mt_now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (!r->eof && mt_now_ns() < end)
        rx_poll(r, 50);
}

static void send_uuid_bytewise(int fd, const uint8_t uuid[16])
{
    uint8_t f[19] = {0x01, 0x00, 0x10};
    memcpy(f + 3, uuid, 16);
    for (int i = 0; i < 19; i++) {
        assert_int_equal(mt_send_all(fd, f + i, 1), 0);
        usleep(200);
    }
}

static void send_dtmf(int fd, char d)
{
    uint8_t f[4] = {0x03, 0x00, 0x01, (uint8_t)d};
    /* Split in two writes: header, then payload. */
    assert_int_equal(mt_send_all(fd, f, 2), 0);
    usleep(2000);
    assert_int_equal(mt_send_all(fd, f + 2, 2), 0);
}

static void send_audio(int fd, const int16_t *pcm)
{
    uint8_t f[323] = {0x10, 0x01, 0x40};
    for (int i = 0; i < 160; i++) {
        f[3 + 2 * i] = (uint8_t)pcm[i];
        f[4 + 2 * i] = (uint8_t)((uint16_t)pcm[i] >> 8);
    }
    assert_int_equal(mt_send_all(fd, f, sizeof f), 0);
}

/* Streams frames [from, from+count) of speech (looping) at real time, reading meanwhile. Calls
 * at(i) before frame i when given. */
static void stream(struct rx *r, const int16_t *sp, size_t nsp, size_t count,
                   void (*at)(size_t i, void *ud), void *ud)
{
    uint64_t t0 = mt_now_ns();
    for (size_t i = 0; i < count && !r->eof; i++) {
        if (at)
            at(i, ud);
        size_t off = (i * 160) % (nsp - 160);
        send_audio(r->fd, sp + off);
        mt_sleep_until(t0 + (i + 1) * 20000000ull);
        rx_poll(r, 0);
    }
}

static void uuid_of(uint8_t *u, int seed)
{
    for (int i = 0; i < 16; i++)
        u[i] = (uint8_t)(seed * 17 + i * 13);
}

static void uuid_text(const uint8_t *u, char *out)
{
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        o += snprintf(out + o, 3, "%02x", u[i]);
    }
}

static int start(struct tu_server *srv, const char *db, const char *const *extra)
{
    char url[512];
    snprintf(url, sizeof url, "sqlite:%s/%s.db", tmp, db);
    const char *init[] = {"init", NULL};
    struct tu_result res;
    tu_ikiiki(url, init, NULL, &res);
    assert_int_equal(res.status, 0);
    tu_result_free(&res);
    assert_int_equal(tu_server_start(url, srv, extra), 0);
    unsigned port = mt_port(srv, "audiosocket");
    assert_true(port > 0);
    return (int)port;
}

/* The voicebot: notice and menu come back exactly as recorded, paced at 20 ms, silence keeps the
 * line while we think, DTMF 2 chooses "product_repair" and the server hangs up; the call was
 * recorded as Ogg Opus that reads back as the speech we sent. */
static void voicebot_and_recording(void **state)
{
    (void)state;
    char rec[300];
    snprintf(rec, sizeof rec, "%s/rec", tmp);
    const char *extra[] = {
        "--audiosocket", "127.0.0.1:0", "--prompts",    prompts,    "--voicebot-all",
        "--recordings",  rec,           "--guard-mode", "advisory", NULL};
    struct tu_server srv;
    int port = start(&srv, "vb", extra);
    size_t nn = 0, nm = 0;
    int16_t *notice = mt_prompt_frames(prompts, "recording_notice", &nn);
    int16_t *menu = mt_prompt_frames(prompts, "voicebot_menu", &nm);
    assert_non_null(notice);
    assert_non_null(menu);

    struct rx r;
    rx_init(&r, mt_connect((unsigned)port));
    assert_true(r.fd >= 0);
    uint8_t u[16];
    uuid_of(u, 1);
    send_uuid_bytewise(r.fd, u);
    size_t prompt_frames = (nn + nm) / 160;
    stream(&r, calm, ncalm, prompt_frames + 60, NULL, NULL); /* the prompts and 1.2 s more */
    rx_poll(&r, 100);
    assert_false(r.eof);
    /* Exactly the notice, then the menu, then silence. */
    assert_true(r.npcm >= nn + nm + 40 * 160);
    assert_memory_equal(r.pcm, notice, nn * sizeof *notice);
    assert_memory_equal(r.pcm + nn, menu, nm * sizeof *menu);
    for (size_t i = nn + nm; i < r.npcm; i++)
        assert_int_equal(r.pcm[i], 0);
    /* Paced: the prompt frames span their real duration, not a burst. */
    double span_ms = (double)(r.last_sound_ns - r.first_sound_ns) / 1e6;
    double want_ms = (double)(prompt_frames - 1) * 20;
    assert_true(span_ms > want_ms * 0.8);
    assert_true(span_ms < want_ms * 1.2 + 100);

    send_dtmf(r.fd, '2');
    for (int i = 0; i < 250 && !r.eof; i++) { /* up to 5 s */
        static const int16_t quiet[160];
        send_audio(r.fd, quiet);
        rx_poll(&r, 20);
    }
    assert_true(r.hangup);
    assert_true(r.eof);
    rx_free(&r);
    assert_int_equal(tu_server_stop(&srv), 0);
    assert_true(
        mt_log_has(&srv, "voicebot_purpose 0 {\"purpose\":\"product_repair\",\"digit\":\"2\"}"));
    assert_true(mt_log_has(&srv, "dtmf 2 {\"digit\":\"2\"}"));

    /* The recording: one Ogg Opus file holding what we streamed (prompt_frames + 60 frames). */
    char cmd[600], path[600] = "";
    snprintf(cmd, sizeof cmd, "find '%s' -name '*.opus'", rec);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(path, sizeof path, p));
    pclose(p);
    path[strcspn(path, "\n")] = '\0';
    char id[40];
    uuid_text(u, id);
    assert_non_null(strstr(path, id));
    int16_t *back = NULL;
    size_t nback = 0;
    char err[300];
    assert_int_equal(media_wav_load(path, 8000, 0, &back, &nback, NULL, err, sizeof err), 0);
    double sent_s = (double)(prompt_frames + 60) * 0.02, got_s = (double)nback / 8000;
    assert_true(got_s > sent_s - 0.3 && got_s < sent_s + 0.5);
    double e = 0;
    for (size_t i = 0; i < nback; i++)
        e += (double)back[i] * back[i];
    assert_true(e / (double)nback > 10.0); /* speech, not silence */
    free(back);
    free(notice);
    free(menu);
}

/* Broken peers are closed one by one; a good call on the same server keeps its 50 frames a
 * second of keep-alive silence and its audio, and ends cleanly with its own 00 00 00. */
static void malformed_frames_close_only_their_call(void **state)
{
    (void)state;
    const char *extra[] = {"--audiosocket", "127.0.0.1:0", "--prompts", prompts, NULL};
    struct tu_server srv;
    int port = start(&srv, "bad", extra);
    struct rx good;
    rx_init(&good, mt_connect((unsigned)port));
    uint8_t u[16];
    uuid_of(u, 2);
    send_uuid_bytewise(good.fd, u);

    static const uint8_t bad[][3] = {
        {0x42, 0x00, 0x01}, {0x10, 0x00, 0x00}, {0x10, 0xff, 0xfe}, {0x01, 0x00, 0x05}};
    struct rx b[4];
    for (int i = 0; i < 4; i++) {
        rx_init(&b[i], mt_connect((unsigned)port));
        assert_true(b[i].fd >= 0);
    }
    /* A UUID for the third so that the error comes mid-call, not before it. */
    uint8_t u3[16];
    uuid_of(u3, 3);
    send_uuid_bytewise(b[2].fd, u3);
    for (int i = 0; i < 4; i++)
        assert_int_equal(mt_send_all(b[i].fd, bad[i], 3), 0);

    /* A third good call whose frames arrive in odd pieces (7 bytes at a time). */
    struct rx split;
    rx_init(&split, mt_connect((unsigned)port));
    uint8_t us[16];
    uuid_of(us, 4);
    uint8_t hdr[19] = {0x01, 0x00, 0x10};
    memcpy(hdr + 3, us, 16);
    assert_int_equal(mt_send_all(split.fd, hdr, sizeof hdr), 0);

    uint64_t t0 = mt_now_ns();
    for (size_t i = 0; i < 100; i++) { /* 2 s */
        send_audio(good.fd, loud + (i * 160) % (nloud - 160));
        uint8_t f[323] = {0x10, 0x01, 0x40};
        memcpy(f + 3, calm + (i * 160) % (ncalm - 160), 320);
        for (size_t off = 0; off < sizeof f; off += 7)
            mt_send_all(split.fd, f + off, sizeof f - off < 7 ? sizeof f - off : 7);
        mt_sleep_until(t0 + (i + 1) * 20000000ull);
        rx_poll(&good, 0);
        rx_poll(&split, 0);
        for (int k = 0; k < 4; k++)
            rx_poll(&b[k], 0);
    }
    for (int k = 0; k < 4; k++) {
        rx_wait_eof(&b[k], 5000);
        assert_true(b[k].eof);
        assert_false(b[k].hangup);
        rx_free(&b[k]);
    }
    assert_false(good.eof);
    assert_false(split.eof);
    /* The policy's recording notice and keep-alive silence at 20 ms: about 100 frames in 2 s
     * (at least 75 on a loaded machine, never a burst beyond real time). The notice may follow
     * a first silent frame when the guard's play command lands after the first tick. */
    assert_true(good.frames >= 75 && good.frames <= 105);
    size_t nn = 0;
    int16_t *notice = mt_prompt_frames(prompts, "recording_notice", &nn);
    long at = mt_find(good.pcm, good.npcm, notice, nn);
    assert_true(at >= 0 && at <= 2 * 160);
    for (size_t i = 0; i < good.npcm; i++)
        if (i < (size_t)at || i >= (size_t)at + nn)
            assert_int_equal(good.pcm[i], 0);
    free(notice);
    assert_true(split.frames >= 75);
    /* The caller hangs up: the server closes. */
    uint8_t h[3] = {0, 0, 0};
    mt_send_all(good.fd, h, 3);
    rx_wait_eof(&good, 5000);
    assert_true(good.eof);
    rx_free(&good);
    rx_free(&split);
    assert_true(tu_server_alive(&srv));
    assert_int_equal(tu_server_stop(&srv), 0);
    assert_true(mt_log_has(&srv, "unknown message kind 0x42"));
    assert_true(mt_log_has(&srv, "empty audio frame (kind 0x10)"));
    assert_true(mt_log_has(&srv, "is longer than 100 ms at 8000 Hz"));
    assert_true(mt_log_has(&srv, "uuid of 5 bytes, not 16"));
    assert_true(mt_log_has(&srv, "protocol errors 4"));
    /* Both good calls were handed to the analysis: 100 frames each at least. */
    assert_true(mt_log_has(&srv, "media: stopped: calls 3,"));
}

struct guard_script {
    struct tu_http *h;
    char id[40];
    size_t at[3];
};

static void post_utterance(size_t i, void *ud)
{
    struct guard_script *g = ud;
    static const char *const lines[3] = {"ふざけるな、殺すぞ", "お前なんか殺してやるからな",
                                         "ぶっ殺すぞてめえ"};
    for (int k = 0; k < 3; k++)
        if (i == g->at[k]) {
            char path[128], body[256];
            snprintf(path, sizeof path, "/api/v1/calls/%s/events", g->id);
            snprintf(body, sizeof body,
                     "{\"type\":\"utterance\",\"speaker\":\"customer\",\"text\":\"%s\"}", lines[k]);
            struct tu_resp resp;
            assert_int_equal(tu_request(g->h, "POST", path, body, NULL, &resp), 0);
            assert_int_equal(resp.status, 202);
            tu_resp_free(&resp);
        }
}

/* Automatic mode: the call registered by the UUID from the dialplan; a speech recogniser posts
 * three abusive lines; the caller hears the recording notice, the warning, the closing
 * announcement and then 00 00 00. */
static void guard_automatic_ends_the_call(void **state)
{
    (void)state;
    const char *extra[] = {"--audiosocket", "127.0.0.1:0", "--prompts", prompts,
                           "--guard-mode",  "automatic",   NULL};
    struct tu_server srv;
    char url[512];
    snprintf(url, sizeof url, "sqlite:%s/guard.db", tmp);
    const char *init[] = {"init", NULL};
    const char *key[] = {"apikey", "add", "--name", "asr", "--scope", "calls", "--json", NULL};
    struct tu_result res;
    tu_ikiiki(url, init, NULL, &res);
    tu_result_free(&res);
    tu_ikiiki(url, key, NULL, &res);
    assert_int_equal(res.status, 0);
    json_t *k = json_loads(res.out, 0, NULL);
    assert_non_null(k);
    assert_int_equal(tu_server_start(url, &srv, extra), 0);
    unsigned port = mt_port(&srv, "audiosocket");
    struct guard_script g = {.h = tu_http_new(srv.base)};
    tu_http_bearer(g.h, json_string_value(json_object_get(k, "key")));
    size_t nw = 0, nc = 0, nn = 0;
    int16_t *notice = mt_prompt_frames(prompts, "recording_notice", &nn);
    int16_t *warn = mt_prompt_frames(prompts, "warning1", &nw);
    int16_t *closing = mt_prompt_frames(prompts, "closing", &nc);

    struct rx r;
    rx_init(&r, mt_connect(port));
    uint8_t u[16];
    uuid_of(u, 5);
    uuid_text(u, g.id);
    send_uuid_bytewise(r.fd, u);
    g.at[0] = 10;
    g.at[1] = 20;
    g.at[2] = 20 + nn / 160 + nw / 160 + 10; /* after the warning has been said */
    stream(&r, loud, nloud, g.at[2] + nc / 160 + 50, post_utterance, &g);
    rx_wait_eof(&r, 5000);
    assert_true(r.hangup);
    assert_true(r.eof);
    long at_notice = mt_find(r.pcm, r.npcm, notice, nn);
    long at_warn = mt_find(r.pcm, r.npcm, warn, nw);
    long at_close = mt_find(r.pcm, r.npcm, closing, nc);
    assert_int_equal(at_notice, 0);
    assert_true(at_warn >= (long)nn);
    assert_true(at_close > at_warn);
    /* Nothing after the closing announcement but the hangup. */
    assert_int_equal((size_t)at_close + nc, r.npcm);
    rx_free(&r);

    /* It was the engine that asked for the warning, the closing announcement and the end, and
     * the media side that hung up. */
    assert_int_equal(tu_server_stop(&srv), 0);
    char line[160];
    snprintf(line, sizeof line, "guard %s: play warning1", g.id);
    assert_true(mt_log_has(&srv, line));
    snprintf(line, sizeof line, "guard %s: end call", g.id);
    assert_true(mt_log_has(&srv, line));
    snprintf(line, sizeof line, "media: call %s ended (ended by ikiiki)", g.id);
    assert_true(mt_log_has(&srv, line));
    tu_http_free(g.h);
    json_decref(k);
    tu_result_free(&res);
    free(notice);
    free(warn);
    free(closing);
}

/* Speech of one espeak-ng voice variant as 8 kHz raw samples (and the WAV, for enrolment). */
static int16_t *voice(const char *name, const char *variant, const char *kana, size_t *n)
{
    char cmd[4096], wav[400], raw[400];
    snprintf(wav, sizeof wav, "%s/%s.wav", tmp, name);
    snprintf(raw, sizeof raw, "%s/%s.raw", tmp, name);
    snprintf(cmd, sizeof cmd,
             "espeak-ng -v ja+%s -s 150 -w '%s.src.wav' '%s' && sox -V1 '%s.src.wav' -r 8000 -c 1 "
             "-b 16 '%s' && sox -V1 '%s' -e signed-integer -t raw '%s'",
             variant, wav, kana, wav, wav, wav, raw);
    if (mt_sh(cmd))
        return NULL;
    FILE *f = fopen(raw, "rb");
    if (!f)
        return NULL;
    int16_t *pcm = malloc(8000 * 2 * 120);
    *n = pcm ? fread(pcm, 2, 8000 * 120, f) : 0;
    fclose(f);
    return pcm;
}

/* The voiceprint feature of the call on its timeline (GET /api/v1/calls/{id}): its value, and
 * the caller in *caller; -1 when there is none. */
static double timeline_voiceprint(struct tu_http *h, const char *id, char *caller, size_t len)
{
    char path[200];
    snprintf(path, sizeof path, "/api/v1/calls/%s", id);
    struct tu_resp resp;
    assert_int_equal(tu_request(h, "GET", path, NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    json_t *c = json_loads(resp.body, 0, NULL);
    tu_resp_free(&resp);
    assert_non_null(c);
    json_t *tl = json_object_get(c, "timeline");
    if (!tl)
        tl = json_object_get(json_object_get(c, "call"), "timeline");
    assert_true(json_is_array(tl));
    double v = -1;
    size_t i;
    json_t *ev;
    json_array_foreach(tl, i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "kind")) ?: "", "feature") == 0 &&
            strcmp(json_string_value(json_object_get(ev, "name")) ?: "", "voiceprint") == 0) {
            v = json_real_value(json_object_get(ev, "value"));
            snprintf(caller, len, "%s",
                     json_string_value(json_object_get(json_object_get(ev, "detail"), "caller"))
                         ?: "");
        }
    }
    json_decref(c);
    return v;
}

/* A caller enrolled with `ikiiki media voiceprint add` from one recording is recognised live when
 * the same voice says other sentences over AudioSocket: the call's timeline holds the feature
 * "voiceprint" naming them. Another voice on the same server is not matched. */
static void voiceprint_matched_live(void **state)
{
    (void)state;
    char url[512], enrol[400];
    snprintf(url, sizeof url, "sqlite:%s/vp.db", tmp);
    snprintf(enrol, sizeof enrol, "%s/enrol.wav", tmp);
    size_t ne = 0, ns = 0, no = 0;
    int16_t *e = voice("enrol", "m3",
                       "もしもし、せんげつ、こうにゅうした、しなものの、けんで、おでんわしました。"
                       "でんげんをいれても、すぐにとまってしまいます。しゅうりか、こうかんを、"
                       "おねがいできますか。ほしょうきかんは、まだ、のこっているはずです。",
                       &ne);
    int16_t *same = voice("same", "m3",
                          "なんどでんわしても、つながらないのは、どういうことですか。"
                          "たんとうしゃから、れんらくがくると、いわれたのに、まだきていません。"
                          "へんきんのてつづきは、いつおわるのか、おしえてください。",
                          &ns);
    int16_t *other = voice("other", "f2",
                           "なんどでんわしても、つながらないのは、どういうことですか。"
                           "たんとうしゃから、れんらくがくると、いわれたのに、まだきていません。"
                           "へんきんのてつづきは、いつおわるのか、おしえてください。",
                           &no);
    assert_true(e && same && other && ns > 8000 * 6 && no > 8000 * 6);
    struct tu_result res;
    const char *init[] = {"init", "--demo", NULL};
    tu_ikiiki(url, init, NULL, &res);
    assert_int_equal(res.status, 0);
    tu_result_free(&res);
    const char *add[] = {
        "media",    "voiceprint",         "add",           "--caller", "090-5555-0001",
        "--reason", "暴言が続いた発信者", "--approved-by", "admin",    enrol,
        NULL};
    tu_ikiiki(url, add, NULL, &res);
    assert_int_equal(res.status, 0);
    tu_result_free(&res);
    const char *key[] = {"apikey", "add", "--name", "pbx", "--scope", "calls", "--json", NULL};
    tu_ikiiki(url, key, NULL, &res);
    assert_int_equal(res.status, 0);
    json_t *k = json_loads(res.out, 0, NULL);
    tu_result_free(&res);
    assert_non_null(k);

    const char *extra[] = {"--audiosocket", "127.0.0.1:0", "--prompts", prompts,
                           "--guard-mode",  "advisory",    NULL};
    struct tu_server srv;
    assert_int_equal(tu_server_start(url, &srv, extra), 0);
    unsigned port = mt_port(&srv, "audiosocket");
    struct tu_http *h = tu_http_new(srv.base);
    tu_http_bearer(h, json_string_value(json_object_get(k, "key")));
    const int16_t *speech[2] = {same, other};
    size_t nspeech[2] = {ns, no};
    char ids[2][40], caller[2][160];
    double score[2];
    for (int v = 0; v < 2; v++) {
        struct rx r;
        rx_init(&r, mt_connect(port));
        uint8_t u[16];
        uuid_of(u, 20 + v);
        uuid_text(u, ids[v]);
        send_uuid_bytewise(r.fd, u);
        stream(&r, speech[v], nspeech[v], nspeech[v] / 160, NULL, NULL);
        score[v] = timeline_voiceprint(h, ids[v], caller[v], sizeof caller[v]);
        rx_free(&r);
    }
    print_message("voiceprint on the timeline: same voice %.3f (%s), other voice %.3f\n", score[0],
                  caller[0], score[1]);
    assert_true(score[0] >= 0.8);
    assert_string_equal(caller[0], "090-5555-0001");
    assert_true(score[1] < 0);
    assert_int_equal(tu_server_stop(&srv), 0);
    assert_true(mt_log_has(&srv, "media: 1 enrolled voiceprints for live matching"));
    tu_http_free(h);
    json_decref(k);
    free(e);
    free(same);
    free(other);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/ikiiki-mas-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    snprintf(prompts, sizeof prompts, "%s/prompts", tmp);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", prompts);
    if (mt_sh(cmd) || mt_prompts(prompts))
        return -1;
    calm =
        mt_speech(tmp, "calm", "もしもし、ちゅうもんした、しょうひんが、まだ、とどかないのですが",
                  "gain -n -20", &ncalm);
    loud = mt_speech(tmp, "loud", "いいかげんにしろ、はやく、もってこい、どうなってるんだ",
                     "pitch 500 gain -n -1", &nloud);
    return calm && loud && ncalm > 8000 && nloud > 8000 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(calm);
    free(loud);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    return getenv("IKIIKI_TEST_KEEP") ? 0 : mt_sh(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(voicebot_and_recording),
        cmocka_unit_test(malformed_frames_close_only_their_call),
        cmocka_unit_test(guard_automatic_ends_the_call),
        cmocka_unit_test(voiceprint_matched_live),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
