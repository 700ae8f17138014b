/* The event bus: local delivery at once, and with PostgreSQL a NOTIFY on channel ikiiki_guard
 * from a sender thread plus a LISTEN thread that hands other servers' events to local delivery.
 * Each connection is the bus's own: a listening connection runs nothing else. */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "notify.h"
#include "store/store.h"

#define BUS_CHANNEL   "ikiiki_guard"
#define BUS_QUEUE_MAX 20000
#define BUS_PAYLOAD   7900 /* PostgreSQL refuses NOTIFY payloads of 8000 bytes or more */

struct bus_msg {
    struct bus_msg *next;
    char *payload;
};

struct guard_bus {
    guard_bus_fn local;
    void *ud;
    char origin[17]; /* this server's random id, so it skips its own notifications */
    int shared;
    store *tx, *rx;
    pthread_t sender, listener;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct bus_msg *head, *tail;
    size_t n;
    int stop;
};

/* Events too big for a notification travel as their summary. */
static char *payload_of(guard_bus *b, const char *center, const char *kind, const char *json)
{
    json_t *ev = json_loads(json, 0, NULL);
    if (!ev)
        return NULL;
    json_t *msg =
        json_pack("{s:s, s:s, s:s, s:O}", "o", b->origin, "c", center, "k", kind, "e", ev);
    char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    if (text && strlen(text) > BUS_PAYLOAD) {
        free(text);
        json_t *small = json_pack(
            "{s:O?, s:O?, s:O?, s:O?, s:O?, s:b}", "call", json_object_get(ev, "call"), "center",
            json_object_get(ev, "center"), "rule", json_object_get(ev, "rule"), "risk",
            json_object_get(ev, "risk"), "id", json_object_get(ev, "id"), "truncated", 1);
        json_object_set_new(msg, "e", small);
        text = json_dumps(msg, JSON_COMPACT);
    }
    json_decref(msg);
    json_decref(ev);
    return text;
}

static void bus_publish(void *ud, const char *center, const char *kind, const char *json)
{
    guard_bus *b = ud;
    b->local(b->ud, center, kind, json);
    if (!b->shared)
        return;
    struct bus_msg *m = calloc(1, sizeof *m);
    if (!m || !(m->payload = payload_of(b, center, kind, json))) {
        free(m);
        return;
    }
    pthread_mutex_lock(&b->mu);
    if (b->n >= BUS_QUEUE_MAX) {
        pthread_mutex_unlock(&b->mu);
        free(m->payload);
        free(m);
        return;
    }
    if (b->tail)
        b->tail->next = m;
    else
        b->head = m;
    b->tail = m;
    b->n++;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void *sender_main(void *arg)
{
    guard_bus *b = arg;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->head && !b->stop)
            pthread_cond_wait(&b->cv, &b->mu);
        struct bus_msg *m = b->head;
        if (!m)
            break;
        b->head = m->next;
        if (!b->head)
            b->tail = NULL;
        b->n--;
        pthread_mutex_unlock(&b->mu);
        store_notify(b->tx, BUS_CHANNEL, m->payload);
        free(m->payload);
        free(m);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static void on_payload(void *ud, const char *payload)
{
    guard_bus *b = ud;
    json_t *msg = json_loads(payload, 0, NULL);
    const char *o = json_string_value(json_object_get(msg, "o"));
    const char *c = json_string_value(json_object_get(msg, "c"));
    const char *k = json_string_value(json_object_get(msg, "k"));
    json_t *e = json_object_get(msg, "e");
    if (o && c && k && json_is_object(e) && strcmp(o, b->origin) != 0) {
        char *text = json_dumps(e, JSON_COMPACT);
        if (text)
            b->local(b->ud, c, k, text);
        free(text);
    }
    json_decref(msg);
}

static int stopping(guard_bus *b)
{
    pthread_mutex_lock(&b->mu);
    int s = b->stop;
    pthread_mutex_unlock(&b->mu);
    return s;
}

static void *listener_main(void *arg)
{
    guard_bus *b = arg;
    while (!stopping(b))
        if (store_wait_notify(b->rx, 200, on_payload, b) < 0)
            break;
    return NULL;
}

int guard_bus_new(const char *db_url, guard_bus_fn local, void *ud, guard_bus **out, char *err,
                  size_t errlen)
{
    guard_bus *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "bus: out of memory");
        return -1;
    }
    err[0] = '\0';
    b->local = local;
    b->ud = ud;
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(b->origin, sizeof b->origin, r, sizeof r);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    if (db_url &&
        (strncmp(db_url, "postgresql://", 13) == 0 || strncmp(db_url, "postgres://", 11) == 0)) {
        if (store_open(db_url, &b->tx, err, errlen) || store_open(db_url, &b->rx, err, errlen) ||
            store_listen(b->rx, BUS_CHANNEL)) {
            if (b->rx && !err[0])
                snprintf(err, errlen, "bus: %s", store_errmsg(b->rx));
            store_free(b->tx);
            store_free(b->rx);
            free(b);
            return -1;
        }
        b->shared = 1;
        pthread_create(&b->sender, NULL, sender_main, b);
        pthread_create(&b->listener, NULL, listener_main, b);
    }
    *out = b;
    return 0;
}

void guard_bus_free(guard_bus *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    if (b->shared) {
        pthread_join(b->sender, NULL);
        pthread_join(b->listener, NULL);
    }
    store_free(b->tx);
    store_free(b->rx);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b);
}

struct guard_notifier guard_bus_notifier(guard_bus *b)
{
    return (struct guard_notifier){b, bus_publish};
}

int guard_bus_shared(const guard_bus *b)
{
    return b->shared;
}
