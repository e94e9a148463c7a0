/*
 * ics: writes the iCalendar feeds (RFC 5545, RFC 7986) that staff subscribe
 * to.  Pure: no database, no clock, no randomness; the same input gives the
 * same bytes, so an unchanged feed keeps its ETag.
 */
#ifndef IKOND_ICS_H
#define IKOND_ICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum ics_status {
	ICS_CONFIRMED,
	ICS_TENTATIVE,
	ICS_CANCELLED,
};

struct ics_event {
	const char	*uid;		/* required, stable, e.g. "session-42@host" */
	int		 sequence;	/* >= 0 */
	time_t		 last_modified;	/* from the data; gives DTSTAMP and LAST-MODIFIED */
	bool		 all_day;
	/* all_day: day numbers (civil.h), end exclusive; end <= start means one day. */
	int		 start_days, end_days;
	/* timed: instants; end < start is an error (end == start: a point in time). */
	time_t		 start, end;
	/*
	 * UTF-8 text, NULL to leave the property out.  Anything goes: CR, LF,
	 * commas, semicolons, backslashes.  CR LF and CR become line breaks,
	 * other control characters are dropped and invalid UTF-8 becomes
	 * U+FFFD.  categories is one category (a comma in it is escaped).
	 * url is written as it is and must be printable (no spaces, no
	 * control characters).
	 */
	const char	*summary, *description, *location, *url, *categories;
	enum ics_status	 status;
	bool		 transparent;	/* TRANSP:TRANSPARENT (deadlines) */
};

struct ics_calendar {
	const char	*name;		/* NAME and X-WR-CALNAME, e.g. "Fristen – Integrationsausschuss" */
	const char	*description;	/* X-WR-CALDESC, NULL for none */
	const char	*timezone;	/* IANA name of the local time, e.g. "Europe/Berlin" */
	const char	*refresh;	/* ISO 8601 duration ("PT1H") for REFRESH-INTERVAL and
					 * X-PUBLISHED-TTL, NULL for none */
	int		 alarm_minutes;	/* one DISPLAY VALARM this many minutes before the start
					 * of every event that is not cancelled; -1 = none */
};

/*
 * Returns the feed as malloc'ed CRLF text (NUL-terminated, *len bytes
 * without the NUL; len may be NULL): VERSION 2.0, PRODID, CALSCALE,
 * METHOD:PUBLISH, one VTIMEZONE for cal->timezone, the events in the given
 * order.  Timed events are written as local time with TZID=<zone> where the
 * embedded VTIMEZONE says the same as the system's zone data, otherwise (a
 * time before 1971, the second 02:30 of an autumn night, a zone whose rules
 * changed) start and end in UTC.  For Europe/Berlin the VTIMEZONE is the
 * usual two-rule one (CET/CEST, last Sunday of March and October); for other
 * zones it is derived from the system's rules in the year of the latest
 * timed start.  On bad input returns NULL and names the event and field
 * in *cause.
 */
char *ics_build(const struct ics_calendar *cal, const struct ics_event *ev, size_t nev,
    size_t *len, char **cause);

/*
 * Where each event lies in a built feed, so that the next build of the
 * same feed copies an event instead of writing it again: one with the same
 * UID, SEQUENCE and modification time, under the same time zone (and the
 * same zone rules) and alarm.  ikond raises an item's SEQUENCE whenever
 * what a feed shows of it changes (revision.h), so these name its text.
 */
struct ics_index;
void ics_index_free(struct ics_index *ix);
/* The hash an index finds an event's UID by (FNV-1a, 64 bit); other
 * tables keyed by UID use it too. */
uint64_t ics_uid_hash(const char *uid);
/*
 * The SHA-256 digest of an indexed text, made from the digests of its
 * pieces (what comes before the first event, each event, the end) rather
 * than its bytes: the sum of a hash of every two neighbours, and their
 * number.  A build hashes only the events it wrote and their links to
 * their neighbours.  The same text gives the same digest; any other text
 * (almost surely) another.
 */
#define ICS_DIGEST_LEN	32
void ics_index_digest(const struct ics_index *ix, unsigned char out[ICS_DIGEST_LEN]);
/*
 * A built text: parts of counted blocks, which later texts of the same
 * feed share where their events are unchanged.  References may be taken
 * and dropped on any thread; the bytes never change.
 */
struct ics_text;
struct ics_text *ics_text_ref(struct ics_text *t);
void ics_text_unref(struct ics_text *t);
size_t ics_text_len(const struct ics_text *t);
size_t ics_text_nparts(const struct ics_text *t);
/* The i-th part, *len bytes (not NUL-terminated). */
const char *ics_text_part(const struct ics_text *t, size_t i, size_t *len);
/* Drops the caller's reference and returns the text as one malloc'ed
 * string (NUL-terminated, *len bytes; len may be NULL), without a copy
 * if it is one block that nothing else shows. */
char *ics_text_steal(struct ics_text *t, size_t *len);
/* The text an index describes (the index holds a reference). */
struct ics_text *ics_index_text(const struct ics_index *ix);

/* The DESCRIPTION of ev[i], asked for only when event i is written and
 * its description is NULL: malloc'ed (freed once written), or NULL. */
typedef char *(*ics_describe_fn)(void *arg, size_t i);

/*
 * ics_build() as a text (one reference for the caller), copying events
 * from the text prev indexes (NULL for none) and sharing that text's
 * blocks where it can, and the new text's index in *index (index may be
 * NULL).  The same input gives the same bytes as ics_build().  describe
 * (may be NULL) makes the descriptions the events leave NULL.
 */
struct ics_text *ics_build_text(const struct ics_calendar *cal, const struct ics_event *ev,
    size_t nev, ics_describe_fn describe, void *arg, const struct ics_index *prev,
    struct ics_index **index, char **cause);
/*
 * Marks in copied[i] the events that ics_build_text() will copy from
 * prev under cal (their descriptions need not be made); returns how many.
 */
size_t ics_index_copies(const struct ics_index *prev, const struct ics_calendar *cal,
    const struct ics_event *ev, size_t nev, bool *copied);

#endif
