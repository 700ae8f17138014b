/* The engine's writer: one thread that owns a store connection and does, in order, everything the
 * engine asks of the store (timeline rows, call rows, caller look-ups, harassment cases), so no
 * HTTP or media thread waits on SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "guard_int.h"
#include "harass/harass.h"
#include "store/store_guard.h"
#include "store/store_harass.h"

#define WRITER_QUEUE_MAX 200000 /* jobs; past it new timeline rows are dropped and counted */

enum job_kind { JOB_EVENT, JOB_CALL, JOB_LOOKUP, JOB_CASE, JOB_POLICY };

struct job {
    struct job *next;
    enum job_kind kind;
    char call_id[GUARD_ID_MAX];
    char caller[64];
    int64_t at;
    char kind_name[32];
    char *text; /* owned: event detail, or case excerpt */
    char *evidence;
    int behaviour, demand;
    int days;         /* lookup: verdicts of the last days count */
    struct gpol *pol; /* case: the call's policy, one reference */
    char center[ORG_CODE_MAX];
    struct store_guard_call row;
};

struct writer {
    guard_engine *g;
    store *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    size_t n;
    int64_t dropped;
    int stop;
    unsigned char key[32];
    int have_key;
};

static void push(struct writer *w, struct job *j)
{
    pthread_mutex_lock(&w->mu);
    if (w->n >= WRITER_QUEUE_MAX && j->kind == JOB_EVENT) {
        w->dropped++;
        pthread_mutex_unlock(&w->mu);
        free(j->text);
        free(j);
        return;
    }
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    w->n++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static struct job *job_new(enum job_kind k, const char *call_id)
{
    struct job *j = calloc(1, sizeof *j);
    if (j) {
        j->kind = k;
        str_copy(j->call_id, sizeof j->call_id, call_id);
    }
    return j;
}

void guard__writer_event(struct writer *w, const char *call_id, int64_t at, const char *kind,
                         const char *detail)
{
    struct job *j = job_new(JOB_EVENT, call_id);
    if (!j)
        return;
    j->at = at;
    str_copy(j->kind_name, sizeof j->kind_name, kind);
    j->text = strdup(detail);
    push(w, j);
}

void guard__writer_call(struct writer *w, const struct store_guard_call *c, const char *caller)
{
    struct job *j = job_new(JOB_CALL, c->call_id);
    if (!j)
        return;
    j->row = *c;
    str_copy(j->caller, sizeof j->caller, caller ? caller : "");
    push(w, j);
}

void guard__writer_lookup(struct writer *w, const char *call_id, const char *caller,
                          const char *center, int days)
{
    struct job *j = job_new(JOB_LOOKUP, call_id);
    if (!j)
        return;
    str_copy(j->caller, sizeof j->caller, caller);
    str_copy(j->center, sizeof j->center, center ? center : "");
    j->days = days;
    push(w, j);
}

void guard__writer_policy_check(struct writer *w)
{
    struct job *j = job_new(JOB_POLICY, "");
    if (j)
        push(w, j);
}

void guard__writer_case(struct writer *w, const struct store_guard_call *c, const char *caller,
                        const char *excerpt, const char *evidence, int behaviour, int demand,
                        struct gpol *pol)
{
    struct job *j = job_new(JOB_CASE, c->call_id);
    if (!j) {
        guard__pol_release(w->g, pol);
        return;
    }
    j->pol = pol;
    j->row = *c;
    str_copy(j->caller, sizeof j->caller, caller ? caller : "");
    j->text = strdup(excerpt);
    j->evidence = strdup(evidence);
    j->behaviour = behaviour;
    j->demand = demand;
    push(w, j);
}

/* A caller given as 64 hex digits is a reference already (the media side may only know that). */
static int is_ref(const char *s)
{
    size_t n = strlen(s);
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static void caller_ref(struct writer *w, const char *caller, char *ref)
{
    ref[0] = '\0';
    if (!caller[0])
        return;
    if (is_ref(caller)) {
        str_copy(ref, 65, caller);
        return;
    }
    if (!w->have_key && w->g->cfg.caller_key) {
        memcpy(w->key, w->g->cfg.caller_key, 32);
        w->have_key = 1;
    }
    if (!w->have_key && harass_caller_key(w->db, w->key) == 0)
        w->have_key = 1;
    if (!w->have_key || harass_caller_ref(w->key, caller, ref))
        ref[0] = '\0';
}

static void do_lookup(struct writer *w, struct job *j)
{
    char ref[65], reason[256] = "";
    caller_ref(w, j->caller, ref);
    if (!ref[0])
        return;
    int blocked = 0;
    int64_t verdicts = 0;
    int64_t since = now_unix() - (int64_t)j->days * 86400;
    if (store_guard_block_match(w->db, ref, j->center, &blocked, reason) ||
        store_guard_caller_verdicts(w->db, ref, since, &verdicts))
        return;
    guard__caller_known(w->g, j->call_id, ref, blocked, reason, verdicts);
}

static void do_case(struct writer *w, struct job *j)
{
    const struct harass_policy *p = j->pol->p;
    char err[300] = "";
    struct harass_case out;
    struct harass_flag_input in = {
        .center = j->row.center,
        .operator= j->row.operator_login,
        .behaviour = j->behaviour,
        .demand = j->demand,
        .categories = j->row.categories,
        .channel = "phone",
        .interaction = j->row.call_id,
        .occurred_at = j->row.started_at / 1000,
        .memo = j->text,
        .caller_number = j->caller[0] ? j->caller : NULL,
        .source = "guard",
        .evidence = j->evidence,
        .by = "guard",
    };
    /* A caller known only by reference cannot be hashed again: keep the reference as it is. */
    if (in.caller_number && is_ref(in.caller_number))
        in.caller_number = NULL;
    int rc = harass_flag(w->db, p, j->pol->version, &in, &out, err, sizeof err);
    if (rc == HARASS_OK)
        j->row.case_id = out.id;
    caller_ref(w, j->caller, j->row.caller_ref);
    store_guard_call_put(w->db, &j->row);
    guard__case_opened(w->g, j->row.call_id, rc == HARASS_OK ? out.id : 0, err);
}

/* A policy version newer than the engine's goes into force for the calls that start next. */
static void do_policy(struct writer *w)
{
    int version = 0;
    char *doc = NULL;
    if (store_harass_policy_version(w->db, &version) ||
        version <= guard_engine_policy_version(w->g) ||
        store_harass_policy_latest(w->db, &version, &doc))
        return;
    json_t *root = json_loads(doc, 0, NULL);
    free(doc);
    harass_policy *p = NULL;
    char err[300];
    /* A stored version that does not load (it was checked when stored) leaves the old one. */
    if (root && harass_policy_from_json(root, &p, err, sizeof err) == 0)
        guard_engine_set_policy(w->g, p, version);
    json_decref(root);
}

static void run(struct writer *w, struct job *j)
{
    switch (j->kind) {
    case JOB_EVENT:
        store_guard_event_add(w->db, j->call_id, j->at, j->kind_name, j->text);
        break;
    case JOB_CALL:
        if (!j->row.caller_ref[0])
            caller_ref(w, j->caller, j->row.caller_ref);
        store_guard_call_put(w->db, &j->row);
        break;
    case JOB_LOOKUP:
        do_lookup(w, j);
        break;
    case JOB_CASE:
        do_case(w, j);
        break;
    case JOB_POLICY:
        do_policy(w);
        break;
    }
}

/* Runs queued jobs in batches of one transaction: a burst of timeline rows costs one commit. */
static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->head && w->stop)
            break;
        struct job *batch = w->head;
        w->head = w->tail = NULL;
        w->n = 0;
        pthread_mutex_unlock(&w->mu);
        int tx = store_begin(w->db) == STORE_OK;
        while (batch) {
            struct job *next = batch->next;
            run(w, batch);
            if (batch->pol)
                guard__pol_release(w->g, batch->pol);
            free(batch->text);
            free(batch->evidence);
            free(batch);
            batch = next;
        }
        if (tx && store_commit(w->db) != STORE_OK)
            store_rollback_all(w->db);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int guard__writer_new(guard_engine *g, const char *db_url, struct writer **out, char *err,
                      size_t errlen)
{
    struct writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "guard: out of memory");
        return -1;
    }
    w->g = g;
    if (store_open(db_url, &w->db, err, errlen)) {
        free(w);
        return -1;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        store_free(w->db);
        free(w);
        snprintf(err, errlen, "guard: cannot start the writer thread");
        return -1;
    }
    *out = w;
    return 0;
}

void guard__writer_free(struct writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    store_free(w->db);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
