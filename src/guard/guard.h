/* guard: the live call guard (通話ガード) engine. Calls are registered by the events API or by the
 * media side (AudioSocket / media WebSocket); utterances from a speech recogniser and audio
 * features from the media side come in; the lexical detector (detect.h) and the call-level rules
 * (repetition, call length, known caller, shouting, voiceprint) feed the staged responses of the
 * center's policy ("guard" section of the harassment policy): notify a supervisor, warn, close
 * the call, or send a blocked caller to the voicebot first. Every decision carries its reasons
 * and goes to the call's timeline; a call with a detection opens a harassment case (source
 * "guard") when it ends.
 *
 * Threads: every function here may be called from any thread (HTTP workers, the media loop).
 * Active call state lives in memory behind one engine mutex; the store is written by the engine's
 * own writer thread, so no call here waits on SQL.
 *
 * Callback rule (actions and notifier): the engine never holds its mutex while it calls an
 * adapter or the notifier. Decisions are taken under the mutex, queued, and dispatched after the
 * mutex is released, on the thread that made the call into the engine (or on the engine's timer
 * thread for call-length rules). So an adapter may call back into the engine (guard_call_end from
 * end_call, guard_feature from play …) without deadlock. Adapters must still be quick: a slow
 * adapter delays the caller's thread, never the other calls; hand slow work (HTTP POSTs, audio)
 * to a thread or loop of your own. */
#ifndef IKIIKI_GUARD_H
#define IKIIKI_GUARD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ja.h"
#include "guard/detect.h"
#include "harass/policy.h"

enum {
    GUARD_OK = IK_OK,
    GUARD_ENOTFOUND = IK_ENOENT, /* no such call */
    GUARD_ENOMEM = IK_ENOMEM,
    GUARD_EINVAL = IK_EINVAL, /* bad input; err (where given) says what */
    GUARD_ESTATE =
        IK_EBUSY, /* the call is not in a state that allows it (ended, nothing to confirm) */
    GUARD_EFULL = IK_ENOSPC, /* the engine holds its maximum number of active calls */
};

#define GUARD_ID_MAX        64 /* call ids: 1–63 bytes of [A-Za-z0-9._:-] */
#define GUARD_NAME_MAX      64
#define GUARD_UTTERANCE_MAX 4096 /* bytes of one utterance the engine takes */
#define GUARD_MAX_CALLS     20000
#define GUARD_PROMPT_MAX    32

/* Modes: advisory only notifies; assisted (the default) notifies and warns automatically, and
 * ending a call waits for a supervisor's confirmation; automatic runs every stage itself. */
enum guard_mode { GUARD_MODE_POLICY = 0, GUARD_ADVISORY, GUARD_ASSISTED, GUARD_AUTOMATIC };
const char *guard_mode_name(enum guard_mode m);
int guard_mode_parse(const char *s, enum guard_mode *out);

/* The action adapter: one set of callbacks a telephony side registers. Any pointer may be NULL
 * (that action is not available there). Each returns 0 when it took the action, negative when it
 * could not (the failure is written to the timeline). call_id, prompt and alert_json are
 * borrowed for the duration of the call. Prompt names: recording_notice, warning1,
 * final_warning, closing, voicebot_menu. alert_json is the alert object (see README "通話ガード").
 * Called without the engine mutex held (see the callback rule above). */
struct guard_actions {
    void *ud;
    int (*notify)(void *ud, const char *call_id, const char *alert_json);
    int (*play)(void *ud, const char *call_id, const char *prompt);
    int (*end_call)(void *ud, const char *call_id);
    int (*voicebot)(void *ud, const char *call_id);
    int (*release)(void *ud, const char *call_id);
};

/* The notifier: every alert and state change of a call goes here (dashboards over SSE, other
 * servers over the store's notify). center is the call's center code ("" when unknown), kind is
 * "alert", "state" or "action", json the event object text; all borrowed for the call. Called
 * without the engine mutex held; must not block (queue the work). */
struct guard_notifier {
    void *ud;
    void (*publish)(void *ud, const char *center, const char *kind, const char *json);
};

#define GUARD_MAX_ADAPTERS 8

struct guard_config {
    /* The store the engine's writer thread opens its own connection to (calls, timelines, block
     * list, harassment cases). NULL: nothing is persisted and no caller is known (guard analyze).
     */
    const char *db_url;
    /* Borrowed; must outlive the engine. The policy's "guard" section holds the thresholds and
     * stages; policy_version goes into every decision's reasons. */
    const harass_policy *policy;
    int policy_version;
    const guard_lexicon *lexicon; /* borrowed; must outlive the engine */
    ja_dict *ja_dict;             /* borrowed; must outlive the engine */
    /* GUARD_MODE_POLICY takes the mode from the policy file (default assisted). */
    enum guard_mode mode;
    /* Adapters registered at creation (copied); more with guard_engine_add_actions. */
    const struct guard_actions *actions;
    int nactions;
    struct guard_notifier notifier; /* publish may be NULL */
    /* 32-byte key for caller references (harass_caller_ref); NULL: caller strings are used as
     * references as they are. */
    const unsigned char *caller_key;
    /* 1: no timer thread (call-length rules run only from guard_engine_tick); for tests and
     * guard analyze. */
    int no_timer;
    /* The clock of the call rules (Unix ms: call start, call length, shouting cooldown, timeline
     * times); NULL: the real time. Tests move it to run the 30- and 60-minute rules at once. */
    int64_t (*clock)(void *ud);
    void *clock_ud;
    /* 1: on a call start, at most once a second, the writer asks the store for the policy
     * version in force and loads a newer one (harass policy import, PUT /harass/policy on
     * another server); calls that start after it use it. Needs db_url. */
    int reload_policy;
    /* 1: calls keep no timeline in memory (guard_call_json shows an empty one); for guard
     * analyze, which prints none: building and dropping an event tree per utterance cost a
     * third of a detection. The store's timeline (db_url) is written all the same. */
    int no_timeline;
};

typedef struct guard_engine guard_engine;

/* Creates the engine (opens the store connection and starts the writer and timer threads). On
 * failure *out is untouched and err holds one line. */
int guard_engine_new(const struct guard_config *cfg, guard_engine **out, char *err, size_t errlen);
/* Ends the threads (pending store writes are flushed first) and frees everything. Active calls
 * are dropped, not ended. NULL is a no-op. */
void guard_engine_free(guard_engine *g);
/* Registers one more action adapter (copied). Actions go to every adapter. Returns GUARD_EFULL
 * past GUARD_MAX_ADAPTERS. */
int guard_engine_add_actions(guard_engine *g, const struct guard_actions *a);
enum guard_mode guard_engine_mode(const guard_engine *g);
/* Puts policy p (version) in force for calls that start from now on; calls in progress keep the
 * policy they started with. Takes ownership of p in every case (freed once no call uses it). A
 * version lower than the one in force is refused with GUARD_ESTATE. With GUARD_MODE_POLICY in the
 * config, the new policy's mode applies to new calls. The lexicon stays as loaded. */
int guard_engine_set_policy(guard_engine *g, harass_policy *p, int version);
/* The version of the policy in force for new calls. */
int guard_engine_policy_version(guard_engine *g);

/* Registers a call, or fills in what was not known yet when the call exists (a call registered
 * through the API first and connected by media later is one call). caller is the caller's number
 * or reference, operator_name the operator's login, center the center code; each may be NULL or
 * "". Checks the caller against the block list and earlier harassment verdicts (asynchronously:
 * the result arrives as a "known_caller" decision). */
int guard_call_start(guard_engine *g, const char *call_id, const char *caller,
                     const char *operator_name, const char *center);
/* One recognised utterance (len bytes of UTF-8, at most GUARD_UTTERANCE_MAX). Times are ms from the
 * start of the call; -1 when unknown. GUARD_EINVAL on invalid UTF-8. A call not started yet is
 * started implicitly. */
int guard_utterance(guard_engine *g, const char *call_id, enum guard_speaker who, const char *text,
                    size_t len, int64_t start_ms, int64_t end_ms);
/* The same, and the detector's result for the utterance into *res (may be NULL; res->norm is
 * not kept valid: it is set to NULL). */
int guard_utterance_r(guard_engine *g, const char *call_id, enum guard_speaker who,
                      const char *text, size_t len, int64_t start_ms, int64_t end_ms,
                      struct guard_result *res);
/* An audio feature from the media side. Documented names:
 *   shouting          value 0–1 arousal score of the caller's voice (policy shouting_threshold)
 *   voiceprint        value 0–1 match score against a known harasser; detail {"caller":"ref"}
 *   dtmf              value the digit (0–9, 10 = *, 11 = #); recorded on the timeline
 *   recording         value ignored; detail {"path":"…"} is linked as evidence
 *   voicebot_purpose  value ignored; detail {"purpose":"…"} the voicebot's finding about what
 *                     the caller wants; after it the call is released to an operator
 * Other names are recorded on the timeline only. detail_json may be NULL; it must be a JSON
 * object when given. */
int guard_feature(guard_engine *g, const char *call_id, const char *name, double value,
                  const char *detail_json);
/* Ends the call: final decision, timeline and harassment case (when any detection) are stored.
 * GUARD_ENOTFOUND when the call is not active. */
int guard_call_end(guard_engine *g, const char *call_id);

/* A supervisor's action on a live call: "warn" (play the next warning), "end" (close the call
 * now), "confirm" (confirm a pending end in assisted mode), "dismiss" (clear the pending
 * action and reset the alert). by is the supervisor's login. */
int guard_call_action(guard_engine *g, const char *call_id, const char *action, const char *by,
                      char *err, size_t errlen);

/* Calls-list filter: centers (ncenters entries) the viewer may see; ncenters < 0 means every
 * center. */
struct guard_view {
    const char *const *centers;
    int ncenters;
};
/* {"calls":[{id, caller_ref, operator, center, started_at, risk, stage, pending, detections}…],
 *  "stats":{active, events, action_p50_ms, action_p99_ms, …}}; a new reference, NULL when out
 * of memory. */
json_t *guard_calls_json(guard_engine *g, const struct guard_view *view);
/* The active call with its timeline; NULL when not active (look in the store for ended calls).
 * *center (GUARD_NAME_MAX bytes, may be NULL) receives the call's center for access checks. */
json_t *guard_call_json(guard_engine *g, const char *call_id, char *center);
/* Runs the time rules (call length) for now_ms (Unix ms); the timer thread calls it every
 * second. */
void guard_engine_tick(guard_engine *g, int64_t now_ms);

/* Checks a call id: 1–63 bytes of [A-Za-z0-9._:-]. */
int guard_call_id_valid(const char *id);

#endif
