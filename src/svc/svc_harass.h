/* svc_harass: カスハラ対応 operations moved to the service layer so far (see svc.h): the
 * retention purge. The rest of the module's operations are still in the doors. */
#ifndef IKIIKI_SVC_HARASS_H
#define IKIIKI_SVC_HARASS_H

#include <stdint.h>

#include "svc/svc.h"

/* Deletes (dry_run: only counts) the cases that occurred more than days ago, with their reviews
 * and care tasks, in one transaction with its audit entry; *count gets how many. */
int svc_harass_purge(struct svc *x, int64_t days, int dry_run, int64_t *count);

#endif
