#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonfile.h"
#include "core/util.h"

struct harass_policy {
    json_t *root;
    enum harass_verdict grid[HARASS_LEVELS][HARASS_LEVELS];
    const char *cell_response[HARASS_LEVELS][HARASS_LEVELS]; /* NULL: the verdict's response */
    const char *verdict_response[VERDICT__COUNT];
    int care_due_hours;
    struct harass_guard_policy guard;
};

static const char *const verdict_names[VERDICT__COUNT] = {"claim", "grey", "harassment"};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return -1;                                                                                 \
    } while (0)

const char *harass_verdict_name(enum harass_verdict v)
{
    return v >= 0 && v < VERDICT__COUNT ? verdict_names[v] : "?";
}

int harass_verdict_parse(const char *s, enum harass_verdict *out)
{
    for (int v = 0; v < VERDICT__COUNT; v++) {
        if (s && strcmp(s, verdict_names[v]) == 0) {
            *out = (enum harass_verdict)v;
            return 0;
        }
    }
    return -1;
}

static int response_known(json_t *root, const char *code)
{
    return code && json_is_object(json_object_get(json_object_get(root, "responses"), code));
}

static int check_axis(json_t *root, const char *axis, char *err, size_t errlen)
{
    json_t *a = json_object_get(root, axis);
    if (!json_is_array(a) || json_array_size(a) != HARASS_LEVELS)
        FAIL("%s: expected %d levels (0–4)", axis, HARASS_LEVELS);
    for (int l = 0; l < HARASS_LEVELS; l++) {
        json_t *lv = json_array_get(a, (size_t)l);
        if (json_integer_value(json_object_get(lv, "level")) != l ||
            !json_is_string(json_object_get(lv, "label")))
            FAIL("%s[%d]: needs \"level\": %d and a \"label\"", axis, l, l);
    }
    return 0;
}

static int check_verdicts(harass_policy *p, char *err, size_t errlen)
{
    json_t *vs = json_object_get(p->root, "verdicts");
    for (int v = 0; v < VERDICT__COUNT; v++) {
        json_t *e = json_object_get(vs, verdict_names[v]);
        const char *resp = json_string_value(json_object_get(e, "response"));
        if (!json_is_string(json_object_get(e, "label")) || !response_known(p->root, resp))
            FAIL("verdicts.%s: needs a \"label\" and a \"response\" listed in responses",
                 verdict_names[v]);
        p->verdict_response[v] = resp;
    }
    return 0;
}

/* A cell is "verdict" or "verdict/response". */
static int parse_cell(harass_policy *p, int b, int d, const char *cell, char *err, size_t errlen)
{
    char verdict[HARASS_CODE_MAX];
    const char *slash = cell ? strchr(cell, '/') : NULL;
    size_t n = slash ? (size_t)(slash - cell) : (cell ? strlen(cell) : 0);
    if (!cell || n == 0 || n >= sizeof verdict)
        FAIL("grid[%d][%d]: expected a verdict (claim, grey, harassment)", b, d);
    memcpy(verdict, cell, n);
    verdict[n] = '\0';
    if (harass_verdict_parse(verdict, &p->grid[b][d]))
        FAIL("grid[%d][%d]: \"%.40s\" is not one of claim, grey, harassment", b, d, verdict);
    if (slash && !response_known(p->root, slash + 1))
        FAIL("grid[%d][%d]: response \"%.40s\" is not listed in responses", b, d, slash + 1);
    p->cell_response[b][d] = slash ? slash + 1 : NULL;
    return 0;
}

static int check_grid(harass_policy *p, char *err, size_t errlen)
{
    json_t *g = json_object_get(p->root, "grid");
    if (!json_is_array(g) || json_array_size(g) != HARASS_LEVELS)
        FAIL("grid: expected %d rows (behaviour 0–4)", HARASS_LEVELS);
    for (int b = 0; b < HARASS_LEVELS; b++) {
        json_t *row = json_array_get(g, (size_t)b);
        if (!json_is_array(row) || json_array_size(row) != HARASS_LEVELS)
            FAIL("grid[%d]: expected %d cells (demand 0–4)", b, HARASS_LEVELS);
        for (int d = 0; d < HARASS_LEVELS; d++)
            if (parse_cell(p, b, d, json_string_value(json_array_get(row, (size_t)d)), err, errlen))
                return -1;
    }
    return 0;
}

static int check_code_list(json_t *root, const char *key, int required, char *err, size_t errlen)
{
    json_t *a = json_object_get(root, key);
    if (!a && !required)
        return 0;
    if (!json_is_array(a) || json_array_size(a) > HARASS_MAX_CATEGORIES ||
        (required && json_array_size(a) == 0))
        FAIL("%s: expected a list of at most %d entries", key, HARASS_MAX_CATEGORIES);
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        const char *code = json_string_value(json_object_get(e, "code"));
        if (!code || !*code || strlen(code) >= HARASS_CODE_MAX || strchr(code, ',') ||
            !json_is_string(json_object_get(e, "label")))
            FAIL("%s[%zu]: needs a \"code\" (no commas) and a \"label\"", key, i);
    }
    return 0;
}

static int guard_int(json_t *g, const char *key, int lo, int hi, int def, int *out, char *err,
                     size_t errlen)
{
    json_t *v = json_object_get(g, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        FAIL("guard.%s: expected a whole number from %d to %d", key, lo, hi);
    *out = (int)json_integer_value(v);
    return 0;
}

static int guard_real(json_t *g, const char *key, double def, double *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(g, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
        FAIL("guard.%s: expected a number from 0 to 1", key);
    *out = json_number_value(v);
    return 0;
}

static int guard_word(json_t *g, const char *key, const char *const *words, const char *def,
                      char *out, size_t outlen, char *err, size_t errlen)
{
    json_t *v = json_object_get(g, key);
    const char *w = v ? json_string_value(v) : def;
    for (int i = 0; w && words[i]; i++)
        if (strcmp(w, words[i]) == 0)
            return str_copy(out, outlen, w), 0;
    FAIL("guard.%s: \"%.20s\" is not one of %s, %s, %s", key, w ? w : "", words[0], words[1],
         words[2]);
}

static int guard_stage(json_t *e, size_t i, struct harass_guard_stage *st, char *err, size_t errlen)
{
    static const char *const steps[] = {"notify", "warn", "end"};
    static const char *const prompts[] = {"warning1", "final_warning", "closing"};
    const char *step = json_string_value(json_object_get(e, "action"));
    const char *prompt = json_string_value(json_object_get(e, "prompt"));
    int s = -1;
    for (int k = 0; step && k < 3; k++)
        if (strcmp(step, steps[k]) == 0)
            s = k;
    if (s < 0)
        FAIL("guard.stages[%zu].action: expected notify, warn or end", i);
    st->step = (enum harass_guard_step)s;
    int ok = prompt == NULL;
    for (int k = 0; prompt && k < 3; k++)
        ok |= strcmp(prompt, prompts[k]) == 0;
    if (!ok)
        FAIL("guard.stages[%zu].prompt: \"%.20s\" is not one of warning1, final_warning, closing",
             i, prompt);
    str_copy(st->prompt, sizeof st->prompt,
             prompt            ? prompt
             : s == GSTEP_WARN ? "warning1"
             : s == GSTEP_END  ? "closing"
                               : "");
    return 0;
}

static int guard_stages(json_t *g, struct harass_guard_policy *gp, char *err, size_t errlen)
{
    json_t *a = json_object_get(g, "stages");
    if (!a) {
        gp->nstages = 3;
        gp->stage[0] = (struct harass_guard_stage){GSTEP_NOTIFY, ""};
        gp->stage[1] = (struct harass_guard_stage){GSTEP_WARN, "warning1"};
        gp->stage[2] = (struct harass_guard_stage){GSTEP_END, "closing"};
        return 0;
    }
    if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > HARASS_GUARD_STAGES)
        FAIL("guard.stages: expected a list of 1 to %d stages", HARASS_GUARD_STAGES);
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        if (guard_stage(e, i, &gp->stage[i], err, errlen))
            return -1;
    }
    gp->nstages = (int)json_array_size(a);
    return 0;
}

static int check_guard(harass_policy *p, char *err, size_t errlen)
{
    static const char *const modes[] = {"advisory", "assisted", "automatic", NULL};
    static const char *const blocked[] = {"voicebot", "reject", "operator", NULL};
    json_t *g = json_object_get(p->root, "guard");
    struct harass_guard_policy *gp = &p->guard;
    if (g && !json_is_object(g))
        FAIL("guard: expected an object");
    const char *url = json_string_value(json_object_get(g, "webhook_url"));
    if (json_object_get(g, "webhook_url") &&
        (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) ||
         str_copy(gp->webhook_url, sizeof gp->webhook_url, url)))
        FAIL("guard.webhook_url: expected an http:// or https:// URL under 512 bytes");
    return guard_word(g, "mode", modes, "assisted", gp->mode, sizeof gp->mode, err, errlen) ||
           guard_word(g, "blocked_caller", blocked, "voicebot", gp->blocked, sizeof gp->blocked,
                      err, errlen) ||
           guard_int(g, "repeat_count", 2, 100, 3, &gp->repeat_count, err, errlen) ||
           guard_int(g, "long_call_alert_s", 1, 86400, 1800, &gp->long_call_alert_s, err, errlen) ||
           guard_int(g, "long_call_s", 1, 86400, 3600, &gp->long_call_s, err, errlen) ||
           guard_real(g, "shouting_threshold", 0.8, &gp->shouting_threshold, err, errlen) ||
           guard_int(g, "shouting_cooldown_s", 0, 3600, 10, &gp->shouting_cooldown_s, err,
                     errlen) ||
           guard_real(g, "voiceprint_threshold", 0.85, &gp->voiceprint_threshold, err, errlen) ||
           guard_int(g, "known_caller_verdicts", 1, 1000, 2, &gp->known_caller_verdicts, err,
                     errlen) ||
           guard_int(g, "known_caller_days", 1, 3650, 90, &gp->known_caller_days, err, errlen) ||
           guard_int(g, "recording_notice", 0, 1, 1, &gp->recording_notice, err, errlen) ||
           guard_int(g, "webhook_retries", 0, 10, 3, &gp->webhook_retries, err, errlen) ||
           guard_stages(g, gp, err, errlen);
}

const struct harass_guard_policy *harass_policy_guard(const harass_policy *p)
{
    return &p->guard;
}

void harass_category_levels(const harass_policy *p, const char *code, int *behaviour, int *demand)
{
    size_t i;
    json_t *e;
    *behaviour = 3;
    *demand = 0;
    json_array_foreach(json_object_get(p->root, "categories"), i, e)
    {
        const char *c = json_string_value(json_object_get(e, "code"));
        if (!c || strcmp(c, code) != 0)
            continue;
        json_t *b = json_object_get(e, "behaviour"), *d = json_object_get(e, "demand");
        if (json_is_integer(b))
            *behaviour = (int)json_integer_value(b);
        if (json_is_integer(d))
            *demand = (int)json_integer_value(d);
    }
}

/* A category's optional case levels for guard detections must be policy levels. */
static int check_category_levels(json_t *root, char *err, size_t errlen)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(root, "categories"), i, e)
    {
        static const char *const axes[] = {"behaviour", "demand"};
        for (int k = 0; k < 2; k++) {
            json_t *v = json_object_get(e, axes[k]);
            if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
                      json_integer_value(v) >= HARASS_LEVELS))
                FAIL("categories[%zu].%s: expected a level 0–4", i, axes[k]);
        }
    }
    return 0;
}

int harass_policy_from_json(json_t *root, harass_policy **out, char *err, size_t errlen)
{
    harass_policy *p = calloc(1, sizeof *p);
    if (!p)
        FAIL("out of memory");
    p->root = json_incref(root);
    json_t *due = json_object_get(json_object_get(root, "care"), "due_hours");
    p->care_due_hours = due ? (int)json_integer_value(due) : 24;
    int rc = check_axis(root, "behaviour", err, errlen) ||
             check_axis(root, "demand", err, errlen) || check_verdicts(p, err, errlen) ||
             check_grid(p, err, errlen) || check_code_list(root, "categories", 1, err, errlen) ||
             check_code_list(root, "escalation", 0, err, errlen) || check_guard(p, err, errlen) ||
             check_category_levels(root, err, errlen);
    if (!rc && (p->care_due_hours < 1 || p->care_due_hours > 24 * 30)) {
        snprintf(err, errlen, "care.due_hours: expected 1 to 720");
        rc = 1;
    }
    if (rc) {
        harass_policy_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

int harass_policy_load(const char *path, harass_policy **out, char *err, size_t errlen)
{
    json_t *root;
    if (json_file_load(path, &root, err, errlen))
        return -1;
    char inner[300];
    int rc = harass_policy_from_json(root, out, inner, sizeof inner);
    json_decref(root);
    if (rc)
        FAIL("%s: %s", path, inner);
    return 0;
}

void harass_policy_free(harass_policy *p)
{
    if (!p)
        return;
    json_decref(p->root);
    free(p);
}

json_t *harass_policy_document(const harass_policy *p)
{
    return p->root;
}

const char *harass_verdict_label(const harass_policy *p, enum harass_verdict v)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(p->root, "verdicts"), harass_verdict_name(v)), "label"));
}

int harass_care_due_hours(const harass_policy *p)
{
    return p->care_due_hours;
}

/* Writes "a, b, c" of the codes in list key, for messages. */
static void allowed_codes(json_t *root, const char *key, char *out, size_t outlen)
{
    size_t i;
    json_t *e;
    out[0] = '\0';
    json_array_foreach(json_object_get(root, key), i, e)
    {
        if (i)
            strncat(out, ", ", outlen - strlen(out) - 1);
        strncat(out, json_string_value(json_object_get(e, "code")), outlen - strlen(out) - 1);
    }
}

/* Validates a comma list against the codes of policy list key; output in policy order. */
static int codes_check(const harass_policy *p, const char *key, const char *what, const char *csv,
                       char *out, size_t outlen, char *err, size_t errlen)
{
    json_t *list = json_object_get(p->root, key);
    size_t nlist = json_array_size(list);
    int seen[HARASS_MAX_CATEGORIES] = {0};
    const char *q = csv ? csv : "";
    while (*q) {
        size_t n = strcspn(q, ",");
        size_t i;
        for (i = 0; i < nlist; i++) {
            const char *code = json_string_value(json_object_get(json_array_get(list, i), "code"));
            if (strlen(code) == n && strncmp(code, q, n) == 0)
                break;
        }
        if (i == nlist) {
            char allowed[1024];
            allowed_codes(p->root, key, allowed, sizeof allowed);
            FAIL("%s: \"%.*s\" is not one of %s", what, (int)(n > 40 ? 40 : n), q, allowed);
        }
        seen[i] = 1;
        q += n + (q[n] == ',');
    }
    struct buf b;
    buf_init(&b, outlen ? outlen - 1 : 0);
    for (size_t i = 0; i < nlist; i++)
        if (seen[i] &&
            buf_printf(&b, "%s%s", b.len ? "," : "",
                       json_string_value(json_object_get(json_array_get(list, i), "code"))))
            break;
    str_copy(out, outlen, b.data ? b.data : "");
    buf_release(&b);
    return 0;
}

int harass_categories_check(const harass_policy *p, const char *csv, char *out, size_t outlen,
                            char *err, size_t errlen)
{
    if (!csv || !*csv)
        FAIL("--category: at least one category is needed");
    return codes_check(p, "categories", "--category", csv, out, outlen, err, errlen);
}

int harass_requests_check(const harass_policy *p, const char *csv, char *out, size_t outlen,
                          char *err, size_t errlen)
{
    return codes_check(p, "escalation", "--request", csv, out, outlen, err, errlen);
}

int harass_judge(const harass_policy *p, int behaviour, int demand, const char *const *requests,
                 int nrequests, struct harass_judgement *out, char *err, size_t errlen)
{
    if (behaviour < 0 || behaviour >= HARASS_LEVELS)
        FAIL("--behaviour: value %d is not one of 0, 1, 2, 3, 4", behaviour);
    if (demand < 0 || demand >= HARASS_LEVELS)
        FAIL("--demand: value %d is not one of 0, 1, 2, 3, 4", demand);
    for (int i = 0; i < nrequests; i++) {
        char norm[HARASS_CODE_MAX];
        if (codes_check(p, "escalation", "--request", requests[i], norm, sizeof norm, err, errlen))
            return -1;
    }
    struct harass_judgement j = {.verdict = p->grid[behaviour][demand]};
    const char *resp = p->cell_response[behaviour][demand];
    str_copy(j.response, sizeof j.response, resp ? resp : p->verdict_response[j.verdict]);
    /* Some requests are never the operator's to handle, whatever the verdict. */
    if (nrequests > 0) {
        j.escalated = 1;
        str_copy(j.response, sizeof j.response, "inhouse_handover");
    }
    *out = j;
    return 0;
}

static json_t *level_json(const harass_policy *p, const char *axis, int level)
{
    json_t *lv = json_array_get(json_object_get(p->root, axis), (size_t)level);
    return json_pack("{s:i, s:O}", "level", level, "label", json_object_get(lv, "label"));
}

json_t *harass_judgement_json(const harass_policy *p, int behaviour, int demand,
                              const struct harass_judgement *j)
{
    json_t *resp = json_object_get(json_object_get(p->root, "responses"), j->response);
    return json_pack(
        "{s:s, s:s?, s:s, s:O?, s:b, s:o, s:o}", "verdict", harass_verdict_name(j->verdict),
        "verdict_label", harass_verdict_label(p, j->verdict), "response", j->response,
        "response_label", json_object_get(resp, "label"), "escalated", j->escalated, "behaviour",
        level_json(p, "behaviour", behaviour), "demand", level_json(p, "demand", demand));
}

int harass_split_codes(char *csv, const char **out, int max)
{
    int n = 0;
    char *p = csv;
    while (p && *p && n < max) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p)
            out[n++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

int64_t harass_retention_days(const harass_policy *p)
{
    json_t *d = json_object_get(p->root, "retention_days");
    return json_is_integer(d) && json_integer_value(d) > 0 ? json_integer_value(d) : 1095;
}
