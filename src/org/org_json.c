#include "org_json.h"

json_t *org_company_json(const struct org_company *c)
{
    return json_pack("{s:s, s:s}", "code", c->code, "name", c->name);
}

json_t *org_center_json(const struct org_center *c)
{
    json_t *hc = json_object();
    for (int p = 0; p < POS__COUNT; p++)
        json_object_set_new(hc, org_position_name(p), json_integer(c->headcount[p]));
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}", "code", c->code, "name", c->name, "company",
                     c->company, "operators", (json_int_t)org_center_operators(c), "staff",
                     (json_int_t)org_center_staff(c), "headcounts", hc);
}

json_t *org_team_json(const struct org_team *t)
{
    return json_pack("{s:s, s:s, s:s}", "center", t->center, "code", t->code, "name", t->name);
}

json_t *org_user_json(const struct org_user *u)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "login", u->login, "role", org_role_name(u->role),
                          "display_name", u->display_name, "disabled", u->disabled);
    json_object_set_new(o, "center", u->center_id ? json_string(u->center) : json_null());
    json_object_set_new(o, "team", u->team_id ? json_string(u->team) : json_null());
    json_object_set_new(o, "business_name",
                        u->business_name[0] ? json_string(u->business_name) : json_null());
    return o;
}

json_t *org_apikey_json(const struct org_apikey *k)
{
    json_t *scopes = json_array();
    for (int s = 0; s < SCOPE__COUNT; s++)
        if (k->scopes & SCOPE_BIT(s))
            json_array_append_new(scopes, json_string(org_scope_name(s)));
    json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:I, s:b}", "id", (json_int_t)k->id, "name",
                          k->name, "prefix", k->prefix, "scopes", scopes, "created_at",
                          (json_int_t)k->created_at, "revoked", k->revoked);
    json_object_set_new(j, "expires_at",
                        k->expires_at ? json_integer((json_int_t)k->expires_at) : json_null());
    return j;
}
