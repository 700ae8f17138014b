/* buf: a growable byte buffer with a hard limit, for anything outside input can grow. */
#ifndef IKIIKI_BUF_H
#define IKIIKI_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

enum { BUF_ENOMEM = IK_ENOMEM, BUF_ETOOBIG = IK_EFBIG, BUF_EIO = IK_EIO };

/* The buffer owns `data`; it is always NUL-terminated when len > 0 or after any append. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 means no limit beyond memory */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends the whole file at path (within the buffer's limit). Returns 0, BUF_ETOOBIG, BUF_ENOMEM,
 * or BUF_EIO when the file cannot be opened or read (errno says why). */
int buf_read_file(struct buf *b, const char *path);
/* Hands the bytes to the caller, who frees them with free(); the buffer is left empty. */
char *buf_detach(struct buf *b);

#endif
