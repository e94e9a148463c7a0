/*
 * buf: a growable byte buffer for building replies, feeds, mails and
 * documents.  The contents are always NUL-terminated so text users can
 * treat buf.data as a C string; binary users read buf.len bytes.
 */
#ifndef IKOND_BUF_H
#define IKOND_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_add_str(struct buf *b, const char *s);
void buf_add_char(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the contents to the caller (who frees them) and empties b. */
char *buf_steal(struct buf *b, size_t *len);

#endif
