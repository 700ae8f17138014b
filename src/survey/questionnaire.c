/* The questionnaire of the Well-being診断: seven elements, the overall items, the happiness item
 * and the free comment, read from a JSON document so that the wording can be edited without a
 * rebuild. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonfile.h"
#include "core/util.h"
#include "survey.h"

/* The seven elements, then the overall items and the happiness item. */
#define NGROUPS   9
#define NELEMENTS 7
#define ID_MAX    8

static const char *const element_codes[NELEMENTS] = {"growth", "recognition", "team",    "agency",
                                                     "trust",  "workplace",   "worklife"};

struct survey_questionnaire {
    json_t *root;
    int nitems;
    const char *id[SURVEY_MAX_ITEMS];
    const char *text[SURVEY_MAX_ITEMS];
    int group[SURVEY_MAX_ITEMS]; /* 0–6 an element, 7 overall, 8 happiness */
    const char *group_code[NGROUPS];
    const char *group_name[NGROUPS];
    const char *label[SURVEY_SCALE];
};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return -1;                                                                                 \
    } while (0)

static const char *text_field(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

static int id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= 'a' && id[i] <= 'z') ||
              (id[i] >= '0' && id[i] <= '9') || id[i] == '_'))
            return 0;
    return 1;
}

static int load_scale(survey_questionnaire *q, char *err, size_t errlen)
{
    json_t *scale = json_object_get(q->root, "scale");
    json_t *labels = json_object_get(scale, "labels");
    if (json_integer_value(json_object_get(scale, "points")) != SURVEY_SCALE)
        FAIL("scale.points: expected %d", SURVEY_SCALE);
    if (!json_is_array(labels) || json_array_size(labels) != SURVEY_SCALE)
        FAIL("scale.labels: expected %d labels, from 1 to %d", SURVEY_SCALE, SURVEY_SCALE);
    for (int i = 0; i < SURVEY_SCALE; i++) {
        json_t *l = json_array_get(labels, (size_t)i);
        if (!json_is_string(l) || json_string_length(l) == 0)
            FAIL("scale.labels[%d]: expected text", i);
        q->label[i] = json_string_value(l);
    }
    return 0;
}

/* Adds the items of one group; `where` names the group in messages ("elements[2]"). */
static int load_items(survey_questionnaire *q, json_t *grp, int g, const char *where, char *err,
                      size_t errlen)
{
    json_t *items = json_object_get(grp, "items");
    if (!json_is_array(items) || json_array_size(items) == 0)
        FAIL("%s.items: expected at least one item", where);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *id = text_field(it, "id"), *text = text_field(it, "text");
        if (!id || !id_ok(id))
            FAIL("%s.items[%zu].id: expected 1–%d letters or digits, like \"G01\"", where, i,
                 ID_MAX);
        if (!text)
            FAIL("%s.items[%zu].text: expected the question", where, i);
        if (survey_item_find(q, id) >= 0 || survey_item_find(q, text) >= 0)
            FAIL("%s.items[%zu]: \"%s\" appears twice in the questionnaire", where, i, id);
        if (q->nitems == SURVEY_MAX_ITEMS)
            FAIL("%s.items: more than %d scale items in all", where, SURVEY_MAX_ITEMS);
        q->id[q->nitems] = id;
        q->text[q->nitems] = text;
        q->group[q->nitems] = g;
        q->nitems++;
    }
    return 0;
}

static int load_group(survey_questionnaire *q, json_t *grp, int g, const char *where,
                      const char *want_code, char *err, size_t errlen)
{
    const char *code = text_field(grp, "code"), *name = text_field(grp, "name");
    if (!json_is_object(grp))
        FAIL("%s: expected an object", where);
    if (!code || strcmp(code, want_code) != 0)
        FAIL("%s.code: expected \"%s\"", where, want_code);
    if (!name)
        FAIL("%s.name: expected the Japanese name", where);
    q->group_code[g] = code;
    q->group_name[g] = name;
    return load_items(q, grp, g, where, err, errlen);
}

static int load_groups(survey_questionnaire *q, char *err, size_t errlen)
{
    json_t *els = json_object_get(q->root, "elements");
    if (!json_is_array(els) || json_array_size(els) != NELEMENTS)
        FAIL("elements: expected the %d elements growth, recognition, team, agency, trust, "
             "workplace, worklife",
             NELEMENTS);
    char where[32];
    for (int e = 0; e < NELEMENTS; e++) {
        snprintf(where, sizeof where, "elements[%d]", e);
        if (load_group(q, json_array_get(els, (size_t)e), e, where, element_codes[e], err, errlen))
            return -1;
    }
    if (load_group(q, json_object_get(q->root, "overall"), 7, "overall", "overall", err, errlen) ||
        load_group(q, json_object_get(q->root, "happiness"), 8, "happiness", "happiness", err,
                   errlen))
        return -1;
    json_t *c = json_object_get(q->root, "comment");
    if (c && (!text_field(c, "id") || !text_field(c, "text")))
        FAIL("comment: needs \"id\" and \"text\"");
    return 0;
}

int survey_questionnaire_from_json(json_t *root, survey_questionnaire **out, char *err,
                                   size_t errlen)
{
    if (!json_is_object(root))
        FAIL("expected a JSON object");
    survey_questionnaire *q = calloc(1, sizeof *q);
    if (!q)
        FAIL("out of memory");
    q->root = json_incref(root);
    if (load_scale(q, err, errlen) || load_groups(q, err, errlen)) {
        survey_questionnaire_free(q);
        return -1;
    }
    *out = q;
    return 0;
}

int survey_questionnaire_load(const char *path, survey_questionnaire **out, char *err,
                              size_t errlen)
{
    json_t *root;
    if (json_file_load(path, &root, err, errlen))
        return -1;
    char inner[300];
    int rc = survey_questionnaire_from_json(root, out, inner, sizeof inner);
    json_decref(root);
    if (rc)
        FAIL("%s: %s", path, inner);
    return 0;
}

void survey_questionnaire_free(survey_questionnaire *q)
{
    if (!q)
        return;
    json_decref(q->root);
    free(q);
}

json_t *survey_questionnaire_document(const survey_questionnaire *q)
{
    return q->root;
}

int survey_nitems(const survey_questionnaire *q)
{
    return q->nitems;
}

const char *survey_item_id(const survey_questionnaire *q, int item)
{
    return item >= 0 && item < q->nitems ? q->id[item] : NULL;
}

const char *survey_item_text(const survey_questionnaire *q, int item)
{
    return item >= 0 && item < q->nitems ? q->text[item] : NULL;
}

const char *survey_item_element(const survey_questionnaire *q, int item)
{
    return item >= 0 && item < q->nitems ? q->group_code[q->group[item]] : NULL;
}

/* Trims ASCII white space and the ideographic space (U+3000) from both ends. */
static void trim_span(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    for (;;) {
        if (len && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
            p++, len--;
        } else if (len >= 3 && memcmp(p, "\xe3\x80\x80", 3) == 0) {
            p += 3, len -= 3;
        } else if (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' ||
                           p[len - 1] == '\n')) {
            len--;
        } else if (len >= 3 && memcmp(p + len - 3, "\xe3\x80\x80", 3) == 0) {
            len -= 3;
        } else {
            break;
        }
    }
    *s = p;
    *n = len;
}

static int span_is(const char *p, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(p, want, n) == 0;
}

int survey_item_find(const survey_questionnaire *q, const char *id_or_text)
{
    if (!id_or_text)
        return -1;
    const char *p = id_or_text;
    size_t n = strlen(p);
    trim_span(&p, &n);
    for (int i = 0; i < q->nitems; i++)
        if (strlen(q->id[i]) == n && strncasecmp(q->id[i], p, n) == 0)
            return i;
    for (int i = 0; i < q->nitems; i++)
        if (span_is(p, n, q->text[i]))
            return i;
    return -1;
}

int survey_nelements(const survey_questionnaire *q)
{
    (void)q;
    return NELEMENTS;
}

const char *survey_element_code(const survey_questionnaire *q, int e)
{
    return e >= 0 && e < NELEMENTS ? q->group_code[e] : NULL;
}

const char *survey_element_name(const survey_questionnaire *q, int e)
{
    return e >= 0 && e < NELEMENTS ? q->group_name[e] : NULL;
}

int survey_answer_parse(const survey_questionnaire *q, const char *cell)
{
    if (!cell)
        return 0;
    const char *p = cell;
    size_t n = strlen(p);
    trim_span(&p, &n);
    if (n == 0)
        return 0;
    if (n == 1 && p[0] >= '1' && p[0] <= '0' + SURVEY_SCALE)
        return p[0] - '0';
    /* Full-width digits "１"–"６" are EF BC 91–96 in UTF-8. */
    if (n == 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbc &&
        (unsigned char)p[2] >= 0x91 && (unsigned char)p[2] < 0x91 + SURVEY_SCALE)
        return (unsigned char)p[2] - 0x90;
    for (int i = 0; i < SURVEY_SCALE; i++)
        if (span_is(p, n, q->label[i]))
            return i + 1;
    return -1;
}
