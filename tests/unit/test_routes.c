/* The route table against tests/data/http/access.tsv: every route must have a row for every
 * principal (so a new route cannot go untested by tests/integration/test_access.c), the table's
 * expected 401/403 must agree with the roles and scopes the route grants, and no route may be
 * reachable by nobody or grant more than the roles and scopes that exist. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

#define MAX_ROWS 1000

static const char *const method_names[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OTHER"};

/* The principals of access.tsv and who each one is to the router. */
static const struct {
    const char *name;
    int kind;
    enum org_role role;
    unsigned scopes;
} principals[] = {
    {"anon", PRINCIPAL_NONE, ROLE_NONE, 0},
    {"admin", PRINCIPAL_USER, ROLE_ADMIN, 0},
    {"consultant", PRINCIPAL_USER, ROLE_CONSULTANT, 0},
    {"center_manager", PRINCIPAL_USER, ROLE_CENTER_MANAGER, 0},
    {"supervisor", PRINCIPAL_USER, ROLE_SUPERVISOR, 0},
    {"operator", PRINCIPAL_USER, ROLE_OPERATOR, 0},
    {"apikey_read", PRINCIPAL_APIKEY, ROLE_NONE, SCOPE_BIT(SCOPE_READ)},
};
#define NPRINCIPALS ((int)(sizeof principals / sizeof principals[0]))

struct row {
    int line;
    char method[16];
    char path[256];
    int principal;
    int status;
};

static struct row rows[MAX_ROWS];
static int nrows;

/* Does path fit pattern, where "{}" stands for one non-empty path segment? */
static int fits(const char *pattern, const char *path)
{
    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t n = strcspn(path, "/");
            if (n == 0)
                return 0;
            path += n;
            pattern += 2;
            continue;
        }
        if (*pattern++ != *path++)
            return 0;
    }
    return *pattern == '\0' && *path == '\0';
}

/* The route the router would pick for a row (the first that fits, as in router.c), or NULL. */
static const struct route *route_of(const struct row *r)
{
    /* The query string is not part of the route, as for the server. */
    char path[512];
    snprintf(path, sizeof path, "%s", r->path);
    path[strcspn(path, "?")] = '\0';
    for (int i = 0; i < http__nroutes; i++)
        if (strcmp(method_names[http__routes[i].method], r->method) == 0 &&
            fits(http__routes[i].pattern, path))
            return &http__routes[i];
    return NULL;
}

static int load(void **state)
{
    (void)state;
    char path[512];
    static char line[8192];
    const char *data = getenv("IKIIKI_TEST_DATA");
    if (!data) {
        fprintf(stderr, "IKIIKI_TEST_DATA is not set\n");
        return -1;
    }
    snprintf(path, sizeof path, "%s/http/access.tsv", data);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    int lineno = 0, header = 0, bad = 0;
    while (fgets(line, sizeof line, f) && nrows < MAX_ROWS) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!header) {
            header = 1;
            continue;
        }
        char *cols[5] = {0};
        int nc = 0;
        for (char *p = line; p && nc < 5; nc++) {
            cols[nc] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        struct row *r = &rows[nrows];
        r->line = lineno;
        r->principal = -1;
        for (int i = 0; nc == 5 && i < NPRINCIPALS; i++)
            if (strcmp(principals[i].name, cols[2]) == 0)
                r->principal = i;
        if (nc != 5 || r->principal < 0) {
            fprintf(stderr, "access.tsv:%d: malformed row or unknown principal\n", lineno);
            bad++;
            continue;
        }
        snprintf(r->method, sizeof r->method, "%s", cols[0]);
        snprintf(r->path, sizeof r->path, "%s", cols[1]);
        r->status = (int)strtol(cols[4], NULL, 10);
        nrows++;
    }
    fclose(f);
    return bad || nrows == 0 ? -1 : 0;
}

static void test_every_route_every_principal(void **state)
{
    (void)state;
    int missing = 0;
    for (int i = 0; i < http__nroutes; i++) {
        const struct route *rt = &http__routes[i];
        for (int p = 0; p < NPRINCIPALS; p++) {
            int found = 0;
            for (int k = 0; k < nrows && !found; k++)
                found = rows[k].principal == p && route_of(&rows[k]) == rt;
            if (!found) {
                print_error("access.tsv has no row for %s %s as %s\n", method_names[rt->method],
                            rt->pattern, principals[p].name);
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
}

static void test_deny_by_default(void **state)
{
    (void)state;
    const unsigned all_roles = ROLES_ANY;
    const unsigned all_scopes = (1u << SCOPE__COUNT) - 1;
    int bad = 0;
    for (int i = 0; i < http__nroutes; i++) {
        const struct route *rt = &http__routes[i];
        const char *why = NULL;
        if (!rt->public && rt->roles == 0 && rt->scopes == 0)
            why = "grants no role, no scope and is not public";
        else if (rt->roles & ~all_roles)
            why = "names a role that does not exist (or ROLE_NONE)";
        else if (rt->scopes & ~all_scopes)
            why = "names a scope that does not exist";
        else if (rt->public && (rt->roles || rt->scopes))
            why = "is public and also names roles or scopes (public grants everyone)";
        else if (!rt->fn || !rt->pattern || rt->pattern[0] != '/' || rt->method == M_OTHER)
            why = "has no handler, no absolute pattern or no method";
        if (why) {
            print_error("route %s %s %s\n", method_names[rt->method], rt->pattern, why);
            bad++;
        }
        for (int j = 0; j < i; j++)
            if (http__routes[j].method == rt->method &&
                strcmp(http__routes[j].pattern, rt->pattern) == 0) {
                print_error("route %s %s appears twice\n", method_names[rt->method], rt->pattern);
                bad++;
            }
    }
    /* An unauthenticated caller reaches only the public routes. */
    struct org_principal nobody = {.kind = PRINCIPAL_NONE};
    for (int i = 0; i < http__nroutes; i++)
        if (http__route_allows(&http__routes[i], &nobody) != http__routes[i].public) {
            print_error("route %s %s: an anonymous caller %s\n",
                        method_names[http__routes[i].method], http__routes[i].pattern,
                        http__routes[i].public ? "is refused" : "is let in");
            bad++;
        }
    assert_int_equal(bad, 0);
}

/* Where the route table alone decides (401 for no credentials, 403 for a role or scope the route
 * does not grant), access.tsv must say the same. */
static void test_rows_agree_with_route_table(void **state)
{
    (void)state;
    int bad = 0;
    for (int k = 0; k < nrows; k++) {
        const struct row *r = &rows[k];
        const struct route *rt = route_of(r);
        if (!rt)
            continue; /* a 404 or 405 row */
        struct org_principal who = {.kind = principals[r->principal].kind,
                                    .role = principals[r->principal].role,
                                    .scopes = principals[r->principal].scopes};
        int allowed = http__route_allows(rt, &who);
        int want = allowed ? 0 : who.kind == PRINCIPAL_NONE ? 401 : 403;
        /* A public route may answer 401 itself (a wrong password); a closed one never does to a
         * caller it admits. */
        if ((want && r->status != want) || (!want && !rt->public && r->status == 401)) {
            print_error("access.tsv:%d: %s %s as %s expects %d, but the route %s them\n", r->line,
                        r->method, r->path, principals[r->principal].name, r->status,
                        allowed ? "admits" : "refuses");
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* Rows outside the route table must expect what the router answers there: 404 or 405. */
static void test_rows_without_route(void **state)
{
    (void)state;
    int bad = 0;
    for (int k = 0; k < nrows; k++) {
        const struct row *r = &rows[k];
        if (route_of(r))
            continue;
        int path_known = 0;
        for (int i = 0; i < http__nroutes; i++)
            path_known |= fits(http__routes[i].pattern, r->path);
        int want = path_known ? 405 : 404;
        if (r->status != want) {
            print_error("access.tsv:%d: %s %s has no route; expected %d, the row says %d\n",
                        r->line, r->method, r->path, want, r->status);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_every_principal),
        cmocka_unit_test(test_deny_by_default),
        cmocka_unit_test(test_rows_agree_with_route_table),
        cmocka_unit_test(test_rows_without_route),
    };
    return cmocka_run_group_tests(tests, load, NULL);
}
