/* Server-sent events for dashboards: a hub of streaming responses. Each stream is a
 * libmicrohttpd response from a callback; with nothing to send, the callback suspends its
 * connection (the server's threads serve thousands of connections each, so they must never
 * wait) and a publish resumes it. A heartbeat comment every 15 s finds closed clients and keeps
 * proxies from timing the stream out. Each client sees only the centers it may read. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "http_int.h"

#define SSE_PENDING_MAX (1u << 20) /* bytes queued for one slow client before it is dropped */
#define SSE_HEARTBEAT_S 15

struct sse_client {
    struct sse_client *next, *prev;
    struct http_sse *hub;
    struct MHD_Connection *conn;
    struct buf out;
    size_t sent;
    int suspended, closing;
    int64_t deadline_ms; /* 0: none */
    int all;             /* every center */
    int ncenters;
    char (*centers)[ORG_CODE_MAX];
};

struct http_sse {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sse_client *clients;
    int n;
    int stop;
    pthread_t beat;
    int64_t published;
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wakes a suspended client; the hub mutex is held. */
static void wake(struct sse_client *c)
{
    if (c->suspended) {
        c->suspended = 0;
        MHD_resume_connection(c->conn);
    }
}

static int visible(const struct sse_client *c, const char *center)
{
    if (c->all)
        return 1;
    for (int i = 0; i < c->ncenters; i++)
        if (strcmp(c->centers[i], center) == 0)
            return 1;
    return 0;
}

void http__sse_publish(struct http_sse *h, const char *center, const char *kind, const char *json)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->published++;
    for (struct sse_client *c = h->clients; c; c = c->next) {
        if (c->closing || !visible(c, center ? center : ""))
            continue;
        if (c->out.len - c->sent > SSE_PENDING_MAX ||
            buf_printf(&c->out, "event: %s\ndata: %s\n\n", kind, json))
            c->closing = 1; /* too slow: it reconnects and reads the state again */
        wake(c);
    }
    pthread_mutex_unlock(&h->mu);
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct sse_client *c = cls;
    struct http_sse *h = c->hub;
    pthread_mutex_lock(&h->mu);
    size_t left = c->out.len - c->sent;
    if (left) {
        size_t n = left < max ? left : max;
        memcpy(out, c->out.data + c->sent, n);
        c->sent += n;
        if (c->sent == c->out.len) {
            buf_reset(&c->out);
            c->sent = 0;
        }
        pthread_mutex_unlock(&h->mu);
        return (ssize_t)n;
    }
    if (c->closing || h->stop || (c->deadline_ms && wall_ms() >= c->deadline_ms)) {
        pthread_mutex_unlock(&h->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    /* Suspended under the hub mutex, so a publish cannot resume before the suspend. */
    c->suspended = 1;
    MHD_suspend_connection(c->conn);
    pthread_mutex_unlock(&h->mu);
    return 0;
}

static void reader_free(void *cls)
{
    struct sse_client *c = cls;
    struct http_sse *h = c->hub;
    pthread_mutex_lock(&h->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        h->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->n--;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    buf_release(&c->out);
    free(c->centers);
    free(c);
}

/* The heartbeat, and the end of streams whose max_s has passed. */
static void *beat_main(void *arg)
{
    struct http_sse *h = arg;
    int64_t last = wall_ms();
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&h->cv, &h->mu, &ts);
        int64_t now = wall_ms();
        int ping = now - last >= SSE_HEARTBEAT_S * 1000;
        if (ping)
            last = now;
        for (struct sse_client *c = h->clients; c; c = c->next) {
            if (ping && buf_puts(&c->out, ": ping\n\n"))
                c->closing = 1;
            if (ping || h->stop || (c->deadline_ms && now >= c->deadline_ms))
                wake(c);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

int http__sse_new(struct http_sse **out)
{
    struct http_sse *h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->beat, NULL, beat_main, h) != 0) {
        free(h);
        return -1;
    }
    *out = h;
    return 0;
}

/* Ends every stream; call before MHD_stop_daemon so suspended connections can finish. */
void http__sse_stop(struct http_sse *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    for (struct sse_client *c = h->clients; c; c = c->next) {
        c->closing = 1;
        wake(c);
    }
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->beat, NULL);
}

void http__sse_free(struct http_sse *h)
{
    if (!h)
        return;
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}

int http__sse_clients(struct http_sse *h)
{
    pthread_mutex_lock(&h->mu);
    int n = h->n;
    pthread_mutex_unlock(&h->mu);
    return n;
}

struct MHD_Response *http__sse_open(struct http_sse *h, struct MHD_Connection *conn,
                                    const char *const *centers, int ncenters, int max_s,
                                    const char *hello)
{
    struct sse_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->hub = h;
    c->conn = conn;
    c->all = ncenters < 0;
    buf_init(&c->out, 0);
    if (ncenters > 0) {
        c->centers = calloc((size_t)ncenters, sizeof *c->centers);
        if (!c->centers) {
            free(c);
            return NULL;
        }
        for (int i = 0; i < ncenters; i++)
            str_copy(c->centers[i], ORG_CODE_MAX, centers[i]);
        c->ncenters = ncenters;
    }
    if (max_s > 0)
        c->deadline_ms = wall_ms() + (int64_t)max_s * 1000;
    buf_printf(&c->out, "retry: 2000\nevent: hello\ndata: %s\n\n", hello ? hello : "{}");
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, c, reader_free);
    if (!resp) {
        buf_release(&c->out);
        free(c->centers);
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&h->mu);
    c->next = h->clients;
    if (h->clients)
        h->clients->prev = c;
    h->clients = c;
    h->n++;
    pthread_mutex_unlock(&h->mu);
    return resp;
}
