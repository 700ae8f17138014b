#include "conf.h"

#include <stdio.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static char *trim(char *s, char *end)
{
    while (s < end && is_blank(*s))
        s++;
    while (end > s && is_blank(end[-1]))
        end--;
    *end = '\0';
    return s;
}

static int key_ok(const char *k)
{
    if (!*k)
        return 0;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
    return 1;
}

/* Strips one pair of double quotes around v; -1 when a quote is left open or text follows it. */
static int unquote(char **v)
{
    char *s = *v;
    if (*s != '"')
        return strchr(s, '"') ? -1 : 0;
    char *close = strchr(s + 1, '"');
    if (!close || close[1] != '\0')
        return -1;
    *close = '\0';
    *v = s + 1;
    return 0;
}

/* One line, already cut out and NUL-terminated. */
static int parse_line(char *s, char *end, int line, conf_entry_fn fn, void *ud, char *err,
                      size_t errlen)
{
    char *p = s;
    while (p < end && is_blank(*p))
        p++;
    if (p == end || *p == '#')
        return 0;
    char *eq = memchr(p, '=', (size_t)(end - p));
    if (!eq) {
        snprintf(err, errlen, "\"%.60s\" is not key = value", p);
        return -1;
    }
    char *key = trim(p, eq);
    char *value = trim(eq + 1, end);
    if (!key_ok(key)) {
        snprintf(err, errlen, "key \"%.60s\" is not lower-case letters, digits and '-'", key);
        return -1;
    }
    if (unquote(&value)) {
        snprintf(err, errlen, "%s: the value's double quotes do not pair up", key);
        return -1;
    }
    return fn(ud, line, key, value, err, errlen) ? -1 : 0;
}

int conf_parse(char *text, size_t len, conf_entry_fn fn, void *ud, int *errline, char *err,
               size_t errlen)
{
    int line = 0;
    char *p = text, *stop = text + len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a byte-order mark from a Windows editor */
    while (p < stop || line == 0) {
        line++;
        char *nl = memchr(p, '\n', (size_t)(stop - p));
        char *end = nl ? nl : stop;
        if (memchr(p, '\0', (size_t)(end - p))) {
            *errline = line;
            snprintf(err, errlen, "the line holds a NUL byte");
            return -1;
        }
        *end = '\0';
        if (parse_line(p, end, line, fn, ud, err, errlen)) {
            *errline = line;
            return -1;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

int conf_bool(const char *v, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}
