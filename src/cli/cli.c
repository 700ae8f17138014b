/* Helpers shared by every command: option parsing, errors, store opening, JSON output. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "svc/svc.h"

static void print_help(const struct cli_cmd *cmd, const struct cli_opt *opts, int nopts)
{
    printf("usage: ikiiki %s%s%s [options]\n\n%s\n\noptions:\n", cmd->group, cmd->verb ? " " : "",
           cmd->verb ? cmd->verb : "", cmd->summary);
    for (int i = 0; i < nopts; i++)
        printf("  --%s%s\n      %s\n", opts[i].name, opts[i].has_arg ? " VALUE" : "", opts[i].help);
    printf("  --help\n      show this help\n");
}

int cli_fail(const struct cli_cmd *cmd, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "ikiiki %s%s%s: %s\n", cmd->group, cmd->verb ? " " : "",
                cmd->verb ? cmd->verb : "", msg);
    else
        fprintf(stderr, "ikiiki: %s\n", msg);
    return status;
}

static struct cli_opt *find_opt(struct cli_opt *opts, int nopts, const char *name, size_t len)
{
    for (int i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_opt *opts, int nopts,
              const char **pos, int maxpos, int *npos)
{
    int np = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(cmd, opts, nopts);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (np >= maxpos)
                return cli_fail(cmd, EXIT_USAGE, "unexpected argument \"%s\"", a);
            pos[np++] = a;
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        struct cli_opt *o = find_opt(opts, nopts, name, len);
        if (!o)
            return cli_fail(cmd, EXIT_USAGE, "unknown option \"--%.*s\" (see --help)", (int)len,
                            name);
        if (o->seen)
            return cli_fail(cmd, EXIT_USAGE, "option \"--%s\" given twice", o->name);
        o->seen = 1;
        if (!o->has_arg) {
            if (eq)
                return cli_fail(cmd, EXIT_USAGE, "option \"--%s\" takes no value", o->name);
            o->value = "";
        } else if (eq) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            return cli_fail(cmd, EXIT_USAGE, "option \"--%s\" needs a value", o->name);
        }
    }
    if (npos)
        *npos = np;
    return 0;
}

const char *cli_get(const struct cli_opt *opts, int nopts, const char *name)
{
    for (int i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return opts[i].seen ? opts[i].value : NULL;
    return NULL;
}

int cli_flag(const struct cli_opt *opts, int nopts, const char *name)
{
    return cli_get(opts, nopts, name) != NULL;
}

int cli_int(const struct cli_cmd *cmd, const struct cli_opt *opts, int nopts, const char *name,
            int64_t min, int64_t max, int64_t *out)
{
    const char *v = cli_get(opts, nopts, name);
    if (!v)
        return cli_fail(cmd, EXIT_USAGE, "option \"--%s\" is required", name);
    if (parse_int64(v, min, max, out))
        return cli_fail(cmd, EXIT_USAGE,
                        "--%s: value \"%.40s\" is not a whole number from %lld to %lld", name, v,
                        (long long)min, (long long)max);
    return 0;
}

int cli_open_store(const struct cli_cmd *cmd, const struct cli_opt *opts, int nopts, store **out)
{
    char err[600];
    const char *url = store_default_url(cli_get(opts, nopts, "db"));
    int rc = store_open(url, out, err, sizeof err);
    if (rc)
        return cli_fail(cmd, rc == STORE_BADURL || rc == STORE_NOBACKEND ? EXIT_USAGE : EXIT_FAIL,
                        "%s", err);
    rc = store_migrate(*out, NULL);
    if (rc) {
        cli_fail(cmd, EXIT_FAIL, "%s", store_errmsg(*out));
        store_free(*out);
        *out = NULL;
        return EXIT_FAIL;
    }
    return 0;
}

struct svc *cli_svc(store *s, struct org_principal *p, struct svc *x)
{
    svc_local_admin(p);
    svc_init(x, s, p, NULL);
    return x;
}

int cli_store_fail(const struct cli_cmd *cmd, store *s, int rc, const char *what)
{
    if (rc == STORE_CONFLICT)
        return cli_fail(cmd, EXIT_USAGE, "%s already exists or is still in use", what);
    if (rc == STORE_NOTFOUND)
        return cli_fail(cmd, EXIT_USAGE, "%s does not exist", what);
    return cli_fail(cmd, EXIT_FAIL, "%s: %s", what, store_errmsg(s));
}

/* jansson hands over a few bytes at a time; a whole wave's scores are tens of megabytes, and
 * one fwrite per token cost more than the scoring. Gathered here and written in large pieces. */
struct json_out {
    char buf[1 << 16];
    size_t len;
    int failed;
};

static void json_out_flush(struct json_out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, stdout) != o->len)
        o->failed = 1;
    o->len = 0;
}

static int json_out_write(const char *p, size_t n, void *ud)
{
    struct json_out *o = ud;
    if (n > sizeof o->buf - o->len)
        json_out_flush(o);
    if (n > sizeof o->buf) {
        o->failed |= fwrite(p, 1, n, stdout) != n;
        return o->failed ? -1 : 0;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return o->failed ? -1 : 0;
}

int cli_print_json(json_t *v)
{
    if (!v)
        return EXIT_FAIL;
    struct json_out *o = malloc(sizeof *o);
    int rc = -1;
    if (o) {
        o->len = 0;
        o->failed = 0;
        rc = json_dump_callback(v, json_out_write, o,
                                JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
        json_out_write("\n", 1, o);
        json_out_flush(o);
        rc |= o->failed;
        free(o);
    }
    json_decref(v);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int cli_read_stdin_line(char *out, size_t outlen)
{
    if (!fgets(out, (int)outlen, stdin))
        return -1;
    size_t n = strcspn(out, "\r\n");
    if (out[n] == '\0' && n == outlen - 1)
        return -1; /* longer than the buffer */
    out[n] = '\0';
    return 0;
}
