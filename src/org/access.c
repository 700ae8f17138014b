/* org access: who may see and do what. Every decision a front door (src/http, src/cli) or a
 * service makes about a principal's role is a function here, so the rules can be read in one
 * file and are tested as a table (tests/data/org/access.tsv). The router's role bits stay a
 * coarse first gate; these decide on the record. */
#include <string.h>

#include "org.h"

int org_principal_has_company(const struct org_principal *p, int64_t company_id)
{
    for (int i = 0; i < p->ncompanies; i++)
        if (p->companies[i] == company_id)
            return 1;
    return 0;
}

int org_can_read_center(const struct org_principal *p, const struct org_center *c)
{
    if (p->kind != PRINCIPAL_USER)
        return 0;
    switch (p->role) {
    case ROLE_ADMIN:
        return 1;
    case ROLE_CONSULTANT:
        return org_principal_has_company(p, c->company_id);
    case ROLE_CENTER_MANAGER:
    case ROLE_SUPERVISOR:
        return p->center_id == c->id;
    default:
        return 0;
    }
}

int org_can_write_center(const struct org_principal *p, const struct org_center *c)
{
    if (p->kind != PRINCIPAL_USER)
        return 0;
    if (p->role == ROLE_ADMIN)
        return 1;
    if (p->role == ROLE_CONSULTANT)
        return org_principal_has_company(p, c->company_id);
    if (p->role == ROLE_CENTER_MANAGER)
        return p->center_id == c->id;
    return 0;
}

int org_can_create_center(const struct org_principal *p, int64_t company_id)
{
    if (p->kind != PRINCIPAL_USER)
        return 0;
    return p->role == ROLE_ADMIN ||
           (p->role == ROLE_CONSULTANT && org_principal_has_company(p, company_id));
}

int org_can_read_user(const struct org_principal *p, const struct org_user *u,
                      int64_t user_company_id)
{
    if (p->kind != PRINCIPAL_USER)
        return 0;
    if (p->user_id == u->id)
        return 1;
    switch (p->role) {
    case ROLE_ADMIN:
        return 1;
    case ROLE_CONSULTANT:
        return u->center_id && org_principal_has_company(p, user_company_id);
    case ROLE_CENTER_MANAGER:
        return u->center_id == p->center_id;
    case ROLE_SUPERVISOR:
        return u->center_id == p->center_id &&
               (u->role == ROLE_SUPERVISOR || u->role == ROLE_OPERATOR);
    default:
        return 0;
    }
}

int org_can_manage_user(const struct org_principal *p, enum org_role r, const struct org_center *c)
{
    if (p->kind != PRINCIPAL_USER)
        return 0;
    switch (p->role) {
    case ROLE_ADMIN:
        return 1;
    case ROLE_CONSULTANT:
        return c && r >= ROLE_CENTER_MANAGER && org_principal_has_company(p, c->company_id);
    case ROLE_CENTER_MANAGER:
        return c && r >= ROLE_SUPERVISOR && c->id == p->center_id;
    default:
        return 0;
    }
}

/* ---- companies ---- */

int org_sees_company(const struct org_principal *p, int64_t company_id)
{
    return p->role == ROLE_ADMIN || org_principal_has_company(p, company_id);
}

int org_company_via_own_center(const struct org_principal *p)
{
    return p->role == ROLE_CENTER_MANAGER && p->center_id;
}

int org_can_read_company(const struct org_principal *p, int64_t company_id,
                         int64_t own_center_company_id)
{
    if (org_sees_company(p, company_id))
        return 1;
    return org_company_via_own_center(p) && own_center_company_id &&
           own_center_company_id == company_id;
}

int org_can_add_company(const struct org_principal *p)
{
    return p->kind == PRINCIPAL_USER && p->role == ROLE_ADMIN;
}

int org_can_manage_apikeys(const struct org_principal *p)
{
    return org_can_add_company(p);
}

int org_can_read_audit(const struct org_principal *p)
{
    return org_can_add_company(p);
}

int org_can_import_skill_model(const struct org_principal *p)
{
    return org_can_add_company(p);
}

int org_can_purge_cases(const struct org_principal *p)
{
    return org_can_add_company(p);
}

int org_can_view_center(const struct org_principal *p, const struct org_center *c)
{
    return org_can_read_center(p, c) ||
           (p->kind == PRINCIPAL_APIKEY && (p->scopes & SCOPE_BIT(SCOPE_READ)));
}

int org_can_move_center(const struct org_principal *p)
{
    return p->role == ROLE_ADMIN;
}

int org_can_give_companies(const struct org_principal *p)
{
    return p->role == ROLE_ADMIN;
}

int org_role_has_companies(enum org_role r)
{
    return r == ROLE_CONSULTANT;
}

/* ---- which rows a list starts from ---- */

enum org_reach org_center_list_reach(const struct org_principal *p)
{
    return p->kind == PRINCIPAL_USER && p->role == ROLE_CONSULTANT ? ORG_REACH_COMPANIES
                                                                   : ORG_REACH_ALL;
}

int org_lists_center(const struct org_principal *p, const struct org_center *c)
{
    return p->kind == PRINCIPAL_APIKEY || org_can_read_center(p, c);
}

enum org_reach org_user_list_reach(const struct org_principal *p)
{
    if (p->role == ROLE_CONSULTANT)
        return ORG_REACH_COMPANIES;
    return p->role == ROLE_ADMIN ? ORG_REACH_ALL : ORG_REACH_CENTER;
}

enum org_reach org_call_reach(const struct org_principal *p)
{
    if (p->kind == PRINCIPAL_APIKEY || p->role == ROLE_ADMIN)
        return ORG_REACH_ALL;
    return p->role == ROLE_CONSULTANT ? ORG_REACH_COMPANIES : ORG_REACH_CENTER;
}

/* ---- users ---- */

int org_user_may_sign_in(const struct org_user *u)
{
    return !u->disabled && u->role != ROLE_NONE;
}

int org_role_can_approve_voiceprint(enum org_role r)
{
    return r == ROLE_ADMIN || r == ROLE_CENTER_MANAGER;
}

/* ---- the call guard's block list ---- */

int org_can_change_block(const struct org_principal *p, const char *center, int center_visible)
{
    if (p->role == ROLE_ADMIN)
        return 1;
    return center[0] && center_visible;
}

int org_block_center_is_own(const struct org_principal *p)
{
    return p->role == ROLE_CENTER_MANAGER;
}

/* ---- harassment cases and mood ---- */

int org_flags_for_self(const struct org_principal *p)
{
    return p->role == ROLE_OPERATOR;
}

int org_can_flag(const struct org_principal *p, const struct org_center *c,
                 const char *operator_login)
{
    if (org_flags_for_self(p))
        return strcmp(operator_login, p->login) == 0;
    return org_can_read_center(p, c);
}

const char *org_flag_source(const struct org_principal *p)
{
    return org_flags_for_self(p) ? "operator" : "supervisor";
}

int org_can_see_case(const struct org_principal *p, const struct org_center *c,
                     int64_t case_operator_id, int review)
{
    if (review)
        return org_can_write_center(p, c);
    if (p->role == ROLE_OPERATOR)
        return case_operator_id == p->user_id;
    return org_can_read_center(p, c);
}

int org_mood_team(const struct org_principal *p, int64_t *team)
{
    if (p->role != ROLE_SUPERVISOR) {
        *team = 0;
        return 0;
    }
    if (!p->team_id)
        return -1;
    *team = p->team_id;
    return 0;
}

/* ---- skills ---- */

int org_can_assess(enum org_role by, int64_t by_center, enum org_role of, int64_t of_center)
{
    if (by == ROLE_ADMIN)
        return 1;
    if (!by_center || by_center != of_center)
        return 0;
    if (by == ROLE_CENTER_MANAGER)
        return of == ROLE_SUPERVISOR || of == ROLE_OPERATOR;
    if (by == ROLE_SUPERVISOR)
        return of == ROLE_OPERATOR;
    return 0;
}
