/* lexicon: loads data/lexicon/ja.tsv — one pattern a line with its labels and weight — into an
 * immutable table: patterns tagged once with MeCab into morpheme keys, keys interned to
 * integers, entries indexed by the keys of their first morpheme so that matching looks at a
 * handful of entries per token, never at all of them. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "guard/detect_int.h"

#define LEX_FILE_MAX  (8u << 20) /* bytes of one lexicon file */
#define LEX_LINE_MAX  4096       /* bytes of one line */
#define LEX_ENTRY_MAX 100000
#define LIT_BUCKETS   1024

/* ---- arena: every string and array of the lexicon, freed in one go ---- */

struct guard__arena {
    struct guard__arena *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char mem[];
};

static void *arena_alloc(struct guard__arena **a, size_t n)
{
    n = (n + 15u) & ~(size_t)15u;
    if (!*a || (*a)->used + n > (*a)->cap) {
        size_t cap = n > 65536 ? n : 65536;
        struct guard__arena *b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = *a;
        b->used = 0;
        b->cap = cap;
        *a = b;
    }
    void *p = (*a)->mem + (*a)->used;
    (*a)->used += n;
    return p;
}

static char *arena_strndup(struct guard__arena **a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void arena_free(struct guard__arena *a)
{
    while (a) {
        struct guard__arena *n = a->next;
        free(a);
        a = n;
    }
}

/* ---- interned keys ---- */

uint32_t guard__key_find(const struct guard__keytab *kt, const char *s, size_t len)
{
    if (!kt->cap)
        return 0;
    uint32_t mask = kt->cap - 1;
    for (uint32_t i = fnv1a(s, len) & mask;; i = (i + 1) & mask) {
        uint32_t id = kt->slot[i];
        if (!id)
            return 0;
        if (kt->len[id] == len && memcmp(kt->str[id], s, len) == 0)
            return id;
    }
}

static int keytab_grow(struct guard__keytab *kt)
{
    uint32_t cap = kt->cap ? kt->cap * 2 : 1024;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (uint32_t id = 1; id <= kt->n; id++) {
        uint32_t i = fnv1a(kt->str[id], kt->len[id]) & (cap - 1);
        while (slot[i])
            i = (i + 1) & (cap - 1);
        slot[i] = id;
    }
    free(kt->slot);
    kt->slot = slot;
    kt->cap = cap;
    return 0;
}

static uint32_t key_intern(guard_lexicon *lx, const char *s, size_t len)
{
    struct guard__keytab *kt = &lx->keys;
    uint32_t id = guard__key_find(kt, s, len);
    if (id)
        return id;
    if ((kt->n + 1) * 2 >= kt->cap && keytab_grow(kt) != 0)
        return 0;
    if (kt->n + 2 > kt->strcap) {
        uint32_t cap = kt->strcap ? kt->strcap * 2 : 1024;
        const char **str = realloc(kt->str, cap * sizeof *str);
        if (!str)
            return 0;
        kt->str = str;
        uint32_t *l = realloc(kt->len, cap * sizeof *l);
        if (!l)
            return 0;
        kt->len = l;
        kt->strcap = cap;
    }
    char *copy = arena_strndup(&lx->arena, s, len);
    if (!copy)
        return 0;
    id = ++kt->n;
    kt->str[id] = copy;
    kt->len[id] = (uint32_t)len;
    uint32_t i = fnv1a(s, len) & (kt->cap - 1);
    while (kt->slot[i])
        i = (i + 1) & (kt->cap - 1);
    kt->slot[i] = id;
    return id;
}

/* ---- morpheme keys (shared with detect.c so both sides agree) ---- */

void guard__fold_kana(char *d, const char *s, size_t len)
{
    /* Katakana U+30A1–U+30F6 and hiragana are both E3 xx xx and 0x60 apart. */
    size_t i = 0;
    while (i < len) {
        unsigned char a = (unsigned char)s[i];
        if (a == 0xE3 && i + 2 < len) {
            unsigned cp = ((a & 0x0Fu) << 12) | (((unsigned char)s[i + 1] & 0x3Fu) << 6) |
                          ((unsigned char)s[i + 2] & 0x3Fu);
            if (cp >= 0x30A1 && cp <= 0x30F6)
                cp -= 0x60;
            d[i] = (char)a;
            d[i + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            d[i + 2] = (char)(0x80 | (cp & 0x3F));
            i += 3;
            continue;
        }
        d[i] = s[i];
        i++;
    }
}

/* The u-row hiragana for an e-row one (e.g. せ → す), as the last code point of a 五段 verb;
 * 0 when there is none. */
static unsigned e_to_u(unsigned cp)
{
    static const unsigned map[][2] = {
        {0x3048, 0x3046}, /* え う */ {0x3051, 0x304F}, /* け く */ {0x3052, 0x3050}, /* げ ぐ */
        {0x305B, 0x3059}, /* せ す */ {0x3066, 0x3064}, /* て つ */ {0x306D, 0x306C}, /* ね ぬ */
        {0x3079, 0x3076}, /* べ ぶ */ {0x3081, 0x3080}, /* め む */ {0x308C, 0x308B}, /* れ る */
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i][0] == cp)
            return map[i][1];
    return 0;
}

static int is_clause_end(const struct ja_token *next)
{
    if (!next)
        return 1;
    if (next->pos == JA_POS_SYMBOL)
        return 1;
    if (next->pos == JA_POS_AUX && strcmp(next->base, "や") == 0)
        return 1; /* 死ねや */
    return next->pos == JA_POS_PARTICLE && strcmp(next->pos1, "終助詞") == 0;
}

static int add_key(char *buf, size_t off[], size_t len[], int n, const char *s, size_t slen)
{
    if (n >= GUARD__MAX_KEYS || slen == 0 || slen >= GUARD__KEY_MAX)
        return n;
    for (int i = 0; i < n; i++)
        if (len[i] == slen && memcmp(buf + off[i], s, slen) == 0)
            return n;
    off[n] = (size_t)n * GUARD__KEY_MAX;
    guard__fold_kana(buf + off[n], s, slen);
    len[n] = slen;
    for (int i = 0; i < n; i++)
        if (len[i] == slen && memcmp(buf + off[i], buf + off[n], slen) == 0)
            return n;
    return n + 1;
}

/* Whether s (n bytes) is all kana (hiragana, katakana, ー), so its reading says nothing new. */
static int kana_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        if (i + 3 > n || (unsigned char)s[i] != 0xE3)
            return 0;
        unsigned cp = (((unsigned char)s[i] & 0x0Fu) << 12) |
                      (((unsigned char)s[i + 1] & 0x3Fu) << 6) | ((unsigned char)s[i + 2] & 0x3Fu);
        if (cp < 0x3041 || cp > 0x30FC)
            return 0;
    }
    return n > 0;
}

int guard__token_keys(const struct ja_token *tk, const struct ja_token *next, const char *surface,
                      char *buf, size_t off[GUARD__MAX_KEYS], size_t len[GUARD__MAX_KEYS],
                      unsigned *flags)
{
    int n = 0;
    unsigned f = 0;
    size_t blen = strlen(tk->base);
    n = add_key(buf, off, len, n, tk->base, blen);
    int inflected = tk->conj_form[0] && strcmp(tk->conj_form, "基本形") != 0;
    if (!inflected && (!surface || kana_only(surface, tk->len)))
        n = add_key(buf, off, len, n, tk->reading, strlen(tk->reading));
    if (surface && tk->pos == JA_POS_NOUN && !tk->unknown)
        f |= GUARD__F_KNOWN_NOUN;
    int renyo = strcmp(tk->conj_form, "連用形") == 0;
    /* 〜てください asks politely; it never commands (障害者割引の手続きを教えてください). */
    int polite = strcmp(tk->base, "くださる") == 0 || strcmp(tk->base, "下さる") == 0;
    if (polite)
        ;
    else if (strncmp(tk->conj_form, "命令", strlen("命令")) == 0)
        f |= GUARD__F_IMP;
    else if (strcmp(tk->conj_form, "仮定形") == 0 && is_clause_end(next))
        f |= GUARD__F_IMP;
    else if (renyo && strncmp(tk->conj_type, "一段", strlen("一段")) == 0 && is_clause_end(next))
        f |= GUARD__F_IMP; /* 死んでくれよ: くれ */
    /* MeCab often reads a 五段 command (死ね, 出せ, 謝れ) as the 連用形 of a potential 一段 verb
     * (死ねる …): give the 五段 base too, and call it a command at the end of a clause or
     * before a noun (男を出せ男を). */
    if (renyo && n > 0 && tk->pos == JA_POS_VERB && strcmp(tk->conj_type, "一段") == 0 &&
        blen >= 6 && blen < GUARD__KEY_MAX) {
        const char *b = buf + off[0];
        size_t bl = len[0];
        const unsigned char *e = (const unsigned char *)b + bl - 6;
        if (bl >= 6 && memcmp(e + 3, "る", 3) == 0 && e[0] == 0xE3) {
            unsigned cp = ((e[0] & 0x0Fu) << 12) | ((e[1] & 0x3Fu) << 6) | (e[2] & 0x3Fu);
            unsigned u = e_to_u(cp);
            if (u) {
                char alt[GUARD__KEY_MAX];
                memcpy(alt, b, bl - 6);
                alt[bl - 6] = (char)0xE3;
                alt[bl - 5] = (char)(0x80 | ((u >> 6) & 0x3F));
                alt[bl - 4] = (char)(0x80 | (u & 0x3F));
                n = add_key(buf, off, len, n, alt, bl - 3);
                if (is_clause_end(next) || (next && next->pos == JA_POS_NOUN))
                    f |= GUARD__F_IMP;
            }
        }
    }
    *flags = f;
    return n;
}

/* ---- parsing ---- */

struct parse {
    const char *name;
    int line;
    char *err;
    size_t errlen;
    guard_lexicon *lx;
    ja_tagger *tg;
    const char *const *codes;
    int ncodes;
};

static int fail(struct parse *p, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->line > 0)
        snprintf(p->err, p->errlen, "%s: line %d: %s", p->name, p->line, msg);
    else
        snprintf(p->err, p->errlen, "%s: %s", p->name, msg);
    return -1;
}

static int code_index(guard_lexicon *lx, const char *s, size_t n)
{
    for (int i = 0; i < lx->ncode; i++)
        if (strlen(lx->code[i]) == n && memcmp(lx->code[i], s, n) == 0)
            return i;
    if (lx->ncode >= GUARD__MAX_CODES)
        return -1;
    memcpy(lx->code[lx->ncode], s, n);
    lx->code[lx->ncode][n] = '\0';
    return lx->ncode++;
}

static int valid_code(const char *s, size_t n)
{
    if (n == 0 || n >= GUARD_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

static int in_policy(const struct parse *p, const char *s, size_t n)
{
    if (!p->codes)
        return 1;
    for (int i = 0; i < p->ncodes; i++)
        if (p->codes[i] && strlen(p->codes[i]) == n && memcmp(p->codes[i], s, n) == 0)
            return 1;
    return 0;
}

/* Category column: comma-separated labels — a policy category (insult), a demand kind
 * (demand:refund) or a boost of a category already found in the utterance (+insult). */
static int parse_labels(struct parse *p, struct guard__entry *e, const char *s, size_t n)
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != ',')
            j++;
        const char *f = s + i;
        size_t fl = j - i;
        while (fl && f[0] == ' ')
            f++, fl--;
        while (fl && f[fl - 1] == ' ')
            fl--;
        if (e->nlabel >= GUARD__MAX_LABEL)
            return fail(p, "more than %d labels in the category column", GUARD__MAX_LABEL);
        struct guard__label *lb = &e->label[e->nlabel];
        const char *code = f;
        size_t cl = fl;
        if (fl > 7 && memcmp(f, "demand:", 7) == 0) {
            lb->kind = GUARD__DEMAND;
            code += 7, cl -= 7;
        } else if (fl > 1 && f[0] == '+') {
            lb->kind = GUARD__BOOST;
            code++, cl--;
        } else {
            lb->kind = GUARD__CAT;
        }
        if (!valid_code(code, cl))
            return fail(p, "category \"%.*s\" is not a code (a-z, 0-9, _)", (int)fl, f);
        if (lb->kind != GUARD__DEMAND && !in_policy(p, code, cl))
            return fail(p, "category \"%.*s\" is not in the policy", (int)cl, code);
        /* Demand kinds share the table with categories; they never meet in one list. */
        char tagged[GUARD_CODE_MAX + 8];
        int tl = snprintf(tagged, sizeof tagged, "%s%.*s", lb->kind == GUARD__DEMAND ? "=" : "",
                          (int)cl, code);
        if (tl >= GUARD_CODE_MAX)
            return fail(p, "category \"%.*s\" is too long", (int)fl, f);
        lb->code = code_index(p->lx, tagged, (size_t)tl);
        if (lb->code < 0)
            return fail(p, "more than %d distinct categories and demand kinds", GUARD__MAX_CODES);
        e->nlabel++;
        i = j + 1;
    }
    return 0;
}

static int parse_weight(struct parse *p, struct guard__entry *e, const char *s, size_t n)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return fail(p, "weight \"%.*s\" is not a number from 0 to 1", (int)(n < 31 ? n : 31), s);
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (strcmp(buf, "-") == 0) {
        for (int i = 0; i < e->nlabel; i++)
            if (e->label[i].kind != GUARD__DEMAND)
                return fail(p, "weight \"-\" is only for demand kinds");
        e->weight = 0;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    double w = strtod(buf, &end);
    if (errno || end == buf || *end || !(w >= 0 && w <= 1))
        return fail(p, "weight \"%s\" is not a number from 0 to 1", buf);
    e->weight = w;
    return 0;
}

/* Tags one plain alternative with MeCab into morpheme keys. */
static int tag_alt(struct parse *p, struct guard__alt *a, const char *s, size_t n, unsigned need)
{
    const struct ja_token *tk = NULL;
    size_t nt = 0;
    if (ja_tag(p->tg, s, n, &tk, &nt) != 0)
        return fail(p, "cannot analyse \"%.*s\"", (int)n, s);
    if (nt == 0)
        return fail(p, "empty element in the pattern");
    if (nt > GUARD__MAX_MORPH)
        return fail(p, "\"%.*s\" has more than %d morphemes", (int)n, s, GUARD__MAX_MORPH);
    char buf[GUARD__MAX_KEYS * GUARD__KEY_MAX];
    size_t off[GUARD__MAX_KEYS], len[GUARD__MAX_KEYS];
    if (!need && n >= 3 && n < GUARD__KEY_MAX) {
        char *lit = arena_alloc(&p->lx->arena, n + 1);
        if (!lit)
            return fail(p, "out of memory");
        guard__fold_kana(lit, s, n);
        lit[n] = '\0';
        a->lit = lit;
        a->litlen = n;
    }
    a->nmorph = (int)nt;
    for (size_t i = 0; i < nt; i++) {
        unsigned fl = 0;
        int nk =
            guard__token_keys(&tk[i], i + 1 < nt ? &tk[i + 1] : NULL, NULL, buf, off, len, &fl);
        struct guard__morph *m = &a->morph[i];
        m->nkey = 0;
        for (int k = 0; k < nk; k++) {
            uint32_t id = key_intern(p->lx, buf + off[k], len[k]);
            if (!id)
                return fail(p, "out of memory");
            m->key[m->nkey++] = id;
        }
        m->need = (uint8_t)(i + 1 == nt ? need : 0);
    }
    return 0;
}

static int parse_literal(struct parse *p, struct guard__alt *a, const char *s, size_t n)
{
    /* 「…」 with an optional * after it; s starts with 「. */
    const char *open = "「", *close = "」";
    size_t ol = strlen(open), cl = strlen(close);
    int prefix = n > 0 && s[n - 1] == '*';
    size_t m = prefix ? n - 1 : n;
    if (m < ol + cl + 1 || memcmp(s + m - cl, close, cl) != 0)
        return fail(p, "literal \"%.*s\" is not closed with 」", (int)n, s);
    const char *body = s + ol;
    size_t bl = m - ol - cl;
    if (bl < 3 || bl >= GUARD__KEY_MAX)
        return fail(p, "literal \"%.*s\" must hold 3 to %d bytes", (int)n, s, GUARD__KEY_MAX - 1);
    char *lit = arena_alloc(&p->lx->arena, bl + 1);
    if (!lit)
        return fail(p, "out of memory");
    guard__fold_kana(lit, body, bl);
    lit[bl] = '\0';
    a->literal = 1;
    a->prefix = prefix;
    a->lit = lit;
    a->litlen = bl;
    return 0;
}

static int parse_alt(struct parse *p, struct guard__alt *a, const char *s, size_t n)
{
    unsigned need = 0;
    if (n > 4 && memcmp(s + n - 4, ":imp", 4) == 0) {
        need = GUARD__F_IMP;
        n -= 4;
    }
    if (memchr(s, ':', n))
        return fail(p, "\"%.*s\": the only flag is :imp", (int)n, s);
    if (n == 1 && s[0] == '*') {
        a->nmorph = 1;
        a->morph[0].nkey = 0;
        a->morph[0].need = (uint8_t)need;
        return 0;
    }
    if (strncmp(s, "「", strlen("「")) != 0)
        return tag_alt(p, a, s, n, need);
    if (need)
        return fail(p, ":imp does not apply to the literal \"%.*s\"", (int)n, s);
    return parse_literal(p, a, s, n);
}

static int parse_element(struct parse *p, struct guard__elem *el, const char *s, size_t n)
{
    int nalt = 1;
    for (size_t i = 0; i < n; i++)
        nalt += s[i] == '|';
    if (nalt > GUARD__MAX_ALTS)
        return fail(p, "more than %d alternatives in \"%.*s\"", GUARD__MAX_ALTS, (int)n, s);
    el->alt = arena_alloc(&p->lx->arena, (size_t)nalt * sizeof *el->alt);
    if (!el->alt)
        return fail(p, "out of memory");
    memset(el->alt, 0, (size_t)nalt * sizeof *el->alt);
    el->nalt = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        if (j == i)
            return fail(p, "empty alternative in \"%.*s\"", (int)n, s);
        if (parse_alt(p, &el->alt[el->nalt++], s + i, j - i) != 0)
            return -1;
        i = j + 1;
    }
    return 0;
}

/* The pattern as given to spans: cut at a character boundary with "…" when it is long. */
static void copy_term(char *d, const char *s, size_t n)
{
    if (n < GUARD_TERM_MAX) {
        memcpy(d, s, n + 1);
        return;
    }
    size_t cut = GUARD_TERM_MAX - 4;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(d, s, cut);
    memcpy(d + cut, "…", 4);
}

static int parse_pattern(struct parse *p, struct guard__entry *e, const char *raw, size_t rawlen)
{
    if (rawlen == 0)
        return fail(p, "empty pattern");
    char *norm = NULL;
    size_t n = 0;
    if (ja_nfkc(raw, rawlen, &norm, &n) != 0)
        return fail(p, "pattern is not valid UTF-8");
    copy_term(e->term, norm, n);
    int gap = 0, rc = 0;
    size_t i = 0;
    while (i < n && rc == 0) {
        if (norm[i] == ' ') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && norm[j] != ' ')
            j++;
        if (j - i == 3 && memcmp(norm + i, "...", 3) == 0) {
            if (e->nelem == 0 || gap)
                rc = fail(p, "\"…\" must stand between two elements");
            gap = 1;
        } else if (e->nelem >= GUARD__MAX_ELEMS) {
            rc = fail(p, "more than %d elements in the pattern", GUARD__MAX_ELEMS);
        } else {
            struct guard__elem *el = &e->elem[e->nelem];
            el->gap = gap;
            gap = 0;
            rc = parse_element(p, el, norm + i, j - i);
            if (rc == 0 && e->nelem == 0)
                for (int a = 0; a < el->nalt && rc == 0; a++)
                    if (!el->alt[a].literal && el->alt[a].morph[0].nkey == 0)
                        rc = fail(p, "a pattern cannot start with \"*\"");
            if (rc == 0)
                e->nelem++;
        }
        i = j;
    }
    free(norm);
    if (rc == 0 && gap)
        rc = fail(p, "\"…\" must stand between two elements");
    if (rc == 0 && e->nelem == 0)
        rc = fail(p, "empty pattern");
    return rc;
}

static int is_header(const char *s, size_t n)
{
    return (n >= 5 && memcmp(s, "term\t", 5) == 0) || (n >= 8 && memcmp(s, "pattern\t", 8) == 0);
}

static int parse_line(struct parse *p, const char *s, size_t n)
{
    const char *f[5];
    size_t fl[5];
    int nf = 0;
    size_t i = 0;
    while (nf < 5) {
        size_t j = i;
        while (j < n && s[j] != '\t')
            j++;
        f[nf] = s + i;
        fl[nf++] = j - i;
        if (j >= n)
            break;
        i = j + 1;
    }
    if (nf < 3 || nf > 4)
        return fail(p,
                    "expected 3 or 4 tab-separated fields (term, category, weight, notes), "
                    "found %s",
                    nf < 3 ? "fewer" : "more");
    if (p->lx->nentry >= LEX_ENTRY_MAX)
        return fail(p, "more than %d entries", LEX_ENTRY_MAX);
    if (p->lx->nentry == p->lx->entcap) {
        int cap = p->lx->entcap ? p->lx->entcap * 2 : 256;
        struct guard__entry *v = realloc(p->lx->entry, (size_t)cap * sizeof *v);
        if (!v)
            return fail(p, "out of memory");
        p->lx->entry = v;
        p->lx->entcap = cap;
    }
    struct guard__entry *e = &p->lx->entry[p->lx->nentry];
    memset(e, 0, sizeof *e);
    e->line = p->line;
    int rc = parse_labels(p, e, f[1], fl[1]);
    if (rc == 0)
        rc = parse_weight(p, e, f[2], fl[2]);
    if (rc == 0)
        rc = parse_pattern(p, e, f[0], fl[0]);
    if (rc == 0)
        p->lx->nentry++;
    return rc;
}

/* The words behind the W_* classes. */
static const struct {
    const char *w;
    uint32_t cls;
} word_classes[] = {
    {"ない", W_NEG | W_NAI},
    {"無い", W_NAI},
    {"ぬ", W_NEG},
    {"ん", W_NEG | W_NO},
    {"ず", W_NEG},
    {"言う", W_SAY},
    {"いう", W_SAY},
    {"聞く", W_SAY},
    {"書く", W_SAY},
    {"申す", W_SAY},
    {"おっしゃる", W_SAY},
    {"叫ぶ", W_SAY},
    {"怒鳴る", W_SAY},
    {"言える", W_SAY},
    {"述べる", W_SAY},
    {"ほざく", W_SAY},
    {"申し上げる", W_SAY},
    {"言い放つ", W_SAY},
    {"云う", W_SAY},
    {"くれる", W_REQ},
    {"もらえる", W_REQ},
    {"いただける", W_REQ},
    {"もらう", W_REQ},
    {"いただく", W_REQ},
    {"くださる", W_REQ},
    {"ください", W_REQ},
    {"ほしい", W_REQ},
    {"欲しい", W_REQ},
    {"言葉", W_WORD},
    {"発言", W_WORD},
    {"表現", W_WORD},
    {"単語", W_WORD},
    {"暴言", W_WORD},
    {"台詞", W_WORD},
    {"セリフ", W_WORD},
    {"意味", W_WORD},
    /* People an insult may be aimed at (バカ野郎, クソ女, エロい声): not a thing described. */
    {"野郎", W_PERSON},
    {"やろう", W_PERSON},
    /* What a person does (ふざけた真似, なめた口): aimed at the operator, not a thing. */
    {"真似", W_PERSON},
    {"まね", W_PERSON},
    {"口", W_PERSON},
    {"態度", W_PERSON},
    {"言い方", W_PERSON},
    {"女", W_PERSON},
    {"男", W_PERSON},
    {"奴", W_PERSON},
    {"やつ", W_PERSON},
    {"者", W_PERSON},
    {"共", W_PERSON},
    {"ども", W_PERSON},
    {"め", W_PERSON},
    {"店員", W_PERSON},
    {"社員", W_PERSON},
    {"人間", W_PERSON},
    {"娘", W_PERSON},
    {"息子", W_PERSON},
    {"オペレーター", W_PERSON},
    {"担当", W_PERSON},
    {"担当者", W_PERSON},
    {"会社", W_PERSON},
    {"客", W_PERSON},
    {"連中", W_PERSON},
    {"人", W_PERSON},
    {"ガキ", W_PERSON},
    {"ババア", W_PERSON},
    {"ジジイ", W_PERSON},
    {"親父", W_PERSON},
    {"おやじ", W_PERSON},
    {"上司", W_PERSON},
    {"社長", W_PERSON},
    {"女性", W_PERSON},
    {"男性", W_PERSON},
    {"おっさん", W_PERSON},
    {"おばさん", W_PERSON},
    {"ババァ", W_PERSON},
    {"女郎", W_PERSON},
    {"小僧", W_PERSON},
    {"たれ", W_PERSON},
    {"さん", W_PERSON},
    {"ちゃん", W_PERSON},
    {"くん", W_PERSON},
    {"君", W_PERSON},
    {"声", W_PERSON},
    {"顔", W_PERSON},
    {"体", W_PERSON},
    {"身体", W_PERSON},
    {"からだ", W_PERSON},
    {"胸", W_PERSON},
    {"尻", W_PERSON},
    {"口", W_PERSON},
    {"態度", W_PERSON},
    {"言い方", W_PERSON},
    {"喋り方", W_PERSON},
    {"しゃべり方", W_PERSON},
    {"面", W_PERSON},
    {"ツラ", W_PERSON},
    {"私", W_SELF},
    {"わたし", W_SELF},
    {"俺", W_SELF},
    {"オレ", W_SELF},
    {"僕", W_SELF},
    {"ぼく", W_SELF},
    {"あたし", W_SELF},
    {"自分", W_SELF},
    {"わし", W_SELF},
    {"うち", W_SELF},
    {"お前", W_YOU},
    {"おまえ", W_YOU},
    {"てめえ", W_YOU},
    {"てめー", W_YOU},
    {"貴様", W_YOU},
    {"あんた", W_YOU},
    {"おめえ", W_YOU},
    {"きさま", W_YOU},
    {"と", W_QUOT},
    {"って", W_QUOT},
    {"なんて", W_QUOT | W_MENTION},
    {"とか", W_QUOT | W_MENTION},
    {"だって", W_QUOT},
    {"など", W_MENTION},
    {"なんか", W_MENTION},
    {"まで", W_MENTION},
    {"が", W_CONJ},
    {"けど", W_CONJ},
    {"けれど", W_CONJ},
    {"けれども", W_CONJ},
    {"から", W_CONJ},
    {"ので", W_CONJ},
    {"のに", W_CONJ},
    {"し", W_CONJ},
    {"ば", W_CONJ},
    {"思う", W_THINK},
    {"てる", W_AUXV},
    {"ちゃう", W_AUXV},
    {"ちまう", W_AUXV},
    {"とる", W_AUXV},
    {"でる", W_AUXV},
    {"という", W_TOIU},
    {"っていう", W_TOIU},
    {"といった", W_TOIU},
    {"よう", W_SIMILE},
    {"みたい", W_SIMILE},
    {"ようだ", W_SIMILE},
    {"みたいだ", W_SIMILE},
    {"か", W_Q},
    {"かな", W_Q},
    {"かしら", W_Q},
    {"じゃ", W_JA},
    {"では", W_JA},
    {"に", W_NI},
    {"の", W_NO},
    {"な", W_NA},
    {"たい", W_TAI},
    {"れる", W_PASSIVE},
    {"られる", W_PASSIVE},
};

/* Interns the class words (folded like token keys) and fills lx->wclass. */
static int build_classes(guard_lexicon *lx)
{
    uint32_t ids[sizeof word_classes / sizeof word_classes[0]];
    for (size_t i = 0; i < sizeof word_classes / sizeof word_classes[0]; i++) {
        char buf[GUARD__KEY_MAX];
        size_t n = strlen(word_classes[i].w);
        guard__fold_kana(buf, word_classes[i].w, n);
        ids[i] = key_intern(lx, buf, n);
        if (!ids[i])
            return -1;
    }
    lx->wclass = calloc((size_t)lx->keys.n + 1, sizeof *lx->wclass);
    if (!lx->wclass)
        return -1;
    for (size_t i = 0; i < sizeof word_classes / sizeof word_classes[0]; i++)
        lx->wclass[ids[i]] |= word_classes[i].cls;
    return 0;
}

static unsigned lit_bucket(const char *s, size_t n)
{
    unsigned h = 0;
    for (size_t i = 0; i < n && i < 3; i++)
        h = h * 131u + (unsigned char)s[i];
    return h & (LIT_BUCKETS - 1);
}

/* Two passes over the entries: count per key, then fill — a CSR table. */
static int build_index(guard_lexicon *lx)
{
    uint32_t nk = lx->keys.n + 2;
    uint32_t *cnt = calloc(nk, sizeof *cnt);
    uint32_t *lcnt = calloc(LIT_BUCKETS + 1, sizeof *lcnt);
    uint32_t *seen = calloc(nk, sizeof *seen);
    uint32_t *lseen = calloc(LIT_BUCKETS, sizeof *lseen);
    int rc = -1;
    if (!cnt || !lcnt || !seen || !lseen)
        goto out;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            lx->by_key.start = malloc(nk * sizeof(uint32_t));
            lx->lit_start = malloc((LIT_BUCKETS + 1) * sizeof(uint32_t));
            uint32_t tot = 0, ltot = 0;
            if (!lx->by_key.start || !lx->lit_start)
                goto out;
            for (uint32_t k = 0; k + 1 < nk; k++) {
                lx->by_key.start[k] = tot;
                tot += cnt[k];
                cnt[k] = lx->by_key.start[k];
            }
            lx->by_key.start[nk - 1] = tot;
            for (uint32_t b = 0; b < LIT_BUCKETS; b++) {
                lx->lit_start[b] = ltot;
                ltot += lcnt[b];
                lcnt[b] = lx->lit_start[b];
            }
            lx->lit_start[LIT_BUCKETS] = ltot;
            lx->by_key.ent = malloc((tot ? tot : 1) * sizeof(uint32_t));
            lx->lit_ent = malloc((ltot ? ltot : 1) * sizeof(uint32_t));
            if (!lx->by_key.ent || !lx->lit_ent)
                goto out;
            memset(seen, 0, nk * sizeof *seen);
            memset(lseen, 0, LIT_BUCKETS * sizeof *lseen);
        }
        for (int ei = 0; ei < lx->nentry; ei++) {
            const struct guard__elem *el = &lx->entry[ei].elem[0];
            uint32_t stamp = (uint32_t)ei + 1;
            for (int a = 0; a < el->nalt; a++) {
                const struct guard__alt *al = &el->alt[a];
                if (al->lit) {
                    unsigned b = lit_bucket(al->lit, al->litlen);
                    if (lseen[b] != stamp) {
                        lseen[b] = stamp;
                        if (pass == 0)
                            lcnt[b]++;
                        else
                            lx->lit_ent[lcnt[b]++] = (uint32_t)ei;
                    }
                }
                if (al->literal)
                    continue;
                const struct guard__morph *m = &al->morph[0];
                for (int k = 0; k < m->nkey; k++) {
                    uint32_t id = m->key[k];
                    if (seen[id] == stamp)
                        continue;
                    seen[id] = stamp;
                    if (pass == 0)
                        cnt[id]++;
                    else
                        lx->by_key.ent[cnt[id]++] = (uint32_t)ei;
                }
            }
        }
    }
    rc = 0;
out:
    free(cnt);
    free(lcnt);
    free(seen);
    free(lseen);
    return rc;
}

unsigned guard__lit_bucket(const char *s, size_t n)
{
    return lit_bucket(s, n);
}

static int parse_all(struct parse *p, const char *buf, size_t len)
{
    size_t i = 0;
    p->line = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && buf[j] != '\n')
            j++;
        p->line++;
        size_t n = j - i;
        const char *s = buf + i;
        if (n && s[n - 1] == '\r')
            n--;
        if (p->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3, n -= 3;
        i = j + 1;
        if (n > LEX_LINE_MAX)
            return fail(p, "line longer than %d bytes", LEX_LINE_MAX);
        if (memchr(s, '\0', n))
            return fail(p, "NUL byte in the line");
        size_t k = 0;
        while (k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k == n || s[k] == '#' || is_header(s, n))
            continue;
        if (parse_line(p, s, n) != 0)
            return -1;
    }
    p->line = 0;
    if (p->lx->nentry == 0)
        return fail(p, "no entries");
    return 0;
}

void guard_lexicon_free(guard_lexicon *lx)
{
    if (!lx)
        return;
    free(lx->entry);
    free(lx->keys.slot);
    free(lx->keys.str);
    free(lx->keys.len);
    free(lx->by_key.start);
    free(lx->by_key.ent);
    free(lx->lit_start);
    free(lx->lit_ent);
    free(lx->wclass);
    guard_model_free(lx->model);
    arena_free(lx->arena);
    free(lx);
}

int guard_lexicon_parse(const char *name, const char *buf, size_t len, ja_dict *d,
                        const char *const *category_codes, int ncodes, guard_lexicon **out,
                        char *err, size_t errlen)
{
    struct parse p = {
        .name = name, .err = err, .errlen = errlen, .codes = category_codes, .ncodes = ncodes};
    ja_dict *own = NULL;
    if (!d) {
        if (ja_dict_open(&own, err, errlen) != 0)
            return -1;
        d = own;
    }
    int rc = -1;
    p.lx = calloc(1, sizeof *p.lx);
    p.tg = ja_tagger_new(d);
    if (!p.lx || !p.tg) {
        fail(&p, "out of memory");
        goto out;
    }
    if (len > LEX_FILE_MAX) {
        fail(&p, "larger than %u bytes", LEX_FILE_MAX);
        goto out;
    }
    if (parse_all(&p, buf, len) != 0)
        goto out;
    if (build_classes(p.lx) != 0 || build_index(p.lx) != 0) {
        fail(&p, "out of memory");
        goto out;
    }
    *out = p.lx;
    p.lx = NULL;
    rc = 0;
out:
    guard_lexicon_free(p.lx);
    ja_tagger_free(p.tg);
    ja_dict_close(own);
    return rc;
}

int guard_lexicon_load(const char *path, const char *const *category_codes, int ncodes,
                       guard_lexicon **out, char *err, size_t errlen)
{
    struct buf b;
    guard_lexicon *lx = NULL;
    buf_init(&b, LEX_FILE_MAX);
    int rc = buf_read_file(&b, path);
    if (rc == BUF_EIO)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    else if (rc == BUF_ETOOBIG)
        snprintf(err, errlen, "%s: larger than %u bytes", path, LEX_FILE_MAX);
    else if (rc)
        snprintf(err, errlen, "%s: out of memory", path);
    else
        rc = guard_lexicon_parse(path, b.data ? b.data : "", b.len, NULL, category_codes, ncodes,
                                 &lx, err, errlen);
    buf_release(&b);
    if (rc == 0 && guard__model_load_beside(lx, path, err, errlen) != 0) {
        guard_lexicon_free(lx);
        return -1;
    }
    if (rc == 0)
        *out = lx;
    return rc ? -1 : 0;
}

int guard_lexicon_size(const guard_lexicon *lx)
{
    return lx->nentry;
}
