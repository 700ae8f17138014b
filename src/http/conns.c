/* The deadline for a request's headers. libmicrohttpd's connection timeout starts again with every
 * byte, so a client that drips one byte a second holds its connection for ever (slowloris). Every
 * open connection is listed here from MHD's notify-connection callback with the time its wait for
 * headers began (when it opened, or when its previous request ended); the access handler marks it
 * busy once the headers are complete. A watchdog thread shuts down the sockets of connections that
 * waited longer than the deadline; MHD then sees the end of the stream and closes them itself. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "core/util.h"
#include "http_int.h"

struct conn_state {
    struct MHD_Connection *conn;
    uint64_t since_ns; /* start of the wait for complete headers */
    int busy;          /* between the complete headers and the end of the reply */
    struct conn_state *prev, *next;
};

struct http_conns {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int started, stop;
    uint64_t deadline_ns;
    struct conn_state *head;
};

/* Called with the lock held: shuts down every connection past the deadline. The lock also keeps
 * each listed socket open, as MHD reports CLOSED (which takes the lock) before closing it. */
static void sweep(struct http_conns *w, uint64_t now)
{
    for (struct conn_state *s = w->head; s; s = s->next) {
        if (s->busy || now - s->since_ns < w->deadline_ns)
            continue;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(s->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci)
            shutdown(ci->connect_fd, SHUT_RDWR);
        s->busy = 1; /* once is enough; MHD closes it on its next look */
    }
}

static void *watch_main(void *arg)
{
    struct http_conns *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int rc = 0;
        while (!w->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&w->cv, &w->mu, &until);
        if (!w->stop)
            sweep(w, now_mono_ns());
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int http__conns_new(int deadline_s, struct http_conns **out)
{
    struct http_conns *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->deadline_ns = (uint64_t)deadline_s * 1000000000ull;
    if (pthread_create(&w->thread, NULL, watch_main, w)) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return -1;
    }
    w->started = 1;
    *out = w;
    return 0;
}

void http__conns_free(struct http_conns *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->started)
        pthread_join(w->thread, NULL);
    while (w->head) { /* none after MHD_stop_daemon; freed in case */
        struct conn_state *s = w->head;
        w->head = s->next;
        free(s);
    }
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

void http__conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                        enum MHD_ConnectionNotificationCode code)
{
    struct http_conns *w = cls;
    struct conn_state *s = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        s = calloc(1, sizeof *s);
        if (!s)
            return; /* not watched: MHD's own timeout still applies */
        s->conn = conn;
        s->since_ns = now_mono_ns();
        pthread_mutex_lock(&w->mu);
        s->next = w->head;
        if (w->head)
            w->head->prev = s;
        w->head = s;
        pthread_mutex_unlock(&w->mu);
        *socket_context = s;
        return;
    }
    if (!s)
        return;
    pthread_mutex_lock(&w->mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        w->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&w->mu);
    free(s);
    *socket_context = NULL;
}

static struct conn_state *state_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void http__conns_busy(struct http_conns *w, struct MHD_Connection *conn, int busy)
{
    struct conn_state *s = state_of(conn);
    if (!s)
        return;
    pthread_mutex_lock(&w->mu);
    s->busy = busy;
    if (!busy)
        s->since_ns = now_mono_ns();
    pthread_mutex_unlock(&w->mu);
}
