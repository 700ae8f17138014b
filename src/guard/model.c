/* model: the learned second stage of the lexical detector, read from a weights file that
 * tools/guard_train writes (data/lexicon/ja-model.tsv). One line a weight:
 *
 *   feature <TAB> category <TAB> weight
 *
 * with three reserved feature names per category: "(bias)", and "(scale)" and "(shift)" for the
 * calibration (p = 1 / (1 + e^-(scale × z + shift)), z the model's log-odds). Features are
 * interned in an open-addressing table so that scoring an utterance is one lookup per n-gram. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "guard/detect_int.h"

#define MODEL_FILE_MAX   (32u << 20)
#define MODEL_LINE_MAX   1024
#define MODEL_FEAT_MAX   2000000
#define MODEL_WEIGHT_MAX 1000.0

struct rec {
    const char *name; /* into the file buffer copy */
    uint32_t namelen;
    int cat;
    float w;
};

struct mparse {
    const char *name;
    int line;
    char *err;
    size_t errlen;
    guard_model *m;
    struct rec *rec;
    size_t nrec, reccap;
};

static int mfail(struct mparse *p, const char *fmt, ...)
{
    char msg[200];
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

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

uint32_t guard__model_find(const guard_model *m, const char *s, size_t len)
{
    if (!m->cap)
        return 0;
    uint32_t mask = m->cap - 1;
    uint64_t h = hash_bytes(s, len);
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        uint32_t id = m->slot[i].id;
        if (!id || m->slot[i].hash == h)
            return id;
    }
}

static int cat_index(struct mparse *p, const char *s, size_t n)
{
    guard_model *m = p->m;
    if (n == 0 || n >= GUARD_CODE_MAX)
        return mfail(p, "category \"%.*s\" is not a code", (int)(n > 60 ? 60 : n), s), -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return mfail(p, "category \"%.*s\" is not a code", (int)(n > 60 ? 60 : n), s), -1;
    }
    for (int c = 0; c < m->ncat; c++)
        if (strlen(m->cat[c]) == n && memcmp(m->cat[c], s, n) == 0)
            return c;
    if (m->ncat >= GUARD__MAX_CODES)
        return mfail(p, "more than %d categories", GUARD__MAX_CODES), -1;
    memcpy(m->cat[m->ncat], s, n);
    m->cat[m->ncat][n] = '\0';
    m->bias[m->ncat] = 0;
    m->scale[m->ncat] = 1;
    m->shift[m->ncat] = 0;
    return m->ncat++;
}

static int parse_weight(struct mparse *p, const char *s, size_t n, double *out)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return mfail(p, "weight \"%.*s\" is not a number", (int)(n > 40 ? 40 : n), s);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end = NULL;
    errno = 0;
    double w = strtod(tmp, &end);
    if (errno || end != tmp + n || !(w >= -MODEL_WEIGHT_MAX && w <= MODEL_WEIGHT_MAX))
        return mfail(p, "weight \"%s\" is not a number from -1000 to 1000", tmp);
    *out = w;
    return 0;
}

static int add_rec(struct mparse *p, const char *f, size_t fn, int cat, double w)
{
    if (p->nrec >= MODEL_FEAT_MAX)
        return mfail(p, "more than %d weights", MODEL_FEAT_MAX);
    if (p->nrec == p->reccap) {
        size_t cap = p->reccap ? p->reccap * 2 : 4096;
        struct rec *r = realloc(p->rec, cap * sizeof *r);
        if (!r)
            return mfail(p, "out of memory");
        p->rec = r;
        p->reccap = cap;
    }
    p->rec[p->nrec++] = (struct rec){f, (uint32_t)fn, cat, (float)w};
    return 0;
}

static int parse_mline(struct mparse *p, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n == 0 || s[0] == '#')
        return 0;
    if (n > MODEL_LINE_MAX)
        return mfail(p, "longer than %d bytes", MODEL_LINE_MAX);
    const char *t1 = memchr(s, '\t', n);
    const char *t2 = t1 ? memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - s)) : NULL;
    if (!t1 || !t2 || memchr(t2 + 1, '\t', n - (size_t)(t2 + 1 - s)))
        return mfail(p, "expected 3 tab-separated fields (feature, category, weight)");
    size_t fn = (size_t)(t1 - s), cn = (size_t)(t2 - t1 - 1), wn = n - (size_t)(t2 + 1 - s);
    if (n == 23 && memcmp(s, "feature\tcategory\tweight", 23) == 0)
        return 0; /* the header line */
    if (fn == 0 || fn >= GUARD_TERM_MAX)
        return mfail(p, "feature must be 1 to %d bytes", GUARD_TERM_MAX - 1);
    for (size_t i = 0; i < fn; i++)
        if ((unsigned char)s[i] < 0x20)
            return mfail(p, "feature holds a control character");
    int cat = cat_index(p, t1 + 1, cn);
    if (cat < 0)
        return -1;
    double w = 0;
    if (parse_weight(p, t2 + 1, wn, &w) != 0)
        return -1;
    if (fn == 6 && memcmp(s, "(bias)", 6) == 0)
        p->m->bias[cat] = w;
    else if (fn == 7 && memcmp(s, "(scale)", 7) == 0)
        p->m->scale[cat] = w;
    else if (fn == 7 && memcmp(s, "(shift)", 7) == 0)
        p->m->shift[cat] = w;
    else if (s[0] == '(')
        return mfail(p, "unknown reserved feature \"%.*s\"", (int)fn, s);
    else
        return add_rec(p, s, fn, cat, w);
    return 0;
}

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
    int c = memcmp(x->name, y->name, n);
    if (c)
        return c;
    if (x->namelen != y->namelen)
        return x->namelen < y->namelen ? -1 : 1;
    return x->cat - y->cat;
}

/* Interns the sorted records: one id per distinct feature, its weights in wstart[id] ..
 * wstart[id + 1]. */
static int build(struct mparse *p)
{
    guard_model *m = p->m;
    if (p->nrec) /* an empty model has no array (qsort must not see NULL) */
        qsort(p->rec, p->nrec, sizeof *p->rec, cmp_rec);
    size_t nf = 0;
    for (size_t i = 0; i < p->nrec; i++)
        if (i == 0 || cmp_rec(&(struct rec){p->rec[i].name, p->rec[i].namelen, 0, 0},
                              &(struct rec){p->rec[i - 1].name, p->rec[i - 1].namelen, 0, 0}))
            nf++;
    uint32_t cap = 16;
    while (cap < nf * 2 + 2)
        cap *= 2;
    m->cap = cap;
    m->slot = calloc(cap, sizeof *m->slot);
    m->names = calloc(nf + 1, sizeof *m->names);
    m->wstart = calloc(nf + 2, sizeof *m->wstart);
    m->mw = malloc((p->nrec + 1) * sizeof *m->mw);
    if (!m->slot || !m->names || !m->wstart || !m->mw)
        return mfail(p, "out of memory");
    uint32_t id = 0;
    for (size_t i = 0; i < p->nrec; i++) {
        const struct rec *r = &p->rec[i];
        int fresh = i == 0 || r->namelen != p->rec[i - 1].namelen ||
                    memcmp(r->name, p->rec[i - 1].name, r->namelen) != 0;
        if (fresh) {
            uint64_t full = hash_bytes(r->name, r->namelen);
            uint32_t h = (uint32_t)full & (cap - 1);
            for (; m->slot[h].id; h = (h + 1) & (cap - 1))
                if (m->slot[h].hash == full) {
                    p->line = 0;
                    return mfail(p, "features \"%s\" and \"%.*s\" share a hash",
                                 m->names[m->slot[h].id], (int)r->namelen, r->name);
                }
            id++;
            char *copy = malloc(r->namelen + 1);
            if (!copy)
                return mfail(p, "out of memory");
            memcpy(copy, r->name, r->namelen);
            copy[r->namelen] = '\0';
            m->names[id] = copy;
            m->nfeat = id; /* so that guard_model_free frees it if a later line fails */
            m->wstart[id] = (uint32_t)i;
            m->slot[h].hash = full;
            m->slot[h].id = id;
        } else if (r->cat == p->rec[i - 1].cat) {
            p->line = 0;
            return mfail(p, "feature \"%.*s\" has two weights for \"%s\"", (int)r->namelen, r->name,
                         m->cat[r->cat]);
        }
        m->mw[i].cat = (uint8_t)r->cat;
        m->mw[i].w = r->w;
    }
    m->wstart[id + 1] = (uint32_t)p->nrec;
    return 0;
}

void guard_model_free(guard_model *m)
{
    if (!m)
        return;
    if (m->names)
        for (uint32_t i = 1; i <= m->nfeat; i++)
            free(m->names[i]);
    free(m->names);
    free(m->slot);
    free(m->wstart);
    free(m->mw);
    free(m);
}

int guard_model_parse(const char *name, const char *buf, size_t len, guard_model **out, char *err,
                      size_t errlen)
{
    struct mparse p = {.name = name, .err = err, .errlen = errlen};
    if (len > MODEL_FILE_MAX)
        return mfail(&p, "larger than %u bytes", MODEL_FILE_MAX);
    p.m = calloc(1, sizeof *p.m);
    if (!p.m)
        return mfail(&p, "out of memory");
    int rc = -1;
    size_t pos = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        p.line++;
        if (memchr(buf + pos, '\0', n)) {
            mfail(&p, "holds a NUL byte");
            goto out;
        }
        if (parse_mline(&p, buf + pos, n) != 0)
            goto out;
        pos += n + 1;
    }
    p.line = 0;
    if (p.m->ncat == 0) {
        mfail(&p, "no categories");
        goto out;
    }
    if (build(&p) != 0)
        goto out;
    *out = p.m;
    p.m = NULL;
    rc = 0;
out:
    free(p.rec);
    guard_model_free(p.m);
    return rc;
}

int guard__model_load_beside(guard_lexicon *lx, const char *lexicon_path, char *err, size_t errlen)
{
    size_t n = strlen(lexicon_path);
    if (n < 4 || strcmp(lexicon_path + n - 4, ".tsv") != 0)
        return 0;
    char path[4096];
    if (snprintf(path, sizeof path, "%.*s-model.tsv", (int)(n - 4), lexicon_path) >=
        (int)sizeof path)
        return 0;
    struct buf b;
    buf_init(&b, MODEL_FILE_MAX);
    int rc = buf_read_file(&b, path);
    if (rc == BUF_EIO && errno == ENOENT) {
        buf_release(&b);
        return 0; /* no model: the lexicon alone */
    }
    guard_model *m = NULL;
    if (rc == BUF_EIO)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    else if (rc == BUF_ETOOBIG)
        snprintf(err, errlen, "%s: larger than %u bytes", path, MODEL_FILE_MAX);
    else if (rc)
        snprintf(err, errlen, "%s: out of memory", path);
    else
        rc = guard_model_parse(path, b.data ? b.data : "", b.len, &m, err, errlen);
    buf_release(&b);
    if (rc)
        return -1;
    guard_lexicon_set_model(lx, m);
    return 0;
}

void guard_lexicon_set_model(guard_lexicon *lx, guard_model *m)
{
    guard_model_free(lx->model);
    lx->model = m;
    /* Which lexicon category each model category stands for (-1: the lexicon has none). */
    if (m)
        for (int c = 0; c < m->ncat; c++) {
            m->lexcode[c] = -1;
            for (int k = 0; k < lx->ncode; k++)
                if (strcmp(lx->code[k], m->cat[c]) == 0)
                    m->lexcode[c] = k;
        }
}

int guard_lexicon_model_size(const guard_lexicon *lx)
{
    return lx->model ? (int)lx->model->nfeat : 0;
}
