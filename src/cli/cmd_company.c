/* ikiiki company add|list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/util.h"
#include "org/org_json.h"
#include "store/store_org.h"

int cli_company_resolve(const struct cli_cmd *cmd, store *s, const char *code,
                        struct org_company *out)
{
    if (code) {
        char err[256];
        if (org_check_code("--company", code, err, sizeof err))
            return cli_fail(cmd, EXIT_USAGE, "%s", err);
        int rc = store_company_get(s, code, out);
        if (rc == STORE_NOTFOUND)
            return cli_fail(cmd, EXIT_USAGE,
                            "--company: company \"%s\" does not exist (add it with ikiiki company "
                            "add)",
                            code);
        return rc ? cli_store_fail(cmd, s, rc, "company") : 0;
    }
    struct org_company *all = NULL;
    size_t n = 0;
    int rc = store_company_list(s, &all, &n);
    if (rc)
        return cli_store_fail(cmd, s, rc, "company");
    if (n == 1) {
        *out = all[0];
        free(all);
        return 0;
    }
    free(all);
    if (n > 1)
        return cli_fail(cmd, EXIT_USAGE, "--company: required, the database holds %zu companies",
                        n);
    memset(out, 0, sizeof *out);
    str_copy(out->code, sizeof out->code, "default");
    str_copy(out->name, sizeof out->name, "default");
    rc = store_company_add(s, out);
    return rc ? cli_store_fail(cmd, s, rc, "company \"default\"") : 0;
}

int cmd_company_add(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"code", 1, "company code (1–32 letters, digits, _ or -)", NULL, 0},
        {"name", 1, "company name", NULL, 0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char err[256];
    struct org_company c = {0};
    const char *code = cli_get(o, n, "code"), *name = cli_get(o, n, "name");
    if (!code || !name)
        return cli_fail(cmd, EXIT_USAGE, "options --code and --name are required");
    if (org_check_code("--code", code, err, sizeof err) ||
        org_check_name("--name", name, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    str_copy(c.code, sizeof c.code, code);
    str_copy(c.name, sizeof c.name, name);
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    rc = store_company_add(s, &c);
    if (rc == STORE_OK)
        rc = store_audit_add(s, "cli", "company.add", c.code, c.name, "");
    if (rc) {
        char what[80];
        snprintf(what, sizeof what, "company \"%s\"", c.code);
        rc = cli_store_fail(cmd, s, rc, what);
        store_free(s);
        return rc;
    }
    store_free(s);
    if (cli_flag(o, n, "json"))
        return cli_print_json(org_company_json(&c));
    printf("company %s added\n", c.code);
    return EXIT_OK;
}

int cmd_company_list(const struct cli_cmd *cmd, int argc, char **argv)
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
    struct org_company *all = NULL;
    size_t cnt = 0;
    rc = store_company_list(s, &all, &cnt);
    if (rc) {
        rc = cli_store_fail(cmd, s, rc, "companies");
        store_free(s);
        return rc;
    }
    store_free(s);
    if (cli_flag(o, n, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < cnt; i++)
            json_array_append_new(arr, org_company_json(&all[i]));
        free(all);
        return cli_print_json(arr);
    }
    for (size_t i = 0; i < cnt; i++)
        printf("%-16s %s\n", all[i].code, all[i].name);
    free(all);
    return EXIT_OK;
}
