/*
 * planner: dates the steps of a process file (see planner.h).
 *
 * The passes:
 *   route     from the adopting session backwards, each committee of the
 *             route takes its latest usable session before the next one;
 *             the earliest of their Vorlagenfristen is the deadline of
 *             every step before the adoption;
 *   forward   each step in file order starts when the steps it follows
 *             (plus its gap) allow, not before the origin: a free step
 *             lasts its duration, a window opens and closes on working
 *             days, a window or workshop that would run into a break
 *             moves past it, the start decision takes the first session
 *             whose Vorlagenfrist comes after the steps before it;
 *   backward  the latest end of every step before the adoption, from the
 *             first Vorlagenfrist back (windows and workshops kept before
 *             breaks); used for --schedule late and to say by when a step
 *             would have had to end;
 *   explain   an infeasible plan names the step that ran late, the break
 *             that pushed it, and the nearest later target that works.
 * Steps that are fixed (started, done, dated by hand) keep their dates;
 * skipped steps are left out and the steps after them follow the ones
 * before them.
 */
#include "planner.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "civil.h"
#include "domain.h"
#include "german.h"
#include "holiday.h"
#include "i18n.h"
#include "xmalloc.h"

#define NO_LIMIT	INT_MAX
#define BREAK_SHIFTS	20	/* breaks one step may be moved past */
#define ROLL_MAX	400	/* non-working days in a row, at most */

/* A date as text, by value: every date of a message has its own buffer. */
struct ymd {
	char	s[11];
};

/* ISO 8601, for JSON. */
static struct ymd
ymd(int day)
{
	struct ymd r;

	civil_format_date(day, r.s);
	return r;
}

/* For a message that is translated: the form of its reader's language. */
static struct ymd
said(int day)
{
	struct ymd r;

	german_date_for_reader(day, r.s, sizeof(r.s));
	return r;
}

/* For German text (notes, the plan as text): "16.03.2027". */
static struct ymd
dmy(int day)
{
	struct ymd r;

	german_date_short(day, r.s, sizeof(r.s));
	return r;
}

struct ctx {
	const struct plan_input		*in;
	struct plan			*p;
	const struct plan_session	*first;	/* the route's first session */
	int				 earliest_due; /* the route's first Vorlagenfrist */
	long long			 decision; /* committee of the start decision */
	const char			*decision_name;
	int				 late_decision; /* a decision without session */
	int				*latest; /* latest end of each step (backward) */
	bool				 late;	/* forward places steps at latest */
};

static void __attribute__((format(printf, 3, 0)))
add_message(char ***list, size_t *n, const char *fmt, va_list ap)
{
	struct buf b;

	buf_init(&b);
	buf_vprintf(&b, _(fmt), ap);
	buf_add_char(&b, '\0');
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = buf_steal(&b, NULL);
}

static void __attribute__((format(printf, 2, 3)))
problem(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(&p->problems, &p->nproblems, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
warning(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(&p->warnings, &p->nwarnings, fmt, ap);
	va_end(ap);
}

static bool
before(const struct plan_session *a, const struct plan_session *b)
{
	return a->day < b->day || (a->day == b->day && a->minute < b->minute);
}

int
planner_roll(const struct workcal *wc, int d, enum rule_roll r)
{
	int guard = 0;

	while (r != RULE_KEEP && !workcal_is_working_day(wc, d) && guard++ < ROLL_MAX)
		d += r == RULE_LATER ? 1 : -1;
	return d;
}

/* "2 weeks", "10 days", "1 day". */
static const char *
span_text(int days, char *buf, size_t len)
{
	if (days == 7)
		snprintf(buf, len, "%s", _("1 week"));
	else if (days % 7 == 0 && days > 0)
		snprintf(buf, len, _("%d weeks"), days / 7);
	else if (days == 1)
		snprintf(buf, len, "%s", _("1 day"));
	else
		snprintf(buf, len, _("%d days"), days);
	return buf;
}

/* The session-free period around d: its name, first and last day. */
static const char *
break_extent(const struct workcal *wc, int d, int *from, int *to)
{
	const char *name = workcal_break_at(wc, d);

	*from = *to = d;
	while (*from > d - ROLL_MAX && workcal_break_at(wc, *from - 1) == name)
		(*from)--;
	while (*to < d + ROLL_MAX && workcal_break_at(wc, *to + 1) == name)
		(*to)++;
	return name;
}

/* The first break day in [from, to], or PLAN_NO_DAY. */
static int
break_within(const struct workcal *wc, int from, int to)
{
	int d;

	for (d = from; d <= to; d++)
		if (workcal_break_at(wc, d) != NULL)
			return d;
	return PLAN_NO_DAY;
}

/* A break at d moves st, which would otherwise have ended on end. */
static void
note_break(struct plan_step *st, const struct workcal *wc, int d, int end)
{
	if (st->break_name == NULL)
		st->unmoved_end = end;
	st->break_name = break_extent(wc, d, &st->break_from, &st->break_to);
}

/* The steps i follows: its "after" list, looking through skipped steps. */
static void
preds_of(const struct plan *p, size_t i, size_t out[PROCDEF_STEPS_MAX], size_t *n, int depth)
{
	const struct procdef_step *d = p->steps[i].def;
	size_t k, j, a;

	for (k = 0; k < d->nafter; k++) {
		a = d->after[k];
		if (p->steps[a].fix == PLAN_SKIPPED) {
			if (depth < PROCDEF_STEPS_MAX)
				preds_of(p, a, out, n, depth + 1);
			continue;
		}
		for (j = 0; j < *n && out[j] != a; j++)
			continue;
		if (j == *n && *n < PROCDEF_STEPS_MAX)
			out[(*n)++] = a;
	}
}

/* The earliest start of step i; *after is the step that sets it. */
static int
ready_of(const struct ctx *c, size_t i, int *after)
{
	const struct plan *p = c->p;
	size_t pr[PROCDEF_STEPS_MAX], n = 0, k;
	int r = c->in->origin > c->in->today ? c->in->origin : c->in->today, v;

	*after = -1;
	preds_of(p, i, pr, &n, 0);
	for (k = 0; k < n; k++) {
		if (p->steps[pr[k]].end == PLAN_NO_DAY)
			continue;
		v = p->steps[pr[k]].end + 1 + p->steps[i].def->gap_days;
		if (v > r) {
			r = v;
			*after = (int)pr[k];
		}
	}
	return r;
}

/* Sessions. */

static const struct plan_session *
find_session(const struct plan_input *in, long long id)
{
	size_t i;

	for (i = 0; i < in->nsessions; i++)
		if (in->sessions[i].id == id)
			return &in->sessions[i];
	return NULL;
}

/* The latest usable session of committee strictly before limit. */
static const struct plan_session *
latest_before(const struct plan_input *in, long long committee, const struct plan_session *limit)
{
	const struct plan_session *best = NULL, *s;
	size_t i;

	for (i = 0; i < in->nsessions; i++) {
		s = &in->sessions[i];
		if (!s->cancelled && s->committee_id == committee && before(s, limit) &&
		    (best == NULL || before(best, s)))
			best = s;
	}
	return best;
}

/* The first usable session of committee at or after limit. */
static const struct plan_session *
first_from(const struct plan_input *in, long long committee, const struct plan_session *limit)
{
	const struct plan_session *best = NULL, *s;
	size_t i;

	for (i = 0; i < in->nsessions; i++) {
		s = &in->sessions[i];
		if (!s->cancelled && s->committee_id == committee && !before(s, limit) &&
		    (best == NULL || before(s, best)))
			best = s;
	}
	return best;
}

/* Why committee e has no session before next. */
static void
route_miss(struct ctx *c, const struct route_entry *e, const struct plan_session *next)
{
	const struct plan_session *late = first_from(c->in, e->committee_id, next);
	int days;

	if (late == NULL) {
		problem(c->p, "%s (%s) has no usable session before the session of %s on %s, and "
		    "none after it", e->name, e->slug, next->committee_name, said(next->day).s);
		return;
	}
	if ((days = late->day - next->day) == 0) {
		problem(c->p, "%s (%s) has no usable session before the session of %s on %s; its "
		    "next session is later that day", e->name, e->slug, next->committee_name,
		    said(next->day).s);
		return;
	}
	/* Two messages, so that each language has its plural. */
	if (days == 1)
		problem(c->p, "%s (%s) has no usable session before the session of %s on %s; its "
		    "next session, on %s, misses it by 1 day", e->name, e->slug,
		    next->committee_name, said(next->day).s, said(late->day).s);
	else
		problem(c->p, "%s (%s) has no usable session before the session of %s on %s; its "
		    "next session, on %s, misses it by %d days", e->name, e->slug,
		    next->committee_name, said(next->day).s, said(late->day).s, days);
}

/* The route: each committee's latest session before the next one. */
static int
plan_route(struct ctx *c)
{
	const struct plan_input *in = c->in;
	struct plan_step *st = &c->p->steps[in->def->adoption];
	const struct plan_session *next = c->p->target, *s;
	const struct route_entry *e;
	size_t k;

	st->nberatungen = in->nroute;
	st->beratungen[in->nroute - 1].session = next;
	st->beratungen[in->nroute - 1].role = in->route[in->nroute - 1].role;
	st->beratungen[in->nroute - 1].due = next->beschluss_due;
	for (k = in->nroute - 1; k-- > 0;) {
		e = &in->route[k];
		if ((s = latest_before(in, e->committee_id, next)) == NULL) {
			route_miss(c, e, next);
			return -1;
		}
		st->beratungen[k].session = s;
		st->beratungen[k].role = e->role;
		st->beratungen[k].due = s->beschluss_due;
		next = s;
	}
	c->first = st->beratungen[0].session;
	c->earliest_due = st->beratungen[0].due;
	for (k = 1; k < st->nberatungen; k++)
		if (st->beratungen[k].due < c->earliest_due)
			c->earliest_due = st->beratungen[k].due;
	return 0;
}

/* The committee of the start decision: as given, or the route's first
 * deliberating committee that is not the executive. */
static int
plan_decision_committee(struct ctx *c)
{
	const struct plan_input *in = c->in;
	size_t k;

	if (in->def->decision < 0)
		return 0;
	if (in->decision_committee != 0) {
		c->decision = in->decision_committee;
		c->decision_name = in->decision_name ? in->decision_name : "the committee";
		return 0;
	}
	for (k = 0; k < in->nroute; k++) {
		if (!in->route[k].executive && (strcmp(in->route[k].role, "vorberatung") == 0 ||
		    strcmp(in->route[k].role, "entscheidung") == 0)) {
			c->decision = in->route[k].committee_id;
			c->decision_name = in->route[k].name;
			return 0;
		}
	}
	problem(c->p, "the route has no committee for the start decision (one with "
	    "Vorberatung or Entscheidung that is not the executive): give the process "
	    "--committee SLUG");
	return -1;
}

/* Placing one step. */

static void
set_dates(struct plan_step *st, int start, int end)
{
	st->start = start;
	st->end = end < start ? start : end;
}

/* A window opening on ready (a working day) and closing on a working day
 * st->def->days later, moved past the breaks it would run into. */
static void
window_early(const struct workcal *wc, struct plan_step *st, int ready)
{
	int opens = planner_roll(wc, ready, RULE_LATER), closes, b, k;

	for (k = 0;; k++) {
		closes = planner_roll(wc, opens + st->def->days, RULE_LATER);
		if (k == BREAK_SHIFTS || (b = break_within(wc, opens, closes)) == PLAN_NO_DAY)
			break;
		note_break(st, wc, b, closes);
		opens = planner_roll(wc, st->break_to + 1, RULE_LATER);
	}
	set_dates(st, opens, closes);
}

/* The latest window closing on or before limit and before any break it
 * would run into; its opening day. */
static int
window_late(const struct workcal *wc, const struct plan_step *st, int limit, int *closes_out)
{
	int closes = planner_roll(wc, limit, RULE_EARLIER), opens, b, k, from, to;

	for (k = 0;; k++) {
		opens = planner_roll(wc, closes - st->def->days, RULE_EARLIER);
		if (k == BREAK_SHIFTS || (b = break_within(wc, opens, closes)) == PLAN_NO_DAY)
			break;
		break_extent(wc, b, &from, &to);
		closes = planner_roll(wc, from - 1, RULE_EARLIER);
	}
	*closes_out = closes;
	return opens;
}

static int
span_len(const struct plan_step *st)
{
	return st->def->days > 0 ? st->def->days : 1;
}

/* A workshop phase from ready on, moved past the breaks it would run into. */
static void
workshop_early(const struct workcal *wc, struct plan_step *st, int ready)
{
	int start = ready, b, k;

	for (k = 0; k < BREAK_SHIFTS; k++) {
		if ((b = break_within(wc, start, start + span_len(st) - 1)) == PLAN_NO_DAY)
			break;
		note_break(st, wc, b, start + span_len(st) - 1);
		start = st->break_to + 1;
	}
	set_dates(st, start, start + span_len(st) - 1);
}

/* The latest workshop phase ending on or before limit, before any break. */
static int
workshop_late(const struct workcal *wc, const struct plan_step *st, int limit)
{
	int end = limit, b, k, from, to;

	for (k = 0; k < BREAK_SHIFTS; k++) {
		if ((b = break_within(wc, end - span_len(st) + 1, end)) == PLAN_NO_DAY)
			break;
		break_extent(wc, b, &from, &to);
		end = from - 1;
	}
	return end - span_len(st) + 1;
}

/* The session of the start decision: the first one whose Vorlagenfrist is
 * on or after ready (late: the last one on or before limit), before the
 * route begins. */
static const struct plan_session *
decision_session(const struct ctx *c, int ready, int limit)
{
	const struct plan_input *in = c->in;
	const struct plan_session *s, *best = NULL;
	size_t i;

	for (i = 0; i < in->nsessions; i++) {
		s = &in->sessions[i];
		if (s->cancelled || s->committee_id != c->decision || s->verwaltung_due < ready ||
		    !before(s, c->first))
			continue;
		if (limit == NO_LIMIT) {
			if (best == NULL || before(s, best))
				best = s;
		} else if (s->day <= limit && (best == NULL || before(best, s)))
			best = s;
	}
	if (best == NULL && limit != NO_LIMIT)
		return decision_session(c, ready, NO_LIMIT);
	return best;
}

static void
place_decision(struct ctx *c, size_t i, int ready, int limit)
{
	struct plan_step *st = &c->p->steps[i];
	const struct plan_session *s = decision_session(c, ready, limit);

	st->nberatungen = 0;
	if (s == NULL) {
		c->late_decision = (int)i;
		st->start = st->end = PLAN_NO_DAY;
		return;
	}
	st->nberatungen = 1;
	st->beratungen[0].session = s;
	st->beratungen[0].role = "entscheidung";
	st->beratungen[0].due = s->verwaltung_due;
	set_dates(st, s->verwaltung_due, s->day);
}

/* The latest end of the steps i follows, for an evaluation's anchor. */
static int
anchor_of(const struct plan *p, size_t i)
{
	size_t pr[PROCDEF_STEPS_MAX], n = 0, k;
	int a = PLAN_NO_DAY;

	preds_of(p, i, pr, &n, 0);
	for (k = 0; k < n; k++)
		if (p->steps[pr[k]].end > a)
			a = p->steps[pr[k]].end;
	return a;
}

static void
place(struct ctx *c, size_t i, int ready, int limit)
{
	const struct workcal *wc = c->in->wc;
	struct plan_step *st = &c->p->steps[i];
	int start, closes, anchor;

	st->break_name = NULL;
	switch (st->def->produces) {
	case PRODUCT_BESCHLUSSVORLAGE:
		set_dates(st, c->earliest_due, c->p->target->day);
		break;
	case PRODUCT_VERWALTUNGSVORLAGE:
		place_decision(c, i, ready, limit);
		break;
	case PRODUCT_WINDOW:
		if (limit != NO_LIMIT && (start = window_late(wc, st, limit, &closes)) >= ready)
			set_dates(st, start, closes);
		else
			window_early(wc, st, ready);
		break;
	case PRODUCT_WORKSHOP:
		if (limit != NO_LIMIT && (start = workshop_late(wc, st, limit)) >= ready)
			set_dates(st, start, start + span_len(st) - 1);
		else
			workshop_early(wc, st, ready);
		st->event = planner_roll(wc, st->start, RULE_LATER);
		if (st->event > st->end)
			st->event = st->start;
		break;
	case PRODUCT_EVALUATION:
		anchor = anchor_of(c->p, i);
		st->nominal = civil_add_months(anchor != PLAN_NO_DAY ? anchor : ready,
		    st->def->months);
		st->event = planner_roll(wc, st->nominal, c->in->evaluation_roll);
		set_dates(st, ready, st->event);
		break;
	case PRODUCT_NONE:
		if (limit != NO_LIMIT && limit - span_len(st) + 1 >= ready)
			set_dates(st, limit - span_len(st) + 1, limit);
		else
			set_dates(st, ready, ready + span_len(st) - 1);
		break;
	}
}

static void
warn_by_hand(struct plan *p, const struct plan_step *st, const struct plan_step *before)
{
	warning(p, "step %d (%s) is set by hand to start %s, before step %d (%s) ends on %s",
	    st->n, st->def->title, said(st->start).s, before->n, before->def->title,
	    said(before->end).s);
}

/* The forward pass; with c->late, steps before the adoption end at their
 * latest ends where their predecessors allow. */
static void
forward(struct ctx *c)
{
	struct plan *p = c->p;
	struct plan_step *st;
	size_t i;
	int ready, after;

	c->late_decision = -1;
	for (i = 0; i < p->nsteps; i++) {
		st = &p->steps[i];
		if (st->fix == PLAN_SKIPPED)
			continue;
		ready = ready_of(c, i, &after);
		st->ready = ready;
		st->after = after;
		if (st->fix != PLAN_FREE) {
			if (st->def->produces == PRODUCT_BESCHLUSSVORLAGE)
				continue;
			if (st->fix == PLAN_BY_HAND && after >= 0 && st->start != PLAN_NO_DAY &&
			    st->start < ready)
				warn_by_hand(p, st, &p->steps[after]);
			continue;
		}
		place(c, i, ready, c->late && i < p->def->adoption ? c->latest[i] : NO_LIMIT);
		if (c->late_decision >= 0)
			return;
	}
}

/* The latest start of step j given its latest end, or PLAN_NO_DAY. */
static int
latest_start(const struct ctx *c, size_t j, int limit)
{
	const struct plan_step *st = &c->p->steps[j];
	const struct plan_session *s;
	int closes;

	if (st->def->produces == PRODUCT_BESCHLUSSVORLAGE)
		return c->earliest_due;
	if (st->fix != PLAN_FREE)
		return st->start;
	if (limit == NO_LIMIT)
		return PLAN_NO_DAY;
	switch (st->def->produces) {
	case PRODUCT_WINDOW:
		return window_late(c->in->wc, st, limit, &closes);
	case PRODUCT_WORKSHOP:
		return workshop_late(c->in->wc, st, limit);
	case PRODUCT_VERWALTUNGSVORLAGE:
		s = decision_session(c, INT_MIN, limit);
		return s != NULL && s->day <= limit ? s->verwaltung_due : PLAN_NO_DAY;
	default:
		return limit - span_len(st) + 1;
	}
}

/* The backward pass: c->latest[i], the latest end of each step before
 * the adoption. */
static void
backward(struct ctx *c)
{
	const struct plan *p = c->p;
	size_t pr[PROCDEF_STEPS_MAX], n, k, j;
	int ls, v;

	for (j = 0; j < p->nsteps; j++)
		c->latest[j] = NO_LIMIT;
	for (j = p->def->adoption + 1; j-- > 0;) {
		if (p->steps[j].fix == PLAN_SKIPPED)
			continue;
		if ((ls = latest_start(c, j, c->latest[j])) == PLAN_NO_DAY)
			continue;
		n = 0;
		preds_of(p, j, pr, &n, 0);
		for (k = 0; k < n; k++) {
			v = ls - 1 - p->steps[j].def->gap_days;
			if (v < c->latest[pr[k]])
				c->latest[pr[k]] = v;
		}
	}
}

/* Messages of an infeasible plan. */

/* The step on the chain into step i that would have ended in time had a
 * break not moved it, or -1. */
static int
moved_by_break(const struct ctx *c, size_t i)
{
	const struct plan *p = c->p;
	int k = p->steps[i].after, guard = 0;

	for (; k >= 0 && guard++ < PROCDEF_STEPS_MAX; k = p->steps[k].after)
		if (p->steps[k].break_name != NULL && c->latest[k] != NO_LIMIT &&
		    p->steps[k].unmoved_end <= c->latest[k])
			return k;
	return -1;
}


static void
explain_break(struct ctx *c, size_t k)
{
	const struct plan_step *st = &c->p->steps[k];
	int must = c->latest[k];
	char gap[32];

	if (must == NO_LIMIT)
		return;
	if (st->def->produces == PRODUCT_WINDOW) {
		must = planner_roll(c->in->wc, must, RULE_EARLIER);
		problem(c->p, "the feedback window (step %d) would have to close by %s, %s before "
		    "the route's first Vorlagenfrist %s, but the session-free period \"%s\" "
		    "(%s to %s) blocks it: it could open %s at the earliest and would run into "
		    "the break, so it closes %s at the earliest", st->n, said(must).s,
		    span_text(c->earliest_due - must, gap, sizeof(gap)),
		    said(c->earliest_due).s, st->break_name, said(st->break_from).s,
		    said(st->break_to).s, said(planner_roll(c->in->wc, st->ready, RULE_LATER)).s,
		    said(st->end).s);
	} else
		problem(c->p, "step %d (%s) would have to end by %s, but the session-free period "
		    "\"%s\" (%s to %s) blocks it: it could start %s at the earliest and would "
		    "run into the break, so it ends %s at the earliest", st->n, st->def->title,
		    said(must).s, st->break_name, said(st->break_from).s, said(st->break_to).s,
		    said(st->ready).s, said(st->end).s);
}

static void
explain_too_early(struct ctx *c, size_t a)
{
	const struct plan *p = c->p;
	const struct plan_step *ad = &p->steps[a], *last = &p->steps[ad->after], *m;
	const struct plan_session *s;
	int d = p->def->decision, need = ad->ready, k, guard = 0;
	char gap[32];
	struct buf b;

	/* Put together from pieces, each translated (see HACKING.md). */
	buf_init(&b);
	if (need - c->earliest_due == 1)
		buf_printf(&b, _("target session %s is 1 day too early: planned from %s, "),
		    said(p->target->day).s, said(c->in->origin).s);
	else
		buf_printf(&b, _("target session %s is %d days too early: planned from %s, "),
		    said(p->target->day).s, need - c->earliest_due, said(c->in->origin).s);
	if (d >= 0 && p->steps[d].nberatungen == 1) {
		s = p->steps[d].beratungen[0].session;
		buf_printf(&b, _("the earliest start decision is %s's session on %s "
		    "(Verwaltungsvorlage due %s); after it "), s->committee_name, said(s->day).s,
		    said(s->verwaltung_due).s);
	}
	buf_printf(&b, _("step %d (%s) ends %s at the earliest, so with %s after it the "
	    "route's first Vorlagenfrist could be %s at the earliest, but it is %s"), last->n,
	    last->def->title, said(last->end).s, span_text(ad->def->gap_days, gap, sizeof(gap)),
	    said(need).s, said(c->earliest_due).s);
	for (k = ad->after; k >= 0 && guard++ < PROCDEF_STEPS_MAX; k = p->steps[k].after) {
		m = &p->steps[k];
		if (m->break_name != NULL)
			buf_printf(&b, _(" (step %d moved past the session-free period \"%s\", "
			    "%s to %s)"), m->n, m->break_name, said(m->break_from).s,
			    said(m->break_to).s);
	}
	buf_add_char(&b, '\0');
	problem(c->p, "%s", b.data);
	buf_free(&b);
}

static void
explain_decision(struct ctx *c, size_t i)
{
	const struct plan *p = c->p;
	const struct plan_step *st = &p->steps[i];
	const struct plan_session *s = latest_before(c->in, c->decision, c->first);

	if (s != NULL)
		problem(c->p, "no session of %s before the route begins (%s, %s) has a "
		    "Vorlagenfrist on or after %s, when the steps before the start decision "
		    "(step %d) can end; its last session before the route is on %s "
		    "(Verwaltungsvorlage due %s)", c->decision_name, c->first->committee_name,
		    said(c->first->day).s, said(st->ready).s, st->n, said(s->day).s,
		    said(s->verwaltung_due).s);
	else
		problem(c->p, "%s has no session before the route begins (%s, %s) for the start "
		    "decision (step %d)", c->decision_name, c->first->committee_name,
		    said(c->first->day).s, st->n);
}

/* Steps. */

static void
init_plan(const struct plan_input *in, struct plan *p)
{
	const struct procdef *def = in->def;
	struct plan_step *st;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->def = def;
	p->late = in->late;
	p->nsteps = def->nsteps;
	p->steps = xcalloc(def->nsteps, sizeof(*p->steps));
	for (i = 0; i < def->nsteps; i++) {
		st = &p->steps[i];
		st->def = &def->steps[i];
		st->n = (int)i + 1;
		st->start = st->end = st->event = st->nominal = st->ready = PLAN_NO_DAY;
		st->after = -1;
		if (in->pins != NULL) {
			st->fix = in->pins[i].fix;
			if (st->fix != PLAN_FREE) {
				st->start = in->pins[i].start;
				st->end = in->pins[i].end;
			}
		}
		/* The adoption is dated by the route, the rest by the planner. */
		if (i == def->adoption && st->fix == PLAN_SKIPPED)
			st->fix = PLAN_FREE;
	}
}

static const char *
fix_note(enum plan_fix fix)
{
	switch (fix) {
	case PLAN_BY_HAND:
		return "Von Hand terminiert; der Plan lässt den Schritt, wo er ist.";
	case PLAN_STARTED:
		return "Hat begonnen; der Plan lässt den Schritt, wo er ist.";
	case PLAN_IN_PROGRESS:
		return "In Arbeit; der Plan lässt den Schritt, wo er ist.";
	case PLAN_DONE:
		return "Erledigt.";
	case PLAN_SKIPPED:
		return "Übersprungen.";
	default:
		return NULL;
	}
}

static char *
step_note(const struct ctx *c, const struct plan_step *st)
{
	const struct plan *p = c->p;
	const struct plan_beratung *b = st->beratungen;
	char *note, *more;

	if (fix_note(st->fix) != NULL && st->def->produces != PRODUCT_BESCHLUSSVORLAGE)
		return xstrdup(fix_note(st->fix));
	switch (st->def->produces) {
	case PRODUCT_BESCHLUSSVORLAGE:
		xasprintf(&note, "Beschlussvorlage mit %zu Beratung%s; die erste Vorlagenfrist ist "
		    "der %s, der Beschluss fällt am %s.", st->nberatungen, st->nberatungen == 1 ?
		    "" : "en", dmy(st->start).s, dmy(st->end).s);
		return note;
	case PRODUCT_VERWALTUNGSVORLAGE:
		xasprintf(&note, "Verwaltungsvorlage für %s am %s (Vorlagenfrist %s).",
		    b[0].session->committee_name, dmy(b[0].session->day).s, dmy(b[0].due).s);
		return note;
	case PRODUCT_WINDOW:
		xasprintf(&note, "Das Rückmeldefenster öffnet am %s und schließt am %s, an "
		    "Arbeitstagen.", dmy(st->start).s, dmy(st->end).s);
		break;
	case PRODUCT_WORKSHOP:
		xasprintf(&note, "Workshop am %s; Uhrzeit und Ort folgen.", dmy(st->event).s);
		break;
	case PRODUCT_EVALUATION:
		xasprintf(&note, "Erste Evaluation am %s, danach nach dem Evaluationstermin (%s).",
		    dmy(st->event).s, st->def->rrule);
		return note;
	default:
		if (st->after >= 0)
			xasprintf(&note, "Im Anschluss an Schritt %d.", p->steps[st->after].n);
		else
			xasprintf(&note, "Ab %s.", dmy(st->start).s);
		break;
	}
	if (st->break_name != NULL) {
		xasprintf(&more, "%s Nach der sitzungsfreien Zeit „%s“ (%s bis %s).", note,
		    st->break_name, dmy(st->break_from).s, dmy(st->break_to).s);
		free(note);
		note = more;
	}
	return note;
}

/* Whether the plan for in fits, without its messages. */
static bool
works(const struct plan_input *in)
{
	struct plan q;
	struct ctx c;
	bool ok = false;

	init_plan(in, &q);
	memset(&c, 0, sizeof(c));
	c.in = in;
	c.p = &q;
	c.late_decision = -1;
	q.target = find_session(in, in->target_id);
	if (plan_decision_committee(&c) == 0 && plan_route(&c) == 0) {
		forward(&c);
		ok = c.late_decision < 0 && q.steps[in->def->adoption].ready <= c.earliest_due;
	}
	planner_clear(&q);
	return ok;
}

/* The first later session of the target's committee that gives a feasible
 * plan, as the last problem. */
static void
suggest(const struct plan_input *in, struct plan *p)
{
	struct plan_input alt = *in;
	const struct plan_session *s;
	size_t i, tried = 0;

	for (i = 0; i < in->nsessions && tried < PLAN_SUGGEST_MAX; i++) {
		s = &in->sessions[i];
		if (s->cancelled || s->committee_id != p->target->committee_id ||
		    !before(p->target, s))
			continue;
		tried++;
		alt.target_id = s->id;
		if (works(&alt)) {
			p->suggestion = s;
			problem(p, "the nearest target session that works is %s's on %s "
			    "(session %lld)", s->committee_name, said(s->day).s, (long long)s->id);
			return;
		}
	}
	problem(p, "no later session of %s works either", p->target->committee_name);
}

/* Why the adoption cannot be reached in time. */
static void
explain(struct ctx *c)
{
	const struct plan *p = c->p;
	size_t a = p->def->adoption;
	int k;

	backward(c);
	if (p->steps[a].after < 0) {
		problem(c->p, "the route's first Vorlagenfrist %s is before %s, the first day "
		    "of the plan", said(c->earliest_due).s, said(p->steps[a].ready).s);
		return;
	}
	if ((k = moved_by_break(c, a)) >= 0)
		explain_break(c, (size_t)k);
	else
		explain_too_early(c, a);
}

int
planner_run(const struct plan_input *in, struct plan *p)
{
	int latest[PROCDEF_STEPS_MAX];
	struct ctx c;
	size_t i, a = in->def->adoption;

	init_plan(in, p);
	memset(&c, 0, sizeof(c));
	c.in = in;
	c.p = p;
	c.late_decision = -1;
	if ((p->target = find_session(in, in->target_id)) == NULL) {
		problem(p, "no target session: give --target-session ID (the session that "
		    "adopts the concept)");
		return -1;
	}
	if (p->target->cancelled) {
		problem(p, "target session %lld on %s is cancelled", (long long)p->target->id,
		    said(p->target->day).s);
		return -1;
	}
	if (p->target->day < in->today) {
		problem(p, "target session %lld on %s is in the past (planning as of %s)",
		    (long long)p->target->id, said(p->target->day).s, said(in->today).s);
		return -1;
	}
	if (in->nroute == 0 || in->route[in->nroute - 1].committee_id !=
	    p->target->committee_id) {
		problem(p, "the route ends with %s, but the target session %lld belongs to %s",
		    in->nroute ? in->route[in->nroute - 1].name : "nothing",
		    (long long)p->target->id, p->target->committee_name);
		return -1;
	}
	if (plan_decision_committee(&c) == -1)
		return -1;
	if (plan_route(&c) == -1) {
		suggest(in, p);
		return -1;
	}
	forward(&c);
	c.latest = latest;
	if (c.late_decision >= 0) {
		explain_decision(&c, (size_t)c.late_decision);
		suggest(in, p);
		return -1;
	}
	if (p->steps[a].fix == PLAN_FREE && p->steps[a].ready > c.earliest_due) {
		explain(&c);
		suggest(in, p);
		return -1;
	}
	if (in->late) {
		backward(&c);
		c.late = true;
		forward(&c);
	}
	for (i = 0; i < p->nsteps; i++)
		if (p->steps[i].start != PLAN_NO_DAY || p->steps[i].fix != PLAN_FREE)
			p->steps[i].note = step_note(&c, &p->steps[i]);
	return 0;
}

void
planner_clear(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nsteps; i++)
		free(p->steps[i].note);
	free(p->steps);
	for (i = 0; i < p->nproblems; i++)
		free(p->problems[i]);
	free(p->problems);
	for (i = 0; i < p->nwarnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	memset(p, 0, sizeof(*p));
}

const char *
planner_fix_word(enum plan_fix fix)
{
	static const char *const words[] = {
		NULL, "by_hand", "started", "in_progress", "done", "skipped",
	};

	return words[fix];
}

/* Output. */

static json_t *
day_json(int day)
{
	return day == PLAN_NO_DAY ? json_null() : json_string(ymd(day).s);
}

static json_t *
beratungen_json(const struct plan_step *st)
{
	json_t *list = json_array();
	const struct plan_beratung *b;
	size_t i;

	for (i = 0; i < st->nberatungen; i++) {
		b = &st->beratungen[i];
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o}",
		    "session", (json_int_t)b->session->id, "committee", b->session->committee,
		    "committee_name", b->session->committee_name, "role", b->role, "role_de",
		    vocab_label(beratung_roles, b->role), "date", day_json(b->session->day),
		    "deadline", day_json(b->due)));
	}
	return list;
}

static json_t *
product_json(const struct plan_step *st)
{
	json_t *obj = json_pack("{s:s}", "type", procdef_product_name(st->def->produces));

	switch (st->def->produces) {
	case PRODUCT_VERWALTUNGSVORLAGE:
	case PRODUCT_BESCHLUSSVORLAGE:
		json_object_set_new(obj, "beratungen", beratungen_json(st));
		break;
	case PRODUCT_WORKSHOP:
		json_object_set_new(obj, "date", day_json(st->event));
		break;
	case PRODUCT_WINDOW:
		json_object_set_new(obj, "opens", day_json(st->start));
		json_object_set_new(obj, "closes", day_json(st->end));
		break;
	case PRODUCT_EVALUATION:
		json_object_set_new(obj, "first", day_json(st->event));
		json_object_set_new(obj, "rrule", json_string(st->def->rrule));
		break;
	case PRODUCT_NONE:
		break;
	}
	return obj;
}

bool
planner_has_products(const struct plan_step *st)
{
	if (st->def->produces == PRODUCT_NONE || st->start == PLAN_NO_DAY)
		return false;
	return st->fix == PLAN_FREE || st->def->produces == PRODUCT_BESCHLUSSVORLAGE;
}

static json_t *
step_json(const struct plan *p, const struct plan_step *st)
{
	const char *fixed = planner_fix_word(st->fix);
	json_t *after = json_array(), *products = json_array();
	size_t k;

	for (k = 0; k < st->def->nafter; k++)
		json_array_append_new(after, json_string(p->steps[st->def->after[k]].def->code));
	if (planner_has_products(st))
		json_array_append_new(products, product_json(st));
	return json_pack("{s:i, s:s, s:s, s:b, s:o, s:o, s:o, s:s, s:o, s:o}", "n", st->n,
	    "code", st->def->code, "title", st->def->title, "optional", st->def->optional,
	    "start", day_json(st->start), "end", day_json(st->end), "fixed",
	    fixed ? json_string(fixed) : json_null(), "note", st->note ? st->note : "",
	    "after", after, "products", products);
}

static json_t *
strings_json(char **v, size_t n)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(list, json_string(v[i]));
	return list;
}

static json_t *
session_ref(const struct plan_session *s)
{
	if (s == NULL)
		return json_null();
	return json_pack("{s:I, s:s, s:o}", "session", (json_int_t)s->id, "committee",
	    s->committee, "date", day_json(s->day));
}

json_t *
planner_json(const struct plan *p)
{
	json_t *obj = json_object(), *steps = json_array(), *sessions = json_array();
	json_t *workshops = json_array(), *window = NULL, *evaluation = NULL, *o;
	const struct plan_beratung *b;
	const struct plan_step *st;
	size_t i, k;

	for (i = 0; i < p->nsteps; i++) {
		st = &p->steps[i];
		json_array_append_new(steps, step_json(p, st));
		if (!planner_has_products(st))
			continue;
		for (k = 0; k < st->nberatungen; k++) {
			b = &st->beratungen[k];
			o = json_pack("{s:i, s:s, s:I, s:s, s:s, s:s, s:o, s:s, s:o}", "step",
			    st->n, "code", st->def->code, "session", (json_int_t)b->session->id,
			    "committee", b->session->committee, "committee_name",
			    b->session->committee_name, "role", b->role, "session_date",
			    day_json(b->session->day), "submission_kind",
			    procdef_product_name(st->def->produces), "deadline", day_json(b->due));
			json_array_append_new(sessions, o);
		}
		if (st->def->produces == PRODUCT_WORKSHOP)
			json_array_append_new(workshops, json_pack("{s:i, s:s, s:o}", "step", st->n,
			    "code", st->def->code, "date", day_json(st->event)));
		if (st->def->produces == PRODUCT_WINDOW && window == NULL)
			window = json_pack("{s:o, s:o}", "opens", day_json(st->start), "closes",
			    day_json(st->end));
		if (st->def->produces == PRODUCT_EVALUATION && evaluation == NULL)
			evaluation = day_json(st->event);
	}
	json_object_set_new(obj, "feasible", json_boolean(p->nproblems == 0));
	json_object_set_new(obj, "process_file", json_string(p->def->name));
	json_object_set_new(obj, "schedule", json_string(p->late ? "late" : "early"));
	json_object_set_new(obj, "target", session_ref(p->target));
	json_object_set_new(obj, "steps", steps);
	json_object_set_new(obj, "sessions", sessions);
	json_object_set_new(obj, "workshops", workshops);
	json_object_set_new(obj, "window", window ? window : json_pack("{s:n, s:n}", "opens",
	    "closes"));
	json_object_set_new(obj, "first_evaluation", evaluation ? evaluation : json_null());
	json_object_set_new(obj, "problems", strings_json(p->problems, p->nproblems));
	json_object_set_new(obj, "warnings", strings_json(p->warnings, p->nwarnings));
	json_object_set_new(obj, "suggestion", session_ref(p->suggestion));
	return obj;
}

static const char *
fix_mark(enum plan_fix fix)
{
	static const char *const marks[] = {
		"", "  [von Hand]", "  [begonnen]", "  [in Arbeit]", "  [erledigt]",
		"  [übersprungen]",
	};

	return marks[fix];
}

static void
product_text(struct buf *b, const struct plan_step *st)
{
	const struct plan_beratung *r;
	size_t k;

	switch (st->def->produces) {
	case PRODUCT_VERWALTUNGSVORLAGE:
	case PRODUCT_BESCHLUSSVORLAGE:
		for (k = 0; k < st->nberatungen; k++) {
			r = &st->beratungen[k];
			buf_printf(b, "      %s (%s): Sitzung %lld am %s, %s fällig %s\n",
			    r->session->committee_name, vocab_label(beratung_roles, r->role),
			    (long long)r->session->id, dmy(r->session->day).s,
			    vocab_label(submission_kinds, procdef_product_name(st->def->produces)),
			    dmy(r->due).s);
		}
		break;
	case PRODUCT_WORKSHOP:
		buf_printf(b, "      Workshop am %s\n", dmy(st->event).s);
		break;
	case PRODUCT_WINDOW:
		buf_printf(b, "      Rückmeldefenster vom %s bis %s\n", dmy(st->start).s,
		    dmy(st->end).s);
		break;
	case PRODUCT_EVALUATION:
		buf_printf(b, "      Erste Evaluation am %s (%s)\n", dmy(st->event).s,
		    st->def->rrule);
		break;
	case PRODUCT_NONE:
		break;
	}
}

char *
planner_text(const struct plan *p)
{
	const struct plan_step *st;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < p->nsteps; i++) {
		st = &p->steps[i];
		if (st->start == PLAN_NO_DAY)
			buf_printf(&b, "%2d  %-23s  %s%s\n", st->n, "-", st->def->title,
			    fix_mark(st->fix));
		else
			buf_printf(&b, "%2d  %s - %s  %s%s\n", st->n, dmy(st->start).s,
			    dmy(st->end).s, st->def->title, fix_mark(st->fix));
		if (planner_has_products(st))
			product_text(&b, st);
	}
	for (i = 0; i < p->nwarnings; i++)
		buf_printf(&b, "warning: %s\n", p->warnings[i]);
	for (i = 0; i < p->nproblems; i++)
		buf_printf(&b, "problem: %s\n", p->problems[i]);
	if (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return buf_steal(&b, NULL);
}

bool
planner_odd_day(const struct workcal *wc, int day, char *buf, size_t len)
{
	const char *why = workcal_reason(wc, day), *brk = workcal_break_at(wc, day);
	const char *holiday = holiday_name(workcal_land(wc), day);
	int wd = civil_weekday(day), from, to;
	struct buf b;

	if (why == NULL && brk == NULL)
		return false;
	/* Pieces of one phrase; translated each, so a language can give them
	 * the case its "falls on" needs. */
	buf_init(&b);
	if (wd >= 5)
		buf_add_str(&b, wd == 5 ? _("a Saturday") : _("a Sunday"));
	if (holiday != NULL)
		buf_printf(&b, _("%sa public holiday (%s)"), b.len ? _(" and ") : "", holiday);
	else if (why != NULL && wd < 5)
		buf_printf(&b, _("%sa local day off (%s)"), b.len ? _(" and ") : "", why);
	if (brk != NULL) {
		break_extent(wc, day, &from, &to);
		buf_printf(&b, _("%sin the session-free period \"%s\" (%s to %s)"), b.len ?
		    _(" and ") : "", brk, said(from).s, said(to).s);
	}
	snprintf(buf, len, "%s", b.data);
	buf_free(&b);
	return true;
}
