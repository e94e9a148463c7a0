/*
 * calc_driver: a line-oriented front end to the deadline engine for the
 * cross-check scripts, which ask tens of thousands of questions and would
 * spend most of their time starting processes otherwise.  Each input line
 * is one question, each output line one JSON answer:
 *
 *   holidays LAND YEAR          -> [{"date": "...", "name": "..."}, ...]
 *   calc LAND ANCHOR RULE...    -> the rule's derivation plus "explanation"
 *                                  (ANCHOR is YYYY-MM-DD or YYYY-MM-DDTHH:MM)
 *   local ZONE T                -> {"days", "minute", "offset"} of the instant T
 *                                  (seconds since 1970) on the wall clock of ZONE
 *   utc ZONE YYYY-MM-DDTHH:MM   -> {"t", "kind"}: the instant of that wall-clock
 *                                  time (RFC 5545 3.3.5) and normal, gap or fold
 *
 * A question that fails gives {"error": "..."}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "civil.h"
#include "holiday.h"
#include "rule.h"
#include "workcal.h"

static json_t *
error_json(char *cause)
{
	json_t *j = json_pack("{s:s}", "error", cause != NULL ? cause : "failed");

	free(cause);
	return j;
}

static json_t *
do_holidays(const char *land, const char *year_text)
{
	struct holiday list[64];
	char *cause = NULL, iso[11];
	int year = atoi(year_text), n, i;
	json_t *arr;

	if (year < 1 || year > 9999)
		return json_pack("{s:s}", "error", "bad year");
	n = holiday_list(land, civil_days_from_date(year, 1, 1),
	    civil_days_from_date(year, 12, 31), list, 64, &cause);
	if (n == -1)
		return error_json(cause);
	arr = json_array();
	for (i = 0; i < n && i < 64; i++) {
		civil_format_date(list[i].days, iso);
		json_array_append_new(arr, json_pack("{s:s, s:s}", "date", iso,
		    "name", list[i].name));
	}
	return arr;
}

static json_t *
do_calc(const char *land, const char *anchor_text, const char *rule_text)
{
	struct workcal *wc;
	struct civil_moment anchor;
	struct rule_result res;
	char *cause = NULL;
	json_t *out;

	if ((wc = workcal_new(land, &cause)) == NULL)
		return error_json(cause);
	if (civil_parse_moment(anchor_text, &anchor, &cause) == -1 ||
	    rule_parse_and_apply(rule_text, wc, anchor, &res, &cause) == -1) {
		workcal_free(wc);
		return error_json(cause);
	}
	out = json_incref(res.derivation);
	json_object_set_new(out, "explanation", json_string(res.explanation));
	rule_result_clear(&res);
	workcal_free(wc);
	return out;
}

static json_t *
do_local(const char *zone, const char *t_text)
{
	int days, minute, offset;

	if (civil_from_utc(zone, (time_t)strtoll(t_text, NULL, 10), &days, &minute, &offset) == -1)
		return json_pack("{s:s}", "error", "cannot convert");
	return json_pack("{s:i, s:i, s:i}", "days", days, "minute", minute, "offset", offset);
}

static json_t *
do_utc(const char *zone, const char *moment)
{
	static const char *const kinds[] = { "normal", "gap", "fold" };
	enum civil_local_kind kind;
	struct civil_moment m;
	char *cause = NULL;
	time_t t;

	if (civil_parse_moment(moment, &m, &cause) == -1 ||
	    civil_to_utc(zone, m.days, m.minute, &t, &kind, &cause) == -1)
		return error_json(cause);
	return json_pack("{s:I, s:s}", "t", (json_int_t)t, "kind", kinds[kind]);
}

int
main(void)
{
	char line[1024], *cmd, *land, *arg, *rest, *save = NULL;
	json_t *answer;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		cmd = strtok_r(line, " ", &save);
		land = strtok_r(NULL, " ", &save);
		arg = strtok_r(NULL, " ", &save);
		rest = strtok_r(NULL, "", &save);
		if (cmd == NULL || land == NULL || arg == NULL)
			answer = json_pack("{s:s}", "error", "expected: holidays LAND YEAR | "
			    "calc LAND ANCHOR RULE");
		else if (strcmp(cmd, "holidays") == 0)
			answer = do_holidays(land, arg);
		else if (strcmp(cmd, "calc") == 0 && rest != NULL)
			answer = do_calc(land, arg, rest);
		else if (strcmp(cmd, "local") == 0)
			answer = do_local(land, arg);
		else if (strcmp(cmd, "utc") == 0)
			answer = do_utc(land, arg);
		else
			answer = json_pack("{s:s}", "error", "unknown command");
		json_dumpf(answer, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		fflush(stdout);
		json_decref(answer);
	}
	return 0;
}
