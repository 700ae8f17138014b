/* skills: コンピテンシー, the contact-center skill model. A model (data/skills/model.json, or the
 * newest version imported into the database) holds the skill roles (OP, SV, OMP, CAP; names
 * editable) and the skills, each with four level descriptors and the level each role requires.
 * People are assessed per skill, by themselves and by their supervisor; the gap is what the role
 * requires minus what was assessed.
 *
 * The rules, in one place:
 * - assessed: the latest supervisor assessment of the skill when there is one, else the latest
 *   self-assessment; "latest" is the later assessment day, then the later record. A skill never
 *   assessed has assessed = null (0 in C) and gap = required.
 * - gap = required − assessed; it is negative when someone is above the requirement.
 * - total_gap = the sum of the positive gaps only: being above the requirement in one skill does
 *   not cancel a gap in another.
 * - training needs of a team: per skill, the sum of the members' positive gaps and how many
 *   members have one; skills without a gap are left out; ranked by total gap, then by members,
 *   then in model order.
 * - care_watch: the center's supervisors (organisation role) whose assessed SM-7 level is below
 *   3. A supervisor never assessed on SM-7 is not listed by this rule (the heat map shows the
 *   gap); each entry carries a list of reasons so other rules can add theirs.
 * Pure logic: no store, no I/O beyond reading the model file. */
#ifndef IKIIKI_SKILLS_H
#define IKIIKI_SKILLS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "harass/harass.h"
#include "org/org.h"

#define SKILLS_LEVELS     4 /* levels 1..4 */
#define SKILLS_MAX_ROLES  16
#define SKILLS_MAX_SKILLS 128
#define SKILLS_CODE_MAX   33 /* codes: 1–32 characters */
#define SKILLS_CARE_SKILL "SM-7"
#define SKILLS_CARE_LEVEL 3

typedef struct skills_model skills_model;

/* Loads and checks a model file; on failure err names the file and the field. */
int skills_model_load(const char *path, skills_model **out, char *err, size_t errlen);
/* The same from parsed JSON; source (e.g. a file name) starts every error message. The model
 * keeps its own reference to root. */
int skills_model_from_json(json_t *root, const char *source, skills_model **out, char *err,
                           size_t errlen);
/* The active model: the stored text when not NULL (the newest version in the database), else the
 * data file data/skills/model.json. */
int skills_model_active(const char *stored_text, skills_model **out, char *err, size_t errlen);
void skills_model_free(skills_model *m);

int skills_nroles(const skills_model *m);
int skills_nskills(const skills_model *m);
const char *skills_role_code(const skills_model *m, int role);
const char *skills_skill_code(const skills_model *m, int skill);
/* Indices for codes, or -1. */
int skills_role_find(const skills_model *m, const char *code);
int skills_skill_find(const skills_model *m, const char *code);
/* The level (1–4) a role requires of a skill. */
int skills_required(const skills_model *m, int role, int skill);
/* "OP, SV, OMP, CAP" and "SM-5, SM-6, …" for messages; written into out. */
void skills_role_list(const skills_model *m, char *out, size_t outlen);
void skills_skill_list(const skills_model *m, char *out, size_t outlen);
/* The model JSON as stored and shown; a new reference (a copy the caller may change). */
json_t *skills_model_json(const skills_model *m);

/* The skill role an organisation role has by default (operator → OP, supervisor → SV,
 * center_manager → OMP), or -1 when it has none or the model lacks that role. */
int skills_default_role(const skills_model *m, enum org_role r);
/* The skill role of a person: the override when it names a role of the model, else the default
 * for their organisation role; -1 when none. override may be NULL. */
int skills_role_of(const skills_model *m, enum org_role r, const char *override);

/* Parses "SM-5=2,SM-6=2,…" into levels[skill] (0 for skills not named), each 1–4. */
int skills_parse_levels(const skills_model *m, const char *text, int levels[SKILLS_MAX_SKILLS],
                        char *err, size_t errlen);

enum skills_kind { SKILLS_SELF, SKILLS_SUPERVISOR };
const char *skills_kind_name(enum skills_kind k);
int skills_kind_parse(const char *s, enum skills_kind *out);

/* One assessment of one person on one skill. */
struct skills_assessment {
    int64_t id;
    char login[ORG_LOGIN_MAX]; /* the person assessed */
    char skill[SKILLS_CODE_MAX];
    int level; /* 1–4 */
    enum skills_kind kind;
    char assessor[ORG_LOGIN_MAX];
    int64_t assessed_at; /* the day of the assessment, seconds since the epoch */
};

/* The latest self and supervisor assessment of each skill for one person. */
struct skills_latest {
    const struct skills_assessment *self[SKILLS_MAX_SKILLS];
    const struct skills_assessment *sup[SKILLS_MAX_SKILLS];
};
/* Picks, from a[0..n) (any order, any people), the latest of each kind for login. Assessments of
 * skills the model does not know are ignored. The result points into a. */
void skills_latest_of(const skills_model *m, const struct skills_assessment *a, size_t n,
                      const char *login, struct skills_latest *out);
/* The assessed level per skill from latest (supervisor first, else self; 0 when none). */
void skills_assessed(const skills_model *m, const struct skills_latest *latest,
                     int levels[SKILLS_MAX_SKILLS]);

struct skills_gaps {
    int role;
    int assessed[SKILLS_MAX_SKILLS]; /* 0 = never assessed */
    int gap[SKILLS_MAX_SKILLS];
    int total_gap;
};
/* Gaps of a person with skill role `role` (a valid index) assessed at levels. */
void skills_gap(const skills_model *m, int role, const int levels[SKILLS_MAX_SKILLS],
                struct skills_gaps *out);
/* {role, gaps:[{skill, required, assessed, gap}], total_gap}; a new reference. */
json_t *skills_gap_json(const skills_model *m, const struct skills_gaps *g);

/* A person's gap list: the gap JSON (or role null, gaps [] and total_gap 0 when role is -1)
 * plus login and, per gap, the latest "self" and "supervisor" assessments ({level, at, by} or
 * null) and "source" (the kind the assessed level came from, or null). A new reference. */
json_t *skills_person_json(const skills_model *m, const char *login, int role,
                           const struct skills_assessment *a, size_t n);

/* One member of a team for the heat map. */
struct skills_member {
    char login[ORG_LOGIN_MAX];
    char display_name[ORG_NAME_MAX];
    enum org_role org_role;
    char override[SKILLS_CODE_MAX]; /* the skill-role override, "" for the default */
    int care_overdue;               /* open care tasks assigned to them and past due */
};

/* Counts, for each member, the open care tasks (from harass) assigned to them that are past due
 * at now. tasks are the center's open care tasks. */
void skills_count_care_overdue(struct skills_member *members, size_t nmembers,
                               const struct harass_care *tasks, size_t ntasks, int64_t now);
/* The heat map of a center: {center, skills:[{code,name}], people:[{login, display_name, role,
 * gaps, total_gap}], without_role:[login], training_needs:[{skill, name, total_gap, people}],
 * care_watch:[{login, sm7_level, overdue_care, reasons}]} — supervisors below SM-7 level 3
 * (reason sm7_below_3) and supervisors with overdue care tasks (reason care_overdue). a holds the
 * members' assessments. A new reference. */
json_t *skills_team_json(const skills_model *m, const char *center,
                         const struct skills_member *members, size_t nmembers,
                         const struct skills_assessment *a, size_t na);

struct store;

/* Everything the heat map of one center needs, loaded from the store. */
struct skills_team {
    struct skills_member *members; /* with care_overdue counted at the time given */
    size_t nmembers;
    struct skills_assessment *assessments;
    size_t nassessments;
};
/* Loads a center's members, their assessments and their overdue care tasks. On failure nothing is
 * held and the store's message says why. Release with skills_team_release. */
int skills_team_load(struct store *s, int64_t center_id, int64_t now, struct skills_team *out);
void skills_team_release(struct skills_team *t);

#endif
