/* Well-being診断: the questionnaire, the template CSV import (encodings, quoting, headers, bad
 * values) and the storage of respondents on both backends. Expectations are worked out by hand
 * from the small files written here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_org.h"
#include "store/store_survey.h"
#include "survey/import.h"
#include "survey/survey.h"
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

static void test_questionnaire(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    assert_int_equal(survey_nitems(q), 50);
    /* Seven elements of six items, then O01–O07 and H01, in that order. */
    static const char letters[] = "GRTACWL";
    for (int e = 0; e < 7; e++)
        for (int k = 0; k < 6; k++) {
            char id[8];
            snprintf(id, sizeof id, "%c%02d", letters[e], k + 1);
            assert_string_equal(survey_item_id(q, e * 6 + k), id);
            assert_string_equal(survey_item_element(q, e * 6 + k), survey_element_code(q, e));
        }
    assert_string_equal(survey_item_id(q, 42), "O01");
    assert_string_equal(survey_item_element(q, 48), "overall");
    assert_string_equal(survey_item_id(q, 49), "H01");
    assert_string_equal(survey_item_element(q, 49), "happiness");
    assert_null(survey_item_id(q, 50));
    assert_int_equal(survey_nelements(q), 7);
    assert_string_equal(survey_element_code(q, 0), "growth");
    assert_string_equal(survey_element_name(q, 0), "学びと成長");
    assert_string_equal(survey_element_code(q, 6), "worklife");
    assert_string_equal(survey_element_name(q, 6), "ワークライフサイクル");
    assert_string_equal(survey_element_code(q, 4), "trust");
    /* Lookup by ID in any case, and by the exact text after trimming (also U+3000). */
    assert_int_equal(survey_item_find(q, "G03"), 2);
    assert_int_equal(survey_item_find(q, "g03"), 2);
    assert_int_equal(survey_item_find(q, " o01 "), 42);
    char text[600];
    snprintf(text, sizeof text, "\xe3\x80\x80 %s\t", survey_item_text(q, 13));
    assert_int_equal(survey_item_find(q, text), 13);
    assert_int_equal(survey_item_find(q, "G07"), -1);
    assert_int_equal(survey_item_find(q, "FC1"), -1); /* the comment is not a scale item */
    assert_int_equal(survey_item_find(q, ""), -1);
    survey_questionnaire_free(q);
}

static void test_answer_parse(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    static const struct {
        const char *cell;
        int want;
    } t[] = {
        {"1", 1},
        {"6", 6},
        {" 4 ", 4},
        {"　3", 3}, /* after an ideographic space */
        {"１", 1},
        {"６", 6},
        {"４", 4},
        {"全くそう思わない", 1},
        {"そう思わない", 2},
        {"あまりそう思わない", 3},
        {"ややそう思う", 4},
        {"そう思う", 5},
        {"とてもそう思う", 6},
        {" とてもそう思う ", 6},
        {"", 0},
        {"   ", 0},
        {"0", -1},
        {"7", -1},
        {"７", -1},
        {"０", -1},
        {"10", -1},
        {"4.0", -1},
        {"そう思うかも", -1},
        {"yes", -1},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++)
        if (survey_answer_parse(q, t[i].cell) != t[i].want)
            fail_msg("\"%s\": want %d, got %d", t[i].cell, t[i].want,
                     survey_answer_parse(q, t[i].cell));
    assert_int_equal(survey_answer_parse(q, NULL), 0);
    survey_questionnaire_free(q);
}

/* A broken copy of the questionnaire is refused with a message naming the field. */
static void test_questionnaire_validation(void **state)
{
    (void)state;
    survey_questionnaire *good = questionnaire();
    static const struct {
        const char *path; /* what to break, in a tiny language: see below */
        const char *want;
    } t[] = {
        {"labels", "scale.labels: expected 6 labels"},
        {"elements", "elements: expected the 7 elements"},
        {"code", "elements[2].code: expected \"team\""},
        {"dup", "\"G01\" appears twice"},
        {"id", "elements[0].items[1].id"},
        {"overall", "overall.items: expected at least one item"},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        json_t *doc = json_deep_copy(survey_questionnaire_document(good));
        json_t *els = json_object_get(doc, "elements");
        json_t *g = json_object_get(json_array_get(els, 0), "items");
        if (strcmp(t[i].path, "labels") == 0)
            json_array_remove(json_object_get(json_object_get(doc, "scale"), "labels"), 0);
        else if (strcmp(t[i].path, "elements") == 0)
            json_array_remove(els, 6);
        else if (strcmp(t[i].path, "code") == 0)
            json_object_set_new(json_array_get(els, 2), "code", json_string("teams"));
        else if (strcmp(t[i].path, "dup") == 0)
            json_object_set_new(json_array_get(g, 1), "id", json_string("G01"));
        else if (strcmp(t[i].path, "id") == 0)
            json_object_set_new(json_array_get(g, 1), "id", json_string("G 2"));
        else
            json_array_clear(json_object_get(json_object_get(doc, "overall"), "items"));
        survey_questionnaire *q = NULL;
        char err[300] = "";
        assert_int_equal(survey_questionnaire_from_json(doc, &q, err, sizeof err), -1);
        assert_null(q);
        if (!strstr(err, t[i].want))
            fail_msg("%s: want \"%s\", got \"%s\"", t[i].path, t[i].want, err);
        json_decref(doc);
    }
    survey_questionnaire_free(good);
}

static int import_text(const survey_questionnaire *q, const char *text, int skip,
                       struct survey_import *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    return survey_import_buffer(q, "t.csv", text, strlen(text), skip, out, err, errlen);
}

/* The file used in several cases: two respondents, Japanese headers, labels and blanks. */
static const char good_csv[] =
    "職種,区分,チーム,勤続,G01,G02,G03,H01,O01,自由記述\r\n"
    "OP,正社員,A,1年未満,6,５,とてもそう思う,1,,\r\n"
    "スーパーバイザー,契約社員,B,3年以上,1,2,そう思わない,,4,\"残業が多い, でも\"\"仲間\"\"がいい\n"
    "ありがとう\"\r\n";

static void check_good(const survey_questionnaire *q, const struct survey_import *im)
{
    assert_int_equal(im->n, 2);
    assert_int_equal(im->nskips, 0);
    const struct survey_respondent *a = &im->r[0], *b = &im->r[1];
    assert_int_equal(a->position, POS_OP);
    assert_string_equal(a->segment, "正社員");
    assert_string_equal(a->team, "A");
    assert_string_equal(a->tenure, "1年未満");
    assert_int_equal(a->answers[survey_item_find(q, "G01")], 6);
    assert_int_equal(a->answers[survey_item_find(q, "G02")], 5);
    assert_int_equal(a->answers[survey_item_find(q, "G03")], 6);
    assert_int_equal(a->answers[survey_item_find(q, "H01")], 1);
    assert_int_equal(a->answers[survey_item_find(q, "O01")], 0);
    assert_int_equal(a->answers[survey_item_find(q, "T01")], 0);
    assert_null(im->comments[0]);
    assert_int_equal(b->position, POS_SV);
    assert_string_equal(b->segment, "契約社員");
    assert_int_equal(b->answers[0], 1);
    assert_int_equal(b->answers[1], 2);
    assert_int_equal(b->answers[2], 2);
    assert_int_equal(b->answers[49], 0);
    assert_int_equal(b->answers[42], 4);
    assert_string_equal(im->comments[1], "残業が多い, でも\"仲間\"がいい\nありがとう");
    /* 45 of the 50 items have no column. */
    assert_int_equal(im->nwarnings, 1);
    assert_non_null(strstr(im->warnings[0], "45 of the questionnaire's 50 items"));
}

static void test_import_utf8_bom_cp932(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    struct survey_import im;
    char err[600];
    /* Plain UTF-8, read from a file. */
    char path[512];
    assert_int_equal(tu_write_temp("good.csv", good_csv, path, sizeof path), 0);
    memset(&im, 0, sizeof im);
    if (survey_import_file(q, path, 0, &im, err, sizeof err))
        fail_msg("%s", err);
    check_good(q, &im);
    survey_import_release(&im);
    /* With a BOM. */
    char bom[sizeof good_csv + 3] = "\xef\xbb\xbf";
    memcpy(bom + 3, good_csv, sizeof good_csv);
    if (import_text(q, bom, 0, &im, err, sizeof err))
        fail_msg("%s", err);
    check_good(q, &im);
    survey_import_release(&im);
    /* CP932, as Excel on Windows saves it. */
    iconv_t cd = iconv_open("CP932", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char sjis[2048], *in = (char *)good_csv, *o = sjis;
    size_t left = strlen(good_csv), room = sizeof sjis - 1;
    assert_true(iconv(cd, &in, &left, &o, &room) != (size_t)-1);
    iconv_close(cd);
    *o = '\0';
    assert_false(strcmp(sjis, good_csv) == 0);
    if (import_text(q, sjis, 0, &im, err, sizeof err))
        fail_msg("%s", err);
    check_good(q, &im);
    survey_import_release(&im);
    /* Bytes that are neither. */
    assert_int_equal(import_text(q, "position,G01\nOP,\x80\xff\n", 0, &im, err, sizeof err),
                     SURVEY_IMPORT_EINPUT);
    assert_string_equal(err, "t.csv: the file is neither UTF-8 nor CP932 (Shift_JIS) text");
    assert_int_equal(
        import_text(q, "\xef\xbb\xbfposition,G01\nOP,\x82\xa0\n", 0, &im, err, sizeof err),
        SURVEY_IMPORT_EINPUT);
    assert_string_equal(err, "t.csv: the file starts with a UTF-8 mark but is not UTF-8 text");
    survey_questionnaire_free(q);
}

static void test_import_headers_and_quoting(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    struct survey_import im;
    char err[600], text[4096];
    /* English attribute names, a question text as a header, a quoted header, a blank line, a row
     * of empty cells and a record spanning lines: row numbers count records, so the bad value in
     * the last record is on row 6. */
    snprintf(text, sizeof text,
             "position,segment,team,tenure,\"%s\",comment,G02\n"
             "op,\"a,b\",\"\",5年,３,\"one\n"
             "two\r\nthree\",\n"
             "\n"
             ",,,,,,\n"
             "MGR,,,,  とてもそう思う ,\"\"\"quoted\"\"\",1\n"
             "OP,,,,1,,9\n",
             survey_item_text(q, 7));
    assert_int_equal(import_text(q, text, 0, &im, err, sizeof err), SURVEY_IMPORT_EINPUT);
    assert_string_equal(err, "t.csv: row 6, column \"G02\": value \"9\" is not 1–6 (or a scale "
                             "label)");
    assert_int_equal(im.n, 0); /* untouched on error */
    assert_int_equal(import_text(q, text, 1, &im, err, sizeof err), 0);
    assert_int_equal(im.n, 2);
    assert_int_equal(im.r[0].position, POS_OP);
    assert_string_equal(im.r[0].segment, "a,b");
    assert_string_equal(im.r[0].team, "");
    assert_string_equal(im.r[0].tenure, "5年");
    assert_int_equal(im.r[0].answers[7], 3);
    assert_string_equal(im.comments[0], "one\ntwo\nthree"); /* CRLF inside becomes LF */
    assert_int_equal(im.r[1].position, POS_MGR);
    assert_int_equal(im.r[1].answers[7], 6);
    assert_int_equal(im.r[1].answers[1], 1);
    assert_string_equal(im.comments[1], "\"quoted\"");
    assert_int_equal(im.nskips, 1);
    assert_int_equal(im.skips[0].row, 6);
    assert_string_equal(im.skips[0].column, "G02");
    assert_string_equal(im.skips[0].value, "9");
    survey_import_release(&im);
    survey_questionnaire_free(q);
}

static void test_import_errors(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    struct survey_import im;
    char err[600];
    static const struct {
        const char *csv;
        const char *want;
    } t[] = {
        {"G01,G02\n1,2\n", "t.csv: row 1: no position column (position, 職種 or 役職)"},
        {"役職,G01\nOP,1\n店長,2\n",
         "t.csv: row 3, column \"役職\": value \"店長\" is not a position"},
        {"役職,G01\nOP,1\n,2\n", "t.csv: row 3, column \"役職\": value \"\" is not a position"},
        {"役職,G01,G03\nOP,1,7\n",
         "t.csv: row 2, column \"G03\": value \"7\" is not 1–6 (or a scale label)"},
        {"役職,G01,g01\nOP,1,1\n", "t.csv: row 1: item \"G01\" has two columns"},
        {"役職,G01\nOP,\"1\n", "t.csv: row 2: a quoted field is not closed"},
        {"役職,G01\nOP,\"1\"x\n", "t.csv: row 2: text after the closing quote of field 2"},
        {"役職,G01\nOP,1,5\n",
         "t.csv: row 2, column \"(column 3)\": value \"5\" is beyond the columns of the header"},
        {"役職,チーム\nOP,とても長いチームの名前がここに入ります十六文字以上\n",
         "column \"チーム\": value \"とても長いチームの名前がこ\" is too long"},
        {"", "t.csv: the file is empty (expected a header row)"},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        err[0] = '\0';
        if (import_text(q, t[i].csv, 0, &im, err, sizeof err) != SURVEY_IMPORT_EINPUT ||
            !strstr(err, t[i].want))
            fail_msg("case %zu: want \"%s\", got \"%s\"", i, t[i].want, err);
    }
    /* A field over the limit. */
    static char big[SURVEY_IMPORT_MAX_FIELD + 64];
    int n = snprintf(big, sizeof big, "役職,comment\nOP,");
    memset(big + n, 'x', SURVEY_IMPORT_MAX_FIELD + 1);
    big[n + SURVEY_IMPORT_MAX_FIELD + 1] = '\0';
    assert_int_equal(import_text(q, big, 0, &im, err, sizeof err), SURVEY_IMPORT_EINPUT);
    assert_string_equal(err, "t.csv: row 2: field 2 is longer than 8192 bytes");
    /* Unknown columns are warnings, returned in order; empty header cells are ignored quietly. */
    assert_int_equal(import_text(q, "備考,役職,,memo\nx,OP,,y\n", 0, &im, err, sizeof err), 0);
    assert_int_equal(im.n, 1);
    assert_int_equal(im.nwarnings, 3);
    assert_string_equal(im.warnings[0], "column \"備考\" is not an item of the questionnaire or "
                                        "a known attribute; ignored");
    assert_string_equal(im.warnings[1], "column \"memo\" is not an item of the questionnaire or "
                                        "a known attribute; ignored");
    survey_import_release(&im);
    survey_questionnaire_free(q);
}

/* ---- storage ---- */

static store *fixture(const char *backend, int64_t center_ids[2])
{
    char url[512], err[512];
    if (tu_db_url(backend, "survey", url, sizeof url))
        return NULL;
    store *s = NULL;
    if (store_open(url, &s, err, sizeof err) || store_migrate(s, NULL))
        fail_msg("%s: %s", backend, s ? store_errmsg(s) : err);
    struct org_company co = {.code = "DEMO", .name = "デモ"};
    assert_int_equal(store_company_add(s, &co), STORE_OK);
    const char *codes[2] = {"TKY", "OSK"};
    for (int i = 0; i < 2; i++) {
        struct org_center c = {.company_id = co.id, .headcount = {40 + i, 5, 2, 1 + i}};
        str_copy(c.code, sizeof c.code, codes[i]);
        str_copy(c.name, sizeof c.name, codes[i]);
        assert_int_equal(store_center_add(s, &c), STORE_OK);
        center_ids[i] = c.id;
    }
    return s;
}

/* Respondent i: answers cycle through 0–6 from i so every value appears in every column. */
static struct survey_respondent respondent(int i, int nitems)
{
    struct survey_respondent r;
    memset(&r, 0, sizeof r);
    for (int k = 0; k < nitems; k++)
        r.answers[k] = (uint8_t)((i + k) % 7);
    r.position = (uint8_t)(i % 3 == 0 ? POS_SV : POS_OP);
    snprintf(r.segment, sizeof r.segment, "区分%d", i % 2);
    snprintf(r.team, sizeof r.team, "T%d", i);
    str_copy(r.tenure, sizeof r.tenure, i ? "1〜3年" : "");
    return r;
}

static void test_store_round_trip(void **state)
{
    (void)state;
    survey_questionnaire *q = questionnaire();
    int nitems = survey_nitems(q);
    char *doc = json_dumps(survey_questionnaire_document(q), JSON_COMPACT);
    for (int bk = 0; bk < 2; bk++) {
        int64_t centers[2];
        store *s = fixture(tu_backends[bk], centers);
        if (!s)
            continue;
        int64_t wave = 0, got_id = 0;
        char *got = NULL;
        assert_int_equal(store_survey_wave_add(s, "2026-H2", doc, 1700000000, &wave), STORE_OK);
        assert_int_equal(store_survey_wave_add(s, "2026-H2", doc, 1700000000, &got_id),
                         STORE_CONFLICT);
        assert_int_equal(store_survey_wave_get(s, "2026-H1", &got_id, &got), STORE_NOTFOUND);
        assert_int_equal(store_survey_wave_get(s, "2026-H2", &got_id, &got), STORE_OK);
        assert_int_equal(got_id, wave);
        assert_string_equal(got, doc);
        free(got);
        /* TKY: 7 respondents (SV for i = 0, 3, 6), OSK: 2 (i = 7 OP, 8 OP). */
        struct survey_respondent r[9];
        char *comments[9] = {0};
        for (int i = 0; i < 9; i++)
            r[i] = respondent(i, nitems);
        comments[1] = "とても\n働きやすい";
        comments[8] = "\"quoted\", ok";
        assert_int_equal(store_begin(s), STORE_OK);
        assert_int_equal(
            store_survey_respondents_add(s, wave, centers[0], "2026-11-24", r, comments, 7, nitems),
            STORE_OK);
        assert_int_equal(store_survey_respondents_add(s, wave, centers[1], "2026-11-24", r + 7,
                                                      comments + 7, 2, nitems),
                         STORE_OK);
        assert_int_equal(store_commit(s), STORE_OK);

        /* Answers waiting for publication are no results: nothing loads until they go out. */
        struct store_survey_data d;
        assert_int_equal(store_survey_load(s, wave, 0, nitems, 1, &d), STORE_OK);
        assert_int_equal(d.n, 0);
        store_survey_data_release(&d);
        int64_t seq = 0, added = 0;
        assert_int_equal(store_survey_publish_mark(s, wave, centers[0], &seq, &added), STORE_OK);
        assert_int_equal(seq, 1);
        assert_int_equal(added, 7);
        assert_int_equal(store_survey_publish_mark(s, wave, centers[1], &seq, &added), STORE_OK);
        assert_int_equal(added, 2);

        /* All centers, grouped by center code: OSK before TKY. */
        assert_int_equal(store_survey_load(s, wave, 0, nitems, 1, &d), STORE_OK);
        assert_int_equal(d.n, 2);
        assert_string_equal(d.centers[0].d.center, "OSK");
        assert_int_equal(d.centers[0].d.n, 2);
        assert_int_equal(d.centers[0].d.operators_enrolled, 41);
        assert_int_equal(d.centers[0].d.staff_enrolled, 5 + 2 + 2);
        assert_ptr_equal(d.centers[0].d.r, d.centers[0].r);
        assert_string_equal(d.centers[1].d.center, "TKY");
        assert_int_equal(d.centers[1].d.n, 7);
        assert_int_equal(d.centers[1].d.operators_enrolled, 40);
        assert_int_equal(d.centers[1].d.staff_enrolled, 8);
        for (int i = 0; i < 7; i++)
            assert_memory_equal(&d.centers[1].r[i], &r[i], sizeof r[i]);
        for (int i = 0; i < 2; i++)
            assert_memory_equal(&d.centers[0].r[i], &r[7 + i], sizeof r[i]);
        assert_null(d.centers[1].comments[0]);
        assert_string_equal(d.centers[1].comments[1], "とても\n働きやすい");
        assert_string_equal(d.centers[0].comments[1], "\"quoted\", ok");
        store_survey_data_release(&d);

        /* One center, without comments. */
        assert_int_equal(store_survey_load(s, wave, centers[1], nitems, 0, &d), STORE_OK);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.centers[0].d.center, "OSK");
        assert_int_equal(d.centers[0].d.n, 2);
        assert_null(d.centers[0].comments);
        assert_memory_equal(&d.centers[0].r[1], &r[8], sizeof r[8]);
        store_survey_data_release(&d);

        /* A center without respondents in another wave is one empty block. */
        int64_t wave2;
        assert_int_equal(store_survey_wave_add(s, "2027-H1", doc, 1700000001, &wave2), STORE_OK);
        assert_int_equal(store_survey_load(s, wave2, centers[0], nitems, 1, &d), STORE_OK);
        assert_int_equal(d.n, 1);
        assert_int_equal(d.centers[0].d.n, 0);
        assert_int_equal(d.centers[0].headcount[POS_OP], 40);
        store_survey_data_release(&d);
        assert_int_equal(store_survey_load(s, wave2, 0, nitems, 1, &d), STORE_OK);
        assert_int_equal(d.n, 0);
        store_survey_data_release(&d);

        /* Counts per center and position. */
        struct store_survey_count *c = NULL;
        size_t nc = 0;
        assert_int_equal(store_survey_counts(s, wave, &c, &nc), STORE_OK);
        assert_int_equal(nc, 2);
        assert_string_equal(c[0].center, "OSK");
        assert_int_equal(c[0].respondents[POS_OP], 2);
        assert_int_equal(c[0].respondents[POS_SV], 0);
        assert_int_equal(c[0].enrolled[POS_OP], 41);
        assert_string_equal(c[1].center, "TKY");
        assert_int_equal(c[1].respondents[POS_OP], 4);
        assert_int_equal(c[1].respondents[POS_SV], 3);
        assert_int_equal(c[1].respondents[POS_MGR], 0);
        assert_int_equal(c[1].enrolled[POS_OTHER], 1);
        free(c);

        /* A rolled-back import leaves nothing behind. */
        assert_int_equal(store_begin(s), STORE_OK);
        assert_int_equal(
            store_survey_respondents_add(s, wave2, centers[0], "2026-11-24", r, NULL, 3, nitems),
            STORE_OK);
        assert_int_equal(store_rollback(s), STORE_OK);
        assert_int_equal(store_survey_counts(s, wave2, &c, &nc), STORE_OK);
        assert_int_equal(nc, 0);
        free(c);
        store_free(s);
    }
    free(doc);
    survey_questionnaire_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_questionnaire),
        cmocka_unit_test(test_answer_parse),
        cmocka_unit_test(test_questionnaire_validation),
        cmocka_unit_test(test_import_utf8_bom_cp932),
        cmocka_unit_test(test_import_headers_and_quoting),
        cmocka_unit_test(test_import_errors),
        cmocka_unit_test(test_store_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
