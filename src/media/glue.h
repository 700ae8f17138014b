/* glue: the thin adapter between the media loop and the rest of ikiiki. The loop's hooks feed
 * each call's audio to its analyzer and recorder (media/audio.h) and the guard engine (call start
 * and end, shouting score once a second, the recording's path, DTMF and voicebot features); the
 * guard engine's actions (play, end_call, voicebot, release) become media commands. */
#ifndef IKIIKI_MEDIA_GLUE_H
#define IKIIKI_MEDIA_GLUE_H

#include <pthread.h>

#include "guard/guard.h"
#include "media/media.h"

struct media_glue {
    guard_engine *g; /* borrowed; may be NULL (then features only go to the log) */
    pthread_mutex_t lock;
    media_server *m;        /* under lock; NULL before attach and after detach */
    const char *record_dir; /* borrowed; NULL: calls are not recorded */
};

/* record_dir (may be NULL) must outlive the glue. */
void media_glue_init(struct media_glue *gl, guard_engine *g, const char *record_dir);
void media_glue_release(struct media_glue *gl);
/* The hooks to put in media_config; ud is gl, which must outlive the media server. */
struct media_hooks media_glue_hooks(struct media_glue *gl);
/* The guard action adapter; actions for calls not on this media server return
 * MEDIA_ENOTFOUND (the engine writes that to the timeline). */
struct guard_actions media_glue_actions(struct media_glue *gl);
/* Points the actions at m, or at nothing (NULL) before m is stopped: the engine may still act
 * from its own threads while the media server goes away. */
void media_glue_attach(struct media_glue *gl, media_server *m);

#endif
