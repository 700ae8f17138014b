/* Persistence of the skill model versions, assessments and skill-role overrides. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store_int.h"
#include "store/store_skills.h"

int store_skills_model_add(store *s, const char *model_json, const char *imported_by,
                           int64_t imported_at, int64_t *version)
{
    struct store_arg args[] = {ARG_TEXT(model_json), ARG_TEXT(imported_by ? imported_by : ""),
                               ARG_INT(imported_at)};
    int64_t id;
    int rc = store__insert_id(s,
                              "INSERT INTO skills_models (model, imported_by, imported_at)"
                              " VALUES (?, ?, ?) RETURNING id",
                              args, 3, &id);
    if (rc == STORE_OK && version)
        *version = id;
    return rc;
}

struct latest_model {
    char *text;
    int64_t version;
    int found, oom;
};

static int row_model(void *ud, int ncol, const char *const *v)
{
    (void)ncol;
    struct latest_model *c = ud;
    c->found = 1;
    c->version = store__atoi(v[0]);
    c->text = strdup(v[1] ? v[1] : "");
    c->oom = c->text == NULL;
    return 1;
}

int store_skills_model_latest(store *s, char **model_json, int64_t *version)
{
    struct latest_model c = {0};
    int rc = store__query(s, "SELECT id, model FROM skills_models ORDER BY id DESC LIMIT 1", NULL,
                          0, row_model, &c);
    if (rc == STORE_OK && c.oom)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    if (rc == STORE_OK && !c.found)
        rc = STORE_NOTFOUND;
    if (rc) {
        free(c.text);
        return rc;
    }
    *model_json = c.text;
    if (version)
        *version = c.version;
    return STORE_OK;
}

int store_skills_assess_add(store *s, int64_t user_id, struct skills_assessment *a)
{
    struct store_arg args[] = {ARG_INT(user_id),      ARG_TEXT(a->skill),
                               ARG_INT(a->level),     ARG_TEXT(skills_kind_name(a->kind)),
                               ARG_TEXT(a->assessor), ARG_INT(a->assessed_at),
                               ARG_INT(now_unix())};
    int64_t id;
    int rc = store__insert_id(s,
                              "INSERT INTO skills_assessments (user_id, skill, level, kind,"
                              " assessor, assessed_at, created_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              args, 7, &id);
    if (rc == STORE_OK)
        a->id = id;
    return rc;
}

static void decode_assessment(void *rec, const char *const *v)
{
    struct skills_assessment *a = rec;
    a->id = store__atoi(v[0]);
    store__copy(a->login, sizeof a->login, v[1]);
    store__copy(a->skill, sizeof a->skill, v[2]);
    a->level = (int)store__atoi(v[3]);
    if (skills_kind_parse(v[4], &a->kind))
        a->kind = SKILLS_SELF;
    store__copy(a->assessor, sizeof a->assessor, v[5]);
    a->assessed_at = store__atoi(v[6]);
}

int store_skills_assessments(store *s, int64_t user_id, int64_t center_id,
                             struct skills_assessment **out, size_t *n)
{
    struct store_arg args[] = {ARG_INT(user_id ? user_id : center_id)};
    const char *sql = user_id ? "SELECT a.id, u.login, a.skill, a.level, a.kind, a.assessor,"
                                " a.assessed_at FROM skills_assessments a"
                                " JOIN users u ON u.id = a.user_id WHERE a.user_id = ?"
                                " ORDER BY a.assessed_at, a.id"
                              : "SELECT a.id, u.login, a.skill, a.level, a.kind, a.assessor,"
                                " a.assessed_at FROM skills_assessments a"
                                " JOIN users u ON u.id = a.user_id WHERE u.center_id = ?"
                                " ORDER BY u.login, a.assessed_at, a.id";
    return store__list(s, sql, args, 1, sizeof **out, decode_assessment, (void **)out, n);
}

int store_skills_role_set(store *s, int64_t user_id, const char *role)
{
    if (!role) {
        struct store_arg args[] = {ARG_INT(user_id)};
        return store__exec_args(s, "DELETE FROM skills_user_roles WHERE user_id = ?", args, 1,
                                NULL);
    }
    struct store_arg args[] = {ARG_INT(user_id), ARG_TEXT(role)};
    /* ON CONFLICT … DO UPDATE is understood by SQLite (3.24+) and PostgreSQL alike. */
    return store__exec_args(s,
                            "INSERT INTO skills_user_roles (user_id, role) VALUES (?, ?)"
                            " ON CONFLICT (user_id) DO UPDATE SET role = excluded.role",
                            args, 2, NULL);
}

static void decode_role(void *rec, const char *const *v)
{
    store__copy(rec, SKILLS_CODE_MAX, v[0]);
}

int store_skills_role_get(store *s, int64_t user_id, char *role)
{
    struct store_arg args[] = {ARG_INT(user_id)};
    char tmp[SKILLS_CODE_MAX];
    int rc = store__get_one(s, "SELECT role FROM skills_user_roles WHERE user_id = ?", args, 1,
                            sizeof tmp, decode_role, tmp);
    if (rc == STORE_OK)
        memcpy(role, tmp, sizeof tmp);
    return rc;
}

static void decode_member(void *rec, const char *const *v)
{
    struct skills_member *p = rec;
    store__copy(p->login, sizeof p->login, v[0]);
    store__copy(p->display_name, sizeof p->display_name, v[1]);
    if (org_role_parse(v[2] ? v[2] : "", &p->org_role))
        p->org_role = ROLE_NONE;
    store__copy(p->override, sizeof p->override, v[3]);
}

int store_skills_members(store *s, int64_t center_id, struct skills_member **out, size_t *n)
{
    struct store_arg args[] = {ARG_INT(center_id)};
    return store__list(s,
                       "SELECT u.login, u.display_name, u.role, r.role FROM users u"
                       " LEFT JOIN skills_user_roles r ON r.user_id = u.id"
                       " WHERE u.center_id = ? AND u.disabled = 0 ORDER BY u.login",
                       args, 1, sizeof **out, decode_member, (void **)out, n);
}
