/* org: names, validators, secrets and the access rules, as tables of cases. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
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

int main(void)
{
    assert_int_equal(org_crypto_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_positions),
        cmocka_unit_test(test_validators),
        cmocka_unit_test(test_secrets),
        cmocka_unit_test(test_access_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
