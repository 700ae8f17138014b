/* store_media: 通話ガード voiceprints. The SQL is in store_media.c. */
#ifndef IKIIKI_STORE_MEDIA_H
#define IKIIKI_STORE_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* 通話ガード voiceprints (media/audio.h makes the embeddings). Lists are malloc'd arrays the
 * caller frees; model NULL lists every model. Delete returns STORE_NOTFOUND for a missing id. */
#define STORE_VP_REF_MAX  128
#define STORE_VP_TEXT_MAX 256
#define STORE_VP_EMB_MAX  8192
struct store_voiceprint {
    int64_t id;
    char caller_ref[STORE_VP_REF_MAX];
    char model[64];
    char embedding[STORE_VP_EMB_MAX]; /* JSON array of numbers */
    int64_t speech_ms;
    char source[STORE_VP_TEXT_MAX];
    char reason[STORE_VP_TEXT_MAX];
    char approved_by[64];
    int64_t created_at;
};
int store_voiceprint_add(store *s, struct store_voiceprint *v);
int store_voiceprint_list(store *s, const char *model, struct store_voiceprint **out, size_t *n);
int store_voiceprint_get(store *s, int64_t id, struct store_voiceprint *out);
int store_voiceprint_delete(store *s, int64_t id);

#endif
