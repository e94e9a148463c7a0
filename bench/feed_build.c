/*
 * feed_build: times ics_build() for a feed of 30,000 events (sessions over
 * four years, with umlauts, commas and long descriptions, every fifth an
 * all-day deadline), best of five runs, beside the same events built and
 * serialised as a libical 3 component tree.  Target: ics_build well under
 * 150 ms.
 *
 *   feed_build [EVENTS]
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "ics.h"

#define RUNS	5

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t
build_libical(const struct ics_event *ev, size_t n)
{
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icaltimezone *tz = icaltimezone_get_builtin_timezone("Europe/Berlin");
	size_t i, len;
	char *text;

	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//bench//DE"));
	icalcomponent_add_component(cal, icalcomponent_new_clone(icaltimezone_get_component(tz)));
	for (i = 0; i < n; i++) {
		icalcomponent *ve = icalcomponent_new(ICAL_VEVENT_COMPONENT);

		icalcomponent_set_uid(ve, ev[i].uid);
		icalcomponent_set_dtstamp(ve, icaltime_from_timet_with_zone(ev[i].last_modified, 0,
		    icaltimezone_get_utc_timezone()));
		icalcomponent_set_dtstart(ve, icaltime_from_timet_with_zone(ev[i].start, 0, tz));
		icalcomponent_set_dtend(ve, icaltime_from_timet_with_zone(ev[i].end, 0, tz));
		icalcomponent_set_summary(ve, ev[i].summary);
		icalcomponent_set_description(ve, ev[i].description);
		icalcomponent_set_location(ve, ev[i].location);
		icalcomponent_add_component(cal, ve);
	}
	text = icalcomponent_as_ical_string_r(cal);
	len = strlen(text);
	free(text);
	icalcomponent_free(cal);
	return len;
}

int
main(int argc, char **argv)
{
	struct ics_calendar cal = { "Fristen – Integrationsausschuss", "Bench, alle Termine",
	    "Europe/Berlin", "PT1H", 30 };
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 30000, i, len = 0, llen = 0;
	struct ics_event *ev = calloc(n, sizeof(*ev));
	char (*uids)[64] = calloc(n, sizeof(*uids)), *text, *cause = NULL;
	double best = 1e9, lbest = 1e9, t0;
	int r;

	if (ev == NULL || uids == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		int day = civil_days_from_date(2025, 1, 1) + (int)(i * 1461 / n);

		snprintf(uids[i], sizeof(uids[i]), "session-%zu@ikond.example", i);
		ev[i].uid = uids[i];
		ev[i].sequence = (int)(i % 4);
		ev[i].last_modified = 1735689600 + (time_t)i * 60;
		ev[i].summary = "Integrationsausschuss: Übergänge Kita → Schule, Sprachförderung; TOP 3";
		ev[i].description = "Beschlussvorlage 2026/017 – Integrationskonzept mit Schwerpunkt "
		    "Bildung.\nBitte Rückmeldungen der Fachdienste, Wohlfahrtsverbände und der VHS "
		    "bis zur Vorlagenfrist einreichen; Budget 12.500 €.";
		ev[i].location = "Rathaus, Großer Sitzungssaal (2. OG)";
		if (i % 5 == 4) {
			ev[i].all_day = true;
			ev[i].start_days = ev[i].end_days = day;
			ev[i].transparent = true;
		}
		civil_to_utc("Europe/Berlin", day, 17 * 60, &ev[i].start, NULL, NULL);
		ev[i].end = ev[i].start + 2 * 3600;
	}
	for (r = 0; r < RUNS; r++) {
		t0 = now_ms();
		if ((text = ics_build(&cal, ev, n, &len, &cause)) == NULL) {
			fprintf(stderr, "feed_build: %s\n", cause);
			return 1;
		}
		if (now_ms() - t0 < best)
			best = now_ms() - t0;
		free(text);
	}
	for (r = 0; r < 2; r++) {
		t0 = now_ms();
		llen = build_libical(ev, n);
		if (now_ms() - t0 < lbest)
			lbest = now_ms() - t0;
	}
	printf("ics_build:          %zu events, %zu bytes, %.1f ms (best of %d)\n", n, len, best,
	    RUNS);
	printf("libical tree (ref): %zu events, %zu bytes, %.1f ms (best of 2)\n", n, llen, lbest);
	free(ev);
	free(uids);
	return best < 150 ? 0 : 1;
}
