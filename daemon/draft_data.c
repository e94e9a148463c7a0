/*
 * draft_data: the data tree drafts are rendered against (templates/README.md,
 * "The data").  Every entity starts as entity.c's JSON object, the one shape
 * replies, feeds and mails use too; a draft then gets its references
 * expanded (a session's committee, a submission's owner and session become
 * the objects) and the forms a reader needs beside the stored values:
 * German dates ("_de"), the body and committees in every case ("nom",
 * "dat", "in" ...), greetings.  Only what a reader should read goes in:
 * the planner's notes and derivations stay out.  What does not exist yet
 * is null, so a template can say so.
 */
#include "draft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "deadline.h"
#include "domain.h"
#include "entity.h"
#include "event.h"
#include "german.h"
#include "process.h"
#include "store.h"
#include "submission.h"
#include "timeline.h"
#include "xmalloc.h"

#define NEXT_OCCURRENCES	3		/* evaluation dates a draft lists */
#define NEXT_HORIZON_DAYS	(366 * 30)

static const struct vocab land_names[] = {
	{ "BW", "Baden-Württemberg" }, { "BY", "Bayern" }, { "BE", "Berlin" },
	{ "BB", "Brandenburg" }, { "HB", "Bremen" }, { "HH", "Hamburg" },
	{ "HE", "Hessen" }, { "MV", "Mecklenburg-Vorpommern" }, { "NI", "Niedersachsen" },
	{ "NW", "Nordrhein-Westfalen" }, { "RP", "Rheinland-Pfalz" }, { "SL", "Saarland" },
	{ "SN", "Sachsen" }, { "ST", "Sachsen-Anhalt" }, { "SH", "Schleswig-Holstein" },
	{ "TH", "Thüringen" }, { NULL, NULL },
};

static const struct vocab step_states_de[] = {
	{ "open", "geplant" },
	{ "in_progress", "läuft" },
	{ "done", "erledigt" },
	{ "skipped", "übersprungen" },
	{ NULL, NULL },
};

/* The templates' words for the stored step states. */
static const struct vocab step_states_draft[] = {
	{ "open", "planned" },
	{ "in_progress", "active" },
	{ "done", "done" },
	{ "skipped", "skipped" },
	{ NULL, NULL },
};

static const struct vocab measure_states_de[] = {
	{ "open", "offen" },
	{ "done", "erledigt" },
	{ NULL, NULL },
};

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Sets key to the ISO date and key_de to its German form (long or short);
 * both null for a NULL or malformed date, key_de then says so plainly. */
static void
set_date(json_t *obj, const char *key, const char *iso, bool long_form, const char *none_de)
{
	char de[GERMAN_DATE_MAX], *k;
	int d;

	xasprintf(&k, "%s_de", key);
	if (iso != NULL && civil_parse_date(iso, &d, NULL) == 0) {
		if (long_form)
			german_date_long(d, de, sizeof(de));
		else
			german_date_short(d, de, sizeof(de));
		json_object_set_new(obj, key, json_string(iso));
		json_object_set_new(obj, k, json_string(de));
	} else {
		json_object_set_new(obj, key, json_null());
		json_object_set_new(obj, k, none_de ? json_string(none_de) : json_null());
	}
	free(k);
}

/* span_de of a step from its date and end: "03.05.2027 – 28.05.2027", one
 * date for a single day, "ab 03.05.2027" without an end, "noch nicht
 * terminiert" without a start. */
static void
set_span(json_t *obj)
{
	const char *date = json_string_value(json_object_get(obj, "date"));
	const char *end = json_string_value(json_object_get(obj, "end"));
	const char *from = json_string_value(json_object_get(obj, "date_de"));
	const char *to = json_string_value(json_object_get(obj, "end_de"));
	char *span;

	if (date == NULL)
		span = xstrdup("noch nicht terminiert");
	else if (end == NULL)
		xasprintf(&span, "ab %s", from);
	else if (strcmp(date, end) == 0)
		span = xstrdup(from);
	else
		xasprintf(&span, "%s – %s", from, to);
	json_object_set_new(obj, "span_de", json_string(span));
	free(span);
}

/* The forms of a name (german.h) as keys of obj. */
static void
set_forms(json_t *obj, const struct german_forms *f)
{
	json_object_set_new(obj, "nom", json_string(f->nom));
	json_object_set_new(obj, "Nom", json_string(f->nom_cap));
	json_object_set_new(obj, "acc", json_string(f->acc));
	json_object_set_new(obj, "dat", json_string(f->dat));
	json_object_set_new(obj, "gen", json_string(f->gen));
	json_object_set_new(obj, "in", json_string(f->in));
	json_object_set_new(obj, "In", json_string(f->in_cap));
	json_object_set_new(obj, "poss", json_string(f->poss));
}

/*
 * Every builder below returns a new JSON value, JSON null where a thing
 * does not exist, or NULL with *cause when the store fails.
 */

static json_t *
committee_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	struct german_forms f;
	json_t *obj;

	if ((obj = entity_committee(ikd, id, cause)) == NULL)
		return NULL;
	german_committee_forms(json_string_value(json_object_get(obj, "name")), &f);
	set_forms(obj, &f);
	german_forms_free(&f);
	return obj;
}

/* An actor with the roles in one line. */
static json_t *
actor_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *obj = entity_actor(ikd, id, cause), *v;
	struct buf b;
	size_t i;

	if (obj == NULL)
		return NULL;
	buf_init(&b);
	json_array_foreach(json_object_get(obj, "roles"), i, v)
		buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(v));
	buf_add_char(&b, '\0');
	json_object_set_new(obj, "roles_de", json_string(b.data));
	buf_free(&b);
	return obj;
}

/* "Vorlagenfrist: 21 Kalendertage vor der Sitzung am 22.06.2027 (Kreistag)."
 * The stored explanation is the derivation for people who check it; a
 * draft needs one sentence. */
static json_t *
why_de(struct ikond *ikd, const char *kind_de, const char *due, sqlite3_int64 session,
    char **cause)
{
	sqlite3_stmt *st;
	json_t *why = json_null();
	char day_de[GERMAN_DATE_MAX], *text;
	int d, sd, minute, off;

	switch (store_first(ikd->store, cause, &st, "SELECT s.start_utc, c.name FROM session s "
	    "JOIN committee c ON c.id = s.committee_id WHERE s.id = ?", "i", session)) {
	case -1:
		return NULL;
	case 0:
		return why;
	}
	if (due != NULL && civil_parse_date(due, &d, NULL) == 0 &&
	    civil_from_utc(ikd->cfg->body_timezone, (time_t)sqlite3_column_int64(st, 0), &sd,
	    &minute, &off) == 0) {
		german_date_short(sd, day_de, sizeof(day_de));
		xasprintf(&text, "%s: %d Kalendertage vor der Sitzung am %s (%s).",
		    kind_de ? kind_de : "Frist", sd - d, day_de, col_text(st, 1));
		why = json_string(text);
		free(text);
	}
	store_done(ikd->store, st);
	return why;
}

static json_t *
session_deadlines(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	json_t *rows, *list, *r, *obj, *why;
	size_t i;

	if ((rows = deadline_list_session(ikd, id, cause)) == NULL)
		return NULL;
	list = json_array();
	json_array_foreach(rows, i, r) {
		if ((why = why_de(ikd, json_string_value(json_object_get(r, "kind_de")),
		    json_string_value(json_object_get(r, "date")), id, cause)) == NULL) {
			json_decref(list);
			list = NULL;
			break;
		}
		obj = json_pack("{s:O, s:O}", "kind", json_object_get(r, "kind"), "kind_de",
		    json_object_get(r, "kind_de"));
		set_date(obj, "date", json_string_value(json_object_get(r, "date")), true, NULL);
		json_object_set_new(obj, "why", why);
		json_array_append_new(list, obj);
	}
	json_decref(rows);
	return list;
}

/* A session with its committee as an object, its date and time in German
 * and its deadlines. */
static json_t *
session_json(struct ikond *ikd, sqlite3_int64 id, char **cause)
{
	const char *tz = ikd->cfg->body_timezone, *label;
	json_t *obj, *committee, *deadlines;
	char date[GERMAN_DATE_MAX], time_de[GERMAN_TIME_MAX];
	sqlite3_int64 committee_id;
	sqlite3_stmt *st;
	int day, minute;

	switch (store_first(ikd->store, cause, &st, "SELECT committee_id, start_utc FROM session "
	    "WHERE id = ?", "i", id)) {
	case -1:
		return NULL;
	case 0:
		return json_null();
	}
	committee_id = sqlite3_column_int64(st, 0);
	if (civil_from_utc(tz, (time_t)sqlite3_column_int64(st, 1), &day, &minute, NULL) == -1) {
		store_done(ikd->store, st);
		return json_null();
	}
	store_done(ikd->store, st);
	if ((obj = entity_session(ikd, id, cause)) == NULL)
		return NULL;
	if ((committee = committee_json(ikd, committee_id, cause)) == NULL ||
	    (deadlines = session_deadlines(ikd, id, cause)) == NULL) {
		json_decref(committee);
		json_decref(obj);
		return NULL;
	}
	german_date_long(day, date, sizeof(date));
	german_time(minute, time_de, sizeof(time_de));
	label = vocab_label(session_states, json_string_value(json_object_get(obj, "state")));
	json_object_set_new(obj, "committee", committee);
	json_object_set_new(obj, "date_de", json_string(date));
	json_object_set_new(obj, "time_de", json_string(time_de));
	json_object_set_new(obj, "state_de", json_string(label != NULL ? label : ""));
	json_object_set_new(obj, "deadlines", deadlines);
	return obj;
}

/* The body: its name in every case by its kind, its council and head. */
static json_t *
body_json(struct ikond *ikd, char **cause)
{
	const struct config *cfg = ikd->cfg;
	const struct german_body_kind *kind = german_body_kind(cfg->body_kind);
	const char *land = vocab_label(land_names, cfg->body_land), *council;
	const char *head_title, *head_name = "(Name der Verwaltungsspitze)";
	struct german_forms f;
	sqlite3_stmt *st;
	json_t *body;
	char *head;
	int rc;

	if (kind == NULL)
		kind = german_body_kind("landkreis");
	council = kind->council;
	head_title = kind->head;
	if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM committee WHERE "
	    "kind = 'kreistag'", "")) == -1)
		return NULL;
	if (rc == 1)
		council = "Kreistag";
	german_body_forms(kind, cfg->body_name, &f);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", f.name, "kind", kind->key,
	    "kind_de", kind->word, "land", cfg->body_land, "land_name", land ? land :
	    cfg->body_land, "council_de", council, "address", cfg->body_address != NULL ?
	    cfg->body_address : "(Anschrift der Verwaltung)");
	set_forms(body, &f);
	german_forms_free(&f);
	json_object_set_new(body, "department", cfg->body_department != NULL ?
	    json_string(cfg->body_department) : json_null());
	/* An actor whose role names the head of the administration; what the
	 * configuration says wins. */
	switch (store_first(ikd->store, cause, &st, "SELECT a.name, r.role FROM actor_role r "
	    "JOIN actor a ON a.id = r.actor_id WHERE lower(r.role) IN ('landrat', 'landrätin', "
	    "'bürgermeister', 'bürgermeisterin', 'oberbürgermeister', 'oberbürgermeisterin', "
	    "'regionspräsident', 'regionspräsidentin', 'samtgemeindebürgermeister', "
	    "'samtgemeindebürgermeisterin') ORDER BY a.id LIMIT 1", "")) {
	case -1:
		json_decref(body);
		return NULL;
	case 1:
		json_object_set_new(body, "head_name", json_string(col_text(st, 0)));
		json_object_set_new(body, "head_title", json_string(col_text(st, 1)));
		store_done(ikd->store, st);
		break;
	case 0:
		json_object_set_new(body, "head_name", json_string(head_name));
		json_object_set_new(body, "head_title", json_string(head_title));
		break;
	}
	if (cfg->body_head_name != NULL)
		json_object_set_new(body, "head_name", json_string(cfg->body_head_name));
	if (cfg->body_head_title != NULL)
		json_object_set_new(body, "head_title", json_string(cfg->body_head_title));
	/* "Landrätin Karin Exempel": the head as running text names them. */
	xasprintf(&head, "%s %s", json_string_value(json_object_get(body, "head_title")),
	    json_string_value(json_object_get(body, "head_name")));
	json_object_set_new(body, "head", json_string(head));
	free(head);
	return body;
}

/* What the builders of one process's rows (store_row_fn) share. */
struct process_rows {
	struct ikond	*ikd;
	int		 today;
	sqlite3_int64	 budget_total;	/* cents */
	size_t		 budgets;	/* measures with a budget */
	size_t		 steps;
	size_t		 finished;	/* done or skipped */
	size_t		 started;
};

static json_t *
step_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct process_rows *pr = arg;
	struct ikond *ikd = pr->ikd;
	sqlite3_int64 id = sqlite3_column_int64(st, 0);
	const char *state = col_text(st, 3), *word = vocab_label(step_states_draft, state);
	const char *label = vocab_label(step_states_de, state);
	json_t *obj, *owners, *o;
	struct buf b;
	size_t i;

	if ((owners = entity_list(ikd, actor_json, cause, "SELECT actor_id FROM step_owner "
	    "WHERE step_id = ? ORDER BY actor_id", "i", id)) == NULL)
		return NULL;
	pr->steps++;
	if (strcmp(state, "done") == 0 || strcmp(state, "skipped") == 0)
		pr->finished++;
	else if (strcmp(state, "in_progress") == 0)
		pr->started++;
	obj = json_pack("{s:I, s:s, s:s, s:s}", "n", (json_int_t)sqlite3_column_int64(st, 1),
	    "title", col_text(st, 2), "state", word ? word : state, "state_de",
	    label ? label : state);
	set_date(obj, "date", col_text(st, 4), false, "noch nicht terminiert");
	set_date(obj, "end", col_text(st, 5), false, "noch nicht terminiert");
	set_span(obj);
	buf_init(&b);
	json_array_foreach(owners, i, o)
		buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(json_object_get(o,
		    "name")));
	buf_add_char(&b, '\0');
	json_object_set_new(obj, "owners", owners);
	json_object_set_new(obj, "owners_de", json_string(b.data[0] ? b.data : "noch offen"));
	buf_free(&b);
	json_object_set_new(obj, "notes", json_string(col_text(st, 6)));
	return obj;
}

/* A session of the Beratungsfolge with how its committee takes part. */
static json_t *
chain_session(struct ikond *ikd, sqlite3_int64 session, const char *role, char **cause)
{
	const char *label = vocab_label(beratung_roles, role);
	json_t *obj;

	if ((obj = session_json(ikd, session, cause)) == NULL || json_is_null(obj))
		return obj;
	json_object_set_new(obj, "role", json_string(role));
	json_object_set_new(obj, "role_de", json_string(label != NULL ? label : role));
	return obj;
}

/* The Beratungen of a submission (submission.h), each a session with its
 * role. */
static json_t *
beratungen_json(struct ikond *ikd, sqlite3_int64 sub, char **cause)
{
	json_t *rows, *row, *list, *obj;
	size_t i;

	if ((rows = submission_beratungen(ikd, sub, cause)) == NULL)
		return NULL;
	list = json_array();
	json_array_foreach(rows, i, row) {
		if ((obj = chain_session(ikd, json_integer_value(json_object_get(row, "session")),
		    json_string_value(json_object_get(row, "role")), cause)) == NULL) {
			json_decref(list);
			list = NULL;
			break;
		}
		json_array_append_new(list, obj);
	}
	json_decref(rows);
	return list;
}

/*
 * The Beratungsfolge: the Beratungen of the submission; without one, the
 * sessions the plan linked to the step that holds the target session,
 * each with the role the plan gave its committee.
 */
static json_t *
chain_json(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 target, sqlite3_int64 sub,
    char **cause)
{
	sqlite3_int64 step = 0;
	json_t *list, *obj;
	sqlite3_stmt *st;
	int rc;

	if (sub != 0)
		return beratungen_json(ikd, sub, cause);
	if (target != 0 && store_get_int(ikd->store, cause, &step, "SELECT "
	    "l.step_id FROM process_link l JOIN process_step p ON p.id = l.step_id WHERE "
	    "p.process_id = ? AND l.session_id = ? ORDER BY p.n DESC LIMIT 1", "ii", pid,
	    target) == -1)
		return NULL;
	list = json_array();
	if (step == 0)
		return list;
	if ((st = store_query(ikd->store, cause, "SELECT l.session_id, l.beratung FROM "
	    "process_link l JOIN session s ON s.id = l.session_id WHERE l.step_id = ? "
	    "ORDER BY s.start_utc, l.id", "i", step)) == NULL) {
		json_decref(list);
		return NULL;
	}
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		if ((obj = chain_session(ikd, sqlite3_column_int64(st, 0), col_text(st, 1),
		    cause)) == NULL) {
			rc = -1;
			break;
		}
		json_array_append_new(list, obj);
	}
	store_done(ikd->store, st);
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* A feedback window: its dates and audience.  How the closing day was
 * derived is for the coordinator (window show), not for the reader. */
static json_t *
window_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct process_rows *pr = arg;
	struct ikond *ikd = pr->ikd;
	json_t *obj, *audience;

	if ((audience = store_get_column(ikd->store, cause, "SELECT coalesce(c.name, p.name) "
	    "FROM window_audience w LEFT JOIN committee c ON c.id = w.committee_id "
	    "LEFT JOIN actor p ON p.id = w.actor_id WHERE w.window_id = ? "
	    "ORDER BY w.committee_id IS NULL, w.rowid", "i", sqlite3_column_int64(st, 0))) == NULL)
		return NULL;
	obj = json_pack("{s:s}", "title", col_text(st, 1));
	set_date(obj, "opens", col_text(st, 2), true, NULL);
	set_date(obj, "closes", col_text(st, 3), true, NULL);
	json_object_set_new(obj, "audience", audience);
	return obj;
}

static json_t *
measure_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct process_rows *pr = arg;
	struct ikond *ikd = pr->ikd;
	const char *state = col_text(st, 5), *label = vocab_label(measure_states_de, state);
	const char *due = col_text(st, 4);
	char euro[GERMAN_EURO_MAX];
	json_t *obj, *owner;
	int d;

	if ((owner = actor_json(ikd, sqlite3_column_int64(st, 2), cause)) == NULL)
		return NULL;
	obj = json_pack("{s:s, s:s, s:o, s:s, s:s}", "title", col_text(st, 0), "goal",
	    col_text(st, 1)[0] ? col_text(st, 1) : "(Ziel noch nicht beschrieben)",
	    "owner", owner, "state", state, "state_de", label ? label : state);
	if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
		json_object_set_new(obj, "budget", json_null());
		json_object_set_new(obj, "budget_de", json_string("ohne Betrag"));
	} else {
		pr->budget_total += sqlite3_column_int64(st, 3);
		pr->budgets++;
		german_euro(sqlite3_column_int64(st, 3), euro, sizeof(euro));
		json_object_set_new(obj, "budget", json_real((double)sqlite3_column_int64(st, 3) /
		    100.0));
		json_object_set_new(obj, "budget_de", json_string(euro));
	}
	json_object_set_new(obj, "year", sqlite3_column_type(st, 6) == SQLITE_NULL ? json_null() :
	    json_integer((json_int_t)sqlite3_column_int64(st, 6)));
	set_date(obj, "due", due, false, "ohne Termin");
	json_object_set_new(obj, "overdue", json_boolean(strcmp(state, "open") == 0 &&
	    due != NULL && civil_parse_date(due, &d, NULL) == 0 && d < pr->today));
	return obj;
}

static json_t *
evaluation_json(sqlite3_stmt *st, void *arg, char **cause)
{
	struct process_rows *pr = arg;
	struct ikond *ikd = pr->ikd;
	const struct config *cfg = ikd->cfg;
	struct occurrence *occ = NULL;
	json_t *obj, *owner, *committee, *next, *o;
	char *rrule_de, day[11];
	size_t i, n = 0;
	int start;

	if ((owner = actor_json(ikd, sqlite3_column_int64(st, 1), cause)) == NULL)
		return NULL;
	committee = sqlite3_column_type(st, 4) == SQLITE_NULL ? json_null() :
	    committee_json(ikd, sqlite3_column_int64(st, 4), cause);
	if (committee == NULL) {
		json_decref(owner);
		return NULL;
	}
	rrule_de = german_rrule(col_text(st, 3));
	obj = json_pack("{s:s, s:o, s:s, s:s}", "title", col_text(st, 0), "owner", owner,
	    "rrule", col_text(st, 3), "rrule_de", rrule_de);
	free(rrule_de);
	next = json_array();
	if (civil_parse_date(col_text(st, 2), &start, NULL) == 0 &&
	    process_occurrences(col_text(st, 3), start, pr->today, pr->today + NEXT_HORIZON_DAYS,
	    cfg->process.evaluation_roll, cfg->workcal, &occ, &n, NEXT_OCCURRENCES, NULL) == 0) {
		for (i = 0; i < n; i++) {
			o = json_object();
			civil_format_date(occ[i].due, day);
			set_date(o, "date", day, true, NULL);
			json_array_append_new(next, o);
		}
	}
	free(occ);
	json_object_set_new(obj, "next", next);
	json_object_set_new(obj, "committee", committee);
	return obj;
}

/* The timeline of the process for the drafts to place as a figure, or
 * null while no step is dated. */
static json_t *
timeline_json(struct ikond *ikd, sqlite3_int64 pid, char **cause)
{
	struct timeline tl;
	char *title, *desc;
	struct buf svg;
	json_t *obj;
	int height;

	if (timeline_load(ikd, pid, &tl, cause) == -1)
		return NULL;
	if (!timeline_drawable(&tl)) {
		timeline_clear(&tl);
		return json_null();
	}
	buf_init(&svg);
	timeline_svg(&tl, TIMELINE_WIDTH, "zeitplan", &svg, &height);
	title = timeline_title(&tl);
	desc = timeline_desc(&tl);
	obj = json_pack("{s:s, s:s, s:s%, s:i, s:i}", "title", title, "desc", desc, "svg",
	    svg.data, svg.len, "width", TIMELINE_WIDTH, "height", height);
	free(title);
	free(desc);
	buf_free(&svg);
	timeline_clear(&tl);
	return obj;
}

/* The state word of the process from its steps. */
static void
add_state(json_t *proc, const struct process_rows *pr, bool planned)
{
	const char *state = "new", *state_de = "in Vorbereitung";

	if (pr->steps > 0 && pr->finished == pr->steps) {
		state = "done";
		state_de = "abgeschlossen";
	} else if (planned || pr->finished > 0 || pr->started > 0) {
		state = "active";
		state_de = "in Arbeit";
	}
	json_object_set_new(proc, "state", json_string(state));
	json_object_set_new(proc, "state_de", json_string(state_de));
}

/* The session of the start decision (step 5): the plan's "start" link. */
static int
start_session_id(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 *id, char **cause)
{
	return store_get_int(ikd->store, cause, id, "SELECT coalesce((SELECT l.session_id "
	    "FROM process_link l JOIN process_step p ON p.id = l.step_id WHERE p.process_id = ? "
	    "AND l.role = 'start' ORDER BY p.n LIMIT 1), 0)", "i", pid) == -1 ? -1 : 0;
}

/* The feedback window being asked about: the first that has not closed
 * (the last one if all have). */
static json_t *
current_window(json_t *windows, int today)
{
	json_t *w, *current = json_null();
	char day[11];
	size_t i;

	civil_format_date(today, day);
	json_array_foreach(windows, i, w)
		if (json_is_null(current) || strcmp(json_string_value(json_object_get(current,
		    "closes")), day) < 0)
			current = w;
	return json_incref(current);
}

static json_t *
process_json(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 sub, int today,
    json_t **window, json_t **evaluation, char **cause)
{
	struct process_rows pr;
	struct german_forms f;
	sqlite3_int64 target, coord, start;
	char euro[GERMAN_EURO_MAX];
	json_t *proc, *steps, *v;
	sqlite3_stmt *st;
	bool planned;

	switch (store_first(ikd->store, cause, &st, "SELECT slug, name, "
	    "coalesce(target_session_id, 0), planned_at IS NOT NULL, budget_cents, budget_note "
	    "FROM process WHERE id = ?", "i", pid)) {
	case -1:
		return NULL;
	case 0:
		set_cause(cause, "no process %lld (see: ikond-ctl process list)", (long long)pid);
		return NULL;
	}
	proc = json_pack("{s:s, s:s}", "slug", col_text(st, 0), "name", col_text(st, 1));
	german_concept_forms(col_text(st, 1), &f);
	set_forms(proc, &f);
	json_object_set_new(proc, "title_de", json_string(f.name));
	german_forms_free(&f);
	target = sqlite3_column_int64(st, 2);
	planned = sqlite3_column_int(st, 3) != 0;
	/* The money for the process itself (process edit --budget), null while
	 * none is recorded. */
	if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
		json_object_set_new(proc, "budget", json_null());
		json_object_set_new(proc, "budget_de", json_null());
	} else {
		german_euro(sqlite3_column_int64(st, 4), euro, sizeof(euro));
		json_object_set_new(proc, "budget", json_real((double)sqlite3_column_int64(st, 4) /
		    100.0));
		json_object_set_new(proc, "budget_de", json_string(euro));
	}
	json_object_set_new(proc, "budget_note", col_text(st, 5)[0] != '\0' ?
	    json_string(col_text(st, 5)) : json_null());
	store_done(ikd->store, st);
	memset(&pr, 0, sizeof(pr));
	pr.ikd = ikd;
	pr.today = today;
	if ((steps = store_get_list(ikd->store, cause, step_json, &pr, "SELECT id, n, title, "
	    "state, start_date, end_date, notes FROM process_step WHERE process_id = ? "
	    "ORDER BY n, id", "i", pid)) == NULL)
		goto fail;
	add_state(proc, &pr, planned);
	json_object_set_new(proc, "steps", steps);
	/* The Kernteam: the coordinator, actors with that role and the members
	 * of a committee called so. */
	if (entity_process_coordinator(ikd, pid, &coord, cause) == -1 ||
	    start_session_id(ikd, pid, &start, cause) == -1 ||
	    entity_attach(proc, "coordinator", coord ? actor_json(ikd, coord, cause) :
	    json_null()) == -1 ||
	    entity_attach(proc, "core_team", entity_list(ikd, actor_json, cause, "SELECT a.id "
	    "FROM actor a WHERE a.id = ?1 OR a.id IN (SELECT actor_id FROM actor_role WHERE "
	    "lower(role) = 'kernteam') OR a.id IN (SELECT m.actor_id FROM membership m JOIN "
	    "committee c ON c.id = m.committee_id WHERE lower(c.slug) LIKE '%kernteam%' OR "
	    "lower(c.name) LIKE '%kernteam%') ORDER BY a.id <> ?1, a.id", "i", coord)) == -1 ||
	    entity_attach(proc, "target_session", target ? session_json(ikd, target, cause) :
	    json_null()) == -1 ||
	    entity_attach(proc, "start_session", start ? session_json(ikd, start, cause) :
	    json_null()) == -1 ||
	    entity_attach(proc, "chain", chain_json(ikd, pid, target, sub, cause)) == -1 ||
	    entity_attach(proc, "windows", store_get_list(ikd->store, cause, window_json, &pr,
	    "SELECT id, title, opens_date, closes_date FROM feedback_window "
	    "WHERE process_id = ? ORDER BY opens_date, id", "i", pid)) == -1 ||
	    entity_attach(proc, "measures", store_get_list(ikd->store, cause, measure_json, &pr,
	    "SELECT title, goal, owner_id, budget_cents, due_date, state, budget_year FROM "
	    "measure WHERE process_id = ? ORDER BY due_date IS NULL, due_date, id", "i",
	    pid)) == -1)
		goto fail;
	german_euro(pr.budget_total, euro, sizeof(euro));
	json_object_set_new(proc, "budget_total_de", json_string(euro));
	json_object_set_new(proc, "measures_budget_de", pr.budgets > 0 ? json_string(euro) :
	    json_null());
	if (entity_attach(proc, "evaluations", store_get_list(ikd->store, cause,
	    evaluation_json, &pr, "SELECT title, owner_id, start_date, rrule, committee_id "
	    "FROM evaluation WHERE process_id = ? ORDER BY id", "i", pid)) == -1 ||
	    entity_attach(proc, "timeline", timeline_json(ikd, pid, cause)) == -1)
		goto fail;
	*window = current_window(json_object_get(proc, "windows"), today);
	v = json_object_get(proc, "evaluations");
	*evaluation = json_incref(json_array_size(v) > 0 ? json_array_get(v, 0) : json_null());
	return proc;
fail:
	json_decref(proc);
	return NULL;
}

/* The Vorlage being drafted: the entity with its owner and deciding
 * session as objects, its first Vorlagenfrist, and whether its deciding
 * session is the target session or it only advises. */
static json_t *
submission_json(struct ikond *ikd, sqlite3_int64 id, sqlite3_int64 target, char **cause)
{
	json_t *obj, *owner, *session, *why;
	sqlite3_int64 owner_id, session_id;
	sqlite3_stmt *st;
	const char *ref;

	switch (store_get_int(ikd->store, cause, &owner_id, "SELECT coalesce(owner_id, 0) FROM "
	    "submission WHERE id = ?", "i", id)) {
	case -1:
		return NULL;
	case 0:
		set_cause(cause, "no submission %lld (see: ikond-ctl submission list)",
		    (long long)id);
		return NULL;
	}
	if ((obj = entity_submission(ikd, id, cause)) == NULL)
		return NULL;
	/* Imported ones may have no owner and no Beratung yet. */
	session_id = json_integer_value(json_object_get(obj, "session"));
	if ((owner = owner_id ? actor_json(ikd, owner_id, cause) : json_null()) == NULL ||
	    (session = session_id ? session_json(ikd, session_id, cause) : json_null()) == NULL) {
		json_decref(owner);
		json_decref(obj);
		return NULL;
	}
	ref = json_string_value(json_object_get(obj, "ref"));
	if (ref == NULL || ref[0] == '\0')
		json_object_set_new(obj, "ref", json_string("(noch ohne Nummer)"));
	json_object_set_new(obj, "owner", owner);
	json_object_set_new(obj, "session", session);
	json_object_set_new(obj, "decides", json_boolean(session_id != 0 && session_id == target));
	set_date(obj, "deadline", NULL, true, NULL);
	json_object_set_new(obj, "deadline_why", json_null());
	switch (store_first(ikd->store, cause, &st, "SELECT due_date, kind, session_id FROM "
	    "deadline WHERE submission_id = ? ORDER BY due_date LIMIT 1", "i", id)) {
	case -1:
		json_decref(obj);
		return NULL;
	case 1:
		why = why_de(ikd, vocab_label(deadline_kinds, col_text(st, 1)), col_text(st, 0),
		    sqlite3_column_int64(st, 2), cause);
		if (why != NULL) {
			set_date(obj, "deadline", col_text(st, 0), true, NULL);
			json_object_set_new(obj, "deadline_why", why);
		}
		store_done(ikd->store, st);
		if (why == NULL) {
			json_decref(obj);
			return NULL;
		}
		break;
	}
	return obj;
}

/* The German date of a day, ISO and long form, into obj as key, key_de. */
static void
set_day(json_t *obj, const char *key, int day)
{
	char iso[11];

	civil_format_date(day, iso);
	set_date(obj, key, iso, true, NULL);
}

/* The workshop's invitees: the actors and committees named, and everyone
 * they make (every member). */
static int
workshop_invitees(struct ikond *ikd, json_t *obj, sqlite3_int64 event, char **cause)
{
	json_t *everyone;

	if (entity_attach(obj, "invited_actors", entity_list(ikd, actor_json, cause, "SELECT "
	    "actor_id FROM event_invitee WHERE event_id = ? AND actor_id IS NOT NULL "
	    "ORDER BY rowid", "i", event)) == -1 ||
	    entity_attach(obj, "invited_committees", entity_list(ikd, committee_json, cause,
	    "SELECT committee_id FROM event_invitee WHERE event_id = ? AND committee_id IS NOT "
	    "NULL ORDER BY rowid", "i", event)) == -1 ||
	    (everyone = entity_list(ikd, actor_json, cause, "SELECT actor_id FROM event_invitee "
	    "WHERE event_id = ?1 AND actor_id IS NOT NULL UNION SELECT m.actor_id FROM "
	    "event_invitee i JOIN membership m ON m.committee_id = i.committee_id WHERE "
	    "i.event_id = ?1 ORDER BY 1", "i", event)) == NULL)
		return -1;
	json_object_set_new(obj, "invited", json_boolean(json_array_size(everyone) > 0));
	json_object_set_new(obj, "invitees", everyone);
	return 0;
}

/* The addressee of a personal letter, one of the invitees: "to" and the
 * greeting of the letter. */
static int
workshop_addressee(struct ikond *ikd, json_t *obj, sqlite3_int64 event, sqlite3_int64 to,
    char **cause)
{
	sqlite3_int64 *ids;
	size_t i, n;
	bool invited = false;
	json_t *actor;

	if (event_invitees(ikd, event, &ids, &n, cause) == -1)
		return -1;
	for (i = 0; i < n; i++)
		invited = invited || ids[i] == to;
	free(ids);
	if ((actor = actor_json(ikd, to, cause)) == NULL)
		return -1;
	if (!invited) {
		set_cause(cause, "%s is not invited to event %lld (see: ikond-ctl event show %lld)",
		    json_string_value(json_object_get(actor, "slug")), (long long)event,
		    (long long)event);
		json_decref(actor);
		return -1;
	}
	json_object_set(obj, "greeting", json_object_get(actor, "greeting"));
	json_object_set_new(obj, "to", actor);
	return 0;
}

/* The event a workshop letter is about: the one given, else the first of
 * the process that has not ended, else its last one.  1, 0 if the process
 * has none, -1. */
static int
workshop_event(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 *event, int today,
    char **cause)
{
	char day[11];
	int rc;

	if (*event != 0) {
		if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM event WHERE id = ? AND "
		    "process_id = ?", "ii", *event, pid)) == 0)
			set_cause(cause, "event %lld belongs to another process",
			    (long long)*event);
		return rc == 1 ? 1 : -1;
	}
	civil_format_date(today, day);
	return store_get_int(ikd->store, cause, event, "SELECT id FROM event WHERE "
	    "process_id = ?1 ORDER BY coalesce(end_date, start_date) < ?2, "
	    "CASE WHEN coalesce(end_date, start_date) < ?2 THEN -julianday(start_date) "
	    "ELSE julianday(start_date) END, id LIMIT 1", "it", pid, day);
}

/* The workshop from an event: its time and place as stored. */
static json_t *
workshop_from_event(struct ikond *ikd, sqlite3_int64 event, sqlite3_int64 *host,
    char **cause)
{
	struct event_time t;
	sqlite3_stmt *st;
	json_t *obj;
	char *when, de[GERMAN_TIME_MAX];

	if (event_time_load(ikd, event, &t, cause) == -1)
		return NULL;
	switch (store_first(ikd->store, cause, &st, "SELECT e.title, e.location, "
	    "(SELECT min(actor_id) FROM step_owner WHERE step_id = e.step_id) FROM event e "
	    "WHERE e.id = ?", "i", event)) {
	case -1:
		return NULL;
	case 0:
		set_cause(cause, "no event %lld (see: ikond-ctl event list)", (long long)event);
		return NULL;
	}
	when = german_when(t.day, t.minute, t.end_day, t.end_minute);
	obj = json_pack("{s:I, s:s, s:s}", "event", (json_int_t)event, "title", col_text(st, 0),
	    "when_de", when);
	free(when);
	if (col_text(st, 1)[0] != '\0') {
		json_object_set_new(obj, "location", json_string(col_text(st, 1)));
		json_object_set_new(obj, "location_de", json_string(col_text(st, 1)));
	}
	*host = sqlite3_column_int64(st, 2);
	store_done(ikd->store, st);
	set_day(obj, "date", t.day);
	if (t.end_day > t.day)
		set_day(obj, "until", t.end_day);
	if (EVENT_TIMED(&t)) {
		german_time(t.minute, de, sizeof(de));
		json_object_set_new(obj, "time_de", json_string(de));
	}
	if (t.end_minute != CIVIL_NO_TIME) {
		german_time(t.end_minute, de, sizeof(de));
		json_object_set_new(obj, "end_time_de", json_string(de));
	}
	return obj;
}

/* The workshop from the date of step 6 alone, when there is no event. */
static json_t *
workshop_from_step(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 *host, char **cause)
{
	sqlite3_stmt *st;
	json_t *obj;
	char *when;
	int day;

	switch (store_first(ikd->store, cause, &st, "SELECT s.title, s.start_date, "
	    "(SELECT min(actor_id) FROM step_owner WHERE step_id = s.id) FROM process_step s "
	    "WHERE s.process_id = ? AND s.code = 'workshop' AND s.start_date IS NOT NULL "
	    "ORDER BY s.n LIMIT 1", "i", pid)) {
	case -1:
		return NULL;
	case 0:
		return json_null();
	}
	if (civil_parse_date(col_text(st, 1), &day, NULL) == -1) {
		store_done(ikd->store, st);
		return json_null();
	}
	when = german_when(day, CIVIL_NO_TIME, day, CIVIL_NO_TIME);
	obj = json_pack("{s:n, s:s, s:s}", "event", "title", col_text(st, 0), "when_de", when);
	free(when);
	*host = sqlite3_column_int64(st, 2);
	store_done(ikd->store, st);
	set_day(obj, "date", day);
	return obj;
}

/*
 * The workshop being invited to (an event, see workshop_event(); without
 * one, step 6 once it has a date) with its invitees, or null.  A time or
 * place not known yet is null, and the German words say they follow.
 * Replies are asked for two weeks before.  The letter greets to, an
 * invitee, when given, else everyone.
 */
static json_t *
workshop_json(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 event, sqlite3_int64 to,
    int today, char **cause)
{
	static const char *const agenda[] = {
		"Begrüßung und Ziel des Tages",
		"Ausgangslage: Ergebnisse der Bestandsaufnahme",
		"Leitbild und strategische Ziele",
		"Arbeitsgruppen zu den Handlungsfeldern",
		"Verabredungen und nächste Schritte",
	};
	static const char *const absent[] = { "until", "until_de", "time_de", "end_time_de",
	    "location" };
	sqlite3_int64 host = 0;
	json_t *obj, *list, *v;
	char *greeting;
	size_t i;
	int rc, d;

	if ((rc = workshop_event(ikd, pid, &event, today, cause)) == -1)
		return NULL;
	if (rc == 0 && to != 0) {
		set_cause(cause, "the process has no event to invite to "
		    "(see: ikond-ctl event add)");
		return NULL;
	}
	obj = rc == 1 ? workshop_from_event(ikd, event, &host, cause) :
	    workshop_from_step(ikd, pid, &host, cause);
	if (obj == NULL || json_is_null(obj))
		return obj;
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (json_object_get(obj, absent[i]) == NULL)
			json_object_set_new(obj, absent[i], json_null());
	if (json_object_get(obj, "location_de") == NULL)
		json_object_set_new(obj, "location_de", json_string("wird Ihnen noch mitgeteilt"));
	civil_parse_date(json_string_value(json_object_get(obj, "date")), &d, NULL);
	set_day(obj, "reply_by", d - 14);
	if (rc == 1 && workshop_invitees(ikd, obj, event, cause) == -1)
		goto fail;
	if (rc == 0) {
		json_object_set_new(obj, "invited", json_false());
		json_object_set_new(obj, "invited_actors", json_array());
		json_object_set_new(obj, "invited_committees", json_array());
		json_object_set_new(obj, "invitees", json_array());
	}
	if ((host == 0 && entity_process_coordinator(ikd, pid, &host, cause) == -1) ||
	    (v = host ? actor_json(ikd, host, cause) : json_null()) == NULL)
		goto fail;
	json_object_set_new(obj, "host", v);
	if (to == 0) {
		greeting = german_greeting(NULL, NULL, NULL, NULL);
		json_object_set_new(obj, "to", json_null());
		json_object_set_new(obj, "greeting", json_string(greeting));
		free(greeting);
	} else if (workshop_addressee(ikd, obj, event, to, cause) == -1)
		goto fail;
	list = json_array();
	for (i = 0; i < sizeof(agenda) / sizeof(agenda[0]); i++)
		json_array_append_new(list, json_string(agenda[i]));
	json_object_set_new(obj, "agenda", list);
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

int
draft_default_submission(struct ikond *ikd, sqlite3_int64 process_id, const char *kind,
    sqlite3_int64 *id, char **cause)
{
	return store_get_int(ikd->store, cause, id, "SELECT b.id FROM process_link l "
	    "JOIN process_step p ON p.id = l.step_id JOIN submission b ON b.id = l.submission_id "
	    "WHERE p.process_id = ? AND b.kind = ? AND b.state <> 'withdrawn' ORDER BY "
	    "(SELECT min(due_date) FROM deadline d WHERE d.submission_id = b.id), b.id LIMIT 1",
	    "it", process_id, kind);
}

json_t *
draft_data(struct ikond *ikd, sqlite3_int64 process_id, const struct draft_subject *subject,
    char **cause)
{
	sqlite3_int64 submission_id = subject->submission_id;
	json_t *proc = NULL, *sub = json_null(), *window = NULL, *evaluation = NULL;
	json_t *body = NULL, *workshop = NULL, *committees = NULL, *actors;
	int today = process_today(ikd);
	char iso[11], de[GERMAN_DATE_MAX];
	sqlite3_int64 target = 0;

	if (store_get_int(ikd->store, cause, &target, "SELECT coalesce(target_session_id, 0) "
	    "FROM process WHERE id = ?", "i", process_id) == -1 ||
	    (submission_id != 0 && (sub = submission_json(ikd, submission_id, target,
	    cause)) == NULL) ||
	    (proc = process_json(ikd, process_id, submission_id, today, &window, &evaluation,
	    cause)) == NULL ||
	    (body = body_json(ikd, cause)) == NULL ||
	    (workshop = workshop_json(ikd, process_id, subject->event_id, subject->to_actor_id,
	    today, cause)) == NULL ||
	    (committees = entity_list(ikd, committee_json, cause, "SELECT id FROM committee "
	    "ORDER BY id", "")) == NULL ||
	    (actors = entity_list(ikd, actor_json, cause, "SELECT id FROM actor ORDER BY id",
	    "")) == NULL) {
		json_decref(proc);
		json_decref(sub);
		json_decref(window);
		json_decref(evaluation);
		json_decref(body);
		json_decref(workshop);
		json_decref(committees);
		return NULL;
	}
	civil_format_date(today, iso);
	german_date_short(today, de, sizeof(de));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "today", iso,
	    "today_de", de, "body", body, "process", proc, "submission", sub, "window", window,
	    "workshop", workshop, "evaluation", evaluation, "committees", committees, "actors",
	    actors);
}
