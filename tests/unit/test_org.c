/* org: names, validators, secrets and the access rules, as tables of cases. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "org/org.h"

static void test_roles_and_positions(void **state)
{
    (void)state;
    enum org_role r;
    for (int i = ROLE_ADMIN; i < ROLE__COUNT; i++) {
        assert_int_equal(org_role_parse(org_role_name((enum org_role)i), &r), 0);
        assert_int_equal(r, i);
    }
    assert_int_equal(org_role_parse("root", &r), -1);
    assert_int_equal(org_role_parse("", &r), -1);

    static const struct {
        const char *label;
        enum org_position want;
    } pos[] = {
        {"OP", POS_OP},
        {"op", POS_OP},
        {"オペレーター", POS_OP},
        {"SV", POS_SV},
        {"スーパーバイザー", POS_SV},
        {"MGR", POS_MGR},
        {"管理者", POS_MGR},
        {"OTHER", POS_OTHER},
        {"その他", POS_OTHER},
    };
    for (size_t i = 0; i < ARRAY_LEN(pos); i++) {
        enum org_position p;
        assert_int_equal(org_position_parse(pos[i].label, &p), 0);
        assert_int_equal(p, pos[i].want);
    }
    enum org_position p;
    assert_int_equal(org_position_parse("社長", &p), -1);

    unsigned s;
    assert_int_equal(org_scopes_parse("calls,read", &s), 0);
    assert_int_equal(s, SCOPE_BIT(SCOPE_CALLS) | SCOPE_BIT(SCOPE_READ));
    assert_int_equal(org_scopes_parse("calls,,read", &s), -1);
    assert_int_equal(org_scopes_parse("write", &s), -1);
    assert_int_equal(org_scopes_parse("", &s), -1);
}

static void test_validators(void **state)
{
    (void)state;
    char err[256];
    static const struct {
        int (*check)(const char *, const char *, char *, size_t);
        const char *value;
        int ok;
        const char *msg; /* part of the message when not ok */
    } cases[] = {
        {org_check_code, "TKY", 1, NULL},
        {org_check_code, "tky_01-b", 1, NULL},
        {org_check_code, "", 0, "--x: value \"\" is not a code"},
        {org_check_code, "東京", 0, "is not a code"},
        {org_check_code, "a b", 0, "is not a code"},
        {org_check_code, "abcdefghijklmnopqrstuvwxyz0123456", 0, "1–32"},
        {org_check_login, "sato.hanako@example.jp", 1, NULL},
        {org_check_login, "sato hanako", 0, "is not a login"},
        {org_check_name, "東京センター", 1, NULL},
        {org_check_name, "", 0, "must not be empty"},
        {org_check_name, "tab\there", 1, NULL},
        {org_check_name, "line\nbreak", 0, "not valid UTF-8 text"},
        {org_check_name, "\xff\xfe", 0, "not valid UTF-8"},
        {org_check_name, "\xe6\x9d", 0, "not valid UTF-8"}, /* cut in the middle of 東 */
        {org_check_password, "short", 0, "10 to 1024"},
        {org_check_password, "long enough pass", 1, NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        err[0] = '\0';
        int rc = cases[i].check("--x", cases[i].value, err, sizeof err);
        if (cases[i].ok) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, -1);
            if (!strstr(err, cases[i].msg))
                fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err, cases[i].msg);
        }
    }
    /* 160 characters of Japanese is the limit, whatever their byte length. */
    char name[ORG_NAME_MAX + 8] = "";
    for (int i = 0; i < 160; i++)
        strncat(name, "あ", sizeof name - strlen(name) - 1);
    assert_int_equal(org_check_name("n", name, err, sizeof err), 0);
    strncat(name, "あ", sizeof name - strlen(name) - 1);
    assert_int_equal(org_check_name("n", name, err, sizeof err), -1);

    assert_int_equal(org_check_headcount("h", 0, err, sizeof err), 0);
    assert_int_equal(org_check_headcount("h", -1, err, sizeof err), -1);
    assert_int_equal(org_check_user_center(ROLE_OPERATOR, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs a center"));
    assert_int_equal(org_check_user_center(ROLE_ADMIN, 1, err, sizeof err), -1);
    assert_int_equal(org_check_user_center(ROLE_CONSULTANT, 0, err, sizeof err), 0);
}

static void test_secrets(void **state)
{
    (void)state;
    char hash[ORG_HASH_MAX];
    assert_int_equal(org_password_hash("correct horse battery", hash), 0);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_int_equal(org_password_verify(hash, "correct horse battery"), 0);
    assert_int_equal(org_password_verify(hash, "correct horse battery!"), -1);

    char pw1[17], pw2[17];
    org_password_generate(pw1);
    org_password_generate(pw2);
    assert_int_equal(strlen(pw1), 16);
    assert_string_not_equal(pw1, pw2);
    assert_null(strpbrk(pw1, "0O1lI"));

    char tok[ORG_TOKEN_LEN + 1], h1[ORG_TOKEN_HASH], h2[ORG_TOKEN_HASH];
    org_token_new(tok, h1);
    assert_int_equal(strlen(tok), ORG_TOKEN_LEN);
    org_token_hash(tok, h2);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);

    char key[64], prefix[16], kh[ORG_TOKEN_HASH], kh2[ORG_TOKEN_HASH];
    org_apikey_new(key, sizeof key, prefix, sizeof prefix, kh);
    assert_memory_equal(key, "ik_", 3);
    assert_int_equal(strncmp(key, prefix, 10), 0);
    org_token_hash(key, kh2);
    assert_string_equal(kh, kh2);

    assert_true(org_secret_equal("abc", "abc"));
    assert_false(org_secret_equal("abc", "abd"));
    assert_false(org_secret_equal("abc", "abcd"));
}

/* The access rules over a small organisation: centers 1 (company 10) and 2 (company 20). */
static void test_access_rules(void **state)
{
    (void)state;
    struct org_center c1 = {.id = 1, .company_id = 10}, c2 = {.id = 2, .company_id = 20};
    struct org_principal admin = {.kind = PRINCIPAL_USER, .role = ROLE_ADMIN, .user_id = 1};
    struct org_principal cons = {.kind = PRINCIPAL_USER,
                                 .role = ROLE_CONSULTANT,
                                 .user_id = 2,
                                 .companies = {10},
                                 .ncompanies = 1};
    struct org_principal mgr = {
        .kind = PRINCIPAL_USER, .role = ROLE_CENTER_MANAGER, .user_id = 3, .center_id = 1};
    struct org_principal sv = {
        .kind = PRINCIPAL_USER, .role = ROLE_SUPERVISOR, .user_id = 4, .center_id = 1};
    struct org_principal op = {
        .kind = PRINCIPAL_USER, .role = ROLE_OPERATOR, .user_id = 5, .center_id = 1};
    struct org_principal key = {.kind = PRINCIPAL_APIKEY, .scopes = SCOPE_BIT(SCOPE_READ)};

    static const struct {
        int who; /* 0 admin 1 consultant 2 manager 3 supervisor 4 operator 5 key */
        int center;
        int read, write;
    } centers[] = {
        {0, 1, 1, 1}, {0, 2, 1, 1}, {1, 1, 1, 1}, {1, 2, 0, 0}, {2, 1, 1, 1}, {2, 2, 0, 0},
        {3, 1, 1, 0}, {3, 2, 0, 0}, {4, 1, 0, 0}, {4, 2, 0, 0}, {5, 1, 0, 0},
    };
    const struct org_principal *who[] = {&admin, &cons, &mgr, &sv, &op, &key};
    for (size_t i = 0; i < ARRAY_LEN(centers); i++) {
        const struct org_center *c = centers[i].center == 1 ? &c1 : &c2;
        if (org_can_read_center(who[centers[i].who], c) != centers[i].read ||
            org_can_write_center(who[centers[i].who], c) != centers[i].write)
            fail_msg("center case %zu", i);
    }
    assert_true(org_can_create_center(&admin, 20));
    assert_true(org_can_create_center(&cons, 10));
    assert_false(org_can_create_center(&cons, 20));
    assert_false(org_can_create_center(&mgr, 10));

    /* Who may give which role where. */
    assert_true(org_can_manage_user(&admin, ROLE_ADMIN, NULL));
    assert_true(org_can_manage_user(&cons, ROLE_CENTER_MANAGER, &c1));
    assert_false(org_can_manage_user(&cons, ROLE_CONSULTANT, NULL));
    assert_false(org_can_manage_user(&cons, ROLE_OPERATOR, &c2));
    assert_true(org_can_manage_user(&mgr, ROLE_OPERATOR, &c1));
    assert_false(org_can_manage_user(&mgr, ROLE_CENTER_MANAGER, &c1));
    assert_false(org_can_manage_user(&mgr, ROLE_OPERATOR, &c2));
    assert_false(org_can_manage_user(&sv, ROLE_OPERATOR, &c1));
    assert_false(org_can_manage_user(&op, ROLE_OPERATOR, &c1));

    struct org_user u_op = {.id = 5, .role = ROLE_OPERATOR, .center_id = 1};
    struct org_user u_op2 = {.id = 6, .role = ROLE_OPERATOR, .center_id = 2};
    struct org_user u_mgr = {.id = 3, .role = ROLE_CENTER_MANAGER, .center_id = 1};
    assert_true(org_can_read_user(&op, &u_op, 10));   /* self */
    assert_false(org_can_read_user(&op, &u_mgr, 10)); /* operators see only themselves */
    assert_true(org_can_read_user(&sv, &u_op, 10));
    assert_false(org_can_read_user(&sv, &u_mgr, 10));
    assert_false(org_can_read_user(&sv, &u_op2, 20));
    assert_true(org_can_read_user(&cons, &u_op, 10));
    assert_false(org_can_read_user(&cons, &u_op2, 20));
    assert_false(org_can_read_user(&key, &u_op, 10));

    struct org_center hc = {.headcount = {80, 8, 2, 4}};
    assert_int_equal(org_center_operators(&hc), 80);
    assert_int_equal(org_center_staff(&hc), 14);
}

/* ---- the access table (tests/data/org/access.tsv) ---- */

static const struct org_center t_c1 = {.id = 1, .company_id = 10, .code = "C1"};
static const struct org_center t_c2 = {.id = 2, .company_id = 20, .code = "C2"};

static const struct {
    const char *name;
    struct org_principal p;
} t_who[] = {
    {"admin", {.kind = PRINCIPAL_USER, .role = ROLE_ADMIN, .user_id = 1}},
    {"consultant",
     {.kind = PRINCIPAL_USER,
      .role = ROLE_CONSULTANT,
      .user_id = 2,
      .companies = {10},
      .ncompanies = 1}},
    {"manager",
     {.kind = PRINCIPAL_USER, .role = ROLE_CENTER_MANAGER, .user_id = 3, .center_id = 1}},
    {"supervisor",
     {.kind = PRINCIPAL_USER, .role = ROLE_SUPERVISOR, .user_id = 4, .center_id = 1, .team_id = 7}},
    {"sv_noteam", {.kind = PRINCIPAL_USER, .role = ROLE_SUPERVISOR, .user_id = 8, .center_id = 1}},
    {"operator",
     {.kind = PRINCIPAL_USER, .role = ROLE_OPERATOR, .user_id = 5, .center_id = 1, .login = "op"}},
    {"key", {.kind = PRINCIPAL_APIKEY, .scopes = SCOPE_BIT(SCOPE_READ)}},
};

static const char *reach_name(enum org_reach r)
{
    return r == ORG_REACH_ALL ? "all" : r == ORG_REACH_COMPANIES ? "companies" : "center";
}

/* Asks rule about p (center c, may be NULL; arg) and writes the answer as text into out. Returns
 * -1 for an unknown rule. */
static int ask(const char *rule, const struct org_principal *p, const struct org_center *c,
               const char *arg, char *out, size_t outlen)
{
    int yes = -1;
    int64_t a = 0, b = 0;
    if (strcmp(rule, "sees_company") == 0)
        yes = org_sees_company(p, strtoll(arg, NULL, 10));
    else if (strcmp(rule, "read_company") == 0) {
        if (sscanf(arg, "%" SCNd64 ":%" SCNd64, &a, &b) != 2)
            return -1;
        yes = org_can_read_company(p, a, b);
    } else if (strcmp(rule, "company_via_own_center") == 0)
        yes = org_company_via_own_center(p) != 0;
    else if (strcmp(rule, "add_company") == 0)
        yes = org_can_add_company(p);
    else if (strcmp(rule, "manage_apikeys") == 0)
        yes = org_can_manage_apikeys(p);
    else if (strcmp(rule, "read_audit") == 0)
        yes = org_can_read_audit(p);
    else if (strcmp(rule, "import_skill_model") == 0)
        yes = org_can_import_skill_model(p);
    else if (strcmp(rule, "purge_cases") == 0)
        yes = org_can_purge_cases(p);
    else if (strcmp(rule, "view_center") == 0)
        yes = org_can_view_center(p, c);
    else if (strcmp(rule, "move_center") == 0)
        yes = org_can_move_center(p);
    else if (strcmp(rule, "give_companies") == 0)
        yes = org_can_give_companies(p);
    else if (strcmp(rule, "role_has_companies") == 0)
        yes = org_role_has_companies(p->role);
    else if (strcmp(rule, "lists_center") == 0)
        yes = org_lists_center(p, c);
    else if (strcmp(rule, "may_sign_in") == 0) {
        struct org_user u = {
            .id = p->user_id, .role = p->role, .disabled = !strcmp(arg, "disabled")};
        yes = org_user_may_sign_in(&u);
    } else if (strcmp(rule, "approve_voiceprint") == 0)
        yes = org_role_can_approve_voiceprint(p->role);
    else if (strcmp(rule, "change_block") == 0)
        yes = org_can_change_block(p, c ? c->code : "", strcmp(arg, "visible") == 0);
    else if (strcmp(rule, "block_center_is_own") == 0)
        yes = org_block_center_is_own(p);
    else if (strcmp(rule, "flags_for_self") == 0)
        yes = org_flags_for_self(p);
    else if (strcmp(rule, "can_flag") == 0)
        yes = org_can_flag(p, c, arg);
    else if (strcmp(rule, "see_case") == 0) {
        char how[16];
        if (sscanf(arg, "%" SCNd64 ":%15s", &a, how) != 2)
            return -1;
        yes = org_can_see_case(p, c, a, strcmp(how, "review") == 0);
    } else if (strcmp(rule, "assess") == 0) {
        char role[32];
        enum org_role of;
        if (sscanf(arg, "%31[a-z_]@%" SCNd64, role, &a) != 2 || org_role_parse(role, &of))
            return -1;
        yes = org_can_assess(p->role, p->center_id, of, a);
    } else if (strcmp(rule, "center_list_reach") == 0)
        return snprintf(out, outlen, "%s", reach_name(org_center_list_reach(p))) < 0 ? -1 : 0;
    else if (strcmp(rule, "user_list_reach") == 0)
        return snprintf(out, outlen, "%s", reach_name(org_user_list_reach(p))) < 0 ? -1 : 0;
    else if (strcmp(rule, "call_reach") == 0)
        return snprintf(out, outlen, "%s", reach_name(org_call_reach(p))) < 0 ? -1 : 0;
    else if (strcmp(rule, "flag_source") == 0)
        return snprintf(out, outlen, "%s", org_flag_source(p)) < 0 ? -1 : 0;
    else if (strcmp(rule, "mood_team") == 0) {
        int64_t team = -1;
        if (org_mood_team(p, &team))
            snprintf(out, outlen, "denied");
        else if (team)
            snprintf(out, outlen, "team %" PRId64, team);
        else
            snprintf(out, outlen, "center");
        return 0;
    }
    if (yes < 0)
        return -1;
    snprintf(out, outlen, "%d", yes);
    return 0;
}

static void test_access_table(void **state)
{
    (void)state;
    char path[512];
    const char *dir = getenv("IKIIKI_TEST_DATA");
    snprintf(path, sizeof path, "%s/org/access.tsv", dir ? dir : "tests/data");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    int lineno = 0, rows = 0, bad = 0, header = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!header++)
            continue;
        char *cols[5] = {0}, *sv = NULL;
        int nc = 0;
        for (char *t = strtok_r(line, "\t", &sv); t && nc < 5; t = strtok_r(NULL, "\t", &sv))
            cols[nc++] = t;
        const struct org_principal *p = NULL;
        for (size_t i = 0; nc == 5 && i < ARRAY_LEN(t_who); i++)
            if (strcmp(t_who[i].name, cols[1]) == 0)
                p = &t_who[i].p;
        const struct org_center *c = nc < 5                   ? NULL
                                     : !strcmp(cols[2], "c1") ? &t_c1
                                     : !strcmp(cols[2], "c2") ? &t_c2
                                                              : NULL;
        char got[64];
        if (!p || ask(cols[0], p, c, cols[3], got, sizeof got)) {
            fprintf(stderr, "access.tsv:%d: malformed row, unknown principal or rule\n", lineno);
            bad++;
        } else if (strcmp(got, cols[4]) != 0) {
            fprintf(stderr, "access.tsv:%d: %s for %s: got \"%s\", want \"%s\"\n", lineno, cols[0],
                    cols[1], got, cols[4]);
            bad++;
        }
        rows++;
    }
    fclose(f);
    assert_true(rows > 50);
    assert_int_equal(bad, 0);
}

int main(void)
{
    assert_int_equal(org_crypto_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_positions),
        cmocka_unit_test(test_validators),
        cmocka_unit_test(test_secrets),
        cmocka_unit_test(test_access_rules),
        cmocka_unit_test(test_access_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
