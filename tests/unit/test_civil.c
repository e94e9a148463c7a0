/*
 * test_civil: day numbers, weekdays, month arithmetic, Easter, parsing and
 * the RFC 5545 reading of local times around the DST changes of
 * Europe/Berlin.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"

static int
D(const char *iso)
{
	int days;
	char *cause = NULL;

	if (civil_parse_date(iso, &days, &cause) == -1)
		fail_msg("bad test date %s: %s", iso, cause);
	return days;
}

static void
assert_date(int days, const char *iso)
{
	char out[11];

	civil_format_date(days, out);
	assert_string_equal(out, iso);
}

static void
test_day_numbers(void **state)
{
	int y, m, d, days;

	(void)state;
	assert_int_equal(civil_days_from_date(1970, 1, 1), 0);
	assert_int_equal(civil_days_from_date(1969, 12, 31), -1);
	assert_int_equal(civil_days_from_date(2000, 3, 1), 11017);
	assert_int_equal(civil_days_from_date(2026, 3, 29), 20541);
	assert_int_equal(civil_days_from_date(1, 1, 1), -719162);
	/* Round trip over 1600..2500, and consecutive dates are consecutive. */
	for (days = civil_days_from_date(1600, 1, 1); days < civil_days_from_date(2500, 1, 1);
	    days++) {
		civil_date_from_days(days, &y, &m, &d);
		assert_true(civil_date_valid(y, m, d));
		assert_int_equal(civil_days_from_date(y, m, d), days);
	}
	/* Year boundaries and leap days. */
	assert_int_equal(D("2025-01-01") - D("2024-12-31"), 1);
	assert_int_equal(D("2024-03-01") - D("2024-02-28"), 2);
	assert_int_equal(D("2100-03-01") - D("2100-02-28"), 1);
	assert_int_equal(D("2000-03-01") - D("2000-02-28"), 2);
	assert_int_equal(D("2027-01-01") - D("2026-01-01"), 365);
	assert_int_equal(D("2029-01-01") - D("2028-01-01"), 366);
}

static void
test_validity(void **state)
{
	(void)state;
	assert_true(civil_date_valid(2024, 2, 29));
	assert_false(civil_date_valid(2026, 2, 29));
	assert_false(civil_date_valid(1900, 2, 29));
	assert_true(civil_date_valid(2000, 2, 29));
	assert_false(civil_date_valid(2026, 4, 31));
	assert_false(civil_date_valid(2026, 13, 1));
	assert_false(civil_date_valid(2026, 0, 1));
	assert_false(civil_date_valid(2026, 1, 0));
	assert_int_equal(civil_days_in_month(2100, 2), 28);
	assert_int_equal(civil_days_in_month(2400, 2), 29);
	assert_int_equal(civil_days_in_month(2026, 12), 31);
}

/* ISO 8601 weeks belong to the year of their Thursday. */
static void
test_iso_weeks(void)
{
	int year;

	assert_int_equal(civil_iso_week(D("2027-12-22"), &year), 51);
	assert_int_equal(year, 2027);
	assert_int_equal(civil_iso_week(D("2021-01-03"), &year), 53);
	assert_int_equal(year, 2020);
	assert_int_equal(civil_iso_week(D("2026-12-31"), &year), 53);
	assert_int_equal(year, 2026);
	assert_int_equal(civil_iso_week(D("2024-12-30"), &year), 1);
	assert_int_equal(year, 2025);
	assert_int_equal(civil_iso_week(D("2027-01-04"), &year), 1);
	assert_int_equal(year, 2027);
	assert_int_equal(civil_iso_week(D("2027-01-03"), &year), 53);
	assert_int_equal(year, 2026);
}

static void
test_weekday(void **state)
{
	(void)state;
	assert_int_equal(civil_weekday(0), 3);			/* 1970-01-01 Thu */
	assert_int_equal(civil_weekday(-1), 2);
	assert_int_equal(civil_weekday(-4), 6);
	assert_string_equal(civil_weekday_abbrev(D("2026-04-07")), "Di");
	assert_string_equal(civil_weekday_abbrev(D("2026-10-31")), "Sa");
	assert_string_equal(civil_weekday_abbrev(D("2027-10-31")), "So");
	assert_string_equal(civil_weekday_abbrev(D("2028-01-01")), "Sa");
	assert_string_equal(civil_weekday_abbrev(D("2026-01-01")), "Do");
	assert_string_equal(civil_weekday_abbrev(D("2026-11-18")), "Mi");
	assert_string_equal(civil_weekday_abbrev(D("2026-01-02")), "Fr");
	assert_string_equal(civil_weekday_abbrev(D("2026-01-05")), "Mo");
	test_iso_weeks();
	assert_string_equal(civil_weekday_abbrev(D("1600-01-01")), "Sa");
}

static void
test_add_months(void **state)
{
	static const struct { const char *from; int months; const char *to; } v[] = {
		{ "2026-01-31", 1, "2026-02-28" },
		{ "2028-01-31", 1, "2028-02-29" },
		{ "2026-03-31", 1, "2026-04-30" },
		{ "2027-09-30", 1, "2027-10-30" },
		{ "2026-11-30", 1, "2026-12-30" },
		{ "2026-12-31", 2, "2027-02-28" },
		{ "2026-03-31", -1, "2026-02-28" },
		{ "2024-03-31", -1, "2024-02-29" },
		{ "2026-01-15", -1, "2025-12-15" },
		{ "2026-01-31", -13, "2024-12-31" },
		{ "2024-02-29", 12, "2025-02-28" },
		{ "2026-05-31", 0, "2026-05-31" },
		{ "2026-08-31", 120, "2036-08-31" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_date(civil_add_months(D(v[i].from), v[i].months), v[i].to);
}

static void
test_easter(void **state)
{
	static const char *const v[] = {
		"1954-04-18", "1981-04-19", "2049-04-18", "2076-04-19", "2038-04-25",
		"2285-03-22", "2008-03-23", "2011-04-24", "2024-03-31", "2025-04-20",
		"2026-04-05", "2027-03-28", "2028-04-16", "2029-04-01", "2030-04-21",
		"2031-04-13", "2032-03-28", "2033-04-17", "2034-04-09", "2035-03-25",
		"2000-04-23", "1995-04-16", "2100-03-28",
	};
	size_t i;
	int y;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		y = atoi(v[i]);
		assert_date(civil_easter(y), v[i]);
	}
	/* Always a Sunday between 22 March and 25 April. */
	for (y = 1583; y <= 4099; y++) {
		int e = civil_easter(y);

		assert_int_equal(civil_weekday(e), 6);
		assert_true(e >= civil_days_from_date(y, 3, 22));
		assert_true(e <= civil_days_from_date(y, 4, 25));
	}
}

static void
expect_parse_error(const char *text, const char *fragment)
{
	struct civil_moment m;
	char *cause = NULL;

	assert_int_equal(civil_parse_moment(text, &m, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, fragment) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", cause, fragment);
	free(cause);
}

static void
test_parse(void **state)
{
	struct civil_moment m;
	char *cause = NULL;
	int days, minute;

	(void)state;
	assert_int_equal(civil_parse_moment("2026-04-07", &m, NULL), 0);
	assert_int_equal(m.days, D("2026-04-07"));
	assert_int_equal(m.minute, CIVIL_NO_TIME);
	assert_int_equal(civil_parse_moment("2026-04-07 18:00", &m, NULL), 0);
	assert_int_equal(m.minute, 18 * 60);
	assert_int_equal(civil_parse_moment("2026-04-07T08:05", &m, NULL), 0);
	assert_int_equal(m.minute, 8 * 60 + 5);
	assert_int_equal(civil_parse_moment("2026-04-07T23:59:00", &m, NULL), 0);
	assert_int_equal(m.minute, 23 * 60 + 59);
	assert_int_equal(civil_parse_moment("  2026-04-07 00:00 ", &m, NULL), 0);
	assert_int_equal(m.minute, 0);

	expect_parse_error("2026-02-29", "\"2026-02-29\": no such day");
	expect_parse_error("2026-4-7", "\"2026-4-7\"");
	expect_parse_error("07.04.2026", "expected YYYY-MM-DD");
	expect_parse_error("2026-04-07 24:00", "hours must be 00-23");
	expect_parse_error("2026-04-07 18:60", "minutes 00-59");
	expect_parse_error("2026-04-07 18:00:30", "seconds must be 00");
	expect_parse_error("2026-04-07_18:00", "separated");
	expect_parse_error("", "expected YYYY-MM-DD");
	expect_parse_error("2026-04-07 18:00 x", "\"2026-04-07 18:00 x\"");
	expect_parse_error("2026-04-0x", "\"2026-04-0x\"");

	assert_int_equal(civil_parse_date("2026-04-07", &days, NULL), 0);
	assert_int_equal(civil_parse_date("2026-04-07 ", &days, &cause), -1);
	assert_non_null(strstr(cause, "2026-04-07 "));
	free(cause);
	cause = NULL;
	assert_int_equal(civil_parse_time("08:30", &minute, NULL), 0);
	assert_int_equal(minute, 510);
	assert_int_equal(civil_parse_time("8:30", &minute, &cause), -1);
	assert_non_null(strstr(cause, "\"8:30\""));
	free(cause);
	cause = NULL;
	assert_int_equal(civil_parse_time("25:00", &minute, &cause), -1);
	free(cause);
}

static void
test_format(void **state)
{
	(void)state;
	assert_date(0, "1970-01-01");
	assert_date(D("2100-12-31"), "2100-12-31");
	assert_date(D("0001-01-01"), "0001-01-01");
}

static void
test_zone_valid(void **state)
{
	(void)state;
	assert_true(civil_zone_valid("Europe/Berlin"));
	assert_true(civil_zone_valid("UTC"));
	assert_false(civil_zone_valid("Europe/Berlln"));
	assert_false(civil_zone_valid("Mars/Olympus"));
	assert_false(civil_zone_valid("../../etc/passwd"));
	assert_false(civil_zone_valid("/etc/localtime"));
	assert_false(civil_zone_valid("Europe"));
	assert_false(civil_zone_valid(""));
	assert_false(civil_zone_valid(NULL));
	assert_false(civil_zone_valid("Europe/Berlin\n"));
}

/* Seconds since the epoch of a UTC wall time. */
static time_t
U(const char *iso, int h, int min)
{
	return (time_t)D(iso) * 86400 + h * 3600 + min * 60;
}

static void
test_dst_berlin(void **state)
{
	static const struct {
		const char *date;
		int h, m;
		const char *udate;
		int uh, um;
		enum civil_local_kind kind;
	} v[] = {
		{ "2026-03-29", 2, 30, "2026-03-29", 1, 30, CIVIL_LOCAL_GAP },
		{ "2026-03-29", 2, 0, "2026-03-29", 1, 0, CIVIL_LOCAL_GAP },
		{ "2026-03-29", 2, 59, "2026-03-29", 1, 59, CIVIL_LOCAL_GAP },
		{ "2026-03-29", 1, 59, "2026-03-29", 0, 59, CIVIL_LOCAL_NORMAL },
		{ "2026-03-29", 3, 0, "2026-03-29", 1, 0, CIVIL_LOCAL_NORMAL },
		{ "2026-03-29", 3, 30, "2026-03-29", 1, 30, CIVIL_LOCAL_NORMAL },
		{ "2026-10-25", 2, 30, "2026-10-25", 0, 30, CIVIL_LOCAL_FOLD },
		{ "2026-10-25", 2, 0, "2026-10-25", 0, 0, CIVIL_LOCAL_FOLD },
		{ "2026-10-25", 1, 59, "2026-10-24", 23, 59, CIVIL_LOCAL_NORMAL },
		{ "2026-10-25", 3, 0, "2026-10-25", 2, 0, CIVIL_LOCAL_NORMAL },
		{ "2026-03-17", 18, 0, "2026-03-17", 17, 0, CIVIL_LOCAL_NORMAL },
		{ "2026-03-31", 18, 0, "2026-03-31", 16, 0, CIVIL_LOCAL_NORMAL },
		{ "2026-03-24", 8, 0, "2026-03-24", 7, 0, CIVIL_LOCAL_NORMAL },
		{ "2026-03-31", 8, 0, "2026-03-31", 6, 0, CIVIL_LOCAL_NORMAL },
		{ "2026-10-29", 17, 0, "2026-10-29", 16, 0, CIVIL_LOCAL_NORMAL },
		{ "2026-10-22", 17, 0, "2026-10-22", 15, 0, CIVIL_LOCAL_NORMAL },
		{ "2026-12-31", 23, 30, "2026-12-31", 22, 30, CIVIL_LOCAL_NORMAL },
	};
	size_t i;
	time_t t;
	enum civil_local_kind kind;
	char *cause = NULL;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(civil_to_utc("Europe/Berlin", D(v[i].date),
		    v[i].h * 60 + v[i].m, &t, &kind, &cause), 0);
		if (t != U(v[i].udate, v[i].uh, v[i].um))
			fail_msg("%s %02d:%02d: got %lld, want %s %02d:%02dZ", v[i].date, v[i].h,
			    v[i].m, (long long)t, v[i].udate, v[i].uh, v[i].um);
		assert_int_equal(kind, v[i].kind);
	}
	/* Other zones: the cache must switch zone. */
	assert_int_equal(civil_to_utc("America/New_York", D("2026-03-08"), 150, &t, &kind,
	    NULL), 0);
	assert_int_equal(t, U("2026-03-08", 7, 30));
	assert_int_equal(kind, CIVIL_LOCAL_GAP);
	assert_int_equal(civil_to_utc("UTC", D("2026-03-29"), 150, &t, &kind, NULL), 0);
	assert_int_equal(t, U("2026-03-29", 2, 30));
	assert_int_equal(civil_to_utc("Europe/Berlin", D("2026-01-01"), 0, &t, NULL, NULL), 0);
	assert_int_equal(t, U("2025-12-31", 23, 0));
	assert_int_equal(civil_to_utc("Nowhere/City", D("2026-01-01"), 0, &t, NULL, &cause), -1);
	assert_non_null(strstr(cause, "Nowhere/City"));
	free(cause);
}

static void
test_strict(void **state)
{
	time_t t;
	char *cause = NULL;

	(void)state;
	assert_int_equal(civil_to_utc_strict("Europe/Berlin", D("2026-03-29"), 150, &t,
	    &cause), -1);
	assert_string_equal(cause, "2026-03-29 02:30 does not exist in Europe/Berlin "
	    "(clocks jump from 02:00 to 03:00); use 01:59 or 03:00");
	free(cause);
	assert_int_equal(civil_to_utc_strict("Europe/Berlin", D("2026-10-25"), 150, &t,
	    NULL), 0);
	assert_int_equal(t, U("2026-10-25", 0, 30));
	assert_int_equal(civil_to_utc_strict("Europe/Berlin", D("2026-03-29"), 180, &t,
	    NULL), 0);
	assert_int_equal(t, U("2026-03-29", 1, 0));
}

static void
test_from_utc(void **state)
{
	int days, minute, off;
	char iso[26];

	(void)state;
	assert_int_equal(civil_from_utc("Europe/Berlin", U("2026-03-29", 1, 30), &days,
	    &minute, &off), 0);
	assert_date(days, "2026-03-29");
	assert_int_equal(minute, 3 * 60 + 30);
	assert_int_equal(off, 7200);
	assert_int_equal(civil_from_utc("Europe/Berlin", U("2026-10-25", 1, 30), &days,
	    &minute, &off), 0);
	assert_int_equal(minute, 2 * 60 + 30);
	assert_int_equal(off, 3600);
	assert_int_equal(civil_from_utc("Europe/Berlin", U("2026-12-31", 23, 30), &days,
	    &minute, &off), 0);
	assert_date(days, "2027-01-01");
	assert_int_equal(civil_format_iso("Europe/Berlin", U("2026-03-29", 1, 30), iso), 0);
	assert_string_equal(iso, "2026-03-29T03:30:00+02:00");
	assert_int_equal(civil_format_iso("America/New_York", U("2026-01-15", 12, 0), iso), 0);
	assert_string_equal(iso, "2026-01-15T07:00:00-05:00");
	assert_int_equal(civil_format_iso("Bad/Zone", 0, iso), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_numbers),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_add_months),
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_zone_valid),
		cmocka_unit_test(test_dst_berlin),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_from_utc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
