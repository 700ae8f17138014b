/* drivers: the statistics on top of a wave's scores — which items go with overall satisfaction
 * (Spearman's rho of each item with O01, its p-value, Benjamini–Hochberg across the items of a
 * center), the improvement priorities, Cronbach's alpha per element, and the pulse comparison of
 * two waves of one center (two-proportion z-test, Holm across the items). Pure computation over
 * packed respondents: nothing here touches the store, prints or exits. A figure that cannot be
 * computed is NAN in the arrays and null in the JSON. */
#ifndef IKIIKI_SURVEY_DRIVERS_H
#define IKIIKI_SURVEY_DRIVERS_H

#include <jansson.h>
#include <stddef.h>

#include "survey/score.h"

/* The item every driver is correlated with. */
#define SURVEY_DRIVER_TARGET "O01"
/* An adjusted p-value below this is significant. */
#define SURVEY_ALPHA_LEVEL 0.05

/* Spearman's rho of n pairs (tied values get the average of their ranks). Returns 0 and writes
 * *rho, -1 when n < 2 or either side has no variance, IK_ENOMEM when memory ran out. x and y are
 * borrowed and left unchanged. */
int survey_spearman(const double *x, const double *y, size_t n, double *rho);

/* The two-sided p-value of rho over n pairs by the t approximation
 * t = rho * sqrt((n - 2) / (1 - rho^2)) with n - 2 degrees of freedom; rho = ±1 gives 0.
 * Returns 0 and writes *p, or -1 when n < 3 or rho is not a number. */
int survey_rho_p(double rho, long n, double *p);

/* Multiple-test adjustments of the m values p[0..m-1] into adj[0..m-1] (capped at 1). NAN
 * entries are no test: they stay NAN and do not count in m. Return 0, or -1 when memory ran out
 * (adj is then unchanged). Benjamini–Hochberg: the i-th smallest of k tests becomes
 * min over j >= i of p(j) * k / j. Holm: max over j <= i of p(j) * (k - j + 1). */
int survey_bh(const double *p, size_t m, double *adj);
int survey_holm(const double *p, size_t m, double *adj);

/* The pooled two-proportion z-test of x1 of n1 against x2 of n2: z = (x1/n1 - x2/n2) / se with
 * se = sqrt(q (1 - q) (1/n1 + 1/n2)) and q = (x1 + x2) / (n1 + n2); p is two-sided. Returns 0
 * and writes both, or -1 when n1 or n2 is 0 or q is 0 or 1. */
int survey_two_prop(long x1, long n1, long x2, long n2, double *z, double *p);

/* Cronbach's alpha of an nrows × k matrix (row-major, one row per respondent who answered all
 * k items): k / (k - 1) * (1 - sum of item variances / variance of the row totals). Returns 0
 * and writes *alpha, -1 when nrows < 2, k < 2 or the totals have no variance, IK_ENOMEM when memory
 * ran out. */
int survey_alpha(const double *x, size_t nrows, int k, double *alpha);

/* Improvement priorities of m items: prio[i] = 1 when top3[i] < others[i] and rho[i] is above
 * the median of the rho values that are numbers; 0 otherwise (also when any of the three is
 * NAN). Returns 0, or -1 when memory ran out. */
int survey_priority(const double *rho, const double *top3, const double *others, size_t m,
                    int *prio);

/* The drivers of one center of a wave. c holds every center (the other-center average needs
 * them; borrowed), center is the code of the one reported (a center with no block in c has no
 * respondents). top3 and others_avg are those of survey_score_json with the same k, so a center
 * under k shows nothing here either. A new reference, or NULL when memory ran out:
 * {"items":[{"item","rho","n","p","p_adj","priority","top3","others_avg"}],
 *  "alpha":{element: value|null}}
 * Every scale item except O01 itself, sorted by rho descending (nulls last, then by
 * questionnaire order). */
json_t *survey_drivers_json(const struct survey_layout *L, const struct survey_center_data *c,
                            size_t ncenters, const char *center, int k);

/* The pulse comparison of one center across two waves, each with its own layout (a pulse wave
 * may ask a subset of the items): the items of from's layout whose ID to's layout also has, in
 * from's order. A wave in which the center has fewer than k respondents shows no figures. A new
 * reference, or NULL when memory ran out:
 * {"items":[{"item","top3_from","top3_to","diff_points","p","p_holm","significant"}]}
 * diff_points = (top3_to - top3_from) * 100. */
json_t *survey_compare_json(const struct survey_layout *Lfrom,
                            const struct survey_center_data *from, const struct survey_layout *Lto,
                            const struct survey_center_data *to, int k);

#endif
