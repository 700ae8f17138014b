/* svc: the service layer. Each operation a user can ask for is one function here: it opens the
 * transaction, asks src/org whether the principal may do it, calls the domain and the store,
 * writes the audit entry and commits. The front doors (src/http, src/cli, the web app's routes)
 * only parse their input, call one of these and format the answer, as curl's tool sits on
 * libcurl. Functions return 0 or an IK_E* code (core/err.h): IK_EACCES when the principal may
 * not, IK_ENOENT, IK_ECONFLICT and the store's other codes as the store gave them; x->failed
 * names the record the failure concerns ("company", "center", …) so a door can word it. */
#ifndef IKIIKI_SVC_H
#define IKIIKI_SVC_H

#include <stddef.h>

#include "core/err.h"
#include "org/org.h"
#include "store/store.h"

/* The audit log's action names, one place for every door. */
#define SVC_AUDIT_COMPANY_ADD   "company.add"
#define SVC_AUDIT_CENTER_ADD    "center.add"
#define SVC_AUDIT_CENTER_UPDATE "center.update"
#define SVC_AUDIT_CENTER_DELETE "center.delete"
#define SVC_AUDIT_TEAM_ADD      "team.add"
#define SVC_AUDIT_USER_ADD      "user.add"
#define SVC_AUDIT_USER_UPDATE   "user.update"
#define SVC_AUDIT_USER_DELETE   "user.delete"
#define SVC_AUDIT_APIKEY_ADD    "apikey.add"
#define SVC_AUDIT_CX_ANSWER     "cx.answer"
#define SVC_AUDIT_CX_CHECKPOINT "cx.checkpoint"
#define SVC_AUDIT_SKILLS_MODEL  "skills.model.import"
#define SVC_AUDIT_SKILLS_ASSESS "skills.assess"
#define SVC_AUDIT_SKILLS_ROLE   "skills.role"
#define SVC_AUDIT_HARASS_PURGE  "harass.purge"

/* One request's context, owned by the door: the store connection, who asks and from where. */
struct svc {
    store *db;
    const struct org_principal *who;
    const char *address; /* the client's address for the audit log; NULL from the CLI */
    const char *failed;  /* set on failure: which record it concerns (static text) */
    size_t nseen;        /* svc_company_pick: the companies the principal sees */
    const char *code;    /* the input value the failure concerns (a company code), borrowed */
    char err[600];       /* a domain's own message where it gave one ("" otherwise) */
};

/* The principal the command line acts as: the local administrator, audited as "cli". */
void svc_local_admin(struct org_principal *p);
/* A context for db and who (both borrowed for the context's life). */
void svc_init(struct svc *x, store *db, const struct org_principal *who, const char *address);

#endif
