#include "survey/comments.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonfile.h"
#include "core/util.h"
#include "org/org.h"
#include "survey/score.h"

#define TERM_MAX          96 /* bytes of one term, compound nouns included */
#define COMPOUND_PARTS    4
#define TERMS_PER_COMMENT 64 /* distinct terms of one comment taken into pairs */
#define ALERT_WORDS       8

enum word_kind { WK_STOP, WK_HARASSMENT, WK_FEAR, WK_CUSTOMER, WK__COUNT };
enum word_match { WM_WORD, WM_TEXT };

struct word_list {
    char **v;
    size_t n, cap;
};

struct survey_comment_words {
    struct word_list list[WK__COUNT][2]; /* [kind][match], each sorted for bsearch */
};

static const char *const kind_names[WK__COUNT] = {"stop", "harassment", "fear", "customer"};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_has(const struct word_list *l, const char *s)
{
    return l->n && bsearch(&s, l->v, l->n, sizeof *l->v, cmp_str) != NULL;
}

static int list_push(struct word_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s)))
        return -1;
    l->n++;
    return 0;
}

void survey_comment_words_free(survey_comment_words *w)
{
    if (!w)
        return;
    for (int k = 0; k < WK__COUNT; k++)
        for (int m = 0; m < 2; m++) {
            for (size_t i = 0; i < w->list[k][m].n; i++)
                free(w->list[k][m].v[i]);
            free(w->list[k][m].v);
        }
    free(w);
}

/* One line "kind<TAB>word<TAB>match[<TAB>note]" into w; 0, or -1 with err set. */
static int parse_word_line(survey_comment_words *w, char *line, char *err, size_t errlen)
{
    char *f[4] = {line, NULL, NULL, NULL};
    int nf = 1;
    for (char *p = line; *p && nf < 4; p++)
        if (*p == '\t') {
            *p = '\0';
            f[nf++] = p + 1;
        }
    if (nf < 3) {
        snprintf(err, errlen, "expected kind, word and match separated by tabs");
        return -1;
    }
    if (f[3])
        for (char *p = f[3]; *p; p++)
            if (*p == '\t')
                *p = '\0';
    int kind = -1;
    for (int k = 0; k < WK__COUNT; k++)
        if (strcmp(f[0], kind_names[k]) == 0)
            kind = k;
    if (kind < 0) {
        snprintf(err, errlen, "kind \"%.40s\" is not stop, harassment, fear or customer", f[0]);
        return -1;
    }
    int match = strcmp(f[2], "word") == 0 ? WM_WORD : strcmp(f[2], "text") == 0 ? WM_TEXT : -1;
    if (match < 0) {
        snprintf(err, errlen, "match \"%.40s\" is not word or text", f[2]);
        return -1;
    }
    if (!*f[1] || !utf8_is_clean(f[1], strlen(f[1])) || strlen(f[1]) >= TERM_MAX) {
        snprintf(err, errlen, "word is empty, not UTF-8 or longer than %d bytes", TERM_MAX - 1);
        return -1;
    }
    char *norm = NULL;
    if (ja_nfkc(f[1], strlen(f[1]), &norm, NULL) != 0) {
        snprintf(err, errlen, "word is not UTF-8");
        return -1;
    }
    int rc = list_push(&w->list[kind][match], norm);
    free(norm);
    if (rc)
        snprintf(err, errlen, "out of memory");
    return rc;
}

int survey_comment_words_load(const char *path, survey_comment_words **out, char *err,
                              size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the word list", path);
        return -1;
    }
    survey_comment_words *w = calloc(1, sizeof *w);
    char line[512], why[200];
    int lineno = 0, rc = w ? 0 : -1, header = 0;
    if (!w)
        snprintf(err, errlen, "out of memory");
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            snprintf(err, errlen, "%s: line %d: longer than %zu bytes", path, lineno,
                     sizeof line - 2);
            rc = -1;
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len || line[0] == '#')
            continue;
        if (!header && strncmp(line, "kind\t", 5) == 0) {
            header = 1;
            continue;
        }
        if (parse_word_line(w, line, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: line %d: %s", path, lineno, why);
            rc = -1;
        }
    }
    fclose(f);
    if (rc) {
        survey_comment_words_free(w);
        return -1;
    }
    for (int k = 0; k < WK__COUNT; k++)
        for (int m = 0; m < 2; m++)
            if (w->list[k][m].n)
                qsort(w->list[k][m].v, w->list[k][m].n, sizeof(char *), cmp_str);
    *out = w;
    return 0;
}

/* ---- terms ---- */

enum term_pos { TP_NOUN, TP_VERB, TP_ADJ };
static const char *const pos_names[] = {"noun", "verb", "adj"};

struct term {
    char *text;
    enum term_pos pos;
    long count, docs;
};

/* Interned terms: an open-addressing table of indexes into v. */
struct terms {
    struct term *v;
    size_t n, cap;
    int32_t *slot;
    size_t nslot; /* a power of two, kept at most half full */
};

static int terms_grow(struct terms *t)
{
    size_t nslot = t->nslot ? t->nslot * 2 : 1024;
    int32_t *slot = malloc(nslot * sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < nslot; i++)
        slot[i] = -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = fnv1a64_str(t->v[i].text) & (nslot - 1);
        while (slot[h] >= 0)
            h = (h + 1) & (nslot - 1);
        slot[h] = (int32_t)i;
    }
    free(t->slot);
    t->slot = slot;
    t->nslot = nslot;
    return 0;
}

/* The index of text, added when new; -1 when out of memory. */
static long terms_intern(struct terms *t, const char *text, enum term_pos pos)
{
    if ((t->n + 1) * 2 > t->nslot && terms_grow(t) != 0)
        return -1;
    size_t h = fnv1a64_str(text) & (t->nslot - 1);
    for (; t->slot[h] >= 0; h = (h + 1) & (t->nslot - 1))
        if (strcmp(t->v[t->slot[h]].text, text) == 0)
            return t->slot[h];
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct term *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    struct term *e = &t->v[t->n];
    if (!(e->text = strdup(text)))
        return -1;
    e->pos = pos;
    e->count = e->docs = 0;
    t->slot[h] = (int32_t)t->n;
    return (long)t->n++;
}

static void terms_release(struct terms *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].text);
    free(t->v);
    free(t->slot);
}

/* The terms of one comment: term indexes with their counts in this comment. */
struct doc {
    int32_t *id;
    int32_t *count;
    int n;
    unsigned alerts; /* bit 0 harassment, bit 1 fear */
    char *words[ALERT_WORDS];
    int nwords;
};

static int doc_add(struct doc *d, int32_t id, int *cap)
{
    for (int i = 0; i < d->n; i++)
        if (d->id[i] == id) {
            d->count[i]++;
            return 0;
        }
    if (d->n == *cap) {
        int nc = *cap ? *cap * 2 : 16;
        int32_t *a = realloc(d->id, (size_t)nc * sizeof *a);
        if (!a)
            return -1;
        d->id = a;
        int32_t *b = realloc(d->count, (size_t)nc * sizeof *b);
        if (!b)
            return -1;
        d->count = b;
        *cap = nc;
    }
    d->id[d->n] = id;
    d->count[d->n++] = 1;
    return 0;
}

static void doc_word(struct doc *d, const char *w)
{
    for (int i = 0; i < d->nwords; i++)
        if (strcmp(d->words[i], w) == 0)
            return;
    if (d->nwords < ALERT_WORDS && (d->words[d->nwords] = strdup(w)) != NULL)
        d->nwords++;
}

static void doc_release(struct doc *d)
{
    free(d->id);
    free(d->count);
    for (int i = 0; i < d->nwords; i++)
        free(d->words[i]);
}

/* A noun that carries meaning and may start or continue a compound. Personal names are left
 * out: an anonymous survey does not count who was named. A suffix (室, 化, 性) only continues. */
static int is_content_noun(const struct ja_token *tk, int continuing)
{
    if (tk->pos == JA_POS_NOUN && strcmp(tk->pos2, "人名") == 0)
        return 0;
    if (continuing && tk->pos == JA_POS_NOUN && strcmp(tk->pos1, "接尾") == 0)
        return strcmp(tk->pos2, "一般") == 0 || strcmp(tk->pos2, "サ変接続") == 0;
    static const char *const classes[] = {"一般", "サ変接続", "固有名詞", "形容動詞語幹",
                                          "ナイ形容詞語幹"};
    if (tk->pos != JA_POS_NOUN)
        return 0;
    for (size_t i = 0; i < ARRAY_LEN(classes); i++)
        if (strcmp(tk->pos1, classes[i]) == 0)
            return 1;
    return 0;
}

/* 1 when the verb or adjective at i is negated: ない/ぬ/ん follows, perhaps after a passive or
 * causative suffix (怒鳴られない) or after the adverbial form of an adjective (楽しくない). */
static int negated(const struct ja_token *tk, size_t n, size_t i)
{
    for (size_t j = i + 1; j < n && j <= i + 3; j++) {
        const char *b = tk[j].base;
        if ((tk[j].pos == JA_POS_AUX || tk[j].pos == JA_POS_ADJ) &&
            (strcmp(b, "ない") == 0 || strcmp(b, "ぬ") == 0 || strcmp(b, "ん") == 0))
            return 1;
        if (!(tk[j].pos == JA_POS_VERB && strcmp(tk[j].pos1, "接尾") == 0))
            return 0;
    }
    return 0;
}

/* 1 for terms that say nothing on their own: one kana or symbol, or digits only. */
static int too_thin(const char *s)
{
    size_t len = strlen(s);
    if (len <= 1)
        return 1;
    if (len == 3 && (unsigned char)s[0] == 0xE3 && (unsigned char)s[1] <= 0x83)
        return 1; /* one hiragana or katakana (U+3040–U+30FF) */
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

struct analysis {
    const survey_comment_words *w;
    ja_tagger *t;
    struct terms terms;
    struct doc *docs; /* one per respondent; empty for those without a comment */
    size_t n;
    size_t ncomments;
};

static int add_term(struct analysis *a, struct doc *d, int *cap, const char *text,
                    enum term_pos pos)
{
    if (too_thin(text) || list_has(&a->w->list[WK_STOP][WM_WORD], text))
        return 0;
    long id = terms_intern(&a->terms, text, pos);
    return id < 0 ? -1 : doc_add(d, (int32_t)id, cap);
}

static void find_alerts(const struct analysis *a, struct doc *d, const char *text,
                        const struct ja_token *tk, size_t n)
{
    const survey_comment_words *w = a->w;
    int customer = 0;
    for (int kind = WK_HARASSMENT; kind <= WK_CUSTOMER; kind++) {
        int hit = 0;
        const struct word_list *byword = &w->list[kind][WM_WORD];
        const struct word_list *bytext = &w->list[kind][WM_TEXT];
        for (size_t i = 0; i < n; i++)
            if (list_has(byword, tk[i].base)) {
                hit = 1;
                if (kind != WK_CUSTOMER)
                    doc_word(d, tk[i].base);
            }
        for (size_t i = 0; i < bytext->n; i++)
            if (strstr(text, bytext->v[i])) {
                hit = 1;
                if (kind != WK_CUSTOMER)
                    doc_word(d, bytext->v[i]);
            }
        if (kind == WK_HARASSMENT && hit)
            d->alerts |= 1u;
        if (kind == WK_FEAR && hit)
            d->alerts |= 2u;
        if (kind == WK_CUSTOMER)
            customer = hit;
    }
    /* Fear alone may be about anything (a deadline, an exam); it is surfaced when the same
     * comment speaks of customers or calls. */
    if ((d->alerts & 2u) && !customer)
        d->alerts &= ~2u;
    if (!d->alerts) {
        for (int i = 0; i < d->nwords; i++)
            free(d->words[i]);
        d->nwords = 0;
    }
}

/* Splits one comment into terms. */
static int analyse_comment(struct analysis *a, struct doc *d, const char *comment)
{
    char *text = NULL;
    size_t len = 0;
    if (ja_nfkc(comment, strlen(comment), &text, &len) != 0)
        return 0; /* not UTF-8: the importer checks, so this is a store edited by hand */
    const struct ja_token *tk = NULL;
    size_t n = 0;
    int cap = 0, rc = ja_tag(a->t, text, len, &tk, &n);
    char compound[TERM_MAX];
    size_t clen = 0;
    int parts = 0;
    for (size_t i = 0; rc == 0 && i <= n; i++) {
        if (i < n && is_content_noun(&tk[i], clen > 0) && parts < COMPOUND_PARTS &&
            clen + tk[i].len < sizeof compound) {
            memcpy(compound + clen, text + tk[i].off, tk[i].len);
            clen += tk[i].len;
            parts++;
            continue;
        }
        if (clen) {
            compound[clen] = '\0';
            rc = add_term(a, d, &cap, compound, TP_NOUN);
            clen = 0;
            parts = 0;
            if (i < n && is_content_noun(&tk[i], 0)) {
                i--; /* the compound was full: this noun starts the next one */
                continue;
            }
        }
        if (rc || i == n)
            continue;
        int verb = tk[i].pos == JA_POS_VERB, adj = tk[i].pos == JA_POS_ADJ;
        if ((verb || adj) && strcmp(tk[i].pos1, "自立") == 0) {
            char term[TERM_MAX];
            int fit =
                snprintf(term, sizeof term, "%s%s", tk[i].base, negated(tk, n, i) ? "(否定)" : "");
            if (fit > 0 && (size_t)fit < sizeof term)
                rc = add_term(a, d, &cap, term, verb ? TP_VERB : TP_ADJ);
        }
    }
    if (rc == 0)
        find_alerts(a, d, text, tk, n);
    free(text);
    return rc;
}

/* ---- output ---- */

static int put(json_t *o, const char *key, json_t *v)
{
    return v && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

static int append(json_t *a, json_t *v)
{
    return v && json_array_append_new(a, v) == 0 ? 0 : -1;
}

struct ranked {
    int32_t id;
    long count, docs;
};

/* qsort_r: the server sorts on several threads at once. */
static int cmp_ranked(const void *pa, const void *pb, void *ctx)
{
    const struct terms *sort_terms = ctx;
    const struct ranked *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->docs != b->docs)
        return a->docs > b->docs ? -1 : 1;
    return strcmp(sort_terms->v[a->id].text, sort_terms->v[b->id].text);
}

/* The top max of r[0..n) as [{"term","pos","count","docs"}]; sorts r. */
static json_t *top_terms_json(const struct terms *t, struct ranked *r, size_t n, size_t max)
{
    qsort_r(r, n, sizeof *r, cmp_ranked, (void *)t);
    json_t *a = json_array();
    for (size_t i = 0; a && i < n && i < max; i++) {
        json_t *e = json_pack("{s:s,s:s,s:I,s:I}", "term", t->v[r[i].id].text, "pos",
                              pos_names[t->v[r[i].id].pos], "count", (json_int_t)r[i].count, "docs",
                              (json_int_t)r[i].docs);
        if (append(a, e) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* Counts over the docs of the respondents whose bit is set in member (NULL: everyone). */
static json_t *terms_of(const struct analysis *a, const unsigned char *member, size_t max)
{
    const struct terms *t = &a->terms;
    struct ranked *r = calloc(t->n ? t->n : 1, sizeof *r);
    if (!r)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        r[i].id = (int32_t)i;
    for (size_t i = 0; i < a->n; i++) {
        if (member && !member[i])
            continue;
        const struct doc *d = &a->docs[i];
        for (int j = 0; j < d->n; j++) {
            r[d->id[j]].count += d->count[j];
            r[d->id[j]].docs++;
        }
    }
    size_t used = 0;
    for (size_t i = 0; i < t->n; i++)
        if (r[i].count)
            r[used++] = r[i];
    json_t *j = top_terms_json(t, r, used, max);
    free(r);
    return j;
}

struct pair {
    uint64_t key; /* smaller id << 32 | larger id; 0 marks an empty slot (ids start at 0, so
                   * the key is stored plus one) */
    long docs;
};

static int cmp_pair(const void *pa, const void *pb)
{
    const struct pair *a = pa, *b = pb;
    if (a->docs != b->docs)
        return a->docs > b->docs ? -1 : 1;
    return a->key < b->key ? -1 : a->key > b->key;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int pair_add(struct pair **tab, size_t *nslot, size_t *used, uint64_t key)
{
    if ((*used + 1) * 2 > *nslot) {
        size_t ns = *nslot ? *nslot * 2 : 4096;
        struct pair *nt = calloc(ns, sizeof *nt);
        if (!nt)
            return -1;
        for (size_t i = 0; i < *nslot; i++)
            if ((*tab)[i].key) {
                size_t h = ((*tab)[i].key * 0x9E3779B97F4A7C15ull >> 20) & (ns - 1);
                while (nt[h].key)
                    h = (h + 1) & (ns - 1);
                nt[h] = (*tab)[i];
            }
        free(*tab);
        *tab = nt;
        *nslot = ns;
    }
    size_t h = (key * 0x9E3779B97F4A7C15ull >> 20) & (*nslot - 1);
    while ((*tab)[h].key && (*tab)[h].key != key)
        h = (h + 1) & (*nslot - 1);
    if (!(*tab)[h].key) {
        (*tab)[h].key = key;
        (*used)++;
    }
    (*tab)[h].docs++;
    return 0;
}

/* Pairs of terms that appear in the same comment, by the number of comments. */
static json_t *pairs_json(const struct analysis *a, size_t max)
{
    struct pair *tab = NULL;
    size_t nslot = 0, used = 0;
    int32_t ids[TERMS_PER_COMMENT];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        const struct doc *d = &a->docs[i];
        int m = d->n < TERMS_PER_COMMENT ? d->n : TERMS_PER_COMMENT;
        if (m < 2)
            continue; /* no pair; d->id may be NULL */
        memcpy(ids, d->id, (size_t)m * sizeof *ids);
        qsort(ids, (size_t)m, sizeof *ids, cmp_i32);
        for (int x = 0; rc == 0 && x < m; x++)
            for (int y = x + 1; rc == 0 && y < m; y++)
                rc = pair_add(&tab, &nslot, &used, ((uint64_t)ids[x] << 32 | (uint32_t)ids[y]) + 1);
    }
    json_t *out = rc ? NULL : json_array();
    size_t k = 0;
    for (size_t i = 0; out && i < nslot; i++)
        if (tab[i].key)
            tab[k++] = tab[i];
    if (out)
        qsort(tab, k, sizeof *tab, cmp_pair);
    for (size_t i = 0; out && i < k && i < max; i++) {
        uint64_t key = tab[i].key - 1;
        json_t *e = json_pack("{s:[s,s],s:I}", "terms", a->terms.v[key >> 32].text,
                              a->terms.v[key & 0xFFFFFFFFu].text, "docs", (json_int_t)tab[i].docs);
        if (append(out, e) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    free(tab);
    return out;
}

static json_t *alerts_json(const struct analysis *a, char *const *comments)
{
    json_t *out = json_array();
    for (size_t i = 0; out && i < a->n; i++) {
        const struct doc *d = &a->docs[i];
        if (!d->alerts)
            continue;
        json_t *words = json_array();
        for (int j = 0; words && j < d->nwords; j++)
            if (append(words, json_string(d->words[j])) != 0) {
                json_decref(words);
                words = NULL;
            }
        json_t *e =
            words ? json_pack("{s:s,s:o,s:s}", "kind", (d->alerts & 1u) ? "harassment" : "fear",
                              "words", words, "text", comments[i])
                  : NULL;
        if (append(out, e) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

static const char *attr_value(const struct survey_respondent *r, enum survey_attr attr)
{
    switch (attr) {
    case ATTR_POSITION:
        return r->position < POS__COUNT ? org_position_name((enum org_position)r->position) : "";
    case ATTR_SEGMENT:
        return *r->segment ? r->segment : SURVEY_BLANK_GROUP;
    case ATTR_TEAM:
        return *r->team ? r->team : SURVEY_BLANK_GROUP;
    default:
        return *r->tenure ? r->tenure : SURVEY_BLANK_GROUP;
    }
}

static const char *const attr_names[ATTR__COUNT] = {"position", "segment", "team", "tenure"};

/* The distinct values of attr (a blank one is SURVEY_BLANK_GROUP), positions in their fixed order
 * and texts sorted; *vals is malloc'd and points into r. */
static int attr_values(const struct survey_respondent *r, size_t n, enum survey_attr attr,
                       const char ***vals, size_t *nvals)
{
    const char **v = malloc((n > POS__COUNT ? n : POS__COUNT) * sizeof *v);
    if (!v)
        return -1;
    size_t m = 0;
    if (attr == ATTR_POSITION) {
        for (int p = 0; p < POS__COUNT; p++)
            for (size_t i = 0; i < n; i++)
                if (r[i].position == p) {
                    v[m++] = org_position_name((enum org_position)p);
                    break;
                }
    } else {
        for (size_t i = 0; i < n; i++)
            if (*attr_value(&r[i], attr))
                v[m++] = attr_value(&r[i], attr);
        qsort(v, m, sizeof *v, cmp_str);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (!u || strcmp(v[u - 1], v[i]) != 0)
                v[u++] = v[i];
        m = u;
    }
    *vals = v;
    *nvals = m;
    return 0;
}

static json_t *attr_groups_json(const struct analysis *a, const struct survey_respondent *r,
                                enum survey_attr attr, int k)
{
    const char **vals = NULL;
    size_t nv = 0;
    if (attr_values(r, a->n, attr, &vals, &nv) != 0)
        return NULL;
    if (nv > SURVEY_MAX_GROUPS) {
        free(vals);
        return json_null();
    }
    long *sizes = calloc(nv ? nv : 1, sizeof *sizes);
    long *ncom = calloc(nv ? nv : 1, sizeof *ncom);
    int *hidden = calloc(nv ? nv : 1, sizeof *hidden);
    unsigned char *member = calloc(a->n ? a->n : 1, 1);
    json_t *out = sizes && ncom && hidden && member ? json_object() : NULL;
    for (size_t i = 0; out && i < a->n; i++) {
        const char *v = attr_value(&r[i], attr);
        for (size_t g = 0; *v && g < nv; g++)
            if (strcmp(vals[g], v) == 0) {
                sizes[g]++;
                ncom[g] += a->docs[i].n > 0;
                break;
            }
    }
    if (out)
        survey_hide_siblings(sizes, (int)nv, k, hidden);
    for (size_t g = 0; out && g < nv; g++) {
        for (size_t i = 0; i < a->n; i++)
            member[i] = strcmp(attr_value(&r[i], attr), vals[g]) == 0;
        json_t *terms = hidden[g] ? json_null() : terms_of(a, member, SURVEY_TOP_GROUP_TERMS);
        json_t *e = terms ? json_pack("{s:I,s:I,s:b,s:o}", "respondents", (json_int_t)sizes[g],
                                      "comments", (json_int_t)(hidden[g] ? 0 : ncom[g]),
                                      "suppressed", hidden[g], "terms", terms)
                          : NULL;
        if (put(out, vals[g], e) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    free(vals);
    free(sizes);
    free(ncom);
    free(hidden);
    free(member);
    return out;
}

static void analysis_release(struct analysis *a)
{
    for (size_t i = 0; a->docs && i < a->n; i++)
        doc_release(&a->docs[i]);
    free(a->docs);
    terms_release(&a->terms);
}

static json_t *center_json(const struct analysis *a, const struct survey_respondent *r,
                           char *const *comments, int k)
{
    long alerts = 0;
    for (size_t i = 0; i < a->n; i++)
        alerts += a->docs[i].alerts != 0;
    int hidden = a->n < (size_t)k;
    json_t *o = json_pack("{s:I,s:I,s:b,s:I}", "respondents", (json_int_t)a->n, "comments",
                          (json_int_t)a->ncomments, "suppressed", hidden, "alert_count",
                          (json_int_t)alerts);
    if (!o)
        return NULL;
    int bad = 0;
    if (hidden) {
        bad |= put(o, "terms", json_null()) | put(o, "pairs", json_null()) |
               put(o, "alerts", json_null()) | put(o, "groups", json_null());
    } else {
        bad |= put(o, "terms", terms_of(a, NULL, SURVEY_TOP_TERMS));
        bad |= put(o, "pairs", pairs_json(a, SURVEY_TOP_PAIRS));
        bad |= put(o, "alerts", alerts_json(a, comments));
        json_t *groups = json_object();
        bad |= put(o, "groups", groups);
        for (int at = 0; !bad && at < ATTR__COUNT; at++)
            bad |= put(groups, attr_names[at], attr_groups_json(a, r, (enum survey_attr)at, k));
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *survey_comments_json(const survey_comment_words *w, ja_tagger *t,
                             const struct survey_respondent *r, char *const *comments, size_t n,
                             int k)
{
    if (k < 1)
        k = SURVEY_K_COMMENTS;
    struct analysis a = {.w = w, .t = t, .n = n};
    a.docs = calloc(n ? n : 1, sizeof *a.docs);
    if (!a.docs)
        return NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (comments && comments[i] && *comments[i]) {
            a.ncomments++;
            rc = analyse_comment(&a, &a.docs[i], comments[i]);
        }
    json_t *out = rc ? NULL : center_json(&a, r, comments, k);
    analysis_release(&a);
    return out;
}
