/* Who is calling: a session cookie (people, in the browser) or a bearer API key (machines). */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "http_int.h"
#include "store/store_org.h"

#define COOKIE_NAME "ikiiki_session"

int http__load_principal(store *db, const struct org_user *u, struct org_principal *p)
{
    memset(p, 0, sizeof *p);
    p->kind = PRINCIPAL_USER;
    p->user_id = u->id;
    str_copy(p->login, sizeof p->login, u->login);
    p->role = u->role;
    p->center_id = u->center_id;
    p->team_id = u->team_id;
    if (org_role_has_companies(u->role))
        return store_consultant_companies(db, u->id, p);
    return STORE_OK;
}

static int auth_apikey(struct req *r, const char *key)
{
    char hash[ORG_TOKEN_HASH];
    struct org_apikey k;
    org_token_hash(key, hash);
    int rc = store_apikey_find(http__db(r), hash, now_unix(), &k);
    if (rc) {
        if (rc != STORE_NOTFOUND)
            http__store_error(r, rc, "API key");
        return -1;
    }
    r->who.kind = PRINCIPAL_APIKEY;
    r->who.apikey_id = k.id;
    r->who.scopes = k.scopes;
    str_copy(r->who.login, sizeof r->who.login, k.name);
    return 0;
}

static int auth_session(struct req *r, const char *token)
{
    int64_t user_id;
    struct org_user u;
    if (strlen(token) != ORG_TOKEN_LEN)
        return -1;
    org_token_hash(token, r->session_hash);
    store *db = http__db(r);
    int rc = store_session_get(db, r->session_hash, now_unix(), &user_id, r->csrf, sizeof r->csrf);
    if (rc == STORE_OK)
        rc = store_user_get_id(db, user_id, &u);
    if (rc == STORE_OK && !org_user_may_sign_in(&u))
        rc = STORE_NOTFOUND;
    if (rc == STORE_OK)
        rc = http__load_principal(db, &u, &r->who);
    if (rc) {
        if (rc != STORE_NOTFOUND)
            http__store_error(r, rc, "session");
        r->session_hash[0] = '\0';
        memset(&r->who, 0, sizeof r->who);
        return -1;
    }
    return 0;
}

int http__authenticate(struct req *r)
{
    const char *authz = http__header(r, "Authorization");
    if (authz && strncmp(authz, "Bearer ", 7) == 0)
        return auth_apikey(r, authz + 7);
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME);
    if (token)
        return auth_session(r, token);
    return -1;
}

static int secure_cookies(struct req *r)
{
    const char *proto = http__header(r, "X-Forwarded-Proto");
    return r->srv->cfg.behind_tls || (proto && strcmp(proto, "https") == 0);
}

int http__session_create(struct req *r, const struct org_user *u, char *token_out)
{
    char token[ORG_TOKEN_LEN + 1], hash[ORG_TOKEN_HASH], csrf_hash[ORG_TOKEN_HASH];
    org_token_new(token, hash);
    org_token_new(r->csrf, csrf_hash);
    store *db = http__db(r);
    int64_t now = now_unix();
    store_session_purge(db, now);
    int rc = store_session_add(db, hash, u->id, r->csrf, now + r->srv->cfg.session_ttl);
    if (rc)
        return rc;
    char cookie[256];
    snprintf(cookie, sizeof cookie,
             COOKIE_NAME "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", token,
             r->srv->cfg.session_ttl, secure_cookies(r) ? "; Secure" : "");
    http__add_header(r, "Set-Cookie", cookie);
    str_copy(r->session_hash, sizeof r->session_hash, hash);
    if (token_out)
        memcpy(token_out, token, sizeof token);
    return STORE_OK;
}
