/* SQLite backend: the embedded default. WAL so readers never wait for the writer, foreign keys
 * on, and a busy timeout so that several processes on one file queue instead of failing. */
#include "store_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

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

const struct store_ops store__sqlite_ops = {
    .name = "sqlite",
    .id_type = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .begin_sql = "BEGIN IMMEDIATE",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .query = sq_query,
};
