/* ikiiki user add|list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/util.h"
#include "org/org_json.h"
#include "svc/svc_org.h"

/* Splits a comma-separated list of company codes into codes (at most max), each checked. */
static int parse_companies(const struct cli_cmd *cmd, const char *list, char (*codes)[ORG_CODE_MAX],
                           int max, int *n)
{
    const char *p = list;
    char err[256];
    *n = 0;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= ORG_CODE_MAX || *n == max)
            return cli_fail(cmd, EXIT_USAGE, "--company: \"%s\" is not a list of company codes",
                            list);
        memcpy(codes[*n], p, len);
        codes[*n][len] = '\0';
        if (org_check_code("--company", codes[*n], err, sizeof err))
            return cli_fail(cmd, EXIT_USAGE, "%s", err);
        (*n)++;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int read_password(const struct cli_cmd *cmd, int from_stdin, char *pw, size_t pwlen)
{
    if (!from_stdin) {
        org_password_generate(pw);
        return 0;
    }
    if (cli_read_stdin_line(pw, pwlen))
        return cli_fail(cmd, EXIT_USAGE, "--password-stdin: no password line on standard input");
    char err[160];
    if (org_check_password("password", pw, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    return 0;
}

/* Checks the options and fills u, without touching the store. */
static int user_from_options(const struct cli_cmd *cmd, const struct cli_opt *o, int n,
                             struct org_user *u)
{
    char err[256];
    const char *login = cli_get(o, n, "login"), *role = cli_get(o, n, "role");
    const char *name = cli_get(o, n, "name");
    if (!login || !role)
        return cli_fail(cmd, EXIT_USAGE, "options --login and --role are required");
    if (org_check_login("--login", login, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    if (org_role_parse(role, &u->role))
        return cli_fail(cmd, EXIT_USAGE,
                        "--role: value \"%.40s\" is not one of admin, consultant, center_manager, "
                        "supervisor, operator",
                        role);
    if (name && org_check_name("--name", name, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    const char *bname = cli_get(o, n, "business-name");
    if (bname && org_check_name("--business-name", bname, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "%s", err);
    str_copy(u->business_name, sizeof u->business_name, bname ? bname : "");
    if (org_check_user_center(u->role, cli_get(o, n, "center") != NULL, err, sizeof err))
        return cli_fail(cmd, EXIT_USAGE, "--%s", err);
    if (cli_get(o, n, "team") && !cli_get(o, n, "center"))
        return cli_fail(cmd, EXIT_USAGE, "--team: needs --center");
    if (cli_get(o, n, "company") && !org_role_has_companies(u->role))
        return cli_fail(cmd, EXIT_USAGE, "--company: only a consultant has client companies");
    str_copy(u->login, sizeof u->login, login);
    str_copy(u->display_name, sizeof u->display_name, name ? name : "");
    return 0;
}

/* Words a failed placement or add for the command line. */
static int user_fail(const struct cli_cmd *cmd, store *s, const struct svc *x, int rc,
                     const struct cli_opt *o, int n, const struct org_user *u)
{
    const char *f = x->failed ? x->failed : "";
    char what[120];
    if (strcmp(f, "center") == 0) {
        snprintf(what, sizeof what, "--center: center \"%.40s\"", cli_get(o, n, "center"));
    } else if (strcmp(f, "team") == 0) {
        snprintf(what, sizeof what, "--team: team \"%.40s\" in center \"%s\"",
                 cli_get(o, n, "team"), u->center);
    } else if (strcmp(f, "companies") == 0 && rc == IK_ENOENT) {
        return cli_fail(cmd, EXIT_USAGE,
                        "--company: company \"%s\" does not exist (add it with ikiiki company "
                        "add)",
                        x->code);
    } else if (strcmp(f, "company link") == 0 || strcmp(f, "audit") == 0) {
        snprintf(what, sizeof what, "%s", f);
    } else if (strcmp(f, "companies") == 0) {
        snprintf(what, sizeof what, "company");
    } else {
        snprintf(what, sizeof what, "user \"%s\"", u->login);
    }
    return cli_store_fail(cmd, s, rc, what);
}

int cmd_user_add(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"login", 1, "login name", NULL, 0},
        {"role", 1, "admin, consultant, center_manager, supervisor or operator", NULL, 0},
        {"center", 1, "center code (every role but admin and consultant)", NULL, 0},
        {"team", 1, "team code within the center", NULL, 0},
        {"company", 1, "a consultant's client companies, comma-separated", NULL, 0},
        {"name", 1, "display name", NULL, 0},
        {"business-name", 1, "the name an operator works under (shown on cases)", NULL, 0},
        {"password-stdin", 0, "read the password from standard input (else one is generated)", NULL,
         0},
        {"db", 1, "database URL", NULL, 0},
        {"json", 0, "print the result as JSON", NULL, 0},
    };
    int n = (int)(sizeof o / sizeof o[0]);
    int rc = cli_parse(cmd, argc, argv, o, n, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct org_user u = {0};
    char pw[ORG_PASSWORD_MAX + 2];
    if ((rc = user_from_options(cmd, o, n, &u)))
        return rc;
    int generated = !cli_flag(o, n, "password-stdin");
    if ((rc = read_password(cmd, !generated, pw, sizeof pw)))
        return rc;
    if (org_password_hash(pw, u.password_hash))
        return cli_fail(cmd, EXIT_FAIL, "cannot hash the password (out of memory?)");
    char companies[ORG_MAX_COMPANIES][ORG_CODE_MAX];
    const char *codes[ORG_MAX_COMPANIES];
    int ncompanies = 0;
    const char *list = cli_get(o, n, "company");
    if (list && (rc = parse_companies(cmd, list, companies, ORG_MAX_COMPANIES, &ncompanies)))
        return rc;
    for (int i = 0; i < ncompanies; i++)
        codes[i] = companies[i];
    store *s;
    if ((rc = cli_open_store(cmd, o, n, &s)))
        return rc;
    struct org_principal p;
    struct svc x;
    struct org_center c;
    cli_svc(s, &p, &x);
    rc = svc_user_place(&x, cli_get(o, n, "center"), cli_get(o, n, "team"), &u, &c);
    if (rc == 0)
        rc = svc_user_add(&x, &u, &c, list ? codes : NULL, ncompanies);
    if (rc)
        rc = user_fail(cmd, s, &x, rc, o, n, &u);
    store_free(s);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json")) {
        json_t *j = org_user_json(&u);
        if (generated)
            json_object_set_new(j, "password", json_string(pw));
        return cli_print_json(j);
    }
    printf("user %s added as %s\n", u.login, org_role_name(u.role));
    if (generated)
        printf("password (shown once): %s\n", pw);
    return EXIT_OK;
}

int cmd_user_list(const struct cli_cmd *cmd, int argc, char **argv)
{
    struct cli_opt o[] = {
        {"center", 1, "only users of this center", NULL, 0},
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
    struct org_user *all = NULL;
    size_t cnt = 0;
    struct org_principal p;
    struct svc x;
    rc = svc_user_list(cli_svc(s, &p, &x), cli_get(o, n, "center"), &all, &cnt);
    if (rc)
        rc = cli_store_fail(cmd, s, rc,
                            x.failed && !strcmp(x.failed, "center") ? "--center: center" : "users");
    store_free(s);
    if (rc)
        return rc;
    if (cli_flag(o, n, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < cnt; i++)
            json_array_append_new(arr, org_user_json(&all[i]));
        free(all);
        return cli_print_json(arr);
    }
    for (size_t i = 0; i < cnt; i++)
        printf("%-20s %-15s %-10s %s\n", all[i].login, org_role_name(all[i].role),
               all[i].center_id ? all[i].center : "-", all[i].display_name);
    free(all);
    return EXIT_OK;
}
