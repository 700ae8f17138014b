/* ARI client; see ari.h. */
#include "ari.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

struct ari_client {
    char *base;
    char *userpwd; /* "user:password", or NULL */
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

ari_client *ari_client_new(const char *base_url, const char *user, const char *password)
{
    if (!base_url ||
        (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0))
        return NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ari_client *a = calloc(1, sizeof *a);
    if (!a || !(a->base = dup_str(base_url))) {
        free(a);
        return NULL;
    }
    size_t bl = strlen(a->base);
    while (bl > 0 && a->base[bl - 1] == '/')
        a->base[--bl] = '\0';
    if (user && user[0]) {
        struct buf b;
        buf_init(&b, 1024);
        if (buf_printf(&b, "%s:%s", user, password ? password : "")) {
            buf_release(&b);
            ari_client_free(a);
            return NULL;
        }
        a->userpwd = buf_detach(&b);
    }
    return a;
}

void ari_client_free(ari_client *a)
{
    if (!a)
        return;
    free(a->base);
    free(a->userpwd);
    free(a);
}

static size_t keep_body(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    buf_append(b, p, size * n); /* beyond the limit the error text is merely cut */
    return size * n;
}

/* Sends method to path (already escaped) and expects a 2xx answer. */
static int request(ari_client *a, const char *method, const char *path, char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, errlen, "ari: out of memory");
        return -1;
    }
    struct buf url, body;
    buf_init(&url, 4096);
    buf_init(&body, 512);
    int rc = buf_printf(&url, "%s/ari%s", a->base, path) ? -1 : 0;
    long status = 0;
    if (rc == 0) {
        curl_easy_setopt(h, CURLOPT_URL, url.data);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        if (strcmp(method, "POST") == 0) {
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        }
        if (a->userpwd) {
            curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
            curl_easy_setopt(h, CURLOPT_USERPWD, a->userpwd);
        }
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
        CURLcode cc = curl_easy_perform(h);
        if (cc != CURLE_OK) {
            snprintf(err, errlen, "ari: %s %s: %s", method, url.data, curl_easy_strerror(cc));
            rc = -1;
        } else {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            if (status < 200 || status > 299) {
                snprintf(err, errlen, "ari: %s %s: status %ld %.120s", method, url.data, status,
                         body.len ? body.data : "");
                rc = -1;
            }
        }
    } else {
        snprintf(err, errlen, "ari: out of memory");
    }
    buf_release(&url);
    buf_release(&body);
    curl_easy_cleanup(h);
    return rc;
}

/* Appends s URL-escaped. */
static int put_escaped(struct buf *b, const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    if (!e)
        return -1;
    int rc = buf_puts(b, e);
    curl_free(e);
    return rc;
}

static int channel_path(struct buf *b, const char *channel, const char *verb)
{
    if (buf_puts(b, "/channels/") || put_escaped(b, channel))
        return -1;
    return verb ? buf_printf(b, "/%s", verb) : 0;
}

int ari_redirect(ari_client *a, const char *channel, const char *endpoint, char *err, size_t errlen)
{
    struct buf p;
    buf_init(&p, 2048);
    int rc = channel_path(&p, channel, "redirect") || buf_puts(&p, "?endpoint=") ||
                     put_escaped(&p, endpoint)
                 ? -1
                 : 0;
    if (rc)
        snprintf(err, errlen, "ari: out of memory");
    else
        rc = request(a, "POST", p.data, err, errlen);
    buf_release(&p);
    return rc;
}

int ari_continue(ari_client *a, const char *channel, const char *context, const char *extension,
                 int priority, char *err, size_t errlen)
{
    struct buf p;
    buf_init(&p, 2048);
    int rc = channel_path(&p, channel, "continue") || buf_puts(&p, "?context=") ||
                     put_escaped(&p, context) || buf_puts(&p, "&extension=") ||
                     put_escaped(&p, extension) || buf_printf(&p, "&priority=%d", priority)
                 ? -1
                 : 0;
    if (rc)
        snprintf(err, errlen, "ari: out of memory");
    else
        rc = request(a, "POST", p.data, err, errlen);
    buf_release(&p);
    return rc;
}

int ari_hangup(ari_client *a, const char *channel, char *err, size_t errlen)
{
    struct buf p;
    buf_init(&p, 2048);
    int rc = channel_path(&p, channel, NULL) || buf_puts(&p, "?reason=normal") ? -1 : 0;
    if (rc)
        snprintf(err, errlen, "ari: out of memory");
    else
        rc = request(a, "DELETE", p.data, err, errlen);
    buf_release(&p);
    return rc;
}
