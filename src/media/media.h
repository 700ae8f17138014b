/* media: live call audio from the phone system. libuv loops, one per CPU on their own threads,
 * serve the Asterisk AudioSocket (we listen, Asterisk connects) and a Twilio Media
 * Streams-compatible WebSocket; each call lives on one loop, which paces announcements at 20 ms,
 * keeps idle AudioSocket calls alive with silence, runs the voicebot (recording notice, DTMF
 * purpose menu, release to the queue) and takes commands (play, end, voicebot, release) from any
 * thread.
 *
 * A front door like http/: it logs connection errors through core/log and never exits. */
#ifndef IKIIKI_MEDIA_H
#define IKIIKI_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define MEDIA_ID_MAX 64  /* call ids, as in the guard engine */
#define MEDIA_FRAME  160 /* samples in one 20 ms frame at 8 kHz */
#define MEDIA_RATE   8000

enum {
    MEDIA_ENOTFOUND = IK_ENOENT,
    MEDIA_ENOMEM = IK_ENOMEM,
    MEDIA_EINVAL = IK_EINVAL,
    MEDIA_EFULL = IK_ENOSPC
};

struct media_call_info {
    const char *transport;     /* "audiosocket" or "twilio" */
    const char *caller;        /* "" when the transport does not say */
    const char *operator_name; /* "" when unknown */
    const char *center;        /* "" when unknown */
};

/* What the transports tell the rest of ikiiki (the guard engine, the audio analyser and
 * recorder). Every callback runs on the thread of the loop that owns the call and must be quick:
 * it delays every call on that loop. With several loops, callbacks for different calls run at the
 * same time on different threads; those for one call always come from one thread, in order. Any
 * pointer may be NULL. Strings are borrowed for the callback. */
struct media_hooks {
    void *ud;
    /* A call's audio connected. The returned pointer (may be NULL) is this call's state, handed
     * to audio and call_end. */
    void *(*call_start)(void *ud, const char *call_id, const struct media_call_info *info);
    /* 20 ms of the caller's voice: MEDIA_FRAME samples, 8 kHz, host order. */
    void (*audio)(void *ud, void *call, const char *call_id, const int16_t *pcm, size_t n);
    /* A feature for the call's timeline: "dtmf" (value 0–9, 10 = *, 11 = #, 12–15 = A–D),
     * "voicebot_purpose" (detail {"purpose":"…","digit":"…"}), with the guard_feature meaning.
     * detail_json may be NULL. */
    void (*feature)(void *ud, const char *call_id, const char *name, double value,
                    const char *detail_json);
    /* The call's media ended (hangup, release, peer gone, server stop). call is the pointer
     * call_start returned; the hook frees it. */
    void (*call_end)(void *ud, void *call, const char *call_id);
};

struct media_config {
    const char *audiosocket;   /* "ADDR:PORT" to listen on; NULL or "off": none */
    const char *media_ws;      /* "ADDR:PORT" for the media WebSocket; NULL or "off": none */
    const char *prompt_dir;    /* WAV prompts (any rate, mono); NULL: <datadir>/prompts/ja */
    const char *voicebot_file; /* the DTMF purpose menu; NULL: <datadir>/voicebot/ja.json */
    int voicebot_all;          /* 1: every call meets the voicebot first */
    int max_calls;             /* 0: 2000 */
    unsigned max_queue_ms;     /* announcement audio queued per call; 0: 120 000 ms */
    struct media_hooks hooks;
    /* ARI (optional): when ari_url is set, "transfer" commands redirect the call's channel. */
    const char *ari_url; /* e.g. "http://127.0.0.1:8088" */
    const char *ari_user;
    const char *ari_password;
    /* Event loops (threads) the calls are spread over; 0: one per online CPU. */
    int threads;
    /* Who may connect: "CIDR[,CIDR…]" (an address alone is one host); NULL: loopback only
     * (127.0.0.0/8, ::1). Others are closed before they can name a call. */
    const char *allow;
    int max_per_peer;       /* connections from one address; 0: 500 */
    unsigned idle_audio_ms; /* a call that sends no audio this long is ended; 0: 30 000 */
    /* When set, a media WebSocket's start message must carry it as customParameters.secret, or
     * the stream is closed before it becomes a call. */
    const char *ws_secret;
};

typedef struct media_server media_server;

/* Binds the listeners, loads prompts and the voicebot menu, and starts the loop thread. On
 * failure err holds one line and *out is untouched; IK_EINVAL for bad configuration (address, menu). */
int media_server_start(const struct media_config *cfg, media_server **out, char *err,
                       size_t errlen);
/* The bound port (useful with port 0): which 0 = AudioSocket, 1 = WebSocket; 0 when off. */
uint16_t media_server_port(const media_server *m, int which);
/* The number of event loops (threads) the calls are spread over. */
int media_server_threads(const media_server *m);

struct media_stats {
    uint64_t calls_total;
    uint64_t frames_in;      /* 20 ms frames handed to the audio hook */
    uint64_t frames_out;     /* 20 ms frames sent (announcements and keep-alive silence) */
    uint64_t frames_dropped; /* outgoing frames dropped because a peer did not read */
    uint64_t protocol_errors;
    /* Frame-handling lag: from the read callback that brought a frame's last byte to the end
     * of the audio hook for it. */
    double lag_p50_ms, lag_p99_ms, lag_max_ms;
    /* How late the loop-wide 20 ms pacing tick ran: a view of how long the loop was busy. */
    double tick_late_p99_ms, tick_late_max_ms;
    /* Frame-handling lag against the sender's 20 ms schedule: end of the audio hook minus when
     * the frame was due, frame k of a call being due k * 20 ms after the earliest-arriving frame
     * of that call allowed. Unlike lag_*, this includes time a frame waited in the socket while
     * its loop was busy, and how late the loop's tick ran. */
    double sched_lag_p50_ms, sched_lag_p99_ms, sched_lag_max_ms;
    int threads; /* event loops the calls were spread over */
};
/* Stops accepting, ends every call (call_end hooks run), closes every handle, joins the thread,
 * writes the statistics into *stats (may be NULL) and frees the server. NULL is a no-op. */
void media_server_stop(media_server *m, struct media_stats *stats);

/* Commands, safe from any thread; they take effect on the loop within a tick. The signatures are
 * those of the guard engine's action adapter (ud is the media_server). Each returns 0 when the
 * call is live on this server and the command was queued, MEDIA_ENOTFOUND otherwise.
 *   media_play: queue a prompt by name (recording_notice, warning1, final_warning, closing,
 *               voicebot_menu, …: a WAV file of that name in the prompt folder)
 *   media_end_call: stop the caller's audio and hang up (AudioSocket 00 00 00; closes the
 *               WebSocket)
 *   media_voicebot: the recording notice, then the purpose menu; the chosen purpose goes out as
 *               the feature "voicebot_purpose", then the call is released
 *   media_release: let the phone system go on with the call (AudioSocket hangup, after which
 *               the dialplan continues to the queue; the WebSocket is closed) */
int media_play(void *m, const char *call_id, const char *prompt);
int media_end_call(void *m, const char *call_id);
int media_voicebot(void *m, const char *call_id);
int media_release(void *m, const char *call_id);
/* Redirects the call's Asterisk channel through ARI to endpoint (e.g. "PJSIP/supervisor"); the
 * channel is the call id unless the call was registered with another. MEDIA_EINVAL without
 * ARI configured. Runs off the loop thread (libcurl is blocking). */
int media_transfer(void *m, const char *call_id, const char *endpoint);

#endif
