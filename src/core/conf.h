/* conf: the `key = value` files an operator writes (/etc/ikiiki/ikiiki.conf). One entry per line;
 * a line whose first non-blank character is '#' is a comment; blank lines are skipped. Spaces and
 * tabs around the key and the value are dropped. A value may be written in double quotes to keep
 * spaces at its ends; there are no escapes. A '#' after a value is part of the value (URLs hold
 * one), so comments take whole lines. Keys are lower-case ASCII letters, digits and '-'. */
#ifndef IKIIKI_CONF_H
#define IKIIKI_CONF_H

#include <stddef.h>

#define CONF_MAX_BYTES (256u * 1024u) /* a configuration file larger than this is refused */

/* Called once per entry, in file order, with the key and value NUL-terminated inside the text.
 * Return 0 to go on, or non-zero after writing one line into err to stop. */
typedef int (*conf_entry_fn)(void *ud, int line, const char *key, const char *value, char *err,
                             size_t errlen);

/* Parses text[0..len) in place (keys and values are cut out with NULs; text must have room for
 * one more byte at text[len], as struct buf gives). Returns 0, or -1 with *errline set to the
 * line at fault and err holding what is wrong with it (without the line number). */
int conf_parse(char *text, size_t len, conf_entry_fn fn, void *ud, int *errline, char *err,
               size_t errlen);

/* Reads a boolean value: yes/no, true/false, on/off, 1/0. Returns 0 and sets *out, or -1. */
int conf_bool(const char *value, int *out);

#endif
