/*
 * fuzz_civil: civil_parse_moment (and the date and time parsers) on
 * arbitrary text.  An accepted moment must format back to a date that
 * parses to the same day, and a rejected one must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct civil_moment m;
	char text[256], iso[11], *cause = NULL;
	int days, minute;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (civil_parse_moment(text, &m, &cause) == 0) {
		if (m.minute < CIVIL_NO_TIME || m.minute >= 1440)
			abort();
		civil_format_date(m.days, iso);
		if (civil_parse_date(iso, &days, NULL) == -1 || days != m.days)
			abort();
	} else {
		if (cause == NULL)
			abort();
		free(cause);
	}
	cause = NULL;
	if (civil_parse_date(text, &days, &cause) == -1)
		free(cause);
	cause = NULL;
	if (civil_parse_time(text, &minute, &cause) == -1)
		free(cause);
	else if (minute < 0 || minute >= 1440)
		abort();
	return 0;
}
