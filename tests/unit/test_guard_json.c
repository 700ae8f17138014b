/* The line writer of `ikiiki guard analyze --json` against the jansson tree it replaced: reals,
 * strings and integers of the JSON writer, then every line of the guard's dev and held-out sets
 * (as customer and as operator) through the real detector, byte for byte. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/jsonw.h"
#include "guard/result_json.h"
#include "testutil.h"

#define FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12))

/* jansson's text for v (taken), and the writer's text in b, must be equal. */
static void same(json_t *v, const struct buf *b, size_t flags)
{
    char *want = json_dumps(v, flags);
    assert_non_null(want);
    assert_non_null(b->data);
    if (strcmp(want, b->data) != 0)
        fail_msg("jansson \"%s\", writer \"%s\"", want, b->data);
    free(want);
    json_decref(v);
}

static uint64_t rng = 0x16A16A2026ull;

static uint64_t next(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void check_real(double v, int precision)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(jsonw_real(&b, v, precision), 0);
    same(json_real(v), &b, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION((size_t)precision));
    buf_release(&b);
}

static void test_reals(void **state)
{
    (void)state;
    static const double edge[] = {0.0,
                                  -0.0,
                                  1.0,
                                  -1.0,
                                  0.5,
                                  0.1,
                                  0.979,
                                  0.85,
                                  1e-7,
                                  1e-5,
                                  1e-4,
                                  123456.0,
                                  1e11,
                                  1e12,
                                  1e15,
                                  1e16,
                                  1e17,
                                  1e21,
                                  1e22,
                                  1e100,
                                  1e-100,
                                  1e-300,
                                  1e308,
                                  5e-324,
                                  2.5e-8,
                                  -3.75e22,
                                  1.0 / 3,
                                  2.0 / 3,
                                  100.0,
                                  99.999999999999,
                                  0.30000000000000004};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        for (int p = 1; p <= 17; p++)
            check_real(edge[i], p);
    for (int i = 0; i < 200000; i++) {
        double v;
        uint64_t bits = next();
        switch (i % 3) {
        case 0: /* any finite double */
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v))
                continue;
            break;
        case 1: /* scores and weights as the detector makes them */
            v = (double)(bits % 100001) / 100000.0;
            break;
        default:
            v = (double)(int64_t)(bits % 2000001 - 1000000) * pow(10.0, (double)(i % 41 - 20));
        }
        check_real(v, i % 2 ? 12 : (int)(bits % 17) + 1);
    }
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(jsonw_real(&b, NAN, 12), JSONW_EINVAL);
    assert_int_equal(jsonw_real(&b, INFINITY, 12), JSONW_EINVAL);
    assert_null(json_real(NAN)); /* the tree refused them too */
    buf_release(&b);
}

static void test_strings(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    for (int c = 0; c < 0x80; c++) {
        char s[3] = {'a', (char)c, 'z'};
        buf_reset(&b);
        assert_int_equal(jsonw_str(&b, s, 3), 0);
        same(json_stringn(s, 3), &b, FLAGS);
    }
    static const char *const texts[] = {"",
                                        "殺すぞ",
                                        "ｺﾛｽぞ\t「お前」\r\n",
                                        "女|男|外国人 ... くせ",
                                        "\"quoted\" \\back\\ /slash/",
                                        "\x7f\xc2\x80\xef\xbf\xbd\xf0\x9f\x98\x80"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        buf_reset(&b);
        assert_int_equal(jsonw_cstr(&b, texts[i]), 0);
        same(json_string(texts[i]), &b, FLAGS);
    }
    static const long long ints[] = {0, 1, -1, 9, 10, -10, 123456789, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        buf_reset(&b);
        assert_int_equal(jsonw_int(&b, ints[i]), 0);
        same(json_integer(ints[i]), &b, FLAGS);
    }
    buf_reset(&b);
    assert_int_equal(jsonw_bool(&b, 7), 0);
    same(json_true(), &b, FLAGS);
    buf_reset(&b);
    assert_int_equal(jsonw_bool(&b, 0), 0);
    same(json_false(), &b, FLAGS);
    buf_release(&b);
}

/* The tree `guard analyze --json` printed per line before the writer. */
static json_t *line_tree(int no, enum guard_speaker who, const struct guard_result *r)
{
    json_t *cats = json_array(), *spans = json_array();
    for (int i = 0; i < r->ncat; i++)
        json_array_append_new(cats, json_string(r->cat[i].code));
    for (int i = 0; i < r->nspan; i++)
        json_array_append_new(
            spans, json_pack("{s:I, s:I, s:s, s:s, s:f}", "off", (json_int_t)r->span[i].off, "len",
                             (json_int_t)r->span[i].len, "category", r->span[i].category, "term",
                             r->span[i].term, "weight", r->span[i].weight));
    return json_pack("{s:i, s:s, s:b, s:o, s:f, s:o}", "line", no, "speaker",
                     who == GUARD_CUSTOMER ? "customer" : "operator", "harassment", r->harassment,
                     "categories", cats, "score", r->score, "spans", spans);
}

static int check_file(guard_detector *det, const char *name, int *nspans)
{
    char path[512];
    snprintf(path, sizeof path, "%s/guard/%s", getenv("IKIIKI_TEST_DATA"), name);
    size_t len;
    char *data = tu_read_file(path, &len);
    assert_non_null(data);
    struct buf b;
    buf_init(&b, 0);
    int lines = 0, no = 0;
    for (char *sv, *line = strtok_r(data, "\n", &sv); line; line = strtok_r(NULL, "\n", &sv)) {
        no++;
        char *text = strchr(line, '\t');
        if (line[0] == '#' || !text || strncmp(line, "speaker\t", 8) == 0)
            continue;
        text++;
        char *end = strchr(text, '\t');
        size_t n = end ? (size_t)(end - text) : strlen(text);
        for (int who = 0; who < 2; who++) {
            enum guard_speaker sp = who ? GUARD_OPERATOR : GUARD_CUSTOMER;
            struct guard_result r;
            assert_int_equal(guard_detect(det, text, n, sp, &r), 0);
            buf_reset(&b);
            assert_int_equal(guard_result_line(&b, no, sp, &r), 0);
            same(line_tree(no, sp, &r), &b, JSON_COMPACT | JSON_REAL_PRECISION(12));
            *nspans += r.nspan;
            lines++;
        }
    }
    buf_release(&b);
    free(data);
    return lines;
}

static void test_guard_lines(void **state)
{
    (void)state;
    char err[300];
    ja_dict *d = NULL;
    guard_lexicon *lx = NULL;
    assert_int_equal(ja_dict_open(&d, err, sizeof err), 0);
    if (guard_lexicon_load(IKIIKI_DATADIR "/lexicon/ja.tsv", NULL, 0, &lx, err, sizeof err))
        fail_msg("%s", err);
    guard_detector *det = guard_detector_new(lx, d);
    assert_non_null(det);
    int nspans = 0;
    int lines = check_file(det, "ja-dev.tsv", &nspans) + check_file(det, "ja-holdout.tsv", &nspans);
    /* The sets hold hundreds of lines, many with spans: the comparison covered real output. */
    assert_true(lines > 800);
    assert_true(nspans > 300);
    guard_detector_free(det);
    guard_lexicon_free(lx);
    ja_dict_close(d);
}

/* A result whose score is not a number printed nothing before, and prints nothing now. */
static void test_not_a_number(void **state)
{
    (void)state;
    struct guard_result r = {.harassment = 1, .score = NAN};
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(guard_result_line(&b, 1, GUARD_CUSTOMER, &r), JSONW_EINVAL);
    assert_int_equal(b.len, 0);
    assert_null(line_tree(1, GUARD_CUSTOMER, &r));
    r.score = 0.5;
    r.nspan = 2;
    r.span[0] =
        (struct guard_span){.off = 0, .len = 3, .category = "abuse", .term = "a", .weight = NAN};
    r.span[1] =
        (struct guard_span){.off = 3, .len = 3, .category = "abuse", .term = "b", .weight = 0.25};
    assert_int_equal(guard_result_line(&b, 2, GUARD_CUSTOMER, &r), 0);
    same(line_tree(2, GUARD_CUSTOMER, &r), &b, JSON_COMPACT | JSON_REAL_PRECISION(12));
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reals),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_guard_lines),
        cmocka_unit_test(test_not_a_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
