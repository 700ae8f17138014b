#include "survey/wave.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/ja.h"
#include "core/util.h"
#include "survey/comments.h"
#include "store/store_org.h"
#include "store/store_survey.h"

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
