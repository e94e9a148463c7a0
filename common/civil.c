/*
 * civil: calendar dates and wall-clock times without a time zone, and the
 * single place where they meet real instants.  Day numbers count days since
 * 1970-01-01 in the proleptic Gregorian calendar and are computed with
 * integer arithmetic only.  Conversions between a zone's wall clock and
 * UTC ask tz.h for the zone's offset at an instant, so they never touch
 * the C library's process-wide zone (TZ) and run in any thread.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "tz.h"
#include "xmalloc.h"

#define QUOTE_MAX	40

static int
floor_div(int a, int b)
{
	int q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static bool
is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool
civil_date_valid(int year, int month, int day)
{
	if (year < 1 || year > 9999 || month < 1 || month > 12)
		return false;
	return day >= 1 && day <= civil_days_in_month(year, month);
}

int
civil_days_in_month(int year, int month)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap(year))
		return 29;
	return len[month - 1];
}

/* Days from civil: years start in March so the leap day is the last one. */
int
civil_days_from_date(int year, int month, int day)
{
	int y = month <= 2 ? year - 1 : year;
	int era = floor_div(y, 400);
	int yoe = y - era * 400;
	int mp = month > 2 ? month - 3 : month + 9;
	int doy = (153 * mp + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
civil_date_from_days(int days, int *year, int *month, int *day)
{
	int z = days + 719468;
	int era = floor_div(z, 146097);
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;
	int y = yoe + era * 400 + (m <= 2);

	if (year != NULL)
		*year = y;
	if (month != NULL)
		*month = m;
	if (day != NULL)
		*day = d;
}

int
civil_weekday(int days)
{
	/* 1970-01-01 was a Thursday (3). */
	int r = (days % 7 + 7) % 7;

	return (r + 3) % 7;
}

int
civil_iso_week(int days, int *year)
{
	/* The week belongs to the year of its Thursday. */
	int thursday = days - civil_weekday(days) + 3, m, d;

	civil_date_from_days(thursday, year, &m, &d);
	return (thursday - civil_days_from_date(*year, 1, 1)) / 7 + 1;
}

const char *
civil_weekday_abbrev(int days)
{
	static const char *names[7] = { "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So" };

	return names[civil_weekday(days)];
}

int
civil_add_months(int days, int months)
{
	int y, m, d, idx, len;

	civil_date_from_days(days, &y, &m, &d);
	idx = y * 12 + (m - 1) + months;
	y = floor_div(idx, 12);
	m = idx - y * 12 + 1;
	len = civil_days_in_month(y, m);
	if (d > len)
		d = len;
	return civil_days_from_date(y, m, d);
}

/* Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
int
civil_easter(int year)
{
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return civil_days_from_date(year, month, day);
}

/* A bounded, printable copy of user text for messages. */
static void
quote(const char *text, char out[static QUOTE_MAX + 4])
{
	size_t i;

	for (i = 0; text[i] != '\0' && i < QUOTE_MAX; i++)
		out[i] = isprint((unsigned char)text[i]) ? text[i] : '?';
	if (text[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

static bool
digits(const char *s, size_t n, int *value)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return true;
}

/* Reads "YYYY-MM-DD" at the start of s; 0 ok, -1 bad shape, -2 no such day. */
static int
scan_date(const char *s, int *days)
{
	int y, m, d;

	if (strnlen(s, 10) < 10 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &m) || s[7] != '-' || !digits(s + 8, 2, &d))
		return -1;
	if (!civil_date_valid(y, m, d))
		return -2;
	*days = civil_days_from_date(y, m, d);
	return 0;
}

/* Reads "HH:MM" or "HH:MM:00" filling all of s; 0 ok, -1 bad shape, -2 out of range, -3 seconds. */
static int
scan_time(const char *s, int *minute)
{
	int h, m, sec;
	size_t len = strlen(s);

	if ((len != 5 && len != 8) || !digits(s, 2, &h) || s[2] != ':' ||
	    !digits(s + 3, 2, &m))
		return -1;
	if (len == 8 && (s[5] != ':' || !digits(s + 6, 2, &sec)))
		return -1;
	if (h > 23 || m > 59)
		return -2;
	if (len == 8 && sec != 0)
		return -3;
	*minute = h * 60 + m;
	return 0;
}

int
civil_parse_date(const char *text, int *days, char **cause)
{
	char q[QUOTE_MAX + 4];
	int rc;

	quote(text, q);
	if (strlen(text) != 10 || (rc = scan_date(text, days)) == -1)
		return set_cause(cause, "invalid date \"%s\": expected YYYY-MM-DD", q);
	if (rc == -2)
		return set_cause(cause, "invalid date \"%s\": no such day in the calendar", q);
	return 0;
}

int
civil_parse_time(const char *text, int *minute, char **cause)
{
	char q[QUOTE_MAX + 4];

	quote(text, q);
	if (strlen(text) != 5)
		return set_cause(cause, "invalid time \"%s\": expected HH:MM", q);
	switch (scan_time(text, minute)) {
	case 0:
		return 0;
	case -2:
		return set_cause(cause, "invalid time \"%s\": hours must be 00-23, minutes 00-59", q);
	default:
		return set_cause(cause, "invalid time \"%s\": expected HH:MM", q);
	}
}

int
civil_parse_moment(const char *text, struct civil_moment *out, char **cause)
{
	char q[QUOTE_MAX + 4];
	size_t len;
	int rc, days, minute;

	quote(text, q);
	while (*text == ' ' || *text == '\t')
		text++;
	len = strlen(text);
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len < 10 || (len != 10 && len != 16 && len != 19))
		return set_cause(cause, "invalid date \"%s\": expected YYYY-MM-DD or "
		    "YYYY-MM-DD HH:MM", q);
	rc = scan_date(text, &days);
	if (rc == -1)
		return set_cause(cause, "invalid date \"%s\": expected YYYY-MM-DD or "
		    "YYYY-MM-DD HH:MM", q);
	if (rc == -2)
		return set_cause(cause, "invalid date \"%s\": no such day in the calendar", q);
	if (len == 10) {
		out->days = days;
		out->minute = CIVIL_NO_TIME;
		return 0;
	}
	if (text[10] != ' ' && text[10] != 'T')
		return set_cause(cause, "invalid date \"%s\": date and time must be separated "
		    "by one space or 'T'", q);
	{
		char tbuf[9];

		memcpy(tbuf, text + 11, len - 11);
		tbuf[len - 11] = '\0';
		rc = scan_time(tbuf, &minute);
	}
	if (rc == -2)
		return set_cause(cause, "invalid time in \"%s\": hours must be 00-23, "
		    "minutes 00-59", q);
	if (rc == -3)
		return set_cause(cause, "invalid time in \"%s\": seconds must be 00", q);
	if (rc != 0)
		return set_cause(cause, "invalid time in \"%s\": expected HH:MM", q);
	out->days = days;
	out->minute = minute;
	return 0;
}

void
civil_format_date(int days, char out[static 11])
{
	int y, m, d;

	civil_date_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0;
	/* The ranges are known; unsigned modulo tells the compiler so. */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 13u,
	    (unsigned)d % 32u);
}

bool
civil_zone_valid(const char *zone)
{
	return tz_get(zone) != NULL;
}

static int
check_args(int days, int minute, char **cause)
{
	if (days < civil_days_from_date(1, 1, 1) || days > civil_days_from_date(9999, 12, 31))
		return set_cause(cause, "day number %d is outside the years 1-9999", days);
	if (minute < 0 || minute >= 24 * 60)
		return set_cause(cause, "minute of day %d is outside 0-1439", minute);
	return 0;
}

/*
 * The wall clock read as if it were UTC, minus an offset, is an instant;
 * it is a true reading of the wall clock if the zone has that offset
 * then.  Trying the offsets a day before and a day after finds zero (gap),
 * one (normal) or two (fold) true readings.
 */
static time_t
to_utc(const struct tz *z, int days, int minute, enum civil_local_kind *kind)
{
	time_t wall = (time_t)days * 86400 + (time_t)minute * 60;
	long before = tz_offset(z, wall - 86400);
	long after = tz_offset(z, wall + 86400);
	time_t c1 = wall - before, c2 = wall - after;
	bool ok1 = tz_offset(z, c1) == before, ok2 = tz_offset(z, c2) == after;

	if (ok1 && ok2 && c1 != c2) {
		*kind = CIVIL_LOCAL_FOLD;
		return c1 < c2 ? c1 : c2;
	}
	if (ok1 || ok2) {
		*kind = CIVIL_LOCAL_NORMAL;
		return ok1 ? c1 : c2;
	}
	*kind = CIVIL_LOCAL_GAP;
	return c1;
}

int
civil_to_utc(const char *zone, int days, int minute, time_t *out,
    enum civil_local_kind *kind, char **cause)
{
	const struct tz *z;
	enum civil_local_kind k;
	char q[QUOTE_MAX + 4];

	if (check_args(days, minute, cause) == -1)
		return -1;
	if ((z = tz_get(zone)) == NULL) {
		quote(zone == NULL ? "" : zone, q);
		return set_cause(cause, "unknown time zone \"%s\"", q);
	}
	*out = to_utc(z, days, minute, &k);
	if (kind != NULL)
		*kind = k;
	return 0;
}

int
civil_to_utc_strict(const char *zone, int days, int minute, time_t *out, char **cause)
{
	enum civil_local_kind kind;
	const struct tz *z;
	time_t t, start, tr;
	int lo, hi, mid, before_min, after_min, dd;
	long off_before;
	char date[11];

	if (civil_to_utc(zone, days, minute, &t, &kind, cause) == -1)
		return -1;
	if (kind != CIVIL_LOCAL_GAP) {
		*out = t;
		return 0;
	}
	/* Find the transition: the first instant whose offset differs. */
	z = tz_get(zone);
	off_before = tz_offset(z, t - 86400);
	lo = 0;
	hi = 2 * 86400;
	start = t - 86400;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (tz_offset(z, start + mid) == off_before)
			lo = mid;
		else
			hi = mid;
	}
	/* The wall clock jumps from (transition + old offset) to (transition + new offset). */
	tr = start + hi;
	before_min = (int)(((tr + off_before) % 86400 + 86400) % 86400 / 60);
	civil_format_date(days, date);
	if (civil_from_utc(zone, tr, &dd, &after_min, NULL) == -1)
		return set_cause(cause, "%s %02d:%02d does not exist in %s", date, minute / 60,
		    minute % 60, zone);
	return set_cause(cause, "%s %02d:%02d does not exist in %s (clocks jump from "
	    "%02d:%02d to %02d:%02d); use %02d:%02d or %02d:%02d", date, minute / 60,
	    minute % 60, zone, before_min / 60, before_min % 60, after_min / 60,
	    after_min % 60, (before_min + 1439) % 1440 / 60, (before_min + 1439) % 1440 % 60,
	    after_min / 60, after_min % 60);
}

/* The wall clock of zone at t: seconds since 1970-01-01 00:00 local; false
 * outside the years 1-9999. */
static bool
local_seconds(const char *zone, time_t t, int64_t *local, long *offset)
{
	const struct tz *z;

	if ((z = tz_get(zone)) == NULL)
		return false;
	*offset = tz_offset(z, t);
	*local = (int64_t)t + *offset;
	return *local >= (int64_t)civil_days_from_date(1, 1, 1) * 86400 &&
	    *local < (int64_t)(civil_days_from_date(9999, 12, 31) + 1) * 86400;
}

int
civil_from_utc(const char *zone, time_t t, int *days, int *minute, int *utc_offset)
{
	int64_t local, secs;
	long off;

	if (!local_seconds(zone, t, &local, &off))
		return -1;
	secs = (local % 86400 + 86400) % 86400;
	if (days != NULL)
		*days = (int)((local - secs) / 86400);
	if (minute != NULL)
		*minute = (int)(secs / 60);
	if (utc_offset != NULL)
		*utc_offset = (int)off;
	return 0;
}

int
civil_format_iso(const char *zone, time_t t, char out[static 26])
{
	int64_t local, secs;
	long off;
	int y, mo, d;
	char sign, buf[80];

	if (!local_seconds(zone, t, &local, &off))
		return -1;
	secs = (local % 86400 + 86400) % 86400;
	civil_date_from_days((int)((local - secs) / 86400), &y, &mo, &d);
	sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	/* Every field is in range, so the text is exactly 25 characters. */
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", y, mo, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), sign, off / 3600 % 100,
	    off % 3600 / 60);
	if (strlen(buf) != 25)
		return -1;
	memcpy(out, buf, 26);
	return 0;
}
