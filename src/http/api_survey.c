/* Well-being診断 over HTTP: scores, award ranking and response rates of a wave. Every center of
 * the wave is scored (the other-center average and HPB need them all); the reply holds only the
 * centers the caller reaches: admins all, consultants their clients', a center's manager and
 * supervisors their own. Operators and machine clients see none. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "http_int.h"
#include "survey/score.h"
#include "survey/survey.h"

/* A wave with everything scoring needs, loaded for one request. */
struct wave {
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

static int wave_load(struct req *r, struct wave *w)
{
    memset(w, 0, sizeof *w);
    int64_t id;
    char *doc = NULL;
    store *db = http__db(r);
    int rc = store_survey_wave_get(db, r->params[0], &id, &doc);
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
        log_msg(LOG_ERROR, "wave %s: the stored questionnaire is damaged", r->params[0]);
        wave_release(w);
        http__reply_error(r, 500, "internal", "the wave's questionnaire could not be read");
        return 500;
    }
    if ((rc = store_survey_load(db, id, 0, survey_nitems(w->q), 0, &w->data))) {
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

static int k_param(struct req *r, int *k)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "k");
    int64_t x = SURVEY_K_DEFAULT;
    if (v && parse_int64(v, 1, 1000, &x)) {
        http__reply_error(r, 400, "bad_request", "k: must be a whole number from 1 to 1000");
        return 400;
    }
    *k = (int)x;
    return 0;
}

int api_survey_score(struct req *r)
{
    int k, rc;
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
    json_t *j = survey_score_json(&w.L, w.centers, w.ncenters, only, k);
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
    int k, rc;
    if ((rc = k_param(r, &k)))
        return rc;
    struct wave w;
    if ((rc = wave_load(r, &w)))
        return rc;
    json_t *j = survey_rank_json(&w.L, w.centers, w.ncenters, k);
    wave_release(&w);
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    keep_reachable(r, j, "entries");
    json_object_set_new(j, "wave", json_string(r->params[0]));
    http__reply_json(r, 200, j);
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
