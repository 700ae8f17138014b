/* The media commands through the real binary: analyze (JSON and Japanese summary, any rate and
 * channel count, bad files), purge, and voiceprints on both backends (add with an approving
 * manager, audited; list; match; delete; bad input as one line with exit 2). Also measures the
 * voiceprint equal error rate on espeak-ng voice variants and prints it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "media/audio.h"
#include "store/store_org.h"
#include "testutil.h"

static char tmpdir[256];
static char root[512]; /* the source tree */

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("failed: %s", cmd);
}

/* Voices made once for the whole run: DIR/list.tsv from bench/media/voices.sh. */
static const char *voices(void)
{
    static char dir[600];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/voices", tmpdir);
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "%s/bench/media/voices.sh %s eval", root, dir);
        sh(cmd);
    }
    return dir;
}

static void test_analyze(void **state)
{
    (void)state;
    char wav[600], cmd[2400];
    /* 44.1 kHz stereo: the command mixes down and resamples. */
    snprintf(wav, sizeof wav, "%s/stereo.wav", tmpdir);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/espeak-ng -v ja -w %s.raw.wav 'もしもし、きのう、でんわしたものですが、"
             "へんじが、まだありません。' && sox -V1 -G %s.raw.wav -r 44100 -c 2 %s pad 0.5 0.5",
             wav, wav, wav);
    sh(cmd);
    struct tu_result r;
    TU_IK(&r, "unused.db", "media", "analyze", wav, "--json");
    assert_int_equal(r.status, 0);
    json_t *j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    double dur = json_number_value(json_object_get(j, "duration_s"));
    double ratio = json_number_value(json_object_get(j, "speech_ratio"));
    double level = json_number_value(json_object_get(j, "level_dbfs"));
    double pitch = json_number_value(json_object_get(j, "pitch_hz_median"));
    json_t *secs = json_object_get(j, "seconds");
    if (!(dur > 3 && ratio > 0.4 && ratio < 1 && level < -3 && level > -40 && pitch > 60 &&
          pitch < 300 && json_object_get(j, "arousal")))
        fail_msg("implausible analysis: %s", r.out);
    assert_int_equal(json_array_size(secs), (size_t)ceil(dur - 1e-9));
    json_t *s0 = json_array_get(secs, 0);
    for (const char *k = "t\0speech\0level_dbfs\0pitch_hz\0arousal\0"; *k; k += strlen(k) + 1)
        if (!json_object_get(s0, k))
            fail_msg("seconds[0] has no \"%s\": %s", k, r.out);
    json_decref(j);
    tu_result_free(&r);

    TU_IK(&r, "unused.db", "media", "analyze", wav);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "長さ"));
    assert_non_null(strstr(r.out, "興奮度"));
    tu_result_free(&r);

    char bad[600];
    assert_int_equal(tu_write_temp("bad.wav", "RIFF but not really\n", bad, sizeof bad), 0);
    TU_IK(&r, "unused.db", "media", "analyze", bad, "--json");
    TU_ONE_LINE_EXIT2(&r, bad);
    assert_string_equal(r.out, "");
    tu_result_free(&r);
    TU_IK(&r, "unused.db", "media", "analyze", "/nonexistent/x.wav");
    TU_ONE_LINE_EXIT2(&r, "/nonexistent/x.wav");
    tu_result_free(&r);
    TU_IK(&r, "unused.db", "media", "analyze", "--json");
    TU_ONE_LINE_EXIT2(&r, "expected one sound file");
    tu_result_free(&r);
}

static void touch(const char *path, time_t when)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname %s)\" && echo x > %s", path, path);
    sh(cmd);
    struct timeval tv[2] = {{when, 0}, {when, 0}};
    assert_int_equal(utimes(path, tv), 0);
}

static void test_purge(void **state)
{
    (void)state;
    char rec[600], old[700], young[700];
    snprintf(rec, sizeof rec, "%s/recordings", tmpdir);
    snprintf(old, sizeof old, "%s/2026/01/05/TKY/c1.opus", rec);
    snprintf(young, sizeof young, "%s/2026/03/01/TKY/c2.opus", rec);
    time_t now = time(NULL);
    touch(old, now - 100 * 86400);
    touch(young, now - 5 * 86400);
    struct tu_result r;
    TU_IK(&r, "unused.db", "media", "purge", "--days", "30", "--root", rec, "--json");
    assert_int_equal(r.status, 0);
    json_t *j = json_loads(r.out, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "removed")), 1);
    json_decref(j);
    tu_result_free(&r);
    assert_int_equal(access(old, F_OK), -1);
    assert_int_equal(access(young, F_OK), 0);

    TU_IK(&r, "unused.db", "media", "purge", "--root", rec);
    TU_ONE_LINE_EXIT2(&r, "--days");
    tu_result_free(&r);
    TU_IK(&r, "unused.db", "media", "purge", "--days", "-3", "--root", rec);
    TU_ONE_LINE_EXIT2(&r, "--days");
    tu_result_free(&r);
    TU_IK(&r, "unused.db", "media", "purge", "--days", "30", "--root", "/nonexistent-recordings");
    TU_ONE_LINE_EXIT2(&r, "/nonexistent-recordings");
    tu_result_free(&r);
}

static void vp_file(const char *dir, const char *spk, const char *kind, char *out, size_t len)
{
    snprintf(out, len, "%s/%s_%s.wav", dir, spk, kind);
    if (access(out, R_OK) != 0)
        fail_msg("missing voice file %s", out);
}

static int audit_has(const char *url, const char *action, const char *actor)
{
    store *s;
    char err[300];
    assert_int_equal(store_open(url, &s, err, sizeof err), 0);
    struct store_audit *a = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_list(s, 200, &a, &n), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(a[i].action, action) == 0 && strcmp(a[i].actor, actor) == 0;
    free(a);
    store_free(s);
    return found;
}

static void test_voiceprint(void **state)
{
    (void)state;
    const char *dir = voices();
    char enrol_a[1000], enrol_b[1000], test_a[1000], test_b[1000], shortf[1000];
    vp_file(dir, "m1-p30-s140", "enrol", enrol_a, sizeof enrol_a);
    vp_file(dir, "f2-p31-s144", "enrol", enrol_b, sizeof enrol_b);
    vp_file(dir, "m1-p30-s140", "test2", test_a, sizeof test_a);
    vp_file(dir, "f2-p31-s144", "test1", test_b, sizeof test_b);
    /* Four seconds of speech: enough to match, too little to enrol. */
    snprintf(shortf, sizeof shortf, "%s/short.wav", tmpdir);
    char cmd[2400];
    snprintf(cmd, sizeof cmd, "sox -V1 %s %s trim 0 4", test_a, shortf);
    sh(cmd);
    for (int b = 0; b < 2; b++) {
        char url[512];
        if (tu_db_url(tu_backends[b], "mediavp", url, sizeof url))
            continue;
        struct tu_result r;
        TU_IK(&r, url, "init", "--demo");
        assert_int_equal(r.status, 0);
        tu_result_free(&r);

        TU_IK(&r, url, "media", "voiceprint", "match", test_a, "--json");
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "\"enrolled\": 0"));
        tu_result_free(&r);

        TU_IK(&r, url, "media", "voiceprint", "add", "--caller", "090-1111-2222", "--reason",
              "暴言が3回あった発信者", "--approved-by", "admin", enrol_a, "--json");
        if (r.status != 0)
            fail_msg("%s: add: %s", tu_backends[b], r.err);
        tu_result_free(&r);
        TU_IK(&r, url, "media", "voiceprint", "add", "--caller", "080-3333-4444", "--reason",
              "長時間の拘束", "--approved-by", "admin", enrol_b);
        assert_int_equal(r.status, 0);
        tu_result_free(&r);
        assert_true(audit_has(url, "media.voiceprint.add", "admin"));

        static const struct {
            const char *who, *file_kind, *needle;
        } bad[] = {
            {"sato.sv", "a", "not a center manager"},
            {"nobody", "a", "no user \"nobody\""},
            {"admin", "short", "s of speech, at least 10 s needed"},
            {"admin", "text", "cannot read as a sound file"},
        };
        char text[600];
        assert_int_equal(tu_write_temp("notes.wav", "hello\n", text, sizeof text), 0);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            const char *f = strcmp(bad[i].file_kind, "a") == 0       ? enrol_a
                            : strcmp(bad[i].file_kind, "short") == 0 ? shortf
                                                                     : text;
            TU_IK(&r, url, "media", "voiceprint", "add", "--caller", "x", "--reason", "r",
                  "--approved-by", bad[i].who, f);
            TU_ONE_LINE_EXIT2(&r, bad[i].needle);
            tu_result_free(&r);
        }
        TU_IK(&r, url, "media", "voiceprint", "add", "--caller", "x", enrol_a);
        TU_ONE_LINE_EXIT2(&r, "--approved-by");
        tu_result_free(&r);

        TU_IK(&r, url, "media", "voiceprint", "list", "--json");
        assert_int_equal(r.status, 0);
        json_t *list = json_loads(r.out, 0, NULL);
        assert_int_equal(json_array_size(list), 2);
        json_int_t id_a = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(list, 0), "approved_by")), "admin");
        assert_true(json_number_value(json_object_get(json_array_get(list, 0), "speech_s")) >= 10);
        json_decref(list);
        tu_result_free(&r);

        /* Different sentences from the enrolment: each test finds its own speaker. */
        const char *tests[][2] = {{test_a, "090-1111-2222"}, {test_b, "080-3333-4444"}};
        for (int t = 0; t < 2; t++) {
            TU_IK(&r, url, "media", "voiceprint", "match", tests[t][0], "--json");
            assert_int_equal(r.status, 0);
            json_t *m = json_loads(r.out, 0, NULL);
            if (strcmp(json_string_value(json_object_get(m, "caller")), tests[t][1]) != 0)
                fail_msg("match %s: %s", tests[t][0], r.out);
            json_decref(m);
            tu_result_free(&r);
        }
        TU_IK(&r, url, "media", "voiceprint", "match", shortf);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "最も近い発信者"));
        tu_result_free(&r);

        char idtxt[32];
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)id_a);
        TU_IK(&r, url, "media", "voiceprint", "delete", idtxt, "--by", "admin");
        assert_int_equal(r.status, 0);
        tu_result_free(&r);
        assert_true(audit_has(url, "media.voiceprint.delete", "admin"));
        TU_IK(&r, url, "media", "voiceprint", "delete", idtxt);
        TU_ONE_LINE_EXIT2(&r, "no voiceprint");
        tu_result_free(&r);
        TU_IK(&r, url, "media", "voiceprint", "delete", "abc");
        TU_ONE_LINE_EXIT2(&r, "\"abc\"");
        tu_result_free(&r);
        /* With A deleted, A's test speech no longer names A. */
        TU_IK(&r, url, "media", "voiceprint", "match", test_a, "--json");
        assert_int_equal(r.status, 0);
        assert_null(strstr(r.out, "090-1111-2222"));
        tu_result_free(&r);
        TU_IK(&r, url, "media", "voiceprint", "rename");
        TU_ONE_LINE_EXIT2(&r, "expected add");
        tu_result_free(&r);
    }
}

/* Every test file of the 16 espeak-ng voices against every enrolled voice, in process. */
static void test_eer(void **state)
{
    (void)state;
    const char *dir = voices();
    char list[1200];
    snprintf(list, sizeof list, "%s/list.tsv", dir);
    FILE *f = fopen(list, "r");
    assert_non_null(f);
    const struct media_embedder *e = media_embedder_default();
    static float emb[64][512];
    static char spk[64][1400];
    int enrol[64], n = 0;
    char line[1400];
    while (n < 64 && fgets(line, sizeof line, f)) {
        char *kind = strchr(line, '\t'), *path = kind ? strchr(kind + 1, '\t') : NULL;
        assert_non_null(path);
        *kind++ = 0;
        *path++ = 0;
        path[strcspn(path, "\n")] = 0;
        snprintf(spk[n], sizeof spk[n], "%s", line);
        enrol[n] = strcmp(kind, "enrol") == 0;
        float *v;
        double speech;
        char err[600];
        if (media_vp_embed_file(e, path, enrol[n] ? 10 : 3, &v, &speech, err, sizeof err) < 0)
            fail_msg("%s", err);
        memcpy(emb[n], v, (size_t)e->dim * sizeof(float));
        free(v);
        n++;
    }
    fclose(f);
    double gen[64 * 64], imp[64 * 64];
    int ng = 0, ni = 0, tests = 0, right = 0;
    for (int t = 0; t < n; t++) {
        if (enrol[t])
            continue;
        tests++;
        double best = -2;
        int best_same = 0;
        for (int k = 0; k < n; k++) {
            if (!enrol[k])
                continue;
            double sc = media_vp_score(emb[t], emb[k], e->dim);
            int same = strcmp(spk[t], spk[k]) == 0;
            if (same)
                gen[ng++] = sc;
            else
                imp[ni++] = sc;
            if (sc > best) {
                best = sc;
                best_same = same;
            }
        }
        right += best_same;
    }
    double eer, thr;
    media_vp_eer(gen, ng, imp, ni, &eer, &thr);
    print_message("voiceprint %s on %d espeak-ng voice variants (synthetic, not real callers): "
                  "EER %.1f%% at threshold %.3f over %d genuine / %d impostor trials; "
                  "identification %d of %d\n",
                  e->model, tests / 2, 100 * eer, thr, ng, ni, right, tests);
    /* Chance is 1 in 16; a broken embedder lands near it, and an EER near 50%. */
    assert_true(right >= tests * 3 / 4);
    assert_true(eer < 0.25);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ikiiki-media-cli-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const char *data = getenv("IKIIKI_TEST_DATA");
    if (!data)
        return 1;
    snprintf(root, sizeof root, "%s/../..", data);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyze),
        cmocka_unit_test(test_purge),
        cmocka_unit_test(test_voiceprint),
        cmocka_unit_test(test_eer),
    };
    int rc = cmocka_run_group_tests_name("media_cli", tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
