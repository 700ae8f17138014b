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

#define SURVEY__ATTRS 4 /* position, segment, team, tenure */

/* What shows of one center's groups, per attribute (output order: positions in enum order,
 * texts sorted with the blank group last): hidden[a][g] for the group, item_hidden[a][g × nitems
 * + i] per item. n[a] < 0: the attribute has too many values and is not reported. */
struct survey__view {
    struct survey__center_groups *cg;
    int nitems;
    int n[SURVEY__ATTRS];
    const char **keys[SURVEY__ATTRS];
    const struct survey_tally **t[SURVEY__ATTRS];
    int *hidden[SURVEY__ATTRS];
    int *item_hidden[SURVEY__ATTRS];
};
/* Applies every rule of disclose.h to d's groups at threshold k (center_hidden: the center shows
 * nothing, nor do its groups). 0, or -1 when memory ran out (v released). */
int survey__view_build(const struct survey_layout *L, const struct survey_center_data *d, int k,
                       int center_hidden, struct survey__view *v);
void survey__view_release(struct survey__view *v);
/* The group of respondent r in attribute a, or -1 (attribute not reported). */
int survey__view_group_of(const struct survey__view *v, int a, const struct survey_respondent *r);
/* The sibling rule over one attribute, by group and then per item (score.c). */
void survey__siblings_hide(const struct survey_layout *L, const struct survey_tally *const *t,
                           int n, int k, long *sizes, int *hidden, int *item_hidden);
/* The rule across attributes (disclose.c): hides further item cells of v until no set of fewer
 * than k answers is determined by the visible cells together. 0, or -1 when memory ran out. */
int survey__audit(const struct survey_layout *L, const struct survey_center_data *d, int k,
                  struct survey__view *v);

/* Counts d's respondents into groups; NULL when memory ran out. Free with survey__groups_free. */
struct survey__center_groups *survey__groups_count(const struct survey_layout *L,
                                                   const struct survey_center_data *d);
void survey__groups_free(struct survey__center_groups *cg);
/* The group of gl with this key, or NULL. */
const struct survey_tally *survey__group_get(const struct survey__group_list *gl, const char *key);

#endif
