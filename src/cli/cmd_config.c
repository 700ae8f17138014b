/* ikiiki config check: reads a configuration file as `serve` would, without starting anything. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/util.h"

int cmd_config_check(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"config", 1,
         "the file to check (default $IKIIKI_CONFIG, else " IKIIKI_SYSCONFDIR
         "/ikiiki/ikiiki.conf)",
         NULL, 0},
        {"json", 0, "print the settings read as JSON", NULL, 0},
    };
    int n = (int)ARRAY_LEN(o);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *path = cli_get(o, n, "config");
    if (!path)
        path = cli_conf_default_path();
    struct cli_opt so[CLI_CONF_MAX_OPTS];
    int sn = cli_serve_options(so, CLI_CONF_MAX_OPTS);
    struct cli_conf conf;
    if ((rc = cli_conf_apply(cmd, so, sn, path, &conf)))
        return rc;
    if ((rc = cli_serve_check(cmd, so, sn, &conf))) {
        cli_conf_release(&conf);
        return rc;
    }
    json_t *set = json_object();
    int count = 0;
    for (int i = 0; i < sn; i++) {
        if (!conf.line[i])
            continue;
        count++;
        json_object_set_new(set, so[i].name,
                            so[i].has_arg ? json_string(so[i].value) : json_boolean(so[i].seen));
    }
    if (cli_flag(o, n, "json")) {
        rc = cli_print_json(
            json_pack("{s:s, s:b, s:o}", "file", conf.path, "ok", 1, "settings", set));
    } else {
        printf("%s: ok, %d setting%s for serve\n", conf.path, count, count == 1 ? "" : "s");
        const char *key;
        json_t *v;
        json_object_foreach(set, key, v) printf("  %s = %s\n", key,
                                                json_is_string(v) ? json_string_value(v)
                                                : json_is_true(v) ? "yes"
                                                                  : "no");
        json_decref(set);
    }
    cli_conf_release(&conf);
    return rc;
}
