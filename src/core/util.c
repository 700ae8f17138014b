#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

int str_copy(char *dst, size_t dstlen, const char *src)
{
    if (dstlen == 0)
        return -1;
    size_t n = strlen(src);
    if (n >= dstlen) {
        memcpy(dst, src, dstlen - 1);
        dst[dstlen - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return -1;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int utf8_is_clean(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        int n;
        unsigned min;
        if ((c & 0xe0) == 0xc0) {
            n = 1;
            min = 0x80;
            c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            min = 0x800;
            c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return 0;
        }
        if (i + (size_t)n >= len)
            return 0;
        for (int k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (p[i + k] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        i += (size_t)n + 1;
    }
    return 1;
}

size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

int64_t now_unix(void)
{
    return (int64_t)time(NULL);
}

uint64_t now_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void time_iso8601(int64_t t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

#ifndef IKIIKI_DATADIR
#define IKIIKI_DATADIR "data"
#endif

/* An installed binary reads the data files installed beside it (<prefix>/share/ikiiki); one run
 * from its build tree (make run, the tests) reads the source tree's data/, so that editing a file
 * there needs no install. The build tree is told apart by the executable's own path. */
static const char *data_dir_default;

static void data_dir_pick(void)
{
    data_dir_default = IKIIKI_DATADIR;
#if defined(IKIIKI_INSTALL_DATADIR) && defined(IKIIKI_BUILD_ROOT)
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    size_t root = strlen(IKIIKI_BUILD_ROOT);
    if (n > 0) {
        exe[n] = '\0';
        if (!(strncmp(exe, IKIIKI_BUILD_ROOT, root) == 0 && exe[root] == '/'))
            data_dir_default = IKIIKI_INSTALL_DATADIR;
    }
#endif
}

int data_path(const char *name, char *out, size_t outlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    const char *dir = getenv("IKIIKI_DATA_DIR");
    if (!dir || !*dir) {
        pthread_once(&once, data_dir_pick);
        dir = data_dir_default;
    }
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

void date_jst(int64_t t, char *out, size_t outlen)
{
    time_t jst = (time_t)(t + 9 * 3600);
    struct tm tm;
    gmtime_r(&jst, &tm);
    strftime(out, outlen, "%Y-%m-%d", &tm);
}

int file_temp_beside(const char *path, char *tmp, size_t tmplen, char *err, size_t errlen)
{
    int n = snprintf(tmp, tmplen, "%s.tmpXXXXXX", path);
    if (n < 0 || (size_t)n >= tmplen) {
        snprintf(err, errlen, "\"%s\": path too long", path);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "\"%s\": %s", path, strerror(errno));
        return -1;
    }
    /* mkstemp makes the file private; an exported report is an ordinary document. */
    (void)fchmod(fd, 0644);
    close(fd);
    return 0;
}

int file_commit(int rc, const char *tmp, const char *path, char *err, size_t errlen)
{
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(err, errlen, "\"%s\": %s", path, strerror(errno));
        rc = -1;
    }
    if (rc)
        unlink(tmp);
    return rc;
}

uint32_t fnv1a(const void *p, size_t len)
{
    const unsigned char *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

uint32_t fnv1a_str(const char *s)
{
    return fnv1a(s, strlen(s));
}

uint64_t fnv1a64_str(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int parse_host_port(const char *s, char *host, size_t hostlen, int *port, int *bracketed)
{
    const char *colon = strrchr(s, ':');
    int64_t p;
    if (!colon || parse_int64(colon + 1, 0, 65535, &p))
        return -1;
    size_t hl = (size_t)(colon - s);
    int br = hl >= 2 && s[0] == '[' && s[hl - 1] == ']';
    if (br) {
        s++;
        hl -= 2;
    }
    if (hl >= hostlen)
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    *port = (int)p;
    *bracketed = br;
    return 0;
}
