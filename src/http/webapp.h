/* The browser app built from web/ and embedded at build time (tools/embed_web.c). Private to
 * src/http. */
#ifndef IKIIKI_HTTP_WEBAPP_H
#define IKIIKI_HTTP_WEBAPP_H

#include <stddef.h>

struct web_file {
    const char *path; /* "/index.html", "/assets/index-AbC123.js" */
    const char *type; /* Content-Type */
    const char *etag; /* quoted, from the content's SHA-256 */
    const unsigned char *data;
    size_t len;
    const unsigned char *gz; /* the gzip twin, NULL when it would not be smaller */
    size_t gzlen;
};

/* Sorted by path. */
extern const struct web_file web__files[];
extern const int web__nfiles;

#endif
