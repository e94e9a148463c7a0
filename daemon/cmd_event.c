/*
 * cmd_event: the "event" commands.  An event of a process (event.h) is
 * entered with what is known: a day for a workshop the plan foresees,
 * later its time, place and invitees.  The invitees are actors and
 * committees; "event edit" with --invite or --invite-committee replaces
 * them all, as "window edit --audience" does.  A moved start keeps the
 * event's length unless --end says otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "event.h"
#include "process.h"
#include "xmalloc.h"

#define TEXT_MAX_BYTES	300

static int
check_fields(struct request *req, struct reply *rep)
{
	const char *title = args_get(req->args, "title");
	const char *location = args_get(req->args, "location");

	if (title != NULL && !domain_text_valid(title, TEXT_MAX_BYTES, false))
		return reply_fail(rep, 1, "--title must be 1 to %d bytes of text without control "
		    "characters", TEXT_MAX_BYTES);
	if (location != NULL && location[0] != '\0' &&
	    !domain_text_valid(location, TEXT_MAX_BYTES, false))
		return reply_fail(rep, 1, "--location must be up to %d bytes of text without "
		    "control characters", TEXT_MAX_BYTES);
	if (args_count(req->args, "invite") + args_count(req->args, "invite-committee") >
	    EVENT_INVITEES_MAX)
		return reply_fail(rep, 1, "at most %d --invite and --invite-committee values",
		    EVENT_INVITEES_MAX);
	return 0;
}

/* The step of --step (its number n in the process); *step_id 0 without. */
static int
step_arg(struct request *req, struct reply *rep, sqlite3_int64 pid, sqlite3_int64 *step_id)
{
	const char *text = args_get(req->args, "step");
	sqlite3_int64 n;
	char *cause = NULL;

	*step_id = 0;
	if (text == NULL)
		return 0;
	if (entity_parse_id("step", text, &n, &cause) == -1)
		return reply_cause(rep, 1, cause);
	switch (store_get_int(req->ikd->store, &cause, step_id, "SELECT id FROM process_step "
	    "WHERE process_id = ? AND n = ?", "ii", pid, n)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 0:
		return reply_fail(rep, 1, "the process has no step %lld (see: ikond-ctl process "
		    "show)", (long long)n);
	}
	return 0;
}

/* Replaces the invitees with --invite and --invite-committee. */
static int
set_invitees(struct request *req, struct reply *rep, sqlite3_int64 id)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 who;
	const char *word;
	char *cause = NULL;
	size_t i;

	if (store_exec(ikd->store, &cause, "DELETE FROM event_invitee WHERE event_id = ?", "i",
	    id) == -1)
		return reply_cause(rep, 1, cause);
	for (i = 0; (word = args_nth(req->args, "invite", i)) != NULL; i++)
		if (entity_actor_id(ikd, word, &who, &cause) == -1 ||
		    store_exec(ikd->store, &cause, "INSERT OR IGNORE INTO event_invitee (event_id, "
		    "actor_id) VALUES (?, ?)", "ii", id, who) == -1)
			return reply_cause(rep, 1, cause);
	for (i = 0; (word = args_nth(req->args, "invite-committee", i)) != NULL; i++)
		if (entity_committee_id(ikd, word, &who, &cause) == -1 ||
		    store_exec(ikd->store, &cause, "INSERT OR IGNORE INTO event_invitee (event_id, "
		    "committee_id) VALUES (?, ?)", "ii", id, who) == -1)
			return reply_cause(rep, 1, cause);
	return 0;
}

/* The event as the reply, with a warning if it invites no one. */
static int
answer(struct ikond *ikd, struct reply *rep, sqlite3_int64 id)
{
	char *cause = NULL;

	if ((rep->data = event_json(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	if (json_array_size(json_object_get(rep->data, "invitees")) == 0)
		reply_warn(rep, "event %lld invites no one yet, so it reminds no one (give "
		    "--invite ACTOR or --invite-committee SLUG)", (long long)id);
	return 0;
}

static int
event_add(struct request *req, struct reply *rep)
{
	const char *title = args_get(req->args, "title");
	struct ikond *ikd = req->ikd;
	struct event_time t;
	sqlite3_int64 pid, step, id;
	char *cause = NULL;

	if (process_id(ikd, args_get(req->args, "process"), &pid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (check_fields(req, rep) == -1 || step_arg(req, rep, pid, &step) == -1)
		return -1;
	if (event_time_parse(req->cfg->body_timezone, args_get(req->args, "start"),
	    args_get(req->args, "end"), &t, &cause) == -1 ||
	    event_create(ikd, pid, step, title, &t, args_get(req->args, "location"), &id,
	    &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (set_invitees(req, rep, id) == -1)
		return -1;
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "event", id, title) == -1)
		return reply_cause(rep, 1, cause);
	return answer(ikd, rep, id);
}

static int
event_list(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, aid;
	char *cause = NULL;

	if (process_actor_filter(ikd, args_get(req->args, "process"),
	    args_get(req->args, "actor"), &pid, &aid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_list(ikd, event_json, &cause, "SELECT e.id FROM event e "
	    "WHERE (?1 = 0 OR e.process_id = ?1) AND (?2 = 0 OR EXISTS (SELECT 1 FROM "
	    "event_invitee i WHERE i.event_id = e.id AND (i.actor_id = ?2 OR i.committee_id IN "
	    "(SELECT committee_id FROM membership WHERE actor_id = ?2)))) "
	    "ORDER BY e.start_date, e.start_minute, e.id", "ii", pid, aid)) == NULL)
		return reply_cause(rep, 1, cause);
	reply_columns(rep, "id process step date start end location title");
	return 0;
}

static int
event_show(struct request *req, struct reply *rep)
{
	sqlite3_int64 id;
	char *cause = NULL;

	if (event_id(req->ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return answer(req->ikd, rep, id);
}

/*
 * The new time of an edited event: --start and --end as given; a new start
 * without --end moves the old end along when both are of one kind (timed
 * or all-day), else drops it; --end alone ends the event at the old start.
 */
static int
edited_time(struct request *req, struct reply *rep, const struct event_time *old,
    struct event_time *t)
{
	const char *start = args_get(req->args, "start"), *end = args_get(req->args, "end");
	char text[17], *cause = NULL;
	long long shift;

	if (start == NULL && end == NULL) {
		*t = *old;
		return 0;
	}
	if (start == NULL) {
		civil_format_date(old->day, text);
		if (EVENT_TIMED(old))
			snprintf(text + 10, sizeof(text) - 10, " %02u:%02u",
			    (unsigned)old->minute / 60u % 24u, (unsigned)old->minute % 60u);
		start = text;
	}
	if (event_time_parse(req->cfg->body_timezone, start, end != NULL && end[0] != '\0' ?
	    end : NULL, t, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (end != NULL || args_get(req->args, "start") == NULL ||
	    EVENT_TIMED(t) != EVENT_TIMED(old))
		return 0;
	if (!EVENT_TIMED(t))
		t->end_day = t->day + (old->end_day - old->day);
	else if (old->end_minute != CIVIL_NO_TIME) {
		shift = ((long long)old->end_day - old->day) * 1440 + old->end_minute -
		    old->minute + t->minute;
		t->end_day = t->day + (int)(shift / 1440);
		t->end_minute = (int)(shift % 1440);
	}
	return 0;
}

static int
event_edit(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	struct event_time old, t;
	sqlite3_int64 id, pid, step;
	char *cause = NULL;

	if (event_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "event edit needs at least one of --title, --start, --end, "
		    "--location, --step, --invite, --invite-committee");
	if (check_fields(req, rep) == -1)
		return -1;
	if (store_get_int(ikd->store, &cause, &pid, "SELECT process_id FROM event WHERE id = ?",
	    "i", id) == -1 || event_time_load(ikd, id, &old, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (step_arg(req, rep, pid, &step) == -1 || edited_time(req, rep, &old, &t) == -1)
		return -1;
	if (event_time_store(ikd, id, &t, &cause) == -1 ||
	    store_exec(ikd->store, &cause, "UPDATE event SET title = coalesce(?1, title), "
	    "location = coalesce(?2, location), step_id = CASE WHEN ?3 = 0 THEN step_id ELSE ?3 "
	    "END, sequence = sequence + 1, updated_at = ?4 WHERE id = ?5 AND (title <> "
	    "coalesce(?1, title) OR location <> coalesce(?2, location) OR (?3 <> 0 AND "
	    "step_id IS NOT ?3))", "ttiii", args_get(req->args, "title"),
	    args_get(req->args, "location"), step, (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	if (args_has(req->args, "invite") || args_has(req->args, "invite-committee")) {
		if (set_invitees(req, rep, id) == -1)
			return -1;
		if (store_exec(ikd->store, &cause, "UPDATE event SET sequence = sequence + 1, "
		    "updated_at = ? WHERE id = ?", "ii", (sqlite3_int64)time(NULL), id) == -1)
			return reply_cause(rep, 1, cause);
	}
	if (store_audit(ikd->store, &cause, req->peer.uid, "edit", "event", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	return answer(ikd, rep, id);
}

static int
event_remove(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (event_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_exec(ikd->store, &cause, "DELETE FROM event WHERE id = ?", "i", id) == -1 ||
	    store_audit(ikd->store, &cause, req->peer.uid, "remove", "event", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:I}", "removed", (json_int_t)id);
	return 0;
}

const struct handler event_handlers[] = {
	{ "event add", event_add },
	{ "event list", event_list },
	{ "event show", event_show },
	{ "event edit", event_edit },
	{ "event remove", event_remove },
	{ NULL, NULL },
};
