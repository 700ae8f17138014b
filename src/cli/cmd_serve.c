/* ikiiki serve: run the API until SIGTERM or SIGINT, then stop gracefully. */
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/log.h"
#include "core/util.h"
#include "survey/wave.h"
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
    int64_t media_threads = 0, per_peer = 0, idle_s = 0;
    int rc0 = cli_get(o, n, "media-threads")
                  ? cli_int(cmd, o, n, "media-threads", 1, 64, &media_threads)
                  : 0;
    if (!rc0 && cli_get(o, n, "media-per-peer"))
        rc0 = cli_int(cmd, o, n, "media-per-peer", 1, 100000, &per_peer);
    if (!rc0 && cli_get(o, n, "media-idle"))
        rc0 = cli_int(cmd, o, n, "media-idle", 1, 3600, &idle_s);
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
        .allow = cli_get(o, n, "media-allow"),
        .max_per_peer = (int)per_peer,
        .idle_audio_ms = (unsigned)idle_s * 1000u,
        .ws_secret = getenv("IKIIKI_MEDIA_SECRET"),
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

/* ADDR:PORT with a port number; the address itself is checked when it is bound. */
static int addr_port_ok(const char *v)
{
    const char *colon = strrchr(v, ':');
    int64_t port;
    return colon && colon != v && parse_int64(colon + 1, 0, 65535, &port) == 0;
}

int cli_serve_check(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                    const struct cli_conf *conf)
{
    static const struct {
        const char *name;
        int64_t min, max;
    } ints[] = {{"threads", 1, 256}, {"media-threads", 1, 64}};
    for (size_t k = 0; k < ARRAY_LEN(ints); k++) {
        int i = cli_opt_index(o, n, ints[k].name);
        int64_t v;
        if (i >= 0 && o[i].seen && parse_int64(o[i].value, ints[k].min, ints[k].max, &v))
            return cli_opt_fail(cmd, conf, o, i,
                                "value \"%.40s\" is not a whole number from %lld to %lld",
                                o[i].value, (long long)ints[k].min, (long long)ints[k].max);
    }
    static const char *const addrs[] = {"listen", "public-listen", "audiosocket", "media-ws"};
    for (size_t k = 0; k < ARRAY_LEN(addrs); k++) {
        int i = cli_opt_index(o, n, addrs[k]);
        if (i < 0 || !o[i].seen || addr_port_ok(o[i].value) ||
            (k >= 2 && strcmp(o[i].value, "off") == 0))
            continue;
        return cli_opt_fail(cmd, conf, o, i, "\"%.80s\" is not ADDR:PORT (e.g. 127.0.0.1:8080)%s",
                            o[i].value, k >= 2 ? " or off" : "");
    }
    int i = cli_opt_index(o, n, "guard-mode");
    enum guard_mode mode;
    if (i >= 0 && o[i].seen && guard_mode_parse(o[i].value, &mode))
        return cli_opt_fail(cmd, conf, o, i, "\"%s\" is not advisory, assisted or automatic",
                            o[i].value);
    i = cli_opt_index(o, n, "record-mode");
    if (i >= 0 && o[i].seen && strcmp(o[i].value, "opus") != 0 &&
        strcmp(o[i].value, "wav-then-opus") != 0)
        return cli_opt_fail(cmd, conf, o, i, "\"%s\" is not opus or wav-then-opus", o[i].value);
    int c = cli_opt_index(o, n, "tls-cert"), k = cli_opt_index(o, n, "tls-key");
    if (c >= 0 && k >= 0 && o[c].seen != o[k].seen)
        return cli_opt_fail(cmd, conf, o, o[c].seen ? c : k, "needs %s as well",
                            o[c].seen ? "tls-key" : "tls-cert");
    return 0;
}

/* systemd's Type=notify: one datagram to $NOTIFY_SOCKET ("@…" names an abstract socket). The
 * protocol is this small, so libsystemd is not needed. Without the variable it does nothing. */
static void sd_notify_send(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = path ? strlen(path) : 0;
    if (len == 0 || len >= sizeof sa.sun_path)
        return;
    memcpy(sa.sun_path, path, len);
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
        log_msg(LOG_WARN, "NOTIFY_SOCKET %s: %s", path, strerror(errno));
    close(fd);
}

static void sd_notify_ready(void)
{
    sd_notify_send("READY=1");
}

static void listen_host(const char *listen, char *out, size_t outlen)
{
    const char *colon = strrchr(listen, ':');
    snprintf(out, outlen, "%.*s", colon ? (int)(colon - listen) : (int)strlen(listen), listen);
}

/* Waits for SIGTERM or SIGINT and returns it; SIGHUP meanwhile rereads the TLS certificate. */
static int wait_stop(const sigset_t *set, http_server *srv)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0 || sig != SIGHUP)
            return sig;
        char err[600];
        if (http_server_reload_tls(srv, err, sizeof err))
            log_msg(LOG_WARN, "SIGHUP: certificate not reloaded: %s", err);
        else
            log_msg(LOG_INFO, "SIGHUP: TLS certificate reloaded");
    }
}

static int serve_run(const struct cli_cmd *cmd, struct cli_opt *o, int n)
{
    int rc;
    /* Block the stop signals before any thread starts (the guard engine starts its own), so only
     * sigwait below receives them: a thread that does not block them would let them kill us. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP); /* reload the TLS certificate */
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    int64_t threads = 0, per_addr = 0, hdr_s = 0, signin_addr = 0, pdf_max = 0, collect_max = 0;
    if (cli_get(o, n, "collect-addr-limit") &&
        (rc = cli_int(cmd, o, n, "collect-addr-limit", 1, 1000000, &collect_max)))
        return rc;
    if (cli_get(o, n, "pdf-concurrency") &&
        (rc = cli_int(cmd, o, n, "pdf-concurrency", 1, 64, &pdf_max)))
        return rc;
    if (cli_get(o, n, "signin-addr-limit") &&
        (rc = cli_int(cmd, o, n, "signin-addr-limit", 1, 100000, &signin_addr)))
        return rc;
    if (cli_get(o, n, "threads") && (rc = cli_int(cmd, o, n, "threads", 1, 256, &threads)))
        return rc;
    if (cli_get(o, n, "conns-per-addr") &&
        (rc = cli_int(cmd, o, n, "conns-per-addr", 1, 4000, &per_addr)))
        return rc;
    if (cli_get(o, n, "header-timeout") &&
        (rc = cli_int(cmd, o, n, "header-timeout", 1, 300, &hdr_s)))
        return rc;
    enum guard_mode mode = GUARD_MODE_POLICY;
    if (cli_get(o, n, "guard-mode") && guard_mode_parse(cli_get(o, n, "guard-mode"), &mode))
        return cli_fail(cmd, EXIT_USAGE,
                        "--guard-mode: \"%s\" is not advisory, assisted or automatic",
                        cli_get(o, n, "guard-mode"));
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    char err[600];
    if (cli_get(o, n, "public-url") &&
        (rc = survey_public_url_set(s, cli_get(o, n, "public-url"), err, sizeof err))) {
        rc =
            rc == -2 ? cli_fail(cmd, EXIT_USAGE, "%s", err) : cli_store_fail(cmd, s, rc, "setting");
        store_free(s);
        return rc;
    }
    const char *db_url = store_default_url(cli_get(o, n, "db"));
    struct serve_guard sg = {.mu = PTHREAD_MUTEX_INITIALIZER};
    rc = guard_start(&sg, s, db_url, mode, cli_get(o, n, "guard-lexicon"),
                     cli_get(o, n, "guard-webhook"), err, sizeof err);
    store_free(s); /* migrated; the server opens its own connections */
    if (rc) {
        guard_stop(&sg);
        return cli_fail(cmd, EXIT_FAIL, "call guard: %s", err);
    }

    struct http_config cfg = {
        .db_url = store_default_url(cli_get(o, n, "db")),
        .listen = cli_get(o, n, "listen"),
        .threads = (int)threads,
        .behind_tls = cli_flag(o, n, "behind-tls"),
        .access_log = !cli_flag(o, n, "no-access-log"),
        .tls_cert = cli_get(o, n, "tls-cert"),
        .tls_key = cli_get(o, n, "tls-key"),
        .public_listen = cli_get(o, n, "public-listen"),
        .conns_per_addr = (int)per_addr,
        .login_addr_limit = (int)signin_addr,
        .heavy_max = (int)pdf_max,
        .collect_addr_limit = (int)collect_max,
        .trusted_proxy = cli_get(o, n, "trusted-proxy"),
        .header_timeout = (int)hdr_s,
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
    const char *scheme = cfg.tls_cert ? "https" : "http";
    char host[128], pub[128] = "";
    listen_host(cfg.listen ? cfg.listen : "127.0.0.1:8080", host, sizeof host);
    if (cfg.public_listen) {
        listen_host(cfg.public_listen, pub, sizeof pub);
        log_msg(LOG_INFO, "answer links listening on %s://%s:%u", scheme, pub,
                (unsigned)http_server_public_port(srv));
    }
    log_msg(LOG_INFO, "listening on %s://%s:%u (database %s)", scheme, host,
            (unsigned)http_server_port(srv), cfg.db_url);
    /* The same lines on stdout, flushed, for scripts and tests that wait for the port. */
    printf("listening on %s://%s:%u\n", scheme, host, (unsigned)http_server_port(srv));
    if (cfg.public_listen)
        printf("answer links on %s://%s:%u\n", scheme, pub, (unsigned)http_server_public_port(srv));
    fflush(stdout);
    sd_notify_ready();

    int sig = wait_stop(&stop, srv);
    log_msg(LOG_INFO, "%s received, finishing requests in flight",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    sd_notify_send("STOPPING=1");
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

int cmd_serve(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[CLI_CONF_MAX_OPTS];
    int n = cli_serve_options(o, (int)ARRAY_LEN(o));
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct cli_conf conf;
    if ((rc = cli_conf_apply(cmd, o, n, cli_get(o, n, "config"), &conf)))
        return rc;
    rc = cli_serve_check(cmd, o, n, &conf);
    if (rc == 0)
        rc = serve_run(cmd, o, n);
    cli_conf_release(&conf);
    return rc;
}
