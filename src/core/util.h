/* util: small string and number helpers shared by every module. */
#ifndef IKIIKI_UTIL_H
#define IKIIKI_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Copies at most dstlen-1 bytes and always terminates; returns -1 when src did not fit. */
int str_copy(char *dst, size_t dstlen, const char *src);
/* Parses a whole decimal integer in [min, max]; returns 0 or -1. Writes *out only on success. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* 1 when s is valid UTF-8 without NUL or C0 control characters other than tab. */
int utf8_is_clean(const char *s, size_t len);
/* Number of UTF-8 code points in s (s must be valid UTF-8). */
size_t utf8_count(const char *s);
/* Seconds since the epoch, UTC. */
int64_t now_unix(void);
/* Monotonic clock in nanoseconds. */
uint64_t now_mono_ns(void);
/* Formats t as "2026-11-23T18:10:33Z" into out (at least 21 bytes). */
void time_iso8601(int64_t t, char *out, size_t outlen);

/* The day of t in Japan (UTC+9, no daylight saving) as "2026-11-23" (out: at least 11 bytes):
 * survey answers keep the day only. */
void date_jst(int64_t t, char *out, size_t outlen);

/* Files that appear whole or not at all. file_temp_beside makes an empty temporary file next to
 * path (mode 0644) and writes its name into tmp; file_commit renames it over path when rc is 0,
 * else removes it. Both return 0 or -1 with err naming path; file_commit returns rc unchanged
 * when rc is not 0. */
int file_temp_beside(const char *path, char *tmp, size_t tmplen, char *err, size_t errlen);
int file_commit(int rc, const char *tmp, const char *path, char *err, size_t errlen);

/* FNV-1a over len bytes: the hash of the tree's small tables (call ids, interned keys,
 * statement caches, survey groups). fnv1a64 is the 64-bit variant for larger tables. */
uint32_t fnv1a(const void *p, size_t len);
uint32_t fnv1a_str(const char *s);
uint64_t fnv1a64_str(const char *s);

/* Splits "HOST:PORT" at the last colon: host into host (brackets of "[::1]" removed; may be
 * empty), the port (0–65535) into *port, *bracketed 1 when the host was in brackets (IPv6).
 * Returns 0, or -1 when there is no colon, the port is not a number or host does not fit. */
int parse_host_port(const char *s, char *host, size_t hostlen, int *port, int *bracketed);

/* The folder holding data/ files (questionnaire, sheets, models): $IKIIKI_DATA_DIR, else the
 * data files installed with the binary (<prefix>/share/ikiiki), or the source tree's data/ when
 * the binary runs from its build tree. Writes "<dir>/<name>" into out; returns -1 when it did not fit. */
int data_path(const char *name, char *out, size_t outlen);

#endif
