#include "survey/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "survey/disclose.h"
#include "survey/score_int.h"

#define TOP_MIN     4 /* answers 4–6 are the "top three boxes" */
#define TEXT_ATTRS  SURVEY__TEXT_ATTRS
#define SLOTS_FIRST 64

/* ---- counting ---------------------------------------------------------------------------- */

void survey_tally_init(struct survey_tally *t)
{
    memset(t, 0, sizeof *t);
}

/* The hot loop of a wave: one increment per answer, no branches but the bounds clamp. */
void survey_tally_add(struct survey_tally *t, const struct survey_respondent *r, int nitems)
{
    if (nitems > SURVEY_MAX_ITEMS)
        nitems = SURVEY_MAX_ITEMS;
    t->respondents++;
    for (int i = 0; i < nitems; i++) {
        unsigned a = r->answers[i];
        t->count[i][a <= SURVEY_SCALE ? a : 0]++;
    }
}

void survey_tally_count(struct survey_tally *t, const struct survey_respondent *r, size_t n,
                        int nitems)
{
    for (size_t j = 0; j < n; j++)
        survey_tally_add(t, &r[j], nitems);
}

void survey_stat_items(const struct survey_tally *t, uint64_t items, struct survey_stat *out)
{
    struct survey_stat s = {0, 0, 0};
    for (int i = 0; i < SURVEY_MAX_ITEMS; i++) {
        if (!((items >> i) & 1u))
            continue;
        for (int a = 1; a <= SURVEY_SCALE; a++) {
            long c = t->count[i][a];
            s.n += c;
            s.sum += c * a;
            if (a >= TOP_MIN)
                s.top3 += c;
        }
    }
    *out = s;
}

uint64_t survey_element_items(const struct survey_layout *L, int e)
{
    uint64_t m = 0;
    for (int i = 0; i < L->nitems; i++)
        if (L->element_of[i] == e)
            m |= (uint64_t)1 << i;
    return m;
}

/* ---- figures ----------------------------------------------------------------------------- */

int survey_top3(const struct survey_stat *s, double *out)
{
    if (s->n <= 0)
        return -1;
    *out = (double)s->top3 / (double)s->n;
    return 0;
}

int survey_mean(const struct survey_stat *s, double *out)
{
    if (s->n <= 0)
        return -1;
    *out = (double)s->sum / (double)s->n;
    return 0;
}

/* Wilson: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n). At p = 0 or 1 the bound that should
 * be exactly 0 or 1 can miss it by a rounding step, hence the clamp. */
int survey_wilson(long pos, long n, double *low, double *high)
{
    if (n <= 0 || pos < 0 || pos > n)
        return -1;
    double z = SURVEY_Z95, z2 = z * z, nn = (double)n, p = (double)pos / nn;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / denom;
    double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
    double lo = centre - half, hi = centre + half;
    *low = lo < 0.0 ? 0.0 : lo;
    *high = hi > 1.0 ? 1.0 : hi;
    return 0;
}

const char *survey_division(int64_t operators_enrolled)
{
    if (operators_enrolled >= SURVEY_DIV_B_MIN)
        return "B";
    if (operators_enrolled >= SURVEY_DIV_A_MIN)
        return "A";
    return NULL;
}

/* ---- per-center summaries ------------------------------------------------------------------ */

/* A center's totals reduced to what the comparisons need. The *_ok flags say the figure exists
 * and may be shown (the center has at least k respondents and the pool has a valid answer). */
struct summary {
    long respondents;
    int shown;
    struct survey_stat item[SURVEY_MAX_ITEMS], elem[SURVEY_MAX_ITEMS], rank, happy;
    double item_v[SURVEY_MAX_ITEMS], elem_v[SURVEY_MAX_ITEMS], rank_v;
    unsigned char item_ok[SURVEY_MAX_ITEMS], elem_ok[SURVEY_MAX_ITEMS], rank_ok;
};

static int layout_ok(const struct survey_layout *L)
{
    if (!L || L->nitems < 0 || L->nitems > SURVEY_MAX_ITEMS || L->nelements < 0 ||
        L->nelements > SURVEY_MAX_ITEMS)
        return 0;
    if ((L->nitems && !L->item_ids) || (L->nelements && !L->element_codes))
        return 0;
    for (int i = 0; i < L->nitems; i++)
        if (!L->item_ids[i] || L->element_of[i] < -1 || L->element_of[i] >= L->nelements)
            return 0;
    for (int e = 0; e < L->nelements; e++)
        if (!L->element_codes[e])
            return 0;
    if (L->nitems < SURVEY_MAX_ITEMS && (L->ranking_items >> L->nitems) != 0)
        return 0;
    return L->happiness_item >= -1 && L->happiness_item < L->nitems;
}

/* Whether every item in the mask has at least k valid answers (a pool with one hidden item
 * would give that item away: pool minus the visible items; one nobody answered adds nothing). */
static int items_shown(const struct survey_layout *L, const struct survey_stat *item,
                       uint64_t items, long k)
{
    for (int i = 0; i < L->nitems; i++)
        if ((items >> i & 1) && item[i].n > 0 && item[i].n < k)
            return 0;
    return 1;
}

/* k is the installation's: who counts in benchmarks and the award does not depend on what an
 * output asks for. */
static void summarise(const struct survey_layout *L, const struct survey_tally *t, int k,
                      struct summary *s)
{
    memset(s, 0, sizeof *s);
    s->respondents = t->respondents;
    s->shown = t->respondents >= k;
    for (int i = 0; i < L->nitems; i++) {
        survey_stat_items(t, (uint64_t)1 << i, &s->item[i]);
        s->item_ok[i] =
            s->shown && s->item[i].n >= k && survey_top3(&s->item[i], &s->item_v[i]) == 0;
    }
    for (int e = 0; e < L->nelements; e++) {
        uint64_t items = survey_element_items(L, e);
        survey_stat_items(t, items, &s->elem[e]);
        s->elem_ok[e] = s->shown && items_shown(L, s->item, items, k) &&
                        survey_top3(&s->elem[e], &s->elem_v[e]) == 0;
    }
    survey_stat_items(t, L->ranking_items, &s->rank);
    s->rank_ok = s->shown && items_shown(L, s->item, L->ranking_items, k) &&
                 survey_top3(&s->rank, &s->rank_v) == 0;
    if (L->happiness_item >= 0)
        s->happy = s->item[L->happiness_item];
}

/* One pass over the center's respondents, into a scratch tally. */
static void summarise_center(const struct survey_layout *L, const struct survey_center_data *d,
                             int k, struct survey_tally *scratch, struct summary *s)
{
    survey_tally_init(scratch);
    survey_tally_count(scratch, d->r, d->n, L->nitems);
    summarise(L, scratch, k, s);
}

/* Compares top3/n of a and b exactly (cross-multiplied): negative when a is higher. A pool with
 * no valid answer ranks below any other. */
static int frac_cmp(const struct survey_stat *a, const struct survey_stat *b)
{
    if (a->n <= 0 || b->n <= 0)
        return (b->n > 0) - (a->n > 0);
    long long l = (long long)a->top3 * b->n, r = (long long)b->top3 * a->n;
    return l > r ? -1 : l < r;
}

/* The ranking order, best first: score, then H01, then more respondents. */
static int rank_cmp(const struct summary *a, const struct summary *b)
{
    int c = frac_cmp(&a->rank, &b->rank);
    if (c == 0)
        c = frac_cmp(&a->happy, &b->happy);
    if (c == 0)
        c = a->respondents > b->respondents ? -1 : a->respondents < b->respondents;
    return c;
}

static int code_cmp(const char *a, const char *b)
{
    return strncmp(a, b, ORG_CODE_MAX);
}

/* ---- benchmarks --------------------------------------------------------------------------- */

/* Sums over every center with figures (the other-center average of X is these sums without X),
 * and the HPB, which is the same for every center. */
struct bench {
    long shown, ranked; /* centers with figures; of them, centers with a ranking score */
    long top;           /* centers averaged into the HPB */
    int bench_min, hpb_min;
    double item_sum[SURVEY_MAX_ITEMS], elem_sum[SURVEY_MAX_ITEMS], rank_sum;
    long item_cnt[SURVEY_MAX_ITEMS], elem_cnt[SURVEY_MAX_ITEMS], rank_cnt;
    double hpb_item[SURVEY_MAX_ITEMS], hpb_elem[SURVEY_MAX_ITEMS], hpb_rank;
    unsigned char hpb_item_ok[SURVEY_MAX_ITEMS], hpb_elem_ok[SURVEY_MAX_ITEMS], hpb_rank_ok;
};

struct ordered {
    const struct summary *s;
    const char *code;
};

static int ordered_cmp(const void *pa, const void *pb)
{
    const struct ordered *a = pa, *b = pb;
    int c = rank_cmp(a->s, b->s);
    return c ? c : code_cmp(a->code, b->code);
}

static void bench_sums(const struct survey_layout *L, const struct summary *s, size_t n,
                       struct bench *b)
{
    for (size_t j = 0; j < n; j++) {
        if (!s[j].shown)
            continue;
        b->shown++;
        for (int i = 0; i < L->nitems; i++)
            if (s[j].item_ok[i]) {
                b->item_sum[i] += s[j].item_v[i];
                b->item_cnt[i]++;
            }
        for (int e = 0; e < L->nelements; e++)
            if (s[j].elem_ok[e]) {
                b->elem_sum[e] += s[j].elem_v[e];
                b->elem_cnt[e]++;
            }
        if (s[j].rank_ok) {
            b->rank_sum += s[j].rank_v;
            b->rank_cnt++;
        }
    }
}

static void mean_of(double *sum, long cnt, unsigned char *ok, const struct bench *b)
{
    *ok = cnt >= SURVEY_HPB_MIN_TOP && b->ranked >= b->hpb_min;
    *sum = cnt > 0 ? *sum / (double)cnt : 0.0;
}

/* The top quarter: ceil(m / 4) of the m centers that have a ranking score, at least
 * SURVEY_HPB_MIN_TOP (so that no center, its own included, is one of one or two); each figure is
 * averaged over those of them that have it, and shown only when SURVEY_HPB_MIN_TOP do. */
static void bench_hpb(const struct survey_layout *L, struct ordered *o, size_t m, struct bench *b)
{
    long item_cnt[SURVEY_MAX_ITEMS] = {0}, elem_cnt[SURVEY_MAX_ITEMS] = {0}, rank_cnt = 0;
    size_t top = (m + 3) / 4 < SURVEY_HPB_MIN_TOP ? SURVEY_HPB_MIN_TOP : (m + 3) / 4;
    if (top > m)
        top = m;
    qsort(o, m, sizeof *o, ordered_cmp);
    b->ranked = (long)m;
    b->top = (long)top;
    for (size_t j = 0; j < top; j++) {
        const struct summary *s = o[j].s;
        for (int i = 0; i < L->nitems; i++)
            if (s->item_ok[i]) {
                b->hpb_item[i] += s->item_v[i];
                item_cnt[i]++;
            }
        for (int e = 0; e < L->nelements; e++)
            if (s->elem_ok[e]) {
                b->hpb_elem[e] += s->elem_v[e];
                elem_cnt[e]++;
            }
        b->hpb_rank += s->rank_v;
        rank_cnt++;
    }
    for (int i = 0; i < L->nitems; i++)
        mean_of(&b->hpb_item[i], item_cnt[i], &b->hpb_item_ok[i], b);
    for (int e = 0; e < L->nelements; e++)
        mean_of(&b->hpb_elem[e], elem_cnt[e], &b->hpb_elem_ok[e], b);
    mean_of(&b->hpb_rank, rank_cnt, &b->hpb_rank_ok, b);
}

static int bench_build(const struct survey_layout *L, const struct summary *s,
                       const struct survey_center_data *c, size_t n, const struct survey_rules *R,
                       struct bench *b)
{
    memset(b, 0, sizeof *b);
    b->bench_min = R->bench_min;
    b->hpb_min = R->hpb_min;
    bench_sums(L, s, n, b);
    struct ordered *o = malloc((n ? n : 1) * sizeof *o);
    if (!o)
        return -1;
    size_t m = 0;
    for (size_t j = 0; j < n; j++)
        if (s[j].rank_ok)
            o[m++] = (struct ordered){&s[j], c[j].center};
    bench_hpb(L, o, m, b);
    free(o);
    return 0;
}

/* ---- JSON helpers -------------------------------------------------------------------------- */

static json_t *num(int ok, double v)
{
    return ok ? json_real(survey_round(v, SURVEY_SHARE_PLACES)) : json_null();
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

static json_t *finish(json_t *o, int ok)
{
    if (ok && o)
        return o;
    json_decref(o);
    return NULL;
}

static json_t *code_string(const char *code)
{
    return json_stringn(code, strnlen(code, ORG_CODE_MAX));
}

/* The other centers' average: the sums without X's own figure; null unless at least
 * bench_min other centers have this figure (fewer would let a reader solve for one of them). */
static json_t *others(const struct bench *b, double sum, long cnt, int x_ok, double x_v)
{
    if (x_ok) {
        sum -= x_v;
        cnt--;
    }
    return num(cnt > 0 && cnt >= b->bench_min, cnt > 0 ? sum / (double)cnt : 0);
}

static json_t *hpb(int ok, double v)
{
    return num(ok, v);
}

/* ---- score JSON: center totals --------------------------------------------------------------- */

static json_t *item_json(const struct summary *s, int i, const struct bench *b, int k)
{
    const struct survey_stat *st = &s->item[i];
    int shown = s->shown && s->respondents >= k, ok = shown && s->item_ok[i] && st->n >= k;
    int good = 1;
    double mean = 0, lo = 0, hi = 0;
    int mean_ok = ok && survey_mean(st, &mean) == 0;
    int ci_ok = ok && survey_wilson(st->top3, st->n, &lo, &hi) == 0;
    json_t *o = json_object();
    put(o, "top3", num(ok, s->item_v[i]), &good);
    put(o, "mean", mean_ok ? json_real(survey_round(mean, SURVEY_MEAN_PLACES)) : json_null(),
        &good);
    put(o, "n", shown ? json_integer(st->n) : json_null(), &good);
    put(o, "ci_low", num(ci_ok, lo), &good);
    put(o, "ci_high", num(ci_ok, hi), &good);
    put(o, "others_avg", others(b, b->item_sum[i], b->item_cnt[i], ok, s->item_v[i]), &good);
    put(o, "hpb", hpb(b->hpb_item_ok[i], b->hpb_item[i]), &good);
    return finish(o, good);
}

static json_t *element_json(const struct survey_layout *L, const struct summary *s, int e,
                            const struct bench *b, int k)
{
    int shown = s->shown && s->respondents >= k;
    int ok = shown && s->elem_ok[e] && items_shown(L, s->item, survey_element_items(L, e), k);
    int good = 1;
    json_t *o = json_object();
    put(o, "top3", num(ok, s->elem_v[e]), &good);
    put(o, "n", shown ? json_integer(s->elem[e].n) : json_null(), &good);
    put(o, "others_avg", others(b, b->elem_sum[e], b->elem_cnt[e], ok, s->elem_v[e]), &good);
    put(o, "hpb", hpb(b->hpb_elem_ok[e], b->hpb_elem[e]), &good);
    return finish(o, good);
}

static json_t *totals_items(const struct survey_layout *L, const struct summary *s,
                            const struct bench *b, int k)
{
    json_t *o = json_object();
    int good = 1;
    for (int i = 0; i < L->nitems; i++)
        put(o, L->item_ids[i], item_json(s, i, b, k), &good);
    return finish(o, good);
}

static json_t *totals_elements(const struct survey_layout *L, const struct summary *s,
                               const struct bench *b, int k)
{
    json_t *o = json_object();
    int good = 1;
    for (int e = 0; e < L->nelements; e++)
        put(o, L->element_codes[e], element_json(L, s, e, b, k), &good);
    return finish(o, good);
}

/* ---- score JSON: groups ---------------------------------------------------------------------- */

static uint32_t key_hash(const char *s, size_t len)
{
    return fnv1a(s, len);
}

static int slots_grow(struct survey__group_list *gl)
{
    int ns = gl->nslot ? gl->nslot * 2 : SLOTS_FIRST;
    int *slot = malloc((size_t)ns * sizeof *slot);
    if (!slot)
        return -1;
    for (int i = 0; i < ns; i++)
        slot[i] = -1;
    for (int j = 0; j < gl->n; j++) {
        uint32_t h = key_hash(gl->g[j].key, strlen(gl->g[j].key)) & (uint32_t)(ns - 1);
        while (slot[h] >= 0)
            h = (h + 1) & (uint32_t)(ns - 1);
        slot[h] = j;
    }
    free(gl->slot);
    gl->slot = slot;
    gl->nslot = ns;
    return 0;
}

static int group_append(struct survey__group_list *gl, const char *key, size_t len)
{
    if (gl->n == gl->cap) {
        int cap = gl->cap ? gl->cap * 2 : 8;
        struct survey__group *g = realloc(gl->g, (size_t)cap * sizeof *g);
        if (!g)
            return -1;
        gl->g = g;
        gl->cap = cap;
    }
    struct survey__group *g = &gl->g[gl->n];
    memcpy(g->key, key, len);
    g->key[len] = '\0';
    survey_tally_init(&g->t);
    return gl->n++;
}

/* The slot of key's group, or of the free slot where it would go. */
static uint32_t group_slot(const struct survey__group_list *gl, const char *key, size_t len)
{
    uint32_t mask = (uint32_t)(gl->nslot - 1), h = key_hash(key, len) & mask;
    for (; gl->slot[h] >= 0; h = (h + 1) & mask) {
        const struct survey__group *g = &gl->g[gl->slot[h]];
        if (memcmp(g->key, key, len) == 0 && g->key[len] == '\0')
            break;
    }
    return h;
}

/* An empty value is a group of its own: leaving it out would let the total minus the groups
 * show the answers of those who left the attribute blank. */
static const char *group_key(const char *key, size_t *len)
{
    *len = strnlen(key, SURVEY_ATTR_MAX - 1);
    if (*len == 0) {
        key = SURVEY_BLANK_GROUP;
        *len = strlen(key);
    }
    return key;
}

const struct survey_tally *survey__group_get(const struct survey__group_list *gl, const char *key)
{
    size_t len;
    key = group_key(key, &len);
    if (gl->nslot == 0)
        return NULL;
    uint32_t h = group_slot(gl, key, len);
    return gl->slot[h] >= 0 ? &gl->g[gl->slot[h]].t : NULL;
}

/* Finds or adds the group for key. Returns 0 with *out the group's tally, or NULL past the
 * limit; -1 when memory ran out. */
static int group_find(struct survey__group_list *gl, const char *key, struct survey_tally **out)
{
    size_t len;
    key = group_key(key, &len);
    *out = NULL;
    if ((gl->n + 1) * 2 > gl->nslot && slots_grow(gl) != 0)
        return -1;
    uint32_t h = group_slot(gl, key, len);
    if (gl->slot[h] >= 0) {
        *out = &gl->g[gl->slot[h]].t;
        return 0;
    }
    if (gl->n >= SURVEY_MAX_GROUPS) {
        gl->overflow = 1;
        return 0;
    }
    int j = group_append(gl, key, len);
    if (j < 0)
        return -1;
    gl->slot[h] = j;
    *out = &gl->g[j].t;
    return 0;
}

void survey__groups_free(struct survey__center_groups *cg)
{
    if (!cg)
        return;
    for (int a = 0; a < TEXT_ATTRS; a++) {
        free(cg->text[a].g);
        free(cg->text[a].slot);
    }
    free(cg);
}

struct survey__center_groups *survey__groups_count(const struct survey_layout *L,
                                                   const struct survey_center_data *d)
{
    struct survey__center_groups *cg = calloc(1, sizeof *cg);
    if (!cg)
        return NULL;
    for (size_t j = 0; j < d->n; j++) {
        const struct survey_respondent *r = &d->r[j];
        const char *keys[TEXT_ATTRS] = {r->segment, r->team, r->tenure};
        if (r->position < POS__COUNT)
            survey_tally_add(&cg->pos[r->position], r, L->nitems);
        for (int a = 0; a < TEXT_ATTRS; a++) {
            struct survey_tally *t;
            if (group_find(&cg->text[a], keys[a], &t) != 0) {
                survey__groups_free(cg);
                return NULL;
            }
            if (t)
                survey_tally_add(t, r, L->nitems);
        }
    }
    return cg;
}

static json_t *top3_obj(int shown, const struct survey_stat *st)
{
    double v = 0;
    int good = 1, ok = shown && survey_top3(st, &v) == 0;
    json_t *o = json_object();
    put(o, "top3", num(ok, v), &good);
    return finish(o, good);
}

static long valid_answers(const struct survey_tally *t, int i)
{
    return t->respondents - t->count[i][0];
}

/* A group's figures; item_hidden[i] says item i is hidden in it (an element shows only where all
 * of its items show). */
static json_t *group_json(const struct survey_layout *L, const struct survey_tally *t, int hidden,
                          const int *item_hidden)
{
    json_t *o = json_object(), *items = json_object(), *elems = json_object();
    int good = 1;
    struct survey_stat st;
    for (int i = 0; i < L->nitems; i++) {
        survey_stat_items(t, (uint64_t)1 << i, &st);
        put(items, L->item_ids[i], top3_obj(!item_hidden[i], &st), &good);
    }
    for (int e = 0; e < L->nelements; e++) {
        uint64_t mask = survey_element_items(L, e);
        int shown = !hidden;
        for (int i = 0; i < L->nitems; i++)
            if (mask >> i & 1)
                shown &= !item_hidden[i] || valid_answers(t, i) == 0;
        survey_stat_items(t, mask, &st);
        put(elems, L->element_codes[e], top3_obj(shown, &st), &good);
    }
    put(o, "respondents", json_integer(t->respondents), &good);
    put(o, "suppressed", json_boolean(hidden), &good);
    put(o, "items", items, &good);
    put(o, "elements", elems, &good);
    return finish(o, good);
}

/* The sibling rule over the groups, then over each item's valid answers within the groups left
 * visible (blanks make an item's cells smaller than the group). item_hidden is n × nitems. */
void survey__siblings_hide(const struct survey_layout *L, const struct survey_tally *const *tallies,
                           int n, int k, long *sizes, int *hidden, int *item_hidden)
{
    for (int g = 0; g < n; g++)
        sizes[g] = tallies[g]->respondents;
    survey_hide_siblings(sizes, n, k, hidden);
    int *col = item_hidden + (size_t)n * (size_t)L->nitems; /* scratch of n after the table */
    for (int i = 0; i < L->nitems; i++) {
        for (int g = 0; g < n; g++) {
            sizes[g] = valid_answers(tallies[g], i);
            col[g] = hidden[g];
        }
        survey_hide_siblings(sizes, n, k, col);
        for (int g = 0; g < n; g++)
            item_hidden[(size_t)g * (size_t)L->nitems + (size_t)i] = col[g];
    }
}

/* By text, the blank group last. */
static int key_cmp(const char *a, const char *b)
{
    int ab = strcmp(a, SURVEY_BLANK_GROUP) == 0, bb = strcmp(b, SURVEY_BLANK_GROUP) == 0;
    return ab != bb ? ab - bb : strcmp(a, b);
}

static int group_ptr_cmp(const void *pa, const void *pb)
{
    return key_cmp((*(const struct survey__group *const *)pa)->key,
                   (*(const struct survey__group *const *)pb)->key);
}

static int view_alloc(struct survey__view *v, int a, int n)
{
    size_t m = n ? (size_t)n : 1;
    v->n[a] = n;
    v->keys[a] = malloc(m * sizeof *v->keys[a]);
    v->t[a] = malloc(m * sizeof *v->t[a]);
    v->hidden[a] = calloc(m, sizeof *v->hidden[a]);
    v->item_hidden[a] = calloc(m * ((size_t)v->nitems + 1), sizeof *v->item_hidden[a]);
    return v->keys[a] && v->t[a] && v->hidden[a] && v->item_hidden[a] ? 0 : -1;
}

static int view_fill(struct survey__view *v)
{
    const struct survey__center_groups *cg = v->cg;
    int n = 0;
    for (int p = 0; p < POS__COUNT; p++)
        n += cg->pos[p].respondents > 0;
    if (view_alloc(v, 0, n))
        return -1;
    n = 0;
    for (int p = 0; p < POS__COUNT; p++)
        if (cg->pos[p].respondents > 0) {
            v->keys[0][n] = org_position_name((enum org_position)p);
            v->t[0][n++] = &cg->pos[p];
        }
    for (int a = 1; a < SURVEY__ATTRS; a++) {
        const struct survey__group_list *gl = &cg->text[a - 1];
        if (gl->overflow) {
            v->n[a] = -1;
            continue;
        }
        const struct survey__group **sorted = malloc((size_t)(gl->n ? gl->n : 1) * sizeof *sorted);
        if (!sorted || view_alloc(v, a, gl->n)) {
            free(sorted);
            return -1;
        }
        for (int g = 0; g < gl->n; g++)
            sorted[g] = &gl->g[g];
        qsort(sorted, (size_t)gl->n, sizeof *sorted, group_ptr_cmp);
        for (int g = 0; g < gl->n; g++) {
            v->keys[a][g] = sorted[g]->key;
            v->t[a][g] = &sorted[g]->t;
        }
        free(sorted);
    }
    return 0;
}

void survey__view_release(struct survey__view *v)
{
    for (int a = 0; a < SURVEY__ATTRS; a++) {
        free(v->keys[a]);
        free(v->t[a]);
        free(v->hidden[a]);
        free(v->item_hidden[a]);
    }
    survey__groups_free(v->cg);
    memset(v, 0, sizeof *v);
}

int survey__view_group_of(const struct survey__view *v, int a, const struct survey_respondent *r)
{
    if (v->n[a] < 0)
        return -1;
    const char *key;
    if (a == 0) {
        key = org_position_name((enum org_position)r->position);
    } else {
        const char *text = a == 1 ? r->segment : a == 2 ? r->team : r->tenure;
        key = *text ? text : SURVEY_BLANK_GROUP;
    }
    int lo = 0, hi = v->n[a] - 1;
    if (a == 0) { /* positions are few and in enum order, not by text */
        for (int g = 0; g < v->n[0]; g++)
            if (strcmp(v->keys[0][g], key) == 0)
                return g;
        return -1;
    }
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = key_cmp(key, v->keys[a][mid]);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

int survey__view_build(const struct survey_layout *L, const struct survey_center_data *d, int k,
                       int center_hidden, struct survey__view *v)
{
    memset(v, 0, sizeof *v);
    v->nitems = L->nitems;
    v->cg = survey__groups_count(L, d);
    int rc = v->cg ? view_fill(v) : -1;
    for (int a = 0; rc == 0 && a < SURVEY__ATTRS; a++) {
        if (v->n[a] < 0)
            continue;
        long *sizes = malloc((size_t)(v->n[a] ? v->n[a] : 1) * sizeof *sizes);
        if (!sizes) {
            rc = -1;
            break;
        }
        for (int g = 0; g < v->n[a]; g++)
            v->hidden[a][g] = center_hidden;
        survey__siblings_hide(L, v->t[a], v->n[a], k, sizes, v->hidden[a], v->item_hidden[a]);
        free(sizes);
    }
    if (rc == 0 && !center_hidden)
        rc = survey__audit(L, d, k, v);
    if (rc)
        survey__view_release(v);
    return rc;
}

static json_t *groups_json(const struct survey_layout *L, const struct survey_center_data *d,
                           int center_hidden, int k)
{
    static const char *const names[SURVEY__ATTRS] = {"position", "segment", "team", "tenure"};
    struct survey__view v;
    if (survey__view_build(L, d, k, center_hidden, &v))
        return NULL;
    json_t *o = json_object();
    int good = 1;
    for (int a = 0; a < SURVEY__ATTRS; a++) {
        if (v.n[a] < 0) {
            put(o, names[a], json_null(), &good);
            continue;
        }
        json_t *sib = json_object();
        for (int g = 0; g < v.n[a]; g++)
            put(sib, v.keys[a][g],
                group_json(L, v.t[a][g], v.hidden[a][g],
                           v.item_hidden[a] + (size_t)g * (size_t)L->nitems),
                &good);
        put(o, names[a], sib, &good);
    }
    survey__view_release(&v);
    return finish(o, good);
}

/* ---- score JSON: assembly ----------------------------------------------------------------------
 */

static json_t *center_json(const struct survey_layout *L, const struct survey_center_data *d,
                           const struct summary *s, const struct bench *b, int k)
{
    json_t *o = json_object();
    int good = 1, shown = s->shown && s->respondents >= k;
    int rank_ok = shown && s->rank_ok && items_shown(L, s->item, L->ranking_items, k);
    put(o, "center", code_string(d->center), &good);
    put(o, "respondents", json_integer(s->respondents), &good);
    put(o, "suppressed", json_boolean(!shown), &good);
    put(o, "items", totals_items(L, s, b, k), &good);
    put(o, "elements", totals_elements(L, s, b, k), &good);
    put(o, "groups", groups_json(L, d, !shown, k), &good);
    put(o, "ranking_score", num(rank_ok, s->rank_v), &good);
    put(o, "ranking_others_avg", others(b, b->rank_sum, b->rank_cnt, s->rank_ok, s->rank_v), &good);
    put(o, "ranking_hpb", hpb(b->hpb_rank_ok, b->hpb_rank), &good);
    return finish(o, good);
}

/* Summaries of every center, one counting pass each; NULL when memory ran out. */
static struct summary *summarise_all(const struct survey_layout *L,
                                     const struct survey_center_data *c, size_t n, int k)
{
    struct summary *s = malloc((n ? n : 1) * sizeof *s);
    struct survey_tally *scratch = malloc(sizeof *scratch);
    if (s && scratch)
        for (size_t j = 0; j < n; j++)
            summarise_center(L, &c[j], k, scratch, &s[j]);
    free(scratch);
    if (!scratch) {
        free(s);
        return NULL;
    }
    return s;
}

struct survey_scorer {
    const struct survey_layout *L;
    const struct survey_center_data *c;
    size_t ncenters;
    struct survey_rules R;
    struct summary *s;
    struct bench b;
};

survey_scorer *survey_scorer_new(const struct survey_layout *L, const struct survey_center_data *c,
                                 size_t ncenters, const struct survey_rules *R)
{
    if (!layout_ok(L) || (ncenters && !c) || !R)
        return NULL;
    survey_scorer *sc = malloc(sizeof *sc);
    if (!sc)
        return NULL;
    sc->L = L;
    sc->c = c;
    sc->ncenters = ncenters;
    sc->R = *R;
    sc->s = summarise_all(L, c, ncenters, R->k_bench);
    if (!sc->s || bench_build(L, sc->s, c, ncenters, R, &sc->b) != 0) {
        survey_scorer_free(sc);
        return NULL;
    }
    return sc;
}

void survey_scorer_free(survey_scorer *sc)
{
    if (!sc)
        return;
    free(sc->s);
    free(sc);
}

json_t *survey_scorer_center(const survey_scorer *sc, size_t j)
{
    return j < sc->ncenters ? center_json(sc->L, &sc->c[j], &sc->s[j], &sc->b, sc->R.k) : NULL;
}

json_t *survey_score_json(const struct survey_layout *L, const struct survey_center_data *c,
                          size_t ncenters, const char *only_center, const struct survey_rules *R)
{
    survey_scorer *sc = survey_scorer_new(L, c, ncenters, R);
    json_t *root = json_object(), *list = json_array();
    int good = sc != NULL;
    for (size_t j = 0; good && j < ncenters; j++)
        if (!only_center || code_cmp(c[j].center, only_center) == 0)
            push(list, survey_scorer_center(sc, j), &good);
    put(root, "centers", list, &good);
    survey_scorer_free(sc);
    return finish(root, good);
}

/* ---- award ----------------------------------------------------------------------------------- */

enum {
    REASON_DIVISION,
    REASON_OPERATORS,
    REASON_RATE,
    REASON_NONOP,
    REASON_RESPONDENTS,
    REASON_NO_ANSWERS,
    REASON__COUNT
};

static const char *const reason_names[REASON__COUNT] = {"division",      "operator_responses",
                                                        "response_rate", "non_operator_share",
                                                        "respondents",   "no_answers"};

struct award_row {
    const struct survey_center_data *d;
    const struct summary *s;
    const char *division;
    long ops;
    unsigned reasons;
    long rank;
};

static long count_operators(const struct survey_center_data *d)
{
    long ops = 0;
    for (size_t j = 0; j < d->n; j++)
        ops += d->r[j].position == POS_OP;
    return ops;
}

/* The rules in integers (per cent cross-multiplied), so 70 % of 100 is exactly 70. */
static void award_rules(struct award_row *w)
{
    long n = w->s->respondents;
    int64_t enrolled = w->d->operators_enrolled;
    w->division = survey_division(enrolled);
    w->ops = count_operators(w->d);
    w->reasons = 0;
    if (!w->division)
        w->reasons |= 1u << REASON_DIVISION;
    if (w->ops < SURVEY_AWARD_MIN_OPS)
        w->reasons |= 1u << REASON_OPERATORS;
    if (enrolled <= 0 || (int64_t)w->ops * 100 < (int64_t)SURVEY_AWARD_RATE * enrolled)
        w->reasons |= 1u << REASON_RATE;
    if (n <= 0 || (int64_t)(n - w->ops) * 100 < (int64_t)SURVEY_AWARD_NONOP * n)
        w->reasons |= 1u << REASON_NONOP;
    if (!w->s->shown)
        w->reasons |= 1u << REASON_RESPONDENTS;
    else if (!w->s->rank_ok)
        w->reasons |= 1u << REASON_NO_ANSWERS;
}

static int division_order(const char *d)
{
    return d ? d[0] - 'A' : 2;
}

static int row_cmp(const void *pa, const void *pb)
{
    const struct award_row *a = pa, *b = pb;
    int c = division_order(a->division) - division_order(b->division);
    if (c == 0)
        c = (a->reasons != 0) - (b->reasons != 0);
    if (c == 0 && a->reasons == 0)
        c = rank_cmp(a->s, b->s);
    return c ? c : code_cmp(a->d->center, b->d->center);
}

/* Rows are sorted; eligible rows of one division are adjacent and best first. Centers equal in
 * every ranking key share the rank of the first of them (1, 1, 3). */
static void assign_ranks(struct award_row *w, size_t n)
{
    long pos = 0;
    for (size_t j = 0; j < n; j++) {
        if (w[j].reasons) {
            w[j].rank = 0;
            continue;
        }
        int same_div = j > 0 && !w[j - 1].reasons &&
                       division_order(w[j - 1].division) == division_order(w[j].division);
        pos = same_div ? pos + 1 : 1;
        w[j].rank = same_div && rank_cmp(w[j - 1].s, w[j].s) == 0 ? w[j - 1].rank : pos;
    }
}

static json_t *reasons_json(unsigned reasons)
{
    json_t *a = json_array();
    int good = 1;
    for (int r = 0; r < REASON__COUNT; r++)
        if (reasons & (1u << r))
            push(a, json_string(reason_names[r]), &good);
    return finish(a, good);
}

static json_t *row_json(const struct award_row *w, int k)
{
    json_t *o = json_object();
    int good = 1;
    long n = w->s->respondents;
    int64_t enrolled = w->d->operators_enrolled;
    put(o, "center", code_string(w->d->center), &good);
    put(o, "division", w->division ? json_string(w->division) : json_null(), &good);
    put(o, "eligible", json_boolean(w->reasons == 0), &good);
    put(o, "reasons", reasons_json(w->reasons), &good);
    put(o, "score", num(w->s->rank_ok && n >= k, w->s->rank_v), &good);
    put(o, "rank", w->reasons ? json_null() : json_integer(w->rank), &good);
    put(o, "respondents", json_integer(n), &good);
    put(o, "operator_responses", json_integer(w->ops), &good);
    put(o, "response_rate", num(enrolled > 0, enrolled > 0 ? (double)w->ops / (double)enrolled : 0),
        &good);
    put(o, "non_operator_share", num(n > 0, n > 0 ? (double)(n - w->ops) / (double)n : 0), &good);
    return finish(o, good);
}

json_t *survey_rank_json(const struct survey_layout *L, const struct survey_center_data *c,
                         size_t ncenters, const struct survey_rules *R)
{
    if (!layout_ok(L) || (ncenters && !c) || !R)
        return NULL;
    struct summary *s = summarise_all(L, c, ncenters, R->k_bench);
    struct award_row *w = malloc((ncenters ? ncenters : 1) * sizeof *w);
    json_t *root = json_object(), *list = json_array();
    int good = s && w;
    if (good) {
        for (size_t j = 0; j < ncenters; j++) {
            w[j] = (struct award_row){.d = &c[j], .s = &s[j]};
            award_rules(&w[j]);
        }
        qsort(w, ncenters, sizeof *w, row_cmp);
        assign_ranks(w, ncenters);
        for (size_t j = 0; j < ncenters; j++)
            push(list, row_json(&w[j], R->k), &good);
    }
    put(root, "entries", list, &good);
    free(s);
    free(w);
    return finish(root, good);
}
