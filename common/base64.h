/*
 * base64: RFC 4648 encoding for binary files that travel inside JSON
 * replies (ODT drafts), inside mails, and URL-safe for feed tokens.
 * The only base64 of ikond.
 */
#ifndef IKOND_BASE64_H
#define IKOND_BASE64_H

#include <stddef.h>

struct buf;

/* Characters of the padded encoding of len bytes. */
#define base64_length(len)	(4 * (((len) + 2) / 3))

char *base64_encode(const unsigned char *data, size_t len);
/* Appends the padded encoding of data to b. */
void base64_add(struct buf *b, const unsigned char *data, size_t len);
/* The URL-safe alphabet without padding (RFC 4648, section 5), for feed
 * tokens; out has room for (4 * len + 2) / 3 + 1 bytes. */
void base64url_encode(const unsigned char *data, size_t len, char *out);
/* Strict: rejects characters outside the alphabet and bad padding. */
int base64_decode(const char *text, unsigned char **out, size_t *len);

#endif
