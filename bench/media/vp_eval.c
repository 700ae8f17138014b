/* Voiceprint measurements on a list of files (speaker<TAB>enrol|test<TAB>path, from voices.sh).
 *   vp_eval norm LIST OUTDIR   population centre and spread of the raw mfcc-stats-v1 values,
 *                              written as OUTDIR/vp_norm_mu.inc and vp_norm_sd.inc
 *   vp_eval eer LIST [SECONDS] every test file against every enrolled speaker (test audio cut
 *                              to SECONDS when given): equal error rate, the threshold there,
 *                              the false accept/reject rates at the built-in threshold, and
 *                              closed-set identification accuracy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/audio.h"
#include "media/media_int.h"

#define MAXF 512

struct item {
    char spk[128];
    int enrol;
    char path[1024];
};

static int read_list(const char *path, struct item *it, int max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1400];
    int n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        char *a = line, *b = strchr(a, '\t'), *c = b ? strchr(b + 1, '\t') : NULL;
        if (!c)
            continue;
        *b++ = 0;
        *c++ = 0;
        c[strcspn(c, "\n")] = 0;
        snprintf(it[n].spk, sizeof it[n].spk, "%s", a);
        it[n].enrol = strcmp(b, "enrol") == 0;
        snprintf(it[n].path, sizeof it[n].path, "%s", c);
        n++;
    }
    fclose(f);
    return n;
}

/* Runs a file through an analyzer with a session attached; raw or normalised embedding. */
static int embed(const char *path, double max_s, int raw, double *out)
{
    int16_t *pcm;
    size_t n;
    char err[600];
    if (media_wav_load(path, MEDIA_WORK_RATE, 0, &pcm, &n, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (max_s > 0 && n > (size_t)(max_s * MEDIA_WORK_RATE))
        n = (size_t)(max_s * MEDIA_WORK_RATE);
    const struct media_embedder *e = media_embedder_default();
    struct media_vp_set none;
    media_vp_set_init(&none, e);
    media_analyzer *a = media_analyzer_new(MEDIA_WORK_RATE);
    media_vp_session *s = media_vp_session_new(&none);
    media_analyzer_attach_vp(a, s);
    media_analyzer_push(a, pcm, n, NULL);
    int rc;
    if (raw) {
        rc = media__vp_raw(media__vp_session_state(s), out);
    } else {
        float f[512];
        rc = media__vp_session_embed(s, f);
        for (int i = 0; rc == 0 && i < e->dim; i++)
            out[i] = f[i];
        rc = rc == 0 ? e->dim : rc;
    }
    media_vp_session_free(s);
    media_analyzer_free(a);
    free(pcm);
    return rc;
}

static int norm(struct item *it, int n, const char *outdir)
{
    static double v[MAXF][128];
    int dim = 0;
    for (int i = 0; i < n; i++)
        if ((dim = embed(it[i].path, 0, 1, v[i])) < 0)
            return 1;
    char p[1100];
    snprintf(p, sizeof p, "%s/vp_norm_mu.inc", outdir);
    FILE *mu = fopen(p, "w");
    snprintf(p, sizeof p, "%s/vp_norm_sd.inc", outdir);
    FILE *sd = fopen(p, "w");
    if (!mu || !sd)
        return 1;
    for (int d = 0; d < dim; d++) {
        double s = 0, q = 0;
        for (int i = 0; i < n; i++) {
            s += v[i][d];
            q += v[i][d] * v[i][d];
        }
        double m = s / n, var = q / n - m * m;
        fprintf(mu, "%.6f,\n", m);
        fprintf(sd, "%.6f,\n", var > 1e-12 ? sqrt(var) : 1.0);
    }
    fclose(mu);
    fclose(sd);
    printf("norm: %d files, %d dimensions\n", n, dim);
    return 0;
}

static double cosine(const double *a, const double *b, int dim)
{
    float fa[512], fb[512];
    for (int i = 0; i < dim; i++) {
        fa[i] = (float)a[i];
        fb[i] = (float)b[i];
    }
    return media_vp_score(fa, fb, dim);
}

static int eer(struct item *it, int n, double max_s)
{
    static double v[MAXF][128];
    int dim = media_embedder_default()->dim;
    for (int i = 0; i < n; i++)
        if (embed(it[i].path, it[i].enrol ? 0 : max_s, 0, v[i]) < 0)
            return 1;
    static double gen[MAXF * MAXF], imp[MAXF * MAXF];
    int ng = 0, ni = 0, tests = 0, right = 0;
    for (int t = 0; t < n; t++) {
        if (it[t].enrol)
            continue;
        tests++;
        double best = -2;
        int best_same = 0;
        for (int e = 0; e < n; e++) {
            if (!it[e].enrol)
                continue;
            double sc = cosine(v[t], v[e], dim);
            int same = strcmp(it[t].spk, it[e].spk) == 0;
            if (same)
                gen[ng++] = sc;
            else
                imp[ni++] = sc;
            if (sc > best) {
                best = sc;
                best_same = same;
            }
        }
        right += best_same;
    }
    double eer_v, thr;
    media_vp_eer(gen, ng, imp, ni, &eer_v, &thr);
    double th0 = media_embedder_default()->threshold;
    int fa = 0, fr = 0;
    for (int i = 0; i < ni; i++)
        fa += imp[i] >= th0;
    for (int g = 0; g < ng; g++)
        fr += gen[g] < th0;
    double gm = 0, im = 0;
    for (int g = 0; g < ng; g++)
        gm += gen[g];
    for (int i = 0; i < ni; i++)
        im += imp[i];
    printf("voiceprint %s: test audio %s, %d genuine and %d impostor trials\n",
           media_embedder_default()->model, max_s > 0 ? "cut" : "whole", ng, ni);
    if (max_s > 0)
        printf("  test audio cut to %.0f s\n", max_s);
    printf("  EER %.1f%% at threshold %.3f; mean score genuine %.3f, impostor %.3f\n", 100 * eer_v,
           thr, gm / ng, im / ni);
    printf("  at the built-in threshold %.3f: false accept %.1f%%, false reject %.1f%%\n", th0,
           100.0 * fa / ni, 100.0 * fr / ng);
    printf("  closed-set identification: %d of %d tests (%.1f%%)\n", right, tests,
           100.0 * right / tests);
    return 0;
}

int main(int argc, char **argv)
{
    static struct item it[MAXF];
    if (argc < 3)
        return fprintf(stderr, "usage: vp_eval norm LIST OUTDIR | eer LIST [SECONDS]\n"), 2;
    int n = read_list(argv[2], it, MAXF);
    if (n <= 0)
        return fprintf(stderr, "vp_eval: cannot read \"%s\"\n", argv[2]), 2;
    if (strcmp(argv[1], "norm") == 0 && argc == 4)
        return norm(it, n, argv[3]);
    if (strcmp(argv[1], "eer") == 0)
        return eer(it, n, argc > 3 ? atof(argv[3]) : 0);
    return 2;
}
