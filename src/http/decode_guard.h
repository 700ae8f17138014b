/* Request bodies of the call guard routes. Pure (no store, no I/O), fuzzed with the others. */
#ifndef IKIIKI_HTTP_DECODE_GUARD_H
#define IKIIKI_HTTP_DECODE_GUARD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "guard/guard.h"
#include "org/org.h"

enum guard_event_type { GEV_START, GEV_UTTERANCE, GEV_FEATURE, GEV_END };

/* POST /api/v1/calls/{id}/events:
 *   {"type":"start","caller":"…","operator":"…","center":"…"}
 *   {"type":"utterance","speaker":"customer|operator","text":"…","start_ms":…,"end_ms":…}
 *   {"type":"feature","name":"shouting","value":0.9,"detail":{…}}
 *   {"type":"end"} */
struct guard_event_input {
    enum guard_event_type type;
    char caller[64];
    char operator_name[ORG_LOGIN_MAX];
    char center[ORG_CODE_MAX];
    enum guard_speaker speaker;
    char text[GUARD_UTTERANCE_MAX + 1];
    size_t len;
    int64_t start_ms, end_ms; /* -1 when not given */
    char name[33];
    double value;
    char detail[1024]; /* JSON object text, "" when none */
};
int http_decode_guard_event(json_t *o, struct guard_event_input *in, char *err, size_t errlen);

/* POST /api/v1/calls/{id}/actions: {"action":"warn|end|confirm|dismiss"} */
struct guard_action_input {
    char action[16];
};
int http_decode_guard_action(json_t *o, struct guard_action_input *in, char *err, size_t errlen);

/* POST /api/v1/guard/blocks: {"caller":"090-…","reason":"…","center":"TKY"?}. center "" or
 * absent: the caller's own center for a center manager, every center for an admin. */
struct guard_block_input {
    char caller[33];
    char reason[256];
    char center[ORG_CODE_MAX];
    int has_center;
};
int http_decode_guard_block(json_t *o, struct guard_block_input *in, char *err, size_t errlen);

#endif
