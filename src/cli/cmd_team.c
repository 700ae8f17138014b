/* ikiiki team add */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/util.h"
#include "org/org_json.h"
#include "svc/svc_org.h"

int cmd_team_add(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "center code", NULL, 0},
        {"code", 1, "team code (1–32 letters, digits, _ or -)", NULL, 0},
        {"name", 1, "team name", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *center = cli_get(o, n, "center"), *code = cli_get(o, n, "code"),
               *name = cli_get(o, n, "name");
    char err[256];
    if (!center || !code || !name)
        return cli_fail(cmd, EXIT_USAGE, "options --center, --code and --name are required");
    if (org_check_code("--center", center, err, sizeof err) ||
        org_check_code("--code", code, err, sizeof err) ||
        org_check_name("--name", name, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    struct org_team t = {0};
    str_copy(t.code, sizeof t.code, code);
    str_copy(t.name, sizeof t.name, name);
    struct org_principal p;
    struct svc x;
    rc = svc_team_add(cli_svc(s, &p, &x), center, &t);
    if (rc) {
        if (x.failed && strcmp(x.failed, "center") == 0)
            snprintf(err, sizeof err, "--center: center \"%s\"", center);
        else
            snprintf(err, sizeof err, "team \"%s\" in center \"%s\"", code, center);
        rc = cli_store_fail(cmd, s, rc, err);
        store_free(s);
        return rc;
    }
    store_free(s);
    if (cli_flag(o, n, "json"))
        return cli_print_json(org_team_json(&t));
    printf("team %s added to center %s\n", t.code, t.center);
    return EXIT_OK;
}
