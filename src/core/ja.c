#include "core/ja.h"

#include <mecab.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/module.h"
#include "core/util.h"

int ja_nfkc(const char *s, size_t len, char **out, size_t *outlen)
{
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &dst,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    if (n < 0)
        return -1;
    *out = (char *)dst;
    if (outlen)
        *outlen = (size_t)n;
    return 0;
}

int ja_kata_to_hira(const char *s, size_t len, char **out)
{
    /* Both blocks are three bytes in UTF-8 and 0x60 apart, so the length does not change. */
    char *r = malloc(len + 1);
    if (!r)
        return -1;
    memcpy(r, s, len);
    r[len] = '\0';
    for (size_t i = 0; i + 2 < len; i++) {
        unsigned char a = (unsigned char)r[i], b = (unsigned char)r[i + 1];
        unsigned char c = (unsigned char)r[i + 2];
        if (a != 0xE3)
            continue;
        unsigned cp = ((a & 0x0Fu) << 12) | ((b & 0x3Fu) << 6) | (c & 0x3Fu);
        if (cp >= 0x30A1 && cp <= 0x30F6) {
            cp -= 0x60;
            r[i + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            r[i + 2] = (char)(0x80 | (cp & 0x3F));
        }
        i += 2;
    }
    *out = r;
    return 0;
}

/* MeCab (and the C++ runtime under it) is loaded by the first dictionary, not by every command:
 * the calls go through this table, filled once from the "mecab" module (core/module.h). */
#define MECAB_FUNCS(X)                                                                             \
    X(mecab_model_new2)                                                                            \
    X(mecab_strerror)                                                                              \
    X(mecab_model_destroy)                                                                         \
    X(mecab_model_new_tagger)                                                                      \
    X(mecab_model_new_lattice)                                                                     \
    X(mecab_lattice_destroy)                                                                       \
    X(mecab_destroy)                                                                               \
    X(mecab_lattice_set_sentence2)                                                                 \
    X(mecab_parse_lattice)                                                                         \
    X(mecab_lattice_get_bos_node)

static struct {
#define X(f) __typeof__(f) *f;
    MECAB_FUNCS(X)
#undef X
} mc;
static pthread_once_t mc_once = PTHREAD_ONCE_INIT;
static char mc_err[300]; /* empty when every function was found */

static void mc_load(void)
{
#define X(f)                                                                                       \
    if (!mc_err[0])                                                                                \
        mc.f = (__typeof__(f) *)module_sym("mecab", #f, mc_err, sizeof mc_err);
    MECAB_FUNCS(X)
#undef X
}

struct ja_dict {
    mecab_model_t *model;
};

struct ja_tagger {
    ja_dict *dict;
    mecab_t *mecab;
    mecab_lattice_t *lattice;
    struct ja_token *toks;
    size_t cap;
    char *pool; /* copies of the feature strings, cut at the commas */
    size_t pool_cap;
};

int ja_dict_open(ja_dict **out, char *err, size_t errlen)
{
    pthread_once(&mc_once, mc_load);
    if (mc_err[0]) {
        snprintf(err, errlen, "mecab: %s", mc_err);
        return -1;
    }
    char arg[600] = "";
    const char *dicdir = getenv("IKIIKI_MECAB_DICDIR");
    if (dicdir && *dicdir)
        snprintf(arg, sizeof arg, "-d %s", dicdir);
    mecab_model_t *m = mc.mecab_model_new2(arg);
    if (!m) {
        snprintf(err, errlen,
                 "mecab: cannot open the dictionary%s%s (install mecab-ipadic-utf8): %s",
                 dicdir ? " " : "", dicdir ? dicdir : "", mc.mecab_strerror(NULL));
        return -1;
    }
    ja_dict *d = calloc(1, sizeof *d);
    if (!d) {
        mc.mecab_model_destroy(m);
        snprintf(err, errlen, "mecab: out of memory");
        return -1;
    }
    d->model = m;
    *out = d;
    return 0;
}

void ja_dict_close(ja_dict *d)
{
    if (!d)
        return;
    mc.mecab_model_destroy(d->model);
    free(d);
}

static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
static ja_dict *shared_dict;
static char shared_err[300];

static void shared_open(void)
{
    if (ja_dict_open(&shared_dict, shared_err, sizeof shared_err) != 0)
        shared_dict = NULL;
}

ja_dict *ja_dict_shared(char *err, size_t errlen)
{
    pthread_once(&shared_once, shared_open);
    if (!shared_dict)
        snprintf(err, errlen, "%s", shared_err);
    return shared_dict;
}

ja_tagger *ja_tagger_new(ja_dict *d)
{
    ja_tagger *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->dict = d;
    t->mecab = mc.mecab_model_new_tagger(d->model);
    t->lattice = mc.mecab_model_new_lattice(d->model);
    if (!t->mecab || !t->lattice) {
        ja_tagger_free(t);
        return NULL;
    }
    return t;
}

void ja_tagger_free(ja_tagger *t)
{
    if (!t)
        return;
    if (t->lattice)
        mc.mecab_lattice_destroy(t->lattice);
    if (t->mecab)
        mc.mecab_destroy(t->mecab);
    free(t->toks);
    free(t->pool);
    free(t);
}

static enum ja_pos pos_of(const char *name)
{
    static const struct {
        const char *name;
        enum ja_pos pos;
    } map[] = {
        {"名詞", JA_POS_NOUN},   {"動詞", JA_POS_VERB},     {"形容詞", JA_POS_ADJ},
        {"副詞", JA_POS_ADV},    {"助動詞", JA_POS_AUX},    {"助詞", JA_POS_PARTICLE},
        {"記号", JA_POS_SYMBOL}, {"感動詞", JA_POS_INTERJ}, {"接頭詞", JA_POS_PREFIX},
    };
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (strcmp(map[i].name, name) == 0)
            return map[i].pos;
    return JA_POS_OTHER;
}

/* Splits an IPADIC feature string (品詞,細分類1,細分類2,細分類3,活用型,活用形,原形,読み,発音)
 * in place into at most max fields; returns how many. */
static int split_feature(char *s, char **f, int max)
{
    int n = 0;
    f[n++] = s;
    for (char *p = s; *p && n < max; p++)
        if (*p == ',') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

static int reserve(ja_tagger *t, size_t ntok, size_t pool)
{
    if (ntok > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap < ntok)
            cap *= 2;
        struct ja_token *v = realloc(t->toks, cap * sizeof *v);
        if (!v)
            return -1;
        t->toks = v;
        t->cap = cap;
    }
    if (pool > t->pool_cap) {
        size_t cap = t->pool_cap ? t->pool_cap : 4096;
        while (cap < pool)
            cap *= 2;
        char *p = malloc(cap);
        if (!p)
            return -1;
        free(t->pool);
        t->pool = p;
        t->pool_cap = cap;
    }
    return 0;
}

int ja_tag(ja_tagger *t, const char *text, size_t len, const struct ja_token **toks, size_t *n)
{
    mc.mecab_lattice_set_sentence2(t->lattice, text, len);
    if (!mc.mecab_parse_lattice(t->mecab, t->lattice))
        return -1;
    /* First pass sizes the buffers so the second can keep pointers into one pool. */
    size_t count = 0, pool = 0;
    const mecab_node_t *bos = mc.mecab_lattice_get_bos_node(t->lattice);
    for (const mecab_node_t *nd = bos; nd; nd = nd->next) {
        if (nd->stat == MECAB_BOS_NODE || nd->stat == MECAB_EOS_NODE)
            continue;
        count++;
        pool += strlen(nd->feature) + 2 * (size_t)nd->length + 3;
    }
    if (reserve(t, count, pool + 1) != 0)
        return -1;
    char *p = t->pool;
    size_t i = 0;
    for (const mecab_node_t *nd = bos; nd; nd = nd->next) {
        if (nd->stat == MECAB_BOS_NODE || nd->stat == MECAB_EOS_NODE)
            continue;
        struct ja_token *tk = &t->toks[i++];
        tk->off = (size_t)(nd->surface - text);
        tk->len = nd->length;
        tk->unknown = nd->stat == MECAB_UNK_NODE;
        char *surface = p;
        memcpy(p, nd->surface, nd->length);
        p[nd->length] = '\0';
        p += nd->length + 1;
        size_t flen = strlen(nd->feature);
        char *feat = p;
        memcpy(p, nd->feature, flen + 1);
        p += flen + 1;
        char *f[9];
        int nf = split_feature(feat, f, 9);
        tk->pos_name = f[0];
        tk->pos = pos_of(f[0]);
        tk->pos1 = nf > 1 && strcmp(f[1], "*") ? f[1] : "";
        tk->pos2 = nf > 2 && strcmp(f[2], "*") ? f[2] : "";
        tk->conj_type = nf > 4 && strcmp(f[4], "*") ? f[4] : "";
        tk->conj_form = nf > 5 && strcmp(f[5], "*") ? f[5] : "";
        tk->base = nf > 6 && strcmp(f[6], "*") ? f[6] : surface;
        tk->reading = nf > 7 && strcmp(f[7], "*") ? f[7] : surface;
    }
    *toks = t->toks;
    *n = count;
    return 0;
}
