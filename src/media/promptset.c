/* Prompts and the voicebot menu; see prompt.h. */
#include "promptset.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/jsonfile.h"
#include "core/util.h"
#include "media/audio.h"

struct prompt_set {
    int n;
    struct prompt p[PROMPT_MAX_FILES];
};

void prompt_set_free(struct prompt_set *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->p[i].pcm);
    free(s);
}

const struct prompt *prompt_find(const struct prompt_set *s, const char *name)
{
    for (int i = 0; s && i < s->n; i++)
        if (strcmp(s->p[i].name, name) == 0)
            return &s->p[i];
    return NULL;
}

int prompt_count(const struct prompt_set *s)
{
    return s ? s->n : 0;
}

static int load_one(const char *dir, const char *file, struct prompt *p, char *err, size_t errlen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int in_rate = 0;
    /* The audio side reads any rate and channel count and resamples to the line's 8 kHz. */
    if (media_wav_load(path, MEDIA_RATE, PROMPT_MAX_SECONDS, &p->pcm, &p->n, &in_rate, err, errlen))
        return IK_EINVAL;
    size_t nl = strlen(file) - 4;
    memcpy(p->name, file, nl);
    p->name[nl] = '\0';
    return 0;
}

int prompt_set_load(const char *dir, struct prompt_set **out, char *err, size_t errlen)
{
    struct prompt_set *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "prompt: out of memory");
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        *out = s; /* no prompts: the loop logs each one that is asked for */
        return 0;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || l - 4 >= sizeof s->p[0].name || strcmp(de->d_name + l - 4, ".wav") != 0)
            continue;
        if (s->n == PROMPT_MAX_FILES) {
            snprintf(err, errlen, "prompt: %s: more than %d prompts", dir, PROMPT_MAX_FILES);
            rc = -2;
            break;
        }
        rc = load_one(dir, de->d_name, &s->p[s->n], err, errlen);
        if (rc == 0)
            s->n++;
    }
    closedir(d);
    if (rc) {
        prompt_set_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static int menu_fail(char *err, size_t errlen, const char *path, int i, const char *what)
{
    if (i >= 0)
        snprintf(err, errlen, "voicebot: %s: purposes[%d]: %s", path, i, what);
    else
        snprintf(err, errlen, "voicebot: %s: %s", path, what);
    return IK_EINVAL;
}

static int menu_entry(json_t *e, struct vb_menu *m, const char *path, int i, char *err,
                      size_t errlen)
{
    json_t *dg = json_object_get(e, "digit"), *cd = json_object_get(e, "code");
    char what[160];
    if (!json_is_string(dg) || json_string_length(dg) != 1 ||
        !strchr("0123456789*#", json_string_value(dg)[0])) {
        snprintf(what, sizeof what, "digit \"%.8s\" is not one of 0-9 * #",
                 json_is_string(dg) ? json_string_value(dg) : "");
        return menu_fail(err, errlen, path, i, what);
    }
    const char *code = json_is_string(cd) ? json_string_value(cd) : "";
    size_t cl = strlen(code);
    int ok = cl > 0 && cl < sizeof m->code[0];
    for (size_t k = 0; ok && k < cl; k++)
        ok = (code[k] >= 'a' && code[k] <= 'z') || (code[k] >= '0' && code[k] <= '9') ||
             code[k] == '_';
    if (!ok) {
        snprintf(what, sizeof what, "code \"%.48s\" is not 1-47 of [a-z0-9_]", code);
        return menu_fail(err, errlen, path, i, what);
    }
    char d = json_string_value(dg)[0];
    for (int k = 0; k < m->n; k++)
        if (m->digit[k] == d) {
            snprintf(what, sizeof what, "digit \"%c\" is used twice", d);
            return menu_fail(err, errlen, path, i, what);
        }
    m->digit[m->n] = d;
    memcpy(m->code[m->n], code, cl + 1);
    m->n++;
    return 0;
}

int voicebot_menu_load(const char *path, struct vb_menu *out, char *err, size_t errlen)
{
    json_t *root = NULL;
    int rc = json_file_load(path, &root, err, errlen);
    if (rc)
        return IK_EINVAL;
    struct vb_menu m;
    memset(&m, 0, sizeof m);
    m.timeout_ms = 8000;
    m.max_tries = 3;
    json_t *ps = json_object_get(root, "purposes"), *to = json_object_get(root, "menu_timeout_s"),
           *mt = json_object_get(root, "max_tries");
    if (!json_is_array(ps) || json_array_size(ps) == 0 || json_array_size(ps) > ARRAY_LEN(m.digit))
        rc = menu_fail(err, errlen, path, -1, "\"purposes\" is not a list of 1-16 entries");
    for (size_t i = 0; rc == 0 && i < json_array_size(ps); i++)
        rc = menu_entry(json_array_get(ps, i), &m, path, (int)i, err, errlen);
    if (rc == 0 && to) {
        if (!json_is_integer(to) || json_integer_value(to) < 1 || json_integer_value(to) > 120)
            rc = menu_fail(err, errlen, path, -1, "\"menu_timeout_s\" is not 1-120");
        else
            m.timeout_ms = (unsigned)json_integer_value(to) * 1000;
    }
    if (rc == 0 && mt) {
        if (!json_is_integer(mt) || json_integer_value(mt) < 1 || json_integer_value(mt) > 10)
            rc = menu_fail(err, errlen, path, -1, "\"max_tries\" is not 1-10");
        else
            m.max_tries = (int)json_integer_value(mt);
    }
    json_decref(root);
    if (rc == 0)
        *out = m;
    return rc;
}
