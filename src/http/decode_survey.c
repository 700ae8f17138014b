/* Request bodies of the Well-being診断 routes. Pure, like decode.c, and fuzzed with it. */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "decode.h"

static int attribute(json_t *o, const char *field, char *out, size_t outlen, char *err,
                     size_t errlen)
{
    if (decode__opt_str(o, field, out, outlen, err, errlen))
        return -1;
    if (!utf8_is_clean(out, strlen(out))) {
        snprintf(err, errlen, "%s: must be UTF-8 text without control characters", field);
        return -1;
    }
    return 0;
}

/* Line breaks stay in a comment, as an import keeps them ("\r\n" and "\r" become "\n"); any
 * other control character or bad UTF-8 is refused. Returns 0 or -1. */
static int comment_clean(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (*p == '\r') {
            *w++ = '\n';
            p += p[1] == '\n';
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    for (char *line = s;;) {
        size_t n = strcspn(line, "\n");
        if (!utf8_is_clean(line, n))
            return -1;
        if (!line[n])
            return 0;
        line += n + 1;
    }
}

static int answers(json_t *o, const survey_questionnaire *q, struct survey_respondent *r, char *err,
                   size_t errlen)
{
    json_t *a = json_object_get(o, "answers"), *v;
    const char *id;
    int given = 0;
    if (!json_is_object(a)) {
        snprintf(err, errlen, "answers: must be an object of item IDs and answers 1–6");
        return -1;
    }
    json_object_foreach(a, id, v)
    {
        int item = survey_item_find(q, id);
        if (item < 0 || strcmp(survey_item_id(q, item), id) != 0) {
            snprintf(err, errlen, "answers.%.40s: not an item of this survey", id);
            return -1;
        }
        if (json_is_null(v))
            continue;
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > SURVEY_SCALE) {
            snprintf(err, errlen, "answers.%s: must be 1–6 or null", survey_item_id(q, item));
            return -1;
        }
        r->answers[item] = (uint8_t)json_integer_value(v);
        given++;
    }
    if (!given) {
        snprintf(err, errlen, "answers: answer at least one item");
        return -1;
    }
    return 0;
}

int http_decode_survey_answer(json_t *o, const survey_questionnaire *q,
                              struct survey_answer_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"position", "segment", "team", "tenure",
                                        "answers",  "comment", NULL};
    char position[64];
    enum org_position pos;
    memset(in, 0, sizeof *in);
    if (decode__only(o, known, err, errlen) ||
        decode__opt_str(o, "position", position, sizeof position, err, errlen))
        return -1;
    if (org_position_parse(position, &pos) != 0) {
        snprintf(err, errlen, "position: must be OP, SV, MGR or OTHER (or its Japanese name)");
        return -1;
    }
    in->r.position = (uint8_t)pos;
    if (attribute(o, "segment", in->r.segment, sizeof in->r.segment, err, errlen) ||
        attribute(o, "team", in->r.team, sizeof in->r.team, err, errlen) ||
        attribute(o, "tenure", in->r.tenure, sizeof in->r.tenure, err, errlen) ||
        answers(o, q, &in->r, err, errlen))
        return -1;
    if (decode__opt_str(o, "comment", in->comment, sizeof in->comment, err, errlen))
        return -1;
    if (comment_clean(in->comment)) {
        snprintf(err, errlen, "comment: must be UTF-8 text without control characters");
        return -1;
    }
    if (utf8_count(in->comment) > SURVEY_COMMENT_MAX) {
        snprintf(err, errlen, "comment: longer than %d characters", SURVEY_COMMENT_MAX);
        return -1;
    }
    return 0;
}
