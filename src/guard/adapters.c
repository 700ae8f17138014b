/* The log-only adapter and the webhook notifier. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/util.h"
#include "notify.h"

/* ---- log-only adapter: the one place in src/guard that logs, because logging is its job ---- */

static int log_notify(void *ud, const char *call_id, const char *alert_json)
{
    (void)ud;
    log_msg(LOG_INFO, "guard %s: notify %s", call_id, alert_json);
    return 0;
}

static int log_play(void *ud, const char *call_id, const char *prompt)
{
    (void)ud;
    log_msg(LOG_INFO, "guard %s: play %s", call_id, prompt);
    return 0;
}

static int log_end(void *ud, const char *call_id)
{
    (void)ud;
    log_msg(LOG_INFO, "guard %s: end call", call_id);
    return 0;
}

static int log_voicebot(void *ud, const char *call_id)
{
    (void)ud;
    log_msg(LOG_INFO, "guard %s: route to the voicebot", call_id);
    return 0;
}

static int log_release(void *ud, const char *call_id)
{
    (void)ud;
    log_msg(LOG_INFO, "guard %s: release to an operator", call_id);
    return 0;
}

struct guard_actions guard_log_actions(void)
{
    return (struct guard_actions){NULL, log_notify, log_play, log_end, log_voicebot, log_release};
}

/* ---- webhook ---- */

#define WEBHOOK_QUEUE_MAX 10000

struct hook_msg {
    struct hook_msg *next;
    char *body;
};

struct guard_webhook {
    char url[512];
    int retries;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct hook_msg *head, *tail;
    size_t n;
    int stop;
    struct guard_webhook_stats st;
};

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static int post_once(CURL *h, const char *url, const char *body)
{
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "ikiiki-guard");
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    return rc == CURLE_OK && status >= 200 && status < 300 ? 0 : -1;
}

/* Waits ms unless the webhook is stopping (then the remaining retries go quickly). */
static void backoff(guard_webhook *w, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    if (!w->stop)
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    pthread_mutex_unlock(&w->mu);
}

static void deliver(guard_webhook *w, CURL *h, const char *body)
{
    long wait = 500;
    for (int attempt = 0; attempt <= w->retries; attempt++) {
        if (attempt)
            backoff(w, wait), wait *= 2;
        int ok = post_once(h, w->url, body) == 0;
        pthread_mutex_lock(&w->mu);
        w->st.attempts++;
        if (ok)
            w->st.delivered++;
        else if (attempt == w->retries)
            w->st.failed++;
        pthread_mutex_unlock(&w->mu);
        if (ok)
            return;
    }
}

static void *hook_main(void *arg)
{
    guard_webhook *w = arg;
    CURL *h = curl_easy_init();
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        struct hook_msg *m = w->head;
        if (!m)
            break;
        w->head = m->next;
        if (!w->head)
            w->tail = NULL;
        w->n--;
        pthread_mutex_unlock(&w->mu);
        if (h)
            deliver(w, h, m->body);
        free(m->body);
        free(m);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    curl_easy_cleanup(h);
    return NULL;
}

static int hook_notify(void *ud, const char *call_id, const char *alert_json)
{
    (void)call_id;
    guard_webhook *w = ud;
    struct hook_msg *m = calloc(1, sizeof *m);
    if (!m || !(m->body = strdup(alert_json))) {
        free(m);
        return -1;
    }
    pthread_mutex_lock(&w->mu);
    if (w->n >= WEBHOOK_QUEUE_MAX) {
        w->st.failed++;
        pthread_mutex_unlock(&w->mu);
        free(m->body);
        free(m);
        return -1;
    }
    if (w->tail)
        w->tail->next = m;
    else
        w->head = m;
    w->tail = m;
    w->n++;
    w->st.queued++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

int guard_webhook_new(const char *url, int retries, guard_webhook **out, char *err, size_t errlen)
{
    if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
        snprintf(err, errlen, "webhook: \"%.80s\" is not an http:// or https:// URL",
                 url ? url : "");
        return -1;
    }
    guard_webhook *w = calloc(1, sizeof *w);
    if (!w || str_copy(w->url, sizeof w->url, url)) {
        free(w);
        snprintf(err, errlen, "webhook: URL too long");
        return -1;
    }
    /* curl_global_init is not thread-safe on old libcurl; done once here at start-up. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    w->retries = retries < 0 ? 0 : retries;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, hook_main, w) != 0) {
        free(w);
        snprintf(err, errlen, "webhook: cannot start its thread");
        return -1;
    }
    *out = w;
    return 0;
}

void guard_webhook_free(guard_webhook *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

struct guard_actions guard_webhook_actions(guard_webhook *w)
{
    return (struct guard_actions){w, hook_notify, NULL, NULL, NULL, NULL};
}

void guard_webhook_stats(guard_webhook *w, struct guard_webhook_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->st;
    pthread_mutex_unlock(&w->mu);
}
