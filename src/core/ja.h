/* ja: Japanese text — NFKC normalisation (utf8proc) and morphological analysis (MeCab with
 * IPADIC, UTF-8). Shared by survey comment analysis and the call guard's lexical detector. */
#ifndef IKIIKI_JA_H
#define IKIIKI_JA_H

#include <stddef.h>

/* NFKC of s (len bytes, valid UTF-8). *out is malloc'd, NUL-terminated, owned by the caller;
 * *outlen (may be NULL) gets its length. Returns 0, or -1 on invalid UTF-8 or no memory. */
int ja_nfkc(const char *s, size_t len, char **out, size_t *outlen);

/* Katakana (U+30A1–U+30F6) to hiragana, other text unchanged. *out is malloc'd and owned by
 * the caller. Returns 0 or -1. */
int ja_kata_to_hira(const char *s, size_t len, char **out);

enum ja_pos {
    JA_POS_NOUN,     /* 名詞 */
    JA_POS_VERB,     /* 動詞 */
    JA_POS_ADJ,      /* 形容詞 */
    JA_POS_ADV,      /* 副詞 */
    JA_POS_AUX,      /* 助動詞 */
    JA_POS_PARTICLE, /* 助詞 */
    JA_POS_SYMBOL,   /* 記号 */
    JA_POS_INTERJ,   /* 感動詞 */
    JA_POS_PREFIX,   /* 接頭詞 */
    JA_POS_OTHER
};

/* One morpheme. The strings are owned by the tagger and stay valid until its next ja_tag call
 * or ja_tagger_free. Unknown fields ("*" in IPADIC) are given as the surface (base, reading)
 * or as "" (pos1, conj_type, conj_form). */
struct ja_token {
    size_t off, len; /* the surface: bytes [off, off+len) of the text given to ja_tag */
    enum ja_pos pos;
    const char *pos_name; /* 品詞 as IPADIC writes it */
    const char *pos1; /* 品詞細分類1: 自立, 非自立, 数, 代名詞, 固有名詞 … */
    const char *conj_type; /* 活用型 */
    const char *conj_form; /* 活用形: 基本形, 連用形, 命令ｅ … */
    const char *base;      /* 原形 */
    const char *reading;   /* 読み, katakana */
    int unknown;           /* 1 when the word is not in the dictionary (MeCab's unknown node) */
};

/* The loaded dictionary; open once, share across threads (MeCab models are thread-safe). */
typedef struct ja_dict ja_dict;
/* Opens MeCab with the system IPADIC (mecab-ipadic-utf8), or $IKIIKI_MECAB_DICDIR when set.
 * err gets a one-line reason on failure. */
int ja_dict_open(ja_dict **out, char *err, size_t errlen);
void ja_dict_close(ja_dict *d);

/* A tagger for one thread at a time: holds its own lattice and token buffers, so tagging
 * allocates nothing once warmed up. */
typedef struct ja_tagger ja_tagger;
/* Returns NULL when out of memory. d must outlive the tagger. */
ja_tagger *ja_tagger_new(ja_dict *d);
void ja_tagger_free(ja_tagger *t);
/* Analyses text (len bytes of UTF-8; NFKC first for best results). *toks points to *n tokens
 * owned by the tagger. Returns 0, or -1 when MeCab fails or memory runs out. */
int ja_tag(ja_tagger *t, const char *text, size_t len, const struct ja_token **toks, size_t *n);

#endif
