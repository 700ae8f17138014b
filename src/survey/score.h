/* score: the arithmetic of a survey wave — TOP3BOX (share of answers 4–6 among valid answers
 * 1–6), means and Wilson intervals per item and per element, results by group with the anonymity
 * rule, the other-center average and the high-performance benchmark (HPB), and the award
 * divisions, rules and ranking. Pure computation over packed respondents: nothing here reads the
 * questionnaire, touches the store, prints or exits. The caller describes the questionnaire in a
 * struct survey_layout, so this file stays independent of how the questionnaire is loaded. */
#ifndef IKIIKI_SURVEY_SCORE_H
#define IKIIKI_SURVEY_SCORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "survey/disclose.h"
#include "survey/survey.h"

/* The Wilson interval's z for 95 % (the 0.975 quantile of the standard normal). */
#define SURVEY_Z95 1.959963984540054
/* Distinct values of one text attribute (segment, team, tenure) that one center may have. A wave
 * with more is not real data; the attribute is then reported as null instead of growing memory
 * without bound. */
#define SURVEY_MAX_GROUPS 2000
/* Award rules. */
#define SURVEY_DIV_A_MIN     20  /* enrolled operators for division A (20–100) */
#define SURVEY_DIV_B_MIN     101 /* enrolled operators for division B (101 or more) */
#define SURVEY_AWARD_MIN_OPS 20  /* operator responses */
#define SURVEY_AWARD_RATE    70  /* operator response rate, per cent */
#define SURVEY_AWARD_NONOP   10  /* non-operator share of all responses, per cent */

/* What scoring needs to know about the questionnaire; the lead fills it from
 * survey_questionnaire. The pointed-to arrays are borrowed and must outlive every call. */
struct survey_layout {
    int nitems;                       /* scale items, at most SURVEY_MAX_ITEMS */
    const char *const *item_ids;      /* nitems IDs, "G01" */
    int element_of[SURVEY_MAX_ITEMS]; /* index into element_codes, or -1 (overall, happiness) */
    int nelements;                    /* at most SURVEY_MAX_ITEMS */
    const char *const *element_codes; /* nelements codes, "growth" */
    uint64_t ranking_items;           /* bit i set for item i among O01–O07 and H01 */
    int happiness_item;               /* index of H01, or -1 */
};

/* Answers counted per item: count[i][a] is how many respondents gave answer a (0 = blank, 1–6)
 * to item i. Plain data, no owned memory; about 3.6 KB. */
struct survey_tally {
    long respondents;
    long count[SURVEY_MAX_ITEMS][SURVEY_SCALE + 1];
};

/* Sums over one item or a pool of items: valid answers (1–6), answers 4–6, and the sum of the
 * valid answers (for the mean). */
struct survey_stat {
    long n, top3, sum;
};

/* Zeroes a tally. */
void survey_tally_init(struct survey_tally *t);
/* Adds one respondent's first nitems answers (an answer above 6 counts as blank). */
void survey_tally_add(struct survey_tally *t, const struct survey_respondent *r, int nitems);
/* Adds n respondents; the same as n calls of survey_tally_add. */
void survey_tally_count(struct survey_tally *t, const struct survey_respondent *r, size_t n,
                        int nitems);

/* Pools the items whose bit is set in items (bit i = item i): an element score is the pooled
 * TOP3BOX over all answers to its items, not the mean of the items' TOP3BOX. */
void survey_stat_items(const struct survey_tally *t, uint64_t items, struct survey_stat *out);
/* The items of element e in L as a bit mask. */
uint64_t survey_element_items(const struct survey_layout *L, int e);

/* TOP3BOX = top3 / n and mean = sum / n; each returns 0 and writes *out, or -1 when n is 0. */
int survey_top3(const struct survey_stat *s, double *out);
int survey_mean(const struct survey_stat *s, double *out);
/* The Wilson score interval (z = SURVEY_Z95) for pos successes of n; returns 0 and writes both
 * bounds, or -1 (writing nothing) when n <= 0 or pos is outside 0..n. */
int survey_wilson(long pos, long n, double *low, double *high);

/* The award division for a number of enrolled operators: "A" (20–100), "B" (101 or more) or
 * NULL (fewer than 20: not ranked). A static string. */
const char *survey_division(int64_t operators_enrolled);

/* Results of one wave. c holds ncenters centers (borrowed); only_center, when not NULL, limits
 * the output to that center (the comparisons still use every center); R says what may be shown
 * (disclose.h). A new reference, or NULL when L is malformed or memory ran out:
 * {"centers":[{"center","respondents","suppressed",
 *   "items":{ID:{"top3","mean","n","ci_low","ci_high","others_avg","hpb"}},
 *   "elements":{code:{"top3","n","others_avg","hpb"}},
 *   "groups":{"position":{"OP":{"respondents","suppressed","items":{ID:{"top3"}},
 *                               "elements":{code:{"top3"}}},…},
 *             "segment":{…}|null,"team":{…}|null,"tenure":{…}|null},
 *   "ranking_score","ranking_others_avg","ranking_hpb"}]}
 * Centers keep their order in c; groups appear in enum order (position) or sorted by their text,
 * respondents with an empty attribute forming the group SURVEY_BLANK_GROUP (last). A center,
 * group or item below R->k (or hidden by the sibling rules, or inside a hidden center) has null
 * figures; an element only shows where all of its items do. others_avg is the unweighted mean
 * of the other centers' totals (centers below R->k_bench left out), null with fewer than
 * R->bench_min of them; hpb the unweighted mean over the top quarter (ceil, at least
 * SURVEY_HPB_MIN_TOP) of the centers with a ranking score, ordered as in the ranking, null with
 * fewer than R->hpb_min such centers. Shares are rounded to SURVEY_SHARE_PLACES decimals, means
 * to SURVEY_MEAN_PLACES. */
json_t *survey_score_json(const struct survey_layout *L, const struct survey_center_data *c,
                          size_t ncenters, const char *only_center, const struct survey_rules *R);

/* The same results one center at a time, for output that streams (a whole wave's tree is about a
 * gigabyte at a thousand centers). survey_scorer_new does the work that needs every center (the
 * summaries, the other-center averages and the HPB); survey_scorer_center then gives centers[j]
 * as survey_score_json would (a new reference, NULL when j is out of range or memory ran out).
 * The scorer borrows L and c; it is read-only once made, so several threads may ask it for
 * different centers at once. */
typedef struct survey_scorer survey_scorer;
survey_scorer *survey_scorer_new(const struct survey_layout *L, const struct survey_center_data *c,
                                 size_t ncenters, const struct survey_rules *R);
json_t *survey_scorer_center(const survey_scorer *sc, size_t j);
void survey_scorer_free(survey_scorer *sc);

/* The award table. A new reference, or NULL when L is malformed or memory ran out:
 * {"entries":[{"center","division":"A"|"B"|null,"eligible","reasons":[…],"score","rank",
 *   "respondents","operator_responses","response_rate","non_operator_share"}]}
 * Reasons, in this order: "division" (under 20 enrolled operators), "operator_responses"
 * (under 20), "response_rate" (operator responses ÷ enrolled operators under 70 %, or nobody
 * enrolled), "non_operator_share" (under 10 % of responses), "respondents" (under R->k_bench: no
 * figures), "no_answers" (no valid answer to the ranking items). score is the pooled TOP3BOX
 * over the ranking items (null under k); rank (1 = best within the division, null when not
 * eligible) orders by score, then H01's TOP3BOX, then more respondents; centers equal in all
 * three share a rank. Entries are sorted by division (A, B, none), then rank (unranked last),
 * then center code. */
json_t *survey_rank_json(const struct survey_layout *L, const struct survey_center_data *c,
                         size_t ncenters, const struct survey_rules *R);

/* The arrays a layout points into; kept by the caller next to the layout. */
struct survey_layout_store {
    const char *ids[SURVEY_MAX_ITEMS];
    const char *elements[SURVEY_MAX_ITEMS];
};
/* Fills L from a questionnaire: the ranking items are those of elements "overall" and
 * "happiness", the happiness item is H01's. st and q must outlive L. Returns -1 when the
 * questionnaire has no items or too many. */
int survey_layout_build(const survey_questionnaire *q, struct survey_layout_store *st,
                        struct survey_layout *L);

#endif
