/* The block list's checks, hashing and audit; SQL stays in src/store. */
#include <stdio.h>
#include <string.h>

#include "block.h"
#include "core/util.h"
#include "harass/harass.h"
#include "store/store_guard.h"
#include "store/store_org.h"

#define FAIL(code, ...)                                                                            \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return (code);                                                                             \
    } while (0)

static int is_hex_ref(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

/* A number as people write it: digits with + - ( ) . and spaces. */
static int is_number(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > GUARD_BLOCK_CALLER_MAX)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || strchr("+-(). ", *p)))
            return 0;
    return 1;
}

int guard_block_ref(store *s, const char *caller, char *ref, char *err, size_t errlen)
{
    if (caller && is_hex_ref(caller)) {
        str_copy(ref, 65, caller);
        return 0;
    }
    unsigned char key[32];
    if (!caller || !is_number(caller))
        FAIL(IK_EINVAL, "caller: \"%.40s\" is not a phone number", caller ? caller : "");
    if (harass_caller_key(s, key))
        FAIL(STORE_ERROR, "caller key: %s", store_errmsg(s));
    if (harass_caller_ref(key, caller, ref))
        FAIL(IK_EINVAL, "caller: \"%.40s\" has fewer than 4 digits", caller);
    return 0;
}

int guard_block_add(store *s, const char *caller, const char *center, const char *reason,
                    const char *by, const char *address, struct store_guard_block *out, char *err,
                    size_t errlen)
{
    struct store_guard_block b;
    memset(&b, 0, sizeof b);
    size_t rn = reason ? strlen(reason) : 0;
    if (rn == 0 || rn >= sizeof b.reason || !utf8_is_clean(reason, rn) || strchr(reason, '\n'))
        FAIL(IK_EINVAL, "reason: must be one line of text of 1 to %zu bytes", sizeof b.reason - 1);
    if (center && *center) {
        struct org_center c;
        int rc = store_center_get(s, center, &c);
        if (rc == STORE_NOTFOUND)
            FAIL(IK_EINVAL, "center: \"%.40s\" does not exist", center);
        if (rc)
            FAIL(rc, "center: %s", store_errmsg(s));
        str_copy(b.center, sizeof b.center, center);
    }
    int rc = guard_block_ref(s, caller, b.caller_ref, err, errlen);
    if (rc)
        return rc;
    str_copy(b.reason, sizeof b.reason, reason);
    str_copy(b.added_by, sizeof b.added_by, by && *by ? by : "-");
    b.added_at = now_unix();
    char target[128];
    snprintf(target, sizeof target, "%.64s@%s", b.caller_ref, b.center[0] ? b.center : "*");
    if ((rc = store_begin(s)))
        FAIL(rc, "block list: %s", store_errmsg(s));
    if ((rc = store_guard_block_put(s, &b)) ||
        (rc = store_audit_add(s, b.added_by, "guard.block.add", target, b.reason, address)) ||
        (rc = store_commit(s))) {
        snprintf(err, errlen, "block list: %s", store_errmsg(s));
        store_rollback(s);
        return rc;
    }
    *out = b;
    return 0;
}

int guard_block_remove(store *s, int64_t id, const char *by, const char *address, char *err,
                       size_t errlen)
{
    struct store_guard_block b;
    int rc = store_guard_block_get(s, id, &b);
    if (rc == STORE_NOTFOUND)
        FAIL(rc, "block %lld does not exist", (long long)id);
    char target[128];
    snprintf(target, sizeof target, "%.64s@%s", b.caller_ref, b.center[0] ? b.center : "*");
    if (rc || (rc = store_begin(s)))
        FAIL(rc, "block list: %s", store_errmsg(s));
    if ((rc = store_guard_block_delete(s, id)) ||
        (rc = store_audit_add(s, by && *by ? by : "-", "guard.block.remove", target, b.reason,
                              address)) ||
        (rc = store_commit(s))) {
        snprintf(err, errlen, "block list: %s", store_errmsg(s));
        store_rollback(s);
        return rc;
    }
    return 0;
}

json_t *guard_block_json(const struct store_guard_block *b)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)b->id, "caller_ref",
                     b->caller_ref, "center", b->center, "reason", b->reason, "added_by",
                     b->added_by, "added_at", (json_int_t)b->added_at);
}
