/*
 * ics_import: reads the iCalendar export of a council information system
 * (ALLRIS, SessionNet, ...) into session records.  The file is untrusted:
 * everything is bounded, and a bad event is rejected with a reason while
 * the good ones are kept.
 */
#ifndef IKOND_ICS_IMPORT_H
#define IKOND_ICS_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define ICS_IMPORT_MAX_BYTES	(8 * 1024 * 1024)
#define ICS_IMPORT_MAX_LINES	400000
#define ICS_IMPORT_MAX_LINE	(256 * 1024)	/* octets of one unfolded line */
#define ICS_IMPORT_MAX_EVENTS	10000
#define ICS_IMPORT_MAX_DEPTH	8		/* nesting of BEGIN:...END */
#define ICS_IMPORT_MAX_UID	255		/* longer UIDs are rejected */
#define ICS_IMPORT_MAX_SUMMARY	1000		/* longer texts are cut at a character */
#define ICS_IMPORT_MAX_LOCATION	1000
#define ICS_IMPORT_MAX_DESCRIPTION 32000
#define ICS_IMPORT_MAX_URL	2000		/* longer URLs are dropped */
#define ICS_IMPORT_MAX_DAYS	366		/* longest accepted event */

struct ics_session {
	char	*uid;
	char	*summary;	/* UTF-8, NULL if the event has none; */
	char	*location;	/* line breaks are "\n", no other control */
	char	*description;	/* characters, invalid UTF-8 became U+FFFD */
	char	*url;		/* URL as written (at most ICS_IMPORT_MAX_URL bytes), or NULL */
	int	 sequence;
	bool	 all_day;
	int	 start_days, end_days;	/* all_day: day numbers (civil.h), end exclusive */
	time_t	 start, end;	/* instants; all-day: midnights in the import's zone */
	bool	 cancelled;	/* STATUS:CANCELLED or METHOD:CANCEL */
};

struct ics_rejection {
	size_t	 event;		/* position of the VEVENT in the file, from 1 */
	char	*uid;		/* NULL if it had none or an unusable one */
	char	*reason;	/* English, e.g. "DTEND is before DTSTART" */
};

struct ics_import {
	struct ics_session	*sessions;
	size_t			 nsessions;
	struct ics_rejection	*rejections;	/* in file order */
	size_t			 nrejections;
};

/*
 * Parses len bytes of data.  Times without a zone (floating) and all-day
 * dates are read in zone (IANA name, e.g. "Europe/Berlin").  TZIDs that
 * name an IANA zone (also with a "/vendor/" prefix, and the common Windows
 * names) are converted with the system's zone data, RFC 5545 section 3.3.5
 * style; other TZIDs with the file's own VTIMEZONE.  Whole-file problems
 * (not iCalendar, too large, too many events, nesting) return NULL with a
 * message in *cause; rejected events are listed in the result.
 * RRULE and RECURRENCE-ID events are rejected: exports list each session.
 */
struct ics_import *ics_import_parse(const char *data, size_t len, const char *zone,
    char **cause);
void ics_import_free(struct ics_import *imp);

#endif
