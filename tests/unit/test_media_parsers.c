/* The pure parts of the media transports: SHA-1 (FIPS 180 vectors), the WebSocket accept key
 * (RFC 6455's example), the incremental AudioSocket parser under every split, its refusals, the
 * Twilio message parser and µ-law. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sha1.h"
#include "media/audiosocket.h"
#include "media/mediaws.h"

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void sha1_vectors(void **state)
{
    (void)state;
    struct {
        const char *in;
        const char *out;
    } v[] = {
        {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    };
    uint8_t d[20];
    char h[41];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        sha1(v[i].in, strlen(v[i].in), d);
        hex(d, 20, h);
        assert_string_equal(h, v[i].out);
    }
    /* One million 'a', fed in uneven pieces. */
    struct sha1_ctx c;
    sha1_init(&c);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    while (left) {
        size_t k = left < sizeof a ? left : (left % 7) + 90;
        sha1_update(&c, a, k);
        left -= k;
    }
    sha1_final(&c, d);
    hex(d, 20, h);
    assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void accept_key_rfc_example(void **state)
{
    (void)state;
    char out[29];
    mws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out);
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

struct got {
    int n;
    uint8_t kind[64];
    size_t len[64];
    uint8_t first[64];
    int stop_at;
};

static int collect(void *ud, const struct as_frame *f)
{
    struct got *g = ud;
    g->kind[g->n] = f->kind;
    g->len[g->n] = f->len;
    g->first[g->n] = f->len ? f->payload[0] : 0;
    g->n++;
    return g->stop_at && g->n == g->stop_at;
}

/* UUID, 20 ms of audio, DTMF '5', a 16 kHz frame, hangup. */
static size_t sample_stream(uint8_t *s)
{
    size_t n = 0;
    n += as_write_header(s + n, AS_UUID, 16);
    for (int i = 0; i < 16; i++)
        s[n++] = (uint8_t)(0xa0 + i);
    int16_t pcm[160];
    for (int i = 0; i < 160; i++)
        pcm[i] = (int16_t)(i * 100 - 8000);
    n += as_write_audio(s + n, pcm, 160);
    n += as_write_header(s + n, AS_DTMF, 1);
    s[n++] = '5';
    n += as_write_header(s + n, 0x12, 640);
    memset(s + n, 7, 640);
    n += 640;
    n += as_write_hangup(s + n);
    return n;
}

static void audiosocket_any_split(void **state)
{
    (void)state;
    uint8_t s[2048];
    size_t n = sample_stream(s);
    /* Every chunk size from one byte to the whole stream gives the same frames. */
    for (size_t chunk = 1; chunk <= n; chunk = chunk < 40 ? chunk + 1 : chunk * 2) {
        struct as_parser p;
        as_parser_init(&p);
        struct got g = {0};
        char err[200];
        for (size_t off = 0; off < n; off += chunk) {
            size_t k = n - off < chunk ? n - off : chunk;
            assert_int_equal(as_parse(&p, s + off, k, collect, &g, err, sizeof err), 0);
        }
        assert_int_equal(g.n, 5);
        assert_int_equal(g.kind[0], AS_UUID);
        assert_int_equal(g.len[0], 16);
        assert_int_equal(g.first[0], 0xa0);
        assert_int_equal(g.kind[1], AS_AUDIO);
        assert_int_equal(g.len[1], 320);
        assert_int_equal(g.first[1], (uint8_t)(-8000 & 0xff)); /* little-endian low byte */
        assert_int_equal(g.kind[2], AS_DTMF);
        assert_int_equal(g.first[2], '5');
        assert_int_equal(g.kind[3], 0x12);
        assert_int_equal(as_kind_rate(0x12), 16000);
        assert_int_equal(g.kind[4], AS_HANGUP);
        as_parser_release(&p);
    }
    char id[37];
    as_uuid_text(s + 3, id);
    assert_string_equal(id, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
}

static void audiosocket_stop_leaves_rest(void **state)
{
    (void)state;
    uint8_t s[2048];
    size_t n = sample_stream(s);
    struct as_parser p;
    as_parser_init(&p);
    struct got g = {.stop_at = 2};
    char err[200];
    assert_int_equal(as_parse(&p, s, n, collect, &g, err, sizeof err), AS_ESTOP);
    assert_int_equal(g.n, 2);
    as_parser_release(&p);
}

static void audiosocket_refusals(void **state)
{
    (void)state;
    struct {
        uint8_t in[8];
        size_t n;
        const char *msg;
    } bad[] = {
        {{0x42, 0, 1, 9}, 4, "audiosocket: byte 0: unknown message kind 0x42"},
        {{0x10, 0, 0}, 3, "audiosocket: byte 0: empty audio frame (kind 0x10)"},
        {{0x10, 0, 3}, 3, "audiosocket: byte 0: audio frame of odd length 3 (kind 0x10)"},
        {{0x10, 0x06, 0x42},
         3,
         "audiosocket: byte 0: audio frame of 1602 bytes is longer than 100 ms at 8000 Hz"},
        {{0x01, 0, 15}, 3, "audiosocket: byte 0: uuid of 15 bytes, not 16"},
        {{0x03, 0, 2}, 3, "audiosocket: byte 0: dtmf payload of 2 bytes, not 1"},
        {{0xff, 0xff, 0xff}, 3, "audiosocket: byte 0: payload of 65535 bytes for kind 0xff"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct as_parser p;
        as_parser_init(&p);
        struct got g = {0};
        char err[200] = "";
        /* Fed one byte at a time: the error comes as soon as the header is complete. */
        int rc = 0;
        for (size_t k = 0; k < bad[i].n && rc == 0; k++)
            rc = as_parse(&p, bad[i].in + k, 1, collect, &g, err, sizeof err);
        assert_int_equal(rc, AS_EPROTO);
        assert_string_equal(err, bad[i].msg);
        assert_int_equal(g.n, 0);
        /* Nothing more is accepted after an error. */
        assert_int_equal(as_parse(&p, bad[i].in, 1, collect, &g, err, sizeof err), AS_EPROTO);
        as_parser_release(&p);
    }
    /* The byte offset counts from the start of the stream. */
    uint8_t s[32];
    size_t n = as_write_header(s, AS_DTMF, 1);
    s[n++] = '1';
    s[n++] = 0x77;
    s[n++] = 0;
    s[n++] = 0;
    struct as_parser p;
    as_parser_init(&p);
    struct got g = {0};
    char err[200];
    assert_int_equal(as_parse(&p, s, n, collect, &g, err, sizeof err), AS_EPROTO);
    assert_string_equal(err, "audiosocket: byte 4: unknown message kind 0x77");
    assert_int_equal(g.n, 1);
    as_parser_release(&p);
}

static void ws_messages(void **state)
{
    (void)state;
    struct mws_msg *m = malloc(sizeof *m);
    char err[200];
    const char *start =
        "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"accountSid\":\"AC1\","
        "\"streamSid\":\"MZ1\",\"callSid\":\"CA9\",\"tracks\":[\"inbound\"],"
        "\"customParameters\":{\"call_id\":\"c-42\",\"caller\":\"0312345678\"},"
        "\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},"
        "\"streamSid\":\"MZ1\"}";
    assert_int_equal(mws_parse(start, strlen(start), m, err, sizeof err), 0);
    assert_int_equal(m->ev, MWS_START);
    assert_string_equal(m->stream_sid, "MZ1");
    assert_string_equal(m->call_sid, "CA9");
    assert_string_equal(m->call_id, "c-42");
    assert_string_equal(m->caller, "0312345678");
    const char *media =
        "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"track\":"
        "\"inbound\",\"chunk\":\"2\",\"timestamp\":\"5\",\"payload\":\"/39/fw==\"}}";
    assert_int_equal(mws_parse(media, strlen(media), m, err, sizeof err), 0);
    assert_int_equal(m->ev, MWS_MEDIA);
    assert_int_equal(m->naudio, 4);
    assert_int_equal(m->audio[0], 0xff);
    assert_int_equal(m->inbound, 1);
    const char *dtmf = "{\"event\":\"dtmf\",\"streamSid\":\"MZ1\",\"dtmf\":{\"track\":"
                       "\"inbound_track\",\"digit\":\"#\"}}";
    assert_int_equal(mws_parse(dtmf, strlen(dtmf), m, err, sizeof err), 0);
    assert_int_equal(m->digit, '#');
    const char *other = "{\"event\":\"somethingNew\",\"x\":1}";
    assert_int_equal(mws_parse(other, strlen(other), m, err, sizeof err), 0);
    assert_int_equal(m->ev, MWS_OTHER);
    struct {
        const char *in, *msg;
    } bad[] = {
        {"[1]", "media: message is not a JSON object"},
        {"{\"x\":1}", "media: message without an \"event\""},
        {"{\"event\":\"media\",\"media\":{\"payload\":\"***\"}}", "media: payload is not base64"},
        {"{\"event\":\"dtmf\",\"dtmf\":{\"digit\":\"x\"}}",
         "media: dtmf without a digit 0-9, *, #, A-D"},
        {"{\"event\":\"start\",\"start\":{\"streamSid\":\"a\",\"callSid\":\"b\",\"mediaFormat\":"
         "{\"encoding\":\"audio/l16\",\"sampleRate\":8000}}}",
         "media: mediaFormat is not audio/x-mulaw, 8000 Hz, 1 channel"},
        {"{\"event\":\"start\",\"start\":{\"streamSid\":\"a\"}}", "media: start without a callSid"},
        {"{\"event\":\"mark\",\"mark\":{}}", "media: mark without a name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mws_parse(bad[i].in, strlen(bad[i].in), m, err, sizeof err), MWS_EPROTO);
        assert_string_equal(err, bad[i].msg);
    }
    struct buf b;
    buf_init(&b, 0);
    uint8_t u[3] = {0xff, 0x7f, 0x00};
    assert_int_equal(mws_media_json(&b, "MZ1", u, 3), 0);
    assert_string_equal(
        b.data, "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"/38A\"}}");
    buf_release(&b);
    free(m);
}

static void ws_upgrade(void **state)
{
    (void)state;
    const char *req = "GET /media HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\n"
                      "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\nXY";
    struct mws_upgrade u;
    char err[200];
    assert_int_equal(mws_upgrade_parse(req, 20, &u, err, sizeof err), 1);
    assert_int_equal(mws_upgrade_parse(req, strlen(req), &u, err, sizeof err), 0);
    assert_string_equal(u.path, "/media");
    assert_int_equal(u.consumed, strlen(req) - 2);
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(mws_upgrade_response(&u, &b), 0);
    assert_non_null(strstr(b.data, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    buf_release(&b);
    const char *nokey = "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: c2hvcnQ=\r\n\r\n";
    assert_int_equal(mws_upgrade_parse(nokey, strlen(nokey), &u, err, sizeof err), MWS_EPROTO);
    assert_string_equal(err, "websocket: Sec-WebSocket-Key \"c2hvcnQ=\" is not 16 bytes of base64");
    const char *post = "POST / HTTP/1.1\r\n\r\n";
    assert_int_equal(mws_upgrade_parse(post, strlen(post), &u, err, sizeof err), MWS_EPROTO);
}

static void mulaw(void **state)
{
    (void)state;
    /* G.711 reference points: 0xff is +0, 0x7f is -0, 0x80 is +32124, 0x00 is -32124. */
    assert_int_equal(mulaw_decode(0xff), 0);
    assert_int_equal(mulaw_decode(0x80), 32124);
    assert_int_equal(mulaw_decode(0x00), -32124);
    assert_int_equal(mulaw_encode(0), 0xff);
    assert_int_equal(mulaw_encode(32767), 0x80);
    assert_int_equal(mulaw_encode(-32768), 0x00);
    /* Every code decodes and re-encodes to itself (except -0, which encodes as +0). */
    for (int u = 0; u < 256; u++)
        if (u != 0x7f)
            assert_int_equal(mulaw_encode(mulaw_decode((uint8_t)u)), u);
    /* Encoding error stays within the segment's step. */
    for (int x = -32000; x <= 32000; x += 37) {
        int y = mulaw_decode(mulaw_encode((int16_t)x));
        int d = abs(y - x), step = abs(x) / 16 + 8;
        assert_true(d <= step);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha1_vectors),
        cmocka_unit_test(accept_key_rfc_example),
        cmocka_unit_test(audiosocket_any_split),
        cmocka_unit_test(audiosocket_stop_leaves_rest),
        cmocka_unit_test(audiosocket_refusals),
        cmocka_unit_test(ws_messages),
        cmocka_unit_test(ws_upgrade),
        cmocka_unit_test(mulaw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
