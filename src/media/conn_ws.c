/* Media WebSocket connections (Twilio Media Streams-compatible): the HTTP upgrade, then wslay
 * framing on top of the loop's reads and writes; JSON messages parsed by mediaws.c. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "media/net_int.h"

static ssize_t ws_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud)
{
    struct conn *c = ud;
    (void)flags;
    if (c->rdlen == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    size_t n = len < c->rdlen ? len : c->rdlen;
    memcpy(buf, c->rd, n);
    c->rd += n;
    c->rdlen -= n;
    return (ssize_t)n;
}

static ssize_t ws_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                       void *ud)
{
    struct conn *c = ud;
    (void)flags;
    if (c->closing || media__write(c, data, len) < 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return (ssize_t)len;
}

static void on_message(struct conn *c, const struct mws_msg *msg)
{
    switch (msg->ev) {
    case MWS_START: {
        if (!media__ws_secret_ok(c, msg->secret)) {
            media__protocol_error(c, "start without the right customParameters.secret");
            break;
        }
        memcpy(c->stream_sid, msg->stream_sid, sizeof c->stream_sid);
        struct media_call_info info = {"twilio", msg->caller, msg->operator_name, msg->center};
        media__call_start(c, msg->call_id, &info);
        break;
    }
    case MWS_MEDIA:
        if (msg->inbound) {
            int16_t pcm[MWS_MAX_AUDIO];
            for (size_t i = 0; i < msg->naudio; i++)
                pcm[i] = mulaw_decode(msg->audio[i]);
            media__audio_in(c, pcm, msg->naudio, MEDIA_RATE);
        }
        break;
    case MWS_DTMF:
        media__dtmf_in(c, msg->digit);
        break;
    case MWS_STOP:
        media__close(c, "the stream stopped");
        break;
    default: /* connected, mark echoes, events of later protocol versions */
        break;
    }
}

static void ws_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                   void *ud)
{
    struct conn *c = ud;
    (void)ctx;
    if (c->closing || arg->opcode != WSLAY_TEXT_FRAME)
        return; /* close and ping are answered by wslay; binary frames are not ours */
    /* Large, so not on the stack; one per thread, as every loop (one per CPU) parses at once. */
    static _Thread_local struct mws_msg msg;
    char err[200];
    if (mws_parse((const char *)arg->msg, arg->msg_length, &msg, err, sizeof err)) {
        media__protocol_error(c, err);
        return;
    }
    on_message(c, &msg);
}

static const struct wslay_event_callbacks ws_callbacks = {
    .recv_callback = ws_recv,
    .send_callback = ws_send,
    .on_msg_recv_callback = ws_msg,
};

static void ws_pump(struct conn *c)
{
    if (c->closing)
        return;
    if (wslay_event_recv(c->ws) != 0 || (!c->closing && wslay_event_send(c->ws) != 0)) {
        media__close(c, "websocket error");
        return;
    }
    if (!c->closing && !wslay_event_want_read(c->ws) && !wslay_event_want_write(c->ws))
        media__close(c, c->pending_finish ? "closed by ikiiki" : "the peer closed the socket");
}

static void bad_request(struct conn *c, const char *err)
{
    static const char resp[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
                               "Content-Length: 0\r\n\r\n";
    log_msg(LOG_WARN, "media: websocket %s: %s", c->peer, err);
    if (media__write(c, resp, sizeof resp - 1) == 0)
        media__shutdown(c);
}

static void handshake(struct conn *c, const uint8_t *data, size_t len)
{
    if (buf_append(&c->hs, data, len)) {
        bad_request(c, "request headers too long");
        return;
    }
    struct mws_upgrade u;
    char err[200];
    int rc = mws_upgrade_parse(c->hs.data, c->hs.len, &u, err, sizeof err);
    if (rc == 1)
        return;
    if (rc) {
        bad_request(c, err);
        return;
    }
    struct buf resp;
    buf_init(&resp, 1024);
    if (mws_upgrade_response(&u, &resp) ||
        wslay_event_context_server_init(&c->ws, &ws_callbacks, c) != 0) {
        buf_release(&resp);
        media__close(c, "out of memory");
        return;
    }
    wslay_event_config_set_max_recv_msg_length(c->ws, MWS_MAX_MESSAGE);
    int wrc = media__write(c, resp.data, resp.len);
    buf_release(&resp);
    if (wrc)
        return;
    c->ws_open = 1;
    size_t extra = c->hs.len - u.consumed;
    if (extra) { /* frames sent right behind the request */
        c->rd = (const uint8_t *)c->hs.data + u.consumed;
        c->rdlen = extra;
        ws_pump(c);
    }
    buf_release(&c->hs);
}

void media__ws_read(struct conn *c, const uint8_t *data, size_t len)
{
    if (!c->ws_open) {
        handshake(c, data, len);
        return;
    }
    if (c->finishing)
        return;
    c->rd = data;
    c->rdlen = len;
    ws_pump(c);
}

static int queue_text(struct conn *c, const struct buf *b)
{
    struct wslay_event_msg msg = {WSLAY_TEXT_FRAME, (const uint8_t *)b->data, b->len};
    if (wslay_event_queue_msg(c->ws, &msg) != 0)
        return -1;
    if (wslay_event_send(c->ws) != 0) {
        media__close(c, "websocket error");
        return -1;
    }
    return 0;
}

static int ws_send_audio(struct conn *c, const int16_t *pcm)
{
    if (!c->ws || media__backlog(c) > MEDIA_OUT_BACKLOG)
        return -1;
    uint8_t u[MEDIA_FRAME];
    for (int i = 0; i < MEDIA_FRAME; i++)
        u[i] = mulaw_encode(pcm[i]);
    struct buf out;
    buf_init(&out, 4096);
    int rc = mws_media_json(&out, c->stream_sid, u, MEDIA_FRAME);
    if (rc == 0)
        rc = queue_text(c, &out);
    buf_release(&out);
    return rc;
}

/* After each announcement a mark, as Twilio applications do, so the far side can tell when the
 * audio before it has been played. */
static void ws_played(struct conn *c, const char *prompt)
{
    if (!c->ws)
        return;
    struct buf out;
    buf_init(&out, 4096);
    char name[MWS_ID_MAX];
    snprintf(name, sizeof name, "%s", prompt);
    if (mws_mark_json(&out, c->stream_sid, name) == 0)
        queue_text(c, &out);
    buf_release(&out);
}

static void ws_clear(struct conn *c)
{
    if (!c->ws)
        return;
    struct buf out;
    buf_init(&out, 4096);
    if (mws_clear_json(&out, c->stream_sid) == 0)
        queue_text(c, &out);
    buf_release(&out);
}

/* Closing the stream ends <Connect><Stream>; the TwiML after it decides what happens next. */
static void ws_finish(struct conn *c, enum finish_how how)
{
    if (!c->ws) {
        media__shutdown(c);
        return;
    }
    const char *why = how == FINISH_RELEASE ? "released" : "ended";
    wslay_event_queue_close(c->ws, 1000, (const uint8_t *)why, strlen(why));
    if (wslay_event_send(c->ws) != 0) {
        media__close(c, "websocket error");
        return;
    }
    media__shutdown(c);
}

const struct conn_ops media__ws_ops = {
    .send_audio = ws_send_audio,
    .idle = NULL,
    .played = ws_played,
    .clear = ws_clear,
    .finish = ws_finish,
};
