#include <stdio.h>

#include "core/util.h"
#include "store/store_harass.h"
#include "svc_harass.h"
#include "svc_int.h"

int svc_harass_purge(struct svc *x, int64_t days, int dry_run, int64_t *count)
{
    if (!org_can_purge_cases(x->who))
        return svc__fail(x, IK_EACCES, "purge");
    int64_t n = 0;
    char detail[80];
    int rc = store_begin(x->db);
    if (rc)
        return svc__fail(x, rc, "purge");
    if ((rc = store_harass_purge(x->db, now_unix() - days * 86400, dry_run, &n))) {
        svc__fail(x, rc, "purge");
    } else {
        snprintf(detail, sizeof detail, "%lld cases older than %lld days%s", (long long)n,
                 (long long)days, dry_run ? " (dry run)" : "");
        rc = svc__audit(x, SVC_AUDIT_HARASS_PURGE, "cases", detail);
    }
    if ((rc = svc__end(x, rc)) == 0)
        *count = n;
    return rc;
}
