/*
 * test_rule: the rule grammar, its error messages, and the deadline
 * vectors of the research notes for Niedersachsen: working days and
 * roll-back periods counted back from a session, and forward periods
 * under sections 187, 188 and 193 BGB.
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
#include "rule.h"
#include "workcal.h"

static struct workcal *ni;

static int
setup(void **state)
{
	(void)state;
	ni = workcal_new("NI", NULL);
	return ni == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	workcal_free(ni);
	return 0;
}

static void
assert_rule(const char *anchor, const char *rule, const char *want)
{
	struct civil_moment a;
	struct rule_result res;
	char *cause = NULL, got[11];

	if (civil_parse_moment(anchor, &a, &cause) == -1)
		fail_msg("anchor %s: %s", anchor, cause);
	if (rule_parse_and_apply(rule, ni, a, &res, &cause) == -1)
		fail_msg("%s %s: %s", anchor, rule, cause);
	civil_format_date(res.due.days, got);
	if (strcmp(got, want) != 0)
		fail_msg("%s %s: got %s, want %s\n%s", anchor, rule, got, want, res.explanation);
	assert_string_equal(json_string_value(json_object_get(res.derivation, "date")), want);
	rule_result_clear(&res);
}

/* Section 3.4 of the notes: 3, 5, 10 WD before; 14 and 7 days rolled back. */
static void
test_backward_table(void **state)
{
	static const char *const v[][6] = {
		{ "2026-04-07", "2026-03-31", "2026-03-27", "2026-03-20", "2026-03-24", "2026-03-31" },
		{ "2026-04-08", "2026-04-01", "2026-03-30", "2026-03-23", "2026-03-25", "2026-04-01" },
		{ "2026-05-15", "2026-05-11", "2026-05-07", "2026-04-29", "2026-04-30", "2026-05-08" },
		{ "2026-05-26", "2026-05-20", "2026-05-18", "2026-05-08", "2026-05-12", "2026-05-19" },
		{ "2026-06-02", "2026-05-28", "2026-05-26", "2026-05-18", "2026-05-19", "2026-05-26" },
		{ "2026-10-05", "2026-09-30", "2026-09-28", "2026-09-21", "2026-09-21", "2026-09-28" },
		{ "2026-11-03", "2026-10-29", "2026-10-27", "2026-10-20", "2026-10-20", "2026-10-27" },
		{ "2027-01-05", "2026-12-30", "2026-12-28", "2026-12-18", "2026-12-22", "2026-12-29" },
		{ "2027-05-07", "2027-05-03", "2027-04-29", "2027-04-22", "2027-04-23", "2027-04-30" },
		{ "2029-11-01", "2029-10-26", "2029-10-24", "2029-10-17", "2029-10-18", "2029-10-25" },
		{ "2030-04-23", "2030-04-16", "2030-04-12", "2030-04-05", "2030-04-09", "2030-04-16" },
		{ "2025-12-29", "2025-12-22", "2025-12-18", "2025-12-11", "2025-12-15", "2025-12-22" },
		{ "2026-01-02", "2025-12-29", "2025-12-23", "2025-12-16", "2025-12-19", "2025-12-24" },
	};
	static const char *const rules[5] = { "-3wd", "-5wd", "-10wd", "-14d earlier",
	    "-7d earlier" };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (j = 0; j < 5; j++)
			assert_rule(v[i][0], rules[j], v[i][j + 1]);
}

/* Section 3.5 of the notes: forward periods, rolled to the next working day. */
static void
test_forward_table(void **state)
{
	static const char *const v[][4] = {
		{ "2026-10-17", "+2w later", "2026-10-31", "2026-11-02" },
		{ "2026-12-11", "+2w later", "2026-12-25", "2026-12-28" },
		{ "2025-12-11", "+2w later", "2025-12-25", "2025-12-29" },
		{ "2026-03-20", "+2w later", "2026-04-03", "2026-04-07" },
		{ "2026-01-31", "+1m later", "2026-02-28", "2026-03-02" },
		{ "2028-01-31", "+1m later", "2028-02-29", "2028-02-29" },
		{ "2026-03-31", "+1m later", "2026-04-30", "2026-04-30" },
		{ "2026-04-21", "+10d later", "2026-05-01", "2026-05-04" },
		{ "2026-05-04", "+10d later", "2026-05-14", "2026-05-15" },
		{ "2027-09-30", "+1m later", "2027-10-30", "2027-11-01" },
		{ "2029-09-30", "+1m later", "2029-10-30", "2029-10-30" },
		{ "2026-11-30", "+1m later", "2026-12-30", "2026-12-30" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char keep[32];

		assert_rule(v[i][0], v[i][1], v[i][3]);
		/* The raw end, before rolling, is what "keep" gives. */
		snprintf(keep, sizeof(keep), "%.*s keep", (int)(strchr(v[i][1], ' ') - v[i][1]),
		    v[i][1]);
		assert_rule(v[i][0], keep, v[i][2]);
	}
}

/* Section 3.6: reminder send days, calendar offsets without roll. */
static void
test_reminder_offsets(void **state)
{
	(void)state;
	assert_rule("2026-03-31", "-14d", "2026-03-17");
	assert_rule("2026-10-30", "-7d keep", "2026-10-23");
	assert_rule("2026-12-23", "-1d", "2026-12-22");
	assert_rule("2027-01-04", "-1d", "2027-01-03");
	assert_rule("2027-01-04", "-1d earlier", "2026-12-31");
	assert_rule("2027-01-04", "-7d", "2026-12-28");
}

static void
test_edges(void **state)
{
	(void)state;
	assert_rule("2026-04-07", "-0d", "2026-04-07");
	assert_rule("2026-04-04", "-0d earlier", "2026-04-02");
	assert_rule("2026-04-04", "+0wd", "2026-04-07");
	assert_rule("2026-04-04", "-0wd", "2026-04-02");
	assert_rule("2026-04-07", "+0wd", "2026-04-07");
	assert_rule("2026-04-02", "+1wd", "2026-04-07");
	assert_rule("2024-02-29", "+12m", "2025-02-28");
	assert_rule("2024-03-31", "-1m earlier", "2024-02-29");
	assert_rule("2026-12-31", "+1d later", "2027-01-04");
	assert_rule("2026-03-31", "-1m later", "2026-03-02");
	assert_rule("2026-03-31", "-1w", "2026-03-24");
	assert_rule("2026-04-07 18:00", "-3wd at 08:00", "2026-03-31");
}

static void
test_time_and_derivation(void **state)
{
	struct civil_moment a;
	struct rule_result res;
	json_t *d, *sk;

	(void)state;
	assert_int_equal(civil_parse_moment("2026-04-07 18:00", &a, NULL), 0);
	assert_int_equal(rule_parse_and_apply("-3wd at 08:00", ni, a, &res, NULL), 0);
	assert_int_equal(res.due.minute, 8 * 60);
	d = res.derivation;
	assert_string_equal(json_string_value(json_object_get(d, "anchor")), "2026-04-07T18:00");
	assert_string_equal(json_string_value(json_object_get(d, "rule")), "-3wd at 08:00");
	assert_string_equal(json_string_value(json_object_get(d, "time")), "08:00");
	sk = json_object_get(d, "skipped");
	assert_int_equal(json_array_size(sk), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sk, 0), "reason")),
	    "Ostermontag");
	assert_string_equal(json_string_value(json_object_get(json_array_get(sk, 2), "date")),
	    "2026-04-04");
	assert_string_equal(json_string_value(json_object_get(json_array_get(sk, 2), "reason")),
	    "Sa");
	assert_non_null(strstr(res.explanation, "Bezugstag: Di, 07.04.2026 18:00 Uhr"));
	assert_non_null(strstr(res.explanation, "Fr, 03.04.2026 (Karfreitag)"));
	assert_non_null(strstr(res.explanation, "Ergebnis: Di, 31.03.2026 08:00 Uhr"));
	rule_result_clear(&res);

	/* Without "at" the result has no time even if the anchor has one. */
	assert_int_equal(rule_parse_and_apply("-14d earlier", ni, a, &res, NULL), 0);
	assert_int_equal(res.due.minute, CIVIL_NO_TIME);
	assert_null(json_object_get(res.derivation, "time"));
	assert_string_equal(json_string_value(json_object_get(res.derivation, "raw_date")),
	    "2026-03-24");
	assert_string_equal(json_string_value(json_object_get(res.derivation, "roll")),
	    "earlier");
	rule_result_clear(&res);

	assert_int_equal(civil_parse_moment("2026-01-31", &a, NULL), 0);
	assert_int_equal(rule_parse_and_apply("+1m later", ni, a, &res, NULL), 0);
	assert_true(json_is_true(json_object_get(res.derivation, "clamped")));
	assert_non_null(strstr(res.explanation, "188 Abs. 3 BGB"));
	assert_non_null(strstr(res.explanation, "Sa, 28.02.2026 (Samstag)"));
	rule_result_clear(&res);
	rule_result_clear(NULL);
}

static void
test_range(void **state)
{
	struct civil_moment a = { civil_days_from_date(2100, 12, 20), CIVIL_NO_TIME };
	struct rule_result res;
	char *cause = NULL;

	(void)state;
	assert_int_equal(rule_parse_and_apply("+30d", ni, a, &res, &cause), -1);
	assert_non_null(strstr(cause, "2101-01-19"));
	free(cause);
	cause = NULL;
	a.days = civil_days_from_date(1994, 12, 31);
	assert_int_equal(rule_parse_and_apply("+1d", ni, a, &res, &cause), -1);
	free(cause);
	cause = NULL;
	a.days = civil_days_from_date(1995, 1, 3);
	assert_int_equal(rule_parse_and_apply("-3wd", ni, a, &res, &cause), -1);
	free(cause);
}

static void
assert_canonical(const char *text, const char *want)
{
	struct rule r, r2;
	char out[RULE_TEXT_MAX];
	char *cause = NULL;

	if (rule_parse(text, &r, &cause) == -1)
		fail_msg("\"%s\": %s", text, cause);
	rule_format(&r, out);
	assert_string_equal(out, want);
	assert_int_equal(rule_parse(out, &r2, NULL), 0);
	assert_memory_equal(&r, &r2, sizeof(r));
}

static void
test_parse_ok(void **state)
{
	struct rule r;

	(void)state;
	assert_canonical("-3wd", "-3wd");
	assert_canonical("-14d earlier", "-14d earlier");
	assert_canonical("-7d keep", "-7d keep");
	assert_canonical("-7d", "-7d keep");
	assert_canonical("+2w later", "+2w later");
	assert_canonical("+1m later at 12:00", "+1m later at 12:00");
	assert_canonical("  -14d   earlier   at  08:30 ", "-14d earlier at 08:30");
	assert_canonical("- 3 wd", "-3wd");
	assert_canonical("-3wd earlier", "-3wd");
	assert_canonical("+0d at 00:00", "+0d keep at 00:00");
	assert_canonical("-3660d", "-3660d keep");
	assert_canonical("-007d", "-7d keep");
	assert_canonical("+1m at 23:59", "+1m keep at 23:59");
	assert_int_equal(rule_parse("-2w later", &r, NULL), 0);
	assert_int_equal(r.sign, -1);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.unit, RULE_WEEKS);
	assert_int_equal(r.roll, RULE_LATER);
	assert_int_equal(r.minute, CIVIL_NO_TIME);
}

static void
assert_parse_error(const char *text, const char *fragment)
{
	struct rule r;
	char *cause = NULL;

	assert_int_equal(rule_parse(text, &r, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, fragment) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, cause, fragment);
	free(cause);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	assert_parse_error("", "empty rule");
	assert_parse_error("   ", "empty rule");
	assert_parse_error("3wd", "must start with + or -, not \"3wd\"");
	assert_parse_error("-wd", "expected a number");
	assert_parse_error("-3", "unknown unit \"\"");
	assert_parse_error("-3x", "unknown unit \"x\": expected d (days), wd");
	assert_parse_error("-3D", "unknown unit \"D\"");
	assert_parse_error("-3days", "unknown unit \"days\"");
	assert_parse_error("-3wd,", "unknown unit \"wd,\"");
	assert_parse_error("-3661d", "too large (at most 3660)");
	assert_parse_error("-99999999999999999999d", "too large");
	assert_parse_error("-14d Earlier", "unknown word \"Earlier\": expected earlier, later, keep");
	assert_parse_error("-14d sooner", "\"sooner\"");
	assert_parse_error("-14d earlier later", "unexpected \"later\"");
	assert_parse_error("-14d at", "\"at\" needs a time");
	assert_parse_error("-14d at 8:00", "\"8:00\"");
	assert_parse_error("-14d at 24:00", "hours must be 00-23");
	assert_parse_error("-14d at 08:00 earlier", "unexpected \"earlier\" after the time");
	assert_parse_error("-14d at 08:00 at 09:00", "after the time");
	assert_parse_error("+1m later at 12:00 x", "\"x\"");
	assert_parse_error(NULL, "empty rule");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backward_table),
		cmocka_unit_test(test_forward_table),
		cmocka_unit_test(test_reminder_offsets),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_time_and_derivation),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
