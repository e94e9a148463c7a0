/*
 * process_apply: stores a feasible plan (see process.h), all inside the
 * command's transaction.  Steps take their new dates unless they are
 * fixed; each product has one small function that creates or moves what
 * the step produces, so that a product can change its storage on its own:
 * the Verwaltungsvorlage of the start decision, the Beschlussvorlage (one
 * Vorlage with a Beratung per committee of the route), the workshop event,
 * the feedback window and the evaluation.  Only what differs is written, so applying the same
 * plan twice changes nothing.
 */
#include "process.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "civil.h"
#include "deadline.h"
#include "entity.h"
#include "event.h"
#include "submission.h"
#include "xmalloc.h"

/* What every product function needs. */
struct apply_ctx {
	struct ikond		*ikd;
	sqlite3_int64		 pid;
	const char		*name;		/* the process's */
	sqlite3_int64		 owner;
	sqlite3_int64		 committee;	/* of the start decision */
	json_t			*result;
	json_t			*created;	/* ids of new Vorlagen */
};

const char *
process_link_key(const struct plan_step *st, size_t k)
{
	if (st->def->produces == PRODUCT_VERWALTUNGSVORLAGE)
		return "start";
	return st->beratungen[k].session->committee;
}

/* The stored step of st (created if the file has a step the process lacks),
 * with an owner. */
static int
ensure_step(struct apply_ctx *a, const struct plan_step *st, sqlite3_int64 *id, char **cause)
{
	struct ikond *ikd = a->ikd;
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	char *uid;
	int rc;

	if ((rc = store_get_int(ikd->store, cause, id, "SELECT id FROM process_step WHERE "
	    "process_id = ? AND code = ? ORDER BY n LIMIT 1", "it", a->pid, st->def->code)) == -1)
		return -1;
	if (rc == 0) {
		uid = entity_new_uid("step");
		rc = store_exec(ikd->store, cause, "INSERT INTO process_step (process_id, n, code, "
		    "title, uid, created_at, updated_at) VALUES (?, (SELECT coalesce(max(n), 0) + 1 "
		    "FROM process_step WHERE process_id = ?), ?, ?, ?, ?, ?)", "iitttii", a->pid,
		    a->pid, st->def->code, st->def->title, uid, now, now);
		free(uid);
		if (rc == -1)
			return -1;
		*id = store_last_id(ikd->store);
	}
	if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM step_owner WHERE step_id = ?",
	    "i", *id)) == -1 || (rc == 0 && store_exec(ikd->store, cause, "INSERT INTO "
	    "step_owner (step_id, actor_id) VALUES (?, ?)", "ii", *id, a->owner) == -1))
		return -1;
	return 0;
}

/* The new dates of a step the planner placed. */
static int
apply_dates(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    char **cause)
{
	char start[11], end[11];

	if (st->fix != PLAN_FREE || st->start == PLAN_NO_DAY)
		return 0;
	civil_format_date(st->start, start);
	civil_format_date(st->end, end);
	return store_exec(a->ikd->store, cause, "UPDATE process_step SET start_date = ?1, "
	    "end_date = ?2, plan_note = ?3, sequence = sequence + 1, updated_at = ?4 "
	    "WHERE id = ?5 AND state IN ('open', 'in_progress') AND pinned = 0 AND "
	    "(start_date IS NOT ?1 OR end_date IS NOT ?2 OR plan_note <> ?3)", "tttii", start, end,
	    st->note ? st->note : "", (sqlite3_int64)time(NULL), step_id);
}

/* The link of Beratung k of a Vorlage step: its session, the Vorlage, and
 * what the plan expected (start and Vorlagenfrist) for "process show". */
static int
link_beratung(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    size_t k, sqlite3_int64 sub, char **cause)
{
	const struct plan_beratung *b = &st->beratungen[k];
	struct store *store = a->ikd->store;
	sqlite3_int64 start;
	char *due = NULL;
	int rc;

	switch (store_get_int(store, cause, &start, "SELECT start_utc FROM session WHERE id = ?",
	    "i", b->session->id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "session %lld vanished", (long long)b->session->id);
	}
	if (store_get_text(store, cause, &due, "SELECT min(due_date) FROM deadline WHERE "
	    "submission_id = ? AND session_id = ?", "ii", sub, b->session->id) == -1)
		return -1;
	rc = store_exec(store, cause, "INSERT INTO process_link (step_id, role, session_id, "
	    "submission_id, planned_start_utc, planned_deadline, beratung) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7) ON CONFLICT (step_id, role) DO UPDATE SET session_id = ?3, "
	    "submission_id = ?4, planned_start_utc = ?5, planned_deadline = ?6, beratung = ?7 "
	    "WHERE session_id IS NOT ?3 OR submission_id IS NOT ?4 OR planned_start_utc IS NOT ?5 "
	    "OR planned_deadline IS NOT ?6 OR beratung IS NOT ?7", "itiiitt", step_id,
	    process_link_key(st, k), b->session->id, sub, start, due != NULL && *due ? due : NULL,
	    b->role);
	free(due);
	return rc == -1 ? -1 : 0;
}

/*
 * The one Vorlage of a Vorlage step, going through every Beratung the
 * plan gives it (the Verwaltungsvorlage of the start decision, the
 * Beschlussvorlage through the route): created, or its Beratungsfolge
 * made the plan's, which keeps the deadline rows of the sessions that
 * stay.  Links of committees that left the route go; a draft Vorlage only
 * they named (plans stored when each Beratung had a Vorlage of its own)
 * is withdrawn.
 */
static int
apply_vorlage(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    const char *title_prefix, char **cause)
{
	struct beratung_spec b[ROUTE_MAX];
	struct submission_spec spec;
	struct store *store = a->ikd->store;
	sqlite3_int64 sub;
	struct buf keys;
	char *title, *list;
	size_t k;
	int rc;

	if (st->nberatungen == 0)
		return 0;
	for (k = 0; k < st->nberatungen; k++) {
		b[k].session_id = st->beratungen[k].session->id;
		b[k].role = st->beratungen[k].role;
	}
	if (store_get_int(store, cause, &sub, "SELECT coalesce(min(l.submission_id), 0) FROM "
	    "process_link l JOIN submission s ON s.id = l.submission_id WHERE l.step_id = ? AND "
	    "s.state <> 'withdrawn'", "i", step_id) == -1)
		return -1;
	if (sub != 0)
		rc = submission_set_beratungen(a->ikd, sub, b, st->nberatungen, cause);
	else {
		xasprintf(&title, "%s: %s", title_prefix, a->name);
		memset(&spec, 0, sizeof(spec));
		spec.title = title;
		spec.kind = procdef_product_name(st->def->produces);
		spec.owner_id = a->owner;
		rc = submission_create(a->ikd, &spec, b, st->nberatungen, &sub, cause);
		free(title);
		if (rc == 0)
			json_array_append_new(a->created, json_integer((json_int_t)sub));
	}
	if (rc == -1)
		return -1;
	buf_init(&keys);
	for (k = 0; k < st->nberatungen; k++)
		buf_printf(&keys, "%s%s", k ? "," : "", process_link_key(st, k));
	buf_add_char(&keys, '\0');
	list = buf_steal(&keys, NULL);
	rc = store_exec(store, cause, "UPDATE submission SET state = 'withdrawn', updated_at = ?1 "
	    "WHERE state = 'draft' AND id <> ?2 AND id IN (SELECT submission_id FROM process_link "
	    "WHERE step_id = ?3)", "iii", (sqlite3_int64)time(NULL), sub, step_id) == -1 ||
	    store_exec(store, cause, "DELETE FROM process_link WHERE step_id = ?1 AND "
	    "instr(',' || ?2 || ',', ',' || role || ',') = 0", "it", step_id, list) == -1 ? -1 : 0;
	free(list);
	for (k = 0; rc == 0 && k < st->nberatungen; k++)
		rc = link_beratung(a, step_id, st, k, sub, cause);
	return rc;
}

static int
apply_verwaltungsvorlage(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    char **cause)
{
	if (st->nberatungen > 0 && st->beratungen[0].session->committee_id != 0)
		a->committee = st->beratungen[0].session->committee_id;
	return apply_vorlage(a, step_id, st, "Startbeschluss", cause);
}

static int
apply_beschlussvorlage(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    char **cause)
{
	return apply_vorlage(a, step_id, st, "Beschluss", cause);
}

/*
 * The workshop of a step as a dated event of the process, all day, time
 * and place to follow: the admin completes it with "event edit".  A later
 * plan moves it only while it has no time yet; once a time is set, the
 * event is the admin's.  The reply lists each workshop with its event.
 */
static int
apply_workshop(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    char **cause)
{
	json_t *list = json_object_get(a->result, "workshop_events");
	struct event_time t;
	sqlite3_int64 id;
	char day[11];
	int rc;

	if ((rc = store_get_int(a->ikd->store, cause, &id, "SELECT min(id) FROM event WHERE "
	    "step_id = ? HAVING count(*) > 0", "i", step_id)) == -1)
		return -1;
	if (rc == 0) {
		if (event_create_dated(a->ikd, a->pid, step_id, st->def->title, st->event, &id,
		    cause) == -1)
			return -1;
	} else {
		if (event_time_load(a->ikd, id, &t, cause) == -1)
			return -1;
		if (!EVENT_TIMED(&t) && (t.day != st->event || t.end_day != st->event)) {
			t.day = t.end_day = st->event;
			if (event_time_store(a->ikd, id, &t, cause) == -1)
				return -1;
		}
	}
	if (list == NULL) {
		list = json_array();
		json_object_set_new(a->result, "workshop_events", list);
	}
	civil_format_date(st->event, day);
	json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "step", st->def->code, "date",
	    day, "event", (json_int_t)id));
	return 0;
}

static int
apply_window(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    char **cause)
{
	struct ikond *ikd = a->ikd;
	sqlite3_int64 now = (sqlite3_int64)time(NULL), wid;
	char opens[11], closes[11], *title, *uid;
	const char *expl = st->note ? st->note : "";
	int rc;

	civil_format_date(st->start, opens);
	civil_format_date(st->end, closes);
	if (store_get_int(ikd->store, cause, &wid, "SELECT coalesce(max(id), 0) FROM "
	    "feedback_window WHERE step_id = ?", "i", step_id) == -1)
		return -1;
	if (wid != 0) {
		json_object_set_new(a->result, "window_id", json_integer((json_int_t)wid));
		return store_exec(ikd->store, cause, "UPDATE feedback_window SET opens_date = ?1, "
		    "closes_date = ?2, explanation = ?3, sequence = sequence + 1, updated_at = ?4 "
		    "WHERE id = ?5 AND (opens_date <> ?1 OR closes_date <> ?2)", "tttii", opens,
		    closes, expl, now, wid);
	}
	xasprintf(&title, "Rückmeldungen zum Entwurf: %s", a->name);
	uid = entity_new_uid("window");
	rc = store_exec(ikd->store, cause, "INSERT INTO feedback_window (process_id, step_id, "
	    "title, opens_date, closes_date, explanation, uid, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "iitttttii", a->pid, step_id, title, opens,
	    closes, expl, uid, now, now);
	free(title);
	free(uid);
	if (rc == -1)
		return -1;
	wid = store_last_id(ikd->store);
	json_object_set_new(a->result, "window_id", json_integer((json_int_t)wid));
	/* The audience: the coordinator and the bodies the seed names for
	 * feedback (integration bodies, Fachleitungen, working groups). */
	if (store_exec(ikd->store, cause, "INSERT INTO window_audience (window_id, actor_id) "
	    "VALUES (?, ?)", "ii", wid, a->owner) == -1 ||
	    store_exec(ikd->store, cause, "INSERT INTO window_audience (window_id, committee_id) "
	    "SELECT ?, id FROM committee WHERE kind IN ('integrationsbeirat', 'integrationsrat', "
	    "'auslaenderbeirat', 'fachleitungsrunde', 'arbeitsgruppe')", "i", wid) == -1)
		return -1;
	return 0;
}

static int
apply_evaluation(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    char **cause)
{
	struct ikond *ikd = a->ikd;
	sqlite3_int64 now = (sqlite3_int64)time(NULL), eid;
	char start[11], *title, *uid;
	int rc;

	civil_format_date(st->nominal, start);
	if (store_get_int(ikd->store, cause, &eid, "SELECT coalesce(max(id), 0) FROM evaluation "
	    "WHERE step_id = ?", "i", step_id) == -1)
		return -1;
	if (eid != 0) {
		json_object_set_new(a->result, "evaluation_id", json_integer((json_int_t)eid));
		return store_exec(ikd->store, cause, "UPDATE evaluation SET start_date = ?1, "
		    "sequence = sequence + 1, updated_at = ?2 WHERE id = ?3 AND start_date <> ?1",
		    "tii", start, now, eid);
	}
	xasprintf(&title, "Evaluation: %s", a->name);
	uid = entity_new_uid("evaluation");
	rc = store_exec(ikd->store, cause, "INSERT INTO evaluation (process_id, title, owner_id, "
	    "committee_id, step_id, start_date, rrule, uid, created_at, updated_at) VALUES "
	    "(?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?, ?)", "itiiitttii", a->pid, title, a->owner,
	    a->committee, step_id, start, st->def->rrule, uid, now, now);
	free(title);
	free(uid);
	if (rc == -1)
		return -1;
	json_object_set_new(a->result, "evaluation_id", json_integer((json_int_t)store_last_id(
	    ikd->store)));
	return 0;
}

static int
apply_product(struct apply_ctx *a, sqlite3_int64 step_id, const struct plan_step *st,
    char **cause)
{
	switch (st->def->produces) {
	case PRODUCT_VERWALTUNGSVORLAGE:
		return apply_verwaltungsvorlage(a, step_id, st, cause);
	case PRODUCT_BESCHLUSSVORLAGE:
		return apply_beschlussvorlage(a, step_id, st, cause);
	case PRODUCT_WORKSHOP:
		return apply_workshop(a, step_id, st, cause);
	case PRODUCT_WINDOW:
		return apply_window(a, step_id, st, cause);
	case PRODUCT_EVALUATION:
		return apply_evaluation(a, step_id, st, cause);
	case PRODUCT_NONE:
		break;
	}
	return 0;
}

int
process_apply(struct ikond *ikd, const struct process_input *pi, const struct plan *p,
    sqlite3_int64 owner, json_t *result, char **cause)
{
	const struct plan_input *in = &pi->in;
	sqlite3_int64 now = (sqlite3_int64)time(NULL), step_id;
	struct apply_ctx a;
	char from[11], *name = NULL;
	size_t i;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	a.ikd = ikd;
	a.pid = pi->process_id;
	a.owner = owner;
	a.result = result;
	a.created = json_array();
	json_object_set_new(result, "submissions_created", a.created);
	civil_format_date(in->origin, from);
	if (store_exec(ikd->store, cause, "UPDATE process SET target_session_id = ?, "
	    "committee_id = coalesce(nullif(?, 0), committee_id), owner_id = ?, "
	    "planned_from = ?, planned_at = ?, schedule = ?, updated_at = ? WHERE id = ?",
	    "iiititii", in->target_id, in->decision_committee, owner, from, now,
	    in->late ? "late" : "early", now, a.pid) == -1)
		return -1;
	switch (store_get_text(ikd->store, cause, &name, "SELECT name FROM process WHERE id = ?",
	    "i", a.pid)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "process %lld vanished", (long long)a.pid);
	}
	a.name = name;
	for (i = 0; i < p->nsteps; i++) {
		const struct plan_step *st = &p->steps[i];

		if (st->fix == PLAN_SKIPPED)
			continue;
		if (ensure_step(&a, st, &step_id, cause) == -1 ||
		    apply_dates(&a, step_id, st, cause) == -1 ||
		    (planner_has_products(st) && apply_product(&a, step_id, st, cause) == -1))
			goto out;
	}
	rc = 0;
out:
	free(name);
	return rc;
}
