/* libFuzzer target for the media WebSocket's pure parsers: the bytes as a Twilio message
 * (mws_parse) and as an HTTP upgrade request (mws_upgrade_parse). Refusals must say why, strings
 * must be terminated, decoded audio must fit, and a message that parses must survive being
 * written back out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/mediaws.h"

#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mws_msg m;
    char err[200] = "";
    int rc = mws_parse((const char *)data, size, &m, err, sizeof err);
    if (rc != 0 && (rc != MWS_EPROTO || !err[0]))
        abort();
    if (rc == 0) {
        if (!TERMINATED(m.stream_sid) || !TERMINATED(m.call_id) || !TERMINATED(m.caller) ||
            !TERMINATED(m.mark) || !TERMINATED(m.event) || m.naudio > MWS_MAX_AUDIO)
            abort();
        if (m.ev == MWS_START && !m.call_id[0])
            abort();
        if (m.ev == MWS_DTMF && !strchr("0123456789*#ABCD", m.digit))
            abort();
        struct buf b;
        buf_init(&b, 0);
        if (mws_media_json(&b, m.stream_sid, m.audio, m.naudio) ||
            mws_mark_json(&b, m.stream_sid, m.mark) || mws_clear_json(&b, m.stream_sid))
            abort();
        buf_release(&b);
    }
    struct mws_upgrade u;
    err[0] = '\0';
    rc = mws_upgrade_parse((const char *)data, size, &u, err, sizeof err);
    if (rc < 0 && !err[0])
        abort();
    if (rc == 0 && (!TERMINATED(u.path) || !TERMINATED(u.key) || u.consumed > size ||
                    u.path[0] != '/' || strlen(u.key) != 24))
        abort();
    return 0;
}
