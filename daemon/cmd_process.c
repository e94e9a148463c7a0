/*
 * cmd_process: the "process" commands.  A process is one Integrationskonzept
 * with its ten steps and two follow-up phases.  "process plan" runs the
 * planner (process.c) on the sessions in the store and, with --apply,
 * stores the dated steps and creates the Vorlagen, the feedback window and
 * the evaluation the plan needs, all in the command's transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "civil.h"
#include "deadline.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "i18n.h"
#include "process.h"
#include "timefmt.h"
#include "xmalloc.h"

#define NAME_MAX_BYTES	200
#define NOTES_MAX_BYTES	2000
#define STEPS_MAX	50

static const struct vocab step_states[] = {
	{ "open", "offen" },
	{ "in_progress", "in Arbeit" },
	{ "done", "erledigt" },
	{ "skipped", "übersprungen" },
	{ NULL, NULL },
};

static int
fail_text(struct reply *rep, const char *opt, int max)
{
	return reply_fail(rep, 1, "--%s must be 1 to %d bytes of text without control "
	    "characters", opt, max);
}

/* The coordinator who owns the Vorlagen: --owner, the process's owner, or
 * the first actor with the role Koordination. */
static int
coordinator(struct ikond *ikd, const char *owner, sqlite3_int64 pid, sqlite3_int64 *id,
    char **cause)
{
	if (owner != NULL)
		return entity_actor_id(ikd, owner, id, cause);
	if (store_get_int(ikd->store, cause, id, "SELECT coalesce((SELECT owner_id FROM process "
	    "WHERE id = ?), (SELECT min(actor_id) FROM actor_role WHERE "
	    "lower(role) = 'koordination'), 0)", "i", pid) == -1)
		return -1;
	if (*id != 0)
		return 0;
	return set_cause(cause, "the plan needs a coordinator who owns its Vorlagen: give "
	    "--owner ACTOR");
}

static int
insert_default_steps(struct ikond *ikd, sqlite3_int64 pid, char **cause)
{
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	char *uid;
	int n, rc;

	for (n = 1; n <= PROCESS_STEPS; n++) {
		uid = entity_new_uid("step");
		rc = store_exec(ikd->store, cause, "INSERT INTO process_step (process_id, n, code, "
		    "title, uid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", "iitttii",
		    pid, (sqlite3_int64)n, process_step_code(n), process_step_title(n), uid, now,
		    now);
		free(uid);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
process_add(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0), *name = args_get(req->args, "name");
	const char *target = args_get(req->args, "target-session");
	const char *committee = args_get(req->args, "committee");
	const char *owner = args_get(req->args, "owner");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 tid = 0, cid = 0, oid = 0, id, now = (sqlite3_int64)time(NULL);
	char *cause = NULL;

	if (!domain_slug_valid(slug))
		return reply_fail(rep, 1, "\"%.60s\" is not a valid slug (1-48 of a-z, 0-9 and -)",
		    slug);
	if (!domain_text_valid(name, NAME_MAX_BYTES, false))
		return fail_text(rep, "name", NAME_MAX_BYTES);
	if ((target != NULL && entity_session_id(ikd, target, &tid, &cause) == -1) ||
	    (committee != NULL && entity_committee_id(ikd, committee, &cid, &cause) == -1) ||
	    (owner != NULL && entity_actor_id(ikd, owner, &oid, &cause) == -1))
		return reply_cause(rep, 1, cause);
	switch (process_find(ikd, slug, &id, &cause)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 1:
		return reply_fail(rep, 1, "a process \"%s\" exists already", slug);
	}
	if (store_exec(ikd->store, &cause, "INSERT INTO process (slug, name, target_session_id, "
	    "committee_id, owner_id, created_at, updated_at) VALUES (?, ?, nullif(?, 0), "
	    "nullif(?, 0), nullif(?, 0), ?, ?)", "ttiiiii", slug, name, tid, cid, oid, now,
	    now) == -1)
		return reply_cause(rep, 1, cause);
	id = store_last_id(ikd->store);
	if (insert_default_steps(ikd, id, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "process", id, slug) == -1)
		return reply_cause(rep, 1, cause);
	rep->data = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "slug", slug, "name",
	    name);
	return 0;
}

static int
process_list(struct request *req, struct reply *rep)
{
	char *cause = NULL;

	if ((rep->data = store_get_rows(req->ikd->store, &cause, "SELECT p.id, p.slug, p.name, "
	    "p.target_session_id AS target_session, (SELECT printf('%d/%d', "
	    "sum(state IN ('done', 'skipped')), count(*)) FROM process_step WHERE "
	    "process_id = p.id) AS steps_done, CASE WHEN p.planned_at IS NULL THEN 'no' "
	    "ELSE 'yes' END AS planned FROM process p ORDER BY p.slug", "")) == NULL)
		return reply_cause(rep, 1, cause);
	reply_columns(rep, "id slug name target_session steps_done planned");
	return 0;
}

/* The plan's input for process pid, with the options of the command. */
static int
load_input(struct request *req, struct reply *rep, sqlite3_int64 pid, struct plan_input *in,
    sqlite3_int64 *tid, sqlite3_int64 *cid)
{
	const char *target = args_get(req->args, "target-session");
	const char *committee = args_get(req->args, "committee");
	const char *from = args_get(req->args, "from");
	struct ikond *ikd = req->ikd;
	char *cause = NULL;
	int today = process_today(ikd);

	sqlite3_stmt *st;
	sqlite3_int64 fachausschuesse;

	switch (store_first(ikd->store, &cause, &st, "SELECT coalesce(target_session_id, 0), "
	    "coalesce(committee_id, 0) FROM process WHERE id = ?", "i", pid)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 0:
		return reply_fail(rep, 1, "no process %lld", (long long)pid);
	}
	*tid = sqlite3_column_int64(st, 0);
	*cid = sqlite3_column_int64(st, 1);
	store_done(ikd->store, st);
	if ((target != NULL && entity_session_id(ikd, target, tid, &cause) == -1) ||
	    (committee != NULL && entity_committee_id(ikd, committee, cid, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (from != NULL && civil_parse_date(from, &today, &cause) == -1)
		return reply_cause(rep, 2, cause);
	if (*tid == 0)
		return reply_fail(rep, 1, "the process has no target session: give "
		    "--target-session ID (the Kreistag or Rat session that adopts the concept)");
	if (*cid == 0 && store_get_int(ikd->store, &cause, &fachausschuesse, "SELECT count(*) "
	    "FROM committee WHERE kind = 'fachausschuss'", "") == -1)
		return reply_cause(rep, 1, cause);
	if (*cid == 0 && fachausschuesse > 1)
		return reply_fail(rep, 1, "there are several Fachausschüsse: name the responsible "
		    "one with --committee SLUG");
	if (process_load_input(ikd, *tid, *cid, today, in, &cause) == -1)
		return reply_cause(rep, 1, cause);
	return 0;
}

/* Stores the dates of one planned step; a step that is done or skipped
 * keeps its dates. */
static int
apply_step(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 owner, const struct plan_step *s,
    sqlite3_int64 *step_id, char **cause)
{
	sqlite3_int64 now = (sqlite3_int64)time(NULL), id;
	char start[11], end[11], *uid;
	int rc;

	civil_format_date(s->start, start);
	civil_format_date(s->end, end);
	if ((rc = store_get_int(ikd->store, cause, &id, "SELECT id FROM process_step WHERE "
	    "process_id = ? AND code = ? ORDER BY n LIMIT 1", "it", pid, s->code)) == -1)
		return -1;
	if (rc == 0) {
		uid = entity_new_uid("step");
		rc = store_exec(ikd->store, cause, "INSERT INTO process_step (process_id, n, code, "
		    "title, uid, created_at, updated_at) VALUES (?, (SELECT coalesce(max(n), 0) + 1 "
		    "FROM process_step WHERE process_id = ?), ?, ?, ?, ?, ?)", "iitttii", pid, pid,
		    s->code, s->title, uid, now, now);
		free(uid);
		if (rc == -1)
			return -1;
		id = store_last_id(ikd->store);
	}
	if (store_exec(ikd->store, cause, "UPDATE process_step SET start_date = ?1, "
	    "end_date = ?2, plan_note = ?3, sequence = sequence + 1, updated_at = ?4 "
	    "WHERE id = ?5 AND state IN ('open', 'in_progress') AND (start_date IS NOT ?1 OR "
	    "end_date IS NOT ?2 OR plan_note <> ?3)", "tttii", start, end,
	    s->note ? s->note : "", now, id) == -1)
		return -1;
	if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM step_owner WHERE step_id = ?",
	    "i", id)) == -1 || (rc == 0 && store_exec(ikd->store, cause, "INSERT INTO step_owner "
	    "(step_id, actor_id) VALUES (?, ?)", "ii", id, owner) == -1))
		return -1;
	*step_id = id;
	return 0;
}

/* Creates or moves the Vorlage of one planned session. */
static int
apply_link(struct ikond *ikd, const char *name, sqlite3_int64 owner, sqlite3_int64 step_id,
    const struct plan_link *l, json_t *created, char **cause)
{
	sqlite3_int64 now = (sqlite3_int64)time(NULL), sub = 0, start;
	json_t *due;
	char *title;
	int rc;

	if (store_get_int(ikd->store, cause, &sub, "SELECT coalesce(l.submission_id, 0) FROM "
	    "process_link l JOIN submission b ON b.id = l.submission_id WHERE l.step_id = ? "
	    "AND l.role = ?", "it", step_id, l->role) == -1)
		return -1;
	if (sub != 0) {
		if (store_exec(ikd->store, cause, "UPDATE submission SET session_id = ?, "
		    "updated_at = ? WHERE id = ? AND session_id <> ?", "iiii", l->session->id, now,
		    sub, l->session->id) == -1)
			return -1;
	} else {
		if (l->step == 5)
			xasprintf(&title, "Startbeschluss: %s", name);
		else
			xasprintf(&title, "Beschluss: %s", name);
		rc = store_exec(ikd->store, cause, "INSERT INTO submission (ref, title, kind, "
		    "owner_id, session_id, state, created_at, updated_at) VALUES ('', ?, ?, ?, ?, "
		    "'draft', ?, ?)", "ttiiii", title, l->kind, owner, l->session->id, now, now);
		free(title);
		if (rc == -1)
			return -1;
		sub = store_last_id(ikd->store);
		json_array_append_new(created, json_integer((json_int_t)sub));
	}
	if (deadline_sync_submission(ikd, sub, cause) == -1)
		return -1;
	switch (store_get_int(ikd->store, cause, &start, "SELECT start_utc FROM session "
	    "WHERE id = ?", "i", l->session->id)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "session %lld vanished", (long long)l->session->id);
	}
	if ((due = deadline_submission_date(ikd, sub, cause)) == NULL)
		return -1;
	rc = store_exec(ikd->store, cause, "INSERT INTO process_link (step_id, role, session_id, "
	    "submission_id, planned_start_utc, planned_deadline) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (step_id, role) DO UPDATE SET session_id = ?3, submission_id = ?4, "
	    "planned_start_utc = ?5, planned_deadline = ?6", "itiiit", step_id, l->role,
	    l->session->id, sub, start, json_string_value(due));
	json_decref(due);
	return rc == -1 ? -1 : 0;
}

static int
apply_window(struct ikond *ikd, sqlite3_int64 pid, const char *name, sqlite3_int64 owner,
    sqlite3_int64 step_id, const struct plan *p, json_t *result, char **cause)
{
	sqlite3_int64 now = (sqlite3_int64)time(NULL), wid;
	char opens[11], closes[11], *title, *uid, *expl;
	int rc;

	civil_format_date(p->window_opens, opens);
	civil_format_date(p->window_closes, closes);
	if (store_get_int(ikd->store, cause, &wid, "SELECT coalesce(max(id), 0) FROM "
	    "feedback_window WHERE step_id = ?", "i", step_id) == -1)
		return -1;
	xasprintf(&expl, "%s", p->steps[8].note ? p->steps[8].note : "");
	if (wid != 0) {
		rc = store_exec(ikd->store, cause, "UPDATE feedback_window SET opens_date = ?1, "
		    "closes_date = ?2, explanation = ?3, sequence = sequence + 1, updated_at = ?4 "
		    "WHERE id = ?5 AND (opens_date <> ?1 OR closes_date <> ?2)", "tttii", opens,
		    closes, expl, now, wid);
		free(expl);
		json_object_set_new(result, "window_id", json_integer((json_int_t)wid));
		return rc == -1 ? -1 : 0;
	}
	xasprintf(&title, "Rückmeldungen zum Entwurf: %s", name);
	uid = entity_new_uid("window");
	rc = store_exec(ikd->store, cause, "INSERT INTO feedback_window (process_id, step_id, "
	    "title, opens_date, closes_date, explanation, uid, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "iitttttii", pid, step_id, title, opens, closes,
	    expl, uid, now, now);
	free(title);
	free(uid);
	free(expl);
	if (rc == -1)
		return -1;
	wid = store_last_id(ikd->store);
	json_object_set_new(result, "window_id", json_integer((json_int_t)wid));
	/* The audience: the coordinator and the bodies the seed names for
	 * feedback (Integrationsbeirat, Fachleitungen, working groups). */
	if (store_exec(ikd->store, cause, "INSERT INTO window_audience (window_id, actor_id) "
	    "VALUES (?, ?)", "ii", wid, owner) == -1 ||
	    store_exec(ikd->store, cause, "INSERT INTO window_audience (window_id, committee_id) "
	    "SELECT ?, id FROM committee WHERE kind IN ('integrationsbeirat', "
	    "'fachleitungsrunde', 'arbeitsgruppe')", "i", wid) == -1)
		return -1;
	return 0;
}

static int
apply_evaluation(struct ikond *ikd, sqlite3_int64 pid, const char *name, sqlite3_int64 owner,
    sqlite3_int64 step_id, const struct plan *p, sqlite3_int64 committee, json_t *result,
    char **cause)
{
	const struct process_config *pc = &ikd->cfg->process;
	sqlite3_int64 now = (sqlite3_int64)time(NULL), eid;
	char start[11], *title, *uid;
	int rc;

	civil_format_date(civil_add_months(p->steps[9].end, pc->evaluation_first_months), start);
	if (store_get_int(ikd->store, cause, &eid, "SELECT coalesce(max(id), 0) FROM evaluation "
	    "WHERE step_id = ?", "i", step_id) == -1)
		return -1;
	if (eid != 0) {
		rc = store_exec(ikd->store, cause, "UPDATE evaluation SET start_date = ?1, "
		    "sequence = sequence + 1, updated_at = ?2 WHERE id = ?3 AND start_date <> ?1",
		    "tii", start, now, eid);
		json_object_set_new(result, "evaluation_id", json_integer((json_int_t)eid));
		return rc == -1 ? -1 : 0;
	}
	xasprintf(&title, "Evaluation: %s", name);
	uid = entity_new_uid("evaluation");
	rc = store_exec(ikd->store, cause, "INSERT INTO evaluation (process_id, title, owner_id, "
	    "committee_id, step_id, start_date, rrule, uid, created_at, updated_at) VALUES "
	    "(?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?, ?)", "itiiitttii", pid, title, owner,
	    committee, step_id, start, pc->evaluation_rrule, uid, now, now);
	free(title);
	free(uid);
	if (rc == -1)
		return -1;
	json_object_set_new(result, "evaluation_id", json_integer((json_int_t)store_last_id(
	    ikd->store)));
	return 0;
}

static int
apply_plan(struct request *req, sqlite3_int64 pid, const struct plan *p, sqlite3_int64 tid,
    sqlite3_int64 cid, const struct plan_input *in, json_t *result, char **cause)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 owner, step_ids[PROCESS_STEPS], fach = 0, now = (sqlite3_int64)time(NULL);
	json_t *created = json_array();
	char from[11];
	char *name;
	size_t i;
	int rc = -1;

	json_object_set_new(result, "submissions_created", created);
	if (coordinator(ikd, args_get(req->args, "owner"), pid, &owner, cause) == -1)
		return -1;
	civil_format_date(in->today, from);
	if (store_exec(ikd->store, cause, "UPDATE process SET target_session_id = ?, "
	    "committee_id = nullif(?, 0), owner_id = ?, planned_from = ?, planned_at = ?, "
	    "updated_at = ? WHERE id = ?", "iiitiii", tid, cid, owner, from, now, now, pid) == -1)
		return -1;
	switch (store_get_text(ikd->store, cause, &name, "SELECT name FROM process WHERE id = ?",
	    "i", pid)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "process %lld vanished", (long long)pid);
	}
	for (i = 0; i < PROCESS_STEPS; i++)
		if (apply_step(ikd, pid, owner, &p->steps[i], &step_ids[i], cause) == -1)
			goto out;
	/* A Beirat link of an earlier plan that this one no longer has. */
	if (p->nlinks > 0 && strcmp(p->links[0].role, "integrationsbeirat") != 0 &&
	    store_exec(ikd->store, cause, "DELETE FROM process_link WHERE step_id = ? AND "
	    "role = 'integrationsbeirat'", "i", step_ids[9]) == -1)
		goto out;
	for (i = 0; i < p->nlinks; i++) {
		if (strcmp(p->links[i].role, "fachausschuss") == 0)
			fach = p->links[i].session->committee_id;
		if (apply_link(ikd, name, owner, step_ids[p->links[i].step - 1], &p->links[i],
		    created, cause) == -1)
			goto out;
	}
	if (apply_window(ikd, pid, name, owner, step_ids[8], p, result, cause) == -1 ||
	    apply_evaluation(ikd, pid, name, owner, step_ids[11], p, fach, result, cause) == -1)
		goto out;
	rc = 0;
out:
	free(name);
	return rc;
}

static int
process_plan_cmd(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	struct plan_input in;
	struct plan p;
	sqlite3_int64 pid, tid, cid;
	char *cause = NULL;
	struct buf b;
	size_t i;
	int rc;

	if (process_id(ikd, args_pos(req->args, 0), &pid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (load_input(req, rep, pid, &in, &tid, &cid) == -1)
		return -1;
	rc = process_plan(&in, &p);
	if (rc == -1) {
		buf_init(&b);
		buf_add_str(&b, _("the plan is not feasible; nothing was stored:"));
		for (i = 0; i < p.nproblems; i++)
			buf_printf(&b, "\n  - %s", p.problems[i]);
		process_plan_clear(&p);
		process_input_clear(&in);
		return reply_cause(rep, 1, buf_steal(&b, NULL));
	}
	rep->data = process_plan_json(&p);
	json_object_set_new(rep->data, "applied", json_boolean(args_has(req->args, "apply")));
	if (args_has(req->args, "apply")) {
		if (apply_plan(req, pid, &p, tid, cid, &in, rep->data, &cause) == -1 ||
		    store_audit(ikd->store, &cause, req->peer.uid, "plan", "process", pid,
		    NULL) == -1) {
			process_plan_clear(&p);
			process_input_clear(&in);
			json_decref(rep->data);
			rep->data = NULL;
			return reply_cause(rep, 1, cause);
		}
	}
	if (!req->json) {
		char *text = process_plan_text(&p);

		xasprintf(&rep->text, "%s%s", text, args_has(req->args, "apply") ?
		    "\nPlan gespeichert." : "\nNur angezeigt; mit --apply speichern.");
		free(text);
	}
	process_plan_clear(&p);
	process_input_clear(&in);
	return 0;
}

static json_t *
step_owners(struct ikond *ikd, sqlite3_int64 step_id, char **cause)
{
	return store_get_column(ikd->store, cause, "SELECT a.slug FROM step_owner o JOIN "
	    "actor a ON a.id = o.actor_id WHERE o.step_id = ? ORDER BY a.slug", "i", step_id);
}

static json_t *
step_links(struct ikond *ikd, sqlite3_int64 step_id, char **cause)
{
	json_t *list, *obj, *start;
	size_t i;

	if ((list = store_get_rows(ikd->store, cause, "SELECT l.role, l.session_id AS session, "
	    "c.slug AS committee, s.start_utc, s.state AS session_state, l.submission_id AS "
	    "submission, (SELECT min(due_date) FROM deadline d WHERE d.submission_id = "
	    "l.submission_id) AS deadline, l.planned_deadline FROM process_link l "
	    "LEFT JOIN session s ON s.id = l.session_id "
	    "LEFT JOIN committee c ON c.id = s.committee_id WHERE l.step_id = ? "
	    "ORDER BY s.start_utc, l.id", "i", step_id)) == NULL)
		return NULL;
	json_array_foreach(list, i, obj) {
		start = json_object_get(obj, "start_utc");
		if (json_is_integer(start))
			json_object_set_new(obj, "start", timefmt_iso_json(ikd->cfg->body_timezone,
			    (time_t)json_integer_value(start)));
		json_object_del(obj, "start_utc");
	}
	return list;
}

static char *
show_text(json_t *obj)
{
	json_t *steps = json_object_get(obj, "steps"), *s, *l, *v;
	size_t i, j;
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s (%s)\n", json_string_value(json_object_get(obj, "name")),
	    json_string_value(json_object_get(obj, "slug")));
	json_array_foreach(steps, i, s) {
		const char *start = json_string_value(json_object_get(s, "start"));
		const char *end = json_string_value(json_object_get(s, "end"));

		buf_printf(&b, "%2lld  %-10s  %s - %s  %s", (long long)json_integer_value(
		    json_object_get(s, "n")), json_string_value(json_object_get(s, "state")),
		    start ? start : "          ", end ? end : "          ",
		    json_string_value(json_object_get(s, "title")));
		json_array_foreach(json_object_get(s, "owners"), j, v)
			buf_printf(&b, "%s%s", j == 0 ? "  [" : ", ", json_string_value(v));
		if (json_array_size(json_object_get(s, "owners")) > 0)
			buf_add_char(&b, ']');
		buf_add_char(&b, '\n');
		json_array_foreach(json_object_get(s, "sessions"), j, l)
			buf_printf(&b, "      %s: Sitzung %lld (%s) %s, Vorlage %lld fällig %s\n",
			    json_string_value(json_object_get(l, "role")),
			    (long long)json_integer_value(json_object_get(l, "session")),
			    json_string_value(json_object_get(l, "committee")),
			    json_string_value(json_object_get(l, "start")),
			    (long long)json_integer_value(json_object_get(l, "submission")),
			    json_string_value(json_object_get(l, "deadline")));
	}
	json_array_foreach(json_object_get(obj, "changes"), i, v)
		buf_printf(&b, "changed: %s\n", json_string_value(v));
	if (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return buf_steal(&b, NULL);
}

static int
process_show(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, sid;
	char *cause = NULL;
	json_t *obj, *steps, *s;
	size_t i;

	if (process_id(ikd, args_pos(req->args, 0), &pid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	switch (store_get_row(ikd->store, &cause, &obj, "SELECT p.id, p.slug, p.name, "
	    "p.target_session_id AS target_session, c.slug AS committee, a.slug AS owner, "
	    "p.planned_from, p.planned_at FROM process p LEFT JOIN committee c ON "
	    "c.id = p.committee_id LEFT JOIN actor a ON a.id = p.owner_id WHERE p.id = ?", "i",
	    pid)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 0:
		return reply_fail(rep, 1, "no process %lld", (long long)pid);
	}
	steps = store_get_rows(ikd->store, &cause, "SELECT id, n, code, title, state, "
	    "start_date AS start, end_date AS end, notes, plan_note, sequence FROM process_step "
	    "WHERE process_id = ? ORDER BY n, id", "i", pid);
	if (entity_attach(obj, "steps", steps) == -1)
		goto fail;
	json_array_foreach(steps, i, s) {
		sid = json_integer_value(json_object_get(s, "id"));
		if (entity_attach(s, "owners", step_owners(ikd, sid, &cause)) == -1 ||
		    entity_attach(s, "sessions", step_links(ikd, sid, &cause)) == -1)
			goto fail;
	}
	if (entity_attach(obj, "windows", store_get_rows(ikd->store, &cause, "SELECT id, "
	    "title, opens_date AS opens, closes_date AS closes FROM feedback_window "
	    "WHERE process_id = ? ORDER BY opens_date, id", "i", pid)) == -1 ||
	    entity_attach(obj, "measures", store_get_rows(ikd->store, &cause, "SELECT m.id, "
	    "m.title, a.slug AS owner, m.due_date AS due, m.state FROM measure m JOIN actor a "
	    "ON a.id = m.owner_id WHERE m.process_id = ? ORDER BY m.due_date, m.id", "i",
	    pid)) == -1 ||
	    entity_attach(obj, "evaluations", store_get_rows(ikd->store, &cause, "SELECT id, "
	    "title, start_date AS start, rrule FROM evaluation WHERE process_id = ? "
	    "ORDER BY id", "i", pid)) == -1 ||
	    entity_attach(obj, "changes", process_changes(ikd, pid, &cause)) == -1)
		goto fail;
	rep->data = obj;
	if (!req->json)
		rep->text = show_text(rep->data);
	return 0;
fail:
	json_decref(obj);
	return reply_cause(rep, 1, cause);
}

/* The step at position n of process pid. */
static int
step_at(struct ikond *ikd, sqlite3_int64 pid, const char *text, sqlite3_int64 *id, int *n,
    char **cause)
{
	sqlite3_int64 v;

	if (entity_parse_id("step", text, &v, cause) == -1)
		return -1;
	switch (store_get_int(ikd->store, cause, id, "SELECT id FROM process_step WHERE "
	    "process_id = ? AND n = ?", "ii", pid, v)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "the process has no step %lld (see: ikond-ctl process "
		    "show)", (long long)v);
	}
	*n = (int)v;
	return 0;
}

/* Parses --date DATE or --date DATE..DATE, --start and --end. */
static int
step_dates(struct request *req, struct reply *rep, char start[11], char end[11], bool *set)
{
	const char *date = args_get(req->args, "date");
	const char *s = args_get(req->args, "start"), *e = args_get(req->args, "end");
	char first[11] = "", *cause = NULL;
	const char *dots;
	int d1, d2;

	*set = false;
	if (date != NULL) {
		if ((dots = strstr(date, "..")) != NULL) {
			if (dots - date != 10)
				return reply_fail(rep, 1, "--date: expected DATE or DATE..DATE");
			memcpy(first, date, 10);
			first[10] = '\0';
			s = first;
			e = dots + 2;
		} else
			s = e = date;
	}
	if (s == NULL && e == NULL)
		return 0;
	if ((s != NULL && civil_parse_date(s, &d1, &cause) == -1) ||
	    (e != NULL && civil_parse_date(e, &d2, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (s != NULL && e != NULL && d2 < d1)
		return reply_fail(rep, 1, "the step's end %s is before its start %s", e, s);
	if (s != NULL)
		civil_format_date(d1, start);
	if (e != NULL)
		civil_format_date(d2, end);
	*set = true;
	return 0;
}

static int
renumber(struct ikond *ikd, sqlite3_int64 pid, sqlite3_int64 step_id, int to, char **cause)
{
	/* Take the step out, close the gap, open a gap at to, put it in. */
	if (store_exec(ikd->store, cause, "UPDATE process_step SET n = n - 1 WHERE process_id = ? "
	    "AND n > (SELECT n FROM process_step WHERE id = ?)", "ii", pid, step_id) == -1 ||
	    store_exec(ikd->store, cause, "UPDATE process_step SET n = n + 1 WHERE process_id = ? "
	    "AND n >= ? AND id <> ?", "iii", pid, (sqlite3_int64)to, step_id) == -1 ||
	    store_exec(ikd->store, cause, "UPDATE process_step SET n = ?, sequence = sequence + 1 "
	    "WHERE id = ?", "ii", (sqlite3_int64)to, step_id) == -1)
		return -1;
	return 0;
}

static int
set_owners(struct request *req, struct reply *rep, sqlite3_int64 step_id)
{
	struct ikond *ikd = req->ikd;
	size_t i, n = args_count(req->args, "owner");
	sqlite3_int64 aid;
	char *cause = NULL;

	if (n == 0)
		return 0;
	if (store_exec(ikd->store, &cause, "DELETE FROM step_owner WHERE step_id = ?", "i",
	    step_id) == -1)
		return reply_cause(rep, 1, cause);
	for (i = 0; i < n; i++) {
		if (entity_actor_id(ikd, args_nth(req->args, "owner", i), &aid, &cause) == -1 ||
		    store_exec(ikd->store, &cause, "INSERT OR IGNORE INTO step_owner (step_id, "
		    "actor_id) VALUES (?, ?)", "ii", step_id, aid) == -1)
			return reply_cause(rep, 1, cause);
	}
	return 0;
}

static int
check_step_fields(struct request *req, struct reply *rep)
{
	const char *state = args_get(req->args, "state"), *title = args_get(req->args, "title");
	const char *notes = args_get(req->args, "notes");

	if (state != NULL && !vocab_has(step_states, state))
		return reply_fail(rep, 1, "unknown step state \"%.40s\"; valid: %s", state,
		    vocab_words(step_states));
	if (title != NULL && !domain_text_valid(title, NAME_MAX_BYTES, false))
		return fail_text(rep, "title", NAME_MAX_BYTES);
	if (notes != NULL && notes[0] != '\0' && !domain_text_valid(notes, NOTES_MAX_BYTES, true))
		return fail_text(rep, "notes", NOTES_MAX_BYTES);
	return 0;
}

static json_t *
one_step(struct ikond *ikd, sqlite3_int64 step_id, char **cause)
{
	json_t *obj;

	if ((obj = entity_row(ikd, "step", "SELECT id, n, code, title, state, start_date AS "
	    "start, end_date AS end, notes, sequence FROM process_step WHERE id = ?", step_id,
	    cause)) == NULL)
		return NULL;
	if (entity_attach(obj, "owners", step_owners(ikd, step_id, cause)) == -1) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int
process_step_cmd(struct request *req, struct reply *rep)
{
	const char *move = args_get(req->args, "move-to");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, sid, to = 0, count;
	char start[11] = "", end[11] = "", *cause = NULL;
	bool dates;
	int n, rc;

	if (process_id(ikd, args_pos(req->args, 0), &pid, &cause) == -1 ||
	    step_at(ikd, pid, args_pos(req->args, 1), &sid, &n, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "process step needs at least one of --state, --date, "
		    "--start, --end, --title, --owner, --notes, --move-to");
	if (check_step_fields(req, rep) == -1 || step_dates(req, rep, start, end, &dates) == -1)
		return -1;
	if (store_get_int(ikd->store, &cause, &count, "SELECT count(*) FROM process_step "
	    "WHERE process_id = ?", "i", pid) == -1)
		return reply_cause(rep, 1, cause);
	if (move != NULL && (entity_parse_id("step position", move, &to, &cause) == -1 ||
	    to > count))
		return cause ? reply_cause(rep, 1, cause) : reply_fail(rep, 1, "--move-to must be "
		    "between 1 and %lld", (long long)count);
	if (store_exec(ikd->store, &cause, "UPDATE process_step SET state = coalesce(?1, state), "
	    "title = coalesce(?2, title), notes = coalesce(?3, notes), "
	    "start_date = coalesce(nullif(?4, ''), start_date), "
	    "end_date = coalesce(nullif(?5, ''), end_date), sequence = sequence + 1, "
	    "updated_at = ?6 WHERE id = ?7", "tttttii", args_get(req->args, "state"),
	    args_get(req->args, "title"), args_get(req->args, "notes"), start, end,
	    (sqlite3_int64)time(NULL), sid) == -1)
		return reply_cause(rep, 1, cause);
	if ((rc = store_exists(ikd->store, &cause, "SELECT 1 FROM process_step WHERE id = ? "
	    "AND end_date < start_date", "i", sid)) == -1)
		return reply_cause(rep, 1, cause);
	if (rc == 1)
		return reply_fail(rep, 1, "the step would end before it starts; give both --start "
		    "and --end");
	if (set_owners(req, rep, sid) == -1)
		return -1;
	if (to != 0 && renumber(ikd, pid, sid, (int)to, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (store_audit(ikd->store, &cause, req->peer.uid, "edit", "process_step", sid, NULL) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = one_step(ikd, sid, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
process_insert(struct request *req, struct reply *rep)
{
	const char *title = args_get(req->args, "title");
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, at, count, sid, now = (sqlite3_int64)time(NULL);
	char start[11] = "", end[11] = "", *cause = NULL, *uid;
	bool dates;
	int rc;

	if (process_id(ikd, args_pos(req->args, 0), &pid, &cause) == -1 ||
	    entity_parse_id("step position", args_pos(req->args, 1), &at, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (check_step_fields(req, rep) == -1 || step_dates(req, rep, start, end, &dates) == -1)
		return -1;
	if (store_get_int(ikd->store, &cause, &count, "SELECT count(*) FROM process_step "
	    "WHERE process_id = ?", "i", pid) == -1)
		return reply_cause(rep, 1, cause);
	if (count >= STEPS_MAX)
		return reply_fail(rep, 1, "a process has at most %d steps", STEPS_MAX);
	if (at > count + 1)
		at = count + 1;
	if (store_exec(ikd->store, &cause, "UPDATE process_step SET n = n + 1 WHERE "
	    "process_id = ? AND n >= ?", "ii", pid, at) == -1)
		return reply_cause(rep, 1, cause);
	uid = entity_new_uid("step");
	rc = store_exec(ikd->store, &cause, "INSERT INTO process_step (process_id, n, title, "
	    "state, start_date, end_date, notes, uid, created_at, updated_at) VALUES (?, ?, ?, "
	    "coalesce(?, 'open'), nullif(?, ''), nullif(?, ''), coalesce(?, ''), ?, ?, ?)",
	    "iittttttii", pid, at, title, args_get(req->args, "state"), start, end,
	    args_get(req->args, "notes"), uid, now, now);
	free(uid);
	if (rc == -1)
		return reply_cause(rep, 1, cause);
	sid = store_last_id(ikd->store);
	if (set_owners(req, rep, sid) == -1)
		return -1;
	if (store_audit(ikd->store, &cause, req->peer.uid, "add", "process_step", sid, title) == -1)
		return reply_cause(rep, 1, cause);
	if ((rep->data = one_step(ikd, sid, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

const struct handler process_handlers[] = {
	{ "process add", process_add },
	{ "process list", process_list },
	{ "process show", process_show },
	{ "process plan", process_plan_cmd },
	{ "process step", process_step_cmd },
	{ "process insert", process_insert },
	{ NULL, NULL },
};
