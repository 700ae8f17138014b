/* The call guard's lexical detector: surface variants, negation, reported speech, operator
 * speech, spans, lexicon errors, threads, and the dev / held-out sets with precision, recall
 * and F1 per category and for harassment-vs-not. Real MeCab, the real data/lexicon/ja.tsv. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "guard/detect.h"

#define MAX_CODES 16

static ja_dict *dict;
static guard_lexicon *lex;
static char codes[MAX_CODES][GUARD_CODE_MAX];
static const char *code_ptr[MAX_CODES];
static int ncodes;

static int setup(void **state)
{
    (void)state;
    char err[300];
    json_error_t jerr;
    json_t *pol = json_load_file(IKIIKI_DATADIR "/policy/default.json", 0, &jerr);
    if (!pol)
        return -1;
    json_t *cats = json_object_get(pol, "categories"), *c;
    size_t i;
    json_array_foreach(cats, i, c)
    {
        if (ncodes < MAX_CODES) {
            snprintf(codes[ncodes], GUARD_CODE_MAX, "%s",
                     json_string_value(json_object_get(c, "code")));
            code_ptr[ncodes] = codes[ncodes];
            ncodes++;
        }
    }
    json_decref(pol);
    if (ja_dict_open(&dict, err, sizeof err) != 0)
        return -1;
    if (guard_lexicon_load(IKIIKI_DATADIR "/lexicon/ja.tsv", code_ptr, ncodes, &lex, err,
                           sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    guard_lexicon_free(lex);
    ja_dict_close(dict);
    return 0;
}

static double cat_score(const struct guard_result *r, const char *code)
{
    for (int i = 0; i < r->ncat; i++)
        if (strcmp(r->cat[i].code, code) == 0)
            return r->cat[i].score;
    return 0;
}

static int has_demand(const struct guard_result *r, const char *kind)
{
    for (int i = 0; i < r->ndemand; i++)
        if (strcmp(r->demand[i], kind) == 0)
            return 1;
    return 0;
}

static struct guard_result detect(guard_detector *det, const char *s, enum guard_speaker who)
{
    struct guard_result r;
    assert_int_equal(guard_detect(det, s, strlen(s), who, &r), 0);
    return r;
}

static void expect_category(guard_detector *det, const char *s, const char *code)
{
    struct guard_result r = detect(det, s, GUARD_CUSTOMER);
    if (!r.harassment || cat_score(&r, code) < GUARD_THRESHOLD)
        fail_msg("\"%s\": expected %s, got score %.2f (%s %.2f)", s, code, r.score,
                 r.ncat ? r.cat[0].code : "-", r.ncat ? r.cat[0].score : 0.0);
}

static void expect_clean(guard_detector *det, const char *s)
{
    struct guard_result r = detect(det, s, GUARD_CUSTOMER);
    if (r.harassment)
        fail_msg("\"%s\": expected no harassment, got %s %.2f", s, r.cat[0].code, r.cat[0].score);
}

static void surface_variants(void **state)
{
    (void)state;
    guard_detector *det = guard_detector_new(lex, dict);
    assert_non_null(det);
    const char *kill[] = {"殺すぞ", "ころすぞ", "コロスぞ", "ｺﾛｽぞ", "殺してやる", "ぶっ殺す"};
    for (size_t i = 0; i < sizeof kill / sizeof kill[0]; i++)
        expect_category(det, kill[i], "threat");
    const char *die[] = {"死ね", "しね", "シネ", "ｼﾈ", "死ねよ", "死んでしまえ"};
    for (size_t i = 0; i < sizeof die / sizeof die[0]; i++)
        expect_category(det, die[i], "abuse");
    const char *fool[] = {"ふざけるな", "ふざけんな", "ふざけてんのか", "ふざけんじゃねえ"};
    for (size_t i = 0; i < sizeof fool / sizeof fool[0]; i++)
        expect_category(det, fool[i], "abuse");
    const char *baka[] = {"バカ", "馬鹿", "ばか", "ﾊﾞｶ", "お前バカだろ"};
    for (size_t i = 0; i < sizeof baka / sizeof baka[0]; i++)
        expect_category(det, baka[i], "insult");
    const char *dogeza[] = {"土下座しろ", "土下座して謝れ", "ここで土下座しろよ"};
    for (size_t i = 0; i < sizeof dogeza / sizeof dogeza[0]; i++) {
        expect_category(det, dogeza[i], "forced_apology");
        struct guard_result r = detect(det, dogeza[i], GUARD_CUSTOMER);
        assert_true(has_demand(&r, "dogeza"));
    }
    /* Words that only contain the letters. */
    const char *inside[] = {"殺菌しました", "バカンスの予約", "しねえよ", "カスタマーサポート"};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++)
        expect_clean(det, inside[i]);
    guard_detector_free(det);
}

static void negation_and_reported_speech(void **state)
{
    (void)state;
    guard_detector *det = guard_detector_new(lex, dict);
    assert_non_null(det);
    const char *s[] = {"殺すなんて言ってない", "『バカ』と言われたと聞いた",
                       "死ねとは言っていません", "殴るつもりはありません",
                       "土下座しろとは言わないけど"};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        expect_clean(det, s[i]);
    /* Reported speech still leaves a weak span as evidence; a negation leaves none. */
    struct guard_result r = detect(det, "前の担当者にバカって言われた", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 0);
    assert_true(r.nspan >= 1);
    assert_true(r.span[0].weight < 0.2);
    r = detect(det, "殺さないよ", GUARD_CUSTOMER);
    assert_int_equal(r.nspan, 0);
    /* A prohibitive な or んじゃねえ is not a negation. */
    expect_category(det, "なめんなよ", "abuse");
    guard_detector_free(det);
}

static void legitimate_complaints_are_demands(void **state)
{
    (void)state;
    guard_detector *det = guard_detector_new(lex, dict);
    assert_non_null(det);
    struct guard_result r = detect(det, "返金してほしい", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 0);
    assert_true(has_demand(&r, "refund"));
    r = detect(det, "責任者と話したい", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 0);
    assert_true(has_demand(&r, "manager"));
    r = detect(det, "二度と買わない", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 0);
    assert_int_equal(r.ndemand, 0);
    r = detect(det, "返金はいらないです", GUARD_CUSTOMER);
    assert_false(has_demand(&r, "refund"));
    guard_detector_free(det);
}

static void operator_is_never_customer_harassment(void **state)
{
    (void)state;
    guard_detector *det = guard_detector_new(lex, dict);
    assert_non_null(det);
    struct guard_result r = detect(det, "殺すぞ", GUARD_OPERATOR);
    assert_int_equal(r.harassment, 0);
    assert_true(r.nspan >= 1);
    assert_string_equal(r.span[0].category, "threat");
    assert_true(cat_score(&r, "threat") >= GUARD_THRESHOLD);
    r = detect(det, "殺すぞ", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 1);
    guard_detector_free(det);
}

static void spans_point_into_norm(void **state)
{
    (void)state;
    guard_detector *det = guard_detector_new(lex, dict);
    assert_non_null(det);
    struct guard_result r = detect(det, "ちょっと、ｺﾛｽぞ", GUARD_CUSTOMER);
    assert_string_equal(r.norm, "ちょっと、コロスぞ");
    assert_int_equal(r.nspan, 1);
    assert_int_equal(r.span[0].off, strlen("ちょっと、"));
    assert_int_equal(r.span[0].len, strlen("コロス"));
    assert_string_equal(r.span[0].term, "殺す");
    assert_true(r.span[0].line > 0);
    r = detect(det, "おい、土下座して謝れ", GUARD_CUSTOMER);
    int found = 0;
    for (int i = 0; i < r.nspan; i++)
        if (strcmp(r.span[i].category, "forced_apology") == 0 &&
            r.span[i].len == strlen("土下座") &&
            memcmp(r.norm + r.span[i].off, "土下座", r.span[i].len) == 0)
            found = 1;
    assert_true(found);
    /* Invalid UTF-8 and over-long input are refused. */
    assert_int_equal(guard_detect(det, "\xff\xfe", 2, GUARD_CUSTOMER, &r), -1);
    char *big = malloc(GUARD_TEXT_MAX + 1);
    assert_non_null(big);
    memset(big, 'a', GUARD_TEXT_MAX + 1);
    assert_int_equal(guard_detect(det, big, GUARD_TEXT_MAX + 1, GUARD_CUSTOMER, &r), -1);
    free(big);
    assert_int_equal(guard_detect(det, "", 0, GUARD_CUSTOMER, &r), 0);
    assert_int_equal(r.harassment, 0);
    guard_detector_free(det);
}

static void expect_load_error(const char *text, const char *want)
{
    char err[300] = "";
    guard_lexicon *lx = NULL;
    int rc = guard_lexicon_parse("t.tsv", text, strlen(text), dict, code_ptr, ncodes, &lx, err,
                                 sizeof err);
    if (rc == 0) {
        guard_lexicon_free(lx);
        fail_msg("loaded, expected \"%s\"", want);
    }
    if (!strstr(err, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

static void lexicon_errors(void **state)
{
    (void)state;
    expect_load_error("term\tcategory\tweight\tnotes\n殺す\tthreat\t0.9\n死ぬ:imp\tabuse\n",
                      "t.tsv: line 3: expected 3 or 4 tab-separated fields");
    expect_load_error("# c\n殺す\tmurder\t0.9\n",
                      "line 2: category \"murder\" is not in the policy");
    expect_load_error("殺す\tthreat\t1.5\n", "line 1: weight \"1.5\" is not a number from 0 to 1");
    expect_load_error("殺す\tthreat\t-\n", "line 1: weight \"-\" is only for demand kinds");
    expect_load_error("\n\n「くそ\tabuse\t0.5\n", "line 3: literal \"「くそ\" is not closed");
    expect_load_error("… 殺す\tthreat\t0.5\n", "line 1: \"…\" must stand between two elements");
    expect_load_error("殺す:now\tthreat\t0.5\n", "the only flag is :imp");
    expect_load_error("殺す\tThreat\t0.5\n", "is not a code");
    expect_load_error("# only a comment\n", "t.tsv: no entries");
    expect_load_error("a|||b\tthreat\t0.5\n", "empty alternative");
    char err[300];
    guard_lexicon *lx = NULL;
    assert_int_equal(guard_lexicon_load("/nonexistent/ja.tsv", NULL, 0, &lx, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/ja.tsv"));
    /* Without a list of codes any well-formed code is taken; demand kinds are always free. */
    const char *ok = "\xEF\xBB\xBFterm\tcategory\tweight\r\n殴る\tmy_cat,demand:x\t0.7\r\n";
    assert_int_equal(
        guard_lexicon_parse("t.tsv", ok, strlen(ok), dict, NULL, 0, &lx, err, sizeof err), 0);
    assert_int_equal(guard_lexicon_size(lx), 1);
    guard_detector *det = guard_detector_new(lx, dict);
    assert_non_null(det);
    struct guard_result r = detect(det, "殴るぞ", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 1);
    assert_string_equal(r.cat[0].code, "my_cat");
    assert_true(has_demand(&r, "x"));
    guard_detector_free(det);
    guard_lexicon_free(lx);
}

/* False alarms issue 15 named: a weather or disaster term holding a violent word, and a caller
 * saying that they felt insulted. */
static void false_alarm_regressions(void **state)
{
    (void)state;
    guard_detector *det = guard_detector_new(lex, dict);
    assert_non_null(det);
    const char *s[] = {
        "爆弾低気圧のせいで荷物が遅れるそうです", "殺人的な暑さで倒れそうです",
        "台風で看板が吹っ飛ばされました",         "猛暑で死にそうなので早く修理に来てほしい",
        "雷がすごくて殺されるかと思った",         "前の人にバカにされた気がしました",
        "侮辱されたように感じて悲しかったです",   "アホ扱いされて悔しかった",
        "年寄りだからってなめられてる気がする",   "女だからって馬鹿にされたと感じました",
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        expect_clean(det, s[i]);
    guard_detector_free(det);
}

/* The learned stage: loaded from beside the lexicon; a category it alone is sure of is flagged
 * with the features that raised it as reasons; the lexicon keeps its own score beside it. */
static void learned_stage(void **state)
{
    (void)state;
    assert_true(guard_lexicon_model_size(lex) > 1000);
    guard_detector *det = guard_detector_new(lex, dict);
    assert_non_null(det);
    struct guard_result r = detect(det, "仕事できなくしてやろうか", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 1);
    assert_string_equal(r.cat[0].code, "threat");
    assert_true(r.cat[0].lexical < GUARD_THRESHOLD);
    assert_true(r.cat[0].model >= GUARD_MODEL_THRESHOLD);
    assert_true(r.nfeat >= 1);
    assert_string_equal(r.feat[0].category, "threat");
    assert_true(r.feat[0].weight > 0);
    guard_detector_free(det);

    /* The mechanics on a lexicon and a model of our own: σ(-2 + 5) = 0.95. */
    char err[300];
    guard_lexicon *lx = NULL;
    guard_model *m = NULL;
    const char *lt = "殴る\tphysical\t0.8\n";
    const char *mt = "# a test model\nfeature\tcategory\tweight\n(bias)\tfruit\t-2\n"
                     "w:ぶどう\tfruit\t5\nlex:physical\tphysical\t4\n(bias)\tphysical\t-3\n";
    assert_int_equal(
        guard_lexicon_parse("t.tsv", lt, strlen(lt), dict, NULL, 0, &lx, err, sizeof err), 0);
    if (guard_model_parse("m.tsv", mt, strlen(mt), &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    guard_lexicon_set_model(lx, m);
    assert_int_equal(guard_lexicon_model_size(lx), 2);
    det = guard_detector_new(lx, dict);
    assert_non_null(det);
    r = detect(det, "ぶどうが好きです", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 1);
    assert_string_equal(r.cat[0].code, "fruit");
    assert_true(r.cat[0].score > 0.94 && r.cat[0].score < 0.96);
    assert_int_equal(r.nfeat, 1);
    assert_string_equal(r.feat[0].name, "w:ぶどう");
    r = detect(det, "りんごが好きです", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 0);
    /* 殴る: the lexicon says 0.8; the model σ(-3 + 4 × 0.8) = 0.55 is under its threshold, so
     * the lexicon's score stands. */
    r = detect(det, "殴るぞ", GUARD_CUSTOMER);
    assert_int_equal(r.harassment, 1);
    assert_true(r.cat[0].score > 0.79 && r.cat[0].score < 0.81);
    assert_true(r.cat[0].model > 0.5 && r.cat[0].model < 0.6);
    guard_detector_free(det);
    guard_lexicon_free(lx);
}

static void expect_model_error(const char *text, const char *want)
{
    char err[300] = "";
    guard_model *m = NULL;
    if (guard_model_parse("m.tsv", text, strlen(text), &m, err, sizeof err) == 0) {
        guard_model_free(m);
        fail_msg("loaded, expected \"%s\"", want);
    }
    if (!strstr(err, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

static void model_errors(void **state)
{
    (void)state;
    expect_model_error("w:a\tthreat\n", "m.tsv: line 1: expected 3 tab-separated fields");
    expect_model_error("# c\nw:a\tthreat\tx1\n", "line 2: weight \"x1\" is not a number");
    expect_model_error("w:a\tthreat\t1e9\n", "from -1000 to 1000");
    expect_model_error("w:a\tThreat\t1\n", "category \"Threat\" is not a code");
    expect_model_error("(tilt)\tthreat\t1\n", "unknown reserved feature \"(tilt)\"");
    expect_model_error("w:a\tthreat\t1\nw:a\tthreat\t2\n", "feature \"w:a\" has two weights");
    expect_model_error("# nothing\n", "m.tsv: no categories");
    expect_model_error("\tthreat\t1\n", "feature must be 1 to");
    /* A model file beside a lexicon that does not parse makes the load fail, naming it. */
    char dir[] = "/tmp/ikiiki-model-XXXXXX", path[600], err[600];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/x-model.tsv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("w:a\tthreat\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/x.tsv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("殴る\tphysical\t0.8\n", f);
    fclose(f);
    guard_lexicon *lx = NULL;
    assert_int_equal(guard_lexicon_load(path, NULL, 0, &lx, err, sizeof err), -1);
    assert_null(lx);
    assert_non_null(strstr(err, "x-model.tsv: line 1"));
    unlink(path);
    snprintf(path, sizeof path, "%s/x-model.tsv", dir);
    unlink(path);
    rmdir(dir);
}

/* ---- threads: one lexicon, one detector per thread ---- */

struct worker {
    int harassed;
    int fails;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    guard_detector *det = guard_detector_new(lex, dict);
    if (!det) {
        w->fails++;
        return NULL;
    }
    const char *s[] = {"殺すぞ", "返金してほしい", "バカ野郎", "ありがとうございます"};
    for (int i = 0; i < 2000; i++) {
        struct guard_result r;
        if (guard_detect(det, s[i % 4], strlen(s[i % 4]), GUARD_CUSTOMER, &r) != 0)
            w->fails++;
        else
            w->harassed += r.harassment;
    }
    guard_detector_free(det);
    return NULL;
}

static void threads_share_the_lexicon(void **state)
{
    (void)state;
    pthread_t th[4];
    struct worker w[4] = {{0}};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].fails, 0);
        assert_int_equal(w[i].harassed, 1000);
    }
}

/* ---- dev and held-out sets ---- */

struct tally {
    int tp, fp, fn;
};

static double prec(struct tally t)
{
    return t.tp + t.fp ? (double)t.tp / (t.tp + t.fp) : 1.0;
}

static double rec(struct tally t)
{
    return t.tp + t.fn ? (double)t.tp / (t.tp + t.fn) : 1.0;
}

static double f1(struct tally t)
{
    double p = prec(t), r = rec(t);
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

static int lists(const char *list, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && memcmp(p, code, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

/* Runs one set; prints figures (and with verbose the misses); returns harassment-vs-not, and the
 * per-category tallies in cat_out (ncodes entries) when it is not NULL. */
static struct tally evaluate_cats(const char *file, int verbose, struct tally *cat_out)
{
    char path[600];
    const char *dir = getenv("IKIIKI_TEST_DATA");
    snprintf(path, sizeof path, "%s/guard/%s", dir ? dir : "tests/data", file);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    guard_detector *det = guard_detector_new(lex, dict);
    assert_non_null(det);
    struct tally all = {0}, cat[MAX_CODES] = {{0}};
    int rows = 0, lineno = 0;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#' || strncmp(line, "speaker\t", 8) == 0)
            continue;
        char *sp = line, *text = strchr(sp, '\t');
        char *exp = text ? strchr(text + 1, '\t') : NULL;
        if (!text || !exp || (sp[0] != 'C' && sp[0] != 'O') || sp[1] != '\t')
            fail_msg("%s: line %d: expected speaker, text, categories", file, lineno);
        *text++ = '\0';
        *exp++ = '\0';
        char *notes = strchr(exp, '\t');
        if (notes)
            *notes = '\0';
        enum guard_speaker who = sp[0] == 'O' ? GUARD_OPERATOR : GUARD_CUSTOMER;
        struct guard_result r;
        assert_int_equal(guard_detect(det, text, strlen(text), who, &r), 0);
        rows++;
        if (r.harassment && r.nspan == 0 && r.nfeat == 0)
            fail_msg("%s: line %d: a detection without reasons", file, lineno);
        int want = who == GUARD_CUSTOMER && strcmp(exp, "-") != 0;
        all.tp += want && r.harassment;
        all.fp += !want && r.harassment;
        all.fn += want && !r.harassment;
        if (verbose && want != r.harassment)
            printf("  %s %s: %s [%s] got %s %.2f\n", want ? "miss" : "false alarm", file, text, exp,
                   r.ncat ? r.cat[0].code : "-", r.score);
        if (who != GUARD_CUSTOMER)
            continue;
        for (int c = 0; c < ncodes; c++) {
            int w = lists(exp, codes[c]);
            int g = cat_score(&r, codes[c]) >= GUARD_THRESHOLD;
            cat[c].tp += w && g;
            cat[c].fp += !w && g;
            cat[c].fn += w && !g;
        }
    }
    fclose(f);
    guard_detector_free(det);
    printf("%s: %d utterances\n", file, rows);
    printf("  %-18s %5s %5s %5s %6s %6s %6s\n", "category", "tp", "fp", "fn", "P", "R", "F1");
    for (int c = 0; c < ncodes; c++) {
        if (cat[c].tp + cat[c].fp + cat[c].fn == 0)
            continue;
        printf("  %-18s %5d %5d %5d %6.3f %6.3f %6.3f\n", codes[c], cat[c].tp, cat[c].fp, cat[c].fn,
               prec(cat[c]), rec(cat[c]), f1(cat[c]));
    }
    printf("  %-18s %5d %5d %5d %6.3f %6.3f %6.3f\n", "harassment", all.tp, all.fp, all.fn,
           prec(all), rec(all), f1(all));
    if (cat_out)
        memcpy(cat_out, cat, sizeof cat[0] * (size_t)ncodes);
    return all;
}

static struct tally evaluate(const char *file, int verbose)
{
    return evaluate_cats(file, verbose, NULL);
}

static void dev_set(void **state)
{
    (void)state;
    /* In-sample: the lexicon was tuned and the model trained on this file. The model's honest
     * dev figures are the cross-validated ones tools/guard_train prints. */
    struct tally t = evaluate("ja-dev.tsv", getenv("GUARD_VERBOSE") != NULL);
    assert_true(f1(t) >= 0.95);
    assert_true(prec(t) >= 0.95);
}

static void holdout_set(void **state)
{
    (void)state;
    /* The first held-out set (issue 14), never tuned against: only a floor that catches a
     * broken detector. */
    struct tally t = evaluate("ja-holdout.tsv", getenv("GUARD_VERBOSE") != NULL);
    assert_true(f1(t) >= 0.60);
    assert_true(prec(t) >= 0.75);
}

static void holdout2_set(void **state)
{
    (void)state;
    /* The held-out set of issue 15, written before its tuning and never tuned against. */
    struct tally cat[MAX_CODES];
    struct tally t = evaluate_cats("ja-holdout2.tsv", getenv("GUARD_VERBOSE") != NULL, cat);
    (void)t;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(surface_variants),
        cmocka_unit_test(negation_and_reported_speech),
        cmocka_unit_test(legitimate_complaints_are_demands),
        cmocka_unit_test(operator_is_never_customer_harassment),
        cmocka_unit_test(spans_point_into_norm),
        cmocka_unit_test(lexicon_errors),
        cmocka_unit_test(false_alarm_regressions),
        cmocka_unit_test(learned_stage),
        cmocka_unit_test(model_errors),
        cmocka_unit_test(threads_share_the_lexicon),
        cmocka_unit_test(dev_set),
        cmocka_unit_test(holdout_set),
        cmocka_unit_test(holdout2_set),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
