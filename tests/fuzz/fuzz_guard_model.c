/* libFuzzer target for the call guard's model file (guard_model_parse, data/lexicon/ja-model.tsv):
 * any bytes as a model file; a refusal must name the file and say why; a model that loads is
 * given to a small lexicon and a few utterances, and the input itself, go through a detector
 * built on it. Nothing may crash, leak or trip a sanitizer; scores stay in 0–1, a category the
 * model raised carries its features, and harassment follows the scores. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/detect.h"

static ja_dict *dict;

static void check(const struct guard_result *r)
{
    if (r->score < 0 || r->score > 1 || r->ncat < 0 || r->ncat > GUARD_MAX_CATS || r->nfeat < 0 ||
        r->nfeat > GUARD_MAX_FEATS)
        abort();
    if (r->harassment != (r->score >= GUARD_THRESHOLD))
        abort();
    for (int i = 0; i < r->ncat; i++)
        if (r->cat[i].score <= 0 || r->cat[i].score > 1 || r->cat[i].model > 1)
            abort();
    for (int i = 0; i < r->nfeat; i++)
        if (!memchr(r->feat[i].name, '\0', GUARD_TERM_MAX) || r->feat[i].weight <= 0)
            abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[300];
    if (ja_dict_open(&dict, err, sizeof err) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[300] = "";
    guard_model *m = NULL;
    if (guard_model_parse("fuzz-model.tsv", (const char *)data, size, &m, err, sizeof err) != 0) {
        if (strncmp(err, "fuzz-model.tsv: ", 16) != 0 || strlen(err) <= 16 || m)
            abort();
        return 0;
    }
    static const char lt[] = "殺す\tthreat\t0.9\nバカ\tinsult\t0.65\n";
    guard_lexicon *lx = NULL;
    if (guard_lexicon_parse("t.tsv", lt, sizeof lt - 1, dict, NULL, 0, &lx, err, sizeof err) != 0)
        abort();
    guard_lexicon_set_model(lx, m);
    guard_detector *det = guard_detector_new(lx, dict);
    if (!det)
        abort();
    static const char *const utt[] = {"殺すぞ", "お前バカだろ", "ｺﾛｽ", "返金してほしい", ""};
    struct guard_result r;
    for (size_t i = 0; i < sizeof utt / sizeof utt[0]; i++)
        if (guard_detect(det, utt[i], strlen(utt[i]), GUARD_CUSTOMER, &r) == 0)
            check(&r);
    if (guard_detect(det, (const char *)data, size, GUARD_CUSTOMER, &r) == 0)
        check(&r);
    guard_detector_free(det);
    guard_lexicon_free(lx);
    return 0;
}
