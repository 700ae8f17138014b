/* ikiiki init: create the database or migrate it, optionally with demo data. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int init_run(const struct cli_cmd *cmd, struct cli_opt *o, int n, const char *db);
static int init_check(const struct cli_cmd *cmd, struct cli_opt *o, int n, const char *db);

int cmd_init(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL", NULL, 0},
        {"demo", 0, "add demo data when the database holds no company yet", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
        {"config", 1, "take the database from serve's configuration file (its db key)", NULL, 0},
        {"check", 0,
         "say what an upgrade would change (migrations and their statements), change nothing", NULL,
         0},
        {"schema", 1, "stop at this migration number (older schemas for upgrade tests)", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    /* The service runs init before serve: both must open the same database. */
    struct cli_opt so[CLI_CONF_MAX_OPTS];
    int sn = cli_serve_options(so, CLI_CONF_MAX_OPTS);
    struct cli_conf conf = {0};
    if (cli_get(o, n, "config") &&
        (rc = cli_conf_apply(cmd, so, sn, cli_get(o, n, "config"), &conf)))
        return rc;
    const char *db = cli_get(o, n, "db") ? cli_get(o, n, "db") : cli_get(so, sn, "db");
    if (cli_flag(o, n, "check") && (cli_flag(o, n, "demo") || cli_get(o, n, "schema")))
        rc = cli_fail(cmd, EXIT_USAGE, "--check changes nothing: it takes no --demo or --schema");
    else
        rc = cli_flag(o, n, "check") ? init_check(cmd, o, n, db) : init_run(cmd, o, n, db);
    cli_conf_release(&conf);
    return rc;
}

static int init_run(const struct cli_cmd *cmd, struct cli_opt *o, int n, const char *db)
{
    int rc;
    char err[600];
    const char *url = store_default_url(db);
    store *s = NULL;
    rc = store_open(url, &s, err, sizeof err);
    if (rc)
        return cli_fail(cmd, rc == STORE_BADURL || rc == STORE_NOBACKEND ? EXIT_USAGE : EXIT_FAIL,
                        "%s", err);
    int applied = 0, version = 0, empty = 0, seeded = 0;
    struct cli_demo_login logins[CLI_DEMO_LOGINS];
    int nlogins = 0;
    int64_t target = INT32_MAX;
    if (cli_get(o, n, "schema") &&
        (rc = cli_int(cmd, o, n, "schema", 1, store_latest_version(), &target))) {
        store_free(s);
        return rc;
    }
    rc = store_migrate_to(s, (int)target, &applied);
    if (rc == STORE_OK)
        rc = store_schema_version(s, &version);
    if (rc == STORE_OK && cli_flag(o, n, "demo"))
        rc = store_is_empty(s, &empty);
    if (rc) {
        cli_fail(cmd, EXIT_FAIL, "%s", store_errmsg(s));
        store_free(s);
        return EXIT_FAIL;
    }
    if (empty) {
        if (cli_demo_seed(s, logins, &nlogins, err, sizeof err)) {
            store_free(s);
            return cli_fail(cmd, EXIT_FAIL, "demo data: %s", err);
        }
        seeded = 1;
    }
    if (cli_flag(o, n, "json")) {
        json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:b}", "db", url, "backend", store_backend(s),
                              "schema", version, "applied", applied, "demo", seeded);
        if (seeded) {
            json_t *arr = json_array();
            for (int i = 0; i < nlogins; i++)
                json_array_append_new(arr,
                                      json_pack("{s:s,s:s,s:s}", "login", logins[i].login, "role",
                                                logins[i].role, "password", logins[i].password));
            json_object_set_new(j, "admin_password", json_string(logins[0].password));
            json_object_set_new(j, "logins", arr);
        }
        store_free(s);
        return cli_print_json(j);
    }
    printf("database %s (%s) at schema %d, %d migration%s applied\n", url, store_backend(s),
           version, applied, applied == 1 ? "" : "s");
    if (seeded) {
        printf("demo data added. sign in with these logins; the passwords are shown once.\n"
               "デモデータを作成しました。ログインIDとパスワード（この一度だけ表示）:\n");
        for (int i = 0; i < nlogins; i++)
            printf("  %-12s %-16s %s\n", logins[i].login, logins[i].password, logins[i].role);
    }
    store_free(s);
    return EXIT_OK;
}

/* The first line of each statement of a migration: "CREATE TABLE guard_blocks", … */
static json_t *statements(const char *sql)
{
    json_t *a = json_array();
    const char *p = sql;
    while (*p) {
        p += strspn(p, " \t\r\n;");
        if (strncmp(p, "--", 2) == 0) {
            p += strcspn(p, "\n");
            continue;
        }
        if (!*p)
            break;
        size_t line = strcspn(p, "\n;(");
        while (line > 0 && (p[line - 1] == ' ' || p[line - 1] == '\t'))
            line--;
        json_array_append_new(a, json_stringn(p, line));
        /* On to the statement's end, outside quoted text. */
        char q = 0;
        for (; *p && (q || *p != ';'); p++)
            if (*p == '\'')
                q = !q;
    }
    return a;
}

static int path_missing(const char *url)
{
    if (strncmp(url, "postgres", 8) == 0)
        return 0;
    const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
    return access(path, F_OK) != 0 && errno == ENOENT;
}

static int init_check(const struct cli_cmd *cmd, struct cli_opt *o, int n, const char *db)
{
    const char *url = store_default_url(db);
    struct store_pending p[128];
    int np = 0, current = 0, latest = store_latest_version();
    int missing = path_missing(url);
    store *s = NULL;
    char err[600];
    if (!missing) {
        int rc = store_open(url, &s, err, sizeof err);
        if (rc)
            return cli_fail(cmd,
                            rc == STORE_BADURL || rc == STORE_NOBACKEND ? EXIT_USAGE : EXIT_FAIL,
                            "%s", err);
        if ((rc = store_migrations_pending(s, &current, p, 128, &np))) {
            cli_fail(cmd, EXIT_FAIL, "%s", store_errmsg(s));
            store_free(s);
            return EXIT_FAIL;
        }
    } else {
        struct store_pending all[128];
        /* Nothing to open: every migration would run on the new file. */
        store *mem;
        if (store_open("sqlite::memory:", &mem, err, sizeof err) == 0) {
            store_migrations_pending(mem, &current, all, 128, &np);
            store_free(mem);
            memcpy(p, all, sizeof all);
        }
    }
    json_t *list = json_array();
    for (int i = 0; i < np; i++)
        json_array_append_new(list, json_pack("{s:i, s:s, s:o}", "version", p[i].version, "name",
                                              p[i].name, "statements", statements(p[i].sql)));
    const char *backend = s ? store_backend(s) : "sqlite";
    if (cli_flag(o, n, "json")) {
        store_free(s);
        return cli_print_json(json_pack("{s:s, s:s, s:b, s:i, s:i, s:o}", "db", url, "backend",
                                        backend, "exists", !missing, "schema", current, "latest",
                                        latest, "pending", list));
    }
    if (missing)
        printf("database %s does not exist: init would create it at schema %d\n", url, latest);
    else if (current > latest)
        printf("database %s (%s) is at schema %d, newer than this ikiiki's %d: it would refuse "
               "it\n",
               url, backend, current, latest);
    else
        printf("database %s (%s) at schema %d; this ikiiki is at %d: %d migration%s would run\n",
               url, backend, current, latest, np, np == 1 ? "" : "s");
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        printf("  %04d_%s:", (int)json_integer_value(json_object_get(m, "version")),
               json_string_value(json_object_get(m, "name")));
        size_t k;
        json_t *st;
        json_array_foreach(json_object_get(m, "statements"), k, st)
            printf("%s %s", k ? ";" : "", json_string_value(st));
        printf("\n");
    }
    json_decref(list);
    store_free(s);
    return EXIT_OK;
}
