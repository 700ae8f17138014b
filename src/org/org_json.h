/* JSON views of organisation records, shared by the CLI and the HTTP API.
 * Each returns a new reference the caller owns; secrets (password hashes) are never included. */
#ifndef IKIIKI_ORG_JSON_H
#define IKIIKI_ORG_JSON_H

#include <jansson.h>

#include "org/org.h"

json_t *org_company_json(const struct org_company *c);
json_t *org_center_json(const struct org_center *c);
json_t *org_team_json(const struct org_team *t);
json_t *org_user_json(const struct org_user *u);
json_t *org_apikey_json(const struct org_apikey *k);

#endif
