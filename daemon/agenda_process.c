/*
 * agenda_process: the agenda collector for the dates the Integrationskonzept
 * process brings: feedback windows, measures, evaluation occurrences and
 * the planned steps (see agenda.h).
 */
#include "agenda.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "civil.h"
#include "german.h"
#include "process.h"
#include "timefmt.h"
#include "xmalloc.h"

static int
day_of(sqlite3_stmt *st, int col)
{
	int d = 0;

	if (civil_parse_date((const char *)sqlite3_column_text(st, col), &d, NULL) == -1)
		return 0;
	return d;
}

static void
span(struct agenda_item *it, int first, int last)
{
	it->all_day = true;
	it->start_days = first;
	it->end_days = last + 1;
}

static int
collect_windows(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause)
{
	struct agenda_item *it;
	sqlite3_stmt *st, *aud;
	char from[11], to[11], d1[40], d2[40];
	struct german_forms concept;
	struct buf d;
	int rc;

	civil_format_date(f->from_days, from);
	civil_format_date(f->to_days, to);
	st = store_query(ikd->store, cause, "SELECT w.id, w.uid, w.title, w.opens_date, "
	    "w.closes_date, w.sequence, w.updated_at, w.process_id, p.name "
	    "FROM feedback_window w JOIN process p ON p.id = w.process_id "
	    "WHERE w.closes_date >= ?1 AND w.opens_date <= ?2 ORDER BY w.opens_date, w.id", "tt",
	    from, to);
	if (st == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		it = agenda_add(a);
		it->kind = AGENDA_WINDOW;
		it->reminder_kind = xstrdup("window");
		it->id = sqlite3_column_int64(st, 0);
		it->uid = store_column_dup(st, 1);
		xasprintf(&it->title, "Rückmeldefenster: %s", sqlite3_column_text(st, 2));
		span(it, day_of(st, 3), day_of(st, 4));
		it->sequence = sqlite3_column_int(st, 5);
		it->updated = (time_t)sqlite3_column_int64(st, 6);
		it->process_id = sqlite3_column_int64(st, 7);
		german_date_long(it->start_days, d1, sizeof(d1));
		german_date_long(it->end_days - 1, d2, sizeof(d2));
		buf_init(&d);
		german_concept_forms((const char *)sqlite3_column_text(st, 8), &concept);
		buf_printf(&d, "Rückmeldungen zum Entwurf %s\nvom %s bis zum %s\n",
		    concept.gen, d1, d2);
		german_forms_free(&concept);
		it->description = agenda_description(a, &d);
		if ((aud = store_query(ikd->store, cause, "SELECT actor_id, committee_id FROM "
		    "window_audience WHERE window_id = ?", "i", it->id)) == NULL) {
			rc = -1;
			break;
		}
		while ((rc = store_next(ikd->store, aud, cause)) == 1) {
			if (sqlite3_column_type(aud, 0) != SQLITE_NULL)
				agenda_add_actor(it, sqlite3_column_int64(aud, 0));
			else
				agenda_add_members(a, it, sqlite3_column_int64(aud, 1));
		}
		store_done(ikd->store, aud);
		if (rc == -1)
			break;
		agenda_keep_if_matches(a, f);
	}
	store_done(ikd->store, st);
	return rc;
}

static int
collect_measures(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause)
{
	struct agenda_item *it;
	sqlite3_stmt *st;
	char from[11], to[11], euro[GERMAN_EURO_MAX];
	struct german_forms concept;
	struct buf d;
	int rc;

	civil_format_date(f->from_days, from);
	civil_format_date(f->to_days, to);
	st = store_query(ikd->store, cause, "SELECT m.id, m.uid, m.title, m.due_date, m.goal, "
	    "m.budget_cents, m.sequence, m.updated_at, m.process_id, m.owner_id, a.name, p.name "
	    "FROM measure m JOIN actor a ON a.id = m.owner_id JOIN process p ON "
	    "p.id = m.process_id WHERE m.state = 'open' AND m.due_date >= ?1 AND "
	    "m.due_date <= ?2 ORDER BY m.due_date, m.id", "tt", from, to);
	if (st == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		it = agenda_add(a);
		it->kind = AGENDA_MEASURE;
		it->reminder_kind = xstrdup("measure");
		it->id = sqlite3_column_int64(st, 0);
		it->uid = store_column_dup(st, 1);
		xasprintf(&it->title, "Maßnahme fällig: %s", sqlite3_column_text(st, 2));
		span(it, day_of(st, 3), day_of(st, 3));
		it->sequence = sqlite3_column_int(st, 6);
		it->updated = (time_t)sqlite3_column_int64(st, 7);
		it->process_id = sqlite3_column_int64(st, 8);
		agenda_add_actor(it, sqlite3_column_int64(st, 9));
		buf_init(&d);
		german_concept_forms((const char *)sqlite3_column_text(st, 11), &concept);
		buf_printf(&d, "Maßnahme %s\nVerantwortlich: %s\n", concept.gen,
		    sqlite3_column_text(st, 10));
		german_forms_free(&concept);
		if (sqlite3_column_text(st, 4)[0] != '\0')
			buf_printf(&d, "Ziel: %s\n", sqlite3_column_text(st, 4));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
			german_euro(sqlite3_column_int64(st, 5), euro, sizeof(euro));
			buf_printf(&d, "Budget: %s\n", euro);
		}
		it->description = agenda_description(a, &d);
		agenda_keep_if_matches(a, f);
	}
	store_done(ikd->store, st);
	return rc;
}

static int
collect_evaluations(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause)
{
	const struct config *cfg = ikd->cfg;
	struct occurrence *occ;
	struct agenda_item *it;
	sqlite3_stmt *st;
	char nominal[11], compact[9], date[40];
	struct buf d;
	size_t i, n;
	int start, rc, until;

	/* An endless series is shown up to the horizon, never beyond. */
	until = process_series_end(cfg, process_today(ikd), f->from_days);
	if (until > f->to_days)
		until = f->to_days;
	st = store_query(ikd->store, cause, "SELECT e.id, e.uid, e.title, e.start_date, e.rrule, "
	    "e.sequence, e.updated_at, e.process_id, e.owner_id, coalesce(e.committee_id, 0), "
	    "a.name, c.name, (SELECT group_concat(occurrence) FROM evaluation_done x WHERE "
	    "x.evaluation_id = e.id) FROM evaluation e JOIN actor a ON a.id = e.owner_id "
	    "LEFT JOIN committee c ON c.id = e.committee_id ORDER BY e.id", "");
	if (st == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		const char *done = (const char *)sqlite3_column_text(st, 12);

		if (civil_parse_date((const char *)sqlite3_column_text(st, 3), &start, NULL) == -1 ||
		    process_occurrences((const char *)sqlite3_column_text(st, 4), start,
		    f->from_days, until, cfg->process.evaluation_roll, cfg->workcal, &occ, &n,
		    PROCESS_MAX_OCCURRENCES, NULL) == -1)
			continue;
		for (i = 0; i < n; i++) {
			civil_format_date(occ[i].nominal, nominal);
			memcpy(compact, nominal, 4);
			memcpy(compact + 4, nominal + 5, 2);
			memcpy(compact + 6, nominal + 8, 2);
			compact[8] = '\0';
			it = agenda_add(a);
			it->kind = AGENDA_EVALUATION;
			it->reminder_kind = xstrdup("evaluation");
			it->id = sqlite3_column_int64(st, 0);
			xasprintf(&it->uid, "%s-%s", compact, sqlite3_column_text(st, 1));
			xasprintf(&it->name, "Evaluation: %s", sqlite3_column_text(st, 2));
			xasprintf(&it->title, "%s%s", done != NULL &&
			    strstr(done, nominal) != NULL ? "Erledigt: " : "", it->name);
			span(it, occ[i].due, occ[i].due);
			it->sequence = sqlite3_column_int(st, 5);
			it->updated = (time_t)sqlite3_column_int64(st, 6);
			it->process_id = sqlite3_column_int64(st, 7);
			it->committee_id = sqlite3_column_int64(st, 9);
			agenda_add_actor(it, sqlite3_column_int64(st, 8));
			if (it->committee_id != 0)
				agenda_add_members(a, it, it->committee_id);
			buf_init(&d);
			buf_printf(&d, "Evaluation und Qualitätsmanagement\nVerantwortlich: %s\n",
			    sqlite3_column_text(st, 10));
			if (sqlite3_column_type(st, 11) != SQLITE_NULL)
				buf_printf(&d, "Bericht an: %s\n", sqlite3_column_text(st, 11));
			if (occ[i].due != occ[i].nominal) {
				german_date_long(occ[i].nominal, date, sizeof(date));
				xasprintf(&it->why, "Verschoben vom %s (%s)", date,
				    german_day_off(workcal_reason(cfg->workcal, occ[i].nominal)));
				buf_printf(&d, "%s.\n", it->why);
			}
			it->description = agenda_description(a, &d);
			agenda_keep_if_matches(a, f);
		}
		free(occ);
	}
	store_done(ikd->store, st);
	return rc;
}

static int
collect_steps(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause)
{
	struct agenda_item *it;
	sqlite3_stmt *st, *own;
	char from[11], to[11];
	struct german_forms concept;
	struct buf d;
	int rc;

	civil_format_date(f->from_days, from);
	civil_format_date(f->to_days, to);
	st = store_query(ikd->store, cause, "SELECT s.id, s.uid, s.n, s.title, s.start_date, "
	    "s.end_date, s.state, s.notes, s.sequence, s.updated_at, s.process_id, "
	    "p.name FROM process_step s JOIN process p ON p.id = s.process_id "
	    "WHERE s.state IN ('open', 'in_progress') AND s.start_date IS NOT NULL AND "
	    "s.end_date >= ?1 AND s.start_date <= ?2 ORDER BY s.start_date, s.id", "tt", from, to);
	if (st == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		it = agenda_add(a);
		it->kind = AGENDA_STEP;
		it->reminder_kind = xstrdup("step");
		it->id = sqlite3_column_int64(st, 0);
		it->uid = store_column_dup(st, 1);
		xasprintf(&it->title, "Schritt %d: %s", sqlite3_column_int(st, 2),
		    sqlite3_column_text(st, 3));
		span(it, day_of(st, 4), day_of(st, 5));
		it->sequence = sqlite3_column_int(st, 8);
		it->updated = (time_t)sqlite3_column_int64(st, 9);
		it->process_id = sqlite3_column_int64(st, 10);
		buf_init(&d);
		german_concept_forms((const char *)sqlite3_column_text(st, 11), &concept);
		buf_printf(&d, "Schritt der Erarbeitung %s\nStand: %s\n", concept.gen,
		    strcmp((const char *)sqlite3_column_text(st, 6), "open") == 0 ? "offen" :
		    "in Arbeit");
		german_forms_free(&concept);
		if (sqlite3_column_text(st, 7)[0] != '\0')
			buf_printf(&d, "Notizen: %s\n", sqlite3_column_text(st, 7));
		it->description = agenda_description(a, &d);
		if ((own = store_query(ikd->store, cause, "SELECT actor_id FROM step_owner "
		    "WHERE step_id = ?", "i", it->id)) == NULL) {
			rc = -1;
			break;
		}
		while ((rc = store_next(ikd->store, own, cause)) == 1)
			agenda_add_actor(it, sqlite3_column_int64(own, 0));
		store_done(ikd->store, own);
		if (rc == -1)
			break;
		agenda_keep_if_matches(a, f);
	}
	store_done(ikd->store, st);
	return rc;
}

int
agenda_collect_process(struct ikond *ikd, const struct agenda_filter *f, struct agenda *a,
    char **cause)
{
	/* Windows, measures and steps have no committee of their own. */
	if (f->committee_id == 0 && (collect_windows(ikd, f, a, cause) == -1 ||
	    collect_measures(ikd, f, a, cause) == -1 || collect_steps(ikd, f, a, cause) == -1))
		return -1;
	return collect_evaluations(ikd, f, a, cause);
}
