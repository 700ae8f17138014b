/* media/audio: what ikiiki does with the customer's audio of one call — analysis (VAD, level,
 * pitch, an arousal/shouting score), recording (Ogg Opus or WAV), announcement prompts and
 * voiceprints. Built on speexdsp (resampling, VAD), aubio (pitch, MFCC), libopusenc and
 * libsndfile.
 *
 * Threading: every handle here belongs to one thread at a time (the transport calls them on its
 * loop thread, one set per call). Nothing here blocks except the recorder's file writes, which
 * are small (Opus pages are flushed about once a second) and go to the page cache.
 *
 * Memory: handles are owned by whoever called _new/_open and released with _free/_close (both
 * accept NULL). Strings and arrays handed out (char **json, int16_t **pcm, float **emb) are
 * malloc'd and become the caller's, to free(). Input buffers are only read during the call. */
#ifndef IKIIKI_MEDIA_AUDIO_H
#define IKIIKI_MEDIA_AUDIO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* All analysis runs at 8 kHz (telephone band: what AudioSocket and media WebSockets carry), in
 * frames of 20 ms. Input at any other rate is resampled with speex_resampler. */
#define MEDIA_WORK_RATE  8000
#define MEDIA_FRAME_MS   20
#define MEDIA_FRAME_LEN  (MEDIA_WORK_RATE * MEDIA_FRAME_MS / 1000) /* 160 samples */
#define MEDIA_RATE_MIN   8000
#define MEDIA_RATE_MAX   48000
#define MEDIA_CALLER_MAX 128

/* ---------------------------------------------------------------------------------------------
 * Analysis */

/* One 20 ms frame of analysis. */
struct media_frame {
    double t;          /* start of the frame, seconds since the first sample pushed */
    int speech;        /* 1 when speex_preprocess's VAD says speech */
    double level_dbfs; /* RMS level; a full-scale sine is -3.01 dBFS, digital silence -120 */
    double pitch_hz;   /* aubio yinfft f0 (60–600 Hz, frame above -50 dBFS, median of 3), else 0;
                        * given for any such frame, but only speech frames feed the baseline */
    double arousal;    /* the call's arousal score after this frame (see media_analyzer_arousal) */
};

/* Per-call analyzer. rate is the input sample rate (MEDIA_RATE_MIN..MEDIA_RATE_MAX, mono s16).
 * NULL on a bad rate or no memory. */
typedef struct media_analyzer media_analyzer;
media_analyzer *media_analyzer_new(int rate);
void media_analyzer_free(media_analyzer *a);

/* Pushes n samples (any n, also 0; whole 20 ms frames are processed, the rest is kept for the
 * next push). Returns the number of frames completed by this push (>= 0), and when that is > 0
 * and out_last is not NULL writes the last one there. Negative on an internal failure. */
int media_analyzer_push(media_analyzer *a, const int16_t *pcm, size_t n,
                        struct media_frame *out_last);

/* The arousal score (0–1) and the shouting flag, a prosody heuristic, not emotion recognition:
 * each speech frame's excess over the caller's baseline — level in dB above the baseline level
 * (10 dB = 1) and pitch in semitones above the baseline pitch (6 semitones = 1), averaged — is
 * smoothed with a 2 s time constant over speech frames. The baseline starts from a telephone
 * prior (-26 dBFS, 140 Hz) and moves to the caller's own running medians as their speech
 * accumulates (the prior weighs as much as 8 s of speech), so a caller who is loud from the
 * first word still scores, and a naturally loud or high voice stops scoring after a while.
 * shouting is 1 while the score has stayed >= 0.5 for at least 1 s of speech. Returns 0. */
int media_analyzer_arousal(const media_analyzer *a, double *score, int *shouting);

/* Keeps per-second aggregates (for `media analyze`), off by default because a live call does not
 * need them. Seconds past MEDIA_SECONDS_MAX are not kept. Call before the first push. */
#define MEDIA_SECONDS_MAX 14400
int media_analyzer_keep_seconds(media_analyzer *a, int on);

/* The call so far as a JSON object (malloc'd, caller frees): duration_s, speech_s, speech_ratio,
 * level_dbfs (mean over speech frames, power average), level_dbfs_p95, pitch_hz_median,
 * pitch_hz_baseline, level_dbfs_baseline, arousal, arousal_max, shouting, shouting_s, and
 * "seconds":[{"t","speech","level_dbfs","pitch_hz","arousal"},…] when seconds are kept. */
int media_analyzer_summary_json(const media_analyzer *a, char **json);

/* ---------------------------------------------------------------------------------------------
 * Sound files */

/* Reads any sound file libsndfile knows (WAV of any rate and channel count, FLAC, …), mixes it
 * down to mono and resamples it to rate (0 = keep the file's rate). *pcm is malloc'd (caller
 * frees). in_rate, when not NULL, gets the file's own rate. Files longer than max_s seconds are
 * refused (0 = 4 hours). err names the file and the problem. */
int media_wav_load(const char *path, int rate, double max_s, int16_t **pcm, size_t *n, int *in_rate,
                   char *err, size_t errlen);

/* ---------------------------------------------------------------------------------------------
 * Recording */

enum media_rec_format { MEDIA_REC_OPUS, MEDIA_REC_WAV };

/* Opens a recording of mono s16 audio at rate (8000..48000). Ogg Opus is 16 kbps VBR voice;
 * Ogg pages are flushed at least once a second so a crash loses at most about a second. The
 * parent directory must exist (media_recording_path makes it). err says what failed. */
typedef struct media_recorder media_recorder;
int media_recorder_open(const char *path, int rate, enum media_rec_format fmt, media_recorder **out,
                        char *err, size_t errlen);

/* Appends n samples. After a write error every later write fails fast with the same error. */
int media_recorder_write(media_recorder *r, const int16_t *pcm, size_t n);

/* Finishes the file and frees r; valid after errors and with NULL. Returns the first error
 * seen, 0 if none. */
int media_recorder_close(media_recorder *r);

/* Builds <root>/YYYY/MM/DD/<center>/<call>.opus|.wav for the local date of t and creates the
 * directories. center and call must be 1–64 of [A-Za-z0-9_.-] and not start with '.'. */
int media_recording_path(const char *root, time_t t, const char *center, const char *call,
                         enum media_rec_format fmt, char *out, size_t outlen, char *err,
                         size_t errlen);

/* Deletes .opus and .wav files under root whose modification time is more than days days
 * before now, and the directories that become empty. *removed gets the number of files. */
int media_recording_purge(const char *root, int days, time_t now, int *removed, char *err,
                          size_t errlen);

/* ---------------------------------------------------------------------------------------------
 * Prompts */

/* Loads the announcement name (recording_notice, warning1, final_warning, closing,
 * voicebot_menu, …: [a-z0-9_]) from <data dir>/prompts/ja/<name>.wav — generated by
 * scripts/make-prompts.sh or replaced by the center's own recording at any rate — as 8 kHz mono
 * s16. *pcm is malloc'd (caller frees). */
int media_prompt_load(const char *name, int16_t **pcm, size_t *n, char *err, size_t errlen);

/* ---------------------------------------------------------------------------------------------
 * Voiceprints */

/* A speaker embedder. The built-in one ("mfcc-stats-v1") is the mean and standard deviation of
 * 12 MFCCs and their deltas over speech frames; a neural model can take its place later by
 * providing the same four functions. Embeddings of different models are never compared. */
struct media_embedder {
    const char *model; /* stored beside every voiceprint */
    int dim;           /* floats per embedding */
    double threshold;  /* cosine score at or above which two embeddings are the same speaker */
    /* Per-utterance state: NULL on no memory. */
    void *(*start)(const struct media_embedder *e);
    /* One 20 ms speech frame at 8 kHz (MEDIA_FRAME_LEN samples in [-1, 1]). */
    int (*push)(void *st, const float *frame);
    /* The embedding of everything pushed so far, dim floats into out; -1 when too little. */
    int (*embed)(void *st, float *out);
    void (*stop)(void *st);
};
const struct media_embedder *media_embedder_default(void);

/* Cosine similarity of two embeddings of dim floats (after the embedder's own normalisation). */
double media_vp_score(const float *a, const float *b, int dim);
/* The equal error rate of a set of trials: ng genuine scores (same speaker) and ni impostor
 * scores; the threshold is swept over every observed score and the EER taken where the false
 * accept and false reject rates are closest. Writes the EER (0–1) and that threshold. */
void media_vp_eer(const double *gen, int ng, const double *imp, int ni, double *eer,
                  double *threshold);

/* The embedding of the speech in a sound file (any rate; speech found by the analyzer's VAD).
 * *emb is malloc'd (dim floats, caller frees); *speech_s gets the seconds of speech used.
 * Fails when there is less than min_speech_s of speech. */
int media_vp_embed_file(const struct media_embedder *e, const char *path, double min_speech_s,
                        float **emb, double *speech_s, char *err, size_t errlen);

/* The enrolled voiceprints a live call is compared with. Built once (e.g. from the store) and
 * shared read-only by every call; it must outlive the sessions that use it. */
struct media_vp {
    char caller[MEDIA_CALLER_MAX];
    float *emb; /* owned by the set */
};
struct media_vp_set {
    const struct media_embedder *embedder;
    int n, cap;
    struct media_vp *v;
};
void media_vp_set_init(struct media_vp_set *s, const struct media_embedder *e);
/* Copies caller and the embedding (embedder->dim floats). */
int media_vp_set_add(struct media_vp_set *s, const char *caller, const float *emb);
void media_vp_set_release(struct media_vp_set *s);

/* Embedding as JSON text ("[0.12,-0.3,…]", malloc'd) and back (exactly dim numbers). */
int media_vp_to_json(const float *emb, int dim, char **json);
int media_vp_from_json(const char *json, int dim, float *out);

/* A live call's matcher. enrolled is borrowed. Attach it to the call's analyzer, which then feeds
 * it the speech frames it finds (the session must outlive the analyzer or be detached with
 * media_analyzer_attach_vp(a, NULL)). */
typedef struct media_vp_session media_vp_session;
media_vp_session *media_vp_session_new(const struct media_vp_set *enrolled);
void media_vp_session_free(media_vp_session *s);
int media_analyzer_attach_vp(media_analyzer *a, media_vp_session *s);
/* Feeds one 20 ms 8 kHz frame directly (what the analyzer does). */
int media_vp_session_push_frame(media_vp_session *s, const float *frame, int speech);
double media_vp_session_speech_s(const media_vp_session *s);

/* Seconds of speech a session needs before media_vp_session_best answers. */
#define MEDIA_VP_MIN_SPEECH_S 3.0

/* The best enrolled caller and its score. Returns 1 when the score reaches the embedder's
 * threshold (a match: a feature for the guard, not proof), 0 when it does not, -EAGAIN before
 * MEDIA_VP_MIN_SPEECH_S of speech or with nobody enrolled. caller and score written on 0 and 1. */
int media_vp_session_best(const media_vp_session *s, char *caller, size_t callerlen, double *score);

#endif
