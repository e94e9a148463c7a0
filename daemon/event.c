/*
 * event: dated events of a process and their invitees (see event.h).  A
 * row keeps the local start day, the start minute (NULL until the time is
 * known), and the end day and minute (NULL for an event without an end);
 * the commands (cmd_event.c), the agenda (agenda_event.c) and the drafts
 * read them through this file.
 */
#include "event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "entity.h"
#include "timefmt.h"
#include "xmalloc.h"

/* A local moment as minutes since day 0, for comparing. */
static long long
moment(int day, int minute)
{
	return (long long)day * 1440 + minute;
}

int
event_time_parse(const char *tz, const char *start, const char *end, struct event_time *t,
    char **cause)
{
	struct civil_moment s, e;
	time_t instant;

	if (civil_parse_moment(start, &s, cause) == -1)
		return -1;
	e.days = s.days;
	e.minute = CIVIL_NO_TIME;
	if (end != NULL && strlen(end) == 5 && end[2] == ':') {
		if (civil_parse_time(end, &e.minute, cause) == -1)
			return -1;
	} else if (end != NULL && civil_parse_moment(end, &e, cause) == -1)
		return -1;
	if (s.minute == CIVIL_NO_TIME && e.minute != CIVIL_NO_TIME)
		return set_cause(cause, "--end has a time but --start has none; give both "
		    "times, or neither for an event whose time is not known yet");
	if (end != NULL && s.minute != CIVIL_NO_TIME && e.minute == CIVIL_NO_TIME)
		return set_cause(cause, "--start has a time, so --end needs one too "
		    "(\"HH:MM\" or \"YYYY-MM-DD HH:MM\")");
	if ((s.minute != CIVIL_NO_TIME && end != NULL) ?
	    moment(e.days, e.minute) <= moment(s.days, s.minute) : e.days < s.days)
		return set_cause(cause, "--end must be after --start");
	if (s.minute != CIVIL_NO_TIME &&
	    (civil_to_utc_strict(tz, s.days, s.minute, &instant, cause) == -1 ||
	    (e.minute != CIVIL_NO_TIME &&
	    civil_to_utc_strict(tz, e.days, e.minute, &instant, cause) == -1)))
		return -1;
	t->day = s.days;
	t->minute = s.minute;
	t->end_day = e.days;
	t->end_minute = e.minute;
	return 0;
}

/* The text of a stored day, or NULL for an event without an end. */
static void
end_date(const struct event_time *t, char out[static 11])
{
	if (t->end_day != t->day || t->end_minute != CIVIL_NO_TIME)
		civil_format_date(t->end_day, out);
	else
		out[0] = '\0';
}

_Static_assert(CIVIL_NO_TIME == -1, "event SQL maps CIVIL_NO_TIME to NULL");

int
event_create(struct ikond *ikd, sqlite3_int64 process_id, sqlite3_int64 step_id,
    const char *title, const struct event_time *t, const char *location, sqlite3_int64 *id,
    char **cause)
{
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	char day[11], end[11], *uid;
	int rc;

	civil_format_date(t->day, day);
	end_date(t, end);
	uid = entity_new_uid("event");
	rc = store_exec(ikd->store, cause, "INSERT INTO event (process_id, step_id, title, "
	    "start_date, start_minute, end_date, end_minute, location, uid, created_at, "
	    "updated_at) VALUES (?, nullif(?, 0), ?, ?, nullif(?, -1), nullif(?, ''), "
	    "nullif(?, -1), coalesce(?, ''), ?, ?, ?)", "iittititiii", process_id, step_id,
	    title, day, (sqlite3_int64)t->minute, end, (sqlite3_int64)t->end_minute, location,
	    uid, now, now);
	free(uid);
	if (rc == -1)
		return -1;
	*id = store_last_id(ikd->store);
	return 0;
}

int
event_create_dated(struct ikond *ikd, sqlite3_int64 process_id, sqlite3_int64 step_id,
    const char *title, int day, sqlite3_int64 *id, char **cause)
{
	struct event_time t = { day, CIVIL_NO_TIME, day, CIVIL_NO_TIME };

	return event_create(ikd, process_id, step_id, title, &t, NULL, id, cause);
}

int
event_time_load(struct ikond *ikd, sqlite3_int64 id, struct event_time *t, char **cause)
{
	sqlite3_stmt *st;
	int rc = 0;

	switch (store_first(ikd->store, cause, &st, "SELECT start_date, "
	    "coalesce(start_minute, -1), coalesce(end_date, start_date), "
	    "coalesce(end_minute, -1) FROM event WHERE id = ?", "i", id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no event %lld", (long long)id);
	}
	if (civil_parse_date((const char *)sqlite3_column_text(st, 0), &t->day, cause) == -1 ||
	    civil_parse_date((const char *)sqlite3_column_text(st, 2), &t->end_day, cause) == -1)
		rc = -1;
	t->minute = sqlite3_column_int(st, 1);
	t->end_minute = sqlite3_column_int(st, 3);
	store_done(ikd->store, st);
	return rc;
}

int
event_time_store(struct ikond *ikd, sqlite3_int64 id, const struct event_time *t,
    char **cause)
{
	char day[11], end[11];

	civil_format_date(t->day, day);
	end_date(t, end);
	return store_exec(ikd->store, cause, "UPDATE event SET start_date = ?1, "
	    "start_minute = nullif(?2, -1), end_date = nullif(?3, ''), end_minute = nullif(?4, -1), "
	    "sequence = sequence + 1, updated_at = ?5 WHERE id = ?6 AND (start_date <> ?1 OR "
	    "start_minute IS NOT nullif(?2, -1) OR end_date IS NOT nullif(?3, '') OR "
	    "end_minute IS NOT nullif(?4, -1))", "titiii", day, (sqlite3_int64)t->minute, end,
	    (sqlite3_int64)t->end_minute, (sqlite3_int64)time(NULL), id) == -1 ? -1 : 0;
}

int
event_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause)
{
	if (entity_parse_id("event", text, id, cause) == -1)
		return -1;
	switch (store_exists(ikd->store, cause, "SELECT 1 FROM event WHERE id = ?", "i", *id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no event %s (see: ikond-ctl event list)", text);
	}
	return 0;
}

#define INVITEES_SQL "SELECT actor_id FROM event_invitee WHERE event_id = ?1 AND " \
	"actor_id IS NOT NULL UNION SELECT m.actor_id FROM event_invitee i JOIN membership m " \
	"ON m.committee_id = i.committee_id WHERE i.event_id = ?1"

int
event_invitees(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 **actors, size_t *n,
    char **cause)
{
	return store_get_ints(ikd->store, cause, actors, n, INVITEES_SQL " ORDER BY 1", "i", id);
}

/* The instant of a local moment as an ISO string, or JSON null. */
static json_t *
iso(struct ikond *ikd, int day, int minute)
{
	time_t t;

	if (minute == CIVIL_NO_TIME || civil_to_utc(ikd->cfg->body_timezone, day, minute, &t,
	    NULL, NULL) == -1)
		return json_null();
	return timefmt_iso_json(ikd->cfg->body_timezone, t);
}

json_t *
event_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	struct event_time t;
	json_t *obj;
	char day[11];

	if ((obj = entity_row(ikd, "event", "SELECT e.id, p.slug AS process, s.n AS step, "
	    "e.title, e.location, e.uid, e.sequence FROM event e JOIN process p ON "
	    "p.id = e.process_id LEFT JOIN process_step s ON s.id = e.step_id WHERE e.id = ?", id,
	    cause)) == NULL)
		return NULL;
	if (event_time_load(ikd, id, &t, cause) == -1 ||
	    entity_attach(obj, "invite", store_get_column(ikd->store, cause, "SELECT a.slug "
	    "FROM event_invitee i JOIN actor a ON a.id = i.actor_id WHERE i.event_id = ? "
	    "ORDER BY a.slug", "i", id)) == -1 ||
	    entity_attach(obj, "invite_committees", store_get_column(ikd->store, cause, "SELECT "
	    "c.slug FROM event_invitee i JOIN committee c ON c.id = i.committee_id WHERE "
	    "i.event_id = ? ORDER BY c.slug", "i", id)) == -1 ||
	    entity_attach(obj, "invitees", store_get_column(ikd->store, cause, "SELECT slug "
	    "FROM actor WHERE id IN (" INVITEES_SQL ") ORDER BY slug", "i", id)) == -1) {
		json_decref(obj);
		return NULL;
	}
	civil_format_date(t.day, day);
	json_object_set_new(obj, "date", json_string(day));
	civil_format_date(t.end_day, day);
	json_object_set_new(obj, "until", t.end_day > t.day ? json_string(day) : json_null());
	json_object_set_new(obj, "start", iso(ikd, t.day, t.minute));
	json_object_set_new(obj, "end", iso(ikd, t.end_day, t.end_minute));
	return obj;
}
