/*
 * workcal: which days are working days for one municipality.  It combines
 * the statutory public holidays of a Land (holiday.c) with the local days
 * off the municipality configures (Rosenmontag, 24 and 31 December, single
 * closures) and the session-free periods (summer break) the planner avoids.
 * Every non-working day can say why, so deadlines can explain themselves.
 */
#ifndef IKOND_WORKCAL_H
#define IKOND_WORKCAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct workcal;

/* land is a two-letter code (see holiday.h); NULL on an unknown code. */
struct workcal *workcal_new(const char *land, char **cause);
void workcal_free(struct workcal *wc);
const char *workcal_land(const struct workcal *wc);

/*
 * A local day off.  spec is one of
 *   "MM-DD"         every year (e.g. "12-24"),
 *   "YYYY-MM-DD"    once,
 *   "easter+N" or "easter-N"   relative to Easter Sunday (Rosenmontag: "easter-48"),
 * and name is the German name shown in explanations.
 */
int workcal_add_day_off(struct workcal *wc, const char *spec, const char *name, char **cause);
/* A session-free period [from, to] inclusive, as day numbers. */
/* The local days off as [[spec, name], ...] in the order they were added,
 * for workcal_add_day_off() to rebuild the same calendar. */
json_t *workcal_days_off(const struct workcal *wc);
int workcal_add_break(struct workcal *wc, int from_days, int to_days, const char *name, char **cause);

bool workcal_is_working_day(const struct workcal *wc, int days);
/* Why a day is not a working day: "Sa", "So", the holiday's or local day's
 * name; NULL for a working day. */
const char *workcal_reason(const struct workcal *wc, int days);
/* Name of the session-free period containing days, or NULL. */
const char *workcal_break_at(const struct workcal *wc, int days);
/* The i-th session-free period (from 0, in the order they were added):
 * its name, with its first and last day; NULL past the last one. */
const char *workcal_break(const struct workcal *wc, size_t i, int *from, int *to);
/* The working day n steps (n > 0 forward, n < 0 backward) from days,
 * not counting days itself. */
int workcal_add_working_days(const struct workcal *wc, int days, int n);

#endif
