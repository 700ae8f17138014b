#include "guard/result_json.h"

#include <math.h>

#include "core/jsonw.h"

#define PUT(lit) buf_append(b, lit, sizeof lit - 1)

static int put_span(struct buf *b, const struct guard_span *s)
{
    int rc = PUT("{\"off\":");
    rc = rc ? rc : jsonw_int(b, (long long)s->off);
    rc = rc ? rc : PUT(",\"len\":");
    rc = rc ? rc : jsonw_int(b, (long long)s->len);
    rc = rc ? rc : PUT(",\"category\":");
    rc = rc ? rc : jsonw_cstr(b, s->category);
    rc = rc ? rc : PUT(",\"term\":");
    rc = rc ? rc : jsonw_cstr(b, s->term);
    rc = rc ? rc : PUT(",\"weight\":");
    rc = rc ? rc : jsonw_real(b, s->weight, 12);
    return rc ? rc : PUT("}");
}

static int put_line(struct buf *b, int line, enum guard_speaker who, const struct guard_result *r)
{
    int rc = PUT("{\"line\":");
    rc = rc ? rc : jsonw_int(b, line);
    rc = rc                      ? rc
         : who == GUARD_CUSTOMER ? PUT(",\"speaker\":\"customer\",\"harassment\":")
                                 : PUT(",\"speaker\":\"operator\",\"harassment\":");
    rc = rc ? rc : jsonw_bool(b, r->harassment);
    rc = rc ? rc : PUT(",\"categories\":[");
    for (int i = 0; i < r->ncat && !rc; i++) {
        if (i)
            rc = PUT(",");
        rc = rc ? rc : jsonw_cstr(b, r->cat[i].code);
    }
    rc = rc ? rc : PUT("],\"score\":");
    rc = rc ? rc : jsonw_real(b, r->score, 12);
    rc = rc ? rc : PUT(",\"spans\":[");
    int nput = 0;
    for (int i = 0; i < r->nspan && !rc; i++) {
        if (!isfinite(r->span[i].weight))
            continue; /* json_pack failed for it and the array dropped it */
        if (nput++)
            rc = PUT(",");
        rc = rc ? rc : put_span(b, &r->span[i]);
    }
    return rc ? rc : PUT("]}");
}

int guard_result_line(struct buf *b, int line, enum guard_speaker who, const struct guard_result *r)
{
    if (!isfinite(r->score))
        return JSONW_EINVAL;
    size_t mark = b->len;
    int rc = put_line(b, line, who, r);
    if (rc && b->data) {
        b->len = mark;
        b->data[mark] = '\0';
    }
    return rc;
}
