/* sha1: SHA-1 (FIPS 180-4) for the WebSocket opening handshake only (RFC 6455
 * Sec-WebSocket-Accept). Not for security: libsodium, our crypto library, has no SHA-1 on purpose,
 * and pulling in nettle or OpenSSL for one 20-byte digest of a public nonce would be a heavier
 * dependency than these hundred lines, which are checked against the FIPS test vectors
 * (tests/unit/test_sha1.c). */
#ifndef IKIIKI_SHA1_H
#define IKIIKI_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

struct sha1_ctx {
    uint32_t h[5];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[64];
    size_t used; /* bytes waiting in block */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN]);
/* One-shot digest of len bytes. */
void sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN]);

#endif
