/* In-process timings for the survey benchmark, linked against libikiiki.a (see run.sh):
 *
 *   inproc score DB WAVE [REPEAT]
 *       store_survey_load of every center, then survey_score_json and survey_rank_json (each
 *       REPEAT times, default 3, the best run kept) and json_dumps of both results; also the
 *       pandas peer's computation alone (TOP3BOX per center x item with survey_tally_count and
 *       survey_stat_items, best of REPEAT). Prints tally_s= tally_sum= load_s= score_s=
 *       score_dump_s= rank_s= rank_dump_s= respondents= centers= bytes=
 *   inproc import DB WAVE DIR CENTERS
 *       for C0001 … : survey_import_file (parse) and one transaction of
 *       store_survey_respondents_add (store), as `ikiiki survey import` does, in one process.
 *       Prints parse_s= store_s= rows= bytes=
 *
 * DB is a path or URL as --db takes it; the wave and centers must exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/store_org.h"
#include "store/store_survey.h"
#include "survey/import.h"
#include "survey/score.h"
#include "survey/survey.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what, store *s)
{
    fprintf(stderr, "inproc: %s%s%s\n", what, s ? ": " : "", s ? store_errmsg(s) : "");
    exit(1);
}

static survey_questionnaire *open_wave(store *s, const char *code, int64_t *id)
{
    char *doc = NULL, err[300];
    if (store_survey_wave_get(s, code, id, &doc))
        die("wave", s);
    json_error_t je;
    json_t *root = json_loads(doc, 0, &je);
    free(doc);
    survey_questionnaire *q = NULL;
    if (!root || survey_questionnaire_from_json(root, &q, err, sizeof err))
        die("questionnaire", NULL);
    json_decref(root);
    return q;
}

static int do_score(store *s, const char *wave, int repeat)
{
    int64_t wave_id;
    survey_questionnaire *q = open_wave(s, wave, &wave_id);
    struct store_survey_data d;
    double t0 = now();
    if (store_survey_load(s, wave_id, 0, survey_nitems(q), 0, &d))
        die("load", s);
    double t_load = now() - t0;
    struct survey_center_data *c = calloc(d.n ? d.n : 1, sizeof *c);
    size_t resp = 0;
    for (size_t i = 0; i < d.n; i++) {
        c[i] = d.centers[i].d;
        resp += c[i].n;
    }
    struct survey_layout_store st;
    struct survey_layout L;
    if (survey_layout_build(q, &st, &L))
        die("layout", NULL);
    /* The peer's computation alone: TOP3BOX per center x item through the tally API. */
    double best_tally = 1e9, check = 0;
    for (int r = 0; r < repeat; r++) {
        t0 = now();
        struct survey_tally ty;
        for (size_t j = 0; j < d.n; j++) {
            survey_tally_init(&ty);
            survey_tally_count(&ty, c[j].r, c[j].n, L.nitems);
            for (int i = 0; i < L.nitems; i++) {
                struct survey_stat st1;
                double v;
                survey_stat_items(&ty, 1ull << i, &st1);
                if (survey_top3(&st1, &v) == 0)
                    check += v;
            }
        }
        double t = now() - t0;
        best_tally = t < best_tally ? t : best_tally;
    }
    double best_score = 1e9, best_rank = 1e9, dump_score = 0, dump_rank = 0;
    size_t bytes = 0;
    for (int r = 0; r < repeat; r++) {
        t0 = now();
        json_t *j = survey_score_json(&L, c, d.n, NULL, SURVEY_K_DEFAULT);
        double t = now() - t0;
        if (!j)
            die("survey_score_json", NULL);
        best_score = t < best_score ? t : best_score;
        t0 = now();
        char *txt = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
        dump_score = now() - t0;
        bytes = txt ? strlen(txt) : 0;
        free(txt);
        json_decref(j);

        t0 = now();
        j = survey_rank_json(&L, c, d.n, SURVEY_K_DEFAULT);
        t = now() - t0;
        if (!j)
            die("survey_rank_json", NULL);
        best_rank = t < best_rank ? t : best_rank;
        t0 = now();
        txt = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
        dump_rank = now() - t0;
        free(txt);
        json_decref(j);
    }
    printf("tally_s=%.4f tally_sum=%.3f ", best_tally, check / repeat);
    printf("load_s=%.3f score_s=%.3f score_dump_s=%.3f rank_s=%.4f rank_dump_s=%.4f "
           "respondents=%zu centers=%zu bytes=%zu\n",
           t_load, best_score, dump_score, best_rank, dump_rank, resp, d.n, bytes);
    free(c);
    store_survey_data_release(&d);
    survey_questionnaire_free(q);
    return 0;
}

static int do_import(store *s, const char *wave, const char *dir, int ncent)
{
    int64_t wave_id;
    survey_questionnaire *q = open_wave(s, wave, &wave_id);
    double t_parse = 0, t_store = 0;
    size_t rows = 0;
    long long bytes = 0;
    for (int i = 1; i <= ncent; i++) {
        char code[16], path[4096], err[600];
        snprintf(code, sizeof code, "C%04d", i);
        snprintf(path, sizeof path, "%s/%s.csv", dir, code);
        struct stat sb;
        if (stat(path, &sb) == 0)
            bytes += sb.st_size;
        struct org_center oc;
        if (store_center_get(s, code, &oc))
            die(code, s);
        struct survey_import im = {0};
        double t0 = now();
        if (survey_import_file(q, path, 0, &im, err, sizeof err))
            die(err, NULL);
        double t1 = now();
        if (store_begin(s) ||
            store_survey_respondents_add(s, wave_id, oc.id, "2026-01-01", im.r, im.comments, im.n,
                                         survey_nitems(q)) ||
            store_commit(s))
            die("store", s);
        double t2 = now();
        t_parse += t1 - t0;
        t_store += t2 - t1;
        rows += im.n;
        survey_import_release(&im);
    }
    printf("parse_s=%.3f store_s=%.3f rows=%zu bytes=%lld\n", t_parse, t_store, rows, bytes);
    survey_questionnaire_free(q);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: inproc score DB WAVE [REPEAT] | inproc import DB WAVE DIR N\n");
        return 2;
    }
    store *s;
    char err[600];
    if (store_open(store_default_url(argv[2]), &s, err, sizeof err)) {
        fprintf(stderr, "inproc: %s\n", err);
        return 1;
    }
    if (store_migrate(s, NULL))
        die("migrate", s);
    int rc;
    if (strcmp(argv[1], "score") == 0)
        rc = do_score(s, argv[3], argc > 4 ? (int)strtol(argv[4], NULL, 10) : 3);
    else if (strcmp(argv[1], "import") == 0 && argc > 5)
        rc = do_import(s, argv[3], argv[4], (int)strtol(argv[5], NULL, 10));
    else
        rc = 2;
    store_free(s);
    return rc;
}
