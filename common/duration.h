/*
 * duration: the ISO 8601 durations that reminder lead times are written in
 * ("P14D", "P2W", "PT2H", "PT30M", "P1DT12H").  Whole days are kept apart
 * from hours and minutes: days are counted on the calendar (a reminder
 * "P7D" goes out at send_time seven calendar days before, whatever DST
 * does), hours and minutes are exact spans before a timed date.
 */
#ifndef IKOND_DURATION_H
#define IKOND_DURATION_H

#include <stdbool.h>

#define DURATION_TEXT_MAX	24

struct duration {
	int	days;		/* whole calendar days (weeks folded in) */
	int	minutes;	/* exact minutes on top */
	char	text[DURATION_TEXT_MAX];	/* canonical form, e.g. "P7D", "PT2H" */
};

int duration_parse(const char *text, struct duration *out, char **cause);
/* True for an RFC 5545 dur-value without sign ("P1W", "P1DT2H", "PT15M"),
 * as a feed's REFRESH-INTERVAL needs it. */
bool duration_rfc5545_valid(const char *text);

#endif
