/* Agreement between field and headquarters: Cohen's kappa, quadratic-weighted kappa and the
 * JSON summary. Every expected figure is worked out by hand in the comment beside it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "harass/agreement.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* Quadratic weights on 5 levels, built as the caller would: w_ij = (i−j)² / 4² = (i−j)² / 16. */
static void qweights(double w[25])
{
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            w[i * 5 + j] = (double)((i - j) * (i - j)) / 16.0;
}

/* Fills a 5×5 table from (rater A, rater B) pairs. */
static void table5(long t[25], const int (*pairs)[2], int n)
{
    memset(t, 0, sizeof(long) * 25);
    for (int i = 0; i < n; i++)
        t[pairs[i][0] * 5 + pairs[i][1]]++;
}

static void test_kappa_2x2(void **state)
{
    (void)state;
    /* n = 50. po = (20 + 15) / 50 = 0.7. Rows 25, 25; columns 30, 20.
     * pe = (25·30 + 25·20) / 50² = (750 + 500) / 2500 = 0.5. κ = (0.7 − 0.5) / (1 − 0.5) = 0.4. */
    long t[4] = {20, 5, 10, 15};
    double k = -9;
    assert_int_equal(agree_kappa(t, 2, NULL, &k), 0);
    NEAR(k, 0.4);
}

static void test_kappa_3x3(void **state)
{
    (void)state;
    /* Rows (field) claim/grey/harassment = [10 2 0], [3 5 2], [1 1 6]; n = 30.
     * Diagonal 10 + 5 + 6 = 21, po = 21/30 = 0.7.
     * Rows 12, 10, 8; columns 14, 8, 8.
     * pe = (12·14 + 10·8 + 8·8) / 900 = (168 + 80 + 64) / 900 = 312/900.
     * κ = (630/900 − 312/900) / (588/900) = 318/588 = 53/98 = 0.540816… */
    long t[9] = {10, 2, 0, 3, 5, 2, 1, 1, 6};
    double k = -9;
    assert_int_equal(agree_kappa(t, 3, NULL, &k), 0);
    NEAR(k, 53.0 / 98.0);
}

static void test_kappa_perfect_and_undefined(void **state)
{
    (void)state;
    /* Perfect: po = 1, pe = (3² + 4² + 5²) / 12² = 50/144 < 1, so κ = (1 − pe) / (1 − pe) = 1. */
    long perfect[9] = {3, 0, 0, 0, 4, 0, 0, 0, 5};
    double k = -9;
    assert_int_equal(agree_kappa(perfect, 3, NULL, &k), 0);
    NEAR(k, 1.0);

    /* Every case in one cell: row and column marginal are both 7 of 7, pe = 1 → undefined, and
     * the output is left alone. */
    long one_cell[9] = {0, 0, 0, 0, 7, 0, 0, 0, 0};
    k = -9;
    assert_int_equal(agree_kappa(one_cell, 3, NULL, &k), -1);
    NEAR(k, -9);

    /* No data: n = 0 → undefined, plain and weighted. */
    long empty[25] = {0};
    double w[25];
    qweights(w);
    assert_int_equal(agree_kappa(empty, 3, NULL, &k), -1);
    assert_int_equal(agree_kappa(empty, 5, w, &k), -1);

    /* Weighted, one cell: Σ w·E = w(2,2)·E(2,2) = 0 → undefined. */
    long t[25] = {0};
    t[2 * 5 + 2] = 6;
    assert_int_equal(agree_kappa(t, 5, w, &k), -1);
}

static void test_weighted_small(void **state)
{
    (void)state;
    /* Pairs (A, B): (0,0) (1,2) (3,3) (4,2); n = 4.
     * Rows r0 = r1 = r3 = r4 = 1, r2 = 0. Columns c0 = 1, c2 = 2, c3 = 1, c1 = c4 = 0.
     * Σ w·O = [0 + (1−2)² + 0 + (4−2)²] / 16 = 5/16.
     * Σ w·E = Σ_i r_i Σ_j c_j (i−j)² / (16·4), with Σ_j c_j (i−j)² =
     *   i=0: 2·4 + 1·9 = 17;  i=1: 1·1 + 2·1 + 1·4 = 7;  i=3: 1·9 + 2·1 = 11;
     *   i=4: 1·16 + 2·4 + 1·1 = 25;  total 60 → 60/64 = 15/16.
     * κw = 1 − (5/16) / (15/16) = 1 − 1/3 = 2/3. */
    static const int pairs[4][2] = {{0, 0}, {1, 2}, {3, 3}, {4, 2}};
    long t[25];
    double w[25], k = -9;
    qweights(w);
    table5(t, pairs, 4);
    assert_int_equal(agree_kappa(t, 5, w, &k), 0);
    NEAR(k, 2.0 / 3.0);
}

static void test_weighted_perfect(void **state)
{
    (void)state;
    /* Pairs (0,0) (2,2) (4,4): Σ w·O = 0. Σ w·E = [2·(4 + 16 + 4)] / (16·3) = 48/48 = 1 > 0,
     * so κw = 1 − 0/1 = 1. */
    static const int pairs[3][2] = {{0, 0}, {2, 2}, {4, 4}};
    long t[25];
    double w[25], k = -9;
    qweights(w);
    table5(t, pairs, 3);
    assert_int_equal(agree_kappa(t, 5, w, &k), 0);
    NEAR(k, 1.0);
}

static void test_weighted_near_miss_costs_less(void **state)
{
    (void)state;
    /* Four agreements (0,0) (1,1) (2,2) (3,3) and one miss; every row total is 1 (n = 5), so
     * Σ w·E = Σ_j c_j S_j / (16·5) with S_j = Σ_i (i−j)² = 30, 15, 10, 15, 30 for j = 0…4.
     * One-level miss (4,3): columns 1,1,1,2,0 → Σ c·S = 30 + 15 + 10 + 30 = 85;
     *   Σ w·O = 1/16 = 5/80; κw = 1 − 5/85 = 16/17 = 0.941176…
     * Four-level miss (4,0): columns 2,1,1,1,0 → Σ c·S = 60 + 15 + 10 + 15 = 100;
     *   Σ w·O = 16/16 = 80/80; κw = 1 − 80/100 = 0.2. */
    static const int near[5][2] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 3}};
    static const int far[5][2] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 0}};
    long t[25];
    double w[25], kn = -9, kf = -9;
    qweights(w);
    table5(t, near, 5);
    assert_int_equal(agree_kappa(t, 5, w, &kn), 0);
    table5(t, far, 5);
    assert_int_equal(agree_kappa(t, 5, w, &kf), 0);
    NEAR(kn, 16.0 / 17.0);
    NEAR(kf, 0.2);
    assert_true(kn > kf);
}

#define PAIR(fb, fd, fv, hb, hd, hv, wk)                                                           \
    {                                                                                              \
        fb, fd, fv, hb, hd, hv, wk                                                                 \
    }

/* Eight cases over two weeks, interleaved so the week grouping is exercised:
 *  #  week  field (b,d,v)  final (b,d,v)
 *  1  W47   2 2 grey       2 3 grey
 *  5  W48   0 1 claim      0 1 claim
 *  2  W47   4 4 har        4 3 har
 *  6  W48   2 1 grey       1 1 claim
 *  3  W47   1 0 claim      1 0 claim
 *  7  W48   4 3 grey       4 4 har
 *  4  W47   3 2 grey       3 3 har
 *  8  W48   3 3 grey       2 3 grey */
static const struct agree_pair eight[8] = {
    PAIR(2, 2, 1, 2, 3, 1, "2026-W47"), PAIR(0, 1, 0, 0, 1, 0, "2026-W48"),
    PAIR(4, 4, 2, 4, 3, 2, "2026-W47"), PAIR(2, 1, 1, 1, 1, 0, "2026-W48"),
    PAIR(1, 0, 0, 1, 0, 0, "2026-W47"), PAIR(4, 3, 1, 4, 4, 2, "2026-W48"),
    PAIR(3, 2, 1, 3, 3, 2, "2026-W47"), PAIR(3, 3, 1, 2, 3, 1, "2026-W48"),
};

static void test_compute_eight(void **state)
{
    (void)state;
    struct agree_result r;
    agree_compute(eight, 8, &r);
    assert_int_equal(r.n, 8);

    /* Verdicts (field, final): (1,1) (0,0) (2,2) (1,0) (0,0) (1,2) (1,2) (1,1).
     * Confusion [field][final] = [2 0 0], [1 2 2], [0 0 1]; rows 2, 5, 1; columns 3, 2, 3.
     * agreement = (2 + 2 + 1) / 8 = 0.625.
     * pe = (2·3 + 5·2 + 1·3) / 64 = 19/64; po = 40/64; κ = 21/45 = 7/15 = 0.4666… */
    static const long conf[3][3] = {{2, 0, 0}, {1, 2, 2}, {0, 0, 1}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            assert_int_equal(r.confusion[i][j], conf[i][j]);
    NEAR(r.agreement, 0.625);
    assert_true(r.kappa_defined);
    NEAR(r.kappa, 7.0 / 15.0);

    /* Behaviour (field, final): (2,2) (0,0) (4,4) (2,1) (1,1) (4,4) (3,3) (3,2).
     * Rows r = (1,1,2,2,2), columns c = (1,2,2,1,2). Observed Σ O (i−j)² = 1 + 1 = 2.
     * T_i = Σ_j c_j (i−j)²: i=0: 2+8+9+32 = 51; i=1: 1+2+4+18 = 25; i=2: 4+2+1+8 = 15;
     *   i=3: 9+8+2+2 = 21; i=4: 16+18+8+1 = 43. Σ r_i T_i = 51+25+30+42+86 = 234.
     * Expected Σ E (i−j)² = 234/8. κw = 1 − 2 / (234/8) = 1 − 16/234 = 109/117 = 0.93162… */
    assert_true(r.kappa_b_defined);
    NEAR(r.kappa_behaviour_w, 109.0 / 117.0);

    /* Demand (field, final): (2,3) (1,1) (4,3) (1,1) (0,0) (3,4) (2,3) (3,3).
     * Rows r = (1,2,2,2,1), columns c = (1,2,0,4,1). Observed Σ O (i−j)² = 1+1+1+1 = 4.
     * T_i: i=0: 2+36+16 = 54; i=1: 1+16+9 = 26; i=2: 4+2+4+4 = 14; i=3: 9+8+1 = 18;
     *   i=4: 16+18+4 = 38. Σ r_i T_i = 54+52+28+36+38 = 208; expected 208/8 = 26.
     * κw = 1 − 4/26 = 11/13 = 0.84615… */
    assert_true(r.kappa_d_defined);
    NEAR(r.kappa_demand_w, 11.0 / 13.0);
}

static double real_at(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_true(json_is_real(v));
    return json_real_value(v);
}

static void check_week(json_t *w, const char *week, long n, double gf, double gl)
{
    assert_string_equal(json_string_value(json_object_get(w, "week")), week);
    assert_int_equal(json_integer_value(json_object_get(w, "n")), n);
    NEAR(real_at(w, "grey_field"), gf);
    NEAR(real_at(w, "grey_final"), gl);
}

static void test_json_eight(void **state)
{
    (void)state;
    struct agree_result r;
    agree_compute(eight, 8, &r);
    json_t *j = agree_json(eight, 8, &r);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 8);
    /* Rounded to 4 decimals: 0.625, 7/15 → 0.4667, 109/117 → 0.9316, 11/13 → 0.8462. */
    NEAR(real_at(j, "agreement"), 0.625);
    NEAR(real_at(j, "kappa"), 0.4667);
    NEAR(real_at(j, "kappa_behaviour_w"), 0.9316);
    NEAR(real_at(j, "kappa_demand_w"), 0.8462);

    json_t *c = json_object_get(j, "confusion"), *lab = json_object_get(c, "labels");
    assert_int_equal(json_array_size(lab), 3);
    assert_string_equal(json_string_value(json_array_get(lab, 0)), "claim");
    assert_string_equal(json_string_value(json_array_get(lab, 1)), "grey");
    assert_string_equal(json_string_value(json_array_get(lab, 2)), "harassment");
    json_t *row1 = json_array_get(json_object_get(c, "rows"), 1);
    assert_int_equal(json_array_size(json_object_get(c, "rows")), 3);
    assert_int_equal(json_integer_value(json_array_get(row1, 0)), 1);
    assert_int_equal(json_integer_value(json_array_get(row1, 1)), 2);
    assert_int_equal(json_integer_value(json_array_get(row1, 2)), 2);

    /* W47 (cases 1–4): field verdicts grey, har, claim, grey → 2/4 = 0.5;
     *   final grey, har, claim, har → 1/4 = 0.25.
     * W48 (cases 5–8): field claim, grey, grey, grey → 3/4 = 0.75;
     *   final claim, claim, har, grey → 1/4 = 0.25. */
    json_t *weeks = json_object_get(j, "weeks");
    assert_int_equal(json_array_size(weeks), 2);
    check_week(json_array_get(weeks, 0), "2026-W47", 4, 0.5, 0.25);
    check_week(json_array_get(weeks, 1), "2026-W48", 4, 0.75, 0.25);
    json_decref(j);
}

static void test_json_undefined(void **state)
{
    (void)state;
    /* Both verdicts "claim" → one verdict cell, pe = 1, kappa undefined.
     * Behaviour (0,0) (4,4): Σ w·O = 0, Σ w·E = 2·16/(16·2) = 1 → κw = 1.
     * Demand (1,1) (1,1): one cell, Σ w·E = 0 → undefined. Agreement 2/2 = 1.
     * Week: no verdict is grey, so grey_field = grey_final = 0/2 = 0. */
    static const struct agree_pair two[2] = {PAIR(0, 1, 0, 0, 1, 0, "2026-W01"),
                                             PAIR(4, 1, 0, 4, 1, 0, "2026-W01")};
    struct agree_result r;
    agree_compute(two, 2, &r);
    assert_false(r.kappa_defined);
    assert_true(r.kappa_b_defined);
    assert_false(r.kappa_d_defined);
    NEAR(r.agreement, 1.0);
    NEAR(r.kappa_behaviour_w, 1.0);
    json_t *j = agree_json(two, 2, &r);
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "kappa")));
    NEAR(real_at(j, "kappa_behaviour_w"), 1.0);
    assert_true(json_is_null(json_object_get(j, "kappa_demand_w")));
    json_t *weeks = json_object_get(j, "weeks");
    assert_int_equal(json_array_size(weeks), 1);
    check_week(json_array_get(weeks, 0), "2026-W01", 2, 0.0, 0.0);
    json_decref(j);
}

static void test_json_empty(void **state)
{
    (void)state;
    /* n = 0: every kappa undefined, agreement 0, confusion all zero, no weeks. */
    struct agree_result r;
    agree_compute(NULL, 0, &r);
    assert_int_equal(r.n, 0);
    assert_false(r.kappa_defined || r.kappa_b_defined || r.kappa_d_defined);
    NEAR(r.agreement, 0.0);
    json_t *j = agree_json(NULL, 0, &r);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 0);
    NEAR(real_at(j, "agreement"), 0.0);
    assert_true(json_is_null(json_object_get(j, "kappa")));
    assert_true(json_is_null(json_object_get(j, "kappa_behaviour_w")));
    assert_true(json_is_null(json_object_get(j, "kappa_demand_w")));
    json_t *rows = json_object_get(json_object_get(j, "confusion"), "rows");
    assert_int_equal(json_integer_value(json_array_get(json_array_get(rows, 2), 2)), 0);
    assert_true(json_is_array(json_object_get(j, "weeks")));
    assert_int_equal(json_array_size(json_object_get(j, "weeks")), 0);
    json_decref(j);
}

static void test_week_fills_buffer(void **state)
{
    (void)state;
    /* A week that fills all 12 bytes with no terminator is read up to its buffer, not beyond;
     * the grey shares are 1/1 (field grey) and 0/1 (final claim). */
    struct agree_pair p = PAIR(1, 1, 1, 1, 1, 0, "");
    memcpy(p.week, "2026-W47-xyz", sizeof p.week);
    struct agree_result r;
    agree_compute(&p, 1, &r);
    json_t *j = agree_json(&p, 1, &r);
    assert_non_null(j);
    check_week(json_array_get(json_object_get(j, "weeks"), 0), "2026-W47-xyz", 1, 1.0, 0.0);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kappa_2x2),
        cmocka_unit_test(test_kappa_3x3),
        cmocka_unit_test(test_kappa_perfect_and_undefined),
        cmocka_unit_test(test_weighted_small),
        cmocka_unit_test(test_weighted_perfect),
        cmocka_unit_test(test_weighted_near_miss_costs_less),
        cmocka_unit_test(test_compute_eight),
        cmocka_unit_test(test_json_eight),
        cmocka_unit_test(test_json_undefined),
        cmocka_unit_test(test_json_empty),
        cmocka_unit_test(test_week_fills_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
