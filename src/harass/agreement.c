#include "agreement.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Chance agreement this close to 1 (or expected disagreement this close to 0) leaves kappa a
 * division by almost nothing, so it is reported as undefined rather than as noise. */
#define AGREE_EPS 1e-12

/* Marginals are summed on demand: k is at most a handful of levels, so the k³ cost is nothing
 * and the function needs no scratch memory. */
static long row_sum(const long *t, int k, int i)
{
    long s = 0;
    for (int j = 0; j < k; j++)
        s += t[i * k + j];
    return s;
}

static long col_sum(const long *t, int k, int j)
{
    long s = 0;
    for (int i = 0; i < k; i++)
        s += t[i * k + j];
    return s;
}

static long table_total(const long *t, int k)
{
    long s = 0;
    for (int i = 0; i < k * k; i++)
        s += t[i];
    return s;
}

static int plain_kappa(const long *t, int k, double n, double *kappa)
{
    double po = 0, pe = 0;
    for (int i = 0; i < k; i++) {
        po += (double)t[i * k + i] / n;
        pe += ((double)row_sum(t, k, i) / n) * ((double)col_sum(t, k, i) / n);
    }
    if (1.0 - pe < AGREE_EPS)
        return -1;
    *kappa = (po - pe) / (1.0 - pe);
    return 0;
}

/* Both sums are taken as shares of n (not counts), so the epsilon means the same thing whatever
 * the number of cases. */
static int weighted_kappa(const long *t, int k, const double *w, double n, double *kappa)
{
    double obs = 0, exp = 0;
    for (int i = 0; i < k; i++) {
        double ri = (double)row_sum(t, k, i) / n;
        for (int j = 0; j < k; j++) {
            obs += w[i * k + j] * ((double)t[i * k + j] / n);
            exp += w[i * k + j] * ri * ((double)col_sum(t, k, j) / n);
        }
    }
    if (exp < AGREE_EPS)
        return -1;
    *kappa = 1.0 - obs / exp;
    return 0;
}

int agree_kappa(const long *table, int k, const double *weights, double *kappa)
{
    if (!table || !kappa || k < 1)
        return -1;
    long n = table_total(table, k);
    if (n <= 0)
        return -1;
    if (!weights)
        return plain_kappa(table, k, (double)n, kappa);
    return weighted_kappa(table, k, weights, (double)n, kappa);
}

/* w_ij = (i−j)² / (k−1)²: a miss by one level costs far less than a miss across the scale. */
static void quadratic_weights(double w[AGREE_LEVELS * AGREE_LEVELS])
{
    double span = (double)(AGREE_LEVELS - 1) * (AGREE_LEVELS - 1);
    for (int i = 0; i < AGREE_LEVELS; i++)
        for (int j = 0; j < AGREE_LEVELS; j++)
            w[i * AGREE_LEVELS + j] = (double)((i - j) * (i - j)) / span;
}

/* Tables are [field][final] throughout, the same orientation as the confusion matrix. */
static void axis_tables(const struct agree_pair *p, size_t n, long beh[AGREE_LEVELS * AGREE_LEVELS],
                        long dem[AGREE_LEVELS * AGREE_LEVELS])
{
    memset(beh, 0, sizeof(long) * AGREE_LEVELS * AGREE_LEVELS);
    memset(dem, 0, sizeof(long) * AGREE_LEVELS * AGREE_LEVELS);
    for (size_t i = 0; i < n; i++) {
        beh[p[i].field_behaviour * AGREE_LEVELS + p[i].final_behaviour]++;
        dem[p[i].field_demand * AGREE_LEVELS + p[i].final_demand]++;
    }
}

static void verdict_table(const struct agree_pair *p, size_t n, struct agree_result *out)
{
    long diag = 0;
    for (size_t i = 0; i < n; i++) {
        out->confusion[p[i].field_verdict][p[i].final_verdict]++;
        diag += p[i].field_verdict == p[i].final_verdict;
    }
    out->agreement = n ? (double)diag / (double)n : 0.0;
}

void agree_compute(const struct agree_pair *p, size_t n, struct agree_result *out)
{
    long beh[AGREE_LEVELS * AGREE_LEVELS], dem[AGREE_LEVELS * AGREE_LEVELS];
    double w[AGREE_LEVELS * AGREE_LEVELS];

    /* agree_kappa writes nothing when it fails, so an undefined figure stays 0 from here. */
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0)
        return;
    verdict_table(p, n, out);
    out->kappa_defined = agree_kappa(&out->confusion[0][0], AGREE_VERDICTS, NULL, &out->kappa) == 0;
    axis_tables(p, n, beh, dem);
    quadratic_weights(w);
    out->kappa_b_defined = agree_kappa(beh, AGREE_LEVELS, w, &out->kappa_behaviour_w) == 0;
    out->kappa_d_defined = agree_kappa(dem, AGREE_LEVELS, w, &out->kappa_demand_w) == 0;
}

static double round4(double x)
{
    return round(x * 1e4) / 1e4;
}

static json_t *figure(int defined, double x)
{
    return defined ? json_real(round4(x)) : json_null();
}

/* json_object_set_new releases the value even when it fails (and refuses NULL), so a run of
 * these calls leaks nothing; *ok stays 0 once anything failed. */
static void put(json_t *o, const char *key, json_t *v, int *ok)
{
    if (json_object_set_new(o, key, v) != 0)
        *ok = 0;
}

static void push(json_t *a, json_t *v, int *ok)
{
    if (json_array_append_new(a, v) != 0)
        *ok = 0;
}

/* Frees o and returns NULL unless every step that built it succeeded. */
static json_t *finish(json_t *o, int ok)
{
    if (ok && o)
        return o;
    json_decref(o);
    return NULL;
}

static json_t *confusion_json(const struct agree_result *r)
{
    static const char *const labels[AGREE_VERDICTS] = {"claim", "grey", "harassment"};
    json_t *o = json_object(), *lab = json_array(), *rows = json_array();
    int ok = 1;
    for (int i = 0; i < AGREE_VERDICTS; i++) {
        json_t *row = json_array();
        for (int j = 0; j < AGREE_VERDICTS && row; j++)
            push(row, json_integer(r->confusion[i][j]), &ok);
        push(rows, row, &ok);
        push(lab, json_string(labels[i]), &ok);
    }
    put(o, "labels", lab, &ok);
    put(o, "rows", rows, &ok);
    return finish(o, ok);
}

/* Per-week counts while the weeks are gathered. The week is copied with room for a terminator
 * because the pair's field may fill its buffer. */
struct week_tally {
    char week[sizeof((struct agree_pair *)0)->week + 1];
    long n, grey_field, grey_final;
};

/* The index maps a week to its slot in tally, so each pair costs one hash lookup rather than a
 * scan of the weeks seen so far. The next free slot doubles as the scratch copy of the key: by
 * pair i at most i slots are taken, so it is always inside tally. Returns the slot or -1. */
static long week_slot(json_t *index, struct week_tally *tally, size_t *nweeks, const char *week)
{
    struct week_tally *t = &tally[*nweeks];
    size_t len = strnlen(week, sizeof t->week - 1);
    memcpy(t->week, week, len);
    t->week[len] = '\0';
    json_t *hit = json_object_get(index, t->week);
    if (hit)
        return (long)json_integer_value(hit);
    if (json_object_set_new(index, t->week, json_integer((json_int_t)*nweeks)) != 0)
        return -1;
    t->n = t->grey_field = t->grey_final = 0;
    return (long)(*nweeks)++;
}

/* Fills tally (room for n weeks) and *nweeks; returns 0, or -1 when memory ran out. */
static int tally_weeks(const struct agree_pair *p, size_t n, struct week_tally *tally,
                       size_t *nweeks)
{
    json_t *index = json_object();
    int rc = index ? 0 : -1;
    *nweeks = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long s = week_slot(index, tally, nweeks, p[i].week);
        if (s < 0) {
            rc = -1;
            break;
        }
        tally[s].n++;
        tally[s].grey_field += p[i].field_verdict == 1;
        tally[s].grey_final += p[i].final_verdict == 1;
    }
    json_decref(index);
    return rc;
}

static json_t *week_json(const struct week_tally *t)
{
    json_t *o = json_object();
    int ok = 1;
    put(o, "week", json_string(t->week), &ok);
    put(o, "n", json_integer((json_int_t)t->n), &ok);
    put(o, "grey_field", json_real(round4((double)t->grey_field / (double)t->n)), &ok);
    put(o, "grey_final", json_real(round4((double)t->grey_final / (double)t->n)), &ok);
    return finish(o, ok);
}

static json_t *weeks_json(const struct agree_pair *p, size_t n)
{
    json_t *arr = json_array();
    if (!arr || n == 0)
        return arr;
    struct week_tally *tally = calloc(n, sizeof *tally);
    size_t nweeks = 0;
    int ok = tally && tally_weeks(p, n, tally, &nweeks) == 0;
    for (size_t w = 0; ok && w < nweeks; w++)
        push(arr, week_json(&tally[w]), &ok);
    free(tally);
    return finish(arr, ok);
}

json_t *agree_json(const struct agree_pair *p, size_t n, const struct agree_result *r)
{
    json_t *o = json_object();
    int ok = 1;
    put(o, "n", json_integer((json_int_t)r->n), &ok);
    put(o, "agreement", json_real(round4(r->agreement)), &ok);
    put(o, "kappa", figure(r->kappa_defined, r->kappa), &ok);
    put(o, "kappa_behaviour_w", figure(r->kappa_b_defined, r->kappa_behaviour_w), &ok);
    put(o, "kappa_demand_w", figure(r->kappa_d_defined, r->kappa_demand_w), &ok);
    put(o, "confusion", confusion_json(r), &ok);
    put(o, "weeks", weeks_json(p, n), &ok);
    return finish(o, ok);
}
