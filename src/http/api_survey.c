/* Well-being診断 over HTTP: scores, award ranking and response rates of a wave. Every center of
 * the wave is scored (the other-center average and HPB need them all); the reply holds only the
 * centers the caller reaches: admins all, consultants their clients', a center's manager and
 * supervisors their own. Operators and machine clients see none. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "http_int.h"
#include "decode.h"
#include "report/survey_pdf.h"
#include "survey/drivers.h"
#include "survey/export.h"
#include "survey/import.h"
#include "survey/score.h"
#include "survey/survey.h"
#include "survey/wave.h"
#include "store/store_org.h"
#include "store/store_survey.h"

/* A wave with everything scoring needs, loaded for one request. */
struct wave {
    int64_t id;
    survey_questionnaire *q;
    struct store_survey_data data;
    struct survey_center_data *centers;
    size_t ncenters;
    struct survey_layout_store st;
    struct survey_layout L;
};

static void wave_release(struct wave *w)
{
    store_survey_data_release(&w->data);
    free(w->centers);
    survey_questionnaire_free(w->q);
}

/* Loads wave code for every center (center_id 0) or one, with the comments when asked. */
static int wave_load_as(struct req *r, const char *code, int64_t center_id, int with_comments,
                        struct wave *w)
{
    memset(w, 0, sizeof *w);
    int64_t id;
    char *doc = NULL;
    store *db = http__db(r);
    int rc = store_survey_wave_get(db, code, &id, &doc);
    w->id = id;
    if (rc) {
        free(doc);
        return http__store_error(r, rc, "wave");
    }
    char err[300];
    json_t *root = json_loads(doc, 0, NULL);
    free(doc);
    rc = root ? survey_questionnaire_from_json(root, &w->q, err, sizeof err) : -1;
    json_decref(root);
    if (rc || survey_layout_build(w->q, &w->st, &w->L)) {
        log_msg(LOG_ERROR, "wave %s: the stored questionnaire is damaged", code);
        wave_release(w);
        http__reply_error(r, 500, "internal", "the wave's questionnaire could not be read");
        return 500;
    }
    if ((rc = store_survey_load(db, id, center_id, survey_nitems(w->q), with_comments, &w->data))) {
        wave_release(w);
        return http__store_error(r, rc, "respondents");
    }
    w->centers = calloc(w->data.n ? w->data.n : 1, sizeof *w->centers);
    if (!w->centers) {
        wave_release(w);
        return http__store_error(r, STORE_ERROR, "memory");
    }
    for (size_t i = 0; i < w->data.n; i++)
        w->centers[i] = w->data.centers[i].d;
    w->ncenters = w->data.n;
    return 0;
}

static int wave_load(struct req *r, struct wave *w)
{
    return wave_load_as(r, r->params[0], 0, 0, w);
}

/* May the caller see the results of the center with this code? */
static int reaches(struct req *r, const char *code)
{
    struct org_center c;
    return store_center_get(http__db(r), code, &c) == STORE_OK && org_can_read_center(&r->who, &c);
}

/* Keeps only the entries of array key whose "center" the caller reaches. */
static void keep_reachable(struct req *r, json_t *j, const char *key)
{
    json_t *arr = json_object_get(j, key), *kept = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        if (reaches(r, json_string_value(json_object_get(e, "center"))))
            json_array_append(kept, e);
    }
    json_object_set_new(j, key, kept);
}

/* The rules for this reply: ?k may raise the installation's k, never lower it. */
static int k_param(struct req *r, struct survey_rules *R)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "k");
    int64_t x = 0;
    if (v && parse_int64(v, 1, SURVEY_K_MAX, &x)) {
        http__reply_error(r, 400, "bad_request", "k: must be a whole number from 1 to %d",
                          SURVEY_K_MAX);
        return 400;
    }
    int rc = survey_rules_load(http__db(r), (int)x, R);
    return rc ? http__store_error(r, rc, "settings") : 0;
}

int api_survey_score(struct req *r)
{
    struct survey_rules k;
    int rc;
    const char *only = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "center");
    if ((rc = k_param(r, &k)))
        return rc;
    if (only && !reaches(r, only)) {
        http__reply_error(r, 403, "forbidden", "your role may not see center \"%.40s\"", only);
        return 403;
    }
    struct wave w;
    if ((rc = wave_load(r, &w)))
        return rc;
    json_t *j = survey_score_json(&w.L, w.centers, w.ncenters, only, &k);
    wave_release(&w);
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    keep_reachable(r, j, "centers");
    json_object_set_new(j, "wave", json_string(r->params[0]));
    http__reply_json(r, 200, j);
    return 200;
}

int api_survey_rank(struct req *r)
{
    struct survey_rules k;
    int rc;
    if ((rc = k_param(r, &k)))
        return rc;
    struct wave w;
    if ((rc = wave_load(r, &w)))
        return rc;
    json_t *j = survey_rank_json(&w.L, w.centers, w.ncenters, &k);
    wave_release(&w);
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    keep_reachable(r, j, "entries");
    json_object_set_new(j, "wave", json_string(r->params[0]));
    http__reply_json(r, 200, j);
    return 200;
}

int api_surveys_list(struct req *r)
{
    struct survey_wave_info *w = NULL;
    size_t n = 0;
    int rc = survey_wave_list(http__db(r), &r->who, &w, &n);
    if (rc)
        return http__store_error(r, rc, "waves");
    json_t *arr = survey_wave_list_json(w, n);
    survey_wave_list_free(w, n);
    if (!arr)
        return http__store_error(r, STORE_ERROR, "memory");
    http__reply_json(r, 200, json_pack("{s:o}", "waves", arr));
    return 200;
}

int api_survey_responses(struct req *r)
{
    int64_t id;
    char *doc = NULL;
    int rc = store_survey_wave_get(http__db(r), r->params[0], &id, &doc);
    free(doc);
    if (rc)
        return http__store_error(r, rc, "wave");
    struct store_survey_count *c = NULL;
    size_t n = 0;
    if ((rc = store_survey_counts(http__db(r), id, &c, &n)))
        return http__store_error(r, rc, "responses");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!reaches(r, c[i].center))
            continue;
        json_t *by = json_object();
        int64_t total = 0;
        for (int p = 0; p < POS__COUNT; p++) {
            json_object_set_new(by, org_position_name(p), json_integer(c[i].respondents[p]));
            total += c[i].respondents[p];
        }
        int64_t ops = c[i].enrolled[POS_OP];
        json_array_append_new(
            arr, json_pack("{s:s, s:I, s:o, s:I, s:o}", "center", c[i].center, "respondents",
                           (json_int_t)total, "by_position", by, "operators_enrolled",
                           (json_int_t)ops, "operator_response_rate",
                           ops > 0 ? json_real((double)c[i].respondents[POS_OP] / (double)ops)
                                   : json_null()));
    }
    free(c);
    http__reply_json(r, 200, json_pack("{s:s, s:o}", "wave", r->params[0], "centers", arr));
    return 200;
}

/* The center {1} of a per-center survey route, refused unless the caller reaches it. */
static int center_param(struct req *r, struct org_center *c)
{
    int rc = store_center_get(http__db(r), r->params[1], c);
    if (rc)
        return http__store_error(r, rc, "center");
    if (!org_can_read_center(&r->who, c)) {
        http__reply_error(r, 403, "forbidden", "your role may not see center \"%.40s\"", c->code);
        return 403;
    }
    return 0;
}

static const char *query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int api_survey_create(struct req *r)
{
    static const char *const known[] = {"code", "questionnaire", NULL};
    char code[ORG_CODE_MAX], err[600];
    if (decode__only(r->json, known, err, sizeof err) ||
        decode__opt_str(r->json, "code", code, sizeof code, err, sizeof err) ||
        org_check_code("code", code, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    json_t *doc = json_object_get(r->json, "questionnaire");
    survey_questionnaire *q = NULL;
    int rc;
    if (doc && !json_is_null(doc)) {
        rc = json_is_object(doc) ? survey_questionnaire_from_json(doc, &q, err, sizeof err) : -1;
        if (rc && !json_is_object(doc))
            snprintf(err, sizeof err,
                     "questionnaire: must be an object like data/survey/"
                     "questionnaire.json");
    } else {
        char path[4096];
        rc = data_path("survey/questionnaire.json", path, sizeof path) ||
             survey_questionnaire_load(path, &q, err, sizeof err);
        if (rc) {
            log_msg(LOG_ERROR, "survey: %s", err);
            http__reply_error(r, 500, "internal", "the default questionnaire could not be read");
            return 500;
        }
    }
    if (rc) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    int64_t id = 0;
    int nitems = survey_nitems(q);
    rc = survey_wave_create(http__db(r), code, q, r->who.login, r->addr, &id);
    survey_questionnaire_free(q);
    if (rc)
        return http__store_error(r, rc, "wave");
    http__reply_json(
        r, 201, json_pack("{s:s,s:I,s:i}", "wave", code, "id", (json_int_t)id, "items", nitems));
    return 201;
}

int api_survey_drivers(struct req *r)
{
    struct survey_rules k;
    int rc;
    struct org_center c;
    if ((rc = k_param(r, &k)) || (rc = center_param(r, &c)))
        return rc;
    struct wave w;
    if ((rc = wave_load(r, &w)))
        return rc;
    json_t *j = survey_drivers_json(&w.L, w.centers, w.ncenters, c.code, k.k);
    wave_release(&w);
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    json_object_set_new(j, "wave", json_string(r->params[0]));
    json_object_set_new(j, "center", json_string(c.code));
    http__reply_json(r, 200, j);
    return 200;
}

int api_survey_compare(struct req *r)
{
    struct survey_rules k;
    int rc;
    struct org_center c;
    const char *from = query(r, "from");
    if ((rc = k_param(r, &k)) || (rc = center_param(r, &c)))
        return rc;
    if (!from || !*from) {
        http__reply_error(r, 400, "bad_request", "from: give the earlier wave (?from=W)");
        return 400;
    }
    struct wave a, b;
    if ((rc = wave_load_as(r, from, c.id, 0, &a)))
        return rc;
    if ((rc = wave_load_as(r, r->params[0], c.id, 0, &b))) {
        wave_release(&a);
        return rc;
    }
    json_t *j = survey_compare_json(&a.L, &a.centers[0], &b.L, &b.centers[0], k.k);
    wave_release(&a);
    wave_release(&b);
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    json_object_set_new(j, "center", json_string(c.code));
    json_object_set_new(j, "from", json_string(from));
    json_object_set_new(j, "to", json_string(r->params[0]));
    http__reply_json(r, 200, j);
    return 200;
}

int api_survey_comments(struct req *r)
{
    struct org_center c;
    int rc = center_param(r, &c);
    if (rc)
        return rc;
    struct wave w;
    if ((rc = wave_load_as(r, r->params[0], c.id, 0, &w)))
        return rc;
    char err[600];
    const char *kv = query(r, "k");
    int64_t k = 0;
    if (kv && parse_int64(kv, 1, SURVEY_K_MAX, &k)) {
        wave_release(&w);
        http__reply_error(r, 400, "bad_request", "k: must be a whole number from 1 to %d",
                          SURVEY_K_MAX);
        return 400;
    }
    json_t *j = survey_center_comments(http__db(r), w.id, c.id, survey_nitems(w.q), (int)k, NULL,
                                       NULL, err, sizeof err);
    wave_release(&w);
    if (!j) {
        log_msg(LOG_ERROR, "survey comments: %s", err);
        http__reply_error(r, 500, "internal", "comment analysis is not available");
        return 500;
    }
    json_object_set_new(j, "wave", json_string(r->params[0]));
    json_object_set_new(j, "center", json_string(c.code));
    http__reply_json(r, 200, j);
    return 200;
}

int api_survey_import(struct req *r)
{
    static const char *const known[] = {"data", "skip_invalid", "name", NULL};
    struct org_center c;
    char err[600];
    int rc = center_param(r, &c);
    if (rc)
        return rc;
    if (!org_can_write_center(&r->who, &c)) {
        http__reply_error(r, 403, "forbidden", "your role may not import for center \"%.40s\"",
                          c.code);
        return 403;
    }
    json_t *data = json_object_get(r->json, "data");
    json_t *skip = json_object_get(r->json, "skip_invalid");
    if (decode__only(r->json, known, err, sizeof err)) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    if (!json_is_string(data) || (skip && !json_is_boolean(skip))) {
        http__reply_error(r, 400, "bad_request",
                          "data: the file as base64 text; skip_invalid: true or false");
        return 400;
    }
    size_t len = json_string_length(data), binlen = 0;
    char *bin = malloc(len + 1);
    if (!bin)
        return http__store_error(r, STORE_ERROR, "memory");
    if (sodium_base642bin((unsigned char *)bin, len + 1, json_string_value(data), len, " \r\n",
                          &binlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(bin);
        http__reply_error(r, 400, "bad_request", "data: not base64 text");
        return 400;
    }
    struct wave w;
    if ((rc = wave_load_as(r, r->params[0], c.id, 0, &w))) {
        free(bin);
        return rc;
    }
    struct survey_import im = {0};
    rc = survey_import_buffer(w.q, "upload", bin, binlen, json_is_true(skip), &im, err, sizeof err);
    free(bin);
    int nitems = survey_nitems(w.q);
    int64_t wave_id = w.id;
    wave_release(&w);
    if (rc) {
        survey_import_release(&im);
        if (rc == SURVEY_IMPORT_EINPUT) {
            http__reply_error(r, 400, "bad_request", "%s", err);
            return 400;
        }
        return http__store_error(r, STORE_ERROR, "memory");
    }
    struct survey_publication pub;
    rc = survey_import_store(http__db(r), wave_id, &c, nitems, &im, r->who.login, "upload", r->addr,
                             &pub);
    json_t *j = rc ? NULL : survey_import_json(&im);
    if (j && json_object_set_new(j, "publication", survey_publication_json(&pub)) != 0) {
        json_decref(j);
        j = NULL;
    }
    survey_import_release(&im);
    if (rc)
        return http__store_error(r, rc, "respondents");
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    http__reply_json(r, 201, j);
    return 201;
}

/* Reads the file the export wrote; *out is malloc'd. */
static int slurp(const char *path, char **out, size_t *len)
{
    struct buf b;
    buf_init(&b, 64u << 20);
    if (buf_read_file(&b, path) != 0) {
        buf_release(&b);
        return -1;
    }
    *len = b.len;
    *out = b.len ? buf_detach(&b) : calloc(1, 1);
    buf_release(&b);
    return *out ? 0 : -1;
}

/* The PDF report of center c from the loaded wave w (every center, for the benchmarks). */
static int write_pdf(struct req *r, const struct wave *w, const struct org_center *c,
                     json_t *center, const struct survey_rules *k, const char *path, char *err,
                     size_t errlen)
{
    char day[16];
    date_jst(now_unix(), day, sizeof day);
    json_t *drivers = survey_drivers_json(&w->L, w->centers, w->ncenters, c->code, k->k);
    json_t *comments = survey_center_comments(http__db(r), w->id, c->id, survey_nitems(w->q), 0,
                                              NULL, NULL, err, errlen);
    struct report_survey in = {.wave = r->params[0],
                               .center = c->code,
                               .center_name = c->name,
                               .date = day,
                               .q = w->q,
                               .score = center,
                               .drivers = drivers,
                               .comments = comments};
    int rc = report_survey_pdf(&in, path, err, errlen);
    json_decref(drivers);
    json_decref(comments);
    return rc ? SURVEY_EXPORT_EIO : 0;
}

int api_survey_export(struct req *r)
{
    struct survey_rules k;
    int rc;
    struct org_center c;
    if ((rc = k_param(r, &k)) || (rc = center_param(r, &c)))
        return rc;
    const char *format = query(r, "format"), *enc = query(r, "encoding");
    int xlsx = !format || strcmp(format, "xlsx") == 0;
    int pdf = format && strcmp(format, "pdf") == 0;
    if (!xlsx && !pdf && strcmp(format, "csv") != 0) {
        http__reply_error(r, 400, "bad_request", "format: must be xlsx, csv or pdf");
        return 400;
    }
    if (pdf && enc) {
        http__reply_error(r, 400, "bad_request", "encoding: only with format=csv");
        return 400;
    }
    if (enc && (xlsx || (strcmp(enc, "utf8") != 0 && strcmp(enc, "cp932") != 0))) {
        http__reply_error(r, 400, "bad_request",
                          "encoding: utf8 or cp932, and only with format=csv");
        return 400;
    }
    struct wave w;
    if ((rc = wave_load(r, &w)))
        return rc;
    json_t *j = survey_score_json(&w.L, w.centers, w.ncenters, c.code, &k);
    json_t *center = json_array_get(json_object_get(j, "centers"), 0);
    char dir[] = "/tmp/ikiiki-export-XXXXXX", path[64], err[600];
    if (!center || !mkdtemp(dir)) {
        json_decref(j);
        wave_release(&w);
        if (j && !center) {
            http__reply_error(r, 404, "not_found", "no respondents of center \"%s\" in wave %s",
                              c.code, r->params[0]);
            return 404;
        }
        return http__store_error(r, STORE_ERROR, "memory");
    }
    snprintf(path, sizeof path, "%s/out", dir);
    rc = pdf    ? write_pdf(r, &w, &c, center, &k, path, err, sizeof err)
         : xlsx ? survey_export_xlsx(w.q, center, path, err, sizeof err)
                : survey_export_csv(w.q, center, path,
                                    enc && strcmp(enc, "cp932") == 0 ? SURVEY_EXPORT_CP932
                                                                     : SURVEY_EXPORT_UTF8,
                                    err, sizeof err);
    json_decref(j);
    wave_release(&w);
    char *data = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = slurp(path, &data, &len);
    unlink(path);
    rmdir(dir);
    if (rc == SURVEY_EXPORT_ENCODING) {
        http__reply_error(r, 422, "encoding", "%s", err);
        return 422;
    }
    if (rc) {
        log_msg(LOG_ERROR, "survey export: %s", err);
        return http__store_error(r, STORE_ERROR, "export");
    }
    char name[128];
    snprintf(name, sizeof name, "%s-%s.%s", r->params[0], c.code,
             pdf    ? "pdf"
             : xlsx ? "xlsx"
                    : "csv");
    http__reply_file(r, data, len,
                     pdf    ? "application/pdf"
                     : xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            : "text/csv; charset=utf-8",
                     name);
    return 200;
}

int api_survey_publish(struct req *r)
{
    struct org_center c;
    int rc = center_param(r, &c);
    if (rc)
        return rc;
    if (!org_can_write_center(&r->who, &c)) {
        http__reply_error(r, 403, "forbidden", "your role may not publish for center \"%.40s\"",
                          c.code);
        return 403;
    }
    int64_t id;
    char *doc = NULL;
    if ((rc = store_survey_wave_get(http__db(r), r->params[0], &id, &doc))) {
        free(doc);
        return http__store_error(r, rc, "wave");
    }
    free(doc);
    struct survey_publication pub;
    if ((rc = survey_publish(http__db(r), id, c.id, c.code, "manual", r->who.login, r->addr, &pub)))
        return http__store_error(r, rc, "publication");
    json_t *j = survey_publication_json(&pub);
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    http__reply_json(r, 200, j);
    return 200;
}

/* The installation's anonymity settings: read by every staff role that sees results (so screens
 * can explain the rule), changed by admins only (the route's gate). */
int api_survey_settings_get(struct req *r)
{
    struct survey_rules R;
    int kc = 0;
    int rc = survey_rules_load(http__db(r), 0, &R);
    if (rc == STORE_OK)
        rc = survey_k_comments_load(http__db(r), 0, &kc);
    if (rc)
        return http__store_error(r, rc, "settings");
    http__reply_json(r, 200,
                     json_pack("{s:i, s:i, s:i, s:i}", "k", R.k, "k_comments", kc,
                               "bench_min_centers", R.bench_min, "hpb_min_centers", R.hpb_min));
    return 200;
}

int api_survey_settings_put(struct req *r)
{
    static const char *const known[] = {"k", "k_comments", NULL};
    char err[300];
    json_t *k = json_object_get(r->json, "k"), *kc = json_object_get(r->json, "k_comments");
    int bad = decode__only(r->json, known, err, sizeof err) != 0;
    if (!bad && ((k && (!json_is_integer(k) || json_integer_value(k) < SURVEY_K_MIN ||
                        json_integer_value(k) > SURVEY_K_MAX)) ||
                 (kc && (!json_is_integer(kc) || json_integer_value(kc) < SURVEY_K_MIN ||
                         json_integer_value(kc) > SURVEY_K_MAX)))) {
        snprintf(err, sizeof err, "k, k_comments: whole numbers from %d to %d", SURVEY_K_MIN,
                 SURVEY_K_MAX);
        bad = 1;
    }
    if (bad) {
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    int rc = survey_settings_set(http__db(r), k ? (int)json_integer_value(k) : 0,
                                 kc ? (int)json_integer_value(kc) : 0, r->who.login, r->addr);
    if (rc)
        return http__store_error(r, rc, "settings");
    return api_survey_settings_get(r);
}
