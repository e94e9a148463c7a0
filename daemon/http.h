/*
 * http: serves the feeds over HTTP with libmicrohttpd: GET and HEAD of
 * /feeds/<token>.ics and of its web page /feeds/<token>.html, conditional
 * requests, gzip.  Its threads only read the snapshots that feed.c
 * publishes; they never touch the store.  At most a fixed number of
 * connections are open; a full server closes the connection that has
 * waited longest for its request, and says 503 only when all of them are
 * being answered.
 */
#ifndef IKOND_HTTP_H
#define IKOND_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "feed.h"

struct http;

struct http_stats {
	size_t		open;		/* connections now */
	size_t		capacity;	/* at most this many */
	uint64_t	accepted;	/* connections served since the start */
	uint64_t	refused;	/* answered 503: every connection was answering */
	uint64_t	evicted;	/* closed to make room: waited longest for a request */
	uint64_t	expired;	/* closed: no request within http.request_timeout */
};

/* Listens on cfg->http_listen:http_port with at most capacity connections
 * (port 0: no HTTP, NULL without a cause).  NULL with *cause on failure. */
struct http *http_start(const struct config *cfg, size_t capacity, char **cause);
void http_stop(struct http *h);
void http_stats(struct http *h, struct http_stats *stats);

/* Prepares the answers of a snapshot (and the 304s of its page): its
 * text (s->text, of which the answer takes a reference of its own, let go
 * when the last connection that sends it is done) and gz, of which it
 * takes ownership (freed then too).  gz may be NULL. */
void http_snapshot_prepare(struct feed_snapshot *s, unsigned char *gz);
/* Adds the gzip-encoded answers to a snapshot prepared without them;
 * takes ownership of gz (s->gzip_len bytes).  Under the lock that the
 * HTTP threads take to read the snapshot. */
void http_snapshot_add_gzip(struct feed_snapshot *s, unsigned char *gz);
void http_snapshot_release(struct feed_snapshot *s);

/* RFC 7231 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (30 bytes with NUL). */
void http_date(time_t t, char out[30]);
/* Parses an IMF-fixdate; false for anything else. */
bool http_date_parse(const char *text, time_t *t);
/* True if an Accept-Encoding value accepts gzip (q > 0). */
bool http_accepts_gzip(const char *accept_encoding);
/* True if an If-None-Match value matches etag (weak comparison, or "*"). */
bool http_etag_matches(const char *if_none_match, const char *etag);

#endif
