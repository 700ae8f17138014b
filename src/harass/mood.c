/* The operators' mood log as others may see it: averages for teams large enough that nobody can
 * be picked out, and only the entries an operator chose to share. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "harass.h"

json_t *harass_mood_json(const struct harass_mood *m)
{
    char at[32];
    time_iso8601(m->at, at, sizeof at);
    return json_pack("{s:I, s:s, s:i, s:s, s:b}", "id", (json_int_t)m->id, "at", at, "mood",
                     m->mood, "memo", m->memo, "shared", m->shared);
}

/* Counts the distinct operators among the entries of one team. */
static int operators_of(const struct harass_mood *m, size_t n, int64_t team)
{
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].team_id != team)
            continue;
        size_t j = 0;
        while (j < i && !(m[j].team_id == team && m[j].user_id == m[i].user_id))
            j++;
        count += j == i;
    }
    return count;
}

/* {week, average, entries} per ISO week, in the order the (time-ordered) entries give. */
static json_t *weeks_of(const struct harass_mood *m, size_t n, int64_t team)
{
    json_t *arr = json_array();
    char cur[12] = "";
    long sum = 0, cnt = 0;
    for (size_t i = 0; i <= n; i++) {
        char w[12] = "";
        if (i < n && m[i].team_id != team)
            continue;
        if (i < n)
            harass_iso_week(m[i].at, w);
        if (cnt && (i == n || strcmp(w, cur) != 0)) {
            json_array_append_new(arr, json_pack("{s:s, s:f, s:i}", "week", cur, "average",
                                                 (double)sum / (double)cnt, "entries", (int)cnt));
            sum = cnt = 0;
        }
        if (i == n)
            break;
        str_copy(cur, sizeof cur, w);
        sum += m[i].mood;
        cnt++;
    }
    return arr;
}

json_t *harass_mood_trend_json(const struct harass_mood *m, size_t n, int64_t team_id,
                               const struct org_team *teams, size_t nteams)
{
    json_t *out = json_array(), *shared = json_array();
    for (size_t t = 0; t <= nteams; t++) {
        /* The last pass is for operators without a team (team id 0). */
        int64_t id = t < nteams ? teams[t].id : 0;
        const char *code = t < nteams ? teams[t].code : NULL;
        if (team_id && id != team_id)
            continue;
        int ops = operators_of(m, n, id);
        if (ops == 0)
            continue;
        json_t *e = json_pack("{s:s?, s:i}", "team", code, "operators", ops);
        if (ops < HARASS_MOOD_MIN) {
            json_object_set_new(e, "suppressed", json_true());
            json_object_set_new(e, "weeks", json_null());
        } else {
            json_object_set_new(e, "suppressed", json_false());
            json_object_set_new(e, "weeks", weeks_of(m, n, id));
        }
        json_array_append_new(out, e);
        for (size_t i = 0; i < n; i++) {
            if (m[i].team_id != id || !m[i].shared)
                continue;
            json_t *s = harass_mood_json(&m[i]);
            json_object_set_new(s, "login", json_string(m[i].login));
            json_array_append_new(shared, s);
        }
    }
    return json_pack("{s:o, s:o, s:i}", "teams", out, "shared", shared, "min_operators",
                     HARASS_MOOD_MIN);
}
