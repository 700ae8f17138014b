/* ikiiki survey comments: what the free comments of one center say — top terms, co-occurring
 * pairs, terms per group, and the comments that speak of harassment or fear of customers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_survey.h"
#include "core/util.h"
#include "survey/wave.h"
#include "survey/survey.h"

static void print_terms(const char *title, json_t *terms)
{
    printf("%s:", title);
    if (!json_is_array(terms) || json_array_size(terms) == 0) {
        printf(" —\n");
        return;
    }
    size_t i;
    json_t *t;
    json_array_foreach(terms, i, t)
    {
        printf("%s %s(%lld)", i ? "," : "", json_string_value(json_object_get(t, "term")),
               (long long)json_integer_value(json_object_get(t, "count")));
    }
    printf("\n");
}

static void print_comments(json_t *j, int k)
{
    printf("%s %s: 回答 %lld 人、自由記述 %lld 件\n", json_string_value(json_object_get(j, "wave")),
           json_string_value(json_object_get(j, "center")),
           (long long)json_integer_value(json_object_get(j, "respondents")),
           (long long)json_integer_value(json_object_get(j, "comments")));
    if (json_is_true(json_object_get(j, "suppressed"))) {
        printf("回答者が %d 人未満のため、自由記述は表示しません (要確認のコメント %lld 件)\n", k,
               (long long)json_integer_value(json_object_get(j, "alert_count")));
        return;
    }
    print_terms("よく出る語", json_object_get(j, "terms"));
    json_t *pairs = json_object_get(j, "pairs"), *p;
    size_t i;
    printf("一緒に出る語:");
    json_array_foreach(pairs, i, p)
    {
        json_t *t = json_object_get(p, "terms");
        printf("%s %s+%s(%lld)", i ? "," : "", json_string_value(json_array_get(t, 0)),
               json_string_value(json_array_get(t, 1)),
               (long long)json_integer_value(json_object_get(p, "docs")));
    }
    printf("%s\n", json_array_size(pairs) ? "" : " —");
    json_t *alerts = json_object_get(j, "alerts"), *a;
    printf("要確認のコメント (カスハラ・お客様への不安): %zu 件\n", json_array_size(alerts));
    json_array_foreach(alerts, i, a)
    {
        printf("  [%s] %s\n",
               strcmp(json_string_value(json_object_get(a, "kind")), "fear") == 0 ? "不安"
                                                                                  : "カスハラ",
               json_string_value(json_object_get(a, "text")));
    }
}

int cmd_survey_comments(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"wave", 1, "wave code", NULL, 0},
        {"center", 1, "the center", NULL, 0},
        {"k", 1, "raise the least group that shows comments (never below the installation's 10)",
         NULL, 0},
        {"words", 1, "word list (default data/survey/comment_words.tsv)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t k = 0;
    if (cli_get(o, n, "k") && (rc = cli_int(cmd, o, n, "k", 1, SURVEY_K_MAX, &k)))
        return rc;
    if (!cli_get(o, n, "wave") || !cli_get(o, n, "center"))
        return cli_fail(cmd, EXIT_USAGE, "options \"--wave\" and \"--center\" are required");
    /* The wave and center first, so a wrong code is reported as such. */
    struct cli_survey w;
    if ((rc = cli_survey_load(cmd, o, n, 0, &w)))
        return rc;
    char err[600];
    int bad = 0;
    int64_t center_id = w.data.n ? w.data.centers[0].center_id : 0;
    json_t *j = survey_center_comments(w.s, w.wave_id, center_id, survey_nitems(w.q), (int)k,
                                       cli_get(o, n, "words"), &bad, err, sizeof err);
    if (j) {
        json_object_set_new(j, "wave", json_string(w.wave));
        json_object_set_new(j, "center", json_string(w.data.centers[0].d.center));
    }
    cli_survey_release(&w);
    if (!j)
        return cli_fail(cmd, bad ? EXIT_USAGE : EXIT_FAIL, "%s", err);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    print_comments(j, (int)json_integer_value(json_object_get(j, "k")));
    json_decref(j);
    return EXIT_OK;
}
