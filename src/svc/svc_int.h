/* svc internals shared by the svc_*.c files. */
#ifndef IKIIKI_SVC_INT_H
#define IKIIKI_SVC_INT_H

#include "svc/svc.h"

/* Writes one audit entry as x->who from x->address. */
int svc__audit(struct svc *x, const char *action, const char *target, const char *detail);
/* Commits when rc is 0, else rolls back; returns rc, or the commit's failure. */
int svc__end(struct svc *x, int rc);
/* Records what failed and passes rc on. */
int svc__fail(struct svc *x, int rc, const char *what);

#endif
