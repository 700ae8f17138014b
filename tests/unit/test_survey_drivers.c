/* Survey drivers and pulse: Spearman's rho with ties, its p-value, Benjamini–Hochberg and Holm,
 * the two-proportion z-test, Cronbach's alpha, the priority rule and the pulse comparison of two
 * layouts. Every expected figure is worked out by hand beside it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey/drivers.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* x = 1 2 2 3 4 → ranks 1 2.5 2.5 4 5 (the two 2s share (2 + 3) / 2);
 * y = 1 3 2 2 5 → ranks 1 4 2.5 2.5 5. Both rank means are 3, so the deviations are
 * dx = -2 -0.5 -0.5 1 2 and dy = -2 1 -0.5 -0.5 2:
 * Σ dx·dy = 4 - 0.5 + 0.25 - 0.5 + 4 = 7.25, Σ dx² = Σ dy² = 4 + 0.25 + 0.25 + 1 + 4 = 9.5,
 * rho = 7.25 / 9.5 = 29/38 = 0.763157894736842. */
static void test_spearman_ties(void **state)
{
    (void)state;
    const double x[] = {1, 2, 2, 3, 4}, y[] = {1, 3, 2, 2, 5};
    double rho = 0;
    assert_int_equal(survey_spearman(x, y, 5, &rho), 0);
    NEAR(rho, 29.0 / 38.0);
    /* The inputs are not reordered. */
    assert_true(x[1] == 2 && y[1] == 3);
    /* A constant side has no ranks to correlate; one pair is not a correlation. */
    const double c[] = {3, 3, 3, 3, 3};
    assert_int_equal(survey_spearman(x, c, 5, &rho), -1);
    assert_int_equal(survey_spearman(x, y, 1, &rho), -1);
    /* Perfectly monotone, with ties on both sides: rho = 1. */
    const double u[] = {1, 1, 2, 3}, v[] = {2, 2, 5, 6};
    assert_int_equal(survey_spearman(u, v, 4, &rho), 0);
    NEAR(rho, 1);
}

/* rho = 29/38, n = 5: 1 - rho² = 603/1444, t = rho · sqrt(3 · 1444 / 603) = 2.045502285989935
 * with 3 degrees of freedom. For ν = 3 the t distribution has the closed form
 * P(|T| > t) = 1 - (2/π)(θ + sin θ cos θ) with θ = atan(t / √3) = 0.86844…, so
 * p = 0.13333911953180633. */
static void test_rho_p(void **state)
{
    (void)state;
    double p = -1;
    assert_int_equal(survey_rho_p(29.0 / 38.0, 5, &p), 0);
    assert_true(fabs(p - 0.13333911953180633) < 1e-9);
    /* The sign does not matter (two-sided). */
    assert_int_equal(survey_rho_p(-29.0 / 38.0, 5, &p), 0);
    assert_true(fabs(p - 0.13333911953180633) < 1e-9);
    /* rho = ±1 → 0; fewer than 3 pairs → no p. */
    assert_int_equal(survey_rho_p(1, 10, &p), 0);
    NEAR(p, 0);
    assert_int_equal(survey_rho_p(-1, 10, &p), 0);
    NEAR(p, 0);
    assert_int_equal(survey_rho_p(0.5, 2, &p), -1);
    assert_int_equal(survey_rho_p(NAN, 10, &p), -1);
    /* rho = 0 → t = 0 → p = 1. */
    assert_int_equal(survey_rho_p(0, 10, &p), 0);
    NEAR(p, 1);
}

/* p = 0.01, (none), 0.04, 0.03, 0.20: k = 4 tests. Sorted: 0.01 (1st), 0.03 (2nd), 0.04 (3rd),
 * 0.20 (4th); p · k / rank = 0.04, 0.06, 0.05333…, 0.20. The running minimum from the top:
 * 4th 0.20; 3rd min(0.0533, 0.20) = 0.0533; 2nd min(0.06, 0.0533) = 0.0533 (the monotone step:
 * 0.03 is lifted no higher than 0.04's value); 1st min(0.04, 0.0533) = 0.04. */
static void test_bh(void **state)
{
    (void)state;
    const double p[] = {0.01, NAN, 0.04, 0.03, 0.20};
    double adj[5];
    assert_int_equal(survey_bh(p, 5, adj), 0);
    NEAR(adj[0], 0.04);
    assert_true(isnan(adj[1]));
    NEAR(adj[2], 0.16 / 3);
    NEAR(adj[3], 0.16 / 3);
    NEAR(adj[4], 0.20);
    /* In place, and capped at 1: 0.6 · 2 / 1 = 1.2 → min(1.2, 0.7) = 0.7; 0.7 · 2 / 2 = 0.7. */
    double q[] = {0.6, 0.7};
    assert_int_equal(survey_bh(q, 2, q), 0);
    NEAR(q[0], 0.7);
    NEAR(q[1], 0.7);
    assert_int_equal(survey_bh(q, 0, q), 0);
}

/* p = 0.03, 0.04, 0.01, 0.005: sorted 0.005 · 4 = 0.02, 0.01 · 3 = 0.03, 0.03 · 2 = 0.06,
 * 0.04 · 1 = 0.04 → the running maximum keeps 0.06 (the monotone step). Back in input order:
 * 0.06, 0.06, 0.03, 0.02. Capped: 0.6 · 2 = 1.2 → 1, then max(0.7, 1) = 1. */
static void test_holm(void **state)
{
    (void)state;
    const double p[] = {0.03, 0.04, 0.01, 0.005};
    double adj[4];
    assert_int_equal(survey_holm(p, 4, adj), 0);
    NEAR(adj[0], 0.06);
    NEAR(adj[1], 0.06);
    NEAR(adj[2], 0.03);
    NEAR(adj[3], 0.02);
    const double q[] = {0.6, NAN, 0.7};
    double qa[3];
    assert_int_equal(survey_holm(q, 3, qa), 0);
    NEAR(qa[0], 1);
    assert_true(isnan(qa[1]));
    NEAR(qa[2], 1);
}

/* 60/100 against 45/100: pooled q = 105/200 = 0.525, se = sqrt(0.525 · 0.475 · (1/100 + 1/100))
 * = sqrt(0.0049875) = 0.0706222344591, z = 0.15 / se = 2.123976976214366,
 * p = 2 (1 - Φ(z)) = erfc(z / √2) = 0.03367206885634585. */
static void test_two_prop(void **state)
{
    (void)state;
    double z = 0, p = 0;
    assert_int_equal(survey_two_prop(60, 100, 45, 100, &z, &p), 0);
    assert_true(fabs(z - 2.123976976214366) < 1e-9);
    assert_true(fabs(p - 0.03367206885634585) < 1e-9);
    assert_int_equal(survey_two_prop(45, 100, 60, 100, &z, &p), 0);
    assert_true(fabs(z + 2.123976976214366) < 1e-9);
    /* No test: an empty side, or a pooled share of 0 or 1. */
    assert_int_equal(survey_two_prop(0, 0, 3, 10, &z, &p), -1);
    assert_int_equal(survey_two_prop(0, 10, 0, 12, &z, &p), -1);
    assert_int_equal(survey_two_prop(10, 10, 12, 12, &z, &p), -1);
}

/* Rows 4 5 4 / 2 3 3 / 5 5 6 / 3 3 2 (sample variances, divisor 3):
 * item 1: 4 2 5 3, mean 3.5, squares 0.25 2.25 2.25 0.25 = 5 → 5/3;
 * item 2: 5 3 5 3, mean 4, squares 1 1 1 1 = 4 → 4/3;
 * item 3: 4 3 6 2, mean 3.75, squares 0.0625 0.5625 5.0625 3.0625 = 8.75 → 8.75/3;
 * totals 13 8 16 8, mean 11.25, squares 3.0625 10.5625 22.5625 10.5625 = 46.75 → 46.75/3.
 * alpha = 3/2 · (1 - 17.75 / 46.75) = 1.5 · 29 / 46.75 = 174/187 = 0.93048128342246. */
static void test_alpha(void **state)
{
    (void)state;
    const double m[] = {4, 5, 4, 2, 3, 3, 5, 5, 6, 3, 3, 2};
    double a = 0;
    assert_int_equal(survey_alpha(m, 4, 3, &a), 0);
    NEAR(a, 174.0 / 187.0);
    /* One respondent, one item, or totals without variance: no alpha. */
    assert_int_equal(survey_alpha(m, 1, 3, &a), -1);
    assert_int_equal(survey_alpha(m, 4, 1, &a), -1);
    const double flat[] = {3, 3, 3, 3, 3, 3};
    assert_int_equal(survey_alpha(flat, 2, 3, &a), -1);
}

/* rho 0.5 0.1 0.3 (none) 0.4 0.45: the median of the five numbers 0.1 0.3 0.4 0.45 0.5 is 0.4.
 * item 0: TOP3 0.6 < 0.7 and 0.5 > 0.4 → priority; item 1: below, but 0.1 ≤ 0.4; item 2: below,
 * but 0.3 ≤ 0.4; item 3: no rho; item 4: rho 0.4 is not above the median; item 5: no other-center
 * average. */
static void test_priority(void **state)
{
    (void)state;
    const double rho[] = {0.5, 0.1, 0.3, NAN, 0.4, 0.45};
    const double top3[] = {0.6, 0.5, 0.7, 0.1, 0.3, 0.2};
    const double others[] = {0.7, 0.6, 0.8, 0.9, 0.7, NAN};
    int prio[6];
    assert_int_equal(survey_priority(rho, top3, others, 6, prio), 0);
    const int want[] = {1, 0, 0, 0, 0, 0};
    assert_memory_equal(prio, want, sizeof want);
    /* An even count takes the mean of the middle two: 0.1 0.3 0.4 0.5 → 0.35, so 0.4 is above. */
    const double rho4[] = {0.5, 0.1, 0.3, 0.4};
    const double t4[] = {0.1, 0.1, 0.1, 0.1}, o4[] = {0.2, 0.2, 0.2, 0.2};
    assert_int_equal(survey_priority(rho4, t4, o4, 4, prio), 0);
    const int want4[] = {1, 0, 0, 1};
    assert_memory_equal(prio, want4, sizeof want4);
}

static struct survey_respondent resp(const char *answers)
{
    struct survey_respondent r;
    memset(&r, 0, sizeof r);
    for (int i = 0; answers[i]; i++)
        r.answers[i] = (uint8_t)(answers[i] - '0');
    return r;
}

/* From asks G01 G02 O01, the pulse wave O01 G01 only. From: G01 4 5 1 2 → 2/4 = 0.5,
 * O01 6 6 6 6 → 1. To: O01 6 6 1 1 → 0.5, G01 4 4 4 (blank) → 3/3 = 1.
 * G01: q = 5/7, se = sqrt(5/7 · 2/7 · (1/4 + 1/3)) = 0.3450327, z = -0.5 / se = -1.4491377,
 * p = 0.1472991386226761. O01: q = 6/8, se = sqrt(0.75 · 0.25 · 0.5) = 0.3061862, z = 1.6329932,
 * p = 0.10247043485974938. Holm (2 tests): 0.10247 · 2 = 0.2049409; 0.14730 · 1 → max → 0.2049409
 * for both, not significant. */
static void test_compare(void **state)
{
    (void)state;
    static const char *const fid[] = {"G01", "G02", "O01"}, *const tid[] = {"O01", "G01"};
    static const char *const codes[] = {"growth"};
    struct survey_layout Lf = {
        .nitems = 3, .item_ids = fid, .nelements = 1, .element_codes = codes, .happiness_item = -1};
    struct survey_layout Lt = {
        .nitems = 2, .item_ids = tid, .nelements = 1, .element_codes = codes, .happiness_item = -1};
    Lf.element_of[0] = Lf.element_of[1] = 0;
    Lf.element_of[2] = -1;
    Lt.element_of[0] = -1;
    Lt.element_of[1] = 0;
    struct survey_respondent rf[] = {resp("436"), resp("556"), resp("116"), resp("226")};
    struct survey_respondent rt[] = {resp("64"), resp("64"), resp("14"), resp("10")};
    struct survey_center_data from = {.center = "TKY", .r = rf, .n = 4};
    struct survey_center_data to = {.center = "TKY", .r = rt, .n = 4};
    json_t *j = survey_compare_json(&Lf, &from, &Lt, &to, 1);
    assert_non_null(j);
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *g = json_array_get(items, 0), *o = json_array_get(items, 1);
    assert_string_equal(json_string_value(json_object_get(g, "item")), "G01");
    assert_string_equal(json_string_value(json_object_get(o, "item")), "O01");
    NEAR(json_real_value(json_object_get(g, "top3_from")), 0.5);
    NEAR(json_real_value(json_object_get(g, "top3_to")), 1);
    NEAR(json_real_value(json_object_get(g, "diff_points")), 50);
    NEAR(json_real_value(json_object_get(o, "diff_points")), -50);
    assert_true(fabs(json_real_value(json_object_get(g, "p")) - 0.1472991386226761) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(o, "p")) - 0.10247043485974938) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(g, "p_holm")) - 0.20494086971949876) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(o, "p_holm")) - 0.20494086971949876) < 1e-9);
    assert_true(json_is_false(json_object_get(g, "significant")));
    json_decref(j);
    /* Under k (5 > 4 respondents) nothing is shown. */
    j = survey_compare_json(&Lf, &from, &Lt, &to, 5);
    g = json_array_get(json_object_get(j, "items"), 0);
    assert_true(json_is_null(json_object_get(g, "top3_from")));
    assert_true(json_is_null(json_object_get(g, "p")));
    assert_true(json_is_false(json_object_get(g, "significant")));
    json_decref(j);
}

/* The drivers of center AAA (items G01 G02 T01 O01; G01 G02 growth, T01 team), with BBB as the
 * only other center (everyone answers 6, so its TOP3BOX is 1 on every item).
 * AAA: G01 1 2 3 4 5, G02 2 2 1 4 (blank), T01 6 5 4 3 2, O01 1 2 3 4 5.
 * G01 = O01: rho 1, n 5, p 0. T01 reverses O01: rho -1, p 0.
 * G02 with O01 over the 4 who answered both: x ranks 2.5 2.5 1 4, y ranks 1 2 3 4;
 * dx 0 0 -1.5 1.5, dy -1.5 -0.5 0.5 1.5: Σ dx·dy = 1.5, Σ dx² = 4.5, Σ dy² = 5,
 * rho = 1.5 / sqrt(22.5) = 1/√10. t² = 0.1 · 2 / 0.9 = 2/9 with 2 degrees of freedom, where
 * P(|T| > t) = 1 - t / sqrt(2 + t²) = 1 - sqrt((2/9) / (20/9)) = 1 - 1/√10 = 0.683772…
 * BH over 3 tests: sorted 0, 0, 0.68377 → 0.68377 · 3/3 stays; the zeros stay 0.
 * Median rho of (1, 0.316, -1) is 1/√10: G01 (rho 1 above it, TOP3 2/5 = 0.4 < BBB's 1) is a
 * priority; G02 (rho equal to the median) is not; T01 (below) is not.
 * Alpha growth over the 4 rows with G01 and G02: variances 5/3 and 4.75/3, totals 3 4 4 8
 * (mean 4.75, squares 3.0625 0.5625 0.5625 10.5625 = 14.75) → 14.75/3;
 * alpha = 2 · (1 - 9.75 / 14.75) = 40/59. Team has one item: null. */
static void test_drivers_json(void **state)
{
    (void)state;
    static const char *const ids[] = {"G01", "G02", "T01", "O01"};
    static const char *const codes[] = {"growth", "team"};
    struct survey_layout L = {.nitems = 4,
                              .item_ids = ids,
                              .nelements = 2,
                              .element_codes = codes,
                              .ranking_items = 1u << 3,
                              .happiness_item = -1};
    L.element_of[0] = L.element_of[1] = 0;
    L.element_of[2] = 1;
    L.element_of[3] = -1;
    struct survey_respondent a[] = {resp("1261"), resp("2252"), resp("3143"), resp("4434"),
                                    resp("5025")};
    struct survey_respondent b[] = {resp("6666"), resp("6666"), resp("6666"), resp("6666"),
                                    resp("6666")};
    struct survey_center_data c[] = {{.center = "AAA", .r = a, .n = 5},
                                     {.center = "BBB", .r = b, .n = 5}};
    json_t *j = survey_drivers_json(&L, c, 2, "AAA", 5);
    assert_non_null(j);
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 3);
    json_t *g01 = json_array_get(items, 0), *g02 = json_array_get(items, 1),
           *t01 = json_array_get(items, 2);
    assert_string_equal(json_string_value(json_object_get(g01, "item")), "G01");
    assert_string_equal(json_string_value(json_object_get(g02, "item")), "G02");
    assert_string_equal(json_string_value(json_object_get(t01, "item")), "T01");
    NEAR(json_real_value(json_object_get(g01, "rho")), 1);
    assert_int_equal(json_integer_value(json_object_get(g01, "n")), 5);
    NEAR(json_real_value(json_object_get(g01, "p")), 0);
    NEAR(json_real_value(json_object_get(g02, "rho")), 1 / sqrt(10));
    assert_int_equal(json_integer_value(json_object_get(g02, "n")), 4);
    NEAR(json_real_value(json_object_get(g02, "p")), 1 - 1 / sqrt(10));
    NEAR(json_real_value(json_object_get(g02, "p_adj")), 1 - 1 / sqrt(10));
    NEAR(json_real_value(json_object_get(t01, "rho")), -1);
    NEAR(json_real_value(json_object_get(t01, "p_adj")), 0);
    NEAR(json_real_value(json_object_get(g01, "top3")), 0.4);
    NEAR(json_real_value(json_object_get(g01, "others_avg")), 1);
    assert_true(json_is_true(json_object_get(g01, "priority")));
    assert_true(json_is_false(json_object_get(g02, "priority")));
    assert_true(json_is_false(json_object_get(t01, "priority")));
    json_t *alpha = json_object_get(j, "alpha");
    NEAR(json_real_value(json_object_get(alpha, "growth")), 40.0 / 59.0);
    assert_true(json_is_null(json_object_get(alpha, "team")));
    json_decref(j);
    /* With k = 6 AAA's 5 respondents show nothing. */
    j = survey_drivers_json(&L, c, 2, "AAA", 6);
    g01 = json_array_get(json_object_get(j, "items"), 0);
    assert_true(json_is_null(json_object_get(g01, "rho")));
    assert_true(json_is_null(json_object_get(g01, "n")));
    assert_true(json_is_null(json_object_get(g01, "top3")));
    assert_true(json_is_false(json_object_get(g01, "priority")));
    assert_true(json_is_null(json_object_get(json_object_get(j, "alpha"), "growth")));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spearman_ties),
        cmocka_unit_test(test_rho_p),
        cmocka_unit_test(test_bh),
        cmocka_unit_test(test_holm),
        cmocka_unit_test(test_two_prop),
        cmocka_unit_test(test_alpha),
        cmocka_unit_test(test_priority),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_drivers_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
