/* Request bodies of the harassment routes. Pure, like decode.c, and fuzzed with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

/* Copies an optional string field; -1 with a message when it is not a string or too long. */
int decode__opt_str(json_t *o, const char *field, char *out, size_t outlen, char *err,
                    size_t errlen)
{
    json_t *v = json_object_get(o, field);
    out[0] = '\0';
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) >= outlen ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        snprintf(err, errlen, "%s: must be text shorter than %zu bytes", field, outlen);
        return -1;
    }
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int level(json_t *o, const char *field, int *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(o, field);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 4) {
        snprintf(err, errlen, "%s: must be one of 0, 1, 2, 3, 4", field);
        return -1;
    }
    *out = (int)json_integer_value(v);
    return 0;
}

/* An array of codes → "a,b,c". */
static int code_list(json_t *o, const char *field, int required, char *out, size_t outlen,
                     char *err, size_t errlen)
{
    json_t *arr = json_object_get(o, field);
    out[0] = '\0';
    if ((!arr || json_is_null(arr)) && !required)
        return 0;
    if (!json_is_array(arr) || (required && json_array_size(arr) == 0)) {
        snprintf(err, errlen, "%s: must be a%s array of codes", field,
                 required ? " non-empty" : "n");
        return -1;
    }
    size_t i, len = 0;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        size_t n = s ? strlen(s) : 0;
        if (!s || n == 0 || strchr(s, ',') || len + n + 2 > outlen) {
            snprintf(err, errlen, "%s[%zu]: must be a code", field, i);
            return -1;
        }
        if (len)
            out[len++] = ',';
        memcpy(out + len, s, n + 1);
        len += n;
    }
    return 0;
}

int decode__only(json_t *o, const char *const *known, char *err, size_t errlen)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        const char *const *f = known;
        while (*f && strcmp(*f, k) != 0)
            f++;
        if (!*f) {
            snprintf(err, errlen, "body: unknown field \"%.40s\"", k);
            return -1;
        }
    }
    return 0;
}

int http_decode_harass_judge(json_t *o, struct harass_judge_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"behaviour", "demand", "requests", NULL};
    memset(in, 0, sizeof *in);
    if (decode__only(o, known, err, errlen) || level(o, "behaviour", &in->behaviour, err, errlen) ||
        level(o, "demand", &in->demand, err, errlen) ||
        code_list(o, "requests", 0, in->requests, sizeof in->requests, err, errlen))
        return -1;
    return 0;
}

int http_decode_harass_case(json_t *o, struct harass_case_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {
        "center", "operator", "behaviour", "demand",      "categories", "requests", "at",
        "memo",   "caller",   "channel",   "interaction", "evidence",   NULL};
    memset(in, 0, sizeof *in);
    if (decode__only(o, known, err, errlen) || level(o, "behaviour", &in->behaviour, err, errlen) ||
        level(o, "demand", &in->demand, err, errlen) ||
        code_list(o, "categories", 1, in->categories, sizeof in->categories, err, errlen) ||
        code_list(o, "requests", 0, in->requests, sizeof in->requests, err, errlen) ||
        decode__opt_str(o, "center", in->center, sizeof in->center, err, errlen) ||
        decode__opt_str(o, "operator", in->operator, sizeof in->operator, err, errlen) ||
        decode__opt_str(o, "at", in->at, sizeof in->at, err, errlen) ||
        decode__opt_str(o, "memo", in->memo, sizeof in->memo, err, errlen) ||
        decode__opt_str(o, "caller", in->caller, sizeof in->caller, err, errlen) ||
        decode__opt_str(o, "channel", in->channel, sizeof in->channel, err, errlen) ||
        decode__opt_str(o, "interaction", in->interaction, sizeof in->interaction, err, errlen))
        return -1;
    json_t *ev = json_object_get(o, "evidence");
    if (ev && !json_is_null(ev)) {
        char *text = json_is_array(ev) ? json_dumps(ev, JSON_COMPACT) : NULL;
        size_t n = text ? strlen(text) : 0;
        if (!text || n >= sizeof in->evidence) {
            free(text);
            snprintf(err, errlen, "evidence: must be an array under %zu bytes of JSON",
                     sizeof in->evidence);
            return -1;
        }
        memcpy(in->evidence, text, n + 1);
        free(text);
    }
    return 0;
}

int http_decode_harass_review(json_t *o, struct harass_review_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"behaviour", "demand", "note", "amend", NULL};
    memset(in, 0, sizeof *in);
    if (decode__only(o, known, err, errlen) || level(o, "behaviour", &in->behaviour, err, errlen) ||
        level(o, "demand", &in->demand, err, errlen) ||
        decode__opt_str(o, "note", in->note, sizeof in->note, err, errlen))
        return -1;
    json_t *a = json_object_get(o, "amend");
    if (a && !json_is_boolean(a)) {
        snprintf(err, errlen, "amend: must be true or false");
        return -1;
    }
    in->amend = a && json_is_true(a);
    return 0;
}

int http_decode_care_done(json_t *o, struct care_done_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"note", NULL};
    memset(in, 0, sizeof *in);
    if (decode__only(o, known, err, errlen) ||
        decode__opt_str(o, "note", in->note, sizeof in->note, err, errlen))
        return -1;
    if (!in->note[0]) {
        snprintf(err, errlen, "note: required");
        return -1;
    }
    return 0;
}

int http_decode_mood(json_t *o, struct mood_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"mood", "memo", "shared", NULL};
    memset(in, 0, sizeof *in);
    if (decode__only(o, known, err, errlen) ||
        decode__opt_str(o, "memo", in->memo, sizeof in->memo, err, errlen))
        return -1;
    json_t *m = json_object_get(o, "mood"), *sh = json_object_get(o, "shared");
    if (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 5) {
        snprintf(err, errlen, "mood: must be one of 1, 2, 3, 4, 5");
        return -1;
    }
    if (sh && !json_is_boolean(sh)) {
        snprintf(err, errlen, "shared: must be true or false");
        return -1;
    }
    if (strchr(in->memo, '\n')) {
        snprintf(err, errlen, "memo: must be one line");
        return -1;
    }
    in->mood = (int)json_integer_value(m);
    in->shared = sh && json_is_true(sh);
    return 0;
}

/* A day as YYYY-MM-DD with digits where digits belong (the calendar check is the caller's). */
static int day_shape(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
            return 0;
    return 1;
}

int http_decode_calls(json_t *o, struct calls_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"days", NULL};
    static const char *const row_known[] = {"date", "calls", "team", NULL};
    in->n = 0;
    if (decode__only(o, known, err, errlen))
        return -1;
    json_t *days = json_object_get(o, "days");
    if (!json_is_array(days) || json_array_size(days) == 0 ||
        json_array_size(days) > HTTP_MAX_CALL_DAYS) {
        snprintf(err, errlen, "days: must be an array of 1 to %d days", HTTP_MAX_CALL_DAYS);
        return -1;
    }
    size_t i;
    json_t *d;
    json_array_foreach(days, i, d)
    {
        char where[32];
        snprintf(where, sizeof where, "days[%zu]", i);
        json_t *calls = json_object_get(d, "calls");
        char inner[200];
        if (json_is_object(d) && decode__only(d, row_known, inner, sizeof inner)) {
            /* "body: unknown field …" becomes "days[3]: unknown field …". */
            snprintf(err, errlen, "%s: %s", where, inner + 6);
            return -1;
        }
        if (!json_is_object(d) ||
            decode__opt_str(d, "date", in->rows[i].day, sizeof in->rows[i].day, err, errlen) ||
            decode__opt_str(d, "team", in->rows[i].team, sizeof in->rows[i].team, err, errlen) ||
            !day_shape(in->rows[i].day)) {
            snprintf(err, errlen, "%s: needs \"date\" as YYYY-MM-DD and \"calls\"", where);
            return -1;
        }
        if (!json_is_integer(calls) || json_integer_value(calls) < 0 ||
            json_integer_value(calls) > 100000000) {
            snprintf(err, errlen, "%s.calls: must be a whole number of calls", where);
            return -1;
        }
        in->rows[i].calls = json_integer_value(calls);
    }
    in->n = (int)json_array_size(days);
    return 0;
}

int http_decode_purge(json_t *o, struct purge_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"days", "dry_run", NULL};
    memset(in, 0, sizeof *in);
    if (decode__only(o, known, err, errlen))
        return -1;
    json_t *d = json_object_get(o, "days"), *dry = json_object_get(o, "dry_run");
    if (d && (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 36500)) {
        snprintf(err, errlen, "days: must be a whole number from 1 to 36500");
        return -1;
    }
    if (dry && !json_is_boolean(dry)) {
        snprintf(err, errlen, "dry_run: must be true or false");
        return -1;
    }
    in->days = d ? json_integer_value(d) : 0;
    in->dry_run = dry && json_is_true(dry);
    return 0;
}
