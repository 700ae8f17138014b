/* The team heat map's data: members and assessments from the skills tables, and the care tasks
 * of the harassment module, so the manager sees SM-7 levels and overdue care side by side. */
#include <stdlib.h>
#include <string.h>

#include "skills.h"
#include "store/store_harass.h"
#include "store/store_skills.h"

int skills_team_load(struct store *s, int64_t center_id, int64_t now, struct skills_team *out)
{
    struct skills_team t = {0};
    struct harass_care *care = NULL;
    size_t ncare = 0;
    int rc = store_skills_members(s, center_id, &t.members, &t.nmembers);
    if (rc == STORE_OK)
        rc = store_skills_assessments(s, 0, center_id, &t.assessments, &t.nassessments);
    if (rc == STORE_OK)
        rc = store_harass_care_list(s, center_id, 1, &care, &ncare);
    if (rc) {
        skills_team_release(&t);
        return rc;
    }
    skills_count_care_overdue(t.members, t.nmembers, care, ncare, now);
    free(care);
    *out = t;
    return STORE_OK;
}

void skills_team_release(struct skills_team *t)
{
    free(t->members);
    free(t->assessments);
    memset(t, 0, sizeof *t);
}
