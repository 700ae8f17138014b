/* media/audio: the analyzer on tones and silence with hand-computed levels, pitch, VAD and arousal
 * on real espeak-ng speech, recordings decoded back (also after a crash), prompts generated and
 * loaded, recording layout and purge, voiceprint plumbing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "media/audio.h"
#include "testutil.h"

static char tmpdir[256];

static void run_ok(char *const argv[])
{
    struct tu_result r;
    assert_int_equal(tu_run(argv, NULL, &r), 0);
    if (r.status != 0)
        fail_msg("%s failed (%d): %s", argv[0], r.status, r.err);
    tu_result_free(&r);
}

/* espeak-ng speaks kana (it reads kanji as "Chinese letter"); the result is 8 kHz mono s16,
 * gain_db applied with sox (with its clipping guard). */
static void speak(const char *text, const char *amp, const char *pitch, double gain_db,
                  const char *out)
{
    char raw[512], gain[32];
    snprintf(raw, sizeof raw, "%s.raw.wav", out);
    snprintf(gain, sizeof gain, "%.1f", gain_db);
    run_ok((char *const[]){"/usr/bin/espeak-ng", "-v", "ja", "-a", (char *)amp, "-p", (char *)pitch,
                           "-w", raw, (char *)text, NULL});
    run_ok((char *const[]){"/usr/bin/sox", "-V1", "-G", raw, "-r", "8000", "-c", "1", "-b", "16",
                           (char *)out, "gain", gain, NULL});
    unlink(raw);
}

static int16_t *tone(double hz, double amp, int rate, double seconds, size_t *n)
{
    *n = (size_t)(rate * seconds);
    int16_t *x = malloc(*n * sizeof(*x));
    assert_non_null(x);
    for (size_t i = 0; i < *n; i++)
        x[i] = (int16_t)lround(amp * sin(2 * M_PI * hz * (double)i / rate));
    return x;
}

static json_t *summary(media_analyzer *a)
{
    char *txt;
    assert_int_equal(media_analyzer_summary_json(a, &txt), 0);
    json_t *j = json_loads(txt, 0, NULL);
    free(txt);
    assert_non_null(j);
    return j;
}

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* Level of every frame of a steady tone, pushed in odd-sized pieces. */
static void test_levels(void **state)
{
    (void)state;
    static const struct {
        double amp, want_db;
    } cases[] = {
        /* RMS of a sine is amplitude/sqrt(2): 20*log10(32767/32768/sqrt(2)) = -3.0106. */
        {32767, -3.0106},
        /* Half amplitude: -3.0103 - 6.0206 = -9.0309. */
        {16384, -9.0309},
        /* 20*log10(100/32768/sqrt(2)) = -53.32. */
        {100, -53.3197},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n;
        int16_t *x = tone(1000, cases[c].amp, 8000, 1.0, &n);
        media_analyzer *a = media_analyzer_new(8000);
        assert_non_null(a);
        struct media_frame f;
        size_t off = 0, step = 77;
        int frames = 0;
        while (off < n) {
            size_t k = n - off < step ? n - off : step;
            int got = media_analyzer_push(a, x + off, k, &f);
            assert_true(got >= 0);
            frames += got;
            if (got > 0 && frames > 1 && fabs(f.level_dbfs - cases[c].want_db) > 0.02)
                fail_msg("amp %.0f: frame level %.4f, want %.4f", cases[c].amp, f.level_dbfs,
                         cases[c].want_db);
            off += k;
        }
        assert_int_equal(frames, 50);
        media_analyzer_free(a);
        free(x);
    }
    /* Digital silence: the floor, no speech, no pitch. */
    int16_t zero[1600] = {0};
    media_analyzer *a = media_analyzer_new(8000);
    struct media_frame f;
    assert_int_equal(media_analyzer_push(a, zero, 1600, &f), 10);
    assert_true(f.level_dbfs <= -119.9);
    assert_int_equal(f.speech, 0);
    assert_true(f.pitch_hz == 0);
    media_analyzer_free(a);
    assert_null(media_analyzer_new(4000));
}

static double median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? v[n / 2] : 0;
}

/* 200 Hz at 16 kHz input: resampled to 8 kHz, yinfft within ±5 Hz. */
static void test_pitch_200(void **state)
{
    (void)state;
    size_t n;
    int16_t *x = tone(200, 12000, 16000, 1.0, &n);
    media_analyzer *a = media_analyzer_new(16000);
    double p[64];
    int np = 0;
    for (size_t off = 0; off + 320 <= n; off += 320) {
        struct media_frame f;
        if (media_analyzer_push(a, x + off, 320, &f) > 0 && f.pitch_hz > 0 && np < 64)
            p[np++] = f.pitch_hz;
    }
    assert_true(np >= 40);
    double m = median(p, np);
    if (fabs(m - 200) > 5)
        fail_msg("median pitch %.1f Hz, want 200 ± 5", m);
    media_analyzer_free(a);
    free(x);
}

static json_t *analyze_file(const char *path)
{
    int16_t *pcm;
    size_t n;
    char err[600];
    if (media_wav_load(path, 8000, 0, &pcm, &n, NULL, err, sizeof err) < 0)
        fail_msg("%s", err);
    media_analyzer *a = media_analyzer_new(8000);
    assert_true(media_analyzer_keep_seconds(a, 1) == 0);
    assert_true(media_analyzer_push(a, pcm, n, NULL) > 0);
    json_t *j = summary(a);
    media_analyzer_free(a);
    free(pcm);
    return j;
}

static const char *sentence = "すみません、せんしゅう、ちゅうもんした、しなものが、まだとどいて"
                              "いないのですが、どうなっているのか、おしえてください。";

/* Speech with two seconds of silence before and after: speech found in the middle only. */
static void test_vad_speech_silence(void **state)
{
    (void)state;
    char sp[300], padded[300];
    snprintf(sp, sizeof sp, "%s/vad_speech.wav", tmpdir);
    snprintf(padded, sizeof padded, "%s/vad_padded.wav", tmpdir);
    speak(sentence, "100", "50", 0, sp);
    run_ok((char *const[]){"/usr/bin/sox", "-V1", sp, padded, "pad", "2", "2", NULL});
    json_t *j = analyze_file(padded);
    json_t *secs = json_object_get(j, "seconds");
    size_t ns = json_array_size(secs);
    assert_true(ns >= 6);
    double first = num(json_array_get(secs, 0), "speech");
    double last = num(json_array_get(secs, ns - 1), "speech");
    double mid = 0;
    for (size_t i = 2; i + 2 < ns; i++)
        mid += num(json_array_get(secs, i), "speech");
    mid /= (double)(ns - 4);
    if (!(first == 0 && last <= 0.1 && mid >= 0.6))
        fail_msg("speech ratio: first second %.2f, last %.2f, middle %.2f", first, last, mid);
    assert_true(num(j, "pitch_hz_median") > 60 && num(j, "pitch_hz_median") < 300);
    json_decref(j);
}

/* The same sentence, calm and then louder with a higher voice: arousal higher for the second. */
static void test_arousal_loud_high(void **state)
{
    (void)state;
    char calm[300], loud[300];
    snprintf(calm, sizeof calm, "%s/calm.wav", tmpdir);
    snprintf(loud, sizeof loud, "%s/loud.wav", tmpdir);
    speak(sentence, "60", "40", -6, calm);
    speak(sentence, "200", "85", 6, loud);
    json_t *c = analyze_file(calm), *l = analyze_file(loud);
    double ac = num(c, "arousal_max"), al = num(l, "arousal_max");
    if (!(al > ac + 0.2))
        fail_msg("arousal_max calm %.3f, loud+high %.3f: want loud higher by > 0.2", ac, al);
    assert_true(num(l, "level_dbfs") > num(c, "level_dbfs") + 6);
    assert_true(num(l, "pitch_hz_median") > num(c, "pitch_hz_median"));
    json_decref(c);
    json_decref(l);
}

static double rms_dbfs(const int16_t *x, size_t n)
{
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (double)x[i] * x[i];
    return 10 * log10(ss / (double)n / (32768.0 * 32768.0) + 1e-20);
}

/* Writes 3 s (a speech file looped) in 20 ms pieces as an Opus or WAV recording. */
static void record_3s(const char *path, enum media_rec_format fmt, int close_it)
{
    char sp[300], err[300];
    snprintf(sp, sizeof sp, "%s/vad_speech.wav", tmpdir);
    int16_t *pcm;
    size_t n;
    if (media_wav_load(sp, 8000, 0, &pcm, &n, NULL, err, sizeof err) < 0)
        fail_msg("%s", err);
    media_recorder *r;
    if (media_recorder_open(path, 8000, fmt, &r, err, sizeof err) < 0)
        fail_msg("%s", err);
    for (size_t off = 0; off < 3 * 8000; off += 160)
        assert_int_equal(media_recorder_write(r, pcm + off % (n - 160), 160), 0);
    free(pcm);
    if (close_it)
        assert_int_equal(media_recorder_close(r), 0);
}

static double decode_check(const char *path, double min_s, double max_s)
{
    int16_t *pcm;
    size_t n;
    char err[300];
    if (media_wav_load(path, 8000, 0, &pcm, &n, NULL, err, sizeof err) < 0)
        fail_msg("decode: %s", err);
    double secs = (double)n / 8000;
    if (secs < min_s || secs > max_s)
        fail_msg("%s: %.3f s decoded, want %.2f–%.2f", path, secs, min_s, max_s);
    double db = rms_dbfs(pcm, n);
    if (db < -40)
        fail_msg("%s: decoded audio is %.1f dBFS, silence?", path, db);
    free(pcm);
    return secs;
}

static void test_recorder_round_trip(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/rt.opus", tmpdir);
    record_3s(path, MEDIA_REC_OPUS, 1);
    decode_check(path, 2.98, 3.02);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    /* 16 kbps for 3 s is 6 kB of audio plus Ogg and header overhead. */
    assert_true(st.st_size > 3000 && st.st_size < 12000);
    snprintf(path, sizeof path, "%s/rt.wav", tmpdir);
    record_3s(path, MEDIA_REC_WAV, 1);
    decode_check(path, 3.0, 3.0);
    /* A folder that does not exist: an error naming it, nothing written. */
    char err[300];
    media_recorder *r;
    assert_true(
        media_recorder_open("/nonexistent/x.opus", 8000, MEDIA_REC_OPUS, &r, err, sizeof err) < 0);
    assert_non_null(strstr(err, "/nonexistent/x.opus"));
    assert_int_equal(media_recorder_close(NULL), 0);
}

/* A process that dies mid-call without closing: at least 2 of its 3 seconds are readable. */
static void test_recorder_crash(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < 2; fmt++) {
        char path[300];
        snprintf(path, sizeof path, "%s/crash.%s", tmpdir, fmt ? "wav" : "opus");
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            record_3s(path, fmt ? MEDIA_REC_WAV : MEDIA_REC_OPUS, 0);
            _exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        double secs = decode_check(path, 2.0, 3.0);
        print_message("killed after 3.00 s without closing: %.2f s of %s readable\n", secs,
                      fmt ? "WAV" : "Ogg Opus");
    }
}

static void test_prompts(void **state)
{
    (void)state;
    char dir[300], cmd[1600], src[600];
    snprintf(dir, sizeof dir, "%s/data/prompts/ja", tmpdir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    const char *root = getenv("IKIIKI_TEST_DATA");
    assert_non_null(root);
    snprintf(src, sizeof src, "%s/../../data/prompts/ja/prompts.tsv", root);
    snprintf(cmd, sizeof cmd, "cp %s %s/ && %s/../../scripts/make-prompts.sh %s >/dev/null", src,
             dir, root, dir);
    assert_int_equal(system(cmd), 0);
    char data[300];
    snprintf(data, sizeof data, "%s/data", tmpdir);
    setenv("IKIIKI_DATA_DIR", data, 1);
    static const char *names[] = {"recording_notice", "warning1", "final_warning", "closing",
                                  "voicebot_menu"};
    for (size_t i = 0; i < 5; i++) {
        int16_t *pcm;
        size_t n;
        char err[600];
        if (media_prompt_load(names[i], &pcm, &n, err, sizeof err) < 0)
            fail_msg("%s", err);
        if (n < 8000 * 3 || rms_dbfs(pcm, n) < -40)
            fail_msg("%s: %.2f s at %.1f dBFS", names[i], n / 8000.0, rms_dbfs(pcm, n));
        free(pcm);
    }
    /* A center's own recording at 44.1 kHz stereo replaces one: loaded as 8 kHz, same length. */
    char own[700];
    snprintf(own, sizeof own, "%s/warning1.wav", dir);
    snprintf(cmd, sizeof cmd, "sox -V1 -n -r 44100 -c 2 -b 16 %s synth 1.5 sine 440 vol 0.3", own);
    assert_int_equal(system(cmd), 0);
    int16_t *pcm;
    size_t n;
    char err[600];
    assert_int_equal(media_prompt_load("warning1", &pcm, &n, err, sizeof err), 0);
    assert_int_equal(n, 12000);
    free(pcm);
    /* Running the script again keeps the center's file (it is newer than the tsv). */
    snprintf(cmd, sizeof cmd, "%s/../../scripts/make-prompts.sh %s >/dev/null", root, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(media_prompt_load("warning1", &pcm, &n, err, sizeof err), 0);
    assert_int_equal(n, 12000);
    free(pcm);
    assert_true(media_prompt_load("../etc/passwd", &pcm, &n, err, sizeof err) < 0);
    assert_true(media_prompt_load("missing_one", &pcm, &n, err, sizeof err) < 0);
    assert_non_null(strstr(err, "missing_one.wav"));
    unsetenv("IKIIKI_DATA_DIR");
}

static void test_layout_and_purge(void **state)
{
    (void)state;
    char root[300], path[600], err[300];
    snprintf(root, sizeof root, "%s/rec", tmpdir);
    time_t t = 1795000000; /* 2026-11-18 */
    struct tm tm;
    localtime_r(&t, &tm);
    assert_int_equal(media_recording_path(root, t, "TKY", "call-1", MEDIA_REC_OPUS, path,
                                          sizeof path, err, sizeof err),
                     0);
    char want[600];
    snprintf(want, sizeof want, "%s/%04d/%02d/%02d/TKY/call-1.opus", root, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
    assert_string_equal(path, want);
    assert_true(media_recording_path(root, t, "TKY", "../x", MEDIA_REC_OPUS, path, sizeof path, err,
                                     sizeof err) < 0);
    assert_true(media_recording_path(root, t, "", "c", MEDIA_REC_WAV, path, sizeof path, err,
                                     sizeof err) < 0);
    /* Three files: 40 days old, 10 days old, and a note that is not a recording. */
    char old[600], recent[600], note[600];
    assert_int_equal(media_recording_path(root, t, "TKY", "old", MEDIA_REC_OPUS, old, sizeof old,
                                          err, sizeof err),
                     0);
    assert_int_equal(media_recording_path(root, t + 86400, "OSK", "recent", MEDIA_REC_WAV, recent,
                                          sizeof recent, err, sizeof err),
                     0);
    snprintf(note, sizeof note, "%s/keep.txt", root);
    const char *files[] = {old, recent, note};
    time_t now = time(NULL);
    time_t ages[] = {now - 40 * 86400, now - 10 * 86400, now - 400 * 86400};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(files[i], "w");
        assert_non_null(f);
        fputs("x", f);
        fclose(f);
        struct timeval tv[2] = {{ages[i], 0}, {ages[i], 0}};
        assert_int_equal(utimes(files[i], tv), 0);
    }
    int removed = -1;
    assert_int_equal(media_recording_purge(root, 30, now, &removed, err, sizeof err), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(access(old, F_OK), -1);
    assert_int_equal(access(recent, F_OK), 0);
    assert_int_equal(access(note, F_OK), 0);
    /* The emptied center folder went with it. */
    char *slash = strrchr(old, '/');
    *slash = 0;
    assert_int_equal(access(old, F_OK), -1);
    assert_true(media_recording_purge("/nonexistent-dir", 30, now, &removed, err, sizeof err) < 0);
}

static void test_voiceprint_plumbing(void **state)
{
    (void)state;
    const struct media_embedder *e = media_embedder_default();
    assert_true(e->dim > 0 && e->dim <= 512);
    float a[512], b[512];
    for (int i = 0; i < e->dim; i++)
        a[i] = (float)sin(i + 1.0);
    char *json;
    assert_int_equal(media_vp_to_json(a, e->dim, &json), 0);
    assert_int_equal(media_vp_from_json(json, e->dim, b), 0);
    assert_true(media_vp_score(a, b, e->dim) > 0.999999);
    assert_true(media_vp_from_json(json, e->dim + 1, b) < 0);
    free(json);
    assert_true(media_vp_from_json("[1,\"x\"]", 2, b) < 0);
    assert_true(media_vp_from_json("{", 2, b) < 0);
    for (int i = 0; i < e->dim; i++)
        b[i] = -a[i];
    assert_true(media_vp_score(a, b, e->dim) < -0.999999);

    struct media_vp_set set;
    media_vp_set_init(&set, e);
    assert_int_equal(media_vp_set_add(&set, "caller-A", a), 0);
    media_vp_session *s = media_vp_session_new(&set);
    media_analyzer *an = media_analyzer_new(8000);
    assert_int_equal(media_analyzer_attach_vp(an, s), 0);
    char who[MEDIA_CALLER_MAX];
    double score;
    assert_int_equal(media_vp_session_best(s, who, sizeof who, &score), -EAGAIN);
    /* Speech: the same file twice gives the same caller with a score near 1. */
    char sp[300];
    snprintf(sp, sizeof sp, "%s/vad_speech.wav", tmpdir);
    float *emb;
    double speech_s;
    char err[600];
    if (media_vp_embed_file(e, sp, 3, &emb, &speech_s, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_int_equal(media_vp_set_add(&set, "caller-B", emb), 0);
    int16_t *pcm;
    size_t n;
    assert_int_equal(media_wav_load(sp, 8000, 0, &pcm, &n, NULL, err, sizeof err), 0);
    assert_true(media_analyzer_push(an, pcm, n, NULL) > 0);
    assert_true(media_vp_session_speech_s(s) >= MEDIA_VP_MIN_SPEECH_S);
    assert_int_equal(media_vp_session_best(s, who, sizeof who, &score), 1);
    assert_string_equal(who, "caller-B");
    assert_true(score > 0.99);
    /* Enrolment needs 10 s of speech; this file has less. */
    assert_true(media_vp_embed_file(e, sp, 60, &emb, &speech_s, err, sizeof err) < 0);
    assert_non_null(strstr(err, "s of speech"));
    free(pcm);
    free(emb);
    media_analyzer_free(an);
    media_vp_session_free(s);
    media_vp_set_release(&set);
}

static void test_bad_files(void **state)
{
    (void)state;
    char path[300], err[600];
    assert_int_equal(
        tu_write_temp("not.wav", "this is text, not a sound file\n", path, sizeof path), 0);
    int16_t *pcm;
    size_t n;
    assert_true(media_wav_load(path, 8000, 0, &pcm, &n, NULL, err, sizeof err) < 0);
    assert_non_null(strstr(err, path));
    assert_true(media_wav_load("/nonexistent.wav", 8000, 0, &pcm, &n, NULL, err, sizeof err) < 0);
    assert_non_null(strstr(err, "/nonexistent.wav"));
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ikiiki-media-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_pitch_200),
        cmocka_unit_test(test_vad_speech_silence),
        cmocka_unit_test(test_arousal_loud_high),
        cmocka_unit_test(test_recorder_round_trip),
        cmocka_unit_test(test_recorder_crash),
        cmocka_unit_test(test_prompts),
        cmocka_unit_test(test_layout_and_purge),
        cmocka_unit_test(test_voiceprint_plumbing),
        cmocka_unit_test(test_bad_files),
    };
    int rc = cmocka_run_group_tests_name("media_audio", tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
