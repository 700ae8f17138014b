/* agreement: how alike the field (the operator or supervisor who flagged a call) and
 * headquarters (the weekly reviewer) judge harassment. Pure arithmetic over pairs. */
#ifndef IKIIKI_HARASS_AGREEMENT_H
#define IKIIKI_HARASS_AGREEMENT_H

#include <jansson.h>
#include <stddef.h>

#define AGREE_VERDICTS 3 /* 0 claim, 1 grey, 2 harassment */
#define AGREE_LEVELS   5 /* axis levels 0–4 */

/* One reviewed case: the field's plot and verdict, and the reviewer's. */
struct agree_pair {
    int field_behaviour, field_demand, field_verdict;
    int final_behaviour, final_demand, final_verdict;
    char week[12]; /* ISO week of the case, "2026-W47" */
};

struct agree_result {
    size_t n;
    double agreement;         /* share of cases whose verdicts match, 0–1 */
    double kappa;             /* Cohen's kappa on the three verdicts */
    double kappa_behaviour_w; /* quadratic-weighted kappa on the behaviour axis (0–4) */
    double kappa_demand_w;    /* the same on the demand axis */
    int kappa_defined, kappa_b_defined, kappa_d_defined; /* 0 when chance agreement is 1 */
    long confusion[AGREE_VERDICTS][AGREE_VERDICTS];      /* [field][final] */
};

/* Computes the figures over n pairs (n may be 0: every figure undefined). Values outside their
 * ranges are not allowed (the caller validated them). */
void agree_compute(const struct agree_pair *p, size_t n, struct agree_result *out);

/* Cohen's kappa for a k×k table of counts (row = rater A, column = rater B); returns 0 and
 * writes *kappa, or -1 when undefined (no data, or chance agreement is 1). weights: NULL for
 * plain kappa, else a k×k row-major matrix of disagreement weights (0 on the diagonal). */
int agree_kappa(const long *table, int k, const double *weights, double *kappa);

/* {"n", "agreement", "kappa", "kappa_behaviour_w", "kappa_demand_w", "confusion":
 *  {"labels":[…], "rows":[[…]]}, "weeks":[{"week","n","grey_field","grey_final"}]}
 * Undefined figures are null. The weeks are in the order they first appear in p (the caller
 * sorts by time). A new reference. */
json_t *agree_json(const struct agree_pair *p, size_t n, const struct agree_result *r);

#endif
