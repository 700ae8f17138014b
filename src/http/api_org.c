/* Companies, centers, teams, users, API keys and the audit log. Each handler narrows what the
 * route table allowed to the objects the caller's role reaches (org_can_*). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "decode.h"
#include "http_int.h"
#include "org/org_json.h"
#include "store/store_org.h"

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

/* Loads the center named by the first path parameter and checks read or write access. */
static int load_center(struct req *r, int write, struct org_center *c)
{
    int rc = store_center_get(http__db(r), r->params[0], c);
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "center \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    int ok = write ? org_can_write_center(&r->who, c)
                   : (org_can_read_center(&r->who, c) ||
                      (r->who.kind == PRINCIPAL_APIKEY && (r->who.scopes & SCOPE_BIT(SCOPE_READ))));
    if (!ok)
        return forbidden(r, write ? "change this center" : "see this center");
    return 0;
}

/* ---- companies ---- */

int api_companies_list(struct req *r)
{
    struct org_company *all = NULL;
    size_t n = 0;
    int rc = store_company_list(http__db(r), &all, &n);
    if (rc)
        return http__store_error(r, rc, "companies");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (r->who.role == ROLE_ADMIN || org_principal_has_company(&r->who, all[i].id))
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
    int rc = store_company_add(http__db(r), &c);
    if (rc)
        return http__store_error(r, rc, "company");
    http__audit(r, "company.add", c.code, c.name);
    http__reply_json(r, 201, org_company_json(&c));
    return 201;
}

/* ---- centers ---- */

int api_centers_list(struct req *r)
{
    struct org_center *all = NULL;
    size_t n = 0;
    int rc;
    if (r->who.kind == PRINCIPAL_USER && r->who.role == ROLE_CONSULTANT)
        rc = store_center_list(http__db(r), r->who.companies, r->who.ncompanies, &all, &n);
    else
        rc = store_center_list(http__db(r), NULL, 0, &all, &n);
    if (rc)
        return http__store_error(r, rc, "centers");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (r->who.kind == PRINCIPAL_APIKEY || org_can_read_center(&r->who, &all[i]))
            json_array_append_new(arr, org_center_json(&all[i]));
    free(all);
    http__reply_json(r, 200, json_pack("{s:o}", "centers", arr));
    return 200;
}

/* The company a new center belongs to: named, or the caller's only one. */
static int pick_company(struct req *r, const struct center_input *in, struct org_company *co)
{
    store *db = http__db(r);
    if (in->has_company) {
        int rc = store_company_get(db, in->company, co);
        if (rc == STORE_NOTFOUND) {
            http__reply_error(r, 400, "bad_request", "company: \"%s\" does not exist", in->company);
            return 400;
        }
        return rc ? http__store_error(r, rc, "company") : 0;
    }
    struct org_company *all = NULL;
    size_t n = 0, mine = 0, pick = 0;
    int rc = store_company_list(db, &all, &n);
    if (rc)
        return http__store_error(r, rc, "companies");
    for (size_t i = 0; i < n; i++) {
        if (r->who.role == ROLE_ADMIN || org_principal_has_company(&r->who, all[i].id)) {
            mine++;
            pick = i;
        }
    }
    if (mine == 1)
        *co = all[pick];
    free(all);
    return mine == 1 ? 0 : bad_request(r, "company: required");
}

int api_centers_create(struct req *r)
{
    struct center_input in;
    char err[300];
    if (http_decode_center(r->json, 1, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_company co;
    int rc = pick_company(r, &in, &co);
    if (rc)
        return rc;
    if (!org_can_create_center(&r->who, co.id))
        return forbidden(r, "add centers to this company");
    struct org_center c = {.company_id = co.id};
    str_copy(c.company, sizeof c.company, co.code);
    http_center_apply(&in, &c);
    if ((rc = store_center_add(http__db(r), &c)))
        return http__store_error(r, rc, "center");
    http__audit(r, "center.add", c.code, c.name);
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
    if (in.has_company) {
        struct org_company co;
        if (r->who.role != ROLE_ADMIN)
            return forbidden(r, "move a center to another company");
        if ((rc = pick_company(r, &in, &co)))
            return rc;
        c.company_id = co.id;
        str_copy(c.company, sizeof c.company, co.code);
    }
    http_center_apply(&in, &c);
    if ((rc = store_center_update(http__db(r), &c)))
        return http__store_error(r, rc, "center");
    http__audit(r, "center.update", c.code, c.name);
    http__reply_json(r, 200, org_center_json(&c));
    return 200;
}

int api_center_delete(struct req *r)
{
    struct org_center c;
    int rc = load_center(r, 1, &c);
    if (rc)
        return rc;
    if ((rc = store_center_delete(http__db(r), c.id)))
        return http__store_error(r, rc, "center");
    http__audit(r, "center.delete", c.code, c.name);
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
    struct org_team *all = NULL;
    size_t n = 0;
    if ((rc = store_team_list(http__db(r), c.id, &all, &n)))
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
    struct org_center c;
    struct team_input in;
    char err[300];
    int rc = load_center(r, 1, &c);
    if (rc)
        return rc;
    if (http_decode_team(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_team t = {.center_id = c.id};
    str_copy(t.center, sizeof t.center, c.code);
    str_copy(t.code, sizeof t.code, in.code);
    str_copy(t.name, sizeof t.name, in.name);
    if ((rc = store_team_add(http__db(r), &t)))
        return http__store_error(r, rc, "team");
    http__audit(r, "team.add", t.code, t.center);
    http__reply_json(r, 201, org_team_json(&t));
    return 201;
}

/* ---- users ---- */

/* The company of a user's center, for a consultant's reach; 0 when the user has no center. */
static int user_company(struct req *r, const struct org_user *u, int64_t *company_id)
{
    *company_id = 0;
    if (!u->center_id)
        return 0;
    struct org_center c;
    int rc = store_center_get_id(http__db(r), u->center_id, &c);
    if (rc)
        return rc;
    *company_id = c.company_id;
    return 0;
}

int api_users_list(struct req *r)
{
    struct org_user *all = NULL;
    size_t n = 0;
    int rc;
    store *db = http__db(r);
    if (r->who.role == ROLE_CONSULTANT)
        rc = store_user_list(db, 0, r->who.companies, r->who.ncompanies, &all, &n);
    else if (r->who.role == ROLE_ADMIN)
        rc = store_user_list(db, 0, NULL, 0, &all, &n);
    else
        rc = store_user_list(db, r->who.center_id, NULL, 0, &all, &n);
    if (rc)
        return http__store_error(r, rc, "users");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        int64_t company = 0;
        if (r->who.role == ROLE_CONSULTANT && (rc = user_company(r, &all[i], &company))) {
            json_decref(arr);
            free(all);
            return http__store_error(r, rc, "center");
        }
        if (org_can_read_user(&r->who, &all[i], company))
            json_array_append_new(arr, org_user_json(&all[i]));
    }
    free(all);
    http__reply_json(r, 200, json_pack("{s:o}", "users", arr));
    return 200;
}

/* Resolves the center and team codes of the input into u. */
static int resolve_placement(struct req *r, const struct user_input *in, struct org_user *u,
                             struct org_center *c)
{
    store *db = http__db(r);
    if (in->has_center) {
        u->center_id = 0;
        u->center[0] = '\0';
        u->team_id = 0;
        u->team[0] = '\0';
        if (in->center[0]) {
            int rc = store_center_get(db, in->center, c);
            if (rc == STORE_NOTFOUND) {
                http__reply_error(r, 400, "bad_request", "center: \"%s\" does not exist",
                                  in->center);
                return 400;
            }
            if (rc)
                return http__store_error(r, rc, "center");
            u->center_id = c->id;
            str_copy(u->center, sizeof u->center, c->code);
        }
    } else if (u->center_id) {
        int rc = store_center_get_id(db, u->center_id, c);
        if (rc)
            return http__store_error(r, rc, "center");
    }
    if (in->has_team) {
        struct org_team t;
        int rc = u->center_id ? store_team_get(db, u->center_id, in->team, &t) : STORE_NOTFOUND;
        if (rc == STORE_NOTFOUND) {
            http__reply_error(r, 400, "bad_request", "team: \"%s\" is not a team of the center",
                              in->team);
            return 400;
        }
        if (rc)
            return http__store_error(r, rc, "team");
        u->team_id = t.id;
        str_copy(u->team, sizeof u->team, t.code);
    }
    return 0;
}

static int link_companies(struct req *r, const struct user_input *in, int64_t user_id)
{
    for (int i = 0; i < in->ncompanies; i++) {
        struct org_company co;
        int rc = store_company_get(http__db(r), in->companies[i], &co);
        if (rc == STORE_NOTFOUND) {
            http__reply_error(r, 400, "bad_request", "companies: \"%s\" does not exist",
                              in->companies[i]);
            return 400;
        }
        if (rc || (rc = store_consultant_link(http__db(r), user_id, co.id)))
            return http__store_error(r, rc, "company link");
    }
    return 0;
}

/* Applies the input to u and checks that the caller may place such a user there. */
static int apply_user(struct req *r, const struct user_input *in, struct org_user *u)
{
    struct org_center c;
    char err[300];
    int rc = resolve_placement(r, in, u, &c);
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
    if (in->has_companies && u->role != ROLE_CONSULTANT)
        return bad_request(r, "companies: only a consultant has client companies");
    if (in->has_companies && r->who.role != ROLE_ADMIN)
        return forbidden(r, "give a consultant client companies");
    if (!org_can_manage_user(&r->who, u->role, u->center_id ? &c : NULL))
        return forbidden(r, "give this role in this center");
    if (in->has_password && org_password_hash(in->password, u->password_hash)) {
        http__reply_error(r, 500, "internal", "cannot hash the password");
        return 500;
    }
    return 0;
}

int api_users_create(struct req *r)
{
    struct user_input in;
    char err[300];
    if (http_decode_user(r->json, 1, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_user u = {0};
    str_copy(u.login, sizeof u.login, in.login);
    int rc = apply_user(r, &in, &u);
    if (rc)
        return rc;
    store *db = http__db(r);
    if ((rc = store_begin(db)))
        return http__store_error(r, rc, "user");
    if ((rc = store_user_add(db, &u))) {
        store_rollback(db);
        return http__store_error(r, rc, "user");
    }
    if ((rc = link_companies(r, &in, u.id)) || (rc = store_commit(db))) {
        store_rollback(db);
        return r->status ? r->status : http__store_error(r, rc, "user");
    }
    http__audit(r, "user.add", u.login, org_role_name(u.role));
    http__reply_json(r, 201, org_user_json(&u));
    return 201;
}

/* Loads the user named by the first path parameter and checks that the caller may see them. */
static int load_user(struct req *r, struct org_user *u)
{
    int rc = store_user_get(http__db(r), r->params[0], u);
    int64_t company = 0;
    if (rc == STORE_OK)
        rc = user_company(r, u, &company);
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "user \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    if (!org_can_read_user(&r->who, u, company))
        return forbidden(r, "see this user");
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

/* May the caller manage the user as they are now (before any change)? */
static int may_manage_existing(struct req *r, const struct org_user *u)
{
    struct org_center c;
    if (u->center_id && store_center_get_id(http__db(r), u->center_id, &c))
        return 0;
    return org_can_manage_user(&r->who, u->role, u->center_id ? &c : NULL);
}

int api_user_update(struct req *r)
{
    struct org_user u;
    struct user_input in;
    char err[300];
    int rc = load_user(r, &u);
    if (rc)
        return rc;
    if (http_decode_user(r->json, 0, &in, err, sizeof err))
        return bad_request(r, err);
    if (!may_manage_existing(r, &u))
        return forbidden(r, "change this user");
    if (u.id == r->who.user_id && (in.has_role || in.has_disabled || in.has_center))
        return bad_request(r, "role: you cannot change your own role, center or access");
    if ((rc = apply_user(r, &in, &u)))
        return rc;
    store *db = http__db(r);
    if ((rc = store_user_update(db, &u)))
        return http__store_error(r, rc, "user");
    http__audit(r, "user.update", u.login, org_role_name(u.role));
    http__reply_json(r, 200, org_user_json(&u));
    return 200;
}

int api_user_delete(struct req *r)
{
    struct org_user u;
    int rc = load_user(r, &u);
    if (rc)
        return rc;
    if (u.id == r->who.user_id)
        return bad_request(r, "login: you cannot delete your own account");
    if (!may_manage_existing(r, &u))
        return forbidden(r, "delete this user");
    if ((rc = store_user_delete(http__db(r), u.id)))
        return http__store_error(r, rc, "user");
    http__audit(r, "user.delete", u.login, org_role_name(u.role));
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
    int rc = store_audit_list(http__db(r), (int)limit, &all, &n);
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
    int rc = store_apikey_list(http__db(r), &all, &n);
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
    char err[300], key[64], hash[ORG_TOKEN_HASH];
    if (http_decode_apikey(r->json, &in, err, sizeof err))
        return bad_request(r, err);
    struct org_apikey k = {.scopes = in.scopes};
    str_copy(k.name, sizeof k.name, in.name);
    org_apikey_new(key, sizeof key, k.prefix, sizeof k.prefix, hash);
    int rc = store_apikey_add(http__db(r), &k, hash);
    if (rc)
        return http__store_error(r, rc, "API key");
    http__audit(r, "apikey.add", k.name, "");
    json_t *j = org_apikey_json(&k);
    json_object_set_new(j, "key", json_string(key));
    http__reply_json(r, 201, j);
    return 201;
}
