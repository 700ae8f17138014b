/* ikiiki survey wave|import|responses: the Well-being診断 — waves, the import of the template CSV,
 * SurveyMonkey CSV or Forms XLSX and response rates. Scoring and ranking are added on top of
 * cli_survey_load below. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_survey.h"
#include "survey/wave.h"
#include "core/util.h"
#include "survey/drivers.h"
#include "survey/import.h"
#include "survey/score.h"
#include "survey/survey.h"
#include "store/store_org.h"
#include "store/store_survey.h"

static int load_questionnaire(const struct cli_cmd *cmd, const char *path,
                              survey_questionnaire **out)
{
    char def[512], err[600];
    if (!path) {
        if (data_path("survey/questionnaire.json", def, sizeof def))
            return cli_fail(cmd, EXIT_FAIL, "data folder path too long");
        path = def;
    }
    if (survey_questionnaire_load(path, out, err, sizeof err))
        return cli_fail(cmd, path == def ? EXIT_FAIL : EXIT_USAGE, "--questionnaire: %s", err);
    return 0;
}

/* Finds the wave named by the option opt ("--wave"; compare has "--from" and "--to") and parses
 * the questionnaire stored with it. */
static int open_wave_opt(const struct cli_cmd *cmd, store *s, const char *opt, const char *code,
                         int64_t *wave_id, survey_questionnaire **q)
{
    char err[600], *doc = NULL;
    if (!code)
        return cli_fail(cmd, EXIT_USAGE, "option \"%s\" is required", opt);
    if (org_check_code(opt, code, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    int rc = store_survey_wave_get(s, code, wave_id, &doc);
    if (rc) {
        snprintf(err, sizeof err, "%s: wave \"%s\"", opt, code);
        return cli_store_fail(cmd, s, rc, err);
    }
    json_error_t je;
    json_t *root = json_loads(doc, 0, &je);
    free(doc);
    rc = root ? survey_questionnaire_from_json(root, q, err, sizeof err) : -1;
    json_decref(root);
    if (rc)
        return cli_fail(cmd, EXIT_FAIL, "wave \"%s\": the stored questionnaire is damaged", code);
    return 0;
}

static int open_wave(const struct cli_cmd *cmd, store *s, const char *code, int64_t *wave_id,
                     survey_questionnaire **q)
{
    return open_wave_opt(cmd, s, "--wave", code, wave_id, q);
}

static int center_opt(const struct cli_cmd *cmd, store *s, const char *code, struct org_center *c)
{
    char err[200];
    if (!code)
        return cli_fail(cmd, EXIT_USAGE, "option \"--center\" is required");
    if (org_check_code("--center", code, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    int rc = store_center_get(s, code, c);
    if (rc) {
        snprintf(err, sizeof err, "--center: center \"%s\"", code);
        return cli_store_fail(cmd, s, rc, err);
    }
    return 0;
}

void cli_survey_release(struct cli_survey *w)
{
    if (!w)
        return;
    store_survey_data_release(&w->data);
    free(w->centers);
    survey_questionnaire_free(w->q);
    store_free(w->s);
    memset(w, 0, sizeof *w);
}

/* cli_survey_load with the wave's option named opt in messages. */
static int survey_load_opt(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                           int with_comments, const char *opt, struct cli_survey *w)
{
    memset(w, 0, sizeof *w);
    int rc = cli_open_store(cmd, o, n, &w->s);
    if (rc)
        return rc;
    struct org_center c = {0};
    const char *center = cli_get(o, n, "center");
    if ((rc = open_wave_opt(cmd, w->s, opt, cli_get(o, n, "wave"), &w->wave_id, &w->q)) ||
        (center && (rc = center_opt(cmd, w->s, center, &c)))) {
        cli_survey_release(w);
        return rc;
    }
    str_copy(w->wave, sizeof w->wave, cli_get(o, n, "wave"));
    rc = store_survey_load(w->s, w->wave_id, c.id, survey_nitems(w->q), with_comments, &w->data);
    if (rc) {
        rc = cli_store_fail(cmd, w->s, rc, "respondents");
        cli_survey_release(w);
        return rc;
    }
    w->centers = calloc(w->data.n ? w->data.n : 1, sizeof *w->centers);
    if (!w->centers) {
        cli_survey_release(w);
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    }
    for (size_t i = 0; i < w->data.n; i++)
        w->centers[i] = w->data.centers[i].d;
    w->ncenters = w->data.n;
    return 0;
}

int cli_survey_load(const struct cli_cmd *cmd, const struct cli_opt *o, int n, int with_comments,
                    struct cli_survey *w)
{
    return survey_load_opt(cmd, o, n, with_comments, "--wave", w);
}

/* ---- survey wave add|list ---- */

static int wave_list(const struct cli_cmd *cmd, struct cli_opt *o, int n)
{
    store *s;
    int rc = cli_open_store(cmd, o, n, &s);
    if (rc)
        return rc;
    struct survey_wave_info *w = NULL;
    size_t nw = 0;
    if ((rc = survey_wave_list(s, NULL, &w, &nw)))
        rc = cli_store_fail(cmd, s, rc, "waves");
    store_free(s);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json")) {
        json_t *j = survey_wave_list_json(w, nw);
        survey_wave_list_free(w, nw);
        return cli_print_json(j ? json_pack("{s:o}", "waves", j) : NULL);
    }
    for (size_t i = 0; i < nw; i++) {
        char day[16];
        date_jst(w[i].created_at, day, sizeof day);
        printf("%s\t%s\topen links: ", w[i].code, day);
        for (size_t j = 0; j < w[i].nopen; j++)
            printf("%s%s", j ? "," : "", w[i].open[j]);
        printf("%s\n", w[i].nopen ? "" : "-");
    }
    survey_wave_list_free(w, nw);
    return EXIT_OK;
}

int cmd_survey_wave(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"code", 1, "the wave's code, e.g. 2026-H2", NULL, 0},
        {"questionnaire", 1, "a questionnaire file (default data/survey/questionnaire.json)", NULL,
         0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 1, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos == 1 && strcmp(pos[0], "list") == 0)
        return wave_list(cmd, o, n);
    if (npos != 1 || strcmp(pos[0], "add") != 0)
        return cli_fail(cmd, EXIT_USAGE, "expected add --code W [--questionnaire FILE], or list");
    const char *code = cli_get(o, n, "code");
    char err[300];
    if (!code)
        return cli_fail(cmd, EXIT_USAGE, "option \"--code\" is required");
    if (org_check_code("--code", code, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    survey_questionnaire *q;
    if ((rc = load_questionnaire(cmd, cli_get(o, n, "questionnaire"), &q)))
        return rc;
    int nitems = survey_nitems(q);
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s))) {
        survey_questionnaire_free(q);
        return rc;
    }
    int64_t id = 0;
    rc = survey_wave_create(s, code, q, "cli", "", &id);
    survey_questionnaire_free(q);
    if (rc) {
        snprintf(err, sizeof err, "wave \"%s\"", code);
        rc = cli_store_fail(cmd, s, rc, err);
    }
    store_free(s);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(
            json_pack("{s:s, s:I, s:i}", "wave", code, "id", (json_int_t)id, "items", nitems));
    printf("wave %s added (%d scale items)\n", code, nitems);
    return EXIT_OK;
}

/* ---- survey import ---- */

static int store_import(const struct cli_cmd *cmd, store *s, int64_t wave_id,
                        const struct org_center *c, const char *file, int nitems,
                        const struct survey_import *im)
{
    struct survey_publication pub;
    int rc = survey_import_store(s, wave_id, c, nitems, im, "cli", file, "", &pub);
    if (rc)
        return cli_store_fail(cmd, s, rc, "respondents");
    if (!pub.published)
        fprintf(stderr, "warning: %s: results not updated: %s\n", c->code, pub.why);
    return 0;
}

/* What one file's import reports: survey_import_json with the center, format and container. */
static json_t *import_report(const struct survey_import *im, const char *center)
{
    json_t *j = survey_import_json(im);
    if (j) {
        json_object_set_new(j, "center", json_string(center));
        json_object_set_new(j, "format", json_string(survey_import_format_name(im->format)));
        json_object_set_new(j, "xlsx", json_boolean(im->xlsx));
    }
    return j;
}

static void print_import(json_t *j)
{
    json_int_t skipped = (json_int_t)json_array_size(json_object_get(j, "skipped"));
    printf("%lld respondents imported for %s",
           (long long)json_integer_value(json_object_get(j, "imported")),
           json_string_value(json_object_get(j, "center")));
    if (skipped)
        printf(", %lld rows skipped", (long long)skipped);
    printf(" (%s%s)\n", json_string_value(json_object_get(j, "format")),
           json_is_true(json_object_get(j, "xlsx")) ? ", XLSX" : "");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "warnings"), i, v)
        printf("warning: %s\n", json_string_value(v));
    json_array_foreach(json_object_get(j, "skipped"), i, v)
    {
        printf("skipped: row %lld, column \"%s\": value \"%s\"\n",
               (long long)json_integer_value(json_object_get(v, "row")),
               json_string_value(json_object_get(v, "column")),
               json_string_value(json_object_get(v, "value")));
    }
}

/* The center a file answers for: --center, or the file's name without folder and extension
 * (TKY.csv → TKY) when several files are given. */
static int file_center(const struct cli_cmd *cmd, store *s, const char *given, const char *file,
                       struct org_center *c)
{
    if (given)
        return center_opt(cmd, s, given, c);
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char code[ORG_CODE_MAX];
    size_t len = strcspn(base, ".");
    if (len == 0 || len >= sizeof code)
        return cli_fail(cmd, EXIT_USAGE, "%s: the file name does not name a center (CODE.csv)",
                        file);
    memcpy(code, base, len);
    code[len] = '\0';
    char what[600];
    if (org_check_code(file, code, what, sizeof what))
        return cli_fail(cmd, EXIT_USAGE, "%s", what);
    int rc = store_center_get(s, code, c);
    if (rc) {
        snprintf(what, sizeof what, "%s: center \"%s\"", file, code);
        return cli_store_fail(cmd, s, rc, what);
    }
    return 0;
}

/* Files are parsed ahead on a second thread while the store takes the one before: parsing and
 * storing each cost about half of an import, so the two overlap. The parser reads only the
 * questionnaire, which nothing changes meanwhile. */
#define PARSE_AHEAD 2

struct parsed {
    struct survey_import im;
    int rc;
    char err[600];
    int ready;
};

struct reader {
    const survey_questionnaire *q;
    const struct survey_import_opts *opts;
    const char *const *files;
    int n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct parsed slot[PARSE_AHEAD];
    int taken; /* files the store has finished with */
    int stop;
    pthread_t th;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    for (int i = 0; i < r->n; i++) {
        pthread_mutex_lock(&r->mu);
        while (!r->stop && i - r->taken >= PARSE_AHEAD)
            pthread_cond_wait(&r->cv, &r->mu);
        int stop = r->stop;
        pthread_mutex_unlock(&r->mu);
        if (stop)
            break;
        struct parsed *p = &r->slot[i % PARSE_AHEAD];
        memset(&p->im, 0, sizeof p->im);
        p->rc = survey_import_read_file(r->q, r->files[i], r->opts, &p->im, p->err, sizeof p->err);
        pthread_mutex_lock(&r->mu);
        p->ready = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* File i once parsed; hand it back with reader_done. */
static struct parsed *reader_take(struct reader *r, int i)
{
    struct parsed *p = &r->slot[i % PARSE_AHEAD];
    pthread_mutex_lock(&r->mu);
    while (!p->ready)
        pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
    return p;
}

static void reader_done(struct reader *r, int i)
{
    struct parsed *p = &r->slot[i % PARSE_AHEAD];
    survey_import_release(&p->im);
    pthread_mutex_lock(&r->mu);
    p->ready = 0;
    r->taken = i + 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* Stops the thread (early when the store failed) and frees what it parsed but nobody took. */
static void reader_stop(struct reader *r)
{
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->th, NULL);
    for (int k = 0; k < PARSE_AHEAD; k++)
        if (r->slot[k].ready)
            survey_import_release(&r->slot[k].im);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

static int reader_start(struct reader *r)
{
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    if (pthread_create(&r->th, NULL, reader_main, r) != 0) {
        pthread_cond_destroy(&r->cv);
        pthread_mutex_destroy(&r->mu);
        return -1;
    }
    return 0;
}

/* Stores file i (parsed by the reader) inside the caller's transaction; appends its report. */
static int import_one(const struct cli_cmd *cmd, store *s, int64_t wave_id, int nitems,
                      struct reader *rd, const char *center, int i, json_t *files,
                      json_int_t *total)
{
    struct org_center c;
    int rc = file_center(cmd, s, center, rd->files[i], &c);
    struct parsed *p = rc ? NULL : reader_take(rd, i);
    if (p && p->rc)
        rc = cli_fail(cmd, p->rc == SURVEY_IMPORT_ENOMEM ? EXIT_FAIL : EXIT_USAGE, "%s", p->err);
    if (p && rc == 0)
        rc = store_import(cmd, s, wave_id, &c, rd->files[i], nitems, &p->im);
    json_t *rep = rc ? NULL : import_report(&p->im, c.code);
    if (rc == 0 && (!rep || json_array_append_new(files, rep)))
        rc = cli_fail(cmd, EXIT_FAIL, "out of memory");
    if (p) {
        *total += (json_int_t)p->im.n;
        reader_done(rd, i);
    }
    return rc;
}

int cmd_survey_import(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "the wave's code", NULL, 0},
        {"center", 1, "the center that answered (without it, each FILE is named CENTER.csv)", NULL,
         0},
        {"skip-invalid", 0, "keep the good rows and list the bad ones", NULL, 0},
        {"format", 1, "template, surveymonkey or forms (default: from the file's content)", NULL,
         0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    int npos = 0;
    if (!pos)
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    int rc = cli_parse(cmd, argc, argv, o, n, pos, argc, &npos);
    const char *center = cli_get(o, n, "center");
    if (rc == 0 && (npos == 0 || (center && npos != 1)))
        rc = cli_fail(cmd, EXIT_USAGE,
                      "expected --wave W --center C FILE, or --wave W CENTER.csv … (one file per "
                      "center, named by its code)");
    struct survey_import_opts opts = {SURVEY_FORMAT_AUTO, cli_flag(o, n, "skip-invalid")};
    const char *fmt = cli_get(o, n, "format");
    if (rc == 0 && fmt &&
        (survey_import_format_parse(fmt, &opts.format) || opts.format == SURVEY_FORMAT_AUTO))
        rc = cli_fail(cmd, EXIT_USAGE, "format \"%s\" is not template, surveymonkey or forms", fmt);
    store *s = NULL;
    if (rc || (rc = cli_open_store(cmd, o, n, &s))) {
        free(pos);
        return rc < 0 ? EXIT_OK : rc;
    }
    int64_t wave_id;
    survey_questionnaire *q = NULL;
    json_t *files = json_array();
    json_int_t total = 0;
    if (!files)
        rc = cli_fail(cmd, EXIT_FAIL, "out of memory");
    else
        rc = open_wave(cmd, s, cli_get(o, n, "wave"), &wave_id, &q);
    /* Several files are one transaction: all of them or none. Each file's rows are freed once
     * stored, so memory stays that of the largest file. */
    if (rc == 0 && (rc = store_begin(s)) != STORE_OK)
        rc = cli_store_fail(cmd, s, rc, "transaction");
    struct reader rd = {.q = q, .opts = &opts, .files = pos, .n = npos};
    int reading = rc == 0 && reader_start(&rd) == 0;
    if (rc == 0 && !reading)
        rc = cli_fail(cmd, EXIT_FAIL, "cannot start the reading thread");
    for (int i = 0; rc == 0 && i < npos; i++)
        rc = import_one(cmd, s, wave_id, survey_nitems(q), &rd, center, i, files, &total);
    if (reading)
        reader_stop(&rd);
    if (rc == 0 && (rc = store_commit(s)) != STORE_OK)
        rc = cli_store_fail(cmd, s, rc, "respondents");
    if (rc)
        store_rollback_all(s);
    if (rc == 0 && cli_flag(o, n, "json")) {
        rc = cli_print_json(npos == 1 ? json_incref(json_array_get(files, 0))
                                      : json_pack("{s:I, s:O}", "imported", total, "files", files));
    } else if (rc == 0) {
        size_t k;
        json_t *rep;
        json_array_foreach(files, k, rep) print_import(rep);
    }
    json_decref(files);
    free(pos);
    survey_questionnaire_free(q);
    store_free(s);
    return rc;
}

/* ---- survey responses ---- */

static json_t *counts_json(const struct store_survey_count *c, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *by = json_object(), *enrolled = json_object();
        int64_t total = 0;
        for (int p = 0; p < POS__COUNT; p++) {
            json_object_set_new(by, org_position_name(p), json_integer(c[i].respondents[p]));
            json_object_set_new(enrolled, org_position_name(p), json_integer(c[i].enrolled[p]));
            total += c[i].respondents[p];
        }
        json_t *rate = c[i].enrolled[POS_OP] > 0
                           ? json_real((double)c[i].respondents[POS_OP] / c[i].enrolled[POS_OP])
                           : json_null();
        json_array_append_new(arr, json_pack("{s:s, s:I, s:o, s:o, s:o}", "center", c[i].center,
                                             "respondents", (json_int_t)total, "by_position", by,
                                             "enrolled", enrolled, "operator_response_rate", rate));
    }
    return arr;
}

/* The counts of one center, from its loaded respondents (also when it has none yet). */
/* Response counts are live (every answer stored, published or waiting): they tell only that
 * someone answered. With --center, that center alone, listed even before anyone answered. */
static int wave_counts(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                       struct store_survey_count **out, size_t *nout)
{
    store *s;
    int rc = cli_open_store(cmd, o, n, &s);
    if (rc)
        return rc;
    int64_t wave_id;
    survey_questionnaire *q = NULL;
    const char *only = cli_get(o, n, "center");
    struct org_center c;
    if ((rc = open_wave(cmd, s, cli_get(o, n, "wave"), &wave_id, &q)) ||
        (only && (rc = center_opt(cmd, s, only, &c)))) {
        survey_questionnaire_free(q);
        store_free(s);
        return rc;
    }
    survey_questionnaire_free(q);
    if ((rc = store_survey_counts(s, wave_id, out, nout)))
        rc = cli_store_fail(cmd, s, rc, "respondents");
    store_free(s);
    if (rc || !only)
        return rc;
    size_t keep = 0;
    for (size_t i = 0; i < *nout; i++)
        if (strcmp((*out)[i].center, c.code) == 0)
            (*out)[keep++] = (*out)[i];
    if (keep == 0) {
        struct store_survey_count *one = realloc(*out, sizeof *one);
        if (!one) {
            free(*out);
            return cli_fail(cmd, EXIT_FAIL, "out of memory");
        }
        memset(one, 0, sizeof *one);
        one->center_id = c.id;
        str_copy(one->center, sizeof one->center, c.code);
        memcpy(one->enrolled, c.headcount, sizeof one->enrolled);
        *out = one;
        keep = 1;
    }
    *nout = keep;
    return 0;
}

int cmd_survey_responses(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "the wave's code", NULL, 0},
        {"center", 1, "only this center (listed even before anyone answered)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct store_survey_count *c = NULL;
    size_t nc = 0;
    if ((rc = wave_counts(cmd, o, n, &c, &nc)))
        return rc;
    json_t *j =
        json_pack("{s:s, s:o}", "wave", cli_get(o, n, "wave"), "centers", counts_json(c, nc));
    free(c);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    printf("%-12s %6s %5s %5s %5s %5s  %s\n", "center", "total", "OP", "SV", "MGR", "OTHER",
           "operators answered / enrolled");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "centers"), i, v)
    {
        json_t *by = json_object_get(v, "by_position");
        json_t *rate = json_object_get(v, "operator_response_rate");
        char shown[32] = "-";
        if (json_is_real(rate))
            snprintf(shown, sizeof shown, "%.1f%%", 100.0 * json_real_value(rate));
        printf("%-12s %6lld %5lld %5lld %5lld %5lld  %lld / %lld (%s)\n",
               json_string_value(json_object_get(v, "center")),
               (long long)json_integer_value(json_object_get(v, "respondents")),
               (long long)json_integer_value(json_object_get(by, "OP")),
               (long long)json_integer_value(json_object_get(by, "SV")),
               (long long)json_integer_value(json_object_get(by, "MGR")),
               (long long)json_integer_value(json_object_get(by, "OTHER")),
               (long long)json_integer_value(json_object_get(by, "OP")),
               (long long)json_integer_value(json_object_get(json_object_get(v, "enrolled"), "OP")),
               shown);
    }
    if (json_array_size(json_object_get(j, "centers")) == 0)
        printf("no respondents in wave %s yet\n", cli_get(o, n, "wave"));
    json_decref(j);
    return EXIT_OK;
}

/* ---- survey score and survey rank ---- */

/* Loads every center of the wave (the other-center average and HPB need them all). */
int cli_survey_load_all(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                        struct cli_survey *w, struct survey_layout_store *st,
                        struct survey_layout *L)
{
    struct cli_opt all[] = {
        {"db", 1, "", cli_get(o, n, "db"), cli_get(o, n, "db") != NULL},
        {"wave", 1, "", cli_get(o, n, "wave"), cli_get(o, n, "wave") != NULL},
    };
    if (!cli_get(o, n, "wave"))
        return cli_fail(cmd, EXIT_USAGE, "option \"--wave\" is required");
    int rc = cli_survey_load(cmd, all, (int)ARRAY_LEN(all), 0, w);
    if (rc)
        return rc;
    if (survey_layout_build(w->q, st, L)) {
        cli_survey_release(w);
        return cli_fail(cmd, EXIT_FAIL, "wave \"%s\": the questionnaire has no scale items",
                        cli_get(o, n, "wave"));
    }
    return 0;
}

int cli_survey_rules(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store *s,
                     struct survey_rules *R)
{
    int64_t v = 0;
    int rc = cli_get(o, n, "k") ? cli_int(cmd, o, n, "k", 1, SURVEY_K_MAX, &v) : 0;
    if (rc)
        return rc;
    rc = survey_rules_load(s, (int)v, R);
    return rc ? cli_store_fail(cmd, s, rc, "settings") : 0;
}

/* Checks --k before anything is loaded, so a bad value is reported first. */
static int k_opt(const struct cli_cmd *cmd, const struct cli_opt *o, int n)
{
    int64_t v;
    return cli_get(o, n, "k") ? cli_int(cmd, o, n, "k", 1, SURVEY_K_MAX, &v) : 0;
}

static void print_percent(json_t *v)
{
    if (json_is_number(v))
        printf(" %5.1f%%", json_number_value(v) * 100);
    else
        printf("     — ");
}

/* A whole wave's scores as JSON without the whole tree in memory: centers are built and dumped
 * in batches, half of each batch on a second thread, and written in order. The document is the
 * one survey_score_json gives (keys in the same order; the indentation of each center starts
 * afresh). */
#define SCORE_BATCH 32

struct score_job {
    const survey_scorer *sc;
    size_t from, to;
    char *out[SCORE_BATCH];
    int failed;
};

static void *score_range(void *arg)
{
    struct score_job *job = arg;
    for (size_t j = job->from; j < job->to; j++) {
        json_t *c = survey_scorer_center(job->sc, j);
        char *text =
            c ? json_dumps(c, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12)) : NULL;
        json_decref(c);
        job->out[j - job->from] = text;
        job->failed |= text == NULL;
    }
    return NULL;
}

static int print_score_stream(const survey_scorer *sc, size_t n, const char *wave)
{
    int failed = 0, first = 1;
    fputs("{\n\"centers\": [\n", stdout);
    for (size_t at = 0; at < n && !failed; at += 2 * SCORE_BATCH) {
        size_t mid = at + SCORE_BATCH < n ? at + SCORE_BATCH : n;
        size_t end = mid + SCORE_BATCH < n ? mid + SCORE_BATCH : n;
        struct score_job a = {.sc = sc, .from = at, .to = mid};
        struct score_job b = {.sc = sc, .from = mid, .to = end};
        pthread_t th;
        int threaded = end > mid && pthread_create(&th, NULL, score_range, &b) == 0;
        score_range(&a);
        if (threaded)
            pthread_join(th, NULL);
        else
            score_range(&b);
        failed = a.failed || b.failed;
        for (size_t j = at; j < end; j++) {
            char *text = j < mid ? a.out[j - at] : b.out[j - mid];
            if (text && !failed) {
                fputs(first ? "" : ",\n", stdout);
                fputs(text, stdout);
                first = 0;
            }
            free(text);
        }
    }
    json_t *w = json_string(wave);
    char *wtext = w ? json_dumps(w, JSON_ENCODE_ANY) : NULL;
    json_decref(w);
    if (!wtext)
        failed = 1;
    printf("\n],\n\"wave\": %s\n}\n", wtext ? wtext : "null");
    free(wtext);
    return failed || fflush(stdout) != 0 ? -1 : 0;
}

int cmd_survey_score(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "wave code", NULL, 0},
        {"center", 1, "only this center (the averages still use every center)", NULL, 0},
        {"k", 1, "raise the anonymity threshold for this output (never below the installation's)",
         NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = k_opt(cmd, o, n)))
        return rc;
    struct cli_survey w;
    struct survey_layout_store st;
    struct survey_layout L;
    struct survey_rules R;
    if ((rc = cli_survey_load_all(cmd, o, n, &w, &st, &L)))
        return rc;
    const char *only = cli_get(o, n, "center");
    struct org_center c;
    if ((rc = cli_survey_rules(cmd, o, n, w.s, &R)) ||
        (only && (rc = center_opt(cmd, w.s, only, &c)))) {
        cli_survey_release(&w);
        return rc;
    }
    if (!only && cli_flag(o, n, "json")) {
        survey_scorer *sc = survey_scorer_new(&L, w.centers, w.ncenters, &R);
        rc = sc ? print_score_stream(sc, w.ncenters, w.wave) : -1;
        survey_scorer_free(sc);
        cli_survey_release(&w);
        return rc ? cli_fail(cmd, EXIT_FAIL, "out of memory or output failed") : EXIT_OK;
    }
    json_t *j = survey_score_json(&L, w.centers, w.ncenters, only, &R);
    if (!j) {
        cli_survey_release(&w);
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    }
    json_object_set_new(j, "wave", json_string(w.wave));
    if (cli_flag(o, n, "json")) {
        cli_survey_release(&w);
        return cli_print_json(j);
    }
    size_t i;
    json_t *ce;
    json_array_foreach(json_object_get(j, "centers"), i, ce)
    {
        printf("%s  回答 %lld 人%s\n", json_string_value(json_object_get(ce, "center")),
               (long long)json_integer_value(json_object_get(ce, "respondents")),
               json_is_true(json_object_get(ce, "suppressed")) ? " (少人数のため非表示)" : "");
        printf("  %-22s %7s %7s %7s\n", "要素", "TOP3", "他C平均", "HPB");
        for (int e = 0; e < survey_nelements(w.q); e++) {
            json_t *el =
                json_object_get(json_object_get(ce, "elements"), survey_element_code(w.q, e));
            printf("  %-20s", survey_element_name(w.q, e));
            print_percent(json_object_get(el, "top3"));
            print_percent(json_object_get(el, "others_avg"));
            print_percent(json_object_get(el, "hpb"));
            printf("\n");
        }
    }
    json_decref(j);
    cli_survey_release(&w);
    return EXIT_OK;
}

int cmd_survey_rank(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "wave code", NULL, 0},
        {"k", 1, "raise the anonymity threshold for this output (never below the installation's)",
         NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = k_opt(cmd, o, n)))
        return rc;
    struct cli_survey w;
    struct survey_layout_store st;
    struct survey_layout L;
    struct survey_rules R;
    if ((rc = cli_survey_load_all(cmd, o, n, &w, &st, &L)))
        return rc;
    if ((rc = cli_survey_rules(cmd, o, n, w.s, &R))) {
        cli_survey_release(&w);
        return rc;
    }
    json_t *j = survey_rank_json(&L, w.centers, w.ncenters, &R);
    if (!j) {
        cli_survey_release(&w);
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    }
    json_object_set_new(j, "wave", json_string(w.wave));
    cli_survey_release(&w);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "entries"), i, e)
    {
        json_t *div = json_object_get(e, "division"), *rank = json_object_get(e, "rank");
        printf("  %-8s 部門 %-2s %s", json_string_value(json_object_get(e, "center")),
               json_is_string(div) ? json_string_value(div) : "-",
               json_is_integer(rank) ? "" : "対象外");
        if (json_is_integer(rank))
            printf("%lld 位", (long long)json_integer_value(rank));
        print_percent(json_object_get(e, "score"));
        size_t r;
        json_t *why;
        json_array_foreach(json_object_get(e, "reasons"), r, why)
            printf(" %s", json_string_value(why));
        printf("\n");
    }
    json_decref(j);
    return EXIT_OK;
}

/* ---- survey drivers and survey compare ---- */

static void print_num(json_t *v, const char *fmt)
{
    if (json_is_number(v))
        printf(fmt, json_number_value(v));
    else
        printf(" %7s", "—");
}

static void print_drivers(json_t *j)
{
    printf("%s %s  O01 との相関 (Spearman)\n", json_string_value(json_object_get(j, "wave")),
           json_string_value(json_object_get(j, "center")));
    printf("  %-6s %7s %5s %7s %7s %7s %7s  %s\n", "item", "rho", "n", "p", "p_adj", "TOP3",
           "他C平均", "優先");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "items"), i, v)
    {
        json_t *n = json_object_get(v, "n");
        printf("  %-6s", json_string_value(json_object_get(v, "item")));
        print_num(json_object_get(v, "rho"), " %7.3f");
        printf(" %5lld", json_is_integer(n) ? (long long)json_integer_value(n) : 0LL);
        print_num(json_object_get(v, "p"), " %7.4f");
        print_num(json_object_get(v, "p_adj"), " %7.4f");
        print_percent(json_object_get(v, "top3"));
        print_percent(json_object_get(v, "others_avg"));
        printf("  %s\n", json_is_true(json_object_get(v, "priority")) ? "★" : "");
    }
    const char *el;
    json_object_foreach(json_object_get(j, "alpha"), el, v)
    {
        printf("  alpha %-12s", el);
        print_num(v, " %7.3f");
        printf("\n");
    }
}

int cmd_survey_drivers(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "wave code", NULL, 0},
        {"center", 1, "the center (the other-center average still uses every center)", NULL, 0},
        {"k", 1, "raise the anonymity threshold for this output (never below the installation's)",
         NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = k_opt(cmd, o, n)))
        return rc;
    const char *center = cli_get(o, n, "center");
    if (!center)
        return cli_fail(cmd, EXIT_USAGE, "option \"--center\" is required");
    struct cli_survey w;
    struct survey_layout_store st;
    struct survey_layout L;
    if ((rc = cli_survey_load_all(cmd, o, n, &w, &st, &L)))
        return rc;
    struct org_center c;
    struct survey_rules R;
    if ((rc = center_opt(cmd, w.s, center, &c)) || (rc = cli_survey_rules(cmd, o, n, w.s, &R))) {
        cli_survey_release(&w);
        return rc;
    }
    json_t *j = survey_drivers_json(&L, w.centers, w.ncenters, c.code, R.k);
    cli_survey_release(&w);
    if (!j)
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    json_object_set_new(j, "wave", json_string(cli_get(o, n, "wave")));
    json_object_set_new(j, "center", json_string(c.code));
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    print_drivers(j);
    json_decref(j);
    return EXIT_OK;
}

/* One wave of one center for compare: --center and the wave given by which, "--from" or "--to". */
static int load_side(const struct cli_cmd *cmd, const struct cli_opt *o, int n, const char *which,
                     struct cli_survey *w, struct survey_layout_store *st, struct survey_layout *L)
{
    const char *wave = cli_get(o, n, which + 2);
    if (!wave)
        return cli_fail(cmd, EXIT_USAGE, "option \"%s\" is required", which);
    struct cli_opt one[] = {
        {"db", 1, "", cli_get(o, n, "db"), cli_get(o, n, "db") != NULL},
        {"wave", 1, "", wave, 1},
        {"center", 1, "", cli_get(o, n, "center"), 1},
    };
    int rc = survey_load_opt(cmd, one, (int)ARRAY_LEN(one), 0, which, w);
    if (rc)
        return rc;
    if (survey_layout_build(w->q, st, L)) {
        cli_survey_release(w);
        return cli_fail(cmd, EXIT_FAIL, "wave \"%s\": the questionnaire has no scale items", wave);
    }
    return 0;
}

static void print_compare(json_t *j)
{
    printf("%s  %s → %s\n", json_string_value(json_object_get(j, "center")),
           json_string_value(json_object_get(j, "from")),
           json_string_value(json_object_get(j, "to")));
    printf("  %-6s %7s %7s %8s %7s %7s\n", "item", "from", "to", "差(pt)", "p", "p_holm");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "items"), i, v)
    {
        printf("  %-6s", json_string_value(json_object_get(v, "item")));
        print_percent(json_object_get(v, "top3_from"));
        print_percent(json_object_get(v, "top3_to"));
        print_num(json_object_get(v, "diff_points"), " %+7.1f");
        print_num(json_object_get(v, "p"), " %7.4f");
        print_num(json_object_get(v, "p_holm"), " %7.4f");
        printf("%s\n", json_is_true(json_object_get(v, "significant")) ? "  *" : "");
    }
}

int cmd_survey_compare(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "the center", NULL, 0},
        {"from", 1, "the earlier wave", NULL, 0},
        {"to", 1, "the later wave (a pulse wave may ask only some of the items)", NULL, 0},
        {"k", 1, "raise the anonymity threshold for this output (never below the installation's)",
         NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = k_opt(cmd, o, n)))
        return rc;
    if (!cli_get(o, n, "center"))
        return cli_fail(cmd, EXIT_USAGE, "option \"--center\" is required");
    struct cli_survey a, b;
    struct survey_layout_store sa, sb;
    struct survey_layout La, Lb;
    if ((rc = load_side(cmd, o, n, "--from", &a, &sa, &La)))
        return rc;
    struct survey_rules R;
    if ((rc = load_side(cmd, o, n, "--to", &b, &sb, &Lb))) {
        cli_survey_release(&a);
        return rc;
    }
    if ((rc = cli_survey_rules(cmd, o, n, a.s, &R))) {
        cli_survey_release(&a);
        cli_survey_release(&b);
        return rc;
    }
    /* With --center the load holds that center's block, empty when nobody answered. */
    struct survey_center_data none = {0};
    json_t *j = survey_compare_json(&La, a.ncenters ? &a.centers[0] : &none, &Lb,
                                    b.ncenters ? &b.centers[0] : &none, R.k);
    if (j)
        json_object_set_new(j, "center", json_string(cli_get(o, n, "center")));
    cli_survey_release(&a);
    cli_survey_release(&b);
    if (!j)
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    json_object_set_new(j, "from", json_string(cli_get(o, n, "from")));
    json_object_set_new(j, "to", json_string(cli_get(o, n, "to")));
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    print_compare(j);
    json_decref(j);
    return EXIT_OK;
}

/* ---- survey link, publish, settings ---- */

/* The store, --wave's id and --center for commands that act on one wave and center; on failure
 * the error is printed and nothing is left open. */
static int wave_center_opt(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store **out,
                           int64_t *wave_id, struct org_center *c)
{
    if (!cli_get(o, n, "wave") || !cli_get(o, n, "center"))
        return cli_fail(cmd, EXIT_USAGE, "options \"--wave\" and \"--center\" are required");
    store *s = NULL;
    int rc = cli_open_store(cmd, o, n, &s);
    if (rc)
        return rc;
    survey_questionnaire *q = NULL;
    if ((rc = open_wave(cmd, s, cli_get(o, n, "wave"), wave_id, &q)) ||
        (rc = center_opt(cmd, s, cli_get(o, n, "center"), c))) {
        survey_questionnaire_free(q);
        store_free(s);
        return rc;
    }
    survey_questionnaire_free(q);
    *out = s;
    return 0;
}

static void print_publication(const char *center, const struct survey_publication *pub)
{
    if (!pub->published)
        printf("%s: results not updated: %s\n", center, pub->why);
    else if (pub->added)
        printf("%s: published %lld new answers (publication %lld)\n", center, (long long)pub->added,
               (long long)pub->seq);
    else
        printf("%s: no new answers to publish\n", center);
}

int cmd_survey_publish(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "wave code", NULL, 0},
        {"center", 1, "the center whose waiting answers go out", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    store *s = NULL;
    int64_t wave_id;
    struct org_center c;
    struct survey_publication pub;
    if ((rc = wave_center_opt(cmd, o, n, &s, &wave_id, &c)))
        return rc;
    rc = survey_publish(s, wave_id, c.id, c.code, "manual", "cli", "", &pub);
    rc = rc ? cli_store_fail(cmd, s, rc, "publication") : 0;
    store_free(s);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(survey_publication_json(&pub));
    print_publication(c.code, &pub);
    return EXIT_OK;
}

int cmd_survey_settings(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"k", 1, "least group that shows figures (3–1000, default 5)", NULL, 0},
        {"k-comments", 1, "least group that shows comment terms (3–1000, default 10)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int64_t k = 0, kc = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if ((cli_get(o, n, "k") && (rc = cli_int(cmd, o, n, "k", SURVEY_K_MIN, SURVEY_K_MAX, &k))) ||
        (cli_get(o, n, "k-comments") &&
         (rc = cli_int(cmd, o, n, "k-comments", SURVEY_K_MIN, SURVEY_K_MAX, &kc))))
        return rc;
    store *s = NULL;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    struct survey_rules R;
    int k_comments = 0;
    if ((k || kc) && (rc = survey_settings_set(s, (int)k, (int)kc, "cli", "")) == STORE_OK)
        rc = STORE_OK;
    if (rc == STORE_OK && (rc = survey_rules_load(s, 0, &R)) == STORE_OK)
        rc = survey_k_comments_load(s, 0, &k_comments);
    rc = rc ? cli_store_fail(cmd, s, rc, "settings") : 0;
    store_free(s);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(json_pack("{s:i, s:i, s:i, s:i}", "k", R.k, "k_comments", k_comments,
                                        "bench_min_centers", R.bench_min, "hpb_min_centers",
                                        R.hpb_min));
    printf("k %d (comments %d); other-center average from %d centers, HPB from %d\n", R.k,
           k_comments, R.bench_min, R.hpb_min);
    return EXIT_OK;
}

/* ---- survey link ---- */

int cmd_survey_link(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "wave code", NULL, 0},
        {"center", 1, "the center whose staff answer through the link", NULL, 0},
        {"close", 0, "close the link: no more answers are taken", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    store *s = NULL;
    int64_t wave_id;
    struct org_center c;
    if ((rc = wave_center_opt(cmd, o, n, &s, &wave_id, &c)))
        return rc;
    struct store_survey_link l = {0};
    int closing = cli_flag(o, n, "close");
    struct survey_publication pub = {0};
    if (closing) {
        rc = survey_link_close(s, wave_id, &c, cli_get(o, n, "wave"), "cli", "", &pub);
    } else {
        char token[ORG_TOKEN_LEN + 1], unused[ORG_TOKEN_HASH];
        org_token_new(token, unused);
        rc = store_survey_link_open(s, wave_id, c.id, token, now_unix(), &l);
    }
    if (rc) {
        rc = rc == STORE_NOTFOUND ? cli_fail(cmd, EXIT_USAGE,
                                             "no open link for wave \"%s\" and "
                                             "center \"%s\"",
                                             cli_get(o, n, "wave"), c.code)
                                  : cli_store_fail(cmd, s, rc, "link");
        store_free(s);
        return rc;
    }
    char url[SURVEY_URL_MAX];
    if (!closing && (rc = survey_link_url(s, l.token, url, sizeof url))) {
        rc = cli_store_fail(cmd, s, rc, "setting");
        store_free(s);
        return rc;
    }
    store_free(s);
    if (closing) {
        if (cli_flag(o, n, "json"))
            return cli_print_json(json_pack("{s:s,s:s,s:b}", "wave", cli_get(o, n, "wave"),
                                            "center", c.code, "open", 0));
        printf("closed the link of %s %s\n", cli_get(o, n, "wave"), c.code);
        return EXIT_OK;
    }
    char path[160];
    snprintf(path, sizeof path, "/api/v1/collect/%s", l.token);
    if (cli_flag(o, n, "json"))
        return cli_print_json(json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "wave", l.wave, "center",
                                        l.center, "token", l.token, "path", path, "url", url,
                                        "open", 1));
    if (url[0] == '/')
        printf("%s %s: the answer form is at %s on the server's address (start ikiiki serve with "
               "--public-url to print the full URL)\n",
               l.wave, l.center, url);
    else
        printf("%s %s: the answer form is at %s\n", l.wave, l.center, url);
    return EXIT_OK;
}
