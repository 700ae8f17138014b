/* The embedded web app: every path outside /api/ is a file of web/dist. Hashed assets are
 * cached for a year; pages are revalidated each time; an unknown page path gets the staff app
 * (it routes in the browser) and /a/TOKEN the anonymous answer form. The security headers that
 * the pages need (a strict Content-Security-Policy: nothing inline, nothing from elsewhere) are
 * set here, where they belong to the files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/webapp.h"
#include "http_int.h"

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

int http__is_api_path(const char *path)
{
    /* /metrics is the monitoring route (Prometheus scrapes it at that path), not a page. */
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
           strcmp(path, "/metrics") == 0;
}

static int cmp_path(const void *key, const void *elem)
{
    return strcmp(key, ((const struct web_file *)elem)->path);
}

static const struct web_file *find(const char *path)
{
    if (web__nfiles == 0)
        return NULL;
    return bsearch(path, web__files, (size_t)web__nfiles, sizeof web__files[0], cmp_path);
}

/* Does Accept-Encoding allow gzip ("gzip" or "*" with a q above 0)? */
static int accepts_gzip(const char *ae)
{
    while (ae && *ae) {
        ae += strspn(ae, " ,");
        size_t n = strcspn(ae, ",");
        size_t name = strcspn(ae, " ;,");
        int match = (name == 4 && strncasecmp(ae, "gzip", 4) == 0) || (name == 1 && ae[0] == '*');
        if (match) {
            char tok[64];
            snprintf(tok, sizeof tok, "%.*s", (int)n, ae);
            const char *q = strstr(tok, "q=");
            if (!q || strtod(q + 2, NULL) > 0)
                return 1;
        }
        ae += n;
    }
    return 0;
}

/* The file a path stands for: itself, the answer form for /a/…, or the staff app. */
static const struct web_file *resolve(const char *path, int *fallback)
{
    *fallback = 0;
    if (strcmp(path, "/") == 0)
        return find("/index.html");
    const struct web_file *f = find(path);
    if (f)
        return f;
    /* A missing hashed asset must stay a 404: the staff page in its place would be run as a
     * script or a style sheet and fail in a confusing way. */
    if (strncmp(path, "/assets/", 8) == 0)
        return NULL;
    *fallback = 1;
    if (strncmp(path, "/a/", 3) == 0)
        return find("/collect.html");
    return find("/index.html");
}

static enum MHD_Result send_text(struct req *r, int status, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (status == 405)
        MHD_add_response_header(resp, "Allow", "GET, HEAD");
    r->status = status;
    r->outlen = strlen(text);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result http__static_send(struct req *r)
{
    if (r->method != M_GET)
        return send_text(r, 405, "only GET and HEAD are allowed here\n");
    int fallback;
    const struct web_file *f = resolve(r->path, &fallback);
    if (!f)
        return send_text(r, 404,
                         web__nfiles ? "not found\n"
                                     : "the web app is not built into this binary: "
                                       "build it with make build\n");
    const char *inm = http__header(r, "If-None-Match");
    int gz = f->gz && accepts_gzip(http__header(r, "Accept-Encoding"));
    int not_modified = inm && strcmp(inm, f->etag) == 0;
    struct MHD_Response *resp =
        not_modified ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
                     : MHD_create_response_from_buffer(gz ? f->gzlen : f->len,
                                                       (void *)(gz ? f->gz : f->data),
                                                       MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    int immutable = !fallback && strncmp(f->path, "/assets/", 8) == 0;
    if (!not_modified)
        MHD_add_response_header(resp, "Content-Type", f->type);
    if (gz && !not_modified)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    if (f->gz)
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    MHD_add_response_header(resp, "Cache-Control",
                            immutable ? "public, max-age=31536000, immutable" : "no-cache");
    MHD_add_response_header(resp, "ETag", f->etag);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    /* The answer form's address holds its token: it must not leak to another site. */
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    r->status = not_modified ? 304 : 200;
    r->outlen = not_modified ? 0 : gz ? f->gzlen : f->len;
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}
