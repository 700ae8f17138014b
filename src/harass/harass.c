#include "harass.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "store/store_harass.h"
#include "store/store_org.h"

#define JST (9 * 3600)

#define FAIL(code, ...)                                                                            \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return (code);                                                                             \
    } while (0)

void harass_iso_week(int64_t t, char *out)
{
    time_t local = (time_t)(t + JST);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, 12, "%G-W%V", &tm);
}

int harass_week_start(const char *week, int64_t *start)
{
    int y, w;
    char tail;
    if (!week || sscanf(week, "%4d-W%2d%c", &y, &w, &tail) != 2 || y < 1970 || y > 9999 || w < 1 ||
        w > 53)
        return -1;
    /* Monday of week 1 is the Monday on or before 4 January. */
    struct tm jan4 = {.tm_year = y - 1900, .tm_mon = 0, .tm_mday = 4};
    int64_t t4 = (int64_t)timegm(&jan4);
    struct tm tmp;
    time_t tt = (time_t)t4;
    gmtime_r(&tt, &tmp);
    int dow = (tmp.tm_wday + 6) % 7; /* Monday = 0 */
    int64_t monday = t4 - (int64_t)dow * 86400 + (int64_t)(w - 1) * 7 * 86400;
    char check[12];
    harass_iso_week(monday - JST, check);
    if (strcmp(check, week) != 0)
        return -1; /* week 53 in a year that has only 52 */
    *start = monday - JST;
    return 0;
}

int harass_caller_ref(const unsigned char *key, const char *number, char *out_hex)
{
    char digits[32];
    size_t n = 0;
    for (const char *p = number; p && *p && n < sizeof digits - 2; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = '\0';
    if (n < 4)
        return -1;
    /* +81 90-1234-5678 and 090-1234-5678 are the same caller. */
    if (number[0] == '+' && strncmp(digits, "81", 2) == 0) {
        memmove(digits + 1, digits + 2, n - 1);
        digits[0] = '0';
    }
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)digits, strlen(digits), key, 32);
    sodium_bin2hex(out_hex, 65, h, sizeof h);
    return 0;
}

int harass_policy_active(struct store *s, const char *default_path, harass_policy **out,
                         int *version, char *err, size_t errlen)
{
    char *doc = NULL;
    int v = 0;
    int rc = store_harass_policy_latest(s, &v, &doc);
    if (rc == STORE_NOTFOUND) {
        harass_policy *p;
        if (harass_policy_load(default_path, &p, err, errlen))
            return HARASS_EINVAL;
        rc = harass_policy_save(s, p, "ikiiki", &v, err, errlen);
        if (rc) {
            harass_policy_free(p);
            return rc;
        }
        *out = p;
        *version = v;
        return HARASS_OK;
    }
    if (rc)
        FAIL(HARASS_ESTORE, "policy: %s", store_errmsg(s));
    json_error_t je;
    json_t *root = json_loads(doc, 0, &je);
    free(doc);
    char inner[300];
    if (!root)
        FAIL(HARASS_ESTORE, "policy version %d: stored document is not JSON: %s", v, je.text);
    rc = harass_policy_from_json(root, out, inner, sizeof inner);
    json_decref(root);
    if (rc)
        FAIL(HARASS_ESTORE, "policy version %d: %s", v, inner);
    *version = v;
    return HARASS_OK;
}

int harass_policy_save(struct store *s, const harass_policy *p, const char *by, int *version,
                       char *err, size_t errlen)
{
    char *doc = json_dumps(harass_policy_document(p), JSON_COMPACT);
    if (!doc)
        FAIL(HARASS_ESTORE, "out of memory");
    int rc = store_harass_policy_add(s, doc, by, version);
    free(doc);
    if (rc)
        FAIL(HARASS_ESTORE, "policy: %s", store_errmsg(s));
    return HARASS_OK;
}

int harass_caller_key(struct store *s, unsigned char *key)
{
    unsigned char fresh[32];
    char hex[65], stored[128];
    randombytes_buf(fresh, sizeof fresh);
    sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
    if (store_setting_init(s, "caller_key", hex, stored, sizeof stored))
        return -1;
    size_t len = 0;
    if (sodium_hex2bin(key, 32, stored, strlen(stored), NULL, &len, NULL) || len != 32)
        return -1;
    return 0;
}

/* The person who cares for an operator: a supervisor of the operator's team, else one of the
 * center, else its manager. 0 when there is nobody (the task stays unassigned, and listed). */
static int care_assignee(struct store *s, const struct org_user *op, int64_t *assignee)
{
    struct org_user *all = NULL;
    size_t n = 0;
    int rc = store_user_list(s, op->center_id, NULL, 0, &all, &n);
    if (rc)
        return rc;
    int64_t team_sv = 0, any_sv = 0, manager = 0;
    for (size_t i = 0; i < n; i++) {
        if (all[i].disabled)
            continue;
        if (all[i].role == ROLE_SUPERVISOR && op->team_id && all[i].team_id == op->team_id &&
            !team_sv)
            team_sv = all[i].id;
        if (all[i].role == ROLE_SUPERVISOR && !any_sv)
            any_sv = all[i].id;
        if (all[i].role == ROLE_CENTER_MANAGER && !manager)
            manager = all[i].id;
    }
    free(all);
    *assignee = team_sv ? team_sv : any_sv ? any_sv : manager;
    return STORE_OK;
}

static int open_care(struct store *s, const harass_policy *p, const struct harass_case *c,
                     int64_t now)
{
    struct org_user op;
    int rc = store_user_get_id(s, c->operator_id, &op);
    struct harass_care t = {.case_id = c->id,
                            .center_id = c->center_id,
                            .operator_id = c->operator_id,
                            .opened_at = now,
                            .due_at = now + (int64_t)harass_care_due_hours(p) * 3600};
    if (rc == STORE_OK)
        rc = care_assignee(s, &op, &t.assignee_id);
    if (rc == STORE_OK)
        rc = store_harass_care_open(s, &t);
    return rc == STORE_CONFLICT ? STORE_OK : rc; /* one care task per case is enough */
}

static int check_flag_text(const struct harass_flag_input *in, char *err, size_t errlen)
{
    static const char *const channels[] = {"phone", "chat", "mail", "visit"};
    static const char *const sources[] = {"operator", "supervisor", "guard"};
    int ok = 0;
    for (size_t i = 0; i < ARRAY_LEN(channels); i++)
        ok |= in->channel && strcmp(in->channel, channels[i]) == 0;
    if (in->channel && !ok)
        FAIL(HARASS_EINVAL, "--channel: \"%.20s\" is not one of phone, chat, mail, visit",
             in->channel);
    ok = 0;
    for (size_t i = 0; i < ARRAY_LEN(sources); i++)
        ok |= in->source && strcmp(in->source, sources[i]) == 0;
    if (in->source && !ok)
        FAIL(HARASS_EINVAL, "--source: \"%.20s\" is not one of " HARASS_SOURCES, in->source);
    if (in->memo && (strlen(in->memo) >= 1024 || !utf8_is_clean(in->memo, strlen(in->memo))))
        FAIL(HARASS_EINVAL, "--memo: must be one line of text under 1024 bytes");
    if (in->interaction && strlen(in->interaction) >= 64)
        FAIL(HARASS_EINVAL, "--interaction: longer than 63 bytes");
    if (in->evidence) {
        json_t *e = json_loads(in->evidence, 0, NULL);
        int good = json_is_array(e) && strlen(in->evidence) < 2048;
        json_decref(e);
        if (!good)
            FAIL(HARASS_EINVAL, "evidence: must be a JSON array under 2048 bytes");
    }
    return HARASS_OK;
}

/* Resolves the center, operator and team of a flag into c. */
static int place_case(struct store *s, const struct harass_flag_input *in, struct harass_case *c,
                      char *err, size_t errlen)
{
    struct org_center center;
    struct org_user op;
    int rc = store_center_get(s, in->center ? in->center : "", &center);
    if (rc == STORE_NOTFOUND)
        FAIL(HARASS_EINVAL, "--center: center \"%.40s\" does not exist", in->center);
    if (rc == STORE_OK)
        rc = store_user_get(s, in->operator ? in->operator : "", &op);
    if (rc == STORE_NOTFOUND)
        FAIL(HARASS_EINVAL, "--operator: user \"%.40s\" does not exist", in->operator);
    if (rc)
        FAIL(HARASS_ESTORE, "%s", store_errmsg(s));
    if (op.role != ROLE_OPERATOR)
        FAIL(HARASS_EINVAL, "--operator: \"%s\" is not an operator", op.login);
    if (op.center_id != center.id)
        FAIL(HARASS_EINVAL, "--operator: \"%s\" does not work in center \"%s\"", op.login,
             center.code);
    c->center_id = center.id;
    str_copy(c->center, sizeof c->center, center.code);
    c->operator_id = op.id;
    str_copy(c->operator_login, sizeof c->operator_login, op.login);
    c->team_id = op.team_id;
    str_copy(c->team, sizeof c->team, op.team);
    return HARASS_OK;
}

/* Checks a flag and fills every field of c but the placement and the id. */
static int build_case(struct store *s, const harass_policy *p, int version,
                      const struct harass_flag_input *in, struct harass_case *c, char *err,
                      size_t errlen)
{
    int rc = check_flag_text(in, err, errlen);
    if (rc)
        return rc;
    if (harass_categories_check(p, in->categories, c->categories, sizeof c->categories, err,
                                errlen) ||
        (in->requests &&
         harass_requests_check(p, in->requests, c->requests, sizeof c->requests, err, errlen)))
        return HARASS_EINVAL;
    const char *req[HARASS_MAX_CATEGORIES];
    char reqbuf[sizeof c->requests];
    int nreq = 0;
    str_copy(reqbuf, sizeof reqbuf, c->requests);
    nreq = harass_split_codes(reqbuf, req, HARASS_MAX_CATEGORIES);
    struct harass_judgement j;
    if (harass_judge(p, in->behaviour, in->demand, req, nreq, &j, err, errlen))
        return HARASS_EINVAL;
    if (in->caller_number && in->caller_number[0]) {
        unsigned char key[32];
        if (harass_caller_key(s, key))
            FAIL(HARASS_ESTORE, "caller key: %s", store_errmsg(s));
        if (harass_caller_ref(key, in->caller_number, c->caller_ref))
            FAIL(HARASS_EINVAL, "--caller: \"%.30s\" is not a phone number", in->caller_number);
    }
    c->behaviour = in->behaviour;
    c->demand = in->demand;
    c->verdict = j.verdict;
    str_copy(c->response, sizeof c->response, j.response);
    c->occurred_at = in->occurred_at ? in->occurred_at : now_unix();
    harass_iso_week(c->occurred_at, c->week);
    str_copy(c->channel, sizeof c->channel, in->channel ? in->channel : "phone");
    str_copy(c->interaction, sizeof c->interaction, in->interaction ? in->interaction : "");
    str_copy(c->memo, sizeof c->memo, in->memo ? in->memo : "");
    str_copy(c->source, sizeof c->source, in->source ? in->source : "operator");
    str_copy(c->evidence, sizeof c->evidence, in->evidence ? in->evidence : "[]");
    str_copy(c->created_by, sizeof c->created_by, in->by ? in->by : "-");
    c->policy_version = version;
    c->created_at = in->flagged_at ? in->flagged_at : now_unix();
    return HARASS_OK;
}

int harass_flag(struct store *s, const harass_policy *p, int version,
                const struct harass_flag_input *in, struct harass_case *out, char *err,
                size_t errlen)
{
    struct harass_case c;
    memset(&c, 0, sizeof c);
    err[0] = '\0';
    int rc = store_begin(s);
    if (rc)
        FAIL(HARASS_ESTORE, "%s", store_errmsg(s));
    rc = place_case(s, in, &c, err, errlen);
    if (rc == HARASS_OK)
        rc = build_case(s, p, version, in, &c, err, errlen);
    if (rc == HARASS_OK && store_harass_case_add(s, &c))
        rc = HARASS_ESTORE;
    if (rc == HARASS_OK && c.verdict == VERDICT_HARASSMENT && open_care(s, p, &c, c.created_at))
        rc = HARASS_ESTORE;
    if (rc == HARASS_OK && store_audit_add(s, c.created_by, "harass.flag", c.center,
                                           harass_verdict_name(c.verdict), ""))
        rc = HARASS_ESTORE;
    if (rc == HARASS_OK && store_commit(s))
        rc = HARASS_ESTORE;
    if (rc == HARASS_ESTORE && !err[0])
        snprintf(err, errlen, "%s", store_errmsg(s));
    if (rc) {
        store_rollback_all(s);
        return rc;
    }
    *out = c;
    return HARASS_OK;
}

int harass_review(struct store *s, const harass_policy *p, int version, int64_t case_id,
                  const char *reviewer, int behaviour, int demand, const char *note, int amend,
                  struct harass_case *out, char *err, size_t errlen)
{
    struct harass_case c;
    struct harass_judgement j;
    err[0] = '\0';
    const char *req[HARASS_MAX_CATEGORIES];
    int nreq = 0;
    int rc = store_begin(s);
    if (rc)
        FAIL(HARASS_ESTORE, "%s", store_errmsg(s));
    rc = store_harass_case_get(s, case_id, &c);
    if (rc == STORE_NOTFOUND) {
        store_rollback_all(s);
        FAIL(HARASS_ENOTFOUND, "case %lld does not exist", (long long)case_id);
    }
    char reqbuf[sizeof c.requests];
    str_copy(reqbuf, sizeof reqbuf, rc == STORE_OK ? c.requests : "");
    nreq = harass_split_codes(reqbuf, req, HARASS_MAX_CATEGORIES);
    if (rc == STORE_OK && c.reviews > 0 && !amend)
        rc = HARASS_EEXISTS;
    else if (rc == STORE_OK && harass_judge(p, behaviour, demand, req, nreq, &j, err, errlen))
        rc = HARASS_EINVAL;
    else if (rc != STORE_OK)
        rc = HARASS_ESTORE;
    if (rc == HARASS_EEXISTS)
        snprintf(err, errlen,
                 "case %lld was already reviewed by %s; amend the review to change it (--amend, or "
                 "\"amend\": true)",
                 (long long)case_id, c.reviewer);
    struct harass_review r = {.case_id = case_id,
                              .behaviour = behaviour,
                              .demand = demand,
                              .policy_version = version,
                              .reviewed_at = now_unix()};
    if (rc == HARASS_OK) {
        r.verdict = j.verdict;
        str_copy(r.response, sizeof r.response, j.response);
        str_copy(r.reviewer, sizeof r.reviewer, reviewer ? reviewer : "-");
        str_copy(r.note, sizeof r.note, note ? note : "");
        if (store_harass_review_add(s, &r) ||
            (r.verdict == VERDICT_HARASSMENT && open_care(s, p, &c, r.reviewed_at)) ||
            store_audit_add(s, r.reviewer, amend ? "harass.review.amend" : "harass.review",
                            c.center, harass_verdict_name(r.verdict), "") ||
            store_harass_case_get(s, case_id, &c) || store_commit(s))
            rc = HARASS_ESTORE;
    }
    if (rc == HARASS_ESTORE && !err[0])
        snprintf(err, errlen, "%s", store_errmsg(s));
    if (rc) {
        store_rollback_all(s);
        return rc;
    }
    *out = c;
    return HARASS_OK;
}
