/*
 * timefmt: the body's local time as people and scripts see it: parsing
 * "YYYY-MM-DD HH:MM" typed by an admin (a time in the DST gap is refused
 * with the valid times named) and ISO 8601 with offset for JSON.  German
 * dates for people to read are german.h's.
 */
#ifndef IKOND_TIMEFMT_H
#define IKOND_TIMEFMT_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

/* A local date and time (a time is required) in zone tz to an instant. */
int timefmt_parse_local(const char *tz, const char *text, time_t *out, char **cause);
/* "2027-03-16T17:00:00+01:00" as a JSON string. */
json_t *timefmt_iso_json(const char *tz, time_t t);
/* "2027-03-16 17:00" into out (17 bytes). */
void timefmt_local(const char *tz, time_t t, char out[static 17]);
/* The local day number of an instant. */
int timefmt_local_day(const char *tz, time_t t);

#endif
