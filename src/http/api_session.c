/* /health, /session (sign in and out), /me. */
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

/* Checks both limits; replies 429 and returns 1 when either is reached. */
static int login_limited(struct req *r, const char *kaddr, const char *klogin, int64_t now)
{
    const struct http_config *c = &r->srv->cfg;
    int wa =
        http__ratelimit_check(r->srv->limits, kaddr, c->login_addr_limit, c->login_window, now);
    int wl =
        http__ratelimit_check(r->srv->limits, klogin, c->login_fail_limit, c->login_window, now);
    int wait = wa > wl ? wa : wl;
    if (!wait)
        return 0;
    char secs[16];
    snprintf(secs, sizeof secs, "%d", wait);
    http__add_header(r, "Retry-After", secs);
    http__reply_error(r, 429, "too_many_attempts",
                      "too many sign-in attempts; try again in %d seconds", wait);
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
    if (login_limited(r, kaddr, klogin, now))
        return 429;
    http__ratelimit_hit(r->srv->limits, kaddr, r->srv->cfg.login_window, now);
    struct org_user u;
    int rc = store_user_get(http__db(r), in.login, &u);
    if (rc && rc != STORE_NOTFOUND)
        return http__store_error(r, rc, "user");
    int ok = rc == STORE_OK && org_password_verify(u.password_hash, in.password) == 0;
    if (rc == STORE_NOTFOUND)
        org_password_dummy_verify(in.password);
    if (!ok || u.disabled) {
        http__ratelimit_hit(r->srv->limits, klogin, r->srv->cfg.login_window, now);
        http__audit(r, "login.fail", in.login, rc == STORE_NOTFOUND ? "unknown login" : "");
        http__reply_error(r, 401, "bad_credentials", "login or password is wrong");
        return 401;
    }
    http__ratelimit_clear(r->srv->limits, klogin);
    if ((rc = http__load_principal(http__db(r), &u, &r->who)) ||
        (rc = http__session_create(r, &u, NULL)))
        return http__store_error(r, rc, "session");
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
    if (org_password_verify(u.password_hash, in.current)) {
        http__audit(r, "password.fail", u.login, "");
        http__reply_error(r, 403, "bad_credentials", "current: the current password is wrong");
        return 403;
    }
    if (org_password_hash(in.next, u.password_hash)) {
        http__reply_error(r, 500, "internal", "cannot hash the password");
        return 500;
    }
    if ((rc = store_user_update(http__db(r), &u)))
        return http__store_error(r, rc, "user");
    http__audit(r, "password.change", u.login, "");
    http__reply_json(r, 204, NULL);
    return 204;
}
