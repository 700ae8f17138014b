#include "core/jsonw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The escapes jansson writes for control characters: short forms where JSON has one, else
 * \u00XX with upper-case hex digits. */
static int put_escape(struct buf *b, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[6] = {'\\', 0};
    switch (c) {
    case '"':
        e[1] = '"';
        return buf_append(b, e, 2);
    case '\\':
        e[1] = '\\';
        return buf_append(b, e, 2);
    case '\b':
        e[1] = 'b';
        return buf_append(b, e, 2);
    case '\f':
        e[1] = 'f';
        return buf_append(b, e, 2);
    case '\n':
        e[1] = 'n';
        return buf_append(b, e, 2);
    case '\r':
        e[1] = 'r';
        return buf_append(b, e, 2);
    case '\t':
        e[1] = 't';
        return buf_append(b, e, 2);
    default:
        memcpy(e + 1, "u00", 3);
        char tail[2] = {hex[c >> 4], hex[c & 15]};
        int rc = buf_append(b, e, 4);
        return rc ? rc : buf_append(b, tail, 2);
    }
}

int jsonw_str(struct buf *b, const char *s, size_t n)
{
    int rc = buf_append(b, "\"", 1);
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = buf_append(b, s + run, i - run);
        if (!rc)
            rc = put_escape(b, c);
        run = i + 1;
    }
    if (!rc)
        rc = buf_append(b, s + run, n - run);
    return rc ? rc : buf_append(b, "\"", 1);
}

int jsonw_cstr(struct buf *b, const char *s)
{
    return jsonw_str(b, s, strlen(s));
}

int jsonw_int(struct buf *b, long long v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    /* Negative values count down in unsigned arithmetic, so LLONG_MIN needs no special case. */
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    return buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

int jsonw_real(struct buf *b, double v, int precision)
{
    if (!isfinite(v) || precision < 1 || precision > 17)
        return JSONW_EINVAL;
    char t[40];
    int n = snprintf(t, sizeof t - 2, "%.*g", precision, v);
    if (n < 0 || (size_t)n >= sizeof t - 2)
        return JSONW_EINVAL;
    char *e = memchr(t, 'e', (size_t)n);
    if (!e && !memchr(t, '.', (size_t)n)) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    if (e) {
        /* "1e+21" -> "1e21", "1e-07" -> "1e-7" */
        char *from = e + 1, *to = e + 1;
        if (*from == '-')
            to = ++from;
        else if (*from == '+')
            from++;
        while (*from == '0' && from[1])
            from++;
        size_t rest = (size_t)(t + n - from);
        memmove(to, from, rest);
        n = (int)(to - t + (ptrdiff_t)rest);
    }
    return buf_append(b, t, (size_t)n);
}

int jsonw_bool(struct buf *b, int v)
{
    return v ? buf_append(b, "true", 4) : buf_append(b, "false", 5);
}
