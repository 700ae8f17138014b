/* ikiiki harass …: カスハラ対応 — judge, flag, review, the weekly queue, field-vs-HQ agreement,
 * the policy and the care tasks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/util.h"
#include "harass/agreement.h"
#include "harass/harass.h"
#include "store/store_harass.h"
#include "svc/svc_harass.h"
#include "store/store_org.h"

/* Everything a harass command holds: the store and the policy in force. */
struct hctx {
    store *s;
    harass_policy *policy;
    int version;
};

static void hctx_release(struct hctx *h)
{
    harass_policy_free(h->policy);
    store_free(h->s);
}

static int hctx_open(const struct cli_cmd *cmd, const struct cli_opt *o, int n, struct hctx *h)
{
    char path[512], err[600];
    memset(h, 0, sizeof *h);
    int rc = cli_open_store(cmd, o, n, &h->s);
    if (rc)
        return rc;
    if (data_path("policy/default.json", path, sizeof path) ||
        harass_policy_active(h->s, path, &h->policy, &h->version, err, sizeof err)) {
        store_free(h->s);
        return cli_fail(cmd, EXIT_FAIL, "%s", err);
    }
    return 0;
}

static int level_opt(const struct cli_cmd *cmd, const struct cli_opt *o, int n, const char *name,
                     int *out)
{
    const char *v = cli_get(o, n, name);
    int64_t x;
    if (!v)
        return cli_fail(cmd, EXIT_USAGE, "option \"--%s\" is required (0, 1, 2, 3 or 4)", name);
    if (parse_int64(v, 0, 4, &x))
        return cli_fail(cmd, EXIT_USAGE, "--%s: value \"%.20s\" is not one of 0, 1, 2, 3, 4", name,
                        v);
    *out = (int)x;
    return 0;
}

/* "11-18 10:00" in Japan time, for people reading the terminal (JSON keeps UTC ISO 8601). */
static const char *jst_short(const char *iso, char *out, size_t outlen)
{
    int64_t t;
    if (!iso || harass_parse_time(iso, &t)) {
        str_copy(out, outlen, "-");
        return out;
    }
    time_t local = (time_t)(t + 9 * 3600);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, outlen, "%m-%d %H:%M", &tm);
    return out;
}

static int harass_fail(const struct cli_cmd *cmd, int rc, const char *err)
{
    return cli_fail(cmd, rc == HARASS_ESTORE ? EXIT_FAIL : EXIT_USAGE, "%s", err);
}

int cmd_harass_judge(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"behaviour", 1, "behaviour level 0–4 (手段・態様)", NULL, 0},
        {"demand", 1, "demand level 0–4 (要求内容)", NULL, 0},
        {"request", 1, "escalation codes raised, comma-separated (e.g. legal_action)", NULL, 0},
        {"db", 1, "database URL (for the policy in force)", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o), b, d;
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if ((rc = level_opt(cmd, o, n, "behaviour", &b)) || (rc = level_opt(cmd, o, n, "demand", &d)))
        return rc;
    struct hctx h;
    if ((rc = hctx_open(cmd, o, n, &h)))
        return rc;
    char err[1200], reqs[256] = "";
    const char *req[HARASS_MAX_CATEGORIES];
    int nreq = 0;
    const char *given = cli_get(o, n, "request");
    if (given && harass_requests_check(h.policy, given, reqs, sizeof reqs, err, sizeof err)) {
        hctx_release(&h);
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    }
    nreq = harass_split_codes(reqs, req, HARASS_MAX_CATEGORIES);
    struct harass_judgement j;
    if (harass_judge(h.policy, b, d, req, nreq, &j, err, sizeof err)) {
        hctx_release(&h);
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    }
    json_t *out = harass_judgement_json(h.policy, b, d, &j);
    json_object_set_new(out, "policy_version", json_integer(h.version));
    hctx_release(&h);
    if (cli_flag(o, n, "json"))
        return cli_print_json(out);
    printf("%s (%s) — %s\n", json_string_value(json_object_get(out, "verdict_label")),
           json_string_value(json_object_get(out, "verdict")),
           json_string_value(json_object_get(out, "response_label")));
    json_decref(out);
    return EXIT_OK;
}

int cmd_harass_flag(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "center code", NULL, 0},
        {"operator", 1, "login of the operator who took the interaction", NULL, 0},
        {"behaviour", 1, "behaviour level 0–4", NULL, 0},
        {"demand", 1, "demand level 0–4", NULL, 0},
        {"category", 1, "category codes, comma-separated (abuse, threat, insult, …)", NULL, 0},
        {"request", 1, "escalation codes raised (legal_action, refund_over_limit, media)", NULL, 0},
        {"at", 1, "when it happened, ISO 8601 (default now; without a zone: Japan time)", NULL, 0},
        {"memo", 1, "a one-line memo", NULL, 0},
        {"caller", 1, "the caller's phone number (only a keyed hash is stored)", NULL, 0},
        {"channel", 1, "phone (default), chat, mail or visit", NULL, 0},
        {"interaction", 1, "the interaction's reference in the center's system", NULL, 0},
        {"source", 1, "operator (default), supervisor or guard", NULL, 0},
        {"by", 1, "login of who flags (default: the operator)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct harass_flag_input in = {
        .center = cli_get(o, n, "center"),
        .operator= cli_get(o, n, "operator"),
        .categories = cli_get(o, n, "category"),
        .requests = cli_get(o, n, "request"),
        .channel = cli_get(o, n, "channel"),
        .interaction = cli_get(o, n, "interaction"),
        .memo = cli_get(o, n, "memo"),
        .caller_number = cli_get(o, n, "caller"),
        .source = cli_get(o, n, "source"),
    };
    in.by = cli_get(o, n, "by") ? cli_get(o, n, "by") : in.operator;
    if (!in.center || !in.operator|| !in.categories)
        return cli_fail(cmd, EXIT_USAGE,
                        "options --center, --operator, --behaviour, --demand and --category are "
                        "required");
    if ((rc = level_opt(cmd, o, n, "behaviour", &in.behaviour)) ||
        (rc = level_opt(cmd, o, n, "demand", &in.demand)))
        return rc;
    const char *at = cli_get(o, n, "at");
    if (at && harass_parse_time(at, &in.occurred_at))
        return cli_fail(cmd, EXIT_USAGE,
                        "--at: \"%.40s\" is not a time like 2026-11-20T14:30 or 2026-11-20", at);
    struct hctx h;
    if ((rc = hctx_open(cmd, o, n, &h)))
        return rc;
    struct harass_case c;
    char err[1200];
    rc = harass_flag(h.s, h.policy, h.version, &in, &c, err, sizeof err);
    if (rc) {
        hctx_release(&h);
        return harass_fail(cmd, rc, err);
    }
    json_t *j = harass_case_json(h.policy, &c);
    hctx_release(&h);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    printf("case %lld flagged: %s (week %s)\n", (long long)c.id,
           json_string_value(json_object_get(json_object_get(j, "field"), "verdict_label")),
           c.week);
    json_decref(j);
    return EXIT_OK;
}

int cmd_harass_review(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"behaviour", 1, "behaviour level 0–4 as the reviewer sees it", NULL, 0},
        {"demand", 1, "demand level 0–4 as the reviewer sees it", NULL, 0},
        {"reviewer", 1, "login of the reviewer", NULL, 0},
        {"note", 1, "a one-line note", NULL, 0},
        {"amend", 0, "replace an earlier review (the earlier one is kept in the history)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o), b, d;
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 1, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t id;
    if (npos != 1 || parse_int64(pos[0], 1, INT64_MAX, &id))
        return cli_fail(cmd, EXIT_USAGE,
                        "expected the case number, e.g. ikiiki harass review 12 "
                        "--behaviour 2 --demand 3");
    if ((rc = level_opt(cmd, o, n, "behaviour", &b)) || (rc = level_opt(cmd, o, n, "demand", &d)))
        return rc;
    const char *note = cli_get(o, n, "note");
    if (note && (strlen(note) >= 512 || !utf8_is_clean(note, strlen(note))))
        return cli_fail(cmd, EXIT_USAGE, "--note: must be one line of text under 512 bytes");
    struct hctx h;
    if ((rc = hctx_open(cmd, o, n, &h)))
        return rc;
    struct harass_case c;
    char err[1200];
    const char *reviewer = cli_get(o, n, "reviewer");
    struct org_user who;
    if (reviewer && store_user_get(h.s, reviewer, &who)) {
        hctx_release(&h);
        return cli_fail(cmd, EXIT_USAGE, "--reviewer: user \"%.40s\" does not exist", reviewer);
    }
    rc = harass_review(h.s, h.policy, h.version, id, reviewer ? reviewer : "cli", b, d, note,
                       cli_flag(o, n, "amend"), &c, err, sizeof err);
    if (rc) {
        hctx_release(&h);
        return harass_fail(cmd, rc, err);
    }
    json_t *j = harass_case_json(h.policy, &c);
    struct harass_review *hist = NULL;
    size_t nh = 0;
    if (store_harass_review_list(h.s, id, &hist, &nh) == STORE_OK) {
        json_t *arr = json_array();
        for (size_t i = 0; i < nh; i++)
            json_array_append_new(arr, harass_review_json(&hist[i]));
        json_object_set_new(j, "history", arr);
        free(hist);
    }
    hctx_release(&h);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    printf("case %lld reviewed: %s\n", (long long)id,
           json_string_value(json_object_get(json_object_get(j, "final"), "verdict_label")));
    json_decref(j);
    return EXIT_OK;
}

static int center_opt(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store *s,
                      struct org_center *c)
{
    const char *code = cli_get(o, n, "center");
    char err[200];
    if (!code)
        return cli_fail(cmd, EXIT_USAGE, "option \"--center\" is required");
    int rc = store_center_get(s, code, c);
    if (rc) {
        snprintf(err, sizeof err, "--center: center \"%.40s\"", code);
        return cli_store_fail(cmd, s, rc, err);
    }
    return 0;
}

int cmd_harass_queue(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "center code", NULL, 0},
        {"week", 1, "ISO week, e.g. 2026-W47 (default: this week, Japan time)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char week[12];
    int64_t start;
    if (cli_get(o, n, "week")) {
        if (harass_week_start(cli_get(o, n, "week"), &start))
            return cli_fail(cmd, EXIT_USAGE, "--week: \"%.20s\" is not an ISO week like 2026-W47",
                            cli_get(o, n, "week"));
        str_copy(week, sizeof week, cli_get(o, n, "week"));
    } else {
        harass_iso_week(now_unix(), week);
    }
    struct hctx h;
    struct org_center c;
    if ((rc = hctx_open(cmd, o, n, &h)))
        return rc;
    if ((rc = center_opt(cmd, o, n, h.s, &c))) {
        hctx_release(&h);
        return rc;
    }
    struct harass_case *cases = NULL;
    size_t cnt = 0;
    if ((rc = store_harass_case_week(h.s, c.id, week, &cases, &cnt))) {
        rc = cli_store_fail(cmd, h.s, rc, "cases");
        hctx_release(&h);
        return rc;
    }
    json_t *arr = json_array();
    int pending = 0;
    for (size_t i = 0; i < cnt; i++) {
        json_array_append_new(arr, harass_case_json(h.policy, &cases[i]));
        pending += cases[i].reviews == 0;
    }
    free(cases);
    hctx_release(&h);
    json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:o}", "center", c.code, "week", week, "total",
                          (int)cnt, "pending", pending, "cases", arr);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    printf("%s %s: %zu 件 (未レビュー %d 件)\n", c.code, week, cnt, pending);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        json_t *f = json_object_get(v, "field"), *fin = json_object_get(v, "final");
        char when[32];
        printf("  #%-5lld %-12s %s  現場: %s",
               (long long)json_integer_value(json_object_get(v, "id")),
               json_string_value(json_object_get(v, "operator")),
               jst_short(json_string_value(json_object_get(v, "at")), when, sizeof when),
               json_string_value(json_object_get(f, "verdict_label")));
        if (json_is_object(fin))
            printf(" → 本部: %s", json_string_value(json_object_get(fin, "verdict_label")));
        printf("\n");
    }
    json_decref(j);
    return EXIT_OK;
}

/* A day (YYYY-MM-DD, Japan time) as the start of that day. */
static int day_opt(const struct cli_cmd *cmd, const struct cli_opt *o, int n, const char *name,
                   int64_t *out)
{
    const char *v = cli_get(o, n, name);
    if (!v)
        return cli_fail(cmd, EXIT_USAGE, "option \"--%s\" is required (YYYY-MM-DD)", name);
    if (strlen(v) != 10 || harass_parse_time(v, out))
        return cli_fail(cmd, EXIT_USAGE, "--%s: \"%.20s\" is not a date YYYY-MM-DD", name, v);
    return 0;
}

int cmd_harass_agreement(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "center code", NULL, 0},
        {"from", 1, "first day, YYYY-MM-DD (Japan time)", NULL, 0},
        {"to", 1, "last day, YYYY-MM-DD (included)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t from, to;
    if ((rc = day_opt(cmd, o, n, "from", &from)) || (rc = day_opt(cmd, o, n, "to", &to)))
        return rc;
    if (to < from)
        return cli_fail(cmd, EXIT_USAGE, "--to: comes before --from");
    struct hctx h;
    struct org_center c;
    if ((rc = hctx_open(cmd, o, n, &h)))
        return rc;
    if ((rc = center_opt(cmd, o, n, h.s, &c))) {
        hctx_release(&h);
        return rc;
    }
    struct harass_case *cases = NULL;
    size_t cnt = 0;
    rc = store_harass_case_reviewed(h.s, c.id, from, to + 86400, &cases, &cnt);
    if (rc) {
        rc = cli_store_fail(cmd, h.s, rc, "cases");
        hctx_release(&h);
        return rc;
    }
    hctx_release(&h);
    struct agree_result r;
    json_t *j = harass_agreement_json(cases, cnt, &r);
    free(cases);
    if (!j)
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    json_object_set_new(j, "center", json_string(c.code));
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    printf("%s: %zu 件, 一致率 %.1f%%\n", c.code, r.n, r.agreement * 100);
    char k[3][16];
    const double val[3] = {r.kappa, r.kappa_behaviour_w, r.kappa_demand_w};
    const int defined[3] = {r.kappa_defined, r.kappa_b_defined, r.kappa_d_defined};
    for (int i = 0; i < 3; i++)
        snprintf(k[i], sizeof k[i], defined[i] ? "%.3f" : "—", val[i]);
    printf("  κ (判定) %s, κw (行為) %s, κw (要求) %s\n", k[0], k[1], k[2]);
    json_decref(j);
    return EXIT_OK;
}

static void print_policy(const harass_policy *p, int version)
{
    json_t *doc = harass_policy_document(p);
    static const char *const mark[] = {"○", "△", "×"};
    printf("%s (version %d)\n\n", json_string_value(json_object_get(doc, "name")), version);
    printf("行為＼要求  ");
    for (int d = 0; d < HARASS_LEVELS; d++)
        printf(" %d", d);
    printf("     ○ %s  △ %s  × %s\n", harass_verdict_label(p, VERDICT_CLAIM),
           harass_verdict_label(p, VERDICT_GREY), harass_verdict_label(p, VERDICT_HARASSMENT));
    for (int b = 0; b < HARASS_LEVELS; b++) {
        printf("  %d %-18s", b,
               json_string_value(json_object_get(
                   json_array_get(json_object_get(doc, "behaviour"), (size_t)b), "label")));
        for (int d = 0; d < HARASS_LEVELS; d++) {
            struct harass_judgement j;
            char err[200];
            if (harass_judge(p, b, d, NULL, 0, &j, err, sizeof err) == 0)
                printf(" %s", mark[j.verdict]);
        }
        printf("\n");
    }
}

int cmd_harass_policy(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"by", 1, "with import: who makes the change (audit)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "with show: print the policy as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    const char *pos[2];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 2, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *what = npos ? pos[0] : "";
    int show = strcmp(what, "show") == 0, export = strcmp(what, "export") == 0,
        import = strcmp(what, "import") == 0;
    if (!(show || export || import) || (import != (npos == 2)) || (!import && npos != 1))
        return cli_fail(cmd, EXIT_USAGE, "expected show, export or import FILE");
    char err[600];
    harass_policy *incoming = NULL;
    if (import && harass_policy_load(pos[1], &incoming, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    struct hctx h;
    if ((rc = hctx_open(cmd, o, n, &h))) {
        harass_policy_free(incoming);
        return rc;
    }
    if (import) {
        const char *by = cli_get(o, n, "by") ? cli_get(o, n, "by") : "cli";
        int version = 0;
        rc = harass_policy_save(h.s, incoming, by, &version, err, sizeof err);
        if (rc == HARASS_OK && store_audit_add(h.s, by, "harass.policy.import", pos[1], "", ""))
            rc = HARASS_ESTORE;
        harass_policy_free(incoming);
        hctx_release(&h);
        if (rc)
            return cli_fail(cmd, EXIT_FAIL, "%s", err);
        printf("policy imported as version %d\n", version);
        return EXIT_OK;
    }
    if (export || cli_flag(o, n, "json")) {
        json_t *doc = json_incref(harass_policy_document(h.policy));
        hctx_release(&h);
        return cli_print_json(doc);
    }
    print_policy(h.policy, h.version);
    hctx_release(&h);
    return EXIT_OK;
}

int cmd_harass_care(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "with list: center code", NULL, 0},
        {"overdue", 0, "with list: only open tasks past their due time", NULL, 0},
        {"all", 0, "with list: finished tasks too", NULL, 0},
        {"note", 1, "with done: what was done for the operator", NULL, 0},
        {"by", 1, "with done: login of who did it (audit)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    const char *pos[2];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 2, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int list = npos == 1 && strcmp(pos[0], "list") == 0;
    int done = npos == 2 && strcmp(pos[0], "done") == 0;
    int64_t id = 0;
    if (!list && !done)
        return cli_fail(cmd, EXIT_USAGE, "expected list --center C, or done ID --note TEXT");
    if (done && parse_int64(pos[1], 1, INT64_MAX, &id))
        return cli_fail(cmd, EXIT_USAGE, "done: \"%.20s\" is not a care task number", pos[1]);
    const char *note = cli_get(o, n, "note");
    if (done && (!note || !*note || strlen(note) >= 512 || !utf8_is_clean(note, strlen(note))))
        return cli_fail(cmd, EXIT_USAGE, "--note: one line of text under 512 bytes is required");
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    int64_t now = now_unix();
    if (done) {
        const char *by = cli_get(o, n, "by") ? cli_get(o, n, "by") : "cli";
        char target[32];
        snprintf(target, sizeof target, "care %lld", (long long)id);
        rc = store_harass_care_done(s, id, note, now);
        if (rc == STORE_OK)
            rc = store_audit_add(s, by, "harass.care.done", target, "", "");
        if (rc)
            rc = cli_store_fail(cmd, s, rc,
                                rc == STORE_NOTFOUND ? "an open care task with that number"
                                                     : "care task");
        store_free(s);
        if (rc == 0)
            printf("care task %lld done\n", (long long)id);
        return rc;
    }
    struct org_center c;
    if ((rc = center_opt(cmd, o, n, s, &c))) {
        store_free(s);
        return rc;
    }
    struct harass_care *all = NULL;
    size_t cnt = 0;
    rc = store_harass_care_list(s, c.id, !cli_flag(o, n, "all"), &all, &cnt);
    if (rc)
        rc = cli_store_fail(cmd, s, rc, "care tasks");
    store_free(s);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < cnt; i++)
        if (!cli_flag(o, n, "overdue") || (!all[i].done_at && now > all[i].due_at))
            json_array_append_new(arr, harass_care_json(&all[i], now));
    free(all);
    json_t *j = json_pack("{s:s, s:o}", "center", c.code, "tasks", arr);
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    size_t i;
    json_t *t;
    char due[32];
    json_array_foreach(arr, i, t)
    {
        printf("  #%-5lld case %-5lld %-12s → %-12s due %s%s\n",
               (long long)json_integer_value(json_object_get(t, "id")),
               (long long)json_integer_value(json_object_get(t, "case")),
               json_string_value(json_object_get(t, "operator")),
               json_is_string(json_object_get(t, "assignee"))
                   ? json_string_value(json_object_get(t, "assignee"))
                   : "(未割当)",
               jst_short(json_string_value(json_object_get(t, "due_at")), due, sizeof due),
               json_is_true(json_object_get(t, "overdue")) ? "  期限切れ" : "");
    }
    json_decref(j);
    return EXIT_OK;
}

int cmd_harass_stats(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "center code", NULL, 0},
        {"from", 1, "first day, YYYY-MM-DD (Japan time)", NULL, 0},
        {"to", 1, "last day, YYYY-MM-DD (included)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t from, to;
    if ((rc = day_opt(cmd, o, n, "from", &from)) || (rc = day_opt(cmd, o, n, "to", &to)))
        return rc;
    if (to < from)
        return cli_fail(cmd, EXIT_USAGE, "--to: comes before --from");
    store *s;
    struct org_center c;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    if ((rc = center_opt(cmd, o, n, s, &c))) {
        store_free(s);
        return rc;
    }
    int64_t end = to + 86400, since = end - (int64_t)HARASS_REPEAT_DAYS * 86400;
    struct harass_case *cases = NULL;
    struct harass_calls *calls = NULL;
    size_t ncases = 0, ncalls = 0;
    rc = store_harass_case_range(s, c.id, since < from ? since : from, end, &cases, &ncases);
    if (rc == STORE_OK)
        rc = store_harass_calls_range(s, c.id, cli_get(o, n, "from"), cli_get(o, n, "to"), &calls,
                                      &ncalls);
    if (rc) {
        free(cases);
        rc = cli_store_fail(cmd, s, rc, "statistics");
        store_free(s);
        return rc;
    }
    store_free(s);
    json_t *j = harass_stats_json(cases, ncases, calls, ncalls, from, end);
    free(cases);
    free(calls);
    json_object_set_new(j, "center", json_string(c.code));
    json_object_set_new(j, "from", json_string(cli_get(o, n, "from")));
    json_object_set_new(j, "to", json_string(cli_get(o, n, "to")));
    if (cli_flag(o, n, "json"))
        return cli_print_json(j);
    json_t *t = json_object_get(j, "total");
    printf("%s %s〜%s: %lld 件 (カスハラ %lld, グレー %lld, クレーム %lld)\n", c.code,
           cli_get(o, n, "from"), cli_get(o, n, "to"),
           (long long)json_integer_value(json_object_get(t, "cases")),
           (long long)json_integer_value(json_object_get(t, "harassment")),
           (long long)json_integer_value(json_object_get(t, "grey")),
           (long long)json_integer_value(json_object_get(t, "claim")));
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(j, "by_week"), i, w)
    {
        json_t *rate = json_object_get(w, "per_1000");
        printf("  %s  %3lld 件", json_string_value(json_object_get(w, "week")),
               (long long)json_integer_value(json_object_get(w, "cases")));
        if (json_is_real(rate))
            printf("  %.2f / 1,000 calls", json_real_value(rate));
        printf("\n");
    }
    json_array_foreach(json_object_get(j, "repeat_callers"), i, w)
    {
        printf("  繰り返しの発信者 %.12s… カスハラ %lld 回\n",
               json_string_value(json_object_get(w, "caller_ref")),
               (long long)json_integer_value(json_object_get(w, "harassment")));
    }
    json_decref(j);
    return EXIT_OK;
}

/* Splits one CSV line (no quotes inside fields) into at most max trimmed fields. */
static int csv_fields(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line;; p++) {
        char *start = p;
        p += strcspn(p, ",");
        int last = *p == '\0';
        *p = '\0';
        while (*start == ' ' || *start == '"')
            start++;
        for (char *e = start + strlen(start); e > start && (e[-1] == ' ' || e[-1] == '"'); e--)
            e[-1] = '\0';
        if (n == max)
            return -1;
        f[n++] = start;
        if (last)
            return n;
    }
}

/* Reads the whole call-count file into rows, or reports the first bad row. */
static int read_calls(const struct cli_cmd *cmd, const char *path, struct harass_calls **out,
                      size_t *nout)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cli_fail(cmd, EXIT_USAGE, "%s: cannot read the file", path);
    char line[512], *fld[8];
    int col_day = -1, col_team = -1, col_calls = -1, rc = 0;
    size_t row = 1, n = 0, cap = 0;
    struct harass_calls *rows = NULL;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return cli_fail(cmd, EXIT_USAGE, "%s: empty file (expected a header date,calls)", path);
    }
    char *hdr = strncmp(line, "\xef\xbb\xbf", 3) == 0 ? line + 3 : line; /* UTF-8 BOM */
    int nh = csv_fields(hdr, fld, 8);
    for (int i = 0; i < nh; i++) {
        if (strcmp(fld[i], "date") == 0 || strcmp(fld[i], "日付") == 0)
            col_day = i;
        else if (strcmp(fld[i], "team") == 0 || strcmp(fld[i], "チーム") == 0)
            col_team = i;
        else if (strcmp(fld[i], "calls") == 0 || strcmp(fld[i], "入電数") == 0)
            col_calls = i;
    }
    if (col_day < 0 || col_calls < 0)
        rc = cli_fail(cmd, EXIT_USAGE, "%s: row 1: header must name the columns date and calls",
                      path);
    while (rc == 0 && fgets(line, sizeof line, f)) {
        row++;
        int nf = csv_fields(line, fld, 8);
        if (nf == 1 && !fld[0][0])
            continue;
        struct harass_calls c = {0};
        int64_t t, v;
        if (nf <= col_day || nf <= col_calls || (col_team >= 0 && nf <= col_team))
            rc = cli_fail(cmd, EXIT_USAGE, "%s: row %zu: expected %d columns", path, row, nh);
        else if (strlen(fld[col_day]) != 10 || harass_parse_time(fld[col_day], &t))
            rc = cli_fail(cmd, EXIT_USAGE,
                          "%s: row %zu, column \"date\": value \"%.20s\" is not a date YYYY-MM-DD",
                          path, row, fld[col_day]);
        else if (parse_int64(fld[col_calls], 0, 100000000, &v))
            rc = cli_fail(cmd, EXIT_USAGE,
                          "%s: row %zu, column \"calls\": value \"%.20s\" is not a whole number "
                          "of calls",
                          path, row, fld[col_calls]);
        if (rc)
            break;
        str_copy(c.day, sizeof c.day, fld[col_day]);
        str_copy(c.team, sizeof c.team, col_team >= 0 ? fld[col_team] : "");
        c.calls = v;
        struct harass_calls *slot =
            n == cap ? realloc(rows, (cap = cap ? cap * 2 : 64) * sizeof *rows) : rows;
        if (!slot) {
            rc = cli_fail(cmd, EXIT_FAIL, "out of memory");
            break;
        }
        rows = slot;
        rows[n++] = c;
    }
    fclose(f);
    if (rc) {
        free(rows);
        return rc;
    }
    *out = rows;
    *nout = n;
    return 0;
}

int cmd_harass_calls(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "center code", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    const char *pos[2];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 2, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos != 2 || strcmp(pos[0], "import") != 0)
        return cli_fail(cmd, EXIT_USAGE,
                        "expected import FILE --center C (CSV: date,calls[,team])");
    struct harass_calls *rows = NULL;
    size_t nrows = 0;
    if ((rc = read_calls(cmd, pos[1], &rows, &nrows)))
        return rc;
    store *s;
    struct org_center c;
    if ((rc = cli_open_store(cmd, o, n, &s))) {
        free(rows);
        return rc;
    }
    if ((rc = center_opt(cmd, o, n, s, &c)) == 0) {
        /* One transaction: a file is stored whole or not at all. */
        rc = store_begin(s);
        for (size_t i = 0; rc == STORE_OK && i < nrows; i++)
            rc = store_harass_calls_put(s, c.id, &rows[i]);
        if (rc == STORE_OK)
            rc = store_audit_add(s, "cli", "harass.calls.import", c.code, pos[1], "");
        if (rc == STORE_OK)
            rc = store_commit(s);
        if (rc) {
            store_rollback_all(s);
            rc = cli_store_fail(cmd, s, rc, "call counts");
        } else {
            printf("%zu days of call counts imported for %s\n", nrows, c.code);
        }
    }
    free(rows);
    store_free(s);
    return rc;
}

int cmd_harass_purge(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"days", 1, "keep cases this many days (default: the policy's retention_days)", NULL, 0},
        {"dry-run", 0, "only count what would be deleted", NULL, 0},
        {"by", 1, "who purges (audit)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int64_t days = 0;
    if (cli_get(o, n, "days") && (rc = cli_int(cmd, o, n, "days", 1, 36500, &days)))
        return rc;
    struct hctx h;
    if ((rc = hctx_open(cmd, o, n, &h)))
        return rc;
    if (!days) {
        days = harass_retention_days(h.policy);
    }
    int dry = cli_flag(o, n, "dry-run");
    int64_t count = 0;
    struct org_principal p;
    struct svc x;
    cli_svc(h.s, &p, &x);
    /* The local administrator purges on behalf of --by, who is named in the audit log. */
    if (cli_get(o, n, "by"))
        str_copy(p.login, sizeof p.login, cli_get(o, n, "by"));
    if ((rc = svc_harass_purge(&x, days, dry, &count))) {
        rc = cli_store_fail(cmd, h.s, rc, "purge");
        hctx_release(&h);
        return rc;
    }
    hctx_release(&h);
    if (cli_flag(o, n, "json"))
        return cli_print_json(json_pack("{s:I, s:I, s:b}", "cases", (json_int_t)count, "days",
                                        (json_int_t)days, "dry_run", dry));
    printf("%s%lld cases older than %lld days\n", dry ? "would delete " : "deleted ",
           (long long)count, (long long)days);
    return EXIT_OK;
}
