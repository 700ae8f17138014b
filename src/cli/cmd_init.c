/* ikiiki init: create the database or migrate it, optionally with demo data. */
#include <stdio.h>

#include "cli.h"

static int init_run(const struct cli_cmd *cmd, struct cli_opt *o, int n, const char *db);

int cmd_init(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL", NULL, 0},
        {"demo", 0, "add demo data when the database holds no company yet", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
        {"config", 1, "take the database from serve's configuration file (its db key)", NULL, 0},
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
    rc = init_run(cmd, o, n, db);
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
    char password[17] = "";
    rc = store_migrate(s, &applied);
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
        if (cli_demo_seed(s, password, err, sizeof err)) {
            store_free(s);
            return cli_fail(cmd, EXIT_FAIL, "demo data: %s", err);
        }
        seeded = 1;
    }
    if (cli_flag(o, n, "json")) {
        json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:b}", "db", url, "backend", store_backend(s),
                              "schema", version, "applied", applied, "demo", seeded);
        if (seeded)
            json_object_set_new(j, "admin_password", json_string(password));
        store_free(s);
        return cli_print_json(j);
    }
    printf("database %s (%s) at schema %d, %d migration%s applied\n", url, store_backend(s),
           version, applied, applied == 1 ? "" : "s");
    if (seeded) {
        printf("demo data added. sign in as admin with the password below; it is shown once.\n"
               "デモデータを作成しました。admin のパスワード（この一度だけ表示）:\n"
               "  login: admin\n  password: %s\n",
               password);
    }
    store_free(s);
    return EXIT_OK;
}
