/* 通話ガード end to end: `ikiiki guard analyze` in each mode and on bad input; the real server on
 * SQLite and PostgreSQL with a phone system's API key posting a call's events, a supervisor's
 * dashboard on SSE (libcurl, write callback, time limit), the staged responses and a supervisor's
 * confirmation in assisted mode, role checks, the harassment case in the weekly review queue, and
 * the webhook retried against a small loopback receiver that refuses the first attempts. On
 * PostgreSQL, two servers on one database in automatic mode: the alert raised on one reaches the
 * dashboard of the other (LISTEN/NOTIFY) and the call is ended by the engine. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define PW "guard-pass-1"

/* Customer lines every lexicon of ours must take as harassment, and one it must not. */
static const char *const abuse[] = {"ふざけるな、このバカ野郎", "殺すぞ", "ふざけるなよ、バカ"};
static const char *const calm = "注文した商品がまだ届かないのですが";

static char *cli(const char *db, const char *stdin_text, ...)
{
    const char *words[40];
    int n = 0;
    va_list ap;
    va_start(ap, stdin_text);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 36)
        words[n++] = a;
    va_end(ap);
    words[n] = NULL;
    struct tu_result res;
    if (tu_ikiiki(db, words, stdin_text, &res))
        fail_msg("cannot run ikiiki %s", words[0]);
    if (res.status != 0)
        fail_msg("`ikiiki %s %s` exited %d: %s", words[0], n > 1 ? words[1] : "", res.status,
                 res.err);
    char *out = res.out;
    res.out = NULL;
    tu_result_free(&res);
    return out;
}

/* ---- guard analyze ---- */

static struct tu_result analyze(const char *input, const char *mode)
{
    const char *argv[] = {tu_bin(), "guard", "analyze", "--json", "--mode", mode, NULL};
    struct tu_result res;
    if (tu_run((char *const *)argv, input, &res))
        fail_msg("cannot run guard analyze");
    return res;
}

/* The final line's actions of a guard analyze run. */
static json_t *final_actions(const char *out, int *lines)
{
    const char *last = NULL, *p = out;
    *lines = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        last = p;
        (*lines)++;
        p = nl + 1;
    }
    json_t *j = last ? json_loads(last, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
    if (!j)
        fail_msg("guard analyze: no final object in %s", out);
    return j;
}

static int has_action(json_t *actions, const char *action, const char *prompt)
{
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a)
    {
        const char *pr = json_string_value(json_object_get(a, "prompt"));
        if (strcmp(json_string_value(json_object_get(a, "action")), action) == 0 &&
            (!prompt || (pr && strcmp(pr, prompt) == 0)))
            return 1;
    }
    return 0;
}

static void test_analyze_modes(void **state)
{
    (void)state;
    char input[1024];
    snprintf(input, sizeof input, "C: %s\nO: 申し訳ございません\n%s\nC: %s\nC: %s\n", calm,
             abuse[0], abuse[1], abuse[2]);
    static const char *const modes[] = {"advisory", "assisted", "automatic"};
    for (int m = 0; m < 3; m++) {
        struct tu_result res = analyze(input, modes[m]);
        assert_int_equal(res.status, 0);
        int lines;
        json_t *fin = final_actions(res.out, &lines);
        assert_int_equal(lines, 6); /* five utterances, then the call */
        /* Line by line: the calm line and the operator's are not harassment, the abuse is. */
        json_t *l1 = json_loads(res.out, JSON_DISABLE_EOF_CHECK, NULL);
        assert_non_null(l1);
        assert_true(json_is_false(json_object_get(l1, "harassment")));
        assert_string_equal(json_string_value(json_object_get(l1, "speaker")), "customer");
        json_decref(l1);
        const char *l3 = strchr(strchr(res.out, '\n') + 1, '\n') + 1;
        json_t *j3 = json_loads(l3, JSON_DISABLE_EOF_CHECK, NULL);
        assert_true(json_is_true(json_object_get(j3, "harassment")));
        assert_true(json_array_size(json_object_get(j3, "spans")) > 0);
        json_decref(j3);
        json_t *call = json_object_get(fin, "call");
        json_t *acts = json_object_get(fin, "actions");
        assert_int_equal(json_integer_value(json_object_get(call, "detections")), 3);
        assert_true(has_action(acts, "notify", NULL));
        if (m == 0) { /* advisory: notify only */
            assert_false(has_action(acts, "play", "warning1"));
            assert_false(has_action(acts, "end_call", NULL));
        } else if (m == 1) { /* assisted: warns, the end waits for a supervisor */
            assert_true(has_action(acts, "play", "warning1"));
            assert_false(has_action(acts, "end_call", NULL));
            assert_true(json_is_true(json_object_get(call, "pending_end")));
        } else { /* automatic: every stage */
            assert_true(has_action(acts, "play", "warning1"));
            assert_true(has_action(acts, "play", "closing"));
            assert_true(has_action(acts, "end_call", NULL));
        }
        json_decref(fin);
        tu_result_free(&res);
    }
}

static void expect_bad(const char *input, const char *what)
{
    struct tu_result res = analyze(input, "automatic");
    if (res.status != 2 || !strstr(res.err, what) ||
        strchr(res.err, '\n') != strrchr(res.err, '\n'))
        fail_msg("expected exit 2 and one line naming \"%s\", got %d: %s", what, res.status,
                 res.err);
    tu_result_free(&res);
}

static void test_analyze_bad_input(void **state)
{
    (void)state;
    expect_bad("C: こんにちは\nX: hello\n", "line 2: speaker \"X\" is not C or O");
    expect_bad("C: ok\nO: ok\nC: \xff\xfe broken\n", "line 3");
    char *big = malloc(6000);
    memset(big, 'a', 5000);
    snprintf(big + 5000, 1000, "\n");
    char input[6100];
    snprintf(input, sizeof input, "C: ok\n%s", big);
    free(big);
    expect_bad(input, "line 2: longer than");
}

/* ---- a loopback webhook receiver that refuses the first attempts ---- */

struct receiver {
    int fd;
    unsigned port;
    int refuse; /* first this many requests get 500 */
    int got, ok;
    char last[4096];
    pthread_t th;
};

static void *receiver_main(void *arg)
{
    struct receiver *r = arg;
    for (;;) {
        int c = accept(r->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[8192];
        size_t n = 0;
        ssize_t k;
        /* Reads until the body promised by Content-Length is in. */
        while ((k = read(c, buf + n, sizeof buf - 1 - n)) > 0) {
            n += (size_t)k;
            buf[n] = '\0';
            char *hdr_end = strstr(buf, "\r\n\r\n");
            char *cl = strcasestr(buf, "Content-Length:");
            if (hdr_end && cl && (size_t)(hdr_end + 4 - buf) + strtoul(cl + 15, NULL, 10) <= n)
                break;
        }
        r->got++;
        const char *reply = "HTTP/1.1 500 Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (r->got > r->refuse) {
            reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            char *body = strstr(buf, "\r\n\r\n");
            snprintf(r->last, sizeof r->last, "%s", body ? body + 4 : "");
            r->ok++;
        }
        if (write(c, reply, strlen(reply)) < 0)
            r->got += 0;
        close(c);
    }
}

static void receiver_start(struct receiver *r, int refuse)
{
    memset(r, 0, sizeof *r);
    r->refuse = refuse;
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(r->fd, 16), 0);
    getsockname(r->fd, (struct sockaddr *)&a, &len);
    r->port = ntohs(a.sin_port);
    pthread_create(&r->th, NULL, receiver_main, r);
}

static void receiver_stop(struct receiver *r)
{
    shutdown(r->fd, SHUT_RDWR);
    close(r->fd);
    pthread_join(r->th, NULL);
}

/* ---- an SSE dashboard: libcurl in a thread, everything received kept ---- */

struct dash {
    char url[256];
    char cookie[512];
    char bearer[128];
    pthread_mutex_t mu;
    char *data;
    size_t len;
    int max_s;
    pthread_t th;
};

static size_t dash_write(char *p, size_t size, size_t n, void *ud)
{
    struct dash *d = ud;
    pthread_mutex_lock(&d->mu);
    char *g = realloc(d->data, d->len + size * n + 1);
    if (g) {
        memcpy(g + d->len, p, size * n);
        d->len += size * n;
        g[d->len] = '\0';
        d->data = g;
    }
    pthread_mutex_unlock(&d->mu);
    return size * n;
}

static void *dash_main(void *arg)
{
    struct dash *d = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    curl_easy_setopt(c, CURLOPT_URL, d->url);
    curl_easy_setopt(c, CURLOPT_COOKIE, d->cookie);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, dash_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, d);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)d->max_s + 5);
    curl_easy_perform(c);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

/* Signs in as login on base and opens /api/v1/events for max_s seconds. */
static void dash_open(struct dash *d, const char *base, const char *login, int max_s)
{
    memset(d, 0, sizeof *d);
    pthread_mutex_init(&d->mu, NULL);
    d->max_s = max_s;
    snprintf(d->url, sizeof d->url, "%s/api/v1/events?max_s=%d", base, max_s);
    struct tu_http *hc = tu_http_new(base);
    assert_int_equal(tu_login(hc, login, PW), 200);
    struct tu_resp resp;
    assert_int_equal(tu_request(hc, "GET", "/api/v1/me", NULL, NULL, &resp), 0);
    tu_resp_free(&resp);
    tu_http_free(hc);
    /* The session cookie, read back by signing in with a plain curl handle. */
    CURL *c = curl_easy_init();
    char url[256], body[128];
    snprintf(url, sizeof url, "%s/api/v1/session", base);
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", login, PW);
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, dash_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, d);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    struct curl_slist *cookies = NULL;
    curl_easy_getinfo(c, CURLINFO_COOKIELIST, &cookies);
    for (struct curl_slist *k = cookies; k; k = k->next) {
        /* Netscape format: the name and value are the last two tab-separated fields. */
        const char *f[7] = {0};
        int nf = 0;
        char line[512];
        snprintf(line, sizeof line, "%s", k->data);
        for (char *s = line, *t; nf < 7 && (t = strsep(&s, "\t"));)
            f[nf++] = t;
        if (nf == 7 && strcmp(f[5], "ikiiki_session") == 0)
            snprintf(d->cookie, sizeof d->cookie, "%s=%s", f[5], f[6]);
    }
    curl_slist_free_all(cookies);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    free(d->data);
    d->data = NULL;
    d->len = 0;
    assert_true(d->cookie[0] != '\0');
    pthread_create(&d->th, NULL, dash_main, d);
}

/* Waits up to ms for needle in what the dashboard received. */
static int dash_wait(struct dash *d, const char *needle, int ms)
{
    for (int t = 0; t < ms; t += 20) {
        pthread_mutex_lock(&d->mu);
        int found = d->data && strstr(d->data, needle);
        pthread_mutex_unlock(&d->mu);
        if (found)
            return 1;
        usleep(20000);
    }
    return 0;
}

static void dash_close(struct dash *d)
{
    pthread_join(d->th, NULL);
    free(d->data);
    pthread_mutex_destroy(&d->mu);
}

/* ---- the server ---- */

static void user(const char *db, const char *login, const char *role, const char *center)
{
    free(cli(db, PW "\n", "user", "add", "--login", login, "--role", role, "--center", center,
             "--password-stdin", NULL));
}

static void fixture(const char *db, char *key, size_t keylen)
{
    free(cli(db, NULL, "init", "--demo", NULL));
    free(cli(db, NULL, "center", "add", "--code", "GKB", "--name", "岐阜", "--operators", "10",
             "--company", "DEMO", NULL));
    user(db, "g_sv", "supervisor", "TKY");
    user(db, "g_op", "operator", "TKY");
    user(db, "g_mgr_osk", "center_manager", "GKB");
    user(db, "g_mgr_tky", "center_manager", "TKY");
    free(cli(db, PW "\n", "user", "add", "--login", "g_admin", "--role", "admin",
             "--password-stdin", NULL));
    char *out = cli(db, NULL, "apikey", "add", "--name", "pbx", "--scope", "calls", "--json", NULL);
    json_t *j = json_loads(out, 0, NULL);
    snprintf(key, keylen, "%s", json_string_value(json_object_get(j, "key")));
    json_decref(j);
    free(out);
}

static json_t *req(struct tu_http *h, const char *method, const char *path, const char *body,
                   long want)
{
    struct tu_resp resp;
    if (tu_request(h, method, path, body, NULL, &resp))
        fail_msg("%s %s: no reply", method, path);
    if (resp.status != want)
        fail_msg("%s %s: expected %ld, got %ld: %.300s", method, path, want, resp.status,
                 resp.body);
    json_t *j = resp.json ? json_incref(resp.json) : NULL;
    tu_resp_free(&resp);
    return j;
}

static void event(struct tu_http *pbx, const char *call, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/calls/%s/events", call);
    json_decref(req(pbx, "POST", path, body, 202));
}

static void say(struct tu_http *pbx, const char *call, const char *text)
{
    json_t *b = json_pack("{s:s, s:s, s:s, s:i, s:i}", "type", "utterance", "speaker", "customer",
                          "text", text, "start_ms", 1000, "end_ms", 2500);
    char *s = json_dumps(b, JSON_COMPACT);
    event(pbx, call, s);
    free(s);
    json_decref(b);
}

/* 1 when the call's timeline (active or stored) holds a decision with this action. */
static int timeline_has(struct tu_http *h, const char *call, const char *action)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/calls/%s", call);
    json_t *j = req(h, "GET", path, NULL, 200);
    size_t i, k;
    json_t *e, *a;
    int found = 0;
    json_array_foreach(json_object_get(j, "timeline"), i, e)
    {
        json_array_foreach(json_object_get(e, "actions"), k, a)
        {
            found |= strcmp(json_string_value(a), action) == 0;
        }
    }
    json_decref(j);
    return found;
}

static void assisted_flow(const char *db, const struct tu_server *srv, const char *key,
                          struct receiver *hook)
{
    struct tu_http *pbx = tu_http_new(srv->base);
    tu_http_bearer(pbx, key);
    struct tu_http *sv = tu_http_new(srv->base);
    assert_int_equal(tu_login(sv, "g_sv", PW), 200);
    struct tu_http *osk = tu_http_new(srv->base);
    assert_int_equal(tu_login(osk, "g_mgr_osk", PW), 200);
    struct dash d;
    dash_open(&d, srv->base, "g_sv", 6);
    assert_true(dash_wait(&d, "event: hello", 5000));

    event(pbx, "c-1",
          "{\"type\":\"start\",\"caller\":\"090-5555-0001\",\"operator\":\"g_op\","
          "\"center\":\"TKY\"}");
    say(pbx, "c-1", calm);
    for (int i = 0; i < 3; i++)
        say(pbx, "c-1", abuse[i]);
    /* The dashboard hears the alert; the end waits for the supervisor in assisted mode. */
    assert_true(dash_wait(&d, "event: alert", 5000));
    assert_true(dash_wait(&d, "\"pending_end\":true", 5000));
    assert_true(timeline_has(sv, "c-1", "play:warning1"));
    assert_false(timeline_has(sv, "c-1", "end_call"));
    json_t *list = req(sv, "GET", "/api/v1/calls", NULL, 200);
    json_t *c0 = json_array_get(json_object_get(list, "calls"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "risk")), "high");
    json_decref(list);
    /* Another center's manager sees neither the call nor its timeline. */
    list = req(osk, "GET", "/api/v1/calls", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "calls")), 0);
    json_decref(list);
    json_decref(req(osk, "GET", "/api/v1/calls/c-1", NULL, 404));
    json_decref(req(osk, "POST", "/api/v1/calls/c-1/actions", "{\"action\":\"end\"}", 404));
    /* The supervisor confirms: closing announcement and end of call. */
    json_decref(req(sv, "POST", "/api/v1/calls/c-1/actions", "{\"action\":\"bogus\"}", 400));
    json_decref(req(sv, "POST", "/api/v1/calls/c-1/actions", "{\"action\":\"confirm\"}", 200));
    assert_true(timeline_has(sv, "c-1", "end_call"));
    json_decref(req(sv, "POST", "/api/v1/calls/c-1/actions", "{\"action\":\"confirm\"}", 409));
    event(pbx, "c-1", "{\"type\":\"end\"}");
    json_decref(req(pbx, "POST", "/api/v1/calls/c-1/events", "{\"type\":\"end\"}", 404));
    json_decref(req(pbx, "POST", "/api/v1/calls/c-1/events", "{\"type\":\"nope\"}", 400));
    /* The ended call's record: stored, with the harassment case it opened. */
    json_t *rec = NULL;
    /* The engine's writer stores the call shortly after the end: until then it is not found. */
    for (int t = 0; t < 100; t++) {
        struct tu_resp resp;
        json_decref(rec);
        rec = NULL;
        assert_int_equal(tu_request(sv, "GET", "/api/v1/calls/c-1", NULL, NULL, &resp), 0);
        if (resp.status != 200 && resp.status != 404)
            fail_msg("GET /api/v1/calls/c-1: %ld %s", resp.status, resp.body);
        rec = resp.json ? json_incref(resp.json) : NULL;
        tu_resp_free(&resp);
        if (json_integer_value(json_object_get(rec, "case_id")) > 0)
            break;
        usleep(50000);
    }
    assert_true(json_integer_value(json_object_get(rec, "case_id")) > 0);
    char *text = json_dumps(rec, 0);
    assert_null(strstr(text, "5555-0001")); /* never the number */
    free(text);
    json_decref(rec);
    /* The case waits in this week's review queue, source guard. */
    char *q = cli(db, NULL, "harass", "queue", "--center", "TKY", "--json", NULL);
    assert_non_null(strstr(q, "\"guard\""));
    assert_non_null(strstr(q, "c-1"));
    free(q);
    /* The webhook got the alert after two refused attempts. */
    for (int t = 0; t < 200 && hook->ok == 0; t++)
        usleep(50000);
    assert_true(hook->ok >= 1);
    assert_true(hook->got >= 3);
    assert_non_null(strstr(hook->last, "\"call\":\"c-1\""));
    dash_close(&d);
    tu_http_free(pbx);
    tu_http_free(sv);
    tu_http_free(osk);
}

/* While the server runs: a manager blocks a caller over the API, the next call of that caller goes
 * to the voicebot (assisted mode); an admin PUTs a policy whose first stage warns, and a call
 * started after it is warned at its first detection while the call in progress keeps the old
 * stages. */
static void block_and_reload(const struct tu_server *srv, const char *key)
{
    struct tu_http *pbx = tu_http_new(srv->base);
    tu_http_bearer(pbx, key);
    struct tu_http *sv = tu_http_new(srv->base);
    assert_int_equal(tu_login(sv, "g_sv", PW), 200);
    struct tu_http *mgr = tu_http_new(srv->base);
    assert_int_equal(tu_login(mgr, "g_mgr_tky", PW), 200);
    struct tu_http *adm = tu_http_new(srv->base);
    assert_int_equal(tu_login(adm, "g_admin", PW), 200);

    json_t *b = req(mgr, "POST", "/api/v1/guard/blocks",
                    "{\"caller\":\"090-5555-0009\",\"reason\":\"脅迫\"}", 201);
    assert_string_equal(json_string_value(json_object_get(b, "center")), "TKY");
    json_int_t id = json_integer_value(json_object_get(b, "id"));
    char *text = json_dumps(b, 0);
    assert_null(strstr(text, "5555-0009"));
    free(text);
    json_decref(b);
    event(pbx, "blk-1",
          "{\"type\":\"start\",\"caller\":\"090-5555-0009\",\"operator\":\"g_op\","
          "\"center\":\"TKY\"}");
    int seen = 0;
    for (int t = 0; t < 100 && !(seen = timeline_has(sv, "blk-1", "voicebot")); t++)
        usleep(50000);
    assert_true(seen);
    event(pbx, "blk-1",
          "{\"type\":\"feature\",\"name\":\"voicebot_purpose\",\"detail\":{\"purpose\":"
          "\"返金\"}}");
    assert_true(timeline_has(sv, "blk-1", "release"));
    event(pbx, "blk-1", "{\"type\":\"end\"}");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/guard/blocks/%lld", (long long)id);
    json_decref(req(mgr, "DELETE", path, NULL, 204));
    json_t *l = req(adm, "GET", "/api/v1/guard/blocks", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "blocks")), 0);
    json_decref(l);

    /* The policy: version 2 warns at the first detection. */
    event(pbx, "pol-old", "{\"type\":\"start\",\"operator\":\"g_op\",\"center\":\"TKY\"}");
    json_t *doc = req(adm, "GET", "/api/v1/harass/policy", NULL, 200);
    json_t *pol = json_object_get(doc, "policy") ? json_object_get(doc, "policy") : doc;
    json_object_set_new(json_object_get(pol, "guard"), "stages",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "action", "warn", "prompt",
                                  "final_warning", "action", "end", "prompt", "closing"));
    char *body = json_dumps(pol, JSON_COMPACT);
    json_t *put = req(adm, "PUT", "/api/v1/harass/policy", body, 201);
    free(body);
    json_decref(doc);
    json_int_t version = json_integer_value(json_object_get(put, "version"));
    json_decref(put);
    event(pbx, "pol-new", "{\"type\":\"start\",\"operator\":\"g_op\",\"center\":\"TKY\"}");
    say(pbx, "pol-old", abuse[0]);
    say(pbx, "pol-new", abuse[0]);
    assert_true(timeline_has(sv, "pol-new", "play:final_warning"));
    assert_false(timeline_has(sv, "pol-old", "play:final_warning"));
    json_t *c = req(sv, "GET", "/api/v1/calls/pol-new", NULL, 200);
    text = json_dumps(c, JSON_COMPACT);
    char want[48];
    snprintf(want, sizeof want, "\"policy_version\":%lld", (long long)version);
    assert_non_null(strstr(text, want));
    free(text);
    json_decref(c);
    event(pbx, "pol-old", "{\"type\":\"end\"}");
    event(pbx, "pol-new", "{\"type\":\"end\"}");
    tu_http_free(pbx);
    tu_http_free(sv);
    tu_http_free(mgr);
    tu_http_free(adm);
}

static void test_server(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        char db[512], key[128];
        if (tu_db_url(tu_backends[b], "guard_api", db, sizeof db))
            continue;
        fixture(db, key, sizeof key);
        struct receiver hook;
        receiver_start(&hook, 2);
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", hook.port);
        const char *extra[] = {"--guard-mode", "assisted", "--guard-webhook", url, NULL};
        struct tu_server srv;
        assert_int_equal(tu_server_start(db, &srv, extra), 0);
        assisted_flow(db, &srv, key, &hook);
        block_and_reload(&srv, key);
        assert_int_equal(tu_server_stop(&srv), 0);
        receiver_stop(&hook);
    }
}

/* Two servers, one PostgreSQL database: the dashboard on B hears the call posted to A. */
static void test_two_servers(void **state)
{
    (void)state;
    char db[512], key[128];
    if (tu_db_url("postgresql", "guard_two", db, sizeof db))
        return;
    fixture(db, key, sizeof key);
    const char *extra[] = {"--guard-mode", "automatic", NULL};
    struct tu_server a, b;
    assert_int_equal(tu_server_start(db, &a, extra), 0);
    assert_int_equal(tu_server_start(db, &b, extra), 0);
    struct dash d;
    dash_open(&d, b.base, "g_sv", 4);
    assert_true(dash_wait(&d, "event: hello", 5000));
    struct tu_http *pbx = tu_http_new(a.base);
    tu_http_bearer(pbx, key);
    event(pbx, "two-1",
          "{\"type\":\"start\",\"caller\":\"090-5555-0002\",\"operator\":\"g_op\","
          "\"center\":\"TKY\"}");
    for (int i = 0; i < 3; i++)
        say(pbx, "two-1", abuse[i]);
    assert_true(dash_wait(&d, "event: alert", 5000));
    assert_true(dash_wait(&d, "two-1", 100));
    /* Automatic mode ends the call itself at the third detection. */
    struct tu_http *sv = tu_http_new(a.base);
    assert_int_equal(tu_login(sv, "g_sv", PW), 200);
    assert_true(timeline_has(sv, "two-1", "end_call"));
    assert_true(timeline_has(sv, "two-1", "play:closing"));
    dash_close(&d);
    tu_http_free(pbx);
    tu_http_free(sv);
    assert_int_equal(tu_server_stop(&a), 0);
    assert_int_equal(tu_server_stop(&b), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyze_modes),
        cmocka_unit_test(test_analyze_bad_input),
        cmocka_unit_test(test_server),
        cmocka_unit_test(test_two_servers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
