/*
 * tz: time zones from the system's zone database without the C library's
 * process-wide zone.  localtime_r() converts in the zone TZ names, and
 * changing TZ with setenv() while other threads convert (the HTTP and mail
 * threads of the daemon) is a data race; so ikond reads a zone's TZif file
 * (RFC 8536) once, keeps it in memory for the life of the process, and
 * finds the UTC offset of an instant itself: in the table of transitions,
 * and beyond its end with the POSIX TZ string of the file's footer.  Every
 * function is safe to call from any thread.
 */
#ifndef IKOND_TZ_H
#define IKOND_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TZ_DIR		"/usr/share/zoneinfo"
#define TZ_NAME_MAX	128

struct tz;

/* The zone named name (an IANA name such as "Europe/Berlin"), read from
 * TZ_DIR the first time it is asked for; NULL if there is no such zone or
 * its file is not a TZif file ikond understands (zones with leap seconds,
 * "right/...", are not). */
const struct tz *tz_get(const char *name);
/* UTC offset (seconds east) of local time in z at instant t. */
long tz_offset(const struct tz *z, int64_t t);

/* For tests: parses TZif data (name for messages only); NULL if malformed. */
struct tz *tz_parse(const char *name, const unsigned char *data, size_t len);
void tz_free(struct tz *z);
/* For tests: parses a POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3"
 * into a zone without transitions; NULL if malformed. */
struct tz *tz_from_posix(const char *spec);

#endif
