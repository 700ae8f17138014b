/* jsonfile: reading the project's JSON data files (sheets, policies, models, questionnaires). */
#ifndef IKIIKI_JSONFILE_H
#define IKIIKI_JSONFILE_H

#include <jansson.h>
#include <stddef.h>

/* Parses the file at path, refusing duplicate keys. On success *out is a new reference; on
 * failure err holds "PATH: line L, column C: what" and *out is untouched. */
int json_file_load(const char *path, json_t **out, char *err, size_t errlen);

#endif
