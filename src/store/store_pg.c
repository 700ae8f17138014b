/* PostgreSQL backend (libpq): for several servers or many centers on one database.
 * Queries are sent with text parameters; `?` placeholders become $1, $2 … here. */
#include "store_int.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define MAX_ARGS 64
#define MAX_COLS 64

static void pg_message(store *s, const char *what, const char *msg)
{
    /* libpq messages end in a newline and may hold several lines: keep the first. */
    size_t n = strcspn(msg ? msg : "", "\n");
    store__fail(s, STORE_ERROR, "%s: %.*s", what, (int)n, msg ? msg : "");
}

static int pg_open(store *s, const char *target)
{
    PGconn *c = PQconnectdb(target);
    s->conn = c;
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
    if (s->conn)
        PQfinish(s->conn);
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
    PGresult *r = PQexec(s->conn, script);
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

static int pg_query(store *s, const char *sql, const struct store_arg *args, int nargs,
                    store_row_fn fn, void *ud, int64_t *changes)
{
    if (nargs > MAX_ARGS)
        return store__fail(s, STORE_ERROR, "postgresql: too many parameters");
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
    PGresult *r = PQexecParams(s->conn, q.data, nargs, NULL, values, NULL, NULL, 0);
    buf_release(&q);
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

const struct store_ops store__pg_ops = {
    .name = "postgresql",
    .id_type = "BIGSERIAL PRIMARY KEY",
    .begin_sql = "BEGIN",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
};
