/* store_org: organisation: companies, centers, teams, users, consultants, API keys, sessions and
 * the audit log. The SQL is in store_org.c. */
#ifndef IKIIKI_STORE_ORG_H
#define IKIIKI_STORE_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "org/org.h"
#include "store/store.h"

/* Organisation. Records are copied into caller-owned structs; lists are malloc'd arrays that
 * the caller frees with free(). Adds write the new id into the record on success. */
int store_company_add(store *s, struct org_company *c);
int store_company_get(store *s, const char *code, struct org_company *out);
int store_company_list(store *s, struct org_company **out, size_t *n);

int store_center_add(store *s, struct org_center *c);
int store_center_get(store *s, const char *code, struct org_center *out);
int store_center_get_id(store *s, int64_t id, struct org_center *out);
/* company_ids may be NULL for all centers. */
int store_center_list(store *s, const int64_t *company_ids, int ncompanies, struct org_center **out,
                      size_t *n);
int store_center_update(store *s, const struct org_center *c);
int store_center_delete(store *s, int64_t id);

int store_team_add(store *s, struct org_team *t);
int store_team_get(store *s, int64_t center_id, const char *code, struct org_team *out);
int store_team_list(store *s, int64_t center_id, struct org_team **out, size_t *n);

int store_user_add(store *s, struct org_user *u);
int store_user_get(store *s, const char *login, struct org_user *out);
int store_user_get_id(store *s, int64_t id, struct org_user *out);
/* center_id 0 lists every user; company_ids (may be NULL) narrows to those companies' centers. */
int store_user_list(store *s, int64_t center_id, const int64_t *company_ids, int ncompanies,
                    struct org_user **out, size_t *n);
int store_user_update(store *s, const struct org_user *u);
int store_user_delete(store *s, int64_t id);
int store_consultant_link(store *s, int64_t user_id, int64_t company_id);
/* Fills p->companies with a consultant's client companies. */
int store_consultant_companies(store *s, int64_t user_id, struct org_principal *p);

int store_apikey_add(store *s, struct org_apikey *k, const char *hash_hex);
/* A key that is neither revoked nor expired at now; STORE_NOTFOUND otherwise. */
int store_apikey_find(store *s, const char *hash_hex, int64_t now, struct org_apikey *out);
/* Revokes the key with this id (digits) or name and writes it into *out; STORE_NOTFOUND when
 * there is none. Revoking twice is not an error. */
int store_apikey_revoke(store *s, const char *id_or_name, struct org_apikey *out);
int store_apikey_list(store *s, struct org_apikey **out, size_t *n);

int store_session_add(store *s, const char *hash_hex, int64_t user_id, const char *csrf,
                      int64_t expires_at);
/* Finds a live session; expired ones count as not found. */
int store_session_get(store *s, const char *hash_hex, int64_t now, int64_t *user_id, char *csrf,
                      size_t csrflen);
int store_session_delete(store *s, const char *hash_hex);
int store_session_purge(store *s, int64_t now);
/* Ends every session of the user but the one whose hash is keep_hash (NULL or "": all). */
int store_session_end_user(store *s, int64_t user_id, const char *keep_hash);

struct store_audit {
    int64_t id;
    int64_t at;
    char actor[ORG_LOGIN_MAX];
    char action[48];
    char target[160];
    char detail[512];
    char address[64];
};
int store_audit_add(store *s, const char *actor, const char *action, const char *target,
                    const char *detail, const char *address);
/* The newest `limit` entries, newest first. */
int store_audit_list(store *s, int limit, struct store_audit **out, size_t *n);

#endif
