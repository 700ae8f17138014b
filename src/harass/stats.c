/* Statistics of flagged cases: counts by week, team, category and verdict, rates per 1,000 calls,
 * and the repeat callers a center may want the call guard to block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "agreement.h"
#include "harass.h"

/* The verdict that counts: headquarters' when the case was reviewed, else the field's. */
static enum harass_verdict counted(const struct harass_case *c)
{
    return c->reviews ? c->final_verdict : c->verdict;
}

/* Finds or adds the row for key in an object of rows {cases, claim, grey, harassment}. */
static json_t *row(json_t *rows, const char *key)
{
    json_t *r = json_object_get(rows, key);
    if (!r) {
        r = json_pack("{s:i, s:i, s:i, s:i}", "cases", 0, "claim", 0, "grey", 0, "harassment", 0);
        json_object_set_new(rows, key, r);
    }
    return r;
}

static void bump(json_t *r, const char *field)
{
    json_object_set_new(r, field, json_integer(json_integer_value(json_object_get(r, field)) + 1));
}

static void count_case(json_t *r, const struct harass_case *c)
{
    bump(r, "cases");
    bump(r, harass_verdict_name(counted(c)));
}

/* The ISO week (Japan time) a YYYY-MM-DD day falls in. */
static int day_week(const char *day, char *week)
{
    struct tm tm = {0};
    const char *rest = strptime(day, "%Y-%m-%d", &tm);
    if (!rest || *rest)
        return -1;
    /* Noon Japan time is safely inside the day whatever the zone arithmetic. */
    harass_iso_week((int64_t)timegm(&tm) + 3 * 3600, week);
    return 0;
}

/* Adds calls and per_1000 to week rows; a week with no call counts gets nulls. */
static void add_rates(json_t *weeks, const struct harass_calls *calls, size_t ncalls)
{
    json_t *sum = json_object();
    for (size_t i = 0; i < ncalls; i++) {
        char week[12];
        if (calls[i].team[0] || day_week(calls[i].day, week))
            continue; /* team rows refine, the center row (team "") counts */
        json_t *v = json_object_get(sum, week);
        json_object_set_new(sum, week, json_integer(json_integer_value(v) + calls[i].calls));
        row(weeks, week);
    }
    const char *w;
    json_t *r;
    json_object_foreach(weeks, w, r)
    {
        json_t *v = json_object_get(sum, w);
        int64_t n = v ? json_integer_value(v) : 0;
        json_object_set_new(r, "calls", v ? json_integer(n) : json_null());
        json_object_set_new(
            r, "per_1000",
            n > 0 ? json_real((double)json_integer_value(json_object_get(r, "cases")) * 1000.0 /
                              (double)n)
                  : json_null());
    }
    json_decref(sum);
}

/* Turns {key: row} into [{<name>: key, …row}] in key order. */
static json_t *as_list(json_t *rows, const char *name)
{
    json_t *arr = json_array();
    const char *k;
    json_t *r;
    /* jansson keeps insertion order; sort the keys so weeks and codes come out in order. */
    size_t n = json_object_size(rows), i = 0;
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    if (!keys)
        return arr;
    json_object_foreach(rows, k, r) keys[i++] = k;
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
            const char *t = keys[b];
            keys[b] = keys[b - 1];
            keys[b - 1] = t;
        }
    for (i = 0; i < n; i++) {
        json_t *e = json_deep_copy(json_object_get(rows, keys[i]));
        json_object_set_new(e, name, json_string(keys[i]));
        json_array_append_new(arr, e);
    }
    free(keys);
    return arr;
}

static json_t *repeat_callers(const struct harass_case *cases, size_t n, int64_t to)
{
    json_t *by = json_object();
    int64_t since = to - (int64_t)HARASS_REPEAT_DAYS * 86400;
    for (size_t i = 0; i < n; i++) {
        const struct harass_case *c = &cases[i];
        if (!c->caller_ref[0] || c->occurred_at < since || c->occurred_at >= to ||
            counted(c) != VERDICT_HARASSMENT)
            continue;
        json_t *e = json_object_get(by, c->caller_ref);
        if (!e) {
            e = json_pack("{s:s, s:i, s:I}", "caller_ref", c->caller_ref, "harassment", 0, "last",
                          (json_int_t)0);
            json_object_set_new(by, c->caller_ref, e);
        }
        bump(e, "harassment");
        if (c->occurred_at > json_integer_value(json_object_get(e, "last")))
            json_object_set_new(e, "last", json_integer(c->occurred_at));
    }
    json_t *arr = json_array();
    const char *k;
    json_t *e;
    json_object_foreach(by, k, e)
    {
        if (json_integer_value(json_object_get(e, "harassment")) < HARASS_REPEAT_MIN)
            continue;
        char at[32];
        time_iso8601(json_integer_value(json_object_get(e, "last")), at, sizeof at);
        json_array_append_new(arr, json_pack("{s:s, s:I, s:s}", "caller_ref", k, "harassment",
                                             json_integer_value(json_object_get(e, "harassment")),
                                             "last", at));
    }
    json_decref(by);
    return arr;
}

json_t *harass_stats_json(const struct harass_case *cases, size_t ncases,
                          const struct harass_calls *calls, size_t ncalls, int64_t from, int64_t to)
{
    json_t *weeks = json_object(), *teams = json_object(), *cats = json_object();
    json_t *total =
        json_pack("{s:i, s:i, s:i, s:i}", "cases", 0, "claim", 0, "grey", 0, "harassment", 0);
    int reviewed = 0;
    for (size_t i = 0; i < ncases; i++) {
        const struct harass_case *c = &cases[i];
        if (c->occurred_at < from || c->occurred_at >= to)
            continue;
        count_case(total, c);
        count_case(row(weeks, c->week), c);
        count_case(row(teams, c->team_id ? c->team : "-"), c);
        reviewed += c->reviews > 0;
        const char *p = c->categories;
        while (*p) {
            size_t n = strcspn(p, ",");
            char code[HARASS_CODE_MAX];
            snprintf(code, sizeof code, "%.*s", (int)n, p);
            count_case(row(cats, code), c);
            p += n + (p[n] == ',');
        }
    }
    add_rates(weeks, calls, ncalls);
    json_object_set_new(total, "reviewed", json_integer(reviewed));
    json_t *out =
        json_pack("{s:o, s:o, s:o, s:o, s:o}", "total", total, "by_week", as_list(weeks, "week"),
                  "by_team", as_list(teams, "team"), "by_category", as_list(cats, "category"),
                  "repeat_callers", repeat_callers(cases, ncases, to));
    json_decref(weeks);
    json_decref(teams);
    json_decref(cats);
    return out;
}

json_t *harass_agreement_json(const struct harass_case *cases, size_t ncases,
                              struct agree_result *res)
{
    struct agree_pair *pairs = calloc(ncases ? ncases : 1, sizeof *pairs);
    if (!pairs)
        return NULL;
    for (size_t i = 0; i < ncases; i++) {
        const struct harass_case *c = &cases[i];
        pairs[i] = (struct agree_pair){
            c->behaviour,          c->demand, (int)c->verdict, c->final_behaviour, c->final_demand,
            (int)c->final_verdict, ""};
        str_copy(pairs[i].week, sizeof pairs[i].week, c->week);
    }
    struct agree_result r;
    agree_compute(pairs, ncases, &r);
    json_t *j = agree_json(pairs, ncases, &r);
    free(pairs);
    if (res)
        *res = r;
    return j;
}
