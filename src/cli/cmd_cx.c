/* ikiiki cx sheet|check|history|checkpoint: 顧客接点力診断, the customer-contact self-diagnosis. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/util.h"
#include "cx/cx.h"
#include "svc/svc_cx.h"

static int load_sheet(const struct cli_cmd *cmd, const char *path, cx_sheet **out)
{
    char def[512], err[600];
    if (!path) {
        if (data_path("cx/sheet.json", def, sizeof def))
            return cli_fail(cmd, EXIT_FAIL, "data folder path too long");
        path = def;
    }
    if (cx_sheet_load(path, out, err, sizeof err))
        return cli_fail(cmd, path == def ? EXIT_FAIL : EXIT_USAGE, "--sheet: %s", err);
    return 0;
}

/* Opens the store and finds the company named by --company. */
static int open_company(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store **s,
                        struct org_company *co)
{
    const char *code = cli_get(o, n, "company");
    char err[256];
    if (org_check_code("--company", code, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    int rc = cli_open_store(cmd, o, n, s);
    if (rc)
        return rc;
    struct org_principal p;
    struct svc x;
    rc = svc_cx_company(cli_svc(*s, &p, &x), code, co);
    if (rc) {
        snprintf(err, sizeof err, "--company: company \"%s\"", code);
        rc = cli_store_fail(cmd, *s, rc, err);
        store_free(*s);
        *s = NULL;
    }
    return rc;
}

static void print_result(const cx_sheet *sh, json_t *j)
{
    (void)sh;
    size_t i;
    json_t *v;
    printf("総合レベル %lld %s (%s)\n",
           (long long)json_integer_value(json_object_get(j, "overall")),
           json_string_value(json_object_get(j, "stage")),
           json_string_value(json_object_get(j, "stage_en")));
    printf("  %s\n\n",
           json_string_value(json_object_get(json_object_get(j, "profile"), "summary")));
    json_array_foreach(json_object_get(j, "areas"), i, v)
    {
        printf("  %-14s レベル %lld  %s\n", json_string_value(json_object_get(v, "name")),
               (long long)json_integer_value(json_object_get(v, "level")),
               json_string_value(json_object_get(v, "description")));
    }
    printf("\n次の一歩 (弱い領域から、易しい順):\n");
    json_array_foreach(json_object_get(j, "actions"), i, v)
    {
        printf("  %zu. [%s %s] %s（%s）\n", i + 1, json_string_value(json_object_get(v, "stars")),
               json_string_value(json_object_get(v, "start_ja")),
               json_string_value(json_object_get(v, "title")),
               json_string_value(json_object_get(v, "area_name")));
    }
    static const char *const keys[] = {"m3", "m6", "m12"};
    printf("\nロードマップ:\n");
    for (size_t k = 0; k < 3; k++) {
        json_t *m = json_object_get(json_object_get(j, "roadmap"), keys[k]);
        printf("  %2lldか月: %s\n", (long long)json_integer_value(json_object_get(m, "months")),
               json_string_value(json_object_get(m, "goal")));
        json_array_foreach(json_object_get(m, "actions"), i, v)
        {
            printf("           - %s\n", json_string_value(json_object_get(v, "title")));
        }
    }
}

int cmd_cx_sheet(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"sheet", 1, "a check sheet file (default data/cx/sheet.json)", NULL, 0},
        {"json", 0, "print the sheet as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    cx_sheet *sh;
    if ((rc = load_sheet(cmd, cli_get(o, n, "sheet"), &sh)))
        return rc;
    json_t *j = cx_sheet_json(sh);
    cx_sheet_free(sh);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    printf("%s\n\n%s\n%s\n", json_string_value(json_object_get(json_object_get(j, "title"), "ja")),
           json_string_value(json_object_get(json_object_get(j, "guidance"), "ja")),
           json_string_value(json_object_get(json_object_get(j, "rule"), "ja")));
    size_t i, l;
    json_t *a, *d;
    json_array_foreach(json_object_get(j, "areas"), i, a)
    {
        printf("\n%zu. %s\n", i + 1, json_string_value(json_object_get(a, "name")));
        json_array_foreach(json_object_get(a, "levels"), l, d)
            printf("   %zu: %s\n", l, json_string_value(d));
    }
    json_decref(j);
    return EXIT_OK;
}

static int save_answer(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                       const int levels[CX_AREAS])
{
    store *s;
    struct org_company co;
    int rc = open_company(cmd, o, n, &s, &co);
    if (rc)
        return rc;
    struct cx_answer a = {.taken_at = now_unix()};
    memcpy(a.levels, levels, sizeof a.levels);
    const char *round = cli_get(o, n, "round"), *who = cli_get(o, n, "respondent");
    char err[256];
    if (round && org_check_code("--round", round, err, sizeof err)) {
        store_free(s);
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    }
    if (who && org_check_name("--respondent", who, err, sizeof err)) {
        store_free(s);
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    }
    if (round) {
        str_copy(a.round, sizeof a.round, round);
    } else {
        /* Staff answering in the same month are compared with each other by default. */
        time_t t = (time_t)a.taken_at;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(a.round, sizeof a.round, "%Y-%m", &tm);
    }
    str_copy(a.respondent, sizeof a.respondent, who ? who : "");
    struct org_principal p;
    struct svc x;
    rc = svc_cx_answer_add(cli_svc(s, &p, &x), &co, &a);
    if (rc)
        rc = cli_store_fail(cmd, s, rc, "answer");
    store_free(s);
    return rc;
}

int cmd_cx_check(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"areas", 1, "levels 0–3 for 顧客の理解,体験の提供,改善への活用,組織の意識 (e.g. 1,2,1,0)",
         NULL, 0},
        {"company", 1, "save the answer in this company's history", NULL, 0},
        {"round", 1, "with --company: the round compared across staff (default: this month)", NULL,
         0},
        {"respondent", 1, "with --company: who answered", NULL, 0},
        {"sheet", 1, "a check sheet file (default data/cx/sheet.json)", NULL, 0},
        {"db", 1, "database URL (with --company)", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char err[300];
    int levels[CX_AREAS];
    if (!cli_get(o, n, "areas"))
        return cli_fail(cmd, EXIT_USAGE, "option \"--areas\" is required (e.g. --areas 1,2,1,0)");
    if (cx_parse_levels(cli_get(o, n, "areas"), levels, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    if (!cli_get(o, n, "company") && (cli_get(o, n, "round") || cli_get(o, n, "respondent")))
        return cli_fail(cmd, EXIT_USAGE, "--round and --respondent need --company");
    cx_sheet *sh;
    if ((rc = load_sheet(cmd, cli_get(o, n, "sheet"), &sh)))
        return rc;
    if (cli_get(o, n, "company") && (rc = save_answer(cmd, o, n, levels))) {
        cx_sheet_free(sh);
        return rc;
    }
    struct cx_result r;
    cx_diagnose(sh, levels, &r);
    json_t *j = cx_result_json(sh, &r);
    if (cli_flag(o, n, "json")) {
        cx_sheet_free(sh);
        return cli_print_json(j);
    }
    print_result(sh, j);
    json_decref(j);
    cx_sheet_free(sh);
    return EXIT_OK;
}

/* The checkpoints by code; takes cp (n entries) and frees it. */
static json_t *checkpoints_json(struct store_cx_checkpoint *cp, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *arr = json_object_get(o, cp[i].code);
        if (!arr) {
            arr = json_array();
            json_object_set_new(o, cp[i].code, arr);
        }
        char at[32];
        time_iso8601(cp[i].at, at, sizeof at);
        json_array_append_new(arr, json_pack("{s:s, s:f}", "at", at, "value", cp[i].value));
    }
    free(cp);
    return o;
}

int cmd_cx_history(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"company", 1, "company code", NULL, 0},
        {"sheet", 1, "a check sheet file (default data/cx/sheet.json)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!cli_get(o, n, "company"))
        return cli_fail(cmd, EXIT_USAGE, "option \"--company\" is required");
    cx_sheet *sh;
    if ((rc = load_sheet(cmd, cli_get(o, n, "sheet"), &sh)))
        return rc;
    store *s;
    struct org_company co;
    if ((rc = open_company(cmd, o, n, &s, &co))) {
        cx_sheet_free(sh);
        return rc;
    }
    struct cx_answer *a = NULL;
    struct store_cx_checkpoint *cp = NULL;
    size_t cnt = 0, ncp = 0;
    json_t *j = NULL, *cps = NULL;
    struct org_principal p;
    struct svc x;
    rc = svc_cx_history(cli_svc(s, &p, &x), &co, &a, &cnt, &cp, &ncp);
    if (rc == 0)
        cps = checkpoints_json(cp, ncp);
    if (rc) {
        rc = cli_store_fail(cmd, s, rc, "history");
    } else {
        j = cx_history_json(sh, a, cnt);
        json_object_set_new(j, "company", json_string(co.code));
        json_object_set_new(j, "checkpoints", cps);
    }
    free(a);
    store_free(s);
    cx_sheet_free(sh);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    size_t i, k;
    json_t *r, *d;
    json_array_foreach(json_object_get(j, "rounds"), i, r)
    {
        printf("%s  回答 %lld 人  総合レベル %lld\n",
               json_string_value(json_object_get(r, "round")),
               (long long)json_integer_value(json_object_get(r, "respondents")),
               (long long)json_integer_value(json_object_get(r, "overall")));
        json_array_foreach(json_object_get(r, "disagreements"), k, d)
        {
            printf("  意見が分かれた領域: %s (レベル %lld〜%lld)\n",
                   json_string_value(json_object_get(d, "name")),
                   (long long)json_integer_value(json_object_get(d, "min")),
                   (long long)json_integer_value(json_object_get(d, "max")));
        }
    }
    json_decref(j);
    return EXIT_OK;
}

int cmd_cx_checkpoint(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"company", 1, "company code", NULL, 0},
        {"code", 1, "repeat_rate, complaint_time, complaints or staff_voice", NULL, 0},
        {"value", 1, "the measured value", NULL, 0},
        {"at", 1, "the day measured, YYYY-MM-DD (default today)", NULL, 0},
        {"sheet", 1, "a check sheet file (default data/cx/sheet.json)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *code = cli_get(o, n, "code"), *value = cli_get(o, n, "value");
    if (!cli_get(o, n, "company") || !code || !value)
        return cli_fail(cmd, EXIT_USAGE, "options --company, --code and --value are required");
    char *end = NULL;
    double v = strtod(value, &end);
    if (end == value || *end)
        return cli_fail(cmd, EXIT_USAGE, "--value: \"%.40s\" is not a number", value);
    int64_t at = now_unix();
    const char *day = cli_get(o, n, "at");
    if (day) {
        struct tm tm = {0};
        const char *rest = strptime(day, "%Y-%m-%d", &tm);
        if (!rest || *rest)
            return cli_fail(cmd, EXIT_USAGE, "--at: \"%.40s\" is not a date YYYY-MM-DD", day);
        at = (int64_t)timegm(&tm);
    }
    cx_sheet *sh;
    if ((rc = load_sheet(cmd, cli_get(o, n, "sheet"), &sh)))
        return rc;
    int known = cx_checkpoint_known(sh, code);
    cx_sheet_free(sh);
    if (!known)
        return cli_fail(cmd, EXIT_USAGE,
                        "--code: \"%.40s\" is not one of repeat_rate, complaint_time, complaints, "
                        "staff_voice",
                        code);
    store *s;
    struct org_company co;
    if ((rc = open_company(cmd, o, n, &s, &co)))
        return rc;
    struct org_principal p;
    struct svc x;
    rc = svc_cx_checkpoint_add(cli_svc(s, &p, &x), &co, code, v, at);
    if (rc)
        rc = cli_store_fail(cmd, s, rc, "checkpoint");
    store_free(s);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json"))
        return cli_print_json(json_pack("{s:s, s:s, s:f, s:I}", "company", co.code, "code", code,
                                        "value", v, "at", (json_int_t)at));
    printf("checkpoint %s = %g recorded for %s\n", code, v, co.code);
    return EXIT_OK;
}
