/*
 * test_process: the expansion of evaluation dates (process_recur.c) with
 * the roll off weekends and holidays, and the horizon that keeps an
 * endless series finite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "config.h"
#include "process.h"
#include "workcal.h"

static struct workcal *wc;
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

/* RFC 5545 drops the dates a month or year lacks; the admin is told when a
 * series would lose some, and only then. */
static void
test_skipped_days(void **state)
{
	char *cause = NULL;
	struct occurrence *occ;
	size_t n;

	(void)state;
	assert_int_equal(process_rrule_skip_day("FREQ=MONTHLY;INTERVAL=3", day("2027-03-31")), 31);
	/* The dates really go missing: 31.03., then 31.12. */
	assert_int_equal(process_occurrences("FREQ=MONTHLY;INTERVAL=3", day("2027-03-31"),
	    day("2027-01-01"), day("2027-12-31"), RULE_KEEP, wc, &occ, &n, 10, &cause), 0);
	assert_int_equal(n, 2);
	assert_day(occ[1].nominal, "2027-12-31");
	free(occ);
	assert_int_equal(process_rrule_skip_day("FREQ=MONTHLY", day("2027-01-29")), 29);
	assert_int_equal(process_rrule_skip_day("FREQ=MONTHLY", day("2027-01-28")), 0);
	assert_int_equal(process_rrule_skip_day("FREQ=MONTHLY;BYMONTHDAY=-1",
	    day("2027-03-31")), 0);
	assert_int_equal(process_rrule_skip_day("FREQ=MONTHLY;BYDAY=-1FR", day("2027-03-31")), 0);
	assert_int_equal(process_rrule_skip_day("FREQ=YEARLY", day("2028-02-29")), 29);
	assert_int_equal(process_rrule_skip_day("FREQ=YEARLY", day("2027-12-31")), 0);
	assert_int_equal(process_rrule_skip_day("FREQ=YEARLY;BYMONTH=2", day("2028-02-29")), 0);
	assert_int_equal(process_rrule_skip_day("FREQ=WEEKLY", day("2027-03-31")), 0);
	assert_int_equal(process_rrule_skip_day("FREQ=NEVER", day("2027-03-31")), 0);
}

static void
test_horizon(void **state)
{
	struct config *cfg;
	struct occurrence *occ;
	char *errors = NULL, *cause = NULL;
	size_t n;
	int today = day("2027-06-15");

	(void)state;
	if ((cfg = config_load(NULL, &errors)) == NULL)
		fail_msg("%s", errors);
	/* Three years by default: from today, or from a later first day. */
	assert_day(process_series_end(cfg, today, day("1970-01-01")), "2030-06-15");
	assert_day(process_series_end(cfg, today, day("2031-02-01")), "2034-02-01");
	/* An endless yearly series from 2027-12-25 has three dates up to then. */
	assert_int_equal(process_occurrences("FREQ=YEARLY", day("2027-12-25"), day("1970-01-01"),
	    process_series_end(cfg, today, day("1970-01-01")), RULE_LATER, wc, &occ, &n,
	    PROCESS_MAX_OCCURRENCES, &cause), 0);
	assert_int_equal(n, 3);
	free(occ);
	cfg->process.evaluation_horizon_months = 0;
	cfg->process.evaluation_horizon_days = 700;
	assert_day(process_series_end(cfg, today, 0), "2029-05-15");
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_occurrences),
		cmocka_unit_test(test_skipped_days),
		cmocka_unit_test(test_horizon),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
