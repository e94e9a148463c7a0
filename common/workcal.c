/*
 * workcal: the working days of one municipality.  A working day is a
 * Monday to Friday that is neither a statutory holiday of the Land
 * (holiday.c) nor a local day off the municipality configured.  The
 * session-free periods are kept here too, since they belong to the same
 * municipal calendar, but they do not change what a working day is: the
 * administration works during the summer break, only the council rests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "holiday.h"
#include "workcal.h"
#include "xmalloc.h"

/* Bounds keep at least a hundred working days in every year, so stepping
 * over working days always ends. */
#define WORKCAL_DAYS_OFF_MAX	128
#define WORKCAL_BREAKS_MAX	64
#define WORKCAL_NAME_MAX	80
#define WORKCAL_EASTER_MAX	366

enum day_off_kind { DAY_OFF_ANNUAL, DAY_OFF_ONCE, DAY_OFF_EASTER };

struct day_off {
	enum day_off_kind	 kind;
	int			 month, day;	/* ANNUAL */
	int			 days;		/* ONCE: day number; EASTER: offset */
	char			*name;
};

struct session_break {
	int	 from, to;
	char	*name;
};

struct workcal {
	char			 land[3];
	struct day_off		 days_off[WORKCAL_DAYS_OFF_MAX];
	size_t			 ndays_off;
	struct session_break	 breaks[WORKCAL_BREAKS_MAX];
	size_t			 nbreaks;
};

struct workcal *
workcal_new(const char *land, char **cause)
{
	struct workcal *wc;

	if (!holiday_land_valid(land)) {
		set_cause(cause, "unknown Land \"%.8s\"; valid: %s", land == NULL ? "" : land,
		    holiday_land_codes());
		return NULL;
	}
	wc = xcalloc(1, sizeof(*wc));
	memcpy(wc->land, land, 3);
	return wc;
}

void
workcal_free(struct workcal *wc)
{
	size_t i;

	if (wc == NULL)
		return;
	for (i = 0; i < wc->ndays_off; i++)
		free(wc->days_off[i].name);
	for (i = 0; i < wc->nbreaks; i++)
		free(wc->breaks[i].name);
	free(wc);
}

const char *
workcal_land(const struct workcal *wc)
{
	return wc->land;
}

json_t *
workcal_days_off(const struct workcal *wc)
{
	json_t *list = json_array();
	char spec[16];
	size_t i;

	for (i = 0; i < wc->ndays_off; i++) {
		const struct day_off *off = &wc->days_off[i];

		switch (off->kind) {
		case DAY_OFF_ANNUAL:
			snprintf(spec, sizeof(spec), "%02d-%02d", off->month, off->day);
			break;
		case DAY_OFF_ONCE:
			civil_format_date(off->days, spec);
			break;
		case DAY_OFF_EASTER:
			snprintf(spec, sizeof(spec), "easter%+d", off->days);
			break;
		}
		json_array_append_new(list, json_pack("[ss]", spec, off->name));
	}
	return list;
}

static int
check_name(const char *name, char **cause)
{
	if (name == NULL || name[0] == '\0')
		return set_cause(cause, "a day off or break needs a name");
	if (strlen(name) > WORKCAL_NAME_MAX)
		return set_cause(cause, "name \"%.20s...\" is longer than %d characters",
		    name, WORKCAL_NAME_MAX);
	return 0;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
workcal_add_day_off(struct workcal *wc, const char *spec, const char *name, char **cause)
{
	struct day_off off = { 0 };
	size_t len;

	if (check_name(name, cause) == -1)
		return -1;
	if (spec == NULL)
		return set_cause(cause, "empty day-off spec");
	if (wc->ndays_off >= WORKCAL_DAYS_OFF_MAX)
		return set_cause(cause, "too many local days off (at most %d)",
		    WORKCAL_DAYS_OFF_MAX);
	len = strlen(spec);
	if (len == 5 && spec[2] == '-' && all_digits(spec, 2) && all_digits(spec + 3, 2)) {
		off.kind = DAY_OFF_ANNUAL;
		off.month = (spec[0] - '0') * 10 + (spec[1] - '0');
		off.day = (spec[3] - '0') * 10 + (spec[4] - '0');
		/* 2000 is a leap year, so "02-29" is accepted. */
		if (!civil_date_valid(2000, off.month, off.day))
			return set_cause(cause, "day-off \"%s\": no such day of the year", spec);
	} else if (len == 10) {
		off.kind = DAY_OFF_ONCE;
		if (civil_parse_date(spec, &off.days, cause) == -1)
			return -1;
	} else if (strncmp(spec, "easter", 6) == 0 && (spec[6] == '+' || spec[6] == '-') &&
	    len >= 8 && len <= 10 && all_digits(spec + 7, len - 7)) {
		off.kind = DAY_OFF_EASTER;
		off.days = atoi(spec + 7);
		if (off.days > WORKCAL_EASTER_MAX)
			return set_cause(cause, "day-off \"%s\": at most %d days from Easter",
			    spec, WORKCAL_EASTER_MAX);
		if (spec[6] == '-')
			off.days = -off.days;
	} else
		return set_cause(cause, "day-off \"%.40s\": expected MM-DD, YYYY-MM-DD, "
		    "easter+N or easter-N", spec);
	off.name = xstrdup(name);
	wc->days_off[wc->ndays_off++] = off;
	return 0;
}

int
workcal_add_break(struct workcal *wc, int from_days, int to_days, const char *name, char **cause)
{
	if (check_name(name, cause) == -1)
		return -1;
	if (from_days > to_days)
		return set_cause(cause, "break \"%s\" ends before it starts", name);
	if (wc->nbreaks >= WORKCAL_BREAKS_MAX)
		return set_cause(cause, "too many session-free periods (at most %d)",
		    WORKCAL_BREAKS_MAX);
	wc->breaks[wc->nbreaks].from = from_days;
	wc->breaks[wc->nbreaks].to = to_days;
	wc->breaks[wc->nbreaks].name = xstrdup(name);
	wc->nbreaks++;
	return 0;
}

static const char *
local_day_off(const struct workcal *wc, int days)
{
	int y, m, d;
	size_t i;

	civil_date_from_days(days, &y, &m, &d);
	for (i = 0; i < wc->ndays_off; i++) {
		const struct day_off *off = &wc->days_off[i];

		switch (off->kind) {
		case DAY_OFF_ANNUAL:
			if (off->month == m && off->day == d)
				return off->name;
			break;
		case DAY_OFF_ONCE:
			if (off->days == days)
				return off->name;
			break;
		case DAY_OFF_EASTER:
			/* Easter of this year or, near the year's ends, of its neighbours. */
			if (civil_easter(y) + off->days == days ||
			    civil_easter(y - 1) + off->days == days ||
			    civil_easter(y + 1) + off->days == days)
				return off->name;
			break;
		}
	}
	return NULL;
}

/* Holiday, then local day off, then weekend: the most telling reason first. */
const char *
workcal_reason(const struct workcal *wc, int days)
{
	const char *name;
	int wd;

	if ((name = holiday_name(wc->land, days)) != NULL)
		return name;
	if ((name = local_day_off(wc, days)) != NULL)
		return name;
	wd = civil_weekday(days);
	if (wd == 5)
		return "Sa";
	if (wd == 6)
		return "So";
	return NULL;
}

bool
workcal_is_working_day(const struct workcal *wc, int days)
{
	return workcal_reason(wc, days) == NULL;
}

const char *
workcal_break_at(const struct workcal *wc, int days)
{
	size_t i;

	for (i = 0; i < wc->nbreaks; i++)
		if (days >= wc->breaks[i].from && days <= wc->breaks[i].to)
			return wc->breaks[i].name;
	return NULL;
}

const char *
workcal_break(const struct workcal *wc, size_t i, int *from, int *to)
{
	if (i >= wc->nbreaks)
		return NULL;
	*from = wc->breaks[i].from;
	*to = wc->breaks[i].to;
	return wc->breaks[i].name;
}

int
workcal_add_working_days(const struct workcal *wc, int days, int n)
{
	int step = n < 0 ? -1 : 1;

	while (n != 0) {
		days += step;
		if (workcal_is_working_day(wc, days))
			n -= step;
	}
	return days;
}
