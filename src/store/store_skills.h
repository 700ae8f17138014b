/* store_skills: コンピテンシー: skill models, assessments, role overrides. The SQL is in
 * store_skills.c. */
#ifndef IKIIKI_STORE_SKILLS_H
#define IKIIKI_STORE_SKILLS_H

#include <stddef.h>
#include <stdint.h>

#include "skills/skills.h"
#include "store/store.h"

/* コンピテンシー. Model versions are numbered by the store; the newest is the active model. */
int store_skills_model_add(store *s, const char *model_json, const char *imported_by,
                           int64_t imported_at, int64_t *version);
/* The newest stored model: *model_json is malloc'd (caller frees). STORE_NOTFOUND when none. */
int store_skills_model_latest(store *s, char **model_json, int64_t *version);
/* Adds an assessment of user_id (a->login is not read); writes a->id. */
int store_skills_assess_add(store *s, int64_t user_id, struct skills_assessment *a);
/* Assessments of one user (user_id non-zero) or of every user of a center (center_id), with
 * the assessed person's login filled in; a malloc'd array the caller frees. */
int store_skills_assessments(store *s, int64_t user_id, int64_t center_id,
                             struct skills_assessment **out, size_t *n);

/* A user's skill-role override; role NULL removes it. */
int store_skills_role_set(store *s, int64_t user_id, const char *role);
/* A user's override into role (SKILLS_CODE_MAX bytes); STORE_NOTFOUND when none. */
int store_skills_role_get(store *s, int64_t user_id, char *role);
/* The enabled users of a center by login, with their overrides; a malloc'd array. */
int store_skills_members(store *s, int64_t center_id, struct skills_member **out, size_t *n);

#endif
