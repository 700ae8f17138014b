/* Companies, centers, teams, users, API keys and the audit log. Each handler narrows what the
 * route table allowed to the objects the caller's role reaches (org_can_*). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "decode.h"
#include "http_int.h"
#include "org/org_json.h"
#include "svc/svc_org.h"

static int bad_request(struct req *r, const char *err)
{
    http__reply_error(r, 400, "bad_request", "%s", err);
    return 400;
}

static int forbidden(struct req *r, const char *what)
{
    http__reply_error(r, 403, "forbidden", "your role may not %s", what);
    return 403;
}

/* A service context for this request: its connection, principal and address. */
static struct svc *ctx(struct req *r, struct svc *x)
{
    svc_init(x, http__db(r), &r->who, r->addr);
    return x;
}

/* Loads the center named by the first path parameter and checks read or write access. */
static int load_center(struct req *r, int write, struct org_center *c)
{
    struct svc x;
    int rc = svc_center_get(ctx(r, &x), r->params[0], write, c);
    if (rc == IK_EACCES)
        return forbidden(r, write ? "change this center" : "see this center");
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "center \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    return 0;
}

/* ---- companies ---- */

int api_companies_list(struct req *r)
{
    struct svc x;
    struct org_company *all = NULL;
    size_t n = 0;
    int rc = svc_company_list(ctx(r, &x), &all, &n);
    if (rc)
        return http__store_error(r, rc, "companies");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, org_company_json(&all[i]));
    free(all);
    http__reply_json(r, 200, json_pack("{s:o}", "companies", arr));
    return 200;
}

int api_companies_create(struct req *r)
{
    struct company_input in;
    char err[300];
    if (http_decode_company(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_company c = {0};
    str_copy(c.code, sizeof c.code, in.code);
    str_copy(c.name, sizeof c.name, in.name);
    struct svc x;
    int rc = svc_company_add(ctx(r, &x), &c);
    if (rc == IK_EACCES)
        return forbidden(r, "add companies");
    if (rc)
        return http__store_error(r, rc, "company");
    http__reply_json(r, 201, org_company_json(&c));
    return 201;
}

/* ---- centers ---- */

int api_centers_list(struct req *r)
{
    struct svc x;
    struct org_center *all = NULL;
    size_t n = 0;
    int rc = svc_center_list(ctx(r, &x), &all, &n);
    if (rc)
        return http__store_error(r, rc, "centers");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, org_center_json(&all[i]));
    free(all);
    http__reply_json(r, 200, json_pack("{s:o}", "centers", arr));
    return 200;
}

/* The answer to a failed center add or update, by the step that failed. */
static int center_fail(struct req *r, const struct svc *x, int rc, const char *company,
                       const char *denied)
{
    int at_company = x->failed && strcmp(x->failed, "company") == 0;
    if (at_company && rc == IK_ENOENT) {
        http__reply_error(r, 400, "bad_request", "company: \"%s\" does not exist", company);
        return 400;
    }
    if (at_company && rc == IK_EINVAL)
        return bad_request(r, "company: required");
    if (rc == IK_EACCES)
        return forbidden(r, denied);
    return http__store_error(r, rc, at_company ? "company" : "center");
}

int api_centers_create(struct req *r)
{
    struct center_input in;
    char err[300];
    if (http_decode_center(r->json, 1, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_center c = {0};
    http_center_apply(&in, &c);
    struct svc x;
    int rc = svc_center_add(ctx(r, &x), in.has_company ? in.company : NULL, 0, &c);
    if (rc)
        return center_fail(r, &x, rc, in.company, "add centers to this company");
    http__reply_json(r, 201, org_center_json(&c));
    return 201;
}

int api_center_get(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 0, &c);
    if (rc)
        return rc;
    http__reply_json(r, 200, org_center_json(&c));
    return 200;
}

int api_center_update(struct req *r)
{
    struct org_center c;
    struct center_input in;
    char err[300];
    int rc = load_center(r, 1, &c);
    if (rc)
        return rc;
    if (http_decode_center(r->json, 0, &in, err, sizeof err))
        return bad_request(r, err);
    http_center_apply(&in, &c);
    struct svc x;
    rc = svc_center_update(ctx(r, &x), &c, in.has_company ? in.company : NULL);
    if (rc)
        return center_fail(r, &x, rc, in.company, "move a center to another company");
    http__reply_json(r, 200, org_center_json(&c));
    return 200;
}

int api_center_delete(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 1, &c);
    if (rc)
        return rc;
    struct svc x;
    if ((rc = svc_center_delete(ctx(r, &x), &c)))
        return http__store_error(r, rc, "center");
    http__reply_json(r, 204, NULL);
    return 204;
}

/* ---- teams ---- */

int api_teams_list(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 0, &c);
    if (rc)
        return rc;
    struct svc x;
    struct org_team *all = NULL;
    size_t n = 0;
    if ((rc = svc_team_list(ctx(r, &x), &c, &all, &n)))
        return http__store_error(r, rc, "teams");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, org_team_json(&all[i]));
    free(all);
    http__reply_json(r, 200, json_pack("{s:o}", "teams", arr));
    return 200;
}

int api_teams_create(struct req *r)
{
    struct team_input in;
    char err[300];
    struct org_center c;
    int rc = load_center(r, 1, &c);
    if (rc)
        return rc;
    if (http_decode_team(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_team t = {0};
    str_copy(t.code, sizeof t.code, in.code);
    str_copy(t.name, sizeof t.name, in.name);
    struct svc x;
    if ((rc = svc_team_add(ctx(r, &x), c.code, &t)))
        return http__store_error(r, rc, "team");
    http__reply_json(r, 201, org_team_json(&t));
    return 201;
}

/* ---- users ---- */

int api_users_list(struct req *r)
{
    struct svc x;
    struct org_user *all = NULL;
    size_t n = 0;
    int rc = svc_user_list(ctx(r, &x), NULL, &all, &n);
    if (rc)
        return http__store_error(r, rc,
                                 x.failed && !strcmp(x.failed, "center") ? "center" : "users");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, org_user_json(&all[i]));
    free(all);
    http__reply_json(r, 200, json_pack("{s:o}", "users", arr));
    return 200;
}

/* Resolves the center and team codes of the input into u. */
static int resolve_placement(struct req *r, const struct user_input *in, struct org_user *u,
                             struct org_center *c)
{
    struct svc x;
    int rc = svc_user_place(ctx(r, &x), in->has_center ? in->center : NULL,
                            in->has_team ? in->team : NULL, u, c);
    if (!rc)
        return 0;
    int team = x.failed && strcmp(x.failed, "team") == 0;
    if (rc == IK_ENOENT && team) {
        http__reply_error(r, 400, "bad_request", "team: \"%s\" is not a team of the center",
                          in->team);
        return 400;
    }
    if (rc == IK_ENOENT && in->has_center) {
        http__reply_error(r, 400, "bad_request", "center: \"%s\" does not exist", in->center);
        return 400;
    }
    return http__store_error(r, rc, team ? "team" : "center");
}

/* Applies the input to u and checks it; the service checks that the caller may place u there. */
static int apply_user(struct req *r, const struct user_input *in, struct org_user *u,
                      struct org_center *c)
{
    char err[300];
    int rc = resolve_placement(r, in, u, c);
    if (rc)
        return rc;
    if (in->has_role)
        u->role = in->role;
    if (in->has_name)
        str_copy(u->display_name, sizeof u->display_name, in->display_name);
    if (in->has_business_name)
        str_copy(u->business_name, sizeof u->business_name, in->business_name);
    if (in->has_disabled)
        u->disabled = in->disabled;
    if (org_check_user_center(u->role, u->center_id != 0, err, sizeof err))
        return bad_request(r, err);
    if (in->has_companies && !org_role_has_companies(u->role))
        return bad_request(r, "companies: only a consultant has client companies");
    if (in->has_password && org_password_hash(in->password, u->password_hash)) {
        http__reply_error(r, 500, "internal", "cannot hash the password");
        return 500;
    }
    return 0;
}

/* The answer to a refused or failed user add or update. */
static int user_fail(struct req *r, const struct svc *x, int rc)
{
    const char *f = x->failed ? x->failed : "";
    if (rc == IK_EACCES)
        return forbidden(r, strcmp(f, "companies") == 0 ? "give a consultant client companies"
                                                        : "give this role in this center");
    if (rc == IK_ENOENT && strcmp(f, "companies") == 0) {
        http__reply_error(r, 400, "bad_request", "companies: \"%s\" does not exist", x->code);
        return 400;
    }
    return http__store_error(r, rc, strcmp(f, "company link") == 0 ? "company link" : "user");
}

int api_users_create(struct req *r)
{
    struct user_input in;
    char err[300];
    if (http_decode_user(r->json, 1, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_user u = {0};
    struct org_center c;
    str_copy(u.login, sizeof u.login, in.login);
    int rc = apply_user(r, &in, &u, &c);
    if (rc)
        return rc;
    const char *companies[ORG_MAX_COMPANIES];
    for (int i = 0; i < in.ncompanies; i++)
        companies[i] = in.companies[i];
    struct svc x;
    rc = svc_user_add(ctx(r, &x), &u, &c, in.has_companies ? companies : NULL, in.ncompanies);
    if (rc)
        return user_fail(r, &x, rc);
    http__reply_json(r, 201, org_user_json(&u));
    return 201;
}

/* Loads the user named by the first path parameter and checks that the caller may see them. */
static int load_user(struct req *r, struct org_user *u)
{
    struct svc x;
    int rc = svc_user_get(ctx(r, &x), r->params[0], u);
    if (rc == IK_EACCES)
        return forbidden(r, "see this user");
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "user \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    return 0;
}

int api_user_get(struct req *r)
{
    struct org_user u;
    int rc = load_user(r, &u);
    if (rc)
        return rc;
    http__reply_json(r, 200, org_user_json(&u));
    return 200;
}

int api_user_update(struct req *r)
{
    struct org_user u;
    struct user_input in;
    struct org_center c;
    struct svc x;
    char err[300];
    int rc = load_user(r, &u);
    if (rc)
        return rc;
    if (http_decode_user(r->json, 0, &in, err, sizeof err))
        return bad_request(r, err);
    if (svc_user_check_manage(ctx(r, &x), &u))
        return forbidden(r, "change this user");
    if (u.id == r->who.user_id && (in.has_role || in.has_disabled || in.has_center))
        return bad_request(r, "role: you cannot change your own role, center or access");
    if ((rc = apply_user(r, &in, &u, &c)))
        return rc;
    /* A reset password, a disabled account: every session the user had ends with it (but the
     * caller's own, when they change themselves). */
    struct svc_user_sessions ends = {
        .end = in.has_password || (in.has_disabled && in.disabled),
        .password_reset = in.has_password,
        .keep_hash = u.id == r->who.user_id ? r->session_hash : NULL};
    if ((rc = svc_user_update(ctx(r, &x), &u, &c, in.has_companies, &ends)))
        return user_fail(r, &x, rc);
    http__reply_json(r, 200, org_user_json(&u));
    return 200;
}

int api_user_delete(struct req *r)
{
    struct org_user u;
    struct svc x;
    int rc = load_user(r, &u);
    if (rc)
        return rc;
    if (u.id == r->who.user_id)
        return bad_request(r, "login: you cannot delete your own account");
    rc = svc_user_delete(ctx(r, &x), &u);
    if (rc == IK_EACCES)
        return forbidden(r, "delete this user");
    if (rc)
        return http__store_error(r, rc, "user");
    http__reply_json(r, 204, NULL);
    return 204;
}

/* ---- audit and API keys ---- */

int api_audit_list(struct req *r)
{
    const char *lim = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "limit");
    int64_t limit = 100;
    if (lim && parse_int64(lim, 1, 1000, &limit))
        return bad_request(r, "limit: must be a whole number from 1 to 1000");
    struct store_audit *all = NULL;
    size_t n = 0;
    struct svc x;
    int rc = svc_audit_list(ctx(r, &x), (int)limit, &all, &n);
    if (rc == IK_EACCES)
        return forbidden(r, "read the audit log");
    if (rc)
        return http__store_error(r, rc, "audit log");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char at[32];
        time_iso8601(all[i].at, at, sizeof at);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "at", at, "actor",
                                             all[i].actor, "action", all[i].action, "target",
                                             all[i].target, "detail", all[i].detail, "address",
                                             all[i].address));
    }
    free(all);
    http__reply_json(r, 200, json_pack("{s:o}", "entries", arr));
    return 200;
}

int api_apikeys_list(struct req *r)
{
    struct org_apikey *all = NULL;
    size_t n = 0;
    struct svc x;
    int rc = svc_apikey_list(ctx(r, &x), &all, &n);
    if (rc == IK_EACCES)
        return forbidden(r, "see API keys");
    if (rc)
        return http__store_error(r, rc, "API keys");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, org_apikey_json(&all[i]));
    free(all);
    http__reply_json(r, 200, json_pack("{s:o}", "apikeys", arr));
    return 200;
}

int api_apikeys_create(struct req *r)
{
    struct apikey_input in;
    char err[300], key[64];
    if (http_decode_apikey(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_apikey k = {.scopes = in.scopes};
    if (in.expires_days)
        k.expires_at = now_unix() + (int64_t)in.expires_days * 86400;
    str_copy(k.name, sizeof k.name, in.name);
    struct svc x;
    int rc = svc_apikey_add(ctx(r, &x), &k, key, sizeof key);
    if (rc == IK_EACCES)
        return forbidden(r, "add API keys");
    if (rc)
        return http__store_error(r, rc, "API key");
    json_t *j = org_apikey_json(&k);
    json_object_set_new(j, "key", json_string(key));
    http__reply_json(r, 201, j);
    return 201;
}

int api_apikey_revoke(struct req *r)
{
    int64_t id;
    if (parse_int64(r->params[0], 1, INT64_MAX, &id))
        return bad_request(r, "id: not a key id (a whole number, see GET /api/v1/apikeys)");
    struct org_apikey k;
    struct svc x;
    int rc = svc_apikey_revoke(ctx(r, &x), r->params[0], &k);
    if (rc == IK_EACCES)
        return forbidden(r, "revoke API keys");
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "API key %s", r->params[0]);
        return http__store_error(r, rc, what);
    }
    http__reply_json(r, 204, NULL);
    return 204;
}
