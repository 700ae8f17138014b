#include "survey/wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ja.h"
#include "core/util.h"
#include "survey/comments.h"
#include "store/store_org.h"
#include "store/store_survey.h"
#include "survey/score.h"

#define SETTING_K          "survey.k"
#define SETTING_K_COMMENTS "survey.k_comments"

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

int survey_link_url(store *s, const char *token, char *out, size_t outlen)
{
    char base[256] = "";
    int rc = store_setting_get(s, "public_url", base, sizeof base);
    if (rc && rc != STORE_NOTFOUND)
        return rc;
    snprintf(out, outlen, "%s/a/%s", rc == STORE_OK ? base : "", token);
    return STORE_OK;
}

int survey_public_url_set(store *s, const char *url, char *err, size_t errlen)
{
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    int scheme = strncmp(url, "http://", 7) == 0 ? 7 : strncmp(url, "https://", 8) == 0 ? 8 : 0;
    int ok = scheme && n > (size_t)scheme && n <= 200;
    for (size_t i = 0; ok && i < n; i++)
        ok = url[i] > 0x20 && url[i] < 0x7f && !strchr("\"'<>\\`", url[i]);
    if (!ok) {
        snprintf(err, errlen, "--public-url: \"%.80s\" is not an http:// or https:// address", url);
        return -2;
    }
    char clean[256];
    snprintf(clean, sizeof clean, "%.*s", (int)n, url);
    return store_setting_set(s, "public_url", clean);
}

/* ---- rules and settings ---- */

static int setting_int(store *s, const char *key, int def, int *out)
{
    char v[32];
    int64_t x;
    int rc = store_setting_get(s, key, v, sizeof v);
    *out = def;
    if (rc == STORE_NOTFOUND)
        return STORE_OK;
    if (rc == STORE_OK && parse_int64(v, SURVEY_K_MIN, SURVEY_K_MAX, &x) == 0)
        *out = (int)x;
    return rc;
}

int survey_rules_load(store *s, int requested_k, struct survey_rules *R)
{
    int k;
    int rc = setting_int(s, SETTING_K, SURVEY_K_DEFAULT, &k);
    if (rc == STORE_OK)
        *R = survey_rules_make(k, requested_k);
    return rc;
}

int survey_k_comments_load(store *s, int requested_k, int *k)
{
    int base;
    int rc = setting_int(s, SETTING_K_COMMENTS, SURVEY_K_COMMENTS, &base);
    if (rc == STORE_OK)
        *k = requested_k > base ? (requested_k > SURVEY_K_MAX ? SURVEY_K_MAX : requested_k) : base;
    return rc;
}

static int setting_put(store *s, const char *key, int v, const char *actor, const char *addr)
{
    char text[32];
    snprintf(text, sizeof text, "%d", v);
    int rc = store_setting_set(s, key, text);
    return rc ? rc : store_audit_add(s, actor, "survey.settings", key, text, addr);
}

int survey_settings_set(store *s, int k, int k_comments, const char *actor, const char *addr)
{
    if ((k && (k < SURVEY_K_MIN || k > SURVEY_K_MAX)) ||
        (k_comments && (k_comments < SURVEY_K_MIN || k_comments > SURVEY_K_MAX)))
        return STORE_ERROR;
    int rc = store_begin(s);
    if (rc == STORE_OK && k)
        rc = setting_put(s, SETTING_K, k, actor, addr);
    if (rc == STORE_OK && k_comments)
        rc = setting_put(s, SETTING_K_COMMENTS, k_comments, actor, addr);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc)
        store_rollback_all(s);
    return rc;
}

/* ---- publication ---- */

/* The wave's layout from its stored questionnaire. */
static int wave_layout(store *s, int64_t wave_id, survey_questionnaire **q,
                       struct survey_layout_store *st, struct survey_layout *L)
{
    char *doc = NULL, err[200];
    int rc = store_survey_wave_get_id(s, wave_id, &doc);
    if (rc)
        return rc;
    json_t *root = json_loads(doc, 0, NULL);
    free(doc);
    rc = root && survey_questionnaire_from_json(root, q, err, sizeof err) == 0 ? 0 : -1;
    json_decref(root);
    if (rc == 0 && survey_layout_build(*q, st, L) != 0) {
        survey_questionnaire_free(*q);
        rc = -1;
    }
    return rc ? STORE_ERROR : STORE_OK;
}

/* The rules over what is marked now (publication seq) against what was published before. */
static int publish_allowed(store *s, int64_t wave_id, int64_t center_id, int64_t seq, int k,
                           char *why, size_t whylen)
{
    survey_questionnaire *q = NULL;
    struct survey_layout_store st;
    struct survey_layout L;
    struct store_survey_data before = {0}, after = {0};
    int rc = wave_layout(s, wave_id, &q, &st, &L);
    if (rc == STORE_OK)
        rc = store_survey_load_upto(s, wave_id, center_id, L.nitems, 0, seq - 1, &before);
    if (rc == STORE_OK)
        rc = store_survey_load_upto(s, wave_id, center_id, L.nitems, 0, seq, &after);
    if (rc == STORE_OK) {
        int r = survey_publish_check(&L, &before.centers[0].d, &after.centers[0].d, k, why, whylen);
        rc = r == -2 ? STORE_ERROR : r == -1 ? 1 : STORE_OK;
    }
    store_survey_data_release(&before);
    store_survey_data_release(&after);
    survey_questionnaire_free(q);
    return rc;
}

int survey_publish(store *s, int64_t wave_id, int64_t center_id, const char *center_code,
                   const char *reason, const char *actor, const char *addr,
                   struct survey_publication *out)
{
    struct survey_rules R;
    struct store_survey_publication p = {.published_at = now_unix()};
    char detail[120];
    memset(out, 0, sizeof *out);
    int rc = survey_rules_load(s, 0, &R);
    if (rc == STORE_OK)
        rc = store_begin(s);
    if (rc)
        return rc;
    rc = store_survey_publish_mark(s, wave_id, center_id, &p.seq, &out->added);
    int held = 0;
    if (rc == STORE_OK && out->added > 0) {
        rc = publish_allowed(s, wave_id, center_id, p.seq, R.k_bench, out->why, sizeof out->why);
        held = rc == 1;
        if (held)
            rc = STORE_OK;
    }
    if (rc == STORE_OK && (held || out->added == 0)) {
        /* Nothing goes out: the marks are undone, the number stays the last one. */
        out->seq = p.seq - 1;
        out->published = !held;
        out->added = held ? 0 : out->added;
        rc = store_rollback(s);
        if (rc == STORE_OK && held) {
            snprintf(detail, sizeof detail, "held back (%s)", reason);
            rc = store_audit_add(s, actor, "survey.publish", center_code, detail, addr);
        }
        return rc;
    }
    if (rc == STORE_OK) {
        struct store_survey_publication last;
        rc = store_survey_publication_last(s, wave_id, center_id, &last);
        p.respondents = out->added + (rc == STORE_OK ? last.respondents : 0);
        rc = rc == STORE_NOTFOUND ? STORE_OK : rc;
    }
    snprintf(p.reason, sizeof p.reason, "%s", reason);
    if (rc == STORE_OK)
        rc = store_survey_publication_add(s, wave_id, center_id, &p);
    snprintf(detail, sizeof detail, "publication %lld: %lld answers (%s)", (long long)p.seq,
             (long long)out->added, reason);
    if (rc == STORE_OK)
        rc = store_audit_add(s, actor, "survey.publish", center_code, detail, addr);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc) {
        store_rollback(s);
        return rc;
    }
    out->published = 1;
    out->seq = p.seq;
    return STORE_OK;
}

int survey_link_close(store *s, int64_t wave_id, const struct org_center *c, const char *wave,
                      const char *actor, const char *addr, struct survey_publication *pub)
{
    int rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store_survey_link_close(s, wave_id, c->id, now_unix());
    if (rc == STORE_OK)
        rc = store_audit_add(s, actor, "survey.link.close", c->code, wave, addr);
    if (rc == STORE_OK)
        rc = survey_publish(s, wave_id, c->id, c->code, "close", actor, addr, pub);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc)
        store_rollback_all(s);
    return rc;
}

json_t *survey_publication_json(const struct survey_publication *pub)
{
    json_t *o = json_pack("{s:b, s:I, s:I}", "published", pub->published, "seq",
                          (json_int_t)pub->seq, "added", (json_int_t)pub->added);
    if (o && !pub->published && json_object_set_new(o, "why", json_string(pub->why)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- import ---- */

int survey_import_store(store *s, int64_t wave_id, const struct org_center *c, int nitems,
                        const struct survey_import *im, const char *actor, const char *source,
                        const char *addr, struct survey_publication *pub)
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
    /* An import is a closed batch: it goes out with the import when the rules allow. */
    struct survey_publication none;
    if (rc == STORE_OK)
        rc = survey_publish(s, wave_id, c->id, c->code, "import", actor, addr, pub ? pub : &none);
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
    if (survey_k_comments_load(s, k, &k) != STORE_OK) {
        snprintf(err, errlen, "%s", store_errmsg(s));
        survey_comment_words_free(words);
        return NULL;
    }
    ja_dict *dict = ja_dict_shared(err, errlen);
    ja_tagger *t = dict ? ja_tagger_new(dict) : NULL;
    struct store_survey_data d = {0};
    json_t *j = NULL;
    int rc =
        t ? store_survey_load(s, wave_id, center_id, nitems, 1, &d) : STORE_ERROR; /* published */
    if (rc == STORE_OK && d.n)
        j = survey_comments_json(words, t, d.centers[0].r, d.centers[0].comments, d.centers[0].d.n,
                                 k);
    if (j && json_object_set_new(j, "k", json_integer(k)) != 0) {
        json_decref(j);
        j = NULL;
    }
    if (!j && dict)
        snprintf(err, errlen, "%s", rc ? store_errmsg(s) : "out of memory or MeCab failed");
    store_survey_data_release(&d);
    ja_tagger_free(t);
    survey_comment_words_free(words);
    return j;
}
