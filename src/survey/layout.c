/* From a questionnaire to what scoring needs: item IDs, each item's element, the ranking items
 * (O01–O07 and H01) and the happiness item. */
#include <string.h>

#include "score.h"

int survey_layout_build(const survey_questionnaire *q, struct survey_layout_store *st,
                        struct survey_layout *L)
{
    int nitems = survey_nitems(q), nel = survey_nelements(q);
    if (nitems <= 0 || nitems > SURVEY_MAX_ITEMS || nel <= 0 || nel > SURVEY_MAX_ITEMS)
        return -1;
    memset(L, 0, sizeof *L);
    for (int e = 0; e < nel; e++)
        st->elements[e] = survey_element_code(q, e);
    L->happiness_item = -1;
    for (int i = 0; i < nitems; i++) {
        const char *el = survey_item_element(q, i);
        st->ids[i] = survey_item_id(q, i);
        L->element_of[i] = -1;
        for (int e = 0; e < nel; e++)
            if (el && strcmp(el, st->elements[e]) == 0)
                L->element_of[i] = e;
        if (el && (strcmp(el, "overall") == 0 || strcmp(el, "happiness") == 0))
            L->ranking_items |= UINT64_C(1) << i;
        if (el && strcmp(el, "happiness") == 0)
            L->happiness_item = i;
    }
    L->nitems = nitems;
    L->item_ids = st->ids;
    L->nelements = nel;
    L->element_codes = st->elements;
    return 0;
}
