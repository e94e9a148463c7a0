/*
 * cmd_evaluation: the "evaluation" commands.  An evaluation is a recurring
 * review of the concept and its measures (quality management), stored as a
 * start date and an RFC 5545 RRULE.  ikond expands the rule itself so that
 * an occurrence on a weekend or holiday can follow the configured roll;
 * each occurrence is known by its nominal date and can be marked done with
 * a note.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "process.h"
#include "xmalloc.h"

#define TITLE_MAX_BYTES	300
#define NOTE_MAX_BYTES	2000
#define DEFAULT_COUNT	3
#define MAX_COUNT	100

static int
evaluation_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause)
{
	if (entity_parse_id("evaluation", text, id, cause) == -1)
		return -1;
	switch (store_exists(ikd->store, cause, "SELECT 1 FROM evaluation WHERE id = ?", "i",
	    *id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no evaluation %s (see: ikond-ctl evaluation list)", text);
	}
	return 0;
}

/* The occurrences of evaluation id from day from on, at most count; NULL
 * with *cause. */
static json_t *
occurrences(struct ikond *ikd, sqlite3_int64 id, const char *start_text, const char *rrule,
    int from, size_t count, char **cause)
{
	const struct config *cfg = ikd->cfg;
	struct occurrence *occ = NULL;
	json_t *list = json_array(), *obj;
	char nominal[11], due[11], *note;
	size_t i, n = 0;
	int start, rc;

	if (civil_parse_date(start_text, &start, NULL) == -1 ||
	    process_occurrences(rrule, start, from, process_series_end(cfg,
	    process_today(ikd), from), cfg->process.evaluation_roll, cfg->workcal, &occ, &n, count, NULL) == -1)
		return list;
	for (i = 0; i < n; i++) {
		civil_format_date(occ[i].nominal, nominal);
		civil_format_date(occ[i].due, due);
		obj = json_pack("{s:s, s:s, s:b}", "date", due, "nominal", nominal, "moved",
		    occ[i].due != occ[i].nominal);
		json_array_append_new(list, obj);
		if (occ[i].due != occ[i].nominal)
			json_object_set_new(obj, "reason", json_string(workcal_reason(cfg->workcal,
			    occ[i].nominal)));
		if ((rc = store_get_text(ikd->store, cause, &note, "SELECT note FROM "
		    "evaluation_done WHERE evaluation_id = ? AND occurrence = ?", "it", id,
		    nominal)) == -1) {
			json_decref(list);
			list = NULL;
			break;
		}
		json_object_set_new(obj, "done", json_boolean(rc == 1));
		if (rc == 1) {
			json_object_set_new(obj, "note", json_string(note));
			free(note);
		}
	}
	free(occ);
	return list;
}

#define EVALUATION_SQL "SELECT e.id, p.slug AS process, e.title, a.slug AS owner, " \
	"c.slug AS committee, e.start_date AS start, e.rrule, e.uid, e.sequence " \
	"FROM evaluation e JOIN process p ON p.id = e.process_id " \
	"JOIN actor a ON a.id = e.owner_id LEFT JOIN committee c ON c.id = e.committee_id "

/* Which occurrences evaluation_json() lists. */
struct occurrence_range {
	struct ikond	*ikd;
	int		 from;		/* from this day on */
	size_t		 count;		/* at most this many */
};

/* The evaluation on the current row of st with its occurrences (a
 * store_row_fn); NULL with *cause. */
static json_t *
evaluation_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct occurrence_range *r = arg;
	json_t *obj, *occ;

	if ((occ = occurrences(r->ikd, sqlite3_column_int64(st, 0), (const char *)
	    sqlite3_column_text(st, 5), (const char *)sqlite3_column_text(st, 6), r->from,
	    r->count, cause)) == NULL)
		return NULL;
	obj = store_row_json(st);
	json_object_set(obj, "next", json_array_get(occ, 0) ? json_object_get(json_array_get(occ,
	    0), "date") : json_null());
	json_object_set_new(obj, "occurrences", occ);
	return obj;
}

static json_t *
one(struct ikond *ikd, sqlite3_int64 id, int from, size_t count, char **cause)
{
	struct occurrence_range r = { ikd, from, count };
	sqlite3_stmt *st;
	json_t *obj;

	switch (store_first(ikd->store, cause, &st, EVALUATION_SQL "WHERE e.id = ?", "i", id)) {
	case -1:
		return NULL;
	case 0:
		set_cause(cause, "no evaluation %lld", (long long)id);
		return NULL;
	}
	obj = evaluation_json(st, &r, cause);
	store_done(ikd->store, st);
	return obj;
}

/* A series from the 29th to the 31st loses the months without that day;
 * say so while the admin can still choose BYMONTHDAY=-1. */
static void
warn_skipped_months(struct reply *rep)
{
	const char *start = json_string_value(json_object_get(rep->data, "start"));
	const char *rrule = json_string_value(json_object_get(rep->data, "rrule"));
	int d, skip;

	if (start == NULL || rrule == NULL || civil_parse_date(start, &d, NULL) == -1)
		return;
	if ((skip = process_rrule_skip_day(rrule, d)) != 0)
		reply_warn(rep, "the series starts on day %d of its month, so months or years "
		    "without that day have no date (RFC 5545); for the last day of each month "
		    "add BYMONTHDAY=-1 to --rrule", skip);
}

static int
evaluation_add(struct request *req, struct reply *rep)
{
	const char *process = args_get(req->args, "process"), *title = args_get(req->args, "title");
	const char *owner = args_get(req->args, "owner"), *start = args_get(req->args, "start");
	const char *rrule = args_get(req->args, "rrule");
	const char *committee = args_get(req->args, "committee");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, oid, cid = 0, id, now = (sqlite3_int64)time(NULL);
	char *cause = NULL, *uid, day[11];
	int d, rc;

	if (process_id(ikd, process, &pid, &cause) == -1 ||
	    entity_actor_id(ikd, owner, &oid, &cause) == -1 ||
	    (committee != NULL && entity_committee_id(ikd, committee, &cid, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (!domain_text_valid(title, TITLE_MAX_BYTES, false))
		return reply_fail(rep, 1, "--title must be 1 to %d bytes of text", TITLE_MAX_BYTES);
	if (civil_parse_date(start, &d, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (process_rrule_check(rrule, &cause) == -1)
		return reply_cause(rep, 1, cause);
	civil_format_date(d, day);
	uid = entity_new_uid("evaluation");
	rc = store_exec(ikd->store, &cause, "INSERT INTO evaluation (process_id, title, owner_id, "
	    "committee_id, start_date, rrule, uid, created_at, updated_at) VALUES (?, ?, ?, "
	    "nullif(?, 0), ?, ?, ?, ?, ?)", "itiitttii", pid, title, oid, cid, day, rrule, uid,
	    now, now);
	free(uid);
	if (rc == -1)
		return reply_cause(rep, 1, cause);
	id = store_last_id(ikd->store);
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "evaluation", id, title) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = one(ikd, id, d, DEFAULT_COUNT, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	warn_skipped_months(rep);
	return 0;
}

static int
evaluation_list(struct request *req, struct reply *rep)
{
	const char *process = args_get(req->args, "process"), *from = args_get(req->args, "from");
	const char *count_text = args_get(req->args, "count");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid = 0, count = DEFAULT_COUNT;
	struct occurrence_range r;
	char *cause = NULL;
	int d = process_today(ikd);

	if (process != NULL && process_id(ikd, process, &pid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (from != NULL && civil_parse_date(from, &d, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (count_text != NULL && (entity_parse_id("count", count_text, &count, &cause) == -1 ||
	    count > MAX_COUNT)) {
		free(cause);
		return reply_fail(rep, 1, "--count must be between 1 and %d", MAX_COUNT);
	}
	r.ikd = ikd;
	r.from = d;
	r.count = (size_t)count;
	if ((rep->data = store_get_list(ikd->store, &cause, evaluation_json, &r, EVALUATION_SQL
	    "WHERE (?1 = 0 OR e.process_id = ?1) ORDER BY e.id", "i", pid)) == NULL)
		return reply_cause(rep, 1, cause);
	reply_columns(rep, "id process title owner committee rrule next");
	return 0;
}

static int
evaluation_done(struct request *req, struct reply *rep)
{
	const char *date = args_pos(req->args, 1), *note = args_get(req->args, "note");
	struct ikond *ikd = req->ikd;
	struct occurrence *occ = NULL;
	sqlite3_int64 id;
	char *cause = NULL, nominal[11], *start = NULL, *rrule = NULL;
	sqlite3_stmt *st;
	size_t i, n = 0;
	int d, s, found = -1;

	if (evaluation_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (civil_parse_date(date, &d, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (note != NULL && note[0] != '\0' && !domain_text_valid(note, NOTE_MAX_BYTES, true))
		return reply_fail(rep, 1, "--note must be up to %d bytes of text", NOTE_MAX_BYTES);
	switch (store_first(ikd->store, &cause, &st, "SELECT start_date, rrule FROM evaluation "
	    "WHERE id = ?", "i", id)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 1:
		start = store_column_dup(st, 0);
		rrule = store_column_dup(st, 1);
		store_done(ikd->store, st);
		break;
	}
	if (start != NULL && civil_parse_date(start, &s, NULL) == 0 &&
	    process_occurrences(rrule, s, d - 31, d + 31, ikd->cfg->process.evaluation_roll,
	    ikd->cfg->workcal, &occ, &n, 200, &cause) == 0) {
		for (i = 0; i < n && found == -1; i++)
			if (occ[i].due == d || occ[i].nominal == d)
				found = occ[i].nominal;
	}
	free(start);
	free(rrule);
	free(occ);
	if (found == -1) {
		free(cause);
		return reply_fail(rep, 1, "evaluation %lld has no occurrence on %s (see: ikond-ctl "
		    "evaluation list)", (long long)id, date);
	}
	civil_format_date(found, nominal);
	if (store_exec(ikd->store, &cause, "INSERT INTO evaluation_done (evaluation_id, "
	    "occurrence, note, done_at) VALUES (?1, ?2, coalesce(?3, ''), ?4) ON CONFLICT "
	    "(evaluation_id, occurrence) DO UPDATE SET note = coalesce(?3, note), done_at = ?4",
	    "itti", id, nominal, note, (sqlite3_int64)time(NULL)) == -1 ||
	    store_exec(ikd->store, &cause, "UPDATE evaluation SET sequence = sequence + 1, "
	    "updated_at = ? WHERE id = ?", "ii", (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "done", "evaluation", id, nominal) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = one(ikd, id, found, 1, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
evaluation_show(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (evaluation_id(ikd, args_pos(req->args, 0), &id, &cause) == -1 ||
	    (rep->data = one(ikd, id, process_today(ikd), DEFAULT_COUNT, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
evaluation_edit(struct request *req, struct reply *rep)
{
	const char *title = args_get(req->args, "title"), *owner = args_get(req->args, "owner");
	const char *start = args_get(req->args, "start"), *rrule = args_get(req->args, "rrule");
	const char *committee = args_get(req->args, "committee");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, oid = 0, cid = 0;
	char *cause = NULL, day[11] = "";
	int d;

	if (evaluation_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "evaluation edit needs at least one of --title, --owner, "
		    "--start, --rrule, --committee");
	if (title != NULL && !domain_text_valid(title, TITLE_MAX_BYTES, false))
		return reply_fail(rep, 1, "--title must be 1 to %d bytes of text", TITLE_MAX_BYTES);
	if ((owner != NULL && entity_actor_id(ikd, owner, &oid, &cause) == -1) ||
	    (committee != NULL && committee[0] != '\0' &&
	    entity_committee_id(ikd, committee, &cid, &cause) == -1) ||
	    (rrule != NULL && process_rrule_check(rrule, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (start != NULL) {
		if (civil_parse_date(start, &d, &cause) == -1)
			return reply_cause(rep, 1, cause);
		civil_format_date(d, day);
	}
	/* --committee "" reports to no committee any more. */
	if (store_exec(ikd->store, &cause, "UPDATE evaluation SET title = coalesce(?1, title), "
	    "owner_id = CASE WHEN ?2 = 0 THEN owner_id ELSE ?2 END, "
	    "start_date = coalesce(nullif(?3, ''), start_date), rrule = coalesce(?4, rrule), "
	    "committee_id = CASE WHEN ?5 IS NULL THEN committee_id ELSE nullif(?6, 0) END, "
	    "sequence = sequence + 1, updated_at = ?7 WHERE id = ?8", "titttiii", title, oid,
	    day, rrule, committee, cid, (sqlite3_int64)time(NULL), id) == -1 ||
	    store_audit(ikd->store, &cause, req->peer.uid, "edit", "evaluation", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = one(ikd, id, process_today(ikd), DEFAULT_COUNT, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	if (start != NULL || rrule != NULL)
		warn_skipped_months(rep);
	return 0;
}

static int
evaluation_remove(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (evaluation_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_exec(ikd->store, &cause, "DELETE FROM evaluation WHERE id = ?", "i", id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "remove", "evaluation", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:I}", "removed", (json_int_t)id);
	return 0;
}

const struct handler evaluation_handlers[] = {
	{ "evaluation add", evaluation_add },
	{ "evaluation list", evaluation_list },
	{ "evaluation show", evaluation_show },
	{ "evaluation edit", evaluation_edit },
	{ "evaluation done", evaluation_done },
	{ "evaluation remove", evaluation_remove },
	{ NULL, NULL },
};
