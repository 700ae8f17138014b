/* /health, /session (sign in and out), /me. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "decode.h"
#include "http_int.h"
#include "org/org_json.h"
#include "store/store_org.h"

int api_health(struct req *r)
{
    /* A constant reply: health must answer even when the store is slow. */
    static const char ok[] = "{\"status\":\"ok\"}";
    r->status = 200;
    r->out = strdup(ok);
    r->outlen = r->out ? sizeof ok - 1 : 0;
    return 200;
}

static json_t *me_json(const struct org_user *u, const char *csrf, const struct org_principal *p)
{
    json_t *j = org_user_json(u);
    json_object_set_new(j, "csrf_token", json_string(csrf));
    if (org_role_has_companies(u->role))
        json_object_set_new(j, "companies", json_integer(p->ncompanies));
    return j;
}

#define DEVICE_COOKIE "ikiiki_device"

/* The device cookie for a login: a MAC of the login under this process's key. A browser that
 * signed in as that login before shows it and is not slowed down by failures others caused, so
 * nobody can keep a user out of their own browser by failing on purpose. */
static void device_token(struct req *r, const char *login, char out[2 * crypto_auth_BYTES + 1])
{
    char low[ORG_LOGIN_MAX];
    size_t n = 0;
    for (; login[n] && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)login[n]);
    low[n] = '\0';
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)low, n, r->srv->device_key);
    sodium_bin2hex(out, 2 * crypto_auth_BYTES + 1, mac, sizeof mac);
}

static int known_device(struct req *r, const char *login)
{
    const char *got = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, DEVICE_COOKIE);
    char want[2 * crypto_auth_BYTES + 1];
    device_token(r, login, want);
    return got && org_secret_equal(got, want);
}

static void set_device_cookie(struct req *r, const char *login)
{
    char tok[2 * crypto_auth_BYTES + 1], cookie[256];
    device_token(r, login, tok);
    const char *proto = http__header(r, "X-Forwarded-Proto");
    int secure = r->srv->cfg.behind_tls || (proto && strcmp(proto, "https") == 0);
    snprintf(cookie, sizeof cookie,
             DEVICE_COOKIE "=%s; Path=/api/v1/session; Max-Age=31536000; HttpOnly; "
                           "SameSite=Strict%s",
             tok, secure ? "; Secure" : "");
    http__add_header(r, "Set-Cookie", cookie);
}

/* The sign-in limits (README, Security): failures only count. An address with login_addr_limit
 * failures in the window waits for the window's end; a login past login_fail_limit failures waits
 * 5, 10, 20 … up to login_delay_cap seconds after each further failure, except in a browser that
 * signed in as it before. Replies 429 and returns 1 when the attempt must wait. */
static int login_limited(struct req *r, const char *kaddr, const char *klogin, int device,
                         int64_t now)
{
    const struct http_config *c = &r->srv->cfg;
    int wa =
        http__ratelimit_check(r->srv->limits, kaddr, c->login_addr_limit, c->login_window, now);
    int wl = device ? 0
                    : http__ratelimit_backoff(r->srv->limits, klogin, c->login_fail_limit,
                                              c->login_delay_cap, c->login_window, now);
    int wait = wa > wl ? wa : wl;
    if (!wait)
        return 0;
    char secs[16];
    snprintf(secs, sizeof secs, "%d", wait);
    http__add_header(r, "Retry-After", secs);
    http__reply_error(r, 429, "too_many_attempts",
                      "too many failed sign-ins; try again in %d seconds", wait);
    http__audit(r, "login.limited", klogin + 6, wa ? "address" : "login");
    return 1;
}

int api_session_create(struct req *r)
{
    struct login_input in;
    char err[300], kaddr[80], klogin[96];
    if (http_decode_login(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    int64_t now = now_unix();
    snprintf(kaddr, sizeof kaddr, "addr:%s", r->addr);
    snprintf(klogin, sizeof klogin, "login:%s", in.login);
    for (char *p = klogin + 6; *p; p++) /* Admin and admin are one account's name */
        *p = (char)tolower((unsigned char)*p);
    int device = known_device(r, in.login);
    if (login_limited(r, kaddr, klogin, device, now))
        return 429;
    struct org_user u;
    int rc = store_user_get(http__db(r), in.login, &u);
    if (rc && rc != STORE_NOTFOUND)
        return http__store_error(r, rc, "user");
    int ok = rc == STORE_OK && org_password_verify(u.password_hash, in.password) == 0;
    if (rc == STORE_NOTFOUND)
        org_password_dummy_verify(in.password);
    if (!ok || u.disabled) {
        now = now_unix(); /* the delay runs from the answer, not from the start of the hashing */
        http__ratelimit_hit(r->srv->limits, kaddr, r->srv->cfg.login_window, now);
        http__ratelimit_hit(r->srv->limits, klogin, r->srv->cfg.login_window, now);
        http__audit(r, "login.fail", in.login, rc == STORE_NOTFOUND ? "unknown login" : "");
        http__reply_error(r, 401, "bad_credentials", "login or password is wrong");
        return 401;
    }
    /* Through the delay, the count starts again; from a known browser, an attacker's count stays.
     */
    if (!device)
        http__ratelimit_clear(r->srv->limits, klogin);
    if ((rc = http__load_principal(http__db(r), &u, &r->who)) ||
        (rc = http__session_create(r, &u, NULL)))
        return http__store_error(r, rc, "session");
    set_device_cookie(r, u.login);
    http__audit(r, "login", u.login, "");
    http__reply_json(r, 200, me_json(&u, r->csrf, &r->who));
    return 200;
}

int api_session_delete(struct req *r)
{
    if (r->who.kind == PRINCIPAL_USER && r->session_hash[0]) {
        int rc = store_session_delete(http__db(r), r->session_hash);
        if (rc)
            return http__store_error(r, rc, "session");
        http__audit(r, "logout", r->who.login, "");
    }
    http__add_header(r, "Set-Cookie",
                     "ikiiki_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    http__reply_json(r, 204, NULL);
    return 204;
}

int api_me(struct req *r)
{
    struct org_user u;
    int rc = store_user_get_id(http__db(r), r->who.user_id, &u);
    if (rc)
        return http__store_error(r, rc, "user");
    http__reply_json(r, 200, me_json(&u, r->csrf, &r->who));
    return 200;
}

int api_me_password(struct req *r)
{
    struct password_input in;
    char err[300];
    if (http_decode_password(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    struct org_user u;
    int rc = store_user_get_id(http__db(r), r->who.user_id, &u);
    if (rc)
        return http__store_error(r, rc, "user");
    /* A stolen session must not become a way to guess the password: 5 wrong tries in the window
     * per account, as for a sign-in. */
    const struct http_config *c = &r->srv->cfg;
    char kpw[48];
    snprintf(kpw, sizeof kpw, "password:%lld", (long long)u.id);
    int64_t now = now_unix();
    int wait =
        http__ratelimit_check(r->srv->limits, kpw, c->login_fail_limit, c->login_window, now);
    if (wait) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", wait);
        http__add_header(r, "Retry-After", secs);
        http__reply_error(r, 429, "too_many_attempts",
                          "too many wrong current passwords; try again in %d seconds", wait);
        return 429;
    }
    if (org_password_verify(u.password_hash, in.current)) {
        http__ratelimit_hit(r->srv->limits, kpw, c->login_window, now);
        http__audit(r, "password.fail", u.login, "");
        http__reply_error(r, 403, "bad_credentials", "current: the current password is wrong");
        return 403;
    }
    if (org_password_hash(in.next, u.password_hash)) {
        http__reply_error(r, 500, "internal", "cannot hash the password");
        return 500;
    }
    /* Whoever may have learnt the old password loses the sessions they opened with it. */
    store *db = http__db(r);
    if ((rc = store_begin(db)) || (rc = store_user_update(db, &u)) ||
        (rc = store_session_end_user(db, u.id, r->session_hash)) || (rc = store_commit(db))) {
        store_rollback(db);
        return http__store_error(r, rc, "user");
    }
    http__audit(r, "password.change", u.login, "other sessions ended");
    http__reply_json(r, 204, NULL);
    return 204;
}
