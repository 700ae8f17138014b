#include "store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/module.h"
#include "core/util.h"

int store__fail(store *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return code;
}

const char *store_default_url(const char *explicit_url)
{
    if (explicit_url && *explicit_url)
        return explicit_url;
    const char *env = getenv("IKIIKI_DB");
    if (env && *env)
        return env;
    return "./ikiiki.db";
}

/* The PostgreSQL backend is a module (libpq and what it pulls in cost a start-up of their own):
 * only a postgresql:// URL loads it. err is written when it cannot be loaded. */
static int pick_backend(const char *url, const struct store_ops **ops, const char **target,
                        char *err, size_t errlen)
{
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
#ifdef IKIIKI_HAVE_PG
        char why[400];
        *ops = module_sym("pg", "store__pg_ops", why, sizeof why);
        if (!*ops) {
            snprintf(err, errlen, "--db: PostgreSQL: %s", why);
            return STORE_ERROR; /* an install without its module: not the URL's fault */
        }
        *target = url;
        return STORE_OK;
#else
        (void)err;
        (void)errlen;
        return STORE_NOBACKEND;
#endif
    }
    if (strncmp(url, "sqlite:", 7) == 0) {
        *ops = &store__sqlite_ops;
        *target = url + 7;
        return **target ? STORE_OK : STORE_BADURL;
    }
    if (strstr(url, "://"))
        return STORE_BADURL;
    *ops = &store__sqlite_ops;
    *target = url;
    return STORE_OK;
}

int store_open(const char *url, store **out, char *err, size_t errlen)
{
    const struct store_ops *ops = NULL;
    const char *target = NULL;
    int rc = url && *url ? pick_backend(url, &ops, &target, err, errlen) : STORE_BADURL;
    if (rc == STORE_BADURL) {
        snprintf(err, errlen,
                 "--db: \"%.200s\" is not a database URL (use a path, sqlite:PATH or "
                 "postgresql://…)",
                 url ? url : "");
        return rc;
    }
    if (rc == STORE_NOBACKEND) {
        snprintf(err, errlen, "--db: this ikiiki was built without PostgreSQL support");
        return rc;
    }
    if (rc)
        return rc; /* err says which module is missing */
    store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return STORE_ERROR;
    }
    s->ops = ops;
    rc = ops->open(s, target);
    if (rc) {
        snprintf(err, errlen, "%s", s->err);
        ops->close(s);
        free(s);
        return rc;
    }
    *out = s;
    return STORE_OK;
}

void store_free(store *s)
{
    if (!s)
        return;
    s->ops->close(s);
    free(s);
}

const char *store_backend(const store *s)
{
    return s->ops->name;
}

const char *store_errmsg(const store *s)
{
    return s->err;
}

int store__query(store *s, const char *sql, const struct store_arg *args, int nargs,
                 store_row_fn fn, void *ud)
{
    return s->ops->query(s, sql, args, nargs, fn, ud, NULL);
}

int store__exec_args(store *s, const char *sql, const struct store_arg *args, int nargs,
                     int64_t *changes)
{
    int64_t ch = 0;
    int rc = s->ops->query(s, sql, args, nargs, NULL, NULL, &ch);
    if (rc == STORE_OK && changes)
        *changes = ch;
    return rc;
}

static int row_id(void *ud, int ncol, const char *const *vals)
{
    if (ncol > 0 && vals[0])
        *(int64_t *)ud = store__atoi(vals[0]);
    return 0;
}

int store__insert_id(store *s, const char *sql, const struct store_arg *args, int nargs,
                     int64_t *id)
{
    int64_t got = 0;
    int rc = store__query(s, sql, args, nargs, row_id, &got);
    if (rc)
        return rc;
    if (!got)
        return store__fail(s, STORE_ERROR, "insert returned no id");
    *id = got;
    return STORE_OK;
}

void *store__push(void **arr, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        void *p = realloc(*arr, nc * size);
        if (!p)
            return NULL;
        *arr = p;
        *cap = nc;
    }
    char *slot = (char *)*arr + (*n)++ * size;
    memset(slot, 0, size);
    return slot;
}

int64_t store__atoi(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

void store__copy(char *dst, size_t len, const char *src)
{
    str_copy(dst, len, src ? src : "");
}

/* Collects rows into a malloc'd array through a per-type row decoder. */
struct collect {
    void *arr;
    size_t n, cap, size;
    store_decode_fn decode;
    int oom;
    int one; /* stop after the first row */
};

static int collect_row(void *ud, int ncol, const char *const *vals)
{
    (void)ncol;
    struct collect *c = ud;
    void *rec = store__push(&c->arr, &c->n, &c->cap, c->size);
    if (!rec) {
        c->oom = 1;
        return 1;
    }
    c->decode(rec, vals);
    return c->one;
}

static int run_collect(store *s, const char *sql, const struct store_arg *args, int nargs,
                       struct collect *c)
{
    int rc = store__query(s, sql, args, nargs, collect_row, c);
    if (rc == STORE_OK && c->oom)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    if (rc)
        free(c->arr);
    return rc;
}

/* Runs a query for one record and copies it to out; STORE_NOTFOUND when there is none. */
int store__get_one(store *s, const char *sql, const struct store_arg *args, int nargs, size_t size,
                   store_decode_fn decode, void *out)
{
    struct collect c = {.size = size, .decode = decode, .one = 1};
    int rc = run_collect(s, sql, args, nargs, &c);
    if (rc)
        return rc;
    if (c.n == 0) {
        free(c.arr);
        return store__fail(s, STORE_NOTFOUND, "not found");
    }
    memcpy(out, c.arr, size);
    free(c.arr);
    return STORE_OK;
}

int store__list(store *s, const char *sql, const struct store_arg *args, int nargs, size_t size,
                store_decode_fn decode, void **out, size_t *n)
{
    struct collect c = {.size = size, .decode = decode};
    int rc = run_collect(s, sql, args, nargs, &c);
    if (rc)
        return rc;
    *out = c.arr;
    *n = c.n;
    return STORE_OK;
}

int store_begin(store *s)
{
    char sql[48];
    if (s->tx_depth == 0)
        snprintf(sql, sizeof sql, "%s", s->ops->begin_sql);
    else
        snprintf(sql, sizeof sql, "SAVEPOINT sp%d", s->tx_depth);
    int rc = s->ops->exec(s, sql);
    if (rc == STORE_OK)
        s->tx_depth++;
    return rc;
}

int store_commit(store *s)
{
    if (s->tx_depth <= 0)
        return store__fail(s, STORE_ERROR, "commit without a transaction");
    char sql[48];
    if (s->tx_depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT sp%d", s->tx_depth - 1);
    int rc = s->ops->exec(s, sql);
    if (rc == STORE_OK)
        s->tx_depth--;
    return rc;
}

int store_rollback(store *s)
{
    if (s->tx_depth <= 0)
        return STORE_OK;
    char sql[80];
    if (s->tx_depth == 1)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT sp%d; RELEASE SAVEPOINT sp%d",
                 s->tx_depth - 1, s->tx_depth - 1);
    /* Keep the first error message: it says why we are rolling back. */
    char saved[sizeof s->err];
    memcpy(saved, s->err, sizeof saved);
    int rc = s->ops->exec(s, sql);
    memcpy(s->err, saved, sizeof saved);
    s->tx_depth--;
    return rc;
}

void store_rollback_all(store *s)
{
    while (s->tx_depth > 0)
        store_rollback(s);
}

/* Expands {{ID}} into the backend's auto-numbered key type. */
static int expand_sql(const store *s, const char *sql, struct buf *out)
{
    const char *p = sql;
    const char *hit;
    while ((hit = strstr(p, "{{ID}}")) != NULL) {
        if (buf_append(out, p, (size_t)(hit - p)) || buf_puts(out, s->ops->id_type))
            return -1;
        p = hit + 6;
    }
    return buf_puts(out, p);
}

static int row_int(void *ud, int ncol, const char *const *vals)
{
    *(int64_t *)ud = ncol > 0 && vals[0] ? store__atoi(vals[0]) : 0;
    return 0;
}

int store_schema_version(store *s, int *version)
{
    int rc = s->ops->exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                             " applied_at BIGINT NOT NULL)");
    if (rc)
        return rc;
    int64_t v = 0;
    rc = store__query(s, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0,
                      row_int, &v);
    if (rc == STORE_OK)
        *version = (int)v;
    return rc;
}

static int apply_migration(store *s, const struct store_migration *m)
{
    struct buf sql;
    buf_init(&sql, 0);
    if (expand_sql(s, m->sql, &sql)) {
        buf_release(&sql);
        return store__fail(s, STORE_ERROR, "out of memory");
    }
    int rc = store_begin(s);
    if (rc == STORE_OK)
        rc = s->ops->exec(s, sql.data);
    if (rc == STORE_OK) {
        struct store_arg a[] = {ARG_INT(m->version), ARG_TEXT(m->name), ARG_INT(now_unix())};
        rc = store__exec_args(
            s, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", a, 3,
            NULL);
    }
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc) {
        char why[sizeof s->err];
        memcpy(why, s->err, sizeof why);
        store_rollback(s);
        store__fail(s, rc, "migration %04d_%s: %s", m->version, m->name, why);
    }
    buf_release(&sql);
    return rc;
}

int store_migrate(store *s, int *applied)
{
    int current = 0;
    int rc = store_schema_version(s, &current);
    if (rc)
        return rc;
    int latest = store__nmigrations ? store__migrations[store__nmigrations - 1].version : 0;
    if (current > latest)
        return store__fail(s, STORE_TOONEW,
                           "the database is at schema %d but this ikiiki knows only up to %d",
                           current, latest);
    int n = 0;
    for (int i = 0; i < store__nmigrations; i++) {
        if (store__migrations[i].version <= current)
            continue;
        rc = apply_migration(s, &store__migrations[i]);
        if (rc)
            return rc;
        n++;
    }
    if (applied)
        *applied = n;
    return STORE_OK;
}

int store_is_empty(store *s, int *empty)
{
    int64_t n = 0;
    int rc = store__query(s, "SELECT COUNT(*) FROM companies", NULL, 0, row_int, &n);
    if (rc == STORE_OK)
        *empty = n == 0;
    return rc;
}
