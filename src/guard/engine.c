/* The call guard engine: call state, the call-level rules and the staged responses. Decisions are
 * made under the engine mutex into an outbox; the outbox is dispatched after the mutex is
 * released (see the callback rule in guard.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "guard_int.h"
#include "store/store_guard.h"

static const char *const mode_names[] = {"policy", "advisory", "assisted", "automatic"};
static const char *const risk_names[] = {"none", "low", "medium", "high"};

const char *guard_mode_name(enum guard_mode m)
{
    return m >= 0 && m <= GUARD_AUTOMATIC ? mode_names[m] : "?";
}

int guard_mode_parse(const char *s, enum guard_mode *out)
{
    for (int m = GUARD_ADVISORY; m <= GUARD_AUTOMATIC; m++)
        if (s && strcmp(s, mode_names[m]) == 0) {
            *out = (enum guard_mode)m;
            return 0;
        }
    return -1;
}

int64_t guard__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t guard__clock(const guard_engine *g)
{
    return g->cfg.clock ? g->cfg.clock(g->cfg.clock_ud) : guard__now_ms();
}

int guard_call_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n >= GUARD_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

/* ---- outbox ---- */

static struct op *ob_push(struct outbox *ob, enum op_kind k, const struct gcall *c, const char *arg)
{
    if (ob->n == ob->cap) {
        size_t cap = ob->cap ? ob->cap * 2 : 8;
        struct op *o = realloc(ob->ops, cap * sizeof *o);
        if (!o)
            return NULL;
        ob->ops = o;
        ob->cap = cap;
    }
    struct op *o = &ob->ops[ob->n++];
    memset(o, 0, sizeof *o);
    o->kind = k;
    str_copy(o->call, sizeof o->call, c->id);
    str_copy(o->center, sizeof o->center, c->center);
    str_copy(o->arg, sizeof o->arg, arg ? arg : "");
    return o;
}

static void ob_release(struct outbox *ob)
{
    for (size_t i = 0; i < ob->n; i++)
        free(ob->ops[i].json);
    free(ob->ops);
    memset(ob, 0, sizeof *ob);
}

/* ---- calls ---- */

static unsigned hash_id(const char *id)
{
    return fnv1a_str(id) % GUARD_HASH;
}

static struct gcall *find_call(guard_engine *g, const char *id)
{
    for (struct gcall *c = g->calls[hash_id(id)]; c; c = c->next)
        if (strcmp(c->id, id) == 0)
            return c;
    return NULL;
}

/* ---- policies ---- */

/* Drops a reference; the engine mutex is held. */
static void pol_unref(struct gpol *pol)
{
    if (pol && --pol->refs == 0) {
        harass_policy_free(pol->owned);
        free(pol);
    }
}

void guard__pol_release(guard_engine *g, struct gpol *pol)
{
    pthread_mutex_lock(&g->mu);
    pol_unref(pol);
    pthread_mutex_unlock(&g->mu);
}

/* The mode new calls get: the configured one, else the policy's (assisted when it names none). */
static enum guard_mode mode_for(const guard_engine *g, const struct harass_guard_policy *gp)
{
    enum guard_mode m = g->cfg.mode;
    if (m == GUARD_MODE_POLICY && guard_mode_parse(gp->mode, &m))
        m = GUARD_ASSISTED;
    return m;
}

int guard_engine_set_policy(guard_engine *g, harass_policy *p, int version)
{
    struct gpol *pol = p ? calloc(1, sizeof *pol) : NULL;
    if (!pol) {
        harass_policy_free(p);
        return p ? GUARD_ENOMEM : GUARD_EINVAL;
    }
    pol->owned = p;
    pol->p = p;
    pol->gp = harass_policy_guard(p);
    pol->version = version;
    pol->refs = 1;
    pthread_mutex_lock(&g->mu);
    int rc = GUARD_OK;
    if (version < g->pol->version) {
        rc = GUARD_ESTATE;
        pol_unref(pol);
    } else {
        pol_unref(g->pol);
        g->pol = pol;
        g->gp = pol->gp;
        __atomic_store_n(&g->mode, mode_for(g, pol->gp), __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&g->mu);
    return rc;
}

int guard_engine_policy_version(guard_engine *g)
{
    pthread_mutex_lock(&g->mu);
    int v = g->pol->version;
    pthread_mutex_unlock(&g->mu);
    return v;
}

static void call_free(struct gcall *c)
{
    if (!c)
        return;
    pol_unref(c->pol);
    buf_release(&c->excerpt);
    json_decref(c->evidence);
    json_decref(c->timeline);
    free(c);
}

static void unlink_call(guard_engine *g, struct gcall *c)
{
    struct gcall **pp = &g->calls[hash_id(c->id)];
    while (*pp && *pp != c)
        pp = &(*pp)->next;
    if (*pp)
        *pp = c->next;
    g->ncalls--;
}

static void row_of(const guard_engine *g, const struct gcall *c, struct store_guard_call *r)
{
    (void)g;
    memset(r, 0, sizeof *r);
    str_copy(r->call_id, sizeof r->call_id, c->id);
    str_copy(r->center, sizeof r->center, c->center);
    str_copy(r->operator_login, sizeof r->operator_login, c->op);
    str_copy(r->caller_ref, sizeof r->caller_ref, c->caller_ref);
    str_copy(r->mode, sizeof r->mode, guard_mode_name(c->mode));
    r->started_at = c->started_ms;
    str_copy(r->risk, sizeof r->risk, risk_names[c->risk]);
    const struct harass_guard_policy *gp = c->pol->gp;
    r->stage = c->detections < gp->nstages ? c->detections : gp->nstages;
    r->detections = c->detections;
    str_copy(r->categories, sizeof r->categories, c->cats);
    r->policy_version = c->pol->version;
}

/* Appends an entry to the call's timeline (memory and store). Takes ownership of ev. */
static void timeline_add(guard_engine *g, struct gcall *c, const char *kind, json_t *ev)
{
    if (!ev)
        return;
    c->nevents++;
    if (g->cfg.no_timeline && !g->writer) {
        json_decref(ev); /* nobody keeps it */
        return;
    }
    int64_t at = guard__clock(g);
    json_object_set_new(ev, "at", json_integer(at));
    json_object_set_new(ev, "kind", json_string(kind));
    /* Only the store wants the text; without a writer (guard analyze) the dump was wasted. */
    char *text = g->writer ? json_dumps(ev, JSON_COMPACT) : NULL;
    if (text)
        guard__writer_event(g->writer, c->id, at, kind, text);
    free(text);
    if (g->cfg.no_timeline) {
        json_decref(ev);
        return;
    }
    if (json_array_size(c->timeline) >= GUARD_TIMELINE)
        json_array_remove(c->timeline, 0);
    json_array_append_new(c->timeline, ev);
}

static void publish(struct outbox *ob, const struct gcall *c, const char *kind, json_t *ev)
{
    if (c->unheard)
        return;
    struct op *o = ob_push(ob, OP_PUBLISH, c, kind);
    if (o)
        o->json = json_dumps(ev, JSON_COMPACT);
}

static json_t *call_summary(const struct gcall *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:b, s:b, s:b, s:s}", "id", c->id,
                     "caller_ref", c->caller_ref, "operator", c->op, "center", c->center, "mode",
                     guard_mode_name(c->mode), "started_at", (json_int_t)c->started_ms, "risk",
                     risk_names[c->risk], "detections", c->detections, "pending_end",
                     c->pending_end, "known_caller", c->known, "blocked", c->blocked, "categories",
                     c->cats);
}

static void state_changed(struct outbox *ob, const struct gcall *c, const char *what)
{
    if (c->unheard)
        return; /* guard analyze: a summary per decision that nobody reads */
    json_t *ev = call_summary(c);
    json_object_set_new(ev, "change", json_string(what));
    publish(ob, c, "state", ev);
    json_decref(ev);
}

static struct gcall *call_get_or_new(guard_engine *g, const char *id, struct outbox *ob, int *isnew)
{
    struct gcall *c = find_call(g, id);
    *isnew = 0;
    if (c)
        return c;
    if (g->ncalls >= GUARD_MAX_CALLS)
        return NULL;
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->unheard = !g->cfg.notifier.publish;
    c->timeline = json_array();
    c->evidence = json_pack("[{s:s, s:s}]", "kind", "guard_call", "ref", id);
    buf_init(&c->excerpt, GUARD_EXCERPT);
    if (!c->timeline || !c->evidence) {
        call_free(c);
        return NULL;
    }
    str_copy(c->id, sizeof c->id, id);
    c->mode = g->mode;
    c->started_ms = guard__clock(g);
    c->pol = g->pol;
    c->pol->refs++;
    unsigned h = hash_id(id);
    c->next = g->calls[h];
    g->calls[h] = c;
    g->ncalls++;
    *isnew = 1;
    (void)ob;
    return c;
}

/* ---- decisions ---- */

static void add_code(char *list, size_t cap, const char *code)
{
    size_t n = strlen(code), len = strlen(list);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, code, n) == 0)
            return;
        p += k + (p[k] == ',');
    }
    if (len + n + 2 < cap)
        snprintf(list + len, cap - len, "%s%s", len ? "," : "", code);
}

static void add_category(struct gcall *c, const char *code)
{
    add_code(c->cats, sizeof c->cats, code);
}

static void raise_risk(struct gcall *c, enum risk r)
{
    if (r > c->risk)
        c->risk = r;
}

/* The notify op: the alert goes to every adapter's notify (webhook, media side) and to the
 * dashboards. */
static void alert(struct outbox *ob, const struct gcall *c, json_t *decision)
{
    struct op *o = ob_push(ob, OP_NOTIFY, c, NULL);
    if (o)
        o->json = json_dumps(decision, JSON_COMPACT);
    publish(ob, c, "alert", decision);
}

static void do_end(struct outbox *ob, struct gcall *c, json_t *actions)
{
    ob_push(ob, OP_PLAY, c, "closing");
    ob_push(ob, OP_END, c, NULL);
    json_array_append_new(actions, json_string("play:closing"));
    json_array_append_new(actions, json_string("end_call"));
    c->closing = 1;
    c->pending_end = 0;
}

/* A new decision object with the reasons every decision carries. */
static json_t *decision_new(const guard_engine *g, const struct gcall *c, const char *rule,
                            json_t *reasons)
{
    if (!reasons)
        reasons = json_object();
    (void)g;
    json_object_set_new(reasons, "policy_version", json_integer(c->pol->version));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:[]}", "call", c->id, "center",
                     c->center, "operator", c->op, "rule", rule, "mode", guard_mode_name(c->mode),
                     "risk", risk_names[c->risk], "detection", c->detections, "reasons", reasons,
                     "actions");
}

static void decision_done(guard_engine *g, struct gcall *c, struct outbox *ob, json_t *d,
                          int notify)
{
    json_object_set_new(d, "risk", json_string(risk_names[c->risk]));
    json_object_set_new(d, "pending_end", json_boolean(c->pending_end));
    if (notify) {
        json_array_insert_new(json_object_get(d, "actions"), 0, json_string("notify"));
        alert(ob, c, d);
    }
    timeline_add(g, c, "decision", json_incref(d));
    json_decref(d);
    state_changed(ob, c, "decision");
}

/* The n-th harassment detection of a call: the policy's stage n, as the mode allows. */
static void detection(guard_engine *g, struct gcall *c, struct outbox *ob, const char *rule,
                      json_t *reasons)
{
    c->detections++;
    raise_risk(c, c->detections >= 2 ? RISK_HIGH : RISK_MEDIUM);
    const struct harass_guard_policy *gp = c->pol->gp;
    int idx = c->detections <= gp->nstages ? c->detections - 1 : gp->nstages - 1;
    const struct harass_guard_stage *st = &gp->stage[idx];
    json_t *d = decision_new(g, c, rule, reasons);
    json_t *actions = json_object_get(d, "actions");
    static const char *const steps[] = {"notify", "warn", "end"};
    json_object_set_new(d, "stage", json_integer(idx + 1));
    json_object_set_new(d, "step", json_string(steps[st->step]));
    if (c->closing) {
        json_object_set_new(d, "note", json_string("closing already"));
    } else if (st->step == GSTEP_WARN) {
        if (c->mode == GUARD_ADVISORY) {
            json_object_set_new(d, "suggested", json_string("warn"));
        } else {
            ob_push(ob, OP_PLAY, c, st->prompt);
            c->warnings++;
            json_array_append_new(actions, json_pack("s+", "play:", st->prompt));
        }
    } else if (st->step == GSTEP_END) {
        if (c->mode == GUARD_AUTOMATIC) {
            do_end(ob, c, actions);
        } else if (c->mode == GUARD_ASSISTED) {
            c->pending_end = 1;
            json_object_set_new(d, "awaiting", json_string("confirm"));
        } else {
            json_object_set_new(d, "suggested", json_string("end"));
        }
    }
    decision_done(g, c, ob, d, 1);
}

static json_t *result_reasons(const struct guard_result *r, const char *norm)
{
    json_t *cats = json_array(), *spans = json_array();
    json_t *feats = json_array();
    for (int i = 0; i < r->ncat; i++)
        json_array_append_new(cats, json_pack("{s:s, s:f, s:f}", "code", r->cat[i].code, "score",
                                              r->cat[i].score, "lexical", r->cat[i].lexical));
    for (int i = 0; i < r->nfeat; i++)
        json_array_append_new(feats,
                              json_pack("{s:s, s:s, s:f}", "feature", r->feat[i].name, "category",
                                        r->feat[i].category, "weight", r->feat[i].weight));
    for (int i = 0; i < r->nspan; i++) {
        const struct guard_span *s = &r->span[i];
        json_t *sp = json_pack("{s:I, s:I, s:s, s:s, s:f}", "off", (json_int_t)s->off, "len",
                               (json_int_t)s->len, "category", s->category, "term", s->term,
                               "weight", s->weight);
        if (norm)
            json_object_set_new(sp, "text", json_stringn_nocheck(norm + s->off, s->len));
        json_array_append_new(spans, sp);
    }
    return json_pack("{s:o, s:o, s:o, s:f}", "categories", cats, "spans", spans, "features", feats,
                     "score", r->score);
}

static void excerpt_add(struct gcall *c, enum guard_speaker who, const char *text, size_t len)
{
    /* Whole utterances only: a cut would leave broken UTF-8 in the case memo. */
    if (c->excerpt.len + len + 8 > GUARD_EXCERPT)
        return;
    buf_printf(&c->excerpt, "%s%s: %.*s", c->excerpt.len ? " / " : "",
               who == GUARD_CUSTOMER ? "C" : "O", (int)len, text);
}

/* Counts the demands of a customer utterance; returns the code that reached the repeat count. */
static const char *count_demands(struct gcall *c, const struct guard_result *r)
{
    const char *fired = NULL;
    for (int i = 0; i < r->ndemand; i++) {
        int k;
        for (k = 0; k < c->ndemand; k++)
            if (strcmp(c->demand[k].code, r->demand[i]) == 0)
                break;
        if (k == c->ndemand) {
            if (c->ndemand == GUARD_DEMANDS)
                continue;
            str_copy(c->demand[k].code, sizeof c->demand[k].code, r->demand[i]);
            c->ndemand++;
        }
        if (++c->demand[k].n == c->pol->gp->repeat_count)
            fired = c->demand[k].code;
    }
    return fired;
}

/* Milder abuse: a customer utterance under the harassment threshold whose top category still
 * reaches GUARD_MILD (うるさい, いい加減にしてくれ, a lone お前なんか). One is a bad moment;
 * GUARD_MILD_COUNT of them in one call are a pattern, and that is a detection of its own
 * (rule "repeated_mild"), stated with its rule and the utterances' categories. */
#define GUARD_MILD       0.3
#define GUARD_MILD_COUNT 3

static void mild_rule(guard_engine *g, struct gcall *c, struct outbox *ob, const char *text,
                      size_t len, const struct guard_result *r, const char *norm)
{
    if (r->harassment || r->ncat == 0 || r->cat[0].score < GUARD_MILD)
        return;
    c->mild++;
    add_code(c->mild_cats, sizeof c->mild_cats, r->cat[0].code);
    excerpt_add(c, GUARD_CUSTOMER, text, len);
    if (c->mild % GUARD_MILD_COUNT != 0)
        return;
    json_t *reasons = result_reasons(r, norm);
    json_object_set_new(
        reasons, "repeated_mild",
        json_pack("{s:s, s:i, s:f, s:f, s:s}", "rule",
                  "repeated milder abuse in one call: every 3rd customer utterance whose top "
                  "category is at 0.3 or more but under the 0.5 harassment threshold counts as a "
                  "detection",
                  "count", c->mild, "mild", GUARD_MILD, "threshold", GUARD_THRESHOLD, "categories",
                  c->mild_cats));
    for (const char *p = c->mild_cats; *p;) {
        size_t k = strcspn(p, ",");
        char code[GUARD_CODE_MAX];
        snprintf(code, sizeof code, "%.*s", (int)(k < sizeof code ? k : sizeof code - 1), p);
        add_category(c, code);
        p += k + (p[k] == ',');
    }
    detection(g, c, ob, "repeated_mild", reasons);
}

static void utterance_rules(guard_engine *g, struct gcall *c, struct outbox *ob,
                            enum guard_speaker who, const char *text, size_t len,
                            const struct guard_result *r, const char *norm)
{
    const char *repeat = who == GUARD_CUSTOMER ? count_demands(c, r) : NULL;
    if (who == GUARD_CUSTOMER && !repeat)
        mild_rule(g, c, ob, text, len, r, norm);
    if (!r->harassment && !repeat)
        return;
    excerpt_add(c, who, text, len);
    json_t *reasons = result_reasons(r, norm);
    if (r->harassment)
        for (int i = 0; i < r->ncat; i++)
            add_category(c, r->cat[i].code);
    if (repeat) {
        add_category(c, "repeat");
        json_object_set_new(
            reasons, "repeat",
            json_pack("{s:s, s:i}", "demand", repeat, "threshold", c->pol->gp->repeat_count));
    }
    detection(g, c, ob, r->harassment ? "lexical" : "repeat", reasons);
}

/* ---- dispatch ---- */

static void record_latency(guard_engine *g, uint64_t t0)
{
    uint64_t us = (now_mono_ns() - t0) / 1000;
    pthread_mutex_lock(&g->lat_mu);
    g->lat[g->nlat % GUARD_LAT_SAMPLES] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    g->nlat++;
    g->actions++;
    pthread_mutex_unlock(&g->lat_mu);
}

static int run_op(const struct guard_actions *a, const struct op *o)
{
    switch (o->kind) {
    case OP_NOTIFY:
        return a->notify ? a->notify(a->ud, o->call, o->json ? o->json : "{}") : 1;
    case OP_PLAY:
        return a->play ? a->play(a->ud, o->call, o->arg) : 1;
    case OP_END:
        return a->end_call ? a->end_call(a->ud, o->call) : 1;
    case OP_VOICEBOT:
        return a->voicebot ? a->voicebot(a->ud, o->call) : 1;
    case OP_RELEASE:
        return a->release ? a->release(a->ud, o->call) : 1;
    case OP_PUBLISH:
        break;
    }
    return 1;
}

static const char *const op_names[] = {"notify", "play", "end_call", "voicebot", "release", ""};

/* Failures of adapters go to the timeline, so a supervisor sees that an announcement or a hang-up
 * did not happen. */
static void note_failure(guard_engine *g, const struct op *o, int rc)
{
    pthread_mutex_lock(&g->mu);
    struct gcall *c = find_call(g, o->call);
    if (c)
        timeline_add(
            g, c, "action_failed",
            json_pack("{s:s, s:s, s:i}", "action", op_names[o->kind], "prompt", o->arg, "rc", rc));
    pthread_mutex_unlock(&g->mu);
}

void guard__dispatch(guard_engine *g, struct outbox *ob)
{
    struct guard_actions ad[GUARD_MAX_ADAPTERS];
    pthread_mutex_lock(&g->mu);
    int na = g->nadapters;
    memcpy(ad, g->adapters, (size_t)na * sizeof ad[0]);
    pthread_mutex_unlock(&g->mu);
    int acted = 0;
    for (size_t i = 0; i < ob->n; i++) {
        const struct op *o = &ob->ops[i];
        if (o->kind == OP_PUBLISH) {
            if (g->cfg.notifier.publish && o->json)
                g->cfg.notifier.publish(g->cfg.notifier.ud, o->center, o->arg, o->json);
            continue;
        }
        acted = 1;
        for (int k = 0; k < na; k++) {
            int rc = run_op(&ad[k], o);
            if (rc < 0)
                note_failure(g, o, rc);
        }
    }
    if (acted && ob->t0)
        record_latency(g, ob->t0);
    ob_release(ob);
}

/* ---- public entry points ---- */

static void count_event(guard_engine *g)
{
    pthread_mutex_lock(&g->lat_mu);
    g->events++;
    pthread_mutex_unlock(&g->lat_mu);
}

static void set_text(char *dst, size_t len, const char *src)
{
    if (src && *src)
        str_copy(dst, len, src);
}

int guard_call_start(guard_engine *g, const char *call_id, const char *caller,
                     const char *operator_name, const char *center)
{
    if (!guard_call_id_valid(call_id))
        return GUARD_EINVAL;
    struct outbox ob = {.t0 = now_mono_ns()};
    count_event(g);
    pthread_mutex_lock(&g->mu);
    int isnew;
    struct gcall *c = call_get_or_new(g, call_id, &ob, &isnew);
    if (!c) {
        pthread_mutex_unlock(&g->mu);
        return g->ncalls >= GUARD_MAX_CALLS ? GUARD_EFULL : GUARD_ENOMEM;
    }
    int had_caller = c->caller[0] != '\0';
    set_text(c->caller, sizeof c->caller, caller);
    set_text(c->op, sizeof c->op, operator_name);
    set_text(c->center, sizeof c->center, center);
    if (!g->writer || !g->cfg.db_url)
        str_copy(c->caller_ref, sizeof c->caller_ref, c->caller);
    timeline_add(g, c, isnew ? "start" : "update",
                 json_pack("{s:s, s:s, s:s}", "operator", c->op, "center", c->center, "mode",
                           guard_mode_name(c->mode)));
    if (isnew && c->pol->gp->recording_notice && c->mode != GUARD_ADVISORY)
        ob_push(&ob, OP_PLAY, c, "recording_notice");
    struct store_guard_call row;
    row_of(g, c, &row);
    if (g->writer) {
        guard__writer_call(g->writer, &row, c->caller);
        /* Every call start asks the store afresh, so a block added while the engine runs counts
         * from the next call on. */
        if (c->caller[0] && !had_caller)
            guard__writer_lookup(g->writer, c->id, c->caller, c->center,
                                 c->pol->gp->known_caller_days);
        int64_t now = guard__clock(g);
        if (isnew && g->cfg.reload_policy &&
            (now - g->policy_checked_ms >= 1000 || now < g->policy_checked_ms)) {
            g->policy_checked_ms = now;
            guard__writer_policy_check(g->writer);
        }
    }
    state_changed(&ob, c, isnew ? "started" : "updated");
    pthread_mutex_unlock(&g->mu);
    guard__dispatch(g, &ob);
    return GUARD_OK;
}

static guard_detector *det_take(guard_engine *g)
{
    guard_detector *d = NULL;
    pthread_mutex_lock(&g->det_mu);
    if (g->ndets)
        d = g->dets[--g->ndets];
    pthread_mutex_unlock(&g->det_mu);
    return d ? d : guard_detector_new(g->cfg.lexicon, g->cfg.ja_dict);
}

static void det_give(guard_engine *g, guard_detector *d)
{
    pthread_mutex_lock(&g->det_mu);
    if (g->ndets == g->capdets) {
        size_t cap = g->capdets ? g->capdets * 2 : 8;
        guard_detector **n = realloc(g->dets, cap * sizeof *n);
        if (!n) {
            pthread_mutex_unlock(&g->det_mu);
            guard_detector_free(d);
            return;
        }
        g->dets = n;
        g->capdets = cap;
    }
    g->dets[g->ndets++] = d;
    pthread_mutex_unlock(&g->det_mu);
}

int guard_utterance(guard_engine *g, const char *call_id, enum guard_speaker who, const char *text,
                    size_t len, int64_t start_ms, int64_t end_ms)
{
    return guard_utterance_r(g, call_id, who, text, len, start_ms, end_ms, NULL);
}

int guard_utterance_r(guard_engine *g, const char *call_id, enum guard_speaker who,
                      const char *text, size_t len, int64_t start_ms, int64_t end_ms,
                      struct guard_result *res)
{
    struct outbox ob = {.t0 = now_mono_ns()};
    if (!guard_call_id_valid(call_id) || !text || len > GUARD_UTTERANCE_MAX ||
        (who != GUARD_CUSTOMER && who != GUARD_OPERATOR))
        return GUARD_EINVAL;
    count_event(g);
    /* Detection runs outside the engine mutex: it is the slow part, and calls are independent. */
    guard_detector *det = det_take(g);
    if (!det)
        return GUARD_ENOMEM;
    struct guard_result r;
    int rc = guard_detect(det, text, len, who, &r);
    if (rc) {
        det_give(g, det);
        return GUARD_EINVAL;
    }
    json_t *utt = g->cfg.no_timeline && !g->writer
                      ? NULL /* the event would be dropped at once */
                      : json_pack("{s:s, s:s%, s:I, s:I, s:b, s:f}", "speaker",
                                  who == GUARD_CUSTOMER ? "customer" : "operator", "text", text,
                                  len, "start_ms", (json_int_t)start_ms, "end_ms",
                                  (json_int_t)end_ms, "harassment", r.harassment, "score", r.score);
    pthread_mutex_lock(&g->mu);
    int isnew;
    struct gcall *c = call_get_or_new(g, call_id, &ob, &isnew);
    if (!c) {
        pthread_mutex_unlock(&g->mu);
        det_give(g, det);
        json_decref(utt);
        return g->ncalls >= GUARD_MAX_CALLS ? GUARD_EFULL : GUARD_ENOMEM;
    }
    if (isnew) {
        timeline_add(g, c, "start", json_pack("{s:s}", "mode", guard_mode_name(c->mode)));
        if (g->writer) {
            struct store_guard_call row;
            row_of(g, c, &row);
            guard__writer_call(g->writer, &row, NULL);
        }
    }
    timeline_add(g, c, "utterance", utt);
    utterance_rules(g, c, &ob, who, text, len, &r, r.norm);
    pthread_mutex_unlock(&g->mu);
    if (res) {
        *res = r;
        res->norm = NULL;
    }
    det_give(g, det);
    guard__dispatch(g, &ob);
    return GUARD_OK;
}

static void feature_shouting(guard_engine *g, struct gcall *c, struct outbox *ob, double value)
{
    const struct harass_guard_policy *gp = c->pol->gp;
    int64_t now = guard__clock(g);
    if (value < gp->shouting_threshold ||
        (c->last_shout_ms && now - c->last_shout_ms < (int64_t)gp->shouting_cooldown_s * 1000))
        return;
    c->last_shout_ms = now;
    add_category(c, "abuse");
    detection(g, c, ob, "shouting",
              json_pack("{s:f, s:f}", "shouting", value, "threshold", gp->shouting_threshold));
}

static void feature_voiceprint(guard_engine *g, struct gcall *c, struct outbox *ob, double value,
                               json_t *detail)
{
    const struct harass_guard_policy *gp = c->pol->gp;
    if (value < gp->voiceprint_threshold || c->known)
        return;
    c->known = 1;
    raise_risk(c, RISK_MEDIUM);
    json_t *reasons =
        json_pack("{s:f, s:f, s:O?}", "voiceprint", value, "threshold", gp->voiceprint_threshold,
                  "match", json_object_get(detail, "caller"));
    decision_done(g, c, ob, decision_new(g, c, "voiceprint", reasons), 1);
}

static void feature_apply(guard_engine *g, struct gcall *c, struct outbox *ob, const char *name,
                          double value, json_t *detail)
{
    if (strcmp(name, "shouting") == 0) {
        feature_shouting(g, c, ob, value);
    } else if (strcmp(name, "voiceprint") == 0) {
        feature_voiceprint(g, c, ob, value, detail);
    } else if (strcmp(name, "recording") == 0) {
        const char *path = json_string_value(json_object_get(detail, "path"));
        if (path && json_array_size(c->evidence) < 8)
            json_array_append_new(c->evidence,
                                  json_pack("{s:s, s:s}", "kind", "recording", "ref", path));
    } else if (strcmp(name, "voicebot_purpose") == 0 && c->in_voicebot) {
        /* The voicebot has heard what the caller wants: an operator takes over, prepared. */
        c->in_voicebot = 0;
        json_t *d =
            decision_new(g, c, "voicebot_done",
                         json_pack("{s:O?}", "purpose", json_object_get(detail, "purpose")));
        ob_push(ob, OP_RELEASE, c, NULL);
        json_array_append_new(json_object_get(d, "actions"), json_string("release"));
        decision_done(g, c, ob, d, 1);
    }
}

int guard_feature(guard_engine *g, const char *call_id, const char *name, double value,
                  const char *detail_json)
{
    if (!guard_call_id_valid(call_id) || !name || !*name || strlen(name) > 32)
        return GUARD_EINVAL;
    json_t *detail = NULL;
    if (detail_json) {
        detail = json_loads(detail_json, 0, NULL);
        if (!json_is_object(detail)) {
            json_decref(detail);
            return GUARD_EINVAL;
        }
    }
    struct outbox ob = {.t0 = now_mono_ns()};
    count_event(g);
    pthread_mutex_lock(&g->mu);
    struct gcall *c = find_call(g, call_id);
    if (!c) {
        pthread_mutex_unlock(&g->mu);
        json_decref(detail);
        return GUARD_ENOTFOUND;
    }
    json_t *ev = json_pack("{s:s, s:f, s:O?}", "name", name, "value", value, "detail", detail);
    if (strcmp(name, "dtmf") == 0 && value >= 0 && value <= 11 && value == (int)value)
        json_object_set_new(ev, "digit",
                            json_string((const char *[]){"0", "1", "2", "3", "4", "5", "6", "7",
                                                         "8", "9", "*", "#"}[(int)value]));
    timeline_add(g, c, "feature", ev);
    feature_apply(g, c, &ob, name, value, detail);
    pthread_mutex_unlock(&g->mu);
    json_decref(detail);
    guard__dispatch(g, &ob);
    return GUARD_OK;
}

/* The levels of the case a call opens: the highest of its categories'. */
static void case_levels(const struct gcall *c, int *behaviour, int *demand)
{
    char cats[sizeof c->cats];
    const char *codes[HARASS_MAX_CATEGORIES];
    str_copy(cats, sizeof cats, c->cats);
    int n = harass_split_codes(cats, codes, HARASS_MAX_CATEGORIES);
    *behaviour = 0;
    *demand = 0;
    for (int i = 0; i < n; i++) {
        int b, d;
        harass_category_levels(c->pol->p, codes[i], &b, &d);
        if (b > *behaviour)
            *behaviour = b;
        if (d > *demand)
            *demand = d;
    }
}

int guard_call_end(guard_engine *g, const char *call_id)
{
    if (!guard_call_id_valid(call_id))
        return GUARD_EINVAL;
    struct outbox ob = {.t0 = 0};
    count_event(g);
    pthread_mutex_lock(&g->mu);
    struct gcall *c = find_call(g, call_id);
    if (!c) {
        pthread_mutex_unlock(&g->mu);
        return GUARD_ENOTFOUND;
    }
    unlink_call(g, c);
    int64_t now = guard__clock(g);
    timeline_add(g, c, "end",
                 json_pack("{s:I, s:i, s:s}", "duration_ms", (json_int_t)(now - c->started_ms),
                           "detections", c->detections, "categories", c->cats));
    struct store_guard_call row;
    row_of(g, c, &row);
    row.ended_at = now;
    if (g->writer) {
        if (c->detections > 0) {
            int b, d;
            case_levels(c, &b, &d);
            char *ev = json_dumps(c->evidence, JSON_COMPACT);
            c->pol->refs++;
            guard__writer_case(g->writer, &row, c->caller, c->excerpt.data ? c->excerpt.data : "",
                               ev ? ev : "[]", b, d, c->pol);
            free(ev);
        } else {
            guard__writer_call(g->writer, &row, c->caller);
        }
    }
    state_changed(&ob, c, "ended");
    pol_unref(c->pol); /* under the mutex: other calls may share the policy */
    c->pol = NULL;
    pthread_mutex_unlock(&g->mu);
    call_free(c);
    guard__dispatch(g, &ob);
    return GUARD_OK;
}

static int supervisor_action(guard_engine *g, struct gcall *c, struct outbox *ob,
                             const char *action, const char *by, char *err, size_t errlen)
{
    json_t *d = decision_new(g, c, "supervisor",
                             json_pack("{s:s, s:s}", "by", by ? by : "", "action", action));
    json_t *acts = json_object_get(d, "actions");
    if (strcmp(action, "warn") == 0) {
        const char *prompt = c->warnings ? "final_warning" : "warning1";
        ob_push(ob, OP_PLAY, c, prompt);
        c->warnings++;
        json_array_append_new(acts, json_pack("s+", "play:", prompt));
    } else if (strcmp(action, "end") == 0 || strcmp(action, "confirm") == 0) {
        if (action[0] == 'c' && !c->pending_end) {
            json_decref(d);
            snprintf(err, errlen, "call \"%s\" has no end waiting for confirmation", c->id);
            return GUARD_ESTATE;
        }
        do_end(ob, c, acts);
    } else if (strcmp(action, "dismiss") == 0) {
        c->pending_end = 0;
        if (c->risk > RISK_LOW)
            c->risk = RISK_LOW;
    } else {
        json_decref(d);
        snprintf(err, errlen, "action \"%.20s\" is not one of warn, end, confirm, dismiss", action);
        return GUARD_EINVAL;
    }
    decision_done(g, c, ob, d, 0);
    return GUARD_OK;
}

int guard_call_action(guard_engine *g, const char *call_id, const char *action, const char *by,
                      char *err, size_t errlen)
{
    struct outbox ob = {.t0 = now_mono_ns()};
    if (!guard_call_id_valid(call_id) || !action) {
        snprintf(err, errlen, "bad call id or action");
        return GUARD_EINVAL;
    }
    pthread_mutex_lock(&g->mu);
    struct gcall *c = find_call(g, call_id);
    int rc = c ? supervisor_action(g, c, &ob, action, by, err, errlen) : GUARD_ENOTFOUND;
    if (!c)
        snprintf(err, errlen, "call \"%s\" is not active", call_id);
    pthread_mutex_unlock(&g->mu);
    guard__dispatch(g, &ob);
    return rc;
}

/* ---- the writer's answers ---- */

void guard__caller_known(guard_engine *g, const char *call_id, const char *caller_ref, int blocked,
                         const char *reason, int64_t verdicts)
{
    struct outbox ob = {.t0 = now_mono_ns()};
    pthread_mutex_lock(&g->mu);
    struct gcall *c = find_call(g, call_id);
    if (c) {
        const struct harass_guard_policy *gp = c->pol->gp;
        str_copy(c->caller_ref, sizeof c->caller_ref, caller_ref);
        int known = verdicts >= gp->known_caller_verdicts;
        if (blocked || known) {
            c->known = 1;
            c->blocked = blocked;
            raise_risk(c, blocked ? RISK_HIGH : RISK_MEDIUM);
            json_t *d = decision_new(
                g, c, blocked ? "blocked_caller" : "known_caller",
                json_pack("{s:b, s:s, s:I, s:i, s:i, s:s}", "blocked", blocked, "reason",
                          reason ? reason : "", "verdicts", (json_int_t)verdicts, "min_verdicts",
                          gp->known_caller_verdicts, "days", gp->known_caller_days,
                          "blocked_caller", gp->blocked));
            json_t *acts = json_object_get(d, "actions");
            if (blocked && strcmp(gp->blocked, "voicebot") == 0) {
                if (c->mode == GUARD_ADVISORY) {
                    json_object_set_new(d, "suggested", json_string("voicebot"));
                } else {
                    c->in_voicebot = 1;
                    ob_push(&ob, OP_PLAY, c, "voicebot_menu");
                    ob_push(&ob, OP_VOICEBOT, c, NULL);
                    json_array_append_new(acts, json_string("play:voicebot_menu"));
                    json_array_append_new(acts, json_string("voicebot"));
                }
            } else if (blocked && strcmp(gp->blocked, "reject") == 0) {
                if (c->mode == GUARD_AUTOMATIC)
                    do_end(&ob, c, acts);
                else if (c->mode == GUARD_ASSISTED)
                    c->pending_end = 1, json_object_set_new(d, "awaiting", json_string("confirm"));
                else
                    json_object_set_new(d, "suggested", json_string("end"));
            }
            decision_done(g, c, &ob, d, 1);
        }
    }
    pthread_mutex_unlock(&g->mu);
    guard__dispatch(g, &ob);
}

void guard__case_opened(guard_engine *g, const char *call_id, int64_t case_id, const char *why)
{
    json_t *ev = case_id ? json_pack("{s:s, s:I}", "call", call_id, "case_id", (json_int_t)case_id)
                         : json_pack("{s:s, s:s}", "call", call_id, "error", why ? why : "");
    char *text = json_dumps(ev, JSON_COMPACT);
    if (text && g->writer)
        guard__writer_event(g->writer, call_id, guard__clock(g), case_id ? "case" : "case_failed",
                            text);
    free(text);
    json_decref(ev);
}

/* ---- time rules ---- */

static void tick_call(guard_engine *g, struct gcall *c, struct outbox *ob, int64_t now_ms)
{
    const struct harass_guard_policy *gp = c->pol->gp;
    int64_t age = now_ms - c->started_ms;
    if (!c->long_alerted && age >= (int64_t)gp->long_call_alert_s * 1000) {
        c->long_alerted = 1;
        raise_risk(c, RISK_LOW);
        decision_done(g, c, ob,
                      decision_new(g, c, "long_call_alert",
                                   json_pack("{s:I, s:i}", "duration_s", (json_int_t)(age / 1000),
                                             "threshold_s", gp->long_call_alert_s)),
                      1);
    }
    if (!c->long_detected && age >= (int64_t)gp->long_call_s * 1000) {
        c->long_detected = 1;
        add_category(c, "long_call");
        detection(g, c, ob, "long_call",
                  json_pack("{s:I, s:i}", "duration_s", (json_int_t)(age / 1000), "threshold_s",
                            gp->long_call_s));
    }
}

void guard_engine_tick(guard_engine *g, int64_t now_ms)
{
    struct outbox ob = {.t0 = now_mono_ns()};
    pthread_mutex_lock(&g->mu);
    for (int h = 0; h < GUARD_HASH; h++)
        for (struct gcall *c = g->calls[h]; c; c = c->next)
            tick_call(g, c, &ob, now_ms);
    pthread_mutex_unlock(&g->mu);
    guard__dispatch(g, &ob);
}

static void *timer_main(void *arg)
{
    guard_engine *g = arg;
    pthread_mutex_lock(&g->timer_mu);
    while (!g->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&g->timer_cv, &g->timer_mu, &ts);
        if (g->stopping)
            break;
        pthread_mutex_unlock(&g->timer_mu);
        guard_engine_tick(g, guard__clock(g));
        pthread_mutex_lock(&g->timer_mu);
    }
    pthread_mutex_unlock(&g->timer_mu);
    return NULL;
}

/* ---- views ---- */

static int center_visible(const struct guard_view *v, const char *center)
{
    if (!v || v->ncenters < 0)
        return 1;
    for (int i = 0; i < v->ncenters; i++)
        if (strcmp(v->centers[i], center) == 0)
            return 1;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static json_t *stats_json(guard_engine *g, int active)
{
    pthread_mutex_lock(&g->lat_mu);
    size_t n = g->nlat < GUARD_LAT_SAMPLES ? g->nlat : GUARD_LAT_SAMPLES;
    uint32_t *copy = n ? malloc(n * sizeof *copy) : NULL;
    if (copy)
        memcpy(copy, g->lat, n * sizeof *copy);
    int64_t events = g->events, actions = g->actions;
    pthread_mutex_unlock(&g->lat_mu);
    double p50 = 0, p99 = 0, max = 0;
    if (copy) {
        qsort(copy, n, sizeof *copy, cmp_u32);
        p50 = copy[(n - 1) / 2] / 1000.0;
        p99 = copy[(size_t)((double)(n - 1) * 0.99)] / 1000.0;
        max = copy[n - 1] / 1000.0;
    }
    free(copy);
    return json_pack("{s:i, s:I, s:I, s:I, s:f, s:f, s:f, s:s}", "active", active, "events",
                     (json_int_t)events, "actions_dispatched", (json_int_t)actions, "samples",
                     (json_int_t)n, "action_p50_ms", p50, "action_p99_ms", p99, "action_max_ms",
                     max, "mode", guard_mode_name(guard_engine_mode(g)));
}

json_t *guard_calls_json(guard_engine *g, const struct guard_view *view)
{
    json_t *list = json_array();
    pthread_mutex_lock(&g->mu);
    int active = g->ncalls;
    for (int h = 0; h < GUARD_HASH; h++)
        for (struct gcall *c = g->calls[h]; c; c = c->next)
            if (center_visible(view, c->center))
                json_array_append_new(list, call_summary(c));
    pthread_mutex_unlock(&g->mu);
    return json_pack("{s:o, s:o}", "calls", list, "stats", stats_json(g, active));
}

json_t *guard_call_json(guard_engine *g, const char *call_id, char *center)
{
    json_t *out = NULL;
    if (!guard_call_id_valid(call_id))
        return NULL;
    pthread_mutex_lock(&g->mu);
    struct gcall *c = find_call(g, call_id);
    if (c) {
        out = call_summary(c);
        json_object_set_new(out, "active", json_true());
        json_object_set_new(out, "timeline", json_deep_copy(c->timeline));
        json_object_set_new(out, "evidence", json_deep_copy(c->evidence));
        if (center)
            str_copy(center, GUARD_NAME_MAX, c->center);
    }
    pthread_mutex_unlock(&g->mu);
    return out;
}

/* ---- lifecycle ---- */

int guard_engine_add_actions(guard_engine *g, const struct guard_actions *a)
{
    pthread_mutex_lock(&g->mu);
    int rc = GUARD_EFULL;
    if (g->nadapters < GUARD_MAX_ADAPTERS) {
        g->adapters[g->nadapters++] = *a;
        rc = GUARD_OK;
    }
    pthread_mutex_unlock(&g->mu);
    return rc;
}

/* g->mode changes under g->mu when a policy reloads; readers outside the lock (statistics, the
 * CLI) load it atomically instead of taking the lock for one word. */
enum guard_mode guard_engine_mode(const guard_engine *g)
{
    return __atomic_load_n(&g->mode, __ATOMIC_RELAXED);
}

int guard_engine_new(const struct guard_config *cfg, guard_engine **out, char *err, size_t errlen)
{
    if (!cfg->policy || !cfg->lexicon || !cfg->ja_dict) {
        snprintf(err, errlen, "guard: a policy, a lexicon and a dictionary are needed");
        return GUARD_EINVAL;
    }
    guard_engine *g = calloc(1, sizeof *g);
    if (!g || !(g->lat = calloc(GUARD_LAT_SAMPLES, sizeof *g->lat))) {
        free(g);
        snprintf(err, errlen, "guard: out of memory");
        return GUARD_ENOMEM;
    }
    g->cfg = *cfg;
    g->cfg.actions = NULL;
    g->pol = calloc(1, sizeof *g->pol);
    if (!g->pol) {
        free(g->lat);
        free(g);
        snprintf(err, errlen, "guard: out of memory");
        return GUARD_ENOMEM;
    }
    g->pol->p = cfg->policy;
    g->pol->gp = harass_policy_guard(cfg->policy);
    g->pol->version = cfg->policy_version;
    g->pol->refs = 1;
    g->gp = g->pol->gp;
    g->mode = mode_for(g, g->gp);
    for (int i = 0; i < cfg->nactions && i < GUARD_MAX_ADAPTERS; i++)
        g->adapters[g->nadapters++] = cfg->actions[i];
    pthread_mutex_init(&g->mu, NULL);
    pthread_mutex_init(&g->det_mu, NULL);
    pthread_mutex_init(&g->lat_mu, NULL);
    pthread_mutex_init(&g->timer_mu, NULL);
    pthread_cond_init(&g->timer_cv, NULL);
    if (cfg->db_url && guard__writer_new(g, cfg->db_url, &g->writer, err, errlen)) {
        guard_engine_free(g);
        return GUARD_EINVAL;
    }
    if (!cfg->no_timer) {
        if (pthread_create(&g->timer, NULL, timer_main, g) != 0) {
            snprintf(err, errlen, "guard: cannot start the timer thread");
            guard_engine_free(g);
            return GUARD_ENOMEM;
        }
        g->timer_on = 1;
    }
    *out = g;
    return GUARD_OK;
}

void guard_engine_free(guard_engine *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->timer_mu);
    g->stopping = 1;
    pthread_cond_signal(&g->timer_cv);
    pthread_mutex_unlock(&g->timer_mu);
    if (g->timer_on)
        pthread_join(g->timer, NULL);
    guard__writer_free(g->writer);
    for (int h = 0; h < GUARD_HASH; h++) {
        struct gcall *c = g->calls[h];
        while (c) {
            struct gcall *next = c->next;
            call_free(c);
            c = next;
        }
    }
    pol_unref(g->pol);
    for (size_t i = 0; i < g->ndets; i++)
        guard_detector_free(g->dets[i]);
    free(g->dets);
    free(g->lat);
    pthread_mutex_destroy(&g->mu);
    pthread_mutex_destroy(&g->det_mu);
    pthread_mutex_destroy(&g->lat_mu);
    pthread_mutex_destroy(&g->timer_mu);
    pthread_cond_destroy(&g->timer_cv);
    free(g);
}
