/* media/sound: reading sound files (libsndfile) into mono s16 at the rate the caller wants. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>
#include <speex/speex_resampler.h>

#include "media/audio.h"

#define DEFAULT_MAX_S (4 * 3600.0)
#define CHUNK         4096

static int16_t to_s16(float v)
{
    double x = round((double)v * 32768.0);
    return (int16_t)(x > 32767 ? 32767 : x < -32768 ? -32768 : x);
}

/* Reads the whole file as mono float (channels averaged). */
static int read_mono(SNDFILE *sf, const SF_INFO *info, float **out, size_t *n)
{
    size_t total = (size_t)info->frames;
    float *mono = malloc((total ? total : 1) * sizeof(float));
    float *buf = malloc((size_t)CHUNK * (size_t)info->channels * sizeof(float));
    if (!mono || !buf) {
        free(mono);
        free(buf);
        return -ENOMEM;
    }
    size_t got = 0;
    while (got < total) {
        sf_count_t want = (sf_count_t)(total - got < CHUNK ? total - got : CHUNK);
        sf_count_t r = sf_readf_float(sf, buf, want);
        if (r <= 0)
            break;
        for (sf_count_t i = 0; i < r; i++) {
            double acc = 0;
            for (int c = 0; c < info->channels; c++)
                acc += buf[i * info->channels + c];
            mono[got + (size_t)i] = (float)(acc / info->channels);
        }
        got += (size_t)r;
    }
    free(buf);
    *out = mono;
    *n = got;
    return 0;
}

static int resample(const float *in, size_t n, int from, int to, int16_t **out, size_t *nout)
{
    size_t cap = (size_t)((double)n * to / from) + 64;
    int16_t *pcm = malloc(cap * sizeof(int16_t));
    if (!pcm)
        return -ENOMEM;
    if (from == to) {
        for (size_t i = 0; i < n; i++)
            pcm[i] = to_s16(in[i]);
        *out = pcm;
        *nout = n;
        return 0;
    }
    int err = 0;
    /* Quality 5 for files: they are converted once, so better filters cost little. */
    SpeexResamplerState *rs =
        speex_resampler_init(1, (spx_uint32_t)from, (spx_uint32_t)to, 5, &err);
    float *tmp = malloc(CHUNK * sizeof(float));
    if (!rs || !tmp) {
        if (rs)
            speex_resampler_destroy(rs);
        free(tmp);
        free(pcm);
        return -ENOMEM;
    }
    speex_resampler_skip_zeros(rs);
    size_t done = 0, pos = 0;
    /* Feeds zeros after the end so the filter's tail comes out too. */
    size_t pad = (size_t)speex_resampler_get_input_latency(rs);
    float zeros[256] = {0};
    while ((pos < n || pad > 0) && done < cap) {
        const float *src = pos < n ? in + pos : zeros;
        size_t left = pos < n ? n - pos : (pad < 256 ? pad : 256);
        spx_uint32_t ilen = left > 0x10000 ? 0x10000 : (spx_uint32_t)left;
        spx_uint32_t olen = CHUNK;
        if (cap - done < olen)
            olen = (spx_uint32_t)(cap - done);
        speex_resampler_process_float(rs, 0, src, &ilen, tmp, &olen);
        for (spx_uint32_t i = 0; i < olen; i++)
            pcm[done + i] = to_s16(tmp[i]);
        done += olen;
        if (pos < n)
            pos += ilen;
        else
            pad -= ilen < pad ? ilen : pad;
        if (ilen == 0 && olen == 0)
            break;
    }
    speex_resampler_destroy(rs);
    free(tmp);
    /* The filter's latency was skipped at the start; trim to the exact expected length. */
    size_t want = (size_t)llround((double)n * to / from);
    *out = pcm;
    *nout = done < want ? done : want;
    return 0;
}

int media_wav_load(const char *path, int rate, double max_s, int16_t **pcm, size_t *n, int *in_rate,
                   char *err, size_t errlen)
{
    if (rate != 0 && (rate < MEDIA_RATE_MIN || rate > MEDIA_RATE_MAX)) {
        snprintf(err, errlen, "%s: unsupported target rate %d", path, rate);
        return -EINVAL;
    }
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        snprintf(err, errlen, "%s: cannot read as a sound file (%s)", path, sf_strerror(NULL));
        return -EINVAL;
    }
    if (max_s <= 0)
        max_s = DEFAULT_MAX_S;
    int rc = 0;
    if (info.channels < 1 || info.channels > 64 || info.samplerate < 1000 ||
        info.samplerate > 384000) {
        snprintf(err, errlen, "%s: unsupported format (%d channels, %d Hz)", path, info.channels,
                 info.samplerate);
        rc = -EINVAL;
    } else if (info.frames < 0 || (double)info.frames / info.samplerate > max_s) {
        snprintf(err, errlen, "%s: longer than %.0f s", path, max_s);
        rc = -EINVAL;
    }
    float *mono = NULL;
    size_t nm = 0;
    if (rc == 0 && (rc = read_mono(sf, &info, &mono, &nm)) < 0)
        snprintf(err, errlen, "%s: out of memory", path);
    sf_close(sf);
    if (rc == 0 && nm == 0) {
        snprintf(err, errlen, "%s: no audio in the file", path);
        rc = -EINVAL;
    }
    int16_t *out = NULL;
    size_t nout = 0;
    if (rc == 0 &&
        (rc = resample(mono, nm, info.samplerate, rate ? rate : info.samplerate, &out, &nout)) < 0)
        snprintf(err, errlen, "%s: out of memory", path);
    free(mono);
    if (rc < 0)
        return rc;
    *pcm = out;
    *n = nout;
    if (in_rate)
        *in_rate = info.samplerate;
    return 0;
}
