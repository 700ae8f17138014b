/* promptset: what the media loop plays and asks: the announcement prompts (WAV files, any rate,
 * resampled to 8 kHz mono once at start) and the voicebot's DTMF
 * purpose menu (a JSON data file). Prompts are read by media_wav_load (audio.h). Loaded before the
 * loop starts, read-only afterwards. */
#ifndef IKIIKI_MEDIA_PROMPTSET_H
#define IKIIKI_MEDIA_PROMPTSET_H

#include <stddef.h>

#include "media/net_int.h"

#define PROMPT_MAX_SECONDS 120
#define PROMPT_MAX_FILES   64

struct prompt_set;

/* Loads every NAME.wav in dir (a missing folder is an empty set: calls then get no
 * announcements, which the loop logs). err names the file on failure. */
int prompt_set_load(const char *dir, struct prompt_set **out, char *err, size_t errlen);
void prompt_set_free(struct prompt_set *s);
/* The prompt called name, or NULL. */
const struct prompt *prompt_find(const struct prompt_set *s, const char *name);
int prompt_count(const struct prompt_set *s);

/* Loads the menu: {"purposes":[{"digit":"1","code":"order","label":"…"},…],
 * "menu_timeout_s":8,"max_tries":3}. Returns -2 with err ("voicebot: FILE: purposes[2]: digit
 * \"x\" is not one of 0-9 * #") for a bad file; a missing file is an error too. */
int voicebot_menu_load(const char *path, struct vb_menu *out, char *err, size_t errlen);

#endif
