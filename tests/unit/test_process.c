/*
 * test_process: the backward planner on a hand-made Kreis calendar (no
 * daemon, no store) and the expansion of evaluation dates with the roll
 * off weekends and holidays.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "process.h"
#include "workcal.h"

static struct workcal *wc;
static struct process_config pc = {
	.topic_weeks = 2, .backing_weeks = 2, .planning_weeks = 3, .decision_lead_weeks = 2,
	.workshop_weeks = 6, .drafting_weeks = 12, .alignment_weeks = 3, .feedback_weeks = 4,
	.publicity_weeks = 8, .evaluation_first_months = 12, .evaluation_rrule = "FREQ=YEARLY",
	.evaluation_roll = RULE_LATER,
};

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

static int
setup(void **state)
{
	(void)state;
	if ((wc = workcal_new("NI", NULL)) == NULL)
		return -1;
	return workcal_add_break(wc, day("2027-07-01"), day("2027-08-31"), "Sommerpause", NULL);
}

static int
teardown(void **state)
{
	(void)state;
	workcal_free(wc);
	return 0;
}

/* id, committee, kind, date; Vorlagenfristen 21 days before (none of them
 * fall on a non-working day in this calendar). */
static struct plan_session cal[] = {
	{ 1, 1, "ia", "Integrationsausschuss", "fachausschuss", 0, 1020, false, 0, 0 },
	{ 2, 1, "ia", "Integrationsausschuss", "fachausschuss", 0, 1020, false, 0, 0 },
	{ 3, 1, "ia", "Integrationsausschuss", "fachausschuss", 0, 1020, false, 0, 0 },
	{ 4, 4, "beirat", "Integrationsbeirat", "integrationsbeirat", 0, 960, false, 0, 0 },
	{ 5, 1, "ia", "Integrationsausschuss", "fachausschuss", 0, 1020, false, 0, 0 },
	{ 6, 2, "ka", "Kreisausschuss", "kreisausschuss", 0, 840, false, 0, 0 },
	{ 7, 3, "kt", "Kreistag", "kreistag", 0, 1080, false, 0, 0 },
};
static const char *const cal_days[] = {
	"2027-03-16", "2027-04-13", "2027-05-11", "2027-12-01", "2027-12-07", "2027-12-13",
	"2027-12-16",
};

static void
fill_calendar(struct plan_input *in)
{
	size_t i;

	for (i = 0; i < sizeof(cal) / sizeof(cal[0]); i++) {
		cal[i].day = day(cal_days[i]);
		cal[i].beschluss_due = cal[i].verwaltung_due = cal[i].day - 21;
		cal[i].cancelled = false;
	}
	memset(in, 0, sizeof(*in));
	in->sessions = cal;
	in->nsessions = sizeof(cal) / sizeof(cal[0]);
	in->target_id = 7;
	in->has_beirat = true;
	in->today = day("2027-01-04");
	in->pc = &pc;
	in->wc = wc;
}

static void
test_feasible(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	fill_calendar(&in);
	assert_int_equal(process_plan(&in, &p), 0);
	assert_int_equal(p.nproblems, 0);
	assert_int_equal(p.nlinks, 5);
	assert_string_equal(p.links[0].role, "integrationsbeirat");
	assert_day(p.steps[9].start, "2027-11-10");
	assert_day(p.window_closes, "2027-10-20");
	assert_day(p.window_opens, "2027-09-22");
	assert_day(p.steps[6].start, "2027-06-30");
	assert_day(p.steps[5].start, "2027-05-19");
	/* Latest Fachausschuss on or before 05.05.: 13.04. */
	assert_int_equal(p.links[4].session->id, 2);
	assert_day(p.steps[4].start, "2027-03-23");
	assert_day(p.steps[2].end, "2027-02-21");
	assert_day(p.first_evaluation, "2028-12-18");
	process_plan_clear(&p);
}

static void
test_cancelled_session_is_skipped(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	fill_calendar(&in);
	cal[1].cancelled = true;	/* 13.04. */
	assert_int_equal(process_plan(&in, &p), 0);
	assert_int_equal(p.links[4].session->id, 1);
	assert_day(p.steps[4].start, "2027-02-23");
	process_plan_clear(&p);
}

static void
test_too_early(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	fill_calendar(&in);
	/* Steps 1-3 end 18.04.; the first start decision possible is 11.05.
	 * (due 20.04.); + 20 weeks: window 28.09.-26.10., + 3 weeks: 16.11.,
	 * 6 days after the chain's first Vorlagenfrist 10.11. */
	in.today = day("2027-03-01");
	assert_int_equal(process_plan(&in, &p), -1);
	assert_int_equal(p.nproblems, 1);
	assert_non_null(strstr(p.problems[0], "is 6 days too early"));
	assert_non_null(strstr(p.problems[0], "session on 2027-05-11"));
	/* Every date of the message is the right one (they once shared a buffer). */
	assert_non_null(strstr(p.problems[0], "starting 2027-03-01"));
	assert_non_null(strstr(p.problems[0], "could be 2027-11-16 at the earliest, "
	    "but it is 2027-11-10"));
	process_plan_clear(&p);
	/* A target that is not among the sessions. */
	in.today = day("2027-05-01");
	in.nsessions = 3;
	assert_int_equal(process_plan(&in, &p), -1);
	assert_non_null(strstr(p.problems[0], "no target session"));
	process_plan_clear(&p);
}

static void
test_missing_chain(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	fill_calendar(&in);
	cal[5].cancelled = true;	/* the only Kreisausschuss */
	assert_int_equal(process_plan(&in, &p), -1);
	assert_non_null(strstr(p.problems[0], "no session of a Kreisausschuss"));
	process_plan_clear(&p);
	fill_calendar(&in);
	cal[3].cancelled = true;	/* the only Beirat session */
	assert_int_equal(process_plan(&in, &p), -1);
	assert_non_null(strstr(p.problems[0], "Integrationsbeirat"));
	process_plan_clear(&p);
	in.has_beirat = false;
	assert_int_equal(process_plan(&in, &p), 0);
	assert_int_equal(p.nlinks, 4);
	assert_day(p.steps[9].start, "2027-11-16");
	process_plan_clear(&p);
}

static void
test_window_in_break(void **state)
{
	struct plan_input in;
	struct plan p;

	(void)state;
	fill_calendar(&in);
	pc.alignment_weeks = 12;	/* closes 18.08., inside the summer break */
	assert_int_equal(process_plan(&in, &p), -1);
	pc.alignment_weeks = 3;
	assert_non_null(strstr(p.problems[0], "Sommerpause"));
	process_plan_clear(&p);
}

static void
assert_occurrences(const char *rrule, const char *start, enum rule_roll roll, size_t max,
    const char *const *want)
{
	struct occurrence *occ;
	size_t i, n;
	char *cause = NULL;

	if (process_occurrences(rrule, day(start), day("2000-01-01"), day("2100-01-01"), roll, wc,
	    &occ, &n, max, &cause) == -1)
		fail_msg("%s: %s", rrule, cause);
	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < n);
		assert_day(occ[i].due, want[i]);
	}
	assert_int_equal(i, n);
	free(occ);
}

static void
test_occurrences(void **state)
{
	static const char *const yearly[] = { "2027-12-27", "2028-12-27", "2029-12-27", NULL };
	static const char *const keep[] = { "2027-12-25", "2028-12-25", NULL };
	static const char *const monthly[] = { "2027-01-29", "2027-04-30", "2027-07-30",
	    "2027-10-29", "2028-01-31", NULL };
	/* Sunday 28.03.2027 is both the DST change and Easter; Easter
	 * Monday rolls to Tuesday. */
	static const char *const weekly[] = { "2027-03-22", "2027-03-30", "2027-04-05", NULL };
	/* No local days off here: Fri 31.12.2027 stays, Sun 31.12.2028 rolls back. */
	static const char *const earlier[] = { "2027-12-31", "2028-12-29", NULL };
	char *cause = NULL;
	struct occurrence *occ;
	size_t n;

	(void)state;
	assert_occurrences("FREQ=YEARLY", "2027-12-25", RULE_LATER, 3, yearly);
	assert_occurrences("FREQ=YEARLY;COUNT=2", "2027-12-25", RULE_KEEP, 10, keep);
	assert_occurrences("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1", "2027-01-31", RULE_EARLIER, 5,
	    monthly);
	assert_occurrences("FREQ=WEEKLY;UNTIL=20270405", "2027-03-22", RULE_LATER, 10, weekly);
	assert_occurrences("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", "2027-12-31", RULE_EARLIER, 2,
	    earlier);
	assert_int_equal(process_occurrences("FREQ=NEVER", day("2027-01-01"), 0, 100000,
	    RULE_LATER, wc, &occ, &n, 10, &cause), -1);
	assert_non_null(strstr(cause, "RRULE"));
	free(cause);
	cause = NULL;
	assert_int_equal(process_rrule_check("FREQ=HOURLY", &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feasible),
		cmocka_unit_test(test_cancelled_session_is_skipped),
		cmocka_unit_test(test_too_early),
		cmocka_unit_test(test_missing_chain),
		cmocka_unit_test(test_window_in_break),
		cmocka_unit_test(test_occurrences),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
