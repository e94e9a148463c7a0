/*
 * feed: the iCalendar feeds staff subscribe to.  Which items a feed holds
 * (per actor, committee, process, or everything), its calendar name, its
 * tokens, and the cache of finished feeds that the HTTP threads serve.
 * Every feed also has a web page at the same secret address with ".html"
 * for ".ics" (feed_html.c builds it), published with the feed.
 *
 * Threads: only the main thread builds feeds (it alone reads the store).
 * It publishes each finished feed as an immutable snapshot into a table
 * keyed by token hash; the HTTP threads look snapshots up under a mutex
 * and never see the store or struct ikond.
 */
#ifndef IKOND_FEED_H
#define IKOND_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <sha2.h>
#include <sqlite3.h>

#include "agenda.h"
#include "config.h"
#include "ics.h"
#include "ikond.h"

#define FEED_HASH_LEN		SHA256_DIGEST_LENGTH	/* libmd's SHA-256 */
#define FEED_TOKEN_BYTES	32	/* random bytes behind a token */
#define FEED_TOKEN_CHARS	43	/* their base64url form, without padding */
#define FEED_PATH_PREFIX	"/feeds/"
#define FEED_PATH_SUFFIX	".ics"
#define FEED_PAGE_SUFFIX	".html"
#define FEED_PAGE_TOKEN		'\001'	/* in a built page: where the token goes */
#define FEED_PAGE_SLOTS_MAX	8	/* places for the token in one page */

/* What an address asks for: the feed, or its web page. */
enum feed_format {
	FEED_ICS,
	FEED_PAGE,
};

enum feed_kind {
	FEED_ALL,
	FEED_ACTOR,
	FEED_COMMITTEE,
	FEED_PROCESS,
};

/* "all", "actor", "committee", "process". */
const char *feed_kind_name(enum feed_kind kind);
bool feed_kind_from_name(const char *name, enum feed_kind *kind);

/* A new token (NUL-terminated base64url of FEED_TOKEN_BYTES random bytes)
 * and the hash that is stored for it. */
void feed_token_new(char token[FEED_TOKEN_CHARS + 1], unsigned char hash[FEED_HASH_LEN]);
/* The hash of the token in a request path "/feeds/<token>.ics" or
 * "/feeds/<token>.html", and which of the two it asks for.  Returns
 * false for any other path; the hash is filled either way (of the whole
 * path), so a caller can do the same work for good and bad paths. */
bool feed_path_hash(const char *path, unsigned char hash[FEED_HASH_LEN],
    enum feed_format *format);
/* The addresses of token: "http(s)://BASE/feeds/TOKEN.ics" and its
 * "webcal://" form, from http.base_url.  Allocated. */
void feed_urls(const struct config *cfg, const char *token, char **url, char **webcal);
/* Compares two hashes in time independent of their contents. */
bool feed_hash_equal(const unsigned char a[FEED_HASH_LEN], const unsigned char b[FEED_HASH_LEN]);
/* The ETags of a digest: "HEX" and "HEX-gz". */
void feed_etags(const unsigned char digest[FEED_HASH_LEN], char etag[2 * FEED_HASH_LEN + 3],
    char etag_gzip[2 * FEED_HASH_LEN + 8]);
/* The SHA-256 of len bytes of data. */
void feed_hash(const void *data, size_t len, unsigned char out[FEED_HASH_LEN]);

/* Resolves the slug of a feed's target; FEED_ALL needs none (id 0). */
int feed_target_id(struct ikond *ikd, enum feed_kind kind, const char *slug,
    sqlite3_int64 *id, char **cause);

/*
 * Builds one feed as CRLF text (*len bytes, NUL-terminated).  *last_modified
 * is the latest change of the data it shows.  today (a day number) drops
 * cancelled items that ended before it.  NULL with *cause on failure.
 */
char *feed_build(struct ikond *ikd, enum feed_kind kind, sqlite3_int64 target, int today,
    size_t *len, time_t *last_modified, char **cause);

/* One piece of a page between two places of the token: as it is, and as
 * raw deflate that continues the stream the pieces before began. */
struct feed_page_part {
	char		*text;
	size_t		 len;
	unsigned char	*deflated;
	size_t		 deflated_len;
	unsigned long	 crc;		/* CRC-32 of text */
};

/*
 * The web page of a feed.  It shows the token it was asked with (in its
 * links to subscribe), so its bytes are put together for each request
 * from the parts between the token's places: the plain page by copying,
 * the gzip-encoded one from parts compressed once, the tokens as stored
 * deflate blocks and a CRC combined from the parts' (feed_page_body()).
 * Nothing is built or compressed on the HTTP threads.  Its ETag is the
 * digest of the page with its marks: every request sees the same page
 * but for its own address.
 */
struct feed_page {
	unsigned char		 digest[FEED_HASH_LEN];
	char			 etag[2 * FEED_HASH_LEN + 3];
	char			 etag_gzip[2 * FEED_HASH_LEN + 8];
	time_t			 last_modified;	/* the data's, or today's start */
	struct feed_page_part	 parts[FEED_PAGE_SLOTS_MAX + 1];
	size_t			 nparts;
	size_t			 len;		/* of the page with a token in each place */
	void			*not_modified;	/* struct MHD_Response * for 304s */
	void			*not_modified_gzip;
};

/* Splits a built page (len bytes of text) at its FEED_PAGE_TOKENs and
 * compresses the parts; digest is of text, last_modified its date. */
void feed_page_prepare(struct feed_page *page, const char *text, size_t len,
    const unsigned char digest[FEED_HASH_LEN], time_t last_modified);
void feed_page_clear(struct feed_page *page);
/* The page for one request, with token (FEED_TOKEN_CHARS characters, as
 * feed_path_hash() accepted it) in each place, plain or as a gzip file.
 * Allocated; *len bytes. */
unsigned char *feed_page_body(const struct feed_page *page, const char *token, bool gzip,
    size_t *len);

/* Whether an item is over by today (a day number, in zone tz). */
bool feed_item_past(const struct agenda_item *it, int today, const char *tz);
/* The German word for a kind of item: "Sitzung", "Frist", ... (the
 * feed's CATEGORIES). */
const char *feed_category(enum agenda_kind kind);

/* feed_html.c */

/*
 * The web page of a feed (*len bytes, NUL-terminated), from the agenda a
 * that its calendar shows (name and desc are the calendar's): what is
 * due next, week by week, each item with its explanation; for a process
 * the timeline; the addresses to subscribe, with FEED_PAGE_TOKEN where
 * the token of the request goes.  NULL with *cause if the store fails.
 */
char *feed_html_build(struct ikond *ikd, enum feed_kind kind, sqlite3_int64 target,
    const struct agenda *a, const char *name, const char *desc, int today, size_t *len,
    char **cause);

/* Whether the page of a feed may show an item today, with its
 * description (the other items' descriptions are not needed). */
bool feed_html_shows(const struct agenda_item *it, int today, const char *tz);

/* The published form of one feed, shared by all of its tokens. */
struct feed_snapshot {
	int		 refs;		/* main thread only */
	enum feed_kind	 kind;
	sqlite3_int64	 target;
	unsigned char	 digest[FEED_HASH_LEN];	/* of the plain body (ics_index_digest()) */
	void		*plain;		/* struct MHD_Response *, body as it is */
	void		*gzip;		/* struct MHD_Response *, gzip-encoded, or NULL */
	bool		 gzip_pending;	/* gzip comes on the next tick (main thread only) */
	void		*not_modified;	/* 304 answers for the plain body */
	void		*not_modified_gzip;
	char		 etag[2 * FEED_HASH_LEN + 3];	/* "hex" with the quotes */
	char		 etag_gzip[2 * FEED_HASH_LEN + 8];
	time_t		 last_modified;	/* 0: unknown, no Last-Modified */
	size_t		 len, gzip_len;
	struct feed_page page;		/* its web page */
	struct ics_text	*text;		/* the plain body (plain holds a reference too) */
	struct ics_index *index;	/* its events, for the next build to reuse */
};

/* Builds every feed that has a live token and starts publishing. */
void feeds_start(struct ikond *ikd);
/* From the main loop: rebuilds when the data or the day changed. */
void feeds_tick(struct ikond *ikd);
void feeds_stop(void);

/*
 * For the HTTP threads: finds the snapshot of a token hash and calls fn
 * with it while the table is locked (fn must not block), or with NULL if
 * there is none.  Every entry is compared, found or not.
 */
void feeds_with_snapshot(const unsigned char hash[FEED_HASH_LEN],
    void (*fn)(const struct feed_snapshot *snap, void *arg), void *arg);

#endif
