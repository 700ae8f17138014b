/* The PDF report through the binary on both backends: a real PDF whose text (read back with
 * pdftotext) holds the center, its respondents and its element scores as `survey score` gives
 * them, and never a comment's text; a file that cannot be written is a one-line error with
 * nothing left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char *run_ok(const char *url, const char *const *words)
{
    struct tu_result r;
    assert_int_equal(tu_ikiiki(url, words, NULL, &r), 0);
    if (r.status != 0)
        fail_msg("%s %s: exit %d: %s", words[0], words[1], r.status, r.err);
    char *out = r.out;
    r.out = NULL;
    tu_result_free(&r);
    return out;
}

static char *pdf_text(const char *path)
{
    char *argv[] = {"/usr/bin/pdftotext", "-layout", (char *)path, "-", NULL};
    struct tu_result r;
    assert_int_equal(tu_run(argv, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    char *out = r.out;
    r.out = NULL;
    tu_result_free(&r);
    return out;
}

static void test_report(void **state)
{
    (void)state;
    for (int b = 0; b < 2; b++) {
        char url[512], dir[] = "/tmp/ikiiki-report-XXXXXX", pdf[600];
        if (tu_db_url(tu_backends[b], "svrep", url, sizeof url))
            continue;
        free(run_ok(url, (const char *const[]){"init", "--demo", NULL}));
        assert_non_null(mkdtemp(dir));
        snprintf(pdf, sizeof pdf, "%s/TKY.pdf", dir);
        free(run_ok(url, (const char *const[]){"survey", "report", "--wave", "2026-AUTUMN",
                                               "--center", "TKY", "--pdf", pdf, NULL}));
        FILE *f = fopen(pdf, "rb");
        assert_non_null(f);
        char magic[5] = "";
        assert_int_equal(fread(magic, 1, 4, f), 4);
        fclose(f);
        assert_memory_equal(magic, "%PDF", 4);
        char *text = pdf_text(pdf);
        char *score = run_ok(url, (const char *const[]){"survey", "score", "--wave", "2026-AUTUMN",
                                                        "--center", "TKY", "--json", NULL});
        json_t *j = json_loads(score, 0, NULL);
        free(score);
        json_t *c = json_array_get(json_object_get(j, "centers"), 0);
        char want[64];
        snprintf(want, sizeof want, "回答者 %lld 人",
                 (long long)json_integer_value(json_object_get(c, "respondents")));
        assert_non_null(strstr(text, want));
        assert_non_null(strstr(text, "TKY"));
        const char *elements[] = {"growth", "recognition", "team",    "agency",
                                  "trust",  "workplace",   "worklife"};
        for (size_t e = 0; e < 7; e++) {
            double v = json_real_value(json_object_get(
                json_object_get(json_object_get(c, "elements"), elements[e]), "top3"));
            snprintf(want, sizeof want, "%.1f%%", v * 100);
            if (!strstr(text, want))
                fail_msg("element %s: %s not in the report", elements[e], want);
        }
        assert_non_null(strstr(text, "学びと成長"));
        assert_non_null(strstr(text, "G01"));
        /* Counted, never quoted: a demo comment's words stay out of the report. */
        assert_null(strstr(text, "怒鳴られる"));
        json_decref(j);
        free(text);
        unlink(pdf);
        /* A folder that does not exist: exit 2, one line, no file. */
        char bad[700];
        snprintf(bad, sizeof bad, "%s/missing/TKY.pdf", dir);
        struct tu_result r;
        assert_int_equal(
            tu_ikiiki(url,
                      (const char *const[]){"survey", "report", "--wave", "2026-AUTUMN", "--center",
                                            "TKY", "--pdf", bad, NULL},
                      NULL, &r),
            0);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "missing/TKY.pdf"));
        assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1); /* one line */
        tu_result_free(&r);
        assert_int_equal(rmdir(dir), 0); /* empty: no temporary file left */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_report)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
