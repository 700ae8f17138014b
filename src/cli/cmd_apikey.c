/* ikiiki apikey add|list: keys for machine clients (speech recognisers, phone systems). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "core/util.h"
#include "org/org_json.h"
#include "svc/svc_org.h"

int cmd_apikey_add(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"name", 1, "a name for the client holding the key", NULL, 0},
        {"scope", 1, "comma-separated: calls, media, survey, read", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *name = cli_get(o, n, "name"), *scope = cli_get(o, n, "scope");
    char err[256];
    if (!name || !scope)
        return cli_fail(cmd, EXIT_USAGE, "options --name and --scope are required");
    if (org_check_code("--name", name, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    struct org_apikey k = {0};
    if (org_scopes_parse(scope, &k.scopes))
        return cli_fail(cmd, EXIT_USAGE,
                        "--scope: value \"%.60s\" is not a comma-separated list of calls, media, "
                        "survey, read",
                        scope);
    str_copy(k.name, sizeof k.name, name);
    char key[64];
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    struct org_principal p;
    struct svc x;
    rc = svc_apikey_add(cli_svc(s, &p, &x), &k, key, sizeof key);
    if (rc) {
        snprintf(err, sizeof err, "API key \"%s\"", k.name);
        rc = cli_store_fail(cmd, s, rc, err);
        store_free(s);
        return rc;
    }
    store_free(s);
    if (cli_flag(o, n, "json")) {
        json_t *j = org_apikey_json(&k);
        json_object_set_new(j, "key", json_string(key));
        return cli_print_json(j);
    }
    printf("API key %s added (scopes %s). It is shown once; keep it safe:\n%s\n", k.name, scope,
           key);
    return EXIT_OK;
}

int cmd_apikey_list(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    struct org_apikey *all = NULL;
    size_t cnt = 0;
    struct org_principal p;
    struct svc x;
    rc = svc_apikey_list(cli_svc(s, &p, &x), &all, &cnt);
    if (rc)
        rc = cli_store_fail(cmd, s, rc, "API keys");
    store_free(s);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < cnt; i++)
        json_array_append_new(arr, org_apikey_json(&all[i]));
    free(all);
    if (cli_flag(o, n, "json"))
        return cli_print_json(arr);
    size_t i;
    json_t *k;
    json_array_foreach(arr, i, k)
        printf("%-24s %s…\n", json_string_value(json_object_get(k, "name")),
               json_string_value(json_object_get(k, "prefix")));
    json_decref(arr);
    return EXIT_OK;
}
