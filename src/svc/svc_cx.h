/* svc_cx: 顧客接点力診断 answers, checkpoints and history, per company (see svc.h). */
#ifndef IKIIKI_SVC_CX_H
#define IKIIKI_SVC_CX_H

#include "cx/cx.h"
#include "store/store_cx.h"
#include "svc/svc.h"

/* The company named code, when x->who reaches it (IK_EACCES otherwise; failed "company", or
 * "center" when the principal's own center could not be read). */
int svc_cx_company(struct svc *x, const char *code, struct org_company *out);
/* Stores one answer of co (a->round and a->respondent set by the caller). */
int svc_cx_answer_add(struct svc *x, const struct org_company *co, struct cx_answer *a);
/* co's answers and checkpoints: two malloc'd arrays the caller frees (failed "history"). */
int svc_cx_history(struct svc *x, const struct org_company *co, struct cx_answer **a, size_t *n,
                   struct store_cx_checkpoint **cp, size_t *ncp);
int svc_cx_checkpoint_add(struct svc *x, const struct org_company *co, const char *code,
                          double value, int64_t at);

#endif
