#include "store_admin.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "store_int.h"

#define MAX_TABLES  128
#define MAX_COLUMNS 64
#define NAME_MAX_   64

struct names {
    char v[MAX_COLUMNS > MAX_TABLES ? MAX_COLUMNS : MAX_TABLES][NAME_MAX_];
    int n;
    int overflow;
};

static int add_name(void *ud, int ncol, const char *const *vals)
{
    struct names *nm = ud;
    if (ncol < 1 || !vals[0])
        return 0;
    if (nm->n >= (int)(sizeof nm->v / sizeof nm->v[0]) || strlen(vals[0]) >= NAME_MAX_) {
        nm->overflow = 1;
        return 1;
    }
    str_copy(nm->v[nm->n++], NAME_MAX_, vals[0]);
    return 0;
}

static int is_pg(const store *s)
{
    return strcmp(store_backend(s), "sqlite") != 0;
}

static int list_tables(store *s, struct names *t)
{
    memset(t, 0, sizeof *t);
    const char *sql = is_pg(s)
                          ? "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                            "current_schema() AND table_type = 'BASE TABLE' AND table_name <> "
                            "'schema_migrations' ORDER BY table_name"
                          : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                            "'sqlite!_%' ESCAPE '!' AND name <> 'schema_migrations' ORDER BY rowid";
    int rc = store__query(s, sql, NULL, 0, add_name, t);
    if (rc == STORE_OK && t->overflow)
        rc = store__fail(s, STORE_ERROR, "more than %d tables", MAX_TABLES);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The columns of table, sorted by name so that both backends list them alike. */
static int list_columns(store *s, const char *table, struct names *c)
{
    memset(c, 0, sizeof *c);
    const char *sql = is_pg(s) ? "SELECT column_name FROM information_schema.columns WHERE "
                                 "table_schema = current_schema() AND table_name = ?"
                               : "SELECT name FROM pragma_table_info(?)";
    struct store_arg a[] = {ARG_TEXT(table)};
    int rc = store__query(s, sql, a, 1, add_name, c);
    if (rc == STORE_OK && c->overflow)
        rc = store__fail(s, STORE_ERROR, "table %s has more than %d columns", table, MAX_COLUMNS);
    if (rc == STORE_OK && c->n == 0)
        rc = store__fail(s, STORE_ERROR, "table %s has no columns", table);
    if (rc == STORE_OK)
        qsort(c->v, (size_t)c->n, sizeof c->v[0], cmp_name);
    return rc;
}

/* "SELECT "a", "b" FROM "t"" (names come from the catalog and hold no quotes). */
static int select_sql(const char *table, const struct names *c, struct buf *b)
{
    int rc = buf_puts(b, "SELECT ");
    for (int i = 0; i < c->n && rc == 0; i++)
        rc = buf_printf(b, "%s\"%s\"", i ? ", " : "", c->v[i]);
    return rc ? rc : buf_printf(b, " FROM \"%s\"", table);
}

struct summer {
    uint64_t lo, hi;
    int64_t rows;
    int ncol;
};

/* A number with a fraction or an exponent, as 15 significant digits; other text as it is. */
static const char *canonical(const char *v, char *tmp, size_t tmplen)
{
    if (!strpbrk(v, ".eE"))
        return v;
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d))
        return v;
    snprintf(tmp, tmplen, "%.15g", d);
    return tmp;
}

static int sum_row(void *ud, int ncol, const char *const *vals)
{
    struct summer *sm = ud;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 16);
    for (int i = 0; i < ncol && i < sm->ncol; i++) {
        char tmp[64];
        if (!vals[i]) {
            crypto_generichash_update(&st, (const unsigned char *)"\x01", 1);
            continue;
        }
        const char *v = canonical(vals[i], tmp, sizeof tmp);
        /* Length first, so that no two rows join into the same bytes. */
        char len[24];
        int ln = snprintf(len, sizeof len, "\x02%zu:", strlen(v));
        crypto_generichash_update(&st, (const unsigned char *)len, (unsigned long long)ln);
        crypto_generichash_update(&st, (const unsigned char *)v, strlen(v));
    }
    unsigned char h[16];
    crypto_generichash_final(&st, h, sizeof h);
    uint64_t lo, hi;
    memcpy(&lo, h, 8);
    memcpy(&hi, h + 8, 8);
    sm->lo += lo;
    sm->hi += hi;
    sm->rows++;
    return 0;
}

static int table_sum(store *s, const char *table, struct store_table_sum *out)
{
    struct names c;
    int rc = list_columns(s, table, &c);
    if (rc)
        return rc;
    struct buf sql;
    buf_init(&sql, 0);
    if (select_sql(table, &c, &sql)) {
        buf_release(&sql);
        return store__fail(s, STORE_ERROR, "out of memory");
    }
    struct summer sm = {.ncol = c.n};
    rc = store__query(s, sql.data, NULL, 0, sum_row, &sm);
    buf_release(&sql);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    str_copy(out->table, sizeof out->table, table);
    out->rows = sm.rows;
    snprintf(out->sum, sizeof out->sum, "%016llx%016llx", (unsigned long long)sm.hi,
             (unsigned long long)sm.lo);
    return STORE_OK;
}

int store_table_sums(store *s, struct store_table_sum **out, size_t *n)
{
    struct names *t = malloc(sizeof *t);
    if (!t)
        return store__fail(s, STORE_ERROR, "out of memory");
    int rc = list_tables(s, t);
    struct store_table_sum *sums = rc ? NULL : calloc((size_t)t->n + 1, sizeof *sums);
    if (!rc && !sums)
        rc = store__fail(s, STORE_ERROR, "out of memory");
    for (int i = 0; rc == STORE_OK && i < t->n; i++)
        rc = table_sum(s, t->v[i], &sums[i]);
    if (rc == STORE_OK) {
        *out = sums;
        *n = (size_t)t->n;
    } else {
        free(sums);
    }
    free(t);
    return rc;
}

static int row_count(void *ud, int ncol, const char *const *vals)
{
    *(int64_t *)ud += ncol > 0 ? store__atoi(vals[0]) : 0;
    return 0;
}

int store_rows_total(store *s, int64_t *rows)
{
    struct names *t = malloc(sizeof *t);
    if (!t)
        return store__fail(s, STORE_ERROR, "out of memory");
    int64_t total = 0;
    int rc = list_tables(s, t);
    for (int i = 0; rc == STORE_OK && i < t->n; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", t->v[i]);
        rc = store__query(s, sql, NULL, 0, row_count, &total);
    }
    free(t);
    if (rc == STORE_OK)
        *rows = total;
    return rc;
}

int store_backup(store *s, const char *path)
{
    if (!s->ops->backup)
        return store__fail(s, STORE_NOBACKEND, "backup: not for %s (use pg_dump)", s->ops->name);
    return s->ops->backup(s, path);
}

int store_restore(store *s, const char *path, int force)
{
    if (!s->ops->restore)
        return store__fail(s, STORE_NOBACKEND, "restore: not for %s (use pg_restore)",
                           s->ops->name);
    int64_t rows = 0;
    int rc = store_rows_total(s, &rows);
    if (rc)
        return rc;
    if (rows && !force)
        return store__fail(s, STORE_CONFLICT,
                           "the target database holds %lld rows; restore replaces everything "
                           "(--force to do so)",
                           (long long)rows);
    return s->ops->restore(s, path);
}

static int row_text(void *ud, int ncol, const char *const *vals)
{
    str_copy(ud, 64, ncol > 0 && vals[0] ? vals[0] : "");
    return 1;
}

int store_snapshot_export(store *s, char *id, size_t idlen)
{
    if (!is_pg(s))
        return store__fail(s, STORE_NOBACKEND, "snapshots are for PostgreSQL");
    char got[64] = "";
    int rc = store_begin(s);
    if (rc)
        return rc;
    rc = s->ops->exec(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    if (rc == STORE_OK)
        rc = store__query(s, "SELECT pg_export_snapshot()", NULL, 0, row_text, got);
    if (rc) {
        store_rollback(s);
        return rc;
    }
    str_copy(id, idlen, got);
    return STORE_OK;
}

/* ---- copying ----------------------------------------------------------------------------- */

struct copier {
    store *dst;
    const char *sql;
    int ncol;
    int rc;
    int64_t rows;
};

static int copy_row(void *ud, int ncol, const char *const *vals)
{
    struct copier *cp = ud;
    struct store_arg a[MAX_COLUMNS];
    for (int i = 0; i < cp->ncol; i++)
        a[i] = i < ncol ? ARG_TEXT(vals[i]) : (struct store_arg){.type = SA_NULL};
    cp->rc = store__exec_args(cp->dst, cp->sql, a, cp->ncol, NULL);
    cp->rows++;
    return cp->rc != STORE_OK;
}

static int insert_sql(const char *table, const struct names *c, struct buf *b)
{
    int rc = buf_printf(b, "INSERT INTO \"%s\" (", table);
    for (int i = 0; i < c->n && rc == 0; i++)
        rc = buf_printf(b, "%s\"%s\"", i ? ", " : "", c->v[i]);
    rc = rc ? rc : buf_puts(b, ") VALUES (");
    for (int i = 0; i < c->n && rc == 0; i++)
        rc = buf_puts(b, i ? ", ?" : "?");
    return rc ? rc : buf_puts(b, ")");
}

/* Moves the table's id counter past the ids copied in (new rows would collide otherwise). */
static int bump_ids(store *dst, const char *table, const struct names *c)
{
    int has_id = 0;
    for (int i = 0; i < c->n; i++)
        has_id |= strcmp(c->v[i], "id") == 0;
    if (!has_id)
        return STORE_OK;
    /* SQLite's AUTOINCREMENT already counts ids inserted explicitly. */
    if (!is_pg(dst))
        return STORE_OK;
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('\"%s\"', 'id'), MAX(id)) FROM \"%s\" "
             "HAVING MAX(id) IS NOT NULL",
             table, table);
    return store__query(dst, sql, NULL, 0, NULL, NULL);
}

static int copy_table(store *src, store *dst, const char *table)
{
    struct names c;
    int rc = list_columns(src, table, &c);
    if (rc)
        return rc;
    struct buf sel, ins;
    buf_init(&sel, 0);
    buf_init(&ins, 0);
    if (select_sql(table, &c, &sel) || insert_sql(table, &c, &ins)) {
        rc = store__fail(dst, STORE_ERROR, "out of memory");
    } else {
        struct copier cp = {.dst = dst, .sql = ins.data, .ncol = c.n};
        rc = store__query(src, sel.data, NULL, 0, copy_row, &cp);
        if (rc)
            store__fail(dst, rc, "reading %s: %s", table, store_errmsg(src));
        else if (cp.rc)
            rc = store__fail(dst, cp.rc, "%s, row %lld: %s", table, (long long)cp.rows,
                             store_errmsg(dst));
        else
            rc = bump_ids(dst, table, &c);
    }
    buf_release(&sel);
    buf_release(&ins);
    return rc;
}

static int compare_sums(store *src, store *dst, struct store_table_sum **out, size_t *nout)
{
    struct store_table_sum *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    int rc = store_table_sums(src, &a, &na);
    if (rc)
        store__fail(dst, rc, "checksums of the source: %s", store_errmsg(src));
    else
        rc = store_table_sums(dst, &b, &nb);
    for (size_t i = 0; rc == STORE_OK && i < na; i++) {
        size_t j = 0;
        while (j < nb && strcmp(a[i].table, b[j].table) != 0)
            j++;
        if (j == nb)
            rc = store__fail(dst, STORE_ERROR, "table %s is missing in the target", a[i].table);
        else if (a[i].rows != b[j].rows)
            rc = store__fail(dst, STORE_ERROR, "table %s: %lld rows copied of %lld", a[i].table,
                             (long long)b[j].rows, (long long)a[i].rows);
        else if (strcmp(a[i].sum, b[j].sum) != 0)
            rc = store__fail(dst, STORE_ERROR, "table %s: checksum %s differs from the source's %s",
                             a[i].table, b[j].sum, a[i].sum);
    }
    if (rc == STORE_OK && na != nb)
        rc = store__fail(dst, STORE_ERROR, "the target has %zu tables, the source %zu", nb, na);
    free(a);
    if (rc == STORE_OK && out) {
        *out = b;
        *nout = nb;
    } else {
        free(b);
    }
    return rc;
}

int store_copy_all(store *src, store *dst, struct store_table_sum **sums, size_t *n)
{
    int vs = 0, vd = 0;
    int64_t rows = 0;
    int rc = store_schema_version(src, &vs);
    if (rc)
        return store__fail(dst, rc, "source: %s", store_errmsg(src));
    if ((rc = store_schema_version(dst, &vd)) || (rc = store_rows_total(dst, &rows)))
        return rc;
    if (vs != vd)
        return store__fail(dst, STORE_ERROR, "the source is at schema %d, the target at %d", vs,
                           vd);
    if (rows)
        return store__fail(dst, STORE_CONFLICT, "the target already holds %lld rows",
                           (long long)rows);
    struct names *t = malloc(sizeof *t);
    if (!t)
        return store__fail(dst, STORE_ERROR, "out of memory");
    rc = list_tables(src, t);
    if (rc)
        store__fail(dst, rc, "source: %s", store_errmsg(src));
    if (rc == STORE_OK)
        rc = store_begin(dst);
    if (rc == STORE_OK) {
        /* Tables in the order they were made, so that rows referenced come before rows that
         * reference them. */
        for (int i = 0; rc == STORE_OK && i < t->n; i++)
            rc = copy_table(src, dst, t->v[i]);
        if (rc == STORE_OK)
            rc = compare_sums(src, dst, sums, n);
        if (rc == STORE_OK)
            rc = store_commit(dst);
        if (rc)
            store_rollback(dst);
    }
    free(t);
    return rc;
}
