/*
 * agenda_event: the agenda collector for the events of a process (see
 * event.h and agenda.h).  An event concerns its invitees: the actors named
 * and the members of the committees invited; it passes the filter of each
 * invited committee and of its process.  A timed event is an instant span
 * (start only while its end is not known); one without a time is all-day
 * on its days.
 */
#include "agenda.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "civil.h"
#include "event.h"
#include "german.h"
#include "timefmt.h"
#include "xmalloc.h"

/* When it, from the event's local days and minutes. */
static void
place_in_time(const char *tz, struct agenda_item *it, const struct event_time *t)
{
	if (!EVENT_TIMED(t)) {
		it->all_day = true;
		it->start_days = t->day;
		it->end_days = t->end_day + 1;
		return;
	}
	civil_to_utc(tz, t->day, t->minute, &it->start, NULL, NULL);
	it->end = it->start;
	if (t->end_minute != CIVIL_NO_TIME)
		civil_to_utc(tz, t->end_day, t->end_minute, &it->end, NULL, NULL);
}

/* Adds the invitees of event it->id to it; 0 or -1. */
static int
invite(struct ikond *ikd, struct agenda *a, struct agenda_item *it, struct buf *d,
    char **cause)
{
	sqlite3_stmt *st;
	size_t named = 0;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT i.actor_id, i.committee_id, "
	    "coalesce(c.name, p.name) FROM event_invitee i LEFT JOIN committee c ON "
	    "c.id = i.committee_id LEFT JOIN actor p ON p.id = i.actor_id WHERE i.event_id = ? "
	    "ORDER BY i.committee_id IS NULL, i.rowid", "i", it->id)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			agenda_add_actor(it, sqlite3_column_int64(st, 0));
		else {
			agenda_add_committee(it, sqlite3_column_int64(st, 1));
			agenda_add_members(a, it, sqlite3_column_int64(st, 1));
		}
		buf_printf(d, "%s%s", named++ == 0 ? "Eingeladen: " : ", ",
		    sqlite3_column_text(st, 2));
	}
	store_done(ikd->store, st);
	if (named > 0)
		buf_add_char(d, '\n');
	return rc;
}

int
agenda_collect_events(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	struct agenda_item *it;
	struct event_time t;
	sqlite3_stmt *st;
	char from[11], to[11], *when;
	struct buf d;
	int rc;

	civil_format_date(f->from_days, from);
	civil_format_date(f->to_days, to);
	if ((st = store_query(ikd->store, cause, "SELECT e.id, e.uid, e.title, e.location, "
	    "e.sequence, e.updated_at, e.process_id, p.name, s.n, s.title FROM event e "
	    "JOIN process p ON p.id = e.process_id LEFT JOIN process_step s ON s.id = e.step_id "
	    "WHERE coalesce(e.end_date, e.start_date) >= ?1 AND e.start_date <= ?2 "
	    "AND (?3 = 0 OR e.process_id = ?3) ORDER BY e.start_date, e.id", "tti", from, to,
	    f->process_id)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		it = agenda_add(a);
		it->kind = AGENDA_EVENT;
		it->reminder_kind = xstrdup("event");
		it->id = sqlite3_column_int64(st, 0);
		it->uid = store_column_dup(st, 1);
		it->title = store_column_dup(st, 2);
		it->location = store_column_dup(st, 3);
		it->sequence = sqlite3_column_int(st, 4);
		it->updated = (time_t)sqlite3_column_int64(st, 5);
		it->process_id = sqlite3_column_int64(st, 6);
		if (event_time_load(ikd, it->id, &t, cause) == -1) {
			rc = -1;
			break;
		}
		place_in_time(tz, it, &t);
		when = german_when(t.day, t.minute, t.end_day, t.end_minute);
		buf_init(&d);
		buf_printf(&d, "Veranstaltung im Integrationskonzept: %s\n",
		    sqlite3_column_text(st, 7));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			buf_printf(&d, "Schritt %d: %s\n", sqlite3_column_int(st, 8),
			    sqlite3_column_text(st, 9));
		buf_printf(&d, "Termin: %s\n", when);
		buf_printf(&d, "Ort: %s\n", it->location[0] != '\0' ? it->location :
		    "wird noch mitgeteilt");
		free(when);
		rc = invite(ikd, a, it, &d, cause);
		it->description = agenda_description(a, &d);
		if (rc == -1)
			break;
		agenda_keep_if_matches(a, f);
	}
	store_done(ikd->store, st);
	return rc;
}
