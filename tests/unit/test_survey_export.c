/* survey/export: the 診断結果一覧 of a hand-made score — the CSV text exactly (BOM, header, "—",
 * quoting, one-decimal percents, CP932 bytes, a cell CP932 cannot hold) and the XLSX read back
 * with libzip (sheet name, strings, a below-average cell styled apart, the frozen header). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "survey/export.h"
#include "testutil.h"
#include "survey/survey.h"

/* The smallest questionnaire the loader takes: one item per group. G01's text needs quoting. */
static const char questionnaire_json[] =
    "{\"scale\":{\"points\":6,\"labels\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]},"
    "\"elements\":["
    "{\"code\":\"growth\",\"name\":\"学びと成長\",\"items\":[{\"id\":\"G01\",\"text\":"
    "\"よい職場, \\\"です\\\"\"}]},"
    "{\"code\":\"recognition\",\"name\":\"認め合い\",\"items\":[{\"id\":\"R01\",\"text\":"
    "\"互いに認め合う\"}]},"
    "{\"code\":\"team\",\"name\":\"チーム力\",\"items\":[{\"id\":\"T01\",\"text\":\"助け合う\"}]},"
    "{\"code\":\"agency\",\"name\":\"能力の発揮\",\"items\":[{\"id\":\"A01\",\"text\":\"a\"}]},"
    "{\"code\":\"trust\",\"name\":\"会社との信頼関係\",\"items\":[{\"id\":\"C01\",\"text\":\"c\"}]}"
    ","
    "{\"code\":\"workplace\",\"name\":\"健全な職場\",\"items\":[{\"id\":\"W01\",\"text\":\"w\"}]},"
    "{\"code\":\"worklife\",\"name\":\"ワークライフサイクル\",\"items\":[{\"id\":\"L01\",\"text\":"
    "\"l\"}]}],"
    "\"overall\":{\"code\":\"overall\",\"name\":\"グッドワークライフ\",\"items\":[{\"id\":\"O01\","
    "\"text\":\"o\"}]},"
    "\"happiness\":{\"code\":\"happiness\",\"name\":\"主観的幸福度\",\"items\":[{\"id\":\"H01\","
    "\"text\":\"h\"}]}}";

/* G01 is above the other-center average, R01's total and 正社員 are below it, 契約社員 is
 * suppressed (3 respondents), everything else has no figures. */
static const char score_json[] =
    "{\"center\":\"TKY\",\"respondents\":12,\"suppressed\":false,"
    "\"items\":{\"G01\":{\"top3\":0.725,\"mean\":4.1,\"n\":12,\"ci_low\":0.5,\"ci_high\":0.9,"
    "\"others_avg\":0.6,\"hpb\":0.8},"
    "\"R01\":{\"top3\":0.5,\"mean\":3.5,\"n\":12,\"ci_low\":0.3,\"ci_high\":0.7,"
    "\"others_avg\":0.625,\"hpb\":0.75}},"
    "\"elements\":{\"growth\":{\"top3\":0.725,\"n\":12,\"others_avg\":0.6,\"hpb\":0.8}},"
    "\"groups\":{\"position\":{},\"segment\":{"
    "\"契約社員\":{\"respondents\":3,\"suppressed\":true,\"items\":{\"G01\":{\"top3\":null},"
    "\"R01\":{\"top3\":null}},\"elements\":{\"growth\":{\"top3\":null}}},"
    "\"正社員\":{\"respondents\":9,\"suppressed\":false,\"items\":{\"G01\":{\"top3\":0.7777778},"
    "\"R01\":{\"top3\":0.4}},\"elements\":{\"growth\":{\"top3\":0.7777778}}}},"
    "\"team\":null,\"tenure\":null}}";

static const char want_csv[] = "\xEF\xBB\xBF"
                               "ID,要素,設問,全体,契約社員,正社員,他センター平均,HPB\r\n"
                               "G01,学びと成長,\"よい職場, \"\"です\"\"\",72.5,—,77.8,60.0,80.0\r\n"
                               "R01,認め合い,互いに認め合う,50.0,—,40.0,62.5,75.0\r\n"
                               "T01,チーム力,助け合う,—,—,—,—,—\r\n"
                               "A01,能力の発揮,a,—,—,—,—,—\r\n"
                               "C01,会社との信頼関係,c,—,—,—,—,—\r\n"
                               "W01,健全な職場,w,—,—,—,—,—\r\n"
                               "L01,ワークライフサイクル,l,—,—,—,—,—\r\n"
                               "O01,グッドワークライフ,o,—,—,—,—,—\r\n"
                               "H01,主観的幸福度,h,—,—,—,—,—\r\n"
                               "growth,学びと成長,要素スコア（合算）,72.5,—,77.8,60.0,80.0\r\n"
                               "recognition,認め合い,要素スコア（合算）,—,—,—,—,—\r\n"
                               "team,チーム力,要素スコア（合算）,—,—,—,—,—\r\n"
                               "agency,能力の発揮,要素スコア（合算）,—,—,—,—,—\r\n"
                               "trust,会社との信頼関係,要素スコア（合算）,—,—,—,—,—\r\n"
                               "workplace,健全な職場,要素スコア（合算）,—,—,—,—,—\r\n"
                               "worklife,ワークライフサイクル,要素スコア（合算）,—,—,—,—,—\r\n";

struct fixture {
    survey_questionnaire *q;
    json_t *center;
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[300];
    json_t *root = json_loads(questionnaire_json, 0, NULL);
    assert_non_null(root);
    assert_int_equal(survey_questionnaire_from_json(root, &f->q, err, sizeof err), 0);
    json_decref(root);
    f->center = json_loads(score_json, 0, NULL);
    assert_non_null(f->center);
    snprintf(f->dir, sizeof f->dir, "/tmp/ikiiki-export-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    json_decref(f->center);
    survey_questionnaire_free(f->q);
    free(f);
    return 0;
}

/* The whole file; *len receives its size. The caller frees. */
static char *slurp(const char *path, size_t *len)
{
    char *b = tu_read_file(path, len);
    assert_non_null(b);
    return b;
}

/* Only the file itself is in the folder: no temporary file was left behind. */
static int files_in(const char *dir)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", dir);
    return system(cmd) == 0;
}

static void test_csv_utf8(void **state)
{
    struct fixture *f = *state;
    char err[300] = "";
    snprintf(f->path, sizeof f->path, "%s/out.csv", f->dir);
    int rc = survey_export_csv(f->q, f->center, f->path, SURVEY_EXPORT_UTF8, err, sizeof err);
    if (rc)
        fail_msg("export: %d %s", rc, err);
    size_t len;
    char *got = slurp(f->path, &len);
    assert_int_equal(len, strlen(want_csv));
    assert_string_equal(got, want_csv);
    free(got);
    assert_true(files_in(f->dir));
}

static void test_csv_cp932(void **state)
{
    struct fixture *f = *state;
    char err[300] = "";
    snprintf(f->path, sizeof f->path, "%s/out.csv", f->dir);
    int rc = survey_export_csv(f->q, f->center, f->path, SURVEY_EXPORT_CP932, err, sizeof err);
    if (rc)
        fail_msg("export: %d %s", rc, err);
    size_t len;
    char *got = slurp(f->path, &len);
    /* No BOM; 要素 = 97 76 91 66, 全体 = 91 53 91 cc, 契約社員 = 8c 5f 96 f1 8e d0 88 f5. */
    static const char head[] = "ID,\x97\x76\x91\x66,\x90\xdd\x96\xe2,\x91\x53\x91\xcc,"
                               "\x8c\x5f\x96\xf1\x8e\xd0\x88\xf5,";
    assert_true(len > sizeof head);
    assert_memory_equal(got, head, sizeof head - 1);
    /* "—" is 81 5C in CP932. */
    assert_non_null(strstr(got, "72.5,\x81\x5c,77.8"));
    free(got);
}

static void test_csv_cp932_unrepresentable(void **state)
{
    struct fixture *f = *state;
    char err[300] = "";
    json_t *c = json_deep_copy(f->center);
    json_t *seg = json_object_get(json_object_get(c, "groups"), "segment");
    json_object_set(seg, "派遣\xF0\x9F\x98\x80", json_object_get(seg, "正社員"));
    snprintf(f->path, sizeof f->path, "%s/bad.csv", f->dir);
    int rc = survey_export_csv(f->q, c, f->path, SURVEY_EXPORT_CP932, err, sizeof err);
    assert_int_equal(rc, SURVEY_EXPORT_ENCODING);
    assert_non_null(strstr(err, "row \"header\", column \"派遣\xF0\x9F\x98\x80\""));
    assert_int_equal(access(f->path, F_OK), -1);
    /* Nothing at all is left in the folder (the temporary file is gone). */
    char cmd[200];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", f->dir);
    assert_int_equal(system(cmd), 0);
    json_decref(c);
}

static void test_unwritable(void **state)
{
    struct fixture *f = *state;
    char err[300] = "";
    assert_int_equal(survey_export_csv(f->q, f->center, "/nonexistent-dir/x.csv",
                                       SURVEY_EXPORT_UTF8, err, sizeof err),
                     SURVEY_EXPORT_EIO);
    assert_non_null(strstr(err, "/nonexistent-dir/x.csv"));
    assert_int_equal(
        survey_export_xlsx(f->q, f->center, "/nonexistent-dir/x.xlsx", err, sizeof err),
        SURVEY_EXPORT_EIO);
}

/* One member of the zip archive as a NUL-terminated string. The caller frees. */
static char *zip_member(zip_t *z, const char *name)
{
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) != 0)
        fail_msg("no %s in the workbook", name);
    zip_file_t *zf = zip_fopen(z, name, 0);
    assert_non_null(zf);
    char *buf = malloc(st.size + 1);
    assert_int_equal(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
    buf[st.size] = '\0';
    zip_fclose(zf);
    return buf;
}

/* The style index (s="…") of cell ref ("D2") in the sheet XML; -1 when it has none. */
static int cell_style(const char *sheet, const char *ref)
{
    char needle[32];
    snprintf(needle, sizeof needle, "<c r=\"%s\"", ref);
    const char *p = strstr(sheet, needle);
    if (!p)
        fail_msg("no cell %s", ref);
    const char *end = strchr(p, '>');
    const char *s = strstr(p, " s=\"");
    return s && s < end ? (int)strtol(s + 4, NULL, 10) : -1;
}

static void test_xlsx(void **state)
{
    struct fixture *f = *state;
    char err[300] = "";
    snprintf(f->path, sizeof f->path, "%s/out.xlsx", f->dir);
    int rc = survey_export_xlsx(f->q, f->center, f->path, err, sizeof err);
    if (rc)
        fail_msg("export: %d %s", rc, err);
    assert_true(files_in(f->dir));
    int zerr;
    zip_t *z = zip_open(f->path, ZIP_RDONLY, &zerr);
    assert_non_null(z);
    char *wb = zip_member(z, "xl/workbook.xml");
    char *strings = zip_member(z, "xl/sharedStrings.xml");
    char *sheet = zip_member(z, "xl/worksheets/sheet1.xml");
    zip_close(z);
    assert_non_null(strstr(wb, "診断結果一覧"));
    static const char *const texts[] = {"—",        "G01",    "他センター平均",     "HPB",
                                        "契約社員", "正社員", "要素スコア（合算）", "学びと成長"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (!strstr(strings, texts[i]))
            fail_msg("\"%s\" not among the shared strings", texts[i]);
    /* Header frozen. */
    assert_non_null(strstr(sheet, "ySplit=\"1\""));
    /* D2 = G01 total (above), D3 = R01 total (below), F3 = R01 正社員 (below), G3 = R01's
     * other-center average (never marked). */
    int above = cell_style(sheet, "D2"), below = cell_style(sheet, "D3");
    assert_true(above >= 0 && below >= 0);
    assert_int_not_equal(above, below);
    assert_int_equal(cell_style(sheet, "F3"), below);
    assert_int_equal(cell_style(sheet, "F2"), above);
    assert_int_equal(cell_style(sheet, "G3"), above);
    /* A percent is written as a number: G01's total is 0.725. */
    assert_non_null(strstr(sheet, "<v>0.725</v>"));
    free(wb);
    free(strings);
    free(sheet);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_cp932, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_cp932_unrepresentable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
