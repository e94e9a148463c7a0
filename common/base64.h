/*
 * base64: RFC 4648 encoding for binary files that travel inside JSON
 * replies (ODT drafts) and inside mails.
 */
#ifndef IKOND_BASE64_H
#define IKOND_BASE64_H

#include <stddef.h>

char *base64_encode(const unsigned char *data, size_t len);
/* Strict: rejects characters outside the alphabet and bad padding. */
int base64_decode(const char *text, unsigned char **out, size_t *len);

#endif
