/* jsonw: JSON text written straight into a buf, for hot paths that print many small documents
 * (one line per utterance) where building a jansson tree per document costs more than the work.
 * The text is byte for byte what jansson's json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(p))
 * prints for the same values (tests/unit/test_jsonw.c compares the two), so a tree can be
 * replaced without changing the output. The caller writes keys and punctuation as raw bytes. */
#ifndef IKIIKI_JSONW_H
#define IKIIKI_JSONW_H

#include <stddef.h>

#include "core/buf.h"

enum { JSONW_EINVAL = -22 };

/* A string of n bytes, quoted and escaped as jansson does ('"', '\\', and control characters;
 * UTF-8 is kept). s must be valid UTF-8 (jansson would refuse it otherwise). */
int jsonw_str(struct buf *b, const char *s, size_t n);
/* A C string, as jsonw_str. */
int jsonw_cstr(struct buf *b, const char *s);
int jsonw_int(struct buf *b, long long v);
/* A real with precision significant digits (1–17), as jansson: "%.*g", ".0" added when the text
 * would read as an integer, no '+' or leading zeros in the exponent. JSONW_EINVAL for NaN and
 * infinities, which JSON cannot hold (jansson refuses them too). */
int jsonw_real(struct buf *b, double v, int precision);
int jsonw_bool(struct buf *b, int v);

#endif
