/*
 * sha256: FIPS 180-4 SHA-256, for feed tokens (only their hashes are
 * stored) and feed ETags.  Small and self-contained so the daemon needs no
 * crypto library for it.
 */
#ifndef IKOND_SHA256_H
#define IKOND_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32

struct sha256 {
	uint32_t	h[8];
	uint64_t	bytes;
	unsigned char	block[64];
	size_t		fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);
/* One call for a whole buffer. */
void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Lower-case hex of a digest: 64 characters and a NUL. */
void sha256_hex(const unsigned char digest[SHA256_LEN], char out[2 * SHA256_LEN + 1]);

#endif
