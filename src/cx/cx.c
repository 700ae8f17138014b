#include "cx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonfile.h"
#include "core/util.h"

struct cx_action {
    json_t *j;
    int level;
    int area;
    int difficulty; /* 1–3 stars */
    int start_days;
    const char *start_ja;
};

struct cx_sheet {
    json_t *root;
    json_t *area[CX_AREAS];
    const char *area_code[CX_AREAS];
    json_t *stage[CX_LEVELS];
    struct cx_action actions[CX_MAX_ACTIONS];
    int nactions;
};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return -1;                                                                                 \
    } while (0)

static int str_field(json_t *o, const char *k)
{
    return json_is_string(json_object_get(o, k)) && json_string_length(json_object_get(o, k)) > 0;
}

static int load_areas(cx_sheet *s, char *err, size_t errlen)
{
    json_t *areas = json_object_get(s->root, "areas");
    if (!json_is_array(areas) || json_array_size(areas) != CX_AREAS)
        FAIL("areas: expected %d areas", CX_AREAS);
    for (int a = 0; a < CX_AREAS; a++) {
        json_t *ar = json_array_get(areas, (size_t)a), *lv = json_object_get(ar, "levels");
        if (!str_field(ar, "code") || !str_field(ar, "name"))
            FAIL("areas[%d]: needs \"code\" and \"name\"", a);
        if (!json_is_array(lv) || json_array_size(lv) != CX_LEVELS)
            FAIL("areas[%d].levels: expected %d descriptions (levels 0–3)", a, CX_LEVELS);
        for (int l = 0; l < CX_LEVELS; l++)
            if (!json_is_string(json_array_get(lv, (size_t)l)))
                FAIL("areas[%d].levels[%d]: expected text", a, l);
        s->area[a] = ar;
        s->area_code[a] = json_string_value(json_object_get(ar, "code"));
    }
    json_t *stages = json_object_get(s->root, "stages");
    if (!json_is_array(stages) || json_array_size(stages) != CX_LEVELS)
        FAIL("stages: expected %d stages (levels 0–3)", CX_LEVELS);
    for (int l = 0; l < CX_LEVELS; l++) {
        json_t *st = json_array_get(stages, (size_t)l);
        if (json_integer_value(json_object_get(st, "level")) != l || !str_field(st, "name"))
            FAIL("stages[%d]: needs \"level\": %d and a \"name\"", l, l);
        s->stage[l] = st;
    }
    return 0;
}

static int start_lookup(json_t *root, const char *code, int *days, const char **ja)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(root, "start_times"), i, t)
    {
        if (code && strcmp(json_string_value(json_object_get(t, "code")), code) == 0) {
            *days = (int)json_integer_value(json_object_get(t, "days"));
            *ja = json_string_value(json_object_get(t, "ja"));
            return 0;
        }
    }
    return -1;
}

static int load_actions(cx_sheet *s, char *err, size_t errlen)
{
    json_t *acts = json_object_get(s->root, "actions");
    if (!json_is_array(acts) || json_array_size(acts) == 0 ||
        json_array_size(acts) > CX_MAX_ACTIONS)
        FAIL("actions: expected 1 to %d actions", CX_MAX_ACTIONS);
    size_t i;
    json_t *a;
    json_array_foreach(acts, i, a)
    {
        struct cx_action *x = &s->actions[i];
        x->j = a;
        x->level = (int)json_integer_value(json_object_get(a, "level"));
        x->difficulty = (int)json_integer_value(json_object_get(a, "difficulty"));
        x->area = cx_area_find(s, json_string_value(json_object_get(a, "area")));
        if (!str_field(a, "id") || !str_field(a, "title"))
            FAIL("actions[%zu]: needs \"id\" and \"title\"", i);
        if (!json_is_integer(json_object_get(a, "level")) || x->level < 0 || x->level > 3)
            FAIL("actions[%zu].level: expected 0–3", i);
        if (x->difficulty < 1 || x->difficulty > 3)
            FAIL("actions[%zu].difficulty: expected 1–3", i);
        if (x->area < 0)
            FAIL("actions[%zu].area: not one of the sheet's areas", i);
        if (start_lookup(s->root, json_string_value(json_object_get(a, "start")), &x->start_days,
                         &x->start_ja))
            FAIL("actions[%zu].start: not one of start_times", i);
    }
    s->nactions = (int)json_array_size(acts);
    return 0;
}

int cx_sheet_from_json(json_t *root, cx_sheet **out, char *err, size_t errlen)
{
    cx_sheet *s = calloc(1, sizeof *s);
    if (!s)
        FAIL("out of memory");
    s->root = json_incref(root);
    if (load_areas(s, err, errlen) || load_actions(s, err, errlen)) {
        cx_sheet_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int cx_sheet_load(const char *path, cx_sheet **out, char *err, size_t errlen)
{
    json_t *root;
    if (json_file_load(path, &root, err, errlen))
        return -1;
    char inner[300];
    int rc = cx_sheet_from_json(root, out, inner, sizeof inner);
    json_decref(root);
    if (rc)
        FAIL("%s: %s", path, inner);
    return 0;
}

void cx_sheet_free(cx_sheet *s)
{
    if (!s)
        return;
    json_decref(s->root);
    free(s);
}

const char *cx_area_code(const cx_sheet *s, int area)
{
    return area >= 0 && area < CX_AREAS ? s->area_code[area] : NULL;
}

int cx_area_find(const cx_sheet *s, const char *code)
{
    for (int a = 0; code && a < CX_AREAS; a++)
        if (s->area_code[a] && strcmp(s->area_code[a], code) == 0)
            return a;
    return -1;
}

int cx_parse_levels(const char *text, int levels[CX_AREAS], char *err, size_t errlen)
{
    const char *p = text ? text : "";
    int v[CX_AREAS];
    for (int a = 0; a < CX_AREAS; a++) {
        size_t n = strcspn(p, ",");
        if (n != 1 || p[0] < '0' || p[0] > '3')
            FAIL("--areas: value \"%.40s\": area %d is \"%.*s\", expected a level from 0 to 3 "
                 "(four levels, e.g. 1,2,1,0)",
                 text ? text : "", a + 1, (int)(n > 8 ? 8 : n), p);
        v[a] = p[0] - '0';
        p += n;
        if (a < CX_AREAS - 1) {
            if (*p != ',')
                FAIL("--areas: value \"%.40s\": expected %d levels separated by commas",
                     text ? text : "", CX_AREAS);
            p++;
        }
    }
    if (*p)
        FAIL("--areas: value \"%.40s\": expected exactly %d levels", text, CX_AREAS);
    memcpy(levels, v, sizeof v);
    return 0;
}

/* Easiest first: fewer stars, then a sooner start, then catalog order. */
static int easier(const struct cx_action *x, int ix, const struct cx_action *y, int iy)
{
    if (x->difficulty != y->difficulty)
        return x->difficulty < y->difficulty;
    if (x->start_days != y->start_days)
        return x->start_days < y->start_days;
    return ix < iy;
}

/* The easiest action that lifts area a from its level, or -1. */
static int easiest_for(const cx_sheet *s, int a, int level)
{
    int best = -1;
    for (int i = 0; i < s->nactions; i++)
        if (s->actions[i].area == a && s->actions[i].level == level &&
            (best < 0 || easier(&s->actions[i], i, &s->actions[best], best)))
            best = i;
    return best;
}

/* Orders areas from weakest to strongest; among equally weak areas, the one whose easiest action
 * is easier comes first, so the plan opens with the weakest area and the easiest action. */
static void order_areas(const cx_sheet *s, const int levels[CX_AREAS], int order[CX_AREAS])
{
    int best[CX_AREAS];
    for (int a = 0; a < CX_AREAS; a++) {
        order[a] = a;
        best[a] = easiest_for(s, a, levels[a]);
    }
    for (int i = 1; i < CX_AREAS; i++) {
        for (int j = i; j > 0; j--) {
            int x = order[j], y = order[j - 1];
            int before = levels[x] < levels[y] ||
                         (levels[x] == levels[y] && best[x] >= 0 &&
                          (best[y] < 0 ||
                           easier(&s->actions[best[x]], best[x], &s->actions[best[y]], best[y])));
            if (!before)
                break;
            order[j] = y;
            order[j - 1] = x;
        }
    }
}

void cx_diagnose(const cx_sheet *s, const int levels[CX_AREAS], struct cx_result *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->levels, levels, sizeof out->levels);
    out->overall = 3;
    for (int a = 0; a < CX_AREAS; a++)
        if (levels[a] < out->overall)
            out->overall = levels[a];
    out->target = out->overall < 3 ? out->overall + 1 : 3;
    int order[CX_AREAS];
    order_areas(s, levels, order);
    for (int k = 0; k < CX_AREAS; k++) {
        int a = order[k], first = out->nplan;
        for (int i = 0; i < s->nactions; i++) {
            if (s->actions[i].area != a || s->actions[i].level != levels[a])
                continue;
            /* Insertion into this area's slice, easiest first. */
            int j = out->nplan++;
            while (j > first &&
                   easier(&s->actions[i], i, &s->actions[out->plan[j - 1]], out->plan[j - 1])) {
                out->plan[j] = out->plan[j - 1];
                j--;
            }
            out->plan[j] = i;
        }
    }
    /* Roadmap: quick wins on the weakest areas in 3 months; their harder actions and the easy
     * ones of the next-weakest areas by 6 months; everything else within the year. */
    for (int k = 0; k < out->nplan; k++) {
        const struct cx_action *x = &s->actions[out->plan[k]];
        int lvl = levels[x->area];
        if (lvl == out->overall && x->difficulty <= 2)
            out->m3[out->nm3++] = out->plan[k];
        else if (lvl == out->overall || (lvl == out->overall + 1 && x->difficulty <= 2))
            out->m6[out->nm6++] = out->plan[k];
        else
            out->m12[out->nm12++] = out->plan[k];
    }
}

static json_t *action_json(const cx_sheet *s, int i)
{
    const struct cx_action *x = &s->actions[i];
    static const char *const stars[] = {"", "★", "★★", "★★★"};
    json_t *a = json_object();
    const char *keys[] = {"id", "title", "how", "effect", "start"};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++)
        json_object_set(a, keys[k], json_object_get(x->j, keys[k]));
    json_object_set_new(a, "area", json_string(s->area_code[x->area]));
    json_object_set(a, "area_name", json_object_get(s->area[x->area], "name"));
    json_object_set_new(a, "level", json_integer(x->level));
    json_object_set_new(a, "difficulty", json_integer(x->difficulty));
    json_object_set_new(a, "stars", json_string(stars[x->difficulty]));
    json_object_set_new(a, "start_ja", json_string(x->start_ja ? x->start_ja : ""));
    return a;
}

static json_t *actions_json(const cx_sheet *s, const int *idx, int n)
{
    json_t *arr = json_array();
    for (int k = 0; k < n; k++)
        json_array_append_new(arr, action_json(s, idx[k]));
    return arr;
}

static json_t *milestone_json(const cx_sheet *s, const struct cx_result *r, int months,
                              const int *idx, int n)
{
    char goal[512];
    const char *target_name = json_string_value(json_object_get(s->stage[r->target], "name"));
    if (months == 3) {
        char names[300] = "";
        for (int a = 0; a < CX_AREAS; a++) {
            if (r->levels[a] != r->overall)
                continue;
            if (names[0])
                strncat(names, "・", sizeof names - strlen(names) - 1);
            strncat(names, json_string_value(json_object_get(s->area[a], "name")),
                    sizeof names - strlen(names) - 1);
        }
        if (r->overall == 3)
            snprintf(goal, sizeof goal, "どの領域も最上位。今の強みを保つ施策から続ける");
        else
            snprintf(goal, sizeof goal, "いちばん弱い「%s」で、すぐ始められる施策に着手する",
                     names);
    } else if (months == 6) {
        snprintf(goal, sizeof goal,
                 "4つの領域すべてをレベル%d（%s）にそろえ、次に弱い領域も一段上を目指し始める",
                 r->target, target_name);
        if (r->overall == 3)
            snprintf(goal, sizeof goal,
                     "ファンづくりの施策を広げ、成果をチェックポイントで確かめる");
    } else if (r->overall < 3) {
        snprintf(goal, sizeof goal, "レベル%dを定着させ、先に進んでいる領域から次の段階に備える",
                 r->target);
    } else {
        snprintf(goal, sizeof goal, "ファンづくりを習慣にし、人が替わっても続く形にする");
    }
    char key[8];
    snprintf(key, sizeof key, "m%d", months);
    json_t *cps =
        json_object_get(json_object_get(json_object_get(s->root, "roadmap"), key), "checkpoints");
    /* "o" takes the reference it is given: a borrowed list gets its own, a new one is handed over.
     */
    return json_pack("{s:i, s:s, s:i, s:o, s:o}", "months", months, "goal", goal, "target_level",
                     r->target, "actions", actions_json(s, idx, n), "checkpoints",
                     cps ? json_incref(cps) : json_array());
}

json_t *cx_result_json(const cx_sheet *s, const struct cx_result *r)
{
    json_t *areas = json_array();
    for (int a = 0; a < CX_AREAS; a++) {
        json_t *desc = json_array_get(json_object_get(s->area[a], "levels"), (size_t)r->levels[a]);
        json_array_append_new(areas, json_pack("{s:s, s:O, s:i, s:O}", "code", s->area_code[a],
                                               "name", json_object_get(s->area[a], "name"), "level",
                                               r->levels[a], "description", desc));
    }
    json_t *st = s->stage[r->overall];
    json_t *profile = json_object();
    const char *keys[] = {"summary", "features", "problems", "next"};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++)
        json_object_set(profile, keys[k], json_object_get(st, keys[k]));
    json_t *roadmap = json_pack("{s:o, s:o, s:o}", "m3", milestone_json(s, r, 3, r->m3, r->nm3),
                                "m6", milestone_json(s, r, 6, r->m6, r->nm6), "m12",
                                milestone_json(s, r, 12, r->m12, r->nm12));
    return json_pack("{s:o, s:i, s:O, s:O?, s:o, s:o, s:o, s:O?}", "areas", areas, "overall",
                     r->overall, "stage", json_object_get(st, "name"), "stage_en",
                     json_object_get(st, "name_en"), "profile", profile, "actions",
                     actions_json(s, r->plan, r->nplan), "roadmap", roadmap, "rule",
                     json_object_get(s->root, "rule"));
}

json_t *cx_sheet_json(const cx_sheet *s)
{
    json_t *o = json_object();
    const char *keys[] = {"title", "guidance", "rule", "stages", "areas", "checkpoints"};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++)
        json_object_set(o, keys[k], json_object_get(s->root, keys[k]));
    return o;
}

int cx_checkpoint_known(const cx_sheet *s, const char *code)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(s->root, "checkpoints"), i, c)
    {
        if (code && strcmp(json_string_value(json_object_get(c, "code")), code) == 0)
            return 1;
    }
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Summarises answers [from, to) of one round. */
static json_t *round_json(const cx_sheet *s, const struct cx_answer *a, size_t from, size_t to,
                          int median[CX_AREAS])
{
    json_t *answers = json_array(), *med = json_object(), *dis = json_array();
    size_t n = to - from;
    int overall = 3;
    for (size_t i = from; i < to; i++) {
        json_t *lv = json_object();
        int ov = 3;
        for (int k = 0; k < CX_AREAS; k++) {
            json_object_set_new(lv, s->area_code[k], json_integer(a[i].levels[k]));
            ov = a[i].levels[k] < ov ? a[i].levels[k] : ov;
        }
        json_array_append_new(answers, json_pack("{s:s, s:o, s:i}", "respondent", a[i].respondent,
                                                 "levels", lv, "overall", ov));
    }
    for (int k = 0; k < CX_AREAS; k++) {
        int v[256];
        size_t m = n < 256 ? n : 256;
        for (size_t i = 0; i < m; i++)
            v[i] = a[from + i].levels[k];
        qsort(v, m, sizeof v[0], cmp_int);
        /* The lower middle value: when staff split, the sheet asks for the honest, lower level. */
        median[k] = v[(m - 1) / 2];
        overall = median[k] < overall ? median[k] : overall;
        json_object_set_new(med, s->area_code[k], json_integer(median[k]));
        if (v[m - 1] != v[0])
            json_array_append_new(dis,
                                  json_pack("{s:s, s:O, s:i, s:i, s:b}", "area", s->area_code[k],
                                            "name", json_object_get(s->area[k], "name"), "min",
                                            v[0], "max", v[m - 1], "strong", v[m - 1] - v[0] >= 2));
    }
    char at[32];
    time_iso8601(a[from].taken_at, at, sizeof at);
    return json_pack("{s:s, s:s, s:i, s:o, s:o, s:i, s:o}", "round", a[from].round, "taken_at", at,
                     "respondents", (int)n, "answers", answers, "median", med, "overall", overall,
                     "disagreements", dis);
}

json_t *cx_history_json(const cx_sheet *s, const struct cx_answer *a, size_t n)
{
    json_t *rounds = json_array();
    int prev[CX_AREAS], have_prev = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && strcmp(a[j].round, a[i].round) == 0)
            j++;
        int med[CX_AREAS];
        json_t *r = round_json(s, a, i, j, med);
        json_t *progress = json_object();
        for (int k = 0; k < CX_AREAS; k++)
            json_object_set_new(progress, s->area_code[k],
                                have_prev ? json_integer(med[k] - prev[k]) : json_null());
        json_object_set_new(r, "progress", progress);
        json_array_append_new(rounds, r);
        memcpy(prev, med, sizeof prev);
        have_prev = 1;
        i = j;
    }
    return json_pack("{s:o}", "rounds", rounds);
}
