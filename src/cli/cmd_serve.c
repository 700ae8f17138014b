/* ikiiki serve: run the API until SIGTERM or SIGINT, then stop gracefully. */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/log.h"
#include "http/http.h"
#include "media/media.h"

/* Without the guard engine the media side only reports what it hears on the log. */
static void log_feature(void *ud, const char *call_id, const char *name, double value,
                        const char *detail)
{
    (void)ud;
    log_msg(LOG_INFO, "media: call %s: %s %g %s", call_id, name, value, detail ? detail : "");
}

static int start_media(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                       media_server **out)
{
    const char *as = cli_get(o, n, "audiosocket"), *ws = cli_get(o, n, "media-ws");
    struct media_config mc = {
        .audiosocket = as ? as : "127.0.0.1:9092",
        .media_ws = ws ? ws : "127.0.0.1:8090",
        .prompt_dir = cli_get(o, n, "prompts"),
        .voicebot_file = cli_get(o, n, "voicebot-menu"),
        .voicebot_all = cli_flag(o, n, "voicebot-all"),
        .ari_url = cli_get(o, n, "ari"),
        .ari_user = getenv("IKIIKI_ARI_USER"),
        .ari_password = getenv("IKIIKI_ARI_PASSWORD"),
        .hooks = {.feature = log_feature},
    };
    if (strcmp(mc.audiosocket, "off") == 0 && strcmp(mc.media_ws, "off") == 0)
        return 0;
    char err[600];
    int rc = media_server_start(&mc, out, err, sizeof err);
    if (rc)
        return cli_fail(cmd, rc == -2 ? EXIT_USAGE : EXIT_FAIL, "%s", err);
    /* Tests and scripts that asked for port 0 read the ports from these lines. */
    if (media_server_port(*out, 0))
        log_msg(LOG_INFO, "media: audiosocket listening on port %u",
                (unsigned)media_server_port(*out, 0));
    if (media_server_port(*out, 1))
        log_msg(LOG_INFO, "media: websocket listening on port %u",
                (unsigned)media_server_port(*out, 1));
    return 0;
}

static void stop_media(media_server *m)
{
    if (!m)
        return;
    struct media_stats st;
    media_server_stop(m, &st);
    log_msg(LOG_INFO,
            "media: stopped: calls %llu, frames in %llu out %llu dropped %llu, protocol errors "
            "%llu, frame lag p50 %.3f ms p99 %.3f ms max %.3f ms, tick late p99 %.3f ms max "
            "%.3f ms",
            (unsigned long long)st.calls_total, (unsigned long long)st.frames_in,
            (unsigned long long)st.frames_out, (unsigned long long)st.frames_dropped,
            (unsigned long long)st.protocol_errors, st.lag_p50_ms, st.lag_p99_ms, st.lag_max_ms,
            st.tick_late_p99_ms, st.tick_late_max_ms);
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
        {"ari", 1,
         "Asterisk ARI base URL for transfers, e.g. http://127.0.0.1:8088 (user and "
         "password from $IKIIKI_ARI_USER, $IKIIKI_ARI_PASSWORD)",
         NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t threads = 0;
    if (cli_get(o, n, "threads") && (rc = cli_int(cmd, o, n, "threads", 1, 256, &threads)))
        return rc;
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    store_free(s); /* migrated; the server opens its own connections */

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
    };
    http_server *srv;
    char err[600];
    rc = http_server_start(&cfg, &srv, err, sizeof err);
    if (rc)
        return cli_fail(cmd, rc == -2 ? EXIT_USAGE : EXIT_FAIL, "%s", err);
    media_server *media = NULL;
    if ((rc = start_media(cmd, o, n, &media))) {
        http_server_stop(srv);
        return rc;
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
    stop_media(media);
    http_server_stop(srv);
    log_msg(LOG_INFO, "stopped");
    return EXIT_OK;
}
