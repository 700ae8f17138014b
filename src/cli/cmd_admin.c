/* ikiiki backup, restore and migrate-store: whole-database work for the people who run ikiiki.
 * SQLite is copied with its online backup API; PostgreSQL is dumped and restored by its own
 * pg_dump and pg_restore, run from here when they are installed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "core/util.h"
#include "store/store_admin.h"

static int is_sqlite(const store *s)
{
    return strcmp(store_backend(s), "sqlite") == 0;
}

/* Runs argv[0] found on $PATH and waits: its exit status, 127 when it is not installed. */
static int run_tool(char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The tables' rows and checksums of s, as a JSON document or one line per table. */
static int print_sums(const struct cli_cmd *cmd, store *s, int json, const char *what,
                      const char *where)
{
    struct store_table_sum *t = NULL;
    size_t n = 0;
    int rc = store_table_sums(s, &t, &n);
    if (rc)
        return cli_store_fail(cmd, s, rc, "checksums");
    int64_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += t[i].rows;
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:s, s:I, s:s}", "table", t[i].table, "rows",
                                                 (json_int_t)t[i].rows, "checksum", t[i].sum));
        free(t);
        return cli_print_json(json_pack("{s:s, s:s, s:I, s:o}", what, where, "backend",
                                        store_backend(s), "rows", (json_int_t)rows, "tables", arr));
    }
    printf("%s %s: %zu tables, %lld rows\n", what, where, n, (long long)rows);
    for (size_t i = 0; i < n; i++)
        printf("  %-28s %10lld  %s\n", t[i].table, (long long)t[i].rows, t[i].sum);
    free(t);
    return EXIT_OK;
}

static int open_plain(const struct cli_cmd *cmd, const char *url, store **out)
{
    char err[600];
    int rc = store_open(url, out, err, sizeof err);
    if (rc)
        return cli_fail(cmd, rc == STORE_BADURL || rc == STORE_NOBACKEND ? EXIT_USAGE : EXIT_FAIL,
                        "%s", err);
    return 0;
}

/* pg_dump reads the snapshot of a transaction held open here, so that the checksums printed
 * afterwards describe exactly what was dumped. */
static int backup_pg(const struct cli_cmd *cmd, store *s, const char *url, const char *to, int json)
{
    char snap[64], file[1100], snaparg[100];
    int rc = store_snapshot_export(s, snap, sizeof snap);
    if (rc)
        return cli_store_fail(cmd, s, rc, "snapshot");
    snprintf(file, sizeof file, "--file=%s", to);
    snprintf(snaparg, sizeof snaparg, "--snapshot=%s", snap);
    char *argv[] = {"pg_dump", "--format=custom", "--no-owner", snaparg, file, (char *)url, NULL};
    int st = run_tool(argv);
    if (st == 127) {
        store_rollback(s);
        return cli_fail(cmd, EXIT_FAIL,
                        "PostgreSQL is backed up by pg_dump, which is not installed: apt-get "
                        "install postgresql-client, then pg_dump --format=custom --file=%s <url>",
                        to);
    }
    if (st != 0) {
        store_rollback(s);
        return cli_fail(cmd, EXIT_FAIL, "pg_dump failed (exit %d); see its message above", st);
    }
    rc = print_sums(cmd, s, json, "backup", to);
    store_rollback(s);
    return rc;
}

int cmd_backup(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL", NULL, 0},
        {"to", 1, "the backup file to write (SQLite: a database file; PostgreSQL: pg_dump -Fc)",
         NULL, 0},
        {"json", 0, "print the backup's tables, rows and checksums as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *to = cli_get(o, n, "to");
    if (!to)
        return cli_fail(cmd, EXIT_USAGE, "option \"--to\" is required");
    const char *url = store_default_url(cli_get(o, n, "db"));
    store *s;
    /* Not migrated: a backup is what one takes before an upgrade. */
    if ((rc = open_plain(cmd, url, &s)))
        return rc;
    if (!is_sqlite(s)) {
        rc = backup_pg(cmd, s, url, to, cli_flag(o, n, "json"));
        store_free(s);
        return rc;
    }
    rc = store_backup(s, to);
    if (rc) {
        cli_fail(cmd, EXIT_FAIL, "%s", store_errmsg(s));
        store_free(s);
        return EXIT_FAIL;
    }
    store_free(s);
    /* Read back from the file written: what is printed is what was saved. */
    char burl[1100];
    snprintf(burl, sizeof burl, "sqlite:%s", to);
    if ((rc = open_plain(cmd, burl, &s)))
        return rc;
    rc = print_sums(cmd, s, cli_flag(o, n, "json"), "backup", to);
    store_free(s);
    return rc;
}

static int restore_pg(const struct cli_cmd *cmd, store *s, const char *url, const char *from,
                      int force)
{
    int64_t rows = 0;
    int rc = store_rows_total(s, &rows);
    if (rc)
        return cli_store_fail(cmd, s, rc, "the target database");
    if (rows && !force)
        return cli_fail(cmd, EXIT_USAGE,
                        "the target database holds %lld rows; restore replaces everything "
                        "(--force to do so)",
                        (long long)rows);
    char db[1100];
    snprintf(db, sizeof db, "--dbname=%s", url);
    char *plain[] = {"pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", db,
                     (char *)from, NULL};
    char *clean[] = {"pg_restore",
                     "--no-owner",
                     "--exit-on-error",
                     "--single-transaction",
                     "--clean",
                     "--if-exists",
                     db,
                     (char *)from,
                     NULL};
    int st = run_tool(rows ? clean : plain);
    if (st == 127)
        return cli_fail(cmd, EXIT_FAIL,
                        "PostgreSQL is restored by pg_restore, which is not installed: apt-get "
                        "install postgresql-client");
    if (st != 0)
        return cli_fail(cmd, EXIT_FAIL, "pg_restore failed (exit %d); see its message above", st);
    return EXIT_OK;
}

int cmd_restore(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL of the target", NULL, 0},
        {"from", 1, "the backup file (from ikiiki backup)", NULL, 0},
        {"force", 0, "replace a target that already holds data", NULL, 0},
        {"json", 0, "print the restored tables, rows and checksums as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *from = cli_get(o, n, "from");
    if (!from)
        return cli_fail(cmd, EXIT_USAGE, "option \"--from\" is required");
    if (access(from, R_OK) != 0)
        return cli_fail(cmd, EXIT_USAGE, "--from: cannot read \"%s\": %s", from, strerror(errno));
    const char *url = store_default_url(cli_get(o, n, "db"));
    store *s;
    if ((rc = open_plain(cmd, url, &s)))
        return rc;
    if (is_sqlite(s)) {
        rc = store_restore(s, from, cli_flag(o, n, "force"));
        if (rc) {
            cli_fail(cmd,
                     rc == STORE_CONFLICT || rc == STORE_TOONEW || rc == STORE_BADURL ? EXIT_USAGE
                                                                                      : EXIT_FAIL,
                     "%s", store_errmsg(s));
            store_free(s);
            return rc == STORE_CONFLICT || rc == STORE_TOONEW || rc == STORE_BADURL ? EXIT_USAGE
                                                                                    : EXIT_FAIL;
        }
    } else if ((rc = restore_pg(cmd, s, url, from, cli_flag(o, n, "force")))) {
        store_free(s);
        return rc;
    }
    /* A backup from an older ikiiki is brought up to this one's schema. */
    int applied = 0;
    if ((rc = store_migrate(s, &applied))) {
        cli_fail(cmd, EXIT_FAIL, "%s", store_errmsg(s));
        store_free(s);
        return EXIT_FAIL;
    }
    rc = print_sums(cmd, s, cli_flag(o, n, "json"), "restored", url);
    store_free(s);
    return rc;
}

int cmd_migrate_store(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"from", 1, "the SQLite database to copy (sqlite:PATH or a path)", NULL, 0},
        {"to", 1, "the empty target, e.g. postgresql://ikiiki@db.example/ikiiki", NULL, 0},
        {"json", 0, "print the copied tables, rows and checksums as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *from = cli_get(o, n, "from"), *to = cli_get(o, n, "to");
    if (!from || !to)
        return cli_fail(cmd, EXIT_USAGE, "options \"--from\" and \"--to\" are required");
    store *src = NULL, *dst = NULL;
    if ((rc = open_plain(cmd, from, &src)))
        return rc;
    if (!is_sqlite(src)) {
        store_free(src);
        return cli_fail(cmd, EXIT_USAGE, "--from: \"%s\" is not a SQLite database", from);
    }
    if ((rc = open_plain(cmd, to, &dst))) {
        store_free(src);
        return rc;
    }
    /* Both at this build's schema, so that every table has the same columns on each side. */
    if ((rc = store_migrate(src, NULL)) || (rc = store_migrate(dst, NULL))) {
        cli_fail(cmd, EXIT_FAIL, "%s",
                 rc && store_errmsg(src)[0] ? store_errmsg(src) : store_errmsg(dst));
        store_free(src);
        store_free(dst);
        return EXIT_FAIL;
    }
    rc = store_copy_all(src, dst, NULL, NULL);
    if (rc) {
        int st = rc == STORE_CONFLICT ? EXIT_USAGE : EXIT_FAIL;
        cli_fail(cmd, st, "--to: %s%s", store_errmsg(dst),
                 rc == STORE_CONFLICT ? " (migrate-store copies into an empty database only)" : "");
        store_free(src);
        store_free(dst);
        return st;
    }
    rc = print_sums(cmd, dst, cli_flag(o, n, "json"), "copied to", to);
    store_free(src);
    store_free(dst);
    return rc;
}
