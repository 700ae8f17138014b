/* Persistence of 通話ガード voiceprints. Portable SQL that both backends run unchanged. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store_int.h"
#include "store/store_media.h"

#define VP_SELECT                                                                                  \
    "SELECT id, caller_ref, model, embedding, speech_ms, source, reason, approved_by, created_at"  \
    " FROM voiceprints"

static void decode_vp(void *rec, const char *const *v)
{
    struct store_voiceprint *p = rec;
    p->id = store__atoi(v[0]);
    store__copy(p->caller_ref, sizeof p->caller_ref, v[1]);
    store__copy(p->model, sizeof p->model, v[2]);
    store__copy(p->embedding, sizeof p->embedding, v[3]);
    p->speech_ms = store__atoi(v[4]);
    store__copy(p->source, sizeof p->source, v[5]);
    store__copy(p->reason, sizeof p->reason, v[6]);
    store__copy(p->approved_by, sizeof p->approved_by, v[7]);
    p->created_at = store__atoi(v[8]);
}

int store_voiceprint_add(store *s, struct store_voiceprint *v)
{
    if (!v->created_at)
        v->created_at = now_unix();
    struct store_arg a[] = {ARG_TEXT(v->caller_ref),  ARG_TEXT(v->model),    ARG_TEXT(v->embedding),
                            ARG_INT(v->speech_ms),    ARG_TEXT(v->source),   ARG_TEXT(v->reason),
                            ARG_TEXT(v->approved_by), ARG_INT(v->created_at)};
    return store__insert_id(s,
                            "INSERT INTO voiceprints (caller_ref, model, embedding, speech_ms,"
                            " source, reason, approved_by, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            a, 8, &v->id);
}

int store_voiceprint_list(store *s, const char *model, struct store_voiceprint **out, size_t *n)
{
    if (model) {
        struct store_arg a[] = {ARG_TEXT(model)};
        return store__list(s, VP_SELECT " WHERE model = ? ORDER BY id", a, 1, sizeof **out,
                           decode_vp, (void **)out, n);
    }
    return store__list(s, VP_SELECT " ORDER BY id", NULL, 0, sizeof **out, decode_vp, (void **)out,
                       n);
}

int store_voiceprint_get(store *s, int64_t id, struct store_voiceprint *out)
{
    struct store_arg a[] = {ARG_INT(id)};
    return store__get_one(s, VP_SELECT " WHERE id = ?", a, 1, sizeof *out, decode_vp, out);
}

int store_voiceprint_delete(store *s, int64_t id)
{
    struct store_arg a[] = {ARG_INT(id)};
    int64_t changes = 0;
    int rc = store__exec_args(s, "DELETE FROM voiceprints WHERE id = ?", a, 1, &changes);
    if (rc == STORE_OK && changes == 0)
        return store__fail(s, STORE_NOTFOUND, "no voiceprint %lld", (long long)id);
    return rc;
}
