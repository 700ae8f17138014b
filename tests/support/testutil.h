/* Test support: fresh databases on both backends, child processes with captured output, the real
 * server on a free loopback port, and a small HTTP client. For tests only. */
#ifndef IKIIKI_TESTUTIL_H
#define IKIIKI_TESTUTIL_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* The backends every store test runs on. */
extern const char *const tu_backends[2];

/* Writes the URL of a new, empty database for backend "sqlite" or "postgresql" into out.
 * sqlite: a file in a fresh temporary directory. postgresql: a new database on the server named
 * by $IKIIKI_TEST_PG (dropped first if left over). Fails the test when PostgreSQL is wanted but
 * $IKIIKI_TEST_PG is unset (set IKIIKI_TEST_NO_PG=1 to skip those cases knowingly). Returns 0, or
 * 1 when the case is skipped. */
int tu_db_url(const char *backend, const char *name, char *out, size_t outlen);

/* The ikiiki binary under test ($IKIIKI_BIN). */
const char *tu_bin(void);

struct tu_result {
    int status; /* exit status, or 128 + signal */
    char *out;  /* captured stdout, NUL-terminated, caller frees with tu_result_free */
    char *err;  /* captured stderr */
};

/* Runs argv (argv[0] = program path), feeding stdin_text (may be NULL), and waits. */
int tu_run(char *const argv[], const char *stdin_text, struct tu_result *res);
void tu_result_free(struct tu_result *res);
/* Runs `ikiiki WORDS… --db url` (words NULL-terminated, at most 36), feeding stdin_text (may be
 * NULL), and waits. */
int tu_ikiiki(const char *url, const char *const *words, const char *stdin_text,
              struct tu_result *res);

struct tu_server {
    pid_t pid;
    unsigned port;
    char base[64];    /* "http://127.0.0.1:PORT" ("https://…" when it serves TLS) */
    char errlog[256]; /* file holding the server's stderr */
};

/* Starts `ikiiki serve --db URL --listen 127.0.0.1:0` (plus extra args, NULL-terminated) and waits
 * until it prints the port. */
int tu_server_start(const char *db_url, struct tu_server *srv, const char *const *extra);
/* Sends SIGTERM and waits; returns the exit status (0 for a clean stop). */
int tu_server_stop(struct tu_server *srv);
/* 1 when the server process is still running. */
int tu_server_alive(struct tu_server *srv);

/* An HTTP client with its own cookie jar and the CSRF token from the last sign-in. */
struct tu_http;
struct tu_resp {
    long status;
    char *body;
    json_t *json;  /* parsed body, NULL when not JSON */
    char *headers; /* raw response headers */
};
struct tu_http *tu_http_new(const char *base);
void tu_http_free(struct tu_http *h);
/* Sends a request; body may be NULL. extra_headers: NULL-terminated, may be NULL. Adds the CSRF
 * header automatically after tu_login. */
int tu_request(struct tu_http *h, const char *method, const char *path, const char *body,
               const char *const *extra_headers, struct tu_resp *resp);
void tu_resp_free(struct tu_resp *resp);
/* Signs in and keeps the session cookie and CSRF token; returns the HTTP status. */
long tu_login(struct tu_http *h, const char *login, const char *password);
/* Uses "Authorization: Bearer KEY" on every request instead of the cookie. */
void tu_http_bearer(struct tu_http *h, const char *key);
/* Forgets the CSRF token (to test that state-changing requests then fail). */
void tu_http_drop_csrf(struct tu_http *h);

/* Runs `ikiiki WORDS… --db URL` into *r (a test must have included cmocka.h). */
#define TU_IK(r, url, ...)                                                                         \
    assert_int_equal(tu_ikiiki((url), (const char *const[]){__VA_ARGS__, NULL}, NULL, (r)), 0)
/* 0 when the command exited 2 with one line on stderr that holds needle; else prints what it
 * got on stderr and returns -1. TU_ONE_LINE_EXIT2 asserts it. */
int tu_one_line_exit2(const struct tu_result *r, const char *needle);
#define TU_ONE_LINE_EXIT2(r, needle) assert_int_equal(tu_one_line_exit2((r), (needle)), 0)

/* The whole file, malloc'd and NUL-terminated (the caller frees); *len (may be NULL) gets its
 * size. NULL when it cannot be read. */
char *tu_read_file(const char *path, size_t *len);

/* Creates a file with the given text in a fresh temporary directory; writes its path. */
int tu_write_temp(const char *name, const char *text, char *path, size_t pathlen);

#endif
