/* ikiiki guard analyze: one call's transcript from stdin through the call guard, line by line,
 * with the staged actions the policy would take. Also the loader the server shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/buf.h"
#include "core/jsonw.h"
#include "core/util.h"
#include "guard/block.h"
#include "guard/guard.h"
#include "store/store_guard.h"
#include "store/store_org.h"
#include "guard/result_json.h"

#define ANALYZE_INPUT_MAX (16u << 20)

int cli_guard_parts(const char *lexicon_path, const harass_policy *p, guard_lexicon **lx,
                    ja_dict **dict, char *err, size_t errlen)
{
    char path[512];
    if (!lexicon_path) {
        if (data_path("lexicon/ja.tsv", path, sizeof path))
            return snprintf(err, errlen, "lexicon: data path too long"), -1;
        lexicon_path = path;
    }
    const char *codes[HARASS_MAX_CATEGORIES];
    int ncodes = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(harass_policy_document(p), "categories"), i, e)
    {
        if (ncodes < HARASS_MAX_CATEGORIES)
            codes[ncodes++] = json_string_value(json_object_get(e, "code"));
    }
    if (guard_lexicon_load(lexicon_path, codes, ncodes, lx, err, errlen))
        return -1;
    if (ja_dict_open(dict, err, errlen)) {
        guard_lexicon_free(*lx);
        return -1;
    }
    return 0;
}

struct line {
    enum guard_speaker who;
    const char *text;
    size_t len;
};

/* Records what the engine would do, with the line that caused it. */
struct recorder {
    json_t *actions;
    int line;
};

static void rec(struct recorder *r, const char *action, const char *prompt)
{
    json_array_append_new(r->actions, json_pack("{s:i, s:s, s:s*}", "line", r->line, "action",
                                                action, "prompt", prompt));
}

/* Where the JSON value at p ends: past a string with its escapes, or a bracketed value, or at the
 * ',' or '}' after a scalar. NULL when the text ends first. */
static const char *value_end(const char *p)
{
    int depth = 0;
    for (; *p; p++) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                return NULL;
            if (depth == 0)
                return p + 1;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
        } else if (*p == ',' && depth == 0) {
            return p;
        }
    }
    return depth == 0 ? p : NULL;
}

/* The top-level members keys[0..n) of a compact JSON object (the engine's alert), each parsed
 * alone into out[] (NULL when absent). The whole alert as a tree, with its reasons and spans, cost
 * a third of a detection per notify. -1 when the text is not the compact object expected. */
static int alert_members(const char *json, const char *const *keys, int n, json_t **out)
{
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    const char *p = json;
    if (*p++ != '{')
        return -1;
    while (*p == '"') {
        const char *kend = value_end(p);
        if (!kend || *kend != ':')
            return -1;
        const char *v = kend + 1, *vend = value_end(v);
        if (!vend)
            return -1;
        size_t klen = (size_t)(kend - p) - 2;
        for (int i = 0; i < n; i++)
            if (!out[i] && strlen(keys[i]) == klen && memcmp(p + 1, keys[i], klen) == 0)
                out[i] = json_loadb(v, (size_t)(vend - v), JSON_DECODE_ANY, NULL);
        p = *vend == ',' ? vend + 1 : vend;
    }
    return *p == '}' ? 0 : -1;
}

static int rec_notify(void *ud, const char *call_id, const char *alert_json)
{
    (void)call_id;
    static const char *const keys[] = {"rule", "stage", "pending_end"};
    json_t *m[3];
    if (alert_members(alert_json, keys, 3, m)) {
        for (int i = 0; i < 3; i++)
            json_decref(m[i]);
        json_t *a = json_loads(alert_json, 0, NULL);
        for (int i = 0; i < 3; i++)
            m[i] = json_incref(json_object_get(a, keys[i]));
        json_decref(a);
    }
    struct recorder *r = ud;
    json_array_append_new(r->actions,
                          json_pack("{s:i, s:s, s:o?, s:o?, s:o?}", "line", r->line, "action",
                                    "notify", "rule", m[0], "stage", m[1], "pending_end", m[2]));
    return 0;
}

static int rec_play(void *ud, const char *call_id, const char *prompt)
{
    (void)call_id;
    rec(ud, "play", prompt);
    return 0;
}

static int rec_end(void *ud, const char *call_id)
{
    (void)call_id;
    rec(ud, "end_call", NULL);
    return 0;
}

static int rec_voicebot(void *ud, const char *call_id)
{
    (void)call_id;
    rec(ud, "voicebot", NULL);
    return 0;
}

static int rec_release(void *ud, const char *call_id)
{
    (void)call_id;
    rec(ud, "release", NULL);
    return 0;
}

/* Splits stdin into checked lines; prints the error and returns EXIT_USAGE on bad input. */
static int read_lines(const struct cli_cmd *cmd, char *data, size_t n, struct line **out,
                      size_t *nout)
{
    size_t cap = 64, count = 0;
    struct line *ls = malloc(cap * sizeof *ls);
    if (!ls)
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    char *p = data, *end = data + n;
    for (int no = 1; p < end; no++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len && p[len - 1] == '\r')
            len--;
        struct line l = {GUARD_CUSTOMER, p, len};
        if (len >= 2 && p[1] == ':' &&
            ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z'))) {
            if (p[0] != 'C' && p[0] != 'O') {
                free(ls);
                return cli_fail(cmd, EXIT_USAGE, "line %d: speaker \"%c\" is not C or O", no, p[0]);
            }
            l.who = p[0] == 'O' ? GUARD_OPERATOR : GUARD_CUSTOMER;
            l.text = p + 2 + (len > 2 && p[2] == ' ');
            l.len = len - (size_t)(l.text - p);
        }
        if (l.len > GUARD_UTTERANCE_MAX) {
            free(ls);
            return cli_fail(cmd, EXIT_USAGE, "line %d: longer than %d bytes", no,
                            GUARD_UTTERANCE_MAX);
        }
        if (!utf8_is_clean(l.text, l.len)) {
            free(ls);
            return cli_fail(cmd, EXIT_USAGE, "line %d: not valid UTF-8 text", no);
        }
        if (count == cap) {
            struct line *g = realloc(ls, (cap *= 2) * sizeof *ls);
            if (!g) {
                free(ls);
                return cli_fail(cmd, EXIT_FAIL, "out of memory");
            }
            ls = g;
        }
        ls[count++] = l;
        p = nl ? nl + 1 : end;
    }
    *out = ls;
    *nout = count;
    return 0;
}

static char *slurp_stdin(size_t *n)
{
    struct buf b;
    buf_init(&b, ANALYZE_INPUT_MAX);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        if (buf_append(&b, chunk, got)) {
            buf_release(&b);
            return NULL;
        }
    *n = b.len;
    return b.data ? buf_detach(&b) : calloc(1, 1);
}

static void print_line_ja(int no, enum guard_speaker who, const struct guard_result *r)
{
    if (!r->harassment && r->ncat == 0)
        return;
    printf("%d行目 (%s): %s", no, who == GUARD_CUSTOMER ? "顧客" : "オペレーター",
           r->harassment ? "カスハラの可能性" : "注意語");
    for (int i = 0; i < r->ncat; i++)
        printf(" %s(%.2f)", r->cat[i].code, r->cat[i].score);
    for (int i = 0; i < r->nspan; i++)
        printf(" 「%s」", r->span[i].term);
    printf("\n");
}

static const char *action_ja(const char *a)
{
    return strcmp(a, "notify") == 0     ? "SVへ通知"
           : strcmp(a, "play") == 0     ? "アナウンス再生"
           : strcmp(a, "end_call") == 0 ? "通話終了"
           : strcmp(a, "voicebot") == 0 ? "ボイスボットへ転送"
                                        : "オペレーターへ戻す";
}

static void print_summary_ja(json_t *call, json_t *actions)
{
    printf("判定: 検出 %d 回、リスク %s、カテゴリ %s\n",
           (int)json_integer_value(json_object_get(call, "detections")),
           json_string_value(json_object_get(call, "risk")),
           *json_string_value(json_object_get(call, "categories"))
               ? json_string_value(json_object_get(call, "categories"))
               : "なし");
    size_t i;
    json_t *a;
    if (json_array_size(actions) == 0)
        printf("対応: なし\n");
    json_array_foreach(actions, i, a)
    {
        const char *prompt = json_string_value(json_object_get(a, "prompt"));
        int line = (int)json_integer_value(json_object_get(a, "line"));
        char where[32];
        if (line)
            snprintf(where, sizeof where, "%d行目で", line);
        else
            str_copy(where, sizeof where, "通話開始時に");
        printf("対応 %zu: %s%s%s%s%s\n", i + 1, where,
               action_ja(json_string_value(json_object_get(a, "action"))), prompt ? " (" : "",
               prompt ? prompt : "", prompt ? ")" : "");
    }
}

/* One object per line, as the command promises (cli_print_json indents). */
static void print_compact(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(v);
}

#define ANALYZE_FLUSH (64u << 10)

struct analyze {
    const struct cli_cmd *cmd;
    int json;
    guard_engine *g;
    struct recorder rec;
    struct buf out; /* --json lines not yet written */
};

static int flush_out(struct analyze *a)
{
    size_t n = a->out.len;
    int bad = n && fwrite(a->out.data, 1, n, stdout) != n;
    buf_reset(&a->out);
    return bad ? cli_fail(a->cmd, EXIT_FAIL, "stdout: write failed") : 0;
}

/* One line per utterance through the line writer: a jansson tree per line cost more than the
 * detection. A result jansson could not print (a score that is not a number) printed nothing. */
static int put_line_json(struct analyze *a, int no, enum guard_speaker who,
                         const struct guard_result *r)
{
    int rc = guard_result_line(&a->out, no, who, r);
    if (rc == JSONW_EINVAL)
        return 0;
    if (!rc)
        rc = buf_append(&a->out, "\n", 1);
    if (rc)
        return cli_fail(a->cmd, EXIT_FAIL, "out of memory");
    return a->out.len >= ANALYZE_FLUSH ? flush_out(a) : 0;
}

static int run_lines(struct analyze *a, const struct line *ls, size_t n)
{
    int rc;
    for (size_t i = 0; i < n; i++) {
        if (ls[i].len == 0)
            continue;
        struct guard_result r;
        a->rec.line = (int)i + 1;
        if (guard_utterance_r(a->g, "cli", ls[i].who, ls[i].text, ls[i].len, -1, -1, &r)) {
            /* The lines before it are printed, as they were when each went out at once. */
            if ((rc = flush_out(a)))
                return rc;
            return cli_fail(a->cmd, EXIT_USAGE, "line %zu: the detector refused the text", i + 1);
        }
        if (!a->json)
            print_line_ja((int)i + 1, ls[i].who, &r);
        else if ((rc = put_line_json(a, (int)i + 1, ls[i].who, &r)))
            return rc;
    }
    return a->json ? flush_out(a) : 0;
}

static int analyze(struct analyze *a, const struct line *ls, size_t n)
{
    if (guard_call_start(a->g, "cli", NULL, NULL, NULL))
        return cli_fail(a->cmd, EXIT_FAIL, "cannot start the call");
    int rc = run_lines(a, ls, n);
    if (rc)
        return rc;
    json_t *call = guard_call_json(a->g, "cli", NULL);
    if (!call)
        return cli_fail(a->cmd, EXIT_FAIL, "out of memory");
    json_object_del(call, "timeline");
    json_object_del(call, "evidence");
    json_object_del(call, "started_at");
    guard_call_end(a->g, "cli");
    if (a->json) {
        print_compact(json_pack("{s:o, s:O}", "call", call, "actions", a->rec.actions));
    } else {
        print_summary_ja(call, a->rec.actions);
        json_decref(call);
    }
    return EXIT_OK;
}

int cmd_guard_analyze(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"json", 0, "one JSON object per line, then the call's summary and actions", NULL, 0},
        {"policy", 1, "harassment policy file (default data/policy/default.json)", NULL, 0},
        {"lexicon", 1, "lexicon file (default data/lexicon/ja.tsv)", NULL, 0},
        {"mode", 1, "advisory, assisted or automatic (default automatic)", NULL, 0},
        {"db", 1, "database URL (unused: analyze reads no store)", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    enum guard_mode mode = GUARD_AUTOMATIC;
    if (cli_get(o, n, "mode") && guard_mode_parse(cli_get(o, n, "mode"), &mode))
        return cli_fail(cmd, EXIT_USAGE, "--mode: \"%s\" is not advisory, assisted or automatic",
                        cli_get(o, n, "mode"));
    char path[512], err[600];
    const char *ppath = cli_get(o, n, "policy");
    if (!ppath && !data_path("policy/default.json", path, sizeof path))
        ppath = path;
    harass_policy *p = NULL;
    guard_lexicon *lx = NULL;
    ja_dict *dict = NULL;
    if (!ppath || harass_policy_load(ppath, &p, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", ppath ? err : "policy path too long");
    if (cli_guard_parts(cli_get(o, n, "lexicon"), p, &lx, &dict, err, sizeof err)) {
        harass_policy_free(p);
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    }
    size_t len = 0, nlines = 0;
    char *data = slurp_stdin(&len);
    struct line *ls = NULL;
    rc = !data ? cli_fail(cmd, EXIT_USAGE, "stdin: more than %u bytes", ANALYZE_INPUT_MAX)
               : read_lines(cmd, data, len, &ls, &nlines);
    struct analyze a = {.cmd = cmd, .json = cli_flag(o, n, "json")};
    buf_init(&a.out, 0);
    a.rec.actions = json_array();
    struct guard_actions ad = {&a.rec, rec_notify, rec_play, rec_end, rec_voicebot, rec_release};
    struct guard_config cfg = {.policy = p,
                               .policy_version = 0,
                               .lexicon = lx,
                               .ja_dict = dict,
                               .mode = mode,
                               .actions = &ad,
                               .nactions = 1,
                               .no_timer = 1,
                               .no_timeline = 1};
    if (!rc && guard_engine_new(&cfg, &a.g, err, sizeof err))
        rc = cli_fail(cmd, EXIT_FAIL, "%s", err);
    if (!rc)
        rc = analyze(&a, ls, nlines);
    guard_engine_free(a.g);
    buf_release(&a.out);
    json_decref(a.rec.actions);
    free(ls);
    free(data);
    guard_lexicon_free(lx);
    ja_dict_close(dict);
    harass_policy_free(p);
    return rc;
}

/* ---- ikiiki guard block add|list|remove ---- */

static int block_add(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store *s)
{
    const char *caller = cli_get(o, n, "caller"), *reason = cli_get(o, n, "reason");
    if (!caller || !reason)
        return cli_fail(cmd, EXIT_USAGE, "add: --caller NUMBER and --reason TEXT are required");
    const char *by = cli_get(o, n, "by");
    struct org_user u;
    if (by && store_user_get(s, by, &u))
        return cli_fail(cmd, EXIT_USAGE, "--by: user \"%.64s\" does not exist", by);
    struct store_guard_block b;
    char err[300];
    int rc = guard_block_add(s, caller, cli_get(o, n, "center"), reason, by ? by : "cli", NULL, &b,
                             err, sizeof err);
    if (rc)
        return cli_fail(cmd, rc == IK_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s", err);
    if (cli_flag(o, n, "json"))
        return cli_print_json(guard_block_json(&b));
    printf("ブロック %lld を登録しました (%s)\n", (long long)b.id,
           b.center[0] ? b.center : "全センター");
    return EXIT_OK;
}

static int block_list(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store *s)
{
    const char *center = cli_get(o, n, "center");
    const char *centers[2] = {center ? center : "", ""};
    struct store_guard_block *bl = NULL;
    size_t nb = 0;
    if (store_guard_block_list(s, centers, center ? 2 : -1, &bl, &nb))
        return cli_fail(cmd, EXIT_FAIL, "block list: %s", store_errmsg(s));
    if (cli_flag(o, n, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < nb; i++)
            json_array_append_new(arr, guard_block_json(&bl[i]));
        free(bl);
        return cli_print_json(json_pack("{s:o}", "blocks", arr));
    }
    if (nb == 0)
        printf("ブロックはありません\n");
    for (size_t i = 0; i < nb; i++)
        printf("%lld\t%s\t%.12s…\t%s\t%s\n", (long long)bl[i].id,
               bl[i].center[0] ? bl[i].center : "*", bl[i].caller_ref, bl[i].added_by,
               bl[i].reason);
    free(bl);
    return EXIT_OK;
}

static int block_remove(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store *s)
{
    const char *caller = cli_get(o, n, "caller"), *center = cli_get(o, n, "center");
    int64_t id = 0;
    int rc;
    char err[300];
    if (cli_get(o, n, "id") && (rc = cli_int(cmd, o, n, "id", 1, INT64_MAX, &id)))
        return rc;
    if (!id == !caller)
        return cli_fail(cmd, EXIT_USAGE, "remove: give --caller NUMBER or --id N");
    if (caller) {
        char ref[65];
        if ((rc = guard_block_ref(s, caller, ref, err, sizeof err)))
            return cli_fail(cmd, rc == IK_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s", err);
        const char *centers[1] = {center ? center : ""};
        struct store_guard_block *bl = NULL;
        size_t nb = 0;
        if (store_guard_block_list(s, centers, 1, &bl, &nb))
            return cli_fail(cmd, EXIT_FAIL, "block list: %s", store_errmsg(s));
        for (size_t i = 0; i < nb && !id; i++)
            if (strcmp(bl[i].caller_ref, ref) == 0)
                id = bl[i].id;
        free(bl);
        if (!id)
            return cli_fail(cmd, EXIT_USAGE, "--caller: \"%.40s\" is not on the block list of %s",
                            caller, center ? center : "every center");
    }
    const char *by = cli_get(o, n, "by");
    rc = guard_block_remove(s, id, by ? by : "cli", NULL, err, sizeof err);
    if (rc)
        return cli_fail(cmd, rc == STORE_NOTFOUND ? EXIT_USAGE : EXIT_FAIL, "%s", err);
    printf("ブロック %lld を解除しました\n", (long long)id);
    return EXIT_OK;
}

int cmd_guard_block(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"caller", 1, "the caller's phone number (stored only as a keyed hash)", NULL, 0},
        {"reason", 1, "with add: why the caller is blocked", NULL, 0},
        {"center", 1, "center code (default: every center)", NULL, 0},
        {"by", 1, "who makes the change (audit; default cli)", NULL, 0},
        {"id", 1, "with remove: the entry's id", NULL, 0},
        {"json", 0, "machine-readable output", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 1, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *what = npos ? pos[0] : "";
    int (*fn)(const struct cli_cmd *, const struct cli_opt *, int, store *) =
        strcmp(what, "add") == 0      ? block_add
        : strcmp(what, "list") == 0   ? block_list
        : strcmp(what, "remove") == 0 ? block_remove
                                      : NULL;
    if (!fn)
        return cli_fail(cmd, EXIT_USAGE, "expected add, list or remove, not \"%.20s\"", what);
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    rc = fn(cmd, o, n, s);
    store_free(s);
    return rc;
}
