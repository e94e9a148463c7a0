/*
 * test_planner: the pure planner on the shipped process file and a
 * hand-made Kreis calendar in Niedersachsen (no daemon, no store): every
 * date of a feasible plan worked out by hand, early and late schedules,
 * fixed and skipped steps, breaks, and each message that names dates
 * rendered with distinct dates, each checked in its place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "planner.h"
#include "procdef.h"
#include "workcal.h"

static struct workcal *wc, *wc_nobreak;
static struct procdef *def;

static int
day(const char *text)
{
	int d;

	assert_int_equal(civil_parse_date(text, &d, NULL), 0);
	return d;
}

static void
assert_day(int d, const char *want)
{
	char got[11];

	civil_format_date(d, got);
	assert_string_equal(got, want);
}

static const struct plan_step *
planner_step(const struct plan *p, const char *code)
{
	size_t i;

	for (i = 0; i < p->nsteps; i++)
		if (strcmp(p->steps[i].def->code, code) == 0)
			return &p->steps[i];
	fail_msg("the plan has no step %s", code);
	return NULL;
}

static void
assert_step(const struct plan *p, const char *code, const char *start, const char *end)
{
	const struct plan_step *st = planner_step(p, code);

	assert_non_null(st);
	assert_day(st->start, start);
	assert_day(st->end, end);
}

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", text, want);
}

static int
setup(void **state)
{
	char *errors = NULL;

	(void)state;
	if ((wc = workcal_new("NI", NULL)) == NULL || (wc_nobreak = workcal_new("NI",
	    NULL)) == NULL)
		return -1;
	if (workcal_add_break(wc, day("2027-07-01"), day("2027-08-31"), "Sommerpause",
	    NULL) == -1)
		return -1;
	def = procdef_read(IKOND_SOURCE_TEMPLATES "/process/integrationskonzept.conf",
	    "integrationskonzept", &errors);
	if (def == NULL)
		fail_msg("%s", errors);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	workcal_free(wc);
	workcal_free(wc_nobreak);
	procdef_free(def);
	return 0;
}

/* Committees: 1 Integrationsausschuss, 2 Kreisausschuss, 3 Kreistag,
 * 4 Integrationsbeirat.  Vorlagenfristen 21 days before each session. */
#define CAL_MAX	16
static struct plan_session cal[CAL_MAX];
static size_t ncal;

static const char *const names[] = { "", "Integrationsausschuss", "Kreisausschuss",
    "Kreistag", "Integrationsbeirat" };
static const char *const slugs[] = { "", "ia", "ka", "kt", "beirat" };

static struct plan_session *
add(long long id, long long committee, const char *date, int minute)
{
	struct plan_session *s = &cal[ncal++];

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->committee_id = committee;
	s->committee = slugs[committee];
	s->committee_name = names[committee];
	s->day = day(date);
	s->minute = minute;
	s->beschluss_due = s->verwaltung_due = s->day - 21;
	return s;
}

static void
kreis_calendar(void)
{
	ncal = 0;
	add(1, 1, "2027-03-16", 1020);
	add(2, 1, "2027-04-13", 1020);
	add(3, 1, "2027-05-11", 1020);
	add(4, 4, "2027-12-01", 960);
	add(5, 1, "2027-12-07", 1020);
	add(6, 2, "2027-12-13", 840);
	add(7, 3, "2027-12-16", 1080);
}

static struct route_entry route[ROUTE_MAX];
static struct plan_pin pins[PROCDEF_STEPS_MAX];

static void
set_route(const long long *committees, const char *const *roles, size_t n, struct plan_input *in)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&route[i], 0, sizeof(route[i]));
		route[i].committee_id = committees[i];
		route[i].slug = slugs[committees[i]];
		route[i].name = names[committees[i]];
		route[i].kind = "x";
		route[i].role = roles[i];
	}
	in->route = route;
	in->nroute = n;
}

/* The NI Landkreis: Beirat, Fachausschuss, Kreisausschuss, Kreistag. */
static void
fill(struct plan_input *in, const char *today)
{
	static const long long committees[] = { 4, 1, 2, 3 };
	static const char *const roles[] = { "anhoerung", "vorberatung", "vorberatung",
	    "entscheidung" };
	size_t i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < def->nsteps; i++) {
		pins[i].fix = PLAN_FREE;
		pins[i].start = pins[i].end = PLAN_NO_DAY;
	}
	in->def = def;
	in->sessions = cal;
	in->nsessions = ncal;
	set_route(committees, roles, 4, in);
	in->target_id = 7;
	in->pins = pins;
	in->origin = in->today = day(today);
	in->evaluation_roll = RULE_LATER;
	in->wc = wc;
}

static void
test_early(void **state)
{
	static const char *const seed[] = { "thema", "rueckhalt", "planung", "buendnis",
	    "startbeschluss", "workshop", "erarbeitung", "abstimmung", "feedback", "beschluss",
	    "oeffentlichkeit", "evaluation" };
	struct plan_input in;
	const struct plan_step *st;
	struct plan p;
	size_t i;

	(void)state;
	kreis_calendar();
	fill(&in, "2027-01-04");
	assert_int_equal(planner_run(&in, &p), 0);
	assert_int_equal(p.nsteps, 12);
	for (i = 0; i < 12; i++)
		assert_string_equal(p.steps[i].def->code, seed[i]);
	assert_step(&p, "thema", "2027-01-04", "2027-01-17");
	assert_step(&p, "rueckhalt", "2027-01-18", "2027-01-31");
	assert_step(&p, "planung", "2027-02-01", "2027-02-21");
	assert_step(&p, "buendnis", "2027-02-22", "2027-03-21");
	/* The first Fachausschuss whose Vorlagenfrist (23.02.) comes after
	 * step 3: 16.03. */
	assert_step(&p, "startbeschluss", "2027-02-23", "2027-03-16");
	st = planner_step(&p, "startbeschluss");
	assert_int_equal(st->nberatungen, 1);
	assert_int_equal(st->beratungen[0].session->id, 1);
	/* Two weeks after step 4 ends on 21.03. (later than 16.03. + 2 weeks). */
	assert_step(&p, "workshop", "2027-04-05", "2027-05-16");
	assert_day(planner_step(&p, "workshop")->event, "2027-04-05");
	assert_step(&p, "erarbeitung", "2027-05-17", "2027-08-08");
	assert_step(&p, "abstimmung", "2027-08-09", "2027-08-29");
	/* Step 8 ends before step 9 starts.  The window could open Mon 30.08.,
	 * inside the summer break: it opens Wed 01.09. and closes Wed 29.09. */
	assert_step(&p, "feedback", "2027-09-01", "2027-09-29");
	assert_true(planner_step(&p, "abstimmung")->end < planner_step(&p, "feedback")->start);
	assert_string_equal(planner_step(&p, "feedback")->break_name, "Sommerpause");
	/* The route: each the latest session before the next one. */
	st = planner_step(&p, "beschluss");
	assert_int_equal(st->nberatungen, 4);
	assert_int_equal(st->beratungen[0].session->id, 4);
	assert_int_equal(st->beratungen[1].session->id, 5);
	assert_int_equal(st->beratungen[2].session->id, 6);
	assert_int_equal(st->beratungen[3].session->id, 7);
	assert_string_equal(st->beratungen[0].role, "anhoerung");
	assert_step(&p, "beschluss", "2027-11-10", "2027-12-16");
	assert_step(&p, "oeffentlichkeit", "2027-12-17", "2028-02-10");
	/* A year after adoption, Sat 16.12.2028, rolled to Mon 18.12. */
	assert_step(&p, "evaluation", "2027-12-17", "2028-12-18");
	assert_day(planner_step(&p, "evaluation")->nominal, "2028-12-16");
	assert_int_equal(p.nwarnings, 0);
	assert_has(planner_step(&p, "feedback")->note, "Sommerpause");
	planner_clear(&p);
}

static void
test_late(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	kreis_calendar();
	fill(&in, "2027-01-04");
	in.late = true;
	assert_int_equal(planner_run(&in, &p), 0);
	/* The window closes two weeks before the first Vorlagenfrist 10.11.:
	 * Tue 26.10.; it opens four weeks before. */
	assert_step(&p, "feedback", "2027-09-28", "2027-10-26");
	assert_step(&p, "abstimmung", "2027-09-07", "2027-09-27");
	assert_step(&p, "erarbeitung", "2027-06-15", "2027-09-06");
	assert_step(&p, "workshop", "2027-05-04", "2027-06-14");
	/* The latest Fachausschuss at least two weeks before the workshops. */
	assert_step(&p, "startbeschluss", "2027-03-23", "2027-04-13");
	assert_step(&p, "buendnis", "2027-03-23", "2027-04-19");
	assert_step(&p, "planung", "2027-03-02", "2027-03-22");
	assert_step(&p, "thema", "2027-02-02", "2027-02-15");
	assert_step(&p, "beschluss", "2027-11-10", "2027-12-16");
	planner_clear(&p);
}

static void
test_later_target_keeps_start(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	kreis_calendar();
	add(8, 4, "2028-02-23", 960);
	add(9, 1, "2028-03-01", 1020);
	add(10, 2, "2028-03-08", 840);
	add(11, 3, "2028-03-16", 1080);
	fill(&in, "2027-01-04");
	in.target_id = 11;
	assert_int_equal(planner_run(&in, &p), 0);
	/* Only the adoption moves; the start decision and what follows stay. */
	assert_step(&p, "startbeschluss", "2027-02-23", "2027-03-16");
	assert_step(&p, "feedback", "2027-09-01", "2027-09-29");
	assert_step(&p, "beschluss", "2028-02-02", "2028-03-16");
	planner_clear(&p);
	/* A cancelled start-decision session moves the start decision and
	 * what follows it, not the adoption. */
	cal[0].cancelled = true;
	assert_int_equal(planner_run(&in, &p), 0);
	assert_step(&p, "startbeschluss", "2027-03-23", "2027-04-13");
	assert_step(&p, "workshop", "2027-04-28", "2027-06-08");
	assert_step(&p, "beschluss", "2028-02-02", "2028-03-16");
	planner_clear(&p);
}

static void
test_fixed_steps(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	kreis_calendar();
	fill(&in, "2027-01-04");
	/* Step 4 skipped: the workshops follow the start decision alone. */
	pins[3].fix = PLAN_SKIPPED;
	assert_int_equal(planner_run(&in, &p), 0);
	assert_step(&p, "workshop", "2027-03-31", "2027-05-11");
	assert_int_equal(planner_step(&p, "buendnis")->start, PLAN_NO_DAY);
	planner_clear(&p);

	/* Step 6 dated by hand, before step 4 ends: it stays, the steps after
	 * it follow it, and the plan warns. */
	pins[3].fix = PLAN_FREE;
	pins[5].fix = PLAN_BY_HAND;
	pins[5].start = day("2027-03-08");
	pins[5].end = day("2027-04-18");
	assert_int_equal(planner_run(&in, &p), 0);
	assert_step(&p, "workshop", "2027-03-08", "2027-04-18");
	assert_step(&p, "erarbeitung", "2027-04-19", "2027-07-11");
	assert_step(&p, "startbeschluss", "2027-02-23", "2027-03-16");
	assert_int_equal(p.nwarnings, 1);
	assert_has(p.warnings[0], "step 6 (Akteursübergreifende Workshops) is set by hand to "
	    "start 2027-03-08, before step 4 (Die Idee mit Partnern der Bildungs- und "
	    "Integrationsarbeit besprechen) ends on 2027-03-21");
	assert_false(planner_has_products(planner_step(&p, "workshop")));
	planner_clear(&p);

	/* A step that is done keeps its dates, even if they lie in the past. */
	pins[5].fix = PLAN_FREE;
	pins[0].fix = PLAN_DONE;
	pins[0].start = day("2026-11-02");
	pins[0].end = day("2026-11-20");
	assert_int_equal(planner_run(&in, &p), 0);
	assert_step(&p, "thema", "2026-11-02", "2026-11-20");
	/* Step 2 cannot start before the plan begins. */
	assert_step(&p, "rueckhalt", "2027-01-04", "2027-01-17");
	planner_clear(&p);
}

static void
test_too_early(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	kreis_calendar();
	fill(&in, "2027-03-01");
	in.wc = wc_nobreak;
	/* Steps 1-3 end 18.04.; the first Fachausschuss with a Vorlagenfrist
	 * after that is 11.05. (20.04.); workshops 31.05.-11.07., drafting to
	 * 03.10., alignment to 24.10., window 25.10.-22.11., two weeks: 07.12.,
	 * 27 days after the first Vorlagenfrist 10.11. */
	assert_int_equal(planner_run(&in, &p), -1);
	assert_int_equal(p.nproblems, 2);
	assert_string_equal(p.problems[0], "target session 2027-12-16 is 27 days too early: "
	    "planned from 2027-03-01, the earliest start decision is Integrationsausschuss's "
	    "session on 2027-05-11 (Verwaltungsvorlage due 2027-04-20); after it step 9 "
	    "(Rückmeldungen der Beteiligten zum Entwurf) ends 2027-11-22 at the earliest, so "
	    "with 2 weeks after it the route's first Vorlagenfrist could be 2027-12-07 at the "
	    "earliest, but it is 2027-11-10");
	assert_string_equal(p.problems[1], "no later session of Kreistag works either");
	assert_null(p.suggestion);
	planner_clear(&p);

	/* With a later Kreistag and its route, the plan names it. */
	add(8, 4, "2028-02-23", 960);
	add(9, 1, "2028-03-01", 1020);
	add(10, 2, "2028-03-08", 840);
	add(11, 3, "2028-03-16", 1080);
	in.nsessions = ncal;
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[1], "the nearest target session that works is "
	    "Kreistag's on 2028-03-16 (session 11)");
	assert_int_equal(p.suggestion->id, 11);
	planner_clear(&p);
}

static void
test_break_blocks_workshop(void **state)
{
	struct workcal *easter;
	struct plan_input in;
	struct plan p;

	(void)state;
	kreis_calendar();
	fill(&in, "2027-01-04");
	assert_non_null(easter = workcal_new("NI", NULL));
	assert_int_equal(workcal_add_break(easter, day("2027-04-12"), day("2027-05-16"),
	    "Sitzungspause", NULL), 0);
	in.wc = easter;
	/* The workshops could run 05.04.-16.05., in time for the latest end
	 * 14.06., but they would run into the break: 17.05.-27.06. */
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "step 6 (Akteursübergreifende Workshops) would have "
	    "to end by 2027-06-14, but the session-free period \"Sitzungspause\" (2027-04-12 to "
	    "2027-05-16) blocks it: it could start 2027-04-05 at the earliest and would run "
	    "into the break, so it ends 2027-06-27 at the earliest");
	planner_clear(&p);
	workcal_free(easter);

	/* From 01.03. the workshops would miss their latest end 14.06. even
	 * without the summer break: too early, and the break is named. */
	fill(&in, "2027-03-01");
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "target session 2027-12-16 is 120 days too early: "
	    "planned from 2027-03-01, the earliest start decision is Integrationsausschuss's "
	    "session on 2027-05-11 (Verwaltungsvorlage due 2027-04-20); after it step 9 "
	    "(Rückmeldungen der Beteiligten zum Entwurf) ends 2028-02-23 at the earliest, so "
	    "with 2 weeks after it the route's first Vorlagenfrist could be 2028-03-09 at the "
	    "earliest, but it is 2027-11-10 (step 6 moved past the session-free period "
	    "\"Sommerpause\", 2027-07-01 to 2027-08-31)");
	planner_clear(&p);
}

static void
test_break_blocks_window(void **state)
{
	static const long long committees[] = { 1, 3 };
	static const char *const roles[] = { "vorberatung", "entscheidung" };
	struct plan_input in;
	struct plan p;

	(void)state;
	kreis_calendar();
	add(8, 1, "2027-11-03", 1020);
	add(9, 3, "2027-11-11", 1080);
	fill(&in, "2027-01-04");
	set_route(committees, roles, 2, &in);
	in.target_id = 9;
	/* The window could open Mon 30.08., in the break: it opens 01.09. and
	 * closes 29.09.; two weeks later is 14.10., a day after the first
	 * Vorlagenfrist 13.10.  It would have to close by Tue 28.09. */
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "the feedback window (step 9) would have to close by "
	    "2027-09-28, 15 days before the route's first Vorlagenfrist 2027-10-13, but the "
	    "session-free period \"Sommerpause\" (2027-07-01 to 2027-08-31) blocks it: it could "
	    "open 2027-08-30 at the earliest and would run into the break, so it closes "
	    "2027-09-29 at the earliest");
	/* The Kreistag of 16.12. works (its route: Fachausschuss 07.12.). */
	assert_string_equal(p.problems[1], "the nearest target session that works is "
	    "Kreistag's on 2027-12-16 (session 7)");
	planner_clear(&p);
}

static void
test_route_misses(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	kreis_calendar();
	fill(&in, "2027-01-04");
	cal[5].day = day("2027-12-18");	/* the Kreisausschuss after the Kreistag */
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "Kreisausschuss (ka) has no usable session before the "
	    "session of Kreistag on 2027-12-16; its next session, on 2027-12-18, misses it by "
	    "2 days");
	planner_clear(&p);
	cal[5].day = day("2027-12-16");
	cal[5].minute = 1140;		/* the same day, after the Kreistag */
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "Kreisausschuss (ka) has no usable session before the "
	    "session of Kreistag on 2027-12-16; its next session is later that day");
	planner_clear(&p);
	cal[5].cancelled = true;
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "Kreisausschuss (ka) has no usable session before the "
	    "session of Kreistag on 2027-12-16, and none after it");
	planner_clear(&p);
	/* The Beirat misses the Fachausschuss of 07.12. */
	kreis_calendar();
	cal[3].day = day("2027-12-09");
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "Integrationsbeirat (beirat) has no usable session "
	    "before the session of Integrationsausschuss on 2027-12-07; its next session, on "
	    "2027-12-09, misses it by 2 days");
	planner_clear(&p);
}

static void
test_decision_missing(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	kreis_calendar();
	/* Steps 1-3 from 05.07. end 22.08.; no Fachausschuss before the route
	 * begins has a Vorlagenfrist after that. */
	fill(&in, "2027-07-05");
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "no session of Integrationsausschuss before the route "
	    "begins (Integrationsbeirat, 2027-12-01) has a Vorlagenfrist on or after 2027-08-23, "
	    "when the steps before the start decision (step 5) can end; its last session before "
	    "the route is on 2027-05-11 (Verwaltungsvorlage due 2027-04-20)");
	planner_clear(&p);
	/* Without any session of the committee before the route. */
	cal[0].cancelled = cal[1].cancelled = cal[2].cancelled = true;
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "Integrationsausschuss has no session before the route "
	    "begins (Integrationsbeirat, 2027-12-01) for the start decision (step 5)");
	planner_clear(&p);
}

static void
test_target_problems(void **state)
{
	static const long long committees[] = { 1, 2 };
	static const char *const roles[] = { "vorberatung", "entscheidung" };
	struct plan_input in;
	struct plan p;
	size_t i;

	(void)state;
	kreis_calendar();
	fill(&in, "2027-01-04");
	in.target_id = 99;
	assert_int_equal(planner_run(&in, &p), -1);
	assert_has(p.problems[0], "no target session");
	planner_clear(&p);
	in.target_id = 7;
	cal[6].cancelled = true;
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "target session 7 on 2027-12-16 is cancelled");
	planner_clear(&p);
	cal[6].cancelled = false;
	in.today = day("2027-12-20");
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "target session 7 on 2027-12-16 is in the past "
	    "(planning as of 2027-12-20)");
	planner_clear(&p);
	in.today = day("2027-01-04");
	set_route(committees, roles, 2, &in);
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "the route ends with Kreisausschuss, but the target "
	    "session 7 belongs to Kreistag");
	planner_clear(&p);
	/* Steps 1-9 are done, but the first Vorlagenfrist has passed. */
	fill(&in, "2027-11-12");
	for (i = 0; i < 9; i++) {
		pins[i].fix = PLAN_DONE;
		pins[i].start = day("2027-09-01");
		pins[i].end = day("2027-10-01");
	}
	assert_int_equal(planner_run(&in, &p), -1);
	assert_string_equal(p.problems[0], "the route's first Vorlagenfrist 2027-11-10 is before "
	    "2027-11-12, the first day of the plan");
	planner_clear(&p);
}

static void
test_output(void **state)
{
	struct plan_input in;
	struct plan p;
	json_t *j, *steps, *s9, *s10;
	char *text;

	(void)state;
	kreis_calendar();
	fill(&in, "2027-01-04");
	assert_int_equal(planner_run(&in, &p), 0);
	j = planner_json(&p);
	steps = json_object_get(j, "steps");
	assert_int_equal(json_array_size(steps), 12);
	s9 = json_array_get(steps, 8);
	s10 = json_array_get(steps, 9);
	assert_string_equal(json_string_value(json_object_get(s9, "code")), "feedback");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(s9,
	    "products"), 0), "opens")), "2027-09-01");
	/* The Beschlussvorlage names its sessions and roles. */
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(s10,
	    "products"), 0), "beratungen")), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
	    json_array_get(json_object_get(s10, "products"), 0), "beratungen"), 0), "role_de")),
	    "Anhörung");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "window"),
	    "closes")), "2027-09-29");
	assert_int_equal(json_array_size(json_object_get(j, "sessions")), 5);
	json_decref(j);
	text = planner_text(&p);
	/* German text, German dates. */
	assert_has(text, " 9  01.09.2027 - 29.09.2027  Rückmeldungen der Beteiligten zum Entwurf");
	assert_has(text, "Integrationsbeirat (Anhörung): Sitzung 4 am 01.12.2027, "
	    "Beschlussvorlage fällig 10.11.2027");
	assert_null(strstr(text, "2027-"));
	free(text);
	planner_clear(&p);
}

static void
test_odd_days(void **state)
{
	char why[300];

	(void)state;
	assert_false(planner_odd_day(wc, day("2027-03-16"), why, sizeof(why)));
	assert_true(planner_odd_day(wc, day("2027-03-13"), why, sizeof(why)));
	assert_string_equal(why, "a Saturday");
	assert_true(planner_odd_day(wc, day("2027-10-31"), why, sizeof(why)));
	assert_string_equal(why, "a Sunday and a public holiday (Reformationstag)");
	assert_true(planner_odd_day(wc, day("2027-07-14"), why, sizeof(why)));
	assert_string_equal(why, "in the session-free period \"Sommerpause\" (2027-07-01 to "
	    "2027-08-31)");
	assert_int_equal(workcal_add_day_off(wc_nobreak, "12-24", "Heiligabend", NULL), 0);
	assert_true(planner_odd_day(wc_nobreak, day("2027-12-24"), why, sizeof(why)));
	assert_string_equal(why, "a local day off (Heiligabend)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_early),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_later_target_keeps_start),
		cmocka_unit_test(test_fixed_steps),
		cmocka_unit_test(test_too_early),
		cmocka_unit_test(test_break_blocks_workshop),
		cmocka_unit_test(test_break_blocks_window),
		cmocka_unit_test(test_route_misses),
		cmocka_unit_test(test_decision_missing),
		cmocka_unit_test(test_target_problems),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_odd_days),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
