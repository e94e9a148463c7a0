/*
 * duration: parser for ISO 8601 lead times (see duration.h).  Years and
 * months are refused on purpose: "one month before" has no fixed length and
 * belongs in a deadline rule, not in a reminder offset.
 */
#include "duration.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "xmalloc.h"

#define DURATION_MAX_DAYS	3660

int
duration_parse(const char *text, struct duration *out, char **cause)
{
	const char *p = text;
	long n, days = 0, hours = 0, minutes = 0;
	int in_time = 0, seen = 0;
	char unit, last = 0;

	if (text == NULL || *p != 'P')
		return set_cause(cause, "\"%.32s\" is not an ISO 8601 duration "
		    "(examples: P14D, P2W, PT2H, PT30M)", text ? text : "");
	p++;
	while (*p != '\0') {
		if (*p == 'T') {
			if (in_time)
				return set_cause(cause, "duration \"%.32s\": T given twice", text);
			in_time = 1;
			last = 0;
			p++;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			return set_cause(cause, "duration \"%.32s\": number expected at \"%.8s\"",
			    text, p);
		n = 0;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p - '0');
			if (n > 100000)
				return set_cause(cause, "duration \"%.32s\" is too long", text);
			p++;
		}
		unit = *p++;
		if (!in_time && unit == 'W' && last == 0)
			days += 7 * n;
		else if (!in_time && unit == 'D' && (last == 0 || last == 'W'))
			days += n;
		else if (in_time && unit == 'H' && last == 0)
			hours = n;
		else if (in_time && unit == 'M' && (last == 0 || last == 'H'))
			minutes = n;
		else if (!in_time && (unit == 'Y' || unit == 'M'))
			return set_cause(cause, "duration \"%.32s\": years and months have no "
			    "fixed length; use days or weeks", text);
		else
			return set_cause(cause, "duration \"%.32s\": unexpected \"%c\"", text,
			    unit ? unit : ' ');
		last = unit;
		seen = 1;
	}
	if (!seen)
		return set_cause(cause, "duration \"%.32s\" has no value", text);
	minutes += hours * 60;
	days += minutes / 1440;
	minutes %= 1440;
	if (days > DURATION_MAX_DAYS)
		return set_cause(cause, "duration \"%.32s\" is longer than %d days", text,
		    DURATION_MAX_DAYS);
	out->days = (int)days;
	out->minutes = (int)minutes;
	if (minutes == 0)
		snprintf(out->text, sizeof(out->text), "P%ldD", days);
	else if (days == 0)
		snprintf(out->text, sizeof(out->text), minutes % 60 ? "PT%ldM" : "PT%ldH",
		    minutes % 60 ? minutes : minutes / 60);
	else
		snprintf(out->text, sizeof(out->text), minutes % 60 ? "P%ldDT%ldM" : "P%ldDT%ldH",
		    days, minutes % 60 ? minutes : minutes / 60);
	return 0;
}

/* Reads up to 9 digits and one of units; advances *s.  False if there is no number. */
static bool
duration_part(const char **s, const char *units, char *unit)
{
	size_t n = strspn(*s, "0123456789");

	if (n == 0 || n > 9 || (*s)[n] == '\0' || strchr(units, (*s)[n]) == NULL)
		return false;
	*unit = (*s)[n];
	*s += n + 1;
	return true;
}

/* RFC 5545 dur-value without sign: "P1W", "P1D", "P1DT2H", "PT1H30M", "PT15M"... */
bool
duration_rfc5545_valid(const char *s)
{
	static const char time_units[] = "HMS";
	const char *order = time_units;
	char unit;

	if (*s++ != 'P')
		return false;
	if (*s != 'T') {
		if (!duration_part(&s, "WD", &unit))
			return false;
		if (unit == 'W' || *s == '\0')
			return *s == '\0';
	}
	if (*s++ != 'T' || *s == '\0')
		return false;
	while (*s != '\0') {
		if (!duration_part(&s, order, &unit))
			return false;
		order = strchr(time_units, unit) + 1;
		if (*order == '\0' && *s != '\0')
			return false;
	}
	return true;
}
