/* media/record: call recordings. Ogg Opus, written with write(2) on our own descriptor (no stdio
 * buffer that a crash would lose) with a page flushed about once a second, so that what was said
 * more than about a second ago is on disk. At the rates Opus encodes natively (8, 12, 16, 24,
 * 48 kHz: every telephone source) libopus runs at that rate and libogg makes the pages: libopusenc
 * resamples everything to 48 kHz first and goes through the multistream encoder, which on this
 * virtual machine cost 2–3 times as much per call (perf: a third of the time in cpuid, the rest in
 * its resampler; bench/media/README.md). Other rates go through libopusenc. WAV is written WAV
 * through libsndfile with its header rewritten once a second for the same reason. Also the file
 * layout and retention purge. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ogg/ogg.h>
#include <opus/opus.h>
#include <opus/opusenc.h>
#include <sndfile.h>

#include "media/audio.h"

#define OPUS_BITRATE 16000
/* At 48 kHz, libopusenc's clock: keep at most 100 ms waiting for an encoding decision and emit
 * an Ogg page once 500 ms of audio are in it (the defaults are 2 s and 1 s). */
#define OPUS_DECISION_DELAY 4800
#define OPUS_MUXING_DELAY   24000

#define OPUS_PACKET_MS  60   /* see the note on packet length in open_opus */
#define OPUS_MAX_PACKET 1500 /* bytes; 60 ms at 16 kbps is about 120 */

/* The native path: libopus at the input rate, Ogg pages by libogg. */
struct ogg_opus {
    OpusEncoder *enc;
    ogg_stream_state os;
    int os_ok;
    int frame;           /* samples per packet at the input rate */
    int16_t *pcm;        /* one packet being filled */
    int fill;            /* samples in pcm */
    int scale;           /* 48000 / rate: granule positions count 48 kHz samples */
    int64_t samples;     /* input samples taken so far */
    int64_t packetno;    /* next Ogg packet number */
    int64_t granule;     /* of the last packet submitted */
    int preskip;         /* 48 kHz samples */
    int64_t since_flush; /* input samples since the last page went out */
};

struct media_recorder {
    enum media_rec_format fmt;
    int rate;
    int fd;
    int err;
    OggOpusEnc *enc;     /* libopusenc, at rates Opus does not encode natively */
    struct ogg_opus *oo; /* libopus + libogg otherwise */
    SNDFILE *sf;
    size_t since_sync;
};

static int fd_write(void *ud, const unsigned char *p, opus_int32 len)
{
    struct media_recorder *r = ud;
    while (len > 0) {
        ssize_t w = write(r->fd, p, (size_t)len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 1;
        p += w;
        len -= (opus_int32)w;
    }
    return 0;
}

static int fd_close(void *ud)
{
    struct media_recorder *r = ud;
    int rc = r->fd >= 0 ? close(r->fd) : 0;
    r->fd = -1;
    return rc ? 1 : 0;
}

/* ---- Ogg Opus through libopus and libogg (RFC 7845) ---- */

static int oo_write_pages(struct media_recorder *r, int flush)
{
    struct ogg_opus *oo = r->oo;
    ogg_page pg;
    while (flush ? ogg_stream_flush(&oo->os, &pg) : ogg_stream_pageout(&oo->os, &pg)) {
        if (fd_write(r, pg.header, (opus_int32)pg.header_len) ||
            fd_write(r, pg.body, (opus_int32)pg.body_len))
            return -EIO;
    }
    return 0;
}

static int oo_packet(struct media_recorder *r, unsigned char *data, long len, int64_t granule,
                     int eos)
{
    struct ogg_opus *oo = r->oo;
    ogg_packet op = {.packet = data,
                     .bytes = len,
                     .b_o_s = oo->packetno == 0,
                     .e_o_s = eos,
                     .granulepos = granule,
                     .packetno = oo->packetno++};
    return ogg_stream_packetin(&oo->os, &op) ? -EIO : 0;
}

static void put_le(unsigned char *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The identification and comment headers, each on its own page (RFC 7845 section 3). */
static int oo_headers(struct media_recorder *r)
{
    unsigned char head[19] = "OpusHead";
    head[8] = 1; /* version */
    head[9] = 1; /* channels */
    put_le(head + 10, (uint32_t)r->oo->preskip, 2);
    put_le(head + 12, (uint32_t)r->rate, 4);
    put_le(head + 16, 0, 2); /* output gain */
    head[18] = 0;            /* mapping family: mono */
    static const char vendor[] = "ikiiki", comment[] = "ENCODER=ikiiki";
    unsigned char tags[8 + 4 + sizeof vendor - 1 + 4 + 4 + sizeof comment - 1], *p = tags;
    memcpy(p, "OpusTags", 8);
    p += 8;
    put_le(p, sizeof vendor - 1, 4);
    memcpy(p + 4, vendor, sizeof vendor - 1);
    p += 4 + sizeof vendor - 1;
    put_le(p, 1, 4);
    put_le(p + 4, sizeof comment - 1, 4);
    memcpy(p + 8, comment, sizeof comment - 1);
    int rc = oo_packet(r, head, sizeof head, 0, 0);
    if (rc == 0)
        rc = oo_write_pages(r, 1);
    if (rc == 0)
        rc = oo_packet(r, tags, sizeof tags, 0, 0);
    return rc ? rc : oo_write_pages(r, 1);
}

/* Encodes the packet in oo->pcm (padded with silence when last), ending the stream when last. */
static int oo_encode(struct media_recorder *r, int last)
{
    struct ogg_opus *oo = r->oo;
    int real = oo->fill;
    memset(oo->pcm + oo->fill, 0, (size_t)(oo->frame - oo->fill) * sizeof oo->pcm[0]);
    unsigned char pkt[OPUS_MAX_PACKET];
    opus_int32 len = opus_encode(oo->enc, oo->pcm, oo->frame, pkt, sizeof pkt);
    if (len < 0)
        return -EIO;
    oo->fill = 0;
    oo->samples += real;
    oo->since_flush += real;
    /* The granule of a packet is where its last real sample ends, counted at 48 kHz from the
     * start including the pre-skip; on the last page that trims the padding (RFC 7845 4). */
    oo->granule = oo->preskip + oo->samples * oo->scale;
    int rc = oo_packet(r, pkt, len, oo->granule, last);
    int flush = last || oo->since_flush >= r->rate;
    if (flush)
        oo->since_flush = 0;
    return rc ? rc : oo_write_pages(r, flush);
}

static int oo_rate_ok(int rate)
{
    return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

static int open_ogg_opus(struct media_recorder *r, const char *path, char *err, size_t errlen)
{
    struct ogg_opus *oo = calloc(1, sizeof *oo);
    r->oo = oo;
    if (!oo || !(oo->pcm = malloc((size_t)r->rate * OPUS_PACKET_MS / 1000 * sizeof(int16_t)))) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -ENOMEM;
    }
    int e = 0;
    oo->enc = opus_encoder_create(r->rate, 1, OPUS_APPLICATION_VOIP, &e);
    if (!oo->enc) {
        snprintf(err, errlen, "%s: opus encoder: %s", path, opus_strerror(e));
        return -EIO;
    }
    /* Telephone voice at 16 kbps with SILK's lowest complexity and the band the source carries;
     * 60 ms packets, as libopus has a fixed cost per packet (27 against 39 us per 20 ms of 8 kHz
     * audio for 20 ms packets on this machine). */
    opus_encoder_ctl(oo->enc, OPUS_SET_BITRATE(OPUS_BITRATE));
    opus_encoder_ctl(oo->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    opus_encoder_ctl(oo->enc, OPUS_SET_MAX_BANDWIDTH(r->rate <= 8000 ? OPUS_BANDWIDTH_NARROWBAND
                                                                     : OPUS_BANDWIDTH_WIDEBAND));
    opus_encoder_ctl(oo->enc, OPUS_SET_COMPLEXITY(0));
    opus_int32 lookahead = 0;
    opus_encoder_ctl(oo->enc, OPUS_GET_LOOKAHEAD(&lookahead));
    oo->frame = r->rate * OPUS_PACKET_MS / 1000;
    oo->scale = 48000 / r->rate;
    oo->preskip = (int)lookahead * oo->scale;
    unsigned serial = 0;
    for (const char *p = path; *p; p++) /* any number does; the path's hash differs per file */
        serial = serial * 31u + (unsigned char)*p;
    if (ogg_stream_init(&oo->os, (int)(serial & 0x7fffffff)) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -ENOMEM;
    }
    oo->os_ok = 1;
    if (oo_headers(r) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        return -EIO;
    }
    return 0;
}

static void oo_free(struct ogg_opus *oo)
{
    if (!oo)
        return;
    if (oo->os_ok)
        ogg_stream_clear(&oo->os);
    if (oo->enc)
        opus_encoder_destroy(oo->enc);
    free(oo->pcm);
    free(oo);
}

static int oo_write(struct media_recorder *r, const int16_t *pcm, size_t n)
{
    struct ogg_opus *oo = r->oo;
    while (n > 0) {
        size_t take = (size_t)(oo->frame - oo->fill) < n ? (size_t)(oo->frame - oo->fill) : n;
        memcpy(oo->pcm + oo->fill, pcm, take * sizeof *pcm);
        oo->fill += (int)take;
        pcm += take;
        n -= take;
        if (oo->fill == oo->frame) {
            int rc = oo_encode(r, 0);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- Ogg Opus through libopusenc ---- */

static int open_opus(struct media_recorder *r, const char *path, char *err, size_t errlen)
{
    r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (r->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -errno;
    }
    if (oo_rate_ok(r->rate))
        return open_ogg_opus(r, path, err, errlen);
    OggOpusComments *c = ope_comments_create();
    if (!c) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -ENOMEM;
    }
    ope_comments_add(c, "ENCODER", "ikiiki");
    OpusEncCallbacks cb = {fd_write, fd_close};
    int e = 0;
    r->enc = ope_encoder_create_callbacks(&cb, r, c, r->rate, 1, 0, &e);
    ope_comments_destroy(c);
    if (!r->enc) {
        snprintf(err, errlen, "%s: opus encoder: %s", path, ope_strerror(e));
        return -EIO;
    }
    /* Telephone voice at 16 kbps. Hundreds of calls are encoded at once, so the cheapest settings
     * that keep speech clear: the band the source carries (narrowband for 8 kHz input), SILK's
     * lowest complexity, and 60 ms packets — libopus costs a fixed amount per packet (on a
     * virtual machine mostly a cpuid per call), so 60 ms packets cost well under half of 20 ms
     * ones (bench/media/run.sh: 120 → 51 us per 20 ms of audio). */
    ope_encoder_ctl(r->enc, OPUS_SET_BITRATE(OPUS_BITRATE));
    ope_encoder_ctl(r->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    ope_encoder_ctl(r->enc, OPUS_SET_MAX_BANDWIDTH(r->rate <= 8000 ? OPUS_BANDWIDTH_NARROWBAND
                                                                   : OPUS_BANDWIDTH_WIDEBAND));
    ope_encoder_ctl(r->enc, OPUS_SET_COMPLEXITY(0));
    ope_encoder_ctl(r->enc, OPUS_SET_EXPERT_FRAME_DURATION(OPUS_FRAMESIZE_60_MS));
    ope_encoder_ctl(r->enc, OPE_SET_DECISION_DELAY(OPUS_DECISION_DELAY));
    ope_encoder_ctl(r->enc, OPE_SET_MUXING_DELAY(OPUS_MUXING_DELAY));
    /* The header pages go out now, so even a call that dies in its first second leaves a file
     * that players recognise. */
    e = ope_encoder_flush_header(r->enc);
    if (e != OPE_OK) {
        snprintf(err, errlen, "%s: %s", path, ope_strerror(e));
        return -EIO;
    }
    return 0;
}

static int open_wav(struct media_recorder *r, const char *path, char *err, size_t errlen)
{
    SF_INFO info = {
        .samplerate = r->rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    r->sf = sf_open(path, SFM_WRITE, &info);
    if (!r->sf) {
        snprintf(err, errlen, "%s: %s", path, sf_strerror(NULL));
        return -EIO;
    }
    return 0;
}

int media_recorder_open(const char *path, int rate, enum media_rec_format fmt, media_recorder **out,
                        char *err, size_t errlen)
{
    if (rate < MEDIA_RATE_MIN || rate > MEDIA_RATE_MAX) {
        snprintf(err, errlen, "%s: unsupported rate %d", path, rate);
        return -EINVAL;
    }
    struct media_recorder *r = calloc(1, sizeof(*r));
    if (!r) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -ENOMEM;
    }
    r->fmt = fmt;
    r->rate = rate;
    r->fd = -1;
    int rc =
        fmt == MEDIA_REC_WAV ? open_wav(r, path, err, errlen) : open_opus(r, path, err, errlen);
    if (rc < 0) {
        oo_free(r->oo);
        if (r->enc)
            ope_encoder_destroy(r->enc);
        else if (r->fd >= 0)
            close(r->fd);
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int media_recorder_write(media_recorder *r, const int16_t *pcm, size_t n)
{
    if (!r || (!pcm && n))
        return -EINVAL;
    if (r->err)
        return r->err;
    while (n > 0) {
        int k = n > 48000 ? 48000 : (int)n;
        if (r->oo) {
            if (oo_write(r, pcm, (size_t)k))
                r->err = -EIO;
        } else if (r->fmt == MEDIA_REC_OPUS) {
            if (ope_encoder_write(r->enc, pcm, k) != OPE_OK)
                r->err = -EIO;
        } else {
            if (sf_write_short(r->sf, pcm, k) != k)
                r->err = -EIO;
            r->since_sync += (size_t)k;
            /* Keeps the RIFF sizes current so a reader after a crash sees the audio. */
            if (!r->err && r->since_sync >= (size_t)r->rate) {
                sf_command(r->sf, SFC_UPDATE_HEADER_NOW, NULL, 0);
                r->since_sync = 0;
            }
        }
        if (r->err)
            return r->err;
        pcm += k;
        n -= (size_t)k;
    }
    return 0;
}

int media_recorder_close(media_recorder *r)
{
    if (!r)
        return 0;
    int rc = r->err;
    if (r->oo) {
        /* The last packet carries the end-of-stream flag and the final granule; when the audio
         * ended on a packet boundary it holds one sample of silence, as a packet that is all
         * padding could not be trimmed. */
        if (r->oo->fill == 0)
            r->oo->pcm[r->oo->fill++] = 0;
        if (!rc && oo_encode(r, 1) < 0)
            rc = -EIO;
        oo_free(r->oo);
        if (r->fd >= 0 && close(r->fd) != 0 && !rc)
            rc = -EIO;
    } else if (r->fmt == MEDIA_REC_OPUS) {
        if (r->enc) {
            if (!rc && ope_encoder_drain(r->enc) != OPE_OK)
                rc = -EIO;
            ope_encoder_destroy(r->enc); /* closes the descriptor through fd_close */
        }
        if (r->fd >= 0)
            close(r->fd);
    } else if (r->sf) {
        if (sf_close(r->sf) != 0 && !rc)
            rc = -EIO;
    }
    free(r);
    return rc;
}

/* ---- layout ---- */

static int name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 64 || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(path, 0750);
        *p = '/';
        if (rc < 0 && errno != EEXIST)
            return -errno;
    }
    if (mkdir(path, 0750) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int media_recording_path(const char *root, time_t t, const char *center, const char *call,
                         enum media_rec_format fmt, char *out, size_t outlen, char *err,
                         size_t errlen)
{
    if (!name_ok(center) || !name_ok(call)) {
        snprintf(err, errlen,
                 "recording: center \"%s\" or call \"%s\" is not 1–64 of A-Z a-z 0-9 _ . -",
                 center ? center : "", call ? call : "");
        return -EINVAL;
    }
    struct tm tm;
    localtime_r(&t, &tm);
    char dir[4096];
    int n = snprintf(dir, sizeof dir, "%s/%04d/%02d/%02d/%s", root, tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, center);
    if (n < 0 || (size_t)n >= sizeof dir) {
        snprintf(err, errlen, "recording: path under \"%s\" too long", root);
        return -ENAMETOOLONG;
    }
    int rc = mkdir_p(dir);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
        return rc;
    }
    n = snprintf(out, outlen, "%s/%s.%s", dir, call, fmt == MEDIA_REC_WAV ? "wav" : "opus");
    if (n < 0 || (size_t)n >= outlen) {
        snprintf(err, errlen, "recording: path under \"%s\" too long", root);
        return -ENAMETOOLONG;
    }
    return 0;
}

/* ---- retention ---- */

/* nftw has no user pointer; the walk's state is per thread. */
static _Thread_local struct {
    time_t cutoff;
    int removed;
    int failed;
    const char *root;
} purge;

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int purge_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type == FTW_F && (has_suffix(path, ".opus") || has_suffix(path, ".wav")) &&
        st->st_mtime < purge.cutoff) {
        if (unlink(path) == 0)
            purge.removed++;
        else
            purge.failed = errno;
    } else if (type == FTW_DP && strcmp(path, purge.root) != 0) {
        /* Only empty folders go; a full one refuses, which is what we want. */
        rmdir(path);
    }
    return 0;
}

int media_recording_purge(const char *root, int days, time_t now, int *removed, char *err,
                          size_t errlen)
{
    if (days < 0) {
        snprintf(err, errlen, "purge: days %d is negative", days);
        return -EINVAL;
    }
    struct stat st;
    if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a folder", root);
        return -ENOENT;
    }
    purge.cutoff = now - (time_t)days * 86400;
    purge.removed = 0;
    purge.failed = 0;
    purge.root = root;
    if (nftw(root, purge_one, 32, FTW_DEPTH | FTW_PHYS) != 0) {
        snprintf(err, errlen, "%s: %s", root, strerror(errno));
        return -EIO;
    }
    *removed = purge.removed;
    if (purge.failed) {
        snprintf(err, errlen, "%s: some files could not be removed (%s)", root,
                 strerror(purge.failed));
        return -purge.failed;
    }
    return 0;
}
