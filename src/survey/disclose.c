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

static const char *const attr_names[SURVEY__ATTRS] = {"position", "segment", "team", "tenure"};

static int group_index(const struct survey__view *v, int a, const char *key)
{
    for (int g = 0; g < v->n[a]; g++)
        if (strcmp(v->keys[a][g], key) == 0)
            return g;
    return -1;
}

static long item_size(const struct survey_tally *t, int item)
{
    return t->respondents - t->count[item][0];
}

/* The attribute of a cell that held answers and was hidden before but would show after (its old
 * answers would be the new figure minus what the new answers add), or NULL. Both views come
 * from the same rules as the results (survey__view_build). */
static const char *unhiding_attr(const struct survey_layout *L, const struct survey__view *vb,
                                 const struct survey__view *va)
{
    for (int a = 0; a < SURVEY__ATTRS; a++) {
        if (vb->n[a] < 0 || va->n[a] < 0)
            continue;
        for (int g = 0; g < va->n[a]; g++) {
            int h = group_index(vb, a, va->keys[a][g]);
            if (h < 0)
                continue;
            if (vb->t[a][h]->respondents > 0 && vb->hidden[a][h] && !va->hidden[a][g])
                return attr_names[a];
            for (int i = 0; i < L->nitems; i++)
                if (item_size(vb->t[a][h], i) > 0 &&
                    vb->item_hidden[a][(size_t)h * (size_t)L->nitems + (size_t)i] &&
                    !va->item_hidden[a][(size_t)g * (size_t)L->nitems + (size_t)i])
                    return attr_names[a];
        }
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
        const char *shows = NULL;
        struct survey__view vb, va;
        if (!attr) {
            if (survey__view_build(L, before, k, 0, &vb) != 0)
                rc = -2;
            else if (survey__view_build(L, after, k, 0, &va) != 0) {
                survey__view_release(&vb);
                rc = -2;
            } else {
                shows = unhiding_attr(L, &vb, &va);
                survey__view_release(&vb);
                survey__view_release(&va);
            }
        }
        if (shows)
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

/* ---- the rule across attributes ------------------------------------------------------------- */

/* The groups of different attributes overlap, so their figures together can pin down a set that
 * no attribute's own rule sees (a team whose members are all of one tenure, say). The answers
 * to one item of the respondents of one combination of groups (a "type") are the unknowns; each
 * visible cell publishes the sum over its types; a set of types is determined exactly when its
 * indicator is orthogonal to every vector of the null space of the cell × type matrix. Exact
 * arithmetic modulo a prime. */
#define AUDIT_P 2305843009213693951ull /* 2^61 - 1 */

typedef unsigned long long u64;

static u64 mod_mul(u64 a, u64 b)
{
    return (u64)((unsigned __int128)a * b % AUDIT_P);
}

static u64 mod_inv(u64 a)
{
    u64 r = 1, e = AUDIT_P - 2;
    for (; e; e >>= 1, a = mod_mul(a, a))
        if (e & 1)
            r = mod_mul(r, a);
    return r;
}

struct audit {
    int ntypes;
    int (*type_group)[SURVEY__ATTRS]; /* the group of each type per attribute (-1: none) */
    int *type_of;                     /* per respondent */
    long *mult;                       /* per type: valid answers to the item at hand */
    u64 *m;                           /* cells × ntypes, reduced in place */
    u64 *null;                        /* nullity × ntypes */
    int nnull;
};

static int tuple_cmp(const int *a, const int *b)
{
    for (int x = 0; x < SURVEY__ATTRS; x++)
        if (a[x] != b[x])
            return a[x] < b[x] ? -1 : 1;
    return 0;
}

/* Types by a linear scan over the distinct tuples so far (centers have few). */
static int audit_types(const struct survey_center_data *d, const struct survey__view *v,
                       struct audit *A)
{
    A->type_of = malloc((d->n ? d->n : 1) * sizeof *A->type_of);
    A->type_group = malloc((d->n ? d->n : 1) * sizeof *A->type_group);
    if (!A->type_of || !A->type_group)
        return -1;
    for (size_t j = 0; j < d->n; j++) {
        int tup[SURVEY__ATTRS];
        for (int a = 0; a < SURVEY__ATTRS; a++)
            tup[a] = survey__view_group_of(v, a, &d->r[j]);
        int t = 0;
        while (t < A->ntypes && tuple_cmp(A->type_group[t], tup) != 0)
            t++;
        if (t == A->ntypes)
            memcpy(A->type_group[A->ntypes++], tup, sizeof tup);
        A->type_of[j] = t;
    }
    return 0;
}

static int cell_visible(const struct survey__view *v, int a, int g, int item)
{
    return !v->item_hidden[a][(size_t)g * (size_t)v->nitems + (size_t)item];
}

/* The null space of the visible cells over the types with answers (mult > 0). */
static void audit_null(const struct survey__view *v, int item, int total_shown, struct audit *A)
{
    int T = A->ntypes, rows = 0, rank = 0;
    if (total_shown) {
        for (int t = 0; t < T; t++)
            A->m[t] = A->mult[t] > 0;
        rows++;
    }
    for (int a = 0; a < SURVEY__ATTRS; a++)
        for (int g = 0; g < v->n[a]; g++)
            if (cell_visible(v, a, g, item)) {
                u64 *row = &A->m[(size_t)rows++ * (size_t)T];
                for (int t = 0; t < T; t++)
                    row[t] = A->mult[t] > 0 && A->type_group[t][a] == g;
            }
    int *pivot_col = malloc((size_t)(rows ? rows : 1) * sizeof *pivot_col);
    unsigned char *is_pivot = calloc((size_t)(T ? T : 1), 1);
    for (int c = 0; pivot_col && is_pivot && c < T && rank < rows; c++) {
        int r = rank;
        while (r < rows && A->m[(size_t)r * T + c] == 0)
            r++;
        if (r == rows)
            continue;
        for (int x = 0; x < T; x++) { /* swap rows r and rank */
            u64 tmp = A->m[(size_t)r * T + x];
            A->m[(size_t)r * T + x] = A->m[(size_t)rank * T + x];
            A->m[(size_t)rank * T + x] = tmp;
        }
        u64 inv = mod_inv(A->m[(size_t)rank * T + c]);
        for (int x = 0; x < T; x++)
            A->m[(size_t)rank * T + x] = mod_mul(A->m[(size_t)rank * T + x], inv);
        for (int y = 0; y < rows; y++) {
            u64 f = A->m[(size_t)y * T + c];
            if (y == rank || f == 0)
                continue;
            for (int x = 0; x < T; x++)
                A->m[(size_t)y * T + x] =
                    (A->m[(size_t)y * T + x] + AUDIT_P - mod_mul(f, A->m[(size_t)rank * T + x])) %
                    AUDIT_P;
        }
        pivot_col[rank++] = c;
        is_pivot[c] = 1;
    }
    /* One null vector per free column that has answers: 1 there, minus the pivots' entries. */
    A->nnull = 0;
    for (int f = 0; pivot_col && is_pivot && f < T; f++) {
        if (is_pivot[f] || A->mult[f] == 0)
            continue;
        u64 *nv = &A->null[(size_t)A->nnull++ * (size_t)T];
        memset(nv, 0, (size_t)T * sizeof *nv);
        nv[f] = 1;
        for (int r = 0; r < rank; r++)
            nv[pivot_col[r]] = (AUDIT_P - A->m[(size_t)r * T + f]) % AUDIT_P;
    }
    free(pivot_col);
    free(is_pivot);
}

/* Whether the set of types with in[t] set (holding 1..k-1 answers) is determined. */
static int determined(const struct audit *A, const unsigned char *in, int k)
{
    long answers = 0;
    for (int t = 0; t < A->ntypes; t++)
        answers += in[t] ? A->mult[t] : 0;
    if (answers == 0 || answers >= k)
        return 0;
    for (int n = 0; n < A->nnull; n++) {
        u64 sum = 0;
        for (int t = 0; t < A->ntypes; t++)
            if (in[t])
                sum = (sum + A->null[(size_t)n * A->ntypes + t]) % AUDIT_P;
        if (sum != 0)
            return 0;
    }
    return 1;
}

/* Any small set determined: each type, each group, two siblings together, two groups of
 * different attributes in common. */
static int any_determined(const struct survey__view *v, const struct audit *A, int k,
                          unsigned char *in)
{
    int T = A->ntypes;
    for (int t = 0; t < T; t++) {
        memset(in, 0, (size_t)T);
        in[t] = 1;
        if (determined(A, in, k))
            return 1;
    }
    for (int a = 0; a < SURVEY__ATTRS; a++)
        for (int b = a; b < SURVEY__ATTRS; b++)
            for (int g = 0; g < v->n[a]; g++)
                for (int h = a == b ? g : 0; h < v->n[b]; h++) {
                    for (int t = 0; t < T; t++) {
                        int ig = A->type_group[t][a] == g, ih = A->type_group[t][b] == h;
                        in[t] = (unsigned char)(a == b ? ig || ih : ig && ih);
                    }
                    if (determined(A, in, k))
                        return 1;
                }
    return 0;
}

static long cell_answers(const struct audit *A, int a, int g)
{
    long size = 0;
    for (int t = 0; t < A->ntypes; t++)
        size += A->type_group[t][a] == g ? A->mult[t] : 0;
    return size;
}

/* Hides one more group cell of the item: the smallest whose hiding alone leaves no small set
 * determined, else the smallest of all; then its siblings as the rule needs. Returns 1, 0 when
 * no group cell is left to hide, -1 when memory ran out. */
static int hide_one(const struct survey_layout *L, struct survey__view *v, int item,
                    struct audit *A, int k, int total_shown, unsigned char *in)
{
    int ba = -1, bg = -1, fa = -1, fg = -1;
    long best = 0, fbest = 0;
    for (int a = 0; a < SURVEY__ATTRS; a++)
        for (int g = 0; g < v->n[a]; g++) {
            long size = cell_answers(A, a, g);
            if (!cell_visible(v, a, g, item) || size == 0)
                continue;
            if (ba < 0 || size < best) {
                ba = a;
                bg = g;
                best = size;
            }
            if (fa >= 0 && size >= fbest)
                continue;
            int *cell = &v->item_hidden[a][(size_t)g * (size_t)L->nitems + (size_t)item];
            *cell = 1;
            audit_null(v, item, total_shown, A);
            if (!any_determined(v, A, k, in)) {
                fa = a;
                fg = g;
                fbest = size;
            }
            *cell = 0;
        }
    if (fa >= 0) {
        ba = fa;
        bg = fg;
    }
    if (ba < 0)
        return 0;
    v->item_hidden[ba][(size_t)bg * (size_t)L->nitems + (size_t)item] = 1;
    /* The sibling rule again over this attribute's cells of the item. */
    int n = v->n[ba];
    long *sz = malloc((size_t)(n ? n : 1) * sizeof *sz);
    int *col = malloc((size_t)(n ? n : 1) * sizeof *col);
    if (!sz || !col) {
        free(sz);
        free(col);
        return -1;
    }
    for (int g = 0; g < n; g++) {
        sz[g] = v->t[ba][g]->respondents - v->t[ba][g]->count[item][0];
        col[g] = v->item_hidden[ba][(size_t)g * (size_t)L->nitems + (size_t)item];
    }
    survey_hide_siblings(sz, n, k, col);
    for (int g = 0; g < n; g++)
        v->item_hidden[ba][(size_t)g * (size_t)L->nitems + (size_t)item] = col[g];
    free(sz);
    free(col);
    return 1;
}

int survey__audit(const struct survey_layout *L, const struct survey_center_data *d, int k,
                  struct survey__view *v)
{
    struct audit A = {0};
    int rc = audit_types(d, v, &A), cells = 1;
    for (int a = 0; a < SURVEY__ATTRS; a++)
        cells += v->n[a] > 0 ? v->n[a] : 0;
    size_t T = (size_t)(A.ntypes ? A.ntypes : 1);
    A.mult = rc ? NULL : malloc(T * sizeof *A.mult);
    A.m = rc ? NULL : malloc((size_t)cells * T * sizeof *A.m);
    A.null = rc ? NULL : malloc(T * T * sizeof *A.null);
    unsigned char *in = rc ? NULL : malloc(T);
    rc = A.mult && A.m && A.null && in ? 0 : -1;
    for (int i = 0; rc == 0 && i < L->nitems; i++) {
        memset(A.mult, 0, T * sizeof *A.mult);
        long total = 0;
        for (size_t j = 0; j < d->n; j++)
            if (d->r[j].answers[i] >= 1 && d->r[j].answers[i] <= SURVEY_SCALE) {
                A.mult[A.type_of[j]]++;
                total++;
            }
        for (int guard = 0; rc == 0 && guard < cells; guard++) {
            audit_null(v, i, total >= k, &A);
            if (!any_determined(v, &A, k, in))
                break;
            int h = hide_one(L, v, i, &A, k, total >= k, in);
            rc = h < 0 ? -1 : 0;
            if (h == 0)
                break;
        }
    }
    free(A.type_of);
    free(A.type_group);
    free(A.mult);
    free(A.m);
    free(A.null);
    free(in);
    return rc;
}
