/* media/prompt: announcements played to the caller, loaded as 8 kHz mono s16 whatever the file's
 * own rate, so a center can drop in its own recording in place of the generated one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "media/audio.h"

/* An announcement longer than this is surely the wrong file. */
#define PROMPT_MAX_S 120.0

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

int media_prompt_load(const char *name, int16_t **pcm, size_t *n, char *err, size_t errlen)
{
    if (!name || !name_ok(name)) {
        snprintf(err, errlen, "prompt \"%s\" is not a name of a-z 0-9 _", name ? name : "");
        return -EINVAL;
    }
    char rel[128], path[4096];
    snprintf(rel, sizeof rel, "prompts/ja/%s.wav", name);
    if (data_path(rel, path, sizeof path) < 0) {
        snprintf(err, errlen, "prompt \"%s\": data path too long", name);
        return -ENAMETOOLONG;
    }
    return media_wav_load(path, MEDIA_WORK_RATE, PROMPT_MAX_S, pcm, n, NULL, err, errlen);
}
