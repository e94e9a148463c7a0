/*
 * test_holiday: the Land holiday tables (NI 2024-2030 in full, changes of
 * the law over time, days that are not statewide holidays) and the
 * working-day calendar built on them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "holiday.h"
#include "workcal.h"

static int
D(const char *iso)
{
	int days;

	if (civil_parse_date(iso, &days, NULL) == -1)
		fail_msg("bad test date %s", iso);
	return days;
}

static void
assert_holiday(const char *land, const char *iso, const char *name)
{
	const char *got = holiday_name(land, D(iso));

	if (got == NULL || strcmp(got, name) != 0)
		fail_msg("%s %s: got %s, want %s", land, iso, got ? got : "(none)", name);
}

static void
assert_no_holiday(const char *land, const char *iso)
{
	const char *got = holiday_name(land, D(iso));

	if (got != NULL)
		fail_msg("%s %s: unexpected holiday %s", land, iso, got);
}

/* The table of the research notes: NI 2024-2030, exactly ten a year. */
static void
test_ni_2024_2030(void **state)
{
	static const char *const rows[7][10] = {
		{ "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-01", "2024-05-09",
		  "2024-05-20", "2024-10-03", "2024-10-31", "2024-12-25", "2024-12-26" },
		{ "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29",
		  "2025-06-09", "2025-10-03", "2025-10-31", "2025-12-25", "2025-12-26" },
		{ "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14",
		  "2026-05-25", "2026-10-03", "2026-10-31", "2026-12-25", "2026-12-26" },
		{ "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-01", "2027-05-06",
		  "2027-05-17", "2027-10-03", "2027-10-31", "2027-12-25", "2027-12-26" },
		{ "2028-01-01", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-25",
		  "2028-06-05", "2028-10-03", "2028-10-31", "2028-12-25", "2028-12-26" },
		{ "2029-01-01", "2029-03-30", "2029-04-02", "2029-05-01", "2029-05-10",
		  "2029-05-21", "2029-10-03", "2029-10-31", "2029-12-25", "2029-12-26" },
		{ "2030-01-01", "2030-04-19", "2030-04-22", "2030-05-01", "2030-05-30",
		  "2030-06-10", "2030-10-03", "2030-10-31", "2030-12-25", "2030-12-26" },
	};
	static const char *const names[10] = {
		"Neujahr", "Karfreitag", "Ostermontag", "Tag der Arbeit", "Christi Himmelfahrt",
		"Pfingstmontag", "Tag der Deutschen Einheit", "Reformationstag",
		"1. Weihnachtstag", "2. Weihnachtstag",
	};
	struct holiday list[32];
	char iso[11];
	int y, i, n;

	(void)state;
	for (y = 0; y < 7; y++) {
		n = holiday_list("NI", civil_days_from_date(2024 + y, 1, 1),
		    civil_days_from_date(2024 + y, 12, 31), list, 32, NULL);
		assert_int_equal(n, 10);
		for (i = 0; i < 10; i++) {
			civil_format_date(list[i].days, iso);
			assert_string_equal(iso, rows[y][i]);
			assert_string_equal(list[i].name, names[i]);
		}
	}
}

static void
test_ni_negative(void **state)
{
	(void)state;
	assert_no_holiday("NI", "2026-01-06");
	assert_no_holiday("NI", "2026-06-04");
	assert_no_holiday("NI", "2026-11-18");
	assert_no_holiday("NI", "2026-12-24");
	assert_no_holiday("NI", "2026-12-31");
	assert_no_holiday("NI", "2016-10-31");
	assert_no_holiday("NI", "2026-11-01");
	assert_no_holiday("NI", "2026-04-05");	/* Easter Sunday is just a Sunday in NI */
	assert_holiday("NI", "2017-10-31", "Reformationstag");
	assert_holiday("NI", "2018-10-31", "Reformationstag");
}

static void
test_changes_over_time(void **state)
{
	(void)state;
	/* Reformationstag: the north since 2018, everyone in 2017, the east always. */
	assert_no_holiday("HB", "2017-10-30");
	assert_holiday("HB", "2017-10-31", "Reformationstag");
	assert_no_holiday("HH", "2016-10-31");
	assert_holiday("HH", "2018-10-31", "Reformationstag");
	assert_holiday("SH", "2019-10-31", "Reformationstag");
	assert_holiday("BY", "2017-10-31", "Reformationstag");
	assert_no_holiday("BY", "2018-10-31");
	assert_no_holiday("NW", "2016-10-31");
	assert_holiday("SN", "1995-10-31", "Reformationstag");
	assert_holiday("TH", "2016-10-31", "Reformationstag");
	/* Frauentag: BE since 2019, MV since 2023. */
	assert_no_holiday("BE", "2018-03-08");
	assert_holiday("BE", "2019-03-08", "Internationaler Frauentag");
	assert_no_holiday("MV", "2022-03-08");
	assert_holiday("MV", "2023-03-08", "Internationaler Frauentag");
	assert_no_holiday("BB", "2026-03-08");
	/* Weltkindertag in TH since 2019. */
	assert_no_holiday("TH", "2018-09-20");
	assert_holiday("TH", "2019-09-20", "Weltkindertag");
	/* Berlin's one-offs. */
	assert_holiday("BE", "2020-05-08", "Tag der Befreiung");
	assert_holiday("BE", "2025-05-08", "Tag der Befreiung");
	assert_no_holiday("BE", "2021-05-08");
	assert_no_holiday("BE", "2026-05-08");
	assert_no_holiday("BB", "2025-05-08");
}

static void
test_land_specific(void **state)
{
	(void)state;
	assert_holiday("SN", "2026-11-18", "Buß- und Bettag");
	assert_holiday("SN", "2025-11-19", "Buß- und Bettag");
	assert_holiday("SN", "2023-11-22", "Buß- und Bettag");	/* 23 Nov is a Thursday */
	assert_holiday("SN", "2022-11-16", "Buß- und Bettag");	/* 23 Nov is a Wednesday */
	assert_no_holiday("BY", "2026-11-18");
	assert_holiday("BY", "2026-06-04", "Fronleichnam");
	assert_holiday("HE", "2026-06-04", "Fronleichnam");
	assert_no_holiday("SN", "2026-06-04");
	assert_no_holiday("TH", "2026-06-04");
	assert_holiday("SL", "2026-08-15", "Mariä Himmelfahrt");
	assert_no_holiday("BY", "2026-08-15");	/* only in Catholic municipalities */
	assert_no_holiday("BY", "2026-08-08");	/* Augsburger Friedensfest: Augsburg only */
	assert_holiday("BW", "2026-01-06", "Heilige Drei Könige");
	assert_holiday("ST", "2026-01-06", "Heilige Drei Könige");
	assert_no_holiday("SN", "2026-01-06");
	assert_holiday("RP", "2026-11-01", "Allerheiligen");
	assert_no_holiday("HE", "2026-11-01");
	assert_holiday("BB", "2026-04-05", "Ostersonntag");
	assert_holiday("BB", "2026-05-24", "Pfingstsonntag");
	assert_no_holiday("HE", "2026-04-05");
	assert_holiday("BB", "2026-05-25", "Pfingstmontag");
	/* 2008: Christi Himmelfahrt on 1 May; both are listed. */
	assert_holiday("NW", "2008-05-01", "Tag der Arbeit");
}

static void
test_counts(void **state)
{
	static const struct { const char *land; int n2026; } v[] = {
		{ "BW", 12 }, { "BY", 12 }, { "BE", 10 }, { "BB", 12 }, { "HB", 10 },
		{ "HH", 10 }, { "HE", 10 }, { "MV", 11 }, { "NI", 10 }, { "NW", 11 },
		{ "RP", 11 }, { "SL", 12 }, { "SN", 11 }, { "ST", 11 }, { "SH", 10 },
		{ "TH", 11 },
	};
	struct holiday list[40];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = holiday_list(v[i].land, D("2026-01-01"), D("2026-12-31"), list, 40, NULL);
		if (n != v[i].n2026)
			fail_msg("%s 2026: %d holidays, want %d", v[i].land, n, v[i].n2026);
	}
	/* 2008 lists Tag der Arbeit and Christi Himmelfahrt separately. */
	assert_int_equal(holiday_list("HB", D("2008-01-01"), D("2008-12-31"), list, 40, NULL), 9);
}

static void
test_list_api(void **state)
{
	struct holiday list[4];
	char *cause = NULL;
	int n;

	(void)state;
	/* Truncation keeps the earliest and reports the full count. */
	n = holiday_list("NI", D("2026-01-01"), D("2027-12-31"), list, 4, NULL);
	assert_int_equal(n, 20);
	assert_int_equal(list[0].days, D("2026-01-01"));
	assert_int_equal(list[3].days, D("2026-05-01"));
	n = holiday_list("NI", D("2026-12-25"), D("2027-01-01"), list, 4, NULL);
	assert_int_equal(n, 3);
	assert_int_equal(list[2].days, D("2027-01-01"));
	assert_int_equal(holiday_list("XX", 0, 1, list, 4, &cause), -1);
	assert_non_null(strstr(cause, "\"XX\""));
	assert_non_null(strstr(cause, "NI"));
	free(cause);
	cause = NULL;
	assert_int_equal(holiday_list("NI", D("1994-12-31"), D("1995-01-02"), list, 4, &cause), -1);
	assert_non_null(strstr(cause, "1995"));
	free(cause);
	cause = NULL;
	assert_int_equal(holiday_list("NI", D("2100-12-31"), D("2101-01-01"), list, 4, &cause), -1);
	free(cause);
	assert_true(holiday_land_valid("SH"));
	assert_false(holiday_land_valid("ni"));
	assert_false(holiday_land_valid("N"));
	assert_false(holiday_land_valid(NULL));
	assert_null(holiday_name("NI", D("1994-01-01")));
}

static void
test_workcal(void **state)
{
	struct workcal *wc;
	char *cause = NULL;
	int from, to;

	(void)state;
	assert_null(workcal_new("XY", &cause));
	assert_non_null(strstr(cause, "XY"));
	free(cause);
	cause = NULL;
	wc = workcal_new("NI", NULL);
	assert_non_null(wc);
	assert_string_equal(workcal_land(wc), "NI");
	assert_true(workcal_is_working_day(wc, D("2026-12-24")));
	assert_int_equal(workcal_add_day_off(wc, "12-24", "Heiligabend", NULL), 0);
	assert_int_equal(workcal_add_day_off(wc, "easter-48", "Rosenmontag", NULL), 0);
	assert_int_equal(workcal_add_day_off(wc, "2026-06-05", "Brückentag", NULL), 0);
	assert_int_equal(workcal_add_day_off(wc, "13-01", "x", &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(workcal_add_day_off(wc, "easter*3", "x", &cause), -1);
	assert_non_null(strstr(cause, "easter*3"));
	free(cause);
	cause = NULL;
	assert_int_equal(workcal_add_day_off(wc, "12-31", "", &cause), -1);
	free(cause);
	cause = NULL;

	assert_string_equal(workcal_reason(wc, D("2026-12-24")), "Heiligabend");
	assert_string_equal(workcal_reason(wc, D("2026-02-16")), "Rosenmontag");
	assert_string_equal(workcal_reason(wc, D("2027-02-08")), "Rosenmontag");
	assert_string_equal(workcal_reason(wc, D("2026-06-05")), "Brückentag");
	assert_true(workcal_is_working_day(wc, D("2027-06-04")));
	assert_string_equal(workcal_reason(wc, D("2026-04-04")), "Sa");
	assert_string_equal(workcal_reason(wc, D("2026-04-05")), "So");
	assert_string_equal(workcal_reason(wc, D("2026-10-31")), "Reformationstag");
	assert_null(workcal_reason(wc, D("2026-04-07")));

	/* The working-day table of the notes (3 and 10 WD before). */
	assert_int_equal(workcal_add_working_days(wc, D("2026-04-07"), -3), D("2026-03-31"));
	assert_int_equal(workcal_add_working_days(wc, D("2026-05-15"), -10), D("2026-04-29"));
	assert_int_equal(workcal_add_working_days(wc, D("2026-04-02"), 1), D("2026-04-07"));
	assert_int_equal(workcal_add_working_days(wc, D("2026-04-07"), 0), D("2026-04-07"));

	assert_int_equal(workcal_add_break(wc, D("2026-07-02"), D("2026-08-12"),
	    "Sommerpause", NULL), 0);
	assert_int_equal(workcal_add_break(wc, D("2026-08-12"), D("2026-07-02"), "x", &cause), -1);
	free(cause);
	assert_string_equal(workcal_break_at(wc, D("2026-07-02")), "Sommerpause");
	assert_string_equal(workcal_break_at(wc, D("2026-08-12")), "Sommerpause");
	assert_null(workcal_break_at(wc, D("2026-08-13")));
	assert_string_equal(workcal_break(wc, 0, &from, &to), "Sommerpause");
	assert_int_equal(from, D("2026-07-02"));
	assert_int_equal(to, D("2026-08-12"));
	assert_null(workcal_break(wc, 1, &from, &to));
	assert_true(workcal_is_working_day(wc, D("2026-07-15")));
	workcal_free(wc);
	workcal_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ni_2024_2030),
		cmocka_unit_test(test_ni_negative),
		cmocka_unit_test(test_changes_over_time),
		cmocka_unit_test(test_land_specific),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_list_api),
		cmocka_unit_test(test_workcal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
