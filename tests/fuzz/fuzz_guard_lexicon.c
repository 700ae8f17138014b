/* libFuzzer target for the call guard's lexicon loader and detector. The first byte chooses:
 * odd — the rest is a lexicon file (guard_lexicon_parse), and when it loads, a few utterances
 * and the file itself go through a detector built on it; even — the rest is an utterance for
 * the shipped data/lexicon/ja.tsv, as customer and as operator. Nothing may crash, leak or trip a
 * sanitizer; a refusal must say why; spans must lie inside the normalised text and scores in
 * 0–1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/detect.h"

static ja_dict *dict;
static guard_lexicon *shipped;
static guard_detector *shipped_det;

static void check(const struct guard_result *r, enum guard_speaker who)
{
    size_t n = r->normlen;
    if (r->norm[n] != '\0')
        abort();
    if (r->score < 0 || r->score > 1 || r->ncat < 0 || r->ncat > GUARD_MAX_CATS || r->nspan < 0 ||
        r->nspan > GUARD_MAX_SPANS || r->ndemand < 0 || r->ndemand > GUARD_MAX_CATS)
        abort();
    if (r->harassment != (who == GUARD_CUSTOMER && r->score >= GUARD_THRESHOLD))
        abort();
    for (int i = 0; i < r->ncat; i++)
        if (r->cat[i].score <= 0 || r->cat[i].score > 1 ||
            !memchr(r->cat[i].code, '\0', GUARD_CODE_MAX))
            abort();
    for (int i = 0; i < r->nspan; i++) {
        const struct guard_span *s = &r->span[i];
        if (s->off > n || s->len > n - s->off || s->len == 0 || s->weight < 0 || s->weight > 1 ||
            !memchr(s->term, '\0', GUARD_TERM_MAX) || !memchr(s->category, '\0', GUARD_CODE_MAX))
            abort();
    }
    if (who == GUARD_OPERATOR && r->ndemand)
        abort();
}

static void run(guard_detector *det, const char *s, size_t len)
{
    struct guard_result r;
    if (guard_detect(det, s, len, GUARD_CUSTOMER, &r) == 0)
        check(&r, GUARD_CUSTOMER);
    if (guard_detect(det, s, len, GUARD_OPERATOR, &r) == 0)
        check(&r, GUARD_OPERATOR);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[300];
    if (ja_dict_open(&dict, err, sizeof err) != 0)
        abort();
    if (guard_lexicon_parse("ja.tsv", NULL, 0, dict, NULL, 0, &shipped, err, sizeof err) == 0)
        abort(); /* an empty file has no entries */
    if (guard_lexicon_load(IKIIKI_DATADIR "/lexicon/ja.tsv", NULL, 0, &shipped, err, sizeof err) !=
        0)
        abort();
    shipped_det = guard_detector_new(shipped, dict);
    if (!shipped_det)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    if (!(data[0] & 1)) {
        run(shipped_det, s, len);
        return 0;
    }
    static const char *const codes[] = {"abuse", "threat", "insult", "sexual"};
    char err[300];
    err[0] = '\0';
    guard_lexicon *lx = NULL;
    int with_codes = (data[0] & 2) != 0;
    if (guard_lexicon_parse("fuzz.tsv", s, len, dict, with_codes ? codes : NULL, with_codes ? 4 : 0,
                            &lx, err, sizeof err) != 0) {
        if (strncmp(err, "fuzz.tsv: ", 10) != 0 || strlen(err) <= 10)
            abort();
        return 0;
    }
    guard_detector *det = guard_detector_new(lx, dict);
    if (!det)
        abort();
    static const char *const utt[] = {"殺すぞ", "お前バカだろ、土下座しろ", "ｺﾛｽ", "返金してほしい",
                                      "殺すなんて言ってない"};
    for (size_t i = 0; i < sizeof utt / sizeof utt[0]; i++)
        run(det, utt[i], strlen(utt[i]));
    run(det, s, len);
    guard_detector_free(det);
    guard_lexicon_free(lx);
    return 0;
}
