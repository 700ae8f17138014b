/* net_int: media transport internals shared by server.c (loop, commands, pacing, voicebot) and the
 * two kinds of connection (conn_as.c, conn_ws.c). Everything here lives on the loop thread unless
 * noted. */
#ifndef IKIIKI_MEDIA_NET_INT_H
#define IKIIKI_MEDIA_NET_INT_H

#include <pthread.h>
#include <speex/speex_resampler.h>
#include <uv.h>
#include <wslay/wslay.h>

#include "core/buf.h"
#include "media/audiosocket.h"
#include "media/media.h"
#include "media/mediaws.h"

#define MEDIA_MAX_PLAY    16          /* prompts queued per call */
#define MEDIA_OUT_BACKLOG (48 * 1024) /* unsent bytes per connection before frames are dropped */
#define MEDIA_DEAD_MS     10000       /* a peer that reads nothing this long is closed */
#define MEDIA_IDLE_MS     30000       /* a connection that never says which call it is */

struct prompt {
    char name[48];
    int16_t *pcm; /* 8 kHz */
    size_t n;
};

struct vb_menu {
    int n;
    char digit[16];
    char code[16][48];
    unsigned timeout_ms; /* silence after the menu before it is said again */
    int max_tries;       /* menu rounds before the call is released with purpose "unknown" */
};

enum vb_state { VB_OFF, VB_NOTICE, VB_MENU, VB_WAIT, VB_DONE };
enum conn_kind { CONN_AS, CONN_WS };
enum finish_how { FINISH_NONE, FINISH_END, FINISH_RELEASE };

struct conn;

/* What differs between AudioSocket and the media WebSocket on the way out. */
struct conn_ops {
    /* Sends MEDIA_FRAME samples; 0, or -1 when the peer's backlog is full (the frame is
     * dropped). */
    int (*send_audio)(struct conn *c, const int16_t *pcm);
    void (*idle)(struct conn *c);                       /* nothing to play this tick */
    void (*played)(struct conn *c, const char *prompt); /* a prompt ended */
    void (*clear)(struct conn *c);                      /* queued prompts were dropped */
    void (*finish)(struct conn *c, enum finish_how how);
};

struct play_item {
    const struct prompt *p;
    size_t pos;
};

struct media_loop;

struct conn {
    struct media_server *m;
    struct media_loop *lp; /* the loop (and thread) that owns this connection */
    const struct conn_ops *ops;
    enum conn_kind kind;
    uv_tcp_t tcp;
    struct conn *prev, *next;
    char peer[64];
    int peer_slot;          /* 1 + the index of this peer's count, 0 when not counted */
    uint64_t last_audio_ms; /* when the call last sent audio (or was named) */
    int closing;            /* uv_close called or about to be */
    int finishing;          /* hangup/close sent, waiting for the write queue */
    uint64_t opened_ms;

    /* The call, once the transport named it. */
    char call_id[MEDIA_ID_MAX];
    int registered;
    void *call_ud;

    /* Inbound audio: assembled into 20 ms frames at 8 kHz. */
    int16_t frame[MEDIA_FRAME];
    size_t nframe;
    SpeexResamplerState *rs;
    unsigned rs_rate;
    uint64_t t_arrival; /* uv_hrtime at the read callback now being handled */
    /* The sender's 20 ms schedule as seen from here: frame k is due at sched_anchor + k * 20 ms,
     * the anchor being the earliest (arrival - k * 20 ms) seen, so a frame that waited in the
     * socket because the loop was busy counts as late. */
    uint64_t sched_anchor, nframes_in;

    /* Outbound: prompts being paced out. */
    struct play_item play[MEDIA_MAX_PLAY];
    int nplay;
    unsigned queued_ms;
    enum finish_how pending_finish; /* after the queue drains */
    int notice_said;                /* the recording notice was queued once already */
    uint64_t backlog_since_ms;      /* 0, or when the peer last stopped reading */

    /* Voicebot */
    enum vb_state vb;
    int vb_tries;
    uint64_t vb_wait_until_ms;

    /* AudioSocket */
    struct as_parser asp;

    /* WebSocket */
    int ws_open;
    struct buf hs; /* the upgrade request until it is complete */
    wslay_event_context_ptr ws;
    const uint8_t *rd;
    size_t rdlen;
    char stream_sid[MWS_ID_MAX];
    int marks;
};

/* Server-side helpers the connection files call. */
int media__write(struct conn *c, const void *data, size_t len);
size_t media__backlog(const struct conn *c);
void media__close(struct conn *c, const char *why);
/* The transport has named its call; 0, or -1 when the id is bad or already live (c is closed).
 */
int media__call_start(struct conn *c, const char *call_id, const struct media_call_info *info);
/* n samples at rate from the caller. */
void media__audio_in(struct conn *c, const int16_t *pcm, size_t n, unsigned rate);
void media__dtmf_in(struct conn *c, char digit);
/* 1 when no WebSocket secret is configured or given is it (compared in constant time). */
int media__ws_secret_ok(const struct conn *c, const char *given);
void media__protocol_error(struct conn *c, const char *err);
/* Shuts the write side down after queued writes, then closes. */
void media__shutdown(struct conn *c);

extern const struct conn_ops media__as_ops, media__ws_ops;
void media__as_read(struct conn *c, const uint8_t *data, size_t len);
void media__ws_read(struct conn *c, const uint8_t *data, size_t len);

#endif
