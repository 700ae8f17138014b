/* detect: the call guard's Japanese lexical detector. A lexicon (data/lexicon/ja.tsv, the
 * project's own, editable by the center) of terms and patterns with a harassment-policy
 * category, matched after NFKC on MeCab base forms and readings, with negation, reported speech
 * and legitimate-complaint guards. One utterance in, categories with scores and spans out.
 * Pure: no store, no HTTP. */
#ifndef IKIIKI_GUARD_DETECT_H
#define IKIIKI_GUARD_DETECT_H

#include <stddef.h>

#include "core/ja.h"

#define GUARD_CODE_MAX  40
#define GUARD_MAX_CATS  16
#define GUARD_MAX_SPANS 16
#define GUARD_TERM_MAX  96
#define GUARD_MAX_FEATS 8
/* A category at or above this score makes a customer utterance harassment. */
#define GUARD_THRESHOLD 0.5
/* The learned stage's probability that raises a category the lexicon left under GUARD_THRESHOLD
 * (chosen by cross-validation on the dev set: the model alone must be fairly sure). */
#define GUARD_MODEL_THRESHOLD 0.7
/* ... and only with this much evidence for it: the sum of the features' positive contributions
 * to its log-odds (a short "もしもし" has next to none, whatever the calibration says). */
#define GUARD_MODEL_EVIDENCE 2.0
/* Longest utterance analysed, in bytes; a longer one is refused (guard_detect returns -1). */
#define GUARD_TEXT_MAX 65536

enum guard_speaker { GUARD_CUSTOMER, GUARD_OPERATOR };

/* The loaded lexicon: immutable after loading, shared by every thread. */
typedef struct guard_lexicon guard_lexicon;

/* Loads a lexicon file. err names the file, the line and the field on failure. When
 * category_codes is not NULL (ncodes entries, e.g. from the harassment policy), a category
 * outside it is refused. */
int guard_lexicon_load(const char *path, const char *const *category_codes, int ncodes,
                       guard_lexicon **out, char *err, size_t errlen);
void guard_lexicon_free(guard_lexicon *lx);
/* Like guard_lexicon_load, from len bytes in memory; name stands for the file in err. The
 * patterns are tagged with d (NULL: a dictionary is opened for the call and closed again, as
 * guard_lexicon_load does). */
int guard_lexicon_parse(const char *name, const char *buf, size_t len, ja_dict *d,
                        const char *const *category_codes, int ncodes, guard_lexicon **out,
                        char *err, size_t errlen);
/* Number of entries (lines with a pattern). */
int guard_lexicon_size(const guard_lexicon *lx);

/* The learned second stage (data/lexicon/ja-model.tsv, written by tools/guard_train from the dev
 * set): one logistic model per category over the utterance's reading and surface character
 * n-grams, its MeCab lemmas and the lexicon's own category scores, calibrated (Platt) so that a
 * category's score reads as a probability. guard_lexicon_load loads it from beside the lexicon
 * (ja.tsv -> ja-model.tsv) when that file exists. */
typedef struct guard_model guard_model;
/* Parses a model file (len bytes); name stands for the file in err, which names the line and
 * the field on failure. *out is the caller's (guard_model_free) until given to a lexicon. */
int guard_model_parse(const char *name, const char *buf, size_t len, guard_model **out, char *err,
                      size_t errlen);
void guard_model_free(guard_model *m);
/* Gives m to lx (lx owns and frees it; NULL removes the one it had), before any detector is
 * made from lx. Its categories need not all be in lx: a category only the lexicon has keeps the
 * lexicon's score. */
void guard_lexicon_set_model(guard_lexicon *lx, guard_model *m);
/* Number of features with a weight, 0 when lx has no model. */
int guard_lexicon_model_size(const guard_lexicon *lx);

struct guard_span {
    size_t off, len; /* bytes of guard_result.norm */
    char category[GUARD_CODE_MAX];
    char term[GUARD_TERM_MAX]; /* the lexicon entry that matched (cut with … when long) */
    int line;                  /* its line in the lexicon file */
    double weight;             /* its weight after the context (reported speech, quotes) */
};

struct guard_category {
    char code[GUARD_CODE_MAX];
    double score;   /* 0–1: the lexicon's score, or the model's probability when that reaches
                     * GUARD_MODEL_THRESHOLD and is higher */
    double lexical; /* the lexicon's own score (noisy-or of the spans) */
    double model;   /* the learned stage's calibrated probability; -1 without a model */
};

/* A reason of the learned stage: a feature and what it added to a category's log-odds. */
struct guard_feature {
    char name[GUARD_TERM_MAX]; /* r3:ころす (reading trigram), s2: (surface bigram), w: (lemma),
                                * lex:threat (the lexicon's score) */
    char category[GUARD_CODE_MAX];
    double weight; /* weight × value, in log-odds */
};

struct guard_result {
    int harassment; /* 1 when some category reached the threshold and the speaker is the customer */
    double score;   /* the highest category score, 0–1 */
    int ncat;
    struct guard_category cat[GUARD_MAX_CATS];
    int nspan;
    struct guard_span span[GUARD_MAX_SPANS];
    /* With a model: the features that raised each category at or above the threshold most
     * (up to 3 a category), strongest first. */
    int nfeat;
    struct guard_feature feat[GUARD_MAX_FEATS];
    /* Demand kinds stated in the utterance, harassing or not (refund, manager, apology_letter,
     * dogeza, compensation, personal_info …), which the call engine counts for repetition.
     * Only for the customer: an operator's 返金いたします is not a demand. Negated or reported
     * demands (返金はいらない) are left out. */
    int ndemand;
    char demand[GUARD_MAX_CATS][GUARD_CODE_MAX];
    const char *norm; /* the NFKC text the spans index; owned by the detector, valid until
                       * its next guard_detect call */
    size_t normlen;   /* its length in bytes (the text may hold NUL bytes of its own) */
};

/* A detector for one thread at a time: the shared lexicon and its own MeCab tagger. lx and d
 * must outlive it. NULL when out of memory. */
typedef struct guard_detector guard_detector;
guard_detector *guard_detector_new(const guard_lexicon *lx, ja_dict *d);
void guard_detector_free(guard_detector *det);

/* Analyses one utterance (len bytes of UTF-8, at most GUARD_TEXT_MAX). Operator speech is
 * analysed (categories and spans are given) but never counts as customer harassment. Returns
 * 0, or -1 on invalid UTF-8, a text over GUARD_TEXT_MAX, or no memory; out is written only on
 * success. A warmed-up detector does not allocate. */
int guard_detect(guard_detector *det, const char *text, size_t len, enum guard_speaker who,
                 struct guard_result *out);

#endif
