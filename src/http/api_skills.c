/* コンピテンシー over HTTP: the active model, a person's gap list and assessments, and a center's
 * heat map. A person's skills are seen by themselves and by staff who can read that user; a
 * center's heat map by its center manager and supervisors, consultants of its company and
 * admins. The rules themselves are in src/skills/skills.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "decode.h"
#include "http_int.h"
#include "skills/skills.h"
#include "svc/svc_skills.h"

static struct svc *ctx(struct req *r, struct svc *x)
{
    svc_init(x, http__db(r), &r->who, r->addr);
    return x;
}

/* Loads the active model (newest stored version, else the data file) for this request. */
static int load_model(struct req *r, skills_model **m, int64_t *version)
{
    struct svc x;
    int rc = svc_skills_model(ctx(r, &x), m, version);
    if (rc == IK_EINVAL) {
        http__reply_error(r, 500, "internal", "the skill model cannot be loaded");
        return 500;
    }
    return rc ? http__store_error(r, rc, "skill model") : 0;
}

int api_skills_model(struct req *r)
{
    skills_model *m;
    int64_t version;
    int rc = load_model(r, &m, &version);
    if (rc)
        return rc;
    json_t *j =
        json_pack("{s:s, s:o, s:o}", "source", version ? "database" : "data file", "version",
                  version ? json_integer(version) : json_null(), "model", skills_model_json(m));
    skills_model_free(m);
    http__reply_json(r, 200, j);
    return 200;
}

/* Loads the user of the path; *readable says whether the caller may see them. */
static int load_user(struct req *r, struct org_user *u, int *readable)
{
    struct svc x;
    int rc = svc_skills_user(ctx(r, &x), r->params[0], u, readable);
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "user \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    return 0;
}

static int forbidden(struct req *r, const char *what)
{
    http__reply_error(r, 403, "forbidden", "your role may not %s", what);
    return 403;
}

/* The person view of u under model m. */
static int reply_person(struct req *r, const skills_model *m, const struct org_user *u, int status)
{
    struct skills_assessment *a = NULL;
    size_t n = 0;
    struct svc x;
    int role, rc = svc_skills_role_of(ctx(r, &x), m, u, &role);
    if (rc)
        return http__store_error(r, rc, "skill role");
    if ((rc = svc_skills_assessments(&x, u, &a, &n)))
        return http__store_error(r, rc, "assessments");
    json_t *j = skills_person_json(m, u->login, role, a, n);
    free(a);
    http__reply_json(r, status, j);
    return status;
}

int api_user_skills_get(struct req *r)
{
    struct org_user u;
    int readable = 0, rc = load_user(r, &u, &readable);
    if (rc)
        return rc;
    if (!readable)
        return forbidden(r, "see this user's skills");
    skills_model *m;
    if ((rc = load_model(r, &m, NULL)))
        return rc;
    rc = reply_person(r, m, &u, 200);
    skills_model_free(m);
    return rc;
}

/* The kind of assessment the caller may give u, after the body's choice; 0 or an HTTP status
 * already replied. */
static int check_kind(struct req *r, const struct org_user *u, const struct skills_assess_input *in,
                      enum skills_kind *kind)
{
    int self = r->who.user_id == u->id;
    *kind = in->has_kind ? (enum skills_kind)in->kind : self ? SKILLS_SELF : SKILLS_SUPERVISOR;
    if (*kind == SKILLS_SELF && !self)
        return forbidden(r, "give another person's self-assessment");
    if (*kind == SKILLS_SUPERVISOR &&
        (self || !org_can_assess(r->who.role, r->who.center_id, u->role, u->center_id)))
        return forbidden(r, "give the supervisor's assessment of this user (their supervisor or "
                            "center manager in the same center, or an admin, may)");
    return 0;
}

static int parse_at(struct req *r, const char *day, int64_t *at)
{
    int64_t t = now_unix();
    *at = t - t % 86400; /* assessments are dated, not timed */
    if (!day[0])
        return 0;
    struct tm tm = {0};
    const char *rest = strptime(day, "%Y-%m-%d", &tm);
    if (!rest || *rest) {
        http__reply_error(r, 400, "bad_request", "at: \"%s\" is not a date YYYY-MM-DD", day);
        return 400;
    }
    *at = (int64_t)timegm(&tm);
    return 0;
}

static int assess(struct req *r, const skills_model *m, const struct org_user *u)
{
    struct skills_assess_input in;
    struct skills_assessment a = {0};
    char err[700], list[600];
    int rc;
    if (http_decode_skills_assess(r->json, &in, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    if ((rc = check_kind(r, u, &in, &a.kind)) || (rc = parse_at(r, in.at, &a.assessed_at)))
        return rc;
    if (skills_skill_find(m, in.skill) < 0) {
        skills_skill_list(m, list, sizeof list);
        http__reply_error(r, 400, "bad_request", "skill: \"%.40s\" is not one of %s", in.skill,
                          list);
        return 400;
    }
    struct svc x;
    int role;
    if ((rc = svc_skills_role_of(ctx(r, &x), m, u, &role)))
        return http__store_error(r, rc, "skill role");
    if (role < 0) {
        http__reply_error(r, 400, "bad_request", "user \"%s\" has no skill role", u->login);
        return 400;
    }
    str_copy(a.skill, sizeof a.skill, in.skill);
    str_copy(a.assessor, sizeof a.assessor, r->who.login);
    a.level = in.level;
    if ((rc = svc_skills_assess(&x, u, &a)))
        return http__store_error(r, rc, "assessment");
    return reply_person(r, m, u, 201);
}

int api_user_skills_post(struct req *r)
{
    struct org_user u;
    int readable = 0, rc = load_user(r, &u, &readable);
    if (rc)
        return rc;
    /* Only the person and those who may assess them get as far as the body. */
    if (r->who.user_id != u.id &&
        !org_can_assess(r->who.role, r->who.center_id, u.role, u.center_id))
        return forbidden(r, "assess this user");
    skills_model *m;
    if ((rc = load_model(r, &m, NULL)))
        return rc;
    rc = assess(r, m, &u);
    skills_model_free(m);
    return rc;
}

int api_center_skills(struct req *r)
{
    struct org_center c;
    struct skills_team t;
    struct svc x;
    int rc = svc_skills_team(ctx(r, &x), r->params[0], &c, &t);
    if (rc == IK_EACCES)
        return forbidden(r, "see this center's skills");
    if (rc && x.failed && strcmp(x.failed, "center") == 0) {
        char what[120];
        snprintf(what, sizeof what, "center \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    if (rc)
        return http__store_error(r, rc, "skills");
    skills_model *m;
    if ((rc = load_model(r, &m, NULL))) {
        skills_team_release(&t);
        return rc;
    }
    json_t *j = skills_team_json(m, c.code, t.members, t.nmembers, t.assessments, t.nassessments);
    skills_team_release(&t);
    skills_model_free(m);
    http__reply_json(r, 200, j);
    return 200;
}
