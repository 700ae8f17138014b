/* PostgreSQL backend (libpq): for several servers or many centers on one database.
 * Queries are sent with text parameters; `?` placeholders become $1, $2 … here. Each connection
 * keeps the statements it has run prepared on the server (named ik1, ik2 …), so a statement is
 * parsed and analysed once per connection rather than on every call. */
#include "store_int.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"

#define MAX_ARGS   640 /* multi-row INSERTs: 64 respondents × 9 columns */
#define MAX_COLS   64
#define STMT_CACHE 48
/* Evicted statements waiting for the connection to be outside a transaction block. */
#define MAX_PENDING 64

struct pg_stmt {
    char *sql; /* as the caller wrote it, with `?`; NULL when the slot is free */
    uint32_t hash;
    int nparams;
    char name[16];
};

struct pg_conn {
    PGconn *pg;
    struct pg_stmt cache[STMT_CACHE];
    int next_evict;
    unsigned long next_name;
    char pending[MAX_PENDING][16];
    int npending;
};

static void pg_message(store *s, const char *what, const char *msg)
{
    /* libpq messages end in a newline and may hold several lines: keep the first. */
    size_t n = strcspn(msg ? msg : "", "\n");
    store__fail(s, STORE_ERROR, "%s: %.*s", what, (int)n, msg ? msg : "");
}

static int pg_open(store *s, const char *target)
{
    struct pg_conn *pc = calloc(1, sizeof *pc);
    if (!pc)
        return store__fail(s, STORE_ERROR, "postgresql: out of memory");
    s->conn = pc;
    PGconn *c = PQconnectdb(target);
    pc->pg = c;
    if (!c)
        return store__fail(s, STORE_ERROR, "postgresql: out of memory");
    if (PQstatus(c) != CONNECTION_OK) {
        pg_message(s, "--db: cannot connect to PostgreSQL", PQerrorMessage(c));
        return STORE_ERROR;
    }
    PGresult *r = PQexec(c, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        pg_message(s, "postgresql", PQerrorMessage(c));
        return STORE_ERROR;
    }
    return STORE_OK;
}

static void pg_close(store *s)
{
    struct pg_conn *pc = s->conn;
    if (!pc)
        return;
    /* The server drops a session's prepared statements with the session. */
    if (pc->pg)
        PQfinish(pc->pg);
    for (int i = 0; i < STMT_CACHE; i++)
        free(pc->cache[i].sql);
    free(pc);
    s->conn = NULL;
}

static int pg_result_code(PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    /* Class 23: integrity constraint violation (unique, foreign key, check, not null). */
    return state && strncmp(state, "23", 2) == 0 ? STORE_CONFLICT : STORE_ERROR;
}

static int pg_check(store *s, PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return STORE_OK;
    int code = pg_result_code(r);
    pg_message(s, "postgresql", PQresultErrorMessage(r));
    return code;
}

static int pg_exec(store *s, const char *script)
{
    struct pg_conn *pc = s->conn;
    PGresult *r = PQexec(pc->pg, script);
    int rc = pg_check(s, r);
    PQclear(r);
    return rc;
}

/* Rewrites `?` outside quoted text into $n. */
static int pg_rewrite(const char *sql, struct buf *out, int *count)
{
    int n = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '?') {
            if (buf_printf(out, "$%d", ++n))
                return -1;
            continue;
        }
        if (buf_append(out, p, 1))
            return -1;
    }
    *count = n;
    return 0;
}

static uint32_t pg_hash(const char *sql)
{
    return fnv1a_str(sql);
}

/* Drops an evicted statement on the server. DEALLOCATE is sent only outside a transaction block,
 * where its failure cannot abort anything; inside one the name waits for the next idle moment
 * (pg_prepare stops evicting while the waiting list is full). Its result is ignored. */
static void pg_deallocate(struct pg_conn *pc, const char *name)
{
    if (PQtransactionStatus(pc->pg) == PQTRANS_IDLE) {
        char sql[32];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", name);
        PQclear(PQexec(pc->pg, sql));
    } else if (pc->npending < MAX_PENDING) {
        snprintf(pc->pending[pc->npending++], sizeof pc->pending[0], "%s", name);
    }
}

static void pg_flush_pending(struct pg_conn *pc)
{
    if (pc->npending == 0 || PQtransactionStatus(pc->pg) != PQTRANS_IDLE)
        return;
    int n = pc->npending;
    pc->npending = 0;
    for (int i = 0; i < n; i++)
        pg_deallocate(pc, pc->pending[i]);
}

static struct pg_stmt *pg_lookup(struct pg_conn *pc, const char *sql, uint32_t hash)
{
    for (int i = 0; i < STMT_CACHE; i++) {
        struct pg_stmt *e = &pc->cache[i];
        if (e->sql && e->hash == hash && strcmp(e->sql, sql) == 0)
            return e;
    }
    return NULL;
}

/* Forgets a cached statement (and drops it on the server unless it is already gone there). */
static void pg_forget(struct pg_conn *pc, struct pg_stmt *e, int on_server)
{
    if (on_server)
        pg_deallocate(pc, e->name);
    free(e->sql);
    e->sql = NULL;
}

/* Prepares sql (with `?`) on the server and caches it in *out; on failure records the error
 * exactly as running the statement would have, and caches nothing. Inside a transaction block
 * with too many evicted statements waiting, it prepares the unnamed statement instead (what
 * PQexecParams does) and *out is NULL. name gets the statement's name. */
static int pg_prepare(store *s, const char *sql, uint32_t hash, int nargs, struct pg_stmt **out,
                      char name[16])
{
    struct pg_conn *pc = s->conn;
    struct buf q;
    buf_init(&q, 0);
    int want = 0;
    if (pg_rewrite(sql, &q, &want)) {
        buf_release(&q);
        return store__fail(s, STORE_ERROR, "out of memory");
    }
    if (want != nargs) {
        buf_release(&q);
        return store__fail(s, STORE_ERROR, "postgresql: statement wants %d values, got %d", want,
                           nargs);
    }
    struct pg_stmt *slot = &pc->cache[pc->next_evict];
    int cache =
        !slot->sql || pc->npending < MAX_PENDING || PQtransactionStatus(pc->pg) == PQTRANS_IDLE;
    char *copy = cache ? strdup(sql) : NULL;
    if (cache && !copy) {
        buf_release(&q);
        return store__fail(s, STORE_ERROR, "out of memory");
    }
    if (cache)
        snprintf(name, 16, "ik%lu", ++pc->next_name);
    else
        name[0] = '\0';
    PGresult *r = PQprepare(pc->pg, name, q.data, want, NULL);
    buf_release(&q);
    int rc = pg_check(s, r);
    PQclear(r);
    if (rc || !cache) {
        free(copy);
        *out = NULL;
        return rc;
    }
    pc->next_evict = (pc->next_evict + 1) % STMT_CACHE;
    if (slot->sql)
        pg_forget(pc, slot, 1);
    slot->sql = copy;
    slot->hash = hash;
    slot->nparams = want;
    memcpy(slot->name, name, sizeof slot->name);
    *out = slot;
    return STORE_OK;
}

/* A cached statement that failed in a way running it afresh would not: gone from the server
 * (invalid_sql_statement_name) or, after a schema change, "cached plan must not change result
 * type" (feature_not_supported). */
static int pg_stale(PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    return state && (strcmp(state, "26000") == 0 || strcmp(state, "0A000") == 0);
}

static int pg_query(store *s, const char *sql, const struct store_arg *args, int nargs,
                    store_row_fn fn, void *ud, int64_t *changes)
{
    struct pg_conn *pc = s->conn;
    if (nargs > MAX_ARGS)
        return store__fail(s, STORE_ERROR, "postgresql: too many parameters");
    pg_flush_pending(pc);
    uint32_t hash = pg_hash(sql);
    struct pg_stmt *e = pg_lookup(pc, sql, hash);
    char name[16];
    int fresh = 0;
    if (e && e->nparams != nargs)
        return store__fail(s, STORE_ERROR, "postgresql: statement wants %d values, got %d",
                           e->nparams, nargs);
    if (e) {
        memcpy(name, e->name, sizeof name);
    } else {
        int rc = pg_prepare(s, sql, hash, nargs, &e, name);
        if (rc)
            return rc;
        fresh = 1;
    }
    const char *values[MAX_ARGS];
    char ints[MAX_ARGS][24];
    for (int i = 0; i < nargs; i++) {
        if (args[i].type == SA_INT) {
            snprintf(ints[i], sizeof ints[i], "%lld", (long long)args[i].i);
            values[i] = ints[i];
        } else {
            values[i] = args[i].type == SA_TEXT ? args[i].s : NULL;
        }
    }
    PGresult *r = PQexecPrepared(pc->pg, name, nargs, values, NULL, NULL, 0);
    if (!fresh && PQresultStatus(r) == PGRES_FATAL_ERROR && pg_stale(r)) {
        /* Outside a transaction block the failed statement changed nothing: prepare it again and
         * run it once more. Inside one the transaction is aborted already; the next call
         * prepares afresh. */
        int idle = PQtransactionStatus(pc->pg) == PQTRANS_IDLE;
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        pg_forget(pc, e, strcmp(state, "26000") != 0);
        if (idle) {
            PQclear(r);
            int rc = pg_prepare(s, sql, hash, nargs, &e, name);
            if (rc)
                return rc;
            r = PQexecPrepared(pc->pg, name, nargs, values, NULL, NULL, 0);
        }
    }
    int rc = pg_check(s, r);
    if (rc == STORE_OK && fn) {
        int rows = PQntuples(r);
        int ncol = PQnfields(r);
        if (ncol > MAX_COLS)
            ncol = MAX_COLS;
        const char *vals[MAX_COLS] = {0}; /* past the row's width: NULL */
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < ncol; i++)
                vals[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
            if (fn(ud, ncol, vals))
                break;
        }
    }
    if (rc == STORE_OK && changes) {
        const char *t = PQcmdTuples(r);
        *changes = t && *t ? strtoll(t, NULL, 10) : 0;
    }
    PQclear(r);
    return rc;
}

/* NOTIFY through pg_notify() so the channel and payload travel as parameters. */
static int pg_notify(store *s, const char *channel, const char *payload)
{
    struct store_arg a[] = {ARG_TEXT(channel), ARG_TEXT(payload)};
    return pg_query(s, "SELECT pg_notify(?, ?)", a, 2, NULL, NULL, NULL);
}

static int pg_listen(store *s, const char *channel)
{
    struct pg_conn *pc = s->conn;
    char *id = PQescapeIdentifier(pc->pg, channel, strlen(channel));
    if (!id)
        return store__fail(s, STORE_ERROR, "listen: %s", PQerrorMessage(pc->pg));
    struct buf sql;
    buf_init(&sql, 0);
    buf_printf(&sql, "LISTEN %s", id);
    PQfreemem(id);
    int rc = sql.data ? pg_exec(s, sql.data) : STORE_ERROR;
    buf_release(&sql);
    return rc;
}

static int pg_drain(store *s, void (*fn)(void *ud, const char *payload), void *ud)
{
    struct pg_conn *pc = s->conn;
    int got = 0;
    PGnotify *nt;
    if (!PQconsumeInput(pc->pg))
        return store__fail(s, STORE_ERROR, "listen: %s", PQerrorMessage(pc->pg));
    while ((nt = PQnotifies(pc->pg)) != NULL) {
        fn(ud, nt->extra ? nt->extra : "");
        PQfreemem(nt);
        got++;
    }
    return got;
}

static int pg_wait_notify(store *s, int timeout_ms, void (*fn)(void *ud, const char *payload),
                          void *ud)
{
    struct pg_conn *pc = s->conn;
    int got = pg_drain(s, fn, ud);
    if (got != 0)
        return got;
    int fd = PQsocket(pc->pg);
    if (fd < 0)
        return store__fail(s, STORE_ERROR, "listen: the connection is closed");
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : store__fail(s, STORE_ERROR, "listen: poll failed");
    return n == 0 ? 0 : pg_drain(s, fn, ud);
}

const struct store_ops store__pg_ops = {
    .name = "postgresql",
    .id_type = "BIGSERIAL PRIMARY KEY",
    .begin_sql = "BEGIN",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .notify = pg_notify,
    .listen = pg_listen,
    .wait_notify = pg_wait_notify,
};
