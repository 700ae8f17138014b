/* Private to src/http. */
#ifndef IKIIKI_HTTP_INT_H
#define IKIIKI_HTTP_INT_H

#include <gnutls/abstract.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>

#include "core/buf.h"
#include "cx/cx.h"
#include "http.h"
#include "org/org.h"
#include "guard/guard.h"
#include "store/store.h"

#define HTTP_MAX_PARAMS  4
#define HTTP_PARAM_MAX   80
#define HTTP_MAX_HEADERS 6

enum http_method { M_GET, M_POST, M_PUT, M_PATCH, M_DELETE, M_OTHER };

struct req;
typedef int (*route_fn)(struct req *r);

/* One API route. Access is denied unless `public` is set, the user's role is in `roles`, or the
 * API key holds one of `scopes`. */
struct route {
    enum http_method method;
    const char *pattern; /* "/api/v1/centers/{}" — {} matches one path segment */
    unsigned roles;
    unsigned scopes;
    int public;
    route_fn fn;
};

extern const struct route http__routes[];
extern const int http__nroutes;

struct store_pool;

struct ratelimit;
struct http_sse;

/* A listening side: the internal one serves every route, the public one the answer links only. */
struct http_listener {
    struct http_server *srv;
    int public_side;
};

struct http_server {
    struct http_config cfg;
    struct MHD_Daemon *daemon;
    struct MHD_Daemon *pub_daemon; /* NULL without --public-listen */
    struct http_listener side[2];
    uint16_t pub_port;
    struct store_pool *pool;
    struct ratelimit *limits;
    cx_sheet *cx; /* the self-diagnosis sheet, loaded once at start */
    struct http_sse *sse;
    guard_engine *guard; /* borrowed from the config; NULL: the calls routes answer 503 */
    uint16_t port;
};

struct req {
    struct http_server *srv;
    int public_side; /* came in on the public listener */
    struct MHD_Connection *conn;
    enum http_method method;
    const char *method_name;
    char path[512];
    char addr[64];
    uint64_t t0;
    struct buf body;
    int too_big;
    const struct route *route;
    char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
    int nparams;
    struct org_principal who;
    char session_hash[ORG_TOKEN_HASH];
    char csrf[ORG_TOKEN_LEN + 1];
    store *db; /* held from the pool for the request, NULL when the route needs none */
    json_t *json;
    /* The response. */
    int status;
    char *out;
    size_t outlen;
    const char *content_type;    /* a static string; NULL for JSON */
    struct MHD_Response *stream; /* a streaming reply (SSE) queued instead of out */
    struct {
        char name[32];
        char value[320];
    } headers[HTTP_MAX_HEADERS];
    int nheaders;
};

/* server.c */
void http__reply_json(struct req *r, int status, json_t *body); /* takes ownership of body */
/* A file as the reply: takes ownership of data (malloc'd); content_type is a static string;
 * filename (ASCII) names the download. */
void http__reply_file(struct req *r, char *data, size_t len, const char *content_type,
                      const char *filename);
void http__reply_error(struct req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void http__add_header(struct req *r, const char *name, const char *value);
const char *http__header(struct req *r, const char *name);
/* Replies 500 after a store failure (or 404/409 for those codes) and logs it. */
int http__store_error(struct req *r, int rc, const char *what);
void http__audit(struct req *r, const char *action, const char *target, const char *detail);
store *http__db(struct req *r);

/* pool.c: one store connection per worker thread. */
int http__pool_new(const char *url, int n, struct store_pool **out, char *err, size_t errlen);
store *http__pool_acquire(struct store_pool *p);
void http__pool_release(struct store_pool *p, store *s);
void http__pool_free(struct store_pool *p);

/* router.c */
int http__dispatch(struct req *r);
int http__route_allows(const struct route *rt, const struct org_principal *who);

/* auth.c */
int http__authenticate(struct req *r);
int http__session_create(struct req *r, const struct org_user *u, char *token_out);
int http__load_principal(store *db, const struct org_user *u, struct org_principal *p);

/* ratelimit.c: fixed windows, counted per key. */
struct ratelimit *http__ratelimit_new(void);
void http__ratelimit_free(struct ratelimit *rl);
/* Returns seconds to wait (> 0) when key has reached limit within window, else 0. */
int http__ratelimit_check(struct ratelimit *rl, const char *key, int limit, int window,
                          int64_t now);
void http__ratelimit_hit(struct ratelimit *rl, const char *key, int window, int64_t now);
void http__ratelimit_clear(struct ratelimit *rl, const char *key);

/* sse.c: server-sent events. centers NULL with ncenters -1: every center. max_s > 0 ends the
 * stream after that many seconds. */
int http__sse_new(struct http_sse **out);

/* tls.c: the certificate every handshake gets, swapped whole on reload (one per process). */
int http__tls_load(const char *cert, const char *key, char *err, size_t errlen);
void http__tls_release(void);
int http__tls_cert_cb(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                      const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                      gnutls_pcert_st **pcert, unsigned int *pcert_length,
                      gnutls_privkey_t *privkey);
void http__sse_stop(struct http_sse *h);
void http__sse_free(struct http_sse *h);
int http__sse_clients(struct http_sse *h);
void http__sse_publish(struct http_sse *h, const char *center, const char *kind, const char *json);
struct MHD_Response *http__sse_open(struct http_sse *h, struct MHD_Connection *conn,
                                    const char *const *centers, int ncenters, int max_s,
                                    const char *hello);

/* Handlers. */
int api_health(struct req *r);
int api_session_create(struct req *r);
int api_session_delete(struct req *r);
int api_me(struct req *r);
int api_me_password(struct req *r);
int api_companies_list(struct req *r);
int api_companies_create(struct req *r);
int api_centers_list(struct req *r);
int api_centers_create(struct req *r);
int api_center_get(struct req *r);
int api_center_update(struct req *r);
int api_center_delete(struct req *r);
int api_teams_list(struct req *r);
int api_teams_create(struct req *r);
int api_users_list(struct req *r);
int api_users_create(struct req *r);
int api_user_get(struct req *r);
int api_user_update(struct req *r);
int api_user_delete(struct req *r);
int api_audit_list(struct req *r);
int api_apikeys_list(struct req *r);
int api_apikeys_create(struct req *r);
int api_harass_policy_get(struct req *r);
int api_harass_policy_put(struct req *r);
int api_harass_judge(struct req *r);
int api_harass_case_create(struct req *r);
int api_harass_case_get(struct req *r);
int api_harass_case_review(struct req *r);
int api_harass_queue(struct req *r);
int api_harass_agreement(struct req *r);
int api_harass_care_list(struct req *r);
int api_harass_care_done(struct req *r);
int api_harass_stats(struct req *r);
int api_harass_calls(struct req *r);
int api_harass_purge(struct req *r);
int api_harass_mood_trend(struct req *r);
int api_survey_create(struct req *r);
int api_survey_drivers(struct req *r);
int api_survey_compare(struct req *r);
int api_survey_comments(struct req *r);
int api_survey_import(struct req *r);
int api_survey_export(struct req *r);
int api_survey_link_open(struct req *r);
int api_survey_link_close(struct req *r);
int api_survey_publish(struct req *r);
int api_survey_settings_get(struct req *r);
int api_survey_settings_put(struct req *r);
int api_collect_get(struct req *r);
int api_collect_post(struct req *r);
int api_me_mood_add(struct req *r);
int api_me_mood_list(struct req *r);
int api_survey_score(struct req *r);
int api_survey_rank(struct req *r);
int api_survey_responses(struct req *r);
int api_cx_sheet(struct req *r);
int api_cx_check(struct req *r);
int api_cx_answer(struct req *r);
int api_cx_history(struct req *r);
int api_cx_checkpoint(struct req *r);
int api_skills_model(struct req *r);
int api_user_skills_get(struct req *r);
int api_user_skills_post(struct req *r);
int api_center_skills(struct req *r);
int api_calls_list(struct req *r);
int api_call_get(struct req *r);
int api_call_events(struct req *r);
int api_call_actions(struct req *r);
int api_events_stream(struct req *r);
int api_guard_blocks_list(struct req *r);
int api_guard_blocks_create(struct req *r);
int api_guard_block_delete(struct req *r);

#endif
