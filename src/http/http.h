/* http: the JSON API under /api/v1 on libmicrohttpd. Thin: it authenticates, checks the role,
 * decodes the body and calls the domain modules and the store. */
#ifndef IKIIKI_HTTP_H
#define IKIIKI_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct guard_engine;

struct http_config {
    const char *db_url;   /* the store every worker opens a connection to */
    const char *listen;   /* "ADDR:PORT"; port 0 picks a free one */
    int threads;          /* worker threads; 0 = number of CPUs */
    int behind_tls;       /* mark cookies Secure even without X-Forwarded-Proto: https */
    size_t max_body;      /* request body limit in bytes; 0 = 1 MiB */
    int session_ttl;      /* seconds; 0 = 12 h */
    int login_fail_limit; /* failed logins per login name per window; 0 = 5 */
    int login_addr_limit; /* login attempts per address per window; 0 = 30 */
    int login_window;     /* seconds; 0 = 900 */
    int access_log;       /* 1 = one line per request on stderr */
    const char
        *tls_cert; /* PEM certificate (chain) and key files: HTTPS of our own, with HSTS and */
    const char *tls_key; /* Secure cookies; NULL = plain HTTP */
    /* "ADDR:PORT" of a second listener that serves only the anonymous answer links
     * (/collect/… and /api/v1/collect/…), for the side phones reach; NULL = none. */
    const char *public_listen;
    struct guard_engine
        *guard; /* the call guard (borrowed; may be NULL: calls routes answer 503) */
};

typedef struct http_server http_server;

/* Starts listening and serving in background threads. On failure err holds one line. */
int http_server_start(const struct http_config *cfg, http_server **out, char *err, size_t errlen);
/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const http_server *srv);
/* The port of the public (answer links only) listener; 0 when there is none. */
uint16_t http_server_public_port(const http_server *srv);
/* Reads the TLS certificate and key files again (after a renewal) and uses them for new
 * handshakes; on failure the old pair stays in use and err says why. */
int http_server_reload_tls(http_server *srv, char *err, size_t errlen);
/* Stops accepting, lets requests in flight finish, and frees the server. NULL is a no-op. */
void http_server_stop(http_server *srv);
/* Sends a guard event (kind "alert", "state" …; json an object's text) to the SSE clients that
 * may see center. Safe from any thread. */
void http_server_publish(http_server *srv, const char *center, const char *kind, const char *json);

#endif
