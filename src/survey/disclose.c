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

/* The sibling rule over one attribute's cells before and after, by respondents (item < 0) or by
 * one item's valid answers, with hidden_* carrying the respondent-level result into the items
 * as scoring does. Returns 1 when a cell that held answers and was hidden before would show
 * after: its old answers would be the new figure minus what the new answers add. */
static long cell_size(const struct survey_tally *t, int item)
{
    return !t ? 0 : item < 0 ? t->respondents : t->respondents - t->count[item][0];
}

static int unhides(const struct survey_tally *const *a, const struct survey_tally *const *b, int n,
                   int item, int k, const int *rows_a, const int *rows_b, long *sa, long *sb,
                   int *ha, int *hb)
{
    for (int g = 0; g < n; g++) {
        sa[g] = cell_size(a[g], item);
        sb[g] = cell_size(b[g], item);
        ha[g] = rows_a ? rows_a[g] : 0;
        hb[g] = rows_b ? rows_b[g] : 0;
    }
    survey_hide_siblings(sa, n, k, ha);
    survey_hide_siblings(sb, n, k, hb);
    for (int g = 0; g < n; g++)
        if (sa[g] > 0 && ha[g] && !hb[g])
            return 1;
    return 0;
}

/* 1 when some cell of this attribute (respondents, or any item) would come out of hiding. */
static int attr_unhides(const struct survey_layout *L, const struct survey_tally *const *a,
                        const struct survey_tally *const *b, int n, int k)
{
    size_t m = n ? (size_t)n : 1;
    long *sa = malloc(m * sizeof *sa), *sb = malloc(m * sizeof *sb);
    int *ra = malloc(m * sizeof *ra), *rb = malloc(m * sizeof *rb);
    int *ha = malloc(m * sizeof *ha), *hb = malloc(m * sizeof *hb);
    int bad = !sa || !sb || !ra || !rb || !ha || !hb ? -1 : 0;
    if (bad == 0)
        bad = unhides(a, b, n, -1, k, NULL, NULL, sa, sb, ra, rb);
    for (int i = 0; bad == 0 && i < L->nitems; i++)
        bad = unhides(a, b, n, i, k, ra, rb, sa, sb, ha, hb);
    free(sa);
    free(sb);
    free(ra);
    free(rb);
    free(ha);
    free(hb);
    return bad;
}

/* The attribute whose cells would come out of hiding, or NULL; "" when memory ran out. */
static const char *unhiding_attr(const struct survey_layout *L,
                                 const struct survey__center_groups *a,
                                 const struct survey__center_groups *b, int k)
{
    const struct survey_tally *ta[POS__COUNT], *tb[POS__COUNT];
    for (int p = 0; p < POS__COUNT; p++) {
        ta[p] = &a->pos[p];
        tb[p] = &b->pos[p];
    }
    int r = attr_unhides(L, ta, tb, POS__COUNT, k);
    if (r)
        return r < 0 ? "" : "position";
    for (int t = 0; t < SURVEY__TEXT_ATTRS; t++) {
        const struct survey__group_list *gb = &b->text[t];
        if (gb->overflow)
            continue;
        size_t m = gb->n ? (size_t)gb->n : 1;
        const struct survey_tally **xa = malloc(m * sizeof *xa), **xb = malloc(m * sizeof *xb);
        r = xa && xb ? 0 : -1;
        for (int g = 0; r == 0 && g < gb->n; g++) {
            xa[g] = survey__group_get(&a->text[t], gb->g[g].key);
            xb[g] = &gb->g[g].t;
        }
        if (r == 0)
            r = attr_unhides(L, xa, xb, gb->n, k);
        free(xa);
        free(xb);
        if (r)
            return r < 0 ? "" : text_attr_names[t];
    }
    return NULL;
}

/* The attribute whose group fails the step rule, "" for the center itself, or NULL when none. */
static const char *failing_attr(const struct survey_layout *L,
                                const struct survey__center_groups *a,
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
    if (before->n < (size_t)k)
        return 0; /* nothing was shown before: nothing to be compared with */
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
        const char *shows = attr ? NULL : unhiding_attr(L, ga, gb, k);
        if (shows && !*shows)
            rc = -2;
        else if (shows)
            snprintf(why, whylen,
                     "a group of \"%s\" hidden so far would show, and with it the answers it "
                     "held; the figures stay as published",
                     shows);
        if (rc || shows)
            attr = NULL;
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
        rc = rc ? rc : attr || shows ? -1 : 0;
    }
    free(ta);
    survey__groups_free(ga);
    survey__groups_free(gb);
    return rc;
}
