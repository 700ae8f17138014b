/* The media loops: listeners, the 20 ms pacing tick, the command queues from other threads, the
 * live-call table, the voicebot and the frame-lag statistics. The two kinds of connection are in
 * conn_as.c (AudioSocket) and conn_ws.c (media WebSocket).
 *
 * Calls are spread over one libuv loop per CPU, each on its own thread with its own tick and
 * command queue. Loop 0 owns the listening sockets: it accepts, and hands each connection to the
 * loop with the fewest connections by passing a duplicate of its descriptor through that loop's
 * queue (uv_tcp_open there) — in one process this is what uv_write2 handle passing does over a
 * pipe, without the pipe. A connection stays on its loop for life; the live-call table (under
 * the server's lock) says which loop owns a call, so commands reach the right thread. */
#include <fcntl.h>
#include <sodium.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "media/ari.h"
#include "media/net_int.h"
#include "media/promptset.h"

#define TICK_NS          20000000ull
#define CALL_BUCKETS     4096
#define MAX_CMDS         20000
#define LAG_BUCKET_NS    10000ull /* 10 µs */
#define LAG_BUCKETS      20000    /* up to 200 ms; beyond goes to the last bucket */
#define DEFAULT_CALLS    2000
#define DEFAULT_QUEUE    120000
#define MEDIA_MAX_LOOPS  64
#define DEFAULT_PER_PEER 500
#define DEFAULT_IDLE_MS  30000
#define MAX_ALLOW        32
#define PEER_SLOTS       4096
#define PEER_PROBE       64

enum cmd_kind { CMD_PLAY, CMD_END, CMD_VOICEBOT, CMD_RELEASE, CMD_TRANSFER };

struct cmd {
    enum cmd_kind kind;
    char call_id[MEDIA_ID_MAX];
    char arg[128];
    struct cmd *next;
};

struct call_entry {
    char id[MEDIA_ID_MAX];
    struct conn *c; /* owned by c->lp; only that loop's thread may touch it */
    struct call_entry *next;
};

struct lag_hist {
    uint32_t b[LAG_BUCKETS];
    uint64_t n;
    uint64_t max_ns;
};

/* A connection accepted on loop 0 for another loop. */
struct handoff {
    uv_os_sock_t fd;
    enum conn_kind kind;
    struct handoff *next;
};

struct media_loop {
    struct media_server *m;
    int idx;
    uv_loop_t loop;
    uv_thread_t thread;
    int thread_started;
    uv_async_t async;
    uv_timer_t tick;
    struct conn *conns;
    int nconns; /* written by this loop only; loop 0 reads it (atomically) to pick a loop */

    /* Under m->lock: commands and handed-over connections for this loop. */
    struct cmd *cmd_head, *cmd_tail;
    int ncmds;
    struct handoff *fds;

    uint64_t tick_start_ns, ticks;
    int stopping_loop; /* this loop's thread only: handles are being closed */
    struct media_stats st;
    struct lag_hist lag, late, sched;
    char read_buf[65536];
};

/* One entry of the allow-list: the first bits of addr (4 or 16 bytes by family). */
struct cidr {
    int family;
    uint8_t addr[16];
    int bits;
};

/* Connections from one address, for the per-peer limit; n == 0 marks a free slot. */
struct peer_count {
    uint8_t key[17]; /* family byte, then the address */
    int n;
};

struct media_server {
    int nloops;
    struct media_loop *loops;
    uv_tcp_t listen[2]; /* on loops[0] */
    int has_listen[2];
    uint16_t port[2];
    int nconns_total; /* atomic: connections on every loop */

    struct media_hooks hooks;
    int voicebot_all;
    int max_calls;
    unsigned max_queue_ms;
    struct prompt_set *prompts;
    struct vb_menu menu;
    ari_client *ari;
    struct cidr allow[MAX_ALLOW];
    int nallow;
    int max_per_peer;
    unsigned idle_audio_ms;
    char *ws_secret;

    /* Shared with other threads, under lock: the loops' queues, the live-call table, stopping. */
    pthread_mutex_t lock;
    struct call_entry *calls[CALL_BUCKETS];
    int stopping;
    struct peer_count peers[PEER_SLOTS];
};

/* ---- statistics ---- */

static void hist_add(struct lag_hist *h, uint64_t ns)
{
    uint64_t k = ns / LAG_BUCKET_NS;
    h->b[k < LAG_BUCKETS ? k : LAG_BUCKETS - 1]++;
    h->n++;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

static double hist_pct(const struct lag_hist *h, double p)
{
    if (!h->n)
        return 0;
    uint64_t want = (uint64_t)(p * (double)h->n), seen = 0;
    if (want >= h->n)
        want = h->n - 1;
    for (int k = 0; k < LAG_BUCKETS; k++) {
        seen += h->b[k];
        if (seen > want)
            return (double)((k + 1) * LAG_BUCKET_NS) / 1e6; /* upper edge of the bucket */
    }
    return (double)h->max_ns / 1e6;
}

/* ---- the live-call table ---- */

static unsigned call_hash(const char *id)
{
    return fnv1a_str(id) % CALL_BUCKETS;
}

/* Caller holds m->lock. */
static struct call_entry *call_find(struct media_server *m, const char *id)
{
    for (struct call_entry *e = m->calls[call_hash(id)]; e; e = e->next)
        if (strcmp(e->id, id) == 0)
            return e;
    return NULL;
}

static int call_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= MEDIA_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
              (id[i] >= '0' && id[i] <= '9') || strchr("._:-", id[i])))
            return 0;
    return 1;
}

static void call_remove(struct media_server *m, struct conn *c)
{
    pthread_mutex_lock(&m->lock);
    for (struct call_entry **pe = &m->calls[call_hash(c->call_id)]; *pe; pe = &(*pe)->next)
        if ((*pe)->c == c) {
            struct call_entry *e = *pe;
            *pe = e->next;
            free(e);
            break;
        }
    pthread_mutex_unlock(&m->lock);
}

/* ---- connections ---- */

static uint64_t now_ms(struct media_loop *lp)
{
    return uv_hrtime() / 1000000u - lp->tick_start_ns / 1000000u;
}

static void on_close(uv_handle_t *h)
{
    struct conn *c = h->data;
    as_parser_release(&c->asp);
    buf_release(&c->hs);
    if (c->ws)
        wslay_event_context_free(c->ws);
    if (c->rs)
        speex_resampler_destroy(c->rs);
    free(c);
}

void media__close(struct conn *c, const char *why)
{
    if (c->closing)
        return;
    struct media_server *m = c->m;
    struct media_loop *lp = c->lp;
    c->closing = 1;
    if (c->peer_slot) {
        pthread_mutex_lock(&m->lock);
        m->peers[c->peer_slot - 1].n--;
        pthread_mutex_unlock(&m->lock);
        c->peer_slot = 0;
    }
    if (c->registered) {
        call_remove(m, c);
        log_msg(LOG_INFO, "media: call %s ended (%s)", c->call_id, why);
        if (m->hooks.call_end)
            m->hooks.call_end(m->hooks.ud, c->call_ud, c->call_id);
        c->registered = 0;
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        lp->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    __atomic_sub_fetch(&lp->nconns, 1, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&m->nconns_total, 1, __ATOMIC_RELAXED);
    uv_close((uv_handle_t *)&c->tcp, on_close);
}

void media__protocol_error(struct conn *c, const char *err)
{
    c->lp->st.protocol_errors++;
    log_msg(LOG_WARN, "media: %s %s%s%s: %s", c->kind == CONN_AS ? "audiosocket" : "websocket",
            c->peer, c->registered ? " call " : "", c->registered ? c->call_id : "", err);
    media__close(c, "protocol error");
}

struct wreq {
    uv_write_t req;
    struct conn *c;
    char data[];
};

static void on_write(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;
    if (status < 0 && status != UV_ECANCELED && !w->c->closing)
        media__close(w->c, uv_strerror(status));
    free(w);
}

size_t media__backlog(const struct conn *c)
{
    return uv_stream_get_write_queue_size((const uv_stream_t *)&c->tcp);
}

int media__write(struct conn *c, const void *data, size_t len)
{
    if (c->closing)
        return -1;
    size_t off = 0;
    if (media__backlog(c) == 0) {
        uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
        int r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        if (r < 0 && r != UV_EAGAIN) {
            media__close(c, uv_strerror(r));
            return -1;
        }
        off = r > 0 ? (size_t)r : 0;
        if (off == len)
            return 0;
    }
    struct wreq *w = malloc(sizeof *w + (len - off));
    if (!w) {
        media__close(c, "out of memory");
        return -1;
    }
    w->c = c;
    memcpy(w->data, (const char *)data + off, len - off);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)(len - off));
    int r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
    if (r < 0) {
        free(w);
        media__close(c, uv_strerror(r));
        return -1;
    }
    return 0;
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    struct conn *c = req->data;
    (void)status;
    free(req);
    media__close(c, c->pending_finish == FINISH_RELEASE ? "released" : "ended by ikiiki");
}

void media__shutdown(struct conn *c)
{
    if (c->closing || c->finishing)
        return;
    c->finishing = 1;
    uv_shutdown_t *req = malloc(sizeof *req);
    if (!req || uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        free(req);
        media__close(c, "ended by ikiiki");
        return;
    }
    req->data = c;
}

/* ---- calls ---- */

static void feature(struct conn *c, const char *name, double value, const char *detail)
{
    struct media_server *m = c->m;
    if (m->hooks.feature)
        m->hooks.feature(m->hooks.ud, c->call_id, name, value, detail);
}

static void vb_start(struct conn *c);
static void on_tick_cb(uv_timer_t *t);
static int take_cmds(struct media_loop *lp);

int media__call_start(struct conn *c, const char *call_id, const struct media_call_info *info)
{
    struct media_server *m = c->m;
    if (c->registered) {
        media__protocol_error(c, "the call was named twice");
        return -1;
    }
    if (!call_id_ok(call_id)) {
        char err[140];
        snprintf(err, sizeof err, "call id \"%.64s\" is not 1-63 of [A-Za-z0-9._:-]", call_id);
        media__protocol_error(c, err);
        return -1;
    }
    struct call_entry *e = calloc(1, sizeof *e);
    pthread_mutex_lock(&m->lock);
    int dup = call_find(m, call_id) != NULL;
    if (e && !dup) {
        memcpy(e->id, call_id, strlen(call_id) + 1);
        e->c = c;
        unsigned h = call_hash(call_id);
        e->next = m->calls[h];
        m->calls[h] = e;
    }
    pthread_mutex_unlock(&m->lock);
    if (!e || dup) {
        free(e);
        char err[140];
        snprintf(err, sizeof err, "call \"%s\" is already connected", call_id);
        media__protocol_error(c, e ? err : "out of memory");
        return -1;
    }
    memcpy(c->call_id, call_id, strlen(call_id) + 1);
    c->registered = 1;
    c->last_audio_ms = now_ms(c->lp);
    c->lp->st.calls_total++;
    log_msg(LOG_INFO, "media: call %s connected over %s from %s", call_id, info->transport,
            c->peer);
    if (m->hooks.call_start)
        c->call_ud = m->hooks.call_start(m->hooks.ud, call_id, info);
    if (m->voicebot_all)
        vb_start(c);
    return 0;
}

static void frame_ready(struct conn *c)
{
    struct media_server *m = c->m;
    struct media_loop *lp = c->lp;
    uint64_t k_ns = c->nframes_in * TICK_NS;
    if (c->nframes_in == 0 || c->t_arrival - k_ns < c->sched_anchor)
        c->sched_anchor = c->t_arrival - k_ns;
    if (m->hooks.audio)
        m->hooks.audio(m->hooks.ud, c->call_ud, c->call_id, c->frame, MEDIA_FRAME);
    lp->st.frames_in++;
    uint64_t done = uv_hrtime();
    hist_add(&lp->lag, done - c->t_arrival);
    hist_add(&lp->sched, done - (c->sched_anchor + k_ns));
    c->nframes_in++;
    c->nframe = 0;
}

static void push_samples(struct conn *c, const int16_t *pcm, size_t n)
{
    for (size_t i = 0; i < n && !c->closing; i++) {
        c->frame[c->nframe++] = pcm[i];
        if (c->nframe == MEDIA_FRAME)
            frame_ready(c);
    }
}

void media__audio_in(struct conn *c, const int16_t *pcm, size_t n, unsigned rate)
{
    if (!c->registered || c->closing)
        return; /* audio before the call is named is not anyone's */
    if (n)
        c->last_audio_ms = now_ms(c->lp);
    if (rate == MEDIA_RATE) {
        push_samples(c, pcm, n);
        return;
    }
    if (!c->rs || c->rs_rate != rate) {
        if (c->rs)
            speex_resampler_destroy(c->rs);
        int e = 0;
        c->rs = speex_resampler_init(1, rate, MEDIA_RATE, 3, &e);
        c->rs_rate = rate;
        if (!c->rs) {
            media__close(c, "cannot resample");
            return;
        }
    }
    int16_t out[512];
    while (n > 0 && !c->closing) {
        spx_uint32_t in_len = (spx_uint32_t)n, out_len = (spx_uint32_t)ARRAY_LEN(out);
        speex_resampler_process_int(c->rs, 0, pcm, &in_len, out, &out_len);
        push_samples(c, out, out_len);
        if (in_len == 0 && out_len == 0)
            break;
        pcm += in_len;
        n -= in_len;
    }
}

/* ---- announcements ---- */

static void clear_queue(struct conn *c)
{
    if (c->nplay && c->ops->clear)
        c->ops->clear(c);
    c->nplay = 0;
    c->queued_ms = 0;
}

static int enqueue(struct conn *c, const char *name)
{
    struct media_server *m = c->m;
    /* The guard's policy and the voicebot may both ask for the notice: say it once per call. */
    if (strcmp(name, "recording_notice") == 0) {
        if (c->notice_said)
            return 0;
        c->notice_said = 1;
    }
    const struct prompt *p = prompt_find(m->prompts, name);
    if (!p) {
        log_msg(LOG_WARN, "media: call %s: no prompt \"%s\"", c->call_id, name);
        return -1;
    }
    unsigned ms = (unsigned)(p->n / (MEDIA_RATE / 1000));
    if (c->nplay >= MEDIA_MAX_PLAY || c->queued_ms + ms > m->max_queue_ms) {
        log_msg(LOG_WARN, "media: call %s: announcement queue full, \"%s\" dropped", c->call_id,
                name);
        return -1;
    }
    c->play[c->nplay].p = p;
    c->play[c->nplay].pos = 0;
    c->nplay++;
    c->queued_ms += ms;
    return 0;
}

/* ---- voicebot ---- */

static void vb_start(struct conn *c)
{
    if (c->vb != VB_OFF && c->vb != VB_DONE)
        return;
    clear_queue(c);
    c->vb = VB_MENU;
    c->vb_tries = 1;
    enqueue(c, "recording_notice");
    enqueue(c, "voicebot_menu");
    log_msg(LOG_INFO, "media: call %s: voicebot", c->call_id);
}

static void vb_done(struct conn *c, const char *purpose, char digit)
{
    c->vb = VB_DONE;
    json_t *d = json_pack("{s:s, s:s#}", "purpose", purpose, "digit", &digit, digit ? 1 : 0);
    char *txt = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    feature(c, "voicebot_purpose", 0, txt);
    log_msg(LOG_INFO, "media: call %s: voicebot purpose \"%s\", releasing", c->call_id, purpose);
    free(txt);
    clear_queue(c);
    c->pending_finish = FINISH_RELEASE;
}

static void vb_again(struct conn *c)
{
    struct media_server *m = c->m;
    if (c->vb_tries >= m->menu.max_tries) {
        vb_done(c, "unknown", 0);
        return;
    }
    c->vb_tries++;
    clear_queue(c);
    c->vb = VB_MENU;
    enqueue(c, "voicebot_menu");
}

static void vb_digit(struct conn *c, char digit)
{
    struct media_server *m = c->m;
    if (c->vb != VB_MENU && c->vb != VB_WAIT)
        return;
    for (int i = 0; i < m->menu.n; i++)
        if (m->menu.digit[i] == digit) {
            vb_done(c, m->menu.code[i], digit);
            return;
        }
    vb_again(c);
}

void media__dtmf_in(struct conn *c, char digit)
{
    if (!c->registered || c->closing)
        return;
    static const char keys[] = "0123456789*#ABCD";
    const char *k = strchr(keys, digit);
    char detail[32];
    snprintf(detail, sizeof detail, "{\"digit\":\"%c\"}", digit);
    feature(c, "dtmf", (double)(k - keys), detail);
    vb_digit(c, digit);
}

/* ---- pacing ---- */

static void pace(struct conn *c, uint64_t now)
{
    struct media_server *m = c->m;
    if (!c->registered) {
        if (now - c->opened_ms > MEDIA_IDLE_MS)
            media__protocol_error(c, "did not name its call in 30 s");
        return;
    }
    /* A call that sends no audio holds a slot and costs a keep-alive stream for nothing. */
    if (now - c->last_audio_ms > m->idle_audio_ms) {
        char why[64];
        snprintf(why, sizeof why, "no audio for %u s", m->idle_audio_ms / 1000);
        media__protocol_error(c, why);
        return;
    }
    if (media__backlog(c) > MEDIA_OUT_BACKLOG) {
        if (!c->backlog_since_ms)
            c->backlog_since_ms = now ? now : 1;
        else if (now - c->backlog_since_ms > MEDIA_DEAD_MS) {
            media__close(c, "the peer stopped reading");
            return;
        }
    } else {
        c->backlog_since_ms = 0;
    }
    if (c->nplay) {
        struct play_item *it = &c->play[0];
        int16_t pcm[MEDIA_FRAME] = {0};
        size_t take = it->p->n - it->pos < MEDIA_FRAME ? it->p->n - it->pos : MEDIA_FRAME;
        memcpy(pcm, it->p->pcm + it->pos, take * sizeof pcm[0]);
        it->pos += take;
        if (c->ops->send_audio(c, pcm) == 0)
            c->lp->st.frames_out++;
        else
            c->lp->st.frames_dropped++;
        if (it->pos >= it->p->n && !c->closing) {
            unsigned ms = (unsigned)(it->p->n / (MEDIA_RATE / 1000));
            const char *name = it->p->name;
            memmove(&c->play[0], &c->play[1], (size_t)(c->nplay - 1) * sizeof c->play[0]);
            c->nplay--;
            c->queued_ms = c->queued_ms > ms ? c->queued_ms - ms : 0;
            if (c->ops->played)
                c->ops->played(c, name);
            if (!c->nplay && c->vb == VB_MENU) {
                c->vb = VB_WAIT;
                c->vb_wait_until_ms = now + m->menu.timeout_ms;
            }
        }
        return;
    }
    if (c->pending_finish) {
        c->ops->finish(c, c->pending_finish);
        return;
    }
    if (c->vb == VB_MENU) { /* the menu prompt is missing: wait as if it had been said */
        c->vb = VB_WAIT;
        c->vb_wait_until_ms = now + m->menu.timeout_ms;
    } else if (c->vb == VB_WAIT && now >= c->vb_wait_until_ms) {
        vb_again(c);
        if (c->vb == VB_MENU && !c->nplay) {
            c->vb = VB_WAIT;
            c->vb_wait_until_ms = now + m->menu.timeout_ms;
        }
    }
    if (c->ops->idle)
        c->ops->idle(c);
}

/* Arms the one-shot tick for the next 20 ms grid point. libuv timers count whole milliseconds
 * from the loop's cached time, so the delay is computed from the real clock each time. */
static void arm_tick(struct media_loop *lp)
{
    uv_update_time(&lp->loop);
    uint64_t due = lp->tick_start_ns + (lp->ticks + 1) * TICK_NS, now = uv_hrtime();
    uint64_t delay = due > now ? (due - now + 999999) / 1000000 : 0;
    uv_timer_start(&lp->tick, on_tick_cb, delay, 0);
}

static void on_tick_cb(uv_timer_t *t)
{
    struct media_loop *lp = t->data;
    /* libuv runs timers before the async handle: without this, a command queued while a call
     * connected (the guard's recording notice) would wait behind a tick of silence. */
    take_cmds(lp);
    uint64_t now_ns = uv_hrtime();
    /* One pacing step per 20 ms of real time since the start, so a late tick catches up instead
     * of slowing the audio down; at most five at once after a long stall, the rest is skipped. */
    int steps = 0;
    while (lp->tick_start_ns + (lp->ticks + 1) * TICK_NS <= now_ns + 500000 && steps < 5) {
        uint64_t due = lp->tick_start_ns + (lp->ticks + 1) * TICK_NS;
        if (steps == 0)
            hist_add(&lp->late, now_ns > due ? now_ns - due : 0);
        lp->ticks++;
        steps++;
        uint64_t now = now_ms(lp);
        for (struct conn *c = lp->conns, *next; c; c = next) {
            next = c->next;
            if (!c->closing && !c->finishing)
                pace(c, now);
        }
    }
    if (steps == 5)
        lp->ticks = (now_ns - lp->tick_start_ns) / TICK_NS;
    if (!lp->stopping_loop)
        arm_tick(lp);
}

/* ---- reading and accepting ---- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct conn *c = h->data;
    (void)suggested;
    /* One buffer per loop: every read is handled before the next one starts. */
    *b = uv_buf_init(c->lp->read_buf, sizeof c->lp->read_buf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    struct conn *c = s->data;
    if (nread < 0) {
        media__close(c, nread == UV_EOF ? "the peer hung up" : uv_strerror((int)nread));
        return;
    }
    if (nread == 0 || c->closing)
        return;
    c->t_arrival = uv_hrtime();
    if (c->kind == CONN_AS)
        media__as_read(c, (const uint8_t *)b->base, (size_t)nread);
    else
        media__ws_read(c, (const uint8_t *)b->base, (size_t)nread);
}

/* A connection on lp: the caller fills c->tcp (accept or open) and then calls conn_ready. */
static struct conn *conn_new(struct media_loop *lp, enum conn_kind kind)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->m = lp->m;
    c->lp = lp;
    c->kind = kind;
    c->ops = kind == CONN_AS ? &media__as_ops : &media__ws_ops;
    as_parser_init(&c->asp);
    buf_init(&c->hs, MWS_MAX_REQUEST);
    c->opened_ms = now_ms(lp);
    uv_tcp_init(&lp->loop, &c->tcp);
    c->tcp.data = c;
    c->next = lp->conns;
    if (lp->conns)
        lp->conns->prev = c;
    lp->conns = c;
    __atomic_add_fetch(&lp->nconns, 1, __ATOMIC_RELAXED);
    return c;
}

static void conn_peer(struct conn *c)
{
    struct sockaddr_storage sa;
    int salen = sizeof sa;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &salen) == 0) {
        char ip[48] = "?";
        if (sa.ss_family == AF_INET6)
            uv_ip6_name((struct sockaddr_in6 *)&sa, ip, sizeof ip);
        else
            uv_ip4_name((struct sockaddr_in *)&sa, ip, sizeof ip);
        snprintf(c->peer, sizeof c->peer, "%s:%u", ip,
                 ntohs(((struct sockaddr_in *)&sa)->sin_port));
    }
}

static int cidr_match(const struct cidr *a, int family, const uint8_t *addr)
{
    if (a->family != family)
        return 0;
    int full = a->bits / 8, rest = a->bits % 8;
    if (memcmp(a->addr, addr, (size_t)full) != 0)
        return 0;
    return rest == 0 || ((a->addr[full] ^ addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* The peer's address as family and bytes; an IPv4-mapped IPv6 address counts as IPv4. */
static int peer_key(struct conn *c, int *family, uint8_t addr[16])
{
    struct sockaddr_storage sa;
    int salen = sizeof sa;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &salen))
        return -1;
    if (sa.ss_family == AF_INET) {
        *family = AF_INET;
        memcpy(addr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
        return 0;
    }
    const uint8_t *a6 = (const uint8_t *)&((struct sockaddr_in6 *)&sa)->sin6_addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a6, mapped, 12) == 0) {
        *family = AF_INET;
        memcpy(addr, a6 + 12, 4);
    } else {
        *family = AF_INET6;
        memcpy(addr, a6, 16);
    }
    return 0;
}

/* Counts the connection against its peer; the slot (1-based), or 0 when the peer is at its
 * limit or the table has no room near its place. Caller holds m->lock. */
static int peer_take(struct media_server *m, const uint8_t key[17])
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 17; i++)
        h = (h ^ key[i]) * 16777619u;
    int free_slot = -1;
    for (int i = 0; i < PEER_PROBE; i++) {
        int k = (int)((h + (uint32_t)i) % PEER_SLOTS);
        struct peer_count *p = &m->peers[k];
        if (p->n > 0 && memcmp(p->key, key, 17) == 0) {
            if (p->n >= m->max_per_peer)
                return 0;
            p->n++;
            return k + 1;
        }
        if (p->n == 0 && free_slot < 0)
            free_slot = k;
    }
    if (free_slot < 0)
        return 0;
    memcpy(m->peers[free_slot].key, key, 17);
    m->peers[free_slot].n = 1;
    return free_slot + 1;
}

/* The allow-list and the per-peer limit; closes the connection and returns 0 when refused. */
static int peer_admitted(struct conn *c)
{
    struct media_server *m = c->m;
    uint8_t key[17] = {0};
    int family;
    if (peer_key(c, &family, key + 1)) {
        media__close(c, "no peer address");
        return 0;
    }
    key[0] = (uint8_t)family;
    int allowed = 0;
    for (int i = 0; i < m->nallow && !allowed; i++)
        allowed = cidr_match(&m->allow[i], family, key + 1);
    if (!allowed) {
        log_msg(LOG_WARN, "media: %s refused: not on the allow-list (--media-allow)", c->peer);
        media__close(c, "peer not allowed");
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    c->peer_slot = peer_take(m, key);
    pthread_mutex_unlock(&m->lock);
    if (!c->peer_slot) {
        log_msg(LOG_WARN, "media: %s refused: %d connections from it already", c->peer,
                m->max_per_peer);
        media__close(c, "too many connections from the peer");
        return 0;
    }
    return 1;
}

static void conn_ready(struct conn *c)
{
    conn_peer(c);
    if (!peer_admitted(c))
        return;
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* The loop with the fewest connections; loop 0 on a tie, as it needs no hand-over. */
static struct media_loop *pick_loop(struct media_server *m)
{
    struct media_loop *best = &m->loops[0];
    int least = __atomic_load_n(&best->nconns, __ATOMIC_RELAXED);
    for (int i = 1; i < m->nloops; i++) {
        int n = __atomic_load_n(&m->loops[i].nconns, __ATOMIC_RELAXED);
        if (n < least) {
            least = n;
            best = &m->loops[i];
        }
    }
    return best;
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

/* Accepts on loop 0 and gives the descriptor's duplicate to lp; the original closes here. */
static int hand_over(struct media_loop *lp, uv_stream_t *server, enum conn_kind kind)
{
    struct media_server *m = lp->m;
    uv_tcp_t *tmp = malloc(sizeof *tmp);
    struct handoff *h = malloc(sizeof *h);
    if (!tmp || !h) {
        free(tmp);
        free(h);
        return -1;
    }
    uv_tcp_init(server->loop, tmp);
    uv_os_fd_t fd = -1;
    int rc = uv_accept(server, (uv_stream_t *)tmp);
    if (rc == 0)
        rc = uv_fileno((uv_handle_t *)tmp, &fd);
    int dup_fd = rc == 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
    uv_close((uv_handle_t *)tmp, free_handle);
    if (dup_fd < 0) {
        free(h);
        return -1;
    }
    h->fd = dup_fd;
    h->kind = kind;
    pthread_mutex_lock(&m->lock);
    int stopping = m->stopping;
    if (!stopping) {
        h->next = lp->fds;
        lp->fds = h;
    }
    pthread_mutex_unlock(&m->lock);
    if (stopping) {
        close(dup_fd);
        free(h);
        return -1;
    }
    /* Counted now, so that the next accept sees this loop's share grow. */
    __atomic_add_fetch(&lp->nconns, 1, __ATOMIC_RELAXED);
    uv_async_send(&lp->async);
    return 0;
}

/* On lp's thread: opens the connections loop 0 handed over. */
static void take_handoffs(struct media_loop *lp, struct handoff *list, int stopping)
{
    while (list) {
        struct handoff *h = list;
        list = h->next;
        __atomic_sub_fetch(&lp->nconns, 1, __ATOMIC_RELAXED); /* conn_new counts it again */
        struct conn *c = stopping ? NULL : conn_new(lp, h->kind);
        if (!c) {
            close(h->fd);
            __atomic_sub_fetch(&lp->m->nconns_total, 1, __ATOMIC_RELAXED);
        } else if (uv_tcp_open(&c->tcp, h->fd) < 0) {
            close(h->fd);
            media__close(c, "cannot open the handed-over connection");
        } else {
            conn_ready(c);
        }
        free(h);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    struct media_server *m = server->data;
    if (status < 0)
        return;
    enum conn_kind kind = server == (uv_stream_t *)&m->listen[0] ? CONN_AS : CONN_WS;
    int total = __atomic_add_fetch(&m->nconns_total, 1, __ATOMIC_RELAXED);
    struct media_loop *lp = total > m->max_calls ? &m->loops[0] : pick_loop(m);
    if (lp != &m->loops[0]) {
        if (hand_over(lp, server, kind) < 0)
            __atomic_sub_fetch(&m->nconns_total, 1, __ATOMIC_RELAXED);
        return;
    }
    struct conn *c = conn_new(lp, kind);
    if (!c) {
        __atomic_sub_fetch(&m->nconns_total, 1, __ATOMIC_RELAXED);
        return;
    }
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        media__close(c, "accept failed");
        return;
    }
    if (total > m->max_calls) {
        conn_peer(c);
        log_msg(LOG_WARN, "media: %s refused: %d connections already", c->peer, m->max_calls);
        media__close(c, "too many connections");
        return;
    }
    conn_ready(c);
}

/* ---- commands ---- */

struct transfer_job {
    uv_work_t req;
    struct media_server *m;
    char call_id[MEDIA_ID_MAX];
    char endpoint[128];
    int rc;
    char err[256];
};

static void transfer_work(uv_work_t *req)
{
    struct transfer_job *j = req->data;
    j->rc = ari_redirect(j->m->ari, j->call_id, j->endpoint, j->err, sizeof j->err);
}

static void transfer_done(uv_work_t *req, int status)
{
    struct transfer_job *j = req->data;
    (void)status;
    if (j->rc)
        log_msg(LOG_WARN, "media: call %s: transfer to \"%s\" failed: %s", j->call_id, j->endpoint,
                j->err);
    else
        log_msg(LOG_INFO, "media: call %s: transferred to \"%s\"", j->call_id, j->endpoint);
    free(j);
}

static void run_cmd(struct media_loop *lp, const struct cmd *k)
{
    struct media_server *m = lp->m;
    if (k->kind == CMD_TRANSFER) {
        struct transfer_job *j = calloc(1, sizeof *j);
        if (!j)
            return;
        j->req.data = j;
        j->m = m;
        memcpy(j->call_id, k->call_id, sizeof j->call_id);
        memcpy(j->endpoint, k->arg, sizeof j->endpoint);
        if (uv_queue_work(&lp->loop, &j->req, transfer_work, transfer_done) < 0)
            free(j);
        return;
    }
    /* Only this loop removes its calls' entries, so c stays valid after the lock is let go. */
    pthread_mutex_lock(&m->lock);
    struct call_entry *e = call_find(m, k->call_id);
    struct conn *c = e && e->c->lp == lp ? e->c : NULL;
    pthread_mutex_unlock(&m->lock);
    if (!c || c->closing || c->finishing)
        return; /* ended in the meantime */
    switch (k->kind) {
    case CMD_PLAY:
        enqueue(c, k->arg);
        break;
    case CMD_END: /* after what is queued (the closing announcement) has been said */
        c->vb = VB_DONE;
        c->pending_finish = FINISH_END;
        break;
    case CMD_VOICEBOT:
        vb_start(c);
        break;
    case CMD_RELEASE:
        if (!c->pending_finish)
            c->pending_finish = FINISH_RELEASE;
        break;
    default:
        break;
    }
}

static void stop_loop(struct media_loop *lp)
{
    struct media_server *m = lp->m;
    lp->stopping_loop = 1;
    if (lp->idx == 0)
        for (int i = 0; i < 2; i++)
            if (m->has_listen[i])
                uv_close((uv_handle_t *)&m->listen[i], NULL);
    uv_close((uv_handle_t *)&lp->tick, NULL);
    while (lp->conns)
        media__close(lp->conns, "server stopping");
    uv_close((uv_handle_t *)&lp->async, NULL);
}

/* Runs the commands and hand-overs queued for lp; returns 1 when the server is stopping. */
static int take_cmds(struct media_loop *lp)
{
    struct media_server *m = lp->m;
    pthread_mutex_lock(&m->lock);
    struct cmd *list = lp->cmd_head;
    struct handoff *fds = lp->fds;
    int stopping = m->stopping;
    lp->cmd_head = lp->cmd_tail = NULL;
    lp->ncmds = 0;
    lp->fds = NULL;
    pthread_mutex_unlock(&m->lock);
    take_handoffs(lp, fds, stopping);
    while (list) {
        struct cmd *k = list;
        list = k->next;
        if (!stopping)
            run_cmd(lp, k);
        free(k);
    }
    return stopping;
}

static void on_async(uv_async_t *a)
{
    struct media_loop *lp = a->data;
    if (take_cmds(lp) && !lp->stopping_loop)
        stop_loop(lp);
}

static int push_cmd(struct media_server *m, enum cmd_kind kind, const char *call_id,
                    const char *arg)
{
    if (!m || !call_id || strlen(call_id) >= MEDIA_ID_MAX || (arg && strlen(arg) >= 128))
        return MEDIA_EINVAL;
    struct cmd *k = calloc(1, sizeof *k);
    if (!k)
        return MEDIA_ENOMEM;
    k->kind = kind;
    memcpy(k->call_id, call_id, strlen(call_id) + 1);
    if (arg)
        memcpy(k->arg, arg, strlen(arg) + 1);
    pthread_mutex_lock(&m->lock);
    int rc = 0;
    struct call_entry *e = m->stopping ? NULL : call_find(m, call_id);
    struct media_loop *lp = e ? e->c->lp : NULL;
    if (!lp)
        rc = MEDIA_ENOTFOUND;
    else if (lp->ncmds >= MAX_CMDS)
        rc = MEDIA_EFULL;
    if (rc == 0) {
        if (lp->cmd_tail)
            lp->cmd_tail->next = k;
        else
            lp->cmd_head = k;
        lp->cmd_tail = k;
        lp->ncmds++;
    }
    pthread_mutex_unlock(&m->lock);
    if (rc) {
        free(k);
        return rc;
    }
    uv_async_send(&lp->async);
    return 0;
}

int media__ws_secret_ok(const struct conn *c, const char *given)
{
    const char *want = c->m->ws_secret;
    if (!want)
        return 1;
    size_t n = strlen(want);
    return strlen(given) == n && sodium_memcmp(given, want, n) == 0;
}

int media_play(void *m, const char *call_id, const char *prompt)
{
    if (!prompt || !prompt[0])
        return MEDIA_EINVAL;
    return push_cmd(m, CMD_PLAY, call_id, prompt);
}

int media_end_call(void *m, const char *call_id)
{
    return push_cmd(m, CMD_END, call_id, NULL);
}

int media_voicebot(void *m, const char *call_id)
{
    return push_cmd(m, CMD_VOICEBOT, call_id, NULL);
}

int media_release(void *m, const char *call_id)
{
    return push_cmd(m, CMD_RELEASE, call_id, NULL);
}

int media_transfer(void *mv, const char *call_id, const char *endpoint)
{
    struct media_server *m = mv;
    if (!m || !m->ari || !endpoint || !endpoint[0])
        return MEDIA_EINVAL;
    return push_cmd(m, CMD_TRANSFER, call_id, endpoint);
}

/* ---- start and stop ---- */

static int parse_addr(const char *s, struct sockaddr_storage *sa, char *err, size_t errlen,
                      const char *flag)
{
    char host[128];
    int port, v6;
    if (parse_host_port(s, host, sizeof host, &port, &v6)) {
        snprintf(err, errlen, "%s: \"%s\" is not ADDR:PORT", flag, s);
        return IK_EINVAL;
    }
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)sa) &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)sa)) {
        snprintf(err, errlen, "%s: \"%s\" is not an IP address", flag, host);
        return IK_EINVAL;
    }
    return 0;
}

static int parse_cidr(const char *s, size_t len, struct cidr *out)
{
    char text[64];
    if (len == 0 || len >= sizeof text)
        return -1;
    memcpy(text, s, len);
    text[len] = '\0';
    char *slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->addr) == 1)
        out->family = AF_INET;
    else if (inet_pton(AF_INET6, text, out->addr) == 1)
        out->family = AF_INET6;
    else
        return -1;
    int max = out->family == AF_INET ? 32 : 128;
    int64_t bits = max;
    if (slash && parse_int64(slash + 1, 0, max, &bits))
        return -1;
    out->bits = (int)bits;
    return 0;
}

static int parse_allow(struct media_server *m, const char *list, char *err, size_t errlen)
{
    if (!list)
        list = "127.0.0.0/8,::1";
    m->nallow = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        while (len && *p == ' ') {
            p++;
            len--;
        }
        if (m->nallow == MAX_ALLOW || parse_cidr(p, len, &m->allow[m->nallow])) {
            snprintf(err, errlen, "--media-allow: \"%.*s\" is not an address or CIDR (at most %d)",
                     (int)(len > 60 ? 60 : len), p, MAX_ALLOW);
            return -2;
        }
        m->nallow++;
        p += len;
        if (*p == ',')
            p++;
    }
    if (!m->nallow) {
        snprintf(err, errlen, "--media-allow: empty (use 127.0.0.1 to allow only this machine)");
        return -2;
    }
    return 0;
}

static int bind_one(struct media_server *m, int which, const char *addr, char *err, size_t errlen)
{
    static const char *const flags[2] = {"--audiosocket", "--media-ws"};
    if (!addr || !addr[0] || strcmp(addr, "off") == 0)
        return 0;
    struct sockaddr_storage sa;
    int rc = parse_addr(addr, &sa, err, errlen, flags[which]);
    if (rc)
        return rc;
    uv_tcp_init(&m->loops[0].loop, &m->listen[which]);
    m->listen[which].data = m;
    m->has_listen[which] = 1;
    int r = uv_tcp_bind(&m->listen[which], (struct sockaddr *)&sa, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&m->listen[which], 511, on_connection);
    if (r) {
        snprintf(err, errlen, "%s: cannot listen on %s: %s", flags[which], addr, uv_strerror(r));
        return -1;
    }
    struct sockaddr_storage got;
    int len = sizeof got;
    uv_tcp_getsockname(&m->listen[which], (struct sockaddr *)&got, &len);
    m->port[which] = ntohs(((struct sockaddr_in *)&got)->sin_port);
    return 0;
}

static void run_loop(void *arg)
{
    struct media_loop *lp = arg;
    uv_run(&lp->loop, UV_RUN_DEFAULT);
}

static void free_cmds(struct media_loop *lp)
{
    while (lp->cmd_head) { /* commands that came after the loop's last look */
        struct cmd *k = lp->cmd_head;
        lp->cmd_head = k->next;
        free(k);
    }
    while (lp->fds) {
        struct handoff *h = lp->fds;
        lp->fds = h->next;
        close(h->fd);
        free(h);
    }
}

static void free_server(struct media_server *m)
{
    for (int i = 0; m->loops && i < m->nloops; i++)
        free_cmds(&m->loops[i]);
    free(m->loops);
    prompt_set_free(m->prompts);
    ari_client_free(m->ari);
    if (m->ws_secret)
        sodium_memzero(m->ws_secret, strlen(m->ws_secret));
    free(m->ws_secret);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* Stops and closes the loops that were started (stop) or only initialised (abort). */
static void close_loops(struct media_server *m)
{
    pthread_mutex_lock(&m->lock);
    m->stopping = 1;
    pthread_mutex_unlock(&m->lock);
    for (int i = 0; i < m->nloops; i++) {
        struct media_loop *lp = &m->loops[i];
        if (lp->thread_started) {
            uv_async_send(&lp->async);
            uv_thread_join(&lp->thread);
        } else {
            stop_loop(lp);
            uv_run(&lp->loop, UV_RUN_DEFAULT);
        }
        uv_loop_close(&lp->loop);
    }
}

static int load_data(struct media_server *m, const struct media_config *cfg, char *err,
                     size_t errlen)
{
    char path[1024];
    const char *dir = cfg->prompt_dir;
    if (!dir) {
        if (data_path("prompts/ja", path, sizeof path))
            return -1;
        dir = path;
    }
    int rc = prompt_set_load(dir, &m->prompts, err, errlen);
    if (rc)
        return rc;
    const char *menu = cfg->voicebot_file;
    if (!menu) {
        if (data_path("voicebot/ja.json", path, sizeof path))
            return -1;
        menu = path;
    }
    return voicebot_menu_load(menu, &m->menu, err, errlen);
}

static int loops_init(struct media_server *m, int n)
{
    if (n <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus > 0 ? (int)cpus : 1;
    }
    if (n > MEDIA_MAX_LOOPS)
        n = MEDIA_MAX_LOOPS;
    m->loops = calloc((size_t)n, sizeof *m->loops);
    if (!m->loops)
        return -1;
    m->nloops = n;
    for (int i = 0; i < n; i++) {
        struct media_loop *lp = &m->loops[i];
        lp->m = m;
        lp->idx = i;
        uv_loop_init(&lp->loop);
        uv_async_init(&lp->loop, &lp->async, on_async);
        lp->async.data = lp;
        uv_timer_init(&lp->loop, &lp->tick);
        lp->tick.data = lp;
    }
    return 0;
}

int media_server_start(const struct media_config *cfg, media_server **out, char *err, size_t errlen)
{
    struct media_server *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "media: out of memory");
        return -1;
    }
    pthread_mutex_init(&m->lock, NULL);
    m->hooks = cfg->hooks;
    m->voicebot_all = cfg->voicebot_all;
    m->max_calls = cfg->max_calls > 0 ? cfg->max_calls : DEFAULT_CALLS;
    m->max_queue_ms = cfg->max_queue_ms ? cfg->max_queue_ms : DEFAULT_QUEUE;
    m->max_per_peer = cfg->max_per_peer > 0 ? cfg->max_per_peer : DEFAULT_PER_PEER;
    m->idle_audio_ms = cfg->idle_audio_ms ? cfg->idle_audio_ms : DEFAULT_IDLE_MS;
    if (cfg->ws_secret && cfg->ws_secret[0] && !(m->ws_secret = strdup(cfg->ws_secret))) {
        snprintf(err, errlen, "media: out of memory");
        free_server(m);
        return -1;
    }
    int rc = parse_allow(m, cfg->allow, err, errlen);
    if (rc == 0)
        rc = load_data(m, cfg, err, errlen);
    if (rc == 0 && cfg->ari_url && cfg->ari_url[0]) {
        m->ari = ari_client_new(cfg->ari_url, cfg->ari_user, cfg->ari_password);
        if (!m->ari) {
            snprintf(err, errlen, "media: ARI URL \"%s\" is not http(s)://HOST[:PORT]",
                     cfg->ari_url);
            rc = IK_EINVAL;
        }
    }
    if (rc == 0 && loops_init(m, cfg->threads) < 0) {
        snprintf(err, errlen, "media: out of memory");
        rc = -1;
    }
    if (rc) {
        free_server(m);
        return rc;
    }
    if ((rc = bind_one(m, 0, cfg->audiosocket, err, errlen)) ||
        (rc = bind_one(m, 1, cfg->media_ws, err, errlen))) {
        close_loops(m);
        free_server(m);
        return rc;
    }
    uint64_t t0 = uv_hrtime();
    for (int i = 0; i < m->nloops; i++) {
        struct media_loop *lp = &m->loops[i];
        lp->tick_start_ns = t0;
        arm_tick(lp);
        if (uv_thread_create(&lp->thread, run_loop, lp)) {
            snprintf(err, errlen, "media: cannot start loop thread %d", i);
            close_loops(m);
            free_server(m);
            return -1;
        }
        lp->thread_started = 1;
    }
    *out = m;
    return 0;
}

uint16_t media_server_port(const media_server *m, int which)
{
    return m && which >= 0 && which < 2 ? m->port[which] : 0;
}

int media_server_threads(const media_server *m)
{
    return m ? m->nloops : 0;
}

static void hist_merge(struct lag_hist *into, const struct lag_hist *h)
{
    for (int k = 0; k < LAG_BUCKETS; k++)
        into->b[k] += h->b[k];
    into->n += h->n;
    if (h->max_ns > into->max_ns)
        into->max_ns = h->max_ns;
}

void media_server_stop(media_server *m, struct media_stats *stats)
{
    if (!m)
        return;
    close_loops(m);
    struct media_stats st = {0};
    struct lag_hist *lag = calloc(3, sizeof *lag);
    for (int i = 0; i < m->nloops; i++) {
        const struct media_loop *lp = &m->loops[i];
        st.calls_total += lp->st.calls_total;
        st.frames_in += lp->st.frames_in;
        st.frames_out += lp->st.frames_out;
        st.frames_dropped += lp->st.frames_dropped;
        st.protocol_errors += lp->st.protocol_errors;
        if (lag) {
            hist_merge(&lag[0], &lp->lag);
            hist_merge(&lag[1], &lp->late);
            hist_merge(&lag[2], &lp->sched);
        }
    }
    if (lag) {
        st.lag_p50_ms = hist_pct(&lag[0], 0.50);
        st.lag_p99_ms = hist_pct(&lag[0], 0.99);
        st.lag_max_ms = (double)lag[0].max_ns / 1e6;
        st.tick_late_p99_ms = hist_pct(&lag[1], 0.99);
        st.tick_late_max_ms = (double)lag[1].max_ns / 1e6;
        st.sched_lag_p50_ms = hist_pct(&lag[2], 0.50);
        st.sched_lag_p99_ms = hist_pct(&lag[2], 0.99);
        st.sched_lag_max_ms = (double)lag[2].max_ns / 1e6;
    }
    free(lag);
    st.threads = m->nloops;
    if (stats)
        *stats = st;
    free_server(m);
}
