/*
 * test_ics: the feed writer.  Folding at exactly 75/76 octets and with
 * multi-octet characters at the fold, TEXT escaping (also of X-
 * properties), all-day events, the VTIMEZONE, local times on both sides of
 * the DST changes, byte-stable output, that libical reads it back, and
 * that a build reusing the previous one's events gives the same bytes while
 * copying only events whose UID, SEQUENCE and time are unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libical/ical.h>

#include "buf.h"
#include "civil.h"
#include "ics.h"

static const struct ics_calendar berlin_cal = {
	.name = "Fristen – Integrationsausschuss",
	.timezone = "Europe/Berlin",
	.refresh = "PT1H",
	.alarm_minutes = -1,
};

static time_t
berlin(int y, int mo, int d, int h, int mi)
{
	time_t t;

	assert_int_equal(civil_to_utc("Europe/Berlin", civil_days_from_date(y, mo, d),
	    h * 60 + mi, &t, NULL, NULL), 0);
	return t;
}

static struct ics_event
timed(const char *summary, time_t start, time_t end)
{
	struct ics_event e;

	memset(&e, 0, sizeof(e));
	e.uid = "session-1@ikond.test";
	e.summary = summary;
	e.last_modified = 1767225600;
	e.start = start;
	e.end = end;
	return e;
}

static char *
build(const struct ics_calendar *cal, const struct ics_event *ev, size_t n)
{
	char *cause = NULL, *text;
	size_t len;

	text = ics_build(cal, ev, n, &len, &cause);
	if (text == NULL)
		fail_msg("ics_build: %s", cause);
	assert_int_equal(strlen(text), len);
	return text;
}

/* A build with an index, from prev's text (NULL: from nothing), as one string. */
static char *
reuse(const struct ics_calendar *cal, const struct ics_event *ev, size_t n,
    const struct ics_index *prev, struct ics_index **index, size_t *len)
{
	struct ics_text *t;
	char *cause = NULL;

	t = ics_build_text(cal, ev, n, NULL, NULL, prev, index, &cause);
	if (t == NULL)
		fail_msg("ics_build_text: %s", cause);
	return ics_text_steal(t, len);
}

/* Every physical line: CRLF, at most 75 octets, never starting inside a UTF-8 sequence. */
static void
assert_well_formed(const char *text)
{
	const char *p = text, *eol;

	while (*p != '\0') {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 75);
		assert_null(memchr(p, '\n', (size_t)(eol - p)));
		if (*p == ' ')
			assert_false((p[1] & 0xc0) == 0x80);
		p = eol + 2;
	}
}

/* The logical line starting with prefix, unfolded; NULL if there is none. */
static char *
logical_line(const char *text, const char *prefix)
{
	struct buf b;
	const char *p = text;
	size_t n = strlen(prefix);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, n) == 0) {
			buf_init(&b);
			for (;;) {
				const char *eol = strstr(p, "\r\n");

				buf_add(&b, p, (size_t)(eol - p));
				p = eol + 2;
				if (*p != ' ')
					break;
				p++;
			}
			return buf_steal(&b, NULL);
		}
		p = strstr(p, "\r\n");
		if (p != NULL)
			p += 2;
	}
	return NULL;
}

static void
assert_line(const char *text, const char *prefix, const char *want)
{
	char *got = logical_line(text, prefix);

	if (got == NULL)
		fail_msg("no line %s", prefix);
	assert_string_equal(got, want);
	free(got);
}

static char *
repeat(const char *head, int n, const char *tail)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_add_str(&b, head);
	buf_add_str(&b, tail);
	return buf_steal(&b, NULL);
}

/* The first physical line of the SUMMARY and the one after it. */
static void
assert_fold(const char *summary, const char *first, const char *second)
{
	struct ics_event e = timed(summary, berlin(2026, 5, 5, 18, 0), berlin(2026, 5, 5, 19, 0));
	char *text = build(&berlin_cal, &e, 1), *p, *eol;

	assert_well_formed(text);
	p = strstr(text, "\r\nSUMMARY:") + 2;
	eol = strstr(p, "\r\n");
	assert_int_equal((size_t)(eol - p), strlen(first));
	assert_memory_equal(p, first, strlen(first));
	p = eol + 2;
	eol = strstr(p, "\r\n");
	assert_int_equal((size_t)(eol - p), strlen(second));
	assert_memory_equal(p, second, strlen(second));
	free(text);
}

static void
test_fold_75_76(void **state)
{
	char *a67 = repeat("a", 67, ""), *a68 = repeat("a", 68, "");
	char *line = repeat("SUMMARY:", 1, a67);

	(void)state;
	/* "SUMMARY:" is 8 octets: 67 more make exactly 75, no fold. */
	assert_fold(a67, line, "STATUS:CONFIRMED");
	/* 76 octets: the 76th goes to a continuation line. */
	assert_fold(a68, line, " a");
	free(a67);
	free(a68);
	free(line);
}

static void
test_fold_multibyte(void **state)
{
	static const struct {
		const char *ch;
		int fill;	/* ASCII before it: the character would cross octet 75 */
	} cases[] = { { "ä", 66 }, { "€", 65 }, { "€", 66 }, { "😀", 64 }, { "😀", 66 } };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = repeat("a", cases[i].fill, cases[i].ch);
		char *first = repeat("a", cases[i].fill, "");
		char *want1 = repeat("SUMMARY:", 1, first), *want2 = repeat(" ", 1, cases[i].ch);

		assert_fold(s, want1, want2);
		free(s);
		free(first);
		free(want1);
		free(want2);
	}
	{
		/* A character that ends exactly at octet 75 stays on the line. */
		char *s = repeat("a", 64, "€x"), *first = repeat("SUMMARY:", 1, "");
		char *full = repeat("a", 64, "€"), *want1 = repeat(first, 1, full);

		assert_fold(s, want1, " x");
		free(s);
		free(first);
		free(full);
		free(want1);
	}
}

static void
test_fold_escape(void **state)
{
	/* "\," is not split: 66 a + "," would put the backslash at 75 and the comma at 76. */
	char *s = repeat("a", 66, ","), *first = repeat("a", 66, ""), *want = repeat("SUMMARY:", 1,
	    first);

	(void)state;
	assert_fold(s, want, " \\,");
	free(s);
	free(first);
	free(want);
}

static void
test_escaping(void **state)
{
	struct ics_calendar cal = berlin_cal;
	struct ics_event e = timed("TOP 1: Haushalt, Stellenplan; Anlage \\ 2\r\nZeile 2",
	    berlin(2026, 5, 5, 18, 0), berlin(2026, 5, 5, 19, 0));
	char *text;

	(void)state;
	cal.name = "Gremien, Sitzungen; Fristen";
	cal.description = "a\\b\nc";
	e.location = "Raum 1\rRaum 2\nRaum 3\ttab\x01\x7f";
	e.description = "bad \xff\xc3 utf-8 \xed\xa0\x80";
	e.categories = "Sitzung, öffentlich";
	text = build(&cal, &e, 1);
	assert_well_formed(text);
	assert_line(text, "SUMMARY:", "SUMMARY:TOP 1: Haushalt\\, Stellenplan\\; Anlage \\\\ 2\\nZeile 2");
	assert_line(text, "X-WR-CALNAME:", "X-WR-CALNAME:Gremien\\, Sitzungen\\; Fristen");
	assert_line(text, "NAME:", "NAME:Gremien\\, Sitzungen\\; Fristen");
	assert_line(text, "X-WR-CALDESC:", "X-WR-CALDESC:a\\\\b\\nc");
	assert_line(text, "LOCATION:", "LOCATION:Raum 1\\nRaum 2\\nRaum 3\ttab");
	assert_line(text, "DESCRIPTION:", "DESCRIPTION:bad \xef\xbf\xbd\xef\xbf\xbd utf-8 "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_line(text, "CATEGORIES:", "CATEGORIES:Sitzung\\, öffentlich");
	free(text);
}

static void
test_calendar_head(void **state)
{
	struct ics_event e = timed("x", 1780000000, 1780003600);
	char *text;
	const char *tz;

	(void)state;
	text = build(&berlin_cal, &e, 1);
	assert_true(strncmp(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 37) == 0);
	assert_non_null(strstr(text, "\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"));
	assert_non_null(strstr(text, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
	assert_non_null(strstr(text, "\r\nX-PUBLISHED-TTL:PT1H\r\n"));
	tz = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\n"
	    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
	    "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
	    "END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
	    "TZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	    "END:STANDARD\r\nEND:VTIMEZONE\r\n";
	assert_non_null(strstr(text, tz));
	assert_null(strstr(strstr(text, tz) + 1, "BEGIN:VTIMEZONE"));
	assert_null(strstr(text, "freeassociation"));
	assert_true(strlen(text) > 15 && strcmp(text + strlen(text) - 15, "END:VCALENDAR\r\n") == 0);
	free(text);
}

static void
test_all_day(void **state)
{
	struct ics_event e[2];
	char *text, *p;

	(void)state;
	e[0] = timed("Vorlagenfrist", 0, 0);
	e[0].all_day = true;
	e[0].start_days = e[0].end_days = civil_days_from_date(2026, 10, 31);
	e[0].transparent = true;
	e[1] = e[0];
	e[1].uid = "window-1@ikond.test";
	e[1].start_days = civil_days_from_date(2026, 12, 24);
	e[1].end_days = civil_days_from_date(2026, 12, 27);
	text = build(&berlin_cal, e, 2);
	p = strstr(text, "DTSTART;VALUE=DATE:20261031\r\nDTEND;VALUE=DATE:20261101\r\n");
	assert_non_null(p);
	assert_non_null(strstr(p, "TRANSP:TRANSPARENT\r\n"));
	assert_non_null(strstr(text, "DTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\n"));
	assert_null(strstr(text, "DATE;TZID"));
	assert_null(strstr(text, "TZID=Europe/Berlin;VALUE"));
	free(text);
}

static void
test_dst_local_times(void **state)
{
	struct ics_event e[5];
	char *text;

	(void)state;
	e[0] = timed("vor", berlin(2026, 3, 26, 18, 0), berlin(2026, 3, 26, 20, 30));
	e[1] = timed("nach", berlin(2026, 3, 31, 18, 0), berlin(2026, 3, 31, 21, 0));
	e[2] = timed("über die Lücke", berlin(2026, 3, 29, 1, 30), berlin(2026, 3, 29, 3, 30));
	e[3] = timed("erste 02:30", 1792888200, 1792890000);	/* 2026-10-25 00:30Z, 01:00Z */
	e[4] = timed("Winter", berlin(2026, 10, 29, 17, 0), berlin(2026, 10, 29, 18, 30));
	assert_int_equal(e[0].start, 1774544400);	/* 17:00Z */
	assert_int_equal(e[1].start, 1774972800);	/* 16:00Z */
	text = build(&berlin_cal, e, 5);
	assert_non_null(strstr(text, "DTSTART;TZID=Europe/Berlin:20260326T180000\r\n"
	    "DTEND;TZID=Europe/Berlin:20260326T203000\r\n"));
	assert_non_null(strstr(text, "DTSTART;TZID=Europe/Berlin:20260331T180000\r\n"
	    "DTEND;TZID=Europe/Berlin:20260331T210000\r\n"));
	assert_non_null(strstr(text, "DTSTART;TZID=Europe/Berlin:20260329T013000\r\n"
	    "DTEND;TZID=Europe/Berlin:20260329T033000\r\n"));
	/* 01:00Z is the second 02:00 of the night: local text would mean 00:00Z. */
	assert_non_null(strstr(text, "DTSTART:20261025T003000Z\r\nDTEND:20261025T010000Z\r\n"));
	assert_non_null(strstr(text, "DTSTART;TZID=Europe/Berlin:20261029T170000\r\n"));
	free(text);
}

static void
test_other_zones(void **state)
{
	struct ics_calendar cal = berlin_cal;
	struct ics_event e = timed("x", 1783094400, 1783098000);	/* 2026-07-03 16:00Z */
	char *text;

	(void)state;
	cal.timezone = "America/New_York";
	text = build(&cal, &e, 1);
	assert_non_null(strstr(text, "TZID:America/New_York\r\n"));
	assert_non_null(strstr(text, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"));
	assert_non_null(strstr(text, "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"));
	assert_non_null(strstr(text, "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n"));
	assert_non_null(strstr(text, "DTSTART;TZID=America/New_York:20260703T120000\r\n"));
	free(text);
	cal.timezone = "Asia/Tokyo";
	text = build(&cal, &e, 1);
	assert_non_null(strstr(text, "BEGIN:STANDARD\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"));
	assert_null(strstr(text, "DAYLIGHT"));
	assert_non_null(strstr(text, "DTSTART;TZID=Asia/Tokyo:20260704T010000\r\n"));
	free(text);
	/* Before 1971 Berlin had other rules than the VTIMEZONE says: UTC. */
	e.start = 100000;
	e.end = 103600;
	text = build(&berlin_cal, &e, 1);
	assert_non_null(strstr(text, "DTSTART:19700102T034640Z\r\n"));
	free(text);
}

static void
test_status_alarm_stable(void **state)
{
	struct ics_calendar cal = berlin_cal;
	struct ics_event e[2];
	char *a, *b, *p;

	(void)state;
	cal.alarm_minutes = 15;
	e[0] = timed("Sitzung", berlin(2026, 6, 10, 16, 0), berlin(2026, 6, 10, 18, 0));
	e[0].sequence = 3;
	e[1] = e[0];
	e[1].uid = "session-2@ikond.test";
	e[1].status = ICS_CANCELLED;
	a = build(&cal, e, 2);
	b = build(&cal, e, 2);
	assert_string_equal(a, b);
	p = strstr(a, "UID:session-1@ikond.test\r\nSEQUENCE:3\r\nDTSTAMP:20260101T000000Z\r\n"
	    "LAST-MODIFIED:20260101T000000Z\r\n");
	assert_non_null(p);
	assert_non_null(strstr(p, "STATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\nBEGIN:VALARM\r\n"
	    "ACTION:DISPLAY\r\nDESCRIPTION:Sitzung\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"));
	p = strstr(a, "UID:session-2@ikond.test");
	assert_non_null(p);
	assert_non_null(strstr(p, "STATUS:CANCELLED\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\n"));
	free(a);
	free(b);
}

static void
test_errors(void **state)
{
	struct ics_calendar cal = berlin_cal;
	struct ics_event e = timed("x", 1780000000, 1780003600);
	char *cause = NULL;

	(void)state;
	e.uid = NULL;
	assert_null(ics_build(&cal, &e, 1, NULL, &cause));
	assert_string_equal(cause, "event 1 has no UID");
	free(cause);
	e.uid = "u";
	e.end = e.start - 1;
	assert_null(ics_build(&cal, &e, 1, NULL, &cause));
	assert_string_equal(cause, "event 1 (u): ends before it starts");
	free(cause);
	e.end = e.start;
	e.url = "http://x y";
	assert_null(ics_build(&cal, &e, 1, NULL, &cause));
	free(cause);
	e.url = NULL;
	cal.refresh = "P1H";
	assert_null(ics_build(&cal, &e, 1, NULL, &cause));
	free(cause);
	cal.refresh = "P1DT2H30M";
	assert_non_null(cause = ics_build(&cal, &e, 1, NULL, NULL));
	free(cause);
	cal.refresh = "PT1H";
	cal.timezone = "Mars/Olympus";
	assert_null(ics_build(&cal, &e, 1, NULL, &cause));
	assert_string_equal(cause, "unknown time zone \"Mars/Olympus\"");
	free(cause);
}

/* libical reads the feed back: same number of events, same texts, same instants. */
static void
test_libical_reads_it(void **state)
{
	struct ics_event e[3];
	icalcomponent *root, *ve;
	struct icaltimetype t;
	char *text;
	int n = 0;

	(void)state;
	e[0] = timed("TOP 1: Haushalt, Stellenplan; Anlage \\ 2\nZeile 2 ä€😀",
	    berlin(2026, 3, 26, 18, 0), berlin(2026, 3, 26, 20, 0));
	e[1] = timed("Sommer", berlin(2026, 7, 1, 10, 0), berlin(2026, 7, 1, 11, 0));
	e[2] = e[1];
	e[2].summary = NULL;
	text = build(&berlin_cal, e, 3);
	root = icalparser_parse_string(text);
	assert_non_null(root);
	for (ve = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); ve != NULL;
	    ve = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT), n++) {
		assert_null(icalcomponent_get_first_property(ve, ICAL_XLICERROR_PROPERTY));
		if (e[n].summary != NULL)
			assert_string_equal(icalcomponent_get_summary(ve), e[n].summary);
		t = icalcomponent_get_dtstart(ve);
		assert_non_null(t.zone);
		assert_string_equal(icaltimezone_get_tzid((icaltimezone *)t.zone), "Europe/Berlin");
		assert_int_equal(icaltime_as_timet_with_zone(t, t.zone), e[n].start);
	}
	assert_int_equal(n, 3);
	icalcomponent_free(root);
	free(text);
}

static void
test_empty_feed(void **state)
{
	char *text;

	(void)state;
	text = build(&berlin_cal, NULL, 0);
	assert_non_null(strstr(text, "BEGIN:VTIMEZONE"));
	assert_null(strstr(text, "BEGIN:VEVENT"));
	free(text);
}

/* Three sessions on consecutive days, each with its own UID. */
static void
three_sessions(struct ics_event ev[3])
{
	static const char *const uids[3] = {
		"session-1@ikond.test", "session-2@ikond.test", "session-3@ikond.test"
	};
	int i;

	for (i = 0; i < 3; i++) {
		ev[i] = timed("Integrationsausschuss", berlin(2026, 3, 2 + i, 17, 0),
		    berlin(2026, 3, 2 + i, 19, 0));
		ev[i].uid = uids[i];
	}
}

/* Three events, built with an index: a rebuild shares the text of the
 * unchanged ones and writes the rest, the same bytes as a fresh build. */
static void
test_reuse(void **state)
{
	struct ics_calendar cal = berlin_cal;
	struct ics_event ev[3];
	struct ics_index *ix = NULL, *ix2 = NULL;
	char *cause = NULL, *first, *marked, *again, *plain, *p;
	const char *first_part;
	struct ics_text *t;
	bool copied[3];
	size_t len, first_len, part_len;

	(void)state;
	three_sessions(ev);
	first = reuse(&cal, ev, 3, NULL, &ix, &len);
	assert_non_null(first);
	assert_non_null(ix);
	plain = build(&cal, ev, 3);
	assert_string_equal(first, plain);
	free(plain);

	/* What will be copied: everything, then not what changed, then nothing. */
	assert_int_equal(ics_index_copies(ix, &cal, ev, 3, copied), 3);
	ev[2].sequence = 5;
	assert_int_equal(ics_index_copies(ix, &cal, ev, 3, copied), 2);
	assert_true(copied[0] && copied[1] && !copied[2]);
	ev[2].sequence = 0;
	cal.alarm_minutes = 15;
	assert_int_equal(ics_index_copies(ix, &cal, ev, 3, copied), 0);
	cal.alarm_minutes = -1;

	/* Unchanged: the events are not written but shared with the first
	 * text, one part in its block between the head and the end. */
	t = ics_build_text(&cal, ev, 3, NULL, NULL, ix, &ix2, &cause);
	assert_non_null(t);
	first_part = ics_text_part(ics_index_text(ix), 0, &first_len);
	assert_int_equal(ics_text_nparts(t), 3);
	p = (char *)(uintptr_t)ics_text_part(t, 1, &part_len);
	assert_true(p > first_part && p + part_len < first_part + first_len);
	assert_memory_equal(p, strstr(first, "BEGIN:VEVENT"), part_len);
	/* Sent as it is: a mark in the first text shows in the second. */
	marked = strstr(strstr(p, "UID:session-2@"), "SUMMARY:Integrationsausschuss");
	assert_non_null(marked);
	marked[8] = 'X';
	again = ics_text_steal(ics_text_ref(t), &len);
	assert_non_null(strstr(again, "SUMMARY:Xntegrationsausschuss"));
	assert_int_equal(strlen(again), len);
	assert_int_equal(len, ics_text_len(t));
	marked[8] = 'I';
	free(again);
	ics_text_unref(t);
	ics_index_free(ix2);

	/* So is a new modification time (DTSTAMP). */
	ev[1].last_modified += 60;
	again = reuse(&cal, ev, 3, ix, &ix2, &len);
	plain = build(&cal, ev, 3);
	assert_string_equal(again, plain);
	free(again);
	free(plain);
	ics_index_free(ix2);
	ev[1].last_modified -= 60;

	/* A new SEQUENCE is written again; the others are still copied. */
	ev[1].sequence = 1;
	ev[1].summary = "Integrationsausschuss (verlegt)";
	again = reuse(&cal, ev, 3, ix, &ix2, &len);
	plain = build(&cal, ev, 3);
	assert_string_equal(again, plain);
	free(again);
	ics_index_free(ix2);

	/* Another alarm changes every event: nothing is copied. */
	ev[1].sequence = 0;
	ev[1].summary = "Integrationsausschuss";
	cal.alarm_minutes = 30;
	again = reuse(&cal, ev, 3, ix, &ix2, &len);
	free(plain);
	plain = build(&cal, ev, 3);
	assert_string_equal(again, plain);
	assert_null(strstr(again, "SUMMARY:Xntegrationsausschuss"));
	assert_non_null(strstr(again, "BEGIN:VALARM"));
	free(again);
	ics_index_free(ix2);
	free(plain);
	free(first);
	ics_index_free(ix);
}

/* The digest by pieces: the same for the same text however it was built
 * (copied or written), another for another text. */
static void
test_digest(void **state)
{
	struct ics_calendar cal = berlin_cal;
	struct ics_event ev[3], swap;
	struct ics_index *ix = NULL, *ix2 = NULL, *ix3 = NULL;
	unsigned char d1[ICS_DIGEST_LEN], d2[ICS_DIGEST_LEN], d3[ICS_DIGEST_LEN];
	char *first, *again, *fresh;
	size_t len;

	(void)state;
	three_sessions(ev);
	first = reuse(&cal, ev, 3, NULL, &ix, &len);
	assert_non_null(first);
	ics_index_digest(ix, d1);
	again = reuse(&cal, ev, 3, ix, &ix2, &len);
	ics_index_digest(ix2, d2);
	assert_memory_equal(d1, d2, ICS_DIGEST_LEN);
	free(again);
	ics_index_free(ix2);

	/* One event written anew: another digest, the same as a fresh build's. */
	ev[1].sequence = 1;
	ev[1].summary = "Integrationsausschuss (verlegt)";
	again = reuse(&cal, ev, 3, ix, &ix2, &len);
	fresh = reuse(&cal, ev, 3, NULL, &ix3, &len);
	assert_string_equal(again, fresh);
	ics_index_digest(ix2, d2);
	ics_index_digest(ix3, d3);
	assert_memory_not_equal(d1, d2, ICS_DIGEST_LEN);
	assert_memory_equal(d2, d3, ICS_DIGEST_LEN);
	free(again);
	free(fresh);
	ics_index_free(ix2);
	ics_index_free(ix3);

	/* Only the calendar's name differs: another digest too. */
	ev[1].sequence = 0;
	ev[1].summary = "Integrationsausschuss";
	cal.name = "Fristen – Kreistag";
	fresh = reuse(&cal, ev, 3, ix, &ix3, &len);
	ics_index_digest(ix3, d3);
	assert_memory_not_equal(d1, d3, ICS_DIGEST_LEN);
	free(fresh);
	ics_index_free(ix3);
	cal.name = berlin_cal.name;

	/* An event gone and the others copied: a fresh build's digest. */
	again = reuse(&cal, ev + 1, 2, ix, &ix2, &len);
	fresh = reuse(&cal, ev + 1, 2, NULL, &ix3, &len);
	assert_string_equal(again, fresh);
	ics_index_digest(ix2, d2);
	ics_index_digest(ix3, d3);
	assert_memory_equal(d2, d3, ICS_DIGEST_LEN);
	assert_memory_not_equal(d1, d2, ICS_DIGEST_LEN);
	free(fresh);
	ics_index_free(ix3);
	/* And back, copied from that text: the first digest again. */
	fresh = reuse(&cal, ev, 3, ix2, &ix3, &len);
	assert_string_equal(fresh, first);
	ics_index_free(ix3);
	ics_index_free(ix2);
	free(again);
	free(fresh);
	fresh = reuse(&cal, ev, 3, ix, &ix3, &len);
	ics_index_digest(ix3, d3);
	assert_memory_equal(d1, d3, ICS_DIGEST_LEN);
	free(fresh);
	ics_index_free(ix3);

	/* The same events in another order: another digest. */
	swap = ev[0];
	ev[0] = ev[2];
	ev[2] = swap;
	fresh = reuse(&cal, ev, 3, ix, &ix3, &len);
	ics_index_digest(ix3, d3);
	assert_memory_not_equal(d1, d3, ICS_DIGEST_LEN);
	free(fresh);
	ics_index_free(ix3);
	free(first);
	ics_index_free(ix);
}

/*
 * Rebuilds of n events, each changing another one (one rebuild: every
 * second one): every text is the bytes of a fresh build.  Returns the
 * most parts a text had, and in *whole how many were one block again.
 */
static size_t
rebuild_often(size_t n, size_t rounds, size_t *whole)
{
	struct ics_calendar cal = berlin_cal;
	struct ics_event *ev = calloc(n, sizeof(*ev));
	struct ics_index *ix = NULL, *next = NULL;
	struct ics_text *t;
	char (*uids)[48] = calloc(n, sizeof(*uids)), *cause = NULL, *text, *plain;
	size_t i, round, most = 0;

	*whole = 0;
	for (i = 0; i < n; i++) {
		ev[i] = timed("Integrationsausschuss", berlin(2026, 3, 2, 17, 0) + (time_t)i * 3600,
		    berlin(2026, 3, 2, 19, 0) + (time_t)i * 3600);
		snprintf(uids[i], sizeof(uids[i]), "session-%zu@ikond.test", i);
		ev[i].uid = uids[i];
	}
	ics_text_unref(ics_build_text(&cal, ev, n, NULL, NULL, NULL, &ix, &cause));
	for (round = 1; round <= rounds; round++) {
		if (rounds == 1)
			for (i = 0; i < n; i += 2)
				ev[i].sequence++;
		else
			ev[(round * 7) % n].sequence++;
		t = ics_build_text(&cal, ev, n, NULL, NULL, ix, &next, &cause);
		assert_non_null(t);
		if (ics_text_nparts(t) > most)
			most = ics_text_nparts(t);
		*whole += ics_text_nparts(t) == 1;
		if (round % 97 == 0 || round + 10 > rounds) {
			text = ics_text_steal(ics_text_ref(t), NULL);
			plain = build(&cal, ev, n);
			assert_string_equal(text, plain);
			free(text);
			free(plain);
		}
		ics_text_unref(t);
		ics_index_free(ix);
		ix = next;
	}
	ics_index_free(ix);
	free(uids);
	free(ev);
	return most;
}

/*
 * A text keeps few parts and little text it no longer shows: one with
 * too many parts (a long text, many changes), or whose blocks mostly hold
 * what it no longer shows (a short one), is written into one block again,
 * and a build that changes many events stops sharing at 1,024 parts.
 */
static void
test_parts_bounded(void **state)
{
	size_t most, whole;

	(void)state;
	most = rebuild_often(40, 3000, &whole);
	assert_true(most > 2 && most < 100);
	assert_true(whole > 0);
	most = rebuild_often(5000, 1200, &whole);
	assert_true(most > 1000 && most <= 1024 + 1);
	assert_true(whole > 0);
	most = rebuild_often(5000, 1, &whole);
	assert_int_equal(most, 1024 + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_75_76),
		cmocka_unit_test(test_fold_multibyte),
		cmocka_unit_test(test_fold_escape),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_calendar_head),
		cmocka_unit_test(test_all_day),
		cmocka_unit_test(test_dst_local_times),
		cmocka_unit_test(test_other_zones),
		cmocka_unit_test(test_status_alarm_stable),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_libical_reads_it),
		cmocka_unit_test(test_empty_feed),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_parts_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
