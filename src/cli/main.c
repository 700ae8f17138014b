/* ikiiki: one binary, `ikiiki <group> [verb] [options]`, reached through one table. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/module.h"
#include "org/org.h"

#ifndef IKIIKI_VERSION
#define IKIIKI_VERSION "0.0.0"
#endif

/* A command whose code lives in a module (core/module.h): found by name when it runs. */
#define MODULE(m, fn) NULL, m, #fn

static const struct cli_cmd commands[] = {
    {"init", NULL, "create the database or bring its schema up to date (--demo adds demo data)",
     cmd_init},
    {"serve", NULL, "run the HTTP API server", MODULE("serve", cmd_serve)},
    {"backup", NULL, "write a consistent backup of the database while it serves (--to FILE)",
     cmd_backup},
    {"restore", NULL, "restore a backup into an empty database (--from FILE; --force to replace)",
     cmd_restore},
    {"migrate-store", NULL,
     "copy every table from SQLite into an empty PostgreSQL (--from sqlite:PATH --to URL), "
     "verified per table",
     cmd_migrate_store},
    {"config", "check", "read a configuration file as serve would and report the first error",
     MODULE("serve", cmd_config_check)},
    {"guard", "analyze",
     "run a call's transcript (stdin, C:/O: lines) through the call guard (通話ガード)",
     cmd_guard_analyze},
    {"guard", "block", "the call guard's block list: add, list, remove (callers kept hashed)",
     cmd_guard_block},
    {"company", "add", "add a company (a client of the platform)", cmd_company_add},
    {"company", "list", "list companies", cmd_company_list},
    {"center", "add", "add a contact center with its enrolled headcount", cmd_center_add},
    {"center", "list", "list centers", cmd_center_list},
    {"team", "add", "add a team to a center", cmd_team_add},
    {"user", "add", "add a user account", cmd_user_add},
    {"user", "list", "list user accounts", cmd_user_list},
    {"apikey", "add", "add an API key for a machine client (printed once)", cmd_apikey_add},
    {"apikey", "list", "list API keys (never the keys themselves)", cmd_apikey_list},
    {"harass", "judge", "judge a behaviour × demand plot against the policy (カスハラ判断)",
     cmd_harass_judge},
    {"harass", "flag", "flag an interaction as possible harassment", cmd_harass_flag},
    {"harass", "review", "review a flagged case (HQ's plot; --amend to change it)",
     cmd_harass_review},
    {"harass", "queue", "a center's flagged cases of one ISO week", cmd_harass_queue},
    {"harass", "agreement", "how alike field and HQ judge: agreement, kappa, confusion",
     cmd_harass_agreement},
    {"harass", "policy", "show, export or import the harassment policy", cmd_harass_policy},
    {"harass", "care", "operator care tasks: list, done", cmd_harass_care},
    {"harass", "stats", "cases by week, team, category and verdict; repeat callers",
     cmd_harass_stats},
    {"harass", "calls", "import daily call counts (CSV date,calls[,team]) for rates per 1,000",
     cmd_harass_calls},
    {"harass", "purge", "delete cases older than the retention period (--dry-run to count)",
     cmd_harass_purge},
    {"cx", "sheet", "show the customer-contact self-diagnosis sheet (顧客接点力診断)",
     cmd_cx_sheet},
    {"cx", "check", "diagnose from the four area levels: overall level, actions, roadmap",
     cmd_cx_check},
    {"cx", "history", "a company's diagnoses over time and where staff disagree", cmd_cx_history},
    {"cx", "checkpoint", "record an effect checkpoint (repeat rate, complaint time, …)",
     cmd_cx_checkpoint},
    {"skills", "model", "show the active skill model, or import one (show | import FILE)",
     cmd_skills_model},
    {"skills", "gap", "gaps for a role and assessed levels (no database needed)", cmd_skills_gap},
    {"skills", "assess", "record a self or supervisor assessment of one skill", cmd_skills_assess},
    {"skills", "person", "a person's gap list", cmd_skills_person},
    {"skills", "team", "a center's heat map, training needs and care watch", cmd_skills_team},
    {"skills", "role", "set or clear a user's skill role (OP, SV, OMP, CAP)", cmd_skills_role},
    {"survey", "wave", "add a survey wave with its questionnaire (add --code W)", cmd_survey_wave},
    {"survey", "import",
     "import FILE: a center's answers (template CSV, SurveyMonkey CSV, Forms XLSX)",
     cmd_survey_import},
    {"survey", "score", "TOP3BOX by item, element and group, with other-center average and HPB",
     cmd_survey_score},
    {"survey", "rank", "award divisions, eligibility (with the failed rules) and ranking",
     cmd_survey_rank},
    {"survey", "responses", "respondents per center and position, operator response rate",
     cmd_survey_responses},
    {"survey", "drivers", "items that go with O01 (Spearman, BH-adjusted), priorities, alpha",
     cmd_survey_drivers},
    {"survey", "compare", "pulse: TOP3BOX change per item between two waves (z-test, Holm)",
     cmd_survey_compare},
    {"survey", "export", "one center's 診断結果一覧 as XLSX or CSV (UTF-8 with BOM or CP932)",
     MODULE("report", cmd_survey_export)},
    {"survey", "report",
     "one center's Well-being診断 report as PDF (chart, items, drivers, comments)",
     MODULE("report", cmd_survey_report)},
    {"survey", "link", "open (or --close) the anonymous answer link of a wave and center",
     cmd_survey_link},
    {"survey", "publish",
     "publish the answers a center received since its last publication, when the anonymity rules "
     "allow",
     cmd_survey_publish},
    {"survey", "settings", "the anonymity threshold k of this installation (and k for comments)",
     cmd_survey_settings},
    {"survey", "comments",
     "free comments: top terms, pairs, by group, harassment and fear surfaced",
     cmd_survey_comments},
    {"media", "analyze", "analyse a sound file: speech, level, pitch, arousal (--json per second)",
     MODULE("media", cmd_media_analyze)},
    {"media", "purge", "delete call recordings older than --days N",
     MODULE("media", cmd_media_purge)},
    {"media", "voiceprint", "caller voiceprints: add FILE, list, delete ID, match FILE",
     MODULE("media", cmd_media_voiceprint)},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: ikiiki <command> [options]\n\n"
               "イキイキ — well-being and harassment protection for contact centers\n\n"
               "commands:\n");
    for (const struct cli_cmd *c = commands; c->group; c++) {
        char name[48];
        snprintf(name, sizeof name, "%s%s%s", c->group, c->verb ? " " : "", c->verb ? c->verb : "");
        fprintf(f, "  %-16s %s\n", name, c->summary);
    }
    fprintf(f, "\nevery command takes --db URL (a path, sqlite:PATH or postgresql://…;\n"
               "default $IKIIKI_DB, else ./ikiiki.db) and --help.\n");
}

/* libpq's version would load the PostgreSQL module; the version says whether it was built. */
static void version(void)
{
    printf("ikiiki %s (sqlite %s", IKIIKI_VERSION, sqlite3_libversion());
#ifdef IKIIKI_HAVE_PG
    printf(", postgresql module");
#endif
    printf(")\n");
}

static int run(const struct cli_cmd *c, int argc, char **argv)
{
    if (c->run)
        return c->run(c, argc, argv);
    char err[600];
    int (*fn)(const struct cli_cmd *, int, char **) = NULL;
    *(void **)&fn = module_sym(c->module, c->symbol, err, sizeof err);
    if (!fn)
        return cli_fail(c, EXIT_FAIL, "%s", err);
    return fn(c, argc, argv);
}

static int group_known(const char *g)
{
    for (const struct cli_cmd *c = commands; c->group; c++)
        if (strcmp(c->group, g) == 0)
            return 1;
    return 0;
}

/* One line: the verbs of group g, after an optional complaint about an unknown verb. */
static void group_usage(FILE *f, const char *g, const char *unknown)
{
    fprintf(f, "ikiiki %s: ", g);
    if (unknown)
        fprintf(f, "unknown command \"%s\", ", unknown);
    fprintf(f, "expected one of:");
    for (const struct cli_cmd *c = commands; c->group; c++)
        if (strcmp(c->group, g) == 0)
            fprintf(f, " %s", c->verb);
    fprintf(f, "\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        version();
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (org_crypto_init())
        return cli_fail(NULL, EXIT_FAIL, "cannot initialise libsodium");
    const char *verb = argc > 2 ? argv[2] : NULL;
    for (const struct cli_cmd *c = commands; c->group; c++) {
        if (strcmp(c->group, argv[1]) != 0)
            continue;
        if (!c->verb)
            return run(c, argc - 2, argv + 2);
        if (verb && strcmp(c->verb, verb) == 0)
            return run(c, argc - 3, argv + 3);
    }
    if (group_known(argv[1])) {
        if (verb && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)) {
            group_usage(stdout, argv[1], NULL);
            return EXIT_OK;
        }
        group_usage(stderr, argv[1], verb);
        return EXIT_USAGE;
    }
    fprintf(stderr, "ikiiki: unknown command \"%s\" (see ikiiki --help)\n", argv[1]);
    return EXIT_USAGE;
}
