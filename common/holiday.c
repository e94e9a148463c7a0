/*
 * holiday: the statutory statewide public holidays of the 16 German Länder
 * for 1995 to 2100.  One table lists every holiday with the Länder and the
 * years in which the Land's holiday law makes it a general public holiday
 * (a day that counts for section 193 BGB); everything else is computed
 * from Easter Sunday and fixed dates.
 *
 * Notes on the table, as enacted:
 * - Reformationstag (31 Oct): BB, MV, SN, ST, TH since before 1995; HB,
 *   HH, NI and SH since 2018; every Land once in 2017 (500 years of the
 *   Reformation).
 * - Internationaler Frauentag (8 Mar): BE since 2019, MV since 2023.
 * - Weltkindertag (20 Sep): TH since 2019.
 * - Tag der Befreiung (8 May): BE once in 2020 (75th anniversary) and once
 *   in 2025 (80th); both by amendments of the Berlin holiday law.
 * - Ostersonntag and Pfingstsonntag: the Brandenburg holiday law names them
 *   as holidays, so they are listed for BB (they are Sundays anyway).  The
 *   Hessian law does not name them (it declares all Sundays holidays), so
 *   HE does not list them.
 * - Fronleichnam, Mariä Himmelfahrt (BY), Augsburger Friedensfest (BY) and
 *   holidays in parts of SN or TH hold only in some municipalities and are
 *   configured locally (workcal.h); Mariä Himmelfahrt is statewide in SL.
 * - Buß- und Bettag: SN only, the Wednesday before 23 November.
 */
#include <string.h>

#include "civil.h"
#include "holiday.h"
#include "xmalloc.h"

enum land {
	BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH, LAND_COUNT
};

static const char *const land_codes[LAND_COUNT] = {
	"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV",
	"NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"
};

#define L(x)	(1u << (x))
#define ALL	((1u << LAND_COUNT) - 1)

enum when { FIXED, EASTER, BUSS_UND_BETTAG };

struct holiday_rule {
	const char	*name;
	enum when	 when;
	int		 month, day;	/* FIXED */
	int		 offset;	/* EASTER: days from Easter Sunday */
	unsigned	 lands;
	int		 from, to;	/* years, inclusive */
};

#define ALWAYS	HOLIDAY_FIRST_YEAR, HOLIDAY_LAST_YEAR

/* In calendar order within a year, so a year's list comes out nearly sorted. */
static const struct holiday_rule rules[] = {
	{ "Neujahr", FIXED, 1, 1, 0, ALL, ALWAYS },
	{ "Heilige Drei Könige", FIXED, 1, 6, 0, L(BW) | L(BY) | L(ST), ALWAYS },
	{ "Internationaler Frauentag", FIXED, 3, 8, 0, L(BE), 2019, HOLIDAY_LAST_YEAR },
	{ "Internationaler Frauentag", FIXED, 3, 8, 0, L(MV), 2023, HOLIDAY_LAST_YEAR },
	{ "Karfreitag", EASTER, 0, 0, -2, ALL, ALWAYS },
	{ "Ostersonntag", EASTER, 0, 0, 0, L(BB), ALWAYS },
	{ "Ostermontag", EASTER, 0, 0, 1, ALL, ALWAYS },
	{ "Tag der Arbeit", FIXED, 5, 1, 0, ALL, ALWAYS },
	{ "Tag der Befreiung", FIXED, 5, 8, 0, L(BE), 2020, 2020 },
	{ "Tag der Befreiung", FIXED, 5, 8, 0, L(BE), 2025, 2025 },
	{ "Christi Himmelfahrt", EASTER, 0, 0, 39, ALL, ALWAYS },
	{ "Pfingstsonntag", EASTER, 0, 0, 49, L(BB), ALWAYS },
	{ "Pfingstmontag", EASTER, 0, 0, 50, ALL, ALWAYS },
	{ "Fronleichnam", EASTER, 0, 0, 60,
	    L(BW) | L(BY) | L(HE) | L(NW) | L(RP) | L(SL), ALWAYS },
	{ "Mariä Himmelfahrt", FIXED, 8, 15, 0, L(SL), ALWAYS },
	{ "Weltkindertag", FIXED, 9, 20, 0, L(TH), 2019, HOLIDAY_LAST_YEAR },
	{ "Tag der Deutschen Einheit", FIXED, 10, 3, 0, ALL, ALWAYS },
	{ "Reformationstag", FIXED, 10, 31, 0,
	    L(BB) | L(MV) | L(SN) | L(ST) | L(TH), ALWAYS },
	{ "Reformationstag", FIXED, 10, 31, 0,
	    L(HB) | L(HH) | L(NI) | L(SH), 2018, HOLIDAY_LAST_YEAR },
	{ "Reformationstag", FIXED, 10, 31, 0,
	    L(BW) | L(BY) | L(BE) | L(HB) | L(HH) | L(HE) | L(NI) | L(NW) | L(RP) |
	    L(SL) | L(SH), 2017, 2017 },
	{ "Allerheiligen", FIXED, 11, 1, 0,
	    L(BW) | L(BY) | L(NW) | L(RP) | L(SL), ALWAYS },
	{ "Buß- und Bettag", BUSS_UND_BETTAG, 0, 0, 0, L(SN), ALWAYS },
	{ "1. Weihnachtstag", FIXED, 12, 25, 0, ALL, ALWAYS },
	{ "2. Weihnachtstag", FIXED, 12, 26, 0, ALL, ALWAYS },
};

#define NRULES	(sizeof(rules) / sizeof(rules[0]))

static int
land_index(const char *land)
{
	int i;

	if (land == NULL)
		return -1;
	for (i = 0; i < LAND_COUNT; i++)
		if (strcmp(land, land_codes[i]) == 0)
			return i;
	return -1;
}

bool
holiday_land_valid(const char *land)
{
	return land_index(land) != -1;
}

const char *
holiday_land_codes(void)
{
	return "BW BY BE BB HB HH HE MV NI NW RP SL SN ST SH TH";
}

/* The day of rule r in year y; the caller passes Easter Sunday of y. */
static int
rule_day(const struct holiday_rule *r, int year, int easter)
{
	int d;

	switch (r->when) {
	case FIXED:
		return civil_days_from_date(year, r->month, r->day);
	case EASTER:
		return easter + r->offset;
	case BUSS_UND_BETTAG:
		/* The last Wednesday (weekday 2) before 23 November. */
		d = civil_days_from_date(year, 11, 22);
		return d - (civil_weekday(d) - 2 + 7) % 7;
	}
	return 0;
}

static bool
rule_holds(const struct holiday_rule *r, int li, int year)
{
	return (r->lands & L(li)) != 0 && year >= r->from && year <= r->to;
}

const char *
holiday_name(const char *land, int days)
{
	int li = land_index(land), year, easter;
	size_t i;

	if (li == -1)
		return NULL;
	civil_date_from_days(days, &year, NULL, NULL);
	if (year < HOLIDAY_FIRST_YEAR || year > HOLIDAY_LAST_YEAR)
		return NULL;
	easter = civil_easter(year);
	for (i = 0; i < NRULES; i++)
		if (rule_holds(&rules[i], li, year) && rule_day(&rules[i], year, easter) == days)
			return rules[i].name;
	return NULL;
}

int
holiday_list(const char *land, int from_days, int to_days, struct holiday *out,
    size_t max, char **cause)
{
	int li = land_index(land), y0, y1, year, easter, d;
	size_t i, j, n = 0;

	if (li == -1)
		return set_cause(cause, "unknown Land \"%.8s\"; valid: %s",
		    land == NULL ? "" : land, holiday_land_codes());
	if (from_days > to_days)
		return set_cause(cause, "empty range: the start is after the end");
	civil_date_from_days(from_days, &y0, NULL, NULL);
	civil_date_from_days(to_days, &y1, NULL, NULL);
	if (y0 < HOLIDAY_FIRST_YEAR || y1 > HOLIDAY_LAST_YEAR)
		return set_cause(cause, "holidays are known for the years %d to %d only",
		    HOLIDAY_FIRST_YEAR, HOLIDAY_LAST_YEAR);
	for (year = y0; year <= y1; year++) {
		struct holiday year_list[NRULES];
		size_t k = 0;

		easter = civil_easter(year);
		for (i = 0; i < NRULES; i++) {
			if (!rule_holds(&rules[i], li, year))
				continue;
			d = rule_day(&rules[i], year, easter);
			if (d < from_days || d > to_days)
				continue;
			/* Insertion keeps the year sorted by day, stable for ties. */
			for (j = k; j > 0 && year_list[j - 1].days > d; j--)
				year_list[j] = year_list[j - 1];
			year_list[j].days = d;
			year_list[j].name = rules[i].name;
			k++;
		}
		for (j = 0; j < k; j++, n++)
			if (n < max)
				out[n] = year_list[j];
	}
	return (int)n;
}
