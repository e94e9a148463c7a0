/*
 * test_event: reading the time of an event as typed (a day alone, a day
 * and time, an end on the same or a later day), the mistakes that are
 * refused with their reason.  The German words for when it takes place
 * are german_when()'s (test_german).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "event.h"

#define TZ	"Europe/Berlin"

static int
day(int y, int m, int d)
{
	return civil_days_from_date(y, m, d);
}

static void
parse(const char *start, const char *end, struct event_time *t)
{
	char *cause = NULL;

	if (event_time_parse(TZ, start, end, t, &cause) == -1)
		fail_msg("%s .. %s: %s", start, end ? end : "", cause);
}

static void
refuse(const char *start, const char *end, const char *why)
{
	struct event_time t;
	char *cause = NULL;

	assert_int_equal(event_time_parse(TZ, start, end, &t, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, why) == NULL)
		fail_msg("%s .. %s: \"%s\" lacks \"%s\"", start, end ? end : "", cause, why);
	free(cause);
}

static void
test_parse(void **state)
{
	struct event_time t;

	(void)state;
	parse("2027-05-19", NULL, &t);
	assert_int_equal(t.day, day(2027, 5, 19));
	assert_int_equal(t.end_day, t.day);
	assert_int_equal(t.minute, CIVIL_NO_TIME);
	assert_int_equal(t.end_minute, CIVIL_NO_TIME);
	assert_false(EVENT_TIMED(&t));
	parse("2027-05-19", "2027-05-20", &t);
	assert_int_equal(t.end_day, day(2027, 5, 20));
	parse("2027-05-19 09:30", "16:00", &t);
	assert_true(EVENT_TIMED(&t));
	assert_int_equal(t.minute, 9 * 60 + 30);
	assert_int_equal(t.end_day, t.day);
	assert_int_equal(t.end_minute, 16 * 60);
	parse("2027-05-19T18:00", "2027-05-20 13:00", &t);
	assert_int_equal(t.end_day, day(2027, 5, 20));
	assert_int_equal(t.end_minute, 13 * 60);
	parse("2027-05-19 10:00", NULL, &t);
	assert_int_equal(t.end_minute, CIVIL_NO_TIME);
}

static void
test_refused(void **state)
{
	(void)state;
	refuse("2027-05-19", "12:00", "--start has none");
	refuse("2027-05-19 10:00", "2027-05-20", "needs one too");
	refuse("2027-05-19 10:00", "10:00", "after --start");
	refuse("2027-05-19", "2027-05-18", "after --start");
	refuse("2027-03-28 02:30", NULL, "02:30");
	refuse("2027-02-30", NULL, "no such day");
	refuse("2027-05-19 10:00", "25:00", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
