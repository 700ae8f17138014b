/* Comment analysis through real MeCab: terms (compound nouns, negation, stop list), pairs,
 * surfaced comments, and the anonymity rule for comments (10 respondents). Every expected count
 * is worked out by hand from the comments beside it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ja.h"
#include "survey/disclose.h"
#include "core/util.h"
#include "org/org.h"
#include "survey/comments.h"

static survey_comment_words *words;
static ja_dict *dict;
static ja_tagger *tagger;

static int setup(void **state)
{
    (void)state;
    char path[1024], err[300];
    snprintf(path, sizeof path, "%s/../../data/survey/comment_words.tsv",
             getenv("IKIIKI_TEST_DATA"));
    if (survey_comment_words_load(path, &words, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (ja_dict_open(&dict, err, sizeof err) != 0 || !(tagger = ja_tagger_new(dict)))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ja_tagger_free(tagger);
    ja_dict_close(dict);
    survey_comment_words_free(words);
    return 0;
}

/* n respondents, all operators unless changed. */
static struct survey_respondent *people(size_t n)
{
    struct survey_respondent *r = calloc(n, sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i].position = POS_OP;
    return r;
}

static json_t *term(json_t *terms, const char *text)
{
    size_t i;
    json_t *t;
    json_array_foreach(
        terms, i, t) if (strcmp(json_string_value(json_object_get(t, "term")), text) == 0) return t;
    return NULL;
}

static long count_of(json_t *terms, const char *text, const char *field)
{
    json_t *t = term(terms, text);
    return t ? (long)json_integer_value(json_object_get(t, field)) : -1;
}

static void terms_pairs_and_stop_words(void **state)
{
    (void)state;
    struct survey_respondent *r = people(10);
    char *c[10] = {
        "休憩が取れない。休憩室が狭い。", "休憩が取れない日がある", "研修が充実している", NULL, "",
    };
    json_t *j = survey_comments_json(words, tagger, r, c, 10, 0);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "respondents")), 10);
    assert_int_equal(json_integer_value(json_object_get(j, "comments")), 3);
    assert_false(json_is_true(json_object_get(j, "suppressed")));
    json_t *terms = json_object_get(j, "terms");
    /* 休憩 twice in two comments; 休憩室 is one compound noun, not 休憩 + 室. */
    assert_int_equal(count_of(terms, "休憩", "count"), 2);
    assert_int_equal(count_of(terms, "休憩", "docs"), 2);
    assert_int_equal(count_of(terms, "休憩室", "count"), 1);
    /* 取れない is the negated verb, kept apart from 取れる. */
    assert_int_equal(count_of(terms, "取れる(否定)", "docs"), 2);
    assert_int_equal(count_of(terms, "取れる", "count"), -1);
    assert_string_equal(json_string_value(json_object_get(term(terms, "狭い"), "pos")), "adj");
    /* ある, する (stop list) and 日 (a dependent noun) are not terms. */
    assert_int_equal(count_of(terms, "ある", "count"), -1);
    assert_int_equal(count_of(terms, "する", "count"), -1);
    assert_int_equal(count_of(terms, "日", "count"), -1);
    /* The first term is the most frequent: 休憩 (2, docs 2) ties 取れる(否定) (2, 2); the text
     * order decides (UTF-8 bytes: 休 E4BC91 < 取 E58F96). */
    assert_string_equal(json_string_value(json_object_get(json_array_get(terms, 0), "term")),
                        "休憩");
    /* The top pair: 休憩 and 取れる(否定) together in two comments. */
    json_t *p0 = json_array_get(json_object_get(j, "pairs"), 0);
    assert_int_equal(json_integer_value(json_object_get(p0, "docs")), 2);
    json_t *pt = json_object_get(p0, "terms");
    assert_string_equal(json_string_value(json_array_get(pt, 0)), "休憩");
    assert_string_equal(json_string_value(json_array_get(pt, 1)), "取れる(否定)");
    assert_int_equal(json_array_size(json_object_get(j, "alerts")), 0);
    json_decref(j);
    free(r);
}

static void surfaces_harassment_and_fear_of_customers(void **state)
{
    (void)state;
    struct survey_respondent *r = people(12);
    char *c[12] = {
        "お客様に長時間怒鳴られた", /* harassment: 怒鳴る as a word, inflected */
        "ｶｽﾊﾗへの対策をしてほしい", /* harassment: カスハラ in the text after NFKC */
        "電話に出るのが怖いです",   /* fear, with a customer word (電話) */
        "昇格試験が怖い",           /* fear without customers: not surfaced */
        "チームの雰囲気が良い",     /* nothing */
        "ＳＶがフォローしてくれる", /* full width folds to SV */
    };
    json_t *j = survey_comments_json(words, tagger, r, c, 12, 10);
    assert_non_null(j);
    json_t *alerts = json_object_get(j, "alerts");
    assert_int_equal(json_array_size(alerts), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "alert_count")), 3);
    json_t *a0 = json_array_get(alerts, 0), *a1 = json_array_get(alerts, 1);
    json_t *a2 = json_array_get(alerts, 2);
    assert_string_equal(json_string_value(json_object_get(a0, "kind")), "harassment");
    assert_string_equal(json_string_value(json_array_get(json_object_get(a0, "words"), 0)),
                        "怒鳴る");
    assert_string_equal(json_string_value(json_object_get(a0, "text")), c[0]);
    assert_string_equal(json_string_value(json_object_get(a1, "kind")), "harassment");
    assert_string_equal(json_string_value(json_array_get(json_object_get(a1, "words"), 0)),
                        "カスハラ");
    assert_string_equal(json_string_value(json_object_get(a2, "kind")), "fear");
    assert_string_equal(json_string_value(json_object_get(a2, "text")), c[2]);
    assert_int_equal(count_of(json_object_get(j, "terms"), "SV", "count"), 1);
    json_decref(j);
    free(r);
}

static void small_groups_show_no_comments(void **state)
{
    (void)state;
    /* A center of 9: counts only, the alert counted but not shown. */
    struct survey_respondent *r = people(25);
    char *c[25] = {"お客様に怒鳴られた", "休憩が取れない"};
    json_t *j = survey_comments_json(words, tagger, r, c, 9, 10);
    assert_true(json_is_true(json_object_get(j, "suppressed")));
    assert_true(json_is_null(json_object_get(j, "terms")));
    assert_true(json_is_null(json_object_get(j, "alerts")));
    assert_int_equal(json_integer_value(json_object_get(j, "alert_count")), 1);
    json_decref(j);
    /* 25 people: OP 12, SV 10, MGR 3. MGR is under 10, and as the only hidden sibling it takes
     * the next smallest (SV) with it, so SV's terms cannot be had as center − OP − MGR. */
    for (int i = 12; i < 22; i++)
        r[i].position = POS_SV;
    for (int i = 22; i < 25; i++)
        r[i].position = POS_MGR;
    c[12] = "シフトの相談がしやすい";
    j = survey_comments_json(words, tagger, r, c, 25, 10);
    json_t *pos = json_object_get(json_object_get(j, "groups"), "position");
    json_t *op = json_object_get(pos, "OP"), *sv = json_object_get(pos, "SV");
    json_t *mgr = json_object_get(pos, "MGR");
    assert_false(json_is_true(json_object_get(op, "suppressed")));
    assert_int_equal(json_integer_value(json_object_get(op, "comments")), 2);
    assert_int_equal(count_of(json_object_get(op, "terms"), "休憩", "count"), 1);
    assert_true(json_is_true(json_object_get(sv, "suppressed")));
    assert_true(json_is_null(json_object_get(sv, "terms")));
    assert_true(json_is_true(json_object_get(mgr, "suppressed")));
    assert_int_equal(json_integer_value(json_object_get(mgr, "respondents")), 3);
    /* Nobody has a segment: they are all one group, the blank one. */
    json_t *seg = json_object_get(json_object_get(j, "groups"), "segment");
    assert_int_equal(json_object_size(seg), 1);
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(seg, SURVEY_BLANK_GROUP), "respondents")),
                     25);
    json_decref(j);
    free(r);
}

static void word_list_errors_name_the_line(void **state)
{
    (void)state;
    char path[] = "/tmp/ikiiki-words-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "kind\tword\tmatch\nstop\tする\tword\nanger\t怒る\tword\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    survey_comment_words *w = NULL;
    char err[300];
    assert_int_equal(survey_comment_words_load(path, &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 3"));
    assert_non_null(strstr(err, "\"anger\""));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(terms_pairs_and_stop_words),
        cmocka_unit_test(surfaces_harassment_and_fear_of_customers),
        cmocka_unit_test(small_groups_show_no_comments),
        cmocka_unit_test(word_list_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
