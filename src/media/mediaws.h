/* mediaws: the pure parts of the Twilio Media Streams-compatible WebSocket: the HTTP upgrade
 * request (RFC 6455 section 4.2), the JSON messages both ways (connected, start, media, dtmf,
 * mark, stop in; media, mark, clear out) and G.711 µ-law. No sockets, no event loop; the
 * framing itself is wslay's (server.c). */
#ifndef IKIIKI_MEDIA_MEDIAWS_H
#define IKIIKI_MEDIA_MEDIAWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/buf.h"

enum { MWS_EPROTO = IK_EPROTO, MWS_ENOMEM = IK_ENOMEM };

#define MWS_ID_MAX      64
#define MWS_MAX_AUDIO   1600 /* µ-law bytes in one media message: 200 ms at 8 kHz */
#define MWS_MAX_MESSAGE 65536
#define MWS_MAX_REQUEST 8192 /* the HTTP upgrade request, headers included */

/* ---- HTTP upgrade ---- */

struct mws_upgrade {
    char path[256];
    char key[64];    /* Sec-WebSocket-Key as sent */
    size_t consumed; /* bytes of the request, through the blank line */
};

/* Parses an HTTP upgrade request from the first len bytes received. Returns 1 when the request is
 * not complete yet, 0 when it is a valid WebSocket upgrade (out filled), MWS_EPROTO with err set
 * when it is not (the caller answers 400 and closes): wrong method, no "Upgrade: websocket",
 * no "Connection: upgrade", version other than 13, a key that is not 16 bytes of base64, longer
 * than MWS_MAX_REQUEST. */
int mws_upgrade_parse(const char *req, size_t len, struct mws_upgrade *out, char *err,
                      size_t errlen);
/* Writes the Sec-WebSocket-Accept value for key (base64 of SHA-1 of key + the RFC's GUID);
 * out holds at least 29 bytes. */
void mws_accept_key(const char *key, char out[29]);
/* The whole 101 response for a parsed request into b. */
int mws_upgrade_response(const struct mws_upgrade *u, struct buf *b);

/* ---- messages ---- */

enum mws_event { MWS_CONNECTED, MWS_START, MWS_MEDIA, MWS_DTMF, MWS_MARK, MWS_STOP, MWS_OTHER };

struct mws_msg {
    enum mws_event ev;
    char event[32]; /* the event name as sent (for MWS_OTHER) */
    char stream_sid[MWS_ID_MAX];
    /* start: the call. call_id is customParameters.call_id when given, else callSid; caller,
     * operator and center come from customParameters when given (else ""). */
    char call_sid[MWS_ID_MAX];
    char call_id[MWS_ID_MAX];
    char caller[MWS_ID_MAX];
    char operator_name[MWS_ID_MAX];
    char center[MWS_ID_MAX];
    char secret[MWS_ID_MAX]; /* customParameters.secret, "" when not given */
    /* media: decoded µ-law bytes; inbound is 0 for the outbound track (which we ignore). */
    uint8_t audio[MWS_MAX_AUDIO];
    size_t naudio;
    int inbound;
    char digit;            /* dtmf */
    char mark[MWS_ID_MAX]; /* mark: its name */
};

/* Parses one text message. Returns 0 (out filled; unknown events are MWS_OTHER) or MWS_EPROTO
 * with err set: not JSON, not an object, no "event", a known event without its required fields
 * (start: streamSid and callSid, a mediaFormat other than audio/x-mulaw 8000 Hz mono; media:
 * payload that is not base64 or longer than MWS_MAX_AUDIO; dtmf: a digit not in 0-9*#A-D). */
int mws_parse(const char *text, size_t len, struct mws_msg *out, char *err, size_t errlen);

/* Outgoing messages, appended to b as one JSON text each. */
int mws_media_json(struct buf *b, const char *stream_sid, const uint8_t *ulaw, size_t n);
int mws_mark_json(struct buf *b, const char *stream_sid, const char *name);
int mws_clear_json(struct buf *b, const char *stream_sid);

/* ---- G.711 µ-law ---- */
int16_t mulaw_decode(uint8_t u);
uint8_t mulaw_encode(int16_t pcm);

#endif
