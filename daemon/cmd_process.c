/*
 * cmd_process: the "process" commands.  A process is one Integrationskonzept
 * with the steps of its process file (templates/process/), its target
 * session, its route (Beratungsfolge) and its budget.  "process plan" runs
 * the planner on the process as stored (process.c loads, planner.c plans),
 * lists what would move compared with the stored plan (process_compare.c)
 * and, with --apply, stores it (process_apply.c), all in the command's
 * transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "civil.h"
#include "dispatch.h"
#include "domain.h"
#include "entity.h"
#include "i18n.h"
#include "process.h"
#include "submission.h"
#include "timefmt.h"
#include "timeline.h"
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

static const struct vocab schedules[] = {
	{ "early", "so früh wie möglich" },
	{ "late", "so spät wie möglich" },
	{ NULL, NULL },
};

static int
fail_text(struct reply *rep, const char *opt, int max)
{
	return reply_fail(rep, 1, "--%s must be 1 to %d bytes of text without control "
	    "characters", opt, max);
}

/* The coordinator who owns the Vorlagen: --owner, else the process's
 * (entity_process_coordinator()). */
static int
coordinator(struct ikond *ikd, const char *owner, sqlite3_int64 pid, sqlite3_int64 *id,
    char **cause)
{
	if (owner != NULL)
		return entity_actor_id(ikd, owner, id, cause);
	switch (entity_process_coordinator(ikd, pid, id, cause)) {
	case -1:
		return -1;
	case 1:
		return 0;
	}
	return set_cause(cause, "the plan needs a coordinator who owns its Vorlagen: give "
	    "--owner ACTOR");
}

/* Adds the steps of the process file that the process does not have yet,
 * at the end, in the file's order. */
static int
add_missing_steps(struct ikond *ikd, sqlite3_int64 pid, const struct procdef *def,
    char **cause)
{
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	char *uid;
	size_t i;
	int rc;

	for (i = 0; i < def->nsteps; i++) {
		if ((rc = store_exists(ikd->store, cause, "SELECT 1 FROM process_step WHERE "
		    "process_id = ? AND code = ?", "it", pid, def->steps[i].code)) != 0) {
			if (rc == -1)
				return -1;
			continue;
		}
		uid = entity_new_uid("step");
		rc = store_exec(ikd->store, cause, "INSERT INTO process_step (process_id, n, code, "
		    "title, uid, created_at, updated_at) VALUES (?, (SELECT coalesce(max(n), 0) + 1 "
		    "FROM process_step WHERE process_id = ?), ?, ?, ?, ?, ?)", "iitttii", pid, pid,
		    def->steps[i].code, def->steps[i].title, uid, now, now);
		free(uid);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Stores --route SLUG[:ROLE],... ("default": none, the route is derived). */
static int
store_route(struct request *req, struct reply *rep, sqlite3_int64 pid, const char *text)
{
	struct ikond *ikd = req->ikd;
	const char *slugs[ROUTE_MAX], *roles[ROUTE_MAX], *role;
	struct route_committee *c;
	char *buf = NULL, *cause = NULL;
	size_t i, k, n, nc;
	int rc = -1;

	if (store_exec(ikd->store, &cause, "DELETE FROM process_route WHERE process_id = ?", "i",
	    pid) == -1)
		return reply_cause(rep, 1, cause);
	if (strcmp(text, "default") == 0)
		return 0;
	if (route_split(text, &buf, slugs, roles, &n, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (process_committees(ikd, &c, &nc, &cause) == -1) {
		free(buf);
		return reply_cause(rep, 1, cause);
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < nc && strcmp(c[k].slug, slugs[i]) != 0; k++)
			continue;
		if (k == nc) {
			reply_fail(rep, 1, "--route: no committee \"%s\" (see: ikond-ctl committee "
			    "list)", slugs[i]);
			goto out;
		}
		role = roles[i] ? roles[i] : route_default_role(c[k].kind, req->cfg->body_land);
		if (store_exec(ikd->store, &cause, "INSERT INTO process_route (process_id, pos, "
		    "committee_id, role) VALUES (?, ?, ?, ?)", "iiit", pid, (sqlite3_int64)i + 1,
		    c[k].id, role) == -1) {
			reply_cause(rep, 1, cause);
			goto out;
		}
	}
	rc = 0;
out:
	process_committees_free(c, nc);
	free(buf);
	return rc;
}

/* --budget AMOUNT ("none" clears it) into cents, -1 for none; --budget-note. */
static int
check_budget(struct request *req, struct reply *rep, sqlite3_int64 *cents)
{
	const char *b = args_get(req->args, "budget"), *note = args_get(req->args, "budget-note");
	char *cause = NULL;

	*cents = -1;
	if (b != NULL && strcmp(b, "none") != 0 && domain_parse_euros("budget", b, cents,
	    &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (note != NULL && note[0] != '\0' && !domain_text_valid(note, NOTES_MAX_BYTES, true))
		return fail_text(rep, "budget-note", NOTES_MAX_BYTES);
	return 0;
}

/* The options add and edit share: they are checked before anything is
 * written. */
struct process_fields {
	sqlite3_int64	 target;	/* 0: not given */
	sqlite3_int64	 committee;
	sqlite3_int64	 owner;
	sqlite3_int64	 budget;	/* cents; -1: not given or "none" */
	struct procdef	*def;		/* --template, loaded; NULL: not given */
};

static int
check_fields(struct request *req, struct reply *rep, struct process_fields *f)
{
	const char *target = args_get(req->args, "target-session");
	const char *committee = args_get(req->args, "committee");
	const char *owner = args_get(req->args, "owner"), *name = args_get(req->args, "name");
	const char *tpl = args_get(req->args, "template");
	const char *schedule = args_get(req->args, "schedule");
	struct ikond *ikd = req->ikd;
	char *cause = NULL;

	memset(f, 0, sizeof(*f));
	if (name != NULL && !domain_text_valid(name, NAME_MAX_BYTES, false))
		return fail_text(rep, "name", NAME_MAX_BYTES);
	if (schedule != NULL && !vocab_has(schedules, schedule))
		return reply_fail(rep, 1, "unknown --schedule \"%.40s\"; valid: %s", schedule,
		    vocab_words(schedules));
	if ((target != NULL && entity_session_id(ikd, target, &f->target, &cause) == -1) ||
	    (committee != NULL && entity_committee_id(ikd, committee, &f->committee,
	    &cause) == -1) ||
	    (owner != NULL && entity_actor_id(ikd, owner, &f->owner, &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (check_budget(req, rep, &f->budget) == -1)
		return -1;
	if (tpl != NULL && (f->def = procdef_load(req->cfg->template_dir, tpl, &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	return 0;
}

static int
process_add(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0), *name = args_get(req->args, "name");
	const char *route = args_get(req->args, "route");
	const char *schedule = args_get(req->args, "schedule");
	const char *note = args_get(req->args, "budget-note");
	struct ikond *ikd = req->ikd;
	struct process_fields f;
	sqlite3_int64 id, now = (sqlite3_int64)time(NULL);
	char *cause = NULL;
	int rc = -1;

	if (!domain_slug_valid(slug))
		return reply_fail(rep, 1, "\"%.60s\" is not a valid slug (1-48 of a-z, 0-9 and -)",
		    slug);
	if (check_fields(req, rep, &f) == -1)
		return -1;
	if (f.def == NULL && (f.def = procdef_load(req->cfg->template_dir, PROCDEF_DEFAULT,
	    &cause)) == NULL)
		return reply_cause(rep, 1, cause);
	switch (process_find(ikd, slug, &id, &cause)) {
	case -1:
		reply_cause(rep, 1, cause);
		goto out;
	case 1:
		reply_fail(rep, 1, "a process \"%s\" exists already", slug);
		goto out;
	}
	if (store_exec(ikd->store, &cause, "INSERT INTO process (slug, name, target_session_id, "
	    "committee_id, owner_id, template, schedule, budget_cents, budget_note, created_at, "
	    "updated_at) VALUES (?, ?, nullif(?, 0), nullif(?, 0), nullif(?, 0), ?, ?, "
	    "nullif(?, -1), ?, ?, ?)", "ttiiittitii", slug, name, f.target, f.committee, f.owner,
	    f.def->name, schedule ? schedule : "early", f.budget, note ? note : "", now,
	    now) == -1) {
		reply_cause(rep, 1, cause);
		goto out;
	}
	id = store_last_id(ikd->store);
	if (add_missing_steps(ikd, id, f.def, &cause) == -1 ||
	    store_audit(ikd->store, &cause, req->peer.uid, "add", "process", id, slug) == -1) {
		reply_cause(rep, 1, cause);
		goto out;
	}
	if (route != NULL && store_route(req, rep, id, route) == -1)
		goto out;
	rep->data = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "slug", slug, "name",
	    name, "process_file", f.def->name);
	rc = 0;
out:
	procdef_free(f.def);
	return rc;
}

static int
process_edit(struct request *req, struct reply *rep)
{
	const char *route = args_get(req->args, "route");
	const char *budget = args_get(req->args, "budget");
	struct ikond *ikd = req->ikd;
	struct process_fields f;
	sqlite3_int64 pid;
	char *cause = NULL;
	int rc = -1;

	if (process_id(ikd, args_pos(req->args, 0), &pid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (req->args->nopt == 0)
		return reply_fail(rep, 2, "process edit needs at least one of --name, "
		    "--target-session, --committee, --owner, --route, --template, --schedule, "
		    "--budget, --budget-note");
	if (check_fields(req, rep, &f) == -1)
		return -1;
	if (store_exec(ikd->store, &cause, "UPDATE process SET name = coalesce(?1, name), "
	    "target_session_id = coalesce(nullif(?2, 0), target_session_id), "
	    "committee_id = coalesce(nullif(?3, 0), committee_id), "
	    "owner_id = coalesce(nullif(?4, 0), owner_id), template = coalesce(?5, template), "
	    "schedule = coalesce(?6, schedule), "
	    "budget_cents = CASE WHEN ?7 = 1 THEN nullif(?8, -1) ELSE budget_cents END, "
	    "budget_note = coalesce(?9, budget_note), updated_at = ?10 WHERE id = ?11",
	    "tiiittiitii", args_get(req->args, "name"), f.target, f.committee, f.owner,
	    f.def ? f.def->name : NULL, args_get(req->args, "schedule"),
	    (sqlite3_int64)(budget != NULL), f.budget, args_get(req->args, "budget-note"),
	    (sqlite3_int64)time(NULL), pid) == -1 ||
	    (f.def != NULL && add_missing_steps(ikd, pid, f.def, &cause) == -1) ||
	    store_audit(ikd->store, &cause, req->peer.uid, "edit", "process", pid, NULL) == -1) {
		reply_cause(rep, 1, cause);
		goto out;
	}
	if (route != NULL && store_route(req, rep, pid, route) == -1)
		goto out;
	if ((rep->data = entity_row(ikd, "process", "SELECT id, slug, name, template AS "
	    "process_file, schedule FROM process WHERE id = ?", pid, &cause)) == NULL) {
		reply_cause(rep, 1, cause);
		goto out;
	}
	rc = 0;
out:
	procdef_free(f.def);
	return rc;
}

static int
process_remove(struct request *req, struct reply *rep)
{
	const char *slug = args_pos(req->args, 0);
	struct ikond *ikd = req->ikd;
	sqlite3_int64 pid, now = (sqlite3_int64)time(NULL);
	json_t *counts = NULL;
	char *cause = NULL;
	bool used;

	if (process_id(ikd, slug, &pid, &cause) == -1 ||
	    store_get_row(ikd->store, &cause, &counts, "SELECT "
	    "(SELECT count(*) FROM process_link l JOIN process_step s ON s.id = l.step_id "
	    "JOIN submission b ON b.id = l.submission_id WHERE s.process_id = ?1 AND "
	    "b.state = 'draft') AS submissions, "
	    "(SELECT count(*) FROM feedback_window WHERE process_id = ?1) AS windows, "
	    "(SELECT count(*) FROM measure WHERE process_id = ?1) AS measures, "
	    "(SELECT count(*) FROM evaluation WHERE process_id = ?1) AS evaluations", "i",
	    pid) == -1)
		return reply_cause(rep, 1, cause);
	used = json_integer_value(json_object_get(counts, "submissions")) +
	    json_integer_value(json_object_get(counts, "windows")) +
	    json_integer_value(json_object_get(counts, "measures")) +
	    json_integer_value(json_object_get(counts, "evaluations")) > 0;
	if (used && !args_has(req->args, "force")) {
		reply_fail(rep, 1, "process \"%s\" has %lld draft Vorlagen of its plan, %lld "
		    "windows, %lld measures and %lld evaluations: give --force to remove them "
		    "with it", slug,
		    (long long)json_integer_value(json_object_get(counts, "submissions")),
		    (long long)json_integer_value(json_object_get(counts, "windows")),
		    (long long)json_integer_value(json_object_get(counts, "measures")),
		    (long long)json_integer_value(json_object_get(counts, "evaluations")));
		json_decref(counts);
		return -1;
	}
	/* The draft Vorlagen the plan made go with it; Vorlagen that were
	 * submitted or decided stay, without the process. */
	if (store_exec(ikd->store, &cause, "DELETE FROM submission WHERE state = 'draft' AND id IN "
	    "(SELECT l.submission_id FROM process_link l JOIN process_step s ON s.id = l.step_id "
	    "WHERE s.process_id = ?)", "i", pid) == -1 ||
	    store_exec(ikd->store, &cause, "UPDATE feed SET revoked_at = ? WHERE kind = 'process' "
	    "AND target_id = ? AND revoked_at IS NULL", "ii", now, pid) == -1 ||
	    store_exec(ikd->store, &cause, "DELETE FROM process WHERE id = ?", "i", pid) == -1 ||
	    store_audit(ikd->store, &cause, req->peer.uid, "remove", "process", pid, slug) == -1) {
		json_decref(counts);
		return reply_cause(rep, 1, cause);
	}
	json_object_set_new(counts, "removed", json_string(slug));
	rep->data = counts;
	xasprintf(&rep->text, "process %s removed", slug);
	return 0;
}

static int
process_list(struct request *req, struct reply *rep)
{
	char *cause = NULL;

	if ((rep->data = store_get_rows(req->ikd->store, &cause, "SELECT p.id, p.slug, p.name, "
	    "p.target_session_id AS target_session, p.template AS process_file, "
	    "(SELECT printf('%d/%d', sum(state IN ('done', 'skipped')), count(*)) FROM "
	    "process_step WHERE process_id = p.id) AS steps_done, CASE WHEN p.planned_at IS NULL "
	    "THEN 'no' ELSE 'yes' END AS planned FROM process p ORDER BY p.slug", "")) == NULL)
		return reply_cause(rep, 1, cause);
	reply_columns(rep, "id slug name target_session steps_done planned");
	return 0;
}

/* The route "process show" and "process plan" report: stored, or derived
 * from the committees (with a note if it cannot be). */
static json_t *
route_json(const struct route *r)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b}", "committee",
		    r->e[i].slug, "name", r->e[i].name, "role", r->e[i].role, "role_de",
		    vocab_label(beratung_roles, r->e[i].role), "executive", r->e[i].executive));
	return list;
}

static int
attach_route(struct ikond *ikd, sqlite3_int64 pid, json_t *obj, char **cause)
{
	struct route_committee *c;
	struct route r;
	sqlite3_int64 target, fach;
	sqlite3_stmt *st;
	char *why = NULL;
	size_t nc;
	int rc = 0;

	if (process_committees(ikd, &c, &nc, cause) == -1)
		return -1;
	if (process_route_load(ikd, pid, c, nc, &r, cause) == -1) {
		process_committees_free(c, nc);
		return -1;
	}
	json_object_set_new(obj, "route_derived", json_boolean(r.n == 0));
	if (r.n == 0) {
		switch (store_first(ikd->store, cause, &st, "SELECT coalesce(s.committee_id, 0), "
		    "coalesce(p.committee_id, 0) FROM process p LEFT JOIN session s ON "
		    "s.id = p.target_session_id WHERE p.id = ?", "i", pid)) {
		case -1:
			rc = -1;
			goto out;
		case 0:
			goto out;
		}
		target = sqlite3_column_int64(st, 0);
		fach = sqlite3_column_int64(st, 1);
		store_done(ikd->store, st);
		if (target == 0)
			why = xstrdup("derived from the committees once the process has a target "
			    "session");
		else if (route_derive(c, nc, ikd->cfg->body_land, target, fach, &r, &why) == 0)
			why = NULL;
		if (why != NULL)
			json_object_set_new(obj, "route_note", json_string(why));
		free(why);
	}
	json_object_set_new(obj, "route", route_json(&r));
out:
	process_committees_free(c, nc);
	return rc;
}

/* What "process plan" was asked: the stored process with the command's
 * overrides. */
static int
plan_options(struct request *req, struct reply *rep, struct process_options *o)
{
	const char *target = args_get(req->args, "target-session");
	const char *committee = args_get(req->args, "committee");
	const char *from = args_get(req->args, "from");
	const char *schedule = args_get(req->args, "schedule");
	char *cause = NULL;

	process_options_init(o);
	if ((target != NULL && entity_session_id(req->ikd, target, &o->target_id, &cause) == -1) ||
	    (committee != NULL && entity_committee_id(req->ikd, committee, &o->committee_id,
	    &cause) == -1))
		return reply_cause(rep, 1, cause);
	if (from != NULL && civil_parse_date(from, &o->from, &cause) == -1)
		return reply_cause(rep, 2, cause);
	if (schedule != NULL && !vocab_has(schedules, schedule))
		return reply_fail(rep, 1, "unknown --schedule \"%.40s\"; valid: %s", schedule,
		    vocab_words(schedules));
	if (schedule != NULL)
		o->late = strcmp(schedule, "late") == 0;
	return 0;
}

static char *
plan_text(const struct plan *p, json_t *moves, bool applied)
{
	char *text = planner_text(p), *out;
	json_t *v;
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_add_str(&b, text);
	free(text);
	json_array_foreach(moves, i, v)
		buf_printf(&b, "\nmove: %s", json_string_value(json_object_get(v, "text")));
	buf_add_str(&b, applied ? "\nPlan gespeichert." :
	    "\nNur angezeigt; mit --apply speichern.");
	out = buf_steal(&b, NULL);
	return out;
}

static int
process_plan_cmd(struct request *req, struct reply *rep)
{
	struct ikond *ikd = req->ikd;
	bool apply = args_has(req->args, "apply");
	struct process_options o;
	struct process_input pi;
	sqlite3_int64 pid, owner;
	json_t *moves;
	char *cause = NULL;
	struct plan p;
	struct buf b;
	size_t i;
	int rc = -1;

	if (process_id(ikd, args_pos(req->args, 0), &pid, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (plan_options(req, rep, &o) == -1)
		return -1;
	if (process_load(ikd, pid, &o, &pi, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (pi.in.target_id == 0) {
		process_input_free(&pi);
		return reply_fail(rep, 1, "the process has no target session: give "
		    "--target-session ID (the Kreistag or Rat session that adopts the concept)");
	}
	if (planner_run(&pi.in, &p) == -1) {
		buf_init(&b);
		buf_add_str(&b, _("the plan is not feasible; nothing was stored:"));
		for (i = 0; i < p.nproblems; i++)
			buf_printf(&b, "\n  - %s", p.problems[i]);
		reply_cause(rep, 1, buf_steal(&b, NULL));
		goto out;
	}
	if ((moves = process_moves(ikd, pid, &p, true, &cause)) == NULL) {
		reply_cause(rep, 1, cause);
		goto out;
	}
	rep->data = planner_json(&p);
	json_object_set_new(rep->data, "route", route_json(&pi.route));
	json_object_set_new(rep->data, "route_derived", json_boolean(pi.route_derived));
	json_object_set_new(rep->data, "moves", moves);
	json_object_set_new(rep->data, "applied", json_boolean(apply));
	for (i = 0; i < p.nwarnings; i++)
		reply_warn(rep, "%s", p.warnings[i]);
	if (apply && (coordinator(ikd, args_get(req->args, "owner"), pid, &owner, &cause) == -1 ||
	    process_apply(ikd, &pi, &p, owner, rep->data, &cause) == -1 ||
	    store_audit(ikd->store, &cause, req->peer.uid, "plan", "process", pid, NULL) == -1)) {
		json_decref(rep->data);
		rep->data = NULL;
		reply_cause(rep, 1, cause);
		goto out;
	}
	if (!req->json)
		rep->text = plan_text(&p, moves, apply);
	rc = 0;
out:
	planner_clear(&p);
	process_input_free(&pi);
	return rc;
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
	    "l.submission_id AND d.session_id = l.session_id) AS deadline, l.planned_deadline FROM process_link l "
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
	buf_printf(&b, "%s (%s), %s\n", json_string_value(json_object_get(obj, "name")),
	    json_string_value(json_object_get(obj, "slug")),
	    json_string_value(json_object_get(obj, "process_file")));
	buf_printf(&b, "Beratungsfolge%s:", json_is_true(json_object_get(obj, "route_derived")) ?
	    " (aus den Gremien)" : "");
	json_array_foreach(json_object_get(obj, "route"), i, v)
		buf_printf(&b, "%s %s (%s)", i ? "," : "", json_string_value(json_object_get(v,
		    "name")), json_string_value(json_object_get(v, "role_de")));
	if (json_object_get(obj, "route_note") != NULL)
		buf_printf(&b, " %s", json_string_value(json_object_get(obj, "route_note")));
	buf_add_char(&b, '\n');
	if (json_is_string(json_object_get(obj, "budget_eur")))
		buf_printf(&b, "Budget: %s EUR %s\n", json_string_value(json_object_get(obj,
		    "budget_eur")), json_string_value(json_object_get(obj, "budget_note")));
	json_array_foreach(steps, i, s) {
		const char *start = json_string_value(json_object_get(s, "start"));
		const char *end = json_string_value(json_object_get(s, "end"));

		buf_printf(&b, "%2lld  %-10s  %s - %s  %s%s", (long long)json_integer_value(
		    json_object_get(s, "n")), json_string_value(json_object_get(s, "state")),
		    start ? start : "          ", end ? end : "          ",
		    json_string_value(json_object_get(s, "title")),
		    json_is_true(json_object_get(s, "pinned")) ? "  [von Hand]" : "");
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

/* "process show --svg": the timeline as a picture, for ikond-ctl to write. */
static int
show_svg(struct request *req, struct reply *rep, sqlite3_int64 pid)
{
	struct timeline tl;
	char *cause = NULL;
	struct buf svg;
	int height;

	if (timeline_load(req->ikd, pid, &tl, &cause) == -1)
		return reply_cause(rep, 1, cause);
	if (!timeline_drawable(&tl)) {
		timeline_clear(&tl);
		return reply_fail(rep, 1, "process %s has no dated steps to draw yet (see: "
		    "ikond-ctl process plan %s --apply)", args_pos(req->args, 0),
		    args_pos(req->args, 0));
	}
	buf_init(&svg);
	buf_add_str(&svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	timeline_svg(&tl, TIMELINE_WIDTH, "zeitplan", &svg, &height);
	timeline_clear(&tl);
	rep->data = json_pack("{s:s, s:s, s:I, s:i, s:i}", "process", args_pos(req->args, 0),
	    "mime", "image/svg+xml", "bytes", (json_int_t)svg.len, "width", TIMELINE_WIDTH,
	    "height", height);
	rep->text = buf_steal(&svg, NULL);
	return 0;
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
	if (args_has(req->args, "svg"))
		return show_svg(req, rep, pid);
	switch (store_get_row(ikd->store, &cause, &obj, "SELECT p.id, p.slug, p.name, "
	    "p.target_session_id AS target_session, c.slug AS committee, a.slug AS owner, "
	    "p.template AS process_file, p.schedule, CASE WHEN p.budget_cents IS NULL THEN NULL "
	    "ELSE printf('%d.%02d', p.budget_cents / 100, p.budget_cents % 100) END AS "
	    "budget_eur, p.budget_note, p.planned_from, p.planned_at FROM process p "
	    "LEFT JOIN committee c ON c.id = p.committee_id LEFT JOIN actor a ON "
	    "a.id = p.owner_id WHERE p.id = ?", "i", pid)) {
	case -1:
		return reply_cause(rep, 1, cause);
	case 0:
		return reply_fail(rep, 1, "no process %lld", (long long)pid);
	}
	if (attach_route(ikd, pid, obj, &cause) == -1)
		goto fail;
	steps = store_get_rows(ikd->store, &cause, "SELECT id, n, code, title, state, "
	    "start_date AS start, end_date AS end, pinned, notes, plan_note, sequence FROM "
	    "process_step WHERE process_id = ? ORDER BY n, id", "i", pid);
	if (entity_attach(obj, "steps", steps) == -1)
		goto fail;
	json_array_foreach(steps, i, s) {
		sid = json_integer_value(json_object_get(s, "id"));
		json_object_set_new(s, "pinned", json_boolean(json_integer_value(
		    json_object_get(s, "pinned"))));
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

/* A step of the process file may be skipped only if the file says it is
 * optional. */
static int
check_skip(struct request *req, struct reply *rep, sqlite3_int64 pid, sqlite3_int64 sid)
{
	const char *state = args_get(req->args, "state");
	struct ikond *ikd = req->ikd;
	struct procdef *def;
	char *cause = NULL, *code = NULL, *tpl = NULL;
	int rc = 0, i;

	if (state == NULL || strcmp(state, "skipped") != 0)
		return 0;
	if (store_get_text(ikd->store, &cause, &code, "SELECT code FROM process_step WHERE "
	    "id = ?", "i", sid) == -1 || store_get_text(ikd->store, &cause, &tpl, "SELECT "
	    "template FROM process WHERE id = ?", "i", pid) == -1)
		rc = reply_cause(rep, 1, cause);
	else if (code != NULL && code[0] != '\0' && tpl != NULL) {
		if ((def = procdef_load(req->cfg->template_dir, tpl, &cause)) == NULL)
			rc = reply_cause(rep, 1, cause);
		else if ((i = procdef_find(def, code)) >= 0 && !def->steps[i].optional)
			rc = reply_fail(rep, 1, "step \"%s\" (%s) may not be left out: the process "
			    "file %s does not mark it optional (copy the file into templates.dir/"
			    "process/ to change that)", code, def->steps[i].title, def->path);
		procdef_free(def);
	}
	free(code);
	free(tpl);
	return rc;
}

static json_t *
one_step(struct ikond *ikd, sqlite3_int64 step_id, char **cause)
{
	json_t *obj;

	if ((obj = entity_row(ikd, "step", "SELECT id, n, code, title, state, start_date AS "
	    "start, end_date AS end, pinned, notes, sequence FROM process_step WHERE id = ?",
	    step_id, cause)) == NULL)
		return NULL;
	json_object_set_new(obj, "pinned", json_boolean(json_integer_value(json_object_get(obj,
	    "pinned"))));
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
		    "--start, --end, --unpin, --title, --owner, --notes, --move-to");
	if (check_step_fields(req, rep) == -1 || step_dates(req, rep, start, end, &dates) == -1 ||
	    check_skip(req, rep, pid, sid) == -1)
		return -1;
	if (dates && args_has(req->args, "unpin"))
		return reply_fail(rep, 2, "--unpin lets the planner date the step: give it without "
		    "--date, --start and --end");
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
	    "pinned = CASE WHEN ?8 THEN 1 WHEN ?9 THEN 0 ELSE pinned END, "
	    "updated_at = ?6 WHERE id = ?7", "tttttiiii", args_get(req->args, "state"),
	    args_get(req->args, "title"), args_get(req->args, "notes"), start, end,
	    (sqlite3_int64)time(NULL), sid, (sqlite3_int64)dates,
	    (sqlite3_int64)args_has(req->args, "unpin")) == -1)
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
	{ "process edit", process_edit },
	{ "process remove", process_remove },
	{ "process list", process_list },
	{ "process show", process_show },
	{ "process plan", process_plan_cmd },
	{ "process step", process_step_cmd },
	{ "process insert", process_insert },
	{ NULL, NULL },
};
