/* JSON views of cases, reviews and care tasks, and the time format they are given in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "harass.h"

static json_t *csv_array(const char *csv)
{
    json_t *arr = json_array();
    const char *p = csv;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        json_array_append_new(arr, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return arr;
}

static json_t *time_json(int64_t t)
{
    char buf[32];
    if (!t)
        return json_null();
    time_iso8601(t, buf, sizeof buf);
    return json_string(buf);
}

json_t *harass_case_json(const harass_policy *p, const struct harass_case *c)
{
    json_t *evidence = json_loads(c->evidence, 0, NULL);
    json_t *o =
        json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:O?}", "id",
                  (json_int_t)c->id, "center", c->center, "team", c->team_id ? c->team : NULL,
                  "operator", c->operator_login, "channel", c->channel, "interaction",
                  c->interaction, "at", time_json(c->occurred_at), "week", c->week, "categories",
                  csv_array(c->categories), "requests", csv_array(c->requests), "memo", c->memo,
                  "source", c->source, "evidence", evidence);
    json_decref(evidence);
    /* The working name: other roles see an operator's business name, never the real one. */
    json_object_set_new(o, "operator_name", json_string(c->operator_name));
    json_object_set_new(o, "caller_ref",
                        c->caller_ref[0] ? json_string(c->caller_ref) : json_null());
    json_object_set_new(o, "field",
                        json_pack("{s:i, s:i, s:s, s:s?, s:s}", "behaviour", c->behaviour, "demand",
                                  c->demand, "verdict", harass_verdict_name(c->verdict),
                                  "verdict_label", harass_verdict_label(p, c->verdict), "response",
                                  c->response));
    json_object_set_new(o, "policy_version", json_integer(c->policy_version));
    json_object_set_new(o, "reviews", json_integer(c->reviews));
    json_object_set_new(
        o, "final",
        c->reviews ? json_pack("{s:i, s:i, s:s, s:s?, s:s, s:s, s:o, s:i}", "behaviour",
                               c->final_behaviour, "demand", c->final_demand, "verdict",
                               harass_verdict_name(c->final_verdict), "verdict_label",
                               harass_verdict_label(p, c->final_verdict), "response",
                               c->final_response, "reviewer", c->reviewer, "at",
                               time_json(c->reviewed_at), "policy_version", c->final_policy_version)
                   : json_null());
    return o;
}

json_t *harass_review_json(const struct harass_review *r)
{
    return json_pack("{s:I, s:s, s:i, s:i, s:s, s:s, s:i, s:s, s:o}", "id", (json_int_t)r->id,
                     "reviewer", r->reviewer, "behaviour", r->behaviour, "demand", r->demand,
                     "verdict", harass_verdict_name(r->verdict), "response", r->response,
                     "policy_version", r->policy_version, "note", r->note, "at",
                     time_json(r->reviewed_at));
}

json_t *harass_care_json(const struct harass_care *t, int64_t now)
{
    return json_pack("{s:I, s:I, s:s, s:s?, s:o, s:o, s:o, s:s, s:b}", "id", (json_int_t)t->id,
                     "case", (json_int_t)t->case_id, "operator", t->operator_login, "assignee",
                     t->assignee_id ? t->assignee_login : NULL, "opened_at",
                     time_json(t->opened_at), "due_at", time_json(t->due_at), "done_at",
                     time_json(t->done_at), "note", t->note, "overdue",
                     !t->done_at && now > t->due_at);
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int parse_zone(const char *p, int *offset)
{
    int hh, mm, sign;
    if (*p == '\0') {
        *offset = 9 * 3600; /* no zone: Japan time */
        return 0;
    }
    if (strcmp(p, "Z") == 0) {
        *offset = 0;
        return 0;
    }
    if (*p != '+' && *p != '-')
        return -1;
    sign = *p++ == '-' ? -1 : 1;
    if (digits(&p, 2, &hh) || *p++ != ':' || digits(&p, 2, &mm) || *p || hh > 14 || mm > 59)
        return -1;
    *offset = sign * (hh * 3600 + mm * 60);
    return 0;
}

int harass_parse_time(const char *text, int64_t *out)
{
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, sec = 0, offset;
    if (!p || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return -1;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':' && (p++, digits(&p, 2, &sec)))
            return -1;
    }
    if (parse_zone(p, &offset) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    int64_t t = (int64_t)timegm(&tm);
    /* timegm normalises 31 February into March; refuse dates that do not exist. */
    time_t back = (time_t)t;
    struct tm chk;
    gmtime_r(&back, &chk);
    if (chk.tm_mday != d || chk.tm_mon != mo - 1)
        return -1;
    *out = t - offset;
    return 0;
}
