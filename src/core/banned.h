/* banned: functions the tree must not call, made to fail the build (git's banned.h). meson
 * force-includes this file (-include) into every C file of src, tests, bench and tools.
 * strcpy, sprintf and strcat write without a bound; strtok keeps hidden state across calls;
 * atoi cannot report a bad number. Use str_copy, snprintf or buf_printf, strtok_r or strsep,
 * and parse_int64. The system headers that declare them come first, so their own
 * declarations are not rewritten by the macros below. */
#ifndef IKIIKI_BANNED_H
#define IKIIKI_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An identifier nothing defines: the compiler names the banned call in its error. */
#define IK_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) IK_BANNED(strcpy)
#undef strcat
#define strcat(x, y) IK_BANNED(strcat)
#undef sprintf
#define sprintf(...) IK_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) IK_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) IK_BANNED(strtok)
#undef atoi
#define atoi(x) IK_BANNED(atoi)

#endif
