/* Per-call audio cost: microseconds of one core per 20 ms frame for the analyzer (8 kHz and
 * 16 kHz input), the Ogg Opus and WAV recorders, and the voiceprint session, and the number of
 * calls one core could carry with all of them on. Usage: analysis SPEECH.wav SECONDS OUTDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "media/audio.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The speech looped to `seconds` at `rate`. */
static int16_t *audio(const char *path, int rate, double seconds, size_t *n)
{
    int16_t *pcm;
    size_t m;
    char err[600];
    if (media_wav_load(path, rate, 0, &pcm, &m, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    *n = (size_t)(seconds * rate);
    int16_t *x = malloc(*n * sizeof(*x));
    for (size_t i = 0; i < *n; i++)
        x[i] = pcm[i % m];
    free(pcm);
    return x;
}

static double per_frame_us(double secs, double audio_s)
{
    return secs / (audio_s * 50) * 1e6;
}

static double bench_analyzer(const int16_t *x, size_t n, int rate, int with_vp,
                             const struct media_vp_set *set)
{
    media_analyzer *a = media_analyzer_new(rate);
    media_vp_session *s = with_vp ? media_vp_session_new(set) : NULL;
    if (s)
        media_analyzer_attach_vp(a, s);
    size_t chunk = (size_t)rate / 50;
    double t0 = now_s();
    for (size_t off = 0; off + chunk <= n; off += chunk)
        media_analyzer_push(a, x + off, chunk, NULL);
    double t = now_s() - t0;
    media_vp_session_free(s);
    media_analyzer_free(a);
    return t;
}

static double bench_recorder(const int16_t *x, size_t n, int rate, enum media_rec_format fmt,
                             const char *dir)
{
    char path[1024], err[600];
    snprintf(path, sizeof path, "%s/bench.%s", dir, fmt == MEDIA_REC_WAV ? "wav" : "opus");
    media_recorder *r;
    if (media_recorder_open(path, rate, fmt, &r, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    size_t chunk = (size_t)rate / 50;
    double t0 = now_s();
    for (size_t off = 0; off + chunk <= n; off += chunk)
        media_recorder_write(r, x + off, chunk);
    media_recorder_close(r);
    double t = now_s() - t0;
    unlink(path);
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: analysis SPEECH.wav SECONDS OUTDIR\n");
        return 2;
    }
    double secs = atof(argv[2]);
    size_t n8, n16;
    int16_t *x8 = audio(argv[1], 8000, secs, &n8);
    int16_t *x16 = audio(argv[1], 16000, secs, &n16);
    /* 200 enrolled callers with made-up embeddings: the comparison is only run on demand. */
    struct media_vp_set set;
    media_vp_set_init(&set, media_embedder_default());
    float emb[512];
    for (int i = 0; i < 200; i++) {
        char who[32];
        snprintf(who, sizeof who, "caller-%d", i);
        for (int d = 0; d < set.embedder->dim; d++)
            emb[d] = (float)((i * 31 + d * 17) % 97) / 97.0f - 0.5f;
        media_vp_set_add(&set, who, emb);
    }
    double a8 = per_frame_us(bench_analyzer(x8, n8, 8000, 0, &set), secs);
    double a16 = per_frame_us(bench_analyzer(x16, n16, 16000, 0, &set), secs);
    double av = per_frame_us(bench_analyzer(x8, n8, 8000, 1, &set), secs);
    double ro = per_frame_us(bench_recorder(x8, n8, 8000, MEDIA_REC_OPUS, argv[3]), secs);
    double rw = per_frame_us(bench_recorder(x8, n8, 8000, MEDIA_REC_WAV, argv[3]), secs);
    /* One best-match query over 200 callers, as the guard would ask every few seconds. */
    media_analyzer *a = media_analyzer_new(8000);
    media_vp_session *s = media_vp_session_new(&set);
    media_analyzer_attach_vp(a, s);
    media_analyzer_push(a, x8, n8 < 80000 ? n8 : 80000, NULL);
    char who[MEDIA_CALLER_MAX];
    double score;
    double t0 = now_s();
    for (int i = 0; i < 1000; i++)
        media_vp_session_best(s, who, sizeof who, &score);
    double best_us = (now_s() - t0) / 1000 * 1e6;
    media_vp_session_free(s);
    media_analyzer_free(a);

    double total = av + ro;
    printf("audio: %.0f s of espeak-ng speech, 20 ms frames, one core\n", secs);
    printf("analyzer, 8 kHz input:              %7.1f us/frame\n", a8);
    printf("analyzer, 16 kHz input (resampled): %7.1f us/frame\n", a16);
    printf("analyzer + voiceprint session:      %7.1f us/frame (session %.1f)\n", av, av - a8);
    printf("recorder, Ogg Opus 16 kbps:         %7.1f us/frame\n", ro);
    printf("recorder, WAV:                      %7.1f us/frame\n", rw);
    printf("voiceprint best match, 200 callers: %7.1f us per query\n", best_us);
    printf("analysis + voiceprint + Opus recording: %.1f us/frame = %.0f calls per core "
           "(20,000 us of audio per frame)\n",
           total, 20000.0 / total);
    printf("analysis + Opus recording (no voiceprint): %.0f calls per core\n", 20000.0 / (a8 + ro));
    media_vp_set_release(&set);
    free(x8);
    free(x16);
    return 0;
}
