#include <stdlib.h>

#include "store/store_org.h"
#include "svc_cx.h"
#include "svc_int.h"

int svc_cx_company(struct svc *x, const char *code, struct org_company *out)
{
    struct org_company co;
    int rc = store_company_get(x->db, code, &co);
    if (rc)
        return svc__fail(x, rc, "company");
    int ok = org_can_read_company(x->who, co.id, 0);
    if (!ok && org_company_via_own_center(x->who)) {
        struct org_center c;
        if ((rc = store_center_get_id(x->db, x->who->center_id, &c)))
            return svc__fail(x, rc, "center");
        ok = org_can_read_company(x->who, co.id, c.company_id);
    }
    if (!ok)
        return svc__fail(x, IK_EACCES, "company");
    *out = co;
    return 0;
}

int svc_cx_answer_add(struct svc *x, const struct org_company *co, struct cx_answer *a)
{
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "answer");
    if ((rc = store_cx_answer_add(x->db, co->id, a)))
        svc__fail(x, rc, "answer");
    else
        rc = svc__audit(x, SVC_AUDIT_CX_ANSWER, co->code, a->round);
    return svc__end(x, rc);
}

int svc_cx_history(struct svc *x, const struct org_company *co, struct cx_answer **a, size_t *n,
                   struct store_cx_checkpoint **cp, size_t *ncp)
{
    struct cx_answer *ans = NULL;
    size_t na = 0;
    int rc = store_cx_answers(x->db, co->id, &ans, &na);
    if (rc == 0 && (rc = store_cx_checkpoints(x->db, co->id, cp, ncp)))
        free(ans);
    if (rc)
        return svc__fail(x, rc, "history");
    *a = ans;
    *n = na;
    return 0;
}

int svc_cx_checkpoint_add(struct svc *x, const struct org_company *co, const char *code,
                          double value, int64_t at)
{
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "checkpoint");
    if ((rc = store_cx_checkpoint_add(x->db, co->id, code, value, at)))
        svc__fail(x, rc, "checkpoint");
    else
        rc = svc__audit(x, SVC_AUDIT_CX_CHECKPOINT, co->code, code);
    return svc__end(x, rc);
}
