/* Inside the survey module: the groups of one center's respondents, counted once by score.c and
 * read by the rules in disclose.c. Not for other modules. */
#ifndef IKIIKI_SURVEY_SCORE_INT_H
#define IKIIKI_SURVEY_SCORE_INT_H

#include "survey/score.h"

#define SURVEY__TEXT_ATTRS 3 /* segment, team, tenure */

struct survey__group {
    char key[SURVEY_ATTR_MAX]; /* SURVEY_BLANK_GROUP for respondents without a value */
    struct survey_tally t;
};

/* The groups of one text attribute, found by an open-addressing index over g (slot = -1 when
 * free, nslot a power of two kept at least twice n) so each respondent costs one hash. */
struct survey__group_list {
    struct survey__group *g;
    int n, cap;
    int *slot, nslot;
    int overflow; /* more than SURVEY_MAX_GROUPS values: the attribute is not reported */
};

struct survey__center_groups {
    struct survey_tally pos[POS__COUNT];
    struct survey__group_list text[SURVEY__TEXT_ATTRS];
};

/* Counts d's respondents into groups; NULL when memory ran out. Free with survey__groups_free. */
struct survey__center_groups *survey__groups_count(const struct survey_layout *L,
                                                   const struct survey_center_data *d);
void survey__groups_free(struct survey__center_groups *cg);
/* The group of gl with this key, or NULL. */
const struct survey_tally *survey__group_get(const struct survey__group_list *gl, const char *key);

#endif
