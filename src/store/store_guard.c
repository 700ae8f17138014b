/* Persistence of the call guard: calls, their timelines and the block list, and the notify/listen
 * pair that carries live events between servers. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store_int.h"
#include "store/store_guard.h"

#define CALL_COLS                                                                                  \
    "call_id, center, operator, caller_ref, mode, started_at, ended_at, risk, stage,"              \
    " detections, categories, case_id, policy_version"

static void decode_call(void *rec, const char *const *v)
{
    struct store_guard_call *c = rec;
    store__copy(c->call_id, sizeof c->call_id, v[0]);
    store__copy(c->center, sizeof c->center, v[1]);
    store__copy(c->operator_login, sizeof c->operator_login, v[2]);
    store__copy(c->caller_ref, sizeof c->caller_ref, v[3]);
    store__copy(c->mode, sizeof c->mode, v[4]);
    c->started_at = store__atoi(v[5]);
    c->ended_at = store__atoi(v[6]);
    store__copy(c->risk, sizeof c->risk, v[7]);
    c->stage = (int)store__atoi(v[8]);
    c->detections = (int)store__atoi(v[9]);
    store__copy(c->categories, sizeof c->categories, v[10]);
    c->case_id = store__atoi(v[11]);
    c->policy_version = (int)store__atoi(v[12]);
}

int store_guard_call_put(store *s, const struct store_guard_call *c)
{
    struct store_arg a[] = {
        ARG_TEXT(c->call_id),       ARG_TEXT(c->center),     ARG_TEXT(c->operator_login),
        ARG_TEXT(c->caller_ref),    ARG_TEXT(c->mode),       ARG_INT(c->started_at),
        ARG_ID(c->ended_at),        ARG_TEXT(c->risk),       ARG_INT(c->stage),
        ARG_INT(c->detections),     ARG_TEXT(c->categories), ARG_ID(c->case_id),
        ARG_INT(c->policy_version),
    };
    return store__exec_args(
        s,
        "INSERT INTO guard_calls (" CALL_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (call_id) DO UPDATE SET center = excluded.center,"
        " operator = excluded.operator, caller_ref = excluded.caller_ref, mode = excluded.mode,"
        " started_at = excluded.started_at, ended_at = excluded.ended_at, risk = excluded.risk,"
        " stage = excluded.stage, detections = excluded.detections,"
        " categories = excluded.categories, case_id = excluded.case_id,"
        " policy_version = excluded.policy_version",
        a, 13, NULL);
}

int store_guard_call_get(store *s, const char *call_id, struct store_guard_call *out)
{
    struct store_arg a[] = {ARG_TEXT(call_id)};
    return store__get_one(s, "SELECT " CALL_COLS " FROM guard_calls WHERE call_id = ?", a, 1,
                          sizeof *out, decode_call, out);
}

int store_guard_call_list(store *s, const char *center, int64_t from, int64_t to, int limit,
                          struct store_guard_call **out, size_t *n)
{
    struct store_arg a[] = {ARG_TEXT(center), ARG_TEXT(center), ARG_INT(from), ARG_INT(to),
                            ARG_INT(limit)};
    return store__list(s,
                       "SELECT " CALL_COLS
                       " FROM guard_calls WHERE (CAST(? AS TEXT) IS NULL OR center = ?)"
                       " AND started_at >= ? AND started_at < ?"
                       " ORDER BY started_at DESC, id DESC LIMIT ?",
                       a, 5, sizeof **out, decode_call, (void **)out, n);
}

static void decode_event(void *rec, const char *const *v)
{
    struct store_guard_event *e = rec;
    e->id = store__atoi(v[0]);
    e->at = store__atoi(v[1]);
    store__copy(e->kind, sizeof e->kind, v[2]);
    store__copy(e->detail, sizeof e->detail, v[3]);
}

int store_guard_event_add(store *s, const char *call_id, int64_t at, const char *kind,
                          const char *detail_json)
{
    struct store_arg a[] = {ARG_TEXT(call_id), ARG_INT(at), ARG_TEXT(kind),
                            ARG_TEXT(detail_json ? detail_json : "{}")};
    return store__exec_args(
        s, "INSERT INTO guard_events (call_id, at, kind, detail) VALUES (?, ?, ?, ?)", a, 4, NULL);
}

int store_guard_events(store *s, const char *call_id, struct store_guard_event **out, size_t *n)
{
    struct store_arg a[] = {ARG_TEXT(call_id)};
    return store__list(s,
                       "SELECT id, at, kind, detail FROM guard_events WHERE call_id = ?"
                       " ORDER BY id",
                       a, 1, sizeof **out, decode_event, (void **)out, n);
}

/* The block list: guard_blocks (0010); the old entry points work on the entries for every center.
 */

int store_guard_block_add(store *s, const char *caller_ref, const char *reason, const char *by,
                          int64_t at)
{
    struct store_guard_block b = {.added_at = at};
    str_copy(b.caller_ref, sizeof b.caller_ref, caller_ref);
    str_copy(b.reason, sizeof b.reason, reason ? reason : "");
    str_copy(b.added_by, sizeof b.added_by, by ? by : "");
    return store_guard_block_put(s, &b);
}

int store_guard_block_remove(store *s, const char *caller_ref)
{
    struct store_arg a[] = {ARG_TEXT(caller_ref)};
    int64_t n = 0;
    int rc = store__exec_args(s, "DELETE FROM guard_blocks WHERE caller_ref = ? AND center = ''", a,
                              1, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOTFOUND;
}

#define BLOCK_COLS "id, caller_ref, center, reason, added_by, added_at"

static void decode_block(void *rec, const char *const *v)
{
    struct store_guard_block *b = rec;
    b->id = store__atoi(v[0]);
    store__copy(b->caller_ref, sizeof b->caller_ref, v[1]);
    store__copy(b->center, sizeof b->center, v[2]);
    store__copy(b->reason, sizeof b->reason, v[3]);
    store__copy(b->added_by, sizeof b->added_by, v[4]);
    b->added_at = store__atoi(v[5]);
}

static void decode_id(void *rec, const char *const *v)
{
    *(int64_t *)rec = store__atoi(v[0]);
}

int store_guard_block_put(store *s, struct store_guard_block *b)
{
    struct store_arg a[] = {ARG_TEXT(b->caller_ref), ARG_TEXT(b->center), ARG_TEXT(b->reason),
                            ARG_TEXT(b->added_by), ARG_INT(b->added_at)};
    int rc = store__exec_args(s,
                              "INSERT INTO guard_blocks (caller_ref, center, reason, added_by,"
                              " added_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (caller_ref, center)"
                              " DO UPDATE SET reason = excluded.reason,"
                              " added_by = excluded.added_by, added_at = excluded.added_at",
                              a, 5, NULL);
    int64_t id = 0;
    if (rc == STORE_OK)
        rc = store__get_one(s, "SELECT id FROM guard_blocks WHERE caller_ref = ? AND center = ?", a,
                            2, sizeof id, decode_id, &id);
    if (rc == STORE_OK)
        b->id = id;
    return rc;
}

static int center_in(const char *center, const char *const *centers, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(center, centers[i]) == 0)
            return 1;
    return 0;
}

int store_guard_block_list(store *s, const char *const *centers, int ncenters,
                           struct store_guard_block **out, size_t *n)
{
    struct store_guard_block *all = NULL;
    size_t count = 0;
    int rc =
        store__list(s, "SELECT " BLOCK_COLS " FROM guard_blocks ORDER BY added_at DESC, id DESC",
                    NULL, 0, sizeof *all, decode_block, (void **)&all, &count);
    if (rc)
        return rc;
    /* Filtered here: the list is short, and a viewer's centers are a list of any length. */
    size_t k = 0;
    for (size_t i = 0; i < count; i++)
        if (ncenters < 0 || center_in(all[i].center, centers, ncenters))
            all[k++] = all[i];
    *out = all;
    *n = k;
    return STORE_OK;
}

int store_guard_block_get(store *s, int64_t id, struct store_guard_block *out)
{
    struct store_arg a[] = {ARG_INT(id)};
    return store__get_one(s, "SELECT " BLOCK_COLS " FROM guard_blocks WHERE id = ?", a, 1,
                          sizeof *out, decode_block, out);
}

int store_guard_block_delete(store *s, int64_t id)
{
    struct store_arg a[] = {ARG_INT(id)};
    int64_t n = 0;
    int rc = store__exec_args(s, "DELETE FROM guard_blocks WHERE id = ?", a, 1, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOTFOUND;
}

static void decode_reason(void *rec, const char *const *v)
{
    store__copy(rec, STORE_BLOCK_REASON_MAX, v[0]);
}

int store_guard_block_match(store *s, const char *caller_ref, const char *center, int *blocked,
                            char *reason)
{
    char r[STORE_BLOCK_REASON_MAX];
    struct store_arg a[] = {ARG_TEXT(caller_ref), ARG_TEXT(center ? center : "")};
    int rc = store__get_one(s,
                            "SELECT reason FROM guard_blocks WHERE caller_ref = ?"
                            " AND (center = '' OR center = ?) ORDER BY center DESC LIMIT 1",
                            a, 2, sizeof r, decode_reason, r);
    if (rc && rc != STORE_NOTFOUND)
        return rc;
    *blocked = rc == STORE_OK;
    if (reason)
        str_copy(reason, STORE_BLOCK_REASON_MAX, rc == STORE_OK ? r : "");
    return STORE_OK;
}

int store_guard_block_find(store *s, const char *caller_ref, int *blocked, char *reason)
{
    char r[STORE_BLOCK_REASON_MAX];
    struct store_arg a[] = {ARG_TEXT(caller_ref)};
    int rc = store__get_one(s,
                            "SELECT reason FROM guard_blocks WHERE caller_ref = ?"
                            " ORDER BY center LIMIT 1",
                            a, 1, sizeof r, decode_reason, r);
    if (rc && rc != STORE_NOTFOUND)
        return rc;
    *blocked = rc == STORE_OK;
    if (reason)
        str_copy(reason, STORE_BLOCK_REASON_MAX, rc == STORE_OK ? r : "");
    return STORE_OK;
}

static void decode_count(void *rec, const char *const *v)
{
    *(int64_t *)rec = store__atoi(v[0]);
}

int store_guard_caller_verdicts(store *s, const char *caller_ref, int64_t since, int64_t *count)
{
    struct store_arg a[] = {ARG_TEXT(caller_ref), ARG_INT(since)};
    int64_t n = 0;
    int rc = store__get_one(
        s,
        "SELECT COUNT(*) FROM harass_cases c WHERE c.caller_ref = ? AND c.occurred_at >= ?"
        " AND COALESCE((SELECT r.verdict FROM harass_reviews r WHERE r.case_id = c.id"
        " ORDER BY r.id DESC LIMIT 1), c.verdict) = 'harassment'",
        a, 2, sizeof n, decode_count, &n);
    if (rc == STORE_OK)
        *count = n;
    return rc;
}

int store_notify(store *s, const char *channel, const char *payload)
{
    if (!s->ops->notify)
        return store__fail(s, STORE_NOBACKEND, "notify: not available on %s", s->ops->name);
    return s->ops->notify(s, channel, payload);
}

int store_listen(store *s, const char *channel)
{
    if (!s->ops->listen)
        return store__fail(s, STORE_NOBACKEND, "listen: not available on %s", s->ops->name);
    return s->ops->listen(s, channel);
}

int store_wait_notify(store *s, int timeout_ms, void (*fn)(void *ud, const char *payload), void *ud)
{
    if (!s->ops->wait_notify)
        return store__fail(s, STORE_NOBACKEND, "listen: not available on %s", s->ops->name);
    return s->ops->wait_notify(s, timeout_ms, fn, ud);
}
