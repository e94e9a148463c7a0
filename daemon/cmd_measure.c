/*
 * cmd_measure: the "measure" commands.  Measures (Maßnahmen) are the
 * operational targets of the adopted concept, each with a responsible
 * actor, a budget in the Haushaltsjahr it is planned for, and a due date,
 * as the seed's third component asks.  An open measure past its due date
 * is flagged here and in "status".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "german.h"
#include "process.h"
#include "xmalloc.h"

#define TEXT_MAX_BYTES		500
#define NOTES_MAX_BYTES		2000
#define YEAR_MIN		1900	/* Haushaltsjahr, as the schema checks it */
#define YEAR_MAX		2999

/* The Haushaltsjahr of --year in *year, -1 without. */
static int
parse_year(const char *text, sqlite3_int64 *year, char **cause)
{
	*year = -1;
	if (text == NULL)
		return 0;
	if (entity_parse_id("year", text, year, NULL) == -1 || *year < YEAR_MIN ||
	    *year > YEAR_MAX)
		return set_cause(cause, "--year \"%.20s\" is not a Haushaltsjahr (%d to %d)", text,
		    YEAR_MIN, YEAR_MAX);
	return 0;
}

static int
check_fields(struct request *req, struct reply *rep, sqlite3_int64 *budget, char due[11],
    sqlite3_int64 *year)
{
	const char *title = args_get(req->args, "title"), *goal = args_get(req->args, "goal");
	const char *notes = args_get(req->args, "notes"), *b = args_get(req->args, "budget");
	const char *d = args_get(req->args, "due");
	char *cause = NULL;
	int days;

	if (title != NULL && !domain_text_valid(title, TEXT_MAX_BYTES, false))
		return reply_fail(rep, 1, "--title must be 1 to %d bytes of text", TEXT_MAX_BYTES);
	if (goal != NULL && goal[0] != '\0' && !domain_text_valid(goal, NOTES_MAX_BYTES, true))
		return reply_fail(rep, 1, "--goal must be up to %d bytes of text", NOTES_MAX_BYTES);
	if (notes != NULL && notes[0] != '\0' && !domain_text_valid(notes, NOTES_MAX_BYTES, true))
		return reply_fail(rep, 1, "--notes must be up to %d bytes of text", NOTES_MAX_BYTES);
	*budget = -1;
	if ((b != NULL && domain_parse_euros("budget", b, budget, &cause) == -1) ||
	    parse_year(args_get(req->args, "year"), year, &cause) == -1)
		return reply_cause(rep, 1, cause);
	due[0] = '\0';
	if (d != NULL) {
		if (civil_parse_date(d, &days, &cause) == -1)
			return reply_cause(rep, 1, cause);
		civil_format_date(days, due);
	}
	return 0;
}

#define MEASURE_SQL "SELECT m.id, p.slug AS process, m.title, m.goal, a.slug AS owner, " \
	"CASE WHEN m.budget_cents IS NULL THEN NULL ELSE printf('%d.%02d', " \
	"m.budget_cents / 100, m.budget_cents % 100) END AS budget_eur, m.budget_year AS year, " \
	"m.due_date AS due, " \
	"m.state, m.done_date AS done, m.notes, m.state = 'open' AND m.due_date < ?2 AS overdue, " \
	"m.uid, m.sequence FROM measure m JOIN process p ON p.id = m.process_id " \
	"JOIN actor a ON a.id = m.owner_id "

/* The stored 0/1 of the column "overdue" as a JSON boolean. */
static void
overdue_boolean(json_t *obj)
{
	json_object_set_new(obj, "overdue", json_boolean(json_integer_value(json_object_get(obj,
	    "overdue"))));
}

static json_t *
measure_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	char today[11];
	json_t *obj = NULL;

	civil_format_date(process_today(ikd), today);
	switch (store_get_row(ikd->store, cause, &obj, MEASURE_SQL "WHERE m.id = ?1", "it", id,
	    today)) {
	case 0:
		set_cause(cause, "no measure %lld", (long long)id);
		break;
	case 1:
		overdue_boolean(obj);
		break;
	}
	return obj;
}

static int
measure_id(struct ikond *ikd, const char *text, sqlite3_int64 *id, char **cause)
{
	if (entity_parse_id("measure", text, id, cause) == -1)
		return -1;
	switch (store_exists(ikd->store, cause, "SELECT 1 FROM measure WHERE id = ?", "i", *id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no measure %s (see: ikond-ctl measure list)", text);
	}
	return 0;
}

static int
measure_add(struct request *req, struct reply *rep)
{
	const char *process = args_get(req->args, "process"), *title = args_get(req->args, "title");
	const char *owner = args_get(req->args, "owner");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, oid, budget, year, id, now = (sqlite3_int64)time(NULL);
	char due[11], said[11], *cause = NULL, *uid;
	int rc;

	if (process_id(ikd, process, &pid, &cause) == -1 ||
	    entity_actor_id(ikd, owner, &oid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (check_fields(req, rep, &budget, due, &year) == -1)
		return -1;
	uid = entity_new_uid("measure");
	rc = store_exec(ikd->store, &cause, "INSERT INTO measure (process_id, title, goal, "
	    "owner_id, budget_cents, due_date, notes, uid, created_at, updated_at, budget_year) "
	    "VALUES (?1, ?2, coalesce(?3, ''), ?4, CASE WHEN ?5 < 0 THEN NULL ELSE ?5 END, "
	    "nullif(?6, ''), coalesce(?7, ''), ?8, ?9, ?9, nullif(?10, -1))", "ittiitttii", pid,
	    title, args_get(req->args, "goal"), oid, budget, due, args_get(req->args, "notes"),
	    uid, now, year);
	free(uid);
	if (rc == -1)
		return reply_cause(rep, 1, cause);
	id = store_last_id(ikd->store);
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "measure", id, title) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = measure_json(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	if (json_is_true(json_object_get(rep->data, "overdue"))) {
		german_iso_for_reader(due, said, sizeof(said));
		reply_warn(rep, "the due date %s has passed; the measure is flagged as overdue",
		    said);
	}
	return 0;
}

static int
measure_list(struct request *req, struct reply *rep)
{
	const char *process = args_get(req->args, "process"), *owner = args_get(req->args, "owner");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid = 0, oid = 0;
	char *cause = NULL, today[11];
	json_t *list, *obj;
	size_t i;

	if ((process != NULL && process_id(ikd, process, &pid, &cause) == -1) ||
	    (owner != NULL && entity_actor_id(ikd, owner, &oid, &cause) == -1))
		return reply_cause(rep, 1, cause);
	civil_format_date(process_today(ikd), today);
	if ((list = store_get_rows(ikd->store, &cause, MEASURE_SQL "WHERE (?1 = 0 OR "
	    "m.process_id = ?1) AND (?3 = 0 OR m.owner_id = ?3) AND (?4 = 0 OR "
	    "(m.state = 'open' AND m.due_date < ?2)) ORDER BY m.due_date IS NULL, m.due_date, "
	    "m.id", "itii", pid, today, oid, (sqlite3_int64)args_has(req->args, "overdue")))
	    == NULL)
		return reply_cause(rep, 1, cause);
	json_array_foreach(list, i, obj)
		overdue_boolean(obj);
	rep->data = list;
	reply_columns(rep, "id process title owner budget_eur year due state overdue");
	return 0;
}

static int
measure_show(struct request *req, struct reply *rep)
{
	sqlite3_int64 id;
	char *cause = NULL;

	if (measure_id(req->ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = measure_json(req->ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
measure_edit(struct request *req, struct reply *rep)
{
	const char *owner = args_get(req->args, "owner");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id, oid = 0, budget, year;
	char due[11], *cause = NULL;

	if (measure_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "measure edit needs at least one of --title, --owner, "
		    "--goal, --budget, --year, --due, --notes, --reopen");
	if (owner != NULL && entity_actor_id(ikd, owner, &oid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (check_fields(req, rep, &budget, due, &year) == -1)
		return -1;
	if (store_exec(ikd->store, &cause, "UPDATE measure SET title = coalesce(?1, title), "
	    "goal = coalesce(?2, goal), owner_id = CASE WHEN ?3 = 0 THEN owner_id ELSE ?3 END, "
	    "budget_cents = CASE WHEN ?4 < 0 THEN budget_cents ELSE ?4 END, "
	    "due_date = coalesce(nullif(?5, ''), due_date), notes = coalesce(?6, notes), "
	    "state = CASE WHEN ?7 THEN 'open' ELSE state END, "
	    "done_date = CASE WHEN ?7 THEN NULL ELSE done_date END, "
	    "budget_year = CASE WHEN ?10 < 0 THEN budget_year ELSE ?10 END, "
	    "sequence = sequence + 1, updated_at = ?8 WHERE id = ?9", "ttiittiiii",
	    args_get(req->args, "title"), args_get(req->args, "goal"), oid, budget, due,
	    args_get(req->args, "notes"), (sqlite3_int64)args_has(req->args, "reopen"),
	    (sqlite3_int64)time(NULL), id, year) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "edit", "measure", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = measure_json(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
measure_done(struct request *req, struct reply *rep)
{
	const char *date = args_get(req->args, "date"), *notes = args_get(req->args, "notes");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL, day[11];
	int d = process_today(ikd);

	if (measure_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (date != NULL && civil_parse_date(date, &d, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (notes != NULL && notes[0] != '\0' && !domain_text_valid(notes, NOTES_MAX_BYTES, true))
		return reply_fail(rep, 1, "--notes must be up to %d bytes of text", NOTES_MAX_BYTES);
	civil_format_date(d, day);
	if (store_exec(ikd->store, &cause, "UPDATE measure SET state = 'done', done_date = ?, "
	    "notes = coalesce(?, notes), sequence = sequence + 1, updated_at = ? WHERE id = ?",
	    "ttii", day, notes, (sqlite3_int64)time(NULL), id) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "done", "measure", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = measure_json(ikd, id, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
measure_remove(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 id;
	char *cause = NULL;

	if (measure_id(ikd, args_pos(req->args, 0), &id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_exec(ikd->store, &cause, "DELETE FROM measure WHERE id = ?", "i", id) == -1 ||
	    store_audit(ikd->store, &cause, req->peer.uid, "remove", "measure", id, NULL) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:I}", "removed", (json_int_t)id);
	return 0;
}

const struct handler measure_handlers[] = {
	{ "measure add", measure_add },
	{ "measure list", measure_list },
	{ "measure show", measure_show },
	{ "measure edit", measure_edit },
	{ "measure done", measure_done },
	{ "measure remove", measure_remove },
	{ NULL, NULL },
};
