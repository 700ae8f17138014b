#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_org.h"
#include "svc_int.h"
#include "svc_org.h"

/* ---- companies ---- */

int svc_company_add(struct svc *x, struct org_company *c)
{
    if (!org_can_add_company(x->who))
        return svc__fail(x, IK_EACCES, "company");
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "company");
    if ((rc = store_company_add(x->db, c)))
        svc__fail(x, rc, "company");
    else
        rc = svc__audit(x, SVC_AUDIT_COMPANY_ADD, c->code, c->name);
    return svc__end(x, rc);
}

int svc_company_list(struct svc *x, struct org_company **out, size_t *n)
{
    struct org_company *all = NULL;
    size_t cnt = 0, keep = 0;
    int rc = store_company_list(x->db, &all, &cnt);
    if (rc)
        return svc__fail(x, rc, "companies");
    for (size_t i = 0; i < cnt; i++)
        if (org_sees_company(x->who, all[i].id))
            all[keep++] = all[i];
    *out = all;
    *n = keep;
    return 0;
}

static int add_default_company(struct svc *x, struct org_company *out)
{
    memset(out, 0, sizeof *out);
    str_copy(out->code, sizeof out->code, "default");
    str_copy(out->name, sizeof out->name, "default");
    int rc = store_company_add(x->db, out);
    return rc ? svc__fail(x, rc, "default company") : 0;
}

int svc_company_pick(struct svc *x, const char *code, int create_default, struct org_company *out)
{
    if (code) {
        int rc = store_company_get(x->db, code, out);
        return rc ? svc__fail(x, rc, "company") : 0;
    }
    struct org_company *mine = NULL;
    size_t n = 0;
    int rc = svc_company_list(x, &mine, &n);
    if (rc)
        return rc;
    x->nseen = n;
    if (n == 1)
        *out = mine[0];
    free(mine);
    if (n == 1)
        return 0;
    if (n == 0 && create_default)
        return add_default_company(x, out);
    return svc__fail(x, IK_EINVAL, "company");
}

/* ---- centers ---- */

int svc_center_add(struct svc *x, const char *company, int create_default, struct org_center *c)
{
    struct org_company co;
    /* Picking the company may create "default": it goes in with the center or not at all. */
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "center");
    if ((rc = svc_company_pick(x, company, create_default, &co)))
        return svc__end(x, rc);
    if (!org_can_create_center(x->who, co.id))
        return svc__end(x, svc__fail(x, IK_EACCES, "company"));
    c->company_id = co.id;
    str_copy(c->company, sizeof c->company, co.code);
    if ((rc = store_center_add(x->db, c)))
        svc__fail(x, rc, "center");
    else
        rc = svc__audit(x, SVC_AUDIT_CENTER_ADD, c->code, c->name);
    return svc__end(x, rc);
}

int svc_center_list(struct svc *x, struct org_center **out, size_t *n)
{
    struct org_center *all = NULL;
    size_t cnt = 0, keep = 0;
    int rc;
    if (org_center_list_reach(x->who) == ORG_REACH_COMPANIES)
        rc = store_center_list(x->db, x->who->companies, x->who->ncompanies, &all, &cnt);
    else
        rc = store_center_list(x->db, NULL, 0, &all, &cnt);
    if (rc)
        return svc__fail(x, rc, "centers");
    for (size_t i = 0; i < cnt; i++)
        if (org_lists_center(x->who, &all[i]))
            all[keep++] = all[i];
    *out = all;
    *n = keep;
    return 0;
}

int svc_center_get(struct svc *x, const char *code, int write, struct org_center *out)
{
    struct org_center c;
    int rc = store_center_get(x->db, code, &c);
    if (rc)
        return svc__fail(x, rc, "center");
    if (!(write ? org_can_write_center(x->who, &c) : org_can_view_center(x->who, &c)))
        return svc__fail(x, IK_EACCES, "center");
    *out = c;
    return 0;
}

int svc_center_update(struct svc *x, struct org_center *c, const char *move_to)
{
    if (!org_can_write_center(x->who, c))
        return svc__fail(x, IK_EACCES, "center");
    if (move_to && !org_can_move_center(x->who))
        return svc__fail(x, IK_EACCES, "company");
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "center");
    if (move_to) {
        struct org_company co;
        if ((rc = svc_company_pick(x, move_to, 0, &co)))
            return svc__end(x, rc);
        c->company_id = co.id;
        str_copy(c->company, sizeof c->company, co.code);
    }
    if ((rc = store_center_update(x->db, c)))
        svc__fail(x, rc, "center");
    else
        rc = svc__audit(x, SVC_AUDIT_CENTER_UPDATE, c->code, c->name);
    return svc__end(x, rc);
}

int svc_center_delete(struct svc *x, const struct org_center *c)
{
    if (!org_can_write_center(x->who, c))
        return svc__fail(x, IK_EACCES, "center");
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "center");
    if ((rc = store_center_delete(x->db, c->id)))
        svc__fail(x, rc, "center");
    else
        rc = svc__audit(x, SVC_AUDIT_CENTER_DELETE, c->code, c->name);
    return svc__end(x, rc);
}

/* ---- teams ---- */

int svc_team_add(struct svc *x, const char *center, struct org_team *t)
{
    struct org_center c;
    int rc = svc_center_get(x, center, 1, &c);
    if (rc)
        return rc;
    t->center_id = c.id;
    str_copy(t->center, sizeof t->center, c.code);
    if ((rc = store_begin(x->db)))
        return svc__fail(x, rc, "team");
    if ((rc = store_team_add(x->db, t)))
        svc__fail(x, rc, "team");
    else
        rc = svc__audit(x, SVC_AUDIT_TEAM_ADD, t->code, t->center);
    return svc__end(x, rc);
}

int svc_team_list(struct svc *x, const struct org_center *c, struct org_team **out, size_t *n)
{
    if (!org_can_view_center(x->who, c))
        return svc__fail(x, IK_EACCES, "center");
    int rc = store_team_list(x->db, c->id, out, n);
    return rc ? svc__fail(x, rc, "teams") : 0;
}

/* ---- users ---- */

int svc_user_place(struct svc *x, const char *center, const char *team, struct org_user *u,
                   struct org_center *c)
{
    int rc;
    if (center) {
        u->center_id = 0;
        u->center[0] = '\0';
        u->team_id = 0;
        u->team[0] = '\0';
        if (center[0]) {
            if ((rc = store_center_get(x->db, center, c)))
                return svc__fail(x, rc, "center");
            u->center_id = c->id;
            str_copy(u->center, sizeof u->center, c->code);
        }
    } else if (u->center_id && (rc = store_center_get_id(x->db, u->center_id, c))) {
        return svc__fail(x, rc, "center");
    }
    if (team) {
        struct org_team t;
        rc = u->center_id ? store_team_get(x->db, u->center_id, team, &t) : IK_ENOENT;
        if (rc)
            return svc__fail(x, rc, "team");
        u->team_id = t.id;
        str_copy(u->team, sizeof u->team, t.code);
    }
    return 0;
}

/* May x->who give u (placed in c) its role there, and client companies when asked? */
static int may_place(struct svc *x, const struct org_user *u, const struct org_center *c,
                     int has_companies)
{
    if (has_companies && !org_can_give_companies(x->who))
        return svc__fail(x, IK_EACCES, "companies");
    if (!org_can_manage_user(x->who, u->role, u->center_id ? c : NULL))
        return svc__fail(x, IK_EACCES, "role");
    return 0;
}

static int link_companies(struct svc *x, int64_t user_id, const char *const *companies, int n)
{
    for (int i = 0; i < n; i++) {
        struct org_company co;
        int rc = store_company_get(x->db, companies[i], &co);
        if (rc) {
            x->code = companies[i];
            return svc__fail(x, rc, "companies");
        }
        if ((rc = store_consultant_link(x->db, user_id, co.id)))
            return svc__fail(x, rc, "company link");
    }
    return 0;
}

int svc_user_add(struct svc *x, struct org_user *u, const struct org_center *c,
                 const char *const *companies, int ncompanies)
{
    int rc = may_place(x, u, c, companies != NULL);
    if (rc)
        return rc;
    if ((rc = store_begin(x->db)))
        return svc__fail(x, rc, "user");
    if ((rc = store_user_add(x->db, u)))
        svc__fail(x, rc, "user");
    else if (!(rc = link_companies(x, u->id, companies, ncompanies)))
        rc = svc__audit(x, SVC_AUDIT_USER_ADD, u->login, org_role_name(u->role));
    return svc__end(x, rc);
}

/* The company of a user's center, for a consultant's reach; 0 when the user has no center. */
static int user_company(struct svc *x, const struct org_user *u, int64_t *company_id)
{
    *company_id = 0;
    if (!u->center_id)
        return 0;
    struct org_center c;
    int rc = store_center_get_id(x->db, u->center_id, &c);
    if (rc)
        return svc__fail(x, rc, "center");
    *company_id = c.company_id;
    return 0;
}

int svc_user_list(struct svc *x, const char *center, struct org_user **out, size_t *n)
{
    struct org_user *all = NULL;
    size_t cnt = 0, keep = 0;
    int rc;
    enum org_reach reach = org_user_list_reach(x->who);
    if (center) {
        struct org_center c;
        if ((rc = store_center_get(x->db, center, &c)))
            return svc__fail(x, rc, "center");
        rc = store_user_list(x->db, c.id, NULL, 0, &all, &cnt);
    } else if (reach == ORG_REACH_COMPANIES) {
        rc = store_user_list(x->db, 0, x->who->companies, x->who->ncompanies, &all, &cnt);
    } else if (reach == ORG_REACH_ALL) {
        rc = store_user_list(x->db, 0, NULL, 0, &all, &cnt);
    } else {
        rc = store_user_list(x->db, x->who->center_id, NULL, 0, &all, &cnt);
    }
    if (rc)
        return svc__fail(x, rc, "users");
    for (size_t i = 0; i < cnt; i++) {
        int64_t company = 0;
        if (reach == ORG_REACH_COMPANIES && (rc = user_company(x, &all[i], &company))) {
            free(all);
            return rc;
        }
        if (org_can_read_user(x->who, &all[i], company))
            all[keep++] = all[i];
    }
    *out = all;
    *n = keep;
    return 0;
}

int svc_user_get(struct svc *x, const char *login, struct org_user *out)
{
    struct org_user u;
    int64_t company = 0;
    int rc = store_user_get(x->db, login, &u);
    if (rc)
        return svc__fail(x, rc, "user");
    if ((rc = user_company(x, &u, &company)))
        return svc__fail(x, rc, "user");
    if (!org_can_read_user(x->who, &u, company))
        return svc__fail(x, IK_EACCES, "user");
    *out = u;
    return 0;
}

int svc_user_check_manage(struct svc *x, const struct org_user *u)
{
    struct org_center c;
    if (u->center_id && store_center_get_id(x->db, u->center_id, &c))
        return svc__fail(x, IK_EACCES, "user");
    if (!org_can_manage_user(x->who, u->role, u->center_id ? &c : NULL))
        return svc__fail(x, IK_EACCES, "user");
    return 0;
}

int svc_user_update(struct svc *x, struct org_user *u, const struct org_center *c,
                    int has_companies, const struct svc_user_sessions *ends)
{
    int rc = may_place(x, u, c, has_companies);
    if (rc)
        return rc;
    if ((rc = store_begin(x->db)))
        return svc__fail(x, rc, "user");
    if ((rc = store_user_update(x->db, u)))
        svc__fail(x, rc, "user");
    else if (ends && ends->end &&
             (rc = store_session_end_user(x->db, u->id, ends->keep_hash)))
        svc__fail(x, rc, "sessions");
    else if (ends && ends->password_reset &&
             (rc = svc__audit(x, "password.reset", u->login, "sessions ended")))
        ;
    else
        rc = svc__audit(x, SVC_AUDIT_USER_UPDATE, u->login, org_role_name(u->role));
    return svc__end(x, rc);
}

int svc_user_delete(struct svc *x, const struct org_user *u)
{
    int rc = svc_user_check_manage(x, u);
    if (rc)
        return rc;
    if ((rc = store_begin(x->db)))
        return svc__fail(x, rc, "user");
    if ((rc = store_user_delete(x->db, u->id)))
        svc__fail(x, rc, "user");
    else
        rc = svc__audit(x, SVC_AUDIT_USER_DELETE, u->login, org_role_name(u->role));
    return svc__end(x, rc);
}

/* ---- API keys and the audit log ---- */

int svc_apikey_revoke(struct svc *x, const char *id_or_name, struct org_apikey *k)
{
    if (!org_can_manage_apikeys(x->who))
        return svc__fail(x, IK_EACCES, "API key");
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "API key");
    if ((rc = store_apikey_revoke(x->db, id_or_name, k)))
        svc__fail(x, rc, "API key");
    else
        rc = svc__audit(x, "apikey.revoke", k->name, "");
    return svc__end(x, rc);
}

int svc_apikey_add(struct svc *x, struct org_apikey *k, char *key, size_t keylen)
{
    if (!org_can_manage_apikeys(x->who))
        return svc__fail(x, IK_EACCES, "API key");
    char hash[ORG_TOKEN_HASH];
    org_apikey_new(key, keylen, k->prefix, sizeof k->prefix, hash);
    char scopes[64] = "";
    for (int i = 0; i < SCOPE__COUNT; i++)
        if (k->scopes & SCOPE_BIT(i))
            snprintf(scopes + strlen(scopes), sizeof scopes - strlen(scopes), "%s%s",
                     scopes[0] ? "," : "", org_scope_name((enum org_scope)i));
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "API key");
    if ((rc = store_apikey_add(x->db, k, hash)))
        svc__fail(x, rc, "API key");
    else
        rc = svc__audit(x, SVC_AUDIT_APIKEY_ADD, k->name, scopes);
    return svc__end(x, rc);
}

int svc_apikey_list(struct svc *x, struct org_apikey **out, size_t *n)
{
    if (!org_can_manage_apikeys(x->who))
        return svc__fail(x, IK_EACCES, "API keys");
    int rc = store_apikey_list(x->db, out, n);
    return rc ? svc__fail(x, rc, "API keys") : 0;
}

int svc_audit_list(struct svc *x, int limit, struct store_audit **out, size_t *n)
{
    if (!org_can_read_audit(x->who))
        return svc__fail(x, IK_EACCES, "audit log");
    int rc = store_audit_list(x->db, limit, out, n);
    return rc ? svc__fail(x, rc, "audit log") : 0;
}
