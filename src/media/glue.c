/* The media ↔ guard adapter; see glue.h. */
#include "glue.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "media/audio.h"

/* A shared, reference-counted snapshot of the enrolled voiceprints: a call's matcher borrows the
 * set for the whole call, while a reload may put a newer one in place for the next calls. */
struct glue_vp {
    int refs; /* under the glue's lock */
    struct media_vp_set set;
};

/* A hung-up call's WAV recording waiting to be encoded. */
struct glue_job {
    char wav[1024], opus[1024], call_id[MEDIA_ID_MAX];
    struct glue_job *next;
};

static void vp_unref(struct media_glue *gl, struct glue_vp *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&gl->lock);
    int last = --v->refs == 0;
    pthread_mutex_unlock(&gl->lock);
    if (last) {
        media_vp_set_release(&v->set);
        free(v);
    }
}

void media_glue_init(struct media_glue *gl, guard_engine *g, const char *record_dir)
{
    memset(gl, 0, sizeof *gl);
    gl->g = g;
    gl->record_dir = record_dir;
    pthread_mutex_init(&gl->lock, NULL);
    pthread_cond_init(&gl->jobs_cv, NULL);
}

void media_glue_release(struct media_glue *gl)
{
    if (gl->encoder_started) {
        pthread_mutex_lock(&gl->lock);
        gl->encoder_stop = 1;
        pthread_cond_signal(&gl->jobs_cv);
        pthread_mutex_unlock(&gl->lock);
        pthread_join(gl->encoder, NULL);
        gl->encoder_started = 0;
    }
    vp_unref(gl, gl->vp);
    gl->vp = NULL;
    pthread_cond_destroy(&gl->jobs_cv);
    pthread_mutex_destroy(&gl->lock);
}

int media_glue_set_voiceprints(struct media_glue *gl, struct media_vp_set *set)
{
    struct glue_vp *v = calloc(1, sizeof *v);
    if (!v)
        return -ENOMEM;
    v->refs = 1;
    v->set = *set;
    memset(set, 0, sizeof *set);
    set->embedder = v->set.embedder;
    pthread_mutex_lock(&gl->lock);
    struct glue_vp *old = gl->vp;
    gl->vp = v;
    pthread_mutex_unlock(&gl->lock);
    vp_unref(gl, old);
    return 0;
}

/* ---- WAV-then-Opus encoder thread ---- */

/* Encodes job's WAV into <opus>.part, renames it into place and removes the WAV; on failure the
 * WAV stays (it is the recording) and the reason is logged. */
static int encode_job(const struct glue_job *j)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    int rate = 0;
    char err[1200], part[1100];
    media_recorder *r = NULL;
    snprintf(part, sizeof part, "%s.part", j->opus);
    int rc = media_wav_load(j->wav, 0, 0, &pcm, &n, &rate, err, sizeof err);
    if (rc == 0)
        rc = media_recorder_open(part, rate, MEDIA_REC_OPUS, &r, err, sizeof err);
    if (rc == 0) {
        rc = media_recorder_write(r, pcm, n);
        int rc2 = media_recorder_close(r);
        rc = rc ? rc : rc2;
        if (rc)
            snprintf(err, sizeof err, "%s: write failed", part);
    }
    free(pcm);
    if (rc == 0 && rename(part, j->opus) != 0) {
        snprintf(err, sizeof err, "%s: %s", j->opus, strerror(errno));
        rc = -errno;
    }
    if (rc) {
        unlink(part);
        log_msg(LOG_WARN, "media: call %s: the WAV recording was kept, not encoded: %s", j->call_id,
                err);
        return rc;
    }
    unlink(j->wav);
    return 0;
}

static void *encoder_main(void *arg)
{
    struct media_glue *gl = arg;
    /* Below the media loops and the API: encoding waits when the machine is busy. On Linux a
     * thread's nice value is its own. */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    pthread_mutex_lock(&gl->lock);
    for (;;) {
        while (!gl->jobs && !gl->encoder_stop)
            pthread_cond_wait(&gl->jobs_cv, &gl->lock);
        struct glue_job *j = gl->jobs;
        if (!j)
            break; /* stopping with nothing left */
        gl->jobs = j->next;
        if (!gl->jobs)
            gl->jobs_tail = NULL;
        gl->njobs--;
        pthread_mutex_unlock(&gl->lock);
        int rc = encode_job(j);
        free(j);
        pthread_mutex_lock(&gl->lock);
        if (rc)
            gl->encode_failed++;
        else
            gl->encoded++;
    }
    pthread_mutex_unlock(&gl->lock);
    return NULL;
}

int media_glue_set_record_mode(struct media_glue *gl, enum media_glue_rec mode)
{
    gl->rec_mode = mode;
    if (mode != MEDIA_GLUE_REC_WAV_OPUS || gl->encoder_started)
        return 0;
    if (pthread_create(&gl->encoder, NULL, encoder_main, gl) != 0)
        return -1;
    gl->encoder_started = 1;
    return 0;
}

static void queue_encode(struct media_glue *gl, const char *wav, const char *opus,
                         const char *call_id)
{
    struct glue_job *j = calloc(1, sizeof *j);
    if (!j) {
        log_msg(LOG_WARN, "media: call %s: out of memory, %s stays WAV", call_id, wav);
        return;
    }
    snprintf(j->wav, sizeof j->wav, "%s", wav);
    snprintf(j->opus, sizeof j->opus, "%s", opus);
    snprintf(j->call_id, sizeof j->call_id, "%s", call_id);
    pthread_mutex_lock(&gl->lock);
    if (gl->jobs_tail)
        gl->jobs_tail->next = j;
    else
        gl->jobs = j;
    gl->jobs_tail = j;
    gl->njobs++;
    pthread_cond_signal(&gl->jobs_cv);
    pthread_mutex_unlock(&gl->lock);
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
    struct glue_vp *vp;         /* a reference to the set this call is matched against */
    media_vp_session *vps;      /* NULL with nobody enrolled */
    int vp_sent;                /* the match went to the guard */
    char wav[1024], opus[1024]; /* WAV-then-Opus: the live file and the final one */
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
    char path[1024], err[300], detail[2400];
    int later = gl->rec_mode == MEDIA_GLUE_REC_WAV_OPUS;
    time_t now = time(NULL);
    const char *ctr = center[0] ? center : "default";
    if (media_recording_path(gl->record_dir, now, ctr, call_id, MEDIA_REC_OPUS, path, sizeof path,
                             err, sizeof err) ||
        (later && media_recording_path(gl->record_dir, now, ctr, call_id, MEDIA_REC_WAV, gc->wav,
                                       sizeof gc->wav, err, sizeof err)) ||
        media_recorder_open(later ? gc->wav : path, MEDIA_RATE,
                            later ? MEDIA_REC_WAV : MEDIA_REC_OPUS, &gc->rec, err, sizeof err)) {
        log_msg(LOG_WARN, "media: call %s: not recorded: %s", call_id, err);
        gc->wav[0] = '\0';
        return;
    }
    if (later)
        snprintf(gc->opus, sizeof gc->opus, "%s", path);
    /* The timeline points at the final .opus; while the call lasts (and if encoding fails) the
     * audio is in the WAV named by "live". */
    json_t *d = later ? json_pack("{s:s, s:s, s:s}", "path", path, "live", gc->wav, "encoding",
                                  "after hangup")
                      : json_pack("{s:s}", "path", path);
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
    pthread_mutex_lock(&gl->lock);
    gc->vp = gl->vp;
    if (gc->vp)
        gc->vp->refs++;
    pthread_mutex_unlock(&gl->lock);
    if (gc->an && gc->vp && gc->vp->set.n > 0) {
        gc->vps = media_vp_session_new(&gc->vp->set);
        if (gc->vps)
            media_analyzer_attach_vp(gc->an, gc->vps);
    }
    if (gl->record_dir)
        start_recording(gl, gc, call_id, info->center);
    return gc;
}

static void voiceprint_check(struct media_glue *gl, struct glue_call *gc, const char *call_id)
{
    char caller[MEDIA_CALLER_MAX], detail[MEDIA_CALLER_MAX * 2 + 64];
    double score = 0;
    if (media_vp_session_best(gc->vps, caller, sizeof caller, &score) != 1)
        return;
    gc->vp_sent = 1;
    json_t *d =
        json_pack("{s:s, s:f}", "caller", caller, "speech_s", media_vp_session_speech_s(gc->vps));
    char *txt = d ? json_dumps(d, JSON_COMPACT) : NULL;
    snprintf(detail, sizeof detail, "%s", txt ? txt : "{}");
    free(txt);
    json_decref(d);
    log_msg(LOG_INFO, "media: call %s: voiceprint of \"%s\" (score %.3f)", call_id, caller, score);
    feature(gl, call_id, "voiceprint", score, detail);
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
    /* The voiceprint match, looked at once a second once there is enough speech; a match goes to
     * the guard once per call. */
    if (gc->vps && !gc->vp_sent && gc->frames % 50 == 25)
        voiceprint_check(gl, gc, call_id);
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
        int had_rec = gc->rec != NULL, rec_rc = media_recorder_close(gc->rec);
        if (rec_rc)
            log_msg(LOG_WARN, "media: call %s: the recording may be incomplete", call_id);
        if (had_rec && gc->wav[0] && !rec_rc)
            queue_encode(gl, gc->wav, gc->opus, call_id);
        media_analyzer_free(gc->an); /* before the session it feeds */
        media_vp_session_free(gc->vps);
        vp_unref(gl, gc->vp);
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
