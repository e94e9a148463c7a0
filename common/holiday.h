/*
 * holiday: the statutory public holidays of the 16 German Länder for the
 * years 1995 to 2100, with the changes over time as the Länder enacted them
 * (e.g. Reformationstag in HB, HH, NI and SH since 2018, Frauentag in BE
 * since 2019 and MV since 2023, Weltkindertag in TH since 2019, the
 * nationwide 31 October 2017).  Only statewide holidays are listed; days
 * that hold in some municipalities only are configured locally (workcal.h).
 */
#ifndef IKOND_HOLIDAY_H
#define IKOND_HOLIDAY_H

#include <stdbool.h>
#include <stddef.h>

#define HOLIDAY_FIRST_YEAR	1995
#define HOLIDAY_LAST_YEAR	2100

struct holiday {
	int		 days;		/* day number, see civil.h */
	const char	*name;		/* German name, static storage */
};

/* "BW" "BY" "BE" "BB" "HB" "HH" "HE" "MV" "NI" "NW" "RP" "SL" "SN" "ST" "SH" "TH" */
bool holiday_land_valid(const char *land);
/* Space-separated list of the valid codes, for error messages. */
const char *holiday_land_codes(void);
/* German name of the holiday on days in land, or NULL. */
const char *holiday_name(const char *land, int days);
/* Fills out (capacity max) with the holidays of land in [from, to], sorted;
 * returns how many there are (may exceed max), or -1 for a range outside
 * HOLIDAY_FIRST_YEAR..HOLIDAY_LAST_YEAR or an unknown land (with *cause). */
int holiday_list(const char *land, int from_days, int to_days, struct holiday *out,
    size_t max, char **cause);

#endif
