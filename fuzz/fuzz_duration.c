/*
 * fuzz_duration: duration_parse on arbitrary text.  An accepted duration
 * must be within bounds and its canonical text must parse back to the same
 * days and minutes; a rejected one must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duration d, again;
	char text[128], *cause = NULL;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (duration_parse(text, &d, &cause) == -1) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	if (d.days < 0 || d.minutes < 0 || d.minutes >= 1440)
		abort();
	if (memchr(d.text, '\0', sizeof(d.text)) == NULL)
		abort();
	if (duration_parse(d.text, &again, NULL) == -1 || again.days != d.days ||
	    again.minutes != d.minutes || strcmp(again.text, d.text) != 0)
		abort();
	return 0;
}
