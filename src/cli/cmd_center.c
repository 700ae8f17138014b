/* ikiiki center add|list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/util.h"
#include "org/org_json.h"
#include "svc/svc_org.h"

int cmd_center_add(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"code", 1, "center code (1–32 letters, digits, _ or -)", NULL, 0},
        {"name", 1, "center name", NULL, 0},
        {"operators", 1, "enrolled operator headcount", NULL, 0},
        {"staff", 1, "enrolled non-operator headcount (default 0)", NULL, 0},
        {"company", 1, "company code (default: the only company)", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char err[256];
    const char *code = cli_get(o, n, "code"), *name = cli_get(o, n, "name");
    if (!code || !name)
        return cli_fail(cmd, EXIT_USAGE, "options --code, --name and --operators are required");
    if (org_check_code("--code", code, err, sizeof err) ||
        org_check_name("--name", name, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    struct org_center c = {0};
    if ((rc = cli_int(cmd, o, n, "operators", 0, 1000000, &c.headcount[POS_OP])))
        return rc;
    if (cli_get(o, n, "staff") &&
        (rc = cli_int(cmd, o, n, "staff", 0, 1000000, &c.headcount[POS_OTHER])))
        return rc;
    str_copy(c.code, sizeof c.code, code);
    str_copy(c.name, sizeof c.name, name);
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    const char *company = cli_get(o, n, "company");
    if ((rc = cli_company_check(cmd, company))) {
        store_free(s);
        return rc;
    }
    struct org_principal p;
    struct svc x;
    rc = svc_center_add(cli_svc(s, &p, &x), company, 1, &c);
    if (rc) {
        /* Picking the company failed ("company", "companies", "default company"), or the center. */
        if (x.failed && strstr(x.failed, "compan")) {
            rc = cli_company_fail(cmd, s, &x, rc, company);
        } else {
            snprintf(err, sizeof err, "center \"%s\"", c.code);
            rc = cli_store_fail(cmd, s, rc, err);
        }
        store_free(s);
        return rc;
    }
    store_free(s);
    if (cli_flag(o, n, "json"))
        return cli_print_json(org_center_json(&c));
    printf("center %s added to company %s (operators %lld, staff %lld)\n", c.code, c.company,
           (long long)org_center_operators(&c), (long long)org_center_staff(&c));
    return EXIT_OK;
}

int cmd_center_list(const struct cli_cmd *cmd, int argc, char **argv)
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
    struct org_center *all = NULL;
    size_t cnt = 0;
    struct org_principal p;
    struct svc x;
    rc = svc_center_list(cli_svc(s, &p, &x), &all, &cnt);
    if (rc) {
        rc = cli_store_fail(cmd, s, rc, "centers");
        store_free(s);
        return rc;
    }
    store_free(s);
    if (cli_flag(o, n, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < cnt; i++)
            json_array_append_new(arr, org_center_json(&all[i]));
        free(all);
        return cli_print_json(arr);
    }
    printf("%-12s %-12s %9s %6s  %s\n", "CODE", "COMPANY", "OPERATORS", "STAFF", "NAME");
    for (size_t i = 0; i < cnt; i++)
        printf("%-12s %-12s %9lld %6lld  %s\n", all[i].code, all[i].company,
               (long long)org_center_operators(&all[i]), (long long)org_center_staff(&all[i]),
               all[i].name);
    free(all);
    return EXIT_OK;
}
