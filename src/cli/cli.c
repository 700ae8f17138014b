/* Helpers shared by every command: option parsing, errors, store opening, JSON output. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/conf.h"
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

/* ---- configuration files ---------------------------------------------------------------- */

#ifndef IKIIKI_SYSCONFDIR
#define IKIIKI_SYSCONFDIR "/etc"
#endif

const char *cli_conf_default_path(void)
{
    const char *env = getenv("IKIIKI_CONFIG");
    return env && *env ? env : IKIIKI_SYSCONFDIR "/ikiiki/ikiiki.conf";
}

int cli_opt_index(const struct cli_opt *opts, int nopts, const char *name)
{
    for (int i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return i;
    return -1;
}

struct conf_ctx {
    struct cli_opt *opts;
    int nopts;
    const char *cmdline_seen; /* per option: 1 when the command line gave it */
    struct cli_conf *conf;
};

static int conf_entry(void *ud, int line, const char *key, const char *value, char *err,
                      size_t errlen)
{
    struct conf_ctx *c = ud;
    int i = cli_opt_index(c->opts, c->nopts, key);
    if (i < 0 || strcmp(key, "config") == 0 || i >= CLI_CONF_MAX_OPTS) {
        snprintf(err, errlen, "unknown key \"%.60s\"", key);
        return -1;
    }
    if (c->conf->line[i]) {
        snprintf(err, errlen, "key \"%s\" given twice (first on line %d)", key, c->conf->line[i]);
        return -1;
    }
    c->conf->line[i] = line;
    int on = 1;
    if (!c->opts[i].has_arg && conf_bool(value, &on)) {
        snprintf(err, errlen, "%s: value \"%.60s\" is not yes or no", key, value);
        return -1;
    }
    if (c->opts[i].has_arg && !*value) {
        snprintf(err, errlen, "%s: the value is empty", key);
        return -1;
    }
    if (c->cmdline_seen[i]) {
        c->conf->line[i] = -line; /* overridden: remembered for "given twice", not a source */
        return 0;
    }
    c->opts[i].seen = on;
    c->opts[i].value = on ? (c->opts[i].has_arg ? value : "") : NULL;
    return 0;
}

int cli_conf_apply(const struct cli_cmd *cmd, struct cli_opt *opts, int nopts, const char *path,
                   struct cli_conf *conf)
{
    int optional = path == NULL;
    memset(conf, 0, sizeof *conf);
    str_copy(conf->path, sizeof conf->path, path ? path : cli_conf_default_path());
    struct buf b;
    buf_init(&b, CONF_MAX_BYTES);
    int rc = buf_read_file(&b, conf->path);
    if (rc) {
        int missing = rc == BUF_EIO && errno == ENOENT;
        const char *why = rc == BUF_ETOOBIG  ? "larger than 256 KiB"
                          : rc == BUF_ENOMEM ? "out of memory"
                                             : strerror(errno);
        buf_release(&b);
        if (missing && optional)
            return 0;
        return cli_fail(cmd, missing ? EXIT_USAGE : EXIT_FAIL, "--config: cannot read \"%s\": %s",
                        conf->path, why);
    }
    if (buf_append(&b, "", 0)) { /* an empty file still gets a terminated buffer */
        buf_release(&b);
        return cli_fail(cmd, EXIT_FAIL, "out of memory");
    }
    char seen[CLI_CONF_MAX_OPTS] = {0};
    for (int i = 0; i < nopts && i < CLI_CONF_MAX_OPTS; i++)
        seen[i] = (char)opts[i].seen;
    struct conf_ctx ctx = {opts, nopts, seen, conf};
    char err[300];
    int line = 0;
    size_t len = b.len;
    conf->text = buf_detach(&b);
    if (conf->text && conf_parse(conf->text, len, conf_entry, &ctx, &line, err, sizeof err)) {
        rc = cli_fail(cmd, EXIT_USAGE, "%s: line %d: %s", conf->path, line, err);
        cli_conf_release(conf);
        return rc;
    }
    for (int i = 0; i < CLI_CONF_MAX_OPTS; i++)
        if (conf->line[i] < 0)
            conf->line[i] = 0;
    return 0;
}

void cli_conf_release(struct cli_conf *conf)
{
    if (!conf)
        return;
    free(conf->text);
    conf->text = NULL;
}

int cli_opt_fail(const struct cli_cmd *cmd, const struct cli_conf *conf, const struct cli_opt *opts,
                 int i, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (conf && i >= 0 && i < CLI_CONF_MAX_OPTS && conf->line[i] > 0)
        return cli_fail(cmd, EXIT_USAGE, "%s: line %d: %s: %s", conf->path, conf->line[i],
                        opts[i].name, msg);
    return cli_fail(cmd, EXIT_USAGE, "--%s: %s", opts[i].name, msg);
}
