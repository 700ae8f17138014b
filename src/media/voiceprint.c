/* media/voiceprint: the built-in speaker embedder (MFCC statistics over speech frames, aubio),
 * the enrolled set, a live call's matcher, and embeddings as JSON text for the store.
 *
 * mfcc-stats-v1: 12 MFCCs (c1..c12 of 13 over 24 mel bands, 100–3800 Hz, 32 ms window every
 * 20 ms at 8 kHz; c0 is the frame energy, left out so the line level does not matter). The
 * embedding is their mean and standard deviation and the standard deviation of their frame-to-
 * frame deltas (the deltas' mean is about 0 for everyone and only adds noise): 36 numbers, each
 * then centred and scaled by fixed population figures (vp_norm below) so that cosine scoring
 * compares how a speaker differs from the average voice, not the average voice itself. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aubio/aubio.h>
#include <jansson.h>

#include "core/util.h"
#include "media/audio.h"
#include "media/media_int.h"

#define NCOEF         12
#define MFCC_WIN      256
#define MFCC_BANDS    24
#define VP_DIM        (3 * NCOEF)
#define VP_MIN_FRAMES 50

/* Population centre and spread of each of the 36 dimensions, measured by
 * bench/media/vp_norm.sh on espeak-ng voices that are not in the evaluation set (see the README's
 * voiceprint section). A real deployment would re-measure them on its own callers. */
static const double vp_mu[VP_DIM] = {
#include "vp_norm_mu.inc"
};
static const double vp_sd[VP_DIM] = {
#include "vp_norm_sd.inc"
};

struct mfcc_state {
    aubio_pvoc_t *pv;
    aubio_mfcc_t *mf;
    fvec_t *in, *out;
    cvec_t *spec;
    long n, nd;
    double sum[NCOEF], sq[NCOEF];
    double dsum[NCOEF], dsq[NCOEF];
    double prev[NCOEF];
};

static void mfcc_stop(void *p)
{
    struct mfcc_state *st = p;
    if (!st)
        return;
    if (st->pv)
        del_aubio_pvoc(st->pv);
    if (st->mf)
        del_aubio_mfcc(st->mf);
    if (st->in)
        del_fvec(st->in);
    if (st->out)
        del_fvec(st->out);
    if (st->spec)
        del_cvec(st->spec);
    free(st);
}

static void *mfcc_start(const struct media_embedder *e)
{
    (void)e;
    struct mfcc_state *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->pv = new_aubio_pvoc(MFCC_WIN, MEDIA_FRAME_LEN);
    st->mf = new_aubio_mfcc(MFCC_WIN, MFCC_BANDS, NCOEF + 1, MEDIA_WORK_RATE);
    st->in = new_fvec(MEDIA_FRAME_LEN);
    st->out = new_fvec(NCOEF + 1);
    st->spec = new_cvec(MFCC_WIN);
    if (!st->pv || !st->mf || !st->in || !st->out || !st->spec) {
        mfcc_stop(st);
        return NULL;
    }
    aubio_mfcc_set_mel_coeffs(st->mf, 100, 3800);
    return st;
}

static int mfcc_push(void *p, const float *frame)
{
    struct mfcc_state *st = p;
    for (int i = 0; i < MEDIA_FRAME_LEN; i++)
        st->in->data[i] = (smpl_t)frame[i];
    aubio_pvoc_do(st->pv, st->in, st->spec);
    aubio_mfcc_do(st->mf, st->spec, st->out);
    for (int k = 0; k < NCOEF; k++) {
        double c = st->out->data[k + 1];
        st->sum[k] += c;
        st->sq[k] += c * c;
        if (st->n > 0) {
            double d = c - st->prev[k];
            st->dsum[k] += d;
            st->dsq[k] += d * d;
        }
        st->prev[k] = c;
    }
    if (st->n > 0)
        st->nd++;
    st->n++;
    return 0;
}

static double stdev(double sum, double sq, long n)
{
    double m = sum / n, v = sq / n - m * m;
    return v > 0 ? sqrt(v) : 0;
}

static int mfcc_embed(void *p, float *out)
{
    struct mfcc_state *st = p;
    if (st->n < VP_MIN_FRAMES)
        return -1;
    double raw[VP_DIM];
    for (int k = 0; k < NCOEF; k++) {
        raw[k] = st->sum[k] / st->n;
        raw[NCOEF + k] = stdev(st->sum[k], st->sq[k], st->n);
        raw[2 * NCOEF + k] = stdev(st->dsum[k], st->dsq[k], st->nd);
    }
    for (int i = 0; i < VP_DIM; i++)
        out[i] = (float)((raw[i] - vp_mu[i]) / vp_sd[i]);
    return 0;
}

/* Prints the raw statistics (before normalisation), for bench/media/vp_norm.sh. */
int media__vp_raw(void *p, double *raw)
{
    struct mfcc_state *st = p;
    if (st->n < VP_MIN_FRAMES)
        return -1;
    for (int k = 0; k < NCOEF; k++) {
        raw[k] = st->sum[k] / st->n;
        raw[NCOEF + k] = stdev(st->sum[k], st->sq[k], st->n);
        raw[2 * NCOEF + k] = stdev(st->dsum[k], st->dsq[k], st->nd);
    }
    return VP_DIM;
}

static const struct media_embedder mfcc_embedder = {
    .model = "mfcc-stats-v1",
    .dim = VP_DIM,
    .threshold = MEDIA__VP_THRESHOLD,
    .start = mfcc_start,
    .push = mfcc_push,
    .embed = mfcc_embed,
    .stop = mfcc_stop,
};

const struct media_embedder *media_embedder_default(void)
{
    return &mfcc_embedder;
}

double media_vp_score(const float *a, const float *b, int dim)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < dim; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    if (aa <= 0 || bb <= 0)
        return 0;
    return ab / sqrt(aa * bb);
}

/* ---- the enrolled set ---- */

void media_vp_set_init(struct media_vp_set *s, const struct media_embedder *e)
{
    memset(s, 0, sizeof(*s));
    s->embedder = e;
}

int media_vp_set_add(struct media_vp_set *s, const char *caller, const float *emb)
{
    if (!s->embedder || !caller || strlen(caller) >= MEDIA_CALLER_MAX)
        return -EINVAL;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        struct media_vp *v = realloc(s->v, (size_t)cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        s->v = v;
        s->cap = cap;
    }
    float *copy = malloc((size_t)s->embedder->dim * sizeof(float));
    if (!copy)
        return -ENOMEM;
    memcpy(copy, emb, (size_t)s->embedder->dim * sizeof(float));
    str_copy(s->v[s->n].caller, MEDIA_CALLER_MAX, caller);
    s->v[s->n].emb = copy;
    s->n++;
    return 0;
}

void media_vp_set_release(struct media_vp_set *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->v[i].emb);
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

/* ---- JSON ---- */

int media_vp_to_json(const float *emb, int dim, char **json)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < dim; i++) {
        /* Six decimals keep the score unchanged to 1e-6 and the text short. */
        if (json_array_append_new(arr, json_real(round(emb[i] * 1e6) / 1e6)) < 0) {
            json_decref(arr);
            return -ENOMEM;
        }
    }
    if (!arr)
        return -ENOMEM;
    char *txt = json_dumps(arr, JSON_COMPACT | JSON_REAL_PRECISION(9));
    json_decref(arr);
    if (!txt)
        return -ENOMEM;
    *json = txt;
    return 0;
}

int media_vp_from_json(const char *json, int dim, float *out)
{
    json_error_t jerr;
    json_t *arr = json_loads(json, 0, &jerr);
    int rc = 0;
    if (!arr || !json_is_array(arr) || (int)json_array_size(arr) != dim)
        rc = -EINVAL;
    for (int i = 0; rc == 0 && i < dim; i++) {
        json_t *v = json_array_get(arr, (size_t)i);
        if (!json_is_number(v) || !isfinite(json_number_value(v)))
            rc = -EINVAL;
        else
            out[i] = (float)json_number_value(v);
    }
    json_decref(arr);
    return rc;
}

/* ---- a call's matcher ---- */

struct media_vp_session {
    const struct media_vp_set *set;
    const struct media_embedder *e;
    void *st;
    long speech_frames;
};

media_vp_session *media_vp_session_new(const struct media_vp_set *enrolled)
{
    if (!enrolled || !enrolled->embedder)
        return NULL;
    media_vp_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->set = enrolled;
    s->e = enrolled->embedder;
    s->st = s->e->start(s->e);
    if (!s->st) {
        free(s);
        return NULL;
    }
    return s;
}

void media_vp_session_free(media_vp_session *s)
{
    if (!s)
        return;
    s->e->stop(s->st);
    free(s);
}

int media_vp_session_push_frame(media_vp_session *s, const float *frame, int speech)
{
    if (!speech)
        return 0;
    s->speech_frames++;
    return s->e->push(s->st, frame);
}

double media_vp_session_speech_s(const media_vp_session *s)
{
    return s->speech_frames * (MEDIA_FRAME_MS / 1000.0);
}

int media__vp_session_embed(const media_vp_session *s, float *out)
{
    return s->e->embed(s->st, out) < 0 ? -EAGAIN : 0;
}

void *media__vp_session_state(const media_vp_session *s)
{
    return s->st;
}

int media_vp_session_best(const media_vp_session *s, char *caller, size_t callerlen, double *score)
{
    if (media_vp_session_speech_s(s) < MEDIA_VP_MIN_SPEECH_S || s->set->n == 0)
        return -EAGAIN;
    float *emb = malloc((size_t)s->e->dim * sizeof(float));
    if (!emb)
        return -ENOMEM;
    if (media__vp_session_embed(s, emb) < 0) {
        free(emb);
        return -EAGAIN;
    }
    int best = 0;
    double best_score = -2;
    for (int i = 0; i < s->set->n; i++) {
        double sc = media_vp_score(emb, s->set->v[i].emb, s->e->dim);
        if (sc > best_score) {
            best_score = sc;
            best = i;
        }
    }
    free(emb);
    str_copy(caller, callerlen, s->set->v[best].caller);
    *score = best_score;
    return best_score >= s->e->threshold ? 1 : 0;
}

int media_vp_embed_file(const struct media_embedder *e, const char *path, double min_speech_s,
                        float **emb, double *speech_s, char *err, size_t errlen)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    int rc = media_wav_load(path, MEDIA_WORK_RATE, 0, &pcm, &n, NULL, err, errlen);
    if (rc < 0)
        return rc;
    struct media_vp_set none;
    media_vp_set_init(&none, e);
    media_analyzer *a = media_analyzer_new(MEDIA_WORK_RATE);
    media_vp_session *s = media_vp_session_new(&none);
    float *out = malloc((size_t)e->dim * sizeof(float));
    rc = -ENOMEM;
    if (a && s && out && media_analyzer_attach_vp(a, s) == 0 &&
        media_analyzer_push(a, pcm, n, NULL) >= 0)
        rc = 0;
    if (rc < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
    } else if (media_vp_session_speech_s(s) < min_speech_s) {
        snprintf(err, errlen, "%s: %.1f s of speech, at least %.0f s needed", path,
                 media_vp_session_speech_s(s), min_speech_s);
        rc = -EINVAL;
    } else if (media__vp_session_embed(s, out) < 0) {
        snprintf(err, errlen, "%s: too little speech for a voiceprint", path);
        rc = -EINVAL;
    }
    if (rc == 0) {
        *emb = out;
        out = NULL;
        if (speech_s)
            *speech_s = media_vp_session_speech_s(s);
    }
    free(out);
    media_vp_session_free(s);
    media_analyzer_free(a);
    free(pcm);
    return rc;
}

void media_vp_eer(const double *gen, int ng, const double *imp, int ni, double *eer,
                  double *threshold)
{
    double best_gap = 2, e = 1, thr = 0;
    for (int k = 0; k < ng + ni; k++) {
        double th = k < ng ? gen[k] : imp[k - ng];
        int fa = 0, fr = 0;
        for (int i = 0; i < ni; i++)
            fa += imp[i] >= th;
        for (int g = 0; g < ng; g++)
            fr += gen[g] < th;
        double far = ni ? (double)fa / ni : 0, frr = ng ? (double)fr / ng : 0;
        if (fabs(far - frr) < best_gap) {
            best_gap = fabs(far - frr);
            e = (far + frr) / 2;
            thr = th;
        }
    }
    *eer = e;
    *threshold = thr;
}
