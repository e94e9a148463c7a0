/*
 * civil: calendar dates and wall-clock times without a time zone, and the
 * one place where they meet real instants.  Deadline arithmetic is done on
 * day numbers (days since 1970-01-01, proleptic Gregorian), never by
 * subtracting seconds, so a "14 days before at 08:00" stays at 08:00 across
 * a DST change.  Local time to UTC follows RFC 5545 section 3.3.5: a time in
 * the spring-forward gap is read with the offset before the gap, a time in
 * the autumn fold as its first occurrence.
 */
#ifndef IKOND_CIVIL_H
#define IKOND_CIVIL_H

#include <stdbool.h>
#include <time.h>

#define CIVIL_NO_TIME	(-1)	/* minute_of_day of a date without time */

/* A wall-clock moment: a day number and a minute of that day (or CIVIL_NO_TIME). */
struct civil_moment {
	int	days;
	int	minute;
};

enum civil_local_kind {
	CIVIL_LOCAL_NORMAL,	/* exists exactly once */
	CIVIL_LOCAL_GAP,	/* skipped by a spring-forward change */
	CIVIL_LOCAL_FOLD,	/* occurs twice (autumn change) */
};

bool civil_date_valid(int year, int month, int day);
int civil_days_in_month(int year, int month);
int civil_days_from_date(int year, int month, int day);
void civil_date_from_days(int days, int *year, int *month, int *day);
/* 0 = Monday ... 6 = Sunday (ISO 8601). */
int civil_weekday(int days);
/* The ISO 8601 week of a day (1 to 53) and the year it belongs to. */
int civil_iso_week(int days, int *year);
/* German two-letter weekday abbreviation: "Mo", "Di", ..., "Sa", "So". */
const char *civil_weekday_abbrev(int days);
/* Adds months as BGB section 188(3) says: a missing day clamps to the month end. */
int civil_add_months(int days, int months);
/* Easter Sunday of a Gregorian year, as a day number (integer arithmetic). */
int civil_easter(int year);

/* "YYYY-MM-DD" into *days; the message names the bad text. */
int civil_parse_date(const char *text, int *days, char **cause);
/* "HH:MM" into minutes since midnight. */
int civil_parse_time(const char *text, int *minute, char **cause);
/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM" (":SS" allowed and
 * must be 00); a date alone gives minute CIVIL_NO_TIME. */
int civil_parse_moment(const char *text, struct civil_moment *out, char **cause);
/* Writes "YYYY-MM-DD" (11 bytes incl. NUL) into out. */
void civil_format_date(int days, char out[static 11]);

bool civil_zone_valid(const char *tzname);
/* Wall-clock moment in zone tzname to an instant, RFC 5545 section 3.3.5;
 * *kind (may be NULL) says whether it was in a gap or fold. */
int civil_to_utc(const char *tzname, int days, int minute, time_t *out,
    enum civil_local_kind *kind, char **cause);
/* Rejects gap times with a message naming the valid times around the gap. */
int civil_to_utc_strict(const char *tzname, int days, int minute, time_t *out, char **cause);
/* Instant to wall-clock day, minute and UTC offset (seconds east) in tzname. */
int civil_from_utc(const char *tzname, time_t t, int *days, int *minute, int *utc_offset);
/* ISO 8601 with offset, e.g. "2026-03-29T03:30:00+02:00" (26 bytes incl. NUL). */
int civil_format_iso(const char *tzname, time_t t, char out[static 26]);

#endif
