/* ikiiki media …: analyse a sound file, purge old recordings, manage caller voiceprints. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/util.h"
#include "media/audio.h"
#include "store/store_media.h"
#include "store/store_org.h"

#define ENROL_MIN_SPEECH_S 10.0

/* ---- analyze ---- */

static int analyze_file(const char *path, char **json, char *err, size_t errlen)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    int rate = 0;
    /* Rates the analyzer takes are kept (it resamples on the way in, as in a live call); others
     * are brought to 8 kHz by the loader. */
    int rc = media_wav_load(path, 0, 0, &pcm, &n, &rate, err, errlen);
    if (rc == 0 && (rate < MEDIA_RATE_MIN || rate > MEDIA_RATE_MAX)) {
        free(pcm);
        pcm = NULL;
        rate = MEDIA_WORK_RATE;
        rc = media_wav_load(path, rate, 0, &pcm, &n, NULL, err, errlen);
    }
    if (rc < 0)
        return EXIT_USAGE;
    media_analyzer *a = media_analyzer_new(rate);
    rc = EXIT_FAIL;
    if (a && media_analyzer_keep_seconds(a, 1) == 0 && media_analyzer_push(a, pcm, n, NULL) >= 0 &&
        media_analyzer_summary_json(a, json) == 0)
        rc = EXIT_OK;
    else
        snprintf(err, errlen, "%s: out of memory", path);
    media_analyzer_free(a);
    free(pcm);
    return rc;
}

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static void print_summary(const char *path, json_t *o)
{
    printf("ファイル: %s\n", path);
    printf("長さ: %.1f 秒（発話 %.1f 秒、%.0f%%）\n", num(o, "duration_s"), num(o, "speech_s"),
           100 * num(o, "speech_ratio"));
    if (num(o, "speech_s") > 0) {
        printf("音量（発話部）: 平均 %.1f dBFS、95%%点 %.1f dBFS（基準 %.1f dBFS）\n",
               num(o, "level_dbfs"), num(o, "level_dbfs_p95"), num(o, "level_dbfs_baseline"));
        printf("声の高さ: 中央値 %.0f Hz（基準 %.0f Hz）\n", num(o, "pitch_hz_median"),
               num(o, "pitch_hz_baseline"));
    } else {
        printf("発話は検出されませんでした\n");
    }
    printf("興奮度（声の大きさ・高さの上昇、0〜1）: 終了時 %.2f、最大 %.2f\n", num(o, "arousal"),
           num(o, "arousal_max"));
    printf("大声: %s", json_is_true(json_object_get(o, "shouting")) ? "あり" : "なし");
    if (json_is_true(json_object_get(o, "shouting")))
        printf("（%.1f 秒）", num(o, "shouting_s"));
    printf("\n※ 韻律（音量と声の高さ）による目安で、感情の判定ではありません\n");
}

int cmd_media_analyze(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL (not used: the analysis reads only the file)", NULL, 0},
        {"json", 0, "print the analysis as JSON, with per-second detail", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 1, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos != 1)
        return cli_fail(cmd, EXIT_USAGE, "expected one sound file (FILE.wav)");
    char err[600], *json = NULL;
    rc = analyze_file(pos[0], &json, err, sizeof err);
    if (rc)
        return cli_fail(cmd, rc, "%s", err);
    json_error_t jerr;
    json_t *doc = json_loads(json, JSON_DECODE_ANY, &jerr);
    free(json);
    if (!doc)
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    if (cli_flag(o, n, "json"))
        return cli_print_json(doc);
    print_summary(pos[0], doc);
    json_decref(doc);
    return EXIT_OK;
}

/* ---- purge ---- */

int cmd_media_purge(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"days", 1, "delete recordings older than this many days (required)", NULL, 0},
        {"db", 1, "database URL (not used: recordings are files)", NULL, 0},
        {"json", 0, "print the count as JSON", NULL, 0},
        {"root", 1, "recordings folder (default $IKIIKI_RECORDINGS, else ./recordings)", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!cli_get(o, n, "days"))
        return cli_fail(cmd, EXIT_USAGE, "option \"--days\" is required");
    int64_t days;
    if ((rc = cli_int(cmd, o, n, "days", 0, 36500, &days)))
        return rc;
    const char *root = cli_get(o, n, "root");
    if (!root)
        root = getenv("IKIIKI_RECORDINGS");
    if (!root || !*root)
        root = "recordings";
    char err[600];
    int removed = 0;
    rc = media_recording_purge(root, (int)days, time(NULL), &removed, err, sizeof err);
    if (rc == -ENOENT)
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    if (rc < 0)
        return cli_fail(cmd, EXIT_FAIL, "%s", err);
    if (cli_flag(o, n, "json"))
        return cli_print_json(
            json_pack("{s:i,s:I,s:s}", "removed", removed, "days", (json_int_t)days, "root", root));
    printf("%d 件の録音を削除しました（%lld 日より古いもの、%s）\n", removed, (long long)days,
           root);
    return EXIT_OK;
}

/* ---- voiceprints ---- */

/* Loads the enrolled voiceprints of the default embedder into set (also used by serve). */
int cli_vp_load_set(store *s, struct media_vp_set *set, char *err, size_t errlen)
{
    const struct media_embedder *e = media_embedder_default();
    media_vp_set_init(set, e);
    struct store_voiceprint *v = NULL;
    size_t nv = 0;
    int rc = store_voiceprint_list(s, e->model, &v, &nv);
    if (rc) {
        snprintf(err, errlen, "%s", store_errmsg(s));
        return rc;
    }
    float *emb = malloc((size_t)e->dim * sizeof(float));
    rc = emb ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < nv; i++) {
        /* A damaged row is reported, not skipped: a silent gap would hide a known caller. */
        if (media_vp_from_json(v[i].embedding, e->dim, emb) < 0) {
            snprintf(err, errlen, "voiceprint %lld: embedding is not %d numbers",
                     (long long)v[i].id, e->dim);
            rc = -EINVAL;
        } else if ((rc = media_vp_set_add(set, v[i].caller_ref, emb)) < 0) {
            snprintf(err, errlen, "out of memory");
        }
    }
    free(emb);
    free(v);
    if (rc)
        media_vp_set_release(set);
    return rc;
}

static int check_approver(const struct cli_cmd *cmd, store *s, const char *login)
{
    struct org_user u;
    int rc = store_user_get(s, login, &u);
    if (rc == STORE_NOTFOUND)
        return cli_fail(cmd, EXIT_USAGE, "--approved-by: no user \"%s\"", login);
    if (rc)
        return cli_store_fail(cmd, s, rc, "approver");
    if (!org_role_can_approve_voiceprint(u.role))
        return cli_fail(cmd, EXIT_USAGE,
                        "--approved-by: user \"%s\" is %s, not a center manager or admin", login,
                        org_role_name(u.role));
    return 0;
}

static int vp_add(const struct cli_cmd *cmd, const struct cli_opt *o, int n, const char *file)
{
    const char *caller = cli_get(o, n, "caller"), *reason = cli_get(o, n, "reason"),
               *by = cli_get(o, n, "approved-by");
    if (!caller || !*caller || !reason || !*reason || !by || !*by)
        return cli_fail(cmd, EXIT_USAGE, "add needs --caller, --reason and --approved-by");
    if (strlen(caller) >= STORE_VP_REF_MAX || !utf8_is_clean(caller, strlen(caller)))
        return cli_fail(cmd, EXIT_USAGE, "--caller: \"%.40s\" is not 1–127 bytes of clean UTF-8",
                        caller);
    if (strlen(reason) >= STORE_VP_TEXT_MAX || !utf8_is_clean(reason, strlen(reason)))
        return cli_fail(cmd, EXIT_USAGE, "--reason: not 1–255 bytes of clean UTF-8");
    store *s;
    int rc = cli_open_store(cmd, o, n, &s);
    if (rc)
        return rc;
    if ((rc = check_approver(cmd, s, by))) {
        store_free(s);
        return rc;
    }
    const struct media_embedder *e = media_embedder_default();
    char err[600], *json = NULL;
    float *emb = NULL;
    double speech_s = 0;
    if (media_vp_embed_file(e, file, ENROL_MIN_SPEECH_S, &emb, &speech_s, err, sizeof err) < 0) {
        store_free(s);
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    }
    struct store_voiceprint v = {0};
    rc = media_vp_to_json(emb, e->dim, &json);
    free(emb);
    if (rc < 0 || str_copy(v.embedding, sizeof v.embedding, json) < 0) {
        free(json);
        store_free(s);
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    }
    free(json);
    str_copy(v.caller_ref, sizeof v.caller_ref, caller);
    str_copy(v.model, sizeof v.model, e->model);
    str_copy(v.reason, sizeof v.reason, reason);
    str_copy(v.approved_by, sizeof v.approved_by, by);
    const char *base = strrchr(file, '/');
    str_copy(v.source, sizeof v.source, base ? base + 1 : file);
    v.speech_ms = (int64_t)(speech_s * 1000);
    char id[32];
    rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store_voiceprint_add(s, &v);
    snprintf(id, sizeof id, "%lld", (long long)v.id);
    if (rc == STORE_OK)
        rc = store_audit_add(s, by, "media.voiceprint.add", caller, reason, id);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc) {
        store_rollback(s);
        rc = cli_store_fail(cmd, s, rc, "voiceprint");
        store_free(s);
        return rc;
    }
    store_free(s);
    if (cli_flag(o, n, "json"))
        return cli_print_json(json_pack("{s:I,s:s,s:s,s:f}", "id", (json_int_t)v.id, "caller",
                                        caller, "model", e->model, "speech_s", speech_s));
    printf("声紋を登録しました: id %lld、発信者 %s（発話 %.1f 秒）\n", (long long)v.id, caller,
           speech_s);
    return EXIT_OK;
}

static int vp_list(const struct cli_cmd *cmd, const struct cli_opt *o, int n)
{
    store *s;
    int rc = cli_open_store(cmd, o, n, &s);
    if (rc)
        return rc;
    struct store_voiceprint *v = NULL;
    size_t nv = 0;
    rc = store_voiceprint_list(s, NULL, &v, &nv);
    if (rc) {
        rc = cli_store_fail(cmd, s, rc, "voiceprints");
        store_free(s);
        return rc;
    }
    store_free(s);
    json_t *arr = cli_flag(o, n, "json") ? json_array() : NULL;
    if (!arr)
        printf("%-5s %-20s %-14s %7s %-12s %s\n", "id", "発信者", "モデル", "発話秒", "承認者",
               "理由");
    for (size_t i = 0; i < nv; i++) {
        char when[32];
        time_iso8601(v[i].created_at, when, sizeof when);
        if (arr)
            json_array_append_new(
                arr, json_pack("{s:I,s:s,s:s,s:f,s:s,s:s,s:s,s:s}", "id", (json_int_t)v[i].id,
                               "caller", v[i].caller_ref, "model", v[i].model, "speech_s",
                               v[i].speech_ms / 1000.0, "source", v[i].source, "reason",
                               v[i].reason, "approved_by", v[i].approved_by, "created_at", when));
        else
            printf("%-5lld %-20s %-14s %7.1f %-12s %s\n", (long long)v[i].id, v[i].caller_ref,
                   v[i].model, v[i].speech_ms / 1000.0, v[i].approved_by, v[i].reason);
    }
    free(v);
    return arr ? cli_print_json(arr) : EXIT_OK;
}

static int vp_delete(const struct cli_cmd *cmd, const struct cli_opt *o, int n, const char *idtxt)
{
    int64_t id;
    if (parse_int64(idtxt, 1, INT64_MAX, &id))
        return cli_fail(cmd, EXIT_USAGE, "delete: id \"%.20s\" is not a positive number", idtxt);
    const char *by = cli_get(o, n, "by") ? cli_get(o, n, "by") : "cli";
    store *s;
    int rc = cli_open_store(cmd, o, n, &s);
    if (rc)
        return rc;
    struct store_voiceprint v;
    rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store_voiceprint_get(s, id, &v);
    if (rc == STORE_OK)
        rc = store_voiceprint_delete(s, id);
    if (rc == STORE_OK)
        rc = store_audit_add(s, by, "media.voiceprint.delete", v.caller_ref, "", idtxt);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc) {
        store_rollback(s);
        if (rc == STORE_NOTFOUND)
            rc = cli_fail(cmd, EXIT_USAGE, "delete: no voiceprint %lld", (long long)id);
        else
            rc = cli_store_fail(cmd, s, rc, "voiceprint");
        store_free(s);
        return rc;
    }
    store_free(s);
    printf("声紋 %lld（%s）を削除しました\n", (long long)id, v.caller_ref);
    return EXIT_OK;
}

static int vp_match(const struct cli_cmd *cmd, const struct cli_opt *o, int n, const char *file)
{
    const struct media_embedder *e = media_embedder_default();
    char err[600];
    float *emb = NULL;
    double speech_s = 0;
    if (media_vp_embed_file(e, file, MEDIA_VP_MIN_SPEECH_S, &emb, &speech_s, err, sizeof err) < 0)
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    store *s;
    int rc = cli_open_store(cmd, o, n, &s);
    struct media_vp_set set;
    if (rc == 0 && cli_vp_load_set(s, &set, err, sizeof err) != 0)
        rc = cli_fail(cmd, EXIT_FAIL, "%s", err);
    store_free(rc ? NULL : s);
    if (rc) {
        free(emb);
        return rc;
    }
    int best = -1;
    double score = 0;
    for (int i = 0; i < set.n; i++) {
        double sc = media_vp_score(emb, set.v[i].emb, e->dim);
        if (best < 0 || sc > score) {
            best = i;
            score = sc;
        }
    }
    free(emb);
    int match = best >= 0 && score >= e->threshold;
    if (cli_flag(o, n, "json")) {
        json_t *r = json_pack("{s:o,s:o,s:b,s:f,s:f,s:i}", "caller",
                              best >= 0 ? json_string(set.v[best].caller) : json_null(), "score",
                              best >= 0 ? json_real(score) : json_null(), "match", match,
                              "threshold", e->threshold, "speech_s", speech_s, "enrolled", set.n);
        media_vp_set_release(&set);
        return cli_print_json(r);
    }
    if (best < 0)
        printf("登録済みの声紋がありません\n");
    else
        printf("最も近い発信者: %s（スコア %.3f、しきい値 %.3f）— %s\n", set.v[best].caller, score,
               e->threshold, match ? "一致の可能性あり" : "一致せず");
    media_vp_set_release(&set);
    return EXIT_OK;
}

int cmd_media_voiceprint(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"approved-by", 1, "with add: login of the approving center manager or admin", NULL, 0},
        {"by", 1, "with delete: who deletes it (audit)", NULL, 0},
        {"caller", 1, "with add: the caller's reference (phone number, customer id …)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print JSON", NULL, 0},
        {"reason", 1, "with add: why this caller's voice is kept", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    const char *pos[2];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 2, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *what = npos ? pos[0] : "";
    if (strcmp(what, "add") == 0 && npos == 2)
        return vp_add(cmd, o, n, pos[1]);
    if (strcmp(what, "list") == 0 && npos == 1)
        return vp_list(cmd, o, n);
    if (strcmp(what, "delete") == 0 && npos == 2)
        return vp_delete(cmd, o, n, pos[1]);
    if (strcmp(what, "match") == 0 && npos == 2)
        return vp_match(cmd, o, n, pos[1]);
    return cli_fail(cmd, EXIT_USAGE, "expected add FILE.wav, list, delete ID or match FILE.wav");
}
