#include "decode.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

static int depth_ok(json_t *v, int depth)
{
    if (depth > HTTP_JSON_MAX_DEPTH)
        return 0;
    size_t i;
    const char *k;
    json_t *child;
    if (json_is_object(v)) {
        json_object_foreach(v, k, child) if (!depth_ok(child, depth + 1)) return 0;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, child) if (!depth_ok(child, depth + 1)) return 0;
    }
    return 1;
}

int http_body_parse(const char *data, size_t len, json_t **out, char *err, size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "body: expected a JSON object, got nothing");
        return -1;
    }
    json_error_t je;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!v) {
        snprintf(err, errlen, "body: invalid JSON at line %d, column %d: %s", je.line, je.column,
                 je.text);
        return -1;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        snprintf(err, errlen, "body: expected a JSON object");
        return -1;
    }
    if (!depth_ok(v, 0)) {
        json_decref(v);
        snprintf(err, errlen, "body: nested deeper than %d levels", HTTP_JSON_MAX_DEPTH);
        return -1;
    }
    *out = v;
    return 0;
}

/* Every body lists the fields it knows; anything else is a mistake worth reporting. */
static int only_fields(json_t *o, const char *const *known, char *err, size_t errlen)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int ok = 0;
        for (const char *const *f = known; *f; f++)
            if (strcmp(*f, k) == 0)
                ok = 1;
        if (!ok) {
            snprintf(err, errlen, "body: unknown field \"%.40s\"", k);
            return -1;
        }
    }
    return 0;
}

/* 1 present and copied, 0 absent (error when required), -1 bad. */
static int get_str(json_t *o, const char *field, int required, char *out, size_t outlen, char *err,
                   size_t errlen)
{
    json_t *v = json_object_get(o, field);
    if (!v || json_is_null(v)) {
        if (required) {
            snprintf(err, errlen, "%s: required", field);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        snprintf(err, errlen, "%s: must be a string", field);
        return -1;
    }
    size_t n = json_string_length(v);
    if (n >= outlen || memchr(json_string_value(v), '\0', n)) {
        snprintf(err, errlen, "%s: too long or holds a NUL character", field);
        return -1;
    }
    memcpy(out, json_string_value(v), n + 1);
    return 1;
}

static int get_int(json_t *o, const char *field, int64_t min, int64_t max, int64_t *out, char *err,
                   size_t errlen)
{
    json_t *v = json_object_get(o, field);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        snprintf(err, errlen, "%s: must be a whole number from %lld to %lld", field, (long long)min,
                 (long long)max);
        return -1;
    }
    *out = json_integer_value(v);
    return 1;
}

int http_decode_login(json_t *o, struct login_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"login", "password", NULL};
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen) ||
        get_str(o, "login", 1, in->login, sizeof in->login, err, errlen) < 0 ||
        get_str(o, "password", 1, in->password, sizeof in->password, err, errlen) < 0)
        return -1;
    return org_check_login("login", in->login, err, errlen);
}

int http_decode_password(json_t *o, struct password_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"current", "password", NULL};
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen) ||
        get_str(o, "current", 1, in->current, sizeof in->current, err, errlen) < 0 ||
        get_str(o, "password", 1, in->next, sizeof in->next, err, errlen) < 0)
        return -1;
    return org_check_password("password", in->next, err, errlen);
}

int http_decode_company(json_t *o, struct company_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"code", "name", NULL};
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen) ||
        get_str(o, "code", 1, in->code, sizeof in->code, err, errlen) < 0 ||
        get_str(o, "name", 1, in->name, sizeof in->name, err, errlen) < 0)
        return -1;
    if (org_check_code("code", in->code, err, errlen) ||
        org_check_name("name", in->name, err, errlen))
        return -1;
    return 0;
}

static int decode_headcounts(json_t *o, struct center_input *in, char *err, size_t errlen)
{
    json_t *hc = json_object_get(o, "headcounts");
    int64_t v;
    int rc;
    if ((rc = get_int(o, "operators", 0, 1000000, &v, err, errlen)) < 0)
        return -1;
    if (rc) {
        in->has_headcount[POS_OP] = 1;
        in->headcount[POS_OP] = v;
    }
    if ((rc = get_int(o, "staff", 0, 1000000, &v, err, errlen)) < 0)
        return -1;
    if (rc && hc) {
        snprintf(err, errlen, "staff: give either staff or headcounts, not both");
        return -1;
    }
    if (rc) {
        /* A single non-operator figure: kept as OTHER so the total stays what was given. */
        in->has_headcount[POS_SV] = in->has_headcount[POS_MGR] = 1;
        in->has_headcount[POS_OTHER] = 1;
        in->headcount[POS_SV] = in->headcount[POS_MGR] = 0;
        in->headcount[POS_OTHER] = v;
    }
    if (!hc || json_is_null(hc))
        return 0;
    if (!json_is_object(hc)) {
        snprintf(err, errlen, "headcounts: must be an object like {\"OP\": 80, \"SV\": 8}");
        return -1;
    }
    const char *k;
    json_t *val;
    json_object_foreach(hc, k, val)
    {
        enum org_position p;
        if (org_position_parse(k, &p)) {
            snprintf(err, errlen, "headcounts: \"%.40s\" is not one of OP, SV, MGR, OTHER", k);
            return -1;
        }
        if (!json_is_integer(val) || json_integer_value(val) < 0 ||
            json_integer_value(val) > 1000000) {
            snprintf(err, errlen, "headcounts.%s: must be a whole number from 0 to 1000000",
                     org_position_name(p));
            return -1;
        }
        if (p == POS_OP && in->has_headcount[POS_OP] &&
            in->headcount[POS_OP] != json_integer_value(val)) {
            snprintf(err, errlen, "operators: differs from headcounts.OP");
            return -1;
        }
        in->has_headcount[p] = 1;
        in->headcount[p] = json_integer_value(val);
    }
    return 0;
}

int http_decode_center(json_t *o, int create, struct center_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"code",  "name",       "company", "operators",
                                        "staff", "headcounts", NULL};
    memset(in, 0, sizeof *in);
    int rc;
    if (only_fields(o, known, err, errlen))
        return -1;
    if ((rc = get_str(o, "code", create, in->code, sizeof in->code, err, errlen)) < 0)
        return -1;
    in->has_code = rc;
    if (!create && in->has_code) {
        snprintf(err, errlen, "code: cannot be changed");
        return -1;
    }
    if ((rc = get_str(o, "name", create, in->name, sizeof in->name, err, errlen)) < 0)
        return -1;
    in->has_name = rc;
    if ((rc = get_str(o, "company", 0, in->company, sizeof in->company, err, errlen)) < 0)
        return -1;
    in->has_company = rc;
    if (decode_headcounts(o, in, err, errlen))
        return -1;
    if (create && !in->has_headcount[POS_OP]) {
        snprintf(err, errlen, "operators: required");
        return -1;
    }
    if (in->has_code && org_check_code("code", in->code, err, errlen))
        return -1;
    if (in->has_name && org_check_name("name", in->name, err, errlen))
        return -1;
    if (in->has_company && org_check_code("company", in->company, err, errlen))
        return -1;
    return 0;
}

void http_center_apply(const struct center_input *in, struct org_center *c)
{
    if (in->has_code)
        str_copy(c->code, sizeof c->code, in->code);
    if (in->has_name)
        str_copy(c->name, sizeof c->name, in->name);
    for (int p = 0; p < POS__COUNT; p++)
        if (in->has_headcount[p])
            c->headcount[p] = in->headcount[p];
}

int http_decode_team(json_t *o, struct team_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"code", "name", NULL};
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen) ||
        get_str(o, "code", 1, in->code, sizeof in->code, err, errlen) < 0 ||
        get_str(o, "name", 1, in->name, sizeof in->name, err, errlen) < 0)
        return -1;
    if (org_check_code("code", in->code, err, errlen) ||
        org_check_name("name", in->name, err, errlen))
        return -1;
    return 0;
}

static int decode_companies(json_t *o, struct user_input *in, char *err, size_t errlen)
{
    json_t *arr = json_object_get(o, "companies");
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > ORG_MAX_COMPANIES) {
        snprintf(err, errlen, "companies: must be an array of at most %d company codes",
                 ORG_MAX_COMPANIES);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v)) {
            snprintf(err, errlen, "companies[%zu]: must be a company code string", i);
            return -1;
        }
        if (org_check_code("companies", json_string_value(v), err, errlen))
            return -1;
        str_copy(in->companies[i], sizeof in->companies[i], json_string_value(v));
    }
    in->ncompanies = (int)json_array_size(arr);
    in->has_companies = 1;
    return 0;
}

static int decode_user_fields(json_t *o, int create, struct user_input *in, char *err,
                              size_t errlen)
{
    char role[32];
    int rc;
    if ((rc = get_str(o, "login", create, in->login, sizeof in->login, err, errlen)) < 0)
        return -1;
    in->has_login = rc;
    if ((rc = get_str(o, "role", create, role, sizeof role, err, errlen)) < 0)
        return -1;
    if ((in->has_role = rc) && org_role_parse(role, &in->role)) {
        snprintf(err, errlen,
                 "role: \"%.32s\" is not one of admin, consultant, center_manager, supervisor, "
                 "operator",
                 role);
        return -1;
    }
    json_t *c = json_object_get(o, "center");
    if (c && json_is_null(c)) {
        in->has_center = 1; /* explicit null: no center */
    } else if ((rc = get_str(o, "center", 0, in->center, sizeof in->center, err, errlen)) < 0) {
        return -1;
    } else {
        in->has_center = rc;
    }
    if ((rc = get_str(o, "team", 0, in->team, sizeof in->team, err, errlen)) < 0)
        return -1;
    in->has_team = rc;
    if ((rc = get_str(o, "display_name", 0, in->display_name, sizeof in->display_name, err,
                      errlen)) < 0)
        return -1;
    in->has_name = rc;
    if ((rc = get_str(o, "business_name", 0, in->business_name, sizeof in->business_name, err,
                      errlen)) < 0)
        return -1;
    in->has_business_name = rc;
    if ((rc = get_str(o, "password", create, in->password, sizeof in->password, err, errlen)) < 0)
        return -1;
    in->has_password = rc;
    json_t *d = json_object_get(o, "disabled");
    if (d && !json_is_boolean(d)) {
        snprintf(err, errlen, "disabled: must be true or false");
        return -1;
    }
    in->has_disabled = d != NULL;
    in->disabled = d && json_is_true(d);
    return decode_companies(o, in, err, errlen);
}

int http_decode_user(json_t *o, int create, struct user_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {
        "login",         "role",     "center",   "team",      "display_name",
        "business_name", "password", "disabled", "companies", NULL};
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen) || decode_user_fields(o, create, in, err, errlen))
        return -1;
    if (!create && in->has_login) {
        snprintf(err, errlen, "login: cannot be changed");
        return -1;
    }
    if (in->has_login && org_check_login("login", in->login, err, errlen))
        return -1;
    if (in->has_center && in->center[0] && org_check_code("center", in->center, err, errlen))
        return -1;
    if (in->has_team && org_check_code("team", in->team, err, errlen))
        return -1;
    if (in->has_name && in->display_name[0] &&
        org_check_name("display_name", in->display_name, err, errlen))
        return -1;
    if (in->has_business_name && in->business_name[0] &&
        org_check_name("business_name", in->business_name, err, errlen))
        return -1;
    if (in->has_password && org_check_password("password", in->password, err, errlen))
        return -1;
    return 0;
}

int http_decode_apikey(json_t *o, struct apikey_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"name", "scopes", "expires_days", NULL};
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen) ||
        get_str(o, "name", 1, in->name, sizeof in->name, err, errlen) < 0)
        return -1;
    json_t *days = json_object_get(o, "expires_days");
    if (days && (!json_is_integer(days) || json_integer_value(days) < 1 ||
                 json_integer_value(days) > 3650)) {
        snprintf(err, errlen, "expires_days: must be a whole number of days from 1 to 3650");
        return -1;
    }
    in->expires_days = days ? (int)json_integer_value(days) : 0;
    if (org_check_code("name", in->name, err, errlen))
        return -1;
    json_t *arr = json_object_get(o, "scopes");
    size_t i;
    json_t *v;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        snprintf(err, errlen, "scopes: must be a non-empty array of calls, media, survey, read");
        return -1;
    }
    json_array_foreach(arr, i, v)
    {
        enum org_scope sc;
        if (!json_is_string(v) || org_scope_parse(json_string_value(v), &sc)) {
            snprintf(err, errlen, "scopes[%zu]: not one of calls, media, survey, read", i);
            return -1;
        }
        in->scopes |= SCOPE_BIT(sc);
    }
    return 0;
}

int http_decode_cx(json_t *o, struct cx_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"areas", "round", "respondent", NULL};
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen))
        return -1;
    json_t *arr = json_object_get(o, "areas");
    if (!json_is_array(arr) || json_array_size(arr) != 4) {
        snprintf(err, errlen, "areas: must be an array of 4 levels from 0 to 3");
        return -1;
    }
    for (size_t i = 0; i < 4; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 3) {
            snprintf(err, errlen, "areas[%zu]: must be a level from 0 to 3", i);
            return -1;
        }
        in->levels[i] = (int)json_integer_value(v);
    }
    if (get_str(o, "round", 0, in->round, sizeof in->round, err, errlen) < 0 ||
        get_str(o, "respondent", 0, in->respondent, sizeof in->respondent, err, errlen) < 0)
        return -1;
    if (in->round[0] && org_check_code("round", in->round, err, errlen))
        return -1;
    if (in->respondent[0] && org_check_name("respondent", in->respondent, err, errlen))
        return -1;
    return 0;
}

int http_decode_cx_checkpoint(json_t *o, struct cx_checkpoint_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"code", "value", "at", NULL};
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen) ||
        get_str(o, "code", 1, in->code, sizeof in->code, err, errlen) < 0 ||
        get_str(o, "at", 0, in->at, sizeof in->at, err, errlen) < 0)
        return -1;
    json_t *v = json_object_get(o, "value");
    if (!json_is_number(v)) {
        snprintf(err, errlen, "value: must be a number");
        return -1;
    }
    in->value = json_number_value(v);
    return 0;
}

int http_decode_skills_assess(json_t *o, struct skills_assess_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"skill", "level", "kind", "at", NULL};
    char kind[16] = "";
    int64_t level = 0;
    memset(in, 0, sizeof *in);
    if (only_fields(o, known, err, errlen) ||
        get_str(o, "skill", 1, in->skill, sizeof in->skill, err, errlen) < 0 ||
        get_str(o, "kind", 0, kind, sizeof kind, err, errlen) < 0 ||
        get_str(o, "at", 0, in->at, sizeof in->at, err, errlen) < 0)
        return -1;
    int rc = get_int(o, "level", 1, 4, &level, err, errlen);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        snprintf(err, errlen, "level: required (a whole number from 1 to 4)");
        return -1;
    }
    in->level = (int)level;
    if (kind[0]) {
        if (strcmp(kind, "self") != 0 && strcmp(kind, "supervisor") != 0) {
            snprintf(err, errlen, "kind: must be \"self\" or \"supervisor\"");
            return -1;
        }
        in->has_kind = 1;
        in->kind = strcmp(kind, "supervisor") == 0;
    }
    if (!in->skill[0] || !utf8_is_clean(in->skill, strlen(in->skill))) {
        snprintf(err, errlen, "skill: must be a skill code such as \"SM-7\"");
        return -1;
    }
    return 0;
}
