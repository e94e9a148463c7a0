/*
 * test_ics_import: reading council exports.  Good files in every time
 * form (TZID with the file's VTIMEZONE, IANA and Windows names, UTC,
 * floating, all-day, DURATION), per-event rejections, whole-file errors,
 * hostile input, and a round trip through the feed writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "civil.h"
#include "ics.h"
#include "ics_import.h"

#define HEAD	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ALLRIS//test//DE\r\n"
#define TAIL	"END:VCALENDAR\r\n"
#define BERLIN_TZ \
	"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\n" \
	"TZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" \
	"END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n" \
	"DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" \
	"END:VTIMEZONE\r\n"

static struct ics_import *
parse(const char *text)
{
	char *cause = NULL;
	struct ics_import *imp = ics_import_parse(text, strlen(text), "Europe/Berlin", &cause);

	if (imp == NULL)
		fail_msg("ics_import_parse: %s", cause);
	return imp;
}

static void
assert_file_error(const char *text, size_t len, const char *want)
{
	char *cause = NULL;

	assert_null(ics_import_parse(text, len, "Europe/Berlin", &cause));
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" does not contain \"%s\"", cause, want);
	free(cause);
}

static time_t
utc(int y, int mo, int d, int h, int mi)
{
	return (time_t)civil_days_from_date(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static void
test_good_file(void **state)
{
	struct ics_import *imp;
	const struct ics_session *s;

	(void)state;
	imp = parse("\xef\xbb\xbf" HEAD BERLIN_TZ
	    "BEGIN:VEVENT\r\nUID:allris-1\r\nDTSTART;TZID=Europe/Berlin:20260326T180000\r\n"
	    "DTEND;TZID=Europe/Berlin:20260326T203000\r\nSUMMARY:Integrationsausschuss\\, "
	    "öffentliche Sitzung\\; TOP 1\\n\r\n  Haushalt \\\\ Anlage\r\nLOCATION:Rathaus\r\n"
	    "DESCRIPTION:Zeile 1\\nZeile 2\r\nSEQUENCE:2\r\n"
	    "URL:https://ris.example/si0057.asp?__ksinr=1\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:allris-2\r\nDTSTART:20261025T013000Z\r\nDURATION:PT1H30M\r\n"
	    "SUMMARY:UTC\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:allris-3\r\nDTSTART:20260331T180000\r\nDTEND:20260331T190000\r\n"
	    "STATUS:CANCELLED\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:allris-4\r\nDTSTART;VALUE=DATE:20261224\r\n"
	    "DTEND;VALUE=DATE:20261227\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:allris-5\r\nDTSTART;VALUE=DATE:20261031\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:allris-6\r\nDTSTART;TZID=/freeassociation.sourceforge.net/"
	    "Europe/Berlin:20261029T170000\r\nDURATION:P1D\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:allris-7\r\nDTSTART;TZID=\"W. Europe Standard Time\":"
	    "20260329T023000\r\nEND:VEVENT\r\n" TAIL);
	assert_int_equal(imp->nrejections, 0);
	assert_int_equal(imp->nsessions, 7);
	s = &imp->sessions[0];
	assert_string_equal(s->uid, "allris-1");
	assert_string_equal(s->summary,
	    "Integrationsausschuss, öffentliche Sitzung; TOP 1\n Haushalt \\ Anlage");
	assert_string_equal(s->location, "Rathaus");
	assert_string_equal(s->description, "Zeile 1\nZeile 2");
	assert_string_equal(s->url, "https://ris.example/si0057.asp?__ksinr=1");
	assert_int_equal(s->sequence, 2);
	assert_false(s->all_day);
	assert_false(s->cancelled);
	assert_int_equal(s->start, utc(2026, 3, 26, 17, 0));
	assert_int_equal(s->end, utc(2026, 3, 26, 19, 30));
	s = &imp->sessions[1];
	assert_int_equal(s->start, utc(2026, 10, 25, 1, 30));
	assert_int_equal(s->end, utc(2026, 10, 25, 3, 0));
	s = &imp->sessions[2];	/* floating: read in Europe/Berlin, CEST */
	assert_int_equal(s->start, utc(2026, 3, 31, 16, 0));
	assert_true(s->cancelled);
	assert_null(s->summary);
	assert_null(s->url);
	s = &imp->sessions[3];
	assert_true(s->all_day);
	assert_int_equal(s->start_days, civil_days_from_date(2026, 12, 24));
	assert_int_equal(s->end_days, civil_days_from_date(2026, 12, 27));
	assert_int_equal(s->start, utc(2026, 12, 23, 23, 0));
	s = &imp->sessions[4];
	assert_int_equal(s->end_days, s->start_days + 1);
	s = &imp->sessions[5];	/* P1D is a calendar day: 17:00 local the next day */
	assert_int_equal(s->start, utc(2026, 10, 29, 16, 0));
	assert_int_equal(s->end, utc(2026, 10, 30, 16, 0));
	s = &imp->sessions[6];	/* in the gap: the offset before it, RFC 5545 3.3.5 */
	assert_int_equal(s->start, utc(2026, 3, 29, 1, 30));
	ics_import_free(imp);
}

static void
test_method_cancel_and_custom_zone(void **state)
{
	struct ics_import *imp;

	(void)state;
	imp = parse(HEAD "METHOD:CANCEL\r\n"
	    "BEGIN:VTIMEZONE\r\nTZID:Rathauszeit\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\n"
	    "TZOFFSETTO:+0300\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
	    "BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Rathauszeit:20260601T120000\r\nEND:VEVENT\r\n"
	    TAIL);
	assert_int_equal(imp->nsessions, 1);
	assert_true(imp->sessions[0].cancelled);
	assert_int_equal(imp->sessions[0].start, utc(2026, 6, 1, 9, 0));
	ics_import_free(imp);
}

static void
test_rejections(void **state)
{
	static const char *const reasons[] = {
		"no UID",
		"no DTSTART",
		"DTEND is before DTSTART",
		"DTSTART is not a valid date",
		"names a TZID",
		"repeating events",
		"DTSTART and DTEND differ",
		"years 1970-2200",
		"UID appears more than once",
		"longer than a year",
		"UID is longer",
	};
	struct ics_import *imp;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b);
	buf_add_str(&b, HEAD
	    "BEGIN:VEVENT\r\nDTSTART:20260601T120000Z\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:ohne Beginn\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260601T120000Z\r\nDTEND:20260601T110000Z\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:c\r\nDTSTART:2026-13-45\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;TZID=Nirgendwo:20260601T120000\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:e\r\nDTSTART:20260601T120000Z\r\nRRULE:FREQ=WEEKLY\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:f\r\nDTSTART;VALUE=DATE:20260601\r\nDTEND:20260602T100000Z\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:g\r\nDTSTART:18000101T120000Z\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20260601T120000Z\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20260602T120000Z\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:h\r\nDTSTART:20260601T120000Z\r\nDURATION:P400D\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:");
	for (i = 0; i < 300; i++)
		buf_add_char(&b, 'u');
	buf_add_str(&b, "\r\nDTSTART:20260601T120000Z\r\nEND:VEVENT\r\n" TAIL);
	imp = parse(b.data);
	assert_int_equal(imp->nsessions, 1);
	assert_string_equal(imp->sessions[0].uid, "ok");
	assert_int_equal(imp->sessions[0].start, utc(2026, 6, 1, 12, 0));
	assert_int_equal(imp->nrejections, sizeof(reasons) / sizeof(reasons[0]));
	for (i = 0; i < imp->nrejections; i++) {
		if (strstr(imp->rejections[i].reason, reasons[i]) == NULL)
			fail_msg("rejection %zu: \"%s\", expected \"%s\"", i,
			    imp->rejections[i].reason, reasons[i]);
	}
	assert_int_equal(imp->rejections[0].event, 1);
	assert_null(imp->rejections[0].uid);
	assert_string_equal(imp->rejections[1].uid, "a");
	assert_int_equal(imp->rejections[8].event, 10);
	ics_import_free(imp);
	buf_free(&b);
}

static void
test_file_errors(void **state)
{
	struct buf b;
	char *big;
	size_t i;

	(void)state;
	assert_file_error("", 0, "empty");
	assert_file_error("\r\n\r\n", 4, "empty");
	assert_file_error("Hallo Welt", 10, "does not start with BEGIN:VCALENDAR");
	assert_file_error("<html><body>404</body></html>", 29, "not an iCalendar file");
	assert_file_error("BEGIN:VCALENDAR\0x", 17, "NUL");
	assert_file_error("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 26, "BEGIN:VCALENDAR");
	big = calloc(1, ICS_IMPORT_MAX_BYTES + 1);
	assert_non_null(big);
	assert_file_error(big, ICS_IMPORT_MAX_BYTES + 1, "more than");
	free(big);

	buf_init(&b);
	buf_add_str(&b, HEAD);
	for (i = 0; i <= ICS_IMPORT_MAX_EVENTS; i++)
		buf_printf(&b, "BEGIN:VEVENT\r\nUID:%zu\r\nDTSTART:20260601T120000Z\r\nEND:VEVENT\r\n", i);
	buf_add_str(&b, TAIL);
	assert_file_error(b.data, b.len, "more than 10000 events");
	buf_reset(&b);
	buf_add_str(&b, HEAD);
	for (i = 0; i < 20; i++)
		buf_add_str(&b, "BEGIN:X\r\n");
	assert_file_error(b.data, b.len, "nested");
	buf_reset(&b);
	buf_add_str(&b, HEAD "SUMMARY:");
	for (i = 0; i < ICS_IMPORT_MAX_LINE / 63 + 2; i++)
		buf_add_str(&b, "\r\n 123456789012345678901234567890123456789012345678901234567890123");
	assert_file_error(b.data, b.len, "longer than");
	buf_free(&b);
	assert_file_error("x", 1, "not an iCalendar file");
	{
		char *cause = NULL;

		assert_null(ics_import_parse(HEAD TAIL, strlen(HEAD TAIL), "Mond/Basis", &cause));
		assert_string_equal(cause, "unknown time zone \"Mond/Basis\"");
		free(cause);
	}
}

static void
test_hostile(void **state)
{
	static const char *const inputs[] = {
		"BEGIN:VCALENDAR",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
		"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nEND:VCALENDAR\r\nEND:X\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=:\r\nEND:VEVENT\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:99999999T999999\r\n"
		    "DURATION:P99999999W\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T000000Z\r\n"
		    "DURATION:-PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\n;;;:::\r\n\r\n \r\n\t\r\nBEGIN:VEVENT\r\nUID;X=\"\r\n",
		"BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:A\nBEGIN:STANDARD\nDTSTART:20260101T000000\n"
		    "RRULE:FREQ=SECONDLY\nTZOFFSETFROM:+9999\nTZOFFSETTO:-9999\nEND:STANDARD\n"
		    "END:VTIMEZONE\nBEGIN:VEVENT\nUID:x\nDTSTART;TZID=A:20300101T000000\n"
		    "END:VEVENT\nEND:VCALENDAR\n",
		"begin:vcalendar\r\nbegin:vevent\r\nuid:klein\r\ndtstart:20260101T100000Z\r\n"
		    "summary:\xff\xfe\x01\x02 ok\r\nend:vevent\r\nend:vcalendar\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char *cause = NULL;
		struct ics_import *imp = ics_import_parse(inputs[i], strlen(inputs[i]),
		    "Europe/Berlin", &cause);

		assert_true(imp != NULL || cause != NULL);
		if (i == sizeof(inputs) / sizeof(inputs[0]) - 1) {
			assert_non_null(imp);
			assert_int_equal(imp->nsessions, 1);
			assert_string_equal(imp->sessions[0].summary,
			    "\xef\xbf\xbd\xef\xbf\xbd ok");
		}
		ics_import_free(imp);
		free(cause);
	}
}

static void
test_round_trip(void **state)
{
	struct ics_calendar cal = { "Sitzungen", NULL, "Europe/Berlin", "PT4H", 10 };
	struct ics_event ev[3];
	struct ics_import *imp;
	char *text, *cause = NULL;
	size_t len, i;

	(void)state;
	memset(ev, 0, sizeof(ev));
	ev[0].uid = "session-1@ikond.test";
	ev[0].summary = "TOP 1: Haushalt, Stellenplan; Anlage \\ 2\nZeile 2 ä€😀";
	ev[0].start = utc(2026, 10, 25, 0, 30);
	ev[0].end = utc(2026, 10, 25, 1, 30);
	ev[1].uid = "session-2@ikond.test";
	ev[1].summary = "Sommer";
	ev[1].location = "Saal, 1. OG";
	ev[1].start = utc(2026, 7, 1, 8, 0);
	ev[1].end = utc(2026, 7, 1, 10, 0);
	ev[1].status = ICS_CANCELLED;
	ev[2].uid = "deadline-1@ikond.test";
	ev[2].summary = "Frist";
	ev[2].all_day = true;
	ev[2].start_days = civil_days_from_date(2026, 3, 29);
	text = ics_build(&cal, ev, 3, &len, &cause);
	assert_non_null(text);
	imp = ics_import_parse(text, len, "Europe/Berlin", &cause);
	assert_non_null(imp);
	assert_int_equal(imp->nsessions, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(imp->sessions[i].uid, ev[i].uid);
		assert_string_equal(imp->sessions[i].summary, ev[i].summary);
		if (!ev[i].all_day) {
			assert_int_equal(imp->sessions[i].start, ev[i].start);
			assert_int_equal(imp->sessions[i].end, ev[i].end);
		}
	}
	assert_string_equal(imp->sessions[1].location, "Saal, 1. OG");
	assert_true(imp->sessions[1].cancelled);
	assert_true(imp->sessions[2].all_day);
	assert_int_equal(imp->sessions[2].start_days, ev[2].start_days);
	assert_int_equal(imp->sessions[2].end_days, ev[2].start_days + 1);
	ics_import_free(imp);
	free(text);
	ics_import_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_method_cancel_and_custom_zone),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
