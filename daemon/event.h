/*
 * event: dated events of a process (the workshops of step 6, hearings,
 * Zukunftswerkstätten), each with a title, a place, a day and, once it is
 * known, a time, and with its invitees: actors, and every member of the
 * committees invited.  An event without a time is all-day on its day(s),
 * the time to follow; one without a place says so.  Events are in the
 * feeds of their invitees, committees and process (agenda_event.c), remind
 * their invitees and fill the invitation letters (draft.c).
 *
 * Times are local to the body's zone and stored as local day and minute,
 * as the deadlines are.  Every function works inside the caller's
 * transaction; none writes the audit log.
 */
#ifndef IKOND_EVENT_H
#define IKOND_EVENT_H

#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "ikond.h"

#define EVENT_INVITEES_MAX	100	/* actors and committees named per event */

/* When an event takes place, in local days and minutes. */
struct event_time {
	int	day;		/* first day */
	int	minute;		/* start, or CIVIL_NO_TIME while it is not known */
	int	end_day;	/* last day; day itself for a one-day event */
	int	end_minute;	/* end, or CIVIL_NO_TIME (not known, or all-day) */
};

/*
 * Reads --start ("YYYY-MM-DD" or "YYYY-MM-DD HH:MM") and --end (NULL for
 * none, "HH:MM" on the start day, or a day or day and time like --start)
 * in zone tz.  A start without a time makes an all-day event, which may
 * end on a later day; a start with a time needs an end with one.  The end
 * must not come before the start, and no time may fall into a DST gap.
 */
int event_time_parse(const char *tz, const char *start, const char *end,
    struct event_time *t, char **cause);
/* True if the event has a start time. */
#define EVENT_TIMED(t)	((t)->minute != CIVIL_NO_TIME)

/* Creates an event; step_id 0 for none, location NULL or "" while it is
 * not known. */
int event_create(struct ikond *ikd, sqlite3_int64 process_id, sqlite3_int64 step_id,
    const char *title, const struct event_time *t, const char *location, sqlite3_int64 *id,
    char **cause);
/* An event of a process step all day on day, time and place to follow
 * (what the planner creates for a workshop). */
int event_create_dated(struct ikond *ikd, sqlite3_int64 process_id, sqlite3_int64 step_id,
    const char *title, int day, sqlite3_int64 *id, char **cause);
/* The stored time of an event; 0 or -1. */
int event_time_load(struct ikond *ikd, sqlite3_int64 id, struct event_time *t, char **cause);
/* Stores a new time; the event's sequence grows. */
int event_time_store(struct ikond *ikd, sqlite3_int64 id, const struct event_time *t,
    char **cause);

/* Resolves an event id as typed; the message names the bad word. */
int event_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause);
/* The actors the event invites, directly or as members of an invited
 * committee: sorted, each once.  0 or -1. */
int event_invitees(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 **actors, size_t *n,
    char **cause);
/* The event as JSON: {id, process, step, title, date, until, start, end,
 * location, invite [actor slugs], invite_committees [committee slugs],
 * invitees [actor slugs], uid, sequence}; NULL with *cause. */
json_t *event_json(struct ikond *ikd, sqlite3_int64 id, char **cause);

#endif
