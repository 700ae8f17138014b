/* ikiiki apikey add|list|revoke: keys for machine clients (speech recognisers, phone systems). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/util.h"
#include "org/org_json.h"
#include "svc/svc_org.h"

/* --expires: a number of days from now, or a date YYYY-MM-DD through which the key is valid
 * (Japan time: it expires at the next midnight JST). */
static int parse_expires(const char *v, int64_t now, int64_t *out)
{
    int64_t days;
    if (parse_int64(v, 1, 3650, &days) == 0) {
        *out = now + days * 86400;
        return 0;
    }
    struct tm tm = {0};
    const char *end = strptime(v, "%Y-%m-%d", &tm);
    if (!end || *end || strlen(v) != 10)
        return -1;
    int64_t t = (int64_t)timegm(&tm) + 86400 - 9 * 3600;
    if (t <= now)
        return -1;
    *out = t;
    return 0;
}

int cmd_apikey_add(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"name", 1, "a name for the client holding the key", NULL, 0},
        {"scope", 1, "comma-separated: calls, media, survey, read, metrics", NULL, 0},
        {"expires", 1, "days from now (1-3650) or a last valid day YYYY-MM-DD (default: never)",
         NULL, 0},
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
    const char *exp = cli_get(o, n, "expires");
    if (exp && parse_expires(exp, now_unix(), &k.expires_at))
        return cli_fail(cmd, EXIT_USAGE,
                        "--expires: value \"%.40s\" is not 1-3650 days or a future date "
                        "YYYY-MM-DD",
                        exp);
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

int cmd_apikey_revoke(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, o, n, pos, 1, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos != 1)
        return cli_fail(cmd, EXIT_USAGE, "name the key to revoke: ikiiki apikey revoke NAME|ID");
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    struct org_apikey k;
    char what[120];
    snprintf(what, sizeof what, "API key \"%.60s\"", pos[0]);
    struct org_principal p;
    struct svc x;
    if ((rc = svc_apikey_revoke(cli_svc(s, &p, &x), pos[0], &k))) {
        rc = cli_store_fail(cmd, s, rc, what);
        store_free(s);
        return rc;
    }
    store_free(s);
    if (cli_flag(o, n, "json"))
        return cli_print_json(org_apikey_json(&k));
    printf("API key %s revoked\n", k.name);
    return EXIT_OK;
}
