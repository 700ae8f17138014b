/* The survey commands through the real binary on both backends: a wave is added, a good file is
 * imported whole, a bad file is one line on stderr with exit 2 and stores nothing, and
 * --skip-invalid keeps the good rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static void ok(const struct tu_result *r)
{
    if (r->status != 0)
        fail_msg("exit %d: %s", r->status, r->err);
}

/* `survey responses --json` of wave W1, parsed; the caller decrefs. */
static json_t *responses(const char *url)
{
    struct tu_result r;
    TU_IK(&r, url, "survey", "responses", "--wave", "W1", "--json");
    ok(&r);
    json_t *j = json_loads(r.out, 0, NULL);
    tu_result_free(&r);
    assert_non_null(j);
    return j;
}

/* Respondents of center code in position pos ("OP", …), 0 when the center has none. */
static long answered(json_t *j, const char *center, const char *pos)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "centers"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "center")), center) == 0)
            return (long)json_integer_value(
                json_object_get(json_object_get(c, "by_position"), pos));
    }
    return 0;
}

static const char good_csv[] = "\xef\xbb\xbf"
                               "職種,区分,G01,G02,O01,H01,自由記述\n"
                               "OP,正社員,6,5,とてもそう思う,4,\"よい職場, です\"\n"
                               "OP,派遣,1,,2,3,\n"
                               "SV,正社員,3,3,3,3,\n";
static const char bad_csv[] = "職種,G01,G03\n"
                              "OP,1,2\n"
                              "OP,2,7\n"
                              "OPERATOR,2,2\n";

static void test_survey_cli(void **state)
{
    (void)state;
    char good[512], bad[512], qbad[512];
    assert_int_equal(tu_write_temp("good.csv", good_csv, good, sizeof good), 0);
    assert_int_equal(tu_write_temp("bad.csv", bad_csv, bad, sizeof bad), 0);
    assert_int_equal(tu_write_temp("q.json", "{\"scale\": {\"points\": 5}}", qbad, sizeof qbad), 0);
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "scli", url, sizeof url))
            continue;
        struct tu_result r;
        TU_IK(&r, url, "init", "--demo");
        ok(&r);
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "wave", "add", "--code", "W1");
        ok(&r);
        assert_non_null(strstr(r.out, "wave W1 added (50 scale items)"));
        tu_result_free(&r);

        /* Bad input: one line, exit 2, nothing written. */
        static const struct {
            const char *words[12];
            const char *needle;
        } wrong[] = {
            {{"survey", "wave", "add", "--code", "W1"}, "wave \"W1\" already exists"},
            {{"survey", "wave", "add", "--code", "bad code"}, "--code"},
            {{"survey", "wave", "add", "--code", "W9", "--questionnaire", NULL},
             "scale.points: expected 6"},
            {{"survey", "import", "--wave", "W2", "--center", "TKY", NULL},
             "--wave: wave \"W2\" does not exist"},
            {{"survey", "import", "--wave", "W1", "--center", "NOPE", NULL},
             "--center: center \"NOPE\" does not exist"},
            {{"survey", "import", "--wave", "W1", "--center", "TKY", NULL},
             "row 3, column \"G03\": value \"7\" is not 1–6 (or a scale label)"},
            {{"survey", "import", "--wave", "W1", "--center", "TKY", "/nonexistent.csv"},
             "/nonexistent.csv: cannot read the file"},
            {{"survey", "responses", "--wave", "W2"}, "wave \"W2\" does not exist"},
            {{"survey", "responses", "--wave", "W1", "--center", "NOPE"},
             "--center: center \"NOPE\" does not exist"},
        };
        for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
            const char *words[16] = {0};
            size_t k = 0;
            for (; wrong[i].words[k]; k++)
                words[k] = wrong[i].words[k];
            if (k == 6 && strcmp(words[1], "import") == 0)
                words[k] = strcmp(words[3], "W1") == 0 && strcmp(words[5], "TKY") == 0 ? bad : good;
            if (k == 6 && strcmp(words[1], "wave") == 0)
                words[k] = qbad;
            assert_int_equal(tu_ikiiki(url, words, NULL, &r), 0);
            TU_ONE_LINE_EXIT2(&r, wrong[i].needle);
            tu_result_free(&r);
        }
        json_t *j = responses(url);
        assert_int_equal(json_array_size(json_object_get(j, "centers")), 0);
        json_decref(j);

        /* A good file: all three rows. */
        TU_IK(&r, url, "survey", "import", "--wave", "W1", "--center", "TKY", good, "--json");
        ok(&r);
        json_t *out = json_loads(r.out, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(out, "imported")), 3);
        assert_int_equal(json_array_size(json_object_get(out, "skipped")), 0);
        assert_int_equal(json_array_size(json_object_get(out, "warnings")), 1);
        json_decref(out);
        tu_result_free(&r);
        j = responses(url);
        assert_int_equal(answered(j, "TKY", "OP"), 2);
        assert_int_equal(answered(j, "TKY", "SV"), 1);
        json_t *tky = json_array_get(json_object_get(j, "centers"), 0);
        /* The demo's TKY enrols 80 operators: 2 / 80. */
        assert_true(json_real_value(json_object_get(tky, "operator_response_rate")) == 2.0 / 80);
        json_decref(j);

        /* --skip-invalid keeps row 2 only: row 3 has a 7 and row 4 an unknown position. */
        TU_IK(&r, url, "survey", "import", "--wave", "W1", "--center", "OSK", bad, "--skip-invalid",
              "--json");
        ok(&r);
        out = json_loads(r.out, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(out, "imported")), 1);
        json_t *sk = json_object_get(out, "skipped");
        assert_int_equal(json_array_size(sk), 2);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(sk, 0), "row")), 3);
        assert_string_equal(json_string_value(json_object_get(json_array_get(sk, 0), "column")),
                            "G03");
        assert_string_equal(json_string_value(json_object_get(json_array_get(sk, 0), "value")),
                            "7");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(sk, 1), "row")), 4);
        assert_string_equal(json_string_value(json_object_get(json_array_get(sk, 1), "column")),
                            "職種");
        assert_string_equal(json_string_value(json_object_get(json_array_get(sk, 1), "value")),
                            "OPERATOR");
        json_decref(out);
        tu_result_free(&r);

        /* Text output lists the skipped rows too. */
        TU_IK(&r, url, "survey", "import", "--wave", "W1", "--center", "OSK", bad,
              "--skip-invalid");
        ok(&r);
        assert_non_null(strstr(r.out, "1 respondents imported for OSK, 2 rows skipped"));
        assert_non_null(strstr(r.out, "skipped: row 3, column \"G03\": value \"7\""));
        tu_result_free(&r);

        j = responses(url);
        assert_int_equal(answered(j, "OSK", "OP"), 2);
        assert_int_equal(answered(j, "TKY", "OP"), 2);
        json_decref(j);
        /* One center, from its loaded respondents; a center nobody answered for is listed. */
        TU_IK(&r, url, "survey", "responses", "--wave", "W1", "--center", "OSK", "--json");
        ok(&r);
        j = json_loads(r.out, 0, NULL);
        assert_int_equal(json_array_size(json_object_get(j, "centers")), 1);
        assert_int_equal(answered(j, "OSK", "OP"), 2);
        assert_int_equal(answered(j, "TKY", "OP"), 0);
        json_decref(j);
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "responses", "--wave", "W1", "--center", "FUK", "--json");
        ok(&r);
        j = json_loads(r.out, 0, NULL);
        json_t *fuk = json_array_get(json_object_get(j, "centers"), 0);
        assert_string_equal(json_string_value(json_object_get(fuk, "center")), "FUK");
        assert_int_equal(json_integer_value(json_object_get(fuk, "respondents")), 0);
        assert_true(json_real_value(json_object_get(fuk, "operator_response_rate")) == 0.0);
        json_decref(j);
        tu_result_free(&r);

        TU_IK(&r, url, "survey", "responses", "--wave", "W1");
        ok(&r);
        assert_non_null(strstr(r.out, "TKY"));
        assert_non_null(strstr(r.out, "2 / 80 (2.5%)"));
        tu_result_free(&r);
    }
}

/* Runs ikiiki --json with the given words and --db url; returns the parsed output. */
static json_t *ik_json(const char *url, const char *const *words)
{
    const char *with_json[40];
    int n = 0;
    for (; words[n] && n < 36; n++)
        with_json[n] = words[n];
    with_json[n++] = "--json";
    with_json[n] = NULL;
    struct tu_result r;
    assert_int_equal(tu_ikiiki(url, with_json, NULL, &r), 0);
    if (r.status != 0)
        fail_msg("%s %s: exit %d: %s", words[0], words[1], r.status, r.err);
    json_t *j = json_loads(r.out, 0, NULL);
    tu_result_free(&r);
    assert_non_null(j);
    return j;
}

static json_t *entry_of(json_t *entries, const char *center)
{
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) if (strcmp(json_string_value(json_object_get(e, "center")),
                                                 center) == 0) return e;
    fail_msg("no entry for %s", center);
    return NULL;
}

/* The demo's finished wave through score and rank, on both backends: the figures are the same
 * on each, the award rules pick out FUK's response rate, and groups below k show nothing. */
static void test_score_and_rank_demo(void **state)
{
    (void)state;
    double tky_g01[2] = {-1, -1};
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "svscore", url, sizeof url))
            continue;
        json_decref(ik_json(url, (const char *const[]){"init", "--demo", NULL}));
        json_t *rank =
            ik_json(url, (const char *const[]){"survey", "rank", "--wave", "2026-AUTUMN", NULL});
        json_t *entries = json_object_get(rank, "entries");
        json_t *tky = entry_of(entries, "TKY"), *fuk = entry_of(entries, "FUK"),
               *osk = entry_of(entries, "OSK");
        /* TKY: 80 enrolled operators → A; 62/80 = 77.5 % ≥ 70 %; 10/72 = 13.9 % ≥ 10 %. */
        assert_string_equal(json_string_value(json_object_get(tky, "division")), "A");
        assert_true(json_is_true(json_object_get(tky, "eligible")));
        /* Behind two of the seven other participants of division A (P06 and P03). */
        assert_int_equal(json_integer_value(json_object_get(tky, "rank")), 3);
        /* FUK: 22/36 = 61.1 % < 70 %, the only failed rule. */
        assert_true(json_is_false(json_object_get(fuk, "eligible")));
        json_t *why = json_object_get(fuk, "reasons");
        assert_int_equal(json_array_size(why), 1);
        assert_string_equal(json_string_value(json_array_get(why, 0)), "response_rate");
        assert_true(json_is_null(json_object_get(fuk, "rank")));
        /* OSK: 140 enrolled → B, alone in its division. */
        assert_string_equal(json_string_value(json_object_get(osk, "division")), "B");
        assert_int_equal(json_integer_value(json_object_get(osk, "rank")), 1);
        json_decref(rank);

        json_t *score = ik_json(url, (const char *const[]){"survey", "score", "--wave",
                                                           "2026-AUTUMN", "--center", "TKY", NULL});
        assert_string_equal(json_string_value(json_object_get(score, "wave")), "2026-AUTUMN");
        json_t *centers = json_object_get(score, "centers");
        assert_int_equal(json_array_size(centers), 1);
        json_t *c = json_array_get(centers, 0);
        assert_int_equal(json_integer_value(json_object_get(c, "respondents")), 72);
        json_t *g01 = json_object_get(json_object_get(c, "items"), "G01");
        static const char *const fields[] = {"top3",    "mean",       "n",  "ci_low",
                                             "ci_high", "others_avg", "hpb"};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            assert_non_null(json_object_get(g01, fields[i]));
        double top3 = json_number_value(json_object_get(g01, "top3"));
        assert_true(json_number_value(json_object_get(g01, "ci_low")) <= top3);
        assert_true(json_number_value(json_object_get(g01, "ci_high")) >= top3);
        assert_non_null(json_object_get(json_object_get(c, "elements"), "growth"));
        /* Positions: OP (62) shows figures, MGR (3) is below k, and so the next smallest
         * sibling, SV (7), is hidden too. */
        json_t *pos = json_object_get(json_object_get(c, "groups"), "position");
        assert_true(json_is_number(json_object_get(
            json_object_get(json_object_get(json_object_get(pos, "OP"), "items"), "G01"), "top3")));
        assert_true(json_is_true(json_object_get(json_object_get(pos, "MGR"), "suppressed")));
        assert_true(json_is_true(json_object_get(json_object_get(pos, "SV"), "suppressed")));
        tky_g01[b] = top3;
        json_decref(score);
    }
    /* Both backends gave the same figure. */
    if (tky_g01[1] >= 0)
        assert_true(tky_g01[0] == tky_g01[1]);
}

/* `survey drivers` on the demo's TKY: every scale item but O01, each with all its fields, n no
 * more than the 72 respondents, sorted by rho descending (nulls last), alpha for the seven
 * elements. Returns the first item's rho (to compare the backends). */
static double check_drivers(const char *url)
{
    json_t *j = ik_json(url, (const char *const[]){"survey", "drivers", "--wave", "2026-AUTUMN",
                                                   "--center", "TKY", NULL});
    assert_string_equal(json_string_value(json_object_get(j, "wave")), "2026-AUTUMN");
    assert_string_equal(json_string_value(json_object_get(j, "center")), "TKY");
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 49);
    static const char *const fields[] = {"item",  "rho",      "n",    "p",
                                         "p_adj", "priority", "top3", "others_avg"};
    double last = 2;
    int seen_null = 0;
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
            if (!json_object_get(v, fields[f]))
                fail_msg("item %zu has no \"%s\"", i, fields[f]);
        assert_string_not_equal(json_string_value(json_object_get(v, "item")), "O01");
        assert_true(json_is_boolean(json_object_get(v, "priority")));
        json_t *rho = json_object_get(v, "rho");
        if (json_is_null(rho)) {
            seen_null = 1;
            continue;
        }
        assert_false(seen_null);
        assert_true(json_real_value(rho) <= last);
        last = json_real_value(rho);
        json_int_t n = json_integer_value(json_object_get(v, "n"));
        assert_true(n >= 3 && n <= 72);
        double p = json_real_value(json_object_get(v, "p"));
        double adj = json_real_value(json_object_get(v, "p_adj"));
        assert_true(p >= 0 && p <= adj && adj <= 1);
    }
    assert_int_equal(json_object_size(json_object_get(j, "alpha")), 7);
    assert_non_null(json_object_get(json_object_get(j, "alpha"), "growth"));
    double first = json_real_value(json_object_get(json_array_get(items, 0), "rho"));
    json_decref(j);
    return first;
}

/* A pulse wave for TKY: six rows answer four items; everyone answers G01 with 1. */
static const char pulse_csv[] = "職種,区分,G01,G02,O01,H01\n"
                                "OP,正社員,1,5,4,4\n"
                                "OP,正社員,1,4,5,3\n"
                                "OP,派遣,1,2,4,5\n"
                                "OP,正社員,1,6,3,4\n"
                                "SV,正社員,1,5,5,2\n"
                                "OP,派遣,1,3,4,6\n";

static json_t *item_of(json_t *items, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "item")), id) == 0)
            return v;
    }
    fail_msg("no item %s", id);
    return NULL;
}

/* 2026-AUTUMN → the pulse wave: G01 falls from the demo's share to 0 % — with 4 tests and a
 * TOP3BOX around 70 % of about 70 answers against 0 of 6, z is above 3.5, so even p · 4 is far
 * below 0.05. Items the pulse file does not answer have no figures. */
static void check_compare(const char *url, const char *pulse)
{
    struct tu_result r;
    TU_IK(&r, url, "survey", "wave", "add", "--code", "2026-PULSE1");
    ok(&r);
    tu_result_free(&r);
    TU_IK(&r, url, "survey", "import", "--wave", "2026-PULSE1", "--center", "TKY", pulse);
    ok(&r);
    tu_result_free(&r);
    json_t *j = ik_json(url, (const char *const[]){"survey", "compare", "--center", "TKY", "--from",
                                                   "2026-AUTUMN", "--to", "2026-PULSE1", NULL});
    assert_string_equal(json_string_value(json_object_get(j, "center")), "TKY");
    assert_string_equal(json_string_value(json_object_get(j, "from")), "2026-AUTUMN");
    assert_string_equal(json_string_value(json_object_get(j, "to")), "2026-PULSE1");
    json_t *items = json_object_get(j, "items");
    json_t *g01 = item_of(items, "G01");
    double from = json_real_value(json_object_get(g01, "top3_from"));
    assert_true(from > 0.5);
    assert_true(json_real_value(json_object_get(g01, "top3_to")) == 0.0);
    assert_true(fabs(json_real_value(json_object_get(g01, "diff_points")) + from * 100) < 1e-9);
    double p = json_real_value(json_object_get(g01, "p"));
    double holm = json_real_value(json_object_get(g01, "p_holm"));
    assert_true(p > 0 && holm >= p && holm < 0.05);
    assert_true(json_is_true(json_object_get(g01, "significant")));
    json_t *g03 = item_of(items, "G03");
    assert_true(json_is_number(json_object_get(g03, "top3_from")));
    assert_true(json_is_null(json_object_get(g03, "top3_to")));
    assert_true(json_is_null(json_object_get(g03, "p")));
    assert_true(json_is_null(json_object_get(g03, "p_holm")));
    assert_true(json_is_false(json_object_get(g03, "significant")));
    json_decref(j);
    TU_IK(&r, url, "survey", "compare", "--center", "TKY", "--from", "2026-AUTUMN", "--to",
          "2026-PULSE1");
    ok(&r);
    assert_non_null(strstr(r.out, "TKY  2026-AUTUMN → 2026-PULSE1"));
    tu_result_free(&r);
}

/* drivers and compare on both backends; unknown waves and centers are one line and exit 2. */
static void test_drivers_and_compare(void **state)
{
    (void)state;
    char pulse[512];
    assert_int_equal(tu_write_temp("pulse.csv", pulse_csv, pulse, sizeof pulse), 0);
    double rho[2] = {-2, -2};
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "svdrivers", url, sizeof url))
            continue;
        json_decref(ik_json(url, (const char *const[]){"init", "--demo", NULL}));
        rho[b] = check_drivers(url);
        check_compare(url, pulse);
        static const struct {
            const char *words[10];
            const char *needle;
        } wrong[] = {
            {{"survey", "drivers", "--wave", "NOPE", "--center", "TKY"}, "wave \"NOPE\""},
            {{"survey", "drivers", "--wave", "2026-AUTUMN", "--center", "NOPE"},
             "center \"NOPE\" does not exist"},
            {{"survey", "drivers", "--wave", "2026-AUTUMN"}, "\"--center\" is required"},
            {{"survey", "compare", "--center", "TKY", "--from", "2026-AUTUMN", "--to", "NOPE"},
             "--to: wave \"NOPE\" does not exist"},
            {{"survey", "compare", "--center", "TKY", "--from", "NOPE", "--to", "2026-AUTUMN"},
             "--from: wave \"NOPE\" does not exist"},
            {{"survey", "compare", "--center", "TKY", "--from", "2026-AUTUMN"},
             "option \"--to\" is required"},
            {{"survey", "compare", "--center", "NOPE", "--from", "2026-AUTUMN", "--to",
              "2026-AUTUMN"},
             "center \"NOPE\" does not exist"},
        };
        for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
            struct tu_result r;
            assert_int_equal(tu_ikiiki(url, wrong[i].words, NULL, &r), 0);
            TU_ONE_LINE_EXIT2(&r, wrong[i].needle);
            tu_result_free(&r);
        }
    }
    /* Both backends gave the same figure. */
    if (rho[1] > -2)
        assert_true(rho[0] == rho[1]);
}

/* Lines (CRLF or LF ends) in a file; -1 when it cannot be read. *size receives its size, *bom
 * whether it starts with the UTF-8 BOM. */
static long file_lines(const char *path, long *size, int *bom)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    long lines = 0, n = 0;
    int ch, first[3] = {-1, -1, -1};
    while ((ch = fgetc(f)) != EOF) {
        if (n < 3)
            first[n] = ch;
        n++;
        lines += ch == '\n';
    }
    fclose(f);
    *size = n;
    *bom = first[0] == 0xEF && first[1] == 0xBB && first[2] == 0xBF;
    return lines;
}

/* survey export of the demo wave for TKY: XLSX and CSV in both encodings; wrong input is one line
 * with exit 2 and leaves no file. */
static void test_export_demo(void **state)
{
    (void)state;
    char dir[] = "/tmp/ikiiki-svexport-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char xlsx[128], csv[128], sjis[128], none[128], cmd[256];
    snprintf(xlsx, sizeof xlsx, "%s/tky.xlsx", dir);
    snprintf(csv, sizeof csv, "%s/tky.csv", dir);
    snprintf(sjis, sizeof sjis, "%s/tky-sjis.csv", dir);
    snprintf(none, sizeof none, "%s/none.csv", dir);
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "svexport", url, sizeof url))
            continue;
        json_decref(ik_json(url, (const char *const[]){"init", "--demo", NULL}));
        struct tu_result r;
        TU_IK(&r, url, "survey", "export", "--wave", "2026-AUTUMN", "--center", "TKY", "--xlsx",
              xlsx);
        ok(&r);
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "export", "--wave", "2026-AUTUMN", "--center", "TKY", "--csv",
              csv);
        ok(&r);
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "export", "--wave", "2026-AUTUMN", "--center", "TKY", "--csv",
              sjis, "--encoding", "cp932");
        ok(&r);
        tu_result_free(&r);
        long size;
        int bom;
        assert_true(file_lines(xlsx, &size, &bom) >= 0 && size > 1000);
        /* Header, 50 items, 7 elements. */
        assert_int_equal(file_lines(csv, &size, &bom), 1 + 50 + 7);
        assert_true(bom);
        assert_int_equal(file_lines(sjis, &size, &bom), 1 + 50 + 7);
        assert_false(bom);
        static const struct {
            const char *words[12];
            const char *needle;
        } wrong[] = {
            {{"survey", "export", "--wave", "NOPE", "--center", "TKY", "--csv", "@"},
             "wave \"NOPE\""},
            {{"survey", "export", "--wave", "2026-AUTUMN", "--center", "NOPE", "--csv", "@"},
             "center \"NOPE\" does not exist"},
            {{"survey", "export", "--wave", "2026-AUTUMN", "--center", "TKY"}, "exactly one of"},
            {{"survey", "export", "--wave", "2026-AUTUMN", "--center", "TKY", "--xlsx", "x.xlsx",
              "--csv", "@"},
             "exactly one of"},
            {{"survey", "export", "--wave", "2026-AUTUMN", "--center", "TKY", "--encoding",
              "latin1", "--csv", "@"},
             "\"latin1\" is not utf8 or cp932"},
            {{"survey", "export", "--wave", "2026-AUTUMN", "--center", "TKY", "--csv",
              "/nonexistent-dir/x.csv"},
             "/nonexistent-dir/x.csv"},
        };
        for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
            const char *words[14];
            size_t k = 0;
            /* "@" stands for the file that must not appear. */
            for (; wrong[i].words[k]; k++)
                words[k] = strcmp(wrong[i].words[k], "@") == 0 ? none : wrong[i].words[k];
            words[k] = NULL;
            assert_int_equal(tu_ikiiki(url, words, NULL, &r), 0);
            TU_ONE_LINE_EXIT2(&r, wrong[i].needle);
            tu_result_free(&r);
            assert_int_equal(access(none, F_OK), -1);
        }
    }
    /* Only the three files: nothing half-written or temporary is left. */
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 3 && rm -rf '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- the survey tools' exports: SurveyMonkey CSV (UTF-8 with BOM, CP932) and Forms XLSX ---- */

static void data_path_of(const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/survey-import/%s", getenv("IKIIKI_TEST_DATA"), name);
}

static int has_bytes(const char *hay, size_t n, const char *needle)
{
    return memmem(hay, n, needle, strlen(needle)) != NULL;
}

/* What the exports hold about the respondents and must never be stored. */
static const char *const identifying[] = {"203.0.113.77", "taro.yamada",     "EMP-0003",
                                          "11/03/2026",   "taro@example.jp", "hanako@example.jp",
                                          "山田 太郎",    "431000"};

/* The whole database as bytes: the SQLite file (and its WAL), or pg_dump of the PostgreSQL one. */
static char *database_bytes(const char *url, size_t *len)
{
    if (strstr(url, "://") == NULL) {
        char *db = tu_read_file(url, len);
        assert_non_null(db);
        char wal[600];
        snprintf(wal, sizeof wal, "%s-wal", url);
        size_t wn;
        char *w = tu_read_file(wal, &wn);
        if (w) {
            db = realloc(db, *len + wn + 1);
            memcpy(db + *len, w, wn);
            *len += wn;
            free(w);
        }
        return db;
    }
    struct tu_result r;
    assert_int_equal(
        tu_run((char *const[]){"/usr/bin/pg_dump", "--data-only", (char *)url, NULL}, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    *len = strlen(r.out);
    char *out = strdup(r.out);
    tu_result_free(&r);
    return out;
}

static double item_top3(json_t *center, const char *id)
{
    json_t *v = json_object_get(json_object_get(json_object_get(center, "items"), id), "top3");
    assert_true(json_is_number(v));
    return json_number_value(v);
}

/* Shown shares are rounded to 0.1 % (survey/disclose.h). */
#define SHOWN 5.01e-4

static void check_exports_score(const char *url)
{
    json_t *score = ik_json(url, (const char *const[]){"survey", "score", "--wave", "WX", NULL});
    json_t *centers = json_object_get(score, "centers");
    json_t *tky = entry_of(centers, "TKY"), *osk = entry_of(centers, "OSK"),
           *fuk = entry_of(centers, "FUK");
    assert_non_null(tky);
    assert_non_null(osk);
    assert_non_null(fuk);
    /* SurveyMonkey (both files): G01 6 3 4 6 2 5, G02 5 6 2 6 - 1, T01 4 1 5 6 4 2,
     * H01 6 5 4 3 4 -; TOP3BOX counts the 4s, 5s and 6s. */
    json_t *sm[] = {tky, osk};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(json_integer_value(json_object_get(sm[i], "respondents")), 6);
        assert_true(fabs(item_top3(sm[i], "G01") - 4.0 / 6) < SHOWN);
        assert_true(fabs(item_top3(sm[i], "G02") - 3.0 / 5) < SHOWN);
        assert_true(fabs(item_top3(sm[i], "T01") - 4.0 / 6) < SHOWN);
        assert_true(fabs(item_top3(sm[i], "H01") - 4.0 / 5) < SHOWN);
    }
    /* Forms: G01 6 4 2 6 1, G03 5 1 3 4 6, T01 4 6 5 - 2, H01 6 5 4 3 4. */
    assert_int_equal(json_integer_value(json_object_get(fuk, "respondents")), 5);
    assert_true(fabs(item_top3(fuk, "G01") - 3.0 / 5) < SHOWN);
    assert_true(fabs(item_top3(fuk, "G03") - 3.0 / 5) < SHOWN);
    /* T01 has 4 answers, under k: no figure (its 3 of 4 would be those four people's). */
    assert_true(json_is_null(
        json_object_get(json_object_get(json_object_get(fuk, "items"), "T01"), "top3")));
    assert_true(fabs(item_top3(fuk, "H01") - 4.0 / 5) < SHOWN);
    json_decref(score);
}

static void test_import_exports(void **state)
{
    (void)state;
    char sm[512], smja[512], bad[512], forms[512], cp932[512], broken[512];
    data_path_of("surveymonkey-en-bom.csv", sm, sizeof sm);
    data_path_of("surveymonkey-ja.csv", smja, sizeof smja);
    data_path_of("surveymonkey-bad.csv", bad, sizeof bad);
    data_path_of("forms.xlsx", forms, sizeof forms);
    assert_int_equal(tu_write_temp("broken.xlsx", "PK\x03\x04 not really", broken, sizeof broken),
                     0);
    /* The Japanese SurveyMonkey file in CP932, made here with iconv(1). */
    assert_int_equal(tu_write_temp("sm-cp932.csv", "", cp932, sizeof cp932), 0);
    struct tu_result r;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "iconv -f UTF-8 -t CP932 '%s' > '%s'", smja, cp932);
    assert_int_equal(tu_run((char *const[]){"/bin/sh", "-c", cmd, NULL}, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    tu_result_free(&r);
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "svexports", url, sizeof url))
            continue;
        TU_IK(&r, url, "init", "--demo");
        ok(&r);
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "wave", "add", "--code", "WX");
        ok(&r);
        tu_result_free(&r);
        /* Bad files: one line, exit 2, nothing stored. */
        static const struct {
            const char *file; /* "bad", "broken" or a --format value for the good file */
            const char *needle;
        } wrong[] = {
            {"bad", "row 5, column \"G02\": value \"7\" is not 1–6"},
            {"broken", "not a readable zip archive"},
            {"xml", "format \"xml\" is not template, surveymonkey or forms"},
            {"template", "row 2, column \"職種\": value \"Response\" is not a position"},
        };
        for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
            const char *f = wrong[i].file;
            const char *file = strcmp(f, "bad") == 0 ? bad : strcmp(f, "broken") == 0 ? broken : sm;
            int forced = file == sm;
            assert_int_equal(
                tu_ikiiki(url,
                          (const char *const[]){"survey", "import", "--wave", "WX", "--center",
                                                "TKY", file, forced ? "--format" : NULL, f, NULL},
                          NULL, &r),
                0);
            TU_ONE_LINE_EXIT2(&r, wrong[i].needle);
            tu_result_free(&r);
        }
        json_t *score =
            ik_json(url, (const char *const[]){"survey", "score", "--wave", "WX", NULL});
        json_t *c;
        size_t i;
        json_array_foreach(json_object_get(score, "centers"), i, c)
            assert_int_equal(json_integer_value(json_object_get(c, "respondents")), 0);
        json_decref(score);

        /* Each format into its own center. */
        TU_IK(&r, url, "survey", "import", "--wave", "WX", "--center", "TKY", sm);
        ok(&r);
        assert_non_null(strstr(r.out, "6 respondents imported for TKY (surveymonkey)"));
        assert_null(strstr(r.out, "IP"));
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "import", "--wave", "WX", "--center", "OSK", cp932, "--format",
              "surveymonkey", "--json");
        ok(&r);
        json_t *out = json_loads(r.out, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(out, "imported")), 6);
        assert_string_equal(json_string_value(json_object_get(out, "format")), "surveymonkey");
        json_decref(out);
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "import", "--wave", "WX", "--center", "FUK", forms);
        ok(&r);
        assert_non_null(strstr(r.out, "5 respondents imported for FUK (forms, XLSX)"));
        assert_non_null(strstr(r.out, "warning: column \"L\" (備考)"));
        tu_result_free(&r);
        check_exports_score(url);

        /* Anonymity: nothing the tools knew about a respondent is in the database. */
        size_t n;
        char *db = database_bytes(url, &n);
        assert_true(has_bytes(db, n, "よい職場です")); /* the check can see stored text */
        for (size_t k = 0; k < sizeof identifying / sizeof identifying[0]; k++)
            if (has_bytes(db, n, identifying[k]))
                fail_msg("%s: \"%s\" was stored", tu_backends[b], identifying[k]);
        free(db);
    }
}

/* Several files in one process and one transaction, each named by its center. */
static void test_import_many(void **state)
{
    (void)state;
    char tky[512], osk[512], bad_osk[512], nope[512];
    assert_int_equal(tu_write_temp("TKY.csv", good_csv, tky, sizeof tky), 0);
    assert_int_equal(tu_write_temp("OSK.csv", good_csv, osk, sizeof osk), 0);
    assert_int_equal(tu_write_temp("OSK.csv", bad_csv, bad_osk, sizeof bad_osk), 0);
    assert_int_equal(tu_write_temp("NOPE.csv", good_csv, nope, sizeof nope), 0);
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "smany", url, sizeof url))
            continue;
        struct tu_result r;
        TU_IK(&r, url, "init", "--demo");
        ok(&r);
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "wave", "add", "--code", "W1");
        ok(&r);
        tu_result_free(&r);
        /* A bad file or an unknown center among them: exit 2, nothing from any file. */
        TU_IK(&r, url, "survey", "import", "--wave", "W1", tky, nope);
        TU_ONE_LINE_EXIT2(&r, "NOPE.csv: center \"NOPE\" does not exist");
        tu_result_free(&r);
        TU_IK(&r, url, "survey", "import", "--wave", "W1", tky, bad_osk);
        TU_ONE_LINE_EXIT2(&r, "value \"7\" is not 1–6");
        tu_result_free(&r);
        json_t *j = responses(url);
        assert_int_equal(answered(j, "TKY", "OP"), 0);
        json_decref(j);
        /* Both good files: each center gets its three respondents. */
        TU_IK(&r, url, "survey", "import", "--wave", "W1", tky, osk, "--json");
        ok(&r);
        json_t *out = json_loads(r.out, 0, NULL);
        tu_result_free(&r);
        assert_int_equal(json_integer_value(json_object_get(out, "imported")), 6);
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(out, "files"), 1), "center")),
                            "OSK");
        json_decref(out);
        j = responses(url);
        assert_int_equal(answered(j, "TKY", "OP"), 2);
        assert_int_equal(answered(j, "OSK", "SV"), 1);
        json_decref(j);
        /* --center with two files is a usage error. */
        TU_IK(&r, url, "survey", "import", "--wave", "W1", "--center", "TKY", tky, osk);
        TU_ONE_LINE_EXIT2(&r, "expected --wave W --center C FILE");
        tu_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_survey_cli),          cmocka_unit_test(test_score_and_rank_demo),
        cmocka_unit_test(test_drivers_and_compare), cmocka_unit_test(test_export_demo),
        cmocka_unit_test(test_import_exports),      cmocka_unit_test(test_import_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
