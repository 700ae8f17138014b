/* store_guard: 通話ガード: calls, timelines, the block list. The SQL is in store_guard.c. */
#ifndef IKIIKI_STORE_GUARD_H
#define IKIIKI_STORE_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "org/org.h"
#include "store/store.h"

/* 通話ガード. Calls and their timelines as the engine records them (times in Unix ms). */
struct store_guard_call {
    char call_id[64];
    char center[ORG_CODE_MAX];
    char operator_login[ORG_LOGIN_MAX];
    char caller_ref[65];
    char mode[16];
    int64_t started_at, ended_at; /* ended_at 0 while active */
    char risk[16];
    int stage, detections;
    char categories[512];
    int64_t case_id; /* 0 when no case was opened */
    int policy_version;
};
/* Inserts the call or updates every field of the stored one (same call_id). */
int store_guard_call_put(store *s, const struct store_guard_call *c);
int store_guard_call_get(store *s, const char *call_id, struct store_guard_call *out);
/* Calls of a center (center NULL: every center) that started in [from, to) ms, newest first,
 * at most limit; a malloc'd array. */
int store_guard_call_list(store *s, const char *center, int64_t from, int64_t to, int limit,
                          struct store_guard_call **out, size_t *n);
struct store_guard_event {
    int64_t id;
    int64_t at;
    char kind[32];
    char detail[8192]; /* JSON object text */
};
int store_guard_event_add(store *s, const char *call_id, int64_t at, const char *kind,
                          const char *detail_json);
/* A call's timeline, oldest first; a malloc'd array the caller frees. */
int store_guard_events(store *s, const char *call_id, struct store_guard_event **out, size_t *n);
/* The block list, by caller reference. Adding an existing reference replaces its reason. */
int store_guard_block_add(store *s, const char *caller_ref, const char *reason, const char *by,
                          int64_t at);
int store_guard_block_remove(store *s, const char *caller_ref);
/* *blocked = 1 when listed; reason (may be NULL, 256 bytes) gets its reason. */
int store_guard_block_find(store *s, const char *caller_ref, int *blocked, char *reason);
/* Block list entries with an id and a center ("" = every center). */
#define STORE_BLOCK_REASON_MAX 256
struct store_guard_block {
    int64_t id;
    char caller_ref[65];
    char center[ORG_CODE_MAX];
    char reason[STORE_BLOCK_REASON_MAX];
    char added_by[ORG_LOGIN_MAX];
    int64_t added_at; /* Unix s */
};
/* Adds an entry, or replaces the reason of the one with the same caller_ref and center; b->id is
 * set to the entry's id. */
int store_guard_block_put(store *s, struct store_guard_block *b);
/* Entries of the given centers (ncenters < 0: every entry; "" in centers: the entries for every
 * center), newest first; a malloc'd array the caller frees. */
int store_guard_block_list(store *s, const char *const *centers, int ncenters,
                           struct store_guard_block **out, size_t *n);
int store_guard_block_get(store *s, int64_t id, struct store_guard_block *out);
int store_guard_block_delete(store *s, int64_t id);
/* Like store_guard_block_find, for a call of center: entries for every center and for center
 * count; the center's own entry's reason comes first. */
int store_guard_block_match(store *s, const char *caller_ref, const char *center, int *blocked,
                            char *reason);
/* Harassment cases of a caller that occurred at or after since (Unix s) whose verdict — the
 * latest review's when reviewed, else the field's — is harassment. */
int store_guard_caller_verdicts(store *s, const char *caller_ref, int64_t since, int64_t *count);

#endif
