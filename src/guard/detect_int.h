/* detect_int: the lexicon's inner shape, shared by lexicon.c (which builds it) and detect.c
 * (which matches with it). Everything here is immutable once guard_lexicon_parse returns. */
#ifndef IKIIKI_GUARD_DETECT_INT_H
#define IKIIKI_GUARD_DETECT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "guard/detect.h"

/* Limits on one lexicon line; a line beyond them is refused with its number. */
#define GUARD__MAX_ELEMS 8   /* elements in one pattern */
#define GUARD__MAX_ALTS  32  /* alternatives in one element (a|b|c) */
#define GUARD__MAX_MORPH 8   /* morphemes in one alternative */
#define GUARD__MAX_LABEL 6   /* category / demand / boost labels on one line */
#define GUARD__MAX_KEYS  4   /* keys of one morpheme (base, reading, imperative stem …) */
#define GUARD__GAP       8   /* morphemes a "…" may skip */
#define GUARD__MAX_CODES 64  /* distinct categories and demand kinds in one lexicon */
#define GUARD__KEY_MAX   160 /* bytes of one key string */

/* Morpheme flags, for the utterance's tokens and for a pattern's morphemes. */
enum {
    GUARD__F_IMP = 1u << 0, /* a command form: 命令形, or a clause-final 仮定形/potential 連用形 */
    GUARD__F_KNOWN_NOUN = 1u << 1, /* a noun in the dictionary (only for the utterance) */
};

/* Word classes the context rules ask about (negation, verbs of saying, people …), kept per
 * interned key so that a token's class is one array read, not a walk through word lists. */
enum {
    W_NEG = 1u << 0,      /* ない ぬ ん ず */
    W_SAY = 1u << 1,      /* 言う 聞く 書く … */
    W_REQ = 1u << 2,      /* くれる もらえる ほしい … */
    W_WORD = 1u << 3,     /* 言葉 発言 … */
    W_PERSON = 1u << 4,   /* 野郎 女 奴 声 … */
    W_SELF = 1u << 5,     /* 私 俺 僕 … */
    W_YOU = 1u << 6,      /* お前 あんた てめえ … */
    W_QUOT = 1u << 7,     /* と って なんて とか だって */
    W_MENTION = 1u << 8,  /* とか なんて など なんか まで */
    W_CONJ = 1u << 9,     /* が けど から ので … (接続助詞 ending a clause) */
    W_THINK = 1u << 10,   /* 思う */
    W_AUXV = 1u << 11,    /* てる ちゃう ちまう とる でる */
    W_TOIU = 1u << 12,    /* という っていう といった */
    W_SIMILE = 1u << 13,  /* よう みたい ようだ みたいだ */
    W_Q = 1u << 14,       /* か かな かしら */
    W_JA = 1u << 15,      /* じゃ では */
    W_NI = 1u << 16,      /* に */
    W_NO = 1u << 17,      /* ん の */
    W_NA = 1u << 18,      /* な */
    W_TAI = 1u << 19,     /* たい */
    W_PASSIVE = 1u << 20, /* れる られる */
    W_NAI = 1u << 21,     /* ない 無い */
};

/* One morpheme of a pattern: it matches a token that shares one of its keys. */
struct guard__morph {
    uint32_t key[GUARD__MAX_KEYS];
    uint8_t nkey;
    uint8_t need; /* GUARD__F_* the token must have */
};

/* One alternative of an element: a run of adjacent morphemes, or a literal matched on the
 * folded text (NFKC, katakana as hiragana) from a morpheme start to a morpheme end, or, with
 * prefix set, to anywhere. A run also keeps its written form in lit, tried as a literal when
 * the morphemes do not match; "*" is one morpheme with no keys (any morpheme). */
struct guard__alt {
    int literal;
    int prefix;
    const char *lit; /* folded, NUL-terminated, owned by the lexicon */
    size_t litlen;
    int nmorph;
    struct guard__morph morph[GUARD__MAX_MORPH];
};

struct guard__elem {
    int gap; /* 1: "…" before this element, so up to GUARD__GAP morphemes may come between */
    int nalt;
    struct guard__alt *alt;
};

enum guard__label_kind { GUARD__CAT, GUARD__DEMAND, GUARD__BOOST };

struct guard__label {
    enum guard__label_kind kind;
    int code; /* index into guard_lexicon.code */
};

struct guard__entry {
    char term[GUARD_TERM_MAX];
    double weight;
    int line;
    int nlabel;
    struct guard__label label[GUARD__MAX_LABEL];
    int nelem;
    struct guard__elem elem[GUARD__MAX_ELEMS];
};

/* Interned key strings: open addressing on FNV-1a, ids are 1-based (0 is "none"). */
struct guard__keytab {
    uint32_t *slot; /* id or 0 */
    uint32_t cap;   /* power of two */
    const char **str;
    uint32_t *len;
    uint32_t n, strcap;
};

/* For each key id, the entries whose first element may start with a morpheme of that key;
 * for each first byte pair of a folded literal, the entries that start with that literal. */
struct guard__index {
    uint32_t *start; /* nkey + 2 offsets into ent */
    uint32_t *ent;
};

/* The learned stage (model.c): features interned to ids 1..nfeat, each with its weights for some
 * categories in wcat/w[wstart[id] .. wstart[id + 1]). */
struct guard_model {
    int ncat;
    char cat[GUARD__MAX_CODES][GUARD_CODE_MAX];
    double bias[GUARD__MAX_CODES], scale[GUARD__MAX_CODES], shift[GUARD__MAX_CODES];
    int lexcode[GUARD__MAX_CODES]; /* the lexicon's index of each category, -1 when absent */
    uint32_t nfeat;
    char **names;
    uint32_t *namelen;
    uint32_t *slot; /* open addressing: id or 0 */
    uint32_t cap;   /* power of two */
    uint32_t *wstart;
    uint8_t *wcat;
    float *w;
};

/* A feature's id, 0 when the model has none by that name. */
uint32_t guard__model_find(const guard_model *m, const char *s, size_t len);
/* Loads "<lexicon without .tsv>-model.tsv" into lx when it exists; -1 with err when it exists
 * but cannot be read or parsed. */
int guard__model_load_beside(guard_lexicon *lx, const char *lexicon_path, char *err, size_t errlen);

/* Called with each feature of an utterance (name, bytes, value); for tools/guard_train. */
typedef void (*guard__feature_fn)(void *arg, const char *name, size_t len, double value);
/* Runs the lexicon alone on text (no model, whatever lx holds) and calls fn with every feature
 * the model would see, the lexicon's category scores among them ("lex:<category>"). Returns 0
 * or -1 as guard_detect does. */
int guard__features(guard_detector *det, const char *text, size_t len, guard__feature_fn fn,
                    void *arg);

struct guard_lexicon {
    guard_model *model; /* NULL: the lexicon alone */
    struct guard__entry *entry;
    int nentry, entcap;
    char code[GUARD__MAX_CODES][GUARD_CODE_MAX];
    int ncode;
    struct guard__keytab keys;
    struct guard__index by_key;
    /* Literal-first entries by the first byte of the literal and its second (256 × 256). */
    uint32_t *lit_start;
    uint32_t *lit_ent;
    uint32_t *wclass; /* W_* per key id (keys.n + 1 entries) */
    struct guard__arena *arena;
};

/* Looks up a key; 0 when absent. */
uint32_t guard__key_find(const struct guard__keytab *kt, const char *s, size_t len);

/* The keys of one token as strings (hiragana-folded base form; the reading when the token is
 * not inflected and, in an utterance, written in kana — so 父 never meets 乳; the 五段 base of a
 * verb MeCab read as a potential 一段 — 死ぬ for 死ね(る), 出す for 出せ(る)). surface is the
 * token's text in an utterance, NULL for a lexicon pattern. buf (GUARD__MAX_KEYS × GUARD__KEY_MAX
 * bytes) holds them; returns how many, with offsets and lengths in off/len, and *flags gets
 * GUARD__F_*. next is the following token or NULL. */
int guard__token_keys(const struct ja_token *tk, const struct ja_token *next, const char *surface,
                      char *buf, size_t off[GUARD__MAX_KEYS], size_t len[GUARD__MAX_KEYS],
                      unsigned *flags);

/* The bucket of lit_start for a folded literal or text starting with s (n >= 3 bytes). */
unsigned guard__lit_bucket(const char *s, size_t n);

/* Katakana to hiragana from s into d (same length), no allocation. */
void guard__fold_kana(char *d, const char *s, size_t len);

#endif
