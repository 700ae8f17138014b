/* The media ↔ guard adapter; see glue.h. */
#include "glue.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"

void media_glue_init(struct media_glue *gl, guard_engine *g)
{
    memset(gl, 0, sizeof *gl);
    gl->g = g;
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

static void *on_call_start(void *ud, const char *call_id, const struct media_call_info *info)
{
    struct media_glue *gl = ud;
    if (gl->g) {
        int rc = guard_call_start(gl->g, call_id, info->caller, info->operator_name, info->center);
        if (rc)
            log_msg(LOG_WARN, "media: call %s: guard refused the call (%d)", call_id, rc);
    }
    return NULL;
}

static void on_feature(void *ud, const char *call_id, const char *name, double value,
                       const char *detail)
{
    struct media_glue *gl = ud;
    log_msg(LOG_INFO, "media: call %s: %s %g %s", call_id, name, value, detail ? detail : "");
    if (gl->g)
        guard_feature(gl->g, call_id, name, value, detail);
}

static void on_call_end(void *ud, void *call, const char *call_id)
{
    struct media_glue *gl = ud;
    (void)call;
    if (gl->g)
        guard_call_end(gl->g, call_id);
}

struct media_hooks media_glue_hooks(struct media_glue *gl)
{
    struct media_hooks h = {
        .ud = gl,
        .call_start = on_call_start,
        .audio = NULL,
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
