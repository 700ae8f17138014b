/* AudioSocket framing; see audiosocket.h. */
#include "audiosocket.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned as_kind_rate(uint8_t kind)
{
    static const unsigned rates[] = {8000, 12000, 16000, 24000, 32000, 44100, 48000, 96000, 192000};
    if (kind >= AS_AUDIO && kind <= AS_AUDIO_192K)
        return rates[kind - AS_AUDIO];
    return 0;
}

void as_parser_init(struct as_parser *p)
{
    memset(p, 0, sizeof *p);
}

void as_parser_release(struct as_parser *p)
{
    free(p->buf);
    memset(p, 0, sizeof *p);
}

static int fail(struct as_parser *p, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct as_parser *p, char *err, size_t errlen, const char *fmt, ...)
{
    p->failed = 1;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "audiosocket: byte %llu: %s",
             (unsigned long long)(p->offset - p->hdr_len - p->got), what);
    return AS_EPROTO;
}

/* Checks the header once all three bytes are in: is this kind known and its length sensible? */
static int check_header(struct as_parser *p, char *err, size_t errlen)
{
    uint8_t kind = p->hdr[0];
    size_t len = (size_t)p->hdr[1] << 8 | p->hdr[2];
    unsigned rate = as_kind_rate(kind);
    if (rate) {
        size_t max = (size_t)rate / 1000 * AS_MAX_AUDIO_MS * 2;
        if (rate % 1000) /* 44.1 kHz */
            max = (size_t)rate * AS_MAX_AUDIO_MS / 1000 * 2;
        if (len == 0)
            return fail(p, err, errlen, "empty audio frame (kind 0x%02x)", kind);
        if (len % 2)
            return fail(p, err, errlen, "audio frame of odd length %u (kind 0x%02x)", (unsigned)len,
                        kind);
        if (len > max)
            return fail(p, err, errlen, "audio frame of %u bytes is longer than 100 ms at %u Hz",
                        (unsigned)len, rate);
    } else if (kind == AS_UUID) {
        if (len != 16)
            return fail(p, err, errlen, "uuid of %u bytes, not 16", (unsigned)len);
    } else if (kind == AS_DTMF) {
        if (len != 1)
            return fail(p, err, errlen, "dtmf payload of %u bytes, not 1", (unsigned)len);
    } else if (kind == AS_HANGUP || kind == AS_ERROR) {
        if (len > AS_MAX_ERROR)
            return fail(p, err, errlen, "payload of %u bytes for kind 0x%02x", (unsigned)len, kind);
    } else {
        return fail(p, err, errlen, "unknown message kind 0x%02x", kind);
    }
    p->need = len;
    p->got = 0;
    return 0;
}

static int deliver(struct as_parser *p, const uint8_t *payload, as_frame_cb cb, void *ud)
{
    struct as_frame f = {
        .kind = p->hdr[0], .rate = as_kind_rate(p->hdr[0]), .payload = payload, .len = p->need};
    p->hdr_len = 0;
    p->need = 0;
    p->got = 0;
    return cb(ud, &f) ? AS_ESTOP : 0;
}

int as_parse(struct as_parser *p, const uint8_t *data, size_t len, as_frame_cb cb, void *ud,
             char *err, size_t errlen)
{
    if (p->failed) {
        snprintf(err, errlen, "audiosocket: input after a protocol error");
        return AS_EPROTO;
    }
    size_t i = 0;
    while (i < len) {
        if (p->hdr_len < AS_HDR_LEN) {
            p->hdr[p->hdr_len++] = data[i++];
            p->offset++;
            if (p->hdr_len < AS_HDR_LEN)
                continue;
            int rc = check_header(p, err, errlen);
            if (rc)
                return rc;
            if (p->need == 0 && (rc = deliver(p, NULL, cb, ud)))
                return rc;
            continue;
        }
        size_t avail = len - i, want = p->need - p->got;
        if (p->got == 0 && avail >= want) { /* whole payload in this read: no copy */
            i += want;
            p->offset += want;
            int rc = deliver(p, data + i - want, cb, ud);
            if (rc)
                return rc;
            continue;
        }
        if (p->cap < p->need) {
            uint8_t *nb = realloc(p->buf, p->need);
            if (!nb)
                return AS_ENOMEM;
            p->buf = nb;
            p->cap = p->need;
        }
        size_t take = avail < want ? avail : want;
        memcpy(p->buf + p->got, data + i, take);
        p->got += take;
        i += take;
        p->offset += take;
        if (p->got == p->need) {
            int rc = deliver(p, p->buf, cb, ud);
            if (rc)
                return rc;
        }
    }
    return 0;
}

size_t as_write_header(uint8_t *out, uint8_t kind, uint16_t len)
{
    out[0] = kind;
    out[1] = (uint8_t)(len >> 8);
    out[2] = (uint8_t)len;
    return AS_HDR_LEN;
}

size_t as_write_audio(uint8_t *out, const int16_t *pcm, size_t n)
{
    size_t h = as_write_header(out, AS_AUDIO, (uint16_t)(2 * n));
    for (size_t k = 0; k < n; k++) {
        uint16_t s = (uint16_t)pcm[k];
        out[h + 2 * k] = (uint8_t)s;
        out[h + 2 * k + 1] = (uint8_t)(s >> 8);
    }
    return h + 2 * n;
}

size_t as_write_hangup(uint8_t *out)
{
    return as_write_header(out, AS_HANGUP, 0);
}

void as_uuid_text(const uint8_t uuid[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int k = 0; k < 16; k++) {
        if (k == 4 || k == 6 || k == 8 || k == 10)
            out[o++] = '-';
        out[o++] = hex[uuid[k] >> 4];
        out[o++] = hex[uuid[k] & 15];
    }
    out[o] = '\0';
}
