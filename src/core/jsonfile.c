#include "jsonfile.h"

#include <stdio.h>

int json_file_load(const char *path, json_t **out, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
        return -1;
    }
    *out = root;
    return 0;
}
