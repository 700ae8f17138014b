/* Demo data for `make run`: enough of an organisation to click through the API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/util.h"
#include "survey/survey.h"
#include "store/store_cx.h"
#include "store/store_harass.h"
#include "store/store_org.h"
#include "store/store_skills.h"
#include "store/store_survey.h"
#include "survey/wave.h"

struct demo_center {
    const char *code;
    const char *name;
    int64_t headcount[POS__COUNT]; /* OP, SV, MGR, OTHER */
};

static const struct demo_center demo_centers[] = {
    {"TKY", "東京センター", {80, 8, 2, 4}},
    {"OSK", "大阪センター", {140, 14, 3, 6}},
    {"FUK", "福岡センター", {36, 4, 1, 2}},
};

static const struct {
    const char *code;
    const char *name;
} demo_teams[] = {{"A", "受付チーム"}, {"B", "技術サポートチーム"}};

static int seed_centers(store *s, int64_t company_id)
{
    for (size_t i = 0; i < ARRAY_LEN(demo_centers); i++) {
        struct org_center c = {.company_id = company_id};
        str_copy(c.code, sizeof c.code, demo_centers[i].code);
        str_copy(c.name, sizeof c.name, demo_centers[i].name);
        memcpy(c.headcount, demo_centers[i].headcount, sizeof c.headcount);
        int rc = store_center_add(s, &c);
        for (size_t t = 0; rc == STORE_OK && t < ARRAY_LEN(demo_teams); t++) {
            struct org_team team = {.center_id = c.id};
            str_copy(team.code, sizeof team.code, demo_teams[t].code);
            str_copy(team.name, sizeof team.name, demo_teams[t].name);
            rc = store_team_add(s, &team);
        }
        if (rc)
            return rc;
    }
    return STORE_OK;
}

/* A small shop's self-diagnosis over a year: three rounds, staff who disagree, and the
 * checkpoints it recorded on the way. */
static const struct {
    const char *round, *respondent, *day;
    int levels[CX_AREAS];
} demo_cx[] = {
    {"2025-12", "店長", "2025-12-08", {1, 1, 0, 0}},
    {"2025-12", "副店長", "2025-12-09", {1, 2, 0, 1}},
    {"2025-12", "スタッフA", "2025-12-10", {0, 1, 1, 0}},
    {"2026-05", "店長", "2026-05-12", {2, 1, 1, 1}},
    {"2026-05", "副店長", "2026-05-12", {1, 2, 1, 1}},
    {"2026-05", "スタッフA", "2026-05-13", {2, 1, 2, 1}},
    {"2026-11", "店長", "2026-11-16", {2, 2, 2, 1}},
    {"2026-11", "副店長", "2026-11-17", {2, 2, 1, 2}},
};

static const struct {
    const char *code, *day;
    double value;
} demo_checkpoints[] = {
    {"repeat_rate", "2025-12-01", 18.0},    {"repeat_rate", "2026-05-01", 21.5},
    {"repeat_rate", "2026-11-01", 24.0},    {"complaint_time", "2025-12-01", 35.0},
    {"complaint_time", "2026-11-01", 22.0},
};

/* Seconds every demo date moves by: whole weeks from the week of 2026-11-16 (the demo's last
 * week of flagged calls) to the current week, so that "this week" and the latest wave are not
 * empty on the day someone tries the demo. Set once by cli_demo_seed. */
static int64_t demo_shift;

static int64_t plain_day(const char *day)
{
    struct tm tm = {0};
    strptime(day, "%Y-%m-%d", &tm);
    return (int64_t)timegm(&tm);
}

static int64_t week_monday(int64_t t)
{
    int64_t days = t / 86400;
    /* 1970-01-01 was a Thursday: days + 3 counts from a Monday. */
    return (days - ((days + 3) % 7)) * 86400;
}

static void demo_shift_init(void)
{
    const char *fixed = getenv("IKIIKI_DEMO_TODAY");
    int64_t today = fixed && *fixed ? plain_day(fixed) : now_unix() + 9 * 3600; /* Japan */
    demo_shift = week_monday(today) - week_monday(plain_day("2026-11-16"));
}

static int64_t day_unix(const char *day)
{
    return plain_day(day) + demo_shift + 9 * 3600; /* 09:00 UTC, an office morning in Japan */
}

static int seed_cx(store *s)
{
    struct org_company shop = {0};
    str_copy(shop.code, sizeof shop.code, "HANA");
    str_copy(shop.name, sizeof shop.name, "花と暮らしの店 はな（デモ）");
    int rc = store_company_add(s, &shop);
    for (size_t i = 0; rc == STORE_OK && i < ARRAY_LEN(demo_cx); i++) {
        struct cx_answer a = {.taken_at = day_unix(demo_cx[i].day)};
        str_copy(a.round, sizeof a.round, demo_cx[i].round);
        str_copy(a.respondent, sizeof a.respondent, demo_cx[i].respondent);
        memcpy(a.levels, demo_cx[i].levels, sizeof a.levels);
        rc = store_cx_answer_add(s, shop.id, &a);
    }
    for (size_t i = 0; rc == STORE_OK && i < ARRAY_LEN(demo_checkpoints); i++)
        rc = store_cx_checkpoint_add(s, shop.id, demo_checkpoints[i].code,
                                     demo_checkpoints[i].value, day_unix(demo_checkpoints[i].day));
    return rc;
}

/* Center TKY's people and their skill assessments (self and supervisor, dated), so that
 * `ikiiki skills team --center TKY` shows gaps and one supervisor below SM-7 level 3. Each gets
 * a random password that `init --demo` prints once. */
static const struct {
    const char *login, *name;
    enum org_role role;
} demo_people[] = {
    {"yamada.mgr", "山田 直子", ROLE_CENTER_MANAGER}, {"sato.sv", "佐藤 美咲", ROLE_SUPERVISOR},
    {"suzuki.sv", "鈴木 健太", ROLE_SUPERVISOR},      {"tanaka.op", "田中 陽菜", ROLE_OPERATOR},
    {"ito.op", "伊藤 大輝", ROLE_OPERATOR},           {"kato.op", "加藤 さくら", ROLE_OPERATOR},
};

static const struct {
    const char *login, *skill, *by, *day; /* by NULL: a self-assessment */
    int level;
} demo_assessments[] = {
    {"sato.sv", "SM-5", NULL, "2026-04-10", 3},
    {"sato.sv", "SM-6", NULL, "2026-04-10", 2},
    {"sato.sv", "SM-7", NULL, "2026-04-10", 3},
    {"sato.sv", "SM-8", NULL, "2026-04-10", 2},
    /* The supervisor's view is lower than her own: she is the one below SM-7 level 3. */
    {"sato.sv", "SM-7", "admin", "2026-05-20", 2},
    {"suzuki.sv", "SM-5", "admin", "2026-05-20", 3},
    {"suzuki.sv", "SM-6", "admin", "2026-05-20", 2},
    {"suzuki.sv", "SM-7", NULL, "2026-04-11", 3},
    {"suzuki.sv", "SM-7", "admin", "2026-05-20", 3},
    {"tanaka.op", "SM-5", NULL, "2026-04-12", 2},
    {"tanaka.op", "SM-6", NULL, "2026-04-12", 1},
    {"tanaka.op", "SM-7", "sato.sv", "2026-05-21", 1},
    {"tanaka.op", "SM-7", NULL, "2026-06-01", 2}, /* later, but the supervisor's view counts */
    {"ito.op", "SM-5", NULL, "2026-04-12", 1},
    {"ito.op", "SM-5", "suzuki.sv", "2026-05-22", 2},
    {"ito.op", "SM-7", "suzuki.sv", "2026-05-22", 2},
    {"kato.op", "SM-5", NULL, "2026-04-13", 1},
    {"kato.op", "SM-7", NULL, "2026-04-13", 1},
};

/* Adds a demo account with a fresh random password, recorded in logins. */
static int add_login(store *s, struct org_user *u, struct cli_demo_login *logins, int *n, char *err,
                     size_t errlen)
{
    struct cli_demo_login *l = &logins[*n];
    org_password_generate(l->password);
    if (*n >= CLI_DEMO_LOGINS || org_password_hash(l->password, u->password_hash)) {
        snprintf(err, errlen, "cannot hash the password");
        return -1;
    }
    str_copy(l->login, sizeof l->login, u->login);
    l->role = org_role_name(u->role);
    int rc = store_user_add(s, u);
    if (rc == STORE_OK)
        (*n)++;
    else
        snprintf(err, errlen, "%s", store_errmsg(s));
    return rc;
}

static int seed_skills(store *s, struct cli_demo_login *logins, int *nlogins, char *err,
                       size_t errlen)
{
    struct org_center tky;
    int rc = store_center_get(s, "TKY", &tky);
    for (size_t i = 0; rc == STORE_OK && i < ARRAY_LEN(demo_people); i++) {
        struct org_user u = {.role = demo_people[i].role, .center_id = tky.id};
        str_copy(u.login, sizeof u.login, demo_people[i].login);
        str_copy(u.display_name, sizeof u.display_name, demo_people[i].name);
        if ((rc = add_login(s, &u, logins, nlogins, err, errlen)))
            return rc;
    }
    for (size_t i = 0; rc == STORE_OK && i < ARRAY_LEN(demo_assessments); i++) {
        struct org_user u;
        struct skills_assessment a = {.level = demo_assessments[i].level,
                                      .kind =
                                          demo_assessments[i].by ? SKILLS_SUPERVISOR : SKILLS_SELF,
                                      .assessed_at = day_unix(demo_assessments[i].day) - 9 * 3600};
        const char *by = demo_assessments[i].by;
        str_copy(a.skill, sizeof a.skill, demo_assessments[i].skill);
        str_copy(a.assessor, sizeof a.assessor, by ? by : demo_assessments[i].login);
        rc = store_user_get(s, demo_assessments[i].login, &u);
        if (rc == STORE_OK)
            rc = store_skills_assess_add(s, u.id, &a);
    }
    if (rc)
        snprintf(err, errlen, "%s", store_errmsg(s));
    return rc;
}

/* A month of flagged calls at TKY (ISO weeks 44–47 of 2026, Japan time), reviewed by headquarters
 * except the last week, with some field-vs-HQ disagreement in the grey zone. Care tasks opened by
 * harassment verdicts: the first two were done, the rest are overdue. */
static const struct {
    const char *at, *op, *categories;
    int b, d;   /* the field's plot */
    int rb, rd; /* headquarters' plot; -1 = not reviewed yet */
} demo_cases[] = {
    {"2026-10-26T10:12", "tanaka.op", "abuse", 2, 1, 2, 1},
    {"2026-10-27T15:40", "ito.op", "excessive_demand", 1, 2, 1, 2},
    {"2026-10-29T11:05", "kato.op", "insult,personal_attack", 3, 3, 3, 3},
    {"2026-10-30T17:20", "tanaka.op", "long_call,repeat", 1, 1, 2, 2},
    {"2026-11-02T09:30", "ito.op", "abuse", 2, 2, 2, 1},
    {"2026-11-04T13:15", "kato.op", "forced_apology", 2, 3, 2, 3},
    {"2026-11-05T16:45", "tanaka.op", "excessive_demand", 0, 3, 1, 2},
    {"2026-11-06T10:50", "ito.op", "threat,exposure_threat", 4, 2, 4, 2},
    {"2026-11-09T14:00", "kato.op", "repeat", 1, 2, 1, 1},
    {"2026-11-10T11:30", "tanaka.op", "insult", 3, 1, 2, 1},
    {"2026-11-12T15:10", "ito.op", "sexual", 3, 2, 3, 2},
    {"2026-11-13T12:25", "kato.op", "abuse,repeat", 2, 1, 2, 2},
    {"2026-11-16T10:05", "tanaka.op", "abuse", 2, 2, -1, -1},
    {"2026-11-17T16:30", "ito.op", "excessive_demand", 1, 3, -1, -1},
    {"2026-11-19T11:45", "kato.op", "threat", 4, 1, -1, -1},
    {"2026-11-20T14:20", "tanaka.op", "long_call", 1, 1, -1, -1},
};

static int seed_harass(store *s, char *err, size_t errlen)
{
    char path[512];
    harass_policy *p = NULL;
    int version = 0, done = 0;
    if (data_path("policy/default.json", path, sizeof path) ||
        harass_policy_active(s, path, &p, &version, err, errlen))
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ARRAY_LEN(demo_cases); i++) {
        struct harass_flag_input in = {.center = "TKY",
                                       .operator= demo_cases[i].op,
                                       .behaviour = demo_cases[i].b,
                                       .demand = demo_cases[i].d,
                                       .categories = demo_cases[i].categories,
                                       .by = demo_cases[i].op};
        struct harass_case c;
        harass_parse_time(demo_cases[i].at, &in.occurred_at);
        in.occurred_at += demo_shift;
        in.flagged_at = in.occurred_at + 1800;
        rc = harass_flag(s, p, version, &in, &c, err, errlen);
        if (rc == 0 && demo_cases[i].rb >= 0)
            rc = harass_review(s, p, version, c.id, "admin", demo_cases[i].rb, demo_cases[i].rd, "",
                               0, &c, err, errlen);
        if (rc == 0 && c.verdict == VERDICT_HARASSMENT && done < 2) {
            struct harass_care *t = NULL;
            size_t n = 0;
            rc = store_harass_care_list(s, c.center_id, 1, &t, &n);
            for (size_t k = 0; rc == 0 && k < n; k++)
                if (t[k].case_id == c.id)
                    rc = store_harass_care_done(s, t[k].id, "面談し、休憩を取ってもらった",
                                                in.flagged_at + 6 * 3600);
            free(t);
            done++;
        }
    }
    harass_policy_free(p);
    return rc;
}

/* A finished survey wave (2026 autumn) at the three centers: answers drawn from a fixed
 * pseudo-random sequence, each center with its own leaning, sized so that TKY and OSK meet the
 * award rules and FUK falls short of the 70 % response rate. */
static const struct {
    const char *center;
    int operators, others;
    int lean; /* added to a 0–99 draw: higher leans towards agreeing */
} demo_survey[] = {{"TKY", 62, 10, 12},
                   {"OSK", 108, 16, 0},
                   {"FUK", 22, 5, 20},
                   /* Centers of other companies in the same award programme: the other-center
                    * average needs 5 other centers and the HPB 8 (survey/disclose.h). */
                   {"P01", 30, 6, -8},
                   {"P02", 40, 8, 4},
                   {"P03", 25, 5, 16},
                   {"P04", 50, 9, -2},
                   {"P05", 28, 6, 8},
                   {"P06", 35, 7, 22},
                   {"P07", 45, 8, -14}};

/* The other participants: one company, one center each (a consultant of DEMO sees none). */
static int seed_participants(store *s)
{
    struct org_company co = {0};
    str_copy(co.code, sizeof co.code, "PEERS");
    str_copy(co.name, sizeof co.name, "アワード参加企業");
    int rc = store_company_add(s, &co);
    for (size_t i = 3; rc == STORE_OK && i < ARRAY_LEN(demo_survey); i++) {
        struct org_center c = {.company_id = co.id};
        str_copy(c.code, sizeof c.code, demo_survey[i].center);
        snprintf(c.name, sizeof c.name, "参加センター%zu", i - 2);
        c.headcount[POS_OP] = demo_survey[i].operators + 5;
        c.headcount[POS_SV] = demo_survey[i].others - 2;
        c.headcount[POS_MGR] = 2;
        rc = store_center_add(s, &c);
    }
    return rc;
}

static const char *const demo_teams_jp[] = {"A", "B"};
static const char *const demo_tenure[] = {"1年未満", "1〜3年", "3年以上"};
static const char *const demo_comments[] = {
    "研修が充実していて、成長を実感できます。",
    "理不尽なお客様からの電話が怖いと感じることがあります。",
    "チームの雰囲気が良く、困ったときに相談しやすいです。",
    "評価の基準がもう少し分かりやすいとうれしいです。",
    "繁忙期は休憩が取れない日があり、シフトを見直してほしい。",
    "SVがすぐにフォローしてくれるので安心して電話に出られます。",
    "長時間怒鳴られる電話が続いた日は眠れないことがあります。",
    "有給休暇が取りやすく、家庭と両立できています。",
    "お客様から「ありがとう」と言われると、この仕事を続けたいと思います。",
    "新人研修の期間が短く、最初は不安でした。",
    "システムが遅く、お客様を待たせてしまうのがつらいです。",
    "評価面談で自分の成長を認めてもらえたのがうれしかった。",
    "暴言を受けたあとに話を聞いてもらえる場があると助かります。",
    "チーム内で情報共有がしっかりしていて働きやすいです。",
};

/* The next answer 1–6 from a linear congruential sequence (deterministic demo data). */
static uint8_t demo_answer(uint32_t *seed, int lean)
{
    *seed = *seed * 1103515245u + 12345u;
    int d = (int)((*seed >> 16) % 100u) + lean;
    return (uint8_t)(d < 8 ? 1 : d < 20 ? 2 : d < 40 ? 3 : d < 70 ? 4 : d < 92 ? 5 : 6);
}

static int seed_survey(store *s, char *err, size_t errlen)
{
    char path[512];
    survey_questionnaire *q = NULL;
    if (data_path("survey/questionnaire.json", path, sizeof path) ||
        survey_questionnaire_load(path, &q, err, errlen))
        return -1;
    char *doc = json_dumps(survey_questionnaire_document(q), JSON_COMPACT);
    int64_t wave = 0;
    int rc = doc ? store_survey_wave_add(s, "2026-AUTUMN", doc, day_unix("2026-10-01"), &wave)
                 : STORE_ERROR;
    char answered[16];
    date_jst(day_unix("2026-10-20"), answered, sizeof answered);
    free(doc);
    if (rc == STORE_OK)
        rc = seed_participants(s);
    uint32_t seed = 20261001u;
    int nitems = survey_nitems(q);
    for (size_t c = 0; rc == STORE_OK && c < ARRAY_LEN(demo_survey); c++) {
        struct org_center center;
        int total = demo_survey[c].operators + demo_survey[c].others;
        struct survey_respondent *r = calloc((size_t)total, sizeof *r);
        char **comments = calloc((size_t)total, sizeof *comments);
        rc = r && comments ? store_center_get(s, demo_survey[c].center, &center) : STORE_ERROR;
        for (int i = 0; rc == STORE_OK && i < total; i++) {
            r[i].position = i < demo_survey[c].operators ? POS_OP : (i % 3 == 0 ? POS_MGR : POS_SV);
            str_copy(r[i].team, sizeof r[i].team, demo_teams_jp[i % 2]);
            str_copy(r[i].tenure, sizeof r[i].tenure, demo_tenure[i % 3]);
            str_copy(r[i].segment, sizeof r[i].segment, i % 4 == 0 ? "契約社員" : "正社員");
            for (int k = 0; k < nitems; k++)
                r[i].answers[k] = (i + k) % 29 == 0 ? 0 : demo_answer(&seed, demo_survey[c].lean);
            if (i % 3 == 0)
                comments[i] = (char *)demo_comments[((size_t)i / 3 + c) % ARRAY_LEN(demo_comments)];
        }
        struct survey_publication pub;
        if (rc == STORE_OK)
            rc = store_survey_respondents_add(s, wave, center.id, answered, r, comments,
                                              (size_t)total, nitems);
        /* The demo wave is over: its answers are published, as a closed link's would be. */
        if (rc == STORE_OK)
            rc = survey_publish(s, wave, center.id, center.code, "close", "cli", "", &pub);
        free(r);
        free(comments);
    }
    survey_questionnaire_free(q);
    if (rc)
        snprintf(err, errlen, "%s", store_errmsg(s));
    return rc;
}

/* The consultant who looks after the demo company. */
static int seed_consultant(store *s, int64_t company_id, struct cli_demo_login *logins, int *n,
                           char *err, size_t errlen)
{
    struct org_user u = {.role = ROLE_CONSULTANT};
    str_copy(u.login, sizeof u.login, "kimura.cs");
    str_copy(u.display_name, sizeof u.display_name, "木村 亮");
    int rc = add_login(s, &u, logins, n, err, errlen);
    if (rc == STORE_OK && (rc = store_consultant_link(s, u.id, company_id)))
        snprintf(err, errlen, "%s", store_errmsg(s));
    return rc;
}

int cli_demo_seed(store *s, struct cli_demo_login *logins, int *nlogins, char *err, size_t errlen)
{
    demo_shift_init();
    *nlogins = 0;
    struct org_company co = {0};
    str_copy(co.code, sizeof co.code, "DEMO");
    str_copy(co.name, sizeof co.name, "イキイキ デモ株式会社");
    struct org_user admin = {.role = ROLE_ADMIN};
    str_copy(admin.login, sizeof admin.login, "admin");
    str_copy(admin.display_name, sizeof admin.display_name, "管理者");
    int rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store_company_add(s, &co);
    if (rc == STORE_OK)
        rc = seed_centers(s, co.id);
    if (rc == STORE_OK && add_login(s, &admin, logins, nlogins, err, errlen)) {
        store_rollback_all(s);
        return -1;
    }
    if (rc == STORE_OK)
        rc = seed_cx(s);
    if (rc == STORE_OK &&
        ((rc = seed_consultant(s, co.id, logins, nlogins, err, errlen)) ||
         (rc = seed_skills(s, logins, nlogins, err, errlen)) ||
         (rc = seed_harass(s, err, errlen)) || (rc = seed_survey(s, err, errlen)))) {
        store_rollback_all(s);
        return -1;
    }
    if (rc == STORE_OK)
        rc = store_audit_add(s, "cli", "demo.seed", co.code, "", "");
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc) {
        snprintf(err, errlen, "%s", store_errmsg(s));
        store_rollback(s);
        return -1;
    }
    return 0;
}
