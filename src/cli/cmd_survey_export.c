/* ikiiki survey export: one center's 診断結果一覧 (items × total, segments, other-center average,
 * HPB) as an XLSX workbook or a CSV file. Kept apart from cmd_survey.c: it only needs the wave
 * loaded the way `survey score` loads it, then survey/export.c writes the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_survey.h"
#include "report/survey_pdf.h"
#include "survey/drivers.h"
#include "survey/wave.h"
#include "core/util.h"
#include "survey/export.h"
#include "survey/score.h"
#include "survey/survey.h"
#include "store/store_org.h"

/* Which file to write, from --xlsx, --csv and --encoding. */
struct export_target {
    const char *path;
    int xlsx;
    enum survey_export_encoding enc;
};

static int export_target(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                         struct export_target *t)
{
    const char *xlsx = cli_get(o, n, "xlsx"), *csv = cli_get(o, n, "csv");
    const char *enc = cli_get(o, n, "encoding");
    if (!xlsx == !csv)
        return cli_fail(cmd, EXIT_USAGE, "give exactly one of \"--xlsx FILE\" and \"--csv FILE\"");
    if ((xlsx && !*xlsx) || (csv && !*csv))
        return cli_fail(cmd, EXIT_USAGE, "the output file name is empty");
    if (enc && xlsx)
        return cli_fail(cmd, EXIT_USAGE, "\"--encoding\" applies only to \"--csv\"");
    t->enc = SURVEY_EXPORT_UTF8;
    if (enc && strcmp(enc, "cp932") == 0)
        t->enc = SURVEY_EXPORT_CP932;
    else if (enc && strcmp(enc, "utf8") != 0)
        return cli_fail(cmd, EXIT_USAGE, "--encoding: \"%s\" is not utf8 or cp932", enc);
    t->xlsx = xlsx != NULL;
    t->path = xlsx ? xlsx : csv;
    return 0;
}

/* Loads the wave as `survey score` does and checks --center, which export needs. */
static int export_load(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                       struct cli_survey *w, struct survey_layout_store *st,
                       struct survey_layout *L)
{
    const char *center = cli_get(o, n, "center");
    char err[200];
    if (!center)
        return cli_fail(cmd, EXIT_USAGE, "option \"--center\" is required");
    if (org_check_code("--center", center, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    int rc = cli_survey_load_all(cmd, o, n, w, st, L);
    if (rc)
        return rc;
    struct org_center c;
    if ((rc = store_center_get(w->s, center, &c))) {
        snprintf(err, sizeof err, "--center: center \"%s\"", center);
        rc = cli_store_fail(cmd, w->s, rc, err);
        cli_survey_release(w);
    }
    return rc;
}

/* The score of the one center as survey_score_json gives it, with empty figures when nobody of
 * the center answered yet. */
static json_t *center_score(const struct survey_layout *L, const struct cli_survey *w,
                            const char *center, const struct survey_rules *R, json_t **whole)
{
    *whole = survey_score_json(L, w->centers, w->ncenters, center, R);
    json_t *ce = json_array_get(json_object_get(*whole, "centers"), 0);
    if (*whole && !ce) {
        ce = json_pack("{s:s, s:i, s:b, s:{}, s:{}, s:{}}", "center", center, "respondents", 0,
                       "suppressed", 1, "items", "elements", "groups");
        json_array_append_new(json_object_get(*whole, "centers"), ce);
    }
    return ce;
}

static int export_write(const struct cli_cmd *cmd, const struct export_target *t,
                        const survey_questionnaire *q, json_t *ce)
{
    char err[700];
    int rc = t->xlsx ? survey_export_xlsx(q, ce, t->path, err, sizeof err)
                     : survey_export_csv(q, ce, t->path, t->enc, err, sizeof err);
    if (rc == SURVEY_EXPORT_ENOMEM)
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    if (rc)
        return cli_fail(cmd, rc == SURVEY_EXPORT_EINPUT ? EXIT_FAIL : EXIT_USAGE, "%s", err);
    return 0;
}

int cmd_survey_export(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "wave code", NULL, 0},
        {"center", 1, "the center (the averages still use every center)", NULL, 0},
        {"xlsx", 1, "write an Excel workbook (sheet 診断結果一覧) to FILE", NULL, 0},
        {"csv", 1, "write the same table as CSV to FILE", NULL, 0},
        {"encoding", 1, "CSV encoding: utf8 (with BOM, default) or cp932", NULL, 0},
        {"k", 1, "raise the anonymity threshold (never below the installation's)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t k = 0;
    struct export_target t = {0};
    if ((cli_get(o, n, "k") && (rc = cli_int(cmd, o, n, "k", 1, SURVEY_K_MAX, &k))) ||
        (rc = export_target(cmd, o, n, &t)))
        return rc;
    struct cli_survey w;
    struct survey_layout_store st;
    struct survey_layout L;
    struct survey_rules R;
    if ((rc = export_load(cmd, o, n, &w, &st, &L)))
        return rc;
    if ((rc = cli_survey_rules(cmd, o, n, w.s, &R))) {
        cli_survey_release(&w);
        return rc;
    }
    json_t *whole;
    json_t *ce = center_score(&L, &w, cli_get(o, n, "center"), &R, &whole);
    rc = ce ? export_write(cmd, &t, w.q, ce) : cli_fail(cmd, EXIT_FAIL, "out of memory");
    json_decref(whole);
    cli_survey_release(&w);
    if (rc == 0)
        printf("wrote %s\n", t.path);
    return rc;
}

/* ---- survey report: the PDF ---- */

int cmd_survey_report(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "wave code", NULL, 0},
        {"center", 1, "the center (the averages still use every center)", NULL, 0},
        {"pdf", 1, "write the report to FILE", NULL, 0},
        {"k", 1, "raise the anonymity threshold (never below the installation's)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t k = 0;
    const char *pdf = cli_get(o, n, "pdf");
    if (cli_get(o, n, "k") && (rc = cli_int(cmd, o, n, "k", 1, SURVEY_K_MAX, &k)))
        return rc;
    if (!pdf || !*pdf)
        return cli_fail(cmd, EXIT_USAGE, "option \"--pdf FILE\" is required");
    struct cli_survey w;
    struct survey_layout_store st;
    struct survey_layout L;
    if ((rc = export_load(cmd, o, n, &w, &st, &L)))
        return rc;
    struct org_center c;
    struct survey_rules R;
    store_center_get(w.s, cli_get(o, n, "center"), &c); /* export_load found it */
    if ((rc = cli_survey_rules(cmd, o, n, w.s, &R))) {
        cli_survey_release(&w);
        return rc;
    }
    json_t *whole;
    json_t *ce = center_score(&L, &w, c.code, &R, &whole);
    json_t *drivers = survey_drivers_json(&L, w.centers, w.ncenters, c.code, R.k);
    char day[16], err[700];
    json_t *comments = survey_center_comments(w.s, w.wave_id, c.id, survey_nitems(w.q), 0, NULL,
                                              NULL, err, sizeof err);
    date_jst(now_unix(), day, sizeof day);
    struct report_survey in = {.wave = w.wave,
                               .center = c.code,
                               .center_name = c.name,
                               .date = day,
                               .q = w.q,
                               .score = ce,
                               .drivers = drivers,
                               .comments = comments};
    rc = ce ? report_survey_pdf(&in, pdf, err, sizeof err) : -1;
    if (!ce)
        snprintf(err, sizeof err, "out of memory");
    json_decref(whole);
    json_decref(drivers);
    json_decref(comments);
    cli_survey_release(&w);
    if (rc)
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    printf("wrote %s\n", pdf);
    return EXIT_OK;
}
