/* The harass commands through the real binary on both backends: bad input is one line on stderr
 * with exit 2 and writes nothing; a call-count file is stored whole or not at all; a purge is
 * audited. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_org.h"
#include "testutil.h"

/* The number of cases in the demo week W47 (as the queue reports it). */
static long queue_total(const char *url)
{
    struct tu_result r;
    TU_IK(&r, url, "harass", "queue", "--center", "TKY", "--week", "2026-W47", "--json");
    assert_int_equal(r.status, 0);
    json_t *j = json_loads(r.out, 0, NULL);
    long n = (long)json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    tu_result_free(&r);
    return n;
}

static void test_bad_input_writes_nothing(void **state)
{
    (void)state;
    static const struct {
        const char *words[16];
        const char *needle;
    } bad[] = {
        {{"harass", "judge", "--behaviour", "5", "--demand", "1"}, "--behaviour: value \"5\""},
        {{"harass", "judge", "--behaviour", "1", "--demand", "1", "--request", "sue"},
         "\"sue\" is not one of legal_action"},
        {{"harass", "flag", "--center", "TKY", "--operator", "tanaka.op", "--behaviour", "2",
          "--demand", "2", "--category", "abuse,yelling"},
         "\"yelling\" is not one of abuse"},
        {{"harass", "flag", "--center", "TKY", "--operator", "nobody", "--behaviour", "2",
          "--demand", "2", "--category", "abuse"},
         "--operator: user \"nobody\""},
        {{"harass", "flag", "--center", "TKY", "--operator", "sato.sv", "--behaviour", "2",
          "--demand", "2", "--category", "abuse"},
         "\"sato.sv\" is not an operator"},
        {{"harass", "flag", "--center", "OSK", "--operator", "tanaka.op", "--behaviour", "2",
          "--demand", "2", "--category", "abuse"},
         "does not work in center \"OSK\""},
        {{"harass", "flag", "--center", "TKY", "--operator", "tanaka.op", "--behaviour", "2",
          "--demand", "2", "--category", "abuse", "--at", "2026-11-31T10:00"},
         "--at: \"2026-11-31T10:00\""},
        {{"harass", "flag", "--center", "TKY", "--operator", "tanaka.op", "--behaviour", "2",
          "--demand", "2", "--category", "abuse", "--caller", "abc"},
         "--caller: \"abc\" is not a phone number"},
        {{"harass", "review", "1", "--behaviour", "2", "--demand", "2"}, "already reviewed"},
        {{"harass", "review", "999", "--behaviour", "2", "--demand", "2"}, "case 999"},
        {{"harass", "queue", "--center", "TKY", "--week", "2026-W54"}, "--week: \"2026-W54\""},
        {{"harass", "agreement", "--center", "TKY", "--from", "2026-11-30", "--to", "2026-11-01"},
         "--to: comes before --from"},
        {{"harass", "policy", "import", "/nonexistent.json"}, "/nonexistent.json"},
        {{"harass", "care", "done", "1"}, "--note"},
    };
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "hcli", url, sizeof url))
            continue;
        struct tu_result r;
        TU_IK(&r, url, "init", "--demo");
        assert_int_equal(r.status, 0);
        tu_result_free(&r);
        long before = queue_total(url);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            assert_int_equal(tu_ikiiki(url, bad[i].words, NULL, &r), 0);
            TU_ONE_LINE_EXIT2(&r, bad[i].needle);
            tu_result_free(&r);
        }
        assert_int_equal(queue_total(url), before);
    }
}

static void test_calls_file_whole_or_nothing(void **state)
{
    (void)state;
    char good[512], broken[512];
    assert_int_equal(tu_write_temp("calls.csv",
                                   "\xef\xbb\xbf"
                                   "date,calls\n2026-11-16,400\n2026-11-17,420\n",
                                   good, sizeof good),
                     0);
    assert_int_equal(tu_write_temp("broken.csv", "date,calls\n2026-11-16,999\n2026-11-18,lots\n",
                                   broken, sizeof broken),
                     0);
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "hcalls", url, sizeof url))
            continue;
        struct tu_result r;
        TU_IK(&r, url, "init", "--demo");
        tu_result_free(&r);
        TU_IK(&r, url, "harass", "calls", "import", good, "--center", "TKY");
        assert_int_equal(r.status, 0);
        tu_result_free(&r);
        TU_IK(&r, url, "harass", "calls", "import", broken, "--center", "TKY");
        TU_ONE_LINE_EXIT2(&r, "row 3, column \"calls\": value \"lots\"");
        tu_result_free(&r);
        /* The broken file's first row (999 on 11-16) must not have replaced 400. */
        TU_IK(&r, url, "harass", "stats", "--center", "TKY", "--from", "2026-11-16", "--to",
              "2026-11-22", "--json");
        assert_int_equal(r.status, 0);
        json_t *j = json_loads(r.out, 0, NULL);
        json_t *w = json_array_get(json_object_get(j, "by_week"), 0);
        assert_int_equal(json_integer_value(json_object_get(w, "calls")), 820);
        assert_int_equal(json_integer_value(json_object_get(w, "cases")), 4);
        json_decref(j);
        tu_result_free(&r);
    }
}

static void test_purge_is_audited(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "hpurge", url, sizeof url))
            continue;
        struct tu_result r;
        TU_IK(&r, url, "init", "--demo");
        tu_result_free(&r);
        /* The demo month is 1–4 weeks old: keeping 14 days drops the first two weeks. */
        TU_IK(&r, url, "harass", "purge", "--days", "14", "--dry-run", "--json");
        assert_int_equal(r.status, 0);
        json_t *j = json_loads(r.out, 0, NULL);
        json_int_t would = json_integer_value(json_object_get(j, "cases"));
        json_decref(j);
        tu_result_free(&r);
        assert_true(would > 0);
        TU_IK(&r, url, "harass", "purge", "--days", "14", "--json", "--by", "admin");
        j = json_loads(r.out, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(j, "cases")), would);
        json_decref(j);
        tu_result_free(&r);
        /* The audit log says who purged how much. */
        char err[600], want[64];
        store *s = NULL;
        struct store_audit *log = NULL;
        size_t n = 0;
        assert_int_equal(store_open(url, &s, err, sizeof err), 0);
        assert_int_equal(store_audit_list(s, 1, &log, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(log[0].action, "harass.purge");
        assert_string_equal(log[0].actor, "admin");
        snprintf(want, sizeof want, "%lld cases older than 14 days", (long long)would);
        assert_string_equal(log[0].detail, want);
        free(log);
        store_free(s);
        TU_IK(&r, url, "harass", "purge", "--days", "14", "--dry-run", "--json");
        j = json_loads(r.out, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(j, "cases")), 0);
        json_decref(j);
        tu_result_free(&r);
        TU_IK(&r, url, "harass", "purge", "--days", "0");
        TU_ONE_LINE_EXIT2(&r, "--days");
        tu_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_writes_nothing),
        cmocka_unit_test(test_calls_file_whole_or_nothing),
        cmocka_unit_test(test_purge_is_audited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
