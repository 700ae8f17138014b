/* glue: the thin adapter between the media loop and the rest of ikiiki. The loop's hooks feed
 * each call's audio to its analyzer and recorder (media/audio.h) and the guard engine (call start
 * and end, shouting score once a second, the recording's path, DTMF and voicebot features); the
 * guard engine's actions (play, end_call, voicebot, release) become media commands. */
#ifndef IKIIKI_MEDIA_GLUE_H
#define IKIIKI_MEDIA_GLUE_H

#include <pthread.h>

#include "guard/guard.h"
#include "media/media.h"

#include "media/audio.h"

/* How calls are recorded (under record_dir). */
enum media_glue_rec {
    MEDIA_GLUE_REC_OPUS,     /* Ogg Opus encoded live on the call's loop */
    MEDIA_GLUE_REC_WAV_OPUS, /* WAV live (header rewritten each second), Ogg Opus after hangup */
};

struct glue_vp;
struct glue_job;

struct media_glue {
    guard_engine *g; /* borrowed; may be NULL (then features only go to the log) */
    pthread_mutex_t lock;
    media_server *m;        /* under lock; NULL before attach and after detach */
    const char *record_dir; /* borrowed; NULL: calls are not recorded */
    enum media_glue_rec rec_mode;
    struct glue_vp *vp; /* under lock: the enrolled voiceprints new calls are matched against */
    /* WAV-then-Opus: hung-up calls' WAV files wait here for the encoder thread (under lock). */
    pthread_cond_t jobs_cv;
    struct glue_job *jobs, *jobs_tail;
    int njobs, encoder_started, encoder_stop;
    pthread_t encoder;
    unsigned long encoded, encode_failed; /* under lock */
};

/* record_dir (may be NULL) must outlive the glue. */
void media_glue_init(struct media_glue *gl, guard_engine *g, const char *record_dir);
/* Encodes the WAV files still waiting (WAV-then-Opus) and frees everything. Call after the media
 * server stopped. */
void media_glue_release(struct media_glue *gl);
/* Chooses the recording mode before the server starts. WAV-then-Opus starts a low-priority
 * encoder thread (nice 10); -1 when it cannot. */
int media_glue_set_record_mode(struct media_glue *gl, enum media_glue_rec mode);
/* Replaces the enrolled voiceprints that calls starting from now are matched against (a match
 * goes to the guard as the feature "voiceprint", detail {"caller":…}). Takes set over (its
 * contents move; *set is left empty); calls already running keep the set they started with. */
int media_glue_set_voiceprints(struct media_glue *gl, struct media_vp_set *set);
/* The hooks to put in media_config; ud is gl, which must outlive the media server. */
struct media_hooks media_glue_hooks(struct media_glue *gl);
/* The guard action adapter; actions for calls not on this media server return
 * MEDIA_ENOTFOUND (the engine writes that to the timeline). */
struct guard_actions media_glue_actions(struct media_glue *gl);
/* Points the actions at m, or at nothing (NULL) before m is stopped: the engine may still act
 * from its own threads while the media server goes away. */
void media_glue_attach(struct media_glue *gl, media_server *m);

#endif
