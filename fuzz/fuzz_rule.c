/*
 * fuzz_rule: rule_parse on arbitrary text, and for every rule it accepts,
 * the canonical form must parse back to the same rule and rule_apply must
 * succeed or fail cleanly for an anchor taken from the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "holiday.h"
#include "rule.h"
#include "workcal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct workcal *wc;
	struct rule r, r2;
	struct rule_result res;
	struct civil_moment anchor;
	char text[512], canon[RULE_TEXT_MAX], *cause = NULL;
	unsigned span;

	if (wc == NULL) {
		wc = workcal_new("SN", NULL);
		workcal_add_day_off(wc, "12-24", "Heiligabend", NULL);
		workcal_add_day_off(wc, "easter-48", "Rosenmontag", NULL);
	}
	if (size < 2 || size >= sizeof(text) + 2)
		return 0;
	/* The first two bytes choose the anchor in 1990..2105 (partly out of range). */
	span = civil_days_from_date(2106, 1, 1) - civil_days_from_date(1990, 1, 1);
	anchor.days = civil_days_from_date(1990, 1, 1) + (int)(((unsigned)data[0] << 8 | data[1]) *
	    7u % span);
	anchor.minute = data[1] % 3 == 0 ? CIVIL_NO_TIME : data[0] * 7 % 1440;
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';

	if (rule_parse(text, &r, &cause) == -1) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	rule_format(&r, canon);
	if (rule_parse(canon, &r2, NULL) == -1 || memcmp(&r, &r2, sizeof(r)) != 0)
		abort();
	if (rule_apply(&r, wc, anchor, &res, &cause) == -1) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	if (res.explanation == NULL || res.derivation == NULL)
		abort();
	/* wd results are always working days. */
	if (r.unit == RULE_WORKING_DAYS && !workcal_is_working_day(wc, res.due.days))
		abort();
	/* earlier/later results are working days too. */
	if (r.unit != RULE_WORKING_DAYS && r.roll != RULE_KEEP &&
	    !workcal_is_working_day(wc, res.due.days))
		abort();
	rule_result_clear(&res);
	return 0;
}
