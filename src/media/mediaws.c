/* Twilio Media Streams messages and the WebSocket upgrade; see mediaws.h. */
#include "mediaws.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/sha1.h"
#include "core/util.h"

static int failf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return MWS_EPROTO;
}

/* ---- HTTP upgrade ---- */

/* Finds the end of the header block; returns its length including the blank line, or 0. */
static size_t header_end(const char *req, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (req[i] == '\n' && req[i - 1] == '\r' && req[i - 2] == '\n' && req[i - 3] == '\r')
            return i + 1;
    return 0;
}

/* 1 when the comma-separated header value holds token (case-insensitive). */
static int has_token(const char *v, size_t vlen, const char *token)
{
    size_t tl = strlen(token), i = 0;
    while (i < vlen) {
        while (i < vlen && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < vlen && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
            return 1;
    }
    return 0;
}

struct upgrade_seen {
    int upgrade, connection, version;
};

static int upgrade_header(const char *name, size_t nlen, const char *v, size_t vlen,
                          struct mws_upgrade *out, struct upgrade_seen *seen, char *err,
                          size_t errlen)
{
#define IS(h) (nlen == sizeof(h) - 1 && strncasecmp(name, h, nlen) == 0)
    if (IS("Upgrade"))
        seen->upgrade |= has_token(v, vlen, "websocket");
    else if (IS("Connection"))
        seen->connection |= has_token(v, vlen, "upgrade");
    else if (IS("Sec-WebSocket-Version"))
        seen->version = vlen == 2 && memcmp(v, "13", 2) == 0;
    else if (IS("Sec-WebSocket-Key")) {
        unsigned char raw[32];
        size_t rawlen = 0;
        if (vlen >= sizeof out->key ||
            sodium_base642bin(raw, sizeof raw, v, vlen, NULL, &rawlen, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            rawlen != 16)
            return failf(err, errlen,
                         "websocket: Sec-WebSocket-Key \"%.*s\" is not 16 bytes of base64",
                         (int)(vlen > 40 ? 40 : vlen), v);
        memcpy(out->key, v, vlen);
        out->key[vlen] = '\0';
    }
#undef IS
    return 0;
}

int mws_upgrade_parse(const char *req, size_t len, struct mws_upgrade *out, char *err,
                      size_t errlen)
{
    size_t end = header_end(req, len < MWS_MAX_REQUEST ? len : MWS_MAX_REQUEST);
    if (!end)
        return len >= MWS_MAX_REQUEST
                   ? failf(err, errlen, "websocket: request headers longer than %d bytes",
                           MWS_MAX_REQUEST)
                   : 1;
    struct mws_upgrade u;
    memset(&u, 0, sizeof u);
    u.consumed = end;
    const char *line = req, *stop = req + end - 2;
    const char *eol = memchr(line, '\r', (size_t)(stop - line));
    if (!eol)
        return failf(err, errlen, "websocket: no request line");
    /* Request line: GET SP path SP HTTP/1.1 */
    const char *sp1 = memchr(line, ' ', (size_t)(eol - line));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || (size_t)(sp1 - line) != 3 || memcmp(line, "GET", 3) != 0)
        return failf(err, errlen, "websocket: request line \"%.*s\" is not a GET",
                     (int)(eol - line > 60 ? 60 : eol - line), line);
    size_t plen = (size_t)(sp2 - sp1 - 1);
    if (plen == 0 || plen >= sizeof u.path || sp1[1] != '/' || (size_t)(eol - sp2 - 1) != 8 ||
        memcmp(sp2 + 1, "HTTP/1.1", 8) != 0)
        return failf(err, errlen, "websocket: request line \"%.*s\" is not GET /path HTTP/1.1",
                     (int)(eol - line > 60 ? 60 : eol - line), line);
    memcpy(u.path, sp1 + 1, plen);
    struct upgrade_seen seen = {0, 0, 0};
    for (line = eol + 2; line < stop; line = eol + 2) {
        eol = memchr(line, '\r', (size_t)(stop - line));
        if (!eol || eol[1] != '\n')
            return failf(err, errlen, "websocket: header line without CRLF");
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (!colon || colon == line)
            return failf(err, errlen, "websocket: header line \"%.*s\" has no name",
                         (int)(eol - line > 60 ? 60 : eol - line), line);
        const char *v = colon + 1, *ve = eol;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        int rc = upgrade_header(line, (size_t)(colon - line), v, (size_t)(ve - v), &u, &seen, err,
                                errlen);
        if (rc)
            return rc;
    }
    if (!seen.upgrade)
        return failf(err, errlen, "websocket: no \"Upgrade: websocket\" header");
    if (!seen.connection)
        return failf(err, errlen, "websocket: no \"Connection: upgrade\" header");
    if (!seen.version)
        return failf(err, errlen, "websocket: Sec-WebSocket-Version is not 13");
    if (!u.key[0])
        return failf(err, errlen, "websocket: no Sec-WebSocket-Key header");
    *out = u;
    return 0;
}

void mws_accept_key(const char *key, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    struct sha1_ctx c;
    uint8_t d[SHA1_DIGEST_LEN];
    sha1_init(&c);
    sha1_update(&c, key, strlen(key));
    sha1_update(&c, guid, sizeof guid - 1);
    sha1_final(&c, d);
    sodium_bin2base64(out, 29, d, sizeof d, sodium_base64_VARIANT_ORIGINAL);
}

int mws_upgrade_response(const struct mws_upgrade *u, struct buf *b)
{
    char accept[29];
    mws_accept_key(u->key, accept);
    return buf_printf(b,
                      "HTTP/1.1 101 Switching Protocols\r\n"
                      "Upgrade: websocket\r\n"
                      "Connection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n",
                      accept);
}

/* ---- messages ---- */

/* Copies a string member (when it is a string of fitting length) into out; returns 0 when
 * copied, -1 when absent or unfit. */
static int get_str(json_t *o, const char *name, char *out, size_t outlen)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v) || json_string_length(v) >= outlen ||
        strlen(json_string_value(v)) != json_string_length(v))
        return -1;
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int parse_start(json_t *root, struct mws_msg *m, char *err, size_t errlen)
{
    json_t *st = json_object_get(root, "start");
    if (!json_is_object(st))
        return failf(err, errlen, "media: start without a \"start\" object");
    if (get_str(st, "streamSid", m->stream_sid, sizeof m->stream_sid) &&
        get_str(root, "streamSid", m->stream_sid, sizeof m->stream_sid))
        return failf(err, errlen, "media: start without a streamSid");
    if (get_str(st, "callSid", m->call_sid, sizeof m->call_sid))
        return failf(err, errlen, "media: start without a callSid");
    json_t *fmt = json_object_get(st, "mediaFormat");
    if (fmt) {
        json_t *enc = json_object_get(fmt, "encoding"), *rate = json_object_get(fmt, "sampleRate"),
               *ch = json_object_get(fmt, "channels");
        if (!json_is_string(enc) || strcmp(json_string_value(enc), "audio/x-mulaw") != 0 ||
            !json_is_integer(rate) || json_integer_value(rate) != 8000 ||
            (ch && (!json_is_integer(ch) || json_integer_value(ch) != 1)))
            return failf(err, errlen,
                         "media: mediaFormat is not audio/x-mulaw, 8000 Hz, 1 channel");
    }
    json_t *cp = json_object_get(st, "customParameters");
    if (cp && json_is_object(cp)) {
        get_str(cp, "call_id", m->call_id, sizeof m->call_id);
        get_str(cp, "caller", m->caller, sizeof m->caller);
        get_str(cp, "operator", m->operator_name, sizeof m->operator_name);
        get_str(cp, "center", m->center, sizeof m->center);
        get_str(cp, "secret", m->secret, sizeof m->secret);
    }
    if (!m->call_id[0])
        memcpy(m->call_id, m->call_sid, sizeof m->call_id);
    return 0;
}

static int parse_media(json_t *root, struct mws_msg *m, char *err, size_t errlen)
{
    json_t *md = json_object_get(root, "media");
    json_t *pl = json_is_object(md) ? json_object_get(md, "payload") : NULL;
    if (!json_is_string(pl))
        return failf(err, errlen, "media: media without a payload");
    json_t *track = json_object_get(md, "track");
    m->inbound = !json_is_string(track) || strcmp(json_string_value(track), "inbound") == 0;
    size_t n = 0;
    if (json_string_length(pl) > (MWS_MAX_AUDIO + 2) / 3 * 4)
        return failf(err, errlen, "media: payload longer than %d bytes", MWS_MAX_AUDIO);
    if (sodium_base642bin(m->audio, sizeof m->audio, json_string_value(pl), json_string_length(pl),
                          NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return failf(err, errlen, "media: payload is not base64");
    m->naudio = n;
    return 0;
}

static int parse_dtmf(json_t *root, struct mws_msg *m, char *err, size_t errlen)
{
    json_t *d = json_object_get(root, "dtmf");
    char digit[4];
    if (!json_is_object(d) || get_str(d, "digit", digit, sizeof digit) || strlen(digit) != 1 ||
        !strchr("0123456789*#ABCD", digit[0]))
        return failf(err, errlen, "media: dtmf without a digit 0-9, *, #, A-D");
    m->digit = digit[0];
    return 0;
}

static enum mws_event event_of(const char *name)
{
    static const char *const names[] = {"connected", "start", "media", "dtmf", "mark", "stop"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcmp(name, names[i]) == 0)
            return (enum mws_event)i;
    return MWS_OTHER;
}

static int parse_root(json_t *root, struct mws_msg *m, char *err, size_t errlen)
{
    if (!json_is_object(root))
        return failf(err, errlen, "media: message is not a JSON object");
    if (get_str(root, "event", m->event, sizeof m->event))
        return failf(err, errlen, "media: message without an \"event\"");
    m->ev = event_of(m->event);
    if (m->ev != MWS_START)
        get_str(root, "streamSid", m->stream_sid, sizeof m->stream_sid);
    switch (m->ev) {
    case MWS_START:
        return parse_start(root, m, err, errlen);
    case MWS_MEDIA:
        return parse_media(root, m, err, errlen);
    case MWS_DTMF:
        return parse_dtmf(root, m, err, errlen);
    case MWS_MARK: {
        json_t *mk = json_object_get(root, "mark");
        if (!json_is_object(mk) || get_str(mk, "name", m->mark, sizeof m->mark))
            return failf(err, errlen, "media: mark without a name");
        return 0;
    }
    default:
        return 0;
    }
}

int mws_parse(const char *text, size_t len, struct mws_msg *out, char *err, size_t errlen)
{
    if (len > MWS_MAX_MESSAGE)
        return failf(err, errlen, "media: message longer than %d bytes", MWS_MAX_MESSAGE);
    json_error_t je;
    /* Depth is small in these messages; jansson refuses deeper nesting than its own limit. */
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return failf(err, errlen, "media: not JSON at byte %d: %s", je.position, je.text);
    struct mws_msg *m = out;
    m->ev = MWS_OTHER;
    m->event[0] = m->stream_sid[0] = m->call_sid[0] = m->call_id[0] = '\0';
    m->caller[0] = m->operator_name[0] = m->center[0] = m->mark[0] = m->secret[0] = '\0';
    m->naudio = 0;
    m->inbound = 1;
    m->digit = 0;
    int rc = parse_root(root, m, err, errlen);
    json_decref(root);
    return rc;
}

static int append_json(struct buf *b, json_t *o)
{
    if (!o)
        return MWS_ENOMEM;
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        return MWS_ENOMEM;
    int rc = buf_puts(b, s);
    free(s);
    return rc;
}

int mws_media_json(struct buf *b, const char *stream_sid, const uint8_t *ulaw, size_t n)
{
    size_t b64len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char stackbuf[2200];
    char *b64 = b64len <= sizeof stackbuf ? stackbuf : malloc(b64len);
    if (!b64)
        return MWS_ENOMEM;
    sodium_bin2base64(b64, b64len, ulaw, n, sodium_base64_VARIANT_ORIGINAL);
    int rc = append_json(b, json_pack("{s:s, s:s, s:{s:s}}", "event", "media", "streamSid",
                                      stream_sid, "media", "payload", b64));
    if (b64 != stackbuf)
        free(b64);
    return rc;
}

int mws_mark_json(struct buf *b, const char *stream_sid, const char *name)
{
    return append_json(b, json_pack("{s:s, s:s, s:{s:s}}", "event", "mark", "streamSid", stream_sid,
                                    "mark", "name", name));
}

int mws_clear_json(struct buf *b, const char *stream_sid)
{
    return append_json(b, json_pack("{s:s, s:s}", "event", "clear", "streamSid", stream_sid));
}

/* ---- G.711 µ-law (ITU-T G.711, the bias-0x84 formulation) ---- */

int16_t mulaw_decode(uint8_t u)
{
    u = (uint8_t)~u;
    int t = ((u & 0x0f) << 3) + 0x84;
    t <<= (u & 0x70) >> 4;
    return (int16_t)((u & 0x80) ? (0x84 - t) : (t - 0x84));
}

uint8_t mulaw_encode(int16_t pcm)
{
    int v = pcm, sign = 0;
    if (v < 0) {
        v = -v;
        sign = 0x80;
    }
    if (v > 32635)
        v = 32635;
    v += 0x84;
    int exp = 7;
    for (int mask = 0x4000; exp > 0 && !(v & mask); mask >>= 1)
        exp--;
    int mant = (v >> (exp + 3)) & 0x0f;
    return (uint8_t) ~(sign | exp << 4 | mant);
}
