#include "skills.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonfile.h"
#include "core/util.h"

struct skills_model {
    json_t *root;
    int nroles, nskills;
    const char *role_code[SKILLS_MAX_ROLES];
    json_t *skill[SKILLS_MAX_SKILLS];
    const char *skill_code[SKILLS_MAX_SKILLS];
    unsigned char required[SKILLS_MAX_SKILLS][SKILLS_MAX_ROLES];
};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return -1;                                                                                 \
    } while (0)

/* Codes are short and plain so they fit in URLs, CLI options and "SM-5=2" lists. */
static int code_ok(json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= SKILLS_CODE_MAX || n != json_string_length(v))
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static int text_ok(json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 0 &&
           utf8_is_clean(json_string_value(v), json_string_length(v));
}

static int load_roles(skills_model *m, const char *src, char *err, size_t errlen)
{
    json_t *roles = json_object_get(m->root, "roles");
    if (!json_is_array(roles) || json_array_size(roles) == 0 ||
        json_array_size(roles) > SKILLS_MAX_ROLES)
        FAIL("%s: roles: expected a list of 1 to %d roles", src, SKILLS_MAX_ROLES);
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r)
    {
        if (!code_ok(json_object_get(r, "code")))
            FAIL("%s: roles[%zu].code: expected a code of 1–32 letters, digits, \"_\", \".\" or "
                 "\"-\"",
                 src, i);
        if (!text_ok(json_object_get(r, "name")))
            FAIL("%s: roles[%zu].name: expected a name", src, i);
        const char *code = json_string_value(json_object_get(r, "code"));
        if (skills_role_find(m, code) >= 0)
            FAIL("%s: roles[%zu].code: \"%s\" is listed twice", src, i, code);
        m->role_code[m->nroles++] = code;
    }
    return 0;
}

static int load_required(skills_model *m, int k, json_t *sk, const char *src, char *err,
                         size_t errlen)
{
    json_t *req = json_object_get(sk, "required");
    const char *code = m->skill_code[k];
    if (!json_is_object(req))
        FAIL("%s: skills[%d] (%s).required: expected the level each role requires", src, k, code);
    for (int r = 0; r < m->nroles; r++) {
        json_t *v = json_object_get(req, m->role_code[r]);
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > SKILLS_LEVELS)
            FAIL("%s: skills[%d] (%s).required.%s: expected a level from 1 to 4", src, k, code,
                 m->role_code[r]);
        m->required[k][r] = (unsigned char)json_integer_value(v);
    }
    const char *key;
    json_t *v;
    json_object_foreach(req, key, v)
    {
        if (skills_role_find(m, key) < 0) {
            char roles[400];
            skills_role_list(m, roles, sizeof roles);
            FAIL("%s: skills[%d] (%s).required.%.40s: not one of the roles (%s)", src, k, code, key,
                 roles);
        }
    }
    return 0;
}

static int load_skill(skills_model *m, int k, json_t *sk, const char *src, char *err, size_t errlen)
{
    if (!code_ok(json_object_get(sk, "code")))
        FAIL("%s: skills[%d].code: expected a code of 1–32 letters, digits, \"_\", \".\" or \"-\"",
             src, k);
    const char *code = json_string_value(json_object_get(sk, "code"));
    if (skills_skill_find(m, code) >= 0)
        FAIL("%s: skills[%d].code: \"%s\" is listed twice", src, k, code);
    if (!text_ok(json_object_get(sk, "name")))
        FAIL("%s: skills[%d] (%s).name: expected a name", src, k, code);
    json_t *lv = json_object_get(sk, "levels");
    if (!json_is_array(lv) || json_array_size(lv) != SKILLS_LEVELS)
        FAIL("%s: skills[%d] (%s).levels: expected 4 level descriptors (levels 1–4)", src, k, code);
    for (size_t l = 0; l < SKILLS_LEVELS; l++)
        if (!text_ok(json_array_get(lv, l)))
            FAIL("%s: skills[%d] (%s).levels[%zu]: expected the text of level %zu", src, k, code, l,
                 l + 1);
    m->skill[k] = sk;
    m->skill_code[k] = code;
    if (load_required(m, k, sk, src, err, errlen))
        return -1;
    m->nskills = k + 1;
    return 0;
}

int skills_model_from_json(json_t *root, const char *source, skills_model **out, char *err,
                           size_t errlen)
{
    const char *src = source ? source : "model";
    if (!json_is_object(root))
        FAIL("%s: expected a JSON object with \"roles\" and \"skills\"", src);
    skills_model *m = calloc(1, sizeof *m);
    if (!m)
        FAIL("out of memory");
    m->root = json_incref(root);
    json_t *skills = json_object_get(root, "skills");
    int rc = load_roles(m, src, err, errlen);
    if (rc == 0 && (!json_is_array(skills) || json_array_size(skills) == 0 ||
                    json_array_size(skills) > SKILLS_MAX_SKILLS)) {
        snprintf(err, errlen, "%s: skills: expected a list of 1 to %d skills", src,
                 SKILLS_MAX_SKILLS);
        rc = -1;
    }
    for (size_t k = 0; rc == 0 && k < json_array_size(skills); k++)
        rc = load_skill(m, (int)k, json_array_get(skills, k), src, err, errlen);
    if (rc) {
        skills_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int skills_model_load(const char *path, skills_model **out, char *err, size_t errlen)
{
    json_t *root;
    if (json_file_load(path, &root, err, errlen))
        return -1;
    int rc = skills_model_from_json(root, path, out, err, errlen);
    json_decref(root);
    return rc;
}

int skills_model_active(const char *stored_text, skills_model **out, char *err, size_t errlen)
{
    if (!stored_text) {
        char path[512];
        if (data_path("skills/model.json", path, sizeof path))
            FAIL("data folder path too long");
        return skills_model_load(path, out, err, errlen);
    }
    json_error_t je;
    json_t *root = json_loads(stored_text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        FAIL("stored model: line %d, column %d: %s", je.line, je.column, je.text);
    int rc = skills_model_from_json(root, "stored model", out, err, errlen);
    json_decref(root);
    return rc;
}

void skills_model_free(skills_model *m)
{
    if (!m)
        return;
    json_decref(m->root);
    free(m);
}

int skills_nroles(const skills_model *m)
{
    return m->nroles;
}

int skills_nskills(const skills_model *m)
{
    return m->nskills;
}

const char *skills_role_code(const skills_model *m, int role)
{
    return role >= 0 && role < m->nroles ? m->role_code[role] : NULL;
}

const char *skills_skill_code(const skills_model *m, int skill)
{
    return skill >= 0 && skill < m->nskills ? m->skill_code[skill] : NULL;
}

int skills_role_find(const skills_model *m, const char *code)
{
    for (int r = 0; code && r < m->nroles; r++)
        if (strcmp(m->role_code[r], code) == 0)
            return r;
    return -1;
}

int skills_skill_find(const skills_model *m, const char *code)
{
    for (int k = 0; code && k < m->nskills; k++)
        if (strcmp(m->skill_code[k], code) == 0)
            return k;
    return -1;
}

int skills_required(const skills_model *m, int role, int skill)
{
    return m->required[skill][role];
}

static void join(const char *const *codes, int n, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used < outlen; i++) {
        int w = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", codes[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

void skills_role_list(const skills_model *m, char *out, size_t outlen)
{
    join(m->role_code, m->nroles, out, outlen);
}

void skills_skill_list(const skills_model *m, char *out, size_t outlen)
{
    join(m->skill_code, m->nskills, out, outlen);
}

json_t *skills_model_json(const skills_model *m)
{
    return json_deep_copy(m->root);
}

int skills_default_role(const skills_model *m, enum org_role r)
{
    switch (r) {
    case ROLE_OPERATOR:
        return skills_role_find(m, "OP");
    case ROLE_SUPERVISOR:
        return skills_role_find(m, "SV");
    case ROLE_CENTER_MANAGER:
        return skills_role_find(m, "OMP");
    default:
        return -1;
    }
}

int skills_role_of(const skills_model *m, enum org_role r, const char *override)
{
    int role = override ? skills_role_find(m, override) : -1;
    return role >= 0 ? role : skills_default_role(m, r);
}

/* One "CODE=L" item of a --levels list, n bytes at p. */
static int parse_item(const skills_model *m, const char *p, size_t n, int v[SKILLS_MAX_SKILLS],
                      char *err, size_t errlen)
{
    const char *eq = memchr(p, '=', n);
    if (!eq)
        FAIL("--levels: \"%.*s\" is not SKILL=LEVEL (e.g. SM-5=2)", (int)(n > 40 ? 40 : n), p);
    char code[SKILLS_CODE_MAX + 8];
    size_t cn = (size_t)(eq - p);
    snprintf(code, sizeof code, "%.*s", (int)(cn < sizeof code - 1 ? cn : sizeof code - 1), p);
    int k = cn < SKILLS_CODE_MAX ? skills_skill_find(m, code) : -1;
    if (k < 0) {
        char list[600];
        skills_skill_list(m, list, sizeof list);
        FAIL("--levels: unknown skill \"%.*s\" (expected one of %s)", (int)(cn > 40 ? 40 : cn), p,
             list);
    }
    size_t ln = n - cn - 1;
    if (ln != 1 || eq[1] < '1' || eq[1] > '4')
        FAIL("--levels: %s: level \"%.*s\" is not 1–4", code, (int)(ln > 8 ? 8 : ln), eq + 1);
    if (v[k])
        FAIL("--levels: %s is given twice", code);
    v[k] = eq[1] - '0';
    return 0;
}

int skills_parse_levels(const skills_model *m, const char *text, int levels[SKILLS_MAX_SKILLS],
                        char *err, size_t errlen)
{
    int v[SKILLS_MAX_SKILLS] = {0};
    const char *p = text ? text : "";
    if (!*p)
        FAIL("--levels: expected SKILL=LEVEL pairs separated by commas (e.g. SM-5=2,SM-6=1)");
    for (;;) {
        size_t n = strcspn(p, ",");
        if (parse_item(m, p, n, v, err, errlen))
            return -1;
        if (!p[n])
            break;
        p += n + 1;
    }
    memcpy(levels, v, sizeof v);
    return 0;
}

const char *skills_kind_name(enum skills_kind k)
{
    return k == SKILLS_SUPERVISOR ? "supervisor" : "self";
}

int skills_kind_parse(const char *s, enum skills_kind *out)
{
    if (s && strcmp(s, "self") == 0)
        *out = SKILLS_SELF;
    else if (s && strcmp(s, "supervisor") == 0)
        *out = SKILLS_SUPERVISOR;
    else
        return -1;
    return 0;
}

/* Is a later than b? The later day wins; on the same day the later record. */
static int later(const struct skills_assessment *a, const struct skills_assessment *b)
{
    if (!b)
        return 1;
    if (a->assessed_at != b->assessed_at)
        return a->assessed_at > b->assessed_at;
    return a->id > b->id;
}

void skills_latest_of(const skills_model *m, const struct skills_assessment *a, size_t n,
                      const char *login, struct skills_latest *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        int k = skills_skill_find(m, a[i].skill);
        if (k < 0 || strcmp(a[i].login, login) != 0)
            continue;
        const struct skills_assessment **slot =
            a[i].kind == SKILLS_SUPERVISOR ? &out->sup[k] : &out->self[k];
        if (later(&a[i], *slot))
            *slot = &a[i];
    }
}

void skills_assessed(const skills_model *m, const struct skills_latest *latest,
                     int levels[SKILLS_MAX_SKILLS])
{
    memset(levels, 0, sizeof(int) * SKILLS_MAX_SKILLS);
    for (int k = 0; k < m->nskills; k++) {
        /* The supervisor's view is preferred: self-ratings run high where it matters most. */
        const struct skills_assessment *a = latest->sup[k] ? latest->sup[k] : latest->self[k];
        levels[k] = a ? a->level : 0;
    }
}

void skills_gap(const skills_model *m, int role, const int levels[SKILLS_MAX_SKILLS],
                struct skills_gaps *out)
{
    memset(out, 0, sizeof *out);
    out->role = role;
    for (int k = 0; k < m->nskills; k++) {
        int req = m->required[k][role];
        out->assessed[k] = levels[k];
        out->gap[k] = levels[k] ? req - levels[k] : req;
        if (out->gap[k] > 0)
            out->total_gap += out->gap[k];
    }
}

json_t *skills_gap_json(const skills_model *m, const struct skills_gaps *g)
{
    json_t *gaps = json_array();
    for (int k = 0; k < m->nskills; k++)
        json_array_append_new(gaps,
                              json_pack("{s:s, s:i, s:o, s:i}", "skill", m->skill_code[k],
                                        "required", m->required[k][g->role], "assessed",
                                        g->assessed[k] ? json_integer(g->assessed[k]) : json_null(),
                                        "gap", g->gap[k]));
    return json_pack("{s:s, s:o, s:i}", "role", m->role_code[g->role], "gaps", gaps, "total_gap",
                     g->total_gap);
}

static json_t *assessment_json(const struct skills_assessment *a)
{
    if (!a)
        return json_null();
    char at[32];
    time_iso8601(a->assessed_at, at, sizeof at);
    at[10] = '\0'; /* assessments are dated, not timed */
    return json_pack("{s:i, s:s, s:s}", "level", a->level, "at", at, "by", a->assessor);
}

json_t *skills_person_json(const skills_model *m, const char *login, int role,
                           const struct skills_assessment *a, size_t n)
{
    struct skills_latest latest;
    int levels[SKILLS_MAX_SKILLS];
    skills_latest_of(m, a, n, login, &latest);
    skills_assessed(m, &latest, levels);
    if (role < 0 || role >= m->nroles)
        return json_pack("{s:s, s:n, s:[], s:i}", "login", login, "role", "gaps", "total_gap", 0);
    struct skills_gaps g;
    skills_gap(m, role, levels, &g);
    json_t *j = skills_gap_json(m, &g);
    json_object_set_new(j, "login", json_string(login));
    json_object_set(
        j, "role_name",
        json_object_get(json_array_get(json_object_get(m->root, "roles"), (size_t)role), "name"));
    for (int k = 0; k < m->nskills; k++) {
        json_t *gj = json_array_get(json_object_get(j, "gaps"), (size_t)k);
        const struct skills_assessment *src = latest.sup[k] ? latest.sup[k] : latest.self[k];
        json_object_set_new(gj, "self", assessment_json(latest.self[k]));
        json_object_set_new(gj, "supervisor", assessment_json(latest.sup[k]));
        json_object_set_new(gj, "source",
                            src ? json_string(skills_kind_name(src->kind)) : json_null());
    }
    return j;
}

struct need {
    int skill, total, people;
};

static int need_cmp(const void *x, const void *y)
{
    const struct need *a = x, *b = y;
    if (a->total != b->total)
        return b->total - a->total;
    if (a->people != b->people)
        return b->people - a->people;
    return a->skill - b->skill;
}

static json_t *needs_json(const skills_model *m, struct need *needs)
{
    qsort(needs, (size_t)m->nskills, sizeof *needs, need_cmp);
    json_t *arr = json_array();
    for (int k = 0; k < m->nskills && needs[k].total > 0; k++)
        json_array_append_new(
            arr, json_pack("{s:s, s:O, s:i, s:i}", "skill", m->skill_code[needs[k].skill], "name",
                           json_object_get(m->skill[needs[k].skill], "name"), "total_gap",
                           needs[k].total, "people", needs[k].people));
    return arr;
}

/* care_watch for one member: a supervisor below SM-7 level 3 (when assessed), or one whose care
 * tasks for harassed operators are overdue — the manager sees both together. NULL when neither. */
static json_t *care_entry(const skills_model *m, const struct skills_member *p,
                          const int levels[SKILLS_MAX_SKILLS])
{
    int k = skills_skill_find(m, SKILLS_CARE_SKILL);
    int low = k >= 0 && levels[k] && levels[k] < SKILLS_CARE_LEVEL;
    if (p->org_role != ROLE_SUPERVISOR || (!low && p->care_overdue == 0))
        return NULL;
    json_t *reasons = json_array();
    if (low)
        json_array_append_new(reasons, json_string("sm7_below_3"));
    if (p->care_overdue > 0)
        json_array_append_new(reasons, json_string("care_overdue"));
    return json_pack("{s:s, s:o, s:i, s:o}", "login", p->login, "sm7_level",
                     k >= 0 && levels[k] ? json_integer(levels[k]) : json_null(), "overdue_care",
                     p->care_overdue, "reasons", reasons);
}

void skills_count_care_overdue(struct skills_member *members, size_t nmembers,
                               const struct harass_care *tasks, size_t ntasks, int64_t now)
{
    for (size_t i = 0; i < nmembers; i++) {
        members[i].care_overdue = 0;
        for (size_t t = 0; t < ntasks; t++)
            if (!tasks[t].done_at && now > tasks[t].due_at &&
                strcmp(tasks[t].assignee_login, members[i].login) == 0)
                members[i].care_overdue++;
    }
}

static json_t *skill_list_json(const skills_model *m)
{
    json_t *arr = json_array();
    for (int k = 0; k < m->nskills; k++)
        json_array_append_new(arr, json_pack("{s:s, s:O}", "code", m->skill_code[k], "name",
                                             json_object_get(m->skill[k], "name")));
    return arr;
}

json_t *skills_team_json(const skills_model *m, const char *center,
                         const struct skills_member *members, size_t nmembers,
                         const struct skills_assessment *a, size_t na)
{
    json_t *people = json_array(), *without = json_array(), *care = json_array();
    struct need needs[SKILLS_MAX_SKILLS];
    for (int k = 0; k < m->nskills; k++)
        needs[k] = (struct need){.skill = k};
    for (size_t i = 0; i < nmembers; i++) {
        const struct skills_member *p = &members[i];
        struct skills_latest latest;
        int levels[SKILLS_MAX_SKILLS];
        struct skills_gaps g;
        skills_latest_of(m, a, na, p->login, &latest);
        skills_assessed(m, &latest, levels);
        /* The care rule looks at the organisation role, so it applies even without a skill role. */
        json_t *c = care_entry(m, p, levels);
        if (c)
            json_array_append_new(care, c);
        int role = skills_role_of(m, p->org_role, p->override[0] ? p->override : NULL);
        if (role < 0) {
            json_array_append_new(without, json_string(p->login));
            continue;
        }
        skills_gap(m, role, levels, &g);
        for (int k = 0; k < m->nskills; k++) {
            if (g.gap[k] > 0) {
                needs[k].total += g.gap[k];
                needs[k].people++;
            }
        }
        json_t *pj = skills_gap_json(m, &g);
        json_object_set_new(pj, "login", json_string(p->login));
        json_object_set_new(pj, "display_name", json_string(p->display_name));
        json_array_append_new(people, pj);
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "center", center, "skills",
                     skill_list_json(m), "people", people, "without_role", without,
                     "training_needs", needs_json(m, needs), "care_watch", care);
}
