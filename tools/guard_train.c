/* guard_train: trains the call guard's learned second stage (data/lexicon/ja-model.tsv) on the
 * dev set. One L2-regularised logistic model per category of the lexicon, over the features the
 * detector gives (guard__features: reading and surface character n-grams, MeCab lemmas, the
 * lexicon's own category scores), fitted by full-batch AdaGrad. A k-fold cross-validation on the
 * same file (an utterance and its variants in one fold) gives out-of-fold scores, which fix the
 * calibration (Platt: p = σ(scale·z + shift)) and print honest dev figures. Never give it a
 * held-out set.
 *
 * Usage: guard_train [-l lambda] [-i iterations] [-k folds] [-m min_count] [-o model.tsv]
 *                    lexicon.tsv dev.tsv
 * Prints the cross-validated figures to stdout; writes the model to -o (default: none).
 * guard_train -s lexicon.tsv dev.tsv shows instead how the lexicon as loaded (with the model
 * beside it, if any) labels every line of the dev set that it gets wrong. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "guard/detect_int.h"

#define MAXCAT GUARD__MAX_CODES

struct fv {
    uint32_t f;
    float x;
};

struct example {
    struct fv *v;
    int n, cap;
    unsigned char y[MAXCAT];
    int any;
    int fold_key; /* the line of the hand-written utterance (a variant names it in its notes) */
    float lex[MAXCAT]; /* the lexicon's category scores */
};

/* ---- feature names ---- */

static char **names;
static uint32_t *slot, cap, nnames;
static int *df;

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void grow(void)
{
    uint32_t nc = cap ? cap * 2 : 1u << 16;
    uint32_t *ns = calloc(nc, sizeof *ns);
    if (!ns)
        exit(1);
    for (uint32_t id = 1; id <= nnames; id++) {
        uint32_t i = hash(names[id], strlen(names[id])) & (nc - 1);
        while (ns[i])
            i = (i + 1) & (nc - 1);
        ns[i] = id;
    }
    free(slot);
    slot = ns;
    cap = nc;
    names = realloc(names, (size_t)(cap / 2 + 2) * sizeof *names);
    df = realloc(df, (size_t)(cap / 2 + 2) * sizeof *df);
    if (!names || !df)
        exit(1);
}

static uint32_t intern(const char *s, size_t n)
{
    if ((nnames + 1) * 2 >= cap)
        grow();
    uint32_t i = hash(s, n) & (cap - 1);
    for (; slot[i]; i = (i + 1) & (cap - 1))
        if (strlen(names[slot[i]]) == n && memcmp(names[slot[i]], s, n) == 0)
            return slot[i];
    char *c = malloc(n + 1);
    if (!c)
        exit(1);
    memcpy(c, s, n);
    c[n] = '\0';
    names[++nnames] = c;
    df[nnames] = 0;
    slot[i] = nnames;
    return nnames;
}

static void on_feature(void *arg, const char *name, size_t len, double value)
{
    struct example *e = arg;
    uint32_t f = intern(name, len);
    for (int i = 0; i < e->n; i++)
        if (e->v[i].f == f)
            return;
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->v = realloc(e->v, (size_t)e->cap * sizeof *e->v);
        if (!e->v)
            exit(1);
    }
    e->v[e->n++] = (struct fv){f, (float)value};
}

/* ---- data ---- */

static int ncat;
static char cats[MAXCAT][GUARD_CODE_MAX];
static struct example *ex;
static int nex;

static int lists(const char *list, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && memcmp(p, code, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static int read_set(const char *path, guard_detector *det)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "guard_train: cannot open %s\n", path);
        return -1;
    }
    char line[4096];
    int lineno = 0, excap = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#' || strncmp(line, "speaker\t", 8) == 0)
            continue;
        char *text = strchr(line, '\t'), *exp = text ? strchr(text + 1, '\t') : NULL;
        if (!text || !exp) {
            fprintf(stderr, "guard_train: %s: line %d: expected speaker, text, categories\n", path,
                    lineno);
            fclose(f);
            return -1;
        }
        *text++ = '\0';
        *exp++ = '\0';
        char *notes = strchr(exp, '\t');
        if (notes)
            *notes++ = '\0';
        const char *of = notes ? strstr(notes, "(line ") : NULL;
        int key = of ? (int)strtol(of + 6, NULL, 10) : lineno;
        if (line[0] != 'C') /* operator speech is never customer harassment */
            continue;
        if (nex == excap) {
            excap = excap ? excap * 2 : 1024;
            ex = realloc(ex, (size_t)excap * sizeof *ex);
            if (!ex)
                exit(1);
        }
        struct example *e = &ex[nex];
        memset(e, 0, sizeof *e);
        e->fold_key = key;
        if (guard__features(det, text, strlen(text), on_feature, e) != 0) {
            fprintf(stderr, "guard_train: %s: line %d: cannot analyse\n", path, lineno);
            fclose(f);
            return -1;
        }
        for (int c = 0; c < ncat; c++) {
            e->y[c] = (unsigned char)lists(exp, cats[c]);
            e->any |= e->y[c];
        }
        for (int i = 0; i < e->n; i++) {
            df[e->v[i].f]++;
            const char *nm = names[e->v[i].f];
            for (int c = 0; c < ncat; c++)
                if (strncmp(nm, "lex:", 4) == 0 && strcmp(nm + 4, cats[c]) == 0)
                    e->lex[c] = e->v[i].x;
        }
        nex++;
    }
    fclose(f);
    return 0;
}

/* ---- model ---- */

static double lambda = 0.003;
static int iters = 400, folds = 5, min_count = 2;
static uint32_t nf; /* feature ids 1..nf */

static double sigmoid(double x)
{
    return 1 / (1 + exp(-x));
}

/* Trains category c on the examples with in[i] set: full-batch AdaGrad on the mean log loss
 * plus lambda·|w|². w has nf + 1 entries, w[0] the bias. */
static void train(int c, const unsigned char *in, double *w)
{
    double *g = calloc(nf + 1, sizeof *g), *h = calloc(nf + 1, sizeof *h);
    if (!g || !h)
        exit(1);
    memset(w, 0, (nf + 1) * sizeof *w);
    int m = 0;
    for (int i = 0; i < nex; i++)
        m += in[i];
    for (int it = 0; it < iters; it++) {
        memset(g, 0, (nf + 1) * sizeof *g);
        for (int i = 0; i < nex; i++) {
            if (!in[i])
                continue;
            const struct example *e = &ex[i];
            double z = w[0];
            for (int k = 0; k < e->n; k++)
                if (df[e->v[k].f] >= min_count)
                    z += w[e->v[k].f] * e->v[k].x;
            double d = (sigmoid(z) - e->y[c]) / m;
            g[0] += d;
            for (int k = 0; k < e->n; k++)
                if (df[e->v[k].f] >= min_count)
                    g[e->v[k].f] += d * e->v[k].x;
        }
        for (uint32_t f = 0; f <= nf; f++) {
            double gr = g[f] + (f ? 2 * lambda * w[f] : 0);
            if (gr == 0)
                continue;
            h[f] += gr * gr;
            w[f] -= 0.5 * gr / (sqrt(h[f]) + 1e-8);
        }
    }
    free(g);
    free(h);
}

/* The log-odds of e, and in *pos the sum of the positive contributions (the evidence for). */
static double logit_of(const double *w, const struct example *e, double *pos)
{
    double z = w[0], p = 0;
    for (int k = 0; k < e->n; k++)
        if (e->v[k].f <= nf && df[e->v[k].f] >= min_count) {
            double d = w[e->v[k].f] * e->v[k].x;
            z += d;
            p += d > 0 ? d : 0;
        }
    if (pos)
        *pos = p;
    return z;
}

/* Platt scaling on out-of-fold log-odds: fits a, b of σ(a·z + b) by Newton's method. */
static void platt(const double *z, int c, double *a, double *b)
{
    double A = 1, B = 0;
    for (int it = 0; it < 100; it++) {
        double ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
        for (int i = 0; i < nex; i++) {
            double p = sigmoid(A * z[i] + B), d = p - ex[i].y[c], v = p * (1 - p);
            ga += d * z[i];
            gb += d;
            haa += v * z[i] * z[i];
            hab += v * z[i];
            hbb += v;
        }
        double det = haa * hbb - hab * hab;
        if (fabs(det) < 1e-12)
            break;
        double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
        A -= da;
        B -= db;
        if (fabs(da) + fabs(db) < 1e-9)
            break;
    }
    *a = A;
    *b = B;
}

struct tally {
    int tp, fp, fn;
};

static void row(const char *name, struct tally t)
{
    double p = t.tp + t.fp ? (double)t.tp / (t.tp + t.fp) : 1;
    double r = t.tp + t.fn ? (double)t.tp / (t.tp + t.fn) : 1;
    printf("  %-18s %5d %5d %5d %6.3f %6.3f %6.3f\n", name, t.tp, t.fp, t.fn, p, r,
           p + r > 0 ? 2 * p * r / (p + r) : 0);
}

static int write_model(const char *path, double **w, const double *a, const double *b)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "guard_train: cannot write %s\n", path);
        return -1;
    }
    fprintf(f,
            "# ikiiki 通話ガード: learned second stage of the lexical detector, written by\n"
            "# tools/guard_train from tests/data/guard/ja-dev.tsv (never from a held-out set)\n"
            "# with lambda %g, %d iterations, features seen in at least %d utterances.\n"
            "# feature <TAB> category <TAB> weight; (bias), and (scale) (shift) for the\n"
            "# calibration p = 1 / (1 + exp(-(scale * z + shift))). Features: r3: reading\n"
            "# trigrams (hiragana, digits as 0, | between words, ^ $ the ends), w: MeCab\n"
            "# lemmas, lex: the lexicon's category score. Retrain after editing the lexicon.\n",
            lambda, iters, min_count);
    fprintf(f, "feature\tcategory\tweight\n");
    for (int c = 0; c < ncat; c++) {
        fprintf(f, "(bias)\t%s\t%.4f\n", cats[c], w[c][0]);
        fprintf(f, "(scale)\t%s\t%.4f\n", cats[c], a[c]);
        fprintf(f, "(shift)\t%s\t%.4f\n", cats[c], b[c]);
    }
    for (uint32_t id = 1; id <= nf; id++)
        for (int c = 0; c < ncat; c++)
            if (df[id] >= min_count && fabs(w[c][id]) >= 0.02)
                fprintf(f, "%s\t%s\t%.3f\n", names[id], cats[c], w[c][id]);
    return fclose(f) == 0 ? 0 : -1;
}

static int show(const char *lexicon, const char *path, ja_dict *d)
{
    char err[512];
    guard_lexicon *lx = NULL;
    if (guard_lexicon_load(lexicon, NULL, 0, &lx, err, sizeof err) != 0) {
        fprintf(stderr, "guard_train: %s\n", err);
        return 2;
    }
    guard_detector *det = guard_detector_new(lx, d);
    FILE *f = fopen(path, "r");
    if (!det || !f)
        return 1;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *text = strchr(line, '\t'), *exp = text ? strchr(text + 1, '\t') : NULL;
        if (line[0] != 'C' || !text || !exp)
            continue;
        *text++ = '\0';
        *exp++ = '\0';
        char *notes = strchr(exp, '\t');
        if (notes)
            *notes = '\0';
        struct guard_result r;
        if (guard_detect(det, text, strlen(text), GUARD_CUSTOMER, &r) != 0)
            continue;
        int want = strcmp(exp, "-") != 0;
        if (want == r.harassment)
            continue;
        printf("%s\t%s\t[%s]\t", want ? "miss" : "false", text, exp);
        for (int i = 0; i < r.ncat && i < 3; i++)
            printf(" %s %.2f/%.2f", r.cat[i].code, r.cat[i].score, r.cat[i].lexical);
        printf("\n");
    }
    fclose(f);
    guard_detector_free(det);
    guard_lexicon_free(lx);
    return 0;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    int opt, showing = 0;
    while ((opt = getopt(argc, argv, "l:i:k:m:o:s")) != -1) {
        switch (opt) {
        case 's':
            showing = 1;
            break;
        case 'l':
            lambda = atof(optarg);
            break;
        case 'i':
            iters = (int)strtol(optarg, NULL, 10);
            break;
        case 'k':
            folds = (int)strtol(optarg, NULL, 10);
            break;
        case 'm':
            min_count = (int)strtol(optarg, NULL, 10);
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return 2;
        }
    }
    if (argc - optind != 2 || folds < 2) {
        fprintf(stderr, "usage: guard_train [-l lambda] [-i iterations] [-k folds] [-m min_count] "
                        "[-o model.tsv] lexicon.tsv dev.tsv\n");
        return 2;
    }
    char err[512];
    ja_dict *d = NULL;
    if (ja_dict_open(&d, err, sizeof err) != 0) {
        fprintf(stderr, "guard_train: %s\n", err);
        return 1;
    }
    if (showing)
        return show(argv[optind], argv[optind + 1], d);
    struct buf b;
    buf_init(&b, 8u << 20);
    guard_lexicon *lx = NULL;
    if (buf_read_file(&b, argv[optind]) != 0 ||
        guard_lexicon_parse(argv[optind], b.data ? b.data : "", b.len, d, NULL, 0, &lx, err,
                            sizeof err) != 0) {
        fprintf(stderr, "guard_train: %s\n", lx ? err : argv[optind]);
        return 2;
    }
    buf_release(&b);
    for (int k = 0; k < lx->ncode && ncat < MAXCAT; k++)
        if (lx->code[k][0] != '=')
            snprintf(cats[ncat++], GUARD_CODE_MAX, "%s", lx->code[k]);
    guard_detector *det = guard_detector_new(lx, d);
    if (!det || read_set(argv[optind + 1], det) != 0)
        return 2;
    nf = nnames;
    int kept = 0;
    for (uint32_t f = 1; f <= nf; f++)
        kept += df[f] >= min_count;
    printf("guard_train: %d customer utterances, %u features (%d seen at least %d times), "
           "%d categories, lambda %g\n",
           nex, nf, kept, min_count, ncat, lambda);

    /* Cross-validation: an utterance and its variants share a fold (its line mod folds; the
     * file mixes categories), so no fold is scored on a variant of what it was trained on. */
    double **oof = malloc((size_t)ncat * sizeof *oof), *w = malloc((nf + 1) * sizeof *w);
    double **oofpos = malloc((size_t)ncat * sizeof *oofpos);
    unsigned char *in = malloc((size_t)nex);
    if (!oof || !w || !in)
        return 1;
    for (int c = 0; c < ncat; c++) {
        oof[c] = malloc((size_t)nex * sizeof **oof);
        oofpos[c] = malloc((size_t)nex * sizeof **oofpos);
        if (!oof[c] || !oofpos[c])
            return 1;
        for (int k = 0; k < folds; k++) {
            for (int i = 0; i < nex; i++)
                in[i] = ex[i].fold_key % folds != k;
            train(c, in, w);
            for (int i = 0; i < nex; i++)
                if (ex[i].fold_key % folds == k)
                    oof[c][i] = logit_of(w, &ex[i], &oofpos[c][i]);
        }
    }
    double a[MAXCAT], bb[MAXCAT];
    struct tally all = {0}, tc[MAXCAT] = {{0}};
    for (int c = 0; c < ncat; c++)
        platt(oof[c], c, &a[c], &bb[c]);
    for (int i = 0; i < nex; i++) {
        int flag = 0;
        for (int c = 0; c < ncat; c++) {
            int g = sigmoid(a[c] * oof[c][i] + bb[c]) >= 0.5;
            flag |= g;
            tc[c].tp += g && ex[i].y[c];
            tc[c].fp += g && !ex[i].y[c];
            tc[c].fn += !g && ex[i].y[c];
        }
        all.tp += flag && ex[i].any;
        all.fp += flag && !ex[i].any;
        all.fn += !flag && ex[i].any;
    }
    printf("%d-fold cross-validation on the dev set (out-of-fold, calibrated):\n", folds);
    printf("  %-18s %5s %5s %5s %6s %6s %6s\n", "category", "tp", "fp", "fn", "P", "R", "F1");
    for (int c = 0; c < ncat; c++)
        if (tc[c].tp + tc[c].fp + tc[c].fn)
            row(cats[c], tc[c]);
    row("harassment", all);
    /* The detector's rule: a category counts when the lexicon or the model puts it at the
     * threshold or more. */
    const double cut[] = {0.5, 0.6, 0.7, 0.8, 0.9};
    double minpos = getenv("GUARD_TRAIN_EVIDENCE") ? atof(getenv("GUARD_TRAIN_EVIDENCE"))
                                                   : GUARD_MODEL_EVIDENCE;
    printf("  (the model raises a category only with %.1f log-odds of evidence for it)\n", minpos);
    for (size_t t = 0; t < sizeof cut / sizeof cut[0]; t++) {
        struct tally al = {0}, lx0 = {0}, tcl[MAXCAT] = {{0}};
        for (int i = 0; i < nex; i++) {
            int flag = 0, lflag = 0;
            for (int c = 0; c < ncat; c++) {
                int l = ex[i].lex[c] >= 0.5;
                int g =
                    l || (sigmoid(a[c] * oof[c][i] + bb[c]) >= cut[t] && oofpos[c][i] >= minpos);
                flag |= g;
                lflag |= l;
                tcl[c].tp += g && ex[i].y[c];
                tcl[c].fp += g && !ex[i].y[c];
                tcl[c].fn += !g && ex[i].y[c];
            }
            al.tp += flag && ex[i].any;
            al.fp += flag && !ex[i].any;
            al.fn += !flag && ex[i].any;
            lx0.tp += lflag && ex[i].any;
            lx0.fp += lflag && !ex[i].any;
            lx0.fn += !lflag && ex[i].any;
        }
        if (t == 0)
            row("lexicon alone", lx0);
        char nm[40];
        snprintf(nm, sizeof nm, "lex or p>=%.1f", cut[t]);
        row(nm, al);
        if (getenv("GUARD_TRAIN_CATS"))
            for (int c = 0; c < ncat; c++)
                row(cats[c], tcl[c]);
    }
    for (int c = 0; c < ncat; c++)
        printf("  calibration %-18s scale %.3f shift %.3f\n", cats[c], a[c], bb[c]);
    if (!out)
        return 0;
    double *wa[MAXCAT];
    for (int i = 0; i < nex; i++)
        in[i] = 1;
    for (int c = 0; c < ncat; c++) {
        wa[c] = malloc((nf + 1) * sizeof **wa);
        if (!wa[c])
            return 1;
        train(c, in, wa[c]);
    }
    if (write_model(out, wa, a, bb) != 0)
        return 1;
    printf("wrote %s\n", out);
    return 0;
}
