/* ikiiki skills model|gap|assess|person|team|role: コンピテンシー, the contact-center skill
 * model. The rules (gap, total_gap, training needs, care_watch) are written down in
 * src/skills/skills.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/util.h"
#include "skills/skills.h"
#include "svc/svc_skills.h"

/* The active model of the store: the newest imported version, else the data file. *version is 0
 * for the data file. */
static int load_active(const struct cli_cmd *cmd, store *s, skills_model **out, int64_t *version)
{
    struct org_principal p;
    struct svc x;
    int rc = svc_skills_model(cli_svc(s, &p, &x), out, version);
    if (rc == IK_EINVAL)
        return cli_fail(cmd, EXIT_FAIL, "%s", x.err);
    return rc ? cli_store_fail(cmd, s, rc, "skill model") : 0;
}

/* Opens the store and loads its active model; on failure nothing is left open. */
static int open_with_model(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store **s,
                           skills_model **m, int64_t *version)
{
    int rc = cli_open_store(cmd, o, n, s);
    if (rc)
        return rc;
    if ((rc = load_active(cmd, *s, m, version))) {
        store_free(*s);
        *s = NULL;
    }
    return rc;
}

static json_t *model_view(const skills_model *m, int64_t version)
{
    return json_pack("{s:s, s:o, s:o}", "source", version ? "database" : "data file", "version",
                     version ? json_integer(version) : json_null(), "model", skills_model_json(m));
}

static void print_model(json_t *view)
{
    json_t *model = json_object_get(view, "model");
    size_t i, l;
    json_t *r, *sk, *d;
    printf("%s",
           json_string_value(json_object_get(json_object_get(model, "title"), "ja")) ?: "model");
    if (json_is_integer(json_object_get(view, "version")))
        printf(" (version %lld)\n",
               (long long)json_integer_value(json_object_get(view, "version")));
    else
        printf(" (data file)\n");
    printf("\nroles:\n");
    json_array_foreach(json_object_get(model, "roles"), i, r)
    {
        printf("  %-6s %s\n", json_string_value(json_object_get(r, "code")),
               json_string_value(json_object_get(r, "name")));
    }
    json_array_foreach(json_object_get(model, "skills"), i, sk)
    {
        printf("\n%s %s\n  required:", json_string_value(json_object_get(sk, "code")),
               json_string_value(json_object_get(sk, "name")));
        json_array_foreach(json_object_get(model, "roles"), l, r)
        {
            const char *code = json_string_value(json_object_get(r, "code"));
            printf(" %s=%lld", code,
                   (long long)json_integer_value(
                       json_object_get(json_object_get(sk, "required"), code)));
        }
        printf("\n");
        json_array_foreach(json_object_get(sk, "levels"), l, d)
            printf("  %zu: %s\n", l + 1, json_string_value(d));
    }
}

static int model_import(const struct cli_cmd *cmd, const struct cli_opt *o, int n, const char *path)
{
    skills_model *m;
    char err[600];
    if (skills_model_load(path, &m, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    json_t *j = skills_model_json(m);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    int nroles = skills_nroles(m), nskills = skills_nskills(m);
    skills_model_free(m);
    if (!text)
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    store *s;
    int rc = cli_open_store(cmd, o, n, &s);
    int64_t version = 0;
    if (rc == 0) {
        struct org_principal p;
        struct svc x;
        rc = svc_skills_model_import(cli_svc(s, &p, &x), text, path, &version);
        if (rc)
            rc = cli_store_fail(cmd, s, rc, "skill model");
        store_free(s);
    }
    free(text);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(json_pack("{s:I, s:i, s:i}", "version", (json_int_t)version, "roles",
                                        nroles, "skills", nskills));
    printf("skill model version %lld imported from %s (%d roles, %d skills); it is now active\n",
           (long long)version, path, nroles, nskills);
    return EXIT_OK;
}

int cmd_skills_model(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    const char *pos[2];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 2, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos == 2 && strcmp(pos[0], "import") == 0)
        return model_import(cmd, o, n, pos[1]);
    if (npos == 1 && strcmp(pos[0], "import") == 0)
        return cli_fail(cmd, EXIT_USAGE, "import: expected the model file (import FILE)");
    if (npos != 1 || strcmp(pos[0], "show") != 0)
        return cli_fail(cmd, EXIT_USAGE, "expected \"show\" or \"import FILE\"");
    store *s;
    skills_model *m;
    int64_t version;
    if ((rc = open_with_model(cmd, o, n, &s, &m, &version)))
        return rc;
    store_free(s);
    json_t *view = model_view(m, version);
    skills_model_free(m);
    if (cli_flag(o, n, "json"))
        return cli_print_json(view);
    print_model(view);
    json_decref(view);
    return EXIT_OK;
}

static void print_gaps(json_t *g)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(g, "gaps"), i, e)
    {
        json_t *a = json_object_get(e, "assessed");
        char as[8] = "-";
        if (json_is_integer(a))
            snprintf(as, sizeof as, "%lld", (long long)json_integer_value(a));
        printf("  %-8s required %lld  assessed %s  gap %lld\n",
               json_string_value(json_object_get(e, "skill")),
               (long long)json_integer_value(json_object_get(e, "required")), as,
               (long long)json_integer_value(json_object_get(e, "gap")));
    }
    printf("total gap %lld\n", (long long)json_integer_value(json_object_get(g, "total_gap")));
}

/* The model for `skills gap`: --model FILE, else the active model of --db, else the data file,
 * so the command needs no database. */
static int gap_model(const struct cli_cmd *cmd, const struct cli_opt *o, int n, skills_model **m)
{
    char err[600];
    const char *file = cli_get(o, n, "model");
    if (file) {
        if (skills_model_load(file, m, err, sizeof err))
            return cli_fail(cmd, EXIT_USAGE, "--model: %s", err);
        return 0;
    }
    if (cli_get(o, n, "db")) {
        store *s;
        int rc = open_with_model(cmd, o, n, &s, m, NULL);
        store_free(s);
        return rc;
    }
    if (skills_model_active(NULL, m, err, sizeof err))
        return cli_fail(cmd, EXIT_FAIL, "%s", err);
    return 0;
}

int cmd_skills_gap(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"role", 1, "the skill role (OP, SV, OMP, CAP in the default model)", NULL, 0},
        {"levels", 1, "assessed levels 1–4, e.g. SM-5=2,SM-6=2 (skills left out: not assessed)",
         NULL, 0},
        {"model", 1, "a model file (default: the active model of --db, else the data file)", NULL,
         0},
        {"db", 1, "take the active model of this database", NULL, 0},
        {"json", 0, "print {role, gaps:[{skill, required, assessed, gap}], total_gap}", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!cli_get(o, n, "role") || !cli_get(o, n, "levels"))
        return cli_fail(cmd, EXIT_USAGE, "options --role and --levels are required");
    skills_model *m;
    if ((rc = gap_model(cmd, o, n, &m)))
        return rc;
    char err[700], list[400];
    int role = skills_role_find(m, cli_get(o, n, "role")), levels[SKILLS_MAX_SKILLS];
    if (role < 0) {
        skills_role_list(m, list, sizeof list);
        rc = cli_fail(cmd, EXIT_USAGE, "--role: \"%.40s\" is not one of %s", cli_get(o, n, "role"),
                      list);
    } else if (skills_parse_levels(m, cli_get(o, n, "levels"), levels, err, sizeof err)) {
        rc = cli_fail(cmd, EXIT_USAGE, "%s", err);
    }
    if (rc) {
        skills_model_free(m);
        return rc;
    }
    struct skills_gaps g;
    skills_gap(m, role, levels, &g);
    json_t *j = skills_gap_json(m, &g);
    skills_model_free(m);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    printf("role %s\n", json_string_value(json_object_get(j, "role")));
    print_gaps(j);
    json_decref(j);
    return EXIT_OK;
}

/* Loads the user an option names; a missing user is bad input. */
static int get_user(const struct cli_cmd *cmd, store *s, const char *opt, const char *login,
                    struct org_user *u)
{
    char err[200];
    if (org_check_login(opt, login, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    struct org_principal p;
    struct svc x;
    int readable;
    int rc = svc_skills_user(cli_svc(s, &p, &x), login, u, &readable);
    if (rc) {
        snprintf(err, sizeof err, "%s: user \"%s\"", opt, login);
        return cli_store_fail(cmd, s, rc, err);
    }
    return 0;
}

/* The skill role of u (override, else default); -1 when none. */
static int role_of(store *s, const skills_model *m, const struct org_user *u, int *role)
{
    struct org_principal p;
    struct svc x;
    return svc_skills_role_of(cli_svc(s, &p, &x), m, u, role);
}

static int parse_day(const struct cli_cmd *cmd, const char *day, int64_t *at)
{
    struct tm tm = {0};
    const char *rest = day ? strptime(day, "%Y-%m-%d", &tm) : NULL;
    if (!rest || *rest)
        return cli_fail(cmd, EXIT_USAGE, "--at: \"%.40s\" is not a date YYYY-MM-DD", day);
    *at = (int64_t)timegm(&tm);
    return 0;
}

/* Today at 00:00 UTC: assessments are dated, not timed. */
static int64_t today(void)
{
    int64_t t = now_unix();
    return t - t % 86400;
}

/* Checks the assessor named by --by (or none: a self-assessment) and fills a's kind and
 * assessor. */
static int assessor_check(const struct cli_cmd *cmd, store *s, const struct org_user *u,
                          const char *by, struct skills_assessment *a)
{
    if (!by || strcmp(by, u->login) == 0) {
        a->kind = SKILLS_SELF;
        str_copy(a->assessor, sizeof a->assessor, u->login);
        return 0;
    }
    struct org_user b;
    int rc = get_user(cmd, s, "--by", by, &b);
    if (rc)
        return rc;
    if (!org_can_assess(b.role, b.center_id, u->role, u->center_id))
        return cli_fail(cmd, EXIT_USAGE,
                        "--by: \"%s\" may not assess \"%s\": the assessor must be a supervisor or "
                        "center manager of the same center (above the person's role) or an admin",
                        b.login, u->login);
    a->kind = SKILLS_SUPERVISOR;
    str_copy(a->assessor, sizeof a->assessor, b.login);
    return 0;
}

static int assess_run(const struct cli_cmd *cmd, store *s, const skills_model *m,
                      const struct cli_opt *o, int n, struct skills_assessment *a)
{
    struct org_user u;
    char list[600];
    int role, rc = get_user(cmd, s, "--user", cli_get(o, n, "user"), &u);
    if (rc)
        return rc;
    if (skills_skill_find(m, cli_get(o, n, "skill")) < 0) {
        skills_skill_list(m, list, sizeof list);
        return cli_fail(cmd, EXIT_USAGE, "--skill: \"%.40s\" is not one of %s",
                        cli_get(o, n, "skill"), list);
    }
    if ((rc = role_of(s, m, &u, &role)))
        return cli_store_fail(cmd, s, rc, "skill role");
    if (role < 0)
        return cli_fail(cmd, EXIT_USAGE,
                        "--user: \"%s\" (%s) has no skill role; set one with `ikiiki skills role`",
                        u.login, org_role_name(u.role));
    if ((rc = assessor_check(cmd, s, &u, cli_get(o, n, "by"), a)))
        return rc;
    str_copy(a->login, sizeof a->login, u.login);
    str_copy(a->skill, sizeof a->skill, cli_get(o, n, "skill"));
    struct org_principal p;
    struct svc x;
    rc = svc_skills_assess(cli_svc(s, &p, &x), &u, a);
    return rc ? cli_store_fail(cmd, s, rc, "assessment") : 0;
}

int cmd_skills_assess(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"user", 1, "the person assessed (login)", NULL, 0},
        {"skill", 1, "the skill code, e.g. SM-7", NULL, 0},
        {"level", 1, "the level 1–4", NULL, 0},
        {"by", 1, "the assessor (login); absent or the user: a self-assessment", NULL, 0},
        {"at", 1, "the day assessed, YYYY-MM-DD (default today)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the assessment as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!cli_get(o, n, "user") || !cli_get(o, n, "skill"))
        return cli_fail(cmd, EXIT_USAGE, "options --user, --skill and --level are required");
    int64_t level;
    struct skills_assessment a = {.assessed_at = today()};
    if ((rc = cli_int(cmd, o, n, "level", 1, SKILLS_LEVELS, &level)) ||
        (cli_get(o, n, "at") && (rc = parse_day(cmd, cli_get(o, n, "at"), &a.assessed_at))))
        return rc;
    a.level = (int)level;
    store *s;
    skills_model *m;
    if ((rc = open_with_model(cmd, o, n, &s, &m, NULL)))
        return rc;
    rc = assess_run(cmd, s, m, o, n, &a);
    store_free(s);
    skills_model_free(m);
    if (rc)
        return rc;
    char at[32];
    time_iso8601(a.assessed_at, at, sizeof at);
    at[10] = '\0';
    if (cli_flag(o, n, "json"))
        return cli_print_json(json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "user", a.login, "skill",
                                        a.skill, "level", a.level, "kind", skills_kind_name(a.kind),
                                        "by", a.assessor, "at", at));
    printf("%s: %s level %d (%s assessment by %s, %s)\n", a.login, a.skill, a.level,
           skills_kind_name(a.kind), a.assessor, at);
    return EXIT_OK;
}

static json_t *person_view(const struct cli_cmd *cmd, store *s, const skills_model *m,
                           const char *login, int *rc)
{
    struct org_user u;
    int role;
    struct skills_assessment *a = NULL;
    size_t na = 0;
    if ((*rc = get_user(cmd, s, "--user", login, &u)))
        return NULL;
    struct org_principal p;
    struct svc x;
    if ((*rc = role_of(s, m, &u, &role)) ||
        (*rc = svc_skills_assessments(cli_svc(s, &p, &x), &u, &a, &na))) {
        *rc = cli_store_fail(cmd, s, *rc, "assessments");
        return NULL;
    }
    json_t *j = skills_person_json(m, u.login, role, a, na);
    free(a);
    return j;
}

int cmd_skills_person(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"user", 1, "the person (login)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the gap list as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!cli_get(o, n, "user"))
        return cli_fail(cmd, EXIT_USAGE, "option \"--user\" is required");
    store *s;
    skills_model *m;
    if ((rc = open_with_model(cmd, o, n, &s, &m, NULL)))
        return rc;
    json_t *j = person_view(cmd, s, m, cli_get(o, n, "user"), &rc);
    store_free(s);
    skills_model_free(m);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    if (json_is_null(json_object_get(j, "role")))
        printf("%s has no skill role\n", cli_get(o, n, "user"));
    else
        printf("%s, role %s\n", cli_get(o, n, "user"),
               json_string_value(json_object_get(j, "role")));
    if (!json_is_null(json_object_get(j, "role")))
        print_gaps(j);
    json_decref(j);
    return EXIT_OK;
}

static json_t *team_view(const struct cli_cmd *cmd, store *s, const skills_model *m,
                         const char *code, int *rc)
{
    struct org_center c;
    char what[120];
    snprintf(what, sizeof what, "--center: center \"%.40s\"", code);
    struct skills_team t;
    struct org_principal p;
    struct svc x;
    if ((*rc = svc_skills_team(cli_svc(s, &p, &x), code, &c, &t))) {
        *rc = cli_store_fail(cmd, s, *rc, x.failed && !strcmp(x.failed, "center") ? what : "team");
        return NULL;
    }
    json_t *j = skills_team_json(m, c.code, t.members, t.nmembers, t.assessments, t.nassessments);
    skills_team_release(&t);
    return j;
}

static void print_team(json_t *j)
{
    size_t i, k;
    json_t *p, *e, *sk;
    printf("%-20s %-5s", "center", json_string_value(json_object_get(j, "center")));
    json_array_foreach(json_object_get(j, "skills"), k, sk)
        printf(" %6s", json_string_value(json_object_get(sk, "code")));
    printf("  total\n");
    json_array_foreach(json_object_get(j, "people"), i, p)
    {
        printf("%-20s %-5s", json_string_value(json_object_get(p, "login")),
               json_string_value(json_object_get(p, "role")));
        json_array_foreach(json_object_get(p, "gaps"), k, e)
        {
            int unassessed = json_is_null(json_object_get(e, "assessed"));
            printf(" %5lld%s", (long long)json_integer_value(json_object_get(e, "gap")),
                   unassessed ? "?" : " ");
        }
        printf("  %5lld\n", (long long)json_integer_value(json_object_get(p, "total_gap")));
    }
    printf("(gap = required − assessed; ? = not assessed yet)\n\ntraining needs:\n");
    json_array_foreach(json_object_get(j, "training_needs"), i, e)
    {
        printf("  %zu. %s %s: total gap %lld (%lld people)\n", i + 1,
               json_string_value(json_object_get(e, "skill")),
               json_string_value(json_object_get(e, "name")),
               (long long)json_integer_value(json_object_get(e, "total_gap")),
               (long long)json_integer_value(json_object_get(e, "people")));
    }
    printf("\ncare watch (supervisors below SM-7 level 3 or with overdue care tasks):\n");
    json_array_foreach(json_object_get(j, "care_watch"), i, e)
    {
        json_t *lv = json_object_get(e, "sm7_level");
        char level[32];
        snprintf(level, sizeof level, json_is_null(lv) ? "not assessed" : "level %lld",
                 (long long)json_integer_value(lv));
        printf("  %s: SM-7 %s, overdue care tasks %lld\n",
               json_string_value(json_object_get(e, "login")), level,
               (long long)json_integer_value(json_object_get(e, "overdue_care")));
    }
}

int cmd_skills_team(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "center code", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the heat map, training needs and care_watch as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *code = cli_get(o, n, "center");
    char err[200];
    if (!code)
        return cli_fail(cmd, EXIT_USAGE, "option \"--center\" is required");
    if (org_check_code("--center", code, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    store *s;
    skills_model *m;
    if ((rc = open_with_model(cmd, o, n, &s, &m, NULL)))
        return rc;
    json_t *j = team_view(cmd, s, m, code, &rc);
    store_free(s);
    skills_model_free(m);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    print_team(j);
    json_decref(j);
    return EXIT_OK;
}

int cmd_skills_role(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"user", 1, "the person (login)", NULL, 0},
        {"role", 1, "the skill role to use instead of the default (e.g. CAP)", NULL, 0},
        {"clear", 0, "go back to the default for the user's organisation role", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *role = cli_get(o, n, "role");
    if (!cli_get(o, n, "user") || (!role == !cli_flag(o, n, "clear")))
        return cli_fail(cmd, EXIT_USAGE, "options --user and one of --role or --clear are needed");
    store *s;
    skills_model *m;
    if ((rc = open_with_model(cmd, o, n, &s, &m, NULL)))
        return rc;
    struct org_user u;
    char list[400];
    int now = -1;
    rc = get_user(cmd, s, "--user", cli_get(o, n, "user"), &u);
    if (rc == 0 && role && skills_role_find(m, role) < 0) {
        skills_role_list(m, list, sizeof list);
        rc = cli_fail(cmd, EXIT_USAGE, "--role: \"%.40s\" is not one of %s", role, list);
    }
    struct org_principal p;
    struct svc x;
    if (rc == 0 && (rc = svc_skills_role_set(cli_svc(s, &p, &x), m, &u, role, &now)))
        rc = cli_store_fail(cmd, s, rc, "skill role");
    const char *code = rc ? NULL : skills_role_code(m, now);
    store_free(s);
    json_t *j =
        rc ? NULL
           : json_pack("{s:s, s:s?, s:b}", "user", u.login, "role", code, "override", role != NULL);
    skills_model_free(m);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    printf("%s: skill role %s%s\n", u.login,
           json_string_value(json_object_get(j, "role")) ?: "none",
           role ? "" : " (default for the organisation role)");
    json_decref(j);
    return EXIT_OK;
}
