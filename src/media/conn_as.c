/* AudioSocket connections: Asterisk connects, names the call with a UUID frame, streams 8 kHz
 * (or higher-rate) signed linear audio and DTMF; we answer with paced audio, silence while idle,
 * and 00 00 00 to hang up. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "media/net_int.h"

static int on_frame(void *ud, const struct as_frame *f)
{
    struct conn *c = ud;
    switch (f->kind) {
    case AS_UUID: {
        char id[37];
        as_uuid_text(f->payload, id);
        struct media_call_info info = {"audiosocket", "", "", ""};
        return media__call_start(c, id, &info);
    }
    case AS_DTMF:
        if (!strchr("0123456789*#ABCD", f->payload[0]) || f->payload[0] == '\0') {
            media__protocol_error(c, "dtmf digit is not 0-9 * # A-D");
            return -1;
        }
        media__dtmf_in(c, (char)f->payload[0]);
        return c->closing;
    case AS_HANGUP:
        media__close(c, "Asterisk hung up");
        return -1;
    case AS_ERROR: {
        char what[64];
        snprintf(what, sizeof what, "Asterisk reported error %u",
                 f->len ? (unsigned)f->payload[0] : 0u);
        media__protocol_error(c, what);
        return -1;
    }
    default: {
        /* Audio: little-endian on the wire; convert in place into an aligned buffer. */
        int16_t pcm[512];
        size_t n = f->len / 2;
        for (size_t off = 0; off < n && !c->closing; off += 512) {
            size_t k = n - off < 512 ? n - off : 512;
            for (size_t i = 0; i < k; i++)
                pcm[i] = (int16_t)(f->payload[2 * (off + i)] |
                                   (uint16_t)f->payload[2 * (off + i) + 1] << 8);
            media__audio_in(c, pcm, k, f->rate);
        }
        return c->closing;
    }
    }
}

void media__as_read(struct conn *c, const uint8_t *data, size_t len)
{
    char err[200];
    int rc = as_parse(&c->asp, data, len, on_frame, c, err, sizeof err);
    if (rc == AS_EPROTO)
        media__protocol_error(c, err);
    else if (rc == AS_ENOMEM)
        media__close(c, "out of memory");
}

static int as_send_audio(struct conn *c, const int16_t *pcm)
{
    if (media__backlog(c) > MEDIA_OUT_BACKLOG)
        return -1;
    uint8_t out[AS_HDR_LEN + 2 * MEDIA_FRAME];
    size_t n = as_write_audio(out, pcm, MEDIA_FRAME);
    return media__write(c, out, n);
}

/* Asterisk's AudioSocket expects audio back all the time; silence keeps the channel fed. */
static void as_idle(struct conn *c)
{
    static const int16_t silence[MEDIA_FRAME];
    if (as_send_audio(c, silence) < 0 && !c->closing)
        return;
}

static void as_finish(struct conn *c, enum finish_how how)
{
    uint8_t h[AS_HDR_LEN];
    (void)how; /* both end and release are a hangup: the dialplan decides what follows */
    if (media__write(c, h, as_write_hangup(h)) == 0)
        media__shutdown(c);
}

const struct conn_ops media__as_ops = {
    .send_audio = as_send_audio,
    .idle = as_idle,
    .played = NULL,
    .clear = NULL,
    .finish = as_finish,
};
