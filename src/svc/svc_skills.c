#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "store/store_org.h"
#include "svc_int.h"
#include "svc_skills.h"

int svc_skills_model(struct svc *x, skills_model **m, int64_t *version)
{
    char *text = NULL;
    int64_t v = 0;
    int rc = store_skills_model_latest(x->db, &text, &v);
    if (rc && rc != IK_ENOENT)
        return svc__fail(x, rc, "skill model");
    rc = skills_model_active(text, m, x->err, sizeof x->err);
    free(text);
    if (rc)
        return svc__fail(x, IK_EINVAL, "model");
    if (version)
        *version = v;
    return 0;
}

int svc_skills_model_import(struct svc *x, const char *model_json, const char *path,
                            int64_t *version)
{
    if (!org_can_import_skill_model(x->who))
        return svc__fail(x, IK_EACCES, "skill model");
    int64_t v = 0;
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "skill model");
    if ((rc = store_skills_model_add(x->db, model_json, x->who->login, now_unix(), &v))) {
        svc__fail(x, rc, "skill model");
    } else {
        char vtext[24];
        snprintf(vtext, sizeof vtext, "%lld", (long long)v);
        rc = svc__audit(x, SVC_AUDIT_SKILLS_MODEL, vtext, path);
    }
    if ((rc = svc__end(x, rc)) == 0)
        *version = v;
    return rc;
}

int svc_skills_user(struct svc *x, const char *login, struct org_user *u, int *readable)
{
    int rc = store_user_get(x->db, login, u);
    int64_t company = 0;
    struct org_center c;
    if (rc == 0 && u->center_id && (rc = store_center_get_id(x->db, u->center_id, &c)) == 0)
        company = c.company_id;
    if (rc)
        return svc__fail(x, rc, "user");
    *readable = org_can_read_user(x->who, u, company);
    return 0;
}

int svc_skills_role_of(struct svc *x, const skills_model *m, const struct org_user *u, int *role)
{
    char override[SKILLS_CODE_MAX];
    int rc = store_skills_role_get(x->db, u->id, override);
    if (rc && rc != IK_ENOENT)
        return svc__fail(x, rc, "skill role");
    *role = skills_role_of(m, u->role, rc ? NULL : override);
    return 0;
}

int svc_skills_assessments(struct svc *x, const struct org_user *u, struct skills_assessment **a,
                           size_t *n)
{
    int rc = store_skills_assessments(x->db, u->id, 0, a, n);
    return rc ? svc__fail(x, rc, "assessments") : 0;
}

int svc_skills_assess(struct svc *x, const struct org_user *u, struct skills_assessment *a)
{
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "assessment");
    if ((rc = store_skills_assess_add(x->db, u->id, a)))
        svc__fail(x, rc, "assessment");
    else
        rc = svc__audit(x, SVC_AUDIT_SKILLS_ASSESS, u->login, a->skill);
    return svc__end(x, rc);
}

int svc_skills_role_set(struct svc *x, const skills_model *m, const struct org_user *u,
                        const char *role, int *now)
{
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "skill role");
    if ((rc = store_skills_role_set(x->db, u->id, role)))
        svc__fail(x, rc, "skill role");
    else if (!(rc = svc__audit(x, SVC_AUDIT_SKILLS_ROLE, u->login, role ? role : "")))
        rc = svc_skills_role_of(x, m, u, now);
    return svc__end(x, rc);
}

int svc_skills_team(struct svc *x, const char *code, struct org_center *c, struct skills_team *t)
{
    int rc = store_center_get(x->db, code, c);
    if (rc)
        return svc__fail(x, rc, "center");
    if (!org_can_read_center(x->who, c))
        return svc__fail(x, IK_EACCES, "center");
    rc = skills_team_load(x->db, c->id, now_unix(), t);
    return rc ? svc__fail(x, rc, "team") : 0;
}
