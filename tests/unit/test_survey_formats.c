/* Survey import of the survey tools' exports: headers matched after NFKC and by a leading ID,
 * SurveyMonkey CSV (two header rows, matrix rows, its respondent columns dropped; UTF-8 with a
 * BOM and CP932 made here with iconv), Microsoft Forms XLSX (written here with libxlsxwriter),
 * and the XLSX reader's refusals (broken zip, no sheet, too many rows, a part over the limit, a
 * DTD). Expected answers are worked out by hand from the files in tests/data/survey-import. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "core/util.h"
#include "survey/import.h"
#include "survey/survey.h"
#include "survey/xlsx_read.h"
#include "testutil.h"

static survey_questionnaire *questionnaire(void)
{
    char path[512], err[600];
    snprintf(path, sizeof path, "%s/../../data/survey/questionnaire.json",
             getenv("IKIIKI_TEST_DATA"));
    survey_questionnaire *q = NULL;
    if (survey_questionnaire_load(path, &q, err, sizeof err))
        fail_msg("%s", err);
    return q;
}

/* A file of tests/data/survey-import, malloc'd; *len gets its size. */
static char *data_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/survey-import/%s", getenv("IKIIKI_TEST_DATA"), name);
    char *b = tu_read_file(path, len);
    if (!b)
        fail_msg("cannot open %s", path);
    return b;
}

static char *slurp(const char *path, size_t *len)
{
    char *b = tu_read_file(path, len);
    assert_non_null(b);
    return b;
}

static int item(const survey_questionnaire *q, const char *id)
{
    return survey_item_find(q, id);
}

static int warned(const struct survey_import *im, const char *needle)
{
    for (size_t i = 0; i < im->nwarnings; i++)
        if (strstr(im->warnings[i], needle))
            return 1;
    return 0;
}

/* Headers: full-width letters, half-width katakana, ideographic spaces, a leading ID. */
static void test_header_nfkc(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    static const char csv[] = "　職種　,Ｇ０１,G02. 自分の成長につながる挑戦の機会が与えられている,"
                              "【T01】なんでも,困ったときにはﾁｰﾑの仲間に気軽に助けを求められる,"
                              "［Ｈ０１］全体として,ＦＣ１,G01x,Good\n"
                              "OP,1,2,3,4,5,よい,,\n";
    struct survey_import im = {0};
    char err[600];
    /* T01 has two columns: the leading ID and the NFKC text name the same item. */
    assert_int_equal(survey_import_buffer(q, "h.csv", csv, strlen(csv), 0, &im, err, sizeof err),
                     SURVEY_IMPORT_EINPUT);
    assert_string_equal(err, "h.csv: row 1: item \"T01\" has two columns");
    static const char csv2[] =
        "　職種　,Ｇ０１,G02. 自分の成長につながる挑戦の機会が与えられている,"
        "困ったときにはﾁｰﾑの仲間に気軽に助けを求められる,"
        "［Ｈ０１］全体として,ＦＣ１,G01x,Good\n"
        "OP,1,2,4,5,よい,,\n";
    if (survey_import_buffer(q, "h.csv", csv2, strlen(csv2), 0, &im, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(im.n, 1);
    assert_int_equal(im.format, SURVEY_FORMAT_TEMPLATE);
    assert_int_equal(im.r[0].answers[item(q, "G01")], 1);
    assert_int_equal(im.r[0].answers[item(q, "G02")], 2);
    assert_int_equal(im.r[0].answers[item(q, "T01")], 4);
    assert_int_equal(im.r[0].answers[item(q, "H01")], 5);
    assert_string_equal(im.comments[0], "よい");
    /* "G01x" and "Good" are no IDs: warned about, not taken. */
    assert_true(warned(&im, "column \"G01x\" is not an item"));
    assert_true(warned(&im, "column \"Good\" is not an item"));
    survey_import_release(&im);
    survey_questionnaire_free(q);
}

static void check_surveymonkey(const survey_questionnaire *q, const struct survey_import *im)
{
    assert_int_equal(im->format, SURVEY_FORMAT_SURVEYMONKEY);
    assert_int_equal(im->xlsx, 0);
    assert_int_equal(im->n, 6);
    assert_int_equal(im->nskips, 0);
    /* G01 6 3 4 6 2 5; G02 5 6 2 6 - 1; T01 4 1 5 6 4 2; H01 6 5 4 3 4 -. */
    static const int g01[] = {6, 3, 4, 6, 2, 5}, g02[] = {5, 6, 2, 6, 0, 1},
                     t01[] = {4, 1, 5, 6, 4, 2}, h01[] = {6, 5, 4, 3, 4, 0};
    static const int pos[] = {POS_OP, POS_OP, POS_SV, POS_OP, POS_OP, POS_MGR};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(im->r[i].answers[item(q, "G01")], g01[i]);
        assert_int_equal(im->r[i].answers[item(q, "G02")], g02[i]);
        assert_int_equal(im->r[i].answers[item(q, "T01")], t01[i]);
        assert_int_equal(im->r[i].answers[item(q, "H01")], h01[i]);
        assert_int_equal(im->r[i].position, pos[i]);
        assert_string_equal(im->r[i].team, "");
    }
    assert_string_equal(im->r[2].segment, "契約社員");
    assert_string_equal(im->comments[0], "よい職場です");
    assert_string_equal(im->comments[3], "残業が多い, でも\"仲間\"がいい");
    assert_null(im->comments[1]);
    /* The metadata columns are dropped without a word; the unknown question is warned about. */
    assert_int_equal(im->nwarnings, 2);
    assert_true(warned(im, "column \"備考欄\" is not an item"));
    assert_true(warned(im, "46 of the questionnaire's 50 items have no column"));
}

static void test_surveymonkey(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    struct survey_import im = {0};
    char err[600];
    size_t len;
    /* English headers, UTF-8 with a BOM. */
    char *en = data_file("surveymonkey-en-bom.csv", &len);
    assert_memory_equal(en, "\xef\xbb\xbf", 3);
    if (survey_import_buffer(q, "sm.csv", en, len, 0, &im, err, sizeof err))
        fail_msg("%s", err);
    check_surveymonkey(q, &im);
    survey_import_release(&im);
    /* Japanese headers, made CP932 here as SurveyMonkey's Japanese export for Excel is. */
    char *ja = data_file("surveymonkey-ja.csv", &len);
    iconv_t cd = iconv_open("CP932", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t cap = len * 2 + 1, left = len, room = cap;
    char *sjis = malloc(cap), *in = ja, *o = sjis;
    assert_true(iconv(cd, &in, &left, &o, &room) != (size_t)-1);
    iconv_close(cd);
    assert_true(memcmp(sjis, ja, len) != 0);
    if (survey_import_buffer(q, "sm-ja.csv", sjis, (size_t)(o - sjis), 0, &im, err, sizeof err))
        fail_msg("%s", err);
    check_surveymonkey(q, &im);
    survey_import_release(&im);
    /* Forced as the template, the second header row is read as a respondent and fails. */
    struct survey_import_opts tmpl = {SURVEY_FORMAT_TEMPLATE, 0};
    assert_int_equal(survey_import_read(q, "sm.csv", en, len, &tmpl, &im, err, sizeof err),
                     SURVEY_IMPORT_EINPUT);
    /* A bad value: the real file row (two header rows), nothing returned. */
    char *bad = data_file("surveymonkey-bad.csv", &len);
    assert_int_equal(survey_import_buffer(q, "bad.csv", bad, len, 0, &im, err, sizeof err),
                     SURVEY_IMPORT_EINPUT);
    assert_string_equal(
        err, "bad.csv: row 5, column \"G02\": value \"7\" is not 1–6 (or a scale label)");
    assert_int_equal(im.n, 0);
    if (survey_import_buffer(q, "bad.csv", bad, len, 1, &im, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(im.n, 5);
    assert_int_equal(im.nskips, 1);
    assert_int_equal(im.skips[0].row, 5);
    assert_string_equal(im.skips[0].column, "G02");
    survey_import_release(&im);
    free(en);
    free(ja);
    free(sjis);
    free(bad);
    survey_questionnaire_free(q);
}

/* ---- Microsoft Forms XLSX, written with libxlsxwriter ---- */

#define G01_TEXT "　仕事を通じて新しい知識やスキルが身についていると感じる　"
#define G03_TEXT "G03：周りの人の仕事ぶりから学べることがたくさんある"
#define T01_TEXT "困ったときにはチームの仲間に気軽に助けを求められる"
#define H01_TEXT "全体として、今の自分は幸せだと感じる"

/* Five respondents as Forms exports them: its own columns A–F, then one per question. With bad,
 * row 4's G03 (column I) holds 7. */
static void write_forms(const char *path, int bad)
{
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Sheet1");
    static const char *const head[] = {"ID",           "開始時刻", "完了時刻", "メール", "名前",
                                       "最終変更時刻", "職種",     G01_TEXT,   G03_TEXT, T01_TEXT,
                                       H01_TEXT,       "備考",     "自由記述"};
    for (int c = 0; c < 13; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
    static const char *const pos[] = {"OP", "SV", "OP", "OP", "MGR"};
    static const char *const mail[] = {"anonymous", "taro@example.jp", "anonymous", "anonymous",
                                       "hanako@example.jp"};
    static const char *const g01[] = {"とてもそう思う", "ややそう思う", "そう思わない", NULL, "1"};
    static const char *const g03[] = {NULL, "全くそう思わない", "あまりそう思わない",
                                      "ややそう思う", "6"};
    static const double t01[] = {4, 6, 5, -1, 2};
    static const char *const h01[] = {"6", "5", "4", "3", "4"};
    static const char *const comment[] = {"よい", "", "", "一行目\n二行目", ""};
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (int i = 0; i < 5; i++) {
        lxw_row_t r = (lxw_row_t)(i + 1);
        worksheet_write_number(ws, r, 0, i + 1, NULL);
        worksheet_write_number(ws, r, 1, 46000.375 + i, NULL); /* a date, as Forms stores it */
        worksheet_write_number(ws, r, 2, 46000.380 + i, NULL);
        worksheet_write_string(ws, r, 3, mail[i], NULL);
        if (i == 1)
            worksheet_write_string(ws, r, 4, "山田 太郎", NULL);
        worksheet_write_string(ws, r, 6, pos[i], NULL);
        if (g01[i])
            worksheet_write_string(ws, r, 7, g01[i], NULL);
        else
            worksheet_write_number(ws, r, 7, 6, NULL);
        if (g03[i]) {
            worksheet_write_string(ws, r, 8, bad && i == 2 ? "7" : g03[i], NULL);
        } else {
            /* Rich text: two runs that read "そう思う" together. */
            lxw_rich_string_tuple a = {bold, "そう"}, b = {NULL, "思う"};
            lxw_rich_string_tuple *runs[] = {&a, &b, NULL};
            worksheet_write_rich_string(ws, r, 8, runs, NULL);
        }
        if (t01[i] > 0)
            worksheet_write_number(ws, r, 9, t01[i], NULL);
        worksheet_write_string(ws, r, 10, h01[i], NULL);
        if (i == 2)
            worksheet_write_string(ws, r, 11, "メモ", NULL);
        if (comment[i][0])
            worksheet_write_string(ws, r, 12, comment[i], NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void check_forms(const survey_questionnaire *q, const char *path)
{
    struct survey_import im = {0};
    char err[600];
    if (survey_import_file(q, path, 0, &im, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(im.format, SURVEY_FORMAT_FORMS);
    assert_int_equal(im.xlsx, 1);
    assert_int_equal(im.n, 5);
    /* G01 6 4 2 6 1; G03 5 1 3 4 6; T01 4 6 5 - 2; H01 6 5 4 3 4. */
    static const int g01[] = {6, 4, 2, 6, 1}, g03[] = {5, 1, 3, 4, 6}, t01[] = {4, 6, 5, 0, 2},
                     h01[] = {6, 5, 4, 3, 4};
    static const int pos[] = {POS_OP, POS_SV, POS_OP, POS_OP, POS_MGR};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(im.r[i].answers[item(q, "G01")], g01[i]);
        assert_int_equal(im.r[i].answers[item(q, "G03")], g03[i]);
        assert_int_equal(im.r[i].answers[item(q, "T01")], t01[i]);
        assert_int_equal(im.r[i].answers[item(q, "H01")], h01[i]);
        assert_int_equal(im.r[i].position, pos[i]);
    }
    assert_string_equal(im.comments[0], "よい");
    assert_string_equal(im.comments[3], "一行目\n二行目");
    assert_null(im.comments[1]);
    /* Forms' own columns A–F are dropped silently; 備考 (L) is warned about. */
    assert_int_equal(im.nwarnings, 2);
    assert_true(warned(&im, "column \"L\" (備考) is not an item"));
    survey_import_release(&im);
}

static void test_forms_xlsx(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    char path[512], badpath[512];
    assert_int_equal(tu_write_temp("forms.xlsx", "", path, sizeof path), 0);
    assert_int_equal(tu_write_temp("forms-bad.xlsx", "", badpath, sizeof badpath), 0);
    write_forms(path, 0);
    write_forms(badpath, 1);
    /* tests/data/survey-import/forms.xlsx (the CLI test's file) is this one, written by
     * IKIIKI_WRITE_FORMS_FIXTURE=tests/data/survey-import/forms.xlsx
     * build/tests/test_survey_formats; the loop reads both. */
    const char *fixture = getenv("IKIIKI_WRITE_FORMS_FIXTURE");
    if (fixture)
        write_forms(fixture, 0);
    char committed[512];
    snprintf(committed, sizeof committed, "%s/survey-import/forms.xlsx",
             getenv("IKIIKI_TEST_DATA"));
    const char *files[] = {path, committed};
    for (int f = 0; f < 2; f++)
        check_forms(q, files[f]);
    struct survey_import im = {0};
    char err[600];

    assert_int_equal(survey_import_file(q, badpath, 0, &im, err, sizeof err), SURVEY_IMPORT_EINPUT);
    char want[700];
    snprintf(want, sizeof want,
             "%s: row 4, column \"I\" (G03): value \"7\" is not 1–6 (or a scale label)", badpath);
    assert_string_equal(err, want);
    if (survey_import_file(q, badpath, 1, &im, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(im.n, 4);
    assert_int_equal(im.nskips, 1);
    assert_int_equal(im.skips[0].row, 4);
    assert_string_equal(im.skips[0].column, "I (G03)");
    survey_import_release(&im);
    survey_questionnaire_free(q);
}

/* ---- the XLSX reader's refusals, on archives made here with libzip ---- */

struct member {
    const char *name;
    const char *text;
    size_t len; /* 0: strlen(text) */
};

static const char workbook_xml[] =
    "<?xml version=\"1.0\"?><workbook xmlns:r=\"urn:r\"><sheets>"
    "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels_xml[] =
    "<?xml version=\"1.0\"?><Relationships><Relationship Id=\"rId1\" Type=\"worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/></Relationships>";

/* Writes a zip of the members to a temp file and returns its bytes. */
static char *make_zip(const struct member *m, size_t n, size_t *len)
{
    char path[512];
    assert_int_equal(tu_write_temp("t.zip", "", path, sizeof path), 0);
    int zerr;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        size_t l = m[i].len ? m[i].len : strlen(m[i].text);
        zip_source_t *s = zip_source_buffer(z, m[i].text, l, 0);
        assert_non_null(s);
        assert_true(zip_file_add(z, m[i].name, s, 0) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    return slurp(path, len);
}

static int count_rows(void *ctx, size_t row, char **cells, int n)
{
    (void)row, (void)cells, (void)n;
    ++*(size_t *)ctx;
    return 0;
}

static void expect_refusal(const char *data, size_t len, const struct xlsx_limits *lim,
                           const char *want)
{
    char err[600] = "";
    size_t rows = 0;
    assert_int_equal(xlsx_read(data, len, lim, count_rows, &rows, err, sizeof err), XLSX_EINPUT);
    if (!strstr(err, want))
        fail_msg("want \"%s\" in \"%s\"", want, err);
}

static void test_xlsx_refusals(void **state)
{
    (void)state;
    size_t len;
    /* A zip mark and then rubbish. */
    static const char broken[] = "PK\x03\x04 this is not the rest of a zip archive";
    expect_refusal(broken, sizeof broken - 1, NULL, "not a readable zip archive");
    /* No workbook; a workbook without sheets; a sheet without its relationship or part. */
    struct member only_other[] = {{"hello.txt", "hi", 0}};
    char *z = make_zip(only_other, 1, &len);
    expect_refusal(z, len, NULL, "the workbook has no xl/workbook.xml");
    free(z);
    struct member no_sheet[] = {{"xl/workbook.xml", "<workbook><sheets/></workbook>", 0}};
    z = make_zip(no_sheet, 1, &len);
    expect_refusal(z, len, NULL, "the workbook has no sheet");
    free(z);
    struct member no_part[] = {{"xl/workbook.xml", workbook_xml, 0},
                               {"xl/_rels/workbook.xml.rels", rels_xml, 0}};
    z = make_zip(no_part, 2, &len);
    expect_refusal(z, len, NULL, "no xl/worksheets/sheet1.xml");
    free(z);
    /* A DTD (the door to entity expansion) is refused. */
    struct member dtd[] = {{"xl/workbook.xml",
                            "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaa\">]><w>&a;</w>",
                            0}};
    z = make_zip(dtd, 1, &len);
    expect_refusal(z, len, NULL, "document type declaration is not allowed");
    free(z);
    /* Two million rows: a few MB of XML that deflates to little; refused at Excel's limit. */
    static const char row[] = "<row/>";
    size_t nrows = 2000000, cap = nrows * (sizeof row - 1) + 200;
    char *sheet = malloc(cap);
    assert_non_null(sheet);
    size_t off = (size_t)snprintf(sheet, cap, "<worksheet><sheetData>");
    for (size_t i = 0; i < nrows; i++, off += sizeof row - 1)
        memcpy(sheet + off, row, sizeof row - 1);
    off += (size_t)snprintf(sheet + off, cap - off, "</sheetData></worksheet>");
    struct member big[] = {{"xl/workbook.xml", workbook_xml, 0},
                           {"xl/_rels/workbook.xml.rels", rels_xml, 0},
                           {"xl/worksheets/sheet1.xml", sheet, off}};
    z = make_zip(big, 3, &len);
    assert_true(len < off / 20); /* the archive is small; what it inflates to is not */
    expect_refusal(z, len, NULL, "row 1048577: more than 1048576 rows");
    /* The same part against a small uncompressed limit: a zip bomb is cut off. */
    struct xlsx_limits small = {.max_part_bytes = 1 << 20};
    expect_refusal(z, len, &small, "larger than 1 MiB uncompressed");
    free(z);
    free(sheet);
    /* Shared strings: rich runs joined, furigana (rPh) left out, a missing index refused. */
    struct member sst[] = {
        {"xl/workbook.xml", workbook_xml, 0},
        {"xl/_rels/workbook.xml.rels", rels_xml, 0},
        {"xl/sharedStrings.xml",
         "<sst><si><r><t>とても</t></r><r><t>そう思う</t></r><rPh><t>トテモ</t></rPh></si>"
         "<si><t>OP</t></si></sst>",
         0},
        {"xl/worksheets/sheet1.xml",
         "<worksheet><sheetData><row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v></c>"
         "<c r=\"D2\" t=\"b\"><v>1</v></c><c r=\"E2\" t=\"inlineStr\"><is><t>in</t></is></c>"
         "<c r=\"F2\"><v>4</v></c></row><row r=\"3\"><c r=\"A3\" t=\"s\"><v>9</v></c></row>"
         "</sheetData></worksheet>",
         0},
    };
    z = make_zip(sst, 4, &len);
    expect_refusal(z, len, NULL, "row 3: shared string \"9\" does not exist");
    free(z);
}

struct seen {
    int calls;
    char text[6][64];
    size_t row;
    int n;
};

static int keep_row(void *ctx, size_t row, char **cells, int n)
{
    struct seen *s = ctx;
    s->calls++;
    s->row = row;
    s->n = n;
    for (int i = 0; i < n && i < 6; i++)
        snprintf(s->text[i], sizeof s->text[i], "%s", cells[i]);
    return 0;
}

static void test_xlsx_cells(void **state)
{
    (void)state;
    struct member m[] = {
        {"xl/workbook.xml", workbook_xml, 0},
        {"xl/_rels/workbook.xml.rels", rels_xml, 0},
        {"xl/sharedStrings.xml",
         "<sst><si><r><t>とても</t></r><r><t>そう思う</t></r><rPh><t>トテモ</t></rPh></si>"
         "<si><t>a_x000D_\nb _x005F_x000D_ _x3042_ _x0000_ _xZZ</t></si></sst>",
         0},
        {"xl/worksheets/sheet1.xml",
         "<worksheet><sheetData><row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v></c>"
         "<c r=\"C2\" t=\"s\"><v>1</v></c>"
         "<c r=\"D2\" t=\"b\"><v>1</v></c><c r=\"E2\" t=\"inlineStr\"><is><t>in</t></is></c>"
         "<c r=\"F2\"><f>1+3</f><v>4</v></c></row></sheetData></worksheet>",
         0},
    };
    size_t len;
    char *z = make_zip(m, 4, &len);
    struct seen s = {0};
    char err[600];
    if (xlsx_read(z, len, NULL, keep_row, &s, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.row, 2);
    assert_int_equal(s.n, 6);
    assert_string_equal(s.text[0], "");
    assert_string_equal(s.text[1], "とてもそう思う");
    /* Office's "_xHHHH_" escapes decoded; "_x005F_" keeps a literal "_x". */
    assert_string_equal(s.text[2], "a\r\nb _x000D_ あ  _xZZ");
    assert_string_equal(s.text[3], "TRUE");
    assert_string_equal(s.text[4], "in");
    assert_string_equal(s.text[5], "4");
    free(z);
    char name[4];
    static const struct {
        int col;
        const char *want;
    } t[] = {{0, "A"},    {25, "Z"},    {26, "AA"},    {27, "AB"},
             {701, "ZZ"}, {702, "AAA"}, {16383, "XFD"}};
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        xlsx_col_name(t[i].col, name);
        assert_string_equal(name, t[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_nfkc), cmocka_unit_test(test_surveymonkey),
        cmocka_unit_test(test_forms_xlsx),  cmocka_unit_test(test_xlsx_refusals),
        cmocka_unit_test(test_xlsx_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
