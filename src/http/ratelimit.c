/* Login rate limits: fixed windows counted per key ("addr:…", "login:…") in a bounded table.
 * When the table is full the entry whose window started longest ago is reused, so memory stays
 * fixed whatever an attacker sends. Per process: several servers each count on their own. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

#define RL_SLOTS 4096
#define RL_PROBE 16

struct rl_slot {
    uint64_t key;
    int64_t start;
    int64_t last; /* the latest hit */
    int count;
};

struct ratelimit {
    pthread_mutex_t mu;
    unsigned char salt[crypto_shorthash_KEYBYTES];
    struct rl_slot slots[RL_SLOTS];
};

struct ratelimit *http__ratelimit_new(void)
{
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    pthread_mutex_init(&rl->mu, NULL);
    /* A keyed hash: nobody can pick login names that collide on purpose. */
    randombytes_buf(rl->salt, sizeof rl->salt);
    return rl;
}

void http__ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

static uint64_t rl_hash(struct ratelimit *rl, const char *key)
{
    uint64_t h;
    crypto_shorthash((unsigned char *)&h, (const unsigned char *)key, strlen(key), rl->salt);
    return h | 1; /* 0 marks an empty slot */
}

/* Finds the slot for key or, when create is set, takes over an empty slot or else the one whose
 * window started first. Called with the lock held. */
static struct rl_slot *rl_find(struct ratelimit *rl, uint64_t h, int create, int64_t now)
{
    struct rl_slot *victim = NULL;
    for (int i = 0; i < RL_PROBE; i++) {
        struct rl_slot *s = &rl->slots[(h + (uint64_t)i) % RL_SLOTS];
        if (s->key == h)
            return s;
        if (s->key == 0) {
            if (!victim || victim->key != 0)
                victim = s;
        } else if (!victim || (victim->key != 0 && s->start < victim->start)) {
            victim = s;
        }
    }
    if (!create)
        return NULL;
    victim->key = h;
    victim->start = now;
    victim->last = now;
    victim->count = 0;
    return victim;
}

int http__ratelimit_check(struct ratelimit *rl, const char *key, int limit, int window, int64_t now)
{
    uint64_t h = rl_hash(rl, key);
    int wait = 0;
    pthread_mutex_lock(&rl->mu);
    struct rl_slot *s = rl_find(rl, h, 0, now);
    if (s && now - s->start < window && s->count >= limit)
        wait = (int)(s->start + window - now);
    pthread_mutex_unlock(&rl->mu);
    return wait > 0 ? wait : 0;
}

void http__ratelimit_hit(struct ratelimit *rl, const char *key, int window, int64_t now)
{
    uint64_t h = rl_hash(rl, key);
    pthread_mutex_lock(&rl->mu);
    struct rl_slot *s = rl_find(rl, h, 1, now);
    if (now - s->start >= window) {
        s->start = now;
        s->count = 0;
    }
    s->count++;
    s->last = now;
    pthread_mutex_unlock(&rl->mu);
}

int http__ratelimit_backoff(struct ratelimit *rl, const char *key, int free_hits, int cap,
                            int window, int64_t now)
{
    uint64_t h = rl_hash(rl, key);
    int64_t wait = 0;
    pthread_mutex_lock(&rl->mu);
    struct rl_slot *s = rl_find(rl, h, 0, now);
    if (s && now - s->start < window && s->count >= free_hits) {
        int over = s->count - free_hits;
        int64_t delay = over >= 24 ? cap : (int64_t)5 << over;
        if (delay > cap)
            delay = cap;
        wait = s->last + delay - now;
    }
    pthread_mutex_unlock(&rl->mu);
    return wait > 0 ? (int)wait : 0;
}

void http__ratelimit_clear(struct ratelimit *rl, const char *key)
{
    uint64_t h = rl_hash(rl, key);
    pthread_mutex_lock(&rl->mu);
    struct rl_slot *s = rl_find(rl, h, 0, 0);
    if (s)
        memset(s, 0, sizeof *s);
    pthread_mutex_unlock(&rl->mu);
}
