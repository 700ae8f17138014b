/* cli: the `ikiiki` command. One file per command group (cmd_<group>.c), one dispatch table in
 * main.c. Commands return an exit status: 0 success, 1 failure, 2 bad input. */
#ifndef IKIIKI_CLI_H
#define IKIIKI_CLI_H

#include <jansson.h>
#include <stdint.h>

#include "guard/guard.h"
#include "org/org.h"
#include "store/store.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_opt {
    const char *name; /* without the leading "--" */
    int has_arg;
    const char *help;
    const char *value; /* points into argv; "" for a flag that was given */
    int seen;
};

struct cli_cmd {
    const char *group; /* e.g. "center"; NULL group marks the end of the table */
    const char *verb;  /* e.g. "add"; NULL for single-word commands like "init" */
    const char *summary;
    int (*run)(const struct cli_cmd *cmd, int argc, char **argv);
    /* When run is NULL: the command is the function symbol of module (core/module.h), loaded
     * when the command runs so that other commands never pay for its libraries. */
    const char *module, *symbol;
};

/* Parses options after the command words. Positional arguments are collected into pos
 * (at most maxpos); returns 0 or prints a one-line error and returns EXIT_USAGE.
 * `--help` prints the command's help and returns -1 (the caller exits 0). */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_opt *opts, int nopts,
              const char **pos, int maxpos, int *npos);
const char *cli_get(const struct cli_opt *opts, int nopts, const char *name);
int cli_flag(const struct cli_opt *opts, int nopts, const char *name);
/* Parses an integer option in [min, max]; prints the error and returns EXIT_USAGE when bad. */
int cli_int(const struct cli_cmd *cmd, const struct cli_opt *opts, int nopts, const char *name,
            int64_t min, int64_t max, int64_t *out);

/* A configuration file (key = value, see core/conf.h) applied to an option table: every key is an
 * option's name without "--", a flag takes yes/no. Options given on the command line win over the
 * file. The file's text is kept here because option values point into it; release it after the
 * options are no longer read. */
#define CLI_CONF_MAX_OPTS 96
struct cli_conf {
    char *text;
    char path[512];
    int line[CLI_CONF_MAX_OPTS]; /* per option index: the line its value came from, 0 = not the file
                                  */
};
/* The file read when no --config is given: $IKIIKI_CONFIG, else <sysconfdir>/ikiiki/ikiiki.conf. */
const char *cli_conf_default_path(void);
/* Reads path into conf and sets the options the command line left unset. path NULL: the default
 * file, skipped when it does not exist. Unknown keys, keys given twice, a flag's value that is not
 * yes/no and unreadable files are errors naming the file and line; prints the error and returns
 * EXIT_USAGE (EXIT_FAIL when the file cannot be read). "config" itself is not a key. */
int cli_conf_apply(const struct cli_cmd *cmd, struct cli_opt *opts, int nopts, const char *path,
                   struct cli_conf *conf);
void cli_conf_release(struct cli_conf *conf);
/* Prints an error about option opts[i]'s value, as "FILE: line N: name: …" when the value came
 * from the file, else "--name: …"; returns EXIT_USAGE. */
int cli_opt_fail(const struct cli_cmd *cmd, const struct cli_conf *conf, const struct cli_opt *opts,
                 int i, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Index of option name in opts, or -1. */
int cli_opt_index(const struct cli_opt *opts, int nopts, const char *name);

/* serve's option table, shared with `config check`: copies it into out (at most max entries) and
 * returns the number of options. */
int cli_serve_options(struct cli_opt *out, int max);
/* Checks the values of serve's options (numbers, modes, addresses) without starting anything;
 * prints the first error and returns EXIT_USAGE, or 0. conf may be NULL. */
int cli_serve_check(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                    const struct cli_conf *conf);

/* Prints "ikiiki: <cmd>: <message>" on stderr and returns status. */
int cli_fail(const struct cli_cmd *cmd, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Opens and migrates the store named by --db; prints the error and returns non-zero on failure. */
int cli_open_store(const struct cli_cmd *cmd, const struct cli_opt *opts, int nopts, store **out);
/* A service context on s acting as the local administrator (the CLI's principal, kept in p). */
struct svc;
struct svc *cli_svc(store *s, struct org_principal *p, struct svc *x);
/* Maps a store error to an exit status and prints it. */
int cli_store_fail(const struct cli_cmd *cmd, store *s, int rc, const char *what);
/* Writes JSON to stdout followed by a newline and takes ownership of v. */
int cli_print_json(json_t *v);
/* Reads one line (without the newline) from stdin into out. */
int cli_read_stdin_line(char *out, size_t outlen);

/* The call guard's lexicon (lexicon_path NULL: data/lexicon/ja.tsv, categories checked against
 * the policy) and the MeCab dictionary, for guard analyze and serve. */
int cli_guard_parts(const char *lexicon_path, const harass_policy *p, guard_lexicon **lx,
                    ja_dict **dict, char *err, size_t errlen);

/* Command groups. */
/* The enrolled voiceprints of media_embedder_default() from the store, into set (initialised
 * here; the caller releases it). err says which row was damaged. */
struct media_vp_set;
int cli_vp_load_set(store *s, struct media_vp_set *set, char *err, size_t errlen);
int cmd_init(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_serve(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_config_check(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_backup(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_restore(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_migrate_store(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_guard_analyze(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_guard_block(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_company_add(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_company_list(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_center_add(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_center_list(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_team_add(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_user_add(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_user_list(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_apikey_add(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_apikey_list(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_apikey_revoke(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_judge(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_flag(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_review(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_queue(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_agreement(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_policy(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_care(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_stats(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_calls(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_harass_purge(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_cx_sheet(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_cx_check(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_cx_history(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_cx_checkpoint(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_skills_model(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_skills_gap(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_skills_assess(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_skills_person(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_skills_team(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_skills_role(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_wave(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_import(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_score(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_rank(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_responses(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_drivers(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_compare(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_report(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_link(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_comments(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_export(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_media_analyze(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_media_purge(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_media_voiceprint(const struct cli_cmd *cmd, int argc, char **argv);

int cmd_survey_publish(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_survey_settings(const struct cli_cmd *cmd, int argc, char **argv);

/* Finds the company named by code; when code is NULL, the only company (creating "default" in an
 * empty database). Prints the error and returns EXIT_USAGE or EXIT_FAIL when it cannot. */
int cli_company_resolve(const struct cli_cmd *cmd, store *s, const char *code,
                        struct org_company *out);
/* Checks a --company code (NULL passes); prints the error and returns EXIT_USAGE when bad. */
int cli_company_check(const struct cli_cmd *cmd, const char *code);
/* Prints why picking the company named code (NULL: the only one) failed; returns the status. */
int cli_company_fail(const struct cli_cmd *cmd, store *s, const struct svc *x, int rc,
                     const char *code);

/* Demo data for `make run`: a company, three centers, teams and an admin whose password is
 * written to admin_password (17 bytes). Runs in one transaction. */
/* One demo account and its password, made at random for the demo and shown once. */
struct cli_demo_login {
    char login[ORG_LOGIN_MAX];
    const char *role; /* static */
    char password[17];
};
#define CLI_DEMO_LOGINS 8
/* Seeds the demo organisation; logins receives every account (admin first), *nlogins their
 * count. Dates are laid out so that the demo's last week is the current week: today comes from
 * $IKIIKI_DEMO_TODAY (YYYY-MM-DD; the tests fix it) or the clock. */
int cli_demo_seed(store *s, struct cli_demo_login *logins, int *nlogins, char *err, size_t errlen);

#endif
