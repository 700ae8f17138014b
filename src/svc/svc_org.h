/* svc_org: companies, centers and teams (see svc.h for the shape of every function). Records
 * are copied into caller-owned structs; lists are malloc'd arrays the caller frees. */
#ifndef IKIIKI_SVC_ORG_H
#define IKIIKI_SVC_ORG_H

#include "store/store_org.h"
#include "svc/svc.h"

int svc_company_add(struct svc *x, struct org_company *c);
/* The companies x->who sees. */
int svc_company_list(struct svc *x, struct org_company **out, size_t *n);
/* The company named code; or, code NULL, the only one x->who sees (IK_EINVAL with x->nseen set
 * when there are none or several; with create_default an empty store gets a company "default",
 * failed then reads "default company"). IK_ENOENT when code names none. */
int svc_company_pick(struct svc *x, const char *code, int create_default, struct org_company *out);

/* Adds c to the company picked as svc_company_pick does (failed "company" for that step), in one
 * transaction with a "default" company it creates. Writes c's id and company. */
int svc_center_add(struct svc *x, const char *company, int create_default, struct org_center *c);
/* The centers x->who may list. */
int svc_center_list(struct svc *x, struct org_center **out, size_t *n);
/* The center named code, when x->who may see it (write 0) or change it (write 1). */
int svc_center_get(struct svc *x, const char *code, int write, struct org_center *out);
/* Stores c's changed fields; move_to (NULL: none) names the company it moves to. */
int svc_center_update(struct svc *x, struct org_center *c, const char *move_to);
int svc_center_delete(struct svc *x, const struct org_center *c);

/* Adds t to the center named center (x->who must be able to change it); writes t's ids. */
int svc_team_add(struct svc *x, const char *center, struct org_team *t);
/* The teams of c (loaded with svc_center_get). */
int svc_team_list(struct svc *x, const struct org_center *c, struct org_team **out, size_t *n);

/* Users. svc_user_place resolves center codes into u (center NULL: keep u's center, "" to
 * remove it; team NULL: keep, else a team of the resulting center: IK_ENOENT "team" when not) and
 * loads u's center into c. */
int svc_user_place(struct svc *x, const char *center, const char *team, struct org_user *u,
                   struct org_center *c);
/* Adds u (placed, its center in c) and links a consultant's client companies (codes; companies
 * NULL when none were given). x->who must be able to give u's role in that center, and to give
 * companies when given (IK_EACCES, failed "role" or "companies"). A missing company: IK_ENOENT,
 * failed "companies", x->code names it. */
int svc_user_add(struct svc *x, struct org_user *u, const struct org_center *c,
                 const char *const *companies, int ncompanies);
/* The users x->who may see; center (NULL: every center x->who reaches) narrows to one center. */
int svc_user_list(struct svc *x, const char *center, struct org_user **out, size_t *n);
/* The user with login, when x->who may see them. */
int svc_user_get(struct svc *x, const char *login, struct org_user *out);
/* IK_EACCES unless x->who may manage u as u is now. */
int svc_user_check_manage(struct svc *x, const struct org_user *u);
/* Stores u's changes (placed, its center in c); has_companies as in svc_user_add. */
/* Sessions a user update ends: a reset password or a disabled account ends every session of
 * the user but keep_hash's (the caller's own when they change themselves; NULL: all). */
struct svc_user_sessions {
    int end;
    int password_reset; /* audited as password.reset */
    const char *keep_hash;
};
int svc_user_update(struct svc *x, struct org_user *u, const struct org_center *c,
                    int has_companies, const struct svc_user_sessions *ends);
int svc_user_delete(struct svc *x, const struct org_user *u);

/* API keys: svc_apikey_add makes the key (key: at least 64 bytes, shown once) and stores its
 * hash; k's name and scopes are the caller's. */
/* Revokes the key with this id (digits) or name (writing it into *k), audited. */
int svc_apikey_revoke(struct svc *x, const char *id_or_name, struct org_apikey *k);
int svc_apikey_add(struct svc *x, struct org_apikey *k, char *key, size_t keylen);
int svc_apikey_list(struct svc *x, struct org_apikey **out, size_t *n);
/* The newest limit entries of the audit log. */
int svc_audit_list(struct svc *x, int limit, struct store_audit **out, size_t *n);

#endif
