/*
 * base64: RFC 4648 base64 (see base64.h).
 */
#include "base64.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Writes the encoding of data to out (room for base64_length(len) + 1
 * bytes, NUL included); returns the number of characters written. */
static size_t
encode(const char *abc, bool pad, const unsigned char *data, size_t len, char *out)
{
	char *p = out;
	size_t i;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
		*p++ = abc[v >> 18];
		*p++ = abc[(v >> 12) & 63];
		*p++ = abc[(v >> 6) & 63];
		*p++ = abc[v & 63];
	}
	if (i < len) {
		v = (uint32_t)data[i] << 16 | (i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0);
		*p++ = abc[v >> 18];
		*p++ = abc[(v >> 12) & 63];
		if (i + 1 < len)
			*p++ = abc[(v >> 6) & 63];
		else if (pad)
			*p++ = '=';
		if (pad)
			*p++ = '=';
	}
	*p = '\0';
	return (size_t)(p - out);
}

char *
base64_encode(const unsigned char *data, size_t len)
{
	char *out = xmalloc(base64_length(len) + 1);

	encode(alphabet, true, data, len, out);
	return out;
}

void
base64_add(struct buf *b, const unsigned char *data, size_t len)
{
	char chunk[4 * 256 + 1];
	size_t step;

	/* 768 input bytes make 1024 characters without padding inside. */
	for (; len > 0; data += step, len -= step) {
		step = len < 768 ? len : 768;
		buf_add(b, chunk, encode(alphabet, true, data, step, chunk));
	}
}

void
base64url_encode(const unsigned char *data, size_t len, char *out)
{
	encode(url_alphabet, false, data, len, out);
}

static int
value_of(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

int
base64_decode(const char *text, unsigned char **out, size_t *len)
{
	size_t n = strlen(text), i, o = 0;
	unsigned char *buf;
	int a, b, c, d;

	if (n % 4 != 0)
		return -1;
	buf = xmalloc(n / 4 * 3 + 1);
	for (i = 0; i < n; i += 4) {
		a = value_of(text[i]);
		b = value_of(text[i + 1]);
		c = text[i + 2] == '=' && i + 4 == n ? 0 : value_of(text[i + 2]);
		d = text[i + 3] == '=' && i + 4 == n ? 0 : value_of(text[i + 3]);
		if (a < 0 || b < 0 || c < 0 || d < 0 ||
		    (text[i + 2] == '=' && text[i + 3] != '=')) {
			free(buf);
			return -1;
		}
		buf[o++] = (unsigned char)(a << 2 | b >> 4);
		if (text[i + 2] != '=')
			buf[o++] = (unsigned char)((b & 15) << 4 | c >> 2);
		if (text[i + 3] != '=')
			buf[o++] = (unsigned char)((c & 3) << 6 | d);
	}
	*out = buf;
	*len = o;
	return 0;
}
