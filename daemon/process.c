/*
 * process: the backward planner of the Integrationskonzept, the expansion
 * of evaluation dates, and the comparison of a stored plan with the
 * committee calendar as it is now (see process.h).
 *
 * The plan, from the end:
 *   10  the deliberation chain: Integrationsbeirat (where one exists) ->
 *       Fachausschuss -> Kreisausschuss/Verwaltungsausschuss -> Kreistag/Rat,
 *       each the latest session before the next one, each with a
 *       Beschlussvorlage and its Vorlagenfrist;
 *    9  the feedback window closes alignment_weeks before the earliest of
 *       those Vorlagenfristen (on a working day, rolled earlier), lasts
 *       feedback_weeks and must not overlap a session-free period;
 *    8  alignment with the department heads fills the gap;
 *    7  drafting and 6 workshops lie before the window;
 *    5  the start decision is the latest session of the Fachausschuss at
 *       least decision_lead_weeks before the first workshop, with its
 *       Verwaltungsvorlage;
 *  1-3  run from today and must end before that Vorlagenfrist; 4 (the
 *       alliance) runs from then until the workshops.
 * After adoption: public relations and the evaluation.
 */
#include "process.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "buf.h"
#include "civil.h"
#include "domain.h"
#include "i18n.h"
#include "timefmt.h"
#include "xmalloc.h"

static const struct {
	const char *code;
	const char *title;
} step_names[PROCESS_STEPS] = {
	{ "thema", "Thema setzen und Kernteam benennen" },
	{ "rueckhalt", "Rückhalt bei Fachleitungen und Verwaltungsvorstand sichern" },
	{ "planung", "Prozess, Zeitplan und Beteiligung planen" },
	{ "buendnis", "Die Idee mit Partnern der Bildungs- und Integrationsarbeit besprechen" },
	{ "startbeschluss", "Startbeschluss im Fachausschuss (Verwaltungsvorlage)" },
	{ "workshop", "Akteursübergreifende Workshops" },
	{ "erarbeitung", "Konzept in Arbeitsgruppen erarbeiten" },
	{ "abstimmung", "Entwurf mit den Fachleitungen abstimmen" },
	{ "feedback", "Rückmeldungen der Beteiligten zum Entwurf" },
	{ "beschluss", "Beratung und Beschluss in den Gremien" },
	{ "oeffentlichkeit", "Öffentlichkeitsarbeit zum beschlossenen Konzept" },
	{ "evaluation", "Qualitätsmanagement und Evaluation" },
};

const char *
process_step_code(int n)
{
	return n >= 1 && n <= PROCESS_STEPS ? step_names[n - 1].code : NULL;
}

const char *
process_step_title(int n)
{
	return n >= 1 && n <= PROCESS_STEPS ? step_names[n - 1].title : NULL;
}

static void __attribute__((format(printf, 2, 3)))
problem(struct plan *p, const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, _(fmt), ap);
	va_end(ap);
	p->problems = xreallocarray(p->problems, p->nproblems + 1, sizeof(*p->problems));
	p->problems[p->nproblems++] = buf_steal(&b, NULL);
}

static const char *
fmt_day(int day, char buf[static 11])
{
	civil_format_date(day, buf);
	return buf;
}

static bool
kind_is(const char *kind, const char *a, const char *b)
{
	return strcmp(kind, a) == 0 || (b != NULL && strcmp(kind, b) == 0);
}

static bool
before(const struct plan_session *a, const struct plan_session *b)
{
	return a->day < b->day || (a->day == b->day && a->minute < b->minute);
}

/* The latest usable session of the given kinds (and committee, if not 0)
 * strictly before limit. */
static const struct plan_session *
latest_before(const struct plan_input *in, const char *k1, const char *k2,
    sqlite3_int64 committee_id, const struct plan_session *limit)
{
	const struct plan_session *best = NULL, *s;
	size_t i;

	for (i = 0; i < in->nsessions; i++) {
		s = &in->sessions[i];
		if (s->cancelled || !kind_is(s->kind, k1, k2) || !before(s, limit))
			continue;
		if (committee_id != 0 && s->committee_id != committee_id)
			continue;
		if (best == NULL || before(best, s))
			best = s;
	}
	return best;
}

static const struct plan_session *
first_after(const struct plan_input *in, const char *k1, const char *k2,
    const struct plan_session *limit)
{
	const struct plan_session *s;
	size_t i;

	for (i = 0; i < in->nsessions; i++) {
		s = &in->sessions[i];
		if (!s->cancelled && kind_is(s->kind, k1, k2) && !before(s, limit))
			return s;
	}
	return NULL;
}

int
process_roll(const struct workcal *wc, int d, enum rule_roll roll)
{
	int guard = 0;

	while (roll != RULE_KEEP && !workcal_is_working_day(wc, d) && guard++ < 400)
		d += roll == RULE_LATER ? 1 : -1;
	return d;
}

static void
set_step(struct plan *p, int n, int start, int end, char *note)
{
	struct plan_step *st = &p->steps[n - 1];

	st->start = start;
	st->end = end < start ? start : end;
	free(st->note);
	st->note = note;
}

static void
add_link(struct plan *p, const struct plan_session *s, const char *role, const char *kind,
    int step, int due)
{
	struct plan_link *l = &p->links[p->nlinks++];

	l->session = s;
	l->role = role;
	l->kind = kind;
	l->step = step;
	l->due = due;
}

/* The extent of the session-free period around d. */
static void
break_extent(const struct workcal *wc, int d, int *from, int *to)
{
	const char *name = workcal_break_at(wc, d);

	*from = *to = d;
	while (*from > d - 400 && workcal_break_at(wc, *from - 1) == name)
		(*from)--;
	while (*to < d + 400 && workcal_break_at(wc, *to + 1) == name)
		(*to)++;
}

/* Steps 10 and the chain; returns the earliest Vorlagenfrist or
 * PROCESS_NO_DAY. */
static int
plan_chain(const struct plan_input *in, struct plan *p, const struct plan_session *target,
    const struct plan_session **fach)
{
	const struct plan_session *k, *f, *b = NULL, *late;
	char d1[11], d2[11];
	int earliest;

	k = latest_before(in, "kreisausschuss", "verwaltungsausschuss", 0, target);
	if (k == NULL) {
		late = first_after(in, "kreisausschuss", "verwaltungsausschuss", target);
		if (late != NULL)
			problem(p, "sessions in the wrong order: the Kreisausschuss/"
			    "Verwaltungsausschuss must deliberate before the target session %s, but "
			    "its first session is %s", fmt_day(target->day, d1), fmt_day(late->day, d2));
		else
			problem(p, "no session of a Kreisausschuss or Verwaltungsausschuss before "
			    "the target session %s", fmt_day(target->day, d1));
		return PROCESS_NO_DAY;
	}
	f = latest_before(in, "fachausschuss", NULL, in->committee_id, k);
	if (f == NULL) {
		late = first_after(in, "fachausschuss", NULL, k);
		problem(p, "no session of the Fachausschuss before the Kreisausschuss on %s%s%s",
		    fmt_day(k->day, d1), late ? "; its next session is only on " : "",
		    late ? fmt_day(late->day, d2) : "");
		return PROCESS_NO_DAY;
	}
	if (in->has_beirat) {
		b = latest_before(in, "integrationsbeirat", NULL, 0, f);
		if (b == NULL) {
			problem(p, "no session of the Integrationsbeirat before the Fachausschuss "
			    "on %s", fmt_day(f->day, d1));
			return PROCESS_NO_DAY;
		}
		add_link(p, b, "integrationsbeirat", "beschlussvorlage", 10, b->beschluss_due);
	}
	add_link(p, f, "fachausschuss", "beschlussvorlage", 10, f->beschluss_due);
	add_link(p, k, "kreisausschuss", "beschlussvorlage", 10, k->beschluss_due);
	add_link(p, target, "kreistag", "beschlussvorlage", 10, target->beschluss_due);
	earliest = f->beschluss_due;
	if (b != NULL && b->beschluss_due < earliest)
		earliest = b->beschluss_due;
	if (k->beschluss_due < earliest)
		earliest = k->beschluss_due;
	if (target->beschluss_due < earliest)
		earliest = target->beschluss_due;
	*fach = f;
	return earliest;
}

/* The forward pass after a failed start: how much later the chain's first
 * Vorlagenfrist would have to be. */
static void
report_too_early(const struct plan_input *in, struct plan *p, const struct plan_session *target,
    const struct plan_session *fach, int earliest, int prep_end)
{
	const struct process_config *pc = in->pc;
	const struct plan_session *s = NULL;
	char d1[11], d2[11], d3[11], d4[11], d5[11], d6[11];
	int opens, closes, need, i;

	for (i = 0; i < (int)in->nsessions; i++) {
		const struct plan_session *c = &in->sessions[i];

		if (!c->cancelled && c->committee_id == fach->committee_id &&
		    c->verwaltung_due > prep_end) {
			s = c;
			break;
		}
	}
	if (s == NULL) {
		problem(p, "no session of %s has a Vorlagenfrist after %s for the start decision "
		    "(step 5); steps 1-3 need %d weeks from %s", fach->committee_name,
		    fmt_day(prep_end, d1), pc->topic_weeks + pc->backing_weeks + pc->planning_weeks,
		    fmt_day(in->today, d2));
		return;
	}
	opens = s->day + 7 * (pc->decision_lead_weeks + pc->workshop_weeks + pc->drafting_weeks);
	opens = process_roll(in->wc, opens, RULE_LATER);
	closes = process_roll(in->wc, opens + 7 * pc->feedback_weeks, RULE_LATER);
	need = closes + 7 * pc->alignment_weeks;
	problem(p, "target session %s is %d days too early: starting %s, the earliest start "
	    "decision is %s's session on %s (Verwaltungsvorlage due %s), after workshops, "
	    "drafting, a %d-week feedback window and %d weeks of alignment the chain's first "
	    "Vorlagenfrist could be %s at the earliest, but it is %s",
	    fmt_day(target->day, d1), need - earliest > 0 ? need - earliest : 1,
	    fmt_day(in->today, d2), s->committee_name, fmt_day(s->day, d3),
	    fmt_day(s->verwaltung_due, d4), pc->feedback_weeks, pc->alignment_weeks,
	    fmt_day(need, d5), fmt_day(earliest, d6));
}

int
process_plan(const struct plan_input *in, struct plan *p)
{
	const struct process_config *pc = in->pc;
	const struct plan_session *target = NULL, *fach = NULL, *start;
	char d1[11], d2[11], d3[11], d4[11], *note;
	int earliest, opens, closes, d, bfrom, bto, draft, workshop, prep_end, latest_start;
	size_t i;
	int n;

	memset(p, 0, sizeof(*p));
	for (n = 1; n <= PROCESS_STEPS; n++) {
		p->steps[n - 1].n = n;
		p->steps[n - 1].code = step_names[n - 1].code;
		p->steps[n - 1].title = step_names[n - 1].title;
		p->steps[n - 1].start = p->steps[n - 1].end = PROCESS_NO_DAY;
	}
	p->window_opens = p->window_closes = p->first_evaluation = PROCESS_NO_DAY;
	for (i = 0; i < in->nsessions; i++)
		if (in->sessions[i].id == in->target_id)
			target = &in->sessions[i];
	if (target == NULL) {
		problem(p, "no target session: give --target-session ID (a session of the "
		    "Kreistag or Rat)");
		return -1;
	}
	if (!kind_is(target->kind, "kreistag", "rat")) {
		problem(p, "target session %lld belongs to %s, not to a Kreistag or Rat",
		    (long long)target->id, target->committee_name);
		return -1;
	}
	if (target->cancelled) {
		problem(p, "target session %lld on %s is cancelled", (long long)target->id,
		    fmt_day(target->day, d1));
		return -1;
	}
	if (target->day < in->today) {
		problem(p, "target session %lld on %s is in the past", (long long)target->id,
		    fmt_day(target->day, d1));
		return -1;
	}

	if ((earliest = plan_chain(in, p, target, &fach)) == PROCESS_NO_DAY)
		return -1;
	xasprintf(&note, "Beschlussvorlagen für %zu Sitzungen; die früheste Vorlagenfrist ist "
	    "der %s, der Beschluss fällt am %s.", p->nlinks, fmt_day(earliest, d1),
	    fmt_day(target->day, d2));
	set_step(p, 10, earliest, target->day, note);

	/* Step 9: the feedback window. */
	closes = process_roll(in->wc, earliest - 7 * pc->alignment_weeks, RULE_EARLIER);
	opens = process_roll(in->wc, closes - 7 * pc->feedback_weeks, RULE_EARLIER);
	for (d = opens; d <= closes; d++) {
		if (workcal_break_at(in->wc, d) == NULL)
			continue;
		break_extent(in->wc, d, &bfrom, &bto);
		problem(p, "the feedback window %s to %s would overlap the session-free period "
		    "\"%s\" (%s to %s): it must close %d weeks before the first Vorlagenfrist "
		    "%s; choose a later target session or shorten the window",
		    fmt_day(opens, d1), fmt_day(closes, d2), workcal_break_at(in->wc, d),
		    fmt_day(bfrom, d3), fmt_day(bto, d4), pc->alignment_weeks,
		    fmt_day(earliest, d1));
		break;
	}
	p->window_opens = opens;
	p->window_closes = closes;
	xasprintf(&note, "Das Rückmeldefenster dauert %d Wochen und schließt an einem "
	    "Arbeitstag %d Wochen vor der ersten Vorlagenfrist (%s).", pc->feedback_weeks,
	    pc->alignment_weeks, fmt_day(earliest, d1));
	set_step(p, 9, opens, closes, note);
	xasprintf(&note, "Zwischen dem Ende der Rückmeldungen und der ersten Vorlagenfrist "
	    "(%s).", fmt_day(earliest, d1));
	set_step(p, 8, closes + 1, earliest - 1, note);

	/* Steps 7 and 6. */
	draft = opens - 7 * pc->drafting_weeks;
	xasprintf(&note, "%d Wochen bis zur Öffnung des Rückmeldefensters.", pc->drafting_weeks);
	set_step(p, 7, draft, opens - 1, note);
	workshop = draft - 7 * pc->workshop_weeks;
	xasprintf(&note, "%d Wochen für einen oder mehrere Workshops vor der Erarbeitung.",
	    pc->workshop_weeks);
	set_step(p, 6, workshop, draft - 1, note);

	/* Step 5: the start decision in the Fachausschuss. */
	latest_start = workshop - 7 * pc->decision_lead_weeks;
	prep_end = in->today + 7 * (pc->topic_weeks + pc->backing_weeks + pc->planning_weeks) - 1;
	start = NULL;
	for (i = 0; i < in->nsessions; i++) {
		const struct plan_session *s = &in->sessions[i];

		if (!s->cancelled && s->committee_id == fach->committee_id &&
		    s->day <= latest_start && before(s, fach))
			start = s;
	}
	if (start == NULL || start->verwaltung_due <= prep_end) {
		report_too_early(in, p, target, fach, earliest, prep_end);
		return -1;
	}
	add_link(p, start, "start", "verwaltungsvorlage", 5, start->verwaltung_due);
	xasprintf(&note, "Verwaltungsvorlage für die Sitzung am %s (Vorlagenfrist %s).",
	    fmt_day(start->day, d1), fmt_day(start->verwaltung_due, d2));
	set_step(p, 5, start->verwaltung_due, start->day, note);

	/* Steps 1-4 from today. */
	d = in->today;
	set_step(p, 1, d, d + 7 * pc->topic_weeks - 1, xstrdup("Ab heute."));
	d += 7 * pc->topic_weeks;
	set_step(p, 2, d, d + 7 * pc->backing_weeks - 1, xstrdup("Im Anschluss an Schritt 1."));
	d += 7 * pc->backing_weeks;
	set_step(p, 3, d, d + 7 * pc->planning_weeks - 1,
	    xstrdup("Endet vor der Vorlagenfrist des Startbeschlusses."));
	d += 7 * pc->planning_weeks;
	if (d < workshop)
		set_step(p, 4, d, workshop - 1, xstrdup("Bis zu den Workshops."));
	else
		set_step(p, 4, workshop, draft - 1, xstrdup("Im Rahmen der Workshops."));

	/* After adoption. */
	xasprintf(&note, "%d Wochen nach dem Beschluss.", pc->publicity_weeks);
	set_step(p, 11, target->day + 1, target->day + 7 * pc->publicity_weeks, note);
	p->first_evaluation = process_roll(in->wc, civil_add_months(target->day,
	    pc->evaluation_first_months), pc->evaluation_roll);
	xasprintf(&note, "Erste Evaluation am %s, danach nach dem Evaluationstermin (%s).",
	    fmt_day(p->first_evaluation, d1), pc->evaluation_rrule);
	set_step(p, 12, target->day + 1, p->first_evaluation, note);
	return p->nproblems > 0 ? -1 : 0;
}

void
process_plan_clear(struct plan *p)
{
	size_t i;

	for (i = 0; i < PROCESS_STEPS; i++)
		free(p->steps[i].note);
	for (i = 0; i < p->nproblems; i++)
		free(p->problems[i]);
	free(p->problems);
	memset(p, 0, sizeof(*p));
}

static json_t *
day_json(int day)
{
	char buf[11];

	if (day == PROCESS_NO_DAY)
		return json_null();
	return json_string(fmt_day(day, buf));
}

json_t *
process_plan_json(const struct plan *p)
{
	json_t *obj = json_object(), *steps = json_array(), *links = json_array(), *probs;
	size_t i;

	for (i = 0; i < PROCESS_STEPS; i++) {
		const struct plan_step *s = &p->steps[i];

		json_array_append_new(steps, json_pack("{s:i, s:s, s:s, s:o, s:o, s:s}",
		    "n", s->n, "code", s->code, "title", s->title, "start", day_json(s->start),
		    "end", day_json(s->end), "note", s->note ? s->note : ""));
	}
	for (i = 0; i < p->nlinks; i++) {
		const struct plan_link *l = &p->links[i];

		json_array_append_new(links, json_pack("{s:i, s:s, s:I, s:s, s:o, s:s, s:o}",
		    "step", l->step, "role", l->role, "session", (json_int_t)l->session->id,
		    "committee", l->session->committee, "session_date", day_json(l->session->day),
		    "submission_kind", l->kind, "deadline", day_json(l->due)));
	}
	probs = json_array();
	for (i = 0; i < p->nproblems; i++)
		json_array_append_new(probs, json_string(p->problems[i]));
	json_object_set_new(obj, "feasible", json_boolean(p->nproblems == 0));
	json_object_set_new(obj, "steps", steps);
	json_object_set_new(obj, "sessions", links);
	json_object_set_new(obj, "window", json_pack("{s:o, s:o}", "opens",
	    day_json(p->window_opens), "closes", day_json(p->window_closes)));
	json_object_set_new(obj, "first_evaluation", day_json(p->first_evaluation));
	json_object_set_new(obj, "problems", probs);
	return obj;
}

char *
process_plan_text(const struct plan *p)
{
	struct buf b;
	char d1[11], d2[11];
	size_t i;

	buf_init(&b);
	for (i = 0; i < PROCESS_STEPS; i++) {
		const struct plan_step *s = &p->steps[i];

		if (s->start == PROCESS_NO_DAY)
			buf_printf(&b, "%2d  %-23s  %s\n", s->n, "-", s->title);
		else
			buf_printf(&b, "%2d  %s - %s  %s\n", s->n, fmt_day(s->start, d1),
			    fmt_day(s->end, d2), s->title);
	}
	for (i = 0; i < p->nlinks; i++) {
		const struct plan_link *l = &p->links[i];

		buf_printf(&b, "    Schritt %d: %s, Sitzung %lld am %s, %s fällig %s\n", l->step,
		    l->session->committee_name, (long long)l->session->id,
		    fmt_day(l->session->day, d1), vocab_label(submission_kinds, l->kind),
		    fmt_day(l->due, d2));
	}
	for (i = 0; i < p->nproblems; i++)
		buf_printf(&b, "problem: %s\n", p->problems[i]);
	if (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return buf_steal(&b, NULL);
}

/* Evaluation dates. */

static int
parse_rrule(const char *rrule, struct icalrecurrencetype *r, char **cause)
{
	size_t len = strlen(rrule);

	if (len == 0 || len > 200)
		return set_cause(cause, "the RRULE must be 1 to 200 bytes");
	if (strstr(rrule, "FREQ=") == NULL)
		return set_cause(cause, "RRULE \"%.60s\" has no FREQ", rrule);
	icalerror_set_errors_are_fatal(0);
	icalerror_clear_errno();
	*r = icalrecurrencetype_from_string(rrule);
	if (r->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		return set_cause(cause, "RRULE \"%.60s\" is not valid (RFC 5545 section 3.3.10, "
		    "e.g. FREQ=YEARLY or FREQ=MONTHLY;INTERVAL=3)", rrule);
	}
	if (r->freq == ICAL_SECONDLY_RECURRENCE || r->freq == ICAL_MINUTELY_RECURRENCE ||
	    r->freq == ICAL_HOURLY_RECURRENCE)
		return set_cause(cause, "RRULE \"%.60s\": evaluations recur by day, week, month "
		    "or year", rrule);
	return 0;
}

int
process_rrule_check(const char *rrule, char **cause)
{
	struct icalrecurrencetype r;

	return parse_rrule(rrule, &r, cause);
}

int
process_occurrences(const char *rrule, int start, int from, int to, enum rule_roll roll,
    const struct workcal *wc, struct occurrence **out, size_t *n, size_t max, char **cause)
{
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	struct icaltimetype dt, next;
	int y, m, d, day, due, steps = 0;

	*out = NULL;
	*n = 0;
	if (parse_rrule(rrule, &r, cause) == -1)
		return -1;
	/* A floating date as DTSTART: no zone, so no DST shift can creep in. */
	civil_date_from_days(start, &y, &m, &d);
	dt = icaltime_null_time();
	dt.year = y;
	dt.month = m;
	dt.day = d;
	dt.is_date = 1;
	if ((it = icalrecur_iterator_new(r, dt)) == NULL) {
		icalerror_clear_errno();
		return set_cause(cause, "RRULE \"%.60s\" cannot be expanded from %04d-%02d-%02d",
		    rrule, y, m, d);
	}
	while (*n < max && steps++ < 20000) {
		next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next))
			break;
		day = civil_days_from_date(next.year, next.month, next.day);
		due = process_roll(wc, day, roll);
		if (due > to && day > to)
			break;
		if (due < from || due > to)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].nominal = day;
		(*out)[*n].due = due;
		(*n)++;
	}
	icalrecur_iterator_free(it);
	return 0;
}

/* The daemon's side: the store as planner input, and the comparison of a
 * stored plan with the calendar as it is now. */

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

int
process_load_input(struct ikond *ikd, sqlite3_int64 target_id, sqlite3_int64 committee_id,
    int today, struct plan_input *in, char **cause)
{
	struct plan_session *list = NULL, *s;
	struct civil_moment anchor;
	size_t n = 0;
	sqlite3_stmt *st;
	int rc;

	memset(in, 0, sizeof(*in));
	if ((st = store_query(ikd->store, cause, "SELECT s.id, c.id, c.slug, c.name, c.kind, "
	    "s.start_utc, s.state FROM session s JOIN committee c ON c.id = s.committee_id "
	    "ORDER BY s.start_utc, s.id", "")) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		list = xreallocarray(list, n + 1, sizeof(*list));
		s = &list[n++];
		s->id = sqlite3_column_int64(st, 0);
		s->committee_id = sqlite3_column_int64(st, 1);
		s->committee = store_column_dup(st, 2);
		s->committee_name = store_column_dup(st, 3);
		s->kind = store_column_dup(st, 4);
		civil_from_utc(ikd->cfg->body_timezone, (time_t)sqlite3_column_int64(st, 5),
		    &s->day, &s->minute, NULL);
		s->cancelled = strcmp((const char *)sqlite3_column_text(st, 6), "cancelled") == 0;
		anchor.days = s->day;
		anchor.minute = s->minute;
		s->beschluss_due = due_for(ikd, "beschlussvorlage", s->committee, anchor);
		s->verwaltung_due = due_for(ikd, "verwaltungsvorlage", s->committee, anchor);
	}
	store_done(ikd->store, st);
	in->sessions = list;
	in->nsessions = n;
	if (rc == 0)
		rc = store_exists(ikd->store, cause, "SELECT 1 FROM committee WHERE "
		    "kind = 'integrationsbeirat'", "");
	if (rc == -1) {
		process_input_clear(in);
		return -1;
	}
	in->target_id = target_id;
	in->committee_id = committee_id;
	in->has_beirat = rc == 1;
	in->today = today;
	in->pc = &ikd->cfg->process;
	in->wc = ikd->cfg->workcal;
	return 0;
}

void
process_input_clear(struct plan_input *in)
{
	size_t i;

	for (i = 0; i < in->nsessions; i++) {
		free((char *)in->sessions[i].committee);
		free((char *)in->sessions[i].committee_name);
		free((char *)in->sessions[i].kind);
	}
	free((struct plan_session *)in->sessions);
	memset(in, 0, sizeof(*in));
}

static void __attribute__((format(printf, 2, 3)))
change(json_t *list, const char *fmt, ...)
{
	va_list ap;
	struct buf b;
	char *s;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, _(fmt), ap);
	va_end(ap);
	s = buf_steal(&b, NULL);
	json_array_append_new(list, json_string(s));
	free(s);
}

static int
session_changes(struct ikond *ikd, sqlite3_int64 process_id, json_t *list, char **cause)
{
	const char *tz = ikd->cfg->body_timezone;
	char was[17], now[17];
	sqlite3_stmt *st;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT p.n, l.role, l.session_id, s.state, "
	    "s.start_utc, l.planned_start_utc, c.name, l.submission_id, l.planned_deadline, "
	    "(SELECT min(due_date) FROM deadline d WHERE d.submission_id = l.submission_id) "
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

static int
step_changes(struct ikond *ikd, sqlite3_int64 process_id, const struct plan *p, json_t *list,
    char **cause)
{
	char d1[11], d2[11];
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = store_query(ikd->store, cause, "SELECT code, n, title, start_date, end_date "
	    "FROM process_step WHERE process_id = ? AND code <> '' AND state IN ('open', "
	    "'in_progress') ORDER BY n", "i", process_id)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *was_start = (const char *)sqlite3_column_text(st, 3);
		const char *was_end = (const char *)sqlite3_column_text(st, 4);

		for (i = 0; i < PROCESS_STEPS; i++) {
			const struct plan_step *s = &p->steps[i];

			if (strcmp(s->code, code) != 0 || s->start == PROCESS_NO_DAY)
				continue;
			fmt_day(s->start, d1);
			fmt_day(s->end, d2);
			if (was_start == NULL || was_end == NULL || strcmp(was_start, d1) != 0 ||
			    strcmp(was_end, d2) != 0)
				change(list, "step %d (%s) moves from %s - %s to %s - %s",
				    sqlite3_column_int(st, 1), sqlite3_column_text(st, 2),
				    was_start ? was_start : "?", was_end ? was_end : "?", d1, d2);
		}
	}
	store_done(ikd->store, st);
	return rc;
}

/* The changes of a planned process into list (see process_changes). */
static int
add_changes(struct ikond *ikd, sqlite3_int64 process_id, json_t *list, char **cause)
{
	struct plan_input in;
	struct plan p;
	sqlite3_stmt *st;
	sqlite3_int64 target, committee;
	size_t i;
	int from, rc;

	switch (store_first(ikd->store, cause, &st, "SELECT coalesce(target_session_id, 0), "
	    "coalesce(committee_id, 0), planned_from FROM process WHERE id = ? "
	    "AND planned_at IS NOT NULL", "i", process_id)) {
	case -1:
		return -1;
	case 0:
		return 0;
	}
	target = sqlite3_column_int64(st, 0);
	committee = sqlite3_column_int64(st, 1);
	rc = civil_parse_date((const char *)sqlite3_column_text(st, 2), &from, NULL);
	store_done(ikd->store, st);
	if (rc == -1)
		return 0;
	if (session_changes(ikd, process_id, list, cause) == -1)
		return -1;
	if (target == 0) {
		change(list, "the target session was removed; the plan has no anchor");
		return 0;
	}
	if (process_load_input(ikd, target, committee, from, &in, cause) == -1)
		return -1;
	rc = 0;
	if (process_plan(&in, &p) == -1) {
		for (i = 0; i < p.nproblems; i++)
			change(list, "the plan no longer fits: %s", p.problems[i]);
	} else
		rc = step_changes(ikd, process_id, &p, list, cause);
	process_plan_clear(&p);
	process_input_clear(&in);
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
	civil_format_date(timefmt_local_day(ikd->cfg->body_timezone, time(NULL)), today);
	if ((st = store_query(ikd->store, cause, "SELECT p.slug, m.id, m.title, m.due_date "
	    "FROM measure m JOIN process p ON p.id = m.process_id WHERE m.state = 'open' AND "
	    "m.due_date < ? ORDER BY m.due_date, m.id", "t", today)) == NULL)
		return -1;
	while ((rc = store_next(ikd->store, st, cause)) == 1)
		change(list, "process %s: measure %lld \"%s\" is overdue since %s",
		    sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
	store_done(ikd->store, st);
	return rc;
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
process_today(struct ikond *ikd)
{
	return timefmt_local_day(ikd->cfg->body_timezone, time(NULL));
}
