/* The route table and the checks every request passes through, in this order: the route exists,
 * the caller is known, the role or scope is allowed, the CSRF token matches, the body is JSON.
 * A route grants nothing it does not name (deny by default). */
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/util.h"
#include "decode.h"
#include "http_int.h"

#define R_ADMIN   ROLE_BIT(ROLE_ADMIN)
#define R_CONSULT ROLE_BIT(ROLE_CONSULTANT)
#define R_MANAGER ROLE_BIT(ROLE_CENTER_MANAGER)

const struct route http__routes[] = {
    {M_GET, "/api/v1/health", 0, 0, 1, api_health},
    {M_POST, "/api/v1/session", 0, 0, 1, api_session_create},
    {M_DELETE, "/api/v1/session", ROLES_ANY, 0, 0, api_session_delete},
    {M_GET, "/api/v1/me", ROLES_ANY, 0, 0, api_me},
    {M_POST, "/api/v1/me/password", ROLES_ANY, 0, 0, api_me_password},
    {M_GET, "/api/v1/companies", R_ADMIN | R_CONSULT, 0, 0, api_companies_list},
    {M_POST, "/api/v1/companies", R_ADMIN, 0, 0, api_companies_create},
    {M_GET, "/api/v1/centers", ROLES_STAFF, SCOPE_BIT(SCOPE_READ), 0, api_centers_list},
    {M_POST, "/api/v1/centers", R_ADMIN | R_CONSULT, 0, 0, api_centers_create},
    {M_GET, "/api/v1/centers/{}", ROLES_STAFF, SCOPE_BIT(SCOPE_READ), 0, api_center_get},
    {M_PATCH, "/api/v1/centers/{}", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0, api_center_update},
    {M_DELETE, "/api/v1/centers/{}", R_ADMIN, 0, 0, api_center_delete},
    {M_GET, "/api/v1/centers/{}/teams", ROLES_STAFF, 0, 0, api_teams_list},
    {M_POST, "/api/v1/centers/{}/teams", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0, api_teams_create},
    {M_GET, "/api/v1/users", ROLES_STAFF, 0, 0, api_users_list},
    {M_POST, "/api/v1/users", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0, api_users_create},
    {M_GET, "/api/v1/users/{}", ROLES_ANY, 0, 0, api_user_get},
    {M_PATCH, "/api/v1/users/{}", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0, api_user_update},
    {M_DELETE, "/api/v1/users/{}", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0, api_user_delete},
    {M_GET, "/api/v1/audit", R_ADMIN, 0, 0, api_audit_list},
    {M_GET, "/api/v1/apikeys", R_ADMIN, 0, 0, api_apikeys_list},
    {M_POST, "/api/v1/apikeys", R_ADMIN, 0, 0, api_apikeys_create},
    {M_GET, "/api/v1/harass/policy", ROLES_ANY, 0, 0, api_harass_policy_get},
    {M_PUT, "/api/v1/harass/policy", R_ADMIN, 0, 0, api_harass_policy_put},
    {M_POST, "/api/v1/harass/judge", ROLES_ANY, 0, 0, api_harass_judge},
    {M_POST, "/api/v1/harass/cases", ROLES_ANY, 0, 0, api_harass_case_create},
    {M_GET, "/api/v1/harass/cases/{}", ROLES_ANY, 0, 0, api_harass_case_get},
    {M_POST, "/api/v1/harass/cases/{}/review", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_harass_case_review},
    {M_GET, "/api/v1/centers/{}/harass/queue", ROLES_STAFF, 0, 0, api_harass_queue},
    {M_GET, "/api/v1/centers/{}/harass/agreement", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_harass_agreement},
    {M_GET, "/api/v1/centers/{}/harass/care", ROLES_STAFF, 0, 0, api_harass_care_list},
    {M_POST, "/api/v1/harass/care/{}/done", ROLES_STAFF, 0, 0, api_harass_care_done},
    {M_GET, "/api/v1/centers/{}/harass/stats", ROLES_STAFF, 0, 0, api_harass_stats},
    {M_POST, "/api/v1/centers/{}/harass/calls", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_harass_calls},
    {M_POST, "/api/v1/harass/purge", R_ADMIN, 0, 0, api_harass_purge},
    /* Mood is the operators' own: managers and supervisors see team averages, nobody else. */
    {M_GET, "/api/v1/centers/{}/harass/mood", R_MANAGER | ROLE_BIT(ROLE_SUPERVISOR), 0, 0,
     api_harass_mood_trend},
    {M_GET, "/api/v1/me/mood", ROLES_ANY, 0, 0, api_me_mood_list},
    {M_POST, "/api/v1/me/mood", ROLES_ANY, 0, 0, api_me_mood_add},
    {M_GET, "/api/v1/surveys/{}/score", ROLES_STAFF, 0, 0, api_survey_score},
    {M_GET, "/api/v1/surveys/{}/rank", ROLES_STAFF, 0, 0, api_survey_rank},
    {M_GET, "/api/v1/surveys/{}/responses", ROLES_STAFF, 0, 0, api_survey_responses},
    {M_POST, "/api/v1/surveys", R_ADMIN | R_CONSULT, 0, 0, api_survey_create},
    {M_GET, "/api/v1/surveys/{}/centers/{}/drivers", ROLES_STAFF, 0, 0, api_survey_drivers},
    {M_GET, "/api/v1/surveys/{}/centers/{}/compare", ROLES_STAFF, 0, 0, api_survey_compare},
    {M_GET, "/api/v1/surveys/{}/centers/{}/export", ROLES_STAFF, 0, 0, api_survey_export},
    /* Comments are the staff's own words: the manager reads them, supervisors see scores only. */
    {M_GET, "/api/v1/surveys/{}/centers/{}/comments", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_survey_comments},
    {M_POST, "/api/v1/surveys/{}/centers/{}/import", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_survey_import},
    {M_POST, "/api/v1/surveys/{}/centers/{}/link", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_survey_link_open},
    {M_DELETE, "/api/v1/surveys/{}/centers/{}/link", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_survey_link_close},
    {M_POST, "/api/v1/surveys/{}/centers/{}/publish", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_survey_publish},
    {M_GET, "/api/v1/settings/survey", ROLES_STAFF, 0, 0, api_survey_settings_get},
    {M_PUT, "/api/v1/settings/survey", R_ADMIN, 0, 0, api_survey_settings_put},
    /* Anyone with the link answers; the token in the path is the only key. */
    {M_GET, "/api/v1/collect/{}", 0, 0, 1, api_collect_get},
    {M_POST, "/api/v1/collect/{}", 0, 0, 1, api_collect_post},
    {M_GET, "/api/v1/cx/sheet", ROLES_ANY, 0, 0, api_cx_sheet},
    {M_POST, "/api/v1/cx/check", ROLES_ANY, 0, 0, api_cx_check},
    {M_GET, "/api/v1/companies/{}/cx", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0, api_cx_history},
    {M_POST, "/api/v1/companies/{}/cx", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0, api_cx_answer},
    {M_POST, "/api/v1/companies/{}/cx/checkpoints", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_cx_checkpoint},
    {M_GET, "/api/v1/skills/model", ROLES_ANY, 0, 0, api_skills_model},
    {M_GET, "/api/v1/users/{}/skills", ROLES_ANY, 0, 0, api_user_skills_get},
    {M_POST, "/api/v1/users/{}/skills", ROLES_ANY, 0, 0, api_user_skills_post},
    {M_GET, "/api/v1/centers/{}/skills", ROLES_STAFF, 0, 0, api_center_skills},
    /* 通話ガード: phone systems post events with a calls key; staff watch their centers. */
    {M_GET, "/api/v1/calls", ROLES_STAFF, SCOPE_BIT(SCOPE_CALLS), 0, api_calls_list},
    {M_GET, "/api/v1/calls/{}", ROLES_STAFF, SCOPE_BIT(SCOPE_CALLS), 0, api_call_get},
    {M_POST, "/api/v1/calls/{}/events", 0, SCOPE_BIT(SCOPE_CALLS), 0, api_call_events},
    {M_POST, "/api/v1/calls/{}/actions", R_ADMIN | R_MANAGER | ROLE_BIT(ROLE_SUPERVISOR), 0, 0,
     api_call_actions},
    {M_GET, "/api/v1/events", ROLES_STAFF, 0, 0, api_events_stream},
    /* The call guard's block list: admins, consultants (client centers), managers (their own). */
    {M_GET, "/api/v1/guard/blocks", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0, api_guard_blocks_list},
    {M_POST, "/api/v1/guard/blocks", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_guard_blocks_create},
    {M_DELETE, "/api/v1/guard/blocks/{}", R_ADMIN | R_CONSULT | R_MANAGER, 0, 0,
     api_guard_block_delete},
};
const int http__nroutes = (int)ARRAY_LEN(http__routes);

static const char *const method_names[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OTHER"};

/* Matches path against pattern, copying the {} segments into params. */
static int match(const char *pattern, const char *path, struct req *r)
{
    int np = 0;
    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= HTTP_PARAM_MAX || np >= HTTP_MAX_PARAMS)
                return 0;
            memcpy(r->params[np], path, n);
            r->params[np][n] = '\0';
            np++;
            path += n;
            pattern += 2;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    if (*pattern || *path)
        return 0;
    r->nparams = np;
    return 1;
}

int http__route_allows(const struct route *rt, const struct org_principal *who)
{
    if (rt->public)
        return 1;
    if (who->kind == PRINCIPAL_USER)
        return (rt->roles & ROLE_BIT(who->role)) != 0;
    if (who->kind == PRINCIPAL_APIKEY)
        return (rt->scopes & who->scopes) != 0;
    return 0;
}

static const struct route *find_route(struct req *r)
{
    size_t len = strlen(r->path);
    if (len > 1 && r->path[len - 1] == '/')
        r->path[len - 1] = '\0';
    struct buf allow;
    buf_init(&allow, 256);
    const struct route *found = NULL;
    for (int i = 0; i < http__nroutes && !found; i++) {
        if (!match(http__routes[i].pattern, r->path, r))
            continue;
        if (http__routes[i].method == r->method)
            found = &http__routes[i];
        else
            buf_printf(&allow, "%s%s", allow.len ? ", " : "", method_names[http__routes[i].method]);
    }
    if (!found && allow.len) {
        http__add_header(r, "Allow", allow.data);
        http__reply_error(r, 405, "method_not_allowed", "%s is not allowed on %s (allowed: %s)",
                          r->method_name, r->path, allow.data);
    } else if (!found) {
        http__reply_error(r, 404, "not_found", "no such endpoint: %s", r->path);
    }
    buf_release(&allow);
    return found;
}

static int csrf_ok(struct req *r)
{
    if (r->method == M_GET || r->who.kind != PRINCIPAL_USER || !r->session_hash[0])
        return 1;
    const char *tok = http__header(r, "X-CSRF-Token");
    return tok && r->csrf[0] && org_secret_equal(tok, r->csrf);
}

static int parse_body(struct req *r)
{
    if (!(r->method == M_POST || r->method == M_PATCH || r->method == M_PUT))
        return 0;
    const char *ct = http__header(r, "Content-Type");
    if (r->body.len && (!ct || strncasecmp(ct, "application/json", 16) != 0)) {
        http__reply_error(r, 415, "unsupported_media_type",
                          "body: Content-Type must be application/json");
        return -1;
    }
    if (r->body.len == 0 && r->route->fn == api_session_delete)
        return 0;
    char err[300];
    if (http_body_parse(r->body.data, r->body.len, &r->json, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return -1;
    }
    return 0;
}

int http__dispatch(struct req *r)
{
    r->route = find_route(r);
    if (!r->route)
        return r->status;
    if (!r->route->public && http__authenticate(r)) {
        if (!r->status)
            http__reply_error(r, 401, "unauthenticated", "sign in first (POST /api/v1/session)");
        return r->status;
    }
    if (!http__route_allows(r->route, &r->who)) {
        http__reply_error(r, 403, "forbidden", "your role may not %s %s", r->method_name, r->path);
        return r->status;
    }
    if (!csrf_ok(r)) {
        http__reply_error(r, 403, "csrf", "missing or wrong X-CSRF-Token header");
        return r->status;
    }
    if (parse_body(r))
        return r->status;
    r->route->fn(r);
    return r->status;
}
