/* store_harass: カスハラ対応: policies, cases, reviews, care tasks, call counts, mood entries. The
 * SQL is in store_harass.c. */
#ifndef IKIIKI_STORE_HARASS_H
#define IKIIKI_STORE_HARASS_H

#include <stddef.h>
#include <stdint.h>

#include "harass/harass.h"
#include "store/store.h"

/* Policy documents are JSON text; *doc from store_harass_policy_latest is malloc'd and the
 * caller frees it. */
int store_harass_policy_latest(store *s, int *version, char **doc);
/* The newest policy version (0 when none is stored): cheap, for the call guard's reload check. */
int store_harass_policy_version(store *s, int *version);
int store_harass_policy_add(store *s, const char *doc, const char *by, int *version);
int store_harass_case_add(store *s, struct harass_case *c);
int store_harass_case_get(store *s, int64_t id, struct harass_case *out);
/* Cases of a center in one ISO week, oldest first. */
int store_harass_case_week(store *s, int64_t center_id, const char *week, struct harass_case **out,
                           size_t *n);
/* Reviewed cases of a center that occurred in [from, to), oldest first. */
int store_harass_case_reviewed(store *s, int64_t center_id, int64_t from, int64_t to,
                               struct harass_case **out, size_t *n);
/* Every case of a center that occurred in [from, to), oldest first. */
int store_harass_case_range(store *s, int64_t center_id, int64_t from, int64_t to,
                            struct harass_case **out, size_t *n);
/* Deletes cases that occurred before `before` (reviews and care tasks go with them); with
 * dry_run only counts. */
int store_harass_purge(store *s, int64_t before, int dry_run, int64_t *count);
/* Replaces the call count of (center, day, team). */
int store_harass_calls_put(store *s, int64_t center_id, const struct harass_calls *c);
/* Call counts of a center for days in [from_day, to_day] (YYYY-MM-DD), by day then team. */
int store_harass_calls_range(store *s, int64_t center_id, const char *from_day, const char *to_day,
                             struct harass_calls **out, size_t *n);
int store_mood_add(store *s, struct harass_mood *m);
/* One user's entries, newest first (at most limit). */
int store_mood_of_user(store *s, int64_t user_id, int limit, struct harass_mood **out, size_t *n);
/* The entries of a center's operators since `since`, oldest first. */
int store_mood_of_center(store *s, int64_t center_id, int64_t since, struct harass_mood **out,
                         size_t *n);
int store_harass_review_add(store *s, struct harass_review *r);
/* Every review of a case, oldest first. */
int store_harass_review_list(store *s, int64_t case_id, struct harass_review **out, size_t *n);
/* Opens a care task; STORE_CONFLICT when the case already has one. */
int store_harass_care_open(store *s, struct harass_care *t);
/* Care tasks of a center; only_open leaves out the finished ones. Ordered by due time. */
int store_harass_care_list(store *s, int64_t center_id, int only_open, struct harass_care **out,
                           size_t *n);
int store_harass_care_get(store *s, int64_t id, struct harass_care *out);
int store_harass_care_done(store *s, int64_t id, const char *note, int64_t at);

#endif
