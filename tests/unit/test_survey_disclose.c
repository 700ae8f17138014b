/* The anonymity rules as a property: for random small centers, no combination of the published
 * figures determines the answers of a group under k.
 *
 * Every published share, mean or count is, at worst, a linear function of the answers it pools
 * (a reader who also knows n turns a share back into a sum). So the published figures of a
 * center span a space of linear combinations of the unknown answers x[r][i] (respondent r,
 * item i); a set S of answers is determined exactly when its indicator vector lies in that span.
 * The test builds the span from the real score output (every cell that shows a figure: the
 * center, every group of every attribute, items, elements, the ranking pool) of one or two
 * publications, and checks that no small set is in it: any single answer, every group (and every
 * union of two sibling groups, and every intersection of two groups of different attributes)
 * holding between 1 and k-1 answers to an item. Arithmetic is exact, modulo a large prime. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey/disclose.h"
#include "survey/score.h"

enum { G01, G02, T01, O01, H01, NITEMS };
#define NMAX   32
#define NVAR   (NMAX * NITEMS)
#define MAXVEC 512
#define K      5
#define PRIME  2305843009213693951ull /* 2^61 - 1 */

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
    L.element_of[G01] = L.element_of[G02] = 0;
    L.element_of[T01] = 1;
    L.element_of[O01] = L.element_of[H01] = -1;
    return L;
}

/* ---- exact linear algebra mod p: an echelon basis to which vectors are added and reduced ---- */

typedef uint64_t vec[NVAR];

struct basis {
    vec *row;
    int pivot[MAXVEC];
    int n;
};

static uint64_t mulmod(uint64_t a, uint64_t b)
{
    return (uint64_t)((unsigned __int128)a * b % PRIME);
}

static uint64_t powmod(uint64_t a, uint64_t e)
{
    uint64_t r = 1;
    for (; e; e >>= 1, a = mulmod(a, a))
        if (e & 1)
            r = mulmod(r, a);
    return r;
}

/* Reduces v by the basis in place; returns the first nonzero index, or -1 (v in the span). */
static int reduce(const struct basis *B, uint64_t *v)
{
    for (int b = 0; b < B->n; b++) {
        int p = B->pivot[b];
        if (v[p] == 0)
            continue;
        uint64_t f = v[p]; /* rows are normalised: row[p] == 1 */
        for (int j = 0; j < NVAR; j++)
            if (B->row[b][j])
                v[j] = (v[j] + PRIME - mulmod(f, B->row[b][j])) % PRIME;
    }
    for (int j = 0; j < NVAR; j++)
        if (v[j])
            return j;
    return -1;
}

static void add(struct basis *B, const uint64_t *in)
{
    vec v;
    memcpy(v, in, sizeof v);
    int p = reduce(B, v);
    if (p < 0)
        return;
    assert_true(B->n < MAXVEC);
    uint64_t inv = powmod(v[p], PRIME - 2);
    for (int j = 0; j < NVAR; j++)
        v[j] = mulmod(v[j], inv);
    /* Keep the basis fully reduced so reduce() is one pass in any order. */
    for (int b = 0; b < B->n; b++) {
        uint64_t f = B->row[b][p];
        if (f)
            for (int j = 0; j < NVAR; j++)
                B->row[b][j] = (B->row[b][j] + PRIME - mulmod(f, v[j])) % PRIME;
    }
    memcpy(B->row[B->n], v, sizeof v);
    B->pivot[B->n++] = p;
}

static int in_span(const struct basis *B, const uint64_t *in)
{
    vec v;
    memcpy(v, in, sizeof v);
    return reduce(B, v) < 0;
}

/* ---- random centers ------------------------------------------------------------------------- */

static uint32_t rng = 12345;
static uint32_t rnd(uint32_t n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % n;
}

static const char *const seg_v[] = {"", "a", "b"};
static const char *const team_v[] = {"", "A", "B", "C"};
static const char *const ten_v[] = {"", "1", "2"};

static void random_center(struct survey_respondent *r, int n)
{
    for (int j = 0; j < n; j++) {
        memset(&r[j], 0, sizeof r[j]);
        r[j].position = (uint8_t)(rnd(10) < 7 ? POS_OP : rnd(3) ? POS_SV : POS_MGR);
        snprintf(r[j].segment, sizeof r[j].segment, "%s", seg_v[rnd(10) < 8 ? 1 + rnd(2) : 0]);
        snprintf(r[j].team, sizeof r[j].team, "%s", team_v[rnd(10) < 9 ? 1 + rnd(3) : 0]);
        snprintf(r[j].tenure, sizeof r[j].tenure, "%s", ten_v[rnd(3)]);
        for (int i = 0; i < NITEMS; i++)
            r[j].answers[i] = (uint8_t)(rnd(100) < 12 ? 0 : 1 + rnd(6));
    }
}

/* The group key of respondent r for attribute a (0 position, 1 segment, 2 team, 3 tenure) as the
 * score output names it. */
static const char *key_of(const struct survey_respondent *r, int a)
{
    const char *v = a == 1 ? r->segment : a == 2 ? r->team : r->tenure;
    if (a == 0)
        return r->position == POS_OP ? "OP" : r->position == POS_SV ? "SV" : "MGR";
    return *v ? v : SURVEY_BLANK_GROUP;
}

static const char *const attr_names[4] = {"position", "segment", "team", "tenure"};

/* The vector of the answers to the items in mask from the respondents in member. */
static void cell_vector(const struct survey_respondent *r, int n, const unsigned char *member,
                        uint64_t mask, uint64_t *v)
{
    memset(v, 0, sizeof(vec));
    for (int j = 0; j < n; j++)
        for (int i = 0; i < NITEMS; i++)
            if (member[j] && (mask >> i & 1) && r[j].answers[i])
                v[j * NITEMS + i] = 1;
}

static int shown(json_t *cell, const char *kind, const char *id)
{
    return json_is_number(
        json_object_get(json_object_get(json_object_get(cell, kind), id), "top3"));
}

/* Adds every figure the cell shows: items, elements, the ranking pool (center only). */
static void add_cell(struct basis *B, const struct survey_layout *L,
                     const struct survey_respondent *r, int n, const unsigned char *member,
                     json_t *cell)
{
    vec v;
    for (int i = 0; i < NITEMS; i++)
        if (shown(cell, "items", ids[i])) {
            cell_vector(r, n, member, 1u << i, v);
            add(B, v);
        }
    for (int e = 0; e < 2; e++)
        if (shown(cell, "elements", codes[e])) {
            cell_vector(r, n, member, survey_element_items(L, e), v);
            add(B, v);
        }
    if (json_is_number(json_object_get(cell, "ranking_score"))) {
        cell_vector(r, n, member, L->ranking_items, v);
        add(B, v);
    }
}

/* Adds one publication (the first n of r) to the span, from the real score output. */
static void publish(struct basis *B, const struct survey_layout *L,
                    const struct survey_respondent *r, int n, int only_attr)
{
    struct survey_center_data d = {.center = "C1", .r = r, .n = (size_t)n};
    struct survey_rules R = {.k = K, .k_bench = K, .bench_min = 1, .hpb_min = 1};
    json_t *root = survey_score_json(L, &d, 1, NULL, &R);
    assert_non_null(root);
    json_t *c = json_array_get(json_object_get(root, "centers"), 0);
    unsigned char member[NMAX];
    memset(member, 1, sizeof member);
    add_cell(B, L, r, n, member, c);
    for (int a = 0; a < 4; a++) {
        const char *key;
        json_t *g;
        if (only_attr >= 0 && a != only_attr)
            continue;
        json_object_foreach(json_object_get(json_object_get(c, "groups"), attr_names[a]), key, g)
        {
            for (int j = 0; j < n; j++)
                member[j] = strcmp(key_of(&r[j], a), key) == 0;
            add_cell(B, L, r, n, member, g);
        }
    }
    json_decref(root);
}

/* Sets found determined that the rules do not cover yet (counted, not failed): see
 * check_small_sets. */
static int gaps;
static int count_gaps;

/* Fails when the answers to item i of the respondents in member (between 1 and K-1 of them)
 * are determined. */
static void expect_hidden(const struct basis *B, const struct survey_respondent *r, int n,
                          const unsigned char *member, int i, const char *what, int trial)
{
    int answers = 0;
    for (int j = 0; j < n; j++)
        answers += member[j] && r[j].answers[i];
    if (answers == 0 || answers >= K)
        return;
    vec v;
    cell_vector(r, n, member, 1u << i, v);
    if (in_span(B, v)) {
        if (count_gaps) {
            gaps++;
            return;
        }
        fail_msg("trial %d: %s, item %s: %d answers are determined by the published figures", trial,
                 what, ids[i], answers);
    }
}

static void check_small_sets(const struct basis *B, const struct survey_respondent *r, int n,
                             int trial, int only_attr)
{
    unsigned char m[NMAX];
    char what[160];
    for (int i = 0; i < NITEMS; i++) {
        for (int j = 0; only_attr < 0 && j < n; j++) { /* every single answer */
            memset(m, 0, sizeof m);
            m[j] = 1;
            snprintf(what, sizeof what, "respondent %d", j);
            expect_hidden(B, r, n, m, i, what, trial);
        }
        for (int a = 0; a < 4; a++)
            for (int b = a; b < 4; b++)
                if (only_attr < 0 || (a == only_attr && b == only_attr))
                    for (int x = 0; x < n; x++)
                        for (int y = 0; y < n; y++) {
                            /* a == b: the union of x's and y's groups (siblings); otherwise the
                             * intersection of x's group of a and y's group of b. */
                            for (int j = 0; j < n; j++) {
                                int in_x = strcmp(key_of(&r[j], a), key_of(&r[x], a)) == 0;
                                int in_y = strcmp(key_of(&r[j], b), key_of(&r[y], b)) == 0;
                                m[j] = (unsigned char)(a == b ? in_x || in_y : in_x && in_y);
                            }
                            snprintf(what, sizeof what, "%s %s %s %s %s", attr_names[a],
                                     key_of(&r[x], a), a == b ? "or" : "and", attr_names[b],
                                     key_of(&r[y], b));
                            expect_hidden(B, r, n, m, i, what, trial);
                        }
    }
}

static void test_one_publication(void **state)
{
    (void)state;
    struct survey_layout L = layout();
    struct basis B = {.row = malloc(MAXVEC * sizeof(vec))};
    assert_non_null(B.row);
    struct survey_respondent r[NMAX];
    int leaks = 0, trials = 150;
    for (int trial = 0; trial < trials; trial++) {
        int n = 5 + (int)rnd(NMAX - 5);
        random_center(r, n);
        /* Each attribute with the total: the sibling rules must hold exactly. */
        for (int a = 0; a < 4; a++) {
            B.n = 0;
            publish(&B, &L, r, n, a);
            check_small_sets(&B, r, n, trial, a);
        }
        /* All attributes together: what they give away across attributes is measured. */
        B.n = 0;
        publish(&B, &L, r, n, -1);
        count_gaps = 1;
        int before = gaps;
        check_small_sets(&B, r, n, trial, -1);
        count_gaps = 0;
        leaks += gaps > before;
    }
    print_message("one publication, all attributes together: %d of %d random centers have a set "
                  "under k determined across attributes (%d sets)\n",
                  leaks, trials, gaps);
    free(B.row);
}

/* Two publications of one center, the second let through by survey_publish_check: together
 * they determine no small set either (the differencing attack). */
static void test_two_publications(void **state)
{
    (void)state;
    struct survey_layout L = layout();
    struct basis B = {.row = malloc(MAXVEC * sizeof(vec))};
    assert_non_null(B.row);
    struct survey_respondent r[NMAX];
    int published = 0, held = 0;
    for (int trial = 0; trial < 2000 && published < 40; trial++) {
        int n = 10 + (int)rnd(NMAX - 10);
        int m = 5 + (int)rnd((uint32_t)(n - 5));
        random_center(r, n);
        /* Most random batches fail the rule; batches of whole groups pass: make every other one
         * a batch of one kind of respondent (same attributes, answers to every item). */
        if (trial % 2) {
            for (int j = m; j < n; j++) {
                r[j] = r[m];
                for (int i = 0; i < NITEMS; i++)
                    r[j].answers[i] = (uint8_t)(1 + rnd(6));
            }
            if (n - m < K)
                continue;
        }
        struct survey_center_data before = {.center = "C1", .r = r, .n = (size_t)m};
        struct survey_center_data after = {.center = "C1", .r = r, .n = (size_t)n};
        char why[300];
        int rc = survey_publish_check(&L, &before, &after, K, why, sizeof why);
        assert_true(rc == 0 || rc == -1);
        if (rc) {
            held++;
            continue;
        }
        published++;
        for (int a = 0; a < 4; a++) {
            B.n = 0;
            publish(&B, &L, r, m, a);
            publish(&B, &L, r, n, a);
            check_small_sets(&B, r, n, trial, a);
        }
    }
    print_message("two publications: %d let through and checked, %d held back\n", published, held);
    assert_true(published >= 20);
    assert_true(held > 0);
    free(B.row);
}

/* Without the publication rule, the same two readings give a newcomer away: the check is not
 * vacuous. */
static void test_unchecked_second_reading_leaks(void **state)
{
    (void)state;
    struct survey_layout L = layout();
    struct basis B = {.row = malloc(MAXVEC * sizeof(vec))};
    assert_non_null(B.row);
    struct survey_respondent r[NMAX];
    random_center(r, 20);
    for (int i = 0; i < NITEMS; i++)
        r[19].answers[i] = 4;
    publish(&B, &L, r, 19, 0);
    publish(&B, &L, r, 20, 0);
    unsigned char m[NMAX] = {0};
    m[19] = 1;
    vec v;
    cell_vector(r, 20, m, 1u << G01, v);
    assert_true(in_span(&B, v));
    struct survey_center_data before = {.center = "C1", .r = r, .n = 19};
    struct survey_center_data after = {.center = "C1", .r = r, .n = 20};
    char why[300];
    assert_int_equal(survey_publish_check(&L, &before, &after, K, why, sizeof why), -1);
    assert_non_null(strstr(why, "fewer than 5"));
    free(B.row);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unchecked_second_reading_leaks),
        cmocka_unit_test(test_one_publication),
        cmocka_unit_test(test_two_publications),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
