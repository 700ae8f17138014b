/* cli_survey: a survey wave loaded for the results commands (score, rank, export, comments),
 * shared by the cmd_survey*.c files only, so that the other commands do not depend on the
 * survey module's records. */
#ifndef IKIIKI_CLI_SURVEY_H
#define IKIIKI_CLI_SURVEY_H

#include "cli.h"
#include "store/store_survey.h"
#include "survey/survey.h"

/* A wave loaded for results (the place where `survey score` and `survey rank` start): the store,
 * the wave's own questionnaire and its respondents, one block per center. centers[i] views
 * data.centers[i] and is what the survey module's scoring reads. */
struct cli_survey {
    store *s;
    survey_questionnaire *q;
    int64_t wave_id;
    char wave[ORG_CODE_MAX];
    struct store_survey_data data;
    struct survey_center_data *centers;
    size_t ncenters;
};
/* Opens the store, the wave named by --wave and, when --center is given, only that center (an
 * option table with "db", "wave" and optionally "center"). Prints the error and returns an exit
 * status on failure; on success release w with cli_survey_release. */
int cli_survey_load(const struct cli_cmd *cmd, const struct cli_opt *o, int n, int with_comments,
                    struct cli_survey *w);
void cli_survey_release(struct cli_survey *w);
/* Loads every center of --wave (the other-center average and HPB need them all) and the scoring
 * layout; st and L are the caller's, filled on success. */
struct survey_layout;
struct survey_layout_store;
int cli_survey_load_all(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                        struct cli_survey *w, struct survey_layout_store *st,
                        struct survey_layout *L);
/* The rules for this output: the installation's k from s, raised by --k when that is larger
 * (--k never lowers it). Prints the error and returns an exit status on failure. */
struct survey_rules;
int cli_survey_rules(const struct cli_cmd *cmd, const struct cli_opt *o, int n, store *s,
                     struct survey_rules *R);

#endif
