#include "testutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const tu_backends[2] = {"sqlite", "postgresql"};

const char *tu_bin(void)
{
    const char *b = getenv("IKIIKI_BIN");
    return b && *b ? b : "./ikiiki";
}

static int make_tempdir(char *out, size_t outlen)
{
    snprintf(out, outlen, "/tmp/ikiiki-test.XXXXXX");
    return mkdtemp(out) ? 0 : -1;
}

int tu_write_temp(const char *name, const char *text, char *path, size_t pathlen)
{
    char dir[64];
    if (make_tempdir(dir, sizeof dir))
        return -1;
    snprintf(path, pathlen, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_fresh(const char *admin, const char *name, char *out, size_t outlen)
{
    PGconn *c = PQconnectdb(admin);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "testutil: cannot reach %s: %s", admin, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
    PQclear(PQexec(c, sql));
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", name);
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "testutil: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    const char *slash = strrchr(admin, '/');
    snprintf(out, outlen, "%.*s/%s", (int)(slash - admin), admin, name);
    return ok ? 0 : -1;
}

int tu_db_url(const char *backend, const char *name, char *out, size_t outlen)
{
    if (strcmp(backend, "sqlite") == 0) {
        char dir[64];
        if (make_tempdir(dir, sizeof dir))
            return -1;
        snprintf(out, outlen, "%s/%s.db", dir, name);
        return 0;
    }
    const char *admin = getenv("IKIIKI_TEST_PG");
    if (!admin || !*admin) {
        const char *skip = getenv("IKIIKI_TEST_NO_PG");
        if (skip && strcmp(skip, "1") == 0)
            return 1;
        fprintf(stderr, "testutil: IKIIKI_TEST_PG is not set; run the tests through "
                        "scripts/with-postgres.sh (or set IKIIKI_TEST_NO_PG=1)\n");
        abort();
    }
    char db[96];
    snprintf(db, sizeof db, "t_%s_%d", name, (int)getpid());
    for (char *p = db; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            *p = '_';
    if (pg_fresh(admin, db, out, outlen))
        abort();
    return 0;
}

static char *slurp_fd_len(int fd, size_t *outlen);

char *tu_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *b = slurp_fd_len(fd, len);
    close(fd);
    return b;
}

/* Reads everything from fd into a malloc'd string. */
static char *slurp_fd_len(int fd, size_t *outlen)
{
    size_t cap = 4096, len = 0;
    char *p = malloc(cap);
    for (;;) {
        if (len + 1024 > cap)
            p = realloc(p, cap *= 2);
        ssize_t n = read(fd, p + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    p[len] = '\0';
    if (outlen)
        *outlen = len;
    return p;
}

static char *slurp_fd(int fd)
{
    return slurp_fd_len(fd, NULL);
}

int tu_run(char *const argv[], const char *stdin_text, struct tu_result *res)
{
    char dir[64], outp[96], errp[96], inp[96];
    if (make_tempdir(dir, sizeof dir))
        return -1;
    snprintf(outp, sizeof outp, "%s/out", dir);
    snprintf(errp, sizeof errp, "%s/err", dir);
    snprintf(inp, sizeof inp, "%s/in", dir);
    FILE *f = fopen(inp, "wb");
    if (!f)
        return -1;
    if (stdin_text)
        fputs(stdin_text, f);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(inp, O_RDONLY), out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600),
            err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    int fd = open(outp, O_RDONLY);
    res->out = slurp_fd(fd);
    close(fd);
    fd = open(errp, O_RDONLY);
    res->err = slurp_fd(fd);
    close(fd);
    unlink(outp);
    unlink(errp);
    unlink(inp);
    rmdir(dir);
    return 0;
}

int tu_ikiiki(const char *url, const char *const *words, const char *stdin_text,
              struct tu_result *res)
{
    const char *argv[40] = {tu_bin()};
    int n = 1;
    for (int i = 0; words[i] && n < 37; i++)
        argv[n++] = words[i];
    argv[n++] = "--db";
    argv[n++] = url;
    argv[n] = NULL;
    return tu_run((char *const *)argv, stdin_text, res);
}

void tu_result_free(struct tu_result *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

int tu_server_start(const char *db_url, struct tu_server *srv, const char *const *extra)
{
    char dir[64];
    int pipefd[2];
    memset(srv, 0, sizeof *srv);
    if (make_tempdir(dir, sizeof dir) || pipe(pipefd))
        return -1;
    snprintf(srv->errlog, sizeof srv->errlog, "%s/server.log", dir);
    const char *argv[32] = {tu_bin(), "serve", "--db", db_url, "--listen", "127.0.0.1:0"};
    int argc = 6;
    int media_as = 0, media_ws = 0;
    for (int i = 0; extra && extra[i] && argc < 26; i++) {
        media_as |= strcmp(extra[i], "--audiosocket") == 0;
        media_ws |= strcmp(extra[i], "--media-ws") == 0;
        argv[argc++] = extra[i];
    }
    /* Servers of parallel tests must not fight over the fixed media ports: off unless asked. */
    if (!media_as) {
        argv[argc++] = "--audiosocket";
        argv[argc++] = "off";
    }
    if (!media_ws) {
        argv[argc++] = "--media-ws";
        argv[argc++] = "off";
    }
    argv[argc] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int err = open(srv->errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(pipefd[1], 1);
        dup2(err, 2);
        close(pipefd[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    srv->pid = pid;
    char line[256];
    size_t len = 0;
    /* Wait up to 30 s (an ASan build starts slowly) for "listening on http://HOST:PORT\n". */
    struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
    while (len < sizeof line - 1 && poll(&pfd, 1, 30000) > 0) {
        ssize_t n = read(pipefd[0], line + len, 1);
        if (n <= 0)
            break;
        if (line[len++] == '\n')
            break;
    }
    line[len] = '\0';
    close(pipefd[0]);
    const char *colon = strrchr(line, ':');
    int tls = strncmp(line, "listening on https://", 21) == 0;
    if ((!tls && strncmp(line, "listening on http://", 20) != 0) || !colon) {
        fprintf(stderr, "testutil: server did not start (said \"%s\"); see %s\n", line,
                srv->errlog);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    srv->port = (unsigned)strtol(colon + 1, NULL, 10);
    snprintf(srv->base, sizeof srv->base, "%s://127.0.0.1:%u", tls ? "https" : "http", srv->port);
    return 0;
}

int tu_server_alive(struct tu_server *srv)
{
    return srv->pid > 0 && waitpid(srv->pid, NULL, WNOHANG) == 0;
}

int tu_server_stop(struct tu_server *srv)
{
    if (srv->pid <= 0)
        return -1;
    kill(srv->pid, SIGTERM);
    int st = 0;
    for (int i = 0; i < 300; i++) { /* up to 30 s */
        pid_t w = waitpid(srv->pid, &st, WNOHANG);
        if (w == srv->pid) {
            srv->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    kill(srv->pid, SIGKILL);
    waitpid(srv->pid, &st, 0);
    srv->pid = 0;
    return 137;
}

struct tu_http {
    CURL *c;
    char base[64];
    char csrf[128];
    char bearer[160];
};

struct growbuf {
    char *p;
    size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct growbuf *b = ud;
    size_t n = size * nmemb;
    b->p = realloc(b->p, b->len + n + 1);
    memcpy(b->p + b->len, ptr, n);
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

struct tu_http *tu_http_new(const char *base)
{
    static int inited;
    if (!inited) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        inited = 1;
    }
    struct tu_http *h = calloc(1, sizeof *h);
    h->c = curl_easy_init();
    snprintf(h->base, sizeof h->base, "%s", base);
    curl_easy_setopt(h->c, CURLOPT_COOKIEFILE, ""); /* in-memory cookie jar */
    return h;
}

void tu_http_free(struct tu_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->c);
    free(h);
}

void tu_http_bearer(struct tu_http *h, const char *key)
{
    snprintf(h->bearer, sizeof h->bearer, "%s", key ? key : "");
}

void tu_http_source(struct tu_http *h, const char *addr)
{
    char iface[64];
    snprintf(iface, sizeof iface, "host!%s", addr);
    curl_easy_setopt(h->c, CURLOPT_INTERFACE, iface);
}

void tu_http_drop_csrf(struct tu_http *h)
{
    h->csrf[0] = '\0';
}

int tu_request(struct tu_http *h, const char *method, const char *path, const char *body,
               const char *const *extra_headers, struct tu_resp *resp)
{
    char url[1024], hdr[256];
    struct growbuf b = {0}, hb = {0};
    struct curl_slist *hl = NULL;
    snprintf(url, sizeof url, "%s%s", h->base, path);
    memset(resp, 0, sizeof *resp);
    curl_easy_setopt(h->c, CURLOPT_URL, url);
    if (body) {
        curl_easy_setopt(h->c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h->c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        int own_type = 0; /* an extra Content-Type header replaces the default */
        for (int i = 0; extra_headers && extra_headers[i]; i++)
            own_type |= strncasecmp(extra_headers[i], "Content-Type", 12) == 0;
        if (!own_type)
            hl = curl_slist_append(hl, "Content-Type: application/json");
    } else {
        /* No body: back to a plain request, or a POSTFIELDS left from an earlier request on this
         * handle makes curl send Content-Length (or read stdin) for DELETE and hang. */
        curl_easy_setopt(h->c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h->c, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
    curl_easy_setopt(h->c, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") == 0 ? NULL : method);
    if (h->csrf[0]) {
        snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s", h->csrf);
        hl = curl_slist_append(hl, hdr);
    }
    if (h->bearer[0]) {
        snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", h->bearer);
        hl = curl_slist_append(hl, hdr);
    }
    for (int i = 0; extra_headers && extra_headers[i]; i++)
        hl = curl_slist_append(hl, extra_headers[i]);
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(h->c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h->c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h->c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h->c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(h->c, CURLOPT_HEADERDATA, &hb);
    curl_easy_setopt(h->c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(h->c);
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        free(b.p);
        free(hb.p);
        return -1;
    }
    curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &resp->status);
    resp->body = b.p ? b.p : strdup("");
    resp->headers = hb.p ? hb.p : strdup("");
    resp->json = json_loads(resp->body, 0, NULL);
    return 0;
}

void tu_resp_free(struct tu_resp *resp)
{
    free(resp->body);
    free(resp->headers);
    json_decref(resp->json);
    memset(resp, 0, sizeof *resp);
}

long tu_login(struct tu_http *h, const char *login, const char *password)
{
    json_t *b = json_pack("{s:s, s:s}", "login", login, "password", password);
    char *text = json_dumps(b, 0);
    json_decref(b);
    struct tu_resp r;
    h->csrf[0] = '\0';
    int rc = tu_request(h, "POST", "/api/v1/session", text, NULL, &r);
    free(text);
    if (rc)
        return -1;
    long status = r.status;
    const char *csrf = json_string_value(json_object_get(r.json, "csrf_token"));
    if (status == 200 && csrf)
        snprintf(h->csrf, sizeof h->csrf, "%s", csrf);
    tu_resp_free(&r);
    return status;
}

int tu_one_line_exit2(const struct tu_result *r, const char *needle)
{
    size_t n = strlen(r->err);
    if (r->status == 2 && n && strchr(r->err, '\n') == r->err + n - 1 && strstr(r->err, needle))
        return 0;
    fprintf(stderr, "want exit 2 and one line with \"%s\"; got %d: %s\n", needle, r->status,
            r->err);
    return -1;
}
