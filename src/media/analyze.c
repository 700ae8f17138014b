/* media/analyze: the per-call analyzer — resampling to 8 kHz, 20 ms frames, speex VAD, level,
 * aubio yinfft pitch, the caller's baseline and the arousal score (see audio.h for its
 * definition). Everything kept per call is fixed-size except the optional per-second table. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <aubio/aubio.h>
#include <jansson.h>
#include <speex/speex_preprocess.h>
#include <speex/speex_resampler.h>

#include "media/audio.h"
#include "media/media_int.h"

#define LEVEL_FLOOR     -120.0
#define LEVEL_BIN_DB    0.5
#define LEVEL_BIN_LO    -100.0
#define LEVEL_BINS      200
#define PITCH_BIN_ST    0.25
#define PITCH_BIN_LO_HZ 50.0
#define PITCH_BINS      208
#define PITCH_MIN_HZ    60.0
#define PITCH_MAX_HZ    600.0
/* speexdsp's own VAD thresholds (percent speech probability), start and continue. */
#define VAD_PROB_START    35
#define VAD_PROB_CONTINUE 20
#define PITCH_MIN_DBFS    -50.0
/* Speex's VAD alone calls steady noise speech after a while; a level gate keeps line hiss and
 * digital silence out. */
#define SPEECH_MIN_DBFS -55.0

/* The telephone prior of the baseline and how many speech frames it weighs (8 s). */
#define PRIOR_LEVEL_DBFS -26.0
#define PRIOR_PITCH_HZ   140.0
#define PRIOR_FRAMES     400.0
#define AROUSAL_TAU      100.0 /* frames: 2 s of speech */
#define SILENCE_DECAY    0.998 /* per non-speech frame: halves in about 7 s */
#define SHOUT_SCORE      0.5
#define SHOUT_FRAMES     50 /* 1 s */
#define BASELINE_EVERY   25 /* speech frames between baseline updates */

struct second {
    double pow_sum; /* mean square, all frames of the second */
    double pitch_sum;
    int frames, speech, voiced;
    double arousal;
};

struct media_analyzer {
    int rate;
    SpeexResamplerState *rs;
    SpeexPreprocessState *pp;
    aubio_pitch_t *pitch;
    fvec_t *pin, *pout;
    int16_t frame[MEDIA_FRAME_LEN];
    size_t flen;
    float fframe[MEDIA_FRAME_LEN];
    int in_speech;
    double f0_hist[3];

    long frames, speech_frames, voiced_frames;
    double speech_pow_sum;
    unsigned level_hist[LEVEL_BINS];
    unsigned pitch_hist[PITCH_BINS];
    double level_base, pitch_base;
    double last_pitch_excess;
    double ema, arousal_max;
    long shout_run, shout_frames;
    int shouting, shouted;

    int keep_seconds;
    struct second *sec;
    size_t nsec, capsec;

    media_vp_session *vp;
};

media_analyzer *media_analyzer_new(int rate)
{
    if (rate < MEDIA_RATE_MIN || rate > MEDIA_RATE_MAX)
        return NULL;
    media_analyzer *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->rate = rate;
    a->level_base = PRIOR_LEVEL_DBFS;
    a->pitch_base = PRIOR_PITCH_HZ;
    int err = 0;
    if (rate != MEDIA_WORK_RATE) {
        /* Quality 3 is speex's VoIP default: plenty for a telephone band, a third the cost of 5. */
        a->rs = speex_resampler_init(1, (spx_uint32_t)rate, MEDIA_WORK_RATE, 3, &err);
        if (!a->rs)
            goto fail;
        speex_resampler_skip_zeros(a->rs);
    }
    a->pp = speex_preprocess_state_init(MEDIA_FRAME_LEN, MEDIA_WORK_RATE);
    if (!a->pp)
        goto fail;
    /* SPEEX_PREPROCESS_SET_VAD only prints a warning to stderr (in speexdsp 1.2 the VAD is the
     * speech probability against two thresholds); we read the probability and apply the same
     * start/continue hysteresis ourselves, quietly. Denoise, AGC and dereverb are off: we only
     * analyse, the audio itself is not changed. */
    int off = 0;
    speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_DENOISE, &off);
    speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_AGC, &off);
    speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_SET_DEREVERB, &off);
    /* yinfft over 64 ms (two periods of 60 Hz fit), a new estimate every 20 ms. */
    a->pitch = new_aubio_pitch("yinfft", 512, MEDIA_FRAME_LEN, MEDIA_WORK_RATE);
    a->pin = new_fvec(MEDIA_FRAME_LEN);
    a->pout = new_fvec(1);
    if (!a->pitch || !a->pin || !a->pout)
        goto fail;
    aubio_pitch_set_unit(a->pitch, "Hz");
    aubio_pitch_set_silence(a->pitch, (smpl_t)PITCH_MIN_DBFS);
    return a;
fail:
    media_analyzer_free(a);
    return NULL;
}

void media_analyzer_free(media_analyzer *a)
{
    if (!a)
        return;
    if (a->rs)
        speex_resampler_destroy(a->rs);
    if (a->pp)
        speex_preprocess_state_destroy(a->pp);
    if (a->pitch)
        del_aubio_pitch(a->pitch);
    if (a->pin)
        del_fvec(a->pin);
    if (a->pout)
        del_fvec(a->pout);
    free(a->sec);
    free(a);
}

int media_analyzer_keep_seconds(media_analyzer *a, int on)
{
    if (!a || a->frames)
        return -EINVAL;
    a->keep_seconds = on;
    return 0;
}

int media_analyzer_attach_vp(media_analyzer *a, media_vp_session *s)
{
    if (!a)
        return -EINVAL;
    a->vp = s;
    return 0;
}

static double frame_level(const int16_t *x, double *ms_out)
{
    double ss = 0;
    for (int i = 0; i < MEDIA_FRAME_LEN; i++)
        ss += (double)x[i] * x[i];
    double ms = ss / MEDIA_FRAME_LEN / (32768.0 * 32768.0);
    *ms_out = ms;
    if (ms <= 1e-12)
        return LEVEL_FLOOR;
    double db = 10.0 * log10(ms);
    return db < LEVEL_FLOOR ? LEVEL_FLOOR : db;
}

/* The value at fraction q of a histogram's mass, as the middle of its bin. */
static double hist_quantile(const unsigned *h, int nbins, double q, long total)
{
    if (total <= 0)
        return -1;
    double want = q * (double)total, acc = 0;
    for (int i = 0; i < nbins; i++) {
        acc += h[i];
        if (acc >= want && h[i])
            return i + 0.5;
    }
    return nbins - 0.5;
}

static double level_of_bin(double b)
{
    return LEVEL_BIN_LO + b * LEVEL_BIN_DB;
}
static double pitch_of_bin(double b)
{
    return PITCH_BIN_LO_HZ * pow(2.0, b * PITCH_BIN_ST / 12);
}

static long hist_total(const unsigned *h, int nbins)
{
    long t = 0;
    for (int i = 0; i < nbins; i++)
        t += h[i];
    return t;
}

static void update_baseline(media_analyzer *a)
{
    long nl = hist_total(a->level_hist, LEVEL_BINS);
    if (nl > 0) {
        double own = level_of_bin(hist_quantile(a->level_hist, LEVEL_BINS, 0.5, nl));
        a->level_base = (PRIOR_FRAMES * PRIOR_LEVEL_DBFS + nl * own) / (PRIOR_FRAMES + nl);
    }
    long np = hist_total(a->pitch_hist, PITCH_BINS);
    if (np > 0) {
        /* Blend on the semitone scale, where pitch differences are heard. */
        double own = log2(pitch_of_bin(hist_quantile(a->pitch_hist, PITCH_BINS, 0.5, np)));
        double prior = log2(PRIOR_PITCH_HZ);
        a->pitch_base = pow(2.0, (PRIOR_FRAMES * prior + np * own) / (PRIOR_FRAMES + np));
    }
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void update_arousal(media_analyzer *a, int speech, double level, double pitch)
{
    if (!speech) {
        a->ema *= SILENCE_DECAY;
        return;
    }
    int lb = (int)((level - LEVEL_BIN_LO) / LEVEL_BIN_DB);
    a->level_hist[lb < 0 ? 0 : lb >= LEVEL_BINS ? LEVEL_BINS - 1 : lb]++;
    if (pitch > 0) {
        int pb = (int)(12 * log2(pitch / PITCH_BIN_LO_HZ) / PITCH_BIN_ST);
        a->pitch_hist[pb < 0 ? 0 : pb >= PITCH_BINS ? PITCH_BINS - 1 : pb]++;
    }
    if (a->speech_frames % BASELINE_EVERY == 1)
        update_baseline(a);
    double el = clamp((level - a->level_base) / 10.0, 0, 1.5);
    if (pitch > 0)
        a->last_pitch_excess = clamp(12 * log2(pitch / a->pitch_base) / 6.0, 0, 1.5);
    else
        a->last_pitch_excess *= 0.9;
    double e = 0.5 * el + 0.5 * a->last_pitch_excess;
    a->ema += (e - a->ema) / AROUSAL_TAU;
    double score = a->ema > 1 ? 1 : a->ema;
    if (score > a->arousal_max)
        a->arousal_max = score;
    a->shout_run = score >= SHOUT_SCORE ? a->shout_run + 1 : 0;
    a->shouting = a->shout_run >= SHOUT_FRAMES;
    if (a->shouting) {
        a->shouted = 1;
        a->shout_frames++;
    }
}

static int record_second(media_analyzer *a, double ms, int speech, double pitch)
{
    size_t idx = (size_t)(a->frames / (1000 / MEDIA_FRAME_MS));
    if (idx >= MEDIA_SECONDS_MAX)
        return 0;
    if (idx >= a->capsec) {
        size_t cap = a->capsec ? a->capsec * 2 : 64;
        struct second *p = realloc(a->sec, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        a->sec = p;
        a->capsec = cap;
    }
    while (a->nsec <= idx)
        memset(&a->sec[a->nsec++], 0, sizeof(struct second));
    struct second *s = &a->sec[idx];
    s->pow_sum += ms;
    s->frames++;
    s->speech += speech;
    if (pitch > 0) {
        s->pitch_sum += pitch;
        s->voiced++;
    }
    s->arousal = a->ema > 1 ? 1 : a->ema;
    return 0;
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

/* aubio's yinfft confidence is not usable here (0 for a clean tone, negative on clear vowels),
 * so a frame is voiced when the estimate is in the range of voices, the frame is loud enough,
 * and the median of the last three estimates agrees; the median also removes single-frame
 * octave jumps, which would otherwise count as a sudden rise in pitch. */
static double pitch_track(media_analyzer *a, double f0, double level)
{
    if (level <= PITCH_MIN_DBFS || f0 < PITCH_MIN_HZ || f0 > PITCH_MAX_HZ)
        f0 = 0;
    a->f0_hist[2] = a->f0_hist[1];
    a->f0_hist[1] = a->f0_hist[0];
    a->f0_hist[0] = f0;
    if (f0 == 0)
        return 0;
    return median3(a->f0_hist[0], a->f0_hist[1], a->f0_hist[2]);
}

static int process_frame(media_analyzer *a, struct media_frame *out)
{
    const int16_t *x = a->frame;
    double ms;
    double level = frame_level(x, &ms);

    int16_t tmp[MEDIA_FRAME_LEN];
    memcpy(tmp, x, sizeof(tmp));
    speex_preprocess_run(a->pp, tmp);
    int prob = 0;
    speex_preprocess_ctl(a->pp, SPEEX_PREPROCESS_GET_PROB, &prob);
    a->in_speech = prob >= (a->in_speech ? VAD_PROB_CONTINUE : VAD_PROB_START);
    int speech = a->in_speech && level > SPEECH_MIN_DBFS;

    for (int i = 0; i < MEDIA_FRAME_LEN; i++) {
        a->fframe[i] = (float)x[i] / 32768.0f;
        a->pin->data[i] = (smpl_t)a->fframe[i];
    }
    aubio_pitch_do(a->pitch, a->pin, a->pout);
    double pitch = pitch_track(a, a->pout->data[0], level);

    if (speech) {
        a->speech_frames++;
        a->speech_pow_sum += ms;
        if (pitch > 0)
            a->voiced_frames++;
    }
    /* Only voiced speech moves the pitch baseline; a tone or a ring-back does not. */
    update_arousal(a, speech, level, speech ? pitch : 0);
    if (a->keep_seconds && record_second(a, ms, speech, pitch) < 0)
        return -ENOMEM;
    if (a->vp && media_vp_session_push_frame(a->vp, a->fframe, speech) < 0)
        return -ENOMEM;

    out->t = (double)a->frames * MEDIA_FRAME_MS / 1000.0;
    out->speech = speech;
    out->level_dbfs = level;
    out->pitch_hz = pitch;
    out->arousal = a->ema > 1 ? 1 : a->ema;
    a->frames++;
    return 0;
}

/* Appends working-rate samples to the frame buffer, processing every frame it fills. */
static int take(media_analyzer *a, const int16_t *x, size_t n, int *done, struct media_frame *last)
{
    while (n > 0) {
        size_t k = MEDIA_FRAME_LEN - a->flen;
        if (k > n)
            k = n;
        memcpy(a->frame + a->flen, x, k * sizeof(*x));
        a->flen += k;
        x += k;
        n -= k;
        if (a->flen == MEDIA_FRAME_LEN) {
            int rc = process_frame(a, last);
            if (rc < 0)
                return rc;
            a->flen = 0;
            (*done)++;
        }
    }
    return 0;
}

int media_analyzer_push(media_analyzer *a, const int16_t *pcm, size_t n,
                        struct media_frame *out_last)
{
    if (!a || (!pcm && n))
        return -EINVAL;
    int done = 0;
    struct media_frame last;
    if (!a->rs) {
        int rc = take(a, pcm, n, &done, &last);
        if (rc < 0)
            return rc;
    } else {
        int16_t buf[480];
        while (n > 0) {
            spx_uint32_t in = n > 0x10000 ? 0x10000 : (spx_uint32_t)n;
            spx_uint32_t outn = sizeof(buf) / sizeof(buf[0]);
            if (speex_resampler_process_int(a->rs, 0, pcm, &in, buf, &outn) != 0)
                return -EIO;
            int rc = take(a, buf, outn, &done, &last);
            if (rc < 0)
                return rc;
            pcm += in;
            n -= in;
        }
    }
    if (done > 0 && out_last)
        *out_last = last;
    return done;
}

int media_analyzer_arousal(const media_analyzer *a, double *score, int *shouting)
{
    if (score)
        *score = a->ema > 1 ? 1 : a->ema;
    if (shouting)
        *shouting = a->shouting;
    return 0;
}

/* Rounds to a fixed number of decimals so the JSON is readable and stable. */
static json_t *jreal(double x, int decimals)
{
    double m = pow(10, decimals);
    return json_real(round(x * m) / m);
}

static double pow_to_db(double ms)
{
    if (ms <= 1e-12)
        return LEVEL_FLOOR;
    double db = 10.0 * log10(ms);
    return db < LEVEL_FLOOR ? LEVEL_FLOOR : db;
}

static json_t *seconds_json(const media_analyzer *a)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < a->nsec; i++) {
        const struct second *s = &a->sec[i];
        if (!s->frames)
            continue;
        json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o}", "t", (json_int_t)i, "speech",
                              jreal((double)s->speech / s->frames, 2), "level_dbfs",
                              jreal(pow_to_db(s->pow_sum / s->frames), 1), "pitch_hz",
                              jreal(s->voiced ? s->pitch_sum / s->voiced : 0, 1), "arousal",
                              jreal(s->arousal, 3));
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int media_analyzer_summary_json(const media_analyzer *a, char **json)
{
    double fs = 1000.0 / MEDIA_FRAME_MS;
    long nl = hist_total(a->level_hist, LEVEL_BINS);
    long np = hist_total(a->pitch_hist, PITCH_BINS);
    double p95 =
        nl ? level_of_bin(hist_quantile(a->level_hist, LEVEL_BINS, 0.95, nl)) : LEVEL_FLOOR;
    double pmed = np ? pitch_of_bin(hist_quantile(a->pitch_hist, PITCH_BINS, 0.5, np)) : 0;
    double level = a->speech_frames ? pow_to_db(a->speech_pow_sum / a->speech_frames) : LEVEL_FLOOR;
    json_t *o =
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o}", "duration_s",
                  jreal(a->frames / fs, 2), "speech_s", jreal(a->speech_frames / fs, 2),
                  "speech_ratio", jreal(a->frames ? (double)a->speech_frames / a->frames : 0, 3),
                  "level_dbfs", jreal(level, 1), "level_dbfs_p95", jreal(p95, 1), "pitch_hz_median",
                  jreal(pmed, 1), "level_dbfs_baseline", jreal(a->level_base, 1),
                  "pitch_hz_baseline", jreal(a->pitch_base, 1), "arousal",
                  jreal(a->ema > 1 ? 1 : a->ema, 3), "arousal_max", jreal(a->arousal_max, 3),
                  "shouting", a->shouted, "shouting_s", jreal(a->shout_frames / fs, 2));
    if (!o)
        return -ENOMEM;
    if (a->keep_seconds) {
        json_t *s = seconds_json(a);
        if (!s || json_object_set_new(o, "seconds", s) < 0) {
            json_decref(o);
            return -ENOMEM;
        }
    }
    char *txt = json_dumps(o, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    json_decref(o);
    if (!txt)
        return -ENOMEM;
    *json = txt;
    return 0;
}
