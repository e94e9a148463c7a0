/*
 * process_compare: a plan against what is stored (see process.h).  The
 * stored plan is what the last "process plan --apply" wrote: the dates of
 * the steps, the sessions and Vorlagenfristen of the Vorlagen, the window
 * and the evaluation.  "process plan" lists what a new plan would move
 * before anything is stored; "process show" and "status" list what moved
 * in the calendar since (sessions moved or cancelled, deadlines shifted)
 * and what a plan as of the day it was made would now move.
 */
#include "process.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "civil.h"
#include "german.h"
#include "i18n.h"
#include "timefmt.h"
#include "xmalloc.h"

#define ODD_SESSIONS_MAX	20	/* "status" names at most this many */

static char * __attribute__((format(printf, 1, 2)))
move_text(const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, _(fmt), ap);
	va_end(ap);
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

static void
add_move(json_t *list, const char *kind, const char *code, const char *old, const char *new,
    char *line)
{
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", kind, "code",
	    code, "old", old, "new", new, "text", line));
	free(line);
}

static void
format_span(int start, int end, char out[24])
{
	char a[11], b[11];

	civil_format_date(start, a);
	civil_format_date(end, b);
	snprintf(out, 24, "%s - %s", a, b);
}

/* READER_MAX bytes hold a span of two dates as the reader's catalog writes them. */
#define READER_MAX	(2 * GERMAN_DATE_MAX + 4)

/* A date "YYYY-MM-DD" or a span "YYYY-MM-DD - YYYY-MM-DD" of the stored
 * plan as the reader of the message writes dates ("31.03.2027" in German). */
static const char *
for_reader(const char *iso, char out[READER_MAX])
{
	char a[GERMAN_DATE_MAX], b[GERMAN_DATE_MAX], first[11];

	if (strlen(iso) == 23 && strncmp(iso + 10, " - ", 3) == 0) {
		memcpy(first, iso, 10);
		first[10] = '\0';
		german_iso_for_reader(first, a, sizeof(a));
		german_iso_for_reader(iso + 13, b, sizeof(b));
		snprintf(out, READER_MAX, "%s - %s", a, b);
	} else
		german_iso_for_reader(iso, out, READER_MAX);
	return out;
}

/* The span a step's product had when the plan was last applied: 1 with
 * was filled, 0 if none is stored, -1 on error.  sql selects the two dates
 * for the process id and the step code. */
static int
stored_span(struct ikond *ikd, sqlite3_int64 pid, const char *code, const char *sql,
    char was[24], char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_first(ikd->store, cause, &s, sql, "it", pid, code)) != 1)
		return rc;
	snprintf(was, 24, "%s - %s", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1));
	store_done(ikd->store, s);
	return 1;
}

static int
step_moves(struct ikond *ikd, sqlite3_int64 pid, const struct plan_step *st, json_t *list,
    char **cause)
{
	char now[24], was[24], r1[READER_MAX], r2[READER_MAX];
	int rc;

	if (st->fix != PLAN_FREE || st->start == PLAN_NO_DAY)
		return 0;
	if ((rc = stored_span(ikd, pid, st->def->code, "SELECT start_date, end_date FROM "
	    "process_step WHERE process_id = ? AND code = ? AND start_date IS NOT NULL AND "
	    "end_date IS NOT NULL ORDER BY n LIMIT 1", was, cause)) != 1)
		return rc;
	format_span(st->start, st->end, now);
	if (strcmp(was, now) != 0)
		add_move(list, "step", st->def->code, was, now,
		    move_text("step %d (%s) moves from %s to %s", st->n, st->def->title,
		    for_reader(was, r1), for_reader(now, r2)));
	return 0;
}

/* The Beratungen of a Vorlage step: other sessions, other deadlines, and
 * committees that left the route. */
static int
beratung_moves(struct ikond *ikd, sqlite3_int64 pid, const struct plan_step *st,
    bool deadlines, json_t *list, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	const struct plan_beratung *b;
	sqlite3_stmt *s;
	const char *old_due;
	char day[11], due[11], was[11], *keys;
	char r1[READER_MAX], r2[READER_MAX], r3[READER_MAX];
	struct buf kb;
	size_t k;
	int rc, d;

	buf_init(&kb);
	for (k = 0; k < st->nberatungen; k++) {
		b = &st->beratungen[k];
		buf_printf(&kb, "%s%s", k ? "," : "", process_link_key(st, k));
		civil_format_date(b->session->day, day);
		civil_format_date(b->due, due);
		switch (store_first(ikd->store, cause, &s, "SELECT coalesce(l.session_id, 0), "
		    "coalesce(l.planned_deadline, ''), l.planned_start_utc FROM process_link l "
		    "JOIN process_step p ON p.id = l.step_id WHERE p.process_id = ? AND "
		    "p.code = ? AND l.role = ?", "itt", pid, st->def->code,
		    process_link_key(st, k))) {
		case -1:
			buf_free(&kb);
			return -1;
		case 0:
			continue;
		}
		civil_from_utc(tz, (time_t)sqlite3_column_int64(s, 2), &d, NULL, NULL);
		civil_format_date(d, was);
		old_due = (const char *)sqlite3_column_text(s, 1);
		if (sqlite3_column_int64(s, 0) != b->session->id)
			add_move(list, "session", st->def->code, was, day,
			    move_text("step %d: the Beratung in %s moves from session %lld on %s "
			    "to session %lld on %s (Vorlagenfrist %s)", st->n,
			    b->session->committee_name, (long long)sqlite3_column_int64(s, 0),
			    for_reader(was, r1), (long long)b->session->id, for_reader(day, r2),
			    for_reader(due, r3)));
		else if (deadlines && strcmp(old_due, due) != 0)
			add_move(list, "deadline", st->def->code, old_due, due,
			    move_text("step %d: the Vorlagenfrist for %s moves from %s to %s",
			    st->n, b->session->committee_name, for_reader(old_due, r1),
			    for_reader(due, r2)));
		store_done(ikd->store, s);
	}
	buf_add_char(&kb, '\0');
	keys = kb.data;
	if ((s = store_query(ikd->store, cause, "SELECT l.role, coalesce(c.name, l.role), "
	    "l.planned_start_utc FROM process_link l JOIN process_step p ON p.id = l.step_id "
	    "LEFT JOIN session x ON x.id = l.session_id LEFT JOIN committee c ON "
	    "c.id = x.committee_id WHERE p.process_id = ? AND p.code = ? AND "
	    "instr(',' || ? || ',', ',' || l.role || ',') = 0 ORDER BY l.id", "itt", pid,
	    st->def->code, keys)) == NULL) {
		buf_free(&kb);
		return -1;
	}
	while ((rc = store_next(ikd->store, s, cause)) == 1) {
		civil_from_utc(tz, (time_t)sqlite3_column_int64(s, 2), &d, NULL, NULL);
		civil_format_date(d, was);
		add_move(list, "session", st->def->code, was, "", move_text("step %d: %s leaves "
		    "the route (its session on %s)", st->n, sqlite3_column_text(s, 1),
		    for_reader(was, r1)));
	}
	store_done(ikd->store, s);
	buf_free(&kb);
	return rc;
}

static int
product_moves(struct ikond *ikd, sqlite3_int64 pid, const struct plan_step *st,
    bool deadlines, json_t *list, char **cause)
{
	char now[24], was[24], r1[READER_MAX], r2[READER_MAX], *old;
	int rc;

	switch (st->def->produces) {
	case PRODUCT_VERWALTUNGSVORLAGE:
	case PRODUCT_BESCHLUSSVORLAGE:
		return beratung_moves(ikd, pid, st, deadlines, list, cause);
	case PRODUCT_WINDOW:
		if ((rc = stored_span(ikd, pid, st->def->code, "SELECT w.opens_date, "
		    "w.closes_date FROM feedback_window w JOIN process_step p ON "
		    "p.id = w.step_id WHERE p.process_id = ? AND p.code = ? ORDER BY w.id DESC "
		    "LIMIT 1", was, cause)) != 1)
			return rc;
		format_span(st->start, st->end, now);
		if (strcmp(was, now) != 0)
			add_move(list, "window", st->def->code, was, now,
			    move_text("step %d: the feedback window moves from %s to %s",
			    st->n, for_reader(was, r1), for_reader(now, r2)));
		return 0;
	case PRODUCT_EVALUATION:
		civil_format_date(st->nominal, now);
		if ((rc = store_get_text(ikd->store, cause, &old, "SELECT e.start_date FROM "
		    "evaluation e JOIN process_step p ON p.id = e.step_id WHERE p.process_id = ? "
		    "AND p.code = ? ORDER BY e.id DESC LIMIT 1", "it", pid, st->def->code)) != 1)
			return rc;
		if (strcmp(old, now) != 0)
			add_move(list, "evaluation", st->def->code, old, now,
			    move_text("step %d: the evaluation series starts %s instead of %s",
			    st->n, for_reader(now, r1), for_reader(old, r2)));
		free(old);
		return 0;
	default:
		return 0;
	}
}

json_t *
process_moves(struct ikond *ikd, sqlite3_int64 pid, const struct plan *p, bool deadlines,
    char **cause)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < p->nsteps; i++) {
		if (p->steps[i].fix == PLAN_SKIPPED)
			continue;
		if (step_moves(ikd, pid, &p->steps[i], list, cause) == -1 ||
		    (planner_has_products(&p->steps[i]) && product_moves(ikd, pid, &p->steps[i],
		    deadlines, list, cause) == -1)) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static void __attribute__((format(printf, 2, 3)))
change(json_t *list, const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, _(fmt), ap);
	va_end(ap);
	buf_add_char(&b, '\0');
	json_array_append_new(list, json_string(b.data));
	buf_free(&b);
}

/* The linked sessions as they are now: moved, cancelled, removed, and
 * Vorlagenfristen that moved with them or with the rules. */
static int
session_changes(struct ikond *ikd, sqlite3_int64 process_id, json_t *list, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	char was[17], now[17];
	sqlite3_stmt *st;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT p.n, l.role, l.session_id, s.state, "
	    "s.start_utc, l.planned_start_utc, c.name, l.submission_id, l.planned_deadline, "
	    "(SELECT min(due_date) FROM deadline d WHERE d.submission_id = l.submission_id "
	    "AND d.session_id = l.session_id) "
	    "FROM process_link l JOIN process_step p ON p.id = l.step_id "
	    "LEFT JOIN session s ON s.id = l.session_id "
	    "LEFT JOIN committee c ON c.id = s.committee_id "
	    "WHERE p.process_id = ? ORDER BY p.n, l.id", "i", process_id)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		int n = sqlite3_column_int(st, 0);
		const char *role = (const char *)sqlite3_column_text(st, 1);
		sqlite3_int64 sid = sqlite3_column_int64(st, 2);

		if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
			change(list, "step %d (%s): its session was removed", n, role);
			continue;
		}
		if (strcmp((const char *)sqlite3_column_text(st, 3), "cancelled") == 0)
			change(list, "step %d (%s): session %lld of %s was cancelled", n, role,
			    (long long)sid, sqlite3_column_text(st, 6));
		else if (sqlite3_column_int64(st, 4) != sqlite3_column_int64(st, 5)) {
			timefmt_local(tz, (time_t)sqlite3_column_int64(st, 5), was);
			timefmt_local(tz, (time_t)sqlite3_column_int64(st, 4), now);
			change(list, "step %d (%s): session %lld of %s moved from %s to %s", n, role,
			    (long long)sid, sqlite3_column_text(st, 6), was, now);
		}
		if (sqlite3_column_type(st, 8) != SQLITE_NULL &&
		    sqlite3_column_type(st, 9) != SQLITE_NULL &&
		    strcmp((const char *)sqlite3_column_text(st, 8),
		    (const char *)sqlite3_column_text(st, 9)) != 0)
			change(list, "step %d (%s): the Vorlagenfrist of submission %lld moved from "
			    "%s to %s", n, role, (long long)sqlite3_column_int64(st, 7),
			    sqlite3_column_text(st, 8), sqlite3_column_text(st, 9));
	}
	store_done(ikd->store, st);
	return rc;
}

/* The changes of a planned process into list (see process_changes). */
static int
add_changes(struct ikond *ikd, sqlite3_int64 process_id, json_t *list, char **cause)
{
	struct process_options o;
	struct process_input pi;
	struct procdef *def;
	struct plan p;
	json_t *moves, *v;
	char *name, *why = NULL;
	size_t i;
	int rc;

	switch (store_exists(ikd->store, cause, "SELECT 1 FROM process WHERE id = ? AND "
	    "planned_at IS NOT NULL", "i", process_id)) {
	case -1:
		return -1;
	case 0:
		return 0;
	}
	if (session_changes(ikd, process_id, list, cause) == -1)
		return -1;
	switch (store_exists(ikd->store, cause, "SELECT 1 FROM process WHERE id = ? AND "
	    "target_session_id IS NULL", "i", process_id)) {
	case -1:
		return -1;
	case 1:
		change(list, "the target session was removed; the plan has no anchor");
		return 0;
	}
	/* A broken process file is a problem to report, not a failure of
	 * "status". */
	if ((rc = store_get_text(ikd->store, cause, &name, "SELECT template FROM process WHERE "
	    "id = ?", "i", process_id)) != 1)
		return rc;
	def = procdef_load(ikd->cfg->template_dir, name, &why);
	free(name);
	if (def == NULL) {
		change(list, "the plan cannot be checked: %s", why);
		free(why);
		return 0;
	}
	procdef_free(def);
	process_options_init(&o);
	o.as_planned = true;
	if (process_load(ikd, process_id, &o, &pi, cause) == -1)
		return -1;
	rc = 0;
	if (planner_run(&pi.in, &p) == -1) {
		for (i = 0; i < p.nproblems; i++)
			change(list, "the plan no longer fits: %s", p.problems[i]);
	} else if ((moves = process_moves(ikd, process_id, &p, false, cause)) == NULL)
		rc = -1;
	else {
		json_array_foreach(moves, i, v)
			change(list, "%s", json_string_value(json_object_get(v, "text")));
		json_decref(moves);
	}
	planner_clear(&p);
	process_input_free(&pi);
	return rc;
}

json_t *
process_changes(struct ikond *ikd, sqlite3_int64 process_id, char **cause)
{
	json_t *list = json_array();

	if (add_changes(ikd, process_id, list, cause) == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* Sessions ahead that fall on a weekend, a holiday, a local day off or in
 * a break: the first ODD_SESSIONS_MAX by name, the rest as a count. */
static int
odd_sessions(struct ikond *ikd, json_t *list, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	char why[300], day[11];
	sqlite3_stmt *st;
	size_t odd = 0;
	int rc, d;

	if ((st = store_query(ikd->store, cause, "SELECT s.id, c.name, s.start_utc FROM "
	    "session s JOIN committee c ON c.id = s.committee_id WHERE s.state <> 'cancelled' "
	    "AND s.start_utc >= ? ORDER BY s.start_utc, s.id", "i",
	    (sqlite3_int64)time(NULL))) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		civil_from_utc(tz, (time_t)sqlite3_column_int64(st, 2), &d, NULL, NULL);
		if (!planner_odd_day(ikd->cfg->workcal, d, why, sizeof(why)) ||
		    ++odd > ODD_SESSIONS_MAX)
			continue;
		civil_format_date(d, day);
		change(list, "session %lld of %s on %s falls on %s",
		    (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1), day, why);
	}
	store_done(ikd->store, st);
	if (rc == 0 && odd > ODD_SESSIONS_MAX)
		change(list, "%zu more sessions ahead fall on a weekend, a holiday, a local "
		    "day off or in a break", odd - ODD_SESSIONS_MAX);
	return rc;
}

int
process_add_problems(struct ikond *ikd, json_t *list, char **cause)
{
	json_t *changes, *v;
	sqlite3_stmt *st;
	char today[11];
	size_t i;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT id, slug FROM process WHERE "
	    "planned_at IS NOT NULL ORDER BY slug", "")) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		if ((changes = process_changes(ikd, sqlite3_column_int64(st, 0), cause)) == NULL) {
			rc = -1;
			break;
		}
		json_array_foreach(changes, i, v)
			change(list, "process %s: %s", sqlite3_column_text(st, 1),
			    json_string_value(v));
		json_decref(changes);
	}
	store_done(ikd->store, st);
	if (rc == -1)
		return -1;
	civil_format_date(process_today(ikd), today);
	if ((st = store_query(ikd->store, cause, "SELECT p.slug, m.id, m.title, m.due_date "
	    "FROM measure m JOIN process p ON p.id = m.process_id WHERE m.state = 'open' AND "
	    "m.due_date < ? ORDER BY m.due_date, m.id", "t", today)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1)
		change(list, "process %s: measure %lld \"%s\" is overdue since %s",
		    sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
	store_done(ikd->store, st);
	if (rc == -1)
		return -1;
	return odd_sessions(ikd, list, cause);
}
