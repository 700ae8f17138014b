/* Private to src/guard: the engine's state, its outbox of actions and the writer thread. */
#ifndef IKIIKI_GUARD_INT_H
#define IKIIKI_GUARD_INT_H

#include <pthread.h>

#include "core/buf.h"
#include "guard.h"
#include "org/org.h"
#include "store/store_guard.h"

#define GUARD_HASH        4096
#define GUARD_TIMELINE    400 /* timeline entries kept in memory per call; the store keeps all */
#define GUARD_DEMANDS     16
#define GUARD_EXCERPT     900
#define GUARD_LAT_SAMPLES 65536

enum risk { RISK_NONE, RISK_LOW, RISK_MEDIUM, RISK_HIGH };

/* A policy version and the calls that use it: a call keeps the policy it started with, so a
 * reload never changes the stages of a call in progress. refs is guarded by the engine mutex. */
struct gpol {
    harass_policy *owned; /* NULL for the one borrowed from the config */
    const harass_policy *p;
    const struct harass_guard_policy *gp;
    int version;
    int refs;
};

struct gcall {
    struct gcall *next; /* hash chain */
    char id[GUARD_ID_MAX];
    char caller[64]; /* as given; memory only, never stored */
    char caller_ref[65];
    char op[ORG_LOGIN_MAX];
    char center[ORG_CODE_MAX];
    enum guard_mode mode;
    struct gpol *pol; /* holds a reference */
    int64_t started_ms;
    int detections;
    enum risk risk;
    int pending_end;
    int warnings; /* warnings played */
    int long_alerted, long_detected, closing;
    int64_t last_shout_ms;
    int known, blocked, in_voicebot;
    int ndemand;
    struct {
        char code[GUARD_CODE_MAX];
        int n;
    } demand[GUARD_DEMANDS];
    int mild;            /* customer utterances with milder abuse (see GUARD_MILD) so far */
    char mild_cats[256]; /* their top categories, comma-separated */
    char cats[512];      /* categories detected, comma-separated, first seen first */
    struct buf excerpt;
    json_t *evidence; /* [{kind, ref}] */
    json_t *timeline; /* the newest GUARD_TIMELINE entries */
    int64_t nevents;
    int unheard; /* no publish notifier: state and alert events are not dumped for it */
};

/* What a decision asks to be done once the mutex is released. */
enum op_kind { OP_NOTIFY, OP_PLAY, OP_END, OP_VOICEBOT, OP_RELEASE, OP_PUBLISH };
struct op {
    enum op_kind kind;
    char call[GUARD_ID_MAX];
    char center[ORG_CODE_MAX];
    char arg[GUARD_PROMPT_MAX]; /* prompt, or the publish kind */
    char *json;                 /* owned: alert or event text */
};
struct outbox {
    struct op *ops;
    size_t n, cap;
    uint64_t t0; /* when the event came in (monotonic ns) */
};

struct writer;

struct guard_engine {
    struct guard_config cfg;
    const struct harass_guard_policy *gp; /* of pol, the policy in force for new calls */
    struct gpol *pol;                     /* holds a reference; guarded by mu */
    int64_t policy_checked_ms;            /* last reload check asked of the writer */
    enum guard_mode mode;
    pthread_mutex_t mu;
    struct gcall *calls[GUARD_HASH];
    int ncalls;
    struct guard_actions adapters[GUARD_MAX_ADAPTERS];
    int nadapters;
    /* Detectors for threads to borrow: one thread at a time each. */
    pthread_mutex_t det_mu;
    guard_detector **dets;
    size_t ndets, capdets;
    /* Event-to-dispatch latency in µs, a ring of the newest samples. */
    pthread_mutex_t lat_mu;
    uint32_t *lat;
    size_t nlat;
    int64_t events, actions;
    struct writer *writer;
    pthread_t timer;
    int timer_on;
    pthread_mutex_t timer_mu;
    pthread_cond_t timer_cv;
    int stopping;
};

/* engine.c */
int64_t guard__now_ms(void);
/* The engine's clock (guard_config.clock, else the real time). */
int64_t guard__clock(const guard_engine *g);
/* Drops a reference to a policy; takes the engine mutex. */
void guard__pol_release(guard_engine *g, struct gpol *pol);
void guard__dispatch(guard_engine *g, struct outbox *ob);
/* The writer's answer about a caller (see writer.c). */
void guard__caller_known(guard_engine *g, const char *call_id, const char *caller_ref, int blocked,
                         const char *reason, int64_t verdicts);
/* The harassment case the writer opened for an ended call (0 when it could not). */
void guard__case_opened(guard_engine *g, const char *call_id, int64_t case_id, const char *why);

/* writer.c: the thread that owns the engine's store connection. Every function queues and
 * returns; strings are copied. */
int guard__writer_new(guard_engine *g, const char *db_url, struct writer **out, char *err,
                      size_t errlen);
/* Flushes the queue and ends the thread. */
void guard__writer_free(struct writer *w);
void guard__writer_event(struct writer *w, const char *call_id, int64_t at, const char *kind,
                         const char *detail);
void guard__writer_call(struct writer *w, const struct store_guard_call *c, const char *caller);
/* Looks the caller up in the block list (rows for every center and for center) and in earlier
 * harassment verdicts of the last days days. */
void guard__writer_lookup(struct writer *w, const char *call_id, const char *caller,
                          const char *center, int days);
/* Opens the call's harassment case under policy pol (the job takes over one reference), then
 * stores the call row with its case id. */
void guard__writer_case(struct writer *w, const struct store_guard_call *c, const char *caller,
                        const char *excerpt, const char *evidence, int behaviour, int demand,
                        struct gpol *pol);
/* Asks the store for the policy version in force; a newer one is put in force. */
void guard__writer_policy_check(struct writer *w);

#endif
