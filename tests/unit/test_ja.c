/* NFKC and MeCab through the ja layer: the forms the detector and comment analysis rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ja.h"

static void nfkc_folds_widths(void **state)
{
    (void)state;
    const char *in = "ｺﾛｽ　ＡＢＣ１２３";
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(ja_nfkc(in, strlen(in), &out, &n), 0);
    assert_string_equal(out, "コロス ABC123");
    assert_int_equal(n, strlen("コロス ABC123"));
    free(out);
    assert_int_equal(ja_nfkc("\xff\xfe", 2, &out, NULL), -1);
}

static void katakana_to_hiragana(void **state)
{
    (void)state;
    char *out = NULL;
    const char *in = "コロス、ヴァカ!x";
    assert_int_equal(ja_kata_to_hira(in, strlen(in), &out), 0);
    assert_string_equal(out, "ころす、ゔぁか!x");
    free(out);
}

static void tags_base_forms_and_readings(void **state)
{
    (void)state;
    char err[200];
    ja_dict *d = NULL;
    assert_int_equal(ja_dict_open(&d, err, sizeof err), 0);
    ja_tagger *t = ja_tagger_new(d);
    assert_non_null(t);
    const char *s = "殺すなんて言ってない。ふざけんな";
    const struct ja_token *tk = NULL;
    size_t n = 0;
    assert_int_equal(ja_tag(t, s, strlen(s), &tk, &n), 0);
    assert_true(n >= 6);
    assert_string_equal(tk[0].base, "殺す");
    assert_string_equal(tk[0].reading, "コロス");
    assert_int_equal(tk[0].pos, JA_POS_VERB);
    assert_int_equal(tk[0].off, 0);
    assert_int_equal(tk[0].len, strlen("殺す"));
    int found_say = 0, found_fuzakeru = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(tk[i].base, "言う") == 0)
            found_say = 1;
        if (strcmp(tk[i].base, "ふざける") == 0) {
            found_fuzakeru = 1;
            assert_memory_equal(s + tk[i].off, "ふざけん", tk[i].len);
        }
    }
    assert_true(found_say);
    assert_true(found_fuzakeru);
    /* A second sentence reuses the buffers; an empty one gives no tokens. */
    assert_int_equal(ja_tag(t, "", 0, &tk, &n), 0);
    assert_int_equal(n, 0);
    ja_tagger_free(t);
    ja_dict_close(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nfkc_folds_widths),
        cmocka_unit_test(katakana_to_hiragana),
        cmocka_unit_test(tags_base_forms_and_readings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
