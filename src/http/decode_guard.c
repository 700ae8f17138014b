/* Request bodies of the call guard routes. Pure, like decode.c, and fuzzed with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "decode_guard.h"

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return -1;                                                                                 \
    } while (0)

static int only(json_t *o, const char *const *known, char *err, size_t errlen)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        const char *const *f = known;
        while (*f && strcmp(*f, k) != 0)
            f++;
        if (!*f)
            FAIL("body: unknown field \"%.40s\"", k);
    }
    return 0;
}

/* An optional one-line text field. */
static int text(json_t *o, const char *field, char *out, size_t outlen, char *err, size_t errlen)
{
    json_t *v = json_object_get(o, field);
    out[0] = '\0';
    if (!v || json_is_null(v))
        return 0;
    size_t n = json_string_length(v);
    if (!json_is_string(v) || n >= outlen || strlen(json_string_value(v)) != n ||
        !utf8_is_clean(json_string_value(v), n))
        FAIL("%s: must be one line of text shorter than %zu bytes", field, outlen);
    memcpy(out, json_string_value(v), n + 1);
    return 0;
}

static int ms(json_t *o, const char *field, int64_t *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(o, field);
    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (int64_t)48 * 3600 * 1000)
        FAIL("%s: must be milliseconds from 0 to 172800000", field);
    *out = json_integer_value(v);
    return 0;
}

static int decode_start(json_t *o, struct guard_event_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"type", "caller", "operator", "center", NULL};
    return only(o, known, err, errlen) ||
           text(o, "caller", in->caller, sizeof in->caller, err, errlen) ||
           text(o, "operator", in->operator_name, sizeof in->operator_name, err, errlen) ||
           text(o, "center", in->center, sizeof in->center, err, errlen);
}

static int decode_utterance(json_t *o, struct guard_event_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"type", "speaker", "text", "start_ms", "end_ms", NULL};
    if (only(o, known, err, errlen))
        return -1;
    const char *sp = json_string_value(json_object_get(o, "speaker"));
    if (!sp || strcmp(sp, "customer") == 0)
        in->speaker = GUARD_CUSTOMER;
    else if (strcmp(sp, "operator") == 0)
        in->speaker = GUARD_OPERATOR;
    else
        FAIL("speaker: \"%.20s\" is not customer or operator", sp);
    json_t *t = json_object_get(o, "text");
    size_t n = json_string_length(t);
    if (!json_is_string(t) || n == 0 || n > GUARD_UTTERANCE_MAX ||
        strlen(json_string_value(t)) != n || !utf8_is_clean(json_string_value(t), n))
        FAIL("text: must be one line of text of 1 to %d bytes", GUARD_UTTERANCE_MAX);
    memcpy(in->text, json_string_value(t), n + 1);
    in->len = n;
    if (ms(o, "start_ms", &in->start_ms, err, errlen) || ms(o, "end_ms", &in->end_ms, err, errlen))
        return -1;
    if (in->start_ms >= 0 && in->end_ms >= 0 && in->end_ms < in->start_ms)
        FAIL("end_ms: must not be before start_ms");
    return 0;
}

static int decode_feature(json_t *o, struct guard_event_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"type", "name", "value", "detail", NULL};
    if (only(o, known, err, errlen) || text(o, "name", in->name, sizeof in->name, err, errlen))
        return -1;
    if (!in->name[0])
        FAIL("name: a feature name is needed (shouting, voiceprint, dtmf, recording, "
             "voicebot_purpose)");
    json_t *v = json_object_get(o, "value");
    if (v && !json_is_number(v))
        FAIL("value: must be a number");
    in->value = v ? json_number_value(v) : 0;
    if (in->value != in->value || in->value < -1e9 || in->value > 1e9)
        FAIL("value: must be a finite number");
    json_t *d = json_object_get(o, "detail");
    if (d && !json_is_null(d)) {
        if (!json_is_object(d))
            FAIL("detail: must be an object");
        char *s = json_dumps(d, JSON_COMPACT);
        int bad = !s || str_copy(in->detail, sizeof in->detail, s);
        free(s);
        if (bad)
            FAIL("detail: must be under %zu bytes", sizeof in->detail);
    }
    return 0;
}

int http_decode_guard_event(json_t *o, struct guard_event_input *in, char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    in->start_ms = in->end_ms = -1;
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!type)
        FAIL("type: must be one of start, utterance, feature, end");
    if (strcmp(type, "start") == 0) {
        in->type = GEV_START;
        return decode_start(o, in, err, errlen);
    }
    if (strcmp(type, "utterance") == 0) {
        in->type = GEV_UTTERANCE;
        return decode_utterance(o, in, err, errlen);
    }
    if (strcmp(type, "feature") == 0) {
        in->type = GEV_FEATURE;
        return decode_feature(o, in, err, errlen);
    }
    if (strcmp(type, "end") == 0) {
        static const char *const known[] = {"type", NULL};
        in->type = GEV_END;
        return only(o, known, err, errlen);
    }
    FAIL("type: \"%.20s\" is not one of start, utterance, feature, end", type);
}

int http_decode_guard_action(json_t *o, struct guard_action_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"action", NULL};
    static const char *const actions[] = {"warn", "end", "confirm", "dismiss"};
    memset(in, 0, sizeof *in);
    if (only(o, known, err, errlen))
        return -1;
    const char *a = json_string_value(json_object_get(o, "action"));
    for (size_t i = 0; a && i < ARRAY_LEN(actions); i++)
        if (strcmp(a, actions[i]) == 0)
            return str_copy(in->action, sizeof in->action, a), 0;
    FAIL("action: \"%.20s\" is not one of warn, end, confirm, dismiss", a ? a : "");
}

int http_decode_guard_block(json_t *o, struct guard_block_input *in, char *err, size_t errlen)
{
    static const char *const known[] = {"caller", "reason", "center", NULL};
    memset(in, 0, sizeof *in);
    if (only(o, known, err, errlen) ||
        text(o, "caller", in->caller, sizeof in->caller, err, errlen) ||
        text(o, "reason", in->reason, sizeof in->reason, err, errlen) ||
        text(o, "center", in->center, sizeof in->center, err, errlen))
        return -1;
    if (!in->caller[0])
        FAIL("caller: the caller's phone number is needed");
    if (!in->reason[0] || strchr(in->reason, '\n'))
        FAIL("reason: must be one line of text of 1 to %zu bytes", sizeof in->reason - 1);
    in->has_center = json_object_get(o, "center") != NULL;
    return 0;
}
