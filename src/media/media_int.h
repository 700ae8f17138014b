/* Private to src/media: helpers the module's files share. */
#ifndef IKIIKI_MEDIA_INT_H
#define IKIIKI_MEDIA_INT_H

#include "media/audio.h"

/* The cosine score at or above which mfcc-stats-v1 calls two embeddings one speaker: the
 * equal-error point measured by bench/media/voiceprint_eer.sh (see the README). */
#define MEDIA__VP_THRESHOLD 0.5

/* The embedding of everything a session has heard so far (-EAGAIN when too little). */
int media__vp_session_embed(const media_vp_session *s, float *out);
/* The embedder state of a session and, for mfcc-stats-v1, its raw statistics before
 * normalisation (returns the number of values written), used to measure the normalisation. */
void *media__vp_session_state(const media_vp_session *s);
int media__vp_raw(void *mfcc_state, double *raw);

#endif
