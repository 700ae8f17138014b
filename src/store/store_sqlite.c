/* SQLite backend: the embedded default. WAL so readers never wait for the writer, foreign keys
 * on, and a busy timeout so that several processes on one file queue instead of failing. */
#include "store_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define STMT_CACHE 48
#define MAX_COLS   64

struct cached_stmt {
    char *sql;
    sqlite3_stmt *stmt;
};

struct sq_conn {
    sqlite3 *db;
    struct cached_stmt cache[STMT_CACHE];
    int next_evict;
};

static int sq_code(int rc)
{
    return (rc & 0xff) == SQLITE_CONSTRAINT ? STORE_CONFLICT : STORE_ERROR;
}

static int sq_fail(store *s, int rc)
{
    struct sq_conn *c = s->conn;
    return store__fail(s, sq_code(rc), "sqlite: %s", c && c->db ? sqlite3_errmsg(c->db) : "error");
}

static int sq_open(store *s, const char *target)
{
    struct sq_conn *c = calloc(1, sizeof *c);
    if (!c)
        return store__fail(s, STORE_ERROR, "out of memory");
    s->conn = c;
    int rc = sqlite3_open_v2(
        target, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return store__fail(s, STORE_ERROR, "--db: cannot open \"%s\": %s", target,
                           c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    sqlite3_busy_timeout(c->db, 10000);
    rc = sqlite3_exec(c->db,
                      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store__fail(s, STORE_ERROR, "--db: \"%s\": %s", target, sqlite3_errmsg(c->db));
    return STORE_OK;
}

static void sq_close(store *s)
{
    struct sq_conn *c = s->conn;
    if (!c)
        return;
    for (int i = 0; i < STMT_CACHE; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    sqlite3_close(c->db);
    free(c);
    s->conn = NULL;
}

static int sq_exec(store *s, const char *script)
{
    struct sq_conn *c = s->conn;
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, script, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        store__fail(s, sq_code(rc), "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return sq_code(rc);
    }
    return STORE_OK;
}

/* Prepared statements are kept per connection: the same few queries run on every request. */
static int sq_prepare(store *s, const char *sql, sqlite3_stmt **out)
{
    struct sq_conn *c = s->conn;
    for (int i = 0; i < STMT_CACHE; i++) {
        if (c->cache[i].sql && strcmp(c->cache[i].sql, sql) == 0) {
            *out = c->cache[i].stmt;
            return STORE_OK;
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(s, rc);
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        return store__fail(s, STORE_ERROR, "out of memory");
    }
    struct cached_stmt *slot = &c->cache[c->next_evict];
    c->next_evict = (c->next_evict + 1) % STMT_CACHE;
    sqlite3_finalize(slot->stmt);
    free(slot->sql);
    slot->sql = copy;
    slot->stmt = st;
    *out = st;
    return STORE_OK;
}

static int sq_bind(store *s, sqlite3_stmt *st, const struct store_arg *args, int nargs)
{
    if (sqlite3_bind_parameter_count(st) != nargs)
        return store__fail(s, STORE_ERROR, "sqlite: statement wants %d values, got %d",
                           sqlite3_bind_parameter_count(st), nargs);
    for (int i = 0; i < nargs; i++) {
        int rc;
        switch (args[i].type) {
        case SA_INT:
            rc = sqlite3_bind_int64(st, i + 1, args[i].i);
            break;
        case SA_TEXT:
            rc = sqlite3_bind_text(st, i + 1, args[i].s, -1, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(st, i + 1);
        }
        if (rc != SQLITE_OK)
            return sq_fail(s, rc);
    }
    return STORE_OK;
}

static int sq_query(store *s, const char *sql, const struct store_arg *args, int nargs,
                    store_row_fn fn, void *ud, int64_t *changes)
{
    struct sq_conn *c = s->conn;
    sqlite3_stmt *st = NULL;
    int rc = sq_prepare(s, sql, &st);
    if (rc)
        return rc;
    rc = sq_bind(s, st, args, nargs);
    if (rc) {
        sqlite3_reset(st);
        return rc;
    }
    int ncol = sqlite3_column_count(st);
    if (ncol > MAX_COLS)
        ncol = MAX_COLS;
    /* Columns past the row's width read as NULL: a decoder that expects more gets empty text,
     * never stray memory. */
    const char *vals[MAX_COLS] = {0};
    int result = STORE_OK;
    for (;;) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            result = sq_fail(s, step);
            break;
        }
        if (!fn)
            continue;
        for (int i = 0; i < ncol; i++)
            vals[i] = (const char *)sqlite3_column_text(st, i);
        if (fn(ud, ncol, vals))
            break;
    }
    if (result == STORE_OK && changes)
        *changes = sqlite3_changes64(c->db);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

/* Copies every page of from into to in one step: the step holds a read transaction on from, so
 * the copy is one consistent moment while writers go on in the WAL. */
static int sq_copy_db(sqlite3 *to, sqlite3 *from, char *err, size_t errlen)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(to));
        return -1;
    }
    int rc;
    do {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    int fin = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || fin != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errstr(rc != SQLITE_DONE ? rc : fin));
        return -1;
    }
    return 0;
}

static int sq_backup(store *s, const char *path)
{
    struct sq_conn *c = s->conn;
    char tmp[1100], err[400];
    if (file_temp_beside(path, tmp, sizeof tmp, err, sizeof err))
        return store__fail(s, STORE_ERROR, "--to: %s", err);
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK ? 0 : -1;
    if (rc)
        snprintf(err, sizeof err, "%s", out ? sqlite3_errmsg(out) : "cannot open");
    if (rc == 0)
        rc = sq_copy_db(out, c->db, err, sizeof err);
    /* A backup is one file: no WAL beside it. */
    if (rc == 0 && sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, sizeof err, "%s", sqlite3_errmsg(out));
        rc = -1;
    }
    if (sqlite3_close(out) != SQLITE_OK && rc == 0) {
        snprintf(err, sizeof err, "cannot close");
        rc = -1;
    }
    char cerr[400];
    if (file_commit(rc, tmp, path, cerr, sizeof cerr))
        return store__fail(s, STORE_ERROR, "--to \"%s\": %s", path, rc ? err : cerr);
    return STORE_OK;
}

/* The first column of the first row of sql as text into out ("" when none); -1 on error. */
static int sq_one_text(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, outlen, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK || rc == SQLITE_DONE ? 0 : -1;
}

/* The file must be an ikiiki database in one piece, no newer than this build, before it replaces
 * ours. */
static int sq_check_source(store *s, sqlite3 *from, const char *path)
{
    char v[64], ok[256];
    if (sq_one_text(from, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", v, sizeof v))
        return store__fail(s, STORE_BADURL, "--from \"%s\": not an ikiiki database (%s)", path,
                           sqlite3_errmsg(from));
    int latest = store__nmigrations ? store__migrations[store__nmigrations - 1].version : 0;
    if ((int)strtol(v, NULL, 10) > latest)
        return store__fail(s, STORE_TOONEW,
                           "--from \"%s\": schema %s is newer than this ikiiki's %d", path, v,
                           latest);
    if (sq_one_text(from, "PRAGMA quick_check", ok, sizeof ok) || strcmp(ok, "ok") != 0)
        return store__fail(s, STORE_BADURL, "--from \"%s\": damaged (quick_check: %s)", path,
                           ok[0] ? ok : sqlite3_errmsg(from));
    return STORE_OK;
}

static int sq_restore(store *s, const char *path)
{
    struct sq_conn *c = s->conn;
    sqlite3 *from = NULL;
    if (sqlite3_open_v2(path, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        int rc = store__fail(s, STORE_ERROR, "--from \"%s\": %s", path,
                             from ? sqlite3_errmsg(from) : "cannot open");
        sqlite3_close(from);
        return rc;
    }
    int rc = sq_check_source(s, from, path);
    char err[400];
    if (rc == STORE_OK && sq_copy_db(c->db, from, err, sizeof err))
        rc = store__fail(s, STORE_ERROR, "restore from \"%s\": %s", path, err);
    sqlite3_close(from);
    return rc;
}

const struct store_ops store__sqlite_ops = {
    .name = "sqlite",
    .id_type = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .begin_sql = "BEGIN IMMEDIATE",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .query = sq_query,
    .backup = sq_backup,
    .restore = sq_restore,
};
