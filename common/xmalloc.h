/*
 * xmalloc: allocators that never return NULL.  Running out of memory in a
 * daemon that keeps legal deadlines is not something to limp on from, so
 * these call fatal() instead; every size a client controls is bounded
 * before it reaches them.
 */
#ifndef IKOND_XMALLOC_H
#define IKOND_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Formats a message into *cause (if cause is not NULL) and returns -1;
 * fmt is translated (i18n.h). */
int set_cause(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
