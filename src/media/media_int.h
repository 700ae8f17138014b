/* Private to src/media: helpers the module's files share. */
#ifndef IKIIKI_MEDIA_INT_H
#define IKIIKI_MEDIA_INT_H

#include "media/audio.h"

/* The cosine score at or above which mfcc-stats-v1 calls two embeddings one speaker. Chosen
 * between the equal-error thresholds that bench/media/run.sh measured on espeak-ng voices (0.76
 * with 5 s of test speech, 0.87 with 10 s): synthetic voices, so a starting point that a center
 * should re-measure on its own recordings. */
#define MEDIA__VP_THRESHOLD 0.80

/* The embedding of everything a session has heard so far (-EAGAIN when too little). */
int media__vp_session_embed(const media_vp_session *s, float *out);
/* The embedder state of a session and, for mfcc-stats-v1, its raw statistics before
 * normalisation (returns the number of values written), used to measure the normalisation. */
void *media__vp_session_state(const media_vp_session *s);
int media__vp_raw(void *mfcc_state, double *raw);

#endif
