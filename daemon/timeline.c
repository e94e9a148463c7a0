/*
 * timeline: a process's time plan from the store, as timeline_svg.c draws
 * it (see timeline.h).  Steps, links, windows and the target session are
 * read as stored; whether a step has moved is what the planner says of
 * the plan as of the day it was made (process_compare.c asks the same
 * question for "process show"): a step whose stored dates differ from the
 * planner's is drawn where it was and where it goes.
 */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "domain.h"
#include "process.h"
#include "timefmt.h"
#include "xmalloc.h"

static int
column_day(sqlite3_stmt *st, int col)
{
	int d;

	if (sqlite3_column_type(st, col) == SQLITE_NULL ||
	    civil_parse_date((const char *)sqlite3_column_text(st, col), &d, NULL) == -1)
		return TIMELINE_NO_DAY;
	return d;
}

static enum timeline_state
state_of(const char *word)
{
	if (strcmp(word, "in_progress") == 0)
		return TIMELINE_IN_PROGRESS;
	if (strcmp(word, "done") == 0)
		return TIMELINE_DONE;
	if (strcmp(word, "skipped") == 0)
		return TIMELINE_SKIPPED;
	return TIMELINE_OPEN;
}

/* The steps, and their codes in codes[] for the planner's answer. */
static int
load_steps(struct ikond *ikd, sqlite3_int64 pid, struct timeline *tl, char ***codes,
    char **cause)
{
	struct timeline_step *s;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT n, code, title, state, start_date, "
	    "end_date, pinned FROM process_step WHERE process_id = ? ORDER BY n, id", "i",
	    pid)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		tl->steps = xreallocarray(tl->steps, tl->nsteps + 1, sizeof(*tl->steps));
		*codes = xreallocarray(*codes, tl->nsteps + 1, sizeof(**codes));
		(*codes)[tl->nsteps] = store_column_dup(st, 1);
		s = &tl->steps[tl->nsteps++];
		memset(s, 0, sizeof(*s));
		s->n = sqlite3_column_int(st, 0);
		s->title = store_column_dup(st, 2);
		s->state = state_of((const char *)sqlite3_column_text(st, 3));
		s->start = column_day(st, 4);
		s->end = column_day(st, 5);
		if (s->start == TIMELINE_NO_DAY || s->end == TIMELINE_NO_DAY)
			s->start = s->end = TIMELINE_NO_DAY;
		s->by_hand = sqlite3_column_int(st, 6) != 0;
		s->late = s->end != TIMELINE_NO_DAY && s->end < tl->today &&
		    (s->state == TIMELINE_OPEN || s->state == TIMELINE_IN_PROGRESS);
		s->moved_start = s->moved_end = TIMELINE_NO_DAY;
	}
	store_done(ikd->store, st);
	return rc;
}

static struct timeline_session *
session_add(struct timeline *tl, sqlite3_stmt *st, int col_start, int col_state,
    int col_name, const char *tz)
{
	struct timeline_session *s;

	tl->sessions = xreallocarray(tl->sessions, tl->nsessions + 1, sizeof(*tl->sessions));
	s = &tl->sessions[tl->nsessions++];
	memset(s, 0, sizeof(*s));
	civil_from_utc(tz, (time_t)sqlite3_column_int64(st, col_start), &s->day, &s->minute,
	    NULL);
	s->cancelled = strcmp((const char *)sqlite3_column_text(st, col_state),
	    "cancelled") == 0;
	s->committee = store_column_dup(st, col_name);
	s->deadline = TIMELINE_NO_DAY;
	return s;
}

/* The sessions the plan links to, one mark each; the target session if
 * no link names it yet. */
static int
load_sessions(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 target, struct timeline *tl,
    char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	struct timeline_session *s;
	sqlite3_int64 *ids = NULL, id;
	sqlite3_stmt *st;
	size_t i;
	bool target_seen = false;
	int rc, due;

	if ((st = store_query(ikd->store, cause, "SELECT s.id, s.start_utc, s.state, c.name, "
	    "l.role, l.beratung, l.planned_start_utc, (SELECT min(due_date) FROM deadline d "
	    "WHERE d.submission_id = l.submission_id AND d.session_id = l.session_id) "
	    "FROM process_link l JOIN process_step p ON p.id = l.step_id "
	    "JOIN session s ON s.id = l.session_id JOIN committee c ON c.id = s.committee_id "
	    "WHERE p.process_id = ? ORDER BY s.start_utc, s.id, l.id", "i", pid)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		id = sqlite3_column_int64(st, 0);
		for (i = 0; i < tl->nsessions && ids[i] != id; i++)
			;
		if (i == tl->nsessions) {
			ids = xreallocarray(ids, tl->nsessions + 1, sizeof(*ids));
			ids[tl->nsessions] = id;
			s = session_add(tl, st, 1, 2, 3, tz);
		} else
			s = &tl->sessions[i];
		if (strcmp((const char *)sqlite3_column_text(st, 4), "start") == 0) {
			s->start = true;
			free(s->role);
			s->role = xstrdup("Startbeschluss");
		} else if (s->role == NULL)
			s->role = xstrdup(vocab_label(beratung_roles,
			    (const char *)sqlite3_column_text(st, 5)));
		s->moved = s->moved || sqlite3_column_int64(st, 1) != sqlite3_column_int64(st, 6);
		due = column_day(st, 7);
		if (due != TIMELINE_NO_DAY && (s->deadline == TIMELINE_NO_DAY || due < s->deadline))
			s->deadline = due;
		if (id == target)
			s->target = target_seen = true;
	}
	store_done(ikd->store, st);
	free(ids);
	if (rc == -1 || target == 0 || target_seen)
		return rc;
	switch (store_first(ikd->store, cause, &st, "SELECT s.start_utc, s.state, c.name FROM "
	    "session s JOIN committee c ON c.id = s.committee_id WHERE s.id = ?", "i", target)) {
	case -1:
		return -1;
	case 0:
		return 0;
	}
	s = session_add(tl, st, 0, 1, 2, tz);
	store_done(ikd->store, st);
	s->target = true;
	s->role = xstrdup(vocab_label(beratung_roles, "entscheidung"));
	/* The target joins the others in the order of days. */
	for (i = tl->nsessions - 1; i > 0 && tl->sessions[i - 1].day > s->day; i--) {
		struct timeline_session t = tl->sessions[i - 1];

		tl->sessions[i - 1] = tl->sessions[i];
		tl->sessions[i] = t;
	}
	return 0;
}

static int
load_windows(struct ikond *ikd, sqlite3_int64 pid, struct timeline *tl, char **cause)
{
	struct timeline_span *w;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT title, opens_date, closes_date FROM "
	    "feedback_window WHERE process_id = ? ORDER BY opens_date, id", "i", pid)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		tl->windows = xreallocarray(tl->windows, tl->nwindows + 1, sizeof(*tl->windows));
		w = &tl->windows[tl->nwindows++];
		w->name = store_column_dup(st, 0);
		w->from = column_day(st, 1);
		w->to = column_day(st, 2);
	}
	store_done(ikd->store, st);
	return rc;
}

static void
load_breaks(const struct workcal *wc, struct timeline *tl)
{
	const char *name;
	size_t i;
	int from, to;

	for (i = 0; (name = workcal_break(wc, i, &from, &to)) != NULL; i++) {
		tl->breaks = xreallocarray(tl->breaks, tl->nbreaks + 1, sizeof(*tl->breaks));
		tl->breaks[tl->nbreaks].name = xstrdup(name);
		tl->breaks[tl->nbreaks].from = from;
		tl->breaks[tl->nbreaks++].to = to;
	}
}

/*
 * Where the planner would now put the steps of a stored plan: the plan as
 * of the day it was made, with the sessions as they are now.  A process
 * file that no longer loads or a plan that no longer fits moves nothing
 * here; "process show" says why.
 */
static int
load_moves(struct ikond *ikd, sqlite3_int64 pid, struct timeline *tl, char **codes,
    char **cause)
{
	struct process_options o;
	struct process_input pi;
	const struct plan_step *ps;
	struct procdef *def;
	struct plan p;
	char *name;
	size_t i, k;
	int rc;

	if ((rc = store_get_text(ikd->store, cause, &name, "SELECT template FROM process WHERE "
	    "id = ?", "i", pid)) != 1)
		return rc;
	def = procdef_load(ikd->cfg->template_dir, name, NULL);
	free(name);
	if (def == NULL)
		return 0;
	procdef_free(def);
	process_options_init(&o);
	o.as_planned = true;
	if (process_load(ikd, pid, &o, &pi, cause) == -1)
		return -1;
	if (planner_run(&pi.in, &p) == 0) {
		for (i = 0; i < p.nsteps; i++) {
			ps = &p.steps[i];
			if (ps->fix != PLAN_FREE || ps->start == PLAN_NO_DAY)
				continue;
			for (k = 0; k < tl->nsteps; k++) {
				if (strcmp(codes[k], ps->def->code) != 0 ||
				    tl->steps[k].start == TIMELINE_NO_DAY)
					continue;
				if (tl->steps[k].start != ps->start || tl->steps[k].end != ps->end) {
					tl->steps[k].moved_start = ps->start;
					tl->steps[k].moved_end = ps->end;
				}
				break;
			}
		}
	}
	planner_clear(&p);
	process_input_free(&pi);
	return 0;
}

int
timeline_load(struct ikond *ikd, sqlite3_int64 pid, struct timeline *tl, char **cause)
{
	sqlite3_int64 target;
	sqlite3_stmt *st;
	char **codes = NULL;
	bool planned;
	size_t i;
	int rc = -1;

	memset(tl, 0, sizeof(*tl));
	tl->today = process_today(ikd);
	switch (store_first(ikd->store, cause, &st, "SELECT name, coalesce(target_session_id, 0), "
	    "planned_at IS NOT NULL FROM process WHERE id = ?", "i", pid)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no process %lld (see: ikond-ctl process list)",
		    (long long)pid);
	}
	tl->title = store_column_dup(st, 0);
	target = sqlite3_column_int64(st, 1);
	planned = sqlite3_column_int(st, 2) != 0;
	store_done(ikd->store, st);
	load_breaks(ikd->cfg->workcal, tl);
	if (load_steps(ikd, pid, tl, &codes, cause) == 0 &&
	    load_sessions(ikd, pid, target, tl, cause) == 0 &&
	    load_windows(ikd, pid, tl, cause) == 0 &&
	    (!planned || target == 0 || load_moves(ikd, pid, tl, codes, cause) == 0))
		rc = 0;
	for (i = 0; i < tl->nsteps; i++)
		free(codes[i]);
	free(codes);
	if (rc == -1)
		timeline_clear(tl);
	return rc;
}

void
timeline_clear(struct timeline *tl)
{
	size_t i;

	for (i = 0; i < tl->nsteps; i++)
		free(tl->steps[i].title);
	for (i = 0; i < tl->nsessions; i++) {
		free(tl->sessions[i].committee);
		free(tl->sessions[i].role);
	}
	for (i = 0; i < tl->nwindows; i++)
		free(tl->windows[i].name);
	for (i = 0; i < tl->nbreaks; i++)
		free(tl->breaks[i].name);
	free(tl->title);
	free(tl->steps);
	free(tl->sessions);
	free(tl->windows);
	free(tl->breaks);
	memset(tl, 0, sizeof(*tl));
}
