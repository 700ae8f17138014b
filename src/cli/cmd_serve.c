/* ikiiki serve: run the API until SIGTERM or SIGINT, then stop gracefully. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/log.h"
#include "core/util.h"
#include "guard/notify.h"
#include "harass/harass.h"
#include "http/http.h"
#include "media/glue.h"
#include "media/audio.h"
#include "media/media.h"

#define VP_RELOAD_S 60 /* enrolled voiceprints are read again this often */

/* Keeps the media glue's voiceprint set in step with the store. */
struct vp_reloader {
    const char *db_url;
    struct media_glue *glue;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, started;
    pthread_t thread;
    int last_n; /* -1 before the first load */
};

static int vp_reload(struct vp_reloader *vr)
{
    store *s;
    char err[600];
    struct media_vp_set set;
    int rc = store_open(vr->db_url, &s, err, sizeof err);
    if (rc == 0) {
        rc = cli_vp_load_set(s, &set, err, sizeof err);
        store_free(s);
    }
    if (rc == 0) {
        int n = set.n;
        rc = media_glue_set_voiceprints(vr->glue, &set);
        media_vp_set_release(&set);
        if (rc == 0 && n != vr->last_n)
            log_msg(LOG_INFO, "media: %d enrolled voiceprints for live matching", n);
        if (rc == 0)
            vr->last_n = n;
    }
    if (rc)
        log_msg(LOG_WARN, "media: voiceprints not reloaded: %s",
                rc == -ENOMEM ? "out of memory" : err);
    return rc;
}

static void *vp_reload_main(void *arg)
{
    struct vp_reloader *vr = arg;
    pthread_mutex_lock(&vr->mu);
    while (!vr->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += VP_RELOAD_S;
        while (!vr->stop && pthread_cond_timedwait(&vr->cv, &vr->mu, &until) != ETIMEDOUT)
            ;
        if (vr->stop)
            break;
        pthread_mutex_unlock(&vr->mu);
        vp_reload(vr);
        pthread_mutex_lock(&vr->mu);
    }
    pthread_mutex_unlock(&vr->mu);
    return NULL;
}

static void vp_reloader_stop(struct vp_reloader *vr)
{
    if (!vr->started)
        return;
    pthread_mutex_lock(&vr->mu);
    vr->stop = 1;
    pthread_cond_signal(&vr->cv);
    pthread_mutex_unlock(&vr->mu);
    pthread_join(vr->thread, NULL);
    vr->started = 0;
}

/* The call guard of one server: its parts live as long as the server. Events reach the
 * dashboards through the bus; srv is set once the HTTP server runs. */
struct serve_guard {
    harass_policy *policy;
    int version;
    guard_lexicon *lx;
    ja_dict *dict;
    guard_bus *bus;
    guard_webhook *hook;
    guard_engine *engine;
    pthread_mutex_t mu;
    http_server *srv;
};

static void to_dashboards(void *ud, const char *center, const char *kind, const char *json)
{
    struct serve_guard *sg = ud;
    pthread_mutex_lock(&sg->mu);
    http_server_publish(sg->srv, center, kind, json);
    pthread_mutex_unlock(&sg->mu);
}

static void guard_stop(struct serve_guard *sg)
{
    guard_engine_free(sg->engine);
    guard_webhook_free(sg->hook);
    guard_bus_free(sg->bus);
    guard_lexicon_free(sg->lx);
    ja_dict_close(sg->dict);
    harass_policy_free(sg->policy);
}

static int guard_webhook_start(struct serve_guard *sg, const char *url, char *err, size_t errlen)
{
    const struct harass_guard_policy *gp = harass_policy_guard(sg->policy);
    if (!url && gp->webhook_url[0])
        url = gp->webhook_url;
    return url ? guard_webhook_new(url, gp->webhook_retries, &sg->hook, err, errlen) : 0;
}

/* Loads the policy in force, the lexicon and the dictionary, and starts the engine. */
static int guard_start(struct serve_guard *sg, store *s, const char *db_url, enum guard_mode mode,
                       const char *lexicon, const char *webhook, char *err, size_t errlen)
{
    char path[512];
    if (data_path("policy/default.json", path, sizeof path) ||
        harass_policy_active(s, path, &sg->policy, &sg->version, err, errlen) ||
        cli_guard_parts(lexicon, sg->policy, &sg->lx, &sg->dict, err, errlen) ||
        guard_bus_new(db_url, to_dashboards, sg, &sg->bus, err, errlen) ||
        guard_webhook_start(sg, webhook, err, errlen))
        return -1;
    struct guard_actions ad[2];
    int nad = 0;
    ad[nad++] = guard_log_actions();
    if (sg->hook)
        ad[nad++] = guard_webhook_actions(sg->hook);
    struct guard_config cfg = {
        .db_url = db_url,
        .policy = sg->policy,
        .policy_version = sg->version,
        .lexicon = sg->lx,
        .ja_dict = sg->dict,
        .mode = mode,
        .actions = ad,
        .nactions = nad,
        .notifier = guard_bus_notifier(sg->bus),
        .reload_policy = 1,
    };
    return guard_engine_new(&cfg, &sg->engine, err, errlen);
}

/* The media loop, wired to the guard engine through the glue. */
static int start_media(const struct cli_cmd *cmd, const struct cli_opt *o, int n, guard_engine *g,
                       struct media_glue *glue, media_server **out)
{
    int64_t media_threads = 0;
    int rc0 = cli_get(o, n, "media-threads")
                  ? cli_int(cmd, o, n, "media-threads", 1, 64, &media_threads)
                  : 0;
    if (rc0)
        return rc0;
    const char *as = cli_get(o, n, "audiosocket"), *ws = cli_get(o, n, "media-ws");
    media_glue_init(glue, g, cli_get(o, n, "recordings"));
    const char *rmode = cli_get(o, n, "record-mode");
    /* WAV live, Opus after hangup by default: 500 calls keep p99 under 20 ms on 2 cores that
     * way, while live Opus holds about 300 (bench/media/load.sh); both lose at most a second
     * in a crash. */
    enum media_glue_rec rec = MEDIA_GLUE_REC_WAV_OPUS;
    if (rmode && strcmp(rmode, "opus") == 0)
        rec = MEDIA_GLUE_REC_OPUS;
    else if (rmode && strcmp(rmode, "wav-then-opus") != 0) {
        media_glue_release(glue);
        return cli_fail(cmd, EXIT_USAGE, "--record-mode: \"%s\" is not opus or wav-then-opus",
                        rmode);
    }
    if (cli_get(o, n, "recordings") && media_glue_set_record_mode(glue, rec)) {
        media_glue_release(glue);
        return cli_fail(cmd, EXIT_FAIL, "--record-mode: cannot start the encoder thread");
    }
    struct media_config mc = {
        .audiosocket = as ? as : "127.0.0.1:9092",
        .media_ws = ws ? ws : "127.0.0.1:8090",
        .prompt_dir = cli_get(o, n, "prompts"),
        .voicebot_file = cli_get(o, n, "voicebot-menu"),
        .voicebot_all = cli_flag(o, n, "voicebot-all"),
        .ari_url = cli_get(o, n, "ari"),
        .ari_user = getenv("IKIIKI_ARI_USER"),
        .ari_password = getenv("IKIIKI_ARI_PASSWORD"),
        .hooks = media_glue_hooks(glue),
        .threads = (int)media_threads,
    };
    if (strcmp(mc.audiosocket, "off") == 0 && strcmp(mc.media_ws, "off") == 0) {
        media_glue_release(glue);
        return 0;
    }
    char err[600];
    int rc = media_server_start(&mc, out, err, sizeof err);
    if (rc) {
        media_glue_release(glue);
        return cli_fail(cmd, rc == IK_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s", err);
    }
    media_glue_attach(glue, *out);
    struct guard_actions acts = media_glue_actions(glue);
    if (g && guard_engine_add_actions(g, &acts))
        log_msg(LOG_WARN, "media: the guard engine has no room for the media actions");
    /* Tests and scripts that asked for port 0 read the ports from these lines. */
    log_msg(LOG_INFO, "media: %d event loops", media_server_threads(*out));
    if (media_server_port(*out, 0))
        log_msg(LOG_INFO, "media: audiosocket listening on port %u",
                (unsigned)media_server_port(*out, 0));
    if (media_server_port(*out, 1))
        log_msg(LOG_INFO, "media: websocket listening on port %u",
                (unsigned)media_server_port(*out, 1));
    return 0;
}

/* Detaches the guard's actions first: the engine may act from its own threads meanwhile. */
static void stop_media(struct media_glue *glue, media_server *m)
{
    if (!m)
        return;
    media_glue_attach(glue, NULL);
    struct media_stats st;
    media_server_stop(m, &st);
    media_glue_release(glue);
    log_msg(LOG_INFO,
            "media: stopped: calls %llu, frames in %llu out %llu dropped %llu, protocol errors "
            "%llu, frame lag p50 %.3f ms p99 %.3f ms max %.3f ms, tick late p99 %.3f ms max "
            "%.3f ms",
            (unsigned long long)st.calls_total, (unsigned long long)st.frames_in,
            (unsigned long long)st.frames_out, (unsigned long long)st.frames_dropped,
            (unsigned long long)st.protocol_errors, st.lag_p50_ms, st.lag_p99_ms, st.lag_max_ms,
            st.tick_late_p99_ms, st.tick_late_max_ms);
    log_msg(LOG_INFO,
            "media: frame lag against the 20 ms schedule p50 %.3f ms p99 %.3f ms max %.3f ms "
            "over %d loops",
            st.sched_lag_p50_ms, st.sched_lag_p99_ms, st.sched_lag_max_ms, st.threads);
    /* One JSON object for scripts (bench/media/load.sh reads it). */
    log_msg(LOG_INFO,
            "media: stats {\"threads\":%d,\"calls\":%llu,\"frames_in\":%llu,\"frames_out\":%llu,"
            "\"frames_dropped\":%llu,\"protocol_errors\":%llu,\"lag_p50_ms\":%.3f,"
            "\"lag_p99_ms\":%.3f,\"lag_max_ms\":%.3f,\"tick_late_p99_ms\":%.3f,"
            "\"tick_late_max_ms\":%.3f,\"sched_lag_p50_ms\":%.3f,\"sched_lag_p99_ms\":%.3f,"
            "\"sched_lag_max_ms\":%.3f}",
            st.threads, (unsigned long long)st.calls_total, (unsigned long long)st.frames_in,
            (unsigned long long)st.frames_out, (unsigned long long)st.frames_dropped,
            (unsigned long long)st.protocol_errors, st.lag_p50_ms, st.lag_p99_ms, st.lag_max_ms,
            st.tick_late_p99_ms, st.tick_late_max_ms, st.sched_lag_p50_ms, st.sched_lag_p99_ms,
            st.sched_lag_max_ms);
}

int cmd_serve(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL", NULL, 0},
        {"listen", 1, "address and port to listen on (default 127.0.0.1:8080; port 0 = any free)",
         NULL, 0},
        {"threads", 1, "worker threads (default: one per CPU)", NULL, 0},
        {"behind-tls", 0, "a TLS proxy is in front: mark session cookies Secure", NULL, 0},
        {"no-access-log", 0, "do not write one line per request", NULL, 0},
        {"audiosocket", 1, "Asterisk AudioSocket listener ADDR:PORT (default 127.0.0.1:9092; off)",
         NULL, 0},
        {"media-ws", 1, "Twilio-compatible media WebSocket ADDR:PORT (default 127.0.0.1:8090; off)",
         NULL, 0},
        {"prompts", 1, "folder of WAV announcements (default data/prompts/ja)", NULL, 0},
        {"voicebot-menu", 1, "voicebot purpose menu (default data/voicebot/ja.json)", NULL, 0},
        {"voicebot-all", 0, "send every call through the voicebot first", NULL, 0},
        {"media-threads", 1, "event loops (threads) for live call media (default: one per CPU)",
         NULL, 0},
        {"record-mode", 1,
         "wav-then-opus (default: WAV live, Ogg Opus after hangup on a low-priority thread) "
         "or opus (encoded live)",
         NULL, 0},
        {"recordings", 1, "record every call as Ogg Opus under this folder (default: off)", NULL,
         0},
        {"ari", 1,
         "Asterisk ARI base URL for transfers, e.g. http://127.0.0.1:8088 (user and "
         "password from $IKIIKI_ARI_USER, $IKIIKI_ARI_PASSWORD)",
         NULL, 0},
        {"guard-mode", 1,
         "call guard mode: advisory, assisted or automatic (default: the policy's)", NULL, 0},
        {"guard-lexicon", 1, "call guard lexicon (default data/lexicon/ja.tsv)", NULL, 0},
        {"guard-webhook", 1, "POST call guard alerts to this URL (default: the policy's)", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t threads = 0;
    if (cli_get(o, n, "threads") && (rc = cli_int(cmd, o, n, "threads", 1, 256, &threads)))
        return rc;
    enum guard_mode mode = GUARD_MODE_POLICY;
    if (cli_get(o, n, "guard-mode") && guard_mode_parse(cli_get(o, n, "guard-mode"), &mode))
        return cli_fail(cmd, EXIT_USAGE,
                        "--guard-mode: \"%s\" is not advisory, assisted or automatic",
                        cli_get(o, n, "guard-mode"));
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    const char *db_url = store_default_url(cli_get(o, n, "db"));
    struct serve_guard sg = {.mu = PTHREAD_MUTEX_INITIALIZER};
    char err[600];
    rc = guard_start(&sg, s, db_url, mode, cli_get(o, n, "guard-lexicon"),
                     cli_get(o, n, "guard-webhook"), err, sizeof err);
    store_free(s); /* migrated; the server opens its own connections */
    if (rc) {
        guard_stop(&sg);
        return cli_fail(cmd, EXIT_FAIL, "call guard: %s", err);
    }

    /* Block the stop signals before any thread starts, so only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct http_config cfg = {
        .db_url = store_default_url(cli_get(o, n, "db")),
        .listen = cli_get(o, n, "listen"),
        .threads = (int)threads,
        .behind_tls = cli_flag(o, n, "behind-tls"),
        .access_log = !cli_flag(o, n, "no-access-log"),
        .guard = sg.engine,
    };
    http_server *srv;
    rc = http_server_start(&cfg, &srv, err, sizeof err);
    if (rc) {
        guard_stop(&sg);
        return cli_fail(cmd, rc == IK_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s", err);
    }
    pthread_mutex_lock(&sg.mu);
    sg.srv = srv;
    pthread_mutex_unlock(&sg.mu);
    log_msg(LOG_INFO, "call guard: %s mode, policy version %d%s%s",
            guard_mode_name(guard_engine_mode(sg.engine)), sg.version,
            guard_bus_shared(sg.bus) ? ", events shared over PostgreSQL" : "",
            sg.hook ? ", webhook on" : "");
    struct media_glue glue;
    media_server *media = NULL;
    if ((rc = start_media(cmd, o, n, sg.engine, &glue, &media))) {
        http_server_stop(srv);
        guard_stop(&sg);
        return rc;
    }
    struct vp_reloader vr = {.db_url = db_url, .glue = &glue, .last_n = -1};
    pthread_mutex_init(&vr.mu, NULL);
    pthread_cond_init(&vr.cv, NULL);
    if (media) {
        /* The first load before any call can match; then a thread keeps it fresh. */
        vp_reload(&vr);
        vr.started = pthread_create(&vr.thread, NULL, vp_reload_main, &vr) == 0;
    }
    const char *listen = cfg.listen ? cfg.listen : "127.0.0.1:8080";
    char host[128];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(listen, ':') - listen), listen);
    log_msg(LOG_INFO, "listening on http://%s:%u (database %s)", host,
            (unsigned)http_server_port(srv), cfg.db_url);
    /* The same line on stdout, flushed, for scripts and tests that wait for the port. */
    printf("listening on http://%s:%u\n", host, (unsigned)http_server_port(srv));
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    log_msg(LOG_INFO, "%s received, finishing requests in flight",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    vp_reloader_stop(&vr);
    stop_media(&glue, media);
    pthread_cond_destroy(&vr.cv);
    pthread_mutex_destroy(&vr.mu);
    pthread_mutex_lock(&sg.mu);
    sg.srv = NULL;
    pthread_mutex_unlock(&sg.mu);
    http_server_stop(srv);
    guard_stop(&sg);
    log_msg(LOG_INFO, "stopped");
    return EXIT_OK;
}
