/*
 * ics_sample: writes a feed with awkward titles and sessions on both sides
 * of the 2026 DST changes in Europe/Berlin, for ics_parsers.py to read with
 * independent parsers.  "ics_sample" prints the feed; "ics_sample expect"
 * prints, as JSON, what every event must come back as (texts byte for byte,
 * starts and ends as UTC seconds or all-day dates).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "civil.h"
#include "ics.h"

#define NEV	16

struct sample {
	struct ics_event ev[NEV];
	size_t n;
	struct buf longtext, umlauts;
};

/* A Berlin wall-clock time as an instant, exactly as an admin would enter it. */
static time_t
berlin(int y, int mo, int d, int h, int mi)
{
	time_t t;
	char *cause = NULL;

	if (civil_to_utc("Europe/Berlin", civil_days_from_date(y, mo, d), h * 60 + mi, &t,
	    NULL, &cause) == -1) {
		fprintf(stderr, "ics_sample: %s\n", cause);
		exit(1);
	}
	return t;
}

static struct ics_event *
add(struct sample *s, const char *uid, const char *summary)
{
	struct ics_event *e = &s->ev[s->n++];

	memset(e, 0, sizeof(*e));
	e->uid = uid;
	e->summary = summary;
	e->last_modified = 1767225600 + (time_t)s->n * 3600;	/* 2026-01-01 */
	e->sequence = (int)s->n % 3;
	return e;
}

static void
timed(struct ics_event *e, time_t start, time_t end)
{
	e->start = start;
	e->end = end;
}

static void
build(struct sample *s)
{
	struct ics_event *e;
	int i;

	buf_init(&s->longtext);
	for (i = 0; i < 60; i++)
		buf_printf(&s->longtext, "Absatz %d: Maßnahme „Sprachförderung“, Budget 1.000 €; "
		    "Verantwortung: Fachdienst \\ VHS 🎓.\n", i);
	buf_init(&s->umlauts);
	for (i = 0; i < 200; i++)
		buf_add_str(&s->umlauts, i % 7 == 0 ? "€" : i % 5 == 0 ? "😀" : "ä");

	e = add(s, "session-1@ikond.test", "TOP 1: Haushalt, Stellenplan; Anlage \\ 2\r\nZeile 2");
	timed(e, berlin(2026, 3, 26, 18, 0), berlin(2026, 3, 26, 20, 30));
	e->location = "Rathaus, Sitzungssaal 1; Eingang B";
	e->description = "Tagesordnung:\n1. Eröffnung\r\n2. Übergänge Kita → Schule\r3. Verschiedenes";

	e = add(s, "session-2@ikond.test", "Integrationsausschuss – Sitzung nach Umstellung (CEST)");
	timed(e, berlin(2026, 3, 31, 18, 0), berlin(2026, 3, 31, 21, 0));
	e->description = s->longtext.data;

	e = add(s, "session-3@ikond.test", "Nachtsitzung über die Umstellung");
	timed(e, berlin(2026, 3, 29, 1, 30), berlin(2026, 3, 29, 3, 30));

	e = add(s, "session-4@ikond.test", "Erste 02:30 im Oktober");
	timed(e, 1792888200, 1792890000);	/* 2026-10-25 00:30Z and 01:00Z: CEST */

	e = add(s, "session-5@ikond.test", "Zweite 02:30 im Oktober");
	timed(e, 1792891800, 1792893600);	/* 01:30Z and 02:00Z: CET */

	e = add(s, "session-6@ikond.test", "Fachleitungsrunde vor der Umstellung");
	timed(e, berlin(2026, 10, 22, 17, 0), berlin(2026, 10, 22, 18, 30));

	e = add(s, "session-7@ikond.test", "Fachleitungsrunde nach der Umstellung");
	timed(e, berlin(2026, 10, 29, 17, 0), berlin(2026, 10, 29, 18, 30));
	e->categories = "Sitzung, öffentlich";

	e = add(s, "session-8@ikond.test", "Abgesagt: Integrationsbeirat");
	timed(e, berlin(2026, 6, 10, 16, 0), berlin(2026, 6, 10, 18, 0));
	e->status = ICS_CANCELLED;

	e = add(s, "deadline-1@ikond.test", "Vorlagenfrist: Beschlussvorlage Integrationskonzept");
	e->all_day = true;
	e->start_days = civil_days_from_date(2026, 10, 31);
	e->end_days = e->start_days;
	e->transparent = true;
	e->url = "https://ikond.test/fristen/1?x=1,2;y";

	e = add(s, "window-1@ikond.test", "Rückmeldefenster Weihnachten 🎄");
	e->all_day = true;
	e->start_days = civil_days_from_date(2026, 12, 24);
	e->end_days = civil_days_from_date(2026, 12, 27);
	e->status = ICS_TENTATIVE;

	e = add(s, "session-9@ikond.test", s->umlauts.data);
	timed(e, berlin(2027, 1, 14, 9, 0), berlin(2027, 1, 14, 12, 0));
	e->description = "x€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€";

	e = add(s, "session-10@ikond.test", "Ende;Semikolon,Komma\\Backslash:Doppelpunkt\"Zitat\"");
	timed(e, berlin(2026, 7, 1, 10, 0), berlin(2026, 7, 1, 10, 0));
}

/* The text as a reader gets it back: CR LF and CR are line breaks. */
static json_t *
text_json(const char *s)
{
	struct buf b;
	json_t *j;

	if (s == NULL)
		return json_null();
	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		buf_add_char(&b, *s == '\r' ? '\n' : *s);
	}
	j = json_string(b.data ? b.data : "");
	buf_free(&b);
	return j;
}

static void
print_expect(const struct sample *s)
{
	json_t *arr = json_array();
	size_t i;
	char *text, date[11];

	for (i = 0; i < s->n; i++) {
		const struct ics_event *e = &s->ev[i];
		json_t *o = json_object();

		json_object_set_new(o, "uid", json_string(e->uid));
		json_object_set_new(o, "summary", text_json(e->summary));
		json_object_set_new(o, "description", text_json(e->description));
		json_object_set_new(o, "location", text_json(e->location));
		json_object_set_new(o, "status", json_string(e->status == ICS_CANCELLED ?
		    "CANCELLED" : e->status == ICS_TENTATIVE ? "TENTATIVE" : "CONFIRMED"));
		json_object_set_new(o, "all_day", json_boolean(e->all_day));
		if (e->all_day) {
			civil_format_date(e->start_days, date);
			json_object_set_new(o, "start", json_string(date));
			civil_format_date(e->end_days > e->start_days ? e->end_days :
			    e->start_days + 1, date);
			json_object_set_new(o, "end", json_string(date));
		} else {
			json_object_set_new(o, "start", json_integer(e->start));
			json_object_set_new(o, "end", json_integer(e->end));
		}
		json_array_append_new(arr, o);
	}
	text = json_dumps(arr, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	puts(text);
	free(text);
	json_decref(arr);
}

int
main(int argc, char **argv)
{
	struct sample s;
	struct ics_calendar cal = {
		.name = "Fristen – Integrationsausschuss, Sitzungen; Termine",
		.description = "Alle Fristen, Sitzungen und Rückmeldefenster, 2026",
		.timezone = "Europe/Berlin",
		.refresh = "PT1H",
		.alarm_minutes = 30,
	};
	char *text, *cause = NULL;
	size_t len;

	memset(&s, 0, sizeof(s));
	build(&s);
	if (argc > 1 && strcmp(argv[1], "expect") == 0) {
		print_expect(&s);
		buf_free(&s.longtext);
		buf_free(&s.umlauts);
		return 0;
	}
	if ((text = ics_build(&cal, s.ev, s.n, &len, &cause)) == NULL) {
		fprintf(stderr, "ics_sample: %s\n", cause);
		return 1;
	}
	fwrite(text, 1, len, stdout);
	free(text);
	buf_free(&s.longtext);
	buf_free(&s.umlauts);
	return 0;
}
