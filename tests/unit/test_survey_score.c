/* Survey scoring: TOP3BOX, means, Wilson intervals, the anonymity rule, the other-center
 * average, the HPB and the award. Every expected figure is worked out by hand beside it.
 *
 * The layout used throughout has five items: G01, G02 (element "growth"), T01 (element
 * "team"), O01 and H01 (no element; the ranking pool, H01 the happiness item). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey/score.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

enum { G01, G02, T01, O01, H01, NITEMS };

static const char *const ids[NITEMS] = {"G01", "G02", "T01", "O01", "H01"};
static const char *const codes[2] = {"growth", "team"};

static struct survey_layout layout(void)
{
    struct survey_layout L = {.nitems = NITEMS,
                              .item_ids = ids,
                              .nelements = 2,
                              .element_codes = codes,
                              .ranking_items = (1u << O01) | (1u << H01),
                              .happiness_item = H01};
    L.element_of[G01] = 0;
    L.element_of[G02] = 0;
    L.element_of[T01] = 1;
    L.element_of[O01] = -1;
    L.element_of[H01] = -1;
    return L;
}

/* The rules with threshold k and no minimum of benchmark centers (most tests here check the
 * arithmetic with a few centers; test_benchmark_minimums checks the minimums). */
static const struct survey_rules *rules(int k)
{
    static struct survey_rules R[8];
    static int next;
    struct survey_rules *x = &R[next++ % 8];
    *x = (struct survey_rules){.k = k, .k_bench = k, .bench_min = 1, .hpb_min = 1};
    return x;
}

/* One respondent; answers is five digits in item order, '0' for a blank. */
static struct survey_respondent resp(int pos, const char *answers, const char *segment,
                                     const char *team, const char *tenure)
{
    struct survey_respondent r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < NITEMS; i++)
        r.answers[i] = (uint8_t)(answers[i] - '0');
    r.position = (uint8_t)pos;
    snprintf(r.segment, sizeof r.segment, "%s", segment);
    snprintf(r.team, sizeof r.team, "%s", team);
    snprintf(r.tenure, sizeof r.tenure, "%s", tenure);
    return r;
}

static struct survey_center_data center(const char *code, const struct survey_respondent *r,
                                        size_t n, int64_t ops_enrolled)
{
    struct survey_center_data c;
    memset(&c, 0, sizeof c);
    snprintf(c.center, sizeof c.center, "%s", code);
    c.operators_enrolled = ops_enrolled;
    c.r = r;
    c.n = n;
    return c;
}

/* A slash-separated path into nested objects: "items/G01/top3". */
static json_t *jpath(json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, "/", &save); k && o; k = strtok_r(NULL, "/", &save))
        o = json_object_get(o, k);
    return o;
}

static void expect_real(json_t *o, const char *path, double x)
{
    json_t *v = jpath(o, path);
    if (!json_is_real(v))
        fail_msg("%s is not a number", path);
    NEAR(json_real_value(v), x);
}

static void expect_null(json_t *o, const char *path)
{
    json_t *v = jpath(o, path);
    if (!json_is_null(v))
        fail_msg("%s is not null", path);
}

static void expect_bool(json_t *o, const char *path, int b)
{
    json_t *v = jpath(o, path);
    assert_true(json_is_boolean(v));
    assert_int_equal(json_is_true(v), b);
}

static void expect_int(json_t *o, const char *path, long x)
{
    json_t *v = jpath(o, path);
    assert_true(json_is_integer(v));
    assert_int_equal(json_integer_value(v), x);
}

static json_t *center_of(json_t *root, const char *code)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(root, "centers"), i,
                       c) if (strcmp(json_string_value(json_object_get(c, "center")), code) ==
                              0) return c;
    fail_msg("center %s missing", code);
    return NULL;
}

/* ---- TOP3BOX, mean, pooling ------------------------------------------------------------------ */

static void test_top3_with_blanks(void **state)
{
    (void)state;
    /* G01 answers 6, 4, 3, blank, 1, 5: valid 5 (the blank is left out), 4–6: 6, 4, 5 = 3.
     * TOP3BOX = 3/5 = 0.6. Mean = (6 + 4 + 3 + 1 + 5) / 5 = 19/5 = 3.8. */
    struct survey_respondent r[6] = {
        resp(POS_OP, "60000", "", "", ""), resp(POS_OP, "40000", "", "", ""),
        resp(POS_OP, "30000", "", "", ""), resp(POS_OP, "00000", "", "", ""),
        resp(POS_OP, "10000", "", "", ""), resp(POS_OP, "50000", "", "", ""),
    };
    struct survey_tally t;
    struct survey_stat s;
    double v = -1;
    survey_tally_init(&t);
    survey_tally_count(&t, r, 6, NITEMS);
    assert_int_equal(t.respondents, 6);
    assert_int_equal(t.count[G01][0], 1);
    assert_int_equal(t.count[G01][6], 1);
    survey_stat_items(&t, 1u << G01, &s);
    assert_int_equal(s.n, 5);
    assert_int_equal(s.top3, 3);
    assert_int_equal(s.sum, 19);
    assert_int_equal(survey_top3(&s, &v), 0);
    NEAR(v, 0.6);
    assert_int_equal(survey_mean(&s, &v), 0);
    NEAR(v, 3.8);
    /* G02 is blank for everyone: no valid answer, so no figure, and v is left alone. */
    survey_stat_items(&t, 1u << G02, &s);
    assert_int_equal(s.n, 0);
    v = -1;
    assert_int_equal(survey_top3(&s, &v), -1);
    assert_int_equal(survey_mean(&s, &v), -1);
    NEAR(v, -1);
}

static void test_element_pooled_not_mean(void **state)
{
    (void)state;
    /* G01: 5, 5, 5, 2, blank → 3 of 4 = 0.75.  G02: 1, 2, blank, blank, blank → 0 of 2 = 0.
     * Mean of the item scores = (0.75 + 0) / 2 = 0.375, but the element pools the answers:
     * (3 + 0) / (4 + 2) = 3/6 = 0.5. The arithmetic with k = 2 (at 5, G01's 4 answers and
     * G02's 2 would hide: test_item_below_k). */
    struct survey_respondent r[5] = {
        resp(POS_OP, "51000", "", "", ""), resp(POS_OP, "52000", "", "", ""),
        resp(POS_OP, "50000", "", "", ""), resp(POS_OP, "20000", "", "", ""),
        resp(POS_OP, "00000", "", "", ""),
    };
    struct survey_layout L = layout();
    struct survey_tally t;
    struct survey_stat s;
    double v;
    survey_tally_init(&t);
    survey_tally_count(&t, r, 5, NITEMS);
    assert_true(survey_element_items(&L, 0) == ((1u << G01) | (1u << G02)));
    survey_stat_items(&t, survey_element_items(&L, 0), &s);
    assert_int_equal(s.n, 6);
    assert_int_equal(s.top3, 3);
    assert_int_equal(survey_top3(&s, &v), 0);
    NEAR(v, 0.5);

    struct survey_center_data c = center("C1", r, 5, 0);
    json_t *root = survey_score_json(&L, &c, 1, NULL, rules(2));
    assert_non_null(root);
    json_t *x = center_of(root, "C1");
    expect_real(x, "items/G01/top3", 0.75);
    expect_int(x, "items/G01/n", 4);
    expect_real(x, "items/G02/top3", 0.0);
    expect_int(x, "items/G02/n", 2);
    expect_real(x, "elements/growth/top3", 0.5);
    expect_int(x, "elements/growth/n", 6);
    /* G01 mean = (5 + 5 + 5 + 2) / 4 = 17/4 = 4.25. */
    expect_real(x, "items/G01/mean", 4.25);
    /* T01 has no valid answer: the center is shown but the item has no figure. */
    expect_null(x, "items/T01/top3");
    expect_int(x, "items/T01/n", 0);
    /* The only center: nothing to compare with. */
    expect_null(x, "items/G01/others_avg");
    expect_null(x, "items/G01/hpb");
    expect_null(x, "elements/growth/hpb");
    expect_null(x, "ranking_others_avg");
    json_decref(root);
}

/* ---- Wilson --------------------------------------------------------------------------------- */

static void test_wilson(void **state)
{
    (void)state;
    double lo = -1, hi = -1;
    /* 7 of 10, z = 1.959963984540054, z² = 3.8414588206941254, p = 0.7, n = 10.
     * denominator 1 + z²/n = 1.38414588206941254.
     * centre = (p + z²/2n) / denom = (0.7 + 0.19207294103470627) / 1.38414588206941254
     *        = 0.89207294103470627 / 1.38414588206941254 = 0.6444934400274221.
     * half = z · √(p(1−p)/n + z²/4n²) / denom = 1.959963984540054 · √(0.021 + 0.0096036470517353)
     *      / 1.38414588206941254 = 1.959963984540054 · 0.17493898093831264 / 1.38414588206941254
     *      = 0.2477152925662768.
     * low = 0.39677814746114537, high = 0.8922087325936989. */
    assert_int_equal(survey_wilson(7, 10, &lo, &hi), 0);
    NEAR(lo, 0.39677814746114537);
    NEAR(hi, 0.8922087325936989);
    /* 0 of 5: centre = half = (z²/10) / (1 + z²/5) = 0.38414588206941254 / 1.76829176413882508
     * = 0.21724123239158738, so low = 0 and high = 0.43448246478317476. */
    assert_int_equal(survey_wilson(0, 5, &lo, &hi), 0);
    NEAR(lo, 0.0);
    NEAR(hi, 0.43448246478317476);
    /* No answers, or impossible counts: undefined, nothing written. */
    lo = hi = -1;
    assert_int_equal(survey_wilson(0, 0, &lo, &hi), -1);
    assert_int_equal(survey_wilson(6, 5, &lo, &hi), -1);
    NEAR(lo, -1);
}

/* ---- anonymity ------------------------------------------------------------------------------ */

static void test_suppress_rules(void **state)
{
    (void)state;
    int s[4];
    /* Only group, below k: hidden, and no sibling to add. */
    long one[1] = {3};
    memset(s, 0, sizeof s);
    survey_hide_siblings(one, 1, 5, s);
    assert_int_equal(s[0], 1);
    /* Exactly k is enough: 5 and 6 both shown. */
    long ok[2] = {5, 6};
    memset(s, 0, sizeof s);
    survey_hide_siblings(ok, 2, 5, s);
    assert_int_equal(s[0] + s[1], 0);
    /* 10, 3, 8: only the 3 is below k, so the next-smallest (8) goes too; 10 stays. */
    long single[3] = {10, 3, 8};
    memset(s, 0, sizeof s);
    survey_hide_siblings(single, 3, 5, s);
    assert_int_equal(s[0], 0);
    assert_int_equal(s[1], 1);
    assert_int_equal(s[2], 1);
    /* 10, 3, 4, 8: the hidden ones hold 7 ≥ k together; nothing more. */
    long two[4] = {10, 3, 4, 8};
    memset(s, 0, sizeof s);
    survey_hide_siblings(two, 4, 5, s);
    assert_int_equal(s[0], 0);
    assert_int_equal(s[1], 1);
    assert_int_equal(s[2], 1);
    assert_int_equal(s[3], 0);
    /* 10, 1, 1, 8: two hidden but only 2 together — total minus the visible would give those two
     * people's answers — so the 8 goes too. */
    long pair[4] = {10, 1, 1, 8};
    memset(s, 0, sizeof s);
    survey_hide_siblings(pair, 4, 5, s);
    assert_int_equal(s[0], 0);
    assert_int_equal(s[1], 1);
    assert_int_equal(s[2], 1);
    assert_int_equal(s[3], 1);
    /* 3, 8, 8: of the equal next-smallest, the first. */
    long tie[3] = {3, 8, 8};
    memset(s, 0, sizeof s);
    survey_hide_siblings(tie, 3, 5, s);
    assert_int_equal(s[0], 1);
    assert_int_equal(s[1], 1);
    assert_int_equal(s[2], 0);
    /* A group hidden from above (its center) counts: 6 hidden + 2 → nothing more to hide. */
    long pre[2] = {6, 9};
    s[0] = 1;
    s[1] = 0;
    survey_hide_siblings(pre, 2, 5, s);
    assert_int_equal(s[1], 0);
    /* Empty groups are never hidden to make up k. */
    long empty[3] = {2, 0, 9};
    memset(s, 0, sizeof s);
    survey_hide_siblings(empty, 3, 5, s);
    assert_int_equal(s[2], 1);
}

/* 15 respondents: i < 10 OP, else SV; team A (0–5), B (6–10), C (11–14); segment "x" for
 * i < 12, empty for the last 3; tenure 1y (0–2), 2y (3–4), 3y (5–14). G01 = 5 for i < 3, else 2. */
static void groups_wave(struct survey_respondent r[15])
{
    for (int i = 0; i < 15; i++)
        r[i] = resp(i < 10 ? POS_OP : POS_SV, i < 3 ? "50000" : "20000", i < 12 ? "x" : "",
                    i < 6    ? "A"
                    : i < 11 ? "B"
                             : "C",
                    i < 3   ? "1y"
                    : i < 5 ? "2y"
                            : "3y");
}

static void test_groups_json(void **state)
{
    (void)state;
    struct survey_respondent r[15];
    struct survey_layout L = layout();
    groups_wave(r);
    struct survey_center_data c = center("C1", r, 15, 0);
    json_t *root = survey_score_json(&L, &c, 1, NULL, rules(5));
    assert_non_null(root);
    json_t *x = center_of(root, "C1");
    /* Center: G01 3 of 15 = 0.2. */
    expect_bool(x, "suppressed", 0);
    expect_real(x, "items/G01/top3", 0.2);
    /* Position OP 10, SV 5: both at least k. OP G01 = 3 of 10 = 0.3; SV 0 of 5 = 0. */
    expect_bool(x, "groups/position/OP/suppressed", 0);
    expect_int(x, "groups/position/OP/respondents", 10);
    expect_real(x, "groups/position/OP/items/G01/top3", 0.3);
    expect_real(x, "groups/position/SV/items/G01/top3", 0.0);
    expect_real(x, "groups/position/OP/elements/growth/top3", 0.3); /* G02 all blank: adds none */
    assert_null(jpath(x, "groups/position/MGR"));
    /* Team A 6, B 5, C 4: C alone is below k, so B (next smallest) is hidden with it.
     * A: G01 = 3 of 6 = 0.5. */
    expect_bool(x, "groups/team/A/suppressed", 0);
    expect_real(x, "groups/team/A/items/G01/top3", 0.5);
    expect_bool(x, "groups/team/B/suppressed", 1);
    expect_null(x, "groups/team/B/items/G01/top3");
    expect_bool(x, "groups/team/C/suppressed", 1);
    expect_null(x, "groups/team/C/elements/growth/top3");
    expect_int(x, "groups/team/C/respondents", 4);
    /* Segment: "x" (12) and the 3 with no segment, a group of their own: it is below k, and the
     * total minus "x" would give those 3, so "x" is hidden too. */
    assert_int_equal(json_object_size(jpath(x, "groups/segment")), 2);
    expect_bool(x, "groups/segment/x/suppressed", 1);
    expect_null(x, "groups/segment/x/items/G01/top3");
    expect_int(x, "groups/segment/x/respondents", 12);
    expect_bool(x, "groups/segment/" SURVEY_BLANK_GROUP "/suppressed", 1);
    expect_int(x, "groups/segment/" SURVEY_BLANK_GROUP "/respondents", 3);
    /* Tenure 1y 3, 2y 2, 3y 10: two hidden already, 3y stays; G01 there = 0 of 10 = 0. */
    expect_bool(x, "groups/tenure/1y/suppressed", 1);
    expect_bool(x, "groups/tenure/2y/suppressed", 1);
    expect_bool(x, "groups/tenure/3y/suppressed", 0);
    expect_real(x, "groups/tenure/3y/items/G01/top3", 0.0);
    json_decref(root);
}

static void test_center_below_k(void **state)
{
    (void)state;
    struct survey_respondent r[15];
    struct survey_layout L = layout();
    groups_wave(r);
    /* The first 4 only: below k = 5, so the center and all its groups show no figures. */
    struct survey_center_data c = center("C1", r, 4, 0);
    json_t *root = survey_score_json(&L, &c, 1, NULL, rules(5));
    json_t *x = center_of(root, "C1");
    expect_bool(x, "suppressed", 1);
    expect_int(x, "respondents", 4);
    expect_null(x, "items/G01/top3");
    expect_null(x, "items/G01/mean");
    expect_null(x, "items/G01/n");
    expect_null(x, "items/G01/ci_low");
    expect_null(x, "elements/growth/top3");
    expect_null(x, "ranking_score");
    expect_bool(x, "groups/position/OP/suppressed", 1);
    expect_null(x, "groups/position/OP/items/G01/top3");
    json_decref(root);
    /* With k = 3 the same 4 show: G01 = 3 of 4 = 0.75 (i = 0–2 answered 5, i = 3 answered 2). */
    root = survey_score_json(&L, &c, 1, NULL, rules(3));
    x = center_of(root, "C1");
    expect_bool(x, "suppressed", 0);
    expect_real(x, "items/G01/top3", 0.75);
    json_decref(root);
}

/* ---- other centers and HPB ---------------------------------------------------------------------
 */

/* n respondents of which the first top answer 5 to everything and the rest 2; t01 overrides T01
 * for all of them when not 0. */
static void fill(struct survey_respondent *r, int n, int top, char t01)
{
    for (int i = 0; i < n; i++) {
        char a[NITEMS + 1];
        memset(a, i < top ? '5' : '2', NITEMS);
        a[NITEMS] = '\0';
        if (t01)
            a[T01] = t01;
        r[i] = resp(POS_OP, a, "", "", "");
    }
}

static void test_others_and_hpb(void **state)
{
    (void)state;
    /* A–E have 5 respondents each, 5/4/3/2/1 of them answering 5 to everything: every item,
     * element and ranking score is 1.0, 0.8, 0.6, 0.4, 0.2 — except T01 in A, all answered 1 → 0.
     * F has 4 respondents (below k), all 6: left out of every comparison. */
    static struct survey_respondent ra[5], rb[5], rc[5], rd[5], re[5], rf[4];
    fill(ra, 5, 5, '1');
    fill(rb, 5, 4, 0);
    fill(rc, 5, 3, 0);
    fill(rd, 5, 2, 0);
    fill(re, 5, 1, 0);
    fill(rf, 4, 4, 0);
    for (int i = 0; i < 4; i++)
        memset(rf[i].answers, 6, NITEMS);
    struct survey_center_data c[6] = {center("C", rc, 5, 0), center("A", ra, 5, 0),
                                      center("F", rf, 4, 0), center("E", re, 5, 0),
                                      center("B", rb, 5, 0), center("D", rd, 5, 0)};
    struct survey_layout L = layout();
    json_t *root = survey_score_json(&L, c, 6, NULL, rules(5));
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "centers")), 6);

    /* HPB: 5 centers with figures, ceil(5 × 25 %) = 2, raised to the least of 3 → the top three
     * by ranking score, A (1.0), B (0.8), C (0.6). Ranking and O01: 2.4 / 3 = 0.8. T01: the top
     * three are chosen by ranking score, not by T01, so (0 + 0.8 + 0.6) / 3 = 0.467 (rounded to
     * 3 places); element team the same. */
    json_t *a = center_of(root, "A");
    expect_real(a, "ranking_score", 1.0);
    expect_real(a, "ranking_hpb", 0.8);
    expect_real(a, "items/O01/hpb", 0.8);
    expect_real(a, "items/T01/hpb", 0.467);
    expect_real(a, "elements/team/hpb", 0.467);
    expect_real(a, "elements/growth/hpb", 0.8);
    /* Others for A: (0.8 + 0.6 + 0.4 + 0.2) / 4 = 2.0 / 4 = 0.5 for the ranking and for T01. */
    expect_real(a, "ranking_others_avg", 0.5);
    expect_real(a, "items/T01/others_avg", 0.5);
    expect_real(a, "items/T01/top3", 0.0);
    /* Others for B: T01 (0 + 0.6 + 0.4 + 0.2) / 4 = 1.2 / 4 = 0.3; ranking (1 + .6 + .4 + .2) / 4
     * = 2.2 / 4 = 0.55. */
    json_t *b = center_of(root, "B");
    expect_real(b, "items/T01/others_avg", 0.3);
    expect_real(b, "ranking_others_avg", 0.55);
    /* Others for C: (1.0 + 0.8 + 0.4 + 0.2) / 4 = 2.4 / 4 = 0.6 (F's 1.0 is not in it). */
    json_t *cc = center_of(root, "C");
    expect_real(cc, "ranking_others_avg", 0.6);
    expect_real(cc, "elements/growth/others_avg", 0.6);
    expect_real(cc, "ranking_hpb", 0.8);
    /* F itself shows nothing, but its comparisons are all five: (1 + .8 + .6 + .4 + .2) / 5 = 0.6;
     * HPB still 0.8. */
    json_t *f = center_of(root, "F");
    expect_bool(f, "suppressed", 1);
    expect_null(f, "ranking_score");
    expect_null(f, "items/O01/top3");
    expect_real(f, "ranking_others_avg", 0.6);
    expect_real(f, "items/O01/others_avg", 0.6);
    expect_real(f, "items/O01/hpb", 0.8);
    json_decref(root);

    /* Only C in the output; the comparisons are the same. */
    root = survey_score_json(&L, c, 6, "C", rules(5));
    assert_int_equal(json_array_size(json_object_get(root, "centers")), 1);
    cc = center_of(root, "C");
    expect_real(cc, "ranking_others_avg", 0.6);
    expect_real(cc, "ranking_hpb", 0.8);
    json_decref(root);

    /* A and F only: F is below k, so A has no other center — null, not its own figures. */
    struct survey_center_data two[2] = {center("A", ra, 5, 0), center("F", rf, 4, 0)};
    root = survey_score_json(&L, two, 2, "A", rules(5));
    a = center_of(root, "A");
    expect_null(a, "ranking_others_avg");
    expect_null(a, "ranking_hpb");
    expect_null(a, "items/O01/others_avg");
    expect_null(a, "items/O01/hpb");
    json_decref(root);
}

/* The minimum numbers of centers behind a benchmark, and membership that a request cannot move. */
static void test_benchmark_minimums(void **state)
{
    (void)state;
    /* Nine centers of 5 (answers 5 by 0..5 of them, cycling) and a tenth of 2 respondents who
     * answered 6 everywhere (below k). */
    static struct survey_respondent r[9][5], small[2];
    struct survey_center_data c[10];
    char names[10][4];
    for (int j = 0; j < 9; j++) {
        fill(r[j], 5, j % 6, 0);
        snprintf(names[j], sizeof names[j], "C%d", j);
        c[j] = center(names[j], r[j], 5, 0);
    }
    fill(small, 2, 2, 0);
    for (int i = 0; i < 2; i++)
        memset(small[i].answers, 6, NITEMS);
    c[9] = center("Z", small, 2, 0);
    struct survey_layout L = layout();
    struct survey_rules R = survey_rules_make(5, 0);
    assert_int_equal(R.bench_min, SURVEY_BENCH_MIN_CENTERS);
    assert_int_equal(R.hpb_min, SURVEY_HPB_MIN_CENTERS);

    /* 4 other centers with figures: no other-center average; 5 with a ranking score: no HPB. */
    json_t *root = survey_score_json(&L, c, 5, "C0", &R);
    json_t *x = center_of(root, "C0");
    expect_null(x, "items/O01/others_avg");
    expect_null(x, "ranking_others_avg");
    expect_null(x, "ranking_hpb");
    json_decref(root);
    /* 6 centers: others for C0 from 5 (shown); HPB still needs 8. */
    root = survey_score_json(&L, c, 6, "C0", &R);
    x = center_of(root, "C0");
    assert_true(json_is_real(jpath(x, "ranking_others_avg")));
    expect_null(x, "ranking_hpb");
    json_decref(root);

    /* All ten: the 2-respondent center Z counts nowhere, whatever k a request asks for — the
     * same others_avg and HPB at k 5, 6 and 50 (a reader comparing two k values learns nothing). */
    root = survey_score_json(&L, c, 10, "C0", &R);
    x = center_of(root, "C0");
    double avg = json_real_value(jpath(x, "ranking_others_avg"));
    double top = json_real_value(jpath(x, "ranking_hpb"));
    assert_true(json_is_real(jpath(x, "ranking_hpb")));
    json_decref(root);
    int asks[] = {1, 2, 6, 50};
    for (size_t a = 0; a < sizeof asks / sizeof *asks; a++) {
        struct survey_rules Q = survey_rules_make(5, asks[a]);
        assert_true(Q.k >= 5);
        assert_int_equal(Q.k_bench, 5);
        root = survey_score_json(&L, c, 10, "C0", &Q);
        x = center_of(root, "C0");
        /* A raised k hides C0's own figures (5 < 6), never moves the benchmarks. */
        if (Q.k > 5)
            expect_null(x, "ranking_score");
        NEAR(json_real_value(jpath(x, "ranking_others_avg")), avg);
        NEAR(json_real_value(jpath(x, "ranking_hpb")), top);
        json_decref(root);
    }
    /* A request never lowers k: asking for 1 still hides Z. */
    struct survey_rules Q = survey_rules_make(5, 1);
    root = survey_score_json(&L, c, 10, "Z", &Q);
    expect_null(center_of(root, "Z"), "ranking_score");
    json_decref(root);
    /* An installation k below the least allowed falls back to the default. */
    assert_int_equal(survey_rules_make(1, 0).k, SURVEY_K_DEFAULT);
    assert_int_equal(survey_rules_make(7, 3).k, 7);
}

/* An item with fewer than k answers shows nothing, and a pool with it shows nothing. */
static void test_item_below_k(void **state)
{
    (void)state;
    /* 8 respondents; G02 answered by 2 of them only. */
    struct survey_respondent r[8];
    for (int i = 0; i < 8; i++)
        r[i] = resp(POS_OP, i < 2 ? "55555" : "50555", "", "", "");
    struct survey_center_data c = center("C1", r, 8, 0);
    struct survey_layout L = layout();
    json_t *root = survey_score_json(&L, &c, 1, NULL, rules(5));
    json_t *x = center_of(root, "C1");
    expect_real(x, "items/G01/top3", 1.0);
    expect_null(x, "items/G02/top3");
    expect_null(x, "items/G02/mean");
    expect_null(x, "elements/growth/top3"); /* G01 + G02 pooled, minus G01 = the two G02 */
    expect_real(x, "elements/team/top3", 1.0);
    json_decref(root);
}

/* ---- award ------------------------------------------------------------------------------------
 */

static void test_division_boundaries(void **state)
{
    (void)state;
    assert_null(survey_division(0));
    assert_null(survey_division(19));
    assert_string_equal(survey_division(20), "A");
    assert_string_equal(survey_division(100), "A");
    assert_string_equal(survey_division(101), "B");
    assert_string_equal(survey_division(5000), "B");
}

struct spec {
    const char *code;
    int64_t enrolled;
    int ops, others;
    const char *answers; /* everyone's five answers */
};

/* Scores (ranking pool O01 + H01):
 *   "00052": O01 top, H01 not → (n + 0) / 2n = 0.5, H01 = 0.
 *   "00025": O01 not, H01 top → 0.5, H01 = 1.
 *   "00055": both top → 1.0. */
static const struct spec award_specs[] = {
    /* 100 enrolled: A. 90 / 100 = 90 %; non-operators 10 / 100 = exactly 10 %. Eligible, 0.5,
     * H01 0, and the most respondents (100) of its division. */
    {"A1", 100, 90, 10, "00052"},
    /* 100 enrolled: A. 70 / 100 = exactly 70 %; 8 / 78 = 10.3 %. Eligible, 0.5, H01 1, n 78. */
    {"A2", 100, 70, 8, "00025"},
    /* 40 enrolled: 28 / 40 = 70 %; 4 / 32 = 12.5 %. Eligible, 0.5, H01 1, n 32. */
    {"A5", 40, 28, 4, "00025"},
    /* The same as A5 in every key: it shares A5's rank. */
    {"A6", 40, 28, 4, "00025"},
    /* 69 / 100 = 69 % < 70 %: response_rate only (8 / 77 = 10.4 %). */
    {"A3", 100, 69, 8, "00055"},
    /* 20 enrolled: A. 20 / 20 = 100 %, but non-operators 2 / 22 = 9.1 % < 10 %. */
    {"A4", 20, 20, 2, "00055"},
    /* 101 enrolled: B. 80 / 101 = 79 %; 10 / 90 = 11.1 %. Eligible, 0.5. */
    {"B1", 101, 80, 10, "00052"},
    /* 150: B. 110 / 150 = 73 %; 20 / 130 = 15 %. Eligible, 1.0 — rank 1 in B, though it would
     * lead A too: divisions are ranked apart. */
    {"B3", 150, 110, 20, "00055"},
    /* 19 operator responses, 19 / 200 = 9.5 %, 1 / 20 = 5 %: three reasons. */
    {"B2", 200, 19, 1, "00055"},
    /* 19 enrolled: no division; 19 responses < 20. Rate 100 %, share 3 / 22 = 13.6 % pass. */
    {"N1", 19, 19, 3, "00055"},
    /* Nobody enrolled, 3 operator responses: every rule fails, and 3 < k hides the score. */
    {"N0", 0, 3, 0, "00055"},
};
#define NSPECS (sizeof award_specs / sizeof award_specs[0])

static void check_entry(json_t *e, const char *code, const char *division, int rank,
                        const char *reasons)
{
    assert_string_equal(json_string_value(json_object_get(e, "center")), code);
    json_t *d = json_object_get(e, "division");
    if (division)
        assert_string_equal(json_string_value(d), division);
    else
        assert_true(json_is_null(d));
    if (rank)
        expect_int(e, "rank", rank);
    else
        expect_null(e, "rank");
    expect_bool(e, "eligible", rank != 0);
    /* reasons as one comma-joined string */
    char buf[256] = "";
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(e, "reasons"), i, r)
    {
        if (i)
            strncat(buf, ",", sizeof buf - strlen(buf) - 1);
        strncat(buf, json_string_value(r), sizeof buf - strlen(buf) - 1);
    }
    assert_string_equal(buf, reasons);
}

static void test_award(void **state)
{
    (void)state;
    struct survey_center_data c[NSPECS];
    struct survey_respondent *all[NSPECS];
    for (size_t s = 0; s < NSPECS; s++) {
        const struct spec *p = &award_specs[s];
        int n = p->ops + p->others;
        all[s] = calloc((size_t)n, sizeof *all[s]);
        assert_non_null(all[s]);
        for (int i = 0; i < n; i++)
            all[s][i] = resp(i < p->ops ? POS_OP : POS_SV, p->answers, "", "", "");
        c[s] = center(p->code, all[s], (size_t)n, p->enrolled);
    }
    struct survey_layout L = layout();
    json_t *root = survey_rank_json(&L, c, NSPECS, rules(5));
    assert_non_null(root);
    json_t *e = json_object_get(root, "entries");
    assert_int_equal(json_array_size(e), NSPECS);
    /* A: A1, A2, A5, A6 all score 0.5. H01 comes before respondents: A1 has H01 0, the rest 1,
     * so A1 is last although it has the most respondents (100). Among A2 (78 respondents), A5
     * and A6 (32 each) more respondents win: A2 1; A5 and A6 equal in everything share 2; A1 is
     * 4th. Then the ineligible by code. */
    check_entry(json_array_get(e, 0), "A2", "A", 1, "");
    check_entry(json_array_get(e, 1), "A5", "A", 2, "");
    check_entry(json_array_get(e, 2), "A6", "A", 2, "");
    check_entry(json_array_get(e, 3), "A1", "A", 4, "");
    check_entry(json_array_get(e, 4), "A3", "A", 0, "response_rate");
    check_entry(json_array_get(e, 5), "A4", "A", 0, "non_operator_share");
    /* B: B3 (1.0) 1, B1 (0.5) 2, B2 not ranked. */
    check_entry(json_array_get(e, 6), "B3", "B", 1, "");
    check_entry(json_array_get(e, 7), "B1", "B", 2, "");
    check_entry(json_array_get(e, 8), "B2", "B", 0,
                "operator_responses,response_rate,non_operator_share");
    check_entry(json_array_get(e, 9), "N0", NULL, 0,
                "division,operator_responses,response_rate,non_operator_share,respondents");
    check_entry(json_array_get(e, 10), "N1", NULL, 0, "division,operator_responses");

    json_t *a2 = json_array_get(e, 0);
    expect_real(a2, "score", 0.5);
    expect_int(a2, "respondents", 78);
    expect_int(a2, "operator_responses", 70);
    expect_real(a2, "response_rate", 0.7);
    expect_real(a2, "non_operator_share", 0.103); /* 8 / 78, rounded to 0.1 % */
    expect_real(json_array_get(e, 6), "score", 1.0);
    /* Not ranked, but with figures: A3's score shows (1.0). */
    expect_real(json_array_get(e, 4), "score", 1.0);
    json_t *n0 = json_array_get(e, 9);
    expect_null(n0, "score");
    expect_null(n0, "response_rate");
    expect_real(n0, "non_operator_share", 0.0);
    json_decref(root);
    for (size_t s = 0; s < NSPECS; s++)
        free(all[s]);
}

static void test_bad_layout(void **state)
{
    (void)state;
    struct survey_layout L = layout();
    L.element_of[G01] = 2; /* only two elements */
    assert_null(survey_score_json(&L, NULL, 0, NULL, rules(5)));
    L = layout();
    L.ranking_items |= 1u << NITEMS; /* past the last item */
    assert_null(survey_rank_json(&L, NULL, 0, rules(5)));
    L = layout();
    json_t *root = survey_rank_json(&L, NULL, 0, rules(5));
    assert_int_equal(json_array_size(json_object_get(root, "entries")), 0);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top3_with_blanks),
        cmocka_unit_test(test_element_pooled_not_mean),
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_suppress_rules),
        cmocka_unit_test(test_groups_json),
        cmocka_unit_test(test_center_below_k),
        cmocka_unit_test(test_others_and_hpb),
        cmocka_unit_test(test_benchmark_minimums),
        cmocka_unit_test(test_item_below_k),
        cmocka_unit_test(test_division_boundaries),
        cmocka_unit_test(test_award),
        cmocka_unit_test(test_bad_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
