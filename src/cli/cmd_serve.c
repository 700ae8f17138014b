/* ikiiki serve: run the API until SIGTERM or SIGINT, then stop gracefully. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/log.h"
#include "http/http.h"

int cmd_serve(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL", NULL, 0},
        {"listen", 1, "address and port to listen on (default 127.0.0.1:8080; port 0 = any free)",
         NULL, 0},
        {"threads", 1, "worker threads (default: one per CPU)", NULL, 0},
        {"behind-tls", 0, "a TLS proxy is in front: mark session cookies Secure", NULL, 0},
        {"no-access-log", 0, "do not write one line per request", NULL, 0},
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
    http_server_stop(srv);
    log_msg(LOG_INFO, "stopped");
    return EXIT_OK;
}
