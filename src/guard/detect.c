/* detect: one utterance through NFKC, MeCab and the lexicon. Tokens are turned into interned
 * keys once; the lexicon's index gives the few entries that may start at each token; every
 * match is then weighed by its context — negated (殺さない), reported (「バカ」と言われた),
 * quoted — before the categories are scored with a noisy-or. All buffers belong to the
 * detector and are reused, so a warmed-up detector does not allocate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "guard/detect_int.h"

#define MAX_MATCH       64
#define REPORTED_FACTOR 0.15 /* a harsh word in reported speech or a mention */
#define QUOTED_FACTOR   0.3  /* a harsh word inside 「」 without a verb of saying */
#define NEG_WINDOW      5    /* morphemes after a match where a negation still applies */
#define REPORT_WINDOW   8

/* Context flags of a token. */
enum {
    C_NEG = 1u << 0,      /* ない, ぬ, ん, ず */
    C_QUOT = 1u << 1,     /* と, って, なんて, とか */
    C_SAY = 1u << 2,      /* 言う, 聞く, 書く … */
    C_SENT = 1u << 3,     /* 。 ! ? */
    C_CLAUSE = 1u << 4,   /* 、 or が, けど, から … */
    C_REQ = 1u << 5,      /* くれる, もらえる, ほしい … */
    C_Q = 1u << 6,        /* か, かな, の, ? */
    C_NA = 1u << 7,       /* 終助詞 な */
    C_NO = 1u << 8,       /* ん, の (…んじゃない) */
    C_JA = 1u << 9,       /* じゃ, では */
    C_OPEN = 1u << 10,    /* 「『 */
    C_CLOSE = 1u << 11,   /* 」』 */
    C_FINAL = 1u << 12,   /* other 終助詞: ぞ, よ, ね … */
    C_WORD = 1u << 13,    /* 言葉, 発言 … (a mention, not a use) */
    C_SYMBOL = 1u << 14,  /* any other symbol */
    C_PASSIVE = 1u << 15, /* れる, られる after a verb */
    C_PAST = 1u << 16,    /* た */
    C_DESIRE = 1u << 17,  /* たい */
    C_SIMILE = 1u << 18,  /* よう, みたい */
    C_ADJ = 1u << 19,     /* an adjective or 形容動詞語幹 (高い, 丁寧) */
    C_THING = 1u << 20,   /* a content noun that is not a person (商品, 手帳, 作) */
    C_NI = 1u << 21,      /* に */
    C_SELF = 1u << 22,    /* 私, 俺, 僕 … */
    C_YOU = 1u << 23,     /* お前, あんた, てめえ … */
    C_MENTION = 1u << 24, /* とか, なんて, など, なんか, まで */
    C_THINK = 1u << 25,   /* 思う */
    C_VERB = 1u << 26,
    C_PREFIX = 1u << 27,  /* 接頭詞 (クソ暑い, バカ高い) */
    C_AUXVERB = 1u << 28, /* てる, ちゃう: a noun before it was a verb stem (ボケてる) */
    C_COND = 1u << 29,    /* なら, ば, たら: a condition (辞めさせないなら許さん) */
    C_RENYO = 1u << 30, /* a verb other than する in 連用形 (受け, 拭き): may end a compound */
};

struct tok {
    size_t off, len;
    uint32_t key[GUARD__MAX_KEYS];
    uint8_t nkey;
    uint8_t f;
    uint32_t ctx;
};

struct tokbuf {
    struct tok *t;
    size_t n, cap;
};

struct match {
    int entry;
    size_t off, len;
    double factor;
};

/* The learned stage's running sums for one utterance: log-odds per model category and the three
 * strongest contributions to each, as reasons. */
struct top {
    uint32_t id; /* feature id, 0: none */
    float contrib;
};

struct guard_detector {
    const guard_lexicon *lx;
    /* Features: the compact surface and reading texts, and where the training tool or the
     * model wants them. */
    char *sbuf, *rbuf;
    uint32_t *cpos;
    size_t fcap;
    guard__feature_fn fn;
    void *fnarg;
    uint32_t *fstamp;
    uint32_t ftick;
    double z[GUARD__MAX_CODES];
    double pos[GUARD__MAX_CODES]; /* the positive contributions to z alone */
    struct top top[GUARD__MAX_CODES][3];
    ja_tagger *tg;
    int32_t *ucs;
    size_t ucscap; /* code points */
    char *norm, *fold, *fold2;
    size_t normlen, textcap;
    struct tokbuf t1, t2;
    uint32_t *stamp;
    uint32_t tick;
    struct match m[MAX_MATCH];
    int nm;
    struct guard_result res;
};

guard_detector *guard_detector_new(const guard_lexicon *lx, ja_dict *d)
{
    guard_detector *det = calloc(1, sizeof *det);
    if (!det)
        return NULL;
    det->lx = lx;
    det->tg = ja_tagger_new(d);
    det->stamp = calloc((size_t)lx->nentry + 1, sizeof *det->stamp);
    if (lx->model)
        det->fstamp = calloc((size_t)lx->model->nfeat + 1, sizeof *det->fstamp);
    if (!det->tg || !det->stamp || (lx->model && !det->fstamp)) {
        guard_detector_free(det);
        return NULL;
    }
    return det;
}

void guard_detector_free(guard_detector *det)
{
    if (!det)
        return;
    ja_tagger_free(det->tg);
    free(det->ucs);
    free(det->norm);
    free(det->fold);
    free(det->fold2);
    free(det->t1.t);
    free(det->t2.t);
    free(det->stamp);
    free(det->fstamp);
    free(det->sbuf);
    free(det->rbuf);
    free(det->cpos);
    free(det);
}

/* ---- normalisation into reused buffers ---- */

static int grow_text(guard_detector *det, size_t n)
{
    if (n + 1 <= det->textcap)
        return 0;
    size_t cap = det->textcap ? det->textcap : 1024;
    while (cap < n + 1)
        cap *= 2;
    char *a = realloc(det->norm, cap), *b = NULL, *c = NULL;
    if (a)
        det->norm = a;
    b = realloc(det->fold, cap);
    if (b)
        det->fold = b;
    c = realloc(det->fold2, cap);
    if (c)
        det->fold2 = c;
    if (!a || !b || !c)
        return -1;
    det->textcap = cap;
    return 0;
}

static int normalise(guard_detector *det, const char *text, size_t len)
{
    const utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    for (;;) {
        utf8proc_ssize_t n =
            utf8proc_decompose((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, det->ucs,
                               (utf8proc_ssize_t)det->ucscap, opt);
        if (n < 0)
            return -1;
        if ((size_t)n <= det->ucscap) {
            n = utf8proc_reencode(det->ucs, n, opt);
            if (n < 0 || grow_text(det, (size_t)n) != 0)
                return -1;
            memcpy(det->norm, det->ucs, (size_t)n);
            det->norm[n] = '\0';
            det->normlen = (size_t)n;
            guard__fold_kana(det->fold, det->norm, det->normlen);
            det->fold[n] = '\0';
            return 0;
        }
        size_t cap = det->ucscap ? det->ucscap : 256;
        while (cap < (size_t)n)
            cap *= 2;
        int32_t *u = realloc(det->ucs, cap * sizeof *u);
        if (!u)
            return -1;
        det->ucs = u;
        det->ucscap = cap;
    }
}

/* ---- tokens ---- */

static int pos1_is(const struct ja_token *tk, const char *v)
{
    return strcmp(tk->pos1, v) == 0;
}

static unsigned noun_context(const struct ja_token *tk, uint32_t wc)
{
    unsigned c = 0;
    if (wc & W_WORD)
        c |= C_WORD;
    if ((wc & W_NO) && pos1_is(tk, "非自立"))
        c |= C_NO;
    if (wc & W_SIMILE)
        c |= C_SIMILE;
    if (pos1_is(tk, "形容動詞語幹"))
        c |= C_ADJ;
    if (wc & W_SELF)
        c |= C_SELF;
    else if (wc & W_YOU)
        c |= C_YOU;
    else if (!(wc & W_PERSON) && !(c & (C_SIMILE | C_ADJ)) && !pos1_is(tk, "非自立") &&
             !pos1_is(tk, "数") && !pos1_is(tk, "副詞可能") && !pos1_is(tk, "代名詞"))
        c |= C_THING;
    return c;
}

static unsigned symbol_context(const char *surface, size_t slen)
{
    if (slen == 3 && (memcmp(surface, "。", 3) == 0 || memcmp(surface, "…", 3) == 0))
        return C_SENT;
    if (slen == 1 && (*surface == '!' || *surface == '.'))
        return C_SENT;
    if (slen == 1 && *surface == '?')
        return C_SENT | C_Q;
    if ((slen == 3 && memcmp(surface, "、", 3) == 0) || (slen == 1 && *surface == ','))
        return C_CLAUSE;
    if (slen == 3 && (memcmp(surface, "「", 3) == 0 || memcmp(surface, "『", 3) == 0))
        return C_OPEN;
    if (slen == 3 && (memcmp(surface, "」", 3) == 0 || memcmp(surface, "』", 3) == 0))
        return C_CLOSE;
    return C_SYMBOL;
}

static unsigned particle_context(const struct ja_token *tk, uint32_t wc)
{
    unsigned c = 0;
    int final = pos1_is(tk, "終助詞");
    if (wc & W_QUOT)
        c |= C_QUOT;
    /* という, っていう: a quotation and its verb of saying in one particle. */
    if (wc & W_TOIU)
        c |= C_QUOT | C_SAY;
    if (wc & W_MENTION)
        c |= C_MENTION;
    if ((wc & W_CONJ) && pos1_is(tk, "接続助詞"))
        c |= C_CLAUSE;
    if (wc & W_Q)
        c |= C_Q;
    if (wc & W_NO)
        c |= C_NO | (final ? C_Q : 0);
    if (wc & W_JA)
        c |= C_JA;
    if (wc & W_NI)
        c |= C_NI;
    if (final && !(c & C_Q))
        c |= (wc & W_NA) ? C_NA : C_FINAL;
    return c;
}

static unsigned context_of(const struct ja_token *tk, const char *surface, size_t slen, uint32_t wc)
{
    unsigned c = 0;
    switch (tk->pos) {
    case JA_POS_AUX:
        if (wc & W_NEG)
            c |= C_NEG;
        if (wc & W_JA)
            c |= C_JA;
        if (strcmp(tk->conj_type, "特殊・タ") == 0)
            c |= C_PAST;
        if (wc & W_TAI)
            c |= C_DESIRE;
        if (wc & W_SIMILE)
            c |= C_SIMILE;
        break;
    case JA_POS_ADJ:
        c |= C_ADJ;
        if (wc & W_NAI)
            c |= C_NEG;
        if (wc & W_REQ)
            c |= C_REQ;
        break;
    case JA_POS_VERB:
        c |= C_VERB;
        if (strcmp(tk->conj_form, "連用形") == 0 && strcmp(tk->base, "する") != 0 &&
            strcmp(tk->base, "できる") != 0)
            c |= C_RENYO;
        if (wc & W_SAY)
            c |= C_SAY;
        if (wc & W_THINK)
            c |= C_THINK;
        if (wc & W_AUXV)
            c |= C_AUXVERB;
        if (wc & W_REQ)
            c |= C_REQ;
        if ((wc & W_PASSIVE) && pos1_is(tk, "接尾"))
            c |= C_PASSIVE;
        break;
    case JA_POS_NOUN:
        /* うっせー: MeCab may leave a long-vowel mark as a noun of its own. */
        if (!(slen >= 3 && (memcmp(surface, "ー", 3) == 0 || memcmp(surface, "〜", 3) == 0)))
            c |= noun_context(tk, wc);
        break;
    case JA_POS_PARTICLE:
        c |= particle_context(tk, wc);
        break;
    case JA_POS_SYMBOL:
        c |= symbol_context(surface, slen);
        break;
    case JA_POS_PREFIX:
        c |= C_PREFIX;
        break;
    default:
        break;
    }
    if ((slen == 6 && (memcmp(surface, "なら", 6) == 0 || memcmp(surface, "たら", 6) == 0)) ||
        (slen == 3 && memcmp(surface, "ば", 3) == 0 && tk->pos == JA_POS_PARTICLE))
        c |= C_COND;
    /* MeCab gives ASCII marks that IPADIC does not know as nouns (サ変接続). */
    if (tk->pos != JA_POS_SYMBOL && slen == 1 && strchr("?!.,\"", *surface))
        c = symbol_context(surface, slen);
    return c;
}

static int tokbuf_reserve(struct tokbuf *b, size_t n)
{
    if (n <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < n)
        cap *= 2;
    struct tok *t = realloc(b->t, cap * sizeof *t);
    if (!t)
        return -1;
    b->t = t;
    b->cap = cap;
    return 0;
}

static int fold_unknown_katakana(guard_detector *det, const struct ja_token *tk, size_t n,
                                 size_t *lo, size_t *hi);
static int emit_text_features(guard_detector *det, const struct ja_token *tk, size_t n);

/* Tags text (det->normlen bytes) into b: keys interned by the lexicon, flags, context. With
 * kata set, also prepares the second pass over unknown katakana (see fold_unknown_katakana)
 * and returns 1 when it is needed. */
static int tokenise(guard_detector *det, const char *text, struct tokbuf *b, size_t *kata)
{
    const struct ja_token *tk = NULL;
    size_t n = 0;
    if (ja_tag(det->tg, text, det->normlen, &tk, &n) != 0 || tokbuf_reserve(b, n) != 0)
        return -1;
    char buf[GUARD__MAX_KEYS * GUARD__KEY_MAX];
    size_t off[GUARD__MAX_KEYS], len[GUARD__MAX_KEYS];
    for (size_t i = 0; i < n; i++) {
        struct tok *t = &b->t[i];
        unsigned fl = 0;
        int nk = guard__token_keys(&tk[i], i + 1 < n ? &tk[i + 1] : NULL, text + tk[i].off, buf,
                                   off, len, &fl);
        t->off = tk[i].off;
        t->len = tk[i].len;
        t->f = (uint8_t)fl;
        t->nkey = 0;
        uint32_t wc = 0;
        for (int k = 0; k < nk; k++) {
            uint32_t id = guard__key_find(&det->lx->keys, buf + off[k], len[k]);
            if (!id)
                continue;
            t->key[t->nkey++] = id;
            if (k == 0) /* the base form */
                wc = det->lx->wclass[id];
        }
        t->ctx = context_of(&tk[i], text + tk[i].off, tk[i].len, wc);
        /* 黙ってろ, 死んどけ, 死んでくれ: the command sits on the helper verb; the main verb
         * before it (and its て) is commanded too; 気をつけてください asks, it does not
         * command. */
        int helper = (fl & GUARD__F_IMP) && tk[i].pos == JA_POS_VERB &&
                     strcmp(tk[i].pos1, "非自立") == 0 && strcmp(tk[i].base, "くださる") != 0;
        /* MeCab reads the ろ of 引っ込んでろ as a noun. */
        int ro = strcmp(tk[i].base, "ろ") == 0 && i > 0 && tk[i - 1].pos == JA_POS_PARTICLE;
        if (helper || ro) {
            size_t j = i;
            if (j > 0 && tk[j - 1].pos == JA_POS_PARTICLE &&
                (strcmp(tk[j - 1].base, "て") == 0 || strcmp(tk[j - 1].base, "で") == 0))
                j--;
            if (j > 0 && tk[j - 1].pos == JA_POS_VERB)
                b->t[j - 1].f |= GUARD__F_IMP;
        }
    }
    b->n = n;
    if (kata && det->fn && emit_text_features(det, tk, n) != 0)
        return -1;
    if (kata)
        return fold_unknown_katakana(det, tk, n, &kata[0], &kata[1]);
    return 0;
}

/* ---- matching ---- */

/* Index of the token that ends exactly at byte end, from token p on; -1 when none does. */
static long token_ending_at(const struct tokbuf *b, size_t p, size_t end, int inside_ok)
{
    for (size_t q = p; q < b->n && b->t[q].off < end; q++) {
        size_t e = b->t[q].off + b->t[q].len;
        if (e == end || (inside_ok && e > end))
            return (long)q;
    }
    return -1;
}

static int morph_match(const struct guard__morph *m, const struct tok *t)
{
    if ((t->f & m->need) != m->need)
        return 0;
    for (int i = 0; i < m->nkey; i++)
        for (int j = 0; j < t->nkey; j++)
            if (m->key[i] == t->key[j])
                return 1;
    return 0;
}

/* Matches one alternative at token p of text; returns the token after it, or -1; *endb gets
 * the byte after it. */
static long literal_match(const guard_detector *det, const char *text, const struct tokbuf *b,
                          const char *lit, size_t litlen, int prefix, size_t p, size_t *endb)
{
    size_t o = b->t[p].off;
    if (o + litlen > det->normlen || memcmp(text + o, lit, litlen) != 0)
        return -1;
    long q = token_ending_at(b, p, o + litlen, prefix);
    if (q < 0)
        return -1;
    /* A prefix inside one known word is another word (あほ in アホウドリ), unless the word
     * inflects (きもいんだよ) or MeCab did not know it. */
    if (prefix && (size_t)q == p && o + litlen < b->t[p].off + b->t[p].len &&
        (b->t[p].f & GUARD__F_KNOWN_NOUN))
        return -1;
    *endb = o + litlen;
    return q + 1;
}

/* Matches one alternative at token p of text; returns the token after it, or -1; *endb gets
 * the byte after it. */
static long alt_match(const guard_detector *det, const char *text, const struct tokbuf *b,
                      const struct guard__alt *a, size_t p, size_t *endb)
{
    if (a->literal)
        return literal_match(det, text, b, a->lit, a->litlen, a->prefix, p, endb);
    if (a->nmorph == 1 && a->morph[0].nkey == 0) { /* "*" */
        if ((b->t[p].f & a->morph[0].need) != a->morph[0].need)
            return -1;
        *endb = b->t[p].off + b->t[p].len;
        return (long)p + 1;
    }
    int ok = p + (size_t)a->nmorph <= b->n;
    for (int i = 0; ok && i < a->nmorph; i++)
        ok = morph_match(&a->morph[i], &b->t[p + (size_t)i]);
    if (ok) {
        const struct tok *last = &b->t[p + (size_t)a->nmorph - 1];
        *endb = last->off + last->len;
        return (long)(p + (size_t)a->nmorph);
    }
    /* MeCab may cut a phrase differently in a sentence (いい加減 | いい 加減): the written
     * form, from a morpheme start to a morpheme end, matches too. */
    if (a->lit)
        return literal_match(det, text, b, a->lit, a->litlen, 0, p, endb);
    return -1;
}

static long elem_match(const guard_detector *det, const char *text, const struct tokbuf *b,
                       const struct guard__elem *el, size_t p, size_t *endb)
{
    for (int a = 0; a < el->nalt; a++) {
        long e = alt_match(det, text, b, &el->alt[a], p, endb);
        if (e >= 0)
            return e;
    }
    return -1;
}

/* Greedy: each element takes the first place it fits, so a pattern costs at most
 * elements × (gap + 1) × alternatives tries whatever the input. */
static long entry_match(const guard_detector *det, const char *text, const struct tokbuf *b,
                        const struct guard__entry *en, size_t s, size_t *endb)
{
    long e = elem_match(det, text, b, &en->elem[0], s, endb);
    for (int k = 1; k < en->nelem && e >= 0; k++) {
        const struct guard__elem *el = &en->elem[k];
        size_t p = (size_t)e;
        size_t last = el->gap ? p + GUARD__GAP : p;
        e = -1;
        for (size_t first = p; p <= last && p < b->n; p++) {
            /* A gap does not reach into the next sentence. */
            if (p > first && (b->t[p - 1].ctx & C_SENT))
                break;
            e = elem_match(det, text, b, el, p, endb);
            if (e >= 0)
                break;
        }
    }
    return e;
}

/* ---- context ---- */

/* Whether the negation at token j really negates (not なめんな, ふざけるんじゃない,
 * 〜てくれない?, バカじゃないの?). */
static int real_negation(const struct tokbuf *b, size_t e, size_t j)
{
    if (j + 1 < b->n && (b->t[j + 1].ctx & (C_NA | C_COND)))
        return 0;
    if (j >= e + 2 && (b->t[j - 1].ctx & C_JA) && (b->t[j - 2].ctx & C_NO))
        return 0;
    for (size_t k = e; k < j; k++)
        if (b->t[k].ctx & C_REQ)
            return 0;
    for (size_t k = j + 1; k < b->n && k <= j + 2; k++)
        if (b->t[k].ctx & C_Q)
            return 0;
    return 1;
}

static int negated_after(const struct tokbuf *b, size_t e)
{
    /* After とか, なんて, まで (土下座しろとか、そういうのは求めてない) the negation may come
     * later in the sentence, past a comma. */
    int mention = 0;
    size_t window = NEG_WINDOW;
    for (size_t j = e; j < b->n && j < e + window; j++) {
        unsigned c = b->t[j].ctx;
        if ((c & C_MENTION) && j <= e + 1) {
            mention = 1;
            window = 12;
        }
        if (c & C_NEG)
            return real_negation(b, e, j);
        if (c & C_SENT)
            return 0;
        if ((c & (C_CLAUSE | C_FINAL | C_NA)) && !mention)
            return 0;
    }
    return 0;
}

/* A verb of saying after a quotation: reported when it is past, passive, negated, or
 * describes a thing (死ねって言うゲーム); "死ねって言ってんだよ" insists instead. */
static int saying_is_report(const struct tokbuf *b, size_t k)
{
    for (size_t j = k + 1; j < b->n && j <= k + 4; j++) {
        unsigned c = b->t[j].ctx;
        if (c & (C_PAST | C_PASSIVE | C_NEG | C_THING))
            return 1;
        if (c & C_SENT)
            break;
    }
    return 0;
}

static int reported_after(const struct tokbuf *b, size_t e)
{
    for (size_t j = e; j < b->n && j < e + REPORT_WINDOW; j++) {
        unsigned c = b->t[j].ctx;
        if (c & C_SENT)
            return 0;
        if (!(c & C_QUOT))
            continue;
        int question = j > 0 && (b->t[j - 1].ctx & C_Q); /* 殺す気かと思った */
        for (size_t k = j + 1; k < b->n && k <= j + 4; k++) {
            unsigned ck = b->t[k].ctx;
            if (ck & C_WORD)
                return 1;
            if ((ck & C_SAY) && saying_is_report(b, k))
                return 1;
            if ((ck & C_THINK) && (question || (k + 1 < b->n && (b->t[k + 1].ctx & C_PASSIVE))))
                return 1; /* 殺す気かと思った; バカだと思われてる */
            if (k == j + 1 && (b->t[j].ctx & C_SAY) && (ck & C_THING))
                return 1; /* ウザイという名前の商品 */
            if (ck & C_SENT)
                break;
        }
    }
    return 0;
}

static int quoted(const struct tokbuf *b, size_t s)
{
    int depth = 0;
    for (size_t j = 0; j < s; j++) {
        if (b->t[j].ctx & C_OPEN)
            depth++;
        else if ((b->t[j].ctx & C_CLOSE) && depth > 0)
            depth--;
    }
    return depth > 0;
}

/* The match describes a thing or a degree rather than a person: クズ野菜, 処女作, クソ暑い,
 * ばかに丁寧, アホみたいに高い, 火をつけるタイプ, ふざけた商品名, 刺すような痛み, ボケてる. */
static int describes_thing(const struct tokbuf *b, size_t s, size_t e)
{
    if (e >= b->n)
        return 0;
    int verb = (b->t[e - 1].ctx & C_VERB) != 0;
    unsigned c = b->t[e].ctx;
    if (b->t[e - 1].f & GUARD__F_IMP) /* 死ねカス: a command does not describe a noun */
        return 0;
    if (c & C_THING)
        return 1;
    if ((c & C_ADJ) && (b->t[e - 1].ctx & C_PREFIX))
        return 1;
    /* 爆弾低気圧: a prefix before a thing. */
    if ((c & C_PREFIX) && e + 1 < b->n && (b->t[e + 1].ctx & C_THING))
        return 1;
    /* バカ高い, バカ受け, お尻拭き: a noun or a prefix run straight into an adjective or a verb
     * is a degree or a compound. */
    if (e == s + 1 && ((b->t[s].f & GUARD__F_KNOWN_NOUN) || (b->t[s].ctx & C_PREFIX)) &&
        (c & (C_ADJ | C_RENYO)) && !(c & C_AUXVERB))
        return 1;
    /* 蹴りのトレーニング器具: a verb's noun form naming a kind of thing. */
    if (verb && e == s + 1 && (c & C_NO) && e + 1 < b->n && (b->t[e + 1].ctx & C_THING))
        return 1;
    /* ふざけた値段: a past form describing a thing (ふざけた真似 is aimed at a person). */
    if (verb && (c & C_PAST) && e + 1 < b->n && (b->t[e + 1].ctx & C_THING))
        return 1;
    if (c & C_SIMILE) {
        if (verb)
            return 1;
        for (size_t j = e + 1; j < b->n && j <= e + 2; j++)
            if ((b->t[j].ctx & C_NI) && j + 1 < b->n && (b->t[j + 1].ctx & C_ADJ))
                return 1;
        return 0;
    }
    if (e == s + 1 && (c & C_NI) && e + 1 < b->n && (b->t[e + 1].ctx & C_ADJ))
        return 1;
    return !verb && (c & C_AUXVERB);
}

/* 殴られた, 晒されてる: the speaker or someone else suffered it; 殴られたいのか threatens. */
static int suffered(const struct tokbuf *b, size_t e)
{
    /* バカにされてる, アホ扱いされた: the speaker felt insulted. */
    if (e + 2 < b->n && (b->t[e].ctx & C_NI) && (b->t[e + 1].ctx & C_VERB) &&
        (b->t[e + 2].ctx & C_PASSIVE))
        return 1;
    if (e >= b->n || !(b->t[e].ctx & C_PASSIVE))
        return 0;
    if (e + 1 < b->n && (b->t[e + 1].ctx & C_DESIRE))
        return 0;
    /* 殺されてえか, 晒されたいのか: asked, not told. */
    for (size_t j = e + 1; j < b->n && j <= e + 3; j++) {
        if (b->t[j].ctx & C_PAST)
            return 1;
        if (b->t[j].ctx & C_Q)
            return 0;
    }
    return 1;
}

/* 私がバカでした: an insult the speaker aims at themself. */
static int about_self(const struct tokbuf *b, size_t s)
{
    for (size_t j = s; j > 0 && j + 5 > s; j--) {
        unsigned c = b->t[j - 1].ctx;
        if (c & (C_SENT | C_CLAUSE | C_YOU))
            return 0;
        if (c & C_SELF)
            return 1;
    }
    return 0;
}

static double context_factor(const guard_lexicon *lx, const struct guard__entry *en,
                             const struct tokbuf *b, size_t s, size_t e)
{
    if (reported_after(b, e) || suffered(b, e))
        return REPORTED_FACTOR;
    if (negated_after(b, e))
        return 0;
    int cat = en->nlabel > 0 && en->label[0].kind == GUARD__CAT;
    if (cat && describes_thing(b, s, e))
        return 0;
    if (cat && strcmp(lx->code[en->label[0].code], "insult") == 0 && about_self(b, s))
        return 0;
    if (quoted(b, s))
        return QUOTED_FACTOR;
    return 1;
}

static void add_match(guard_detector *det, int entry, size_t off, size_t len, double factor)
{
    for (int i = 0; i < det->nm; i++)
        if (det->m[i].entry == entry && det->m[i].off == off)
            return;
    if (det->nm >= MAX_MATCH)
        return;
    det->m[det->nm++] = (struct match){entry, off, len, factor};
}

static void next_tick(guard_detector *det)
{
    if (++det->tick == 0) {
        memset(det->stamp, 0, ((size_t)det->lx->nentry + 1) * sizeof *det->stamp);
        det->tick = 1;
    }
}

static int on_boundary(const struct tokbuf *ref, size_t byte)
{
    size_t a = 0, z = ref->n;
    while (a < z) {
        size_t m = (a + z) / 2;
        if (ref->t[m].off < byte)
            a = m + 1;
        else
            z = m;
    }
    if (a < ref->n && ref->t[a].off == byte)
        return 1;
    return a > 0 && ref->t[a - 1].off + ref->t[a - 1].len == byte;
}

/* Whether a match [off, end) of the second pass touches the re-read katakana [lo, hi) and
 * starts and ends where the first pass cut too (かす in カスタマー is not a word). */
static int keep_span(const struct tokbuf *ref, size_t off, size_t end, size_t lo, size_t hi)
{
    if (!ref)
        return 1;
    return end > lo && off < hi && on_boundary(ref, off) && on_boundary(ref, end);
}

/* Tries the entries indexed under token p. */
static void try_at(guard_detector *det, const char *text, const struct tokbuf *b,
                   const struct tokbuf *ref, size_t p, size_t lo, size_t hi)
{
    const guard_lexicon *lx = det->lx;
    next_tick(det);
    for (int pass = 0; pass < 2; pass++) {
        const uint32_t *ent, *end;
        if (pass == 0) {
            for (int k = 0; k < b->t[p].nkey; k++) {
                uint32_t id = b->t[p].key[k];
                ent = lx->by_key.ent + lx->by_key.start[id];
                end = lx->by_key.ent + lx->by_key.start[id + 1];
                for (; ent < end; ent++) {
                    if (det->stamp[*ent] == det->tick)
                        continue;
                    det->stamp[*ent] = det->tick;
                    size_t endb = 0;
                    long e = entry_match(det, text, b, &lx->entry[*ent], p, &endb);
                    size_t off = b->t[p].off;
                    if (e >= 0 && keep_span(ref, off, endb, lo, hi))
                        add_match(det, (int)*ent, off, endb - off,
                                  context_factor(lx, &lx->entry[*ent], b, p, (size_t)e));
                }
            }
            continue;
        }
        size_t o = b->t[p].off;
        if (o + 3 > det->normlen)
            continue;
        unsigned bk = guard__lit_bucket(text + o, 3);
        ent = lx->lit_ent + lx->lit_start[bk];
        end = lx->lit_ent + lx->lit_start[bk + 1];
        for (; ent < end; ent++) {
            if (det->stamp[*ent] == det->tick)
                continue;
            det->stamp[*ent] = det->tick;
            size_t endb = 0;
            long e = entry_match(det, text, b, &lx->entry[*ent], p, &endb);
            if (e >= 0 && keep_span(ref, o, endb, lo, hi))
                add_match(det, (int)*ent, o, endb - o,
                          context_factor(lx, &lx->entry[*ent], b, p, (size_t)e));
        }
    }
}

static void match_all(guard_detector *det, const char *text, const struct tokbuf *b,
                      const struct tokbuf *ref, size_t lo, size_t hi)
{
    for (size_t p = 0; p < b->n; p++)
        try_at(det, text, b, ref, p, lo, hi);
}

/* ---- katakana MeCab does not know (コロス, シネ, ｷﾓｲ) ---- */

static int all_katakana(const char *s, size_t n)
{
    if (n < 6)
        return 0;
    for (size_t i = 0; i < n; i += 3) {
        if (i + 3 > n || (unsigned char)s[i] != 0xE3)
            return 0;
        unsigned cp = (((unsigned char)s[i] & 0x0Fu) << 12) |
                      (((unsigned char)s[i + 1] & 0x3Fu) << 6) | ((unsigned char)s[i + 2] & 0x3Fu);
        if (cp < 0x30A1 || cp > 0x30FC)
            return 0;
    }
    return 1;
}

/* Writes into fold2 the text with unknown katakana words as hiragana and returns the byte
 * range they cover ([*lo, *hi)), or 0 when there are none. */
static int fold_unknown_katakana(guard_detector *det, const struct ja_token *tk, size_t n,
                                 size_t *lo, size_t *hi)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (tk[i].pos != JA_POS_NOUN || !all_katakana(det->norm + tk[i].off, tk[i].len))
            continue;
        int unknown = tk[i].unknown;
        if (!unknown)
            continue;
        if (!any)
            memcpy(det->fold2, det->norm, det->normlen + 1);
        guard__fold_kana(det->fold2 + tk[i].off, det->norm + tk[i].off, tk[i].len);
        if (!any || tk[i].off < *lo)
            *lo = tk[i].off;
        if (!any || tk[i].off + tk[i].len > *hi)
            *hi = tk[i].off + tk[i].len;
        any = 1;
    }
    return any;
}

/* ---- features of the learned stage ---- */

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Appends s (n bytes) to d at *pos, katakana as hiragana and ASCII digits as 0, so that 5万 and
 * 50万, 土下座 read as どげざ, and ﾄﾞｹﾞｻﾞ meet. */
static void put_folded(char *d, size_t *pos, const char *s, size_t n)
{
    guard__fold_kana(d + *pos, s, n);
    for (size_t i = 0; i < n; i++)
        if (d[*pos + i] >= '0' && d[*pos + i] <= '9')
            d[*pos + i] = '0';
    *pos += n;
}

static int grow_features(guard_detector *det, size_t need)
{
    if (need <= det->fcap)
        return 0;
    size_t cap = det->fcap ? det->fcap : 1024;
    while (cap < need)
        cap *= 2;
    char *a = realloc(det->sbuf, cap);
    if (a)
        det->sbuf = a;
    char *b = realloc(det->rbuf, cap);
    if (b)
        det->rbuf = b;
    uint32_t *c = realloc(det->cpos, (cap + 1) * sizeof *c);
    if (c)
        det->cpos = c;
    if (!a || !b || !c)
        return -1;
    det->fcap = cap;
    return 0;
}

static void emit(guard_detector *det, const char *tag, size_t taglen, const char *s, size_t n,
                 double value)
{
    char name[GUARD_TERM_MAX];
    if (taglen + n >= sizeof name)
        return;
    memcpy(name, tag, taglen);
    memcpy(name + taglen, s, n);
    det->fn(det->fnarg, name, taglen + n, value);
}

/* Character n-grams (order 2 and, when tri is set, 3) of s, tagged e.g. "r2:", "r3:". */
static void emit_ngrams(guard_detector *det, char t, const char *s, size_t n, int tri)
{
    size_t nc = 0;
    for (size_t i = 0; i < n; i += utf8_len((unsigned char)s[i]))
        det->cpos[nc++] = (uint32_t)i;
    det->cpos[nc] = (uint32_t)n;
    char tag2[4] = {t, '2', ':', 0}, tag3[4] = {t, '3', ':', 0};
    for (size_t i = 0; i + 2 <= nc; i++)
        emit(det, tag2, 3, s + det->cpos[i], det->cpos[i + 2] - det->cpos[i], 1);
    for (size_t i = 0; tri && i + 3 <= nc; i++)
        emit(det, tag3, 3, s + det->cpos[i], det->cpos[i + 3] - det->cpos[i], 1);
}

static int skip_token(const struct ja_token *tk, const char *surface)
{
    return tk->pos == JA_POS_SYMBOL || (tk->len == 1 && strchr("?!.,\"'", *surface));
}

/* The features of the text (first pass of tokenise): MeCab lemmas ("w:"), and character
 * n-grams of the surface ("s2:") and of the reading ("r2:", "r3:") with punctuation left out —
 * a recogniser gives none — and ^ $ marking the ends. */
static int emit_text_features(guard_detector *det, const struct ja_token *tk, size_t n)
{
    size_t need = 8;
    for (size_t i = 0; i < n; i++)
        need += tk[i].len + strlen(tk[i].reading) + 4;
    if (grow_features(det, need) != 0)
        return -1;
    size_t sl = 0, rl = 0;
    det->sbuf[sl++] = '^';
    det->rbuf[rl++] = '^';
    for (size_t i = 0; i < n; i++) {
        const char *surface = det->norm + tk[i].off;
        if (skip_token(&tk[i], surface))
            continue;
        put_folded(det->sbuf, &sl, surface, tk[i].len);
        const char *rd = tk[i].reading;
        size_t rdl = strlen(rd);
        if (rdl == 0 || (rdl == 1 && rd[0] == '*'))
            put_folded(det->rbuf, &rl, surface, tk[i].len);
        else
            put_folded(det->rbuf, &rl, rd, rdl);
        det->rbuf[rl++] = '|';
        char lemma[GUARD__KEY_MAX];
        size_t bl = strlen(tk[i].base);
        if (bl > 0 && bl < sizeof lemma) {
            size_t lp = 0;
            put_folded(lemma, &lp, tk[i].base, bl);
            emit(det, "w:", 2, lemma, lp, 1);
        }
    }
    det->sbuf[sl++] = '$';
    det->rbuf[rl++] = '$';
    emit_ngrams(det, 's', det->sbuf, sl, 0);
    emit_ngrams(det, 'r', det->rbuf, rl, 1);
    return 0;
}

/* The lexicon's category scores as features "lex:<category>" (value = the score). */
static void emit_lexical(guard_detector *det)
{
    const struct guard_result *r = &det->res;
    for (int i = 0; i < r->ncat; i++)
        emit(det, "lex:", 4, r->cat[i].code, strlen(r->cat[i].code), r->cat[i].lexical);
}

/* The model's side of emit: adds a known feature's weights, once per utterance. */
static void model_feature(void *arg, const char *name, size_t len, double value)
{
    guard_detector *det = arg;
    const guard_model *m = det->lx->model;
    uint32_t id = guard__model_find(m, name, len);
    if (!id || det->fstamp[id] == det->ftick)
        return;
    det->fstamp[id] = det->ftick;
    for (uint32_t k = m->wstart[id]; k < m->wstart[id + 1]; k++) {
        int c = m->wcat[k];
        float contrib = (float)(m->w[k] * value);
        det->z[c] += contrib;
        if (contrib > 0)
            det->pos[c] += contrib;
        struct top *t = det->top[c];
        for (int j = 0; j < 3; j++)
            if (!t[j].id || contrib > t[j].contrib) {
                for (int q = 2; q > j; q--)
                    t[q] = t[q - 1];
                t[j] = (struct top){id, contrib};
                break;
            }
    }
}

static void model_begin(guard_detector *det)
{
    const guard_model *m = det->lx->model;
    if (++det->ftick == 0) {
        memset(det->fstamp, 0, ((size_t)m->nfeat + 1) * sizeof *det->fstamp);
        det->ftick = 1;
    }
    for (int c = 0; c < m->ncat; c++) {
        det->z[c] = m->bias[c];
        det->pos[c] = 0;
    }
    memset(det->top, 0, sizeof det->top);
    det->fn = model_feature;
    det->fnarg = det;
}

static struct guard_category *find_cat(struct guard_result *r, const char *code)
{
    for (int i = 0; i < r->ncat; i++)
        if (strcmp(r->cat[i].code, code) == 0)
            return &r->cat[i];
    return NULL;
}

static void add_reasons(guard_detector *det, int c)
{
    const guard_model *m = det->lx->model;
    struct guard_result *r = &det->res;
    for (int j = 0; j < 3 && r->nfeat < GUARD_MAX_FEATS; j++) {
        const struct top *t = &det->top[c][j];
        if (!t->id || t->contrib <= 0)
            break;
        struct guard_feature *f = &r->feat[r->nfeat++];
        snprintf(f->name, sizeof f->name, "%s", m->names[t->id]);
        snprintf(f->category, sizeof f->category, "%s", m->cat[c]);
        f->weight = t->contrib;
    }
}

static int cmp_cat(const void *a, const void *b);

/* Adds the model's calibrated probabilities: a category the model is GUARD_MODEL_THRESHOLD sure
 * of takes that probability as its score when the lexicon gave less (a category only the lexicon
 * knows keeps its score), with the features that raised it most as reasons. */
static void model_finish(guard_detector *det, enum guard_speaker who)
{
    const guard_model *m = det->lx->model;
    struct guard_result *r = &det->res;
    emit_lexical(det);
    det->fn = NULL;
    r->score = 0;
    for (int c = 0; c < m->ncat; c++) {
        double x = m->scale[c] * det->z[c] + m->shift[c];
        double p = 1 / (1 + exp(-x));
        int raise = p >= GUARD_MODEL_THRESHOLD && det->pos[c] >= GUARD_MODEL_EVIDENCE;
        struct guard_category *gc = find_cat(r, m->cat[c]);
        if (!gc) {
            /* Only a category the model raises joins the lexicon's. */
            if (!raise || r->ncat >= GUARD_MAX_CATS)
                continue;
            gc = &r->cat[r->ncat++];
            snprintf(gc->code, sizeof gc->code, "%s", m->cat[c]);
            gc->lexical = 0;
            gc->score = 0;
        }
        gc->model = p;
        if (raise && p > gc->lexical) {
            gc->score = p;
            add_reasons(det, c);
        }
    }
    for (int i = 0; i < r->ncat; i++)
        if (r->cat[i].score > r->score)
            r->score = r->cat[i].score;
    qsort(r->cat, (size_t)r->ncat, sizeof r->cat[0], cmp_cat);
    r->harassment = who == GUARD_CUSTOMER && r->score >= GUARD_THRESHOLD;
}

/* ---- scoring ---- */

static int cmp_cat(const void *a, const void *b)
{
    const struct guard_category *x = a, *y = b;
    return (x->score < y->score) - (x->score > y->score);
}

/* A boost (お前) lifts a category only when another match, away from it, gave that category:
 * てめえ alone is not "てめえ + abuse". */
static int boost_target(const guard_detector *det, int bi, int code)
{
    const struct match *b = &det->m[bi];
    for (int i = 0; i < det->nm; i++) {
        const struct match *m = &det->m[i];
        if (i == bi || m->factor <= 0)
            continue;
        if (m->off < b->off + b->len && b->off < m->off + m->len)
            continue;
        const struct guard__entry *en = &det->lx->entry[m->entry];
        for (int l = 0; l < en->nlabel; l++)
            if (en->label[l].kind == GUARD__CAT && en->label[l].code == code)
                return 1;
    }
    return 0;
}

static void score(guard_detector *det, enum guard_speaker who)
{
    const guard_lexicon *lx = det->lx;
    struct guard_result *r = &det->res;
    double keep[GUARD__MAX_CODES], boost[GUARD__MAX_CODES];
    int demand[GUARD__MAX_CODES] = {0};
    for (int c = 0; c < GUARD__MAX_CODES; c++)
        keep[c] = 1, boost[c] = 0;
    for (int i = 0; i < det->nm; i++) {
        const struct match *m = &det->m[i];
        const struct guard__entry *en = &lx->entry[m->entry];
        if (m->factor <= 0)
            continue;
        const char *spancat = NULL;
        char dem[GUARD_CODE_MAX];
        for (int l = 0; l < en->nlabel; l++) {
            const struct guard__label *lb = &en->label[l];
            double w = en->weight * m->factor;
            if (lb->kind == GUARD__CAT) {
                keep[lb->code] *= 1 - w;
                if (!spancat)
                    spancat = lx->code[lb->code];
            } else if (lb->kind == GUARD__BOOST) {
                if (w > boost[lb->code] && boost_target(det, i, lb->code))
                    boost[lb->code] = w;
            } else if (m->factor >= 1 && who == GUARD_CUSTOMER) {
                demand[lb->code] = 1;
                if (!spancat) {
                    /* Demand codes are stored as "=kind" (see parse_labels). */
                    snprintf(dem, sizeof dem, "demand:%s", lx->code[lb->code] + 1);
                    spancat = dem;
                }
            }
        }
        if (spancat && r->nspan < GUARD_MAX_SPANS) {
            struct guard_span *sp = &r->span[r->nspan++];
            sp->off = m->off;
            sp->len = m->len;
            snprintf(sp->category, sizeof sp->category, "%s", spancat);
            snprintf(sp->term, sizeof sp->term, "%s", en->term);
            sp->line = en->line;
            sp->weight = en->weight * m->factor;
        }
    }
    for (int c = 0; c < lx->ncode; c++) {
        if (lx->code[c][0] == '=') {
            if (demand[c] && r->ndemand < GUARD_MAX_CATS)
                snprintf(r->demand[r->ndemand++], GUARD_CODE_MAX, "%s", lx->code[c] + 1);
            continue;
        }
        double s = 1 - keep[c];
        if (s <= 0)
            continue;
        /* A boost (お前 with an insult) lifts a category that is there, never makes one. */
        if (s >= 0.3)
            s += boost[c] * (1 - s);
        if (r->ncat < GUARD_MAX_CATS) {
            snprintf(r->cat[r->ncat].code, GUARD_CODE_MAX, "%s", lx->code[c]);
            r->cat[r->ncat].lexical = s;
            r->cat[r->ncat].model = -1;
            r->cat[r->ncat++].score = s;
        }
        if (s > r->score)
            r->score = s;
    }
    qsort(r->cat, (size_t)r->ncat, sizeof r->cat[0], cmp_cat);
    r->harassment = who == GUARD_CUSTOMER && r->score >= GUARD_THRESHOLD;
}

static int detect_lexical(guard_detector *det, const char *text, size_t len, enum guard_speaker who)
{
    if (len > GUARD_TEXT_MAX || normalise(det, text, len) != 0)
        return -1;
    memset(&det->res, 0, sizeof det->res);
    det->nm = 0;
    size_t kata[2] = {0, 0};
    int again = tokenise(det, det->norm, &det->t1, kata);
    if (again < 0)
        return -1;
    match_all(det, det->fold, &det->t1, NULL, 0, 0);
    if (again) {
        if (tokenise(det, det->fold2, &det->t2, NULL) != 0)
            return -1;
        match_all(det, det->fold2, &det->t2, &det->t1, kata[0], kata[1]);
    }
    score(det, who);
    return 0;
}

int guard_detect(guard_detector *det, const char *text, size_t len, enum guard_speaker who,
                 struct guard_result *out)
{
    if (det->lx->model)
        model_begin(det);
    else
        det->fn = NULL;
    if (detect_lexical(det, text, len, who) != 0) {
        det->fn = NULL;
        return -1;
    }
    if (det->lx->model)
        model_finish(det, who);
    det->res.norm = det->norm;
    det->res.normlen = det->normlen;
    *out = det->res;
    return 0;
}

int guard__features(guard_detector *det, const char *text, size_t len, guard__feature_fn fn,
                    void *arg)
{
    det->fn = fn;
    det->fnarg = arg;
    int rc = detect_lexical(det, text, len, GUARD_CUSTOMER);
    if (rc == 0)
        emit_lexical(det);
    det->fn = NULL;
    return rc;
}
