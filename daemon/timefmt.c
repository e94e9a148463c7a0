/*
 * timefmt: local time parsing and formatting on top of civil.h.
 */
#include "timefmt.h"

#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "xmalloc.h"

int
timefmt_parse_local(const char *tz, const char *text, time_t *out, char **cause)
{
	struct civil_moment m;

	if (civil_parse_moment(text, &m, cause) == -1)
		return -1;
	if (m.minute == CIVIL_NO_TIME)
		return set_cause(cause, "\"%.40s\" has no time of day; write \"YYYY-MM-DD HH:MM\"",
		    text);
	return civil_to_utc_strict(tz, m.days, m.minute, out, cause);
}

json_t *
timefmt_iso_json(const char *tz, time_t t)
{
	char iso[26];

	if (civil_format_iso(tz, t, iso) == -1)
		return json_null();
	return json_string(iso);
}

void
timefmt_local(const char *tz, time_t t, char out[static 17])
{
	int days = 0, minute = 0, y, m, d;

	civil_from_utc(tz, t, &days, &minute, NULL);
	civil_date_from_days(days, &y, &m, &d);
	/* The ranges are known; the casts tell the compiler so. */
	snprintf(out, 17, "%04u-%02u-%02u %02u:%02u", (unsigned)y % 10000u, (unsigned)m % 13u,
	    (unsigned)d % 32u, (unsigned)(minute / 60) % 24u, (unsigned)(minute % 60) % 60u);
}

int
timefmt_local_day(const char *tz, time_t t)
{
	int days = 0, minute = 0;

	civil_from_utc(tz, t, &days, &minute, NULL);
	return days;
}
