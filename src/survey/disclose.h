/* disclose: every rule that decides which survey figures may be shown, in one place. The
 * survey's promise is that nobody learns how a person or a group smaller than k answered — not
 * from a group's own figures, not by subtracting visible groups from a total (or from the
 * other attributes' groups), not by comparing two readings in time, not through a benchmark of
 * too few centers, and not by asking for a smaller k. Scoring (score.c), the comment analysis
 * and the publication of a center's answers apply these functions; nothing else decides.
 *
 * The rules, stated once (README "Anonymity"):
 * - k is a setting of the installation (default 5, comments 10). A request or a CLI flag may
 *   raise it for its own output, never lower it, and never change who counts in a benchmark.
 * - A cell (a center, a group, an item within either) shows figures only with at least k
 *   respondents (k valid answers for an item). Respondents with no value for an attribute form
 *   a group of their own ("(未回答)") under the same rule.
 * - Siblings (the groups of one attribute in one center): when the hidden cells hold between 1
 *   and k-1 respondents (answers) together, the smallest visible ones are hidden too until the
 *   hidden ones hold at least k, so that the total minus the visible groups is a group of k.
 * - An element or pooled score shows only where every item in it shows.
 * - A center's figures are those of its latest publication. A publication adds the answers
 *   that came in since the previous one only when every cell (center, every group of every
 *   attribute, every item in them) gains 0 or at least k answers; otherwise the figures stay
 *   as they were and the new answers wait. Response counts stay live.
 * - Benchmarks: the other-center average needs SURVEY_BENCH_MIN_CENTERS other centers with
 *   figures, the HPB SURVEY_HPB_MIN_CENTERS centers and is the mean of at least
 *   SURVEY_HPB_MIN_TOP of them; membership uses the installation's k only.
 * - Shown figures are rounded: shares to 3 decimals (0.1 %), means to 2. */
#ifndef IKIIKI_SURVEY_DISCLOSE_H
#define IKIIKI_SURVEY_DISCLOSE_H

#include <stddef.h>

#include "survey/survey.h"

#define SURVEY_BENCH_MIN_CENTERS 5 /* other centers behind an other-center average */
#define SURVEY_HPB_MIN_CENTERS   8 /* centers with a ranking score behind an HPB */
#define SURVEY_HPB_MIN_TOP       3 /* centers averaged into the HPB, at least */
#define SURVEY_K_MIN             3 /* the least k an installation may set */
#define SURVEY_K_MAX             1000
#define SURVEY_SHARE_PLACES      3 /* TOP3BOX, intervals, benchmarks: 0.1 % */
#define SURVEY_MEAN_PLACES       2

/* What one output may show. Plain data. */
struct survey_rules {
    int k;         /* cells with fewer respondents (answers) show no figures */
    int k_bench;   /* respondents a center needs to count in benchmarks and the award */
    int bench_min; /* SURVEY_BENCH_MIN_CENTERS, or less in unit tests of other rules */
    int hpb_min;   /* SURVEY_HPB_MIN_CENTERS, likewise */
};

/* The rules for an output: the installation's k (below SURVEY_K_MIN: SURVEY_K_DEFAULT) raised
 * to requested when that is larger (requested < 1: not asked). */
struct survey_rules survey_rules_make(int installation_k, int requested_k);

/* The sibling rule over n cells of one attribute: on entry hidden[g] may already be 1 (a hidden
 * parent); cells with fewer than k are hidden, then the smallest visible non-empty cells (the
 * first among equals) until the hidden ones hold 0 or at least k together. sizes are
 * respondents or valid answers. */
void survey_hide_siblings(const long *sizes, int n, int k, int *hidden);

/* v rounded half away from zero to places decimals. */
double survey_round(double v, int places);

/* Whether a publication may add the answers of after that before lacks: 0 when every cell of
 * the center gains 0 or at least k respondents and valid answers per item; -1 with why set (a
 * message naming the attribute, never a group or a count) when one does not; -2 when memory
 * ran out. before holds the published respondents, after the same plus the new ones (only the
 * counts matter); with nothing published before, everything may go (the cells' own rules then
 * hide what is small). L describes the questionnaire (score.h). */
struct survey_layout;
int survey_publish_check(const struct survey_layout *L, const struct survey_center_data *before,
                         const struct survey_center_data *after, int k, char *why, size_t whylen);

/* The label of the group of respondents without a value for a text attribute. */
#define SURVEY_BLANK_GROUP "(未回答)"

#endif
