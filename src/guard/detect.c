/* detect: one utterance through NFKC, MeCab and the lexicon. Tokens are turned into interned
 * keys once; the lexicon's index gives the few entries that may start at each token; every
 * match is then weighed by its context — negated (殺さない), reported (「バカ」と言われた),
 * quoted — before the categories are scored with a noisy-or. All buffers belong to the
 * detector and are reused, so a warmed-up detector does not allocate. */
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
    C_NEG = 1u << 0,     /* ない, ぬ, ん, ず */
    C_QUOT = 1u << 1,    /* と, って, なんて, とか */
    C_SAY = 1u << 2,     /* 言う, 聞く, 書く … */
    C_SENT = 1u << 3,    /* 。 ! ? */
    C_CLAUSE = 1u << 4,  /* 、 or が, けど, から … */
    C_REQ = 1u << 5,     /* くれる, もらえる, ほしい … */
    C_Q = 1u << 6,       /* か, かな, の, ? */
    C_NA = 1u << 7,      /* 終助詞 な */
    C_NO = 1u << 8,      /* ん, の (…んじゃない) */
    C_JA = 1u << 9,      /* じゃ, では */
    C_OPEN = 1u << 10,   /* 「『 */
    C_CLOSE = 1u << 11,  /* 」』 */
    C_FINAL = 1u << 12,  /* other 終助詞: ぞ, よ, ね … */
    C_WORD = 1u << 13,   /* 言葉, 発言 … (a mention, not a use) */
    C_SYMBOL = 1u << 14, /* any other symbol */
};

struct tok {
    size_t off, len;
    uint32_t key[GUARD__MAX_KEYS];
    uint8_t nkey;
    uint8_t f;
    uint16_t ctx;
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

struct guard_detector {
    const guard_lexicon *lx;
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
    if (!det->tg || !det->stamp) {
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

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static unsigned context_of(const struct ja_token *tk, const char *surface, size_t slen)
{
    static const char *const neg[] = {"ない", "ぬ", "ん", "ず", NULL};
    static const char *const quot[] = {"と", "って", "なんて", "とか", "だって", "て", NULL};
    static const char *const say[] = {"言う",       "いう",       "聞く",     "書く",   "申す",
                                      "おっしゃる", "叫ぶ",       "怒鳴る",   "言える", "述べる",
                                      "ほざく",     "申し上げる", "言い放つ", "云う",   NULL};
    static const char *const word[] = {"言葉", "発言",   "表現",   "単語", "暴言",
                                       "台詞", "セリフ", "せりふ", "意味", NULL};
    static const char *const conj[] = {"が",   "けど", "けれど", "けれども", "から",
                                       "ので", "のに", "し",     "ば",       NULL};
    static const char *const req[] = {"くれる",   "もらえる", "いただける", "もらう", "いただく",
                                      "くださる", "ください", "ほしい",     "欲しい", NULL};
    unsigned c = 0;
    const char *b = tk->base;
    switch (tk->pos) {
    case JA_POS_AUX:
        if (in_list(b, neg))
            c |= C_NEG;
        if (strcmp(b, "じゃ") == 0)
            c |= C_JA;
        break;
    case JA_POS_ADJ:
        if (strcmp(b, "ない") == 0 || strcmp(b, "無い") == 0)
            c |= C_NEG;
        if (in_list(b, req))
            c |= C_REQ;
        break;
    case JA_POS_VERB:
        if (in_list(b, say))
            c |= C_SAY;
        if (in_list(b, req))
            c |= C_REQ;
        break;
    case JA_POS_NOUN:
        if (in_list(b, word))
            c |= C_WORD;
        if (strcmp(tk->pos1, "非自立") == 0 && (strcmp(b, "ん") == 0 || strcmp(b, "の") == 0))
            c |= C_NO;
        break;
    case JA_POS_PARTICLE:
        if (in_list(b, quot) && strcmp(b, "て") != 0)
            c |= C_QUOT;
        if (strcmp(tk->pos1, "接続助詞") == 0 && in_list(b, conj))
            c |= C_CLAUSE;
        if (strcmp(b, "か") == 0 || strcmp(b, "かな") == 0 || strcmp(b, "かしら") == 0)
            c |= C_Q;
        if (strcmp(b, "の") == 0)
            c |= C_NO | (strcmp(tk->pos1, "終助詞") == 0 ? C_Q : 0);
        if (strcmp(b, "じゃ") == 0 || strcmp(b, "では") == 0)
            c |= C_JA;
        if (strcmp(tk->pos1, "終助詞") == 0 && !(c & C_Q))
            c |= strcmp(b, "な") == 0 ? C_NA : C_FINAL;
        break;
    case JA_POS_SYMBOL:
        if (slen == 3 && (memcmp(surface, "。", 3) == 0 || memcmp(surface, "…", 3) == 0))
            c |= C_SENT;
        else if (slen == 1 && (*surface == '!' || *surface == '.'))
            c |= C_SENT;
        else if (slen == 1 && *surface == '?')
            c |= C_SENT | C_Q;
        else if (slen == 3 && memcmp(surface, "、", 3) == 0)
            c |= C_CLAUSE;
        else if (slen == 1 && *surface == ',')
            c |= C_CLAUSE;
        else if (slen == 3 && (memcmp(surface, "「", 3) == 0 || memcmp(surface, "『", 3) == 0))
            c |= C_OPEN;
        else if (slen == 3 && (memcmp(surface, "」", 3) == 0 || memcmp(surface, "』", 3) == 0))
            c |= C_CLOSE;
        else
            c |= C_SYMBOL;
        break;
    default:
        break;
    }
    /* MeCab gives stray ASCII marks that IPADIC does not know as nouns (サ変接続). */
    if (tk->pos != JA_POS_SYMBOL && slen == 1) {
        if (*surface == '?')
            c |= C_SENT | C_Q;
        else if (*surface == '!' || *surface == '.')
            c |= C_SENT;
        else if (*surface == ',')
            c |= C_CLAUSE;
        else if (*surface == '"')
            c |= C_SYMBOL;
    }
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
        int nk = guard__token_keys(&tk[i], i + 1 < n ? &tk[i + 1] : NULL, buf, off, len, &fl);
        t->off = tk[i].off;
        t->len = tk[i].len;
        t->f = (uint8_t)fl;
        t->nkey = 0;
        for (int k = 0; k < nk; k++) {
            uint32_t id = guard__key_find(&det->lx->keys, buf + off[k], len[k]);
            if (id)
                t->key[t->nkey++] = id;
        }
        t->ctx = (uint16_t)context_of(&tk[i], text + tk[i].off, tk[i].len);
    }
    b->n = n;
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
static long alt_match(const guard_detector *det, const char *text, const struct tokbuf *b,
                      const struct guard__alt *a, size_t p, size_t *endb)
{
    if (a->literal) {
        size_t o = b->t[p].off;
        if (o + a->litlen > det->normlen || memcmp(text + o, a->lit, a->litlen) != 0)
            return -1;
        long q = token_ending_at(b, p, o + a->litlen, a->prefix);
        if (q < 0)
            return -1;
        *endb = o + a->litlen;
        return q + 1;
    }
    if (p + (size_t)a->nmorph > b->n)
        return -1;
    for (int i = 0; i < a->nmorph; i++)
        if (!morph_match(&a->morph[i], &b->t[p + (size_t)i]))
            return -1;
    const struct tok *last = &b->t[p + (size_t)a->nmorph - 1];
    *endb = last->off + last->len;
    return (long)(p + (size_t)a->nmorph);
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

static int negated_after(const struct tokbuf *b, size_t e)
{
    int req = 0;
    for (size_t j = e; j < b->n && j < e + NEG_WINDOW; j++) {
        unsigned c = b->t[j].ctx;
        if (c & C_REQ)
            req = 1;
        if (c & C_NEG) {
            /* なめんな: ん before the prohibitive な is not a negation. */
            if (j + 1 < b->n && (b->t[j + 1].ctx & C_NA))
                return 0;
            /* ふざけるんじゃない: a reproach, not a negation. */
            if (j >= e + 2 && (b->t[j - 1].ctx & C_JA) && (b->t[j - 2].ctx & C_NO))
                return 0;
            /* 〜てくれないか, バカじゃないの?: a request or a taunt. */
            if (req)
                return 0;
            for (size_t k = j + 1; k < b->n && k <= j + 2; k++)
                if (b->t[k].ctx & C_Q)
                    return 0;
            return 1;
        }
        if (c & (C_SENT | C_CLAUSE | C_FINAL | C_NA))
            return 0;
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
        for (size_t k = j + 1; k < b->n && k <= j + 4; k++) {
            if (b->t[k].ctx & (C_SAY | C_WORD))
                return 1;
            if (b->t[k].ctx & C_SENT)
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

static double context_factor(const struct tokbuf *b, size_t s, size_t e)
{
    if (reported_after(b, e))
        return REPORTED_FACTOR;
    if (negated_after(b, e))
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

/* Tries the entries indexed under token p; only spans touching [lo, hi) are kept. */
static void try_at(guard_detector *det, const char *text, const struct tokbuf *b, size_t p,
                   size_t lo, size_t hi)
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
                    if (e >= 0 && endb > lo && off < hi)
                        add_match(det, (int)*ent, off, endb - off, context_factor(b, p, (size_t)e));
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
            if (e >= 0 && endb > lo && o < hi)
                add_match(det, (int)*ent, o, endb - o, context_factor(b, p, (size_t)e));
        }
    }
}

static void match_all(guard_detector *det, const char *text, const struct tokbuf *b, size_t lo,
                      size_t hi)
{
    for (size_t p = 0; p < b->n; p++)
        try_at(det, text, b, p, lo, hi);
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

/* ---- scoring ---- */

static int cmp_cat(const void *a, const void *b)
{
    const struct guard_category *x = a, *y = b;
    return (x->score < y->score) - (x->score > y->score);
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
                if (w > boost[lb->code])
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
            r->cat[r->ncat++].score = s;
        }
        if (s > r->score)
            r->score = s;
    }
    qsort(r->cat, (size_t)r->ncat, sizeof r->cat[0], cmp_cat);
    r->harassment = who == GUARD_CUSTOMER && r->score >= GUARD_THRESHOLD;
}

int guard_detect(guard_detector *det, const char *text, size_t len, enum guard_speaker who,
                 struct guard_result *out)
{
    if (len > GUARD_TEXT_MAX || normalise(det, text, len) != 0)
        return -1;
    memset(&det->res, 0, sizeof det->res);
    det->nm = 0;
    size_t kata[2] = {0, 0};
    int again = tokenise(det, det->norm, &det->t1, kata);
    if (again < 0)
        return -1;
    match_all(det, det->fold, &det->t1, 0, det->normlen + 1);
    if (again) {
        if (tokenise(det, det->fold2, &det->t2, NULL) != 0)
            return -1;
        match_all(det, det->fold2, &det->t2, kata[0], kata[1]);
    }
    score(det, who);
    det->res.norm = det->norm;
    *out = det->res;
    return 0;
}
