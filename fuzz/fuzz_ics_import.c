/*
 * fuzz_ics_import: feeds arbitrary bytes to the iCalendar importer.  It
 * must never crash, leak or hang, whatever a council system exports; what
 * it accepts must satisfy the record invariants.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ics_import.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ics_import *imp;
	char *cause = NULL;
	size_t i;

	imp = ics_import_parse((const char *)data, size, "Europe/Berlin", &cause);
	if (imp == NULL) {
		if (cause == NULL)
			fatalx("ics_import_parse failed without a cause");
		free(cause);
		return 0;
	}
	for (i = 0; i < imp->nsessions; i++) {
		const struct ics_session *s = &imp->sessions[i];

		if (s->uid == NULL || s->end < s->start ||
		    (s->all_day && s->end_days <= s->start_days))
			fatalx("ics_import_parse: broken session %zu", i);
	}
	for (i = 0; i < imp->nrejections; i++)
		if (imp->rejections[i].reason == NULL)
			fatalx("ics_import_parse: rejection without reason");
	ics_import_free(imp);
	return 0;
}
