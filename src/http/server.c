/* libmicrohttpd glue: one request context per connection request, body limits, the JSON reply,
 * the access log and the server's start and graceful stop. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sodium.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "http_int.h"
#include "store/store_org.h"

#define DEFAULT_MAX_BODY (1u << 20)
/* A year, the common choice; subdomains are left alone (other hosts of the center's domain may
 * not speak HTTPS). */
#define HSTS "max-age=31536000"

static enum http_method parse_method(const char *m)
{
    static const struct {
        const char *name;
        enum http_method m;
    } names[] = {{"GET", M_GET},     {"POST", M_POST},     {"PUT", M_PUT},
                 {"PATCH", M_PATCH}, {"DELETE", M_DELETE}, {"HEAD", M_GET}};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcmp(m, names[i].name) == 0)
            return names[i].m;
    return M_OTHER;
}

void http__add_header(struct req *r, const char *name, const char *value)
{
    if (r->nheaders >= HTTP_MAX_HEADERS)
        return;
    str_copy(r->headers[r->nheaders].name, sizeof r->headers[0].name, name);
    str_copy(r->headers[r->nheaders].value, sizeof r->headers[0].value, value);
    r->nheaders++;
}

const char *http__header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void http__reply_json(struct req *r, int status, json_t *body)
{
    free(r->out);
    r->out = NULL;
    r->outlen = 0;
    r->status = status;
    r->content_type = NULL;
    if (!body)
        return;
    /* 12 significant digits: 0.8333, not 0.83330000000000004. */
    char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(body);
    if (!text) {
        r->status = 500;
        return;
    }
    r->outlen = strlen(text);
    r->out = text;
}

void http__reply_file(struct req *r, char *data, size_t len, const char *content_type,
                      const char *filename)
{
    free(r->out);
    r->out = data;
    r->outlen = len;
    r->status = 200;
    r->content_type = content_type;
    char disp[200];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", filename);
    http__add_header(r, "Content-Disposition", disp);
}

void http__reply_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    http__reply_json(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

int http__store_error(struct req *r, int rc, const char *what)
{
    if (rc == STORE_NOTFOUND) {
        http__reply_error(r, 404, "not_found", "%s does not exist", what);
        return 404;
    }
    if (rc == STORE_CONFLICT) {
        http__reply_error(r, 409, "conflict", "%s already exists or is still in use", what);
        return 409;
    }
    char path[2100];
    http__log_path(r->path, path, sizeof path);
    log_msg(LOG_ERROR, "%s %s: %s: %s", r->method_name, path, what,
            r->db ? store_errmsg(r->db) : "no database");
    __atomic_add_fetch(&r->srv->metrics.store_errors, 1, __ATOMIC_RELAXED);
    http__reply_error(r, 500, "internal", "the server could not complete the request");
    return 500;
}

store *http__db(struct req *r)
{
    if (!r->db)
        r->db = http__pool_acquire(r->srv->pool);
    return r->db;
}

void http__audit(struct req *r, const char *action, const char *target, const char *detail)
{
    const char *actor = r->who.kind == PRINCIPAL_USER ? r->who.login : "-";
    if (store_audit_add(http__db(r), actor, action, target, detail, r->addr))
        log_msg(LOG_ERROR, "audit %s %s: %s", action, target, store_errmsg(r->db));
}

static void client_address(struct MHD_Connection *conn, char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    str_copy(out, outlen, "-");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outlen);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)outlen);
}

/* Behind the trusted proxy, the client is the address that proxy appended last to
 * X-Forwarded-For; anyone else's X-Forwarded-For is ignored, or it could name any address. */
static void forwarded_address(struct req *r)
{
    const char *proxy = r->srv->cfg.trusted_proxy;
    if (!proxy || strcmp(r->addr, proxy) != 0)
        return;
    const char *xff = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    char ip[64];
    if (str_copy(ip, sizeof ip, last))
        return;
    ip[strcspn(ip, " ")] = '\0';
    unsigned char bin[16];
    if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1)
        str_copy(r->addr, sizeof r->addr, ip);
}

static struct req *req_new(struct http_listener *side, struct MHD_Connection *conn, const char *url,
                           const char *method)
{
    struct http_server *srv = side->srv;
    struct req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->srv = srv;
    r->public_side = side->public_side;
    r->conn = conn;
    r->t0 = now_mono_ns();
    r->method = parse_method(method);
    r->method_name = method;
    buf_init(&r->body, srv->cfg.max_body);
    if (str_copy(r->path, sizeof r->path, url))
        r->status = 414;
    client_address(conn, r->addr, sizeof r->addr);
    forwarded_address(r);
    /* Survey answers are anonymous: their requests leave no address, not even in the log; only
     * a keyed hash of it counts their answers for a while (http__collect_address_limited). */
    if (strncmp(url, "/api/v1/collect/", 16) == 0) {
        r->anon = 1;
        str_copy(r->anon_addr, sizeof r->anon_addr, r->addr);
        str_copy(r->addr, sizeof r->addr, "-");
    }
    return r;
}

static void req_free(struct req *r)
{
    if (!r)
        return;
    if (r->db)
        http__pool_release(r->srv->pool, r->db);
    buf_release(&r->body);
    json_decref(r->json);
    if (r->stream)
        MHD_destroy_response(r->stream);
    free(r->out);
    free(r);
}

/* On every response, in this one place: the web app is served from this server too. Scripts,
 * styles, images and requests from the same origin only, nothing inline, never in a frame. */
static void security_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self'; "
                            "img-src 'self'; connect-src 'self'; object-src 'none'; "
                            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

static enum MHD_Result send_reply(struct req *r)
{
    if (r->stream) {
        struct MHD_Response *resp = r->stream;
        r->stream = NULL;
        MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
        MHD_add_response_header(resp, "Cache-Control", "no-store");
        MHD_add_response_header(resp, "X-Accel-Buffering", "no");
        security_headers(resp);
        if (r->srv->cfg.tls_cert)
            MHD_add_response_header(resp, "Strict-Transport-Security", HSTS);
        enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (r->status == 0)
        r->status = 500;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->outlen, r->out ? r->out : (void *)"",
                                        r->out ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    r->out = NULL; /* libmicrohttpd owns it now */
    if (r->outlen)
        MHD_add_response_header(resp, "Content-Type",
                                r->content_type ? r->content_type
                                                : "application/json; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    security_headers(resp);
    if (r->srv->cfg.tls_cert)
        MHD_add_response_header(resp, "Strict-Transport-Security", HSTS);
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static int declared_too_big(struct req *r)
{
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    int64_t n;
    return cl && parse_int64(cl, 0, INT64_MAX, &n) == 0 && (uint64_t)n > r->srv->cfg.max_body;
}

/* The public listener serves the anonymous answer links and nothing else. */
static int public_path(const char *p)
{
    /* The answer form (/a/TOKEN) and the built files it loads are served there too. */
    return strncmp(p, "/api/v1/collect/", 16) == 0 || strncmp(p, "/collect/", 9) == 0 ||
           strcmp(p, "/collect") == 0 || strncmp(p, "/a/", 3) == 0 ||
           strncmp(p, "/assets/", 8) == 0;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Refuses what no route can mean before anything else looks at it: a path too long, a control
 * character in the path (a %00 included, see unescape), a body declared too big. */
static int refuse_early(struct req *r)
{
    if (r->status == 414)
        http__reply_error(r, 414, "uri_too_long", "the request path is too long");
    else if (has_control(r->path))
        http__reply_error(r, 400, "bad_path", "the request path holds a control character");
    else if (declared_too_big(r))
        http__reply_error(r, 413, "too_large", "request body larger than %zu bytes",
                          r->srv->cfg.max_body);
    else
        return 0;
    return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_listener *side = cls;
    struct http_server *srv = side->srv;
    struct req *r = *con_cls;
    if (!r) {
        r = req_new(side, conn, url, method);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        http__conns_busy(srv->conns, conn, 1);
        if (refuse_early(r))
            return send_reply(r);
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->too_big && buf_append(&r->body, upload_data, *upload_data_size))
            r->too_big = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_big)
        http__reply_error(r, 413, "too_large", "request body larger than %zu bytes",
                          srv->cfg.max_body);
    else if (r->public_side && !public_path(r->path))
        http__reply_error(r, 404, "not_found", "only answer links are served on this address");
    else if (!http__is_api_path(r->path))
        return http__static_send(r);
    else
        http__dispatch(r);
    /* The connection goes back to the pool now rather than when the client has read the reply. */
    if (r->db) {
        http__pool_release(srv->pool, r->db);
        r->db = NULL;
    }
    return send_reply(r);
}

/* Copies s for the access log: control characters, quotes, backslashes and the C1 controls
 * (U+0080–U+009F, which some terminals obey) as \xHH, so no request can forge a line or send a
 * terminal escape. */
static void log_escape(const char *s, char *out, size_t outlen)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 5 < outlen; p++) {
        int c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || c1) {
            snprintf(out + n, outlen - n, "\\x%02x", *p);
            n += 4;
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n] = '\0';
}

/* The path as logged: the answer link's token is its only key, so the log never holds it. */
void http__log_path(const char *path, char *out, size_t outlen)
{
    static const char collect[] = "/api/v1/collect/";
    if (strncmp(path, collect, sizeof collect - 1) == 0) {
        const char *rest = path + sizeof collect - 1;
        rest += strcspn(rest, "/");
        char red[600];
        snprintf(red, sizeof red, "%s{token}%s", collect, rest);
        log_escape(red, out, outlen);
        return;
    }
    log_escape(path, out, outlen);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct http_server *srv = ((struct http_listener *)cls)->srv;
    struct req *r = *con_cls;
    if (!r)
        return;
    http__metrics_count(srv, r->status, now_mono_ns() - r->t0);
    http__conns_busy(srv->conns, conn, 0);
    if (srv->cfg.access_log) {
        double ms = (double)(now_mono_ns() - r->t0) / 1e6;
        char path[2100], method[64];
        http__log_path(r->path, path, sizeof path);
        log_escape(r->method_name, method, sizeof method);
        log_msg(LOG_INFO, "access %s \"%s %s\" %d %zu %.2fms %s%s", r->addr, method, path,
                r->status, r->outlen, ms,
                r->who.kind == PRINCIPAL_USER     ? r->who.login
                : r->who.kind == PRINCIPAL_APIKEY ? "apikey"
                                                  : "-",
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    }
    req_free(r);
    *con_cls = NULL;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* MHD's own unescaping of the path and query (%XX; anything else as it is), except that %00
 * becomes \x01: a NUL would cut the path short (/x%00.pdf read as /x), and \x01, a control
 * character, is refused with every other. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (p[0] == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            int v = hex_value(p[1]) * 16 + hex_value(p[2]);
            *w++ = v ? (char)v : '\x01';
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_msg(LOG_WARN, "http: %s", line);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, unsigned *flags)
{
    char host[128];
    int port, v6;
    if (parse_host_port(listen, host, sizeof host, &port, &v6) || (!v6 && !host[0]))
        return -1;
    memset(ss, 0, sizeof *ss);
    if (v6) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *flags |= MHD_USE_IPv6;
        return inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        return inet_pton(AF_INET, "127.0.0.1", &a4->sin_addr) == 1 ? 0 : -1;
    return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
}

static void apply_defaults(struct http_config *c)
{
    if (!c->listen)
        c->listen = "127.0.0.1:8080";
    if (c->threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->threads = n > 0 ? (int)n : 2;
    }
    if (!c->max_body)
        c->max_body = DEFAULT_MAX_BODY;
    if (!c->session_ttl)
        c->session_ttl = 12 * 3600;
    if (!c->login_fail_limit)
        c->login_fail_limit = 5;
    if (!c->login_addr_limit)
        c->login_addr_limit = 30;
    if (!c->login_window)
        c->login_window = 900;
    if (!c->login_delay_cap)
        c->login_delay_cap = 60;
    if (!c->conns_per_addr)
        c->conns_per_addr = 64;
    if (!c->header_timeout)
        c->header_timeout = 10;
    if (!c->heavy_max)
        c->heavy_max = 2;
    if (!c->collect_addr_limit)
        c->collect_addr_limit = 100;
    if (c->heavy_max > c->threads - 1)
        c->heavy_max = c->threads > 1 ? c->threads - 1 : 1;
}

/* Frees what http_server_start made (parts not made yet are NULL); sse_stopped: the event
 * streams' thread was already joined. */
static void server_free(struct http_server *srv, int sse_stopped)
{
    if (srv->pub_daemon)
        MHD_stop_daemon(srv->pub_daemon);
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    if (srv->sse) {
        if (!sse_stopped)
            http__sse_stop(srv->sse);
        http__sse_free(srv->sse);
    }
    http__conns_free(srv->conns);
    http__ratelimit_free(srv->limits);
    http__pool_free(srv->pool);
    cx_sheet_free(srv->cx);
    if (srv->cfg.tls_cert)
        http__tls_release();
    free(srv);
}

static struct MHD_Daemon *start_daemon(struct http_server *srv, struct sockaddr_storage *ss,
                                       unsigned flags, struct http_listener *side)
{
    /* The logger goes first so that libmicrohttpd's complaints about later options reach it. */
    if (srv->cfg.tls_cert)
        return MHD_start_daemon(
            flags | MHD_USE_TLS, 0, NULL, NULL, on_request, side, MHD_OPTION_EXTERNAL_LOGGER,
            mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
            MHD_OPTION_HTTPS_CERT_CALLBACK, http__tls_cert_cb, MHD_OPTION_THREAD_POOL_SIZE,
            (unsigned)srv->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, side,
            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 4000u,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)srv->cfg.conns_per_addr,
            MHD_OPTION_NOTIFY_CONNECTION, http__conns_notify, srv->conns,
            MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, side, MHD_OPTION_EXTERNAL_LOGGER,
                            mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->cfg.threads,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, side,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 4000u,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)srv->cfg.conns_per_addr,
                            MHD_OPTION_NOTIFY_CONNECTION, http__conns_notify, srv->conns,
                            MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
}

static uint16_t bound_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

int http_server_start(const struct http_config *cfg, http_server **out, char *err, size_t errlen)
{
    struct http_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    srv->cfg = *cfg;
    apply_defaults(&srv->cfg);
    crypto_auth_keygen(srv->device_key);
    struct sockaddr_storage ss;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME; /* SSE streams wait suspended */
    if (parse_listen(srv->cfg.listen, &ss, &flags)) {
        snprintf(err, errlen, "--listen: \"%s\" is not ADDR:PORT (e.g. 127.0.0.1:8080)",
                 srv->cfg.listen);
        free(srv);
        return IK_EINVAL;
    }
    char sheet[512];
    if (data_path("cx/sheet.json", sheet, sizeof sheet) ||
        cx_sheet_load(sheet, &srv->cx, err, errlen)) {
        free(srv);
        return -1;
    }
    /* One store connection per worker, plus one spare for the rare request that waits. */
    srv->guard = cfg->guard;
    if (http__pool_new(srv->cfg.db_url, srv->cfg.threads * (srv->cfg.public_listen ? 2 : 1) + 1,
                       &srv->pool, err, errlen) ||
        !(srv->limits = http__ratelimit_new()) || http__sse_new(&srv->sse) ||
        http__conns_new(srv->cfg.header_timeout, &srv->conns)) {
        if (!srv->conns)
            snprintf(err, errlen, "out of memory");
        server_free(srv, 0);
        return -1;
    }
    if (srv->cfg.tls_cert) {
        srv->cfg.behind_tls = 1; /* Secure cookies */
        if (http__tls_load(srv->cfg.tls_cert, srv->cfg.tls_key, err, errlen)) {
            server_free(srv, 0);
            return IK_EINVAL;
        }
    }
    srv->side[0] = (struct http_listener){srv, 0};
    srv->side[1] = (struct http_listener){srv, 1};
    srv->daemon = start_daemon(srv, &ss, flags, &srv->side[0]);
    if (!srv->daemon) {
        snprintf(err, errlen, "--listen: cannot listen on %s (in use or not permitted)",
                 srv->cfg.listen);
        server_free(srv, 0);
        return -1;
    }
    srv->port = bound_port(srv->daemon);
    if (srv->cfg.public_listen) {
        unsigned pflags = flags & ~(unsigned)MHD_USE_IPv6;
        if (parse_listen(srv->cfg.public_listen, &ss, &pflags)) {
            snprintf(err, errlen, "--public-listen: \"%s\" is not ADDR:PORT",
                     srv->cfg.public_listen);
            server_free(srv, 0);
            return IK_EINVAL;
        }
        srv->pub_daemon = start_daemon(srv, &ss, pflags, &srv->side[1]);
        if (!srv->pub_daemon) {
            snprintf(err, errlen, "--public-listen: cannot listen on %s (in use or not permitted)",
                     srv->cfg.public_listen);
            server_free(srv, 0);
            return -1;
        }
        srv->pub_port = bound_port(srv->pub_daemon);
    }
    *out = srv;
    return 0;
}

void http_server_publish(http_server *srv, const char *center, const char *kind, const char *json)
{
    if (srv)
        http__sse_publish(srv->sse, center, kind, json);
}

uint16_t http_server_port(const http_server *srv)
{
    return srv->port;
}

uint16_t http_server_public_port(const http_server *srv)
{
    return srv->pub_port;
}

int http_server_reload_tls(http_server *srv, char *err, size_t errlen)
{
    if (!srv->cfg.tls_cert) {
        snprintf(err, errlen, "TLS is off (no --tls-cert)");
        return -1;
    }
    return http__tls_load(srv->cfg.tls_cert, srv->cfg.tls_key, err, errlen);
}

void http_server_stop(http_server *srv)
{
    if (!srv)
        return;
    /* Stop taking new connections first; MHD_stop_daemon then waits for the workers. */
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    if (srv->pub_daemon && (fd = MHD_quiesce_daemon(srv->pub_daemon)) != MHD_INVALID_SOCKET)
        close(fd);
    http__sse_stop(srv->sse);
    /* Let the streams that were just woken send their end before the daemon goes. */
    for (int i = 0; i < 50 && http__sse_clients(srv->sse) > 0; i++)
        usleep(20000);
    server_free(srv, 1);
}
