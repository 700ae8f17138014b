/* The drivers and pulse statistics; the distributions come from GSL. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "core/err.h"
#include "drivers.h"

/* ---- the statistics ------------------------------------------------------------------------ */

int survey_spearman(const double *x, const double *y, size_t n, double *rho)
{
    if (n < 2)
        return -1;
    /* gsl_stats_spearman ranks in place (ties averaged), so it gets copies. */
    double *buf = malloc(4 * n * sizeof *buf);
    if (!buf)
        return IK_ENOMEM;
    memcpy(buf, x, n * sizeof *buf);
    memcpy(buf + n, y, n * sizeof *buf);
    double r = gsl_stats_spearman(buf, 1, buf + n, 1, n, buf + 2 * n);
    free(buf);
    /* A side without variance gives 0 / 0. */
    if (!isfinite(r))
        return -1;
    *rho = r > 1 ? 1 : r < -1 ? -1 : r;
    return 0;
}

int survey_rho_p(double rho, long n, double *p)
{
    if (n < 3 || !isfinite(rho))
        return -1;
    if (fabs(rho) >= 1) {
        *p = 0;
        return 0;
    }
    double t = fabs(rho) * sqrt((double)(n - 2) / (1 - rho * rho));
    *p = 2 * gsl_cdf_tdist_Q(t, (double)(n - 2));
    return 0;
}

/* The indices of the p-values that are numbers, ordered by p ascending (stable). */
static size_t *order_tests(const double *p, size_t m, size_t *k)
{
    size_t *idx = malloc((m ? m : 1) * sizeof *idx);
    if (!idx)
        return NULL;
    *k = 0;
    for (size_t i = 0; i < m; i++) {
        if (isnan(p[i]))
            continue;
        /* Insertion sort: m is the items of one questionnaire, at most SURVEY_MAX_ITEMS. */
        size_t j = (*k)++;
        while (j > 0 && p[idx[j - 1]] > p[i]) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    return idx;
}

static void nan_fill(const double *p, size_t m, double *adj)
{
    for (size_t i = 0; i < m; i++)
        if (isnan(p[i]))
            adj[i] = NAN;
}

int survey_bh(const double *p, size_t m, double *adj)
{
    size_t k;
    size_t *idx = order_tests(p, m, &k);
    if (!idx)
        return -1;
    nan_fill(p, m, adj);
    /* From the largest p down, so each value is the running minimum of the ones above it. */
    double run = 1;
    for (size_t r = k; r > 0; r--) {
        double v = p[idx[r - 1]] * (double)k / (double)r;
        if (v < run)
            run = v;
        adj[idx[r - 1]] = run;
    }
    free(idx);
    return 0;
}

int survey_holm(const double *p, size_t m, double *adj)
{
    size_t k;
    size_t *idx = order_tests(p, m, &k);
    if (!idx)
        return -1;
    nan_fill(p, m, adj);
    double run = 0;
    for (size_t r = 0; r < k; r++) {
        double v = p[idx[r]] * (double)(k - r);
        if (v > run)
            run = v;
        adj[idx[r]] = run > 1 ? 1 : run;
    }
    free(idx);
    return 0;
}

int survey_two_prop(long x1, long n1, long x2, long n2, double *z, double *p)
{
    if (n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2)
        return -1;
    double q = (double)(x1 + x2) / (double)(n1 + n2);
    if (q <= 0 || q >= 1)
        return -1;
    double se = sqrt(q * (1 - q) * (1.0 / (double)n1 + 1.0 / (double)n2));
    double zz = ((double)x1 / (double)n1 - (double)x2 / (double)n2) / se;
    *z = zz;
    *p = 2 * gsl_cdf_ugaussian_Q(fabs(zz));
    return 0;
}

int survey_alpha(const double *x, size_t nrows, int k, double *alpha)
{
    if (nrows < 2 || k < 2)
        return -1;
    double *tot = calloc(nrows, sizeof *tot);
    if (!tot)
        return IK_ENOMEM;
    double items = 0;
    for (int j = 0; j < k; j++) {
        items += gsl_stats_variance(x + j, (size_t)k, nrows);
        for (size_t r = 0; r < nrows; r++)
            tot[r] += x[r * (size_t)k + (size_t)j];
    }
    double total = gsl_stats_variance(tot, 1, nrows);
    free(tot);
    if (!(total > 0))
        return -1;
    *alpha = (double)k / (double)(k - 1) * (1 - items / total);
    return 0;
}

int survey_priority(const double *rho, const double *top3, const double *others, size_t m,
                    int *prio)
{
    double *v = malloc((m ? m : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t nv = 0;
    for (size_t i = 0; i < m; i++)
        if (!isnan(rho[i]))
            v[nv++] = rho[i];
    gsl_sort(v, 1, nv);
    double median = nv ? gsl_stats_median_from_sorted_data(v, 1, nv) : NAN;
    free(v);
    for (size_t i = 0; i < m; i++)
        prio[i] = !isnan(rho[i]) && !isnan(top3[i]) && !isnan(others[i]) && top3[i] < others[i] &&
                  rho[i] > median;
    return 0;
}

/* ---- drivers JSON ---------------------------------------------------------------------------- */

static json_t *num(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static int valid(uint8_t a)
{
    return a >= 1 && a <= SURVEY_SCALE;
}

static int find_item(const struct survey_layout *L, const char *id)
{
    for (int i = 0; i < L->nitems; i++)
        if (strcmp(L->item_ids[i], id) == 0)
            return i;
    return -1;
}

/* One item's figures in the drivers table. */
struct driver {
    int item;
    long n;
    double rho, p, p_adj, top3, others;
    int prio;
};

/* rho, n and p of item i with the target t over the respondents who answered both. */
static int driver_rho(const struct survey_center_data *d, int i, int t, double *xy,
                      struct driver *out)
{
    size_t n = 0;
    for (size_t r = 0; r < d->n; r++)
        if (valid(d->r[r].answers[i]) && valid(d->r[r].answers[t])) {
            xy[n] = d->r[r].answers[i];
            xy[d->n + n] = d->r[r].answers[t];
            n++;
        }
    out->n = (long)n;
    int rc = survey_spearman(xy, xy + d->n, n, &out->rho);
    if (rc == IK_ENOMEM)
        return -1;
    if (rc || survey_rho_p(out->rho, out->n, &out->p)) {
        if (rc)
            out->rho = NAN;
        out->p = NAN;
    }
    return 0;
}

/* Cronbach's alpha of element e: NAN when it cannot be computed. */
static int element_alpha(const struct survey_layout *L, const struct survey_center_data *d, int e,
                         double *m, double *alpha)
{
    int cols[SURVEY_MAX_ITEMS], k = 0;
    for (int i = 0; i < L->nitems; i++)
        if (L->element_of[i] == e)
            cols[k++] = i;
    size_t rows = 0;
    for (size_t r = 0; r < d->n; r++) {
        int all = 1;
        for (int j = 0; j < k && all; j++)
            all = valid(d->r[r].answers[cols[j]]);
        if (!all)
            continue;
        for (int j = 0; j < k; j++)
            m[rows * (size_t)k + (size_t)j] = d->r[r].answers[cols[j]];
        rows++;
    }
    int rc = survey_alpha(m, rows, k, alpha);
    if (rc == IK_ENOMEM)
        return -1;
    if (rc)
        *alpha = NAN;
    return 0;
}

static double score_figure(json_t *items, const char *id, const char *key)
{
    json_t *v = json_object_get(json_object_get(items, id), key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int driver_cmp(const void *pa, const void *pb)
{
    const struct driver *a = pa, *b = pb;
    int an = isnan(a->rho), bn = isnan(b->rho);
    if (an != bn)
        return an - bn;
    if (!an && a->rho != b->rho)
        return a->rho > b->rho ? -1 : 1;
    return a->item - b->item;
}

/* Fills dr (one entry per item but the target; returns how many) for center d. */
static int drivers_fill(const struct survey_layout *L, const struct survey_center_data *d,
                        json_t *items, int shown, struct driver *dr, size_t *ndr)
{
    int t = find_item(L, SURVEY_DRIVER_TARGET);
    double *xy = malloc((d->n ? 2 * d->n : 1) * sizeof *xy);
    if (!xy)
        return -1;
    size_t m = 0;
    int rc = 0;
    for (int i = 0; i < L->nitems && rc == 0; i++) {
        if (i == t)
            continue;
        struct driver *x = &dr[m++];
        *x = (struct driver){.item = i, .n = -1, .rho = NAN, .p = NAN};
        x->top3 = score_figure(items, L->item_ids[i], "top3");
        x->others = score_figure(items, L->item_ids[i], "others_avg");
        if (shown && t >= 0)
            rc = driver_rho(d, i, t, xy, x);
    }
    free(xy);
    *ndr = m;
    return rc;
}

static int drivers_adjust(struct driver *dr, size_t m)
{
    double *v = malloc(4 * (m ? m : 1) * sizeof *v);
    int *prio = malloc((m ? m : 1) * sizeof *prio);
    int rc = v && prio ? 0 : -1;
    for (size_t i = 0; i < m && rc == 0; i++) {
        v[i] = dr[i].p;
        v[m + i] = dr[i].rho;
        v[2 * m + i] = dr[i].top3;
        v[3 * m + i] = dr[i].others;
    }
    if (rc == 0)
        rc = survey_bh(v, m, v) || survey_priority(v + m, v + 2 * m, v + 3 * m, m, prio) ? -1 : 0;
    for (size_t i = 0; i < m && rc == 0; i++) {
        dr[i].p_adj = v[i];
        dr[i].prio = prio[i];
    }
    free(v);
    free(prio);
    return rc;
}

static json_t *driver_json(const struct survey_layout *L, const struct driver *x)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:o}", "item", L->item_ids[x->item],
                     "rho", num(x->rho), "n", x->n < 0 ? json_null() : json_integer(x->n), "p",
                     num(x->p), "p_adj", num(x->p_adj), "priority", x->prio, "top3", num(x->top3),
                     "others_avg", num(x->others));
}

static json_t *alpha_json(const struct survey_layout *L, const struct survey_center_data *d,
                          int shown)
{
    double *m = malloc((d->n ? d->n : 1) * SURVEY_MAX_ITEMS * sizeof *m);
    json_t *o = json_object();
    int good = m && o;
    for (int e = 0; e < L->nelements && good; e++) {
        double a = NAN;
        if (shown && element_alpha(L, d, e, m, &a))
            good = 0;
        else if (json_object_set_new(o, L->element_codes[e], num(a)))
            good = 0;
    }
    free(m);
    if (!good) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *drivers_list(const struct survey_layout *L, struct driver *dr, size_t m)
{
    qsort(dr, m, sizeof *dr, driver_cmp);
    json_t *a = json_array();
    for (size_t i = 0; i < m && a; i++)
        if (json_array_append_new(a, driver_json(L, &dr[i]))) {
            json_decref(a);
            a = NULL;
        }
    return a;
}

json_t *survey_drivers_json(const struct survey_layout *L, const struct survey_center_data *c,
                            size_t ncenters, const char *center, int k)
{
    if (k < 1)
        k = SURVEY_K_DEFAULT;
    static const struct survey_center_data none = {0};
    const struct survey_center_data *d = &none;
    for (size_t j = 0; j < ncenters; j++)
        if (strncmp(c[j].center, center, ORG_CODE_MAX) == 0)
            d = &c[j];
    /* Only the center's own items are read: the benchmark rules do not matter here. */
    struct survey_rules R = {.k = k, .k_bench = k, .bench_min = 1, .hpb_min = 1};
    json_t *score = survey_score_json(L, c, ncenters, center, &R);
    json_t *items = json_object_get(json_array_get(json_object_get(score, "centers"), 0), "items");
    int shown = d->n >= (size_t)k;
    struct driver *dr = malloc(SURVEY_MAX_ITEMS * sizeof *dr);
    size_t m = 0;
    json_t *out = NULL;
    if (score && dr && drivers_fill(L, d, items, shown, dr, &m) == 0 && drivers_adjust(dr, m) == 0)
        out = json_pack("{s:o*, s:o*}", "items", drivers_list(L, dr, m), "alpha",
                        alpha_json(L, d, shown));
    /* o* skips a NULL value; a member missing means memory ran out. */
    if (out && json_object_size(out) != 2) {
        json_decref(out);
        out = NULL;
    }
    free(dr);
    json_decref(score);
    return out;
}

/* ---- compare JSON ---------------------------------------------------------------------------- */

struct pulse {
    int item;
    double from, to, p, holm;
};

static double top3_of(const struct survey_tally *t, int i, int shown, long *x, long *n)
{
    *n = 0;
    *x = 0;
    for (int a = 1; a <= SURVEY_SCALE; a++) {
        *n += t->count[i][a];
        if (a >= 4)
            *x += t->count[i][a];
    }
    if (!shown || *n == 0) {
        *n = 0;
        return NAN;
    }
    return (double)*x / (double)*n;
}

static json_t *pulse_json(const struct survey_layout *L, const struct pulse *x)
{
    double diff = (x->to - x->from) * 100;
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b}", "item", L->item_ids[x->item],
                     "top3_from", num(x->from), "top3_to", num(x->to), "diff_points", num(diff),
                     "p", num(x->p), "p_holm", num(x->holm), "significant",
                     !isnan(x->holm) && x->holm < SURVEY_ALPHA_LEVEL);
}

json_t *survey_compare_json(const struct survey_layout *Lfrom,
                            const struct survey_center_data *from, const struct survey_layout *Lto,
                            const struct survey_center_data *to, int k)
{
    if (k < 1)
        k = SURVEY_K_DEFAULT;
    struct survey_tally *t = malloc(2 * sizeof *t);
    struct pulse *pl = malloc(SURVEY_MAX_ITEMS * sizeof *pl);
    double *p = malloc(2 * SURVEY_MAX_ITEMS * sizeof *p);
    json_t *list = NULL;
    if (!t || !pl || !p)
        goto done;
    survey_tally_init(&t[0]);
    survey_tally_init(&t[1]);
    survey_tally_count(&t[0], from->r, from->n, Lfrom->nitems);
    survey_tally_count(&t[1], to->r, to->n, Lto->nitems);
    int shown_from = from->n >= (size_t)k, shown_to = to->n >= (size_t)k;
    size_t m = 0;
    for (int i = 0; i < Lfrom->nitems; i++) {
        int j = find_item(Lto, Lfrom->item_ids[i]);
        if (j < 0)
            continue;
        long x1, n1, x2, n2;
        double z;
        struct pulse *x = &pl[m];
        *x = (struct pulse){.item = i, .p = NAN};
        x->from = top3_of(&t[0], i, shown_from, &x1, &n1);
        x->to = top3_of(&t[1], j, shown_to, &x2, &n2);
        if (survey_two_prop(x1, n1, x2, n2, &z, &x->p))
            x->p = NAN;
        p[m++] = x->p;
    }
    if (survey_holm(p, m, p + SURVEY_MAX_ITEMS))
        goto done;
    list = json_array();
    for (size_t i = 0; i < m && list; i++) {
        pl[i].holm = p[SURVEY_MAX_ITEMS + i];
        if (json_array_append_new(list, pulse_json(Lfrom, &pl[i]))) {
            json_decref(list);
            list = NULL;
        }
    }
done:
    free(t);
    free(pl);
    free(p);
    return list ? json_pack("{s:o}", "items", list) : NULL;
}
