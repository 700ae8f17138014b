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
#include "store/store_org.h"
#include "store/store_skills.h"

/* Loads the active model (newest stored version, else the data file) for this request. */
static int load_model(struct req *r, skills_model **m, int64_t *version)
{
    char *text = NULL, err[600];
    int64_t v = 0;
    int rc = store_skills_model_latest(http__db(r), &text, &v);
    if (rc && rc != STORE_NOTFOUND)
        return http__store_error(r, rc, "skill model");
    rc = skills_model_active(text, m, err, sizeof err);
    free(text);
    if (rc) {
        http__reply_error(r, 500, "internal", "the skill model cannot be loaded");
        return 500;
    }
    if (version)
        *version = v;
    return 0;
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
    store *db = http__db(r);
    int rc = store_user_get(db, r->params[0], u);
    int64_t company = 0;
    struct org_center c;
    if (rc == STORE_OK && u->center_id && (rc = store_center_get_id(db, u->center_id, &c)) == 0)
        company = c.company_id;
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "user \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    *readable = org_can_read_user(&r->who, u, company);
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
    char override[SKILLS_CODE_MAX];
    struct skills_assessment *a = NULL;
    size_t n = 0;
    store *db = http__db(r);
    int rc = store_skills_role_get(db, u->id, override);
    if (rc && rc != STORE_NOTFOUND)
        return http__store_error(r, rc, "skill role");
    int role = skills_role_of(m, u->role, rc ? NULL : override);
    if ((rc = store_skills_assessments(db, u->id, 0, &a, &n)))
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
        (self || !skills_may_assess(r->who.role, r->who.center_id, u->role, u->center_id)))
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
    char override[SKILLS_CODE_MAX];
    store *db = http__db(r);
    rc = store_skills_role_get(db, u->id, override);
    if (rc && rc != STORE_NOTFOUND)
        return http__store_error(r, rc, "skill role");
    if (skills_role_of(m, u->role, rc ? NULL : override) < 0) {
        http__reply_error(r, 400, "bad_request", "user \"%s\" has no skill role", u->login);
        return 400;
    }
    str_copy(a.skill, sizeof a.skill, in.skill);
    str_copy(a.assessor, sizeof a.assessor, r->who.login);
    a.level = in.level;
    if ((rc = store_skills_assess_add(db, u->id, &a)))
        return http__store_error(r, rc, "assessment");
    http__audit(r, "skills.assess", u->login, a.skill);
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
        !skills_may_assess(r->who.role, r->who.center_id, u.role, u.center_id))
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
    store *db = http__db(r);
    int rc = store_center_get(db, r->params[0], &c);
    if (rc) {
        char what[120];
        snprintf(what, sizeof what, "center \"%s\"", r->params[0]);
        return http__store_error(r, rc, what);
    }
    if (!org_can_read_center(&r->who, &c))
        return forbidden(r, "see this center's skills");
    skills_model *m;
    if ((rc = load_model(r, &m, NULL)))
        return rc;
    struct skills_team t;
    if ((rc = skills_team_load(db, c.id, now_unix(), &t))) {
        skills_model_free(m);
        return http__store_error(r, rc, "skills");
    }
    json_t *j = skills_team_json(m, c.code, t.members, t.nmembers, t.assessments, t.nassessments);
    skills_team_release(&t);
    skills_model_free(m);
    http__reply_json(r, 200, j);
    return 200;
}
