/* ikiiki company add|list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/util.h"
#include "org/org_json.h"
#include "svc/svc_org.h"

/* Words a failed svc_company_pick for the command line. */
static int pick_fail(const struct cli_cmd *cmd, store *s, const struct svc *x, int rc,
                     const char *code)
{
    if (rc == IK_ENOENT && code)
        return cli_fail(cmd, EXIT_USAGE,
                        "--company: company \"%s\" does not exist (add it with ikiiki company "
                        "add)",
                        code);
    if (rc == IK_EINVAL && !code)
        return cli_fail(cmd, EXIT_USAGE, "--company: required, the database holds %zu companies",
                        x->nseen);
    const int dflt = x->failed && strcmp(x->failed, "default company") == 0;
    return cli_store_fail(cmd, s, rc, dflt ? "company \"default\"" : "company");
}

int cli_company_check(const struct cli_cmd *cmd, const char *code)
{
    char err[256];
    if (code && org_check_code("--company", code, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    return 0;
}

int cli_company_fail(const struct cli_cmd *cmd, store *s, const struct svc *x, int rc,
                     const char *code)
{
    return pick_fail(cmd, s, x, rc, code);
}

int cli_company_resolve(const struct cli_cmd *cmd, store *s, const char *code,
                        struct org_company *out)
{
    int rc = cli_company_check(cmd, code);
    if (rc)
        return rc;
    struct org_principal p;
    struct svc x;
    rc = svc_company_pick(cli_svc(s, &p, &x), code, 1, out);
    return rc ? pick_fail(cmd, s, &x, rc, code) : 0;
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
    struct org_principal p;
    struct svc x;
    rc = svc_company_add(cli_svc(s, &p, &x), &c);
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
    struct org_principal p;
    struct svc x;
    rc = svc_company_list(cli_svc(s, &p, &x), &all, &cnt);
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
