#include <string.h>

#include "core/util.h"
#include "store/store_org.h"
#include "svc_int.h"

void svc_local_admin(struct org_principal *p)
{
    memset(p, 0, sizeof *p);
    p->kind = PRINCIPAL_USER;
    p->role = ROLE_ADMIN;
    str_copy(p->login, sizeof p->login, "cli");
}

void svc_init(struct svc *x, store *db, const struct org_principal *who, const char *address)
{
    memset(x, 0, sizeof *x);
    x->db = db;
    x->who = who;
    x->address = address;
}

int svc__audit(struct svc *x, const char *action, const char *target, const char *detail)
{
    /* Machine clients are not people: their entries carry "-" as the actor. */
    const char *actor = x->who->kind == PRINCIPAL_USER ? x->who->login : "-";
    int rc = store_audit_add(x->db, actor, action, target, detail ? detail : "",
                             x->address ? x->address : "");
    return rc ? svc__fail(x, rc, "audit") : 0;
}

int svc__end(struct svc *x, int rc)
{
    if (rc) {
        store_rollback(x->db);
        return rc;
    }
    rc = store_commit(x->db);
    if (rc) {
        store_rollback(x->db);
        return svc__fail(x, rc, "commit");
    }
    return 0;
}

int svc__fail(struct svc *x, int rc, const char *what)
{
    x->failed = what;
    return rc;
}
