#include "survey/disclose.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey/score_int.h"

struct survey_rules survey_rules_make(int installation_k, int requested_k)
{
    int k = installation_k >= SURVEY_K_MIN && installation_k <= SURVEY_K_MAX ? installation_k
                                                                             : SURVEY_K_DEFAULT;
    struct survey_rules R = {.k = k,
                             .k_bench = k,
                             .bench_min = SURVEY_BENCH_MIN_CENTERS,
                             .hpb_min = SURVEY_HPB_MIN_CENTERS};
    if (requested_k > k)
        R.k = requested_k > SURVEY_K_MAX ? SURVEY_K_MAX : requested_k;
    return R;
}

void survey_hide_siblings(const long *sizes, int n, int k, int *hidden)
{
    long held = 0;
    for (int g = 0; g < n; g++) {
        if (sizes[g] < k)
            hidden[g] = 1;
        if (hidden[g])
            held += sizes[g];
    }
    while (held > 0 && held < k) {
        int next = -1;
        for (int g = 0; g < n; g++)
            if (!hidden[g] && sizes[g] > 0 && (next < 0 || sizes[g] < sizes[next]))
                next = g;
        if (next < 0)
            return; /* everything with answers is hidden already */
        hidden[next] = 1;
        held += sizes[next];
    }
}

double survey_round(double v, int places)
{
    double scale = pow(10.0, places);
    return round(v * scale) / scale;
}

/* ---- publication ----------------------------------------------------------------------------- */

/* 0 when the step from a to b (b counts a's respondents and more) is 0 or at least k in the
 * respondents and in every item's valid answers. a may be NULL (a cell that is new). */
static int step_ok(const struct survey_layout *L, const struct survey_tally *a,
                   const struct survey_tally *b, int k)
{
    long d = b->respondents - (a ? a->respondents : 0);
    if (d != 0 && d < k)
        return 0;
    for (int i = 0; i < L->nitems; i++) {
        long vb = b->respondents - b->count[i][0];
        long va = a ? a->respondents - a->count[i][0] : 0;
        if (vb - va != 0 && vb - va < k)
            return 0;
    }
    return 1;
}

static const char *const text_attr_names[SURVEY__TEXT_ATTRS] = {"segment", "team", "tenure"};

/* The attribute whose group fails the step rule, "" for the center itself, or NULL when none. */
static const char *failing_attr(const struct survey_layout *L, const struct survey__center_groups *a,
                                const struct survey__center_groups *b, int k)
{
    for (int p = 0; p < POS__COUNT; p++)
        if (!step_ok(L, &a->pos[p], &b->pos[p], k))
            return "position";
    for (int t = 0; t < SURVEY__TEXT_ATTRS; t++) {
        const struct survey__group_list *gb = &b->text[t];
        if (gb->overflow)
            continue; /* not reported at all */
        for (int g = 0; g < gb->n; g++)
            if (!step_ok(L, survey__group_get(&a->text[t], gb->g[g].key), &gb->g[g].t, k))
                return text_attr_names[t];
    }
    return NULL;
}

int survey_publish_check(const struct survey_layout *L, const struct survey_center_data *before,
                         const struct survey_center_data *after, int k, char *why, size_t whylen)
{
    if (before->n == 0)
        return 0; /* a first publication has nothing to be compared with */
    struct survey_tally *ta = malloc(2 * sizeof *ta);
    struct survey__center_groups *ga = survey__groups_count(L, before);
    struct survey__center_groups *gb = survey__groups_count(L, after);
    int rc = ta && ga && gb ? 0 : -2;
    if (rc == 0) {
        survey_tally_init(&ta[0]);
        survey_tally_init(&ta[1]);
        survey_tally_count(&ta[0], before->r, before->n, L->nitems);
        survey_tally_count(&ta[1], after->r, after->n, L->nitems);
        const char *attr = step_ok(L, &ta[0], &ta[1], k) ? failing_attr(L, ga, gb, k) : "";
        if (attr && *attr)
            snprintf(why, whylen,
                     "a group of \"%s\" would change by fewer than %d answers; the figures stay as "
                     "published until more answers come in",
                     attr, k);
        else if (attr)
            snprintf(why, whylen,
                     "fewer than %d new answers (to some item) since the last publication; the "
                     "figures stay as published until more answers come in",
                     k);
        rc = attr ? -1 : 0;
    }
    free(ta);
    survey__groups_free(ga);
    survey__groups_free(gb);
    return rc;
}
