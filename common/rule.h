/*
 * rule: deadline rules and their evaluation.  A rule derives a date from an
 * anchor (a session start, another deadline, a window's end):
 *
 *   RULE   := OFFSET [ROLL] ["at" HH:MM]
 *   OFFSET := ("+" | "-") N ("d" | "wd" | "w" | "m")
 *   ROLL   := "earlier" | "later" | "keep"
 *
 * e.g. "-3wd", "-14d earlier", "-7d keep", "+2w later", "+1m later at 12:00".
 * wd offsets count working days and always land on one; d, w and m default
 * to keep.  Forward periods follow BGB sections 187(1), 188 and 193: the
 * anchor day is not counted, a missing month end clamps to the last day,
 * and "later" rolls to the next working day.  Every result carries its
 * derivation: anchor, offset, and each skipped day with its reason.
 */
#ifndef IKOND_RULE_H
#define IKOND_RULE_H

#include <stdbool.h>

#include <jansson.h>

#include "civil.h"
#include "workcal.h"

#define RULE_TEXT_MAX	64

enum rule_unit { RULE_DAYS, RULE_WORKING_DAYS, RULE_WEEKS, RULE_MONTHS };
enum rule_roll { RULE_KEEP, RULE_EARLIER, RULE_LATER };

struct rule {
	int		sign;		/* +1 or -1 */
	int		count;		/* 0 .. 3660 */
	enum rule_unit	unit;
	enum rule_roll	roll;
	int		minute;		/* time of day, or CIVIL_NO_TIME */
};

int rule_parse(const char *text, struct rule *out, char **cause);
/* Canonical text of a rule ("-14d earlier at 12:00"); out has RULE_TEXT_MAX bytes. */
void rule_format(const struct rule *r, char out[static RULE_TEXT_MAX]);

struct rule_result {
	struct civil_moment	 due;		/* the computed date (and time) */
	char			*explanation;	/* German, multi-line, for people */
	json_t			*derivation;	/* the same as data: anchor, rule, steps, skipped days */
};

/* Applies r to anchor under wc.  The result has the rule's time of day if
 * the rule has one ("at HH:MM"), else none (an all-day date). */
int rule_apply(const struct rule *r, const struct workcal *wc, struct civil_moment anchor,
    struct rule_result *res, char **cause);
/* Places an "at HH:MM" result on the wall clock of zone: a time that does
 * not exist there (the gap of a change to summer time) is read with the
 * offset before the gap, as RFC 5545 section 3.3.5 says, so 02:30 becomes
 * 03:30; the explanation and the derivation ("nonexistent_time") say so. */
int rule_result_in_zone(struct rule_result *res, const char *zone, char **cause);
void rule_result_clear(struct rule_result *res);
/* rule_parse and rule_apply in one step. */
int rule_parse_and_apply(const char *text, const struct workcal *wc, struct civil_moment anchor,
    struct rule_result *res, char **cause);

#endif
