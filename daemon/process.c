/*
 * process: the planner's input for one process, read from the store (see
 * process.h).  The process names its process file (templates/process/),
 * its target session, its route and its schedule; the sessions come with
 * the Vorlagenfristen the configured rules give them; each step of the
 * file is looked up among the stored steps by its code, so what is done,
 * in progress, already begun or dated by hand stays where it is.
 */
#include "process.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "entity.h"
#include "timefmt.h"
#include "xmalloc.h"

void
process_options_init(struct process_options *o)
{
	memset(o, 0, sizeof(*o));
	o->from = PLAN_NO_DAY;
	o->late = -1;
}

static int
due_for(struct ikond *ikd, const char *kind, const char *slug, struct civil_moment anchor)
{
	const struct named_rule *nr = config_rule(ikd->cfg, kind, slug);
	struct rule_result res;
	int due = anchor.days;

	memset(&res, 0, sizeof(res));
	if (nr != NULL && rule_apply(&nr->rule, ikd->cfg->workcal, anchor, &res, NULL) == 0)
		due = res.due.days;
	rule_result_clear(&res);
	return due;
}

static int
load_sessions(struct ikond *ikd, struct process_input *pi, char **cause)
{
	struct plan_session *s;
	struct civil_moment anchor;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT s.id, c.id, c.slug, c.name, "
	    "s.start_utc, s.state FROM session s JOIN committee c ON c.id = s.committee_id "
	    "ORDER BY s.start_utc, s.id", "")) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		pi->sessions = xreallocarray(pi->sessions, pi->nsessions + 1,
		    sizeof(*pi->sessions));
		s = &pi->sessions[pi->nsessions++];
		memset(s, 0, sizeof(*s));
		s->id = sqlite3_column_int64(st, 0);
		s->committee_id = sqlite3_column_int64(st, 1);
		s->committee = store_column_dup(st, 2);
		s->committee_name = store_column_dup(st, 3);
		civil_from_utc(ikd->cfg->body_timezone, (time_t)sqlite3_column_int64(st, 4),
		    &s->day, &s->minute, NULL);
		s->cancelled = strcmp((const char *)sqlite3_column_text(st, 5), "cancelled") == 0;
		anchor.days = s->day;
		anchor.minute = s->minute;
		s->beschluss_due = due_for(ikd, "beschlussvorlage", s->committee, anchor);
		s->verwaltung_due = due_for(ikd, "verwaltungsvorlage", s->committee, anchor);
	}
	store_done(ikd->store, st);
	return rc;
}

int
process_committees(struct ikond *ikd, struct route_committee **out, size_t *n, char **cause)
{
	struct route_committee *c;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = store_query(ikd->store, cause, "SELECT id, slug, name, kind FROM committee "
	    "ORDER BY id", "")) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		c = &(*out)[(*n)++];
		c->id = sqlite3_column_int64(st, 0);
		c->slug = store_column_dup(st, 1);
		c->name = store_column_dup(st, 2);
		c->kind = store_column_dup(st, 3);
	}
	store_done(ikd->store, st);
	if (rc == -1) {
		process_committees_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void
process_committees_free(struct route_committee *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)c[i].slug);
		free((char *)c[i].name);
		free((char *)c[i].kind);
	}
	free(c);
}

int
process_route_load(struct ikond *ikd, sqlite3_int64 pid, const struct route_committee *c,
    size_t nc, struct route *r, char **cause)
{
	const char *land = ikd->cfg->body_land;
	struct route_entry *e;
	sqlite3_stmt *st;
	sqlite3_int64 cid;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((st = store_query(ikd->store, cause, "SELECT committee_id, role FROM process_route "
	    "WHERE process_id = ? ORDER BY pos", "i", pid)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1 && r->n < ROUTE_MAX) {
		cid = sqlite3_column_int64(st, 0);
		for (i = 0; i < nc && c[i].id != cid; i++)
			continue;
		if (i == nc)
			continue;
		e = &r->e[r->n++];
		e->committee_id = cid;
		e->slug = c[i].slug;
		e->name = c[i].name;
		e->kind = c[i].kind;
		e->role = (const char *)sqlite3_column_text(st, 1);
		/* The role as one of the static words, so it outlives the row. */
		e->role = strcmp(e->role, "anhoerung") == 0 ? "anhoerung" :
		    strcmp(e->role, "kenntnisnahme") == 0 ? "kenntnisnahme" :
		    strcmp(e->role, "entscheidung") == 0 ? "entscheidung" : "vorberatung";
		e->executive = route_group_of(c[i].kind, land) == ROUTE_EXECUTIVE;
	}
	store_done(ikd->store, st);
	return rc == -1 ? -1 : 0;
}

/* What the stored step with code says for the planner. */
static int
load_pin(struct ikond *ikd, sqlite3_int64 pid, const char *code, int today,
    struct plan_pin *pin, char **cause)
{
	const char *state, *start, *end;
	sqlite3_stmt *st;
	bool pinned;

	pin->fix = PLAN_FREE;
	pin->start = pin->end = PLAN_NO_DAY;
	switch (store_first(ikd->store, cause, &st, "SELECT state, start_date, end_date, pinned "
	    "FROM process_step WHERE process_id = ? AND code = ? ORDER BY n LIMIT 1", "it", pid,
	    code)) {
	case -1:
		return -1;
	case 0:
		return 0;
	}
	state = (const char *)sqlite3_column_text(st, 0);
	start = (const char *)sqlite3_column_text(st, 1);
	end = (const char *)sqlite3_column_text(st, 2);
	pinned = sqlite3_column_int(st, 3) != 0;
	if (start == NULL || end == NULL || civil_parse_date(start, &pin->start, NULL) == -1 ||
	    civil_parse_date(end, &pin->end, NULL) == -1)
		pin->start = pin->end = PLAN_NO_DAY;
	if (strcmp(state, "skipped") == 0)
		pin->fix = PLAN_SKIPPED;
	else if (strcmp(state, "done") == 0)
		pin->fix = PLAN_DONE;
	else if (pin->start == PLAN_NO_DAY)
		pin->fix = PLAN_FREE;
	else if (strcmp(state, "in_progress") == 0)
		pin->fix = PLAN_IN_PROGRESS;
	else if (pinned)
		pin->fix = PLAN_BY_HAND;
	else if (pin->start < today)
		pin->fix = PLAN_STARTED;
	store_done(ikd->store, st);
	return 0;
}

static int
load_route(struct ikond *ikd, struct process_input *pi, sqlite3_int64 fach, char **cause)
{
	const struct plan_session *target = NULL;
	size_t i;

	if (process_committees(ikd, &pi->committees, &pi->ncommittees, cause) == -1 ||
	    process_route_load(ikd, pi->process_id, pi->committees, pi->ncommittees,
	    &pi->route, cause) == -1)
		return -1;
	if (pi->route.n > 0)
		return 0;
	for (i = 0; i < pi->nsessions; i++)
		if (pi->sessions[i].id == pi->in.target_id)
			target = &pi->sessions[i];
	pi->route_derived = true;
	if (target == NULL)
		return 0;
	return route_derive(pi->committees, pi->ncommittees, ikd->cfg->body_land,
	    target->committee_id, fach, &pi->route, cause);
}

int
process_load(struct ikond *ikd, sqlite3_int64 pid, const struct process_options *o,
    struct process_input *pi, char **cause)
{
	struct plan_input *in = &pi->in;
	sqlite3_int64 committee;
	char *name = NULL, *from = NULL;
	sqlite3_stmt *st;
	bool late;
	size_t i;

	memset(pi, 0, sizeof(*pi));
	pi->process_id = pid;
	switch (store_first(ikd->store, cause, &st, "SELECT coalesce(target_session_id, 0), "
	    "coalesce(committee_id, 0), template, schedule = 'late', planned_from FROM process "
	    "WHERE id = ?", "i", pid)) {
	case -1:
		return -1;
	case 0:
		return set_cause(cause, "no process %lld", (long long)pid);
	}
	in->target_id = o->target_id ? o->target_id : sqlite3_column_int64(st, 0);
	committee = o->committee_id ? o->committee_id : sqlite3_column_int64(st, 1);
	name = store_column_dup(st, 2);
	late = sqlite3_column_int(st, 3) != 0;
	from = store_column_dup(st, 4);
	store_done(ikd->store, st);

	in->today = process_today(ikd);
	if (o->from != PLAN_NO_DAY)
		in->origin = in->today = o->from;
	else if (from == NULL || civil_parse_date(from, &in->origin, NULL) == -1)
		in->origin = in->today;
	else if (o->as_planned)
		in->today = in->origin;
	free(from);
	in->late = o->late == -1 ? late : o->late == 1;
	in->evaluation_roll = ikd->cfg->process.evaluation_roll;
	in->wc = ikd->cfg->workcal;
	in->decision_committee = committee;

	pi->def = procdef_load(ikd->cfg->template_dir, name, cause);
	free(name);
	if (pi->def == NULL || load_sessions(ikd, pi, cause) == -1 ||
	    load_route(ikd, pi, committee, cause) == -1)
		goto fail;
	in->def = pi->def;
	in->sessions = pi->sessions;
	in->nsessions = pi->nsessions;
	in->route = pi->route.e;
	in->nroute = pi->route.n;
	for (i = 0; i < pi->ncommittees; i++)
		if (pi->committees[i].id == committee)
			in->decision_name = pi->committees[i].name;
	pi->pins = xcalloc(pi->def->nsteps, sizeof(*pi->pins));
	for (i = 0; i < pi->def->nsteps; i++)
		if (load_pin(ikd, pid, pi->def->steps[i].code, in->today, &pi->pins[i],
		    cause) == -1)
			goto fail;
	in->pins = pi->pins;
	return 0;
fail:
	process_input_free(pi);
	return -1;
}

void
process_input_free(struct process_input *pi)
{
	size_t i;

	for (i = 0; i < pi->nsessions; i++) {
		free((char *)pi->sessions[i].committee);
		free((char *)pi->sessions[i].committee_name);
	}
	free(pi->sessions);
	process_committees_free(pi->committees, pi->ncommittees);
	free(pi->pins);
	procdef_free(pi->def);
	memset(pi, 0, sizeof(*pi));
}

int
process_find(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause)
{
	return store_get_int(ikd->store, cause, id, "SELECT id FROM process WHERE slug = ?", "t",
	    slug);
}

int
process_id(struct ikond *ikd, const char *slug, sqlite3_int64 *id, char **cause)
{
	int rc = process_find(ikd, slug, id, cause);

	if (rc == 0)
		set_cause(cause, "no process \"%.48s\" (see: ikond-ctl process list)", slug);
	return rc == 1 ? 0 : -1;
}

int
process_actor_filter(struct ikond *ikd, const char *process, const char *actor,
    sqlite3_int64 *pid, sqlite3_int64 *aid, char **cause)
{
	*pid = 0;
	*aid = 0;
	if ((process != NULL && process_id(ikd, process, pid, cause) == -1) ||
	    (actor != NULL && entity_actor_id(ikd, actor, aid, cause) == -1))
		return -1;
	return 0;
}

int
process_today(struct ikond *ikd)
{
	return timefmt_local_day(ikd->cfg->body_timezone, time(NULL));
}
