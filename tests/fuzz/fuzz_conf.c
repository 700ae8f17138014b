/* libFuzzer target for the configuration file parser (core/conf.h): any bytes are parsed in
 * place; entries must be clean keys with NUL-terminated values inside the buffer, an error must
 * name a line within the text and say why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"

struct span {
    const char *lo, *hi;
    int last_line;
};

static int entry(void *ud, int line, const char *key, const char *value, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct span *s = ud;
    if (key < s->lo || key >= s->hi || value < s->lo || value > s->hi || line <= s->last_line)
        abort();
    if (!*key || strchr(key, '=') || strchr(key, ' ') || strchr(value, '\n'))
        abort();
    int b;
    (void)conf_bool(value, &b);
    s->last_line = line;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CONF_MAX_BYTES)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct span s = {text, text + size + 1, 0};
    char err[300] = "";
    int line = 0;
    if (conf_parse(text, size, entry, &s, &line, err, sizeof err)) {
        size_t lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        if (line < 1 || (size_t)line > lines || !err[0])
            abort();
    }
    free(text);
    return 0;
}
