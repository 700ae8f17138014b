/* The media ↔ guard adapter; see glue.h. */
#include "glue.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "media/audio.h"

void media_glue_init(struct media_glue *gl, guard_engine *g, const char *record_dir)
{
    memset(gl, 0, sizeof *gl);
    gl->g = g;
    gl->record_dir = record_dir;
    pthread_mutex_init(&gl->lock, NULL);
}

void media_glue_release(struct media_glue *gl)
{
    pthread_mutex_destroy(&gl->lock);
}

void media_glue_attach(struct media_glue *gl, media_server *m)
{
    pthread_mutex_lock(&gl->lock);
    gl->m = m;
    pthread_mutex_unlock(&gl->lock);
}

/* ---- hooks (media loop thread) ---- */

/* One call's audio state, owned by the loop from call_start to call_end. */
struct glue_call {
    media_analyzer *an;
    media_recorder *rec;
    unsigned frames;
    int shouting;
};

static void feature(struct media_glue *gl, const char *call_id, const char *name, double value,
                    const char *detail)
{
    if (gl->g)
        guard_feature(gl->g, call_id, name, value, detail);
}

static void start_recording(struct media_glue *gl, struct glue_call *gc, const char *call_id,
                            const char *center)
{
    char path[1024], err[300], detail[1200];
    if (media_recording_path(gl->record_dir, time(NULL), center[0] ? center : "default", call_id,
                             MEDIA_REC_OPUS, path, sizeof path, err, sizeof err) ||
        media_recorder_open(path, MEDIA_RATE, MEDIA_REC_OPUS, &gc->rec, err, sizeof err)) {
        log_msg(LOG_WARN, "media: call %s: not recorded: %s", call_id, err);
        return;
    }
    json_t *d = json_pack("{s:s}", "path", path);
    char *txt = d ? json_dumps(d, JSON_COMPACT) : NULL;
    snprintf(detail, sizeof detail, "%s", txt ? txt : "{}");
    free(txt);
    json_decref(d);
    feature(gl, call_id, "recording", 0, detail);
}

static void *on_call_start(void *ud, const char *call_id, const struct media_call_info *info)
{
    struct media_glue *gl = ud;
    if (gl->g) {
        int rc = guard_call_start(gl->g, call_id, info->caller, info->operator_name, info->center);
        if (rc)
            log_msg(LOG_WARN, "media: call %s: guard refused the call (%d)", call_id, rc);
    }
    struct glue_call *gc = calloc(1, sizeof *gc);
    if (!gc)
        return NULL;
    gc->an = media_analyzer_new(MEDIA_RATE);
    if (gl->record_dir)
        start_recording(gl, gc, call_id, info->center);
    return gc;
}

static void on_audio(void *ud, void *call, const char *call_id, const int16_t *pcm, size_t n)
{
    struct media_glue *gl = ud;
    struct glue_call *gc = call;
    if (!gc)
        return;
    if (gc->rec && media_recorder_write(gc->rec, pcm, n))
        log_msg(LOG_WARN, "media: call %s: recording write failed", call_id);
    if (!gc->an || media_analyzer_push(gc->an, pcm, n, NULL) < 0)
        return;
    /* The arousal score once a second, and at once when shouting starts. */
    double score = 0;
    int shouting = 0;
    media_analyzer_arousal(gc->an, &score, &shouting);
    if (++gc->frames % 50 == 0 || (shouting && !gc->shouting))
        feature(gl, call_id, "shouting", score, NULL);
    gc->shouting = shouting;
}

static void on_feature(void *ud, const char *call_id, const char *name, double value,
                       const char *detail)
{
    struct media_glue *gl = ud;
    log_msg(LOG_INFO, "media: call %s: %s %g %s", call_id, name, value, detail ? detail : "");
    feature(gl, call_id, name, value, detail);
}

static void on_call_end(void *ud, void *call, const char *call_id)
{
    struct media_glue *gl = ud;
    struct glue_call *gc = call;
    if (gc) {
        char *summary = NULL;
        if (gc->an && media_analyzer_summary_json(gc->an, &summary) == 0)
            feature(gl, call_id, "audio_summary", 0, summary);
        free(summary);
        if (media_recorder_close(gc->rec))
            log_msg(LOG_WARN, "media: call %s: the recording may be incomplete", call_id);
        media_analyzer_free(gc->an);
        free(gc);
    }
    if (gl->g)
        guard_call_end(gl->g, call_id);
}

struct media_hooks media_glue_hooks(struct media_glue *gl)
{
    struct media_hooks h = {
        .ud = gl,
        .call_start = on_call_start,
        .audio = on_audio,
        .feature = on_feature,
        .call_end = on_call_end,
    };
    return h;
}

/* ---- actions (any thread) ---- */

static int act(struct media_glue *gl, int (*fn)(void *, const char *), const char *call_id)
{
    pthread_mutex_lock(&gl->lock);
    int rc = gl->m ? fn(gl->m, call_id) : MEDIA_ENOTFOUND;
    pthread_mutex_unlock(&gl->lock);
    return rc;
}

static int do_play(void *ud, const char *call_id, const char *prompt)
{
    struct media_glue *gl = ud;
    pthread_mutex_lock(&gl->lock);
    int rc = gl->m ? media_play(gl->m, call_id, prompt) : MEDIA_ENOTFOUND;
    pthread_mutex_unlock(&gl->lock);
    return rc;
}

static int do_end(void *ud, const char *call_id)
{
    return act(ud, media_end_call, call_id);
}

static int do_voicebot(void *ud, const char *call_id)
{
    return act(ud, media_voicebot, call_id);
}

static int do_release(void *ud, const char *call_id)
{
    return act(ud, media_release, call_id);
}

struct guard_actions media_glue_actions(struct media_glue *gl)
{
    struct guard_actions a = {
        .ud = gl,
        .notify = NULL,
        .play = do_play,
        .end_call = do_end,
        .voicebot = do_voicebot,
        .release = do_release,
    };
    return a;
}
