/* audiosocket: the Asterisk AudioSocket wire format (res_audiosocket.h, Asterisk 18+; the
 * 0x11–0x18 rates since Asterisk 20.17/22.7). Every message is a 1-byte kind, a 2-byte big-endian
 * payload length and the payload. Pure: no sockets, no event loop; the parser is incremental and
 * accepts its input split anywhere, down to one byte at a time. */
#ifndef IKIIKI_MEDIA_AUDIOSOCKET_H
#define IKIIKI_MEDIA_AUDIOSOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum as_kind {
    AS_HANGUP = 0x00,
    AS_UUID = 0x01,
    AS_DTMF = 0x03,
    AS_AUDIO = 0x10,     /* signed linear 16-bit little-endian, 8 kHz mono */
    AS_AUDIO_12K = 0x11, /* 0x11–0x18: 12, 16, 24, 32, 44.1, 48, 96, 192 kHz */
    AS_AUDIO_192K = 0x18,
    AS_ERROR = 0xff,
};

enum {
    AS_EPROTO = IK_EPROTO, /* the peer broke the protocol; err says how */
    AS_ENOMEM = IK_ENOMEM,
    AS_ESTOP = IK_ECANCELED, /* the frame callback asked to stop */
};

#define AS_HDR_LEN 3
/* The longest audio payload accepted: 100 ms at the frame's rate (Asterisk sends 20 ms). Longer
 * frames are refused rather than buffered, so a bad peer cannot make us hold large buffers. */
#define AS_MAX_AUDIO_MS 100
#define AS_MAX_PAYLOAD  (192000 / 1000 * AS_MAX_AUDIO_MS * 2)
#define AS_MAX_ERROR    64 /* error payloads are a code, maybe a short text */

/* Sample rate of an audio kind (8000 for AS_AUDIO), 0 for other kinds. */
unsigned as_kind_rate(uint8_t kind);

struct as_frame {
    uint8_t kind;
    unsigned rate;          /* audio kinds: sample rate in Hz */
    const uint8_t *payload; /* borrowed: valid only during the callback */
    size_t len;
};

/* Called for each complete frame; return 0 to go on, non-zero to stop (as_parse then returns
 * AS_ESTOP and the rest of the input is left unread). */
typedef int (*as_frame_cb)(void *ud, const struct as_frame *f);

struct as_parser {
    uint8_t hdr[AS_HDR_LEN];
    size_t hdr_len; /* header bytes seen of the current frame */
    size_t need;    /* payload length announced */
    size_t got;     /* payload bytes buffered */
    uint8_t *buf;   /* owned; payload of a frame split across reads */
    size_t cap;
    int failed;      /* after an error the parser refuses all further input */
    uint64_t offset; /* bytes consumed so far, for error messages */
};

void as_parser_init(struct as_parser *p);
void as_parser_release(struct as_parser *p);
/* Feeds len bytes. Frames wholly inside data are handed over without copying. Returns 0,
 * AS_ESTOP, AS_ENOMEM, or AS_EPROTO with err set (e.g. `audiosocket: byte 19: unknown message
 * kind 0x42`): unknown kinds, empty audio, odd-length audio, audio longer than 100 ms, a UUID
 * that is not 16 bytes, a DTMF payload that is not 1 byte. */
int as_parse(struct as_parser *p, const uint8_t *data, size_t len, as_frame_cb cb, void *ud,
             char *err, size_t errlen);

/* Writers: each fills out (which must hold AS_HDR_LEN + payload bytes) and returns its length. */
size_t as_write_header(uint8_t *out, uint8_t kind, uint16_t len);
/* 8 kHz audio from n host-order samples (n <= 32767). */
size_t as_write_audio(uint8_t *out, const int16_t *pcm, size_t n);
size_t as_write_hangup(uint8_t *out);

/* Formats a 16-byte UUID as the lower-case 36-character text form (out: 37 bytes). */
void as_uuid_text(const uint8_t uuid[16], char out[37]);

#endif
