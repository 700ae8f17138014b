/* guard engine in-process: the call rules the end-to-end test cannot reach in seconds — shouting
 * with its cooldown, voiceprint, the 30-minute alert and the 60-minute long_call (a test clock),
 * repetition of one demand, dtmf and recording (timeline and case evidence), known and blocked
 * callers with the voicebot and its release, the reject and operator alternatives, and a policy
 * reload — with a recording action adapter that keeps every action in order, for each mode. The
 * expected sequences are worked out by hand from data/policy/default.json ("guard": stage 1
 * notify, 2 warn with warning1, 3 end with closing; shouting 0.8 with 10 s cooldown, voiceprint
 * 0.85, 1800 s / 3600 s, repeat 3, 2 verdicts in 90 days, blocked callers to the voicebot,
 * recording notice on); test_policy_is_as_worked checks that the file still says so. Store rules
 * run on a real SQLite file and on PostgreSQL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "guard/block.h"
#include "guard/guard.h"
#include "harass/harass.h"
#include "store/store_guard.h"
#include "store/store_harass.h"
#include "store/store_org.h"
#include "testutil.h"

/* ---- the recording adapter ---- */

#define REC_MAX 64

struct rec {
    pthread_mutex_t mu;
    char ev[REC_MAX][96];
    int n;
    json_t *alerts; /* every alert object, in order */
};

static void rec_add(struct rec *r, const char *fmt, const char *a)
{
    pthread_mutex_lock(&r->mu);
    if (r->n < REC_MAX)
        snprintf(r->ev[r->n++], sizeof r->ev[0], fmt, a);
    pthread_mutex_unlock(&r->mu);
}

static int rec_notify(void *ud, const char *call, const char *alert_json)
{
    struct rec *r = ud;
    (void)call;
    json_t *a = json_loads(alert_json, 0, NULL);
    assert_non_null(a);
    rec_add(r, "notify:%s", json_string_value(json_object_get(a, "rule")));
    pthread_mutex_lock(&r->mu);
    json_array_append_new(r->alerts, a);
    pthread_mutex_unlock(&r->mu);
    return 0;
}

static int rec_play(void *ud, const char *call, const char *prompt)
{
    (void)call;
    rec_add(ud, "play:%s", prompt);
    return 0;
}

static int rec_end(void *ud, const char *call)
{
    (void)call;
    rec_add(ud, "%s", "end_call");
    return 0;
}

static int rec_voicebot(void *ud, const char *call)
{
    (void)call;
    rec_add(ud, "%s", "voicebot");
    return 0;
}

static int rec_release(void *ud, const char *call)
{
    (void)call;
    rec_add(ud, "%s", "release");
    return 0;
}

static void rec_reset(struct rec *r)
{
    pthread_mutex_lock(&r->mu);
    r->n = 0;
    json_array_clear(r->alerts);
    pthread_mutex_unlock(&r->mu);
}

/* The actions since the last reset, "a b c". */
static void rec_seq(struct rec *r, char *out, size_t outlen)
{
    out[0] = '\0';
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, outlen - len, "%s%s", i ? " " : "", r->ev[i]);
    }
    pthread_mutex_unlock(&r->mu);
}

#define EXPECT_SEQ(r, want)                                                                        \
    do {                                                                                           \
        char got_[REC_MAX * 96];                                                                   \
        rec_seq((r), got_, sizeof got_);                                                           \
        if (strcmp(got_, (want)) != 0)                                                             \
            fail_msg("line %d: actions \"%s\", expected \"%s\"", __LINE__, got_, (want));          \
    } while (0)

/* Waits (the writer's answers are asynchronous) until the actions are want. */
static void wait_seq(struct rec *r, const char *want)
{
    char got[REC_MAX * 96];
    for (int t = 0; t < 500; t++) {
        rec_seq(r, got, sizeof got);
        if (strcmp(got, want) == 0)
            return;
        usleep(10000);
    }
    fail_msg("actions \"%s\", expected \"%s\" (after 5 s)", got, want);
}

/* ---- the engine's parts ---- */

static int64_t test_now;

static int64_t test_clock(void *ud)
{
    (void)ud;
    return test_now;
}

struct parts {
    harass_policy *policy;
    guard_lexicon *lx;
    ja_dict *dict;
    struct rec rec;
};

static harass_policy *policy_with(const char *blocked)
{
    char path[512], err[600];
    harass_policy *p;
    assert_int_equal(data_path("policy/default.json", path, sizeof path), 0);
    if (harass_policy_load(path, &p, err, sizeof err))
        fail_msg("%s", err);
    if (!blocked)
        return p;
    json_t *doc = json_deep_copy(harass_policy_document(p));
    harass_policy_free(p);
    json_object_set_new(json_object_get(doc, "guard"), "blocked_caller", json_string(blocked));
    if (harass_policy_from_json(doc, &p, err, sizeof err))
        fail_msg("%s", err);
    json_decref(doc);
    return p;
}

static int setup(void **state)
{
    struct parts *pt = calloc(1, sizeof *pt);
    char path[512], err[600];
    pt->policy = policy_with(NULL);
    assert_int_equal(data_path("lexicon/ja.tsv", path, sizeof path), 0);
    if (guard_lexicon_load(path, NULL, 0, &pt->lx, err, sizeof err) ||
        ja_dict_open(&pt->dict, err, sizeof err))
        fail_msg("%s", err);
    pthread_mutex_init(&pt->rec.mu, NULL);
    pt->rec.alerts = json_array();
    *state = pt;
    return 0;
}

static int teardown(void **state)
{
    struct parts *pt = *state;
    harass_policy_free(pt->policy);
    guard_lexicon_free(pt->lx);
    ja_dict_close(pt->dict);
    json_decref(pt->rec.alerts);
    pthread_mutex_destroy(&pt->rec.mu);
    free(pt);
    return 0;
}

static guard_engine *engine(struct parts *pt, const harass_policy *p, int version,
                            enum guard_mode mode, const char *db)
{
    struct guard_actions ad = {&pt->rec, rec_notify, rec_play, rec_end, rec_voicebot, rec_release};
    struct guard_config cfg = {.db_url = db,
                               .policy = p ? p : pt->policy,
                               .policy_version = version,
                               .lexicon = pt->lx,
                               .ja_dict = pt->dict,
                               .mode = mode,
                               .actions = &ad,
                               .nactions = 1,
                               .no_timer = 1,
                               .clock = test_clock,
                               .reload_policy = db != NULL};
    guard_engine *g;
    char err[600];
    if (guard_engine_new(&cfg, &g, err, sizeof err))
        fail_msg("%s", err);
    rec_reset(&pt->rec);
    test_now = 1800000000000; /* a fixed Unix ms */
    return g;
}

static const enum guard_mode modes[] = {GUARD_ADVISORY, GUARD_ASSISTED, GUARD_AUTOMATIC};

/* The n-th decision of rule on the active call's timeline. */
static json_t *decision(guard_engine *g, const char *call, const char *rule, int nth)
{
    json_t *c = guard_call_json(g, call, NULL);
    assert_non_null(c);
    size_t i;
    json_t *e, *found = NULL;
    json_array_foreach(json_object_get(c, "timeline"), i, e)
    {
        const char *r = json_string_value(json_object_get(e, "rule"));
        if (r && strcmp(r, rule) == 0 && nth-- == 0) {
            found = json_incref(e);
            break;
        }
    }
    json_decref(c);
    if (!found)
        fail_msg("no decision %s on the timeline of %s", rule, call);
    return found;
}

static double reason_num(json_t *d, const char *key)
{
    return json_number_value(json_object_get(json_object_get(d, "reasons"), key));
}

/* ---- the policy the sequences were worked out from ---- */

static void test_policy_is_as_worked(void **state)
{
    struct parts *pt = *state;
    const struct harass_guard_policy *gp = harass_policy_guard(pt->policy);
    assert_int_equal(gp->nstages, 3);
    assert_int_equal(gp->stage[0].step, GSTEP_NOTIFY);
    assert_int_equal(gp->stage[1].step, GSTEP_WARN);
    assert_string_equal(gp->stage[1].prompt, "warning1");
    assert_int_equal(gp->stage[2].step, GSTEP_END);
    assert_true(gp->shouting_threshold == 0.8);
    assert_int_equal(gp->shouting_cooldown_s, 10);
    assert_true(gp->voiceprint_threshold == 0.85);
    assert_int_equal(gp->long_call_alert_s, 1800);
    assert_int_equal(gp->long_call_s, 3600);
    assert_int_equal(gp->repeat_count, 3);
    assert_int_equal(gp->known_caller_verdicts, 2);
    assert_string_equal(gp->blocked, "voicebot");
    assert_int_equal(gp->recording_notice, 1);
}

/* ---- shouting ---- */

static void test_shouting(void **state)
{
    struct parts *pt = *state;
    static const char *const want[] = {
        /* advisory: notify only, never the recording notice */
        "notify:shouting notify:shouting notify:shouting",
        /* assisted: the warning is played; the end waits for a supervisor */
        "play:recording_notice notify:shouting play:warning1 notify:shouting notify:shouting",
        /* automatic: every stage, the action first, then the alert that reports it */
        "play:recording_notice notify:shouting play:warning1 notify:shouting play:closing "
        "end_call notify:shouting",
    };
    for (int m = 0; m < 3; m++) {
        guard_engine *g = engine(pt, NULL, 7, modes[m], NULL);
        assert_int_equal(guard_call_start(g, "s1", NULL, "op1", "TKY"), 0);
        assert_int_equal(guard_feature(g, "s1", "shouting", 0.9, NULL), 0); /* detection 1 */
        test_now += 5000; /* inside the 10 s cooldown: nothing */
        assert_int_equal(guard_feature(g, "s1", "shouting", 0.95, NULL), 0);
        test_now += 5000; /* 10 s after the first: the cooldown is over */
        assert_int_equal(guard_feature(g, "s1", "shouting", 0.85, NULL), 0); /* detection 2 */
        test_now += 30000; /* below the threshold: nothing */
        assert_int_equal(guard_feature(g, "s1", "shouting", 0.79, NULL), 0);
        test_now += 1000;
        assert_int_equal(guard_feature(g, "s1", "shouting", 1.0, NULL), 0); /* detection 3 */
        EXPECT_SEQ(&pt->rec, want[m]);
        json_t *d = decision(g, "s1", "shouting", 1);
        assert_true(reason_num(d, "threshold") == 0.8);
        assert_true(reason_num(d, "shouting") == 0.85);
        assert_int_equal(reason_num(d, "policy_version"), 7);
        assert_int_equal(json_integer_value(json_object_get(d, "stage")), 2);
        json_decref(d);
        d = decision(g, "s1", "shouting", 2);
        assert_int_equal(json_is_true(json_object_get(d, "pending_end")),
                         modes[m] == GUARD_ASSISTED);
        json_decref(d);
        if (modes[m] == GUARD_ASSISTED) {
            /* The supervisor's confirmation closes the call; no new alert for it. */
            char err[200];
            rec_reset(&pt->rec);
            assert_int_equal(guard_call_action(g, "s1", "confirm", "sv", err, sizeof err), 0);
            EXPECT_SEQ(&pt->rec, "play:closing end_call");
        }
        json_t *c = guard_call_json(g, "s1", NULL);
        assert_string_equal(json_string_value(json_object_get(c, "risk")), "high");
        assert_int_equal(json_integer_value(json_object_get(c, "detections")), 3);
        json_decref(c);
        guard_engine_free(g);
    }
}

/* ---- voiceprint ---- */

static void test_voiceprint(void **state)
{
    struct parts *pt = *state;
    for (int m = 0; m < 3; m++) {
        guard_engine *g = engine(pt, NULL, 1, modes[m], NULL);
        assert_int_equal(guard_call_start(g, "v1", NULL, "op1", "TKY"), 0);
        rec_reset(&pt->rec);
        assert_int_equal(guard_feature(g, "v1", "voiceprint", 0.84, "{\"caller\":\"ref-a\"}"), 0);
        EXPECT_SEQ(&pt->rec, "");
        assert_int_equal(guard_feature(g, "v1", "voiceprint", 0.9, "{\"caller\":\"ref-a\"}"), 0);
        /* Known once is enough: a second match adds nothing. No stage: it is not harassment. */
        assert_int_equal(guard_feature(g, "v1", "voiceprint", 0.97, "{\"caller\":\"ref-a\"}"), 0);
        EXPECT_SEQ(&pt->rec, "notify:voiceprint");
        json_t *d = decision(g, "v1", "voiceprint", 0);
        assert_true(reason_num(d, "threshold") == 0.85);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(d, "reasons"), "match")), "ref-a");
        json_decref(d);
        json_t *c = guard_call_json(g, "v1", NULL);
        assert_true(json_is_true(json_object_get(c, "known_caller")));
        assert_string_equal(json_string_value(json_object_get(c, "risk")), "medium");
        assert_int_equal(json_integer_value(json_object_get(c, "detections")), 0);
        json_decref(c);
        guard_engine_free(g);
    }
}

/* ---- call length: 30 minutes alert, 60 minutes long_call ---- */

static void test_call_length(void **state)
{
    struct parts *pt = *state;
    /* Two shouting detections first, so long_call is the third: the modes differ there. */
    static const char *const want[] = {
        "notify:long_call_alert notify:long_call",
        "notify:long_call_alert notify:long_call",
        "notify:long_call_alert play:closing end_call notify:long_call",
    };
    for (int m = 0; m < 3; m++) {
        guard_engine *g = engine(pt, NULL, 1, modes[m], NULL);
        int64_t t0 = test_now;
        assert_int_equal(guard_call_start(g, "l1", NULL, "op1", "TKY"), 0);
        assert_int_equal(guard_feature(g, "l1", "shouting", 0.9, NULL), 0);
        test_now += 60000;
        assert_int_equal(guard_feature(g, "l1", "shouting", 0.9, NULL), 0);
        rec_reset(&pt->rec);
        guard_engine_tick(g, t0 + 1799 * 1000);
        EXPECT_SEQ(&pt->rec, "");
        guard_engine_tick(g, t0 + 1800 * 1000);
        guard_engine_tick(g, t0 + 1801 * 1000); /* once only */
        EXPECT_SEQ(&pt->rec, "notify:long_call_alert");
        guard_engine_tick(g, t0 + 3599 * 1000);
        EXPECT_SEQ(&pt->rec, "notify:long_call_alert");
        guard_engine_tick(g, t0 + 3600 * 1000);
        guard_engine_tick(g, t0 + 4000 * 1000);
        EXPECT_SEQ(&pt->rec, want[m]);
        json_t *d = decision(g, "l1", "long_call_alert", 0);
        assert_int_equal(reason_num(d, "threshold_s"), 1800);
        assert_int_equal(reason_num(d, "duration_s"), 1800);
        json_decref(d);
        d = decision(g, "l1", "long_call", 0);
        assert_int_equal(reason_num(d, "threshold_s"), 3600);
        assert_int_equal(json_integer_value(json_object_get(d, "stage")), 3);
        json_decref(d);
        json_t *c = guard_call_json(g, "l1", NULL);
        assert_non_null(strstr(json_string_value(json_object_get(c, "categories")), "long_call"));
        json_decref(c);
        guard_engine_free(g);
    }
}

/* ---- repetition ---- */

static void say(guard_engine *g, const char *call, const char *text, int want_harassment)
{
    struct guard_result r;
    assert_int_equal(guard_utterance_r(g, call, GUARD_CUSTOMER, text, strlen(text), 0, 1000, &r),
                     0);
    if (r.harassment != want_harassment)
        fail_msg("\"%s\": harassment %d, expected %d", text, r.harassment, want_harassment);
}

static void test_repeat(void **state)
{
    struct parts *pt = *state;
    for (int m = 0; m < 3; m++) {
        guard_engine *g = engine(pt, NULL, 1, modes[m], NULL);
        assert_int_equal(guard_call_start(g, "r1", NULL, "op1", "TKY"), 0);
        rec_reset(&pt->rec);
        say(g, "r1", "返金してほしい", 0);
        say(g, "r1", "注文した商品がまだ届かないのですが", 0);
        say(g, "r1", "返金してほしい", 0);
        EXPECT_SEQ(&pt->rec, ""); /* twice is a customer asking */
        say(g, "r1", "返金してほしい", 0);
        EXPECT_SEQ(&pt->rec, "notify:repeat");
        say(g, "r1", "返金してほしい", 0); /* the fourth time is the same repetition */
        EXPECT_SEQ(&pt->rec, "notify:repeat");
        json_t *d = decision(g, "r1", "repeat", 0);
        json_t *rep = json_object_get(json_object_get(d, "reasons"), "repeat");
        assert_string_equal(json_string_value(json_object_get(rep, "demand")), "refund");
        assert_int_equal(json_integer_value(json_object_get(rep, "threshold")), 3);
        assert_int_equal(json_integer_value(json_object_get(d, "stage")), 1);
        json_decref(d);
        guard_engine_free(g);
    }
}

/* Repeated milder abuse: each of these is under the threshold alone; the third in one call is a
 * detection of its own, with its rule on the timeline. Operator speech and ordinary requests do
 * not count. */
static void test_repeated_mild(void **state)
{
    struct parts *pt = *state;
    static const char *const mild[] = {"うるさい、早くして", "もういい加減にしてよ",
                                       "ほんとうるさい"};
    guard_engine *g = engine(pt, NULL, 1, GUARD_AUTOMATIC, NULL);
    assert_int_equal(guard_call_start(g, "m1", NULL, "op1", "TKY"), 0);
    rec_reset(&pt->rec);
    say(g, "m1", mild[0], 0);
    say(g, "m1", "注文した商品がまだ届かないのですが", 0);
    assert_int_equal(guard_utterance(g, "m1", GUARD_OPERATOR, mild[1], strlen(mild[1]), 0, 1), 0);
    say(g, "m1", mild[1], 0);
    EXPECT_SEQ(&pt->rec, ""); /* two milder lines are a bad moment */
    say(g, "m1", mild[2], 0);
    EXPECT_SEQ(&pt->rec, "notify:repeated_mild");
    json_t *d = decision(g, "m1", "repeated_mild", 0);
    json_t *rm = json_object_get(json_object_get(d, "reasons"), "repeated_mild");
    assert_non_null(strstr(json_string_value(json_object_get(rm, "rule")), "every 3rd"));
    assert_int_equal(json_integer_value(json_object_get(rm, "count")), 3);
    assert_non_null(strstr(json_string_value(json_object_get(rm, "categories")), "abuse"));
    assert_string_equal(json_string_value(json_object_get(d, "risk")), "medium");
    json_decref(d);
    /* The call's risk stays raised, and the categories are the call's. */
    json_t *c = guard_call_json(g, "m1", NULL);
    assert_string_equal(json_string_value(json_object_get(c, "risk")), "medium");
    json_decref(c);
    /* A call with two milder lines and polite ones makes no decision. */
    assert_int_equal(guard_call_start(g, "m2", NULL, "op1", "TKY"), 0);
    rec_reset(&pt->rec);
    say(g, "m2", mild[0], 0);
    say(g, "m2", "返品の方法を教えてください", 0);
    say(g, "m2", mild[1], 0);
    say(g, "m2", "ありがとうございました", 0);
    EXPECT_SEQ(&pt->rec, "");
    guard_engine_free(g);
}

/* ---- with a store ---- */

/* Centers TKY and OSK with operators op1 and op2, and the policy stored as version 1 (cases refer
 * to it). */
static store *store_fixture(const char *backend, const char *name, char *url, size_t urllen,
                            const harass_policy *p)
{
    char err[600];
    if (tu_db_url(backend, name, url, urllen))
        return NULL;
    store *s = NULL;
    if (store_open(url, &s, err, sizeof err) || store_migrate(s, NULL))
        fail_msg("%s: %s", backend, s ? store_errmsg(s) : err);
    struct org_company co = {.code = "DEMO", .name = "デモ"};
    assert_int_equal(store_company_add(s, &co), STORE_OK);
    static const char *const centers[] = {"TKY", "OSK"};
    for (int i = 0; i < 2; i++) {
        struct org_center c = {.company_id = co.id};
        str_copy(c.code, sizeof c.code, centers[i]);
        str_copy(c.name, sizeof c.name, centers[i]);
        assert_int_equal(store_center_add(s, &c), STORE_OK);
        struct org_user u = {.role = ROLE_OPERATOR, .center_id = c.id};
        snprintf(u.login, sizeof u.login, "op%d", i + 1);
        str_copy(u.password_hash, sizeof u.password_hash, "x");
        assert_int_equal(store_user_add(s, &u), STORE_OK);
    }
    int v = 0;
    if (harass_policy_save(s, p, "admin", &v, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(v, 1);
    return s;
}

/* The stored timeline of a call holds kind with needle in its detail. */
static int stored_event(store *s, const char *call, const char *kind, const char *needle)
{
    struct store_guard_event *ev = NULL;
    size_t n = 0;
    assert_int_equal(store_guard_events(s, call, &ev, &n), STORE_OK);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(ev[i].kind, kind) == 0 && strstr(ev[i].detail, needle) != NULL;
    free(ev);
    return found;
}

static void test_dtmf_recording(void **state)
{
    struct parts *pt = *state;
    for (int b = 0; b < 2; b++) {
        char url[512];
        store *s = store_fixture(tu_backends[b], "guard_eng_rec", url, sizeof url, pt->policy);
        if (!s)
            continue;
        guard_engine *g = engine(pt, NULL, 1, GUARD_ASSISTED, url);
        assert_int_equal(guard_call_start(g, "d1", NULL, "op1", "TKY"), 0);
        assert_int_equal(guard_feature(g, "d1", "dtmf", 10, NULL), 0);
        assert_int_equal(guard_feature(g, "d1", "recording", 0, "{\"path\":\"rec/2026/d1.opus\"}"),
                         0);
        EXPECT_SEQ(&pt->rec, "play:recording_notice"); /* neither is a detection */
        json_t *c = guard_call_json(g, "d1", NULL);
        char *text = json_dumps(c, JSON_COMPACT);
        assert_non_null(strstr(text, "\"digit\":\"*\""));
        assert_non_null(strstr(text, "rec/2026/d1.opus"));
        free(text);
        json_decref(c);
        say(g, "d1", "ふざけるな、このバカ野郎", 1);
        assert_int_equal(guard_call_end(g, "d1"), 0);
        guard_engine_free(g); /* flushes the writer */
        struct store_guard_call row;
        assert_int_equal(store_guard_call_get(s, "d1", &row), STORE_OK);
        assert_true(row.case_id > 0);
        assert_true(stored_event(s, "d1", "feature", "\"digit\":\"*\""));
        assert_true(stored_event(s, "d1", "feature", "rec/2026/d1.opus"));
        struct harass_case hc;
        assert_int_equal(store_harass_case_get(s, row.case_id, &hc), STORE_OK);
        assert_non_null(strstr(hc.evidence, "\"recording\""));
        assert_non_null(strstr(hc.evidence, "rec/2026/d1.opus"));
        assert_string_equal(hc.source, "guard");
        store_free(s);
    }
}

/* Two harassment cases of caller: known from then on (policy: 2 verdicts in 90 days). */
static void flag_cases(store *s, const harass_policy *p, const char *caller, int n)
{
    char err[600];
    for (int i = 0; i < n; i++) {
        struct harass_flag_input in = {.center = "TKY",
                                       .operator= "op1",
                                       .behaviour = 3,
                                       .demand = 3,
                                       .categories = "abuse",
                                       .caller_number = caller,
                                       .by = "op1"};
        struct harass_case hc;
        if (harass_flag(s, p, 1, &in, &hc, err, sizeof err))
            fail_msg("%s", err);
        assert_int_equal(hc.verdict, VERDICT_HARASSMENT);
    }
}

static void test_known_caller(void **state)
{
    struct parts *pt = *state;
    for (int b = 0; b < 2; b++) {
        char url[512];
        store *s = store_fixture(tu_backends[b], "guard_eng_known", url, sizeof url, pt->policy);
        if (!s)
            continue;
        flag_cases(s, pt->policy, "090-1000-0001", 2);
        flag_cases(s, pt->policy, "090-1000-0002", 1);
        for (int m = 0; m < 3; m++) {
            guard_engine *g = engine(pt, NULL, 1, modes[m], url);
            const char *notice = modes[m] == GUARD_ADVISORY ? "" : "play:recording_notice ";
            char want[256];
            /* One verdict only: nothing, whatever the mode (checked after the flush below). */
            assert_int_equal(guard_call_start(g, "k0", "+81 90-1000-0002", "op1", "TKY"), 0);
            rec_reset(&pt->rec);
            /* Two: a known caller, the same in every mode (no stage: nothing was said yet). */
            assert_int_equal(guard_call_start(g, "k1", "090-1000-0001", "op1", "TKY"), 0);
            snprintf(want, sizeof want, "%snotify:known_caller", notice);
            wait_seq(&pt->rec, want);
            json_t *d = decision(g, "k1", "known_caller", 0);
            assert_int_equal(reason_num(d, "verdicts"), 2);
            assert_int_equal(reason_num(d, "min_verdicts"), 2);
            json_decref(d);
            guard_engine_free(g);
            /* After the writer's flush (k0 still active) nothing more came: k0 is not known. */
            EXPECT_SEQ(&pt->rec, want);
            assert_int_equal((int)json_array_size(pt->rec.alerts), 1);
        }
        store_free(s);
    }
}

static void test_blocked_caller(void **state)
{
    struct parts *pt = *state;
    static const struct {
        const char *policy;
        enum guard_mode mode;
        const char *start, *after_purpose;
    } cases[] = {
        {"voicebot", GUARD_ADVISORY, "notify:blocked_caller", ""},
        {"voicebot", GUARD_ASSISTED,
         "play:recording_notice play:voicebot_menu voicebot notify:blocked_caller",
         "release notify:voicebot_done"},
        {"voicebot", GUARD_AUTOMATIC,
         "play:recording_notice play:voicebot_menu voicebot notify:blocked_caller",
         "release notify:voicebot_done"},
        {"reject", GUARD_ADVISORY, "notify:blocked_caller", ""},
        {"reject", GUARD_ASSISTED, "play:recording_notice notify:blocked_caller", ""},
        {"reject", GUARD_AUTOMATIC,
         "play:recording_notice play:closing end_call notify:blocked_caller", ""},
        {"operator", GUARD_ASSISTED, "play:recording_notice notify:blocked_caller", ""},
        {"operator", GUARD_AUTOMATIC, "play:recording_notice notify:blocked_caller", ""},
    };
    for (int b = 0; b < 2; b++) {
        char url[512];
        store *s = store_fixture(tu_backends[b], "guard_eng_block", url, sizeof url, pt->policy);
        if (!s)
            continue;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            harass_policy *p = policy_with(cases[i].policy);
            guard_engine *g = engine(pt, p, 3, cases[i].mode, url);
            char call[32], num[32], err[300];
            snprintf(num, sizeof num, "090-2000-%04zu", i);
            /* Not blocked yet: only the recording notice. */
            snprintf(call, sizeof call, "b%zu-a", i);
            assert_int_equal(guard_call_start(g, call, num, "op1", "TKY"), 0);
            /* Blocked at another center: still nothing here. */
            struct store_guard_block bl;
            assert_int_equal(
                guard_block_add(s, num, "OSK", "osk only", "mgr", NULL, &bl, err, sizeof err), 0);
            snprintf(call, sizeof call, "b%zu-b", i);
            assert_int_equal(guard_call_start(g, call, num, "op1", "TKY"), 0);
            guard_engine_free(g); /* flushes the look-ups while both calls are active */
            char seq[REC_MAX * 96];
            rec_seq(&pt->rec, seq, sizeof seq);
            assert_null(strstr(seq, "blocked"));
            /* Blocked for every center while the engine runs: the next call sees it. */
            g = engine(pt, p, 3, cases[i].mode, url);
            assert_int_equal(guard_call_start(g, "warmup", NULL, "op1", "TKY"), 0);
            assert_int_equal(
                guard_block_add(s, num, NULL, "暴言の繰り返し", "mgr", NULL, &bl, err, sizeof err),
                0);
            rec_reset(&pt->rec);
            snprintf(call, sizeof call, "b%zu-c", i);
            assert_int_equal(guard_call_start(g, call, num, "op1", "TKY"), 0);
            wait_seq(&pt->rec, cases[i].start);
            json_t *d = decision(g, call, "blocked_caller", 0);
            json_t *rs = json_object_get(d, "reasons");
            assert_string_equal(json_string_value(json_object_get(rs, "reason")), "暴言の繰り返し");
            assert_string_equal(json_string_value(json_object_get(rs, "blocked_caller")),
                                cases[i].policy);
            json_decref(d);
            rec_reset(&pt->rec);
            assert_int_equal(
                guard_feature(g, call, "voicebot_purpose", 0, "{\"purpose\":\"返金の相談\"}"), 0);
            EXPECT_SEQ(&pt->rec, cases[i].after_purpose);
            if (cases[i].after_purpose[0]) {
                d = decision(g, call, "voicebot_done", 0);
                assert_string_equal(
                    json_string_value(json_object_get(json_object_get(d, "reasons"), "purpose")),
                    "返金の相談");
                json_decref(d);
            }
            guard_engine_free(g);
            assert_int_equal(store_guard_block_delete(s, bl.id), STORE_OK);
            harass_policy_free(p);
        }
        /* Both changes are in the audit log, the number nowhere. */
        struct store_audit *au = NULL;
        size_t na = 0;
        assert_int_equal(store_audit_list(s, 100, &au, &na), STORE_OK);
        int adds = 0;
        for (size_t i = 0; i < na; i++) {
            adds += strcmp(au[i].action, "guard.block.add") == 0;
            assert_null(strstr(au[i].target, "2000-"));
        }
        free(au);
        assert_int_equal(adds, 2 * (int)(sizeof cases / sizeof cases[0]));
        store_free(s);
    }
}

/* ---- policy reload ---- */

static void test_policy_reload(void **state)
{
    struct parts *pt = *state;
    for (int b = 0; b < 2; b++) {
        char url[512], err[600];
        store *s = store_fixture(tu_backends[b], "guard_eng_reload", url, sizeof url, pt->policy);
        if (!s)
            continue;
        int v1 = 1, v2;
        guard_engine *g = engine(pt, NULL, v1, GUARD_AUTOMATIC, url);
        assert_int_equal(guard_call_start(g, "old", NULL, "op1", "TKY"), 0);
        /* Version 2 warns at the first detection and ends at the second. */
        json_t *doc = json_deep_copy(harass_policy_document(pt->policy));
        json_object_set_new(json_object_get(doc, "guard"), "stages",
                            json_pack("[{s:s, s:s}, {s:s, s:s}]", "action", "warn", "prompt",
                                      "final_warning", "action", "end", "prompt", "closing"));
        harass_policy *p2;
        if (harass_policy_from_json(doc, &p2, err, sizeof err))
            fail_msg("%s", err);
        json_decref(doc);
        assert_int_equal(harass_policy_save(s, p2, "admin", &v2, err, sizeof err), 0);
        harass_policy_free(p2);
        assert_int_equal(v2, v1 + 1);
        /* A call start makes the writer look; it is in force shortly after. */
        test_now += 2000;
        assert_int_equal(guard_call_start(g, "probe", NULL, "op1", "TKY"), 0);
        for (int t = 0; t < 500 && guard_engine_policy_version(g) != v2; t++)
            usleep(10000);
        assert_int_equal(guard_engine_policy_version(g), v2);
        assert_int_equal(guard_call_start(g, "new", NULL, "op1", "TKY"), 0);
        rec_reset(&pt->rec);
        say(g, "old", "ふざけるな、このバカ野郎", 1);
        EXPECT_SEQ(&pt->rec, "notify:lexical"); /* the old call keeps version 1 */
        rec_reset(&pt->rec);
        say(g, "new", "ふざけるな、このバカ野郎", 1);
        EXPECT_SEQ(&pt->rec, "play:final_warning notify:lexical");
        json_t *d = decision(g, "new", "lexical", 0);
        assert_int_equal(reason_num(d, "policy_version"), v2);
        json_decref(d);
        d = decision(g, "old", "lexical", 0);
        assert_int_equal(reason_num(d, "policy_version"), v1);
        json_decref(d);
        /* An older version is refused (and freed). */
        assert_int_equal(guard_engine_set_policy(g, policy_with(NULL), v1), GUARD_ESTATE);
        assert_int_equal(guard_engine_policy_version(g), v2);
        guard_engine_free(g);
        store_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_is_as_worked),
        cmocka_unit_test(test_shouting),
        cmocka_unit_test(test_voiceprint),
        cmocka_unit_test(test_call_length),
        cmocka_unit_test(test_repeat),
        cmocka_unit_test(test_repeated_mild),
        cmocka_unit_test(test_dtmf_recording),
        cmocka_unit_test(test_known_caller),
        cmocka_unit_test(test_blocked_caller),
        cmocka_unit_test(test_policy_reload),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
