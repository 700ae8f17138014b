/* block: the call guard's block list as the CLI and the API manage it. A caller is kept only as
 * its keyed hash (harass_caller_ref with the store's harass_caller_key), like everywhere else;
 * an entry holds for one center or, with center "", for every center. Every change is audited
 * (guard.block.add, guard.block.remove). The engine asks the store on each call start, so an
 * entry counts from the next call on. */
#ifndef IKIIKI_GUARD_BLOCK_H
#define IKIIKI_GUARD_BLOCK_H

#include <jansson.h>
#include <stddef.h>

#include "store/store_guard.h"

#define GUARD_BLOCK_CALLER_MAX 32 /* bytes of a caller number as given */

/* The reference of a caller: a phone number (at least 4 digits; +81 is read as 0) is hashed, 64
 * lower-case hex digits are taken as a reference already. ref gets 65 bytes. */
int guard_block_ref(store *s, const char *caller, char *ref, char *err, size_t errlen);
/* Checks the input, hashes the caller and adds (or renews) the entry; by and address go into the
 * audit log (address may be NULL). center "" or NULL: every center; else it must exist. *out
 * gets the stored entry. Returns 0, IK_EINVAL on bad input (err says what), or a STORE_ code. */
int guard_block_add(store *s, const char *caller, const char *center, const char *reason,
                    const char *by, const char *address, struct store_guard_block *out, char *err,
                    size_t errlen);
/* Removes entry id (audited); STORE_NOTFOUND when there is none. */
int guard_block_remove(store *s, int64_t id, const char *by, const char *address, char *err,
                       size_t errlen);
/* {id, caller_ref, center, reason, added_by, added_at}; never the number. A new reference. */
json_t *guard_block_json(const struct store_guard_block *b);

#endif
