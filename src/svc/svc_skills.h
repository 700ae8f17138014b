/* svc_skills: コンピテンシー models, assessments, skill roles and a center's heat map (see
 * svc.h). */
#ifndef IKIIKI_SVC_SKILLS_H
#define IKIIKI_SVC_SKILLS_H

#include "skills/skills.h"
#include "store/store_skills.h"
#include "svc/svc.h"

/* The active model: the newest stored version, else the data file (*version 0). A model that
 * cannot be read: IK_EINVAL, failed "model", its reason in x->err. Free *m with skills_model_free.
 */
int svc_skills_model(struct svc *x, skills_model **m, int64_t *version);
/* Stores a model (JSON text) as the new active version; path goes into the audit entry. */
int svc_skills_model_import(struct svc *x, const char *model_json, const char *path,
                            int64_t *version);
/* The user with login, and whether x->who may see them (*readable). */
int svc_skills_user(struct svc *x, const char *login, struct org_user *u, int *readable);
/* u's skill role under m (the override, else the default for u's organisation role; -1 when
 * none): failed "skill role". */
int svc_skills_role_of(struct svc *x, const skills_model *m, const struct org_user *u, int *role);
/* u's assessments, a malloc'd array the caller frees (failed "assessments"). */
int svc_skills_assessments(struct svc *x, const struct org_user *u, struct skills_assessment **a,
                           size_t *n);
/* Stores an assessment of u (kind, assessor, skill, level and date set by the caller). */
int svc_skills_assess(struct svc *x, const struct org_user *u, struct skills_assessment *a);
/* Sets (role) or clears (NULL) u's skill-role override; *now gets the role that applies. */
int svc_skills_role_set(struct svc *x, const skills_model *m, const struct org_user *u,
                        const char *role, int *now);
/* The heat map data of the center named code (x->who must read it: IK_EACCES, failed "center");
 * release t with skills_team_release. */
int svc_skills_team(struct svc *x, const char *code, struct org_center *c, struct skills_team *t);

#endif
