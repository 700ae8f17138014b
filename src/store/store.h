/* store: the one place that speaks SQL. One interface, two backends chosen by URL:
 * SQLite (default, embedded: a bare path or sqlite:PATH) and PostgreSQL (postgresql://…).
 * A store handle is one connection and is not shared between threads at the same time.
 * This header holds opening, transactions, migrations, settings and notifications; each
 * domain's tables have their own header (store_org.h, store_survey.h, …), so a change to one
 * domain's records rebuilds only the code that uses them. */
#ifndef IKIIKI_STORE_H
#define IKIIKI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct store store;

/* The store's names for codes of the one error namespace (core/err.h). */
enum {
    STORE_OK = IK_OK,
    STORE_ERROR = IK_EFAIL,          /* the backend failed; store_errmsg says why */
    STORE_NOTFOUND = IK_ENOENT,      /* no such row */
    STORE_CONFLICT = IK_ECONFLICT,   /* a unique or foreign-key rule would break */
    STORE_BADURL = IK_EBADURL,       /* the --db URL is not one we understand */
    STORE_NOBACKEND = IK_ENOBACKEND, /* the backend was not compiled in */
    STORE_TOONEW = IK_ETOONEW,       /* the database was migrated by a newer ikiiki */
};

/* Resolves the URL to use: explicit (may be NULL), else $IKIIKI_DB, else "./ikiiki.db". */
const char *store_default_url(const char *explicit_url);
/* Opens a connection; on failure *out is untouched and err holds one line. */
int store_open(const char *url, store **out, char *err, size_t errlen);
void store_free(store *s);
const char *store_backend(const store *s);
/* The last error message of this connection. */
const char *store_errmsg(const store *s);

/* Applies pending numbered migrations, each in its own transaction. */
int store_migrate(store *s, int *applied);
/* Applies pending migrations up to and including version target only (older schemas for upgrade
 * tests and fixtures). */
int store_migrate_to(store *s, int target, int *applied);
/* What store_migrate would do, without changing anything (not even creating its bookkeeping
 * table): *current gets the schema version, out[0..*n) the pending migrations in order (pointers
 * to static text). */
struct store_pending {
    int version;
    const char *name;
    const char *sql; /* the migration's SQL as written ({{ID}} for the id column type) */
};
int store_migrations_pending(store *s, int *current, struct store_pending *out, int max, int *n);
/* The newest migration this build knows. */
int store_latest_version(void);
/* The newest applied migration, 0 when none. */
int store_schema_version(store *s, int *version);
/* 1 when the store holds no companies yet (used to decide whether to seed demo data). */
int store_is_empty(store *s, int *empty);

int store_begin(store *s);
int store_commit(store *s);
int store_rollback(store *s);
/* Rolls back every open level; used before a connection is handed to other work. */
void store_rollback_all(store *s);

/* Settings: small values kept by key (the key that hashes callers' numbers). */
int store_setting_get(store *s, const char *key, char *out, size_t outlen);
/* Stores value under key unless the key exists; either way out receives the stored value. */
int store_setting_init(store *s, const char *key, const char *value, char *out, size_t outlen);
/* Writes a setting (insert or replace). */
int store_setting_set(store *s, const char *key, const char *value);

/* Live events between servers sharing one PostgreSQL (LISTEN/NOTIFY); STORE_NOBACKEND on SQLite.
 * Use a connection of its own for listening: it must not run other queries meanwhile. payload is
 * text under 8000 bytes. */
int store_notify(store *s, const char *channel, const char *payload);
int store_listen(store *s, const char *channel);
/* Waits up to timeout_ms for notifications and calls fn for each payload (borrowed for the
 * call). Returns the number received (>= 0) or an error code. */
int store_wait_notify(store *s, int timeout_ms, void (*fn)(void *ud, const char *payload),
                      void *ud);

#endif
