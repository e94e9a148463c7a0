/*
 * process_recur: evaluation dates (see process.h).  An evaluation is a
 * start date and an RFC 5545 RRULE; libical expands it from a floating
 * date (no zone, so no DST shift creeps in), and each occurrence on a
 * non-working day rolls as process.evaluation_roll says.  Views never
 * expand a series beyond the evaluation horizon, so an endless series
 * stays a few dates in every feed and agenda.
 */
#include "process.h"

#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "civil.h"
#include "xmalloc.h"

int
process_series_end(const struct config *cfg, int today, int from)
{
	int base = from > today ? from : today;

	return civil_add_months(base, cfg->process.evaluation_horizon_months) +
	    cfg->process.evaluation_horizon_days;
}

static int
parse_rrule(const char *rrule, struct icalrecurrencetype *r, char **cause)
{
	size_t len = strlen(rrule);

	icalrecurrencetype_clear(r);
	if (len == 0 || len > 200)
		return set_cause(cause, "the RRULE must be 1 to 200 bytes");
	if (strstr(rrule, "FREQ=") == NULL)
		return set_cause(cause, "RRULE \"%.60s\" has no FREQ", rrule);
	icalerror_set_errors_are_fatal(0);
	icalerror_clear_errno();
	*r = icalrecurrencetype_from_string(rrule);
	if (r->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		return set_cause(cause, "RRULE \"%.60s\" is not valid (RFC 5545 section 3.3.10, "
		    "e.g. FREQ=YEARLY or FREQ=MONTHLY;INTERVAL=3)", rrule);
	}
	if (r->freq == ICAL_SECONDLY_RECURRENCE || r->freq == ICAL_MINUTELY_RECURRENCE ||
	    r->freq == ICAL_HOURLY_RECURRENCE)
		return set_cause(cause, "RRULE \"%.60s\": evaluations recur by day, week, month "
		    "or year", rrule);
	return 0;
}

int
process_rrule_check(const char *rrule, char **cause)
{
	struct icalrecurrencetype r;

	return parse_rrule(rrule, &r, cause);
}

int
process_rrule_skip_day(const char *rrule, int start)
{
	struct icalrecurrencetype r;
	int y, m, d;

	if (parse_rrule(rrule, &r, NULL) == -1 ||
	    r.by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX)
		return 0;
	civil_date_from_days(start, &y, &m, &d);
	if (r.freq == ICAL_MONTHLY_RECURRENCE && d > 28)
		return d;
	if (r.freq == ICAL_YEARLY_RECURRENCE && m == 2 && d == 29 &&
	    r.by_month[0] == ICAL_RECURRENCE_ARRAY_MAX)
		return d;
	return 0;
}

int
process_occurrences(const char *rrule, int start, int from, int to, enum rule_roll roll,
    const struct workcal *wc, struct occurrence **out, size_t *n, size_t max, char **cause)
{
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	struct icaltimetype dt, next;
	int y, m, d, day, due, steps = 0;

	*out = NULL;
	*n = 0;
	if (parse_rrule(rrule, &r, cause) == -1)
		return -1;
	/* A floating date as DTSTART: no zone, so no DST shift can creep in. */
	civil_date_from_days(start, &y, &m, &d);
	dt = icaltime_null_time();
	dt.year = y;
	dt.month = m;
	dt.day = d;
	dt.is_date = 1;
	if ((it = icalrecur_iterator_new(r, dt)) == NULL) {
		icalerror_clear_errno();
		return set_cause(cause, "RRULE \"%.60s\" cannot be expanded from %04d-%02d-%02d",
		    rrule, y, m, d);
	}
	while (*n < max && steps++ < 20000) {
		next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next))
			break;
		day = civil_days_from_date(next.year, next.month, next.day);
		due = planner_roll(wc, day, roll);
		if (due > to && day > to)
			break;
		if (due < from || due > to)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].nominal = day;
		(*out)[*n].due = due;
		(*n)++;
	}
	icalrecur_iterator_free(it);
	return 0;
}
