/* The store on both backends: the same cases run on a fresh SQLite file and a fresh PostgreSQL
 * database, so the two can never drift apart. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_org.h"
#include "store/store_int.h"
#include "testutil.h"

/* Opens a fresh, migrated store; returns NULL when the backend is knowingly skipped. */
static store *fresh(const char *backend, const char *name)
{
    char url[512], err[600];
    if (tu_db_url(backend, name, url, sizeof url))
        return NULL;
    store *s = NULL;
    if (store_open(url, &s, err, sizeof err))
        fail_msg("%s: %s", backend, err);
    int applied = -1;
    if (store_migrate(s, &applied))
        fail_msg("%s: migrate: %s", backend, store_errmsg(s));
    assert_true(applied >= 1);
    assert_string_equal(store_backend(s), backend);
    return s;
}

static void add_company(store *s, const char *code, struct org_company *c)
{
    memset(c, 0, sizeof *c);
    str_copy(c->code, sizeof c->code, code);
    str_copy(c->name, sizeof c->name, "株式会社テスト");
    assert_int_equal(store_company_add(s, c), STORE_OK);
    assert_true(c->id > 0);
}

static void add_center(store *s, int64_t company, const char *code, struct org_center *c)
{
    memset(c, 0, sizeof *c);
    c->company_id = company;
    str_copy(c->code, sizeof c->code, code);
    str_copy(c->name, sizeof c->name, "東京センター");
    int64_t hc[POS__COUNT] = {80, 8, 2, 4};
    memcpy(c->headcount, hc, sizeof hc);
    assert_int_equal(store_center_add(s, c), STORE_OK);
}

static void add_user(store *s, const char *login, enum org_role role, int64_t center,
                     struct org_user *u)
{
    memset(u, 0, sizeof *u);
    str_copy(u->login, sizeof u->login, login);
    u->role = role;
    u->center_id = center;
    str_copy(u->password_hash, sizeof u->password_hash, "$argon2id$not-a-real-hash");
    assert_int_equal(store_user_add(s, u), STORE_OK);
}

static void test_open_and_migrate(void **state)
{
    (void)state;
    char err[600];
    store *s = NULL;
    assert_int_equal(store_open("mysql://x", &s, err, sizeof err), STORE_BADURL);
    assert_non_null(strstr(err, "is not a database URL"));
    assert_int_equal(store_open("sqlite:", &s, err, sizeof err), STORE_BADURL);
    assert_int_equal(store_open("/nonexistent-dir/x/y.db", &s, err, sizeof err), STORE_ERROR);
    assert_non_null(strstr(err, "cannot open"));
    assert_null(s);

    setenv("IKIIKI_DB", "env.db", 1);
    assert_string_equal(store_default_url(NULL), "env.db");
    assert_string_equal(store_default_url("x.db"), "x.db");
    unsetenv("IKIIKI_DB");
    assert_string_equal(store_default_url(NULL), "./ikiiki.db");

    for (int b = 0; b < 2; b++) {
        store *st = fresh(tu_backends[b], "migrate");
        if (!st)
            continue;
        int applied = -1, version = 0, empty = 0;
        assert_int_equal(store_migrate(st, &applied), STORE_OK);
        assert_int_equal(applied, 0); /* idempotent */
        assert_int_equal(store_schema_version(st, &version), STORE_OK);
        assert_int_equal(version, store__migrations[store__nmigrations - 1].version);
        assert_int_equal(store_is_empty(st, &empty), STORE_OK);
        assert_true(empty);
        store_free(st);
    }
    store_free(NULL);
}

static void test_org_records(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        store *s = fresh(tu_backends[b], "org");
        if (!s)
            continue;
        struct org_company co, co2, got_co;
        add_company(s, "DEMO", &co);
        add_company(s, "ACME", &co2);
        assert_int_equal(store_company_add(s, &co), STORE_CONFLICT);
        assert_int_equal(store_company_get(s, "DEMO", &got_co), STORE_OK);
        assert_string_equal(got_co.name, "株式会社テスト");
        assert_int_equal(store_company_get(s, "NONE", &got_co), STORE_NOTFOUND);

        struct org_center tky, osk, ngy, got;
        add_center(s, co.id, "TKY", &tky);
        add_center(s, co.id, "OSK", &osk);
        add_center(s, co2.id, "NGY", &ngy);
        assert_int_equal(store_center_get(s, "TKY", &got), STORE_OK);
        assert_int_equal(got.headcount[POS_OP], 80);
        assert_int_equal(org_center_staff(&got), 14);
        assert_string_equal(got.company, "DEMO");
        assert_string_equal(got.name, "東京センター");

        struct org_center *list = NULL;
        size_t n = 0;
        assert_int_equal(store_center_list(s, NULL, 0, &list, &n), STORE_OK);
        assert_int_equal(n, 3);
        assert_string_equal(list[0].code, "NGY"); /* ordered by code */
        free(list);
        int64_t only[] = {co2.id};
        assert_int_equal(store_center_list(s, only, 1, &list, &n), STORE_OK);
        assert_int_equal(n, 1);
        assert_string_equal(list[0].code, "NGY");
        free(list);
        assert_int_equal(store_center_list(s, only, 0, &list, &n), STORE_OK);
        assert_int_equal(n, 0); /* a consultant with no company sees nothing */
        free(list);

        got.headcount[POS_OP] = 95;
        str_copy(got.name, sizeof got.name, "東京第一センター");
        assert_int_equal(store_center_update(s, &got), STORE_OK);
        assert_int_equal(store_center_get_id(s, got.id, &got), STORE_OK);
        assert_int_equal(got.headcount[POS_OP], 95);
        assert_string_equal(got.name, "東京第一センター");

        struct org_team t = {.center_id = tky.id}, tg;
        str_copy(t.code, sizeof t.code, "A");
        str_copy(t.name, sizeof t.name, "受付");
        assert_int_equal(store_team_add(s, &t), STORE_OK);
        assert_int_equal(store_team_add(s, &t), STORE_CONFLICT);
        t.center_id = osk.id; /* the same code in another center is fine */
        assert_int_equal(store_team_add(s, &t), STORE_OK);
        assert_int_equal(store_team_get(s, tky.id, "A", &tg), STORE_OK);
        assert_string_equal(tg.center, "TKY");

        struct org_user admin, op, cons, gu;
        add_user(s, "admin", ROLE_ADMIN, 0, &admin);
        add_user(s, "op1", ROLE_OPERATOR, tky.id, &op);
        add_user(s, "cons", ROLE_CONSULTANT, 0, &cons);
        assert_int_equal(store_user_add(s, &op), STORE_CONFLICT);
        /* Logins are one name whatever their case. */
        struct org_user upper = op;
        str_copy(upper.login, sizeof upper.login, "OP1");
        assert_int_equal(store_user_add(s, &upper), STORE_CONFLICT);
        assert_int_equal(store_consultant_link(s, cons.id, co2.id), STORE_OK);
        assert_int_equal(store_consultant_link(s, cons.id, co2.id), STORE_CONFLICT);
        struct org_principal p = {0};
        assert_int_equal(store_consultant_companies(s, cons.id, &p), STORE_OK);
        assert_int_equal(p.ncompanies, 1);
        assert_int_equal(p.companies[0], co2.id);

        assert_int_equal(store_user_get(s, "op1", &gu), STORE_OK);
        assert_int_equal(gu.role, ROLE_OPERATOR);
        assert_string_equal(gu.center, "TKY");
        assert_int_equal(gu.team_id, 0);
        gu.team_id = tg.id;
        gu.disabled = 1;
        assert_int_equal(store_user_update(s, &gu), STORE_OK);
        assert_int_equal(store_user_get_id(s, gu.id, &gu), STORE_OK);
        assert_string_equal(gu.team, "A");
        assert_int_equal(gu.disabled, 1);

        struct org_user *users = NULL;
        assert_int_equal(store_user_list(s, tky.id, NULL, 0, &users, &n), STORE_OK);
        assert_int_equal(n, 1);
        free(users);
        int64_t demo[] = {co.id};
        assert_int_equal(store_user_list(s, 0, demo, 1, &users, &n), STORE_OK);
        assert_int_equal(n, 1); /* only op1 sits in a DEMO center */
        free(users);

        /* A center with people in it cannot go; an empty one can. */
        assert_int_equal(store_center_delete(s, tky.id), STORE_CONFLICT);
        assert_int_equal(store_center_delete(s, ngy.id), STORE_OK);
        assert_int_equal(store_center_delete(s, ngy.id), STORE_NOTFOUND);
        assert_int_equal(store_user_delete(s, op.id), STORE_OK);
        assert_int_equal(store_user_get(s, "op1", &gu), STORE_NOTFOUND);
        store_free(s);
    }
}

static void test_transactions(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        store *s = fresh(tu_backends[b], "tx");
        if (!s)
            continue;
        struct org_company co, got;
        assert_int_equal(store_begin(s), STORE_OK);
        add_company(s, "GONE", &co);
        assert_int_equal(store_rollback(s), STORE_OK);
        assert_int_equal(store_company_get(s, "GONE", &got), STORE_NOTFOUND);

        /* Nested levels are savepoints: the inner rollback keeps the outer work. */
        assert_int_equal(store_begin(s), STORE_OK);
        add_company(s, "KEEP", &co);
        assert_int_equal(store_begin(s), STORE_OK);
        add_company(s, "INNER", &co);
        assert_int_equal(store_rollback(s), STORE_OK);
        assert_int_equal(store_commit(s), STORE_OK);
        assert_int_equal(store_company_get(s, "KEEP", &got), STORE_OK);
        assert_int_equal(store_company_get(s, "INNER", &got), STORE_NOTFOUND);

        /* A failed statement inside a transaction: roll back and the handle works again. */
        assert_int_equal(store_begin(s), STORE_OK);
        assert_int_equal(store_company_add(s, &co), STORE_OK);
        assert_int_equal(store_company_add(s, &co), STORE_CONFLICT);
        store_rollback_all(s);
        assert_int_equal(store_company_get(s, "INNER", &got), STORE_NOTFOUND);
        assert_int_equal(store_commit(s), STORE_ERROR); /* nothing open */
        store_free(s);
    }
}

static void test_sessions_keys_audit(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        store *s = fresh(tu_backends[b], "sess");
        if (!s)
            continue;
        struct org_user u;
        add_user(s, "admin", ROLE_ADMIN, 0, &u);
        int64_t uid = 0;
        char csrf[64];
        assert_int_equal(store_session_add(s, "h1", u.id, "csrf1", 2000), STORE_OK);
        assert_int_equal(store_session_add(s, "h2", u.id, "csrf2", 1000), STORE_OK);
        assert_int_equal(store_session_get(s, "h1", 1500, &uid, csrf, sizeof csrf), STORE_OK);
        assert_int_equal(uid, u.id);
        assert_string_equal(csrf, "csrf1");
        assert_int_equal(store_session_get(s, "h2", 1500, &uid, csrf, sizeof csrf),
                         STORE_NOTFOUND); /* expired */
        assert_int_equal(store_session_purge(s, 1500), STORE_OK);
        /* A password change ends the user's other sessions. */
        assert_int_equal(store_session_add(s, "h3", u.id, "csrf3", 3000), STORE_OK);
        assert_int_equal(store_session_end_user(s, u.id, "h1"), STORE_OK);
        assert_int_equal(store_session_get(s, "h3", 1500, &uid, csrf, sizeof csrf), STORE_NOTFOUND);
        assert_int_equal(store_session_get(s, "h1", 1500, &uid, csrf, sizeof csrf), STORE_OK);
        assert_int_equal(store_session_delete(s, "h1"), STORE_OK);
        assert_int_equal(store_session_get(s, "h1", 1500, &uid, csrf, sizeof csrf), STORE_NOTFOUND);

        struct org_apikey k = {.scopes = SCOPE_BIT(SCOPE_CALLS)}, got;
        str_copy(k.name, sizeof k.name, "asr");
        str_copy(k.prefix, sizeof k.prefix, "ik_abcdefg");
        assert_int_equal(store_apikey_add(s, &k, "hash-1"), STORE_OK);
        assert_int_equal(store_apikey_add(s, &k, "hash-2"), STORE_CONFLICT); /* same name */
        assert_int_equal(store_apikey_find(s, "hash-1", now_unix(), &got), STORE_OK);
        assert_int_equal(got.scopes, SCOPE_BIT(SCOPE_CALLS));
        assert_int_equal(store_apikey_find(s, "hash-x", now_unix(), &got), STORE_NOTFOUND);
        /* An expiring key works until its time, then never; a revoked one not at all. */
        struct org_apikey e = {.scopes = SCOPE_BIT(SCOPE_READ), .expires_at = 5000};
        str_copy(e.name, sizeof e.name, "temp");
        str_copy(e.prefix, sizeof e.prefix, "ik_temp");
        assert_int_equal(store_apikey_add(s, &e, "hash-e"), STORE_OK);
        assert_int_equal(store_apikey_find(s, "hash-e", 4999, &got), STORE_OK);
        assert_int_equal(got.expires_at, 5000);
        assert_int_equal(store_apikey_find(s, "hash-e", 5000, &got), STORE_NOTFOUND);
        assert_int_equal(store_apikey_revoke(s, "asr", &got), STORE_OK);
        assert_int_equal(got.revoked, 1);
        assert_int_equal(store_apikey_find(s, "hash-1", now_unix(), &got), STORE_NOTFOUND);
        assert_int_equal(store_apikey_revoke(s, "nokey", &got), STORE_NOTFOUND);

        for (int i = 0; i < 5; i++) {
            char target[16];
            snprintf(target, sizeof target, "c%d", i);
            assert_int_equal(store_audit_add(s, "admin", "center.add", target, "名前", "::1"),
                             STORE_OK);
        }
        struct store_audit *log = NULL;
        size_t n = 0;
        assert_int_equal(store_audit_list(s, 3, &log, &n), STORE_OK);
        assert_int_equal(n, 3);
        assert_string_equal(log[0].target, "c4"); /* newest first */
        assert_string_equal(log[0].detail, "名前");
        free(log);
        store_free(s);
    }
}

/* Placeholders: "?" inside quoted text is data, not a parameter, on both backends. */
static void test_placeholders(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        store *s = fresh(tu_backends[b], "ph");
        if (!s)
            continue;
        struct org_company co;
        add_company(s, "Q", &co);
        struct org_company got;
        struct store_arg a[] = {ARG_TEXT("Q")};
        int64_t changes = 0;
        assert_int_equal(store__exec_args(s, "UPDATE companies SET name = 'why?' WHERE code = ?", a,
                                          1, &changes),
                         STORE_OK);
        assert_int_equal(changes, 1);
        assert_int_equal(store_company_get(s, "Q", &got), STORE_OK);
        assert_string_equal(got.name, "why?");
        /* A wrong number of values is an error, not a crash. */
        assert_int_equal(
            store__exec_args(s, "UPDATE companies SET name = ? WHERE code = ?", a, 1, NULL),
            STORE_ERROR);
        store_free(s);
    }
}

int main(void)
{
    assert_int_equal(org_crypto_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_and_migrate), cmocka_unit_test(test_org_records),
        cmocka_unit_test(test_transactions),     cmocka_unit_test(test_sessions_keys_audit),
        cmocka_unit_test(test_placeholders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
