/* コンピテンシー: gap arithmetic, the choice of the assessed level, training-needs ranking, the
 * SM-7 care_watch rule and model validation, with expectations worked out by hand from
 * data/skills/model.json (required levels OP/SV/OMP/CAP: SM-5 2/3/4/2, SM-6 1/2/4/2,
 * SM-7 2/3/4/2, SM-8 1/2/4/2, SM-9 1/2/4/2); storage on both backends. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "skills/skills.h"
#include "store/store_org.h"
#include "store/store_skills.h"
#include "testutil.h"

enum { SM5, SM6, SM7, SM8, SM9 };

static skills_model *default_model(void)
{
    char err[600];
    skills_model *m = NULL;
    if (skills_model_active(NULL, &m, err, sizeof err))
        fail_msg("%s", err);
    return m;
}

static json_t *model_file_json(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/../../data/skills/model.json", getenv("IKIIKI_TEST_DATA"));
    json_t *j = json_load_file(path, 0, NULL);
    if (!j)
        fail_msg("cannot read %s", path);
    return j;
}

static void test_model_file(void **state)
{
    (void)state;
    skills_model *m = default_model();
    assert_int_equal(skills_nroles(m), 4);
    assert_int_equal(skills_nskills(m), 5);
    static const int req[5][4] = {
        {2, 3, 4, 2}, {1, 2, 4, 2}, {2, 3, 4, 2}, {1, 2, 4, 2}, {1, 2, 4, 2}};
    static const char *const roles[] = {"OP", "SV", "OMP", "CAP"};
    for (int k = 0; k < 5; k++) {
        char code[8];
        snprintf(code, sizeof code, "SM-%d", k + 5);
        assert_int_equal(skills_skill_find(m, code), k);
        for (int r = 0; r < 4; r++) {
            assert_int_equal(skills_role_find(m, roles[r]), r);
            assert_int_equal(skills_required(m, r, k), req[k][r]);
        }
    }
    assert_int_equal(skills_role_find(m, "op"), -1);
    assert_int_equal(skills_skill_find(m, "SM-1"), -1);
    skills_model_free(m);
    skills_model_free(NULL);
}

struct gap_case {
    const char *role;
    int levels[5]; /* 0 = not assessed */
    int gap[5];
    int total;
};

static void test_gap_arithmetic(void **state)
{
    (void)state;
    skills_model *m = default_model();
    static const struct gap_case cases[] = {
        /* Unassessed skills count their whole requirement; SM-6 is one above and does not cancel
         * anything: 0 + 2 + 1 + 1. */
        {"OP", {2, 2, 0, 0, 0}, {0, -1, 2, 1, 1}, 4},
        /* 3−2, 2−2, 3−4, then 2 and 2 unassessed. */
        {"SV", {2, 2, 4, 0, 0}, {1, 0, -1, 2, 2}, 5},
        {"OMP", {4, 4, 4, 4, 4}, {0, 0, 0, 0, 0}, 0},
        {"OMP", {0, 0, 0, 0, 0}, {4, 4, 4, 4, 4}, 20},
        {"CAP", {1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, 5},
        /* Everyone above the requirement: gaps negative, total 0 (never negative). */
        {"OP", {4, 4, 4, 4, 4}, {-2, -3, -2, -3, -3}, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int levels[SKILLS_MAX_SKILLS] = {0};
        memcpy(levels, cases[i].levels, sizeof cases[i].levels);
        struct skills_gaps g;
        skills_gap(m, skills_role_find(m, cases[i].role), levels, &g);
        for (int k = 0; k < 5; k++)
            if (g.gap[k] != cases[i].gap[k])
                fail_msg("case %zu skill %d: gap %d, expected %d", i, k, g.gap[k], cases[i].gap[k]);
        assert_int_equal(g.total_gap, cases[i].total);
        json_t *j = skills_gap_json(m, &g);
        assert_string_equal(json_string_value(json_object_get(j, "role")), cases[i].role);
        assert_int_equal(json_integer_value(json_object_get(j, "total_gap")), cases[i].total);
        json_t *gaps = json_object_get(j, "gaps");
        assert_int_equal(json_array_size(gaps), 5);
        for (int k = 0; k < 5; k++) {
            json_t *e = json_array_get(gaps, (size_t)k);
            json_t *as = json_object_get(e, "assessed");
            if (cases[i].levels[k])
                assert_int_equal(json_integer_value(as), cases[i].levels[k]);
            else
                assert_true(json_is_null(as));
            assert_int_equal(json_integer_value(json_object_get(e, "gap")), cases[i].gap[k]);
        }
        json_decref(j);
    }
    skills_model_free(m);
}

static void test_parse_levels(void **state)
{
    (void)state;
    skills_model *m = default_model();
    int lv[SKILLS_MAX_SKILLS];
    char err[700];
    assert_int_equal(skills_parse_levels(m, "SM-5=2,SM-7=4", lv, err, sizeof err), 0);
    assert_int_equal(lv[SM5], 2);
    assert_int_equal(lv[SM6], 0);
    assert_int_equal(lv[SM7], 4);
    static const struct {
        const char *in, *msg;
    } bad[] = {
        {"SM-5=5", "SM-5: level \"5\" is not 1–4"},
        {"SM-5=0", "SM-5: level \"0\" is not 1–4"},
        {"SM-5=22", "level \"22\" is not 1–4"},
        {"SM-1=2", "unknown skill \"SM-1\" (expected one of SM-5, SM-6, SM-7, SM-8, SM-9)"},
        {"SM-5=2,SM-5=3", "SM-5 is given twice"},
        {"SM-5", "\"SM-5\" is not SKILL=LEVEL"},
        {"SM-5=2,", "\"\" is not SKILL=LEVEL"},
        {"", "expected SKILL=LEVEL pairs"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        lv[SM5] = 9;
        assert_int_equal(skills_parse_levels(m, bad[i].in, lv, err, sizeof err), -1);
        assert_int_equal(lv[SM5], 9); /* untouched on failure */
        if (!strstr(err, bad[i].msg) || strncmp(err, "--levels: ", 10) != 0)
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].in, err, bad[i].msg);
    }
    skills_model_free(m);
}

#define A(id, who, skill, lvl, kind, day)                                                          \
    {                                                                                              \
        id, who, skill, lvl, kind, "x", (int64_t)(day)*86400                                       \
    }

static void test_latest_and_supervisor_first(void **state)
{
    (void)state;
    skills_model *m = default_model();
    /* Deliberately out of order, with another person and an unknown skill mixed in. */
    static const struct skills_assessment a[] = {
        A(2, "a", "SM-5", 2, SKILLS_SELF, 20),       /* latest self of SM-5 */
        A(1, "a", "SM-5", 3, SKILLS_SELF, 10),       /* older self */
        A(3, "a", "SM-5", 1, SKILLS_SUPERVISOR, 5),  /* older than both, but the supervisor's */
        A(4, "a", "SM-6", 2, SKILLS_SELF, 10),       /* self only */
        A(6, "a", "SM-7", 3, SKILLS_SUPERVISOR, 10), /* same day as id 5: the later record */
        A(5, "a", "SM-7", 2, SKILLS_SUPERVISOR, 10),
        A(7, "a", "SM-7", 4, SKILLS_SELF, 30), /* newer self does not beat a supervisor */
        A(8, "a", "SM-99", 4, SKILLS_SUPERVISOR, 10),
        A(9, "b", "SM-8", 4, SKILLS_SUPERVISOR, 10),
    };
    struct skills_latest latest;
    int lv[SKILLS_MAX_SKILLS];
    skills_latest_of(m, a, ARRAY_LEN(a), "a", &latest);
    assert_int_equal(latest.self[SM5]->id, 2);
    assert_int_equal(latest.sup[SM5]->id, 3);
    assert_int_equal(latest.sup[SM7]->id, 6);
    assert_null(latest.sup[SM6]);
    assert_null(latest.self[SM8]);
    skills_assessed(m, &latest, lv);
    assert_int_equal(lv[SM5], 1);
    assert_int_equal(lv[SM6], 2);
    assert_int_equal(lv[SM7], 3);
    assert_int_equal(lv[SM8], 0);
    assert_int_equal(lv[SM9], 0);
    /* As an operator: 2−1, 1−2, 2−3, 1 and 1 unassessed → total 1 + 1 + 1. */
    json_t *j = skills_person_json(m, "a", skills_role_find(m, "OP"), a, ARRAY_LEN(a));
    assert_int_equal(json_integer_value(json_object_get(j, "total_gap")), 3);
    json_t *g5 = json_array_get(json_object_get(j, "gaps"), SM5);
    assert_string_equal(json_string_value(json_object_get(g5, "source")), "supervisor");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(g5, "self"), "level")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(g5, "self"), "at")),
                        "1970-01-21");
    json_t *g8 = json_array_get(json_object_get(j, "gaps"), SM8);
    assert_true(json_is_null(json_object_get(g8, "source")));
    assert_true(json_is_null(json_object_get(g8, "assessed")));
    json_decref(j);
    /* Without a skill role: no gaps. */
    j = skills_person_json(m, "a", -1, a, ARRAY_LEN(a));
    assert_true(json_is_null(json_object_get(j, "role")));
    assert_int_equal(json_array_size(json_object_get(j, "gaps")), 0);
    json_decref(j);
    skills_model_free(m);
}

static void test_roles_and_who_may_assess(void **state)
{
    (void)state;
    skills_model *m = default_model();
    assert_string_equal(skills_role_code(m, skills_default_role(m, ROLE_OPERATOR)), "OP");
    assert_string_equal(skills_role_code(m, skills_default_role(m, ROLE_SUPERVISOR)), "SV");
    assert_string_equal(skills_role_code(m, skills_default_role(m, ROLE_CENTER_MANAGER)), "OMP");
    assert_int_equal(skills_default_role(m, ROLE_ADMIN), -1);
    assert_int_equal(skills_default_role(m, ROLE_CONSULTANT), -1);
    assert_string_equal(skills_role_code(m, skills_role_of(m, ROLE_OPERATOR, "CAP")), "CAP");
    assert_string_equal(skills_role_code(m, skills_role_of(m, ROLE_ADMIN, "CAP")), "CAP");
    /* An override the model no longer knows falls back to the default. */
    assert_string_equal(skills_role_code(m, skills_role_of(m, ROLE_OPERATOR, "GONE")), "OP");

    assert_true(org_can_assess(ROLE_ADMIN, 0, ROLE_OPERATOR, 7));
    assert_true(org_can_assess(ROLE_CENTER_MANAGER, 7, ROLE_SUPERVISOR, 7));
    assert_true(org_can_assess(ROLE_CENTER_MANAGER, 7, ROLE_OPERATOR, 7));
    assert_true(org_can_assess(ROLE_SUPERVISOR, 7, ROLE_OPERATOR, 7));
    assert_false(org_can_assess(ROLE_SUPERVISOR, 7, ROLE_OPERATOR, 8)); /* other center */
    assert_false(org_can_assess(ROLE_SUPERVISOR, 7, ROLE_SUPERVISOR, 7));
    assert_false(org_can_assess(ROLE_SUPERVISOR, 7, ROLE_CENTER_MANAGER, 7));
    assert_false(org_can_assess(ROLE_CENTER_MANAGER, 7, ROLE_CENTER_MANAGER, 7));
    assert_false(org_can_assess(ROLE_OPERATOR, 7, ROLE_OPERATOR, 7));
    assert_false(org_can_assess(ROLE_CONSULTANT, 0, ROLE_OPERATOR, 7));
    assert_false(org_can_assess(ROLE_CENTER_MANAGER, 0, ROLE_OPERATOR, 0)); /* no center */
    skills_model_free(m);
}

static const char *str_at(json_t *arr, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(arr, i), key));
}

static long long int_at(json_t *arr, size_t i, const char *key)
{
    return (long long)json_integer_value(json_object_get(json_array_get(arr, i), key));
}

static void test_team_needs_and_care_watch(void **state)
{
    (void)state;
    skills_model *m = default_model();
    static const struct skills_member mem[] = {
        {"cons", "", ROLE_CONSULTANT, ""}, {"op1", "", ROLE_OPERATOR, ""},
        {"op2", "", ROLE_OPERATOR, "CAP"}, {"sv1", "", ROLE_SUPERVISOR, ""},
        {"sv2", "", ROLE_SUPERVISOR, ""},  {"sv3", "", ROLE_SUPERVISOR, ""},
    };
    static const struct skills_assessment a[] = {
        /* sv1 (SV 3,2,3,2,2): levels 3,-,2,-,- → gaps 0,2,1,2,2 = 7; SM-7 below 3 by the
         * supervisor's view although she rated herself 3. */
        A(1, "sv1", "SM-5", 3, SKILLS_SUPERVISOR, 1),
        A(2, "sv1", "SM-7", 3, SKILLS_SELF, 1),
        A(3, "sv1", "SM-7", 2, SKILLS_SUPERVISOR, 2),
        /* sv2: self only, 4,2,2,2,2 → gaps −1,0,1,0,0 = 1; SM-7 2 (self) is below 3. */
        A(4, "sv2", "SM-5", 4, SKILLS_SELF, 1),
        A(5, "sv2", "SM-6", 2, SKILLS_SELF, 1),
        A(6, "sv2", "SM-7", 2, SKILLS_SELF, 1),
        A(7, "sv2", "SM-8", 2, SKILLS_SELF, 1),
        A(8, "sv2", "SM-9", 2, SKILLS_SELF, 1),
        /* sv3: never assessed on SM-7, so not listed by the SM-7 rule. */
        /* op1 (OP 2,1,2,1,1): all 1 → gaps 1,0,1,0,0 = 2; operators are never on care_watch. */
        A(9, "op1", "SM-5", 1, SKILLS_SELF, 1),
        A(10, "op1", "SM-6", 1, SKILLS_SELF, 1),
        A(11, "op1", "SM-7", 1, SKILLS_SELF, 1),
        A(12, "op1", "SM-8", 1, SKILLS_SELF, 1),
        A(13, "op1", "SM-9", 1, SKILLS_SELF, 1),
        /* op2 as CAP (2,2,2,2,2): 2,2,2,2,1 → gaps 0,0,0,0,1 = 1. */
        A(14, "op2", "SM-5", 2, SKILLS_SELF, 1),
        A(15, "op2", "SM-6", 2, SKILLS_SELF, 1),
        A(16, "op2", "SM-7", 2, SKILLS_SELF, 1),
        A(17, "op2", "SM-8", 2, SKILLS_SELF, 1),
        A(18, "op2", "SM-9", 1, SKILLS_SELF, 1),
    };
    json_t *j = skills_team_json(m, "TKY", mem, ARRAY_LEN(mem), a, ARRAY_LEN(a));
    json_t *people = json_object_get(j, "people");
    assert_int_equal(json_array_size(people), 5);
    static const struct {
        const char *login, *role;
        int total;
    } want[] = {
        {"op1", "OP", 2}, {"op2", "CAP", 1}, {"sv1", "SV", 7}, {"sv2", "SV", 1}, {"sv3", "SV", 12}};
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        assert_string_equal(str_at(people, i, "login"), want[i].login);
        assert_string_equal(str_at(people, i, "role"), want[i].role);
        assert_int_equal(int_at(people, i, "total_gap"), want[i].total);
    }
    json_t *without = json_object_get(j, "without_role");
    assert_int_equal(json_array_size(without), 1);
    assert_string_equal(json_string_value(json_array_get(without, 0)), "cons");

    /* Per skill (sv3 adds the whole SV requirement 3,2,3,2,2):
     * SM-5 0+0+1+0+3 = 4 (2 people), SM-6 2+0+0+0+2 = 4 (2), SM-7 1+1+1+0+3 = 6 (4),
     * SM-8 2+0+0+0+2 = 4 (2), SM-9 2+0+0+1+2 = 5 (3). Ranked by total, then people, then model
     * order: SM-7, SM-9, SM-5, SM-6, SM-8. */
    json_t *needs = json_object_get(j, "training_needs");
    static const struct {
        const char *skill;
        int total, people;
    } nw[] = {{"SM-7", 6, 4}, {"SM-9", 5, 3}, {"SM-5", 4, 2}, {"SM-6", 4, 2}, {"SM-8", 4, 2}};
    assert_int_equal(json_array_size(needs), ARRAY_LEN(nw));
    for (size_t i = 0; i < ARRAY_LEN(nw); i++) {
        assert_string_equal(str_at(needs, i, "skill"), nw[i].skill);
        assert_int_equal(int_at(needs, i, "total_gap"), nw[i].total);
        assert_int_equal(int_at(needs, i, "people"), nw[i].people);
    }

    json_t *care = json_object_get(j, "care_watch");
    assert_int_equal(json_array_size(care), 2);
    assert_string_equal(str_at(care, 0, "login"), "sv1");
    assert_int_equal(int_at(care, 0, "sm7_level"), 2);
    assert_string_equal(str_at(care, 1, "login"), "sv2");
    json_t *reasons = json_object_get(json_array_get(care, 0), "reasons");
    assert_int_equal(json_array_size(reasons), 1);
    assert_string_equal(json_string_value(json_array_get(reasons, 0)), "sm7_below_3");
    json_decref(j);

    /* Nobody with a gap: no training needs at all; SM-7 at 3 keeps supervisors off care_watch. */
    static const struct skills_member one[] = {{"sv", "", ROLE_SUPERVISOR, ""}};
    static const struct skills_assessment full[] = {
        A(1, "sv", "SM-5", 3, SKILLS_SELF, 1), A(2, "sv", "SM-6", 2, SKILLS_SELF, 1),
        A(3, "sv", "SM-7", 3, SKILLS_SELF, 1), A(4, "sv", "SM-8", 2, SKILLS_SELF, 1),
        A(5, "sv", "SM-9", 4, SKILLS_SELF, 1),
    };
    j = skills_team_json(m, "X", one, 1, full, ARRAY_LEN(full));
    assert_int_equal(json_array_size(json_object_get(j, "training_needs")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "care_watch")), 0);
    json_decref(j);
    skills_model_free(m);
}

/* The other half of care_watch: supervisors whose care tasks are overdue, listed with the SM-7
 * rule so the manager sees both together. */
static void test_care_watch_overdue(void **state)
{
    (void)state;
    skills_model *m = default_model();
    struct skills_member mem[] = {
        {"sv_ok", "", ROLE_SUPERVISOR, "", 0},   /* SM-7 3, one task overdue */
        {"sv_low", "", ROLE_SUPERVISOR, "", 0},  /* SM-7 2 and one overdue: both reasons */
        {"sv_new", "", ROLE_SUPERVISOR, "", 0},  /* not assessed, task not yet due */
        {"mgr", "", ROLE_CENTER_MANAGER, "", 0}, /* overdue, but care_watch is for supervisors */
    };
    static const struct harass_care tasks[] = {
        {.id = 1, .assignee_login = "sv_ok", .due_at = 1000},
        {.id = 2, .assignee_login = "sv_ok", .due_at = 1000, .done_at = 900}, /* done in time */
        {.id = 3, .assignee_login = "sv_low", .due_at = 1999},
        {.id = 4, .assignee_login = "sv_new", .due_at = 2001},
        {.id = 5, .assignee_login = "mgr", .due_at = 10},
        {.id = 6, .assignee_login = "", .due_at = 10}, /* unassigned */
    };
    skills_count_care_overdue(mem, ARRAY_LEN(mem), tasks, ARRAY_LEN(tasks), 2000);
    assert_int_equal(mem[0].care_overdue, 1);
    assert_int_equal(mem[1].care_overdue, 1);
    assert_int_equal(mem[2].care_overdue, 0);
    assert_int_equal(mem[3].care_overdue, 1);
    static const struct skills_assessment a[] = {
        A(1, "sv_ok", "SM-7", 3, SKILLS_SUPERVISOR, 1),
        A(2, "sv_low", "SM-7", 2, SKILLS_SUPERVISOR, 1),
    };
    json_t *j = skills_team_json(m, "TKY", mem, ARRAY_LEN(mem), a, ARRAY_LEN(a));
    json_t *care = json_object_get(j, "care_watch");
    assert_int_equal(json_array_size(care), 2);
    assert_string_equal(str_at(care, 0, "login"), "sv_ok");
    assert_int_equal(int_at(care, 0, "overdue_care"), 1);
    json_t *r0 = json_object_get(json_array_get(care, 0), "reasons");
    assert_int_equal(json_array_size(r0), 1);
    assert_string_equal(json_string_value(json_array_get(r0, 0)), "care_overdue");
    assert_string_equal(str_at(care, 1, "login"), "sv_low");
    json_t *r1 = json_object_get(json_array_get(care, 1), "reasons");
    assert_int_equal(json_array_size(r1), 2);
    assert_string_equal(json_string_value(json_array_get(r1, 0)), "sm7_below_3");
    assert_string_equal(json_string_value(json_array_get(r1, 1)), "care_overdue");
    json_decref(j);
    skills_model_free(m);
}

/* Applies one change to the model file's JSON and checks the error. */
static void expect_invalid(json_t *root, const char *msg)
{
    char err[700] = "";
    skills_model *m = NULL;
    assert_int_equal(skills_model_from_json(root, "model.json", &m, err, sizeof err), -1);
    assert_null(m);
    if (!strstr(err, msg) || strncmp(err, "model.json: ", 12) != 0)
        fail_msg("message \"%s\" lacks \"%s\"", err, msg);
}

static json_t *skill_of(json_t *root, size_t k)
{
    return json_array_get(json_object_get(root, "skills"), k);
}

static void test_model_validation(void **state)
{
    (void)state;
    json_t *j;

    j = model_file_json();
    json_array_remove(json_object_get(skill_of(j, 2), "levels"), 3);
    expect_invalid(j, "skills[2] (SM-7).levels: expected 4 level descriptors");
    json_decref(j);

    j = model_file_json();
    json_array_set_new(json_object_get(skill_of(j, 4), "levels"), 1, json_string(""));
    expect_invalid(j, "skills[4] (SM-9).levels[1]: expected the text of level 2");
    json_decref(j);

    j = model_file_json();
    json_object_del(json_object_get(skill_of(j, 0), "required"), "SV");
    expect_invalid(j, "skills[0] (SM-5).required.SV: expected a level from 1 to 4");
    json_decref(j);

    j = model_file_json();
    json_object_set_new(json_object_get(skill_of(j, 1), "required"), "CAP", json_integer(5));
    expect_invalid(j, "skills[1] (SM-6).required.CAP: expected a level from 1 to 4");
    json_decref(j);

    j = model_file_json();
    json_object_set_new(json_object_get(skill_of(j, 1), "required"), "OP", json_string("1"));
    expect_invalid(j, "skills[1] (SM-6).required.OP: expected a level from 1 to 4");
    json_decref(j);

    j = model_file_json();
    json_object_set_new(json_object_get(skill_of(j, 3), "required"), "XX", json_integer(1));
    expect_invalid(j, "skills[3] (SM-8).required.XX: not one of the roles (OP, SV, OMP, CAP)");
    json_decref(j);

    j = model_file_json();
    json_object_del(skill_of(j, 1), "code");
    expect_invalid(j, "skills[1].code: expected a code");
    json_decref(j);

    j = model_file_json();
    json_object_set_new(skill_of(j, 1), "code", json_string("SM-5"));
    expect_invalid(j, "skills[1].code: \"SM-5\" is listed twice");
    json_decref(j);

    j = model_file_json();
    json_object_set_new(skill_of(j, 2), "name", json_string(""));
    expect_invalid(j, "skills[2] (SM-7).name: expected a name");
    json_decref(j);

    j = model_file_json();
    json_object_set_new(j, "skills", json_array());
    expect_invalid(j, "skills: expected a list of 1 to 128 skills");
    json_decref(j);

    j = model_file_json();
    json_object_del(j, "roles");
    expect_invalid(j, "roles: expected a list of 1 to 16 roles");
    json_decref(j);

    j = model_file_json();
    json_object_set_new(json_array_get(json_object_get(j, "roles"), 3), "name", json_integer(1));
    expect_invalid(j, "roles[3].name: expected a name");
    json_decref(j);

    /* A renamed role is fine: names are the center's to choose. */
    j = model_file_json();
    json_object_set_new(json_array_get(json_object_get(j, "roles"), 0), "name",
                        json_string("コミュニケーター"));
    skills_model *m = NULL;
    char err[600];
    assert_int_equal(skills_model_from_json(j, "x", &m, err, sizeof err), 0);
    json_t *shown = skills_model_json(m);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(shown, "roles"), 0), "name")),
                        "コミュニケーター");
    json_decref(shown);
    skills_model_free(m);
    json_decref(j);

    /* From a file, errors start with the file's path. */
    char path[512];
    assert_int_equal(tu_write_temp("bad.json", "{\"roles\": [}", path, sizeof path), 0);
    m = NULL;
    assert_int_equal(skills_model_load(path, &m, err, sizeof err), -1);
    assert_true(strncmp(err, path, strlen(path)) == 0 && strstr(err, "line 1"));
    assert_int_equal(
        tu_write_temp("bad2.json", "{\"roles\": [], \"skills\": []}", path, sizeof path), 0);
    assert_int_equal(skills_model_load(path, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "roles: expected"));
    assert_int_equal(skills_model_active("[1]", &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "stored model: expected a JSON object"));
}

static store *fresh_store(const char *backend)
{
    char url[512], err[600];
    if (tu_db_url(backend, "skills", url, sizeof url))
        return NULL;
    store *s = NULL;
    if (store_open(url, &s, err, sizeof err) || store_migrate(s, NULL))
        fail_msg("%s: %s", backend, s ? store_errmsg(s) : err);
    return s;
}

static void add_user(store *s, const char *login, enum org_role r, int64_t center, int disabled,
                     struct org_user *out)
{
    struct org_user u = {.role = r, .center_id = center, .disabled = disabled};
    str_copy(u.login, sizeof u.login, login);
    str_copy(u.password_hash, sizeof u.password_hash, "x");
    assert_int_equal(store_user_add(s, &u), STORE_OK);
    *out = u;
}

static void test_store_both_backends(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        store *s = fresh_store(tu_backends[b]);
        if (!s)
            continue;
        char *text = NULL;
        int64_t v = 0, v2 = 0;
        assert_int_equal(store_skills_model_latest(s, &text, &v), STORE_NOTFOUND);
        assert_int_equal(store_skills_model_add(s, "{\"v\":1}", "cli", 100, &v), STORE_OK);
        assert_int_equal(store_skills_model_add(s, "{\"v\":\"二\"}", "cli", 200, &v2), STORE_OK);
        assert_true(v2 > v);
        assert_int_equal(store_skills_model_latest(s, &text, &v), STORE_OK);
        assert_string_equal(text, "{\"v\":\"二\"}");
        assert_int_equal(v, v2);
        free(text);

        struct org_company co = {.code = "C", .name = "C"};
        assert_int_equal(store_company_add(s, &co), STORE_OK);
        struct org_center c1 = {.company_id = co.id, .code = "C1", .name = "one"},
                          c2 = {.company_id = co.id, .code = "C2", .name = "two"};
        assert_int_equal(store_center_add(s, &c1), STORE_OK);
        assert_int_equal(store_center_add(s, &c2), STORE_OK);
        struct org_user sv, op, gone, far;
        add_user(s, "sv", ROLE_SUPERVISOR, c1.id, 0, &sv);
        add_user(s, "op", ROLE_OPERATOR, c1.id, 0, &op);
        add_user(s, "gone", ROLE_OPERATOR, c1.id, 1, &gone);
        add_user(s, "far", ROLE_OPERATOR, c2.id, 0, &far);

        struct skills_assessment a1 = {.skill = "SM-7",
                                       .level = 2,
                                       .kind = SKILLS_SUPERVISOR,
                                       .assessor = "sv",
                                       .assessed_at = 86400 * 3};
        struct skills_assessment a2 = {.skill = "SM-7",
                                       .level = 3,
                                       .kind = SKILLS_SELF,
                                       .assessor = "op",
                                       .assessed_at = 86400 * 2};
        struct skills_assessment a3 = {.skill = "SM-5",
                                       .level = 1,
                                       .kind = SKILLS_SELF,
                                       .assessor = "far",
                                       .assessed_at = 86400};
        struct skills_assessment bad = {
            .skill = "SM-5", .level = 5, .kind = SKILLS_SELF, .assessor = "op", .assessed_at = 1};
        assert_int_equal(store_skills_assess_add(s, op.id, &a1), STORE_OK);
        assert_int_equal(store_skills_assess_add(s, op.id, &a2), STORE_OK);
        assert_int_equal(store_skills_assess_add(s, far.id, &a3), STORE_OK);
        assert_int_equal(store_skills_assess_add(s, op.id, &bad), STORE_CONFLICT); /* CHECK 1–4 */
        assert_true(a2.id > a1.id);

        struct skills_assessment *out = NULL;
        size_t n = 0;
        assert_int_equal(store_skills_assessments(s, op.id, 0, &out, &n), STORE_OK);
        assert_int_equal(n, 2);
        /* By day: the self-assessment of day 2 comes first. */
        assert_string_equal(out[0].login, "op");
        assert_int_equal(out[0].kind, SKILLS_SELF);
        assert_int_equal(out[0].level, 3);
        assert_int_equal(out[1].kind, SKILLS_SUPERVISOR);
        assert_string_equal(out[1].assessor, "sv");
        assert_int_equal(out[1].assessed_at, 86400 * 3);
        free(out);
        assert_int_equal(store_skills_assessments(s, 0, c1.id, &out, &n), STORE_OK);
        assert_int_equal(n, 2); /* far is in C2 */
        free(out);

        char role[SKILLS_CODE_MAX];
        assert_int_equal(store_skills_role_get(s, op.id, role), STORE_NOTFOUND);
        assert_int_equal(store_skills_role_set(s, op.id, "SV"), STORE_OK);
        assert_int_equal(store_skills_role_set(s, op.id, "CAP"), STORE_OK); /* replaces */
        assert_int_equal(store_skills_role_get(s, op.id, role), STORE_OK);
        assert_string_equal(role, "CAP");

        struct skills_member *mem = NULL;
        assert_int_equal(store_skills_members(s, c1.id, &mem, &n), STORE_OK);
        assert_int_equal(n, 2); /* gone is disabled */
        assert_string_equal(mem[0].login, "op");
        assert_string_equal(mem[0].override, "CAP");
        assert_int_equal(mem[0].org_role, ROLE_OPERATOR);
        assert_string_equal(mem[1].login, "sv");
        assert_string_equal(mem[1].override, "");
        assert_int_equal(mem[1].org_role, ROLE_SUPERVISOR);
        free(mem);

        assert_int_equal(store_skills_role_set(s, op.id, NULL), STORE_OK);
        assert_int_equal(store_skills_role_get(s, op.id, role), STORE_NOTFOUND);
        /* Deleting a user takes their assessments and override along. */
        assert_int_equal(store_skills_role_set(s, far.id, "CAP"), STORE_OK);
        assert_int_equal(store_user_delete(s, far.id), STORE_OK);
        assert_int_equal(store_skills_assessments(s, 0, c2.id, &out, &n), STORE_OK);
        assert_int_equal(n, 0);
        free(out);
        store_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_file),
        cmocka_unit_test(test_gap_arithmetic),
        cmocka_unit_test(test_parse_levels),
        cmocka_unit_test(test_latest_and_supervisor_first),
        cmocka_unit_test(test_roles_and_who_may_assess),
        cmocka_unit_test(test_team_needs_and_care_watch),
        cmocka_unit_test(test_care_watch_overdue),
        cmocka_unit_test(test_model_validation),
        cmocka_unit_test(test_store_both_backends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
