/*
 * utf8: the one UTF-8 validator of ikond (RFC 3629).  Every place that
 * checks or cleans text uses it: the control protocol's text fields,
 * configuration strings, imported calendars, mail headers, documents.
 * Overlong forms, surrogates (U+D800..U+DFFF), values above U+10FFFF and
 * the bytes C0, C1 and F5..FF are all invalid.
 */
#ifndef IKOND_UTF8_H
#define IKOND_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the well-formed sequence at s, which has n > 0 bytes,
 * or 0 when the bytes there are not one. */
size_t utf8_sequence(const unsigned char *s, size_t n);
/* The same, and its code point in *cp. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Offset of the first byte of s[0..n) that starts no valid sequence, or n. */
size_t utf8_invalid_at(const char *s, size_t n);
/* True if all of s[0..n) is valid UTF-8. */
bool utf8_valid(const char *s, size_t n);
/* The same for a NUL-terminated string. */
bool utf8_valid_string(const char *s);

#endif
