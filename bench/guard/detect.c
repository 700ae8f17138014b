/* Bench of the call guard's lexical detector: N synthetic customer utterances (default 1,000,000;
 * a deterministic mix of abusive and neutral phrases, 10–60 characters) through one detector on
 * one thread. Prints utterances/s and ns/utterance for guard_detect, and for MeCab alone
 * (ja_tag on the same NFKC text) so the detector's own share is visible.
 * Usage: bench_guard_detect [N] [lexicon]
 *        bench_guard_detect --emit N   prints the same N utterances as "C: text" lines, the input
 *                                      run.sh times `ikiiki guard analyze --json` on */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guard/detect.h"

static uint64_t rng = 0x1C1C1C1C2025ull;

static uint64_t next(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char *const neutral[] = {
    "先月注文した商品がまだ届いていないんですが",
    "請求書の金額が違うようなので確認してください",
    "説明書の通りにやっても電源が入りません",
    "解約の手続きについて教えてもらえますか",
    "何度も電話しているのにつながらないんです",
    "返金してほしいんですけど、どうすればいいですか",
    "責任者の方と話をさせてください",
    "配達の時間を変更したいです",
    "ポイントの有効期限はいつまでですか",
    "正直がっかりしました、二度と買わないと思います",
    "前の担当の方と説明が違うんですよ",
    "殺菌スプレーの使い方を教えてください",
    "バカンスの予約をキャンセルしたい",
    "子供が死ぬほど楽しみにしてたんです",
    "壊れていたので交換をお願いします",
    "ネットで注文したんですけど",
};
static const char *const abusive[] = {
    "ふざけんな",       "殺すぞ",
    "お前バカか",       "土下座しろ",
    "金返せよ",         "ネットに晒してやる",
    "使えねえな",       "死ね",
    "責任者出せ",       "ｺﾛｽぞ",
    "なめてんのか",     "誠意を見せろ",
    "お前の名前を言え", "ぶん殴るぞ",
    "謝罪文を書け",     "女のくせに",
};
static const char *const filler[] = {"ちょっと、", "あのさ、", "もう",   "本当に",
                                     "おい、",     "",         "だから", "いいか、"};

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* One utterance of 10–60 characters into out (cap bytes). */
static void make(char *out, size_t cap)
{
    size_t target = 10 + next() % 51;
    out[0] = '\0';
    int abuse = next() % 10 < 3; /* about 30 % carry an abusive phrase */
    while (chars(out) < target) {
        const char *piece;
        uint64_t r = next() % 8;
        if (abuse && r == 0)
            piece = abusive[next() % (sizeof abusive / sizeof abusive[0])];
        else if (r < 3)
            piece = filler[next() % (sizeof filler / sizeof filler[0])];
        else
            piece = neutral[next() % (sizeof neutral / sizeof neutral[0])];
        size_t have = strlen(out), add = strlen(piece);
        if (have + add + 1 >= cap)
            break;
        memcpy(out + have, piece, add + 1);
    }
    if (abuse) {
        const char *a = abusive[next() % (sizeof abusive / sizeof abusive[0])];
        size_t have = strlen(out), add = strlen(a);
        if (have + add + 1 < cap)
            memcpy(out + have, a, add + 1);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The utterances of a run, as a transcript for the whole-process figure. */
static int emit(long n)
{
    char line[256];
    for (long i = 0; i < n; i++) {
        make(line, sizeof line);
        if (printf("C: %s\n", line) < 0)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "--emit") == 0)
        return emit(atol(argv[2]));
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    const char *path = argc > 2 ? argv[2] : IKIIKI_DATADIR "/lexicon/ja.tsv";
    if (n <= 0) {
        fprintf(stderr, "bench_guard_detect: count \"%s\" is not positive\n", argv[1]);
        return 2;
    }
    char err[400];
    ja_dict *d = NULL;
    guard_lexicon *lx = NULL;
    if (ja_dict_open(&d, err, sizeof err) != 0 ||
        guard_lexicon_parse(path, "", 0, d, NULL, 0, &lx, err, sizeof err) == 0) {
        fprintf(stderr, "bench_guard_detect: %s\n", err);
        return 1;
    }
    double t0 = now();
    if (guard_lexicon_load(path, NULL, 0, &lx, err, sizeof err) != 0) {
        fprintf(stderr, "bench_guard_detect: %s\n", err);
        return 1;
    }
    double load_s = now() - t0;
    /* All utterances up front, in one buffer, so generation is not timed. */
    enum { SLOT = 256 };
    char *text = malloc((size_t)n * SLOT);
    size_t *len = malloc((size_t)n * sizeof *len);
    if (!text || !len)
        return 1;
    size_t total_chars = 0;
    for (long i = 0; i < n; i++) {
        make(text + (size_t)i * SLOT, SLOT);
        len[i] = strlen(text + (size_t)i * SLOT);
        total_chars += chars(text + (size_t)i * SLOT);
    }
    guard_detector *det = guard_detector_new(lx, d);
    ja_tagger *tg = ja_tagger_new(d);
    if (!det || !tg)
        return 1;
    struct guard_result r;
    for (long i = 0; i < n && i < 10000; i++) /* warm the buffers */
        guard_detect(det, text + (size_t)i * SLOT, len[i], GUARD_CUSTOMER, &r);

    long harassed = 0, spans = 0;
    t0 = now();
    for (long i = 0; i < n; i++) {
        if (guard_detect(det, text + (size_t)i * SLOT, len[i], GUARD_CUSTOMER, &r) != 0)
            return 1;
        harassed += r.harassment;
        spans += r.nspan;
    }
    double det_s = now() - t0;

    /* MeCab alone on the NFKC text: the floor under the detector. */
    char *norm = NULL;
    size_t nl = 0;
    const struct ja_token *tk;
    size_t nt;
    t0 = now();
    for (long i = 0; i < n; i++) {
        if (ja_nfkc(text + (size_t)i * SLOT, len[i], &norm, &nl) != 0 ||
            ja_tag(tg, norm, nl, &tk, &nt) != 0)
            return 1;
        free(norm);
    }
    double tag_s = now() - t0;

    printf("lexicon: %s, %d entries, loaded in %.3f s\n", path, guard_lexicon_size(lx), load_s);
    printf("utterances: %ld, mean %.1f characters, %.1f %% flagged as harassment, %.2f spans "
           "each\n",
           n, (double)total_chars / (double)n, 100.0 * (double)harassed / (double)n,
           (double)spans / (double)n);
    printf("guard_detect (1 thread): %.3f s, %.0f utterances/s, %.0f ns/utterance\n", det_s,
           (double)n / det_s, det_s * 1e9 / (double)n);
    printf("NFKC + MeCab only:       %.3f s, %.0f utterances/s, %.0f ns/utterance\n", tag_s,
           (double)n / tag_s, tag_s * 1e9 / (double)n);
    guard_detector_free(det);
    ja_tagger_free(tg);
    guard_lexicon_free(lx);
    ja_dict_close(d);
    free(text);
    free(len);
    return 0;
}
