#include "survey/wave.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/ja.h"
#include "core/util.h"
#include "survey/comments.h"

int survey_wave_create(store *s, const char *code, const survey_questionnaire *q, const char *actor,
                       const char *addr, int64_t *id)
{
    char *doc = json_dumps(survey_questionnaire_document(q), JSON_COMPACT);
    if (!doc)
        return STORE_ERROR;
    int64_t got = 0;
    char *old = NULL;
    int rc = store_survey_wave_get(s, code, &got, &old);
    free(old);
    if (rc == STORE_OK)
        rc = STORE_CONFLICT;
    else if (rc == STORE_NOTFOUND)
        rc = store_survey_wave_add(s, code, doc, now_unix(), &got);
    if (rc == STORE_OK)
        rc = store_audit_add(s, actor, "survey.wave.add", code, "", addr);
    free(doc);
    if (rc == STORE_OK)
        *id = got;
    return rc;
}

static int sees_link(store *s, const struct org_principal *who, int64_t center_id, int *yes)
{
    *yes = 1;
    if (!who)
        return STORE_OK;
    if (who->kind == PRINCIPAL_USER && who->role == ROLE_OPERATOR) {
        *yes = who->center_id == center_id;
        return STORE_OK;
    }
    struct org_center c;
    int rc = store_center_get_id(s, center_id, &c);
    if (rc == STORE_OK)
        *yes = org_can_read_center(who, &c);
    return rc;
}

void survey_wave_list_free(struct survey_wave_info *w, size_t n)
{
    for (size_t i = 0; w && i < n; i++)
        free(w[i].open);
    free(w);
}

/* Adds the open links of wave w that who sees to info. */
static int add_open_links(store *s, const struct org_principal *who, int64_t wave_id,
                          struct survey_wave_info *info)
{
    struct store_survey_link *l = NULL;
    size_t nl = 0;
    int rc = store_survey_link_list(s, wave_id, &l, &nl);
    if (rc == STORE_OK && nl && !(info->open = calloc(nl, sizeof *info->open)))
        rc = STORE_ERROR;
    for (size_t j = 0; rc == STORE_OK && j < nl; j++) {
        int yes = 0;
        if (l[j].closed_at == 0 && (rc = sees_link(s, who, l[j].center_id, &yes)) == STORE_OK &&
            yes)
            str_copy(info->open[info->nopen++], sizeof info->open[0], l[j].center);
    }
    free(l);
    return rc;
}

int survey_wave_list(store *s, const struct org_principal *who, struct survey_wave_info **out,
                     size_t *n)
{
    struct store_survey_wave *w = NULL;
    size_t nw = 0;
    int rc = store_survey_wave_list(s, &w, &nw);
    if (rc)
        return rc;
    struct survey_wave_info *info = calloc(nw ? nw : 1, sizeof *info);
    if (!info)
        rc = STORE_ERROR;
    for (size_t i = 0; rc == STORE_OK && i < nw; i++) {
        str_copy(info[i].code, sizeof info[i].code, w[i].code);
        info[i].created_at = w[i].created_at;
        rc = add_open_links(s, who, w[i].id, &info[i]);
    }
    free(w);
    if (rc) {
        survey_wave_list_free(info, nw);
        return rc;
    }
    *out = info;
    *n = nw;
    return STORE_OK;
}

json_t *survey_wave_list_json(const struct survey_wave_info *w, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *open = json_array();
        for (size_t j = 0; open && j < w[i].nopen; j++)
            json_array_append_new(open, json_string(w[i].open[j]));
        if (!open || json_array_append_new(arr, json_pack("{s:s,s:I,s:o}", "code", w[i].code,
                                                          "created_at", (json_int_t)w[i].created_at,
                                                          "open_centers", open))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int survey_import_store(store *s, int64_t wave_id, const struct org_center *c, int nitems,
                        const struct survey_import *im, const char *actor, const char *source,
                        const char *addr)
{
    char day[16], detail[600];
    date_jst(now_unix(), day, sizeof day);
    snprintf(detail, sizeof detail, "%zu respondents, %zu rows skipped from %s", im->n, im->nskips,
             source);
    int rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store_survey_respondents_add(s, wave_id, c->id, day, im->r, im->comments, im->n,
                                          nitems);
    if (rc == STORE_OK)
        rc = store_audit_add(s, actor, "survey.import", c->code, detail, addr);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc)
        store_rollback_all(s);
    return rc;
}

json_t *survey_import_json(const struct survey_import *im)
{
    json_t *skipped = json_array(), *warnings = json_array();
    for (size_t i = 0; skipped && i < im->nskips; i++)
        json_array_append_new(skipped, json_pack("{s:I, s:s, s:s}", "row",
                                                 (json_int_t)im->skips[i].row, "column",
                                                 im->skips[i].column, "value", im->skips[i].value));
    for (size_t i = 0; warnings && i < im->nwarnings; i++)
        json_array_append_new(warnings, json_string(im->warnings[i]));
    if (!skipped || !warnings) {
        json_decref(skipped);
        json_decref(warnings);
        return NULL;
    }
    return json_pack("{s:I, s:o, s:o}", "imported", (json_int_t)im->n, "skipped", skipped,
                     "warnings", warnings);
}

json_t *survey_center_comments(store *s, int64_t wave_id, int64_t center_id, int nitems, int k,
                               const char *words_path, int *bad_input, char *err, size_t errlen)
{
    char path[4096];
    survey_comment_words *words = NULL;
    if (bad_input)
        *bad_input = 0;
    if (!words_path) {
        if (data_path("survey/comment_words.tsv", path, sizeof path) != 0) {
            snprintf(err, errlen, "data folder path too long");
            return NULL;
        }
        words_path = path;
    }
    if (survey_comment_words_load(words_path, &words, err, errlen) != 0) {
        if (bad_input)
            *bad_input = 1;
        return NULL;
    }
    ja_dict *dict = ja_dict_shared(err, errlen);
    ja_tagger *t = dict ? ja_tagger_new(dict) : NULL;
    struct store_survey_data d = {0};
    json_t *j = NULL;
    int rc = t ? store_survey_load(s, wave_id, center_id, nitems, 1, &d) : STORE_ERROR;
    if (rc == STORE_OK && d.n)
        j = survey_comments_json(words, t, d.centers[0].r, d.centers[0].comments, d.centers[0].d.n,
                                 k);
    if (!j && dict)
        snprintf(err, errlen, "%s", rc ? store_errmsg(s) : "out of memory or MeCab failed");
    store_survey_data_release(&d);
    ja_tagger_free(t);
    survey_comment_words_free(words);
    return j;
}
