/* libFuzzer target for request bodies: any bytes through http_body_parse and, when they make a
 * JSON object, through every decoder (create and update modes, the harassment bodies too) and
 * http_center_apply. Nothing may crash, leak or trip a sanitizer; decoders must also leave
 * NUL-terminated strings and an error message when they refuse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "http/decode.h"
#include "http/decode_guard.h"

/* Aborts (a finding) when a fixed-size string field is not terminated inside its buffer. */
#define CHECK_STR(field)                                                                           \
    do {                                                                                           \
        if (!memchr((field), '\0', sizeof(field)))                                                 \
            abort();                                                                               \
    } while (0)

static void check_refusal(int rc, const char *err)
{
    if (rc != 0 && err[0] == '\0')
        abort(); /* every refusal must say why */
}

static void run_center(json_t *o, int create)
{
    char err[300] = "";
    struct center_input in;
    int rc = http_decode_center(o, create, &in, err, sizeof err);
    check_refusal(rc, err);
    if (rc)
        return;
    CHECK_STR(in.code);
    CHECK_STR(in.name);
    CHECK_STR(in.company);
    for (int p = 0; p < POS__COUNT; p++)
        if (in.has_headcount[p] && (in.headcount[p] < 0 || in.headcount[p] > 1000000))
            abort();
    if (create && (!in.has_code || !in.has_name || !in.has_headcount[POS_OP]))
        abort();
    struct org_center c;
    memset(&c, 0, sizeof c);
    http_center_apply(&in, &c);
    CHECK_STR(c.code);
    CHECK_STR(c.name);
}

static void run_user(json_t *o, int create)
{
    char err[300] = "";
    struct user_input in;
    int rc = http_decode_user(o, create, &in, err, sizeof err);
    check_refusal(rc, err);
    if (rc)
        return;
    CHECK_STR(in.login);
    CHECK_STR(in.center);
    CHECK_STR(in.team);
    CHECK_STR(in.display_name);
    CHECK_STR(in.password);
    if (in.ncompanies < 0 || in.ncompanies > ORG_MAX_COMPANIES)
        abort();
    for (int i = 0; i < in.ncompanies; i++)
        CHECK_STR(in.companies[i]);
    if (create && (!in.has_login || !in.has_role || !in.has_password))
        abort();
}

/* Aborts unless a comma-separated list of codes has no empty code. */
static void check_codes(const char *list)
{
    size_t n = strlen(list);
    if (n && (list[0] == ',' || list[n - 1] == ',' || strstr(list, ",,")))
        abort();
}

/* The call guard bodies (decode_guard.c): text within its limits and terminated, times in range. */
static void run_guard(json_t *o)
{
    char err[300] = "";
    struct guard_event_input ev;
    int rc = http_decode_guard_event(o, &ev, err, sizeof err);
    check_refusal(rc, err);
    if (rc == 0) {
        CHECK_STR(ev.caller);
        CHECK_STR(ev.operator_name);
        CHECK_STR(ev.center);
        CHECK_STR(ev.name);
        CHECK_STR(ev.detail);
        if (ev.type == GEV_UTTERANCE &&
            (ev.len == 0 || ev.len > GUARD_UTTERANCE_MAX || strlen(ev.text) != ev.len))
            abort();
        if (ev.start_ms >= 0 && ev.end_ms >= 0 && ev.end_ms < ev.start_ms)
            abort();
    }
    err[0] = '\0';
    struct guard_action_input act;
    rc = http_decode_guard_action(o, &act, err, sizeof err);
    check_refusal(rc, err);
    if (rc == 0)
        CHECK_STR(act.action);
    err[0] = '\0';
    struct guard_block_input blk;
    rc = http_decode_guard_block(o, &blk, err, sizeof err);
    check_refusal(rc, err);
    if (rc == 0) {
        CHECK_STR(blk.caller);
        CHECK_STR(blk.reason);
        CHECK_STR(blk.center);
        if (!blk.caller[0] || !blk.reason[0] || strchr(blk.reason, '\n'))
            abort();
    }
}

/* The harassment bodies (decode_harass.c): levels 0–4, lists of codes, evidence as JSON. */
static void run_harass(json_t *o)
{
    char err[300];
    {
        struct harass_judge_input in;
        err[0] = '\0';
        int rc = http_decode_harass_judge(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.requests);
            check_codes(in.requests);
            if (in.behaviour < 0 || in.behaviour > 4 || in.demand < 0 || in.demand > 4)
                abort();
        }
    }
    {
        struct harass_case_input in;
        err[0] = '\0';
        int rc = http_decode_harass_case(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.categories);
            CHECK_STR(in.requests);
            CHECK_STR(in.center);
            CHECK_STR(in.operator);
            CHECK_STR(in.at);
            CHECK_STR(in.memo);
            CHECK_STR(in.caller);
            CHECK_STR(in.channel);
            CHECK_STR(in.interaction);
            CHECK_STR(in.evidence);
            check_codes(in.categories);
            check_codes(in.requests);
            if (in.behaviour < 0 || in.behaviour > 4 || in.demand < 0 || in.demand > 4 ||
                !in.categories[0])
                abort();
            if (in.evidence[0]) { /* what the handler stores must read back as an array */
                json_t *e = json_loads(in.evidence, 0, NULL);
                if (!json_is_array(e))
                    abort();
                json_decref(e);
            }
        }
    }
    {
        struct harass_review_input in;
        err[0] = '\0';
        int rc = http_decode_harass_review(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.note);
            if (in.behaviour < 0 || in.behaviour > 4 || in.demand < 0 || in.demand > 4 ||
                (in.amend != 0 && in.amend != 1))
                abort();
        }
    }
    {
        struct care_done_input in;
        err[0] = '\0';
        int rc = http_decode_care_done(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.note);
            if (!in.note[0])
                abort();
        }
    }
    {
        static struct calls_input in; /* large: not on the stack */
        err[0] = '\0';
        int rc = http_decode_calls(o, &in, err, sizeof err);
        check_refusal(rc, err);
        for (int i = 0; rc == 0 && i < in.n; i++) {
            CHECK_STR(in.rows[i].day);
            CHECK_STR(in.rows[i].team);
            if (strlen(in.rows[i].day) != 10 || in.rows[i].calls < 0)
                abort();
        }
    }
    {
        struct purge_input in;
        err[0] = '\0';
        int rc = http_decode_purge(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0 && (in.days < 0 || in.days > 36500 || (in.dry_run != 0 && in.dry_run != 1)))
            abort();
    }
}

/* Survey answers through a link, against the default questionnaire (loaded once). */
static void run_survey(json_t *o)
{
    static survey_questionnaire *q;
    char err[300] = "", path[1024];
    if (!q && (data_path("survey/questionnaire.json", path, sizeof path) ||
               survey_questionnaire_load(path, &q, err, sizeof err)))
        abort();
    static struct survey_answer_input in;
    err[0] = '\0';
    int rc = http_decode_survey_answer(o, q, &in, err, sizeof err);
    check_refusal(rc, err);
    if (rc)
        return;
    CHECK_STR(in.r.segment);
    CHECK_STR(in.r.team);
    CHECK_STR(in.r.tenure);
    CHECK_STR(in.comment);
    int given = 0;
    for (int i = 0; i < SURVEY_MAX_ITEMS; i++) {
        if (in.r.answers[i] > SURVEY_SCALE || (i >= survey_nitems(q) && in.r.answers[i]))
            abort();
        given += in.r.answers[i] != 0;
    }
    if (!given || in.r.position >= POS__COUNT || strchr(in.comment, '\r') ||
        utf8_count(in.comment) > SURVEY_COMMENT_MAX)
        abort();
    /* Clean text, line breaks allowed (as "\n" only). */
    for (const char *line = in.comment;;) {
        size_t n = strcspn(line, "\n");
        if (!utf8_is_clean(line, n))
            abort();
        if (!line[n])
            break;
        line += n + 1;
    }
}

static void run_decoders(json_t *o)
{
    run_survey(o);
    char err[300];
    {
        struct login_input in;
        err[0] = '\0';
        int rc = http_decode_login(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.login);
            CHECK_STR(in.password);
        }
    }
    {
        struct password_input in;
        err[0] = '\0';
        int rc = http_decode_password(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.current);
            CHECK_STR(in.next);
        }
    }
    {
        struct company_input in;
        err[0] = '\0';
        int rc = http_decode_company(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.code);
            CHECK_STR(in.name);
        }
    }
    run_center(o, 1);
    run_center(o, 0);
    {
        struct team_input in;
        err[0] = '\0';
        int rc = http_decode_team(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.code);
            CHECK_STR(in.name);
        }
    }
    run_user(o, 1);
    run_user(o, 0);
    {
        struct apikey_input in;
        err[0] = '\0';
        int rc = http_decode_apikey(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.name);
            if (in.scopes == 0)
                abort();
        }
    }
    {
        struct cx_input in;
        err[0] = '\0';
        int rc = http_decode_cx(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            for (int i = 0; i < 4; i++)
                if (in.levels[i] < 0 || in.levels[i] > 3)
                    abort();
            CHECK_STR(in.round);
            CHECK_STR(in.respondent);
        }
    }
    {
        struct cx_checkpoint_input in;
        err[0] = '\0';
        int rc = http_decode_cx_checkpoint(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.code);
            CHECK_STR(in.at);
        }
    }
    {
        struct skills_assess_input in;
        err[0] = '\0';
        int rc = http_decode_skills_assess(o, &in, err, sizeof err);
        check_refusal(rc, err);
        if (rc == 0) {
            CHECK_STR(in.skill);
            CHECK_STR(in.at);
            if (in.level < 1 || in.level > 4 || !in.skill[0] || in.kind < 0 || in.kind > 1)
                abort();
        }
    }
    run_harass(o);
    run_guard(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A tiny error buffer too: messages must be cut, never overflow. */
    char err[300], tiny[8];
    json_t *o = NULL;
    int rc = http_body_parse((const char *)data, size, &o, err, sizeof err);
    if (rc == 0) {
        if (!json_is_object(o))
            abort();
        run_decoders(o);
        json_decref(o);
    }
    o = NULL;
    if (http_body_parse((const char *)data, size, &o, tiny, sizeof tiny) == 0)
        json_decref(o);
    return 0;
}
