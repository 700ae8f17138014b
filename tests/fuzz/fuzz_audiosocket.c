/* libFuzzer target for the AudioSocket parser: any bytes, fed whole and then split at every
 * position the input's first byte chooses; both feeds must see the same frames and the same
 * verdict, every frame must respect the protocol's limits, and nothing may leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/audiosocket.h"

struct tally {
    size_t frames, bytes;
    uint32_t sum;
};

static int count(void *ud, const struct as_frame *f)
{
    struct tally *t = ud;
    if ((f->kind == AS_UUID && f->len != 16) || (f->kind == AS_DTMF && f->len != 1) ||
        (f->rate && (f->len == 0 || f->len % 2 || f->len > AS_MAX_PAYLOAD)))
        abort();
    t->frames++;
    t->bytes += f->len;
    for (size_t i = 0; i < f->len; i++)
        t->sum = t->sum * 31 + f->payload[i];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] % 17 + 1;
    data++;
    size--;
    char err[200], tiny[6];
    struct as_parser a, b;
    struct tally ta = {0}, tb = {0};
    as_parser_init(&a);
    as_parser_init(&b);
    int ra = as_parse(&a, data, size, count, &ta, err, sizeof err);
    int rb = 0;
    for (size_t off = 0; off < size && rb == 0; off += step)
        rb = as_parse(&b, data + off, size - off < step ? size - off : step, count, &tb, tiny,
                      sizeof tiny);
    if (ra != rb || ta.frames != tb.frames || ta.bytes != tb.bytes || ta.sum != tb.sum)
        abort();
    if (ra == AS_EPROTO && (!err[0] || strlen(tiny) >= sizeof tiny))
        abort();
    as_parser_release(&a);
    as_parser_release(&b);
    return 0;
}
