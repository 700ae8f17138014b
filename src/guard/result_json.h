/* One detector result as the compact JSON line of `ikiiki guard analyze --json`, written without a
 * tree: the analyser prints one per utterance, and a jansson tree per line cost more than the
 * detection itself. */
#ifndef IKIIKI_GUARD_RESULT_JSON_H
#define IKIIKI_GUARD_RESULT_JSON_H

#include "core/buf.h"
#include "guard/detect.h"

/* Appends {"line":…,"speaker":…,"harassment":…,"categories":[…],"score":…,"spans":[…]} to b
 * (no newline), the bytes jansson printed for the same values. A span whose weight is not a
 * finite number is left out, and a result whose score is not finite appends nothing and returns
 * JSONW_EINVAL, as the tree did (jansson refuses such reals). BUF_ENOMEM when b cannot grow. */
int guard_result_line(struct buf *b, int line, enum guard_speaker who,
                      const struct guard_result *r);

#endif
