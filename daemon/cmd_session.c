/*
 * cmd_session: the "session" commands.  A session (Sitzung) is the anchor
 * of every deadline: adding, moving or cancelling one recomputes its
 * deadlines in the same transaction, and every change raises its sequence
 * number so calendar clients see the update.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deadline.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "german.h"
#include "planner.h"
#include "submission.h"
#include "timefmt.h"
#include "xmalloc.h"

#define TEXT_MAX_BYTES		500
#define DEFAULT_LENGTH		(3 * 3600)

static int
check_text(struct reply *rep, const char *opt, const char *text)
{
	if (text != NULL && !domain_text_valid(text, TEXT_MAX_BYTES, false))
		return reply_fail(rep, 1, "--%s must be 1 to %d bytes of text without control "
		    "characters", opt, TEXT_MAX_BYTES);
	return 0;
}

static int
check_state(struct reply *rep, const char *state)
{
	if (state != NULL && !vocab_has(session_states, state))
		return reply_fail(rep, 1, "unknown session state \"%.40s\"; valid: %s", state,
		    vocab_words(session_states));
	return 0;
}

static int
parse_time(struct request *req, struct reply *rep, const char *opt, time_t *t)
{
	const char *text = args_get(req->args, opt);
	char *cause = NULL, *msg;

	if (timefmt_parse_local(req->cfg->body_timezone, text, t, &cause) == -1) {
		xasprintf(&msg, "--%s: %s", opt, cause);
		free(cause);
		return reply_cause(rep, 1, msg);
	}
	return 0;
}

/* A session on a weekend, a holiday, a local day off or in a break is
 * accepted, with a warning (and a line in "status" while it is ahead). */
static void
warn_odd_day(struct request *req, struct reply *rep, time_t start)
{
	char why[300], day[11];
	int d;

	civil_from_utc(req->cfg->body_timezone, start, &d, NULL, NULL);
	if (!planner_odd_day(req->cfg->workcal, d, why, sizeof(why)))
		return;
	german_date_for_reader(d, day, sizeof(day));
	reply_warn(rep, "the session on %s falls on %s", day, why);
}

static int
session_add(struct request *req, struct reply *rep)
{
	const char *slug = args_get(req->args, "committee");
	const char *title = args_get(req->args, "title");
	const char *location = args_get(req->args, "location");
	const char *state = args_get(req->args, "state");
	struct ikond *ikd = req->ikd;
	time_t start, end, now = time(NULL);
	sqlite3_int64 cid, id;
	char *cause = NULL, *uid, *deftitle = NULL;
	json_t *committee;
	int rc;

	if (entity_committee_id(ikd, slug, &cid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (parse_time(req, rep, "start", &start) == -1)
		return -1;
	end = start + DEFAULT_LENGTH;
	if (args_get(req->args, "end") != NULL && parse_time(req, rep, "end", &end) == -1)
		return -1;
	if (end <= start)
		return reply_fail(rep, 1, "--end must be after --start");
	if (check_text(rep, "title", title) == -1 || check_text(rep, "location", location) == -1 ||
	    check_state(rep, state) == -1)
		return -1;
	if (title == NULL) {
		if ((committee = entity_committee(ikd, cid, &cause)) == NULL)
			return reply_cause(rep, 1, cause);
		xasprintf(&deftitle, "Sitzung %s", json_string_value(json_object_get(committee,
		    "name")));
		json_decref(committee);
		title = deftitle;
	}
	uid = entity_new_uid("session");
	rc = store_exec(ikd->store, &cause, "INSERT INTO session (committee_id, title, "
	    "start_utc, end_utc, location, state, uid, sequence, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)", "itiitttii", cid, title,
	    (sqlite3_int64)start, (sqlite3_int64)end, location ? location : "",
	    state ? state : "planned", uid, (sqlite3_int64)now, (sqlite3_int64)now);
	free(uid);
	free(deftitle);
	if (rc == -1)
		return reply_cause(rep, 1, cause);
	id = store_last_id(ikd->store);
	if (deadline_sync_session(ikd, id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "session", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_session(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	warn_odd_day(req, rep, start);
	return 0;
}

static int
session_list(struct request *req, struct reply *rep)
{
	const char *slug = args_get(req->args, "committee");
	const char *from = args_get(req->args, "from"), *to = args_get(req->args, "to");
	struct ikond *ikd = req->ikd;
	const char *tz = req->cfg->body_timezone;
	sqlite3_int64 cid = 0;
	time_t t_from = 0, t_to = 0;
	int d_from, d_to;
	char *cause = NULL;
	json_t *list, *obj;
	size_t i;

	if (slug != NULL && entity_committee_id(ikd, slug, &cid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (from != NULL) {
		if (civil_parse_date(from, &d_from, &cause) == -1 ||
		    civil_to_utc(tz, d_from, 0, &t_from, NULL, &cause) == -1)
			return reply_cause(rep, 2, cause);
	}
	if (to != NULL) {
		if (civil_parse_date(to, &d_to, &cause) == -1 ||
		    civil_to_utc(tz, d_to + 1, 0, &t_to, NULL, &cause) == -1)
			return reply_cause(rep, 2, cause);
	}
	if ((list = store_get_rows(ikd->store, &cause, "SELECT s.id, c.slug AS committee, "
	    "s.title, s.start_utc, s.end_utc, s.location, s.state, s.uid, s.sequence, s.url, "
	    ENTITY_SESSION_SOURCES " AS sources FROM session s JOIN committee c ON c.id = s.committee_id "
	    "WHERE (?1 = 0 OR s.committee_id = ?1) AND (?2 = 0 OR s.end_utc > ?2) "
	    "AND (?3 = 0 OR s.start_utc < ?3) ORDER BY s.start_utc, s.id", "iii", cid,
	    (sqlite3_int64)t_from, (sqlite3_int64)t_to)) == NULL)
		return reply_cause(rep, 1, cause);
	json_array_foreach(list, i, obj)
		entity_session_times(ikd, obj);
	rep->data = list;
	reply_columns(rep, "id committee start title location state");
	return 0;
}

static int
session_show(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;
	json_t *obj;

	if (entity_session_id(ikd, args_pos(req->args, 0), &id, &cause) == -1 ||
	    (obj = entity_session(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	if (entity_attach(obj, "deadlines", deadline_list_session(ikd, id, &cause)) == -1 ||
	    entity_attach(obj, "submissions", entity_list(ikd, entity_submission, &cause,
	    "SELECT submission_id FROM beratung WHERE session_id = ? ORDER BY submission_id", "i",
	    id)) == -1) {
		json_decref(obj);
		return reply_cause(rep, 1, cause);
	}
	rep->data = obj;
	return 0;
}

static int
session_edit(struct request *req, struct reply *rep)
{
	const char *slug = args_get(req->args, "committee");
	const char *title = args_get(req->args, "title");
	const char *location = args_get(req->args, "location");
	const char *state = args_get(req->args, "state");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, cid = 0, old_start, old_end;
	sqlite3_stmt *st;
	time_t start, end;
	char *cause = NULL;

	if (entity_session_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "session edit needs at least one of --committee, "
		    "--start, --end, --title, --location, --state");
	if (slug != NULL && entity_committee_id(ikd, slug, &cid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	switch (store_first(ikd->store, &cause, &st, "SELECT start_utc, end_utc FROM session "
	    "WHERE id = ?", "i", id)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 0:
		return reply_fail(rep, 1, "no session %lld", (long long)id);
	}
	old_start = sqlite3_column_int64(st, 0);
	old_end = sqlite3_column_int64(st, 1);
	store_done(ikd->store, st);
	start = (time_t)old_start;
	end = (time_t)old_end;
	if (args_get(req->args, "start") != NULL) {
		if (parse_time(req, rep, "start", &start) == -1)
			return -1;
		/* A moved session keeps its length unless --end says otherwise. */
		end = start + (time_t)(old_end - old_start);
	}
	if (args_get(req->args, "end") != NULL && parse_time(req, rep, "end", &end) == -1)
		return -1;
	if (end <= start)
		return reply_fail(rep, 1, "the end must be after the start");
	if (check_text(rep, "title", title) == -1 || check_text(rep, "location", location) == -1 ||
	    check_state(rep, state) == -1)
		return -1;
	if (store_exec(ikd->store, &cause, "UPDATE session SET "
	    "committee_id = CASE WHEN ?1 = 0 THEN committee_id ELSE ?1 END, "
	    "title = coalesce(?2, title), start_utc = ?3, end_utc = ?4, "
	    "location = coalesce(?5, location), state = coalesce(?6, state), "
	    "sequence = sequence + 1, updated_at = ?7 WHERE id = ?8", "itiittii", cid, title,
	    (sqlite3_int64)start, (sqlite3_int64)end, location, state,
	    (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	if (deadline_sync_session(ikd, id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "edit", "session", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_session(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	if (args_get(req->args, "start") != NULL)
		warn_odd_day(req, rep, start);
	return 0;
}

static int
session_cancel(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (entity_session_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_exec(ikd->store, &cause, "UPDATE session SET state = 'cancelled', "
	    "sequence = sequence + 1, updated_at = ? WHERE id = ? AND state <> 'cancelled'", "ii",
	    (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	if (deadline_sync_session(ikd, id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "cancel", "session", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = entity_session(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
session_remove(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, subs;
	char *cause = NULL;
	int removed;

	if (entity_session_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_get_int(ikd->store, &cause, &subs, "SELECT count(*) FROM beratung "
	    "WHERE session_id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (subs > 0 && !args_has(req->args, "force"))
		return reply_fail(rep, 1, "session %lld has %lld submission(s); nothing removed "
		    "(use --force to remove them too, or move them with submission beratung edit)",
		    (long long)id, (long long)subs);
	if (submission_leave_session(ikd, id, &removed, &cause) == -1 ||
	    store_exec(ikd->store, &cause, "DELETE FROM session WHERE id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "remove", "session", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	xasprintf(&rep->text, "removed session %lld and %d submission(s)", (long long)id,
	    removed);
	rep->data = json_pack("{s:I, s:i}", "removed", (json_int_t)id, "submissions", removed);
	return 0;
}

const struct handler session_handlers[] = {
	{ "session add", session_add },
	{ "session list", session_list },
	{ "session show", session_show },
	{ "session edit", session_edit },
	{ "session cancel", session_cancel },
	{ "session remove", session_remove },
	{ NULL, NULL },
};
